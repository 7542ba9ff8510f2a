//! The history: every mutation, hash-chained, filtered.

use crate::api::{Listed, Listing, Reply};
use crate::error::ApiResult;
use axum::extract::State;
use schemars::JsonSchema;
use serde::Deserialize;

use crate::extract::{PageQuery, Staff};
use crate::store::*;
use crate::AppState;

use crate::api::READERS;
use crate::routes::{Access, Route};

/// The routes of this part of the API.
pub(crate) fn routes() -> Vec<Route> {
    use Access::Token;
    vec![Route::get(
        "/v1/history",
        Token,
        "The history within the caller's grants (filters: license_id, customer_id, subscription_id, account_id, operation, after_seq)",
        history,
    )]
}

/// Filters of the history.
#[derive(Deserialize, JsonSchema)]
pub(crate) struct HistoryQuery {
    /// Only this license.
    license_id: Option<String>,
    /// The customer node.
    customer_id: Option<String>,
    /// Only entries about this subscription.
    subscription_id: Option<String>,
    /// Only what this account did.
    account_id: Option<String>,
    /// Only this operation, e.g. `license.issue`.
    operation: Option<String>,
    /// Only entries after this sequence number.
    after_seq: Option<i64>,
}

/// One page of the entries `filter` selects within the caller's grants,
/// for any staff role: the history of `GET /v1/history` and of a license
/// or customer.
pub(crate) async fn history_page(
    s: &AppState,
    staff: &Staff,
    filter: HistoryFilter,
    page: &PageQuery,
) -> ApiResult<Reply<Listed<HistoryEntry>>> {
    let scope = staff.scope(READERS)?;
    Listed::fetch(page, |p| s.store.history(&scope, &filter, p)).await
}

/// `GET /v1/history`.
pub(crate) async fn history(
    State(s): State<AppState>,
    staff: Staff,
    Listing { filter: q, page }: Listing<HistoryQuery>,
) -> ApiResult<Reply<Listed<HistoryEntry>>> {
    let filter = HistoryFilter {
        license_id: q.license_id,
        customer_id: q.customer_id,
        operation: q.operation,
        subscription_id: q.subscription_id,
        account_id: q.account_id,
        after_seq: q.after_seq,
    };
    history_page(&s, &staff, filter, &page).await
}
