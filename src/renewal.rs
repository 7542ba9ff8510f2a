//! Renewal tokens: "extend license L to T" or "add entitlement E", offline.
//!
//! A token is bound to one license by its id and the digest of its signed
//! body, so it cannot renew any other license. Apply it with
//! [`License::apply_renewal`](crate::License::apply_renewal).

use core::ops::Deref;

use crate::license::{Entitlement, LicenseId};
use crate::signed::SignedBody;
use crate::time::Timestamp;

/// What a renewal token does.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum RenewalAction {
    /// Move the hard expiry (and the soft one) later.
    ExtendTo {
        /// The new hard expiry.
        hard_expiry: Timestamp,
        /// The new soft expiry, if any.
        soft_expiry: Option<Timestamp>,
    },
    /// Grant (or replace) one entitlement.
    AddEntitlement(Entitlement),
}

/// The signed body of a renewal token.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RenewalBody {
    /// The license renewed.
    pub license_id: LicenseId,
    /// [`License::digest`](crate::License::digest) of that license.
    pub license_digest: [u8; 16],
    /// When the token was signed.
    pub issued_at: Timestamp,
    /// What it does.
    pub action: RenewalAction,
}

impl SignedBody for RenewalBody {
    fn issued_at(&self) -> Timestamp {
        self.issued_at
    }
}

/// A verified renewal token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenewalToken(pub(crate) RenewalBody);

impl Deref for RenewalToken {
    type Target = RenewalBody;
    fn deref(&self) -> &RenewalBody {
        &self.0
    }
}
