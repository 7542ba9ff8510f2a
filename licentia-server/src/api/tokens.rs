//! API tokens: made, listed and revoked by admins within their grants; a
//! token is shown once. Each token holds one grant: a role at a node.

use axum::extract::State;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::api::{named, Created, Listed, Reply};
use crate::error::ApiResult;
use crate::extract::{Body, PageQuery, Staff, Q};
use crate::routes::{Access, Route};
use crate::service::text_field;
use crate::service::tokens::{mint_token, token_days};
use crate::store::{Rights, Role, TokenRecord};
use crate::AppState;
use Role::Admin;

/// The routes of this part of the API.
pub(crate) fn routes() -> Vec<Route> {
    use Access::Token;
    vec![
        Route::post(
            "/v1/tokens",
            Token,
            "Create an API token holding a role at a node (admin at that node or above; shown once)",
            create_token,
        ),
        Route::get("/v1/tokens", Token, "List the API tokens within the caller's admin grants", list_tokens),
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
    /// `admin`, `issuer`, `finance`, `auditor` or `member-manager`.
    role: Role,
    /// The node the role is held at (none: the vendor root).
    #[serde(default)]
    customer_id: Option<String>,
    /// Delegated subscription management rights (a grant at a customer or
    /// a site).
    #[serde(default)]
    rights: Rights,
    /// Days until the token stops being accepted (1 to 3650); none: it
    /// lives until revoked.
    #[serde(default)]
    expires_in_days: Option<u32>,
}

/// `POST /v1/tokens` (admin at the token's node or above): the token is in
/// this answer only. An admin grants nothing above its own node.
pub(crate) async fn create_token(
    State(s): State<AppState>,
    staff: Staff,
    body: Body<NewToken>,
) -> ApiResult<Created<TokenMade>> {
    let req = &body.value;
    named(
        staff.allow_at(&s, &[Admin], req.customer_id.as_deref()),
        "no such customer",
    )
    .await?;
    let name = text_field("name", &req.name, 128)?;
    let days = token_days(req.expires_in_days)?;
    let (mut record, token) = mint_token(name, req.role, &staff.actor(), days);
    record.customer_id = req.customer_id.clone();
    let record = s
        .store
        .create_token(record, token.hash(), req.rights)
        .await?;
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
    let scope = staff.scope(&[Admin])?;
    Listed::fetch(&page, |p| s.store.list_tokens(&scope, p)).await
}
