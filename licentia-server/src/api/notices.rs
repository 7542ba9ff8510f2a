//! Routes for notices: subscriptions to notice kinds, the notifications the
//! jobs wrote and their delivery log, and a run of the jobs on demand.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::api::idempotency::idempotent;
use crate::api::{Created, Listed, Listing, Reply, READERS};
use crate::egress::EgressError;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Body, IdempotencyKey, Staff};
use crate::routes::{Access, Route};
use crate::secret;
use crate::store::*;
use crate::{jobs, AppState};

/// The routes of this part of the API.
pub(crate) fn routes() -> Vec<Route> {
    use Access::Token;
    vec![
        Route::post("/v1/notice-subscriptions", Token, "Subscribe a webhook (admin; https:// or http://, never an internal address unless allowed by webhook_allow) or an e-mail address (admin, or a role for itself) to notice kinds (Idempotency-Key; a webhook's signing secret is shown once)", create_subscription),
        Route::get("/v1/notice-subscriptions", Token, "List notice subscriptions (admin: all, filter role; others: their role's)", list_subscriptions),
        Route::delete("/v1/notice-subscriptions/{id}", Token, "Delete a notice subscription; its pending deliveries are cancelled (admin, or its role)", delete_subscription),
        Route::get("/v1/notifications", Token, "Notifications the jobs wrote, newest first (filters: kind, subject)", list_notifications),
        Route::get("/v1/notifications/{id}/deliveries", Token, "A notification's deliveries, each with its attempts", deliveries),
        Route::post("/v1/jobs/run", Token, "Run the jobs now: notices due on a day (default today), purge, deliveries (admin)", run_jobs),
    ]
}

/// `POST /v1/notice-subscriptions` body.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSubscription {
    /// The notice kinds to receive.
    kinds: Vec<String>,
    /// Where to POST them (signed): an `https://` (or `http://`) URL; admin only.
    webhook_url: Option<String>,
    /// Contact e-mail.
    email: Option<String>,
    /// Deliver to the accounts holding this role.
    role: Option<Role>,
}

/// A new notice subscription.
#[derive(Serialize, JsonSchema)]
struct SubscriptionCreated {
    /// The subscription.
    subscription: NoticeSubscription,
    /// A webhook's signing secret, shown only here (and in replays of this
    /// answer); null for an e-mail address.
    secret: Option<String>,
}

/// The grant by which the caller manages subscriptions of `role` at
/// `placement` (the one nearest the root): an admin's any, another role's
/// only its own; 403 when it holds none.
fn managing<'a>(
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

/// `POST /v1/notice-subscriptions`: a webhook's secret is in this answer only.
async fn create_subscription(
    State(s): State<AppState>,
    staff: Staff,
    key: IdempotencyKey,
    body: Body<NewSubscription>,
) -> ApiResult<Created<SubscriptionCreated>> {
    let req = body.value;
    let node = managing(&staff, req.role, &Placement::Catalogue)?
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
            (Some(checked_url(&s, url).await?), None)
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
    let actor = staff.actor();
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
        created_by: actor.clone(),
    };
    let shown = secret.clone();
    let render = move |sub: &NoticeSubscription| SubscriptionCreated {
        subscription: sub.clone(),
        secret: shown.clone(),
    };
    idempotent(
        &s,
        &key,
        "notice-subscription",
        &actor,
        &body.hash,
        render,
        |idem| {
            s.store
                .create_notice_subscription(subscription, secret, idem)
        },
    )
    .await
}

#[derive(Deserialize, JsonSchema)]
struct SubscriptionQuery {
    role: Option<Role>,
}

/// `GET /v1/notice-subscriptions`.
async fn list_subscriptions(
    State(s): State<AppState>,
    staff: Staff,
    Listing { filter: q, page }: Listing<SubscriptionQuery>,
) -> ApiResult<Reply<Listed<NoticeSubscription>>> {
    let scope = staff.scope(READERS)?;
    let role = if staff.grants.iter().any(|g| g.role == Role::Admin) {
        q.role
    } else {
        staff.grants.first().map(|g| g.role)
    };
    Listed::fetch(&page, |p| {
        s.store.list_notice_subscriptions(&scope, role, p)
    })
    .await
}

/// A notice subscription deleted.
#[derive(Serialize, JsonSchema)]
struct SubscriptionDeleted {
    /// Its id.
    id: String,
    /// Always true.
    deleted: bool,
}

/// `DELETE /v1/notice-subscriptions/{id}`.
async fn delete_subscription(
    State(s): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> ApiResult<Reply<SubscriptionDeleted>> {
    let subscription = s.store.notice_subscription(&id).await?;
    managing(&staff, subscription.role, &staff.placement())?;
    s.store
        .delete_notice_subscription(&id, &staff.actor())
        .await?;
    Ok(Reply::Fresh(SubscriptionDeleted { id, deleted: true }))
}

#[derive(Deserialize, JsonSchema)]
struct NotificationQuery {
    kind: Option<String>,
    subject: Option<String>,
}

/// `GET /v1/notifications`.
async fn list_notifications(
    State(s): State<AppState>,
    staff: Staff,
    Listing { filter: q, page }: Listing<NotificationQuery>,
) -> ApiResult<Reply<Listed<Notification>>> {
    let scope = staff.scope(READERS)?;
    let filter = NotificationFilter {
        kind: q.kind,
        subject: q.subject,
    };
    Listed::fetch(&page, |p| s.store.list_notifications(&scope, &filter, p)).await
}

/// A notification and its deliveries.
#[derive(Serialize, JsonSchema)]
struct NotificationDeliveries {
    /// The notification.
    notification: Notification,
    /// Its delivery to each subscription, each with its attempts.
    items: Vec<Delivery>,
}

/// `GET /v1/notifications/{id}/deliveries`.
async fn deliveries(
    State(s): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> ApiResult<Reply<NotificationDeliveries>> {
    staff.read()?;
    let notification = s.store.notification(&id).await?;
    let items = s.store.deliveries(&id).await?;
    Ok(Reply::Fresh(NotificationDeliveries {
        notification,
        items,
    }))
}

/// `POST /v1/jobs/run` body (optional).
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RunRequest {
    /// The day to run for, `YYYY-MM-DD` (default: today in the configured zone).
    date: Option<String>,
}

/// `POST /v1/jobs/run` (admin): the jobs for `date` (default today in the
/// configured zone); the report.
async fn run_jobs(
    State(s): State<AppState>,
    staff: Staff,
    body: Option<Body<RunRequest>>,
) -> ApiResult<Reply<jobs::JobReport>> {
    staff.allow(&[Role::Admin])?;
    let date = match body.and_then(|b| b.value.date) {
        Some(text) => NaiveDate::parse_from_str(&text, "%Y-%m-%d")
            .map_err(|_| ApiError::invalid(format!("'{text}' is not a date (YYYY-MM-DD)")))?,
        None => jobs::today(&s.config).map_err(ApiError::internal)?,
    };
    Ok(Reply::Fresh(jobs::run(&s, date, &staff.actor()).await?))
}
