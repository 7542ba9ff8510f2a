//! Many writes at once (on SQLite, several requests' work shares one
//! transaction): each request answered 201 is durable — still there after
//! the server restarts — while the requests that failed among them (no
//! seat left, an idempotency key reused for another request) and those
//! whose client went away change nothing the others rely on, and the
//! history chain stays whole.

mod support;

use std::collections::BTreeSet;
use std::time::Duration;

use serde_json::{json, Value};
use support::{base_of, kind, machine, s, Backend, Server};

const SEATS: usize = 24;
/// Activations of the seat-limited license: `SEATS` of them succeed.
const RACERS: usize = 32;
/// Idempotency keys, each sent twice with one request and once with another.
const KEYS: usize = 8;
/// Activations whose client gives up at once.
const DROPPED: usize = 16;

/// One activation request, with an idempotency key or not.
fn activation(
    client: &reqwest::Client,
    base: &str,
    (product, key): (&str, &str),
    machine_no: usize,
    idem: Option<String>,
) -> reqwest::RequestBuilder {
    let mut req = client.post(format!("{base}/v1/activations")).json(&json!({
        "license_key": key,
        "fingerprint": machine(product, machine_no).to_string(),
        "platform": "test",
    }));
    if let Some(idem) = idem {
        req = req.header("Idempotency-Key", idem);
    }
    req
}

/// The activation ids of `license_id` that are active, read from `base`.
async fn active(srv: &Server, base: &str, token: &str, license_id: &str) -> BTreeSet<String> {
    let (status, page) = srv
        .call_at(
            base,
            "GET",
            &format!("/v1/licenses/{license_id}/activations?limit=100"),
            Some(token),
            None,
            &[],
        )
        .await;
    assert_eq!(status, 200, "{page}");
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| s(&a["id"]))
        .collect()
}

/// `seats_used` of `license_id`, read from `base`.
async fn seats_used(srv: &Server, base: &str, token: &str, license_id: &str) -> usize {
    let (status, license) = srv
        .call_at(
            base,
            "GET",
            &format!("/v1/licenses/{license_id}"),
            Some(token),
            None,
            &[],
        )
        .await;
    assert_eq!(status, 200, "{license}");
    license["seats_used"].as_u64().unwrap() as usize
}

async fn burst(backend: Backend) {
    let mut srv = Server::start(backend).await;
    let issuer = srv.token("issuer").await;
    let policy = |seats: usize| json!({"name": format!("seats-{seats}"), "binding": "node-locked", "seats": seats});
    let limited = srv.policy(&issuer, "burst", policy(SEATS)).await;
    let (limited_id, limited_key) = srv.issue(&srv.admin, &limited).await;
    let roomy = srv.policy(&issuer, "roomy", policy(100)).await;
    let (idem_id, idem_key) = srv.issue(&srv.admin, &roomy).await;
    let (dropped_id, dropped_key) = srv.issue(&srv.admin, &roomy).await;

    // Everything at once: the seat race, the idempotent pairs (and a third
    // request reusing each key for another machine), the dropped clients.
    let impatient = reqwest::Client::builder()
        .timeout(Duration::from_millis(1))
        .build()
        .unwrap();
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(RACERS + 3 * KEYS + DROPPED));
    let mut tasks = tokio::task::JoinSet::new();
    let mut shoot = |what: &'static str, req: reqwest::RequestBuilder, n: usize| {
        let barrier = barrier.clone();
        tasks.spawn(async move {
            barrier.wait().await;
            let answer = match req.send().await {
                Ok(resp) => {
                    let status = resp.status().as_u16();
                    (status, resp.json::<Value>().await.unwrap_or(Value::Null))
                }
                Err(_) if what == "dropped" => (0, Value::Null),
                Err(e) => panic!("{what} {n}: {e}"),
            };
            (what, n, answer)
        });
    };
    for n in 0..RACERS {
        shoot(
            "race",
            activation(&srv.client, &srv.base, ("burst", &limited_key), n, None),
            n,
        );
    }
    for n in 0..KEYS {
        let idem = || Some(format!("burst-{n}"));
        for copy in 0..2 {
            let req = activation(&srv.client, &srv.base, ("roomy", &idem_key), n, idem());
            shoot("idem", req, n * 2 + copy);
        }
        let other = activation(
            &srv.client,
            &srv.base,
            ("roomy", &idem_key),
            100 + n,
            idem(),
        );
        shoot("reused", other, n);
    }
    for n in 0..DROPPED {
        let req = activation(&impatient, &srv.base, ("roomy", &dropped_key), n, None);
        shoot("dropped", req, n);
    }
    let mut answered = BTreeSet::new();
    let (mut granted, mut by_key) = (0, std::collections::BTreeMap::new());
    while let Some(shot) = tasks.join_next().await {
        let (what, n, (status, body)) = shot.unwrap();
        match (what, status) {
            (_, 201) => {
                answered.insert(s(&body["activation_id"]));
                granted += usize::from(what == "race");
                if what != "dropped" {
                    by_key
                        .entry(format!("{what}{}", if what == "idem" { n / 2 } else { n }))
                        .or_insert_with(Vec::new)
                        .push(s(&body["activation_id"]));
                }
            }
            ("race", 409) => assert_eq!(kind(&body), "no_seat_available", "{body}"),
            ("reused" | "idem", 422) => {}
            ("dropped", _) => {}
            _ => panic!("{what} {n}: {status} {body}"),
        }
    }
    assert_eq!(granted, SEATS, "as many activations as seats");
    for n in 0..KEYS {
        // One request per key ran: both copies of one (one answer, the
        // same activation), or the other one (the copies refused).
        let copies = by_key.get(&format!("idem{n}")).cloned().unwrap_or_default();
        let reused = by_key
            .get(&format!("reused{n}"))
            .cloned()
            .unwrap_or_default();
        assert!(
            (copies.len() == 2 && copies[0] == copies[1] && reused.is_empty())
                || (copies.is_empty() && reused.len() == 1),
            "key {n}: {copies:?} {reused:?}"
        );
    }

    // Every answer stands, before and after a restart; seat counts match
    // the machines, the dropped clients' included (whether or not their
    // work was done, all of it or none).
    let licenses = [&limited_id, &idem_id, &dropped_id];
    let mut before = BTreeSet::new();
    for id in licenses {
        let ids = active(&srv, &srv.base, &issuer, id).await;
        assert_eq!(seats_used(&srv, &srv.base, &issuer, id).await, ids.len());
        before.extend(ids);
    }
    assert!(
        answered.is_subset(&before),
        "{answered:?} not all in {before:?}"
    );
    srv.running.take().unwrap().stop().await.unwrap();
    let again = srv.another_instance().await;
    let base = base_of(&again);
    let mut after = BTreeSet::new();
    for id in licenses {
        let ids = active(&srv, &base, &issuer, id).await;
        assert_eq!(seats_used(&srv, &base, &issuer, id).await, ids.len());
        after.extend(ids);
    }
    assert_eq!(
        before, after,
        "what was read before the restart is there after it"
    );
    again.stop().await.unwrap();

    // One entry per activation, chained in order.
    let entries = licentia_server::verify_history(&srv.config).await.unwrap();
    assert!(entries >= after.len() as i64, "{entries} entries");
}

support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    burst =>
        a_burst_of_activations_is_durable_and_chained_sqlite,
        a_burst_of_activations_is_durable_and_chained_postgres
}
