//! Codes a person reads over the telephone and types back: bytes as groups
//! of five characters, each group ending in its own check character.
//!
//! ```text
//! 0AH5R-J3X7K-...-Q9T2M
//! ```
//!
//! The alphabet is Crockford's base32 (`0-9 A-Z` without `I L O U`):
//! reading it aloud is unambiguous, and decoding forgives case, `O` for `0`
//! and `I` or `L` for `1`, spaces and dashes. Each group is four data
//! characters (20 bits) and a check character: the sum, in GF(32), of each
//! character times a power of a generator, with the group's number mixed
//! in. So any one character mistyped, and any two neighbours swapped,
//! within a group is always caught — and named: "check digit of group 3".
//! A group read twice, skipped or moved fails its group's check, and the
//! last group is a check of the whole code (20 bits of SHA-256 over the
//! bytes), so a code cut short is refused too.
//!
//! ```
//! use licentia::typed;
//! let code = typed::encode(b"licentia");
//! assert_eq!(typed::decode(&code.to_lowercase()).unwrap(), b"licentia");
//! let mut wrong = code.into_bytes();
//! wrong[2] = if wrong[2] == b'7' { b'8' } else { b'7' };
//! let err = typed::decode(std::str::from_utf8(&wrong).unwrap()).unwrap_err();
//! assert!(err.to_string().contains("check digit of group 1"));
//! ```

use sha2::{Digest, Sha256};

use crate::{Error, Result};

/// Crockford's base32 alphabet.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Data characters per group.
const DATA: usize = 4;
/// Characters per group: the data and one check character.
pub const GROUP_LEN: usize = DATA + 1;
/// Most bytes a code carries: a compact document (an activation request,
/// a licence) fits; anything longer is refused before it is decoded.
pub const MAX_BYTES: usize = 2048;
/// Most characters of a typed code accepted, separators included.
pub const MAX_TEXT_LEN: usize = 4 * MAX_BYTES;
const TAG: &[u8] = b"licentia typed code\0";

/// Multiplies in GF(32) = GF(2)[x] / (x^5 + x^2 + 1).
fn mul(mut a: u8, mut b: u8) -> u8 {
    let mut out = 0;
    while b != 0 {
        if b & 1 != 0 {
            out ^= a;
        }
        b >>= 1;
        a <<= 1;
        if a & 0x20 != 0 {
            a ^= 0b10_0101;
        }
    }
    out
}

/// The check character's value for a group's data values, the group
/// numbered `index` from 0: Σ v_i·α^(i+1) + (index mod 32 + 1)·α^(DATA+1),
/// with α = x. Distinct nonzero weights catch any one substitution; distinct
/// neighbouring weights any swap of two different neighbours.
fn check(values: &[u8], index: usize) -> u8 {
    let mut weight = 1u8;
    let mut sum = 0u8;
    for &v in values {
        weight = mul(weight, 2);
        sum ^= mul(v, weight);
    }
    weight = mul(weight, 2);
    sum ^ mul((index % 31) as u8 + 1, weight)
}

/// The value of one typed character, forgiving what is read alike.
fn value(c: char) -> Option<u8> {
    let c = match c.to_ascii_uppercase() {
        'O' => '0',
        'I' | 'L' => '1',
        other => other,
    };
    ALPHABET.iter().position(|&a| a == c as u8).map(|p| p as u8)
}

/// Bytes as 5-bit values, the last one padded with zero bits.
fn to_values(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() * 8 / 5 + 1);
    let (mut acc, mut bits) = (0u32, 0);
    for &b in bytes {
        acc = (acc << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(((acc >> bits) & 31) as u8);
        }
    }
    if bits > 0 {
        out.push(((acc << (5 - bits)) & 31) as u8);
    }
    out
}

/// The whole code's check: 20 bits of SHA-256 over the byte count and the
/// bytes, as four values.
fn whole(bytes: &[u8]) -> [u8; DATA] {
    let digest = Sha256::new()
        .chain_update(TAG)
        .chain_update((bytes.len() as u32).to_be_bytes())
        .chain_update(bytes)
        .finalize();
    let bits = u32::from_be_bytes([0, digest[0], digest[1], digest[2]]) >> 4;
    [15, 10, 5, 0].map(|shift| ((bits >> shift) & 31) as u8)
}

/// Encodes `bytes` (at most [`MAX_BYTES`]; longer is a programming error
/// and panics) as dash-separated groups of five characters.
pub fn encode(bytes: &[u8]) -> String {
    assert!(
        bytes.len() <= MAX_BYTES,
        "a typed code carries at most {MAX_BYTES} bytes"
    );
    // The byte count first (two values), so that padding never guesses it.
    let len = bytes.len() as u16;
    let mut values = vec![
        (len >> 11) as u8 & 31,
        (len >> 6) as u8 & 31,
        (len >> 1) as u8 & 31,
    ];
    values.push((len as u8 & 1) << 4);
    values.extend(to_values(bytes));
    written(values, bytes)
}

/// Encodes `bytes` whose length both sides know (a short code of a fixed
/// layout, at most [`MAX_BYTES`]) without the length group: one group per
/// 20 bits and the whole code's check group, so 11 bytes take six groups.
///
/// ```
/// use licentia::typed;
/// let code = typed::encode_fixed(&[7; 11]);
/// assert_eq!(code.len(), 6 * 5 + 5);
/// assert_eq!(typed::decode_fixed(&code, 11).unwrap(), [7; 11]);
/// assert!(typed::decode_fixed(&code, 12).is_err());
/// ```
pub fn encode_fixed(bytes: &[u8]) -> String {
    assert!(
        bytes.len() <= MAX_BYTES,
        "a typed code carries at most {MAX_BYTES} bytes"
    );
    written(to_values(bytes), bytes)
}

/// The values padded to whole groups, the whole code's check group, each
/// group with its check character, dash-separated.
fn written(mut values: Vec<u8>, bytes: &[u8]) -> String {
    while values.len() % DATA != 0 {
        values.push(0);
    }
    values.extend(whole(bytes));
    values
        .chunks(DATA)
        .enumerate()
        .map(|(index, group)| {
            let mut text: String = group
                .iter()
                .map(|&v| ALPHABET[v as usize] as char)
                .collect();
            text.push(ALPHABET[check(group, index) as usize] as char);
            text
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// Whether `text` has the shape of a typed code: only code characters
/// (forgiving case, `O`, `I`, `L`), dashes and spaces, in whole groups of
/// five, at least two — so a reader of several forms (armor, compact, typed)
/// knows which to try. Armor and the compact form never have this shape
/// (they hold `-----BEGIN` or a `.`).
pub fn looks_typed(text: &str) -> bool {
    let mut count = 0usize;
    for c in text.chars() {
        if c.is_whitespace() || c == '-' {
            continue;
        }
        if value(c).is_none() {
            return false;
        }
        count += 1;
    }
    count >= 2 * GROUP_LEN && count % GROUP_LEN == 0 && text.len() <= MAX_TEXT_LEN
}

fn invalid(message: &str) -> Error {
    Error::InvalidArgument(message.to_owned())
}

/// The data values of every group, the check group's last, once each
/// group's check character holds. A mistyped character is refused naming
/// its group.
fn checked_values(text: &str) -> Result<Vec<u8>> {
    if text.len() > MAX_TEXT_LEN {
        return Err(Error::TooLarge {
            what: "typed code",
            limit: MAX_TEXT_LEN,
        });
    }
    let mut values = Vec::with_capacity(text.len());
    for c in text.chars().filter(|c| !c.is_whitespace() && *c != '-') {
        values.push(value(c).ok_or_else(|| {
            Error::InvalidArgument(format!(
                "'{c}' is not a character of a typed code (0-9, A-Z but I, L, O, U)"
            ))
        })?);
    }
    if values.len() < 2 * GROUP_LEN || values.len() % GROUP_LEN != 0 {
        return Err(Error::InvalidArgument(format!(
            "a typed code is groups of {GROUP_LEN} characters, at least two; this one has {} characters",
            values.len()
        )));
    }
    let mut data = Vec::with_capacity(values.len());
    for (index, group) in values.chunks(GROUP_LEN).enumerate() {
        if check(&group[..DATA], index) != group[DATA] {
            return Err(Error::InvalidArgument(format!(
                "the check digit of group {} does not match: a character of it was mistyped; re-key that group",
                index + 1
            )));
        }
        data.extend_from_slice(&group[..DATA]);
    }
    Ok(data)
}

/// The `len` bytes that `values` (whole groups) carry, when they are
/// exactly as many values as `len` bytes take, padded with zero bits only
/// (one code per value); the whole code's check `tail` must hold.
fn unpack(values: &[u8], len: usize, tail: &[u8]) -> Result<Vec<u8>> {
    let padded = (len * 8).div_ceil(5).div_ceil(DATA) * DATA;
    if values.len() != padded {
        return Err(invalid("the code is cut short or has groups too many"));
    }
    let mut bytes = Vec::with_capacity(len);
    let (mut acc, mut bits) = (0u32, 0);
    for &v in values {
        acc = ((acc << 5) | u32::from(v)) & 0xfff;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            if bytes.len() < len {
                bytes.push((acc >> bits) as u8);
            }
        }
    }
    let mut again = to_values(&bytes);
    again.resize(padded, 0);
    if again != values || whole(&bytes) != tail {
        return Err(invalid(
            "the code's last group does not match the rest: a group was skipped, repeated or moved",
        ));
    }
    Ok(bytes)
}

/// Decodes a typed code: every group's check character, then the whole
/// code's check. A mistyped character is refused naming its group.
pub fn decode(text: &str) -> Result<Vec<u8>> {
    let data = checked_values(text)?;
    let (data, tail) = data.split_at(data.len() - DATA);
    let len = (usize::from(data[0]) << 11)
        | (usize::from(data[1]) << 6)
        | (usize::from(data[2]) << 1)
        | usize::from(data[3] >> 4);
    if data[3] & 15 != 0 || len > MAX_BYTES {
        return Err(invalid("the code's length is not one a typed code has"));
    }
    // The length group is whole, so the bytes' values and their padding
    // follow it as in a code of fixed length.
    unpack(&data[DATA..], len, tail)
}

/// Decodes a code of `len` bytes written by [`encode_fixed`]: each group's
/// check character, then the whole code's check; a code of another length
/// is refused.
pub fn decode_fixed(text: &str, len: usize) -> Result<Vec<u8>> {
    let data = checked_values(text)?;
    let (data, tail) = data.split_at(data.len() - DATA);
    unpack(data, len.min(MAX_BYTES), tail)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn groups(code: &str) -> Vec<String> {
        code.split('-').map(str::to_owned).collect()
    }

    #[test]
    fn round_trips_every_length_and_forgives_how_it_is_typed() {
        for len in [0usize, 1, 2, 3, 4, 5, 9, 10, 63, 200] {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
            let code = encode(&bytes);
            assert!(groups(&code).iter().all(|g| g.len() == GROUP_LEN), "{code}");
            assert_eq!(decode(&code).unwrap(), bytes, "{len}");
            let sloppy = code
                .to_lowercase()
                .replace('0', "o")
                .replace('1', "l")
                .replace('-', " ");
            assert_eq!(decode(&sloppy).unwrap(), bytes, "{sloppy}");
        }
    }

    #[test]
    fn every_single_mistype_and_neighbour_swap_is_caught() {
        let bytes = b"an activation request, say".to_vec();
        let code: Vec<u8> = encode(&bytes).into_bytes();
        for at in (0..code.len()).filter(|&i| code[i] != b'-') {
            for &c in ALPHABET.iter().filter(|&&c| c != code[at]) {
                let mut wrong = code.clone();
                wrong[at] = c;
                let err = decode(std::str::from_utf8(&wrong).unwrap()).unwrap_err();
                let group = at / (GROUP_LEN + 1) + 1;
                assert!(
                    err.to_string()
                        .contains(&format!("check digit of group {group} ")),
                    "{at} {c}: {err}"
                );
            }
            if at + 1 < code.len() && code[at + 1] != b'-' && code[at] != code[at + 1] {
                let mut swapped = code.clone();
                swapped.swap(at, at + 1);
                assert!(
                    decode(std::str::from_utf8(&swapped).unwrap()).is_err(),
                    "swap at {at}"
                );
            }
        }
    }

    #[test]
    fn groups_skipped_repeated_moved_or_cut_are_refused() {
        let bytes: Vec<u8> = (0..40).collect();
        let g = groups(&encode(&bytes));
        let join = |parts: Vec<&String>| parts.into_iter().cloned().collect::<Vec<_>>().join("-");
        let skipped = join(
            g.iter()
                .enumerate()
                .filter(|(i, _)| *i != 3)
                .map(|(_, s)| s)
                .collect(),
        );
        let repeated = join(g.iter().chain([&g[2]]).collect());
        let cut = join(g[..g.len() - 1].iter().collect());
        let mut moved = g.clone();
        moved.swap(2, 3);
        for bad in [skipped, repeated, cut, moved.join("-")] {
            assert!(decode(&bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_shape_of_a_code_is_told_from_other_forms() {
        assert!(looks_typed(&encode(b"x")));
        assert!(looks_typed(&encode(b"x").to_lowercase().replace('-', " ")));
        for other in [
            "not a request",
            "request.AAAAAAAAAA",
            "-----BEGIN LICENTIA ACTIVATION REQUEST-----\nAAAA\n-----END LICENTIA ACTIVATION REQUEST-----",
            "ABCDE",
            "ABCDE-FGHJ",
        ] {
            assert!(!looks_typed(other), "{other}");
        }
    }

    #[test]
    fn garbage_is_refused_bounded() {
        for bad in [
            "",
            "-",
            "ABCDE",
            "ÄBCDE-FGHJK",
            "U0000-00000",
            &"0".repeat(MAX_TEXT_LEN + 1),
        ] {
            assert!(decode(bad).is_err(), "{bad:?}");
        }
        // Noise in the right shape fails a check, never panics.
        let mut x = 7u32;
        for _ in 0..2000 {
            let text: String = (0..15)
                .map(|_| {
                    x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                    ALPHABET[(x >> 16) as usize % 32] as char
                })
                .collect();
            let _ = decode(&text);
        }
    }
}
