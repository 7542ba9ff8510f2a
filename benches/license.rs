//! Verify-and-check and issue, each beside its physical limit: the bare
//! Ed25519 operation over the very same signed bytes, so the ratio is read
//! from one run.
//!
//! ```text
//! cargo bench --bench license -- --warm-up-time 1 --measurement-time 3
//! ```
//!
//! Targets: verify-and-check with the verifier's prepared key <= 0.75 x bare
//! `verify_strict` (issue 18; it was <= 1.15 x before keys were prepared);
//! issue <= 1.15 x bare `sign`; a typical node-locked license with 3
//! features <= 400 armored bytes. The sizes are asserted before anything is
//! timed; the ratios are printed at the end, from criterion's medians and
//! from an interleaved paired measurement. Figures: BENCHMARKS.md.

use std::hint::black_box;
use std::time::{Instant, SystemTime};

mod common;
use common::{figure, measuring, median, Figure};

use criterion::Criterion;
use ed25519_dalek::Signer as _;
use licentia::format::{DocumentKind, Envelope};
use licentia::{
    prepared_steps, Component, ComponentKind, Context, Entitlement, Fingerprint, Issuer,
    LicenseBody, LicenseId, MatchRule, PreparedKey, SigningKey, State, Timestamp, Verifier,
};

const PRODUCT: &str = "acme-cad";
/// The size target for the typical license, armored.
const ARMORED_LIMIT: usize = 400;
/// The sizes the typical license has today: a format change shows here.
const ARMORED_LEN: usize = 365;
const COMPACT_LEN: usize = 298;

const SEED: [u8; 32] = [0x11; 32];

/// This machine as a product sees it: its machine id and host name.
fn machine() -> Fingerprint {
    Fingerprint {
        components: vec![
            Component::new(
                ComponentKind::MachineId,
                PRODUCT,
                "machine-id",
                b"4c4c4544005a3510804cb4c04f4e3232",
            ),
            Component::new(ComponentKind::Hostname, PRODUCT, "hostname", b"cad-ws-07"),
        ],
    }
}

/// A typical node-locked license: one machine, 3 features, expiry and grace.
fn typical() -> LicenseBody {
    let t = |s| Timestamp::parse(s).unwrap();
    LicenseBody::builder(PRODUCT, "Jane Doe")
        .id(LicenseId([0x5e; 16]))
        .email("jane@example.com")
        .issued_at(t("2026-01-01"))
        .node_locked(vec![machine()], MatchRule::Any)
        .soft_expiry(t("2026-12-01"))
        .hard_expiry(t("2027-01-01"))
        .grace_days(14)
        .feature("export")
        .feature("render")
        .entitlement(Entitlement::parse("seats=5").unwrap())
        .build()
        .unwrap()
}

fn assert_sizes(armored: &str, compact: &str) {
    println!(
        "typical node-locked license, 3 features: {} bytes armored (limit {ARMORED_LIMIT}), {} bytes compact",
        armored.len(),
        compact.len()
    );
    assert!(armored.len() <= ARMORED_LIMIT, "over the size target");
    assert_eq!(armored.len(), ARMORED_LEN, "the armored size changed");
    assert_eq!(compact.len(), COMPACT_LEN, "the compact size changed");
}

fn bench_verify(c: &mut Criterion) {
    let issuer = Issuer::new(SigningKey::from_seed(&SEED));
    let envelope = issuer.issue(&typical()).unwrap();
    let armored = envelope.to_armor();
    assert_sizes(&armored, &envelope.to_compact());

    let verifier = Verifier::new([issuer.public_key().clone()]);
    let unprepared = Verifier::unprepared([issuer.public_key().clone()]);
    let here = machine();
    let now = Timestamp::parse("2026-06-01").unwrap();
    let ctx = Context::new(now, PRODUCT).machine(&here);
    for verifier in [&verifier, &unprepared] {
        assert_eq!(
            verifier.verify(&armored).unwrap().check(&ctx).state,
            State::Valid
        );
    }
    let message = envelope.signed_message();
    let signature = ed25519_dalek::Signature::from_bytes(&envelope.signature);
    let key = ed25519_dalek::SigningKey::from_bytes(&SEED).verifying_key();
    key.verify_strict(&message, &signature).unwrap();
    let prepared = PreparedKey::new(issuer.public_key());
    prepared
        .verify_strict(&message, &envelope.signature)
        .unwrap();

    let mut group = c.benchmark_group("verify");
    group.bench_function("licentia_verify_check", |b| {
        b.iter(|| {
            let license = verifier.verify(black_box(&armored)).unwrap();
            black_box(license.check(black_box(&ctx)))
        })
    });
    group.bench_function("bare_verify_strict", |b| {
        b.iter(|| {
            key.verify_strict(black_box(&message), black_box(&signature))
                .unwrap()
        })
    });
    // The generic path a verifier took before keys were prepared.
    group.bench_function("licentia_verify_check_unprepared", |b| {
        b.iter(|| {
            let license = unprepared.verify(black_box(&armored)).unwrap();
            black_box(license.check(black_box(&ctx)))
        })
    });
    // The prepared path alone, over the very same bytes as the bare one.
    group.bench_function("prepared_verify_strict", |b| {
        b.iter(|| {
            prepared
                .verify_strict(black_box(&message), black_box(&envelope.signature))
                .unwrap()
        })
    });
    group.finish();

    // Where the prepared path's time goes. It decompresses nothing: R is
    // compared as bytes, the key was decoded once.
    let mut r = [0u8; 32];
    r.copy_from_slice(&envelope.signature[..32]);
    let s = curve25519_dalek::Scalar::from_canonical_bytes(
        envelope.signature[32..].try_into().unwrap(),
    )
    .unwrap();
    let k = prepared_steps::hash(&prepared, &r, &message);
    let point = prepared_steps::multiply(&prepared, &s, &k).unwrap();
    assert_eq!(prepared_steps::compress(&point), r);
    let mut steps = c.benchmark_group("prepared_parts");
    steps.bench_function("hash_sha512", |b| {
        b.iter(|| prepared_steps::hash(&prepared, black_box(&r), black_box(&message)))
    });
    steps.bench_function("scalar_multiplication", |b| {
        b.iter(|| prepared_steps::multiply(&prepared, black_box(&s), black_box(&k)))
    });
    steps.bench_function("compression", |b| {
        b.iter(|| prepared_steps::compress(black_box(&point)))
    });
    // What preparing costs, once per trusted key.
    steps.bench_function("prepare_key", |b| {
        b.iter(|| PreparedKey::new(black_box(issuer.public_key())))
    });
    steps.finish();

    // Where the difference goes, each part alone: small numbers that the
    // noise of a shared machine hides in the ratio above.
    let license = verifier.verify(&armored).unwrap();
    let mut parts = c.benchmark_group("verify_parts");
    parts.bench_function("parse_armor", |b| {
        b.iter(|| Envelope::from_text(black_box(&armored), DocumentKind::License).unwrap())
    });
    parts.bench_function("decode_body_canonical", |b| {
        // What the verifier does with the body once the signature holds.
        b.iter(|| {
            let body: LicenseBody = postcard::from_bytes(black_box(&envelope.body)).unwrap();
            assert_eq!(postcard::to_allocvec(&body).unwrap(), envelope.body);
            body
        })
    });
    parts.bench_function("check", |b| b.iter(|| license.check(black_box(&ctx))));
    parts.finish();
}

fn bench_issue(c: &mut Criterion) {
    let issuer = Issuer::new(SigningKey::from_seed(&SEED));
    let body = typical();
    let message = issuer.issue(&body).unwrap().signed_message();
    let key = ed25519_dalek::SigningKey::from_bytes(&SEED);
    let public = key.verifying_key();

    let mut group = c.benchmark_group("issue");
    group.bench_function("licentia_issue_armor", |b| {
        b.iter(|| issuer.issue(black_box(&body)).unwrap().to_armor())
    });
    group.bench_function("bare_sign", |b| b.iter(|| key.sign(black_box(&message))));
    // The issuer verifies what it signed (STYLE.md): this is its true floor.
    group.bench_function("bare_sign_verify_strict", |b| {
        b.iter(|| {
            let signature = key.sign(black_box(&message));
            public.verify_strict(&message, &signature).unwrap();
            signature
        })
    });
    group.finish();
}

/// The ratio of `ours` to `bare`, measured interleaved: short batches of
/// each in turn, the median of the per-round ratios. Load that comes and
/// goes on a shared machine hits both sides of a round alike, where
/// criterion measures one function after the other.
fn paired(mut ours: impl FnMut(), mut bare: impl FnMut()) -> f64 {
    const ROUNDS: usize = 201;
    const BATCH: u32 = 25;
    let time = |f: &mut dyn FnMut()| {
        let start = Instant::now();
        for _ in 0..BATCH {
            f();
        }
        start.elapsed().as_secs_f64()
    };
    let mut ratios: Vec<f64> = (0..ROUNDS)
        .map(|_| time(&mut ours) / time(&mut bare))
        .collect();
    ratios.sort_by(f64::total_cmp);
    ratios[ROUNDS / 2]
}

fn report_paired() {
    let issuer = Issuer::new(SigningKey::from_seed(&SEED));
    let body = typical();
    let envelope = issuer.issue(&body).unwrap();
    let armored = envelope.to_armor();
    let message = envelope.signed_message();
    let verifier = Verifier::new([issuer.public_key().clone()]);
    let unprepared = Verifier::unprepared([issuer.public_key().clone()]);
    let prepared = PreparedKey::new(issuer.public_key());
    let here = machine();
    let ctx = Context::new(Timestamp::parse("2026-06-01").unwrap(), PRODUCT).machine(&here);
    let key = ed25519_dalek::SigningKey::from_bytes(&SEED);
    let public = key.verifying_key();
    let signature = ed25519_dalek::Signature::from_bytes(&envelope.signature);
    let bare_verify = || {
        public
            .verify_strict(black_box(&message), &signature)
            .unwrap()
    };

    let verify = paired(
        || {
            black_box(verifier.verify(black_box(&armored)).unwrap().check(&ctx));
        },
        bare_verify,
    );
    let verify_unprepared = paired(
        || {
            black_box(unprepared.verify(black_box(&armored)).unwrap().check(&ctx));
        },
        bare_verify,
    );
    let prepared_alone = paired(
        || {
            prepared
                .verify_strict(black_box(&message), &envelope.signature)
                .unwrap()
        },
        bare_verify,
    );
    let issue = || {
        black_box(issuer.issue(black_box(&body)).unwrap().to_armor());
    };
    let sign = paired(issue, || {
        black_box(key.sign(black_box(&message)));
    });
    let sign_verify = paired(issue, || {
        let signature = key.sign(black_box(&message));
        public.verify_strict(&message, &signature).unwrap();
    });
    let paired = "paired: median of 201 interleaved ratios";
    for (name, limit, ratio, max_ratio) in [
        (
            "verify + check (Rust)",
            "bare verify_strict",
            verify,
            Some(0.75),
        ),
        (
            "verify + check (Rust), unprepared key",
            "bare verify_strict",
            verify_unprepared,
            Some(1.15),
        ),
        (
            "PreparedKey::verify_strict",
            "bare verify_strict",
            prepared_alone,
            None,
        ),
        ("issue + armor", "bare sign", sign, Some(1.15)),
        (
            "issue + armor",
            "bare sign + verify_strict",
            sign_verify,
            None,
        ),
    ] {
        Figure {
            limit: Some((limit, f64::NAN)),
            ratio: Some(ratio),
            max_ratio,
            note: paired,
            ..figure(name, None, "µs")
        }
        .emit();
    }
}

/// The prepared path's cost split, from the fastest of alternating blocks
/// (load from other processes only ever adds time, so the minimum of many
/// short blocks is what the code costs): the whole `verify_strict` beside
/// its steps, and the bare one, in the same blocks.
fn report_split() {
    const BLOCKS: usize = 60;
    const PER_BLOCK: u32 = 100;
    let issuer = Issuer::new(SigningKey::from_seed(&SEED));
    let envelope = issuer.issue(&typical()).unwrap();
    let message = envelope.signed_message();
    let prepared = PreparedKey::new(issuer.public_key());
    let public = ed25519_dalek::SigningKey::from_bytes(&SEED).verifying_key();
    let signature = ed25519_dalek::Signature::from_bytes(&envelope.signature);
    let mut r = [0u8; 32];
    r.copy_from_slice(&envelope.signature[..32]);
    let s = curve25519_dalek::Scalar::from_canonical_bytes(
        envelope.signature[32..].try_into().unwrap(),
    )
    .unwrap();
    let k = prepared_steps::hash(&prepared, &r, &message);
    let point = prepared_steps::multiply(&prepared, &s, &k).unwrap();
    let mut best = [f64::MAX; 5];
    for _ in 0..BLOCKS {
        let works: [&mut dyn FnMut(); 5] = [
            &mut || {
                public
                    .verify_strict(black_box(&message), &signature)
                    .unwrap()
            },
            &mut || {
                prepared
                    .verify_strict(black_box(&message), &envelope.signature)
                    .unwrap()
            },
            &mut || {
                black_box(prepared_steps::hash(&prepared, black_box(&r), &message));
            },
            &mut || {
                black_box(prepared_steps::multiply(&prepared, black_box(&s), &k));
            },
            &mut || {
                black_box(prepared_steps::compress(black_box(&point)));
            },
        ];
        for (best, work) in best.iter_mut().zip(works) {
            let start = Instant::now();
            for _ in 0..PER_BLOCK {
                work();
            }
            *best = best.min(start.elapsed().as_secs_f64() * 1e6 / f64::from(PER_BLOCK));
        }
    }
    let [bare, all, hash, multiply, compress] = best;
    println!(
        "fastest of {BLOCKS} alternating blocks of {PER_BLOCK}: bare verify_strict {bare:.2} us; \
         PreparedKey::verify_strict {all:.2} us ({:.3}x) = hash {hash:.2} us ({:.0} %) + scalar multiplication \
         {multiply:.2} us ({:.0} %) + compression {compress:.2} us ({:.0} %) + rest {:.2} us; decompression none",
        all / bare,
        100.0 * hash / all,
        100.0 * multiply / all,
        100.0 * compress / all,
        all - hash - multiply - compress
    );
    let note = "fastest of 60 alternating blocks of 100";
    Figure {
        limit: Some(("bare verify_strict, same blocks", bare)),
        note,
        ..figure("PreparedKey::verify_strict", Some(all), "µs")
    }
    .emit();
    for (name, value) in [
        ("prepared path: SHA-512 and reduction of k", hash),
        ("prepared path: [s]B + [k](-A), two combs", multiply),
        ("prepared path: encoding R' (one inversion)", compress),
    ] {
        Figure {
            note,
            ..figure(name, Some(value), "µs")
        }
        .emit();
    }
}

fn report_ratios(since: SystemTime) {
    let parts = ["parse_armor", "decode_body_canonical", "check"]
        .map(|id| median("verify_parts", id, since));
    if let ([Some(p), Some(d), Some(c)], Some(bare)) =
        (parts, median("verify", "bare_verify_strict", since))
    {
        println!(
            "verify: parse {:.2} us + decode {:.2} us + check {:.2} us = {:.2} us over bare verify_strict {:.2} us: {:.3}x",
            p / 1e3,
            d / 1e3,
            c / 1e3,
            (p + d + c) / 1e3,
            bare / 1e3,
            (bare + p + d + c) / bare
        );
        Figure {
            note: "parse, decode and check each measured alone, added to the bare verify",
            limit: Some(("bare verify_strict", bare / 1e3)),
            ..figure(
                "verify + check (Rust), by parts",
                Some((bare + p + d + c) / 1e3),
                "µs",
            )
        }
        .emit();
    }
    let us = |group, id| median(group, id, since).map(|ns| ns / 1e3);
    let bare_verify = us("verify", "bare_verify_strict");
    Figure {
        limit: bare_verify.map(|b| ("bare verify_strict", b)),
        max_ratio: Some(0.75),
        ..figure(
            "verify + check (Rust)",
            us("verify", "licentia_verify_check"),
            "µs",
        )
    }
    .emit();
    Figure {
        limit: bare_verify.map(|b| ("bare verify_strict", b)),
        max_ratio: Some(1.15),
        ..figure(
            "verify + check (Rust), unprepared key",
            us("verify", "licentia_verify_check_unprepared"),
            "µs",
        )
    }
    .emit();
    Figure {
        limit: bare_verify.map(|b| ("bare verify_strict", b)),
        ..figure(
            "PreparedKey::verify_strict",
            us("verify", "prepared_verify_strict"),
            "µs",
        )
    }
    .emit();
    let steps =
        ["hash_sha512", "scalar_multiplication", "compression"].map(|id| us("prepared_parts", id));
    if let ([Some(h), Some(m), Some(c)], Some(all)) =
        (steps, us("verify", "prepared_verify_strict"))
    {
        println!(
            "prepared verify_strict {all:.2} us: hash {h:.2} us ({:.0} %), scalar multiplication {m:.2} us ({:.0} %), \
             compression {c:.2} us ({:.0} %), decompression none; rest {:.2} us",
            100.0 * h / all,
            100.0 * m / all,
            100.0 * c / all,
            all - h - m - c
        );
    }
    for (id, name) in [
        ("hash_sha512", "prepared path: SHA-512 and reduction of k"),
        (
            "scalar_multiplication",
            "prepared path: [s]B + [k](-A), two combs",
        ),
        ("compression", "prepared path: encoding R' (one inversion)"),
        ("prepare_key", "PreparedKey::new (once per trusted key)"),
    ] {
        figure(name, us("prepared_parts", id), "µs").emit();
    }
    let issue = us("issue", "licentia_issue_armor");
    Figure {
        limit: us("issue", "bare_sign").map(|b| ("bare sign", b)),
        max_ratio: Some(1.15),
        note: "not met by design: the issuer verifies what it signs",
        ..figure("issue + armor", issue, "µs")
    }
    .emit();
    Figure {
        limit: us("issue", "bare_sign_verify_strict").map(|b| ("bare sign + verify_strict", b)),
        note: "the issuer's true floor",
        ..figure("issue + armor", issue, "µs")
    }
    .emit();
}

fn main() {
    let start = SystemTime::now();
    let mut c = Criterion::default().configure_from_args();
    bench_verify(&mut c);
    bench_issue(&mut c);
    c.final_summary();
    report_ratios(start);
    // Only when measuring, not under `cargo test --benches` or `-- --test`.
    if measuring() {
        report_paired();
        report_split();
    }
}
