//! Abuse limits against the real server: rate limits keyed by the real
//! client (through trusted proxies only) and by license key, the SQLite
//! write queue's deadline, the cap on requests in flight, and the signed
//! revocation list kept until it changes.

mod support;

use std::time::Duration;

use licentia_server::Config;
use serde_json::{json, Value};
use support::{config, s, Server};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

/// A bound on every wait, far above what any step needs.
const BOUND: Duration = Duration::from_secs(30);

/// A server with `config` changed by `tune`.
async fn server(tune: impl FnOnce(&mut Config)) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let mut config = config(dir.path(), None);
    tune(&mut config);
    Server::start_with(config, dir, None).await
}

/// What the server answers to `GET path` sent with these headers: status,
/// `Retry-After`, and the problem's type (or the body).
async fn get(srv: &Server, path: &str, headers: &[(&str, &str)]) -> (u16, Option<String>, Value) {
    let mut req = srv.client.get(format!("{}{path}", srv.base));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    answer(req).await
}

async fn answer(req: reqwest::RequestBuilder) -> (u16, Option<String>, Value) {
    let resp = timeout(BOUND, req.send())
        .await
        .expect("an answer within the bound")
        .expect("the server answers");
    let status = resp.status().as_u16();
    let retry = resp
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_owned());
    let body = resp.json().await.unwrap_or(Value::Null);
    (status, retry, body)
}

/// Asserts a 429 `rate_limited` problem with a `Retry-After` in seconds.
fn assert_limited((status, retry, body): &(u16, Option<String>, Value)) {
    assert_eq!(*status, 429, "{body}");
    assert!(s(&body["type"]).ends_with("/rate_limited"), "{body}");
    let wait: u64 = retry.as_deref().expect("Retry-After").parse().unwrap();
    assert!(wait >= 1, "{wait}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_behind_a_trusted_proxy_are_limited_apart() {
    let srv = server(|c| {
        c.rate_limit_per_minute = 2;
        c.trusted_proxies = vec!["127.0.0.0/8".parse().unwrap()];
    })
    .await;
    let first = [("x-forwarded-for", "203.0.113.1")];
    // What the client wrote on the left is not believed: the proxy's own
    // record (the right-most untrusted hop) is the client.
    let second = [("x-forwarded-for", "203.0.113.1, 198.51.100.2")];
    for _ in 0..2 {
        assert_eq!(get(&srv, "/healthz", &first).await.0, 200);
    }
    assert_limited(&get(&srv, "/healthz", &first).await);
    // Another client behind the same proxy keeps its own allowance.
    for _ in 0..2 {
        assert_eq!(get(&srv, "/healthz", &second).await.0, 200);
    }
    assert_limited(&get(&srv, "/healthz", &second).await);
    // The public product routes are limited too.
    let third = [("x-forwarded-for", "192.0.2.3")];
    for _ in 0..2 {
        assert_eq!(
            get(&srv, "/v1/revocation-list?product=NONE", &third)
                .await
                .0,
            404
        );
    }
    assert_limited(&get(&srv, "/v1/revocation-list?product=NONE", &third).await);
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forwarded_header_from_an_untrusted_peer_is_ignored() {
    // No trusted proxy: each request claims a new address, and all are
    // counted against the one peer they come from.
    let srv = server(|c| c.rate_limit_per_minute = 2).await;
    for client in ["192.0.2.1", "192.0.2.2"] {
        assert_eq!(
            get(&srv, "/healthz", &[("x-forwarded-for", client)])
                .await
                .0,
            200
        );
    }
    assert_limited(&get(&srv, "/healthz", &[("x-forwarded-for", "192.0.2.3")]).await);
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_license_key_is_limited_whatever_the_address() {
    let srv = server(|c| {
        c.key_rate_limit_per_minute = 2;
        c.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    })
    .await;
    let admin = srv.admin.clone();
    let policy = srv
        .policy(
            &admin,
            "KEYED",
            json!({"name": "std", "binding": "node-locked"}),
        )
        .await;
    let (_, key) = srv.issue(&admin, &policy).await;
    let (_, other_key) = srv.issue(&admin, &policy).await;
    let check_in = |key: &str, from: &str| {
        srv.client
            .post(format!("{}/v1/check-ins", srv.base))
            .header("x-forwarded-for", from)
            .json(&json!({"license_key": key, "fingerprint": support::machine("KEYED", 1).to_string()}))
    };
    // Every request from a new address: the address limit cannot stop it.
    for n in 0..2 {
        let (status, _, body) = answer(check_in(&key, &format!("192.0.2.{n}"))).await;
        assert_ne!(status, 429, "{body}");
    }
    assert_limited(&answer(check_in(&key, "192.0.2.9")).await);
    // Another license's key is its own.
    let (status, _, body) = answer(check_in(&other_key, "192.0.2.9")).await;
    assert_ne!(status, 429, "{body}");
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_waiting_past_their_turn_are_answered_503() {
    let srv = server(|c| c.acquire_timeout_secs = 1).await;
    // Another process holds SQLite's write lock: the write at the head of
    // the queue waits on it (busy_timeout), the ones behind it on the queue.
    let db = srv.dir.path().join("licentia.db");
    let mut holder = <sqlx::SqliteConnection as sqlx::Connection>::connect(&format!(
        "sqlite://{}",
        db.display()
    ))
    .await
    .unwrap();
    sqlx::raw_sql("BEGIN IMMEDIATE")
        .execute(&mut holder)
        .await
        .unwrap();
    let (tx, mut answers) = tokio::sync::mpsc::unbounded_channel();
    for n in 0..3 {
        let req = srv
            .client
            .post(format!("{}/v1/products", srv.base))
            .bearer_auth(&srv.admin)
            .json(&json!({"code": format!("Q{n}"), "name": "queued"}));
        let tx = tx.clone();
        tokio::spawn(async move { tx.send(answer(req).await).unwrap() });
    }
    // The two behind the head are refused after their wait (a second),
    // long before the head's wait on the lock (ten) ends.
    for _ in 0..2 {
        let (status, retry, body) = timeout(BOUND, answers.recv()).await.unwrap().unwrap();
        assert_eq!(status, 503, "{body}");
        assert!(s(&body["type"]).ends_with("/database_busy"), "{body}");
        assert!(retry.is_some(), "503 without Retry-After");
    }
    sqlx::raw_sql("ROLLBACK")
        .execute(&mut holder)
        .await
        .unwrap();
    let (status, _, body) = timeout(BOUND, answers.recv()).await.unwrap().unwrap();
    assert_eq!(status, 201, "the head of the queue goes through: {body}");
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_past_max_in_flight_are_shed() {
    let srv = server(|c| c.max_in_flight = 1).await;
    // One request in flight: its handler waits for the last byte of its body.
    let body = br#"{"code": "SHED", "name": "shed"}"#;
    let head = format!(
        "POST /v1/products HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        srv.admin,
        body.len()
    );
    let mut held = TcpStream::connect(srv.running.as_ref().unwrap().addr)
        .await
        .unwrap();
    held.write_all(head.as_bytes()).await.unwrap();
    held.write_all(&body[..body.len() - 1]).await.unwrap();
    // Once the server has taken it in, every other request is shed.
    let mut shed = None;
    for _ in 0..500 {
        let answer = get(&srv, "/healthz", &[]).await;
        if answer.0 == 503 {
            shed = Some(answer);
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let (_, retry, problem) = shed.expect("a request past max_in_flight is answered 503");
    assert!(s(&problem["type"]).ends_with("/overloaded"), "{problem}");
    assert!(retry.is_some(), "503 without Retry-After");
    // The request in flight finishes; then there is room again.
    held.write_all(&body[body.len() - 1..]).await.unwrap();
    let mut reply = String::new();
    timeout(BOUND, held.read_to_string(&mut reply))
        .await
        .unwrap()
        .unwrap();
    assert!(reply.starts_with("HTTP/1.1 201"), "{reply}");
    assert_eq!(get(&srv, "/healthz", &[]).await.0, 200);
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_revocation_list_is_kept_until_a_revocation_on_any_instance() {
    let srv = server(|_| {}).await;
    let admin = srv.admin.clone();
    let policy = srv
        .policy(&admin, "KEPT", json!({"name": "std", "binding": "unbound"}))
        .await;
    let (license, _) = srv.issue(&admin, &policy).await;
    let list = |base: String, etag: Option<String>| {
        let mut req = srv
            .client
            .get(format!("{base}/v1/revocation-list?product=KEPT"));
        if let Some(etag) = etag {
            req = req.header("if-none-match", etag);
        }
        async move {
            let resp = req.send().await.unwrap();
            let status = resp.status().as_u16();
            let etag = resp
                .headers()
                .get("etag")
                .map(|v| v.to_str().unwrap().to_owned());
            (status, etag, resp.text().await.unwrap())
        }
    };
    let (status, etag, first) = list(srv.base.clone(), None).await;
    assert_eq!(status, 200, "{first}");
    let etag = etag.expect("an ETag");
    let (_, again_etag, again) = list(srv.base.clone(), None).await;
    assert_eq!((again_etag.as_ref(), &again), (Some(&etag), &first));
    // A client holding the current list is told so, without a body.
    let (status, _, body) = list(srv.base.clone(), Some(etag.clone())).await;
    assert_eq!((status, body.as_str()), (304, ""));
    // A revocation through another instance reaches this one's list.
    let other = srv.another_instance().await;
    let revoke = format!("/v1/licenses/{license}/revoke");
    let (status, _) = srv.call_on(&other, "POST", &revoke, Some(&admin)).await;
    assert_eq!(status, 200);
    let (status, new_etag, fresh) = list(srv.base.clone(), Some(etag.clone())).await;
    assert_eq!(status, 200, "{fresh}");
    assert_ne!(new_etag.as_ref(), Some(&etag));
    let fresh: Value = serde_json::from_str(&fresh).unwrap();
    let first: Value = serde_json::from_str(&first).unwrap();
    assert!(
        fresh["sequence"].as_i64() > first["sequence"].as_i64(),
        "{fresh}"
    );
    other.stop().await.unwrap();
    srv.stop().await;
}
