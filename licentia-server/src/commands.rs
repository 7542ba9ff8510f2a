//! What the command line does on a back office's database without a
//! running server: make an account or a token, check the history chain,
//! rotate or retire a signing key.

use crate::config::Config;
use crate::custody::Custody;
use crate::keyring::Keyring;
use crate::serve::open_store;
use crate::service::tokens::{mint_token, token_days};
use crate::sql::SqlStore;
use crate::store::{self, Role};
use crate::{extract, history};

/// `licentia token create`: a new API token, made directly in the database.
pub async fn create_token(
    config: &Config,
    role: &str,
    name: &str,
    expires_in_days: Option<u32>,
) -> Result<String, String> {
    let role =
        Role::parse(role).ok_or("the role is admin, issuer, finance, auditor or member-manager")?;
    let days = token_days(expires_in_days).map_err(|e| e.to_string())?;
    let store = open_store(config).await?;
    let (record, token) = mint_token(name, role, "cli", days);
    store
        .create_token(record, token.hash(), store::Rights::default())
        .await
        .map_err(|e| e.to_string())?;
    Ok(token.reveal().to_owned())
}

/// `licentia account create`: a person's account holding `role` at the
/// vendor root (the first admin), made directly in the database; its
/// password (which the command line reads from standard input) is hashed
/// with the configured argon2id costs. Answers the account's id.
pub async fn create_account(
    config: &Config,
    email: &str,
    name: &str,
    role: &str,
    password: String,
) -> Result<String, String> {
    use crate::service::accounts::{hash_password, Password};
    let role =
        Role::parse(role).ok_or("the role is admin, issuer, finance, auditor or member-manager")?;
    let email = crate::service::email_field(email).map_err(|e| e.to_string())?;
    let name = crate::service::text_field("name", name, 256).map_err(|e| e.to_string())?;
    let hash = hash_password(config, &Password::new(password))
        .await
        .map_err(|e| e.to_string())?;
    let store = open_store(config).await?;
    let at = crate::service::now().0;
    let id = crate::secret::new_id("acc");
    let account = store::Account {
        id: id.clone(),
        name: name.to_owned(),
        email,
        locale: "en".into(),
        time_zone: "UTC".into(),
        totp: false,
        locked_until: None,
        created_at: at,
        created_by: "cli".into(),
        disabled_at: None,
    };
    let grant = store::Grant {
        id: crate::secret::new_id("grt"),
        account_id: Some(id.clone()),
        token_id: None,
        customer_id: None,
        node_kind: None,
        role,
        rights: store::Rights::default(),
        created_at: at,
        created_by: "cli".into(),
    };
    store
        .create_account(account, Some(hash), vec![grant], "cli")
        .await
        .map_err(|e| e.to_string())?;
    Ok(id)
}

/// `licentia scale-data`: fills the database of `config` with the scale
/// data set at `scale` (1.0 = ten million licences; see
/// [`SqlStore::fill_scale`]); says what was made, table by table.
pub async fn fill_scale(config: &Config, scale: f64) -> Result<String, String> {
    let store = SqlStore::connect(config).await?;
    Ok(store.fill_scale(scale).await?.to_string())
}

/// `licentia audit verify`: checks the whole history chain; the number of
/// entries when whole, else which entry is broken.
pub async fn verify_history(config: &Config) -> Result<i64, String> {
    check_history(open_store(config).await?.as_ref()).await
}

/// The whole history chain of `store` checked: its number of entries, or
/// which entry is broken.
pub(crate) async fn check_history(store: &dyn store::Store) -> Result<i64, String> {
    let mut check = history::ChainCheck::new();
    loop {
        let page = store
            .history(
                &store::Scope::All,
                &store::HistoryFilter {
                    after_seq: Some(check.count()),
                    ..Default::default()
                },
                store::Page::first(extract::MAX_LIMIT),
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
