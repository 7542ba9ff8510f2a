//! The append-only, hash-chained history of every mutation.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Page, Rows, Scope};
use crate::store::StoreResult;

/// One history entry.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, JsonSchema)]
pub struct HistoryEntry {
    /// Position in the chain, from 1.
    pub seq: i64,
    /// When (Unix seconds).
    pub at: i64,
    /// Who (`account:ID`, `token:ID`, `license:ID`, `cli`, `system`), as
    /// chained.
    pub actor: String,
    /// Who, for people: the account's name and e-mail address, or the
    /// token's name (read with the entry, not part of its hash); the actor
    /// itself for anything else.
    #[serde(default)]
    pub done_by: String,
    /// What, e.g. `license.issue`.
    pub operation: String,
    /// The record acted on.
    pub subject: String,
    /// The license concerned.
    pub license_id: Option<String>,
    /// The customer concerned.
    pub customer_id: Option<String>,
    /// Details (JSON text).
    pub details: String,
    /// Hash of the entry before.
    pub prev_hash: String,
    /// SHA-256(prev_hash || canonical entry).
    pub hash: String,
}

/// A mutation to record: the store adds sequence, time and hashes.
#[derive(Debug, Clone)]
pub struct Event {
    /// Who.
    pub actor: String,
    /// What.
    pub operation: &'static str,
    /// The record acted on.
    pub subject: String,
    /// The license concerned.
    pub license_id: Option<String>,
    /// The customer concerned.
    pub customer_id: Option<String>,
    /// Details.
    pub details: serde_json::Value,
}

/// Filters on the history.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
pub struct HistoryFilter {
    /// Only this license.
    pub license_id: Option<String>,
    /// Only this customer.
    pub customer_id: Option<String>,
    /// Only this operation.
    pub operation: Option<String>,
    /// Only entries about this subscription.
    pub subscription_id: Option<String>,
    /// Only what this account did.
    pub account_id: Option<String>,
    /// Only entries after this sequence number.
    pub after_seq: Option<i64>,
}

/// The history's storage.
#[async_trait::async_trait]
pub trait HistoryStore: Send + Sync {
    /// History entries within `scope` (an entry naming no customer is the
    /// vendor root's), oldest first.
    async fn history(
        &self,
        scope: &Scope,
        filter: &HistoryFilter,
        page: Page,
    ) -> StoreResult<Rows<HistoryEntry>>;
    /// The chain's tip: the last sequence number and its hash.
    async fn history_tip(&self) -> StoreResult<(i64, String)>;
}
