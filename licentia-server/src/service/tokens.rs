//! API tokens' records and secrets.

use crate::secret::{self, ApiToken};
use crate::store::*;

use crate::error::{ApiError, ApiResult};
use crate::service::now;

/// Longest life a token may be given, in days (ten years).
const MAX_TOKEN_DAYS: u32 = 3650;

/// A token's asked-for life, checked: 1 to [`MAX_TOKEN_DAYS`] days, or none.
pub(crate) fn token_days(days: Option<u32>) -> ApiResult<Option<u32>> {
    match days {
        Some(d) if d == 0 || d > MAX_TOKEN_DAYS => Err(ApiError::invalid(format!(
            "expires_in_days: a token lives 1 to {MAX_TOKEN_DAYS} days"
        ))),
        _ => Ok(days),
    }
}

/// Makes a token record and its secret: a service named `name` holding
/// `role` at the vendor root (the caller moves its grant or gives it an
/// owner); it expires `expires_in_days` from now when given.
pub(crate) fn mint_token(
    name: &str,
    role: Role,
    created_by: &str,
    expires_in_days: Option<u32>,
) -> (TokenRecord, ApiToken) {
    let created_at = now().0;
    (
        TokenRecord {
            id: secret::new_id("tok"),
            name: name.to_owned(),
            role,
            customer_id: None,
            account_id: None,
            service: Some(name.to_owned()),
            created_at,
            created_by: created_by.to_owned(),
            revoked_at: None,
            expires_at: expires_in_days.map(|days| created_at + i64::from(days) * 86_400),
        },
        ApiToken::generate(),
    )
}
