//! Requests that carry an `Idempotency-Key`: each is done once, and a retry gets the first answer.

use crate::store::{StoreError, StoreResult};

/// A request that carries an `Idempotency-Key`: its scope (hashed), the hash
/// of its body, and how to seal the answer for storage.
pub struct Idem<T> {
    /// SHA-256 of route, caller and key.
    pub scope: String,
    /// SHA-256 of the request body.
    pub request_hash: String,
    /// HTTP status of a fresh answer.
    pub status: u16,
    /// Renders the answer and seals it (the stored text).
    pub seal: Box<dyn Fn(&T) -> String + Send + Sync>,
}

/// An operation's outcome: done now, or done before under the same key.
#[derive(Debug)]
pub enum Outcome<T> {
    /// Done by this request.
    Fresh(T),
    /// The stored answer to the first request.
    Replay {
        /// Its status.
        status: u16,
        /// Its sealed body.
        sealed: String,
    },
}

impl<T> Outcome<T> {
    /// What a request made without an `Idempotency-Key` did: done now,
    /// since nothing was stored to replay (a replay is a fault).
    pub fn unkeyed(self) -> StoreResult<T> {
        match self {
            Outcome::Fresh(done) => Ok(done),
            Outcome::Replay { .. } => Err(StoreError::internal("a replay without a key")),
        }
    }
}

/// A stored idempotent answer.
#[derive(Debug, Clone)]
pub struct StoredAnswer {
    /// Hash of the first request's body.
    pub request_hash: String,
    /// Status.
    pub status: u16,
    /// Sealed body.
    pub sealed: String,
}

/// The stored answers' storage.
#[async_trait::async_trait]
pub trait IdempotencyStore: Send + Sync {
    /// The stored answer for an idempotency scope.
    async fn stored_answer(&self, scope: &str) -> StoreResult<Option<StoredAnswer>>;
}
