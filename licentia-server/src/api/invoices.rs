//! Routes for invoices: the records the nightly job writes at each billing
//! period (see [`crate::service::invoices`]), listed within the caller's
//! grants, exported as CSV, and recorded paid or void (licentia takes no
//! payment: it records that an invoice was settled elsewhere).

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::Deserialize;

use crate::api::reports::{csv, wants_csv};
use crate::api::{Listed, Listing, Reply, Table};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Body, Staff};
use crate::routes::{Access, Route};
use crate::service::invoices;
use crate::store::{Invoice, InvoiceFilter};
use crate::AppState;

/// The routes of this part of the API.
pub(crate) fn routes() -> Vec<Route> {
    use Access::Token;
    vec![
        Route::get(
            "/v1/invoices",
            Token,
            "List invoices, newest period first (filters: customer_id, subscription_id, status due|paid|void, period_from, period_to); every one as CSV with Accept: text/csv",
            list,
        ),
        Route::show(
            "/v1/invoices/{id}",
            "Show an invoice with its lines",
            |s, id| s.store.invoice(id),
        ),
        Route::post(
            "/v1/invoices/{id}/paid",
            Token,
            "Record a due invoice as paid elsewhere (admin, finance)",
            paid,
        ),
        Route::post(
            "/v1/invoices/{id}/void",
            Token,
            "Record a due invoice as void (admin, finance)",
            void,
        ),
    ]
}

/// `GET /v1/invoices` query.
#[derive(Deserialize, JsonSchema)]
pub struct InvoiceQuery {
    /// Only this customer node's.
    customer_id: Option<String>,
    /// Only this subscription's.
    subscription_id: Option<String>,
    /// Only `due`, `paid` or `void` ones.
    status: Option<String>,
    /// Only periods starting on or after this day (`YYYY-MM-DD`).
    period_from: Option<String>,
    /// Only periods starting on or before this day (`YYYY-MM-DD`).
    period_to: Option<String>,
}

/// A calendar date, `YYYY-MM-DD` exactly.
fn date(field: &str, text: Option<&str>) -> ApiResult<Option<NaiveDate>> {
    text.map(|t| {
        t.parse()
            .ok()
            .filter(|_| t.len() == 10)
            .ok_or_else(|| ApiError::invalid(format!("'{field}' must be a date, YYYY-MM-DD")))
    })
    .transpose()
}

impl InvoiceQuery {
    /// The filter it asks for.
    pub(crate) fn filter(self) -> ApiResult<InvoiceFilter> {
        Ok(InvoiceFilter {
            period_from: date("period_from", self.period_from.as_deref())?,
            period_to: date("period_to", self.period_to.as_deref())?,
            customer_id: self.customer_id,
            subscription_id: self.subscription_id,
            status: self.status,
        })
    }
}

/// `GET /v1/invoices`: a page as JSON, or every invoice the filters keep
/// as CSV (`Accept: text/csv`).
pub async fn list(
    State(s): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    Listing { filter: q, page }: Listing<InvoiceQuery>,
) -> ApiResult<Table<Listed<Invoice>>> {
    let filter = q.filter()?;
    if wants_csv(&headers) {
        let body = invoices::csv(&s, &staff, &filter).await?;
        return Ok(Table::Csv(csv("invoices", body)));
    }
    let page = page.page()?;
    let rows = invoices::list(&s, &staff, &filter, page.clone()).await?;
    let Reply::Fresh(listed) = Listed::page(rows, &page) else {
        return Err(ApiError::internal("a fresh page"));
    };
    Ok(Table::Json(listed))
}

/// `POST /v1/invoices/{id}/paid` and `/void` body.
#[derive(Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct SettleRequest {
    /// A payment reference, or why it is void (at most 512 characters).
    note: Option<String>,
}

/// Records invoice `id` as `status`.
async fn settle(
    s: &AppState,
    staff: &Staff,
    id: &str,
    status: &str,
    body: Option<Body<SettleRequest>>,
) -> ApiResult<Reply<Invoice>> {
    let note = body.and_then(|b| b.value.note);
    let invoice = invoices::settle(s, staff, id, status, note.as_deref()).await?;
    Ok(Reply::Fresh(invoice))
}

/// `POST /v1/invoices/{id}/paid`: see [`invoices::settle`].
pub async fn paid(
    State(s): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    body: Option<Body<SettleRequest>>,
) -> ApiResult<Reply<Invoice>> {
    settle(&s, &staff, &id, "paid", body).await
}

/// `POST /v1/invoices/{id}/void`: see [`invoices::settle`].
pub async fn void(
    State(s): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    body: Option<Body<SettleRequest>>,
) -> ApiResult<Reply<Invoice>> {
    settle(&s, &staff, &id, "void", body).await
}
