//! What every handler, job and command shares: the store, the signing keys
//! (reloaded when another instance or the command line changes them), the
//! policies read so far, and the configuration.

use std::sync::Arc;

use axum::http::StatusCode;
use tokio::sync::RwLock;

use crate::api::revocation::RevocationCache;
use crate::config::Config;
use crate::custody::Custody;
use crate::error::{ApiError, ApiResult};
use crate::keyring::Keyring;
use crate::observe::metrics::Metrics;
use crate::ratelimit::Limits;
use crate::serve::open_store;
use crate::store::{self, Store};

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) keys: Arc<RwLock<Arc<Keyring>>>,
    /// The key-encryption key (opens the signing keys, seals stored
    /// answers) and the PKCS#11 token, if keys live in one.
    pub(crate) custody: Arc<Custody>,
    /// Policies read so far (they never change once made).
    pub(crate) policies: Arc<std::sync::RwLock<std::collections::HashMap<String, store::Policy>>>,
    /// The configuration it started with (the jobs and notices read it).
    pub(crate) config: Arc<Config>,
    /// Requests per client address and per license key.
    pub(crate) limits: Arc<Limits>,
    /// Signed revocation lists, until they change.
    pub(crate) revocation_lists: Arc<RevocationCache>,
    /// The webhook client and the SMTP relay notices go out through.
    pub(crate) outbound: crate::delivery::Outbound,
    /// This server's metrics (`GET /metrics`).
    pub(crate) metrics: Arc<Metrics>,
}

impl AppState {
    /// Opens the store and loads (or makes) the signing keys: what the
    /// server runs on, and what `licentia jobs run` runs the jobs on.
    pub async fn open(config: &Config) -> Result<AppState, String> {
        let store = open_store(config).await?;
        let custody = Custody::from_config(config)?;
        let keyring = Keyring::open(store.as_ref(), &custody, &config.key_dir()).await?;
        Ok(AppState {
            store,
            keys: Arc::new(RwLock::new(Arc::new(keyring))),
            custody: Arc::new(custody),
            policies: Arc::default(),
            config: Arc::new(config.clone()),
            limits: Arc::new(Limits::new(config)),
            revocation_lists: Arc::default(),
            outbound: crate::delivery::Outbound::from_config(config)?,
            metrics: Arc::new(Metrics::new()),
        })
    }

    /// Signs with the store's active key: `sign` runs on this instance's
    /// keyring, then the store's [`KeyStamp`](store::KeyStamp) is read; when
    /// another instance (or `licentia key rotate`/`retire`) changed the keys,
    /// the keyring is reloaded and `sign` runs again. So a rotation anywhere
    /// takes effect here at the next signature, and no document is handed
    /// out signed by a key that was retired when it was signed.
    pub(crate) async fn sign<T>(&self, sign: impl Fn(&Keyring) -> ApiResult<T>) -> ApiResult<T> {
        let mut keys = self.keys.read().await.clone();
        // Keys change by hand and rarely: a third change during one request
        // is answered with "try again" rather than a loop.
        for _ in 0..3 {
            let signed = sign(&keys)?;
            let stamp = self.store.key_stamp().await?;
            if keys.is_current(&stamp) {
                return Ok(signed);
            }
            keys = self.reload(&stamp).await?;
        }
        Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "keys_changing",
            "the signing keys changed during the request; try again",
        ))
    }

    /// The keyring as the store has it now (reloaded if it changed).
    pub(crate) async fn keyring(&self) -> ApiResult<Arc<Keyring>> {
        let stamp = self.store.key_stamp().await?;
        let keys = self.keys.read().await.clone();
        if keys.is_current(&stamp) {
            return Ok(keys);
        }
        self.reload(&stamp).await
    }

    /// Reloads the keyring unless another request already did (for `stamp`).
    async fn reload(&self, stamp: &store::KeyStamp) -> ApiResult<Arc<Keyring>> {
        let mut held = self.keys.write().await;
        if !held.is_current(stamp) {
            let fresh = Keyring::load(self.store.as_ref(), &self.custody).await?;
            tracing::info!(active = %fresh.issuer().public_key().key_id(), "signing keys reloaded");
            *held = Arc::new(fresh);
        }
        Ok(held.clone())
    }
}
