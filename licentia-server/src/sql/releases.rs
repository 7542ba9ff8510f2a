//! Releases of a product.

use super::history::event;
use super::table::{fetch_all, from_row};
use super::{named_conflict, SqlStore};
use crate::store::{ReleaseRecord, ReleaseStore, StoreResult};

#[async_trait::async_trait]
impl ReleaseStore for SqlStore {
    async fn create_release(
        &self,
        release: ReleaseRecord,
        actor: &str,
    ) -> StoreResult<ReleaseRecord> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO releases (id, product_id, version, version_key, released_at, channel, \
             notes, download_url, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&release.id)
        .bind(&release.product_id)
        .bind(&release.version)
        .bind(&release.version_key)
        .bind(release.released_at)
        .bind(&release.channel)
        .bind(&release.notes)
        .bind(&release.download_url)
        .bind(release.created_at)
        .execute(&mut *tx.tx)
        .await
        .map_err(|e| named_conflict(e, "this product already has a release of this version"))?;
        tx.commit_with(event(
            actor,
            "release.create",
            &release.product_id,
            serde_json::json!({"release_id": release.id, "version": release.version}),
        ))
        .await?;
        Ok(release)
    }

    async fn releases(&self, product_id: &str) -> StoreResult<Vec<ReleaseRecord>> {
        fetch_all(
            &self.pool,
            "SELECT id, product_id, version, version_key, released_at, channel, notes, \
             download_url, created_at FROM releases WHERE product_id = $1 \
             ORDER BY released_at DESC, version_key DESC",
            [product_id.into()],
            |r| {
                Ok(from_row!(r => ReleaseRecord {
                    id, product_id, version, version_key, released_at, channel, notes,
                    download_url, created_at
                }))
            },
        )
        .await
    }
}
