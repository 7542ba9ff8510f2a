//! `licentia give-back`, `licentia receipt`, `licentia confirm-receipt`:
//! offline deactivation, the counterpart of `request` / `issue --request` /
//! `accept`.

use std::path::PathBuf;
use std::process::ExitCode;

use licentia::{DeactivationRequest, Error, Issuer, Result, SigningKey, Timestamp};

use crate::common;
use crate::fingerprint::MachineArgs;

/// Give this machine's license back without a connection: write an offline
/// deactivation request (the license, this machine and the SHA-256 of the
/// file) and delete the license file.
#[derive(Debug, clap::Args)]
pub struct GiveBackArgs {
    /// The vendor's public key (SPKI PEM); repeat for several.
    #[arg(long = "pub", value_name = "FILE", required = true)]
    public_keys: Vec<PathBuf>,
    /// The license file to give back (deleted once the request is written).
    #[arg(long, value_name = "FILE")]
    license: PathBuf,
    #[command(flatten)]
    machine: MachineArgs,
    /// Where to write the request.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Keep the license file (the request still says it was deleted).
    #[arg(long)]
    keep: bool,
}

/// Runs `give-back`.
pub fn give_back(args: GiveBackArgs) -> Result<ExitCode> {
    let verifier = common::verifier(&args.public_keys)?;
    let license = verifier.verify(&common::read_document(&args.license)?)?;
    let fingerprint = args.machine.fingerprint(&license.product)?;
    let request = DeactivationRequest::new(&license, fingerprint, Timestamp::now());
    common::write_file(&args.out, &request.to_armor())?;
    if !args.keep {
        std::fs::remove_file(&args.license)
            .map_err(|e| Error::Io(format!("{}: {e}", args.license.display())))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Sign the receipt for an offline deactivation request (a vendor without
/// the back office; with it, staff answer `POST /v1/deactivations/offline`,
/// which also frees the seat).
#[derive(Debug, clap::Args)]
pub struct ReceiptArgs {
    /// The signing key (PKCS#8 PEM, mode 600).
    #[arg(long, value_name = "FILE")]
    key: PathBuf,
    /// The request the machine wrote.
    #[arg(long, value_name = "FILE")]
    request: PathBuf,
    /// When the seat was freed [default: now].
    #[arg(long, value_name = "DATE", value_parser = Timestamp::parse)]
    at: Option<Timestamp>,
    /// Write to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

/// Runs `receipt`.
pub fn receipt(args: ReceiptArgs) -> Result<ExitCode> {
    let issuer = Issuer::new(SigningKey::load(&args.key)?);
    let request = DeactivationRequest::parse(&common::read_document(&args.request)?)?;
    let receipt = issuer.deactivation_receipt(&request, args.at.unwrap_or_else(Timestamp::now))?;
    common::emit(args.out.as_deref(), &receipt.to_armor())
}

/// Check the vendor's receipt for a deactivation request written here: it
/// must be signed by a trusted key, for this very request (license,
/// machine, file, nonce).
#[derive(Debug, clap::Args)]
pub struct ConfirmArgs {
    /// The vendor's public key (SPKI PEM); repeat for several.
    #[arg(long = "pub", value_name = "FILE", required = true)]
    public_keys: Vec<PathBuf>,
    /// The request this machine wrote.
    #[arg(long, value_name = "FILE")]
    request: PathBuf,
    /// The vendor's receipt.
    #[arg(long, value_name = "FILE")]
    receipt: PathBuf,
}

/// Runs `confirm-receipt`: prints when the seat was freed.
pub fn confirm(args: ConfirmArgs) -> Result<ExitCode> {
    let verifier = common::verifier(&args.public_keys)?;
    let request = DeactivationRequest::parse(&common::read_document(&args.request)?)?;
    let receipt = request.accept(&common::read_document(&args.receipt)?, &verifier)?;
    common::print(&format!(
        "license {} given back by this machine at {}",
        receipt.license, receipt.deactivated_at
    ))?;
    Ok(ExitCode::SUCCESS)
}
