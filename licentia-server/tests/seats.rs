//! Seat allocation down the customer tree, over a real socket on SQLite and
//! (when `LICENTIA_TEST_POSTGRES` is set) PostgreSQL: a partner's 100 seats
//! split 60/40, finance-only raises, a site activating until its allocation
//! refuses, the seats view, the history, and parallel allocations that never
//! over-allocate.

mod support;

use serde_json::{json, Value};
use support::{at_once, granted, items, node, racing_seat_cuts, refused, s, Backend, Server};

async fn story(backend: Backend) {
    let srv = Server::start(backend).await;
    let [issuer, finance, auditor] = srv.tokens(["issuer", "finance", "auditor"]).await;
    let (product, policy) = srv
        .product_and_policy(
            &issuer,
            "seats-cad",
            json!({"name": "site", "binding": "node-locked", "seats": 50}),
        )
        .await;
    let partner = node(&srv, &issuer, "partner", "Partner", None).await;
    let alpha = node(&srv, &issuer, "customer", "Alpha", Some(&partner)).await;
    let beta = node(&srv, &issuer, "customer", "Beta", Some(&partner)).await;
    let gamma = node(&srv, &issuer, "customer", "Gamma", Some(&partner)).await;
    let site = node(&srv, &issuer, "site", "Alpha HQ", Some(&alpha)).await;
    let gamma_site = node(&srv, &issuer, "site", "Gamma HQ", Some(&gamma)).await;

    // The partner's purchase: only finance may raise it.
    for token in [&issuer, &auditor, &srv.admin] {
        let (status, body) = srv.allocate(token, &partner, &product, 100).await;
        assert_eq!(status, 403, "{body}");
    }
    let (status, body) = srv.allocate(&finance, &partner, "seats-cad", 100).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (&body["allocated"], &body["free"]),
        (&json!(100), &json!(100))
    );

    // 60/40 to two customers; 61 more do not fit.
    assert_eq!(srv.allocate(&finance, &alpha, &product, 60).await.0, 200);
    assert_eq!(srv.allocate(&finance, &beta, &product, 40).await.0, 200);
    let body = refused(
        srv.allocate(&finance, &gamma, &product, 61).await,
        409,
        "allocation_exceeds_parent",
    );
    assert_eq!(
        (&body["allocated"], &body["given"], &body["free"]),
        (&json!(100), &json!(100), &json!(0))
    );
    refused(
        srv.allocate(&finance, &alpha, &product, 61).await,
        409,
        "allocation_exceeds_parent",
    );
    // A node whose parent holds none of the product gets none.
    refused(
        srv.allocate(&finance, &gamma_site, &product, 1).await,
        409,
        "parent_unallocated",
    );
    // A site takes seats from its customer and gives them back.
    let (status, body) = srv.allocate(&finance, &site, &product, 1).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(srv.allocate(&issuer, &site, &product, 0).await.0, 200);

    // Lowering is open to the issuer; raising back is finance's.
    assert_eq!(srv.allocate(&issuer, &beta, &product, 30).await.0, 200);
    assert_eq!(srv.allocate(&issuer, &beta, &product, 40).await.0, 403);
    assert_eq!(srv.allocate(&finance, &beta, &product, 40).await.0, 200);

    // Alpha gives its site 3; Alpha cannot drop below what it gave.
    assert_eq!(srv.allocate(&finance, &site, &product, 3).await.0, 200);
    refused(
        srv.allocate(&issuer, &alpha, &product, 2).await,
        409,
        "allocation_in_use",
    );

    // The site activates machines until its allocation refuses.
    let license = srv.license_for(&issuer, &policy, "Alpha HQ", &site).await;
    let key = s(&license["license_key"]);
    let license_id = s(&license["license"]["id"]);
    let activate = |n: usize| srv.activate(&key, "seats-cad", n, "test");
    for n in 0..3 {
        let (status, body) = activate(n).await;
        assert_eq!(status, 201, "{body}");
    }
    let body = refused(activate(3).await, 409, "allocation_exhausted");
    assert_eq!(
        (&body["allocated"], &body["used"], &body["customer_id"]),
        (&json!(3), &json!(3), &json!(site))
    );
    let detail = s(&body["detail"]);
    assert!(
        detail.contains("holds 3 seats") && detail.contains("3 in use"),
        "{detail}"
    );
    // The refused activation took no license seat either.
    let record = srv
        .get(&format!("/v1/licenses/{license_id}"), &auditor)
        .await;
    assert_eq!(record["seats_used"], 3);
    // The same machine again takes no second seat, so it is not refused.
    assert!(activate(0).await.0 < 300);
    // A node under an allocating one holds nothing unless given seats;
    // Beta's own licenses count against Beta.
    let beta_site = node(&srv, &issuer, "site", "Beta HQ", Some(&beta)).await;
    for (customer, fingerprint, want) in [(&beta_site, 10, 409), (&beta, 11, 201)] {
        let other = srv.license_for(&issuer, &policy, "Beta", customer).await;
        let other_key = s(&other["license_key"]);
        let answer = srv
            .activate(&other_key, "seats-cad", fingerprint, "test")
            .await;
        if want == 409 {
            let body = refused(answer, want, "allocation_exhausted");
            assert_eq!(
                (&body["allocated"], &body["allocated_by"]),
                (&json!(0), &json!(beta))
            );
        } else {
            assert_eq!(answer.0, want, "{}", answer.1);
        }
    }

    // Seats in use hold the allocation up.
    let body = refused(
        srv.allocate(&issuer, &site, &product, 2).await,
        409,
        "allocation_in_use",
    );
    assert_eq!(body["used"], 3);

    // Allocated vs used, per node, for the whole tree (parents first).
    let view = srv
        .get(&format!("/v1/customers/{partner}/seats"), &auditor)
        .await;
    let rows: Vec<(String, Value)> = items(&view)
        .iter()
        .map(|n| {
            let a = &n["allocations"];
            let summary = match a.as_array().unwrap().as_slice() {
                [] => json!(null),
                [one] => json!([one["allocated"], one["given"], one["used"], one["free"]]),
                more => panic!("one product only: {more:?}"),
            };
            (s(&n["name"]), summary)
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            ("Partner".to_owned(), json!([100, 100, 0, 0])),
            ("Alpha".to_owned(), json!([60, 3, 0, 57])),
            ("Beta".to_owned(), json!([40, 0, 1, 39])),
            ("Gamma".to_owned(), json!(null)),
            ("Alpha HQ".to_owned(), json!([3, 0, 3, 0])),
            ("Beta HQ".to_owned(), json!(null)),
            ("Gamma HQ".to_owned(), json!(null)),
        ]
    );
    let view = srv
        .items(&format!("/v1/customers/{site}/seats"), &finance)
        .await;
    assert_eq!(view.len(), 1);
    assert_eq!(
        srv.call("GET", "/v1/customers/nothing/seats", Some(&auditor), None)
            .await
            .0,
        404
    );

    // Every allocation that changed something is in the history; refusals are not.
    let history = srv
        .items(
            "/v1/history?operation=customer.allocation&limit=100",
            &auditor,
        )
        .await;
    let moves: Vec<(String, Value, Value)> = history
        .iter()
        .map(|e| {
            let d: Value = serde_json::from_str(e["details"].as_str().unwrap()).unwrap();
            (s(&e["customer_id"]), d["from"].clone(), d["to"].clone())
        })
        .collect();
    let step = |c: &str, from: i64, to: i64| (c.to_owned(), json!(from), json!(to));
    assert_eq!(
        moves,
        vec![
            step(&partner, 0, 100),
            step(&alpha, 0, 60),
            step(&beta, 0, 40),
            step(&site, 0, 1),
            step(&site, 1, 0),
            step(&beta, 40, 30),
            step(&beta, 30, 40),
            step(&site, 0, 3),
        ]
    );
    srv.stop().await;
}

support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    story => allocation_story_sqlite, allocation_story_postgres
}

const CHILDREN: usize = 20;

/// 20 customers each ask for 10 of the partner's 100 seats at once: exactly
/// 10 succeed, and the partner has given exactly 100.
async fn race(backend: Backend) {
    let srv = Server::start(backend).await;
    let [issuer, finance] = srv.tokens(["issuer", "finance"]).await;
    let (product, _) = srv
        .product_and_policy(&issuer, "seats-race", json!({"name": "p"}))
        .await;
    let partner = node(&srv, &issuer, "partner", "Partner", None).await;
    assert_eq!(srv.allocate(&finance, &partner, &product, 100).await.0, 200);
    let mut children = Vec::new();
    for n in 0..CHILDREN {
        children.push(
            node(
                &srv,
                &issuer,
                "customer",
                &format!("C{n:02}"),
                Some(&partner),
            )
            .await,
        );
    }
    let shots = children
        .iter()
        .map(|child| {
            let url = format!("{}/v1/customers/{child}/allocation", srv.base);
            let body = json!({"product_id": product, "seats": 10});
            ("PUT", url, Some(finance.clone()), body)
        })
        .collect();
    let granted = granted(
        &at_once(&srv.client, shots).await,
        200,
        "allocation_exceeds_parent",
    );
    assert_eq!(granted, 10);
    let items = srv
        .items(&format!("/v1/customers/{partner}/seats"), &finance)
        .await;
    assert_eq!(items[0]["allocations"][0]["given"], 100);
    let held: i64 = items[1..]
        .iter()
        .filter_map(|n| n["allocations"][0]["allocated"].as_i64())
        .sum();
    assert_eq!(held, 100);
    srv.stop().await;
}

support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    race =>
        parallel_allocations_never_over_allocate_sqlite,
        parallel_allocations_never_over_allocate_postgres
}

/// Only finance raises a license's seats, even when another role's cut was
/// decided on seats that a concurrent cut lowered (`racing_seat_cuts`).
async fn license_seats_race(backend: Backend) {
    let srv = Server::start(backend).await;
    let [issuer, finance] = srv.tokens(["issuer", "finance"]).await;
    let policy = srv
        .policy(&srv.admin, "race", json!({"name": "p", "seats": 10}))
        .await;
    let (license, _) = srv.issue(&srv.admin, &policy).await;
    let url = format!("{}/v1/licenses/{license}/seats", srv.base);
    let shown = format!("/v1/licenses/{license}");
    racing_seat_cuts(&srv, &url, (&finance, &issuer), (&shown, &srv.admin)).await;
    srv.stop().await;
}

support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    license_seats_race => license_seats_race_sqlite, license_seats_race_postgres
}
