//! PostgreSQL stopped and started again under a load of issues and
//! activations, with the server left running: while the database is away
//! every request fails cleanly (503 `database_unavailable` with
//! `Retry-After`, within a bound), afterwards requests succeed again without
//! a restart of the server, and every issue and activation that was
//! acknowledged is there, whole.
//!
//! Stopping the cluster breaks every other PostgreSQL test running at the
//! same time, so this one runs only when `LICENTIA_TEST_PG_RESTART` names
//! the cluster to stop as `VERSION/NAME` (e.g. `15/main`, the cluster
//! `LICENTIA_TEST_POSTGRES` points at; set by the last, solitary step of
//! scripts/test-postgres.sh) and says loudly that it skipped otherwise. It
//! needs root and Debian's `pg_ctlcluster`.

mod support;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use support::{config, items, machine, PgDb, Server};
use tokio::sync::Mutex;

/// The variable that allows this test to stop the PostgreSQL cluster.
const RESTART_ENV: &str = "LICENTIA_TEST_PG_RESTART";

/// A bound on every request: a request slower than this hangs.
const BOUND: Duration = Duration::from_secs(20);

/// Seconds the server waits for a database connection before its 503.
const ACQUIRE_TIMEOUT_SECS: u64 = 2;

const PRODUCT: &str = "restart";

/// The cluster to stop and start (`VERSION/NAME`), when allowed.
fn allowed_cluster() -> Option<(String, String)> {
    let named = std::env::var(RESTART_ENV).ok()?;
    let (version, name) = named
        .split_once('/')
        .unwrap_or_else(|| panic!("{RESTART_ENV} is VERSION/NAME, e.g. 15/main, not {named:?}"));
    Some((version.to_owned(), name.to_owned()))
}

/// Runs `pg_ctlcluster VERSION NAME ACTION`.
fn cluster((version, name): &(String, String), action: &str) {
    let status = std::process::Command::new("pg_ctlcluster")
        .args(["--skip-systemctl-redirect", version, name, action])
        .status()
        .expect("pg_ctlcluster runs");
    assert!(status.success(), "pg_ctlcluster {action} failed");
}

/// Starts the cluster again however the test ends, so a failure here does
/// not leave the database down for what runs next.
struct Restart<'a>(&'a (String, String));

impl Drop for Restart<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let _ = std::panic::catch_unwind(|| cluster(self.0, "start"));
        }
    }
}

/// What the load saw: acknowledged (license id, activation id) pairs and
/// licenses, and how many requests failed cleanly.
#[derive(Default)]
struct Seen {
    issued: Vec<String>,
    activated: Vec<(String, String)>,
    unavailable: usize,
}

/// Sends `req` within [`BOUND`]; a 2xx gives its body, anything else must
/// be the clean 503 (else the test fails).
async fn clean(req: reqwest::RequestBuilder) -> Option<Value> {
    let resp = tokio::time::timeout(BOUND, req.send())
        .await
        .expect("answered within the bound, database or not")
        .expect("the server itself stays up");
    let status = resp.status().as_u16();
    if (200..300).contains(&status) {
        return Some(resp.json().await.expect("a JSON answer"));
    }
    assert_unavailable(resp).await;
    None
}

/// The answer is 503 `database_unavailable`, a problem document with
/// `Retry-After`, saying nothing of the inside.
async fn assert_unavailable(resp: reqwest::Response) {
    let status = resp.status().as_u16();
    let retry = resp.headers().get("retry-after").cloned();
    let kind = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned());
    let text = resp.text().await.unwrap();
    assert_eq!(
        status, 503,
        "only a clean 503 while the database is away: {text}"
    );
    assert_eq!(kind.as_deref(), Some("application/problem+json"), "{text}");
    let problem: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        problem["type"], "https://licentia.dev/problems/database_unavailable",
        "{text}"
    );
    assert!(retry.is_some(), "503 without Retry-After: {text}");
}

/// One client: issue a license, activate a machine with its key, again.
async fn load(
    client: reqwest::Client,
    base: String,
    admin: String,
    policy: String,
    worker: usize,
    stop: Arc<AtomicBool>,
    seen: Arc<Mutex<Seen>>,
) {
    let mut n = 0;
    while !stop.load(Ordering::Relaxed) {
        n += 1;
        let issued = clean(
            client
                .post(format!("{base}/v1/licenses"))
                .bearer_auth(&admin)
                .json(&json!({"policy_id": policy, "licensee": format!("W{worker} {n}")})),
        )
        .await;
        let Some(issued) = issued else {
            seen.lock().await.unavailable += 1;
            continue;
        };
        let id = issued["license"]["id"].as_str().unwrap().to_owned();
        seen.lock().await.issued.push(id.clone());
        let fingerprint = machine(PRODUCT, worker * 100_000 + n).to_string();
        let activated = clean(client.post(format!("{base}/v1/activations")).json(
            &json!({"license_key": issued["license_key"], "fingerprint": fingerprint, "platform": "linux"}),
        ))
        .await;
        let mut seen = seen.lock().await;
        match activated {
            Some(a) => seen
                .activated
                .push((id, a["activation_id"].as_str().unwrap().to_owned())),
            None => seen.unavailable += 1,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_restart_under_load_fails_cleanly_then_recovers() {
    let Some(pg) = allowed_cluster() else {
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED: PostgreSQL restart under load ({RESTART_ENV} is not set; \
             the last step of scripts/test-postgres.sh sets it, alone)"
        );
        return;
    };
    let Some(db) = PgDb::create("postgres_restart").await else {
        panic!("{RESTART_ENV} is set but LICENTIA_TEST_POSTGRES is not");
    };
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(dir.path(), Some(db.url()));
    cfg.acquire_timeout_secs = ACQUIRE_TIMEOUT_SECS;
    let srv = Server::start_with(cfg, dir, Some(db)).await;
    let admin = srv.admin.clone();
    let policy = srv
        .policy(
            &admin,
            PRODUCT,
            json!({"name": "p", "binding": "node-locked", "seats": 1, "duration_days": 30}),
        )
        .await;
    let known = srv.issue(&admin, &policy).await.0;

    let client = reqwest::Client::new();
    let stop = Arc::new(AtomicBool::new(false));
    let seen = Arc::new(Mutex::new(Seen::default()));
    let mut workers = tokio::task::JoinSet::new();
    for worker in 0..4 {
        workers.spawn(load(
            client.clone(),
            srv.base.clone(),
            admin.clone(),
            policy.clone(),
            worker,
            stop.clone(),
            seen.clone(),
        ));
    }
    tokio::time::sleep(Duration::from_secs(1)).await;

    // The database goes away under the load (a fast shutdown: sessions in
    // the middle of a transaction are terminated).
    let guard = Restart(&pg);
    cluster(&pg, "stop");
    let issued_before = seen.lock().await.issued.len();
    assert!(issued_before > 0, "the load ran before the stop");
    // While it is away, reads, writes and the readiness probe fail cleanly.
    for req in [
        client.get(format!("{}/readyz", srv.base)),
        client
            .get(format!("{}/v1/licenses/{known}", srv.base))
            .bearer_auth(&admin),
        client
            .post(format!("{}/v1/licenses", srv.base))
            .bearer_auth(&admin)
            .json(&json!({"policy_id": policy, "licensee": "during the outage"})),
    ] {
        let resp = tokio::time::timeout(BOUND, req.send())
            .await
            .expect("answered within the bound while the database is down")
            .unwrap();
        assert_unavailable(resp).await;
    }
    cluster(&pg, "start");
    drop(guard);

    // The same server serves again, without a restart, within the bound.
    let back = tokio::time::Instant::now();
    loop {
        let resp = client
            .get(format!("{}/readyz", srv.base))
            .send()
            .await
            .unwrap();
        if resp.status() == 200 {
            break;
        }
        assert_unavailable(resp).await;
        assert!(
            back.elapsed() < BOUND,
            "the server did not recover after the database came back"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // The load goes on a while, then stops.
    let issued_at_recovery = seen.lock().await.issued.len();
    let resumed = tokio::time::Instant::now();
    while seen.lock().await.issued.len() < issued_at_recovery + 4 {
        assert!(resumed.elapsed() < BOUND, "the load did not resume");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    stop.store(true, Ordering::Relaxed);
    while let Some(done) = workers.join_next().await {
        done.expect("no load client failed");
    }

    // Everything acknowledged is there, whole: each license with its
    // activation and one seat in use for it.
    let seen = seen.lock().await;
    assert!(
        seen.unavailable > 0,
        "the load saw the outage (as clean 503s)"
    );
    let activated: std::collections::HashMap<&str, &str> = seen
        .activated
        .iter()
        .map(|(l, a)| (l.as_str(), a.as_str()))
        .collect();
    for id in &seen.issued {
        let (status, license) = srv
            .call("GET", &format!("/v1/licenses/{id}"), Some(&admin), None)
            .await;
        assert_eq!(status, 200, "license {id} was acknowledged but is lost");
        let (_, list) = srv
            .call(
                "GET",
                &format!("/v1/licenses/{id}/activations"),
                Some(&admin),
                None,
            )
            .await;
        let items = items(&list);
        assert_eq!(
            license["seats_used"].as_u64(),
            Some(items.len() as u64),
            "seats in use match the activations of {id}: {license}"
        );
        if let Some(activation) = activated.get(id.as_str()) {
            assert_eq!(
                items.iter().map(|a| &a["id"]).collect::<Vec<_>>(),
                vec![&json!(activation)],
                "activation of {id} was acknowledged but is lost"
            );
        }
    }
    // The history chain is whole.
    let entries = licentia_server::verify_history(&srv.config)
        .await
        .expect("the history chain is intact");
    assert!(entries as usize > seen.issued.len());
    drop(seen);
    srv.stop().await;
}
