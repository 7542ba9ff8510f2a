//! `licentia issue`: sign a license, or answer an offline activation request.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use licentia::spec::{LicenseSpec, MAX_SPEC_LEN};
use licentia::{ActivationRequest, Issuer, LicenseRef, Result, SigningKey, Timestamp};

use crate::common;

/// Days an activation answer stays acceptable when `--not-after` is not given.
const DEFAULT_ANSWER_DAYS: i64 = 30;

/// Sign a license (armored on stdout or in --out). Flags override a --spec file.
///
/// With --request, the license is node-locked to the requesting machine and
/// the output is the signed activation answer for that request.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The issuer's private key (PKCS#8 PEM, mode 0600).
    #[arg(long, value_name = "FILE")]
    key: PathBuf,
    /// A JSON license specification; flags given here override its fields.
    #[arg(long, value_name = "FILE.json")]
    spec: Option<PathBuf>,
    /// Product code (with --request: defaults to the request's).
    #[arg(long, value_name = "P")]
    product: Option<String>,
    /// Licensee name.
    #[arg(long, value_name = "NAME")]
    licensee: Option<String>,
    /// Licensee e-mail.
    #[arg(long, value_name = "E")]
    email: Option<String>,
    /// Your customer reference.
    #[arg(long, value_name = "R")]
    customer_ref: Option<String>,
    /// Hard expiry (YYYY-MM-DD or RFC 3339).
    #[arg(long, value_name = "DATE")]
    expires: Option<String>,
    /// Soft expiry: still valid, warns "renew soon".
    #[arg(long, value_name = "DATE")]
    soft_expiry: Option<String>,
    /// Not valid before this time.
    #[arg(long, value_name = "DATE")]
    valid_from: Option<String>,
    /// Days still allowed after the hard expiry, with a warning.
    #[arg(long, value_name = "N")]
    grace_days: Option<u32>,
    /// Versions released after this date are not covered.
    #[arg(long, value_name = "DATE")]
    updates_until: Option<String>,
    /// Ask for an online check-in every N days.
    #[arg(long, value_name = "N")]
    check_in_days: Option<u32>,
    /// Keep working offline N days after a missed check-in.
    #[arg(long, value_name = "N")]
    max_offline_days: Option<u32>,
    /// Node-lock to this machine fingerprint; repeat for several.
    #[arg(
        long = "machine",
        value_name = "FINGERPRINT",
        conflicts_with = "request"
    )]
    machines: Vec<String>,
    /// How a node-locked machine's components must match.
    #[arg(long, value_name = "RULE", value_parser = ["all", "most", "two", "any"])]
    match_rule: Option<String>,
    /// Floating license for at most N machines at once.
    #[arg(long, value_name = "N")]
    floating: Option<u32>,
    /// Named-user license for this user.
    #[arg(long, value_name = "NAME")]
    user: Option<String>,
    /// Grant a feature; repeat for several.
    #[arg(long = "feature", value_name = "CODE[=COUNT][@DATE]")]
    features: Vec<String>,
    /// A consumable quota the back office counts; repeat for several.
    #[arg(long = "meter", value_name = "NAME=QUOTA/PERIOD")]
    meters: Vec<String>,
    /// Vendor metadata; repeat for several.
    #[arg(long = "metadata", value_name = "KEY=VALUE", value_parser = common::key_value)]
    metadata: Vec<(String, String)>,
    /// Seats granted.
    #[arg(long, value_name = "N")]
    seats: Option<u32>,
    /// Refuse to run in a virtual machine (rule 111 in the verdict).
    #[arg(long)]
    no_virtual_machines: bool,
    /// Refuse to run in a container (rule 112 in the verdict).
    #[arg(long)]
    no_containers: bool,
    /// A trial license (needs --expires).
    #[arg(long)]
    trial: bool,
    /// A temporary license standing in for this license id (needs --expires).
    #[arg(long, value_name = "ID")]
    temporary_for: Option<String>,
    /// An offline activation request to answer.
    #[arg(long, value_name = "FILE")]
    request: Option<PathBuf>,
    /// With --request: the answer is refused from this time on [default: 30 days after issue].
    #[arg(long, value_name = "DATE", requires = "request", value_parser = Timestamp::parse)]
    not_after: Option<Timestamp>,
    /// Write the compact one-line form instead of the armor.
    #[arg(long)]
    compact: bool,
    /// Write to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

impl Args {
    /// The specification the flags give; unset flags stay `None`.
    fn flags(&self) -> LicenseSpec {
        let some_vec = |v: &Vec<String>| (!v.is_empty()).then(|| v.clone());
        LicenseSpec {
            product: self.product.clone(),
            licensee: self.licensee.clone(),
            email: self.email.clone(),
            customer_ref: self.customer_ref.clone(),
            trial: self.trial.then_some(true),
            temporary_for: self.temporary_for.clone(),
            machines: some_vec(&self.machines),
            match_rule: self.match_rule.clone(),
            floating: self.floating,
            user: self.user.clone(),
            seats: self.seats,
            features: some_vec(&self.features),
            metadata: (!self.metadata.is_empty())
                .then(|| self.metadata.iter().cloned().collect::<BTreeMap<_, _>>()),
            valid_from: self.valid_from.clone(),
            soft_expiry: self.soft_expiry.clone(),
            expires: self.expires.clone(),
            grace_days: self.grace_days,
            updates_until: self.updates_until.clone(),
            check_in_days: self.check_in_days,
            max_offline_days: self.max_offline_days,
            virtual_machines: self.no_virtual_machines.then_some(false),
            containers: self.no_containers.then_some(false),
            meters: some_vec(&self.meters),
            ..LicenseSpec::default()
        }
    }
}

/// Runs the command.
pub fn run(args: Args) -> Result<ExitCode> {
    let issuer = Issuer::new(SigningKey::load(&args.key)?);
    let file = match &args.spec {
        Some(path) => {
            LicenseSpec::from_json(&common::read_text(path, "specification", MAX_SPEC_LEN)?)?
        }
        None => LicenseSpec::default(),
    };
    let mut spec = file.overridden_by(args.flags());

    let envelope = match &args.request {
        None => issuer.issue(&spec.to_body()?)?,
        Some(path) => {
            let request = ActivationRequest::parse(&common::read_document(path)?)?;
            // The request names the machine, and the product and license id
            // unless the specification already does.
            spec.product.get_or_insert_with(|| request.product.clone());
            spec.machines = Some(vec![request.fingerprint.to_string()]);
            if let (LicenseRef::Id(id), None) = (&request.license, &spec.id) {
                spec.id = Some(id.to_string());
            }
            let body = spec.to_body()?;
            let not_after = args
                .not_after
                .unwrap_or_else(|| body.issued_at.add_days(DEFAULT_ANSWER_DAYS));
            issuer.answer_activation(&request, &body, not_after)?
        }
    };
    let text = if args.compact {
        envelope.to_compact()
    } else {
        envelope.to_armor()
    };
    common::emit(args.out.as_deref(), &text)
}
