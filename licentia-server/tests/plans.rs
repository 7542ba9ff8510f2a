//! Plans and their add-on options, over a real socket on SQLite and (when
//! `LICENTIA_TEST_POSTGRES` is set) PostgreSQL: creation judged by the core,
//! roles, listing, and licenses issued from a plan carrying the chosen
//! options' entitlements in their signed files.

mod support;

use licentia::Timestamp;
use serde_json::json;
use support::{items, kind, s, Backend, Server};

async fn story(backend: Backend) {
    let srv = Server::start(backend).await;
    let [issuer, auditor] = srv.tokens(["issuer", "auditor"]).await;
    let (product, policy) = srv
        .product_and_policy(
            &issuer,
            "plans-cad",
            json!({"name": "yearly", "binding": "unbound", "duration_days": 365, "entitlements": ["core"]}),
        )
        .await;
    let business = json!({
        "name": "Business",
        "policy_id": policy,
        "options": [
            {"code": "cloud", "name": "Cloud sync", "entitlements": ["cloud=5"]},
            {"code": "export", "name": "Export", "entitlements": ["export", "pdf"]}
        ]
    });

    // Who may create, and what the core refuses.
    let (status, _) = srv
        .call("POST", "/v1/plans", Some(&auditor), Some(business.clone()))
        .await;
    assert_eq!(status, 403);
    let mut bad = business.clone();
    bad["options"][0]["entitlements"] = json!(["cloud=many"]);
    assert_eq!(
        srv.call("POST", "/v1/plans", Some(&issuer), Some(bad))
            .await
            .0,
        422
    );
    let mut twice = business.clone();
    twice["options"][1]["code"] = json!("cloud");
    assert_eq!(
        srv.call("POST", "/v1/plans", Some(&issuer), Some(twice))
            .await
            .0,
        422
    );
    let mut nowhere = business.clone();
    nowhere["policy_id"] = json!("pol_nothing");
    assert_eq!(
        srv.call("POST", "/v1/plans", Some(&issuer), Some(nowhere))
            .await
            .0,
        422
    );

    let plan = srv
        .post_ok("/v1/plans", &issuer, business.clone(), 201)
        .await;
    let plan_id = s(&plan["id"]);
    assert_eq!(plan["product_id"], json!(product));
    let (status, body) = srv
        .call("POST", "/v1/plans", Some(&issuer), Some(business))
        .await;
    assert_eq!(status, 409, "{body}");
    let essential = srv
        .post_ok(
            "/v1/plans",
            &issuer,
            json!({"name": "Essential", "policy_id": policy}),
            201,
        )
        .await;
    assert_eq!(essential["options"], json!([]));

    // Reads.
    let listed = srv
        .get(&format!("/v1/plans?product_id={product}"), &auditor)
        .await;
    let names: Vec<String> = items(&listed).iter().map(|p| s(&p["name"])).collect();
    assert_eq!(names, ["Business", "Essential"]);
    let (status, shown) = srv
        .call("GET", &format!("/v1/plans/{plan_id}"), Some(&auditor), None)
        .await;
    assert_eq!(
        (status, &shown["options"][1]["code"]),
        (200, &json!("export"))
    );
    let (status, body) = srv
        .call("GET", "/v1/plans/nothing", Some(&auditor), None)
        .await;
    assert_eq!((status, kind(&body)), (404, "not_found"), "{body}");

    // A license of the plan with one option: the policy's features plus the option's.
    let path = format!("/v1/plans/{plan_id}/licenses");
    // Licenses naming no customer: an admin's act.
    let issued = srv
        .post_ok(
            &path,
            &srv.admin,
            json!({"licensee": "Acme", "options": ["cloud"]}),
            201,
        )
        .await;
    assert!(s(&issued["license_key"]).len() > 10);
    let record = &issued["license"];
    assert_eq!(record["policy_id"], json!(policy));
    assert_eq!(record["spec"]["features"], json!(["core", "cloud=5"]));
    let verifier = srv.verifier().await;
    let license = verifier.verify(&s(&record["file"])).unwrap();
    let now = Timestamp::now();
    assert!(license.has_feature("core", now));
    assert_eq!(
        license.entitlement("cloud", now).and_then(|e| e.count),
        Some(5)
    );
    assert!(!license.has_feature("export", now));
    // No option: the policy's features only.
    let plain = srv
        .post_ok(&path, &srv.admin, json!({"licensee": "Acme"}), 201)
        .await;
    assert_eq!(plain["license"]["spec"]["features"], json!(["core"]));

    // Options the plan lacks, options twice, and roles are refused.
    let acme = |options: &[&str]| Some(json!({"licensee": "Acme", "options": options}));
    let nowhere = "/v1/plans/nothing/licenses";
    srv.answers(vec![
        ("POST", &path, Some(&issuer), acme(&["gold"]), 422),
        ("POST", &path, Some(&issuer), acme(&["cloud", "cloud"]), 422),
        (
            "POST",
            &path,
            Some(&auditor),
            Some(json!({"licensee": "Acme"})),
            403,
        ),
        (
            "POST",
            nowhere,
            Some(&issuer),
            Some(json!({"licensee": "Acme"})),
            404,
        ),
    ])
    .await;

    // An Idempotency-Key replays the first answer, key included.
    let again = || {
        let body = json!({"licensee": "Replay", "options": ["export"]});
        srv.post_keyed(&path, &srv.admin, body, "plan-once")
    };
    let (first_status, first) = again().await;
    let (second_status, second) = again().await;
    assert_eq!((first_status, second_status), (201, 201));
    assert_eq!(first["license_key"], second["license_key"]);
    assert_eq!(
        first["license"]["spec"]["features"],
        json!(["core", "export", "pdf"])
    );

    // Every creation and issue is in the history.
    let count = |op: &'static str| {
        let auditor = auditor.clone();
        let srv = &srv;
        async move {
            let h = srv
                .get(&format!("/v1/history?operation={op}&limit=100"), &auditor)
                .await;
            items(&h).len()
        }
    };
    assert_eq!(count("plan.create").await, 2);
    assert_eq!(count("license.issue").await, 3);
    srv.stop().await;
}

support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    story => plans_sqlite, plans_postgres
}
