//! Release catalogues: verified with the verifier's keys, looked up by
//! version, and matched against a license's maintenance (updates-until).

use std::ffi::c_char;

use crate::boundary::{guard, nth, str_arg, Handle, Out, StrOut};
use crate::license::licentia_license;
use crate::status::licentia_status::{self, *};
use crate::verifier::licentia_verifier;
use licentia::ReleaseCatalogue;

/// A verified release catalogue: a product's releases (version, date,
/// channel, notes, download address), in version order.
///
/// Create it with `licentia_verify_release_catalogue`, free it with
/// `licentia_release_catalogue_free`. It is only read after it is made:
/// any number of threads may use it at once.
pub struct licentia_release_catalogue {
    _private: [u8; 0],
}

impl Handle for licentia_release_catalogue {
    type Rust = ReleaseCatalogue;
}

/// Verifies a signed release catalogue (armored or compact text) for
/// `product` with the verifier's trusted keys.
///
/// On success `*out` receives a new catalogue, freed with
/// `licentia_release_catalogue_free`. Errors: any verification status
/// (`LICENTIA_BAD_SIGNATURE`, `LICENTIA_WRONG_DOCUMENT_KIND`,
/// `LICENTIA_MALFORMED_BODY`...), `LICENTIA_WRONG_PRODUCT`,
/// `LICENTIA_NULL_ARGUMENT`, `LICENTIA_INVALID_UTF8`. Thread-safe (reads
/// the verifier only).
///
/// # Safety
/// `verifier` is NULL or a live verifier; `text` and `product` are NULL or
/// NUL-terminated strings; `out` is NULL or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn licentia_verify_release_catalogue(
    verifier: *const licentia_verifier,
    text: *const c_char,
    product: *const c_char,
    out: *mut *mut licentia_release_catalogue,
) -> licentia_status {
    guard(|| {
        // SAFETY: caller's contract.
        let (state, text, product, out) = unsafe {
            (
                licentia_verifier::arg(verifier)?,
                str_arg(text)?,
                str_arg(product)?,
                Out::new(out)?,
            )
        };
        out.give(state.verifier.verify_release_catalogue(text, product)?);
        Ok(())
    })
}

/// How many releases the catalogue lists; 0 when `catalogue` is NULL.
/// Index them from 0 (in version order) with
/// `licentia_release_catalogue_version_at`.
///
/// # Safety
/// `catalogue` is NULL or a live catalogue.
#[no_mangle]
pub unsafe extern "C" fn licentia_release_catalogue_count(
    catalogue: *const licentia_release_catalogue,
) -> usize {
    // SAFETY: forwarded contract.
    unsafe { licentia_release_catalogue::get_or(catalogue, 0, |c| c.releases.len()) }
}

/// The version of release number `index`; `LICENTIA_NOT_FOUND` past the
/// last one (strings out as `licentia_license_id`).
///
/// # Safety
/// `catalogue` is NULL or a live catalogue; `buf` is NULL or valid for
/// writes of `buf_len` bytes; `out_len` is NULL or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn licentia_release_catalogue_version_at(
    catalogue: *const licentia_release_catalogue,
    index: usize,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> licentia_status {
    // SAFETY: forwarded contract.
    unsafe {
        licentia_release_catalogue::read_str(catalogue, buf, buf_len, out_len, |c| {
            Ok(&nth(&c.releases, index)?.version)
        })
    }
}

/// The release date (Unix seconds) of `version` (`3.1` finds `3.1.0`),
/// into `*out_date`: set it as the check context's `release_date` (with
/// `has_release_date`) so `licentia_check` applies the license's
/// updates-until to the running version. `LICENTIA_NOT_FOUND` when the
/// catalogue does not list the version.
///
/// # Safety
/// `catalogue` is NULL or a live catalogue; `version` is NULL or a
/// NUL-terminated string; `out_date` is NULL or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn licentia_release_catalogue_date(
    catalogue: *const licentia_release_catalogue,
    version: *const c_char,
    out_date: *mut i64,
) -> licentia_status {
    guard(|| {
        // SAFETY: caller's contract.
        let (catalogue, version, out) = unsafe {
            (
                licentia_release_catalogue::arg(catalogue)?,
                str_arg(version)?,
                Out::new(out_date)?,
            )
        };
        out.set(catalogue.release(version).ok_or(LICENTIA_NOT_FOUND)?.date.0);
        Ok(())
    })
}

/// Whether the license may run release `version` of the catalogue: its
/// maintenance (updates-until) covers the release's date. Writes
/// `*out_may_run`; `LICENTIA_NOT_FOUND` when the catalogue does not list
/// the version, `LICENTIA_WRONG_PRODUCT` when it is another product's.
///
/// # Safety
/// `license` is NULL or a live license; `catalogue` is NULL or a live
/// catalogue; `version` is NULL or a NUL-terminated string; `out_may_run`
/// is NULL or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn licentia_license_may_run(
    license: *const licentia_license,
    catalogue: *const licentia_release_catalogue,
    version: *const c_char,
    out_may_run: *mut bool,
) -> licentia_status {
    guard(|| {
        // SAFETY: caller's contract.
        let (license, catalogue, version, out) = unsafe {
            (
                licentia_license::arg(license)?,
                licentia_release_catalogue::arg(catalogue)?,
                str_arg(version)?,
                Out::new(out_may_run)?,
            )
        };
        let runnable = license.runnable_releases(catalogue)?;
        let release = catalogue.release(version).ok_or(LICENTIA_NOT_FOUND)?;
        out.set(runnable.contains(&release));
        Ok(())
    })
}

/// The versions of the catalogue the license may run, in version order,
/// one per line (`"3.1\n3.2-beta.1"`; empty when none), strings out as
/// `licentia_license_id`. `LICENTIA_WRONG_PRODUCT` when the catalogue is
/// another product's.
///
/// # Safety
/// `license` is NULL or a live license; `catalogue` is NULL or a live
/// catalogue; `buf` is NULL or valid for writes of `buf_len` bytes;
/// `out_len` is NULL or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn licentia_license_runnable_releases(
    license: *const licentia_license,
    catalogue: *const licentia_release_catalogue,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> licentia_status {
    guard(|| {
        // SAFETY: caller's contract.
        let (out, license, catalogue) = unsafe {
            (
                StrOut::new(buf, buf_len, out_len)?,
                licentia_license::arg(license)?,
                licentia_release_catalogue::arg(catalogue)?,
            )
        };
        let versions: Vec<&str> = license
            .runnable_releases(catalogue)?
            .iter()
            .map(|r| r.version.as_str())
            .collect();
        out.write(&versions.join("\n"))
    })
}

/// Frees a catalogue. NULL is a no-op.
///
/// # Safety
/// `catalogue` is NULL or a live catalogue no other thread uses; it must
/// not be used after this call.
#[no_mangle]
pub unsafe extern "C" fn licentia_release_catalogue_free(
    catalogue: *mut licentia_release_catalogue,
) {
    // SAFETY: forwarded contract.
    unsafe { licentia_release_catalogue::free(catalogue) }
}
