//! Verify-and-check through the C ABI against the same work through Rust.
//!
//! Both sides verify one armored, node-locked license and check it for a
//! machine; the C side calls the exported `extern "C"` functions exactly as
//! a C program does (C strings in, handles out, freed after). The ratio
//! `c_abi / rust` is read from one run of one group; the target is <= 1.05.
//!
//! Run: `cargo bench --features capi --bench capi`

use std::ffi::CString;
use std::ptr;

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use licentia::capi::*;
use licentia::{
    Context, Fingerprint, Issuer, LicenseBody, MatchRule, SigningKey, State, Timestamp, Verifier,
};

/// The armored license benched; its size is asserted so a format change shows.
const EXPECTED_ARMOR_LEN: usize = 327;

fn fixture() -> (SigningKey, Fingerprint, String) {
    let key = SigningKey::from_seed(&[0x11; 32]);
    let machine = Fingerprint::builder("acme-cad")
        .vendor("serial", "SN-0042")
        .build()
        .expect("fingerprint");
    let body = LicenseBody::builder("acme-cad", "Jane Doe")
        .id(licentia::LicenseId([7; 16]))
        .email("jane@example.com")
        .issued_at(Timestamp(1_767_225_600))
        .node_locked(vec![machine.clone()], MatchRule::All)
        .soft_expiry(Timestamp(1_795_000_000))
        .hard_expiry(Timestamp(1_798_761_600))
        .grace_days(14)
        .feature("export")
        .build()
        .expect("body");
    let text = Issuer::new(key.clone())
        .issue(&body)
        .expect("issue")
        .to_armor();
    (key, machine, text)
}

fn verify_and_check(c: &mut Criterion) {
    let (key, machine, text) = fixture();
    assert_eq!(
        text.len(),
        EXPECTED_ARMOR_LEN,
        "the benched license changed size"
    );
    let now = Timestamp(1_781_000_000);

    let verifier = Verifier::new([key.public_key().clone()]);

    let pem = CString::new(key.public_key().to_pem()).expect("pem");
    let c_text = CString::new(text.clone()).expect("text");
    let c_product = CString::new("acme-cad").expect("product");
    let c_machine = CString::new(machine.to_string()).expect("machine");
    let mut c_verifier = ptr::null_mut();
    let mut c_fingerprint = ptr::null_mut();
    // SAFETY: valid C strings and out-pointers; the handles are freed below.
    unsafe {
        assert_eq!(
            licentia_verifier_from_pem(pem.as_ptr(), &mut c_verifier),
            licentia_status::LICENTIA_OK
        );
        assert_eq!(
            licentia_fingerprint_from_hex(c_machine.as_ptr(), &mut c_fingerprint),
            licentia_status::LICENTIA_OK
        );
    }
    let ctx = licentia_check_context {
        now: now.0,
        product: c_product.as_ptr(),
        machine: c_fingerprint,
        this_machine: false,
        user: ptr::null(),
        has_release_date: false,
        release_date: 0,
        has_last_check_in: false,
        last_check_in: 0,
        revocations: ptr::null(),
        clock_state_path: ptr::null(),
        clock_secret: ptr::null(),
        clock_secret_len: 0,
    };

    let rust = || {
        let license = verifier.verify(black_box(&text)).expect("verifies");
        license
            .check(&Context::new(now, "acme-cad").machine(&machine))
            .state
    };
    let c_abi = || {
        let mut license = ptr::null_mut();
        let mut report = ptr::null_mut();
        // SAFETY: live handles and C strings; both results are freed here.
        unsafe {
            assert_eq!(
                licentia_verify(c_verifier, black_box(c_text.as_ptr()), &mut license),
                licentia_status::LICENTIA_OK
            );
            assert_eq!(
                licentia_check(license, &ctx, &mut report),
                licentia_status::LICENTIA_OK
            );
            let state = licentia_report_state(report);
            licentia_report_free(report);
            licentia_license_free(license);
            state
        }
    };
    assert_eq!(rust(), State::ValidWithWarnings);
    assert_eq!(c_abi(), licentia_state::LICENTIA_STATE_VALID_WITH_WARNINGS);

    let mut group = c.benchmark_group("verify_and_check");
    group.bench_function("rust", |b| b.iter(rust));
    group.bench_function("c_abi", |b| b.iter(c_abi));
    group.finish();

    // SAFETY: created above, not used after.
    unsafe {
        licentia_fingerprint_free(c_fingerprint);
        licentia_verifier_free(c_verifier);
    }
}

criterion_group!(benches, verify_and_check);
criterion_main!(benches);
