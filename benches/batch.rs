//! Batch verification, as a back-office audit does it: 10,000 different
//! node-locked licenses, each verified and checked on its machine, against
//! the limit of 10,000 bare `verify_strict` over the very same signed bytes;
//! on one thread, then split across two (a `Verifier` is `Sync`, so an
//! application shares one between threads). The verifier prepared its one
//! key when it was made, so every license goes through the prepared path,
//! which decides exactly as `verify_strict` does; the target is the
//! per-license one, <= 0.75 x (issue 18).
//!
//! ```text
//! cargo bench --all-features --bench batch -- --warm-up-time 1 --measurement-time 2
//! ```

use std::hint::black_box;
use std::time::SystemTime;

use criterion::{Criterion, SamplingMode};
use ed25519_dalek::{Signature, VerifyingKey};
use licentia::{
    Context, Fingerprint, Issuer, LicenseBody, MatchRule, SigningKey, State, Timestamp, Verifier,
};

mod common;
use common::{figure, median, Figure};

const PRODUCT: &str = "acme-cad";
const LICENSES: usize = 10_000;
const THREADS: usize = 2;
const SEED: [u8; 32] = [0x11; 32];

struct Audit {
    verifier: Verifier,
    texts: Vec<String>,
    machines: Vec<Fingerprint>,
    key: VerifyingKey,
    signed: Vec<(Vec<u8>, Signature)>,
    now: Timestamp,
}

impl Audit {
    fn new() -> Audit {
        let issuer = Issuer::new(SigningKey::from_seed(&SEED));
        let t = |s| Timestamp::parse(s).unwrap();
        let (mut texts, mut machines, mut signed) = (vec![], vec![], vec![]);
        for i in 0..LICENSES {
            let machine = Fingerprint::builder(PRODUCT)
                .vendor("machine-id", &format!("machine-{i}"))
                .build()
                .unwrap();
            let body = LicenseBody::builder(PRODUCT, format!("Customer {i}"))
                .issued_at(t("2026-01-01"))
                .node_locked(vec![machine.clone()], MatchRule::All)
                .hard_expiry(t("2027-01-01"))
                .feature("export")
                .build()
                .unwrap();
            let envelope = issuer.issue(&body).unwrap();
            texts.push(envelope.to_armor());
            signed.push((
                envelope.signed_message(),
                Signature::from_bytes(&envelope.signature),
            ));
            machines.push(machine);
        }
        Audit {
            verifier: Verifier::new([issuer.public_key().clone()]),
            texts,
            machines,
            key: ed25519_dalek::SigningKey::from_bytes(&SEED).verifying_key(),
            signed,
            now: t("2026-06-01"),
        }
    }

    /// Verifies and checks licenses `range`; returns how many are valid.
    fn audit(&self, range: std::ops::Range<usize>) -> usize {
        range
            .filter(|&i| {
                let license = self.verifier.verify(black_box(&self.texts[i])).unwrap();
                let ctx = Context::new(self.now, PRODUCT).machine(&self.machines[i]);
                license.check(&ctx).state == State::Valid
            })
            .count()
    }

    fn bare(&self, range: std::ops::Range<usize>) -> usize {
        self.signed[range]
            .iter()
            .filter(|(message, signature)| {
                self.key
                    .verify_strict(black_box(message), signature)
                    .is_ok()
            })
            .count()
    }
}

/// Runs `work` over all licenses split into `THREADS` equal ranges.
fn threaded(work: impl Fn(std::ops::Range<usize>) -> usize + Sync) -> usize {
    let per = LICENSES.div_ceil(THREADS);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..THREADS)
            .map(|t| {
                let work = &work;
                s.spawn(move || work(t * per..((t + 1) * per).min(LICENSES)))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    })
}

fn main() {
    let since = SystemTime::now();
    let mut c = Criterion::default().configure_from_args();
    let audit = Audit::new();
    assert_eq!(audit.audit(0..LICENSES), LICENSES, "every license is valid");
    assert_eq!(threaded(|r| audit.audit(r)), LICENSES);
    assert_eq!(audit.bare(0..LICENSES), LICENSES);

    let mut group = c.benchmark_group("batch_10000");
    // One iteration is a whole audit (about half a second): ten of them.
    group.sample_size(10).sampling_mode(SamplingMode::Flat);
    group.bench_function("verify_check_1_thread", |b| {
        b.iter(|| audit.audit(0..LICENSES))
    });
    group.bench_function("bare_verify_strict_1_thread", |b| {
        b.iter(|| audit.bare(0..LICENSES))
    });
    group.bench_function("verify_check_2_threads", |b| {
        b.iter(|| threaded(|r| audit.audit(r)))
    });
    group.bench_function("bare_verify_strict_2_threads", |b| {
        b.iter(|| threaded(|r| audit.bare(r)))
    });
    group.finish();
    c.final_summary();

    let ms = |id: String| median("batch_10000", &id, since).map(|ns| ns / 1e6);
    for threads in ["1_thread", "2_threads"] {
        let ours = ms(format!("verify_check_{threads}"));
        let name = format!(
            "batch: verify + check 10,000 licenses, {}",
            threads.replace('_', " ")
        );
        let note = ours.map_or(String::new(), |ms| {
            format!(
                "{:.0} licenses/s; target: the verify one, per license",
                LICENSES as f64 / ms * 1e3
            )
        });
        Figure {
            limit: ms(format!("bare_verify_strict_{threads}"))
                .map(|l| ("10,000 bare verify_strict", l)),
            max_ratio: Some(0.75),
            note: &note,
            ..figure(&name, ours, "ms")
        }
        .emit();
    }
}
