//! [`MemberStore`] on SQL.

use super::SqlStore;
use crate::server::store::MemberStore;

#[async_trait::async_trait]
impl MemberStore for SqlStore {}
