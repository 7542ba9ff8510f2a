//! How the database's errors become the store's: a unique, foreign-key or
//! check violation is a refusal; a full, read-only or unreachable database
//! is a fault that passes (nothing was changed); anything else is logged.

use crate::store::{Fault, StoreError};

/// Conditions of the database itself rather than of the request: full,
/// read-only, unreachable or shutting down. `None` for anything else.
fn storage_fault(db: &dyn sqlx::error::DatabaseError) -> Option<Fault> {
    let code = db.code()?;
    Some(
        if db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() {
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
                c if c.starts_with("08") || c.starts_with("57P") || c == "53300" => {
                    Fault::Unavailable
                }
                _ => return None,
            }
        },
    )
}

/// The fault, logged with its cause (operators read these).
fn fault(fault: Fault, cause: &sqlx::Error) -> StoreError {
    match fault {
        Fault::Unavailable => tracing::warn!(error = %cause, "database unavailable"),
        Fault::ReadOnly => tracing::error!(error = %cause, "database read-only"),
        Fault::Full => tracing::error!(error = %cause, "database storage full"),
        Fault::Busy => tracing::warn!(error = %cause, "database busy"),
    }
    StoreError::Unavailable(fault)
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> StoreError {
        match &e {
            sqlx::Error::Database(db) => {
                if db.is_unique_violation() {
                    return StoreError::conflict("conflict", "that already exists");
                }
                if db.is_foreign_key_violation() {
                    return StoreError::invalid("a referenced record does not exist");
                }
                if db.is_check_violation() {
                    return StoreError::invalid("a value is out of its allowed range");
                }
                if let Some(kind) = storage_fault(db.as_ref()) {
                    return fault(kind, &e);
                }
            }
            // The connection broke, or none could be had in time.
            sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::Protocol(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed => return fault(Fault::Unavailable, &e),
            _ => {}
        }
        StoreError::internal(e)
    }
}
