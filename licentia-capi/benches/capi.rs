//! Verify-and-check through the C ABI against the same work through Rust,
//! and against a bare `verify_strict` of the same signed bytes.
//!
//! Both sides verify one armored, node-locked license and check it for a
//! machine; the C side calls the exported `extern "C"` functions exactly as
//! a C program does (C strings in, handles out, freed after). The ratio
//! `c_abi / rust` is read from one run of one group, and printed at the end
//! from alternating blocks (robust to a busy machine); the limit is 1.05.
//! Beside them, ed25519-dalek's `verify_strict` over the license's signed
//! bytes: the C ABI's verifier prepares its key (issue 18), and the target
//! for `c_abi / bare verify_strict` is 0.75.
//!
//! Run: `cargo bench -p licentia-capi --bench capi`

use std::ffi::CString;
use std::ptr;
use std::time::{Duration, Instant, SystemTime};

#[path = "../../benches/common/mod.rs"]
mod common;
use common::{figure, median, Figure};

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use licentia::format::{DocumentKind, Envelope};
use licentia::{Context, Fingerprint, PublicKey, State, Timestamp, Verifier};
use licentia_capi::*;

/// The shared vectors' typical license (node-locked, three features, expiry
/// and grace); its size is asserted so a format change shows.
const LICENSE: &str = include_str!("../../tests/vectors/licenses/typical.lic");
const LICENSE_LEN: usize = 385;
const ISSUER_PUB: &str = include_str!("../../tests/vectors/keys/issuer.pub");
/// Machine a, which the license is locked to.
const MACHINE: &str = "03609ac5750e57fd8727f95bcfff3ce06a03daa58406d6f907ab64a58baadb33254d03d444549f126d17d5fa8afb381c28ea4e";
/// Past the soft expiry: one warning (201), so both paths build a message.
const NOW: &str = "2026-12-20T00:00:00Z";

fn verify_and_check(c: &mut Criterion) {
    let since = SystemTime::now();
    assert_eq!(
        LICENSE.len(),
        LICENSE_LEN,
        "the benched license changed size"
    );
    let text = LICENSE.to_owned();
    let now = Timestamp::parse(NOW).expect("time");
    let machine = Fingerprint::parse(MACHINE).expect("machine");
    let verifier = Verifier::new([PublicKey::from_pem(ISSUER_PUB).expect("key")]);

    let pem = CString::new(ISSUER_PUB).expect("pem");
    let c_text = CString::new(LICENSE).expect("text");
    let c_product = CString::new("acme-cad").expect("product");
    let c_machine = CString::new(MACHINE).expect("machine");
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
        ..Default::default()
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
    // The physical limit: the bare primitive over the very same bytes.
    let envelope = Envelope::from_text(LICENSE, DocumentKind::License).expect("envelope");
    let message = envelope.signed_message();
    let signature = ed25519_dalek::Signature::from_bytes(&envelope.signature);
    let bare_key = ed25519_dalek::VerifyingKey::from_bytes(
        &PublicKey::from_pem(ISSUER_PUB).expect("key").to_bytes(),
    )
    .expect("key");
    let bare = || {
        bare_key
            .verify_strict(black_box(&message), &signature)
            .is_ok()
    };
    assert_eq!(rust(), State::ValidWithWarnings);
    assert_eq!(c_abi(), licentia_state::LICENTIA_STATE_VALID_WITH_WARNINGS);
    assert!(bare());

    let mut group = c.benchmark_group("verify_and_check");
    group.bench_function("rust", |b| b.iter(rust));
    group.bench_function("c_abi", |b| b.iter(c_abi));
    group.bench_function("bare_verify_strict", |b| b.iter(bare));
    group.finish();
    let us = |id| median("verify_and_check", id, since).map(|ns| ns / 1e3);
    Figure {
        limit: us("rust").map(|r| ("Rust verify + check (criterion median)", r)),
        max_ratio: Some(1.05),
        ..figure("verify + check through the C ABI", us("c_abi"), "µs")
    }
    .emit();
    Figure {
        limit: us("bare_verify_strict").map(|b| ("bare verify_strict (criterion median)", b)),
        max_ratio: Some(0.75),
        ..figure(
            "verify + check through the C ABI, against the bare primitive",
            us("c_abi"),
            "µs",
        )
    }
    .emit();
    report_ratio(rust, c_abi, bare);

    // SAFETY: created above, not used after.
    unsafe {
        licentia_fingerprint_free(c_fingerprint);
        licentia_verifier_free(c_verifier);
    }
}

/// Prints `c_abi / rust` and `c_abi / bare` from the fastest of many
/// short blocks, the three alternating, so load from other processes on
/// the machine (which only ever adds time) skews no side.
fn report_ratio<A, B, C>(
    mut rust: impl FnMut() -> A,
    mut c_abi: impl FnMut() -> B,
    mut bare: impl FnMut() -> C,
) {
    const BLOCKS: usize = 40;
    const PER_BLOCK: u32 = 200;
    let mut best = [Duration::MAX; 3];
    let block = |f: &mut dyn FnMut(), best: &mut Duration| {
        let start = Instant::now();
        for _ in 0..PER_BLOCK {
            f();
        }
        *best = (*best).min(start.elapsed());
    };
    for _ in 0..BLOCKS {
        block(&mut || drop(black_box(rust())), &mut best[0]);
        block(&mut || drop(black_box(c_abi())), &mut best[1]);
        block(&mut || drop(black_box(bare())), &mut best[2]);
    }
    let [rust, c_abi, bare] = best.map(|d| d.as_secs_f64() * 1e6 / f64::from(PER_BLOCK));
    println!(
        "verify_and_check: rust {rust:.2} us, c_abi {c_abi:.2} us, ratio {:.3} (limit 1.05); \
         bare verify_strict {bare:.2} us, c_abi / bare {:.3} (target 0.75)",
        c_abi / rust,
        c_abi / bare
    );
    let blocks = "fastest of 40 alternating blocks of 200";
    Figure {
        limit: Some(("Rust verify + check, same blocks", rust)),
        max_ratio: Some(1.05),
        note: blocks,
        ..figure("verify + check through the C ABI", Some(c_abi), "µs")
    }
    .emit();
    Figure {
        limit: Some(("bare verify_strict, same blocks", bare)),
        max_ratio: Some(0.75),
        note: blocks,
        ..figure(
            "verify + check through the C ABI, against the bare primitive",
            Some(c_abi),
            "µs",
        )
    }
    .emit();
    // The Rust figure the Python binding is compared with (bench-python.py).
    Figure {
        note: blocks,
        ..figure("verify + check of typical.lic (Rust)", Some(rust), "µs")
    }
    .emit();
}

criterion_group!(benches, verify_and_check);
criterion_main!(benches);
