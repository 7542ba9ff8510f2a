//! [`PurchaseStore`] on SQL.

use super::SqlStore;
use crate::server::store::PurchaseStore;

#[async_trait::async_trait]
impl PurchaseStore for SqlStore {}
