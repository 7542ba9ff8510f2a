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

pub(crate) use crate::store::Grouping;
use crate::store::{
    GroupPage, GroupsAt, NodePick, NodeSeats, Page, RenewalDue, Rows, Scope, SupplierTerms,
    UseDelay,
};
use crate::AppState;

/// The longest window of the renewals report, in days.
pub(crate) const MAX_WINDOW_DAYS: u32 = 3660;

impl Grouping {
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
}

/// The groups drawn with their first rows in one answer (the API's
/// grouped report, the console's "to renew"): by customer, a window holds
/// thousands of groups, each read a page of its own.
pub(crate) const GROUPS_PER_PAGE: usize = 20;

/// The rows of the window read at a time for its CSV table.
const TABLE_PAGE: i64 = 5_000;

/// The window of the renewals report: `days` from `from`, checked.
fn window(from: i64, days: u32) -> ApiResult<(i64, i64)> {
    if days > MAX_WINDOW_DAYS {
        return Err(ApiError::bad_request(format!(
            "within_days is at most {MAX_WINDOW_DAYS}"
        )));
    }
    Ok((from, from + i64::from(days) * DAY))
}

/// A page of what ends between `from` and `from + days` (of type `kind`
/// when it names one, of one group of
/// `grouping` when `group` names one), within the caller's grants, soonest
/// first; the next page is after its `next`.
pub(crate) async fn renewals_page(
    s: &AppState,
    staff: &Staff,
    (from, days): (i64, u32),
    kind: Option<&str>,
    (grouping, group): (Grouping, Option<&str>),
    page: &Page,
) -> ApiResult<Rows<RenewalDue>> {
    let scope = staff.scope(READERS)?;
    let window = window(from, days)?;
    Ok(s.store
        .renewals_page(&scope, window, kind, grouping, group, page)
        .await?)
}

/// How many of what ends between `from` and `from + days` (of type `kind`
/// when it names one) fall in each
/// group of `grouping` (one group `""` without one), within the caller's
/// grants, in the groups' order.
pub(crate) async fn renewal_counts(
    s: &AppState,
    staff: &Staff,
    (from, days): (i64, u32),
    kind: Option<&str>,
    grouping: Grouping,
) -> ApiResult<Vec<(String, i64)>> {
    let scope = staff.scope(READERS)?;
    let window = window(from, days)?;
    Ok(s.store
        .renewal_counts(&scope, window, kind, grouping)
        .await?)
}

/// A page of [`GROUPS_PER_PAGE`] groups of `grouping` of what ends between
/// `from` and `from + days` (of type `kind` when it names one), from where
/// `at` says, each with its count, within the caller's grants; one group
/// `""` without a grouping.
pub(crate) async fn renewal_groups(
    s: &AppState,
    staff: &Staff,
    (from, days): (i64, u32),
    kind: Option<&str>,
    grouping: Grouping,
    at: GroupsAt<'_>,
) -> ApiResult<GroupPage> {
    let scope = staff.scope(READERS)?;
    let window = window(from, days)?;
    Ok(s.store
        .renewal_groups(&scope, window, kind, grouping, at, GROUPS_PER_PAGE)
        .await?)
}

/// The renewals (of type `kind` when it names one) as a CSV table (the
/// API's `Accept: text/csv` answer and the console's export): the whole
/// window read once in end order, [`TABLE_PAGE`] rows at a time, its lines
/// gathered by group (a read per group took hours by customer at scale).
pub(crate) async fn renewals_table(
    s: &AppState,
    staff: &Staff,
    (from, days): (i64, u32),
    kind: Option<&str>,
    grouping: Grouping,
) -> ApiResult<String> {
    let mut w = renewals_csv_writer();
    let mut table = w.take();
    let mut groups: BTreeMap<String, String> = BTreeMap::new();
    let mut page = Page::first(TABLE_PAGE);
    loop {
        let rows = renewals_page(s, staff, (from, days), kind, (grouping, None), &page).await?;
        for item in &rows.items {
            renewals_csv_row(&mut w, item, grouping, from);
            groups
                .entry(grouping.key(item))
                .or_default()
                .push_str(&w.take());
        }
        match rows.next {
            Some(next) => page.after = Some(next),
            None => break,
        }
    }
    table.extend(groups.into_values());
    Ok(table)
}

/// One page, by name, of the nodes of the customer tree the caller
/// reaches, with the seats each holds: `customer_id`'s subtree, or the
/// whole of the caller's part of the tree.
pub(crate) async fn seats(
    s: &AppState,
    staff: &Staff,
    customer_id: Option<&str>,
    page: Page,
) -> ApiResult<Rows<NodeSeats>> {
    let mut scope = staff.scope(READERS)?;
    if let Some(id) = customer_id {
        staff.place(s, Some(id)).await?;
        scope = Scope::Under(vec![id.to_owned()]);
    }
    Ok(s.store.seat_nodes(&scope, NodePick::All, page).await?)
}

/// A CSV table with the renewals' columns.
fn renewals_csv_writer() -> CsvWriter {
    CsvWriter::new(&[
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
    ])
}

/// The line of an item: its group and days left beside its columns.
fn renewals_csv_row(w: &mut CsvWriter, i: &RenewalDue, grouping: Grouping, from: i64) {
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
