//! [`ReportStore`] on SQL: one read query per report (the counted ones read
//! the counters of migration 0030, not the licences); the arithmetic
//! (percentiles, grouping) is done by the caller, the same on both backends.

use std::collections::BTreeMap;

use chrono::{NaiveDate, TimeZone};
use sqlx::Row;

use super::history::HISTORY;
use super::licenses::LICENSES;
use super::notices::NOTIFICATION_NODE;
use super::table::{count, fetch_all, from_row, scope_clause, Arg};
use super::SqlStore;
use crate::store::{
    Activity, HistoryEntry, LicenseRecord, ModelCount, PlatformCount, RenewalDue, ReportStore,
    Scope, UseDelay,
};
use crate::store::{StoreError, StoreResult};
use licentia::{Timestamp, DAY};

/// The clause that keeps a read of the counters of migration 0030 within
/// `scope`: the rows of the nodes in it (found by the indexed walk of the
/// tree), or for the vendor root the rows kept under `'*'` for the whole
/// base. Never the licences themselves: the counters are kept as they are
/// written, so a report costs the nodes in scope, not the licences.
fn counted_within(column: &str, scope: &Scope, first: usize) -> (String, Vec<Arg>) {
    match scope {
        Scope::All => (format!(" AND {column} = '*'"), Vec::new()),
        Scope::Under(_) => scope_clause(column, scope, first),
    }
}

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
    async fn renewals_due(
        &self,
        scope: &Scope,
        from: i64,
        until: i64,
    ) -> StoreResult<Vec<RenewalDue>> {
        let (licenses_within, args) = scope_clause("l.customer_id", scope, 3);
        let (subscriptions_within, _) = scope_clause("s.customer_id", scope, 3);
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
        let mut due = fetch_all(
            &self.pool,
            &format!(
                // Each customer's name read by its key: a join let the
                // planner hash the whole customers table.
                "SELECT l.id, p.code, l.policy_id, po.name AS policy, po.kind, l.customer_id, \
                 (SELECT c.name FROM customers c WHERE c.id = l.customer_id) AS customer, \
                 l.licensee, l.status, l.seats, l.expires_at \
                 FROM licenses l JOIN products p ON p.id = l.product_id \
                 JOIN policies po ON po.id = l.policy_id \
                 WHERE l.status <> 'revoked' AND l.expires_at >= $1 AND l.expires_at <= $2 \
                 {licenses_within} ORDER BY l.expires_at, l.id"
            ),
            [from.into(), until.into()].into_iter().chain(args.clone()),
            |r| {
                let policy_id: String = r.try_get("policy_id")?;
                let kind: String = r.try_get("kind")?;
                Ok(from_row!(r => RenewalDue {
                    id, policy, customer_id, customer, licensee, status, seats;
                    kind: format!("license/{kind}"),
                    product: r.try_get("code")?,
                    plans: plans.get(&policy_id).cloned().unwrap_or_default(),
                    policy_id,
                    ends_at: r.try_get("expires_at")?,
                }))
            },
        )
        .await?;
        // Subscriptions end at the close of their last day (the term's, or
        // the day a cancelled one ends) in their own time zone; dates are
        // compared as text (ISO), a day wider, then exactly.
        let day = |t: i64| Timestamp(t).to_string()[..10].to_owned();
        let subscriptions = fetch_all(
            &self.pool,
            &format!(
                "SELECT s.id, p.code, pl.policy_id, po.name AS policy, pl.name AS plan, s.customer_id, \
                 (SELECT c.name FROM customers c WHERE c.id = s.customer_id) AS customer, \
                 s.status, s.seats, s.zone, COALESCE(s.ends_on, s.term_end) AS last_day \
                 FROM subscriptions s JOIN plans pl ON pl.id = s.plan_id \
                 JOIN policies po ON po.id = pl.policy_id JOIN products p ON p.id = s.product_id \
                 WHERE s.status <> 'ended' AND COALESCE(s.ends_on, s.term_end) >= $1 \
                 AND COALESCE(s.ends_on, s.term_end) <= $2 {subscriptions_within}"
            ),
            [day(from - DAY).into(), day(until).into()].into_iter().chain(args),
            |r| {
                let last_day: String = r.try_get("last_day")?;
                let zone: String = r.try_get("zone")?;
                let ends_at = day_end(&last_day, &zone)?;
                if ends_at < from || ends_at > until {
                    return Ok(None);
                }
                let customer: String = r.try_get("customer")?;
                Ok(Some(from_row!(r => RenewalDue {
                    id, policy_id, policy, customer_id, status, seats;
                    kind: "subscription".into(),
                    product: r.try_get("code")?,
                    plans: vec![r.try_get("plan")?],
                    licensee: customer.clone(),
                    customer: Some(customer),
                    ends_at,
                })))
            },
        )
        .await?;
        due.extend(subscriptions.into_iter().flatten());
        due.sort_by(|a, b| (a.ends_at, &a.id).cmp(&(b.ends_at, &b.id)));
        Ok(due)
    }

    async fn customer_roots(&self) -> StoreResult<Vec<String>> {
        fetch_all(
            &self.pool,
            "SELECT id FROM customers WHERE parent_id IS NULL ORDER BY name, id",
            [],
            |r| Ok(r.try_get("id")?),
        )
        .await
    }

    async fn customer_licenses(&self, customer_id: &str) -> StoreResult<Vec<LicenseRecord>> {
        let of_customer = "WHERE customer_id = $1 ORDER BY issued_at, id";
        LICENSES
            .all(&self.pool, of_customer, [customer_id.into()])
            .await
    }

    async fn use_delays(&self, scope: &Scope) -> StoreResult<Vec<UseDelay>> {
        let (within, args) = counted_within("d.customer_id", scope, 1);
        fetch_all(
            &self.pool,
            &format!(
                "SELECT d.product_id, p.code AS product, d.policy_id, po.name AS policy, d.days, \
                 CAST(SUM(d.licenses) AS BIGINT) AS licenses \
                 FROM first_use_days d JOIN products p ON p.id = d.product_id \
                 JOIN policies po ON po.id = d.policy_id WHERE 1 = 1 {within} \
                 GROUP BY d.product_id, p.code, d.policy_id, po.name, d.days \
                 HAVING SUM(d.licenses) > 0 ORDER BY d.product_id, d.policy_id, d.days"
            ),
            args,
            |r| {
                let days: i64 = r.try_get("days")?;
                Ok(from_row!(r => UseDelay {
                    product_id, product, policy_id, policy, licenses;
                    days: (days >= 0).then_some(days),
                }))
            },
        )
        .await
    }

    async fn issue_days(&self, scope: &Scope) -> StoreResult<Vec<(i64, i64)>> {
        let (within, args) = counted_within("i.customer_id", scope, 1);
        fetch_all(
            &self.pool,
            &format!(
                "SELECT i.day, CAST(SUM(i.licenses) AS BIGINT) AS licenses FROM issue_days i \
                 WHERE 1 = 1 {within} GROUP BY i.day HAVING SUM(i.licenses) > 0 ORDER BY i.day"
            ),
            args,
            |r| Ok((r.try_get("day")?, r.try_get("licenses")?)),
        )
        .await
    }

    async fn activity(&self, scope: &Scope, since: i64) -> StoreResult<Activity> {
        let (within, mut args) = scope_clause("l.customer_id", scope, 2);
        args.insert(0, since.into());
        let activations = count(
            &self.pool,
            &format!(
                "SELECT COUNT(*) AS n FROM activations a JOIN licenses l ON l.id = a.license_id \
                 WHERE a.created_at >= $1 {within}"
            ),
            args,
        )
        .await?;
        let (within, args) = scope_clause(NOTIFICATION_NODE, scope, 1);
        let failed_deliveries = count(
            &self.pool,
            &format!(
                "SELECT COUNT(*) AS n FROM notice_deliveries d \
                 JOIN notifications ON notifications.id = d.notification_id \
                 WHERE d.status = 'failed' {within}"
            ),
            args,
        )
        .await?;
        Ok(Activity {
            activations,
            failed_deliveries,
        })
    }

    async fn platforms(&self, scope: &Scope) -> StoreResult<Vec<PlatformCount>> {
        let (within, args) = counted_within("c.customer_id", scope, 1);
        fetch_all(
            &self.pool,
            &format!(
                "SELECT c.platform, CAST(SUM(c.active) AS BIGINT) AS active, \
                 CAST(SUM(c.total) AS BIGINT) AS total, CAST(SUM(c.licenses) AS BIGINT) AS licenses \
                 FROM platform_counts c WHERE 1 = 1 {within} \
                 GROUP BY c.platform HAVING SUM(c.total) > 0 \
                 ORDER BY active DESC, total DESC, c.platform"
            ),
            args,
            |r| Ok(from_row!(r => PlatformCount { platform, active, total, licenses })),
        )
        .await
    }

    async fn license_models(&self, scope: &Scope) -> StoreResult<Vec<ModelCount>> {
        let (within, args) = counted_within("c.customer_id", scope, 1);
        fetch_all(
            &self.pool,
            &format!(
                "SELECT po.kind, po.binding, CAST(SUM(c.licenses) AS BIGINT) AS licenses, \
                 CAST(SUM(c.active) AS BIGINT) AS active, CAST(SUM(c.seats) AS BIGINT) AS seats, \
                 CAST(SUM(c.seats_used) AS BIGINT) AS seats_used \
                 FROM license_counts c JOIN policies po ON po.id = c.policy_id WHERE 1 = 1 {within} \
                 GROUP BY po.kind, po.binding HAVING SUM(c.licenses) > 0 \
                 ORDER BY licenses DESC, po.kind, po.binding"
            ),
            args,
            |r| {
                Ok(from_row!(r => ModelCount {
                    kind, binding, licenses, active, seats, seats_used
                }))
            },
        )
        .await
    }

    async fn customer_events(
        &self,
        customer_id: &str,
        limit: i64,
    ) -> StoreResult<Vec<HistoryEntry>> {
        HISTORY
            .all(
                &self.pool,
                // Two index reads joined (an OR of the two would read
                // the whole history).
                "WHERE h.seq IN (SELECT seq FROM history WHERE customer_id = $1 \
                 UNION SELECT seq FROM history WHERE license_id IN \
                 (SELECT id FROM licenses WHERE customer_id = $1)) \
                 ORDER BY h.seq LIMIT $2",
                [customer_id.into(), limit.into()],
            )
            .await
    }
}
