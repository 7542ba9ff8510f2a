//! Reports: read-only views across the back office, as JSON or CSV.

/// Storage for reports; one method per operation, each one transaction.
#[async_trait::async_trait]
pub trait ReportStore: Send + Sync {}
