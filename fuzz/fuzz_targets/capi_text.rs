//! The C ABI's text entry points: the input, cut at its first NUL and
//! NUL-terminated as C would pass it, goes to every exported function that
//! takes outside text. No call may return `LICENTIA_PANIC` (a panic caught
//! at the boundary), and every handle obtained is freed with its `_free`.
#![no_main]

use std::ffi::{c_char, CString};
use std::ptr;

use libfuzzer_sys::fuzz_target;
use licentia_capi::*;

/// The test-vector keys (seed 32 x 0x11), so seeds from tests/vectors get past the signature.
const PUBLIC_PEM: &[u8] = include_bytes!("../../tests/vectors/keys/issuer.pub");
const PRIVATE_PEM: &[u8] = include_bytes!("../../tests/vectors/keys/issuer.key");
/// A valid activation request, for `licentia_activation_request_accept`.
const REQUEST: &[u8] = include_bytes!("../../tests/vectors/documents/activation.request");
/// 2026-06-01T00:00:00Z, inside the vectors' validity.
const NOW: i64 = 1_780_272_000;

/// A status that is not a caught panic.
fn ok(status: licentia_status) -> bool {
    assert_ne!(
        status,
        licentia_status::LICENTIA_PANIC,
        "a panic was caught at the C boundary"
    );
    status == licentia_status::LICENTIA_OK
}

/// `bytes` as C sees them: up to the first NUL, then a NUL.
fn c_string(bytes: &[u8]) -> CString {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    CString::new(&bytes[..end]).expect("cut at the first NUL")
}

/// Calls a string-out function the way C does: ask the length with no
/// buffer, then write into a buffer of that length plus the NUL. Returns
/// whether it succeeded; checks the written length is the one announced.
fn string_out(call: impl Fn(*mut c_char, usize, *mut usize) -> licentia_status) -> bool {
    let mut needed = 0usize;
    let status = call(ptr::null_mut(), 0, &mut needed);
    if status != licentia_status::LICENTIA_BUFFER_TOO_SMALL {
        return ok(status);
    }
    let mut buf = vec![0 as c_char; needed + 1];
    let mut len = 0usize;
    let written = ok(call(buf.as_mut_ptr(), buf.len(), &mut len));
    assert!(written, "the announced length is enough");
    assert_eq!(len, needed);
    assert_eq!(buf[len], 0, "NUL-terminated");
    true
}

fuzz_target!(|data: &[u8]| {
    let input = c_string(data);
    let text = input.as_ptr();
    let public_pem = c_string(PUBLIC_PEM);
    let private_pem = c_string(PRIVATE_PEM);
    let request_text = c_string(REQUEST);

    // SAFETY: every pointer is a live NUL-terminated string, a handle this
    // function created and has not freed, or a valid out-parameter.
    unsafe {
        let mut secs = 0i64;
        ok(licentia_parse_time(text, &mut secs));
        let _ = string_out(|b, n, l| licentia_spec_problem(text, b, n, l));

        let mut fingerprint = ptr::null_mut();
        if ok(licentia_fingerprint_from_hex(text, &mut fingerprint)) {
            assert!(string_out(|b, n, l| licentia_fingerprint_to_hex(
                fingerprint,
                b,
                n,
                l
            )));
            licentia_fingerprint_free(fingerprint);
        }
        let mut builder = ptr::null_mut();
        if ok(licentia_fingerprint_builder_new(text, &mut builder)) {
            ok(licentia_fingerprint_builder_add_vendor(builder, text, text));
            licentia_fingerprint_builder_free(builder);
        }

        // The PEM key readers, on the input.
        let mut verifier = ptr::null_mut();
        if ok(licentia_verifier_from_pem(text, &mut verifier)) {
            licentia_verifier_free(verifier);
        }
        let mut issuer = ptr::null_mut();
        if ok(licentia_issuer_from_pem(text, &mut issuer)) {
            licentia_issuer_free(issuer);
        }

        // The JSON-spec issuer with the test-vector key.
        assert!(ok(licentia_issuer_from_pem(
            private_pem.as_ptr(),
            &mut issuer
        )));
        let mut document = ptr::null_mut();
        if ok(licentia_issuer_issue_json(issuer, text, &mut document)) {
            assert!(string_out(|b, n, l| licentia_document_armor(
                document, b, n, l
            )));
            assert!(string_out(|b, n, l| licentia_document_compact(
                document, b, n, l
            )));
            licentia_document_free(document);
        }
        licentia_issuer_free(issuer);

        // Verification with the test-vector key.
        assert!(ok(licentia_verifier_from_pem(
            public_pem.as_ptr(),
            &mut verifier
        )));
        ok(licentia_verifier_add_key_pem(verifier, text));
        for verify in [licentia_verify, licentia_verify_lease] {
            let mut license = ptr::null_mut();
            if ok(verify(verifier, text, &mut license)) {
                let _ = string_out(|b, n, l| licentia_license_metadata(license, text, b, n, l));
                let _ = licentia_license_has_feature(license, text, NOW);
                let mut entitlement = std::mem::zeroed();
                ok(licentia_license_entitlement(
                    license,
                    text,
                    NOW,
                    &mut entitlement,
                ));
                ok(licentia_license_apply_renewal(license, verifier, text));
                licentia_license_free(license);
            }
        }

        // Activation: the input as a request, and as the answer to a valid one.
        let mut request = ptr::null_mut();
        if ok(licentia_activation_request_parse(text, &mut request)) {
            assert!(string_out(|b, n, l| licentia_activation_request_to_text(
                request, b, n, l
            )));
            licentia_activation_request_free(request);
        }
        assert!(ok(licentia_activation_request_parse(
            request_text.as_ptr(),
            &mut request
        )));
        let _ = string_out(|b, n, l| {
            licentia_activation_request_accept(request, verifier, text, NOW, b, n, l)
        });
        licentia_activation_request_free(request);

        // A release catalogue, looked up with the text as the version.
        let mut catalogue = ptr::null_mut();
        let product = CString::new("acme-cad").expect("no NUL");
        if ok(licentia_verify_release_catalogue(
            verifier,
            text,
            product.as_ptr(),
            &mut catalogue,
        )) {
            let mut date = 0i64;
            ok(licentia_release_catalogue_date(catalogue, text, &mut date));
            for index in 0..licentia_release_catalogue_count(catalogue) {
                let _ = string_out(|b, n, l| {
                    licentia_release_catalogue_version_at(catalogue, index, b, n, l)
                });
            }
            licentia_release_catalogue_free(catalogue);
        }

        // Documents that change the verifier's state last.
        ok(licentia_verifier_accept_rollover(verifier, text));
        ok(licentia_verifier_set_revocation_list(verifier, text, text));
        licentia_verifier_free(verifier);
    }
});
