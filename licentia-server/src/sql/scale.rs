//! The scale data set (issue 17): a back office of `scale` × ten million
//! licences, one million customers in a partner → customer → site tree,
//! three million activations and twenty million history entries, with
//! subscriptions, members, purchases and notices, written straight into the
//! server's own schema for benchmarks and the `EXPLAIN` test.
//!
//! Each table is filled by one `INSERT ... SELECT` over a counter (the
//! database makes the rows; nothing crosses the connection but the
//! statement), every foreign key pointing at a row made before it. A
//! licence, subscription, member and purchase is a copy of the first one
//! the real write paths made (its spec, file, terms and JSON as the server
//! writes them) with its own id, customer, key and times, so a table whose
//! template is missing is left empty and said so. The history entries are
//! made here and chained with [`chain_hash`], the function every append
//! uses, so `licentia audit verify` walks them like any other.

use std::fmt::Write as _;
use std::time::Instant;

use sqlx::{Any, Row, Transaction};

use super::{now, Dialect, SqlStore};
use crate::history::chain_hash;
use crate::store::{HistoryEntry, SubscriptionStore};

/// The counting triggers of migrations 0030, 0033, 0037, 0039, 0040 and
/// 0045, by table.
const COUNTING: [(&str, &str); 25] = [
    ("licenses", "licenses_counted"),
    ("licenses", "licenses_recounted"),
    ("licenses", "licenses_use_recounted"),
    ("activations", "activations_counted"),
    ("activations", "activations_recounted"),
    ("leases", "leases_counted"),
    ("activations", "activations_seats_in"),
    ("activations", "activations_seats_moved_out"),
    ("activations", "activations_seats_moved_in"),
    ("members", "members_seats_out"),
    ("members", "members_seats_in"),
    ("members", "members_seats_moved_out"),
    ("members", "members_seats_moved_in"),
    ("licenses", "licenses_seats_out"),
    ("licenses", "licenses_seats_in"),
    ("members", "members_seats_gone_out"),
    ("members", "members_seats_gone_in"),
    ("licenses", "licenses_expiry_counted"),
    ("licenses", "licenses_expiry_recounted"),
    ("subscriptions", "subscriptions_end_counted"),
    ("subscriptions", "subscriptions_end_recounted"),
    ("licenses", "licenses_expiry_held"),
    ("licenses", "licenses_expiry_reheld"),
    ("subscriptions", "subscriptions_end_held"),
    ("subscriptions", "subscriptions_end_reheld"),
];

/// The counters they keep.
const COUNTERS: [&str; 9] = [
    "license_counts",
    "platform_counts",
    "first_use_days",
    "issue_days",
    "seat_counts",
    "expiry_days",
    "expiry_holders",
    "subscription_end_days",
    "subscription_end_holders",
];

/// The count of every counter from the rows stored (migrations 0030's,
/// 0033's, 0037's, 0039's and 0045's).
const COUNT: &str = concat!(
    include_str!("../migrations/0030_summaries_count.sql"),
    include_str!("../migrations/0033_seat_counts_count.sql"),
    include_str!("../migrations/0037_expiry_days_count.sql"),
    include_str!("../migrations/0039_subscription_end_days_count.sql"),
    include_str!("../migrations/0045_ending_holders_count.sql")
);

/// Licences at scale 1.
const LICENCES: f64 = 10_000_000.0;
/// Customer tree nodes at scale 1: 0.1 % partners, 30 % customers, the
/// rest their sites.
const NODES: f64 = 1_000_000.0;
/// The history's span: five years, the newest entry now.
const SPAN: i64 = 5 * 365 * 86_400;
/// History entries per block of ten licences: ten issues, three
/// activations, seven renewals (twenty million at scale 1).
const BLOCK: i64 = 20;
/// History rows per `INSERT` (ten values each, under every bound-parameter
/// limit).
const HISTORY_BATCH: usize = 1_000;

/// Columns of a row and the SQL expression each is made of.
type Columns<'a> = Vec<(&'a str, String)>;

/// What [`SqlStore::fill_scale`] made, table by table, and how long it took.
#[derive(Debug, Default)]
pub struct Filled {
    /// `(table, rows, seconds)`, in the order filled.
    pub tables: Vec<(&'static str, i64, f64)>,
    /// Tables left empty: no template row to copy.
    pub skipped: Vec<&'static str>,
    /// Seconds the database took to settle: statistics, and PostgreSQL's
    /// vacuum.
    pub settled: f64,
    /// Partners, customers and sites (nodes numbered from 1 in that
    /// order), and licences.
    pub shape: (i64, i64, i64, i64),
}

impl std::fmt::Display for Filled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (table, rows, secs) in &self.tables {
            writeln!(f, "{table:<14} {rows:>11} rows in {secs:>7.1} s")?;
        }
        for table in &self.skipped {
            writeln!(
                f,
                "{table:<14} skipped: no row to copy (make one through the API first)"
            )?;
        }
        writeln!(f, "vacuum and statistics in {:.1} s", self.settled)?;
        let (partners, customers, sites, licences) = self.shape;
        write!(
            f,
            "shape: {{\"partners\": {partners}, \"customers\": {customers}, \"sites\": {sites}, \
             \"licences\": {licences}, \"holders_first\": {}, \"holders\": {}}}",
            partners + 1,
            customers + sites
        )
    }
}

/// The shape of the data set at one scale.
#[derive(Debug, Clone, Copy)]
struct Shape {
    partners: i64,
    customers: i64,
    sites: i64,
    /// A multiple of ten.
    licences: i64,
    /// Seconds between two history entries.
    step: i64,
    /// The time of history entry 0.
    base: i64,
}

impl Shape {
    fn new(scale: f64) -> Shape {
        let licences = ((LICENCES * scale / 10.0).round() as i64).max(1) * 10;
        let nodes = ((NODES * scale).round() as i64).max(3);
        let partners = ((nodes as f64 * 0.001).round() as i64).max(1);
        let customers = ((nodes as f64 * 0.3).round() as i64).max(1);
        let step = (SPAN / (licences * 2)).max(1);
        Shape {
            partners,
            customers,
            sites: (nodes - partners - customers).max(1),
            licences,
            step,
            base: now() - step * licences * 2,
        }
    }

    /// Customers and sites: the nodes licences and members belong to.
    fn holders(&self) -> i64 {
        self.customers + self.sites
    }

    fn activations(&self) -> i64 {
        self.licences / 10 * 3
    }
}

/// The id of customer tree node `k` (from 1: partners, then customers,
/// then sites).
fn node_id(k: i64) -> String {
    format!("cus_5ca1e{k:015}")
}

/// The id of licence `i` (from 1): 32 hex digits, as real ones.
fn licence_id(i: i64) -> String {
    format!("5ca1e{i:027}")
}

/// The id of activation `j` (from 1).
fn activation_id(j: i64) -> String {
    format!("act_5ca1e{j:015}")
}

/// Licence `i`'s holder: a customer or site, round the tree.
fn holder_of(shape: &Shape, i: i64) -> i64 {
    shape.partners + (i - 1) % shape.holders() + 1
}

/// `text` as an SQL string literal.
fn quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

impl SqlStore {
    /// Fills this store's database with the scale data set at `scale` (1.0
    /// = ten million licences); see the module's documentation. The
    /// catalogue (products, policies, plans) and one of each copied record
    /// are made through the API first; the store must hold no licence but
    /// those.
    pub async fn fill_scale(&self, scale: f64) -> Result<Filled, String> {
        if !(scale > 0.0 && scale <= 10.0) {
            return Err(format!(
                "the scale must be above 0 and at most 10, not {scale}"
            ));
        }
        let shape = Shape::new(scale);
        let mut filled = self
            .fill(shape)
            .await
            .map_err(|e| format!("cannot fill the database: {e}"))?;
        // Each subscription's cancellation window, as a write would have
        // stored it (migration 0038).
        let started = Instant::now();
        let rows = self
            .refresh_cancellation_windows(now())
            .await
            .map_err(|e| format!("cannot compute the cancellation windows: {e}"))?;
        filled.tables.push((
            "cancellation windows",
            rows as i64,
            started.elapsed().as_secs_f64(),
        ));
        // Every table as a database in use finds it: its statistics taken
        // and, on PostgreSQL, vacuumed as autovacuum would in time — the
        // visibility map set (until then an index-only count reads the
        // table too), the subscriptions' old versions from the windows
        // above gone, and the trigram indexes' pending lists emptied (until
        // then a search reads them whole).
        let started = Instant::now();
        let settle = match self.dialect {
            Dialect::Postgres => "VACUUM ANALYZE",
            Dialect::Sqlite => "ANALYZE",
        };
        sqlx::query(settle)
            .execute(&self.pool)
            .await
            .map_err(|e| format!("cannot vacuum and analyze the database: {e}"))?;
        filled.settled = started.elapsed().as_secs_f64();
        Ok(filled)
    }

    async fn fill(&self, shape: Shape) -> Result<Filled, sqlx::Error> {
        let mut filled = Filled {
            shape: (shape.partners, shape.customers, shape.sites, shape.licences),
            ..Filled::default()
        };
        let made: i64 = sqlx::query("SELECT COUNT(*) AS n FROM licenses WHERE id LIKE '5ca1e%'")
            .fetch_one(&self.pool)
            .await?
            .try_get("n")?;
        if made > 0 {
            return Err(sqlx::Error::Protocol(
                "the database holds a scale data set already: fill a fresh one".into(),
            ));
        }
        let template = |table: &'static str| async move {
            sqlx::query(&format!("SELECT id FROM {table} ORDER BY id LIMIT 1"))
                .fetch_optional(&self.pool)
                .await?
                .map(|r| r.try_get::<String, _>("id"))
                .transpose()
        };
        let licence = template("licenses").await?.ok_or_else(|| {
            sqlx::Error::Protocol("issue one licence through the API first".into())
        })?;
        let policies: Vec<(String, String)> =
            sqlx::query("SELECT id, product_id FROM policies ORDER BY created_at, id")
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(|r| Ok((r.try_get("id")?, r.try_get("product_id")?)))
                .collect::<Result<_, sqlx::Error>>()?;
        let s = shape;
        let (p, c) = (s.partners, s.customers);
        let holders = s.holders();
        let node = |k: &str| format!("'cus_5ca1e' || {}", self.padded(k, 15));

        // The tree, top down: every parent exists before its children.
        let kinds = [
            ("partner", "Partner", 1, p, "NULL".to_owned()),
            (
                "customer",
                "Customer",
                p + 1,
                c,
                node(&format!("((i - 1) % {p} + 1)")),
            ),
            (
                "site",
                "Site",
                p + c + 1,
                s.sites,
                node(&format!("({p} + (i - 1) % {c} + 1)")),
            ),
        ];
        let started = Instant::now();
        let mut nodes = 0;
        for (kind, name, first, count, parent) in kinds {
            let k = format!("(i + {})", first - 1);
            nodes += self
                .series(
                    "customers",
                    None,
                    count,
                    &[
                        ("id", node(&k)),
                        ("parent_id", parent),
                        ("kind", quoted(kind)),
                        ("name", format!("'{name} ' || i")),
                        ("email", format!("'{kind}' || i || '@example.com'")),
                        ("external_ref", "NULL".into()),
                        ("created_at", format!("{} + i", s.base)),
                    ],
                )
                .await?;
        }
        filled
            .tables
            .push(("customers", nodes, started.elapsed().as_secs_f64()));

        // The report counters are counted once the rows are in, not row by
        // row as the rows go in.
        let counting = self.pause_counting().await?;

        // Licences: in blocks of ten, the second to fourth of each active
        // on a machine; issued along the history, a year each.
        let started = Instant::now();
        let pick = |column: usize| {
            let mut case = format!("CASE (i % {})", policies.len());
            for (n, policy) in policies.iter().enumerate() {
                let value = if column == 0 { &policy.0 } else { &policy.1 };
                let _ = write!(case, " WHEN {n} THEN {}", quoted(value));
            }
            case + " END"
        };
        let issued = format!(
            "({} + ({BLOCK} * ((i - 1) / 10) + (i - 1) % 10 + 1) * {})",
            s.base, s.step
        );
        let rows = self
            .series(
                "licenses",
                Some(&licence),
                s.licences,
                &[
                    ("id", format!("'5ca1e' || {}", self.padded("i", 27))),
                    ("policy_id", pick(0)),
                    ("product_id", pick(1)),
                    (
                        "customer_id",
                        node(&format!("({p} + (i - 1) % {holders} + 1)")),
                    ),
                    ("key_hash", format!("'scale' || {}", self.padded("i", 20))),
                    ("key_hint", self.padded("(i % 100000)", 5)),
                    (
                        "status",
                        "CASE WHEN i % 100 = 0 THEN 'revoked' WHEN i % 50 = 0 THEN 'suspended' \
                         ELSE 'active' END"
                            .into(),
                    ),
                    ("licensee", "'Licensee ' || i".into()),
                    (
                        "seats_used",
                        "CASE WHEN (i - 1) % 10 BETWEEN 1 AND 3 THEN 1 ELSE 0 END".into(),
                    ),
                    ("issued_at", issued.clone()),
                    ("updated_at", issued.clone()),
                    ("expires_at", format!("{issued} + 365 * 86400")),
                    // Set from the activations below by the recount.
                    ("first_used_at", "NULL".into()),
                ],
            )
            .await?;
        filled
            .tables
            .push(("licenses", rows, started.elapsed().as_secs_f64()));

        // Activations: licences 10b + 2 to 10b + 4, one machine each.
        let started = Instant::now();
        let created = format!(
            "({} + ({BLOCK} * ((i - 1) / 3) + 11 + (i - 1) % 3) * {})",
            s.base, s.step
        );
        let rows = self
            .series(
                "activations",
                None,
                s.activations(),
                &[
                    ("id", format!("'act_5ca1e' || {}", self.padded("i", 15))),
                    (
                        "license_id",
                        format!(
                            "'5ca1e' || {}",
                            self.padded("(10 * ((i - 1) / 3) + (i - 1) % 3 + 2)", 27)
                        ),
                    ),
                    ("fingerprint", format!("'fp' || {}", self.padded("i", 20))),
                    (
                        "platform",
                        "CASE i % 4 WHEN 0 THEN 'linux-x86_64' WHEN 1 THEN 'windows-x86_64' \
                         WHEN 2 THEN 'macos-aarch64' ELSE 'linux-aarch64' END"
                            .into(),
                    ),
                    ("mode", "'online'".into()),
                    (
                        "file",
                        format!(
                            "(SELECT COALESCE(file, spec) FROM licenses WHERE id = {})",
                            quoted(&licence)
                        ),
                    ),
                    ("created_at", created.clone()),
                    ("last_seen_at", created),
                    ("deactivated_at", "NULL".into()),
                ],
            )
            .await?;
        filled
            .tables
            .push(("activations", rows, started.elapsed().as_secs_f64()));

        // The copied records of the other areas.
        let day = |days: &str| self.day(days);
        let copies: [(&'static str, i64, Columns); 3] = [
            (
                "subscriptions",
                s.licences / 10,
                vec![
                    ("id", format!("'sub_5ca1e' || {}", self.padded("i", 15))),
                    ("customer_id", node(&format!("({p} + (i - 1) % {c} + 1)"))),
                    // Yearly terms from their own first day (the seed's
                    // model), so their deadlines spread over the year.
                    ("start_date", day("(i % 730 - 365)")),
                    ("term_from_month", "0".into()),
                    ("invoices_from_month", "0".into()),
                    ("term_start", day("(i % 730 - 365)")),
                    ("term_end", day("(i % 730 - 1)")),
                    // Computed at the server's first start.
                    ("cancel_opens", "0".into()),
                    ("cancel_closes", "0".into()),
                    ("created_at", format!("{} + i", s.base)),
                    ("updated_at", format!("{} + i", s.base)),
                ],
            ),
            (
                "members",
                s.licences / 10,
                vec![
                    ("id", format!("'mem_5ca1e' || {}", self.padded("i", 15))),
                    (
                        "customer_id",
                        node(&format!("({p} + (i - 1) % {holders} + 1)")),
                    ),
                    ("name", "'Member ' || i".into()),
                    ("email", "'member' || i || '@example.com'".into()),
                    ("license_id", "NULL".into()),
                    ("created_at", format!("{} + i", s.base)),
                    ("updated_at", format!("{} + i", s.base)),
                ],
            ),
            (
                "purchases",
                (s.licences / 100).max(1),
                vec![
                    ("id", format!("'pur_5ca1e' || {}", self.padded("i", 15))),
                    ("customer_id", node(&format!("((i - 1) % {} + 1)", p + c))),
                    ("serial", "'SN' || i".into()),
                    ("created_at", format!("{} + i * 60", s.base)),
                ],
            ),
        ];
        for (table, count, overrides) in copies {
            let Some(template) = template(table).await? else {
                filled.skipped.push(table);
                continue;
            };
            let started = Instant::now();
            let rows = self
                .series(table, Some(&template), count, &overrides)
                .await?;
            filled
                .tables
                .push((table, rows, started.elapsed().as_secs_f64()));
        }

        // Notices: a licence's expiry announced, for one licence in ten.
        let started = Instant::now();
        let rows = self
            .series(
                "notifications",
                None,
                s.licences / 10,
                &[
                    ("id", format!("'ntf_5ca1e' || {}", self.padded("i", 15))),
                    ("kind", "'license.expiring'".into()),
                    (
                        "subject",
                        format!("'5ca1e' || {}", self.padded("(10 * i - 9)", 27)),
                    ),
                    ("lead_days", "30".into()),
                    ("due_on", day("(i % 365)")),
                    ("run_date", day("(i % 365 - 30)")),
                    ("data", "'{}'".into()),
                    ("created_at", format!("{} + i * 10", s.base)),
                ],
            )
            .await?;
        filled
            .tables
            .push(("notifications", rows, started.elapsed().as_secs_f64()));

        let started = Instant::now();
        let rows = self.recount(counting).await?;
        filled
            .tables
            .push(("counters", rows, started.elapsed().as_secs_f64()));

        let started = Instant::now();
        let rows = self.chain(&shape).await?;
        filled
            .tables
            .push(("history", rows, started.elapsed().as_secs_f64()));
        Ok(filled)
    }

    /// `expr` (a whole number) written with `width` digits, zeros first.
    fn padded(&self, expr: &str, width: usize) -> String {
        match self.dialect {
            Dialect::Postgres => format!("lpad(CAST({expr} AS TEXT), {width}, '0')"),
            Dialect::Sqlite => format!("printf('%0{width}d', {expr})"),
        }
    }

    /// The day `days` (a whole number) after today, `YYYY-MM-DD`.
    fn day(&self, days: &str) -> String {
        match self.dialect {
            Dialect::Postgres => {
                format!("to_char(CURRENT_DATE + CAST({days} AS INTEGER), 'YYYY-MM-DD')")
            }
            Dialect::Sqlite => format!("date('now', ({days}) || ' days')"),
        }
    }

    /// Inserts `count` rows into `table`, row `i` (from 1) made of the
    /// `columns`' expressions over `i`, the other columns copied from the
    /// row `template` when one is named; the rows inserted.
    async fn series(
        &self,
        table: &str,
        template: Option<&str>,
        count: i64,
        columns: &[(&str, String)],
    ) -> Result<i64, sqlx::Error> {
        let mut names: Vec<String> = columns.iter().map(|(c, _)| (*c).to_owned()).collect();
        let mut values: Vec<String> = columns.iter().map(|(_, v)| v.clone()).collect();
        let mut from = String::new();
        if let Some(template) = template {
            for column in self.columns(table).await? {
                if !names.contains(&column) {
                    values.push(format!("t.{column}"));
                    names.push(column);
                }
            }
            from = format!(" JOIN {table} t ON t.id = {}", quoted(template));
        }
        let sql = match self.dialect {
            Dialect::Postgres => format!(
                "INSERT INTO {table} ({}) SELECT {} FROM generate_series(1, {count}) AS g(i){from}",
                names.join(", "),
                values.join(", ")
            ),
            Dialect::Sqlite => format!(
                "WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < {count}) \
                 INSERT INTO {table} ({}) SELECT {} FROM g{from}",
                names.join(", "),
                values.join(", ")
            ),
        };
        Ok(sqlx::query(&sql).execute(&self.pool).await?.rows_affected() as i64)
    }

    /// The columns of `table`, in order.
    async fn columns(&self, table: &str) -> Result<Vec<String>, sqlx::Error> {
        let sql = match self.dialect {
            Dialect::Postgres => {
                "SELECT CAST(column_name AS TEXT) AS name FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position"
            }
            Dialect::Sqlite => "SELECT name FROM pragma_table_info($1) ORDER BY cid",
        };
        sqlx::query(sql)
            .bind(table)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| r.try_get("name"))
            .collect()
    }

    /// Stops the counting triggers for the bulk inserts (a
    /// row trigger updates the same counter rows once per row inserted,
    /// and on PostgreSQL each update walks every version the statement
    /// made of the row before it); gives what [`Self::recount`] needs to
    /// start them again. A fill that fails midway leaves them stopped, in
    /// a database to drop anyway (a second fill is refused).
    async fn pause_counting(&self) -> Result<Vec<String>, sqlx::Error> {
        let mut saved = Vec::new();
        for (table, trigger) in COUNTING {
            match self.dialect {
                Dialect::Postgres => {
                    sqlx::query(&format!("ALTER TABLE {table} DISABLE TRIGGER {trigger}"))
                        .execute(&self.pool)
                        .await?;
                }
                Dialect::Sqlite => {
                    let sql: String = sqlx::query(
                        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = $1",
                    )
                    .bind(trigger)
                    .fetch_one(&self.pool)
                    .await?
                    .try_get("sql")?;
                    sqlx::query(&format!("DROP TRIGGER {trigger}"))
                        .execute(&self.pool)
                        .await?;
                    saved.push(sql);
                }
            }
        }
        Ok(saved)
    }

    /// Counts every row into emptied counters, with the migration's own
    /// count, and starts the counting triggers again (`saved`: SQLite's,
    /// as [`Self::pause_counting`] read them), in one transaction; the
    /// counter rows made.
    async fn recount(&self, saved: Vec<String>) -> Result<i64, sqlx::Error> {
        let mut tx: Transaction<'static, Any> = self.pool.begin().await?;
        for table in COUNTERS {
            sqlx::query(&format!("DELETE FROM {table}"))
                .execute(&mut *tx)
                .await?;
        }
        sqlx::raw_sql(COUNT).execute(&mut *tx).await?;
        match self.dialect {
            Dialect::Postgres => {
                for (table, trigger) in COUNTING {
                    sqlx::query(&format!("ALTER TABLE {table} ENABLE TRIGGER {trigger}"))
                        .execute(&mut *tx)
                        .await?;
                }
            }
            Dialect::Sqlite => {
                for sql in &saved {
                    sqlx::query(sql).execute(&mut *tx).await?;
                }
            }
        }
        let mut rows = 0;
        for table in COUNTERS {
            let n: i64 = sqlx::query(&format!("SELECT COUNT(*) AS n FROM {table}"))
                .fetch_one(&mut *tx)
                .await?
                .try_get("n")?;
            rows += n;
        }
        tx.commit().await?;
        Ok(rows)
    }

    /// The history of the licences and activations made: twenty entries
    /// per ten licences, chained after the entries already there, in one
    /// transaction that holds the chain's head (the tip trigger is off
    /// inside it: the head is moved once, at the end).
    async fn chain(&self, shape: &Shape) -> Result<i64, sqlx::Error> {
        let mut tx: Transaction<'static, Any> = self.pool.begin().await?;
        let trigger = match self.dialect {
            Dialect::Postgres => {
                sqlx::query("ALTER TABLE history DISABLE TRIGGER history_tip")
                    .execute(&mut *tx)
                    .await?;
                None
            }
            Dialect::Sqlite => {
                let sql: String = sqlx::query(
                    "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'history_tip'",
                )
                .fetch_one(&mut *tx)
                .await?
                .try_get("sql")?;
                sqlx::query("DROP TRIGGER history_tip")
                    .execute(&mut *tx)
                    .await?;
                Some(sql)
            }
        };
        let head =
            sqlx::query("UPDATE history_head SET seq = seq WHERE id = 1 RETURNING seq, hash")
                .fetch_one(&mut *tx)
                .await?;
        let first: i64 = head.try_get("seq")?;
        let mut prev: String = head.try_get("hash")?;
        let total = shape.licences * 2;
        let mut batch: Vec<HistoryEntry> = Vec::with_capacity(HISTORY_BATCH);
        for n in 1..=total {
            let (block, r) = ((n - 1) / BLOCK, (n - 1) % BLOCK);
            let (operation, subject, licence) = match r {
                0..=9 => {
                    let i = block * 10 + r + 1;
                    ("license.issue", licence_id(i), i)
                }
                10..=12 => {
                    let k = r - 10;
                    (
                        "activation.create",
                        activation_id(block * 3 + k + 1),
                        block * 10 + k + 2,
                    )
                }
                _ => {
                    let i = block * 10 + r - 12;
                    ("license.renew", licence_id(i), i)
                }
            };
            let mut entry = HistoryEntry {
                seq: first + n,
                at: shape.base + n * shape.step,
                done_by: String::new(),
                actor: "service:scale-data".into(),
                operation: operation.into(),
                subject,
                license_id: Some(licence_id(licence)),
                customer_id: Some(node_id(holder_of(shape, licence))),
                details: "{}".into(),
                prev_hash: prev,
                hash: String::new(),
            };
            entry.hash = chain_hash(&entry.prev_hash, &entry);
            prev = entry.hash.clone();
            batch.push(entry);
            if batch.len() == HISTORY_BATCH || n == total {
                insert_history(&mut tx, &batch).await?;
                batch.clear();
            }
        }
        sqlx::query("UPDATE history_head SET seq = $1, hash = $2 WHERE id = 1")
            .bind(first + total)
            .bind(&prev)
            .execute(&mut *tx)
            .await?;
        match trigger {
            None => {
                sqlx::query("ALTER TABLE history ENABLE TRIGGER history_tip")
                    .execute(&mut *tx)
                    .await?;
            }
            Some(sql) => {
                sqlx::query(&sql).execute(&mut *tx).await?;
            }
        }
        tx.commit().await?;
        Ok(total)
    }
}

/// `entries` in one multi-row `INSERT`.
async fn insert_history(
    tx: &mut Transaction<'static, Any>,
    entries: &[HistoryEntry],
) -> Result<(), sqlx::Error> {
    let mut sql = String::from(
        "INSERT INTO history (seq, at, actor, operation, subject, license_id, customer_id, \
         details, prev_hash, hash) VALUES ",
    );
    for n in 0..entries.len() {
        let b = n * 10;
        let _ = write!(
            sql,
            "{}(${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${})",
            if n == 0 { "" } else { ", " },
            b + 1,
            b + 2,
            b + 3,
            b + 4,
            b + 5,
            b + 6,
            b + 7,
            b + 8,
            b + 9,
            b + 10
        );
    }
    let mut query = sqlx::query(&sql);
    for e in entries {
        query = query
            .bind(e.seq)
            .bind(e.at)
            .bind(&e.actor)
            .bind(&e.operation)
            .bind(&e.subject)
            .bind(&e.license_id)
            .bind(&e.customer_id)
            .bind(&e.details)
            .bind(&e.prev_hash)
            .bind(&e.hash);
    }
    query.execute(&mut **tx).await?;
    Ok(())
}
