//! [`ReportStore`] on SQL: one read query per report (the counted ones read
//! the counters of migration 0030, not the licences); the arithmetic
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
use super::table::{count, fetch_all, from_row, scope_clause, Arg};
use super::SqlStore;
use crate::store::{
    Activity, GroupPage, Grouping, GroupsAt, HistoryEntry, LicenseRecord, ModelCount, Page,
    PlatformCount, RenewalDue, ReportStore, Rows, Scope, SupplierTerms, UseDelay,
};
use crate::store::{StoreError, StoreResult};
use licentia::{Timestamp, DAY};

/// The clause that keeps a read of the counters of migration 0030 within
/// `scope`: the rows of the nodes in it (found by the indexed walk of the
/// tree), or for the vendor root the rows kept under `'*'` for the whole
/// base. Never the licences themselves: the counters are kept as they are
/// written, so a report costs the nodes in scope, not the licences.
pub(super) fn counted_within(column: &str, scope: &Scope, first: usize) -> (String, Vec<Arg>) {
    match scope {
        Scope::All => (format!(" AND {column} = '*'"), Vec::new()),
        Scope::Under(_) => scope_clause(column, scope, first),
    }
}

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

/// The lots that `$where` keeps, with the columns of [`SUPPLIED`].
macro_rules! lots {
    ($where:literal) => {
        concat!(
            "SELECT 'lot' AS kind, p.id, pr.code AS product, p.customer_id, \
             (SELECT cu.name FROM customers cu WHERE cu.id = p.customer_id) AS customer, \
             p.quantity AS seats, p.contract_id, c.reference, c.supplier_id, su.name AS supplier, \
             c.contract_type_id, ct.name AS contract_type, p.purchased_on AS starts_on, \
             COALESCE(c.ends_on, p.renews_on) AS ends_on, p.cost_minor, p.currency, p.po_number, \
             p.invoice_number, c.notice_period \
             FROM purchases p JOIN products pr ON pr.id = p.product_id \
             LEFT JOIN contracts c ON c.id = p.contract_id \
             LEFT JOIN suppliers su ON su.id = c.supplier_id \
             LEFT JOIN contract_types ct ON ct.id = c.contract_type_id WHERE ",
            $where
        )
    };
}

/// The lots ending from `$1` to `$2`: with their contract's last day, or
/// their own renewal date without a contract. Two branches, each read by
/// its index: joined by `OR`, PostgreSQL read every purchase.
pub(super) const SUPPLIED_LOTS: &str = concat!(
    "UNION ALL ",
    lots!("p.contract_id IS NULL AND p.renews_on >= $1 AND p.renews_on <= $2"),
    " UNION ALL ",
    lots!("p.contract_id IN (SELECT id FROM contracts WHERE ends_on >= $1 AND ends_on <= $2)")
);

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
     s.plan_id, pl.name AS plan, s.customer_id, \
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

    async fn renewal_groups(
        &self,
        scope: &Scope,
        window: (i64, i64),
        kind: Option<&str>,
        grouping: Grouping,
        at: GroupsAt<'_>,
        limit: usize,
    ) -> StoreResult<GroupPage> {
        super::renewals::renewal_groups(&self.pool, scope, (window, kind), grouping, at, limit)
            .await
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
        // Every activation counts at the root: its licence is read only to
        // place it in a subtree (one lookup per activation of the period).
        let activations = match scope {
            Scope::All => "activations a",
            Scope::Under(_) => "activations a JOIN licenses l ON l.id = a.license_id",
        };
        let activations = count(
            &self.pool,
            &format!("SELECT COUNT(*) AS n FROM {activations} WHERE a.created_at >= $1 {within}"),
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
