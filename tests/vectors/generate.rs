//! The test-vector generator, shared by `examples/make_vectors.rs` (which
//! writes the files) and `tests/vectors.rs` (which regenerates them in memory
//! and compares them with the committed bytes).
//!
//! Everything is fixed: seed keys, license ids, times, and fingerprints made
//! of vendor components, so the output does not depend on the machine or the
//! clock. Ed25519 signatures are deterministic, so the same inputs always give
//! the same bytes.
//!
//! The expectations written to `verdicts.txt`, `revoked.txt` and `errors.txt`
//! are stated here by hand, not computed by the library: the replay in
//! `tests/vectors.rs` holds the library to them.

use std::collections::BTreeMap;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use curve25519_dalek::{EdwardsPoint, Scalar};
use licentia::activation::LicenseRef;
use licentia::format::{self, DocumentKind, Envelope, HEADER_LEN, MAX_ENVELOPE_LEN, MAX_TEXT_LEN};
use licentia::keys::SIGNATURE_LEN;
use licentia::{
    ActivationRequest, Binding, CatalogueBody, Component, ComponentKind, DeactivationRequest,
    Entitlement, Fingerprint, Issuer, LicenseBody, LicenseBuilder, LicenseId, MatchRule,
    ProductRelease, Release, ReleaseKind, RenewalAction, RevocationBody, SigningKey, Timestamp,
    Verifier,
};
use sha2::{Digest, Sha512};

/// The product every vector is for.
const PRODUCT: &str = "acme-cad";

/// Every generated file, by path relative to `tests/vectors`.
pub fn generate() -> BTreeMap<String, Vec<u8>> {
    let mut g = Generator::default();
    g.keys();
    g.licenses();
    g.verdicts();
    g.environments();
    g.documents();
    g.invalid();
    g.finish()
}

fn t(text: &str) -> Timestamp {
    Timestamp::parse(text).expect("a fixed time")
}

fn id(n: u8) -> LicenseId {
    let mut bytes = [0u8; 16];
    bytes[0] = 0x1c;
    bytes[15] = n;
    LicenseId(bytes)
}

fn issuer_key() -> SigningKey {
    SigningKey::from_seed(&[0x11; 32])
}

fn other_key() -> SigningKey {
    SigningKey::from_seed(&[0x22; 32])
}

fn new_key() -> SigningKey {
    SigningKey::from_seed(&[0x33; 32])
}

/// A machine made of three vendor components, so it is the same everywhere.
fn machine(serial: &str, board: &str, disk: &str) -> Fingerprint {
    Fingerprint::builder(PRODUCT)
        .vendor("serial", serial)
        .vendor("board", board)
        .vendor("disk", disk)
        .build()
        .expect("three non-empty components")
}

struct Machines {
    /// The licensed machine.
    a: Fingerprint,
    /// `a` with its disk changed (2 of 3 components match).
    a_one_changed: Fingerprint,
    /// `a` with board and disk changed (1 of 3 match).
    a_two_changed: Fingerprint,
    /// Another machine entirely.
    b: Fingerprint,
    /// A replacement machine, for the temporary license.
    c: Fingerprint,
}

impl Machines {
    fn new() -> Machines {
        Machines {
            a: machine("SN-0001", "BRD-0001", "DSK-0001"),
            a_one_changed: machine("SN-0001", "BRD-0001", "DSK-9999"),
            a_two_changed: machine("SN-0001", "BRD-9999", "DSK-9999"),
            b: machine("SN-0002", "BRD-0002", "DSK-0002"),
            c: machine("SN-0003", "BRD-0003", "DSK-0003"),
        }
    }
}

struct Generator {
    files: BTreeMap<String, Vec<u8>>,
    issuer: Issuer,
    verifier: Verifier,
    verdicts: String,
    revoked: String,
    errors: String,
    /// The armored text of each license, by name.
    licenses: BTreeMap<&'static str, String>,
}

impl Default for Generator {
    fn default() -> Generator {
        let issuer = Issuer::new(issuer_key());
        let verifier = Verifier::new([issuer.public_key().clone()]);
        Generator {
            files: BTreeMap::new(),
            issuer,
            verifier,
            verdicts: String::from(
                "# FILE NOW PRODUCT MACHINE RELEASE USER STATE CODES\n\
                 # Each line: verify FILE with keys/issuer.pub, check it against the rest,\n\
                 # expect STATE and exactly the finding CODES (ascending). See README.md.\n",
            ),
            revoked: String::from(
                "# LIST FILE NOW PRODUCT MACHINE RELEASE USER STATE CODES\n\
                 # A verdicts.txt line with a revocation list in front: verify LIST with\n\
                 # keys/issuer.pub for product PRODUCT and put it in the check's context.\n",
            ),
            errors: String::from(
                "# FILE CODE NAME\n\
                 # Verifying FILE as a license with keys/issuer.pub fails with error CODE.\n",
            ),
            licenses: BTreeMap::new(),
        }
    }
}

impl Generator {
    fn put(&mut self, path: &str, bytes: impl Into<Vec<u8>>) {
        let previous = self.files.insert(path.to_owned(), bytes.into());
        assert!(previous.is_none(), "{path} generated twice");
    }

    fn finish(mut self) -> BTreeMap<String, Vec<u8>> {
        let verdicts = std::mem::take(&mut self.verdicts);
        let revoked = std::mem::take(&mut self.revoked);
        let errors = std::mem::take(&mut self.errors);
        self.put("verdicts.txt", verdicts);
        self.put("revoked.txt", revoked);
        self.put("errors.txt", errors);
        self.files
    }

    fn keys(&mut self) {
        for (name, key) in [
            ("issuer", issuer_key()),
            ("other", other_key()),
            ("new", new_key()),
        ] {
            let public = key.public_key();
            self.put(&format!("keys/{name}.pub"), public.to_pem());
            self.put(
                &format!("keys/{name}.raw"),
                format!("{}\n", hex(&public.to_bytes())),
            );
        }
        self.put("keys/issuer.key", issuer_key().to_pem().as_bytes());
        // The identity point: of small order, so every verifier must refuse it.
        let mut small_order = [0u8; 32];
        small_order[0] = 1;
        self.put("keys/small_order.raw", format!("{}\n", hex(&small_order)));
        // SPKI for Ed25519 is this fixed 12-byte prefix and the raw key.
        let mut spki = vec![
            0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
        ];
        spki.extend_from_slice(&small_order);
        self.put(
            "keys/small_order.pub",
            format!(
                "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
                STANDARD.encode(spki)
            ),
        );
    }

    fn base(&self, n: u8, licensee: &str) -> LicenseBuilder {
        LicenseBody::builder(PRODUCT, licensee)
            .id(id(n))
            .issued_at(t("2026-01-01T00:00:00Z"))
    }

    /// Signs `body` and stores it as `licenses/<name>.lic` (and `.compact`).
    fn license(&mut self, name: &'static str, body: LicenseBody, with_compact: bool) {
        let envelope = self.issuer.issue(&body).expect("a valid vector license");
        let armor = envelope.to_armor();
        self.put(&format!("licenses/{name}.lic"), armor.clone());
        if with_compact {
            self.put(
                &format!("licenses/{name}.compact"),
                format!("{}\n", envelope.to_compact()),
            );
        }
        self.licenses.insert(name, armor);
    }

    fn licenses(&mut self) {
        let m = Machines::new();
        let unbound = self
            .base(1, "Jane Doe")
            .email("jane@example.com")
            .feature("export")
            .build()
            .unwrap();
        self.license("unbound", unbound, true);
        // The same bytes with CRLF line ends: readers must accept it.
        let crlf = self.licenses["unbound"].replace('\n', "\r\n");
        self.put("licenses/unbound_crlf.lic", crlf);

        for (n, name, rule) in [
            (2, "node_locked_all", MatchRule::All),
            (3, "node_locked_most", MatchRule::Most),
            (4, "node_locked_two", MatchRule::Two),
            (5, "node_locked_any", MatchRule::Any),
        ] {
            let body = self
                .base(n, "Jane Doe")
                .node_locked(vec![m.a.clone()], rule)
                .build()
                .unwrap();
            self.license(name, body, false);
        }
        let two_machines = self
            .base(6, "Jane Doe")
            .node_locked(vec![m.a.clone(), m.b.clone()], MatchRule::All)
            .build()
            .unwrap();
        self.license("node_locked_two_machines", two_machines, false);

        let floating = self
            .base(7, "Acme Corp")
            .binding(Binding::Floating { max_machines: 5 })
            .seats(5)
            .build()
            .unwrap();
        self.license("floating", floating, false);

        let named = self
            .base(8, "Acme Corp")
            .binding(Binding::NamedUser {
                user: "jdoe".into(),
            })
            .build()
            .unwrap();
        self.license("named_user", named, false);

        let trial = self
            .base(9, "Jane Doe")
            .trial()
            .hard_expiry(t("2026-01-31T00:00:00Z"))
            .feature("export")
            .build()
            .unwrap();
        self.license("trial", trial, true);

        let temporary = self
            .base(10, "Jane Doe")
            .temporary(id(2))
            .node_locked(vec![m.c.clone()], MatchRule::All)
            .hard_expiry(t("2026-01-08T00:00:00Z"))
            .build()
            .unwrap();
        self.license("temporary", temporary, false);

        let terms = self
            .base(11, "Jane Doe")
            .valid_from(t("2026-02-01T00:00:00Z"))
            .soft_expiry(t("2026-11-01T00:00:00Z"))
            .hard_expiry(t("2026-12-01T00:00:00Z"))
            .grace_days(14)
            .build()
            .unwrap();
        self.license("terms", terms, false);

        let maintenance = self
            .base(12, "Jane Doe")
            .updates_until(t("2026-07-01T00:00:00Z"))
            .build()
            .unwrap();
        self.license("maintenance", maintenance, false);

        let check_in = self
            .base(13, "Jane Doe")
            .check_in_days(30, 7)
            .build()
            .unwrap();
        self.license("check_in", check_in, false);

        let typical = self
            .base(14, "Jane Doe")
            .email("jane@example.com")
            .node_locked(vec![m.a.clone()], MatchRule::Two)
            .soft_expiry(t("2026-12-01T00:00:00Z"))
            .hard_expiry(t("2027-01-01T00:00:00Z"))
            .grace_days(14)
            .feature("export")
            .feature("render")
            .entitlement(Entitlement::parse("seats=5").unwrap())
            .build()
            .unwrap();
        self.license("typical", typical, true);

        let full = self
            .base(15, "Société Exemplaire, Zürich")
            .email("licences@exemple.ch")
            .customer_ref("CUST-00042")
            .node_locked(vec![m.a.clone(), m.b.clone()], MatchRule::Most)
            .seats(25)
            .entitlement(Entitlement::parse("render=8@2026-09-01").unwrap())
            .feature("export")
            .entitlement(Entitlement::parse("users=25").unwrap())
            .metadata("edition", "enterprise")
            .metadata("region", "eu-west")
            .metadata("note", "")
            .valid_from(t("2026-01-01T00:00:00Z"))
            .soft_expiry(t("2026-12-01T00:00:00Z"))
            .hard_expiry(t("2027-01-01T00:00:00Z"))
            .grace_days(30)
            .updates_until(t("2026-10-01T00:00:00Z"))
            .check_in_days(30, 14)
            .build()
            .unwrap();
        self.license("full", full, true);

        // Format version 2: the environment terms. (A licence allowing both
        // is version 1, as every one above.)
        for (n, name, vms, containers) in [
            (16, "no_virtual_machines", false, true),
            (17, "no_containers", true, false),
            (18, "physical_only", false, false),
        ] {
            let body = self
                .base(n, "Jane Doe")
                .virtual_machines(vms)
                .containers(containers)
                .build()
                .unwrap();
            self.license(name, body, name == "no_virtual_machines");
        }

        // Format version 3: the meters, consumable quotas the back office
        // counts (a licence without is version 1 or 2, as every one above).
        let metered = self
            .base(19, "Jane Doe")
            .meter("api_calls=10000/month".parse().unwrap())
            .meter("renders=50/term".parse().unwrap())
            .build()
            .unwrap();
        self.license("metered", metered, false);
    }

    #[allow(clippy::too_many_arguments)]
    fn verdict(
        &mut self,
        file: &str,
        now: &str,
        product: &str,
        machine: Option<&Fingerprint>,
        release: Option<&str>,
        user: Option<&str>,
        state: &str,
        codes: &str,
    ) {
        let line = verdict_line(file, now, product, machine, release, user, state, codes);
        self.verdicts.push_str(&line);
    }

    fn verdicts(&mut self) {
        let m = Machines::new();
        let (a, a1, a2, b, c) = (
            Some(&m.a),
            Some(&m.a_one_changed),
            Some(&m.a_two_changed),
            Some(&m.b),
            Some(&m.c),
        );
        type Line<'a> = (
            &'a str,
            &'a str,
            &'a str,
            Option<&'a Fingerprint>,
            Option<&'a str>,
            Option<&'a str>,
            &'a str,
            &'a str,
        );
        const V: &str = "valid";
        const W: &str = "valid_with_warnings";
        const I: &str = "invalid";
        // One line per check, as in the file: easier to read than rustfmt's layout.
        #[rustfmt::skip]
        let lines: Vec<(&str, Vec<Line>)> = vec![
            (
                "unbound: any machine, any time after issue (less the 600 s clock tolerance)",
                vec![
                    ("licenses/unbound.lic", "2026-06-01T00:00:00Z", PRODUCT, None, None, None, V, "-"),
                    ("licenses/unbound.compact", "2026-06-01T00:00:00Z", PRODUCT, b, None, None, V, "-"),
                    ("licenses/unbound_crlf.lic", "2026-06-01T00:00:00Z", PRODUCT, None, None, None, V, "-"),
                    ("licenses/unbound.lic", "2036-06-01T00:00:00Z", PRODUCT, None, Some("2036-01-01T00:00:00Z"), Some("anyone"), V, "-"),
                    ("licenses/unbound.lic", "2026-06-01T00:00:00Z", "acme-cam", None, None, None, I, "101"),
                    ("licenses/unbound.lic", "2025-12-31T23:50:00Z", PRODUCT, None, None, None, V, "-"),
                    ("licenses/unbound.lic", "2025-12-31T23:49:59Z", PRODUCT, None, None, None, I, "104"),
                    ("licenses/unbound.lic", "2025-12-31T23:49:59Z", "other", None, None, None, I, "101,104"),
                ],
            ),
            (
                "metered (format v3): meters change no verdict (the back office counts them)",
                vec![
                    ("licenses/metered.lic", "2026-06-01T00:00:00Z", PRODUCT, None, None, None, V, "-"),
                    ("licenses/metered.lic", "2026-06-01T00:00:00Z", "acme-cam", None, None, None, I, "101"),
                ],
            ),
            (
                "node-locked to machine a (3 components) under each match rule",
                vec![
                    ("licenses/node_locked_all.lic", "2026-06-01T00:00:00Z", PRODUCT, a, None, None, V, "-"),
                    ("licenses/node_locked_all.lic", "2026-06-01T00:00:00Z", PRODUCT, a1, None, None, I, "105"),
                    ("licenses/node_locked_all.lic", "2026-06-01T00:00:00Z", PRODUCT, b, None, None, I, "105"),
                    ("licenses/node_locked_all.lic", "2026-06-01T00:00:00Z", PRODUCT, None, None, None, I, "105"),
                    ("licenses/node_locked_most.lic", "2026-06-01T00:00:00Z", PRODUCT, a, None, None, V, "-"),
                    ("licenses/node_locked_most.lic", "2026-06-01T00:00:00Z", PRODUCT, a1, None, None, V, "-"),
                    ("licenses/node_locked_most.lic", "2026-06-01T00:00:00Z", PRODUCT, a2, None, None, I, "105"),
                    ("licenses/node_locked_two.lic", "2026-06-01T00:00:00Z", PRODUCT, a1, None, None, V, "-"),
                    ("licenses/node_locked_two.lic", "2026-06-01T00:00:00Z", PRODUCT, a2, None, None, I, "105"),
                    ("licenses/node_locked_any.lic", "2026-06-01T00:00:00Z", PRODUCT, a2, None, None, V, "-"),
                    ("licenses/node_locked_any.lic", "2026-06-01T00:00:00Z", PRODUCT, b, None, None, I, "105"),
                    ("licenses/node_locked_two_machines.lic", "2026-06-01T00:00:00Z", PRODUCT, a, None, None, V, "-"),
                    ("licenses/node_locked_two_machines.lic", "2026-06-01T00:00:00Z", PRODUCT, b, None, None, V, "-"),
                    ("licenses/node_locked_two_machines.lic", "2026-06-01T00:00:00Z", PRODUCT, c, None, None, I, "105"),
                    ("licenses/node_locked_two_machines.lic", "2026-06-01T00:00:00Z", PRODUCT, a1, None, None, I, "105"),
                ],
            ),
            (
                "floating: not bound offline (the back office counts machines)",
                vec![
                    ("licenses/floating.lic", "2026-06-01T00:00:00Z", PRODUCT, None, None, None, V, "-"),
                    ("licenses/floating.lic", "2026-06-01T00:00:00Z", PRODUCT, c, None, None, V, "-"),
                    ("licenses/floating.lic", "2026-06-01T00:00:00Z", "other", c, None, None, I, "101"),
                ],
            ),
            (
                "named user jdoe",
                vec![
                    ("licenses/named_user.lic", "2026-06-01T00:00:00Z", PRODUCT, None, None, Some("jdoe"), V, "-"),
                    ("licenses/named_user.lic", "2026-06-01T00:00:00Z", PRODUCT, None, None, Some("alice"), I, "106"),
                    ("licenses/named_user.lic", "2026-06-01T00:00:00Z", PRODUCT, None, None, None, I, "106"),
                ],
            ),
            (
                "trial: hard expiry 2026-01-31, no grace",
                vec![
                    ("licenses/trial.lic", "2026-01-30T23:59:59Z", PRODUCT, None, None, None, V, "-"),
                    ("licenses/trial.compact", "2026-01-30T23:59:59Z", PRODUCT, None, None, None, V, "-"),
                    ("licenses/trial.lic", "2026-01-31T00:00:00Z", PRODUCT, None, None, None, I, "108"),
                    ("licenses/trial.compact", "2026-01-31T00:00:00Z", PRODUCT, None, None, None, I, "108"),
                ],
            ),
            (
                "temporary: stands in for node_locked_all on machine c until 2026-01-08",
                vec![
                    ("licenses/temporary.lic", "2026-01-07T23:59:59Z", PRODUCT, c, None, None, V, "-"),
                    ("licenses/temporary.lic", "2026-01-08T00:00:00Z", PRODUCT, c, None, None, I, "108"),
                    ("licenses/temporary.lic", "2026-01-07T23:59:59Z", PRODUCT, a, None, None, I, "105"),
                    ("licenses/temporary.lic", "2026-01-08T00:00:00Z", PRODUCT, a, None, None, I, "105,108"),
                ],
            ),
            (
                "terms: valid from 2026-02-01, soft 2026-11-01, hard 2026-12-01, 14 days of grace",
                vec![
                    ("licenses/terms.lic", "2026-01-31T23:59:59Z", PRODUCT, None, None, None, I, "103"),
                    ("licenses/terms.lic", "2026-02-01T00:00:00Z", PRODUCT, None, None, None, V, "-"),
                    ("licenses/terms.lic", "2026-10-31T23:59:59Z", PRODUCT, None, None, None, V, "-"),
                    ("licenses/terms.lic", "2026-11-01T00:00:00Z", PRODUCT, None, None, None, W, "201"),
                    ("licenses/terms.lic", "2026-11-30T23:59:59Z", PRODUCT, None, None, None, W, "201"),
                    ("licenses/terms.lic", "2026-12-01T00:00:00Z", PRODUCT, None, None, None, W, "202"),
                    ("licenses/terms.lic", "2026-12-14T23:59:59Z", PRODUCT, None, None, None, W, "202"),
                    ("licenses/terms.lic", "2026-12-15T00:00:00Z", PRODUCT, None, None, None, I, "108"),
                    ("licenses/terms.lic", "2025-12-31T23:49:59Z", PRODUCT, None, None, None, I, "103,104"),
                    ("licenses/terms.lic", "2026-12-15T00:00:00Z", "other", None, None, None, I, "101,108"),
                ],
            ),
            (
                "maintenance: updates until 2026-07-01; older releases keep working",
                vec![
                    ("licenses/maintenance.lic", "2030-01-01T00:00:00Z", PRODUCT, None, Some("2026-07-01T00:00:00Z"), None, V, "-"),
                    ("licenses/maintenance.lic", "2030-01-01T00:00:00Z", PRODUCT, None, Some("2026-07-01T00:00:01Z"), None, I, "107"),
                    ("licenses/maintenance.lic", "2030-01-01T00:00:00Z", PRODUCT, None, None, None, V, "-"),
                ],
            ),
            (
                "check-in every 30 days, then 7 days offline; the last check-in is the issue time",
                vec![
                    ("licenses/check_in.lic", "2026-01-30T23:59:59Z", PRODUCT, None, None, None, V, "-"),
                    ("licenses/check_in.lic", "2026-01-31T00:00:00Z", PRODUCT, None, None, None, W, "203"),
                    ("licenses/check_in.lic", "2026-02-06T23:59:59Z", PRODUCT, None, None, None, W, "203"),
                    ("licenses/check_in.lic", "2026-02-07T00:00:00Z", PRODUCT, None, None, None, I, "109"),
                ],
            ),
            (
                "typical: node-locked (rule two), soft 2026-12-01, hard 2027-01-01, 14 days of grace, 3 features",
                vec![
                    ("licenses/typical.lic", "2026-06-01T00:00:00Z", PRODUCT, a1, None, None, V, "-"),
                    ("licenses/typical.compact", "2026-06-01T00:00:00Z", PRODUCT, a, None, None, V, "-"),
                    ("licenses/typical.lic", "2026-12-20T00:00:00Z", PRODUCT, a, None, None, W, "201"),
                    ("licenses/typical.lic", "2027-01-05T00:00:00Z", PRODUCT, a, None, None, W, "202"),
                    ("licenses/typical.lic", "2027-01-05T00:00:00Z", PRODUCT, b, None, None, I, "105,202"),
                ],
            ),
            (
                "full: every field; check-in every 30 days + 14 offline, updates until 2026-10-01",
                vec![
                    ("licenses/full.lic", "2026-01-15T00:00:00Z", PRODUCT, a, Some("2026-01-01T00:00:00Z"), None, V, "-"),
                    ("licenses/full.compact", "2026-01-15T00:00:00Z", PRODUCT, b, Some("2026-01-01T00:00:00Z"), None, V, "-"),
                    ("licenses/full.lic", "2026-02-05T00:00:00Z", PRODUCT, a1, None, None, W, "203"),
                    ("licenses/full.lic", "2027-01-10T00:00:00Z", "acme-cam", c, Some("2026-12-01T00:00:00Z"), None, I, "101,105,107,109,202"),
                ],
            ),
        ];
        for (comment, group) in lines {
            self.verdicts.push_str(&format!("\n# {comment}\n"));
            for (file, now, product, machine, release, user, state, codes) in group {
                self.verdict(file, now, product, machine, release, user, state, codes);
            }
        }
    }

    /// Fake roots for the environment probe, and the checks that use them:
    /// a verdicts.txt line with a ninth field, the root under
    /// `environments/` to probe (no CPUID, no process variables).
    fn environments(&mut self) {
        for (path, text) in [
            (
                "bare/proc/cpuinfo",
                "processor\t: 0\nflags\t\t: fpu vme sse2\n",
            ),
            ("bare/proc/1/cgroup", "0::/init.scope\n"),
            ("qemu/sys/class/dmi/id/sys_vendor", "QEMU\n"),
            (
                "qemu/proc/cpuinfo",
                "processor\t: 0\nflags\t\t: fpu vme hypervisor\n",
            ),
            ("docker/.dockerenv", ""),
            ("docker/proc/self/cgroup", "0::/docker/5b1f0a9e\n"),
            (
                "kubernetes/proc/1/cgroup",
                "0::/kubepods/burstable/pod8d1c/4e2a\n",
            ),
            ("docker_in_qemu/sys/class/dmi/id/product_name", "KVM\n"),
            ("docker_in_qemu/.dockerenv", ""),
        ] {
            self.put(&format!("environments/{path}"), text);
        }
        let (v, i) = ("valid", "invalid");
        let june = "2026-06-01T00:00:00Z";
        self.verdicts.push_str(
            "\n# environment terms (format v2): the ninth field is the root under environments/ to probe\n",
        );
        for (file, root, state, codes) in [
            ("licenses/unbound.lic", "docker_in_qemu", v, "-"),
            ("licenses/no_virtual_machines.lic", "bare", v, "-"),
            ("licenses/no_virtual_machines.lic", "qemu", i, "111"),
            ("licenses/no_virtual_machines.compact", "qemu", i, "111"),
            ("licenses/no_virtual_machines.lic", "docker", v, "-"),
            ("licenses/no_containers.lic", "qemu", v, "-"),
            ("licenses/no_containers.lic", "docker", i, "112"),
            ("licenses/no_containers.lic", "kubernetes", i, "112"),
            ("licenses/physical_only.lic", "bare", v, "-"),
            ("licenses/physical_only.lic", "docker_in_qemu", i, "111,112"),
        ] {
            let line = verdict_line(file, june, PRODUCT, None, None, None, state, codes);
            self.verdicts
                .push_str(&format!("{} {root}\n", line.trim_end()));
        }
    }

    fn documents(&mut self) {
        let m = Machines::new();
        // A lease: a floating seat checked out by machine a for eight hours.
        let lease = self
            .base(20, "Acme Corp")
            .issued_at(t("2026-03-01T00:00:00Z"))
            .node_locked(vec![m.a.clone()], MatchRule::All)
            .hard_expiry(t("2026-03-01T08:00:00Z"))
            .feature("export")
            .build()
            .unwrap();
        let lease = self.issuer.issue_lease(&lease).unwrap();
        self.put("documents/lease.lease", lease.to_armor());
        self.put(
            "documents/lease.compact",
            format!("{}\n", lease.to_compact()),
        );

        // Renewal tokens for licenses/terms.lic.
        let terms = self.verifier.verify(&self.licenses["terms"]).unwrap();
        let extend = self
            .issuer
            .renewal(
                &terms,
                RenewalAction::ExtendTo {
                    hard_expiry: t("2027-12-01T00:00:00Z"),
                    soft_expiry: Some(t("2027-11-01T00:00:00Z")),
                },
                t("2026-11-15T00:00:00Z"),
            )
            .unwrap();
        self.put("documents/renewal_extend.renewal", extend.to_armor());
        self.put(
            "documents/renewal_extend.compact",
            format!("{}\n", extend.to_compact()),
        );
        let feature = self
            .issuer
            .renewal(
                &terms,
                RenewalAction::AddEntitlement(Entitlement::parse("plugins=2@2027-06-01").unwrap()),
                t("2026-03-01T00:00:00Z"),
            )
            .unwrap();
        self.put("documents/renewal_feature.renewal", feature.to_armor());

        // A release catalogue, and a licence with maintenance to 2027-06-30:
        // it runs 3.1 (2027-05) and the 3.2 beta (2027-06), not 3.2 (2027-08).
        let release = |version: &str, date: &str, channel: &str| ProductRelease {
            channel: channel.into(),
            notes: format!("acme-cad {version}"),
            download_url: format!("https://downloads.example.com/acme-cad-{version}.tar.gz"),
            ..ProductRelease::new(version, t(date))
        };
        let catalogue = CatalogueBody {
            product: PRODUCT.into(),
            issued_at: t("2027-09-01T00:00:00Z"),
            releases: vec![
                release("3.0", "2026-11-03T00:00:00Z", "stable"),
                release("3.1", "2027-05-11T00:00:00Z", "stable"),
                release("3.2-beta.1", "2027-06-15T00:00:00Z", "beta"),
                release("3.2", "2027-08-17T00:00:00Z", "stable"),
            ],
        };
        let catalogue = self.issuer.release_catalogue(&catalogue).unwrap();
        self.put("documents/release_catalogue.releases", catalogue.to_armor());
        let maintained = self
            .base(23, "Jane Doe")
            .updates_until(t("2027-06-30T00:00:00Z"))
            .build()
            .unwrap();
        let maintained = self.issuer.issue(&maintained).unwrap();
        self.put("documents/release_catalogue.lic", maintained.to_armor());

        // Revocation lists: #1 revokes the floating license and machine b's
        // serial; #2 also revokes the named-user license.
        let serial_b = Component::new(ComponentKind::Vendor, PRODUCT, "serial", b"SN-0002").hash;
        let mut list = RevocationBody {
            product: PRODUCT.into(),
            sequence: 1,
            issued_at: t("2026-04-01T00:00:00Z"),
            licenses: vec![id(7)],
            machines: vec![serial_b],
            keys: vec![other_key().key_id()],
            released: Vec::new(),
        };
        let first = self.issuer.revocation_list(&list).unwrap();
        self.put("documents/revocation_1.revocation", first.to_armor());
        list.sequence = 2;
        list.issued_at = t("2026-05-01T00:00:00Z");
        list.licenses.push(id(8));
        let second = self.issuer.revocation_list(&list).unwrap();
        self.put("documents/revocation_2.revocation", second.to_armor());
        // Correctly signed, but its ids out of order: refused (malformed body),
        // since lookups in an unsorted list would miss entries.
        list.licenses.reverse();
        // Format version 1's body: the version 2 layout without its last
        // field (`released`, empty: one zero byte).
        let mut v1 = postcard::to_allocvec(&list).unwrap();
        assert_eq!(v1.pop(), Some(0));
        let unsorted = Envelope::seal(DocumentKind::RevocationList, &issuer_key(), v1).unwrap();
        self.put(
            "documents/revocation_unsorted.revocation",
            unsorted.to_armor(),
        );
        // #3 (format version 2): #2, and machine a gave node_locked_most
        // back (deactivated) on 2026-03-01.
        list.licenses.reverse();
        list.sequence = 3;
        list.issued_at = t("2026-05-15T00:00:00Z");
        list.released.push(Release {
            license: id(3),
            machine: Machines::new().a,
            kind: ReleaseKind::Deactivated,
            at: t("2026-03-01T00:00:00Z"),
        });
        let third = self.issuer.revocation_list(&list).unwrap();
        assert_eq!(third.version, 2);
        self.put("documents/revocation_3.revocation", third.to_armor());
        self.revoked_lines();

        // Key rollover: the issuer endorses keys/new.pub from 2026-01-01 on;
        // documents/rollover_license.lic is signed by the new key.
        let rollover = self
            .issuer
            .rollover(
                new_key().public_key(),
                Some(t("2026-01-01T00:00:00Z")),
                None,
                t("2026-02-01T00:00:00Z"),
            )
            .unwrap();
        self.put("documents/rollover.rollover", rollover.to_armor());
        let by_new_key = self
            .base(21, "Jane Doe")
            .issued_at(t("2026-03-01T00:00:00Z"))
            .build()
            .unwrap();
        let by_new_key = Issuer::new(new_key()).issue(&by_new_key).unwrap();
        self.put("documents/rollover_license.lic", by_new_key.to_armor());
        // The same statement signed by keys/other.pub, which no one trusts.
        let untrusted = Issuer::new(other_key())
            .rollover(
                new_key().public_key(),
                None,
                None,
                t("2026-02-01T00:00:00Z"),
            )
            .unwrap();
        self.put(
            "documents/rollover_untrusted.rollover",
            untrusted.to_armor(),
        );

        // Offline activation: machine a asks; the answer holds until 2026-03-08.
        let request = ActivationRequest {
            product: PRODUCT.into(),
            license: LicenseRef::Key("ACME-0001-0002-0003".into()),
            fingerprint: m.a.clone(),
            platform: "linux-x86_64".into(),
            created_at: t("2026-03-01T00:00:00Z"),
            nonce: [0x5a; 16],
        };
        self.put("documents/activation.request", request.to_armor());
        let activated = self
            .base(22, "Jane Doe")
            .issued_at(t("2026-03-01T01:00:00Z"))
            .node_locked(vec![m.a.clone()], MatchRule::Most)
            .feature("export")
            .build()
            .unwrap();
        let answer = self
            .issuer
            .answer_activation(&request, &activated, t("2026-03-08T00:00:00Z"))
            .unwrap();
        self.put("documents/activation.answer", answer.to_armor());

        // Offline deactivation: machine a gives node_locked_most back
        // (nonce 16 x 0xd3, written 2026-04-01); the receipt frees it at
        // 2026-04-02T00:00:00Z.
        let given_back = self
            .verifier
            .verify(&self.licenses["node_locked_most"])
            .unwrap();
        let request = DeactivationRequest {
            created_at: t("2026-04-01T00:00:00Z"),
            nonce: [0xd3; 16],
            ..DeactivationRequest::new(&given_back, m.a.clone(), t("2026-04-01T00:00:00Z"))
        };
        self.put("documents/deactivation.request", request.to_armor());
        let receipt = self
            .issuer
            .deactivation_receipt(&request, t("2026-04-02T00:00:00Z"))
            .unwrap();
        self.put("documents/deactivation.receipt", receipt.to_armor());

        // A usage report: machine a's third report of `metered`'s meters
        // (unsigned, the customer's statement), written 2026-06-30.
        let metered = self.verifier.verify(&self.licenses["metered"]).unwrap();
        let report = licentia::UsageReport::new(
            PRODUCT,
            metered.id,
            m.a.clone(),
            3,
            t("2026-06-30T00:00:00Z"),
            vec![
                licentia::UsageTotal::new("api_calls", 1234),
                licentia::UsageTotal::new("renders", 7),
            ],
        )
        .unwrap();
        self.put("documents/usage.report", report.to_armor());
    }

    fn revoked_lines(&mut self) {
        let m = Machines::new();
        let one = "documents/revocation_1.revocation";
        let two = "documents/revocation_2.revocation";
        let three = "documents/revocation_3.revocation";
        let now = "2026-06-01T00:00:00Z";
        let lines = [
            (one, "licenses/floating.lic", None, None, "invalid", "102"),
            (one, "licenses/unbound.lic", None, None, "valid", "-"),
            (
                one,
                "licenses/named_user.lic",
                None,
                Some("jdoe"),
                "valid",
                "-",
            ),
            (
                two,
                "licenses/named_user.lic",
                None,
                Some("jdoe"),
                "invalid",
                "102",
            ),
            (
                two,
                "licenses/named_user.lic",
                None,
                Some("alice"),
                "invalid",
                "102,106",
            ),
            (
                one,
                "licenses/node_locked_two_machines.lic",
                Some(&m.a),
                None,
                "valid",
                "-",
            ),
            (
                one,
                "licenses/node_locked_two_machines.lic",
                Some(&m.b),
                None,
                "invalid",
                "102",
            ),
            (
                one,
                "licenses/floating.lic",
                Some(&m.b),
                None,
                "invalid",
                "102",
            ),
            // A machine that gave its license back: refused there (110),
            // under the license's own match rule; other licenses on that
            // machine, and the license elsewhere, untouched.
            (
                three,
                "licenses/node_locked_most.lic",
                Some(&m.a),
                None,
                "invalid",
                "110",
            ),
            (
                three,
                "licenses/node_locked_most.lic",
                Some(&m.a_one_changed),
                None,
                "invalid",
                "110",
            ),
            (
                three,
                "licenses/node_locked_all.lic",
                Some(&m.a),
                None,
                "valid",
                "-",
            ),
            (
                three,
                "licenses/node_locked_two_machines.lic",
                Some(&m.a),
                None,
                "valid",
                "-",
            ),
        ];
        for (list, file, machine, user, state, codes) in lines {
            let line = verdict_line(file, now, PRODUCT, machine, None, user, state, codes);
            self.revoked.push_str(&format!("{list} {line}"));
        }
    }

    fn error(&mut self, name: &str, code: u32, text: impl Into<Vec<u8>>) {
        let file = format!("invalid/{name}.lic");
        self.errors.push_str(&format!("{file} {code} {name}\n"));
        self.put(&file, text);
    }

    fn invalid(&mut self) {
        let sample = Envelope::from_text(&self.licenses["unbound"], DocumentKind::License).unwrap();
        let bytes = sample.to_bytes();
        let armored = sample.to_armor();
        let kind = DocumentKind::License;
        let armor = |b: &[u8]| format::armor(kind, b);

        // --- text and armor (1001..1005)
        self.error(
            "text_too_large",
            1001,
            format!("{armored}{}", " ".repeat(MAX_TEXT_LEN + 1 - armored.len())),
        );
        let mut huge = vec![0u8; MAX_ENVELOPE_LEN + 1];
        huge[..2].copy_from_slice(&[1, 1]);
        self.error("envelope_too_large", 1001, armor(&huge));
        self.error("not_licentia_text", 1002, "This is not a license.\n");
        self.error(
            "armor_label_unknown",
            1002,
            armored.replace("LICENTIA LICENSE", "LICENTIA PERMIT"),
        );
        let unterminated = armored.lines().take(3).collect::<Vec<_>>().join("\n");
        self.error("armor_unterminated", 1003, format!("{unterminated}\n"));
        self.error(
            "armor_end_label_mismatch",
            1003,
            armored.replace("END LICENTIA LICENSE", "END LICENTIA LEASE"),
        );
        self.error(
            "trailing_data",
            1004,
            format!("{armored}trailing garbage\n"),
        );
        self.error(
            "trailing_second_license",
            1004,
            format!("{armored}{armored}"),
        );
        self.error(
            "compact_trailing_data",
            1004,
            format!("{} extra\n", sample.to_compact()),
        );
        self.error(
            "base64_invalid_character",
            1005,
            armored.replacen('\n', "\n!", 1),
        );
        // Cut the envelope to a length that needs padding, so the last digit
        // has unused bits, then set one of them.
        let cut = &bytes[..bytes.len() - usize::from(bytes.len() % 3 == 0)];
        self.error(
            "base64_not_canonical",
            1005,
            armor_raw(&set_unused_bit(&STANDARD.encode(cut))),
        );
        self.error(
            "base64_padding_missing",
            1005,
            armor_raw(STANDARD.encode(cut).trim_end_matches('=')),
        );
        self.error(
            "compact_base64_not_canonical",
            1005,
            format!("lic.{}\n", set_unused_bit(&URL_SAFE_NO_PAD.encode(cut))),
        );
        self.error(
            "compact_base64_padded",
            1005,
            format!(
                "lic.{}\n",
                STANDARD.encode(cut).replace('+', "-").replace('/', "_")
            ),
        );

        // --- envelope (1006..1009)
        self.error(
            "truncated",
            1006,
            armor(&bytes[..HEADER_LEN + SIGNATURE_LEN - 1]),
        );
        self.error("envelope_empty", 1006, armor(&[]));
        let mut version = bytes.clone();
        // 2 is a licence refusing an environment, 3 one with meters: 4 is
        // no licence's.
        version[0] = 4;
        self.error("version_unsupported", 1007, armor(&version));
        let mut unknown_kind = bytes.clone();
        unknown_kind[1] = 99;
        self.error("kind_unknown", 1008, armor(&unknown_kind));
        let mut mismatch = bytes.clone();
        mismatch[1] = DocumentKind::Lease as u8;
        self.error("kind_mismatch", 1009, armor(&mismatch));
        let lease = self.files["documents/lease.lease"].clone();
        self.error("kind_wrong_document", 1009, lease);

        // --- body (1010): correctly signed, but not a canonical license body.
        let mut trailing = sample.body.clone();
        trailing.push(0);
        self.error("body_trailing_bytes", 1010, self.resign(trailing));
        // The product's length prefix (after the 16-byte id) as an overlong varint.
        let mut overlong = sample.body.clone();
        assert_eq!(usize::from(overlong[16]), PRODUCT.len());
        overlong.splice(16..17, [0x80 | PRODUCT.len() as u8, 0x00]);
        self.error("body_not_canonical", 1010, self.resign(overlong));
        self.error(
            "body_malformed",
            1010,
            self.resign(b"not a postcard license body".to_vec()),
        );

        // --- keys and signatures (2001, 2002)
        let foreign = Issuer::new(other_key())
            .issue(self.verifier.verify(&armored).unwrap().body())
            .unwrap();
        self.error("key_unknown", 2001, foreign.to_armor());
        let mut bad = sample.clone();
        bad.signature[10] ^= 0x01;
        self.error("signature_bad", 2002, bad.to_armor());
        let mut edited = sample.clone();
        let at = edited.body.len() - 1;
        edited.body[at] ^= 0x01;
        self.error("body_edited", 2002, edited.to_armor());
        let mut zero = sample.clone();
        zero.signature = [0; 64];
        self.error("signature_zero", 2002, zero.to_armor());
        let mut high_s = sample.clone();
        high_s.signature = s_plus_l(&sample.signature);
        self.error("signature_s_not_canonical", 2002, high_s.to_armor());
        let mut small_r = sample.clone();
        small_r.signature = small_order_r_signature(&issuer_key(), &sample.signed_message());
        self.error("signature_r_small_order", 2002, small_r.to_armor());
    }

    /// Signs `body` as a license envelope with the issuer's key, bypassing the
    /// issuer's checks (which would refuse a malformed body).
    fn resign(&self, body: Vec<u8>) -> String {
        Envelope::seal(DocumentKind::License, &issuer_key(), body)
            .unwrap()
            .to_armor()
    }
}

#[allow(clippy::too_many_arguments)]
fn verdict_line(
    file: &str,
    now: &str,
    product: &str,
    machine: Option<&Fingerprint>,
    release: Option<&str>,
    user: Option<&str>,
    state: &str,
    codes: &str,
) -> String {
    let machine = machine.map_or("-".to_owned(), ToString::to_string);
    let release = release.unwrap_or("-");
    let user = user.unwrap_or("-");
    format!("{file} {now} {product} {machine} {release} {user} {state} {codes}\n")
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// An armor block around a base64 payload given as is (not re-encoded).
fn armor_raw(payload: &str) -> String {
    let mut out = String::from("-----BEGIN LICENTIA LICENSE-----\n");
    for line in payload.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap());
        out.push('\n');
    }
    out.push_str("-----END LICENTIA LICENSE-----\n");
    out
}

/// Sets the lowest (unused) bit of the last base64 digit of a payload whose
/// length is not a multiple of 3 bytes: same bytes to a lax decoder, refused
/// by a canonical one.
fn set_unused_bit(b64: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let data = b64.trim_end_matches('=');
    let (head, last) = data.split_at(data.len() - 1);
    let index = ALPHABET
        .iter()
        .position(|&c| c == last.as_bytes()[0])
        .unwrap();
    assert_eq!(index & 1, 0, "the unused bits of a canonical digit are 0");
    let mut out = format!("{head}{}", ALPHABET[index | 1] as char);
    out.push_str(&b64[data.len()..]);
    out
}

/// The order of the Ed25519 group, little-endian.
const GROUP_ORDER: [u8; 32] = [
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
];

/// The same signature with S replaced by S + L: the verification equation
/// still holds (S + L = S mod L), but S is no longer canonical.
fn s_plus_l(signature: &[u8; 64]) -> [u8; 64] {
    let mut out = *signature;
    let mut carry = 0u16;
    for i in 0..32 {
        let sum = u16::from(signature[32 + i]) + u16::from(GROUP_ORDER[i]) + carry;
        out[32 + i] = sum as u8;
        carry = sum >> 8;
    }
    assert_eq!(carry, 0, "S + L < 2^256 since S < L < 2^253");
    out
}

/// A signature whose R is the identity point (of small order) and whose S
/// makes the cofactorless equation `[S]B = R + [k]A` hold: a lenient verifier
/// accepts it, `verify_strict` must not.
fn small_order_r_signature(key: &SigningKey, message: &[u8]) -> [u8; 64] {
    let seed = [0x11u8; 32];
    assert_eq!(key.key_id(), SigningKey::from_seed(&seed).key_id());
    // The Ed25519 secret scalar: the clamped first half of SHA-512(seed).
    let mut a_bytes: [u8; 32] = Sha512::digest(seed)[..32].try_into().unwrap();
    a_bytes[0] &= 248;
    a_bytes[31] &= 127;
    a_bytes[31] |= 64;
    let a = Scalar::from_bytes_mod_order(a_bytes);
    let public = key.public_key().to_bytes();
    assert_eq!(EdwardsPoint::mul_base(&a).compress().to_bytes(), public);
    let r = EdwardsPoint::default().compress().to_bytes();
    let mut hasher = Sha512::new();
    hasher.update(r);
    hasher.update(public);
    hasher.update(message);
    let k = Scalar::from_bytes_mod_order_wide(&hasher.finalize().into());
    let mut signature = [0u8; 64];
    signature[..32].copy_from_slice(&r);
    signature[32..].copy_from_slice((k * a).as_bytes());
    signature
}
