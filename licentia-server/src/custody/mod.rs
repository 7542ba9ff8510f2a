//! Secrets at rest. The private halves of the signing keys live in the
//! database sealed under the operator's key-encryption key ([`Kek`]), so an
//! instance needs nothing else on its disk and a rotation on one reaches
//! every other; stored idempotent answers (which may hold a license key
//! shown once) are sealed under a key derived from it.

mod kek;
mod seal;

pub use kek::{Kek, GENERATED_KEK_FILE};
pub use seal::Sealer;

use std::path::Path;

use licentia::SigningKey;

/// Writes `text` and a newline to a new file at `path` that only its owner
/// may read (0600); never over an existing file.
pub(crate) fn write_private_file(path: &Path, text: &str) -> Result<(), String> {
    licentia::keys::create_private_file(path, format!("{text}\n").as_bytes())
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// What a signing key's sealed private half is bound to: its key id, so a
/// sealed key copied onto another row does not open there.
fn key_context(key_id: &str) -> Vec<u8> {
    format!("licentia signing key v1\n{key_id}").into_bytes()
}

/// The private half of `key`, sealed under `kek`, for the database.
pub fn seal_signing_key(kek: &Kek, key: &SigningKey) -> String {
    let context = key_context(&key.key_id().to_string());
    kek.keys().seal(&context, key.to_pem().as_bytes())
}

/// Opens the sealed private half of key `key_id`; a clear refusal when this
/// KEK does not open it (another KEK's database) or it holds another key.
pub fn open_signing_key(kek: &Kek, key_id: &str, sealed: &str) -> Result<SigningKey, String> {
    let pem = kek
        .keys()
        .open(&key_context(key_id), sealed)
        .ok_or_else(|| {
            format!(
                "the key-encryption key does not open signing key {key_id}: \
             this database was sealed with another KEK (check kek or kek_file)"
            )
        })?;
    let text = std::str::from_utf8(&pem).map_err(|_| format!("sealed key {key_id} is not PEM"))?;
    let key = SigningKey::from_pem(text).map_err(|e| format!("sealed key {key_id}: {e}"))?;
    if key.key_id().to_string() != key_id {
        return Err(format!("sealed key {key_id} holds another key"));
    }
    Ok(key)
}
