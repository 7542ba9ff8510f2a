//! The request id: taken from the caller's `X-Request-Id` when it is well
//! formed (a proxy in front, or a client correlating its own calls), made
//! fresh (a UUID) otherwise, and echoed on the answer.

use axum::extract::Request;
use axum::http::header::{HeaderName, CONTENT_LENGTH, CONTENT_TYPE};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_http::request_id::RequestId;

use crate::error::PROBLEM_JSON;

/// The header that carries the request id, both ways.
pub(crate) const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Longest request id taken from a caller.
const MAX_LEN: usize = 128;

/// Largest problem document the id is written into (they are a few hundred bytes).
const MAX_PROBLEM_BYTES: usize = 64 * 1024;

/// Whether a caller's id may be used as it is: short, and made of
/// characters that cannot break a log line or a header (UUIDs, hex,
/// base64, `Root=1-...` trace ids).
fn well_formed(id: &[u8]) -> bool {
    (1..=MAX_LEN).contains(&id.len())
        && id
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:=+/@".contains(b))
}

/// Drops an incoming id that is not [`well_formed`], so a fresh one is made.
pub(crate) async fn drop_malformed(mut request: Request) -> Request {
    if request
        .headers()
        .get(&REQUEST_ID)
        .is_some_and(|id| !well_formed(id.as_bytes()))
    {
        request.headers_mut().remove(&REQUEST_ID);
    }
    request
}

/// The request's id, as set by the request-id layer.
pub(crate) fn of<B>(request: &axum::http::Request<B>) -> &str {
    request
        .extensions()
        .get::<RequestId>()
        .and_then(|id| id.header_value().to_str().ok())
        .unwrap_or("-")
}

/// Adds `request_id` to problem documents, so a caller reporting an error
/// quotes the id that finds its log lines.
pub(crate) async fn stamp_problem(request: Request, next: Next) -> Response {
    let id = of(&request).to_owned();
    let response = next.run(request).await;
    let is_problem = response
        .headers()
        .get(CONTENT_TYPE)
        .is_some_and(|t| t.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
    if !is_problem {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_PROBLEM_BYTES).await else {
        // Larger than any problem the server writes, or a body that failed.
        return crate::error::ApiError::internal("a problem document could not be read")
            .into_response();
    };
    let bytes = match serde_json::from_slice::<serde_json::Value>(&bytes) {
        Ok(serde_json::Value::Object(mut doc)) => {
            doc.insert("request_id".into(), id.into());
            serde_json::Value::Object(doc)
                .to_string()
                .into_bytes()
                .into()
        }
        _ => bytes,
    };
    parts.headers.remove(CONTENT_LENGTH);
    Response::from_parts(parts, axum::body::Body::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::well_formed;

    #[test]
    fn ids_that_could_forge_log_lines_or_flood_them_are_not_taken() {
        assert!(well_formed(b"4f8c1c7e-4a8b-4c7a-9d59-0b5f1b1f2c3d"));
        assert!(well_formed(b"Root=1-67891233-abcdef012345678912345678"));
        assert!(!well_formed(b""));
        assert!(!well_formed(b"a b"));
        assert!(!well_formed(b"id\" status=200"));
        assert!(!well_formed(&[b'a'; 129]));
    }
}
