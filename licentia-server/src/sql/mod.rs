//! [`Store`] on SQLite or PostgreSQL through sqlx's `Any` driver: one set of
//! runtime queries (`$1`-style placeholders, which both backends accept), and
//! per-dialect migrations embedded at build time.
//!
//! Invariants are kept by the database, so they hold with any number of
//! server instances: conditional updates (`seats_used < seats`), unique
//! indexes, and a row lock on the license (`lock_version`) that serializes
//! the count-then-insert of leases and temporary licenses. On SQLite, write
//! transactions start with `BEGIN IMMEDIATE` and are queued in-process, so
//! they wait for each other instead of failing with "database is locked";
//! while they wait, they share one transaction (group commit, `writer.rs`).

use std::time::Duration;

use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Executor, Row};

use crate::config::Config;
use crate::store::*;
use crate::store::{StoreError, StoreResult};

mod accounts;
mod activations;
mod bulk;
mod catalogue;
mod contracts;
mod customers;
mod faults;
mod history;
mod idempotency;
mod invoices;
mod keys;
mod licenses;
mod members;
mod notices;
mod purchases;
mod releases;
mod renewals;
mod reports;
mod revocation;
mod scale;
mod scope;
mod subscriptions;
mod table;
mod tokens;
mod typed_secrets;
mod usage;
mod writer;

pub use idempotency::idempotency_mismatch;
use idempotency::stored_answer;
pub use scale::Filled;
use writer::{Tx, Writer};

/// One migration's SQL: the same text for both backends (the SQL both
/// accept), or one text per dialect where they differ (triggers), or a
/// text for PostgreSQL alone where SQLite has nothing to change.
enum MigrationSql {
    Both(&'static str),
    Each {
        sqlite: &'static str,
        postgres: &'static str,
    },
    Postgres(&'static str),
}

use MigrationSql::{Both, Each, Postgres};

/// Migrations, oldest first: (version, SQL).
const MIGRATIONS: &[(i64, MigrationSql)] = &[
    (1, Both(include_str!("../migrations/0001_init.sql"))),
    (
        2,
        Each {
            sqlite: include_str!("../migrations/sqlite/0002_history_tip_trigger.sql"),
            postgres: include_str!("../migrations/postgres/0002_history_tip_trigger.sql"),
        },
    ),
    (3, Both(include_str!("../migrations/0003_allocations.sql"))),
    (4, Both(include_str!("../migrations/0004_plans.sql"))),
    (5, Both(include_str!("../migrations/0005_commerce.sql"))),
    (
        6,
        Both(include_str!("../migrations/0006_subscriptions.sql")),
    ),
    (7, Both(include_str!("../migrations/0007_notices.sql"))),
    (
        8,
        Both(include_str!("../migrations/0008_license_terms_version.sql")),
    ),
    (9, Both(include_str!("../migrations/0009_sealed_keys.sql"))),
    (
        10,
        Both(include_str!("../migrations/0010_token_expiry.sql")),
    ),
    (11, Both(include_str!("../migrations/0011_accounts.sql"))),
    (
        12,
        Each {
            sqlite: include_str!("../migrations/sqlite/0012_token_holders.sql"),
            postgres: include_str!("../migrations/postgres/0012_token_holders.sql"),
        },
    ),
    (13, Both(include_str!("../migrations/0013_grants.sql"))),
    (
        14,
        Both(include_str!("../migrations/0014_account_links.sql")),
    ),
    (15, Both(include_str!("../migrations/0015_totp.sql"))),
    (
        16,
        Both(include_str!("../migrations/0016_notice_preferences.sql")),
    ),
    (
        17,
        Both(include_str!("../migrations/0017_transfer_limits.sql")),
    ),
    (
        18,
        Both(include_str!("../migrations/0018_account_time_zone.sql")),
    ),
    (
        19,
        Both(include_str!("../migrations/0019_policy_terms.sql")),
    ),
    (
        20,
        Both(include_str!("../migrations/0020_catalogue_retired.sql")),
    ),
    (21, Both(include_str!("../migrations/0021_invoices.sql"))),
    (
        22,
        Both(include_str!("../migrations/0022_list_indexes.sql")),
    ),
    (
        23,
        Both(include_str!("../migrations/0023_policy_environment.sql")),
    ),
    (
        24,
        Both(include_str!("../migrations/0024_subscription_members.sql")),
    ),
    (
        25,
        Both(include_str!("../migrations/0025_customers_retired.sql")),
    ),
    (26, Both(include_str!("../migrations/0026_contracts.sql"))),
    (
        27,
        Both(include_str!("../migrations/0027_customer_billing.sql")),
    ),
    (28, Both(include_str!("../migrations/0028_lot_ends.sql"))),
    (29, Both(include_str!("../migrations/0029_releases.sql"))),
    (
        30,
        Each {
            sqlite: concat!(
                include_str!("../migrations/0030_summaries.sql"),
                include_str!("../migrations/0030_summaries_count.sql"),
                include_str!("../migrations/sqlite/0030_summary_triggers.sql"),
                include_str!("../migrations/sqlite/0030_licensee_search.sql")
            ),
            postgres: concat!(
                include_str!("../migrations/0030_summaries.sql"),
                include_str!("../migrations/0030_summaries_count.sql"),
                include_str!("../migrations/postgres/0030_summary_triggers.sql"),
                include_str!("../migrations/postgres/0030_licensee_search.sql")
            ),
        },
    ),
    (31, Both(include_str!("../migrations/0031_usage.sql"))),
    (
        32,
        Both(include_str!("../migrations/0032_plan_priced_since.sql")),
    ),
    (
        33,
        Each {
            sqlite: concat!(
                include_str!("../migrations/0033_seat_counts.sql"),
                include_str!("../migrations/0033_seat_counts_count.sql"),
                include_str!("../migrations/sqlite/0033_seat_triggers.sql")
            ),
            postgres: concat!(
                include_str!("../migrations/0033_seat_counts.sql"),
                include_str!("../migrations/0033_seat_counts_count.sql"),
                include_str!("../migrations/postgres/0033_seat_triggers.sql"),
                include_str!("../migrations/postgres/0033_customer_search.sql")
            ),
        },
    ),
    (
        35,
        Both(include_str!("../migrations/0035_usage_billing.sql")),
    ),
    (
        36,
        Both(include_str!("../migrations/0036_typed_secrets.sql")),
    ),
    (
        37,
        Each {
            sqlite: concat!(
                include_str!("../migrations/0037_expiry_days.sql"),
                include_str!("../migrations/0037_expiry_days_count.sql"),
                include_str!("../migrations/sqlite/0037_expiry_triggers.sql")
            ),
            postgres: concat!(
                include_str!("../migrations/0037_expiry_days.sql"),
                include_str!("../migrations/0037_expiry_days_count.sql"),
                include_str!("../migrations/postgres/0037_expiry_triggers.sql")
            ),
        },
    ),
    (
        38,
        Both(include_str!("../migrations/0038_cancellation_windows.sql")),
    ),
    (
        39,
        Each {
            sqlite: concat!(
                include_str!("../migrations/0039_subscription_end_days.sql"),
                include_str!("../migrations/0039_subscription_end_days_count.sql"),
                include_str!("../migrations/sqlite/0039_subscription_end_triggers.sql")
            ),
            postgres: concat!(
                include_str!("../migrations/0039_subscription_end_days.sql"),
                include_str!("../migrations/0039_subscription_end_days_count.sql"),
                include_str!("../migrations/postgres/0039_subscription_end_triggers.sql")
            ),
        },
    ),
    (
        40,
        Each {
            sqlite: concat!(
                include_str!("../migrations/0040_activations_by_machine.sql"),
                include_str!("../migrations/sqlite/0040_use_recounted.sql")
            ),
            postgres: concat!(
                include_str!("../migrations/0040_activations_by_machine.sql"),
                include_str!("../migrations/postgres/0040_use_recounted.sql")
            ),
        },
    ),
    (
        41,
        Both(include_str!("../migrations/0041_subscriptions_ending.sql")),
    ),
    (
        42,
        Both(include_str!("../migrations/0042_licenses_ending.sql")),
    ),
    (
        43,
        Both(include_str!("../migrations/0043_purchases_contracted.sql")),
    ),
    (
        44,
        Each {
            sqlite: include_str!("../migrations/sqlite/0044_at_commit.sql"),
            postgres: include_str!("../migrations/postgres/0044_at_commit.sql"),
        },
    ),
    (
        45,
        Each {
            sqlite: concat!(
                include_str!("../migrations/0045_ending_holders.sql"),
                include_str!("../migrations/0045_ending_holders_count.sql"),
                include_str!("../migrations/sqlite/0045_ending_holders_triggers.sql")
            ),
            postgres: concat!(
                include_str!("../migrations/0045_ending_holders.sql"),
                include_str!("../migrations/0045_ending_holders_count.sql"),
                include_str!("../migrations/postgres/0045_ending_holders_triggers.sql")
            ),
        },
    ),
    (
        46,
        Postgres(include_str!(
            "../migrations/postgres/0046_licensee_search.sql"
        )),
    ),
];

impl MigrationSql {
    fn text(&self, dialect: Dialect) -> &'static str {
        match (self, dialect) {
            (Both(sql), _) => sql,
            (Each { sqlite, .. }, Dialect::Sqlite) => sqlite,
            (Each { postgres, .. } | Postgres(postgres), Dialect::Postgres) => postgres,
            (Postgres(_), Dialect::Sqlite) => "",
        }
    }
}

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
    /// SQLite only: one write transaction at a time in this process, shared
    /// by the requests that queue for it (group commit).
    writer: Option<Writer>,
    /// How long a write waits for its turn before it is refused (503).
    writer_wait: Duration,
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
        if dialect == Dialect::Sqlite {
            private_sqlite_file(&url)?;
        }
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
                    } else {
                        // No JIT: a page's statements are short, and the
                        // planner's cost of one walking the customer tree
                        // (its estimate of the walk's rows) crossed the JIT
                        // threshold: 24 ms compiling a 0.3 ms query.
                        conn.execute("SET jit = off").await?;
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
            writer: (dialect == Dialect::Sqlite).then(Writer::default),
            writer_wait: Duration::from_secs(config.acquire_timeout_secs),
        };
        store
            .migrate(i64::MAX)
            .await
            .map_err(|e| format!("cannot migrate the database: {e}"))?;
        // The windows passed while no server ran (all of them once, after
        // migration 0038).
        store
            .refresh_cancellation_windows(now())
            .await
            .map_err(|e| format!("cannot move the cancellation windows on: {e}"))?;
        Ok(store)
    }

    /// Migrates the database of `config` up to `version` only, and no
    /// further: the schema of an older release, for the tests that prove a
    /// database of that release migrates without loss.
    #[doc(hidden)]
    pub async fn migrate_until(config: &Config, version: i64) -> Result<AnyPool, String> {
        sqlx::any::install_default_drivers();
        let url = config.database_url();
        let dialect = if url.starts_with("sqlite:") {
            Dialect::Sqlite
        } else {
            Dialect::Postgres
        };
        if dialect == Dialect::Sqlite {
            private_sqlite_file(&url)?;
        }
        let pool = AnyPoolOptions::new()
            .max_connections(1)
            .connect(&url)
            .await
            .map_err(|e| e.to_string())?;
        let store = SqlStore {
            pool: pool.clone(),
            dialect,
            writer: None,
            writer_wait: Duration::from_secs(1),
        };
        store.migrate(version).await.map_err(|e| e.to_string())?;
        Ok(pool)
    }

    /// SQLite only: a consistent copy of the whole database into `target`,
    /// an empty file (`VACUUM INTO`: one read transaction, while writers
    /// go on; the copy holds what was committed when it began).
    pub async fn backup_into(&self, target: &std::path::Path) -> Result<(), String> {
        if self.dialect != Dialect::Sqlite {
            return Err("only a SQLite database is copied this way".into());
        }
        let path = target
            .to_str()
            .ok_or_else(|| format!("{}: the path is not UTF-8", target.display()))?;
        sqlx::query("VACUUM INTO $1")
            .bind(path)
            .execute(&self.pool)
            .await
            .map_err(|e| format!("cannot copy the database: {e}"))?;
        Ok(())
    }

    /// Applies the migrations not yet applied up to `until`, one
    /// transaction each.
    async fn migrate(&self, until: i64) -> Result<(), sqlx::Error> {
        let mut conn = self.pool.acquire().await?;
        if self.dialect == Dialect::Postgres {
            sqlx::query("SELECT pg_advisory_lock($1)")
                .bind(MIGRATION_LOCK)
                .execute(&mut *conn)
                .await?;
        }
        let result = async {
            conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations \
                 (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)",
            )
            .await?;
            for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v <= until) {
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
                sqlx::raw_sql(sql.text(self.dialect))
                    .execute(&mut *tx)
                    .await?;
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

    async fn begin(&self) -> StoreResult<Tx> {
        // A bounded wait: under more writes than the database can take,
        // the queue would otherwise grow (and each request wait) without end.
        if let Some(writer) = &self.writer {
            return writer.begin(&self.pool, self.writer_wait).await;
        }
        Ok(Tx::alone(match self.dialect {
            Dialect::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Dialect::Postgres => self.pool.begin().await?,
        }))
    }

    /// Stores the idempotent answer (if any) and commits; when another
    /// request with the same key committed first, rolls back and replays it.
    async fn finish<T>(
        &self,
        mut tx: Tx,
        result: T,
        idem: Option<Idem<T>>,
    ) -> StoreResult<Outcome<T>> {
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
                    // The key's answer may be a batch neighbour's, not yet
                    // committed: read in the batch, answer after its COMMIT.
                    let stored = if tx.undo().await? {
                        let stored = stored_answer(&mut *tx.tx, &idem.scope).await?;
                        tx.commit().await?;
                        stored
                    } else {
                        tx.rollback().await?;
                        self.stored_answer(&idem.scope).await?
                    };
                    return replay(stored, &idem.request_hash);
                }
                Err(e) => return Err(e.into()),
            }
        }
        tx.commit().await?;
        Ok(Outcome::Fresh(result))
    }
}

/// The stored answer to a request with an `Idempotency-Key`, replayed: the
/// 422 when the key was used for another request.
fn replay<T>(stored: Option<StoredAnswer>, request_hash: &str) -> StoreResult<Outcome<T>> {
    let stored = stored.ok_or_else(|| StoreError::internal("idempotency record vanished"))?;
    if stored.request_hash != request_hash {
        return Err(idempotency_mismatch());
    }
    Ok(Outcome::Replay {
        status: stored.status,
        sealed: stored.sealed,
    })
}

#[async_trait::async_trait]
impl Store for SqlStore {
    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    fn pool_stats(&self) -> PoolStats {
        PoolStats {
            max: self.pool.options().get_max_connections(),
            open: self.pool.size(),
            idle: u32::try_from(self.pool.num_idle()).unwrap_or(u32::MAX),
        }
    }
}

/// Makes the SQLite database file of `url` readable by its owner only
/// (0600), creating it so when new. SQLite gives its `-wal` and `-shm`
/// files the database file's mode, so they follow.
fn private_sqlite_file(url: &str) -> Result<(), String> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"));
    let path = rest
        .unwrap_or_default()
        .split('?')
        .next()
        .unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        return Ok(());
    }
    let path = std::path::Path::new(path);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .mode(0o600)
            .open(path)
            .and_then(|_| std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)))
            .map_err(|e| format!("{}: {e}", path.display()))?;
        for suffix in ["-wal", "-shm"] {
            let side = std::path::PathBuf::from(format!("{}{suffix}", path.display()));
            // Gone is fine: SQLite removes them as another process's last
            // connection closes, between any check and this call.
            match std::fs::set_permissions(&side, std::fs::Permissions::from_mode(0o600)) {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                done => done.map_err(|e| format!("{}: {e}", side.display()))?,
            }
        }
    }
    Ok(())
}

/// A unique violation named for the caller; other errors as usual.
fn named_conflict(e: sqlx::Error, detail: &str) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            StoreError::conflict("conflict", detail)
        }
        _ => e.into(),
    }
}
