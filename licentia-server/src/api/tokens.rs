//! API tokens: made, listed and revoked by admins; a token is shown once.

use axum::extract::State;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::api::{Created, Listed, Reply};
use crate::error::ApiResult;
use crate::extract::{Body, PageQuery, Staff, Q};
use crate::routes::{Access, Route};
use crate::service::text_field;
use crate::service::tokens::{mint_token, token_days};
use crate::store::{Role, TokenRecord};
use crate::AppState;
use Role::Admin;

/// The routes of this part of the API.
pub(crate) fn routes() -> Vec<Route> {
    use Access::Token;
    vec![
        Route::post(
            "/v1/tokens",
            Token,
            "Create an API token (admin; shown once)",
            create_token,
        ),
        Route::get("/v1/tokens", Token, "List API tokens (admin)", list_tokens),
        Route::remove(
            "/v1/tokens/{id}",
            "Revoke an API token (admin)",
            &[Admin],
            |s, id, actor| s.store.revoke_token(id, actor),
        ),
    ]
}

/// A new API token.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewToken {
    /// What the token is for.
    name: String,
    /// `admin`, `issuer`, `finance` or `auditor`.
    role: Role,
    /// Days until the token stops being accepted (1 to 3650); none: it
    /// lives until revoked.
    #[serde(default)]
    expires_in_days: Option<u32>,
}

/// `POST /v1/tokens` (admin): the token is in this answer only.
pub(crate) async fn create_token(
    State(s): State<AppState>,
    staff: Staff,
    body: Body<NewToken>,
) -> ApiResult<Created<TokenMade>> {
    staff.allow(&[Admin])?;
    let name = text_field("name", &body.value.name, 128)?;
    let days = token_days(body.value.expires_in_days)?;
    let (record, token) = mint_token(name, body.value.role, &staff.actor(), days);
    let record = s.store.create_token(record, token.hash()).await?;
    Ok(Created::Fresh(TokenMade {
        token: token.reveal().to_owned(),
        record,
    }))
}

/// A new token: its secret, shown in this answer only, and its record.
#[derive(Serialize, JsonSchema)]
pub(crate) struct TokenMade {
    /// The bearer token (`lic_...`); only its hash is kept.
    token: String,
    /// What is stored about it.
    record: TokenRecord,
}

/// `GET /v1/tokens` (admin).
pub(crate) async fn list_tokens(
    State(s): State<AppState>,
    staff: Staff,
    Q(page): Q<PageQuery>,
) -> ApiResult<Reply<Listed<TokenRecord>>> {
    staff.allow(&[Admin])?;
    Listed::fetch(&page, |p| s.store.list_tokens(p)).await
}
