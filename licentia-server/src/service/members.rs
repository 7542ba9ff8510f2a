//! Members: named users of a customer node, each holding at most one
//! service (a license of a plan, one seat of the node's allocation; or one
//! of the licences of a subscription). The API's routes, the bulk import
//! and the console's forms make them here.

use crate::api::{named, MEMBER_WRITERS, WRITERS};
use crate::error::{ApiError, ApiResult};
use crate::secret::{self, LicenseKey};
use crate::service::catalogue::offered;
use crate::service::licenses::{plan_license, prepare_license, PlanIssue};
use crate::service::subscriptions::refuse_unless_active;
use crate::service::{email_field, now, optional_text, text_field};
use crate::staff::Staff;
use crate::store::{
    Catalogued, DefaultPlan, FromSubscription, Member, MemberService, NewService, Subscription,
};
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
    /// The plan of the service (none: the node's default).
    pub plan_id: Option<String>,
    /// The subscription the service is a licence of (instead of a plan).
    pub subscription_id: Option<String>,
    /// Codes of the plan's options.
    pub options: Vec<String>,
}

/// A plan the caller named: 422 when there is none.
pub(crate) async fn named_plan(s: &AppState, plan_id: &str) -> ApiResult<String> {
    Ok(named(s.store.plan(plan_id), "no such plan").await?.id)
}

/// Where a member's service comes from.
#[derive(Debug, Clone)]
pub(crate) enum Source {
    /// A license of this plan, a seat of the node's allocation.
    Plan(String),
    /// One of the licences of this subscription.
    Subscription(Box<Subscription>),
}

/// The source a caller names for a service of a member of `customer_id`:
/// the plan or the subscription given, else the node's star (a
/// subscription or a plan), else none. A subscription must be active,
/// within the caller's grants, and at the member's node or above it.
pub(crate) async fn source(
    s: &AppState,
    staff: &Staff,
    customer_id: &str,
    plan_id: Option<&str>,
    subscription_id: Option<&str>,
) -> ApiResult<Option<Source>> {
    let subscription_id = match (plan_id, subscription_id) {
        (Some(_), Some(_)) => {
            return Err(ApiError::invalid(
                "a service comes from a plan_id or a subscription_id, not both",
            ))
        }
        (Some(plan), None) => return Ok(Some(Source::Plan(named_plan(s, plan).await?))),
        (None, Some(sub)) => sub.to_owned(),
        (None, None) => match s.store.default_plan(customer_id).await? {
            None => return Ok(None),
            Some(star) => match star.subscription_id {
                Some(sub) => sub,
                None => return Ok(Some(Source::Plan(star.plan_id))),
            },
        },
    };
    let sub = named(
        s.store.subscription(&subscription_id),
        "no such subscription",
    )
    .await?;
    named(
        staff.allow_at(s, MEMBER_WRITERS, Some(&sub.customer_id)),
        "no such subscription",
    )
    .await?;
    let path = s.store.node_path(customer_id).await?.unwrap_or_default();
    if !path.contains(&sub.customer_id) {
        return Err(ApiError::invalid(
            "the subscription is not the member's company's: its node is neither the member's nor above it",
        ));
    }
    refuse_unless_active(&sub)?;
    Ok(Some(Source::Subscription(Box::new(sub))))
}

/// Sets the star of the node `customer_id` (admin, issuer): the plan, or
/// the subscription (see [`source`]), its new members get their service
/// from; exactly one of them.
pub(crate) async fn set_star(
    s: &AppState,
    staff: &Staff,
    customer_id: &str,
    plan_id: Option<&str>,
    subscription_id: Option<&str>,
) -> ApiResult<DefaultPlan> {
    staff.allow_at(s, WRITERS, Some(customer_id)).await?;
    let (plan, sub) = match source(s, staff, customer_id, plan_id, subscription_id).await? {
        Some(Source::Plan(plan)) if plan_id.is_some() => (plan, None),
        Some(Source::Subscription(sub)) if subscription_id.is_some() => (sub.plan_id, Some(sub.id)),
        _ => return Err(ApiError::invalid("give plan_id or subscription_id")),
    };
    Ok(s.store
        .set_default_plan(customer_id, &plan, sub.as_deref(), &staff.actor())
        .await?)
}

/// The member's service from `source`: a license of its plan with
/// `options`, issued through the plan path, bound to the member; and its
/// key. A subscription's licence has the subscription's options unless
/// `options` names some of them, and expires with its term.
pub(crate) async fn new_service(
    s: &AppState,
    member: &Member,
    source: Source,
    options: Vec<String>,
) -> ApiResult<(NewService, LicenseKey)> {
    let (plan_id, options, expires, subscription) = match source {
        Source::Plan(plan) => (plan, options, None, None),
        Source::Subscription(sub) => {
            let options = if options.is_empty() {
                sub.options.clone()
            } else if let Some(other) = options.iter().find(|o| !sub.options.contains(o)) {
                return Err(ApiError::invalid(format!(
                    "option '{other}' is not one of the subscription's ({})",
                    sub.options.join(", ")
                )));
            } else {
                options
            };
            let expires = sub.end_of(sub.term_end)?.to_string();
            let from = FromSubscription {
                id: sub.id.clone(),
                term_end: sub.term_end,
            };
            (sub.plan_id, options, Some(expires), Some(from))
        }
    };
    let request = PlanIssue {
        licensee: member.name.clone(),
        email: Some(member.email.clone()),
        customer_id: Some(member.customer_id.clone()),
        seats: Some(1),
        machines: None,
        user: Some(member.email.clone()),
        metadata: None,
        expires,
        options: options.clone(),
    };
    let overrides = plan_license(s, &plan_id, request).await?;
    let (license, key, _) = prepare_license(s, &overrides, None).await?;
    Ok((
        NewService {
            plan_id,
            options,
            license,
            subscription,
        },
        key,
    ))
}

/// A member ready to store: the record, its service (from the given plan
/// or subscription, or the node's star unless `service` is false) and the
/// service's key. Admin, issuer or member manager at the node or above.
pub(crate) async fn prepare(
    s: &AppState,
    staff: &Staff,
    customer_id: &str,
    req: &MemberRequest,
) -> ApiResult<(Member, Option<NewService>, Option<LicenseKey>)> {
    staff.allow_at(s, MEMBER_WRITERS, Some(customer_id)).await?;
    let customer = s.store.customer(customer_id).await?;
    offered(Catalogued::Customer, &customer.name, customer.retired_at)?;
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
        subscription_id: None,
        created_at: at,
        updated_at: at,
    };
    let named_source = req.plan_id.is_some() || req.subscription_id.is_some();
    let source = match req.service {
        Some(false) if named_source || !req.options.is_empty() => {
            return Err(ApiError::invalid(
                "\"service\": false takes no plan_id, subscription_id or options",
            ))
        }
        Some(false) => None,
        _ => {
            let (plan, sub) = (req.plan_id.as_deref(), req.subscription_id.as_deref());
            source(s, staff, &customer.id, plan, sub).await?
        }
    };
    if source.is_none() && (req.service == Some(true) || !req.options.is_empty()) {
        return Err(ApiError::invalid(
            "no plan_id given and the customer has no default plan",
        ));
    }
    match source {
        Some(source) => {
            let (service, key) = new_service(s, &member, source, req.options.clone()).await?;
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
    let made = s
        .store
        .create_member(member, service, &staff.actor(), None)
        .await?
        .unkeyed()?;
    Ok((made, key))
}
