//! `licentia renew`: a renewal token for one license.

use std::path::PathBuf;
use std::process::ExitCode;

use licentia::format::MAX_TEXT_LEN;
use licentia::{
    Entitlement, Error, Issuer, RenewalAction, Result, SigningKey, Timestamp, Verifier,
};

use crate::common;

/// Sign a renewal token that extends a license or adds a feature, offline.
///
/// The license is verified with the key's own public key first: a token
/// only renews a license that key signed.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The issuer's private key.
    #[arg(long, value_name = "FILE")]
    key: PathBuf,
    /// The license to renew.
    #[arg(long, value_name = "FILE")]
    license: PathBuf,
    /// Extend the hard expiry to this time.
    #[arg(
        long,
        value_name = "DATE",
        value_parser = Timestamp::parse,
        required_unless_present = "add_feature",
        conflicts_with = "add_feature"
    )]
    until: Option<Timestamp>,
    /// With --until: the new soft expiry.
    #[arg(long, value_name = "DATE", value_parser = Timestamp::parse, requires = "until")]
    soft: Option<Timestamp>,
    /// Grant (or replace) a feature.
    #[arg(long, value_name = "CODE[=COUNT][@DATE]", value_parser = Entitlement::parse)]
    add_feature: Option<Entitlement>,
    /// Write the compact one-line form instead of the armor.
    #[arg(long)]
    compact: bool,
    /// Write to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

/// Runs the command.
pub fn run(args: Args) -> Result<ExitCode> {
    let key = SigningKey::load(&args.key)?;
    let text = common::read_text(&args.license, "license file", MAX_TEXT_LEN)?;
    let license = Verifier::new([key.public_key().clone()]).verify(&text)?;
    let action = match (args.until, args.add_feature) {
        (Some(hard_expiry), _) => RenewalAction::ExtendTo {
            hard_expiry,
            soft_expiry: args.soft,
        },
        (None, Some(entitlement)) => RenewalAction::AddEntitlement(entitlement),
        (None, None) => {
            return Err(Error::InvalidArgument(
                "give --until or --add-feature".into(),
            ))
        }
    };
    let token = Issuer::new(key).renewal(&license, action, Timestamp::now())?;
    let text = if args.compact {
        token.to_compact()
    } else {
        token.to_armor()
    };
    common::emit(args.out.as_deref(), &text)
}
