//! `licentia backup` and `licentia restore` through the binary, on the
//! database a running server made: the copy, its restore into a fresh data
//! directory that then passes `licentia audit verify`, and the refusals an
//! operator meets, each exit code 2 with its reason. (The copy under load
//! is licentia-server/tests/backup.rs.)

// The back office's own test harness: one server per test, one database each.
#[path = "../../licentia-server/tests/support/mod.rs"]
mod support;

use std::path::Path;
use std::process::Output;

use support::{Backend, PgDb, Server};

/// Runs the binary with `args`, LICENTIA_KEK set to `kek` when given.
fn licentia(args: &[&str], extra: &[&Path], kek: Option<&str>) -> Output {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_licentia"));
    command.args(args).args(extra);
    command.env_remove("LICENTIA_KEK");
    if let Some(kek) = kek {
        command.env("LICENTIA_KEK", kek);
    }
    command.output().unwrap()
}

fn said(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_and_restore_through_the_binary() {
    let mut srv = Server::start(Backend::Sqlite).await;
    srv.expiring_license("bak-cad").await;
    let kept = std::mem::replace(&mut srv.dir, tempfile::tempdir().unwrap());
    srv.stop().await;
    let old = kept.path();
    let work = tempfile::tempdir().unwrap();
    let file = work.path().join("office.backup");

    let out = licentia(&["backup", "--data-dir"], &[old, &file], None);
    assert!(out.status.success(), "{}", said(&out));
    assert!(said(&out).contains("history intact"), "{}", said(&out));
    let out = licentia(&["backup", "--data-dir"], &[old, &file], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        said(&out).contains("never writes over a file"),
        "{}",
        said(&out)
    );

    let new = work.path().join("restored");
    let out = licentia(&["restore", "--data-dir"], &[&new, &file], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(said(&out).contains("key-encryption key"), "{}", said(&out));
    // The old office's key-encryption key, as an operator passes it.
    let kek = std::fs::read_to_string(old.join("kek")).unwrap();
    let out = licentia(&["restore", "--data-dir"], &[&new, &file], Some(kek.trim()));
    assert!(out.status.success(), "{}", said(&out));
    assert!(said(&out).contains("signing keys open"), "{}", said(&out));
    let out = licentia(
        &["audit", "verify", "--data-dir"],
        &[&new],
        Some(kek.trim()),
    );
    assert!(out.status.success(), "{}", said(&out));
    assert!(said(&out).contains("history intact"), "{}", said(&out));
    let out = licentia(&["restore", "--data-dir"], &[&new, &file], Some(kek.trim()));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        said(&out).contains("holds a database already"),
        "{}",
        said(&out)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgres_office_is_pointed_to_its_tools() {
    let Some(db) = PgDb::create("a_postgres_office_is_pointed_to_its_tools").await else {
        return;
    };
    let url = db.url();
    let work = tempfile::tempdir().unwrap();
    let out = licentia(
        &["backup", "--database-url", &url, "--data-dir"],
        &[work.path(), &work.path().join("office.backup")],
        Some(support::TEST_KEK),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(said(&out).contains("pg_dump"), "{}", said(&out));
    assert!(!work.path().join("office.backup").exists());
}
