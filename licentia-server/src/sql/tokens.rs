//! API tokens.

use sqlx::any::AnyRow;
use sqlx::Row;

use super::history::event;
use super::table::{from_row, Filter, Table};
use super::{now, SqlStore, Tx};
use crate::store::{Page, Role, TokenRecord, TokenStore};
use crate::store::{StoreError, StoreResult};

#[async_trait::async_trait]
impl TokenStore for SqlStore {
    async fn bootstrap_admin(&self, token: TokenRecord, hash: String) -> StoreResult<bool> {
        let mut tx = self.begin().await?;
        let claimed = sqlx::query(
            "INSERT INTO settings (name, value) VALUES ('bootstrap_admin', $1) ON CONFLICT (name) DO NOTHING",
        )
        .bind(&token.id)
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
        if claimed == 0 {
            return Ok(false);
        }
        insert_token(tx, &token, &hash).await?;
        Ok(true)
    }

    async fn create_token(&self, token: TokenRecord, hash: String) -> StoreResult<TokenRecord> {
        insert_token(self.begin().await?, &token, &hash).await?;
        Ok(token)
    }

    async fn list_tokens(&self, page: Page) -> StoreResult<Vec<TokenRecord>> {
        TOKENS
            .list(&self.pool, Filter::default(), "created_at, id", page)
            .await
    }

    async fn revoke_token(&self, id: &str, actor: &str) -> StoreResult<TokenRecord> {
        let mut tx = self.begin().await?;
        let row = sqlx::query(&format!(
            "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL RETURNING {TOKEN_COLUMNS}"
        ))
        .bind(now())
        .bind(id)
        .fetch_optional(&mut *tx.tx)
        .await?
        .ok_or_else(|| StoreError::not_found("live token"))?;
        let token = token_row(&row)?;
        tx.commit_with(event(actor, "token.revoke", id, serde_json::json!({})))
            .await?;
        Ok(token)
    }

    async fn token_by_hash(&self, hash: &str) -> StoreResult<Option<TokenRecord>> {
        let row = sqlx::query(&format!(
            "SELECT {TOKEN_COLUMNS}, token_hash FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL"
        ))
        .bind(hash)
        .fetch_optional(&self.pool)
        .await?;
        match row {
            Some(r) => {
                let stored: String = r.try_get("token_hash")?;
                if crate::secret::hashes_equal(&stored, hash) {
                    Ok(Some(token_row(&r)?))
                } else {
                    Ok(None)
                }
            }
            None => Ok(None),
        }
    }
}

const TOKEN_COLUMNS: &str = "id, name, role, created_at, created_by, revoked_at, expires_at";

const TOKENS: Table<TokenRecord> = Table::new("api_tokens", TOKEN_COLUMNS, "token", token_row);

fn token_row(r: &AnyRow) -> StoreResult<TokenRecord> {
    let role: String = r.try_get("role")?;
    Ok(from_row!(r => TokenRecord {
        id, name, created_at, created_by, revoked_at, expires_at;
        role: Role::parse(&role).ok_or_else(|| StoreError::internal("unknown role stored"))?,
    }))
}

/// Stores a token and its history entry, and commits.
async fn insert_token(mut tx: Tx<'_>, t: &TokenRecord, hash: &str) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO api_tokens (id, name, role, token_hash, created_at, created_by, revoked_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, NULL, $7)",
    )
    .bind(&t.id)
    .bind(&t.name)
    .bind(t.role.as_str())
    .bind(hash)
    .bind(t.created_at)
    .bind(&t.created_by)
    .bind(t.expires_at)
    .execute(&mut *tx.tx)
    .await?;
    tx.commit_with(event(
        &t.created_by,
        "token.create",
        &t.id,
        serde_json::json!({"role": t.role, "name": t.name, "expires_at": t.expires_at}),
    ))
    .await
}
