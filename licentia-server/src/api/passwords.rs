//! Passwords set through links mailed to people: an admin invites an
//! account (a first password), anyone may ask for a reset of an address
//! (answered the same whether it has an account or not), and the link's
//! token sets the password once, before it expires.

use axum::extract::{Path, State};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::api::{Created, Reply};
use crate::error::ApiResult;
use crate::extract::{Body, Staff};
use crate::routes::{Access, Route};
use crate::service::accounts::{self, mail_link, redeem, Password};
use crate::store::{Account, LinkPurpose, Role};
use crate::AppState;

/// The routes of this part of the API.
pub(crate) fn routes() -> Vec<Route> {
    vec![
        Route::post("/v1/accounts/{id}/invitation", Access::Token, "Mail the account a single-use, expiring link to set its password (admin where the account is)", invite),
        Route::post("/v1/password-reset", Access::Public, "Mail a single-use, expiring reset link to an address, if it has an account (the same answer either way)", ask_reset),
        Route::post("/v1/password", Access::Public, "Set a password with a mailed link's token (once, before it expires)", set_password),
    ]
}

/// A link mailed.
#[derive(Serialize, JsonSchema)]
pub(crate) struct LinkSent {
    /// The address it went to.
    sent_to: String,
    /// When it stops being good (Unix seconds).
    expires_at: i64,
}

/// `POST /v1/accounts/{id}/invitation`.
pub(crate) async fn invite(
    State(s): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> ApiResult<Created<LinkSent>> {
    staff.allow(&[Role::Admin])?;
    let account = s.store.account(&id).await?;
    let expires_at = mail_link(&s, &account, LinkPurpose::Invitation).await?;
    Ok(Created::Fresh(LinkSent {
        sent_to: account.email,
        expires_at,
    }))
}

/// `POST /v1/password-reset` body.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ResetRequest {
    /// The account's e-mail address.
    email: String,
}

/// The same answer whatever the address.
#[derive(Serialize, JsonSchema)]
pub(crate) struct ResetAsked {
    /// Always true: a link was mailed if the address has an account.
    accepted: bool,
}

/// `POST /v1/password-reset`: never says whether the address has an
/// account (a relay failure is logged, not answered).
pub(crate) async fn ask_reset(
    State(s): State<AppState>,
    body: Body<ResetRequest>,
) -> ApiResult<Reply<ResetAsked>> {
    accounts::ask_reset(&s, &body.value.email).await?;
    Ok(Reply::Fresh(ResetAsked { accepted: true }))
}

/// `POST /v1/password` body.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewPassword {
    /// The token of the mailed link.
    token: String,
    /// The new password (12 characters at least).
    password: Password,
}

/// `POST /v1/password`: the account's password is set, its sessions end.
pub(crate) async fn set_password(
    State(s): State<AppState>,
    body: Body<NewPassword>,
) -> ApiResult<Reply<Account>> {
    let account = redeem(&s, &body.value.token, &body.value.password).await?;
    Ok(Reply::Fresh(account))
}
