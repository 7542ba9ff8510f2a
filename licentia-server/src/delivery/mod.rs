//! Delivering notifications: to the subscribed webhooks and e-mail
//! addresses. Deliveries are claimed before each attempt, so two instances
//! never attempt the same one at once; a failed attempt is retried with
//! exponential backoff.
//!
//! Webhooks get the notification as a JSON body, `POST`ed through the
//! guarded client of [`crate::egress`] (`https://` with rustls, or
//! `http://`; never to an internal address the operator did not allow, no
//! redirects) with `Licentia-Signature: t=<unix seconds>,v1=<hex
//! HMAC-SHA256(secret, "<t>.<body>")>` ([`verify_signature`] checks one).
//! Delivery is at least once: a receiver that answered 2xx too slowly may
//! see a notification again, and deduplicates by its `id` (also sent as
//! `Licentia-Notification-Id`). E-mail goes through the SMTP relay on
//! lettre ([`Mailer`]). A failed attempt is stored as "delivery failed"
//! (with the class of the status, if one came): what went wrong — an
//! address, a TLS or SMTP message — goes to the log only, so the delivery
//! log tells a reader nothing about the network behind the server.

mod mail;
mod signature;
mod webhook;

use std::time::Duration;

use schemars::JsonSchema;
use serde::Serialize;

use crate::config::Config;
use crate::egress::{Allowlist, Egress};
use crate::error::{ApiError, ApiResult};
use crate::store::*;
use crate::AppState;
use licentia::Timestamp;

pub use mail::Mailer;
pub use signature::{signature_header, verify_signature, NOTIFICATION_ID_HEADER, SIGNATURE_HEADER};

/// Where deliveries go out: the guarded HTTP client for webhooks, and the
/// SMTP relay when one is configured. Built once, at start.
#[derive(Clone)]
pub struct Outbound {
    /// The webhooks' client.
    pub webhooks: Egress,
    /// The e-mail relay.
    pub mail: Option<Mailer>,
}

impl Outbound {
    /// What `config` sets up: `webhook_allow`, `webhook_ca_file`,
    /// `webhook_timeout_secs` and the `smtp_*` settings.
    pub fn from_config(config: &Config) -> Result<Outbound, String> {
        let allow =
            Allowlist::parse(&config.webhook_allow).map_err(|e| format!("webhook_allow: {e}"))?;
        let webhooks = Egress::new(
            allow,
            config.webhook_ca_file.as_deref(),
            Duration::from_secs(config.webhook_timeout_secs),
        )?;
        Ok(Outbound {
            webhooks,
            mail: Mailer::from_config(config)?,
        })
    }
}

/// A failed attempt: the reply code if one came, and what went wrong (for
/// the log only).
pub(crate) struct Failure {
    protocol: &'static str,
    code: Option<i64>,
    detail: String,
}

impl Failure {
    fn http(code: Option<i64>, detail: impl std::fmt::Display) -> Failure {
        Failure {
            protocol: "HTTP",
            code,
            detail: detail.to_string(),
        }
    }

    fn smtp(code: Option<i64>, detail: impl std::fmt::Display) -> Failure {
        Failure {
            protocol: "SMTP",
            code,
            detail: detail.to_string(),
        }
    }

    /// What went wrong, for the log.
    pub(crate) fn detail(&self) -> &str {
        &self.detail
    }

    /// What the delivery log keeps: nothing about the network or the relay.
    fn stored(&self) -> String {
        match self.code {
            Some(code) => format!("delivery failed ({} {}xx)", self.protocol, code / 100),
            None => "delivery failed".to_owned(),
        }
    }
}

/// Longest delay between two attempts of a delivery.
const MAX_BACKOFF_SECS: u64 = 86_400;

/// Deliveries claimed per batch.
const BATCH: i64 = 100;

/// What one delivery pass did.
#[derive(Debug, Clone, Copy, Default, Serialize, JsonSchema)]
pub struct DeliveryReport {
    /// Attempts that succeeded.
    pub delivered: u64,
    /// Attempts that failed and will be retried.
    pub retrying: u64,
    /// Attempts that failed for the last time.
    pub failed: u64,
}

/// Attempts every delivery due at `at` (in batches, concurrently within a
/// batch), recording each attempt in the delivery log.
pub async fn deliver(state: &AppState, at: Timestamp) -> ApiResult<DeliveryReport> {
    let store = &state.store;
    let mut report = DeliveryReport::default();
    loop {
        let due = store.due_deliveries(at.0, BATCH).await?;
        if due.is_empty() {
            return Ok(report);
        }
        let mut tasks = tokio::task::JoinSet::new();
        for id in due {
            let state = state.clone();
            tasks.spawn(async move { deliver_one(&state, &id, at).await });
        }
        let mut progressed = false;
        while let Some(done) = tasks.join_next().await {
            match done.map_err(ApiError::internal)?? {
                Some("delivered") => report.delivered += 1,
                Some("pending") => report.retrying += 1,
                Some(_) => report.failed += 1,
                None => continue,
            }
            progressed = true;
        }
        // Every due row was claimed elsewhere: that instance delivers them.
        if !progressed {
            return Ok(report);
        }
    }
}

/// Claims and attempts one delivery; its new status, or None when another
/// instance holds it.
async fn deliver_one(state: &AppState, id: &str, at: Timestamp) -> ApiResult<Option<&'static str>> {
    let (store, config, outbound) = (state.store.as_ref(), &state.config, &state.outbound);
    let timeout = Duration::from_secs(config.webhook_timeout_secs);
    let until = at.0.saturating_add(2 * timeout.as_secs() as i64 + 60);
    let Some(claimed) = store.claim_delivery(id, at.0, until).await? else {
        return Ok(None);
    };
    let body = serde_json::to_string(&claimed.notification).map_err(ApiError::internal)?;
    let notification = &claimed.notification;
    let sent = match &claimed.target {
        Target::Webhook { url, secret } => tokio::time::timeout(
            timeout,
            webhook::post(
                &outbound.webhooks,
                url,
                secret,
                at.0,
                &body,
                &notification.id,
            ),
        )
        .await
        .unwrap_or_else(|_| Err(Failure::http(None, "the webhook did not answer in time"))),
        Target::Email(to) => match &outbound.mail {
            Some(mailer) => tokio::time::timeout(timeout, mailer.send(to, notification, &body, at))
                .await
                .unwrap_or_else(|_| {
                    Err(Failure::smtp(None, "the SMTP relay did not answer in time"))
                }),
            None => Err(Failure::smtp(
                None,
                "no SMTP relay is configured (smtp_host)",
            )),
        },
    };
    let (status, attempt) = match sent {
        Ok(code) => (
            "delivered",
            DeliveryAttempt {
                attempt: claimed.attempt,
                at: at.0,
                status_code: Some(code),
                error: None,
                next_attempt_at: None,
            },
        ),
        Err(failure) => {
            tracing::warn!(
                delivery = %claimed.id,
                attempt = claimed.attempt,
                error = %failure.detail,
                "notice delivery failed"
            );
            let last = claimed.attempt >= i64::from(config.delivery_max_attempts);
            (
                if last { "failed" } else { "pending" },
                DeliveryAttempt {
                    attempt: claimed.attempt,
                    at: at.0,
                    status_code: failure.code,
                    error: Some(failure.stored()),
                    next_attempt_at: (!last)
                        .then(|| at.0.saturating_add(backoff(config, claimed.attempt))),
                },
            )
        }
    };
    store
        .finish_delivery(
            &claimed.id,
            &claimed.claim,
            AttemptResult { attempt, status },
        )
        .await?;
    Ok(Some(status))
}

/// Seconds before the attempt after attempt number `attempt`: the base,
/// doubled at each further attempt, capped at a day.
fn backoff(config: &Config, attempt: i64) -> i64 {
    let doublings = u32::try_from(attempt.saturating_sub(1))
        .unwrap_or(u32::MAX)
        .min(20);
    let secs = config
        .delivery_backoff_secs
        .saturating_mul(1 << doublings)
        .min(MAX_BACKOFF_SECS);
    secs as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_stops_at_a_day() {
        let config = Config {
            delivery_backoff_secs: 60,
            ..Config::default()
        };
        let delays: Vec<i64> = (1..=5).map(|a| backoff(&config, a)).collect();
        assert_eq!(delays, [60, 120, 240, 480, 960]);
        assert_eq!(backoff(&config, 40), 86_400);
    }
}
