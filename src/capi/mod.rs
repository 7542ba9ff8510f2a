//! The C ABI (feature `capi`): `liblicentia.so` / `liblicentia.a` with the
//! header `include/licentia.h`, which cbindgen writes from this module.
//!
//! It adds no license logic: every function converts its arguments, calls
//! the core, and converts the result. The conventions, the same everywhere:
//!
//! - every function returns a [`licentia_status`](status::licentia_status)
//!   (or a plain value with a documented fallback for NULL);
//! - handles are opaque, created by one function and freed by their own
//!   `_free`, which accepts NULL;
//! - out-parameters are written only on success; strings come out through
//!   the caller's buffer with the length needed
//!   (see `licentia_license_id`);
//! - every pointer is checked for NULL, every string for UTF-8, and every
//!   body runs inside a panic boundary, so a bug is `LICENTIA_PANIC` and
//!   never an unwind into C.
//!
//! Build it with `scripts/build-capi.sh`.

// The names are C's: `licentia_verifier`, `LICENTIA_OK`.
#![allow(non_camel_case_types)]

use std::ffi::c_char;

mod activation;
mod boundary;
mod check;
mod fingerprint;
mod issuer;
mod license;
mod status;
mod verifier;

pub use activation::*;
pub use check::*;
pub use fingerprint::*;
pub use issuer::*;
pub use license::*;
pub use status::*;
pub use verifier::*;

use boundary::{guard, str_arg, write_str, Out};

use crate::format::{FORMAT_VERSION, SUPPORTED_VERSIONS};
use crate::Timestamp;

/// The library's version (`"0.1.0"`), as a static NUL-terminated string.
///
/// Thread safety: may be called from any thread.
#[no_mangle]
pub extern "C" fn licentia_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

/// The format version this library writes.
///
/// Thread safety: may be called from any thread.
#[no_mangle]
pub extern "C" fn licentia_format_version() -> u8 {
    FORMAT_VERSION
}

/// The format versions this library reads: `*out_versions` receives a
/// pointer to a static array (never freed) and `*out_count` its length.
///
/// # Safety
/// `out_versions` and `out_count` are NULL or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn licentia_supported_format_versions(
    out_versions: *mut *const u8,
    out_count: *mut usize,
) -> licentia_status {
    guard(|| {
        // SAFETY: caller's contract.
        let (versions, count) = unsafe { (Out::new(out_versions)?, Out::new(out_count)?) };
        versions.set(SUPPORTED_VERSIONS.as_ptr());
        count.set(SUPPORTED_VERSIONS.len());
        Ok(())
    })
}

/// Parses a time: RFC 3339 (`2027-01-31T12:00:00Z`, any offset) or a bare
/// date (`2027-01-31`, midnight UTC), into Unix seconds in `*out_secs`.
/// `LICENTIA_INVALID_ARGUMENT` when the text is neither.
///
/// # Safety
/// `text` is NULL or a NUL-terminated string; `out_secs` is NULL or valid
/// for a write.
#[no_mangle]
pub unsafe extern "C" fn licentia_parse_time(
    text: *const c_char,
    out_secs: *mut i64,
) -> licentia_status {
    guard(|| {
        // SAFETY: caller's contract.
        let (text, out) = unsafe { (str_arg(text)?, Out::new(out_secs)?) };
        out.set(Timestamp::parse(text)?.0);
        Ok(())
    })
}

/// Formats Unix seconds as RFC 3339 in UTC (`2027-01-31T00:00:00Z`)
/// (strings out as `licentia_license_id`).
///
/// # Safety
/// `buf` is NULL or valid for writes of `buf_len` bytes; `out_len` is NULL
/// or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn licentia_format_time(
    secs: i64,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> licentia_status {
    // SAFETY: caller's contract.
    guard(|| unsafe { write_str(&Timestamp(secs).to_string(), buf, buf_len, out_len) })
}

/// Test hook, in debug builds only: panics inside the boundary, so a test
/// can see `LICENTIA_PANIC` come back instead of an abort.
#[cfg(debug_assertions)]
#[no_mangle]
pub extern "C" fn licentia_test_panic() -> licentia_status {
    guard(|| panic!("licentia_test_panic: a deliberate panic at the C boundary"))
}
