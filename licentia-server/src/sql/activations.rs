//! Activations, check-ins, temporary licenses and floating leases.

use sqlx::any::AnyRow;
use sqlx::Row;

use super::customers::{check_allocation, Taken};
use super::history::{append, AnyQuery, Queued, QUEUE_COLUMNS};
use super::licenses::{license_state, lock_active_license};
use super::revocation::bump_revocation_of;
use super::table::{count, from_row, Filter, Table};
use super::{now, SqlStore};
use crate::store::{inactive_license, StoreError, StoreResult};
use crate::store::{
    Activation, ActivationStore, Event, Idem, Lease, Outcome, Page, Rows, Temporary, NO_SEAT,
};

#[async_trait::async_trait]
impl ActivationStore for SqlStore {
    async fn activate(
        &self,
        a: Activation,
        ev: Event,
        idem: Option<Idem<Activation>>,
    ) -> StoreResult<Outcome<Activation>> {
        let mut tx = self.begin().await?;
        let postgres = tx.on_postgres();
        let (taken, node, inserted) = if postgres {
            // One statement: the seat, the machine and its history entry
            // (queued for the COMMIT, migration 44), so the licence's row,
            // which every activation of the licence waits for, is held for
            // one round trip and the COMMIT.
            let queued = Queued::new(activated(&a, ev.clone()));
            let sql = format!(
                "WITH seat AS (UPDATE licenses SET seats_used = seats_used + 1 \
                 WHERE id = $2 AND status = 'active' AND seats_used < seats RETURNING customer_id), \
                 added AS (INSERT INTO activations ({ACTIVATION_COLUMNS}) \
                 SELECT $1, $2, $3, $4, $5, $6, $7, $8, NULL FROM seat \
                 ON CONFLICT (license_id, fingerprint) WHERE deactivated_at IS NULL DO NOTHING \
                 RETURNING id), \
                 queued AS (INSERT INTO history_queue ({QUEUE_COLUMNS}) SELECT {} FROM added) \
                 SELECT (SELECT COUNT(*) FROM seat) AS taken, (SELECT customer_id FROM seat) AS node, \
                 (SELECT COUNT(*) FROM added) AS inserted",
                Queued::placeholders(9)
            );
            let query = bind_new(sqlx::query(&sql), &a);
            let row = queued.bind(query).fetch_one(&mut *tx.tx).await?;
            let counted = |column| row.try_get::<i64, _>(column);
            (
                counted("taken")? as u64,
                row.try_get("node")?,
                counted("inserted")? as u64,
            )
        } else {
            // The license's node comes back with the seat: one read fewer.
            let taken = sqlx::query(
                "UPDATE licenses SET seats_used = seats_used + 1 \
                 WHERE id = $1 AND status = 'active' AND seats_used < seats RETURNING customer_id",
            )
            .bind(&a.license_id)
            .fetch_optional(&mut *tx.tx)
            .await?;
            let node: Option<String> = match &taken {
                Some(row) => row.try_get("customer_id")?,
                None => None,
            };
            let taken = u64::from(taken.is_some());
            let inserted = if taken == 1 {
                let insert = format!(
                    "INSERT INTO activations ({ACTIVATION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL) \
                     ON CONFLICT (license_id, fingerprint) WHERE deactivated_at IS NULL DO NOTHING"
                );
                let insert = sqlx::query(&insert);
                bind_new(insert, &a)
                    .execute(&mut *tx.tx)
                    .await?
                    .rows_affected()
            } else {
                0
            };
            (taken, node, inserted)
        };
        let result = if inserted == 1 {
            // A license outside the customer tree has no allocation to keep.
            if node.is_some() {
                check_allocation(&mut tx, &a.license_id, Taken::Machine).await?;
            }
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
                        return Err(inactive_license(&status));
                    }
                    return Err(StoreError::conflict(
                        NO_SEAT,
                        format!("all {seats} seats of this license are in use"),
                    )
                    .with(serde_json::json!({"seats": seats, "seats_used": used})));
                }
            }
        };
        // A new machine's entry is queued already on PostgreSQL.
        if !(postgres && inserted == 1) {
            append(&mut tx, activated(&result, ev)).await?;
        }
        self.finish(tx, result, idem).await
    }

    async fn deactivate(
        &self,
        id: &str,
        license_id: Option<&str>,
        ev: Event,
    ) -> StoreResult<Activation> {
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
        .ok_or_else(|| StoreError::not_found("active activation"))?;
        let activation = activation_row(&row)?;
        sqlx::query(
            "UPDATE licenses SET seats_used = seats_used - 1 WHERE id = $1 AND seats_used > 0",
        )
        .bind(&activation.license_id)
        .execute(&mut *tx.tx)
        .await?;
        // The machine's copies are named in the product's next list.
        bump_revocation_of(&mut tx, &activation.license_id).await?;
        tx.commit_with(Event {
            license_id: Some(activation.license_id.clone()),
            details: serde_json::json!({"fingerprint": activation.fingerprint}),
            ..ev
        })
        .await?;
        Ok(activation)
    }

    async fn activation(&self, id: &str) -> StoreResult<Activation> {
        ACTIVATIONS.get(&self.pool, id).await
    }

    async fn list_activations(
        &self,
        license_id: &str,
        page: Page,
    ) -> StoreResult<Rows<Activation>> {
        let f = Filter::default().text("license_id", Some(license_id));
        ACTIVATIONS
            .list(&self.pool, f, "created_at, id", page)
            .await
    }

    async fn list_leases(&self, license_id: &str, page: Page) -> StoreResult<Rows<Lease>> {
        let f = Filter::default().text("license_id", Some(license_id));
        LEASES
            .list(&self.pool, f, "created_at DESC, id DESC", page)
            .await
    }

    async fn deactivations_since(&self, license_id: &str, since: i64) -> StoreResult<Vec<i64>> {
        let rows = sqlx::query(
            "SELECT deactivated_at FROM activations \
             WHERE license_id = $1 AND deactivated_at >= $2 ORDER BY deactivated_at",
        )
        .bind(license_id)
        .bind(since)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok(sqlx::Row::try_get::<i64, _>(r, "deactivated_at")?))
            .collect()
    }

    async fn live_activation(
        &self,
        license_id: &str,
        fingerprint: &str,
    ) -> StoreResult<Option<Activation>> {
        let f = Filter::default()
            .text("license_id", Some(license_id))
            .text("fingerprint", Some(fingerprint))
            .always("deactivated_at IS NULL");
        let found = ACTIVATIONS
            .list(&self.pool, f, "created_at, id", Page::first(1))
            .await?;
        Ok(found.into_iter().next())
    }

    async fn last_activation(
        &self,
        license_id: &str,
        fingerprint: &str,
    ) -> StoreResult<Option<Activation>> {
        let f = Filter::default()
            .text("license_id", Some(license_id))
            .text("fingerprint", Some(fingerprint));
        let found = ACTIVATIONS
            .list(&self.pool, f, "created_at DESC, id DESC", Page::first(1))
            .await?;
        Ok(found.into_iter().next())
    }

    async fn check_in(
        &self,
        license_id: &str,
        fingerprint: &str,
        file: String,
        ev: Event,
    ) -> StoreResult<Activation> {
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
                return Err(inactive_license(&status));
            }
            return Err(StoreError::conflict(
                "not_activated",
                "this machine is not activated for this license",
            ));
        };
        let activation = activation_row(&row)?;
        tx.commit_with(Event {
            subject: activation.id.clone(),
            license_id: Some(license_id.to_owned()),
            ..ev
        })
        .await?;
        Ok(activation)
    }

    async fn issue_temporary(
        &self,
        t: Temporary,
        quota: i64,
        period_start: i64,
        ev: Event,
    ) -> StoreResult<Temporary> {
        let mut tx = self.begin().await?;
        lock_active_license(&mut tx, &t.license_id).await?;
        let used = count(
            &mut *tx.tx,
            "SELECT COUNT(*) AS n FROM temporary_licenses WHERE license_id = $1 AND created_at >= $2",
            [t.license_id.as_str().into(), period_start.into()],
        )
        .await?;
        if used >= quota {
            return Err(StoreError::conflict(
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
        tx.commit_with(held(ev, &t.id, &t.license_id, &t.fingerprint, t.expires_at))
            .await?;
        Ok(t)
    }

    async fn checkout_lease(
        &self,
        lease: Lease,
        cap: i64,
        now: i64,
        ev: Event,
    ) -> StoreResult<Lease> {
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
                let live = count(
                    &mut *tx.tx,
                    "SELECT COUNT(*) AS n FROM leases WHERE license_id = $1 AND returned_at IS NULL AND expires_at > $2",
                    [lease.license_id.as_str().into(), now.into()],
                )
                .await?;
                if live >= cap {
                    return Err(StoreError::conflict(
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
        let r = &result;
        tx.commit_with(held(ev, &r.id, &r.license_id, &r.fingerprint, r.expires_at))
            .await?;
        Ok(result)
    }

    async fn heartbeat_lease(
        &self,
        id: &str,
        license_id: &str,
        now: i64,
        expires_at: i64,
        ev: Event,
    ) -> StoreResult<Lease> {
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
            StoreError::conflict(
                "lease_ended",
                "the lease has expired or was returned; check a seat out again",
            )
        })?;
        let lease = lease_row(&row)?;
        tx.commit_with(Event {
            license_id: Some(license_id.to_owned()),
            details: serde_json::json!({"expires_at": expires_at}),
            ..ev
        })
        .await?;
        Ok(lease)
    }

    async fn return_lease(
        &self,
        id: &str,
        license_id: &str,
        now: i64,
        ev: Event,
    ) -> StoreResult<Lease> {
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
        .ok_or_else(|| StoreError::not_found("unreturned lease"))?;
        let lease = lease_row(&row)?;
        bump_revocation_of(&mut tx, license_id).await?;
        tx.commit_with(Event {
            license_id: Some(license_id.to_owned()),
            ..ev
        })
        .await?;
        Ok(lease)
    }
}

/// `ev` about `id`, which the machine `fingerprint` holds of license
/// `license_id` until `expires_at` (a temporary license, a lease).
fn held(ev: Event, id: &str, license_id: &str, fingerprint: &str, expires_at: i64) -> Event {
    Event {
        subject: id.to_owned(),
        license_id: Some(license_id.to_owned()),
        details: serde_json::json!({"fingerprint": fingerprint, "expires_at": expires_at}),
        ..ev
    }
}

/// `query` with a new activation's columns bound as `$1` to `$8`, in
/// [`ACTIVATION_COLUMNS`] order (its `deactivated_at` is NULL).
fn bind_new<'q>(query: AnyQuery<'q>, a: &'q Activation) -> AnyQuery<'q> {
    query
        .bind(&a.id)
        .bind(&a.license_id)
        .bind(&a.fingerprint)
        .bind(&a.platform)
        .bind(&a.mode)
        .bind(&a.file)
        .bind(a.created_at)
        .bind(a.last_seen_at)
}

/// `ev`, the history entry of `activation`'s machine activated.
fn activated(activation: &Activation, ev: Event) -> Event {
    Event {
        subject: activation.id.clone(),
        license_id: Some(activation.license_id.clone()),
        details: serde_json::json!({
            "fingerprint": activation.fingerprint,
            "platform": activation.platform,
            "mode": activation.mode,
        }),
        ..ev
    }
}

pub(super) const ACTIVATION_COLUMNS: &str =
    "id, license_id, fingerprint, platform, mode, file, created_at, last_seen_at, deactivated_at";

pub(super) const LEASE_COLUMNS: &str =
    "id, license_id, fingerprint, created_at, expires_at, returned_at";

const ACTIVATIONS: Table<Activation> = Table::new(
    "activations",
    ACTIVATION_COLUMNS,
    "activation",
    activation_row,
);

const LEASES: Table<Lease> = Table::new("leases", LEASE_COLUMNS, "lease", lease_row);

pub(super) fn activation_row(r: &AnyRow) -> StoreResult<Activation> {
    Ok(from_row!(r => Activation {
        id, license_id, fingerprint, platform, mode, file, created_at, last_seen_at, deactivated_at
    }))
}

pub(super) fn lease_row(r: &AnyRow) -> StoreResult<Lease> {
    Ok(from_row!(r => Lease {
        id, license_id, fingerprint, created_at, expires_at, returned_at
    }))
}
