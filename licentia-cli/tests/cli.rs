//! The `licentia` command line, run as a real process over real files.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::Value;

#[path = "../../licentia-server/tests/support/qr.rs"]
mod qr;

/// What one run of the binary gave.
#[derive(Debug)]
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", self.stdout))
    }

    /// Exit code 2 with `error: ...` naming `needle`, and never a panic.
    fn assert_error(&self, needle: &str) {
        assert_eq!(self.code, 2, "{self:?}");
        assert!(self.stderr.starts_with("error: "), "{self:?}");
        assert!(self.stderr.contains(needle), "{needle:?} not in {self:?}");
        assert!(!self.stderr.contains("panicked"), "{self:?}");
    }
}

fn run_with_stdin(dir: &Path, args: &[&str], stdin: &[u8]) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_licentia"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the licentia binary starts");
    // The binary may stop reading early (size bound): a broken pipe is fine.
    let _ = child.stdin.take().expect("piped").write_all(stdin);
    let out = child.wait_with_output().expect("the licentia binary runs");
    Run {
        code: out.status.code().expect("exited, not killed"),
        stdout: String::from_utf8(out.stdout).expect("UTF-8 stdout"),
        stderr: String::from_utf8(out.stderr).expect("UTF-8 stderr"),
    }
}

fn run(dir: &Path, args: &[&str]) -> Run {
    run_with_stdin(dir, args, b"")
}

/// Runs and asserts the exit code.
fn ok(dir: &Path, args: &[&str]) -> Run {
    let out = run(dir, args);
    assert_eq!(out.code, 0, "licentia {args:?}: {out:?}");
    out
}

/// A fresh directory with an issuer key pair in `keys/`.
fn setup() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    ok(dir.path(), &["keygen", "--out", "keys"]);
    dir
}

/// A fingerprint from a vendor component only, so tests never depend on the
/// host's machine id.
fn machine(dir: &Path, serial: &str) -> String {
    let vendor = format!("serial={serial}");
    let out = ok(
        dir,
        &[
            "fingerprint",
            "--product",
            "acme",
            "--no-machine-id",
            "--vendor",
            &vendor,
        ],
    );
    let line = out.stdout.trim().to_owned();
    assert!(line.len() == 34 && line.bytes().all(|b| b.is_ascii_hexdigit()));
    line
}

fn verify(dir: &Path, extra: &[&str]) -> Run {
    let mut args = vec!["verify", "--pub", "keys/issuer.pub", "--product", "acme"];
    args.extend_from_slice(extra);
    run(dir, &args)
}

/// `licentia issue` of an acme license for Jane with the issuer key, and
/// `extra` (at least `--out`); asserts it succeeds.
fn issue_jane(dir: &Path, extra: &[&str]) -> Run {
    let mut args = vec!["issue", "--key", "keys/issuer.key", "--product", "acme"];
    args.extend(["--licensee", "Jane"]);
    args.extend_from_slice(extra);
    ok(dir, &args)
}

/// `licentia revoke` signs acme's revocation list number 1 with the issuer
/// key, naming `ids`, into `out`; asserts it succeeds.
fn revoke(dir: &Path, ids: &[&str], out: &str) -> Run {
    let mut args = vec!["revoke", "--key", "keys/issuer.key"];
    args.extend(["--product", "acme", "--sequence", "1"]);
    for id in ids {
        args.extend(["--id", id]);
    }
    args.extend(["--out", out]);
    ok(dir, &args)
}

#[test]
fn the_whole_story_through_the_binary() {
    let dir = setup();
    let d = dir.path();
    let here = machine(d, "SN-1");
    let elsewhere = machine(d, "SN-2");
    ok(
        d,
        &[
            "issue",
            "--key",
            "keys/issuer.key",
            "--product",
            "acme",
            "--licensee",
            "Jane Doe",
            "--email",
            "jane@example.com",
            "--soft-expiry",
            "2039-12-01",
            "--expires",
            "2040-01-01",
            "--machine",
            &here,
            "--feature",
            "export",
            "--feature",
            "seats=5@2039-06-01",
            "--metadata",
            "tier=gold",
            "--out",
            "jane.lic",
        ],
    );
    let text = std::fs::read_to_string(d.join("jane.lic")).unwrap();
    assert!(text.starts_with("-----BEGIN LICENTIA LICENSE-----\n"));

    // Valid on its machine, before expiry.
    let out = verify(d, &["--machine", &here, "--now", "2039-01-01", "jane.lic"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.starts_with("valid\n"), "{}", out.stdout);
    assert!(out.stdout.contains("Jane Doe <jane@example.com>"));

    // Soft expiry: still exit 0, with the warning printed.
    let out = verify(d, &["--machine", &here, "--now", "2039-12-15", "jane.lic"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stdout.contains("warning 201 (renew_soon)"),
        "{}",
        out.stdout
    );

    // After the hard expiry: invalid, exit 1.
    let out = verify(d, &["--machine", &here, "--now", "2040-02-01", "jane.lic"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stdout.contains("error 108 (expired)"), "{}", out.stdout);

    // On another machine, or with no machine given: invalid, exit 1.
    let out = verify(
        d,
        &["--machine", &elsewhere, "--now", "2039-01-01", "jane.lic"],
    );
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stdout.contains("105 (wrong_machine)"));
    assert_eq!(verify(d, &["--now", "2039-01-01", "jane.lic"]).code, 1);

    // One character changed in the signed payload: an error, exit 2.
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let flipped = if lines[2].starts_with('A') { "B" } else { "A" };
    lines[2].replace_range(0..1, flipped);
    std::fs::write(d.join("tampered.lic"), lines.join("\n")).unwrap();
    verify(d, &["--machine", &here, "tampered.lic"])
        .assert_error("signature does not verify: the document was altered or forged");

    // A renewal token makes the expired license valid again.
    ok(
        d,
        &[
            "renew",
            "--key",
            "keys/issuer.key",
            "--license",
            "jane.lic",
            "--until",
            "2045-01-01",
            "--out",
            "renewal.tok",
        ],
    );
    let renewed = [
        "--machine",
        &here,
        "--now",
        "2040-02-01",
        "--renewal",
        "renewal.tok",
        "--json",
        "jane.lic",
    ];
    let out = verify(d, &renewed);
    assert_eq!(out.code, 0, "{out:?}");
    let report = out.json();
    assert_eq!(report["state"], "valid");
    assert_eq!(
        report["license"]["terms"]["hard_expiry"],
        "2045-01-01T00:00:00Z"
    );
    // A renewal token that adds a feature, printed on stdout.
    let out = ok(
        d,
        &[
            "renew",
            "--key",
            "keys/issuer.key",
            "--license",
            "jane.lic",
            "--add-feature",
            "render=2",
        ],
    );
    assert!(out
        .stdout
        .starts_with("-----BEGIN LICENTIA RENEWAL TOKEN-----"));

    // inspect: the body, marked unverified, in text and JSON.
    let out = ok(d, &["inspect", "jane.lic"]);
    assert!(out.stdout.starts_with("UNVERIFIED"), "{}", out.stdout);
    assert!(out.stdout.contains("features:"));
    let seen = ok(d, &["inspect", "--json", "jane.lic"]).json();
    assert_eq!(seen["verified"], false);
    assert_eq!(seen["license"]["product"], "acme");
    assert_eq!(seen["license"]["metadata"]["tier"], "gold");
    assert_eq!(seen["license"]["entitlements"][1]["count"], 5);
    assert_eq!(seen["license"]["binding"]["machines"][0], here.as_str());
    // inspect shows even a tampered file, since it verifies nothing.
    let out = ok(d, &["inspect", "tampered.lic"]);
    assert!(out.stdout.starts_with("UNVERIFIED"));
    let id = seen["license"]["id"].as_str().unwrap().to_owned();

    // A signed revocation list naming the license makes it invalid.
    revoke(d, &[&id], "revoked.lst");
    let out = verify(
        d,
        &[
            "--machine",
            &here,
            "--now",
            "2039-01-01",
            "--revocations",
            "revoked.lst",
            "--json",
            "jane.lic",
        ],
    );
    assert_eq!(out.code, 1, "{out:?}");
    let report = out.json();
    assert_eq!(report["state"], "invalid");
    assert_eq!(report["findings"][0]["code"], 102);
    assert_eq!(report["findings"][0]["rule"], "revoked");
    assert_eq!(report["findings"][0]["severity"], "failure");
    assert!(report["findings"][0]["message"].is_string());
    assert!(report["grace_remaining_secs"].is_null());

    // The license from standard input, with `-`.
    let out = run_with_stdin(
        d,
        &[
            "verify",
            "--pub",
            "keys/issuer.pub",
            "--product",
            "acme",
            "--machine",
            &here,
            "--now",
            "2039-01-01",
            "-",
        ],
        text.as_bytes(),
    );
    assert_eq!(out.code, 0, "{out:?}");
}

#[test]
fn offline_activation_round_trip() {
    let dir = setup();
    let d = dir.path();
    let request = |out: &str, serial: &str| {
        let vendor = format!("serial={serial}");
        ok(
            d,
            &[
                "request",
                "--product",
                "acme",
                "--key",
                "ACME-1234",
                "--no-machine-id",
                "--vendor",
                &vendor,
                "--out",
                out,
            ],
        );
    };
    request("box.req", "SN-7");
    request("other.req", "SN-7");
    // The back office answers; the product comes from the request.
    ok(
        d,
        &[
            "issue",
            "--key",
            "keys/issuer.key",
            "--licensee",
            "Acme Labs",
            "--expires",
            "2040-01-01",
            "--grace-days",
            "14",
            "--request",
            "box.req",
            "--out",
            "box.answer",
        ],
    );
    let answer = std::fs::read_to_string(d.join("box.answer")).unwrap();
    assert!(answer.starts_with("-----BEGIN LICENTIA ACTIVATION ANSWER-----"));

    let accept = |request: &str| {
        run(
            d,
            &[
                "accept",
                "--pub",
                "keys/issuer.pub",
                "--request",
                request,
                "--answer",
                "box.answer",
                "--out",
                "box.lic",
            ],
        )
    };
    // An answer fits exactly one request (its nonce), even on the same machine.
    accept("other.req").assert_error("answers another request");
    assert!(!d.join("box.lic").exists());
    assert_eq!(accept("box.req").code, 0);

    let box_machine = machine(d, "SN-7");
    let out = verify(
        d,
        &["--machine", &box_machine, "--now", "2039-01-01", "box.lic"],
    );
    assert_eq!(out.code, 0, "{out:?}");
    let out = verify(
        d,
        &[
            "--machine",
            &machine(d, "SN-8"),
            "--now",
            "2039-01-01",
            "box.lic",
        ],
    );
    assert_eq!(out.code, 1, "{out:?}");
    // Grace after expiry: valid with a warning, and the grace in the JSON.
    let out = verify(
        d,
        &[
            "--machine",
            &box_machine,
            "--now",
            "2040-01-04",
            "--json",
            "box.lic",
        ],
    );
    assert_eq!(out.code, 0, "{out:?}");
    let report = out.json();
    assert_eq!(report["state"], "valid_with_warnings");
    assert_eq!(report["findings"][0]["rule"], "in_grace");
    assert_eq!(report["grace_remaining_secs"], 11 * 86_400);
    assert_eq!(report["findings"][0]["remaining_secs"], 11 * 86_400);

    // A request naming a license id is answered with a license of that id.
    let id = "00112233445566778899aabbccddeeff";
    ok(
        d,
        &[
            "request",
            "--product",
            "acme",
            "--license-id",
            id,
            "--no-machine-id",
            "--vendor",
            "serial=SN-9",
            "--out",
            "byid.req",
        ],
    );
    ok(
        d,
        &[
            "issue",
            "--key",
            "keys/issuer.key",
            "--licensee",
            "Acme Labs",
            "--request",
            "byid.req",
            "--compact",
            "--out",
            "byid.answer",
        ],
    );
    ok(
        d,
        &[
            "accept",
            "--pub",
            "keys/issuer.pub",
            "--request",
            "byid.req",
            "--answer",
            "byid.answer",
            "--out",
            "byid.lic",
        ],
    );
    let seen = ok(d, &["inspect", "--json", "byid.lic"]).json();
    assert_eq!(seen["license"]["id"], id);

    // The short telephone code of that licence on this machine: six groups
    // that name the licence and the machine, each with its check digit.
    let args = [
        "request",
        "--product",
        "acme",
        "--license-id",
        id,
        "--no-machine-id",
        "--vendor",
        "serial=SN-9",
        "--short",
        "--out",
        "byid.code",
    ];
    ok(d, &args);
    let code = std::fs::read_to_string(d.join("byid.code")).unwrap();
    let short = licentia::short_code::ShortRequest::parse(&code).unwrap();
    assert!(short.is_for(&licentia::LicenseId::parse(id).unwrap()));
    let here = licentia::Fingerprint::builder("acme")
        .vendor("serial", "SN-9")
        .build()
        .unwrap();
    assert_eq!(short.machine, licentia::short_code::machine_digest(&here));

    // Each request also as a QR code, read back by a real decoder: the
    // short code itself, and the full request's one-line form.
    let mut with_qr = args.to_vec();
    with_qr.extend(["--qr", "byid-code.svg"]);
    ok(d, &with_qr);
    let scanned = qr::scan(&std::fs::read_to_string(d.join("byid-code.svg")).unwrap());
    let code = std::fs::read_to_string(d.join("byid.code")).unwrap();
    assert_eq!(scanned, code.trim());
    let full: Vec<&str> = args
        .iter()
        .filter(|a| **a != "--short")
        .map(|a| if *a == "byid.code" { "byid.req" } else { a })
        .chain(["--qr", "byid-req.svg"])
        .collect();
    ok(d, &full);
    let scanned = qr::scan(&std::fs::read_to_string(d.join("byid-req.svg")).unwrap());
    let file = std::fs::read_to_string(d.join("byid.req")).unwrap();
    assert_eq!(
        licentia::ActivationRequest::parse(&scanned).unwrap(),
        licentia::ActivationRequest::parse(&file).unwrap()
    );

    // --machine cannot be combined with --request: the request names the machine.
    let out = run(
        d,
        &[
            "issue",
            "--key",
            "keys/issuer.key",
            "--licensee",
            "x",
            "--request",
            "box.req",
            "--machine",
            &box_machine,
        ],
    );
    assert_eq!(out.code, 2, "{out:?}");
}

#[test]
fn a_spec_file_gives_what_the_flags_do_not() {
    let dir = setup();
    let d = dir.path();
    std::fs::write(
        d.join("spec.json"),
        r#"{
            "product": "acme", "licensee": "From File", "email": "file@example.com",
            "issued_at": "2030-01-01", "expires": "2031-01-01", "seats": 3,
            "features": ["export"], "metadata": {"tier": "silver"}, "user": "jane"
        }"#,
    )
    .unwrap();
    let out = ok(
        d,
        &[
            "issue",
            "--key",
            "keys/issuer.key",
            "--spec",
            "spec.json",
            "--licensee",
            "From Flags",
            "--seats",
            "9",
            "--compact",
        ],
    );
    let compact = out.stdout.trim();
    assert!(compact.starts_with("lic.") && !compact.contains('\n'));
    std::fs::write(d.join("spec.lic"), compact).unwrap();
    let body = ok(d, &["inspect", "--json", "spec.lic"]).json()["license"].clone();
    assert_eq!(body["licensee"]["name"], "From Flags");
    assert_eq!(body["licensee"]["email"], "file@example.com");
    assert_eq!(body["seats"], 9);
    assert_eq!(body["issued_at"], "2030-01-01T00:00:00Z");
    assert_eq!(body["binding"]["type"], "named-user");
    assert_eq!(body["entitlements"][0]["code"], "export");

    // Named user: the right user is valid, any other is not.
    let now = ["--now", "2030-06-01"];
    let with_user = |user: &str| {
        let mut args = now.to_vec();
        args.extend(["--user", user, "spec.lic"]);
        verify(d, &args).code
    };
    assert_eq!(with_user("jane"), 0);
    assert_eq!(with_user("bob"), 1);

    // The spec's mistakes come back as errors that say what to fix.
    std::fs::write(d.join("typo.json"), r#"{"produkt": "acme"}"#).unwrap();
    run(
        d,
        &["issue", "--key", "keys/issuer.key", "--spec", "typo.json"],
    )
    .assert_error("unknown field `produkt`");
    run(
        d,
        &[
            "issue",
            "--key",
            "keys/issuer.key",
            "--spec",
            "spec.json",
            "--soft-expiry",
            "2032-01-01",
        ],
    )
    .assert_error("the soft expiry must come before the hard expiry");
    run(d, &["issue", "--key", "keys/issuer.key", "--licensee", "x"])
        .assert_error("'product' is required");
}

#[test]
fn fingerprint_json_lists_every_component() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let args = [
        "fingerprint",
        "--product",
        "acme",
        "--no-machine-id",
        "--vendor",
        "pod=uid-1",
        "--vendor",
        "disk=42",
    ];
    let line = ok(d, &args).stdout.trim().to_owned();
    let mut with_json = args.to_vec();
    with_json.push("--json");
    let fp = ok(d, &with_json).json();
    assert_eq!(fp["fingerprint"], line.as_str());
    let components = fp["components"].as_array().unwrap();
    assert_eq!(components.len(), 2);
    for c in components {
        assert_eq!(c["kind"], "vendor");
        assert_eq!(c["hash"].as_str().unwrap().len(), 32);
    }
    // Per product: the same values give another fingerprint for another product.
    let mut other = args.to_vec();
    other[2] = "other-product";
    assert_ne!(ok(d, &other).stdout.trim(), line);
    // No component at all is an error, not an empty line.
    run(d, &["fingerprint", "--product", "acme", "--no-machine-id"]).assert_error("components");
}

#[test]
fn machine_auto_reads_this_machine() {
    let dir = setup();
    let d = dir.path();
    let out = run(d, &["fingerprint", "--product", "acme"]);
    if out.code != 0 {
        // A host without a machine id (some containers) says what to do.
        out.assert_error("supply a vendor component");
        return;
    }
    let here = out.stdout.trim();
    issue_jane(d, &["--machine", here, "--out", "here.lic"]);
    assert_eq!(verify(d, &["--machine", "auto", "here.lic"]).code, 0);
    // The same machine id gives another fingerprint for another product.
    let other = ok(d, &["fingerprint", "--product", "other"]);
    assert_ne!(other.stdout.trim(), here);
}

#[test]
fn a_rollover_statement_brings_a_new_key_into_trust() {
    let dir = setup();
    let d = dir.path();
    ok(d, &["keygen", "--out", "new"]);
    ok(
        d,
        &[
            "rollover",
            "--key",
            "keys/issuer.key",
            "--new-pub",
            "new/issuer.pub",
            "--out",
            "roll.stmt",
        ],
    );
    ok(
        d,
        &[
            "issue",
            "--key",
            "new/issuer.key",
            "--product",
            "acme",
            "--licensee",
            "Jane",
            "--out",
            "new.lic",
        ],
    );
    verify(d, &["new.lic"]).assert_error("signed by unknown key");
    assert_eq!(verify(d, &["--rollover", "roll.stmt", "new.lic"]).code, 0);
}

#[test]
fn a_signed_catalogue_says_which_releases_a_licence_with_maintenance_runs() {
    let dir = setup();
    let d = dir.path();
    std::fs::write(
        d.join("releases.json"),
        r#"[
            {"version": "3.2", "date": "2027-08-16", "notes": "Faster export",
             "download_url": "https://example.com/acme-3.2.tar.gz"},
            {"version": "3.1", "date": "2027-05-11"},
            {"version": "3.2-beta.1", "date": "2027-07-01", "channel": "beta"}
        ]"#,
    )
    .unwrap();
    let sign = |list: &str, out: &str| {
        run(
            d,
            &[
                "release-catalogue",
                "sign",
                "--key",
                "keys/issuer.key",
                "--product",
                "acme",
                "--releases",
                list,
                "--out",
                out,
            ],
        )
    };
    assert_eq!(sign("releases.json", "acme.releases").code, 0);
    issue_jane(d, &["--updates-until", "2027-06-30", "--out", "jane.lic"]);
    let check = |version: &str| {
        verify(
            d,
            &[
                "--now",
                "2027-09-01",
                "--catalogue",
                "acme.releases",
                "--release",
                version,
                "--json",
                "jane.lic",
            ],
        )
    };
    let v31 = check("3.1");
    assert_eq!(v31.code, 0, "{v31:?}");
    assert_eq!(v31.json()["runnable_releases"], serde_json::json!(["3.1"]));
    let v32 = check("3.2");
    assert_eq!(v32.code, 1, "{v32:?}");
    assert_eq!(v32.json()["findings"][0]["rule"], "version_not_covered");
    check("3.3").assert_error("release '3.3' is not in the catalogue");

    // Garbage lists are refused with the reason.
    std::fs::write(
        d.join("twice.json"),
        r#"[{"version": "1", "date": "2027-01-01"}, {"version": "1.0", "date": "2027-02-01"}]"#,
    )
    .unwrap();
    sign("twice.json", "x").assert_error("listed twice");
    std::fs::write(
        d.join("typo.json"),
        r#"[{"version": "1", "dat": "2027-01-01"}]"#,
    )
    .unwrap();
    sign("typo.json", "x").assert_error("unknown release field 'dat'");
    std::fs::write(d.join("object.json"), r#"{"version": "1"}"#).unwrap();
    sign("object.json", "x").assert_error("a JSON list");
    verify(d, &["--catalogue", "jane.lic", "jane.lic"])
        .assert_error("expected a release catalogue");
}

#[test]
fn the_clock_guard_state_detects_a_rolled_back_clock() {
    let dir = setup();
    let d = dir.path();
    issue_jane(d, &["--out", "jane.lic"]);
    let at = |now: &str| {
        verify(
            d,
            &[
                "--now",
                now,
                "--clock-state",
                "clock",
                "--clock-secret",
                "s3cret",
                "jane.lic",
            ],
        )
    };
    assert_eq!(at("2035-01-01").code, 0);
    let out = at("2034-01-01");
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stdout.contains("104 (clock_rolled_back)"));
    assert_eq!(at("2035-01-02").code, 0);
    // An edited state file is an error.
    std::fs::write(d.join("clock"), "licentia-clock 1 0 00").unwrap();
    at("2035-01-03").assert_error("clock-guard state was altered");
}

#[test]
fn the_clock_guard_witness_lives_where_told_and_a_started_guard_needs_its_copies() {
    let dir = setup();
    let d = dir.path();
    issue_jane(d, &["--out", "jane.lic"]);
    std::fs::create_dir(d.join("elsewhere")).unwrap();
    let guarded = |extra: &[&str]| {
        let mut args = vec![
            "--now",
            "2035-01-01",
            "--clock-state",
            "clock",
            "--clock-secret",
            "s3cret",
            "--clock-witness",
            "elsewhere/seen",
        ];
        args.extend_from_slice(extra);
        args.push("jane.lic");
        verify(d, &args)
    };
    assert_eq!(guarded(&[]).code, 0);
    assert!(d.join("elsewhere/seen").exists());
    assert!(
        !d.join("clock.witness").exists(),
        "no witness beside the state"
    );
    assert_eq!(guarded(&["--clock-started"]).code, 0);
    // Both copies deleted: a fresh start unless a first run is declared.
    std::fs::remove_file(d.join("clock")).unwrap();
    std::fs::remove_file(d.join("elsewhere/seen")).unwrap();
    guarded(&["--clock-started"]).assert_error("missing after the first run");
    assert!(!d.join("clock").exists(), "nothing written on the refusal");
    assert_eq!(guarded(&[]).code, 0);
    // The witness option without a state file to guard is refused by the parser.
    let out = verify(d, &["--clock-started", "jane.lic"]);
    assert_eq!(out.code, 2, "{out:?}");
}

#[test]
fn keygen_never_overwrites_a_key() {
    let dir = setup();
    let d = dir.path();
    let before = std::fs::read(d.join("keys/issuer.key")).unwrap();
    run(d, &["keygen", "--out", "keys"]).assert_error("already exists");
    assert_eq!(std::fs::read(d.join("keys/issuer.key")).unwrap(), before);
    // Only the public half left behind: still refused, nothing written.
    std::fs::remove_file(d.join("keys/issuer.key")).unwrap();
    run(d, &["keygen", "--out", "keys"]).assert_error("issuer.pub already exists");
    assert!(!d.join("keys/issuer.key").exists());

    let out = ok(d, &["keygen", "--out", "fresh", "--json"]).json();
    assert_eq!(out["key_id"].as_str().unwrap().len(), 16);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(d.join("fresh/issuer.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[cfg(unix)]
#[test]
fn a_private_key_readable_by_others_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let dir = setup();
    let d = dir.path();
    let key = d.join("keys/issuer.key");
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = run(
        d,
        &[
            "issue",
            "--key",
            "keys/issuer.key",
            "--product",
            "acme",
            "--licensee",
            "Jane",
        ],
    );
    out.assert_error("readable by others (mode 644); run `chmod 600 keys/issuer.key`");
    assert!(out.stdout.is_empty());
}

#[test]
fn garbage_and_huge_inputs_are_errors_never_panics() {
    let dir = setup();
    let d = dir.path();
    std::fs::write(d.join("garbage.lic"), "hello, I am a license").unwrap();
    std::fs::write(d.join("binary.lic"), [0xff, 0xfe, 0x00, 0x80]).unwrap();
    let huge = vec![b'A'; 3 << 20];
    std::fs::write(d.join("huge.lic"), &huge).unwrap();
    std::fs::write(d.join("huge.json"), &huge).unwrap();
    std::fs::write(d.join("garbage.pub"), "-----BEGIN PUBLIC KEY-----\nnope\n").unwrap();

    verify(d, &["garbage.lic"]).assert_error("not a licentia document");
    verify(d, &["binary.lic"]).assert_error("not UTF-8 text");
    verify(d, &["huge.lic"]).assert_error("larger than the");
    verify(d, &["missing.lic"]).assert_error("missing.lic");
    verify(d, &["."]).assert_error("I/O error: .:");
    run_with_stdin(
        d,
        &[
            "verify",
            "--pub",
            "keys/issuer.pub",
            "--product",
            "acme",
            "-",
        ],
        &huge,
    )
    .assert_error("larger than the");
    run_with_stdin(d, &["inspect", "-"], b"lic.!!!!").assert_error("base64");
    run(
        d,
        &[
            "verify",
            "--pub",
            "garbage.pub",
            "--product",
            "acme",
            "garbage.lic",
        ],
    )
    .assert_error("cannot read key");
    run(
        d,
        &["issue", "--key", "keys/issuer.key", "--spec", "huge.json"],
    )
    .assert_error("specification is larger than");
    // A public key where a private one belongs.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let private = std::fs::Permissions::from_mode(0o600);
        std::fs::set_permissions(d.join("keys/issuer.pub"), private).unwrap();
    }
    run(
        d,
        &[
            "issue",
            "--key",
            "keys/issuer.pub",
            "--product",
            "a",
            "--licensee",
            "b",
        ],
    )
    .assert_error("cannot read key");
    // Another kind of document where a license belongs.
    revoke(d, &[], "list");
    verify(d, &["list"]).assert_error("expected a license, found a revocation list");
    run(
        d,
        &[
            "accept",
            "--pub",
            "keys/issuer.pub",
            "--request",
            "list",
            "--answer",
            "list",
            "--out",
            "x",
        ],
    )
    .assert_error("found a revocation list");
}

#[test]
fn bad_arguments_exit_2_with_a_message() {
    let dir = setup();
    let d = dir.path();
    let cases: [&[&str]; 6] = [
        &[
            "verify",
            "--pub",
            "keys/issuer.pub",
            "--product",
            "acme",
            "--now",
            "soon",
            "x",
        ],
        &[
            "verify",
            "--pub",
            "keys/issuer.pub",
            "--product",
            "acme",
            "--machine",
            "zz",
            "x",
        ],
        &[
            "revoke",
            "--key",
            "keys/issuer.key",
            "--product",
            "acme",
            "--sequence",
            "1",
            "--id",
            "nope",
            "--out",
            "x",
        ],
        &["renew", "--key", "keys/issuer.key", "--license", "x"],
        &["issue", "--key", "keys/issuer.key", "--match-rule", "some"],
        &["no-such-command"],
    ];
    for args in cases {
        let out = run(d, args);
        assert_eq!(out.code, 2, "{args:?}: {out:?}");
        assert!(out.stderr.starts_with("error: "), "{args:?}: {out:?}");
    }
    // Flag values the core parses keep the core's message.
    let out = run(
        d,
        &[
            "issue",
            "--key",
            "keys/issuer.key",
            "--product",
            "acme",
            "--licensee",
            "x",
            "--feature",
            "seats=many",
        ],
    );
    out.assert_error("feature count 'many' is not a number");
}

#[test]
fn every_command_has_help() {
    let dir = tempfile::tempdir().unwrap();
    let commands = [
        "keygen",
        "issue",
        "verify",
        "inspect",
        "fingerprint",
        "request",
        "accept",
        "revoke",
        "renew",
        "rollover",
        "release-catalogue",
    ];
    let top = ok(dir.path(), &["--help"]);
    for command in commands {
        assert!(top.stdout.contains(command), "{command} not in --help");
        let out = ok(dir.path(), &[command, "--help"]);
        assert!(out.stdout.contains("Usage: licentia"), "{command}: {out:?}");
    }
}

#[test]
fn offline_deactivation_round_trip() {
    let dir = setup();
    let d = dir.path();
    let box_machine = machine(d, "SN-7");
    let issue = |out: &str, licensee: &str| {
        ok(
            d,
            &[
                "issue",
                "--key",
                "keys/issuer.key",
                "--product",
                "acme",
                "--licensee",
                licensee,
                "--machine",
                &box_machine,
                "--out",
                out,
            ],
        );
    };
    issue("box.lic", "Acme Labs");
    issue("other.lic", "Other Labs");
    let give_back = |license: &str, out: &str| {
        ok(
            d,
            &[
                "give-back",
                "--pub",
                "keys/issuer.pub",
                "--license",
                license,
                "--no-machine-id",
                "--vendor",
                "serial=SN-7",
                "--out",
                out,
            ],
        );
    };
    give_back("box.lic", "box.req");
    assert!(!d.join("box.lic").exists(), "the license file is deleted");
    let request = std::fs::read_to_string(d.join("box.req")).unwrap();
    assert!(request.starts_with("-----BEGIN LICENTIA DEACTIVATION REQUEST-----"));
    give_back("other.lic", "other.req");
    ok(
        d,
        &[
            "receipt",
            "--key",
            "keys/issuer.key",
            "--request",
            "box.req",
            "--out",
            "box.receipt",
        ],
    );
    let confirm = |request: &str| {
        run(
            d,
            &[
                "confirm-receipt",
                "--pub",
                "keys/issuer.pub",
                "--request",
                request,
                "--receipt",
                "box.receipt",
            ],
        )
    };
    // The receipt is refused for the other license's request.
    confirm("other.req").assert_error("another license");
    let out = confirm("box.req");
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains("given back"), "{out:?}");
    // Garbage is a clear error.
    std::fs::write(d.join("junk.req"), "hello").unwrap();
    run(
        d,
        &[
            "receipt",
            "--key",
            "keys/issuer.key",
            "--request",
            "junk.req",
        ],
    )
    .assert_error("not a licentia document");
}

#[test]
fn a_metered_license_says_its_meters() {
    let dir = setup();
    let d = dir.path();
    let meters = [
        "--meter",
        "exports=50/day",
        "--meter",
        "api_calls=10000/month",
    ];
    issue_jane(d, &[&meters[..], &["--out", "metered.lic"]].concat());
    let body = ok(d, &["inspect", "--json", "metered.lic"]).json()["license"].clone();
    assert_eq!(body["meters"][0]["name"], "api_calls");
    assert_eq!(body["meters"][1]["period"], "day");
    assert!(ok(d, &["inspect", "metered.lic"])
        .stdout
        .contains("meters:        api_calls=10000/month, exports=50/day"));
    assert_eq!(verify(d, &["metered.lic"]).code, 0);
    let args = ["issue", "--key", "keys/issuer.key", "--product", "acme"];
    run(
        d,
        &[
            &args[..],
            &["--licensee", "Jane", "--meter", "exports=0/day"],
        ]
        .concat(),
    )
    .assert_error("quota of at least 1");
}

#[test]
fn a_license_refusing_virtual_machines_and_what_the_probe_sees() {
    let dir = setup();
    let d = dir.path();
    issue_jane(d, &["--no-virtual-machines", "--out", "no-vm.lic"]);
    let body = ok(d, &["inspect", "--json", "no-vm.lic"]).json()["license"].clone();
    assert_eq!(body["environment"]["virtual_machines"], false);
    assert_eq!(body["environment"]["containers"], true);
    assert!(ok(d, &["inspect", "no-vm.lic"])
        .stdout
        .contains("refuses:       virtual machines"));

    // A fake tree: a QEMU guest refuses it with rule 111, naming the
    // evidence; a Docker container does not.
    let qemu = d.join("qemu/sys/class/dmi/id");
    std::fs::create_dir_all(&qemu).unwrap();
    std::fs::write(qemu.join("sys_vendor"), "QEMU\n").unwrap();
    std::fs::create_dir_all(d.join("docker")).unwrap();
    std::fs::write(d.join("docker/.dockerenv"), "").unwrap();
    let refused = verify(d, &["--environment-root", "qemu", "no-vm.lic"]);
    assert_eq!(refused.code, 1, "{refused:?}");
    assert!(refused
        .stdout
        .contains("error 111 (virtual_machine_not_allowed)"));
    assert!(refused.stdout.contains("dmi.sys_vendor: QEMU"));
    assert_eq!(
        verify(d, &["--environment-root", "docker", "no-vm.lic"]).code,
        0
    );

    let seen = ok(d, &["environment", "--root", "docker", "--json"]).json();
    assert_eq!(seen["container"], true);
    assert_eq!(seen["virtual_machine"], false);
    assert_eq!(seen["signals"][0]["name"], "file./.dockerenv");
    assert_eq!(
        ok(d, &["environment", "--root", "qemu"]).stdout,
        "virtual machine: yes (dmi.sys_vendor: QEMU)\ncontainer: no\n"
    );

    // This machine: printed, and the verdict without a tree is its probe's.
    let here = ok(d, &["environment", "--json"]).json();
    println!("this machine: {here:#}");
    let expected = if here["virtual_machine"] == true {
        1
    } else {
        0
    };
    assert_eq!(verify(d, &["no-vm.lic"]).code, expected);
}

#[test]
fn a_typed_request_read_over_the_telephone_is_answered() {
    let dir = setup();
    let d = dir.path();
    ok(
        d,
        &[
            "request",
            "--product",
            "acme",
            "--key",
            "ACME-1234",
            "--no-machine-id",
            "--vendor",
            "serial=SN-7",
            "--typed",
            "--out",
            "phone.req",
        ],
    );
    let code = std::fs::read_to_string(d.join("phone.req")).unwrap();
    assert!(code.trim().split('-').all(|g| g.len() == 5), "{code}");
    // The vendor's staff type what they heard (lower case, spaces).
    std::fs::write(
        d.join("heard.req"),
        code.trim().to_lowercase().replace('-', " "),
    )
    .unwrap();
    ok(
        d,
        &[
            "issue",
            "--key",
            "keys/issuer.key",
            "--licensee",
            "Acme Labs",
            "--request",
            "heard.req",
            "--out",
            "phone.answer",
        ],
    );
    ok(
        d,
        &[
            "accept",
            "--pub",
            "keys/issuer.pub",
            "--request",
            "phone.req",
            "--answer",
            "phone.answer",
            "--out",
            "phone.lic",
        ],
    );
    // One character misheard: refused, naming the group to re-key.
    let mut wrong: Vec<char> = code.trim().chars().collect();
    wrong[7] = if wrong[7] == '7' { '8' } else { '7' };
    std::fs::write(
        d.join("misheard.req"),
        wrong.into_iter().collect::<String>(),
    )
    .unwrap();
    run(
        d,
        &[
            "issue",
            "--key",
            "keys/issuer.key",
            "--licensee",
            "Acme Labs",
            "--request",
            "misheard.req",
            "--out",
            "never.answer",
        ],
    )
    .assert_error("check digit of group 2");
}
