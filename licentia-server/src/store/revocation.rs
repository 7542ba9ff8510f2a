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
}

/// The revocation state's storage.
#[async_trait::async_trait]
pub trait RevocationStore: Send + Sync {
    /// The product's revocation state.
    async fn revocation_state(&self, product_id: &str) -> StoreResult<RevocationState>;
    /// The product's list version alone (one row read): it changes with
    /// every revocation and every retired key, so a signed list is good
    /// until it does.
    async fn revocation_sequence(&self, product_id: &str) -> StoreResult<i64>;
}
