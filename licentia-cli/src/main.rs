//! `licentia`: issue and check licenses from the command line.
//!
//! This file only parses arguments and dispatches. Each command lives in its
//! own module with an `Args` struct (clap derive; its doc comment is the
//! command's help) and `run(args) -> licentia::Result<ExitCode>`; the modules
//! read and write files and call the core, which holds every license rule.
//! A new command is a new module plus one variant in [`Command`] and one arm
//! in [`main`]. A command group (`key rotate`) is a module whose `Args` holds
//! a `#[command(subcommand)]` enum; a command behind another feature
//! (`serve`) puts the same `#[cfg(feature = ...)]` on its `mod`, variant and
//! arm.
//!
//! Exit codes: 0 success (for `verify`: a valid license, warnings allowed),
//! 1 an invalid verdict, 2 an error (`error: <message>` on standard error).

mod accept;
#[cfg(feature = "server")]
mod backoffice;
mod common;
mod environment;
mod fingerprint;
mod give_back;
mod inspect;
mod issue;
mod keygen;
mod release_catalogue;
mod renew;
mod request;
mod revoke;
mod rollover;
mod summary;
#[cfg(feature = "server")]
mod transfer;
mod verify;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Issue and check signed software licenses, offline.
#[derive(Debug, Parser)]
#[command(name = "licentia", version, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

// Parsed once and consumed at once: variant sizes do not matter here.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
enum Command {
    Keygen(keygen::Args),
    Issue(issue::Args),
    Verify(verify::Args),
    Inspect(inspect::Args),
    Fingerprint(fingerprint::Args),
    Environment(environment::Args),
    Request(request::Args),
    Accept(accept::Args),
    GiveBack(give_back::GiveBackArgs),
    Receipt(give_back::ReceiptArgs),
    ConfirmReceipt(give_back::ConfirmArgs),
    Revoke(revoke::Args),
    Renew(renew::Args),
    Rollover(rollover::Args),
    ReleaseCatalogue(release_catalogue::Args),
    #[cfg(feature = "server")]
    #[command(flatten)]
    Backoffice(backoffice::Command),
}

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::Keygen(args) => keygen::run(args),
        Command::Issue(args) => issue::run(args),
        Command::Verify(args) => verify::run(args),
        Command::Inspect(args) => inspect::run(args),
        Command::Fingerprint(args) => fingerprint::run(args),
        Command::Environment(args) => environment::run(args),
        Command::Request(args) => request::run(args),
        Command::Accept(args) => accept::run(args),
        Command::GiveBack(args) => give_back::give_back(args),
        Command::Receipt(args) => give_back::receipt(args),
        Command::ConfirmReceipt(args) => give_back::confirm(args),
        Command::Revoke(args) => revoke::run(args),
        Command::Renew(args) => renew::run(args),
        Command::Rollover(args) => rollover::run(args),
        Command::ReleaseCatalogue(args) => release_catalogue::run(args),
        #[cfg(feature = "server")]
        Command::Backoffice(command) => backoffice::run(command),
    };
    result.unwrap_or_else(|error| {
        common::report_error(&error);
        ExitCode::from(common::EXIT_ERROR)
    })
}
