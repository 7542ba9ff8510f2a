//! `licentia fingerprint`: this machine's fingerprint for a product.

use std::process::ExitCode;

use licentia::{Fingerprint, Result};
use serde_json::json;

use crate::common;

/// Print this machine's fingerprint for a product: one line of hex, the value `--machine` takes.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The product code (fingerprints differ per product).
    #[arg(long)]
    product: String,
    #[command(flatten)]
    machine: MachineArgs,
    /// List every component (kind, hash) as JSON.
    #[arg(long)]
    json: bool,
}

/// Which components make up this machine's fingerprint (shared with `request`).
#[derive(Debug, clap::Args)]
pub struct MachineArgs {
    /// Add the host name as a component.
    #[arg(long)]
    hostname: bool,
    /// Add a value of your own as a component (containers, cloud instance ids).
    #[arg(long = "vendor", value_name = "NAME=VALUE", value_parser = common::key_value)]
    vendor: Vec<(String, String)>,
    /// Leave out the OS machine id (containers without a stable one).
    #[arg(long)]
    no_machine_id: bool,
}

impl MachineArgs {
    /// The fingerprint these options describe for `product`.
    pub fn fingerprint(&self, product: &str) -> Result<Fingerprint> {
        let mut builder = Fingerprint::builder(product);
        if !self.no_machine_id {
            builder = builder.machine_id();
        }
        if self.hostname {
            builder = builder.hostname();
        }
        for (name, value) in &self.vendor {
            builder = builder.vendor(name, value);
        }
        builder.build()
    }
}

/// Runs the command.
pub fn run(args: Args) -> Result<ExitCode> {
    let fingerprint = args.machine.fingerprint(&args.product)?;
    if args.json {
        let components: Vec<_> = fingerprint
            .components
            .iter()
            .map(|c| {
                let hash: String = c.hash.iter().map(|b| format!("{b:02x}")).collect();
                json!({ "kind": c.kind.name(), "hash": hash })
            })
            .collect();
        common::print_json(&json!({
            "product": args.product,
            "fingerprint": fingerprint.to_string(),
            "components": components,
        }))?;
    } else {
        common::print(&fingerprint.to_string())?;
    }
    Ok(ExitCode::SUCCESS)
}
