//! Signing in and out: the same login as `POST /v1/session` (argon2id,
//! lockout, the second factor), a fresh session whose cookie and CSRF
//! token the browser keeps, and the way back to the page that asked.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::header::{HeaderValue, SET_COOKIE};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use subtle::ConstantTimeEq;

use super::csrf::{CSRF_COOKIE, SIGN_IN_COOKIE};
use super::frame::{refusal, render, Frame, Viewer};
use super::problems;
use super::{Page, PageAccess};
use crate::error::ApiResult;
use crate::secret::sha256_hex;
use crate::service::accounts::{login, open_session, Password, TOTP_REQUIRED};
use crate::staff::{cookie, set_cookie, SESSION_COOKIE};
use crate::store::Account;
use crate::AppState;

pub(super) fn pages() -> Vec<Page> {
    vec![
        Page::get("/sign-in", PageAccess::Public, form),
        Page::post("/sign-in", PageAccess::Public, sign_in),
        Page::post("/sign-out", PageAccess::Signed, sign_out),
    ]
}

/// Where to go after signing in.
#[derive(Deserialize, Default)]
struct Next {
    #[serde(default)]
    next: String,
}

/// The sign-in form.
#[derive(Template)]
#[template(path = "console/sign_in.html")]
struct SignInPage<'a> {
    f: Frame,
    email: &'a str,
    next: &'a str,
    /// Ask for the second factor's code.
    totp: bool,
    /// Why the last try was refused.
    refused: Option<String>,
}

/// `next` if it is a path of this site (never another site's address).
fn local(next: &str) -> &str {
    let safe = next.starts_with('/') && !next.starts_with("//") && !next.contains('\\');
    if safe {
        next
    } else {
        "/"
    }
}

/// The sign-in form's own token: random, in a short-lived cookie.
fn sign_in_token(s: &AppState) -> ApiResult<(String, HeaderValue)> {
    let token = crate::secret::new_id("si");
    let cookie = set_cookie(s, SIGN_IN_COOKIE, &token, 3600)?;
    Ok((token, cookie))
}

/// Draws the form with a fresh sign-in token.
fn draw(s: &AppState, mut page: SignInPage<'_>, status: u16) -> Response {
    let (token, set) = match sign_in_token(s) {
        Ok(made) => made,
        Err(e) => return refusal(&page.f, e),
    };
    page.f.csrf = token;
    let mut response = render(&page);
    *response.status_mut() =
        axum::http::StatusCode::from_u16(status).unwrap_or(axum::http::StatusCode::OK);
    response.headers_mut().append(SET_COOKIE, set);
    response
}

/// `GET /sign-in`.
async fn form(State(s): State<AppState>, parts: Parts, Query(q): Query<Next>) -> Response {
    let page = SignInPage {
        f: Frame::anonymous(&parts),
        email: "",
        next: local(&q.next),
        totp: false,
        refused: None,
    };
    draw(&s, page, 200)
}

/// The sign-in form as posted (every field optional: a form missing one
/// is refused by the login, on the page, like a wrong password).
#[derive(Deserialize)]
struct Credentials {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    totp: String,
    #[serde(default)]
    next: String,
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

/// `POST /sign-in`: a new session, then back to the page that asked.
async fn sign_in(State(s): State<AppState>, parts: Parts, Form(c): Form<Credentials>) -> Response {
    let frame = Frame::anonymous(&parts);
    let next = local(&c.next).to_owned();
    let again = |refused: String, totp: bool, status: u16| {
        let page = SignInPage {
            f: frame.clone(),
            email: &c.email,
            next: &next,
            totp,
            refused: Some(refused),
        };
        draw(&s, page, status)
    };
    let expected = cookie(&parts, SIGN_IN_COOKIE).unwrap_or_default();
    if expected.is_empty() || !bool::from(expected.as_bytes().ct_eq(c.csrf.as_bytes())) {
        return again(frame.t.t("sign-in-expired"), false, 403);
    }
    let code = Some(c.totp.trim()).filter(|t| !t.is_empty());
    let account = match login(&s, &c.email, &Password::new(c.password.clone()), code).await {
        Ok(account) => account,
        Err(e) => {
            let totp = e.kind == TOTP_REQUIRED || code.is_some();
            let said = frame.t.t(&format!("sign-in-{}", e.kind.replace('_', "-")));
            let refused = if said.starts_with("sign-in-") {
                problems::said(&frame.t, &e)
            } else {
                said
            };
            return again(refused, totp, e.status.as_u16());
        }
    };
    if let Some(old) = cookie(&parts, SESSION_COOKIE) {
        if let Err(e) = s.store.end_session(&sha256_hex(old.as_bytes())).await {
            return refusal(&frame, e.into());
        }
    }
    let opened = async {
        let (_, [session, csrf]) = new_session(&s, &account).await?;
        Ok::<_, crate::error::ApiError>([session, csrf, set_cookie(&s, SIGN_IN_COOKIE, "", 0)?])
    };
    match opened.await {
        Ok(cookies) => {
            tracing::info!(account = %account.id, "signed in to the console");
            with_cookies(Redirect::to(&next).into_response(), cookies)
        }
        Err(e) => refusal(&frame, e),
    }
}

/// A new session for `account`: its CSRF token (for the page being drawn)
/// and the two cookies that carry it (the session, the CSRF token).
pub(super) async fn new_session(
    s: &AppState,
    account: &Account,
) -> ApiResult<(String, [HeaderValue; 2])> {
    let session = open_session(s, account).await?;
    let max_age = session.expires_at - crate::service::now().0;
    let cookies = [
        set_cookie(s, SESSION_COOKIE, &session.id, max_age)?,
        set_cookie(s, CSRF_COOKIE, &session.csrf, max_age)?,
    ];
    Ok((session.csrf, cookies))
}

/// `response` setting `cookies`.
pub(super) fn with_cookies<const N: usize>(
    mut response: Response,
    cookies: [HeaderValue; N],
) -> Response {
    for c in cookies {
        response.headers_mut().append(SET_COOKIE, c);
    }
    response
}

/// `POST /sign-out`: the session ends on the server, the cookies go.
async fn sign_out(State(s): State<AppState>, parts: Parts, viewer: Viewer) -> Response {
    if let Some(session) = cookie(&parts, SESSION_COOKIE) {
        if let Err(e) = s.store.end_session(&sha256_hex(session.as_bytes())).await {
            return refusal(&viewer.frame, e.into());
        }
    }
    let cleared = [SESSION_COOKIE, CSRF_COOKIE].map(|name| set_cookie(&s, name, "", 0));
    match cleared {
        [Ok(a), Ok(b)] => with_cookies(Redirect::to("/sign-in").into_response(), [a, b]),
        [Err(e), _] | [_, Err(e)] => refusal(&viewer.frame, e),
    }
}
