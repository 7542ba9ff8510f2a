//! Property tests: any valid license round-trips byte for byte, and no input
//! makes a parser panic.

use licentia::format::{self, DocumentKind, Envelope};
use licentia::{
    ActivationRequest, Binding, CheckIn, Component, ComponentKind, Entitlement, Error, Fingerprint,
    Issuer, LicenseBody, LicenseId, MatchRule, SigningKey, Terms, Timestamp, Verifier,
};
use proptest::prelude::*;

/// Product, feature and metadata codes, user names: the builder's alphabet.
fn code() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9._:/-]{1,64}"
}

/// Free text without control characters (any script).
fn text(min: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("\\PC{{{min},40}}"))
        .unwrap()
        .prop_filter("not blank", move |s| min == 0 || !s.trim().is_empty())
}

fn time() -> impl Strategy<Value = Timestamp> {
    (1_500_000_000i64..2_500_000_000).prop_map(Timestamp)
}

fn fingerprint() -> impl Strategy<Value = Fingerprint> {
    let kind = prop_oneof![
        Just(ComponentKind::MachineId),
        Just(ComponentKind::Hostname),
        Just(ComponentKind::Vendor)
    ];
    prop::collection::vec(
        (kind, any::<[u8; 16]>()).prop_map(|(kind, hash)| Component { kind, hash }),
        1..=4,
    )
    .prop_map(|components| Fingerprint { components })
}

fn binding() -> impl Strategy<Value = Binding> {
    let rule = prop_oneof![
        Just(MatchRule::All),
        Just(MatchRule::Most),
        Just(MatchRule::Two),
        Just(MatchRule::Any)
    ];
    prop_oneof![
        Just(Binding::Unbound),
        (prop::collection::vec(fingerprint(), 1..=3), rule)
            .prop_map(|(machines, rule)| Binding::NodeLocked { machines, rule }),
        (1u32..).prop_map(|max_machines| Binding::Floating { max_machines }),
        code().prop_map(|user| Binding::NamedUser { user }),
    ]
}

fn entitlement() -> impl Strategy<Value = Entitlement> {
    (code(), any::<Option<u32>>(), proptest::option::of(time())).prop_map(
        |(code, count, expires)| Entitlement {
            code,
            count,
            expires,
        },
    )
}

/// Terms the builder accepts: valid-from <= soft < hard, grace only with a
/// hard expiry.
fn terms() -> impl Strategy<Value = Terms> {
    (
        time(),
        0i64..100_000_000,
        1i64..100_000_000,
        any::<[bool; 3]>(),
        any::<Option<u32>>(),
        proptest::option::of(time()),
        proptest::option::of((1u32.., any::<u32>())),
    )
        .prop_map(
            |(from, to_soft, to_hard, [f, s, h], grace, updates, check)| {
                let soft = from.add_secs(to_soft);
                let hard = soft.add_secs(to_hard);
                Terms {
                    valid_from: f.then_some(from),
                    soft_expiry: s.then_some(soft),
                    hard_expiry: h.then_some(hard),
                    grace_secs: grace.filter(|_| h),
                    updates_until: updates,
                    check_in: check.map(|(interval_secs, max_offline_secs)| CheckIn {
                        interval_secs,
                        max_offline_secs,
                    }),
                }
            },
        )
}

prop_compose! {
    fn body()(
        id in any::<[u8; 16]>(),
        product in code(),
        name in text(1),
        email in proptest::option::of((code(), code()).prop_map(|(a, b)| format!("{a}@{b}"))),
        customer_ref in proptest::option::of(text(1)),
        issued_at in time(),
        kind in 0u8..3,
        replaces in any::<[u8; 16]>(),
        binding in binding(),
        seats in 1u32..,
        entitlements in prop::collection::vec(entitlement(), 0..5),
        metadata in prop::collection::vec((code(), text(0)), 0..5),
        terms in terms(),
    ) -> LicenseBody {
        let mut b = LicenseBody::builder(product, name)
            .id(LicenseId(id))
            .issued_at(issued_at)
            .binding(binding)
            .seats(seats)
            .terms(terms);
        if let Some(email) = email {
            b = b.email(email);
        }
        if let Some(r) = customer_ref {
            b = b.customer_ref(r);
        }
        // Trial and temporary licenses need a hard expiry.
        if terms.hard_expiry.is_some() {
            match kind {
                1 => b = b.trial(),
                2 if replaces != id => b = b.temporary(LicenseId(replaces)),
                _ => {}
            }
        }
        for e in entitlements {
            b = b.entitlement(e);
        }
        for (k, v) in metadata {
            b = b.metadata(k, v);
        }
        b.build().expect("the strategy only makes valid specs")
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn valid_licenses_round_trip_byte_for_byte(body in body(), seed in any::<[u8; 32]>()) {
        let issuer = Issuer::new(SigningKey::from_seed(&seed));
        let verifier = Verifier::new([issuer.public_key().clone()]);
        let envelope = issuer.issue(&body).unwrap();
        // Signing is deterministic.
        prop_assert_eq!(&issuer.issue(&body).unwrap(), &envelope);

        let armored = envelope.to_armor();
        let license = verifier.verify(&armored).unwrap();
        prop_assert_eq!(license.body(), &body);
        prop_assert_eq!(license.signed_body(), envelope.body.as_slice());
        prop_assert_eq!(postcard::to_allocvec(&body).unwrap(), envelope.body.clone());
        let parsed = Envelope::from_text(&armored, DocumentKind::License).unwrap();
        prop_assert_eq!(parsed.to_bytes(), envelope.to_bytes());
        prop_assert_eq!(parsed.to_armor(), armored);

        let compact = envelope.to_compact();
        prop_assert_eq!(&verifier.verify(&compact).unwrap(), &license);
        let parsed = Envelope::from_text(&compact, DocumentKind::License).unwrap();
        prop_assert_eq!(parsed.to_bytes(), envelope.to_bytes());
        prop_assert_eq!(parsed.to_compact(), compact);
    }

    #[test]
    fn garbage_text_never_panics(text in "\\PC{0,600}") {
        let verifier = Verifier::new([SigningKey::from_seed(&[0x11; 32]).public_key().clone()]);
        let _ = verifier.verify(&text);
        let _ = verifier.verify_lease(&text);
        let _ = verifier.verify_renewal(&text);
        let _ = verifier.verify_revocation_list(&text, "acme-cad");
        let _ = verifier.clone().accept_rollover(&text);
        let _ = ActivationRequest::parse(&text);
        let _ = format::decode_text(&text);
        let _ = Fingerprint::parse(&text);
        let _ = Timestamp::parse(&text);
    }

    #[test]
    fn garbage_inside_an_armor_or_a_compact_form_never_panics(
        bytes in prop::collection::vec(any::<u8>(), 0..400),
        kind in 1u8..=7,
    ) {
        let kind = DocumentKind::from_u8(kind).unwrap();
        let verifier = Verifier::new([SigningKey::from_seed(&[0x11; 32]).public_key().clone()]);
        for text in [format::armor(kind, &bytes), format::compact(kind, &bytes)] {
            prop_assert!(verifier.verify(&text).is_err());
            let _ = verifier.verify_lease(&text);
            let _ = verifier.verify_renewal(&text);
            let _ = verifier.verify_revocation_list(&text, "acme-cad");
            let _ = verifier.clone().accept_rollover(&text);
            let _ = ActivationRequest::parse(&text);
        }
    }

    #[test]
    fn a_correctly_signed_garbage_body_is_refused_not_a_panic(
        body in prop::collection::vec(any::<u8>(), 0..300),
    ) {
        let key = SigningKey::from_seed(&[0x11; 32]);
        let mut verifier = Verifier::new([key.public_key().clone()]);
        for kind in [
            DocumentKind::License,
            DocumentKind::Lease,
            DocumentKind::RenewalToken,
            DocumentKind::RevocationList,
            DocumentKind::KeyRollover,
        ] {
            let text = Envelope::seal(kind, &key, body.clone()).unwrap().to_armor();
            let result = match kind {
                DocumentKind::License => verifier.verify(&text).map(|license| {
                    // Whatever decodes is the one canonical encoding of a body.
                    assert_eq!(postcard::to_allocvec(license.body()).unwrap(), body);
                }),
                DocumentKind::Lease => verifier.verify_lease(&text).map(drop),
                DocumentKind::RenewalToken => verifier.verify_renewal(&text).map(drop),
                DocumentKind::RevocationList => {
                    verifier.verify_revocation_list(&text, "acme-cad").map(drop)
                }
                _ => verifier.accept_rollover(&text).map(drop),
            };
            if let Err(e) = result {
                prop_assert!(
                    matches!(e, Error::MalformedBody | Error::WrongProduct { .. } | Error::WeakKey),
                    "{:?}: {}", kind, e
                );
            }
        }
    }

    #[test]
    fn edited_license_text_is_refused_or_unchanged(
        body in body(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
    ) {
        let issuer = Issuer::new(SigningKey::from_seed(&[0x11; 32]));
        let verifier = Verifier::new([issuer.public_key().clone()]);
        let envelope = issuer.issue(&body).unwrap();
        let mut text = envelope.to_armor().into_bytes();
        for (at, byte) in edits {
            let i = at.index(text.len());
            text[i] = byte;
        }
        let text = String::from_utf8_lossy(&text);
        if let Ok(license) = verifier.verify(&text) {
            prop_assert_eq!(license.body(), &body);
            let (_, bytes) = format::decode_text(&text).unwrap();
            prop_assert_eq!(bytes, envelope.to_bytes());
        }
    }
}
