//! The customer tree (partner -> customer -> site), its seat allocations and each node's history.

use crate::api::{named, Created, Items, Listed, Listing, Reply};
use axum::extract::{Path, State};
use schemars::JsonSchema;
use serde::Deserialize;

use crate::error::{ApiError, ApiResult};
use crate::extract::{Body, PageQuery, Staff, Q};
use crate::secret::{self};
use crate::store::*;
use crate::AppState;

use crate::api::history::history_page;
use crate::api::{READERS, WRITERS};
use crate::routes::{Access, Route};
use crate::service::{now, optional_text, text_field};
use Role::{Admin, Finance, Issuer};

/// The routes of this part of the API.
pub(crate) fn routes() -> Vec<Route> {
    use Access::Token;
    vec![
        Route::post("/v1/customers", Token, "Create a partner, customer or site (admin, issuer)", create_customer),
        Route::get("/v1/customers", Token, "List customers (filters: parent_id, kind)", list_customers),
        Route::show("/v1/customers/{id}", "Show a customer", |s, id| s.store.customer(id)),
        Route::put("/v1/customers/{id}/allocation", Token, "Set the seats of a product the node holds, taken from its parent (raise: finance; lower: admin, issuer, finance)", set_allocation),
        Route::get("/v1/customers/{id}/seats", Token, "Seats allocated, given on and used, for the node and its subtree", customer_seats),
        Route::get("/v1/customers/{id}/history", Token, "A customer's history", customer_history),
    ]
}

/// A new node of the customer tree.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewCustomer {
    /// `partner`, `customer` or `site`.
    kind: String,
    /// Name.
    name: String,
    /// The parent node.
    parent_id: Option<String>,
    /// Contact e-mail.
    email: Option<String>,
    /// The vendor's own reference.
    external_ref: Option<String>,
}

/// `POST /v1/customers` (admin, issuer): partner -> customer -> site.
pub(crate) async fn create_customer(
    State(s): State<AppState>,
    staff: Staff,
    body: Body<NewCustomer>,
) -> ApiResult<Created<Customer>> {
    let c = body.value;
    named(
        staff.allow_at(&s, WRITERS, c.parent_id.as_deref()),
        "no such parent customer",
    )
    .await?;
    let parent_kind = match &c.parent_id {
        Some(id) => Some(
            named(s.store.customer(id), "no such parent customer")
                .await?
                .kind,
        ),
        None => None,
    };
    if !crate::bulk::fits(&c.kind, parent_kind.as_deref()) {
        return Err(ApiError::invalid(crate::bulk::TREE));
    }
    let customer = Customer {
        id: secret::new_id("cus"),
        parent_id: c.parent_id,
        kind: c.kind,
        name: text_field("name", &c.name, 256)?.to_owned(),
        email: optional_text("email", c.email.as_deref(), 256)?,
        external_ref: optional_text("external_ref", c.external_ref.as_deref(), 128)?,
        created_at: now().0,
    };
    Ok(Created::Fresh(
        s.store.create_customer(customer, &staff.actor()).await?,
    ))
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
/// holds, taken from its parent. Only finance may raise an allocation; admin,
/// issuer and finance may lower it; either at the node's parent or above,
/// since a node's seats are its parent's to give.
pub(crate) async fn set_allocation(
    State(s): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    body: Body<AllocationRequest>,
) -> ApiResult<Reply<Allocation>> {
    let above = staff.placement().parent();
    staff.allow_placed(&[Admin, Issuer, Finance], &above)?;
    let may_raise = staff.holding(&[Finance], &above).next().is_some();
    let product = s.store.product(&body.value.product_id).await?;
    Ok(Reply::Fresh(
        s.store
            .set_allocation(
                &id,
                &product.id,
                i64::from(body.value.seats),
                may_raise,
                &staff.actor(),
            )
            .await?,
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
