//! Signing keys in a hardware security module, through PKCS#11: the key is
//! made inside the token (sensitive, never extractable), the database keeps
//! only its public half and a reference, and every signature is the token's
//! `C_Sign` with `CKM_EDDSA` (pure Ed25519). A stolen database and KEK open
//! no signing key of this kind.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Function, Pkcs11};
use cryptoki::error::{Error as Pkcs11Error, RvError};
use cryptoki::mechanism::eddsa::{EddsaParams, EddsaSignatureScheme};
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, AttributeType, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::types::AuthPin;
use licentia::keys::SIGNATURE_LEN;
use licentia::{PublicKey, Signer};

use crate::config::Config;

/// The curve named in `CKA_EC_PARAMS`: the PrintableString "edwards25519",
/// the form PKCS#11 3.0 gives and SoftHSM accepts (the OID 1.3.101.112 is
/// the other, not every token takes it).
const EDWARDS25519: &[u8] = b"\x13\x0cedwards25519";

/// A PKCS#11 token holding signing keys: its library, label and user PIN.
#[derive(Debug)]
pub struct Hsm {
    module: PathBuf,
    token: String,
    /// One logged-in session: PKCS#11 sessions are not shared between
    /// threads, so signatures through one instance take turns.
    session: Mutex<Session>,
}

/// Describes a PKCS#11 failure for the operator, naming the call.
fn failed(what: &str) -> impl Fn(Pkcs11Error) -> String + '_ {
    move |e| format!("PKCS#11 {what}: {e}")
}

impl Hsm {
    /// The token `config` names (`pkcs11_module`, `pkcs11_token`,
    /// `pkcs11_pin`), logged in; `None` when no module is configured.
    pub fn from_config(config: &Config) -> Result<Option<Hsm>, String> {
        let Some(module) = &config.pkcs11_module else {
            return Ok(None);
        };
        let token = config
            .pkcs11_token
            .as_deref()
            .ok_or("pkcs11_module is set: set pkcs11_token to the label of the token to use")?;
        let pin = config.pkcs11_pin.as_ref().ok_or(
            "pkcs11_module is set: set pkcs11_pin (LICENTIA_PKCS11_PIN), the token's user PIN",
        )?;
        Hsm::open(module, token, pin.expose()).map(Some)
    }

    /// Opens the token labelled `token` in the PKCS#11 library `module` and
    /// logs in with the user `pin`.
    pub fn open(module: &Path, token: &str, pin: &str) -> Result<Hsm, String> {
        let shown = module.display();
        let pkcs11 = Pkcs11::new(module).map_err(|e| format!("PKCS#11 library {shown}: {e}"))?;
        match pkcs11.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
            // Another instance in this process opened the library first.
            Err(Pkcs11Error::Pkcs11(RvError::CryptokiAlreadyInitialized, Function::Initialize)) => {
            }
            other => other.map_err(failed("initialize"))?,
        }
        let mut slot = None;
        for candidate in pkcs11
            .get_slots_with_initialized_token()
            .map_err(failed("list slots"))?
        {
            let info = pkcs11
                .get_token_info(candidate)
                .map_err(failed("token info"))?;
            if info.label() == token {
                slot = Some(candidate);
                break;
            }
        }
        let slot = slot.ok_or_else(|| format!("{shown} has no token labelled {token:?}"))?;
        let session = pkcs11
            .open_rw_session(slot)
            .map_err(failed("open session"))?;
        match session.login(UserType::User, Some(&AuthPin::new(pin.into()))) {
            // Logging in is per application: another instance did it.
            Err(Pkcs11Error::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => {}
            // The PIN itself is never part of the message.
            other => other.map_err(failed("log in to the token"))?,
        }
        Ok(Hsm {
            module: module.to_owned(),
            token: token.to_owned(),
            session: Mutex::new(session),
        })
    }

    /// Runs `f` on the session (a poisoned lock only means another
    /// signature panicked; the session itself is still whole).
    fn with_session<T>(&self, f: impl FnOnce(&Session) -> T) -> T {
        let session = self.session.lock().unwrap_or_else(|e| e.into_inner());
        f(&session)
    }

    /// Makes a new Ed25519 key pair inside the token, labelled and
    /// identified by its key id; the private half is sensitive and never
    /// leaves the token.
    pub fn generate(self: &Arc<Hsm>) -> Result<HsmKey, String> {
        let (public, private) = self.with_session(|session| {
            session
                .generate_key_pair(
                    &Mechanism::EccEdwardsKeyPairGen,
                    &[
                        Attribute::Token(true),
                        Attribute::Private(false),
                        Attribute::Verify(true),
                        Attribute::EcParams(EDWARDS25519.to_vec()),
                    ],
                    &[
                        Attribute::Token(true),
                        Attribute::Private(true),
                        Attribute::Sensitive(true),
                        Attribute::Extractable(false),
                        Attribute::Sign(true),
                    ],
                )
                .map_err(failed("generate an Ed25519 key pair"))
        })?;
        let public_key = self.public_key_of(public)?;
        let id = key_id_bytes(&public_key);
        let label = format!("licentia {}", public_key.key_id());
        self.with_session(|session| {
            for handle in [public, private] {
                session
                    .update_attributes(
                        handle,
                        &[
                            Attribute::Id(id.clone()),
                            Attribute::Label(label.clone().into_bytes()),
                        ],
                    )
                    .map_err(failed("label the new key"))?;
            }
            Ok::<_, String>(())
        })?;
        Ok(HsmKey {
            hsm: self.clone(),
            private,
            public: public_key,
        })
    }

    /// The key of id `key_id` the token holds, checked against the public
    /// key the database lists for it.
    pub fn find(self: &Arc<Hsm>, expected: &PublicKey) -> Result<HsmKey, String> {
        let id = key_id_bytes(expected);
        let handle = |class| {
            self.with_session(|session| {
                session
                    .find_objects(&[
                        Attribute::Class(class),
                        Attribute::KeyType(KeyType::EC_EDWARDS),
                        Attribute::Id(id.clone()),
                    ])
                    .map_err(failed("find the key"))
            })
            .and_then(|found| {
                found.first().copied().ok_or_else(|| {
                    format!(
                        "token {:?} in {} holds no signing key {}",
                        self.token,
                        self.module.display(),
                        expected.key_id()
                    )
                })
            })
        };
        let private = handle(ObjectClass::PRIVATE_KEY)?;
        let public = self.public_key_of(handle(ObjectClass::PUBLIC_KEY)?)?;
        if public != *expected {
            return Err(format!(
                "the token's key labelled {} is another key",
                expected.key_id()
            ));
        }
        Ok(HsmKey {
            hsm: self.clone(),
            private,
            public,
        })
    }

    /// Reads an Ed25519 public key object's point.
    fn public_key_of(&self, handle: ObjectHandle) -> Result<PublicKey, String> {
        let attributes = self.with_session(|session| {
            session
                .get_attributes(handle, &[AttributeType::EcPoint])
                .map_err(failed("read the public key"))
        })?;
        let point = attributes
            .into_iter()
            .find_map(|a| match a {
                Attribute::EcPoint(point) => Some(point),
                _ => None,
            })
            .ok_or("the token gave no CKA_EC_POINT")?;
        // Tokens give the 32 bytes bare or as a DER OCTET STRING (04 20 ...).
        let bytes: &[u8] = match point.as_slice() {
            [0x04, 0x20, rest @ ..] if rest.len() == 32 => rest,
            bare => bare,
        };
        let bytes: [u8; 32] = bytes
            .try_into()
            .map_err(|_| format!("the token's Ed25519 point is {} bytes", point.len()))?;
        PublicKey::from_bytes(&bytes).map_err(|e| format!("the token's public key: {e}"))
    }
}

/// `CKA_ID` of a key: its licentia key id's bytes.
fn key_id_bytes(key: &PublicKey) -> Vec<u8> {
    key.key_id().to_string().into_bytes()
}

/// One signing key inside the token.
#[derive(Debug)]
pub struct HsmKey {
    hsm: Arc<Hsm>,
    private: ObjectHandle,
    public: PublicKey,
}

impl Signer for HsmKey {
    fn public_key(&self) -> &PublicKey {
        &self.public
    }

    fn try_sign(&self, message: &[u8]) -> licentia::Result<[u8; SIGNATURE_LEN]> {
        let mechanism = Mechanism::Eddsa(EddsaParams::new(EddsaSignatureScheme::Pure));
        let signature = self
            .hsm
            .with_session(|session| session.sign(&mechanism, self.private, message))
            .map_err(|e| licentia::Error::SignerFailed(format!("PKCS#11 sign: {e}")))?;
        signature.try_into().map_err(|s: Vec<u8>| {
            licentia::Error::SignerFailed(format!("the token gave a {}-byte signature", s.len()))
        })
    }
}
