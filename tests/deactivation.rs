//! Offline deactivation: the request a machine writes, the receipt the back
//! office signs, and every way a receipt is refused.

mod common;
use common::{issuer, license, t, verifier, PRODUCT};

use licentia::deactivation::file_digest;
use licentia::{
    DeactivationRequest, DocumentKind, Envelope, Error, Fingerprint, Issuer, MatchRule, SigningKey,
};

fn machine(serial: &str) -> Fingerprint {
    Fingerprint::builder(PRODUCT)
        .vendor("serial", serial)
        .build()
        .unwrap()
}

#[test]
fn a_receipt_answers_its_request_and_no_other() {
    let here = machine("SN-1");
    let mine = license(common::builder(1).node_locked(vec![here.clone()], MatchRule::All));
    let other = license(common::builder(2).node_locked(vec![here.clone()], MatchRule::All));
    let request = DeactivationRequest::new(&mine, here.clone(), t("2026-03-01"));
    let text = request.to_armor();
    assert!(text.starts_with("-----BEGIN LICENTIA DEACTIVATION REQUEST-----\n"));
    let seen = DeactivationRequest::parse(&text).unwrap();
    assert_eq!(seen, request);
    assert_eq!(seen.file_digest, file_digest(&mine));
    let receipt = issuer()
        .deactivation_receipt(&seen, t("2026-03-02"))
        .unwrap()
        .to_armor();
    assert!(receipt.starts_with("-----BEGIN LICENTIA DEACTIVATION RECEIPT-----\n"));

    let accepted = request.accept(&receipt, &verifier()).unwrap();
    assert_eq!(accepted.license, mine.id);
    assert_eq!(accepted.deactivated_at, t("2026-03-02"));
    accepted.covers(&mine).unwrap();
    // Refused on another license, for another request, machine or file.
    assert_eq!(
        accepted.covers(&other),
        Err(Error::ReceiptMismatch("it is for another license"))
    );
    let for_other = DeactivationRequest::new(&other, here.clone(), t("2026-03-01"));
    assert_eq!(
        for_other.accept(&receipt, &verifier()).unwrap_err(),
        Error::ReceiptMismatch("it is for another license")
    );
    let again = DeactivationRequest::new(&mine, here.clone(), t("2026-03-01"));
    assert_eq!(
        again.accept(&receipt, &verifier()).unwrap_err(),
        Error::ReceiptMismatch("it answers another request")
    );
    let elsewhere = DeactivationRequest {
        fingerprint: machine("SN-2"),
        ..request.clone()
    };
    assert_eq!(
        elsewhere.accept(&receipt, &verifier()).unwrap_err(),
        Error::ReceiptMismatch("it is for another machine")
    );
    let renewed = license(
        common::builder(1)
            .node_locked(vec![here.clone()], MatchRule::All)
            .issued_at(t("2026-02-01")),
    );
    assert_eq!(
        accepted.covers(&renewed),
        Err(Error::ReceiptMismatch("it names another license file"))
    );
    // Signed by a key the product does not trust, or for another product.
    let stranger = Issuer::new(SigningKey::from_seed(&[0x77; 32]))
        .deactivation_receipt(&seen, t("2026-03-02"))
        .unwrap()
        .to_armor();
    assert!(matches!(
        request.accept(&stranger, &verifier()),
        Err(Error::UnknownKeyId(_))
    ));
    assert!(matches!(
        verifier().verify_deactivation_receipt(&receipt, "another"),
        Err(Error::WrongProduct { .. })
    ));
}

#[test]
fn a_receipt_is_its_own_kind_and_garbage_is_refused() {
    let here = machine("SN-1");
    let mine = license(common::builder(1).node_locked(vec![here.clone()], MatchRule::All));
    let request = DeactivationRequest::new(&mine, here, t("2026-03-01"));
    let receipt = issuer()
        .deactivation_receipt(&request, t("2026-03-02"))
        .unwrap();
    // The same bytes under another kind's label do not verify: the domain
    // tag differs.
    let mut relabelled = receipt.clone();
    relabelled.kind = DocumentKind::RenewalToken;
    assert_eq!(
        verifier().verify_renewal(&relabelled.to_armor()),
        Err(Error::BadSignature)
    );
    assert!(matches!(
        verifier().verify(&receipt.to_armor()),
        Err(Error::WrongDocumentKind { .. })
    ));
    // A license is no request; garbage is no request.
    assert!(matches!(
        DeactivationRequest::parse(&common::armored(common::builder(1))),
        Err(Error::WrongDocumentKind { .. })
    ));
    assert_eq!(
        DeactivationRequest::parse("hello"),
        Err(Error::NotLicentiaText)
    );
    let mut text = request.to_armor();
    text.insert(60, '!');
    assert!(DeactivationRequest::parse(&text).is_err());
    // A version 2 request does not exist.
    let mut bytes = licentia::format::decode_text(&request.to_armor())
        .unwrap()
        .1;
    bytes[0] = 2;
    let v2 = licentia::format::armor(DocumentKind::DeactivationRequest, &bytes);
    assert_eq!(
        DeactivationRequest::parse(&v2),
        Err(Error::UnsupportedVersion { found: 2 })
    );
    // A receipt's body with a byte appended is not canonical.
    let mut padded = receipt.clone();
    padded.body.push(0);
    let resealed = Envelope::seal(
        DocumentKind::DeactivationReceipt,
        &common::key(),
        padded.body,
    )
    .unwrap();
    assert_eq!(
        verifier().verify_deactivation_receipt(&resealed.to_armor(), PRODUCT),
        Err(Error::MalformedBody)
    );
}
