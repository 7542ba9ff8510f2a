//! `licentia inspect`: show what a license file says, without trusting it.

use std::path::PathBuf;
use std::process::ExitCode;

use licentia::format::MAX_TEXT_LEN;
use licentia::{Result, UnverifiedLicense};
use serde_json::json;

use crate::{common, summary};

const UNVERIFIED: &str =
    "UNVERIFIED: the signature was not checked; use `licentia verify` before trusting any of this";

/// Decode a license and print its body, UNVERIFIED (the signature is not checked).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print JSON.
    #[arg(long)]
    json: bool,
    /// The license file, or `-` for standard input.
    #[arg(value_name = "LICENSE")]
    license: PathBuf,
}

/// Runs the command.
pub fn run(args: Args) -> Result<ExitCode> {
    let text = common::read_text(&args.license, "license file", MAX_TEXT_LEN)?;
    let seen = UnverifiedLicense::parse(&text)?;
    if args.json {
        common::print_json(&json!({
            "verified": false,
            "warning": UNVERIFIED,
            "format_version": seen.format_version(),
            "license": summary::json(seen.body(), seen.key_id()),
        }))?;
    } else {
        common::print(&format!(
            "{UNVERIFIED}\nformat version: {}\n{}",
            seen.format_version(),
            summary::text(seen.body(), seen.key_id())
        ))?;
    }
    Ok(ExitCode::SUCCESS)
}
