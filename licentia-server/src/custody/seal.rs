//! Sealing at rest: XChaCha20-Poly1305 with a random 192-bit nonce (so
//! nonces never repeat in practice, whatever the number of instances) and
//! associated data that names what is sealed, so a sealed value moved to
//! another row does not open there.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::XChaCha20Poly1305;
use zeroize::Zeroizing;

/// The prefix of a sealed value: the scheme, so a later one can be told apart.
const VERSION: &str = "x1.";
/// XChaCha20's nonce length.
const NONCE_LEN: usize = 24;

/// A 256-bit key that seals and opens values.
///
/// ```
/// use licentia_server::custody::Sealer;
///
/// let sealer = Sealer::new([7; 32]);
/// let sealed = sealer.seal(b"row 1", b"secret");
/// assert_eq!(sealer.open(b"row 1", &sealed).unwrap().as_slice(), b"secret");
/// assert!(sealer.open(b"row 2", &sealed).is_none(), "bound to its row");
/// assert!(Sealer::new([8; 32]).open(b"row 1", &sealed).is_none());
/// ```
#[derive(Clone)]
pub struct Sealer {
    key: Zeroizing<[u8; 32]>,
}

impl Sealer {
    /// A sealer with this key.
    pub fn new(key: [u8; 32]) -> Sealer {
        Sealer {
            key: Zeroizing::new(key),
        }
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(self.key.as_ref().into())
    }

    /// Seals `plaintext`, bound to `context` (not secret, not stored):
    /// `x1.` then base64url of nonce and ciphertext.
    pub fn seal(&self, context: &[u8], plaintext: &[u8]) -> String {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let payload = Payload {
            msg: plaintext,
            aad: context,
        };
        let sealed = self
            .cipher()
            .encrypt(&nonce, payload)
            .expect("XChaCha20-Poly1305 seals any length a server holds");
        let mut bytes = nonce.to_vec();
        bytes.extend_from_slice(&sealed);
        format!("{VERSION}{}", URL_SAFE_NO_PAD.encode(bytes))
    }

    /// Opens what [`Sealer::seal`] made with the same key and `context`;
    /// `None` for anything else (another key, another context, altered bytes).
    pub fn open(&self, context: &[u8], sealed: &str) -> Option<Zeroizing<Vec<u8>>> {
        let bytes = URL_SAFE_NO_PAD.decode(sealed.strip_prefix(VERSION)?).ok()?;
        if bytes.len() < NONCE_LEN {
            return None;
        }
        let (nonce, ciphertext) = bytes.split_at(NONCE_LEN);
        let payload = Payload {
            msg: ciphertext,
            aad: context,
        };
        self.cipher()
            .decrypt(nonce.into(), payload)
            .ok()
            .map(Zeroizing::new)
    }
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer(<redacted>)")
    }
}
