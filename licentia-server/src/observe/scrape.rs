//! `GET /metrics`: the Prometheus scrape. Not for anonymous callers (route
//! names, request counts and pool sizes tell an attacker what is used and
//! how loaded the server is): an admin or auditor token, which Prometheus
//! sends with `authorization: { credentials_file: ... }`.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::error::ApiResult;
use crate::extract::Staff;
use crate::openapi::Operation;
use crate::routes::{Access, AnswerDoc, Route};
use crate::store::Role;
use crate::AppState;

use super::metrics::CONTENT_TYPE;

/// The routes of this part of the API.
pub(crate) fn routes() -> Vec<Route> {
    vec![Route::get(
        "/metrics",
        Access::Token,
        "Prometheus metrics (admin, auditor)",
        metrics,
    )]
}

/// The metrics, in the Prometheus text format.
pub(crate) struct MetricsText(String);

impl IntoResponse for MetricsText {
    fn into_response(self) -> Response {
        ([(header::CONTENT_TYPE, CONTENT_TYPE)], self.0).into_response()
    }
}

impl AnswerDoc for MetricsText {
    fn document(op: &mut Operation) {
        op.text_answer(200, "text/plain");
    }
}

/// `GET /metrics` (admin, auditor).
async fn metrics(State(state): State<AppState>, staff: Staff) -> ApiResult<MetricsText> {
    staff.allow(&[Role::Admin, Role::Auditor])?;
    Ok(MetricsText(
        state.metrics.render_with(state.store.pool_stats()),
    ))
}
