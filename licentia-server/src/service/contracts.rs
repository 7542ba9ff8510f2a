//! Contracts: the rules suppliers, contract types, renewal contracts and
//! follow-up items obey before they are stored. The JSON API and the
//! console both build their records here.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::api::named;
use crate::billing::NoticePeriod;
use crate::error::{ApiError, ApiResult};
use crate::secret;
use crate::service::purchases::{cost, date, BUYERS};
use crate::service::{now, optional_text, text_field};
use crate::staff::Staff;
use crate::store::{Named, Register, RenewalContract};
use crate::AppState;

/// `POST /v1/suppliers`, `POST /v1/contract-types` and their `PATCH` body.
#[derive(Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct NamedBody {
    pub name: String,
}

/// The name of a supplier or contract type: 1 to 200 characters.
fn name(body: &NamedBody) -> ApiResult<String> {
    Ok(text_field("name", body.name.trim(), 200)?.to_owned())
}

/// A new supplier or contract type (admin, finance, at the vendor root).
pub(crate) fn new_named(staff: &Staff, register: Register, body: &NamedBody) -> ApiResult<Named> {
    staff.allow(BUYERS)?;
    let prefix = match register {
        Register::Supplier => "sup",
        Register::ContractType => "cty",
    };
    Ok(Named {
        id: secret::new_id(prefix),
        name: name(body)?,
        created_at: now().0,
    })
}

/// Renames supplier or contract type `id` (admin, finance, at the vendor
/// root).
pub(crate) async fn rename(
    s: &AppState,
    staff: &Staff,
    register: Register,
    id: &str,
    body: &NamedBody,
) -> ApiResult<Named> {
    staff.allow(BUYERS)?;
    Ok(s.store
        .rename(register, id, &name(body)?, &staff.actor())
        .await?)
}

/// `POST /v1/contracts` body; `PUT /v1/contracts/{id}` takes the same
/// (its holder, `customer_id`, cannot change).
#[derive(Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewContract {
    /// The holder: a node without a parent.
    pub customer_id: String,
    pub supplier_id: String,
    pub contract_type_id: String,
    /// The supplier's reference.
    pub reference: String,
    pub starts_on: String,
    pub ends_on: String,
    /// A decimal string, e.g. "1234.50", in `currency`.
    pub cost: Option<String>,
    pub currency: Option<String>,
    pub po_number: Option<String>,
    pub invoice_number: Option<String>,
    /// E.g. "3 months before term end".
    pub notice_period: Option<String>,
}

/// A contract checked (admin, finance, at its holder): the record to store
/// under `id`.
pub(crate) async fn checked_contract(
    s: &AppState,
    staff: &Staff,
    id: String,
    c: &NewContract,
) -> ApiResult<RenewalContract> {
    let holder = named(s.store.customer(&c.customer_id), "no such customer").await?;
    named(
        staff.allow_at(s, BUYERS, Some(&holder.id)),
        "no such customer",
    )
    .await?;
    named(
        s.store.named_record(Register::Supplier, &c.supplier_id),
        "no such supplier",
    )
    .await?;
    named(
        s.store
            .named_record(Register::ContractType, &c.contract_type_id),
        "no such contract type",
    )
    .await?;
    let starts = date("starts_on", &c.starts_on)?;
    let ends = date("ends_on", &c.ends_on)?;
    if ends <= starts {
        return Err(ApiError::invalid("'ends_on' must come after 'starts_on'"));
    }
    let (notice_period, last_day_to_cancel) = match c.notice_period.as_deref() {
        None => (None, None),
        Some(text) => {
            let period: NoticePeriod = text
                .parse()
                .map_err(|e| ApiError::invalid(format!("'notice_period': {e}")))?;
            let last_day = period
                .last_day_to_cancel(ends)
                .map_err(|e| ApiError::invalid(format!("'notice_period': {e}")))?;
            (Some(period.to_string()), Some(last_day.to_string()))
        }
    };
    let (cost_minor, currency, cost_text) = cost(c.cost.as_deref(), c.currency.as_deref())?;
    Ok(RenewalContract {
        id,
        customer_id: holder.id,
        supplier_id: c.supplier_id.clone(),
        contract_type_id: c.contract_type_id.clone(),
        reference: text_field("reference", c.reference.trim(), 128)?.to_owned(),
        starts_on: c.starts_on.clone(),
        ends_on: c.ends_on.clone(),
        cost: cost_text,
        cost_minor,
        currency,
        po_number: optional_text("po_number", c.po_number.as_deref(), 128)?,
        invoice_number: optional_text("invoice_number", c.invoice_number.as_deref(), 128)?,
        notice_period,
        last_day_to_cancel,
        created_at: now().0,
    })
}

/// A new contract, checked: the record to store.
pub(crate) async fn new_contract(
    s: &AppState,
    staff: &Staff,
    c: &NewContract,
) -> ApiResult<RenewalContract> {
    checked_contract(s, staff, secret::new_id("ctr"), c).await
}

/// Contract `id` with new terms, stored; its holder stays.
pub(crate) async fn update_contract(
    s: &AppState,
    staff: &Staff,
    id: &str,
    c: &NewContract,
) -> ApiResult<RenewalContract> {
    let old = s.store.contract(id).await?;
    if old.customer_id != c.customer_id {
        return Err(ApiError::invalid(
            "'customer_id' is the contract's holder, which does not change",
        ));
    }
    let new = checked_contract(s, staff, old.id, c).await?;
    let new = RenewalContract {
        created_at: old.created_at,
        ..new
    };
    Ok(s.store.update_contract(new, &staff.actor()).await?)
}

/// Closes follow-up item `id` (admin, finance, where it sits).
pub(crate) async fn close_follow_up(
    s: &AppState,
    staff: &Staff,
    id: &str,
) -> ApiResult<crate::store::FollowUp> {
    staff.allow(BUYERS)?;
    Ok(s.store.close_follow_up(id, &staff.actor()).await?)
}
