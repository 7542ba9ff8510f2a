//! The renewals report a page at a time: each source of the window
//! (licences, subscriptions, supplier contracts with their lots) read from
//! its index in end order, at most a page of it, and merged by (end,
//! source, id); each group's count counted by the database.

use std::collections::BTreeMap;

use futures_util::future::{try_join, try_join_all, BoxFuture};
use futures_util::FutureExt as _;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};

use super::reports::{
    counted_within, day, day_end, day_start, license_row, plans_by_policy, subscription_row,
    supplied_row, LICENSES_DUE, SUBSCRIPTIONS_DUE, SUPPLIED, SUPPLIED_LOTS,
};
use super::table::{bad_cursor, fetch_all, scope_clause, Arg};
use crate::store::{
    GroupPage, Grouping, GroupsAt, Page, RenewalDue, Rows, Scope, StoreError, StoreResult,
};
use licentia::DAY;

/// Where a row stands in the report: its end, its source (`license`,
/// `subscription`, `contract`, `lot`) and its id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Key {
    ends_at: i64,
    source: String,
    id: String,
}

impl Key {
    fn of(item: &RenewalDue) -> Key {
        Key {
            ends_at: item.ends_at,
            source: item.kind.split('/').next().unwrap_or_default().to_owned(),
            id: item.id.clone(),
        }
    }

    /// The cursor naming this row: base64url of `["renewals", end, source, id]`.
    fn cursor(&self) -> StoreResult<String> {
        let key = serde_json::json!(["renewals", self.ends_at, self.source, self.id]);
        Ok(URL_SAFE_NO_PAD.encode(serde_json::to_vec(&key).map_err(StoreError::internal)?))
    }

    /// The row a cursor of [`Key::cursor`] names; another is refused.
    fn read(cursor: &str) -> StoreResult<Key> {
        let bytes = (cursor.len() <= MAX_CURSOR)
            .then(|| URL_SAFE_NO_PAD.decode(cursor).ok())
            .flatten()
            .ok_or_else(bad_cursor)?;
        match serde_json::from_slice::<(String, i64, String, String)>(&bytes) {
            Ok((tag, ends_at, source, id)) if tag == "renewals" => Ok(Key {
                ends_at,
                source,
                id,
            }),
            _ => Err(bad_cursor()),
        }
    }
}

/// The longest cursor read (an end, a source and an id are far shorter).
const MAX_CURSOR: usize = 1024;

/// The latest time of day, UTC, at which a day ends somewhere: the close of
/// a day at UTC+14 (the easternmost zone) is at 10:00 UTC that day.
const EARLIEST_CLOSE: i64 = 10 * 3600;

/// How long after UTC's a day closes at the latest: at UTC-12 (the
/// westernmost zone), twelve hours. A day whose UTC close is that much
/// before the window's start has closed everywhere.
const LATEST_CLOSE: i64 = 12 * 3600;

/// How a source's rows fall in groups.
enum GroupBy {
    /// All of them in this group.
    Same(&'static str),
    /// In the group this expression names; counted grouped by the column
    /// after it.
    Expr(&'static str, &'static str),
    /// By the plans made from their policy (a licence's).
    Policy,
    /// By their customer's name: counted by the customer's id (its name
    /// read once per customer, not per row), a group's rows read by the
    /// ids of the customers of that name (by their index, not by reading
    /// the window for the name).
    Customer,
}

impl GroupBy {
    /// What a count names its group by (`g`) and the column it groups by
    /// (after `GROUP BY`, if any).
    fn counted(&self) -> (String, Option<&'static str>) {
        match self {
            GroupBy::Same(_) => ("CAST(NULL AS TEXT)".to_owned(), None),
            GroupBy::Expr(name, key) => (format!("MIN({name})"), Some(key)),
            GroupBy::Policy => ("x.policy_id".to_owned(), Some("x.policy_id")),
            GroupBy::Customer => (
                format!(
                    "COALESCE((SELECT cu.name FROM customers cu WHERE cu.id = x.customer_id), \
                     '{NO_CUSTOMER}')"
                ),
                Some("x.customer_id"),
            ),
        }
    }
}

/// The group of what has no customer.
const NO_CUSTOMER: &str = "(no customer)";

/// One source of the window.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Source {
    /// Licences: their end is a column.
    Licenses,
    /// Subscriptions: their end is the close of a local day.
    Subscriptions,
    /// Contracts and their lots: their end is the close of a UTC day.
    Supplied,
}

impl Source {
    /// The sources of type `kind` ([`crate::store::RENEWAL_KINDS`]), or all.
    fn of(kind: Option<&str>) -> impl Iterator<Item = Source> + '_ {
        [Source::Licenses, Source::Subscriptions, Source::Supplied]
            .into_iter()
            .filter(move |s| kind.is_none_or(|k| s.kind() == k))
    }

    fn kind(self) -> &'static str {
        match self {
            Source::Licenses => "license",
            Source::Subscriptions => "subscription",
            Source::Supplied => "contract",
        }
    }

    /// Its rows, each with every column its row reader takes, the window's
    /// bounds bound to `$1` and `$2`.
    fn select(self) -> String {
        match self {
            Source::Licenses => LICENSES_DUE.to_owned(),
            Source::Subscriptions => SUBSCRIPTIONS_DUE.to_owned(),
            Source::Supplied => format!("{SUPPLIED} {SUPPLIED_LOTS}"),
        }
    }

    /// The column its rows end by (a day for all but licences).
    fn end(self) -> &'static str {
        match self {
            Source::Licenses => "x.expires_at",
            Source::Subscriptions => "x.last_day",
            Source::Supplied => "x.ends_on",
        }
    }

    /// The window's bounds as its `$1` and `$2`: for the sources ending
    /// with a day, the days whose close falls within the window somewhere
    /// on earth (their end is then computed exactly): from the day that
    /// closes at `from` or later at UTC-12, to the day of `until`.
    fn bounds(self, window: (i64, i64)) -> [Arg; 2] {
        let (first, last) = self.reach(window);
        match self {
            Source::Licenses => [first.into(), last.into()],
            _ => [day(first).into(), day(last).into()],
        }
    }

    /// The times whose rows (by their end, or their day's) [`Self::bounds`]
    /// keeps: for a day-ended source from the day that closes at `from` or
    /// later at UTC-12.
    fn reach(self, (from, until): (i64, i64)) -> (i64, i64) {
        match self {
            Source::Licenses => (from, until),
            _ => (from - LATEST_CLOSE - 1, until),
        }
    }

    /// The bounds of a day-ended source's rows on the window's edges,
    /// which end within it or not by their zone: those before the first
    /// inner day, then those after the last (one range when the window is
    /// too short to have inner days). Each range is read by the index; a
    /// clause "before or after" read the whole window.
    fn edges(self, (from, until): (i64, i64)) -> Vec<[Arg; 2]> {
        let [first, last] = self.bounds((from, until));
        let (low, high) = (day(from), day(until - DAY));
        if high <= low {
            return vec![[first, last]];
        }
        vec![[first, low.into()], [high.into(), last]]
    }

    /// Its counter of holders by day of end and name (migration 0045) and
    /// the days of the window's bounds, each as that counter's key names it
    /// (an SQL literal, computed here); none for contracts and lots, and
    /// for a window of more than [`HELD_DAYS`] days.
    fn holders(self, window: (i64, i64)) -> Option<(&'static str, Vec<String>)> {
        let (counter, key): (_, fn(i64) -> String) = match self {
            Source::Licenses => ("expiry_holders", |d| d.to_string()),
            Source::Subscriptions => ("subscription_end_holders", |d| {
                format!("'{}'", day(d * DAY))
            }),
            Source::Supplied => return None,
        };
        let (first, last) = self.reach(window);
        let (first, last) = (first.div_euclid(DAY), last.div_euclid(DAY));
        let days = usize::try_from(last - first + 1).ok()?;
        (days <= HELD_DAYS).then(|| (counter, (first..=last).map(key).collect()))
    }

    fn group_by(self, grouping: Grouping) -> GroupBy {
        use GroupBy::{Expr, Same};
        match (self, grouping) {
            (_, Grouping::None) => Same(""),
            (_, Grouping::Customer) => GroupBy::Customer,
            (Source::Licenses, Grouping::Plan) => GroupBy::Policy,
            (Source::Subscriptions, Grouping::Plan) => Expr("x.plan", "x.plan"),
            (Source::Supplied, Grouping::Plan) => Same("(no plan)"),
            (Source::Subscriptions, Grouping::Type) => Same("subscription"),
            (_, Grouping::Type) => Expr("x.kind", "x.kind"),
            (Source::Supplied, Grouping::ContractType) => {
                let name = "COALESCE(x.contract_type, '(no contract type)')";
                Expr(name, name)
            }
            (_, Grouping::ContractType) => Same("(no contract type)"),
            (Source::Supplied, Grouping::Supplier) => {
                let name = "COALESCE(x.supplier, '(no supplier)')";
                Expr(name, name)
            }
            (_, Grouping::Supplier) => Same("(no supplier)"),
        }
    }
}

/// A query's bound values, numbered as they are added.
#[derive(Default)]
struct Binds(Vec<Arg>);

impl Binds {
    /// The bounds of `source`'s rows in `window` (`$1`, `$2`), and the
    /// clause keeping its rows within `scope`.
    fn window(source: Source, window: (i64, i64), scope: &Scope) -> (Binds, String) {
        let mut binds = Binds(source.bounds(window).into());
        let clause = binds.scope(scope);
        (binds, clause)
    }

    /// The placeholder of `arg`.
    fn mark(&mut self, arg: impl Into<Arg>) -> String {
        self.0.push(arg.into());
        format!("${}", self.0.len())
    }

    /// These arguments with the source's bounds (the first two) replaced.
    fn bounded(&self, bounds: [Arg; 2]) -> Vec<Arg> {
        let mut args = self.0.clone();
        args.splice(..2, bounds);
        args
    }

    /// The clause keeping `x` within `scope`.
    fn scope(&mut self, scope: &Scope) -> String {
        self.scope_of("x.customer_id", scope)
    }

    /// The clause keeping the customer `column` names within `scope`.
    fn scope_of(&mut self, column: &str, scope: &Scope) -> String {
        let (clause, args) = scope_clause(column, scope, self.0.len() + 1);
        self.0.extend(args);
        clause
    }
}

/// The first and last whole UTC days (days since 1970) within `window`,
/// if it holds one.
fn whole_days((from, until): (i64, i64)) -> Option<(i64, i64)> {
    let first = (from + DAY - 1).div_euclid(DAY);
    let last = (until + 1).div_euclid(DAY) - 1;
    (first <= last).then_some((first, last))
}

/// The licences not revoked ending within whole `days` (first, last), by
/// group (not by customer: a customer's group takes its name, read per
/// row), from the counter of migration 0037: the days in scope, not the
/// licences.
async fn counted_licenses(
    pool: &AnyPool,
    scope: &Scope,
    (first, last): (i64, i64),
    grouping: Grouping,
    plans: &BTreeMap<String, Vec<String>>,
) -> StoreResult<Vec<(String, i64)>> {
    let (within, mut args) = counted_within("d.customer_id", scope, 3);
    args.splice(0..0, [first.into(), last.into()]);
    let sql = format!(
        "SELECT d.policy_id, po.kind, CAST(SUM(d.licenses) AS BIGINT) AS n \
         FROM expiry_days d JOIN policies po ON po.id = d.policy_id \
         WHERE d.day >= $1 AND d.day <= $2 {within} GROUP BY d.policy_id, po.kind"
    );
    fetch_all(pool, &sql, args, |r| {
        let policy: String = r.try_get("policy_id")?;
        let kind: String = r.try_get("kind")?;
        let group = match Source::Licenses.group_by(grouping) {
            GroupBy::Same(name) => name.to_owned(),
            GroupBy::Policy => plan_label(plans, &policy),
            // By type: the licence's, `license/<policy kind>` (not read
            // by customer: the counter does not keep their names).
            GroupBy::Expr(..) | GroupBy::Customer => format!("license/{kind}"),
        };
        Ok((group, r.try_get("n")?))
    })
    .await
}

/// The subscriptions not ended whose last day is from `first` to `last`
/// (`YYYY-MM-DD`), by group (not by customer), from the counter of
/// migration 0039: the days in scope, not the subscriptions.
async fn counted_subscriptions(
    pool: &AnyPool,
    scope: &Scope,
    (first, last): (String, String),
    grouping: Grouping,
) -> StoreResult<Vec<(String, i64)>> {
    let (within, mut args) = counted_within("d.customer_id", scope, 3);
    args.splice(0..0, [first.into(), last.into()]);
    let sql = format!(
        "SELECT pl.name AS plan, CAST(SUM(d.subscriptions) AS BIGINT) AS n \
         FROM subscription_end_days d JOIN plans pl ON pl.id = d.plan_id \
         WHERE d.day >= $1 AND d.day <= $2 {within} GROUP BY pl.id, pl.name"
    );
    fetch_all(pool, &sql, args, |r| {
        let group = match Source::Subscriptions.group_by(grouping) {
            GroupBy::Same(name) => name.to_owned(),
            // By plan, the only other grouping of a subscription's but
            // its customer.
            _ => r.try_get("plan")?,
        };
        Ok((group, r.try_get("n")?))
    })
    .await
}

/// The label of a licence's group by plan: the plans made from its policy.
fn plan_label(plans: &BTreeMap<String, Vec<String>>, policy_id: &str) -> String {
    match plans.get(policy_id) {
        Some(names) => names.join(" / "),
        None => "(no plan)".to_owned(),
    }
}

/// The clause keeping only the rows of `source` in group `group`, or
/// `None` when none of them is.
fn in_group(
    source: Source,
    grouping: Grouping,
    group: &str,
    plans: &BTreeMap<String, Vec<String>>,
    binds: &mut Binds,
) -> Option<String> {
    match source.group_by(grouping) {
        // A licence's type is `license/` and its policy's kind: the group
        // of another type holds none (at ten million licences, reading
        // the window to find none took half a second).
        _ if source == Source::Licenses
            && grouping == Grouping::Type
            && !group.starts_with("license/") =>
        {
            None
        }
        GroupBy::Same(name) => (name == group).then(String::new),
        GroupBy::Expr(expr, _) => Some(format!(" AND {expr} = {}", binds.mark(group))),
        GroupBy::Customer => Some(customers_named(&[group], binds)),
        GroupBy::Policy if group == "(no plan)" => {
            let marks: Vec<String> = plans.keys().map(|p| binds.mark(p.as_str())).collect();
            Some(if marks.is_empty() {
                String::new()
            } else {
                format!(" AND x.policy_id NOT IN ({})", marks.join(", "))
            })
        }
        GroupBy::Policy => {
            let marks: Vec<String> = plans
                .iter()
                .filter(|(p, _)| plan_label(plans, p) == group)
                .map(|(p, _)| binds.mark(p.as_str()))
                .collect();
            (!marks.is_empty()).then(|| format!(" AND x.policy_id IN ({})", marks.join(", ")))
        }
    }
}

/// The clause keeping only the rows of the customers named `names` (and
/// those of no customer, with [`NO_CUSTOMER`]): read by the customers' ids,
/// by their index, not by reading the window for their names.
fn customers_named(names: &[&str], binds: &mut Binds) -> String {
    let marks: Vec<String> = names.iter().map(|n| binds.mark(*n)).collect();
    let named = format!(
        "x.customer_id IN (SELECT id FROM customers WHERE name IN ({}))",
        marks.join(", ")
    );
    if names.contains(&NO_CUSTOMER) {
        format!(" AND (x.customer_id IS NULL OR {named})")
    } else {
        format!(" AND {named}")
    }
}

/// The rows of the window one source holds after `after`, in order: at
/// least `want` of them when it holds that many (every one of its rows
/// before the last returned is returned).
#[allow(clippy::too_many_arguments)]
async fn source_page(
    pool: &AnyPool,
    source: Source,
    scope: &Scope,
    window: (i64, i64),
    filter: Option<(Grouping, &str)>,
    plans: &BTreeMap<String, Vec<String>>,
    after: Option<&Key>,
    want: i64,
) -> StoreResult<Vec<RenewalDue>> {
    let (mut binds, mut clauses) = Binds::window(source, window, scope);
    // A subscription's page needs the days closed before the window and,
    // for a group by plan, the ids of its plans: read side by side.
    let (plan_ids, closed) = match source {
        Source::Subscriptions => {
            let plan_ids = async {
                match filter {
                    Some((Grouping::Plan, group)) => fetch_all(
                        pool,
                        "SELECT id FROM plans WHERE name = $1",
                        [group.into()],
                        |r| Ok(r.try_get::<String, _>("id")?),
                    )
                    .await
                    .map(Some),
                    _ => Ok(None),
                }
            };
            try_join(plan_ids, closed_before(pool, window.0)).await?
        }
        _ => (None, BTreeMap::new()),
    };
    match (filter, plan_ids) {
        // A subscription's group by plan is its plan's name: read by the
        // ids of the plans of that name, which the planner can weigh (by
        // the name, it read every subscription of the window), and not at
        // all for a group no plan names.
        (_, Some(ids)) => {
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            let marks: Vec<String> = ids.into_iter().map(|id| binds.mark(id)).collect();
            clauses.push_str(&format!(" AND x.plan_id IN ({})", marks.join(", ")));
        }
        (Some((grouping, group)), None) => {
            match in_group(source, grouping, group, plans, &mut binds) {
                Some(clause) => clauses.push_str(&clause),
                None => return Ok(Vec::new()),
            }
        }
        (None, None) => {}
    }
    for (last_day, zones) in closed {
        let zones: Vec<String> = zones.into_iter().map(|z| binds.mark(z)).collect();
        clauses.push_str(&format!(
            " AND NOT (x.last_day = {} AND x.zone IN ({}))",
            binds.mark(last_day),
            zones.join(", ")
        ));
    }
    let end = source.end();
    if let Some(k) = after {
        clauses.push_str(&match source {
            // The index holds (expires_at): the row after, by end then id.
            Source::Licenses => {
                let at = binds.mark(k.ends_at);
                match k.source.as_str().cmp("license") {
                    std::cmp::Ordering::Less => format!(" AND {end} >= {at}"),
                    std::cmp::Ordering::Greater => format!(" AND {end} > {at}"),
                    std::cmp::Ordering::Equal => {
                        let id = binds.mark(k.id.as_str());
                        format!(" AND {end} >= {at} AND ({end} > {at} OR x.id > {id})")
                    }
                }
            }
            // A day ends at most 36 hours after it starts (UTC-12): the
            // rows after the cursor end on its day or after, less that.
            _ => format!(" AND {end} >= {}", binds.mark(day(k.ends_at - 2 * DAY))),
        });
    }
    if source == Source::Subscriptions {
        return subscriptions_page(pool, window, &clauses, &binds, after, want).await;
    }
    let sql = |limit| {
        format!(
            "SELECT x.* FROM ({}) x WHERE 1 = 1 {clauses} ORDER BY {end}, x.id LIMIT {limit}",
            source.select()
        )
    };
    in_end_order(pool, source, sql, &binds.0, after, want, |r| {
        let item = read_row(source, r, window, plans)?;
        Ok((last_day(source, r)?, item.map(|i| (Key::of(&i), i))))
    })
    .await
}

/// The first `want` rows of `source` after `after` in end order, each read
/// by `row` (its last day, and the row with its key if it ends within the
/// window), from `sql(limit)` (bound to `args`): at most `limit` rows in
/// the order of their end's index. A licence's end is the index's order; a
/// day's rows are ordered by their zone, so they are read whole before
/// their order is known, the limit growing fast (at scale a day of
/// subscriptions is a thousand rows).
async fn in_end_order<T>(
    pool: &AnyPool,
    source: Source,
    sql: impl Fn(i64) -> String,
    args: &[Arg],
    after: Option<&Key>,
    want: i64,
    row: impl Fn(&AnyRow) -> StoreResult<(String, Option<(Key, T)>)>,
) -> StoreResult<Vec<T>> {
    let mut limit = want;
    loop {
        let rows = fetch_all(pool, &sql(limit), args.to_vec(), &row).await?;
        let complete = (rows.len() as i64) < limit;
        // The rows not read end after the close of the last day read
        // anywhere on earth, at the earliest; those read before are in order.
        let horizon = match (source, rows.last()) {
            (Source::Licenses, _) | (_, None) => None,
            (_, Some((last, _))) => Some(day_start(last)? + EARLIEST_CLOSE),
        };
        let mut found: Vec<(Key, T)> = rows
            .into_iter()
            .filter_map(|(_, keyed)| keyed)
            .filter(|(k, _)| after.is_none_or(|a| k > a))
            .filter(|(k, _)| complete || horizon.is_none_or(|h| k.ends_at < h))
            .collect();
        if complete || found.len() as i64 >= want {
            found.sort_by(|(a, _), (b, _)| a.cmp(b));
            found.truncate(want.max(0) as usize);
            return Ok(found.into_iter().map(|(_, t)| t).collect());
        }
        limit *= 4;
    }
}

/// The first `want` subscriptions of a page (after `after`, kept by
/// `clauses` on `binds`) in end order. A day's subscriptions are read whole
/// before their order is known (each ends when the day closes in its
/// zone), and at scale a day is a thousand of them: their keys (id, last
/// day, zone) come from the covering index of migration 0041 until the
/// page is known, then only the page's rows are read whole. Read whole,
/// each with its customer's name, the day's rows cost 20 ms at ten
/// million licences.
async fn subscriptions_page(
    pool: &AnyPool,
    window: (i64, i64),
    clauses: &str,
    binds: &Binds,
    after: Option<&Key>,
    want: i64,
) -> StoreResult<Vec<RenewalDue>> {
    let source = Source::Subscriptions;
    let sql = |limit| {
        format!(
            "SELECT x.id, x.last_day, x.zone FROM ({}) x WHERE 1 = 1 {clauses} \
             ORDER BY x.last_day, x.id LIMIT {limit}",
            source.select()
        )
    };
    let keys = in_end_order(pool, source, sql, &binds.0, after, want, |r| {
        let last_day: String = r.try_get("last_day")?;
        let zone: String = r.try_get("zone")?;
        let key = Key {
            ends_at: day_end(&last_day, &zone)?,
            source: source.kind().to_owned(),
            id: r.try_get("id")?,
        };
        let within = window.0 <= key.ends_at && key.ends_at <= window.1;
        Ok((last_day, within.then(|| (key.clone(), key))))
    })
    .await?;
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let mut binds = Binds(source.bounds(window).into());
    let marks: Vec<String> = keys.iter().map(|k| binds.mark(k.id.as_str())).collect();
    let sql = format!(
        "SELECT x.* FROM ({}) x WHERE x.id IN ({})",
        source.select(),
        marks.join(", ")
    );
    let mut items: Vec<RenewalDue> =
        fetch_all(pool, &sql, binds.0, |r| subscription_row(r, window))
            .await?
            .into_iter()
            .flatten()
            .collect();
    items.sort_by_cached_key(Key::of);
    Ok(items)
}

/// The subscriptions' days and zones whose day closed, in that zone,
/// before the window opened at `from` (zones by day): a page leaves them
/// out. The days before the window's first are read for the zones still in
/// them, and the page read would drop the rest after reading them (at
/// scale a day is a thousand subscriptions, most of them closed by the
/// morning, UTC). The days' zones come from the index alone (migration
/// 0041).
async fn closed_before(pool: &AnyPool, from: i64) -> StoreResult<BTreeMap<String, Vec<String>>> {
    let edge = [day(from - LATEST_CLOSE - 1), day(from)];
    let days = fetch_all(
        pool,
        "SELECT DISTINCT COALESCE(ends_on, term_end) AS last_day, zone FROM subscriptions \
         WHERE COALESCE(ends_on, term_end) >= $1 AND COALESCE(ends_on, term_end) <= $2",
        edge.map(Arg::from),
        |r| {
            Ok((
                r.try_get::<String, _>("last_day")?,
                r.try_get::<String, _>("zone")?,
            ))
        },
    )
    .await?;
    let mut closed: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (last_day, zone) in days {
        if day_end(&last_day, &zone)? < from {
            closed.entry(last_day).or_default().push(zone);
        }
    }
    Ok(closed)
}

/// The day a day-ended source's row ends on (empty for a licence).
fn last_day(source: Source, r: &AnyRow) -> StoreResult<String> {
    Ok(match source {
        Source::Licenses => String::new(),
        Source::Subscriptions => r.try_get("last_day")?,
        Source::Supplied => r.try_get("ends_on")?,
    })
}

/// A row of `source`, if it ends within the window.
fn read_row(
    source: Source,
    r: &AnyRow,
    window: (i64, i64),
    plans: &BTreeMap<String, Vec<String>>,
) -> StoreResult<Option<RenewalDue>> {
    match source {
        Source::Licenses => license_row(r, plans).map(Some),
        Source::Subscriptions => subscription_row(r, window),
        Source::Supplied => supplied_row(r, window),
    }
}

/// A page of the window (of one type's rows, of one group's) after the row `page.after`
/// names.
pub(super) async fn renewals_page(
    pool: &AnyPool,
    scope: &Scope,
    (window, kind): ((i64, i64), Option<&str>),
    filter: Option<(Grouping, &str)>,
    page: &Page,
) -> StoreResult<Rows<RenewalDue>> {
    if page.before.is_some() {
        return Err(StoreError::invalid_as(
            "bad_cursor",
            "the renewals report pages forward only (follow `next`)",
        ));
    }
    let after = page.after.as_deref().map(Key::read).transpose()?;
    let plans = plans_by_policy(pool).await?;
    // One row more than the page says whether the report goes on.
    let want = page.limit + 1;
    // Each source's page read side by side: one after another, their
    // round trips added up.
    let pages = try_join_all(Source::of(kind).map(|source| {
        source_page(
            pool,
            source,
            scope,
            window,
            filter,
            &plans,
            after.as_ref(),
            want,
        )
    }))
    .await?;
    let mut items: Vec<RenewalDue> = pages.into_iter().flatten().collect();
    items.sort_by_cached_key(Key::of);
    let more = items.len() as i64 > page.limit;
    items.truncate(page.limit.max(0) as usize);
    let next = match items.last() {
        Some(last) if more => Some(Key::of(last).cursor()?),
        _ => None,
    };
    Ok(Rows {
        items,
        next,
        prev: None,
    })
}

/// Each group's count: counted by the database, but for the rows of the
/// day-ended sources on the window's first and last two days, which end
/// within it or not by their zone, and are read. The sources are counted
/// side by side, each statement its own reading: one after another, the
/// dozen round trips were most of a count's time.
pub(super) async fn renewal_counts(
    pool: &AnyPool,
    scope: &Scope,
    (window, kind): ((i64, i64), Option<&str>),
    grouping: Grouping,
) -> StoreResult<Vec<(String, i64)>> {
    let plans = plans_by_policy(pool).await?;
    counted(pool, scope, (window, kind), grouping, &plans, None).await
}

/// Each group's count (of the customers `customers` names only, when it
/// names some), in the groups' order, the empty ones left out.
async fn counted(
    pool: &AnyPool,
    scope: &Scope,
    (window, kind): ((i64, i64), Option<&str>),
    grouping: Grouping,
    plans: &BTreeMap<String, Vec<String>>,
    customers: Option<&[&str]>,
) -> StoreResult<Vec<(String, i64)>> {
    let parts = try_join_all(
        Source::of(kind)
            .map(|source| source_counts(pool, scope, window, source, grouping, plans, customers)),
    )
    .await?;
    let mut counts: BTreeMap<String, i64> = BTreeMap::new();
    for (group, n) in parts.into_iter().flatten() {
        *counts.entry(group).or_default() += n;
    }
    Ok(counts.into_iter().filter(|(_, n)| *n > 0).collect())
}

/// A page of the window's groups: every group counted and the page cut
/// from the counts, but by customer, whose groups are walked a page at a
/// time ([`customer_groups`]).
pub(super) async fn renewal_groups(
    pool: &AnyPool,
    scope: &Scope,
    (window, kind): ((i64, i64), Option<&str>),
    grouping: Grouping,
    at: GroupsAt<'_>,
    limit: usize,
) -> StoreResult<GroupPage> {
    if grouping != Grouping::Customer {
        let counts = renewal_counts(pool, scope, (window, kind), grouping).await?;
        return Ok(GroupPage::of(counts, at, limit));
    }
    // The window's total from the counters, beside the page's groups.
    let plans = plans_by_policy(pool).await?;
    let total = counted(pool, scope, (window, kind), Grouping::None, &plans, None);
    let groups = customer_groups(pool, scope, (window, kind), &plans, (at, limit));
    let (total, (groups, earlier, later)) = try_join(total, groups).await?;
    Ok(GroupPage {
        total: total.iter().map(|(_, n)| n).sum(),
        groups,
        place: None,
        earlier,
        later,
    })
}

/// The customers' groups of the window a page at a time, with whether
/// groups come before and after them: the customers' names walked in
/// order on their index from where `at` says, those holding a row of the
/// window kept, and only those counted. Counting every customer's rows
/// took 2.4 s for ninety days at ten million licences.
async fn customer_groups(
    pool: &AnyPool,
    scope: &Scope,
    (window, kind): ((i64, i64), Option<&str>),
    plans: &BTreeMap<String, Vec<String>>,
    (at, limit): (GroupsAt<'_>, usize),
) -> StoreResult<(Vec<(String, i64)>, bool, bool)> {
    let customers = Grouping::Customer;
    let (mut from, forward) = match at {
        GroupsAt::First => (None, true),
        GroupsAt::After(name) => (Some(name.to_owned()), true),
        GroupsAt::Before(name) => (Some(name.to_owned()), false),
        GroupsAt::Named(name) => {
            let named = [name];
            let counts = counted(pool, scope, (window, kind), customers, plans, Some(&named));
            return Ok((counts.await?, false, false));
        }
    };
    let passed_some = from.is_some();
    let mut groups: Vec<(String, i64)> = Vec::new();
    loop {
        // One more than the page says whether more follow.
        let walk = Walk {
            from: from.as_deref(),
            forward,
            want: limit + 1 - groups.len(),
        };
        let names = customer_names(pool, scope, (window, kind), walk);
        let names = names.await?;
        let walked_all = names.len() < walk.want;
        if !names.is_empty() {
            let named: Vec<&str> = names.iter().map(String::as_str).collect();
            let counts = counted(pool, scope, (window, kind), customers, plans, Some(&named));
            let mut counts = counts.await?;
            if !forward {
                counts.reverse();
            }
            groups.extend(counts);
        }
        // A customer walked may hold no row of the window after all (its
        // zone's day closed outside it): the page is walked on.
        if walked_all || groups.len() > limit {
            break;
        }
        from = names.last().cloned();
    }
    let more = groups.len() > limit;
    groups.truncate(limit);
    if forward {
        Ok((groups, passed_some, more))
    } else {
        groups.reverse();
        Ok((groups, more, true))
    }
}

/// The names of the first `want` customers after `from` (before it,
/// walking back) that hold a row of the window, in the walk's order, the
/// group of no customer among them. A day-ended source is read by its
/// bounds, a day wider than the window: a customer found may hold no row
/// once the zones have said when its days close (its count is then none).
async fn customer_names(
    pool: &AnyPool,
    scope: &Scope,
    (window, kind): ((i64, i64), Option<&str>),
    walk: Walk<'_>,
) -> StoreResult<Vec<String>> {
    let walks = try_join_all(
        Source::of(kind).map(|source| source_customers(pool, scope, window, source, walk)),
    )
    .await?;
    Ok(walk.first(walks.into_iter().flatten().collect()))
}

/// The rows of a source's window up to which its customers are read from
/// the rows (their ids, then their names), not walked: a walk in name
/// order asks many customers in vain when few hold a row.
const FEW_ROWS: i64 = 5_000;

/// The customers a walk asks at a time, and the most it asks before its
/// source's customers are read from the window's rows instead, unless a
/// stretch of the walk finds none: the rows of a window may be held by
/// customers scattered among the names (at ten million licences a walk
/// for seven days asked 700,000 customers, 4 s, to find 21; a customer
/// asked costs some 17 µs; thirty days' 183,000 holders' names read from
/// the rows took 1.0-1.2 s).
const WALKED: (i64, usize) = (3_000, 10);

/// [`customer_names`] of one source: for the licences and subscriptions
/// of the whole base, merged from their holders by day
/// ([`held_customers`]); else walked when its window holds many rows, and
/// found within [`WALKED`] customers; else read from its rows.
async fn source_customers(
    pool: &AnyPool,
    scope: &Scope,
    window: (i64, i64),
    source: Source,
    walk: Walk<'_>,
) -> StoreResult<Vec<String>> {
    if *scope == Scope::All {
        if let Some(names) = held_customers(pool, window, source, walk).await? {
            return Ok(names);
        }
    }
    let (binds, rows) = Binds::window(source, window, scope);
    let few = format!(
        "SELECT COUNT(*) AS n FROM (SELECT 1 AS one FROM ({}) x WHERE 1 = 1 {rows} LIMIT {}) t",
        source.select(),
        FEW_ROWS + 1
    );
    let counted = fetch_all(pool, &few, binds.0, |r| Ok(r.try_get::<i64, _>("n")?));
    if counted.await?.first().is_some_and(|n| *n > FEW_ROWS) {
        let walked = walked_customers(pool, scope, window, source, walk);
        if let Some(names) = walked.await? {
            return Ok(names);
        }
    }
    holding_customers(pool, scope, window, source, walk).await
}

/// The first `want` customers after `from` (before it, walking back) in
/// name order, each asked whether it holds a row of the source's bounds
/// (by the source's index by customer), [`WALKED`] at a time, with the
/// group of no customer where its name falls; none when the walk finds
/// too few too slowly.
async fn walked_customers(
    pool: &AnyPool,
    scope: &Scope,
    window: (i64, i64),
    source: Source,
    walk: Walk<'_>,
) -> StoreResult<Option<Vec<String>>> {
    let (past, order) = walk.order();
    let (stretch, stretches) = WALKED;
    let mut found: Vec<String> = Vec::new();
    // Where the walk goes on: after a name the caller gave, then after
    // the last customer asked (its name and id: names repeat).
    let mut at: Option<(String, Option<String>)> = walk.from.map(|f| (f.to_owned(), None));
    let mut complete = false;
    for _ in 0..stretches {
        let mut binds = Binds(source.bounds(window).into());
        let mut clauses = binds.scope_of("cu.id", scope);
        match &at {
            Some((name, None)) => clauses.push_str(&format!(
                " AND cu.name {past} {}",
                binds.mark(name.as_str())
            )),
            Some((name, Some(id))) => {
                let (name, id) = (binds.mark(name.as_str()), binds.mark(id.as_str()));
                clauses.push_str(&format!(
                    " AND (cu.name {past} {name} OR (cu.name = {name} AND cu.id {past} {id}))"
                ));
            }
            None => {}
        }
        let asked = format!(
            "SELECT cu.id, cu.name FROM customers cu WHERE 1 = 1 {clauses} \
             ORDER BY cu.name{order}, cu.id{order}"
        );
        let sql = format!(
            "SELECT DISTINCT cu.name FROM ({asked} LIMIT {stretch}) cu \
             WHERE EXISTS (SELECT 1 FROM ({}) x WHERE x.customer_id = cu.id) \
             ORDER BY cu.name{order} LIMIT {}",
            source.select(),
            walk.want - found.len()
        );
        let args = binds.0.clone();
        let names = fetch_all(pool, &sql, args, |r| Ok(r.try_get::<String, _>("name")?)).await?;
        let none = names.is_empty();
        found.extend(names);
        if found.len() >= walk.want {
            complete = true;
            break;
        }
        if none {
            return Ok(None);
        }
        // The last customer this stretch asked, if it asked a whole one.
        let last = format!("{asked} LIMIT 1 OFFSET {}", stretch - 1);
        let last = fetch_all(pool, &last, binds.0, |r| {
            Ok((
                r.try_get::<String, _>("name")?,
                r.try_get::<String, _>("id")?,
            ))
        });
        match last.await?.pop() {
            Some((name, id)) => at = Some((name, Some(id))),
            // The walk asked every customer there is.
            None => {
                complete = true;
                break;
            }
        }
    }
    if !complete {
        return Ok(None);
    }
    if *scope == Scope::All {
        found.extend(no_customer(pool, window, source, walk).await?);
    }
    Ok(Some(walk.first(found)))
}

/// The most days a window's holders are merged from, one range of a
/// counter's key a day ([`held_customers`]): the console's windows (ninety
/// days at most) with their edge days. A longer window holds so many
/// holders that a walk of the names finds them soon.
const HELD_DAYS: usize = 100;

/// [`customer_names`] of the licences or the subscriptions, for the whole
/// base: the names of those holding a row that ends on a day of the
/// window's bounds, merged in name order from each day's range of the
/// source's counter of holders ([`Source::holders`]): a page of names costs
/// a page of rows, wherever the holders' names fall. With the group of no
/// customer where its name falls; none for contracts and lots, and when
/// the window spans more than [`HELD_DAYS`] days. The bounds' edge days
/// are read whole: a holder found there may hold no row within the window
/// (its count is then none).
async fn held_customers(
    pool: &AnyPool,
    window: (i64, i64),
    source: Source,
    walk: Walk<'_>,
) -> StoreResult<Option<Vec<String>>> {
    let Some((counter, days)) = source.holders(window) else {
        return Ok(None);
    };
    let mut binds = Binds::default();
    let past = walk.past("h.name", &mut binds);
    let (_, order) = walk.order();
    // Each day a range of the key, its first names only (the first
    // distinct names of all days are among their days' first): merged in
    // order, not hashed whole.
    let days: Vec<String> = days
        .iter()
        .enumerate()
        .map(|(i, day)| {
            format!(
                "SELECT name FROM (SELECT h.name FROM {counter} h WHERE h.day = {day}{past} \
                 ORDER BY h.name{order} LIMIT {}) d{i}",
                walk.want
            )
        })
        .collect();
    let sql = format!(
        "SELECT DISTINCT name FROM ({}) h ORDER BY name{order} LIMIT {}",
        days.join(" UNION ALL "),
        walk.want
    );
    let names = fetch_all(pool, &sql, binds.0, |r| Ok(r.try_get::<String, _>("name")?));
    let mut names = names.await?;
    names.extend(no_customer(pool, window, source, walk).await?);
    Ok(Some(walk.first(names)))
}

/// The group of no customer, if the walk passes its name and the source
/// holds a row of no customer in the window's bounds. Those rows are the
/// staff's alone: ask only for the whole base.
async fn no_customer(
    pool: &AnyPool,
    window: (i64, i64),
    source: Source,
    walk: Walk<'_>,
) -> StoreResult<Vec<String>> {
    if !walk.beyond(NO_CUSTOMER) {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT x.id FROM ({}) x WHERE x.customer_id IS NULL LIMIT 1",
        source.select()
    );
    let bounds: Vec<Arg> = source.bounds(window).into();
    fetch_all(pool, &sql, bounds, |_| Ok(NO_CUSTOMER.to_owned())).await
}

/// The first `want` customers after `from` (before it, walking back) in
/// name order among those holding a row of the source's bounds: the
/// holders' ids read from the window's rows (by the source's covering
/// index), each holder's name then.
async fn holding_customers(
    pool: &AnyPool,
    scope: &Scope,
    window: (i64, i64),
    source: Source,
    walk: Walk<'_>,
) -> StoreResult<Vec<String>> {
    let (mut binds, rows) = Binds::window(source, window, scope);
    let past = walk.past("name", &mut binds);
    let (_, order) = walk.order();
    // Each holder's name by its id (a join read the whole of customers).
    let sql = format!(
        "WITH holders AS MATERIALIZED (SELECT DISTINCT x.customer_id AS id FROM ({}) x \
         WHERE 1 = 1 {rows}), \
         named AS (SELECT COALESCE((SELECT cu.name FROM customers cu WHERE cu.id = h.id), \
         '{NO_CUSTOMER}') AS name FROM holders h) \
         SELECT DISTINCT name FROM named WHERE 1 = 1 {past} ORDER BY 1{order} LIMIT {}",
        source.select(),
        walk.want
    );
    fetch_all(pool, &sql, binds.0, |r| Ok(r.try_get::<String, _>("name")?)).await
}

/// A walk of the customers' names: the first `want` after `from` (before
/// it, walking back), or from the first (the last).
#[derive(Clone, Copy)]
struct Walk<'a> {
    from: Option<&'a str>,
    forward: bool,
    want: usize,
}

impl Walk<'_> {
    /// The comparison that keeps a name beyond a walk's start, and the
    /// order the walk reads names in (after `ORDER BY` a column).
    fn order(self) -> (&'static str, &'static str) {
        if self.forward {
            (">", "")
        } else {
            ("<", " DESC")
        }
    }

    /// The clause keeping the names of `column` beyond the walk's start
    /// (`AND ...`, or nothing from the first), its start bound in `binds`.
    fn past(self, column: &str, binds: &mut Binds) -> String {
        let (past, _) = self.order();
        match self.from {
            Some(from) => format!(" AND {column} {past} {}", binds.mark(from)),
            None => String::new(),
        }
    }

    /// Whether `name` comes beyond the walk's start.
    fn beyond(self, name: &str) -> bool {
        self.from.is_none_or(|from| {
            if self.forward {
                name > from
            } else {
                name < from
            }
        })
    }

    /// The first `want` of `names` in the walk's order, once each.
    fn first(self, mut names: Vec<String>) -> Vec<String> {
        names.sort();
        names.dedup();
        if !self.forward {
            names.reverse();
        }
        names.truncate(self.want);
        names
    }
}

/// Counts by group; a group may come more than once (they add up).
type Counts = Vec<(String, i64)>;

/// One source's counts of the window (of the customers `customers` names
/// only, when it names some), its statements read side by side.
async fn source_counts(
    pool: &AnyPool,
    scope: &Scope,
    window: (i64, i64),
    source: Source,
    grouping: Grouping,
    plans: &BTreeMap<String, Vec<String>>,
    customers: Option<&[&str]>,
) -> StoreResult<Counts> {
    let (from, until) = window;
    // The days whose rows all end within the window wherever they are.
    let inner = (day(from + DAY), day(until - 2 * DAY));
    let (mut binds, mut clauses) = Binds::window(source, window, scope);
    if let Some(names) = customers {
        clauses.push_str(&customers_named(names, &mut binds));
    }
    let end = source.end();
    let mut reads: Vec<BoxFuture<'_, StoreResult<Counts>>> = Vec::new();
    if source != Source::Licenses {
        // The same statement read for each edge: its bounds bound anew.
        let edges: Vec<Vec<Arg>> = source
            .edges(window)
            .into_iter()
            .map(|edge| binds.bounded(edge))
            .collect();
        if source == Source::Subscriptions {
            // Counted by day, zone and group: whether a day ends within
            // the window is its zone's to say, once per (day, zone).
            let (name, key) = source.group_by(grouping).counted();
            let grouped = key.map(|k| format!(", {k}")).unwrap_or_default();
            let sql = format!(
                "SELECT x.last_day, x.zone, {name} AS g, COUNT(*) AS n FROM ({}) x \
                 WHERE 1 = 1 {clauses} GROUP BY x.last_day, x.zone{grouped}",
                source.select()
            );
            for args in edges {
                reads.push(zoned_counts(pool, sql.clone(), args, window, grouping).boxed());
            }
            if grouping != Grouping::Customer {
                reads.push(counted_subscriptions(pool, scope, inner, grouping).boxed());
                return added(reads).await;
            }
        } else {
            let sql = format!(
                "SELECT x.* FROM ({}) x WHERE 1 = 1 {clauses}",
                source.select()
            );
            for args in edges {
                let read = row_counts(pool, sql.clone(), args, source, window, grouping, plans);
                reads.push(read.boxed());
            }
        }
        clauses.push_str(&format!(
            " AND {end} >= {} AND {end} <= {}",
            binds.mark(inner.0.as_str()),
            binds.mark(inner.1.as_str())
        ));
    }
    let mut runs = vec![binds.0.clone()];
    if let (Source::Licenses, Some(days)) = (source, whole_days(window)) {
        if grouping != Grouping::Customer {
            reads.push(counted_licenses(pool, scope, days, grouping, plans).boxed());
            // The licences of the partial first and last days only,
            // each range read by the index.
            runs = [
                [from.into(), (days.0 * DAY - 1).into()],
                [((days.1 + 1) * DAY).into(), until.into()],
            ]
            .into_iter()
            .map(|edge| binds.bounded(edge))
            .collect();
        }
    }
    let (name, key) = source.group_by(grouping).counted();
    let grouped = key.map(|k| format!("GROUP BY {k}")).unwrap_or_default();
    let sql = format!(
        "SELECT {name} AS g, COUNT(*) AS n FROM ({}) x WHERE 1 = 1 {clauses} {grouped}",
        source.select()
    );
    for args in runs {
        reads.push(grouped_counts(pool, sql.clone(), args, source, grouping, plans).boxed());
    }
    added(reads).await
}

/// The counts of a day-ended source's rows on one edge of the window read
/// by day and zone (`sql`, bound to `args`): those whose day closes in
/// their zone within the window.
async fn zoned_counts(
    pool: &AnyPool,
    sql: String,
    args: Vec<Arg>,
    (from, until): (i64, i64),
    grouping: Grouping,
) -> StoreResult<Counts> {
    let rows = fetch_all(pool, &sql, args, |r| {
        let last_day: String = r.try_get("last_day")?;
        let zone: String = r.try_get("zone")?;
        Ok((
            day_end(&last_day, &zone)?,
            r.try_get::<Option<String>, _>("g")?,
            r.try_get::<i64, _>("n")?,
        ))
    })
    .await?;
    Ok(rows
        .into_iter()
        .filter(|(ends_at, _, _)| from <= *ends_at && *ends_at <= until)
        .map(|(_, group, n)| {
            let group = match Source::Subscriptions.group_by(grouping) {
                GroupBy::Same(name) => name.to_owned(),
                _ => group.unwrap_or_default(),
            };
            (group, n)
        })
        .collect())
}

/// The counts of the rows `sql` reads whole (bound to `args`) that end
/// within `window`, by their group.
async fn row_counts(
    pool: &AnyPool,
    sql: String,
    args: Vec<Arg>,
    source: Source,
    window: (i64, i64),
    grouping: Grouping,
    plans: &BTreeMap<String, Vec<String>>,
) -> StoreResult<Counts> {
    let items = fetch_all(pool, &sql, args, |r| read_row(source, r, window, plans)).await?;
    Ok(items
        .into_iter()
        .flatten()
        .map(|item| (grouping.key(&item), 1))
        .collect())
}

/// The counts `sql` (bound to `args`) counts by group: `g` names it as
/// [`GroupBy::counted`] says, `n` counts.
async fn grouped_counts(
    pool: &AnyPool,
    sql: String,
    args: Vec<Arg>,
    source: Source,
    grouping: Grouping,
    plans: &BTreeMap<String, Vec<String>>,
) -> StoreResult<Counts> {
    fetch_all(pool, &sql, args, |r| {
        let g = r.try_get::<Option<String>, _>("g")?;
        let group = match source.group_by(grouping) {
            GroupBy::Same(name) => name.to_owned(),
            GroupBy::Policy => plan_label(plans, g.as_deref().unwrap_or_default()),
            GroupBy::Expr(..) | GroupBy::Customer => g.unwrap_or_default(),
        };
        Ok((group, r.try_get::<i64, _>("n")?))
    })
    .await
}

/// The counts `reads` read, read side by side, in one list.
async fn added(reads: Vec<BoxFuture<'_, StoreResult<Counts>>>) -> StoreResult<Counts> {
    Ok(try_join_all(reads).await?.into_iter().flatten().collect())
}
