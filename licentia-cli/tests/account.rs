//! `licentia account create` through the binary: the first vendor admin,
//! its password read from standard input (never from the arguments), who
//! then logs in to the running server (SQLite, and PostgreSQL when
//! `LICENTIA_TEST_POSTGRES` is set).

// The back office's own test harness: one server per test, one database each.
#[path = "../../licentia-server/tests/support/mod.rs"]
mod support;

use std::io::Write;
use std::process::Stdio;

use serde_json::json;
use support::{Backend, Server};

const PASSWORD: &str = "read from stdin only";

async fn through_the_binary(backend: Backend) {
    let srv = Server::start(backend).await;
    let create = |password: &str| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_licentia"));
        command
            .args([
                "account",
                "create",
                "--email",
                "ada@vendor.test",
                "--name",
                "Ada",
            ])
            .arg("--data-dir")
            .arg(srv.dir.path());
        if let Some(url) = &srv.config.database_url {
            command.args(["--database-url", url.expose()]);
        }
        if let Some(kek) = &srv.config.kek {
            command.env("LICENTIA_KEK", kek.expose());
        }
        // The test server's cheap hashes (the binary would take the default costs).
        command.args([
            "--set",
            "argon2_memory_kib=256",
            "--set",
            "argon2_iterations=1",
        ]);
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
        child.wait_with_output().unwrap()
    };
    let out = create("short");
    assert!(
        !out.status.success(),
        "a password of 12 characters at least"
    );
    let out = create(PASSWORD);
    assert!(out.status.success(), "{out:?}");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("created for ada@vendor.test") && !said.contains(PASSWORD),
        "{said}"
    );
    let (status, body) = srv
        .call(
            "POST",
            "/v1/session",
            None,
            Some(json!({"email": "ada@vendor.test", "password": PASSWORD})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["account"]["name"], "Ada");
    srv.stop().await;
}

support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    through_the_binary => account_create_cli_sqlite, account_create_cli_postgres
}
