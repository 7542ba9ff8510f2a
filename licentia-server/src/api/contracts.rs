//! Routes for contracts: suppliers and contract types (the vendor's
//! registers), renewal contracts with their lots and last day to cancel,
//! and the billing follow-up items re-billings open.

use axum::extract::{Path, State};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::api::idempotency::idempotent;
use crate::api::{Created, Listed, Listing, Reply, READERS};
use crate::error::ApiResult;
use crate::extract::{Body, IdempotencyKey, PageQuery, Staff, Q};
use crate::routes::{Access, Route};
use crate::service::contracts::{self, NamedBody, NewContract};
use crate::store::{FollowUp, Named, Purchase, Register, RenewalContract};
use crate::AppState;

/// The routes of this part of the API.
pub(crate) fn routes() -> Vec<Route> {
    let mut routes = register_routes(
        Register::Supplier,
        ["/v1/suppliers", "/v1/suppliers/{id}"],
        [
            "Record a supplier (admin, finance)",
            "List suppliers, by name",
            "Show a supplier",
            "Rename a supplier (admin, finance)",
        ],
    );
    routes.extend(register_routes(
        Register::ContractType,
        ["/v1/contract-types", "/v1/contract-types/{id}"],
        [
            "Record a contract type, e.g. maintenance, subscription, support (admin, finance)",
            "List contract types, by name",
            "Show a contract type",
            "Rename a contract type (admin, finance)",
        ],
    ));
    routes.extend([
        Route::post("/v1/contracts", Access::Token, "Record a renewal contract with a supplier, held by a top node: dates, cost, PO and invoice numbers, notice period (admin, finance; Idempotency-Key)", create_contract),
        Route::get("/v1/contracts", Access::Token, "List renewal contracts by end date, each with its last day to cancel", list_contracts),
        Route::get("/v1/contracts/{id}", Access::Token, "Show a contract, its last day to cancel and the purchase lots it covers", show_contract),
        Route::put("/v1/contracts/{id}", Access::Token, "Replace a contract's terms; its holder stays (admin, finance)", update_contract),
        Route::get("/v1/follow-ups", Access::Token, "List billing follow-up items opened by re-billings to clients, newest first (filter: status open or done)", list_follow_ups),
        Route::post("/v1/follow-ups/{id}/close", Access::Token, "Close a billing follow-up item: done (admin, finance)", close_follow_up),
    ]);
    routes
}

/// The create, list, show and rename routes of a register at `paths` (the
/// list's, one record's), described by `summaries` in that order.
fn register_routes(
    register: Register,
    [list, one]: [&'static str; 2],
    [create, listed, shown, renamed]: [&'static str; 4],
) -> Vec<Route> {
    let create_handler = move |State(s): State<AppState>, staff: Staff, body: Body<NamedBody>| async move {
        let record = contracts::new_named(&staff, register, &body.value)?;
        let record = s
            .store
            .create_named(register, record, &staff.actor())
            .await?;
        ApiResult::Ok(Created::Fresh(record))
    };
    let list_handler = move |State(s): State<AppState>, staff: Staff, Q(page): Q<PageQuery>| async move {
        staff.scope(READERS)?;
        let listed: ApiResult<Reply<Listed<Named>>> =
            Listed::fetch(&page, |p| s.store.list_named(register, p)).await;
        listed
    };
    let show_handler = move |State(s): State<AppState>, staff: Staff, Path(id): Path<String>| async move {
        staff.read()?;
        ApiResult::Ok(Reply::<Named>::Fresh(
            s.store.named_record(register, &id).await?,
        ))
    };
    let rename_handler = move |State(s): State<AppState>,
                               staff: Staff,
                               Path(id): Path<String>,
                               body: Body<NamedBody>| async move {
        let record = contracts::rename(&s, &staff, register, &id, &body.value).await?;
        ApiResult::Ok(Reply::<Named>::Fresh(record))
    };
    vec![
        Route::post(list, Access::Token, create, create_handler),
        Route::get(list, Access::Token, listed, list_handler),
        Route::get(one, Access::Token, shown, show_handler),
        Route::patch(one, Access::Token, renamed, rename_handler),
    ]
}

/// `POST /v1/contracts` (admin, finance).
async fn create_contract(
    State(s): State<AppState>,
    staff: Staff,
    key: IdempotencyKey,
    body: Body<NewContract>,
) -> ApiResult<Created<RenewalContract>> {
    let contract = contracts::new_contract(&s, &staff, &body.value).await?;
    let actor = staff.actor();
    idempotent(
        &s,
        &key,
        "contract",
        &actor,
        &body.hash,
        RenewalContract::clone,
        |idem| s.store.create_contract(contract, &actor, idem),
    )
    .await
}

/// `GET /v1/contracts`.
async fn list_contracts(
    State(s): State<AppState>,
    staff: Staff,
    Q(page): Q<PageQuery>,
) -> ApiResult<Reply<Listed<RenewalContract>>> {
    let scope = staff.scope(READERS)?;
    Listed::fetch(&page, |p| s.store.list_contracts(&scope, p)).await
}

/// A contract with its lots, as `GET /v1/contracts/{id}` answers.
#[derive(Serialize, JsonSchema)]
struct ContractDetail {
    /// The contract.
    #[serde(flatten)]
    contract: RenewalContract,
    /// The purchase lots it covers, oldest first.
    lots: Vec<Purchase>,
}

/// `GET /v1/contracts/{id}`.
async fn show_contract(
    State(s): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> ApiResult<Reply<ContractDetail>> {
    staff.read()?;
    Ok(Reply::Fresh(ContractDetail {
        contract: s.store.contract(&id).await?,
        lots: s.store.contract_lots(&id).await?,
    }))
}

/// `PUT /v1/contracts/{id}` (admin, finance).
async fn update_contract(
    State(s): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    body: Body<NewContract>,
) -> ApiResult<Reply<RenewalContract>> {
    Ok(Reply::Fresh(
        contracts::update_contract(&s, &staff, &id, &body.value).await?,
    ))
}

/// Filters of the follow-up list.
#[derive(Deserialize, JsonSchema)]
struct FollowUpQuery {
    /// `open` or `done`.
    status: Option<String>,
}

/// `GET /v1/follow-ups`.
async fn list_follow_ups(
    State(s): State<AppState>,
    staff: Staff,
    Listing { filter: q, page }: Listing<FollowUpQuery>,
) -> ApiResult<Reply<Listed<FollowUp>>> {
    let scope = staff.scope(READERS)?;
    if let Some(status) = q
        .status
        .as_deref()
        .filter(|s| !["open", "done"].contains(s))
    {
        return Err(crate::error::ApiError::invalid(format!(
            "'status' is open or done, not '{status}'"
        )));
    }
    Listed::fetch(&page, |p| {
        s.store.list_follow_ups(&scope, q.status.as_deref(), p)
    })
    .await
}

/// `POST /v1/follow-ups/{id}/close` (admin, finance).
async fn close_follow_up(
    State(s): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> ApiResult<Reply<FollowUp>> {
    Ok(Reply::Fresh(
        contracts::close_follow_up(&s, &staff, &id).await?,
    ))
}
