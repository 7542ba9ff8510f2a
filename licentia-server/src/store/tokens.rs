//! API tokens: machines that call the back office, each with one grant
//! (a role at a node of the customer tree), owned by an account or named
//! as a service.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Page, Rights, Rows, Scope};
use crate::store::StoreResult;

/// What a grant lets its holder do at its node and below.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Everything, including accounts, grants, tokens and keys.
    Admin,
    /// Products, policies, customers, licenses.
    Issuer,
    /// Reads, and raising seat counts.
    Finance,
    /// Reads only, history included.
    Auditor,
    /// Reads, and a node's members and their services (customer admins).
    #[serde(rename = "member-manager")]
    MemberManager,
}

impl Role {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Issuer => "issuer",
            Role::Finance => "finance",
            Role::Auditor => "auditor",
            Role::MemberManager => "member-manager",
        }
    }

    /// Parses a stored or typed name.
    pub fn parse(text: &str) -> Option<Role> {
        Some(match text {
            "admin" => Role::Admin,
            "issuer" => Role::Issuer,
            "finance" => Role::Finance,
            "auditor" => Role::Auditor,
            "member-manager" => Role::MemberManager,
            _ => return None,
        })
    }
}

/// An API token as stored (its hash is never read back out).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct TokenRecord {
    /// Id.
    pub id: String,
    /// What it is for.
    pub name: String,
    /// Its grant's role.
    pub role: Role,
    /// Its grant's node (none: the vendor root).
    pub customer_id: Option<String>,
    /// The account it belongs to, if any.
    pub account_id: Option<String>,
    /// The service it is named for, when it belongs to no account.
    pub service: Option<String>,
    /// Created (Unix seconds).
    pub created_at: i64,
    /// Who created it.
    pub created_by: String,
    /// When revoked, if it was.
    pub revoked_at: Option<i64>,
    /// When it stops being accepted (Unix seconds); none: never.
    pub expires_at: Option<i64>,
}

impl TokenRecord {
    /// Whether the token is past its expiry at `now` (Unix seconds).
    pub fn expired_at(&self, now: i64) -> bool {
        self.expires_at.is_some_and(|end| end <= now)
    }
}

/// The tokens' storage.
#[async_trait::async_trait]
pub trait TokenStore: Send + Sync {
    /// Creates the bootstrap admin token unless one was ever created; true if created now.
    async fn bootstrap_admin(&self, token: TokenRecord, hash: String) -> StoreResult<bool>;
    /// Stores a new API token and its grant (its role at its node, with
    /// `rights`).
    async fn create_token(
        &self,
        token: TokenRecord,
        hash: String,
        rights: Rights,
    ) -> StoreResult<TokenRecord>;
    /// Lists the tokens whose grant is within `scope`.
    async fn list_tokens(&self, scope: &Scope, page: Page) -> StoreResult<Rows<TokenRecord>>;
    /// Revokes a token.
    async fn revoke_token(&self, id: &str, actor: &str) -> StoreResult<TokenRecord>;
    /// The live token with this hash.
    async fn token_by_hash(&self, hash: &str) -> StoreResult<Option<TokenRecord>>;
}
