//! The storage trait: one method per business operation, each one
//! transaction. Records here are plain data; the documents they carry
//! (license files, leases) were signed by the core's `Issuer` before the
//! store sees them.

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
mod releases;
mod reports;
mod revocation;
mod scope;
mod subscriptions;
mod tokens;
mod typed_secrets;
mod usage;

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
pub use releases::*;
pub use reports::*;
pub use revocation::*;
pub use scope::*;
pub use subscriptions::*;
pub use tokens::*;
pub use typed_secrets::*;
pub use usage::*;

/// A page of a list: `limit` (1..=500, default 50) rows after `offset`,
/// or after (before) the row a cursor of [`Rows`] names. A cursor reads the
/// list's sort key from its index; an offset walks every row it skips.
#[derive(Debug, Clone)]
pub struct Page {
    /// Rows wanted.
    pub limit: i64,
    /// Rows skipped.
    pub offset: i64,
    /// The rows after the one this cursor ([`Rows::next`]) names.
    pub after: Option<String>,
    /// The rows before the one this cursor ([`Rows::prev`]) names.
    pub before: Option<String>,
}

impl Default for Page {
    fn default() -> Page {
        Page::first(50)
    }
}

impl Page {
    /// The first `limit` rows.
    pub const fn first(limit: i64) -> Page {
        Page {
            limit,
            offset: 0,
            after: None,
            before: None,
        }
    }
}

/// A page of a list as read: its records in the list's order, and the
/// cursors to the pages on either side (none where the list ends).
#[derive(Debug, Clone)]
pub struct Rows<T> {
    /// The records.
    pub items: Vec<T>,
    /// The cursor of the page after this one, if there are more rows.
    pub next: Option<String>,
    /// The cursor of the page before this one, if it was not the first.
    pub prev: Option<String>,
}

impl<T> Rows<T> {
    /// The same page with each record made another by `f`, or its first
    /// error.
    pub fn try_map<U, E>(self, f: impl FnMut(T) -> Result<U, E>) -> Result<Rows<U>, E> {
        Ok(Rows {
            items: self.items.into_iter().map(f).collect::<Result<_, _>>()?,
            next: self.next,
            prev: self.prev,
        })
    }
}

impl<T> std::ops::Deref for Rows<T> {
    type Target = Vec<T>;

    fn deref(&self) -> &Vec<T> {
        &self.items
    }
}

impl<T> std::ops::DerefMut for Rows<T> {
    fn deref_mut(&mut self) -> &mut Vec<T> {
        &mut self.items
    }
}

impl<T> Default for Rows<T> {
    /// No rows, and no page on either side.
    fn default() -> Rows<T> {
        Rows {
            items: Vec::new(),
            next: None,
            prev: None,
        }
    }
}

impl<T> IntoIterator for Rows<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl<'a, T> IntoIterator for &'a Rows<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
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
    + ReleaseStore
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
    + UsageStore
    + TypedSecretStore
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
