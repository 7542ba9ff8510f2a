//! Notice subscriptions: who may make and end them, and what a webhook or
//! an e-mail address must be. The JSON API (with its `Idempotency-Key`)
//! and the console both build and delete them here.

use axum::http::StatusCode;
use schemars::JsonSchema;
use serde::Deserialize;

use crate::egress::EgressError;
use crate::error::{ApiError, ApiResult};
use crate::secret;
use crate::staff::Staff;
use crate::store::{Grant, NoticeSubscription, Placement, Role, NOTICE_KINDS};
use crate::AppState;

/// `POST /v1/notice-subscriptions` body.
#[derive(Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct NewSubscription {
    /// The notice kinds to receive.
    pub(crate) kinds: Vec<String>,
    /// Where to POST them (signed): an `https://` (or `http://`) URL; admin only.
    pub(crate) webhook_url: Option<String>,
    /// Contact e-mail.
    pub(crate) email: Option<String>,
    /// Deliver to the accounts holding this role.
    pub(crate) role: Option<Role>,
}

/// The grant by which the caller manages subscriptions of `role` at
/// `placement` (the one nearest the root): an admin's any, another role's
/// only its own; 403 when it holds none.
pub(crate) fn managing<'a>(
    staff: &'a Staff,
    role: Option<Role>,
    placement: &'a Placement,
) -> Result<&'a Grant, ApiError> {
    let own = role
        .map(|r| vec![Role::Admin, r])
        .unwrap_or(vec![Role::Admin]);
    staff
        .grants
        .iter()
        .filter(|g| {
            own.contains(&g.role) && staff.holding(&[g.role], placement).any(|h| h.id == g.id)
        })
        .min_by_key(|g| g.customer_id.is_some())
        .ok_or_else(|| {
            ApiError::forbidden(
                "an admin manages any subscription, another role only those with its own \"role\"",
            )
        })
}

/// The notice kinds asked for, each known and given once.
pub(crate) fn checked_kinds(kinds: &[String]) -> Result<Vec<String>, ApiError> {
    if kinds.is_empty() {
        return Err(ApiError::invalid("'kinds' names at least one notice kind"));
    }
    let mut out: Vec<String> = Vec::new();
    for kind in kinds {
        if !NOTICE_KINDS.contains(&kind.as_str()) {
            return Err(ApiError::invalid(format!(
                "'{kind}' is not a notice kind: expected one of {}",
                NOTICE_KINDS.join(", ")
            )));
        }
        if out.contains(kind) {
            return Err(ApiError::invalid(format!("'{kind}' is given twice")));
        }
        out.push(kind.clone());
    }
    Ok(out)
}

/// A webhook URL as the guarded client will request it: `https://` (or
/// `http://`), no credentials, and not an internal address unless the
/// operator allowed it (`webhook_allow`); a host name is resolved and each of
/// its addresses checked (again at every delivery).
async fn checked_url(s: &AppState, url: &str) -> Result<String, ApiError> {
    match s.outbound.webhooks.check_target(url).await {
        Ok(_) => Ok(url.to_owned()),
        Err(EgressError::Refused(why)) => Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "webhook_refused",
            format!("'webhook_url' is refused: {why}"),
        )),
        Err(why) => Err(ApiError::invalid(format!("'webhook_url' {why}"))),
    }
}

fn checked_email(email: &str) -> Result<String, ApiError> {
    let plain = email.len() <= 254
        && !email
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>,;\"".contains(c))
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !domain.contains('@')
        });
    if plain {
        Ok(email.to_owned())
    } else {
        Err(ApiError::invalid(format!(
            "'{email}' is not an e-mail address such as ops@example.com"
        )))
    }
}

/// A new subscription, checked, and a webhook's signing secret (shown
/// once): the record to store.
pub(crate) async fn new_subscription(
    s: &AppState,
    staff: &Staff,
    req: &NewSubscription,
) -> ApiResult<(NoticeSubscription, Option<String>)> {
    let node = managing(staff, req.role, &Placement::Catalogue)?
        .customer_id
        .clone();
    let kinds = checked_kinds(&req.kinds)?;
    let (webhook_url, email) = match (&req.webhook_url, &req.email) {
        (Some(url), None) => {
            // A webhook makes the server send requests where it is told:
            // only the admin decides where.
            if staff
                .holding(&[Role::Admin], &Placement::Vendor)
                .next()
                .is_none()
            {
                return Err(ApiError::forbidden(
                    "only the admin role at the vendor root subscribes webhooks; others subscribe an e-mail address",
                ));
            }
            (Some(checked_url(s, url).await?), None)
        }
        (None, Some(email)) => {
            if s.config.smtp_host.is_none() {
                return Err(ApiError::invalid(
                    "e-mail notices need an SMTP relay: set smtp_host and smtp_from in the configuration",
                ));
            }
            (None, Some(checked_email(email)?))
        }
        _ => {
            return Err(ApiError::invalid(
                "give exactly one of 'webhook_url' and 'email'",
            ))
        }
    };
    let secret = webhook_url
        .is_some()
        .then(|| format!("whsec_{}", secret::hex(&rand::random::<[u8; 32]>())));
    let subscription = NoticeSubscription {
        id: secret::new_id("nsb"),
        kinds,
        webhook_url,
        email,
        role: req.role,
        customer_id: node,
        account_id: None,
        lead_months: None,
        created_at: licentia::Timestamp::now().0,
        created_by: staff.actor(),
    };
    Ok((subscription, secret))
}

/// Deletes subscription `id` (admin, or its role); its pending deliveries
/// are cancelled.
pub(crate) async fn delete_subscription(s: &AppState, staff: &Staff, id: &str) -> ApiResult<()> {
    let subscription = s.store.notice_subscription(id).await?;
    managing(staff, subscription.role, &staff.placement())?;
    s.store
        .delete_notice_subscription(id, &staff.actor())
        .await?;
    Ok(())
}

/// The live subscriptions the caller sees: an admin all (or those of
/// `role`), another role its own role's; within the caller's part of the
/// tree.
pub(crate) async fn list_subscriptions(
    s: &AppState,
    staff: &Staff,
    role: Option<Role>,
    page: crate::store::Page,
) -> ApiResult<crate::store::Rows<NoticeSubscription>> {
    let scope = staff.scope(crate::api::READERS)?;
    let role = if staff.grants.iter().any(|g| g.role == Role::Admin) {
        role
    } else {
        staff.grants.first().map(|g| g.role)
    };
    Ok(s.store
        .list_notice_subscriptions(&scope, role, page)
        .await?)
}
