//! The server's metrics, in a [`Registry`] each server owns (no global
//! one: two servers in one process count apart), written in the Prometheus
//! text format.
//!
//! | metric | labels | what |
//! |---|---|---|
//! | `licentia_http_requests_total` | `method`, `route`, `status` | requests answered |
//! | `licentia_http_request_duration_seconds` | `method`, `route` | time to the answer's head (histogram) |
//! | `licentia_db_pool_connections` | `state` (`idle`, `in_use`) | the database pool now |
//! | `licentia_db_pool_max_connections` | | the pool's ceiling (`max_connections`) |
//! | `licentia_job_runs_total` | `outcome` (`ok`, `failed`) | runs of the jobs |
//! | `licentia_deliveries_total` | `outcome` (`delivered`, `retrying`, `failed`) | webhook and e-mail delivery attempts made by the jobs |
//!
//! Every label takes few values: `route` is the route template (or
//! `unmatched`), `method` one of the standard methods (or `other`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

use crate::delivery::DeliveryReport;
use crate::store::PoolStats;

/// The media type of [`Metrics::render`]'s text.
pub(crate) const CONTENT_TYPE: &str = prometheus_client::encoding::prometheus_text::CONTENT_TYPE;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Answered {
    method: &'static str,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Routed {
    method: &'static str,
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Outcome {
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PoolState {
    state: &'static str,
}

/// Latency buckets: 5 ms doubling to about 10 s.
fn latency_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.005, 2.0, 12))
}

/// One server's metrics.
pub(crate) struct Metrics {
    registry: Registry,
    requests: Family<Answered, Counter>,
    latency: Family<Routed, Histogram, fn() -> Histogram>,
    pool: Family<PoolState, Gauge>,
    pool_max: Gauge,
    job_runs: Family<Outcome, Counter>,
    deliveries: Family<Outcome, Counter>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

impl Metrics {
    /// A fresh registry, every count at zero.
    pub(crate) fn new() -> Metrics {
        let requests = Family::<Answered, Counter>::default();
        let latency =
            Family::<Routed, Histogram, fn() -> Histogram>::new_with_constructor(latency_histogram);
        let pool = Family::<PoolState, Gauge>::default();
        let pool_max = Gauge::default();
        let job_runs = Family::<Outcome, Counter>::default();
        let deliveries = Family::<Outcome, Counter>::default();
        let mut registry = Registry::with_prefix("licentia");
        registry.register(
            "http_requests",
            "Requests answered, by method, route template and status",
            requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "Seconds from a request's arrival to its answer's head, by method and route template",
            latency.clone(),
        );
        registry.register(
            "db_pool_connections",
            "Database connections open, by state (idle, in_use)",
            pool.clone(),
        );
        registry.register(
            "db_pool_max_connections",
            "Most database connections the pool opens",
            pool_max.clone(),
        );
        registry.register(
            "job_runs",
            "Runs of the jobs, by outcome (ok, failed)",
            job_runs.clone(),
        );
        registry.register(
            "deliveries",
            "Webhook and e-mail delivery attempts, by outcome (delivered, retrying, failed)",
            deliveries.clone(),
        );
        // Known outcomes are shown from the start, at zero: a rate over a
        // series that appears only at its first event misses that event.
        for outcome in ["ok", "failed"] {
            job_runs.get_or_create_owned(&Outcome { outcome });
        }
        for outcome in ["delivered", "retrying", "failed"] {
            deliveries.get_or_create_owned(&Outcome { outcome });
        }
        Metrics {
            registry,
            requests,
            latency,
            pool,
            pool_max,
            job_runs,
            deliveries,
        }
    }

    /// Counts one answered request.
    pub(crate) fn request_served(
        &self,
        method: &Method,
        route: &str,
        status: StatusCode,
        took: Duration,
    ) {
        let method = method_label(method);
        let route = route.to_owned();
        self.latency
            .get_or_create(&Routed {
                method,
                route: route.clone(),
            })
            .observe(took.as_secs_f64());
        self.requests
            .get_or_create(&Answered {
                method,
                route,
                status: status.as_u16(),
            })
            .inc();
    }

    /// Counts a run of the jobs, and the deliveries it attempted.
    pub(crate) fn job_ran(&self, deliveries: Option<&DeliveryReport>) {
        let outcome = if deliveries.is_some() { "ok" } else { "failed" };
        self.job_runs.get_or_create(&Outcome { outcome }).inc();
        if let Some(d) = deliveries {
            for (outcome, n) in [
                ("delivered", d.delivered),
                ("retrying", d.retrying),
                ("failed", d.failed),
            ] {
                self.deliveries
                    .get_or_create(&Outcome { outcome })
                    .inc_by(n);
            }
        }
    }

    /// The metrics as Prometheus text, with the pool as `pool` stands now.
    pub(crate) fn render_with(&self, pool: PoolStats) -> String {
        let in_use = pool.open.saturating_sub(pool.idle);
        self.pool
            .get_or_create(&PoolState { state: "idle" })
            .set(i64::from(pool.idle));
        self.pool
            .get_or_create(&PoolState { state: "in_use" })
            .set(i64::from(in_use));
        self.pool_max.set(i64::from(pool.max));
        self.render()
    }

    /// The metrics as Prometheus text.
    pub(crate) fn render(&self) -> String {
        let mut text = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::prometheus_text::encode(&mut text, &self.registry);
        text
    }
}

/// The method as a label: the standard ones by name, any other as `other`
/// (a client may send any token as a method).
fn method_label(method: &Method) -> &'static str {
    const KNOWN: [&str; 9] = [
        "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE",
    ];
    KNOWN
        .into_iter()
        .find(|known| *known == method.as_str())
        .unwrap_or("other")
}

/// The middleware that counts each request and its latency.
pub(crate) async fn count_request(
    State(metrics): State<Arc<Metrics>>,
    request: Request,
    next: Next,
) -> Response {
    let method = request.method().clone();
    let route = super::route_of(&request).to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    metrics.request_served(&method, &route, response.status(), started.elapsed());
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_outcomes_start_at_zero_and_odd_methods_share_one_label() {
        let metrics = Metrics::new();
        let text = metrics.render();
        assert!(
            text.contains("licentia_job_runs_total{outcome=\"failed\"} 0"),
            "{text}"
        );
        assert!(
            text.contains("licentia_deliveries_total{outcome=\"retrying\"} 0"),
            "{text}"
        );
        for method in ["FOO", "BAR"] {
            let method = Method::from_bytes(method.as_bytes()).unwrap();
            metrics.request_served(&method, "unmatched", StatusCode::NOT_FOUND, Duration::ZERO);
        }
        let text = metrics.render();
        assert!(
            text.contains("licentia_http_requests_total{method=\"other\",route=\"unmatched\",status=\"404\"} 2"),
            "{text}"
        );
    }
}
