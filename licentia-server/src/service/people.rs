//! People and their grants: accounts made by admins within their grants;
//! a grant is a role at a node, made only by an admin at that node or
//! above (never above or beside its own), and delegated subscription
//! management rights only from above the node. The API's accounts routes
//! and the console's accounts pages both call these.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::error::{ApiError, ApiResult};
use crate::secret;
use crate::service::accounts::{hash_password, Password};
use crate::service::{email_field, now, text_field};
use crate::staff::Staff;
use crate::store::{Account, Grant, Holder, Rights, Role};
use crate::AppState;
use Role::{Admin, Finance};

/// A role at a node, as asked.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct GrantRequest {
    /// `admin`, `issuer`, `finance`, `auditor` or `member-manager`.
    pub(crate) role: Role,
    /// The node (none: the vendor root).
    #[serde(default)]
    pub(crate) customer_id: Option<String>,
    /// Delegated subscription management rights (a grant at a customer or
    /// a site, made by a partner's admin or finance above it).
    #[serde(default)]
    pub(crate) rights: Rights,
}

/// `POST /v1/accounts` body.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewAccount {
    /// The person's name.
    pub(crate) name: String,
    /// E-mail address (unique, whatever its case).
    pub(crate) email: String,
    /// `en` (default), `fr` or `de`.
    #[serde(default)]
    pub(crate) locale: Option<String>,
    /// The time zone dates are shown in (IANA name; default `UTC`).
    #[serde(default)]
    pub(crate) time_zone: Option<String>,
    /// A first password (12 characters at least); none: the account cannot
    /// log in until one is set.
    #[serde(default)]
    pub(crate) password: Option<Password>,
    /// Its grants (one at least).
    pub(crate) grants: Vec<GrantRequest>,
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
    let at = staff
        .allow_at(s, &[Admin], req.customer_id.as_deref())
        .await
        .map_err(ApiError::absent_is_invalid("no such customer"))?;
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

/// Makes the account `req` asks for, with its grants: the account and its
/// live grants.
pub(crate) async fn create_account(
    s: &AppState,
    staff: &Staff,
    req: &NewAccount,
) -> ApiResult<(Account, Vec<Grant>)> {
    if req.grants.is_empty() {
        return Err(ApiError::invalid("give the account one grant at least"));
    }
    let locale = locale(req.locale.as_deref().unwrap_or("en"))?;
    let time_zone = time_zone(req.time_zone.as_deref().unwrap_or("UTC"))?;
    let id = secret::new_id("acc");
    let mut grants = Vec::with_capacity(req.grants.len());
    for g in &req.grants {
        grants.push(checked_grant(s, staff, &id, g).await?);
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
        time_zone,
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
    Ok((account, grants))
}

/// Grants the account `account_id` what `req` asks (admin where the
/// account is, and at the grant's node or above).
pub(crate) async fn add_grant(
    s: &AppState,
    staff: &Staff,
    account_id: &str,
    req: &GrantRequest,
) -> ApiResult<Grant> {
    staff.allow(&[Admin])?;
    let grant = checked_grant(s, staff, account_id, req).await?;
    Ok(s.store.add_grant(grant, &staff.actor()).await?)
}

/// `code` if the console speaks it (`en`, `fr`, `de`).
pub(crate) fn locale(code: &str) -> ApiResult<String> {
    match code {
        "en" | "fr" | "de" => Ok(code.to_owned()),
        _ => Err(ApiError::invalid("locale is 'en', 'fr' or 'de'")),
    }
}

/// `name` if it is an IANA time zone (`Europe/Paris`, `UTC`...).
pub(crate) fn time_zone(name: &str) -> ApiResult<String> {
    name.parse::<chrono_tz::Tz>()
        .map(|tz| tz.name().to_owned())
        .map_err(|_| {
            ApiError::invalid("time_zone is an IANA time zone name, such as Europe/Paris or UTC")
        })
}

/// Sets a person's own language and time zone (unchanged where `None`).
pub(crate) async fn set_profile(
    s: &AppState,
    account: &Account,
    new_locale: Option<&str>,
    new_time_zone: Option<&str>,
) -> ApiResult<Account> {
    let locale = locale(new_locale.unwrap_or(&account.locale))?;
    let time_zone = time_zone(new_time_zone.unwrap_or(&account.time_zone))?;
    Ok(s.store
        .set_profile(&account.id, &locale, &time_zone)
        .await?)
}
