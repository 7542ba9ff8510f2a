//! "To renew": what ends soon — licences, subscriptions, contracts with
//! suppliers and purchase lots — grouped (by plan, type, customer,
//! contract type or supplier) and sorted by end date, with the columns the
//! person picks, and its CSV: the ITSM's "licences to renew soon" screen
//! and Octopus's contracts to renew.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::header;
use axum::response::IntoResponse;

use fluent_bundle::{FluentArgs, FluentValue};
use futures_util::future::try_join_all;

use super::frame::{render, Frame, OrRefuse, PageResult, Viewer};
use super::i18n::Tr;
use super::paging::{Link as PagerLink, Pager, Paging};
use super::{Page, PageAccess};
use crate::service::now;
use crate::service::reports::{self, Grouping};
use crate::store::{GroupPage, GroupsAt, RenewalDue};
use crate::AppState;

/// Rows drawn under each group's heading; a group's own page (`?group=`)
/// draws a page of it.
const FIRST_ROWS: i64 = 10;

pub(super) fn pages() -> Vec<Page> {
    vec![
        Page::get("/renewals", PageAccess::Signed, list),
        Page::get("/renewals.csv", PageAccess::Signed, export),
    ]
}

/// The columns a person may show, in order: (name, message id).
pub(crate) const COLUMNS: [(&str, &str); 13] = [
    ("type", "col-type"),
    ("product", "col-product"),
    ("plans", "col-plans"),
    ("customer", "col-customer"),
    ("licensee", "col-licensee"),
    ("status", "col-status"),
    ("seats", "col-seats"),
    ("supplier", "col-supplier"),
    ("contract_type", "col-contract-type"),
    ("starts", "col-starts"),
    ("cost", "col-cost"),
    ("last_day_to_cancel", "col-last-day-to-cancel"),
    ("days", "col-days-left"),
];

/// The columns shown when none are picked (shown in [`COLUMNS`]' order,
/// as the headings are).
const DEFAULT_COLUMNS: [&str; 5] = ["product", "customer", "licensee", "seats", "days"];

/// The columns shown when none are picked and only contracts and lots
/// are listed (Octopus's).
const CONTRACT_COLUMNS: [&str; 6] = [
    "type",
    "supplier",
    "starts",
    "customer",
    "last_day_to_cancel",
    "days",
];

/// The kinds of record the list may be cut to: (value, message id).
const KINDS: [(&str, &str); 4] = [
    ("", "type-all"),
    ("license", "type-license"),
    ("subscription", "type-subscription"),
    ("contract", "type-contract"),
];

/// The list's settings, all in the address (a list can be bookmarked).
#[derive(Default)]
pub(crate) struct Settings {
    within_days: Option<u32>,
    group_by: Option<String>,
    /// `license`, `subscription`, `contract` (contracts and lots), or
    /// empty for all.
    kind: Option<String>,
    /// Columns: one `columns` per checkbox ticked, or comma-separated.
    columns: Option<String>,
    /// The one group listed, a page at a time.
    group: Option<String>,
    /// The groups listed are those after this one (by name).
    groups_after: Option<String>,
    /// The groups listed are those before this one (by name).
    groups_before: Option<String>,
}

impl Settings {
    /// The settings of a query string; what cannot be read is left at
    /// its default (people type these addresses).
    fn read(query: Option<&str>) -> Settings {
        let mut settings = Settings::default();
        let mut columns = Vec::new();
        for (key, value) in url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
            match &*key {
                "within_days" => settings.within_days = value.parse().ok(),
                "group_by" => settings.group_by = Some(value.into_owned()),
                "type" => settings.kind = Some(value.into_owned()),
                "columns" => columns.push(value.into_owned()),
                "group" => settings.group = Some(value.into_owned()),
                "groups_after" => settings.groups_after = Some(value.into_owned()),
                "groups_before" => settings.groups_before = Some(value.into_owned()),
                _ => {}
            }
        }
        if !columns.is_empty() {
            settings.columns = Some(columns.join(","));
        }
        settings
    }

    /// Where the page of groups starts: the one group asked for, or the
    /// groups after or before the one named.
    fn groups_at(&self) -> GroupsAt<'_> {
        match (&self.group, &self.groups_after, &self.groups_before) {
            (Some(group), _, _) => GroupsAt::Named(group),
            (None, Some(after), _) => GroupsAt::After(after),
            (None, None, Some(before)) => GroupsAt::Before(before),
            (None, None, None) => GroupsAt::First,
        }
    }

    fn days(&self) -> u32 {
        self.within_days.unwrap_or(90)
    }

    fn grouping(&self) -> Grouping {
        // An unknown grouping reads as the default one, not as an error:
        // the address is typed by people.
        Grouping::parse(Some(self.group_by.as_deref().unwrap_or("plan"))).unwrap_or(Grouping::Plan)
    }

    fn kind(&self) -> &'static str {
        KINDS
            .iter()
            .map(|(kind, _)| *kind)
            .find(|kind| self.kind.as_deref() == Some(kind))
            .unwrap_or("")
    }

    /// The type the list is cut to (`license`, `subscription`, `contract`:
    /// contracts and their lots), if any.
    fn kind_cut(&self) -> Option<&'static str> {
        Some(self.kind()).filter(|k| !k.is_empty())
    }

    /// The picked columns, in the list's order (the default ones when
    /// none of those picked exists).
    fn columns(&self) -> Vec<&'static str> {
        let asked = self.columns.as_deref().unwrap_or_default();
        let among = |wanted: &dyn Fn(&str) -> bool| -> Vec<&'static str> {
            COLUMNS
                .iter()
                .map(|(name, _)| *name)
                .filter(|name| wanted(name))
                .collect()
        };
        let picked = among(&|name| asked.split(',').any(|c| c.trim() == name));
        let defaults: &[&str] = if self.kind() == "contract" {
            &CONTRACT_COLUMNS
        } else {
            &DEFAULT_COLUMNS
        };
        if picked.is_empty() {
            among(&|name| defaults.contains(&name))
        } else {
            picked
        }
    }

    /// The same settings as an address query.
    fn query(&self) -> String {
        url::form_urlencoded::Serializer::new(String::new())
            .append_pair("within_days", &self.days().to_string())
            .append_pair("group_by", self.grouping().name().unwrap_or("plan"))
            .append_pair("type", self.kind())
            .append_pair("columns", &self.columns().join(","))
            .finish()
    }
}

/// One option of a select.
pub(crate) struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// The options of a select: (value, label), `current` selected.
fn choices(options: Vec<(String, String)>, current: &str) -> Vec<Choice> {
    options
        .into_iter()
        .map(|(value, label)| Choice {
            selected: value == current,
            value,
            label,
        })
        .collect()
}

/// One line of the list, as drawn.
pub(crate) struct Line {
    pub id: String,
    pub href: String,
    pub ends: String,
    /// The picked columns' cells, in order.
    pub cells: Vec<String>,
    /// Ends within a week.
    pub urgent: bool,
}

#[derive(Template)]
#[template(path = "console/renewals.html")]
struct Renewals {
    f: Frame,
    windows: Vec<Choice>,
    groupings: Vec<Choice>,
    kinds: Vec<Choice>,
    /// Every column: (name, message id, shown).
    choices: Vec<(&'static str, &'static str, bool)>,
    groups: Vec<Group>,
    /// "12 to renew".
    count: String,
    csv_href: String,
    /// Under one group's page (`?group=`).
    pager: Option<Pager>,
}

/// One group of the list, as drawn.
pub(crate) struct Group {
    pub name: String,
    /// How many of its rows end within the window.
    pub count: i64,
    /// Its first rows, or the page of it asked for.
    pub lines: Vec<Line>,
    /// The link to the whole group, a page at a time, when it has more.
    pub more: Option<Link>,
}

/// A link, as drawn.
pub(crate) struct Link {
    pub href: String,
    pub label: String,
}

/// `GET /renewals`.
async fn list(
    State(s): State<AppState>,
    v: Viewer,
    paging: Paging,
    RawQuery(query): RawQuery,
) -> PageResult {
    let q = Settings::read(query.as_deref());
    let f = v.frame.at("renewals");
    let today = now().0;
    let window = (today, q.days());
    let (kind, grouping) = (q.kind_cut(), q.grouping());
    let found = reports::renewal_groups(&s, &v.staff, window, kind, grouping, q.groups_at())
        .await
        .or_refuse(&f)?;
    let columns = q.columns();
    let t = f.t;
    let line = |i: RenewalDue| {
        let days = (i.ends_at - today).div_euclid(licentia::DAY);
        let terms = i.terms.as_ref();
        let cells = columns
            .iter()
            .map(|c| match *c {
                "type" => t.t(&format!("kind-{}", i.kind.replace('/', "-"))),
                "product" => i.product.clone().unwrap_or_default(),
                "plans" => i.plans.join(" / "),
                "customer" => i.customer.clone().unwrap_or_default(),
                "licensee" => i.licensee.clone(),
                "status" => i
                    .status
                    .as_ref()
                    .map(|s| t.t(&format!("status-{s}")))
                    .unwrap_or_default(),
                "seats" => i.seats.map(|n| n.to_string()).unwrap_or_default(),
                "supplier" => terms.and_then(|t| t.supplier.clone()).unwrap_or_default(),
                "contract_type" => terms
                    .and_then(|t| t.contract_type.clone())
                    .unwrap_or_default(),
                "starts" => terms.map(|t| t.starts_on.clone()).unwrap_or_default(),
                "cost" => terms
                    .and_then(|t| Some(format!("{} {}", t.cost.as_ref()?, t.currency.as_ref()?)))
                    .unwrap_or_default(),
                "last_day_to_cancel" => terms
                    .and_then(|t| t.last_day_to_cancel.clone())
                    .unwrap_or_default(),
                _ => t.n("days-left", days),
            })
            .collect();
        let page = match i.kind.as_str() {
            "subscription" => "subscriptions",
            "contract" => "contracts",
            "lot" => "purchases",
            _ => "licenses",
        };
        let href = format!("/{page}/{}", i.id);
        Line {
            href,
            // A contract or lot ends after its last day, which is the
            // date its people know it by (as its start is).
            ends: terms.map_or_else(|| t.date(i.ends_at), |t| t.ends_on.clone()),
            urgent: days < 7,
            cells,
            id: i.id,
        }
    };
    let mut groups = Vec::new();
    // Each group drawn with its first rows, a page of groups at a time, or
    // the one asked for a page at a time.
    let (rows, mut pager) = match q.group {
        Some(_) => (paging.rows(), None),
        None => (
            crate::store::Page::first(FIRST_ROWS),
            groups_pager(&t, &q, &found),
        ),
    };
    // The groups' pages are read side by side (each its own reading of
    // the database), not one after another.
    let pages = try_join_all(found.groups.iter().map(|(name, _)| {
        reports::renewals_page(
            &s,
            &v.staff,
            window,
            kind,
            (grouping, Some(name.as_str())),
            &rows,
        )
    }))
    .await
    .or_refuse(&f)?;
    for ((name, n), rows) in found.groups.iter().zip(pages) {
        let more = (q.group.is_none() && rows.next.is_some()).then(|| {
            let group: String = url::form_urlencoded::byte_serialize(name.as_bytes()).collect();
            let mut args = FluentArgs::new();
            args.set("group", FluentValue::from(name.as_str()));
            args.set("count", FluentValue::from(*n));
            Link {
                href: format!("/renewals?{}&group={group}", q.query()),
                label: t.args("renewals-whole-group", &args),
            }
        });
        let items = match q.group {
            Some(_) => {
                let (items, under) = paging.cut(&t, rows);
                pager = Some(under);
                items
            }
            None => rows.items,
        };
        groups.push(Group {
            name: name.clone(),
            count: *n,
            lines: items.into_iter().map(line).collect(),
            more,
        });
    }
    let shown = q.columns();
    let windows = [7, 30, 90, 180, 365]
        .map(|d| (d.to_string(), t.n("days", d)))
        .to_vec();
    let groupings = Grouping::NAMED
        .iter()
        .filter_map(|g| g.name())
        .map(|g| {
            let label = t.t(&format!("group-{}", g.replace('_', "-")));
            (g.to_owned(), label)
        })
        .collect();
    let kinds = KINDS.map(|(k, label)| (k.to_owned(), t.t(label))).to_vec();
    let page = Renewals {
        windows: choices(windows, &q.days().to_string()),
        groupings: choices(groupings, q.grouping().name().unwrap_or("plan")),
        kinds: choices(kinds, q.kind()),
        choices: COLUMNS
            .iter()
            .map(|(name, id)| (*name, *id, shown.contains(name)))
            .collect(),
        groups,
        count: t.n("items-due", found.total),
        csv_href: format!("/renewals.csv?{}", q.query()),
        pager,
        f,
    };
    Ok(render(&page))
}

/// The pager under a page of groups: which of them it shows (their places
/// among all when counted, their first and last names when walked, by
/// customer) and the links to the groups before and after.
fn groups_pager(t: &Tr, q: &Settings, found: &GroupPage) -> Option<Pager> {
    let (first, last) = (found.groups.first()?, found.groups.last()?);
    let href = |key: &str, name: &str| {
        let name: String = url::form_urlencoded::byte_serialize(name.as_bytes()).collect();
        format!("/renewals?{}&{key}={name}", q.query())
    };
    let mut args = FluentArgs::new();
    let showing = match found.place {
        Some((start, count)) => {
            args.set("first", FluentValue::from(start + 1));
            args.set("last", FluentValue::from(start + found.groups.len()));
            args.set("count", FluentValue::from(count));
            t.args("renewals-groups-showing", &args)
        }
        None => {
            args.set("first", FluentValue::from(first.0.as_str()));
            args.set("last", FluentValue::from(last.0.as_str()));
            t.args("renewals-groups-named", &args)
        }
    };
    Some(Pager {
        showing,
        label: t.t("pages"),
        previous: found.earlier.then(|| PagerLink {
            href: href("groups_before", &first.0),
            label: t.t("previous-page"),
        }),
        next: found.later.then(|| PagerLink {
            href: href("groups_after", &last.0),
            label: t.t("next-page"),
        }),
    })
}

/// `GET /renewals.csv`: the same list, as the API's CSV.
async fn export(State(s): State<AppState>, v: Viewer, RawQuery(query): RawQuery) -> PageResult {
    let q = Settings::read(query.as_deref());
    let window = (now().0, q.days());
    let table = reports::renewals_table(&s, &v.staff, window, q.kind_cut(), q.grouping())
        .await
        .or_refuse(&v.frame)?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"renewals.csv\"",
            ),
        ],
        table,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticked_columns_and_typed_ones_read_alike() {
        let ticked = Settings::read(Some("columns=seats&columns=product&within_days=30"));
        assert_eq!(ticked.columns(), ["product", "seats"]);
        assert_eq!(ticked.days(), 30);
        let typed = Settings::read(Some("columns=seats,product"));
        assert_eq!(typed.columns(), ["product", "seats"]);
        let nonsense = Settings::read(Some("columns=%ff&within_days=-3&type=x&group_by=y"));
        assert_eq!(nonsense.columns(), DEFAULT_COLUMNS);
        assert_eq!(nonsense.days(), 90);
        assert_eq!(nonsense.kind(), "");
        assert_eq!(nonsense.grouping(), Grouping::Plan);
    }

    #[test]
    fn contracts_cover_their_lots_and_bring_their_columns() {
        let contracts = Settings::read(Some("type=contract&group_by=contract_type"));
        assert_eq!(contracts.kind_cut(), Some("contract"));
        assert_eq!(
            contracts.columns(),
            [
                "type",
                "customer",
                "supplier",
                "starts",
                "last_day_to_cancel",
                "days"
            ],
            "in the headings' order"
        );
        assert_eq!(contracts.grouping(), Grouping::ContractType);
        assert!(contracts.query().contains("group_by=contract_type"));
        assert_eq!(
            Settings::read(Some("type=license")).kind_cut(),
            Some("license")
        );
        assert_eq!(Settings::read(None).kind_cut(), None);
    }
}
