//! The dashboard: counts of what needs doing, each opening the list
//! behind it (HARMONY's portal page).

use askama::Template;
use axum::extract::State;

use super::frame::{render, Frame, OrRefuse, PageResult, Viewer};
use super::{Page, PageAccess};
use crate::api::READERS;
use crate::service::invoices;
use crate::service::now;
use crate::service::reports::{self, Grouping};
use crate::store::InvoiceFilter;
use crate::AppState;

pub(super) fn pages() -> Vec<Page> {
    vec![Page::get("/", PageAccess::Signed, dashboard)]
}

/// One count and the list it opens.
pub(crate) struct Tile {
    /// Message id of its label.
    pub label: &'static str,
    /// The count.
    pub count: usize,
    /// The list behind it.
    pub href: String,
    /// Something needs attention (drawn as a warning).
    pub alert: bool,
}

#[derive(Template)]
#[template(path = "console/dashboard.html")]
struct Dashboard {
    f: Frame,
    tiles: Vec<Tile>,
}

/// A node's product is nearly out of seats when at most one in this many
/// of those it holds is free (nine in ten given on or used).
const NEARLY_EXHAUSTED: i64 = 10;

/// `GET /`.
async fn dashboard(State(s): State<AppState>, v: Viewer) -> PageResult {
    let f = v.frame.at("dashboard");
    let today = now().0;
    let scope = v.staff.scope(READERS).or_refuse(&f)?;
    let midnight = today - today.rem_euclid(licentia::DAY);
    let due_filter = InvoiceFilter {
        status: Some("due".into()),
        ..InvoiceFilter::default()
    };
    // The tiles count by type in the database: what ends within 7, 30 and
    // 90 days, each window counted once. Each count is its own reading,
    // all of them at once (the database answers them side by side).
    let window = |days| reports::renewal_counts(&s, &v.staff, (today, days), None, Grouping::Type);
    let (week, month, quarter, short, deadlines, activity, invoices_due) = tokio::try_join!(
        window(7),
        window(30),
        window(90),
        async { Ok(s.store.allocations_short(&scope, NEARLY_EXHAUSTED).await?) },
        async { Ok(s.store.cancellations_this_month(&scope, today).await?) },
        async { Ok(s.store.activity(&scope, midnight).await?) },
        invoices::count(&s, &v.staff, &due_filter),
    )
    .or_refuse(&f)?;
    let (short, deadlines, invoices_due) =
        (short as usize, deadlines as usize, invoices_due as usize);
    let within = [(7, week), (30, month), (90, quarter)];
    let ending = |days: i64, kinds: &[&str]| -> usize {
        within
            .iter()
            .filter(|(d, _)| *d == days)
            .flat_map(|(_, counts)| counts)
            .filter(|(kind, _)| kinds.contains(&kind.split('/').next().unwrap_or_default()))
            .map(|(_, n)| *n as usize)
            .sum()
    };
    let licences = |days| ending(days, &["license"]);
    let tiles = vec![
        Tile {
            label: "tile-licenses-7",
            count: licences(7),
            href: "/renewals?within_days=7&type=license".into(),
            alert: licences(7) > 0,
        },
        Tile {
            label: "tile-licenses-30",
            count: licences(30),
            href: "/renewals?within_days=30&type=license".into(),
            alert: false,
        },
        Tile {
            label: "tile-licenses-90",
            count: licences(90),
            href: "/renewals?within_days=90&type=license".into(),
            alert: false,
        },
        Tile {
            label: "tile-subscriptions-30",
            count: ending(30, &["subscription"]),
            href: "/renewals?within_days=30&type=subscription".into(),
            alert: false,
        },
        Tile {
            label: "tile-contracts-90",
            count: ending(90, &["contract", "lot"]),
            href: "/renewals?within_days=90&type=contract&group_by=contract_type".into(),
            alert: false,
        },
        Tile {
            label: "tile-cancel-this-month",
            count: deadlines,
            href: "/subscriptions?cancellable=this-month".into(),
            alert: deadlines > 0,
        },
        Tile {
            label: "tile-invoices-due",
            count: invoices_due,
            href: "/invoices?status=due".into(),
            alert: false,
        },
        Tile {
            label: "tile-failed-deliveries",
            count: activity.failed_deliveries as usize,
            href: "/notices".into(),
            alert: activity.failed_deliveries > 0,
        },
        Tile {
            label: "tile-activations-today",
            count: activity.activations as usize,
            href: "/reports".into(),
            alert: false,
        },
        Tile {
            label: "tile-seats-short",
            count: short,
            href: "/customers".into(),
            alert: short > 0,
        },
    ];
    Ok(render(&Dashboard { f, tiles }))
}
