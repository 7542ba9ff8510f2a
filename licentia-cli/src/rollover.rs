//! `licentia rollover`: the old key endorses a new one.

use std::path::PathBuf;
use std::process::ExitCode;

use licentia::{Issuer, PublicKey, Result, SigningKey, Timestamp};

use crate::common;

/// Sign a key-rollover statement: products that trust the old key then trust the new one.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The old (currently trusted) private key.
    #[arg(long, value_name = "OLD.key")]
    key: PathBuf,
    /// The new public key to endorse.
    #[arg(long, value_name = "NEW.pub")]
    new_pub: PathBuf,
    /// Trust the new key for documents issued from this time.
    #[arg(long, value_name = "DATE", value_parser = Timestamp::parse)]
    not_before: Option<Timestamp>,
    /// ... and before this time.
    #[arg(long, value_name = "DATE", value_parser = Timestamp::parse)]
    not_after: Option<Timestamp>,
    /// Where to write the statement.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
}

/// Runs the command.
pub fn run(args: Args) -> Result<ExitCode> {
    let issuer = Issuer::new(SigningKey::load(&args.key)?);
    let new_key = PublicKey::load(&args.new_pub)?;
    let statement = issuer.rollover(&new_key, args.not_before, args.not_after, Timestamp::now())?;
    common::write_file(&args.out, &statement.to_armor())?;
    Ok(ExitCode::SUCCESS)
}
