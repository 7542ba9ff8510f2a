//! `licentia keygen`: a new issuer key pair.

use std::path::PathBuf;
use std::process::ExitCode;

use licentia::{Error, Result, SigningKey};
use serde_json::json;

use crate::common;

/// Generate an Ed25519 issuer key pair: DIR/issuer.key (mode 0600) and DIR/issuer.pub.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Directory for the key files (created if missing); existing keys are never overwritten.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Print the key id and paths as JSON.
    #[arg(long)]
    json: bool,
}

/// Runs the command.
pub fn run(args: Args) -> Result<ExitCode> {
    std::fs::create_dir_all(&args.out)
        .map_err(|e| Error::Io(format!("{}: {e}", args.out.display())))?;
    let private = args.out.join("issuer.key");
    let public = args.out.join("issuer.pub");
    // Check both first, so a refused run leaves no half-written pair behind.
    for path in [&private, &public] {
        if path.exists() {
            return Err(Error::Io(format!(
                "{} already exists; keygen never overwrites a key (choose another --out)",
                path.display()
            )));
        }
    }
    let key = SigningKey::generate();
    key.save(&private)?;
    key.public_key().save(&public)?;

    if args.json {
        common::print_json(&json!({
            "key_id": key.key_id().to_string(),
            "private_key": private.display().to_string(),
            "public_key": public.display().to_string(),
        }))?;
    } else {
        common::print(&format!(
            "key id {}\nprivate key: {} (keep it secret)\npublic key:  {} (ship it with the product)",
            key.key_id(),
            private.display(),
            public.display()
        ))?;
    }
    Ok(ExitCode::SUCCESS)
}
