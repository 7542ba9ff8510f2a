//! What every signed document's body has in common.
//!
//! This sits below the documents: `license`, `renewal`, `revocation`,
//! `rollover`, `activation` and `catalogue` each implement [`SignedBody`] for their body,
//! `issue` seals bodies and `verify` opens them. The document modules never
//! depend on the verifier, so data flows one way (format -> documents ->
//! issue/verify). The bytes a signature covers are built once, by
//! [`format::signed_message`](crate::format::signed_message), from the
//! envelope's document kind (its domain tag), version, key id and the body.

use serde::{de::DeserializeOwned, Serialize};

use crate::time::Timestamp;

/// The body of a signed document: encoded with postcard, and dated, so the
/// verifier can check the signing key's validity window against it.
pub(crate) trait SignedBody: Serialize + DeserializeOwned {
    /// When the document was signed.
    fn issued_at(&self) -> Timestamp;
}
