//! The verifier: trusted keys, key rollover, the revocation list, and
//! verification of license text into a license handle.

use std::ffi::c_char;

use crate::boundary::{bytes_arg, guard, str_arg, Handle, Out};
use crate::license::licentia_license;
use crate::status::licentia_status::{self, *};
use licentia::keys::PUBLIC_KEY_LEN;
use licentia::{format, PublicKey, RevocationList, Verifier};

/// A set of trusted public keys, and the revocation list held.
///
/// Create it with `licentia_verifier_new` (or `licentia_verifier_from_pem`),
/// free it with `licentia_verifier_free`. Functions that take a `const
/// licentia_verifier *` only read it: any number of threads may call them at
/// once. Functions that take a `licentia_verifier *` change it: call them
/// while no other thread uses the verifier.
pub struct licentia_verifier {
    _private: [u8; 0],
}

/// What a verifier handle holds: the core verifier and the newest
/// revocation list accepted.
pub(crate) struct VerifierState {
    pub(crate) verifier: Verifier,
    pub(crate) revocations: Option<RevocationList>,
}

impl VerifierState {
    /// A handle's state for `verifier`, with no revocation list held yet.
    fn trusting(verifier: Verifier) -> VerifierState {
        VerifierState {
            verifier,
            revocations: None,
        }
    }
}

impl Handle for licentia_verifier {
    type Rust = VerifierState;
}

/// Creates a verifier that trusts no key yet.
///
/// On success `*out` receives a new verifier, freed with
/// `licentia_verifier_free`. Returns `LICENTIA_NULL_ARGUMENT` when `out` is
/// NULL.
///
/// # Safety
/// `out` is NULL or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn licentia_verifier_new(
    out: *mut *mut licentia_verifier,
) -> licentia_status {
    guard(|| {
        // SAFETY: caller's contract.
        let out = unsafe { Out::new(out) }?;
        out.give(VerifierState::trusting(Verifier::default()));
        Ok(())
    })
}

/// Creates a verifier trusting one public key given as SPKI PEM text
/// (`-----BEGIN PUBLIC KEY-----`).
///
/// On success `*out` receives a new verifier, freed with
/// `licentia_verifier_free`. Errors: `LICENTIA_KEY_FORMAT`,
/// `LICENTIA_WEAK_KEY`, `LICENTIA_NULL_ARGUMENT`, `LICENTIA_INVALID_UTF8`.
///
/// # Safety
/// `pem` is NULL or a NUL-terminated string; `out` is NULL or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn licentia_verifier_from_pem(
    pem: *const c_char,
    out: *mut *mut licentia_verifier,
) -> licentia_status {
    // SAFETY: forwarded contract.
    unsafe {
        licentia_verifier::new_from_str(pem, out, |pem| {
            Ok(VerifierState::trusting(Verifier::new([
                PublicKey::from_pem(pem)?,
            ])))
        })
    }
}

/// Creates a verifier trusting the public key in an SPKI PEM file.
///
/// On success `*out` receives a new verifier, freed with
/// `licentia_verifier_free`. Errors: `LICENTIA_IO`, `LICENTIA_TOO_LARGE`,
/// `LICENTIA_KEY_FORMAT`, `LICENTIA_WEAK_KEY`, `LICENTIA_NULL_ARGUMENT`,
/// `LICENTIA_INVALID_UTF8`.
///
/// # Safety
/// `path` is NULL or a NUL-terminated string; `out` is NULL or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn licentia_verifier_from_key_file(
    path: *const c_char,
    out: *mut *mut licentia_verifier,
) -> licentia_status {
    // SAFETY: forwarded contract.
    unsafe {
        licentia_verifier::new_from_str(path, out, |path| {
            Ok(VerifierState::trusting(Verifier::new([PublicKey::load(
                path,
            )?])))
        })
    }
}

/// Adds a trusted public key given as SPKI PEM text. Trusting a key again
/// changes nothing.
///
/// Errors: `LICENTIA_KEY_FORMAT`, `LICENTIA_WEAK_KEY`,
/// `LICENTIA_NULL_ARGUMENT`, `LICENTIA_INVALID_UTF8`; the verifier is
/// unchanged on error. Not thread-safe: changes the verifier.
///
/// # Safety
/// `verifier` is NULL or a live verifier used by no other thread; `pem` is
/// NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn licentia_verifier_add_key_pem(
    verifier: *mut licentia_verifier,
    pem: *const c_char,
) -> licentia_status {
    guard(|| {
        // SAFETY: caller's contract.
        let (state, pem) = unsafe { (licentia_verifier::arg_mut(verifier)?, str_arg(pem)?) };
        state.verifier.trust(PublicKey::from_pem(pem)?, None, None);
        Ok(())
    })
}

/// Adds a trusted public key given as its raw 32 bytes.
///
/// Errors: `LICENTIA_WEAK_KEY` (non-canonical or small-order key),
/// `LICENTIA_NULL_ARGUMENT`; the verifier is unchanged on error. Not
/// thread-safe: changes the verifier.
///
/// # Safety
/// `verifier` is NULL or a live verifier used by no other thread; `key` is
/// NULL or points to 32 readable bytes.
#[no_mangle]
pub unsafe extern "C" fn licentia_verifier_add_key_raw(
    verifier: *mut licentia_verifier,
    key: *const u8,
) -> licentia_status {
    guard(|| {
        // SAFETY: caller's contract.
        let (state, key) = unsafe {
            (
                licentia_verifier::arg_mut(verifier)?,
                bytes_arg(key, PUBLIC_KEY_LEN)?,
            )
        };
        let key: &[u8; PUBLIC_KEY_LEN] = key.try_into().map_err(|_| LICENTIA_INVALID_ARGUMENT)?;
        state
            .verifier
            .trust(PublicKey::from_bytes(key)?, None, None);
        Ok(())
    })
}

/// Accepts a key-rollover statement (armored or compact text) signed by a
/// key the verifier trusts: from then on it also trusts the new key, within
/// the statement's window. A statement never changes a window the
/// application set itself, and only a later statement changes one a
/// statement set: the same statement again is `LICENTIA_OK` and changes
/// nothing, an older one (a replay) is `LICENTIA_STALE_ROLLOVER`.
///
/// Errors: any verification status (`LICENTIA_UNKNOWN_KEY_ID`,
/// `LICENTIA_BAD_SIGNATURE`, `LICENTIA_WRONG_DOCUMENT_KIND`...),
/// `LICENTIA_NULL_ARGUMENT`, `LICENTIA_INVALID_UTF8`; the verifier is
/// unchanged on error. Not thread-safe: changes the verifier.
///
/// # Safety
/// `verifier` is NULL or a live verifier used by no other thread; `text` is
/// NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn licentia_verifier_accept_rollover(
    verifier: *mut licentia_verifier,
    text: *const c_char,
) -> licentia_status {
    guard(|| {
        // SAFETY: caller's contract.
        let (state, text) = unsafe { (licentia_verifier::arg_mut(verifier)?, str_arg(text)?) };
        state.verifier.accept_rollover(text)?;
        Ok(())
    })
}

/// Verifies a signed revocation list for `product` and holds it, replacing
/// an older one. Checks given this verifier (see `licentia_check_context`)
/// then apply it.
///
/// Errors: any verification status, `LICENTIA_WRONG_PRODUCT`,
/// `LICENTIA_STALE_REVOCATION_LIST` (not newer than the list held; the held
/// list stays), `LICENTIA_NULL_ARGUMENT`, `LICENTIA_INVALID_UTF8`. Not
/// thread-safe: changes the verifier.
///
/// # Safety
/// `verifier` is NULL or a live verifier used by no other thread; `text` and
/// `product` are NULL or NUL-terminated strings.
#[no_mangle]
pub unsafe extern "C" fn licentia_verifier_set_revocation_list(
    verifier: *mut licentia_verifier,
    text: *const c_char,
    product: *const c_char,
) -> licentia_status {
    guard(|| {
        // SAFETY: caller's contract.
        let (state, text, product) = unsafe {
            (
                licentia_verifier::arg_mut(verifier)?,
                str_arg(text)?,
                str_arg(product)?,
            )
        };
        let list = state.verifier.verify_revocation_list(text, product)?;
        RevocationList::replace(&mut state.revocations, list)?;
        Ok(())
    })
}

/// The sequence number of the revocation list held.
///
/// Writes `*out_sequence` and returns `LICENTIA_OK`, or returns
/// `LICENTIA_NOT_FOUND` when no list is held. Thread-safe (reads only).
///
/// # Safety
/// `verifier` is NULL or a live verifier; `out_sequence` is NULL or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn licentia_verifier_revocation_sequence(
    verifier: *const licentia_verifier,
    out_sequence: *mut u64,
) -> licentia_status {
    // SAFETY: forwarded contract.
    unsafe {
        licentia_verifier::read_into(verifier, out_sequence, |state| {
            let list = state.revocations.as_ref().ok_or(LICENTIA_NOT_FOUND)?;
            Ok(list.sequence)
        })
    }
}

/// Verifies a license given as armored or compact text.
///
/// On success `*out` receives a new license handle, freed with
/// `licentia_license_free`. The signature is checked before anything else;
/// a license that verifies may still be expired or for another machine:
/// call `licentia_check` for the verdict. Errors: the format statuses
/// (1xxx), `LICENTIA_UNKNOWN_KEY_ID`, `LICENTIA_BAD_SIGNATURE`,
/// `LICENTIA_KEY_NOT_VALID_AT`, `LICENTIA_NULL_ARGUMENT`,
/// `LICENTIA_INVALID_UTF8`. Thread-safe (reads the verifier only).
///
/// # Safety
/// `verifier` is NULL or a live verifier; `text` is NULL or a NUL-terminated
/// string; `out` is NULL or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn licentia_verify(
    verifier: *const licentia_verifier,
    text: *const c_char,
    out: *mut *mut licentia_license,
) -> licentia_status {
    // SAFETY: forwarded contract.
    unsafe {
        licentia_verifier::give_from_str(verifier, text, out, |state, text| {
            Ok(state.verifier.verify(text)?)
        })
    }
}

/// Verifies a floating-seat lease (armored or compact text) from the back
/// office, as `licentia_verify` does a license: a lease is a license of its
/// own document kind, so neither passes for the other
/// (`LICENTIA_WRONG_DOCUMENT_KIND`). Check it with `licentia_check`.
///
/// # Safety
/// `verifier` is NULL or a live verifier; `text` is NULL or a NUL-terminated
/// string; `out` is NULL or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn licentia_verify_lease(
    verifier: *const licentia_verifier,
    text: *const c_char,
    out: *mut *mut licentia_license,
) -> licentia_status {
    // SAFETY: forwarded contract.
    unsafe {
        licentia_verifier::give_from_str(verifier, text, out, |state, text| {
            Ok(state.verifier.verify_lease(text)?)
        })
    }
}

/// Reads a license file (armored or compact text) and verifies it, as
/// `licentia_verify`. A file larger than the format's text limit is
/// `LICENTIA_TOO_LARGE`; a file that cannot be read is `LICENTIA_IO`.
///
/// # Safety
/// `verifier` is NULL or a live verifier; `path` is NULL or a NUL-terminated
/// string; `out` is NULL or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn licentia_verify_file(
    verifier: *const licentia_verifier,
    path: *const c_char,
    out: *mut *mut licentia_license,
) -> licentia_status {
    // SAFETY: forwarded contract.
    unsafe {
        licentia_verifier::give_from_str(verifier, path, out, |state, path| {
            let text = format::read_text_file(path, "license file", format::MAX_TEXT_LEN)?;
            Ok(state.verifier.verify(&text)?)
        })
    }
}

/// Frees a verifier. NULL is a no-op. Licenses verified with it stay valid.
///
/// # Safety
/// `verifier` is NULL or a live verifier no other thread uses; it must not
/// be used after this call.
#[no_mangle]
pub unsafe extern "C" fn licentia_verifier_free(verifier: *mut licentia_verifier) {
    // SAFETY: forwarded contract.
    unsafe { licentia_verifier::free(verifier) }
}
