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
}
