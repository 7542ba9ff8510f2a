//! Signed revocation lists, for products that are never online.
//!
//! A list names license ids, machine component hashes and key ids that are no
//! longer honoured, and the machines that gave a license back
//! ([`Release`]: an activation deactivated, a lease returned), whose copies
//! of that license's files stop working there. Lists carry a sequence
//! number: a newer list replaces an older one, never the reverse
//! ([`RevocationList::replace`]).
//!
//! A list that names no release is written as format version 1, byte for
//! byte as before releases existed, so every product reads it; one that
//! names releases is format version 2 (the body gains the `released`
//! list), which a product of an older library refuses as an unsupported
//! version rather than misreading it.

use core::ops::Deref;

use crate::keys::KeyId;
use crate::license::LicenseId;
use crate::machine::{Fingerprint, MatchRule, COMPONENT_HASH_LEN};
use crate::signed::SignedBody;
use crate::time::Timestamp;
use crate::{Error, Result};

/// The signed body of a revocation list. Each list is sorted.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct RevocationBody {
    /// The product the list is for.
    pub product: String,
    /// Grows with every new list.
    pub sequence: u64,
    /// When the list was signed.
    pub issued_at: Timestamp,
    /// Revoked licenses.
    pub licenses: Vec<LicenseId>,
    /// Revoked machine components.
    pub machines: Vec<[u8; COMPONENT_HASH_LEN]>,
    /// Revoked signing keys: nothing they signed is honoured, their
    /// rollover statements included (so neither are the licenses of keys
    /// they endorsed).
    pub keys: Vec<KeyId>,
    /// Machines that gave a license back: that license's files signed
    /// at or before the release no longer hold on that machine. Format version 2
    /// only (a list with none is written as version 1).
    pub released: Vec<Release>,
}

enum_table! {
    /// What a machine gave back. The numbers are part of the format.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
    #[repr(u8)]
    pub enum ReleaseKind {
        /// Every kind, in number order.
        pub const ALL;
        /// A stable snake_case name.
        pub fn name(self) -> &'static str;

        /// The machine's activation was deactivated: its license files are
        /// refused there.
        Deactivated = 0 => "deactivated",
        /// The machine returned its floating lease: its leases are refused
        /// there (the license's own floating file is not touched).
        LeaseReturned = 1 => "lease_returned",
    }
}

/// A machine that gave a license back, named in a revocation list until
/// the license's own end.
///
/// It refuses, on a machine that matches `machine` (under the license's
/// own match rule when it is node-locked, `most` otherwise), the files of
/// `license` of its kind (license files for a deactivation, leases for a
/// returned lease) signed at or before `at` (the same second included, so
/// a copy made and given back within one second is not spared). A file
/// signed after it — the
/// machine activated again — holds.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Release {
    /// The license given back.
    pub license: LicenseId,
    /// The machine that gave it back.
    pub machine: Fingerprint,
    /// A deactivation or a returned lease.
    pub kind: ReleaseKind,
    /// When it was given back: files signed at or before this are refused.
    pub at: Timestamp,
}

impl Release {
    /// The order of a normalized list: license, kind, machine, time.
    fn key(&self) -> (LicenseId, ReleaseKind, String, Timestamp) {
        (self.license, self.kind, self.machine.to_string(), self.at)
    }
}

impl RevocationBody {
    /// Sorts and de-duplicates every list, as the format requires.
    pub fn normalize(&mut self) {
        self.licenses.sort_unstable();
        self.licenses.dedup();
        self.machines.sort_unstable();
        self.machines.dedup();
        self.keys.sort_unstable();
        self.keys.dedup();
        self.released.sort_by_cached_key(Release::key);
        self.released.dedup();
    }

    /// The format version this body is written in: 1 without releases
    /// (readable by every library), 2 with them.
    pub fn format_version(&self) -> u8 {
        if self.released.is_empty() {
            1
        } else {
            2
        }
    }
}

/// The body of a version 1 list: the same fields without `released`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct RevocationBodyV1 {
    product: String,
    sequence: u64,
    issued_at: Timestamp,
    licenses: Vec<LicenseId>,
    machines: Vec<[u8; COMPONENT_HASH_LEN]>,
    keys: Vec<KeyId>,
}

impl RevocationBodyV1 {
    /// The version 1 layout of `body`, which must name no release.
    pub(crate) fn of(body: &RevocationBody) -> RevocationBodyV1 {
        debug_assert!(body.released.is_empty());
        RevocationBodyV1 {
            product: body.product.clone(),
            sequence: body.sequence,
            issued_at: body.issued_at,
            licenses: body.licenses.clone(),
            machines: body.machines.clone(),
            keys: body.keys.clone(),
        }
    }
}

impl From<RevocationBodyV1> for RevocationBody {
    fn from(v1: RevocationBodyV1) -> RevocationBody {
        RevocationBody {
            product: v1.product,
            sequence: v1.sequence,
            issued_at: v1.issued_at,
            licenses: v1.licenses,
            machines: v1.machines,
            keys: v1.keys,
            released: Vec::new(),
        }
    }
}

impl SignedBody for RevocationBodyV1 {
    fn issued_at(&self) -> Timestamp {
        self.issued_at
    }
}

impl RevocationBody {
    /// Whether every list is sorted and free of duplicates, as the format
    /// requires (lookups binary-search them).
    pub fn is_normalized(&self) -> bool {
        fn strictly_sorted<T: Ord>(list: &[T]) -> bool {
            list.windows(2).all(|pair| pair[0] < pair[1])
        }
        strictly_sorted(&self.licenses)
            && strictly_sorted(&self.machines)
            && strictly_sorted(&self.keys)
            && self
                .released
                .windows(2)
                .all(|pair| pair[0].key() < pair[1].key())
    }
}

impl SignedBody for RevocationBody {
    fn issued_at(&self) -> Timestamp {
        self.issued_at
    }
}

/// A verified revocation list.
///
/// ```
/// use licentia::{Issuer, LicenseId, RevocationBody, RevocationList, SigningKey, Verifier};
/// let issuer = Issuer::new(SigningKey::generate());
/// let verifier = Verifier::new([issuer.public_key().clone()]);
/// let list = |sequence| {
///     let mut body = RevocationBody { product: "acme".into(), sequence, ..Default::default() };
///     body.licenses.push(LicenseId([1; 16]));
///     let text = issuer.revocation_list(&body).unwrap().to_armor();
///     verifier.verify_revocation_list(&text, "acme").unwrap()
/// };
/// let mut held = Some(list(2));
/// assert!(RevocationList::replace(&mut held, list(1)).is_err()); // never older
/// RevocationList::replace(&mut held, list(3)).unwrap();
/// assert_eq!(held.unwrap().sequence, 3);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevocationList(pub(crate) RevocationBody);

impl RevocationList {
    /// Whether license `id` is revoked.
    pub fn revokes_license(&self, id: &LicenseId) -> bool {
        self.0.licenses.binary_search(id).is_ok()
    }

    /// Whether any component of `machine` is revoked.
    pub fn revokes_machine(&self, machine: &Fingerprint) -> bool {
        machine
            .components
            .iter()
            .any(|c| self.0.machines.binary_search(&c.hash).is_ok())
    }

    /// The release that refuses a file of `license` of `kind` signed at
    /// `signed_at` on machine `here`, if the list names one: `here`
    /// matches the released machine under `rule`, and the file was signed
    /// at or before the release.
    pub fn released(
        &self,
        license: &LicenseId,
        kind: ReleaseKind,
        signed_at: Timestamp,
        here: &Fingerprint,
        rule: MatchRule,
    ) -> Option<&Release> {
        let from = self.0.released.partition_point(|r| r.license < *license);
        self.0.released[from..]
            .iter()
            .take_while(|r| r.license == *license)
            .find(|r| r.kind == kind && signed_at <= r.at && here.matches(&r.machine, rule))
    }

    /// Whether documents signed by `key` are revoked.
    pub fn revokes_key(&self, key: &KeyId) -> bool {
        self.0.keys.binary_search(key).is_ok()
    }

    /// Installs `offered` in `held` if it is newer; an older or equal list is
    /// refused and `held` is left as it was.
    pub fn replace(held: &mut Option<RevocationList>, offered: RevocationList) -> Result<()> {
        if let Some(current) = held {
            if offered.sequence <= current.sequence {
                return Err(Error::StaleRevocationList {
                    held: current.sequence,
                    offered: offered.sequence,
                });
            }
        }
        *held = Some(offered);
        Ok(())
    }
}

impl Deref for RevocationList {
    type Target = RevocationBody;
    fn deref(&self) -> &RevocationBody {
        &self.0
    }
}
