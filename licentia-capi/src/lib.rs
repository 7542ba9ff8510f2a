//! The C ABI of licentia: `liblicentia.so` / `liblicentia.a` with the
//! header `include/licentia.h`, which cbindgen writes from this crate.
//!
//! It adds no license logic: every function converts its arguments, calls
//! the core, and converts the result. The conventions, the same everywhere:
//!
//! - every function returns a [`licentia_status`]
//!   (or a plain value with a documented fallback for NULL);
//! - handles are opaque, created by one function and freed by their own
//!   `_free`, which accepts NULL;
//! - out-parameters are written only on success; strings come out through
//!   the caller's buffer with the length needed
//!   (see `licentia_license_id`);
//! - every pointer is checked for NULL, every string for UTF-8, every byte
//!   length for `PTRDIFF_MAX` (a larger one is `LICENTIA_INVALID_ARGUMENT`:
//!   no object is that long), and every
//!   body runs inside a panic boundary, so a bug is `LICENTIA_PANIC` and
//!   never an unwind into C.
//!
//! Build it with `scripts/build-capi.sh`.

// The names are C's: `licentia_verifier`, `LICENTIA_OK`.
#![allow(non_camel_case_types)]
#![warn(missing_docs)]

use std::ffi::c_char;

mod activation;
mod boundary;
mod catalogue;
mod check;
mod client;
mod clock;
mod environment;
mod fingerprint;
mod issuer;
mod license;
mod status;
mod usage;
mod verifier;

pub use activation::*;
pub use catalogue::*;
pub use check::*;
pub use client::*;
pub use clock::*;
pub use environment::*;
pub use fingerprint::*;
pub use issuer::*;
pub use license::*;
pub use status::*;
pub use usage::*;
pub use verifier::*;

use boundary::{guard, str_arg, Out, StrOut};

use licentia::format::{FORMAT_VERSION, SUPPORTED_VERSIONS};
use licentia::Timestamp;

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
    guard(|| {
        // SAFETY: caller's contract.
        let out = unsafe { StrOut::new(buf, buf_len, out_len) }?;
        out.write(&Timestamp(secs).to_string())
    })
}

/// Test hook, in debug builds only: panics inside the boundary, so a test
/// can see `LICENTIA_PANIC` come back instead of an abort.
#[cfg(debug_assertions)]
#[no_mangle]
pub extern "C" fn licentia_test_panic() -> licentia_status {
    guard(|| panic!("licentia_test_panic: a deliberate panic at the C boundary"))
}

#[cfg(test)]
mod tests {
    use std::ffi::CStr;
    use std::ptr;

    use super::*;
    use licentia::{Context, Issuer, LicenseBody, SigningKey, Verifier};

    #[cfg(debug_assertions)]
    #[test]
    fn the_test_hook_panics_inside_the_boundary() {
        assert_eq!(licentia_test_panic(), licentia_status::LICENTIA_PANIC);
    }

    /// The C path gives the verdict the Rust path gives, and out-parameters
    /// stay untouched on failure.
    #[test]
    fn verify_and_check_through_the_c_abi() {
        let key = SigningKey::from_seed(&[5; 32]);
        let body = LicenseBody::builder("acme", "Jane")
            .issued_at(Timestamp(1_000))
            .hard_expiry(Timestamp(2_000))
            .grace_secs(100)
            .build()
            .unwrap();
        let text = Issuer::new(key.clone()).issue(&body).unwrap().to_armor();
        let rust = Verifier::new([key.public_key().clone()])
            .verify(&text)
            .unwrap()
            .check(&Context::new(Timestamp(2_050), "acme"));

        let pem = std::ffi::CString::new(key.public_key().to_pem()).unwrap();
        let text = std::ffi::CString::new(text).unwrap();
        let (mut verifier, mut license, mut report) =
            (ptr::null_mut(), ptr::null_mut(), ptr::null_mut());
        let ctx = licentia_check_context {
            now: 2_050,
            product: c"acme".as_ptr(),
            ..Default::default()
        };
        // SAFETY: valid C strings and out-pointers; every handle is freed.
        unsafe {
            assert_eq!(
                licentia_verifier_from_pem(pem.as_ptr(), &mut verifier),
                licentia_status::LICENTIA_OK
            );
            assert_eq!(
                licentia_verify(verifier, c"garbage".as_ptr(), &mut license),
                licentia_status::LICENTIA_NOT_LICENTIA_TEXT
            );
            assert!(license.is_null());
            assert_eq!(
                licentia_verify(verifier, text.as_ptr(), &mut license),
                licentia_status::LICENTIA_OK
            );
            assert_eq!(
                licentia_check(license, &ctx, &mut report),
                licentia_status::LICENTIA_OK
            );
            assert_eq!(licentia_report_state(report), rust.state.into());
            assert_eq!(licentia_report_finding_count(report), rust.findings.len());
            let mut grace = 0;
            assert_eq!(
                licentia_report_grace_remaining(report, &mut grace),
                licentia_status::LICENTIA_OK
            );
            assert_eq!(Some(grace), rust.grace_remaining_secs);
            let mut buf = [0 as c_char; 512];
            let mut len = 0;
            assert_eq!(
                licentia_report_to_text(report, buf.as_mut_ptr(), buf.len(), &mut len),
                licentia_status::LICENTIA_OK
            );
            assert_eq!(
                CStr::from_ptr(buf.as_ptr()).to_str().unwrap(),
                rust.to_string()
            );
            licentia_report_free(report);
            licentia_license_free(license);
            licentia_verifier_free(verifier);
        }
    }
}
