//! Offline activation: the request a machine writes, the answer it accepts.
//!
//! The customer's machine writes an [`ActivationRequest`] (product, license
//! key or id, machine fingerprint, platform, time, random nonce) and carries it
//! to the back office, which answers with a signed document binding that
//! nonce, the fingerprint, the answer's issue time and a not-after time to a
//! machine-locked license ([`Issuer::answer_activation`](crate::Issuer::answer_activation)).
//! [`ActivationRequest::accept`] refuses an answer for another request, another
//! machine, or outside its time window, so an answer cannot be replayed
//! elsewhere or later.

use subtle::ConstantTimeEq;

use crate::format::{self, DocumentKind, Envelope, FORMAT_VERSION};
use crate::license::LicenseId;
use crate::machine::Fingerprint;
use crate::signed::SignedBody;
use crate::time::Timestamp;
use crate::verify::{License, Verifier};
use crate::{codec, Error, Result};

/// Which license the request is about.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum LicenseRef {
    /// The license key the customer was given.
    Key(String),
    /// The id of a license file the customer holds.
    Id(LicenseId),
}

/// An offline activation request. Unsigned: the customer holds no key.
///
/// ```
/// use licentia::{ActivationRequest, Fingerprint, LicenseRef, Timestamp};
/// let machine = Fingerprint::builder("acme").vendor("host", "build-7").build().unwrap();
/// let request = ActivationRequest::new("acme", LicenseRef::Key("K3Y".into()), machine, Timestamp(1_800_000_000));
/// let text = request.to_armor();
/// assert!(text.starts_with("-----BEGIN LICENTIA ACTIVATION REQUEST-----"));
/// assert_eq!(ActivationRequest::parse(&text).unwrap(), request);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ActivationRequest {
    /// The product to activate.
    pub product: String,
    /// The license key or id.
    pub license: LicenseRef,
    /// This machine.
    pub fingerprint: Fingerprint,
    /// Operating system and architecture, e.g. `linux-x86_64`.
    pub platform: String,
    /// When the request was written.
    pub created_at: Timestamp,
    /// Random, so each answer fits exactly one request.
    pub nonce: [u8; 16],
}

impl ActivationRequest {
    /// A request from this platform with a fresh nonce.
    pub fn new(
        product: &str,
        license: LicenseRef,
        fingerprint: Fingerprint,
        now: Timestamp,
    ) -> ActivationRequest {
        ActivationRequest {
            product: product.to_owned(),
            license,
            fingerprint,
            platform: format!("{}-{}", std::env::consts::OS, std::env::consts::ARCH),
            created_at: now,
            nonce: rand::random(),
        }
    }

    fn to_bytes(&self) -> Result<Vec<u8>> {
        let mut bytes = vec![FORMAT_VERSION, DocumentKind::ActivationRequest as u8];
        bytes.extend(codec::encode(self)?);
        Ok(bytes)
    }

    /// The armored text to carry to the back office.
    pub fn to_armor(&self) -> String {
        format::armor(
            DocumentKind::ActivationRequest,
            &self
                .to_bytes()
                .expect("a request built from bounded parts encodes"),
        )
    }

    /// The compact one-line form: what a QR code carries.
    ///
    /// ```
    /// use licentia::{ActivationRequest, Fingerprint, LicenseRef, Timestamp};
    /// let machine = Fingerprint::builder("acme").vendor("host", "build-7").build().unwrap();
    /// let request = ActivationRequest::new("acme", LicenseRef::Key("K3Y".into()), machine, Timestamp(1_800_000_000));
    /// let line = request.to_compact();
    /// assert!(!line.contains('\n'));
    /// assert_eq!(ActivationRequest::parse(&line).unwrap(), request);
    /// ```
    pub fn to_compact(&self) -> String {
        format::compact(
            DocumentKind::ActivationRequest,
            &self
                .to_bytes()
                .expect("a request built from bounded parts encodes"),
        )
    }

    /// The request as a typed code ([`typed`](crate::typed)): groups of
    /// five characters a person reads over the telephone, each with a check
    /// character, for a machine with no network and nothing to carry a file.
    ///
    /// ```
    /// use licentia::{ActivationRequest, Fingerprint, LicenseRef, Timestamp};
    /// let machine = Fingerprint::builder("acme").vendor("host", "build-7").build().unwrap();
    /// let request = ActivationRequest::new("acme", LicenseRef::Key("K3Y".into()), machine, Timestamp(1_800_000_000));
    /// let code = request.to_typed();
    /// assert_eq!(ActivationRequest::parse_typed(&code).unwrap(), request);
    /// ```
    pub fn to_typed(&self) -> String {
        crate::typed::encode(
            &self
                .to_bytes()
                .expect("a request built from bounded parts encodes"),
        )
    }

    /// Parses a request — armored, compact, or its typed code
    /// ([`ActivationRequest::to_typed`]) — strictly.
    pub fn parse(text: &str) -> Result<ActivationRequest> {
        if crate::typed::looks_typed(text) {
            return Self::parse_typed(text);
        }
        let (kind, bytes) = format::decode_text(text)?;
        if kind != DocumentKind::ActivationRequest {
            return Err(Error::WrongDocumentKind {
                expected: DocumentKind::ActivationRequest,
                found: kind,
            });
        }
        Self::from_bytes(&bytes)
    }

    /// Parses a request's typed code ([`ActivationRequest::to_typed`]): a
    /// mistyped character is refused naming the group to re-key.
    pub fn parse_typed(code: &str) -> Result<ActivationRequest> {
        Self::from_bytes(&crate::typed::decode(code)?)
    }

    fn from_bytes(bytes: &[u8]) -> Result<ActivationRequest> {
        match bytes {
            [version, ..] if !DocumentKind::ActivationRequest.versions().contains(version) => {
                Err(Error::UnsupportedVersion { found: *version })
            }
            [_, kind, body @ ..] => {
                let kind = DocumentKind::from_u8(*kind)?;
                if kind != DocumentKind::ActivationRequest {
                    return Err(Error::WrongDocumentKind {
                        expected: DocumentKind::ActivationRequest,
                        found: kind,
                    });
                }
                codec::decode_canonical(body)
            }
            _ => Err(Error::Truncated),
        }
    }

    /// Verifies the back office's answer to this request and returns the
    /// license it carries, with its armored text to store.
    ///
    /// Refused when the answer is for another request (nonce), another
    /// machine, or `now` is outside `[issued at - tolerance, not after)`.
    pub fn accept(&self, answer: &str, verifier: &Verifier, now: Timestamp) -> Result<Activated> {
        let envelope = Envelope::from_text(answer, DocumentKind::ActivationAnswer)?;
        let body: AnswerBody = verifier.open(&envelope)?;
        if !bool::from(body.nonce.ct_eq(&self.nonce)) {
            return Err(Error::ActivationMismatch("it answers another request"));
        }
        if body.fingerprint != self.fingerprint {
            return Err(Error::ActivationMismatch("it is for another machine"));
        }
        let tolerance = i64::from(crate::verdict::DEFAULT_CLOCK_TOLERANCE_SECS);
        if now < body.issued_at.add_secs(-tolerance) || now >= body.not_after {
            return Err(Error::ActivationMismatch(
                "it is outside its validity window",
            ));
        }
        let inner = Envelope::from_bytes(&body.license)?;
        if inner.kind != DocumentKind::License {
            return Err(Error::WrongDocumentKind {
                expected: DocumentKind::License,
                found: inner.kind,
            });
        }
        let license_file = inner.to_armor();
        let license = verifier.license_from_envelope(inner)?;
        if license.product != self.product {
            return Err(Error::ActivationMismatch("it is for another product"));
        }
        Ok(Activated {
            license,
            license_file,
        })
    }
}

/// An accepted activation answer.
#[derive(Debug, Clone)]
pub struct Activated {
    /// The verified, machine-locked license.
    pub license: License,
    /// Its armored text, for the application to store.
    pub license_file: String,
}

/// The signed body of an activation answer.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AnswerBody {
    /// The request's nonce.
    pub nonce: [u8; 16],
    /// The request's fingerprint.
    pub fingerprint: Fingerprint,
    /// When the answer was signed.
    pub issued_at: Timestamp,
    /// The answer is refused from this time on.
    pub not_after: Timestamp,
    /// The license envelope (binary), signed on its own.
    pub license: Vec<u8>,
}

impl SignedBody for AnswerBody {
    fn issued_at(&self) -> Timestamp {
        self.issued_at
    }
}
