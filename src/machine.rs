//! Machine fingerprints: per-product component hashes and the match rule.
//!
//! A machine is a set of **components**. Each component's hash is
//! `HMAC-SHA256(key = raw value, message = "licentia machine component\0" ||
//! product || "\0" || component name)`, truncated to 16 bytes — the same idea
//! as systemd's application-specific machine ids. Raw values never leave the
//! machine, and two products' fingerprints of one machine do not correlate.
//!
//! Sources, in order: on Linux `/etc/machine-id` then
//! `/var/lib/dbus/machine-id`; on macOS the `IOPlatformUUID` (from `ioreg`);
//! on Windows `HKLM\SOFTWARE\Microsoft\Cryptography\MachineGuid` (from
//! `reg query`). The hostname is an optional second component.
//!
//! What changes it: a cloned VM or disk image keeps the machine id, so clones
//! look identical (the back office's check-in and seat counts catch those); a
//! container sees its image's machine id or none at all, so containers should
//! pass their own component ([`FingerprintBuilder::vendor`]) — for example the
//! Kubernetes pod's service-account identity or a volume-persisted UUID.
//! Reinstalling the OS changes the machine id.

use core::fmt;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::{hex, Error, Result};

/// Bytes kept of each component's HMAC.
pub const COMPONENT_HASH_LEN: usize = 16;

/// Most components one fingerprint may carry.
pub const MAX_COMPONENTS: usize = 8;

const COMPONENT_TAG: &[u8] = b"licentia machine component\0";

/// Where a component's raw value came from.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[repr(u8)]
pub enum ComponentKind {
    /// The operating system's machine id.
    MachineId = 1,
    /// The host name.
    Hostname = 2,
    /// A value the application supplies (containers, dongles, cloud ids).
    Vendor = 3,
}

impl ComponentKind {
    fn from_u8(byte: u8) -> Result<ComponentKind> {
        match byte {
            1 => Ok(ComponentKind::MachineId),
            2 => Ok(ComponentKind::Hostname),
            3 => Ok(ComponentKind::Vendor),
            other => Err(Error::Fingerprint(format!(
                "unknown component kind {other}"
            ))),
        }
    }

    /// A short name for reports.
    pub fn name(self) -> &'static str {
        match self {
            ComponentKind::MachineId => "machine-id",
            ComponentKind::Hostname => "hostname",
            ComponentKind::Vendor => "vendor",
        }
    }
}

/// One hashed component of a machine.
#[derive(
    Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct Component {
    /// Where the value came from.
    pub kind: ComponentKind,
    /// The truncated HMAC of the raw value.
    pub hash: [u8; COMPONENT_HASH_LEN],
}

impl Component {
    /// Hashes a raw value for `product` under the component `name`.
    pub fn new(kind: ComponentKind, product: &str, name: &str, raw_value: &[u8]) -> Component {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(raw_value).expect("HMAC takes keys of any length");
        mac.update(COMPONENT_TAG);
        mac.update(product.as_bytes());
        mac.update(b"\0");
        mac.update(name.as_bytes());
        let full = mac.finalize().into_bytes();
        let mut hash = [0u8; COMPONENT_HASH_LEN];
        hash.copy_from_slice(&full[..COMPONENT_HASH_LEN]);
        Component { kind, hash }
    }
}

impl fmt::Debug for Component {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.kind.name(), hex::encode(&self.hash))
    }
}

/// How many of a licensed machine's components must be present on this one.
///
/// The variant order is part of the format.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
pub enum MatchRule {
    /// Every component (the strictest).
    #[default]
    All,
    /// More than half of them.
    Most,
    /// At least two (or all, when there are fewer).
    Two,
    /// At least one.
    Any,
}

impl MatchRule {
    /// Its name: `all`, `most`, `two` or `any`.
    pub fn name(self) -> &'static str {
        match self {
            MatchRule::All => "all",
            MatchRule::Most => "most",
            MatchRule::Two => "two",
            MatchRule::Any => "any",
        }
    }

    /// Parses `all`, `most`, `two` or `any`.
    pub fn parse(text: &str) -> Result<MatchRule> {
        match text {
            "all" => Ok(MatchRule::All),
            "most" => Ok(MatchRule::Most),
            "two" => Ok(MatchRule::Two),
            "any" => Ok(MatchRule::Any),
            other => Err(Error::InvalidArgument(format!(
                "match rule '{other}': expected all, most, two or any"
            ))),
        }
    }

    /// Whether `matched` of `total` components satisfy the rule.
    pub fn satisfied(self, matched: usize, total: usize) -> bool {
        total > 0
            && match self {
                MatchRule::All => matched == total,
                MatchRule::Most => matched * 2 > total,
                MatchRule::Two => matched >= total.min(2),
                MatchRule::Any => matched >= 1,
            }
    }
}

/// A machine: the hashed components that identify it for one product.
///
/// Its text form (what `licentia fingerprint` prints and `--machine` takes) is
/// one line of hex: per component, one kind byte and 16 hash bytes.
///
/// ```
/// use licentia::{Fingerprint, MatchRule};
/// let here = Fingerprint::builder("acme-cad").vendor("pod", "uid-1234").build().unwrap();
/// let again = Fingerprint::parse(&here.to_string()).unwrap();
/// assert!(again.matches(&here, MatchRule::All));
/// let elsewhere = Fingerprint::builder("acme-cad").vendor("pod", "uid-9").build().unwrap();
/// assert!(!elsewhere.matches(&here, MatchRule::Any));
/// ```
#[derive(Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Fingerprint {
    /// The components, in the order they were added.
    pub components: Vec<Component>,
}

impl Fingerprint {
    /// Starts a fingerprint for `product`.
    pub fn builder(product: &str) -> FingerprintBuilder {
        FingerprintBuilder {
            product: product.to_owned(),
            components: Vec::new(),
            error: None,
        }
    }

    /// This machine's default fingerprint for `product`: the OS machine id.
    #[cfg(feature = "std")]
    pub fn this_machine(product: &str) -> Result<Fingerprint> {
        Fingerprint::builder(product).machine_id().build()
    }

    /// Parses the hex text form. A component listed twice is refused: it
    /// would count twice toward a match rule.
    pub fn parse(text: &str) -> Result<Fingerprint> {
        let bytes = hex::decode(text.trim(), "fingerprint")
            .map_err(|e| Error::Fingerprint(e.to_string()))?;
        const STEP: usize = 1 + COMPONENT_HASH_LEN;
        if bytes.is_empty() || bytes.len() % STEP != 0 || bytes.len() / STEP > MAX_COMPONENTS {
            return Err(Error::Fingerprint(format!(
                "expected 1 to {MAX_COMPONENTS} components of {} hex digits each",
                STEP * 2
            )));
        }
        let components = bytes
            .chunks(STEP)
            .map(|c| {
                Ok(Component {
                    kind: ComponentKind::from_u8(c[0])?,
                    hash: c[1..].try_into().expect("16 bytes"),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let fingerprint = Fingerprint { components };
        if fingerprint.distinct().count() != fingerprint.components.len() {
            return Err(Error::Fingerprint("a component appears twice".into()));
        }
        Ok(fingerprint)
    }

    /// Each component once, in order. A signed fingerprint that lists one
    /// twice (only a hand-made one can) must not let that component count
    /// twice toward `most` or `two`.
    pub(crate) fn distinct(&self) -> impl Iterator<Item = &Component> {
        self.components
            .iter()
            .enumerate()
            .filter(|(i, c)| !self.components[..*i].contains(c))
            .map(|(_, c)| c)
    }

    /// How many of `licensed`'s distinct components this machine has.
    pub fn matched(&self, licensed: &Fingerprint) -> usize {
        licensed
            .distinct()
            .filter(|c| self.components.contains(c))
            .count()
    }

    /// Whether this machine is `licensed` under `rule`; each distinct
    /// licensed component counts once.
    pub fn matches(&self, licensed: &Fingerprint, rule: MatchRule) -> bool {
        rule.satisfied(self.matched(licensed), licensed.distinct().count())
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in &self.components {
            write!(f, "{:02x}{}", c.kind as u8, hex::encode(&c.hash))?;
        }
        Ok(())
    }
}

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(&self.components).finish()
    }
}

/// Collects a machine's components for one product.
#[derive(Debug)]
pub struct FingerprintBuilder {
    product: String,
    components: Vec<Component>,
    error: Option<Error>,
}

impl FingerprintBuilder {
    /// Adds the operating system's machine id.
    #[cfg(feature = "std")]
    pub fn machine_id(mut self) -> Self {
        match os::machine_id() {
            Ok(raw) => self.push(ComponentKind::MachineId, "machine-id", raw.as_bytes()),
            Err(e) => self.error = self.error.or(Some(e)),
        }
        self
    }

    /// Adds the host name.
    #[cfg(feature = "std")]
    pub fn hostname(mut self) -> Self {
        match os::hostname() {
            Ok(raw) => self.push(ComponentKind::Hostname, "hostname", raw.as_bytes()),
            Err(e) => self.error = self.error.or(Some(e)),
        }
        self
    }

    /// Adds a value the application supplies, under its own name.
    pub fn vendor(mut self, name: &str, raw_value: &str) -> Self {
        if raw_value.is_empty() {
            self.error = self.error.or(Some(Error::Fingerprint(format!(
                "component '{name}' is empty"
            ))));
        } else {
            self.push(ComponentKind::Vendor, name, raw_value.as_bytes());
        }
        self
    }

    fn push(&mut self, kind: ComponentKind, name: &str, raw: &[u8]) {
        let component = Component::new(kind, &self.product, name, raw);
        if !self.components.contains(&component) {
            self.components.push(component);
        }
    }

    /// The fingerprint, or the first error met while reading components.
    pub fn build(self) -> Result<Fingerprint> {
        if let Some(e) = self.error {
            return Err(e);
        }
        if self.components.is_empty() || self.components.len() > MAX_COMPONENTS {
            return Err(Error::Fingerprint(format!(
                "a fingerprint needs 1 to {MAX_COMPONENTS} components"
            )));
        }
        Ok(Fingerprint {
            components: self.components,
        })
    }
}

#[cfg(feature = "std")]
mod os {
    use crate::{Error, Result};

    fn clean(raw: &str, source: &str) -> Result<String> {
        let value = raw.trim();
        if value.is_empty() || value.chars().all(|c| c == '0' || c == '-') {
            return Err(Error::Fingerprint(format!("{source} is empty")));
        }
        Ok(value.to_owned())
    }

    #[cfg(all(unix, not(target_os = "macos")))]
    pub(super) fn machine_id() -> Result<String> {
        for path in ["/etc/machine-id", "/var/lib/dbus/machine-id"] {
            if let Ok(text) = std::fs::read_to_string(path) {
                if let Ok(id) = clean(&text, path) {
                    return Ok(id);
                }
            }
        }
        Err(Error::Fingerprint(
            "no machine id in /etc/machine-id or /var/lib/dbus/machine-id; supply a vendor component".into(),
        ))
    }

    #[cfg(target_os = "macos")]
    pub(super) fn machine_id() -> Result<String> {
        let out = std::process::Command::new("ioreg")
            .args(["-rd1", "-c", "IOPlatformExpertDevice"])
            .output()
            .map_err(|e| Error::Fingerprint(format!("ioreg: {e}")))?;
        let text = String::from_utf8_lossy(&out.stdout);
        let line = text
            .lines()
            .find(|l| l.contains("IOPlatformUUID"))
            .ok_or_else(|| Error::Fingerprint("no IOPlatformUUID".into()))?;
        clean(line.rsplit('"').nth(1).unwrap_or(""), "IOPlatformUUID")
    }

    #[cfg(windows)]
    pub(super) fn machine_id() -> Result<String> {
        let out = std::process::Command::new("reg")
            .args([
                "query",
                r"HKLM\SOFTWARE\Microsoft\Cryptography",
                "/v",
                "MachineGuid",
            ])
            .output()
            .map_err(|e| Error::Fingerprint(format!("reg query: {e}")))?;
        let text = String::from_utf8_lossy(&out.stdout);
        let line = text
            .lines()
            .find(|l| l.contains("MachineGuid"))
            .ok_or_else(|| Error::Fingerprint("no MachineGuid".into()))?;
        clean(line.split_whitespace().last().unwrap_or(""), "MachineGuid")
    }

    #[cfg(not(any(unix, windows)))]
    pub(super) fn machine_id() -> Result<String> {
        Err(Error::Fingerprint(
            "no machine id on this platform; supply a vendor component".into(),
        ))
    }

    pub(super) fn hostname() -> Result<String> {
        #[cfg(unix)]
        if let Ok(text) = std::fs::read_to_string("/proc/sys/kernel/hostname") {
            return clean(&text, "hostname");
        }
        if let Ok(name) = std::env::var("COMPUTERNAME").or_else(|_| std::env::var("HOSTNAME")) {
            return clean(&name, "hostname");
        }
        let out = std::process::Command::new("hostname")
            .output()
            .map_err(|e| Error::Fingerprint(format!("hostname: {e}")))?;
        clean(&String::from_utf8_lossy(&out.stdout), "hostname")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fp(values: &[&str]) -> Fingerprint {
        values
            .iter()
            .fold(Fingerprint::builder("p"), |b, v| b.vendor(v, v))
            .build()
            .unwrap()
    }

    #[test]
    fn hashes_are_per_product_and_per_name() {
        let a = Component::new(ComponentKind::Vendor, "p1", "n", b"raw");
        assert_ne!(a, Component::new(ComponentKind::Vendor, "p2", "n", b"raw"));
        assert_ne!(a, Component::new(ComponentKind::Vendor, "p1", "m", b"raw"));
        assert_eq!(a, Component::new(ComponentKind::Vendor, "p1", "n", b"raw"));
    }

    #[test]
    fn match_rules_with_one_component_changed() {
        let licensed = fp(&["a", "b", "c"]);
        let one_changed = fp(&["a", "b", "x"]);
        let two_changed = fp(&["a", "y", "x"]);
        assert!(!one_changed.matches(&licensed, MatchRule::All));
        assert!(one_changed.matches(&licensed, MatchRule::Most));
        assert!(one_changed.matches(&licensed, MatchRule::Two));
        assert!(one_changed.matches(&licensed, MatchRule::Any));
        assert!(!two_changed.matches(&licensed, MatchRule::Most));
        assert!(!two_changed.matches(&licensed, MatchRule::Two));
        assert!(two_changed.matches(&licensed, MatchRule::Any));
        assert!(!fp(&["z"]).matches(&licensed, MatchRule::Any));
        // Two of one means all of one.
        assert!(fp(&["a"]).matches(&fp(&["a"]), MatchRule::Two));
    }

    #[test]
    fn text_form_round_trips_and_rejects_garbage() {
        let f = fp(&["a", "b"]);
        assert_eq!(f.to_string().len(), 2 * 34);
        assert_eq!(Fingerprint::parse(&f.to_string()).unwrap(), f);
        assert!(Fingerprint::parse("").is_err());
        assert!(Fingerprint::parse("zz").is_err());
        assert!(Fingerprint::parse(&"09".repeat(17)).is_err());
        assert!(Fingerprint::parse(&"01".repeat(17 * 9)).is_err());
    }

    #[cfg(all(target_os = "linux", feature = "std"))]
    #[test]
    fn this_machine_is_stable_when_it_has_an_id() {
        match Fingerprint::this_machine("p") {
            Ok(a) => assert_eq!(a, Fingerprint::this_machine("p").unwrap()),
            Err(e) => assert!(e.to_string().contains("vendor component")),
        }
    }
}
