//! [`SubscriptionStore`] on SQL.

use super::SqlStore;
use crate::server::store::SubscriptionStore;

#[async_trait::async_trait]
impl SubscriptionStore for SqlStore {}
