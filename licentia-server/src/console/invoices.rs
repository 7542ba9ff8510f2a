//! Invoices: the list the nightly job writes (filtered by customer,
//! status and period, exported as the API's CSV), one invoice's page with
//! its lines, and recording it paid or void through the confirm page
//! (licentia takes no payment: it records that the invoice was settled
//! elsewhere). The dashboard's "invoices due" count opens this list
//! filtered on `status=due`.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;

use super::frame::{Frame, OrRefuse, PageResult, Params, Viewer};
use super::paging::Paging;
use super::sheet::{redraw, Action, Cell, Field, Form, Posted, Sheet, Table};
use super::{Page, PageAccess};
use crate::api::READERS;
use crate::error::ApiError;
use crate::service::invoices::{self, SETTLERS};
use crate::store::{Invoice, InvoiceFilter, Page as Window, Placement, INVOICE_STATUSES};
use crate::AppState;

pub(super) fn pages() -> Vec<Page> {
    use PageAccess::Signed;
    vec![
        Page::get("/invoices", Signed, list),
        Page::get("/invoices.csv", Signed, export),
        Page::get("/invoices/{id}", Signed, show),
        Page::get("/invoices/{id}/paid", Signed, confirm_paid),
        Page::post("/invoices/{id}/paid", Signed, paid),
        Page::get("/invoices/{id}/void", Signed, confirm_void),
        Page::post("/invoices/{id}/void", Signed, void),
    ]
}

fn frame(v: &Viewer) -> Frame {
    v.frame.at("invoices")
}

/// The list's filters, in the address.
#[derive(Deserialize, Default)]
struct Filters {
    #[serde(default)]
    customer_id: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    period_from: String,
    #[serde(default)]
    period_to: String,
}

impl Filters {
    /// The store's filter; a day that is not `YYYY-MM-DD`, or a status
    /// that is none, refused with its rule.
    fn filter(&self) -> Result<InvoiceFilter, ApiError> {
        let day = |field: &str, text: &str| {
            if text.is_empty() {
                return Ok(None);
            }
            text.parse()
                .ok()
                .filter(|_| text.len() == 10)
                .map(Some)
                .ok_or_else(|| ApiError::invalid(format!("'{field}' must be a date, YYYY-MM-DD")))
        };
        let some = |text: &str| Some(text.to_owned()).filter(|t| !t.is_empty());
        Ok(InvoiceFilter {
            customer_id: some(&self.customer_id),
            subscription_id: None,
            status: some(&self.status),
            period_from: day("period_from", &self.period_from)?,
            period_to: day("period_to", &self.period_to)?,
        })
    }

    /// The same filters as a query string.
    fn query(&self) -> String {
        url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs([
                ("customer_id", &self.customer_id),
                ("status", &self.status),
                ("period_from", &self.period_from),
                ("period_to", &self.period_to),
            ])
            .finish()
    }
}

/// The names of the customers within reach: id → name, and the choices
/// of the filter's select.
async fn customers(s: &AppState, v: &Viewer) -> Result<Vec<(String, String)>, ApiError> {
    let scope = v.staff.scope(READERS)?;
    Ok(s.store
        .list_customers(&scope, None, None, Window::first(500))
        .await?
        .items
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect())
}

/// An invoice status in the reader's language.
fn status(f: &Frame, status: &str) -> String {
    f.t.t(&format!("inv-status-{status}"))
}

/// `GET /invoices`: the invoices within the viewer's grants, newest
/// period first.
async fn list(
    State(s): State<AppState>,
    v: Viewer,
    paging: Paging,
    Params(q): Params<Filters>,
) -> PageResult {
    let f = frame(&v);
    let t = f.t;
    let names = customers(&s, &v).await.or_refuse(&f)?;
    let found = match q.filter() {
        Ok(filter) => invoices::list(&s, &v.staff, &filter, paging.rows()).await,
        Err(e) => Err(e),
    }
    .or_refuse(&f)?;
    let (items, pager) = paging.cut(&t, found);
    let by_id: HashMap<&str, &str> = names
        .iter()
        .map(|(id, name)| (id.as_str(), name.as_str()))
        .collect();
    let mut page = Sheet::new(f.clone(), t.t("inv-title"));
    page.lead.push(t.t("inv-lead"));
    page.pager = Some(pager);
    page.actions.push(Action::new(
        format!("/invoices.csv?{}", q.query()),
        t.t("inv-csv"),
    ));
    let any = || (String::new(), t.t("inv-any"));
    let statuses = std::iter::once(any())
        .chain(
            INVOICE_STATUSES
                .iter()
                .map(|st| ((*st).to_owned(), status(&f, st))),
        )
        .collect();
    page.filters = Some(Form {
        method: "get",
        ..Form::post(
            "filters",
            "/invoices",
            vec![
                Field::text(
                    "customer_id",
                    t.t("inv-customer"),
                    String::new(),
                    q.customer_id.clone(),
                )
                .select(std::iter::once(any()).chain(names.clone()).collect()),
                Field::text("status", t.t("inv-status"), String::new(), q.status.clone())
                    .select(statuses),
                Field::text(
                    "period_from",
                    t.t("inv-period-from"),
                    String::new(),
                    q.period_from.clone(),
                )
                .kind("date"),
                Field::text(
                    "period_to",
                    t.t("inv-period-to"),
                    String::new(),
                    q.period_to.clone(),
                )
                .kind("date"),
            ],
            t.t("show"),
        )
    });
    let rows = items
        .iter()
        .map(|i| {
            vec![
                Cell::link(
                    format!("{} – {}", i.period_start, i.period_end),
                    format!("/invoices/{}", i.id),
                ),
                Cell::text(
                    by_id
                        .get(i.customer_id.as_str())
                        .map_or(i.customer_id.clone(), |n| (*n).to_owned()),
                ),
                Cell::text(t.t(&format!("inv-kind-{}", i.kind))),
                Cell::text(invoices::shown(i, i.total)),
                Cell::text(status(&f, &i.status)),
            ]
        })
        .collect();
    page.tables.push(Table::new(
        t.n("inv-count", items.len() as i64),
        vec![
            t.t("inv-period"),
            t.t("inv-customer"),
            t.t("inv-kind"),
            t.t("inv-total"),
            t.t("inv-status"),
        ],
        rows,
        t.t("inv-none"),
    ));
    Ok(page.page())
}

/// `GET /invoices.csv`: every invoice the filters keep, as the API's CSV.
async fn export(State(s): State<AppState>, v: Viewer, Params(q): Params<Filters>) -> PageResult {
    let f = frame(&v);
    let filter = q.filter().or_refuse(&f)?;
    let body = invoices::csv(&s, &v.staff, &filter).await.or_refuse(&f)?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"invoices.csv\"",
            ),
        ],
        body,
    )
        .into_response())
}

/// Whether the viewer may record invoices paid or void.
fn settles(v: &Viewer) -> bool {
    v.staff.allow_placed(SETTLERS, &Placement::Vendor).is_ok()
}

/// `GET /invoices/{id}`: the invoice, its lines and totals.
async fn show(State(s): State<AppState>, v: Viewer, Path(id): Path<String>) -> PageResult {
    let f = frame(&v);
    let i = s.store.invoice(&id).await.or_refuse(&f)?;
    Ok(invoice_page(&s, &v, &f, &i).await.or_refuse(&f)?.page())
}

/// An invoice's page.
async fn invoice_page(s: &AppState, v: &Viewer, f: &Frame, i: &Invoice) -> Result<Sheet, ApiError> {
    let t = f.t;
    let customer = s.store.customer(&i.customer_id).await?;
    let mut page = Sheet::new(
        f.clone(),
        t.t1(
            "inv-invoice-title",
            "period",
            format!("{} – {}", i.period_start, i.period_end),
        ),
    );
    page.actions.push(Action::new("/invoices", t.t("inv-back")));
    if i.status == "due" && settles(v) {
        page.actions
            .push(Action::new(format!("/invoices/{}/paid", i.id), t.t("inv-mark-paid")).primary());
        page.actions.push(Action::new(
            format!("/invoices/{}/void", i.id),
            t.t("inv-mark-void"),
        ));
    }
    page.terms = vec![
        (t.t("inv-id"), i.id.clone()),
        (t.t("inv-customer"), customer.name),
        (t.t("inv-kind"), t.t(&format!("inv-kind-{}", i.kind))),
        (t.t("inv-status"), status(f, &i.status)),
        (t.t("inv-net"), invoices::shown(i, i.net)),
        (
            t.t("inv-tax"),
            format!(
                "{} ({} %)",
                invoices::shown(i, i.tax),
                crate::billing::plain_amount("EUR".parse().expect("EUR is known"), i.tax_rate_bp)
            ),
        ),
        (t.t("inv-total"), invoices::shown(i, i.total)),
        (t.t("inv-written"), t.date(i.created_at)),
    ];
    if let Some(sub) = &i.subscription_id {
        page.actions.push(Action::new(
            format!("/subscriptions/{sub}"),
            t.t("inv-open-subscription"),
        ));
    }
    if let (Some(at), note) = (i.settled_at, &i.settled_note) {
        page.terms.push((t.t("inv-settled"), t.date(at)));
        if let Some(note) = note {
            page.terms.push((t.t("inv-note"), note.clone()));
        }
    }
    let rows = i
        .lines
        .iter()
        .map(|l| {
            vec![
                Cell::text(&l.description),
                Cell::num(l.quantity),
                // A proration has no unit price; usage bills units, not months.
                Cell::text(if l.months == 0 && l.kind != "usage" {
                    String::new()
                } else {
                    invoices::shown(i, l.unit_amount)
                }),
                Cell::num(i64::from(l.months)),
                Cell::text(invoices::shown(i, l.amount)),
            ]
        })
        .collect();
    page.tables.push(Table::new(
        t.t("inv-lines"),
        vec![
            t.t("inv-line"),
            t.t("inv-quantity"),
            t.t("inv-unit"),
            t.t("inv-months"),
            t.t("inv-amount"),
        ],
        rows,
        t.t("inv-no-lines"),
    ));
    Ok(page)
}

/// The confirm page of recording invoice `id` as `status`.
async fn confirm(s: &AppState, v: &Viewer, id: &str, status: &str) -> PageResult {
    let f = frame(v);
    let i = s.store.invoice(id).await.or_refuse(&f)?;
    // Shown to whoever reads the invoice; the POST names the rule to
    // those who may not settle it.
    Ok(confirm_sheet(&f, &i, status, "").page())
}

/// What recording `i` as `status` does, with the note field (as typed).
fn confirm_sheet(f: &Frame, i: &Invoice, status: &str, note: &str) -> Sheet {
    let t = f.t;
    let mut form = Form::confirm(
        f,
        format!("/invoices/{}/{status}", i.id),
        Vec::new(),
        t.t(&format!("inv-mark-{status}")),
        format!("/invoices/{}", i.id),
    );
    form.fields.push(Field::text(
        "note",
        t.t("inv-note"),
        t.t("inv-note-rule"),
        note.to_owned(),
    ));
    let title = t.t1(
        &format!("inv-{status}-title"),
        "total",
        invoices::shown(i, i.total),
    );
    let what = t.t(&format!("inv-{status}-what"));
    Sheet::confirm(f.clone(), title, what, form)
}

/// Records invoice `id` as `status`, then shows it; refused, the confirm
/// page again with the rule and the note typed.
async fn settle(s: &AppState, v: &Viewer, id: &str, status: &str, form: Posted) -> PageResult {
    let f = frame(v);
    let note = form.get("note");
    match invoices::settle(s, &v.staff, id, status, Some(&note)).await {
        Ok(i) => Ok(Redirect::to(&format!("/invoices/{}", i.id)).into_response()),
        Err(e) => {
            let i = s.store.invoice(id).await.or_refuse(&f)?;
            Ok(redraw(&f, e, || confirm_sheet(&f, &i, status, &note)))
        }
    }
}

/// `GET /invoices/{id}/paid`: what recording it paid does.
async fn confirm_paid(State(s): State<AppState>, v: Viewer, Path(id): Path<String>) -> PageResult {
    confirm(&s, &v, &id, "paid").await
}

/// `POST /invoices/{id}/paid`.
async fn paid(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    form: Posted,
) -> PageResult {
    settle(&s, &v, &id, "paid", form).await
}

/// `GET /invoices/{id}/void`: what voiding it does.
async fn confirm_void(State(s): State<AppState>, v: Viewer, Path(id): Path<String>) -> PageResult {
    confirm(&s, &v, &id, "void").await
}

/// `POST /invoices/{id}/void`.
async fn void(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    form: Posted,
) -> PageResult {
    settle(&s, &v, &id, "void", form).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_and_kind_is_said() {
        let ids = INVOICE_STATUSES
            .iter()
            .map(|s| format!("inv-status-{s}"))
            .chain(["subscription", "allocation"].map(|k| format!("inv-kind-{k}")))
            .chain(["paid", "void"].iter().flat_map(|s| {
                [
                    format!("inv-mark-{s}"),
                    format!("inv-{s}-title"),
                    format!("inv-{s}-what"),
                ]
            }));
        super::super::sheet::assert_said(ids);
    }
}
