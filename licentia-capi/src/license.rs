//! The license handle: what a verified license says, field by field.

use std::ffi::c_char;

use crate::boundary::{guard, guard_value, nth, str_arg, Handle, Out};
use crate::status::licentia_status::{self, *};
use crate::verifier::licentia_verifier;
use licentia::{Binding, Entitlement, License, LicenseKind, MatchRule, Timestamp};

/// A verified license, from `licentia_verify` or `licentia_verify_file`.
///
/// Freed with `licentia_license_free`. Every accessor takes a `const
/// licentia_license *` and only reads: any number of threads may read one
/// license at once. Only `licentia_license_apply_renewal` changes it.
pub struct licentia_license {
    _private: [u8; 0],
}

impl Handle for licentia_license {
    type Rust = License;
}

/// What sort of license it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum licentia_kind {
    /// A regular license.
    LICENTIA_KIND_STANDARD = 0,
    /// An evaluation license (always has a hard expiry).
    LICENTIA_KIND_TRIAL = 1,
    /// A short license for a replacement machine; see
    /// `licentia_license_replaces`.
    LICENTIA_KIND_TEMPORARY = 2,
    /// Not a license: what `licentia_license_kind` answers for NULL, so a
    /// caller's mistake never reads as a full (standard) license.
    LICENTIA_KIND_INVALID = 255,
}

/// Where the license may run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum licentia_binding_kind {
    /// Anywhere.
    LICENTIA_BINDING_UNBOUND = 0,
    /// On the listed machines (`licentia_license_binding_machine`).
    LICENTIA_BINDING_NODE_LOCKED = 1,
    /// On at most `max_machines` machines at once (counted by the back office).
    LICENTIA_BINDING_FLOATING = 2,
    /// For one named user (`licentia_license_binding_user`).
    LICENTIA_BINDING_NAMED_USER = 3,
}

/// How many of a licensed machine's components must match this machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum licentia_match_rule {
    /// Every component.
    LICENTIA_MATCH_ALL = 0,
    /// More than half of them.
    LICENTIA_MATCH_MOST = 1,
    /// At least two (or all, when there are fewer).
    LICENTIA_MATCH_TWO = 2,
    /// At least one.
    LICENTIA_MATCH_ANY = 3,
}

/// A point in time that may be absent: `value` (Unix seconds, UTC) is
/// meaningful only when `present` is true.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct licentia_optional_time {
    /// Whether the time is set.
    pub present: bool,
    /// Seconds since 1970-01-01T00:00:00Z; 0 when absent.
    pub value: i64,
}

impl From<Option<Timestamp>> for licentia_optional_time {
    fn from(t: Option<Timestamp>) -> Self {
        licentia_optional_time {
            present: t.is_some(),
            value: t.map_or(0, |t| t.0),
        }
    }
}

/// Every time term of a license. Durations are in seconds; each `has_` flag
/// says whether the term is set.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct licentia_terms {
    /// When the license was signed (Unix seconds).
    pub issued_at: i64,
    /// Not valid before this time.
    pub valid_from: licentia_optional_time,
    /// From this time on, still valid but "renew soon".
    pub soft_expiry: licentia_optional_time,
    /// From this time on, denied unless a grace applies.
    pub hard_expiry: licentia_optional_time,
    /// Whether a grace period follows the hard expiry.
    pub has_grace: bool,
    /// Seconds after the hard expiry still allowed, with a warning.
    pub grace_secs: u32,
    /// Versions released after this time are not covered.
    pub updates_until: licentia_optional_time,
    /// Whether the license asks for online check-ins.
    pub has_check_in: bool,
    /// Check in at least this often (seconds).
    pub check_in_interval_secs: u32,
    /// After a missed check-in, keep working offline this long (seconds).
    pub check_in_max_offline_secs: u32,
}

/// Where a license may run; see `licentia_binding_kind`.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct licentia_binding {
    /// The kind of binding.
    pub kind: licentia_binding_kind,
    /// Node-locked: how components must match (else `LICENTIA_MATCH_ALL`).
    pub match_rule: licentia_match_rule,
    /// Node-locked: how many machines are listed (else 0).
    pub machine_count: usize,
    /// Floating: the machine cap (else 0).
    pub max_machines: u32,
}

/// One entitlement (feature) granted by a license. Its code is read with
/// `licentia_license_entitlement_code`.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct licentia_entitlement {
    /// Whether the feature is counted.
    pub has_count: bool,
    /// How many (users, projects, cores...), when counted.
    pub count: u32,
    /// When this feature alone stops, if before the license does.
    pub expires: licentia_optional_time,
}

impl From<&Entitlement> for licentia_entitlement {
    fn from(e: &Entitlement) -> Self {
        licentia_entitlement {
            has_count: e.count.is_some(),
            count: e.count.unwrap_or(0),
            expires: e.expires.into(),
        }
    }
}

/// The license id, as 32 lower-case hex digits.
///
/// Strings out, here and everywhere in this API: on success `buf` holds the
/// string and a NUL, and `*out_len` its length without the NUL. When
/// `buf_len` is too small (it must be at least length + 1), nothing is
/// written to `buf`, `*out_len` receives the length needed (without the
/// NUL), and the status is `LICENTIA_BUFFER_TOO_SMALL`. Pass `buf` NULL and
/// `buf_len` 0 to ask for the length. `out_len` must not be NULL. A
/// `buf_len` over `PTRDIFF_MAX` is `LICENTIA_INVALID_ARGUMENT`.
///
/// # Safety
/// `license` is NULL or a live license; `buf` is NULL or valid for writes of
/// `buf_len` bytes; `out_len` is NULL or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn licentia_license_id(
    license: *const licentia_license,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> licentia_status {
    // SAFETY: forwarded contract.
    unsafe { licentia_license::read_str(license, buf, buf_len, out_len, |l| Ok(l.id.to_string())) }
}

/// The product code the license is for (strings out as `licentia_license_id`).
///
/// # Safety
/// As `licentia_license_id`.
#[no_mangle]
pub unsafe extern "C" fn licentia_license_product(
    license: *const licentia_license,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> licentia_status {
    // SAFETY: forwarded contract.
    unsafe { licentia_license::read_str(license, buf, buf_len, out_len, |l| Ok(&l.product)) }
}

/// The licensee's name (strings out as `licentia_license_id`).
///
/// # Safety
/// As `licentia_license_id`.
#[no_mangle]
pub unsafe extern "C" fn licentia_license_licensee_name(
    license: *const licentia_license,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> licentia_status {
    // SAFETY: forwarded contract.
    unsafe { licentia_license::read_str(license, buf, buf_len, out_len, |l| Ok(&l.licensee.name)) }
}

/// The licensee's e-mail, or `LICENTIA_NOT_FOUND` when the license has none
/// (strings out as `licentia_license_id`).
///
/// # Safety
/// As `licentia_license_id`.
#[no_mangle]
pub unsafe extern "C" fn licentia_license_licensee_email(
    license: *const licentia_license,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> licentia_status {
    // SAFETY: forwarded contract.
    unsafe {
        licentia_license::read_str(license, buf, buf_len, out_len, |l| {
            l.licensee.email.as_deref().ok_or(LICENTIA_NOT_FOUND)
        })
    }
}

/// The vendor's customer reference, or `LICENTIA_NOT_FOUND` when the license
/// has none (strings out as `licentia_license_id`).
///
/// # Safety
/// As `licentia_license_id`.
#[no_mangle]
pub unsafe extern "C" fn licentia_license_customer_ref(
    license: *const licentia_license,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> licentia_status {
    // SAFETY: forwarded contract.
    unsafe {
        licentia_license::read_str(license, buf, buf_len, out_len, |l| {
            l.licensee.customer_ref.as_deref().ok_or(LICENTIA_NOT_FOUND)
        })
    }
}

/// The id (16 hex digits) of the key that signed the license (strings out as
/// `licentia_license_id`).
///
/// # Safety
/// As `licentia_license_id`.
#[no_mangle]
pub unsafe extern "C" fn licentia_license_key_id(
    license: *const licentia_license,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> licentia_status {
    // SAFETY: forwarded contract.
    unsafe {
        licentia_license::read_str(license, buf, buf_len, out_len, |l| {
            Ok(l.key_id().to_string())
        })
    }
}

/// What sort of license it is; `LICENTIA_KIND_INVALID` when `license` is
/// NULL (fails closed: never `LICENTIA_KIND_STANDARD` for no license).
///
/// # Safety
/// `license` is NULL or a live license.
#[no_mangle]
pub unsafe extern "C" fn licentia_license_kind(license: *const licentia_license) -> licentia_kind {
    // SAFETY: forwarded contract.
    unsafe {
        licentia_license::get_or(license, licentia_kind::LICENTIA_KIND_INVALID, |l| {
            match l.kind {
                LicenseKind::Standard => licentia_kind::LICENTIA_KIND_STANDARD,
                LicenseKind::Trial => licentia_kind::LICENTIA_KIND_TRIAL,
                LicenseKind::Temporary { .. } => licentia_kind::LICENTIA_KIND_TEMPORARY,
            }
        })
    }
}

/// For a temporary license, the id of the license it stands in for;
/// `LICENTIA_NOT_FOUND` for other kinds (strings out as `licentia_license_id`).
///
/// # Safety
/// As `licentia_license_id`.
#[no_mangle]
pub unsafe extern "C" fn licentia_license_replaces(
    license: *const licentia_license,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> licentia_status {
    // SAFETY: forwarded contract.
    unsafe {
        licentia_license::read_str(license, buf, buf_len, out_len, |l| match l.kind {
            LicenseKind::Temporary { replaces } => Ok(replaces.to_string()),
            _ => Err(LICENTIA_NOT_FOUND),
        })
    }
}

/// Seats granted (informational offline); 0 when `license` is NULL.
///
/// # Safety
/// `license` is NULL or a live license.
#[no_mangle]
pub unsafe extern "C" fn licentia_license_seats(license: *const licentia_license) -> u32 {
    // SAFETY: forwarded contract.
    unsafe { licentia_license::get_or(license, 0, |l| l.seats) }
}

/// Whether the license runs in an environment of `kind` (a
/// `licentia_environment_kind`): true unless it refuses virtual machines or
/// containers (then the check reports `LICENTIA_RULE_VIRTUAL_MACHINE_NOT_ALLOWED`
/// or `LICENTIA_RULE_CONTAINER_NOT_ALLOWED` where it detects one). False when
/// `license` is NULL or `kind` is not a kind.
///
/// # Safety
/// `license` is NULL or a live license.
#[no_mangle]
pub unsafe extern "C" fn licentia_license_allows(
    license: *const licentia_license,
    kind: u32,
) -> bool {
    // SAFETY: forwarded contract.
    unsafe {
        licentia_license::get_or(license, false, |l| {
            crate::environment::kind_arg(kind).is_ok_and(|kind| l.environment.allows(kind))
        })
    }
}

/// Every time term of the license (with renewals applied), into `*out`.
///
/// # Safety
/// `license` is NULL or a live license; `out` is NULL or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn licentia_license_terms(
    license: *const licentia_license,
    out: *mut licentia_terms,
) -> licentia_status {
    // SAFETY: forwarded contract.
    unsafe {
        licentia_license::read_into(license, out, |license| {
            let t = &license.terms;
            Ok(licentia_terms {
                issued_at: license.issued_at.0,
                valid_from: t.valid_from.into(),
                soft_expiry: t.soft_expiry.into(),
                hard_expiry: t.hard_expiry.into(),
                has_grace: t.grace_secs.is_some(),
                grace_secs: t.grace_secs.unwrap_or(0),
                updates_until: t.updates_until.into(),
                has_check_in: t.check_in.is_some(),
                check_in_interval_secs: t.check_in.map_or(0, |c| c.interval_secs),
                check_in_max_offline_secs: t.check_in.map_or(0, |c| c.max_offline_secs),
            })
        })
    }
}

/// The license's binding, into `*out`.
///
/// # Safety
/// `license` is NULL or a live license; `out` is NULL or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn licentia_license_binding(
    license: *const licentia_license,
    out: *mut licentia_binding,
) -> licentia_status {
    use licentia_binding_kind::*;
    // SAFETY: forwarded contract.
    unsafe {
        licentia_license::read_into(license, out, |license| {
            let mut binding = licentia_binding {
                kind: LICENTIA_BINDING_UNBOUND,
                match_rule: licentia_match_rule::LICENTIA_MATCH_ALL,
                machine_count: 0,
                max_machines: 0,
            };
            match &license.binding {
                Binding::Unbound => {}
                Binding::NodeLocked { machines, rule } => {
                    binding.kind = LICENTIA_BINDING_NODE_LOCKED;
                    binding.machine_count = machines.len();
                    binding.match_rule = match rule {
                        MatchRule::All => licentia_match_rule::LICENTIA_MATCH_ALL,
                        MatchRule::Most => licentia_match_rule::LICENTIA_MATCH_MOST,
                        MatchRule::Two => licentia_match_rule::LICENTIA_MATCH_TWO,
                        MatchRule::Any => licentia_match_rule::LICENTIA_MATCH_ANY,
                    };
                }
                Binding::Floating { max_machines } => {
                    binding.kind = LICENTIA_BINDING_FLOATING;
                    binding.max_machines = *max_machines;
                }
                Binding::NamedUser { .. } => binding.kind = LICENTIA_BINDING_NAMED_USER,
            }
            Ok(binding)
        })
    }
}

/// For a node-locked license, licensed machine number `index` (from 0) as a
/// fingerprint in hex; `LICENTIA_NOT_FOUND` past the last machine or for
/// other bindings (strings out as `licentia_license_id`).
///
/// # Safety
/// As `licentia_license_id`.
#[no_mangle]
pub unsafe extern "C" fn licentia_license_binding_machine(
    license: *const licentia_license,
    index: usize,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> licentia_status {
    // SAFETY: forwarded contract.
    unsafe {
        licentia_license::read_str(license, buf, buf_len, out_len, |l| match &l.binding {
            Binding::NodeLocked { machines, .. } => Ok(nth(machines, index)?.to_string()),
            _ => Err(LICENTIA_NOT_FOUND),
        })
    }
}

/// For a named-user license, the user; `LICENTIA_NOT_FOUND` for other
/// bindings (strings out as `licentia_license_id`).
///
/// # Safety
/// As `licentia_license_id`.
#[no_mangle]
pub unsafe extern "C" fn licentia_license_binding_user(
    license: *const licentia_license,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> licentia_status {
    // SAFETY: forwarded contract.
    unsafe {
        licentia_license::read_str(license, buf, buf_len, out_len, |l| match &l.binding {
            Binding::NamedUser { user } => Ok(user),
            _ => Err(LICENTIA_NOT_FOUND),
        })
    }
}

/// Whether feature `code` is granted and in force at `now` (Unix seconds).
/// False when an argument is NULL or not UTF-8.
///
/// # Safety
/// `license` is NULL or a live license; `code` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn licentia_license_has_feature(
    license: *const licentia_license,
    code: *const c_char,
    now: i64,
) -> bool {
    guard_value(false, || {
        // SAFETY: caller's contract.
        let (license, code) = unsafe { (licentia_license::arg(license)?, str_arg(code)?) };
        Ok(license.has_feature(code, Timestamp(now)))
    })
}

/// The entitlement `code`, if granted and in force at `now`, into `*out`;
/// `LICENTIA_NOT_FOUND` otherwise.
///
/// # Safety
/// `license` is NULL or a live license; `code` is NULL or a NUL-terminated
/// string; `out` is NULL or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn licentia_license_entitlement(
    license: *const licentia_license,
    code: *const c_char,
    now: i64,
    out: *mut licentia_entitlement,
) -> licentia_status {
    guard(|| {
        // SAFETY: caller's contract.
        let (license, code, out) = unsafe {
            (
                licentia_license::arg(license)?,
                str_arg(code)?,
                Out::new(out)?,
            )
        };
        let found = license
            .entitlement(code, Timestamp(now))
            .ok_or(LICENTIA_NOT_FOUND)?;
        out.set(found.into());
        Ok(())
    })
}

/// How many entitlements the license lists (in force or not); 0 when
/// `license` is NULL. Index them from 0 with `licentia_license_entitlement_at`.
///
/// # Safety
/// `license` is NULL or a live license.
#[no_mangle]
pub unsafe extern "C" fn licentia_license_entitlement_count(
    license: *const licentia_license,
) -> usize {
    // SAFETY: forwarded contract.
    unsafe { licentia_license::get_or(license, 0, |l| l.entitlements.len()) }
}

/// Entitlement number `index` (sorted by code), into `*out`;
/// `LICENTIA_NOT_FOUND` past the last one.
///
/// # Safety
/// `license` is NULL or a live license; `out` is NULL or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn licentia_license_entitlement_at(
    license: *const licentia_license,
    index: usize,
    out: *mut licentia_entitlement,
) -> licentia_status {
    // SAFETY: forwarded contract.
    unsafe {
        licentia_license::read_into(license, out, |l| Ok(nth(&l.entitlements, index)?.into()))
    }
}

/// The code of entitlement number `index`; `LICENTIA_NOT_FOUND` past the
/// last one (strings out as `licentia_license_id`).
///
/// # Safety
/// As `licentia_license_id`.
#[no_mangle]
pub unsafe extern "C" fn licentia_license_entitlement_code(
    license: *const licentia_license,
    index: usize,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> licentia_status {
    // SAFETY: forwarded contract.
    unsafe {
        licentia_license::read_str(license, buf, buf_len, out_len, |l| {
            Ok(&nth(&l.entitlements, index)?.code)
        })
    }
}

/// The vendor metadata value for `key`; `LICENTIA_NOT_FOUND` when absent
/// (strings out as `licentia_license_id`).
///
/// # Safety
/// As `licentia_license_id`; `key` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn licentia_license_metadata(
    license: *const licentia_license,
    key: *const c_char,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> licentia_status {
    // SAFETY: forwarded contract, `key`'s included (read inside the boundary).
    unsafe {
        licentia_license::read_str(license, buf, buf_len, out_len, |l| {
            l.metadata(str_arg(key)?).ok_or(LICENTIA_NOT_FOUND)
        })
    }
}

/// Applies a renewal token (armored or compact text) verified with
/// `verifier`: an extension moves the expiry later, an added entitlement is
/// granted. The token must be for this very license.
///
/// Errors: any verification status, `LICENTIA_RENEWAL_MISMATCH`,
/// `LICENTIA_NULL_ARGUMENT`, `LICENTIA_INVALID_UTF8`; the license is
/// unchanged on error. Not thread-safe: changes the license.
///
/// # Safety
/// `license` is NULL or a live license no other thread uses; `verifier` is
/// NULL or a live verifier; `token` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn licentia_license_apply_renewal(
    license: *mut licentia_license,
    verifier: *const licentia_verifier,
    token: *const c_char,
) -> licentia_status {
    guard(|| {
        // SAFETY: caller's contract.
        let (license, verifier, token) = unsafe {
            (
                licentia_license::arg_mut(license)?,
                licentia_verifier::arg(verifier)?,
                str_arg(token)?,
            )
        };
        let token = verifier.verifier.verify_renewal(token)?;
        license.apply_renewal(&token)?;
        Ok(())
    })
}

/// Frees a license. NULL is a no-op.
///
/// # Safety
/// `license` is NULL or a live license no other thread uses; it must not be
/// used after this call.
#[no_mangle]
pub unsafe extern "C" fn licentia_license_free(license: *mut licentia_license) {
    // SAFETY: forwarded contract.
    unsafe { licentia_license::free(license) }
}
