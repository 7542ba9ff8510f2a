//! Signing and verifying keys, key ids, and their PEM files.
//!
//! Private keys are PKCS#8 v1 PEM (RFC 8410) and public keys SPKI PEM, so
//! OpenSSL reads both (`openssl pkey -in issuer.key -noout -text`), and a key
//! made by `openssl genpkey -algorithm ed25519` is read here. A private key file must not be
//! readable by group or others; loading one that is fails with an error that
//! says how to fix it.

use core::fmt;
#[cfg(feature = "std")]
use std::path::Path;

use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use ed25519_dalek::Signer;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

#[cfg(feature = "std")]
use crate::read::read_text_file;
use crate::{hex, Error, Result};

/// Length of an Ed25519 signature.
pub const SIGNATURE_LEN: usize = 64;

/// Length of a raw Ed25519 public key.
pub const PUBLIC_KEY_LEN: usize = 32;

/// The first 8 bytes of SHA-256 over a 32-byte public key.
///
/// Every signed document names the key that signed it by this id, so a verifier
/// holding several keys picks the right one without trying them all.
#[derive(
    Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct KeyId(pub [u8; 8]);

impl KeyId {
    /// Computes the id of a raw public key.
    pub fn of(public_key: &[u8; PUBLIC_KEY_LEN]) -> KeyId {
        let digest = Sha256::digest(public_key);
        let mut id = [0u8; 8];
        id.copy_from_slice(&digest[..8]);
        KeyId(id)
    }

    /// Parses 16 hex digits.
    pub fn from_hex(text: &str) -> Result<KeyId> {
        hex::decode_array(text, "key id").map(KeyId)
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(&self.0))
    }
}

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyId({self})")
    }
}

/// An Ed25519 private key that signs licenses and the other documents.
///
/// The secret is zeroized on drop and never printed by `Debug`.
///
/// ```
/// let key = licentia::SigningKey::generate();
/// let pem = key.to_pem();
/// let again = licentia::SigningKey::from_pem(&pem).unwrap();
/// assert_eq!(key.key_id(), again.key_id());
/// assert!(!format!("{key:?}").contains(&pem[40..60]));
/// ```
#[derive(Clone)]
pub struct SigningKey {
    inner: ed25519_dalek::SigningKey,
    public: PublicKey,
}

impl SigningKey {
    /// Generates a new key from the operating system's random source.
    pub fn generate() -> SigningKey {
        Self::from_dalek(ed25519_dalek::SigningKey::generate(&mut rand::rngs::OsRng))
    }

    /// Makes a key from a 32-byte seed (test vectors, hardware-derived seeds).
    pub fn from_seed(seed: &[u8; 32]) -> SigningKey {
        Self::from_dalek(ed25519_dalek::SigningKey::from_bytes(seed))
    }

    fn from_dalek(inner: ed25519_dalek::SigningKey) -> SigningKey {
        let verifying = inner.verifying_key();
        let public = PublicKey {
            id: KeyId::of(verifying.as_bytes()),
            inner: verifying,
        };
        SigningKey { inner, public }
    }

    /// The matching public key.
    pub fn public_key(&self) -> &PublicKey {
        &self.public
    }

    /// The id of the matching public key.
    pub fn key_id(&self) -> KeyId {
        self.public.id
    }

    /// Encodes the key as a PKCS#8 v1 PEM document (RFC 8410: the private
    /// key alone, no embedded public key), the form `openssl genpkey`
    /// writes and every OpenSSL reads.
    pub fn to_pem(&self) -> Zeroizing<String> {
        // ed25519-dalek's own encoding is v2 (with the public key), which
        // OpenSSL 3.0 refuses as "unsupported".
        ed25519_dalek::pkcs8::KeypairBytes {
            secret_key: self.inner.to_bytes(),
            public_key: None,
        }
        .to_pkcs8_pem(Default::default())
        .expect("an Ed25519 key always encodes as PKCS#8")
    }

    /// Reads a PKCS#8 PEM private key, v1 (RFC 8410, as OpenSSL writes it)
    /// or v2 (with the public key, as earlier releases of licentia wrote it).
    pub fn from_pem(pem: &str) -> Result<SigningKey> {
        ed25519_dalek::SigningKey::from_pkcs8_pem(pem.trim())
            .map(Self::from_dalek)
            .map_err(|e| Error::KeyFormat(format!("not an Ed25519 PKCS#8 private key ({e})")))
    }

    /// Loads a private key file, refusing one that group or others can read.
    #[cfg(feature = "std")]
    pub fn load(path: impl AsRef<Path>) -> Result<SigningKey> {
        let path = path.as_ref();
        check_private_permissions(path)?;
        let text = Zeroizing::new(read_text_file(path, "key file", MAX_KEY_FILE)?);
        Self::from_pem(&text)
    }

    /// Writes the key as PEM to a new file readable only by its owner (0600).
    ///
    /// Refuses to overwrite an existing file, so a key is never lost by mistake.
    #[cfg(feature = "std")]
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        create_private_file(path, self.to_pem().as_bytes())
            .map_err(|e| Error::Io(format!("{}: {e}", path.display())))
    }

    /// Signs a message; the caller builds the domain-separated bytes.
    pub(crate) fn sign(&self, message: &[u8]) -> [u8; SIGNATURE_LEN] {
        self.inner.sign(message).to_bytes()
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("key_id", &self.public.id)
            .field("secret", &"<redacted>")
            .finish()
    }
}

/// An Ed25519 public key, checked when loaded: canonical and not of small order.
///
/// ```
/// let key = licentia::SigningKey::generate();
/// let public = licentia::PublicKey::from_pem(&key.public_key().to_pem()).unwrap();
/// assert_eq!(public.key_id(), key.key_id());
/// assert!(licentia::PublicKey::from_bytes(&[0u8; 32]).is_err()); // small order
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey {
    inner: ed25519_dalek::VerifyingKey,
    id: KeyId,
}

impl PublicKey {
    /// Accepts a raw 32-byte key only if it is a canonical, non-weak point.
    pub fn from_bytes(bytes: &[u8; PUBLIC_KEY_LEN]) -> Result<PublicKey> {
        let inner = ed25519_dalek::VerifyingKey::from_bytes(bytes).map_err(|_| Error::WeakKey)?;
        // Decompression accepts some non-canonical encodings; re-encoding exposes them.
        if inner.is_weak() || inner.to_edwards().compress().to_bytes() != *bytes {
            return Err(Error::WeakKey);
        }
        Ok(PublicKey {
            id: KeyId::of(bytes),
            inner,
        })
    }

    /// The raw 32 bytes.
    pub fn to_bytes(&self) -> [u8; PUBLIC_KEY_LEN] {
        self.inner.to_bytes()
    }

    /// The key id (first 8 bytes of SHA-256 of the raw key).
    pub fn key_id(&self) -> KeyId {
        self.id
    }

    /// Encodes the key as an SPKI PEM document.
    pub fn to_pem(&self) -> String {
        self.inner
            .to_public_key_pem(Default::default())
            .expect("an Ed25519 key always encodes as SPKI")
    }

    /// Reads an SPKI PEM public key.
    pub fn from_pem(pem: &str) -> Result<PublicKey> {
        let inner = ed25519_dalek::VerifyingKey::from_public_key_pem(pem.trim())
            .map_err(|e| Error::KeyFormat(format!("not an Ed25519 SPKI public key ({e})")))?;
        Self::from_bytes(inner.as_bytes())
    }

    /// Loads an SPKI PEM public key file.
    #[cfg(feature = "std")]
    pub fn load(path: impl AsRef<Path>) -> Result<PublicKey> {
        Self::from_pem(&read_text_file(path, "key file", MAX_KEY_FILE)?)
    }

    /// Writes the key as PEM (mode 0644: public keys are public).
    #[cfg(feature = "std")]
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        std::fs::write(path, self.to_pem())
            .map_err(|e| Error::Io(format!("{}: {e}", path.display())))
    }

    /// Strict verification: rejects non-canonical S and small-order R.
    pub(crate) fn verify_strict(
        &self,
        message: &[u8],
        signature: &[u8; SIGNATURE_LEN],
    ) -> Result<()> {
        let signature = ed25519_dalek::Signature::from_bytes(signature);
        self.inner
            .verify_strict(message, &signature)
            .map_err(|_| Error::BadSignature)
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({})", self.id)
    }
}

/// Key files are small; anything past this is not a key.
#[cfg(feature = "std")]
const MAX_KEY_FILE: usize = 16 * 1024;

/// Writes `contents` to a new file at `path` that only its owner may read
/// or write (0600), and syncs it; never over an existing file. Private keys
/// and other secrets written to disk go through here.
#[cfg(feature = "std")]
pub fn create_private_file(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(contents)?;
    file.sync_all()
}

/// Fails when a private key file is readable or writable by group or others.
#[cfg(feature = "std")]
pub fn check_private_permissions(path: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let meta =
            std::fs::metadata(path).map_err(|e| Error::Io(format!("{}: {e}", path.display())))?;
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(Error::InsecureKeyFile {
                path: path.display().to_string(),
                mode,
            });
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_id_is_sha256_prefix() {
        let key = SigningKey::from_seed(&[7; 32]);
        let digest = Sha256::digest(key.public_key().to_bytes());
        assert_eq!(key.key_id().0, digest[..8]);
        assert_eq!(
            KeyId::from_hex(&key.key_id().to_string()).unwrap(),
            key.key_id()
        );
    }

    #[test]
    fn small_order_and_non_canonical_keys_are_refused() {
        // The identity point (small order) and a non-canonical y >= p.
        let mut identity = [0u8; 32];
        identity[0] = 1;
        assert_eq!(PublicKey::from_bytes(&identity), Err(Error::WeakKey));
        let mut non_canonical = [0xff; 32];
        non_canonical[31] = 0x7f;
        assert_eq!(PublicKey::from_bytes(&non_canonical), Err(Error::WeakKey));
    }

    #[test]
    fn pem_round_trip_and_garbage() {
        let key = SigningKey::from_seed(&[1; 32]);
        let pem = key.to_pem();
        assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----"));
        assert_eq!(SigningKey::from_pem(&pem).unwrap().key_id(), key.key_id());
        let public = key.public_key().to_pem();
        assert!(public.starts_with("-----BEGIN PUBLIC KEY-----"));
        assert_eq!(PublicKey::from_pem(&public).unwrap(), *key.public_key());
        assert!(matches!(
            SigningKey::from_pem("garbage"),
            Err(Error::KeyFormat(_))
        ));
        assert!(matches!(
            PublicKey::from_pem(&pem),
            Err(Error::KeyFormat(_))
        ));
    }

    #[cfg(all(unix, feature = "std"))]
    #[test]
    fn private_key_files_must_be_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("issuer.key");
        let key = SigningKey::generate();
        key.save(&path).unwrap();
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(SigningKey::load(&path).unwrap().key_id(), key.key_id());
        assert!(
            key.save(&path).is_err(),
            "an existing key is never overwritten"
        );

        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        let err = SigningKey::load(&path).unwrap_err();
        assert!(matches!(err, Error::InsecureKeyFile { mode: 0o640, .. }));
        assert!(err.to_string().contains("chmod 600"));
    }

    #[cfg(all(unix, feature = "std"))]
    #[test]
    fn a_key_file_without_end_is_refused_not_loaded() {
        // Its length says 0; reading it whole would never finish.
        assert_eq!(
            PublicKey::load("/dev/zero"),
            Err(Error::TooLarge {
                what: "key file",
                limit: MAX_KEY_FILE
            })
        );
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let key = SigningKey::from_seed(&[9; 32]);
        let debug = format!("{key:?}");
        assert!(debug.contains("redacted"));
        assert!(!debug.contains(&hex::encode(&[9; 32])));
    }
}
