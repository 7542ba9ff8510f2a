//! Reports people look at: time from issue to first activation per
//! product, activations per platform, licences per model, licences issued
//! per month — each a chart drawn on the server with its numbers in a
//! table beside it, cut to the person's grants, from the same queries as
//! the API's reports (`/v1/reports/...`, which also give them as CSV).

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::State;

use super::chart::{bars, Bar};
use super::frame::{render, Frame, OrRefuse, PageResult, Viewer};
use super::{Page, PageAccess};
use crate::api::READERS;
use crate::error::ApiError;
use crate::service::reports::delay;
use crate::AppState;

pub(super) fn pages() -> Vec<Page> {
    vec![Page::get("/reports", PageAccess::Signed, reports)]
}

/// One report: its heading, its chart, and the same numbers as a table.
pub(crate) struct Report {
    pub id: &'static str,
    pub title: String,
    pub chart: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub note: Option<String>,
}

#[derive(Template)]
#[template(path = "console/reports.html")]
struct ReportsPage {
    f: Frame,
    reports: Vec<Report>,
}

fn days(value: Option<f64>) -> String {
    value.map_or_else(|| "—".to_owned(), |d| format!("{d:.1}"))
}

/// `GET /reports`.
async fn reports(State(s): State<AppState>, v: Viewer) -> PageResult {
    let f = v.frame.at("reports");
    let t = f.t;
    let scope = v.staff.scope(READERS).or_refuse(&f)?;
    let load = async {
        Ok::<_, ApiError>((
            s.store.use_delays(&scope).await?,
            s.store.platforms(&scope).await?,
            s.store.license_models(&scope).await?,
            s.store.issue_days(&scope).await?,
        ))
    };
    let (uses, platforms, models, issue_days) = load.await.or_refuse(&f)?;
    let empty = t.t("chart-empty");

    // Time to activation, per product.
    let mut by_product: BTreeMap<&str, Vec<&crate::store::UseDelay>> = BTreeMap::new();
    for u in &uses {
        by_product.entry(&u.product).or_default().push(u);
    }
    let delays: Vec<(String, crate::service::reports::Delay)> = by_product
        .into_iter()
        .map(|(product, list)| (product.to_owned(), delay(list.into_iter())))
        .collect();
    let delay_bars: Vec<Bar> = delays
        .iter()
        .filter(|(_, d)| d.median_days.is_some())
        .map(|(product, d)| Bar {
            label: product.clone(),
            value: d.median_days.unwrap_or(0.0),
            shown: t.t1("median-days", "days", days(d.median_days)),
        })
        .collect();
    let activation = Report {
        id: "time-to-activation",
        title: t.t("report-time-to-activation"),
        chart: bars(&t.t("report-time-to-activation"), &delay_bars, &empty),
        columns: [
            "col-product",
            "col-licences",
            "col-activated-count",
            "col-median-days",
            "col-p90-days",
        ]
        .iter()
        .map(|c| t.t(c))
        .collect(),
        rows: delays
            .iter()
            .map(|(product, d)| {
                vec![
                    product.clone(),
                    d.licenses.to_string(),
                    d.activated.to_string(),
                    days(d.median_days),
                    days(d.p90_days),
                ]
            })
            .collect(),
        note: Some(t.t("never-activated-note")),
    };

    // Activations per platform.
    let platform = Report {
        id: "platforms",
        title: t.t("report-platforms"),
        chart: bars(
            &t.t("report-platforms"),
            &platforms
                .iter()
                .map(|p| Bar {
                    label: p.platform.clone(),
                    value: p.active as f64,
                    shown: t.n("machines-active", p.active),
                })
                .collect::<Vec<_>>(),
            &empty,
        ),
        columns: ["col-platform", "col-active", "col-total", "col-licences"]
            .iter()
            .map(|c| t.t(c))
            .collect(),
        rows: platforms
            .iter()
            .map(|p| {
                vec![
                    p.platform.clone(),
                    p.active.to_string(),
                    p.total.to_string(),
                    p.licenses.to_string(),
                ]
            })
            .collect(),
        note: None,
    };

    // Licences per model.
    let model_name = |kind: &str, binding: &str| {
        format!(
            "{} · {}",
            t.t(&format!("kind-license-{kind}")),
            t.t(&format!("binding-{binding}"))
        )
    };
    let model = Report {
        id: "licence-models",
        title: t.t("report-licence-models"),
        chart: bars(
            &t.t("report-licence-models"),
            &models
                .iter()
                .map(|m| Bar {
                    label: model_name(&m.kind, &m.binding),
                    value: m.licenses as f64,
                    shown: m.licenses.to_string(),
                })
                .collect::<Vec<_>>(),
            &empty,
        ),
        columns: [
            "col-model",
            "col-licences",
            "col-active",
            "col-seats",
            "col-seats-used",
        ]
        .iter()
        .map(|c| t.t(c))
        .collect(),
        rows: models
            .iter()
            .map(|m| {
                vec![
                    model_name(&m.kind, &m.binding),
                    m.licenses.to_string(),
                    m.active.to_string(),
                    m.seats.to_string(),
                    m.seats_used.to_string(),
                ]
            })
            .collect(),
        note: None,
    };

    // Licences issued per month (the last twelve months that had any).
    let mut months: BTreeMap<String, i64> = BTreeMap::new();
    for (day, n) in &issue_days {
        if let Some(at) = chrono::DateTime::from_timestamp(day * licentia::DAY, 0) {
            *months.entry(at.format("%Y-%m").to_string()).or_default() += n;
        }
    }
    let recent: Vec<(String, i64)> = months.into_iter().rev().take(12).rev().collect();
    let issued = Report {
        id: "issued",
        title: t.t("report-issued"),
        chart: bars(
            &t.t("report-issued"),
            &recent
                .iter()
                .map(|(month, n)| Bar {
                    label: month.clone(),
                    value: *n as f64,
                    shown: n.to_string(),
                })
                .collect::<Vec<_>>(),
            &empty,
        ),
        columns: vec![t.t("col-month"), t.t("col-licences")],
        rows: recent
            .iter()
            .map(|(month, n)| vec![month.clone(), n.to_string()])
            .collect(),
        note: None,
    };

    Ok(render(&ReportsPage {
        reports: vec![activation, platform, model, issued],
        f,
    }))
}
