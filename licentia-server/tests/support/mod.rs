//! Test harness for the back office: starts the real server on 127.0.0.1:0
//! (SQLite in a temporary directory, or a fresh PostgreSQL database of its
//! own when `LICENTIA_TEST_POSTGRES` names a server) and talks HTTP to it.

#![allow(dead_code)] // each test file uses its own part of the harness

use std::path::Path;
use std::sync::{Arc, Mutex};

use hmac::{Hmac, Mac};
use sha2::Sha256;

use licentia::{Fingerprint, PublicKey, Verifier};
use licentia_server::{launch_with_listener, Config, Running};
use serde_json::{json, Value};

mod steps;
#[allow(unused_imports)] // as above: not every test file takes a step
pub use steps::*;
pub mod console;
pub mod qr;
pub mod softhsm;
pub mod tls;

/// The environment variable naming a PostgreSQL server for the tests.
pub const POSTGRES_ENV: &str = "LICENTIA_TEST_POSTGRES";

/// A PostgreSQL database made for one test, dropped when the test ends.
pub struct PgDb {
    server: String,
    pub name: String,
}

impl PgDb {
    /// A fresh database on the server `LICENTIA_TEST_POSTGRES` names, or
    /// `None` (and a line saying the test was skipped) when it is unset.
    pub async fn create(test: &str) -> Option<PgDb> {
        let Ok(server) = std::env::var(POSTGRES_ENV) else {
            // Straight to stderr, past the test harness's capture: a skipped
            // backend must be visible in a plain `cargo test`.
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED: {test} on PostgreSQL ({POSTGRES_ENV} is not set; scripts/test-postgres.sh sets it)"
            );
            return None;
        };
        let server = server.trim_end_matches('/').to_owned();
        let name = format!("licentia_test_{}", hex(&rand::random::<[u8; 8]>()));
        let admin = admin_connection(&server).await;
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&admin)
            .await
            .expect("create the test database");
        admin.close().await;
        Some(PgDb { server, name })
    }

    /// Its URL.
    pub fn url(&self) -> String {
        format!("{}/{}", self.server, self.name)
    }
}

async fn admin_connection(server: &str) -> sqlx::AnyPool {
    sqlx::any::install_default_drivers();
    sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .connect(&format!("{server}/postgres"))
        .await
        .unwrap_or_else(|e| panic!("cannot reach PostgreSQL at {server}: {e}"))
}

impl Drop for PgDb {
    fn drop(&mut self) {
        let server = self.server.clone();
        let name = self.name.clone();
        // Drop runs inside the test's runtime: use a thread with its own.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Runtime::new().expect("runtime");
            rt.block_on(async {
                let admin = admin_connection(&server).await;
                let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&admin)
                    .await;
                admin.close().await;
            });
        })
        .join();
    }
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Which database a test runs on.
pub enum Backend {
    Sqlite,
    Postgres(PgDb),
}

/// Declares a story's two tests, with the tokio test attribute given: the
/// first runs `story` on SQLite, the second on a fresh PostgreSQL database
/// of its own (and says it skipped when `LICENTIA_TEST_POSTGRES` is unset).
///
/// ```ignore
/// support::on_both_backends! {
///     #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
///     story => story_sqlite, story_postgres
/// }
/// ```
#[allow(unused_macros)] // as above: not every test file has such stories
macro_rules! on_both_backends {
    (#[$test:meta] $story:ident => $sqlite:ident, $postgres:ident) => {
        #[$test]
        async fn $sqlite() {
            $story($crate::support::Backend::Sqlite).await;
        }

        #[$test]
        async fn $postgres() {
            if let Some(db) = $crate::support::PgDb::create(stringify!($postgres)).await {
                $story($crate::support::Backend::Postgres(db)).await;
            }
        }
    };
}
#[allow(unused_imports)] // not every test file has stories on both backends
pub(crate) use on_both_backends;

/// A running server and an HTTP client for it.
pub struct Server {
    pub base: String,
    pub admin: String,
    pub client: reqwest::Client,
    pub running: Option<Running>,
    pub config: Config,
    pub dir: tempfile::TempDir,
    pub pg: Option<PgDb>,
    /// The empty data directories of other instances (PostgreSQL).
    pub elsewhere: Mutex<Vec<tempfile::TempDir>>,
}

/// The day the 90-day notice of [`Server::expiring_license`]'s license is due.
pub const NOTICE_DAY: &str = "2029-12-31";

/// A configuration on a temporary data directory.
pub fn config(dir: &Path, database_url: Option<String>) -> Config {
    Config {
        data_dir: dir.to_path_buf(),
        listen: "127.0.0.1:0".parse().unwrap(),
        // PostgreSQL needs the key-encryption key its instances share;
        // SQLite makes one in the data directory.
        kek: database_url.as_ref().map(|_| TEST_KEK.into()),
        database_url: database_url.map(Into::into),
        rate_limit_per_minute: 0,
        // The tests' webhook receivers listen here (tests/webhooks_ssrf.rs
        // starts servers without it).
        webhook_allow: vec!["127.0.0.1".into()],
        // Cheap password hashes: the tests log in often.
        argon2_memory_kib: 256,
        argon2_iterations: 1,
        ..Config::default()
    }
}

/// The key-encryption key of the tests on PostgreSQL (base64 of 32 bytes).
#[allow(dead_code)] // not every test file reads it
pub const TEST_KEK: &str = "dGVzdHMgb25seTogbmV2ZXIgYSByZWFsIEtFSyEhISE=";

impl Server {
    /// Starts a server on `backend`.
    pub async fn start(backend: Backend) -> Server {
        Server::start_configured(backend, |_| {}).await
    }

    /// Starts a server on `backend` with the test configuration as `edit`
    /// changes it (a mail server, the jobs' interval...).
    pub async fn start_configured(backend: Backend, edit: impl FnOnce(&mut Config)) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let (url, pg) = match backend {
            Backend::Sqlite => (None, None),
            Backend::Postgres(db) => (Some(db.url()), Some(db)),
        };
        let mut config = config(dir.path(), url);
        edit(&mut config);
        Server::start_with(config, dir, pg).await
    }

    /// Starts a server with `config`.
    pub async fn start_with(config: Config, dir: tempfile::TempDir, pg: Option<PgDb>) -> Server {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let running = launch_with_listener(config.clone(), listener)
            .await
            .unwrap();
        let admin = running
            .bootstrap_token
            .clone()
            .expect("a fresh database makes a bootstrap token");
        Server {
            base: base_of(&running),
            admin,
            client: reqwest::Client::new(),
            running: Some(running),
            config,
            dir,
            pg,
            elsewhere: Mutex::default(),
        }
    }

    /// Another instance on the same database. On PostgreSQL it starts as
    /// another machine would, on a fresh, empty data directory: from the
    /// database URL and the key-encryption key alone. (A SQLite database
    /// lives in the data directory: the instance shares it.)
    pub async fn another_instance(&self) -> Running {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let mut config = self.config.clone();
        if self.pg.is_some() {
            let empty = tempfile::tempdir().unwrap();
            config.data_dir = empty.path().to_path_buf();
            self.elsewhere.lock().unwrap().push(empty);
        }
        let running = launch_with_listener(config, listener).await.unwrap();
        assert!(
            running.bootstrap_token.is_none(),
            "only the first start bootstraps"
        );
        running
    }

    /// Sends a request; returns status and JSON body (Null when empty).
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        self.call_at(&self.base, method, path, token, body, &[])
            .await
    }

    /// Sends a request to `base` with extra headers.
    pub async fn call_at(
        &self,
        base: &str,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> (u16, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self.client.request(method, format!("{base}{path}"));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let resp = req.send().await.expect("the server answers");
        let status = resp.status().as_u16();
        let problem = resp.headers().get("content-type").is_some_and(|v| {
            v.to_str()
                .unwrap_or("")
                .starts_with("application/problem+json")
        });
        let text = resp.text().await.unwrap();
        if status >= 400 {
            assert!(problem, "{status} without a problem document: {text}");
            assert!(status < 500, "server error: {text}");
        }
        let value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        (status, value)
    }

    /// POSTs and asserts the status; returns the body.
    pub async fn post_ok(&self, path: &str, token: &str, body: Value, want: u16) -> Value {
        let (status, value) = self.call("POST", path, Some(token), Some(body)).await;
        assert_eq!(status, want, "POST {path}: {value}");
        value
    }

    /// A token with `role`, made by the admin.
    pub async fn token(&self, role: &str) -> String {
        let v = self
            .post_ok(
                "/v1/tokens",
                &self.admin.clone(),
                json!({"name": role, "role": role}),
                201,
            )
            .await;
        v["token"].as_str().unwrap().to_owned()
    }

    /// A verifier trusting every key the server publishes.
    pub async fn verifier(&self) -> Verifier {
        let (_, keys) = self.call("GET", "/v1/keys", None, None).await;
        Verifier::new(
            keys["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|k| PublicKey::from_pem(k["public_pem"].as_str().unwrap()).unwrap()),
        )
    }

    /// A product and a policy for it; returns (product id, policy id).
    pub async fn product_and_policy(
        &self,
        token: &str,
        code: &str,
        policy: Value,
    ) -> (String, String) {
        let product = self
            .post_ok(
                "/v1/products",
                token,
                json!({"code": code, "name": code}),
                201,
            )
            .await;
        let product_id = product["id"].as_str().unwrap().to_owned();
        let mut policy = policy;
        policy["product_id"] = json!(product_id);
        let policy = self.post_ok("/v1/policies", token, policy, 201).await;
        (product_id, policy["id"].as_str().unwrap().to_owned())
    }

    /// Issues a license from `policy_id`; returns (license id, license key).
    pub async fn issue(&self, token: &str, policy_id: &str) -> (String, String) {
        let v = self
            .post_ok(
                "/v1/licenses",
                token,
                json!({"policy_id": policy_id, "licensee": "Jane Doe"}),
                201,
            )
            .await;
        (
            v["license"]["id"].as_str().unwrap().to_owned(),
            v["license_key"].as_str().unwrap().to_owned(),
        )
    }

    /// As a new issuer, a product `code` and a license whose last day is
    /// 2030-03-31: its 90-day notice is due on [`NOTICE_DAY`].
    pub async fn expiring_license(&self, code: &str) {
        let issuer = self.token("issuer").await;
        let policy = self
            .policy(
                &issuer,
                code,
                json!({"name": "yearly", "binding": "unbound"}),
            )
            .await;
        self.post_ok(
            "/v1/licenses",
            &self.admin,
            json!({"policy_id": policy, "licensee": "Jane Doe", "expires": "2030-04-01"}),
            201,
        )
        .await;
    }

    /// Stops the in-process server.
    pub async fn stop(mut self) {
        if let Some(r) = self.running.take() {
            r.stop().await.unwrap();
        }
    }
}

/// The URL of a running instance: `http://<its address>`.
pub fn base_of(running: &Running) -> String {
    format!("http://{}", running.addr)
}

/// A machine fingerprint for `product`, named `n`.
pub fn machine(product: &str, n: usize) -> Fingerprint {
    Fingerprint::builder(product)
        .vendor("serial", &format!("SN-{n}"))
        .build()
        .unwrap()
}

/// What the webhook receiver saw: (status it answered, signature header,
/// notification id header, body).
pub type Seen = Arc<Mutex<Vec<(u16, String, String, String)>>>;

/// A webhook receiver on 127.0.0.1:0 that answers 200, or 500 to its first
/// request when `fail_first`; returns its URL and what it saw.
pub async fn webhook_receiver(fail_first: bool) -> (String, Seen) {
    let (app, seen) = webhook_app(fail_first);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, seen)
}

/// The webhook receiver's routes (`POST /hook`), to serve over HTTP or
/// HTTPS, and what it saw.
pub fn webhook_app(fail_first: bool) -> (axum::Router, Seen) {
    use axum::http::{HeaderMap, StatusCode};
    let seen: Seen = Arc::default();
    let log = seen.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: String| {
            let log = log.clone();
            async move {
                let mut log = log.lock().unwrap();
                let status = if fail_first && log.is_empty() {
                    500
                } else {
                    200
                };
                let header = |name: &str| {
                    headers
                        .get(name)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("")
                        .to_owned()
                };
                log.push((
                    status,
                    header("licentia-signature"),
                    header("licentia-notification-id"),
                    body,
                ));
                StatusCode::from_u16(status).unwrap()
            }
        }),
    );
    (app, seen)
}

/// The hex HMAC-SHA256 a webhook signature carries: over `<t>.<body>`.
pub fn hmac_hex(secret: &str, t: &str, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.{body}").as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A JSON string's text (panics with the value when it is not a string).
pub fn s(v: &Value) -> String {
    v.as_str()
        .unwrap_or_else(|| panic!("not a string: {v}"))
        .to_owned()
}

/// The last segment of a problem document's `type`: its stable name.
pub fn kind(problem: &Value) -> &str {
    problem["type"]
        .as_str()
        .and_then(|t| t.rsplit('/').next())
        .unwrap_or("")
}

/// Creates a customer node (`kind`: partner, customer or site); returns its id.
pub async fn node(
    srv: &Server,
    token: &str,
    kind: &str,
    name: &str,
    parent: Option<&str>,
) -> String {
    let v = srv
        .post_ok(
            "/v1/customers",
            token,
            json!({"kind": kind, "name": name, "parent_id": parent}),
            201,
        )
        .await;
    s(&v["id"])
}

/// One request of a burst: method, full URL, bearer token, JSON body.
pub type Shot = (&'static str, String, Option<String>, Value);

/// Sends every request at the same moment (each waits at a barrier until
/// all are ready) and returns each answer's status and JSON body, in the
/// order they completed.
pub async fn at_once(client: &reqwest::Client, shots: Vec<Shot>) -> Vec<(u16, Value)> {
    let barrier = Arc::new(tokio::sync::Barrier::new(shots.len()));
    let mut tasks = tokio::task::JoinSet::new();
    for (method, url, token, body) in shots {
        let client = client.clone();
        let barrier = barrier.clone();
        tasks.spawn(async move {
            let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
            let mut req = client.request(method, url).json(&body);
            if let Some(token) = token {
                req = req.bearer_auth(token);
            }
            barrier.wait().await;
            let resp = req.send().await.expect("the server answers");
            let status = resp.status().as_u16();
            let text = resp.text().await.unwrap();
            (
                status,
                serde_json::from_str(&text).unwrap_or(Value::String(text)),
            )
        });
    }
    let mut answers = Vec::new();
    while let Some(answer) = tasks.join_next().await {
        answers.push(answer.unwrap());
    }
    answers
}

/// How many of `answers` are `ok`; every other one must be a 409 `refusal`.
pub fn granted(answers: &[(u16, Value)], ok: u16, refusal: &str) -> usize {
    for (status, body) in answers {
        assert!(
            *status == ok || (*status == 409 && kind(body) == refusal),
            "{status} {body}"
        );
    }
    answers.iter().filter(|(status, _)| *status == ok).count()
}

/// `GET /v1/export/{what}`: status and CSV text (checked to be CSV).
pub async fn export(srv: &Server, what: &str, token: &str) -> (u16, String) {
    let resp = srv
        .client
        .get(format!("{}/v1/export/{what}", srv.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    if status == 200 {
        let ctype = resp.headers()["content-type"].to_str().unwrap().to_owned();
        assert!(ctype.starts_with("text/csv"), "{ctype}");
    }
    (status, resp.text().await.unwrap())
}

/// Every record of a CSV text, parsed by an independent reader (header first).
pub fn rows(text: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}
