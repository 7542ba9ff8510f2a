//! Stored answers to requests with an `Idempotency-Key`.

use sqlx::{Any, Executor, Row};

use super::table::fetch_optional;
use super::SqlStore;
use crate::store::{IdempotencyStore, StoredAnswer};
use crate::store::{StoreError, StoreResult};

#[async_trait::async_trait]
impl IdempotencyStore for SqlStore {
    async fn stored_answer(&self, scope: &str) -> StoreResult<Option<StoredAnswer>> {
        stored_answer(&self.pool, scope).await
    }
}

/// The answer stored under `scope`, read through `db` (the pool, or a
/// write transaction that may hold it uncommitted).
pub(super) async fn stored_answer<'e>(
    db: impl Executor<'e, Database = Any>,
    scope: &str,
) -> StoreResult<Option<StoredAnswer>> {
    fetch_optional(
        db,
        "SELECT request_hash, status, response FROM idempotency_keys WHERE scope = $1",
        [scope.into()],
        |r| {
            let status: i64 = r.try_get("status")?;
            Ok(StoredAnswer {
                request_hash: r.try_get("request_hash")?,
                status: u16::try_from(status).map_err(StoreError::internal)?,
                sealed: r.try_get("response")?,
            })
        },
    )
    .await
}

/// The 422 for a key reused with another request.
pub fn idempotency_mismatch() -> StoreError {
    StoreError::invalid("this Idempotency-Key was used for a different request")
}
