//! Offline activation: the request this machine writes, and the answer it
//! accepts.

use std::ffi::c_char;

use crate::boundary::{guard, str_arg, Handle, Out, Outcome};
use crate::fingerprint::licentia_fingerprint;
use crate::status::licentia_status;
use crate::verifier::licentia_verifier;
use licentia::{ActivationRequest, LicenseId, LicenseRef, Timestamp};

/// An offline activation request: carry its text to the back office, keep
/// the handle (or its text, to parse again later) to accept the answer.
/// Freed with `licentia_activation_request_free`; immutable, so any number
/// of threads may read it at once.
pub struct licentia_activation_request {
    _private: [u8; 0],
}

impl Handle for licentia_activation_request {
    type Rust = ActivationRequest;
}

/// Builds a request from the C arguments common to both constructors.
///
/// # Safety
/// As the exported constructors.
unsafe fn new_request(
    product: *const c_char,
    fingerprint: *const licentia_fingerprint,
    now: i64,
    out: *mut *mut licentia_activation_request,
    license: impl FnOnce() -> Outcome<LicenseRef>,
) -> licentia_status {
    guard(|| {
        // SAFETY: caller's contract.
        let (product, fingerprint, out) = unsafe {
            (
                str_arg(product)?,
                licentia_fingerprint::arg(fingerprint)?,
                Out::new(out)?,
            )
        };
        out.give(ActivationRequest::new(
            product,
            license()?,
            fingerprint.clone(),
            Timestamp(now),
        ));
        Ok(())
    })
}

/// A request to activate `product` on the machine `fingerprint` with the
/// license key the customer was given, written at `now` (Unix seconds) with
/// a fresh random nonce.
///
/// On success `*out` receives a new request, freed with
/// `licentia_activation_request_free`.
///
/// # Safety
/// `product` and `license_key` are NULL or NUL-terminated strings;
/// `fingerprint` is NULL or a live fingerprint; `out` is NULL or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn licentia_activation_request_new(
    product: *const c_char,
    license_key: *const c_char,
    fingerprint: *const licentia_fingerprint,
    now: i64,
    out: *mut *mut licentia_activation_request,
) -> licentia_status {
    // SAFETY: forwarded contract.
    unsafe {
        new_request(product, fingerprint, now, out, || {
            Ok(LicenseRef::Key(str_arg(license_key)?.to_owned()))
        })
    }
}

/// As `licentia_activation_request_new`, naming the license by its id (32
/// hex digits) instead of a key; `LICENTIA_INVALID_ARGUMENT` for a bad id.
///
/// # Safety
/// As `licentia_activation_request_new`.
#[no_mangle]
pub unsafe extern "C" fn licentia_activation_request_new_for_id(
    product: *const c_char,
    license_id: *const c_char,
    fingerprint: *const licentia_fingerprint,
    now: i64,
    out: *mut *mut licentia_activation_request,
) -> licentia_status {
    // SAFETY: forwarded contract.
    unsafe {
        new_request(product, fingerprint, now, out, || {
            Ok(LicenseRef::Id(LicenseId::parse(str_arg(license_id)?)?))
        })
    }
}

/// Parses a request's text (as written by `licentia_activation_request_to_text`),
/// to accept its answer in a later run.
///
/// On success `*out` receives a new request, freed with
/// `licentia_activation_request_free`.
///
/// # Safety
/// `text` is NULL or a NUL-terminated string; `out` is NULL or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn licentia_activation_request_parse(
    text: *const c_char,
    out: *mut *mut licentia_activation_request,
) -> licentia_status {
    // SAFETY: forwarded contract.
    unsafe {
        licentia_activation_request::new_from_str(text, out, |text| {
            Ok(ActivationRequest::parse(text)?)
        })
    }
}

/// The request as armored text to carry to the back office (strings out as
/// `licentia_license_id`). The same request always gives the same text.
///
/// # Safety
/// `request` is NULL or a live request; `buf` is NULL or valid for writes of
/// `buf_len` bytes; `out_len` is NULL or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn licentia_activation_request_to_text(
    request: *const licentia_activation_request,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> licentia_status {
    // SAFETY: forwarded contract.
    unsafe {
        licentia_activation_request::read_str(request, buf, buf_len, out_len, |r| Ok(r.to_armor()))
    }
}

/// Verifies the back office's answer to this request with `verifier` at
/// `now`, and writes the machine-locked license file it carries (armored
/// text, to store and verify with `licentia_verify`; strings out as
/// `licentia_license_id`).
///
/// Errors: any verification status, `LICENTIA_ACTIVATION_MISMATCH` (another
/// request, another machine, or outside its time window),
/// `LICENTIA_NULL_ARGUMENT`, `LICENTIA_INVALID_UTF8`. Thread-safe.
///
/// # Safety
/// `request` is NULL or a live request; `verifier` is NULL or a live
/// verifier; `answer` is NULL or a NUL-terminated string; `buf` is NULL or
/// valid for writes of `buf_len` bytes; `out_len` is NULL or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn licentia_activation_request_accept(
    request: *const licentia_activation_request,
    verifier: *const licentia_verifier,
    answer: *const c_char,
    now: i64,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> licentia_status {
    // SAFETY: forwarded contract, `verifier`'s and `answer`'s included
    // (read inside the boundary, after the buffer and the request).
    unsafe {
        licentia_activation_request::read_str(request, buf, buf_len, out_len, |request| {
            let (verifier, answer) = (licentia_verifier::arg(verifier)?, str_arg(answer)?);
            let activated = request.accept(answer, &verifier.verifier, Timestamp(now))?;
            Ok(activated.license_file)
        })
    }
}

/// Frees a request. NULL is a no-op.
///
/// # Safety
/// `request` is NULL or a live request no other thread uses; it must not be
/// used after this call.
#[no_mangle]
pub unsafe extern "C" fn licentia_activation_request_free(
    request: *mut licentia_activation_request,
) {
    // SAFETY: forwarded contract.
    unsafe { licentia_activation_request::free(request) }
}
