//! People and their grants, for admins: the accounts within their grants,
//! a new account with its first grant, an account's grants (add, revoke),
//! an invitation mailed, an account disabled — each change through the
//! same service as `/v1/accounts`, each destructive one confirmed first.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use axum::Form;
use serde::Deserialize;

use super::frame::{refusal, render_as, Frame, OrRefuse, PageResult, Params, Viewer};
use super::paging::{Pager, Paging};
use super::problems::said;
use super::sheet::{self, Sheet};
use super::{Page, PageAccess};
use crate::error::ApiError;
use crate::service::accounts::{mail_link, Password};
use crate::service::people::{self, GrantRequest, NewAccount};
use crate::store::{Account, Grant, Holder, LinkPurpose, Page as Window, Rights, Role, Scope};
use crate::AppState;

pub(super) fn pages() -> Vec<Page> {
    vec![
        Page::get("/accounts", PageAccess::Signed, list),
        Page::post("/accounts", PageAccess::Signed, create),
        Page::get("/accounts/{id}", PageAccess::Signed, show),
        Page::post("/accounts/{id}/grants", PageAccess::Signed, grant),
        Page::post("/accounts/{id}/invitation", PageAccess::Signed, invite),
        Page::get(
            "/accounts/{id}/disable",
            PageAccess::Signed,
            confirm_disable,
        ),
        Page::post("/accounts/{id}/disable", PageAccess::Signed, disable),
        Page::get("/grants/{id}/revoke", PageAccess::Signed, confirm_revoke),
        Page::post("/grants/{id}/revoke", PageAccess::Signed, revoke),
    ]
}

/// The roles a grant may give, in the order of the menu.
const ROLES: [Role; 5] = [
    Role::Admin,
    Role::Issuer,
    Role::Finance,
    Role::Auditor,
    Role::MemberManager,
];

/// An option of a select: value, label, selected.
pub(crate) struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// The nodes a grant may be placed at: the vendor root for a caller
/// granted there, and every node within the caller's admin grants. A
/// select's options: a hard cap of 500 nodes, not paged.
async fn places(s: &AppState, v: &Viewer, chosen: &str) -> Result<Vec<Opt>, ApiError> {
    let scope = v.staff.scope(&[Role::Admin])?;
    let mut out = Vec::new();
    if scope == Scope::All {
        out.push(Opt {
            value: String::new(),
            label: v.frame.t.t("node-vendor"),
            selected: chosen.is_empty(),
        });
    }
    let nodes = s
        .store
        .list_customers(&scope, None, None, Window::first(500))
        .await?;
    out.extend(nodes.into_iter().map(|c| Opt {
        selected: c.id == chosen,
        label: format!("{} ({})", c.name, v.frame.t.t(&format!("node-{}", c.kind))),
        value: c.id,
    }));
    Ok(out)
}

fn roles(f: &Frame, chosen: &str) -> Vec<Opt> {
    ROLES
        .iter()
        .map(|r| Opt {
            value: r.as_str().to_owned(),
            label: f.t.t(&format!("role-{}", r.as_str())),
            selected: r.as_str() == chosen,
        })
        .collect()
}

/// An account as a line of the list.
pub(crate) struct AccountLine {
    pub id: String,
    pub name: String,
    pub email: String,
    pub language: String,
    pub second_factor: bool,
    pub disabled: bool,
    pub created: String,
}

/// The new-account form as typed.
#[derive(Deserialize, Default)]
struct NewAccountForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    locale: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    customer_id: String,
    #[serde(default)]
    password: String,
}

#[derive(Template)]
#[template(path = "console/accounts.html")]
struct AccountsPage {
    f: Frame,
    accounts: Vec<AccountLine>,
    pager: Pager,
    form: NewAccountForm,
    roles: Vec<Opt>,
    places: Vec<Opt>,
    languages: Vec<Opt>,
    refused: Option<String>,
}

fn languages(f: &Frame, chosen: &str) -> Vec<Opt> {
    ["en", "fr", "de"]
        .iter()
        .map(|l| Opt {
            value: (*l).to_owned(),
            label: f.t.t(&format!("language-{l}")),
            selected: *l == chosen,
        })
        .collect()
}

/// Draws the list with the new-account form (as typed, and why it was
/// refused, if it was).
async fn accounts_page(
    s: &AppState,
    v: &Viewer,
    paging: &Paging,
    form: NewAccountForm,
    refused: Option<ApiError>,
) -> PageResult {
    let f = v.frame.at("accounts");
    let scope = v.staff.scope(&[Role::Admin]).or_refuse(&f)?;
    let found = s
        .store
        .list_accounts(&scope, paging.rows())
        .await
        .or_refuse(&f)?;
    let (accounts, pager) = paging.cut(&f.t, found);
    let accounts = accounts
        .into_iter()
        .map(|a| AccountLine {
            created: f.t.date(a.created_at),
            language: f.t.t(&format!("language-{}", a.locale)),
            second_factor: a.totp,
            disabled: a.disabled_at.is_some(),
            id: a.id,
            name: a.name,
            email: a.email,
        })
        .collect();
    let status = refused.as_ref().map(|e| e.status);
    let page = AccountsPage {
        roles: roles(&f, &form.role),
        places: places(s, v, &form.customer_id).await.or_refuse(&f)?,
        languages: languages(
            &f,
            if form.locale.is_empty() {
                f.t.lang.code()
            } else {
                &form.locale
            },
        ),
        refused: refused.map(|e| said(&f.t, &e)),
        accounts,
        pager,
        form,
        f,
    };
    Ok(render_as(&page, status))
}

/// `GET /accounts`.
async fn list(State(s): State<AppState>, v: Viewer, paging: Paging) -> PageResult {
    accounts_page(&s, &v, &paging, NewAccountForm::default(), None).await
}

/// A role by its name, or the refusal naming the roles.
fn role(name: &str) -> Result<Role, ApiError> {
    Role::parse(name).ok_or_else(|| {
        ApiError::invalid("role is admin, issuer, finance, auditor or member-manager")
    })
}

/// `POST /accounts`: a new account with one grant.
async fn create(
    State(s): State<AppState>,
    v: Viewer,
    Form(form): Form<NewAccountForm>,
) -> PageResult {
    let asked = role(&form.role).map(|role| NewAccount {
        name: form.name.clone(),
        email: form.email.clone(),
        locale: Some(form.locale.clone()).filter(|l| !l.is_empty()),
        time_zone: None,
        password: Some(Password::new(form.password.clone())).filter(|_| !form.password.is_empty()),
        grants: vec![GrantRequest {
            role,
            customer_id: Some(form.customer_id.clone()).filter(|c| !c.is_empty()),
            rights: Rights::default(),
        }],
    });
    let made = match asked {
        Ok(req) => people::create_account(&s, &v.staff, &req).await,
        Err(e) => Err(e),
    };
    match made {
        Ok((account, _)) => Ok(Redirect::to(&format!("/accounts/{}", account.id)).into_response()),
        Err(e) if e.status.is_client_error() => {
            accounts_page(&s, &v, &Paging::first("/accounts"), form, Some(e)).await
        }
        Err(e) => Err(refusal(&v.frame, e)),
    }
}

/// A grant as a line of the account's page.
pub(crate) struct GrantLine {
    pub id: String,
    pub role: String,
    pub at: String,
    pub rights: String,
    pub since: String,
}

#[derive(Template)]
#[template(path = "console/account.html")]
struct AccountPage {
    f: Frame,
    account: Account,
    language: String,
    created: String,
    disabled: Option<String>,
    grants: Vec<GrantLine>,
    roles: Vec<Opt>,
    places: Vec<Opt>,
    refused: Option<String>,
    done: Option<String>,
}

/// Draws an account's page (with a refusal or a confirmation, if any).
async fn account_page(
    s: &AppState,
    v: &Viewer,
    id: &str,
    refused: Option<ApiError>,
    done: Option<String>,
) -> PageResult {
    let f = v.frame.at("accounts");
    v.staff.allow(&[Role::Admin]).or_refuse(&f)?;
    let load = async {
        let account = s.store.account(id).await?;
        let grants = s.store.grants(Holder::Account(id)).await?;
        Ok::<_, crate::store::StoreError>((account, grants))
    };
    let (account, grants) = load.await.or_refuse(&f)?;
    let mut names = std::collections::HashMap::new();
    for g in &grants {
        if let Some(node) = &g.customer_id {
            if let Ok(c) = s.store.customer(node).await {
                names.insert(node.clone(), c.name);
            }
        }
    }
    let status = refused.as_ref().map(|e| e.status);
    let page = AccountPage {
        language: f.t.t(&format!("language-{}", account.locale)),
        created: f.t.date(account.created_at),
        disabled: account.disabled_at.map(|d| f.t.date(d)),
        grants: grants.iter().map(|g| grant_line(&f, g, &names)).collect(),
        roles: roles(&f, ""),
        places: places(s, v, "").await.or_refuse(&f)?,
        refused: refused.map(|e| said(&f.t, &e)),
        done,
        account,
        f,
    };
    Ok(render_as(&page, status))
}

fn grant_line(
    f: &Frame,
    g: &Grant,
    names: &std::collections::HashMap<String, String>,
) -> GrantLine {
    let r = g.rights;
    let rights: Vec<String> = [
        (r.may_raise_seats, "right-raise"),
        (r.may_lower_seats, "right-lower"),
        (r.monthly_only, "right-monthly-only"),
        (r.may_change_renewal, "right-renewal"),
    ]
    .iter()
    .filter(|(on, _)| *on)
    .map(|(_, id)| f.t.t(id))
    .collect();
    GrantLine {
        id: g.id.clone(),
        role: f.t.t(&format!("role-{}", g.role.as_str())),
        at: match &g.customer_id {
            None => f.t.t("node-vendor"),
            Some(node) => names.get(node).cloned().unwrap_or_else(|| node.clone()),
        },
        rights: rights.join(", "),
        since: f.t.date(g.created_at),
    }
}

/// `GET /accounts/{id}`.
async fn show(State(s): State<AppState>, v: Viewer, Path(id): Path<String>) -> PageResult {
    account_page(&s, &v, &id, None, None).await
}

/// The add-grant form.
#[derive(Deserialize)]
struct GrantForm {
    #[serde(default)]
    role: String,
    #[serde(default)]
    customer_id: String,
}

/// `POST /accounts/{id}/grants`.
async fn grant(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    Form(form): Form<GrantForm>,
) -> PageResult {
    let added = match role(&form.role) {
        Ok(role) => {
            let req = GrantRequest {
                role,
                customer_id: Some(form.customer_id).filter(|c| !c.is_empty()),
                rights: Rights::default(),
            };
            people::add_grant(&s, &v.staff, &id, &req).await
        }
        Err(e) => Err(e),
    };
    match added {
        Ok(_) => Ok(Redirect::to(&format!("/accounts/{id}")).into_response()),
        Err(e) => account_page(&s, &v, &id, Some(e), None).await,
    }
}

/// `POST /accounts/{id}/invitation`: a link to set a password, mailed.
async fn invite(State(s): State<AppState>, v: Viewer, Path(id): Path<String>) -> PageResult {
    let sent = async {
        v.staff.allow(&[Role::Admin])?;
        let account = s.store.account(&id).await?;
        mail_link(&s, &account, LinkPurpose::Invitation).await?;
        Ok::<_, ApiError>(account.email)
    };
    match sent.await {
        Ok(email) => {
            let done = v.frame.t.t1("invitation-sent", "email", email);
            account_page(&s, &v, &id, None, Some(done)).await
        }
        Err(e) => account_page(&s, &v, &id, Some(e), None).await,
    }
}

/// `GET /accounts/{id}/disable`: what disabling does, before it is done.
async fn confirm_disable(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
) -> PageResult {
    let f = v.frame.at("accounts");
    v.staff.allow(&[Role::Admin]).or_refuse(&f)?;
    let account = s.store.account(&id).await.or_refuse(&f)?;
    let form = sheet::Form::confirm(
        &f,
        format!("/accounts/{id}/disable"),
        Vec::new(),
        f.t.t("disable-button"),
        format!("/accounts/{id}"),
    );
    let title = f.t.t1("disable-title", "name", &account.name);
    let what = f.t.t1("disable-consequence", "email", &account.email);
    Ok(Sheet::confirm(f, title, what, form).page())
}

/// `POST /accounts/{id}/disable`.
async fn disable(State(s): State<AppState>, v: Viewer, Path(id): Path<String>) -> PageResult {
    let f = v.frame.at("accounts");
    v.staff.allow(&[Role::Admin]).or_refuse(&f)?;
    s.store
        .disable_account(&id, &v.staff.actor())
        .await
        .or_refuse(&f)?;
    Ok(Redirect::to(&format!("/accounts/{id}")).into_response())
}

/// Where a revoke page goes back to: the account it came from.
#[derive(Deserialize)]
struct Origin {
    #[serde(default)]
    account: String,
}

/// The account page `account` names (only an id's characters pass).
fn back_to(account: &str) -> String {
    let id_like = !account.is_empty()
        && account.len() <= 64
        && account
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if id_like {
        format!("/accounts/{account}")
    } else {
        "/accounts".to_owned()
    }
}

/// `GET /grants/{id}/revoke`: what revoking does, before it is done.
async fn confirm_revoke(
    v: Viewer,
    Path(id): Path<String>,
    Params(from): Params<Origin>,
) -> PageResult {
    let f = v.frame.at("accounts");
    v.staff.allow(&[Role::Admin]).or_refuse(&f)?;
    let form = sheet::Form::confirm(
        &f,
        format!("/grants/{id}/revoke"),
        Vec::new(),
        f.t.t("revoke-grant-button"),
        back_to(&from.account),
    );
    let title = f.t.t("revoke-grant-title");
    let what = f.t.t("revoke-grant-consequence");
    Ok(Sheet::confirm(f, title, what, form).page())
}

/// `POST /grants/{id}/revoke`.
async fn revoke(State(s): State<AppState>, v: Viewer, Path(id): Path<String>) -> PageResult {
    let f = v.frame.at("accounts");
    v.staff.allow(&[Role::Admin]).or_refuse(&f)?;
    let grant = s
        .store
        .revoke_grant(&id, &v.staff.actor())
        .await
        .or_refuse(&f)?;
    let back = grant
        .account_id
        .map_or_else(|| "/accounts".to_owned(), |a| format!("/accounts/{a}"));
    Ok(Redirect::to(&back).into_response())
}
