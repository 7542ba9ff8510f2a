//! The verdict: a verified license checked against the here and now.
//!
//! [`License::check`] is pure: time, machine and lists all come in through
//! the [`Context`]. It evaluates every rule and reports each that failed or
//! warned, with a stable numeric code and a message a user can act on. The
//! application decides whether a warning blocks.

use core::fmt;

use crate::catalogue::{ProductRelease, ReleaseCatalogue};
use crate::environment::{Environment, EnvironmentKind};
use crate::license::{Binding, LicenseBody};
use crate::machine::{Fingerprint, MatchRule};
use crate::revocation::{ReleaseKind, RevocationList};
use crate::time::Timestamp;
use crate::verify::License;

/// Default tolerance for clock comparisons: 10 minutes.
pub const DEFAULT_CLOCK_TOLERANCE_SECS: u32 = 600;

/// Everything the check needs to know about the running product.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The current time (never read inside the check).
    pub now: Timestamp,
    /// The product code of the running application.
    pub product: &'a str,
    /// This machine, for node-locked licenses.
    pub machine: Option<&'a Fingerprint>,
    /// The current user, for named-user licenses.
    pub user: Option<&'a str>,
    /// The release date of the running version, for updates-until.
    pub release_date: Option<Timestamp>,
    /// The newest revocation list held.
    pub revocations: Option<&'a RevocationList>,
    /// A time known to have passed (a clock behind it is rolled back); a
    /// guarded check (`License::check_guarded`, feature `std`) joins the
    /// clock guard's high-water mark to it.
    pub trusted_time: Option<Timestamp>,
    /// The last successful online check-in, if later than the license's issue.
    pub last_check_in: Option<Timestamp>,
    /// How far behind a known time the clock may be before it counts as rolled back.
    pub clock_tolerance_secs: u32,
    /// Where the product runs, for a licence that refuses virtual machines
    /// or containers. `None`: the check probes this machine itself the
    /// first time a licence asks (feature `std`: [`Environment::this_machine`],
    /// once per process), and never for a licence that restricts nothing.
    pub environment: Option<&'a Environment>,
}

impl<'a> Context<'a> {
    /// A context with only the time and product set.
    pub fn new(now: Timestamp, product: &'a str) -> Context<'a> {
        Context {
            now,
            product,
            machine: None,
            user: None,
            release_date: None,
            revocations: None,
            trusted_time: None,
            last_check_in: None,
            clock_tolerance_secs: DEFAULT_CLOCK_TOLERANCE_SECS,
            environment: None,
        }
    }

    /// Sets where the product runs (an application's own probe, one
    /// under a chroot, a test's).
    ///
    /// ```
    /// use licentia::{Context, Environment, EnvironmentKind, Issuer, LicenseBody, Rule, Signal, SigningKey, Timestamp, Verifier};
    /// let issuer = Issuer::new(SigningKey::generate());
    /// let body = LicenseBody::builder("acme", "Jane").virtual_machines(false).build()?;
    /// let license = Verifier::new([issuer.public_key().clone()]).verify(&issuer.issue(&body)?.to_armor())?;
    /// let guest = Environment::from_signals(vec![Signal::new(EnvironmentKind::VirtualMachine, "dmi.sys_vendor", "QEMU")]);
    /// let report = license.check(&Context::new(Timestamp::now(), "acme").environment(&guest));
    /// assert!(report.has(Rule::VirtualMachineNotAllowed));
    /// assert!(report.findings[0].message.contains("dmi.sys_vendor: QEMU"));
    /// # Ok::<(), licentia::Error>(())
    /// ```
    pub fn environment(mut self, environment: &'a Environment) -> Self {
        self.environment = Some(environment);
        self
    }

    /// Sets this machine.
    pub fn machine(mut self, machine: &'a Fingerprint) -> Self {
        self.machine = Some(machine);
        self
    }
    /// Sets the current user.
    pub fn user(mut self, user: &'a str) -> Self {
        self.user = Some(user);
        self
    }
    /// Sets the running version's release date.
    pub fn release_date(mut self, date: Timestamp) -> Self {
        self.release_date = Some(date);
        self
    }
    /// Sets the running version's release date from its entry in a
    /// verified catalogue ([`ReleaseCatalogue::release`]).
    pub fn release(self, release: &ProductRelease) -> Self {
        self.release_date(release.date)
    }
    /// Sets the revocation list.
    pub fn revocations(mut self, list: &'a RevocationList) -> Self {
        self.revocations = Some(list);
        self
    }
    /// Sets a time known to have passed.
    pub fn trusted_time(mut self, at: Timestamp) -> Self {
        self.trusted_time = Some(at);
        self
    }
    /// Sets the last successful check-in.
    pub fn last_check_in(mut self, at: Timestamp) -> Self {
        self.last_check_in = Some(at);
        self
    }
}

/// Whether a finding denies use or only warns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Severity {
    /// Still valid; tell the user.
    Warning,
    /// Denied.
    Failure,
}

enum_table! {
    /// A rule of the check. The numbers are stable and shared with the C ABI:
    /// 1xx fail, 2xx warn.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
    #[repr(u32)]
    pub enum Rule {
        /// Every rule, in code order.
        pub const ALL;
        /// A stable snake_case name.
        pub fn name(self) -> &'static str;

        /// The license is for another product.
        WrongProduct = 101 => "wrong_product",
        /// The license, its machine, its key or a key that endorsed its key is
        /// on the revocation list.
        Revoked = 102 => "revoked",
        /// The license is not valid yet.
        NotYetValid = 103 => "not_yet_valid",
        /// The clock is behind a time already seen.
        ClockRolledBack = 104 => "clock_rolled_back",
        /// This machine is not the licensed one (or none was given).
        WrongMachine = 105 => "wrong_machine",
        /// This user is not the licensed one (or none was given).
        WrongUser = 106 => "wrong_user",
        /// The running version was released after the license's updates-until.
        VersionNotCovered = 107 => "version_not_covered",
        /// The license expired (and any grace is over).
        Expired = 108 => "expired",
        /// The license missed its check-in and the offline allowance is over.
        CheckInOverdue = 109 => "check_in_overdue",
        /// This machine gave this license back (its activation deactivated,
        /// or this lease returned) after the file was signed, and the
        /// revocation list says so: activate again to use it here.
        MachineReleased = 110 => "machine_released",
        /// The license does not run in a virtual machine, and this looks
        /// like one (the message names the evidence).
        VirtualMachineNotAllowed = 111 => "virtual_machine_not_allowed",
        /// The license does not run in a container, and this looks like
        /// one (the message names the evidence).
        ContainerNotAllowed = 112 => "container_not_allowed",
        /// The soft expiry has passed: renew soon.
        RenewSoon = 201 => "renew_soon",
        /// The license expired but is within its grace period.
        InGrace = 202 => "in_grace",
        /// A check-in is due; the license works offline a while longer.
        CheckInDue = 203 => "check_in_due",
    }
}

impl Rule {
    /// The stable number.
    pub fn code(self) -> u32 {
        self as u32
    }

    /// The rule for a stable number.
    pub fn from_code(code: u32) -> Option<Rule> {
        Rule::ALL.into_iter().find(|r| r.code() == code)
    }

    /// Failure or warning.
    pub fn severity(self) -> Severity {
        if self.code() < 200 {
            Severity::Failure
        } else {
            Severity::Warning
        }
    }
}

/// One rule that failed or warned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The rule.
    pub rule: Rule,
    /// What happened and what to do, in a sentence.
    pub message: String,
    /// How long the license keeps working (grace and check-in warnings).
    pub remaining_secs: Option<i64>,
}

enum_table! {
    /// The overall state.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    #[repr(u32)]
    pub enum State {
        /// Every state, in number order.
        pub const ALL;
        /// A stable snake_case name.
        pub fn name(self) -> &'static str;

        /// Valid, nothing to say.
        Valid = 0 => "valid",
        /// Valid, with warnings.
        ValidWithWarnings = 1 => "valid_with_warnings",
        /// Not valid: at least one rule failed.
        Invalid = 2 => "invalid",
    }
}

/// The verdict: the state, every finding, and the shortest grace still running.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// Valid, valid with warnings, or invalid.
    pub state: State,
    /// Every rule that failed or warned, failures first.
    pub findings: Vec<Finding>,
    /// Seconds left of the shortest grace running (expiry grace, check-in).
    pub grace_remaining_secs: Option<i64>,
}

impl Report {
    /// Whether the license may be used (possibly with warnings).
    pub fn is_valid(&self) -> bool {
        self.state != State::Invalid
    }

    /// Whether `rule` is among the findings.
    pub fn has(&self, rule: Rule) -> bool {
        self.findings.iter().any(|f| f.rule == rule)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.state.name())?;
        for finding in &self.findings {
            let kind = match finding.rule.severity() {
                Severity::Failure => "error",
                Severity::Warning => "warning",
            };
            write!(
                f,
                "\n  {kind} {} ({}): {}",
                finding.rule.code(),
                finding.rule.name(),
                finding.message
            )?;
        }
        Ok(())
    }
}

impl License {
    /// Whether the licence's maintenance covers `release`: it has no
    /// updates-until, or the release is dated at or before it (the rule
    /// [`Rule::VersionNotCovered`] of [`check`](Self::check)).
    pub fn covers_release(&self, release: &ProductRelease) -> bool {
        self.terms
            .updates_until
            .is_none_or(|until| release.date <= until)
    }

    /// The releases of `catalogue` this licence may run, in version order:
    /// those its maintenance covers. A catalogue of another product is
    /// [`Error::WrongProduct`](crate::Error::WrongProduct).
    pub fn runnable_releases<'c>(
        &self,
        catalogue: &'c ReleaseCatalogue,
    ) -> crate::Result<Vec<&'c ProductRelease>> {
        if catalogue.product != self.product {
            return Err(crate::Error::WrongProduct {
                expected: self.product.clone(),
                found: catalogue.product.clone(),
            });
        }
        Ok(catalogue
            .releases
            .iter()
            .filter(|release| self.covers_release(release))
            .collect())
    }

    /// Checks the license against `ctx` and reports every rule that failed or
    /// warned.
    ///
    /// ```
    /// use licentia::{Context, Issuer, LicenseBody, Rule, SigningKey, Timestamp, Verifier};
    /// let issuer = Issuer::new(SigningKey::generate());
    /// let end = Timestamp::parse("2030-01-01").unwrap();
    /// let body = LicenseBody::builder("acme", "Jane").hard_expiry(end).grace_days(7).build().unwrap();
    /// let license = Verifier::new([issuer.public_key().clone()])
    ///     .verify(&issuer.issue(&body).unwrap().to_armor())
    ///     .unwrap();
    /// let report = license.check(&Context::new(end.add_days(1), "acme"));
    /// assert!(report.is_valid() && report.has(Rule::InGrace));
    /// assert_eq!(report.grace_remaining_secs, Some(6 * 86_400));
    /// assert!(!license.check(&Context::new(end.add_days(7), "acme")).is_valid());
    /// ```
    pub fn check(&self, ctx: &Context<'_>) -> Report {
        let mut out = Findings::default();
        let body = self.body();
        let now = ctx.now;

        if body.product != ctx.product {
            out.push(
                Rule::WrongProduct,
                format!(
                    "this license is for '{}', not '{}'",
                    body.product, ctx.product
                ),
            );
        }
        if let Some(list) = ctx.revocations {
            let what = if list.revokes_license(&body.id) {
                Some("this license was revoked")
            } else if list.revokes_key(&self.key_id()) {
                Some("the key that signed this license was revoked")
            } else if self.endorsers().iter().any(|k| list.revokes_key(k)) {
                Some("the key that endorsed this license's signing key was revoked")
            } else if ctx.machine.is_some_and(|m| list.revokes_machine(m)) {
                Some("this machine was revoked")
            } else {
                None
            };
            if let Some(what) = what {
                out.push(Rule::Revoked, format!("{what}; contact the vendor"));
            }
            if let Some(here) = ctx.machine {
                let (kind, words) = if self.is_lease() {
                    (ReleaseKind::LeaseReturned, "returned this lease")
                } else {
                    (ReleaseKind::Deactivated, "was deactivated for this license")
                };
                let rule = match &body.binding {
                    Binding::NodeLocked { rule, .. } => *rule,
                    _ => MatchRule::Most,
                };
                if let Some(release) = list.released(&body.id, kind, body.issued_at, here, rule) {
                    out.push(
                        Rule::MachineReleased,
                        format!(
                            "this machine {words} at {}; this copy no longer holds here: activate this machine again",
                            release.at
                        ),
                    );
                }
            }
        }
        check_clock(body, ctx, &mut out);
        check_binding(body, ctx, &mut out);
        check_environment(body, ctx, &mut out);
        check_terms(body, ctx, &mut out);
        if let Some(check_in) = body.terms.check_in {
            let last = ctx
                .last_check_in
                .map_or(body.issued_at, |t| t.max(body.issued_at));
            let due = last.add_secs(i64::from(check_in.interval_secs));
            let cutoff = due.add_secs(i64::from(check_in.max_offline_secs));
            if now >= cutoff {
                out.push(
                    Rule::CheckInOverdue,
                    format!("no online check-in since {last} (needed by {cutoff}); connect to the internet to refresh"),
                );
            } else if now >= due {
                out.push_grace(
                    Rule::CheckInDue,
                    format!("an online check-in was due at {due}; it keeps working offline until {cutoff}"),
                    cutoff.0 - now.0,
                );
            }
        }
        out.finish()
    }
}

fn check_clock(body: &LicenseBody, ctx: &Context<'_>, out: &mut Findings) {
    let tolerance = i64::from(ctx.clock_tolerance_secs);
    let newest = ctx
        .trusted_time
        .map_or(body.issued_at, |t| t.max(body.issued_at));
    if ctx.now.add_secs(tolerance) < newest {
        out.push(
            Rule::ClockRolledBack,
            format!(
                "the system clock ({}) is behind a time already seen ({newest}); correct the clock",
                ctx.now
            ),
        );
    }
}

fn check_binding(body: &LicenseBody, ctx: &Context<'_>, out: &mut Findings) {
    match &body.binding {
        Binding::Unbound | Binding::Floating { .. } => {}
        Binding::NodeLocked { machines, rule } => match ctx.machine {
            None => out.push(
                Rule::WrongMachine,
                "this license is locked to a machine and no machine fingerprint was supplied".into(),
            ),
            Some(here) if !machines.iter().any(|m| here.matches(m, *rule)) => out.push(
                Rule::WrongMachine,
                "this license is locked to another machine; activate it on this machine or ask for a transfer".into(),
            ),
            Some(_) => {}
        },
        Binding::NamedUser { user } => {
            if ctx.user != Some(user.as_str()) {
                out.push(
                    Rule::WrongUser,
                    format!("this license is assigned to user '{user}'; sign in as that user or reassign it"),
                );
            }
        }
    }
}

fn check_environment(body: &LicenseBody, ctx: &Context<'_>, out: &mut Findings) {
    let terms = body.environment;
    if !terms.restricts() {
        return;
    }
    #[cfg(feature = "std")]
    let seen = Some(
        ctx.environment
            .unwrap_or_else(|| Environment::this_machine()),
    );
    // Without file access the check cannot look: it refuses rather than
    // guess, until the application gives a report.
    #[cfg(not(feature = "std"))]
    let seen = ctx.environment;
    for (kind, rule) in [
        (
            EnvironmentKind::VirtualMachine,
            Rule::VirtualMachineNotAllowed,
        ),
        (EnvironmentKind::Container, Rule::ContainerNotAllowed),
    ] {
        if terms.allows(kind) {
            continue;
        }
        let message = match seen {
            None => format!(
                "this license does not run in a {}, and no environment report was given to tell",
                kind.name()
            ),
            Some(seen) if seen.signals_of(kind).next().is_some() => format!(
                "this license does not run in a {}, and this looks like one ({}); \
                 run it elsewhere or ask the vendor for a license that allows it",
                kind.name(),
                seen.evidence(kind)
            ),
            Some(_) => continue,
        };
        out.push(rule, message);
    }
}

fn check_terms(body: &LicenseBody, ctx: &Context<'_>, out: &mut Findings) {
    let terms = &body.terms;
    let now = ctx.now;
    if let Some(from) = terms.valid_from {
        if now < from {
            out.push(
                Rule::NotYetValid,
                format!("this license is valid from {from}; wait, or check the system clock"),
            );
        }
    }
    if let (Some(until), Some(release)) = (terms.updates_until, ctx.release_date) {
        if !terms.covers_release_date(release) {
            out.push(
                Rule::VersionNotCovered,
                format!(
                    "this version (released {release}) is newer than the license's updates ({until}); \
                     use an earlier version or renew maintenance"
                ),
            );
        }
    }
    let expired = match terms.hard_expiry {
        Some(hard) if now >= hard => {
            let end = hard.add_secs(i64::from(terms.grace_secs.unwrap_or(0)));
            if now < end {
                out.push_grace(
                    Rule::InGrace,
                    format!(
                        "this license expired at {hard}; it keeps working until {end}: renew now"
                    ),
                    end.0 - now.0,
                );
            } else {
                out.push(
                    Rule::Expired,
                    format!("this license expired at {hard}; renew it"),
                );
            }
            true
        }
        _ => false,
    };
    if let Some(soft) = terms.soft_expiry {
        if now >= soft && !expired {
            let when = terms
                .hard_expiry
                .map_or(String::new(), |h| format!(" (it expires at {h})"));
            out.push(Rule::RenewSoon, format!("renew this license soon{when}"));
        }
    }
}

#[derive(Default)]
struct Findings {
    list: Vec<Finding>,
    grace: Option<i64>,
}

impl Findings {
    fn push(&mut self, rule: Rule, message: String) {
        self.list.push(Finding {
            rule,
            message,
            remaining_secs: None,
        });
    }

    fn push_grace(&mut self, rule: Rule, message: String, remaining: i64) {
        self.grace = Some(self.grace.map_or(remaining, |g| g.min(remaining)));
        self.list.push(Finding {
            rule,
            message,
            remaining_secs: Some(remaining),
        });
    }

    fn finish(mut self) -> Report {
        self.list.sort_by_key(|f| f.rule);
        let state = if self
            .list
            .iter()
            .any(|f| f.rule.severity() == Severity::Failure)
        {
            State::Invalid
        } else if self.list.is_empty() {
            State::Valid
        } else {
            State::ValidWithWarnings
        };
        Report {
            state,
            findings: self.list,
            grace_remaining_secs: self.grace,
        }
    }
}
