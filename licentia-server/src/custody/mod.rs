//! Secrets at rest. The private halves of the signing keys live in the
//! database sealed under the operator's key-encryption key ([`Kek`]), so an
//! instance needs nothing else on its disk and a rotation on one reaches
//! every other; stored idempotent answers (which may hold a license key
//! shown once) are sealed under a key derived from it. With a PKCS#11
//! token configured ([`Hsm`]), new signing keys are made and kept in it
//! instead, and the database holds only a reference.

mod hsm;
mod kek;
mod seal;

pub use hsm::{Hsm, HsmKey};
pub use kek::{Kek, GENERATED_KEK_FILE};
pub use seal::Sealer;

use std::path::Path;
use std::sync::Arc;

use licentia::{PublicKey, Signer, SigningKey};

use crate::config::Config;

/// What the database keeps, in place of a sealed private half, for a key
/// that lives in the PKCS#11 token (never a sealed text: those are base64).
const IN_TOKEN: &str = "pkcs11:token";

/// Where the private halves of the signing keys are kept: sealed under the
/// KEK in the database, or in a PKCS#11 token when one is configured.
#[derive(Debug)]
pub struct Custody {
    kek: Kek,
    hsm: Option<Arc<Hsm>>,
}

impl Custody {
    /// The KEK and the token (if any) `config` names.
    pub fn from_config(config: &Config) -> Result<Custody, String> {
        Ok(Custody {
            kek: Kek::from_config(config)?,
            hsm: Hsm::from_config(config)?.map(Arc::new),
        })
    }

    /// The key-encryption key.
    pub fn kek(&self) -> &Kek {
        &self.kek
    }

    /// A new signing key and what the database keeps of its private half:
    /// made in the token when there is one, else in memory and sealed.
    pub fn new_key(&self) -> Result<(Arc<dyn Signer>, String), String> {
        match &self.hsm {
            Some(hsm) => Ok((Arc::new(hsm.generate()?), IN_TOKEN.to_owned())),
            None => {
                let key = SigningKey::generate();
                let sealed = seal_signing_key(&self.kek, &key);
                Ok((Arc::new(key), sealed))
            }
        }
    }

    /// The signer of key `public`, from what the database keeps of its
    /// private half (`stored`): a sealed key opened under the KEK, or the
    /// token's key of that id.
    pub fn open(&self, public: &PublicKey, stored: &str) -> Result<Arc<dyn Signer>, String> {
        let key_id = public.key_id().to_string();
        if stored != IN_TOKEN {
            return Ok(Arc::new(open_signing_key(&self.kek, &key_id, stored)?));
        }
        let hsm = self.hsm.as_ref().ok_or_else(|| {
            format!(
                "signing key {key_id} lives in a PKCS#11 token: \
                 set pkcs11_module, pkcs11_token and pkcs11_pin"
            )
        })?;
        Ok(Arc::new(hsm.find(public)?))
    }
}

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
