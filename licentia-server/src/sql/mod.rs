//! [`Store`] on SQLite or PostgreSQL through sqlx's `Any` driver: one set of
//! runtime queries (`$1`-style placeholders, which both backends accept), and
//! per-dialect migrations embedded at build time.
//!
//! Invariants are kept by the database, so they hold with any number of
//! server instances: conditional updates (`seats_used < seats`), unique
//! indexes, and a row lock on the license (`lock_version`) that serializes
//! the count-then-insert of leases and temporary licenses. On SQLite, write
//! transactions start with `BEGIN IMMEDIATE` and are queued in-process, so
//! they wait for each other instead of failing with "database is locked".

use std::time::Duration;

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{Any, AnyPool, Executor, Row, Transaction};
use tokio::sync::{Mutex, MutexGuard};

use crate::config::Config;
use crate::error::{ApiError, ApiResult};
use crate::history::chain_hash;
use crate::store::*;
use licentia::spec::LicenseSpec;

mod bulk;
mod members;
mod notices;
mod purchases;
mod reports;
mod subscriptions;

/// Migrations, oldest first: (version, SQL).
const SQLITE_MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../migrations/sqlite/0001_init.sql")),
    (
        2,
        include_str!("../migrations/sqlite/0002_history_tip_trigger.sql"),
    ),
    (3, include_str!("../migrations/sqlite/0003_allocations.sql")),
    (4, include_str!("../migrations/sqlite/0004_plans.sql")),
    (5, include_str!("../migrations/sqlite/0005_commerce.sql")),
    (
        6,
        include_str!("../migrations/sqlite/0006_subscriptions.sql"),
    ),
    (7, include_str!("../migrations/sqlite/0007_notices.sql")),
    (
        8,
        include_str!("../migrations/sqlite/0008_license_terms_version.sql"),
    ),
];
const POSTGRES_MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../migrations/postgres/0001_init.sql")),
    (
        2,
        include_str!("../migrations/postgres/0002_history_tip_trigger.sql"),
    ),
    (
        3,
        include_str!("../migrations/postgres/0003_allocations.sql"),
    ),
    (4, include_str!("../migrations/postgres/0004_plans.sql")),
    (5, include_str!("../migrations/postgres/0005_commerce.sql")),
    (
        6,
        include_str!("../migrations/postgres/0006_subscriptions.sql"),
    ),
    (7, include_str!("../migrations/postgres/0007_notices.sql")),
    (
        8,
        include_str!("../migrations/postgres/0008_license_terms_version.sql"),
    ),
];

/// Any PostgreSQL session that migrates holds this advisory lock.
const MIGRATION_LOCK: i64 = 0x6c69_6365_6e74;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dialect {
    Sqlite,
    Postgres,
}

/// The SQL store.
#[derive(Debug)]
pub struct SqlStore {
    pool: AnyPool,
    dialect: Dialect,
    /// SQLite only: one write transaction at a time in this process.
    writer: Option<Mutex<()>>,
}

/// A write transaction (and, on SQLite, this process's writer slot).
struct Tx<'a> {
    tx: Transaction<'static, Any>,
    _writer: Option<MutexGuard<'a, ()>>,
}

fn now() -> i64 {
    licentia::Timestamp::now().0
}

impl SqlStore {
    /// Connects (creating the SQLite file if needed) and migrates.
    pub async fn connect(config: &Config) -> Result<SqlStore, String> {
        sqlx::any::install_default_drivers();
        let url = config.database_url();
        let dialect = if url.starts_with("sqlite:") {
            Dialect::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Dialect::Postgres
        } else {
            return Err("the database URL must start with sqlite: or postgres:".into());
        };
        let synchronous = if config.sqlite_synchronous == "normal" {
            "NORMAL"
        } else {
            "FULL"
        };
        let pool = AnyPoolOptions::new()
            .max_connections(config.max_connections)
            // A database that is down answers 503 after this; connections
            // are tested before use (sqlx's default), so after a restart
            // dead ones are dropped and fresh ones made.
            .acquire_timeout(Duration::from_secs(config.acquire_timeout_secs))
            // A connection whose transaction could not be ended (its COMMIT
            // or ROLLBACK refused by full or failing storage) is closed, not
            // reused: it would refuse every later BEGIN with a 500.
            .after_release(|conn, _| {
                Box::pin(async move { Ok(!sqlx::Connection::is_in_transaction(conn)) })
            })
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if dialect == Dialect::Sqlite {
                        conn.execute("PRAGMA journal_mode = WAL").await?;
                        conn.execute("PRAGMA busy_timeout = 10000").await?;
                        conn.execute(format!("PRAGMA synchronous = {synchronous}").as_str())
                            .await?;
                        conn.execute("PRAGMA foreign_keys = ON").await?;
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await
            .map_err(|e| format!("cannot open the database: {e}"))?;
        let store = SqlStore {
            pool,
            dialect,
            writer: (dialect == Dialect::Sqlite).then(|| Mutex::new(())),
        };
        store
            .migrate()
            .await
            .map_err(|e| format!("cannot migrate the database: {e}"))?;
        Ok(store)
    }

    /// Applies the migrations not yet applied, one transaction each.
    async fn migrate(&self) -> Result<(), sqlx::Error> {
        let mut conn = self.pool.acquire().await?;
        let migrations = match self.dialect {
            Dialect::Sqlite => SQLITE_MIGRATIONS,
            Dialect::Postgres => {
                sqlx::query("SELECT pg_advisory_lock($1)")
                    .bind(MIGRATION_LOCK)
                    .execute(&mut *conn)
                    .await?;
                POSTGRES_MIGRATIONS
            }
        };
        let result = async {
            conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations \
                 (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)",
            )
            .await?;
            for (version, sql) in migrations {
                let done: i64 =
                    sqlx::query("SELECT COUNT(*) AS n FROM schema_migrations WHERE version = $1")
                        .bind(*version)
                        .fetch_one(&mut *conn)
                        .await?
                        .try_get("n")?;
                if done > 0 {
                    continue;
                }
                let mut tx = match self.dialect {
                    Dialect::Sqlite => {
                        sqlx::Connection::begin_with(&mut *conn, "BEGIN IMMEDIATE").await?
                    }
                    Dialect::Postgres => sqlx::Connection::begin(&mut *conn).await?,
                };
                sqlx::raw_sql(sql).execute(&mut *tx).await?;
                sqlx::query("INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)")
                    .bind(*version)
                    .bind(now())
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
            }
            Ok::<(), sqlx::Error>(())
        }
        .await;
        if self.dialect == Dialect::Postgres {
            sqlx::query("SELECT pg_advisory_unlock($1)")
                .bind(MIGRATION_LOCK)
                .execute(&mut *conn)
                .await?;
        }
        result
    }

    async fn begin(&self) -> ApiResult<Tx<'_>> {
        let writer = match &self.writer {
            Some(m) => Some(m.lock().await),
            None => None,
        };
        let tx = match self.dialect {
            Dialect::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Dialect::Postgres => self.pool.begin().await?,
        };
        Ok(Tx {
            tx,
            _writer: writer,
        })
    }

    /// Stores the idempotent answer (if any) and commits; when another
    /// request with the same key committed first, rolls back and replays it.
    async fn finish<T>(
        &self,
        mut tx: Tx<'_>,
        result: T,
        idem: Option<Idem<T>>,
    ) -> ApiResult<Outcome<T>> {
        if let Some(idem) = idem {
            let sealed = (idem.seal)(&result);
            let inserted = sqlx::query(
                "INSERT INTO idempotency_keys (scope, request_hash, status, response, created_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(&idem.scope)
            .bind(&idem.request_hash)
            .bind(i64::from(idem.status))
            .bind(&sealed)
            .bind(now())
            .execute(&mut *tx.tx)
            .await;
            match inserted {
                Ok(_) => {}
                Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                    tx.tx.rollback().await?;
                    return self.replay(&idem.scope, &idem.request_hash).await;
                }
                Err(e) => return Err(e.into()),
            }
        }
        tx.tx.commit().await?;
        Ok(Outcome::Fresh(result))
    }

    async fn replay<T>(&self, scope: &str, request_hash: &str) -> ApiResult<Outcome<T>> {
        let stored = self
            .stored_answer(scope)
            .await?
            .ok_or_else(|| ApiError::internal("idempotency record vanished"))?;
        if stored.request_hash != request_hash {
            return Err(idempotency_mismatch());
        }
        Ok(Outcome::Replay {
            status: stored.status,
            sealed: stored.sealed,
        })
    }
}

/// The 422 for a key reused with another request.
pub fn idempotency_mismatch() -> ApiError {
    ApiError::invalid("this Idempotency-Key was used for a different request")
}

/// Appends `event` to the history chain inside `tx`.
async fn append(tx: &mut Tx<'_>, event: Event) -> ApiResult<()> {
    // The head row's update takes its lock: appends queue here, one chain.
    let head =
        sqlx::query("UPDATE history_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
            .fetch_one(&mut *tx.tx)
            .await?;
    let mut entry = HistoryEntry {
        seq: head.try_get("seq")?,
        at: now(),
        actor: event.actor,
        operation: event.operation.to_owned(),
        subject: event.subject,
        license_id: event.license_id,
        customer_id: event.customer_id,
        details: event.details.to_string(),
        prev_hash: head.try_get("hash")?,
        hash: String::new(),
    };
    entry.hash = chain_hash(&entry.prev_hash, &entry);
    sqlx::query(
        "INSERT INTO history (seq, at, actor, operation, subject, license_id, customer_id, details, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(entry.seq)
    .bind(entry.at)
    .bind(&entry.actor)
    .bind(&entry.operation)
    .bind(&entry.subject)
    .bind(&entry.license_id)
    .bind(&entry.customer_id)
    .bind(&entry.details)
    .bind(&entry.prev_hash)
    .bind(&entry.hash)
    .execute(&mut *tx.tx)
    .await?;
    // The history_tip trigger (migration 2) moves the head's hash along.
    Ok(())
}

fn event(actor: &str, operation: &'static str, subject: &str, details: serde_json::Value) -> Event {
    Event {
        actor: actor.to_owned(),
        operation,
        subject: subject.to_owned(),
        license_id: None,
        customer_id: None,
        details,
    }
}

/// A bound value of a dynamically built query.
enum Arg {
    Text(String),
    Int(i64),
}

/// `WHERE` clauses with numbered placeholders, for list filters.
#[derive(Default)]
struct Filter {
    clauses: Vec<String>,
    args: Vec<Arg>,
}

impl Filter {
    fn text(&mut self, column: &str, value: Option<&str>) {
        self.compare(&format!("{column} ="), value);
    }

    /// `condition` (a column and an operator) against a text value.
    fn compare(&mut self, condition: &str, value: Option<&str>) {
        if let Some(v) = value {
            self.args.push(Arg::Text(v.to_owned()));
            self.clauses
                .push(format!("{condition} ${}", self.args.len()));
        }
    }

    fn int(&mut self, condition: &str, value: Option<i64>) {
        if let Some(v) = value {
            self.args.push(Arg::Int(v));
            self.clauses
                .push(format!("{condition} ${}", self.args.len()));
        }
    }

    /// `WHERE ...` (or nothing), then `ORDER BY`, `LIMIT` and `OFFSET`.
    fn sql(&mut self, select: &str, order: &str, page: Page) -> String {
        let mut sql = select.to_owned();
        if !self.clauses.is_empty() {
            sql.push_str(" WHERE ");
            sql.push_str(&self.clauses.join(" AND "));
        }
        self.args.push(Arg::Int(page.limit));
        self.args.push(Arg::Int(page.offset));
        let n = self.args.len();
        sql.push_str(&format!(" ORDER BY {order} LIMIT ${} OFFSET ${n}", n - 1));
        sql
    }

    async fn fetch(self, sql: &str, pool: &AnyPool) -> Result<Vec<AnyRow>, sqlx::Error> {
        let mut q = sqlx::query(sql);
        for arg in self.args {
            q = match arg {
                Arg::Text(s) => q.bind(s),
                Arg::Int(i) => q.bind(i),
            };
        }
        q.fetch_all(pool).await
    }
}

const TOKEN_COLUMNS: &str = "id, name, role, created_at, created_by, revoked_at";
const PRODUCT_COLUMNS: &str = "id, code, name, created_at";
const POLICY_COLUMNS: &str =
    "id, product_id, name, kind, binding, match_rule, duration_days, seats, \
     grace_days, check_in_days, max_offline_days, entitlements, temp_quota, temp_period_days, \
     temp_duration_days, lease_ttl_secs, created_at";
const CUSTOMER_COLUMNS: &str = "id, parent_id, kind, name, email, external_ref, created_at";
const PLAN_COLUMNS: &str = "id, product_id, policy_id, name, options, created_at";
const LICENSE_COLUMNS: &str =
    "id, product_id, policy_id, customer_id, key_hint, status, licensee, spec, \
     seats, seats_used, expires_at, file, issued_at, updated_at, terms_version";
const ACTIVATION_COLUMNS: &str =
    "id, license_id, fingerprint, platform, mode, file, created_at, last_seen_at, deactivated_at";
const LEASE_COLUMNS: &str = "id, license_id, fingerprint, created_at, expires_at, returned_at";
const HISTORY_COLUMNS: &str =
    "seq, at, actor, operation, subject, license_id, customer_id, details, prev_hash, hash";

fn token_row(r: &AnyRow) -> ApiResult<TokenRecord> {
    let role: String = r.try_get("role")?;
    Ok(TokenRecord {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        role: Role::parse(&role).ok_or_else(|| ApiError::internal("unknown role stored"))?,
        created_at: r.try_get("created_at")?,
        created_by: r.try_get("created_by")?,
        revoked_at: r.try_get("revoked_at")?,
    })
}

fn product_row(r: &AnyRow) -> ApiResult<Product> {
    Ok(Product {
        id: r.try_get("id")?,
        code: r.try_get("code")?,
        name: r.try_get("name")?,
        created_at: r.try_get("created_at")?,
    })
}

fn policy_row(r: &AnyRow) -> ApiResult<Policy> {
    let entitlements: String = r.try_get("entitlements")?;
    Ok(Policy {
        id: r.try_get("id")?,
        product_id: r.try_get("product_id")?,
        name: r.try_get("name")?,
        kind: r.try_get("kind")?,
        binding: r.try_get("binding")?,
        match_rule: r.try_get("match_rule")?,
        duration_days: r.try_get("duration_days")?,
        seats: r.try_get("seats")?,
        grace_days: r.try_get("grace_days")?,
        check_in_days: r.try_get("check_in_days")?,
        max_offline_days: r.try_get("max_offline_days")?,
        entitlements: serde_json::from_str(&entitlements).map_err(ApiError::internal)?,
        temp_quota: r.try_get("temp_quota")?,
        temp_period_days: r.try_get("temp_period_days")?,
        temp_duration_days: r.try_get("temp_duration_days")?,
        lease_ttl_secs: r.try_get("lease_ttl_secs")?,
        created_at: r.try_get("created_at")?,
    })
}

fn plan_row(r: &AnyRow) -> ApiResult<Plan> {
    let options: String = r.try_get("options")?;
    Ok(Plan {
        id: r.try_get("id")?,
        product_id: r.try_get("product_id")?,
        policy_id: r.try_get("policy_id")?,
        name: r.try_get("name")?,
        options: serde_json::from_str(&options).map_err(ApiError::internal)?,
        created_at: r.try_get("created_at")?,
    })
}

fn customer_row(r: &AnyRow) -> ApiResult<Customer> {
    Ok(Customer {
        id: r.try_get("id")?,
        parent_id: r.try_get("parent_id")?,
        kind: r.try_get("kind")?,
        name: r.try_get("name")?,
        email: r.try_get("email")?,
        external_ref: r.try_get("external_ref")?,
        created_at: r.try_get("created_at")?,
    })
}

fn license_row(r: &AnyRow) -> ApiResult<LicenseRecord> {
    let spec: String = r.try_get("spec")?;
    Ok(LicenseRecord {
        id: r.try_get("id")?,
        product_id: r.try_get("product_id")?,
        policy_id: r.try_get("policy_id")?,
        customer_id: r.try_get("customer_id")?,
        key_hint: r.try_get("key_hint")?,
        status: r.try_get("status")?,
        licensee: r.try_get("licensee")?,
        spec: serde_json::from_str::<LicenseSpec>(&spec).map_err(ApiError::internal)?,
        seats: r.try_get("seats")?,
        seats_used: r.try_get("seats_used")?,
        expires_at: r.try_get("expires_at")?,
        file: r.try_get("file")?,
        issued_at: r.try_get("issued_at")?,
        updated_at: r.try_get("updated_at")?,
        terms_version: r.try_get("terms_version")?,
    })
}

fn activation_row(r: &AnyRow) -> ApiResult<Activation> {
    Ok(Activation {
        id: r.try_get("id")?,
        license_id: r.try_get("license_id")?,
        fingerprint: r.try_get("fingerprint")?,
        platform: r.try_get("platform")?,
        mode: r.try_get("mode")?,
        file: r.try_get("file")?,
        created_at: r.try_get("created_at")?,
        last_seen_at: r.try_get("last_seen_at")?,
        deactivated_at: r.try_get("deactivated_at")?,
    })
}

fn lease_row(r: &AnyRow) -> ApiResult<Lease> {
    Ok(Lease {
        id: r.try_get("id")?,
        license_id: r.try_get("license_id")?,
        fingerprint: r.try_get("fingerprint")?,
        created_at: r.try_get("created_at")?,
        expires_at: r.try_get("expires_at")?,
        returned_at: r.try_get("returned_at")?,
    })
}

fn history_row(r: &AnyRow) -> ApiResult<HistoryEntry> {
    Ok(HistoryEntry {
        seq: r.try_get("seq")?,
        at: r.try_get("at")?,
        actor: r.try_get("actor")?,
        operation: r.try_get("operation")?,
        subject: r.try_get("subject")?,
        license_id: r.try_get("license_id")?,
        customer_id: r.try_get("customer_id")?,
        details: r.try_get("details")?,
        prev_hash: r.try_get("prev_hash")?,
        hash: r.try_get("hash")?,
    })
}

/// The 409 for an operation a license's status forbids.
fn status_refusal(status: &str) -> ApiError {
    ApiError::conflict(
        match status {
            "suspended" => "license_suspended",
            "revoked" => "license_revoked",
            _ => "license_inactive",
        },
        format!("the license is {status}"),
    )
    .with(serde_json::json!({ "license_status": status }))
}

/// Reads a license's status (and seats) inside `tx`, for refusals.
async fn license_state(tx: &mut Tx<'_>, id: &str) -> ApiResult<(String, i64, i64)> {
    let row = sqlx::query("SELECT status, seats, seats_used FROM licenses WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *tx.tx)
        .await?
        .ok_or_else(|| ApiError::not_found("license"))?;
    Ok((
        row.try_get("status")?,
        row.try_get("seats")?,
        row.try_get("seats_used")?,
    ))
}

/// Takes the license row's lock for the rest of `tx`; refused unless active.
/// Locks the allocation row of (`customer_id`, `product_id`) until the
/// transaction ends (a no-op update takes the row lock on PostgreSQL; SQLite
/// writers are serialized already) and reads it after any earlier holder
/// committed: `(seats, given)`, or None when the node holds no allocation.
async fn lock_allocation(
    tx: &mut Tx<'_>,
    customer_id: &str,
    product_id: &str,
) -> ApiResult<Option<(i64, i64)>> {
    let row = sqlx::query(
        "UPDATE allocations SET seats = seats WHERE customer_id = $1 AND product_id = $2 \
         RETURNING seats, given",
    )
    .bind(customer_id)
    .bind(product_id)
    .fetch_optional(&mut *tx.tx)
    .await?;
    row.map(|r| Ok((r.try_get("seats")?, r.try_get("given")?)))
        .transpose()
}

/// The seats of product `p` in use at node `c` at time `t` (three SQL
/// expressions): each member's service holds one seat however many machines
/// use it, until its license is revoked (by unassigning, or by hand through
/// the license routes: either way it never works again); other licenses naming the node hold one per active activation and
/// one per live (unexpired, unreturned) lease.
fn used_sql(c: &str, p: &str, t: &str) -> String {
    let not_member = "NOT EXISTS (SELECT 1 FROM members m WHERE m.license_id = l.id)";
    format!(
        "((SELECT COUNT(*) FROM members m JOIN licenses l ON l.id = m.license_id \
           WHERE l.customer_id = {c} AND l.product_id = {p} AND l.status <> 'revoked') \
         + (SELECT COUNT(*) FROM activations v JOIN licenses l ON l.id = v.license_id \
           WHERE l.customer_id = {c} AND l.product_id = {p} AND v.deactivated_at IS NULL \
           AND {not_member}) \
         + (SELECT COUNT(*) FROM leases e JOIN licenses l ON l.id = e.license_id \
           WHERE l.customer_id = {c} AND l.product_id = {p} AND e.returned_at IS NULL \
           AND e.expires_at > {t} AND {not_member}))"
    )
}

/// Seats of `product_id` in use at `customer_id` (see [`used_sql`]). Read
/// after [`lock_allocation`], it sees every seat committed by an earlier
/// holder of the lock.
async fn used_seats(tx: &mut Tx<'_>, customer_id: &str, product_id: &str) -> ApiResult<i64> {
    let row = sqlx::query(&format!("SELECT {} AS used", used_sql("$1", "$2", "$3")))
        .bind(customer_id)
        .bind(product_id)
        .bind(now())
        .fetch_one(&mut *tx.tx)
        .await?;
    Ok(row.try_get("used")?)
}

/// What just took a seat of a license, for [`check_allocation`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Taken {
    /// An activation or a lease: a seat unless the license is a member's
    /// service (which holds one seat already).
    Machine,
    /// A member's service, just assigned.
    Service,
}

/// Refuses the seat a new activation, lease or member service of
/// `license_id` just took when the license's customer node holds an
/// allocation of the product and the node's seats in use plus those it gave
/// on now exceed it — or when the node holds none while a node above it
/// allocates the product.
async fn check_allocation(tx: &mut Tx<'_>, license_id: &str, taken: Taken) -> ApiResult<()> {
    let row = sqlx::query(
        "SELECT customer_id, product_id, \
         (SELECT COUNT(*) FROM members m WHERE m.license_id = l.id) AS services \
         FROM licenses l WHERE id = $1",
    )
    .bind(license_id)
    .fetch_one(&mut *tx.tx)
    .await?;
    let customer: Option<String> = row.try_get("customer_id")?;
    let product: String = row.try_get("product_id")?;
    let services: i64 = row.try_get("services")?;
    let Some(customer) = customer else {
        return Ok(());
    };
    if taken == Taken::Machine && services > 0 {
        return Ok(());
    }
    let Some((allocated, given)) = lock_allocation(tx, &customer, &product).await? else {
        // Under a node that allocates the product, a node holds only what
        // it was given: none without an allocation of its own.
        let above = sqlx::query(
            "WITH RECURSIVE up (id, parent_id, depth) AS ( \
                 SELECT id, parent_id, 0 FROM customers WHERE id = $1 \
                 UNION ALL SELECT c.id, c.parent_id, u.depth + 1 FROM customers c \
                 JOIN up u ON c.id = u.parent_id) \
             SELECT a.customer_id FROM allocations a JOIN up u ON a.customer_id = u.id \
             WHERE a.product_id = $2 ORDER BY u.depth LIMIT 1",
        )
        .bind(&customer)
        .bind(&product)
        .fetch_optional(&mut *tx.tx)
        .await?;
        return match above {
            None => Ok(()),
            Some(row) => {
                let ancestor: String = row.try_get("customer_id")?;
                Err(ApiError::conflict(
                    ALLOCATION_EXHAUSTED,
                    format!(
                        "customer {customer} holds 0 seats of this product: {ancestor} above it allocates them, and gave it none"
                    ),
                )
                .with(serde_json::json!({
                    "customer_id": customer,
                    "product_id": product,
                    "allocated": 0,
                    "given": 0,
                    "used": 0,
                    "allocated_by": ancestor,
                })))
            }
        };
    };
    // The count includes the seat this transaction just took.
    let used = used_seats(tx, &customer, &product).await? - 1;
    if used + 1 + given > allocated {
        return Err(ApiError::conflict(
            ALLOCATION_EXHAUSTED,
            format!(
                "customer {customer} holds {allocated} seats of this product: {used} in use, {given} given to its children"
            ),
        )
        .with(serde_json::json!({
            "customer_id": customer,
            "product_id": product,
            "allocated": allocated,
            "given": given,
            "used": used,
        })));
    }
    Ok(())
}

fn allocation(
    customer_id: &str,
    product_id: &str,
    allocated: i64,
    given: i64,
    used: i64,
) -> Allocation {
    Allocation {
        customer_id: customer_id.to_owned(),
        product_id: product_id.to_owned(),
        allocated,
        given,
        used,
        free: allocated - given - used,
    }
}

async fn lock_active_license(tx: &mut Tx<'_>, id: &str) -> ApiResult<()> {
    let locked = sqlx::query(
        "UPDATE licenses SET lock_version = lock_version + 1 WHERE id = $1 AND status = 'active'",
    )
    .bind(id)
    .execute(&mut *tx.tx)
    .await?
    .rows_affected();
    if locked == 0 {
        let (status, _, _) = license_state(tx, id).await?;
        return Err(status_refusal(&status));
    }
    Ok(())
}

#[async_trait::async_trait]
impl Store for SqlStore {
    async fn ping(&self) -> ApiResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn bootstrap_admin(&self, token: TokenRecord, hash: String) -> ApiResult<bool> {
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
        insert_token(&mut tx, &token, &hash).await?;
        append(
            &mut tx,
            event(
                &token.created_by,
                "token.create",
                &token.id,
                serde_json::json!({"role": token.role, "name": token.name}),
            ),
        )
        .await?;
        tx.tx.commit().await?;
        Ok(true)
    }

    async fn create_token(&self, token: TokenRecord, hash: String) -> ApiResult<TokenRecord> {
        let mut tx = self.begin().await?;
        insert_token(&mut tx, &token, &hash).await?;
        append(
            &mut tx,
            event(
                &token.created_by,
                "token.create",
                &token.id,
                serde_json::json!({"role": token.role, "name": token.name}),
            ),
        )
        .await?;
        tx.tx.commit().await?;
        Ok(token)
    }

    async fn list_tokens(&self, page: Page) -> ApiResult<Vec<TokenRecord>> {
        let mut f = Filter::default();
        let sql = f.sql(
            &format!("SELECT {TOKEN_COLUMNS} FROM api_tokens"),
            "created_at, id",
            page,
        );
        f.fetch(&sql, &self.pool)
            .await?
            .iter()
            .map(token_row)
            .collect()
    }

    async fn revoke_token(&self, id: &str, actor: &str) -> ApiResult<TokenRecord> {
        let mut tx = self.begin().await?;
        let row = sqlx::query(&format!(
            "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL RETURNING {TOKEN_COLUMNS}"
        ))
        .bind(now())
        .bind(id)
        .fetch_optional(&mut *tx.tx)
        .await?
        .ok_or_else(|| ApiError::not_found("live token"))?;
        let token = token_row(&row)?;
        append(
            &mut tx,
            event(actor, "token.revoke", id, serde_json::json!({})),
        )
        .await?;
        tx.tx.commit().await?;
        Ok(token)
    }

    async fn token_by_hash(&self, hash: &str) -> ApiResult<Option<TokenRecord>> {
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

    async fn signing_keys(&self) -> ApiResult<Vec<KeyRecord>> {
        let rows = sqlx::query(
            "SELECT key_id, public_pem, state, created_at, rollover FROM signing_keys \
             WHERE state <> 'retired' ORDER BY created_at, key_id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(KeyRecord {
                    key_id: r.try_get("key_id")?,
                    public_pem: r.try_get("public_pem")?,
                    state: r.try_get("state")?,
                    created_at: r.try_get("created_at")?,
                    rollover: r.try_get("rollover")?,
                })
            })
            .collect()
    }

    async fn add_first_key(&self, key: KeyRecord) -> ApiResult<bool> {
        let mut tx = self.begin().await?;
        let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM signing_keys")
            .fetch_one(&mut *tx.tx)
            .await?
            .try_get("n")?;
        if n > 0 {
            return Ok(false);
        }
        insert_key(&mut tx, &key).await?;
        append(
            &mut tx,
            event("system", "key.create", &key.key_id, serde_json::json!({})),
        )
        .await?;
        match tx.tx.commit().await {
            Ok(()) => Ok(true),
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    async fn rotate_key(&self, key: KeyRecord, previous: &str, actor: &str) -> ApiResult<()> {
        let mut tx = self.begin().await?;
        let demoted = sqlx::query(
            "UPDATE signing_keys SET state = 'trusted' WHERE state = 'active' AND key_id = $1",
        )
        .bind(previous)
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
        if demoted == 0 {
            return Err(ApiError::conflict(
                "key_rotated",
                "another rotation came first; try again",
            ));
        }
        insert_key(&mut tx, &key).await?;
        append(
            &mut tx,
            event(actor, "key.rotate", &key.key_id, serde_json::json!({})),
        )
        .await?;
        tx.tx.commit().await?;
        Ok(())
    }

    async fn key_stamp(&self) -> ApiResult<KeyStamp> {
        let row = sqlx::query(
            "SELECT (SELECT key_id FROM signing_keys WHERE state = 'active') AS active, \
             (SELECT COUNT(*) FROM signing_keys WHERE state = 'retired') AS retired",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(KeyStamp {
            active: row
                .try_get::<Option<String>, _>("active")?
                .ok_or_else(|| ApiError::internal("the database names no active signing key"))?,
            retired: row.try_get("retired")?,
        })
    }

    async fn retire_key(&self, key_id: &str, actor: &str) -> ApiResult<()> {
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
            let state: Option<String> =
                sqlx::query("SELECT state FROM signing_keys WHERE key_id = $1")
                    .bind(key_id)
                    .fetch_optional(&mut *tx.tx)
                    .await?
                    .map(|r| r.try_get("state"))
                    .transpose()?;
            return Err(match state.as_deref() {
                None => ApiError::not_found("signing key"),
                Some("active") => ApiError::conflict(
                    "key_active",
                    "the active key cannot be retired: rotate first",
                ),
                Some(_) => ApiError::conflict("key_retired", "this key is already retired"),
            });
        }
        // Every product's revocation list now names the key: a new version.
        sqlx::query(
            "UPDATE products SET revocation_seq = revocation_seq + 1, revocation_updated_at = $1",
        )
        .bind(at)
        .execute(&mut *tx.tx)
        .await?;
        append(
            &mut tx,
            event(actor, "key.retire", key_id, serde_json::json!({})),
        )
        .await?;
        tx.tx.commit().await?;
        Ok(())
    }

    async fn retired_keys(&self) -> ApiResult<Vec<String>> {
        sqlx::query(
            "SELECT key_id FROM signing_keys WHERE state = 'retired' ORDER BY retired_at, key_id",
        )
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| Ok(r.try_get("key_id")?))
        .collect()
    }

    async fn create_product(&self, product: Product, actor: &str) -> ApiResult<Product> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO products (id, code, name, created_at, revocation_seq, revocation_updated_at) \
             VALUES ($1, $2, $3, $4, 0, $4)",
        )
        .bind(&product.id)
        .bind(&product.code)
        .bind(&product.name)
        .bind(product.created_at)
        .execute(&mut *tx.tx)
        .await
        .map_err(|e| named_conflict(e, "a product with this code exists"))?;
        append(
            &mut tx,
            event(
                actor,
                "product.create",
                &product.id,
                serde_json::json!({"code": product.code}),
            ),
        )
        .await?;
        tx.tx.commit().await?;
        Ok(product)
    }

    async fn list_products(&self, page: Page) -> ApiResult<Vec<Product>> {
        let mut f = Filter::default();
        let sql = f.sql(
            &format!("SELECT {PRODUCT_COLUMNS} FROM products"),
            "code",
            page,
        );
        f.fetch(&sql, &self.pool)
            .await?
            .iter()
            .map(product_row)
            .collect()
    }

    async fn product(&self, id_or_code: &str) -> ApiResult<Product> {
        let row = sqlx::query(&format!(
            "SELECT {PRODUCT_COLUMNS} FROM products WHERE id = $1 OR code = $1"
        ))
        .bind(id_or_code)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| ApiError::not_found("product"))?;
        product_row(&row)
    }

    async fn create_policy(&self, p: Policy, actor: &str) -> ApiResult<Policy> {
        let mut tx = self.begin().await?;
        sqlx::query(&format!(
            "INSERT INTO policies ({POLICY_COLUMNS}) VALUES \
             ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)"
        ))
        .bind(&p.id)
        .bind(&p.product_id)
        .bind(&p.name)
        .bind(&p.kind)
        .bind(&p.binding)
        .bind(&p.match_rule)
        .bind(p.duration_days)
        .bind(p.seats)
        .bind(p.grace_days)
        .bind(p.check_in_days)
        .bind(p.max_offline_days)
        .bind(serde_json::to_string(&p.entitlements).map_err(ApiError::internal)?)
        .bind(p.temp_quota)
        .bind(p.temp_period_days)
        .bind(p.temp_duration_days)
        .bind(p.lease_ttl_secs)
        .bind(p.created_at)
        .execute(&mut *tx.tx)
        .await
        .map_err(|e| named_conflict(e, "this product already has a policy with this name"))?;
        append(
            &mut tx,
            event(
                actor,
                "policy.create",
                &p.id,
                serde_json::json!({"name": p.name, "product_id": p.product_id}),
            ),
        )
        .await?;
        tx.tx.commit().await?;
        Ok(p)
    }

    async fn list_policies(&self, product_id: Option<&str>, page: Page) -> ApiResult<Vec<Policy>> {
        let mut f = Filter::default();
        f.text("product_id", product_id);
        let sql = f.sql(
            &format!("SELECT {POLICY_COLUMNS} FROM policies"),
            "created_at, id",
            page,
        );
        f.fetch(&sql, &self.pool)
            .await?
            .iter()
            .map(policy_row)
            .collect()
    }

    async fn policy(&self, id: &str) -> ApiResult<Policy> {
        let row = sqlx::query(&format!(
            "SELECT {POLICY_COLUMNS} FROM policies WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| ApiError::not_found("policy"))?;
        policy_row(&row)
    }

    async fn create_customer(&self, c: Customer, actor: &str) -> ApiResult<Customer> {
        let mut tx = self.begin().await?;
        insert_customer(&mut tx, &c, actor).await?;
        tx.tx.commit().await?;
        Ok(c)
    }

    async fn list_customers(
        &self,
        parent_id: Option<&str>,
        kind: Option<&str>,
        page: Page,
    ) -> ApiResult<Vec<Customer>> {
        let mut f = Filter::default();
        f.text("parent_id", parent_id);
        f.text("kind", kind);
        let sql = f.sql(
            &format!("SELECT {CUSTOMER_COLUMNS} FROM customers"),
            "name, id",
            page,
        );
        f.fetch(&sql, &self.pool)
            .await?
            .iter()
            .map(customer_row)
            .collect()
    }

    async fn customer(&self, id: &str) -> ApiResult<Customer> {
        let row = sqlx::query(&format!(
            "SELECT {CUSTOMER_COLUMNS} FROM customers WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| ApiError::not_found("customer"))?;
        customer_row(&row)
    }

    async fn create_plan(&self, p: Plan, actor: &str) -> ApiResult<Plan> {
        let mut tx = self.begin().await?;
        sqlx::query(&format!(
            "INSERT INTO plans ({PLAN_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)"
        ))
        .bind(&p.id)
        .bind(&p.product_id)
        .bind(&p.policy_id)
        .bind(&p.name)
        .bind(serde_json::to_string(&p.options).map_err(ApiError::internal)?)
        .bind(p.created_at)
        .execute(&mut *tx.tx)
        .await
        .map_err(|e| named_conflict(e, "this product already has a plan with this name"))?;
        let options: Vec<&str> = p.options.iter().map(|o| o.code.as_str()).collect();
        append(
            &mut tx,
            event(
                actor,
                "plan.create",
                &p.id,
                serde_json::json!({"name": p.name, "policy_id": p.policy_id, "options": options}),
            ),
        )
        .await?;
        tx.tx.commit().await?;
        Ok(p)
    }

    async fn list_plans(&self, product_id: Option<&str>, page: Page) -> ApiResult<Vec<Plan>> {
        let mut f = Filter::default();
        f.text("product_id", product_id);
        let sql = f.sql(
            &format!("SELECT {PLAN_COLUMNS} FROM plans"),
            "name, id",
            page,
        );
        f.fetch(&sql, &self.pool)
            .await?
            .iter()
            .map(plan_row)
            .collect()
    }

    async fn plan(&self, id: &str) -> ApiResult<Plan> {
        let row = sqlx::query(&format!("SELECT {PLAN_COLUMNS} FROM plans WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| ApiError::not_found("plan"))?;
        plan_row(&row)
    }

    async fn set_allocation(
        &self,
        customer_id: &str,
        product_id: &str,
        seats: i64,
        may_raise: bool,
        actor: &str,
    ) -> ApiResult<Allocation> {
        let mut tx = self.begin().await?;
        let parent: Option<String> = sqlx::query("SELECT parent_id FROM customers WHERE id = $1")
            .bind(customer_id)
            .fetch_optional(&mut *tx.tx)
            .await?
            .ok_or_else(|| ApiError::not_found("customer"))?
            .try_get("parent_id")?;
        let at = now();
        sqlx::query(
            "INSERT INTO allocations (customer_id, product_id, seats, given, updated_at) \
             VALUES ($1, $2, 0, 0, $3) ON CONFLICT (customer_id, product_id) DO NOTHING",
        )
        .bind(customer_id)
        .bind(product_id)
        .bind(at)
        .execute(&mut *tx.tx)
        .await?;
        // Locks go child before parent, everywhere: no deadlock.
        let (from, given) = lock_allocation(&mut tx, customer_id, product_id)
            .await?
            .ok_or_else(|| ApiError::internal("allocation row vanished"))?;
        let used = used_seats(&mut tx, customer_id, product_id).await?;
        if seats > from && !may_raise {
            return Err(ApiError::forbidden(
                "only the finance role may raise an allocation",
            ));
        }
        if seats < given + used {
            return Err(ApiError::conflict(
                "allocation_in_use",
                format!("this node gave {given} seats to its children and uses {used}; it cannot hold fewer"),
            )
            .with(serde_json::json!({"allocated": from, "given": given, "used": used})));
        }
        // A top node's allocation is what it bought: its lots hold it up.
        let purchased: i64 = sqlx::query(
            "SELECT CAST(COALESCE(SUM(quantity), 0) AS BIGINT) AS n FROM purchases \
             WHERE customer_id = $1 AND product_id = $2",
        )
        .bind(customer_id)
        .bind(product_id)
        .fetch_one(&mut *tx.tx)
        .await?
        .try_get("n")?;
        if seats < purchased {
            return Err(ApiError::conflict(
                "allocation_purchased",
                format!("this node bought {purchased} seats of this product in its purchases; it cannot hold fewer"),
            )
            .with(serde_json::json!({"allocated": from, "purchased": purchased})));
        }
        let delta = seats - from;
        if let (Some(parent), true) = (&parent, delta != 0) {
            let Some((held, parent_given)) = lock_allocation(&mut tx, parent, product_id).await?
            else {
                return Err(ApiError::conflict(
                    "parent_unallocated",
                    "the parent node holds no seats of this product",
                )
                .with(serde_json::json!({"parent_id": parent})));
            };
            let parent_used = used_seats(&mut tx, parent, product_id).await?;
            let free = held - parent_given - parent_used;
            if delta > free {
                return Err(ApiError::conflict(
                    "allocation_exceeds_parent",
                    format!(
                        "the parent holds {held} seats: {parent_given} given to its children, {parent_used} in use, {free} free"
                    ),
                )
                .with(serde_json::json!({
                    "parent_id": parent,
                    "allocated": held,
                    "given": parent_given,
                    "used": parent_used,
                    "free": free,
                })));
            }
            sqlx::query(
                "UPDATE allocations SET given = given + $1, updated_at = $2 \
                 WHERE customer_id = $3 AND product_id = $4",
            )
            .bind(delta)
            .bind(at)
            .bind(parent)
            .bind(product_id)
            .execute(&mut *tx.tx)
            .await?;
        }
        sqlx::query(
            "UPDATE allocations SET seats = $1, updated_at = $2 WHERE customer_id = $3 AND product_id = $4",
        )
        .bind(seats)
        .bind(at)
        .bind(customer_id)
        .bind(product_id)
        .execute(&mut *tx.tx)
        .await?;
        let mut ev = event(
            actor,
            "customer.allocation",
            customer_id,
            serde_json::json!({"product_id": product_id, "from": from, "to": seats, "parent_id": parent}),
        );
        ev.customer_id = Some(customer_id.to_owned());
        append(&mut tx, ev).await?;
        tx.tx.commit().await?;
        Ok(allocation(customer_id, product_id, seats, given, used))
    }

    async fn seats(&self, customer_id: &str) -> ApiResult<Vec<NodeSeats>> {
        self.customer(customer_id).await?;
        let rows = sqlx::query(&format!(
            "WITH RECURSIVE tree (id, depth) AS ( \
                 SELECT id, 0 FROM customers WHERE id = $1 \
                 UNION ALL SELECT c.id, t.depth + 1 FROM customers c JOIN tree t ON c.parent_id = t.id) \
             SELECT c.id, c.parent_id, c.kind, c.name, a.product_id, a.seats, a.given, \
                 {} AS used \
             FROM tree t JOIN customers c ON c.id = t.id \
             LEFT JOIN allocations a ON a.customer_id = c.id \
             ORDER BY t.depth, c.name, c.id, a.product_id",
            used_sql("c.id", "a.product_id", "$2")
        ))
        .bind(customer_id)
        .bind(now())
        .fetch_all(&self.pool)
        .await?;
        let mut nodes: Vec<NodeSeats> = Vec::new();
        for r in &rows {
            let id: String = r.try_get("id")?;
            if nodes.last().is_none_or(|n| n.customer_id != id) {
                nodes.push(NodeSeats {
                    customer_id: id.clone(),
                    parent_id: r.try_get("parent_id")?,
                    kind: r.try_get("kind")?,
                    name: r.try_get("name")?,
                    allocations: Vec::new(),
                });
            }
            let product: Option<String> = r.try_get("product_id")?;
            if let (Some(product), Some(node)) = (product, nodes.last_mut()) {
                node.allocations.push(allocation(
                    &id,
                    &product,
                    r.try_get("seats")?,
                    r.try_get("given")?,
                    r.try_get("used")?,
                ));
            }
        }
        Ok(nodes)
    }

    async fn issue_license(
        &self,
        new: NewLicense,
        actor: &str,
        idem: Option<Idem<LicenseRecord>>,
    ) -> ApiResult<Outcome<LicenseRecord>> {
        let mut tx = self.begin().await?;
        let record = insert_license(&mut tx, new, actor).await?;
        self.finish(tx, record, idem).await
    }

    async fn list_licenses(
        &self,
        filter: &LicenseFilter,
        page: Page,
    ) -> ApiResult<Vec<LicenseRecord>> {
        let mut f = Filter::default();
        f.text("product_id", filter.product_id.as_deref());
        f.text("customer_id", filter.customer_id.as_deref());
        f.text("status", filter.status.as_deref());
        f.int("expires_at <", filter.expires_before);
        let sql = f.sql(
            &format!("SELECT {LICENSE_COLUMNS} FROM licenses"),
            "issued_at, id",
            page,
        );
        f.fetch(&sql, &self.pool)
            .await?
            .iter()
            .map(license_row)
            .collect()
    }

    async fn license(&self, id: &str) -> ApiResult<LicenseRecord> {
        let row = sqlx::query(&format!(
            "SELECT {LICENSE_COLUMNS} FROM licenses WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| ApiError::not_found("license"))?;
        license_row(&row)
    }

    async fn license_by_key(&self, key_hash: &str) -> ApiResult<Option<LicenseRecord>> {
        let row = sqlx::query(&format!(
            "SELECT {LICENSE_COLUMNS} FROM licenses WHERE key_hash = $1"
        ))
        .bind(key_hash)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(license_row).transpose()
    }

    async fn set_status(
        &self,
        id: &str,
        from: &[&str],
        to: &str,
        ev: Event,
    ) -> ApiResult<LicenseRecord> {
        let mut tx = self.begin().await?;
        let placeholders: Vec<String> = (0..from.len()).map(|i| format!("${}", i + 4)).collect();
        let sql = format!(
            "UPDATE licenses SET status = $1, updated_at = $2 WHERE id = $3 AND status IN ({}) RETURNING {LICENSE_COLUMNS}",
            placeholders.join(", ")
        );
        let mut q = sqlx::query(&sql).bind(to).bind(now()).bind(id);
        for status in from {
            q = q.bind(*status);
        }
        let row = match q.fetch_optional(&mut *tx.tx).await? {
            Some(row) => row,
            None => {
                let (status, _, _) = license_state(&mut tx, id).await?;
                return Err(ApiError::conflict(
                    "license_status",
                    format!("the license is {status}; it cannot become {to}"),
                )
                .with(serde_json::json!({"license_status": status})));
            }
        };
        let record = license_row(&row)?;
        if to == "revoked" {
            bump_revocation(&mut tx, &record.product_id).await?;
        }
        append(
            &mut tx,
            Event {
                license_id: Some(record.id.clone()),
                customer_id: record.customer_id.clone(),
                ..ev
            },
        )
        .await?;
        tx.tx.commit().await?;
        Ok(record)
    }

    async fn update_terms(
        &self,
        r: LicenseRecord,
        ev: Event,
        idem: Option<Idem<LicenseRecord>>,
    ) -> ApiResult<Outcome<LicenseRecord>> {
        let mut tx = self.begin().await?;
        let record = write_terms(&mut tx, &r, ev).await?;
        self.finish(tx, record, idem).await
    }

    async fn set_seats(
        &self,
        id: &str,
        seats: i64,
        may_raise: bool,
        ev: Event,
    ) -> ApiResult<LicenseRecord> {
        let mut tx = self.begin().await?;
        let record = write_seats(&mut tx, id, seats, may_raise, ev).await?;
        tx.tx.commit().await?;
        Ok(record)
    }

    async fn activate(
        &self,
        a: Activation,
        ev: Event,
        idem: Option<Idem<Activation>>,
    ) -> ApiResult<Outcome<Activation>> {
        let mut tx = self.begin().await?;
        let taken = sqlx::query(
            "UPDATE licenses SET seats_used = seats_used + 1 \
             WHERE id = $1 AND status = 'active' AND seats_used < seats",
        )
        .bind(&a.license_id)
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
        let inserted = if taken == 1 {
            sqlx::query(&format!(
                "INSERT INTO activations ({ACTIVATION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL) \
                 ON CONFLICT (license_id, fingerprint) WHERE deactivated_at IS NULL DO NOTHING"
            ))
            .bind(&a.id)
            .bind(&a.license_id)
            .bind(&a.fingerprint)
            .bind(&a.platform)
            .bind(&a.mode)
            .bind(&a.file)
            .bind(a.created_at)
            .bind(a.last_seen_at)
            .execute(&mut *tx.tx)
            .await?
            .rows_affected()
        } else {
            0
        };
        let result = if inserted == 1 {
            check_allocation(&mut tx, &a.license_id, Taken::Machine).await?;
            a
        } else {
            if taken == 1 {
                // The machine was active already: give the seat back.
                sqlx::query("UPDATE licenses SET seats_used = seats_used - 1 WHERE id = $1")
                    .bind(&a.license_id)
                    .execute(&mut *tx.tx)
                    .await?;
            }
            // The same machine again: a fresh file, no second seat.
            let refreshed = sqlx::query(&format!(
                "UPDATE activations SET file = $1, platform = $2, last_seen_at = $3 \
                 WHERE license_id = $4 AND fingerprint = $5 AND deactivated_at IS NULL \
                 AND EXISTS (SELECT 1 FROM licenses WHERE id = $4 AND status = 'active') \
                 RETURNING {ACTIVATION_COLUMNS}"
            ))
            .bind(&a.file)
            .bind(&a.platform)
            .bind(a.last_seen_at)
            .bind(&a.license_id)
            .bind(&a.fingerprint)
            .fetch_optional(&mut *tx.tx)
            .await?;
            match refreshed {
                Some(row) => activation_row(&row)?,
                None => {
                    let (status, seats, used) = license_state(&mut tx, &a.license_id).await?;
                    if status != "active" {
                        return Err(status_refusal(&status));
                    }
                    return Err(ApiError::conflict(
                        NO_SEAT,
                        format!("all {seats} seats of this license are in use"),
                    )
                    .with(serde_json::json!({"seats": seats, "seats_used": used})));
                }
            }
        };
        append(&mut tx, Event {
            subject: result.id.clone(),
            license_id: Some(result.license_id.clone()),
            details: serde_json::json!({"fingerprint": result.fingerprint, "platform": result.platform, "mode": result.mode}),
            ..ev
        }).await?;
        self.finish(tx, result, idem).await
    }

    async fn deactivate(
        &self,
        id: &str,
        license_id: Option<&str>,
        ev: Event,
    ) -> ApiResult<Activation> {
        let mut tx = self.begin().await?;
        let row = sqlx::query(&format!(
            "UPDATE activations SET deactivated_at = $1 WHERE id = $2 AND deactivated_at IS NULL \
             AND ($3 = '' OR license_id = $3) RETURNING {ACTIVATION_COLUMNS}"
        ))
        .bind(now())
        .bind(id)
        .bind(license_id.unwrap_or(""))
        .fetch_optional(&mut *tx.tx)
        .await?
        .ok_or_else(|| ApiError::not_found("active activation"))?;
        let activation = activation_row(&row)?;
        sqlx::query(
            "UPDATE licenses SET seats_used = seats_used - 1 WHERE id = $1 AND seats_used > 0",
        )
        .bind(&activation.license_id)
        .execute(&mut *tx.tx)
        .await?;
        append(
            &mut tx,
            Event {
                license_id: Some(activation.license_id.clone()),
                details: serde_json::json!({"fingerprint": activation.fingerprint}),
                ..ev
            },
        )
        .await?;
        tx.tx.commit().await?;
        Ok(activation)
    }

    async fn activation(&self, id: &str) -> ApiResult<Activation> {
        let row = sqlx::query(&format!(
            "SELECT {ACTIVATION_COLUMNS} FROM activations WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| ApiError::not_found("activation"))?;
        activation_row(&row)
    }

    async fn list_activations(&self, license_id: &str, page: Page) -> ApiResult<Vec<Activation>> {
        let mut f = Filter::default();
        f.text("license_id", Some(license_id));
        let sql = f.sql(
            &format!("SELECT {ACTIVATION_COLUMNS} FROM activations"),
            "created_at, id",
            page,
        );
        f.fetch(&sql, &self.pool)
            .await?
            .iter()
            .map(activation_row)
            .collect()
    }

    async fn check_in(
        &self,
        license_id: &str,
        fingerprint: &str,
        file: String,
        ev: Event,
    ) -> ApiResult<Activation> {
        let mut tx = self.begin().await?;
        let row = sqlx::query(&format!(
            "UPDATE activations SET file = $1, last_seen_at = $2 \
             WHERE license_id = $3 AND fingerprint = $4 AND deactivated_at IS NULL \
             AND EXISTS (SELECT 1 FROM licenses WHERE id = $3 AND status = 'active') \
             RETURNING {ACTIVATION_COLUMNS}"
        ))
        .bind(&file)
        .bind(now())
        .bind(license_id)
        .bind(fingerprint)
        .fetch_optional(&mut *tx.tx)
        .await?;
        let Some(row) = row else {
            let (status, _, _) = license_state(&mut tx, license_id).await?;
            if status != "active" {
                return Err(status_refusal(&status));
            }
            return Err(ApiError::conflict(
                "not_activated",
                "this machine is not activated for this license",
            ));
        };
        let activation = activation_row(&row)?;
        append(
            &mut tx,
            Event {
                subject: activation.id.clone(),
                license_id: Some(license_id.to_owned()),
                ..ev
            },
        )
        .await?;
        tx.tx.commit().await?;
        Ok(activation)
    }

    async fn issue_temporary(
        &self,
        t: Temporary,
        quota: i64,
        period_start: i64,
        ev: Event,
    ) -> ApiResult<Temporary> {
        let mut tx = self.begin().await?;
        lock_active_license(&mut tx, &t.license_id).await?;
        let used: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM temporary_licenses WHERE license_id = $1 AND created_at >= $2",
        )
        .bind(&t.license_id)
        .bind(period_start)
        .fetch_one(&mut *tx.tx)
        .await?
        .try_get("n")?;
        if used >= quota {
            return Err(ApiError::conflict(
                "temporary_quota_used",
                format!("this license already had {used} temporary licenses in the current period (quota {quota})"),
            )
            .with(serde_json::json!({"quota": quota, "used": used})));
        }
        sqlx::query(
            "INSERT INTO temporary_licenses (id, license_id, fingerprint, file, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&t.id)
        .bind(&t.license_id)
        .bind(&t.fingerprint)
        .bind(&t.file)
        .bind(t.created_at)
        .bind(t.expires_at)
        .execute(&mut *tx.tx)
        .await?;
        append(&mut tx, Event {
            subject: t.id.clone(),
            license_id: Some(t.license_id.clone()),
            details: serde_json::json!({"fingerprint": t.fingerprint, "expires_at": t.expires_at}),
            ..ev
        }).await?;
        tx.tx.commit().await?;
        Ok(t)
    }

    async fn checkout_lease(
        &self,
        lease: Lease,
        cap: i64,
        now: i64,
        ev: Event,
    ) -> ApiResult<Lease> {
        let mut tx = self.begin().await?;
        lock_active_license(&mut tx, &lease.license_id).await?;
        // A machine that holds a live lease gets it extended, not a second seat.
        let extended = sqlx::query(&format!(
            "UPDATE leases SET expires_at = $1 WHERE license_id = $2 AND fingerprint = $3 \
             AND returned_at IS NULL AND expires_at > $4 RETURNING {LEASE_COLUMNS}"
        ))
        .bind(lease.expires_at)
        .bind(&lease.license_id)
        .bind(&lease.fingerprint)
        .bind(now)
        .fetch_optional(&mut *tx.tx)
        .await?;
        let result = match extended {
            Some(row) => lease_row(&row)?,
            None => {
                let live: i64 = sqlx::query(
                    "SELECT COUNT(*) AS n FROM leases WHERE license_id = $1 AND returned_at IS NULL AND expires_at > $2",
                )
                .bind(&lease.license_id)
                .bind(now)
                .fetch_one(&mut *tx.tx)
                .await?
                .try_get("n")?;
                if live >= cap {
                    return Err(ApiError::conflict(
                        NO_SEAT,
                        format!("all {cap} floating seats are leased"),
                    )
                    .with(serde_json::json!({"seats": cap, "seats_used": live})));
                }
                sqlx::query(&format!(
                    "INSERT INTO leases ({LEASE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, NULL)"
                ))
                .bind(&lease.id)
                .bind(&lease.license_id)
                .bind(&lease.fingerprint)
                .bind(lease.created_at)
                .bind(lease.expires_at)
                .execute(&mut *tx.tx)
                .await?;
                check_allocation(&mut tx, &lease.license_id, Taken::Machine).await?;
                lease
            }
        };
        append(&mut tx, Event {
            subject: result.id.clone(),
            license_id: Some(result.license_id.clone()),
            details: serde_json::json!({"fingerprint": result.fingerprint, "expires_at": result.expires_at}),
            ..ev
        }).await?;
        tx.tx.commit().await?;
        Ok(result)
    }

    async fn heartbeat_lease(
        &self,
        id: &str,
        license_id: &str,
        now: i64,
        expires_at: i64,
        ev: Event,
    ) -> ApiResult<Lease> {
        let mut tx = self.begin().await?;
        lock_active_license(&mut tx, license_id).await?;
        let row = sqlx::query(&format!(
            "UPDATE leases SET expires_at = $1 WHERE id = $2 AND license_id = $3 \
             AND returned_at IS NULL AND expires_at > $4 RETURNING {LEASE_COLUMNS}"
        ))
        .bind(expires_at)
        .bind(id)
        .bind(license_id)
        .bind(now)
        .fetch_optional(&mut *tx.tx)
        .await?
        .ok_or_else(|| {
            ApiError::conflict(
                "lease_ended",
                "the lease has expired or was returned; check a seat out again",
            )
        })?;
        let lease = lease_row(&row)?;
        append(
            &mut tx,
            Event {
                license_id: Some(license_id.to_owned()),
                details: serde_json::json!({"expires_at": expires_at}),
                ..ev
            },
        )
        .await?;
        tx.tx.commit().await?;
        Ok(lease)
    }

    async fn return_lease(
        &self,
        id: &str,
        license_id: &str,
        now: i64,
        ev: Event,
    ) -> ApiResult<Lease> {
        let mut tx = self.begin().await?;
        let row = sqlx::query(&format!(
            "UPDATE leases SET returned_at = $1 WHERE id = $2 AND license_id = $3 \
             AND returned_at IS NULL RETURNING {LEASE_COLUMNS}"
        ))
        .bind(now)
        .bind(id)
        .bind(license_id)
        .fetch_optional(&mut *tx.tx)
        .await?
        .ok_or_else(|| ApiError::not_found("unreturned lease"))?;
        let lease = lease_row(&row)?;
        append(
            &mut tx,
            Event {
                license_id: Some(license_id.to_owned()),
                ..ev
            },
        )
        .await?;
        tx.tx.commit().await?;
        Ok(lease)
    }

    async fn revocation_state(&self, product_id: &str) -> ApiResult<RevocationState> {
        let row =
            sqlx::query("SELECT revocation_seq, revocation_updated_at FROM products WHERE id = $1")
                .bind(product_id)
                .fetch_optional(&self.pool)
                .await?
                .ok_or_else(|| ApiError::not_found("product"))?;
        let licenses = sqlx::query(
            "SELECT id FROM licenses WHERE product_id = $1 AND status = 'revoked' ORDER BY id",
        )
        .bind(product_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| r.try_get("id"))
        .collect::<Result<_, _>>()?;
        Ok(RevocationState {
            sequence: row.try_get("revocation_seq")?,
            updated_at: row.try_get("revocation_updated_at")?,
            licenses,
        })
    }

    async fn history(&self, filter: &HistoryFilter, page: Page) -> ApiResult<Vec<HistoryEntry>> {
        let mut f = Filter::default();
        f.text("license_id", filter.license_id.as_deref());
        f.text("customer_id", filter.customer_id.as_deref());
        f.text("operation", filter.operation.as_deref());
        f.int("seq >", filter.after_seq);
        let sql = f.sql(
            &format!("SELECT {HISTORY_COLUMNS} FROM history"),
            "seq",
            page,
        );
        f.fetch(&sql, &self.pool)
            .await?
            .iter()
            .map(history_row)
            .collect()
    }

    async fn history_tip(&self) -> ApiResult<(i64, String)> {
        let row = sqlx::query("SELECT seq, hash FROM history_head WHERE id = 1")
            .fetch_one(&self.pool)
            .await?;
        Ok((row.try_get("seq")?, row.try_get("hash")?))
    }

    async fn stored_answer(&self, scope: &str) -> ApiResult<Option<StoredAnswer>> {
        let row = sqlx::query(
            "SELECT request_hash, status, response FROM idempotency_keys WHERE scope = $1",
        )
        .bind(scope)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            let status: i64 = r.try_get("status")?;
            Ok(StoredAnswer {
                request_hash: r.try_get("request_hash")?,
                status: u16::try_from(status).map_err(ApiError::internal)?,
                sealed: r.try_get("response")?,
            })
        })
        .transpose()
    }
}

/// Inserts a customer node and records it in the history.
async fn insert_customer(tx: &mut Tx<'_>, c: &Customer, actor: &str) -> ApiResult<()> {
    sqlx::query(&format!(
        "INSERT INTO customers ({CUSTOMER_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"
    ))
    .bind(&c.id)
    .bind(&c.parent_id)
    .bind(&c.kind)
    .bind(&c.name)
    .bind(&c.email)
    .bind(&c.external_ref)
    .bind(c.created_at)
    .execute(&mut *tx.tx)
    .await?;
    let mut ev = event(
        actor,
        "customer.create",
        &c.id,
        serde_json::json!({"kind": c.kind, "name": c.name, "parent_id": c.parent_id}),
    );
    ev.customer_id = Some(c.id.clone());
    append(tx, ev).await
}

/// Inserts an issued license and records its issue, inside `tx`.
async fn insert_license(tx: &mut Tx<'_>, new: NewLicense, actor: &str) -> ApiResult<LicenseRecord> {
    let r = new.record;
    sqlx::query(
            "INSERT INTO licenses (id, product_id, policy_id, customer_id, key_hash, key_hint, status, \
             licensee, spec, seats, seats_used, expires_at, file, issued_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0, $11, $12, $13, $14)",
        )
        .bind(&r.id)
        .bind(&r.product_id)
        .bind(&r.policy_id)
        .bind(&r.customer_id)
        .bind(&new.key_hash)
        .bind(&r.key_hint)
        .bind(&r.status)
        .bind(&r.licensee)
        .bind(serde_json::to_string(&r.spec).map_err(ApiError::internal)?)
        .bind(r.seats)
        .bind(r.expires_at)
        .bind(&r.file)
        .bind(r.issued_at)
        .bind(r.updated_at)
        .execute(&mut *tx.tx)
        .await?;
    let mut ev = event(
        actor,
        "license.issue",
        &r.id,
        serde_json::json!({
            "policy_id": r.policy_id, "seats": r.seats, "expires_at": r.expires_at, "licensee": r.licensee,
        }),
    );
    ev.license_id = Some(r.id.clone());
    ev.customer_id = r.customer_id.clone();
    append(tx, ev).await?;
    Ok(r)
}

/// Replaces a license's spec, file and expiry (unless it is revoked) and
/// records `ev`, inside `tx`.
async fn write_terms(tx: &mut Tx<'_>, r: &LicenseRecord, ev: Event) -> ApiResult<LicenseRecord> {
    let row = sqlx::query(&format!(
        "UPDATE licenses SET spec = $1, file = $2, expires_at = $3, updated_at = $4, \
             terms_version = terms_version + 1 \
             WHERE id = $5 AND status <> 'revoked' AND terms_version = $6 RETURNING {LICENSE_COLUMNS}"
    ))
    .bind(serde_json::to_string(&r.spec).map_err(ApiError::internal)?)
    .bind(&r.file)
    .bind(r.expires_at)
    .bind(now())
    .bind(&r.id)
    .bind(r.terms_version)
    .fetch_optional(&mut *tx.tx)
    .await?;
    let Some(row) = row else {
        let (status, _, _) = license_state(tx, &r.id).await?;
        if status == "revoked" {
            return Err(status_refusal(&status));
        }
        // The terms were changed by someone else after `r` was read: this
        // change was computed from terms that no longer stand.
        return Err(ApiError::conflict(
            "license_changed",
            "the license's terms changed while this request was made; nothing was changed: read the license again and retry",
        ));
    };
    let record = license_row(&row)?;
    append(
        tx,
        Event {
            license_id: Some(record.id.clone()),
            customer_id: record.customer_id.clone(),
            ..ev
        },
    )
    .await?;
    Ok(record)
}

/// Sets a license's seats, never below the seats in use (409
/// `seats_in_use` naming them), and records `ev`, inside `tx`. Without
/// `may_raise`, only a cut of the seats as they stand now (403: a cut
/// decided on an earlier read may have become a raise).
async fn write_seats(
    tx: &mut Tx<'_>,
    id: &str,
    seats: i64,
    may_raise: bool,
    ev: Event,
) -> ApiResult<LicenseRecord> {
    let only_cut = if may_raise { "" } else { " AND seats >= $1" };
    let row = sqlx::query(&format!(
            "UPDATE licenses SET seats = $1, updated_at = $2 WHERE id = $3 AND seats_used <= $1{only_cut} RETURNING {LICENSE_COLUMNS}"
        ))
        .bind(seats)
        .bind(now())
        .bind(id)
        .fetch_optional(&mut *tx.tx)
        .await?;
    let Some(row) = row else {
        let (_, current, used) = license_state(tx, id).await?;
        if seats > current && !may_raise {
            return Err(ApiError::forbidden(
                "the seats were cut meanwhile: this change would raise them, which this role may not do",
            ));
        }
        return Err(ApiError::conflict(
            "seats_in_use",
            format!("{used} seats are in use; the license cannot have fewer"),
        )
        .with(serde_json::json!({"seats": current, "seats_used": used})));
    };
    let record = license_row(&row)?;
    append(
        tx,
        Event {
            license_id: Some(record.id.clone()),
            customer_id: record.customer_id.clone(),
            ..ev
        },
    )
    .await?;
    Ok(record)
}

async fn insert_token(tx: &mut Tx<'_>, t: &TokenRecord, hash: &str) -> ApiResult<()> {
    sqlx::query(
        "INSERT INTO api_tokens (id, name, role, token_hash, created_at, created_by, revoked_at) \
         VALUES ($1, $2, $3, $4, $5, $6, NULL)",
    )
    .bind(&t.id)
    .bind(&t.name)
    .bind(t.role.as_str())
    .bind(hash)
    .bind(t.created_at)
    .bind(&t.created_by)
    .execute(&mut *tx.tx)
    .await?;
    Ok(())
}

async fn insert_key(tx: &mut Tx<'_>, k: &KeyRecord) -> ApiResult<()> {
    sqlx::query(
        "INSERT INTO signing_keys (key_id, public_pem, state, created_at, retired_at, rollover) \
         VALUES ($1, $2, $3, $4, NULL, $5)",
    )
    .bind(&k.key_id)
    .bind(&k.public_pem)
    .bind(&k.state)
    .bind(k.created_at)
    .bind(&k.rollover)
    .execute(&mut *tx.tx)
    .await?;
    Ok(())
}

/// A product's revocation list changed: a new sequence, dated now.
async fn bump_revocation(tx: &mut Tx<'_>, product_id: &str) -> ApiResult<()> {
    sqlx::query(
        "UPDATE products SET revocation_seq = revocation_seq + 1, revocation_updated_at = $1 WHERE id = $2",
    )
    .bind(now())
    .bind(product_id)
    .execute(&mut *tx.tx)
    .await?;
    Ok(())
}

/// A unique violation named for the caller; other errors as usual.
fn named_conflict(e: sqlx::Error, detail: &str) -> ApiError {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            ApiError::conflict("conflict", detail)
        }
        _ => e.into(),
    }
}
