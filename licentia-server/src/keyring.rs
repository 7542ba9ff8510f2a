//! The server's signing keys: their public halves, states and private
//! halves (sealed under the operator's key-encryption key, or kept in a
//! PKCS#11 token, see [`crate::custody`]) all in the database. One key is active (signs); the
//! others stay trusted until retired. Key files that earlier versions kept
//! in `data_dir/keys` are sealed in at start and renamed `.pem.migrated`.
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

use crate::custody::{seal_signing_key, Custody, Kek};
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

fn record(key: &PublicKey, state: &str, rollover: Option<String>) -> KeyRecord {
    KeyRecord {
        key_id: key.key_id().to_string(),
        public_pem: key.to_pem(),
        state: state.into(),
        created_at: Timestamp::now().0,
        rollover,
    }
}

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// Seals into the database the private keys of `dir` (the files earlier
/// versions kept) that the database lists without a sealed copy, and
/// renames each file sealed in `<id>.pem.migrated`. Files of keys the
/// database already holds are left alone.
async fn seal_key_files(store: &dyn Store, kek: &Kek, dir: &Path) -> Result<(), String> {
    for r in store.signing_keys().await.map_err(err)? {
        let path = key_path(dir, &r.key_id);
        if !path.exists() || store.sealed_key(&r.key_id).await.map_err(err)?.is_some() {
            continue;
        }
        let key = SigningKey::load(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        if key.key_id().to_string() != r.key_id {
            return Err(format!("{} does not hold key {}", path.display(), r.key_id));
        }
        if store
            .seal_key(&r.key_id, seal_signing_key(kek, &key))
            .await
            .map_err(err)?
        {
            let moved = path.with_extension("pem.migrated");
            std::fs::rename(&path, &moved).map_err(|e| format!("{}: {e}", path.display()))?;
            tracing::info!(key_id = %r.key_id, file = %moved.display(), "signing key sealed into the database");
        }
    }
    Ok(())
}

impl Keyring {
    /// Loads the keys the database lists, after sealing in the key files an
    /// earlier version left in `legacy_dir`, creating the first key when
    /// there is none (in the token when one is configured). A KEK that does
    /// not open the active key is refused, as is a token that lacks it.
    pub async fn open(
        store: &dyn Store,
        custody: &Custody,
        legacy_dir: &Path,
    ) -> Result<Keyring, String> {
        seal_key_files(store, custody.kek(), legacy_dir).await?;
        if store.signing_keys().await.map_err(err)?.is_empty() {
            let (key, stored) = custody.new_key()?;
            // False: another instance created the first key at the same
            // moment; its key is loaded below (the token keeps an unused
            // key then, harmless).
            store
                .add_first_key(record(key.public_key(), "active", None), stored)
                .await
                .map_err(err)?;
        }
        let stamp = store.key_stamp().await.map_err(err)?;
        let records = store.signing_keys().await.map_err(err)?;
        let sealed = Keyring::sealed_active(store, &records).await.map_err(err)?;
        Keyring::from_records(stamp, records, sealed, custody)
    }

    /// Whether `custody` opens the active signing key the database keeps:
    /// `Ok(false)` when it keeps none yet (the first start makes one), why
    /// not when it does not open. Changes nothing.
    pub async fn opens(store: &dyn Store, custody: &Custody) -> Result<bool, String> {
        let records = store.signing_keys().await.map_err(err)?;
        if records.is_empty() {
            return Ok(false);
        }
        let stamp = store.key_stamp().await.map_err(err)?;
        let sealed = Keyring::sealed_active(store, &records).await.map_err(err)?;
        Keyring::from_records(stamp, records, sealed, custody).map(|_| true)
    }

    /// Loads the keys the database lists now. A database that fails is its
    /// own error (503...), not a 500.
    pub async fn load(store: &dyn Store, custody: &Custody) -> Result<Keyring, ApiError> {
        // The stamp is read before the keys: a change in between shows as a
        // stamp that no longer matches, so the next check reloads again.
        let stamp = store.key_stamp().await?;
        let records = store.signing_keys().await?;
        let sealed = Keyring::sealed_active(store, &records).await?;
        Keyring::from_records(stamp, records, sealed, custody).map_err(ApiError::internal)
    }

    /// The sealed private half of the active key among `records`, if the
    /// database holds one.
    async fn sealed_active(
        store: &dyn Store,
        records: &[KeyRecord],
    ) -> Result<Option<String>, ApiError> {
        match records.iter().find(|r| r.state == "active") {
            Some(active) => Ok(store.sealed_key(&active.key_id).await?),
            None => Ok(None),
        }
    }

    /// The keyring of `records` (read after `stamp`), whose active key's
    /// private half `custody` opens from what the database keeps (`sealed`).
    fn from_records(
        stamp: KeyStamp,
        records: Vec<KeyRecord>,
        sealed: Option<String>,
        custody: &Custody,
    ) -> Result<Keyring, String> {
        let active = records
            .iter()
            .find(|r| r.state == "active")
            .ok_or("the database names no active signing key")?;
        let sealed = sealed.ok_or_else(|| {
            format!(
                "the database holds no private half of the active signing key {}: \
                 put its file {}.pem in the data directory's keys/ and start once to seal it in",
                active.key_id, active.key_id
            )
        })?;
        let public = PublicKey::from_pem(&active.public_pem).map_err(|e| e.to_string())?;
        if public.key_id().to_string() != active.key_id {
            return Err(format!(
                "key {} is listed with another public key",
                active.key_id
            ));
        }
        let signer = custody.open(&public, &sealed)?;
        let mut verifier = Verifier::default();
        for r in &records {
            let public = PublicKey::from_pem(&r.public_pem).map_err(|e| e.to_string())?;
            verifier.trust(public, None, None);
        }
        Ok(Keyring {
            issuer: Issuer::with_signer(signer),
            verifier,
            records,
            stamp,
        })
    }

    /// Makes a new active key (sealed under the KEK, or in the token), the
    /// database switches to it, and a rollover statement signed by the old
    /// key endorses it. A concurrent rotation elsewhere makes this one a 409.
    pub async fn rotate(
        &self,
        store: &dyn Store,
        custody: &Custody,
        actor: &str,
    ) -> Result<Keyring, ApiError> {
        let (key, stored) = custody.new_key().map_err(ApiError::internal)?;
        let statement = self
            .issuer
            .rollover(key.public_key(), None, None, Timestamp::now())?
            .to_armor();
        let previous = self.issuer.public_key().key_id().to_string();
        store
            .rotate_key(
                record(key.public_key(), "active", Some(statement)),
                stored,
                &previous,
                actor,
            )
            .await?;
        Keyring::load(store, custody).await
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
