//! Who signs: a key in memory, or a device that keeps its private half to
//! itself (an HSM through PKCS#11, a cloud KMS). The [`Issuer`](crate::Issuer)
//! signs through this trait and checks every signature with the public key
//! before it lets a document out, so a faulty device is caught there too.

use core::fmt;

use crate::keys::{PublicKey, SigningKey, SIGNATURE_LEN};
use crate::Result;

/// Signs with one Ed25519 key (RFC 8032 pure Ed25519, no prehash, no context).
///
/// A device that fails answers [`Error::SignerFailed`](crate::Error::SignerFailed)
/// with a message for the operator's log; it never panics.
///
/// ```
/// use std::sync::Arc;
/// use licentia::{Issuer, LicenseBody, PublicKey, Signer, SigningKey, Timestamp};
///
/// /// A signer that counts its signatures (a device would call out here).
/// #[derive(Debug)]
/// struct Counting(SigningKey, std::sync::atomic::AtomicU32);
///
/// impl Signer for Counting {
///     fn public_key(&self) -> &PublicKey {
///         self.0.public_key()
///     }
///     fn try_sign(&self, message: &[u8]) -> licentia::Result<[u8; 64]> {
///         self.1.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
///         self.0.try_sign(message)
///     }
/// }
///
/// let signer = Arc::new(Counting(SigningKey::generate(), Default::default()));
/// let issuer = Issuer::with_signer(signer.clone());
/// let body = LicenseBody::builder("acme-cad", "Jane Doe")
///     .hard_expiry(Timestamp::parse("2030-01-01").unwrap())
///     .build()
///     .unwrap();
/// issuer.issue(&body).unwrap();
/// assert_eq!(signer.1.load(std::sync::atomic::Ordering::Relaxed), 1);
/// ```
pub trait Signer: fmt::Debug + Send + Sync {
    /// The public half: documents name its key id, products trust it.
    fn public_key(&self) -> &PublicKey;

    /// The Ed25519 signature of `message`.
    fn try_sign(&self, message: &[u8]) -> Result<[u8; SIGNATURE_LEN]>;
}

impl Signer for SigningKey {
    fn public_key(&self) -> &PublicKey {
        SigningKey::public_key(self)
    }

    fn try_sign(&self, message: &[u8]) -> Result<[u8; SIGNATURE_LEN]> {
        Ok(self.sign(message))
    }
}
