//! `licentia verify`: the verdict on a license, here and now.

use std::path::PathBuf;
use std::process::ExitCode;

use licentia::format::MAX_TEXT_LEN;
use licentia::{ClockGuard, Context, Fingerprint, Report, Result, Severity, Timestamp};
use serde_json::json;

use crate::{common, environment, summary};

/// Verify a license and check it: exit 0 if valid (warnings printed), 1 if invalid, 2 on error.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A trusted public key (SPKI PEM); repeat for several.
    #[arg(long = "pub", value_name = "FILE", required = true)]
    public_keys: Vec<PathBuf>,
    /// The product code of the running application.
    #[arg(long)]
    product: String,
    /// Check as of this time (YYYY-MM-DD or RFC 3339) instead of the system clock.
    #[arg(long, value_name = "DATE", value_parser = Timestamp::parse)]
    now: Option<Timestamp>,
    /// This machine: `auto` reads it, or a fingerprint from `licentia fingerprint`.
    #[arg(long, value_name = "auto|FP", value_parser = machine)]
    machine: Option<Machine>,
    /// The current user, for named-user licenses.
    #[arg(long, value_name = "U")]
    user: Option<String>,
    /// The running version's release date, for updates-until.
    #[arg(long, value_name = "DATE", value_parser = Timestamp::parse, conflicts_with = "release")]
    release_date: Option<Timestamp>,
    /// A signed release catalogue for the product (`licentia
    /// release-catalogue sign`): the verdict lists the releases the
    /// licence may run.
    #[arg(long, value_name = "FILE")]
    catalogue: Option<PathBuf>,
    /// The running version, looked up in `--catalogue` for its release
    /// date (updates-until).
    #[arg(long, value_name = "VERSION", requires = "catalogue")]
    release: Option<String>,
    /// For a license refusing virtual machines or containers: probe the
    /// tree under DIR instead of this machine (see `licentia environment`).
    #[arg(long, value_name = "DIR")]
    environment_root: Option<PathBuf>,
    /// A signed revocation list for the product.
    #[arg(long, value_name = "FILE")]
    revocations: Option<PathBuf>,
    /// A renewal token to apply; repeat for several.
    #[arg(long = "renewal", value_name = "FILE")]
    renewals: Vec<PathBuf>,
    /// A key-rollover statement to accept before verifying; repeat, oldest first.
    #[arg(long = "rollover", value_name = "FILE")]
    rollovers: Vec<PathBuf>,
    /// The clock-guard state file (created if missing).
    #[arg(long, value_name = "FILE", requires = "clock_secret")]
    clock_state: Option<PathBuf>,
    /// The application secret that seals the clock-guard state.
    #[arg(long, value_name = "S", requires = "clock_state")]
    clock_secret: Option<String>,
    /// Where the clock guard keeps its second copy (default: beside the
    /// state, `<state>.witness`); another directory means deleting or
    /// restoring the state's directory is detected too.
    #[arg(long, value_name = "FILE", requires = "clock_state")]
    clock_witness: Option<PathBuf>,
    /// A first run already happened: the clock-guard state and its witness
    /// both missing is an error, not a fresh start.
    #[arg(long, requires = "clock_state")]
    clock_started: bool,
    /// Print the verdict as JSON.
    #[arg(long)]
    json: bool,
    /// The license file, or `-` for standard input.
    #[arg(value_name = "LICENSE")]
    license: PathBuf,
}

/// The `--machine` value.
#[derive(Debug, Clone)]
enum Machine {
    Auto,
    Given(Fingerprint),
}

fn machine(text: &str) -> Result<Machine> {
    if text == "auto" {
        Ok(Machine::Auto)
    } else {
        Fingerprint::parse(text).map(Machine::Given)
    }
}

/// Runs the command.
pub fn run(args: Args) -> Result<ExitCode> {
    let now = args.now.unwrap_or_else(Timestamp::now);
    let mut verifier = common::verifier(&args.public_keys)?;
    for path in &args.rollovers {
        verifier.accept_rollover(&common::read_document(path)?)?;
    }
    let text = common::read_text(&args.license, "license file", MAX_TEXT_LEN)?;
    let mut license = verifier.verify(&text)?;
    for path in &args.renewals {
        let token = verifier.verify_renewal(&common::read_document(path)?)?;
        license.apply_renewal(&token)?;
    }
    let revocations = args
        .revocations
        .as_deref()
        .map(|path| verifier.verify_revocation_list(&common::read_document(path)?, &args.product))
        .transpose()?;
    let catalogue = args
        .catalogue
        .as_deref()
        .map(|path| verifier.verify_release_catalogue(&common::read_document(path)?, &args.product))
        .transpose()?;
    let running = match (&catalogue, &args.release) {
        (Some(catalogue), Some(version)) => Some(catalogue.require(version)?),
        _ => None,
    };
    let runnable = catalogue
        .as_ref()
        .map(|catalogue| license.runnable_releases(catalogue))
        .transpose()?;
    let machine = match args.machine {
        None => None,
        Some(Machine::Auto) => Some(Fingerprint::this_machine(&args.product)?),
        Some(Machine::Given(fingerprint)) => Some(fingerprint),
    };
    let mut ctx = Context::new(now, &args.product);
    ctx.machine = machine.as_ref();
    ctx.user = args.user.as_deref();
    ctx.release_date = running.map(|r| r.date).or(args.release_date);
    ctx.revocations = revocations.as_ref();
    let seen = args
        .environment_root
        .as_ref()
        .map(|root| environment::probe(Some(root)));
    ctx.environment = seen.as_ref();
    let report = match (&args.clock_state, &args.clock_secret) {
        (Some(path), Some(secret)) => {
            let mut options =
                ClockGuard::options(&args.product, secret.as_bytes()).started(args.clock_started);
            if let Some(witness) = &args.clock_witness {
                options = options.witness(witness);
            }
            license.check_guarded(&ctx, &mut options.open(path)?)?
        }
        _ => license.check(&ctx),
    };

    let versions: Option<Vec<&str>> = runnable
        .as_ref()
        .map(|list| list.iter().map(|r| r.version.as_str()).collect());
    if args.json {
        let mut out = json!({
            "state": report.state.name(),
            "valid": report.is_valid(),
            "findings": findings_json(&report),
            "grace_remaining_secs": report.grace_remaining_secs,
            "license": summary::json(license.body(), license.key_id()),
        });
        if let Some(versions) = &versions {
            out["runnable_releases"] = json!(versions);
        }
        common::print_json(&out)?;
    } else {
        let mut text = format!(
            "{report}\n\n{}",
            summary::text(license.body(), license.key_id())
        );
        if let Some(versions) = &versions {
            let list = if versions.is_empty() {
                "none".to_owned()
            } else {
                versions.join(", ")
            };
            text.push_str(&format!("\nreleases it may run: {list}"));
        }
        common::print(&text)?;
    }
    Ok(if report.is_valid() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(common::EXIT_INVALID)
    })
}

fn findings_json(report: &Report) -> Vec<serde_json::Value> {
    report
        .findings
        .iter()
        .map(|f| {
            json!({
                "code": f.rule.code(),
                "rule": f.rule.name(),
                "severity": match f.rule.severity() {
                    Severity::Failure => "failure",
                    Severity::Warning => "warning",
                },
                "message": f.message,
                "remaining_secs": f.remaining_secs,
            })
        })
        .collect()
}
