//! Nodes of the customer tree as records, on SQLite and (when
//! `LICENTIA_TEST_POSTGRES` is set) PostgreSQL.
//!
//! They change and retire, never deleted: a node's name, e-mail and
//! reference change under the rules of a creation, each change in its
//! history with before and after; its kind and parent stay; it retires
//! after the nodes under it, and then takes no new licence, member,
//! subscription or child while what it holds runs on.
//!
//! Their billing cycle (Wazo): chosen at creation; subscriptions made
//! without an interval follow it, the others keep their own; a change
//! (finance or admin only, within their grants) takes effect from the
//! start of the next calendar cycle, the nightly job making it current that
//! day once, and each following subscription changes its interval from its
//! own next invoice.

mod support;

use chrono::{Datelike, Months, NaiveDate, Utc};
use serde_json::{json, Value};
use support::console::{text, Console};
use support::{kind, node, s, Backend, Server};

/// A back office with a product, a ten-seat policy and a plan of it.
struct World {
    srv: Server,
    admin: String,
    issuer: String,
    policy: String,
    plan: String,
}

impl World {
    async fn start(backend: Backend) -> World {
        let srv = Server::start(backend).await;
        let admin = srv.admin.clone();
        let issuer = srv.token("issuer").await;
        let (_, policy) = srv
            .product_and_policy(
                &admin,
                "tree-uc",
                json!({"name": "user", "binding": "unbound", "seats": 10}),
            )
            .await;
        let plan = srv
            .plan(&admin, json!({"name": "UC", "policy_id": policy}))
            .await;
        World {
            srv,
            admin,
            issuer,
            policy,
            plan,
        }
    }
}

async fn changes(backend: Backend) {
    let World {
        srv,
        admin,
        issuer,
        policy,
        plan,
    } = World::start(backend).await;
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
    changes => customer_changes_sqlite, customer_changes_postgres
}

/// The first day of the quarter after today's.
fn next_quarter() -> NaiveDate {
    let today = Utc::now().date_naive();
    let first = NaiveDate::from_ymd_opt(today.year(), today.month0() / 3 * 3 + 1, 1).unwrap();
    first.checked_add_months(Months::new(3)).unwrap()
}

async fn billing(backend: Backend) {
    let World {
        srv,
        admin,
        issuer,
        plan,
        ..
    } = World::start(backend).await;
    let partner = node(&srv, &issuer, "partner", "Wazo", None).await;
    let (status, problem) = srv
        .call(
            "POST",
            "/v1/customers",
            Some(&issuer),
            Some(
                json!({"kind": "customer", "name": "Bad", "parent_id": partner,
                        "billing_interval": "weekly"}),
            ),
        )
        .await;
    assert_eq!((status, kind(&problem)), (422, "invalid"), "{problem}");
    let acme = srv
        .post_ok(
            "/v1/customers",
            &issuer,
            json!({"kind": "customer", "name": "Acme", "parent_id": partner,
                   "billing_interval": "quarterly"}),
            201,
        )
        .await;
    assert_eq!(acme["billing_interval"], "quarterly");
    let acme = s(&acme["id"]);
    let plain = node(&srv, &issuer, "customer", "Plain", Some(&partner)).await;
    let finance = srv
        .person(
            "Fay",
            "fay@wazo.test",
            json!([{"role": "finance", "customer_id": partner}]),
        )
        .await;
    let outsider = srv
        .person(
            "Pat",
            "pat@plain.test",
            json!([{"role": "admin", "customer_id": plain}]),
        )
        .await;

    // Made without an interval, a subscription follows its customer; with
    // one, it keeps its own; a customer without a cycle needs one given.
    let subscribe = |customer: &str, interval: Option<&str>| {
        let mut body = json!({"customer_id": customer, "plan_id": plan, "seats": 2,
                              "billing": "prepaid_1y", "start": "2026-12-01",
                              "renewal": "always", "notice": "1 month before term end"});
        if let Some(interval) = interval {
            body["interval"] = json!(interval);
        }
        body
    };
    let made = srv
        .post_ok("/v1/subscriptions", &admin, subscribe(&acme, None), 201)
        .await;
    let following = s(&made["subscription"]["id"]);
    assert_eq!(
        (
            &made["subscription"]["interval"],
            &made["subscription"]["follows_customer"]
        ),
        (&json!("quarterly"), &json!(true))
    );
    let made = srv
        .post_ok(
            "/v1/subscriptions",
            &admin,
            subscribe(&acme, Some("yearly")),
            201,
        )
        .await;
    let own = s(&made["subscription"]["id"]);
    assert_eq!(made["subscription"]["follows_customer"], false);
    let (status, problem) = srv
        .call(
            "POST",
            "/v1/subscriptions",
            Some(&admin),
            Some(subscribe(&plain, None)),
        )
        .await;
    assert_eq!((status, kind(&problem)), (422, "invalid"), "{problem}");
    assert!(
        s(&problem["detail"]).contains("no billing cycle"),
        "{problem}"
    );

    // Only finance and admins change it, within their grants; a PATCH does not.
    let cycle = format!("/v1/customers/{acme}/billing");
    let monthly = Some(json!({"interval": "monthly"}));
    let (status, _) = srv
        .call("PUT", &cycle, Some(&issuer), monthly.clone())
        .await;
    assert_eq!(status, 403);
    let (status, _) = outsider.call(&srv, "PUT", &cycle, monthly.clone()).await;
    assert_eq!(status, 404);
    let (status, problem) = srv
        .call(
            "PATCH",
            &format!("/v1/customers/{acme}"),
            Some(&issuer),
            Some(json!({"billing_interval": "monthly"})),
        )
        .await;
    assert_eq!((status, kind(&problem)), (422, "invalid"), "{problem}");
    let (status, problem) = finance
        .call(&srv, "PUT", &cycle, Some(json!({"interval": "weekly"})))
        .await;
    assert_eq!((status, kind(&problem)), (422, "invalid"), "{problem}");

    // Finance changes it: from the next quarter for the customer, from its
    // next invoice for the subscription that follows it.
    let (status, changed) = finance.call(&srv, "PUT", &cycle, monthly.clone()).await;
    assert_eq!(status, 200, "{changed}");
    let from = next_quarter();
    assert_eq!(
        (
            &changed["billing_interval"],
            &changed["billing_next"],
            &changed["billing_next_on"]
        ),
        (
            &json!("quarterly"),
            &json!("monthly"),
            &json!(from.to_string())
        )
    );
    let sub: Value = srv
        .get(&format!("/v1/subscriptions/{following}"), &admin)
        .await;
    assert_eq!(sub["pending"]["interval"], "monthly", "{sub}");
    assert!(sub["pending"]["interval_effective"].is_string(), "{sub}");
    let kept: Value = srv.get(&format!("/v1/subscriptions/{own}"), &admin).await;
    assert!(kept["pending"].is_null(), "its own interval stays: {kept}");
    let history = srv
        .get(&format!("/v1/subscriptions/{following}/history"), &admin)
        .await;
    assert!(
        history["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["operation"] == "subscription.billing"),
        "{history}"
    );
    assert_eq!(srv.history_count(&admin, "customer.billing").await, 1);
    // Its page in the console says both.
    let page = Console::of(&srv, &finance)
        .get(&format!("/customers/{acme}"))
        .await;
    assert!(
        text(&page.body).contains(&format!(
            "Billing cycle quarterly, then monthly from {from}"
        )),
        "{}",
        text(&page.body)
    );

    // The job makes it current on its first day, once.
    let before = from.pred_opt().unwrap();
    let report = srv.run_jobs(before).await;
    assert_eq!(report["billing_cycles_started"], 0, "{report}");
    let report = srv.run_jobs(from).await;
    assert_eq!(report["billing_cycles_started"], 1, "{report}");
    let report = srv.run_jobs(from).await;
    assert_eq!(report["billing_cycles_started"], 0, "{report}");
    let now: Value = srv.get(&format!("/v1/customers/{acme}"), &admin).await;
    assert_eq!(
        (&now["billing_interval"], &now["billing_next"]),
        (&json!("monthly"), &Value::Null)
    );
    srv.stop().await;
}

support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    billing => customer_billing_sqlite, customer_billing_postgres
}
