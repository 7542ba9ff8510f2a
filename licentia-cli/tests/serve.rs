//! The real `licentia` binary: `serve` started with no configuration, killed
//! with SIGKILL while issuing and activating, loses no license or activation
//! it answered 2xx for and shows nothing half-written; `token
//! create`, `key rotate` and `audit verify` work on its data directory.

#[path = "../../licentia-server/tests/support/mod.rs"]
mod support;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_licentia");

/// A `licentia serve` process; its address and bootstrap token are read
/// from its standard output (no sleeping: the line comes once it listens).
struct Process {
    child: Child,
    base: String,
    token: Option<String>,
}

impl Drop for Process {
    /// A failing test leaves no server running.
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The bootstrap token in the file the first start wrote, after checking
/// that only its owner may read it.
fn bootstrap_token(path: &Path) -> String {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "{}", path.display());
    std::fs::read_to_string(path).unwrap().trim().to_owned()
}

// The child is waited for by `Process::drop`.
#[allow(clippy::zombie_processes)]
fn serve(dir: &Path) -> Process {
    let mut child = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut token = None;
    loop {
        let line = lines
            .next()
            .expect("the server prints its address")
            .unwrap();
        if let Some(rest) = line.strip_prefix("bootstrap admin token written to ") {
            let path = Path::new(rest.split(" (").next().unwrap());
            token = Some(bootstrap_token(path));
        }
        if let Some(addr) = line.strip_prefix("licentia listening on ") {
            return Process {
                child,
                base: addr.trim().to_owned(),
                token,
            };
        }
    }
}

fn cli(args: &[&str], dir: &Path) -> (bool, String) {
    let out = Command::new(BIN)
        .args(args)
        .arg("--data-dir")
        .arg(dir)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

async fn post(client: &reqwest::Client, url: String, token: &str, body: Value) -> (u16, Value) {
    let resp = client
        .post(url)
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    (
        resp.status().as_u16(),
        resp.json().await.unwrap_or(Value::Null),
    )
}

/// The signing keys a server at `base` publishes (`GET /v1/keys`).
async fn published_keys(client: &reqwest::Client, base: &str) -> Value {
    let resp = client.get(format!("{base}/v1/keys")).send().await.unwrap();
    resp.json().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigkill_loses_no_answered_license() {
    let dir = tempfile::tempdir().unwrap();
    let mut first = serve(dir.path());
    let admin = first
        .token
        .clone()
        .expect("the first start prints a bootstrap token");
    let client = reqwest::Client::new();

    let (_, product) = post(
        &client,
        format!("{}/v1/products", first.base),
        &admin,
        json!({"code": "kill", "name": "Kill"}),
    )
    .await;
    let (_, policy) = post(
        &client,
        format!("{}/v1/policies", first.base),
        &admin,
        json!({"product_id": product["id"], "name": "p", "binding": "node-locked", "seats": 1, "duration_days": 30}),
    )
    .await;

    // Many issues and activations in flight; the process dies under them.
    // Each client issues a license, then activates a machine with its key.
    let (answered_tx, mut answered_rx) = tokio::sync::mpsc::unbounded_channel();
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..200 {
        let client = client.clone();
        let base = first.base.clone();
        let admin = admin.clone();
        let body = json!({"policy_id": policy["id"], "licensee": format!("Customer {n}")});
        let fingerprint = licentia::Fingerprint::builder("kill")
            .vendor("serial", &format!("SN-{n}"))
            .build()
            .unwrap()
            .to_string();
        let answered_tx = answered_tx.clone();
        tasks.spawn(async move {
            let ok_json = |resp: reqwest::Result<reqwest::Response>| async move {
                match resp {
                    Ok(resp) if resp.status().is_success() => resp.json::<Value>().await.ok(),
                    _ => None,
                }
            };
            let issued = client
                .post(format!("{base}/v1/licenses"))
                .bearer_auth(&admin)
                .json(&body)
                .send()
                .await;
            let Some(issued) = ok_json(issued).await else {
                return;
            };
            let id = issued["license"]["id"].as_str().unwrap().to_owned();
            let _ = answered_tx.send(Answered::Issued(id.clone()));
            let activated = client
                .post(format!("{base}/v1/activations"))
                .json(&json!({"license_key": issued["license_key"], "fingerprint": fingerprint}))
                .send()
                .await;
            if let Some(a) = ok_json(activated).await {
                let activation = a["activation_id"].as_str().unwrap().to_owned();
                let _ = answered_tx.send(Answered::Activated(id, activation));
            }
        });
    }
    drop(answered_tx);
    // The kill comes once some activations are answered: issues and
    // activations are then both in flight.
    let mut answered = Vec::new();
    while answered
        .iter()
        .filter(|a| matches!(a, Answered::Activated(..)))
        .count()
        < 10
    {
        answered.push(answered_rx.recv().await.expect("some requests succeed"));
    }
    first.child.kill().unwrap(); // SIGKILL
    first.child.wait().unwrap();
    while tasks.join_next().await.is_some() {}
    while let Ok(a) = answered_rx.try_recv() {
        answered.push(a);
    }
    // A fresh process on the same data directory has every answered license
    // and activation, and nothing half-done: each license's seats in use
    // are its activations.
    let second = serve(dir.path());
    assert!(
        second.token.is_none(),
        "the bootstrap token is shown once, at the first start"
    );
    let get = |path: String| {
        let client = client.clone();
        let admin = admin.clone();
        let base = second.base.clone();
        async move {
            let resp = client
                .get(format!("{base}{path}"))
                .bearer_auth(&admin)
                .send()
                .await
                .unwrap();
            let status = resp.status().as_u16();
            (status, resp.json::<Value>().await.unwrap())
        }
    };
    for a in &answered {
        let id = match a {
            Answered::Issued(id) | Answered::Activated(id, _) => id,
        };
        let (status, license) = get(format!("/v1/licenses/{id}")).await;
        assert_eq!(status, 200, "license {id} was answered 201 but is lost");
        let (_, activations) = get(format!("/v1/licenses/{id}/activations")).await;
        let items = activations["items"].as_array().unwrap();
        assert_eq!(
            license["seats_used"].as_u64(),
            Some(items.len() as u64),
            "{license}"
        );
        if let Answered::Activated(_, activation) = a {
            assert_eq!(
                items.iter().map(|i| &i["id"]).collect::<Vec<_>>(),
                vec![&json!(activation)],
                "activation {activation} was answered 201 but is lost"
            );
        }
    }

    // The host commands on the same data directory.
    let (ok, out) = cli(&["token", "create", "--role", "auditor"], dir.path());
    assert!(ok, "{out}");
    let auditor = out.trim().to_owned();
    let resp = client
        .get(format!("{}/v1/history", second.base))
        .bearer_auth(&auditor)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let (ok, out) = cli(&["audit", "verify"], dir.path());
    assert!(ok && out.contains("history intact"), "{out}");
    let (ok, out) = cli(&["key", "rotate"], dir.path());
    assert!(ok && out.contains("new active signing key"), "{out}");
    // `key retire` refuses the active key and retires the old one, which
    // the running server then lists as retired.
    let keys = published_keys(&client, &second.base).await;
    let id_in = |state: &str| {
        keys["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["state"] == state)
            .and_then(|k| k["key_id"].as_str())
            .unwrap()
            .to_owned()
    };
    let (old, new) = (id_in("trusted"), id_in("active"));
    let (ok, out) = cli(&["key", "retire", &new], dir.path());
    assert!(!ok && out.contains("rotate first"), "{out}");
    let (ok, out) = cli(&["key", "retire", &old], dir.path());
    assert!(ok && out.contains("retired"), "{out}");
    let listed = published_keys(&client, &second.base).await;
    assert_eq!(listed["retired"], json!([old]));
    let (ok, _) = cli(&["token", "create", "--role", "emperor"], dir.path());
    assert!(!ok);

    // An edited history entry is named by `audit verify`.
    let mut second = second;
    second.child.kill().unwrap();
    second.child.wait().unwrap();
    let db = dir.path().join("licentia.db");
    let conn = sqlx_edit(&db, "UPDATE history SET actor = 'mallory' WHERE seq = 3").await;
    assert_eq!(conn, 1);
    let (ok, out) = cli(&["audit", "verify"], dir.path());
    assert!(!ok && out.contains("entry 3 was altered"), "{out}");
}

/// What the killed server acknowledged.
enum Answered {
    /// A license (its id).
    Issued(String),
    /// A license and the activation on it.
    Activated(String, String),
}

/// Runs one statement on the SQLite file, as an intruder would.
async fn sqlx_edit(db: &Path, sql: &str) -> u64 {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&format!("sqlite://{}", db.display()))
        .await
        .unwrap();
    let n = sqlx::query(sql)
        .execute(&pool)
        .await
        .unwrap()
        .rows_affected();
    pool.close().await;
    n
}

#[test]
fn starts_with_no_configuration_and_stops_on_sigterm() {
    let cwd = tempfile::tempdir().unwrap();
    let mut child = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .current_dir(cwd.path())
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    assert!(
        first.starts_with("bootstrap admin token written to "),
        "{first}"
    );
    let second = lines.next().unwrap().unwrap();
    assert!(
        second.starts_with("licentia listening on http://127.0.0.1:"),
        "{second}"
    );

    // The default data directory: a WAL database, the key-encryption key
    // its signing key is sealed under, and the bootstrap token, all
    // owner-only; the token itself was never printed.
    let data = cwd.path().join("licentia-data");
    let token = bootstrap_token(&data.join("bootstrap-admin-token"));
    assert!(token.starts_with("lic_") && !first.contains(&token));
    assert!(
        data.join("licentia.db-wal").exists(),
        "SQLite runs in WAL mode"
    );
    assert!(
        !data.join("keys").exists(),
        "no key file: the key is in the database"
    );
    let kek = data.join("kek");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |name: &str| {
            std::fs::metadata(data.join(name))
                .unwrap()
                .permissions()
                .mode()
                & 0o777
        };
        for private in ["licentia.db", "licentia.db-wal", "licentia.db-shm", "kek"] {
            assert_eq!(mode(private), 0o600, "{private}");
        }
        assert_eq!(
            std::fs::metadata(&data).unwrap().permissions().mode() & 0o777,
            0o700,
            "a new data directory is owner-only"
        );
    }

    // SIGTERM: a graceful stop, exit status 0.
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    assert!(child.wait().unwrap().success());

    // A key-encryption key others can read is refused at start.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&kek, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = refused_start(|serve| serve.current_dir(cwd.path()));
        assert!(err.contains("key-encryption key"), "{err}");
    }
}

#[test]
fn a_misspelt_setting_stops_the_server_and_names_the_settings() {
    let dir = tempfile::tempdir().unwrap();
    let err = refused_start(|serve| {
        serve
            .arg("--data-dir")
            .arg(dir.path())
            .env("LICENTIA_RATE_LIMIT_PER_MINUT", "0")
    });
    assert!(
        err.contains("LICENTIA_RATE_LIMIT_PER_MINUT") && err.contains("rate_limit_per_minute"),
        "{err}"
    );
    // The same setting spelt right, as a flag, is taken.
    let (ok, text) = cli(&["jobs", "run", "--set", "lead_times=60,14"], dir.path());
    assert!(ok, "{text}");
    let (ok, text) = cli(&["jobs", "run", "--set", "lead_time=60"], dir.path());
    assert!(!ok && text.contains("lead_time"), "{text}");
}

/// Starts `serve` on any port, set up by `setup`, expects it to stop at
/// once with an error, and returns what it wrote on standard error.
fn refused_start(setup: impl FnOnce(&mut Command) -> &mut Command) -> String {
    let mut serve = Command::new(BIN);
    serve.args(["serve", "--listen", "127.0.0.1:0"]);
    let out = setup(&mut serve).output().unwrap();
    assert!(!out.status.success());
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `--tls-cert` and `--tls-key`: the server says it listens on https and
/// answers there; a key file others may read stops it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serves_https_with_the_tls_flags() {
    let dir = tempfile::tempdir().unwrap();
    let pki = support::tls::make_pki(dir.path());
    let mut child = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path().join("data"))
        .arg("--tls-cert")
        .arg(&pki.cert)
        .arg("--tls-key")
        .arg(&pki.key)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let line = tokio::task::spawn_blocking(move || {
        BufReader::new(stdout)
            .lines()
            .map(|l| l.unwrap())
            .find(|l| l.starts_with("licentia listening on "))
            .expect("the server prints its address")
    })
    .await
    .unwrap();
    let server = Process {
        child,
        base: String::new(),
        token: None,
    };
    let addr = line
        .strip_prefix("licentia listening on https://")
        .unwrap_or_else(|| panic!("{line}"));
    let port = addr.rsplit(':').next().unwrap();
    let resp = support::tls::client_trusting(&pki.ca)
        .get(format!("https://localhost:{port}/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    drop(server);

    support::tls::set_mode(&pki.key, 0o640);
    let err = refused_start(|serve| {
        serve
            .arg("--data-dir")
            .arg(dir.path().join("data"))
            .arg("--tls-cert")
            .arg(&pki.cert)
            .arg("--tls-key")
            .arg(&pki.key)
    });
    assert!(err.contains("tls_key"), "{err}");
}
