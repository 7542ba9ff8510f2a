//! The releases of a product, from which its signed release catalogue is made.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::store::StoreResult;

/// A release of a product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ReleaseRecord {
    /// Id.
    pub id: String,
    /// The product.
    pub product_id: String,
    /// The version as given (`3.1`, `4.0-beta.1`).
    pub version: String,
    /// Its canonical form (`3.1.0` and `3.1` are one release): unique per
    /// product.
    pub version_key: String,
    /// Released (Unix seconds): a licence's maintenance covers the
    /// releases up to its updates-until.
    pub released_at: i64,
    /// Channel, such as `stable` or `beta`.
    pub channel: String,
    /// Release notes (may be empty).
    pub notes: String,
    /// Where to download it (may be empty).
    pub download_url: String,
    /// Recorded (Unix seconds).
    pub created_at: i64,
}

/// The releases' storage.
#[async_trait::async_trait]
pub trait ReleaseStore: Send + Sync {
    /// Records a release (409 when the product has this version already).
    async fn create_release(
        &self,
        release: ReleaseRecord,
        actor: &str,
    ) -> StoreResult<ReleaseRecord>;
    /// Every release of a product, newest first by date. A product has
    /// tens of releases, not thousands: the list is not paged.
    async fn releases(&self, product_id: &str) -> StoreResult<Vec<ReleaseRecord>>;
}
