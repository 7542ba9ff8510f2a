//! Licenses: issue, status, terms and seats, each change conditional on what the transaction reads.

use sqlx::any::AnyRow;
use sqlx::Row;

use super::history::{append, event};
use super::revocation::bump_revocation;
use super::table::{count, fetch_optional, from_row, Arg, Filter, Table};
use super::{now, Dialect, SqlStore, Tx};
use crate::store::{inactive_license, Scope, StoreError, StoreResult};
use crate::store::{
    Event, Idem, LicenseFilter, LicenseRecord, LicenseStore, NewLicense, Outcome, Page, Rows,
};
use licentia::spec::LicenseSpec;

#[async_trait::async_trait]
impl LicenseStore for SqlStore {
    async fn issue_license(
        &self,
        new: NewLicense,
        actor: &str,
        idem: Option<Idem<LicenseRecord>>,
    ) -> StoreResult<Outcome<LicenseRecord>> {
        let mut tx = self.begin().await?;
        let record = insert_license(&mut tx, new, actor).await?;
        self.finish(tx, record, idem).await
    }

    async fn list_licenses(
        &self,
        scope: &Scope,
        filter: &LicenseFilter,
        page: Page,
    ) -> StoreResult<Rows<LicenseRecord>> {
        let licensee = filter.licensee.as_deref();
        let (f, from) = match licensee {
            Some(part) => self.few_holding(part).await?,
            None => (Filter::default(), "licenses".to_owned()),
        };
        let f = f
            .scope("customer_id", scope)
            .text("product_id", filter.product_id.as_deref())
            .text("customer_id", filter.customer_id.as_deref())
            .text("status", filter.status.as_deref())
            .int("expires_at <", filter.expires_before)
            .contains("licensee", licensee)
            .any(
                &["id LIKE ? ESCAPE '\\'", "key_hint = ?", "key_hash = ?"],
                filter.key.as_ref().map(|k| {
                    vec![
                        format!("{}%", super::table::like_escaped(&k.id_prefix)),
                        k.hint.clone(),
                        k.hash.clone(),
                    ]
                }),
            );
        LICENSES
            .list_from(&self.pool, &from, f, "issued_at, id", page)
            .await
    }

    async fn license(&self, id: &str) -> StoreResult<LicenseRecord> {
        LICENSES.get(&self.pool, id).await
    }

    async fn license_by_key(&self, key_hash: &str) -> StoreResult<Option<LicenseRecord>> {
        LICENSES.lookup(&self.pool, "key_hash = $1", key_hash).await
    }

    async fn set_status(
        &self,
        id: &str,
        from: &[&str],
        to: &str,
        ev: Event,
    ) -> StoreResult<LicenseRecord> {
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
                return Err(StoreError::conflict(
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
        tx.commit_with(about(&record, ev)).await?;
        Ok(record)
    }

    async fn update_terms(
        &self,
        r: LicenseRecord,
        ev: Event,
        idem: Option<Idem<LicenseRecord>>,
    ) -> StoreResult<Outcome<LicenseRecord>> {
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
    ) -> StoreResult<LicenseRecord> {
        let mut tx = self.begin().await?;
        let record = write_seats(&mut tx, id, seats, may_raise, ev).await?;
        tx.commit().await?;
        Ok(record)
    }
}

/// The most licensees a search by a part of their name reads through the
/// trigram index (SQLite's FTS5, PostgreSQL's GIN). The index finds every
/// name holding the part, and each holder found is checked and sorted: for
/// a part few names hold, the way. For a part many hold (a word like
/// "GmbH"), walking the list's own order and checking each licence as it
/// comes fills a page sooner, and the planner cannot tell the two apart
/// (PostgreSQL's estimate of '%3456%' at a million licences: 10,000 names,
/// 300 in fact; it walked 345,000 licences for them, 750 ms; SQLite always
/// took the index, 2.4 s for a word every name holds). So the index is
/// asked first for the holders, at most this many, and the page read
/// among them when they are fewer. Both ways cost alike near the square
/// root of (a page × the licences): four digits, held by some 4,000 names
/// at ten million, still go by PostgreSQL's index. SQLite's index reads
/// each holder's licence to check it (PostgreSQL's, a row of a narrow
/// copy), and asks for fewer.
const fn few_licensees(dialect: Dialect) -> i64 {
    match dialect {
        Dialect::Sqlite => 2_000,
        Dialect::Postgres => 5_000,
    }
}

impl SqlStore {
    /// Where the list of the licences whose licensee holds `part` is read,
    /// and the filter binding its values first: the licences found by the
    /// trigram index when fewer than [`few_licensees`] are (at most that
    /// many read), all the licences otherwise (the list's `contains` then
    /// checks each as it walks).
    ///
    /// On SQLite, the holders' rows from its index, as one JSON value (one
    /// statement, prepared once, however many they are); its index takes
    /// the user's `%` and `_` as wildcards and may find more, which the
    /// list's `contains` narrows. On PostgreSQL, the holders from their
    /// narrow copy (migration 0046), checked and sorted in the list's order
    /// there and joined to their licences as the page goes: a page reads a
    /// page of licences, not every holder's.
    async fn few_holding(&self, part: &str) -> StoreResult<(Filter, String)> {
        let few = few_licensees(self.dialect);
        let everyone = (Filter::default(), "licenses".to_owned());
        match self.dialect {
            Dialect::Sqlite => {
                // Counted and gathered by the database: one row back.
                let sql = format!(
                    "SELECT COUNT(*) AS n, json_group_array(x.id) AS ids FROM \
                     (SELECT rowid AS id FROM licensee_search \
                      WHERE licensee_search.licensee LIKE $1 LIMIT {few}) x"
                );
                let pattern = Arg::Text(format!("%{}%", part.to_lowercase()));
                let holders = fetch_optional(&self.pool, &sql, [pattern], |r| {
                    let n: i64 = r.try_get("n")?;
                    Ok((n < few)
                        .then(|| r.try_get::<String, _>("ids"))
                        .transpose()?)
                })
                .await?;
                Ok(match holders.flatten() {
                    Some(ids) => (
                        Filter::default().any(
                            &["licenses.rowid IN (SELECT value FROM json_each(?))"],
                            Some(vec![ids]),
                        ),
                        "licenses".to_owned(),
                    ),
                    None => everyone,
                })
            }
            Dialect::Postgres => {
                let (holding, args) = Filter::default()
                    .contains("name", Some(part))
                    .counting("SELECT license_id, issued FROM licensee_search");
                let counted = format!("SELECT COUNT(*) AS n FROM ({holding} LIMIT {few}) x");
                if count(&self.pool, &counted, args.clone()).await? >= few {
                    return Ok(everyone);
                }
                // The holders sorted among themselves (`OFFSET 0` keeps the
                // planner from merging them into the join), each licence
                // then read by its key in that order until the page is
                // full; the join on the issue time too tells the planner
                // the holders' order is the list's.
                let from = format!(
                    "licenses JOIN ({holding} ORDER BY issued, license_id OFFSET 0) holder \
                     ON id = license_id AND issued_at = issued"
                );
                Ok((Filter::binding(args), from))
            }
        }
    }
}

pub(super) const LICENSE_COLUMNS: &str =
    "id, product_id, policy_id, customer_id, key_hint, status, licensee, spec, \
     seats, seats_used, expires_at, file, issued_at, updated_at, terms_version";

pub(super) const LICENSES: Table<LicenseRecord> =
    Table::new("licenses", LICENSE_COLUMNS, "license", license_row);

fn license_row(r: &AnyRow) -> StoreResult<LicenseRecord> {
    let spec: String = r.try_get("spec")?;
    Ok(from_row!(r => LicenseRecord {
        id, product_id, policy_id, customer_id, key_hint, status, licensee, seats, seats_used,
        expires_at, file, issued_at, updated_at, terms_version;
        spec: serde_json::from_str::<LicenseSpec>(&spec).map_err(StoreError::internal)?,
    }))
}

/// `ev`, naming the license it changed and the license's customer.
fn about(record: &LicenseRecord, ev: Event) -> Event {
    Event {
        license_id: Some(record.id.clone()),
        customer_id: record.customer_id.clone(),
        ..ev
    }
}

/// The license an update just returned in `row`, its change recorded as
/// `ev` in the history.
async fn changed(tx: &mut Tx, row: &AnyRow, ev: Event) -> StoreResult<LicenseRecord> {
    let record = license_row(row)?;
    append(tx, about(&record, ev)).await?;
    Ok(record)
}

/// Reads a license's status (and seats) inside `tx`, for refusals.
pub(super) async fn license_state(tx: &mut Tx, id: &str) -> StoreResult<(String, i64, i64)> {
    let row = sqlx::query("SELECT status, seats, seats_used FROM licenses WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *tx.tx)
        .await?
        .ok_or_else(|| StoreError::not_found("license"))?;
    Ok((
        row.try_get("status")?,
        row.try_get("seats")?,
        row.try_get("seats_used")?,
    ))
}

pub(super) async fn lock_active_license(tx: &mut Tx, id: &str) -> StoreResult<()> {
    let locked = sqlx::query(
        "UPDATE licenses SET lock_version = lock_version + 1 WHERE id = $1 AND status = 'active'",
    )
    .bind(id)
    .execute(&mut *tx.tx)
    .await?
    .rows_affected();
    if locked == 0 {
        let (status, _, _) = license_state(tx, id).await?;
        return Err(inactive_license(&status));
    }
    Ok(())
}

/// Inserts an issued license and records its issue, inside `tx`.
pub(super) async fn insert_license(
    tx: &mut Tx,
    new: NewLicense,
    actor: &str,
) -> StoreResult<LicenseRecord> {
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
        .bind(serde_json::to_string(&r.spec).map_err(StoreError::internal)?)
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
pub(super) async fn write_terms(
    tx: &mut Tx,
    r: &LicenseRecord,
    ev: Event,
) -> StoreResult<LicenseRecord> {
    let row = sqlx::query(&format!(
        "UPDATE licenses SET spec = $1, file = $2, expires_at = $3, updated_at = $4, \
             terms_version = terms_version + 1 \
             WHERE id = $5 AND status <> 'revoked' AND terms_version = $6 RETURNING {LICENSE_COLUMNS}"
    ))
    .bind(serde_json::to_string(&r.spec).map_err(StoreError::internal)?)
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
            return Err(inactive_license(&status));
        }
        // The terms were changed by someone else after `r` was read: this
        // change was computed from terms that no longer stand.
        return Err(StoreError::conflict(
            "license_changed",
            "the license's terms changed while this request was made; nothing was changed: read the license again and retry",
        ));
    };
    changed(tx, &row, ev).await
}

/// Sets a license's seats, never below the seats in use (409
/// `seats_in_use` naming them), and records `ev`, inside `tx`. Without
/// `may_raise`, only a cut of the seats as they stand now (403: a cut
/// decided on an earlier read may have become a raise).
pub(super) async fn write_seats(
    tx: &mut Tx,
    id: &str,
    seats: i64,
    may_raise: bool,
    ev: Event,
) -> StoreResult<LicenseRecord> {
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
            return Err(StoreError::forbidden(
                "the seats were cut meanwhile: this change would raise them, which this role may not do",
            ));
        }
        return Err(StoreError::conflict(
            "seats_in_use",
            format!("{used} seats are in use; the license cannot have fewer"),
        )
        .with(serde_json::json!({"seats": current, "seats_used": used})));
    };
    changed(tx, &row, ev).await
}
