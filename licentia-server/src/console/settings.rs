//! A person's own settings — language, time zone, password, second factor
//! — and the pages reached from a mailed link or before signing in:
//! asking for a password reset, setting a password (reset or invitation).

use askama::Template;
use axum::extract::State;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;

use super::frame::{refusal, render_as, Frame, OrRefuse, PageResult, Viewer};
use super::problems::said;
use super::sign_in::{new_session, with_cookies};
use super::{Page, PageAccess};
use crate::error::ApiError;
use crate::service::accounts::{
    ask_reset, change_password, confirm_totp, redeem, stage_totp, Password,
};
use crate::service::people::set_profile;
use crate::staff::Caller;
use crate::store::Account;
use crate::AppState;

pub(super) fn pages() -> Vec<Page> {
    vec![
        Page::get("/settings", PageAccess::Signed, show),
        Page::post("/settings/profile", PageAccess::Signed, profile),
        Page::post("/settings/password", PageAccess::Signed, password),
        Page::post("/settings/totp", PageAccess::Signed, start_totp),
        Page::post("/settings/totp/confirm", PageAccess::Signed, finish_totp),
        Page::get("/password-reset", PageAccess::Public, reset_form),
        Page::post("/password-reset", PageAccess::Public, ask),
        Page::get("/set-password", PageAccess::Public, set_form),
        Page::post("/set-password", PageAccess::Public, set),
    ]
}

/// Time zones offered first (any IANA name may be typed).
const ZONES: [&str; 8] = [
    "UTC",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Zurich",
    "Europe/London",
    "America/New_York",
    "America/Montreal",
    "Asia/Singapore",
];

#[derive(Template)]
#[template(path = "console/settings.html")]
struct SettingsPage<'a> {
    f: Frame,
    account: &'a Account,
    languages: Vec<(String, String, bool)>,
    zones: &'static [&'static str],
    /// A TOTP secret being set up: (base32, otpauth URI).
    staged: Option<(String, String)>,
    refused: Option<String>,
    done: Option<String>,
}

/// The account of the person viewing (sessions are people's).
fn me(v: &Viewer) -> Result<&Account, Response> {
    match &v.staff.caller {
        Caller::Account(a) => Ok(a),
        Caller::Token(_) => Err(refusal(&v.frame, ApiError::invalid("sign in as a person"))),
    }
}

/// Draws the settings page with what just happened.
fn settings_page(
    v: &Viewer,
    account: &Account,
    staged: Option<(String, String)>,
    outcome: Result<Option<String>, ApiError>,
) -> Response {
    let f = v.frame.at("settings");
    let (done, refused, status) = match outcome {
        Ok(done) => (done, None, None),
        Err(e) if e.status.is_server_error() => return refusal(&f, e),
        Err(e) => (None, Some(said(&f.t, &e)), Some(e.status)),
    };
    let languages = ["en", "fr", "de"]
        .iter()
        .map(|l| {
            (
                (*l).to_owned(),
                f.t.t(&format!("language-{l}")),
                *l == account.locale,
            )
        })
        .collect();
    render_as(
        &SettingsPage {
            account,
            languages,
            zones: &ZONES,
            staged,
            refused,
            done,
            f,
        },
        status,
    )
}

/// `GET /settings`.
async fn show(v: Viewer) -> PageResult {
    let account = me(&v)?;
    Ok(settings_page(&v, account, None, Ok(None)))
}

/// The profile form.
#[derive(Deserialize)]
struct ProfileForm {
    #[serde(default)]
    locale: String,
    #[serde(default)]
    time_zone: String,
}

/// `POST /settings/profile`: the page comes back in the chosen language.
async fn profile(
    State(s): State<AppState>,
    v: Viewer,
    Form(form): Form<ProfileForm>,
) -> PageResult {
    let account = me(&v)?;
    match set_profile(&s, account, Some(&form.locale), Some(form.time_zone.trim())).await {
        Ok(_) => Ok(Redirect::to("/settings").into_response()),
        Err(e) => Ok(settings_page(&v, account, None, Err(e))),
    }
}

/// The password-change form.
#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    again: String,
}

/// `POST /settings/password`.
async fn password(
    State(s): State<AppState>,
    mut v: Viewer,
    Form(form): Form<PasswordForm>,
) -> PageResult {
    let account = me(&v)?.clone();
    let account = &account;
    if form.new != form.again {
        let refused = ApiError::invalid(v.frame.t.t("passwords-differ"));
        return Ok(settings_page(&v, account, None, Err(refused)));
    }
    let (current, new) = (Password::new(form.current), Password::new(form.new));
    if let Err(e) = change_password(&s, account, &current, &new).await {
        return Ok(settings_page(&v, account, None, Err(e)));
    }
    // Every session of the account ended with the old password; this
    // browser gets a new one, the others must sign in again.
    let (csrf, cookies) = new_session(&s, account).await.or_refuse(&v.frame)?;
    v.frame.csrf = csrf;
    let done = Some(v.frame.t.t("password-changed"));
    Ok(with_cookies(
        settings_page(&v, account, None, Ok(done)),
        cookies,
    ))
}

/// `POST /settings/totp`: a new secret, shown once, to confirm with a code.
async fn start_totp(State(s): State<AppState>, v: Viewer) -> PageResult {
    let account = me(&v)?;
    match stage_totp(&s, account).await {
        Ok(staged) => Ok(settings_page(&v, account, Some(staged), Ok(None))),
        Err(e) => Ok(settings_page(&v, account, None, Err(e))),
    }
}

/// The code that confirms a TOTP secret.
#[derive(Deserialize)]
struct CodeForm {
    #[serde(default)]
    code: String,
}

/// `POST /settings/totp/confirm`.
async fn finish_totp(
    State(s): State<AppState>,
    v: Viewer,
    Form(form): Form<CodeForm>,
) -> PageResult {
    let account = me(&v)?;
    let outcome = confirm_totp(&s, account, form.code.trim())
        .await
        .map(|()| Some(v.frame.t.t("totp-on")));
    let mut account = account.clone();
    account.totp |= outcome.is_ok();
    Ok(settings_page(&v, &account, None, outcome))
}

/// The public pages' form: an address, or a link's token and a password.
#[derive(Template)]
#[template(path = "console/password.html")]
struct PasswordPage {
    f: Frame,
    /// `reset` (ask for a link) or `set` (use one).
    step: &'static str,
    refused: Option<String>,
    done: Option<String>,
}

fn password_page(
    parts: &Parts,
    step: &'static str,
    outcome: Result<Option<String>, ApiError>,
) -> Response {
    let f = Frame::anonymous(parts);
    let (done, refused, status) = match outcome {
        Ok(done) => (done, None, None),
        Err(e) if e.status.is_server_error() => return refusal(&f, e),
        Err(e) => (None, Some(said(&f.t, &e)), Some(e.status)),
    };
    render_as(
        &PasswordPage {
            f,
            step,
            refused,
            done,
        },
        status,
    )
}

/// `GET /password-reset`.
async fn reset_form(parts: Parts) -> Response {
    password_page(&parts, "reset", Ok(None))
}

/// The reset form.
#[derive(Deserialize)]
struct ResetForm {
    #[serde(default)]
    email: String,
}

/// `POST /password-reset`: the same answer whether the address has an
/// account or not.
async fn ask(State(s): State<AppState>, parts: Parts, Form(form): Form<ResetForm>) -> Response {
    let t = Frame::anonymous(&parts).t;
    let outcome = ask_reset(&s, form.email.trim())
        .await
        .map(|()| Some(t.t("reset-mailed")));
    password_page(&parts, "reset", outcome)
}

/// `GET /set-password`: the token is in the link's fragment, which never
/// reaches the server; a small script copies it into the form, or the
/// person pastes it.
async fn set_form(parts: Parts) -> Response {
    password_page(&parts, "set", Ok(None))
}

/// The set-password form.
#[derive(Deserialize)]
struct SetForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    again: String,
}

/// `POST /set-password`.
async fn set(State(s): State<AppState>, parts: Parts, Form(form): Form<SetForm>) -> Response {
    let t = Frame::anonymous(&parts).t;
    let outcome = if form.password != form.again {
        Err(ApiError::invalid(t.t("passwords-differ")))
    } else {
        redeem(&s, form.token.trim(), &Password::new(form.password))
            .await
            .map(|_| Some(t.t("password-set")))
    };
    password_page(&parts, "set", outcome)
}
