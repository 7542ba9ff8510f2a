//! Accounts: password hashing (argon2id, costs from the configuration),
//! login with lockout, sessions. A login does the same argon2 work whether
//! the account exists or not, so its timing tells nothing.

use std::sync::OnceLock;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use axum::http::StatusCode;
use base64::Engine;
use serde_json::json;

use crate::config::Config;
use crate::error::{ApiError, ApiResult};
use crate::secret::sha256_hex;
use crate::service::now;
use crate::service::totp::{base32, matching_step, otpauth_uri, SECRET_LEN};
use crate::store::{Account, AccountLink, LinkPurpose, Session};
use crate::AppState;

/// Shortest password accepted, in characters.
pub(crate) const MIN_PASSWORD: usize = 12;
/// Longest password accepted, in bytes (bounds the hashing work).
pub(crate) const MAX_PASSWORD: usize = 1024;

/// The problem code of a login refused while the account is locked.
pub const ACCOUNT_LOCKED: &str = "account_locked";
/// The problem code of a wrong e-mail address or password.
pub const LOGIN_FAILED: &str = "login_failed";

/// The argon2id hasher the configuration's costs make.
pub(crate) fn hasher(config: &Config) -> Result<Argon2<'static>, String> {
    let params = Params::new(
        config.argon2_memory_kib,
        config.argon2_iterations,
        config.argon2_parallelism,
        None,
    )
    .map_err(|e| format!("argon2_memory_kib, argon2_iterations, argon2_parallelism: {e}"))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// A password, checked for length; never shown by `Debug`.
#[derive(Clone, serde::Deserialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct Password(String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

impl Password {
    /// A password from text (the command line reads it from stdin).
    pub fn new(text: String) -> Password {
        Password(text)
    }

    /// Refuses a password too short or too long to be set.
    pub(crate) fn check(&self) -> ApiResult<&str> {
        let n = self.0.chars().count();
        if n < MIN_PASSWORD || self.0.len() > MAX_PASSWORD {
            return Err(ApiError::invalid(format!(
                "a password is {MIN_PASSWORD} characters at least and {MAX_PASSWORD} bytes at most"
            )));
        }
        Ok(&self.0)
    }
}

/// The argon2id PHC string of `password`, with a fresh salt (on a blocking
/// thread: hashing is meant to be slow).
pub(crate) async fn hash_password(config: &Config, password: &Password) -> ApiResult<String> {
    let password = password.check()?.to_owned();
    let hasher = hasher(config).map_err(ApiError::internal)?;
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        hasher
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(ApiError::internal)
    })
    .await
    .map_err(ApiError::internal)?
}

/// A hash no password matches, made once with the configured costs: what
/// a login for an unknown address is verified against.
fn dummy_hash(config: &Config) -> ApiResult<&'static str> {
    static DUMMY: OnceLock<String> = OnceLock::new();
    if let Some(h) = DUMMY.get() {
        return Ok(h);
    }
    let salt = SaltString::generate(&mut OsRng);
    let random: [u8; 32] = rand::random();
    let made = hasher(config)
        .map_err(ApiError::internal)?
        .hash_password(&random, &salt)
        .map_err(ApiError::internal)?
        .to_string();
    Ok(DUMMY.get_or_init(|| made))
}

/// Whether `password` matches `hash` (constant-time inside argon2).
async fn verify(config: &Config, password: &str, hash: &str) -> ApiResult<bool> {
    let (password, hash) = (password.to_owned(), hash.to_owned());
    let hasher = hasher(config).map_err(ApiError::internal)?;
    tokio::task::spawn_blocking(move || {
        let parsed = PasswordHash::new(&hash).map_err(ApiError::internal)?;
        Ok(hasher.verify_password(password.as_bytes(), &parsed).is_ok())
    })
    .await
    .map_err(ApiError::internal)?
}

/// The problem code of a login whose account needs a TOTP code and sent none.
pub const TOTP_REQUIRED: &str = "totp_required";

/// The account `email` and `password` open (and `totp`, the code of its
/// second factor when it has one): 401 [`LOGIN_FAILED`] when either is
/// wrong (the same argon2 work either way) or the code is wrong or used
/// already, 401 [`TOTP_REQUIRED`] when the code is missing, 423
/// [`ACCOUNT_LOCKED`] with `locked_until` while locked after
/// `login_max_failures` failures in a row.
pub(crate) async fn login(
    s: &AppState,
    email: &str,
    password: &Password,
    totp: Option<&str>,
) -> ApiResult<Account> {
    let config = &s.config;
    let password = password.0.as_str();
    let found = s.store.credentials(email).await?;
    let stored = found.as_ref().and_then(|c| c.password_hash.clone());
    let hash = match &stored {
        Some(h) => h.as_str(),
        None => dummy_hash(config)?,
    };
    let matches = password.len() <= MAX_PASSWORD && verify(config, password, hash).await?;
    let failed = || {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            LOGIN_FAILED,
            "wrong e-mail address or password",
        )
    };
    let Some(found) = found else {
        return Err(failed());
    };
    let account = found.account;
    let at = now().0;
    if let Some(until) = account.locked_until.filter(|&u| u > at) {
        return Err(locked(until));
    }
    let second = match (&found.totp_secret, totp) {
        (None, _) => true,
        (Some(_), None) if matches => {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                TOTP_REQUIRED,
                "this account has a second factor: send its current code as \"totp\"",
            ))
        }
        // The code is looked at only with the right password: a wrong
        // one burns no time step.
        (Some(sealed), Some(code)) if matches => {
            let secret = totp_secret(s, &account.id, sealed)?;
            match matching_step(&secret, code, at) {
                Some(step) => s.store.use_totp_step(&account.id, step).await?,
                None => false,
            }
        }
        (Some(_), _) => false,
    };
    if account.disabled_at.is_some() || stored.is_none() || !matches || !second {
        let lock_until = at + i64::try_from(config.login_lock_secs).unwrap_or(i64::MAX / 2);
        let max = i64::from(config.login_max_failures);
        if let Some(until) = s.store.login_failed(&account.id, max, lock_until).await? {
            return Err(locked(until));
        }
        return Err(failed());
    }
    s.store.login_succeeded(&account.id).await?;
    Ok(account)
}

/// Opens an account's sealed TOTP secret (the account id as associated data).
fn totp_secret(s: &AppState, id: &str, sealed: &str) -> ApiResult<zeroize::Zeroizing<Vec<u8>>> {
    s.custody
        .kek()
        .accounts()
        .open(id.as_bytes(), sealed)
        .ok_or_else(|| ApiError::internal("a TOTP secret does not open under this KEK"))
}

/// A new TOTP secret for `account`, sealed and staged until a code from it
/// is confirmed ([`confirm_totp`]): its base32 text and `otpauth://` URI,
/// shown once.
pub(crate) async fn stage_totp(s: &AppState, account: &Account) -> ApiResult<(String, String)> {
    let secret = zeroize::Zeroizing::new(rand::random::<[u8; SECRET_LEN]>());
    let sealed = s
        .custody
        .kek()
        .accounts()
        .seal(account.id.as_bytes(), secret.as_ref());
    s.store.stage_totp(&account.id, &sealed).await?;
    Ok((
        base32(secret.as_ref()),
        otpauth_uri(&account.email, secret.as_ref()),
    ))
}

/// Turns the staged TOTP secret on, given a current code from it: 422
/// `totp_invalid` for a wrong code or none staged.
pub(crate) async fn confirm_totp(s: &AppState, account: &Account, code: &str) -> ApiResult<()> {
    let invalid = || {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "totp_invalid",
            "this code does not match the secret being set up: start again with POST /v1/session/totp",
        )
    };
    let found = s.store.credentials(&account.email).await?;
    let Some(sealed) = found.and_then(|c| c.totp_pending) else {
        return Err(invalid());
    };
    let secret = totp_secret(s, &account.id, &sealed)?;
    let step = matching_step(&secret, code, now().0).ok_or_else(invalid)?;
    if !s.store.confirm_totp(&account.id, step).await? {
        return Err(invalid());
    }
    Ok(())
}

/// 423 [`ACCOUNT_LOCKED`] until `until`.
fn locked(until: i64) -> ApiError {
    ApiError::new(
        StatusCode::LOCKED,
        ACCOUNT_LOCKED,
        format!("too many failed logins: this account is locked until {until} (Unix seconds)"),
    )
    .with(json!({ "locked_until": until }))
}

/// A new session's secrets: its id (the cookie) and its CSRF token, each
/// 256 random bits, given to the client once and stored as hashes.
pub(crate) struct NewSession {
    /// The cookie's value.
    pub id: String,
    /// The `X-CSRF-Token` value.
    pub csrf: String,
    /// When it ends however busy (Unix seconds).
    pub expires_at: i64,
}

/// Opens a session for `account` (a fresh id at every login).
pub(crate) async fn open_session(s: &AppState, account: &Account) -> ApiResult<NewSession> {
    let random =
        || base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>());
    let (id, csrf) = (random(), random());
    let at = now().0;
    let expires_at = at + i64::try_from(s.config.session_absolute_secs).unwrap_or(i64::MAX / 2);
    s.store
        .create_session(Session {
            id_hash: sha256_hex(id.as_bytes()),
            account_id: account.id.clone(),
            csrf_hash: sha256_hex(csrf.as_bytes()),
            created_at: at,
            last_seen_at: at,
            expires_at,
        })
        .await?;
    Ok(NewSession {
        id,
        csrf,
        expires_at,
    })
}

/// A link's token: 256 random bits, base64url.
fn link_token() -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
}

/// Mails `account` a single-use link for `purpose` (an invitation to set a
/// first password, or a reset), through the notices' SMTP relay; only the
/// token's hash is stored. Answers when the link stops being good. 422 when
/// no relay is configured; 502 `mail_failed` when the relay refuses.
pub(crate) async fn mail_link(
    s: &AppState,
    account: &Account,
    purpose: LinkPurpose,
) -> ApiResult<i64> {
    let Some(mailer) = &s.outbound.mail else {
        return Err(ApiError::invalid(
            "links are mailed: set smtp_host and smtp_from in the configuration",
        ));
    };
    let token = link_token();
    let at = now();
    let (life, subject, what) = match purpose {
        LinkPurpose::Invitation => (
            i64::from(s.config.invitation_days) * 86_400,
            "[licentia] You are invited: set your password",
            "You are invited to the licentia back office.",
        ),
        LinkPurpose::Reset => (
            i64::from(s.config.reset_minutes) * 60,
            "[licentia] Reset your password",
            "A new password was asked for your licentia account.",
        ),
    };
    let expires_at = at.0 + life;
    s.store
        .create_link(AccountLink {
            token_hash: sha256_hex(token.as_bytes()),
            account_id: account.id.clone(),
            purpose,
            created_at: at.0,
            expires_at,
        })
        .await?;
    let base = s.config.public_url.trim_end_matches('/');
    let body = format!(
        "{what}\n\nSet your password within {hours} hour(s), once:\n\n\
         {base}/set-password#token={token}\n\n\
         (or POST {base}/v1/password with this token and the new password)\n\n\
         If you did not expect this, ignore it: nothing changes.\n",
        hours = life / 3600,
    );
    let id = crate::secret::new_id("lnk");
    mailer
        .send_text(&account.email, subject, body, &id, at)
        .await
        .map_err(|f| {
            tracing::warn!(account = %account.id, detail = %f.detail(), "link mail failed");
            ApiError::new(
                StatusCode::BAD_GATEWAY,
                "mail_failed",
                "the SMTP relay did not take the message: try again later",
            )
        })?;
    Ok(expires_at)
}

/// Mails a reset link to `email` if it is a live account's; says nothing
/// either way (a refused relay is logged only), so the answer tells no one
/// which addresses have accounts.
pub(crate) async fn ask_reset(s: &AppState, email: &str) -> ApiResult<()> {
    if let Some(found) = s.store.credentials(email).await? {
        if found.account.disabled_at.is_none() {
            if let Err(e) = mail_link(s, &found.account, LinkPurpose::Reset).await {
                tracing::warn!(detail = %e.detail, "password reset link not mailed");
            }
        }
    }
    Ok(())
}

/// Changes a signed-in person's own password: the current one is checked
/// as a login is (a wrong one counts towards the lockout).
pub(crate) async fn change_password(
    s: &AppState,
    account: &Account,
    current: &Password,
    new: &Password,
) -> ApiResult<()> {
    new.check()?;
    verify_password_only(s, &account.email, current)
        .await
        .map_err(|e| {
            if e.kind == LOGIN_FAILED {
                ApiError::new(
                    StatusCode::FORBIDDEN,
                    "current_password_wrong",
                    "the current password is not this one",
                )
            } else {
                e
            }
        })?;
    let hash = hash_password(&s.config, new).await?;
    s.store
        .set_password(&account.id, &hash, &format!("account:{}", account.id))
        .await?;
    Ok(())
}

/// Checks an account's password as a login does (a wrong one counts as a
/// failed login); the second factor, proven at sign-in, is not asked again.
async fn verify_password_only(s: &AppState, email: &str, password: &Password) -> ApiResult<()> {
    match login(s, email, password, None).await {
        Err(e) if e.kind == TOTP_REQUIRED => Ok(()),
        Err(e) => Err(e),
        Ok(_) => Ok(()),
    }
}

/// Sets the password a mailed link allows: 400 `link_invalid` (the same
/// answer for an unknown, used or expired link) or the account.
pub(crate) async fn redeem(s: &AppState, token: &str, password: &Password) -> ApiResult<Account> {
    let hash = hash_password(&s.config, password).await?;
    s.store
        .redeem_link(&sha256_hex(token.as_bytes()), now().0, &hash)
        .await?
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "link_invalid",
                "this link is unknown, used or expired: ask for a new one",
            )
        })
}
