//! The server's signing keys: private halves as PEM files (0600) in the data
//! directory, their public halves and states in the database. One key is
//! active (signs); the others stay trusted until retired.
//!
//! Each instance holds a [`Keyring`] loaded from the database, stamped with
//! where the keys stood when it was read ([`KeyStamp`]). Instances sharing a
//! database notice another's rotation or retirement without a restart: after
//! every signature the server reads the store's stamp (one indexed query)
//! and, when it differs, reloads the keyring and signs again (see
//! `AppState::sign`). Checking *after* signing is what makes it race-free:
//! retirement is final and only a non-active key can be retired, so a key the
//! store still names active after the signature was never retired before it.

use std::path::{Path, PathBuf};

use crate::error::ApiError;
use crate::store::{KeyRecord, KeyStamp, Store};
use licentia::{Issuer, PublicKey, SigningKey, Timestamp, Verifier};

/// The keys one server instance signs and verifies with.
#[derive(Debug, Clone)]
pub struct Keyring {
    issuer: Issuer,
    verifier: Verifier,
    records: Vec<KeyRecord>,
    stamp: KeyStamp,
}

fn key_path(dir: &Path, key_id: &str) -> PathBuf {
    dir.join(format!("{key_id}.pem"))
}

fn create_key_dir(dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    Ok(())
}

fn record(key: &SigningKey, state: &str, rollover: Option<String>) -> KeyRecord {
    KeyRecord {
        key_id: key.key_id().to_string(),
        public_pem: key.public_key().to_pem(),
        state: state.into(),
        created_at: Timestamp::now().0,
        rollover,
    }
}

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

impl Keyring {
    /// Loads the keys the database lists, creating the first key (and its
    /// file) when there is none. The active key's file must be in `dir` and
    /// readable by its owner only.
    pub async fn open(store: &dyn Store, dir: &Path) -> Result<Keyring, String> {
        create_key_dir(dir)?;
        if store.signing_keys().await.map_err(err)?.is_empty() {
            let key = SigningKey::generate();
            let path = key_path(dir, &key.key_id().to_string());
            key.save(&path).map_err(|e| e.to_string())?;
            if !store
                .add_first_key(record(&key, "active", None))
                .await
                .map_err(err)?
            {
                // Another instance created the first key at the same moment.
                std::fs::remove_file(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            }
        }
        let stamp = store.key_stamp().await.map_err(err)?;
        Keyring::from_records(stamp, store.signing_keys().await.map_err(err)?, dir)
    }

    /// Loads the keys the database lists now; the active key's file must be
    /// in `dir`. A database that fails is its own error (503...), not a 500.
    pub async fn load(store: &dyn Store, dir: &Path) -> Result<Keyring, ApiError> {
        // The stamp is read before the keys: a change in between shows as a
        // stamp that no longer matches, so the next check reloads again.
        let stamp = store.key_stamp().await?;
        Keyring::from_records(stamp, store.signing_keys().await?, dir).map_err(ApiError::internal)
    }

    /// The keyring of `records` (read after `stamp`), with the active key's
    /// file from `dir`.
    fn from_records(
        stamp: KeyStamp,
        records: Vec<KeyRecord>,
        dir: &Path,
    ) -> Result<Keyring, String> {
        let active = records
            .iter()
            .find(|r| r.state == "active")
            .ok_or("the database names no active signing key")?;
        let path = key_path(dir, &active.key_id);
        let key = SigningKey::load(&path).map_err(|e| {
            format!(
                "the active signing key {} cannot be loaded from {}: {e}",
                active.key_id,
                path.display()
            )
        })?;
        if key.key_id().to_string() != active.key_id {
            return Err(format!(
                "{} does not hold key {}",
                path.display(),
                active.key_id
            ));
        }
        let mut verifier = Verifier::default();
        for r in &records {
            let public = PublicKey::from_pem(&r.public_pem).map_err(|e| e.to_string())?;
            verifier.trust(public, None, None);
        }
        Ok(Keyring {
            issuer: Issuer::new(key),
            verifier,
            records,
            stamp,
        })
    }

    /// Makes a new active key: its file is written, the database switches to
    /// it, and a rollover statement signed by the old key endorses it. A
    /// concurrent rotation elsewhere makes this one a 409 (and removes the
    /// file it wrote).
    pub async fn rotate(
        &self,
        store: &dyn Store,
        dir: &Path,
        actor: &str,
    ) -> Result<Keyring, ApiError> {
        create_key_dir(dir).map_err(ApiError::internal)?;
        let key = SigningKey::generate();
        let statement = self
            .issuer
            .rollover(key.public_key(), None, None, Timestamp::now())?
            .to_armor();
        let path = key_path(dir, &key.key_id().to_string());
        key.save(&path).map_err(ApiError::internal)?;
        let previous = self.issuer.public_key().key_id().to_string();
        if let Err(e) = store
            .rotate_key(record(&key, "active", Some(statement)), &previous, actor)
            .await
        {
            // The database never named this key: its file goes too.
            std::fs::remove_file(&path)
                .map_err(|e| ApiError::internal(format!("{}: {e}", path.display())))?;
            return Err(e.into());
        }
        Keyring::load(store, dir).await
    }

    /// Whether these are still the keys the store has (`stamp` read from it now).
    /// When they are, the store names this keyring's signing key active.
    pub fn is_current(&self, stamp: &KeyStamp) -> bool {
        self.stamp == *stamp
    }

    /// Signs with the active key.
    pub fn issuer(&self) -> &Issuer {
        &self.issuer
    }

    /// Verifies with every trusted key.
    pub fn verifier(&self) -> &Verifier {
        &self.verifier
    }

    /// The keys and their rollover statements, for products to download.
    pub fn records(&self) -> &[KeyRecord] {
        &self.records
    }
}
