//! One error type for the whole server, answered as an RFC 9457 problem
//! document (`application/problem+json`). Internal errors are logged with
//! their cause and answered with a bare 500: nothing inside leaks out.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::store::{Fault, RefusalKind, StoreError};

/// Media type of error answers.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// What went wrong, as the client should see it.
#[derive(Debug)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// A stable slug, also the last part of the problem `type`.
    pub kind: &'static str,
    /// A sentence the caller can act on.
    pub detail: String,
    /// Extra members of the problem document (e.g. seats used).
    pub extra: Option<serde_json::Value>,
    /// Seconds after which a retry may succeed (`Retry-After`), for
    /// conditions that pass: rate limits, a database that is away.
    pub retry_after: Option<u64>,
}

/// Result of server operations.
pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    /// An error with a status, slug and detail.
    pub fn new(status: StatusCode, kind: &'static str, detail: impl Into<String>) -> ApiError {
        ApiError {
            status,
            kind,
            detail: detail.into(),
            extra: None,
            retry_after: None,
        }
    }

    /// Tells the client to retry after `seconds` (the `Retry-After` header).
    pub fn retry_after(mut self, seconds: u64) -> ApiError {
        self.retry_after = Some(seconds);
        self
    }

    /// Adds members to the problem document.
    pub fn with(mut self, extra: serde_json::Value) -> ApiError {
        self.extra = Some(extra);
        self
    }

    /// 400: the request cannot be read.
    pub fn bad_request(detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_request", detail)
    }

    /// 422: readable, but the values make no sense.
    pub fn invalid(detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", detail)
    }

    /// 404.
    pub fn not_found(what: &str) -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("no such {what}"),
        )
    }

    /// 409: the request conflicts with the current state.
    pub fn conflict(kind: &'static str, detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::CONFLICT, kind, detail)
    }

    /// 401.
    pub fn unauthorized(detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", detail)
    }

    /// 403.
    pub fn forbidden(detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, "forbidden", detail)
    }

    /// For a record a request names (a policy, a customer...): turns "not
    /// found" into a 422 with `detail`, the request being wrong; any other
    /// failure (the database away) is left as it is, not passed off as a
    /// missing record.
    pub fn absent_is_invalid<E: Into<ApiError>>(
        detail: &'static str,
    ) -> impl FnOnce(E) -> ApiError {
        move |e| {
            let e = e.into();
            if e.status == StatusCode::NOT_FOUND {
                ApiError::invalid(detail)
            } else {
                e
            }
        }
    }

    /// 500; `cause` goes to the log only.
    pub fn internal(cause: impl std::fmt::Display) -> ApiError {
        tracing::error!(error = %cause, "internal error");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the server failed; the cause is in its log",
        )
    }

    /// The problem document.
    pub fn to_json(&self) -> serde_json::Value {
        let mut doc = serde_json::json!({
            "type": format!("https://licentia.dev/problems/{}", self.kind),
            "title": self.status.canonical_reason().unwrap_or("Error"),
            "status": self.status.as_u16(),
            "detail": self.detail,
        });
        if let (Some(serde_json::Value::Object(extra)), Some(doc)) =
            (&self.extra, doc.as_object_mut())
        {
            for (k, v) in extra {
                // The standard members keep their RFC 9457 meaning.
                debug_assert!(!doc.contains_key(k), "problem member {k} is reserved");
                doc.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
        doc
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.detail)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (
            self.status,
            [(header::CONTENT_TYPE, PROBLEM_JSON)],
            self.to_json().to_string(),
        )
            .into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from(seconds));
        }
        response
    }
}

/// How long a client should wait before retrying when the database is away.
const DATABASE_RETRY_AFTER: u64 = 2;

impl From<StoreError> for ApiError {
    /// The store's refusals keep their slug and detail; a database that
    /// cannot take the request answers 503 (or 507 when full) with
    /// `Retry-After` where waiting helps.
    fn from(e: StoreError) -> ApiError {
        let detail = e.to_string();
        match e {
            StoreError::Refused(refusal) => {
                let status = match refusal.kind {
                    RefusalKind::NotFound => StatusCode::NOT_FOUND,
                    RefusalKind::Conflict => StatusCode::CONFLICT,
                    RefusalKind::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
                    RefusalKind::Forbidden => StatusCode::FORBIDDEN,
                };
                ApiError {
                    status,
                    kind: refusal.code,
                    detail,
                    extra: refusal.extra,
                    retry_after: None,
                }
            }
            StoreError::Unavailable(Fault::Unavailable) => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "database_unavailable",
                detail,
            )
            .retry_after(DATABASE_RETRY_AFTER),
            StoreError::Unavailable(Fault::ReadOnly) => {
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "read_only", detail)
                    .retry_after(DATABASE_RETRY_AFTER)
            }
            StoreError::Unavailable(Fault::Busy) => {
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "database_busy", detail)
                    .retry_after(DATABASE_RETRY_AFTER)
            }
            StoreError::Unavailable(Fault::Full) => {
                ApiError::new(StatusCode::INSUFFICIENT_STORAGE, "storage_full", detail)
            }
            StoreError::Internal => {
                ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", detail)
            }
        }
    }
}

impl From<licentia::Error> for ApiError {
    /// Core errors reaching the server come from what the caller sent
    /// (a bad spec, a bad document): 422 with the core's message.
    fn from(e: licentia::Error) -> ApiError {
        ApiError::invalid(e.to_string()).with(serde_json::json!({ "code": e.code() }))
    }
}
