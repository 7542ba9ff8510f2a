//! Products' typed-answer secrets, sealed.

use sqlx::Row;

use super::history::event;
use super::table::fetch_optional;
use super::{now, SqlStore};
use crate::store::{StoreResult, TypedSecretStore};

const SEALED: &str = "SELECT sealed FROM typed_secrets WHERE product_id = $1";

#[async_trait::async_trait]
impl TypedSecretStore for SqlStore {
    async fn typed_secret(
        &self,
        product_id: &str,
        fresh: String,
        actor: &str,
    ) -> StoreResult<String> {
        let held = fetch_optional(&self.pool, SEALED, [product_id.into()], |r| {
            Ok(r.try_get::<String, _>("sealed")?)
        })
        .await?;
        if let Some(sealed) = held {
            return Ok(sealed);
        }
        let mut tx = self.begin().await?;
        let made = sqlx::query(
            "INSERT INTO typed_secrets (product_id, sealed, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (product_id) DO NOTHING",
        )
        .bind(product_id)
        .bind(&fresh)
        .bind(now())
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
        let sealed = fetch_optional(&mut *tx.tx, SEALED, [product_id.into()], |r| {
            Ok(r.try_get::<String, _>("sealed")?)
        })
        .await?
        .unwrap_or(fresh);
        if made == 1 {
            let ev = event(
                actor,
                "product.typed_secret",
                product_id,
                serde_json::json!({}),
            );
            tx.commit_with(ev).await?;
        }
        // Another instance made it first: nothing to record (dropped, rolled back).
        Ok(sealed)
    }

    async fn rotate_typed_secret(
        &self,
        product_id: &str,
        sealed: String,
        actor: &str,
    ) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO typed_secrets (product_id, sealed, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (product_id) DO UPDATE SET sealed = $2, created_at = $3",
        )
        .bind(product_id)
        .bind(&sealed)
        .bind(now())
        .execute(&mut *tx.tx)
        .await?;
        let ev = event(
            actor,
            "product.typed_secret.rotate",
            product_id,
            serde_json::json!({}),
        );
        tx.commit_with(ev).await
    }
}
