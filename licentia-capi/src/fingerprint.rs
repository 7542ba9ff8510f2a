//! Machine fingerprints: this machine's, one parsed from hex, or one built
//! from components the application supplies (containers, cloud ids).

use std::ffi::c_char;

use crate::boundary::{guard, str_arg, Handle, Out, Outcome};
use crate::status::licentia_status;
use licentia::machine::FingerprintBuilder;
use licentia::Fingerprint;

/// A machine's hashed components for one product. Freed with
/// `licentia_fingerprint_free`; immutable, so any number of threads may
/// read it at once.
pub struct licentia_fingerprint {
    _private: [u8; 0],
}

impl Handle for licentia_fingerprint {
    type Rust = Fingerprint;
}

/// Collects a machine's components for one product, then builds a
/// fingerprint. Consumed by `licentia_fingerprint_builder_build`; freed with
/// `licentia_fingerprint_builder_free` if never built. Not thread-safe.
pub struct licentia_fingerprint_builder {
    _private: [u8; 0],
}

impl Handle for licentia_fingerprint_builder {
    type Rust = FingerprintBuilder;
}

/// This machine's default fingerprint for `product` (its OS machine id).
///
/// On success `*out` receives a new fingerprint, freed with
/// `licentia_fingerprint_free`. `LICENTIA_FINGERPRINT` when the machine has
/// no machine id (containers): build one with a vendor component instead.
/// Thread-safe.
///
/// # Safety
/// `product` is NULL or a NUL-terminated string; `out` is NULL or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn licentia_fingerprint_this_machine(
    product: *const c_char,
    out: *mut *mut licentia_fingerprint,
) -> licentia_status {
    // SAFETY: forwarded contract.
    unsafe {
        licentia_fingerprint::new_from_str(product, out, |product| {
            Ok(Fingerprint::this_machine(product)?)
        })
    }
}

/// Parses a fingerprint's hex text form (as `licentia_fingerprint_to_hex`
/// writes and the command line prints).
///
/// On success `*out` receives a new fingerprint, freed with
/// `licentia_fingerprint_free`; `LICENTIA_FINGERPRINT` when the text is not
/// one. Thread-safe.
///
/// # Safety
/// `hex` is NULL or a NUL-terminated string; `out` is NULL or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn licentia_fingerprint_from_hex(
    hex: *const c_char,
    out: *mut *mut licentia_fingerprint,
) -> licentia_status {
    // SAFETY: forwarded contract.
    unsafe { licentia_fingerprint::new_from_str(hex, out, |hex| Ok(Fingerprint::parse(hex)?)) }
}

/// The fingerprint's hex text form (strings out as `licentia_license_id`).
///
/// # Safety
/// `fingerprint` is NULL or a live fingerprint; `buf` is NULL or valid for
/// writes of `buf_len` bytes; `out_len` is NULL or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn licentia_fingerprint_to_hex(
    fingerprint: *const licentia_fingerprint,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> licentia_status {
    // SAFETY: forwarded contract.
    unsafe {
        licentia_fingerprint::read_str(fingerprint, buf, buf_len, out_len, |f| Ok(f.to_string()))
    }
}

/// Frees a fingerprint. NULL is a no-op.
///
/// # Safety
/// `fingerprint` is NULL or a live fingerprint no other thread uses; it must
/// not be used after this call.
#[no_mangle]
pub unsafe extern "C" fn licentia_fingerprint_free(fingerprint: *mut licentia_fingerprint) {
    // SAFETY: forwarded contract.
    unsafe { licentia_fingerprint::free(fingerprint) }
}

/// Starts a fingerprint for `product` with no component yet.
///
/// On success `*out` receives a new builder: add components, then
/// `licentia_fingerprint_builder_build` (or `licentia_fingerprint_builder_free`).
///
/// # Safety
/// `product` is NULL or a NUL-terminated string; `out` is NULL or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn licentia_fingerprint_builder_new(
    product: *const c_char,
    out: *mut *mut licentia_fingerprint_builder,
) -> licentia_status {
    // SAFETY: forwarded contract.
    unsafe {
        licentia_fingerprint_builder::new_from_str(product, out, |product| {
            Ok(Fingerprint::builder(product))
        })
    }
}

/// Changes a builder in place with one of the core builder's steps.
///
/// # Safety
/// `builder` is NULL or a live builder no other thread uses.
unsafe fn step(
    builder: *mut licentia_fingerprint_builder,
    add: impl FnOnce(FingerprintBuilder) -> FingerprintBuilder,
) -> Outcome {
    // SAFETY: caller's contract.
    let builder = unsafe { licentia_fingerprint_builder::arg_mut(builder) }?;
    let taken = std::mem::replace(builder, Fingerprint::builder(""));
    *builder = add(taken);
    Ok(())
}

/// Adds this machine's OS machine id. A machine without one makes
/// `licentia_fingerprint_builder_build` fail with `LICENTIA_FINGERPRINT`.
///
/// # Safety
/// `builder` is NULL or a live builder no other thread uses.
#[no_mangle]
pub unsafe extern "C" fn licentia_fingerprint_builder_add_machine_id(
    builder: *mut licentia_fingerprint_builder,
) -> licentia_status {
    // SAFETY: forwarded contract.
    guard(|| unsafe { step(builder, FingerprintBuilder::machine_id) })
}

/// Adds this machine's host name.
///
/// # Safety
/// `builder` is NULL or a live builder no other thread uses.
#[no_mangle]
pub unsafe extern "C" fn licentia_fingerprint_builder_add_hostname(
    builder: *mut licentia_fingerprint_builder,
) -> licentia_status {
    // SAFETY: forwarded contract.
    guard(|| unsafe { step(builder, FingerprintBuilder::hostname) })
}

/// Adds a component the application supplies under its own `name` — for
/// containers, the pod's identity or a volume-persisted UUID. Only a hash of
/// `value` (keyed per product and name) is kept. An empty `value` makes
/// `licentia_fingerprint_builder_build` fail with `LICENTIA_FINGERPRINT`.
///
/// # Safety
/// `builder` is NULL or a live builder no other thread uses; `name` and
/// `value` are NULL or NUL-terminated strings.
#[no_mangle]
pub unsafe extern "C" fn licentia_fingerprint_builder_add_vendor(
    builder: *mut licentia_fingerprint_builder,
    name: *const c_char,
    value: *const c_char,
) -> licentia_status {
    guard(|| {
        // SAFETY: caller's contract.
        let (name, value) = unsafe { (str_arg(name)?, str_arg(value)?) };
        // SAFETY: forwarded contract.
        unsafe { step(builder, |b| b.vendor(name, value)) }
    })
}

/// Builds the fingerprint. The builder is consumed — freed by this call,
/// whether it succeeds or not — and must not be used again.
///
/// On success `*out` receives a new fingerprint, freed with
/// `licentia_fingerprint_free`. `LICENTIA_FINGERPRINT` when a component
/// could not be read, or there are none or too many (more than 8). When
/// `out` is NULL the builder is left alone and `LICENTIA_NULL_ARGUMENT`
/// returned.
///
/// # Safety
/// `builder` is NULL or a live builder no other thread uses; `out` is NULL
/// or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn licentia_fingerprint_builder_build(
    builder: *mut licentia_fingerprint_builder,
    out: *mut *mut licentia_fingerprint,
) -> licentia_status {
    guard(|| {
        // SAFETY: caller's contract.
        let out = unsafe { Out::new(out) }?;
        // SAFETY: caller's contract; the builder is consumed here.
        let builder = unsafe { licentia_fingerprint_builder::take(builder) }?;
        out.give(builder.build()?);
        Ok(())
    })
}

/// Frees a builder that was never built. NULL is a no-op.
///
/// # Safety
/// `builder` is NULL or a live builder no other thread uses; it must not be
/// used after this call.
#[no_mangle]
pub unsafe extern "C" fn licentia_fingerprint_builder_free(
    builder: *mut licentia_fingerprint_builder,
) {
    // SAFETY: forwarded contract.
    unsafe { licentia_fingerprint_builder::free(builder) }
}
