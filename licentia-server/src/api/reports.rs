//! Routes for reports: read-only views for every staff role, as JSON, or as
//! CSV when the request sends `Accept: text/csv` (one table per report,
//! written by [`crate::bulk::CsvWriter`]: RFC 4180 quoting, formula escape).

use schemars::JsonSchema;
use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use futures_util::future::try_join_all;
use serde::{Deserialize, Serialize};

use crate::api::{Items, Listed, Listing, Table, READERS};
use crate::bulk::{Cell, CsvWriter};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Staff, MAX_LIMIT, Q};
use crate::routes::{Access, Route};
use crate::service::reports::{self, delay, Delay, Grouping};
use crate::store::{
    Customer, GroupsAt, HistoryEntry, LicenseRecord, Member, ModelCount, NodeSeats, Page,
    PlatformCount, Purchase, PurchaseFilter, RenewalDue, Rows, Scope, UsageRow, UseDelay,
    MAX_CUSTOMER_EVENTS,
};
use crate::AppState;
use licentia::{MeterPeriod, Timestamp, DAY};

/// The routes of this part of the API.
pub(crate) fn routes() -> Vec<Route> {
    use Access::Token;
    vec![
        Route::get("/v1/reports/renewals", Token, "Licenses, subscriptions, contracts and purchase lots ending within ?within_days= (default 90), soonest first, ?group_by=plan|type|customer|contract_type|supplier: a page at a time (?limit=, ?after=, one group's with ?group=) with the counts (JSON), or the whole window as CSV with Accept: text/csv", renewals),
        Route::get("/v1/reports/seats", Token, "Seats allocated, given on, used and free per customer node, read from counters: the nodes of the whole tree or of ?customer_id='s subtree by name, a page at a time (?limit=, ?after=; JSON), or every one (CSV)", seats),
        Route::get("/v1/reports/activation-delay", Token, "Time from issue to first activation: median and p90, overall, per product and per policy; never-activated licenses counted apart (JSON or CSV)", activation_delay),
        Route::get("/v1/reports/platforms", Token, "Activations by platform (JSON or CSV)", platforms),
        Route::get("/v1/reports/license-models", Token, "Licenses by policy kind and binding (JSON or CSV)", license_models),
        Route::get("/v1/reports/usage", Token, "Units consumed per license and meter (?by=customer: per customer) in the periods starting in [?from=, ?to=) (default: this month, UTC) (JSON or CSV)", usage),
        Route::get("/v1/reports/customers/{id}/history", Token, "One customer's entitlement history: the node, its licenses, seats, purchases, members and every history entry about them (JSON, or the entries as CSV)", customer_history),
    ]
}

/// Whether the caller asked for CSV (`Accept: text/csv`).
pub(super) fn wants_csv(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.split(',').any(|t| t.trim().starts_with("text/csv")))
}

/// A CSV answer, offered for download as `name.csv`.
pub(super) fn csv(name: &str, body: impl Into<axum::body::Body>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}.csv\""),
            ),
        ],
        body.into(),
    )
        .into_response()
}

/// A report whose JSON answer is its `items`; as CSV, a table of
/// `columns` in which `lines` writes each item's lines.
fn items_table<T>(
    headers: &HeaderMap,
    name: &str,
    columns: &[&str],
    items: Vec<T>,
    mut lines: impl FnMut(&mut CsvWriter, &T),
) -> ApiResult<Table<Items<T>>> {
    if !wants_csv(headers) {
        return Ok(Table::Json(Items { items }));
    }
    let mut w = CsvWriter::new(columns);
    for item in &items {
        lines(&mut w, item);
    }
    Ok(Table::Csv(csv(name, w.finish())))
}

fn time(t: i64) -> String {
    Timestamp(t).to_string()
}

// ---------------------------------------------------------------- renewals

/// `GET /v1/reports/renewals` query.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RenewalQuery {
    /// Only what ends within this many days (default 90).
    within_days: Option<u32>,
    /// Group the rows: by `plan`, `type`, `customer`, `contract_type` or
    /// `supplier`.
    group_by: Option<String>,
    /// With `group_by`: only this group's rows, a page at a time.
    group: Option<String>,
    /// With `group_by` and no `group`: the groups after this one (the
    /// `next_groups` of the answer before); 20 groups an answer.
    groups_after: Option<String>,
    /// Rows per page (of each group when grouped), 1 to 500 (default 100).
    limit: Option<i64>,
    /// The page after this cursor: the `next` of the page before (of the
    /// same group).
    after: Option<String>,
}

/// Rows per page of the renewals report unless `limit` says.
const RENEWALS_LIMIT: i64 = 100;

/// The renewals report: a page of it (JSON), the whole window as CSV.
#[derive(Serialize, JsonSchema)]
struct Renewals {
    /// The window, in days.
    within_days: u32,
    /// Its start: now (Unix seconds).
    from: i64,
    /// Its end (Unix seconds).
    until: i64,
    /// How many licenses, subscriptions, contracts and lots end within it
    /// (in the group, with `?group=`): all of them, not the page's.
    count: i64,
    /// Rows per page.
    limit: i64,
    /// What ends: one list, or groups with `?group_by=`.
    #[serde(flatten)]
    rows: RenewalRows,
}

/// What ends within the window of the renewals report.
#[derive(Serialize, JsonSchema)]
#[serde(untagged)]
enum RenewalRows {
    /// Without `?group_by=`, or with `?group=`: one list, a page of it.
    Items {
        /// The grouping, with `?group=`.
        #[serde(skip_serializing_if = "Option::is_none")]
        group_by: Option<String>,
        /// The group listed, with `?group=`.
        #[serde(skip_serializing_if = "Option::is_none")]
        group: Option<String>,
        /// Soonest first (by end, then type, then id).
        items: Vec<RenewalDue>,
        /// The next page is `?after=` this (null on the last page).
        next: Option<String>,
    },
    /// With `?group_by=`: one group per plan, type, customer, contract
    /// type or supplier, each with its first page.
    Groups {
        /// `plan`, `type`, `customer`, `contract_type` or `supplier`.
        group_by: String,
        /// In the byte order of `group` (so a `(no …)` group first), at
        /// most 20 of them.
        groups: Vec<RenewalGroup>,
        /// The groups after these are `?groups_after=` this (null when
        /// these are the last).
        next_groups: Option<String>,
    },
}

/// What ends in one group.
#[derive(Serialize, JsonSchema)]
struct RenewalGroup {
    /// The plans (joined by ` / `; `(no plan)` for none), the type, the
    /// customer, the contract type or the supplier (`(no contract type)`,
    /// `(no supplier)` for what has none: licences, subscriptions, lots
    /// without a contract).
    group: String,
    /// How many items it holds.
    count: i64,
    /// Its first page, soonest first.
    items: Vec<RenewalDue>,
    /// Its next page is `?group=` this group and `?after=` this (null when
    /// the group fits in one page).
    next: Option<String>,
}

/// `GET /v1/reports/renewals`: what ends within the window, soonest first,
/// a page at a time; grouped by plan (through the license's policy), type,
/// customer, contract type or supplier: each group's count and first
/// page, or with `?group=` one group a page at a time. As CSV: the whole
/// window.
async fn renewals(
    State(s): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    Q(q): Q<RenewalQuery>,
) -> ApiResult<Table<Renewals>> {
    let days = q.within_days.unwrap_or(90);
    let grouping = Grouping::parse(q.group_by.as_deref())?;
    let from = Timestamp::now().0;
    let until = from + i64::from(days) * DAY;
    let window = (from, days);
    if wants_csv(&headers) {
        let table = reports::renewals_table(&s, &staff, window, None, grouping).await?;
        return Ok(Table::Csv(csv("renewals", table)));
    }
    let limit = q.limit.unwrap_or(RENEWALS_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::bad_request(format!(
            "limit must be 1 to {MAX_LIMIT} (follow `next` beyond)"
        )));
    }
    let page = Page {
        after: q.after,
        ..Page::first(limit)
    };
    let at = match (&q.group, &q.groups_after) {
        (Some(group), _) => GroupsAt::Named(group),
        (None, Some(after)) => GroupsAt::After(after),
        (None, None) => GroupsAt::First,
    };
    let found = reports::renewal_groups(&s, &staff, window, None, grouping, at).await?;
    let (count, rows) = match (grouping.name(), q.group) {
        (None, Some(_)) => return Err(ApiError::bad_request("group is given with group_by")),
        (None, None) => {
            let rows =
                reports::renewals_page(&s, &staff, window, None, (grouping, None), &page).await?;
            let (group_by, group, next) = (None, None, rows.next);
            (
                found.total,
                RenewalRows::Items {
                    group_by,
                    group,
                    items: rows.items,
                    next,
                },
            )
        }
        (Some(by), Some(group)) => {
            let rows =
                reports::renewals_page(&s, &staff, window, None, (grouping, Some(&group)), &page)
                    .await?;
            let count = found.groups.first().map_or(0, |(_, n)| *n);
            let items = rows.items;
            let (group_by, group, next) = (Some(by.to_owned()), Some(group), rows.next);
            (
                count,
                RenewalRows::Items {
                    group_by,
                    group,
                    items,
                    next,
                },
            )
        }
        (Some(by), None) => {
            // Each group's first page read side by side.
            let pages = try_join_all(found.groups.iter().map(|(group, _)| {
                reports::renewals_page(&s, &staff, window, None, (grouping, Some(group)), &page)
            }))
            .await?;
            let next_groups = found
                .later
                .then(|| found.groups.last().map(|(g, _)| g.clone()))
                .flatten();
            let groups = found
                .groups
                .into_iter()
                .zip(pages)
                .map(|((group, count), rows)| RenewalGroup {
                    group,
                    count,
                    items: rows.items,
                    next: rows.next,
                })
                .collect();
            (
                found.total,
                RenewalRows::Groups {
                    group_by: by.to_owned(),
                    groups,
                    next_groups,
                },
            )
        }
    };
    Ok(Table::Json(Renewals {
        within_days: days,
        from,
        until,
        count,
        limit,
        rows,
    }))
}

// ---------------------------------------------------------------- seats

/// `GET /v1/reports/seats` query (and its page: `limit`, `after`).
#[derive(Deserialize, JsonSchema)]
pub struct SeatsQuery {
    /// The node whose subtree to show (default: the caller's whole part of
    /// the tree).
    customer_id: Option<String>,
}

/// The seats report's columns about a node.
const NODE_COLUMNS: [&str; 4] = ["customer_id", "parent_id", "kind", "name"];

/// The seats report's columns about one product the node holds (empty
/// when it holds none).
const ALLOCATION_COLUMNS: [&str; 5] = ["product_id", "allocated", "given", "used", "free"];

/// `GET /v1/reports/seats`: the nodes of the tree (or of one subtree) by
/// name, a page at a time, each with its parent and its seats per product;
/// as CSV, every node.
async fn seats(
    State(s): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    Listing { filter: q, page }: Listing<SeatsQuery>,
) -> ApiResult<Table<Listed<NodeSeats>>> {
    let page = page.page()?;
    let under = q.customer_id.as_deref();
    if !wants_csv(&headers) {
        let rows = reports::seats(&s, &staff, under, page.clone()).await?;
        return Ok(Table::Json(Listed::of(rows, &page)));
    }
    let columns = [&NODE_COLUMNS[..], &ALLOCATION_COLUMNS[..]].concat();
    let mut w = CsvWriter::new(&columns);
    let mut page = Page::first(MAX_LIMIT);
    loop {
        let rows = reports::seats(&s, &staff, under, page.clone()).await?;
        for n in rows.iter() {
            seat_lines(&mut w, n);
        }
        match rows.next {
            Some(next) => page.after = Some(next),
            None => return Ok(Table::Csv(csv("seats", w.finish()))),
        }
    }
}

/// A node's lines of the seats report: one per product it holds, or one
/// with empty seats when it holds none.
fn seat_lines(w: &mut CsvWriter, n: &NodeSeats) {
    let node = [
        Cell::Text(&n.customer_id),
        Cell::Opt(n.parent_id.as_deref()),
        Cell::Text(&n.kind),
        Cell::Text(&n.name),
    ];
    if n.allocations.is_empty() {
        let none = [Cell::Opt(None); ALLOCATION_COLUMNS.len()];
        w.row(&[&node[..], &none[..]].concat());
    }
    for a in &n.allocations {
        let allocation = [
            Cell::Text(&a.product_id),
            Cell::Int(a.allocated),
            Cell::Int(a.given),
            Cell::Int(a.used),
            Cell::Int(a.free),
        ];
        w.row(&[&node[..], &allocation[..]].concat());
    }
}

// ---------------------------------------------------------------- activation delay

/// The delays of the licenses of one product or policy.
#[derive(Serialize, JsonSchema)]
struct GroupDelay {
    /// The product's or policy's id.
    id: String,
    /// The product's code or the policy's name.
    name: String,
    /// Its licenses' delays.
    #[serde(flatten)]
    delay: Delay,
}

/// The activation delay report.
#[derive(Serialize, JsonSchema)]
struct ActivationDelay {
    /// Every license.
    overall: Delay,
    /// Per product, by id.
    by_product: Vec<GroupDelay>,
    /// Per policy, by id.
    by_policy: Vec<GroupDelay>,
    /// How licenses never activated are counted.
    never_activated: &'static str,
}

/// How licenses never activated are counted, said in every answer.
const NEVER_ACTIVATED: &str = "licenses never activated are counted in never_activated and left out of median_days and p90_days; a license's first use is its first activation (online or offline, deactivated ones too) or floating lease; each delay is counted in whole days";

/// `GET /v1/reports/activation-delay`.
async fn activation_delay(
    State(s): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
) -> ApiResult<Table<ActivationDelay>> {
    let scope = staff.scope(READERS)?;
    let uses = s.store.use_delays(&scope).await?;
    // (scope, id, name) -> counts, in a stable order.
    let mut groups: BTreeMap<(&str, &str, &str), Vec<&UseDelay>> = BTreeMap::new();
    for u in &uses {
        groups
            .entry(("product", &u.product_id, &u.product))
            .or_default()
            .push(u);
        groups
            .entry(("policy", &u.policy_id, &u.policy))
            .or_default()
            .push(u);
    }
    let overall = delay(uses.iter());
    let part = |scope: &str| -> Vec<GroupDelay> {
        groups
            .iter()
            .filter(|((s, _, _), _)| *s == scope)
            .map(|((_, id, name), list)| GroupDelay {
                id: (*id).to_owned(),
                name: (*name).to_owned(),
                delay: delay(list.iter().copied()),
            })
            .collect()
    };
    if wants_csv(&headers) {
        let mut w = CsvWriter::new(&[
            "scope",
            "id",
            "name",
            "licenses",
            "activated",
            "never_activated",
            "median_days",
            "p90_days",
        ]);
        let mut line = |scope: &str, id: &str, name: &str, d: &Delay| {
            let num = |x: Option<f64>| x.map_or(Cell::Opt(None), Cell::Num);
            w.row(&[
                Cell::Text(scope),
                Cell::Text(id),
                Cell::Text(name),
                Cell::Int(d.licenses),
                Cell::Int(d.activated),
                Cell::Int(d.never_activated),
                num(d.median_days),
                num(d.p90_days),
            ]);
        };
        line("overall", "", "", &overall);
        for ((scope, id, name), list) in &groups {
            line(scope, id, name, &delay(list.iter().copied()));
        }
        return Ok(Table::Csv(csv("activation-delay", w.finish())));
    }
    Ok(Table::Json(ActivationDelay {
        overall,
        by_product: part("product"),
        by_policy: part("policy"),
        never_activated: NEVER_ACTIVATED,
    }))
}

// ---------------------------------------------------------------- platforms, models

/// `GET /v1/reports/platforms`.
async fn platforms(
    State(s): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
) -> ApiResult<Table<Items<PlatformCount>>> {
    let scope = staff.scope(READERS)?;
    let items = s.store.platforms(&scope).await?;
    let columns = ["platform", "active", "total", "licenses"];
    items_table(&headers, "platforms", &columns, items, |w, p| {
        w.row(&[
            Cell::Text(&p.platform),
            Cell::Int(p.active),
            Cell::Int(p.total),
            Cell::Int(p.licenses),
        ]);
    })
}

/// `GET /v1/reports/usage` query.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UsageQuery {
    /// Periods starting from this date or time (default: this month's first day, UTC).
    from: Option<String>,
    /// Periods starting before this date or time (default: next month's first day).
    to: Option<String>,
    /// `license` (default) or `customer`.
    by: Option<String>,
}

/// `GET /v1/reports/usage`: consumption within the caller's scope.
async fn usage(
    State(s): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    Q(q): Q<UsageQuery>,
) -> ApiResult<Table<Items<UsageRow>>> {
    let scope = staff.scope(READERS)?;
    let month = MeterPeriod::Month.window(crate::service::now(), Timestamp(0), None);
    let bound = |text: &Option<String>, default: Timestamp| {
        text.as_deref().map_or(Ok(default), Timestamp::parse)
    };
    let from = bound(&q.from, month.start)?;
    let to = bound(&q.to, month.end.unwrap_or(month.start.add_days(31)))?;
    let per_license = match q.by.as_deref() {
        None | Some("license") => true,
        Some("customer") => false,
        Some(other) => {
            return Err(ApiError::invalid(format!(
                "by is 'license' or 'customer', not '{other}'"
            )))
        }
    };
    let items = s
        .store
        .usage_report(&scope, from.0, to.0, per_license)
        .await?;
    let columns = ["customer_id", "license_id", "meter", "used"];
    items_table(&headers, "usage", &columns, items, |w, u| {
        w.row(&[
            Cell::Opt(u.customer_id.as_deref()),
            Cell::Opt(u.license_id.as_deref()),
            Cell::Text(&u.meter),
            Cell::Int(u.used),
        ]);
    })
}

/// `GET /v1/reports/license-models`.
async fn license_models(
    State(s): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
) -> ApiResult<Table<Items<ModelCount>>> {
    let scope = staff.scope(READERS)?;
    let items = s.store.license_models(&scope).await?;
    let columns = [
        "kind",
        "binding",
        "licenses",
        "active",
        "seats",
        "seats_used",
    ];
    items_table(&headers, "license-models", &columns, items, |w, m| {
        w.row(&[
            Cell::Text(&m.kind),
            Cell::Text(&m.binding),
            Cell::Int(m.licenses),
            Cell::Int(m.active),
            Cell::Int(m.seats),
            Cell::Int(m.seats_used),
        ]);
    })
}

// ---------------------------------------------------------------- customer history

/// One customer's entitlement history.
#[derive(Serialize, JsonSchema)]
struct CustomerHistory {
    /// The customer node.
    customer: Customer,
    /// Its licenses, oldest first, with their current entitlements.
    licenses: Vec<LicenseRecord>,
    /// The seats of its subtree, parents first.
    seats: Vec<NodeSeats>,
    /// The lots it bought.
    purchases: Vec<Purchase>,
    /// Its members, with their services.
    members: Vec<Member>,
    /// The history entries about the node or its licenses, oldest first.
    events: Vec<HistoryEntry>,
    /// Whether entries were left out: at most the first 10000 are listed.
    events_truncated: bool,
}

/// `GET /v1/reports/customers/{id}/history`: the node, its licenses (with
/// their current entitlements), the seats of its subtree, the lots it
/// bought, its members (and their services), and every history
/// entry about the node or its licenses (issues, entitlement changes, seat
/// changes, renewals, suspensions...), oldest first, from the hash-chained
/// history. As CSV: the entries.
async fn customer_history(
    State(s): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult<Table<CustomerHistory>> {
    staff.read()?;
    let customer = s.store.customer(&id).await?;
    // One more than the cap says whether entries were left out.
    let mut events = s
        .store
        .customer_events(&id, MAX_CUSTOMER_EVENTS + 1)
        .await?;
    let truncated = events.len() as i64 > MAX_CUSTOMER_EVENTS;
    events.truncate(MAX_CUSTOMER_EVENTS as usize);
    if wants_csv(&headers) {
        let mut w = CsvWriter::new(&[
            "seq",
            "at",
            "operation",
            "subject",
            "license_id",
            "actor",
            "done_by",
            "details",
        ]);
        for e in &events {
            w.row(&[
                Cell::Int(e.seq),
                Cell::Text(&time(e.at)),
                Cell::Text(&e.operation),
                Cell::Text(&e.subject),
                Cell::Opt(e.license_id.as_deref()),
                Cell::Text(&e.actor),
                Cell::Text(&e.done_by),
                Cell::Text(&e.details),
            ]);
        }
        return Ok(Table::Csv(csv("customer-history", w.finish())));
    }
    let licenses = s.store.customer_licenses(&id).await?;
    let seats = s.store.seats(&id).await?;
    let filter = PurchaseFilter {
        customer_id: Some(id.clone()),
        product_id: None,
    };
    let purchases = every(|page| s.store.list_purchases(&Scope::All, &filter, page)).await?;
    let members = every(|page| s.store.list_members(&id, page)).await?;
    Ok(Table::Json(CustomerHistory {
        customer,
        licenses,
        seats,
        purchases,
        members,
        events,
        events_truncated: truncated,
    }))
}

/// Every item of a paged list, page after page (at most
/// [`MAX_CUSTOMER_EVENTS`], like the history).
async fn every<T, F, Fut>(mut list: F) -> ApiResult<Vec<T>>
where
    F: FnMut(Page) -> Fut,
    Fut: std::future::Future<Output = crate::store::StoreResult<Rows<T>>>,
{
    let mut all = Vec::new();
    let mut page = Page::first(MAX_LIMIT);
    loop {
        let rows = list(page.clone()).await?;
        let next = rows.next;
        all.extend(rows.items);
        match next {
            Some(next) if (all.len() as i64) < MAX_CUSTOMER_EVENTS => page.after = Some(next),
            _ => return Ok(all),
        }
    }
}
