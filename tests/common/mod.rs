//! What the core's tests share: the vendor's key, the product, and licenses
//! signed and verified as a product would receive them.

#![allow(dead_code)] // each test file uses its own part

use licentia::{
    Context, Entitlement, Fingerprint, Issuer, License, LicenseBody, LicenseBuilder, LicenseId,
    MatchRule, SigningKey, Timestamp, Verifier,
};

/// The product every license here is for.
pub const PRODUCT: &str = "acme-cad";

/// The vendor's signing key.
pub fn key() -> SigningKey {
    SigningKey::from_seed(&[0x11; 32])
}

/// The vendor's issuer, signing with [`key`].
pub fn issuer() -> Issuer {
    Issuer::new(key())
}

/// A product's verifier, trusting [`key`] only.
pub fn verifier() -> Verifier {
    Verifier::new([key().public_key().clone()])
}

/// A time: RFC 3339 or a bare date.
pub fn t(text: &str) -> Timestamp {
    Timestamp::parse(text).unwrap()
}

/// A license for [`PRODUCT`] with id `[id; 16]`, issued 2026-01-01.
pub fn builder(id: u8) -> LicenseBuilder {
    LicenseBody::builder(PRODUCT, "Jane Doe")
        .id(LicenseId([id; 16]))
        .issued_at(t("2026-01-01"))
}

/// `body` signed by [`issuer`], as armored text.
pub fn armored(body: LicenseBuilder) -> String {
    issuer().issue(&body.build().unwrap()).unwrap().to_armor()
}

/// `body` signed and verified, as a product would receive it.
pub fn license(body: LicenseBuilder) -> License {
    verifier().verify(&armored(body)).unwrap()
}

/// A license for [`PRODUCT`] signed by `key` (not the vendor's), issued at
/// `issued_at`, as armored text.
pub fn signed_by(key: &SigningKey, issued_at: Timestamp) -> String {
    let body = LicenseBody::builder(PRODUCT, "Jane Doe")
        .issued_at(issued_at)
        .build()
        .unwrap();
    Issuer::new(key.clone()).issue(&body).unwrap().to_armor()
}

/// A key-rollover statement by [`key`] endorsing `new_key` for documents
/// issued from `not_before`, signed at `issued_at`, as armored text.
pub fn rollover_from(new_key: &SigningKey, not_before: &str, issued_at: &str) -> String {
    let statement = issuer().rollover(
        new_key.public_key(),
        Some(t(not_before)),
        None,
        t(issued_at),
    );
    statement.unwrap().to_armor()
}

/// A check of [`PRODUCT`] at `now`, nothing else given.
pub fn at(now: Timestamp) -> Context<'static> {
    Context::new(now, PRODUCT)
}

/// A license with every field set, so that every field can be edited:
/// node-locked to `machine`, two features (`export`, then `render`, counted),
/// one metadata entry (`edition`) and every term.
pub fn every_field(id: u8, machine: Fingerprint) -> LicenseBody {
    builder(id)
        .email("jane@example.com")
        .customer_ref("CUST-1")
        .node_locked(vec![machine], MatchRule::Two)
        .seats(3)
        .feature("export")
        .entitlement(Entitlement::parse("render=8@2026-09-01").unwrap())
        .metadata("edition", "pro")
        .valid_from(t("2026-01-01T00:00:00Z"))
        .soft_expiry(t("2026-12-01T00:00:00Z"))
        .hard_expiry(t("2027-01-01T00:00:00Z"))
        .grace_days(14)
        .updates_until(t("2026-10-01T00:00:00Z"))
        .check_in_days(30, 7)
        .build()
        .unwrap()
}
