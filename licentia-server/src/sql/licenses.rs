//! Licenses: issue, status, terms and seats, each change conditional on what the transaction reads.

use sqlx::any::AnyRow;
use sqlx::Row;

use super::history::{append, event};
use super::revocation::bump_revocation;
use super::table::{from_row, Filter, Table};
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
        let narrowing = match filter.licensee.as_deref() {
            Some(part) if self.dialect == Dialect::Sqlite => {
                let pattern = format!("%{}%", part.to_lowercase());
                self.few_licensees_hold(&pattern)
                    .await?
                    .then_some(vec![pattern])
            }
            _ => None,
        };
        let f = Filter::default()
            .scope("customer_id", scope)
            .text("product_id", filter.product_id.as_deref())
            .text("customer_id", filter.customer_id.as_deref())
            .text("status", filter.status.as_deref())
            .int("expires_at <", filter.expires_before)
            .contains("licensee", filter.licensee.as_deref())
            .any(
                // SQLite's trigram index (migration 0030), the user's `%`
                // and `_` taken as wildcards: a superset, which `contains`
                // narrows exactly. PostgreSQL's serves `contains` itself.
                &["licenses.rowid IN (SELECT rowid FROM licensee_search \
                   WHERE licensee_search.licensee LIKE ?)"],
                narrowing,
            )
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
        LICENSES.list(&self.pool, f, "issued_at, id", page).await
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

/// The most licensees SQLite's trigram index is asked for on a search:
/// the index finds every name holding the part, and each found licence is
/// read to sort them; when more names hold it than this, the list's own
/// order is walked instead, each licence checked as it comes, and a page
/// fills within its first few thousand (a word every name holds took
/// 2.4 s through the index at a million licences).
const FEW_LICENSEES: i64 = 2_000;

impl SqlStore {
    /// Whether fewer than [`FEW_LICENSEES`] licensees match `pattern` (a
    /// `LIKE` pattern) in SQLite's trigram index: at most that many read.
    async fn few_licensees_hold(&self, pattern: &str) -> StoreResult<bool> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM (SELECT 1 FROM licensee_search \
             WHERE licensee_search.licensee LIKE $1 LIMIT $2)",
        )
        .bind(pattern)
        .bind(FEW_LICENSEES)
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get::<i64, _>("n")? < FEW_LICENSEES)
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
