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
    pub fn absent_is_invalid(detail: &'static str) -> impl FnOnce(ApiError) -> ApiError {
        move |e| {
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

/// A database that cannot take the request now (down, restarting, busy):
/// 503 with `Retry-After`; the cause goes to the log.
fn database_unavailable(cause: &sqlx::Error) -> ApiError {
    tracing::warn!(error = %cause, "database unavailable");
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "database_unavailable",
        "the database cannot be reached right now; nothing was changed, retry shortly",
    )
    .retry_after(DATABASE_RETRY_AFTER)
}

/// Conditions of the database itself rather than of the request: full,
/// read-only, unreachable or shutting down. `None` for anything else.
fn storage_fault(cause: &sqlx::Error, db: &dyn sqlx::error::DatabaseError) -> Option<ApiError> {
    enum Fault {
        Full,
        ReadOnly,
        Unavailable,
    }
    let code = db.code()?;
    let fault = if db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() {
        // Extended result codes: the primary code is the low byte. Storage
        // that turned read-only under open files fails writes with
        // IOERR_WRITE, FSYNC or TRUNCATE rather than READONLY.
        match code.parse::<i32>().ok()? {
            778 | 1034 | 1546 => Fault::ReadOnly,
            code => match code & 0xff {
                13 => Fault::Full,                     // SQLITE_FULL
                8 => Fault::ReadOnly,                  // SQLITE_READONLY
                5 | 6 | 10 | 14 => Fault::Unavailable, // BUSY, LOCKED, IOERR, CANTOPEN
                _ => return None,
            },
        }
    } else {
        // PostgreSQL SQLSTATEs.
        match code.as_ref() {
            "53100" => Fault::Full,     // disk_full
            "25006" => Fault::ReadOnly, // read_only_sql_transaction
            // connection exceptions, shutdowns, cannot connect now, too many connections
            c if c.starts_with("08") || c.starts_with("57P") || c == "53300" => Fault::Unavailable,
            _ => return None,
        }
    };
    Some(match fault {
        Fault::Full => {
            tracing::error!(error = %cause, "database storage full");
            ApiError::new(
                StatusCode::INSUFFICIENT_STORAGE,
                "storage_full",
                "the database is out of space; nothing was changed (reads still work) until an operator frees space",
            )
        }
        Fault::ReadOnly => {
            tracing::error!(error = %cause, "database read-only");
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "read_only",
                "the database refuses writes (read-only or failing storage); nothing was changed (reads still work) until an operator makes it writable",
            )
            .retry_after(DATABASE_RETRY_AFTER)
        }
        Fault::Unavailable => database_unavailable(cause),
    })
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> ApiError {
        match &e {
            sqlx::Error::Database(db) => {
                if db.is_unique_violation() {
                    return ApiError::conflict("conflict", "that already exists");
                }
                if db.is_foreign_key_violation() {
                    return ApiError::invalid("a referenced record does not exist");
                }
                if db.is_check_violation() {
                    return ApiError::invalid("a value is out of its allowed range");
                }
                if let Some(fault) = storage_fault(&e, db.as_ref()) {
                    return fault;
                }
            }
            // The connection broke, or none could be had in time.
            sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::Protocol(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed => return database_unavailable(&e),
            _ => {}
        }
        ApiError::internal(e)
    }
}

impl From<licentia::Error> for ApiError {
    /// Core errors reaching the server come from what the caller sent
    /// (a bad spec, a bad document): 422 with the core's message.
    fn from(e: licentia::Error) -> ApiError {
        ApiError::invalid(e.to_string()).with(serde_json::json!({ "code": e.code() }))
    }
}
