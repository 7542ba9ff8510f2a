//! `licentia environment`: what the virtual machine and container probe
//! sees here, each signal named — what a licence refusing either is checked
//! against.

use std::path::PathBuf;
use std::process::ExitCode;

use licentia::{Environment, EnvironmentKind, Probe, Result};
use serde_json::json;

use crate::common;

/// Print the signals of a virtual machine or a container seen here (CPUID,
/// DMI strings, /proc/cpuinfo, marker files, cgroups, variables).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Probe the tree under DIR instead of this machine (its files only: no
    /// CPUID, no process variables).
    #[arg(long, value_name = "DIR")]
    root: Option<PathBuf>,
    /// Print the signals as JSON.
    #[arg(long)]
    json: bool,
}

/// This machine's environment, or the tree's under `root` (shared with `verify`).
pub fn probe(root: Option<&PathBuf>) -> Environment {
    match root {
        Some(root) => Probe::under(root).run(),
        None => Environment::this_machine().clone(),
    }
}

/// Runs the command.
pub fn run(args: Args) -> Result<ExitCode> {
    let seen = probe(args.root.as_ref());
    if args.json {
        let signals: Vec<_> = seen
            .signals
            .iter()
            .map(|s| json!({ "kind": s.kind.name(), "name": s.name, "saw": s.saw }))
            .collect();
        common::print_json(&json!({
            "virtual_machine": seen.is_virtual_machine(),
            "container": seen.is_container(),
            "signals": signals,
        }))?;
    } else {
        let line = |kind: EnvironmentKind| match seen.evidence(kind) {
            evidence if evidence.is_empty() => format!("{}: no", kind.name()),
            evidence => format!("{}: yes ({evidence})", kind.name()),
        };
        common::print(&format!(
            "{}\n{}",
            line(EnvironmentKind::VirtualMachine),
            line(EnvironmentKind::Container)
        ))?;
    }
    Ok(ExitCode::SUCCESS)
}
