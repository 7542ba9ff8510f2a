//! Routes for members: named users of a customer node, each holding at
//! most one service — a license of a plan, issued through the same path as
//! `POST /v1/plans/{id}/licenses`, bound to the member (licensee, e-mail,
//! and user for named-user policies), one seat, on the member's node.
//!
//! A service holds one seat of the node's allocation of the plan's product,
//! however many machines activate its license; beyond the allocation it is
//! refused like an activation (409 `allocation_exhausted`). A second
//! assignment of the same plan replaces the options (a new file with the
//! new entitlements, the same license and key); another plan is refused
//! (409 `service_assigned`: unassign first). Unassigning revokes the license
//! — it stops activating and checking in, and the revocation list names it —
//! and frees the seat.
//!
//! A service may instead be one of the licences of a subscription
//! (`subscription_id`, or the node's star when that is a subscription): it
//! has the subscription's plan and options (or some of them), expires with
//! its term and is extended when it renews; beyond the subscription's seats
//! it is refused (409 `subscription_full`, with the numbers).

use axum::extract::{Path, State};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::api::idempotency::{idempotent, pre_check, Pre};
use crate::api::{staff_event, Created, Listed, OneOf, Reply, MEMBER_WRITERS, READERS};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Body, IdempotencyKey, PageQuery, Staff, Q};
use crate::routes::{Access, Route};
use crate::secret::LicenseKey;
use crate::service::licenses::{plan_features, with_features};
use crate::service::members;
use crate::store::{DefaultPlan, Member, MemberService};
use crate::AppState;

/// The routes of this part of the API.
pub(crate) fn routes() -> Vec<Route> {
    use Access::Token;
    vec![
        Route::post("/v1/customers/{id}/members", Token, "Add a named user to a node, with a service from the given or default plan unless \"service\": false (admin, issuer; Idempotency-Key; key shown once)", create_member),
        Route::get("/v1/customers/{id}/members", Token, "A node's members", list_members),
        Route::put("/v1/customers/{id}/default-plan", Token, "Set the star: the plan, or the subscription, new members of the node get their service from (admin, issuer)", set_default_plan),
        Route::get("/v1/customers/{id}/default-plan", Token, "The star: the plan, or the subscription, new members of the node get their service from", show_default_plan),
        Route::show("/v1/members/{id}", "Show a member", |s, id| s.store.member(id)),
        Route::remove("/v1/members/{id}", "Delete a member, unassigning its service first (admin, issuer); the member as it was", MEMBER_WRITERS, |s, id, actor| s.store.delete_member(id, actor)),
        Route::put("/v1/members/{id}/service", Token, "Assign the member's service (one seat of the node's allocation), or replace its options (admin, issuer; Idempotency-Key; key shown once)", assign_service),
        Route::remove("/v1/members/{id}/service", "Unassign the member's service: its license is revoked and the seat freed (admin, issuer)", MEMBER_WRITERS, |s, id, actor| s.store.unassign_service(id, actor)),
    ]
}

use crate::service::members::{new_service, source};

/// A member and its service, as creating the member, assigning the
/// service or replacing its options answers.
#[derive(Serialize, JsonSchema)]
struct MemberAssignment {
    /// The member and its service's license (null without a service).
    #[serde(flatten)]
    service: MemberService,
    /// The license key, shown only in the answer that issued the license;
    /// null otherwise.
    license_key: Option<String>,
}

/// How an assignment answers: the member, its license, and (only when
/// `key` is the new license's) the license key.
fn render(key: Option<LicenseKey>) -> impl Fn(&MemberService) -> MemberAssignment + Clone {
    let shown = key.map(|k| k.reveal());
    move |m: &MemberService| MemberAssignment {
        service: m.clone(),
        license_key: shown.clone(),
    }
}

/// `POST /v1/customers/{id}/members` body.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct NewMember {
    name: String,
    email: String,
    external_ref: Option<String>,
    /// False: no service now; absent: one if a plan is known.
    service: Option<bool>,
    plan_id: Option<String>,
    /// A licence of this subscription, instead of a plan.
    subscription_id: Option<String>,
    #[serde(default)]
    options: Vec<String>,
}

/// `POST /v1/customers/{id}/members` (admin, issuer): see
/// [`members::prepare`].
async fn create_member(
    State(s): State<AppState>,
    staff: Staff,
    key: IdempotencyKey,
    Path(id): Path<String>,
    body: Body<NewMember>,
) -> ApiResult<Created<MemberAssignment>> {
    staff.allow(MEMBER_WRITERS)?;
    let req = &body.value;
    let request = members::MemberRequest {
        name: req.name.clone(),
        email: req.email.clone(),
        external_ref: req.external_ref.clone(),
        service: req.service,
        plan_id: req.plan_id.clone(),
        subscription_id: req.subscription_id.clone(),
        options: req.options.clone(),
    };
    let (member, service, license_key) = members::prepare(&s, &staff, &id, &request).await?;
    let actor = staff.actor();
    idempotent(
        &s,
        &key,
        &format!("member:{id}"),
        &actor,
        &body.hash,
        render(license_key),
        |idem| s.store.create_member(member, service, &actor, idem),
    )
    .await
}

/// `GET /v1/customers/{id}/members`.
async fn list_members(
    State(s): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Q(page): Q<PageQuery>,
) -> ApiResult<Reply<Listed<Member>>> {
    staff.allow(READERS)?;
    Listed::fetch(&page, async |p| {
        s.store.customer(&id).await?;
        s.store.list_members(&id, p).await
    })
    .await
}

/// `PUT /v1/members/{id}/service` body.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct ServiceRequest {
    plan_id: Option<String>,
    /// A licence of this subscription, instead of a plan.
    subscription_id: Option<String>,
    #[serde(default)]
    options: Vec<String>,
}

/// `PUT /v1/members/{id}/service` (admin, issuer): assigns a service (201,
/// with the key), or replaces the options of the one held (200).
async fn assign_service(
    State(s): State<AppState>,
    staff: Staff,
    key: IdempotencyKey,
    Path(id): Path<String>,
    body: Body<ServiceRequest>,
) -> ApiResult<OneOf<Created<MemberAssignment>, Reply<MemberAssignment>>> {
    staff.allow(MEMBER_WRITERS)?;
    let route = format!("member-service:{id}");
    let actor = staff.actor();
    // A retried assignment finds the service it made: answer as the first
    // time, not as a change of options.
    if let Pre::Stored(answer) = pre_check(&s, &key, &route, &actor, &body.hash).await? {
        return Ok(OneOf::First(Reply::Replayed(answer)));
    }
    let req = &body.value;
    let member = s.store.member(&id).await?;
    let (plan, sub) = (req.plan_id.as_deref(), req.subscription_id.as_deref());
    if let (Some(license_id), Some(held)) = (&member.license_id, &member.plan_id) {
        // The same source again replaces the options; another is refused.
        let same = match (plan, sub) {
            (None, None) => true,
            (Some(plan), None) => member.subscription_id.is_none() && plan == held,
            (None, Some(sub)) => member.subscription_id.as_deref() == Some(sub),
            (Some(_), Some(_)) => false,
        };
        if !same {
            let of = match &member.subscription_id {
                Some(sub) => format!("subscription {sub}"),
                None => format!("plan {held}"),
            };
            return Err(ApiError::conflict(
                crate::store::SERVICE_ASSIGNED,
                format!("the member holds a service of {of}: unassign it first to change it"),
            )
            .with(json!({
                "plan_id": held, "subscription_id": member.subscription_id,
                "license_id": license_id,
            })));
        }
        let replaced = replace_options(&s, &staff, &member, license_id, held, &req.options).await?;
        return Ok(OneOf::Second(Reply::Fresh(replaced)));
    }
    let source = source(&s, &staff, &member.customer_id, plan, sub)
        .await?
        .ok_or_else(|| {
            ApiError::invalid("no plan_id given and the customer has no default plan")
        })?;
    let (service, license_key) = new_service(&s, &member, source, req.options.clone()).await?;
    let assigned: Created<MemberAssignment> = idempotent(
        &s,
        &key,
        &route,
        &actor,
        &body.hash,
        render(Some(license_key)),
        |idem| s.store.assign_service(&id, service, &actor, idem),
    )
    .await?;
    Ok(OneOf::First(assigned))
}

/// The options of a held service replaced: the same license, its features
/// those of the plan and the new options, its file signed anew (the path of
/// `PUT /v1/licenses/{id}/entitlements`).
async fn replace_options(
    s: &AppState,
    staff: &Staff,
    member: &Member,
    license_id: &str,
    plan_id: &str,
    options: &[String],
) -> ApiResult<MemberAssignment> {
    if let Some(sub) = &member.subscription_id {
        let sub = s.store.subscription(sub).await?;
        if let Some(other) = options.iter().find(|o| !sub.options.contains(o)) {
            return Err(ApiError::invalid(format!(
                "option '{other}' is not one of the subscription's ({})",
                sub.options.join(", ")
            )));
        }
    }
    let plan = s.store.plan(plan_id).await?;
    let policy = s.store.policy(&plan.policy_id).await?;
    let features = plan_features(&policy, &plan.options, options)?;
    let license = s.store.license(license_id).await?;
    let license = with_features(s, license, features.clone()).await?;
    let details = json!({ "options": options, "features": features });
    let ev = staff_event(staff, "member.options", &member.id, details);
    let replaced = s
        .store
        .replace_options(&member.id, options.to_vec(), license, ev)
        .await?;
    Ok(render(None)(&replaced))
}

/// `PUT /v1/customers/{id}/default-plan` body.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct DefaultPlanRequest {
    /// The plan; or
    plan_id: Option<String>,
    /// the subscription (active, at the node or above it) whose licences
    /// new members take.
    subscription_id: Option<String>,
}

/// `PUT /v1/customers/{id}/default-plan` (admin, issuer): one of `plan_id`
/// and `subscription_id`.
async fn set_default_plan(
    State(s): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    body: Body<DefaultPlanRequest>,
) -> ApiResult<Reply<DefaultPlan>> {
    let req = &body.value;
    let (plan, sub) = (req.plan_id.as_deref(), req.subscription_id.as_deref());
    Ok(Reply::Fresh(
        members::set_star(&s, &staff, &id, plan, sub).await?,
    ))
}

/// A node's default plan, as `GET /v1/customers/{id}/default-plan`
/// answers, set or not.
#[derive(Serialize, JsonSchema)]
struct NodeDefaultPlan {
    /// The node.
    customer_id: String,
    /// The plan new members get their service from; null when none is set.
    plan_id: Option<String>,
    /// The subscription whose licences they take, when the star is one.
    subscription_id: Option<String>,
    /// When it was set (Unix seconds); absent when none is set.
    #[serde(skip_serializing_if = "Option::is_none")]
    updated_at: Option<i64>,
}

/// `GET /v1/customers/{id}/default-plan`: `plan_id` null when none is set.
async fn show_default_plan(
    State(s): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> ApiResult<Reply<NodeDefaultPlan>> {
    staff.allow(READERS)?;
    s.store.customer(&id).await?;
    let shown = match s.store.default_plan(&id).await? {
        Some(plan) => NodeDefaultPlan {
            customer_id: plan.customer_id,
            plan_id: Some(plan.plan_id),
            subscription_id: plan.subscription_id,
            updated_at: Some(plan.updated_at),
        },
        None => NodeDefaultPlan {
            customer_id: id,
            plan_id: None,
            subscription_id: None,
            updated_at: None,
        },
    };
    Ok(Reply::Fresh(shown))
}
