//! Bulk: CSV import (with a dry run) and export of customers, members and
//! licenses.

/// Storage for bulk; one method per operation, each one transaction.
#[async_trait::async_trait]
pub trait BulkStore: Send + Sync {}
