//! One error type for the whole server, answered as an RFC 9457 problem
//! document (`application/problem+json`). Internal errors are logged with
//! their cause and answered with a bare 500: nothing inside leaks out.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

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
        }
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
                doc.insert(k.clone(), v.clone());
            }
        }
        doc
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (
            self.status,
            [(header::CONTENT_TYPE, PROBLEM_JSON)],
            self.to_json().to_string(),
        )
            .into_response()
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> ApiError {
        if let sqlx::Error::Database(db) = &e {
            if db.is_unique_violation() {
                return ApiError::conflict("conflict", "that already exists");
            }
            if db.is_foreign_key_violation() {
                return ApiError::invalid("a referenced record does not exist");
            }
            if db.is_check_violation() {
                return ApiError::invalid("a value is out of its allowed range");
            }
        }
        ApiError::internal(e)
    }
}

impl From<crate::Error> for ApiError {
    /// Core errors reaching the server come from what the caller sent
    /// (a bad spec, a bad document): 422 with the core's message.
    fn from(e: crate::Error) -> ApiError {
        ApiError::invalid(e.to_string()).with(serde_json::json!({ "code": e.code() }))
    }
}
