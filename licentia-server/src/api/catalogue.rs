//! The catalogue: products, policies (license templates) and plans (a policy and its add-on options).

use crate::api::{Created, Listed, Listing, Reply};
use axum::extract::{Path, State};
use schemars::JsonSchema;
use serde::Deserialize;

use crate::error::ApiResult;
use crate::extract::{Body, PageQuery, Staff, Q};
use crate::store::*;
use crate::AppState;

use crate::routes::{Access, Route};
use crate::service::catalogue::{self, Changes, NewPlan, NewPolicy, NewProduct};

/// The routes of this part of the API.
pub(crate) fn routes() -> Vec<Route> {
    use Access::Token;
    vec![
        Route::post(
            "/v1/products",
            Token,
            "Create a product (admin, issuer)",
            create_product,
        ),
        Route::get("/v1/products", Token, "List products", list_products),
        Route::show(
            "/v1/products/{id}",
            "Show a product (id or code)",
            |s, id| s.store.product(id),
        ),
        Route::patch(
            "/v1/products/{id}",
            Token,
            "Change a product's name; its code stays (admin, issuer)",
            edit_product,
        ),
        Route::post(
            "/v1/products/{id}/retire",
            Token,
            "Retire a product: no new licenses, never deleted (admin, issuer)",
            retire_product,
        ),
        Route::post(
            "/v1/policies",
            Token,
            "Create a policy (admin, issuer)",
            create_policy,
        ),
        Route::get(
            "/v1/policies",
            Token,
            "List policies (filter: product_id)",
            list_policies,
        ),
        Route::show("/v1/policies/{id}", "Show a policy", |s, id| {
            s.store.policy(id)
        }),
        Route::patch(
            "/v1/policies/{id}",
            Token,
            "Change a policy's terms, under the rules of a new one (admin, issuer)",
            edit_policy,
        ),
        Route::post(
            "/v1/policies/{id}/retire",
            Token,
            "Retire a policy: no new licenses or plans, never deleted (admin, issuer)",
            retire_policy,
        ),
        Route::post(
            "/v1/plans",
            Token,
            "Create a plan: a policy and add-on options (admin, issuer)",
            create_plan,
        ),
        Route::get(
            "/v1/plans",
            Token,
            "List plans (filter: product_id)",
            list_plans,
        ),
        Route::show("/v1/plans/{id}", "Show a plan", |s, id| s.store.plan(id)),
        Route::patch(
            "/v1/plans/{id}",
            Token,
            "Change a plan's name, policy or options (admin, issuer)",
            edit_plan,
        ),
        Route::post(
            "/v1/plans/{id}/retire",
            Token,
            "Retire a plan: no new licenses or subscriptions, never deleted (admin, issuer)",
            retire_plan,
        ),
    ]
}

/// `POST /v1/products` (admin, issuer).
pub(crate) async fn create_product(
    State(s): State<AppState>,
    staff: Staff,
    body: Body<NewProduct>,
) -> ApiResult<Created<Product>> {
    Ok(Created::Fresh(
        catalogue::create_product(&s, &staff, &body.value).await?,
    ))
}

/// `GET /v1/products`.
pub(crate) async fn list_products(
    State(s): State<AppState>,
    staff: Staff,
    Q(page): Q<PageQuery>,
) -> ApiResult<Reply<Listed<Product>>> {
    staff.read()?;
    Listed::fetch(&page, |p| s.store.list_products(p)).await
}

/// `POST /v1/policies` (admin, issuer).
pub(crate) async fn create_policy(
    State(s): State<AppState>,
    staff: Staff,
    body: Body<NewPolicy>,
) -> ApiResult<Created<Policy>> {
    Ok(Created::Fresh(
        catalogue::create_policy(&s, &staff, body.value).await?,
    ))
}

/// Filter of the policy list.
#[derive(Deserialize, JsonSchema)]
pub(crate) struct PolicyQuery {
    /// The product (id or code).
    product_id: Option<String>,
}

/// `GET /v1/policies`.
pub(crate) async fn list_policies(
    State(s): State<AppState>,
    staff: Staff,
    Listing { filter: q, page }: Listing<PolicyQuery>,
) -> ApiResult<Reply<Listed<Policy>>> {
    staff.read()?;
    Listed::fetch(&page, |p| s.store.list_policies(q.product_id.as_deref(), p)).await
}

/// `POST /v1/plans` (admin, issuer): a product's policy and its add-ons.
pub(crate) async fn create_plan(
    State(s): State<AppState>,
    staff: Staff,
    body: Body<NewPlan>,
) -> ApiResult<Created<Plan>> {
    Ok(Created::Fresh(
        catalogue::create_plan(&s, &staff, body.value).await?,
    ))
}

/// Filters of the plan list.
#[derive(Deserialize, JsonSchema)]
pub(crate) struct PlanQuery {
    /// The product (id or code).
    product_id: Option<String>,
}

/// `GET /v1/plans`.
pub(crate) async fn list_plans(
    State(s): State<AppState>,
    staff: Staff,
    Listing { filter: q, page }: Listing<PlanQuery>,
) -> ApiResult<Reply<Listed<Plan>>> {
    staff.read()?;
    Listed::fetch(&page, |p| s.store.list_plans(q.product_id.as_deref(), p)).await
}

/// `PATCH /v1/products/{id}` (admin, issuer).
pub(crate) async fn edit_product(
    State(s): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    body: Body<Changes<NewProduct>>,
) -> ApiResult<Reply<Product>> {
    Ok(Reply::Fresh(
        catalogue::edit_product(&s, &staff, &id, &body.value).await?,
    ))
}

/// `POST /v1/products/{id}/retire` (admin, issuer).
pub(crate) async fn retire_product(
    State(s): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> ApiResult<Reply<Product>> {
    catalogue::retire(&s, &staff, Catalogued::Product, &id).await?;
    Ok(Reply::Fresh(s.store.product(&id).await?))
}

/// `PATCH /v1/policies/{id}` (admin, issuer).
pub(crate) async fn edit_policy(
    State(s): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    body: Body<Changes<NewPolicy>>,
) -> ApiResult<Reply<Policy>> {
    Ok(Reply::Fresh(
        catalogue::edit_policy(&s, &staff, &id, &body.value).await?,
    ))
}

/// `POST /v1/policies/{id}/retire` (admin, issuer).
pub(crate) async fn retire_policy(
    State(s): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> ApiResult<Reply<Policy>> {
    catalogue::retire(&s, &staff, Catalogued::Policy, &id).await?;
    Ok(Reply::Fresh(s.store.policy(&id).await?))
}

/// `PATCH /v1/plans/{id}` (admin, issuer).
pub(crate) async fn edit_plan(
    State(s): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    body: Body<Changes<NewPlan>>,
) -> ApiResult<Reply<Plan>> {
    Ok(Reply::Fresh(
        catalogue::edit_plan(&s, &staff, &id, &body.value).await?,
    ))
}

/// `POST /v1/plans/{id}/retire` (admin, issuer).
pub(crate) async fn retire_plan(
    State(s): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> ApiResult<Reply<Plan>> {
    catalogue::retire(&s, &staff, Catalogued::Plan, &id).await?;
    Ok(Reply::Fresh(s.store.plan(&id).await?))
}
