//! Accounts, grants and sessions.

use sqlx::any::AnyRow;
use sqlx::Row;

use super::history::event;
use super::scope::account_node;
use super::table::{from_row, Filter, Table};
use super::{now, SqlStore, Tx};
use crate::store::{
    Account, AccountLink, AccountStore, Credentials, Grant, Holder, Page, Rights, Role, Rows,
    Scope, Session, StoreError, StoreResult,
};

const ACCOUNT_COLUMNS: &str = "id, name, email, locale, time_zone, totp_secret, locked_until, \
     created_at, created_by, disabled_at, password_hash, totp_pending";

const ACCOUNTS: Table<Account> = Table::new("accounts", ACCOUNT_COLUMNS, "account", account_row);

fn account_row(r: &AnyRow) -> StoreResult<Account> {
    let totp: Option<String> = r.try_get("totp_secret")?;
    Ok(from_row!(r => Account {
        id, name, email, locale, time_zone, locked_until, created_at, created_by, disabled_at;
        totp: totp.is_some(),
    }))
}

const GRANT_COLUMNS: &str = "g.id AS id, g.account_id AS account_id, g.token_id AS token_id, \
     g.customer_id AS customer_id, c.kind AS node_kind, g.role AS role, \
     g.may_raise_seats AS may_raise_seats, g.may_lower_seats AS may_lower_seats, \
     g.monthly_only AS monthly_only, g.may_change_renewal AS may_change_renewal, \
     g.created_at AS created_at, g.created_by AS created_by";

/// Grants with their node's kind.
const GRANTS: Table<Grant> = Table::new(
    "grants g LEFT JOIN customers c ON c.id = g.customer_id",
    GRANT_COLUMNS,
    "grant",
    grant_row,
);

fn flag(r: &AnyRow, column: &str) -> StoreResult<bool> {
    Ok(r.try_get::<i64, _>(column)? != 0)
}

fn grant_row(r: &AnyRow) -> StoreResult<Grant> {
    let role: String = r.try_get("role")?;
    Ok(from_row!(r => Grant {
        id, account_id, token_id, customer_id, node_kind, created_at, created_by;
        role: Role::parse(&role).ok_or_else(|| StoreError::internal("unknown role stored"))?,
        rights: Rights {
            may_raise_seats: flag(r, "may_raise_seats")?,
            may_lower_seats: flag(r, "may_lower_seats")?,
            monthly_only: flag(r, "monthly_only")?,
            may_change_renewal: flag(r, "may_change_renewal")?,
        },
    }))
}

/// Stores a grant inside `tx`.
pub(super) async fn insert_grant(tx: &mut Tx, g: &Grant) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO grants (id, account_id, token_id, customer_id, role, may_raise_seats, \
         may_lower_seats, monthly_only, may_change_renewal, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(&g.id)
    .bind(&g.account_id)
    .bind(&g.token_id)
    .bind(&g.customer_id)
    .bind(g.role.as_str())
    .bind(i64::from(g.rights.may_raise_seats))
    .bind(i64::from(g.rights.may_lower_seats))
    .bind(i64::from(g.rights.monthly_only))
    .bind(i64::from(g.rights.may_change_renewal))
    .bind(g.created_at)
    .bind(&g.created_by)
    .execute(&mut *tx.tx)
    .await?;
    Ok(())
}

/// Sets an account's password hash inside `tx`, clears its failures and
/// ends its sessions (they were opened with the old password).
async fn write_password(tx: &mut Tx, id: &str, hash: &str) -> StoreResult<()> {
    let changed = sqlx::query(
        "UPDATE accounts SET password_hash = $2, failed_logins = 0, locked_until = NULL WHERE id = $1",
    )
    .bind(id)
    .bind(hash)
    .execute(&mut *tx.tx)
    .await?
    .rows_affected();
    if changed == 0 {
        return Err(StoreError::not_found("account"));
    }
    sqlx::query("UPDATE sessions SET ended_at = $2 WHERE account_id = $1 AND ended_at IS NULL")
        .bind(id)
        .bind(now())
        .execute(&mut *tx.tx)
        .await?;
    Ok(())
}

fn session_row(r: &AnyRow) -> StoreResult<Session> {
    Ok(from_row!(r => Session {
        id_hash, account_id, csrf_hash, created_at, last_seen_at, expires_at
    }))
}

#[async_trait::async_trait]
impl AccountStore for SqlStore {
    async fn create_account(
        &self,
        a: Account,
        password_hash: Option<String>,
        grants: Vec<Grant>,
        actor: &str,
    ) -> StoreResult<Account> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO accounts (id, name, email, locale, time_zone, password_hash, created_at, created_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&a.id)
        .bind(&a.name)
        .bind(&a.email)
        .bind(&a.locale)
        .bind(&a.time_zone)
        .bind(&password_hash)
        .bind(a.created_at)
        .bind(&a.created_by)
        .execute(&mut *tx.tx)
        .await
        .map_err(|e| super::named_conflict(e, "an account with this e-mail address exists"))?;
        for g in &grants {
            insert_grant(&mut tx, g).await?;
        }
        let mut ev = event(
            actor,
            "account.create",
            &a.id,
            serde_json::json!({ "email": a.email, "name": a.name, "grants": grants }),
        );
        ev.customer_id = grants.iter().find_map(|g| g.customer_id.clone());
        tx.commit_with(ev).await?;
        Ok(a)
    }

    async fn account(&self, id: &str) -> StoreResult<Account> {
        ACCOUNTS.get(&self.pool, id).await
    }

    async fn list_accounts(&self, scope: &Scope, page: Page) -> StoreResult<Rows<Account>> {
        let f = Filter::default().scope(&account_node("accounts.id"), scope);
        ACCOUNTS.list(&self.pool, f, "email, id", page).await
    }

    async fn credentials(&self, email: &str) -> StoreResult<Option<Credentials>> {
        let row = sqlx::query(&ACCOUNTS.select("WHERE lower(email) = lower($1)"))
            .bind(email)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| {
            Ok(Credentials {
                account: account_row(&r)?,
                password_hash: r.try_get("password_hash")?,
                totp_secret: r.try_get("totp_secret")?,
                totp_pending: r.try_get("totp_pending")?,
            })
        })
        .transpose()
    }

    async fn login_failed(&self, id: &str, max: i64, lock_until: i64) -> StoreResult<Option<i64>> {
        let mut tx = self.begin().await?;
        let row = sqlx::query(
            "UPDATE accounts SET failed_logins = failed_logins + 1, \
             locked_until = CASE WHEN failed_logins + 1 >= $2 THEN $3 ELSE locked_until END \
             WHERE id = $1 RETURNING locked_until",
        )
        .bind(id)
        .bind(max)
        .bind(lock_until)
        .fetch_one(&mut *tx.tx)
        .await?;
        let locked: Option<i64> = row.try_get("locked_until")?;
        tx.commit().await?;
        Ok(locked.filter(|&until| until > now()))
    }

    async fn login_succeeded(&self, id: &str) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        sqlx::query("UPDATE accounts SET failed_logins = 0, locked_until = NULL WHERE id = $1")
            .bind(id)
            .execute(&mut *tx.tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn set_password(&self, id: &str, hash: &str, actor: &str) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        write_password(&mut tx, id, hash).await?;
        tx.commit_with(event(actor, "account.password", id, serde_json::json!({})))
            .await
    }

    async fn set_profile(&self, id: &str, locale: &str, time_zone: &str) -> StoreResult<Account> {
        let mut tx = self.begin().await?;
        sqlx::query("UPDATE accounts SET locale = $2, time_zone = $3 WHERE id = $1")
            .bind(id)
            .bind(locale)
            .bind(time_zone)
            .execute(&mut *tx.tx)
            .await?;
        tx.commit().await?;
        self.account(id).await
    }

    async fn stage_totp(&self, id: &str, sealed: &str) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        sqlx::query("UPDATE accounts SET totp_pending = $2 WHERE id = $1")
            .bind(id)
            .bind(sealed)
            .execute(&mut *tx.tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn confirm_totp(&self, id: &str, step: i64) -> StoreResult<bool> {
        let mut tx = self.begin().await?;
        let done = sqlx::query(
            "UPDATE accounts SET totp_secret = totp_pending, totp_pending = NULL, totp_last_step = $2 \
             WHERE id = $1 AND totp_pending IS NOT NULL",
        )
        .bind(id)
        .bind(step)
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
        if done == 0 {
            return Ok(false);
        }
        tx.commit_with(event(
            &format!("account:{id}"),
            "account.totp",
            id,
            serde_json::json!({}),
        ))
        .await?;
        Ok(true)
    }

    async fn use_totp_step(&self, id: &str, step: i64) -> StoreResult<bool> {
        let mut tx = self.begin().await?;
        let done = sqlx::query(
            "UPDATE accounts SET totp_last_step = $2 \
             WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)",
        )
        .bind(id)
        .bind(step)
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(done == 1)
    }

    async fn create_link(&self, link: AccountLink) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO account_links (token_hash, account_id, purpose, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&link.token_hash)
        .bind(&link.account_id)
        .bind(link.purpose.as_str())
        .bind(link.created_at)
        .bind(link.expires_at)
        .execute(&mut *tx.tx)
        .await?;
        let details =
            serde_json::json!({ "purpose": link.purpose.as_str(), "expires_at": link.expires_at });
        tx.commit_with(event("system", "account.link", &link.account_id, details))
            .await
    }

    async fn redeem_link(
        &self,
        token_hash: &str,
        at: i64,
        password_hash: &str,
    ) -> StoreResult<Option<Account>> {
        let mut tx = self.begin().await?;
        // One conditional update: a link is used once, however many try.
        let row = sqlx::query(
            "UPDATE account_links SET used_at = $2 \
             WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 \
             RETURNING account_id, purpose",
        )
        .bind(token_hash)
        .bind(at)
        .fetch_optional(&mut *tx.tx)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let id: String = row.try_get("account_id")?;
        let purpose: String = row.try_get("purpose")?;
        write_password(&mut tx, &id, password_hash).await?;
        let account = ACCOUNTS.get(&mut *tx.tx, &id).await?;
        let details = serde_json::json!({ "by": purpose });
        tx.commit_with(event(
            &format!("account:{id}"),
            "account.password",
            &id,
            details,
        ))
        .await?;
        Ok(Some(account))
    }

    async fn grants(&self, holder: Holder<'_>) -> StoreResult<Vec<Grant>> {
        let (condition, id) = match holder {
            Holder::Account(id) => ("g.account_id = $1", id),
            Holder::Token(id) => ("g.token_id = $1", id),
        };
        GRANTS
            .all(
                &self.pool,
                &format!("WHERE {condition} AND g.revoked_at IS NULL ORDER BY g.created_at, g.id"),
                [id.into()],
            )
            .await
    }

    async fn add_grant(&self, grant: Grant, actor: &str) -> StoreResult<Grant> {
        let mut tx = self.begin().await?;
        insert_grant(&mut tx, &grant).await?;
        let mut ev = event(
            actor,
            "grant.create",
            &grant.id,
            serde_json::json!({ "grant": grant }),
        );
        ev.customer_id = grant.customer_id.clone();
        let stored = GRANTS.find(&mut *tx.tx, "g.id = $1", &grant.id).await?;
        tx.commit_with(ev).await?;
        Ok(stored)
    }

    async fn revoke_grant(&self, id: &str, actor: &str) -> StoreResult<Grant> {
        let mut tx = self.begin().await?;
        let grant = GRANTS
            .find(
                &mut *tx.tx,
                "g.id = $1 AND g.revoked_at IS NULL AND g.account_id IS NOT NULL",
                id,
            )
            .await?;
        sqlx::query("UPDATE grants SET revoked_at = $2 WHERE id = $1")
            .bind(id)
            .bind(now())
            .execute(&mut *tx.tx)
            .await?;
        let mut ev = event(actor, "grant.revoke", id, serde_json::json!({}));
        ev.customer_id = grant.customer_id.clone();
        tx.commit_with(ev).await?;
        Ok(grant)
    }

    async fn disable_account(&self, id: &str, actor: &str) -> StoreResult<Account> {
        let mut tx = self.begin().await?;
        let account = ACCOUNTS.get(&mut *tx.tx, id).await?;
        if account.disabled_at.is_some() {
            return Ok(account);
        }
        let at = now();
        for change in [
            "UPDATE accounts SET disabled_at = $2 WHERE id = $1",
            "UPDATE sessions SET ended_at = $2 WHERE account_id = $1 AND ended_at IS NULL",
            "UPDATE api_tokens SET revoked_at = $2 WHERE account_id = $1 AND revoked_at IS NULL",
        ] {
            sqlx::query(change)
                .bind(id)
                .bind(at)
                .execute(&mut *tx.tx)
                .await?;
        }
        let account = ACCOUNTS.get(&mut *tx.tx, id).await?;
        tx.commit_with(event(actor, "account.disable", id, serde_json::json!({})))
            .await?;
        Ok(account)
    }

    async fn create_session(&self, s: Session) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO sessions (id_hash, account_id, csrf_hash, created_at, last_seen_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&s.id_hash)
        .bind(&s.account_id)
        .bind(&s.csrf_hash)
        .bind(s.created_at)
        .bind(s.last_seen_at)
        .bind(s.expires_at)
        .execute(&mut *tx.tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn touch_session(
        &self,
        id_hash: &str,
        at: i64,
        idle: i64,
    ) -> StoreResult<Option<Session>> {
        // One conditional update: a session past either timeout is not
        // touched, so it stays dead. Times are whole seconds, so idle means
        // more than `idle` seconds apart: with `>` a session of one idle
        // second died whenever a request crossed a second boundary.
        let mut tx = self.begin().await?;
        let row = sqlx::query(
            "UPDATE sessions SET last_seen_at = $2 \
             WHERE id_hash = $1 AND ended_at IS NULL AND expires_at > $2 AND last_seen_at + $3 >= $2 \
             RETURNING id_hash, account_id, csrf_hash, created_at, last_seen_at, expires_at",
        )
        .bind(id_hash)
        .bind(at)
        .bind(idle)
        .fetch_optional(&mut *tx.tx)
        .await?;
        tx.commit().await?;
        row.as_ref().map(session_row).transpose()
    }

    async fn end_session(&self, id_hash: &str) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        sqlx::query("UPDATE sessions SET ended_at = $2 WHERE id_hash = $1 AND ended_at IS NULL")
            .bind(id_hash)
            .bind(now())
            .execute(&mut *tx.tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
