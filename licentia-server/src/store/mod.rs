//! The storage trait: one method per business operation, each one
//! transaction. Records here are plain data; the documents they carry
//! (license files, leases) were signed by the core's `Issuer` before the
//! store sees them.

use schemars::JsonSchema;
use serde::Deserialize;

mod accounts;
mod activations;
mod bulk;
mod catalogue;
mod contracts;
mod customers;
mod error;
mod history;
mod idempotency;
mod invoices;
mod keys;
mod licenses;
mod members;
pub mod names;
mod notices;
mod purchases;
mod reports;
mod revocation;
mod scope;
mod subscriptions;
mod tokens;

pub use accounts::*;
pub use activations::*;
pub use bulk::*;
pub use catalogue::*;
pub use contracts::*;
pub use customers::*;
pub use error::*;
pub use history::*;
pub use idempotency::*;
pub use invoices::*;
pub use keys::*;
pub use licenses::*;
pub use members::*;
pub use notices::*;
pub use purchases::*;
pub use reports::*;
pub use revocation::*;
pub use scope::*;
pub use subscriptions::*;
pub use tokens::*;

/// A page of a list: `limit` (1..=500, default 50) rows after `offset`.
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
pub struct Page {
    /// Rows wanted.
    pub limit: i64,
    /// Rows skipped.
    pub offset: i64,
}

impl Default for Page {
    fn default() -> Page {
        Page {
            limit: 50,
            offset: 0,
        }
    }
}

/// The storage of the back office: every area's trait, and the ping.
#[async_trait::async_trait]
pub trait Store:
    Send
    + Sync
    + TokenStore
    + AccountStore
    + ScopeStore
    + KeyStore
    + CatalogueStore
    + CustomerStore
    + LicenseStore
    + ActivationStore
    + RevocationStore
    + HistoryStore
    + IdempotencyStore
    + InvoiceStore
    + PurchaseStore
    + ContractStore
    + MemberStore
    + SubscriptionStore
    + NoticeStore
    + ReportStore
    + BulkStore
{
    /// The database answers.
    async fn ping(&self) -> StoreResult<()>;

    /// How the connection pool stands now.
    fn pool_stats(&self) -> PoolStats;
}

/// How a database connection pool stands (for `GET /metrics`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PoolStats {
    /// Most connections it opens.
    pub max: u32,
    /// Connections open now.
    pub open: u32,
    /// Of those, waiting for a request.
    pub idle: u32,
}
