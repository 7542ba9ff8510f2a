//! Seat rules at creation. "Only finance raises seats" holds from the
//! start: a license or a subscription is created with at most the seats it
//! is entitled to (its policy's, or more when finance allocated its
//! customer node more of the product); above that the creation is a raise,
//! which only the roles that may raise that thing's seats afterwards
//! (`PUT .../seats`) may make. A license naming no customer escapes every
//! allocation, so making one is an admin's act at the vendor root. Every
//! rule holds at the node the new record is for: a role held elsewhere
//! gives nothing here.

use axum::http::StatusCode;
use serde_json::json;

use crate::api::{named, WRITERS};
use crate::error::{ApiError, ApiResult};
use crate::extract::Staff;
use crate::store::{LicenseRecord, Placement, Policy, Role};
use crate::AppState;

use Role::{Admin, Finance};

/// Who may raise a license's seats, at creation or afterwards.
pub(crate) const LICENSE_RAISERS: &[Role] = &[Finance];
/// Who may raise a subscription's seats (as for allocations, not issuers).
pub(crate) const SUBSCRIPTION_RAISERS: &[Role] = &[Admin, Finance];

/// The problem code of a creation refused for asking more seats than the
/// caller may give.
pub const SEATS_RAISE_FORBIDDEN: &str = "seats_raise_forbidden";
/// The problem code of a license naming no customer, made by a non-admin.
pub const CUSTOMER_REQUIRED: &str = "customer_required";

/// The seats a creation from `policy_id` for `customer_id` gives without a
/// raise: the policy's, or the seats the customer node holds of the
/// product when finance allocated it more.
async fn entitled_seats(
    s: &AppState,
    policy: &Policy,
    customer_id: Option<&str>,
) -> ApiResult<i64> {
    let allocated = match customer_id {
        // The node itself comes first, before its subtree.
        Some(c) => s
            .store
            .seats(c)
            .await?
            .first()
            .and_then(|node| {
                node.allocations
                    .iter()
                    .find(|a| a.product_id == policy.product_id)
                    .map(|a| a.allocated)
            })
            .unwrap_or(0),
        None => 0,
    };
    Ok(policy.seats.max(allocated))
}

/// Refuses (403 [`SEATS_RAISE_FORBIDDEN`]) a creation of `what` with
/// `seats` above those `policy_id` and `customer_id` give, unless `staff`
/// is one of `raisers` there; for a subscription billed `billing`, a grant
/// at a customer or a site raises only by a delegated right (see
/// [`may_change_subscription`]).
pub(crate) async fn check_seats(
    s: &AppState,
    staff: &Staff,
    what: &str,
    raisers: &[Role],
    (policy, customer_id): (&Policy, Option<&str>),
    seats: i64,
    billing: Option<&str>,
) -> ApiResult<()> {
    let placement = staff.place(s, customer_id).await?;
    let may_raise = match billing {
        Some(billing) => {
            may_change_subscription(staff, &placement, billing, SubscriptionChange::Raise).is_ok()
        }
        None => staff.holding(raisers, &placement).next().is_some(),
    };
    if may_raise {
        return Ok(());
    }
    let entitled = entitled_seats(s, policy, customer_id).await?;
    if seats <= entitled {
        return Ok(());
    }
    let who: Vec<&str> = raisers.iter().map(|r| r.as_str()).collect();
    let held: Vec<&str> = staff.grants.iter().map(|g| g.role.as_str()).collect();
    Err(ApiError::new(
        StatusCode::FORBIDDEN,
        SEATS_RAISE_FORBIDDEN,
        format!(
            "a {what} may be created with at most {entitled} seats by the {} role; \
             more is a raise, which only {} may make",
            held.join(", "),
            who.join(" or ")
        ),
    )
    .with(json!({ "seats": seats, "entitled": entitled })))
}

/// A change of a subscription that delegated rights may allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SubscriptionChange {
    /// More seats.
    Raise,
    /// Fewer seats.
    Lower,
    /// Another renewal option.
    Renewal,
}

/// The problem code of a subscription change a customer's grant holds no
/// delegated right for.
pub const NOT_DELEGATED: &str = "rights_not_delegated";

/// Refuses (403) a `change` of a subscription billed `billing` whose node
/// sits at `placement`, unless a grant of `staff` reaching it allows it:
/// at the vendor root or at a partner, by role (a raise: admin, finance;
/// a cut or a renewal option: admin, issuer, finance); at a customer or a
/// site (a customer admin's own company), only by the rights a partner
/// delegated to that grant (admin or finance), a monthly-only right for
/// monthly subscriptions only ([`NOT_DELEGATED`]).
pub(crate) fn may_change_subscription(
    staff: &Staff,
    placement: &Placement,
    billing: &str,
    change: SubscriptionChange,
) -> ApiResult<()> {
    let roles: &[Role] = match change {
        SubscriptionChange::Raise => SUBSCRIPTION_RAISERS,
        _ => &[Admin, Role::Issuer, Finance],
    };
    let delegated = |rights: &crate::store::Rights| {
        let right = match change {
            SubscriptionChange::Raise => rights.may_raise_seats,
            SubscriptionChange::Lower => rights.may_lower_seats,
            SubscriptionChange::Renewal => return rights.may_change_renewal,
        };
        right && (!rights.monthly_only || billing == "monthly")
    };
    let mut held = staff.holding(roles, placement).peekable();
    if held.peek().is_none() {
        return staff.allow_placed(roles, placement);
    }
    let allowed = held.any(|g| {
        let owner = g.customer_id.is_none() || g.node_kind.as_deref() == Some("partner");
        owner || (matches!(g.role, Admin | Finance) && delegated(&g.rights))
    });
    if allowed {
        return Ok(());
    }
    Err(ApiError::new(
        StatusCode::FORBIDDEN,
        NOT_DELEGATED,
        format!(
            "this {change:?} of a {billing} subscription is the partner's to make, unless it delegated that right to this grant"
        )
        .to_lowercase(),
    ))
}

/// Refuses a license `staff` may not create: unless admin or issuer at its
/// customer node or above (403; 422 for a customer outside every grant, as
/// for one that does not exist), one naming no customer unless admin at
/// the vendor root (403 [`CUSTOMER_REQUIRED`]), one with more seats than it
/// is entitled to unless finance there (403 [`SEATS_RAISE_FORBIDDEN`]).
pub(crate) async fn check_new_license(
    s: &AppState,
    staff: &Staff,
    license: &LicenseRecord,
    policy: &Policy,
) -> ApiResult<()> {
    let customer = license.customer_id.as_deref();
    let no_customer =
        customer.is_none() && staff.holding(&[Admin], &Placement::Vendor).next().is_none();
    if no_customer {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            CUSTOMER_REQUIRED,
            "a license naming no customer is an admin's act: name its customer node (customer_id)",
        ));
    }
    named(staff.allow_at(s, WRITERS, customer), "no such customer").await?;
    let scope = (policy, customer);
    check_seats(
        s,
        staff,
        "license",
        LICENSE_RAISERS,
        scope,
        license.seats,
        None,
    )
    .await
}
