//! Usage metering: a licence's meters hold under contention (64 clients at
//! once never count past the quota), a batch counts once and all or
//! nothing, an offline report counts once and in order, none of it is
//! seen from another customer, and the units beyond a plan's included ones
//! are billed on the subscription's invoice once — on SQLite, and on
//! PostgreSQL when `LICENTIA_TEST_POSTGRES` is set.

mod support;

use chrono::{Datelike, Months, NaiveDate, Utc};
use licentia::{LicenseId, Timestamp, UsageReport, UsageTotal};
use serde_json::{json, Value};
use support::console::Console;
use support::{at_once, granted, kind, machine, node, rows, s, Backend, Server};

const PRODUCT: &str = "metered";

/// A licence of a policy with `meters`, for `customer_id` when given;
/// returns (license id, license key).
async fn metered_license(
    srv: &Server,
    meters: &[&str],
    customer_id: Option<&str>,
) -> (String, String) {
    let issuer = srv.token("issuer").await;
    let policy = srv
        .policy(
            &issuer,
            PRODUCT,
            json!({"name": "metered", "binding": "floating", "seats": 5, "meters": meters}),
        )
        .await;
    let v = srv
        .post_ok(
            "/v1/licenses",
            &srv.admin,
            json!({"policy_id": policy, "licensee": "Jane Doe", "customer_id": customer_id}),
            201,
        )
        .await;
    (s(&v["license"]["id"]), s(&v["license_key"]))
}

/// A batch: `records` as (meter, amount).
fn batch(key: &str, id: &str, records: &[(&str, u64)]) -> Value {
    let records: Vec<Value> = records
        .iter()
        .map(|(meter, amount)| json!({"meter": meter, "amount": amount}))
        .collect();
    json!({"license_key": key, "batch_id": id, "records": records})
}

/// `GET /v1/licenses/{id}/usage` as the admin.
async fn usage(srv: &Server, license_id: &str) -> Value {
    let path = format!("/v1/licenses/{license_id}/usage");
    let (status, v) = srv.call("GET", &path, Some(&srv.admin), None).await;
    assert_eq!(status, 200, "GET {path}: {v}");
    v
}

/// The meter `name` as the licence's usage shows it this period.
async fn meter_now(srv: &Server, license_id: &str, name: &str) -> Value {
    let usage = usage(srv, license_id).await;
    usage["meters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["meter"] == name)
        .unwrap_or_else(|| panic!("no meter {name} in {usage}"))
        .clone()
}

const QUOTA: u64 = 40;
const CLIENTS: usize = 64;

/// 64 clients each count one call at once against a quota of 40: exactly
/// 40 are counted, the other 24 refused `quota_exceeded`.
async fn contention(backend: Backend) {
    let srv = Server::start(backend).await;
    let (id, key) = metered_license(&srv, &[&format!("calls={QUOTA}/month")], None).await;
    let shots = (0..CLIENTS)
        .map(|n| {
            let body = batch(&key, &format!("client-{n}"), &[("calls", 1)]);
            ("POST", format!("{}/v1/usage", srv.base), None, body)
        })
        .collect();
    let answers = at_once(&srv.client, shots).await;
    assert_eq!(granted(&answers, 200, "quota_exceeded"), QUOTA as usize);
    let refused = answers.iter().find(|(status, _)| *status == 409).unwrap();
    assert_eq!(refused.1["meter"], "calls");
    assert_eq!(refused.1["used"], QUOTA);
    assert_eq!(refused.1["quota"], QUOTA);
    assert!(refused.1["period_end"].as_i64().unwrap() > Timestamp::now().0);
    let calls = meter_now(&srv, &id, "calls").await;
    assert_eq!(
        (calls["used"].clone(), calls["quota"].clone()),
        (json!(QUOTA), json!(QUOTA))
    );
    assert_eq!(calls["period"], "month");
    srv.stop().await;
}

support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    contention =>
        sixty_four_clients_never_pass_the_quota_sqlite,
        sixty_four_clients_never_pass_the_quota_postgres
}

/// A batch sent twice counts once; a batch past one meter's quota counts
/// nothing of any meter; bad batches are refused with the rule.
async fn batches(backend: Backend) {
    let srv = Server::start(backend).await;
    let (id, key) = metered_license(&srv, &["calls=10/day", "exports=5/term"], None).await;
    let first = batch(&key, "b-1", &[("calls", 2), ("exports", 2), ("calls", 1)]);
    let (status, answer) = srv
        .call("POST", "/v1/usage", None, Some(first.clone()))
        .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["meters"][0]["meter"], "calls");
    assert_eq!(answer["meters"][0]["used"], 3);
    let (status, again) = srv.call("POST", "/v1/usage", None, Some(first)).await;
    assert_eq!(
        (status, &again),
        (200, &answer),
        "a replay answers the first answer"
    );
    assert_eq!(meter_now(&srv, &id, "calls").await["used"], 3);

    // Exports would pass 5: nothing is counted, calls neither.
    let over = batch(&key, "b-2", &[("calls", 1), ("exports", 4)]);
    let (status, problem) = srv.call("POST", "/v1/usage", None, Some(over)).await;
    assert_eq!(
        (status, kind(&problem)),
        (409, "quota_exceeded"),
        "{problem}"
    );
    assert_eq!(
        (problem["meter"].clone(), problem["used"].clone()),
        (json!("exports"), json!(2))
    );
    assert!(
        problem["period_end"].is_null(),
        "a term meter of a licence without end"
    );
    assert_eq!(meter_now(&srv, &id, "calls").await["used"], 3);
    assert_eq!(meter_now(&srv, &id, "exports").await["used"], 2);

    // The same batch id with other records is not a replay.
    let other = batch(&key, "b-1", &[("calls", 5)]);
    let (status, _) = srv.call("POST", "/v1/usage", None, Some(other)).await;
    assert_eq!(status, 422);
    let too_many: Vec<(&str, u64)> = vec![("calls", 1); 101];
    for (bad, want) in [
        (batch(&key, "b-3", &[("renders", 1)]), 422),
        (batch(&key, "b-4", &[("calls", 0)]), 422),
        (batch(&key, "b-5", &[("calls", 1_000_001)]), 422),
        (batch(&key, "b-6", &too_many), 422),
        (batch(&key, "b-7", &[]), 422),
        (batch(&key, "", &[("calls", 1)]), 400),
        (batch("LIC-NOT-A-KEY", "b-8", &[("calls", 1)]), 400),
    ] {
        let (status, problem) = srv.call("POST", "/v1/usage", None, Some(bad.clone())).await;
        assert_eq!(status, want, "{bad}: {problem}");
    }
    assert_eq!(meter_now(&srv, &id, "calls").await["used"], 3);

    // Every period counted, with the licence's history.
    let usage = usage(&srv, &id).await;
    assert_eq!(usage["periods"].as_array().unwrap().len(), 2);

    // The licence's page shows its meters, used and quota, in French too.
    let ivy = srv
        .person("Ivy", "ivy@vendor.test", json!([{"role": "auditor"}]))
        .await;
    let console = Console::of(&srv, &ivy);
    let page = console.get(&format!("/licenses/{id}")).await;
    assert_eq!(page.status, 200);
    let text = page.text();
    assert!(text.contains("Meters (this period)"), "{text}");
    assert!(text.contains("calls 3 / 10 each day (UTC)"), "{text}");
    assert!(
        text.contains("exports 2 / 5 the licence's term Never"),
        "{text}"
    );
    srv.stop().await;
}

support::on_both_backends! {
    #[tokio::test]
    batches =>
        a_batch_counts_once_and_all_or_nothing_sqlite,
        a_batch_counts_once_and_all_or_nothing_postgres
}

/// A machine's offline report of `renders`, numbered `counter`.
fn report(license_id: &str, product: &str, counter: u64, renders: u64) -> String {
    UsageReport::new(
        product,
        LicenseId::parse(license_id).unwrap(),
        machine(PRODUCT, 1),
        counter,
        Timestamp::now(),
        vec![UsageTotal::new("renders", renders)],
    )
    .unwrap()
    .to_armor()
}

/// An offline report counts once, in order: a replay and an older counter
/// are refused `usage_report_replayed`; garbage is refused with the reason.
async fn offline_reports(backend: Backend) {
    let srv = Server::start(backend).await;
    let issuer = srv.token("issuer").await;
    let (id, _) = metered_license(&srv, &["renders=100/year"], None).await;
    let upload = |text: String| {
        let issuer = issuer.clone();
        let srv = &srv;
        async move {
            srv.call(
                "POST",
                "/v1/usage/reports",
                Some(&issuer),
                Some(json!({"report": text})),
            )
            .await
        }
    };
    let (status, answer) = upload(report(&id, PRODUCT, 1, 7)).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["meters"][0]["used"], 7);
    let (status, problem) = upload(report(&id, PRODUCT, 1, 7)).await;
    assert_eq!(
        (status, kind(&problem)),
        (409, "usage_report_replayed"),
        "{problem}"
    );
    assert_eq!(problem["last_counter"], 1);
    // Counters may skip (a report lost on the way), never go back.
    assert_eq!(upload(report(&id, PRODUCT, 3, 5)).await.0, 200);
    let (status, problem) = upload(report(&id, PRODUCT, 2, 9)).await;
    assert_eq!(
        (status, kind(&problem)),
        (409, "usage_report_replayed"),
        "{problem}"
    );
    assert_eq!(problem["last_counter"], 3);
    assert_eq!(meter_now(&srv, &id, "renders").await["used"], 12);

    // An offline machine's consumption happened: counted past the quota.
    assert_eq!(upload(report(&id, PRODUCT, 4, 200)).await.0, 200);
    assert_eq!(meter_now(&srv, &id, "renders").await["used"], 212);

    let armored = report(&id, PRODUCT, 5, 1);
    let mut flipped = armored.clone().into_bytes();
    flipped[60] = if flipped[60] == b'A' { b'B' } else { b'A' };
    for garbage in [
        "not a report".to_owned(),
        armored.replace("USAGE REPORT", "DEACTIVATION REQUEST"),
        String::from_utf8(flipped).unwrap(),
        "x".repeat(100_000),
        report(&id, "other-product", 6, 1),
        report(&"0".repeat(32), PRODUCT, 7, 1),
    ] {
        let (status, problem) = upload(garbage).await;
        assert!(matches!(status, 404 | 413 | 422), "{status} {problem}");
    }
    assert_eq!(meter_now(&srv, &id, "renders").await["used"], 212);
    srv.stop().await;
}

support::on_both_backends! {
    #[tokio::test]
    offline_reports =>
        an_offline_report_counts_once_in_order_sqlite,
        an_offline_report_counts_once_in_order_postgres
}

/// A customer's admin sees the usage of its own licences, and none of
/// another customer's: not the licence's meters, not its reports.
async fn scoped(backend: Backend) {
    let srv = Server::start(backend).await;
    let admin = srv.admin.clone();
    let c1 = node(&srv, &admin, "customer", "C1", None).await;
    let c2 = node(&srv, &admin, "customer", "C2", None).await;
    let (id, key) = metered_license(&srv, &["calls=10/month"], Some(&c1)).await;
    let (status, _) = srv
        .call(
            "POST",
            "/v1/usage",
            None,
            Some(batch(&key, "b", &[("calls", 4)])),
        )
        .await;
    assert_eq!(status, 200);
    let token_at = |node: String| {
        let srv = &srv;
        let admin = admin.clone();
        async move {
            let v = srv
                .post_ok(
                    "/v1/tokens",
                    &admin,
                    json!({"name": "customer admin", "role": "admin", "customer_id": node}),
                    201,
                )
                .await;
            s(&v["token"])
        }
    };
    let (own, other) = (token_at(c1.clone()).await, token_at(c2).await);
    let path = format!("/v1/licenses/{id}/usage");
    let (status, usage) = srv.call("GET", &path, Some(&own), None).await;
    assert_eq!(
        (status, usage["meters"][0]["used"].clone()),
        (200, json!(4))
    );
    let (status, _) = srv.call("GET", &path, Some(&other), None).await;
    assert_eq!(status, 404);
    let upload = json!({"report": report(&id, PRODUCT, 1, 1)});
    let (status, _) = srv
        .call(
            "POST",
            "/v1/usage/reports",
            Some(&other),
            Some(upload.clone()),
        )
        .await;
    assert_eq!(status, 404);
    let (status, _) = srv
        .call("POST", "/v1/usage/reports", Some(&own), Some(upload))
        .await;
    assert_eq!(status, 422, "the licence's policy has no renders meter");

    // The usage report: this month's consumption, within reach only.
    let (_, mine) = srv.call("GET", "/v1/reports/usage", Some(&own), None).await;
    assert_eq!(
        mine["items"],
        json!([{"customer_id": c1, "license_id": id, "meter": "calls", "used": 4}])
    );
    let (_, theirs) = srv
        .call("GET", "/v1/reports/usage", Some(&other), None)
        .await;
    assert_eq!(theirs["items"], json!([]));
    let (status, csv) = srv
        .call_at(
            &srv.base,
            "GET",
            "/v1/reports/usage?by=customer",
            Some(&admin),
            None,
            &[("accept", "text/csv")],
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        rows(csv.as_str().unwrap())[1],
        [c1.as_str(), "", "calls", "4"]
    );
    let (status, _) = srv
        .call(
            "GET",
            "/v1/reports/usage?from=2020-01-01&to=2021-01-01",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = srv
        .call("GET", "/v1/reports/usage?by=plan", Some(&admin), None)
        .await;
    assert_eq!(status, 422);
    srv.stop().await;
}

support::on_both_backends! {
    #[tokio::test]
    scoped =>
        another_customer_sees_none_of_it_sqlite,
        another_customer_sees_none_of_it_postgres
}

/// A subscription of `plan` for `customer`, monthly from `start`; returns
/// (subscription id, its licence's key).
async fn subscribe(srv: &Server, customer: &str, plan: &str, start: NaiveDate) -> (String, String) {
    let body = json!({
        "customer_id": customer, "plan_id": plan, "seats": 2, "billing": "monthly",
        "interval": "monthly", "start": start.to_string(), "renewal": "always",
        "notice": "1 month before term end",
    });
    let created = srv
        .post_ok("/v1/subscriptions", &srv.admin, body, 201)
        .await;
    (
        s(&created["subscription"]["id"]),
        s(&created["license_key"]),
    )
}

/// The usage lines on the invoices of subscription `sub`, by period start.
async fn usage_lines(srv: &Server, sub: &str) -> Vec<(String, Value)> {
    let path = format!("/v1/invoices?limit=500&subscription_id={sub}");
    let mut lines: Vec<(String, Value)> = srv
        .items(&path, &srv.admin)
        .await
        .iter()
        .flat_map(|i| {
            let start = s(&i["period_start"]);
            i["lines"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|l| l["kind"] == "usage")
                .map(move |l| (start.clone(), l.clone()))
                .collect::<Vec<_>>()
        })
        .collect();
    lines.sort_by(|a, b| a.0.cmp(&b.0));
    lines
}

/// Usage billed: a plan prices a meter of its policy per unit beyond the
/// units included; the first invoice after a month has ended bills that
/// month's units beyond the included ones, one line, once (a second run
/// bills nothing more); another customer's usage is on its own invoice
/// only; bad prices are refused with their rule, in the API and the
/// console's form.
async fn billed(backend: Backend) {
    let srv = Server::start(backend).await;
    let issuer = srv.token("issuer").await;
    let policy = srv
        .policy(
            &issuer,
            "billed-usage",
            json!({"name": "metered", "binding": "floating", "seats": 5,
                   "meters": ["calls=1000/month", "exports=50/day"]}),
        )
        .await;
    let plan_of = |prices: Value| {
        json!({"name": "Metered", "policy_id": policy, "meter_prices": prices,
               "price": {"currency": "EUR", "amount": 1000, "tax_rate_bp": 2000}})
    };
    for (prices, rule) in [
        (json!([{"meter": "renders", "unit_amount": 1}]), "meter price renders: the policy metered has no such meter (its meters: calls, exports)"),
        (json!([{"meter": "calls", "unit_amount": -1}]), "meter price calls: a price per unit is 0 to"),
        (json!([{"meter": "calls", "unit_amount": 1, "included": -5}]), "meter price calls: the units included may not be negative"),
        (json!([{"meter": "calls", "unit_amount": 1}, {"meter": "calls", "unit_amount": 2}]), "meter price calls: the meter is priced twice"),
    ] {
        let (status, problem) = srv
            .call("POST", "/v1/plans", Some(&issuer), Some(plan_of(prices)))
            .await;
        assert_eq!(status, 422, "{problem}");
        assert!(s(&problem["detail"]).contains(rule), "{problem}");
    }
    let mut unpriced = plan_of(json!([{"meter": "calls", "unit_amount": 1}]));
    unpriced["price"] = Value::Null;
    let (status, problem) = srv
        .call("POST", "/v1/plans", Some(&issuer), Some(unpriced))
        .await;
    assert_eq!(status, 422, "{problem}");
    assert!(
        s(&problem["detail"]).contains("the plan has no price"),
        "{problem}"
    );

    // 0.05 EUR a call beyond 100 a month.
    let made = plan_of(json!([{"meter": "calls", "unit_amount": 5, "included": 100}]));
    let plan = s(&srv.post_ok("/v1/plans", &issuer, made, 201).await["id"]);
    let alpha = node(&srv, &issuer, "customer", "Alpha", None).await;
    let beta = node(&srv, &issuer, "customer", "Beta", None).await;
    let today = Utc::now().date_naive();
    let this_month = today.with_day(1).unwrap();
    let next_month = this_month.checked_add_months(Months::new(1)).unwrap();
    let after_that = next_month.checked_add_months(Months::new(1)).unwrap();
    let (sub_a, key_a) = subscribe(&srv, &alpha, &plan, this_month).await;
    let (sub_b, key_b) = subscribe(&srv, &beta, &plan, this_month).await;
    for (key, calls) in [(&key_a, 130), (&key_b, 150)] {
        let body = batch(key, "b-1", &[("calls", calls), ("exports", 7)]);
        let (status, answer) = srv.call("POST", "/v1/usage", None, Some(body)).await;
        assert_eq!(status, 200, "{answer}");
    }

    // This month's invoice is written on its first day: the month's
    // usage has not ended, nothing of it is billed yet.
    srv.run_jobs(today).await;
    assert!(usage_lines(&srv, &sub_a).await.is_empty());
    // Next month's invoice bills this month's 30 calls beyond the 100.
    srv.run_jobs(next_month).await;
    srv.run_jobs(next_month).await;
    let lines = usage_lines(&srv, &sub_a).await;
    assert_eq!(lines.len(), 1, "one line, once: {lines:?}");
    let (start, line) = &lines[0];
    assert_eq!(start, &next_month.to_string());
    assert_eq!(
        (
            &line["item"],
            &line["quantity"],
            &line["unit_amount"],
            &line["amount"]
        ),
        (&json!("calls"), &json!(30), &json!(5), &json!(150)),
        "{line}"
    );
    assert!(
        s(&line["description"]).contains(&format!("calls, {this_month} to ")),
        "{line}"
    );
    let invoice = srv
        .items(
            &format!("/v1/invoices?subscription_id={sub_a}&period_from={next_month}"),
            &srv.admin,
        )
        .await[0]
        .clone();
    assert_eq!(invoice["net"], 2 * 1000 + 150, "{invoice}");
    assert_eq!(invoice["tax"], (2 * 1000 + 150) / 5, "{invoice}");
    // Beta's 50 calls beyond are on Beta's invoice, not on Alpha's.
    let theirs = usage_lines(&srv, &sub_b).await;
    assert_eq!(theirs.len(), 1, "{theirs:?}");
    assert_eq!(
        (&theirs[0].1["quantity"], &theirs[0].1["amount"]),
        (&json!(50), &json!(250))
    );
    // The month after bills no usage: nothing was consumed since.
    srv.run_jobs(after_that).await;
    assert_eq!(usage_lines(&srv, &sub_a).await.len(), 1);

    // The invoice's console page shows the line; the plan's form refuses
    // a bad line with its rule.
    let finn = srv
        .person("Finn", "finn@vendor.test", json!([{"role": "admin"}]))
        .await;
    let console = Console::of(&srv, &finn);
    let page = console
        .get(&format!("/invoices/{}", s(&invoice["id"])))
        .await;
    assert_eq!(page.status, 200);
    assert!(
        page.text().contains("30 0.05 EUR 0 1.50 EUR"),
        "{}",
        page.text()
    );
    let page = console.get(&format!("/plans/{plan}")).await;
    assert!(
        page.text().contains("calls 0.05 EUR 100"),
        "{}",
        page.text()
    );
    let refused = console
        .post(
            &format!("/plans/{plan}/edit"),
            &[
                ("name", "Metered"),
                ("policy_id", &policy),
                ("currency", "EUR"),
                ("price", "10.00"),
                ("meter_prices", "calls | 0.001 | 100"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.text());
    assert!(
        refused
            .text()
            .contains("'0.001' has 3 decimals; the currency has 2"),
        "{}",
        refused.text()
    );
    srv.stop().await;
}

support::on_both_backends! {
    #[tokio::test]
    billed =>
        usage_beyond_the_included_units_is_billed_once_sqlite,
        usage_beyond_the_included_units_is_billed_once_postgres
}
