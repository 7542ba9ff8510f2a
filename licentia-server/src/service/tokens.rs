//! API tokens' records and secrets.

use crate::secret::{self, ApiToken};
use crate::store::*;

use crate::service::now;

/// Makes a token record and its secret.
pub(crate) fn mint_token(name: &str, role: Role, created_by: &str) -> (TokenRecord, ApiToken) {
    (
        TokenRecord {
            id: secret::new_id("tok"),
            name: name.to_owned(),
            role,
            created_at: now().0,
            created_by: created_by.to_owned(),
            revoked_at: None,
        },
        ApiToken::generate(),
    )
}
