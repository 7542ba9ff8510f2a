//! Lower-case hexadecimal, the one text form of ids and fingerprints.

use crate::{Error, Result};

/// Encodes bytes as lower-case hex.
pub(crate) fn encode(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 0xf)] as char);
    }
    out
}

/// Decodes hex (either case) into exactly `N` bytes.
pub(crate) fn decode_array<const N: usize>(text: &str, what: &str) -> Result<[u8; N]> {
    let v = decode(text, what)?;
    v.try_into()
        .map_err(|_| Error::InvalidArgument(format!("{what}: expected {} hex digits", N * 2)))
}

/// Decodes hex (either case) of any even length.
pub(crate) fn decode(text: &str, what: &str) -> Result<Vec<u8>> {
    let bad = || Error::InvalidArgument(format!("{what}: not hexadecimal"));
    let text = text.as_bytes();
    if text.len() % 2 != 0 {
        return Err(bad());
    }
    text.chunks(2)
        .map(|pair| {
            let hi = (pair[0] as char).to_digit(16).ok_or_else(bad)?;
            let lo = (pair[1] as char).to_digit(16).ok_or_else(bad)?;
            Ok((hi * 16 + lo) as u8)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn round_trip_and_garbage() {
        assert_eq!(super::encode(&[0, 0xab, 0xff]), "00abff");
        assert_eq!(super::decode("00ABff", "x").unwrap(), vec![0, 0xab, 0xff]);
        assert!(super::decode("abc", "x").is_err());
        assert!(super::decode("zz", "x").is_err());
        assert!(super::decode_array::<2>("00", "x").is_err());
    }
}
