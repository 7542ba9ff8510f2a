//! CSRF for the console's forms. The session's CSRF token (made at sign-in,
//! only its hash stored) is kept in an HttpOnly, SameSite=Strict cookie the
//! pages copy into every form as `_csrf`; [`form_token`] moves it into the
//! `X-CSRF-Token` header, where the [`Staff`](crate::staff::Staff)
//! extractor checks it against the session as it does for the API. A form
//! posted without it is refused before its handler runs.
//!
//! The sign-in form, posted before any session exists, is guarded the same
//! way by a token of its own ([`SIGN_IN_COOKIE`]): no other site can sign a
//! browser in to an account of its choosing.

use axum::body::Body;
use axum::extract::Request;
use axum::http::header::{self, HeaderValue};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::staff::CSRF_HEADER;

/// The cookie holding the session's CSRF token, for the pages to copy.
pub(crate) const CSRF_COOKIE: &str = "licentia_csrf";
/// The cookie holding the sign-in form's own token.
pub(crate) const SIGN_IN_COOKIE: &str = "licentia_sign_in";
/// The form field (or, for a file upload, the query parameter) carrying it.
pub(crate) const FIELD: &str = "_csrf";
/// The largest form read to find its token (file uploads go by the query).
const MAX_FORM: usize = 1 << 20;

/// Moves a posted form's `_csrf` field into the `X-CSRF-Token` header.
/// A form is read whole (it is small: uploads carry the token in the
/// query instead) and handed on unchanged.
pub(crate) async fn form_token(req: Request, next: Next) -> Response {
    if req.method() != Method::POST || req.headers().contains_key(CSRF_HEADER) {
        return next.run(req).await;
    }
    let (mut parts, body) = req.into_parts();
    let from_query = parts.uri.query().and_then(|q| field(q.as_bytes()));
    let form = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let (token, body) = if form {
        let Ok(bytes) = axum::body::to_bytes(body, MAX_FORM).await else {
            return ApiError::new(
                axum::http::StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                "this form is larger than the console reads",
            )
            .into_response();
        };
        (field(&bytes).or(from_query), Body::from(bytes))
    } else {
        (from_query, body)
    };
    if let Some(value) = token.and_then(|t| HeaderValue::from_str(&t).ok()) {
        parts.headers.insert(CSRF_HEADER, value);
    }
    next.run(Request::from_parts(parts, body)).await
}

/// The `_csrf` value of a urlencoded form or query.
pub(crate) fn field(form: &[u8]) -> Option<String> {
    url::form_urlencoded::parse(form)
        .find(|(k, _)| k == FIELD)
        .map(|(_, v)| v.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_is_found_among_the_fields() {
        assert_eq!(field(b"a=1&_csrf=x%2By&b=2").as_deref(), Some("x+y"));
        assert_eq!(field(b"a=1&b=2"), None);
        assert_eq!(field(b"\xff\xfe=&&=="), None);
    }
}
