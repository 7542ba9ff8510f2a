//! API tokens: who may call the back office, by role.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Page;
use crate::store::StoreResult;

/// What an API token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Everything, including tokens and keys.
    Admin,
    /// Products, policies, customers, licenses.
    Issuer,
    /// Reads, and raising seat counts.
    Finance,
    /// Reads only, history included.
    Auditor,
}

impl Role {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Issuer => "issuer",
            Role::Finance => "finance",
            Role::Auditor => "auditor",
        }
    }

    /// Parses a stored or typed name.
    pub fn parse(text: &str) -> Option<Role> {
        Some(match text {
            "admin" => Role::Admin,
            "issuer" => Role::Issuer,
            "finance" => Role::Finance,
            "auditor" => Role::Auditor,
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
    /// Its role.
    pub role: Role,
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
    /// Stores a new API token.
    async fn create_token(&self, token: TokenRecord, hash: String) -> StoreResult<TokenRecord>;
    /// Lists tokens.
    async fn list_tokens(&self, page: Page) -> StoreResult<Vec<TokenRecord>>;
    /// Revokes a token.
    async fn revoke_token(&self, id: &str, actor: &str) -> StoreResult<TokenRecord>;
    /// The live token with this hash.
    async fn token_by_hash(&self, hash: &str) -> StoreResult<Option<TokenRecord>>;
}
