//! Members and what holds a node's seats, over a real socket on SQLite and
//! (when `LICENTIA_TEST_POSTGRES` is set) PostgreSQL: a default plan gives
//! new members their service, a service takes a seat of the node's
//! allocation (refused beyond it, with the counts), options are replaced in
//! place, unassigning revokes the license and frees the seat; floating
//! leases count against the allocation like activations.

mod support;

use serde_json::{json, Value};
use support::{at_once, granted, machine, node, refused, s, Backend, Server};

async fn story(backend: Backend) {
    let srv = Server::start(backend).await;
    let [issuer, finance, auditor] = srv.tokens(["issuer", "finance", "auditor"]).await;
    let (product, policy) = srv
        .product_and_policy(
            &issuer,
            "mem-cad",
            json!({"name": "seat", "binding": "node-locked", "seats": 1, "entitlements": ["core"]}),
        )
        .await;
    let plan_id = srv
        .plan(
            &issuer,
            json!({"name": "Business", "policy_id": policy, "options": [
                {"code": "cloud", "name": "Cloud", "entitlements": ["cloud=5"]},
                {"code": "export", "name": "Export", "entitlements": ["export"]}
            ]}),
        )
        .await;
    let other_plan = srv
        .plan(&issuer, json!({"name": "Essential", "policy_id": policy}))
        .await;
    let partner = node(&srv, &issuer, "partner", "Partner", None).await;
    let alpha = node(&srv, &issuer, "customer", "Alpha", Some(&partner)).await;
    srv.purchase(&finance, &partner, &product, 3, "2024-01-01")
        .await;
    let (status, body) = srv.allocate(&finance, &alpha, &product, 2).await;
    assert_eq!(status, 200, "{body}");

    // The node's default plan.
    let default_plan = format!("/v1/customers/{alpha}/default-plan");
    let none = srv.get(&default_plan, &auditor).await;
    assert_eq!(none["plan_id"], Value::Null);
    for (token, plan, want) in [
        (&auditor, json!(plan_id), 403),
        (&issuer, json!("pln_nothing"), 422),
        (&issuer, json!(plan_id), 200),
    ] {
        let (status, body) = srv
            .call(
                "PUT",
                &default_plan,
                Some(token),
                Some(json!({"plan_id": plan})),
            )
            .await;
        assert_eq!(status, want, "{body}");
    }
    let set = srv.get(&default_plan, &auditor).await;
    assert_eq!(set["plan_id"], json!(plan_id));

    // Members: Ann gets a service from the default plan, Bob none, Cy one
    // with an option.
    let members = format!("/v1/customers/{alpha}/members");
    let ann = srv
        .post_ok(
            &members,
            &issuer,
            json!({"name": "Ann", "email": "Ann@Example.com"}),
            201,
        )
        .await;
    let ann_id = s(&ann["member"]["id"]);
    let ann_key = s(&ann["license_key"]);
    let ann_license = s(&ann["license"]["id"]);
    assert_eq!(ann["member"]["email"], "ann@example.com");
    assert_eq!(ann["member"]["plan_id"], json!(plan_id));
    assert_eq!(ann["member"]["license_id"], json!(ann_license));
    assert_eq!(
        (
            &ann["license"]["seats"],
            &ann["license"]["customer_id"],
            &ann["license"]["licensee"]
        ),
        (&json!(1), &json!(alpha), &json!("Ann"))
    );
    assert_eq!(srv.seats(&auditor, &alpha).await, json!([2, 0, 1, 1]));
    let bob = srv
        .post_ok(
            &members,
            &issuer,
            json!({"name": "Bob", "email": "bob@example.com", "service": false}),
            201,
        )
        .await;
    let bob_id = s(&bob["member"]["id"]);
    assert_eq!(bob["license"], Value::Null);
    assert_eq!(bob["license_key"], Value::Null);
    let cy = srv
        .post_ok(
            &members,
            &issuer,
            json!({"name": "Cy", "email": "cy@example.com", "external_ref": "HR-3", "options": ["cloud"]}),
            201,
        )
        .await;
    let cy_id = s(&cy["member"]["id"]);
    let cy_license = s(&cy["license"]["id"]);
    assert_eq!(
        cy["license"]["spec"]["features"],
        json!(["core", "cloud=5"])
    );
    assert_eq!(srv.seats(&auditor, &alpha).await, json!([2, 0, 2, 0]));

    // Bad requests, and who may add members.
    for (token, body, want) in [
        (
            &auditor,
            json!({"name": "Dee", "email": "dee@example.com"}),
            403,
        ),
        (
            &issuer,
            json!({"name": "Dee", "email": "ANN@example.com", "service": false}),
            409,
        ),
        (
            &issuer,
            json!({"name": "Dee", "email": "not-an-address"}),
            422,
        ),
        (
            &issuer,
            json!({"name": "Dee", "email": "dee@example.com", "colour": "red"}),
            422,
        ),
        (
            &issuer,
            json!({"name": "Dee", "email": "dee@example.com", "service": false, "plan_id": plan_id}),
            422,
        ),
        (
            &issuer,
            json!({"name": "Dee", "email": "dee@example.com", "plan_id": "pln_nothing"}),
            422,
        ),
        (
            &issuer,
            json!({"name": "Dee", "email": "dee@example.com", "options": ["teleport"]}),
            422,
        ),
        (
            &issuer,
            json!({"name": "", "email": "dee@example.com"}),
            422,
        ),
    ] {
        let (status, problem) = srv
            .call("POST", &members, Some(token), Some(body.clone()))
            .await;
        assert_eq!(status, want, "{body}: {problem}");
    }
    let (status, _) = srv
        .call(
            "POST",
            "/v1/customers/cus_nothing/members",
            Some(&issuer),
            Some(json!({"name": "Dee", "email": "dee@example.com"})),
        )
        .await;
    assert_eq!(status, 404);

    // The node's two seats are held: Bob's assignment is refused with the
    // counts, and leaves nothing behind; a new member with the default
    // service is refused whole.
    let bob_service = format!("/v1/members/{bob_id}/service");
    let problem = refused(
        srv.call("PUT", &bob_service, Some(&issuer), Some(json!({})))
            .await,
        409,
        "allocation_exhausted",
    );
    assert_eq!(
        (
            &problem["allocated"],
            &problem["used"],
            &problem["customer_id"]
        ),
        (&json!(2), &json!(2), &json!(alpha))
    );
    let dee = json!({"name": "Dee", "email": "dee@example.com"});
    refused(
        srv.call("POST", &members, Some(&issuer), Some(dee)).await,
        409,
        "allocation_exhausted",
    );
    let listed = srv
        .items(&format!("/v1/licenses?customer_id={alpha}"), &auditor)
        .await;
    assert_eq!(listed.len(), 2);
    let names: Vec<String> = srv
        .items(&members, &auditor)
        .await
        .iter()
        .map(|m| s(&m["name"]))
        .collect();
    assert_eq!(names, ["Ann", "Bob", "Cy"]);

    // A service is one seat however its license is used: Ann's machine
    // takes no second one.
    let (status, body) = srv.activate(&ann_key, "mem-cad", 1, "test").await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(srv.seats(&auditor, &alpha).await, json!([2, 0, 2, 0]));

    // Unassigning Ann's service revokes her license and frees the seat.
    let ann_service = format!("/v1/members/{ann_id}/service");
    assert_eq!(
        srv.call("DELETE", &ann_service, Some(&auditor), None)
            .await
            .0,
        403
    );
    let (status, unassigned) = srv.call("DELETE", &ann_service, Some(&issuer), None).await;
    assert_eq!(status, 200, "{unassigned}");
    assert_eq!(
        (&unassigned["license_id"], &unassigned["plan_id"]),
        (&Value::Null, &Value::Null)
    );
    let license = srv
        .get(&format!("/v1/licenses/{ann_license}"), &auditor)
        .await;
    assert_eq!(license["status"], "revoked");
    let activation = srv.activate(&ann_key, "mem-cad", 2, "test").await;
    refused(activation, 409, "license_revoked");
    let check_in =
        json!({"license_key": ann_key, "fingerprint": machine("mem-cad", 1).to_string()});
    let checked = srv
        .call("POST", "/v1/check-ins", None, Some(check_in))
        .await;
    refused(checked, 409, "license_revoked");
    let (_, revocations) = srv
        .call("GET", "/v1/revocation-list?product=mem-cad", None, None)
        .await;
    assert_eq!(revocations["sequence"], 1);
    assert_eq!(srv.seats(&auditor, &alpha).await, json!([2, 0, 1, 1]));
    let unassigned = srv.call("DELETE", &ann_service, Some(&issuer), None).await;
    refused(unassigned, 409, "no_service");

    // The freed seat takes the next assignment (retried with its key: once).
    let mut bob_licenses = Vec::new();
    for _ in 0..2 {
        let (status, body) = srv
            .call_at(
                &srv.base,
                "PUT",
                &bob_service,
                Some(&issuer),
                Some(json!({"options": ["export"]})),
                &[("idempotency-key", "bob-1")],
            )
            .await;
        assert_eq!(status, 201, "{body}");
        assert!(body["license_key"].is_string());
        bob_licenses.push(s(&body["license"]["id"]));
    }
    assert_eq!(bob_licenses[0], bob_licenses[1]);
    assert_eq!(srv.seats(&auditor, &alpha).await, json!([2, 0, 2, 0]));

    // One service per member: the same plan replaces the options in place,
    // another plan is refused.
    let cy_service = format!("/v1/members/{cy_id}/service");
    let (status, replaced) = srv
        .call(
            "PUT",
            &cy_service,
            Some(&issuer),
            Some(json!({"options": ["export"]})),
        )
        .await;
    assert_eq!(status, 200, "{replaced}");
    assert_eq!(replaced["license"]["id"], json!(cy_license));
    assert_eq!(
        replaced["license"]["spec"]["features"],
        json!(["core", "export"])
    );
    assert_eq!(replaced["member"]["options"], json!(["export"]));
    assert_eq!(replaced["license_key"], Value::Null);
    let other = srv
        .call(
            "PUT",
            &cy_service,
            Some(&issuer),
            Some(json!({"plan_id": other_plan})),
        )
        .await;
    refused(other, 409, "service_assigned");
    let (status, _) = srv
        .call(
            "PUT",
            &cy_service,
            Some(&issuer),
            Some(json!({"options": ["teleport"]})),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(srv.seats(&auditor, &alpha).await, json!([2, 0, 2, 0]));

    // Deleting a member unassigns first.
    let (status, deleted) = srv
        .call(
            "DELETE",
            &format!("/v1/members/{cy_id}"),
            Some(&issuer),
            None,
        )
        .await;
    assert_eq!(status, 200, "{deleted}");
    let license = srv
        .get(&format!("/v1/licenses/{cy_license}"), &auditor)
        .await;
    assert_eq!(license["status"], "revoked");
    assert_eq!(
        srv.call("GET", &format!("/v1/members/{cy_id}"), Some(&auditor), None)
            .await
            .0,
        404
    );
    assert_eq!(srv.seats(&auditor, &alpha).await, json!([2, 0, 1, 1]));

    // A service revoked by hand through the license routes frees its seat too.
    srv.post_ok(
        &format!("/v1/licenses/{}/revoke", bob_licenses[0]),
        &issuer,
        json!({"reason": "left the company"}),
        200,
    )
    .await;
    assert_eq!(srv.seats(&auditor, &alpha).await, json!([2, 0, 0, 2]));

    // The history tells the story.
    let history = srv
        .items(
            &format!("/v1/customers/{alpha}/history?limit=100"),
            &auditor,
        )
        .await;
    let ops: Vec<String> = history
        .iter()
        .map(|e| s(&e["operation"]))
        .filter(|op| op.starts_with("member.") || op == "license.revoke")
        .collect();
    assert_eq!(
        ops,
        [
            "member.create",
            "member.create",
            "member.create",
            "license.revoke",
            "member.unassign",
            "member.assign",
            "member.options",
            "license.revoke",
            "member.delete",
            "license.revoke",
        ]
    );
    srv.stop().await;
}

support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    story => members_story_sqlite, members_story_postgres
}

/// A customer that bought 2 seats: floating leases take them like
/// activations do, and a returned lease frees its seat.
async fn leases(backend: Backend) {
    let srv = Server::start(backend).await;
    let [issuer, finance] = srv.tokens(["issuer", "finance"]).await;
    let (product, floating) = srv
        .product_and_policy(
            &issuer,
            "lease-cad",
            json!({"name": "floating", "binding": "floating", "seats": 5}),
        )
        .await;
    let locked = srv
        .post_ok(
            "/v1/policies",
            &issuer,
            json!({"product_id": product, "name": "locked", "binding": "node-locked", "seats": 5}),
            201,
        )
        .await;
    let customer = node(&srv, &issuer, "customer", "Solo", None).await;
    srv.purchase(&finance, &customer, &product, 2, "2024-01-01")
        .await;
    let issue = |policy: String| {
        let (srv, issuer, customer) = (&srv, &issuer, &customer);
        async move { s(&srv.license_for(issuer, &policy, "Solo", customer).await["license_key"]) }
    };
    let key = issue(floating).await;
    let checkout = |n: usize| {
        let srv = &srv;
        let key = key.clone();
        async move {
            srv.call(
                "POST",
                "/v1/leases",
                None,
                Some(
                    json!({"license_key": key, "fingerprint": machine("lease-cad", n).to_string()}),
                ),
            )
            .await
        }
    };
    let (status, first) = checkout(1).await;
    assert_eq!(status, 201, "{first}");
    assert_eq!(checkout(2).await.0, 201);
    // The license has 5 floating seats, but the customer holds 2.
    let problem = refused(checkout(3).await, 409, "allocation_exhausted");
    assert_eq!(
        (&problem["allocated"], &problem["used"]),
        (&json!(2), &json!(2))
    );
    // A machine holding a lease renews it without a second seat.
    assert_eq!(checkout(1).await.0, 201);
    assert_eq!(srv.seats(&finance, &customer).await, json!([2, 0, 2, 0]));
    // Leases and activations share the seats.
    let locked_key = issue(s(&locked["id"])).await;
    let activation = srv.activate(&locked_key, "lease-cad", 9, "test").await;
    refused(activation, 409, "allocation_exhausted");
    // A returned lease frees its seat.
    let (status, body) = srv
        .call_at(
            &srv.base,
            "DELETE",
            &format!("/v1/leases/{}", s(&first["lease_id"])),
            None,
            None,
            &[("x-license-key", &key)],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(srv.seats(&finance, &customer).await, json!([2, 0, 1, 1]));
    assert_eq!(checkout(3).await.0, 201);
    srv.stop().await;
}

support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    leases => leases_count_against_allocations_sqlite, leases_count_against_allocations_postgres
}

const MEMBERS: usize = 20;

/// 20 members of a node holding 5 seats are assigned a service at once:
/// exactly 5 get one, and the node shows 5 seats used.
async fn race(backend: Backend) {
    let srv = Server::start(backend).await;
    let [issuer, finance] = srv.tokens(["issuer", "finance"]).await;
    let (product, policy) = srv
        .product_and_policy(
            &issuer,
            "mem-race",
            json!({"name": "p", "binding": "unbound"}),
        )
        .await;
    let plan = srv
        .plan(&issuer, json!({"name": "Team", "policy_id": policy}))
        .await;
    let customer = node(&srv, &issuer, "customer", "Busy", None).await;
    srv.purchase(&finance, &customer, &product, 5, "2024-01-01")
        .await;
    let mut ids = Vec::new();
    for n in 0..MEMBERS {
        let m = srv
            .post_ok(
                &format!("/v1/customers/{customer}/members"),
                &issuer,
                json!({"name": format!("M{n:02}"), "email": format!("m{n}@example.com"), "service": false}),
                201,
            )
            .await;
        ids.push(s(&m["member"]["id"]));
    }
    let shots = ids
        .iter()
        .map(|id| {
            let url = format!("{}/v1/members/{id}/service", srv.base);
            ("PUT", url, Some(issuer.clone()), json!({"plan_id": plan}))
        })
        .collect();
    let assigned = granted(
        &at_once(&srv.client, shots).await,
        201,
        "allocation_exhausted",
    );
    assert_eq!(assigned, 5);
    assert_eq!(srv.seats(&finance, &customer).await, json!([5, 0, 5, 0]));
    srv.stop().await;
}

support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    race =>
        parallel_assignments_never_exceed_the_allocation_sqlite,
        parallel_assignments_never_exceed_the_allocation_postgres
}

/// 20 machines check floating seats out at once from two licenses of a
/// node holding 5 seats (each license allows 50): exactly 5 leases.
async fn lease_race(backend: Backend) {
    let srv = Server::start(backend).await;
    let [issuer, finance] = srv.tokens(["issuer", "finance"]).await;
    let (product, policy) = srv
        .product_and_policy(
            &issuer,
            "lease-race",
            json!({"name": "floating", "binding": "floating", "seats": 50}),
        )
        .await;
    let customer = node(&srv, &issuer, "customer", "Busy", None).await;
    srv.purchase(&finance, &customer, &product, 5, "2024-01-01")
        .await;
    let mut keys = Vec::new();
    for _ in 0..2 {
        let v = srv.license_for(&issuer, &policy, "Busy", &customer).await;
        keys.push(s(&v["license_key"]));
    }
    let shots = (0..MEMBERS)
        .map(|n| {
            let body = json!({"license_key": keys[n % 2], "fingerprint": machine("lease-race", n).to_string()});
            ("POST", format!("{}/v1/leases", srv.base), None, body)
        })
        .collect();
    let leased = granted(
        &at_once(&srv.client, shots).await,
        201,
        "allocation_exhausted",
    );
    assert_eq!(leased, 5);
    assert_eq!(srv.seats(&finance, &customer).await, json!([5, 0, 5, 0]));
    srv.stop().await;
}

support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    lease_race =>
        parallel_checkouts_never_exceed_the_allocation_sqlite,
        parallel_checkouts_never_exceed_the_allocation_postgres
}
