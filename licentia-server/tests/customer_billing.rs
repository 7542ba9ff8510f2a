//! A customer's billing cycle (Wazo), on SQLite and (when
//! `LICENTIA_TEST_POSTGRES` is set) PostgreSQL: chosen at its creation;
//! its subscriptions made without an interval follow it, the others keep
//! their own; a change (finance or admin only, within their grants) takes
//! effect from the start of its next calendar cycle, the nightly job making
//! it current that day once, and each following subscription changes its
//! interval from its own next invoice.

mod support;

use chrono::{Datelike, Months, NaiveDate, Utc};
use serde_json::{json, Value};
use support::console::{text, Console};
use support::{kind, node, s, Backend, Server};

/// The first day of the quarter after today's.
fn next_quarter() -> NaiveDate {
    let today = Utc::now().date_naive();
    let first = NaiveDate::from_ymd_opt(today.year(), today.month0() / 3 * 3 + 1, 1).unwrap();
    first.checked_add_months(Months::new(3)).unwrap()
}

async fn story(backend: Backend) {
    let srv = Server::start(backend).await;
    let admin = srv.admin.clone();
    let issuer = srv.token("issuer").await;
    let (_, policy) = srv
        .product_and_policy(
            &admin,
            "cycle-uc",
            json!({"name": "user", "binding": "unbound", "seats": 10}),
        )
        .await;
    let plan = srv
        .plan(&admin, json!({"name": "UC", "policy_id": policy}))
        .await;
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
    story => customer_billing_sqlite, customer_billing_postgres
}
