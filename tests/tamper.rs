//! Adversarial and boundary inputs: every one is refused with its own error.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use curve25519_dalek::constants::EIGHT_TORSION;
use curve25519_dalek::edwards::CompressedEdwardsY;
use curve25519_dalek::{EdwardsPoint, Scalar};
use ed25519_dalek::Verifier as _;
use licentia::format::{
    self, DocumentKind, Envelope, MAX_BODY_LEN, MAX_ENVELOPE_LEN, MAX_TEXT_LEN,
};
use licentia::{
    Binding, CheckIn, Entitlement, Error, Fingerprint, Issuer, LicenseBody, LicenseId, LicenseKind,
    MatchRule, PublicKey, RenewalAction, SigningKey, Timestamp, Verifier,
};
use sha2::{Digest, Sha512};

mod common;
use common::{every_field, key, t, verifier};

fn machine() -> Fingerprint {
    Fingerprint::builder("acme-cad")
        .vendor("serial", "SN-0001")
        .vendor("board", "BRD-0001")
        .build()
        .unwrap()
}

/// A license with every field set, so that every field can be edited.
fn body() -> LicenseBody {
    every_field(0x42, machine())
}

fn sample() -> Envelope {
    Issuer::new(key()).issue(&body()).unwrap()
}

fn armor(bytes: &[u8]) -> String {
    format::armor(DocumentKind::License, bytes)
}

#[test]
fn the_sample_verifies() {
    let license = verifier().verify(&sample().to_armor()).unwrap();
    assert_eq!(*license.body(), body());
}

#[test]
fn every_single_bit_flip_of_the_envelope_is_rejected() {
    let bytes = sample().to_bytes();
    let v = verifier();
    for i in 0..bytes.len() {
        for bit in 0..8 {
            let mut flipped = bytes.clone();
            flipped[i] ^= 1 << bit;
            let result = v.verify(&armor(&flipped));
            assert!(result.is_err(), "flip of byte {i} bit {bit} was accepted");
        }
    }
}

#[test]
fn every_single_bit_flip_of_the_armored_text_is_rejected_or_harmless() {
    let text = sample().to_armor();
    let original = sample().to_bytes();
    let v = verifier();
    let mut accepted = 0;
    for i in 0..text.len() {
        for bit in 0..8 {
            let mut flipped = text.clone().into_bytes();
            flipped[i] ^= 1 << bit;
            let Ok(flipped) = String::from_utf8(flipped) else {
                continue; // not text: a caller cannot even pass it as &str
            };
            if v.verify(&flipped).is_ok() {
                // Only a change to the whitespace around the block may pass,
                // and then the signed bytes are the very same.
                let (_, bytes) = format::decode_text(&flipped).unwrap();
                assert_eq!(bytes, original, "flip of byte {i} bit {bit}");
                assert!(i == text.len() - 1, "flip of byte {i} bit {bit} accepted");
                accepted += 1;
            }
        }
    }
    // "\n" -> "\x0b" (vertical tab) after the END line is still whitespace.
    assert!(accepted <= 1);
}

#[test]
fn every_truncation_is_rejected() {
    let bytes = sample().to_bytes();
    let v = verifier();
    for len in 0..bytes.len() {
        assert!(v.verify(&armor(&bytes[..len])).is_err(), "{len} bytes");
    }
    assert_eq!(
        v.verify(&armor(&bytes[..73])).unwrap_err(),
        Error::Truncated
    );
    let text = sample().to_armor();
    // Dropping the final newline is harmless; any shorter text is refused.
    assert!(v.verify(&text[..text.len() - 1]).is_ok());
    for len in 0..text.len() - 1 {
        assert!(v.verify(&text[..len]).is_err(), "{len} characters");
    }
}

#[test]
fn oversized_input_is_refused_at_each_layer() {
    let v = verifier();
    let text = sample().to_armor();
    // Whitespace counts against the text limit: exactly the limit is read...
    let padded = format!("{text}{}", " ".repeat(MAX_TEXT_LEN - text.len()));
    assert!(v.verify(&padded).is_ok());
    // ... one byte more is not, before anything is decoded.
    assert_eq!(
        v.verify(&format!("{padded} ")).unwrap_err(),
        Error::TooLarge {
            what: "text",
            limit: MAX_TEXT_LEN
        }
    );
    let mut envelope = vec![1, 1];
    envelope.resize(MAX_ENVELOPE_LEN, 0);
    assert!(!matches!(
        v.verify(&armor(&envelope)),
        Err(Error::TooLarge { .. })
    ));
    envelope.push(0);
    assert_eq!(
        v.verify(&armor(&envelope)).unwrap_err(),
        Error::TooLarge {
            what: "envelope",
            limit: MAX_ENVELOPE_LEN
        }
    );
    // The issuer refuses to sign a body over the limit.
    let mut big = LicenseBody::builder("acme-cad", "Jane Doe")
        .issued_at(t("2026-01-01"))
        .build()
        .unwrap();
    big.metadata = (0..20)
        .map(|i| (format!("key-{i:02}"), "x".repeat(250)))
        .collect();
    assert!(big.validate().is_ok());
    assert_eq!(
        Issuer::new(key()).issue(&big).unwrap_err(),
        Error::TooLarge {
            what: "body",
            limit: MAX_BODY_LEN
        }
    );
}

#[test]
fn non_canonical_base64_is_refused() {
    let bytes = sample().to_bytes();
    // A length that needs padding, so the last digit has unused bits.
    let cut = &bytes[..bytes.len() - usize::from(bytes.len() % 3 == 0)];
    let b64 = STANDARD.encode(cut);
    let data = b64.trim_end_matches('=');
    let last = data.chars().last().unwrap();
    let lax = STANDARD.decode(&b64).unwrap();
    assert_eq!(lax, cut);
    const ALPHABET: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let index = ALPHABET.find(last).unwrap();
    let bumped = ALPHABET.as_bytes()[index | 1] as char;
    let non_canonical = format!("{}{bumped}{}", &data[..data.len() - 1], &b64[data.len()..]);
    let text = format!(
        "-----BEGIN LICENTIA LICENSE-----\n{non_canonical}\n-----END LICENTIA LICENSE-----\n"
    );
    assert_eq!(verifier().verify(&text).unwrap_err(), Error::Base64);
    let unpadded =
        format!("-----BEGIN LICENTIA LICENSE-----\n{data}\n-----END LICENTIA LICENSE-----\n");
    assert_eq!(verifier().verify(&unpadded).unwrap_err(), Error::Base64);
    // The compact form is unpadded base64url: the standard alphabet and
    // padding are both refused.
    let compact = sample().to_compact();
    assert_eq!(
        verifier().verify(&format!("{compact}=")).unwrap_err(),
        Error::Base64
    );
    let url = compact.replace('-', "+").replace('_', "/");
    if url != compact {
        assert_eq!(verifier().verify(&url).unwrap_err(), Error::Base64);
    }
}

#[test]
fn crlf_and_surrounding_whitespace_are_accepted() {
    let text = sample().to_armor();
    let expected = verifier().verify(&text).unwrap();
    let variants = [
        text.replace('\n', "\r\n"),
        format!("\n\n  {text}\n\n"),
        text.replace('\n', "\n  "),
        text.trim_end().to_owned(),
        format!("  {}  \r\n", sample().to_compact()),
    ];
    for variant in variants {
        assert_eq!(
            verifier().verify(&variant).unwrap(),
            expected,
            "{variant:?}"
        );
    }
}

#[test]
fn trailing_garbage_is_refused() {
    let text = sample().to_armor();
    for tail in ["x", "\n\nx\n", "-----END LICENTIA LICENSE-----\n", "\0"] {
        assert_eq!(
            verifier().verify(&format!("{text}{tail}")).unwrap_err(),
            Error::TrailingData,
            "{tail:?}"
        );
    }
    let compact = sample().to_compact();
    assert_eq!(
        verifier().verify(&format!("{compact} x")).unwrap_err(),
        Error::TrailingData
    );
}

#[test]
fn not_licentia_text_and_unterminated_armor() {
    let v = verifier();
    for text in ["", "hello", "-----BEGIN PGP MESSAGE-----\n", "lic"] {
        assert_eq!(
            v.verify(text).unwrap_err(),
            Error::NotLicentiaText,
            "{text:?}"
        );
    }
    let text = sample().to_armor();
    let no_end = &text[..text.find("-----END").unwrap()];
    assert_eq!(v.verify(no_end).unwrap_err(), Error::ArmorUnterminated);
}

#[test]
fn wrong_key_and_unknown_key_id_are_different_errors() {
    let other = SigningKey::from_seed(&[0x22; 32]);
    // Signed by a key this verifier does not hold: unknown key id.
    let foreign = Issuer::new(other.clone())
        .issue(&body())
        .unwrap()
        .to_armor();
    assert_eq!(
        verifier().verify(&foreign).unwrap_err(),
        Error::UnknownKeyId(other.key_id())
    );
    // A verifier holding only the other key does not know the issuer's.
    assert_eq!(
        Verifier::new([other.public_key().clone()])
            .verify(&sample().to_armor())
            .unwrap_err(),
        Error::UnknownKeyId(key().key_id())
    );
    // Naming the trusted key but signed with another: bad signature.
    let mut forged = Envelope::seal(DocumentKind::License, &other, sample().body).unwrap();
    forged.key_id = key().key_id();
    assert_eq!(
        verifier().verify(&forged.to_armor()).unwrap_err(),
        Error::BadSignature
    );
    // An empty verifier trusts nothing.
    assert!(matches!(
        Verifier::default().verify(&sample().to_armor()),
        Err(Error::UnknownKeyId(_))
    ));
}

#[test]
fn unknown_version_is_named() {
    let mut bytes = sample().to_bytes();
    for version in [0u8, 4, 255] {
        bytes[0] = version;
        let err = verifier().verify(&armor(&bytes)).unwrap_err();
        assert_eq!(err, Error::UnsupportedVersion { found: version });
        let message = err.to_string();
        assert!(message.contains(&format!("version {version}")), "{message}");
        assert!(message.contains("reads version 1"), "{message}");
    }
}

#[test]
fn unknown_and_mismatched_document_kinds() {
    let mut bytes = sample().to_bytes();
    bytes[1] = 0;
    assert_eq!(
        verifier().verify(&armor(&bytes)).unwrap_err(),
        Error::UnknownDocumentKind(0)
    );
    bytes[1] = DocumentKind::RenewalToken as u8;
    assert_eq!(
        verifier().verify(&armor(&bytes)).unwrap_err(),
        Error::WrongDocumentKind {
            expected: DocumentKind::License,
            found: DocumentKind::RenewalToken
        }
    );
}

#[test]
fn a_signed_document_of_one_kind_never_verifies_as_another() {
    // Domain separation: relabel a renewal token as a license (kind byte and
    // armor both), and the signature no longer holds.
    let license = verifier().verify(&sample().to_armor()).unwrap();
    let token = Issuer::new(key())
        .renewal(
            &license,
            RenewalAction::ExtendTo {
                hard_expiry: t("2028-01-01"),
                soft_expiry: None,
            },
            t("2026-06-01"),
        )
        .unwrap();
    let mut relabelled = token.clone();
    relabelled.kind = DocumentKind::License;
    assert_eq!(
        verifier().verify(&relabelled.to_armor()).unwrap_err(),
        Error::BadSignature
    );
    // The same for a lease made of a license's own body.
    let mut lease = sample();
    lease.kind = DocumentKind::Lease;
    assert_eq!(
        verifier().verify_lease(&lease.to_armor()).unwrap_err(),
        Error::BadSignature
    );
}

#[test]
fn key_outside_its_validity_window() {
    let issued = body().issued_at;
    let window = |from: Option<Timestamp>, until: Option<Timestamp>| {
        let mut v = Verifier::default();
        v.trust(key().public_key().clone(), from, until);
        v.verify(&sample().to_armor())
    };
    let id = key().key_id();
    assert!(window(Some(issued), None).is_ok());
    assert_eq!(
        window(Some(issued.add_secs(1)), None).unwrap_err(),
        Error::KeyNotValidAt(id)
    );
    assert!(window(None, Some(issued.add_secs(1))).is_ok());
    assert_eq!(
        window(None, Some(issued)).unwrap_err(),
        Error::KeyNotValidAt(id)
    );
    // Trusting the key again replaces its window.
    let mut v = Verifier::default();
    v.trust(key().public_key().clone(), None, Some(issued));
    v.trust(key().public_key().clone(), None, None);
    assert_eq!(v.keys().len(), 1);
    assert!(v.verify(&sample().to_armor()).is_ok());
}

/// The group order L, little-endian.
const L: [u8; 32] = [
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
];

fn k_of(r: &[u8], public: &[u8; 32], message: &[u8]) -> Scalar {
    let mut h = Sha512::new();
    h.update(r);
    h.update(public);
    h.update(message);
    Scalar::from_bytes_mod_order_wide(&h.finalize().into())
}

#[test]
fn a_signature_with_s_plus_l_is_rejected_though_its_equation_holds() {
    let envelope = sample();
    let message = envelope.signed_message();
    let (r, s) = envelope.signature.split_at(32);
    let mut high = [0u8; 32];
    let mut carry = 0u16;
    for i in 0..32 {
        let sum = u16::from(s[i]) + u16::from(L[i]) + carry;
        high[i] = sum as u8;
        carry = sum >> 8;
    }
    assert_eq!(carry, 0);
    // The verification equation [S]B = R + [k]A holds for S + L as for S...
    let public = key().public_key().to_bytes();
    let a = CompressedEdwardsY(public).decompress().unwrap();
    let r_point = CompressedEdwardsY(r.try_into().unwrap())
        .decompress()
        .unwrap();
    let k = k_of(r, &public, &message);
    let s_reduced = Scalar::from_bytes_mod_order(high);
    assert_eq!(s_reduced.to_bytes(), s);
    assert_eq!(EdwardsPoint::mul_base(&s_reduced), r_point + k * a);
    // ... but S + L is not canonical, and licentia refuses it.
    let mut malleated = envelope.clone();
    malleated.signature[32..].copy_from_slice(&high);
    assert_ne!(malleated.to_bytes(), envelope.to_bytes());
    assert_eq!(
        verifier().verify(&malleated.to_armor()).unwrap_err(),
        Error::BadSignature
    );
}

#[test]
fn a_small_order_r_that_lenient_verification_accepts_is_rejected() {
    let envelope = sample();
    let message = envelope.signed_message();
    let public = key().public_key().to_bytes();
    // The secret scalar a of the seed key; R = identity, S = k·a satisfies
    // the cofactorless equation [S]B = R + [k]A.
    let mut a_bytes: [u8; 32] = Sha512::digest([0x11u8; 32])[..32].try_into().unwrap();
    a_bytes[0] &= 248;
    a_bytes[31] &= 127;
    a_bytes[31] |= 64;
    let a = Scalar::from_bytes_mod_order(a_bytes);
    assert_eq!(EdwardsPoint::mul_base(&a).compress().to_bytes(), public);
    let r = EdwardsPoint::default().compress().to_bytes();
    let s = k_of(&r, &public, &message) * a;
    let mut signature = [0u8; 64];
    signature[..32].copy_from_slice(&r);
    signature[32..].copy_from_slice(s.as_bytes());

    let dalek = ed25519_dalek::VerifyingKey::from_bytes(&public).unwrap();
    let sig = ed25519_dalek::Signature::from_bytes(&signature);
    assert!(dalek.verify(&message, &sig).is_ok(), "lenient accepts");
    assert!(dalek.verify_strict(&message, &sig).is_err());
    let mut forged = envelope;
    forged.signature = signature;
    assert_eq!(
        verifier().verify(&forged.to_armor()).unwrap_err(),
        Error::BadSignature
    );
}

#[test]
fn small_order_and_non_canonical_public_keys_are_refused() {
    for point in EIGHT_TORSION {
        let bytes = point.compress().to_bytes();
        assert_eq!(
            PublicKey::from_bytes(&bytes),
            Err(Error::WeakKey),
            "{bytes:02x?}"
        );
    }
    // y = p + 1 encodes the identity non-canonically.
    let mut non_canonical = [0xff; 32];
    non_canonical[0] = 0xee;
    non_canonical[31] = 0x7f;
    assert_eq!(PublicKey::from_bytes(&non_canonical), Err(Error::WeakKey));
    // A key that is not a point at all.
    let mut off_curve = [0u8; 32];
    off_curve[0] = 2;
    assert!(CompressedEdwardsY(off_curve).decompress().is_none());
    assert_eq!(PublicKey::from_bytes(&off_curve), Err(Error::WeakKey));
    // And in PEM, the way a product loads its key.
    let mut spki = vec![
        0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
    ];
    spki.extend_from_slice(&EIGHT_TORSION[0].compress().to_bytes());
    let pem = format!(
        "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
        STANDARD.encode(spki)
    );
    assert_eq!(PublicKey::from_pem(&pem), Err(Error::WeakKey));
}

#[test]
fn a_license_edited_in_any_field_keeps_no_signature() {
    let original = sample();
    let decoded: LicenseBody = postcard::from_bytes(&original.body).unwrap();
    assert_eq!(decoded, body());
    type Edit = fn(&mut LicenseBody);
    let edits: Vec<(&str, Edit)> = vec![
        ("id", |b| b.id.0[0] ^= 1),
        ("product", |b| b.product = "acme-cam".into()),
        ("licensee name", |b| b.licensee.name = "John Doe".into()),
        ("licensee email", |b| b.licensee.email = None),
        ("customer ref", |b| {
            b.licensee.customer_ref = Some("CUST-2".into())
        }),
        ("issued at", |b| b.issued_at = b.issued_at.add_secs(1)),
        ("kind trial", |b| b.kind = LicenseKind::Trial),
        ("kind temporary", |b| {
            b.kind = LicenseKind::Temporary {
                replaces: LicenseId([1; 16]),
            }
        }),
        ("binding unbound", |b| b.binding = Binding::Unbound),
        ("binding floating", |b| {
            b.binding = Binding::Floating { max_machines: 100 }
        }),
        ("binding user", |b| {
            b.binding = Binding::NamedUser {
                user: "jdoe".into(),
            }
        }),
        ("match rule", |b| {
            if let Binding::NodeLocked { rule, .. } = &mut b.binding {
                *rule = MatchRule::Any;
            }
        }),
        ("machine", |b| {
            if let Binding::NodeLocked { machines, .. } = &mut b.binding {
                machines[0].components[0].hash[0] ^= 1;
            }
        }),
        ("seats", |b| b.seats = 1000),
        ("entitlement added", |b| {
            b.entitlements.push(Entitlement::new("zzz-everything"))
        }),
        ("entitlement removed", |b| b.entitlements.clear()),
        ("entitlement count", |b| {
            b.entitlements[1].count = Some(9999)
        }),
        ("entitlement expiry", |b| b.entitlements[1].expires = None),
        ("metadata", |b| b.metadata[0].1 = "enterprise".into()),
        ("valid from", |b| b.terms.valid_from = None),
        ("soft expiry", |b| b.terms.soft_expiry = None),
        ("hard expiry", |b| {
            b.terms.hard_expiry = Some(t("2099-01-01"));
        }),
        ("grace", |b| b.terms.grace_secs = Some(u32::MAX)),
        ("updates until", |b| b.terms.updates_until = None),
        ("check-in", |b| {
            b.terms.check_in = Some(CheckIn {
                interval_secs: u32::MAX,
                max_offline_secs: u32::MAX,
            })
        }),
        ("check-in removed", |b| b.terms.check_in = None),
    ];
    for (field, edit) in edits {
        let mut edited_body = decoded.clone();
        edit(&mut edited_body);
        assert_ne!(edited_body, decoded, "{field}: the edit changed nothing");
        let mut edited = original.clone();
        edited.body = postcard::to_allocvec(&edited_body).unwrap();
        assert_eq!(
            verifier().verify(&edited.to_armor()).unwrap_err(),
            Error::BadSignature,
            "{field}"
        );
        assert_eq!(
            verifier().verify(&edited.to_compact()).unwrap_err(),
            Error::BadSignature,
            "{field} (compact)"
        );
    }
}
