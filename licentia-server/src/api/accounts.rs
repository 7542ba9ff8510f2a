//! People and their grants: accounts made, listed and shown by admins
//! within their grants; a grant is a role at a node, made only by an admin
//! at that node or above (never above or beside its own), and delegated
//! subscription management rights only from above the node.

use axum::extract::{Path, State};
use schemars::JsonSchema;
use serde::Serialize;

use crate::api::{Created, Listed, Reply};
use crate::error::ApiResult;
use crate::extract::{Body, PageQuery, Staff, Q};
use crate::routes::{Access, Route};
use crate::service::people::{self, GrantRequest, NewAccount};
use crate::store::{Account, Grant, Holder, Role};
use crate::AppState;
use Role::Admin;

/// The routes of this part of the API.
pub(crate) fn routes() -> Vec<Route> {
    use Access::Token;
    vec![
        Route::post("/v1/accounts", Token, "Create a person's account with its grants (admin at each grant's node or above)", create_account),
        Route::get("/v1/accounts", Token, "List the accounts within the caller's admin grants", list_accounts),
        Route::get("/v1/accounts/{id}", Token, "Show an account and its grants (admin)", show_account),
        Route::remove("/v1/accounts/{id}", "Disable an account (admin where it is): it can no longer sign in, its sessions end, its tokens are revoked; the account as it is now", &[Admin], |s, id, actor| s.store.disable_account(id, actor)),
        Route::post("/v1/accounts/{id}/grants", Token, "Grant the account a role at a node (admin at that node or above; delegated rights from above the node)", add_grant),
        Route::remove("/v1/grants/{id}", "Revoke an account's grant (admin at its node or above); the grant as it was", &[Admin], |s, id, actor| s.store.revoke_grant(id, actor)),
    ]
}

/// An account with its grants.
#[derive(Serialize, JsonSchema)]
pub(crate) struct AccountGrants {
    /// The account.
    account: Account,
    /// Its live grants.
    grants: Vec<Grant>,
}

/// `POST /v1/accounts`.
pub(crate) async fn create_account(
    State(s): State<AppState>,
    staff: Staff,
    body: Body<NewAccount>,
) -> ApiResult<Created<AccountGrants>> {
    let (account, grants) = people::create_account(&s, &staff, &body.value).await?;
    Ok(Created::Fresh(AccountGrants { account, grants }))
}

/// `GET /v1/accounts`.
pub(crate) async fn list_accounts(
    State(s): State<AppState>,
    staff: Staff,
    Q(page): Q<PageQuery>,
) -> ApiResult<Reply<Listed<Account>>> {
    let scope = staff.scope(&[Admin])?;
    Listed::fetch(&page, |p| s.store.list_accounts(&scope, p)).await
}

/// `GET /v1/accounts/{id}` (admin where the account is).
pub(crate) async fn show_account(
    State(s): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> ApiResult<Reply<AccountGrants>> {
    staff.allow(&[Admin])?;
    Ok(Reply::Fresh(AccountGrants {
        account: s.store.account(&id).await?,
        grants: s.store.grants(Holder::Account(&id)).await?,
    }))
}

/// `POST /v1/accounts/{id}/grants`.
pub(crate) async fn add_grant(
    State(s): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    body: Body<GrantRequest>,
) -> ApiResult<Created<Grant>> {
    Ok(Created::Fresh(
        people::add_grant(&s, &staff, &id, &body.value).await?,
    ))
}
