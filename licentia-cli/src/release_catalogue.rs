//! `licentia release-catalogue sign`: sign a product's release catalogue.

use std::path::PathBuf;
use std::process::ExitCode;

use licentia::format::MAX_TEXT_LEN;
use licentia::{CatalogueBody, Error, Issuer, ProductRelease, Result, SigningKey, Timestamp};
use serde_json::Value;

use crate::common;

/// Release catalogues: the versions of a product and their dates, signed,
/// so a licence's updates-until is checked offline against the running
/// version (`licentia verify --catalogue FILE --release VERSION`).
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    Sign(SignArgs),
}

/// Sign a release catalogue from a JSON list of releases.
///
/// Each release is an object: `version` (`3.1`, `4.0-beta.1`), `date`
/// (YYYY-MM-DD or RFC 3339), and optionally `channel` (default `stable`),
/// `notes` and `download_url`.
#[derive(Debug, clap::Args)]
struct SignArgs {
    /// The issuer's private key.
    #[arg(long, value_name = "FILE")]
    key: PathBuf,
    /// The product the catalogue is for.
    #[arg(long, value_name = "P")]
    product: String,
    /// The JSON list of releases, or `-` for standard input.
    #[arg(long, value_name = "FILE")]
    releases: PathBuf,
    /// Where to write the catalogue (standard output when absent).
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

/// Runs the command.
pub fn run(args: Args) -> Result<ExitCode> {
    match args.command {
        Command::Sign(args) => sign(args),
    }
}

fn sign(args: SignArgs) -> Result<ExitCode> {
    let issuer = Issuer::new(SigningKey::load(&args.key)?);
    let text = common::read_text(&args.releases, "release list", MAX_TEXT_LEN)?;
    let list: Value = serde_json::from_str(&text)
        .map_err(|e| Error::InvalidArgument(format!("the release list is not JSON: {e}")))?;
    let Value::Array(items) = list else {
        return Err(Error::InvalidArgument(
            "the release list must be a JSON list of releases".into(),
        ));
    };
    let body = CatalogueBody {
        product: args.product,
        issued_at: Timestamp::now(),
        releases: items.iter().map(release).collect::<Result<_>>()?,
    };
    let catalogue = issuer.release_catalogue(&body)?;
    common::emit(args.out.as_deref(), &catalogue.to_armor())
}

/// One release from its JSON object; unknown fields are refused, so a
/// misspelt one is not silently dropped.
fn release(item: &Value) -> Result<ProductRelease> {
    let bad = |m: String| Error::InvalidArgument(m);
    let Value::Object(fields) = item else {
        return Err(bad(format!("a release must be a JSON object, not {item}")));
    };
    let text = |name: &str| -> Result<Option<String>> {
        match fields.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(bad(format!(
                "release field '{name}' must be a string, not {other}"
            ))),
        }
    };
    if let Some(unknown) = fields
        .keys()
        .find(|k| !["version", "date", "channel", "notes", "download_url"].contains(&k.as_str()))
    {
        return Err(bad(format!(
            "unknown release field '{unknown}' (version, date, channel, notes, download_url)"
        )));
    }
    let version = text("version")?.ok_or_else(|| bad("a release needs a version".into()))?;
    let date = text("date")?.ok_or_else(|| bad(format!("release {version} needs a date")))?;
    let mut release = ProductRelease::new(&version, Timestamp::parse(&date)?);
    if let Some(channel) = text("channel")? {
        release.channel = channel;
    }
    release.notes = text("notes")?.unwrap_or_default();
    release.download_url = text("download_url")?.unwrap_or_default();
    Ok(release)
}
