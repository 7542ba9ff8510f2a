//! Routes for purchases: lots bought by the top of the customer tree (each
//! raising the buyer's allocation), and their re-billing to customers.
//!
//! Re-billing records who is billed for part of a lot; it moves no seat.
//! Seats move down the tree only by allocation
//! (`PUT /v1/customers/{id}/allocation`), so billing and seats can differ
//! (a partner may bill a customer for seats it has not handed over yet).

use axum::extract::{Path, State};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::api::idempotency::idempotent;
use crate::api::{Created, Listed, Listing, Reply, READERS};
use crate::error::ApiResult;
use crate::extract::{Body, IdempotencyKey, Staff};
use crate::routes::{Access, Route};
use crate::service::purchases::{self, NewPurchase, NewRebilling};
use crate::store::{Purchase, PurchaseFilter, Rebilling};
use crate::AppState;

/// The routes of this part of the API.
pub(crate) fn routes() -> Vec<Route> {
    vec![
        Route::post("/v1/purchases", Access::Token, "Record a lot bought by a top node; raises its allocation by the quantity (admin, finance; Idempotency-Key)", create_purchase),
        Route::get("/v1/purchases", Access::Token, "List purchases, newest first (filters: customer_id, product_id)", list_purchases),
        Route::get("/v1/purchases/{id}", Access::Token, "Show a purchase, its re-billings and the quantity not yet re-billed", show_purchase),
        Route::post("/v1/purchases/{id}/rebillings", Access::Token, "Re-bill part of a lot to a customer; never beyond the lot; moves no seat (admin, finance; Idempotency-Key)", rebill),
    ]
}

/// `POST /v1/purchases` (admin, finance).
async fn create_purchase(
    State(s): State<AppState>,
    staff: Staff,
    key: IdempotencyKey,
    body: Body<NewPurchase>,
) -> ApiResult<Created<Purchase>> {
    let purchase = purchases::new_purchase(&s, &staff, &body.value).await?;
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

/// `POST /v1/purchases/{id}/rebillings` (admin, finance).
async fn rebill(
    State(s): State<AppState>,
    staff: Staff,
    key: IdempotencyKey,
    Path(id): Path<String>,
    body: Body<NewRebilling>,
) -> ApiResult<Created<Rebilling>> {
    let rebilling = purchases::new_rebilling(&s, &staff, &id, &body.value).await?;
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
