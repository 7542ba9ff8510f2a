//! Every verdict rule and every binding, one second on each side of each term.

mod common;
use common::{at, issuer, license, t, verifier, PRODUCT};

use licentia::{
    Binding, Context, DocumentKind, Entitlement, Envelope, Error, Fingerprint, License,
    LicenseBuilder, LicenseId, MatchRule, Release, ReleaseKind, RevocationBody, Rule, State,
    Timestamp, DAY, DEFAULT_CLOCK_TOLERANCE_SECS,
};

/// 2026-01-01T00:00:00Z, when every license here is issued.
fn issued() -> Timestamp {
    t("2026-01-01T00:00:00Z")
}

fn builder() -> LicenseBuilder {
    common::builder(7)
}

fn codes(license: &License, ctx: &Context<'_>) -> Vec<u32> {
    license
        .check(ctx)
        .findings
        .iter()
        .map(|f| f.rule.code())
        .collect()
}

fn machine(parts: [&str; 3]) -> Fingerprint {
    Fingerprint::builder(PRODUCT)
        .vendor("serial", parts[0])
        .vendor("board", parts[1])
        .vendor("disk", parts[2])
        .build()
        .unwrap()
}

#[test]
fn rule_codes_are_stable_and_severities_follow_them() {
    let expected = [
        (101, "wrong_product"),
        (102, "revoked"),
        (103, "not_yet_valid"),
        (104, "clock_rolled_back"),
        (105, "wrong_machine"),
        (106, "wrong_user"),
        (107, "version_not_covered"),
        (108, "expired"),
        (109, "check_in_overdue"),
        (110, "machine_released"),
        (111, "virtual_machine_not_allowed"),
        (112, "container_not_allowed"),
        (201, "renew_soon"),
        (202, "in_grace"),
        (203, "check_in_due"),
    ];
    let found: Vec<(u32, &str)> = Rule::ALL.iter().map(|r| (r.code(), r.name())).collect();
    assert_eq!(found, expected);
    for rule in Rule::ALL {
        assert_eq!(Rule::from_code(rule.code()), Some(rule));
    }
    assert_eq!(Rule::from_code(113), None);
}

#[test]
fn a_plain_license_is_valid_with_nothing_to_say() {
    let lic = license(builder());
    let report = lic.check(&at(t("2030-01-01T00:00:00Z")));
    assert_eq!(report.state, State::Valid);
    assert!(report.findings.is_empty());
    assert_eq!(report.grace_remaining_secs, None);
}

#[test]
fn wrong_product_101() {
    let lic = license(builder());
    let now = t("2026-06-01T00:00:00Z");
    assert_eq!(codes(&lic, &at(now)), [] as [u32; 0]);
    for product in ["acme-cam", "ACME-CAD", "acme-cad ", ""] {
        let report = lic.check(&Context::new(now, product));
        assert_eq!(report.state, State::Invalid, "{product:?}");
        assert_eq!(codes(&lic, &Context::new(now, product)), [101]);
        assert!(report.findings[0].message.contains("acme-cad"));
    }
}

#[test]
fn revoked_102_by_license_key_or_machine() {
    let here = machine(["SN-1", "B-1", "D-1"]);
    let lic = license(builder().node_locked(vec![here.clone()], MatchRule::Most));
    let now = t("2026-06-01T00:00:00Z");
    let list = |body: RevocationBody| {
        let text = issuer().revocation_list(&body).unwrap().to_armor();
        verifier().verify_revocation_list(&text, PRODUCT).unwrap()
    };
    let base = RevocationBody {
        product: PRODUCT.into(),
        sequence: 1,
        issued_at: issued(),
        ..Default::default()
    };
    let nothing = list(RevocationBody {
        licenses: vec![LicenseId([8; 16])],
        ..base.clone()
    });
    let by_id = list(RevocationBody {
        licenses: vec![LicenseId([7; 16])],
        ..base.clone()
    });
    let by_key = list(RevocationBody {
        keys: vec![issuer().public_key().key_id()],
        ..base.clone()
    });
    // One of the machine's three components: enough to revoke it.
    let by_machine = list(RevocationBody {
        machines: vec![here.components[2].hash],
        ..base.clone()
    });
    let ctx = at(now).machine(&here);
    assert_eq!(codes(&lic, &ctx.revocations(&nothing)), [] as [u32; 0]);
    for revoking in [&by_id, &by_key, &by_machine] {
        let report = lic.check(&ctx.revocations(revoking));
        assert_eq!(report.state, State::Invalid);
        assert_eq!(codes(&lic, &ctx.revocations(revoking)), [102]);
        assert!(report.findings[0].message.contains("contact the vendor"));
    }
}

#[test]
fn machine_released_110_refuses_older_copies_on_that_machine_only() {
    let here = machine(["SN-1", "B-1", "D-1"]);
    let moved = machine(["SN-1", "B-1", "D-9"]);
    let elsewhere = machine(["SN-2", "B-2", "D-2"]);
    let released_at = t("2026-03-01T00:00:00Z");
    let body = RevocationBody {
        product: PRODUCT.into(),
        sequence: 4,
        issued_at: t("2026-03-02T00:00:00Z"),
        released: vec![
            Release {
                license: LicenseId([7; 16]),
                machine: here.clone(),
                kind: ReleaseKind::Deactivated,
                at: released_at,
            },
            Release {
                license: LicenseId([9; 16]),
                machine: here.clone(),
                kind: ReleaseKind::LeaseReturned,
                at: released_at,
            },
        ],
        ..Default::default()
    };
    let envelope = issuer().revocation_list(&body).unwrap();
    assert_eq!(envelope.version, 2, "a list naming releases is version 2");
    let list = verifier()
        .verify_revocation_list(&envelope.to_armor(), PRODUCT)
        .unwrap();
    let now = t("2026-06-01T00:00:00Z");
    let locked = |rule, machines: Vec<Fingerprint>| license(builder().node_locked(machines, rule));
    // The copy signed before the release: refused on that machine, and on
    // one the license's own rule takes for it (most: 2 of 3)...
    let copy = locked(MatchRule::Most, vec![here.clone()]);
    let ctx = at(now).revocations(&list);
    assert_eq!(codes(&copy, &ctx.machine(&here)), [110]);
    assert_eq!(codes(&copy, &ctx.machine(&moved)), [110]);
    let report = copy.check(&ctx.machine(&here));
    assert_eq!(report.state, State::Invalid);
    assert!(report.findings[0]
        .message
        .contains("activate this machine again"));
    // ...not under rule all, which does not take `moved` for `here`
    // (there it is the wrong machine anyway).
    let strict = locked(MatchRule::All, vec![here.clone(), moved.clone()]);
    assert_eq!(codes(&strict, &ctx.machine(&moved)), [] as [u32; 0]);
    // The same license elsewhere holds, and so does a file signed after
    // the release (the machine activated again).
    let both = locked(MatchRule::Most, vec![here.clone(), elsewhere.clone()]);
    assert_eq!(codes(&both, &ctx.machine(&elsewhere)), [] as [u32; 0]);
    let again = license(
        builder()
            .issued_at(released_at.add_secs(1))
            .node_locked(vec![here.clone()], MatchRule::Most),
    );
    assert_eq!(codes(&again, &ctx.machine(&here)), [] as [u32; 0]);
    // Another license on that machine holds; without a machine nothing is
    // said (the binding rule speaks for node-locked files).
    let other = license(common::builder(8).node_locked(vec![here.clone()], MatchRule::Most));
    assert_eq!(codes(&other, &ctx.machine(&here)), [] as [u32; 0]);
    assert_eq!(codes(&copy, &ctx), [105]);
    // A returned lease refuses that license's leases on that machine, not
    // its own floating file.
    let floating = floating_license();
    assert_eq!(codes(&floating, &ctx.machine(&here)), [] as [u32; 0]);
    let lease_text = issuer()
        .issue_lease(
            &common::builder(9)
                .node_locked(vec![here.clone()], MatchRule::All)
                .hard_expiry(t("2026-01-02"))
                .build()
                .unwrap(),
        )
        .unwrap()
        .to_armor();
    let lease = verifier().verify_lease(&lease_text).unwrap();
    let ctx = at(t("2026-01-01T01:00:00Z")).revocations(&list);
    assert_eq!(codes(&lease, &ctx.machine(&here)), [110]);
    assert_eq!(codes(&lease, &ctx.machine(&elsewhere)), [105]);
}

/// License 9, floating, with a file of its own.
fn floating_license() -> License {
    license(common::builder(9).binding(Binding::Floating { max_machines: 5 }))
}

#[test]
fn a_list_is_version_1_without_releases_and_2_only_with_them() {
    let body = RevocationBody {
        product: PRODUCT.into(),
        sequence: 1,
        issued_at: issued(),
        licenses: vec![LicenseId([1; 16])],
        ..Default::default()
    };
    let plain = issuer().revocation_list(&body).unwrap();
    assert_eq!(plain.version, 1, "readable by every library");
    // Version 2 with no release is not the list's one encoding.
    let forced = Envelope::seal_version(
        DocumentKind::RevocationList,
        2,
        &common::key(),
        postcard::to_allocvec(&body).unwrap(),
    )
    .unwrap();
    assert_eq!(
        verifier().verify_revocation_list(&forced.to_armor(), PRODUCT),
        Err(Error::MalformedBody)
    );
    // Version 2 of a document kind without one is unsupported.
    assert_eq!(
        Envelope::seal_version(DocumentKind::RenewalToken, 2, &common::key(), vec![]),
        Err(Error::UnsupportedVersion { found: 2 })
    );
}

#[test]
fn not_yet_valid_103() {
    let from = t("2026-02-01T00:00:00Z");
    let lic = license(builder().valid_from(from));
    assert_eq!(codes(&lic, &at(from.add_secs(-1))), [103]);
    assert_eq!(codes(&lic, &at(from)), [] as [u32; 0]);
    assert_eq!(codes(&lic, &at(from.add_secs(1))), [] as [u32; 0]);
}

#[test]
fn clock_rolled_back_104_against_issue_time_and_trusted_time() {
    let lic = license(builder());
    let tolerance = i64::from(DEFAULT_CLOCK_TOLERANCE_SECS);
    // Against the issue time, with the default tolerance.
    assert_eq!(
        codes(&lic, &at(issued().add_secs(-tolerance))),
        [] as [u32; 0]
    );
    assert_eq!(codes(&lic, &at(issued().add_secs(-tolerance - 1))), [104]);
    // Against the clock guard's high-water mark.
    let seen = t("2026-05-01T00:00:00Z");
    let ctx = |now: Timestamp| at(now).trusted_time(seen);
    assert_eq!(codes(&lic, &ctx(seen.add_secs(-tolerance))), [] as [u32; 0]);
    assert_eq!(codes(&lic, &ctx(seen.add_secs(-tolerance - 1))), [104]);
    // A high-water mark older than the issue time does not lower the bar.
    let old = at(issued().add_secs(-tolerance - 1)).trusted_time(t("2020-01-01"));
    assert_eq!(codes(&lic, &old), [104]);
    // A configured tolerance.
    let mut strict = at(seen.add_secs(-1)).trusted_time(seen);
    strict.clock_tolerance_secs = 0;
    assert_eq!(codes(&lic, &strict), [104]);
    strict.now = seen;
    assert_eq!(codes(&lic, &strict), [] as [u32; 0]);
}

#[cfg(feature = "std")]
#[test]
fn clock_guard_feeds_the_verdict() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clock");
    let mut guard = licentia::ClockGuard::open(&path, PRODUCT, b"app secret").unwrap();
    let later = t("2026-08-01T00:00:00Z");
    guard.observe(later).unwrap();
    let guard = licentia::ClockGuard::open(&path, PRODUCT, b"app secret").unwrap();
    let lic = license(builder());
    let ctx = at(t("2026-03-01T00:00:00Z")).trusted_time(guard.high_water().unwrap());
    assert_eq!(codes(&lic, &ctx), [104]);
}

#[test]
fn node_locked_105_under_every_match_rule() {
    let licensed = machine(["SN-1", "B-1", "D-1"]);
    // This machine shares 3, 2, 1 and 0 of the licensed machine's components.
    let shares = [
        machine(["SN-1", "B-1", "D-1"]),
        machine(["SN-1", "B-1", "D-2"]),
        machine(["SN-1", "B-2", "D-2"]),
        machine(["SN-2", "B-2", "D-2"]),
    ];
    let accepts = [
        (MatchRule::All, [true, false, false, false]),
        (MatchRule::Most, [true, true, false, false]),
        (MatchRule::Two, [true, true, false, false]),
        (MatchRule::Any, [true, true, true, false]),
    ];
    let now = t("2026-06-01T00:00:00Z");
    for (rule, expected) in accepts {
        let lic = license(builder().node_locked(vec![licensed.clone()], rule));
        for (here, ok) in shares.iter().zip(expected) {
            let found = codes(&lic, &at(now).machine(here));
            assert_eq!(found.is_empty(), ok, "{rule:?} with {here:?}");
            if !ok {
                assert_eq!(found, [105]);
            }
        }
        // No fingerprint supplied: refused, and the message says so.
        let report = lic.check(&at(now));
        assert_eq!(codes(&lic, &at(now)), [105]);
        assert!(report.findings[0]
            .message
            .contains("no machine fingerprint"));
    }
}

#[test]
fn node_locked_to_several_machines_and_small_fingerprints() {
    let a = machine(["SN-1", "B-1", "D-1"]);
    let b = machine(["SN-2", "B-2", "D-2"]);
    let now = t("2026-06-01T00:00:00Z");
    let lic = license(builder().node_locked(vec![a.clone(), b.clone()], MatchRule::All));
    assert!(codes(&lic, &at(now).machine(&a)).is_empty());
    assert!(codes(&lic, &at(now).machine(&b)).is_empty());
    // Components from both machines do not add up to either.
    let mixed = machine(["SN-1", "B-2", "D-1"]);
    assert_eq!(codes(&lic, &at(now).machine(&mixed)), [105]);
    // "Two" of a one-component machine means that one component.
    let one = Fingerprint::builder(PRODUCT)
        .vendor("pod", "uid-1")
        .build()
        .unwrap();
    let lic = license(builder().node_locked(vec![one.clone()], MatchRule::Two));
    assert!(codes(&lic, &at(now).machine(&one)).is_empty());
    let other = Fingerprint::builder(PRODUCT)
        .vendor("pod", "uid-2")
        .build()
        .unwrap();
    assert_eq!(codes(&lic, &at(now).machine(&other)), [105]);
    // The same raw values for another product are another machine.
    let elsewhere = Fingerprint::builder("other-product")
        .vendor("pod", "uid-1")
        .build()
        .unwrap();
    assert_eq!(codes(&lic, &at(now).machine(&elsewhere)), [105]);
}

#[test]
fn floating_and_unbound_ignore_the_machine() {
    let now = t("2026-06-01T00:00:00Z");
    let here = machine(["SN-9", "B-9", "D-9"]);
    for binding in [Binding::Unbound, Binding::Floating { max_machines: 3 }] {
        let lic = license(builder().binding(binding.clone()));
        assert!(codes(&lic, &at(now)).is_empty(), "{binding:?}");
        assert!(
            codes(&lic, &at(now).machine(&here)).is_empty(),
            "{binding:?}"
        );
        assert!(
            codes(&lic, &at(now).user("anyone")).is_empty(),
            "{binding:?}"
        );
    }
}

#[test]
fn named_user_106() {
    let now = t("2026-06-01T00:00:00Z");
    let lic = license(builder().binding(Binding::NamedUser {
        user: "jdoe".into(),
    }));
    assert!(codes(&lic, &at(now).user("jdoe")).is_empty());
    assert_eq!(codes(&lic, &at(now).user("JDOE")), [106]);
    assert_eq!(codes(&lic, &at(now).user("alice")), [106]);
    assert_eq!(codes(&lic, &at(now)), [106]);
}

#[test]
fn version_not_covered_107() {
    let until = t("2026-07-01T00:00:00Z");
    let lic = license(builder().updates_until(until));
    let now = t("2030-01-01T00:00:00Z");
    assert!(codes(&lic, &at(now).release_date(until.add_secs(-1))).is_empty());
    assert!(codes(&lic, &at(now).release_date(until)).is_empty());
    assert_eq!(codes(&lic, &at(now).release_date(until.add_secs(1))), [107]);
    // Without a release date there is nothing to compare.
    assert!(codes(&lic, &at(now)).is_empty());
    // Without updates-until, every release is covered.
    let perpetual = license(builder());
    assert!(codes(&perpetual, &at(now).release_date(t("2099-01-01"))).is_empty());
}

#[test]
fn hard_expiry_108_without_grace() {
    let hard = t("2026-12-01T00:00:00Z");
    let lic = license(builder().hard_expiry(hard));
    assert!(codes(&lic, &at(hard.add_secs(-1))).is_empty());
    assert_eq!(codes(&lic, &at(hard)), [108]);
    assert_eq!(codes(&lic, &at(hard.add_secs(1))), [108]);
    assert_eq!(lic.check(&at(hard)).grace_remaining_secs, None);
}

#[test]
fn grace_202_then_expired_108() {
    let hard = t("2026-12-01T00:00:00Z");
    let lic = license(builder().hard_expiry(hard).grace_days(14));
    let end = hard.add_days(14);
    assert!(codes(&lic, &at(hard.add_secs(-1))).is_empty());
    let report = lic.check(&at(hard));
    assert_eq!(
        (report.state, codes(&lic, &at(hard))),
        (State::ValidWithWarnings, vec![202])
    );
    assert_eq!(report.grace_remaining_secs, Some(14 * DAY));
    assert_eq!(report.findings[0].remaining_secs, Some(14 * DAY));
    let last = lic.check(&at(end.add_secs(-1)));
    assert_eq!(last.state, State::ValidWithWarnings);
    assert_eq!(last.grace_remaining_secs, Some(1));
    let over = lic.check(&at(end));
    assert_eq!(over.state, State::Invalid);
    assert_eq!(codes(&lic, &at(end)), [108]);
    assert_eq!(over.grace_remaining_secs, None);
}

#[test]
fn renew_soon_201_until_the_hard_expiry() {
    let soft = t("2026-11-01T00:00:00Z");
    let hard = t("2026-12-01T00:00:00Z");
    let lic = license(builder().soft_expiry(soft).hard_expiry(hard).grace_secs(60));
    assert!(codes(&lic, &at(soft.add_secs(-1))).is_empty());
    assert_eq!(codes(&lic, &at(soft)), [201]);
    assert_eq!(lic.check(&at(soft)).state, State::ValidWithWarnings);
    assert_eq!(codes(&lic, &at(hard.add_secs(-1))), [201]);
    // Once expired, the expiry finding replaces "renew soon".
    assert_eq!(codes(&lic, &at(hard)), [202]);
    assert_eq!(codes(&lic, &at(hard.add_secs(60))), [108]);
    // A soft expiry alone only ever warns.
    let soft_only = license(builder().soft_expiry(soft));
    assert_eq!(codes(&soft_only, &at(t("2099-01-01"))), [201]);
}

#[test]
fn check_in_due_203_then_overdue_109() {
    let lic = license(builder().check_in_days(30, 7));
    let due = issued().add_days(30);
    let cutoff = due.add_days(7);
    assert!(codes(&lic, &at(due.add_secs(-1))).is_empty());
    let report = lic.check(&at(due));
    assert_eq!(codes(&lic, &at(due)), [203]);
    assert_eq!(report.state, State::ValidWithWarnings);
    assert_eq!(report.grace_remaining_secs, Some(7 * DAY));
    assert_eq!(
        lic.check(&at(cutoff.add_secs(-1))).grace_remaining_secs,
        Some(1)
    );
    assert_eq!(codes(&lic, &at(cutoff)), [109]);
    assert_eq!(lic.check(&at(cutoff)).state, State::Invalid);

    // A later check-in restarts the clock; an earlier one than the issue
    // time does not count.
    let checked = t("2026-03-01T00:00:00Z");
    let ctx = |now: Timestamp| at(now).last_check_in(checked);
    assert!(codes(&lic, &ctx(checked.add_days(30).add_secs(-1))).is_empty());
    assert_eq!(codes(&lic, &ctx(checked.add_days(30))), [203]);
    assert_eq!(codes(&lic, &ctx(checked.add_days(37))), [109]);
    let stale = at(due).last_check_in(t("2025-01-01"));
    assert_eq!(codes(&lic, &stale), [203]);
}

#[test]
fn the_shortest_grace_is_reported() {
    let hard = t("2026-12-01T00:00:00Z");
    let lic = license(
        builder()
            .hard_expiry(hard)
            .grace_days(10)
            .check_in_days(330, 30),
    );
    // Check-in due 2026-11-27, cut off 2026-12-27; expiry grace ends 2026-12-11.
    let now = hard.add_days(1);
    let report = lic.check(&at(now));
    assert_eq!(codes(&lic, &at(now)), [202, 203]);
    assert_eq!(report.grace_remaining_secs, Some(9 * DAY));
}

#[test]
fn trial_and_temporary_licenses_end_at_their_hard_expiry() {
    let end = t("2026-01-31T00:00:00Z");
    let trial = license(builder().trial().hard_expiry(end));
    assert_eq!(trial.kind.name(), "trial");
    assert!(codes(&trial, &at(end.add_secs(-1))).is_empty());
    assert_eq!(codes(&trial, &at(end)), [108]);

    let replacement = machine(["SN-3", "B-3", "D-3"]);
    let temporary = license(
        builder()
            .id(LicenseId([9; 16]))
            .temporary(LicenseId([7; 16]))
            .node_locked(vec![replacement.clone()], MatchRule::All)
            .hard_expiry(issued().add_days(7)),
    );
    assert_eq!(temporary.kind.name(), "temporary");
    let ctx = |now: Timestamp| at(now).machine(&replacement);
    assert!(codes(&temporary, &ctx(issued().add_days(7).add_secs(-1))).is_empty());
    assert_eq!(codes(&temporary, &ctx(issued().add_days(7))), [108]);
    assert_eq!(codes(&temporary, &ctx(issued().add_days(30))), [108]);
}

#[test]
fn entitlements_honour_their_own_expiry() {
    let end = t("2026-09-01T00:00:00Z");
    let lic = license(
        builder()
            .entitlement(Entitlement::parse("render=8@2026-09-01").unwrap())
            .feature("export"),
    );
    assert_eq!(
        lic.entitlement("render", end.add_secs(-1)).unwrap().count,
        Some(8)
    );
    assert!(!lic.has_feature("render", end));
    assert!(lic.has_feature("export", end));
    assert!(!lic.has_feature("missing", end));
    // A lapsed feature is not a finding: the license itself stays valid.
    assert!(codes(&lic, &at(end)).is_empty());
}

#[test]
fn every_failure_is_reported_at_once_failures_first() {
    let here = machine(["SN-1", "B-1", "D-1"]);
    let elsewhere = machine(["SN-2", "B-2", "D-2"]);
    let lic = license(
        builder()
            .node_locked(vec![here], MatchRule::All)
            .valid_from(t("2026-02-01"))
            .soft_expiry(t("2026-03-01"))
            .hard_expiry(t("2026-04-01"))
            .updates_until(t("2026-01-15"))
            .check_in_days(1, 1),
    );
    let ctx = Context::new(t("2025-01-01"), "other")
        .machine(&elsewhere)
        .release_date(t("2026-06-01"));
    assert_eq!(codes(&lic, &ctx), [101, 103, 104, 105, 107]);
    let ctx = Context::new(t("2027-01-01"), "other")
        .machine(&elsewhere)
        .release_date(t("2026-06-01"));
    assert_eq!(codes(&lic, &ctx), [101, 105, 107, 108, 109]);
    let report = lic.check(&ctx);
    assert_eq!(report.state, State::Invalid);
    let text = report.to_string();
    assert!(text.starts_with("invalid"));
    assert!(text.contains("error 108 (expired)"), "{text}");
}
