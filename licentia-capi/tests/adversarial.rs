//! The adversarial cases of the core's `tests/adversarial.rs` that a C
//! program meets through the verifier handle: the C ABI refuses them with
//! the same codes as the Rust API.

use std::ffi::CString;
use std::ptr;

use licentia::{Issuer, LicenseId, RevocationBody, SigningKey, Timestamp};
use licentia_capi::*;

// The core's test helpers: its vendor key (the one `key()` below), its product.
#[path = "../../tests/common/mod.rs"]
mod common;

const PRODUCT: &str = "acme-cad";

fn key() -> SigningKey {
    SigningKey::from_seed(&[0x11; 32])
}

fn t(text: &str) -> Timestamp {
    Timestamp::parse(text).unwrap()
}

fn c(text: impl Into<Vec<u8>>) -> CString {
    CString::new(text).unwrap()
}

fn revocation_list(sequence: u64, revoked: &[LicenseId]) -> CString {
    let body = RevocationBody {
        product: PRODUCT.into(),
        sequence,
        issued_at: t("2026-03-01"),
        licenses: revoked.to_vec(),
        ..Default::default()
    };
    c(Issuer::new(key())
        .revocation_list(&body)
        .unwrap()
        .to_armor())
}

/// A verifier handle trusting `key()`; freed by the caller.
fn c_verifier() -> *mut licentia_verifier {
    let pem = c(key().public_key().to_pem());
    let mut verifier = ptr::null_mut();
    // SAFETY: a NUL-terminated string and a live out-pointer.
    let status = unsafe { licentia_verifier_from_pem(pem.as_ptr(), &mut verifier) };
    assert_eq!(status, licentia_status::LICENTIA_OK);
    verifier
}

#[test]
fn revocation_list_replaced_by_an_older_one() {
    let product = c(PRODUCT);
    let (newer, older) = (
        revocation_list(2, &[LicenseId([1; 16])]),
        revocation_list(1, &[]),
    );
    let verifier = c_verifier();
    let mut sequence = 0u64;
    // SAFETY: a live handle, NUL-terminated strings, a live out-pointer; freed last.
    unsafe {
        assert_eq!(
            licentia_verifier_set_revocation_list(verifier, newer.as_ptr(), product.as_ptr()),
            licentia_status::LICENTIA_OK
        );
        assert_eq!(
            licentia_verifier_set_revocation_list(verifier, older.as_ptr(), product.as_ptr()),
            licentia_status::LICENTIA_STALE_REVOCATION_LIST
        );
        assert_eq!(
            licentia_verifier_revocation_sequence(verifier, &mut sequence),
            licentia_status::LICENTIA_OK
        );
        licentia_verifier_free(verifier);
    }
    assert_eq!(sequence, 2, "the newer list is still held");
}

#[test]
fn rollover_statement_signed_by_an_untrusted_key() {
    let attacker = SigningKey::from_seed(&[0x77; 32]);
    let rogue = Issuer::new(SigningKey::from_seed(&[0x66; 32]));
    let statement = rogue
        .rollover(attacker.public_key(), None, None, t("2026-01-01"))
        .unwrap();
    let text = c(statement.to_armor());
    let verifier = c_verifier();
    // SAFETY: a live handle and a NUL-terminated string; freed last.
    unsafe {
        assert_eq!(
            licentia_verifier_accept_rollover(verifier, text.as_ptr()),
            licentia_status::LICENTIA_UNKNOWN_KEY_ID
        );
        licentia_verifier_free(verifier);
    }
}

#[test]
fn rollover_statement_replayed_after_a_newer_one() {
    let new_key = SigningKey::from_seed(&[0x44; 32]);
    let (wide, narrow) = (
        c(common::rollover_from(&new_key, "2026-03-01", "2026-02-01")),
        c(common::rollover_from(&new_key, "2026-04-01", "2026-03-15")),
    );
    let march = c(common::signed_by(&new_key, t("2026-03-10")));
    let verifier = c_verifier();
    let mut license = ptr::null_mut();
    // SAFETY: a live handle, NUL-terminated strings, a live out-pointer; freed last.
    unsafe {
        assert_eq!(
            licentia_verifier_accept_rollover(verifier, narrow.as_ptr()),
            licentia_status::LICENTIA_OK
        );
        assert_eq!(
            licentia_verifier_accept_rollover(verifier, wide.as_ptr()),
            licentia_status::LICENTIA_STALE_ROLLOVER
        );
        assert_eq!(
            licentia_verify(verifier, march.as_ptr(), &mut license),
            licentia_status::LICENTIA_KEY_NOT_VALID_AT,
            "the replay did not widen the window"
        );
        assert!(license.is_null());
        licentia_verifier_free(verifier);
    }
}
