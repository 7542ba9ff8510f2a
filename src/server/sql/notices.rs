//! [`NoticeStore`] on SQL.

use super::SqlStore;
use crate::server::store::NoticeStore;

#[async_trait::async_trait]
impl NoticeStore for SqlStore {}
