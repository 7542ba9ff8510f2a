//! Routes for purchases: lots bought by the top of the customer tree (each
//! raising the buyer's allocation), and their re-billing to customers.
//!
//! Re-billing records who is billed for part of a lot; it moves no seat.
//! Seats move down the tree only by allocation
//! (`PUT /v1/customers/{id}/allocation`), so billing and seats can differ
//! (a partner may bill a customer for seats it has not handed over yet).

use axum::extract::{Path, State};
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::api::idempotency::idempotent;
use crate::api::{named, Created, Listed, Listing, Reply, READERS};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Body, IdempotencyKey, Staff};
use crate::routes::{Access, Route};
use crate::secret;
use crate::service::{now, optional_text};
use crate::store::{
    currency_digits, format_amount, parse_amount, Purchase, PurchaseFilter, Rebilling,
    Role::{Admin, Finance},
};
use crate::AppState;

/// Who records purchases and re-billings: a purchase raises seats.
const BUYERS: &[crate::store::Role] = &[Admin, Finance];

/// The routes of this part of the API.
pub(crate) fn routes() -> Vec<Route> {
    vec![
        Route::post("/v1/purchases", Access::Token, "Record a lot bought by a top node; raises its allocation by the quantity (admin, finance; Idempotency-Key)", create_purchase),
        Route::get("/v1/purchases", Access::Token, "List purchases, newest first (filters: customer_id, product_id)", list_purchases),
        Route::get("/v1/purchases/{id}", Access::Token, "Show a purchase, its re-billings and the quantity not yet re-billed", show_purchase),
        Route::post("/v1/purchases/{id}/rebillings", Access::Token, "Re-bill part of a lot to a customer; never beyond the lot; moves no seat (admin, finance; Idempotency-Key)", rebill),
    ]
}

/// `POST /v1/purchases` body.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct NewPurchase {
    customer_id: String,
    /// Id or code.
    product_id: String,
    quantity: i64,
    serial: Option<String>,
    version: Option<String>,
    purchased_on: String,
    renews_on: Option<String>,
    /// A decimal string, e.g. "1234.50", in `currency`.
    cost: Option<String>,
    currency: Option<String>,
    po_number: Option<String>,
    invoice_number: Option<String>,
    notes: Option<String>,
}

/// A calendar date, exactly `YYYY-MM-DD`.
fn date(field: &str, text: &str) -> ApiResult<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .filter(|d| d.format("%Y-%m-%d").to_string() == text)
        .ok_or_else(|| {
            ApiError::invalid(format!(
                "'{field}' must be a calendar date YYYY-MM-DD, not '{text}'"
            ))
        })
}

fn quantity(value: i64) -> ApiResult<i64> {
    if !(1..=1_000_000_000).contains(&value) {
        return Err(ApiError::invalid(
            "'quantity' must be a whole number from 1 to 1000000000",
        ));
    }
    Ok(value)
}

/// A purchase's cost: in minor units, its currency, and the amount written
/// back at the currency's precision.
type Cost = (Option<i64>, Option<String>, Option<String>);

/// The cost of a purchase: a currency alone, or an amount with its currency.
fn cost(cost: Option<&str>, currency: Option<&str>) -> ApiResult<Cost> {
    match (cost, currency) {
        (None, None) => Ok((None, None, None)),
        (Some(_), None) => Err(ApiError::invalid(
            "a cost needs its 'currency' (ISO 4217 code, e.g. EUR)",
        )),
        (amount, Some(code)) => {
            let digits = currency_digits(code).ok_or_else(|| {
                ApiError::invalid(format!(
                    "'{code}' is not an ISO 4217 currency code in use (e.g. EUR, USD, JPY)"
                ))
            })?;
            let minor = amount
                .map(|a| parse_amount(a, digits))
                .transpose()
                .map_err(|e| ApiError::invalid(format!("'cost': {e} ({code})")))?;
            let text = minor.map(|m| format_amount(m, digits));
            Ok((minor, Some(code.to_owned()), text))
        }
    }
}

/// `POST /v1/purchases` (admin, finance).
async fn create_purchase(
    State(s): State<AppState>,
    staff: Staff,
    key: IdempotencyKey,
    body: Body<NewPurchase>,
) -> ApiResult<Created<Purchase>> {
    staff.allow(BUYERS)?;
    let p = &body.value;
    let buyer = named(s.store.customer(&p.customer_id), "no such customer").await?;
    let product = named(s.store.product(&p.product_id), "no such product").await?;
    let purchased_on = date("purchased_on", &p.purchased_on)?;
    if let Some(renews) = &p.renews_on {
        if date("renews_on", renews)? <= purchased_on {
            return Err(ApiError::invalid(
                "'renews_on' must come after 'purchased_on'",
            ));
        }
    }
    let (cost_minor, currency, cost_text) = cost(p.cost.as_deref(), p.currency.as_deref())?;
    let quantity = quantity(p.quantity)?;
    let purchase = Purchase {
        id: secret::new_id("pur"),
        customer_id: buyer.id,
        product_id: product.id,
        quantity,
        rebilled: 0,
        not_rebilled: quantity,
        serial: optional_text("serial", p.serial.as_deref(), 256)?,
        version: optional_text("version", p.version.as_deref(), 64)?,
        purchased_on: p.purchased_on.clone(),
        renews_on: p.renews_on.clone(),
        cost: cost_text,
        cost_minor,
        currency,
        po_number: optional_text("po_number", p.po_number.as_deref(), 128)?,
        invoice_number: optional_text("invoice_number", p.invoice_number.as_deref(), 128)?,
        notes: optional_text("notes", p.notes.as_deref(), 4096)?,
        created_at: now().0,
    };
    let actor = staff.actor();
    idempotent(
        &s,
        &key,
        "purchase",
        &actor,
        &body.hash,
        Purchase::clone,
        |idem| s.store.create_purchase(purchase, &actor, idem),
    )
    .await
}

/// Filters of the purchase list.
#[derive(Deserialize, JsonSchema)]
struct PurchaseQuery {
    customer_id: Option<String>,
    product_id: Option<String>,
}

/// `GET /v1/purchases`.
async fn list_purchases(
    State(s): State<AppState>,
    staff: Staff,
    Listing { filter: q, page }: Listing<PurchaseQuery>,
) -> ApiResult<Reply<Listed<Purchase>>> {
    let scope = staff.scope(READERS)?;
    let filter = PurchaseFilter {
        customer_id: q.customer_id,
        product_id: q.product_id,
    };
    Listed::fetch(&page, |p| s.store.list_purchases(&scope, &filter, p)).await
}

/// A lot with its re-billings, as `GET /v1/purchases/{id}` answers.
#[derive(Serialize, JsonSchema)]
struct PurchaseDetail {
    /// The lot.
    #[serde(flatten)]
    purchase: Purchase,
    /// The customers it was re-billed to, oldest first.
    rebillings: Vec<Rebilling>,
}

/// `GET /v1/purchases/{id}`: the lot, with its re-billings.
async fn show_purchase(
    State(s): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> ApiResult<Reply<PurchaseDetail>> {
    staff.read()?;
    Ok(Reply::Fresh(PurchaseDetail {
        purchase: s.store.purchase(&id).await?,
        rebillings: s.store.rebillings(&id).await?,
    }))
}

/// `POST /v1/purchases/{id}/rebillings` body.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct NewRebilling {
    customer_id: String,
    quantity: i64,
    invoice_number: Option<String>,
    notes: Option<String>,
}

/// `POST /v1/purchases/{id}/rebillings` (admin, finance).
async fn rebill(
    State(s): State<AppState>,
    staff: Staff,
    key: IdempotencyKey,
    Path(id): Path<String>,
    body: Body<NewRebilling>,
) -> ApiResult<Created<Rebilling>> {
    staff.allow(BUYERS)?;
    let r = &body.value;
    let customer = named(s.store.customer(&r.customer_id), "no such customer").await?;
    named(
        staff.allow_at(&s, BUYERS, Some(&customer.id)),
        "no such customer",
    )
    .await?;
    let rebilling = Rebilling {
        id: secret::new_id("rbl"),
        purchase_id: id.clone(),
        customer_id: customer.id,
        quantity: quantity(r.quantity)?,
        invoice_number: optional_text("invoice_number", r.invoice_number.as_deref(), 128)?,
        notes: optional_text("notes", r.notes.as_deref(), 4096)?,
        created_at: now().0,
    };
    let actor = staff.actor();
    idempotent(
        &s,
        &key,
        &format!("rebill:{id}"),
        &actor,
        &body.hash,
        Rebilling::clone,
        |idem| s.store.rebill(rebilling, &actor, idem),
    )
    .await
}
