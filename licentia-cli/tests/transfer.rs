//! `licentia import` and `licentia export` through the binary, against a
//! real server on SQLite and (when `LICENTIA_TEST_POSTGRES` is set)
//! PostgreSQL.

// The back office's own test harness: one server per test, one database each.
#[path = "../../licentia-server/tests/support/mod.rs"]
mod support;

use serde_json::{json, Value};
use support::{each, export, rows, s, Backend, Server};

/// Runs the real `licentia` binary (off the runtime's threads).
async fn cli(args: &[&str], token: Option<&str>) -> (i32, String, String) {
    cli_with_input(args, token, "").await
}

/// Runs the binary with `input` on its standard input.
async fn cli_with_input(args: &[&str], token: Option<&str>, input: &str) -> (i32, String, String) {
    use std::io::Write;
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    let token = token.map(str::to_owned);
    let input = input.to_owned();
    tokio::task::spawn_blocking(move || {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_licentia"));
        cmd.args(&args).env_remove("LICENTIA_TOKEN");
        if let Some(t) = token {
            cmd.env("LICENTIA_TOKEN", t);
        }
        let mut child = cmd
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("the licentia binary runs");
        // A command that does not read its input may have exited already.
        let _ = child.stdin.take().unwrap().write_all(input.as_bytes());
        let out = child.wait_with_output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    })
    .await
    .unwrap()
}

/// `licentia import` and `export` through the binary: chunks checked by a
/// dry run first (a bad row in a later chunk imports nothing), parents in
/// earlier chunks, keys printed once, the token never.
async fn command_line(backend: Backend) {
    let srv = Server::start(backend).await;
    let issuer = srv.token("issuer").await;
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_owned()
    };
    let mut good = String::from("external_ref,kind,name,parent\n");
    good.push_str("CP-1,partner,Partner One,\n");
    for n in 2..=7 {
        // Parents in the first chunk, children in later ones (3 rows a chunk).
        good.push_str(&format!("CC-{n},customer,Customer {n},CP-1\n"));
    }
    let good = file("good.csv", &good);
    let base = srv.base.clone();
    let common = ["--server", base.as_str(), "--chunk-rows", "3"];

    let (code, out, err) = cli(
        &[&["import", "customers", &good, "--dry-run"][..], &common].concat(),
        Some(&issuer),
    )
    .await;
    assert_eq!(code, 0, "{out}{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (v["dry_run"].clone(), v["rows"].clone()),
        (json!(true), json!(7))
    );
    assert_eq!(
        rows(&export(&srv, "customers", &issuer).await.1).len(),
        1,
        "a dry run changes nothing"
    );

    // A bad row in the last chunk: every chunk was checked first, nothing made.
    let bad = file(
        "bad.csv",
        "external_ref,kind,name,parent\nBP-1,partner,P,\nBC-2,customer,C,BP-1\nBC-3,customer,C,BP-1\nBC-4,customer,C,NOPE\n",
    );
    let (code, out, err) = cli(
        &[&["import", "customers", &bad][..], &common].concat(),
        Some(&issuer),
    )
    .await;
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("line 5, column parent"), "{err}");
    assert!(err.contains("nothing was imported"), "{err}");
    assert_eq!(rows(&export(&srv, "customers", &issuer).await.1).len(), 1);
    // A bad row the file shows: found before anything is sent.
    let broken = file("broken.csv", "kind,name\nplanet,X\n");
    let (code, _, err) = cli(
        &[&["import", "customers", &broken][..], &common].concat(),
        Some(&issuer),
    )
    .await;
    assert_eq!(code, 2);
    assert!(err.contains("line 2, column kind"), "{err}");

    let (code, out, err) = cli(
        &[&["import", "customers", &good][..], &common].concat(),
        Some(&issuer),
    )
    .await;
    assert_eq!(code, 0, "{out}{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["created"], 7);
    let lines = each(&v["items"], |i| i["line"].as_u64().unwrap());
    assert_eq!(
        lines,
        [2, 3, 4, 5, 6, 7, 8],
        "lines of the file, not of a chunk"
    );
    assert!(
        !out.contains(&issuer) && !err.contains(&issuer),
        "the token is never printed"
    );

    // Licenses: the keys are in the output, once.
    let policy = srv
        .policy(
            &issuer,
            "cli-cad",
            json!({"name": "p", "binding": "unbound"}),
        )
        .await;
    let licenses = file(
        "licenses.csv",
        &format!("policy_id,licensee,customer\n{policy},Ada,CC-2\n{policy},Bob,CC-2\n"),
    );
    // The token never goes on the command line, where `ps` shows it.
    let (code, _, err) = cli(
        &[
            "import", "licenses", &licenses, "--server", &base, "--token", &issuer,
        ],
        None,
    )
    .await;
    assert_eq!(code, 2, "--token is no option: {err}");
    let (code, out, err) = cli_with_input(
        &[
            "import",
            "licenses",
            &licenses,
            "--server",
            &base,
            "--token-stdin",
        ],
        None,
        &format!("{issuer}\n"),
    )
    .await;
    assert_eq!(code, 0, "{out}{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["items"].as_array().unwrap().len(), 2);
    assert!(s(&v["items"][0]["license_key"]).len() > 20);

    // Export to a file: what the API exports.
    let out_path = dir.path().join("out.csv");
    let out_file = out_path.to_str().unwrap();
    let (code, _, err) = cli(
        &["export", "customers", "-o", out_file, "--server", &base],
        Some(&issuer),
    )
    .await;
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        std::fs::read_to_string(&out_path).unwrap(),
        export(&srv, "customers", &issuer).await.1
    );
    assert!(
        err.is_empty(),
        "no progress bar when standard error is not a terminal: {err}"
    );
    let (code, out, _) = cli(&["export", "licenses", "--server", &base], Some(&issuer)).await;
    assert_eq!(code, 0);
    assert_eq!(rows(&out).len(), 3);

    let (code, _, err) = cli(&["export", "customers", "--server", &base], None).await;
    assert_eq!(code, 2);
    assert!(err.contains("LICENTIA_TOKEN"), "{err}");
    let (code, _, err) = cli(
        &["export", "customers", "--server", &base],
        Some("lic_wrong"),
    )
    .await;
    assert_eq!(code, 2);
    assert!(err.contains("401"), "{err}");
    srv.stop().await;
}

support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    command_line => command_line_sqlite, command_line_postgres
}

/// `import` and `export` against a server on HTTPS with a private CA:
/// trusted with `--ca-file`, refused without it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_and_export_speak_https_with_a_ca_file() {
    let dir = tempfile::tempdir().unwrap();
    let pki = support::tls::make_pki(dir.path());
    let config = licentia_server::Config {
        tls_cert: Some(pki.cert.clone()),
        tls_key: Some(pki.key.clone()),
        ..support::config(dir.path(), None)
    };
    let srv = Server::start_with(config, dir, None).await;
    let base = format!(
        "https://localhost:{}",
        srv.running.as_ref().unwrap().addr.port()
    );
    let ca = pki.ca.to_str().unwrap();
    let csv = srv.dir.path().join("customers.csv");
    std::fs::write(
        &csv,
        "external_ref,kind,name,parent\nTLS-1,customer,Over TLS,\n",
    )
    .unwrap();
    let csv = csv.to_str().unwrap();
    let admin = Some(srv.admin.as_str());

    let (code, _, err) = cli(
        &[
            "import",
            "customers",
            csv,
            "--server",
            &base,
            "--ca-file",
            ca,
        ],
        admin,
    )
    .await;
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = cli(
        &["export", "customers", "--server", &base, "--ca-file", ca],
        admin,
    )
    .await;
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("TLS-1"), "{out}");
    // Without the CA the server's certificate is not trusted.
    let (code, _, err) = cli(&["export", "customers", "--server", &base], admin).await;
    assert_eq!(code, 2, "{err}");
    srv.stop().await;
}
