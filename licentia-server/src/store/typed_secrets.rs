//! Each product's typed-answer secret, sealed: the key of the short
//! answers read over the telephone (`licentia::short_code`).

use crate::store::StoreResult;

/// The typed-answer secrets' storage. It holds only sealed values: the
/// service seals and opens them.
#[async_trait::async_trait]
pub trait TypedSecretStore: Send + Sync {
    /// The product's sealed secret; when it has none yet, `fresh` is stored
    /// first (of two instances racing, one's is kept and both answer it),
    /// recorded in the history as made by `actor`.
    async fn typed_secret(
        &self,
        product_id: &str,
        fresh: String,
        actor: &str,
    ) -> StoreResult<String>;
    /// Replaces the product's secret with `sealed` (made when it had none).
    async fn rotate_typed_secret(
        &self,
        product_id: &str,
        sealed: String,
        actor: &str,
    ) -> StoreResult<()>;
}
