//! Purchases: lots bought (product, quantity, serial, dates, cost, PO and
//! invoice numbers) and the customers they were re-billed to; a lot's seats
//! are held by its customer and allocated like any other seats.

/// Storage for purchases; one method per operation, each one transaction.
#[async_trait::async_trait]
pub trait PurchaseStore: Send + Sync {}
