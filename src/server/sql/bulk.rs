//! [`BulkStore`] on SQL.

use super::SqlStore;
use crate::server::store::BulkStore;

#[async_trait::async_trait]
impl BulkStore for SqlStore {}
