//! The history: every mutation, hash-chained, filtered.

use crate::api::{Listed, Reply};
use crate::error::ApiResult;
use axum::extract::State;
use schemars::JsonSchema;
use serde::Deserialize;

use crate::extract::{PageQuery, Staff, Q};
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
        "The history (filters: license_id, customer_id, operation, after_seq)",
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
    /// Only this operation, e.g. `license.issue`.
    operation: Option<String>,
    /// Only entries after this sequence number.
    after_seq: Option<i64>,
    /// Rows per page, 1 to 500 (default 50).
    limit: Option<i64>,
    /// Rows to skip.
    offset: Option<i64>,
}

pub(crate) async fn history_page(
    s: &AppState,
    staff: &Staff,
    filter: HistoryFilter,
    page: &PageQuery,
) -> ApiResult<Reply<Listed<HistoryEntry>>> {
    staff.allow(READERS)?;
    let page = page.page()?;
    Ok(Listed::page(s.store.history(&filter, page).await?, page))
}

/// `GET /v1/history`.
pub(crate) async fn history(
    State(s): State<AppState>,
    staff: Staff,
    Q(q): Q<HistoryQuery>,
) -> ApiResult<Reply<Listed<HistoryEntry>>> {
    let filter = HistoryFilter {
        license_id: q.license_id,
        customer_id: q.customer_id,
        operation: q.operation,
        after_seq: q.after_seq,
    };
    history_page(&s, &staff, filter, &PageQuery::new(q.limit, q.offset)).await
}
