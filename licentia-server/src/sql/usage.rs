//! Usage counters and the heads of offline usage reports.

use sqlx::any::AnyRow;
use sqlx::Row;

use super::history::append;
use super::table::{fetch_all, from_row, scope_clause, Arg};
use super::{now, SqlStore, Tx};
use crate::store::{
    EndedUsage, Event, Idem, MeterCount, MeterUsage, Outcome, Scope, StoreError, StoreResult,
    UsageRow, UsageStore, QUOTA_EXCEEDED, USAGE_REPORT_REPLAYED,
};

const USAGE_COLUMNS: &str = "license_id, meter, period_start, period_end, quota, used";

const WHERE_COUNTER: &str = "license_id = $1 AND meter = $2 AND period_start = $3";

#[async_trait::async_trait]
impl UsageStore for SqlStore {
    async fn record_usage(
        &self,
        license_id: &str,
        counts: Vec<MeterCount>,
        ev: Event,
        idem: Option<Idem<Vec<MeterUsage>>>,
    ) -> StoreResult<Outcome<Vec<MeterUsage>>> {
        let mut tx = self.begin().await?;
        let mut after = Vec::with_capacity(counts.len());
        for c in &counts {
            after.push(count_within_quota(&mut tx, license_id, c).await?);
        }
        append(&mut tx, counted(license_id, &counts, ev)).await?;
        self.finish(tx, after, idem).await
    }

    async fn accept_usage_report(
        &self,
        license_id: &str,
        fingerprint: &str,
        counter: i64,
        counts: Vec<MeterCount>,
        ev: Event,
    ) -> StoreResult<Vec<MeterUsage>> {
        let mut tx = self.begin().await?;
        // Only above the last counter accepted: the update waits for (and
        // re-reads) a concurrent report's row, the insert for its key.
        let moved = sqlx::query(
            "UPDATE usage_report_heads SET counter = $1, accepted_at = $2 \
             WHERE license_id = $3 AND fingerprint = $4 AND counter < $1",
        )
        .bind(counter)
        .bind(now())
        .bind(license_id)
        .bind(fingerprint)
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
        let first = moved == 0
            && sqlx::query(
                "INSERT INTO usage_report_heads (license_id, fingerprint, counter, accepted_at) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (license_id, fingerprint) DO NOTHING",
            )
            .bind(license_id)
            .bind(fingerprint)
            .bind(counter)
            .bind(now())
            .execute(&mut *tx.tx)
            .await?
            .rows_affected()
                == 1;
        if moved == 0 && !first {
            let last: i64 = sqlx::query(
                "SELECT counter FROM usage_report_heads WHERE license_id = $1 AND fingerprint = $2",
            )
            .bind(license_id)
            .bind(fingerprint)
            .fetch_one(&mut *tx.tx)
            .await?
            .try_get("counter")?;
            let detail = if last == counter {
                format!("usage report {counter} of this machine was accepted already")
            } else {
                format!("usage report {counter} is older than report {last}, accepted already")
            };
            return Err(StoreError::conflict(USAGE_REPORT_REPLAYED, detail)
                .with(serde_json::json!({"counter": counter, "last_counter": last})));
        }
        let mut after = Vec::with_capacity(counts.len());
        for c in &counts {
            let row = sqlx::query(&format!(
                "INSERT INTO usage_counters ({USAGE_COLUMNS}, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) \
                 ON CONFLICT (license_id, meter, period_start) DO UPDATE SET \
                 used = usage_counters.used + excluded.used, quota = excluded.quota, \
                 period_end = excluded.period_end, updated_at = excluded.updated_at \
                 RETURNING {USAGE_COLUMNS}"
            ))
            .bind(license_id)
            .bind(&c.meter)
            .bind(c.period_start)
            .bind(c.period_end)
            .bind(c.quota)
            .bind(c.amount)
            .bind(now())
            .fetch_one(&mut *tx.tx)
            .await?;
            after.push(usage_row(&row)?);
        }
        tx.commit_with(counted(license_id, &counts, ev)).await?;
        Ok(after)
    }

    async fn license_usage(&self, license_id: &str) -> StoreResult<Vec<MeterUsage>> {
        fetch_all(
            &self.pool,
            &format!(
                "SELECT {USAGE_COLUMNS} FROM usage_counters WHERE license_id = $1 \
                 ORDER BY period_start DESC, meter"
            ),
            [Arg::from(license_id)],
            usage_row,
        )
        .await
    }

    async fn unbilled_usage(
        &self,
        license_ids: &[String],
        ended_by: i64,
    ) -> StoreResult<Vec<EndedUsage>> {
        if license_ids.is_empty() {
            return Ok(Vec::new());
        }
        let among: Vec<String> = (0..license_ids.len())
            .map(|i| format!("${}", i + 2))
            .collect();
        let sql = format!(
            "SELECT license_id, meter, period_start, period_end, used, billed_used \
             FROM usage_counters WHERE period_end IS NOT NULL AND period_end <= $1 \
             AND used > billed_used AND license_id IN ({}) \
             ORDER BY meter, period_start, license_id",
            among.join(", ")
        );
        let args = std::iter::once(Arg::from(ended_by))
            .chain(license_ids.iter().map(|id| Arg::from(id.as_str())));
        fetch_all(&self.pool, &sql, args, |r| {
            Ok(from_row!(r => EndedUsage {
                license_id, meter, period_start, period_end, used, billed_used
            }))
        })
        .await
    }

    async fn usage_report(
        &self,
        scope: &Scope,
        from: i64,
        to: i64,
        per_license: bool,
    ) -> StoreResult<Vec<UsageRow>> {
        let (within, nodes) = scope_clause("l.customer_id", scope, 3);
        let by = if per_license {
            "l.customer_id, u.license_id, u.meter"
        } else {
            "l.customer_id, u.meter"
        };
        let sql = format!(
            "SELECT {by}, CAST(SUM(u.used) AS BIGINT) AS used \
             FROM usage_counters u JOIN licenses l ON l.id = u.license_id \
             WHERE u.period_start >= $1 AND u.period_start < $2 {within} \
             GROUP BY {by} ORDER BY {by}"
        );
        let args = [Arg::from(from), Arg::from(to)].into_iter().chain(nodes);
        fetch_all(&self.pool, &sql, args, |r| {
            let license_id = if per_license {
                Some(r.try_get("license_id")?)
            } else {
                None
            };
            Ok(from_row!(r => UsageRow { customer_id, meter, used; license_id }))
        })
        .await
    }
}

/// Adds `c` to its counter unless that takes it past the quota: one
/// conditional update, so concurrent batches (on any instance) wait for
/// each other's row and re-check, never reading then writing.
async fn count_within_quota(
    tx: &mut Tx,
    license_id: &str,
    c: &MeterCount,
) -> StoreResult<MeterUsage> {
    sqlx::query(&format!(
        "INSERT INTO usage_counters ({USAGE_COLUMNS}, updated_at) \
         VALUES ($1, $2, $3, $4, $5, 0, $6) \
         ON CONFLICT (license_id, meter, period_start) DO NOTHING"
    ))
    .bind(license_id)
    .bind(&c.meter)
    .bind(c.period_start)
    .bind(c.period_end)
    .bind(c.quota)
    .bind(now())
    .execute(&mut *tx.tx)
    .await?;
    let row = sqlx::query(&format!(
        "UPDATE usage_counters SET used = used + $4, quota = $5, period_end = $6, updated_at = $7 \
         WHERE {WHERE_COUNTER} AND used + $4 <= $5 RETURNING {USAGE_COLUMNS}"
    ))
    .bind(license_id)
    .bind(&c.meter)
    .bind(c.period_start)
    .bind(c.amount)
    .bind(c.quota)
    .bind(c.period_end)
    .bind(now())
    .fetch_optional(&mut *tx.tx)
    .await?;
    if let Some(row) = row {
        return usage_row(&row);
    }
    let used: i64 = sqlx::query(&format!(
        "SELECT used FROM usage_counters WHERE {WHERE_COUNTER}"
    ))
    .bind(license_id)
    .bind(&c.meter)
    .bind(c.period_start)
    .fetch_one(&mut *tx.tx)
    .await?
    .try_get("used")?;
    Err(StoreError::conflict(
        QUOTA_EXCEEDED,
        format!(
            "meter '{}' has {} of its {} left this period, not {}: nothing was counted",
            c.meter,
            (c.quota - used).max(0),
            c.quota,
            c.amount
        ),
    )
    .with(serde_json::json!({
        "meter": c.meter,
        "used": used,
        "quota": c.quota,
        "asked": c.amount,
        "period_end": c.period_end,
    })))
}

/// The history entry of amounts counted.
fn counted(license_id: &str, counts: &[MeterCount], ev: Event) -> Event {
    let amounts: serde_json::Map<String, serde_json::Value> = counts
        .iter()
        .map(|c| (c.meter.clone(), c.amount.into()))
        .collect();
    Event {
        license_id: Some(license_id.to_owned()),
        details: serde_json::json!({ "amounts": amounts }),
        ..ev
    }
}

fn usage_row(r: &AnyRow) -> StoreResult<MeterUsage> {
    Ok(from_row!(r => MeterUsage { license_id, meter, period_start, period_end, quota, used }))
}
