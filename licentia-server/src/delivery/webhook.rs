//! Posting a notification to a webhook, through the guarded client
//! ([`crate::egress`]): signed, with its id for deduplication.

use super::signature::{signature_header, NOTIFICATION_ID_HEADER, SIGNATURE_HEADER};
use super::Failure;
use crate::egress::{Egress, EgressError};

/// POSTs `body` (the notification `notification_id`, as JSON) to `url`,
/// signed with `secret` at `t`; the HTTP status when 2xx.
pub(super) async fn post(
    egress: &Egress,
    url: &str,
    secret: &str,
    t: i64,
    body: &str,
    notification_id: &str,
) -> Result<i64, Failure> {
    let response = egress
        .request(reqwest::Method::POST, url)
        .map_err(|e| Failure::http(None, e))?
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(
            SIGNATURE_HEADER,
            signature_header(secret.as_bytes(), t, body),
        )
        .header(NOTIFICATION_ID_HEADER, notification_id)
        .body(body.to_owned())
        .send()
        .await
        .map_err(|e| Failure::http(None, EgressError::Http(e.without_url())))?;
    let status = response.status();
    if status.is_success() {
        Ok(i64::from(status.as_u16()))
    } else {
        Err(Failure::http(
            Some(i64::from(status.as_u16())),
            format!("the webhook answered {status}"),
        ))
    }
}
