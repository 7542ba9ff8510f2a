//! Purchases: the rules a lot and its re-billing obey before they are
//! stored. The JSON API (with its `Idempotency-Key`) and the console both
//! build their records here; the store refuses a re-billing beyond the lot
//! (409 `lot_exceeded`, with the numbers).

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::Deserialize;

use crate::api::named;
use crate::error::{ApiError, ApiResult};
use crate::secret;
use crate::service::catalogue::offered;
use crate::service::{now, optional_text};
use crate::staff::Staff;
use crate::store::Catalogued;
use crate::store::{
    currency_digits, format_amount, parse_amount, Purchase, Rebilling,
    Role::{self, Admin, Finance},
};
use crate::AppState;

/// Who records purchases and re-billings: a purchase raises seats.
pub(crate) const BUYERS: &[Role] = &[Admin, Finance];

/// `POST /v1/purchases` body.
#[derive(Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewPurchase {
    pub customer_id: String,
    /// Id or code.
    pub product_id: String,
    pub quantity: i64,
    pub serial: Option<String>,
    pub version: Option<String>,
    pub purchased_on: String,
    pub renews_on: Option<String>,
    /// A decimal string, e.g. "1234.50", in `currency`.
    pub cost: Option<String>,
    pub currency: Option<String>,
    pub po_number: Option<String>,
    pub invoice_number: Option<String>,
    pub notes: Option<String>,
    /// The renewal contract covering the lot (one of the buyer's).
    pub contract_id: Option<String>,
}

/// A calendar date, exactly `YYYY-MM-DD`.
pub(crate) fn date(field: &str, text: &str) -> ApiResult<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .filter(|d| d.format("%Y-%m-%d").to_string() == text)
        .ok_or_else(|| {
            ApiError::invalid(format!(
                "'{field}' must be a calendar date YYYY-MM-DD, not '{text}'"
            ))
        })
}

/// The rule a quantity obeys (refused in these words).
pub(crate) const QUANTITY_RULE: &str = "'quantity' must be a whole number from 1 to 1000000000";

fn quantity(value: i64) -> ApiResult<i64> {
    if !(1..=1_000_000_000).contains(&value) {
        return Err(ApiError::invalid(QUANTITY_RULE));
    }
    Ok(value)
}

/// A purchase's cost: in minor units, its currency, and the amount written
/// back at the currency's precision.
pub(crate) type Cost = (Option<i64>, Option<String>, Option<String>);

/// The cost of a purchase: a currency alone, or an amount with its currency.
pub(crate) fn cost(cost: Option<&str>, currency: Option<&str>) -> ApiResult<Cost> {
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

/// A new lot, checked (admin, finance): the record to store.
pub(crate) async fn new_purchase(
    s: &AppState,
    staff: &Staff,
    p: &NewPurchase,
) -> ApiResult<Purchase> {
    staff.allow(BUYERS)?;
    let buyer = named(s.store.customer(&p.customer_id), "no such customer").await?;
    offered(Catalogued::Customer, &buyer.name, buyer.retired_at)?;
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
    if let Some(id) = &p.contract_id {
        let contract = named(s.store.contract(id), "no such contract").await?;
        if contract.customer_id != buyer.id {
            return Err(ApiError::invalid(
                "'contract_id' names a contract held by another customer than the buyer",
            ));
        }
    }
    Ok(Purchase {
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
        contract_id: p.contract_id.clone(),
    })
}

/// `POST /v1/purchases/{id}/rebillings` body.
#[derive(Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewRebilling {
    pub customer_id: String,
    pub quantity: i64,
    pub invoice_number: Option<String>,
    pub notes: Option<String>,
}

/// A re-billing of lot `id`, checked (admin, finance, at the customer
/// billed): the record to store.
pub(crate) async fn new_rebilling(
    s: &AppState,
    staff: &Staff,
    id: &str,
    r: &NewRebilling,
) -> ApiResult<Rebilling> {
    staff.allow(BUYERS)?;
    let customer = named(s.store.customer(&r.customer_id), "no such customer").await?;
    named(
        staff.allow_at(s, BUYERS, Some(&customer.id)),
        "no such customer",
    )
    .await?;
    offered(Catalogued::Customer, &customer.name, customer.retired_at)?;
    Ok(Rebilling {
        id: secret::new_id("rbl"),
        purchase_id: id.to_owned(),
        customer_id: customer.id,
        quantity: quantity(r.quantity)?,
        invoice_number: optional_text("invoice_number", r.invoice_number.as_deref(), 128)?,
        notes: optional_text("notes", r.notes.as_deref(), 4096)?,
        created_at: now().0,
    })
}
