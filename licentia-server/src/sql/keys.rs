//! Signing keys: rotation and retirement.

use sqlx::Row;

use super::history::{append, event};
use super::table::{count, fetch_all, fetch_optional, from_row};
use super::{now, SqlStore, Tx};
use crate::store::{KeyRecord, KeyStamp, KeyStore};
use crate::store::{RefusalKind, StoreError, StoreResult};

#[async_trait::async_trait]
impl KeyStore for SqlStore {
    async fn signing_keys(&self) -> StoreResult<Vec<KeyRecord>> {
        fetch_all(
            &self.pool,
            "SELECT key_id, public_pem, state, created_at, rollover FROM signing_keys \
             WHERE state <> 'retired' ORDER BY created_at, key_id",
            [],
            |r| {
                Ok(from_row!(r => KeyRecord {
                    key_id, public_pem, state, created_at, rollover
                }))
            },
        )
        .await
    }

    async fn add_first_key(&self, key: KeyRecord, sealed: String) -> StoreResult<bool> {
        let mut tx = self.begin().await?;
        if count(&mut *tx.tx, "SELECT COUNT(*) AS n FROM signing_keys", []).await? > 0 {
            return Ok(false);
        }
        insert_key(&mut tx, &key, &sealed).await?;
        append(
            &mut tx,
            event("system", "key.create", &key.key_id, serde_json::json!({})),
        )
        .await?;
        match tx.commit().await {
            Ok(()) => Ok(true),
            Err(StoreError::Refused(r)) if r.kind == RefusalKind::Conflict => Ok(false),
            Err(e) => Err(e),
        }
    }

    async fn rotate_key(
        &self,
        key: KeyRecord,
        sealed: String,
        previous: &str,
        actor: &str,
    ) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let demoted = sqlx::query(
            "UPDATE signing_keys SET state = 'trusted' WHERE state = 'active' AND key_id = $1",
        )
        .bind(previous)
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
        if demoted == 0 {
            return Err(StoreError::conflict(
                "key_rotated",
                "another rotation came first; try again",
            ));
        }
        insert_key(&mut tx, &key, &sealed).await?;
        tx.commit_with(event(
            actor,
            "key.rotate",
            &key.key_id,
            serde_json::json!({}),
        ))
        .await?;
        Ok(())
    }

    async fn sealed_key(&self, key_id: &str) -> StoreResult<Option<String>> {
        let sealed = fetch_optional(
            &self.pool,
            "SELECT sealed_key FROM signing_keys WHERE key_id = $1",
            [key_id.into()],
            |r| Ok(r.try_get::<Option<String>, _>("sealed_key")?),
        )
        .await?;
        Ok(sealed.flatten())
    }

    async fn seal_key(&self, key_id: &str, sealed: String) -> StoreResult<bool> {
        let mut tx = self.begin().await?;
        let done = sqlx::query(
            "UPDATE signing_keys SET sealed_key = $1 WHERE key_id = $2 AND sealed_key IS NULL",
        )
        .bind(&sealed)
        .bind(key_id)
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(done > 0)
    }

    async fn key_stamp(&self) -> StoreResult<KeyStamp> {
        let row = sqlx::query(
            "SELECT (SELECT key_id FROM signing_keys WHERE state = 'active') AS active, \
             (SELECT COUNT(*) FROM signing_keys WHERE state = 'retired') AS retired",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(KeyStamp {
            active: row
                .try_get::<Option<String>, _>("active")?
                .ok_or_else(|| StoreError::internal("the database names no active signing key"))?,
            retired: row.try_get("retired")?,
        })
    }

    async fn retire_key(&self, key_id: &str, actor: &str) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let at = now();
        // Only a trusted key moves to retired, in one statement: a key that
        // a concurrent rotation just made active stays active.
        let done = sqlx::query(
            "UPDATE signing_keys SET state = 'retired', retired_at = $1 \
             WHERE key_id = $2 AND state = 'trusted'",
        )
        .bind(at)
        .bind(key_id)
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
        if done == 0 {
            let state: Option<String> = fetch_optional(
                &mut *tx.tx,
                "SELECT state FROM signing_keys WHERE key_id = $1",
                [key_id.into()],
                |r| Ok(r.try_get("state")?),
            )
            .await?;
            return Err(match state.as_deref() {
                None => StoreError::not_found("signing key"),
                Some("active") => StoreError::conflict(
                    "key_active",
                    "the active key cannot be retired: rotate first",
                ),
                Some(_) => StoreError::conflict("key_retired", "this key is already retired"),
            });
        }
        // Every product's revocation list now names the key: a new version.
        sqlx::query(
            "UPDATE products SET revocation_seq = revocation_seq + 1, revocation_updated_at = $1",
        )
        .bind(at)
        .execute(&mut *tx.tx)
        .await?;
        tx.commit_with(event(actor, "key.retire", key_id, serde_json::json!({})))
            .await?;
        Ok(())
    }

    async fn retired_keys(&self) -> StoreResult<Vec<String>> {
        fetch_all(
            &self.pool,
            "SELECT key_id FROM signing_keys WHERE state = 'retired' ORDER BY retired_at, key_id",
            [],
            |r| Ok(r.try_get("key_id")?),
        )
        .await
    }
}

pub(super) async fn insert_key(tx: &mut Tx, k: &KeyRecord, sealed: &str) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO signing_keys (key_id, public_pem, state, created_at, retired_at, rollover, sealed_key) \
         VALUES ($1, $2, $3, $4, NULL, $5, $6)",
    )
    .bind(&k.key_id)
    .bind(&k.public_pem)
    .bind(&k.state)
    .bind(k.created_at)
    .bind(&k.rollover)
    .bind(sealed)
    .execute(&mut *tx.tx)
    .await?;
    Ok(())
}
