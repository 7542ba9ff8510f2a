//! Backups that restore, taken under load: licences are issued and
//! activated while the backup runs; the copy is restored in a fresh data
//! directory (SQLite: `licentia backup` / `licentia restore`; PostgreSQL:
//! `pg_dump` / `pg_restore`, as docs/operations.md says), its history chain
//! checks, and every licence acknowledged before the backup began is there
//! and served by a back office started on it. Refusals leave nothing
//! behind: an existing file, a directory that holds a database, a file
//! that is not a backup, a missing or wrong key-encryption key.

mod support;

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use licentia_server::{backup, create_token, launch_with_listener, restore, verify_history};
use serde_json::json;
use support::{base_of, config, machine, s, Backend, PgDb, Server, TEST_KEK};

/// Licences acknowledged (201) by the load, each with when its answer came.
type Acknowledged = Arc<Mutex<Vec<(Instant, String)>>>;

/// Issues and activates licences from `policy` until `stop`, on two
/// connections at once; what was acknowledged goes into the list.
fn load(
    srv: &Server,
    policy: &str,
    stop: &Arc<AtomicBool>,
) -> (Acknowledged, Vec<tokio::task::JoinHandle<()>>) {
    let acknowledged: Acknowledged = Arc::default();
    let workers = (0..2)
        .map(|worker| {
            let (base, admin, policy) = (srv.base.clone(), srv.admin.clone(), policy.to_owned());
            let (stop, acknowledged) = (stop.clone(), acknowledged.clone());
            tokio::spawn(async move {
                let client = reqwest::Client::new();
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) {
                    let issued: serde_json::Value = client
                        .post(format!("{base}/v1/licenses"))
                        .bearer_auth(&admin)
                        .json(&json!({"policy_id": policy, "licensee": format!("Load {worker}-{n}")}))
                        .send()
                        .await
                        .unwrap()
                        .json()
                        .await
                        .unwrap();
                    let id = s(&issued["license"]["id"]);
                    acknowledged.lock().unwrap().push((Instant::now(), id));
                    let fingerprint = machine("bak", worker * 100_000 + n).to_string();
                    let activated = client
                        .post(format!("{base}/v1/activations"))
                        .bearer_auth(&admin)
                        .json(&json!({"license_key": issued["license_key"], "fingerprint": fingerprint}))
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(activated.status(), 201);
                    n += 1;
                }
            })
        })
        .collect();
    (acknowledged, workers)
}

/// Runs the load until `at_least` licences are acknowledged, then runs
/// `take` (the backup) under it, and the load a little longer; answers
/// the licences acknowledged before `take` began.
async fn under_load<F: std::future::Future<Output = ()>>(
    srv: &Server,
    policy: &str,
    take: F,
) -> Vec<String> {
    let stop = Arc::new(AtomicBool::new(false));
    let (acknowledged, workers) = load(srv, policy, &stop);
    while acknowledged.lock().unwrap().len() < 20 {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let began = Instant::now();
    take.await;
    let after = acknowledged.lock().unwrap().len();
    while acknowledged.lock().unwrap().len() < after + 10 {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    stop.store(true, Ordering::Relaxed);
    for worker in workers {
        worker.await.unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap();
    assert!(
        acknowledged.iter().any(|(at, _)| *at > began),
        "the load went on during the backup"
    );
    acknowledged
        .iter()
        .filter(|(at, _)| *at < began)
        .map(|(_, id)| id.clone())
        .collect()
}

/// A back office started on `config`'s restored database: every licence of
/// `ids` is there, and it still signs (a new licence issued).
async fn serves(config: licentia_server::Config, ids: &[String], policy: &str) {
    let admin = create_token(&config, "admin", "after restore", None)
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let running = launch_with_listener(config, listener).await.unwrap();
    assert!(
        running.bootstrap_token.is_none(),
        "the restored office has its people already"
    );
    let base = base_of(&running);
    let client = reqwest::Client::new();
    for id in ids {
        let status = client
            .get(format!("{base}/v1/licenses/{id}"))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(
            status, 200,
            "licence {id}, acknowledged before the backup, is missing"
        );
    }
    let issued = client
        .post(format!("{base}/v1/licenses"))
        .bearer_auth(&admin)
        .json(&json!({"policy_id": policy, "licensee": "After the restore"}))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(issued, 201, "the restored office signs with its keys");
    running.stop().await.unwrap();
}

/// The product and policy the load issues from.
async fn policy(srv: &Server) -> String {
    srv.product_and_policy(
        &srv.admin,
        "bak",
        json!({"name": "std", "binding": "node-locked", "seats": 1}),
    )
    .await
    .1
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_backup_under_load_restores_whole() {
    let srv = Server::start(Backend::Sqlite).await;
    let policy = policy(&srv).await;
    let saved = tempfile::tempdir().unwrap();
    let file = saved.path().join("office.backup");
    let before = under_load(&srv, &policy, async {
        let said = backup(&srv.config, &file).await.unwrap();
        assert!(said.contains("history intact"), "{said}");
    })
    .await;
    assert!(before.len() >= 20);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(
            mode & 0o777,
            0o600,
            "a backup holds customer data: owner-only"
        );
    }
    // A backup never writes over a file.
    let again = backup(&srv.config, &file).await.unwrap_err();
    assert!(again.contains("never writes over"), "{again}");

    // A fresh directory without the key-encryption key is refused first.
    let fresh = tempfile::tempdir().unwrap();
    let dir = fresh.path().join("office");
    let restored_config = config(&dir, None);
    let refused = restore(&restored_config, &file).await.unwrap_err();
    assert!(refused.contains("key-encryption key"), "{refused}");
    assert!(!dir.join("licentia.db").exists());
    // With the old office's kek file copied in, it comes up whole.
    std::fs::create_dir_all(&dir).unwrap();
    copy_private(&srv.dir.path().join("kek"), &dir.join("kek"));
    let said = restore(&restored_config, &file).await.unwrap();
    assert!(
        said.contains("history intact") && said.contains("signing keys open"),
        "{said}"
    );
    assert!(verify_history(&restored_config).await.unwrap() > 0);
    // A second restore into the same directory is refused.
    let twice = restore(&restored_config, &file).await.unwrap_err();
    assert!(twice.contains("holds a database already"), "{twice}");
    serves(restored_config, &before, &policy).await;
    srv.stop().await;
}

#[tokio::test]
async fn a_restore_refuses_what_is_not_a_backup_or_not_its_key() {
    let srv = Server::start(Backend::Sqlite).await;
    let saved = tempfile::tempdir().unwrap();
    let file = saved.path().join("office.backup");
    backup(&srv.config, &file).await.unwrap();
    srv.stop().await;

    let fresh = tempfile::tempdir().unwrap();
    let mut restored_config = config(fresh.path(), None);
    restored_config.kek = Some(TEST_KEK.into());
    // Garbage, a file that is not a SQLite database: named, nothing left.
    let garbage = saved.path().join("garbage.backup");
    std::fs::write(
        &garbage,
        b"SQLite format 3\0 but not really, and then some bytes",
    )
    .unwrap();
    let refused = restore(&restored_config, &garbage).await.unwrap_err();
    assert!(refused.contains("not a licentia backup"), "{refused}");
    let missing = restore(&restored_config, &saved.path().join("none"))
        .await
        .unwrap_err();
    assert!(missing.contains("no such backup file"), "{missing}");
    // The backup with another key-encryption key: its keys do not open,
    // and the directory is left without a database.
    let wrong = restore(&restored_config, &file).await.unwrap_err();
    assert!(
        wrong.contains("does not open the backup's signing keys"),
        "{wrong}"
    );
    assert!(!fresh.path().join("licentia.db").exists());
    assert!(std::fs::read_dir(fresh.path()).unwrap().all(|e| !e
        .unwrap()
        .file_name()
        .to_string_lossy()
        .starts_with("licentia.db")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_dump_under_load_restores_whole() {
    let Some(db) = PgDb::create("postgres_dump_under_load_restores_whole").await else {
        return;
    };
    let url = db.url();
    let srv = Server::start(Backend::Postgres(db)).await;
    let policy = policy(&srv).await;
    // The office's own word for a PostgreSQL database: its tools.
    let told = backup(&srv.config, Path::new("/nonexistent"))
        .await
        .unwrap_err();
    assert!(told.contains("pg_dump"), "{told}");
    let saved = tempfile::tempdir().unwrap();
    let file = saved.path().join("office.dump");
    let before = under_load(&srv, &policy, async {
        // docs/operations.md: one consistent snapshot, custom format.
        let (file, url) = (file.clone(), url.clone());
        let dump = tokio::task::spawn_blocking(move || {
            std::process::Command::new("pg_dump")
                .args(["--format=custom", "--no-owner", "--file"])
                .arg(&file)
                .arg(&url)
                .status()
                .expect("pg_dump runs")
        })
        .await
        .unwrap();
        assert!(dump.success());
    })
    .await;
    let target = PgDb::create("postgres_dump_under_load_restores_whole")
        .await
        .unwrap();
    let restored = std::process::Command::new("pg_restore")
        .args(["--no-owner", "--exit-on-error", "--dbname"])
        .arg(target.url())
        .arg(&file)
        .status()
        .expect("pg_restore runs");
    assert!(restored.success());
    let fresh = tempfile::tempdir().unwrap();
    let restored_config = config(fresh.path(), Some(target.url()));
    assert!(verify_history(&restored_config).await.unwrap() > 0);
    serves(restored_config, &before, &policy).await;
    srv.stop().await;
}

/// Copies a private file (the key-encryption key) as an operator would: 0600.
fn copy_private(from: &Path, to: &Path) {
    let bytes = std::fs::read(from).unwrap();
    licentia::keys::create_private_file(to, &bytes).unwrap();
}
