//! Virtual machines and containers: the probe on this machine and under fake
//! roots, the licence's terms (format version 2), and rules 111 and 112.

mod common;
use common::{at, issuer, license, verifier};

use licentia::{
    CpuidLeaves, DocumentKind, Envelope, Environment, EnvironmentKind, EnvironmentTerms, Error,
    Probe, Rule, Signal, State, UnverifiedLicense,
};

fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let at = dir.path().join(path);
        std::fs::create_dir_all(at.parent().unwrap()).unwrap();
        std::fs::write(at, text).unwrap();
    }
    dir
}

fn names(env: &Environment) -> Vec<&str> {
    env.signals.iter().map(|s| s.name.as_ref()).collect()
}

#[test]
fn this_machine_is_probed_and_says_what_it_saw() {
    let env = Probe::this_machine().run();
    println!("this machine: {env:#?}");
    for signal in &env.signals {
        assert!(!signal.name.is_empty());
        assert!(signal.saw.len() <= 4 * 120, "{signal:?}");
        assert!(!signal.saw.chars().any(char::is_control), "{signal:?}");
    }
    // The cached probe of the check sees the same.
    assert_eq!(Environment::this_machine(), &env);
    // On x86_64 the hypervisor bit alone makes it a virtual machine.
    if let Some(leaves) = CpuidLeaves::read() {
        println!("cpuid: {leaves:?}");
        if leaves.hypervisor_bit {
            assert!(env.is_virtual_machine());
            assert_eq!(env.signals[0].name, "cpuid.hypervisor");
        }
    }
}

#[test]
fn fake_roots_of_each_container_and_of_bare_metal() {
    /// A case: its name, the tree's files, the process variables, the signals expected.
    type Case<'a> = (
        &'a str,
        Vec<(&'a str, &'a str)>,
        Vec<(&'a str, &'a str)>,
        &'a [&'a str],
    );
    let cases: [Case; 5] = [
        (
            "docker",
            vec![
                (".dockerenv", ""),
                ("proc/self/cgroup", "0::/docker/5b1f0a9e\n"),
            ],
            vec![],
            &["file./.dockerenv", "cgroup.self"],
        ),
        (
            "podman",
            vec![("run/.containerenv", "engine=\"podman-4.9.3\"\n")],
            vec![("container", "podman")],
            &["file./run/.containerenv", "env.container"],
        ),
        (
            "kubernetes",
            vec![("proc/1/cgroup", "0::/kubepods/besteffort/pod42/c0ffee\n")],
            vec![("KUBERNETES_SERVICE_HOST", "10.96.0.1")],
            &["cgroup.pid1", "env.KUBERNETES_SERVICE_HOST"],
        ),
        (
            "lxc",
            vec![
                ("proc/1/cgroup", "0::/lxc.payload.web/init.scope\n"),
                ("proc/1/environ", "container=lxc\0HOME=/root\0"),
            ],
            vec![],
            &["cgroup.pid1", "environ.pid1"],
        ),
        (
            "bare metal",
            vec![
                ("sys/class/dmi/id/sys_vendor", "LENOVO\n"),
                ("proc/cpuinfo", "flags\t\t: fpu sse2 avx2\n"),
                ("proc/1/cgroup", "0::/init.scope\n"),
            ],
            vec![],
            &[],
        ),
    ];
    for (what, files, variables, expected) in cases {
        let root = tree(&files);
        let probe = variables
            .iter()
            .fold(Probe::under(root.path()), |p, (k, v)| p.variable(k, v));
        let env = probe.run();
        assert_eq!(names(&env), expected, "{what}");
        assert!(!env.is_virtual_machine(), "{what}");
        assert_eq!(env.is_container(), !expected.is_empty(), "{what}");
    }
}

#[test]
fn a_licence_allowing_everything_is_version_1_byte_for_byte() {
    let plain = common::builder(40).build().unwrap();
    let allowing = common::builder(40)
        .virtual_machines(true)
        .containers(true)
        .build()
        .unwrap();
    assert_eq!(plain, allowing);
    let envelope = issuer().issue(&allowing).unwrap();
    assert_eq!(envelope.version, 1);
    let refusing = common::builder(40).containers(false).build().unwrap();
    let v2 = issuer().issue(&refusing).unwrap();
    assert_eq!(v2.version, 2);
    // The v2 body is the v1 body and two bytes.
    assert_eq!(v2.body.len(), envelope.body.len() + 2);
    assert_eq!(&v2.body[..envelope.body.len()], &envelope.body[..]);
    let verified = verifier().verify(&v2.to_armor()).unwrap();
    assert_eq!(verified.environment, refusing.environment);
    assert_eq!(verified.body(), &refusing);
    let seen = UnverifiedLicense::parse(&v2.to_compact()).unwrap();
    assert_eq!((seen.format_version(), seen.body()), (2, &refusing));
    // A lease carries the terms the same way.
    let lease = common::builder(41)
        .virtual_machines(false)
        .hard_expiry(common::t("2026-02-01T00:00:00Z"))
        .build()
        .unwrap();
    let signed = issuer().issue_lease(&lease).unwrap();
    assert_eq!(signed.version, 2);
    assert_eq!(
        verifier().verify_lease(&signed.to_armor()).unwrap().body(),
        &lease
    );
}

#[test]
fn version_2_allowing_everything_or_with_garbage_is_malformed() {
    let body = common::builder(42).build().unwrap();
    let mut bytes = postcard::to_allocvec(&body).unwrap();
    bytes.extend([1, 1]);
    let forced =
        Envelope::seal_version(DocumentKind::License, 2, &common::key(), bytes.clone()).unwrap();
    assert_eq!(
        verifier().verify(&forced.to_armor()),
        Err(Error::MalformedBody)
    );
    for tail in [[2, 0].as_slice(), &[0], &[0, 0, 0]] {
        let mut garbage = bytes[..bytes.len() - 2].to_vec();
        garbage.extend(tail);
        let sealed =
            Envelope::seal_version(DocumentKind::License, 2, &common::key(), garbage).unwrap();
        assert_eq!(
            verifier().verify(&sealed.to_armor()),
            Err(Error::MalformedBody),
            "{tail:?}"
        );
    }
}

#[test]
fn rules_111_and_112_name_their_evidence() {
    let no_vm = license(common::builder(43).virtual_machines(false));
    let no_container = license(common::builder(44).containers(false));
    let qemu = tree(&[("sys/class/dmi/id/sys_vendor", "QEMU\n")]);
    let guest = Probe::under(qemu.path())
        .cpuid(Some(CpuidLeaves {
            hypervisor_bit: true,
            vendor: *b"KVMKVMKVM\0\0\0",
        }))
        .run();
    let docker = tree(&[(".dockerenv", "")]);
    let docker = Environment::probe_under(docker.path());
    let metal = Environment::default();
    let now = common::t("2026-06-01T00:00:00Z");

    let report = no_vm.check(&at(now).environment(&guest));
    assert_eq!(report.state, State::Invalid);
    assert_eq!(report.findings.len(), 1);
    assert_eq!(report.findings[0].rule, Rule::VirtualMachineNotAllowed);
    assert_eq!(report.findings[0].rule.code(), 111);
    let message = &report.findings[0].message;
    for evidence in [
        "cpuid.hypervisor: leaf 1 ECX bit 31 set",
        "cpuid.vendor: KVMKVMKVM",
        "dmi.sys_vendor: QEMU",
    ] {
        assert!(message.contains(evidence), "{message}");
    }
    assert!(no_vm.check(&at(now).environment(&docker)).is_valid());
    assert!(no_vm.check(&at(now).environment(&metal)).is_valid());

    let report = no_container.check(&at(now).environment(&docker));
    assert_eq!(report.findings[0].rule.code(), 112);
    assert!(report.findings[0]
        .message
        .contains("file./.dockerenv: present"));
    assert!(no_container.check(&at(now).environment(&guest)).is_valid());

    // Both refused, both seen: both reported, with the other rules.
    let both = Environment::from_signals(
        guest
            .signals
            .iter()
            .chain(&docker.signals)
            .cloned()
            .collect(),
    );
    let strict = license(
        common::builder(45)
            .environment(EnvironmentTerms {
                virtual_machines: false,
                containers: false,
            })
            .hard_expiry(common::t("2026-03-01T00:00:00Z")),
    );
    let codes: Vec<u32> = strict
        .check(&at(now).environment(&both))
        .findings
        .iter()
        .map(|f| f.rule.code())
        .collect();
    assert_eq!(codes, [108, 111, 112]);
    // A licence that restricts nothing ignores the environment.
    assert!(license(common::builder(46))
        .check(&at(now).environment(&both))
        .is_valid());
    // An application's own signal counts like the probe's.
    let own = Environment::from_signals(vec![Signal::new(
        EnvironmentKind::Container,
        "app.cloud-run",
        "K_SERVICE=api",
    )]);
    assert!(no_container.check(&at(now).environment(&own)).findings[0]
        .message
        .contains("app.cloud-run: K_SERVICE=api"));
}

#[test]
fn without_an_environment_the_check_probes_this_machine_once() {
    let no_vm = license(common::builder(47).virtual_machines(false));
    let now = common::t("2026-06-01T00:00:00Z");
    let report = no_vm.check(&at(now));
    // Whatever this machine is, the verdict is the one its probe gives.
    let expected = no_vm.check(&at(now).environment(Environment::this_machine()));
    assert_eq!(report, expected);
    assert_eq!(
        report.has(Rule::VirtualMachineNotAllowed),
        Environment::this_machine().is_virtual_machine()
    );
}
