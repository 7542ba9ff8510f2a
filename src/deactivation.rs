//! Offline deactivation: the request a machine writes when it gives its
//! license back without a connection, and the back office's signed receipt.
//!
//! The machine deletes its license file and writes a
//! [`DeactivationRequest`] naming the license, the machine, a hash of the
//! file it deleted, the time and a random nonce. Staff carry it to the back
//! office, which frees the machine's seat and answers a
//! [`DeactivationReceipt`] signed under its own domain tag (no other
//! document can pass for one). [`DeactivationRequest::accept`] refuses a
//! receipt for another request, license, machine or file, so a receipt for
//! one license can never be shown for another.
//!
//! ```
//! use licentia::{DeactivationRequest, Fingerprint, Issuer, LicenseBody, MatchRule, SigningKey, Timestamp, Verifier};
//! let issuer = Issuer::new(SigningKey::generate());
//! let verifier = Verifier::new([issuer.public_key().clone()]);
//! let here = Fingerprint::builder("acme").vendor("host", "build-7").build().unwrap();
//! let body = LicenseBody::builder("acme", "Jane").node_locked(vec![here.clone()], MatchRule::All).build().unwrap();
//! let license = verifier.verify(&issuer.issue(&body).unwrap().to_armor()).unwrap();
//! // The machine deletes its file and writes the request...
//! let request = DeactivationRequest::new(&license, here, Timestamp(1_800_000_000));
//! let text = request.to_armor();
//! // ...the back office frees the seat and signs the receipt...
//! let seen = DeactivationRequest::parse(&text).unwrap();
//! let receipt = issuer.deactivation_receipt(&seen, Timestamp(1_800_000_100)).unwrap().to_armor();
//! // ...which the product (or the vendor) verifies against the request.
//! let receipt = request.accept(&receipt, &verifier).unwrap();
//! assert_eq!(receipt.license, license.id);
//! ```

use core::ops::Deref;

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::format::{DocumentKind, Envelope};
use crate::license::LicenseId;
use crate::machine::Fingerprint;
use crate::signed::SignedBody;
use crate::time::Timestamp;
use crate::verify::{License, Verifier};
use crate::{unsigned, Error, Result};

/// The SHA-256 of a license file's signed body: what a deactivation
/// request and its receipt name as the file deleted (the armor's line
/// breaks do not change it).
pub fn file_digest(license: &License) -> [u8; 32] {
    Sha256::digest(license.signed_body()).into()
}

/// An offline deactivation request. Unsigned: the customer holds no key;
/// the back office decides what it is worth (its staff, the seat it frees).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DeactivationRequest {
    /// The product.
    pub product: String,
    /// The license given back.
    pub license: LicenseId,
    /// This machine.
    pub fingerprint: Fingerprint,
    /// [`file_digest`] of the license file deleted.
    pub file_digest: [u8; 32],
    /// When the request was written.
    pub created_at: Timestamp,
    /// Random, so each receipt fits exactly one request.
    pub nonce: [u8; 16],
}

impl DeactivationRequest {
    /// A request giving `license` back from `fingerprint`, with a fresh
    /// nonce. The caller deletes the license file.
    pub fn new(license: &License, fingerprint: Fingerprint, now: Timestamp) -> DeactivationRequest {
        DeactivationRequest {
            product: license.product.clone(),
            license: license.id,
            fingerprint,
            file_digest: file_digest(license),
            created_at: now,
            nonce: rand::random(),
        }
    }

    /// The armored text to carry to the back office.
    pub fn to_armor(&self) -> String {
        unsigned::to_armor(DocumentKind::DeactivationRequest, self)
            .expect("a request built from bounded parts encodes")
    }

    /// Parses a request (armored or compact), strictly.
    pub fn parse(text: &str) -> Result<DeactivationRequest> {
        unsigned::parse(text, DocumentKind::DeactivationRequest)
    }

    /// Verifies the back office's receipt for this very request: signed by
    /// a trusted key, for this product, license, machine, file and nonce.
    pub fn accept(&self, receipt: &str, verifier: &Verifier) -> Result<DeactivationReceipt> {
        let receipt = verifier.verify_deactivation_receipt(receipt, &self.product)?;
        receipt.answers(self)?;
        Ok(receipt)
    }
}

/// The signed body of a deactivation receipt: the request it answers, and
/// when the seat was freed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ReceiptBody {
    /// The product.
    pub product: String,
    /// The license given back.
    pub license: LicenseId,
    /// The machine that gave it back.
    pub fingerprint: Fingerprint,
    /// The request's [`file_digest`].
    pub file_digest: [u8; 32],
    /// The request's nonce.
    pub nonce: [u8; 16],
    /// When the back office freed the seat (and signed this).
    pub deactivated_at: Timestamp,
}

impl SignedBody for ReceiptBody {
    fn issued_at(&self) -> Timestamp {
        self.deactivated_at
    }
}

impl ReceiptBody {
    /// The receipt body answering `request`, the seat freed `at`.
    pub fn answering(request: &DeactivationRequest, at: Timestamp) -> ReceiptBody {
        ReceiptBody {
            product: request.product.clone(),
            license: request.license,
            fingerprint: request.fingerprint.clone(),
            file_digest: request.file_digest,
            nonce: request.nonce,
            deactivated_at: at,
        }
    }
}

/// A verified deactivation receipt: the back office freed this machine's
/// seat of this license.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeactivationReceipt(pub(crate) ReceiptBody);

impl DeactivationReceipt {
    /// Whether this receipt answers `request` (same license, machine, file
    /// and nonce); [`Error::ReceiptMismatch`] says which part differs.
    pub fn answers(&self, request: &DeactivationRequest) -> Result<()> {
        let body = &self.0;
        if body.product != request.product {
            return Err(Error::ReceiptMismatch("it is for another product"));
        }
        if body.license != request.license {
            return Err(Error::ReceiptMismatch("it is for another license"));
        }
        if body.fingerprint != request.fingerprint {
            return Err(Error::ReceiptMismatch("it is for another machine"));
        }
        if !bool::from(body.file_digest.ct_eq(&request.file_digest)) {
            return Err(Error::ReceiptMismatch("it names another license file"));
        }
        if !bool::from(body.nonce.ct_eq(&request.nonce)) {
            return Err(Error::ReceiptMismatch("it answers another request"));
        }
        Ok(())
    }

    /// Whether this receipt gives back `license` (its id and this very
    /// file): the vendor's check that a customer's receipt is for the
    /// file it claims.
    pub fn covers(&self, license: &License) -> Result<()> {
        if self.0.license != license.id || self.0.product != license.product {
            return Err(Error::ReceiptMismatch("it is for another license"));
        }
        if !bool::from(self.0.file_digest.ct_eq(&file_digest(license))) {
            return Err(Error::ReceiptMismatch("it names another license file"));
        }
        Ok(())
    }
}

impl Deref for DeactivationReceipt {
    type Target = ReceiptBody;
    fn deref(&self) -> &ReceiptBody {
        &self.0
    }
}

impl Verifier {
    /// Verifies a deactivation receipt for `product` (its signature, its
    /// kind, its key's window); match it to the request with
    /// [`DeactivationReceipt::answers`] or to a license with
    /// [`DeactivationReceipt::covers`].
    pub fn verify_deactivation_receipt(
        &self,
        text: &str,
        product: &str,
    ) -> Result<DeactivationReceipt> {
        let envelope = Envelope::from_text(text, DocumentKind::DeactivationReceipt)?;
        let body: ReceiptBody = self.open(&envelope)?;
        if body.product != product {
            return Err(Error::WrongProduct {
                expected: product.to_owned(),
                found: body.product,
            });
        }
        Ok(DeactivationReceipt(body))
    }
}
