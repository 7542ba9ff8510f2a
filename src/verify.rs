//! The verifier: trusted keys in, verified documents out.

use core::ops::Deref;
use std::sync::Arc;

use sha2::{Digest, Sha256};

use crate::catalogue::{CatalogueBody, ReleaseCatalogue};
use crate::format::{DocumentKind, Envelope};
use crate::keys::{KeyId, PublicKey};
use crate::license::{LicenseBody, LicenseBodyV2};
use crate::meter::LicenseBodyV3;
use crate::prepared::PreparedKey;
use crate::renewal::{RenewalAction, RenewalToken};
use crate::revocation::{RevocationBody, RevocationBodyV1, RevocationList};
use crate::rollover::RolloverBody;
use crate::signed::SignedBody;
use crate::time::Timestamp;
use crate::{codec, Error, Result};

/// A key the verifier trusts, for documents issued inside its window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedKey {
    /// The public key.
    pub key: PublicKey,
    /// Documents issued before this time are refused.
    pub not_before: Option<Timestamp>,
    /// Documents issued at or after this time are refused.
    pub not_after: Option<Timestamp>,
    /// The key whose rollover statement made this one trusted; `None` for
    /// a key trusted directly. A revocation of that key reaches this one's
    /// licenses too (nothing a revoked key signed is honoured).
    pub endorsed_by: Option<KeyId>,
    /// When the rollover statement that set this window was signed; `None`
    /// for a key trusted directly. Only a later statement changes the
    /// window, so a replayed older one cannot widen it.
    pub endorsed_at: Option<Timestamp>,
}

impl TrustedKey {
    fn covers(&self, issued_at: Timestamp) -> bool {
        self.not_before.is_none_or(|t| issued_at >= t)
            && self.not_after.is_none_or(|t| issued_at < t)
    }
}

/// Checks signed documents against a set of trusted keys.
///
/// Each document names its key by id; an unknown id, a bad signature, and a
/// key used outside its window are three different errors. The signature is
/// checked over the exact body bytes before a single field is decoded.
///
/// Each trusted key is prepared when it is trusted ([`Verifier::new`],
/// [`Verifier::trust`], [`Verifier::accept_rollover`]): a [`PreparedKey`]
/// table of 30 KiB per key, built in about 0.2 ms, with which a
/// verification takes a little over half the time of a bare
/// `verify_strict`, with exactly its decisions. Clones of a verifier share the tables. A verifier
/// used for one document or a handful is better made with
/// [`Verifier::unprepared`].
///
/// ```
/// use licentia::{Issuer, LicenseBody, SigningKey, Verifier};
/// let key = SigningKey::generate();
/// let text = Issuer::new(key.clone())
///     .issue(&LicenseBody::builder("acme", "Jane").build().unwrap())
///     .unwrap()
///     .to_armor();
/// let license = Verifier::new([key.public_key().clone()]).verify(&text).unwrap();
/// assert_eq!(license.product, "acme");
/// ```
#[derive(Debug, Clone)]
pub struct Verifier {
    keys: Vec<TrustedKey>,
    /// `prepared[i]` is `keys[i]`'s table; `None` in an unprepared verifier.
    prepared: Vec<Option<Arc<PreparedKey>>>,
    /// Whether keys trusted from now on are prepared.
    prepare: bool,
}

impl Default for Verifier {
    /// A verifier trusting no key yet; keys trusted later are prepared.
    fn default() -> Verifier {
        Verifier {
            keys: Vec::new(),
            prepared: Vec::new(),
            prepare: true,
        }
    }
}

impl Verifier {
    /// Trusts these keys without time limits, each prepared (a 30 KiB
    /// table, about 0.2 ms to build) for fast verification.
    pub fn new(keys: impl IntoIterator<Item = PublicKey>) -> Verifier {
        Self::with_keys(keys, true)
    }

    /// Trusts these keys without time limits, without preparing them:
    /// every signature goes through the generic `verify_strict`. For a
    /// verifier that checks one document or a few (a command-line run, a
    /// one-off inspection), where building the tables would cost more than
    /// it saves; the decisions are the same.
    ///
    /// ```
    /// use licentia::{Issuer, LicenseBody, SigningKey, Verifier};
    /// let key = SigningKey::generate();
    /// let body = LicenseBody::builder("acme", "Jane").build().unwrap();
    /// let text = Issuer::new(key.clone()).issue(&body).unwrap().to_armor();
    /// let once = Verifier::unprepared([key.public_key().clone()]);
    /// assert_eq!(once.verify(&text).unwrap().product, "acme");
    /// ```
    pub fn unprepared(keys: impl IntoIterator<Item = PublicKey>) -> Verifier {
        Self::with_keys(keys, false)
    }

    fn with_keys(keys: impl IntoIterator<Item = PublicKey>, prepare: bool) -> Verifier {
        let mut verifier = Verifier {
            prepare,
            ..Verifier::default()
        };
        for key in keys {
            verifier.trust(key, None, None);
        }
        // A product holds its one or two keys for its lifetime: no spare
        // room (a growing Vec would keep four slots of ~230 bytes).
        verifier.keys.shrink_to_fit();
        verifier.prepared.shrink_to_fit();
        verifier
    }

    /// Trusts `key` for documents issued in `[not_before, not_after)`.
    /// Trusting a key again replaces its window.
    pub fn trust(
        &mut self,
        key: PublicKey,
        not_before: Option<Timestamp>,
        not_after: Option<Timestamp>,
    ) {
        self.put(TrustedKey {
            key,
            not_before,
            not_after,
            endorsed_by: None,
            endorsed_at: None,
        });
    }

    /// Trusts `trusted.key` with its window, replacing any earlier one;
    /// prepares it unless the verifier is unprepared (a key trusted again
    /// keeps its table).
    fn put(&mut self, trusted: TrustedKey) {
        let id = trusted.key.key_id();
        let held = self.keys.iter().position(|k| k.key.key_id() == id);
        let prepared = match held {
            Some(i) => {
                self.keys.remove(i);
                self.prepared.remove(i)
            }
            None => None,
        };
        let prepared = prepared.or_else(|| {
            self.prepare
                .then(|| Arc::new(PreparedKey::new(&trusted.key)))
        });
        self.keys.push(trusted);
        self.prepared.push(prepared);
    }

    /// The keys that endorsed `key` through rollovers, nearest first.
    fn endorsers(&self, key: KeyId) -> Vec<KeyId> {
        let mut chain: Vec<KeyId> = Vec::new();
        let mut at = key;
        // Each trusted key at most once, so a cycle of endorsements ends.
        while let Some(by) = self
            .keys
            .iter()
            .find(|k| k.key.key_id() == at)
            .and_then(|k| k.endorsed_by)
        {
            if by == key || chain.contains(&by) {
                break;
            }
            chain.push(by);
            at = by;
        }
        chain
    }

    /// The trusted keys.
    pub fn keys(&self) -> &[TrustedKey] {
        &self.keys
    }

    /// Verifies an armored or compact license.
    pub fn verify(&self, text: &str) -> Result<License> {
        self.verify_license_kind(text, DocumentKind::License)
    }

    /// Verifies a floating-seat lease (a license with its own document kind).
    pub fn verify_lease(&self, text: &str) -> Result<License> {
        self.verify_license_kind(text, DocumentKind::Lease)
    }

    fn verify_license_kind(&self, text: &str, kind: DocumentKind) -> Result<License> {
        let envelope = Envelope::from_text(text, kind)?;
        self.license_from_envelope(envelope)
    }

    /// Verifies a binary license envelope (as embedded in an activation answer).
    pub(crate) fn license_from_envelope(&self, envelope: Envelope) -> Result<License> {
        let body = match envelope.version {
            1 => self.open::<LicenseBody>(&envelope)?,
            2 => self.open::<LicenseBodyV2>(&envelope)?.into_body()?,
            _ => self.open::<LicenseBodyV3>(&envelope)?.into_body()?,
        };
        Ok(License {
            body,
            endorsers: self.endorsers(envelope.key_id),
            key_id: envelope.key_id,
            kind: envelope.kind,
            signed_body: envelope.body,
        })
    }

    /// Verifies a renewal token.
    pub fn verify_renewal(&self, text: &str) -> Result<RenewalToken> {
        let envelope = Envelope::from_text(text, DocumentKind::RenewalToken)?;
        self.open(&envelope).map(RenewalToken)
    }

    /// Verifies a revocation list for `product`.
    pub fn verify_revocation_list(&self, text: &str, product: &str) -> Result<RevocationList> {
        let envelope = Envelope::from_text(text, DocumentKind::RevocationList)?;
        let body: RevocationBody = match envelope.version {
            1 => self.open::<RevocationBodyV1>(&envelope)?.into(),
            _ => {
                let body: RevocationBody = self.open(&envelope)?;
                // One encoding per value: a list without releases is version 1.
                if body.format_version() != envelope.version {
                    return Err(Error::MalformedBody);
                }
                body
            }
        };
        // Lookups binary-search the lists: an unsorted list would miss entries.
        if !body.is_normalized() {
            return Err(Error::MalformedBody);
        }
        if body.product != product {
            return Err(Error::WrongProduct {
                expected: product.to_owned(),
                found: body.product,
            });
        }
        Ok(RevocationList(body))
    }

    /// Verifies a release catalogue for `product`: its releases must be
    /// valid and in version order, as the issuer writes them.
    pub fn verify_release_catalogue(&self, text: &str, product: &str) -> Result<ReleaseCatalogue> {
        let envelope = Envelope::from_text(text, DocumentKind::ReleaseCatalogue)?;
        let body: CatalogueBody = self.open(&envelope)?;
        // Lookups binary-search the releases: an unordered list would miss one.
        if !body.is_normalized() {
            return Err(Error::MalformedBody);
        }
        if body.product != product {
            return Err(Error::WrongProduct {
                expected: product.to_owned(),
                found: body.product,
            });
        }
        Ok(ReleaseCatalogue(body))
    }

    /// Verifies a key-rollover statement signed by a trusted key and, if it
    /// holds, trusts the new key within the statement's window.
    ///
    /// Returns the newly trusted key. A statement never changes the window
    /// the application gave a key itself ([`Verifier::new`],
    /// [`Verifier::trust`]); a key already endorsed takes the window of a
    /// later statement only. The same statement again changes nothing; an
    /// older one (a replay, which could widen the window) is
    /// [`Error::StaleRollover`].
    pub fn accept_rollover(&mut self, text: &str) -> Result<PublicKey> {
        let envelope = Envelope::from_text(text, DocumentKind::KeyRollover)?;
        let body: RolloverBody = self.open(&envelope)?;
        if body.old_key != envelope.key_id {
            return Err(Error::MalformedBody);
        }
        let key = PublicKey::from_bytes(&body.new_key)?;
        let offered = TrustedKey {
            key: key.clone(),
            not_before: body.not_before,
            not_after: body.not_after,
            endorsed_by: Some(envelope.key_id),
            endorsed_at: Some(body.issued_at),
        };
        let held = self.keys.iter().find(|k| k.key.key_id() == key.key_id());
        match held.map(|held| (held.endorsed_at, *held == offered)) {
            None => self.put(offered),
            // Trusted by the application itself: its window stands.
            Some((None, _)) => {}
            // The same statement again.
            Some((Some(_), true)) => {}
            Some((Some(at), false)) if at < body.issued_at => self.put(offered),
            Some((Some(at), false)) => {
                return Err(Error::StaleRollover {
                    held: at,
                    offered: body.issued_at,
                })
            }
        }
        Ok(key)
    }

    /// Checks the signature of `envelope`, then decodes and dates its body.
    pub(crate) fn open<T: SignedBody>(&self, envelope: &Envelope) -> Result<T> {
        let at = self
            .keys
            .iter()
            .position(|k| k.key.key_id() == envelope.key_id)
            .ok_or(Error::UnknownKeyId(envelope.key_id))?;
        let trusted = &self.keys[at];
        let message = envelope.signed_message();
        match self.prepared.get(at).and_then(Option::as_deref) {
            Some(prepared) => prepared.verify_strict(&message, &envelope.signature)?,
            None => trusted.key.verify_strict(&message, &envelope.signature)?,
        }
        let body: T = codec::decode_canonical(&envelope.body)?;
        if !trusted.covers(body.issued_at()) {
            return Err(Error::KeyNotValidAt(envelope.key_id));
        }
        Ok(body)
    }
}

/// A license whose signature has been verified.
///
/// It dereferences to the [`LicenseBody`] it carries; [`License::check`] gives
/// the verdict for a [`Context`](crate::Context).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct License {
    body: LicenseBody,
    key_id: KeyId,
    endorsers: Vec<KeyId>,
    kind: DocumentKind,
    signed_body: Vec<u8>,
}

impl License {
    /// The key that signed it.
    pub fn key_id(&self) -> KeyId {
        self.key_id
    }

    /// The keys whose rollover statements made the signing key trusted,
    /// nearest first; empty when the verifier trusted it directly.
    pub fn endorsers(&self) -> &[KeyId] {
        &self.endorsers
    }

    /// Whether this is a floating-seat lease rather than a license file.
    pub fn is_lease(&self) -> bool {
        self.kind == DocumentKind::Lease
    }

    /// The body as signed, before any renewal was applied.
    pub fn signed_body(&self) -> &[u8] {
        &self.signed_body
    }

    /// The first 16 bytes of SHA-256 over the signed body; renewal tokens
    /// bind to it.
    pub fn digest(&self) -> [u8; 16] {
        let full = Sha256::digest(&self.signed_body);
        let mut out = [0u8; 16];
        out.copy_from_slice(&full[..16]);
        out
    }

    /// The body, with any renewals applied.
    pub fn body(&self) -> &LicenseBody {
        &self.body
    }

    /// Applies a verified renewal token issued for this very license.
    ///
    /// Tokens may be applied in any order; an extension only ever moves the
    /// expiry later.
    pub fn apply_renewal(&mut self, token: &RenewalToken) -> Result<()> {
        use subtle::ConstantTimeEq;
        let bound = token.license_id == self.body.id
            && bool::from(token.license_digest.ct_eq(&self.digest()));
        if !bound {
            return Err(Error::RenewalMismatch);
        }
        let terms = &mut self.body.terms;
        match &token.action {
            RenewalAction::ExtendTo {
                hard_expiry,
                soft_expiry,
            } => {
                // No hard expiry means perpetual: an extension must not add one.
                if terms
                    .hard_expiry
                    .is_some_and(|current| *hard_expiry > current)
                {
                    terms.hard_expiry = Some(*hard_expiry);
                    terms.soft_expiry = *soft_expiry;
                }
            }
            RenewalAction::AddEntitlement(entitlement) => {
                let list = &mut self.body.entitlements;
                match list.binary_search_by(|e| e.code.cmp(&entitlement.code)) {
                    Ok(i) => list[i] = entitlement.clone(),
                    Err(i) => list.insert(i, entitlement.clone()),
                }
            }
        }
        Ok(())
    }
}

impl Deref for License {
    type Target = LicenseBody;
    fn deref(&self) -> &LicenseBody {
        &self.body
    }
}

/// A license decoded **without** checking its signature, for display only
/// (`licentia inspect`, support staff reading a customer's file).
///
/// It is a different type from [`License`] on purpose: it has no
/// [`check`](License::check), no renewals and no entitlement queries, so
/// nothing can grant use on the strength of an unverified body. The envelope
/// and the body are parsed with the same strict, bounded decoders the
/// verifier uses.
///
/// ```
/// use licentia::{Issuer, LicenseBody, SigningKey, UnverifiedLicense};
/// let issuer = Issuer::new(SigningKey::generate());
/// let body = LicenseBody::builder("acme", "Jane").build().unwrap();
/// let text = issuer.issue(&body).unwrap().to_armor();
/// let seen = UnverifiedLicense::parse(&text).unwrap();
/// assert_eq!(seen.body(), &body);
/// assert_eq!(seen.key_id(), issuer.public_key().key_id());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnverifiedLicense {
    envelope: Envelope,
    body: LicenseBody,
}

impl UnverifiedLicense {
    /// Decodes an armored or compact license without verifying its signature.
    pub fn parse(text: &str) -> Result<UnverifiedLicense> {
        let envelope = Envelope::from_text(text, DocumentKind::License)?;
        let body = match envelope.version {
            1 => codec::decode_canonical(&envelope.body)?,
            2 => codec::decode_canonical::<LicenseBodyV2>(&envelope.body)?.into_body()?,
            _ => codec::decode_canonical::<LicenseBodyV3>(&envelope.body)?.into_body()?,
        };
        Ok(UnverifiedLicense { envelope, body })
    }

    /// The body as it claims to be; nothing in it is trustworthy.
    pub fn body(&self) -> &LicenseBody {
        &self.body
    }

    /// The key that claims to have signed it.
    pub fn key_id(&self) -> KeyId {
        self.envelope.key_id
    }

    /// The envelope's format version.
    pub fn format_version(&self) -> u8 {
        self.envelope.version
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Issuer, SigningKey};

    #[test]
    fn unverified_decoding_ignores_the_signature_but_not_the_format() {
        let issuer = Issuer::new(SigningKey::from_seed(&[5; 32]));
        let body = LicenseBody::builder("acme", "Jane")
            .issued_at(Timestamp(1_800_000_000))
            .build()
            .unwrap();
        let mut envelope = issuer.issue(&body).unwrap();
        envelope.signature[0] ^= 1;
        let forged = envelope.to_armor();
        // The verifier refuses it; inspection still shows what it claims.
        let verifier = Verifier::new([issuer.public_key().clone()]);
        assert_eq!(verifier.verify(&forged), Err(Error::BadSignature));
        let seen = UnverifiedLicense::parse(&forged).unwrap();
        assert_eq!(seen.body(), &body);
        assert_eq!(seen.format_version(), 1);
        // Malformed bodies and other document kinds are still refused.
        envelope.body.push(0);
        assert_eq!(
            UnverifiedLicense::parse(&envelope.to_armor()),
            Err(Error::MalformedBody)
        );
        let token = Envelope::seal(
            DocumentKind::RenewalToken,
            &SigningKey::from_seed(&[5; 32]),
            vec![],
        )
        .unwrap();
        assert!(matches!(
            UnverifiedLicense::parse(&token.to_armor()),
            Err(Error::WrongDocumentKind { .. })
        ));
    }
}
