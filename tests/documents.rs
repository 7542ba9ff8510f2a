//! The offline documents under attack: renewal tokens, rollovers, revocation
//! lists, activation answers and leases.

mod common;
use common::*;

use licentia::rollover::RolloverBody;
use licentia::{
    ActivationRequest, Context, DocumentKind, Entitlement, Envelope, Error, Fingerprint, Issuer,
    License, LicenseBody, LicenseId, LicenseRef, MatchRule, RenewalAction, RevocationBody,
    RevocationList, Rule, SigningKey, State, Timestamp, Verifier,
};

fn machine(serial: &str) -> Fingerprint {
    Fingerprint::builder(PRODUCT)
        .vendor("serial", serial)
        .build()
        .unwrap()
}

fn extend_to(hard: &str) -> RenewalAction {
    RenewalAction::ExtendTo {
        hard_expiry: t(hard),
        soft_expiry: None,
    }
}

fn token(issuer: &Issuer, license: &License, action: RenewalAction) -> String {
    issuer
        .renewal(license, action, t("2026-06-01"))
        .unwrap()
        .to_armor()
}

#[test]
fn a_renewal_token_extends_its_license_only() {
    let mut mine = license(builder(1).hard_expiry(t("2026-12-01")));
    let text = token(&issuer(), &mine, extend_to("2027-12-01"));
    let renewal = verifier().verify_renewal(&text).unwrap();
    let later = Context::new(t("2027-06-01"), PRODUCT);
    assert!(mine.check(&later).has(Rule::Expired));
    mine.apply_renewal(&renewal).unwrap();
    assert_eq!(mine.check(&later).state, State::Valid);
    assert_eq!(mine.terms.hard_expiry, Some(t("2027-12-01")));
    // The signed body is unchanged: the token binds to it, not to the result.
    mine.apply_renewal(&renewal).unwrap();

    // Another license.
    let mut other = license(builder(2).hard_expiry(t("2026-12-01")));
    assert_eq!(other.apply_renewal(&renewal), Err(Error::RenewalMismatch));
    // The same id, but other terms (a re-issue): the digest tells them apart.
    let mut reissued = license(builder(1).hard_expiry(t("2026-11-01")));
    assert_eq!(
        reissued.apply_renewal(&renewal),
        Err(Error::RenewalMismatch)
    );
    assert_eq!(reissued.terms.hard_expiry, Some(t("2026-11-01")));
}

#[test]
fn a_renewal_never_shortens_a_license() {
    let mut lic = license(builder(1).hard_expiry(t("2027-12-01")));
    let earlier = verifier()
        .verify_renewal(&token(&issuer(), &lic, extend_to("2027-01-01")))
        .unwrap();
    lic.apply_renewal(&earlier).unwrap();
    assert_eq!(lic.terms.hard_expiry, Some(t("2027-12-01")));

    // A perpetual license has no expiry to move: an extension must not give it one.
    let mut perpetual = license(builder(3));
    let extend = verifier()
        .verify_renewal(&token(&issuer(), &perpetual, extend_to("2027-01-01")))
        .unwrap();
    perpetual.apply_renewal(&extend).unwrap();
    assert_eq!(perpetual.terms.hard_expiry, None);
    let far = Context::new(t("2030-01-01"), PRODUCT);
    assert_eq!(perpetual.check(&far).state, State::Valid);
}

#[test]
fn a_renewal_adds_an_entitlement() {
    let mut lic = license(builder(1).feature("export"));
    let feature = Entitlement::parse("render=4@2027-01-01").unwrap();
    let text = token(&issuer(), &lic, RenewalAction::AddEntitlement(feature));
    lic.apply_renewal(&verifier().verify_renewal(&text).unwrap())
        .unwrap();
    let now = t("2026-06-01");
    assert_eq!(lic.entitlement("render", now).unwrap().count, Some(4));
    assert!(lic.has_feature("export", now));
    assert!(!lic.has_feature("render", t("2027-01-01")));
    // A bad feature code is refused when the token is signed.
    let bad = RenewalAction::AddEntitlement(Entitlement::new("no spaces"));
    assert!(matches!(
        issuer().renewal(&lic, bad, now),
        Err(Error::InvalidSpec(_))
    ));
}

#[test]
fn renewal_tokens_from_untrusted_keys_or_of_another_kind_are_refused() {
    let lic = license(builder(1).hard_expiry(t("2026-12-01")));
    let rogue = Issuer::new(SigningKey::from_seed(&[0x22; 32]));
    let text = token(&rogue, &lic, extend_to("2099-01-01"));
    assert!(matches!(
        verifier().verify_renewal(&text),
        Err(Error::UnknownKeyId(_))
    ));
    let text = token(&issuer(), &lic, extend_to("2099-01-01"));
    assert!(matches!(
        verifier().verify(&text),
        Err(Error::WrongDocumentKind { .. })
    ));
}

#[test]
fn a_rollover_signed_by_an_untrusted_key_is_refused() {
    let new_key = SigningKey::from_seed(&[0x33; 32]);
    let rogue = Issuer::new(SigningKey::from_seed(&[0x22; 32]));
    let mut v = verifier();
    let statement = rogue
        .rollover(new_key.public_key(), None, None, t("2026-01-01"))
        .unwrap()
        .to_armor();
    assert!(matches!(
        v.accept_rollover(&statement),
        Err(Error::UnknownKeyId(_))
    ));
    assert_eq!(v.keys().len(), 1);
    // A statement that names another old key than the one that signed it.
    let lying = RolloverBody {
        old_key: rogue.public_key().key_id(),
        new_key: new_key.public_key().to_bytes(),
        not_before: None,
        not_after: None,
        issued_at: t("2026-01-01"),
    };
    let sealed = Envelope::seal(
        DocumentKind::KeyRollover,
        &key(),
        postcard::to_allocvec(&lying).unwrap(),
    )
    .unwrap();
    assert_eq!(
        v.accept_rollover(&sealed.to_armor()),
        Err(Error::MalformedBody)
    );
    // A statement endorsing a weak key.
    let weak = RolloverBody {
        old_key: key().key_id(),
        new_key: {
            let mut identity = [0u8; 32];
            identity[0] = 1;
            identity
        },
        ..lying
    };
    let sealed = Envelope::seal(
        DocumentKind::KeyRollover,
        &key(),
        postcard::to_allocvec(&weak).unwrap(),
    )
    .unwrap();
    assert_eq!(v.accept_rollover(&sealed.to_armor()), Err(Error::WeakKey));
    assert_eq!(v.keys().len(), 1);
}

#[test]
fn a_trusted_rollover_makes_the_new_keys_licenses_verify_within_its_window() {
    let new_key = SigningKey::from_seed(&[0x33; 32]);
    let from = t("2026-03-01");
    let statement = issuer()
        .rollover(new_key.public_key(), Some(from), None, t("2026-02-01"))
        .unwrap()
        .to_armor();
    let sign_new = |issued: Timestamp| signed_by(&new_key, issued);
    let mut v = verifier();
    assert_eq!(
        v.verify(&sign_new(from)).unwrap_err(),
        Error::UnknownKeyId(new_key.key_id())
    );
    assert_eq!(
        v.accept_rollover(&statement).unwrap(),
        *new_key.public_key()
    );
    assert!(v.verify(&sign_new(from)).is_ok());
    assert_eq!(
        v.verify(&sign_new(from.add_secs(-1))).unwrap_err(),
        Error::KeyNotValidAt(new_key.key_id())
    );
    // The old key still works.
    assert!(v
        .verify(
            &issuer()
                .issue(&builder(1).build().unwrap())
                .unwrap()
                .to_armor()
        )
        .is_ok());
}

#[test]
fn a_replayed_rollover_never_widens_the_window_a_later_one_set() {
    let new_key = SigningKey::from_seed(&[0x34; 32]);
    // The vendor first endorsed the key from March, then (the key leaked
    // before April) narrowed it to documents issued from April.
    let wide = rollover_from(&new_key, "2026-03-01", "2026-02-01");
    let narrow = rollover_from(&new_key, "2026-04-01", "2026-03-15");
    let march_license = signed_by(&new_key, t("2026-03-10"));
    let mut v = verifier();
    v.accept_rollover(&wide).unwrap();
    assert!(v.verify(&march_license).is_ok());
    v.accept_rollover(&narrow).unwrap();
    let refused = Err(Error::KeyNotValidAt(new_key.key_id()));
    assert_eq!(v.verify(&march_license), refused);

    // The older statement replayed: refused, and the window stays narrow.
    let err = v.accept_rollover(&wide).unwrap_err();
    assert_eq!(
        (err.code(), &err),
        (
            3010,
            &Error::StaleRollover {
                held: t("2026-03-15"),
                offered: t("2026-02-01")
            }
        )
    );
    assert_eq!(v.verify(&march_license), refused);
    // The same statement again changes nothing and is not an error.
    assert_eq!(v.accept_rollover(&narrow).unwrap(), *new_key.public_key());
    assert_eq!(v.verify(&march_license), refused);

    // A window the application gave the key itself is never changed by a
    // statement.
    let mut own = verifier();
    own.trust(new_key.public_key().clone(), Some(t("2026-05-01")), None);
    own.accept_rollover(&wide).unwrap();
    assert_eq!(own.verify(&march_license), refused);
}

fn revocation(issuer: &Issuer, sequence: u64, product: &str) -> String {
    let body = RevocationBody {
        product: product.into(),
        sequence,
        issued_at: t("2026-01-01"),
        licenses: vec![LicenseId([sequence as u8; 16])],
        ..Default::default()
    };
    issuer.revocation_list(&body).unwrap().to_armor()
}

#[test]
fn a_revocation_list_is_never_replaced_by_an_older_one() {
    let v = verifier();
    let list = |n| {
        v.verify_revocation_list(&revocation(&issuer(), n, PRODUCT), PRODUCT)
            .unwrap()
    };
    let mut held = None;
    RevocationList::replace(&mut held, list(5)).unwrap();
    assert_eq!(
        RevocationList::replace(&mut held, list(4)),
        Err(Error::StaleRevocationList {
            held: 5,
            offered: 4
        })
    );
    assert_eq!(
        RevocationList::replace(&mut held, list(5)),
        Err(Error::StaleRevocationList {
            held: 5,
            offered: 5
        })
    );
    assert_eq!(held.as_ref().unwrap().sequence, 5);
    RevocationList::replace(&mut held, list(6)).unwrap();
    assert_eq!(held.unwrap().sequence, 6);
}

#[test]
fn revocation_lists_for_other_products_or_from_untrusted_keys_are_refused() {
    let v = verifier();
    assert_eq!(
        v.verify_revocation_list(&revocation(&issuer(), 1, "other"), PRODUCT),
        Err(Error::WrongProduct {
            expected: PRODUCT.into(),
            found: "other".into()
        })
    );
    let rogue = Issuer::new(SigningKey::from_seed(&[0x22; 32]));
    assert!(matches!(
        v.verify_revocation_list(&revocation(&rogue, 9, PRODUCT), PRODUCT),
        Err(Error::UnknownKeyId(_))
    ));
}

struct Activation {
    request: ActivationRequest,
    answer: String,
}

fn activation(nonce: u8, here: &Fingerprint) -> Activation {
    let request = ActivationRequest {
        product: PRODUCT.into(),
        license: LicenseRef::Key("ACME-1".into()),
        fingerprint: here.clone(),
        platform: "linux-x86_64".into(),
        created_at: t("2026-03-01T00:00:00Z"),
        nonce: [nonce; 16],
    };
    let body = builder(1)
        .issued_at(t("2026-03-01T01:00:00Z"))
        .node_locked(vec![here.clone()], MatchRule::All)
        .build()
        .unwrap();
    let answer = issuer()
        .answer_activation(&request, &body, t("2026-03-08T00:00:00Z"))
        .unwrap()
        .to_armor();
    Activation { request, answer }
}

#[test]
fn an_activation_answer_is_accepted_by_its_request_in_its_window() {
    let here = machine("SN-1");
    let a = activation(1, &here);
    let parsed = ActivationRequest::parse(&a.request.to_armor()).unwrap();
    assert_eq!(parsed, a.request);
    let issued = t("2026-03-01T01:00:00Z");
    let tolerance = i64::from(licentia::DEFAULT_CLOCK_TOLERANCE_SECS);
    for now in [
        issued.add_secs(-tolerance),
        issued,
        t("2026-03-08T00:00:00Z").add_secs(-1),
    ] {
        let activated = a.request.accept(&a.answer, &verifier(), now).unwrap();
        let ctx = Context::new(now, PRODUCT).machine(&here);
        assert_eq!(activated.license.check(&ctx).state, State::Valid);
    }
}

#[test]
fn an_activation_answer_cannot_be_replayed() {
    let here = machine("SN-1");
    let a = activation(1, &here);
    let now = t("2026-03-02");
    // Another machine asks with the same nonce (a copied request).
    let elsewhere = ActivationRequest {
        fingerprint: machine("SN-2"),
        ..a.request.clone()
    };
    assert_eq!(
        elsewhere.accept(&a.answer, &verifier(), now).unwrap_err(),
        Error::ActivationMismatch("it is for another machine")
    );
    // The same machine, a second request (another nonce).
    let again = activation(2, &here);
    assert_eq!(
        again
            .request
            .accept(&a.answer, &verifier(), now)
            .unwrap_err(),
        Error::ActivationMismatch("it answers another request")
    );
    // Too late, or too early.
    let window = Error::ActivationMismatch("it is outside its validity window");
    let tolerance = i64::from(licentia::DEFAULT_CLOCK_TOLERANCE_SECS);
    for now in [
        t("2026-03-08T00:00:00Z"),
        t("2027-01-01"),
        t("2026-03-01T01:00:00Z").add_secs(-tolerance - 1),
    ] {
        assert_eq!(
            a.request.accept(&a.answer, &verifier(), now).unwrap_err(),
            window
        );
    }
    // Signed by a key this product does not trust.
    let rogue = Verifier::new([SigningKey::from_seed(&[0x22; 32]).public_key().clone()]);
    assert!(matches!(
        a.request.accept(&a.answer, &rogue, now),
        Err(Error::UnknownKeyId(_))
    ));
    // A license file is not an answer.
    let file = issuer()
        .issue(&builder(1).build().unwrap())
        .unwrap()
        .to_armor();
    assert!(matches!(
        a.request.accept(&file, &verifier(), now),
        Err(Error::WrongDocumentKind { .. })
    ));
}

#[test]
fn the_back_office_only_answers_with_a_license_for_that_machine() {
    let here = machine("SN-1");
    let a = activation(1, &here);
    let body = builder(1)
        .node_locked(vec![machine("SN-2")], MatchRule::All)
        .build()
        .unwrap();
    assert!(matches!(
        issuer().answer_activation(&a.request, &body, t("2026-03-08")),
        Err(Error::InvalidSpec(_))
    ));
    let unbound = builder(1).build().unwrap();
    assert!(matches!(
        issuer().answer_activation(&a.request, &unbound, t("2026-03-08")),
        Err(Error::InvalidSpec(_))
    ));
    let other_product = LicenseBody::builder("other", "Jane Doe")
        .issued_at(t("2026-01-01"))
        .node_locked(vec![here], MatchRule::All)
        .build()
        .unwrap();
    assert!(matches!(
        issuer().answer_activation(&a.request, &other_product, t("2026-03-08")),
        Err(Error::WrongProduct { .. })
    ));
}

#[test]
fn a_lease_and_a_license_never_pass_for_each_other() {
    let body = builder(1)
        .hard_expiry(t("2026-01-01T08:00:00Z"))
        .build()
        .unwrap();
    let lease = issuer().issue_lease(&body).unwrap().to_armor();
    let file = issuer().issue(&body).unwrap().to_armor();
    assert!(verifier().verify_lease(&lease).unwrap().is_lease());
    assert!(!verifier().verify(&file).unwrap().is_lease());
    assert!(matches!(
        verifier().verify(&lease),
        Err(Error::WrongDocumentKind { .. })
    ));
    assert!(matches!(
        verifier().verify_lease(&file),
        Err(Error::WrongDocumentKind { .. })
    ));
    // A lease must end.
    assert!(matches!(
        issuer().issue_lease(&builder(1).build().unwrap()),
        Err(Error::InvalidSpec(_))
    ));
}

#[test]
fn a_revocation_list_signed_unsorted_is_refused_not_misread() {
    // Issuer::revocation_list sorts its lists, but another signer may not;
    // lookups must never silently miss an entry of a list that verified.
    let ids: Vec<LicenseId> = [9u8, 3, 7, 1, 5].map(|n| LicenseId([n; 16])).to_vec();
    let body = RevocationBody {
        product: PRODUCT.into(),
        sequence: 1,
        issued_at: t("2026-01-01"),
        licenses: ids.clone(),
        ..Default::default()
    };
    // Format version 1's layout: version 2's without `released` (empty:
    // its one zero byte last).
    let mut v1 = postcard::to_allocvec(&body).unwrap();
    assert_eq!(v1.pop(), Some(0));
    let sealed = Envelope::seal(DocumentKind::RevocationList, &key(), v1).unwrap();
    // Such a list is not in its one canonical form: refused, not misread.
    assert_eq!(
        verifier().verify_revocation_list(&sealed.to_armor(), PRODUCT),
        Err(Error::MalformedBody)
    );
    let sorted = issuer().revocation_list(&body).unwrap().to_armor();
    let list = verifier().verify_revocation_list(&sorted, PRODUCT).unwrap();
    for id in &ids {
        assert!(list.revokes_license(id), "{id} missed");
    }
}

#[test]
fn an_activation_request_read_over_the_telephone_and_rekeyed() {
    let machine = Fingerprint::builder("acme-cad")
        .vendor("serial", "SN-0001")
        .build()
        .unwrap();
    let request = ActivationRequest::new(
        "acme-cad",
        LicenseRef::Key("ACME-0001-0002-0003".into()),
        machine,
        Timestamp::parse("2026-03-01").unwrap(),
    );
    let code = request.to_typed();
    let groups: Vec<&str> = code.split('-').collect();
    println!("{} groups: {code}", groups.len());
    assert!(groups.iter().all(|g| g.len() == 5));
    // Typed back as a person would: lower case, spaces, O for 0.
    let typed = code.to_lowercase().replace('-', " ").replace('0', "o");
    assert_eq!(ActivationRequest::parse_typed(&typed).unwrap(), request);
    // The reader of every form takes it too.
    assert_eq!(ActivationRequest::parse(&typed).unwrap(), request);
    // One character wrong in the seventh group: refused, the group named.
    let mut wrong: Vec<char> = code.chars().collect();
    let at = 6 * 6 + 2;
    wrong[at] = if wrong[at] == 'X' { 'Y' } else { 'X' };
    let wrong: String = wrong.into_iter().collect();
    let err = ActivationRequest::parse_typed(&wrong).unwrap_err();
    assert!(err.to_string().contains("check digit of group 7"), "{err}");
    assert_eq!(ActivationRequest::parse(&wrong).unwrap_err(), err);
    // A licence's code is not a request.
    assert!(ActivationRequest::parse_typed(&licentia::typed::encode(&[1, 1, 0])).is_err());
}
