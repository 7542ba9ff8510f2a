//! The verifier's memory, counted by a global allocator: heap bytes held by
//! a `Verifier` (with its prepared key's table) and by each verified
//! `License`, the peak while verifying, and the basepoint table every
//! prepared key shares, each beside the raw bytes it stands for (the 32-byte
//! public key; the license file).
//!
//! ```text
//! cargo bench --all-features --bench memory
//! ```
//!
//! Counts are exact (no timing), so this runs once, not under criterion.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use licentia::format::{DocumentKind, Envelope};
use licentia::{Context, Fingerprint, License, PreparedKey, PublicKey, State, Timestamp, Verifier};

mod common;
use common::{figure, Figure};

/// Live heap bytes, their high-water mark, and the number of allocations.
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

struct Counting;

impl Counting {
    fn grew(size: usize) {
        let live = LIVE.fetch_add(size, Relaxed) + size;
        PEAK.fetch_max(live, Relaxed);
        ALLOCATIONS.fetch_add(1, Relaxed);
    }
}

// SAFETY: every call is forwarded to the system allocator unchanged; only
// the sizes are counted.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract, forwarded.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            Counting::grew(layout.size());
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract, forwarded.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller's contract, forwarded.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            LIVE.fetch_sub(layout.size(), Relaxed);
            Counting::grew(new_size);
        }
        new
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const LICENSE: &str = include_str!("../tests/vectors/licenses/typical.lic");
const ISSUER_PUB: &str = include_str!("../tests/vectors/keys/issuer.pub");
const MACHINE: &str = "03609ac5750e57fd8727f95bcfff3ce06a03daa58406d6f907ab64a58baadb33254d03d444549f126d17d5fa8afb381c28ea4e";
const HELD: usize = 1_000;

/// Runs `f` and returns its result with the live bytes it left behind, the
/// peak above the start, and its allocation count.
fn measure<T>(f: impl FnOnce() -> T) -> (T, usize, usize, usize) {
    let start = LIVE.load(Relaxed);
    PEAK.store(start, Relaxed);
    let allocations = ALLOCATIONS.load(Relaxed);
    let value = f();
    let kept = LIVE.load(Relaxed) - start;
    let peak = PEAK.load(Relaxed) - start;
    (value, kept, peak, ALLOCATIONS.load(Relaxed) - allocations)
}

fn main() {
    let key = PublicKey::from_pem(ISSUER_PUB).unwrap();
    let machine = Fingerprint::parse(MACHINE).unwrap();
    let now = Timestamp::parse("2026-06-01").unwrap();
    let file_bytes = LICENSE.len() as f64;
    let envelope_bytes = Envelope::from_text(LICENSE, DocumentKind::License)
        .unwrap()
        .to_bytes()
        .len();

    // The first prepared key of the process also builds the basepoint's
    // table, which every later one shares: counted apart.
    let (first, first_heap, _, _) = measure(|| PreparedKey::new(&key));
    let (again, prepared_heap, _, _) = measure(|| PreparedKey::new(&key));
    drop(again);
    let shared = first_heap - prepared_heap;
    drop(first);
    let (verifier, verifier_heap, _, _) = measure(|| Verifier::new([key.clone()]));
    let (unprepared, unprepared_heap, _, _) = measure(|| Verifier::unprepared([key.clone()]));
    drop(unprepared);
    let (license, license_heap, verify_peak, verify_allocations) =
        measure(|| verifier.verify(LICENSE).unwrap());
    let ((), _, check_peak, check_allocations) = measure(|| {
        let report = license.check(&Context::new(now, "acme-cad").machine(&machine));
        assert_eq!(report.state, State::Valid);
    });
    // Many held at once: the inline size counts too.
    let (held, held_heap, _, _) = measure(|| {
        (0..HELD)
            .map(|_| verifier.verify(LICENSE).unwrap())
            .collect::<Vec<License>>()
    });
    let per_license = held_heap as f64 / HELD as f64;
    drop(held);

    let inline = std::mem::size_of::<License>();
    println!(
        "PreparedKey: {prepared_heap} heap (table {} bytes); basepoint table shared by all: {shared} bytes, once; \
         unprepared Verifier: {unprepared_heap} heap",
        PreparedKey::TABLE_BYTES
    );
    println!(
        "Verifier: {} bytes inline + {verifier_heap} heap; License: {inline} inline + {license_heap} heap; \
         verify peak {verify_peak} bytes in {verify_allocations} allocations; check peak {check_peak} bytes in \
         {check_allocations} allocations; {HELD} licenses held: {per_license:.0} bytes each; \
         license file {file_bytes} bytes, envelope {envelope_bytes} bytes",
        std::mem::size_of::<Verifier>()
    );
    let verifier_total = (std::mem::size_of::<Verifier>() + verifier_heap) as f64;
    Figure {
        limit: Some(("the raw public key", 32.0)),
        note: "inline + heap, one trusted key, prepared (its table included)",
        ..figure("memory: one Verifier", Some(verifier_total), "bytes")
    }
    .emit();
    Figure {
        limit: Some(("the raw public key", 32.0)),
        note: "inline + heap, one trusted key, Verifier::unprepared",
        ..figure(
            "memory: one unprepared Verifier",
            Some((std::mem::size_of::<Verifier>() + unprepared_heap) as f64),
            "bytes",
        )
    }
    .emit();
    Figure {
        note: "built on the first prepared key, shared by every key of the process",
        ..figure(
            "memory: the basepoint table (once per process)",
            Some(shared as f64),
            "bytes",
        )
    }
    .emit();
    Figure {
        limit: Some(("the license file (typical.lic)", file_bytes)),
        note: &format!("inline {inline} + heap; {HELD} held at once"),
        ..figure("memory: one verified License", Some(per_license), "bytes")
    }
    .emit();
    Figure {
        limit: Some(("the license file (typical.lic)", file_bytes)),
        note: &format!(
            "{verify_allocations} allocations; the returned License's {license_heap} heap bytes included"
        ),
        ..figure(
            "memory: peak while verifying",
            Some(verify_peak as f64),
            "bytes",
        )
    }
    .emit();
    Figure {
        note: &format!("{check_allocations} allocations: a valid license's report has no finding"),
        ..figure(
            "memory: peak while checking",
            Some(check_peak as f64),
            "bytes",
        )
    }
    .emit();
    drop((verifier, license));
}
