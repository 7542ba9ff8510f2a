//! Purchases, over a real socket on SQLite and (when `LICENTIA_TEST_POSTGRES`
//! is set) PostgreSQL: a lot raises its buyer's seats, its cost is kept in
//! minor units, re-billing never exceeds the lot (also under 20 parallel
//! requests), who may record them, and the input refused.

mod support;

use serde_json::{json, Value};
use support::{at_once, each, granted, node, refused, s, Backend, Server};

async fn story(backend: Backend) {
    let srv = Server::start(backend).await;
    let [issuer, finance, auditor] = srv.tokens(["issuer", "finance", "auditor"]).await;
    let (product, _) = srv
        .product_and_policy(
            &issuer,
            "buy-cad",
            json!({"name": "site", "binding": "node-locked", "seats": 50}),
        )
        .await;
    let partner = node(&srv, &issuer, "partner", "Partner", None).await;
    let alpha = node(&srv, &issuer, "customer", "Alpha", Some(&partner)).await;
    let beta = node(&srv, &issuer, "customer", "Beta", Some(&partner)).await;
    let lot = json!({
        "customer_id": partner,
        "product_id": "buy-cad",
        "quantity": 100,
        "serial": "REG-0001",
        "version": "2024.2",
        "purchased_on": "2024-01-31",
        "renews_on": "2025-01-31",
        "cost": "1234.5",
        "currency": "EUR",
        "po_number": "PO-77",
        "invoice_number": "INV-9",
        "notes": "first lot"
    });

    // Only finance and admin record purchases: a purchase raises seats.
    for token in [&issuer, &auditor] {
        let (status, body) = srv
            .call("POST", "/v1/purchases", Some(token), Some(lot.clone()))
            .await;
        assert_eq!(status, 403, "{body}");
    }
    // Input that makes no sense is refused with a problem, nothing stored.
    let bad: &[(&str, Value)] = &[
        ("purchased_on", json!("2024-02-30")),
        ("purchased_on", json!("2024/01/31")),
        ("purchased_on", json!("2024-1-31")),
        ("renews_on", json!("2024-01-31")),
        ("renews_on", json!("2023-12-31")),
        ("quantity", json!(-5)),
        ("quantity", json!(0)),
        ("quantity", json!(2.5)),
        ("currency", json!("EURO")),
        ("currency", json!("XYZ")),
        ("cost", json!("12.345")),
        ("cost", json!("-12")),
        ("cost", json!("1e3")),
        ("cost", json!(12.5)),
        ("product_id", json!("no-such-product")),
        ("customer_id", json!("cus_nothing")),
        ("colour", json!("red")),
    ];
    for (field, value) in bad {
        let mut body = lot.clone();
        body[*field] = value.clone();
        let (status, problem) = srv
            .call("POST", "/v1/purchases", Some(&finance), Some(body))
            .await;
        assert_eq!(status, 422, "{field}={value}: {problem}");
    }
    let mut no_currency = lot.clone();
    no_currency.as_object_mut().unwrap().remove("currency");
    let (status, problem) = srv
        .call("POST", "/v1/purchases", Some(&finance), Some(no_currency))
        .await;
    assert_eq!(status, 422, "{problem}");
    assert!(s(&problem["detail"]).contains("currency"), "{problem}");
    // Below the top of the tree seats come by allocation, not purchase.
    let mut below = lot.clone();
    below["customer_id"] = json!(alpha);
    let problem = refused(
        srv.call("POST", "/v1/purchases", Some(&finance), Some(below))
            .await,
        409,
        "buyer_not_root",
    );
    assert_eq!(problem["parent_id"], json!(partner));
    let view = srv.get("/v1/purchases", &auditor).await;
    assert_eq!(view["items"], json!([]));

    // The lot: its cost in minor units, and the buyer's seats raised.
    let first = srv
        .post_ok("/v1/purchases", &finance, lot.clone(), 201)
        .await;
    let first_id = s(&first["id"]);
    assert_eq!(first["product_id"], json!(product));
    assert_eq!(
        (&first["cost"], &first["cost_minor"], &first["currency"]),
        (&json!("1234.50"), &json!(123450), &json!("EUR"))
    );
    assert_eq!(
        (&first["quantity"], &first["not_rebilled"]),
        (&json!(100), &json!(100))
    );
    assert_eq!(srv.seats(&auditor, &partner).await, json!([100, 0, 0, 100]));
    // A serial is unique per product.
    let (status, problem) = srv
        .call("POST", "/v1/purchases", Some(&finance), Some(lot.clone()))
        .await;
    assert_eq!(status, 409, "{problem}");

    // A second lot (in yen, by the admin), retried with its Idempotency-Key:
    // recorded and counted once.
    let second = json!({
        "customer_id": partner, "product_id": product, "quantity": 20,
        "purchased_on": "2024-06-01", "cost": "150000", "currency": "JPY"
    });
    let mut ids = Vec::new();
    for _ in 0..2 {
        let (status, body) = srv
            .post_keyed("/v1/purchases", &srv.admin, second.clone(), "lot-2")
            .await;
        assert_eq!(status, 201, "{body}");
        assert_eq!(body["cost"], json!("150000"));
        ids.push(s(&body["id"]));
    }
    assert_eq!(ids[0], ids[1]);
    assert_eq!(srv.seats(&auditor, &partner).await, json!([120, 0, 0, 120]));

    // The partner allocates 60/40; its purchases hold its allocation up.
    for (child, n) in [(&alpha, 60), (&beta, 40)] {
        let (status, body) = srv.allocate(&finance, child, &product, n).await;
        assert_eq!(status, 200, "{body}");
    }
    let problem = refused(
        srv.allocate(&issuer, &partner, &product, 110).await,
        409,
        "allocation_purchased",
    );
    assert_eq!(problem["purchased"], 120);
    assert_eq!(
        srv.seats(&auditor, &partner).await,
        json!([120, 100, 0, 20])
    );

    // Re-billing the first lot to the two customers, never beyond it.
    let rebillings = format!("/v1/purchases/{first_id}/rebillings");
    let rebill = |customer: &str, quantity: i64| {
        srv.call(
            "POST",
            &rebillings,
            Some(&finance),
            Some(json!({"customer_id": customer, "quantity": quantity, "invoice_number": "RB-1"})),
        )
    };
    assert_eq!(rebill(&alpha, 60).await.0, 201);
    let problem = refused(rebill(&beta, 41).await, 409, "lot_exceeded");
    assert_eq!(
        (
            &problem["quantity"],
            &problem["rebilled"],
            &problem["asked"]
        ),
        (&json!(100), &json!(60), &json!(41))
    );
    assert_eq!(rebill(&beta, 40).await.0, 201);
    assert_eq!(rebill(&beta, 0).await.0, 422);
    assert_eq!(rebill(&beta, -1).await.0, 422);
    assert_eq!(rebill("cus_nothing", 1).await.0, 422);
    let (status, _) = srv
        .call(
            "POST",
            "/v1/purchases/pur_nothing/rebillings",
            Some(&finance),
            Some(json!({"customer_id": beta, "quantity": 1})),
        )
        .await;
    assert_eq!(status, 404);
    let (status, _) = srv
        .call(
            "POST",
            &format!("/v1/purchases/{first_id}/rebillings"),
            Some(&issuer),
            Some(json!({"customer_id": beta, "quantity": 1})),
        )
        .await;
    assert_eq!(status, 403);
    let shown = srv
        .get(&format!("/v1/purchases/{first_id}"), &auditor)
        .await;
    assert_eq!(
        (&shown["rebilled"], &shown["not_rebilled"]),
        (&json!(100), &json!(0))
    );
    // Oldest first; two made in the same second come in either order.
    let mut billed = each(&shown["rebillings"], |r| {
        (s(&r["customer_id"]), r["quantity"].as_i64().unwrap())
    });
    billed.sort_by_key(|b| -b.1);
    assert_eq!(billed, vec![(alpha.clone(), 60), (beta.clone(), 40)]);
    // A re-billing retried with its Idempotency-Key is made once; it shows
    // in the billed customer's history.
    let mut made = Vec::new();
    for _ in 0..2 {
        let rebilling = json!({"customer_id": alpha, "quantity": 5});
        let path = format!("/v1/purchases/{}/rebillings", ids[0]);
        let (status, body) = srv.post_keyed(&path, &finance, rebilling, "rb-1").await;
        assert_eq!(status, 201, "{body}");
        made.push(s(&body["id"]));
    }
    assert_eq!(made[0], made[1]);
    let second_lot = srv
        .get(&format!("/v1/purchases/{}", ids[0]), &auditor)
        .await;
    assert_eq!(
        (&second_lot["rebilled"], &second_lot["not_rebilled"]),
        (&json!(5), &json!(15))
    );
    let rebilled_here = srv
        .items(&format!("/v1/customers/{alpha}/history"), &auditor)
        .await
        .iter()
        .filter(|e| e["operation"] == "purchase.rebill")
        .count();
    assert_eq!(rebilled_here, 2);
    // Billing moves no seat.
    assert_eq!(
        srv.seats(&auditor, &partner).await,
        json!([120, 100, 0, 20])
    );

    // Lists, filtered and paged; the history has each purchase and re-billing.
    let all = format!("/v1/purchases?customer_id={partner}&product_id={product}");
    let listed: Vec<String> = srv
        .items(&all, &auditor)
        .await
        .iter()
        .map(|p| s(&p["id"]))
        .collect();
    assert_eq!(listed.len(), 2);
    assert!(listed.contains(&first_id) && listed.contains(&ids[0]));
    let page = srv.items("/v1/purchases?limit=1&offset=1", &auditor).await;
    assert_eq!(page.len(), 1);
    let none = srv
        .get(&format!("/v1/purchases?customer_id={alpha}"), &auditor)
        .await;
    assert_eq!(none["items"], json!([]));
    assert_eq!(
        srv.call("GET", "/v1/purchases/pur_nothing", Some(&auditor), None)
            .await
            .0,
        404
    );
    for (op, want) in [("purchase.create", 2), ("purchase.rebill", 3)] {
        assert_eq!(srv.history_count(&auditor, op).await, want, "{op}");
    }
    srv.stop().await;
}

support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    story => purchase_story_sqlite, purchase_story_postgres
}

const REQUESTS: usize = 20;

/// 20 re-billings of 10 seats each of a 100-seat lot at once: exactly 10
/// succeed, the others are told the lot is used up, and the lot shows 100.
async fn race(backend: Backend) {
    let srv = Server::start(backend).await;
    let [issuer, finance] = srv.tokens(["issuer", "finance"]).await;
    let (product, _) = srv
        .product_and_policy(&issuer, "buy-race", json!({"name": "p"}))
        .await;
    let partner = node(&srv, &issuer, "partner", "Partner", None).await;
    let customer = node(&srv, &issuer, "customer", "Customer", Some(&partner)).await;
    let lot = srv
        .purchase(&finance, &partner, &product, 100, "2024-03-01")
        .await;
    let lot_id = s(&lot["id"]);
    let url = format!("{}/v1/purchases/{lot_id}/rebillings", srv.base);
    let body = json!({"customer_id": customer, "quantity": 10});
    let shots = (0..REQUESTS)
        .map(|_| ("POST", url.clone(), Some(finance.clone()), body.clone()))
        .collect();
    let granted = granted(&at_once(&srv.client, shots).await, 201, "lot_exceeded");
    assert_eq!(granted, 10);
    let shown = srv.get(&format!("/v1/purchases/{lot_id}"), &finance).await;
    assert_eq!(
        (&shown["rebilled"], &shown["not_rebilled"]),
        (&json!(100), &json!(0))
    );
    assert_eq!(shown["rebillings"].as_array().unwrap().len(), 10);
    srv.stop().await;
}

support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    race =>
        parallel_rebillings_never_exceed_the_lot_sqlite,
        parallel_rebillings_never_exceed_the_lot_postgres
}
