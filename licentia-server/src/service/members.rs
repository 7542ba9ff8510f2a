//! Members: named users of a customer node, each holding at most one
//! service (a license of a plan, one seat of the node's allocation). The
//! API's routes, the bulk import and the console's forms make them here.

use crate::api::{named, MEMBER_WRITERS};
use crate::error::{ApiError, ApiResult};
use crate::secret::{self, LicenseKey};
use crate::service::licenses::{plan_license, prepare_license, PlanIssue};
use crate::service::{email_field, now, optional_text, text_field};
use crate::staff::Staff;
use crate::store::{Member, MemberService, NewService, Outcome};
use crate::AppState;

/// A member to add to a node, as the caller gave it.
#[derive(Debug, Clone, Default)]
pub(crate) struct MemberRequest {
    /// Name.
    pub name: String,
    /// E-mail address.
    pub email: String,
    /// The vendor's own reference.
    pub external_ref: Option<String>,
    /// False: no service now; none: one if a plan is known.
    pub service: Option<bool>,
    /// The plan of the service (none: the node's default plan).
    pub plan_id: Option<String>,
    /// Codes of the plan's options.
    pub options: Vec<String>,
}

/// A plan the caller named: 422 when there is none.
pub(crate) async fn named_plan(s: &AppState, plan_id: &str) -> ApiResult<String> {
    Ok(named(s.store.plan(plan_id), "no such plan").await?.id)
}

/// The member's service: a license of `plan_id` with `options`, issued
/// through the plan path, bound to the member; and its key.
pub(crate) async fn new_service(
    s: &AppState,
    member: &Member,
    plan_id: String,
    options: Vec<String>,
) -> ApiResult<(NewService, LicenseKey)> {
    let request = PlanIssue {
        licensee: member.name.clone(),
        email: Some(member.email.clone()),
        customer_id: Some(member.customer_id.clone()),
        seats: Some(1),
        machines: None,
        user: Some(member.email.clone()),
        metadata: None,
        expires: None,
        options: options.clone(),
    };
    let overrides = plan_license(s, &plan_id, request).await?;
    let (license, key) = prepare_license(s, &overrides, None).await?;
    Ok((
        NewService {
            plan_id,
            options,
            license,
        },
        key,
    ))
}

/// A member ready to store: the record, its service (from the given plan,
/// or the node's default plan unless `service` is false) and the service's
/// key. Admin, issuer or member manager at the node or above.
pub(crate) async fn prepare(
    s: &AppState,
    staff: &Staff,
    customer_id: &str,
    req: &MemberRequest,
) -> ApiResult<(Member, Option<NewService>, Option<LicenseKey>)> {
    staff.allow_at(s, MEMBER_WRITERS, Some(customer_id)).await?;
    let customer = s.store.customer(customer_id).await?;
    let at = now().0;
    let member = Member {
        id: secret::new_id("mem"),
        customer_id: customer.id.clone(),
        name: text_field("name", &req.name, licentia::license::MAX_FIELD_LEN)?.to_owned(),
        email: email_field(&req.email)?,
        external_ref: optional_text("external_ref", req.external_ref.as_deref(), 128)?,
        plan_id: None,
        options: Vec::new(),
        license_id: None,
        created_at: at,
        updated_at: at,
    };
    let plan_id = match (req.service, &req.plan_id) {
        (Some(false), None) if req.options.is_empty() => None,
        (Some(false), _) => {
            return Err(ApiError::invalid(
                "\"service\": false takes no plan_id or options",
            ))
        }
        (_, Some(plan)) => Some(named_plan(s, plan).await?),
        (_, None) => s.store.default_plan(&customer.id).await?.map(|d| d.plan_id),
    };
    if plan_id.is_none() && (req.service == Some(true) || !req.options.is_empty()) {
        return Err(ApiError::invalid(
            "no plan_id given and the customer has no default plan",
        ));
    }
    match plan_id {
        Some(plan) => {
            let (service, key) = new_service(s, &member, plan, req.options.clone()).await?;
            Ok((member, Some(service), Some(key)))
        }
        None => Ok((member, None, None)),
    }
}

/// Adds a member to the node `customer_id` (see [`prepare`]), without an
/// idempotency key: the member, and its service's key when it has one. A
/// service beyond the node's free seats is refused (409
/// `allocation_exhausted`, with the numbers).
pub(crate) async fn create(
    s: &AppState,
    staff: &Staff,
    customer_id: &str,
    req: &MemberRequest,
) -> ApiResult<(MemberService, Option<LicenseKey>)> {
    let (member, service, key) = prepare(s, staff, customer_id, req).await?;
    match s
        .store
        .create_member(member, service, &staff.actor(), None)
        .await?
    {
        Outcome::Fresh(made) => Ok((made, key)),
        Outcome::Replay { .. } => Err(ApiError::internal("a replay without idempotency key")),
    }
}
