//! The access log: each request runs in a `request` span (its id, method,
//! route template, client address through trusted proxies), so every line logged while it runs
//! names it, and one line at `info` says how it ended (status, latency).
//!
//! Nothing a caller sends as a credential is logged: no headers, no query
//! string, no raw path (a path may hold an id; the route template does not).

use std::net::SocketAddr;
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, Response};
use tower_http::classify::{ServerErrorsAsFailures, SharedClassifier};
use tower_http::trace::TraceLayer;
use tracing::Span;

use super::{request_id, route_of};
use crate::client_addr::ClientAddr;

/// The span of one request.
fn span(request: &Request<Body>) -> Span {
    // The client through trusted proxies when the accept loop resolved it,
    // else the peer.
    let extensions = request.extensions();
    let client = match (
        extensions.get::<ClientAddr>(),
        extensions.get::<ConnectInfo<SocketAddr>>(),
    ) {
        (Some(ClientAddr(addr)), _) => addr.to_string(),
        (None, Some(ConnectInfo(peer))) => peer.ip().to_string(),
        (None, None) => "-".to_owned(),
    };
    tracing::info_span!(
        "request",
        request_id = %request_id::of(request),
        method = %request.method(),
        route = %route_of(request),
        client = %client,
    )
}

/// The access-log line, written in the request's span.
fn served(response: &Response<Body>, latency: Duration, _: &Span) {
    tracing::info!(
        status = response.status().as_u16(),
        latency_ms = latency.as_secs_f64() * 1000.0,
        "served"
    );
}

/// The tracing layer as [`layer`] sets it up: the span above, the line
/// above, and nothing else.
pub(crate) type AccessLog = TraceLayer<
    SharedClassifier<ServerErrorsAsFailures>,
    fn(&Request<Body>) -> Span,
    (),
    fn(&Response<Body>, Duration, &Span),
    (),
    (),
    (),
>;

/// The tracing layer: the span above, the line above, nothing else (a 5xx
/// is in the line's status; its cause was logged where it happened).
pub(crate) fn layer() -> AccessLog {
    TraceLayer::new_for_http()
        .make_span_with(span as fn(&Request<Body>) -> Span)
        .on_request(())
        .on_response(served as fn(&Response<Body>, Duration, &Span))
        .on_body_chunk(())
        .on_eos(())
        .on_failure(())
}
