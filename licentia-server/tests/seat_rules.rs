//! "Only finance raises seats" from the moment a license or a subscription
//! is created, role by role, over a real socket on SQLite and (when
//! `LICENTIA_TEST_POSTGRES` is set) PostgreSQL: what the policy (or the
//! customer's allocation) gives may be issued; more is a raise, refused
//! with `seats_raise_forbidden` unless the role may raise that thing's seats
//! afterwards; a license naming no customer is an admin's act
//! (`customer_required`).

mod support;

use serde_json::{json, Value};
use support::{kind, node, s, Backend, Server};

/// Who asks, what, and the status and problem code expected.
type Case<'a> = (&'a str, &'a str, Value, u16, &'a str);

/// Sends each case and checks its status and problem code.
async fn expect(srv: &Server, path: &str, cases: Vec<Case<'_>>) {
    for (role, token, body, want, code) in cases {
        let (status, answer) = srv.call("POST", path, Some(token), Some(body)).await;
        assert_eq!(
            (status, kind(&answer)),
            (want, code),
            "{role} POST {path}: {answer}"
        );
    }
}

async fn story(backend: Backend) {
    let srv = Server::start(backend).await;
    let [issuer, finance, auditor] = srv.tokens(["issuer", "finance", "auditor"]).await;
    let admin = srv.admin.clone();
    let (product, policy) = srv
        .product_and_policy(
            &admin,
            "rules-cad",
            json!({"name": "two", "binding": "floating", "seats": 2, "duration_days": 365}),
        )
        .await;
    // One customer holds no allocation (the policy's 2 seats are what it
    // gets); finance allocated the other 5.
    let plain = node(&srv, &issuer, "customer", "Plain GmbH", None).await;
    let allotted = node(&srv, &issuer, "customer", "Allotted AG", None).await;
    srv.answers(vec![(
        "PUT",
        &format!("/v1/customers/{allotted}/allocation"),
        Some(&finance),
        Some(json!({"product_id": product, "seats": 5})),
        200,
    )])
    .await;

    // ---------------------------------------------------- licenses
    let license = |customer: Option<&str>, seats: Option<u32>| json!({"policy_id": policy, "licensee": "Jane Doe", "customer_id": customer, "seats": seats});
    let raise = "seats_raise_forbidden";
    expect(
        &srv,
        "/v1/licenses",
        vec![
            ("issuer", &issuer, license(Some(&plain), None), 201, ""),
            ("issuer", &issuer, license(Some(&plain), Some(2)), 201, ""),
            (
                "issuer",
                &issuer,
                license(Some(&plain), Some(3)),
                403,
                raise,
            ),
            (
                "issuer",
                &issuer,
                license(Some(&allotted), Some(5)),
                201,
                "",
            ),
            (
                "issuer",
                &issuer,
                license(Some(&allotted), Some(6)),
                403,
                raise,
            ),
            (
                "issuer",
                &issuer,
                license(None, None),
                403,
                "customer_required",
            ),
            ("admin", &admin, license(None, None), 201, ""),
            // As with PUT .../seats, an admin does not raise a license's seats.
            ("admin", &admin, license(None, Some(3)), 403, raise),
            ("admin", &admin, license(Some(&plain), Some(3)), 403, raise),
            (
                "finance",
                &finance,
                license(Some(&plain), None),
                403,
                "forbidden",
            ),
            (
                "auditor",
                &auditor,
                license(Some(&plain), None),
                403,
                "forbidden",
            ),
        ],
    )
    .await;
    let (status, refused) = srv
        .call(
            "POST",
            "/v1/licenses",
            Some(&issuer),
            Some(license(Some(&plain), Some(9))),
        )
        .await;
    assert_eq!(
        (status, &refused["seats"], &refused["entitled"]),
        (403, &json!(9), &json!(2)),
        "the refusal says what may be issued: {refused}"
    );

    // The way to more seats: issue what is given, then finance raises.
    let issued = srv
        .post_ok("/v1/licenses", &issuer, license(Some(&plain), None), 201)
        .await;
    let id = s(&issued["license"]["id"]);
    srv.answers(vec![(
        "PUT",
        &format!("/v1/licenses/{id}/seats"),
        Some(&finance),
        Some(json!({"seats": 9})),
        200,
    )])
    .await;

    // The plan path and the import path keep the same rules.
    let plan = srv
        .plan(&admin, json!({"name": "Business", "policy_id": policy}))
        .await;
    let plan_path = format!("/v1/plans/{plan}/licenses");
    let by_plan = |customer: Option<&str>, seats: Option<u32>| json!({"licensee": "Jane Doe", "customer_id": customer, "seats": seats});
    expect(
        &srv,
        &plan_path,
        vec![
            ("issuer", &issuer, by_plan(Some(&plain), Some(2)), 201, ""),
            (
                "issuer",
                &issuer,
                by_plan(Some(&plain), Some(3)),
                403,
                raise,
            ),
            (
                "issuer",
                &issuer,
                by_plan(None, None),
                403,
                "customer_required",
            ),
            ("admin", &admin, by_plan(None, None), 201, ""),
        ],
    )
    .await;
    let rows = format!(
        "policy_id,licensee,customer,seats\n\
         {policy},Fine,{plain},2\n\
         {policy},Raised,{plain},3\n\
         {policy},Nobody's,,\n"
    );
    let answer = srv
        .client
        .post(format!("{}/v1/import/licenses", srv.base))
        .bearer_auth(&issuer)
        .header("content-type", "text/csv")
        .body(rows)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 422);
    let report: Value = answer.json().await.unwrap();
    let lines: Vec<u64> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [3, 4], "{report}");

    // ---------------------------------------------------- subscriptions
    let subscription = |customer: &str, seats: u32| {
        json!({
            "customer_id": customer, "plan_id": plan, "seats": seats,
            "billing": "monthly", "interval": "monthly", "start": "2030-01-01",
            "renewal": "none", "notice": "1 month before term end",
        })
    };
    expect(
        &srv,
        "/v1/subscriptions",
        vec![
            ("issuer", &issuer, subscription(&plain, 2), 201, ""),
            ("issuer", &issuer, subscription(&plain, 3), 403, raise),
            ("issuer", &issuer, subscription(&allotted, 5), 201, ""),
            ("issuer", &issuer, subscription(&allotted, 6), 403, raise),
            ("admin", &admin, subscription(&plain, 9), 201, ""),
            ("finance", &finance, subscription(&plain, 9), 201, ""),
            (
                "auditor",
                &auditor,
                subscription(&plain, 2),
                403,
                "forbidden",
            ),
        ],
    )
    .await;

    srv.stop().await;
}

support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    story => seat_rules_at_creation_sqlite, seat_rules_at_creation_postgres
}
