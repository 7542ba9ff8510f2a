//! One error type for the whole crate, each variant with a stable number.

use core::fmt;

use crate::format::DocumentKind;
use crate::keys::KeyId;

/// Everything that can go wrong in licentia, short of a verdict.
///
/// A license that verifies but is expired is not an error: it is a
/// [`Report`](crate::Report). Errors say the bytes, keys or arguments were
/// wrong. [`Error::code`] gives a stable number per variant, shared with the C
/// ABI; numbers are grouped by family and never reused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    // --- format: 1000..
    /// The input is larger than the documented limit for its layer.
    TooLarge {
        /// What was too large ("text", "envelope", "body").
        what: &'static str,
        /// The limit in bytes.
        limit: usize,
    },
    /// The text is neither an armored block nor a compact one-line document.
    NotLicentiaText,
    /// An armor header was found but its END line is missing.
    ArmorUnterminated,
    /// Something other than whitespace follows the armor's END line.
    TrailingData,
    /// The base64 payload is invalid or not in canonical form.
    Base64,
    /// The envelope is shorter than its fixed header and signature.
    Truncated,
    /// The envelope names a format version this library does not read.
    UnsupportedVersion {
        /// The version found in the document.
        found: u8,
    },
    /// The envelope names a document kind this library does not know.
    UnknownDocumentKind(u8),
    /// The document is of another kind than the one asked for.
    WrongDocumentKind {
        /// What the caller asked for.
        expected: DocumentKind,
        /// What the bytes say.
        found: DocumentKind,
    },
    /// The body does not decode, or is not in its one canonical encoding.
    MalformedBody,

    // --- signature and keys: 2000..
    /// The document was signed by a key this verifier does not trust.
    UnknownKeyId(KeyId),
    /// The signature does not verify over the document's bytes.
    BadSignature,
    /// The signing key is trusted, but not at the time the document was issued.
    KeyNotValidAt(KeyId),
    /// A public key is not a canonical encoding, or is of small order.
    WeakKey,
    /// A PEM key could not be read.
    KeyFormat(String),
    /// A private key file can be read by other users.
    InsecureKeyFile {
        /// The offending path.
        path: String,
        /// Its permission bits.
        mode: u32,
    },
    /// The device that holds the signing key (an HSM, a KMS) refused or
    /// failed to sign; the message is for the operator's log.
    SignerFailed(String),

    // --- semantic / documents: 3000..
    /// A license specification is inconsistent; the message says what to fix.
    InvalidSpec(String),
    /// A renewal token names another license than the one it was applied to.
    RenewalMismatch,
    /// A revocation list is not newer than the one already held.
    StaleRevocationList {
        /// The sequence number already held.
        held: u64,
        /// The sequence number offered.
        offered: u64,
    },
    /// A revocation list is for another product.
    WrongProduct {
        /// The product expected.
        expected: String,
        /// The product named by the document.
        found: String,
    },
    /// An activation answer does not match the request it claims to answer.
    ActivationMismatch(&'static str),
    /// A deactivation receipt does not match the request (or the license)
    /// it is shown for.
    ReceiptMismatch(&'static str),
    /// The clock-guard state was edited or belongs to another product.
    ClockStateTampered,
    /// A machine fingerprint could not be parsed or read.
    Fingerprint(String),
    /// A copy of the clock-guard state is missing after the first run: one
    /// of its two copies, or both when the application said a first run
    /// happened.
    ClockStateMissing,
    /// An older copy of the clock-guard state was put back: its two copies
    /// were written at different times.
    ClockStateRestored,
    /// A key-rollover statement is older than the one that set the key's
    /// window: a replay, which must not change the window.
    StaleRollover {
        /// The issue time of the statement that set the window.
        held: crate::time::Timestamp,
        /// The issue time of the statement offered.
        offered: crate::time::Timestamp,
    },

    // --- the back office, as a client: 6000..
    /// The back office could not be reached (no route, refused, a timeout,
    /// a certificate it does not trust), after the retries.
    Unreachable(String),
    /// The back office refused the request: its HTTP status, its problem
    /// (`license_revoked`, `seats_exhausted`...) and its words.
    Refused {
        /// The HTTP status.
        status: u16,
        /// The problem's name, the last part of its `type`.
        problem: String,
        /// What it said.
        detail: String,
    },
    /// The back office answered something the API does not promise (not
    /// JSON, or a license that does not hold on this machine): nothing was
    /// kept.
    BadAnswer(String),
    /// The client's store holds no activation (or no lease) to act on.
    NotActivated,

    // --- I/O and arguments: 4000..
    /// Reading or writing a file failed.
    Io(String),
    /// An argument is invalid; the message names it.
    InvalidArgument(String),
}

impl Error {
    /// The stable number of this error, shared with the C ABI.
    ///
    /// ```
    /// assert_eq!(licentia::Error::BadSignature.code(), 2002);
    /// ```
    pub fn code(&self) -> u32 {
        match self {
            Error::TooLarge { .. } => 1001,
            Error::NotLicentiaText => 1002,
            Error::ArmorUnterminated => 1003,
            Error::TrailingData => 1004,
            Error::Base64 => 1005,
            Error::Truncated => 1006,
            Error::UnsupportedVersion { .. } => 1007,
            Error::UnknownDocumentKind(_) => 1008,
            Error::WrongDocumentKind { .. } => 1009,
            Error::MalformedBody => 1010,
            Error::UnknownKeyId(_) => 2001,
            Error::BadSignature => 2002,
            Error::KeyNotValidAt(_) => 2003,
            Error::WeakKey => 2004,
            Error::KeyFormat(_) => 2005,
            Error::InsecureKeyFile { .. } => 2006,
            Error::SignerFailed(_) => 2007,
            Error::Unreachable(_) => 6001,
            Error::Refused { .. } => 6002,
            Error::BadAnswer(_) => 6003,
            Error::NotActivated => 6004,
            Error::InvalidSpec(_) => 3001,
            Error::RenewalMismatch => 3002,
            Error::StaleRevocationList { .. } => 3003,
            Error::WrongProduct { .. } => 3004,
            Error::ActivationMismatch(_) => 3005,
            Error::ClockStateTampered => 3006,
            Error::Fingerprint(_) => 3007,
            Error::ClockStateMissing => 3008,
            Error::ClockStateRestored => 3009,
            Error::StaleRollover { .. } => 3010,
            Error::ReceiptMismatch(_) => 3011,
            Error::Io(_) => 4001,
            Error::InvalidArgument(_) => 4002,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::TooLarge { what, limit } => {
                write!(f, "{what} is larger than the {limit}-byte limit")
            }
            Error::NotLicentiaText => f.write_str(
                "not a licentia document: expected a '-----BEGIN LICENTIA ...-----' block or a compact one-line form",
            ),
            Error::ArmorUnterminated => f.write_str("armor has no matching '-----END ...-----' line"),
            Error::TrailingData => f.write_str("unexpected data after the end of the document"),
            Error::Base64 => f.write_str("invalid or non-canonical base64"),
            Error::Truncated => f.write_str("document is truncated"),
            Error::UnsupportedVersion { found } => write!(
                f,
                "format version {found} is not supported for this document (this library reads \
                 version 1 of every document, and version 2 of revocation lists, licenses and \
                 leases)"
            ),
            Error::UnknownDocumentKind(k) => write!(f, "unknown document kind {k}"),
            Error::WrongDocumentKind { expected, found } => {
                write!(f, "expected a {expected}, found a {found}")
            }
            Error::MalformedBody => f.write_str("document body is malformed or not canonical"),
            Error::UnknownKeyId(id) => write!(f, "signed by unknown key {id}"),
            Error::BadSignature => f.write_str("signature does not verify: the document was altered or forged"),
            Error::KeyNotValidAt(id) => {
                write!(f, "key {id} was not trusted at the time the document was issued")
            }
            Error::WeakKey => f.write_str("public key is non-canonical or of small order"),
            Error::KeyFormat(m) => write!(f, "cannot read key: {m}"),
            Error::InsecureKeyFile { path, mode } => write!(
                f,
                "private key file {path} is readable by others (mode {mode:03o}); run `chmod 600 {path}`"
            ),
            Error::SignerFailed(m) => write!(f, "the signing device failed: {m}"),
            Error::Unreachable(m) => write!(f, "the back office could not be reached: {m}"),
            Error::Refused {
                status,
                problem,
                detail,
            } => write!(f, "the back office refused ({status} {problem}): {detail}"),
            Error::BadAnswer(m) => write!(f, "the back office's answer was refused: {m}"),
            Error::NotActivated => f.write_str("this machine holds no activation (activate first)"),
            Error::InvalidSpec(m) => write!(f, "invalid license specification: {m}"),
            Error::RenewalMismatch => f.write_str("renewal token is for another license"),
            Error::StaleRevocationList { held, offered } => write!(
                f,
                "revocation list #{offered} is not newer than the list #{held} already held"
            ),
            Error::WrongProduct { expected, found } => {
                write!(f, "document is for product '{found}', expected '{expected}'")
            }
            Error::ActivationMismatch(what) => write!(f, "activation answer does not match the request: {what}"),
            Error::ReceiptMismatch(what) => write!(f, "deactivation receipt does not match: {what}"),
            Error::ClockStateTampered => f.write_str("clock-guard state was altered or belongs to another product"),
            Error::Fingerprint(m) => write!(f, "machine fingerprint: {m}"),
            Error::ClockStateMissing => f.write_str(
                "clock-guard state is missing after the first run: a copy was deleted",
            ),
            Error::ClockStateRestored => f.write_str(
                "clock-guard state was replaced by an older copy",
            ),
            Error::StaleRollover { held, offered } => write!(
                f,
                "key-rollover statement of {offered} is not newer than the statement of {held} already accepted"
            ),
            Error::Io(m) => write!(f, "I/O error: {m}"),
            Error::InvalidArgument(m) => write!(f, "invalid argument: {m}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Io(e.to_string())
    }
}

/// Shorthand for results in this crate.
pub type Result<T, E = Error> = core::result::Result<T, E>;
