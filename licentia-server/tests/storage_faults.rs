//! The database's storage fails under a running server: full, or read-only.
//! Writes are refused with a problem that says so (507 `storage_full`, 503
//! `read_only`), never a 500; nothing acknowledged is lost; reads are still
//! served; and writes work again, without a restart, once an operator has
//! cleared the condition.
//!
//! The conditions are real, not simulated: a data directory on a tiny
//! tmpfs that fills up (SQLite); database files made immutable (`chattr +i`,
//! SQLite: root ignores file modes); `default_transaction_read_only` on the
//! database (PostgreSQL); a tablespace on a tiny tmpfs (PostgreSQL). Each
//! test says loudly that it skipped when the machine does not allow it
//! (mounting and `chattr` need root).

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde_json::{json, Value};
use support::{config, items, kind, Backend, PgDb, Server, POSTGRES_ENV};

/// A bound on every loop that waits for a condition to show.
const ATTEMPTS: usize = 200;

fn skipped(what: &str, why: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "SKIPPED: {what} ({why})");
}

/// Runs a command; whether it succeeded.
fn run(program: &str, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .output()
        .is_ok_and(|out| out.status.success())
}

/// A tmpfs of `megabytes` mounted on a temporary directory, unmounted on drop.
struct TinyFs {
    dir: tempfile::TempDir,
}

impl TinyFs {
    fn mount(megabytes: u32) -> Option<TinyFs> {
        let dir = tempfile::tempdir().unwrap();
        let size = format!("size={megabytes}m");
        let target = dir.path().to_str().unwrap();
        run("mount", &["-t", "tmpfs", "-o", &size, "tmpfs", target]).then_some(TinyFs { dir })
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Fills the file system to the last byte; returns the filler file.
    fn fill(&self) -> PathBuf {
        use std::io::Write;
        let path = self.path().join("filler");
        let mut file = std::fs::File::create(&path).unwrap();
        let chunk = vec![0u8; 64 * 1024];
        while file.write_all(&chunk).is_ok() {}
        while file.write_all(&[0]).is_ok() {}
        let _ = file.sync_all();
        path
    }
}

impl Drop for TinyFs {
    fn drop(&mut self) {
        // Lazily: a server still holding files must not keep it mounted.
        run("umount", &["-l", self.dir.path().to_str().unwrap()]);
    }
}

/// A request without the harness's "never 5xx" assertion: (status,
/// `Retry-After` present, body). Every error is a problem document.
async fn send(srv: &Server, method: &str, path: &str, body: Option<Value>) -> (u16, bool, Value) {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut req = srv
        .client
        .request(method, format!("{}{path}", srv.base))
        .bearer_auth(&srv.admin)
        .timeout(Duration::from_secs(30));
    if let Some(body) = body {
        req = req.json(&body);
    }
    let resp = req.send().await.expect("the server answers");
    let status = resp.status().as_u16();
    let retry = resp.headers().contains_key("retry-after");
    let problem = resp
        .headers()
        .get("content-type")
        .is_some_and(|v| v.to_str().unwrap() == "application/problem+json");
    let text = resp.text().await.unwrap();
    assert!(
        status < 400 || problem,
        "{status} without a problem: {text}"
    );
    (
        status,
        retry,
        serde_json::from_str(&text).unwrap_or(Value::Null),
    )
}

/// Creates products until one is refused; every refusal must be `want`
/// (after, at most, connections lost to the change: `database_unavailable`).
/// Returns the codes acknowledged on the way and the refusal.
async fn write_until_refused(srv: &Server, tag: &str, want: (u16, &str)) -> (Vec<String>, Value) {
    let mut acknowledged = Vec::new();
    for n in 0..ATTEMPTS {
        let code = format!("{tag}-{n}");
        let (status, retry, body) = send(
            srv,
            "POST",
            "/v1/products",
            Some(json!({"code": code, "name": "x".repeat(250)})),
        )
        .await;
        match (status, kind(&body)) {
            (201, _) => acknowledged.push(code),
            (503, "database_unavailable") => assert!(retry),
            (s, k) if (s, k) == want => {
                assert!(
                    body["detail"]
                        .as_str()
                        .is_some_and(|d| d.contains("nothing was changed")),
                    "{body}"
                );
                return (acknowledged, body);
            }
            _ => panic!("a write refused with {status} {body}, not {want:?}"),
        }
    }
    panic!("no write was refused with {want:?} in {ATTEMPTS} attempts");
}

/// Writes work again (allowing a few answers for the condition to clear).
async fn writes_work_again(srv: &Server, tag: &str) -> String {
    for n in 0..ATTEMPTS {
        let code = format!("{tag}-again-{n}");
        let (status, _, body) = send(
            srv,
            "POST",
            "/v1/products",
            Some(json!({"code": code, "name": code})),
        )
        .await;
        if status == 201 {
            return code;
        }
        assert!(matches!(status, 503 | 507), "{status} {body}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("writes did not work again once the condition cleared");
}

/// Reads are served, and every acknowledged product is there.
async fn reads_served(srv: &Server, license: &str, acknowledged: &[String]) {
    let (status, _, body) = send(srv, "GET", &format!("/v1/licenses/{license}"), None).await;
    assert_eq!(status, 200, "{body}");
    let (status, _, body) = send(srv, "GET", "/v1/products?limit=500", None).await;
    assert_eq!(status, 200, "{body}");
    let codes: Vec<&str> = items(&body)
        .iter()
        .map(|p| p["code"].as_str().unwrap())
        .collect();
    for code in acknowledged {
        assert!(
            codes.contains(&code.as_str()),
            "{code} was acknowledged but is lost"
        );
    }
}

/// The fault's story once its condition is set: writes refused with
/// `want`, reads served and nothing acknowledged lost; then, once `clear`
/// has lifted the condition, writes work again without a restart, and the
/// history chain is whole. Returns the refusal.
async fn refused_until_cleared(
    srv: &Server,
    license: &str,
    (tag, want): (&str, (u16, &str)),
    clear: impl std::future::Future<Output = ()>,
) -> Value {
    let (acknowledged, refusal) = write_until_refused(srv, tag, want).await;
    reads_served(srv, license, &acknowledged).await;

    clear.await;
    let again = writes_work_again(srv, tag).await;
    reads_served(srv, license, &[acknowledged, vec![again]].concat()).await;
    licentia_server::verify_history(&srv.config)
        .await
        .expect("the history chain is whole");
    refusal
}

/// A license to read back during the fault.
async fn a_license(srv: &Server) -> String {
    let policy = srv
        .policy(
            &srv.admin,
            "base",
            json!({"name": "p", "duration_days": 30}),
        )
        .await;
    srv.issue(&srv.admin, &policy).await.0
}

#[tokio::test]
async fn sqlite_full_refuses_writes_then_recovers() {
    let Some(fs) = TinyFs::mount(6) else {
        return skipped(
            "SQLite on a full file system",
            "cannot mount a tmpfs: needs root",
        );
    };
    let data = fs.path().join("data");
    let srv = Server::start_with(config(&data, None), tempfile::tempdir().unwrap(), None).await;
    let license = a_license(&srv).await;

    let filler = fs.fill();
    let full = ("full", (507, "storage_full"));
    let refusal = refused_until_cleared(&srv, &license, full, async {
        std::fs::remove_file(filler).unwrap();
    })
    .await;
    assert!(refusal["detail"].as_str().unwrap().contains("out of space"));
    srv.stop().await;
}

/// `chattr +i`/`-i` on the database and its write-ahead log. Not on the
/// shared-memory index: SQLite maps it, and a write to a mapped immutable
/// file is a SIGBUS, not an error.
fn immutable(db: &Path, on: bool) -> bool {
    let flag = if on { "+i" } else { "-i" };
    let wal = db.with_extension("db-wal");
    run(
        "chattr",
        &[flag, db.to_str().unwrap(), wal.to_str().unwrap()],
    )
}

/// Makes the files writable again however the test ends.
struct Mutable(PathBuf);

impl Drop for Mutable {
    fn drop(&mut self) {
        immutable(&self.0, false);
    }
}

#[tokio::test]
async fn sqlite_read_only_refuses_writes_then_recovers() {
    let srv = Server::start(Backend::Sqlite).await;
    let license = a_license(&srv).await;
    let db = srv.dir.path().join("licentia.db");
    let _guard = Mutable(db.clone());
    if !immutable(&db, true) {
        return skipped(
            "SQLite on read-only files",
            "chattr +i failed: needs root and a file system with attributes",
        );
    }
    let read_only = ("ro", (503, "read_only"));
    refused_until_cleared(&srv, &license, read_only, async {
        assert!(immutable(&db, false));
    })
    .await;
    srv.stop().await;
}

/// Runs `sql` as the PostgreSQL superuser, on the `postgres` database.
async fn pg_admin(sql: &str) {
    let server = std::env::var(POSTGRES_ENV).unwrap();
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&format!("{}/postgres", server.trim_end_matches('/')))
        .await
        .unwrap();
    sqlx::raw_sql(sql).execute(&pool).await.unwrap();
    pool.close().await;
}

/// Sets `default_transaction_read_only` on `db` and ends its sessions, so
/// that the server's next connections see it.
async fn pg_read_only(db: &str, on: bool) {
    pg_admin(&format!(
        "ALTER DATABASE {db} SET default_transaction_read_only = {on}; \
         SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = '{db}' AND pid <> pg_backend_pid();"
    ))
    .await;
}

#[tokio::test]
async fn postgres_read_only_refuses_writes_then_recovers() {
    let Some(db) = PgDb::create("postgres read-only").await else {
        return;
    };
    let name = db.name.clone();
    let srv = Server::start(Backend::Postgres(db)).await;
    let license = a_license(&srv).await;

    pg_read_only(&name, true).await;
    let read_only = ("ro", (503, "read_only"));
    refused_until_cleared(&srv, &license, read_only, pg_read_only(&name, false)).await;
    srv.stop().await;
}

/// Stores an `Idempotency-Key` answer, for a later job run to purge.
async fn an_idempotent_answer(srv: &Server) {
    let resp = srv
        .client
        .post(format!("{}/v1/notice-subscriptions", srv.base))
        .bearer_auth(&srv.admin)
        .header("Idempotency-Key", "purge-me")
        .json(&json!({"kinds": ["license.expiring"], "webhook_url": "http://127.0.0.1:9/hook"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 201);
}

/// `POST /v1/jobs/run` on storage that refuses writes: the purge of old
/// `Idempotency-Key` answers (a run far ahead makes them all old) is
/// refused as any write is (503 `read_only`), not answered with a 500.
async fn jobs_run_refused(srv: &Server) {
    let (status, retry, problem) = send(
        srv,
        "POST",
        "/v1/jobs/run",
        Some(json!({"date": "2100-01-01"})),
    )
    .await;
    assert_eq!((status, kind(&problem)), (503, "read_only"), "{problem}");
    assert!(retry);
}

#[tokio::test]
async fn sqlite_read_only_jobs_run_answers_503() {
    let srv = Server::start(Backend::Sqlite).await;
    an_idempotent_answer(&srv).await;
    let db = srv.dir.path().join("licentia.db");
    let _guard = Mutable(db.clone());
    if !immutable(&db, true) {
        return skipped(
            "jobs on read-only SQLite files",
            "chattr +i failed: needs root and a file system with attributes",
        );
    }
    jobs_run_refused(&srv).await;
    assert!(immutable(&db, false));
    srv.stop().await;
}

#[tokio::test]
async fn postgres_read_only_jobs_run_answers_503() {
    let Some(db) = PgDb::create("postgres read-only jobs").await else {
        return;
    };
    let name = db.name.clone();
    let srv = Server::start(Backend::Postgres(db)).await;
    an_idempotent_answer(&srv).await;
    pg_read_only(&name, true).await;
    jobs_run_refused(&srv).await;
    pg_read_only(&name, false).await;
    srv.stop().await;
}

/// A tablespace on a tiny tmpfs, dropped (then unmounted) on drop.
struct TinyTablespace {
    name: String,
    fs: TinyFs,
}

impl TinyTablespace {
    /// Only on a local cluster, as root: the tablespace lives on this machine.
    async fn create(name: String) -> Option<TinyTablespace> {
        let server = std::env::var(POSTGRES_ENV).ok()?;
        if !(server.contains("@127.0.0.1") || server.contains("@localhost")) {
            return None;
        }
        let fs = TinyFs::mount(4)?;
        let dir = fs.path().to_str().unwrap().to_owned();
        if !run("chown", &["postgres:postgres", &dir]) {
            return None;
        }
        pg_admin(&format!("CREATE TABLESPACE {name} LOCATION '{dir}'")).await;
        Some(TinyTablespace { name, fs })
    }
}

impl Drop for TinyTablespace {
    fn drop(&mut self) {
        // After the test's database is gone (it is dropped first).
        let server = std::env::var(POSTGRES_ENV).unwrap();
        let url = format!("{}/postgres", server.trim_end_matches('/'));
        run(
            "psql",
            &[
                &url,
                "-qc",
                &format!("DROP TABLESPACE IF EXISTS {}", self.name),
            ],
        );
    }
}

#[tokio::test]
async fn postgres_full_refuses_writes_then_recovers() {
    let Some(db) = PgDb::create("postgres disk full").await else {
        return;
    };
    let Some(tablespace) = TinyTablespace::create(format!("{}_tiny", db.name)).await else {
        return skipped(
            "PostgreSQL on a full disk",
            "needs root, a tmpfs mount and the PostgreSQL cluster on this machine",
        );
    };
    let url = db.url();
    let srv = Server::start(Backend::Postgres(db)).await;
    let license = a_license(&srv).await;
    // The products table moves to the tiny disk, which then fills up.
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
    sqlx::raw_sql(&format!(
        "ALTER TABLE products SET TABLESPACE {}",
        tablespace.name
    ))
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;

    let filler = tablespace.fs.fill();
    let full = ("full", (507, "storage_full"));
    let refusal = refused_until_cleared(&srv, &license, full, async {
        std::fs::remove_file(filler).unwrap();
    })
    .await;
    assert!(refusal["detail"].as_str().unwrap().contains("out of space"));
    srv.stop().await;
}
