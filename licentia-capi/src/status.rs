//! The one status enum of the C ABI, and its messages.

use std::ffi::{c_char, CString};
use std::sync::OnceLock;

use licentia::{Error, Rule, State};

/// What a C ABI function reports: `LICENTIA_OK`, or why it failed.
///
/// Numbers are stable and grouped by family: 1xxx format, 2xxx signature and
/// keys, 3xxx documents, 4xxx I/O and arguments, 5xxx internal. The 1xxx to
/// 3xxx values, 4001 and 4002 are the Rust crate's `Error::code()`. A retired
/// number is never reused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum licentia_status {
    /// Success.
    LICENTIA_OK = 0,

    /// The input is larger than the documented limit for its layer.
    LICENTIA_TOO_LARGE = 1001,
    /// The text is neither an armored block nor a compact one-line document.
    LICENTIA_NOT_LICENTIA_TEXT = 1002,
    /// An armor header was found but its END line is missing.
    LICENTIA_ARMOR_UNTERMINATED = 1003,
    /// Something other than whitespace follows the document.
    LICENTIA_TRAILING_DATA = 1004,
    /// The base64 payload is invalid or not canonical.
    LICENTIA_BASE64 = 1005,
    /// The envelope is shorter than its fixed header and signature.
    LICENTIA_TRUNCATED = 1006,
    /// The document's format version is not one this library reads.
    LICENTIA_UNSUPPORTED_VERSION = 1007,
    /// The document kind is unknown.
    LICENTIA_UNKNOWN_DOCUMENT_KIND = 1008,
    /// The document is of another kind than the one expected.
    LICENTIA_WRONG_DOCUMENT_KIND = 1009,
    /// The body does not decode, or is not canonical.
    LICENTIA_MALFORMED_BODY = 1010,

    /// The document was signed by a key the verifier does not trust.
    LICENTIA_UNKNOWN_KEY_ID = 2001,
    /// The signature does not verify: the document was altered or forged.
    LICENTIA_BAD_SIGNATURE = 2002,
    /// The signing key is trusted, but not for the document's issue time.
    LICENTIA_KEY_NOT_VALID_AT = 2003,
    /// A public key is not canonical, or of small order.
    LICENTIA_WEAK_KEY = 2004,
    /// A PEM key could not be read.
    LICENTIA_KEY_FORMAT = 2005,
    /// A private key file can be read by other users.
    LICENTIA_INSECURE_KEY_FILE = 2006,
    /// The device that holds the signing key refused or failed to sign.
    LICENTIA_SIGNER_FAILED = 2007,

    /// A license specification is inconsistent or has unknown fields.
    LICENTIA_INVALID_SPEC = 3001,
    /// A renewal token is for another license.
    LICENTIA_RENEWAL_MISMATCH = 3002,
    /// A revocation list is not newer than the one held.
    LICENTIA_STALE_REVOCATION_LIST = 3003,
    /// A document is for another product.
    LICENTIA_WRONG_PRODUCT = 3004,
    /// An activation answer does not match its request.
    LICENTIA_ACTIVATION_MISMATCH = 3005,
    /// The clock-guard state was altered or belongs to another product.
    LICENTIA_CLOCK_STATE_TAMPERED = 3006,
    /// A machine fingerprint could not be read or parsed.
    LICENTIA_FINGERPRINT = 3007,
    /// A copy of the clock-guard state is missing after the first run (it
    /// was deleted).
    LICENTIA_CLOCK_STATE_MISSING = 3008,
    /// An older copy of the clock-guard state was put back.
    LICENTIA_CLOCK_STATE_RESTORED = 3009,
    /// A key-rollover statement is older than the one already accepted for
    /// its key (a replay); the key's window is unchanged.
    LICENTIA_STALE_ROLLOVER = 3010,
    /// A deactivation receipt does not match the request (or the license)
    /// it is shown for: another license, machine, file or request.
    LICENTIA_RECEIPT_MISMATCH = 3011,

    /// Reading or writing a file failed.
    LICENTIA_IO = 4001,
    /// An argument is invalid (a date, an id, a value out of range...).
    LICENTIA_INVALID_ARGUMENT = 4002,
    /// A required pointer argument is NULL.
    LICENTIA_NULL_ARGUMENT = 4003,
    /// A string argument is not valid UTF-8.
    LICENTIA_INVALID_UTF8 = 4004,
    /// The caller's buffer is too small; `*out_len` holds the length needed.
    LICENTIA_BUFFER_TOO_SMALL = 4005,
    /// The value asked for is absent (optional field, key, index out of range).
    LICENTIA_NOT_FOUND = 4006,

    /// A bug inside the library was caught at the boundary. The handles the
    /// call was given may be inconsistent: free them.
    LICENTIA_PANIC = 5001,

    /// The back office could not be reached (after the retries).
    LICENTIA_UNREACHABLE = 6001,
    /// The back office refused the request (its problem says why).
    LICENTIA_REFUSED = 6002,
    /// The back office's answer was not what the API promises; nothing kept.
    LICENTIA_BAD_ANSWER = 6003,
    /// The client's store holds no activation or lease to act on.
    LICENTIA_NOT_ACTIVATED = 6004,
}

use licentia_status::*;

/// Declares `ALL_STATUSES` and the messages from one table, a row a
/// status in number order, so that no status goes without its message.
/// (The enum itself stays written out above: cbindgen reads it, and does not
/// expand macros.)
macro_rules! status_table {
    ($($status:ident => $message:literal,)+) => {
        /// Every status, in number order.
        const ALL_STATUSES: &[licentia_status] = &[$($status),+];

        impl licentia_status {
            /// The status for a number, if it names one.
            pub fn from_u32(value: u32) -> Option<licentia_status> {
                ALL_STATUSES.iter().copied().find(|s| *s as u32 == value)
            }

            /// The message, NUL-terminated for C.
            fn message_nul(self) -> &'static str {
                match self {
                    $($status => concat!($message, "\0"),)+
                }
            }
        }
    };
}

status_table! {
    LICENTIA_OK => "ok",
    LICENTIA_TOO_LARGE => "input is larger than the documented limit",
    LICENTIA_NOT_LICENTIA_TEXT =>
        "not a licentia document: expected an armored block or a compact one-line form",
    LICENTIA_ARMOR_UNTERMINATED => "armor has no matching END line",
    LICENTIA_TRAILING_DATA => "unexpected data after the end of the document",
    LICENTIA_BASE64 => "invalid or non-canonical base64",
    LICENTIA_TRUNCATED => "document is truncated",
    LICENTIA_UNSUPPORTED_VERSION => "document format version is not supported",
    LICENTIA_UNKNOWN_DOCUMENT_KIND => "unknown document kind",
    LICENTIA_WRONG_DOCUMENT_KIND => "document is of another kind than expected",
    LICENTIA_MALFORMED_BODY => "document body is malformed or not canonical",
    LICENTIA_UNKNOWN_KEY_ID => "signed by a key this verifier does not trust",
    LICENTIA_BAD_SIGNATURE => "signature does not verify: the document was altered or forged",
    LICENTIA_KEY_NOT_VALID_AT =>
        "the signing key was not trusted at the time the document was issued",
    LICENTIA_WEAK_KEY => "public key is non-canonical or of small order",
    LICENTIA_KEY_FORMAT => "cannot read the key: not an Ed25519 PEM key",
    LICENTIA_INSECURE_KEY_FILE =>
        "private key file is readable by other users; run chmod 600 on it",
    LICENTIA_SIGNER_FAILED => "the signing device refused or failed to sign",
    LICENTIA_INVALID_SPEC => "invalid license specification",
    LICENTIA_RENEWAL_MISMATCH => "renewal token is for another license",
    LICENTIA_STALE_REVOCATION_LIST => "revocation list is not newer than the list already held",
    LICENTIA_WRONG_PRODUCT => "document is for another product",
    LICENTIA_ACTIVATION_MISMATCH => "activation answer does not match the request",
    LICENTIA_CLOCK_STATE_TAMPERED => "clock-guard state was altered or belongs to another product",
    LICENTIA_FINGERPRINT => "machine fingerprint cannot be read or parsed",
    LICENTIA_CLOCK_STATE_MISSING =>
        "clock-guard state is missing after the first run: a copy was deleted",
    LICENTIA_CLOCK_STATE_RESTORED => "clock-guard state was replaced by an older copy",
    LICENTIA_STALE_ROLLOVER =>
        "key-rollover statement is not newer than the one already accepted for its key",
    LICENTIA_RECEIPT_MISMATCH =>
        "deactivation receipt is for another license, machine, file or request",
    LICENTIA_IO => "reading or writing a file failed",
    LICENTIA_INVALID_ARGUMENT => "invalid argument",
    LICENTIA_NULL_ARGUMENT => "a required pointer argument is NULL",
    LICENTIA_INVALID_UTF8 => "a string argument is not valid UTF-8",
    LICENTIA_BUFFER_TOO_SMALL => "buffer too small: *out_len holds the length needed",
    LICENTIA_NOT_FOUND => "no such value",
    LICENTIA_PANIC => "internal error: a bug in licentia was caught (please report it)",
    LICENTIA_UNREACHABLE => "the back office could not be reached",
    LICENTIA_REFUSED => "the back office refused the request",
    LICENTIA_BAD_ANSWER => "the back office's answer was refused; nothing was kept",
    LICENTIA_NOT_ACTIVATED => "this machine holds no activation; activate first",
}

impl From<Error> for licentia_status {
    fn from(e: Error) -> licentia_status {
        licentia_status::from(&e)
    }
}

impl From<&Error> for licentia_status {
    /// The status numbered as the core's [`Error::code`]. The core's error
    /// is `#[non_exhaustive]`: a variant added there without its status
    /// here is a bug of this crate, reported as one (`LICENTIA_PANIC`), and
    /// the test below lists every variant so that it shows.
    fn from(e: &Error) -> licentia_status {
        let status = licentia_status::from_u32(e.code());
        debug_assert!(status.is_some(), "no C status for core error {}", e.code());
        status.unwrap_or(LICENTIA_PANIC)
    }
}

/// A rule of the license check, as reported in a finding. The numbers are the
/// Rust crate's `Rule::code()`: 1xx make the license invalid, 2xx only warn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum licentia_rule {
    /// The license is for another product.
    LICENTIA_RULE_WRONG_PRODUCT = 101,
    /// The license, its machine or its key is on the revocation list.
    LICENTIA_RULE_REVOKED = 102,
    /// The license is not valid yet.
    LICENTIA_RULE_NOT_YET_VALID = 103,
    /// The clock is behind a time already seen.
    LICENTIA_RULE_CLOCK_ROLLED_BACK = 104,
    /// This machine is not the licensed one (or none was given).
    LICENTIA_RULE_WRONG_MACHINE = 105,
    /// This user is not the licensed one (or none was given).
    LICENTIA_RULE_WRONG_USER = 106,
    /// The running version was released after the license's updates-until.
    LICENTIA_RULE_VERSION_NOT_COVERED = 107,
    /// The license expired (and any grace is over).
    LICENTIA_RULE_EXPIRED = 108,
    /// The license missed its check-in and the offline allowance is over.
    LICENTIA_RULE_CHECK_IN_OVERDUE = 109,
    /// This machine gave this license back (deactivated, or the lease
    /// returned) after the file was signed, and the revocation list says
    /// so: activate again to use it here.
    LICENTIA_RULE_MACHINE_RELEASED = 110,
    /// The license does not run in a virtual machine, and this looks like
    /// one (the message names the evidence).
    LICENTIA_RULE_VIRTUAL_MACHINE_NOT_ALLOWED = 111,
    /// The license does not run in a container, and this looks like one
    /// (the message names the evidence).
    LICENTIA_RULE_CONTAINER_NOT_ALLOWED = 112,
    /// The soft expiry has passed: renew soon.
    LICENTIA_RULE_RENEW_SOON = 201,
    /// The license expired but is within its grace period.
    LICENTIA_RULE_IN_GRACE = 202,
    /// A check-in is due; the license works offline a while longer.
    LICENTIA_RULE_CHECK_IN_DUE = 203,
}

impl From<Rule> for licentia_rule {
    fn from(rule: Rule) -> licentia_rule {
        use licentia_rule::*;
        match rule {
            Rule::WrongProduct => LICENTIA_RULE_WRONG_PRODUCT,
            Rule::Revoked => LICENTIA_RULE_REVOKED,
            Rule::NotYetValid => LICENTIA_RULE_NOT_YET_VALID,
            Rule::ClockRolledBack => LICENTIA_RULE_CLOCK_ROLLED_BACK,
            Rule::WrongMachine => LICENTIA_RULE_WRONG_MACHINE,
            Rule::WrongUser => LICENTIA_RULE_WRONG_USER,
            Rule::VersionNotCovered => LICENTIA_RULE_VERSION_NOT_COVERED,
            Rule::Expired => LICENTIA_RULE_EXPIRED,
            Rule::CheckInOverdue => LICENTIA_RULE_CHECK_IN_OVERDUE,
            Rule::MachineReleased => LICENTIA_RULE_MACHINE_RELEASED,
            Rule::VirtualMachineNotAllowed => LICENTIA_RULE_VIRTUAL_MACHINE_NOT_ALLOWED,
            Rule::ContainerNotAllowed => LICENTIA_RULE_CONTAINER_NOT_ALLOWED,
            Rule::RenewSoon => LICENTIA_RULE_RENEW_SOON,
            Rule::InGrace => LICENTIA_RULE_IN_GRACE,
            Rule::CheckInDue => LICENTIA_RULE_CHECK_IN_DUE,
        }
    }
}

/// The overall verdict of a check: the Rust crate's `State`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum licentia_state {
    /// Valid, nothing to say.
    LICENTIA_STATE_VALID = 0,
    /// Valid, with warnings (renew soon, in grace, check-in due).
    LICENTIA_STATE_VALID_WITH_WARNINGS = 1,
    /// Not valid: at least one rule failed.
    LICENTIA_STATE_INVALID = 2,
}

impl From<State> for licentia_state {
    fn from(state: State) -> licentia_state {
        match state {
            State::Valid => licentia_state::LICENTIA_STATE_VALID,
            State::ValidWithWarnings => licentia_state::LICENTIA_STATE_VALID_WITH_WARNINGS,
            State::Invalid => licentia_state::LICENTIA_STATE_INVALID,
        }
    }
}

/// Whether a finding denies use or only warns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum licentia_severity {
    /// Denied.
    LICENTIA_SEVERITY_FAILURE = 1,
    /// Still valid; tell the user.
    LICENTIA_SEVERITY_WARNING = 2,
}

/// A human message for a status, as a static NUL-terminated string.
///
/// `status` is a `licentia_status` value; an unknown number gives
/// "unknown status". The string is never freed by the caller.
///
/// Thread safety: may be called from any thread.
#[no_mangle]
pub extern "C" fn licentia_status_message(status: u32) -> *const c_char {
    let text = licentia_status::from_u32(status).map_or("unknown status\0", |s| s.message_nul());
    text.as_ptr().cast()
}

/// The stable snake_case name of a rule code (`"expired"` for 108), as a
/// static NUL-terminated string; NULL for an unknown code.
///
/// Thread safety: may be called from any thread.
#[no_mangle]
pub extern "C" fn licentia_rule_name(rule: u32) -> *const c_char {
    static NAMES: NameTable = OnceLock::new();
    find_name(&NAMES, rule, || Rule::ALL.map(|r| (r.code(), r.name())))
}

/// The stable snake_case name of a state (`"valid"`, `"valid_with_warnings"`,
/// `"invalid"`), as a static NUL-terminated string; NULL for an unknown value.
///
/// Thread safety: may be called from any thread.
#[no_mangle]
pub extern "C" fn licentia_state_name(state: u32) -> *const c_char {
    static NAMES: NameTable = OnceLock::new();
    find_name(&NAMES, state, || State::ALL.map(|s| (s as u32, s.name())))
}

/// The core's names of numbered values, as C strings, made once.
type NameTable = OnceLock<Vec<(u32, CString)>>;

/// The C string for `number` in `table` (made from `names` on first use);
/// NULL when the number has no name.
fn find_name<I>(table: &'static NameTable, number: u32, names: impl FnOnce() -> I) -> *const c_char
where
    I: IntoIterator<Item = (u32, &'static str)>,
{
    let table = table.get_or_init(|| {
        names()
            .into_iter()
            // The core's names are ASCII without NUL.
            .map(|(n, name)| (n, CString::new(name).unwrap_or_default()))
            .collect()
    });
    table
        .iter()
        .find(|(n, _)| *n == number)
        .map_or(std::ptr::null(), |(_, name)| name.as_ptr())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_unique_sorted_and_match_error_codes() {
        let numbers: Vec<u32> = ALL_STATUSES.iter().map(|s| *s as u32).collect();
        let mut sorted = numbers.clone();
        sorted.dedup();
        assert!(sorted.windows(2).all(|w| w[0] < w[1]));
        let key = licentia::KeyId([0; 8]);
        let kind = licentia::DocumentKind::License;
        let every_error = [
            Error::TooLarge { what: "", limit: 0 },
            Error::NotLicentiaText,
            Error::ArmorUnterminated,
            Error::TrailingData,
            Error::Base64,
            Error::Truncated,
            Error::UnsupportedVersion { found: 9 },
            Error::UnknownDocumentKind(9),
            Error::WrongDocumentKind {
                expected: kind,
                found: kind,
            },
            Error::MalformedBody,
            Error::UnknownKeyId(key),
            Error::BadSignature,
            Error::KeyNotValidAt(key),
            Error::WeakKey,
            Error::KeyFormat(String::new()),
            Error::InsecureKeyFile {
                path: String::new(),
                mode: 0,
            },
            Error::SignerFailed(String::new()),
            Error::InvalidSpec(String::new()),
            Error::RenewalMismatch,
            Error::StaleRevocationList {
                held: 0,
                offered: 0,
            },
            Error::WrongProduct {
                expected: String::new(),
                found: String::new(),
            },
            Error::ActivationMismatch(""),
            Error::ClockStateTampered,
            Error::Fingerprint(String::new()),
            Error::ClockStateMissing,
            Error::ClockStateRestored,
            Error::StaleRollover {
                held: licentia::Timestamp(0),
                offered: licentia::Timestamp(0),
            },
            Error::ReceiptMismatch(""),
            Error::Io(String::new()),
            Error::InvalidArgument(String::new()),
            Error::Unreachable(String::new()),
            Error::Refused {
                status: 0,
                problem: String::new(),
                detail: String::new(),
            },
            Error::BadAnswer(String::new()),
            Error::NotActivated,
        ];
        for e in every_error {
            assert_eq!(licentia_status::from(&e) as u32, e.code());
        }
        assert_eq!(licentia_status::from_u32(5001), Some(LICENTIA_PANIC));
        assert_eq!(licentia_status::from_u32(4242), None);
    }

    #[test]
    fn rule_and_state_numbers_are_the_core_ones() {
        for rule in Rule::ALL {
            assert_eq!(licentia_rule::from(rule) as u32, rule.code());
            let name = unsafe { std::ffi::CStr::from_ptr(licentia_rule_name(rule.code())) };
            assert_eq!(name.to_str().unwrap(), rule.name());
        }
        for state in State::ALL {
            assert_eq!(licentia_state::from(state) as u32, state as u32);
            let name = unsafe { std::ffi::CStr::from_ptr(licentia_state_name(state as u32)) };
            assert_eq!(name.to_str().unwrap(), state.name());
        }
        assert!(licentia_rule_name(300).is_null());
        assert!(licentia_state_name(3).is_null());
    }
}
