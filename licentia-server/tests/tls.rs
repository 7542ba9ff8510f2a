//! HTTPS: the server with `tls_cert` and `tls_key` speaks TLS only, with a
//! certificate its clients check against their CA; a key file others may
//! read, or a certificate of another key, stops it at start.

mod support;

use support::config;
use support::tls::{client_trusting, https_server, make_pki, set_mode};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_speaks_https_with_its_certificate() {
    let (srv, base, ca) = https_server().await;
    let client = client_trusting(&ca);
    let resp = client.get(format!("{base}/healthz")).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    // A staff call over TLS, with its token.
    let resp = client
        .get(format!("{base}/v1/products"))
        .bearer_auth(&srv.admin)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    // Plain HTTP to the TLS port gets no answer.
    let port = srv.running.as_ref().unwrap().addr.port();
    let plain = srv
        .client
        .get(format!("http://127.0.0.1:{port}/healthz"))
        .send()
        .await;
    assert!(plain.is_err(), "plain HTTP answered: {plain:?}");
    // A client that does not trust the CA refuses the certificate.
    let stranger = reqwest::Client::builder()
        .tls_built_in_root_certs(true)
        .build()
        .unwrap();
    assert!(stranger
        .get(format!("{base}/healthz"))
        .send()
        .await
        .is_err());
    srv.stop().await;
}

/// Over HTTPS the session cookie is `Secure` as well.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_session_cookie_is_secure_over_https() {
    let (srv, base, ca) = https_server().await;
    let password = "a long enough password";
    licentia_server::create_account(
        &srv.config,
        "ada@vendor.test",
        "Ada",
        "auditor",
        password.into(),
    )
    .await
    .unwrap();
    let resp = client_trusting(&ca)
        .post(format!("{base}/v1/session"))
        .json(&serde_json::json!({"email": "ada@vendor.test", "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let cookie = resp.headers()["set-cookie"].to_str().unwrap().to_owned();
    for flag in ["Secure", "HttpOnly", "SameSite=Strict"] {
        assert!(cookie.contains(flag), "{cookie}");
    }
    srv.stop().await;
}

/// What starting a server with this PKI tampered by `spoil` says.
async fn refused(spoil: impl FnOnce(&support::tls::TestPki)) -> String {
    let dir = tempfile::tempdir().unwrap();
    let pki = make_pki(dir.path());
    spoil(&pki);
    let config = licentia_server::Config {
        tls_cert: Some(pki.cert.clone()),
        tls_key: Some(pki.key.clone()),
        ..config(dir.path(), None)
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    licentia_server::launch_with_listener(config, listener)
        .await
        .expect_err("the server refuses to start")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_loose_key_file_or_a_foreign_certificate_stops_the_start() {
    let err = refused(|pki| set_mode(&pki.key, 0o644)).await;
    assert!(err.contains("tls_key") && err.contains("600"), "{err}");
    let err = refused(|pki| {
        let other = tempfile::tempdir().unwrap();
        std::fs::copy(make_pki(other.path()).cert, &pki.cert).unwrap();
    })
    .await;
    assert!(err.contains("tls_cert"), "{err}");
    let err = refused(|pki| std::fs::write(&pki.cert, "not a certificate").unwrap()).await;
    assert!(err.contains("no certificate"), "{err}");
}
