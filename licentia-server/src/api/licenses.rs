//! Licenses: issue (from a policy or a plan), list, show, suspend, reinstate, revoke, renew, change features and seats.

use crate::api::{staff_event, Created, Listed, Listing, Reply};
use axum::extract::{Path, State};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::json;

use crate::error::{ApiError, ApiResult};
use crate::extract::{Body, IdempotencyKey, PageQuery, Staff, Q};
use crate::store::*;
use crate::AppState;
use licentia::Timestamp;

use crate::api::history::history_page;
use crate::api::{READERS, WRITERS};
use crate::routes::{Access, Route};
use crate::service::licenses::{
    self, issue, plan_license, with_features, IssueOverrides, Issued, PlanIssue, RenewRequest,
    Renewed, Transition, REINSTATE, REVOKE, SUSPEND,
};
use crate::service::seat_rules::LICENSE_RAISERS;
use Role::{Admin, Finance, Issuer};

/// The routes of this part of the API.
pub(crate) fn routes() -> Vec<Route> {
    use Access::Token;
    vec![
        Route::post("/v1/plans/{id}/licenses", Token, "Issue a license from a plan with chosen options (admin, issuer; Idempotency-Key; key shown once)", issue_from_plan),
        Route::post("/v1/licenses", Token, "Issue a license from a policy (admin, issuer; Idempotency-Key; key shown once)", issue_license),
        Route::get("/v1/licenses", Token, "List licenses (filters: product_id, customer_id, status, expires_before)", list_licenses),
        Route::show("/v1/licenses/{id}", "Show a license", |s, id| s.store.license(id)),
        transition_route(SUSPEND, "/v1/licenses/{id}/suspend", "Suspend (admin, issuer)"),
        transition_route(REINSTATE, "/v1/licenses/{id}/reinstate", "Reinstate a suspended license (admin, issuer)"),
        transition_route(REVOKE, "/v1/licenses/{id}/revoke", "Revoke for good (admin, issuer)"),
        Route::post("/v1/licenses/{id}/renew", Token, "Extend: new file or renewal token (admin, issuer, finance; Idempotency-Key)", renew),
        Route::put("/v1/licenses/{id}/entitlements", Token, "Replace the features (admin, issuer)", set_entitlements),
        Route::put("/v1/licenses/{id}/seats", Token, "Change seats: only finance raises", set_seats),
        Route::get("/v1/licenses/{id}/activations", Token, "A license's activations", license_activations),
        Route::get("/v1/licenses/{id}/history", Token, "A license's history", license_history),
    ]
}

/// `POST /v1/licenses` (admin, issuer): the license key is in this answer only.
pub(crate) async fn issue_license(
    State(s): State<AppState>,
    staff: Staff,
    key: IdempotencyKey,
    body: Body<IssueOverrides>,
) -> ApiResult<Created<Issued>> {
    issue(&s, &staff, &key, "issue", &body.hash, body.value).await
}

/// `POST /v1/plans/{id}/licenses` (admin, issuer): a license of the plan's
/// policy with the chosen options' entitlements; the key is in this answer only.
pub(crate) async fn issue_from_plan(
    State(s): State<AppState>,
    staff: Staff,
    key: IdempotencyKey,
    Path(id): Path<String>,
    body: Body<PlanIssue>,
) -> ApiResult<Created<Issued>> {
    staff.scope(WRITERS)?;
    let overrides = plan_license(&s, &id, body.value).await?;
    issue(
        &s,
        &staff,
        &key,
        &format!("issue:{id}"),
        &body.hash,
        overrides,
    )
    .await
}

/// Filters of the license list.
#[derive(Deserialize, JsonSchema)]
pub(crate) struct LicenseQuery {
    /// The product (id or code).
    product_id: Option<String>,
    /// The customer node.
    customer_id: Option<String>,
    /// Only this status.
    status: Option<String>,
    /// Only licenses expiring before this date.
    expires_before: Option<String>,
    /// Only licensees whose name holds this, in any case.
    licensee: Option<String>,
}

/// `GET /v1/licenses`.
pub(crate) async fn list_licenses(
    State(s): State<AppState>,
    staff: Staff,
    Listing { filter: q, page }: Listing<LicenseQuery>,
) -> ApiResult<Reply<Listed<LicenseRecord>>> {
    let scope = staff.scope(READERS)?;
    let filter = LicenseFilter {
        product_id: q.product_id,
        customer_id: q.customer_id,
        status: q.status,
        expires_before: q
            .expires_before
            .as_deref()
            .map(Timestamp::parse)
            .transpose()?
            .map(|t| t.0),
        licensee: q.licensee.filter(|part| !part.trim().is_empty()),
        ..LicenseFilter::default()
    };
    Listed::fetch(&page, |p| s.store.list_licenses(&scope, &filter, p)).await
}

pub(crate) use crate::service::licenses::file_mode;

/// A reason for a status change.
#[derive(Deserialize, Default, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Reason {
    /// Why, for the history.
    reason: Option<String>,
}

/// The `POST` route at `path` that makes the status change `t`.
fn transition_route(t: Transition, path: &'static str, summary: &'static str) -> Route {
    let handler = move |State(s): State<AppState>,
                        staff: Staff,
                        Path(id): Path<String>,
                        body: Option<Body<Reason>>| async move {
        let record = t.apply(&s, &staff, &id, reason(body)).await?;
        ApiResult::Ok(Reply::<_, 200>::Fresh(record))
    };
    Route::post(path, Access::Token, summary, handler)
}

/// The reason of an optional [`Reason`] body.
pub(crate) fn reason(body: Option<Body<Reason>>) -> Option<String> {
    body.and_then(|b| b.value.reason)
}

/// `POST /v1/licenses/{id}/renew` (admin, issuer, finance).
pub(crate) async fn renew(
    State(s): State<AppState>,
    staff: Staff,
    key: IdempotencyKey,
    Path(id): Path<String>,
    body: Body<RenewRequest>,
) -> ApiResult<Reply<Renewed>> {
    licenses::renew(&s, &staff, &key, &id, &body.hash, &body.value).await
}

/// `PUT /v1/licenses/{id}/entitlements` body.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct EntitlementsRequest {
    /// The features that replace the license's, `CODE[=COUNT][@DATE]`.
    features: Vec<String>,
}

/// `PUT /v1/licenses/{id}/entitlements` (admin, issuer): a new file with these features.
pub(crate) async fn set_entitlements(
    State(s): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    body: Body<EntitlementsRequest>,
) -> ApiResult<Reply<LicenseRecord>> {
    staff.allow(WRITERS)?;
    let record = s.store.license(&id).await?;
    let record = with_features(&s, record, body.value.features.clone()).await?;
    let details = json!({ "features": body.value.features });
    let ev = staff_event(&staff, "license.entitlements", id, details);
    let updated = s.store.update_terms(record, ev, None).await?.unkeyed()?;
    Ok(Reply::Fresh(updated))
}

/// `PUT /v1/licenses/{id}/seats` body.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SeatsRequest {
    /// The new seat count (a raise is finance's; never below those in use).
    pub(crate) seats: u32,
}

/// A seat change of `id` from `current` to `seats` asked by `staff`: at
/// least 1; a raise by `raisers`, a cut by `cutters`. Answers the seats, the
/// history event (`operation`) and whether the caller may raise, which the
/// store checks again in its transaction: a concurrent cut may turn this
/// cut into a raise.
pub(crate) fn seats_change(
    staff: &Staff,
    id: &str,
    operation: &'static str,
    (current, seats): (i64, u32),
    raisers: &[Role],
    cutters: &[Role],
) -> ApiResult<(i64, bool, Event)> {
    let seats = i64::from(seats);
    if seats == 0 {
        return Err(ApiError::invalid("seats must be at least 1"));
    }
    staff.allow(if seats > current { raisers } else { cutters })?;
    let ev = staff_event(
        staff,
        operation,
        id,
        json!({ "from": current, "to": seats }),
    );
    Ok((seats, staff.allow(raisers).is_ok(), ev))
}

/// `PUT /v1/licenses/{id}/seats`: only finance raises; never below seats in use.
pub(crate) async fn set_seats(
    State(s): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    body: Body<SeatsRequest>,
) -> ApiResult<Reply<LicenseRecord>> {
    let current = s.store.license(&id).await?;
    let (seats, may_raise, ev) = seats_change(
        &staff,
        &id,
        "license.seats",
        (current.seats, body.value.seats),
        LICENSE_RAISERS,
        &[Admin, Issuer, Finance],
    )?;
    Ok(Reply::Fresh(
        s.store.set_seats(&id, seats, may_raise, ev).await?,
    ))
}

/// `GET /v1/licenses/{id}/activations`.
pub(crate) async fn license_activations(
    State(s): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Q(page): Q<PageQuery>,
) -> ApiResult<Reply<Listed<Activation>>> {
    staff.allow(READERS)?;
    Listed::fetch(&page, async |p| {
        s.store.license(&id).await?;
        s.store.list_activations(&id, p).await
    })
    .await
}

/// `GET /v1/licenses/{id}/history`.
pub(crate) async fn license_history(
    State(s): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Q(q): Q<PageQuery>,
) -> ApiResult<Reply<Listed<HistoryEntry>>> {
    let filter = HistoryFilter {
        license_id: Some(id),
        ..HistoryFilter::default()
    };
    history_page(&s, &staff, filter, &q).await
}
