//! A trusted key prepared for many verifications: a fixed-base table of its
//! point, and a strict verification that decides exactly as
//! `ed25519_dalek::VerifyingKey::verify_strict` does.
//!
//! # The rules, one by one
//!
//! ed25519-dalek 2.2's `verify_strict` (`src/verifying.rs`, with
//! `RCompute` and `InternalSignature::from_bytes` in `src/signature.rs`)
//! decides, in this order:
//!
//! 1. `InternalSignature::from_bytes`: `s` must be canonical, `s < ℓ`
//!    (`Scalar::from_canonical_bytes`; the `legacy_compatibility` feature,
//!    which licentia does not enable, would relax it). Here: the same call.
//! 2. `signature.R.decompress()` must succeed, and the decompressed `R`
//!    must not be of small order. Here: not checked up front; see 5.
//! 3. `A` (the key's point) must not be of small order. Here: checked once,
//!    when the key is prepared ([`PreparedKey::from_bytes`] refuses it as
//!    [`Error::WeakKey`], as [`PublicKey::from_bytes`] already did).
//! 4. `RCompute`: `k = SHA-512(R_bytes || A_bytes || M) mod ℓ`, with the
//!    key's **original** 32 bytes (`VerifyingKey::compressed`), then
//!    `R' = [s]B − [k]A` and its compressed encoding. Here: the same hash
//!    over the same bytes; `[s]B` from curve25519-dalek's static basepoint
//!    table and `[k](−A)` from this key's own table, then `compress()`.
//! 5. `expected_R == signature.R`: the 32 bytes of `R'`'s encoding against
//!    the signature's `R` bytes. Here: the same byte comparison, and then,
//!    only when they are equal, `R'` of small order is refused. When they
//!    are equal, the signature's `R` is the canonical encoding of `R'`, so
//!    it decompresses, to `R'` itself: rule 2's small-order test is the
//!    test of `R'`. An `R` that does not decompress, or that is a
//!    non-canonical encoding (`y ≥ p`, or `x = 0` with the sign bit set),
//!    is never the output of `compress()`, so the comparison refuses it,
//!    where `verify_strict` refused it at rule 2 or 5.
//!
//! Both paths therefore accept exactly the same signatures; the tests hold
//! them to it on the Wycheproof and CCTV vectors and on random mutations
//! (`tests/prepared_key.rs`), and a fuzz target compares them
//! (`fuzz/fuzz_targets/prepared_key.rs`).
//!
//! # Why it is faster
//!
//! `verify_strict` decompresses `R` (a square root, ~5 µs) and runs one
//! variable-base double-scalar multiplication: ~253 doublings. With the
//! key's multiples precomputed, `[s]B` and `[k]A` are two fixed-base
//! multiplications of 64 additions and 4 doublings each, and `R` is never
//! decompressed. Measured figures: BENCHMARKS.md.

use core::fmt;

use curve25519_dalek::constants::ED25519_BASEPOINT_TABLE;
use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsBasepointTable, EdwardsPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::BasepointTable;
use sha2::{Digest, Sha512};

use crate::keys::{PublicKey, PUBLIC_KEY_LEN, SIGNATURE_LEN};
use crate::{Error, Result};

/// An Ed25519 public key prepared for many verifications: a table of
/// multiples of its point, built once.
///
/// [`PreparedKey::verify_strict`] accepts exactly the signatures that
/// ed25519-dalek's `VerifyingKey::verify_strict` accepts (canonical `S`,
/// neither `R` nor the key of small order, the same equation, the same
/// encoding comparison), and costs about three quarters of it.
///
/// # Memory and cost
///
/// The table is curve25519-dalek's radix-16 `EdwardsBasepointTable` of the
/// negated key point: [`PreparedKey::TABLE_BYTES`] = 30,720 bytes (30 KiB)
/// on the heap, plus the 32 key bytes. Building it takes about 1.3 ms (256
/// field inversions), which a verification repays in about 10 µs: it pays
/// for itself after about 130 verifications with the same key. A key used
/// once or a few times is better served by the generic path
/// ([`Verifier::unprepared`](crate::Verifier::unprepared), or the issuer's
/// own self-check, which never prepares).
///
/// The basepoint's table is curve25519-dalek's static one, shared by every
/// key and already linked for signing.
///
/// ```
/// use licentia::{PreparedKey, SigningKey};
/// let key = SigningKey::from_seed(&[7; 32]);
/// let prepared = PreparedKey::new(key.public_key());
/// assert_eq!(PreparedKey::TABLE_BYTES, 30 * 1024);
///
/// // A signature made with the key (here through an issued license's
/// // envelope: the signed bytes and the signature).
/// let issuer = licentia::Issuer::new(key);
/// let body = licentia::LicenseBody::builder("acme", "Jane").build()?;
/// let envelope = issuer.issue(&body)?;
/// prepared.verify_strict(&envelope.signed_message(), &envelope.signature)?;
///
/// let mut forged = envelope.signature;
/// forged[63] ^= 0x10;
/// assert_eq!(
///     prepared.verify_strict(&envelope.signed_message(), &forged),
///     Err(licentia::Error::BadSignature)
/// );
/// # Ok::<(), licentia::Error>(())
/// ```
#[derive(Clone)]
pub struct PreparedKey {
    /// The key's bytes as given: the hash `k` is taken over them.
    bytes: [u8; PUBLIC_KEY_LEN],
    /// Multiples of `−A`, so `[k](−A)` needs no negation per signature.
    minus_a: Box<EdwardsBasepointTable>,
}

impl PreparedKey {
    /// The heap bytes of one key's table (30 KiB).
    pub const TABLE_BYTES: usize = core::mem::size_of::<EdwardsBasepointTable>();

    /// Prepares a key already checked by [`PublicKey::from_bytes`]
    /// (canonical, not of small order).
    pub fn new(key: &PublicKey) -> PreparedKey {
        let point = CompressedEdwardsY(key.to_bytes()).decompress();
        match point {
            Some(point) => Self::with_point(key.to_bytes(), &point),
            // A PublicKey is always a point; unreachable, and kept total
            // rather than panicking.
            None => Self::with_point(key.to_bytes(), &EdwardsPoint::default()),
        }
    }

    /// Prepares raw key bytes under `verify_strict`'s own rules: the bytes
    /// must decompress to a point not of small order ([`Error::WeakKey`]
    /// otherwise: `verify_strict` would refuse every signature under such a
    /// key). Unlike [`PublicKey::from_bytes`], a non-canonical encoding of
    /// a good point is accepted, as `verify_strict` accepts it, and the
    /// hash is taken over the bytes as given.
    ///
    /// ```
    /// use licentia::{Error, PreparedKey};
    /// // The identity point is of small order.
    /// let mut identity = [0u8; 32];
    /// identity[0] = 1;
    /// assert_eq!(PreparedKey::from_bytes(&identity).err(), Some(Error::WeakKey));
    /// ```
    pub fn from_bytes(bytes: &[u8; PUBLIC_KEY_LEN]) -> Result<PreparedKey> {
        let point = CompressedEdwardsY(*bytes)
            .decompress()
            .ok_or(Error::WeakKey)?;
        if point.is_small_order() {
            return Err(Error::WeakKey);
        }
        Ok(Self::with_point(*bytes, &point))
    }

    fn with_point(bytes: [u8; PUBLIC_KEY_LEN], point: &EdwardsPoint) -> PreparedKey {
        PreparedKey {
            bytes,
            minus_a: Box::new(EdwardsBasepointTable::create(&-point)),
        }
    }

    /// The key's bytes, as prepared.
    pub fn to_bytes(&self) -> [u8; PUBLIC_KEY_LEN] {
        self.bytes
    }

    /// Strict verification with the table: the same decision as
    /// `verify_strict` (module docs: each rule and where it is checked).
    /// Any refusal is [`Error::BadSignature`].
    pub fn verify_strict(&self, message: &[u8], signature: &[u8; SIGNATURE_LEN]) -> Result<()> {
        let mut r = [0u8; 32];
        let mut s = [0u8; 32];
        r.copy_from_slice(&signature[..32]);
        s.copy_from_slice(&signature[32..]);
        // Rule 1: s < ℓ.
        let s: Scalar = Option::from(Scalar::from_canonical_bytes(s)).ok_or(Error::BadSignature)?;
        // Rule 3 held when the key was prepared.
        // Rule 4: k over R's bytes, the key's original bytes, the message.
        let k = Scalar::from_hash(
            Sha512::new()
                .chain_update(r)
                .chain_update(self.bytes)
                .chain_update(message),
        );
        // R' = [s]B + [k](−A). Both scalars are below ℓ < 2^253, as the
        // radix-16 tables require.
        let expected = ED25519_BASEPOINT_TABLE * &s + &*self.minus_a * &k;
        // Rule 5, then rule 2 on the (then equal) point.
        if expected.compress().to_bytes() != r || expected.is_small_order() {
            return Err(Error::BadSignature);
        }
        Ok(())
    }
}

impl fmt::Debug for PreparedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PreparedKey")
            .field("key_id", &crate::KeyId::of(&self.bytes))
            .field("table_bytes", &Self::TABLE_BYTES)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SigningKey;

    fn dalek_strict(key: &[u8; 32], message: &[u8], signature: &[u8; 64]) -> bool {
        ed25519_dalek::VerifyingKey::from_bytes(key).is_ok_and(|k| {
            k.verify_strict(message, &ed25519_dalek::Signature::from_bytes(signature))
                .is_ok()
        })
    }

    #[test]
    fn agrees_on_a_good_signature_and_its_bit_flips() {
        let key = SigningKey::from_seed(&[3; 32]);
        let prepared = PreparedKey::new(key.public_key());
        let message = b"licentia prepared key";
        let signature = key.sign(message);
        assert_eq!(prepared.verify_strict(message, &signature), Ok(()));
        for bit in 0..SIGNATURE_LEN * 8 {
            let mut flipped = signature;
            flipped[bit / 8] ^= 1 << (bit % 8);
            let fast = prepared.verify_strict(message, &flipped).is_ok();
            assert_eq!(fast, dalek_strict(&prepared.bytes, message, &flipped));
            assert!(!fast, "bit {bit}");
        }
    }

    #[test]
    fn small_order_and_undecodable_keys_are_weak() {
        let mut identity = [0u8; 32];
        identity[0] = 1;
        // y = 0 is a point of order 4; y = 1 the identity.
        for bytes in [[0u8; 32], identity] {
            assert_eq!(PreparedKey::from_bytes(&bytes).err(), Some(Error::WeakKey));
        }
        // The first y that is no point's: refused as ed25519-dalek refuses it.
        let none = (2u8..)
            .map(|y| {
                let mut bytes = [0u8; 32];
                bytes[0] = y;
                bytes
            })
            .find(|b| ed25519_dalek::VerifyingKey::from_bytes(b).is_err())
            .unwrap();
        assert_eq!(PreparedKey::from_bytes(&none).err(), Some(Error::WeakKey));
    }

    #[test]
    fn debug_is_short() {
        let prepared = PreparedKey::new(SigningKey::from_seed(&[3; 32]).public_key());
        assert!(format!("{prepared:?}").len() < 100);
    }
}
