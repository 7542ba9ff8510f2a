//! The store's own error: a refusal by a rule of the data (what the caller
//! must change), a database that cannot take the request now, or a fault.
//! It knows no HTTP; the API layer maps it to a status (`crate::error`).

use std::fmt;

/// Result of store operations.
pub type StoreResult<T> = Result<T, StoreError>;

/// Why the store did not do what it was asked.
#[derive(Debug)]
pub enum StoreError {
    /// A rule of the data refused the operation; nothing was changed.
    Refused(Refusal),
    /// The database cannot take the request now (away, read-only, full);
    /// nothing was changed.
    Unavailable(Fault),
    /// A bug, or an answer of the database that makes no sense; the cause
    /// went to the log.
    Internal,
}

/// A refusal: what kind, a stable slug, a sentence the caller can act on,
/// and members that say more (seats used, dates).
#[derive(Debug)]
pub struct Refusal {
    /// What kind of refusal.
    pub kind: RefusalKind,
    /// A stable slug (`allocation_exhausted`, `license_changed`...).
    pub code: &'static str,
    /// What happened, for the caller.
    pub detail: String,
    /// More members for the caller, as JSON.
    pub extra: Option<serde_json::Value>,
}

/// The kinds of refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefusalKind {
    /// The record does not exist (or is not the caller's to see).
    NotFound,
    /// The operation conflicts with the data as it stands.
    Conflict,
    /// A value the data's rules refuse.
    Invalid,
    /// The caller may not make this change, as the data stands in the
    /// transaction (a cut that a concurrent change turned into a raise).
    Forbidden,
}

/// What keeps the database from taking a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Down, restarting, or busy past the wait: retry shortly.
    Unavailable,
    /// It refuses writes until an operator makes it writable.
    ReadOnly,
    /// Out of space until an operator frees some.
    Full,
    /// Too many writes waiting for their turn (SQLite writes one at a
    /// time): retry shortly.
    Busy,
}

impl StoreError {
    fn refused(kind: RefusalKind, code: &'static str, detail: impl Into<String>) -> StoreError {
        StoreError::Refused(Refusal {
            kind,
            code,
            detail: detail.into(),
            extra: None,
        })
    }

    /// No such `what`.
    pub fn not_found(what: &str) -> StoreError {
        StoreError::refused(
            RefusalKind::NotFound,
            "not_found",
            format!("no such {what}"),
        )
    }

    /// The operation conflicts with the data: `code` says which rule.
    pub fn conflict(code: &'static str, detail: impl Into<String>) -> StoreError {
        StoreError::refused(RefusalKind::Conflict, code, detail)
    }

    /// A value the data's rules refuse.
    pub fn invalid(detail: impl Into<String>) -> StoreError {
        StoreError::refused(RefusalKind::Invalid, "invalid", detail)
    }

    /// A value the data's rules refuse, under its own slug.
    pub fn invalid_as(code: &'static str, detail: impl Into<String>) -> StoreError {
        StoreError::refused(RefusalKind::Invalid, code, detail)
    }

    /// The caller may not make this change.
    pub fn forbidden(detail: impl Into<String>) -> StoreError {
        StoreError::refused(RefusalKind::Forbidden, "forbidden", detail)
    }

    /// A fault; `cause` goes to the log only.
    pub fn internal(cause: impl fmt::Display) -> StoreError {
        tracing::error!(error = %cause, "store fault");
        StoreError::Internal
    }

    /// Adds members to a refusal (nothing to a fault).
    pub fn with(mut self, extra: serde_json::Value) -> StoreError {
        if let StoreError::Refused(refusal) = &mut self {
            refusal.extra = Some(extra);
        }
        self
    }

    /// A refusal (the caller's to mend), not a fault of the database.
    pub fn is_refusal(&self) -> bool {
        matches!(self, StoreError::Refused(_))
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Refused(refusal) => f.write_str(&refusal.detail),
            StoreError::Unavailable(Fault::Unavailable) => {
                f.write_str("the database cannot be reached right now; nothing was changed, retry shortly")
            }
            StoreError::Unavailable(Fault::ReadOnly) => f.write_str(
                "the database refuses writes (read-only or failing storage); nothing was changed (reads still work) until an operator makes it writable",
            ),
            StoreError::Unavailable(Fault::Full) => f.write_str(
                "the database is out of space; nothing was changed (reads still work) until an operator frees space",
            ),
            StoreError::Unavailable(Fault::Busy) => f.write_str(
                "too many changes are waiting for the database; nothing was changed, retry shortly",
            ),
            StoreError::Internal => f.write_str("the server failed; the cause is in its log"),
        }
    }
}

impl std::error::Error for StoreError {}
