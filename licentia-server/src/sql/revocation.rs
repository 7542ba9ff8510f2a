//! The revocation state of each product, versioned.

use sqlx::Row;

use super::table::fetch_all;
use super::{now, SqlStore, Tx};
use crate::store::{RevocationState, RevocationStore};
use crate::store::{StoreError, StoreResult};

#[async_trait::async_trait]
impl RevocationStore for SqlStore {
    async fn revocation_sequence(&self, product_id: &str) -> StoreResult<i64> {
        let row = sqlx::query("SELECT revocation_seq FROM products WHERE id = $1")
            .bind(product_id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::not_found("product"))?;
        Ok(row.try_get("revocation_seq")?)
    }

    async fn revocation_state(&self, product_id: &str) -> StoreResult<RevocationState> {
        let row =
            sqlx::query("SELECT revocation_seq, revocation_updated_at FROM products WHERE id = $1")
                .bind(product_id)
                .fetch_optional(&self.pool)
                .await?
                .ok_or_else(|| StoreError::not_found("product"))?;
        let licenses = fetch_all(
            &self.pool,
            "SELECT id FROM licenses WHERE product_id = $1 AND status = 'revoked' ORDER BY id",
            [product_id.into()],
            |r| Ok(r.try_get("id")?),
        )
        .await?;
        Ok(RevocationState {
            sequence: row.try_get("revocation_seq")?,
            updated_at: row.try_get("revocation_updated_at")?,
            licenses,
        })
    }
}

/// A product's revocation list changed: a new sequence, dated now.
pub(super) async fn bump_revocation(tx: &mut Tx<'_>, product_id: &str) -> StoreResult<()> {
    sqlx::query(
        "UPDATE products SET revocation_seq = revocation_seq + 1, revocation_updated_at = $1 WHERE id = $2",
    )
    .bind(now())
    .bind(product_id)
    .execute(&mut *tx.tx)
    .await?;
    Ok(())
}
