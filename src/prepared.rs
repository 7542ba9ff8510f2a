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
//!    over the same bytes (`Scalar::from_hash`); `R' = [s]B + [k](−A)` by
//!    two radix-16 combs, the basepoint's and this key's (`curve.rs`), then
//!    the same encoding: canonical `y`, the parity of `x` in the top bit.
//! 5. `expected_R == signature.R`: the 32 bytes of `R'`'s encoding against
//!    the signature's `R` bytes. Here: the same byte comparison, and then,
//!    only when they are equal, `R'` of small order is refused. When they
//!    are equal, the signature's `R` is the canonical encoding of `R'`, so
//!    it decompresses, to `R'` itself: rule 2's small-order test is the
//!    test of `R'`, and a point is of small order exactly when its
//!    canonical encoding is one of the eight of curve25519-dalek's
//!    `EIGHT_TORSION`. An `R` that does not decompress, or that is a
//!    non-canonical encoding (`y ≥ p`, or `x = 0` with the sign bit set),
//!    is never the output of an encoding, so the comparison refuses it,
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
//! variable-base double-scalar multiplication: ~253 doublings and ~75
//! additions. With the key's multiples precomputed, `[s]B + [k](−A)` is
//! two radix-16 combs sharing one accumulator: at most 128 additions of
//! table points and 4 doublings, in variable time (everything a verifier
//! handles is public), and `R` is never decompressed. Measured figures:
//! BENCHMARKS.md.

mod curve;

use core::fmt;

use curve25519_dalek::edwards::CompressedEdwardsY;
use curve25519_dalek::scalar::Scalar;
use sha2::{Digest, Sha512};

use crate::keys::{PublicKey, PUBLIC_KEY_LEN, SIGNATURE_LEN};
use crate::{Error, Result};

/// An Ed25519 public key prepared for many verifications: a table of
/// multiples of its point, built once.
///
/// [`PreparedKey::verify_strict`] accepts exactly the signatures that
/// ed25519-dalek's `VerifyingKey::verify_strict` accepts (canonical `S`,
/// neither `R` nor the key of small order, the same equation, the same
/// encoding comparison), in a little over half its time.
///
/// # Memory and cost
///
/// The table holds `m·256^j·(−A)` for `j < 32`, `m ≤ 8` as affine points:
/// [`PreparedKey::TABLE_BYTES`] = 30,720 bytes (30 KiB) on the heap, plus
/// the 32 key bytes. Building it takes about 0.2 ms, the time of some
/// eight verifications (256 point additions and doublings, one field
/// inversion for all of them), and each verification then saves about 40 %
/// of one; BENCHMARKS.md has the measured figures. A key used once is
/// better served by the generic path
/// ([`Verifier::unprepared`](crate::Verifier::unprepared), or the issuer's
/// own self-check, which never prepares).
///
/// The basepoint's table, of the same size, is built once per process, on
/// first use, and shared by every key.
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
    /// `None` only if a [`PublicKey`] failed to decode here, which the
    /// tests show cannot happen; such a key would refuse every signature.
    minus_a: Option<curve::Table>,
}

impl PreparedKey {
    /// The heap bytes of one key's table (30 KiB).
    pub const TABLE_BYTES: usize = curve::TABLE_BYTES;

    /// Prepares a key already checked by [`PublicKey::from_bytes`]
    /// (canonical, not of small order).
    pub fn new(key: &PublicKey) -> PreparedKey {
        let bytes = key.to_bytes();
        Self::from_bytes(&bytes).unwrap_or(PreparedKey {
            bytes,
            minus_a: None,
        })
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
        // Which keys are refused is curve25519-dalek's decision, as in
        // `VerifyingKey::from_bytes` and `verify_strict`.
        let point = CompressedEdwardsY(*bytes)
            .decompress()
            .ok_or(Error::WeakKey)?;
        if point.is_small_order() {
            return Err(Error::WeakKey);
        }
        // The same point in this module's arithmetic (the tests check that
        // the two decoders agree on every input they try).
        let ours = curve::decompress(bytes).ok_or(Error::WeakKey)?;
        Ok(PreparedKey {
            bytes: *bytes,
            minus_a: Some(curve::table(&curve::negate(&ours))),
        })
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
        let Some(minus_a) = &self.minus_a else {
            return Err(Error::BadSignature);
        };
        // R' = [s]B + [k](−A). Both scalars are below ℓ < 2^253, as the
        // radix-16 digits require.
        let expected = curve::double_base(s.as_bytes(), k.as_bytes(), minus_a).compress();
        // Rule 5, then rule 2 on the (then equal) point.
        if expected != r || curve::is_small_order_encoding(&expected) {
            return Err(Error::BadSignature);
        }
        Ok(())
    }
}

/// The verification's steps one by one, for `benches/license.rs` to time
/// the cost split. Not API: hidden, unstable, and no use outside a bench.
#[doc(hidden)]
pub mod steps {
    use super::*;

    /// A point `[s]B + [k](−A)`, opaque.
    pub struct Point(curve::Point);

    /// Rule 4's hash: `k` from `R`, the key's bytes and the message.
    pub fn hash(key: &PreparedKey, r: &[u8; 32], message: &[u8]) -> Scalar {
        Scalar::from_hash(
            Sha512::new()
                .chain_update(r)
                .chain_update(key.bytes)
                .chain_update(message),
        )
    }

    /// The combs: `[s]B + [k](−A)` (the identity for an unusable key).
    pub fn multiply(key: &PreparedKey, s: &Scalar, k: &Scalar) -> Option<Point> {
        let table = key.minus_a.as_ref()?;
        Some(Point(curve::double_base(s.as_bytes(), k.as_bytes(), table)))
    }

    /// The encoding of a point (one field inversion).
    pub fn compress(point: &Point) -> [u8; 32] {
        point.0.compress()
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
