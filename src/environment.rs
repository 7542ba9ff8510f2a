//! Where the product runs: a virtual machine, a container, or neither —
//! each conclusion with the evidence that led to it.
//!
//! An [`Environment`] is a list of [`Signal`]s, each named (`cpuid.hypervisor`,
//! `dmi.sys_vendor`, `file./.dockerenv`...) with what it saw. A licence may
//! refuse virtual machines or containers ([`EnvironmentTerms`]); the check
//! then reports [`Rule::VirtualMachineNotAllowed`](crate::Rule::VirtualMachineNotAllowed)
//! or [`Rule::ContainerNotAllowed`](crate::Rule::ContainerNotAllowed), naming
//! the signals in its message.
//!
//! The probe ([`Probe`], feature `std`) reads, under a root directory (`/`
//! on the real machine, a fake tree in tests), each file bounded to a few
//! KiB:
//!
//! | Signal | Kind | Source |
//! |--------|------|--------|
//! | `cpuid.hypervisor` | VM | CPUID leaf 1, ECX bit 31 (x86_64 only) |
//! | `cpuid.vendor` | VM | CPUID leaf 0x4000_0000: `KVMKVMKVM`, `Microsoft Hv`, `VMwareVMware`... |
//! | `dmi.sys_vendor`, `dmi.product_name`, `dmi.board_vendor`, `dmi.bios_vendor` | VM | `/sys/class/dmi/id/*`: QEMU, VMware, VirtualBox, Xen, Hyper-V, Amazon EC2, Google Compute Engine... |
//! | `cpuinfo.hypervisor` | VM | the `hypervisor` flag in `/proc/cpuinfo` |
//! | `file./.dockerenv`, `file./run/.containerenv` | container | Docker's and Podman's marker files |
//! | `cgroup.pid1`, `cgroup.self` | container | `/proc/1/cgroup`, `/proc/self/cgroup` naming docker, kubepods, containerd, libpod or lxc |
//! | `environ.pid1` | container | `container=` in `/proc/1/environ` (systemd-nspawn, LXC, Podman) |
//! | `env.container`, `env.KUBERNETES_SERVICE_HOST` | container | the process's own variables |
//!
//! None of these is proof: a hypervisor can hide the CPUID bit, DMI strings
//! are whatever the VM's configuration says, and a container can delete its
//! marker files. The absence of signals means "nothing seen", never "bare
//! metal, guaranteed". `docs/environment.md` says how each is spoofed and
//! what the probe costs.
//!
//! ```
//! use licentia::{Environment, EnvironmentKind, Signal};
//! let seen = Environment::from_signals(vec![Signal::new(
//!     EnvironmentKind::Container,
//!     "file./.dockerenv",
//!     "present",
//! )]);
//! assert!(seen.is_container() && !seen.is_virtual_machine());
//! assert_eq!(seen.evidence(EnvironmentKind::Container), "file./.dockerenv: present");
//! ```

use std::borrow::Cow;

/// What a signal points to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EnvironmentKind {
    /// A hypervisor runs the operating system.
    VirtualMachine,
    /// The process runs in a container (its own namespaces, an image's files).
    Container,
}

impl EnvironmentKind {
    /// A short name: `virtual machine` or `container`.
    pub fn name(self) -> &'static str {
        match self {
            EnvironmentKind::VirtualMachine => "virtual machine",
            EnvironmentKind::Container => "container",
        }
    }
}

/// One piece of evidence: its name (stable, for logs and support) and what
/// it saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signal {
    /// What it points to.
    pub kind: EnvironmentKind,
    /// The signal's stable name, e.g. `dmi.sys_vendor` or `cgroup.self`.
    pub name: Cow<'static, str>,
    /// What it saw, e.g. `QEMU` or `0::/kubepods/burstable/pod12...`.
    pub saw: String,
}

impl Signal {
    /// A signal of `kind` named `name` that saw `saw`.
    pub fn new(
        kind: EnvironmentKind,
        name: impl Into<Cow<'static, str>>,
        saw: impl Into<String>,
    ) -> Signal {
        Signal {
            kind,
            name: name.into(),
            saw: saw.into(),
        }
    }
}

/// What the probe saw: every signal, in the order it was found. Empty means
/// nothing was seen (which a determined host can arrange).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Environment {
    /// Every signal seen.
    pub signals: Vec<Signal>,
}

impl Environment {
    /// An environment with these signals (an application's own probe, a
    /// test).
    pub fn from_signals(signals: Vec<Signal>) -> Environment {
        Environment { signals }
    }

    /// Whether any signal points to a virtual machine.
    pub fn is_virtual_machine(&self) -> bool {
        self.signals_of(EnvironmentKind::VirtualMachine)
            .next()
            .is_some()
    }

    /// Whether any signal points to a container.
    pub fn is_container(&self) -> bool {
        self.signals_of(EnvironmentKind::Container).next().is_some()
    }

    /// The signals of one kind.
    pub fn signals_of(&self, kind: EnvironmentKind) -> impl Iterator<Item = &Signal> {
        self.signals.iter().filter(move |s| s.kind == kind)
    }

    /// The signals of one kind as one line: `name: saw; name: saw`.
    pub fn evidence(&self, kind: EnvironmentKind) -> String {
        self.signals_of(kind)
            .map(|s| format!("{}: {}", s.name, s.saw))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// Whether a licence lets the product run in a virtual machine and in a
/// container. Signed, in the licence body; both allowed by default (and a
/// licence allowing both is written exactly as before the term existed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct EnvironmentTerms {
    /// May run in a virtual machine.
    pub virtual_machines: bool,
    /// May run in a container.
    pub containers: bool,
}

impl Default for EnvironmentTerms {
    fn default() -> Self {
        EnvironmentTerms::ALLOW_ALL
    }
}

impl EnvironmentTerms {
    /// Both allowed: the default, and every licence signed before the term.
    pub const ALLOW_ALL: EnvironmentTerms = EnvironmentTerms {
        virtual_machines: true,
        containers: true,
    };

    /// Whether the licence refuses anything (so the check needs to know the
    /// environment at all).
    pub fn restricts(&self) -> bool {
        *self != EnvironmentTerms::ALLOW_ALL
    }

    /// Whether `kind` is allowed.
    pub fn allows(&self, kind: EnvironmentKind) -> bool {
        match kind {
            EnvironmentKind::VirtualMachine => self.virtual_machines,
            EnvironmentKind::Container => self.containers,
        }
    }
}

#[cfg(feature = "std")]
pub use probe::{CpuidLeaves, Probe};

#[cfg(feature = "std")]
mod probe {
    use std::io::Read;
    use std::path::{Path, PathBuf};
    use std::sync::OnceLock;

    use super::{Environment, EnvironmentKind, Signal};

    /// Most bytes read of any one file: every marker sits in its first
    /// lines, and a hostile tree must not make the probe read a lot.
    pub const MAX_READ: u64 = 4096;
    /// `/proc/cpuinfo`'s first processor block, flags included, fits here.
    const MAX_CPUINFO: u64 = 8192;
    /// Most characters of a value a signal keeps.
    const MAX_SAW: usize = 120;

    /// Words in the DMI strings of virtual machines, matched
    /// case-insensitively. "Microsoft Corporation" alone is also a Surface
    /// laptop: Hyper-V is its product name "Virtual Machine".
    const DMI_MARKERS: &[&str] = &[
        "qemu",
        "kvm",
        "vmware",
        "virtualbox",
        "innotek",
        "xen",
        "bochs",
        "parallels",
        "bhyve",
        "virtual machine",
        "amazon ec2",
        "google compute engine",
        "openstack",
        "digitalocean",
        "hetzner",
    ];
    const DMI_FILES: [&str; 4] = ["sys_vendor", "product_name", "board_vendor", "bios_vendor"];
    const CGROUP_MARKERS: &[&str] = &["docker", "kubepods", "containerd", "libpod", "lxc"];

    /// The two CPUID leaves the probe reads: the hypervisor-present bit
    /// (leaf 1, ECX bit 31) and the hypervisor's vendor (leaf 0x4000_0000,
    /// EBX ECX EDX). Read from the processor, or given by a test.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct CpuidLeaves {
        /// Leaf 1, ECX bit 31.
        pub hypervisor_bit: bool,
        /// Leaf 0x4000_0000's twelve vendor bytes (meaningful only with the bit).
        pub vendor: [u8; 12],
    }

    impl CpuidLeaves {
        /// This processor's leaves; `None` off x86_64.
        pub fn read() -> Option<CpuidLeaves> {
            #[cfg(target_arch = "x86_64")]
            {
                // `__cpuid` is safe to call from Rust 1.87 on; the crate
                // still builds with 1.85, where it is `unsafe`. CPUID exists
                // on every x86_64 processor and reads no memory.
                #[allow(unsafe_code, unused_unsafe)]
                fn cpuid(leaf: u32) -> core::arch::x86_64::CpuidResult {
                    // SAFETY: CPUID is always available on x86_64.
                    unsafe { core::arch::x86_64::__cpuid(leaf) }
                }
                let hypervisor_bit = cpuid(1).ecx & (1 << 31) != 0;
                let mut vendor = [0u8; 12];
                // Leaf 0x4000_0000 is defined only under a hypervisor; bare
                // metal answers whatever its highest basic leaf says.
                if hypervisor_bit {
                    let leaf = cpuid(0x4000_0000);
                    vendor[..4].copy_from_slice(&leaf.ebx.to_le_bytes());
                    vendor[4..8].copy_from_slice(&leaf.ecx.to_le_bytes());
                    vendor[8..].copy_from_slice(&leaf.edx.to_le_bytes());
                }
                Some(CpuidLeaves {
                    hypervisor_bit,
                    vendor,
                })
            }
            #[cfg(not(target_arch = "x86_64"))]
            {
                None
            }
        }
    }

    /// The probe: which root to read under, which CPUID leaves and which
    /// process variables to consider.
    ///
    /// ```
    /// use licentia::{EnvironmentKind, Probe};
    /// let dir = tempfile::tempdir().unwrap();
    /// std::fs::write(dir.path().join(".dockerenv"), "").unwrap();
    /// let seen = Probe::under(dir.path()).run();
    /// assert!(seen.is_container());
    /// assert_eq!(seen.evidence(EnvironmentKind::Container), "file./.dockerenv: present");
    /// ```
    #[derive(Debug, Clone)]
    pub struct Probe {
        root: PathBuf,
        cpuid: Option<CpuidLeaves>,
        variables: Vec<(String, String)>,
    }

    impl Probe {
        /// This machine: the root `/`, the processor's CPUID and the
        /// process's variables.
        pub fn this_machine() -> Probe {
            Probe {
                root: PathBuf::from("/"),
                cpuid: CpuidLeaves::read(),
                variables: ["container", "KUBERNETES_SERVICE_HOST"]
                    .into_iter()
                    .filter_map(|name| Some((name.to_owned(), std::env::var(name).ok()?)))
                    .collect(),
            }
        }

        /// A tree under `root` (a fake one, a chroot's): no CPUID, no
        /// process variables unless given.
        pub fn under(root: impl Into<PathBuf>) -> Probe {
            Probe {
                root: root.into(),
                cpuid: None,
                variables: Vec::new(),
            }
        }

        /// Uses these CPUID leaves (`None`: none).
        pub fn cpuid(mut self, leaves: Option<CpuidLeaves>) -> Probe {
            self.cpuid = leaves;
            self
        }

        /// Considers a process variable (`container`, `KUBERNETES_SERVICE_HOST`).
        pub fn variable(mut self, name: &str, value: &str) -> Probe {
            self.variables.push((name.to_owned(), value.to_owned()));
            self
        }

        /// Looks, and reports every signal seen. Never fails: an unreadable
        /// file is a signal not seen.
        pub fn run(&self) -> Environment {
            let mut out = Vec::new();
            self.cpuid_signals(&mut out);
            self.dmi_signals(&mut out);
            self.cpuinfo_signal(&mut out);
            self.container_signals(&mut out);
            Environment::from_signals(out)
        }

        fn path(&self, absolute: &str) -> PathBuf {
            self.root.join(absolute.trim_start_matches('/'))
        }

        /// The first `limit` bytes of a file, lossily as text.
        fn read(&self, absolute: &str, limit: u64) -> Option<String> {
            let mut bytes = Vec::new();
            std::fs::File::open(self.path(absolute))
                .ok()?
                .take(limit)
                .read_to_end(&mut bytes)
                .ok()?;
            Some(String::from_utf8_lossy(&bytes).into_owned())
        }

        fn cpuid_signals(&self, out: &mut Vec<Signal>) {
            let Some(leaves) = self.cpuid.filter(|l| l.hypervisor_bit) else {
                return;
            };
            let vm = EnvironmentKind::VirtualMachine;
            out.push(Signal::new(vm, "cpuid.hypervisor", "leaf 1 ECX bit 31 set"));
            let vendor: String = String::from_utf8_lossy(&leaves.vendor)
                .chars()
                .filter(|c| !c.is_control())
                .collect();
            if !vendor.trim().is_empty() {
                out.push(Signal::new(vm, "cpuid.vendor", clip(vendor.trim())));
            }
        }

        fn dmi_signals(&self, out: &mut Vec<Signal>) {
            for file in DMI_FILES {
                let Some(text) = self.read(&format!("/sys/class/dmi/id/{file}"), MAX_READ) else {
                    continue;
                };
                let value = text.lines().next().unwrap_or("").trim();
                let lower = value.to_ascii_lowercase();
                if DMI_MARKERS.iter().any(|m| lower.contains(m)) {
                    out.push(Signal::new(
                        EnvironmentKind::VirtualMachine,
                        format!("dmi.{file}"),
                        clip(value),
                    ));
                }
            }
        }

        fn cpuinfo_signal(&self, out: &mut Vec<Signal>) {
            let Some(text) = self.read("/proc/cpuinfo", MAX_CPUINFO) else {
                return;
            };
            let flagged = text
                .lines()
                .filter(|l| l.starts_with("flags"))
                .any(|l| l.split_whitespace().any(|w| w == "hypervisor"));
            if flagged {
                out.push(Signal::new(
                    EnvironmentKind::VirtualMachine,
                    "cpuinfo.hypervisor",
                    "flag set",
                ));
            }
        }

        fn container_signals(&self, out: &mut Vec<Signal>) {
            let container = EnvironmentKind::Container;
            for marker in ["/.dockerenv", "/run/.containerenv"] {
                if self.path(marker).exists() {
                    out.push(Signal::new(container, format!("file.{marker}"), "present"));
                }
            }
            for (name, file) in [
                ("cgroup.pid1", "/proc/1/cgroup"),
                ("cgroup.self", "/proc/self/cgroup"),
            ] {
                let Some(text) = self.read(file, MAX_READ) else {
                    continue;
                };
                let line = text.lines().find(|l| {
                    let lower = l.to_ascii_lowercase();
                    CGROUP_MARKERS.iter().any(|m| lower.contains(m))
                });
                if let Some(line) = line {
                    out.push(Signal::new(container, name, clip(line)));
                }
            }
            // Readable only by the same user as PID 1 (or root): often absent.
            if let Some(text) = self.read("/proc/1/environ", MAX_READ) {
                if let Some(value) = text
                    .split('\0')
                    .find_map(|v| v.strip_prefix("container="))
                    .filter(|v| !v.is_empty())
                {
                    out.push(Signal::new(container, "environ.pid1", clip(value)));
                }
            }
            for (name, value) in &self.variables {
                if matches!(name.as_str(), "container" | "KUBERNETES_SERVICE_HOST")
                    && !value.is_empty()
                {
                    out.push(Signal::new(container, format!("env.{name}"), clip(value)));
                }
            }
        }
    }

    fn clip(value: &str) -> String {
        value
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .take(MAX_SAW)
            .collect()
    }

    impl Environment {
        /// This machine, probed once per process and kept: what the check
        /// uses when a licence restricts the environment and the context
        /// gives none. The environment does not change under a running
        /// process (a live migration aside).
        pub fn this_machine() -> &'static Environment {
            static SEEN: OnceLock<Environment> = OnceLock::new();
            SEEN.get_or_init(|| Probe::this_machine().run())
        }

        /// Probes the tree under `root` (see [`Probe::under`]).
        pub fn probe_under(root: &Path) -> Environment {
            Probe::under(root).run()
        }
    }
}

#[cfg(all(test, feature = "std"))]
mod tests {
    use super::*;
    use std::path::Path;

    fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let at = dir.path().join(path.trim_start_matches('/'));
            std::fs::create_dir_all(at.parent().unwrap()).unwrap();
            std::fs::write(at, text).unwrap();
        }
        dir
    }

    fn names(env: &Environment) -> Vec<String> {
        env.signals.iter().map(|s| s.name.to_string()).collect()
    }

    #[test]
    fn docker_is_a_container_by_its_marker_and_cgroup() {
        let root = tree(&[
            ("/.dockerenv", ""),
            ("/proc/self/cgroup", "0::/docker/3f4a9c\n"),
            ("/proc/1/cgroup", "0::/\n"),
        ]);
        let env = Probe::under(root.path()).run();
        assert!(env.is_container() && !env.is_virtual_machine());
        assert_eq!(names(&env), ["file./.dockerenv", "cgroup.self"]);
        assert_eq!(env.signals[1].saw, "0::/docker/3f4a9c");
    }

    #[test]
    fn podman_kubernetes_and_lxc() {
        let podman = tree(&[("/run/.containerenv", "engine=\"podman-4.9\"\n")]);
        let env = Probe::under(podman.path())
            .variable("container", "podman")
            .run();
        assert_eq!(names(&env), ["file./run/.containerenv", "env.container"]);

        let pod = tree(&[(
            "/proc/1/cgroup",
            "12:memory:/kubepods/burstable/pod8d1c/abc\n",
        )]);
        let env = Probe::under(pod.path())
            .variable("KUBERNETES_SERVICE_HOST", "10.96.0.1")
            .run();
        assert_eq!(names(&env), ["cgroup.pid1", "env.KUBERNETES_SERVICE_HOST"]);
        assert!(env
            .evidence(EnvironmentKind::Container)
            .contains("kubepods"));

        let lxc = tree(&[("/proc/1/environ", "PATH=/bin\0container=lxc\0TERM=xterm\0")]);
        let env = Probe::under(lxc.path()).run();
        assert_eq!(
            env.evidence(EnvironmentKind::Container),
            "environ.pid1: lxc"
        );
    }

    #[test]
    fn a_qemu_guest_by_dmi_cpuinfo_and_cpuid() {
        let root = tree(&[
            ("/sys/class/dmi/id/sys_vendor", "QEMU\n"),
            (
                "/sys/class/dmi/id/product_name",
                "Standard PC (Q35 + ICH9, 2009)\n",
            ),
            ("/sys/class/dmi/id/bios_vendor", "SeaBIOS\n"),
            (
                "/proc/cpuinfo",
                "processor\t: 0\nflags\t\t: fpu vme hypervisor lahf_lm\n",
            ),
        ]);
        let leaves = CpuidLeaves {
            hypervisor_bit: true,
            vendor: *b"KVMKVMKVM\0\0\0",
        };
        let env = Probe::under(root.path()).cpuid(Some(leaves)).run();
        assert!(env.is_virtual_machine() && !env.is_container());
        assert_eq!(
            env.evidence(EnvironmentKind::VirtualMachine),
            "cpuid.hypervisor: leaf 1 ECX bit 31 set; cpuid.vendor: KVMKVMKVM; \
             dmi.sys_vendor: QEMU; cpuinfo.hypervisor: flag set"
        );
        // Hyper-V by its product name; a Surface laptop's vendor alone is not a VM.
        let hyperv = tree(&[
            ("/sys/class/dmi/id/sys_vendor", "Microsoft Corporation\n"),
            ("/sys/class/dmi/id/product_name", "Virtual Machine\n"),
        ]);
        assert_eq!(
            names(&Environment::probe_under(hyperv.path())),
            ["dmi.product_name"]
        );
        let surface = tree(&[
            ("/sys/class/dmi/id/sys_vendor", "Microsoft Corporation\n"),
            ("/sys/class/dmi/id/product_name", "Surface Laptop 5\n"),
        ]);
        assert_eq!(
            Environment::probe_under(surface.path()),
            Environment::default()
        );
    }

    #[test]
    fn bare_metal_and_unreadable_trees_show_nothing() {
        let metal = tree(&[
            ("/sys/class/dmi/id/sys_vendor", "Dell Inc.\n"),
            ("/sys/class/dmi/id/product_name", "PowerEdge R650\n"),
            ("/proc/cpuinfo", "processor\t: 0\nflags\t\t: fpu vme sse2\n"),
            ("/proc/1/cgroup", "0::/init.scope\n"),
            (
                "/proc/self/cgroup",
                "0::/user.slice/user-1000.slice/session-2.scope\n",
            ),
            ("/proc/1/environ", "PATH=/bin\0"),
        ]);
        let bit_clear = CpuidLeaves {
            hypervisor_bit: false,
            vendor: *b"KVMKVMKVM\0\0\0",
        };
        let env = Probe::under(metal.path()).cpuid(Some(bit_clear)).run();
        assert_eq!(env, Environment::default());
        assert!(Environment::probe_under(Path::new("/nonexistent/licentia"))
            .signals
            .is_empty());
    }

    #[test]
    fn garbage_and_huge_files_are_read_bounded() {
        let long = format!("{}docker\n", "x".repeat(10_000));
        let root = tree(&[
            ("/proc/self/cgroup", long.as_str()),
            ("/sys/class/dmi/id/sys_vendor", "\u{1}\u{7f}QEMU\u{0}\n"),
            ("/proc/1/environ", "container="),
        ]);
        let env = Probe::under(root.path()).run();
        // The marker past the first 4 KiB is not seen; control characters
        // never reach a message; an empty `container=` says nothing.
        assert_eq!(names(&env), ["dmi.sys_vendor"]);
        assert!(env.signals[0].saw.chars().all(|c| !c.is_control()));
        let invalid_utf8 = tree(&[("/proc/1/cgroup", "")]);
        std::fs::write(
            invalid_utf8.path().join("proc/1/cgroup"),
            b"\xff\xfe/lxc/\xc3",
        )
        .unwrap();
        assert_eq!(
            names(&Probe::under(invalid_utf8.path()).run()),
            ["cgroup.pid1"]
        );
    }

    #[test]
    fn terms_default_to_allowing_both() {
        let terms = EnvironmentTerms::default();
        assert!(!terms.restricts());
        let no_vm = EnvironmentTerms {
            virtual_machines: false,
            ..terms
        };
        assert!(no_vm.restricts() && !no_vm.allows(EnvironmentKind::VirtualMachine));
        assert!(no_vm.allows(EnvironmentKind::Container));
    }
}
