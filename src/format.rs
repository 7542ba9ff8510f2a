//! The envelope and its two text forms: bytes in, checked bytes out.
//!
//! Nothing here knows what a license means. A signed document is an
//! **envelope**:
//!
//! ```text
//! offset  size  field
//! 0       1     format version (1; 2 for a revocation list naming releases
//!               or a licence or lease refusing virtual machines or containers;
//!               3 for a licence or lease with meters)
//! 1       1     document kind (DocumentKind)
//! 2       8     key id: SHA-256(public key)[..8]
//! 10      n     body: postcard bytes, 0 <= n <= MAX_BODY_LEN
//! 10+n    64    Ed25519 signature over signed_message()
//! ```
//!
//! Versions are per document kind ([`DocumentKind::versions`]): every kind
//! is version 1; a revocation list that names machines that gave a license
//! back is version 2, its body the version 1 body and one more list
//! (postcard is not self-describing, so a new field means a new version). A
//! list naming none is written as version 1, so older libraries keep
//! reading it; they refuse a version 2 list by its version, never misread
//! it. Licences and leases follow the same rule: version 2 is the version 1
//! body and the environment terms, written only when those refuse virtual
//! machines or containers; version 3 is the version 2 body and the meters
//! (consumable quotas), written only when there are meters.
//!
//! The signature covers `domain tag || version || key id || body`
//! ([`signed_message`]); each document kind has its own domain tag, so a
//! renewal token can never pass for a license. The text forms are the
//! **armor** (PEM-like, base64 with padding, 64-column lines) and the
//! **compact** one-line form (`lic.` + unpadded base64url) for environment
//! variables, config files and QR codes. Both decoders accept only canonical
//! base64, tolerate whitespace and CRLF, reject trailing data, and check every
//! size limit before allocating.

use core::fmt;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;

use crate::keys::{KeyId, SIGNATURE_LEN};
#[cfg(feature = "std")]
pub use crate::read::{read_text, read_text_file};
use crate::signer::Signer;
use crate::{Error, Result};

/// The format version this library writes (every document but a
/// revocation list naming releases and a licence or lease refusing an
/// environment, which are version 2: see [`DocumentKind::versions`]).
pub const FORMAT_VERSION: u8 = 1;

/// Every format version this library reads. Version 2 exists only for
/// revocation lists (they gained the machines that gave a license back)
/// and licences and leases (they gained the environment terms); version 3
/// only for licences and leases (they gained meters). A version 2 or 3
/// envelope of any other kind is unsupported.
pub const SUPPORTED_VERSIONS: &[u8] = &[1, 2, 3];

/// Bytes before the body: version, kind, key id.
pub const HEADER_LEN: usize = 10;

/// Largest body accepted (postcard bytes).
pub const MAX_BODY_LEN: usize = 4096;

/// Largest envelope accepted.
pub const MAX_ENVELOPE_LEN: usize = HEADER_LEN + MAX_BODY_LEN + SIGNATURE_LEN;

/// Largest text of a whole document (armored or compact) accepted,
/// whitespace included. (One text field of a license has its own, much
/// smaller limit: `license::MAX_FIELD_LEN`.)
pub const MAX_TEXT_LEN: usize = 2 * MAX_ENVELOPE_LEN;

const ARMOR_DASHES: &str = "-----";
const ARMOR_BEGIN: &str = "-----BEGIN LICENTIA ";
const ARMOR_END: &str = "-----END LICENTIA ";
const ARMOR_COLUMNS: usize = 64;

enum_table! {
    /// The kinds of document licentia reads and writes.
    ///
    /// The numbers are part of the format: they are written in the envelope and
    /// never reused.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    #[repr(u8)]
    pub enum DocumentKind {
        /// Every kind, in number order.
        const ALL;
        /// Its names: the armor label, the compact prefix, the domain tag.
        fn names(self) -> (&'static str, &'static str, &'static [u8]);

        /// A license file.
        License = 1 => ("LICENSE", "lic.", b"licentia license\0"),
        /// "Extend license L to T" or "add entitlement E", bound to one license.
        RenewalToken = 2 => ("RENEWAL TOKEN", "renew.", b"licentia renewal token\0"),
        /// License ids, machines and keys no longer to be honoured.
        RevocationList = 3 => ("REVOCATION LIST", "revoked.", b"licentia revocation list\0"),
        /// An old key endorsing a new one.
        KeyRollover = 4 => ("KEY ROLLOVER", "rollover.", b"licentia key rollover\0"),
        /// The back office's answer to an offline activation request.
        ActivationAnswer = 5 => (
            "ACTIVATION ANSWER", "answer.", b"licentia activation answer\0"
        ),
        /// A floating seat checked out for a limited time.
        Lease = 6 => ("LEASE", "lease.", b"licentia lease\0"),
        /// An offline activation request (the only unsigned document).
        ActivationRequest = 7 => (
            "ACTIVATION REQUEST", "request.", b"licentia activation request\0"
        ),
        /// An offline deactivation request (unsigned, like the activation
        /// request): this machine deleted its file of a license.
        DeactivationRequest = 8 => (
            "DEACTIVATION REQUEST", "deactivate.", b"licentia deactivation request\0"
        ),
        /// The back office's signed receipt for an offline deactivation:
        /// the seat is free.
        DeactivationReceipt = 9 => (
            "DEACTIVATION RECEIPT", "receipt.", b"licentia deactivation receipt\0"
        ),
        /// A product's releases (version, date, channel, notes, download
        /// address), against which a licence's updates-until is checked.
        ReleaseCatalogue = 10 => (
            "RELEASE CATALOGUE", "releases.", b"licentia release catalogue\0"
        ),
        /// A product's statement of what it consumed offline (unsigned: the
        /// customer's word, accepted once by the back office).
        UsageReport = 11 => ("USAGE REPORT", "usage.", b"licentia usage report\0"),
    }
}

impl DocumentKind {
    /// Decodes the kind byte of an envelope.
    pub fn from_u8(byte: u8) -> Result<DocumentKind> {
        Self::ALL
            .into_iter()
            .find(|k| *k as u8 == byte)
            .ok_or(Error::UnknownDocumentKind(byte))
    }

    /// The format versions a document of this kind may carry: 1, and 2 for
    /// a revocation list, a licence and a lease, and 3 for a licence and a
    /// lease.
    pub fn versions(self) -> &'static [u8] {
        match self {
            DocumentKind::RevocationList => &[1, 2],
            DocumentKind::License | DocumentKind::Lease => &[1, 2, 3],
            _ => &[1],
        }
    }

    /// The word(s) after `BEGIN LICENTIA` in the armor.
    pub fn armor_label(self) -> &'static str {
        self.names().0
    }

    /// The prefix of the compact one-line form, dot included.
    pub fn compact_prefix(self) -> &'static str {
        self.names().1
    }

    /// The domain-separation tag that starts every signed message of this kind.
    pub fn domain_tag(self) -> &'static [u8] {
        self.names().2
    }
}

impl fmt::Display for DocumentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.armor_label().to_ascii_lowercase())
    }
}

/// The exact bytes an Ed25519 signature covers. Signer and verifier both call this.
pub fn signed_message(kind: DocumentKind, version: u8, key_id: &KeyId, body: &[u8]) -> Vec<u8> {
    let tag = kind.domain_tag();
    let mut message = Vec::with_capacity(tag.len() + 1 + key_id.0.len() + body.len());
    message.extend_from_slice(tag);
    message.push(version);
    message.extend_from_slice(&key_id.0);
    message.extend_from_slice(body);
    message
}

/// A signed document as parsed, **not yet verified**.
///
/// Inspect it freely; trust nothing in it until a
/// [`Verifier`](crate::Verifier) has checked the signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    /// Format version (always a supported one once parsed).
    pub version: u8,
    /// What the document is.
    pub kind: DocumentKind,
    /// The key that claims to have signed it.
    pub key_id: KeyId,
    /// The body, exactly as signed.
    pub body: Vec<u8>,
    /// The Ed25519 signature.
    pub signature: [u8; SIGNATURE_LEN],
}

impl Envelope {
    /// Signs `body` as a document of `kind` with `key`.
    pub fn seal(kind: DocumentKind, key: &dyn Signer, body: Vec<u8>) -> Result<Envelope> {
        Self::seal_version(kind, FORMAT_VERSION, key, body)
    }

    /// Signs `body` as a document of `kind` in format `version` (one the
    /// kind has: [`DocumentKind::versions`]).
    pub fn seal_version(
        kind: DocumentKind,
        version: u8,
        key: &dyn Signer,
        body: Vec<u8>,
    ) -> Result<Envelope> {
        if !kind.versions().contains(&version) {
            return Err(Error::UnsupportedVersion { found: version });
        }
        if body.len() > MAX_BODY_LEN {
            return Err(Error::TooLarge {
                what: "body",
                limit: MAX_BODY_LEN,
            });
        }
        let key_id = key.public_key().key_id();
        let signature = key.try_sign(&signed_message(kind, version, &key_id, &body))?;
        Ok(Envelope {
            version,
            kind,
            key_id,
            body,
            signature,
        })
    }

    /// Parses the binary envelope, strictly.
    pub fn from_bytes(bytes: &[u8]) -> Result<Envelope> {
        if bytes.len() > MAX_ENVELOPE_LEN {
            return Err(Error::TooLarge {
                what: "envelope",
                limit: MAX_ENVELOPE_LEN,
            });
        }
        // The version comes first so that a future format is named, not misread.
        let version = *bytes.first().ok_or(Error::Truncated)?;
        if !SUPPORTED_VERSIONS.contains(&version) {
            return Err(Error::UnsupportedVersion { found: version });
        }
        if bytes.len() < HEADER_LEN + SIGNATURE_LEN {
            return Err(Error::Truncated);
        }
        let kind = DocumentKind::from_u8(bytes[1])?;
        if !kind.versions().contains(&version) {
            return Err(Error::UnsupportedVersion { found: version });
        }
        let (head, signature) = bytes.split_at(bytes.len() - SIGNATURE_LEN);
        let key_id = KeyId(head[2..HEADER_LEN].try_into().expect("8 bytes"));
        Ok(Envelope {
            version,
            kind,
            key_id,
            body: head[HEADER_LEN..].to_vec(),
            signature: signature.try_into().expect("64 bytes"),
        })
    }

    /// The binary envelope.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(HEADER_LEN + self.body.len() + SIGNATURE_LEN);
        out.push(self.version);
        out.push(self.kind as u8);
        out.extend_from_slice(&self.key_id.0);
        out.extend_from_slice(&self.body);
        out.extend_from_slice(&self.signature);
        out
    }

    /// Parses armored or compact text holding a document of `expected` kind.
    pub fn from_text(text: &str, expected: DocumentKind) -> Result<Envelope> {
        let (kind, bytes) = decode_text(text)?;
        if kind != expected {
            return Err(Error::WrongDocumentKind {
                expected,
                found: kind,
            });
        }
        let envelope = Envelope::from_bytes(&bytes)?;
        if envelope.kind != kind {
            return Err(Error::WrongDocumentKind {
                expected: kind,
                found: envelope.kind,
            });
        }
        Ok(envelope)
    }

    /// The bytes the signature covers.
    pub fn signed_message(&self) -> Vec<u8> {
        signed_message(self.kind, self.version, &self.key_id, &self.body)
    }

    /// The armored text form.
    pub fn to_armor(&self) -> String {
        armor(self.kind, &self.to_bytes())
    }

    /// The compact one-line form.
    pub fn to_compact(&self) -> String {
        compact(self.kind, &self.to_bytes())
    }
}

/// Armors bytes as a document of `kind`.
pub fn armor(kind: DocumentKind, bytes: &[u8]) -> String {
    let b64 = STANDARD.encode(bytes);
    let label = kind.armor_label();
    let mut out = String::with_capacity(
        b64.len() + b64.len() / ARMOR_COLUMNS + 2 * (ARMOR_BEGIN.len() + label.len() + 7),
    );
    out.push_str(ARMOR_BEGIN);
    out.push_str(label);
    out.push_str(ARMOR_DASHES);
    out.push('\n');
    for line in b64.as_bytes().chunks(ARMOR_COLUMNS) {
        out.push_str(core::str::from_utf8(line).expect("base64 is ASCII"));
        out.push('\n');
    }
    out.push_str(ARMOR_END);
    out.push_str(label);
    out.push_str(ARMOR_DASHES);
    out.push('\n');
    out
}

/// The compact one-line form of bytes as a document of `kind`.
pub fn compact(kind: DocumentKind, bytes: &[u8]) -> String {
    let mut out = String::from(kind.compact_prefix());
    URL_SAFE_NO_PAD.encode_string(bytes, &mut out);
    out
}

/// Decodes armored or compact text into the kind it claims and its bytes.
///
/// The kind comes from the armor label or compact prefix; the caller checks
/// it against the envelope's own kind byte.
pub fn decode_text(text: &str) -> Result<(DocumentKind, Vec<u8>)> {
    if text.len() > MAX_TEXT_LEN {
        return Err(Error::TooLarge {
            what: "text",
            limit: MAX_TEXT_LEN,
        });
    }
    let text = text.trim_start();
    if text.starts_with(ARMOR_BEGIN) {
        decode_armor(text)
    } else {
        decode_compact(text)
    }
}

fn decode_armor(text: &str) -> Result<(DocumentKind, Vec<u8>)> {
    let (begin, rest) = text.split_once('\n').ok_or(Error::ArmorUnterminated)?;
    let label = begin
        .trim_end()
        .strip_prefix(ARMOR_BEGIN)
        .and_then(|l| l.strip_suffix(ARMOR_DASHES))
        .ok_or(Error::NotLicentiaText)?;
    let kind = DocumentKind::ALL
        .into_iter()
        .find(|k| k.armor_label() == label)
        .ok_or(Error::NotLicentiaText)?;

    let end_line = [ARMOR_END, label, ARMOR_DASHES].concat();
    let end_at = rest.find(&end_line).ok_or(Error::ArmorUnterminated)?;
    let (payload, after) = rest.split_at(end_at);
    if !after[end_line.len()..].trim().is_empty() {
        return Err(Error::TrailingData);
    }
    let clean: String = payload
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    Ok((kind, decode_bounded(&STANDARD, &clean)?))
}

fn decode_compact(text: &str) -> Result<(DocumentKind, Vec<u8>)> {
    let text = text.trim_end();
    let (kind, payload) = DocumentKind::ALL
        .into_iter()
        .find_map(|k| text.strip_prefix(k.compact_prefix()).map(|p| (k, p)))
        .ok_or(Error::NotLicentiaText)?;
    if payload.bytes().any(|b| b.is_ascii_whitespace()) {
        return Err(Error::TrailingData);
    }
    Ok((kind, decode_bounded(&URL_SAFE_NO_PAD, payload)?))
}

fn decode_bounded(engine: &impl base64::Engine, payload: &str) -> Result<Vec<u8>> {
    if base64::decoded_len_estimate(payload.len()) > MAX_ENVELOPE_LEN + 3 {
        return Err(Error::TooLarge {
            what: "envelope",
            limit: MAX_ENVELOPE_LEN,
        });
    }
    engine.decode(payload).map_err(|_| Error::Base64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SigningKey;

    fn sample() -> Envelope {
        Envelope::seal(
            DocumentKind::License,
            &SigningKey::from_seed(&[3; 32]),
            b"body".to_vec(),
        )
        .unwrap()
    }

    #[test]
    fn both_text_forms_round_trip() {
        let env = sample();
        let armored = env.to_armor();
        assert!(armored.starts_with("-----BEGIN LICENTIA LICENSE-----\n"));
        assert!(armored.ends_with("-----END LICENTIA LICENSE-----\n"));
        assert_eq!(
            Envelope::from_text(&armored, DocumentKind::License).unwrap(),
            env
        );
        let compact = env.to_compact();
        assert!(compact.starts_with("lic.") && !compact.contains('='));
        assert_eq!(
            Envelope::from_text(&compact, DocumentKind::License).unwrap(),
            env
        );
    }

    #[test]
    fn crlf_and_surrounding_whitespace_are_tolerated() {
        let env = sample();
        let crlf = format!("\r\n  {}\r\n\r\n", env.to_armor().replace('\n', "\r\n"));
        assert_eq!(
            Envelope::from_text(&crlf, DocumentKind::License).unwrap(),
            env
        );
        let compact = format!("  {}\n", env.to_compact());
        assert_eq!(
            Envelope::from_text(&compact, DocumentKind::License).unwrap(),
            env
        );
    }

    #[test]
    fn every_malformation_has_its_own_error() {
        let env = sample();
        let armored = env.to_armor();
        let k = DocumentKind::License;
        assert_eq!(Envelope::from_text("hello", k), Err(Error::NotLicentiaText));
        assert_eq!(
            Envelope::from_text(&format!("{armored}trailing"), k),
            Err(Error::TrailingData)
        );
        let truncated = &armored[..armored.len() - 20];
        assert_eq!(
            Envelope::from_text(truncated, k),
            Err(Error::ArmorUnterminated)
        );
        assert_eq!(
            Envelope::from_text(&armored.replacen("\n", "\n!", 1), k),
            Err(Error::Base64)
        );
        let huge = "A".repeat(MAX_TEXT_LEN + 1);
        assert!(matches!(
            Envelope::from_text(&huge, k),
            Err(Error::TooLarge { what: "text", .. })
        ));
        assert_eq!(Envelope::from_bytes(&[]), Err(Error::Truncated));
        assert_eq!(Envelope::from_bytes(&[1, 1, 0]), Err(Error::Truncated));
        assert_eq!(
            Envelope::from_bytes(&[9; 80]),
            Err(Error::UnsupportedVersion { found: 9 })
        );
        let mut bad_kind = env.to_bytes();
        bad_kind[1] = 99;
        assert_eq!(
            Envelope::from_bytes(&bad_kind),
            Err(Error::UnknownDocumentKind(99))
        );
        assert_eq!(
            Envelope::from_text(&armored, DocumentKind::Lease),
            Err(Error::WrongDocumentKind {
                expected: DocumentKind::Lease,
                found: DocumentKind::License
            })
        );
    }

    #[test]
    fn non_canonical_base64_is_refused() {
        // "Zm9v" is "foo"; "Zm9w" has the same bytes but the last digit's
        // unused bits set, which a lax decoder would accept.
        assert_eq!(decode_bounded(&STANDARD, "Zm9vYg=="), Ok(b"foob".to_vec()));
        assert_eq!(decode_bounded(&STANDARD, "Zm9vYh=="), Err(Error::Base64));
        assert_eq!(decode_bounded(&STANDARD, "Zm9vYg"), Err(Error::Base64));
        assert_eq!(
            decode_bounded(&URL_SAFE_NO_PAD, "Zm9vYg=="),
            Err(Error::Base64)
        );
    }

    #[test]
    fn the_armor_label_and_the_kind_byte_must_agree() {
        let env = sample();
        let mut bytes = env.to_bytes();
        bytes[1] = DocumentKind::Lease as u8;
        let text = armor(DocumentKind::License, &bytes);
        assert_eq!(
            Envelope::from_text(&text, DocumentKind::License),
            Err(Error::WrongDocumentKind {
                expected: DocumentKind::License,
                found: DocumentKind::Lease
            })
        );
    }

    #[test]
    fn domain_tags_are_distinct_and_prefix_free() {
        for a in DocumentKind::ALL {
            for b in DocumentKind::ALL {
                if a != b {
                    assert!(!a.domain_tag().starts_with(b.domain_tag()));
                    assert!(!a.compact_prefix().starts_with(b.compact_prefix()));
                }
            }
        }
    }
}
