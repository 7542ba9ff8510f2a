//! People and their grants: accounts made, listed and shown by admins
//! within their grants; a grant is a role at a node, made only by an admin
//! at that node or above (never above or beside its own), and delegated
//! subscription management rights only from above the node.

use axum::extract::{Path, State};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::api::{named, Created, Listed, Reply};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Body, PageQuery, Staff, Q};
use crate::routes::{Access, Route};
use crate::secret;
use crate::service::accounts::{hash_password, Password};
use crate::service::{email_field, now, text_field};
use crate::store::{Account, Grant, Holder, Rights, Role};
use crate::AppState;
use Role::{Admin, Finance};

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

/// A role at a node, as asked.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct GrantRequest {
    /// `admin`, `issuer`, `finance`, `auditor` or `member-manager`.
    role: Role,
    /// The node (none: the vendor root).
    #[serde(default)]
    customer_id: Option<String>,
    /// Delegated subscription management rights (a grant at a customer or
    /// a site, made by a partner's admin or finance above it).
    #[serde(default)]
    rights: Rights,
}

/// `POST /v1/accounts` body.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewAccount {
    /// The person's name.
    name: String,
    /// E-mail address (unique, whatever its case).
    email: String,
    /// `en` (default), `fr` or `de`.
    #[serde(default)]
    locale: Option<String>,
    /// A first password (12 characters at least); none: the account cannot
    /// log in until one is set.
    #[serde(default)]
    password: Option<Password>,
    /// Its grants (one at least).
    grants: Vec<GrantRequest>,
}

/// An account with its grants.
#[derive(Serialize, JsonSchema)]
pub(crate) struct AccountGrants {
    /// The account.
    account: Account,
    /// Its live grants.
    grants: Vec<Grant>,
}

/// The grant `req` asks for `holder`, checked: the caller is admin at its
/// node or above (a node outside every grant: 422, as one that does not
/// exist), and rights are delegated from above the node only.
async fn checked_grant(
    s: &AppState,
    staff: &Staff,
    account_id: &str,
    req: &GrantRequest,
) -> ApiResult<Grant> {
    let at = named(
        staff.allow_at(s, &[Admin], req.customer_id.as_deref()),
        "no such customer",
    )
    .await?;
    if req.rights != Rights::default() {
        if req.customer_id.is_none() {
            return Err(ApiError::invalid(
                "delegated rights are for grants at a customer or a site; the vendor root holds every right",
            ));
        }
        staff.allow_placed(&[Admin, Finance], &at.parent())?;
    }
    Ok(Grant {
        id: secret::new_id("grt"),
        account_id: Some(account_id.to_owned()),
        token_id: None,
        customer_id: req.customer_id.clone(),
        node_kind: None,
        role: req.role,
        rights: req.rights,
        created_at: now().0,
        created_by: staff.actor(),
    })
}

/// `POST /v1/accounts`.
pub(crate) async fn create_account(
    State(s): State<AppState>,
    staff: Staff,
    body: Body<NewAccount>,
) -> ApiResult<Created<AccountGrants>> {
    let req = &body.value;
    if req.grants.is_empty() {
        return Err(ApiError::invalid("give the account one grant at least"));
    }
    let locale = req.locale.clone().unwrap_or_else(|| "en".into());
    if !matches!(locale.as_str(), "en" | "fr" | "de") {
        return Err(ApiError::invalid("locale is 'en', 'fr' or 'de'"));
    }
    let id = secret::new_id("acc");
    let mut grants = Vec::with_capacity(req.grants.len());
    for g in &req.grants {
        grants.push(checked_grant(&s, &staff, &id, g).await?);
    }
    let hash = match &req.password {
        Some(p) => Some(hash_password(&s.config, p).await?),
        None => None,
    };
    let account = Account {
        id: id.clone(),
        name: text_field("name", &req.name, 256)?.to_owned(),
        email: email_field(&req.email)?,
        locale,
        totp: false,
        locked_until: None,
        created_at: now().0,
        created_by: staff.actor(),
        disabled_at: None,
    };
    let account = s
        .store
        .create_account(account, hash, grants, &staff.actor())
        .await?;
    let grants = s.store.grants(Holder::Account(&id)).await?;
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
    staff.allow(&[Admin])?;
    let grant = checked_grant(&s, &staff, &id, &body.value).await?;
    Ok(Created::Fresh(
        s.store.add_grant(grant, &staff.actor()).await?,
    ))
}
