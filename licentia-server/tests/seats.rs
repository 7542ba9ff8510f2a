//! Seat allocation down the customer tree, over a real socket on SQLite and
//! (when `LICENTIA_TEST_POSTGRES` is set) PostgreSQL: a partner's 100 seats
//! split 60/40, finance-only raises, a site activating until its allocation
//! refuses, the seats view, the history, and parallel allocations that never
//! over-allocate.

mod support;

use serde_json::{json, Value};
use support::{at_once, granted, kind, machine, node, s, Backend, PgDb, Server};

/// PUTs an allocation; returns status and body.
async fn allocate(
    srv: &Server,
    token: &str,
    node: &str,
    product: &str,
    seats: u32,
) -> (u16, Value) {
    srv.call(
        "PUT",
        &format!("/v1/customers/{node}/allocation"),
        Some(token),
        Some(json!({"product_id": product, "seats": seats})),
    )
    .await
}

async fn story(backend: Backend) {
    let srv = Server::start(backend).await;
    let issuer = srv.token("issuer").await;
    let finance = srv.token("finance").await;
    let auditor = srv.token("auditor").await;
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
        let (status, body) = allocate(&srv, token, &partner, &product, 100).await;
        assert_eq!(status, 403, "{body}");
    }
    let (status, body) = allocate(&srv, &finance, &partner, "seats-cad", 100).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (&body["allocated"], &body["free"]),
        (&json!(100), &json!(100))
    );

    // 60/40 to two customers; 61 more do not fit.
    assert_eq!(allocate(&srv, &finance, &alpha, &product, 60).await.0, 200);
    assert_eq!(allocate(&srv, &finance, &beta, &product, 40).await.0, 200);
    let (status, body) = allocate(&srv, &finance, &gamma, &product, 61).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(kind(&body), "allocation_exceeds_parent");
    assert_eq!(
        (&body["allocated"], &body["given"], &body["free"]),
        (&json!(100), &json!(100), &json!(0))
    );
    let (status, body) = allocate(&srv, &finance, &alpha, &product, 61).await;
    assert_eq!((status, kind(&body)), (409, "allocation_exceeds_parent"));
    // A node whose parent holds none of the product gets none.
    let (status, body) = allocate(&srv, &finance, &gamma_site, &product, 1).await;
    assert_eq!((status, kind(&body)), (409, "parent_unallocated"), "{body}");
    // A site takes seats from its customer and gives them back.
    let (status, body) = allocate(&srv, &finance, &site, &product, 1).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(allocate(&srv, &issuer, &site, &product, 0).await.0, 200);

    // Lowering is open to the issuer; raising back is finance's.
    assert_eq!(allocate(&srv, &issuer, &beta, &product, 30).await.0, 200);
    assert_eq!(allocate(&srv, &issuer, &beta, &product, 40).await.0, 403);
    assert_eq!(allocate(&srv, &finance, &beta, &product, 40).await.0, 200);

    // Alpha gives its site 3; Alpha cannot drop below what it gave.
    assert_eq!(allocate(&srv, &finance, &site, &product, 3).await.0, 200);
    let (status, body) = allocate(&srv, &issuer, &alpha, &product, 2).await;
    assert_eq!((status, kind(&body)), (409, "allocation_in_use"), "{body}");

    // The site activates machines until its allocation refuses.
    let license = srv
        .post_ok(
            "/v1/licenses",
            &issuer,
            json!({"policy_id": policy, "licensee": "Alpha HQ", "customer_id": site}),
            201,
        )
        .await;
    let key = s(&license["license_key"]);
    let license_id = s(&license["license"]["id"]);
    let activate = |n: usize| {
        let key = key.clone();
        let srv = &srv;
        async move {
            srv.call(
                "POST",
                "/v1/activations",
                None,
                Some(json!({"license_key": key, "fingerprint": machine("seats-cad", n).to_string(), "platform": "test"})),
            )
            .await
        }
    };
    for n in 0..3 {
        let (status, body) = activate(n).await;
        assert_eq!(status, 201, "{body}");
    }
    let (status, body) = activate(3).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(kind(&body), "allocation_exhausted");
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
    let (_, record) = srv
        .call(
            "GET",
            &format!("/v1/licenses/{license_id}"),
            Some(&auditor),
            None,
        )
        .await;
    assert_eq!(record["seats_used"], 3);
    // The same machine again takes no second seat, so it is not refused.
    assert!(activate(0).await.0 < 300);
    // A node under an allocating one holds nothing unless given seats;
    // Beta's own licenses count against Beta.
    let beta_site = node(&srv, &issuer, "site", "Beta HQ", Some(&beta)).await;
    for (customer, fingerprint, want) in [(&beta_site, 10, 409), (&beta, 11, 201)] {
        let other = srv
            .post_ok(
                "/v1/licenses",
                &issuer,
                json!({"policy_id": policy, "licensee": "Beta", "customer_id": customer}),
                201,
            )
            .await;
        let (status, body) = srv
            .call(
                "POST",
                "/v1/activations",
                None,
                Some(json!({"license_key": other["license_key"], "fingerprint": machine("seats-cad", fingerprint).to_string(), "platform": "test"})),
            )
            .await;
        assert_eq!(status, want, "{body}");
        if want == 409 {
            assert_eq!(kind(&body), "allocation_exhausted");
            assert_eq!(
                (&body["allocated"], &body["allocated_by"]),
                (&json!(0), &json!(beta))
            );
        }
    }

    // Seats in use hold the allocation up.
    let (status, body) = allocate(&srv, &issuer, &site, &product, 2).await;
    assert_eq!((status, kind(&body)), (409, "allocation_in_use"));
    assert_eq!(body["used"], 3);

    // Allocated vs used, per node, for the whole tree (parents first).
    let (status, view) = srv
        .call(
            "GET",
            &format!("/v1/customers/{partner}/seats"),
            Some(&auditor),
            None,
        )
        .await;
    assert_eq!(status, 200, "{view}");
    let rows: Vec<(String, Value)> = view["items"]
        .as_array()
        .unwrap()
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
    let (_, view) = srv
        .call(
            "GET",
            &format!("/v1/customers/{site}/seats"),
            Some(&finance),
            None,
        )
        .await;
    assert_eq!(view["items"].as_array().unwrap().len(), 1);
    assert_eq!(
        srv.call("GET", "/v1/customers/nothing/seats", Some(&auditor), None)
            .await
            .0,
        404
    );

    // Every allocation that changed something is in the history; refusals are not.
    let (_, history) = srv
        .call(
            "GET",
            "/v1/history?operation=customer.allocation&limit=100",
            Some(&auditor),
            None,
        )
        .await;
    let moves: Vec<(String, Value, Value)> = history["items"]
        .as_array()
        .unwrap()
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn allocation_story_sqlite() {
    story(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn allocation_story_postgres() {
    let Some(db) = PgDb::create("allocation_story").await else {
        return;
    };
    story(Backend::Postgres(db)).await;
}

const CHILDREN: usize = 20;

/// 20 customers each ask for 10 of the partner's 100 seats at once: exactly
/// 10 succeed, and the partner has given exactly 100.
async fn race(backend: Backend) {
    let srv = Server::start(backend).await;
    let issuer = srv.token("issuer").await;
    let finance = srv.token("finance").await;
    let (product, _) = srv
        .product_and_policy(&issuer, "seats-race", json!({"name": "p"}))
        .await;
    let partner = node(&srv, &issuer, "partner", "Partner", None).await;
    assert_eq!(
        allocate(&srv, &finance, &partner, &product, 100).await.0,
        200
    );
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
    let (_, view) = srv
        .call(
            "GET",
            &format!("/v1/customers/{partner}/seats"),
            Some(&finance),
            None,
        )
        .await;
    let items = view["items"].as_array().unwrap();
    assert_eq!(items[0]["allocations"][0]["given"], 100);
    let held: i64 = items[1..]
        .iter()
        .filter_map(|n| n["allocations"][0]["allocated"].as_i64())
        .sum();
    assert_eq!(held, 100);
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_allocations_never_over_allocate_sqlite() {
    race(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_allocations_never_over_allocate_postgres() {
    let Some(db) = PgDb::create("parallel_allocations").await else {
        return;
    };
    race(Backend::Postgres(db)).await;
}

/// Only finance raises a license's seats, even when another role's cut was
/// decided on seats that a concurrent cut lowered: in each round finance
/// cuts 10 to 1 while issuers cut 10 to 5 at once; an issuer's request
/// landing after finance's would be a raise (1 to 5) and is refused (403),
/// so every round ends at 1.
async fn license_seats_race(backend: Backend) {
    let srv = Server::start(backend).await;
    let issuer = srv.token("issuer").await;
    let finance = srv.token("finance").await;
    let (_, policy) = srv
        .product_and_policy(&srv.admin, "race", json!({"name": "p", "seats": 10}))
        .await;
    let (license, _) = srv.issue(&srv.admin, &policy).await;
    let url = format!("{}/v1/licenses/{license}/seats", srv.base);
    const ISSUERS: usize = 6;
    for round in 0..8 {
        let reset = srv
            .client
            .put(&url)
            .bearer_auth(&finance)
            .json(&json!({"seats": 10}))
            .send()
            .await
            .unwrap();
        assert_eq!(reset.status().as_u16(), 200);
        let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(ISSUERS + 1));
        let mut tasks = tokio::task::JoinSet::new();
        for n in 0..=ISSUERS {
            let (client, url, barrier) = (srv.client.clone(), url.clone(), barrier.clone());
            let (token, seats) = if n == 0 {
                (finance.clone(), 1)
            } else {
                (issuer.clone(), 5)
            };
            tasks.spawn(async move {
                barrier.wait().await;
                let resp = client
                    .put(url)
                    .bearer_auth(token)
                    .json(&json!({ "seats": seats }))
                    .send()
                    .await
                    .unwrap();
                (seats, resp.status().as_u16())
            });
        }
        while let Some(done) = tasks.join_next().await {
            let (seats, status) = done.unwrap();
            match seats {
                1 => assert_eq!(status, 200),
                _ => assert!(status == 200 || status == 403, "{status}"),
            }
        }
        let (_, now) = srv
            .call(
                "GET",
                &format!("/v1/licenses/{license}"),
                Some(&srv.admin),
                None,
            )
            .await;
        assert_eq!(now["seats"], 1, "round {round}: an issuer raised the seats");
    }
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn license_seats_race_sqlite() {
    license_seats_race(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn license_seats_race_postgres() {
    let Some(db) = PgDb::create("license_seats_race").await else {
        return;
    };
    license_seats_race(Backend::Postgres(db)).await;
}
