//! Delivering notifications: to the subscribed webhooks and e-mail
//! addresses. Deliveries are claimed before each attempt, so two instances
//! never attempt the same one at once; a failed attempt is retried with
//! exponential backoff.
//!
//! Webhooks get the notification as a JSON body, `POST`ed with
//! `Licentia-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret,
//! "<t>.<body>")>` ([`verify_signature`] checks one). Delivery is at least
//! once: a receiver that answered 2xx too slowly may see a notification
//! again, and deduplicates by its `id` (also sent as
//! `Licentia-Notification-Id`). Only `http://` URLs are supported (there is
//! no TLS client here: put a TLS-terminating relay in front of an `https`
//! receiver). E-mail goes to an SMTP relay in plain text, without STARTTLS
//! or authentication.

use std::time::Duration;

use hmac::{Hmac, Mac};
use schemars::JsonSchema;
use serde::Serialize;
use sha2::Sha256;

use crate::config::Config;
use crate::error::{ApiError, ApiResult};
use crate::secret;
use crate::store::*;
use crate::AppState;
use licentia::Timestamp;

/// The header carrying a webhook body's signature.
pub const SIGNATURE_HEADER: &str = "licentia-signature";

/// The header carrying the notification's id, for deduplication.
pub const NOTIFICATION_ID_HEADER: &str = "licentia-notification-id";

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
            let store = store.clone();
            let config = state.config.clone();
            tasks.spawn(async move { deliver_one(store.as_ref(), &config, &id, at).await });
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
async fn deliver_one(
    store: &dyn Store,
    config: &Config,
    id: &str,
    at: Timestamp,
) -> ApiResult<Option<&'static str>> {
    let timeout = Duration::from_secs(config.webhook_timeout_secs);
    let until = at.0.saturating_add(2 * timeout.as_secs() as i64 + 60);
    let Some(claimed) = store.claim_delivery(id, at.0, until).await? else {
        return Ok(None);
    };
    let body = serde_json::to_string(&claimed.notification).map_err(ApiError::internal)?;
    let sent = match &claimed.target {
        Target::Webhook { url, secret } => {
            let signature = signature_header(secret.as_bytes(), at.0, &body);
            tokio::time::timeout(
                timeout,
                post_webhook(url, &body, &signature, &claimed.notification.id),
            )
            .await
            .unwrap_or_else(|_| Err((None, "the webhook did not answer in time".into())))
        }
        Target::Email(to) => match (&config.smtp_host, &config.smtp_from) {
            (Some(host), Some(from)) => tokio::time::timeout(
                timeout,
                smtp::send(
                    host,
                    config.smtp_port,
                    from,
                    to,
                    &mail_text(from, to, &claimed.notification, &body, at),
                ),
            )
            .await
            .unwrap_or_else(|_| Err((None, "the SMTP relay did not answer in time".into()))),
            _ => Err((None, "no SMTP relay is configured (smtp_host)".into())),
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
        Err((code, error)) => {
            tracing::warn!(delivery = %claimed.id, attempt = claimed.attempt, %error, "notice delivery failed");
            let last = claimed.attempt >= i64::from(config.delivery_max_attempts);
            (
                if last { "failed" } else { "pending" },
                DeliveryAttempt {
                    attempt: claimed.attempt,
                    at: at.0,
                    status_code: code,
                    error: Some(error),
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

/// HMAC-SHA256(secret, "<t>.<body>").
fn mac(secret: &[u8], t: i64, body: &str) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(format!("{t}.").as_bytes());
    mac.update(body.as_bytes());
    mac
}

/// The `Licentia-Signature` value for `body` sent at `t` (Unix seconds).
pub fn signature_header(secret: &[u8], t: i64, body: &str) -> String {
    format!(
        "t={t},v1={}",
        secret::hex(&mac(secret, t, body).finalize().into_bytes())
    )
}

/// Checks a `Licentia-Signature` value against `body`: true when its `v1`
/// is the HMAC of `"<t>.<body>"` under `secret` (compared in constant time)
/// and its `t` is within `tolerance_secs` of `now`.
pub fn verify_signature(
    secret: &[u8],
    header: &str,
    body: &str,
    now: i64,
    tolerance_secs: i64,
) -> bool {
    let mut t = None;
    let mut v1 = None;
    for part in header.split(',') {
        match part.split_once('=') {
            Some(("t", value)) => t = value.parse::<i64>().ok(),
            Some(("v1", value)) => v1 = Some(value),
            _ => {}
        }
    }
    let (Some(t), Some(v1)) = (t, v1) else {
        return false;
    };
    let Some(given) = secret::unhex(v1) else {
        return false;
    };
    now.abs_diff(t) <= tolerance_secs.unsigned_abs()
        && mac(secret, t, body).verify_slice(&given).is_ok()
}

/// POSTs `body` to an `http://` URL; the status when 2xx, else the status
/// (if any) and why.
async fn post_webhook(
    url: &str,
    body: &str,
    signature: &str,
    notification_id: &str,
) -> Result<i64, (Option<i64>, String)> {
    use axum::http::{header, Request, Uri};
    let fail = |e: &dyn std::fmt::Display| (None, e.to_string());
    let uri: Uri = url.parse().map_err(|e| fail(&e))?;
    let host = uri.host().ok_or_else(|| fail(&"the URL names no host"))?;
    let port = uri.port_u16().unwrap_or(80);
    let stream = tokio::net::TcpStream::connect((host.trim_matches(['[', ']']), port))
        .await
        .map_err(|e| fail(&e))?;
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
            .await
            .map_err(|e| fail(&e))?;
    tokio::spawn(async move {
        // The connection ends with the exchange; its error is the request's.
        let _ = connection.await;
    });
    let request = Request::post(uri.path_and_query().map_or("/", |p| p.as_str()))
        .header(header::HOST, uri.authority().map_or(host, |a| a.as_str()))
        .header(header::CONTENT_TYPE, "application/json")
        .header(
            header::USER_AGENT,
            concat!("licentia/", env!("CARGO_PKG_VERSION")),
        )
        .header(SIGNATURE_HEADER, signature)
        .header(NOTIFICATION_ID_HEADER, notification_id)
        .body(body.to_owned())
        .map_err(|e| fail(&e))?;
    let response = sender.send_request(request).await.map_err(|e| fail(&e))?;
    let status = i64::from(response.status().as_u16());
    if response.status().is_success() {
        Ok(status)
    } else {
        Err((
            Some(status),
            format!("the webhook answered {}", response.status()),
        ))
    }
}

/// The e-mail for a notification: a line saying what it is, then its JSON.
fn mail_text(from: &str, to: &str, n: &Notification, body: &str, at: Timestamp) -> String {
    let date = at.to_datetime().map(|d| d.to_rfc2822()).unwrap_or_default();
    format!(
        "From: <{from}>\r\nTo: <{to}>\r\nSubject: [licentia] {kind} {subject} ({due})\r\n\
         Date: {date}\r\nMessage-ID: <{id}@licentia>\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n\
         {kind}: {subject}, {lead} days before {due}.\r\n\r\n{body}\r\n",
        kind = n.kind,
        subject = n.subject,
        due = n.due_on,
        lead = n.lead_days,
        id = n.id,
    )
}

/// A minimal SMTP client: one message per connection, plain TCP, no
/// STARTTLS, no authentication (a local relay does the rest).
mod smtp {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    use tokio::net::TcpStream;

    type Reply = Result<i64, (Option<i64>, String)>;

    /// Sends `message` (headers and body, CRLF lines) from `from` to `to`;
    /// the final reply code when accepted.
    pub(super) async fn send(host: &str, port: u16, from: &str, to: &str, message: &str) -> Reply {
        let stream = TcpStream::connect((host, port))
            .await
            .map_err(|e| (None, format!("cannot reach the SMTP relay: {e}")))?;
        let (read, mut write) = stream.into_split();
        let mut read = BufReader::new(read);
        expect(&mut read, 220).await?;
        for (line, want) in [
            ("EHLO licentia\r\n".to_owned(), 250),
            (format!("MAIL FROM:<{from}>\r\n"), 250),
            (format!("RCPT TO:<{to}>\r\n"), 250),
            ("DATA\r\n".to_owned(), 354),
        ] {
            write_all(&mut write, &line).await?;
            expect(&mut read, want).await?;
        }
        // Dot-stuffing: a line starting with '.' gets another.
        let mut data = String::with_capacity(message.len() + 8);
        for line in message.split("\r\n") {
            if line.starts_with('.') {
                data.push('.');
            }
            data.push_str(line);
            data.push_str("\r\n");
        }
        data.push_str(".\r\n");
        write_all(&mut write, &data).await?;
        let accepted = expect(&mut read, 250).await?;
        // The message is accepted; a failed goodbye changes nothing.
        let _ = write_all(&mut write, "QUIT\r\n").await;
        Ok(accepted)
    }

    async fn write_all(
        write: &mut tokio::net::tcp::OwnedWriteHalf,
        text: &str,
    ) -> Result<(), (Option<i64>, String)> {
        write
            .write_all(text.as_bytes())
            .await
            .map_err(|e| (None, format!("SMTP: {e}")))
    }

    /// Reads a (possibly multi-line) reply; refused unless its code is `want`.
    async fn expect(read: &mut BufReader<tokio::net::tcp::OwnedReadHalf>, want: i64) -> Reply {
        loop {
            let mut line = String::new();
            if read
                .read_line(&mut line)
                .await
                .map_err(|e| (None, format!("SMTP: {e}")))?
                == 0
            {
                return Err((None, "SMTP: the relay closed the connection".into()));
            }
            let code = line
                .get(..3)
                .and_then(|c| c.parse::<i64>().ok())
                .ok_or_else(|| (None, format!("SMTP: not a reply: {}", line.trim_end())))?;
            // "250-..." continues, "250 ..." ends the reply.
            if line.as_bytes().get(3) == Some(&b'-') {
                continue;
            }
            return if code == want {
                Ok(code)
            } else {
                Err((Some(code), format!("SMTP: {}", line.trim_end())))
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_only_with_its_secret_body_and_time() {
        let header = signature_header(b"whsec_a", 1_800_000_000, "{\"id\":1}");
        assert!(header.starts_with("t=1800000000,v1="));
        assert!(verify_signature(
            b"whsec_a",
            &header,
            "{\"id\":1}",
            1_800_000_100,
            300
        ));
        assert!(!verify_signature(
            b"whsec_b",
            &header,
            "{\"id\":1}",
            1_800_000_100,
            300
        ));
        assert!(!verify_signature(
            b"whsec_a",
            &header,
            "{\"id\":2}",
            1_800_000_100,
            300
        ));
        assert!(!verify_signature(
            b"whsec_a",
            &header,
            "{\"id\":1}",
            1_800_001_000,
            300
        ));
        let moved = header.replace("t=1800000000", "t=1800000001");
        assert!(!verify_signature(
            b"whsec_a",
            &moved,
            "{\"id\":1}",
            1_800_000_100,
            300
        ));
        assert!(!verify_signature(b"whsec_a", "t=1,v1=zz", "{}", 1, 300));
        assert!(!verify_signature(b"whsec_a", "garbage", "{}", 1, 300));
    }

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
