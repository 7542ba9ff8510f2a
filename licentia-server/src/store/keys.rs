//! Signing keys: the active key, the trusted ones, the retired ones.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::store::StoreResult;

/// A signing key's public half and state.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct KeyRecord {
    /// Key id (16 hex digits).
    pub key_id: String,
    /// SPKI PEM.
    pub public_pem: String,
    /// `active`, `trusted` or `retired`.
    pub state: String,
    /// Created (Unix seconds).
    pub created_at: i64,
    /// The rollover statement endorsing it, signed by the key before it.
    pub rollover: Option<String>,
}

/// Where the signing keys stand: the active key and how many were retired.
/// A rotation changes the first, a retirement the second (retirement is
/// final), so two equal stamps mean the same keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyStamp {
    /// The active key's id.
    pub active: String,
    /// How many keys are retired.
    pub retired: i64,
}

/// The signing keys' storage: public halves, states, and the private
/// halves sealed under the key-encryption key (see [`crate::custody`]).
#[async_trait::async_trait]
pub trait KeyStore: Send + Sync {
    /// Every signing key not retired.
    async fn signing_keys(&self) -> StoreResult<Vec<KeyRecord>>;
    /// Records the first signing key with its `sealed` private half; false
    /// if another instance did first.
    async fn add_first_key(&self, key: KeyRecord, sealed: String) -> StoreResult<bool>;
    /// Makes `key` (with its `sealed` private half) the active key in place
    /// of `previous` (the key that signed its rollover statement), which
    /// stays trusted; when `previous` is no longer the active key (a
    /// concurrent rotation), a 409.
    async fn rotate_key(
        &self,
        key: KeyRecord,
        sealed: String,
        previous: &str,
        actor: &str,
    ) -> StoreResult<()>;
    /// The sealed private half of key `key_id`, if the database holds it.
    async fn sealed_key(&self, key_id: &str) -> StoreResult<Option<String>>;
    /// Stores the sealed private half of a key that had none (a key file
    /// sealed in); false when it had one already (another instance did).
    async fn seal_key(&self, key_id: &str, sealed: String) -> StoreResult<bool>;
    /// Where the keys stand now: one cheap read that changes with every
    /// rotation and every retirement.
    async fn key_stamp(&self) -> StoreResult<KeyStamp>;
    /// Retires a trusted key: it no longer signs nor is trusted, and every
    /// product's revocation list names it (a new sequence). The active key
    /// is refused (409).
    async fn retire_key(&self, key_id: &str, actor: &str) -> StoreResult<()>;
    /// The ids of the retired keys, oldest first.
    async fn retired_keys(&self) -> StoreResult<Vec<String>>;
}
