//! Machine fingerprints: computing one and matching it, each beside its
//! physical limit.
//!
//! ```text
//! cargo bench --all-features --bench fingerprint -- --warm-up-time 1 --measurement-time 2
//! ```
//!
//! Computing a fingerprint of two supplied values (machine id, host name) is
//! two HMAC-SHA256 (machine.rs); its limit is the bare `hmac` crate over the
//! very same bytes, and beside it one plain SHA-256 of those bytes per
//! component. Matching (rule `two`, three components) is set against the
//! bare equality of the two component lists. Reading this machine's id from
//! `/etc/machine-id` is timed too, without a limit (a file read).

use std::hint::black_box;
use std::time::SystemTime;

use criterion::Criterion;
use hmac::{Hmac, Mac};
use licentia::{Fingerprint, MatchRule};
use sha2::{Digest, Sha256};

mod common;
use common::{figure, median, Figure};

const PRODUCT: &str = "acme-cad";
/// The components' domain tag (machine.rs: "licentia machine component\0").
const TAG: &[u8] = b"licentia machine component\0";
const VALUES: [(&str, &str); 2] = [
    ("machine-id", "4c4c4544005a3510804cb4c04f4e3232"),
    ("hostname", "cad-ws-07"),
];

fn compute() -> Fingerprint {
    VALUES
        .iter()
        .fold(Fingerprint::builder(PRODUCT), |b, (name, value)| {
            b.vendor(name, black_box(value))
        })
        .build()
        .unwrap()
}

/// The HMAC each component is, with nothing around it.
fn bare_hmac(name: &str, value: &str) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(value.as_bytes()).unwrap();
    mac.update(TAG);
    mac.update(PRODUCT.as_bytes());
    mac.update(b"\0");
    mac.update(name.as_bytes());
    mac.finalize().into_bytes().into()
}

fn bare_sha256(name: &str, value: &str) -> [u8; 32] {
    let mut hash = Sha256::new();
    hash.update(value.as_bytes());
    hash.update(TAG);
    hash.update(PRODUCT.as_bytes());
    hash.update(b"\0");
    hash.update(name.as_bytes());
    hash.finalize().into()
}

fn main() {
    let since = SystemTime::now();
    let mut c = Criterion::default().configure_from_args();
    // The bare HMAC is what the fingerprint holds (truncated to 16 bytes).
    let here = compute();
    for ((name, value), component) in VALUES.iter().zip(&here.components) {
        assert_eq!(component.hash, bare_hmac(name, value)[..16]);
    }

    let mut group = c.benchmark_group("fingerprint");
    group.bench_function("compute_two_components", |b| b.iter(compute));
    group.bench_function("bare_hmac_sha256_x2", |b| {
        b.iter(|| VALUES.map(|(name, value)| bare_hmac(name, black_box(value))))
    });
    group.bench_function("bare_sha256_x2", |b| {
        b.iter(|| VALUES.map(|(name, value)| bare_sha256(name, black_box(value))))
    });
    let this_machine = Fingerprint::this_machine(PRODUCT).is_ok();
    if this_machine {
        group.bench_function("this_machine", |b| {
            b.iter(|| Fingerprint::this_machine(black_box(PRODUCT)).unwrap())
        });
    }
    group.finish();

    let licensed = Fingerprint::builder(PRODUCT)
        .vendor("machine-id", "mid")
        .vendor("hostname", "host")
        .vendor("disk", "disk")
        .build()
        .unwrap();
    let same = licensed.clone();
    assert!(same.matches(&licensed, MatchRule::Two));
    let mut group = c.benchmark_group("fingerprint_match");
    group.bench_function("matches_two_of_three", |b| {
        b.iter(|| black_box(&same).matches(black_box(&licensed), MatchRule::Two))
    });
    group.bench_function("bare_equality", |b| {
        b.iter(|| black_box(&same.components) == black_box(&licensed.components))
    });
    group.finish();
    c.final_summary();

    let ns = |group, id| median(group, id, since);
    let compute = ns("fingerprint", "compute_two_components");
    Figure {
        limit: ns("fingerprint", "bare_hmac_sha256_x2").map(|l| ("bare HMAC-SHA256 ×2", l)),
        ..figure("fingerprint: compute (2 components)", compute, "ns")
    }
    .emit();
    Figure {
        limit: ns("fingerprint", "bare_sha256_x2").map(|l| ("one SHA-256 per component ×2", l)),
        note: "HMAC is two SHA-256 passes by construction",
        ..figure("fingerprint: compute (2 components)", compute, "ns")
    }
    .emit();
    if this_machine {
        Figure {
            note: "reads /etc/machine-id",
            ..figure(
                "fingerprint: this machine",
                ns("fingerprint", "this_machine"),
                "ns",
            )
        }
        .emit();
    }
    Figure {
        limit: ns("fingerprint_match", "bare_equality").map(|l| ("bare equality", l)),
        ..figure(
            "fingerprint: match (two of three)",
            ns("fingerprint_match", "matches_two_of_three"),
            "ns",
        )
    }
    .emit();
}
