//! The shared test vectors: they must not drift, and the Rust API must give
//! exactly what `verdicts.txt`, `revoked.txt` and `errors.txt` say.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use licentia::{
    ActivationRequest, Context, Environment, Error, Fingerprint, License, PublicKey, RenewalAction,
    Rule, SigningKey, State, Timestamp, Verifier,
};

#[path = "vectors/generate.rs"]
mod generate;

const REGENERATE: &str = "cargo run --example make_vectors";

/// The folders the generator owns entirely.
const GENERATED_DIRS: [&str; 4] = ["keys", "licenses", "documents", "invalid"];

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors")
}

fn read(relative: &str) -> String {
    let path = dir().join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn issuer_pub() -> PublicKey {
    PublicKey::from_pem(&read("keys/issuer.pub")).unwrap()
}

fn verifier() -> Verifier {
    Verifier::new([issuer_pub()])
}

fn time(text: &str) -> Timestamp {
    Timestamp::parse(text).unwrap()
}

/// The non-comment lines of a vector table, split on whitespace.
fn table(relative: &str) -> Vec<Vec<String>> {
    read(relative)
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| l.split_whitespace().map(str::to_owned).collect())
        .collect()
}

#[test]
fn committed_vectors_match_the_generator_byte_for_byte() {
    let generated = generate::generate();
    let mut drift = Vec::new();
    for (relative, bytes) in &generated {
        match std::fs::read(dir().join(relative)) {
            Ok(committed) if committed == *bytes => {}
            Ok(_) => drift.push(format!("{relative} differs")),
            Err(_) => drift.push(format!("{relative} is missing")),
        }
    }
    for sub in GENERATED_DIRS {
        for entry in std::fs::read_dir(dir().join(sub)).unwrap() {
            let relative = format!("{sub}/{}", entry.unwrap().file_name().to_string_lossy());
            if !generated.contains_key(&relative) {
                drift.push(format!("{relative} is not generated any more"));
            }
        }
    }
    assert!(
        drift.is_empty(),
        "the test vectors drifted from the generator:\n  {}\n\
         The vectors are the format's contract and change only with a new format \
         version. If the change is intended, regenerate them with `{REGENERATE}` \
         and commit tests/vectors/.",
        drift.join("\n  ")
    );
}

#[test]
fn keys_are_the_documented_seeds() {
    for (name, seed) in [("issuer", 0x11), ("other", 0x22), ("new", 0x33)] {
        let expected = SigningKey::from_seed(&[seed; 32]).public_key().clone();
        let key = PublicKey::from_pem(&read(&format!("keys/{name}.pub"))).unwrap();
        assert_eq!(key, expected, "keys/{name}.pub");
        let raw: String = key.to_bytes().iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(read(&format!("keys/{name}.raw")).trim(), raw);
    }
    let private = SigningKey::from_pem(&read("keys/issuer.key")).unwrap();
    assert_eq!(private.public_key(), &issuer_pub());
    // The identity point, in SPKI: refused as weak, whatever the reader.
    assert_eq!(
        PublicKey::from_pem(&read("keys/small_order.pub")),
        Err(Error::WeakKey)
    );
}

/// Checks one verdict line, with an optional revocation list in the context.
fn check_line(fields: &[String], revocations: Option<&licentia::RevocationList>) {
    let (fields, environment) = match fields {
        [rest @ .., root] if rest.len() == 8 => (
            rest,
            Some(Environment::probe_under(
                &dir().join("environments").join(root),
            )),
        ),
        _ => (fields, None),
    };
    let [file, now, product, machine, release, user, state, codes] = fields else {
        panic!("a verdict line has 8 fields, or 9 with an environment: {fields:?}");
    };
    let license: License = verifier()
        .verify(&read(file))
        .unwrap_or_else(|e| panic!("{file}: {e}"));
    let machine = (machine != "-").then(|| Fingerprint::parse(machine).unwrap());
    let mut ctx = Context::new(time(now), product);
    if let Some(machine) = &machine {
        ctx = ctx.machine(machine);
    }
    if release != "-" {
        ctx = ctx.release_date(time(release));
    }
    if user != "-" {
        ctx = ctx.user(user);
    }
    if let Some(list) = revocations {
        ctx = ctx.revocations(list);
    }
    if let Some(environment) = &environment {
        ctx = ctx.environment(environment);
    }
    let report = license.check(&ctx);
    let found: Vec<String> = report
        .findings
        .iter()
        .map(|f| f.rule.code().to_string())
        .collect();
    let found = if found.is_empty() {
        "-".to_owned()
    } else {
        found.join(",")
    };
    assert_eq!(
        (report.state.name(), found.as_str()),
        (state.as_str(), codes.as_str()),
        "{}",
        fields.join(" ")
    );
}

#[test]
fn verdicts_replay() {
    let lines = table("verdicts.txt");
    let mut seen = BTreeSet::new();
    for fields in &lines {
        check_line(fields, None);
        seen.extend(
            fields[7]
                .split(',')
                .filter(|c| *c != "-")
                .map(|c| c.parse::<u32>().unwrap()),
        );
        seen.insert(if fields[6] == "invalid" { 0 } else { 1 });
    }
    // Every rule but those of a revocation list (revoked.txt) fails
    // somewhere, and lines pass too.
    let expected: BTreeSet<u32> = Rule::ALL
        .iter()
        .map(|r| r.code())
        .filter(|c| ![Rule::Revoked.code(), Rule::MachineReleased.code()].contains(c))
        .chain([0, 1])
        .collect();
    assert_eq!(seen, expected);
}

#[test]
fn revoked_replay() {
    let (mut seen_revoked, mut seen_released) = (false, false);
    for fields in table("revoked.txt") {
        let list = verifier()
            .verify_revocation_list(&read(&fields[0]), &fields[3])
            .unwrap();
        check_line(&fields[1..], Some(&list));
        seen_revoked |= fields[8].contains("102");
        seen_released |= fields[8].contains("110");
    }
    assert!(seen_revoked && seen_released);
}

#[test]
fn errors_replay_and_every_invalid_file_is_listed() {
    let mut listed = BTreeSet::new();
    for fields in table("errors.txt") {
        let [file, code, name] = &fields[..] else {
            panic!("an errors line has 3 fields: {fields:?}");
        };
        assert_eq!(file, &format!("invalid/{name}.lic"));
        let bytes = std::fs::read(dir().join(file)).unwrap();
        let err = match String::from_utf8(bytes) {
            Ok(text) => verifier().verify(&text).unwrap_err(),
            Err(_) => panic!("{file} is not UTF-8"),
        };
        assert_eq!(err.code().to_string(), *code, "{file}: {err}");
        listed.insert(file.clone());
    }
    let on_disk: BTreeSet<String> = std::fs::read_dir(dir().join("invalid"))
        .unwrap()
        .map(|e| format!("invalid/{}", e.unwrap().file_name().to_string_lossy()))
        .collect();
    assert_eq!(listed, on_disk);
}

#[test]
fn invalid_files_fail_for_the_reason_in_their_name() {
    // The codes alone group several failures; the variants tell them apart.
    let v = verifier();
    let err = |name: &str| v.verify(&read(&format!("invalid/{name}.lic"))).unwrap_err();
    assert!(matches!(
        err("text_too_large"),
        Error::TooLarge { what: "text", .. }
    ));
    assert!(matches!(
        err("envelope_too_large"),
        Error::TooLarge {
            what: "envelope",
            ..
        }
    ));
    assert_eq!(
        err("version_unsupported"),
        Error::UnsupportedVersion { found: 4 }
    );
    assert_eq!(err("kind_unknown"), Error::UnknownDocumentKind(99));
    assert_eq!(
        err("key_unknown"),
        Error::UnknownKeyId(SigningKey::from_seed(&[0x22; 32]).key_id())
    );
}

#[test]
fn documents_replay() {
    let mut v = verifier();
    let machine_a = Fingerprint::builder("acme-cad")
        .vendor("serial", "SN-0001")
        .vendor("board", "BRD-0001")
        .vendor("disk", "DSK-0001")
        .build()
        .unwrap();

    // Lease: its own kind, both text forms.
    for file in ["documents/lease.lease", "documents/lease.compact"] {
        let lease = v.verify_lease(&read(file)).unwrap();
        assert!(lease.is_lease());
        let ctx = Context::new(time("2026-03-01T07:59:59Z"), "acme-cad").machine(&machine_a);
        assert_eq!(lease.check(&ctx).state, State::Valid);
        let ctx = Context::new(time("2026-03-01T08:00:00Z"), "acme-cad").machine(&machine_a);
        assert!(lease.check(&ctx).has(Rule::Expired));
        assert!(v.verify(&read(file)).is_err(), "a lease is not a license");
    }

    // Renewal tokens for licenses/terms.lic.
    let mut terms = v.verify(&read("licenses/terms.lic")).unwrap();
    let after = Context::new(time("2027-01-01T00:00:00Z"), "acme-cad");
    assert!(terms.check(&after).has(Rule::Expired));
    for file in [
        "documents/renewal_extend.renewal",
        "documents/renewal_extend.compact",
    ] {
        let token = v.verify_renewal(&read(file)).unwrap();
        assert!(matches!(token.action, RenewalAction::ExtendTo { .. }));
        terms.apply_renewal(&token).unwrap();
    }
    assert_eq!(terms.check(&after).state, State::Valid);
    let feature = v
        .verify_renewal(&read("documents/renewal_feature.renewal"))
        .unwrap();
    assert!(!terms.has_feature("plugins", after.now));
    terms.apply_renewal(&feature).unwrap();
    assert_eq!(
        terms.entitlement("plugins", after.now).unwrap().count,
        Some(2)
    );
    let mut unbound = v.verify(&read("licenses/unbound.lic")).unwrap();
    assert_eq!(unbound.apply_renewal(&feature), Err(Error::RenewalMismatch));

    // Revocation lists: the second replaces the first, never the reverse.
    let first = v
        .verify_revocation_list(&read("documents/revocation_1.revocation"), "acme-cad")
        .unwrap();
    let second = v
        .verify_revocation_list(&read("documents/revocation_2.revocation"), "acme-cad")
        .unwrap();
    assert_eq!(
        v.verify_revocation_list(
            &read("documents/revocation_unsorted.revocation"),
            "acme-cad"
        ),
        Err(Error::MalformedBody)
    );
    let mut held = Some(second);
    assert!(matches!(
        licentia::RevocationList::replace(&mut held, first),
        Err(Error::StaleRevocationList {
            held: 2,
            offered: 1
        })
    ));

    // Rollover: unknown key first; the untrusted statement changes nothing;
    // the trusted one makes the new key's license verify.
    let by_new_key = read("documents/rollover_license.lic");
    let new_id = SigningKey::from_seed(&[0x33; 32]).key_id();
    assert_eq!(
        v.verify(&by_new_key).unwrap_err(),
        Error::UnknownKeyId(new_id)
    );
    assert!(matches!(
        v.accept_rollover(&read("documents/rollover_untrusted.rollover")),
        Err(Error::UnknownKeyId(_))
    ));
    assert!(v.verify(&by_new_key).is_err());
    let new_key = v
        .accept_rollover(&read("documents/rollover.rollover"))
        .unwrap();
    assert_eq!(new_key, PublicKey::from_pem(&read("keys/new.pub")).unwrap());
    assert_eq!(v.verify(&by_new_key).unwrap().key_id(), new_id);

    // Offline activation: the request parses; its answer is accepted on
    // machine a inside the window, and the license it carries is valid there.
    let request = ActivationRequest::parse(&read("documents/activation.request")).unwrap();
    assert_eq!(request.fingerprint, machine_a);
    assert_eq!(request.nonce, [0x5a; 16]);
    let answer = read("documents/activation.answer");
    let activated = request
        .accept(&answer, &verifier(), time("2026-03-02T00:00:00Z"))
        .unwrap();
    let ctx = Context::new(time("2026-03-02T00:00:00Z"), "acme-cad").machine(&machine_a);
    assert_eq!(activated.license.check(&ctx).state, State::Valid);
    assert_eq!(
        verifier().verify(&activated.license_file).unwrap(),
        activated.license
    );
    assert!(matches!(
        request.accept(&answer, &verifier(), time("2026-03-08T00:00:00Z")),
        Err(Error::ActivationMismatch(_))
    ));

    // A usage report reads back as written.
    let report = licentia::UsageReport::parse(&read("documents/usage.report")).unwrap();
    assert_eq!(
        (report.counter, report.fingerprint.clone()),
        (3, machine_a.clone())
    );
    assert_eq!(
        report.totals[0],
        licentia::UsageTotal::new("api_calls", 1234)
    );

    // Offline deactivation: the receipt answers its request, covers the
    // file given back, and no other license.
    let request =
        licentia::DeactivationRequest::parse(&read("documents/deactivation.request")).unwrap();
    assert_eq!(request.fingerprint, machine_a);
    assert_eq!(request.nonce, [0xd3; 16]);
    let receipt = request
        .accept(&read("documents/deactivation.receipt"), &verifier())
        .unwrap();
    assert_eq!(receipt.deactivated_at, time("2026-04-02T00:00:00Z"));
    let given_back = verifier()
        .verify(&read("licenses/node_locked_most.lic"))
        .unwrap();
    receipt.covers(&given_back).unwrap();
    let other = verifier()
        .verify(&read("licenses/node_locked_all.lic"))
        .unwrap();
    assert!(matches!(
        receipt.covers(&other),
        Err(Error::ReceiptMismatch(_))
    ));
}
