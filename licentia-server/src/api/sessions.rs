//! Sessions: a person logs in with e-mail and password and gets a session
//! cookie (HttpOnly, SameSite=Strict, Secure when served over TLS; a fresh
//! id at every login) and the CSRF token its state-changing requests must
//! carry in `X-CSRF-Token`; logging out ends the session in the database.

use axum::extract::FromRequestParts;
use axum::extract::State;
use axum::http::header::{HeaderValue, SET_COOKIE};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::api::{Created, Items, Reply};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Body, Staff};
use crate::openapi::Operation;
use crate::routes::{Access, AnswerDoc, ArgDoc, Route};
use crate::secret::sha256_hex;
use crate::service::accounts::{confirm_totp, login, open_session, stage_totp, Password};
use crate::service::notices::checked_kinds;
use crate::service::people;
use crate::staff::{cookie, set_cookie, Caller, SESSION_COOKIE};
use crate::store::{Account, Grant, NoticeSubscription, TokenRecord};
use crate::AppState;

/// The routes of this part of the API.
pub(crate) fn routes() -> Vec<Route> {
    vec![
        Route::post("/v1/session", Access::Public, "Log in: a session cookie and its CSRF token (429/423 account_locked after repeated failures)", log_in),
        Route::get("/v1/session", Access::Token, "Who is calling, and the grants it holds", who),
        Route::delete("/v1/session", Access::Token, "Log out: the session ends on the server (X-CSRF-Token)", log_out),
        Route::post("/v1/session/totp", Access::Token, "Set up a TOTP second factor: a new secret, shown once, to confirm with a code (accounts only)", start_totp),
        Route::put("/v1/session/totp", Access::Token, "Confirm the TOTP secret being set up with a current code: logins then need a code", confirm),
        Route::put("/v1/session/profile", Access::Token, "Set the calling person's language (en, fr, de) and time zone (IANA name), as the console shows them", set_profile),
        Route::get("/v1/session/notice-preferences", Access::Token, "The notices the calling person is mailed, each with its lead time in months", preferences),
        Route::put("/v1/session/notice-preferences", Access::Token, "Replace the notices the calling person is mailed (kinds, lead time in months; within its grants)", set_preferences),
    ]
}

/// `POST /v1/session` body.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Login {
    /// The account's e-mail address.
    email: String,
    /// Its password.
    password: Password,
    /// The current code of its second factor, when it has one (TOTP).
    #[serde(default)]
    totp: Option<String>,
}

/// A session opened: the account, the CSRF token (send it as
/// `X-CSRF-Token` with every request that changes anything) and the end.
#[derive(Serialize, JsonSchema)]
pub(crate) struct SessionOpened {
    /// Who logged in.
    account: Account,
    /// The session's CSRF token, shown only here.
    csrf_token: String,
    /// When the session ends however busy (Unix seconds).
    expires_at: i64,
}

/// A JSON answer that also sets (or clears) the session cookie.
pub(crate) struct WithCookie<R>(Reply<R>, HeaderValue);

impl<R: Serialize> IntoResponse for WithCookie<R> {
    fn into_response(self) -> Response {
        let mut response = self.0.into_response();
        response.headers_mut().insert(SET_COOKIE, self.1);
        response
    }
}

impl<R: JsonSchema> AnswerDoc for WithCookie<R> {
    fn document(op: &mut Operation) {
        <Reply<R> as AnswerDoc>::document(op);
    }
}

/// The session cookie a request carries, if any.
pub(crate) struct SessionCookie(Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for SessionCookie {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        Ok(SessionCookie(
            cookie(parts, SESSION_COOKIE).map(str::to_owned),
        ))
    }
}

impl ArgDoc for SessionCookie {}

/// `POST /v1/session`: a new session (any session the request carried
/// ends: the id changes at every login).
pub(crate) async fn log_in(
    State(s): State<AppState>,
    old: SessionCookie,
    body: Body<Login>,
) -> ApiResult<WithCookie<SessionOpened>> {
    let req = &body.value;
    let account = login(&s, &req.email, &req.password, req.totp.as_deref()).await?;
    if let Some(old) = old.0 {
        s.store.end_session(&sha256_hex(old.as_bytes())).await?;
    }
    let session = open_session(&s, &account).await?;
    let max_age = session.expires_at - crate::service::now().0;
    let cookie = set_cookie(&s, SESSION_COOKIE, &session.id, max_age)?;
    tracing::info!(account = %account.id, "logged in");
    Ok(WithCookie(
        Reply::Fresh(SessionOpened {
            account,
            csrf_token: session.csrf,
            expires_at: session.expires_at,
        }),
        cookie,
    ))
}

/// Who is calling.
#[derive(Serialize, JsonSchema)]
pub(crate) struct Whoami {
    /// The account, when a person calls.
    account: Option<Account>,
    /// The token, when a machine calls.
    token: Option<TokenRecord>,
    /// The grants it holds.
    grants: Vec<Grant>,
}

/// `GET /v1/session`.
pub(crate) async fn who(staff: Staff) -> ApiResult<Reply<Whoami>> {
    let (account, token) = match staff.caller {
        Caller::Account(a) => (Some(a), None),
        Caller::Token(t) => (None, Some(t)),
    };
    Ok(Reply::Fresh(Whoami {
        account,
        token,
        grants: staff.grants,
    }))
}

/// `PUT /v1/session/profile` body: what to change.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Profile {
    /// `en`, `fr` or `de`.
    #[serde(default)]
    locale: Option<String>,
    /// An IANA time zone name (`Europe/Paris`, `UTC`).
    #[serde(default)]
    time_zone: Option<String>,
}

/// `PUT /v1/session/profile`: the person's language and time zone.
pub(crate) async fn set_profile(
    State(s): State<AppState>,
    staff: Staff,
    body: Body<Profile>,
) -> ApiResult<Reply<Account>> {
    let p = &body.value;
    let account = person(&staff)?;
    Ok(Reply::Fresh(
        people::set_profile(&s, account, p.locale.as_deref(), p.time_zone.as_deref()).await?,
    ))
}

/// A TOTP secret being set up, shown once.
#[derive(Serialize, JsonSchema)]
pub(crate) struct TotpSecret {
    /// The secret, base32 (type it into an authenticator app).
    secret: String,
    /// The same as an `otpauth://` URI (show it as a QR code).
    otpauth_uri: String,
}

/// The account calling; 422 for a token (machines have no second factor).
fn person(staff: &Staff) -> ApiResult<&Account> {
    match &staff.caller {
        Caller::Account(a) => Ok(a),
        Caller::Token(_) => Err(ApiError::invalid(
            "an API token has no second factor nor profile: log in as a person",
        )),
    }
}

/// `POST /v1/session/totp`: a new secret, staged until confirmed.
pub(crate) async fn start_totp(
    State(s): State<AppState>,
    staff: Staff,
) -> ApiResult<Created<TotpSecret>> {
    let (secret, otpauth_uri) = stage_totp(&s, person(&staff)?).await?;
    Ok(Created::Fresh(TotpSecret {
        secret,
        otpauth_uri,
    }))
}

/// `PUT /v1/session/totp` body.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct TotpCode {
    /// A current six-digit code from the secret being set up.
    code: String,
}

/// Whether logins need a code.
#[derive(Serialize, JsonSchema)]
pub(crate) struct TotpOn {
    /// Always true.
    totp: bool,
}

/// `PUT /v1/session/totp`: the staged secret, confirmed, is the account's.
pub(crate) async fn confirm(
    State(s): State<AppState>,
    staff: Staff,
    body: Body<TotpCode>,
) -> ApiResult<Reply<TotpOn>> {
    confirm_totp(&s, person(&staff)?, &body.value.code).await?;
    Ok(Reply::Fresh(TotpOn { totp: true }))
}

/// One notice preference.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Preference {
    /// A notice kind, e.g. `license.expiring`.
    kind: String,
    /// Months before the date the notice announces (1 to 120).
    lead_months: u32,
}

/// `PUT /v1/session/notice-preferences` body.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Preferences {
    /// Every notice wanted (none: no notices).
    items: Vec<Preference>,
}

/// `GET /v1/session/notice-preferences`.
pub(crate) async fn preferences(
    State(s): State<AppState>,
    staff: Staff,
) -> ApiResult<Reply<Items<NoticeSubscription>>> {
    let account = person(&staff)?;
    Ok(Reply::Fresh(Items {
        items: s.store.notice_preferences(&account.id).await?,
    }))
}

/// `PUT /v1/session/notice-preferences`: mailed to the person's address,
/// about what lies within its grants (from its grant nearest the root).
pub(crate) async fn set_preferences(
    State(s): State<AppState>,
    staff: Staff,
    body: Body<Preferences>,
) -> ApiResult<Reply<Items<NoticeSubscription>>> {
    let account = person(&staff)?;
    if s.config.smtp_host.is_none() && !body.value.items.is_empty() {
        return Err(ApiError::invalid(
            "notices are mailed: set smtp_host and smtp_from in the configuration",
        ));
    }
    let mut wanted = Vec::new();
    for p in &body.value.items {
        checked_kinds(std::slice::from_ref(&p.kind))?;
        if !(1..=120).contains(&p.lead_months) {
            return Err(ApiError::invalid("lead_months is 1 to 120"));
        }
        let item = (p.kind.clone(), i64::from(p.lead_months));
        if wanted.contains(&item) {
            return Err(ApiError::invalid(format!(
                "{} at {} months is given twice",
                p.kind, p.lead_months
            )));
        }
        wanted.push(item);
    }
    let node = staff
        .grants
        .iter()
        .min_by_key(|g| g.customer_id.is_some())
        .and_then(|g| g.customer_id.clone());
    Ok(Reply::Fresh(Items {
        items: s
            .store
            .set_notice_preferences(account, node, wanted)
            .await?,
    }))
}

/// A session ended.
#[derive(Serialize, JsonSchema)]
pub(crate) struct LoggedOut {
    /// Always true.
    ended: bool,
}

/// `DELETE /v1/session`: ends the caller's session (a token has none: 422).
pub(crate) async fn log_out(
    State(s): State<AppState>,
    staff: Staff,
    session: SessionCookie,
) -> ApiResult<WithCookie<LoggedOut>> {
    let (Caller::Account(_), Some(id)) = (&staff.caller, session.0) else {
        return Err(ApiError::invalid(
            "an API token has no session to end: revoke it instead",
        ));
    };
    s.store.end_session(&sha256_hex(id.as_bytes())).await?;
    Ok(WithCookie(
        Reply::Fresh(LoggedOut { ended: true }),
        set_cookie(&s, SESSION_COOKIE, "", 0)?,
    ))
}
