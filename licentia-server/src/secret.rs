//! Secrets the server hands out once and stores only as hashes: license keys
//! (typed by people) and API tokens (pasted into scripts).

use core::fmt;

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Crockford's base32 alphabet: no I, L, O or U, so keys read aloud survive.
const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Random symbols in a license key (29 x 5 = 145 bits).
const KEY_DATA_SYMBOLS: usize = 29;
/// Symbols per group when a key is written out.
const KEY_GROUP: usize = 5;
/// Prefix of API tokens, so a leaked one is easy to recognise and grep for.
const TOKEN_PREFIX: &str = "lic_";

/// Lowercase hex of SHA-256 of `data`: how keys and tokens are stored.
pub fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

/// Lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Constant-time equality of two stored hashes.
pub fn hashes_equal(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// A random id with a type prefix, e.g. `pol_3f9a...`.
pub fn new_id(prefix: &str) -> String {
    format!("{prefix}_{}", hex(&rand::random::<[u8; 10]>()))
}

/// A license key: 29 random Crockford symbols and one check symbol, written
/// in six groups of five (`XXXXX-XXXXX-XXXXX-XXXXX-XXXXX-XXXXC`).
#[derive(Clone, PartialEq, Eq)]
pub struct LicenseKey(String);

impl LicenseKey {
    /// A fresh random key.
    pub fn generate() -> LicenseKey {
        let symbols: Vec<u8> = (0..KEY_DATA_SYMBOLS)
            .map(|_| rand::random::<u8>() & 31)
            .collect();
        let mut key = symbols.clone();
        key.push(check_symbol(&symbols));
        LicenseKey(
            key.into_iter()
                .map(|v| CROCKFORD[v as usize] as char)
                .collect(),
        )
    }

    /// Parses what a person typed: case, dashes and spaces do not matter, and
    /// I/L read as 1, O as 0. A wrong check symbol is reported as a typo.
    pub fn parse(text: &str) -> Result<LicenseKey, &'static str> {
        let mut values = Vec::with_capacity(KEY_DATA_SYMBOLS + 1);
        for c in text.chars().filter(|c| !matches!(c, '-' | ' ')) {
            let c = match c.to_ascii_uppercase() {
                'I' | 'L' => '1',
                'O' => '0',
                c => c,
            };
            let value = CROCKFORD
                .iter()
                .position(|&a| a as char == c)
                .ok_or("a license key has only the letters and digits it was given with")?;
            if values.len() > KEY_DATA_SYMBOLS {
                return Err("the license key is too long");
            }
            values.push(value as u8);
        }
        if values.len() != KEY_DATA_SYMBOLS + 1 {
            return Err("the license key is too short");
        }
        if check_symbol(&values[..KEY_DATA_SYMBOLS]) != values[KEY_DATA_SYMBOLS] {
            return Err("the license key's check symbol does not match: look for a typo");
        }
        Ok(LicenseKey(
            values
                .into_iter()
                .map(|v| CROCKFORD[v as usize] as char)
                .collect(),
        ))
    }

    /// The SHA-256 (hex) stored in place of the key.
    pub fn hash(&self) -> String {
        sha256_hex(self.0.as_bytes())
    }

    /// The last group, shown in lists so staff can tell keys apart.
    pub fn hint(&self) -> String {
        self.0[self.0.len() - KEY_GROUP..].to_owned()
    }

    /// The grouped form, shown once to the customer.
    pub fn reveal(&self) -> String {
        self.0
            .as_bytes()
            .chunks(KEY_GROUP)
            .map(|c| core::str::from_utf8(c).expect("ASCII"))
            .collect::<Vec<_>>()
            .join("-")
    }
}

impl fmt::Debug for LicenseKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LicenseKey(...-{})", self.hint())
    }
}

/// Weighted sum modulo 31, weights 1..=29: a prime modulus with weights
/// coprime to it catches a single wrong symbol and most swaps of neighbours.
fn check_symbol(values: &[u8]) -> u8 {
    let sum: usize = values
        .iter()
        .enumerate()
        .map(|(i, &v)| (i + 1) * usize::from(v))
        .sum();
    (sum % 31) as u8
}

/// An API token: `lic_` and 256 random bits in base64url.
#[derive(Clone)]
pub struct ApiToken(String);

impl ApiToken {
    /// A fresh random token.
    pub fn generate() -> ApiToken {
        use base64::Engine;
        let bytes: [u8; 32] = rand::random();
        ApiToken(format!(
            "{TOKEN_PREFIX}{}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
        ))
    }

    /// The SHA-256 (hex) stored in place of the token.
    pub fn hash(&self) -> String {
        sha256_hex(self.0.as_bytes())
    }

    /// The token, to show once.
    pub fn reveal(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiToken(<redacted>)")
    }
}

/// The bytes of lower- or upper-case hex text; `None` when it is not hex.
pub(super) fn unhex(text: &str) -> Option<Vec<u8>> {
    if text.len() % 2 != 0 {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_and_catch_typos() {
        let key = LicenseKey::generate();
        let shown = key.reveal();
        assert_eq!(shown.len(), 35);
        assert_eq!(LicenseKey::parse(&shown).unwrap(), key);
        assert_eq!(
            LicenseKey::parse(&shown.to_lowercase().replace('-', " ")).unwrap(),
            key
        );
        // Every single-symbol substitution is caught.
        let plain: Vec<char> = shown.chars().filter(|c| *c != '-').collect();
        for i in 0..plain.len() {
            for &other in CROCKFORD.iter() {
                let mut typo = plain.clone();
                if typo[i] == other as char {
                    continue;
                }
                typo[i] = other as char;
                let typo: String = typo.into_iter().collect();
                let original_value = CROCKFORD.iter().position(|&a| a as char == plain[i]);
                let new_value = CROCKFORD.iter().position(|&a| a == other);
                // 0 and 31 differ by the modulus itself: the one blind spot.
                if original_value
                    .zip(new_value)
                    .is_some_and(|(a, b)| a.abs_diff(b) == 31)
                {
                    continue;
                }
                assert!(LicenseKey::parse(&typo).is_err(), "{typo}");
            }
        }
        assert!(LicenseKey::parse("").is_err());
        assert!(LicenseKey::parse("'; DROP TABLE licenses; --").is_err());
        assert!(LicenseKey::parse(&format!("{shown}0")).is_err());
        assert!(!format!("{key:?}").contains(&shown[..5]));
    }

    #[test]
    fn tokens_are_long_and_redacted() {
        let t = ApiToken::generate();
        assert!(t.reveal().starts_with("lic_") && t.reveal().len() == 47);
        assert_eq!(format!("{t:?}"), "ApiToken(<redacted>)");
        assert!(hashes_equal(&t.hash(), &sha256_hex(t.reveal().as_bytes())));
        assert!(!hashes_equal(&t.hash(), &ApiToken::generate().hash()));
    }
}
