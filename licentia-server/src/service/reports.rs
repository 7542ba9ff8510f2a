//! Read-only views across the back office that the API's reports and the
//! console's pages both show: what ends soon, grouped; the seats of the
//! customer tree. Each is cut to the caller's grants.

use std::collections::BTreeMap;

use licentia::{Timestamp, DAY};

use crate::bulk::{Cell, CsvWriter};

use crate::api::READERS;
use crate::error::{ApiError, ApiResult};
use crate::staff::Staff;
use schemars::JsonSchema;
use serde::Serialize;

use crate::store::{NodeSeats, RenewalDue, Scope, SupplierTerms, UseDelay};
use crate::AppState;

/// The longest window of the renewals report, in days.
pub(crate) const MAX_WINDOW_DAYS: u32 = 3660;

/// How the renewals are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Grouping {
    /// One list.
    None,
    /// By plan (through a license's policy).
    Plan,
    /// By type: `license/standard`, `license/trial`, `subscription`,
    /// `contract`, `lot`.
    Type,
    /// By customer.
    Customer,
    /// By contract type (a contract's, or a lot's contract's).
    ContractType,
    /// By supplier (a contract's, or a lot's contract's).
    Supplier,
}

impl Grouping {
    /// Every grouping, by the name `group_by` gives it.
    pub(crate) const NAMED: [Grouping; 5] = [
        Grouping::Plan,
        Grouping::Type,
        Grouping::Customer,
        Grouping::ContractType,
        Grouping::Supplier,
    ];

    /// The grouping `group_by` names (`plan`, `type`, `customer`,
    /// `contract_type`, `supplier`; none: one list).
    pub(crate) fn parse(group_by: Option<&str>) -> ApiResult<Grouping> {
        match group_by {
            None | Some("") => Ok(Grouping::None),
            Some(name) => Grouping::NAMED
                .into_iter()
                .find(|g| g.name() == Some(name))
                .ok_or_else(|| {
                    ApiError::bad_request(
                        "group_by is plan, type, customer, contract_type or supplier",
                    )
                }),
        }
    }

    /// Its name, as `group_by` says it.
    pub(crate) fn name(self) -> Option<&'static str> {
        match self {
            Grouping::None => None,
            Grouping::Plan => Some("plan"),
            Grouping::Type => Some("type"),
            Grouping::Customer => Some("customer"),
            Grouping::ContractType => Some("contract_type"),
            Grouping::Supplier => Some("supplier"),
        }
    }

    /// The group `item` falls in (empty for one list). Groups come in the
    /// byte order of these names, so the `(no …)` group comes first.
    pub(crate) fn key(self, item: &RenewalDue) -> String {
        let terms = item.terms.as_ref();
        let named = |name: Option<&String>, none: &str| name.cloned().unwrap_or(none.to_owned());
        match self {
            Grouping::None => String::new(),
            Grouping::Plan if item.plans.is_empty() => "(no plan)".to_owned(),
            Grouping::Plan => item.plans.join(" / "),
            Grouping::Type => item.kind.clone(),
            Grouping::Customer => named(item.customer.as_ref(), "(no customer)"),
            Grouping::ContractType => named(
                terms.and_then(|t| t.contract_type.as_ref()),
                "(no contract type)",
            ),
            Grouping::Supplier => named(terms.and_then(|t| t.supplier.as_ref()), "(no supplier)"),
        }
    }
}

/// What ends between `from` and `from + days`, within the caller's grants:
/// soonest first, and, when grouped, group by group (soonest first within
/// each).
pub(crate) async fn renewals(
    s: &AppState,
    staff: &Staff,
    from: i64,
    days: u32,
    grouping: Grouping,
) -> ApiResult<Vec<RenewalDue>> {
    let scope = staff.scope(READERS)?;
    if days > MAX_WINDOW_DAYS {
        return Err(ApiError::bad_request(format!(
            "within_days is at most {MAX_WINDOW_DAYS}"
        )));
    }
    let until = from + i64::from(days) * DAY;
    let mut items = s.store.renewals_due(&scope, from, until).await?;
    // Stable: within a group, still soonest first.
    items.sort_by_cached_key(|i| grouping.key(i));
    Ok(items)
}

/// The renewals in groups: (group, its items), in order.
pub(crate) fn grouped(
    items: Vec<RenewalDue>,
    grouping: Grouping,
) -> Vec<(String, Vec<RenewalDue>)> {
    let mut groups: Vec<(String, Vec<RenewalDue>)> = Vec::new();
    for item in items {
        let key = grouping.key(&item);
        match groups.last_mut() {
            Some((k, list)) if *k == key => list.push(item),
            _ => groups.push((key, vec![item])),
        }
    }
    groups
}

/// The seats of the customer tree the caller reaches: `customer_id`'s
/// subtree, or every node at the top of the caller's part of the tree.
pub(crate) async fn seats(
    s: &AppState,
    staff: &Staff,
    customer_id: Option<&str>,
) -> ApiResult<Vec<NodeSeats>> {
    let roots = match (customer_id, staff.scope(READERS)?) {
        (Some(id), _) => {
            staff.place(s, Some(id)).await?;
            vec![id.to_owned()]
        }
        (None, Scope::All) => s.store.customer_roots().await?,
        (None, Scope::Under(nodes)) => nodes,
    };
    let mut nodes = Vec::new();
    for root in &roots {
        nodes.extend(s.store.seats(root).await?);
    }
    Ok(nodes)
}

/// The renewals as a CSV table (the API's `Accept: text/csv` answer and the
/// console's export): one line each, with its group and days left.
pub(crate) fn renewals_csv(items: &[RenewalDue], grouping: Grouping, from: i64) -> String {
    let mut w = CsvWriter::new(&[
        "group",
        "type",
        "id",
        "product",
        "policy",
        "plans",
        "customer_id",
        "customer",
        "licensee",
        "status",
        "seats",
        "ends_at",
        "days_left",
        "supplier",
        "contract_type",
        "contract_id",
        "reference",
        "starts_on",
        "ends_on",
        "cost",
        "currency",
        "po_number",
        "invoice_number",
        "notice_period",
        "last_day_to_cancel",
    ]);
    for i in items {
        let term = |f: fn(&SupplierTerms) -> Option<&str>| Cell::Opt(i.terms.as_ref().and_then(f));
        w.row(&[
            Cell::Text(&grouping.key(i)),
            Cell::Text(&i.kind),
            Cell::Text(&i.id),
            Cell::Opt(i.product.as_deref()),
            Cell::Opt(i.policy.as_deref()),
            Cell::Text(&i.plans.join(" / ")),
            Cell::Opt(i.customer_id.as_deref()),
            Cell::Opt(i.customer.as_deref()),
            Cell::Text(&i.licensee),
            Cell::Opt(i.status.as_deref()),
            i.seats.map_or(Cell::Opt(None), Cell::Int),
            Cell::Text(&Timestamp(i.ends_at).to_string()),
            Cell::Int((i.ends_at - from) / DAY),
            term(|t| t.supplier.as_deref()),
            term(|t| t.contract_type.as_deref()),
            term(|t| t.contract_id.as_deref()),
            term(|t| t.reference.as_deref()),
            term(|t| Some(&t.starts_on)),
            term(|t| Some(&t.ends_on)),
            term(|t| t.cost.as_deref()),
            term(|t| t.currency.as_deref()),
            term(|t| t.po_number.as_deref()),
            term(|t| t.invoice_number.as_deref()),
            term(|t| t.notice_period.as_deref()),
            term(|t| t.last_day_to_cancel.as_deref()),
        ]);
    }
    w.finish()
}

/// Issue-to-first-activation times of a set of licenses, in whole days:
/// the report reads a histogram of days kept as licences are issued and
/// activated (migration 0030), so it costs the nodes in scope rather than
/// their licences, and each delay is counted floored to the day.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct Delay {
    /// Licenses in the set.
    pub(crate) licenses: i64,
    /// Of which activated at least once.
    pub(crate) activated: i64,
    /// Of which never activated: left out of the median and p90.
    pub(crate) never_activated: i64,
    /// Median delay in whole days (the mean of the two middle ones for an
    /// even count).
    pub(crate) median_days: Option<f64>,
    /// 90th percentile in whole days (nearest rank: the ceil(0.9 n)-th
    /// smallest).
    pub(crate) p90_days: Option<f64>,
}

/// The delays of `counts`: how many were activated, the median and p90.
pub(crate) fn delay<'a>(counts: impl Iterator<Item = &'a UseDelay>) -> Delay {
    let mut licenses = 0;
    let mut days: BTreeMap<i64, i64> = BTreeMap::new();
    for c in counts {
        licenses += c.licenses;
        if let Some(d) = c.days {
            *days.entry(d).or_default() += c.licenses;
        }
    }
    let n: i64 = days.values().sum();
    // The `rank`-th smallest delay (from 1).
    let nth = |rank: i64| -> f64 {
        let mut seen = 0;
        for (d, k) in &days {
            seen += k;
            if seen >= rank {
                return *d as f64;
            }
        }
        0.0
    };
    let median = (n > 0).then(|| {
        if n % 2 == 1 {
            nth(n / 2 + 1)
        } else {
            (nth(n / 2) + nth(n / 2 + 1)) / 2.0
        }
    });
    let p90 = (n > 0).then(|| nth((n * 9 + 9) / 10));
    Delay {
        licenses,
        activated: n,
        never_activated: licenses - n,
        median_days: median,
        p90_days: p90,
    }
}
