//! The hash-chained history: every mutation appends its entry in the mutation's own transaction.

use sqlx::any::AnyRow;
use sqlx::Row;

use super::table::{from_row, Filter, Table};
use super::{now, SqlStore, Tx};
use crate::history::{canonical_after_seq, chain_hash};
use crate::store::StoreResult;
use crate::store::{Event, HistoryEntry, HistoryFilter, HistoryStore, Page, Rows, Scope};

#[async_trait::async_trait]
impl HistoryStore for SqlStore {
    async fn history(
        &self,
        scope: &Scope,
        filter: &HistoryFilter,
        page: Page,
    ) -> StoreResult<Rows<HistoryEntry>> {
        let actor = filter.account_id.as_ref().map(|id| format!("account:{id}"));
        let f = Filter::default()
            .scope("customer_id", scope)
            .text("subject", filter.subscription_id.as_deref())
            .text("actor", actor.as_deref())
            .text("license_id", filter.license_id.as_deref())
            .text("customer_id", filter.customer_id.as_deref())
            .text("operation", filter.operation.as_deref())
            .int("seq >", filter.after_seq);
        HISTORY.list(&self.pool, f, "seq", page).await
    }

    async fn history_tip(&self) -> StoreResult<(i64, String)> {
        let row = sqlx::query("SELECT seq, hash FROM history_head WHERE id = 1")
            .fetch_one(&self.pool)
            .await?;
        Ok((row.try_get("seq")?, row.try_get("hash")?))
    }
}

const HISTORY_COLUMNS: &str =
    "seq, at, actor, operation, subject, license_id, customer_id, details, prev_hash, hash";

/// The history, with who did each entry by name: the account or the token
/// its actor names (looked up by id, the `account:` or `token:` prefix cut).
pub(super) const HISTORY: Table<HistoryEntry> = Table::new(
    "history h LEFT JOIN accounts a ON a.id = substr(h.actor, 9) \
     LEFT JOIN api_tokens t ON t.id = substr(h.actor, 7)",
    "h.seq AS seq, h.at AS at, h.actor AS actor, h.operation AS operation, \
     h.subject AS subject, h.license_id AS license_id, h.customer_id AS customer_id, \
     h.details AS details, h.prev_hash AS prev_hash, h.hash AS hash, \
     CASE WHEN h.actor LIKE 'account:%' THEN a.name || ' <' || a.email || '>' \
     WHEN h.actor LIKE 'token:%' THEN t.name END AS person",
    "history entry",
    history_row,
);

fn history_row(r: &AnyRow) -> StoreResult<HistoryEntry> {
    let actor: String = r.try_get("actor")?;
    let person: Option<String> = r.try_get("person")?;
    Ok(from_row!(r => HistoryEntry {
        seq, at, operation, subject, license_id, customer_id, details, prev_hash, hash;
        done_by: person.unwrap_or_else(|| actor.clone()),
        actor,
    }))
}

/// An entry before the chain numbers it: `event` at this moment.
fn unnumbered(event: Event) -> HistoryEntry {
    HistoryEntry {
        seq: 0,
        at: now(),
        done_by: String::new(),
        actor: event.actor,
        operation: event.operation.to_owned(),
        subject: event.subject,
        license_id: event.license_id,
        customer_id: event.customer_id,
        details: event.details.to_string(),
        prev_hash: String::new(),
        hash: String::new(),
    }
}

/// An entry for PostgreSQL's queue (migration 44): its columns, and the
/// values to bind, in order, after the statement's own.
pub(super) struct Queued {
    entry: HistoryEntry,
    tail: Vec<u8>,
}

/// The queue's columns, as [`Queued::bind`] gives their values.
pub(super) const QUEUE_COLUMNS: &str =
    "at, actor, operation, subject, license_id, customer_id, details, canonical_tail";

impl Queued {
    /// `event`, ready to queue.
    pub(super) fn new(event: Event) -> Queued {
        let entry = unnumbered(event);
        let tail = canonical_after_seq(&entry);
        Queued { entry, tail }
    }

    /// The placeholders of the queue's columns, from `$first` on.
    pub(super) fn placeholders(first: usize) -> String {
        let columns = QUEUE_COLUMNS.split(',').count();
        let all: Vec<String> = (first..first + columns).map(|n| format!("${n}")).collect();
        all.join(", ")
    }

    /// Binds the queue's columns' values to `query`, after its own.
    pub(super) fn bind<'q>(&'q self, query: AnyQuery<'q>) -> AnyQuery<'q> {
        let e = &self.entry;
        query
            .bind(e.at)
            .bind(&e.actor)
            .bind(&e.operation)
            .bind(&e.subject)
            .bind(&e.license_id)
            .bind(&e.customer_id)
            .bind(&e.details)
            .bind(&self.tail)
    }
}

/// A statement of the `Any` driver, its values being bound.
pub(super) type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

/// Appends `event` to the history chain inside `tx`.
pub(super) async fn append(tx: &mut Tx, event: Event) -> StoreResult<()> {
    // The chain's head is one row that every write of every instance
    // takes, and holds to its COMMIT. On PostgreSQL the entry is queued,
    // and numbered, hashed and stored at COMMIT by the database (migration
    // 44), so no round trip is made while the head is held. SQLite's
    // writes take turns in this process anyway: the head is moved here.
    if tx.on_postgres() {
        let queued = Queued::new(event);
        let sql = format!(
            "INSERT INTO history_queue ({QUEUE_COLUMNS}) VALUES ({})",
            Queued::placeholders(1)
        );
        queued.bind(sqlx::query(&sql)).execute(&mut *tx.tx).await?;
        return Ok(());
    }
    let mut entry = unnumbered(event);
    let head =
        sqlx::query("UPDATE history_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
            .fetch_one(&mut *tx.tx)
            .await?;
    entry.seq = head.try_get("seq")?;
    entry.prev_hash = head.try_get("hash")?;
    entry.hash = chain_hash(&entry.prev_hash, &entry);
    sqlx::query(&format!(
        "INSERT INTO history ({HISTORY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
    ))
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

pub(super) fn event(
    actor: &str,
    operation: &'static str,
    subject: &str,
    details: serde_json::Value,
) -> Event {
    Event {
        actor: actor.to_owned(),
        operation,
        subject: subject.to_owned(),
        license_id: None,
        customer_id: None,
        details,
    }
}

impl Tx {
    /// The last step of every mutation: its history entry, then the commit.
    pub(super) async fn commit_with(mut self, event: Event) -> StoreResult<()> {
        append(&mut self, event).await?;
        self.commit().await?;
        Ok(())
    }
}
