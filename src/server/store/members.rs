//! Members: named users of a customer, each holding one service (a
//! license from a plan) with any number of options.

/// Storage for members; one method per operation, each one transaction.
#[async_trait::async_trait]
pub trait MemberStore: Send + Sync {}
