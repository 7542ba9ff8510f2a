//! Reports, over a real socket on SQLite and (when `LICENTIA_TEST_POSTGRES`
//! is set) PostgreSQL: each report's numbers against data made here, the CSV
//! form parsed back (quoting, formula escape), roles, bad queries.

mod support;

use licentia::{Timestamp, DAY};
use licentia_server::sql::SqlStore;
use licentia_server::store::{Grouping, GroupsAt, ReportStore as _, Scope};
use serde_json::{json, Value};
use sqlx::Row;
use support::{each, find, items, machine, node, s, texts, Backend, Server};

/// GETs `path` as CSV; returns the status and the rows (header first),
/// parsed by an independent CSV reader.
async fn csv(srv: &Server, path: &str, token: &str) -> (u16, Vec<Vec<String>>) {
    let resp = srv
        .client
        .get(format!("{}{path}", srv.base))
        .bearer_auth(token)
        .header("accept", "text/csv")
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let ctype = resp.headers()["content-type"].to_str().unwrap().to_owned();
    let text = resp.text().await.unwrap();
    assert!(ctype.starts_with("text/csv"), "{path}: {ctype}: {text}");
    assert!(text.ends_with("\r\n"), "RFC 4180 line ends");
    let rows = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    (status, rows)
}

/// The rows of a CSV table as maps from column to value (header dropped).
fn by_column(rows: &[Vec<String>]) -> Vec<std::collections::HashMap<String, String>> {
    rows[1..]
        .iter()
        .map(|r| rows[0].iter().cloned().zip(r.iter().cloned()).collect())
        .collect()
}

async fn issue(srv: &Server, token: &str, body: Value) -> (String, String) {
    let v = srv.post_ok("/v1/licenses", token, body, 201).await;
    (s(&v["license"]["id"]), s(&v["license_key"]))
}

async fn activate(srv: &Server, key: &str, product: &str, n: usize, platform: &str) -> String {
    let v = srv
        .post_ok(
            "/v1/activations",
            "",
            json!({"license_key": key, "fingerprint": machine(product, n).to_string(), "platform": platform}),
            201,
        )
        .await;
    s(&v["activation_id"])
}

/// Moves a license's issue date `days` into the past, straight in the
/// database: the only way to have licenses issued days ago in a test.
async fn backdate(srv: &Server, license: &str, days: i64) {
    sqlx::any::install_default_drivers();
    let db = sqlx::AnyPool::connect(&srv.config.database_url())
        .await
        .unwrap();
    sqlx::query("UPDATE licenses SET issued_at = $1 WHERE id = $2")
        .bind(Timestamp::now().0 - days * DAY)
        .bind(license)
        .execute(&db)
        .await
        .unwrap();
    db.close().await;
}

/// Each counter table the reports read (migration 0030) next to the
/// recount of the rows it counts, by a scan of the licences, activations
/// and leases: (what, counters, scan).
const COUNTED: [(&str, &str, &str); 9] = [
    (
        "holders of subscriptions not ended by last day, under their name (migration 0045)",
        "SELECT day, name, customer_id, subscriptions FROM subscription_end_holders",
        "SELECT COALESCE(s.ends_on, s.term_end) AS day, c.name, s.customer_id, \
         COUNT(*) AS subscriptions FROM subscriptions s JOIN customers c ON c.id = s.customer_id \
         WHERE s.status <> 'ended' GROUP BY COALESCE(s.ends_on, s.term_end), c.name, s.customer_id",
    ),
    (
        "holders of licences not revoked by day of end, under their name (migration 0045)",
        "SELECT day, name, customer_id, licenses FROM expiry_holders",
        "SELECT l.expires_at / 86400 AS day, c.name, l.customer_id, COUNT(*) AS licenses \
         FROM licenses l JOIN customers c ON c.id = l.customer_id \
         WHERE l.status <> 'revoked' AND l.expires_at IS NOT NULL \
         GROUP BY l.expires_at / 86400, c.name, l.customer_id",
    ),
    (
        "subscriptions not ended by node, last day and plan (migration 0039)",
        "SELECT customer_id AS node, day, plan_id, subscriptions FROM subscription_end_days \
         WHERE subscriptions <> 0",
        "SELECT n.node, COALESCE(s.ends_on, s.term_end) AS day, s.plan_id, \
         COUNT(*) AS subscriptions FROM subscriptions s \
         JOIN (SELECT '*' AS node UNION ALL SELECT id FROM customers) n \
         ON n.node = '*' OR n.node = s.customer_id \
         WHERE s.status <> 'ended' GROUP BY n.node, COALESCE(s.ends_on, s.term_end), s.plan_id",
    ),
    (
        "licences not revoked by node, day of end and policy (migration 0037)",
        "SELECT customer_id AS node, day, policy_id, licenses FROM expiry_days \
         WHERE licenses <> 0",
        "SELECT n.node, l.expires_at / 86400 AS day, l.policy_id, COUNT(*) AS licenses \
         FROM licenses l JOIN (SELECT '*' AS node UNION ALL SELECT id FROM customers) n \
         ON n.node = '*' OR n.node = l.customer_id \
         WHERE l.status <> 'revoked' AND l.expires_at IS NOT NULL \
         GROUP BY n.node, l.expires_at / 86400, l.policy_id",
    ),
    (
        "seats in use by node and product, leases aside (migration 0033)",
        "SELECT customer_id AS node, product_id, used FROM seat_counts WHERE used <> 0",
        "SELECT u.node, u.product_id, COUNT(*) AS used FROM \
         (SELECT l.customer_id AS node, l.product_id FROM members m \
              JOIN licenses l ON l.id = m.license_id WHERE l.status <> 'revoked' \
          UNION ALL SELECT l.customer_id, l.product_id FROM activations v \
              JOIN licenses l ON l.id = v.license_id WHERE v.deactivated_at IS NULL \
              AND NOT EXISTS (SELECT 1 FROM members m WHERE m.license_id = l.id)) u \
         WHERE u.node IS NOT NULL GROUP BY u.node, u.product_id",
    ),
    (
        "licences by node, product and policy",
        "SELECT customer_id AS node, product_id, policy_id, licenses, active, seats, seats_used \
         FROM license_counts WHERE licenses <> 0",
        "SELECT n.node, l.product_id, l.policy_id, COUNT(*) AS licenses, \
         CAST(SUM(CASE WHEN l.status = 'active' THEN 1 ELSE 0 END) AS BIGINT) AS active, \
         CAST(SUM(l.seats) AS BIGINT) AS seats, CAST(SUM(l.seats_used) AS BIGINT) AS seats_used \
         FROM licenses l JOIN (SELECT '*' AS node UNION ALL SELECT id FROM customers) n \
         ON n.node = '*' OR n.node = l.customer_id GROUP BY n.node, l.product_id, l.policy_id",
    ),
    (
        "activations by node and platform",
        "SELECT customer_id AS node, platform, total, active, licenses FROM platform_counts \
         WHERE total <> 0",
        "SELECT n.node, a.platform, COUNT(*) AS total, \
         CAST(SUM(CASE WHEN a.deactivated_at IS NULL THEN 1 ELSE 0 END) AS BIGINT) AS active, \
         COUNT(DISTINCT a.license_id) AS licenses \
         FROM activations a JOIN licenses l ON l.id = a.license_id \
         JOIN (SELECT '*' AS node UNION ALL SELECT id FROM customers) n \
         ON n.node = '*' OR n.node = l.customer_id GROUP BY n.node, a.platform",
    ),
    (
        "licences by days from issue to first use",
        "SELECT customer_id AS node, product_id, policy_id, days, licenses FROM first_use_days \
         WHERE licenses <> 0",
        "SELECT n.node, u.product_id, u.policy_id, u.days, COUNT(*) AS licenses FROM \
         (SELECT l.customer_id, l.product_id, l.policy_id, CASE WHEN f.at IS NULL THEN -1 \
              WHEN f.at <= l.issued_at THEN 0 ELSE (f.at - l.issued_at) / 86400 END AS days \
          FROM licenses l LEFT JOIN (SELECT license_id, MIN(created_at) AS at FROM \
              (SELECT license_id, created_at FROM activations \
               UNION ALL SELECT license_id, created_at FROM leases) e GROUP BY license_id) f \
          ON f.license_id = l.id) u \
         JOIN (SELECT '*' AS node UNION ALL SELECT id FROM customers) n \
         ON n.node = '*' OR n.node = u.customer_id \
         GROUP BY n.node, u.product_id, u.policy_id, u.days",
    ),
    (
        "licences by node and day of issue",
        "SELECT customer_id AS node, day, licenses FROM issue_days WHERE licenses <> 0",
        "SELECT n.node, l.issued_at / 86400 AS day, COUNT(*) AS licenses FROM licenses l \
         JOIN (SELECT '*' AS node UNION ALL SELECT id FROM customers) n \
         ON n.node = '*' OR n.node = l.customer_id GROUP BY n.node, l.issued_at / 86400",
    ),
];

/// Every counter the reports read equals the scan of what it counts,
/// straight in the database (after writes through the API).
async fn counters_match_a_scan(srv: &Server) {
    sqlx::any::install_default_drivers();
    let db = sqlx::AnyPool::connect(&srv.config.database_url())
        .await
        .unwrap();
    let read = |sql: &'static str| {
        let db = db.clone();
        async move {
            let mut rows: Vec<String> = sqlx::query(sql)
                .fetch_all(&db)
                .await
                .unwrap()
                .iter()
                .map(|r| {
                    (0..r.len())
                        .map(|i| {
                            r.try_get::<String, _>(i)
                                .or_else(|_| r.try_get::<i64, _>(i).map(|n| n.to_string()))
                                .unwrap()
                        })
                        .collect::<Vec<_>>()
                        .join(" | ")
                })
                .collect();
            rows.sort();
            rows
        }
    };
    for (what, counters, scan) in COUNTED {
        let kept = read(counters).await;
        assert!(!kept.is_empty(), "{what}: nothing counted");
        assert_eq!(kept, read(scan).await, "{what}");
    }
    db.close().await;
}

fn date_in(days: i64) -> String {
    Timestamp(Timestamp::now().0 + days * DAY).to_string()
}

/// The `fields` of every item of a report, in their order, one array each.
fn rows_of(report: &Value, fields: &[&str]) -> Value {
    let row = |item: &Value| -> Value { fields.iter().map(|f| item[f].clone()).collect() };
    each(&report["items"], row).into()
}

async fn story(backend: Backend) {
    let srv = Server::start(backend).await;
    let [issuer, finance, auditor] = srv.tokens(["issuer", "finance", "auditor"]).await;

    // ------------------------------------------------ renewals
    let yearly = srv
        .policy(
            &issuer,
            "rep-cad",
            json!({"name": "yearly", "binding": "unbound", "duration_days": 365}),
        )
        .await;
    let trial = srv
        .post_ok(
            "/v1/policies",
            &issuer,
            json!({"product_id": "rep-cad", "name": "trial", "kind": "trial", "binding": "floating", "duration_days": 30}),
            201,
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    srv.plan(&issuer, json!({"name": "Business", "policy_id": yearly}))
        .await;
    let ends = |policy: &str, days: i64, who: &str| json!({"policy_id": policy, "licensee": who, "expires": date_in(days)});
    let (in_30, _) = issue(&srv, &srv.admin, ends(&yearly, 30, "Thirty")).await;
    let (in_10, _) = issue(&srv, &srv.admin, ends(&yearly, 10, "Ten")).await;
    let (trial_20, _) = issue(&srv, &srv.admin, ends(&trial, 20, "Trial")).await;
    let (suspended_40, _) = issue(&srv, &srv.admin, ends(&yearly, 40, "Suspended")).await;
    let (revoked_15, _) = issue(&srv, &srv.admin, ends(&yearly, 15, "Revoked")).await;
    let (later, _) = issue(&srv, &srv.admin, ends(&yearly, 200, "Later")).await;
    srv.post_ok(
        &format!("/v1/licenses/{suspended_40}/suspend"),
        &issuer,
        json!({}),
        200,
    )
    .await;
    srv.post_ok(
        &format!("/v1/licenses/{revoked_15}/revoke"),
        &issuer,
        json!({}),
        200,
    )
    .await;

    let flat = srv.get("/v1/reports/renewals", &auditor).await;
    let ids: Vec<String> = items(&flat).iter().map(|i| s(&i["id"])).collect();
    // Soonest first; revoked and later-than-90-days left out; suspended kept.
    assert_eq!(ids, [in_10.as_str(), &trial_20, &in_30, &suspended_40]);
    assert_eq!(flat["count"], 4);
    assert!(!ids.contains(&later) && !ids.contains(&revoked_15));

    let short = srv
        .get("/v1/reports/renewals?within_days=25", &finance)
        .await;
    assert_eq!(short["count"], 2);

    let by_plan = srv
        .get("/v1/reports/renewals?group_by=plan", &auditor)
        .await;
    let groups = each(&by_plan["groups"], |g| {
        (s(&g["group"]), texts(&g["items"], "id"))
    });
    assert_eq!(
        groups,
        [
            ("(no plan)".to_owned(), vec![trial_20.clone()]),
            (
                "Business".to_owned(),
                vec![in_10.clone(), in_30.clone(), suspended_40.clone()]
            ),
        ]
    );
    let by_type = srv
        .get("/v1/reports/renewals?group_by=type", &auditor)
        .await;
    let types = each(&by_type["groups"], |g| {
        (s(&g["group"]), g["count"].as_u64().unwrap())
    });
    assert_eq!(
        types,
        [
            ("license/standard".to_owned(), 3),
            ("license/trial".to_owned(), 1)
        ]
    );
    let (status, rows) = csv(&srv, "/v1/reports/renewals?group_by=plan", &auditor).await;
    assert_eq!(status, 200);
    let rows = by_column(&rows);
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[1]["id"], in_10);
    assert_eq!(rows[1]["group"], "Business");
    // Whole days left: 10, or 9 once a second has passed since the issue.
    assert!(["9", "10"].contains(&rows[1]["days_left"].as_str()));
    assert_eq!(rows[1]["ends_at"][..10], date_in(10)[..10]);

    for bad in [
        "within_days=-1",
        "within_days=99999",
        "group_by=colour",
        "nope=1",
    ] {
        let (status, _) = srv
            .call(
                "GET",
                &format!("/v1/reports/renewals?{bad}"),
                Some(&auditor),
                None,
            )
            .await;
        assert_eq!(status, 400, "{bad}");
    }

    // ------------------------------------------------ seats per node
    let (seat_product, seat_policy) = srv
        .product_and_policy(
            &issuer,
            "rep-seat",
            json!({"name": "per-seat", "binding": "node-locked", "seats": 5}),
        )
        .await;
    // A name a spreadsheet would split or run: quoted and escaped in CSV.
    let partner = node(&srv, &issuer, "partner", "Smith, \"Acme\" & Co", None).await;
    let customer = node(
        &srv,
        &issuer,
        "customer",
        "=HYPERLINK(\"http://x\")",
        Some(&partner),
    )
    .await;
    let site = node(&srv, &issuer, "site", "@Site", Some(&customer)).await;
    for (node, seats) in [(&partner, 10), (&customer, 4), (&site, 1)] {
        let (status, v) = srv
            .call(
                "PUT",
                &format!("/v1/customers/{node}/allocation"),
                Some(&finance),
                Some(json!({"product_id": seat_product, "seats": seats})),
            )
            .await;
        assert_eq!(status, 200, "{v}");
    }
    let (seat_license, seat_key) = issue(
        &srv,
        &issuer,
        json!({"policy_id": seat_policy, "licensee": "C", "customer_id": customer}),
    )
    .await;
    activate(&srv, &seat_key, "rep-seat", 1, "linux-x86_64").await;

    let tree = srv.get("/v1/reports/seats", &auditor).await;
    let seats_of = |v: &Value, node: &str| -> Vec<i64> {
        let n = items(v)
            .iter()
            .find(|n| n["customer_id"] == node)
            .unwrap_or_else(|| panic!("{node} missing in {v}"));
        let a = &n["allocations"][0];
        ["allocated", "given", "used", "free"]
            .iter()
            .map(|k| a[k].as_i64().unwrap())
            .collect()
    };
    assert_eq!(seats_of(&tree, &partner), [10, 4, 0, 6]);
    assert_eq!(seats_of(&tree, &customer), [4, 1, 1, 2]);
    assert_eq!(seats_of(&tree, &site), [1, 0, 0, 1]);
    let sub = srv
        .get(
            &format!("/v1/reports/seats?customer_id={customer}"),
            &auditor,
        )
        .await;
    let nodes: Vec<String> = items(&sub).iter().map(|n| s(&n["customer_id"])).collect();
    assert_eq!(nodes, [customer.as_str(), &site], "the subtree, by name");
    let (status, _) = srv
        .call(
            "GET",
            "/v1/reports/seats?customer_id=cus_nope",
            Some(&auditor),
            None,
        )
        .await;
    assert_eq!(status, 404);

    let (_, rows) = csv(&srv, "/v1/reports/seats", &auditor).await;
    assert_eq!(
        rows[0],
        [
            "customer_id",
            "parent_id",
            "kind",
            "name",
            "product_id",
            "allocated",
            "given",
            "used",
            "free"
        ]
    );
    let rows = by_column(&rows);
    let row = |id: &str| {
        rows.iter()
            .find(|r| r["customer_id"] == id)
            .unwrap()
            .clone()
    };
    // Commas and quotes survive quoting; formulas come back with their escape.
    assert_eq!(row(&partner)["name"], "Smith, \"Acme\" & Co");
    assert_eq!(row(&customer)["name"], "'=HYPERLINK(\"http://x\")");
    assert_eq!(row(&site)["name"], "'@Site");
    assert_eq!(
        [
            &row(&customer)["allocated"],
            &row(&customer)["used"],
            &row(&customer)["free"]
        ],
        ["4", "1", "2"]
    );

    // ------------------------------------------------ time to first activation
    let delay_policy = srv
        .policy(
            &issuer,
            "rep-delay",
            json!({"name": "locked", "binding": "node-locked", "seats": 3}),
        )
        .await;
    let mut keys = Vec::new();
    for days in [1, 2, 10, 5] {
        let (id, key) = issue(
            &srv,
            &srv.admin,
            json!({"policy_id": delay_policy, "licensee": "D"}),
        )
        .await;
        backdate(&srv, &id, days).await;
        keys.push(key);
    }
    // Activated 1, 2 and 10 days after issue; the fourth never.
    activate(&srv, &keys[0], "rep-delay", 1, "-2+3").await;
    activate(&srv, &keys[1], "rep-delay", 2, "windows-x86_64").await;
    let gone = activate(&srv, &keys[2], "rep-delay", 3, "linux-x86_64").await;
    // A second machine later does not change the first activation.
    activate(&srv, &keys[2], "rep-delay", 4, "linux-x86_64").await;
    let (status, _) = srv
        .call(
            "DELETE",
            &format!("/v1/activations/{gone}"),
            Some(&issuer),
            None,
        )
        .await;
    assert_eq!(status, 200);

    let delay = srv.get("/v1/reports/activation-delay", &auditor).await;
    let product = find(&delay["by_product"], |p| p["name"] == "rep-delay");
    assert_eq!(product["licenses"], 4);
    assert_eq!(product["activated"], 3);
    assert_eq!(product["never_activated"], 1);
    let near = |v: &Value, want: f64| (v.as_f64().unwrap() - want).abs() < 0.01;
    assert!(near(&product["median_days"], 2.0), "{product}");
    assert!(near(&product["p90_days"], 10.0), "{product}");
    // Overall: the seat license was activated at once (0 days) too.
    let overall = &delay["overall"];
    assert_eq!(overall["activated"], 4);
    assert!(near(&overall["median_days"], 1.5), "{overall}");
    assert!(near(&overall["p90_days"], 10.0), "{overall}");
    assert!(s(&delay["never_activated"]).contains("left out"));
    let (_, rows) = csv(&srv, "/v1/reports/activation-delay", &auditor).await;
    let rows = by_column(&rows);
    let line = rows.iter().find(|r| r["name"] == "rep-delay").unwrap();
    assert_eq!(line["scope"], "product");
    assert_eq!(line["never_activated"], "1");
    assert!((line["median_days"].parse::<f64>().unwrap() - 2.0).abs() < 0.01);

    // ------------------------------------------------ platforms
    let platforms = srv.get("/v1/reports/platforms", &auditor).await;
    let counts = rows_of(&platforms, &["platform", "active", "total", "licenses"]);
    assert_eq!(
        counts,
        json!([
            ["linux-x86_64", 2, 3, 2],
            ["-2+3", 1, 1, 1],
            ["windows-x86_64", 1, 1, 1],
        ])
    );
    let (_, rows) = csv(&srv, "/v1/reports/platforms", &auditor).await;
    assert_eq!(
        rows[2],
        ["'-2+3", "1", "1", "1"],
        "escaped text, plain numbers"
    );

    // ------------------------------------------------ license models
    let models = srv.get("/v1/reports/license-models", &auditor).await;
    let fields = ["kind", "binding", "licenses", "active", "seats_used"];
    assert_eq!(
        rows_of(&models, &fields),
        json!([
            ["standard", "node-locked", 5, 5, 4],
            ["standard", "unbound", 5, 3, 0],
            ["trial", "floating", 1, 1, 0],
        ])
    );
    let (_, rows) = csv(&srv, "/v1/reports/license-models", &auditor).await;
    assert_eq!(rows.len(), 4);

    // ------------------------------------------------ one customer's history
    srv.call(
        "PUT",
        &format!("/v1/licenses/{seat_license}/entitlements"),
        Some(&issuer),
        Some(json!({"features": ["export"]})),
    )
    .await;
    let (status, v) = srv
        .call(
            "PUT",
            &format!("/v1/licenses/{seat_license}/seats"),
            Some(&finance),
            Some(json!({"seats": 8})),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    srv.post_ok(
        &format!("/v1/licenses/{seat_license}/renew"),
        &finance,
        json!({"expires": date_in(400)}),
        200,
    )
    .await;
    // A member of the customer, and a lot bought by the partner above it.
    srv.post_ok(
        &format!("/v1/customers/{customer}/members"),
        &issuer,
        json!({"name": "Mia Member", "email": "mia@example.com", "service": false}),
        201,
    )
    .await;
    srv.post_ok(
        "/v1/purchases",
        &finance,
        json!({"customer_id": partner, "product_id": seat_product, "quantity": 5, "purchased_on": "2026-01-15"}),
        201,
    )
    .await;
    let partner_history = srv
        .get(
            &format!("/v1/reports/customers/{partner}/history"),
            &auditor,
        )
        .await;
    assert_eq!(partner_history["purchases"].as_array().unwrap().len(), 1);
    assert_eq!(partner_history["purchases"][0]["quantity"], 5);
    assert!(partner_history["events"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["operation"] == "purchase.create"));
    let history = srv
        .get(
            &format!("/v1/reports/customers/{customer}/history"),
            &auditor,
        )
        .await;
    assert_eq!(history["customer"]["id"], customer.as_str());
    assert_eq!(history["licenses"].as_array().unwrap().len(), 1);
    assert_eq!(history["licenses"][0]["seats"], 8);
    assert_eq!(
        history["licenses"][0]["spec"]["features"],
        json!(["export"])
    );
    assert_eq!(history["seats"][0]["customer_id"], customer.as_str());
    assert_eq!(history["members"][0]["email"], "mia@example.com");
    assert_eq!(history["purchases"], json!([]));
    let ops = texts(&history["events"], "operation");
    assert_eq!(
        ops,
        [
            "customer.create",
            "customer.allocation",
            "license.issue",
            "activation.create",
            "license.entitlements",
            "license.seats",
            "license.renew",
            "member.create"
        ],
        "every entry about the node and its license, in chain order"
    );
    let seqs = each(&history["events"], |e| e["seq"].as_i64().unwrap());
    assert!(seqs.windows(2).all(|w| w[0] < w[1]));
    assert_eq!(history["events_truncated"], false);
    let (_, rows) = csv(
        &srv,
        &format!("/v1/reports/customers/{customer}/history"),
        &auditor,
    )
    .await;
    assert_eq!(rows.len(), 9);
    assert_eq!(rows[8][2], "member.create");
    let (status, _) = srv
        .call(
            "GET",
            "/v1/reports/customers/cus_nope/history",
            Some(&auditor),
            None,
        )
        .await;
    assert_eq!(status, 404);

    // ------------------------------------------------ subscriptions renew too
    let plan = srv.call("GET", "/v1/plans", Some(&auditor), None).await.1["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let buyer = node(&srv, &issuer, "customer", "Monthly Buyer", None).await;
    let today = Timestamp::now().to_string()[..10].to_owned();
    let (status, sub) = srv
        .call(
            "POST",
            "/v1/subscriptions",
            Some(&finance),
            Some(json!({
                "customer_id": buyer, "plan_id": plan, "seats": 2, "billing": "monthly",
                "interval": "monthly", "start": today, "renewal": "always",
                "notice": "1 week before month end",
            })),
        )
        .await;
    assert_eq!(status, 201, "{sub}");
    let sub_id = s(&sub["subscription"]["id"]);
    let by_type = srv
        .get("/v1/reports/renewals?group_by=type", &auditor)
        .await;
    let group = find(&by_type["groups"], |g| g["group"] == "subscription");
    let item = &group["items"][0];
    assert_eq!(item["id"], sub_id.as_str());
    assert_eq!(item["plans"], json!(["Business"]));
    assert_eq!(item["customer"], "Monthly Buyer");
    assert_eq!(item["seats"], 2);
    // Its term ends within about a month; its license ends with it.
    let ends = item["ends_at"].as_i64().unwrap();
    assert!(ends > Timestamp::now().0 && ends <= Timestamp::now().0 + 32 * DAY);
    let flat = srv.get("/v1/reports/renewals", &auditor).await;
    let ends: Vec<i64> = items(&flat)
        .iter()
        .map(|i| i["ends_at"].as_i64().unwrap())
        .collect();
    assert!(
        ends.windows(2).all(|w| w[0] <= w[1]),
        "licenses and subscriptions by end date"
    );

    // ------------------------------------------------ the counters behind them
    // A floating lease at a site (a first use), and a machine that comes
    // back reporting another platform.
    let (_, floating_key) = issue(
        &srv,
        &issuer,
        json!({"policy_id": trial, "licensee": "F", "customer_id": site}),
    )
    .await;
    let lease =
        json!({"license_key": floating_key, "fingerprint": machine("rep-cad", 9).to_string()});
    srv.post_ok("/v1/leases", "", lease, 201).await;
    activate(&srv, &keys[0], "rep-delay", 1, "macos-aarch64").await;
    // A yearly subscription cancelled: it ends on its term's last day.
    let body = json!({
        "customer_id": buyer, "plan_id": plan, "seats": 1, "billing": "prepaid_1y",
        "interval": "yearly", "start": today, "renewal": "always",
        "notice": "1 month before term end",
    });
    let yearly = srv.post_ok("/v1/subscriptions", &finance, body, 201).await;
    let cancel = format!(
        "/v1/subscriptions/{}/cancel",
        s(&yearly["subscription"]["id"])
    );
    srv.post_ok(&cancel, &finance, json!({}), 200).await;
    // The site holding the floating licence and the buyer of the
    // subscriptions renamed: their licences' and subscriptions' ends are
    // counted under their new names (zero rows are no rows).
    for (node, name) in [(&site, "Renamed Site"), (&buyer, "Renamed Buyer")] {
        let path = format!("/v1/customers/{node}");
        let rename = json!({ "name": name });
        let (status, renamed) = srv.call("PATCH", &path, Some(&issuer), Some(rename)).await;
        assert_eq!(status, 200, "{renamed}");
    }
    // Issued, suspended, revoked, activated, deactivated, activated again,
    // leased, reseated, renewed, given to members, issue dates moved,
    // subscriptions made and cancelled: each
    // counter still equals a scan of what it counts.
    counters_match_a_scan(&srv).await;

    // ------------------------------------------------ who may read
    for path in [
        "/v1/reports/renewals",
        "/v1/reports/seats",
        "/v1/reports/activation-delay",
        "/v1/reports/platforms",
        "/v1/reports/license-models",
    ] {
        for token in [&srv.admin, &issuer, &finance, &auditor] {
            assert_eq!(
                srv.call("GET", path, Some(token), None).await.0,
                200,
                "{path}"
            );
        }
        assert_eq!(srv.call("GET", path, None, None).await.0, 401, "{path}");
        assert_eq!(
            srv.call("GET", path, Some("lic_nope"), None).await.0,
            401,
            "{path}"
        );
    }
    srv.stop().await;
}

support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    story => reports_sqlite, reports_postgres
}

/// Follows `next` from `path` (which has a `?`) to the end: every item's
/// id, in order, and the count each page gave.
async fn walk(srv: &Server, path: &str, token: &str) -> (Vec<String>, Vec<i64>, usize) {
    let (mut ids, mut counts, mut pages) = (Vec::new(), Vec::new(), 0);
    let mut next: Option<String> = None;
    loop {
        let after = next.map(|n| format!("&after={n}")).unwrap_or_default();
        let page = srv.get(&format!("{path}{after}"), token).await;
        ids.extend(texts(&page["items"], "id"));
        counts.push(page["count"].as_i64().unwrap());
        pages += 1;
        match page["next"].as_str() {
            Some(n) => next = Some(n.to_owned()),
            None => return (ids, counts, pages),
        }
    }
}

async fn paging(backend: Backend) {
    let srv = Server::start(backend).await;
    let [issuer, finance, auditor] = srv.tokens(["issuer", "finance", "auditor"]).await;
    let yearly = srv
        .policy(
            &issuer,
            "page-cad",
            json!({"name": "yearly", "binding": "unbound", "duration_days": 365}),
        )
        .await;
    let plain = srv
        .post_ok(
            "/v1/policies",
            &issuer,
            json!({"product_id": "page-cad", "name": "plain", "binding": "unbound", "duration_days": 365}),
            201,
        )
        .await;
    let plain = s(&plain["id"]);
    srv.plan(&issuer, json!({"name": "Pro", "policy_id": yearly}))
        .await;
    // Ties: five licences end on the same second, ordered by id.
    let same = date_in(20);
    for (n, days) in [3, 20, 20, 7, 20, 20, 50, 20, 1, 88, 300]
        .into_iter()
        .enumerate()
    {
        let policy = if n % 3 == 0 { &plain } else { &yearly };
        let expires = if days == 20 {
            same.clone()
        } else {
            date_in(days)
        };
        issue(
            &srv,
            &srv.admin,
            json!({"policy_id": policy, "licensee": format!("L{n}"), "expires": expires}),
        )
        .await;
    }
    // Three subscriptions ending on the same day, a source read by its
    // last day: more of them than a page.
    let pro = srv.call("GET", "/v1/plans", Some(&auditor), None).await.1["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let buyer = node(&srv, &issuer, "customer", "Paging Buyer", None).await;
    let today = Timestamp::now().to_string()[..10].to_owned();
    for _ in 0..3 {
        let (status, sub) = srv
            .call(
                "POST",
                "/v1/subscriptions",
                Some(&finance),
                Some(json!({
                    "customer_id": buyer, "plan_id": pro, "seats": 1, "billing": "monthly",
                    "interval": "monthly", "start": today, "renewal": "always",
                    "notice": "1 week before month end",
                })),
            )
            .await;
        assert_eq!(status, 201, "{sub}");
    }

    // The whole window, as CSV, in the report's order.
    let (_, rows) = csv(&srv, "/v1/reports/renewals?within_days=90", &auditor).await;
    let all: Vec<String> = by_column(&rows).iter().map(|r| r["id"].clone()).collect();
    // Ten licences within 90 days, the subscriptions and their licences.
    assert_eq!(all.len(), 10 + 3 + 3);
    for limit in [1, 2, 5, 100] {
        let (ids, counts, pages) = walk(
            &srv,
            &format!("/v1/reports/renewals?within_days=90&limit={limit}"),
            &auditor,
        )
        .await;
        assert_eq!(ids, all, "limit {limit}: every row once, in order");
        assert!(counts.iter().all(|&c| c == 16), "limit {limit}: {counts:?}");
        assert_eq!(pages, 16usize.div_ceil(limit), "limit {limit}");
    }
    // The first page alone says the count and where to go on.
    let first = srv
        .get("/v1/reports/renewals?within_days=90&limit=4", &auditor)
        .await;
    assert_eq!(
        (first["count"].as_i64(), first["limit"].as_i64()),
        (Some(16), Some(4))
    );
    assert_eq!(texts(&first["items"], "id"), all[..4]);
    let ends: Vec<i64> = items(&first)
        .iter()
        .map(|i| i["ends_at"].as_i64().unwrap())
        .collect();
    assert!(ends.windows(2).all(|w| w[0] <= w[1]));

    // Grouped: each group's count from the database, its first page, and
    // its rows page by page with ?group=.
    let by_plan = srv
        .get(
            "/v1/reports/renewals?within_days=90&group_by=plan&limit=2",
            &auditor,
        )
        .await;
    let groups = each(&by_plan["groups"], |g| {
        (
            s(&g["group"]),
            g["count"].as_i64().unwrap(),
            g["items"].as_array().unwrap().len(),
        )
    });
    assert_eq!(
        groups,
        [("(no plan)".to_owned(), 4, 2), ("Pro".to_owned(), 12, 2)]
    );
    assert_eq!(by_plan["count"], 16);
    let mut walked = Vec::new();
    for (group, count, _) in &groups {
        let (ids, counts, _) = walk(
            &srv,
            &format!("/v1/reports/renewals?within_days=90&group_by=plan&group={group}&limit=2"),
            &auditor,
        )
        .await;
        assert_eq!(ids.len() as i64, *count, "{group}: counted as walked");
        assert!(counts.iter().all(|c| c == count));
        walked.extend(ids);
    }
    let (_, rows) = csv(
        &srv,
        "/v1/reports/renewals?within_days=90&group_by=plan",
        &auditor,
    )
    .await;
    let grouped: Vec<String> = by_column(&rows).iter().map(|r| r["id"].clone()).collect();
    assert_eq!(walked, grouped, "the CSV lists the groups' rows as paged");
    let by_type = srv
        .get(
            "/v1/reports/renewals?within_days=90&group_by=type",
            &auditor,
        )
        .await;
    let types = each(&by_type["groups"], |g| {
        (s(&g["group"]), g["count"].as_i64().unwrap())
    });
    assert_eq!(
        types,
        [
            ("license/standard".to_owned(), 13),
            ("subscription".to_owned(), 3)
        ]
    );

    for bad in [
        "limit=0",
        "limit=501",
        "group=Pro",
        "group_by=plan&group=Pro&before=x",
    ] {
        let (status, body) = srv
            .call(
                "GET",
                &format!("/v1/reports/renewals?{bad}"),
                Some(&auditor),
                None,
            )
            .await;
        assert_eq!(status, 400, "{bad}: {body}");
    }
    // A cursor no page gave is refused as the lists refuse it.
    let (status, body) = srv
        .call(
            "GET",
            "/v1/reports/renewals?after=bm9wZQ",
            Some(&auditor),
            None,
        )
        .await;
    assert_eq!(
        (status, s(&body["type"])),
        (422, "https://licentia.dev/problems/bad_cursor".to_owned())
    );
    srv.stop().await;
}

support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    paging => renewals_paging_sqlite, renewals_paging_postgres
}

/// Subscriptions end at the close of their last day in their own zone
/// (UTC+14, whose days close ten hours before UTC's begin, or UTC-12,
/// twelve hours after UTC's): on the
/// window's first and last days the count is taken per day and zone, in
/// the middle from the counter of migration 0039. For windows of every
/// length from one day to a month, by type and by plan, each count equals
/// the rows the report lists.
async fn edges_east(backend: Backend) {
    subscription_edges(backend, "Pacific/Kiritimati").await;
}

async fn edges_west(backend: Backend) {
    subscription_edges(backend, "Etc/GMT+12").await;
}

async fn subscription_edges(backend: Backend, zone: &str) {
    let srv = Server::start_configured(backend, |c| c.zone = zone.into()).await;
    let [issuer, finance, auditor] = srv.tokens(["issuer", "finance", "auditor"]).await;
    let policy = srv
        .policy(
            &issuer,
            "edge-cad",
            json!({"name": "yearly", "binding": "unbound", "duration_days": 365}),
        )
        .await;
    let plan = srv
        .plan(&issuer, json!({"name": "Edge", "policy_id": policy}))
        .await;
    // Prepaid years from a year ago on, a day apart, each a buyer's own:
    // their last days fall on each of the next five weeks.
    let first = chrono::Utc::now().date_naive() - chrono::Days::new(366);
    for k in 0..36 {
        let buyer = node(
            &srv,
            &issuer,
            "customer",
            &format!("Edge Buyer {k:02}"),
            None,
        )
        .await;
        let start = first + chrono::Days::new(k);
        srv.post_ok(
            "/v1/subscriptions",
            &finance,
            json!({"customer_id": buyer, "plan_id": plan, "seats": 1, "billing": "prepaid_1y",
                   "interval": "yearly", "start": start.to_string(), "renewal": "none",
                   "notice": "1 month before term end"}),
            201,
        )
        .await;
    }
    let store = SqlStore::connect(&srv.config).await.unwrap();
    for days in [1, 2, 3, 4, 7, 30] {
        // The subscriptions alone by customer (the console's "to renew" of
        // a type; the API has no such filter), from instants round the UTC
        // day: their holders are found on their own, on each day their
        // zone's close reaches, and count as many as the window holds.
        let midnight = Timestamp::now().0.div_euclid(DAY) * DAY;
        for hour in [1, 6, 11, 13, 18, 23] {
            let from = midnight + hour * 3600;
            let window = (from, from + days * DAY);
            let kind = Some("subscription");
            // Every page of groups, walked on from the last.
            let (mut alone, mut last) = (0, None::<String>);
            loop {
                let at = last.as_deref().map_or(GroupsAt::First, GroupsAt::After);
                let page =
                    store.renewal_groups(&Scope::All, window, kind, Grouping::Customer, at, 20);
                let page = page.await.unwrap();
                alone += page.groups.iter().map(|(_, n)| n).sum::<i64>();
                last = page.groups.last().map(|(name, _)| name.clone());
                if !page.later {
                    break;
                }
            }
            let all = store.renewal_counts(&Scope::All, window, kind, Grouping::None);
            let all: i64 = all.await.unwrap().iter().map(|(_, n)| n).sum();
            assert_eq!(alone, all, "{days} days from {hour}:00 UTC");
        }
        for group_by in ["type", "plan", "customer"] {
            let path = format!("/v1/reports/renewals?within_days={days}&group_by={group_by}");
            let (_, rows) = csv(&srv, &path, &auditor).await;
            let listed = rows.len().saturating_sub(1) as i64;
            let report = srv.get(&format!("{path}&limit=500"), &auditor).await;
            assert_eq!(report["count"], json!(listed), "{path}: {report}");
            // Every page of groups (by customer, twenty at a time).
            let (mut groups, mut page) = (0, report.clone());
            loop {
                let counts = page["groups"].as_array().unwrap().iter();
                groups += counts.map(|g| g["count"].as_i64().unwrap()).sum::<i64>();
                let Some(next) = page["next_groups"].as_str() else {
                    break;
                };
                let next = next.replace(' ', "%20");
                page = srv
                    .get(&format!("{path}&limit=500&groups_after={next}"), &auditor)
                    .await;
            }
            assert_eq!(groups, listed, "{path}");
            if group_by == "type" {
                // Each subscription's licence expires at the close of its
                // last day, an instant the report reads as it is: as many
                // licences end in the window as subscriptions.
                let of = |kind: &str| -> i64 {
                    report["groups"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .filter(|g| s(&g["group"]).starts_with(kind))
                        .map(|g| g["count"].as_i64().unwrap())
                        .sum()
                };
                assert_eq!(of("subscription"), of("license"), "{path}: {report}");
            }
        }
    }
    // The month holds the subscriptions ending within it (and their
    // licences), more than a few.
    let month = srv
        .get(
            "/v1/reports/renewals?within_days=30&group_by=type",
            &auditor,
        )
        .await;
    let subscriptions = find(&month["groups"], |g| g["group"] == "subscription");
    assert!(subscriptions["count"].as_i64().unwrap() >= 25, "{month}");
    srv.stop().await;
}

support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    edges_east => subscription_edges_east_sqlite, subscription_edges_east_postgres
}

support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    edges_west => subscription_edges_west_sqlite, subscription_edges_west_postgres
}
