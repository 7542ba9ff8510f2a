//! The environment probe (virtual machine, container) and what it adds to
//! a check, each beside its floor.
//!
//! ```text
//! cargo bench --all-features --bench environment -- --warm-up-time 1 --measurement-time 2
//! ```
//!
//! A probe of this machine reads CPUID (x86_64) and up to ten small files
//! (DMI strings, `/proc/cpuinfo`, marker files, cgroups, `/proc/1/environ`);
//! its floor is opening and reading those very files with nothing else
//! (`bare_reads`), and CPUID alone is timed too. The check probes once per
//! process ([`Environment::this_machine`], then a pointer read), and only for
//! a licence that refuses an environment: the check of such a licence with
//! a report given is set against the same check of a licence that restricts
//! nothing.

use std::hint::black_box;
use std::io::Read;
use std::time::SystemTime;

use criterion::Criterion;
use licentia::{
    Context, CpuidLeaves, Environment, EnvironmentKind, Issuer, License, LicenseBody, Probe,
    Signal, SigningKey, Timestamp, Verifier,
};

mod common;
use common::{figure, median, Figure};

/// Every file the probe may read (environment.rs), for the floor.
const FILES: [&str; 10] = [
    "/sys/class/dmi/id/sys_vendor",
    "/sys/class/dmi/id/product_name",
    "/sys/class/dmi/id/board_vendor",
    "/sys/class/dmi/id/bios_vendor",
    "/proc/cpuinfo",
    "/.dockerenv",
    "/run/.containerenv",
    "/proc/1/cgroup",
    "/proc/self/cgroup",
    "/proc/1/environ",
];

fn bare_reads() -> usize {
    let mut buf = Vec::with_capacity(8192);
    FILES
        .iter()
        .filter_map(|path| std::fs::File::open(path).ok())
        .map(|file| {
            buf.clear();
            file.take(8192).read_to_end(&mut buf).unwrap_or(0)
        })
        .sum()
}

fn license(issuer: &Issuer, restrict: bool) -> License {
    let body = LicenseBody::builder("acme-cad", "Jane Doe")
        .issued_at(Timestamp::parse("2026-01-01").unwrap())
        .virtual_machines(!restrict)
        .build()
        .unwrap();
    Verifier::new([issuer.public_key().clone()])
        .verify(&issuer.issue(&body).unwrap().to_armor())
        .unwrap()
}

fn main() {
    let since = SystemTime::now();
    let mut c = Criterion::default().configure_from_args();
    println!("this machine: {:?}", Probe::this_machine().run());

    let mut group = c.benchmark_group("environment");
    group.bench_function("probe_this_machine", |b| {
        b.iter(|| Probe::this_machine().run())
    });
    group.bench_function("bare_reads", |b| b.iter(bare_reads));
    let cpuid = CpuidLeaves::read().is_some();
    if cpuid {
        group.bench_function("cpuid", |b| b.iter(CpuidLeaves::read));
    }
    group.bench_function("cached", |b| b.iter(Environment::this_machine));
    group.finish();

    let issuer = Issuer::new(SigningKey::from_seed(&[7; 32]));
    let (open, refusing) = (license(&issuer, false), license(&issuer, true));
    let guest = Environment::from_signals(vec![Signal::new(
        EnvironmentKind::VirtualMachine,
        "dmi.sys_vendor",
        "QEMU",
    )]);
    let now = Timestamp::parse("2026-06-01").unwrap();
    let ctx = Context::new(now, "acme-cad").environment(&guest);
    assert!(open.check(&ctx).is_valid() && !refusing.check(&ctx).is_valid());
    let mut group = c.benchmark_group("environment_check");
    group.bench_function("check_refusing_vm", |b| {
        b.iter(|| black_box(&refusing).check(black_box(&ctx)))
    });
    group.bench_function("check_unrestricted", |b| {
        b.iter(|| black_box(&open).check(black_box(&ctx)))
    });
    group.finish();
    c.final_summary();

    let ns = |group, id| median(group, id, since);
    Figure {
        limit: ns("environment", "bare_reads").map(|l| ("bare reads of its files", l)),
        note: "CPUID, DMI, cpuinfo, markers, cgroups, environ; once per process",
        ..figure(
            "environment: probe this machine",
            ns("environment", "probe_this_machine"),
            "ns",
        )
    }
    .emit();
    if cpuid {
        Figure {
            note: "leaves 1 and 0x40000000 (a VM exit each under a hypervisor)",
            ..figure("environment: CPUID alone", ns("environment", "cpuid"), "ns")
        }
        .emit();
    }
    Figure {
        limit: ns("environment_check", "check_unrestricted")
            .map(|l| ("the check of a licence restricting nothing", l)),
        note: "report given; the message names the evidence",
        ..figure(
            "environment: check refusing VMs (in one)",
            ns("environment_check", "check_refusing_vm"),
            "ns",
        )
    }
    .emit();
}
