//! People: accounts, the grants they and tokens hold (a role at a node of
//! the customer tree), and their sessions.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Page, Role, Rows, Scope, StoreResult};

/// A person who signs in: vendor staff, a partner's or a customer's admin.
/// The password hash and the TOTP secret are never read back out here.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Account {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// E-mail address (unique, whatever its case).
    pub email: String,
    /// `en`, `fr` or `de`.
    pub locale: String,
    /// The time zone dates are shown in (IANA name; `UTC` by default).
    pub time_zone: String,
    /// Whether a second factor (TOTP) is required at login.
    pub totp: bool,
    /// Until when logins are refused after repeated failures (Unix seconds).
    pub locked_until: Option<i64>,
    /// Created (Unix seconds).
    pub created_at: i64,
    /// Who created it.
    pub created_by: String,
    /// When disabled, if it was.
    pub disabled_at: Option<i64>,
}

/// Subscription management rights a partner delegates to a customer admin
/// below it: without them, a grant at a customer or a site changes no
/// subscription's seats or renewal option.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Rights {
    /// May raise seats.
    #[serde(default)]
    pub may_raise_seats: bool,
    /// May lower seats.
    #[serde(default)]
    pub may_lower_seats: bool,
    /// Seat changes only on monthly subscriptions.
    #[serde(default)]
    pub monthly_only: bool,
    /// May change the renewal option.
    #[serde(default)]
    pub may_change_renewal: bool,
}

/// Who holds a grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holder<'a> {
    /// An account.
    Account(&'a str),
    /// An API token.
    Token(&'a str),
}

/// A role held at a node of the customer tree.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Grant {
    /// Id.
    pub id: String,
    /// The account holding it, if an account does.
    pub account_id: Option<String>,
    /// The token holding it, if a token does.
    pub token_id: Option<String>,
    /// Its node (none: the vendor root).
    pub customer_id: Option<String>,
    /// The node's kind: `partner`, `customer` or `site` (none: the vendor root).
    pub node_kind: Option<String>,
    /// The role.
    pub role: Role,
    /// Delegated subscription management rights.
    pub rights: Rights,
    /// Created (Unix seconds).
    pub created_at: i64,
    /// Who made it.
    pub created_by: String,
}

/// What a login needs of an account: the account, its password hash (none
/// until set) and its sealed TOTP secret.
#[derive(Debug, Clone)]
pub struct Credentials {
    /// The account.
    pub account: Account,
    /// The argon2id PHC string.
    pub password_hash: Option<String>,
    /// The sealed TOTP secret.
    pub totp_secret: Option<String>,
    /// A sealed TOTP secret waiting for its first code.
    pub totp_pending: Option<String>,
}

/// A live session as stored (its id and CSRF token only as hashes).
#[derive(Debug, Clone)]
pub struct Session {
    /// SHA-256 of the session id.
    pub id_hash: String,
    /// Its account.
    pub account_id: String,
    /// SHA-256 of its CSRF token.
    pub csrf_hash: String,
    /// Created (Unix seconds).
    pub created_at: i64,
    /// Last request (Unix seconds).
    pub last_seen_at: i64,
    /// Its absolute end (Unix seconds).
    pub expires_at: i64,
}

/// A link mailed to a person: what it is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkPurpose {
    /// Set a first password.
    Invitation,
    /// Set a new password.
    Reset,
}

impl LinkPurpose {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            LinkPurpose::Invitation => "invitation",
            LinkPurpose::Reset => "reset",
        }
    }
}

/// A single-use, expiring link (only its token's hash is kept).
#[derive(Debug, Clone)]
pub struct AccountLink {
    /// SHA-256 of the link's token.
    pub token_hash: String,
    /// The account.
    pub account_id: String,
    /// What it is for.
    pub purpose: LinkPurpose,
    /// Made (Unix seconds).
    pub created_at: i64,
    /// When it stops being good (Unix seconds).
    pub expires_at: i64,
}

/// Accounts, grants and sessions' storage.
#[async_trait::async_trait]
pub trait AccountStore: Send + Sync {
    /// Creates an account (with its password hash, if set) and its grants.
    async fn create_account(
        &self,
        account: Account,
        password_hash: Option<String>,
        grants: Vec<Grant>,
        actor: &str,
    ) -> StoreResult<Account>;
    /// An account.
    async fn account(&self, id: &str) -> StoreResult<Account>;
    /// The accounts holding a grant within `scope`.
    async fn list_accounts(&self, scope: &Scope, page: Page) -> StoreResult<Rows<Account>>;
    /// The credentials of the account with this e-mail address (any case).
    async fn credentials(&self, email: &str) -> StoreResult<Option<Credentials>>;
    /// Counts a failed login; from the `max`th in a row, locks the account
    /// until `lock_until`. Answers the account's lock, if it is locked now.
    async fn login_failed(&self, id: &str, max: i64, lock_until: i64) -> StoreResult<Option<i64>>;
    /// Clears the failures of a successful login.
    async fn login_succeeded(&self, id: &str) -> StoreResult<()>;
    /// Sets an account's password hash (its sessions end).
    async fn set_password(&self, id: &str, hash: &str, actor: &str) -> StoreResult<()>;
    /// Sets the account's language and time zone (checked by the caller).
    async fn set_profile(&self, id: &str, locale: &str, time_zone: &str) -> StoreResult<Account>;
    /// Keeps `sealed` as the account's TOTP secret to be confirmed.
    async fn stage_totp(&self, id: &str, sealed: &str) -> StoreResult<()>;
    /// Makes the staged TOTP secret the account's, its first code used at
    /// `step`; false when none is staged.
    async fn confirm_totp(&self, id: &str, step: i64) -> StoreResult<bool>;
    /// Records a code used at `step`; false when that step (or a later one)
    /// was used already: a code is accepted once.
    async fn use_totp_step(&self, id: &str, step: i64) -> StoreResult<bool>;
    /// Stores a link mailed to a person.
    async fn create_link(&self, link: AccountLink) -> StoreResult<()>;
    /// Uses the link with this token hash, once, before it expires at `at`:
    /// sets the password hash (the account's sessions end) and answers the
    /// account; `None` when there is no such link, or it was used or expired.
    async fn redeem_link(
        &self,
        token_hash: &str,
        at: i64,
        password_hash: &str,
    ) -> StoreResult<Option<Account>>;
    /// The live grants of an account or a token.
    async fn grants(&self, holder: Holder<'_>) -> StoreResult<Vec<Grant>>;
    /// Adds a grant to an account.
    async fn add_grant(&self, grant: Grant, actor: &str) -> StoreResult<Grant>;
    /// Revokes a grant.
    async fn revoke_grant(&self, id: &str, actor: &str) -> StoreResult<Grant>;
    /// Disables an account for good: its sessions end and its tokens are
    /// revoked; disabling it again changes nothing. The account as it is.
    async fn disable_account(&self, id: &str, actor: &str) -> StoreResult<Account>;
    /// Stores a new session.
    async fn create_session(&self, session: Session) -> StoreResult<()>;
    /// The live session with this id hash, seen now at `now`: `None` when
    /// none, or when it ended, expired or was idle for `idle` seconds.
    async fn touch_session(
        &self,
        id_hash: &str,
        now: i64,
        idle: i64,
    ) -> StoreResult<Option<Session>>;
    /// Ends a session.
    async fn end_session(&self, id_hash: &str) -> StoreResult<()>;
}
