//! What a license says: plain data, and a builder that refuses nonsense.
//!
//! The field order of every type here is the postcard encoding of format v1:
//! changing it means a new format version. Format v2 is the v1 body followed
//! by the [`EnvironmentTerms`]; a licence that allows both virtual machines
//! and containers is always written as v1, byte for byte as before the term
//! existed, so every product reads it; one that refuses either is v2, which
//! an older library refuses by its version rather than misreading it.

use core::fmt;

use crate::environment::EnvironmentTerms;
use crate::machine::{Fingerprint, MatchRule};
use crate::meter::{validate_meters, Meter};
use crate::signed::SignedBody;
use crate::time::{Timestamp, DAY};
use crate::{hex, Error, Result};

/// Longest product code, feature code, metadata key or user name.
pub const MAX_CODE_LEN: usize = 64;
/// Longest free-text field of a license, in bytes: the licensee's name,
/// e-mail and customer reference, and each metadata value.
///
/// ```
/// use licentia::license::MAX_FIELD_LEN;
/// use licentia::LicenseBody;
/// assert!(LicenseBody::builder("acme", &"J".repeat(MAX_FIELD_LEN)).build().is_ok());
/// assert!(LicenseBody::builder("acme", &"J".repeat(MAX_FIELD_LEN + 1)).build().is_err());
/// ```
pub const MAX_FIELD_LEN: usize = 256;

/// The old name of [`MAX_FIELD_LEN`], easily taken for the limit of a whole
/// armored document, [`format::MAX_TEXT_LEN`](crate::format::MAX_TEXT_LEN).
#[deprecated(
    note = "renamed `licentia::license::MAX_FIELD_LEN` (one text field of a license); \
            the limit of a whole document's text is `licentia::format::MAX_TEXT_LEN`"
)]
pub const MAX_TEXT_LEN: usize = MAX_FIELD_LEN;

/// A random 128-bit license id.
#[derive(
    Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct LicenseId(pub [u8; 16]);

impl LicenseId {
    /// A fresh random id.
    pub fn random() -> LicenseId {
        LicenseId(rand::random())
    }

    /// Parses 32 hex digits.
    pub fn parse(text: &str) -> Result<LicenseId> {
        hex::decode_array(text.trim(), "license id").map(LicenseId)
    }
}

impl fmt::Display for LicenseId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(&self.0))
    }
}

impl fmt::Debug for LicenseId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LicenseId({self})")
    }
}

/// Who the license is for.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Licensee {
    /// Person or organisation.
    pub name: String,
    /// Contact e-mail.
    pub email: Option<String>,
    /// The vendor's customer reference.
    pub customer_ref: Option<String>,
}

/// What sort of license this is.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum LicenseKind {
    /// A regular license.
    #[default]
    Standard,
    /// An evaluation license; must expire.
    Trial,
    /// A short license for a replacement machine; names the license it stands in for.
    Temporary {
        /// The license this one temporarily replaces.
        replaces: LicenseId,
    },
}

impl LicenseKind {
    /// A short name for reports and the C ABI.
    pub fn name(&self) -> &'static str {
        match self {
            LicenseKind::Standard => "standard",
            LicenseKind::Trial => "trial",
            LicenseKind::Temporary { .. } => "temporary",
        }
    }
}

/// Where the license may run.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum Binding {
    /// Anywhere.
    #[default]
    Unbound,
    /// On any of these machines, matched by `rule`.
    NodeLocked {
        /// The licensed machines.
        machines: Vec<Fingerprint>,
        /// How many components must match.
        rule: MatchRule,
    },
    /// On at most `max_machines` at once; the back office counts them with leases.
    Floating {
        /// The cap.
        max_machines: u32,
    },
    /// For one named user.
    NamedUser {
        /// The user's name or id.
        user: String,
    },
}

impl Binding {
    /// A short name for reports and the C ABI.
    pub fn name(&self) -> &'static str {
        self.kind().name()
    }

    /// Which kind of binding this is, without its machines, cap or user.
    pub fn kind(&self) -> BindingKind {
        match self {
            Binding::Unbound => BindingKind::Unbound,
            Binding::NodeLocked { .. } => BindingKind::NodeLocked,
            Binding::Floating { .. } => BindingKind::Floating,
            Binding::NamedUser { .. } => BindingKind::NamedUser,
        }
    }
}

/// The kind of a [`Binding`], as a template names it before any machine,
/// cap or user is known (a back office's policy, for instance).
///
/// ```
/// use licentia::{Binding, BindingKind};
/// let kind = BindingKind::parse("node-locked")?;
/// assert_eq!(kind.name(), "node-locked");
/// assert_eq!(Binding::Floating { max_machines: 5 }.kind(), BindingKind::Floating);
/// assert!(BindingKind::parse("anywhere").is_err());
/// # Ok::<(), licentia::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum BindingKind {
    /// Anywhere.
    #[default]
    Unbound,
    /// On given machines.
    NodeLocked,
    /// On a capped number of machines at once.
    Floating,
    /// For one named user.
    NamedUser,
}

impl BindingKind {
    /// Every kind, in order.
    pub const ALL: [BindingKind; 4] = [
        BindingKind::Unbound,
        BindingKind::NodeLocked,
        BindingKind::Floating,
        BindingKind::NamedUser,
    ];

    /// Its name: `unbound`, `node-locked`, `floating` or `named-user`.
    pub fn name(self) -> &'static str {
        match self {
            BindingKind::Unbound => "unbound",
            BindingKind::NodeLocked => "node-locked",
            BindingKind::Floating => "floating",
            BindingKind::NamedUser => "named-user",
        }
    }

    /// Parses a name that [`BindingKind::name`] gives.
    pub fn parse(text: &str) -> Result<BindingKind> {
        BindingKind::ALL
            .into_iter()
            .find(|kind| kind.name() == text)
            .ok_or_else(|| {
                Error::InvalidArgument(format!(
                    "binding '{text}': expected unbound, node-locked, floating or named-user"
                ))
            })
    }
}

/// A feature the license grants.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Entitlement {
    /// The feature code.
    pub code: String,
    /// How many (users, projects, cores...), if counted.
    pub count: Option<u32>,
    /// When this feature alone stops, if before the license does.
    pub expires: Option<Timestamp>,
}

impl Entitlement {
    /// An uncounted, unexpiring feature.
    pub fn new(code: impl Into<String>) -> Entitlement {
        Entitlement {
            code: code.into(),
            count: None,
            expires: None,
        }
    }

    /// Parses `CODE[=COUNT][@DATE]`, the command line's `--feature` form.
    ///
    /// ```
    /// let e = licentia::Entitlement::parse("seats=5@2027-01-01").unwrap();
    /// assert_eq!((e.code.as_str(), e.count), ("seats", Some(5)));
    /// assert!(e.expires.is_some());
    /// ```
    pub fn parse(text: &str) -> Result<Entitlement> {
        let (rest, expires) = match text.split_once('@') {
            Some((rest, date)) => (rest, Some(Timestamp::parse(date)?)),
            None => (text, None),
        };
        let (code, count) = match rest.split_once('=') {
            Some((code, n)) => (
                code,
                Some(n.parse().map_err(|_| {
                    Error::InvalidArgument(format!("feature count '{n}' is not a number"))
                })?),
            ),
            None => (rest, None),
        };
        Ok(Entitlement {
            code: code.to_owned(),
            count,
            expires,
        })
    }

    /// Checks the feature code (the rules a license body applies to each entitlement).
    pub fn validate(&self) -> Result<()> {
        check_code("feature code", &self.code)
    }

    /// Whether the feature is in force at `now`.
    pub fn active_at(&self, now: Timestamp) -> bool {
        self.expires.is_none_or(|end| now < end)
    }
}

/// The online check-in a lease-style license asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CheckIn {
    /// Check in at least this often (seconds) after the last check-in.
    pub interval_secs: u32,
    /// After a missed check-in, keep working offline this long (seconds).
    pub max_offline_secs: u32,
}

/// The signed time terms; each is optional.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Terms {
    /// Not valid before this time.
    pub valid_from: Option<Timestamp>,
    /// From this time on, still valid but warn: "renew soon".
    pub soft_expiry: Option<Timestamp>,
    /// From this time on, denied — unless a grace applies.
    pub hard_expiry: Option<Timestamp>,
    /// Seconds after the hard expiry still allowed, with a warning.
    pub grace_secs: Option<u32>,
    /// Versions released after this time are not covered.
    pub updates_until: Option<Timestamp>,
    /// Online check-in terms.
    pub check_in: Option<CheckIn>,
}

impl Terms {
    /// Whether the maintenance covers a version released at `date`: no
    /// updates-until, or `date` at or before it.
    pub fn covers_release_date(&self, date: Timestamp) -> bool {
        self.updates_until.is_none_or(|until| date <= until)
    }
}

/// Everything a license says. Plain data: the issuer signs it, the verifier
/// returns it inside a [`License`](crate::License).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LicenseBody {
    /// Random 128-bit id.
    pub id: LicenseId,
    /// The product code the license is for.
    pub product: String,
    /// Who holds it.
    pub licensee: Licensee,
    /// When it was signed.
    pub issued_at: Timestamp,
    /// Standard, trial or temporary.
    pub kind: LicenseKind,
    /// Where it may run.
    pub binding: Binding,
    /// Seats granted (informational offline; the back office counts them).
    pub seats: u32,
    /// Features granted, sorted by code.
    pub entitlements: Vec<Entitlement>,
    /// The vendor's own key/value data, sorted by key.
    pub metadata: Vec<(String, String)>,
    /// The time terms.
    pub terms: Terms,
    /// Whether it runs in a virtual machine, in a container. Not part of
    /// the v1 encoding: format v2 carries it after the body
    /// ([`LicenseBody::format_version`]).
    #[serde(skip)]
    pub environment: EnvironmentTerms,
    /// Consumable quotas, sorted by name. Not part of the v1 or v2
    /// encodings: format v3 carries them ([`LicenseBody::format_version`]).
    #[serde(skip)]
    pub meters: Vec<Meter>,
}

impl SignedBody for LicenseBody {
    fn issued_at(&self) -> Timestamp {
        self.issued_at
    }
}

/// The encoding of a format v2 licence: the v1 body, then the environment
/// terms (postcard writes a tuple as its fields one after the other).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct LicenseBodyV2(LicenseBody, EnvironmentTerms);

impl LicenseBodyV2 {
    /// The v2 layout of `body`.
    pub(crate) fn of(body: &LicenseBody) -> LicenseBodyV2 {
        // The first half is the v1 body, which has no environment: as decoded.
        let v1 = LicenseBody {
            environment: EnvironmentTerms::ALLOW_ALL,
            ..body.clone()
        };
        LicenseBodyV2(v1, body.environment)
    }

    /// The body it carries, or `MalformedBody` when the terms restrict
    /// nothing: such a licence is written as v1 (one encoding per value).
    pub(crate) fn into_body(self) -> Result<LicenseBody> {
        if !self.1.restricts() {
            return Err(Error::MalformedBody);
        }
        Ok(LicenseBody {
            environment: self.1,
            ..self.0
        })
    }
}

impl SignedBody for LicenseBodyV2 {
    fn issued_at(&self) -> Timestamp {
        self.0.issued_at
    }
}

impl LicenseBody {
    /// Starts a license for `product`, held by `licensee`.
    ///
    /// ```
    /// use licentia::{LicenseBody, Timestamp};
    /// let body = LicenseBody::builder("acme-cad", "Jane Doe")
    ///     .hard_expiry(Timestamp::parse("2027-01-01").unwrap())
    ///     .soft_expiry(Timestamp::parse("2027-06-01").unwrap())
    ///     .build();
    /// assert!(body.unwrap_err().to_string().contains("soft expiry"));
    /// ```
    pub fn builder(product: impl Into<String>, licensee: impl Into<String>) -> LicenseBuilder {
        LicenseBuilder {
            body: LicenseBody {
                id: LicenseId::random(),
                product: product.into(),
                licensee: Licensee {
                    name: licensee.into(),
                    ..Licensee::default()
                },
                issued_at: Timestamp(i64::MIN),
                kind: LicenseKind::Standard,
                binding: Binding::Unbound,
                seats: 1,
                entitlements: Vec::new(),
                metadata: Vec::new(),
                terms: Terms::default(),
                environment: EnvironmentTerms::ALLOW_ALL,
                meters: Vec::new(),
            },
        }
    }

    /// The format version this body is written in: 1 when it allows both
    /// virtual machines and containers (readable by every library), 2 when
    /// it refuses either, 3 when it carries meters.
    ///
    /// ```
    /// use licentia::LicenseBody;
    /// let body = LicenseBody::builder("acme", "Jane").build()?;
    /// assert_eq!(body.format_version(), 1);
    /// let body = LicenseBody::builder("acme", "Jane").virtual_machines(false).build()?;
    /// assert_eq!(body.format_version(), 2);
    /// # Ok::<(), licentia::Error>(())
    /// ```
    pub fn format_version(&self) -> u8 {
        if !self.meters.is_empty() {
            3
        } else if self.environment.restricts() {
            2
        } else {
            1
        }
    }

    /// The entitlement `code`, if granted and in force at `now`.
    pub fn entitlement(&self, code: &str, now: Timestamp) -> Option<&Entitlement> {
        self.entitlements
            .binary_search_by(|e| e.code.as_str().cmp(code))
            .ok()
            .map(|i| &self.entitlements[i])
            .filter(|e| e.active_at(now))
    }

    /// The meter `name`, if the licence carries it.
    pub fn meter(&self, name: &str) -> Option<&Meter> {
        self.meters
            .binary_search_by(|m| m.name.as_str().cmp(name))
            .ok()
            .map(|i| &self.meters[i])
    }

    /// Whether feature `code` is granted and in force at `now`.
    pub fn has_feature(&self, code: &str, now: Timestamp) -> bool {
        self.entitlement(code, now).is_some()
    }

    /// The vendor metadata value for `key`.
    pub fn metadata(&self, key: &str) -> Option<&str> {
        self.metadata
            .binary_search_by(|(k, _)| k.as_str().cmp(key))
            .ok()
            .map(|i| self.metadata[i].1.as_str())
    }

    /// Checks every rule the builder enforces; the issuer calls it too.
    pub fn validate(&self) -> Result<()> {
        let bad = |m: String| Err(Error::InvalidSpec(m));
        check_code("product", &self.product)?;
        check_text("licensee name", &self.licensee.name, false)?;
        if let Some(email) = &self.licensee.email {
            check_text("e-mail", email, false)?;
            if !email.contains('@') {
                return bad(format!("e-mail '{email}' has no '@'"));
            }
        }
        if let Some(r) = &self.licensee.customer_ref {
            check_text("customer reference", r, false)?;
        }
        if self.seats == 0 {
            return bad("seats must be at least 1".into());
        }
        match &self.binding {
            Binding::Unbound => {}
            Binding::NodeLocked { machines, .. } => {
                if machines.is_empty() {
                    return bad("a node-locked license needs at least one machine".into());
                }
                if machines.iter().any(|m| m.components.is_empty()) {
                    return bad("a licensed machine needs at least one component".into());
                }
                if machines
                    .iter()
                    .any(|m| m.distinct().count() != m.components.len())
                {
                    return bad("a licensed machine lists a component twice".into());
                }
            }
            Binding::Floating { max_machines } => {
                if *max_machines == 0 {
                    return bad("a floating license needs a machine cap of at least 1".into());
                }
            }
            Binding::NamedUser { user } => check_code("user", user)?,
        }
        for pair in self.entitlements.windows(2) {
            if pair[0].code >= pair[1].code {
                return bad(format!(
                    "entitlements must be unique and sorted by code ('{}' then '{}')",
                    pair[0].code, pair[1].code
                ));
            }
        }
        for e in &self.entitlements {
            e.validate()?;
        }
        for pair in self.metadata.windows(2) {
            if pair[0].0 >= pair[1].0 {
                return bad(format!(
                    "metadata keys must be unique and sorted ('{}')",
                    pair[1].0
                ));
            }
        }
        for (k, v) in &self.metadata {
            check_code("metadata key", k)?;
            check_text("metadata value", v, true)?;
        }
        validate_meters(&self.meters)?;
        self.validate_terms()
    }

    fn validate_terms(&self) -> Result<()> {
        let t = &self.terms;
        let bad = |m: &str| Err(Error::InvalidSpec(m.into()));
        if let (Some(soft), Some(hard)) = (t.soft_expiry, t.hard_expiry) {
            if soft >= hard {
                return bad("the soft expiry must come before the hard expiry");
            }
        }
        if let Some(from) = t.valid_from {
            if t.hard_expiry.is_some_and(|hard| hard <= from) {
                return bad("the hard expiry must come after valid-from");
            }
            if t.soft_expiry.is_some_and(|soft| soft < from) {
                return bad("the soft expiry must not come before valid-from");
            }
        }
        if t.grace_secs.is_some() && t.hard_expiry.is_none() {
            return bad("a grace period needs a hard expiry");
        }
        if let Some(c) = t.check_in {
            if c.interval_secs == 0 {
                return bad("the check-in interval must be at least one second");
            }
        }
        if !matches!(self.kind, LicenseKind::Standard) && t.hard_expiry.is_none() {
            return bad("trial and temporary licenses need a hard expiry");
        }
        if let LicenseKind::Temporary { replaces } = self.kind {
            if replaces == self.id {
                return bad("a temporary license cannot replace itself");
            }
        }
        Ok(())
    }
}

pub(crate) fn check_code(what: &str, code: &str) -> Result<()> {
    let ok = !code.is_empty()
        && code.len() <= MAX_CODE_LEN
        && code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:/".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidSpec(format!(
            "{what} '{code}' must be 1 to {MAX_CODE_LEN} characters of a-z, A-Z, 0-9 and - _ . : /"
        )))
    }
}

pub(crate) fn check_text(what: &str, text: &str, may_be_empty: bool) -> Result<()> {
    if (!may_be_empty && text.trim().is_empty())
        || text.len() > MAX_FIELD_LEN
        || text.chars().any(char::is_control)
    {
        return Err(Error::InvalidSpec(format!(
            "{what} must be {}up to {MAX_FIELD_LEN} bytes without control characters",
            if may_be_empty { "" } else { "non-empty, " }
        )));
    }
    Ok(())
}

/// Builds a [`LicenseBody`], refusing inconsistent terms in [`build`](Self::build).
#[derive(Debug, Clone)]
#[must_use]
pub struct LicenseBuilder {
    body: LicenseBody,
}

impl LicenseBuilder {
    /// Sets the id (default: random). For test vectors and re-issues.
    pub fn id(mut self, id: LicenseId) -> Self {
        self.body.id = id;
        self
    }
    /// Sets the licensee's e-mail.
    pub fn email(mut self, email: impl Into<String>) -> Self {
        self.body.licensee.email = Some(email.into());
        self
    }
    /// Sets the vendor's customer reference.
    pub fn customer_ref(mut self, reference: impl Into<String>) -> Self {
        self.body.licensee.customer_ref = Some(reference.into());
        self
    }
    /// Sets the issue time (default: now, read when built).
    pub fn issued_at(mut self, at: Timestamp) -> Self {
        self.body.issued_at = at;
        self
    }
    /// Makes it a trial.
    pub fn trial(mut self) -> Self {
        self.body.kind = LicenseKind::Trial;
        self
    }
    /// Makes it a temporary license standing in for `replaces`.
    pub fn temporary(mut self, replaces: LicenseId) -> Self {
        self.body.kind = LicenseKind::Temporary { replaces };
        self
    }
    /// Sets the binding.
    pub fn binding(mut self, binding: Binding) -> Self {
        self.body.binding = binding;
        self
    }
    /// Locks to one or more machines under `rule`.
    pub fn node_locked(self, machines: Vec<Fingerprint>, rule: MatchRule) -> Self {
        self.binding(Binding::NodeLocked { machines, rule })
    }
    /// Sets the seat count.
    pub fn seats(mut self, seats: u32) -> Self {
        self.body.seats = seats;
        self
    }
    /// Grants a feature (kept sorted; a second grant of the same code replaces the first).
    pub fn entitlement(mut self, entitlement: Entitlement) -> Self {
        let list = &mut self.body.entitlements;
        match list.binary_search_by(|e| e.code.cmp(&entitlement.code)) {
            Ok(i) => list[i] = entitlement,
            Err(i) => list.insert(i, entitlement),
        }
        self
    }
    /// Grants an uncounted, unexpiring feature.
    pub fn feature(self, code: impl Into<String>) -> Self {
        self.entitlement(Entitlement::new(code))
    }
    /// Adds vendor metadata (kept sorted; a repeated key replaces the value).
    pub fn metadata(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        let (key, value) = (key.into(), value.into());
        let list = &mut self.body.metadata;
        match list.binary_search_by(|(k, _)| k.cmp(&key)) {
            Ok(i) => list[i].1 = value,
            Err(i) => list.insert(i, (key, value)),
        }
        self
    }
    /// Not valid before `at`.
    pub fn valid_from(mut self, at: Timestamp) -> Self {
        self.body.terms.valid_from = Some(at);
        self
    }
    /// Warn "renew soon" from `at`.
    pub fn soft_expiry(mut self, at: Timestamp) -> Self {
        self.body.terms.soft_expiry = Some(at);
        self
    }
    /// Deny from `at` (unless a grace applies).
    pub fn hard_expiry(mut self, at: Timestamp) -> Self {
        self.body.terms.hard_expiry = Some(at);
        self
    }
    /// Allow `days` past the hard expiry, with a warning.
    pub fn grace_days(self, days: u32) -> Self {
        self.grace_secs(days.saturating_mul(DAY as u32))
    }
    /// Allow `secs` past the hard expiry, with a warning.
    pub fn grace_secs(mut self, secs: u32) -> Self {
        self.body.terms.grace_secs = Some(secs);
        self
    }
    /// Versions released after `at` are not covered.
    pub fn updates_until(mut self, at: Timestamp) -> Self {
        self.body.terms.updates_until = Some(at);
        self
    }
    /// Ask for an online check-in every `interval_days`, working offline
    /// `max_offline_days` more after a missed one.
    pub fn check_in_days(mut self, interval_days: u32, max_offline_days: u32) -> Self {
        let day = DAY as u32;
        self.body.terms.check_in = Some(CheckIn {
            interval_secs: interval_days.saturating_mul(day),
            max_offline_secs: max_offline_days.saturating_mul(day),
        });
        self
    }
    /// Sets every time term at once.
    pub fn terms(mut self, terms: Terms) -> Self {
        self.body.terms = terms;
        self
    }
    /// Whether it may run in a virtual machine (default: yes).
    pub fn virtual_machines(mut self, allowed: bool) -> Self {
        self.body.environment.virtual_machines = allowed;
        self
    }
    /// Whether it may run in a container (default: yes).
    pub fn containers(mut self, allowed: bool) -> Self {
        self.body.environment.containers = allowed;
        self
    }
    /// Sets both environment terms at once.
    pub fn environment(mut self, terms: EnvironmentTerms) -> Self {
        self.body.environment = terms;
        self
    }
    /// Adds a consumable quota (kept sorted by name; a second meter of
    /// the same name replaces the first).
    pub fn meter(mut self, meter: Meter) -> Self {
        match self
            .body
            .meters
            .binary_search_by(|m| m.name.cmp(&meter.name))
        {
            Ok(i) => self.body.meters[i] = meter,
            Err(i) => self.body.meters.insert(i, meter),
        }
        self
    }

    /// The validated body.
    pub fn build(mut self) -> Result<LicenseBody> {
        if self.body.issued_at == Timestamp(i64::MIN) {
            self.body.issued_at = Timestamp::now();
        }
        self.body.validate()?;
        Ok(self.body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: i64) -> Timestamp {
        Timestamp(1_800_000_000 + s)
    }

    fn builder() -> LicenseBuilder {
        LicenseBody::builder("acme", "Jane").issued_at(t(0))
    }

    #[test]
    fn inconsistent_terms_are_refused_with_a_reason() {
        let cases: Vec<(LicenseBuilder, &str)> = vec![
            (
                builder().soft_expiry(t(10)).hard_expiry(t(10)),
                "soft expiry",
            ),
            (
                builder().valid_from(t(10)).hard_expiry(t(5)),
                "after valid-from",
            ),
            (
                builder().valid_from(t(10)).soft_expiry(t(5)),
                "before valid-from",
            ),
            (builder().grace_days(3), "needs a hard expiry"),
            (builder().trial(), "trial and temporary"),
            (builder().seats(0), "seats"),
            (
                builder().node_locked(vec![], MatchRule::All),
                "at least one machine",
            ),
            (
                builder().binding(Binding::Floating { max_machines: 0 }),
                "machine cap",
            ),
            (LicenseBody::builder("", "Jane").issued_at(t(0)), "product"),
            (
                LicenseBody::builder("acme", " ").issued_at(t(0)),
                "licensee",
            ),
            (builder().email("nope"), "'@'"),
            (builder().feature("bad code"), "feature code"),
            (builder().metadata("k", "line\nbreak"), "metadata value"),
            (builder().check_in_days(0, 1), "check-in interval"),
        ];
        for (b, needle) in cases {
            let err = b.build().unwrap_err().to_string();
            assert!(err.contains(needle), "{err:?} should mention {needle:?}");
        }
    }

    #[test]
    fn entitlements_and_metadata_are_sorted_and_queried_by_time() {
        let body = builder()
            .feature("zeta")
            .entitlement(Entitlement::parse("alpha=3@2027-01-01").unwrap())
            .feature("zeta")
            .metadata("tier", "gold")
            .metadata("region", "eu")
            .build()
            .unwrap();
        let codes: Vec<_> = body.entitlements.iter().map(|e| e.code.as_str()).collect();
        assert_eq!(codes, ["alpha", "zeta"]);
        let end = Timestamp::parse("2027-01-01").unwrap();
        assert_eq!(
            body.entitlement("alpha", end.add_secs(-1)).unwrap().count,
            Some(3)
        );
        assert!(!body.has_feature("alpha", end));
        assert!(body.has_feature("zeta", end));
        assert!(!body.has_feature("gamma", end));
        assert_eq!(body.metadata("region"), Some("eu"));
        assert_eq!(body.metadata("nope"), None);
    }

    #[test]
    fn feature_syntax_errors() {
        assert!(Entitlement::parse("x=abc").is_err());
        assert!(Entitlement::parse("x@never").is_err());
        assert_eq!(Entitlement::parse("x").unwrap(), Entitlement::new("x"));
    }
}
