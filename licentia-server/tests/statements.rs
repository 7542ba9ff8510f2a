//! The statements each request a product or an issuing system sends most
//! often costs the database, counted on both backends from sqlx's own log
//! (one `sqlx::query` event per statement sent, in the request's span):
//! issue, activate (a new machine, and the same machine again), check in,
//! validate, deactivate, and a floating lease checked out, extended and
//! returned. Each count is the one the code was cut to; a change that
//! sends one statement more fails here and says which request grew. On
//! SQLite, the activations' machine lookups are explained too: each must
//! seek the machine, not walk its licence's activations.

#[path = "support/logs.rs"]
mod logs;
mod support;

use std::sync::Mutex;

use serde_json::{json, Value};
use support::{machine, s, Backend, Server};

/// What a request is expected to send: (name, statements on SQLite,
/// statements on PostgreSQL), as sqlx logs them: a transaction's `BEGIN`
/// is not logged; its `COMMIT` is on PostgreSQL, and on SQLite belongs to
/// the batch of requests that group commit writes at once. An issue reads
/// the caller's token and grants, the policy (once: the seat rules are
/// checked on the policy read) and product; every write appends to the
/// history chain: on SQLite its head moved, then the entry; on PostgreSQL
/// the entry queued, numbered and stored by the database at COMMIT.
const BUDGET: [(&str, usize, usize); 9] = [
    ("issue", 7, 7),
    // On PostgreSQL the seat, the machine and its entry in one statement.
    ("activate", 7, 5),
    // The seat taken, then given back when the machine's activation is
    // found to exist (the insert's conflict), all in one transaction.
    ("activate the same machine again", 9, 8),
    ("check in", 6, 6),
    ("validate", 3, 3),
    ("deactivate", 6, 6),
    ("check a lease out", 9, 9),
    ("extend a lease", 6, 6),
    ("return a lease", 5, 5),
];

/// Every `sqlx::query` event of this binary's servers, as JSON lines with
/// their request span (enabled with it: the span is at `info`).
fn statements() -> &'static Mutex<Vec<u8>> {
    logs::captured("off,sqlx::query=debug,licentia_server::observe=info")
}

/// The request id of request `what` in round `round` on `backend`
/// (spaces are not taken in an id; both backends' servers log here).
fn request_id(backend: &str, what: &str, round: usize) -> String {
    format!("{backend}-{}-{round}", what.replace(' ', "-"))
}

/// The statements sent in the span of request `id`: each one's summary.
/// A connection the pool opens for the request is set up first (`SET`,
/// `PRAGMA`): that is the connection's cost, once, not the request's.
fn sent_by(id: &str) -> Vec<String> {
    logged_by(id)
        .iter()
        .map(|fields| text(&fields["summary"]))
        .filter(|sql| !sql.starts_with("SET ") && !sql.starts_with("PRAGMA "))
        .collect()
}

/// The statements sent in the span of request `id`, whole (sqlx logs the
/// text beside a summary that cut it short).
fn sql_sent_by(id: &str) -> Vec<String> {
    logged_by(id)
        .iter()
        .map(|fields| match text(&fields["db.statement"]) {
            whole if whole.is_empty() => text(&fields["summary"]),
            whole => whole,
        })
        .collect()
}

/// The fields of each `sqlx::query` event in the span of request `id`.
fn logged_by(id: &str) -> Vec<Value> {
    let logs = statements().lock().unwrap();
    String::from_utf8_lossy(&logs)
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|line| line["target"] == "sqlx::query" && line["span"]["request_id"] == id)
        .map(|mut line| line["fields"].take())
        .collect()
}

fn text(field: &Value) -> String {
    field.as_str().unwrap_or("").trim().to_owned()
}

/// SQLite's plan for each statement of request `id` that looks a machine
/// up among a licence's activations: each must seek the machine by its
/// fingerprint, not walk the licence's activations until it meets it (an
/// activation grew slower with every seat its licence had filled).
async fn machine_lookups_seek(srv: &Server, id: &str) {
    let db = sqlx::SqlitePool::connect(&srv.config.database_url())
        .await
        .unwrap();
    let lookups: Vec<String> = sql_sent_by(id)
        .into_iter()
        .filter(|sql| sql.contains("FROM activations") && sql.contains("fingerprint ="))
        .collect();
    assert!(!lookups.is_empty(), "{id} looks its machine up");
    for sql in lookups {
        let text = format!("EXPLAIN QUERY PLAN {sql}");
        // Its parameters ($1 to $n), bound to anything: the plan is the same.
        let params = sql
            .split('$')
            .skip(1)
            .filter_map(|after| {
                let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
                digits.parse::<usize>().ok()
            })
            .max()
            .unwrap_or(0);
        let mut explain = sqlx::query(&text);
        for _ in 0..params {
            explain = explain.bind("x");
        }
        let plan: Vec<String> = explain
            .fetch_all(&db)
            .await
            .unwrap()
            .iter()
            .map(|row| sqlx::Row::get::<String, _>(row, "detail"))
            .collect();
        let reads = plan
            .iter()
            .find(|step| step.contains("activations"))
            .unwrap();
        assert!(
            reads.contains("fingerprint=?"),
            "{sql}\nreads the licence's activations: {plan:?}"
        );
    }
    db.close().await;
}

/// Sends a request under the request id `id`; its answer's body.
async fn send(
    srv: &Server,
    id: &str,
    (method, path): (&str, &str),
    headers: &[(&str, &str)],
    body: Option<Value>,
    want: u16,
) -> Value {
    let mut req = srv
        .client
        .request(method.parse().unwrap(), format!("{}{path}", srv.base))
        .header("x-request-id", id);
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    if let Some(body) = body {
        req = req.json(&body);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let body: Value = resp.json().await.unwrap_or(Value::Null);
    assert_eq!(status, want, "{method} {path}: {body}");
    body
}

async fn counted(backend: Backend) {
    statements();
    let postgres = matches!(backend, Backend::Postgres(_));
    let backend_name = if postgres { "postgres" } else { "sqlite" };
    let srv = Server::start(backend).await;
    let issuer = srv.admin.clone();
    let bearer = format!("Bearer {issuer}");
    let (_, locked) = srv
        .product_and_policy(
            &issuer,
            "stmt",
            json!({"name": "locked", "binding": "node-locked", "seats": 5}),
        )
        .await;
    let floating = srv
        .post_ok(
            "/v1/policies",
            &issuer,
            json!({"product_id": srv.get("/v1/products", &issuer).await["items"][0]["id"],
                   "name": "floating", "binding": "floating", "seats": 2,
                   "lease_ttl_secs": 3600}),
            201,
        )
        .await;
    let (_, floating_key) = srv.issue(&issuer, &s(&floating["id"])).await;
    // A first request of each kind warms what is cached (keys, policies).
    for round in 0..2 {
        let name = |what: &str| request_id(backend_name, what, round);
        let issued = send(
            &srv,
            &name("issue"),
            ("POST", "/v1/licenses"),
            &[("authorization", &bearer)],
            Some(json!({"policy_id": locked, "licensee": "Counted"})),
            201,
        )
        .await;
        let key = s(&issued["license_key"]);
        let this_machine = json!({"license_key": key,
                                  "fingerprint": machine("stmt", round).to_string(),
                                  "platform": "linux"});
        let activated = send(
            &srv,
            &name("activate"),
            ("POST", "/v1/activations"),
            &[],
            Some(this_machine.clone()),
            201,
        )
        .await;
        send(
            &srv,
            &name("activate the same machine again"),
            ("POST", "/v1/activations"),
            &[],
            Some(this_machine.clone()),
            201,
        )
        .await;
        let known = json!({"license_key": key, "fingerprint": this_machine["fingerprint"]});
        send(
            &srv,
            &name("check in"),
            ("POST", "/v1/check-ins"),
            &[],
            Some(known.clone()),
            200,
        )
        .await;
        send(
            &srv,
            &name("validate"),
            ("POST", "/v1/validate"),
            &[],
            Some(known),
            200,
        )
        .await;
        let activation = format!("/v1/activations/{}", s(&activated["activation_id"]));
        send(
            &srv,
            &name("deactivate"),
            ("DELETE", &activation),
            &[("x-license-key", &key)],
            None,
            200,
        )
        .await;
        let lease = send(
            &srv,
            &name("check a lease out"),
            ("POST", "/v1/leases"),
            &[],
            Some(json!({"license_key": floating_key,
                        "fingerprint": machine("stmt", 10 + round).to_string()})),
            201,
        )
        .await;
        let lease = format!("/v1/leases/{}", s(&lease["lease_id"]));
        send(
            &srv,
            &name("extend a lease"),
            ("POST", &format!("{lease}/heartbeat")),
            &[],
            Some(json!({"license_key": floating_key})),
            200,
        )
        .await;
        send(
            &srv,
            &name("return a lease"),
            ("DELETE", &lease),
            &[("x-license-key", &floating_key)],
            None,
            200,
        )
        .await;
    }
    let mut report = Vec::new();
    for (what, sqlite, pg) in BUDGET {
        let sent = sent_by(&request_id(backend_name, what, 1));
        let want = if postgres { pg } else { sqlite };
        report.push(format!("{what}: {} ({})", sent.len(), sent.join(" | ")));
        if sent.len() != want {
            report.push(format!("  ^ expected {want}"));
        }
    }
    let report = report.join("\n");
    assert!(
        !report.contains("expected"),
        "statements per request:\n{report}"
    );
    if !postgres {
        for what in ["activate", "activate the same machine again"] {
            machine_lookups_seek(&srv, &request_id(backend_name, what, 1)).await;
        }
    }
    srv.stop().await;
}

support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    counted => statements_per_request_sqlite, statements_per_request_postgres
}
