//! What an operator sees: `/metrics` (for admin and auditor tokens only),
//! the request id on every answer and log line, and the access log.

mod support;

use std::collections::BTreeMap;

use serde_json::Value;
#[path = "support/logs.rs"]
mod logs;

use logs::{all_logs, captured_logs};
use support::*;

/// The captured lines whose request span has `request_id`.
fn lines_of(request_id: &str) -> Vec<Value> {
    let logs = captured_logs().lock().unwrap();
    String::from_utf8_lossy(&logs)
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|line| line["span"]["request_id"] == request_id)
        .collect()
}

/// A raw GET: status, headers, body text.
async fn get(
    srv: &Server,
    path: &str,
    token: Option<&str>,
    headers: &[(&str, &str)],
) -> (u16, reqwest::header::HeaderMap, String) {
    let mut req = srv.client.get(format!("{}{path}", srv.base));
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    let resp = req.send().await.expect("the server answers");
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    (status, headers, resp.text().await.unwrap())
}

/// The `x-request-id` of an answer.
fn request_id(headers: &reqwest::header::HeaderMap) -> String {
    headers
        .get("x-request-id")
        .expect("every answer carries x-request-id")
        .to_str()
        .unwrap()
        .to_owned()
}

/// One sample of the Prometheus text format.
#[derive(Debug)]
struct Sample {
    name: String,
    labels: BTreeMap<String, String>,
    value: f64,
}

/// Parses the Prometheus text format (version 0.0.4), strictly: every line
/// is a `# HELP`/`# TYPE` comment or `name{label="value",...} number`, and
/// every sample's family was given a type before it.
fn parse_metrics(text: &str) -> Vec<Sample> {
    let mut typed = Vec::new();
    let mut samples = Vec::new();
    for line in text.lines().filter(|l| !l.is_empty()) {
        if let Some(comment) = line.strip_prefix("# ") {
            let mut words = comment.splitn(3, ' ');
            let (kind, name) = (words.next(), words.next());
            match (kind, name, words.next()) {
                (Some("HELP"), Some(_), Some(_)) => {}
                (Some("TYPE"), Some(name), Some("counter" | "gauge" | "histogram")) => {
                    typed.push(name.to_owned())
                }
                _ => panic!("not a Prometheus comment: {line}"),
            }
            continue;
        }
        let name_end = line.find(['{', ' ']).expect(line);
        let name = &line[..name_end];
        assert!(
            !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
            "bad metric name: {line}"
        );
        let mut rest = &line[name_end..];
        let mut labels = BTreeMap::new();
        if let Some(inner) = rest.strip_prefix('{') {
            rest = inner;
            while let Some((key, after)) = rest.split_once("=\"") {
                let key = key.trim_start_matches(',');
                let mut value = String::new();
                let mut chars = after.char_indices();
                let end = loop {
                    match chars.next().expect(line) {
                        (_, '\\') => value.push(match chars.next().expect(line).1 {
                            'n' => '\n',
                            other => other,
                        }),
                        (i, '"') => break i,
                        (_, c) => value.push(c),
                    }
                };
                labels.insert(key.to_owned(), value);
                rest = &after[end + 1..];
                if let Some(closed) = rest.strip_prefix('}') {
                    rest = closed;
                    break;
                }
            }
        }
        let value = rest.strip_prefix(' ').expect(line);
        let value = match value {
            "+Inf" => f64::INFINITY,
            v => v.parse().unwrap_or_else(|_| panic!("bad value: {line}")),
        };
        assert!(
            typed.iter().any(|family| name.starts_with(family.as_str())),
            "a sample with no # TYPE: {line}"
        );
        samples.push(Sample {
            name: name.to_owned(),
            labels,
            value,
        });
    }
    samples
}

/// Scrapes `/metrics` with `token` and parses it.
async fn scrape(srv: &Server, token: &str) -> Vec<Sample> {
    let (status, headers, text) = get(srv, "/metrics", Some(token), &[]).await;
    assert_eq!(status, 200, "{text}");
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4"),
        "{headers:?}"
    );
    parse_metrics(&text)
}

/// The value of the sample `name` whose labels include `labels`.
fn value(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    samples
        .iter()
        .find(|s| {
            s.name == name
                && labels
                    .iter()
                    .all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v))
        })
        .map(|s| s.value)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_requests_by_route_and_status_for_staff_only() {
    captured_logs();
    let srv = Server::start(Backend::Sqlite).await;
    let admin = srv.admin.clone();

    // Not for anonymous callers, nor for roles that do not watch the server.
    let (status, _, body) = get(&srv, "/metrics", None, &[]).await;
    assert_eq!(status, 401, "{body}");
    assert!(!body.contains("licentia_http_requests_total"));
    let issuer = srv.token("issuer").await;
    assert_eq!(get(&srv, "/metrics", Some(&issuer), &[]).await.0, 403);

    assert_eq!(get(&srv, "/healthz", None, &[]).await.0, 200);
    assert_eq!(get(&srv, "/healthz", None, &[]).await.0, 200);
    let (status, _, _) = get(&srv, "/v1/licenses/lic_secretish", Some(&admin), &[]).await;
    assert_eq!(status, 404);
    let report = srv
        .post_ok("/v1/jobs/run", &admin, serde_json::json!({}), 200)
        .await;
    assert!(report["date"].is_string(), "{report}");

    let auditor = srv.token("auditor").await;
    let samples = scrape(&srv, &auditor).await;
    let requests = "licentia_http_requests_total";
    let health = [("method", "GET"), ("route", "/healthz"), ("status", "200")];
    assert_eq!(value(&samples, requests, &health), Some(2.0));
    // By route template: the id asked for is not a label.
    let license = [
        ("method", "GET"),
        ("route", "/v1/licenses/{id}"),
        ("status", "404"),
    ];
    assert_eq!(value(&samples, requests, &license), Some(1.0));
    assert!(samples
        .iter()
        .all(|s| !s.labels.values().any(|v| v.contains("lic_secretish"))));
    // Refused scrapes count too.
    let refused = [("route", "/metrics"), ("status", "401")];
    assert_eq!(value(&samples, requests, &refused), Some(1.0));
    let latency = "licentia_http_request_duration_seconds_count";
    let healthz = [("method", "GET"), ("route", "/healthz")];
    assert_eq!(value(&samples, latency, &healthz), Some(2.0));
    // The pool, and the job run with its (no) deliveries.
    let max = srv.config.max_connections;
    assert_eq!(
        value(&samples, "licentia_db_pool_max_connections", &[]),
        Some(f64::from(max))
    );
    let idle = value(
        &samples,
        "licentia_db_pool_connections",
        &[("state", "idle")],
    )
    .unwrap();
    let in_use = value(
        &samples,
        "licentia_db_pool_connections",
        &[("state", "in_use")],
    )
    .unwrap();
    assert!(idle + in_use >= 1.0 && idle + in_use <= f64::from(max));
    let runs = "licentia_job_runs_total";
    assert_eq!(value(&samples, runs, &[("outcome", "ok")]), Some(1.0));
    assert_eq!(value(&samples, runs, &[("outcome", "failed")]), Some(0.0));
    let deliveries = "licentia_deliveries_total";
    for outcome in ["delivered", "retrying", "failed"] {
        assert_eq!(
            value(&samples, deliveries, &[("outcome", outcome)]),
            Some(0.0)
        );
    }

    // Each server counts its own requests: a second one starts at zero.
    let other = Server::start(Backend::Sqlite).await;
    let samples = scrape(&other, &other.admin.clone()).await;
    assert_eq!(value(&samples, requests, &health), None);
    other.stop().await;
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_id_is_echoed_when_given_and_made_when_not() {
    captured_logs();
    let srv = Server::start(Backend::Sqlite).await;

    let given = [("x-request-id", "client-given-42")];
    let (_, headers, _) = get(&srv, "/healthz", None, &given).await;
    assert_eq!(request_id(&headers), "client-given-42");

    let (_, first, _) = get(&srv, "/healthz", None, &[]).await;
    let (_, second, _) = get(&srv, "/healthz", None, &[]).await;
    let (first, second) = (request_id(&first), request_id(&second));
    assert_eq!(first.len(), 36, "a UUID: {first}");
    assert_ne!(first, second);

    // An id that could forge a log line is not taken: a fresh one is made.
    let forged = [("x-request-id", "x\" status=200 route=\"/healthz")];
    let (_, headers, _) = get(&srv, "/healthz", None, &forged).await;
    assert_eq!(request_id(&headers).len(), 36);

    // Problem documents carry it, so a caller can quote it.
    let given = [("x-request-id", "problem-7")];
    let (status, headers, body) = get(&srv, "/v1/nowhere", None, &given).await;
    assert_eq!(status, 404);
    assert_eq!(request_id(&headers), "problem-7");
    let problem: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(problem["request_id"], "problem-7");
    assert!(s(&problem["type"]).ends_with("no_route"));
    let (status, headers, body) = get(&srv, "/v1/products", None, &[]).await;
    assert_eq!(status, 401);
    let problem: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(problem["request_id"], request_id(&headers).as_str());
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn access_log_names_the_request_and_never_its_token() {
    captured_logs();
    let srv = Server::start(Backend::Sqlite).await;
    let admin = srv.admin.clone();

    let id = [("x-request-id", "access-log-1")];
    let path = "/v1/licenses/lic_pathsecret?key=QUERYSECRET";
    let (status, _, _) = get(&srv, path, Some(&admin), &id).await;
    assert_eq!(status, 404);

    // The line is written before the answer leaves: no waiting.
    let lines = lines_of("access-log-1");
    let served: Vec<&Value> = lines
        .iter()
        .filter(|l| l["fields"]["message"] == "served")
        .collect();
    assert_eq!(served.len(), 1, "{lines:?}");
    let line = served[0];
    assert_eq!(line["level"], "INFO");
    assert_eq!(line["fields"]["status"], 404);
    assert!(line["fields"]["latency_ms"].as_f64().unwrap() >= 0.0);
    let span = &line["span"];
    assert_eq!(span["method"], "GET");
    assert_eq!(span["route"], "/v1/licenses/{id}");
    assert_eq!(span["client"], "127.0.0.1");

    // Neither the token sent nor the path's id or query reached the log.
    let logs = all_logs();
    assert!(!logs.contains(&admin), "the token was logged");
    assert!(!logs.contains("lic_pathsecret"));
    assert!(!logs.contains("QUERYSECRET"));
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handlers_own_log_lines_carry_the_request_id() {
    captured_logs();
    let srv = Server::start(Backend::Sqlite).await;
    srv.post_ok(
        "/v1/products",
        &srv.admin,
        serde_json::json!({"code": "obs", "name": "obs"}),
        201,
    )
    .await;
    // Another instance rotates the keys; this one notices when it next
    // signs, and logs the reload from inside the handler.
    let other = srv.another_instance().await;
    let (status, _) = srv
        .call_on(&other, "POST", "/v1/keys/rotate", Some(&srv.admin))
        .await;
    assert_eq!(status, 201);
    let id = [("x-request-id", "reload-1")];
    let path = "/v1/revocation-list?product=obs";
    assert_eq!(get(&srv, path, None, &id).await.0, 200);
    let lines = lines_of("reload-1");
    assert!(
        lines
            .iter()
            .any(|l| l["fields"]["message"] == "signing keys reloaded"),
        "{lines:?}"
    );
    other.stop().await.unwrap();
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn job_runs_and_their_deliveries_are_counted() {
    captured_logs();
    let srv = Server::start(Backend::Sqlite).await;
    let admin = srv.admin.clone();
    let (hook, seen) = webhook_receiver(false).await;
    let body = serde_json::json!({"kinds": ["license.expiring"], "webhook_url": hook});
    srv.post_ok("/v1/notice-subscriptions", &admin, body, 201)
        .await;
    let policy = srv
        .policy(
            &admin,
            "metrics-cad",
            serde_json::json!({"name": "yearly", "binding": "unbound"}),
        )
        .await;
    let license =
        serde_json::json!({"policy_id": policy, "licensee": "Jane", "expires": "2030-04-01"});
    srv.post_ok("/v1/licenses", &admin, license, 201).await;

    // 90 days before the last day: a notice, delivered at once.
    let report = srv
        .post_ok(
            "/v1/jobs/run",
            &admin,
            serde_json::json!({"date": "2030-01-01"}),
            200,
        )
        .await;
    assert_eq!(seen.lock().unwrap().len(), 1, "{report}");
    // A run refused (a day at the calendar's end) counts as failed.
    let (status, _) = srv
        .call(
            "POST",
            "/v1/jobs/run",
            Some(&admin),
            Some(serde_json::json!({"date": "9999-12-31"})),
        )
        .await;
    assert_eq!(status, 422);

    let samples = scrape(&srv, &admin).await;
    let runs = "licentia_job_runs_total";
    assert_eq!(value(&samples, runs, &[("outcome", "ok")]), Some(1.0));
    assert_eq!(value(&samples, runs, &[("outcome", "failed")]), Some(1.0));
    // The metrics say what the run's report said.
    for outcome in ["delivered", "retrying", "failed"] {
        let reported = report["deliveries"][outcome].as_f64().unwrap();
        assert_eq!(
            value(
                &samples,
                "licentia_deliveries_total",
                &[("outcome", outcome)]
            ),
            Some(reported),
            "{outcome}: {report}"
        );
    }
    assert_eq!(report["deliveries"]["delivered"], 1, "{report}");
    srv.stop().await;
}
