//! Observability: what an operator sees of a running server.
//!
//! - every request gets an id ([`request_id`]): the caller's `X-Request-Id`
//!   when it is well formed, a fresh one otherwise; it is echoed on the
//!   answer, carried by problem documents, and is a field of the request's
//!   span, so every log line of the request names it;
//! - one access-log line per request at `info` ([`access_log`]);
//! - Prometheus metrics ([`metrics`]) in a registry each server owns,
//!   scraped at `GET /metrics` by an admin or auditor token ([`scrape`]).

pub(crate) mod access_log;
pub(crate) mod metrics;
pub(crate) mod request_id;
pub(crate) mod scrape;

use axum::Router;

use crate::AppState;

/// Wraps every route of `router` (and its fallbacks) in the request id, the
/// access log and the request metrics, outermost first: the id is set
/// before anything reads it, and the metrics see the final status.
pub(crate) fn instrument(router: Router<AppState>, state: &AppState) -> Router<AppState> {
    router
        .layer(axum::middleware::from_fn_with_state(
            state.metrics.clone(),
            metrics::count_request,
        ))
        .layer(axum::middleware::from_fn(request_id::stamp_problem))
        .layer(access_log::layer())
        .layer(tower_http::request_id::PropagateRequestIdLayer::new(
            request_id::REQUEST_ID,
        ))
        .layer(tower_http::request_id::SetRequestIdLayer::new(
            request_id::REQUEST_ID,
            tower_http::request_id::MakeRequestUuid,
        ))
        .layer(axum::middleware::map_request(request_id::drop_malformed))
}

/// The route template a request matched (`/v1/licenses/{id}`), never the
/// raw path: it bounds the metrics' labels and keeps license keys and ids
/// out of the log. `unmatched` for requests no route took.
pub(crate) fn route_of<B>(request: &axum::http::Request<B>) -> &str {
    request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map_or("unmatched", axum::extract::MatchedPath::as_str)
}
