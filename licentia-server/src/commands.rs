//! What the command line does on a back office's database without a
//! running server: make a token, check the history chain, rotate or retire
//! a signing key.

use crate::config::Config;
use crate::custody::Custody;
use crate::keyring::Keyring;
use crate::serve::open_store;
use crate::service::tokens::{mint_token, token_days};
use crate::store::{self, Role};
use crate::{extract, history};

/// `licentia token create`: a new API token, made directly in the database.
pub async fn create_token(
    config: &Config,
    role: &str,
    name: &str,
    expires_in_days: Option<u32>,
) -> Result<String, String> {
    let role = Role::parse(role).ok_or("the role is admin, issuer, finance or auditor")?;
    let days = token_days(expires_in_days).map_err(|e| e.to_string())?;
    let store = open_store(config).await?;
    let (record, token) = mint_token(name, role, "cli", days);
    store
        .create_token(record, token.hash())
        .await
        .map_err(|e| e.to_string())?;
    Ok(token.reveal().to_owned())
}

/// `licentia audit verify`: checks the whole history chain; the number of
/// entries when whole, else which entry is broken.
pub async fn verify_history(config: &Config) -> Result<i64, String> {
    let store = open_store(config).await?;
    let mut check = history::ChainCheck::new();
    loop {
        let page = store
            .history(
                &store::HistoryFilter {
                    after_seq: Some(check.count()),
                    ..Default::default()
                },
                store::Page {
                    limit: extract::MAX_LIMIT,
                    offset: 0,
                },
            )
            .await
            .map_err(|e| e.to_string())?;
        if page.is_empty() {
            break;
        }
        for entry in &page {
            check.next(entry)?;
        }
    }
    let (seq, hash) = store.history_tip().await.map_err(|e| e.to_string())?;
    if seq != check.count() || hash != check.tip() {
        return Err(format!(
            "the chain ends at entry {} but its head says {seq}: entries were removed from the end",
            check.count()
        ));
    }
    Ok(check.count())
}

/// `licentia key rotate`: a new active signing key; returns its id. Running
/// servers sign with it from their next signature on (they check the
/// store's keys after each one).
pub async fn rotate_key(config: &Config) -> Result<String, String> {
    let store = open_store(config).await?;
    let custody = Custody::from_config(config)?;
    let keyring = Keyring::open(store.as_ref(), &custody, &config.key_dir()).await?;
    let rotated = keyring
        .rotate(store.as_ref(), &custody, "cli")
        .await
        .map_err(|e| e.to_string())?;
    Ok(rotated.issuer().public_key().key_id().to_string())
}

/// `licentia key retire KEYID`: retires a trusted (not the active) key;
/// running servers stop trusting it at their next signature, and every
/// product's revocation list names it.
pub async fn retire_key(config: &Config, key_id: &str) -> Result<(), String> {
    let store = open_store(config).await?;
    store
        .retire_key(key_id, "cli")
        .await
        .map_err(|e| e.to_string())
}
