//! The issuer: a signing key that turns bodies into signed documents.

use crate::activation::{ActivationRequest, AnswerBody};
use crate::catalogue::CatalogueBody;
use crate::deactivation::{DeactivationRequest, ReceiptBody};
use crate::format::{DocumentKind, Envelope};
use std::sync::Arc;

use crate::keys::{PublicKey, SigningKey};
use crate::license::{Binding, LicenseBody, LicenseBodyV2};
use crate::meter::LicenseBodyV3;
use crate::renewal::{RenewalAction, RenewalBody};
use crate::revocation::{RevocationBody, RevocationBodyV1};
use crate::rollover::RolloverBody;
use crate::signed::SignedBody;
use crate::signer::Signer;
use crate::time::Timestamp;
use crate::verify::License;
use crate::{codec, Error, Result};

/// Signs licenses and the other documents with one key.
///
/// Every document is verified with the matching public key right after it is
/// signed, before it is returned: a fault while signing never leaves the
/// building.
///
/// ```
/// use licentia::{Issuer, LicenseBody, SigningKey, Timestamp};
/// let issuer = Issuer::new(SigningKey::generate());
/// let body = LicenseBody::builder("acme-cad", "Jane Doe")
///     .hard_expiry(Timestamp::parse("2030-01-01").unwrap())
///     .feature("export")
///     .build()
///     .unwrap();
/// let text = issuer.issue(&body).unwrap().to_armor();
/// assert!(text.starts_with("-----BEGIN LICENTIA LICENSE-----"));
/// ```
#[derive(Debug, Clone)]
pub struct Issuer {
    signer: Arc<dyn Signer>,
}

impl Issuer {
    /// An issuer signing with `key`.
    pub fn new(key: SigningKey) -> Issuer {
        Issuer::with_signer(Arc::new(key))
    }

    /// An issuer signing through `signer`, whose private half may stay in a
    /// device.
    pub fn with_signer(signer: Arc<dyn Signer>) -> Issuer {
        Issuer { signer }
    }

    /// The public key products must trust.
    pub fn public_key(&self) -> &PublicKey {
        self.signer.public_key()
    }

    /// Signs a license.
    pub fn issue(&self, body: &LicenseBody) -> Result<Envelope> {
        body.validate()?;
        self.sign_license(DocumentKind::License, body)
    }

    /// Signs a floating-seat lease: a license with its own document kind, so a
    /// lease never passes for a license file.
    pub fn issue_lease(&self, body: &LicenseBody) -> Result<Envelope> {
        body.validate()?;
        if body.terms.hard_expiry.is_none() {
            return Err(Error::InvalidSpec("a lease needs a hard expiry".into()));
        }
        self.sign_license(DocumentKind::Lease, body)
    }

    /// Signs a licence body in its format version: 1 when it allows every
    /// environment, so every product reads it, 2 when it refuses one, 3
    /// when it carries meters.
    fn sign_license(&self, kind: DocumentKind, body: &LicenseBody) -> Result<Envelope> {
        match body.format_version() {
            1 => self.sign(kind, body),
            2 => self.sign_version(kind, 2, &LicenseBodyV2::of(body)),
            version => self.sign_version(kind, version, &LicenseBodyV3::of(body)),
        }
    }

    /// Signs a renewal token for `license`.
    pub fn renewal(
        &self,
        license: &License,
        action: RenewalAction,
        issued_at: Timestamp,
    ) -> Result<Envelope> {
        match &action {
            RenewalAction::ExtendTo {
                hard_expiry,
                soft_expiry,
            } => {
                if soft_expiry.is_some_and(|soft| soft >= *hard_expiry) {
                    return Err(Error::InvalidSpec(
                        "the soft expiry must come before the hard expiry".into(),
                    ));
                }
            }
            RenewalAction::AddEntitlement(e) => e.validate()?,
        }
        let body = RenewalBody {
            license_id: license.id,
            license_digest: license.digest(),
            issued_at,
            action,
        };
        self.sign(DocumentKind::RenewalToken, &body)
    }

    /// Signs a revocation list (its lists are sorted first): format
    /// version 1 when it names no release, so every product reads it,
    /// version 2 when it does.
    pub fn revocation_list(&self, body: &RevocationBody) -> Result<Envelope> {
        let mut body = body.clone();
        body.normalize();
        match body.format_version() {
            1 => self.sign(DocumentKind::RevocationList, &RevocationBodyV1::of(&body)),
            version => self.sign_version(DocumentKind::RevocationList, version, &body),
        }
    }

    /// Signs a release catalogue, its releases checked and put in version
    /// order first (a version listed twice is refused).
    pub fn release_catalogue(&self, body: &CatalogueBody) -> Result<Envelope> {
        let mut body = body.clone();
        body.normalize()?;
        self.sign(DocumentKind::ReleaseCatalogue, &body)
    }

    /// Signs a statement endorsing `new_key` for documents issued in
    /// `[not_before, not_after)`.
    pub fn rollover(
        &self,
        new_key: &PublicKey,
        not_before: Option<Timestamp>,
        not_after: Option<Timestamp>,
        issued_at: Timestamp,
    ) -> Result<Envelope> {
        let body = RolloverBody {
            old_key: self.public_key().key_id(),
            new_key: new_key.to_bytes(),
            not_before,
            not_after,
            issued_at,
        };
        self.sign(DocumentKind::KeyRollover, &body)
    }

    /// Answers an offline activation request with `license`, which must be
    /// locked to the request's machine. The answer is valid until `not_after`.
    pub fn answer_activation(
        &self,
        request: &ActivationRequest,
        license: &LicenseBody,
        not_after: Timestamp,
    ) -> Result<Envelope> {
        if license.product != request.product {
            return Err(Error::WrongProduct {
                expected: request.product.clone(),
                found: license.product.clone(),
            });
        }
        let locked_here = matches!(&license.binding, Binding::NodeLocked { machines, .. }
            if machines.contains(&request.fingerprint));
        if !locked_here {
            return Err(Error::InvalidSpec(
                "an activation answer's license must be node-locked to the requesting machine"
                    .into(),
            ));
        }
        if not_after <= license.issued_at {
            return Err(Error::InvalidSpec(
                "the answer must stay valid after it is issued".into(),
            ));
        }
        let answer = AnswerBody {
            nonce: request.nonce,
            fingerprint: request.fingerprint.clone(),
            issued_at: license.issued_at,
            not_after,
            license: self.issue(license)?.to_bytes(),
        };
        self.sign(DocumentKind::ActivationAnswer, &answer)
    }

    /// Signs the receipt for an offline deactivation `request`: the
    /// machine's seat was freed `at`.
    pub fn deactivation_receipt(
        &self,
        request: &DeactivationRequest,
        at: Timestamp,
    ) -> Result<Envelope> {
        self.sign(
            DocumentKind::DeactivationReceipt,
            &ReceiptBody::answering(request, at),
        )
    }

    /// Encodes, signs, and verifies what it signed.
    fn sign<T: SignedBody + PartialEq>(&self, kind: DocumentKind, body: &T) -> Result<Envelope> {
        self.sign_version(kind, crate::format::FORMAT_VERSION, body)
    }

    /// Encodes, signs in format `version`, and verifies what it signed.
    fn sign_version<T: SignedBody + PartialEq>(
        &self,
        kind: DocumentKind,
        version: u8,
        body: &T,
    ) -> Result<Envelope> {
        let envelope =
            Envelope::seal_version(kind, version, self.signer.as_ref(), codec::encode(body)?)?;
        self.public_key()
            .verify_strict(&envelope.signed_message(), &envelope.signature)?;
        if codec::decode_canonical::<T>(&envelope.body)? != *body {
            return Err(Error::MalformedBody);
        }
        Ok(envelope)
    }
}
