//! Webhooks cannot be turned against the server's own network (SSRF): a
//! subscription to 127.0.0.1, to a name that resolves to it (`localhost`),
//! to `[::1]` or to the cloud metadata address 169.254.169.254 is refused
//! when created, and — when it got in under an allowlist since withdrawn —
//! at delivery, with a delivery log that says only "delivery failed"; only
//! the admin subscribes webhooks; a receiver the operator allowed gets its
//! notifications over HTTPS from a private CA (`webhook_ca_file`), signed.

mod support;

use chrono::NaiveDate;
use licentia_server::{delivery, jobs, AppState};
use serde_json::{json, Value};
use support::tls::TestCa;
use support::{kind, s, webhook_app, webhook_receiver, Server, NOTICE_DAY};

/// A server whose webhooks may reach only what `allow` names.
async fn start(allow: &[&str], ca_file: Option<std::path::PathBuf>) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let mut config = support::config(dir.path(), None);
    config.webhook_allow = allow.iter().map(|a| a.to_string()).collect();
    config.webhook_ca_file = ca_file;
    Server::start_with(config, dir, None).await
}

/// Subscribes `url` to license notices as `token`: status and answer.
async fn subscribe(srv: &Server, token: &str, url: &str) -> (u16, Value) {
    srv.call(
        "POST",
        "/v1/notice-subscriptions",
        Some(token),
        Some(json!({"kinds": ["license.expiring"], "webhook_url": url})),
    )
    .await
}

/// Every delivery of every notification, as the API lists them.
async fn all_deliveries(srv: &Server) -> Vec<Value> {
    let (_, notifications) = srv
        .call("GET", "/v1/notifications", Some(&srv.admin), None)
        .await;
    let mut out = Vec::new();
    for n in notifications["items"].as_array().unwrap() {
        let path = format!("/v1/notifications/{}/deliveries", s(&n["id"]));
        let (status, d) = srv.call("GET", &path, Some(&srv.admin), None).await;
        assert_eq!(status, 200, "{d}");
        out.extend(d["items"].as_array().unwrap().iter().cloned());
    }
    out
}

/// Internal targets, each with a receiver listening where the URL points
/// when one can (so "nothing arrived" means something): 127.0.0.1, a name
/// resolving to it, [::1] (when this machine has IPv6), the metadata
/// service's address, and 127.0.0.1 written as IPv4-mapped IPv6 and as a
/// bare number.
async fn internal_targets() -> (Vec<String>, Vec<support::Seen>) {
    let (loopback, seen4) = webhook_receiver(false).await;
    let port = loopback
        .rsplit(':')
        .next()
        .unwrap()
        .trim_end_matches("/hook");
    let mut urls = vec![
        loopback.clone(),
        format!("http://localhost:{port}/hook"),
        format!("http://[::ffff:127.0.0.1]:{port}/hook"),
        format!("http://2130706433:{port}/hook"),
        "http://169.254.169.254/latest/meta-data/".to_owned(),
        "https://10.0.0.1/hook".to_owned(),
    ];
    let mut seen = vec![seen4];
    match tokio::net::TcpListener::bind("[::1]:0").await {
        Ok(listener) => {
            let (app, seen6) = webhook_app(false);
            urls.push(format!("http://{}/hook", listener.local_addr().unwrap()));
            tokio::spawn(async move { axum::serve(listener, app).await });
            seen.push(seen6);
        }
        Err(_) => urls.push("http://[::1]:9/hook".to_owned()),
    }
    (urls, seen)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn internal_targets_are_refused_at_creation() {
    let srv = start(&[], None).await;
    let (urls, seen) = internal_targets().await;
    for url in &urls {
        let (status, problem) = subscribe(&srv, &srv.admin, url).await;
        assert_eq!(status, 422, "{url}: {problem}");
        assert_eq!(kind(&problem), "webhook_refused", "{url}: {problem}");
        assert!(
            s(&problem["detail"]).contains("internal address"),
            "{url}: {problem}"
        );
    }
    let (_, listed) = srv
        .call("GET", "/v1/notice-subscriptions", Some(&srv.admin), None)
        .await;
    assert_eq!(listed["items"], json!([]));
    assert!(seen.iter().all(|s| s.lock().unwrap().is_empty()));
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_admin_subscribes_webhooks() {
    let srv = start(&[], None).await;
    // A public name (it need not resolve yet: each delivery checks again).
    let url = "https://hooks.example/licentia";
    for role in ["issuer", "finance", "auditor"] {
        let token = srv.token(role).await;
        let (status, problem) = subscribe(&srv, &token, url).await;
        assert_eq!(status, 403, "{role}: {problem}");
        // Not even for its own role.
        let (status, _) = srv
            .call(
                "POST",
                "/v1/notice-subscriptions",
                Some(&token),
                Some(json!({"kinds": ["license.expiring"], "webhook_url": url, "role": role})),
            )
            .await;
        assert_eq!(status, 403, "{role}");
    }
    let (status, created) = subscribe(&srv, &srv.admin, url).await;
    assert_eq!(status, 201, "{created}");
    srv.stop().await;
}

/// Subscriptions made while the operator allowed loopback, delivered after
/// the allowlist was withdrawn: the delivery-time checks (the URL's
/// address, and the resolver's answer for `localhost`) stop every one, and
/// the delivery log says nothing of why.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn internal_targets_are_refused_at_delivery() {
    let srv = start(&["127.0.0.1", "::1", "localhost"], None).await;
    let (urls, seen) = internal_targets().await;
    let mut subscribed = 0;
    for url in urls
        .iter()
        .filter(|u| u.contains("127.0.0.1") || u.contains("localhost") || u.contains("[::1]"))
    {
        let (status, created) = subscribe(&srv, &srv.admin, url).await;
        assert_eq!(status, 201, "{url}: {created}");
        subscribed += 1;
    }
    srv.expiring_license("ssrf").await;

    let mut withdrawn = srv.config.clone();
    withdrawn.webhook_allow.clear();
    let state = AppState::open(&withdrawn).await.unwrap();
    let day: NaiveDate = NOTICE_DAY.parse().unwrap();
    let report = jobs::run(&state, day, "test").await.unwrap();
    assert_eq!(report.deliveries.delivered, 0, "{report:?}");
    assert_eq!(report.deliveries.retrying, subscribed, "{report:?}");
    assert!(seen.iter().all(|s| s.lock().unwrap().is_empty()));

    let deliveries = all_deliveries(&srv).await;
    assert_eq!(deliveries.len() as u64, subscribed);
    for d in &deliveries {
        assert_eq!(s(&d["status"]), "pending", "{d}");
        assert_eq!(d["last_error"], "delivery failed", "{d}");
        assert_eq!(d["last_status"], Value::Null, "{d}");
        assert_eq!(d["log"][0]["error"], "delivery failed", "{d}");
    }
    srv.stop().await;
}

/// The operator's own receiver, on this machine, over HTTPS with a
/// certificate from a private CA: allowed by name, trusted through
/// `webhook_ca_file`; it gets the notification with a valid signature.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_allowed_receiver_gets_signed_notifications_over_https() {
    let ca = TestCa::new();
    let pki = tempfile::tempdir().unwrap();
    let (ca_file, _, _) = ca.write(pki.path());
    let (app, seen) = webhook_app(false);
    let port = ca.serve_https(app).await;
    let url = format!("https://localhost:{port}/hook");

    // Without the allowlist entry the receiver is internal, so refused.
    let closed = start(&[], Some(ca_file.clone())).await;
    let (status, problem) = subscribe(&closed, &closed.admin, &url).await;
    assert_eq!(
        (status, kind(&problem)),
        (422, "webhook_refused"),
        "{problem}"
    );
    closed.stop().await;

    let srv = start(&["localhost"], Some(ca_file)).await;
    let (status, created) = subscribe(&srv, &srv.admin, &url).await;
    assert_eq!(status, 201, "{created}");
    let secret = s(&created["secret"]);
    srv.expiring_license("ssrf").await;
    let report = srv.run_jobs(NOTICE_DAY).await;
    assert_eq!(report["deliveries"]["delivered"], 1, "{report}");

    let got = seen.lock().unwrap().clone();
    assert_eq!(got.len(), 1);
    let (_, signature, id, body) = &got[0];
    let now = licentia::Timestamp::now().0;
    assert!(delivery::verify_signature(
        secret.as_bytes(),
        signature,
        body,
        now,
        300
    ));
    let notification: Value = serde_json::from_str(body).unwrap();
    assert_eq!(
        (s(&notification["id"]), s(&notification["kind"])),
        (id.clone(), "license.expiring".into())
    );
    let deliveries = all_deliveries(&srv).await;
    assert_eq!(deliveries[0]["status"], "delivered", "{deliveries:?}");
    assert_eq!(deliveries[0]["last_status"], 200);
    srv.stop().await;
}

/// A receiver whose certificate the server does not trust (no
/// `webhook_ca_file`) gets nothing: TLS is verified, and the failure is
/// stored as "delivery failed".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_untrusted_certificate_is_a_failed_delivery() {
    let ca = TestCa::new();
    let (app, seen) = webhook_app(false);
    let port = ca.serve_https(app).await;
    let srv = start(&["localhost"], None).await;
    let url = format!("https://localhost:{port}/hook");
    let (status, created) = subscribe(&srv, &srv.admin, &url).await;
    assert_eq!(status, 201, "{created}");
    srv.expiring_license("ssrf").await;
    let report = srv.run_jobs(NOTICE_DAY).await;
    assert_eq!(report["deliveries"]["retrying"], 1, "{report}");
    assert!(seen.lock().unwrap().is_empty());
    let deliveries = all_deliveries(&srv).await;
    assert_eq!(
        deliveries[0]["last_error"], "delivery failed",
        "{deliveries:?}"
    );
    srv.stop().await;
}
