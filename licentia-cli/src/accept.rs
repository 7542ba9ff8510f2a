//! `licentia accept`: install the vendor's answer to an activation request.

use std::path::PathBuf;
use std::process::ExitCode;

use licentia::{ActivationRequest, Result, Timestamp};

use crate::common;

/// Accept an activation answer for a request written here, and write the license it carries.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The vendor's public key (SPKI PEM); repeat for several.
    #[arg(long = "pub", value_name = "FILE", required = true)]
    public_keys: Vec<PathBuf>,
    /// The request this machine wrote.
    #[arg(long, value_name = "FILE")]
    request: PathBuf,
    /// The vendor's answer.
    #[arg(long, value_name = "FILE")]
    answer: PathBuf,
    /// Where to write the license.
    #[arg(long, value_name = "LICENSE")]
    out: PathBuf,
}

/// Runs the command.
pub fn run(args: Args) -> Result<ExitCode> {
    let verifier = common::verifier(&args.public_keys)?;
    let request = ActivationRequest::parse(&common::read_document(&args.request)?)?;
    let answer = common::read_document(&args.answer)?;
    let activated = request.accept(&answer, &verifier, Timestamp::now())?;
    common::write_file(&args.out, &activated.license_file)?;
    Ok(ExitCode::SUCCESS)
}
