//! Nodes of the customer tree change and retire, never deleted, on SQLite
//! and (when `LICENTIA_TEST_POSTGRES` is set) PostgreSQL: a node's name,
//! e-mail and reference change under the rules of a creation, each change
//! in its history with before and after; its kind and parent stay; it
//! retires after the nodes under it, and then takes no new licence, member,
//! subscription or child while what it holds runs on.

mod support;

use serde_json::json;
use support::{kind, node, s, Backend, Server};

async fn story(backend: Backend) {
    let srv = Server::start(backend).await;
    let admin = srv.admin.clone();
    let issuer = srv.token("issuer").await;
    let (_, policy) = srv
        .product_and_policy(
            &admin,
            "tree-cad",
            json!({"name": "std", "binding": "unbound", "seats": 1}),
        )
        .await;
    let plan = srv
        .plan(&admin, json!({"name": "Std", "policy_id": policy}))
        .await;
    let partner = node(&srv, &issuer, "partner", "Wazo", None).await;
    let alpha = node(&srv, &issuer, "customer", "Alpha", Some(&partner)).await;
    let site = node(&srv, &issuer, "site", "Alpha Lyon", Some(&alpha)).await;
    let beta = node(&srv, &issuer, "customer", "Beta", Some(&partner)).await;
    let beta_admin = srv
        .person(
            "Bea",
            "bea@beta.test",
            json!([{"role": "admin", "customer_id": beta}]),
        )
        .await;
    let path = format!("/v1/customers/{alpha}");

    // Name, e-mail and reference change, and the history says how.
    let (status, changed) = srv
        .call(
            "PATCH",
            &path,
            Some(&issuer),
            Some(json!({"name": "Alpha SA", "email": "it@alpha.test", "external_ref": "CRM-7"})),
        )
        .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(
        (
            &changed["name"],
            &changed["email"],
            &changed["external_ref"]
        ),
        (&json!("Alpha SA"), &json!("it@alpha.test"), &json!("CRM-7"))
    );
    assert_eq!(srv.get(&path, &issuer).await["name"], "Alpha SA");
    let history = srv.get(&format!("{path}/history"), &issuer).await;
    let edit = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["operation"] == "customer.edit")
        .expect("an edit entry")
        .clone();
    let details: serde_json::Value = serde_json::from_str(&s(&edit["details"])).unwrap();
    assert_eq!(
        details["name"],
        json!({"from": "Alpha", "to": "Alpha SA"}),
        "{details}"
    );
    assert!(
        details.get("kind").is_none(),
        "only what changed: {details}"
    );

    // Its place and kind stay; unknown fields and bad values are refused.
    for (body, rule) in [
        (json!({"parent_id": beta}), "kind and parent do not change"),
        (json!({"kind": "partner"}), "kind and parent do not change"),
        (json!({"name": ""}), "name"),
        (json!({"colour": "red"}), "unknown field"),
        (json!({"name": 7}), "do not fit"),
    ] {
        let (status, problem) = srv.call("PATCH", &path, Some(&issuer), Some(body)).await;
        assert_eq!((status, kind(&problem)), (422, "invalid"), "{problem}");
        assert!(s(&problem["detail"]).contains(rule), "{rule}: {problem}");
    }
    // Outside one's grants, the node is not there.
    let (status, _) = beta_admin
        .call(&srv, "PATCH", &path, Some(json!({"name": "Mine"})))
        .await;
    assert_eq!(status, 404);
    let (status, _) = beta_admin
        .call(&srv, "POST", &format!("{path}/retire"), None)
        .await;
    assert_eq!(status, 404);

    // A licence issued before the retirement runs on after it.
    let before = srv
        .post_ok(
            "/v1/licenses",
            &issuer,
            json!({"policy_id": policy, "licensee": "Jane", "customer_id": alpha}),
            201,
        )
        .await;
    let before = s(&before["license"]["id"]);

    // A node retires after the nodes under it.
    let (status, problem) = srv
        .call("POST", &format!("{path}/retire"), Some(&issuer), None)
        .await;
    assert_eq!(
        (status, kind(&problem)),
        (409, "children_active"),
        "{problem}"
    );
    assert_eq!(problem["children"], 1);
    let (status, retired) = srv
        .call(
            "POST",
            &format!("/v1/customers/{site}/retire"),
            Some(&issuer),
            None,
        )
        .await;
    assert_eq!(status, 200, "{retired}");
    assert!(retired["retired_at"].is_i64(), "{retired}");
    let (status, retired) = srv
        .call("POST", &format!("{path}/retire"), Some(&issuer), None)
        .await;
    assert_eq!(status, 200, "{retired}");
    let at = retired["retired_at"].clone();
    let (status, again) = srv
        .call("POST", &format!("{path}/retire"), Some(&issuer), None)
        .await;
    assert_eq!(
        (status, &again["retired_at"]),
        (200, &at),
        "retiring again changes nothing"
    );

    // Retired, it takes nothing new and does not change...
    let refused = [
        (
            "/v1/licenses",
            json!({"policy_id": policy, "licensee": "Joe", "customer_id": alpha}),
        ),
        (
            "/v1/customers",
            json!({"kind": "site", "name": "Alpha Nice", "parent_id": alpha}),
        ),
        (
            &format!("/v1/customers/{alpha}/members") as &str,
            json!({"name": "Ann", "email": "ann@alpha.test", "plan_id": plan}),
        ),
        (
            "/v1/subscriptions",
            json!({"customer_id": alpha, "plan_id": plan, "seats": 1, "billing": "monthly",
                   "interval": "monthly", "start": "2026-12-01", "renewal": "always",
                   "notice": "1 week before month end"}),
        ),
    ];
    for (route, body) in refused {
        let (status, problem) = srv.call("POST", route, Some(&admin), Some(body)).await;
        assert_eq!(
            (status, kind(&problem)),
            (409, "retired"),
            "{route}: {problem}"
        );
        assert_eq!(problem["record"], "customer", "{problem}");
    }
    let (status, problem) = srv
        .call(
            "PATCH",
            &path,
            Some(&issuer),
            Some(json!({"name": "Alpha SAS"})),
        )
        .await;
    assert_eq!((status, kind(&problem)), (409, "retired"), "{problem}");
    // ...while it is still shown, with its history, and its licence runs on.
    assert_eq!(srv.get(&path, &issuer).await["retired_at"], at);
    let history = srv.get(&format!("{path}/history"), &issuer).await;
    assert!(
        history["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["operation"] == "customer.retire"),
        "{history}"
    );
    let license = srv.get(&format!("/v1/licenses/{before}"), &issuer).await;
    assert_eq!(license["status"], "active");
    // Its neighbour is untouched.
    srv.post_ok(
        "/v1/customers",
        &issuer,
        json!({"kind": "site", "name": "Beta Lyon", "parent_id": beta}),
        201,
    )
    .await;
    srv.stop().await;
}

support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    story => customer_changes_sqlite, customer_changes_postgres
}
