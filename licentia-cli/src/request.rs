//! `licentia request`: write an offline activation request on this machine.

use std::path::PathBuf;
use std::process::ExitCode;

use licentia::short_code::ShortRequest;
use licentia::{ActivationRequest, Error, LicenseId, LicenseRef, Result, Timestamp};

use crate::common;
use crate::fingerprint::MachineArgs;

/// Write an offline activation request for this machine, to carry to the vendor.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The product to activate.
    #[arg(long, value_name = "P")]
    product: String,
    /// The license key you were given.
    #[arg(
        long,
        value_name = "KEY",
        required_unless_present = "license_id",
        conflicts_with = "license_id"
    )]
    key: Option<String>,
    /// Or the id of a license file you hold (32 hex digits).
    #[arg(long, value_name = "ID", value_parser = LicenseId::parse)]
    license_id: Option<LicenseId>,
    #[command(flatten)]
    machine: MachineArgs,
    /// Where to write the request.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Write the request as a typed code (groups of five characters, each
    /// with a check character) to read over the telephone.
    #[arg(long)]
    typed: bool,
    /// Write the short telephone request code instead (six groups of five
    /// characters) for the license file this machine holds (`--license-id`):
    /// the back office answers it with a short answer code the product
    /// checks under its typed-answer secret.
    #[arg(long, requires = "license_id", conflicts_with = "typed")]
    short: bool,
    /// Also draw the request as a QR code (SVG) in FILE, for a phone to
    /// carry to the vendor: the request's one-line form, or its short code.
    #[cfg(feature = "server")]
    #[arg(long, value_name = "FILE")]
    qr: Option<PathBuf>,
}

/// Runs the command.
pub fn run(args: Args) -> Result<ExitCode> {
    let license = match (args.key, args.license_id) {
        (Some(key), _) => LicenseRef::Key(key),
        (None, Some(id)) => LicenseRef::Id(id),
        (None, None) => return Err(Error::InvalidArgument("give --key or --license-id".into())),
    };
    let fingerprint = args.machine.fingerprint(&args.product)?;
    if let (true, LicenseRef::Id(id)) = (args.short, &license) {
        let code = ShortRequest::new(id, &fingerprint).to_code();
        common::write_file(&args.out, &format!("{code}\n"))?;
        #[cfg(feature = "server")]
        write_qr(args.qr.as_deref(), &code)?;
        return Ok(ExitCode::SUCCESS);
    }
    let request = ActivationRequest::new(&args.product, license, fingerprint, Timestamp::now());
    let text = if args.typed {
        format!("{}\n", request.to_typed())
    } else {
        request.to_armor()
    };
    common::write_file(&args.out, &text)?;
    #[cfg(feature = "server")]
    write_qr(args.qr.as_deref(), &request.to_compact())?;
    Ok(ExitCode::SUCCESS)
}

/// Draws `text` as a QR code in `path`, when one is asked for.
#[cfg(feature = "server")]
fn write_qr(path: Option<&std::path::Path>, text: &str) -> Result<()> {
    let Some(path) = path else { return Ok(()) };
    let svg = licentia_server::qr::svg(text, "licentia activation request")
        .map_err(|e| Error::InvalidArgument(e.to_string()))?;
    common::write_file(path, &svg)
}
