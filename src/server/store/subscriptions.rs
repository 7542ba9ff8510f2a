//! Subscriptions: a customer's plan, seats, billing and term, renewed per
//! its renewal option; the dates come from [`crate::server::billing`].

/// Storage for subscriptions; one method per operation, each one transaction.
#[async_trait::async_trait]
pub trait SubscriptionStore: Send + Sync {}
