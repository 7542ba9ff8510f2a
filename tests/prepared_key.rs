//! The prepared key's verification against ed25519-dalek's `verify_strict`:
//! the same accept or reject on every Wycheproof and CCTV vector
//! (`tests/vectors/ed25519/`, with their sources and licenses), and on random
//! keys, messages and mutated signatures.

use curve25519_dalek::constants::{ED25519_BASEPOINT_POINT, EIGHT_TORSION};
use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
use curve25519_dalek::Scalar;
use licentia::{PreparedKey, PublicKey};
use proptest::prelude::*;
use sha2::{Digest, Sha512};

const WYCHEPROOF: &str = include_str!("vectors/ed25519/wycheproof/ed25519_test.json");
const CCTV: &str = include_str!("vectors/ed25519/cctv/ed25519vectors.json");

fn unhex(text: &str) -> Vec<u8> {
    assert!(text.len() % 2 == 0, "odd hex: {text}");
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

/// ed25519-dalek's decision: the key must decode, the signature be 64
/// bytes, and `verify_strict` hold.
fn strict(key: &[u8], message: &[u8], signature: &[u8]) -> bool {
    let (Ok(key), Ok(signature)) = (<[u8; 32]>::try_from(key), <[u8; 64]>::try_from(signature))
    else {
        return false;
    };
    ed25519_dalek::VerifyingKey::from_bytes(&key).is_ok_and(|k| {
        k.verify_strict(message, &ed25519_dalek::Signature::from_bytes(&signature))
            .is_ok()
    })
}

/// The prepared path's decision, from raw bytes as `verify_strict` takes
/// them; and, where licentia's own key check admits the key, the same
/// through a `PublicKey`.
fn fast(key: &[u8], message: &[u8], signature: &[u8]) -> bool {
    let (Ok(key), Ok(signature)) = (<[u8; 32]>::try_from(key), <[u8; 64]>::try_from(signature))
    else {
        return false;
    };
    let decided = PreparedKey::from_bytes(&key)
        .is_ok_and(|prepared| prepared.verify_strict(message, &signature).is_ok());
    if let Ok(public) = PublicKey::from_bytes(&key) {
        let through_public = PreparedKey::new(&public)
            .verify_strict(message, &signature)
            .is_ok();
        assert_eq!(decided, through_public, "PublicKey path differs");
    }
    decided
}

#[test]
fn every_wycheproof_vector_gets_the_same_answer_and_the_expected_one() {
    let file: serde_json::Value = serde_json::from_str(WYCHEPROOF).unwrap();
    let mut count = 0;
    let mut accepted = 0;
    for group in file["testGroups"].as_array().unwrap() {
        let key = unhex(group["publicKey"]["pk"].as_str().unwrap());
        for test in group["tests"].as_array().unwrap() {
            let id = &test["tcId"];
            let message = unhex(test["msg"].as_str().unwrap());
            let signature = unhex(test["sig"].as_str().unwrap());
            let expected = match test["result"].as_str().unwrap() {
                "valid" => true,
                "invalid" => false,
                other => panic!("test {id}: result {other}"),
            };
            let by_dalek = strict(&key, &message, &signature);
            let by_table = fast(&key, &message, &signature);
            assert_eq!(by_table, by_dalek, "test {id}: the paths disagree");
            assert_eq!(by_table, expected, "test {id}: not the expected result");
            count += 1;
            accepted += usize::from(by_table);
        }
    }
    assert_eq!(count, file["numberOfTests"].as_u64().unwrap() as usize);
    assert_eq!(count, 151);
    assert!(accepted > 0);
}

#[test]
fn every_cctv_vector_gets_the_same_answer() {
    let vectors: Vec<serde_json::Value> = serde_json::from_str(CCTV).unwrap();
    assert_eq!(vectors.len(), 914);
    let mut accepted = 0;
    for vector in &vectors {
        let number = &vector["number"];
        let key = unhex(vector["key"].as_str().unwrap());
        let signature = unhex(vector["sig"].as_str().unwrap());
        // The message is plain text, not hex.
        let message = vector["msg"].as_str().unwrap().as_bytes();
        let by_dalek = strict(&key, message, &signature);
        let by_table = fast(&key, message, &signature);
        assert_eq!(
            by_table, by_dalek,
            "vector {number} ({}): the paths disagree",
            vector["flags"]
        );
        accepted += usize::from(by_table);
    }
    // As measured with verify_strict when the files were vendored.
    assert_eq!(accepted, 43);
}

/// A key from a secret scalar, optionally with a small-order component.
fn key_point(secret: &Scalar, torsion: Option<usize>) -> EdwardsPoint {
    let point = ED25519_BASEPOINT_POINT * secret;
    match torsion {
        Some(i) => point + EIGHT_TORSION[i],
        None => point,
    }
}

/// A signature computed by hand (any nonce is as good as the deterministic
/// one): `R = [r]B (+ T)`, `s = r + k·a`, `k = H(R || A || M)`. With a
/// torsion component in A or R it verifies only when the components cancel.
fn sign(
    secret: &Scalar,
    key: &[u8; 32],
    nonce: &Scalar,
    r_torsion: Option<usize>,
    message: &[u8],
) -> [u8; 64] {
    let mut r = ED25519_BASEPOINT_POINT * nonce;
    if let Some(i) = r_torsion {
        r += EIGHT_TORSION[i];
    }
    let r = r.compress().to_bytes();
    let k = Scalar::from_hash(
        Sha512::new()
            .chain_update(r)
            .chain_update(key)
            .chain_update(message),
    );
    let s = nonce + k * secret;
    let mut signature = [0u8; 64];
    signature[..32].copy_from_slice(&r);
    signature[32..].copy_from_slice(s.as_bytes());
    signature
}

/// ℓ, the group order, little-endian.
const L: [u8; 32] = [
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
];

/// Adds ℓ to the 256-bit little-endian integer `s` (wrapping).
fn plus_l(s: &mut [u8]) {
    let mut carry = 0u16;
    for (byte, l) in s.iter_mut().zip(L) {
        let sum = u16::from(*byte) + u16::from(l) + carry;
        *byte = sum as u8;
        carry = sum >> 8;
    }
}

#[derive(Debug, Clone)]
enum Mutation {
    None,
    FlipBit(usize),
    /// s + ℓ: the same point equation, a non-canonical scalar.
    SPlusL,
    /// s + j·ℓ with the top bits: far out of range.
    SHighBits(u8),
    /// R replaced by a small-order point (canonical encoding), s kept.
    SmallOrderR(usize),
    /// R replaced by a small-order point and s by zero or a small value.
    SmallOrderRAndS(usize, u8),
    /// R given as a non-canonical encoding: y + p for y < 19, either sign.
    NonCanonicalR(u8, bool),
    /// Another message under the same signature.
    OtherMessage,
    /// R and S swapped.
    Swapped,
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => Just(Mutation::None),
        4 => (0usize..512).prop_map(Mutation::FlipBit),
        1 => Just(Mutation::SPlusL),
        1 => (1u8..8).prop_map(Mutation::SHighBits),
        1 => (0usize..8).prop_map(Mutation::SmallOrderR),
        1 => ((0usize..8), any::<u8>()).prop_map(|(i, s)| Mutation::SmallOrderRAndS(i, s)),
        1 => ((0u8..19), any::<bool>()).prop_map(|(y, sign)| Mutation::NonCanonicalR(y, sign)),
        1 => Just(Mutation::OtherMessage),
        1 => Just(Mutation::Swapped),
    ]
}

fn apply(mutation: &Mutation, signature: &mut [u8; 64], message: &mut Vec<u8>) {
    match *mutation {
        Mutation::None => {}
        Mutation::FlipBit(bit) => signature[bit / 8] ^= 1 << (bit % 8),
        Mutation::SPlusL => plus_l(&mut signature[32..]),
        Mutation::SHighBits(bits) => signature[63] |= bits << 5,
        Mutation::SmallOrderR(i) => {
            signature[..32].copy_from_slice(EIGHT_TORSION[i].compress().as_bytes())
        }
        Mutation::SmallOrderRAndS(i, s) => {
            signature[..32].copy_from_slice(EIGHT_TORSION[i].compress().as_bytes());
            signature[32..].fill(0);
            signature[32] = s;
        }
        Mutation::NonCanonicalR(y, sign) => {
            // p + y = 2^255 - 19 + y, little-endian, then the sign bit.
            let mut r = [0xffu8; 32];
            r[0] = 0xed + y;
            r[31] = 0x7f | if sign { 0x80 } else { 0 };
            signature[..32].copy_from_slice(&r);
        }
        Mutation::OtherMessage => message.push(0x5a),
        Mutation::Swapped => {
            let (r, s) = signature.split_at_mut(32);
            r.swap_with_slice(s);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Random keys (some with a small-order component), messages, nonces
    /// (some R with a small-order component), then a mutation: the prepared
    /// path and `verify_strict` never disagree.
    #[test]
    fn the_prepared_path_never_disagrees_with_verify_strict(
        secret in any::<[u8; 32]>(),
        nonce in any::<[u8; 32]>(),
        a_torsion in prop::option::weighted(0.25, 0usize..8),
        r_torsion in prop::option::weighted(0.25, 0usize..8),
        message in prop::collection::vec(any::<u8>(), 0..200),
        mutation in mutation(),
    ) {
        let secret = Scalar::from_bytes_mod_order(secret);
        let nonce = Scalar::from_bytes_mod_order(nonce);
        let key = key_point(&secret, a_torsion).compress().to_bytes();
        let mut message = message;
        let mut signature = sign(&secret, &key, &nonce, r_torsion, &message);
        apply(&mutation, &mut signature, &mut message);
        let by_dalek = strict(&key, &message, &signature);
        prop_assert_eq!(fast(&key, &message, &signature), by_dalek);
        // An unmutated signature with no small-order part always verifies.
        if matches!(mutation, Mutation::None) && a_torsion.is_none() && r_torsion.is_none() {
            prop_assert!(by_dalek);
        }
    }
}

/// Mixed-order keys: `verify_strict` accepts a signature under `A + T`
/// exactly when `[k]T` vanishes, and so must the prepared path; both
/// outcomes occur.
#[test]
fn mixed_order_keys_accept_and_refuse_alike() {
    let (mut accepted, mut refused) = (0, 0);
    for n in 0u8..64 {
        let secret = Scalar::from_bytes_mod_order([n.wrapping_mul(37).wrapping_add(1); 32]);
        let key = key_point(&secret, Some(usize::from(n % 7) + 1))
            .compress()
            .to_bytes();
        let message = [n; 16];
        let signature = sign(
            &secret,
            &key,
            &Scalar::from(u64::from(n) + 99),
            None,
            &message,
        );
        let by_dalek = strict(&key, &message, &signature);
        assert_eq!(fast(&key, &message, &signature), by_dalek, "n = {n}");
        if by_dalek {
            accepted += 1;
        } else {
            refused += 1;
        }
    }
    assert!(
        accepted > 0 && refused > 0,
        "{accepted} accepted, {refused} refused"
    );
}

/// Every small-order point as R, and every encoding of it the decoder
/// takes: refused by both, whatever s.
#[test]
fn small_order_r_is_refused_by_both() {
    let secret = Scalar::from(12345u64);
    let key = key_point(&secret, None).compress().to_bytes();
    for torsion in EIGHT_TORSION {
        let r = torsion.compress().to_bytes();
        assert!(CompressedEdwardsY(r).decompress().is_some());
        for s in [Scalar::ZERO, Scalar::ONE, secret] {
            let mut signature = [0u8; 64];
            signature[..32].copy_from_slice(&r);
            signature[32..].copy_from_slice(s.as_bytes());
            assert!(!strict(&key, b"m", &signature));
            assert!(!fast(&key, b"m", &signature));
        }
    }
}
