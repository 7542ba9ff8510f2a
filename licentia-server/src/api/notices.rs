//! Routes for notices: subscriptions to notice kinds, the notifications the
//! jobs wrote and their delivery log, and a run of the jobs on demand.

use axum::extract::{Path, State};
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::api::idempotency::idempotent;
use crate::api::{Created, Listed, Listing, Reply, READERS};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Body, IdempotencyKey, Staff};
use crate::routes::{Access, Route};
use crate::service::notices::{self, NewSubscription};
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

/// A new notice subscription.
#[derive(Serialize, JsonSchema)]
struct SubscriptionCreated {
    /// The subscription.
    subscription: NoticeSubscription,
    /// A webhook's signing secret, shown only here (and in replays of this
    /// answer); null for an e-mail address.
    secret: Option<String>,
}

/// `POST /v1/notice-subscriptions`: a webhook's secret is in this answer only.
async fn create_subscription(
    State(s): State<AppState>,
    staff: Staff,
    key: IdempotencyKey,
    body: Body<NewSubscription>,
) -> ApiResult<Created<SubscriptionCreated>> {
    let (subscription, secret) = notices::new_subscription(&s, &staff, &body.value).await?;
    let actor = staff.actor();
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
    Listed::fetch(&page, |p| {
        notices::list_subscriptions(&s, &staff, q.role, p)
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
    notices::delete_subscription(&s, &staff, &id).await?;
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
