//! [`ReportStore`] on SQL.

use super::SqlStore;
use crate::server::store::ReportStore;

#[async_trait::async_trait]
impl ReportStore for SqlStore {}
