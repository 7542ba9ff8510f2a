//! What a customer trying to stretch a license does (issue 6), and the exact
//! verdict rule (1xx/2xx) or error code (`Error::code`) that stops each move.

use std::panic::{catch_unwind, AssertUnwindSafe};

mod common;
use common::*;

use licentia::format::{self, DocumentKind, Envelope};
use licentia::{
    ActivationRequest, ClockGuard, ClockStatus, Component, ComponentKind, Entitlement, Error,
    Fingerprint, Issuer, License, LicenseBody, LicenseId, LicenseKind, LicenseRef, MatchRule,
    RenewalAction, Report, RevocationBody, RevocationList, Rule, SigningKey, State, Timestamp,
    Verifier, DAY, DEFAULT_CLOCK_TOLERANCE_SECS,
};

/// Someone else's key: the customer's own, or a leaked test key.
fn rogue() -> Issuer {
    Issuer::new(SigningKey::from_seed(&[0x66; 32]))
}

fn codes(report: &Report) -> Vec<u32> {
    report.findings.iter().map(|f| f.rule.code()).collect()
}

/// A machine as the product sees it: machine id, host name, and vendor
/// components, one per further value.
fn machine(values: &[&str]) -> Fingerprint {
    let components = values
        .iter()
        .enumerate()
        .map(|(i, value)| {
            let (kind, name) = match i {
                0 => (ComponentKind::MachineId, "machine-id".to_owned()),
                1 => (ComponentKind::Hostname, "hostname".to_owned()),
                n => (ComponentKind::Vendor, format!("vendor-{n}")),
            };
            Component::new(kind, PRODUCT, &name, value.as_bytes())
        })
        .collect();
    Fingerprint { components }
}

const NONE: [u32; 0] = [];

#[test]
fn clock_rolled_back_then_forward() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clock");
    let secret = b"compiled into the product";
    let end = t("2026-03-01");
    let lic = license(builder(1).hard_expiry(end));
    // One run of the product: the guard sees the clock, the verdict uses the
    // guard's high-water mark.
    let run = |now: Timestamp| -> (ClockStatus, Report) {
        let mut guard = ClockGuard::open(&path, PRODUCT, secret).unwrap();
        guard.observe_document(lic.issued_at).unwrap();
        let status = guard.observe(now).unwrap();
        let ctx = at(now).trusted_time(guard.high_water().unwrap());
        (status, lic.check(&ctx))
    };

    let (status, report) = run(t("2026-02-01"));
    assert_eq!(status, ClockStatus::Ok);
    assert_eq!(report.state, State::Valid);

    // The license expires; the customer sees 108.
    let expired_at = end.add_days(4);
    let (status, report) = run(expired_at);
    assert_eq!(status, ClockStatus::Ok);
    assert_eq!(codes(&report), [Rule::Expired.code()]);

    // The clock is set back before the expiry: not valid again, 104 instead.
    let rolled_back = end.add_days(-14);
    let (status, report) = run(rolled_back);
    assert_eq!(
        status,
        ClockStatus::RolledBack {
            high_water: expired_at
        }
    );
    assert_eq!(codes(&report), [Rule::ClockRolledBack.code()]);
    assert_eq!(report.state, State::Invalid);
    assert!(report.findings[0].message.contains("correct the clock"));
    // ... and the mark did not come down with it.
    let guard = ClockGuard::open(&path, PRODUCT, secret).unwrap();
    assert_eq!(guard.high_water(), Some(expired_at));

    // Lowering the mark in the guard file by hand is detected (3006).
    let text = std::fs::read_to_string(&path).unwrap();
    let lowered = text.replace(
        &expired_at.0.to_string(),
        &rolled_back.add_secs(-1).0.to_string(),
    );
    assert_ne!(lowered, text);
    std::fs::write(&path, &lowered).unwrap();
    let err = ClockGuard::open(&path, PRODUCT, secret).unwrap_err();
    assert_eq!((err.code(), err), (3006, Error::ClockStateTampered));
    // A guard file from another product does not open either.
    std::fs::write(&path, &text).unwrap();
    assert_eq!(
        ClockGuard::open(&path, "other-product", secret).unwrap_err(),
        Error::ClockStateTampered
    );

    // A small drift (within the tolerance) is not a rollback.
    let drift = expired_at.add_secs(-i64::from(DEFAULT_CLOCK_TOLERANCE_SECS));
    assert_eq!(run(drift).0, ClockStatus::Ok);

    // Forward again: the rollback won nothing, the license is expired (108)
    // and the clock complaint is gone by itself.
    let (status, report) = run(expired_at.add_days(1));
    assert_eq!(status, ClockStatus::Ok);
    assert_eq!(codes(&report), [Rule::Expired.code()]);

    // A license still in force: back, then forward again, recovers fully.
    let long = license(builder(2).hard_expiry(t("2027-01-01")));
    let ctx = |now: &str| at(t(now)).trusted_time(expired_at.add_days(1));
    assert_eq!(
        codes(&long.check(&ctx("2026-02-01"))),
        [Rule::ClockRolledBack.code()]
    );
    assert_eq!(codes(&long.check(&ctx("2026-03-06"))), NONE);

    // Deleting the guard file does not start it again: its witness says a
    // first run happened (3008).
    std::fs::remove_file(&path).unwrap();
    let err = ClockGuard::open(&path, PRODUCT, secret).unwrap_err();
    assert_eq!((err.code(), err), (3008, Error::ClockStateMissing));

    // With both copies deleted (and a product that does not say it ran
    // before), the license's own issue time still bounds how far back the
    // clock may go.
    std::fs::remove_file(format!("{}.witness", path.display())).unwrap();
    let (status, report) = run(lic.issued_at.add_days(-30));
    assert_eq!(
        status,
        ClockStatus::RolledBack {
            high_water: lic.issued_at
        }
    );
    assert_eq!(codes(&report), [Rule::ClockRolledBack.code()]);
}

#[test]
fn license_copied_to_another_machine() {
    let here = machine(&["mid-A", "ws-07"]);
    let text = armored(builder(1).node_locked(vec![here.clone()], MatchRule::All));
    let lic = verifier().verify(&text).unwrap();
    let now = t("2026-06-01");
    assert_eq!(lic.check(&at(now).machine(&here)).state, State::Valid);

    // The same file on another machine, even one renamed to the same host.
    for elsewhere in [
        machine(&["mid-B", "ws-42"]),
        machine(&["mid-B", "ws-07"]),
        machine(&["mid-A-clone"]),
    ] {
        let report = lic.check(&at(now).machine(&elsewhere));
        assert_eq!(codes(&report), [Rule::WrongMachine.code()], "{elsewhere:?}");
        assert!(report.findings[0].message.contains("another machine"));
    }
    // Not saying which machine this is does not help.
    assert_eq!(codes(&lic.check(&at(now))), [Rule::WrongMachine.code()]);
    // The same machine's fingerprint for another product does not match:
    // component hashes are per product.
    let for_other = Fingerprint {
        components: vec![Component::new(
            ComponentKind::MachineId,
            "other-product",
            "machine-id",
            b"mid-A",
        )],
    };
    assert_eq!(
        codes(&lic.check(&at(now).machine(&for_other))),
        [Rule::WrongMachine.code()]
    );

    // Offline activation: the answer for machine A is refused by machine B's
    // request, and the license file it carries is locked to A.
    let machine_b = machine(&["mid-B", "ws-42"]);
    let request = |fingerprint: Fingerprint, nonce: u8| ActivationRequest {
        product: PRODUCT.into(),
        license: LicenseRef::Key("ACME-1".into()),
        fingerprint,
        platform: "linux-x86_64".into(),
        created_at: t("2026-01-01"),
        nonce: [nonce; 16],
    };
    let request_a = request(here.clone(), 1);
    let body = builder(3)
        .node_locked(vec![here.clone()], MatchRule::All)
        .build()
        .unwrap();
    let answer = issuer()
        .answer_activation(&request_a, &body, t("2026-01-08"))
        .unwrap()
        .to_armor();
    let activated = request_a
        .accept(&answer, &verifier(), t("2026-01-02"))
        .unwrap();
    let err = request(machine_b.clone(), 2)
        .accept(&answer, &verifier(), t("2026-01-02"))
        .unwrap_err();
    assert_eq!(err.code(), 3005);
    // Even with A's nonce copied into B's request, the fingerprint differs.
    assert_eq!(
        request(machine_b.clone(), 1)
            .accept(&answer, &verifier(), t("2026-01-02"))
            .unwrap_err(),
        Error::ActivationMismatch("it is for another machine")
    );
    let copied = verifier().verify(&activated.license_file).unwrap();
    assert_eq!(
        codes(&copied.check(&at(now).machine(&machine_b))),
        [Rule::WrongMachine.code()]
    );

    // A floating seat's lease is locked to the machine that checked it out.
    let lease = issuer()
        .issue_lease(
            &builder(5)
                .node_locked(vec![here.clone()], MatchRule::All)
                .hard_expiry(now.add_days(1))
                .build()
                .unwrap(),
        )
        .unwrap()
        .to_armor();
    let lease = verifier().verify_lease(&lease).unwrap();
    assert!(lease.is_lease());
    assert_eq!(codes(&lease.check(&at(now).machine(&here))), NONE);
    assert_eq!(
        codes(&lease.check(&at(now).machine(&machine_b))),
        [Rule::WrongMachine.code()]
    );

    // A hand-made activation that lists the (easily copied) host name twice,
    // so that under `two` the host name alone would be enough on any machine:
    // refused as a fingerprint (3007), and a license signed with it anyway
    // still counts the host name once.
    let doubled = Fingerprint {
        components: vec![
            machine(&["x", "ws-07"]).components[1],
            machine(&["x", "ws-07"]).components[1],
            here.components[0],
        ],
    };
    let err = Fingerprint::parse(&doubled.to_string()).unwrap_err();
    assert_eq!(err.code(), 3007);
    assert!(err.to_string().contains("twice"), "{err}");
    let mut signed = builder(4).build().unwrap();
    signed.binding = licentia::Binding::NodeLocked {
        machines: vec![doubled],
        rule: MatchRule::Two,
    };
    assert!(issuer()
        .issue(&signed)
        .unwrap_err()
        .to_string()
        .contains("twice"));
    let hand_signed = Envelope::seal(
        DocumentKind::License,
        &key(),
        postcard::to_allocvec(&signed).unwrap(),
    )
    .unwrap()
    .to_armor();
    let lic = verifier().verify(&hand_signed).unwrap();
    assert_eq!(
        codes(&lic.check(&at(now).machine(&machine(&["mid-B", "ws-07"])))),
        [Rule::WrongMachine.code()]
    );
    assert_eq!(codes(&lic.check(&at(now).machine(&here))), NONE);
}

#[test]
fn machine_with_one_component_changed_under_each_match_rule() {
    let values = ["mid-1", "host-1", "disk-1", "board-1"];
    let now = t("2026-06-01");
    for n in 1..=values.len() {
        let licensed = machine(&values[..n]);
        for (rule, accepted) in [
            // All: any change is refused.
            (MatchRule::All, false),
            // Most: n-1 of n is more than half from 3 components on.
            (MatchRule::Most, n >= 3),
            // Two: two must still match (all of them when fewer than two).
            (MatchRule::Two, n >= 3),
            // Any: one left is enough.
            (MatchRule::Any, n >= 2),
        ] {
            let lic = license(builder(1).node_locked(vec![licensed.clone()], rule));
            assert_eq!(codes(&lic.check(&at(now).machine(&licensed))), NONE);
            for changed in 0..n {
                let mut here = values[..n].to_vec();
                let new_value = format!("{}-replaced", values[changed]);
                here[changed] = &new_value;
                let report = lic.check(&at(now).machine(&machine(&here)));
                let expected: &[u32] = if accepted {
                    &NONE
                } else {
                    &[Rule::WrongMachine.code()]
                };
                assert_eq!(
                    codes(&report),
                    expected,
                    "{rule:?}, {n} components, component {changed} changed"
                );
            }
            // A machine that gained a component (a new disk) still matches.
            let mut grown = values[..n].to_vec();
            grown.push("usb-dongle");
            assert_eq!(codes(&lic.check(&at(now).machine(&machine(&grown)))), NONE);
        }
    }
}

fn revocation_list(
    issuer: &Issuer,
    product: &str,
    sequence: u64,
    issued_at: &str,
    revoked: &[LicenseId],
) -> String {
    let body = RevocationBody {
        product: product.into(),
        sequence,
        issued_at: t(issued_at),
        licenses: revoked.to_vec(),
        ..Default::default()
    };
    issuer.revocation_list(&body).unwrap().to_armor()
}

#[test]
fn revocation_list_replaced_by_an_older_one() {
    let lic = license(builder(7));
    let now = t("2026-06-01");
    let v = verifier();
    let list = |sequence, issued: &str, revoked: &[LicenseId]| {
        v.verify_revocation_list(
            &revocation_list(&issuer(), PRODUCT, sequence, issued, revoked),
            PRODUCT,
        )
        .unwrap()
    };
    let mut held = None;
    RevocationList::replace(&mut held, list(1, "2026-02-01", &[])).unwrap();
    RevocationList::replace(&mut held, list(2, "2026-03-01", &[lic.id])).unwrap();
    let check = |held: &Option<RevocationList>| {
        codes(&lic.check(&at(now).revocations(held.as_ref().unwrap())))
    };
    assert_eq!(check(&held), [Rule::Revoked.code()]);

    // The older list (which does not name the license) is refused with 3003,
    // even re-signed later: the sequence decides, not the date.
    for older in [list(1, "2026-02-01", &[]), list(1, "2026-05-01", &[])] {
        let err = RevocationList::replace(&mut held, older).unwrap_err();
        assert_eq!(
            err,
            Error::StaleRevocationList {
                held: 2,
                offered: 1
            }
        );
        assert_eq!(err.code(), 3003);
        assert_eq!(check(&held), [Rule::Revoked.code()]);
    }
    // So is another list under the same number.
    assert_eq!(
        RevocationList::replace(&mut held, list(2, "2026-03-02", &[])),
        Err(Error::StaleRevocationList {
            held: 2,
            offered: 2
        })
    );
    // A newer list for another product does not open (3004)...
    let err = v
        .verify_revocation_list(
            &revocation_list(&issuer(), "other", 9, "2026-04-01", &[]),
            PRODUCT,
        )
        .unwrap_err();
    assert_eq!(err.code(), 3004);
    // ... nor a newer one signed by the customer (2001).
    let err = v
        .verify_revocation_list(
            &revocation_list(&rogue(), PRODUCT, 9, "2026-04-01", &[]),
            PRODUCT,
        )
        .unwrap_err();
    assert_eq!(err.code(), 2001);
    assert_eq!(check(&held), [Rule::Revoked.code()]);
    assert_eq!(held.as_ref().unwrap().sequence, 2);
}

fn renewal(issuer: &Issuer, lic: &License, to: &str) -> String {
    let action = RenewalAction::ExtendTo {
        hard_expiry: t(to),
        soft_expiry: None,
    };
    issuer
        .renewal(lic, action, t("2026-11-01"))
        .unwrap()
        .to_armor()
}

#[test]
fn renewal_token_applied_to_the_wrong_license() {
    let end = t("2026-12-01");
    let later = t("2027-06-01");
    let mine = license(builder(1).hard_expiry(end));
    let token = verifier()
        .verify_renewal(&renewal(&issuer(), &mine, "2028-01-01"))
        .unwrap();

    // Another customer's license, and a re-issue of mine under the same id
    // (other terms): the token fits neither (3002), and neither changes.
    let theirs = license(builder(2).hard_expiry(end));
    let reissued = license(builder(1).hard_expiry(end).seats(5));
    for other in [theirs, reissued] {
        let mut other = other;
        let before = other.clone();
        let err = other.apply_renewal(&token).unwrap_err();
        assert_eq!((err.code(), &err), (3002, &Error::RenewalMismatch));
        assert_eq!(other, before);
        assert_eq!(codes(&other.check(&at(later))), [Rule::Expired.code()]);
    }

    // Its own license takes it, and a second application changes nothing.
    let mut renewed = mine.clone();
    renewed.apply_renewal(&token).unwrap();
    renewed.apply_renewal(&token).unwrap();
    assert_eq!(renewed.terms.hard_expiry, Some(t("2028-01-01")));
    assert_eq!(codes(&renewed.check(&at(later))), NONE);

    // A token the customer signed for their own license does not open (2001);
    // the token's text is not a license either (1009).
    let forged = renewal(&rogue(), &mine, "2099-01-01");
    assert_eq!(verifier().verify_renewal(&forged).unwrap_err().code(), 2001);
    let text = renewal(&issuer(), &mine, "2028-01-01");
    assert_eq!(
        verifier().verify(&text).unwrap_err(),
        Error::WrongDocumentKind {
            expected: DocumentKind::License,
            found: DocumentKind::RenewalToken
        }
    );
}

#[test]
fn rollover_statement_signed_by_an_untrusted_key() {
    let attacker_key = SigningKey::from_seed(&[0x77; 32]);
    let by_attacker = Issuer::new(attacker_key.clone())
        .issue(&builder(1).build().unwrap())
        .unwrap()
        .to_armor();
    let mut v = verifier();
    let trusted_before = v.keys().to_vec();

    // Endorsed by a key the product does not trust: 2001, nothing changes.
    let statement = rogue()
        .rollover(attacker_key.public_key(), None, None, t("2026-01-01"))
        .unwrap();
    let err = v.accept_rollover(&statement.to_armor()).unwrap_err();
    assert_eq!(err, Error::UnknownKeyId(rogue().public_key().key_id()));
    assert_eq!(err.code(), 2001);
    assert_eq!(v.keys(), trusted_before.as_slice());
    assert_eq!(
        v.verify(&by_attacker).unwrap_err(),
        Error::UnknownKeyId(attacker_key.key_id())
    );

    // The same statement relabelled with the trusted key's id: 2002.
    let mut relabelled = statement.clone();
    relabelled.key_id = key().key_id();
    let err = v.accept_rollover(&relabelled.to_armor()).unwrap_err();
    assert_eq!((err.code(), err), (2002, Error::BadSignature));
    assert_eq!(v.keys(), trusted_before.as_slice());

    // A key trusted only for a window cannot endorse anything outside it
    // (2003): a legitimately rolled-over key, then retired, stays retired.
    let retired = Issuer::new(SigningKey::from_seed(&[0x22; 32]));
    let window_end = t("2026-07-01");
    v.accept_rollover(
        &issuer()
            .rollover(
                retired.public_key(),
                Some(t("2026-01-01")),
                Some(window_end),
                t("2026-01-01"),
            )
            .unwrap()
            .to_armor(),
    )
    .unwrap();
    let late = retired
        .rollover(attacker_key.public_key(), None, None, window_end)
        .unwrap()
        .to_armor();
    let err = v.accept_rollover(&late).unwrap_err();
    assert_eq!(err, Error::KeyNotValidAt(retired.public_key().key_id()));
    assert_eq!(err.code(), 2003);
    assert_eq!(
        v.verify(&by_attacker).unwrap_err(),
        Error::UnknownKeyId(attacker_key.key_id())
    );
    assert_eq!(v.keys().len(), trusted_before.len() + 1);

    // A key that was trusted, then stolen: the thief endorses their own key
    // with it. Once the vendor revokes the stolen key, the thief's licenses
    // are revoked too (102): nothing a revoked key signed is honoured, its
    // endorsements included. The vendor's own licenses are unaffected.
    let stolen = Issuer::new(SigningKey::from_seed(&[0x23; 32]));
    let mut v = verifier();
    for statement in [
        issuer().rollover(stolen.public_key(), None, None, t("2026-01-01")),
        stolen.rollover(attacker_key.public_key(), None, None, t("2026-02-01")),
    ] {
        v.accept_rollover(&statement.unwrap().to_armor()).unwrap();
    }
    let thiefs = v.verify(&by_attacker).unwrap();
    assert_eq!(
        thiefs.endorsers(),
        [stolen.public_key().key_id(), key().key_id()]
    );
    let now = t("2026-06-01");
    assert_eq!(codes(&thiefs.check(&at(now))), NONE);
    let body = RevocationBody {
        product: PRODUCT.into(),
        sequence: 1,
        issued_at: t("2026-03-01"),
        keys: vec![stolen.public_key().key_id()],
        ..Default::default()
    };
    let list = v
        .verify_revocation_list(
            &issuer().revocation_list(&body).unwrap().to_armor(),
            PRODUCT,
        )
        .unwrap();
    let report = thiefs.check(&at(now).revocations(&list));
    assert_eq!(codes(&report), [Rule::Revoked.code()]);
    assert!(report.findings[0].message.contains("endorsed"), "{report}");
    let by_stolen = v.verify(
        &stolen
            .issue(&builder(3).build().unwrap())
            .unwrap()
            .to_armor(),
    );
    assert_eq!(
        codes(&by_stolen.unwrap().check(&at(now).revocations(&list))),
        [Rule::Revoked.code()]
    );
    let own = v.verify(&armored(builder(4))).unwrap();
    assert!(own.endorsers().is_empty());
    assert_eq!(codes(&own.check(&at(now).revocations(&list))), NONE);
}

#[test]
fn temporary_license_used_past_its_end() {
    let old_machine = machine(&["mid-old", "ws-07"]);
    let new_machine = machine(&["mid-new", "ws-07"]);
    let original = license(
        builder(1)
            .node_locked(vec![old_machine.clone()], MatchRule::All)
            .hard_expiry(t("2028-01-01")),
    );
    let end = t("2026-01-08");
    let temporary = license(
        builder(2)
            .temporary(original.id)
            .node_locked(vec![new_machine.clone()], MatchRule::All)
            .hard_expiry(end)
            .grace_days(1),
    );
    assert_eq!(
        temporary.kind,
        LicenseKind::Temporary {
            replaces: original.id
        }
    );
    let on_new = |now: Timestamp| codes(&temporary.check(&at(now).machine(&new_machine)));
    assert_eq!(on_new(end.add_secs(-1)), NONE);
    // Past its end: one day's grace with a warning (202), then denied (108).
    let report = temporary.check(&at(end).machine(&new_machine));
    assert_eq!(codes(&report), [Rule::InGrace.code()]);
    assert_eq!(report.grace_remaining_secs, Some(DAY));
    assert_eq!(on_new(end.add_days(1)), [Rule::Expired.code()]);
    assert_eq!(on_new(end.add_days(365)), [Rule::Expired.code()]);
    // Setting the clock back, once the guard saw the end, is 104.
    let seen = end.add_days(3);
    assert_eq!(
        codes(
            &temporary.check(
                &at(end.add_days(-2))
                    .machine(&new_machine)
                    .trusted_time(seen)
            )
        ),
        [Rule::ClockRolledBack.code()]
    );
    // Moving it to the old machine does not help (105, and still 108).
    assert_eq!(
        codes(&temporary.check(&at(end.add_days(2)).machine(&old_machine))),
        [Rule::WrongMachine.code(), Rule::Expired.code()]
    );
    // The original's renewal token does not extend the temporary one (3002).
    let token = verifier()
        .verify_renewal(&renewal(&issuer(), &original, "2029-01-01"))
        .unwrap();
    let mut stretched = temporary.clone();
    assert_eq!(stretched.apply_renewal(&token), Err(Error::RenewalMismatch));
    assert_eq!(stretched.terms.hard_expiry, Some(end));
}

/// One edit of a license body, as someone with a text editor and the format
/// description would make it.
type Edit = fn(&mut LicenseBody);

#[test]
fn license_file_edited_by_hand_in_every_field() {
    let body = every_field(1, machine(&["mid-A", "ws-07"]));
    let envelope = issuer().issue(&body).unwrap();
    let v = verifier();
    assert_eq!(v.verify(&envelope.to_armor()).unwrap().body(), &body);

    // Every body field, edited and re-encoded canonically, not re-signed: 2002.
    let edits: [(&str, Edit); 14] = [
        ("license id", |b| b.id = LicenseId([2; 16])),
        ("product", |b| b.product = "acme-cam".into()),
        ("licensee", |b| b.licensee.name = "Mallory".into()),
        ("issued at", |b| b.issued_at = b.issued_at.add_days(300)),
        ("kind", |b| b.kind = LicenseKind::Trial),
        ("machines", |b| b.binding = licentia::Binding::Unbound),
        ("seats", |b| b.seats = 500),
        ("features", |b| {
            b.entitlements.push(Entitlement::new("everything"))
        }),
        ("feature count", |b| b.entitlements[1].count = Some(4000)),
        ("metadata", |b| b.metadata[0].1 = "enterprise".into()),
        ("expiry", |b| b.terms.hard_expiry = Some(t("2099-01-01"))),
        ("grace", |b| b.terms.grace_secs = Some(u32::MAX)),
        ("updates until", |b| b.terms.updates_until = None),
        ("check-in", |b| b.terms.check_in = None),
    ];
    for (field, edit) in edits {
        let mut edited_body = body.clone();
        edit(&mut edited_body);
        assert_ne!(edited_body, body, "{field}");
        let mut edited = envelope.clone();
        edited.body = postcard::to_allocvec(&edited_body).unwrap();
        for text in [edited.to_armor(), edited.to_compact()] {
            assert_eq!(v.verify(&text), Err(Error::BadSignature), "{field}");
        }
    }

    // The envelope's own fields.
    let mut edited = envelope.clone();
    edited.key_id = rogue().public_key().key_id();
    assert_eq!(
        v.verify(&edited.to_armor()).unwrap_err().code(),
        2001,
        "key id"
    );
    let both = Verifier::new([key().public_key().clone(), rogue().public_key().clone()]);
    assert_eq!(
        both.verify(&edited.to_armor()),
        Err(Error::BadSignature),
        "key id of another trusted key"
    );
    let mut edited = envelope.clone();
    edited.signature[17] ^= 0x40;
    assert_eq!(v.verify(&edited.to_armor()), Err(Error::BadSignature));
    let mut bytes = envelope.to_bytes();
    bytes[0] = 4;
    assert_eq!(
        v.verify(&format::armor(DocumentKind::License, &bytes)),
        Err(Error::UnsupportedVersion { found: 4 }),
        "version"
    );
    // Versions 2 and 3 are a licence's too (environment terms, meters):
    // the version is signed, so relabelling a version 1 file fails the
    // signature.
    bytes[0] = 3;
    assert_eq!(
        v.verify(&format::armor(DocumentKind::License, &bytes)),
        Err(Error::BadSignature),
        "version 1 relabelled 3"
    );
    bytes[0] = 2;
    assert_eq!(
        v.verify(&format::armor(DocumentKind::License, &bytes)),
        Err(Error::BadSignature),
        "version 1 relabelled 2"
    );
    let mut bytes = envelope.to_bytes();
    bytes[1] = DocumentKind::Lease as u8;
    assert_eq!(
        v.verify(&format::armor(DocumentKind::License, &bytes))
            .unwrap_err()
            .code(),
        1009,
        "kind byte"
    );
    // A body edited into something that no longer decodes: 2002 first (the
    // signature is checked before a single field is read).
    let mut edited = envelope.clone();
    edited.body.push(0);
    assert_eq!(v.verify(&edited.to_armor()), Err(Error::BadSignature));

    // The armor text itself: each character of the base64, replaced by each
    // other character a hand might type, fails with a clear error (a
    // format error or the signature), never a panic, never a license.
    let text = envelope.to_armor();
    let allowed = [1005, 1006, 1007, 1008, 1009, 1010, 2001, 2002];
    let typed = "AZaz09+/=!- .";
    let mut seen = std::collections::BTreeSet::new();
    let payload_start = text.find('\n').unwrap() + 1;
    let payload_end = text.find("-----END").unwrap();
    for i in payload_start..payload_end {
        let original = text.as_bytes()[i];
        if original == b'\n' {
            continue;
        }
        for replacement in typed.bytes().filter(|&c| c != original) {
            let mut edited = text.clone().into_bytes();
            edited[i] = replacement;
            let edited = String::from_utf8(edited).unwrap();
            let result = catch_unwind(AssertUnwindSafe(|| v.verify(&edited)))
                .unwrap_or_else(|_| panic!("panic at {i} with {:?}", replacement as char));
            let err = result.expect_err("an edited license verified");
            assert!(allowed.contains(&err.code()), "{i}: {err:?}");
            assert!(!err.to_string().is_empty());
            seen.insert(err.code());
        }
    }
    assert!(seen.contains(&1005) && seen.contains(&2002), "{seen:?}");

    // The armor's frame: label, dashes, END line.
    let cases = [
        (text.replacen("LICENSE", "LICENCE", 1), 1002),
        (text.replacen("-----BEGIN", "----BEGIN", 1), 1002),
        (
            text.replace("END LICENTIA LICENSE", "END LICENTIA LEASE"),
            1003,
        ),
        (text.replacen("LICENSE", "LEASE", 2), 1009),
        (text.replace("-----END LICENTIA LICENSE-----\n", ""), 1003),
        (format!("{text}edited\n"), 1004),
    ];
    for (edited, code) in cases {
        assert_eq!(v.verify(&edited).unwrap_err().code(), code, "{edited}");
    }
    // A line of the payload dropped or duplicated.
    let lines: Vec<&str> = text.lines().collect();
    let mut dropped = lines.clone();
    dropped.remove(2);
    let mut doubled = lines.clone();
    doubled.insert(2, lines[2]);
    for edited in [dropped, doubled] {
        let err = v.verify(&edited.join("\n")).unwrap_err();
        assert!(allowed.contains(&err.code()), "{err:?}");
    }
    // The compact form edited the same way, one character at a time.
    let compact = envelope.to_compact();
    for i in 4..compact.len() {
        let mut edited = compact.clone().into_bytes();
        edited[i] = if edited[i] == b'A' { b'B' } else { b'A' };
        let edited = String::from_utf8(edited).unwrap();
        let err = catch_unwind(AssertUnwindSafe(|| v.verify(&edited)))
            .unwrap()
            .expect_err("an edited compact license verified");
        assert!(allowed.contains(&err.code()), "{i}: {err:?}");
    }
}
