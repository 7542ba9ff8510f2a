//! API tokens.

use sqlx::any::AnyRow;
use sqlx::Row;

use super::accounts::insert_grant;
use super::history::event;
use super::table::{from_row, Filter, Table};
use super::{now, SqlStore, Tx};
use crate::store::{Grant, Page, Rights, Role, Rows, Scope, TokenRecord, TokenStore};
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
        insert_token(tx, &token, &hash, Rights::default()).await?;
        Ok(true)
    }

    async fn create_token(
        &self,
        token: TokenRecord,
        hash: String,
        rights: Rights,
    ) -> StoreResult<TokenRecord> {
        insert_token(self.begin().await?, &token, &hash, rights).await?;
        Ok(token)
    }

    async fn list_tokens(&self, scope: &Scope, page: Page) -> StoreResult<Rows<TokenRecord>> {
        let f = Filter::default().scope("g.customer_id", scope);
        TOKENS.list(&self.pool, f, "t.created_at, t.id", page).await
    }

    async fn revoke_token(&self, id: &str, actor: &str) -> StoreResult<TokenRecord> {
        let mut tx = self.begin().await?;
        let revoked = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
        )
        .bind(now())
        .bind(id)
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
        if revoked == 0 {
            return Err(StoreError::not_found("live token"));
        }
        let token = TOKENS.find(&mut *tx.tx, "t.id = $1", id).await?;
        tx.commit_with(event(actor, "token.revoke", id, serde_json::json!({})))
            .await?;
        Ok(token)
    }

    async fn token_by_hash(&self, hash: &str) -> StoreResult<Option<TokenRecord>> {
        let row = sqlx::query(&TOKENS.select("WHERE t.token_hash = $1 AND t.revoked_at IS NULL"))
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

const TOKEN_COLUMNS: &str = "t.id AS id, t.name AS name, g.role AS role, \
     g.customer_id AS customer_id, t.account_id AS account_id, t.service AS service, \
     t.created_at AS created_at, t.created_by AS created_by, t.revoked_at AS revoked_at, \
     t.expires_at AS expires_at, t.token_hash AS token_hash";

/// A token with its grant (every token has one).
const TOKENS: Table<TokenRecord> = Table::new(
    "api_tokens t JOIN grants g ON g.token_id = t.id",
    TOKEN_COLUMNS,
    "token",
    token_row,
);

fn token_row(r: &AnyRow) -> StoreResult<TokenRecord> {
    let role: String = r.try_get("role")?;
    Ok(from_row!(r => TokenRecord {
        id, name, customer_id, account_id, service, created_at, created_by, revoked_at, expires_at;
        role: Role::parse(&role).ok_or_else(|| StoreError::internal("unknown role stored"))?,
    }))
}

/// Stores a token, its grant and its history entry, and commits.
async fn insert_token(mut tx: Tx, t: &TokenRecord, hash: &str, rights: Rights) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO api_tokens (id, name, token_hash, created_at, created_by, revoked_at, expires_at, account_id, service) \
         VALUES ($1, $2, $3, $4, $5, NULL, $6, $7, $8)",
    )
    .bind(&t.id)
    .bind(&t.name)
    .bind(hash)
    .bind(t.created_at)
    .bind(&t.created_by)
    .bind(t.expires_at)
    .bind(&t.account_id)
    .bind(&t.service)
    .execute(&mut *tx.tx)
    .await?;
    let grant = Grant {
        id: format!("grt_{}", t.id),
        account_id: None,
        token_id: Some(t.id.clone()),
        customer_id: t.customer_id.clone(),
        node_kind: None,
        role: t.role,
        rights,
        created_at: t.created_at,
        created_by: t.created_by.clone(),
    };
    insert_grant(&mut tx, &grant).await?;
    tx.commit_with(event(
        &t.created_by,
        "token.create",
        &t.id,
        serde_json::json!({
            "role": t.role, "name": t.name, "expires_at": t.expires_at,
            "customer_id": t.customer_id, "account_id": t.account_id, "rights": rights,
        }),
    ))
    .await
}
