//! The body encoding: postcard, with exactly one accepted encoding per value.

use serde::{de::DeserializeOwned, Serialize};

use crate::format::MAX_BODY_LEN;
use crate::{Error, Result};

/// Encodes a body.
pub(crate) fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>> {
    let bytes = postcard::to_allocvec(value)
        .map_err(|e| Error::InvalidSpec(format!("cannot encode body: {e}")))?;
    if bytes.len() > MAX_BODY_LEN {
        return Err(Error::TooLarge {
            what: "body",
            limit: MAX_BODY_LEN,
        });
    }
    Ok(bytes)
}

/// Decodes a body and refuses any encoding but the canonical one.
///
/// postcard accepts over-long varints and ignores trailing bytes; encoding the
/// value again and comparing closes both doors, so parse -> write always
/// gives back the same bytes.
pub(crate) fn decode_canonical<T: Serialize + DeserializeOwned>(bytes: &[u8]) -> Result<T> {
    if bytes.len() > MAX_BODY_LEN {
        return Err(Error::TooLarge {
            what: "body",
            limit: MAX_BODY_LEN,
        });
    }
    let value: T = postcard::from_bytes(bytes).map_err(|_| Error::MalformedBody)?;
    let again = postcard::to_allocvec(&value).map_err(|_| Error::MalformedBody)?;
    if again != bytes {
        return Err(Error::MalformedBody);
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlong_varints_and_trailing_bytes_are_refused() {
        assert_eq!(decode_canonical::<u32>(&[5]), Ok(5));
        assert_eq!(
            decode_canonical::<u32>(&[0x85, 0x00]),
            Err(Error::MalformedBody)
        );
        assert_eq!(decode_canonical::<u32>(&[5, 0]), Err(Error::MalformedBody));
        assert_eq!(decode_canonical::<bool>(&[2]), Err(Error::MalformedBody));
        assert_eq!(
            decode_canonical::<String>(&[2, 0xff, 0xfe]),
            Err(Error::MalformedBody)
        );
    }
}
