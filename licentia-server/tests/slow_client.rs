//! Slow clients against the back office over a real socket: connections
//! that stall halfway through their headers, one that sends nothing, and
//! one that drips its body a byte per second, while other clients are
//! served. Every wait is bounded.
//!
//! The server closes a connection whose headers do not arrive within
//! `server::HEADER_READ_TIMEOUT`; a client that sent its headers has
//! `body_timeout_secs` for the whole body (slow is fine, late is a 408), so a
//! stalled or trickled body does not hold its connection either.

mod support;

use std::time::Duration;

use serde_json::json;
use support::{config, Backend, Server};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

/// A bound on every wait, far above what any step needs.
const BOUND: Duration = Duration::from_secs(30);

/// Requests cut short: (what the client sends before it stalls; the rest, never sent).
const STALLED: [(&str, &str); 4] = [
    (
        "",
        "GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
    ),
    (
        "GE",
        "T /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
    ),
    (
        "GET /healthz HTTP/1.1\r\n",
        "Host: t\r\nConnection: close\r\n\r\n",
    ),
    (
        "GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n",
        "\r\n",
    ),
];

/// How many connections stall on each of the cut requests.
const COPIES: usize = 4;

/// How many body bytes the dripping client sends, one a second, while the others are served.
const DRIPPED: usize = 3;

async fn connect(srv: &Server) -> TcpStream {
    let addr = srv.running.as_ref().expect("running").addr;
    timeout(BOUND, TcpStream::connect(addr))
        .await
        .expect("connect within the bound")
        .expect("connect")
}

async fn send(stream: &mut TcpStream, bytes: &[u8]) {
    timeout(BOUND, stream.write_all(bytes))
        .await
        .expect("write within the bound")
        .expect("write");
}

/// Reads the whole answer (the requests say `Connection: close`); returns
/// the status code and the body.
async fn answer(mut stream: TcpStream) -> (u16, String) {
    let mut raw = Vec::new();
    timeout(BOUND, stream.read_to_end(&mut raw))
        .await
        .expect("the server answers within the bound")
        .expect("read");
    let text = String::from_utf8(raw).expect("a UTF-8 answer");
    let status = text
        .strip_prefix("HTTP/1.1 ")
        .and_then(|rest| rest.get(..3))
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP answer: {text:?}"));
    let body = text
        .split_once("\r\n\r\n")
        .map_or("", |(_, body)| body)
        .to_owned();
    (status, body)
}

/// Other clients, each through its own connection pool: reads, and writes
/// that take the database.
async fn others_are_served(srv: &Server) {
    for n in 0..5 {
        let client = reqwest::Client::new();
        let base = &srv.base;
        let health = timeout(BOUND, client.get(format!("{base}/healthz")).send())
            .await
            .expect("served within the bound while others stall")
            .expect("healthz answers");
        assert_eq!(health.status(), 200);
        let keys = timeout(BOUND, client.get(format!("{base}/v1/keys")).send())
            .await
            .expect("served within the bound while others stall")
            .expect("keys answer");
        assert_eq!(keys.status(), 200);
        let code = format!("served-{n}");
        let product = timeout(
            BOUND,
            client
                .post(format!("{base}/v1/products"))
                .bearer_auth(&srv.admin)
                .json(&json!({"code": code, "name": code}))
                .send(),
        )
        .await
        .expect("served within the bound while others stall")
        .expect("products answer");
        assert_eq!(product.status(), 201);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stalled_clients_do_not_block_others() {
    let srv = Server::start(Backend::Sqlite).await;

    // Connections stalled before, inside and at the end of their headers.
    let mut stalled = Vec::new();
    for (head, rest) in STALLED {
        for _ in 0..COPIES {
            let mut stream = connect(&srv).await;
            send(&mut stream, head.as_bytes()).await;
            stalled.push((stream, rest));
        }
    }

    // One that sends its headers, then its body a byte at a time.
    let body = json!({"code": "dripped", "name": "dripped"}).to_string();
    let mut drip = connect(&srv).await;
    let head = format!(
        "POST /v1/products HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        srv.admin,
        body.len()
    );
    send(&mut drip, head.as_bytes()).await;
    let dripping = async {
        for byte in body.as_bytes()[..DRIPPED].chunks(1) {
            send(&mut drip, byte).await;
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    };

    // The others are served while every slow client is mid-request.
    tokio::join!(others_are_served(&srv), dripping);

    // Each slow client, finishing late, still gets its answer.
    send(&mut drip, &body.as_bytes()[DRIPPED..]).await;
    let (status, answered) = answer(drip).await;
    assert_eq!(status, 201, "{answered}");
    let product: serde_json::Value = serde_json::from_str(&answered).expect("JSON");
    assert_eq!(product["code"], "dripped");
    // Each stalled connection is closed by the server once its header time
    // is up (the bound is three times that timeout).
    assert!(BOUND >= 3 * licentia_server::HEADER_READ_TIMEOUT);
    for (mut stream, _rest) in stalled {
        let mut seen = Vec::new();
        let read = timeout(BOUND, stream.read_to_end(&mut seen))
            .await
            .expect("the server closes a stalled connection");
        assert!(
            read.is_err() || !String::from_utf8_lossy(&seen).contains(" 200 "),
            "a stalled request was answered: {seen:?}"
        );
    }

    let (_, products) = srv
        .call("GET", "/v1/products", Some(&srv.admin.clone()), None)
        .await;
    assert_eq!(
        products["items"].as_array().expect("a list").len(),
        6,
        "five from the other clients and the dripped one: {products}"
    );
    timeout(BOUND, srv.stop())
        .await
        .expect("stops within the bound");
}

/// Headers for a product creation whose body is `len` bytes long.
fn product_head(srv: &Server, len: usize) -> String {
    format!(
        "POST /v1/products HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: {len}\r\n\r\n",
        srv.admin
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stalled_and_trickled_bodies_are_cut_off() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(dir.path(), None);
    cfg.body_timeout_secs = 2;
    let srv = Server::start_with(cfg, dir, None).await;
    let body = json!({"code": "late", "name": "late"}).to_string();

    // Headers, then half the body, then nothing. No `Connection: close`:
    // the server must end the connection itself.
    let mut stalled = Vec::new();
    for _ in 0..COPIES {
        let mut stream = connect(&srv).await;
        send(&mut stream, product_head(&srv, body.len()).as_bytes()).await;
        send(&mut stream, &body.as_bytes()[..body.len() / 2]).await;
        stalled.push(stream);
    }
    // Headers, then a byte every half second: never idle for long, but the
    // whole body would take far longer than its deadline.
    let mut trickle = connect(&srv).await;
    send(&mut trickle, product_head(&srv, body.len()).as_bytes()).await;
    let trickling = async {
        for byte in body.as_bytes().chunks(1) {
            // The server may close the connection under the writer.
            if trickle.write_all(byte).await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    };

    tokio::join!(others_are_served(&srv), trickling);

    // Each got a 408 problem, and its connection was closed.
    stalled.push(trickle);
    for stream in stalled {
        let (status, answered) = answer(stream).await;
        assert_eq!(status, 408, "{answered}");
        let problem: serde_json::Value = serde_json::from_str(&answered).expect("JSON");
        assert_eq!(
            problem["type"],
            "https://licentia.dev/problems/request_timeout"
        );
    }
    let (_, products) = srv
        .call("GET", "/v1/products", Some(&srv.admin.clone()), None)
        .await;
    let codes: Vec<&str> = products["items"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|p| p["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes.len(),
        5,
        "only the other clients' products: {codes:?}"
    );
    assert!(!codes.contains(&"late"));
    timeout(BOUND, srv.stop())
        .await
        .expect("stops within the bound");
}
