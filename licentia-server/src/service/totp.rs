//! TOTP (RFC 6238): the second factor authenticator apps compute, HMAC-SHA1
//! over 30-second steps, six digits; a code is accepted one step either
//! side of now, and each step once (the store keeps the last one used).

use hmac::{Hmac, Mac};
use sha1::Sha1;
use subtle::ConstantTimeEq;

/// Seconds per step.
pub(crate) const STEP: i64 = 30;
/// Digits of a code.
const DIGITS: u32 = 6;
/// Bytes of a new secret (160 bits, as RFC 4226 recommends).
pub(crate) const SECRET_LEN: usize = 20;

/// The code of `secret` at step `counter` (RFC 4226 HOTP, dynamic truncation).
fn hotp(secret: &[u8], counter: u64) -> u32 {
    let mut mac = Hmac::<Sha1>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(&counter.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = usize::from(digest[19] & 0x0f);
    let bin = u32::from_be_bytes([
        digest[offset] & 0x7f,
        digest[offset + 1],
        digest[offset + 2],
        digest[offset + 3],
    ]);
    bin % 10u32.pow(DIGITS)
}

/// The step `code` matches for `secret` at `now` (Unix seconds), one step
/// either side, compared in constant time; `None` when none does.
pub(crate) fn matching_step(secret: &[u8], code: &str, now: i64) -> Option<i64> {
    let code = code.trim();
    if code.len() != DIGITS as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let now_step = now.div_euclid(STEP);
    let mut found = None;
    for step in [now_step - 1, now_step, now_step + 1] {
        let want = format!("{:06}", hotp(secret, u64::try_from(step).unwrap_or(0)));
        if bool::from(want.as_bytes().ct_eq(code.as_bytes())) {
            found = Some(step);
        }
    }
    found
}

/// RFC 4648 base32 without padding: how authenticator apps take a secret.
pub(crate) fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::new();
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            out.push(char::from(ALPHABET[((buffer >> (bits - 5)) & 31) as usize]));
            bits -= 5;
        }
    }
    if bits > 0 {
        out.push(char::from(ALPHABET[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

/// The `otpauth://` URI an authenticator app scans (issuer `licentia`).
pub(crate) fn otpauth_uri(email: &str, secret: &[u8]) -> String {
    let label: String = url::form_urlencoded::byte_serialize(email.as_bytes()).collect();
    format!(
        "otpauth://totp/licentia:{label}?secret={}&issuer=licentia&algorithm=SHA1&digits={DIGITS}&period={STEP}",
        base32(secret)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B (SHA-1), the last six digits.
    #[test]
    fn rfc_6238_vectors() {
        let secret = b"12345678901234567890";
        for (time, code) in [
            (59, "287082"),
            (1_111_111_109, "081804"),
            (1_234_567_890, "005924"),
            (2_000_000_000, "279037"),
        ] {
            assert_eq!(matching_step(secret, code, time), Some(time / STEP));
            assert_eq!(format!("{:06}", hotp(secret, (time / STEP) as u64)), code);
        }
        assert_eq!(
            matching_step(secret, "287082", 59 + 2 * STEP),
            None,
            "two steps late"
        );
        assert_eq!(matching_step(secret, "28708", 59), None);
    }

    #[test]
    fn base32_is_rfc_4648() {
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32(b"f"), "MY");
    }
}
