//! Signed revocation lists, for products that are never online.
//!
//! A list names license ids, machine component hashes and key ids that are no
//! longer honoured. Lists carry a sequence number: a newer list replaces an
//! older one, never the reverse ([`RevocationList::replace`]).

use core::ops::Deref;

use crate::keys::KeyId;
use crate::license::LicenseId;
use crate::machine::{Fingerprint, COMPONENT_HASH_LEN};
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
