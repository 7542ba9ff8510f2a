//! `licentia jobs run` through the binary, on the database a running
//! server made (SQLite, and PostgreSQL when `LICENTIA_TEST_POSTGRES` is set).

// The back office's own test harness: one server per test, one database each.
#[path = "../../licentia-server/tests/support/mod.rs"]
mod support;

use support::{Backend, Server};

/// `licentia jobs run --now DATE` on the database a server made: what it
/// wrote, then nothing the second time; a bad date exits 2.
async fn through_the_binary(backend: Backend) {
    let mut srv = Server::start(backend).await;
    // The database outlives the server: the binary runs on it next.
    let _pg = srv.pg.take();
    srv.expiring_license("cron-cad").await;
    let kept = std::mem::replace(&mut srv.dir, tempfile::tempdir().unwrap());
    let dir = kept.path().to_path_buf();
    let database_url = srv.config.database_url.clone();
    let kek = srv.config.kek.clone();
    srv.stop().await;
    let jobs_run = |now: &str| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_licentia"));
        command
            .args(["jobs", "run", "--now", now, "--data-dir"])
            .arg(&dir);
        if let Some(url) = &database_url {
            command.args(["--database-url", url.expose()]);
        }
        // PostgreSQL's key-encryption key, as an operator gives it.
        if let Some(kek) = &kek {
            command.env("LICENTIA_KEK", kek.expose());
        }
        command.output().unwrap()
    };
    let out = jobs_run("2030-03-01");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{out:?}");
    assert!(
        stdout.contains("jobs for 2030-03-01: 2 notifications written (license.expiring 2)"),
        "{stdout}"
    );
    let out = jobs_run("2030-03-01");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("0 notifications written, 2 already written"),
        "{stdout}"
    );
    let out = jobs_run("2030-13-01");
    assert_eq!(out.status.code(), Some(2), "{out:?}");
}

support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    through_the_binary => jobs_run_cli_sqlite, jobs_run_cli_postgres
}
