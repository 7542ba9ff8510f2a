//! [`ReportStore`] on SQL: one read query per report; the arithmetic
//! (percentiles, grouping) is done by the caller, the same on both backends.

use std::collections::BTreeMap;

use chrono::{NaiveDate, TimeZone};
use sqlx::Row;

use super::history::{history_row, HISTORY_COLUMNS};
use super::licenses::{license_row, LICENSE_COLUMNS};
use super::SqlStore;
use crate::store::{
    FirstUse, HistoryEntry, LicenseRecord, ModelCount, PlatformCount, RenewalDue, ReportStore,
};
use crate::store::{StoreError, StoreResult};
use licentia::{Timestamp, DAY};

/// The end of `day` (the next midnight) in time zone `zone`, Unix seconds.
fn day_end(day: &str, zone: &str) -> StoreResult<i64> {
    let next = NaiveDate::parse_from_str(day, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.succ_opt())
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .ok_or_else(|| StoreError::internal("a stored subscription date does not read"))?;
    let zone: chrono_tz::Tz = zone
        .parse()
        .map_err(|_| StoreError::internal("a stored time zone does not read"))?;
    zone.from_local_datetime(&next)
        .earliest()
        .map(|t| t.timestamp())
        .ok_or_else(|| StoreError::internal("no such local time"))
}

#[async_trait::async_trait]
impl ReportStore for SqlStore {
    async fn renewals_due(&self, from: i64, until: i64) -> StoreResult<Vec<RenewalDue>> {
        let mut plans: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for r in sqlx::query("SELECT policy_id, name FROM plans ORDER BY name")
            .fetch_all(&self.pool)
            .await?
        {
            plans
                .entry(r.try_get("policy_id")?)
                .or_default()
                .push(r.try_get("name")?);
        }
        let mut due = sqlx::query(
            "SELECT l.id, p.code, l.policy_id, po.name AS policy, po.kind, l.customer_id, \
             c.name AS customer, l.licensee, l.status, l.seats, l.expires_at \
             FROM licenses l JOIN products p ON p.id = l.product_id \
             JOIN policies po ON po.id = l.policy_id \
             LEFT JOIN customers c ON c.id = l.customer_id \
             WHERE l.status <> 'revoked' AND l.expires_at >= $1 AND l.expires_at <= $2 \
             ORDER BY l.expires_at, l.id",
        )
        .bind(from)
        .bind(until)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            let policy_id: String = r.try_get("policy_id")?;
            let kind: String = r.try_get("kind")?;
            Ok(RenewalDue {
                kind: format!("license/{kind}"),
                id: r.try_get("id")?,
                product: r.try_get("code")?,
                plans: plans.get(&policy_id).cloned().unwrap_or_default(),
                policy_id,
                policy: r.try_get("policy")?,
                customer_id: r.try_get("customer_id")?,
                customer: r.try_get("customer")?,
                licensee: r.try_get("licensee")?,
                status: r.try_get("status")?,
                seats: r.try_get("seats")?,
                ends_at: r.try_get("expires_at")?,
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
        // Subscriptions end at the close of their last day (the term's, or
        // the day a cancelled one ends) in their own time zone; dates are
        // compared as text (ISO), a day wider, then exactly.
        let day = |t: i64| Timestamp(t).to_string()[..10].to_owned();
        for r in sqlx::query(
            "SELECT s.id, p.code, pl.policy_id, po.name AS policy, pl.name AS plan, s.customer_id, \
             c.name AS customer, s.status, s.seats, s.zone, COALESCE(s.ends_on, s.term_end) AS last_day \
             FROM subscriptions s JOIN plans pl ON pl.id = s.plan_id \
             JOIN policies po ON po.id = pl.policy_id JOIN products p ON p.id = s.product_id \
             JOIN customers c ON c.id = s.customer_id \
             WHERE s.status <> 'ended' AND COALESCE(s.ends_on, s.term_end) >= $1 \
             AND COALESCE(s.ends_on, s.term_end) <= $2",
        )
        .bind(day(from - DAY))
        .bind(day(until))
        .fetch_all(&self.pool)
        .await?
        {
            let last_day: String = r.try_get("last_day")?;
            let zone: String = r.try_get("zone")?;
            let ends_at = day_end(&last_day, &zone)?;
            if ends_at < from || ends_at > until {
                continue;
            }
            let customer: String = r.try_get("customer")?;
            due.push(RenewalDue {
                kind: "subscription".into(),
                id: r.try_get("id")?,
                product: r.try_get("code")?,
                policy_id: r.try_get("policy_id")?,
                policy: r.try_get("policy")?,
                plans: vec![r.try_get("plan")?],
                customer_id: r.try_get("customer_id")?,
                licensee: customer.clone(),
                customer: Some(customer),
                status: r.try_get("status")?,
                seats: r.try_get("seats")?,
                ends_at,
            });
        }
        due.sort_by(|a, b| (a.ends_at, &a.id).cmp(&(b.ends_at, &b.id)));
        Ok(due)
    }

    async fn customer_roots(&self) -> StoreResult<Vec<String>> {
        sqlx::query("SELECT id FROM customers WHERE parent_id IS NULL ORDER BY name, id")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| Ok(r.try_get("id")?))
            .collect()
    }

    async fn customer_licenses(&self, customer_id: &str) -> StoreResult<Vec<LicenseRecord>> {
        sqlx::query(&format!(
            "SELECT {LICENSE_COLUMNS} FROM licenses WHERE customer_id = $1 ORDER BY issued_at, id"
        ))
        .bind(customer_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(license_row)
        .collect()
    }

    async fn first_uses(&self) -> StoreResult<Vec<FirstUse>> {
        sqlx::query(
            "SELECT l.id, l.product_id, p.code, l.policy_id, po.name AS policy, l.issued_at, \
             (SELECT MIN(u.at) FROM ( \
                 SELECT created_at AS at FROM activations WHERE license_id = l.id \
                 UNION ALL SELECT created_at AS at FROM leases WHERE license_id = l.id \
             ) u) AS first_use_at \
             FROM licenses l JOIN products p ON p.id = l.product_id \
             JOIN policies po ON po.id = l.policy_id ORDER BY l.issued_at, l.id",
        )
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(FirstUse {
                license_id: r.try_get("id")?,
                product_id: r.try_get("product_id")?,
                product: r.try_get("code")?,
                policy_id: r.try_get("policy_id")?,
                policy: r.try_get("policy")?,
                issued_at: r.try_get("issued_at")?,
                first_use_at: r.try_get("first_use_at")?,
            })
        })
        .collect()
    }

    async fn platforms(&self) -> StoreResult<Vec<PlatformCount>> {
        sqlx::query(
            "SELECT platform, COUNT(*) AS total, \
             CAST(SUM(CASE WHEN deactivated_at IS NULL THEN 1 ELSE 0 END) AS BIGINT) AS active, \
             COUNT(DISTINCT license_id) AS licenses \
             FROM activations GROUP BY platform ORDER BY active DESC, total DESC, platform",
        )
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(PlatformCount {
                platform: r.try_get("platform")?,
                active: r.try_get("active")?,
                total: r.try_get("total")?,
                licenses: r.try_get("licenses")?,
            })
        })
        .collect()
    }

    async fn license_models(&self) -> StoreResult<Vec<ModelCount>> {
        sqlx::query(
            "SELECT po.kind, po.binding, COUNT(*) AS licenses, \
             CAST(SUM(CASE WHEN l.status = 'active' THEN 1 ELSE 0 END) AS BIGINT) AS active, \
             CAST(SUM(l.seats) AS BIGINT) AS seats, CAST(SUM(l.seats_used) AS BIGINT) AS seats_used \
             FROM licenses l JOIN policies po ON po.id = l.policy_id \
             GROUP BY po.kind, po.binding ORDER BY licenses DESC, po.kind, po.binding",
        )
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(ModelCount {
                kind: r.try_get("kind")?,
                binding: r.try_get("binding")?,
                licenses: r.try_get("licenses")?,
                active: r.try_get("active")?,
                seats: r.try_get("seats")?,
                seats_used: r.try_get("seats_used")?,
            })
        })
        .collect()
    }

    async fn customer_events(
        &self,
        customer_id: &str,
        limit: i64,
    ) -> StoreResult<Vec<HistoryEntry>> {
        sqlx::query(&format!(
            "SELECT {HISTORY_COLUMNS} FROM history WHERE customer_id = $1 \
             OR license_id IN (SELECT id FROM licenses WHERE customer_id = $1) \
             ORDER BY seq LIMIT $2"
        ))
        .bind(customer_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(history_row)
        .collect()
    }
}
