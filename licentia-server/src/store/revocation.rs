//! The revocation state each product's signed list is made from.

use crate::store::StoreResult;

/// The current revocation state of one product.
#[derive(Debug, Clone)]
pub struct RevocationState {
    /// List version.
    pub sequence: i64,
    /// When it last changed.
    pub updated_at: i64,
    /// Revoked license ids.
    pub licenses: Vec<String>,
    /// Machines that gave a license back and hold it no more, while the
    /// license (for a deactivation) or the lease (for a returned lease)
    /// has not ended.
    pub released: Vec<Released>,
}

/// A machine that gave a license back (one row per license, machine and
/// kind: the latest time).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Released {
    /// The license.
    pub license_id: String,
    /// The machine's fingerprint (hex).
    pub fingerprint: String,
    /// True for a returned lease, false for a deactivated activation.
    pub lease: bool,
    /// When it was given back (Unix seconds).
    pub at: i64,
}

/// The revocation state's storage.
#[async_trait::async_trait]
pub trait RevocationStore: Send + Sync {
    /// The product's revocation state at `now` (Unix seconds: which
    /// licenses and leases have not ended).
    async fn revocation_state(&self, product_id: &str, now: i64) -> StoreResult<RevocationState>;
    /// The product's list version alone (one row read): it changes with
    /// every revocation and every retired key, so a signed list is good
    /// until it does.
    async fn revocation_sequence(&self, product_id: &str) -> StoreResult<i64>;
}
