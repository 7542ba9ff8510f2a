//! Entry points for the fuzzers only (built with `--cfg fuzzing`).
//!
//! A signature check stops a fuzzer at the door, so these decode each signed
//! body directly. Each returns the canonical re-encoding of what it decoded,
//! which the fuzz target compares with its input.

use crate::activation::AnswerBody;
use crate::catalogue::CatalogueBody;
use crate::deactivation::ReceiptBody;
use crate::license::{LicenseBody, LicenseBodyV2};
use crate::renewal::RenewalBody;
use crate::revocation::RevocationBody;
use crate::rollover::RolloverBody;
use crate::{codec, Result};

fn round_trip<T: serde::Serialize + serde::de::DeserializeOwned>(data: &[u8]) -> Result<Vec<u8>> {
    let value: T = codec::decode_canonical(data)?;
    codec::encode(&value)
}

/// Decodes a license body and encodes it again.
pub fn license_body(data: &[u8]) -> Result<Vec<u8>> {
    round_trip::<LicenseBody>(data)
}

/// Decodes a format version 2 license body (the environment terms after
/// the version 1 body), as the verifier does, and encodes it again.
pub fn license_body_v2(data: &[u8]) -> Result<Vec<u8>> {
    let body = codec::decode_canonical::<LicenseBodyV2>(data)?.into_body()?;
    codec::encode(&LicenseBodyV2::of(&body))
}

/// Decodes a renewal-token body and encodes it again.
pub fn renewal_body(data: &[u8]) -> Result<Vec<u8>> {
    round_trip::<RenewalBody>(data)
}

/// Decodes a revocation-list body and encodes it again.
pub fn revocation_body(data: &[u8]) -> Result<Vec<u8>> {
    round_trip::<RevocationBody>(data)
}

/// Decodes a release-catalogue body, checks it as the verifier does, and
/// encodes it again.
pub fn catalogue_body(data: &[u8]) -> Result<Vec<u8>> {
    let body: CatalogueBody = codec::decode_canonical(data)?;
    let _ = body.is_normalized();
    codec::encode(&body)
}

/// Decodes a key-rollover body and encodes it again.
pub fn rollover_body(data: &[u8]) -> Result<Vec<u8>> {
    round_trip::<RolloverBody>(data)
}

/// Decodes an activation-answer body and encodes it again.
pub fn answer_body(data: &[u8]) -> Result<Vec<u8>> {
    round_trip::<AnswerBody>(data)
}

/// Decodes a deactivation-receipt body and encodes it again.
pub fn receipt_body(data: &[u8]) -> Result<Vec<u8>> {
    round_trip::<ReceiptBody>(data)
}

/// The prepared key against ed25519-dalek's `verify_strict`, on keys,
/// signatures and messages built from `data`; panics when they disagree.
///
/// The first byte picks how the rest is read:
/// - `0`: raw key (32 bytes), signature (64), message: mostly refusals, and
///   the two key decoders compared on any 32 bytes;
/// - `1`: a seed (32), an XOR mask over a real signature (64), the message:
///   a zero mask is accepted, any other a near miss;
/// - `2`: a secret (32), a nonce (32), two torsion indexes (A's and R's; 8
///   and up mean none), an S mutation byte, the message: hand-made
///   signatures with mixed-order keys and R, S + ℓ, small-order R.
pub fn prepared_key_agrees(data: &[u8]) {
    use curve25519_dalek::constants::{ED25519_BASEPOINT_POINT, EIGHT_TORSION};
    use curve25519_dalek::Scalar;
    use sha2::{Digest, Sha512};

    use crate::prepared::PreparedKey;

    fn take<const N: usize>(data: &mut &[u8]) -> Option<[u8; N]> {
        let (head, rest) = data.split_first_chunk::<N>()?;
        *data = rest;
        Some(*head)
    }

    let Some((&mode, mut rest)) = data.split_first() else {
        return;
    };
    let (key, signature, message): ([u8; 32], [u8; 64], &[u8]) = match mode % 3 {
        0 => {
            let (Some(key), Some(signature)) = (take::<32>(&mut rest), take::<64>(&mut rest))
            else {
                return;
            };
            (key, signature, rest)
        }
        1 => {
            let (Some(seed), Some(mask)) = (take::<32>(&mut rest), take::<64>(&mut rest)) else {
                return;
            };
            let key = crate::SigningKey::from_seed(&seed);
            let mut signature = key.sign(rest);
            for (byte, mask) in signature.iter_mut().zip(mask) {
                *byte ^= mask;
            }
            (key.public_key().to_bytes(), signature, rest)
        }
        _ => {
            let (Some(secret), Some(nonce), Some([a_t, r_t, s_op])) = (
                take::<32>(&mut rest),
                take::<32>(&mut rest),
                take::<3>(&mut rest),
            ) else {
                return;
            };
            let secret = Scalar::from_bytes_mod_order(secret);
            let nonce = Scalar::from_bytes_mod_order(nonce);
            let torsion = |i: u8| {
                EIGHT_TORSION
                    .get(usize::from(i))
                    .copied()
                    .unwrap_or_default()
            };
            let key = (ED25519_BASEPOINT_POINT * secret + torsion(a_t))
                .compress()
                .to_bytes();
            let r = (ED25519_BASEPOINT_POINT * nonce + torsion(r_t))
                .compress()
                .to_bytes();
            let k = Scalar::from_hash(
                Sha512::new()
                    .chain_update(r)
                    .chain_update(key)
                    .chain_update(rest),
            );
            let mut s = (nonce + k * secret).to_bytes();
            match s_op % 4 {
                // S + ℓ (wrapping): the same equation, not canonical.
                1 => {
                    let l = Scalar::ZERO - Scalar::ONE;
                    let mut carry = 1u16; // ℓ = (ℓ − 1) + 1
                    for (byte, l) in s.iter_mut().zip(l.to_bytes()) {
                        let sum = u16::from(*byte) + u16::from(l) + carry;
                        *byte = sum as u8;
                        carry = sum >> 8;
                    }
                }
                2 => s[31] |= 0xe0,
                3 => s = [s_op; 32],
                _ => {}
            }
            let mut signature = [0u8; 64];
            signature[..32].copy_from_slice(&r);
            signature[32..].copy_from_slice(&s);
            (key, signature, rest)
        }
    };
    let strict = ed25519_dalek::VerifyingKey::from_bytes(&key).is_ok_and(|k| {
        k.verify_strict(message, &ed25519_dalek::Signature::from_bytes(&signature))
            .is_ok()
    });
    let prepared = PreparedKey::from_bytes(&key);
    let fast = prepared
        .as_ref()
        .is_ok_and(|p| p.verify_strict(message, &signature).is_ok());
    assert_eq!(fast, strict, "mode {mode}: the prepared path disagrees");
    // Where licentia's own key check admits the key, that path too.
    if let Ok(public) = crate::PublicKey::from_bytes(&key) {
        let through_public = PreparedKey::new(&public)
            .verify_strict(message, &signature)
            .is_ok();
        assert_eq!(
            through_public, strict,
            "mode {mode}: PreparedKey::new disagrees"
        );
    }
}
