//! The customer tree (partner -> customer -> site), its seat allocations and each node's history.

use crate::api::{Created, Items, Listed, Listing, Reply};
use axum::extract::{Path, State};
use schemars::JsonSchema;
use serde::Deserialize;

use crate::error::ApiResult;
use crate::extract::{Body, PageQuery, Staff, Q};
use crate::store::*;
use crate::AppState;

use crate::api::history::history_page;
use crate::api::READERS;
use crate::routes::{Access, Route};
use crate::service::changes::Changes;
use crate::service::customers::{self, NewCustomer};

/// The routes of this part of the API.
pub(crate) fn routes() -> Vec<Route> {
    use Access::Token;
    vec![
        Route::post("/v1/customers", Token, "Create a partner, customer or site (admin, issuer)", create_customer),
        Route::get("/v1/customers", Token, "List customers (filters: parent_id, kind)", list_customers),
        Route::show("/v1/customers/{id}", "Show a customer", |s, id| s.store.customer(id)),
        Route::patch("/v1/customers/{id}", Token, "Change a node's name, e-mail or reference; its kind and parent stay (admin, issuer)", edit_customer),
        Route::put("/v1/customers/{id}/billing", Token, "Change a node's billing cycle from its next cycle; its following subscriptions change from their next invoice (admin, finance)", set_billing),
        Route::post("/v1/customers/{id}/retire", Token, "Retire a node once the nodes under it are: it takes nothing new, never deleted (admin, issuer)", retire_customer),
        Route::put("/v1/customers/{id}/allocation", Token, "Set the seats of a product the node holds, taken from its parent (raise: finance; lower: admin, issuer, finance)", set_allocation),
        Route::get("/v1/customers/{id}/seats", Token, "Seats allocated, given on and used, for the node and its subtree", customer_seats),
        Route::get("/v1/customers/{id}/history", Token, "A customer's history", customer_history),
    ]
}

/// `POST /v1/customers` (admin, issuer): partner -> customer -> site.
pub(crate) async fn create_customer(
    State(s): State<AppState>,
    staff: Staff,
    body: Body<NewCustomer>,
) -> ApiResult<Created<Customer>> {
    Ok(Created::Fresh(
        customers::create(&s, &staff, body.value).await?,
    ))
}

/// `PATCH /v1/customers/{id}` (admin, issuer): see [`customers::edit`].
pub(crate) async fn edit_customer(
    State(s): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    body: Body<Changes<NewCustomer>>,
) -> ApiResult<Reply<Customer>> {
    Ok(Reply::Fresh(
        customers::edit(&s, &staff, &id, &body.value).await?,
    ))
}

/// `PUT /v1/customers/{id}/billing` body.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CycleRequest {
    /// `monthly`, `quarterly` or `yearly`.
    interval: String,
}

/// `PUT /v1/customers/{id}/billing` (admin, finance): see
/// [`customers::set_billing`].
pub(crate) async fn set_billing(
    State(s): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    body: Body<CycleRequest>,
) -> ApiResult<Reply<Customer>> {
    Ok(Reply::Fresh(
        customers::set_billing(&s, &staff, &id, &body.value.interval).await?,
    ))
}

/// `POST /v1/customers/{id}/retire` (admin, issuer): see
/// [`customers::retire`].
pub(crate) async fn retire_customer(
    State(s): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> ApiResult<Reply<Customer>> {
    Ok(Reply::Fresh(customers::retire(&s, &staff, &id).await?))
}

/// Filters of the customer list.
#[derive(Deserialize, JsonSchema)]
pub(crate) struct CustomerQuery {
    /// The parent node.
    parent_id: Option<String>,
    /// Only this kind: `partner`, `customer` or `site`.
    kind: Option<String>,
}

/// `GET /v1/customers`.
pub(crate) async fn list_customers(
    State(s): State<AppState>,
    staff: Staff,
    Listing { filter: q, page }: Listing<CustomerQuery>,
) -> ApiResult<Reply<Listed<Customer>>> {
    let scope = staff.scope(READERS)?;
    Listed::fetch(&page, |p| {
        s.store
            .list_customers(&scope, q.parent_id.as_deref(), q.kind.as_deref(), p)
    })
    .await
}

/// `PUT /v1/customers/{id}/allocation` body: seats of a product (id or code).
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct AllocationRequest {
    /// The product (id or code).
    product_id: String,
    /// Seats the node holds (a raise is finance's).
    seats: u32,
}

/// `PUT /v1/customers/{id}/allocation`: how many seats of a product the node
/// holds, taken from its parent (see [`customers::set_allocation`]).
pub(crate) async fn set_allocation(
    State(s): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    body: Body<AllocationRequest>,
) -> ApiResult<Reply<Allocation>> {
    let request = body.value;
    Ok(Reply::Fresh(
        customers::set_allocation(&s, &staff, &id, &request.product_id, request.seats).await?,
    ))
}

/// `GET /v1/customers/{id}/seats`: allocated vs used for the node and its subtree.
pub(crate) async fn customer_seats(
    State(s): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> ApiResult<Reply<Items<NodeSeats>>> {
    staff.read()?;
    Ok(Reply::Fresh(Items {
        items: s.store.seats(&id).await?,
    }))
}

/// `GET /v1/customers/{id}/history`.
pub(crate) async fn customer_history(
    State(s): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Q(q): Q<PageQuery>,
) -> ApiResult<Reply<Listed<HistoryEntry>>> {
    let filter = HistoryFilter {
        customer_id: Some(id),
        ..HistoryFilter::default()
    };
    history_page(&s, &staff, filter, &q).await
}
