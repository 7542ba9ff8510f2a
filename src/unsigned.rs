//! The documents a customer's machine writes and nobody signs (offline
//! deactivation requests, usage reports): the format version, the kind,
//! then the postcard body, armored like every other document.

use crate::format::{self, DocumentKind, FORMAT_VERSION};
use crate::{codec, Error, Result};

/// The armored text of `body` as a document of `kind`.
pub(crate) fn to_armor<T: serde::Serialize>(kind: DocumentKind, body: &T) -> Result<String> {
    let mut bytes = vec![FORMAT_VERSION, kind as u8];
    bytes.extend(codec::encode(body)?);
    Ok(format::armor(kind, &bytes))
}

/// Parses a document of `kind` (armored or compact), strictly: its kind in
/// the armor and in the bytes, a version it may carry, a canonical body.
pub(crate) fn parse<T: serde::de::DeserializeOwned + serde::Serialize>(
    text: &str,
    expected: DocumentKind,
) -> Result<T> {
    let wrong = |found| Error::WrongDocumentKind { expected, found };
    let (kind, bytes) = format::decode_text(text)?;
    if kind != expected {
        return Err(wrong(kind));
    }
    match bytes.as_slice() {
        [version, ..] if !expected.versions().contains(version) => {
            Err(Error::UnsupportedVersion { found: *version })
        }
        [_, kind, body @ ..] => {
            let kind = DocumentKind::from_u8(*kind)?;
            if kind != expected {
                return Err(wrong(kind));
            }
            codec::decode_canonical(body)
        }
        _ => Err(Error::Truncated),
    }
}
