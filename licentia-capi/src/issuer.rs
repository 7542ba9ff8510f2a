//! Issuance for back-office tools written in C: a signing key, and licenses
//! from the same JSON specification as the command line's `--spec`.

use std::ffi::c_char;

use crate::boundary::{guard, str_arg, Handle, StrOut};
use crate::status::licentia_status;
use licentia::spec::LicenseSpec;
use licentia::{Envelope, Issuer, SigningKey};

/// A signing key that issues licenses. Freed with `licentia_issuer_free`;
/// immutable, so any number of threads may issue with it at once. The
/// secret is zeroized when freed.
pub struct licentia_issuer {
    _private: [u8; 0],
}

impl Handle for licentia_issuer {
    type Rust = Issuer;
}

/// A signed document just issued, kept so its text can be read in either
/// form as often as needed. Freed with `licentia_document_free`; immutable.
pub struct licentia_document {
    _private: [u8; 0],
}

impl Handle for licentia_document {
    type Rust = Envelope;
}

/// An issuer from an Ed25519 private key in PKCS#8 PEM text
/// (`-----BEGIN PRIVATE KEY-----`).
///
/// On success `*out` receives a new issuer, freed with
/// `licentia_issuer_free`. `LICENTIA_KEY_FORMAT` when the text is not such a key.
///
/// # Safety
/// `pem` is NULL or a NUL-terminated string; `out` is NULL or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn licentia_issuer_from_pem(
    pem: *const c_char,
    out: *mut *mut licentia_issuer,
) -> licentia_status {
    // SAFETY: forwarded contract.
    unsafe {
        licentia_issuer::new_from_str(pem, out, |pem| Ok(Issuer::new(SigningKey::from_pem(pem)?)))
    }
}

/// An issuer from a private key file, refused (`LICENTIA_INSECURE_KEY_FILE`)
/// when group or others may read it.
///
/// On success `*out` receives a new issuer, freed with `licentia_issuer_free`.
///
/// # Safety
/// `path` is NULL or a NUL-terminated string; `out` is NULL or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn licentia_issuer_from_key_file(
    path: *const c_char,
    out: *mut *mut licentia_issuer,
) -> licentia_status {
    // SAFETY: forwarded contract.
    unsafe {
        licentia_issuer::new_from_str(path, out, |path| Ok(Issuer::new(SigningKey::load(path)?)))
    }
}

/// The issuer's public key as SPKI PEM text, for products to trust (strings
/// out as `licentia_license_id`).
///
/// # Safety
/// `issuer` is NULL or a live issuer; `buf` is NULL or valid for writes of
/// `buf_len` bytes; `out_len` is NULL or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn licentia_issuer_public_key_pem(
    issuer: *const licentia_issuer,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> licentia_status {
    // SAFETY: forwarded contract.
    unsafe {
        licentia_issuer::read_str(issuer, buf, buf_len, out_len, |issuer| {
            Ok(issuer.public_key().to_pem())
        })
    }
}

/// Issues a license from a JSON specification — the fields of the command
/// line's `--spec` file: `product`, `licensee` (required), `email`,
/// `customer_ref`, `id`, `issued_at`, `trial`, `temporary_for`, `machines`,
/// `match_rule`, `floating`, `user`, `seats`, `features`, `metadata`,
/// `valid_from`, `soft_expiry`, `expires`, `grace_days`, `updates_until`,
/// `check_in_days`, `max_offline_days`. A random id and the current time
/// fill `id` and `issued_at` when absent.
///
/// On success `*out` receives the signed license, freed with
/// `licentia_document_free`; read its text with `licentia_document_armor`
/// or `licentia_document_compact`. `LICENTIA_INVALID_SPEC` for unknown
/// fields or inconsistent terms, `LICENTIA_INVALID_ARGUMENT` for a bad date
/// or id, `LICENTIA_FINGERPRINT` for a bad machine. Thread-safe.
///
/// # Safety
/// `issuer` is NULL or a live issuer; `spec_json` is NULL or a
/// NUL-terminated string; `out` is NULL or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn licentia_issuer_issue_json(
    issuer: *const licentia_issuer,
    spec_json: *const c_char,
    out: *mut *mut licentia_document,
) -> licentia_status {
    // SAFETY: forwarded contract.
    unsafe {
        licentia_issuer::give_from_str(issuer, spec_json, out, |issuer, json| {
            let body = LicenseSpec::from_json(json)?.to_body()?;
            Ok(issuer.issue(&body)?)
        })
    }
}

/// Says in a sentence what is wrong with a JSON specification — the detail
/// behind `LICENTIA_INVALID_SPEC` or `LICENTIA_INVALID_ARGUMENT` from
/// `licentia_issuer_issue_json` (for example "invalid license
/// specification: the soft expiry must come before the hard expiry").
///
/// Returns `LICENTIA_OK` with the sentence in `buf` (strings out as
/// `licentia_license_id`), or `LICENTIA_NOT_FOUND` when the specification
/// has no problem. Thread-safe.
///
/// # Safety
/// `spec_json` is NULL or a NUL-terminated string; `buf` is NULL or valid
/// for writes of `buf_len` bytes; `out_len` is NULL or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn licentia_spec_problem(
    spec_json: *const c_char,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> licentia_status {
    guard(|| {
        // SAFETY: caller's contract.
        let (json, out) = unsafe { (str_arg(spec_json)?, StrOut::new(buf, buf_len, out_len)?) };
        match LicenseSpec::from_json(json).and_then(|spec| spec.to_body()) {
            Ok(_) => Err(licentia_status::LICENTIA_NOT_FOUND),
            Err(problem) => out.write(&problem.to_string()),
        }
    })
}

/// Frees an issuer (zeroizing its secret). NULL is a no-op.
///
/// # Safety
/// `issuer` is NULL or a live issuer no other thread uses; it must not be
/// used after this call.
#[no_mangle]
pub unsafe extern "C" fn licentia_issuer_free(issuer: *mut licentia_issuer) {
    // SAFETY: forwarded contract.
    unsafe { licentia_issuer::free(issuer) }
}

/// The document as armored text (`-----BEGIN LICENTIA LICENSE-----`...),
/// the form for files and e-mail (strings out as `licentia_license_id`).
///
/// # Safety
/// `document` is NULL or a live document; `buf` is NULL or valid for writes
/// of `buf_len` bytes; `out_len` is NULL or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn licentia_document_armor(
    document: *const licentia_document,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> licentia_status {
    // SAFETY: forwarded contract.
    unsafe { licentia_document::read_str(document, buf, buf_len, out_len, |d| Ok(d.to_armor())) }
}

/// The document as compact one-line text, the form for environment
/// variables, config files and QR codes (strings out as `licentia_license_id`).
///
/// # Safety
/// As `licentia_document_armor`.
#[no_mangle]
pub unsafe extern "C" fn licentia_document_compact(
    document: *const licentia_document,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> licentia_status {
    // SAFETY: forwarded contract.
    unsafe { licentia_document::read_str(document, buf, buf_len, out_len, |d| Ok(d.to_compact())) }
}

/// Frees a document. NULL is a no-op.
///
/// # Safety
/// `document` is NULL or a live document no other thread uses; it must not
/// be used after this call.
#[no_mangle]
pub unsafe extern "C" fn licentia_document_free(document: *mut licentia_document) {
    // SAFETY: forwarded contract.
    unsafe { licentia_document::free(document) }
}
