//! Notices: what the jobs found due, written once to an outbox, and its
//! delivery to webhooks and e-mail recipients subscribed to its kind.

/// Storage for notices; one method per operation, each one transaction.
#[async_trait::async_trait]
pub trait NoticeStore: Send + Sync {}
