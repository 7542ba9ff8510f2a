//! Key-rollover statements: an old key endorses a new one.
//!
//! A product in the field that trusts the old key accepts the statement with
//! [`Verifier::accept_rollover`](crate::Verifier::accept_rollover) and from
//! then on trusts the new key too, without a software update. The
//! endorsement is remembered: a revocation list that later names the old key
//! revokes the new key's licenses too ([`License::endorsers`](crate::License::endorsers)).

use crate::keys::{KeyId, PUBLIC_KEY_LEN};
use crate::signed::SignedBody;
use crate::time::Timestamp;

/// The signed body of a key-rollover statement.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RolloverBody {
    /// The endorsing key (must equal the envelope's key id).
    pub old_key: KeyId,
    /// The raw public key endorsed.
    pub new_key: [u8; PUBLIC_KEY_LEN],
    /// The new key is trusted for documents issued from this time.
    pub not_before: Option<Timestamp>,
    /// ... and before this time.
    pub not_after: Option<Timestamp>,
    /// When the statement was signed.
    pub issued_at: Timestamp,
}

impl SignedBody for RolloverBody {
    fn issued_at(&self) -> Timestamp {
        self.issued_at
    }
}
