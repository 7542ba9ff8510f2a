//! Invoices over a real socket on SQLite and (when `LICENTIA_TEST_POSTGRES`
//! is set) PostgreSQL: prices are checked when a plan is made or changed;
//! the nightly job writes one invoice per subscription per billing period
//! (and per partner per month for allocated seats), never twice, catching
//! up after a gap; a mid-period seat raise is prorated onto the next
//! invoice; invoices are listed, shown, exported and settled within the
//! caller's grants; and a database of the previous schema migrates.

mod support;

use chrono::{Datelike, Months, NaiveDate, Utc};
use licentia_server::{jobs, AppState};
use serde_json::{json, Value};
use support::console::Console;
use support::{at_once, config, kind, node, rows, s, Backend, Server};

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// A token with `role` at the customer node `node`.
async fn token_at(srv: &Server, role: &str, node: &str) -> String {
    let body = json!({"name": format!("{role} at {node}"), "role": role, "customer_id": node});
    s(&srv
        .post_ok("/v1/tokens", &srv.admin.clone(), body, 201)
        .await["token"])
}

/// The invoices of `query` (`/v1/invoices?...`) as `token` sees them.
async fn invoices(srv: &Server, token: &str, query: &str) -> Vec<Value> {
    srv.items(&format!("/v1/invoices?limit=500&{query}"), token)
        .await
}

/// The period starts of `list`, oldest first.
fn starts(list: &[Value]) -> Vec<String> {
    let mut out: Vec<String> = list.iter().map(|i| s(&i["period_start"])).collect();
    out.sort();
    out
}

/// A subscription of `plan` for `customer`; returns its id.
#[allow(clippy::too_many_arguments)]
async fn subscribe(
    srv: &Server,
    token: &str,
    customer: &str,
    plan: &str,
    seats: u32,
    options: Value,
    start: NaiveDate,
    billing: &str,
    interval: &str,
    renewal: &str,
) -> String {
    let body = json!({
        "customer_id": customer, "plan_id": plan, "seats": seats, "options": options,
        "billing": billing, "interval": interval, "start": start.to_string(),
        "renewal": renewal, "notice": "1 month before term end",
    });
    s(&srv.post_ok("/v1/subscriptions", token, body, 201).await["subscription"]["id"])
}

/// The problem's detail of a refused request, asserting the status.
async fn refused(srv: &Server, method: &str, path: &str, body: Value, status: u16) -> String {
    let admin = srv.admin.clone();
    let (got, problem) = srv.call(method, path, Some(&admin), Some(body)).await;
    assert_eq!(got, status, "{method} {path}: {problem}");
    s(&problem["detail"])
}

/// `round(n / d)` half away from zero, as the invoices compute it.
fn rounded(n: i64, d: i64) -> i64 {
    let (q, r) = (n / d, n % d);
    if 2 * r.abs() >= d {
        q + n.signum()
    } else {
        q
    }
}

async fn story(backend: Backend) {
    let srv = Server::start(backend).await;
    let admin = srv.admin.clone();
    let [issuer, finance] = srv.tokens(["issuer", "finance"]).await;
    let policy = srv
        .policy(
            &issuer,
            "inv-cad",
            json!({"name": "sub", "binding": "unbound", "seats": 3}),
        )
        .await;

    // Prices are checked: a known currency, no negative or overflowing
    // amount, a tax rate of at most 100 %, an option priced only with the
    // plan; each refusal a 422 naming the rule.
    let plan_body = |price: Value, option_price: Value| {
        json!({"name": "Business", "policy_id": policy, "price": price,
               "options": [{"code": "sso", "name": "SSO", "entitlements": [], "price": option_price}]})
    };
    for (price, option, rule) in [
        (
            json!({"currency": "EURO", "amount": 1500}),
            json!(null),
            "ISO 4217",
        ),
        (
            json!({"currency": "eur", "amount": 1500}),
            json!(null),
            "ISO 4217",
        ),
        (
            json!({"currency": "EUR", "amount": -1}),
            json!(null),
            "negative",
        ),
        (
            json!({"currency": "EUR", "amount": 1_000_000_000_001i64}),
            json!(null),
            "at most",
        ),
        (
            json!({"currency": "EUR", "amount": 1u64 << 63}),
            json!(null),
            "does not fit",
        ),
        (
            json!({"currency": "EUR", "amount": 1500, "tax_rate_bp": 10_001}),
            json!(null),
            "basis points",
        ),
        (
            json!({"currency": "EUR", "amount": 1500}),
            json!(-5),
            "negative",
        ),
        (json!(null), json!(300), "has a price but the plan has none"),
    ] {
        let detail = refused(&srv, "POST", "/v1/plans", plan_body(price, option), 422).await;
        assert!(detail.contains(rule), "{rule}: {detail}");
    }
    let plan = srv
        .plan(
            &issuer,
            plan_body(
                json!({"currency": "EUR", "amount": 1000, "tax_rate_bp": 2000}),
                json!(300),
            ),
        )
        .await;
    // Changed through PATCH like any other field, under the same rules.
    let path = format!("/v1/plans/{plan}");
    let detail = refused(
        &srv,
        "PATCH",
        &path,
        json!({"price": {"currency": "XYZ", "amount": 1}}),
        422,
    )
    .await;
    assert!(detail.contains("ISO 4217"), "{detail}");
    let (status, changed) = srv
        .call(
            "PATCH",
            &path,
            Some(&issuer),
            Some(json!({"price": {"currency": "EUR", "amount": 1500, "tax_rate_bp": 2000}})),
        )
        .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["price"]["amount"], 1500);
    assert_eq!(changed["options"][0]["price"], 300);

    // Proration, in the real present (a change is made today): a monthly
    // subscription from the first of this month, invoiced today; 10 seats
    // raised to 12 today are charged for the days left of this month on
    // the next invoice.
    let acme = node(&srv, &issuer, "customer", "Acme", None).await;
    let today = Utc::now().date_naive();
    let this_month = day(today.year(), today.month(), 1);
    let next_month = this_month.checked_add_months(Months::new(1)).unwrap();
    // Each a monthly subscription of 10 seats from the first of this month.
    let monthly = || {
        subscribe(
            &srv,
            &admin,
            &acme,
            &plan,
            10,
            json!([]),
            this_month,
            "monthly",
            "monthly",
            "always",
        )
    };
    let raised = monthly().await;
    srv.run_jobs(today).await;
    let first = invoices(&srv, &admin, &format!("subscription_id={raised}")).await;
    assert_eq!(starts(&first), [this_month.to_string()]);
    assert_eq!(first[0]["net"], 15_000, "{}", first[0]);
    let (status, body) = srv
        .call(
            "PUT",
            &format!("/v1/subscriptions/{raised}/seats"),
            Some(&finance),
            Some(json!({"seats": 12})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(srv.history_count(&admin, "invoice.adjustment").await, 1);
    srv.run_jobs(next_month).await;
    let second = invoices(
        &srv,
        &admin,
        &format!("subscription_id={raised}&period_from={next_month}"),
    )
    .await;
    assert_eq!(second.len(), 1, "{second:?}");
    let days = (next_month - this_month).num_days();
    let left = (next_month - today).num_days();
    let charge = rounded(2 * 1500 * left, days);
    let lines = second[0]["lines"].as_array().unwrap();
    let kinds: Vec<(String, i64)> = lines
        .iter()
        .map(|l| (s(&l["kind"]), l["amount"].as_i64().unwrap()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("plan".to_owned(), 18_000),
            ("proration".to_owned(), charge)
        ]
    );
    assert_eq!(second[0]["net"], 18_000 + charge);
    assert_eq!(second[0]["tax"], rounded((18_000 + charge) * 2000, 10_000));
    // Carried once: the month after has none.
    let after = next_month.checked_add_months(Months::new(1)).unwrap();
    srv.run_jobs(after).await;
    let third = invoices(
        &srv,
        &admin,
        &format!("subscription_id={raised}&period_from={after}"),
    )
    .await;
    assert_eq!(third[0]["lines"].as_array().unwrap().len(), 1);

    // An option added today to a subscription invoiced today is charged
    // for the days left, on the next invoice, as a seat raise is.
    let optioned = monthly().await;
    srv.run_jobs(today).await;
    let (status, body) = srv
        .call(
            "PUT",
            &format!("/v1/subscriptions/{optioned}/options"),
            Some(&finance),
            Some(json!({"options": ["sso"]})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(srv.history_count(&admin, "invoice.adjustment").await, 2);
    srv.run_jobs(next_month).await;
    let second = invoices(
        &srv,
        &admin,
        &format!("subscription_id={optioned}&period_from={next_month}"),
    )
    .await;
    let lines: Vec<(String, i64)> = second[0]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (s(&l["kind"]), l["amount"].as_i64().unwrap()))
        .collect();
    let charge = rounded(10 * 300 * left, days);
    assert_eq!(
        lines,
        [
            ("plan".to_owned(), 15_000),
            ("option".to_owned(), 3_000),
            ("proration".to_owned(), charge)
        ],
        "{}",
        second[0]
    );
    assert!(
        s(&second[0]["lines"][2]["description"]).contains("options [] → [sso]"),
        "{}",
        second[0]
    );

    // Seat changes made at the same instant: each is prorated from the
    // seats it changed (read and written in one transaction with its
    // adjustment), so the adjustments add up to the change as it stands.
    let raced = monthly().await;
    srv.run_jobs(today).await;
    let url = format!("{}/v1/subscriptions/{raced}/seats", srv.base);
    let shots = (11..=16)
        .map(|seats| {
            (
                "PUT",
                url.clone(),
                Some(finance.clone()),
                json!({"seats": seats}),
            )
        })
        .collect();
    for (status, body) in at_once(&srv.client, shots).await {
        assert_eq!(status, 200, "{body}");
    }
    let (_, now) = srv
        .call(
            "GET",
            &format!("/v1/subscriptions/{raced}"),
            Some(&admin),
            None,
        )
        .await;
    let seats = now["seats"].as_i64().unwrap();
    srv.run_jobs(next_month).await;
    let billed = invoices(
        &srv,
        &admin,
        &format!("subscription_id={raced}&period_from={next_month}"),
    )
    .await;
    let prorated: i64 = billed[0]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["kind"] == "proration")
        .map(|l| l["quantity"].as_i64().unwrap())
        .sum();
    assert_eq!(prorated, seats - 10, "{}", billed[0]);

    // A monthly subscription with an option, from 2030-01-01: one invoice
    // on its first day; the job run again that day writes nothing more.
    let beta = node(&srv, &issuer, "customer", "Beta", None).await;
    let monthly = subscribe(
        &srv,
        &admin,
        &beta,
        &plan,
        10,
        json!(["sso"]),
        day(2030, 1, 1),
        "monthly",
        "monthly",
        "always",
    )
    .await;
    let report = srv.run_jobs("2030-01-01").await;
    assert!(
        report["invoices_written"].as_u64().unwrap() >= 1,
        "{report}"
    );
    let again = srv.run_jobs("2030-01-01").await;
    assert_eq!(again["invoices_written"], 0, "{again}");
    let jan = invoices(&srv, &admin, &format!("subscription_id={monthly}")).await;
    assert_eq!(jan.len(), 1);
    let inv = &jan[0];
    assert_eq!(
        (&inv["period_start"], &inv["period_end"]),
        (&json!("2030-01-01"), &json!("2030-01-31"))
    );
    // 10 seats × 15.00 + 10 × 3.00 (the option), tax 20 % once.
    assert_eq!(
        (&inv["net"], &inv["tax"], &inv["total"], &inv["currency"]),
        (&json!(18_000), &json!(3_600), &json!(21_600), &json!("EUR"))
    );
    assert_eq!(inv["status"], "due");
    let lines: Vec<String> = inv["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| format!("{} {} {}", l["kind"], l["quantity"], l["amount"]))
        .collect();
    assert_eq!(lines, ["\"plan\" 10 15000", "\"option\" 10 3000"]);

    // Three months without a run: the run of 1 April writes February,
    // March and April, once each; a second run nothing.
    srv.run_jobs("2030-04-01").await;
    srv.run_jobs("2030-04-01").await;
    let caught_up = invoices(&srv, &admin, &format!("subscription_id={monthly}")).await;
    assert_eq!(
        starts(&caught_up),
        ["2030-01-01", "2030-02-01", "2030-03-01", "2030-04-01"]
    );
    // Two instances racing on the same day write May once.
    let (one, two) = (
        AppState::open(&srv.config).await.unwrap(),
        AppState::open(&srv.config).await.unwrap(),
    );
    let may = day(2030, 5, 1);
    let (a, b) = tokio::join!(jobs::run(&one, may, "test"), jobs::run(&two, may, "test"));
    let (a, b) = (a.unwrap(), b.unwrap());
    assert!(a.errors.is_empty() && b.errors.is_empty(), "{a} / {b}");
    let raced = invoices(&srv, &admin, &format!("subscription_id={monthly}")).await;
    assert_eq!(raced.len(), 5, "{a} / {b}");

    // A year prepaid, invoiced quarterly: four invoices of three months.
    let gamma = node(&srv, &issuer, "customer", "Gamma", None).await;
    let prepaid = subscribe(
        &srv,
        &admin,
        &gamma,
        &plan,
        4,
        json!([]),
        day(2030, 1, 1),
        "prepaid_1y",
        "quarterly",
        "none",
    )
    .await;
    srv.run_jobs("2030-12-31").await;
    srv.run_jobs("2031-06-01").await;
    let quarters = invoices(&srv, &admin, &format!("subscription_id={prepaid}")).await;
    assert_eq!(
        starts(&quarters),
        ["2030-01-01", "2030-04-01", "2030-07-01", "2030-10-01"]
    );
    for q in &quarters {
        assert_eq!((&q["net"], &q["total"]), (&json!(18_000), &json!(21_600)));
        assert_eq!(q["lines"][0]["months"], 3);
    }
    let q1 = quarters
        .iter()
        .find(|q| q["period_start"] == "2030-01-01")
        .unwrap();
    assert_eq!(q1["period_end"], "2030-03-31");

    // Allocation-based billing (Wazo): a partner is invoiced per month for
    // the seats the vendor allocates it, a line per priced product.
    let (status, product) = srv
        .call(
            "POST",
            "/v1/products",
            Some(&issuer),
            Some(json!({"code": "seats", "name": "Seats",
                        "allocation_price": {"currency": "EUR", "amount": 500, "tax_rate_bp": 2000}})),
        )
        .await;
    assert_eq!(status, 201, "{product}");
    let product = s(&product["id"]);
    let detail = refused(
        &srv,
        "PATCH",
        &format!("/v1/products/{product}"),
        json!({"allocation_price": {"currency": "EUR", "amount": -5}}),
        422,
    )
    .await;
    assert!(detail.contains("negative"), "{detail}");
    let wazo = node(&srv, &issuer, "partner", "Wazo", None).await;
    let (status, body) = srv.allocate(&finance, &wazo, &product, 100).await;
    assert_eq!(status, 200, "{body}");
    srv.run_jobs("2031-07-15").await;
    let again = srv.run_jobs("2031-07-15").await;
    assert_eq!(again["invoices_written"], 0, "{again}");
    let billed = invoices(&srv, &admin, &format!("customer_id={wazo}")).await;
    assert_eq!(billed.len(), 1, "{billed:?}");
    let a = &billed[0];
    assert_eq!(
        (&a["kind"], &a["period_start"], &a["period_end"]),
        (
            &json!("allocation"),
            &json!("2031-07-01"),
            &json!("2031-07-31")
        )
    );
    assert_eq!(
        (&a["lines"][0]["quantity"], &a["net"], &a["total"]),
        (&json!(100), &json!(50_000), &json!(60_000))
    );
    srv.run_jobs("2031-09-02").await;
    let months = invoices(&srv, &admin, &format!("customer_id={wazo}")).await;
    assert_eq!(starts(&months), ["2031-07-01", "2031-08-01", "2031-09-01"]);

    // A customer's admin sees its own invoices only: list, one, CSV; and
    // settles none (the vendor's finance does).
    let beta_admin = token_at(&srv, "admin", &beta).await;
    let own = invoices(&srv, &beta_admin, "").await;
    assert!(!own.is_empty());
    assert!(
        own.iter().all(|i| i["customer_id"] == json!(beta)),
        "{own:?}"
    );
    let theirs = s(&quarters[0]["id"]);
    let (status, _) = srv
        .call(
            "GET",
            &format!("/v1/invoices/{theirs}"),
            Some(&beta_admin),
            None,
        )
        .await;
    assert_eq!(status, 404);
    let mine = s(&own[0]["id"]);
    let shown = srv.get(&format!("/v1/invoices/{mine}"), &beta_admin).await;
    assert_eq!(shown["lines"].as_array().unwrap().len(), 2);
    let csv_of = |token: String, query: &'static str| {
        let req = srv
            .client
            .get(format!("{}/v1/invoices{query}", srv.base))
            .bearer_auth(token)
            .header("accept", "text/csv");
        async move {
            let resp = req.send().await.unwrap();
            assert_eq!(resp.status(), 200);
            let ctype = resp.headers()["content-type"].to_str().unwrap().to_owned();
            assert!(ctype.starts_with("text/csv"), "{ctype}");
            rows(&resp.text().await.unwrap())
        }
    };
    let table = csv_of(beta_admin.clone(), "").await;
    assert_eq!(table.len(), own.len() + 1);
    let customer_col = table[0].iter().position(|c| c == "customer_id").unwrap();
    assert!(table[1..].iter().all(|r| r[customer_col] == beta));
    let (status, _) = srv
        .call(
            "POST",
            &format!("/v1/invoices/{mine}/paid"),
            Some(&beta_admin),
            Some(json!({})),
        )
        .await;
    assert_eq!(status, 403);

    // Finance records one paid (elsewhere) and one void; settled once.
    let due_before = invoices(&srv, &admin, "status=due").await.len();
    let paid = srv
        .post_ok(
            &format!("/v1/invoices/{mine}/paid"),
            &finance,
            json!({"note": "wire 2030-117"}),
            200,
        )
        .await;
    assert_eq!(
        (&paid["status"], &paid["settled_note"]),
        (&json!("paid"), &json!("wire 2030-117"))
    );
    let (status, problem) = srv
        .call(
            "POST",
            &format!("/v1/invoices/{mine}/void"),
            Some(&finance),
            Some(json!({})),
        )
        .await;
    assert_eq!((status, kind(&problem)), (409, "invoice_settled"));
    srv.post_ok(
        &format!("/v1/invoices/{theirs}/void"),
        &finance,
        json!({}),
        200,
    )
    .await;
    assert_eq!(
        invoices(&srv, &admin, "status=due").await.len(),
        due_before - 2
    );
    assert_eq!(invoices(&srv, &admin, "status=paid").await.len(), 1);
    assert_eq!(srv.history_count(&admin, "invoice.paid").await, 1);
    assert_eq!(srv.history_count(&admin, "invoice.void").await, 1);
    let (status, problem) = srv
        .call("GET", "/v1/invoices?status=late", Some(&admin), None)
        .await;
    assert_eq!(status, 422, "{problem}");

    // The CSV of everything reads back to the JSON list.
    let all = invoices(&srv, &admin, "").await;
    let table = csv_of(admin.clone(), "?status=due").await;
    let header = &table[0];
    let col = |name: &str| header.iter().position(|c| c == name).unwrap();
    assert_eq!(
        table.len() - 1,
        all.iter().filter(|i| i["status"] == "due").count()
    );
    for row in &table[1..] {
        let json = all.iter().find(|i| s(&i["id"]) == row[col("id")]).unwrap();
        assert_eq!(row[col("total")], json["total"].to_string());
        assert_eq!(row[col("period_start")], s(&json["period_start"]));
        assert_eq!(row[col("currency")], "EUR");
    }

    // The console: Beta's admin's dashboard counts the invoices due within
    // its reach, and the count opens exactly that list; its CSV reads back
    // the same rows.
    let bea = srv
        .person(
            "Bea",
            "bea@beta.test",
            json!([{"role": "admin", "customer_id": beta}]),
        )
        .await;
    let console = Console::of(&srv, &bea);
    let dashboard = console.get("/").await.body;
    let tile = "<a href=\"/invoices?status=due\"><span class=\"count\">";
    let at = dashboard.find(tile).expect("the invoices-due tile") + tile.len();
    let count: usize = dashboard[at..].split('<').next().unwrap().parse().unwrap();
    let beta_due = invoices(&srv, &beta_admin, "status=due").await;
    assert_eq!(count, beta_due.len());
    assert!(count > 0);
    let list = console.get("/invoices?status=due").await;
    assert_eq!(list.status, 200);
    assert_eq!(list.body.matches("href=\"/invoices/inv_").count(), count);
    assert!(beta_due
        .iter()
        .all(|i| list.body.contains(&format!("/invoices/{}", s(&i["id"])))));
    let exported = console.get("/invoices.csv?status=due").await;
    assert!(exported.disposition.contains("invoices.csv"));
    assert_eq!(rows(&exported.body).len(), count + 1);
    // One invoice's page shows its lines; another customer's is a 404.
    let one = s(&beta_due[0]["id"]);
    let page = console.get(&format!("/invoices/{one}")).await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains("15.00 EUR"), "{}", page.text());
    assert_eq!(
        console.get(&format!("/invoices/{theirs}")).await.status,
        404
    );
    // Beta's admin does not settle; the vendor's finance does, through the
    // confirm page, in French.
    let refused = console
        .post(&format!("/invoices/{one}/paid"), &[("note", "x")])
        .await;
    assert_eq!(refused.status, 403);
    let vera = srv
        .person(
            "Vera",
            "vera@vendor.test",
            json!([{"role": "finance", "customer_id": null}]),
        )
        .await;
    let vendor = Console::of(&srv, &vera);
    let confirm = vendor.get(&format!("/invoices/{one}/paid")).await;
    assert_eq!(confirm.status, 200);
    assert!(
        confirm.text().contains("Record the invoice of"),
        "{}",
        confirm.text()
    );
    let done = vendor
        .post(&format!("/invoices/{one}/paid"), &[("note", "cheque 12")])
        .await;
    assert_eq!(
        (done.status, done.location.as_str()),
        (303, format!("/invoices/{one}").as_str())
    );
    let after = console.get("/").await.body;
    let at = after.find(tile).unwrap() + tile.len();
    let now: usize = after[at..].split('<').next().unwrap().parse().unwrap();
    assert_eq!(now, count - 1);

    // A cut in an invoiced period is a credit on the next invoice.
    let adjustments = srv.history_count(&admin, "invoice.adjustment").await;
    let (status, body) = srv
        .call(
            "PUT",
            &format!("/v1/subscriptions/{raised}/seats"),
            Some(&finance),
            Some(json!({"seats": 11})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        srv.history_count(&admin, "invoice.adjustment").await,
        adjustments + 1
    );
    srv.run_jobs("2031-10-01").await;
    let credited = invoices(
        &srv,
        &admin,
        &format!("subscription_id={raised}&period_from=2031-10-01&period_to=2031-10-01"),
    )
    .await;
    let lines: Vec<(String, i64)> = credited[0]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (s(&l["kind"]), l["amount"].as_i64().unwrap()))
        .collect();
    let credit = -rounded(1500 * left, days);
    assert_eq!(
        lines,
        [
            ("plan".to_owned(), 16_500),
            ("proration".to_owned(), credit)
        ]
    );

    // The console's plan form takes the price in major units and percent,
    // and refuses one with more decimals than the currency has, keeping
    // what was typed.
    let ivo = srv
        .person(
            "Ivo",
            "ivo@vendor.test",
            json!([{"role": "issuer", "customer_id": null}]),
        )
        .await;
    let catalogue = Console::of(&srv, &ivo);
    let form = |price: &'static str| {
        [
            ("name", "Business"),
            ("policy_id", policy.as_str()),
            ("options", "sso | SSO | | 3.50"),
            ("currency", "EUR"),
            ("price", price),
            ("tax_rate", "19.6"),
        ]
    };
    let bad = catalogue
        .post(&format!("/plans/{plan}/edit"), &form("16.005"))
        .await;
    assert_eq!(bad.status, 422, "{}", bad.text());
    assert!(bad.text().contains("decimals"), "{}", bad.text());
    assert!(bad.body.contains("16.005"), "what was typed is kept");
    let good = catalogue
        .post(&format!("/plans/{plan}/edit"), &form("16.00"))
        .await;
    assert_eq!(good.status, 303, "{}", good.text());
    let priced = srv.get(&format!("/v1/plans/{plan}"), &admin).await;
    assert_eq!(
        (&priced["price"], &priced["options"][0]["price"]),
        (
            &json!({"currency": "EUR", "amount": 1600, "tax_rate_bp": 1960}),
            &json!(350)
        )
    );
    // One invoice has one currency: a partner holding seats of products
    // priced in two is reported, not invoiced.
    let (status, usd) = srv
        .call(
            "POST",
            "/v1/products",
            Some(&issuer),
            Some(json!({"code": "usd-seats", "name": "USD seats",
                        "allocation_price": {"currency": "USD", "amount": 700}})),
        )
        .await;
    assert_eq!(status, 201, "{usd}");
    let (status, body) = srv.allocate(&finance, &wazo, &s(&usd["id"]), 5).await;
    assert_eq!(status, 200, "{body}");
    let report = srv.run_jobs("2031-11-01").await;
    assert!(
        report["errors"].to_string().contains("several currencies"),
        "{report}"
    );
    let months = invoices(&srv, &admin, &format!("customer_id={wazo}")).await;
    assert!(!starts(&months).contains(&"2031-11-01".to_owned()));
    let shown = catalogue.get(&format!("/plans/{plan}/edit")).await.body;
    assert!(
        shown.contains("value=\"16.00\"") && shown.contains("sso | SSO |  | 3.50"),
        "{shown}"
    );
    srv.stop().await;
}

support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    story => invoices_on_sqlite, invoices_on_postgres
}

/// A database of the previous schema (20), with a plan, its options and a
/// subscription, migrates: the plan reads unpriced, nothing is invoiced
/// until it has a price, then the job invoices it.
/// A plan that was free and is given a price bills its subscriptions from
/// that day on: the periods they ran while it was free are not invoiced.
async fn priced_later(backend: Backend) {
    let srv = Server::start(backend).await;
    let admin = srv.admin.clone();
    let issuer = srv.token("issuer").await;
    let policy = srv
        .policy(
            &issuer,
            "free-then-priced",
            json!({"name": "sub", "binding": "unbound", "seats": 3}),
        )
        .await;
    let plan = s(&srv
        .post_ok(
            "/v1/plans",
            &issuer,
            json!({"name": "Starter", "policy_id": policy}),
            201,
        )
        .await["id"]);
    let customer = node(&srv, &issuer, "customer", "Early Co", None).await;
    let today = Utc::now().date_naive();
    let this_month = day(today.year(), today.month(), 1);
    let started = this_month.checked_sub_months(Months::new(3)).unwrap();
    let next_month = this_month.checked_add_months(Months::new(1)).unwrap();
    let sub = subscribe(
        &srv,
        &admin,
        &customer,
        &plan,
        2,
        json!([]),
        started,
        "monthly",
        "monthly",
        "always",
    )
    .await;
    srv.run_jobs(today).await;
    assert!(
        invoices(&srv, &admin, "").await.is_empty(),
        "a free plan bills nothing"
    );
    let (status, body) = srv
        .call(
            "PATCH",
            &format!("/v1/plans/{plan}"),
            Some(&admin),
            Some(json!({"price": {"currency": "EUR", "amount": 1000}})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["priced_since"], json!(today.to_string()));
    srv.run_jobs(next_month).await;
    let billed = invoices(&srv, &admin, &format!("subscription_id={sub}")).await;
    let first_billed = if today == this_month {
        this_month
    } else {
        next_month
    };
    assert_eq!(starts(&billed)[0], first_billed.to_string(), "{billed:?}");
    assert!(
        starts(&billed)
            .iter()
            .all(|d| d.as_str() >= today.to_string().as_str()),
        "no period of the free months is invoiced: {:?}",
        starts(&billed)
    );
    // A price changed later changes nothing of that day.
    let (status, body) = srv
        .call(
            "PATCH",
            &format!("/v1/plans/{plan}"),
            Some(&admin),
            Some(json!({"price": {"currency": "EUR", "amount": 1200}})),
        )
        .await;
    assert_eq!(
        (status, &body["priced_since"]),
        (200, &json!(today.to_string()))
    );
    srv.stop().await;
}

support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    priced_later => a_plan_priced_later_bills_from_then_on_sqlite, a_plan_priced_later_bills_from_then_on_postgres
}

async fn migrates(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let (url, pg) = match backend {
        Backend::Sqlite => (None, None),
        Backend::Postgres(db) => (Some(db.url()), Some(db)),
    };
    let config = config(dir.path(), url);
    let old = licentia_server::sql::SqlStore::migrate_until(&config, 20)
        .await
        .unwrap();
    for row in [
        "INSERT INTO customers (id, kind, name, parent_id, created_at) VALUES ('cus_old', 'customer', 'Old Co', NULL, 1700000000)",
        "INSERT INTO products (id, code, name, created_at, revocation_seq, revocation_updated_at) VALUES ('prd_old', 'old', 'Old', 1700000000, 0, 1700000000)",
        "INSERT INTO policies (id, product_id, name, kind, binding, match_rule, duration_days, seats, grace_days, check_in_days, max_offline_days, entitlements, temp_quota, temp_period_days, temp_duration_days, lease_ttl_secs, created_at, max_transfers, transfer_period_days) VALUES ('pol_old', 'prd_old', 'p', 'standard', 'unbound', 'all', NULL, 1, NULL, NULL, NULL, '[]', 1, 30, 7, 3600, 1700000000, NULL, 365)",
        "INSERT INTO plans (id, product_id, policy_id, name, options, created_at) VALUES ('pln_old', 'prd_old', 'pol_old', 'Old plan', '[{\"code\":\"x\",\"name\":\"X\",\"entitlements\":[]}]', 1700000000)",
        "INSERT INTO subscriptions (id, customer_id, plan_id, product_id, seats, options, zone, start_date, billing, term_from_month, term_start, term_end, billing_interval, invoices_from_month, pending, renewal, notice, status, ends_on, license_ids, version, created_at, updated_at) VALUES ('sub_old', 'cus_old', 'pln_old', 'prd_old', 2, '[\"x\"]', 'UTC', '2032-01-01', 'monthly', 0, '2032-01-01', '2032-01-31', 'monthly', 0, NULL, 'always', '1 month before term end', 'active', NULL, '[]', 1, 1700000000, 1700000000)",
    ] {
        sqlx::query(row).execute(&old).await.unwrap();
    }
    old.close().await;
    let srv = Server::start_with(config, dir, pg).await;
    let admin = srv.admin.clone();
    let plan = srv.get("/v1/plans/pln_old", &admin).await;
    assert_eq!(
        (&plan["price"], &plan["options"][0]["code"]),
        (&Value::Null, &json!("x"))
    );
    let product = srv.get("/v1/products/prd_old", &admin).await;
    assert_eq!(product["allocation_price"], Value::Null);
    srv.run_jobs("2032-01-01").await;
    assert!(invoices(&srv, &admin, "").await.is_empty());
    let (status, body) = srv
        .call(
            "PATCH",
            "/v1/plans/pln_old",
            Some(&admin),
            Some(json!({"price": {"currency": "CHF", "amount": 2000}})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    srv.run_jobs("2032-01-01").await;
    let billed = invoices(&srv, &admin, "").await;
    assert_eq!(billed.len(), 1);
    assert_eq!(
        (&billed[0]["net"], &billed[0]["tax"], &billed[0]["currency"]),
        (&json!(4_000), &json!(0), &json!("CHF"))
    );
    srv.stop().await;
}

support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    migrates => a_database_of_schema_20_migrates_on_sqlite, a_database_of_schema_20_migrates_on_postgres
}
