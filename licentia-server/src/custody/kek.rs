//! The key-encryption key (KEK): 32 bytes the operator supplies, as the
//! `kek` setting (`LICENTIA_KEK`, base64) or a file only its owner reads
//! (`kek_file`, base64 text). On SQLite, with neither, the first start
//! makes one in the data directory (`kek`, 0600); PostgreSQL serves
//! several instances, which must share one, so there it must be given.

use std::path::Path;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hkdf::Hkdf;
use sha2::Sha256;
use zeroize::Zeroizing;

use super::seal::Sealer;
use crate::config::Config;

/// The name of the KEK file made in the data directory on SQLite.
pub const GENERATED_KEK_FILE: &str = "kek";

/// HKDF info of the key that seals stored idempotent answers.
const IDEMPOTENCY_INFO: &[u8] = b"licentia idempotency v1";
/// The HKDF info of the key that seals accounts' TOTP secrets.
const ACCOUNTS_INFO: &[u8] = b"licentia accounts v1";

/// The operator's key-encryption key, and the keys derived from it.
///
/// ```
/// use licentia_server::custody::Kek;
///
/// let kek = Kek::from_base64("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=").unwrap();
/// let sealed = kek.keys().seal(b"key 1", b"private");
/// assert!(kek.idempotency().open(b"key 1", &sealed).is_none(), "a derived key differs");
/// assert!(Kek::from_base64("c2hvcnQ=").is_err(), "32 bytes or nothing");
/// ```
#[derive(Debug, Clone)]
pub struct Kek {
    /// Seals the signing keys (the KEK itself).
    keys: Sealer,
    /// Seals stored idempotent answers (HKDF-SHA256 of the KEK).
    idempotency: Sealer,
    /// Seals accounts' TOTP secrets (HKDF-SHA256 of the KEK, another info).
    accounts: Sealer,
}

impl Kek {
    /// The KEK of 32 raw bytes.
    pub fn new(bytes: [u8; 32]) -> Kek {
        let mut derived = Zeroizing::new([0u8; 32]);
        Hkdf::<Sha256>::new(None, &bytes)
            .expand(IDEMPOTENCY_INFO, derived.as_mut())
            .expect("32 bytes is a valid HKDF-SHA256 length");
        let mut accounts = Zeroizing::new([0u8; 32]);
        Hkdf::<Sha256>::new(None, &bytes)
            .expand(ACCOUNTS_INFO, accounts.as_mut())
            .expect("32 bytes is a valid HKDF-SHA256 length");
        Kek {
            keys: Sealer::new(bytes),
            idempotency: Sealer::new(*derived),
            accounts: Sealer::new(*accounts),
        }
    }

    /// The KEK written as base64 of 32 bytes (surrounding space ignored).
    pub fn from_base64(text: &str) -> Result<Kek, String> {
        let bytes = Zeroizing::new(
            STANDARD
                .decode(text.trim())
                .map_err(|_| "the key-encryption key is not base64".to_owned())?,
        );
        let bytes: [u8; 32] = bytes.as_slice().try_into().map_err(|_| {
            "the key-encryption key must be 32 bytes (e.g. `openssl rand -base64 32`)".to_owned()
        })?;
        Ok(Kek::new(bytes))
    }

    /// The KEK `config` names: the `kek` setting, else the `kek_file`, else
    /// (SQLite only) the data directory's, made at the first start.
    pub fn from_config(config: &Config) -> Result<Kek, String> {
        match (&config.kek, &config.kek_file) {
            (Some(_), Some(_)) => Err("set kek or kek_file, not both".into()),
            (Some(text), None) => Kek::from_base64(text.expose()),
            (None, Some(path)) => Kek::read(path),
            (None, None) if config.database_url().starts_with("sqlite:") => {
                let path = config.data_dir.join(GENERATED_KEK_FILE);
                if !path.exists() {
                    Kek::generate(&path)?;
                }
                Kek::read(&path)
            }
            (None, None) => Err(
                "a PostgreSQL back office needs the key-encryption key its instances share: \
                 set kek_file (a 0600 file) or LICENTIA_KEK to base64 of 32 random bytes \
                 (`openssl rand -base64 32`)"
                    .into(),
            ),
        }
    }

    /// Reads a KEK file, refusing one that group or others may read.
    fn read(path: &Path) -> Result<Kek, String> {
        let shown = path.display();
        licentia::keys::check_private_permissions(path)
            .map_err(|e| format!("the key-encryption key file: {e}"))?;
        let text =
            Zeroizing::new(std::fs::read_to_string(path).map_err(|e| format!("{shown}: {e}"))?);
        Kek::from_base64(&text).map_err(|e| format!("{shown}: {e}"))
    }

    /// Writes a new random KEK to `path` (0600, never over a file).
    fn generate(path: &Path) -> Result<(), String> {
        let bytes: Zeroizing<[u8; 32]> = Zeroizing::new(rand::random());
        let text = Zeroizing::new(STANDARD.encode(bytes.as_ref()));
        super::write_private_file(path, &text)?;
        tracing::info!(path = %path.display(), "made a key-encryption key: back it up apart from the database");
        Ok(())
    }

    /// Seals the signing keys.
    pub fn keys(&self) -> &Sealer {
        &self.keys
    }

    /// Seals stored idempotent answers.
    pub fn idempotency(&self) -> &Sealer {
        &self.idempotency
    }

    /// Seals accounts' TOTP secrets (the account id as associated data).
    pub fn accounts(&self) -> &Sealer {
        &self.accounts
    }
}
