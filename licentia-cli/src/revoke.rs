//! `licentia revoke`: sign a revocation list.

use std::path::PathBuf;
use std::process::ExitCode;

use licentia::{
    Fingerprint, Issuer, KeyId, LicenseId, Result, RevocationBody, SigningKey, Timestamp,
};

use crate::common;

/// Sign a revocation list: licenses, machines and keys no longer honoured.
///
/// A list replaces every list with a lower sequence number, so each new
/// list must repeat what is still revoked.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The issuer's private key.
    #[arg(long, value_name = "FILE")]
    key: PathBuf,
    /// The product the list is for.
    #[arg(long, value_name = "P")]
    product: String,
    /// The list's sequence number: higher than every list before it.
    #[arg(long, value_name = "N")]
    sequence: u64,
    /// Revoke this license id; repeat for several.
    #[arg(long = "id", value_name = "LICENSE_ID", value_parser = LicenseId::parse)]
    ids: Vec<LicenseId>,
    /// Revoke every component of this machine fingerprint; repeat for several.
    #[arg(long = "machine", value_name = "FP", value_parser = Fingerprint::parse)]
    machines: Vec<Fingerprint>,
    /// Revoke everything this signing key signed; repeat for several.
    #[arg(long = "revoke-key", value_name = "KEYID", value_parser = KeyId::from_hex)]
    keys: Vec<KeyId>,
    /// Where to write the list.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
}

/// Runs the command.
pub fn run(args: Args) -> Result<ExitCode> {
    let issuer = Issuer::new(SigningKey::load(&args.key)?);
    let body = RevocationBody {
        product: args.product,
        sequence: args.sequence,
        issued_at: Timestamp::now(),
        licenses: args.ids,
        machines: args
            .machines
            .iter()
            .flat_map(|m| m.components.iter().map(|c| c.hash))
            .collect(),
        keys: args.keys,
        released: Vec::new(),
    };
    let list = issuer.revocation_list(&body)?;
    common::write_file(&args.out, &list.to_armor())?;
    Ok(ExitCode::SUCCESS)
}
