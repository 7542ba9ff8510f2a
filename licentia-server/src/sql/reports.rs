//! [`ReportStore`] on SQL: one read query per report; the arithmetic
//! (percentiles, grouping) is done by the caller, the same on both backends.

use std::collections::BTreeMap;

use chrono::{NaiveDate, TimeZone};
use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};

use super::contracts::last_day_to_cancel;
use super::history::HISTORY;
use super::licenses::LICENSES;
use super::notices::NOTIFICATION_NODE;
use super::purchases::stored_cost;
use super::table::{count, fetch_all, from_row, scope_clause};
use super::SqlStore;
use crate::store::{
    Activity, FirstUse, Grouping, HistoryEntry, LicenseRecord, ModelCount, Page, PlatformCount,
    RenewalDue, ReportStore, Rows, Scope, SupplierTerms,
};
use crate::store::{StoreError, StoreResult};
use licentia::{Timestamp, DAY};

/// The end of `day` (the next midnight) in time zone `zone`, Unix seconds.
pub(super) fn day_end(day: &str, zone: &str) -> StoreResult<i64> {
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

/// The contracts whose last day is from `$1` to `$2` (`YYYY-MM-DD`), then
/// (after the caller's scope on `c.customer_id`) [`SUPPLIED_LOTS`]: the
/// columns [`supplier_terms`] reads, and `kind`, `id`, `product`,
/// `customer_id`, `customer` and `seats`.
pub(super) const SUPPLIED: &str =
    "SELECT 'contract' AS kind, c.id, CAST(NULL AS TEXT) AS product, \
     c.customer_id, (SELECT cu.name FROM customers cu WHERE cu.id = c.customer_id) AS customer, \
     CAST(NULL AS BIGINT) AS seats, c.id AS contract_id, c.reference, c.supplier_id, \
     su.name AS supplier, c.contract_type_id, ct.name AS contract_type, c.starts_on, c.ends_on, \
     c.cost_minor, c.currency, c.po_number, c.invoice_number, c.notice_period \
     FROM contracts c JOIN suppliers su ON su.id = c.supplier_id \
     JOIN contract_types ct ON ct.id = c.contract_type_id \
     WHERE c.ends_on >= $1 AND c.ends_on <= $2";

/// The lots ending from `$1` to `$2`: with their contract's last day, or
/// their own renewal date without a contract (each read by its index).
pub(super) const SUPPLIED_LOTS: &str = "UNION ALL SELECT 'lot' AS kind, p.id, pr.code AS product, \
     p.customer_id, (SELECT cu.name FROM customers cu WHERE cu.id = p.customer_id) AS customer, \
     p.quantity AS seats, p.contract_id, c.reference, c.supplier_id, su.name AS supplier, \
     c.contract_type_id, ct.name AS contract_type, p.purchased_on AS starts_on, \
     COALESCE(c.ends_on, p.renews_on) AS ends_on, p.cost_minor, p.currency, p.po_number, \
     p.invoice_number, c.notice_period \
     FROM purchases p JOIN products pr ON pr.id = p.product_id \
     LEFT JOIN contracts c ON c.id = p.contract_id \
     LEFT JOIN suppliers su ON su.id = c.supplier_id \
     LEFT JOIN contract_types ct ON ct.id = c.contract_type_id \
     WHERE ((p.contract_id IS NULL AND p.renews_on >= $1 AND p.renews_on <= $2) \
     OR p.contract_id IN (SELECT id FROM contracts WHERE ends_on >= $1 AND ends_on <= $2))";

/// The supplier terms of a row of [`SUPPLIED`], its last day to cancel
/// computed as the contract's own.
fn supplier_terms(r: &AnyRow) -> StoreResult<SupplierTerms> {
    let cost_minor: Option<i64> = r.try_get("cost_minor")?;
    let currency: Option<String> = r.try_get("currency")?;
    let ends_on: String = r.try_get("ends_on")?;
    let notice_period: Option<String> = r.try_get("notice_period")?;
    Ok(from_row!(r => SupplierTerms {
        contract_id, reference, supplier_id, supplier, contract_type_id, contract_type,
        starts_on, po_number, invoice_number;
        cost: stored_cost(cost_minor, currency.as_deref()),
        currency,
        last_day_to_cancel: last_day_to_cancel(notice_period.as_deref(), &ends_on),
        notice_period,
        ends_on,
    }))
}

/// The licences not revoked ending from `$1` to `$2` (Unix seconds), the
/// columns [`license_row`] reads. Each customer's name read by its key: a
/// join let the planner hash the whole customers table.
pub(super) const LICENSES_DUE: &str = "SELECT l.id, p.code, l.policy_id, po.name AS policy, \
     'license/' || po.kind AS kind, l.customer_id, \
     (SELECT c.name FROM customers c WHERE c.id = l.customer_id) AS customer, \
     l.licensee, l.status, l.seats, l.expires_at \
     FROM licenses l JOIN products p ON p.id = l.product_id \
     JOIN policies po ON po.id = l.policy_id \
     WHERE l.status <> 'revoked' AND l.expires_at >= $1 AND l.expires_at <= $2";

/// The subscriptions not ended whose last day (the term's, or the day a
/// cancelled one ends) is from `$1` to `$2` (`YYYY-MM-DD`), the columns
/// [`subscription_row`] reads.
pub(super) const SUBSCRIPTIONS_DUE: &str = "SELECT s.id, p.code, pl.policy_id, po.name AS policy, \
     pl.name AS plan, s.customer_id, \
     (SELECT c.name FROM customers c WHERE c.id = s.customer_id) AS customer, \
     s.status, s.seats, s.zone, COALESCE(s.ends_on, s.term_end) AS last_day \
     FROM subscriptions s JOIN plans pl ON pl.id = s.plan_id \
     JOIN policies po ON po.id = pl.policy_id JOIN products p ON p.id = s.product_id \
     WHERE s.status <> 'ended' AND COALESCE(s.ends_on, s.term_end) >= $1 \
     AND COALESCE(s.ends_on, s.term_end) <= $2";

/// The plans made from each policy, by name.
pub(super) async fn plans_by_policy(pool: &AnyPool) -> StoreResult<BTreeMap<String, Vec<String>>> {
    let mut plans: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for r in sqlx::query("SELECT policy_id, name FROM plans ORDER BY name")
        .fetch_all(pool)
        .await?
    {
        plans
            .entry(r.try_get("policy_id")?)
            .or_default()
            .push(r.try_get("name")?);
    }
    Ok(plans)
}

/// A row of [`LICENSES_DUE`], with the plans made from its policy.
pub(super) fn license_row(
    r: &AnyRow,
    plans: &BTreeMap<String, Vec<String>>,
) -> StoreResult<RenewalDue> {
    let policy_id: String = r.try_get("policy_id")?;
    Ok(from_row!(r => RenewalDue {
        kind, id, policy, customer_id, customer, licensee, status, seats;
        product: r.try_get("code")?,
        plans: plans.get(&policy_id).cloned().unwrap_or_default(),
        policy_id: Some(policy_id),
        ends_at: r.try_get("expires_at")?,
        terms: None,
    }))
}

/// A row of [`SUBSCRIPTIONS_DUE`], if it ends within `(from, until)`:
/// subscriptions end at the close of their last day in their own time
/// zone, so the query reads a day wider and this keeps them exactly.
pub(super) fn subscription_row(
    r: &AnyRow,
    (from, until): (i64, i64),
) -> StoreResult<Option<RenewalDue>> {
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
        terms: None,
    })))
}

/// A row of [`SUPPLIED`] or [`SUPPLIED_LOTS`], if it ends within
/// `(from, until)`: contracts and lots end at the close of their last
/// day, UTC (they carry no zone); a lot covered by a contract ends with it.
pub(super) fn supplied_row(
    r: &AnyRow,
    (from, until): (i64, i64),
) -> StoreResult<Option<RenewalDue>> {
    let terms = supplier_terms(r)?;
    let ends_at = day_end(&terms.ends_on, "UTC")?;
    if ends_at < from || ends_at > until {
        return Ok(None);
    }
    let customer: String = r.try_get("customer")?;
    Ok(Some(from_row!(r => RenewalDue {
        kind, id, product, customer_id, seats;
        policy_id: None,
        policy: None,
        plans: Vec::new(),
        licensee: customer.clone(),
        customer: Some(customer),
        status: None,
        ends_at,
        terms: Some(terms),
    })))
}

/// The start of `day` (`YYYY-MM-DD`), UTC, Unix seconds.
pub(super) fn day_start(day: &str) -> StoreResult<i64> {
    Ok(day_end(day, "UTC")? - DAY)
}

/// The day (`YYYY-MM-DD`, UTC) of Unix time `t`.
pub(super) fn day(t: i64) -> String {
    Timestamp(t).to_string()[..10].to_owned()
}

#[async_trait::async_trait]
impl ReportStore for SqlStore {
    async fn renewals_page(
        &self,
        scope: &Scope,
        window: (i64, i64),
        kind: Option<&str>,
        grouping: Grouping,
        group: Option<&str>,
        page: &Page,
    ) -> StoreResult<Rows<RenewalDue>> {
        let filter = group.map(|g| (grouping, g));
        super::renewals::renewals_page(&self.pool, scope, (window, kind), filter, page).await
    }

    async fn renewal_counts(
        &self,
        scope: &Scope,
        window: (i64, i64),
        kind: Option<&str>,
        grouping: Grouping,
    ) -> StoreResult<Vec<(String, i64)>> {
        super::renewals::renewal_counts(&self.pool, scope, (window, kind), grouping).await
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

    async fn first_uses(&self, scope: &Scope) -> StoreResult<Vec<FirstUse>> {
        // Each licence's first activation and first lease, grouped once
        // from the (license_id, created_at) indexes: a subquery per licence
        // over both tables did not answer within 20 s at 100 k licences.
        let (within, args) = scope_clause("l.customer_id", scope, 1);
        fetch_all(
            &self.pool,
            &format!(
                "SELECT l.id AS license_id, l.product_id, p.code AS product, l.policy_id, \
             po.name AS policy, l.issued_at, \
             CASE WHEN a.at IS NULL OR e.at < a.at THEN e.at ELSE a.at END AS first_use_at \
             FROM licenses l JOIN products p ON p.id = l.product_id \
             JOIN policies po ON po.id = l.policy_id \
             LEFT JOIN (SELECT license_id, MIN(created_at) AS at FROM activations \
                 GROUP BY license_id) a ON a.license_id = l.id \
             LEFT JOIN (SELECT license_id, MIN(created_at) AS at FROM leases \
                 GROUP BY license_id) e ON e.license_id = l.id \
             WHERE 1 = 1 {within} ORDER BY l.issued_at, l.id"
            ),
            args,
            |r| {
                Ok(from_row!(r => FirstUse {
                    license_id, product_id, product, policy_id, policy, issued_at, first_use_at
                }))
            },
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
        let (within, args) = scope_clause("l.customer_id", scope, 1);
        fetch_all(
            &self.pool,
            &format!(
                "SELECT a.platform AS platform, COUNT(*) AS total, \
             CAST(SUM(CASE WHEN a.deactivated_at IS NULL THEN 1 ELSE 0 END) AS BIGINT) AS active, \
             COUNT(DISTINCT a.license_id) AS licenses \
             FROM activations a JOIN licenses l ON l.id = a.license_id WHERE 1 = 1 {within} \
             GROUP BY a.platform ORDER BY active DESC, total DESC, a.platform"
            ),
            args,
            |r| Ok(from_row!(r => PlatformCount { platform, active, total, licenses })),
        )
        .await
    }

    async fn license_models(&self, scope: &Scope) -> StoreResult<Vec<ModelCount>> {
        let (within, args) = scope_clause("l.customer_id", scope, 1);
        fetch_all(
            &self.pool,
            &format!("SELECT po.kind, po.binding, COUNT(*) AS licenses, \
             CAST(SUM(CASE WHEN l.status = 'active' THEN 1 ELSE 0 END) AS BIGINT) AS active, \
             CAST(SUM(l.seats) AS BIGINT) AS seats, CAST(SUM(l.seats_used) AS BIGINT) AS seats_used \
             FROM licenses l JOIN policies po ON po.id = l.policy_id WHERE 1 = 1 {within} \
             GROUP BY po.kind, po.binding ORDER BY licenses DESC, po.kind, po.binding"),
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
