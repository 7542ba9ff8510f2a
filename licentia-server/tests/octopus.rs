//! The Octopus story through the API, on SQLite and (when
//! `LICENTIA_TEST_POSTGRES` is set) PostgreSQL: suppliers and contract
//! types, a renewal contract with its notice period and last day to cancel,
//! twenty licences bought as a lot linked to it and re-billed 10/10 to two
//! external clients (two follow-up items opened, one closed), and the
//! contract's end announced three months before to the accounts that
//! subscribed to it, and only to them, once.

mod support;

use serde_json::{json, Value};
use support::console::Console;
use support::{each, node, refused, s, texts, Backend, Server};

async fn story(backend: Backend) {
    let srv = Server::start_configured(backend, |c| {
        // Deliveries are made (and fail: nothing listens); what matters
        // here is who they are for.
        c.smtp_host = Some("127.0.0.1".into());
        c.smtp_port = 9;
        c.smtp_from = Some("licentia@vendor.test".into());
        c.smtp_tls = licentia_server::config::SmtpTls::None;
    })
    .await;
    let admin = srv.admin.clone();
    let [finance, auditor] = srv.tokens(["finance", "auditor"]).await;
    srv.product_and_policy(
        &admin,
        "octo-office",
        json!({"name": "yearly", "binding": "unbound"}),
    )
    .await;
    let octopus = node(&srv, &admin, "partner", "Octopus", None).await;
    let alpha = node(&srv, &admin, "customer", "Alpha", Some(&octopus)).await;
    let beta = node(&srv, &admin, "customer", "Beta", Some(&octopus)).await;
    let other = node(&srv, &admin, "partner", "Elsewhere", None).await;

    // The registers: finance records suppliers and contract types, an
    // auditor only reads them; names are unique and can change.
    let (status, _) = srv
        .call(
            "POST",
            "/v1/suppliers",
            Some(&auditor),
            Some(json!({"name": "Nope"})),
        )
        .await;
    assert_eq!(status, 403);
    let supplier = srv
        .post_ok(
            "/v1/suppliers",
            &finance,
            json!({"name": "Editeur SA"}),
            201,
        )
        .await;
    let supplier = s(&supplier["id"]);
    refused(
        srv.call(
            "POST",
            "/v1/suppliers",
            Some(&finance),
            Some(json!({"name": "Editeur SA"})),
        )
        .await,
        409,
        "conflict",
    );
    for bad in [
        json!({"name": ""}),
        json!({"name": "x".repeat(201)}),
        json!({"nom": "x"}),
    ] {
        let (status, body) = srv
            .call("POST", "/v1/suppliers", Some(&finance), Some(bad.clone()))
            .await;
        assert_eq!(status, 422, "{bad}: {body}");
    }
    let renamed = srv
        .call(
            "PATCH",
            &format!("/v1/suppliers/{supplier}"),
            Some(&finance),
            Some(json!({"name": "Editeur"})),
        )
        .await;
    assert_eq!((renamed.0, s(&renamed.1["name"])), (200, "Editeur".into()));
    let mut types = Vec::new();
    for name in ["support", "maintenance"] {
        let t = srv
            .post_ok("/v1/contract-types", &finance, json!({"name": name}), 201)
            .await;
        types.push(s(&t["id"]));
    }
    let (support_type, maintenance) = (types[0].clone(), types[1].clone());
    let listed = srv.items("/v1/contract-types", &auditor).await;
    assert_eq!(
        texts(&Value::Array(listed), "name"),
        vec!["maintenance", "support"]
    );

    // The renewal contract: a year of maintenance, three months' notice
    // before its end, so the last day to cancel is 30 September.
    let contract = |kind: &str, reference: &str, starts: &str, ends: &str| {
        json!({
            "customer_id": octopus, "supplier_id": supplier, "contract_type_id": kind,
            "reference": reference, "starts_on": starts, "ends_on": ends,
            "cost": "4800", "currency": "EUR", "po_number": "PO-2027-01",
            "invoice_number": "F-2027-118", "notice_period": "3 months before term end",
        })
    };
    let body = contract(&maintenance, "MNT-2027", "2027-01-01", "2027-12-31");
    let bad: &[(&str, Value)] = &[
        ("ends_on", json!("2026-12-31")),
        ("ends_on", json!("2027-02-30")),
        ("starts_on", json!("01/01/2027")),
        ("notice_period", json!("3 moons before term end")),
        ("notice_period", json!("0 months before term end")),
        ("currency", json!("EURO")),
        ("cost", json!("12.345")),
        ("supplier_id", json!("sup_nobody")),
        ("contract_type_id", json!("cty_nothing")),
        ("customer_id", json!("cus_nobody")),
        ("reference", json!("")),
    ];
    for (field, value) in bad {
        let mut b = body.clone();
        b[field] = value.clone();
        let (status, problem) = srv
            .call("POST", "/v1/contracts", Some(&finance), Some(b))
            .await;
        assert_eq!(status, 422, "{field} = {value}: {problem}");
    }
    let mut below = body.clone();
    below["customer_id"] = json!(alpha);
    refused(
        srv.call("POST", "/v1/contracts", Some(&finance), Some(below))
            .await,
        409,
        "holder_not_root",
    );
    let (status, _) = srv
        .call("POST", "/v1/contracts", Some(&auditor), Some(body.clone()))
        .await;
    assert_eq!(status, 403);
    let made = srv
        .post_ok("/v1/contracts", &finance, body.clone(), 201)
        .await;
    let contract_id = s(&made["id"]);
    assert_eq!(made["cost"], "4800.00");
    assert_eq!(made["cost_minor"], 480000);
    assert_eq!(made["notice_period"], "3 months before term end");
    assert_eq!(made["last_day_to_cancel"], "2027-09-30");
    refused(
        srv.call("POST", "/v1/contracts", Some(&finance), Some(body.clone()))
            .await,
        409,
        "conflict",
    );
    // A support contract ending earlier (its terms changed: a month's
    // notice), and one of another partner's.
    let support = srv
        .post_ok(
            "/v1/contracts",
            &finance,
            contract(&support_type, "SUP-2027", "2027-01-01", "2027-03-31"),
            201,
        )
        .await;
    let support = format!("/v1/contracts/{}", s(&support["id"]));
    let mut terms = contract(&support_type, "SUP-2027", "2027-01-01", "2027-06-30");
    terms["notice_period"] = json!("1 month before term end");
    let (status, changed) = srv
        .call("PUT", &support, Some(&finance), Some(terms.clone()))
        .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(
        (&changed["ends_on"], &changed["last_day_to_cancel"]),
        (&json!("2027-06-30"), &json!("2027-05-31"))
    );
    assert_eq!(
        srv.get(&support, &auditor).await["last_day_to_cancel"],
        "2027-05-31"
    );
    let mut moved = terms.clone();
    moved["customer_id"] = json!(other);
    let (status, _) = srv.call("PUT", &support, Some(&finance), Some(moved)).await;
    assert_eq!(status, 422, "the holder stays");
    let (status, _) = srv.call("PUT", &support, Some(&auditor), Some(terms)).await;
    assert_eq!(status, 403);
    let mut elsewhere = contract(&support_type, "ELS-1", "2027-01-01", "2027-12-31");
    elsewhere["customer_id"] = json!(other);
    let elsewhere = srv.post_ok("/v1/contracts", &finance, elsewhere, 201).await;

    // Twenty licences bought as a lot under the contract, re-billed 10/10
    // to two external clients: two follow-up items open.
    let lot = |contract: &str| {
        json!({
            "customer_id": octopus, "product_id": "octo-office", "quantity": 20,
            "purchased_on": "2027-01-01", "renews_on": "2027-12-31", "cost": "2000",
            "currency": "EUR", "po_number": "PO-2027-02", "invoice_number": "F-2027-119",
            "contract_id": contract,
        })
    };
    let (status, problem) = srv
        .call(
            "POST",
            "/v1/purchases",
            Some(&finance),
            Some(lot(&s(&elsewhere["id"]))),
        )
        .await;
    assert_eq!(status, 422, "another holder's contract: {problem}");
    let purchase = srv
        .post_ok("/v1/purchases", &finance, lot(&contract_id), 201)
        .await;
    let purchase = s(&purchase["id"]);
    for client in [&alpha, &beta] {
        srv.post_ok(
            &format!("/v1/purchases/{purchase}/rebillings"),
            &finance,
            json!({"customer_id": client, "quantity": 10, "invoice_number": "R-1"}),
            201,
        )
        .await;
    }
    let shown = srv
        .get(&format!("/v1/contracts/{contract_id}"), &auditor)
        .await;
    assert_eq!(texts(&shown["lots"], "id"), vec![purchase.clone()]);
    assert_eq!(shown["lots"][0]["not_rebilled"], 0);
    assert_eq!(shown["last_day_to_cancel"], "2027-09-30");
    let open = srv.items("/v1/follow-ups?status=open", &auditor).await;
    let mut clients = texts(&Value::Array(open.clone()), "client_id");
    clients.sort();
    let mut expected = vec![alpha.clone(), beta.clone()];
    expected.sort();
    assert_eq!(clients, expected);
    assert!(open.iter().all(|f| f["purchase_id"] == purchase.as_str()));
    let first = s(&open[0]["id"]);
    let (status, _) = srv
        .call(
            "POST",
            &format!("/v1/follow-ups/{first}/close"),
            Some(&auditor),
            None,
        )
        .await;
    assert_eq!(status, 403, "an auditor reads follow-up items only");
    let closed = srv
        .post_ok(
            &format!("/v1/follow-ups/{first}/close"),
            &finance,
            json!({}),
            200,
        )
        .await;
    assert_eq!(closed["status"], "done");
    assert_eq!(
        srv.items("/v1/follow-ups?status=open", &auditor)
            .await
            .len(),
        1
    );
    assert_eq!(
        srv.items("/v1/follow-ups?status=done", &auditor)
            .await
            .len(),
        1
    );
    let (status, _) = srv
        .call("GET", "/v1/follow-ups?status=maybe", Some(&auditor), None)
        .await;
    assert_eq!(status, 422);

    // Contracts by end date; the other partner's stays out of Octopus's view.
    let olga = srv
        .person(
            "Olga",
            "olga@octopus.test",
            json!([{"role": "auditor", "customer_id": octopus}]),
        )
        .await;
    let (_, mine) = olga.call(&srv, "GET", "/v1/contracts", None).await;
    assert_eq!(
        each(&mine["items"], |c| s(&c["reference"])),
        vec!["SUP-2027", "MNT-2027"]
    );

    // Who hears of the end three months ahead: Olga (at Octopus) and Ed
    // (at Elsewhere) asked for it; Bob (at Octopus) did not.
    let bob = srv
        .person(
            "Bob",
            "bob@octopus.test",
            json!([{"role": "auditor", "customer_id": octopus}]),
        )
        .await;
    let ed = srv
        .person(
            "Ed",
            "ed@elsewhere.test",
            json!([{"role": "auditor", "customer_id": other}]),
        )
        .await;
    let mut prefs = Vec::new();
    for (who, kind) in [
        (&olga, "contract.ending"),
        (&ed, "contract.ending"),
        (&bob, "license.expiring"),
    ] {
        let (status, set) = who
            .call(
                &srv,
                "PUT",
                "/v1/session/notice-preferences",
                Some(json!({"items": [{"kind": kind, "lead_months": 3}]})),
            )
            .await;
        assert_eq!(status, 200, "{set}");
        prefs.push(s(&set["items"][0]["id"]));
    }
    let report = srv.run_jobs("2027-09-30").await;
    assert_eq!(report["written"]["contract.ending"], 2, "{report}");
    let again = srv.run_jobs("2027-09-30").await;
    assert!(again["written"].get("contract.ending").is_none(), "{again}");
    let notices = srv.notices_of(&contract_id).await;
    assert_eq!(
        notices,
        vec![("contract.ending".into(), 92, "2027-12-31".into())]
    );
    let notice = &srv
        .items(&format!("/v1/notifications?subject={contract_id}"), &admin)
        .await[0];
    assert_eq!(notice["data"]["last_day_to_cancel"], "2027-09-30");
    let deliveries = srv
        .get(
            &format!("/v1/notifications/{}/deliveries", s(&notice["id"])),
            &admin,
        )
        .await;
    assert_eq!(
        each(&deliveries["items"], |d| s(&d["subscription_id"])),
        vec![prefs[0].clone()],
        "Olga only"
    );

    // The console: Olga reads the contracts by end date with the last day
    // to cancel, the contract's lots, and the open follow-up item; she
    // records nothing.
    let olga_console = Console::of(&srv, &olga);
    let page = olga_console.get("/contracts").await;
    let text = page.text();
    let (sup, mnt) = (
        text.find("SUP-2027").unwrap(),
        text.find("MNT-2027").unwrap(),
    );
    assert!(sup < mnt, "by end date: {text}");
    assert!(
        text.contains("2027-09-30") && !text.contains("ELS-1"),
        "{text}"
    );
    assert!(
        !text.contains("/contracts/new"),
        "an auditor records no contract"
    );
    let page = olga_console.get(&format!("/contracts/{contract_id}")).await;
    assert!(
        page.body.contains(&format!("/purchases/{purchase}")),
        "{}",
        page.body
    );
    assert!(page.text().contains("3 months before term end"));
    let lot_page = olga_console.get(&format!("/purchases/{purchase}")).await;
    assert!(
        lot_page.text().contains("MNT-2027 (2027-12-31)"),
        "{}",
        lot_page.text()
    );
    let open = olga_console.get("/follow-ups").await;
    assert_eq!(open.status, 200);
    let done = olga_console.get("/follow-ups?status=done").await;
    assert!(done.text().contains("Alpha") || done.text().contains("Beta"));
    // Finance: a contract refused names the rule and keeps
    // what was typed; the registers take a new supplier.
    let fin = srv
        .person(
            "Fanny",
            "fanny@octopus.test",
            json!([{"role": "finance", "customer_id": null}]),
        )
        .await;
    let fin_console = Console::of(&srv, &fin);
    let made = fin_console
        .post("/suppliers", &[("name", "Fournisseur Deux")])
        .await;
    assert_eq!(made.status, 303, "{}", made.body);
    assert!(fin_console
        .get("/suppliers")
        .await
        .text()
        .contains("Fournisseur Deux"));
    let form = fin_console.get("/purchases/new").await;
    assert!(
        form.body.contains(&contract_id),
        "the lot form offers the contract"
    );
    let refused = fin_console
        .post(
            "/contracts",
            &[
                ("customer_id", octopus.as_str()),
                ("supplier_id", supplier.as_str()),
                ("contract_type_id", support_type.as_str()),
                ("reference", "SUP-2028"),
                ("starts_on", "2028-01-01"),
                ("ends_on", "2027-12-31"),
                ("notice_period", "1 month before term end"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains("ends_on") && refused.body.contains("SUP-2028"));
    let made = fin_console
        .post(
            "/contracts",
            &[
                ("customer_id", octopus.as_str()),
                ("supplier_id", supplier.as_str()),
                ("contract_type_id", support_type.as_str()),
                ("reference", "SUP-2028"),
                ("starts_on", "2028-01-01"),
                ("ends_on", "2028-12-31"),
                ("notice_period", "1 month before term end"),
            ],
        )
        .await;
    assert_eq!(made.status, 303, "{}", made.body);
    let shown = fin_console.get(&made.location).await;
    assert!(shown.text().contains("2028-11-30"), "{}", shown.text());
    let second = s(&srv.items("/v1/follow-ups?status=open", &admin).await[0]["id"]);
    let ask = fin_console
        .get(&format!("/follow-ups/{second}/close"))
        .await;
    assert_eq!(ask.status, 200);
    let closed = fin_console
        .post(&format!("/follow-ups/{second}/close"), &[])
        .await;
    assert_eq!(closed.status, 303, "{}", closed.body);
    assert!(srv
        .items("/v1/follow-ups?status=open", &admin)
        .await
        .is_empty());
    to_renew(
        &srv,
        &Contracts {
            octopus,
            alpha,
            supplier,
            maintenance,
            support_type,
            contract_id,
            purchase,
            support,
            elsewhere: s(&elsewhere["id"]),
            other,
        },
        [&olga, &ed],
    )
    .await;
    srv.stop().await;
}

/// What the story recorded that the to-renew list shows.
struct Contracts {
    octopus: String,
    alpha: String,
    supplier: String,
    maintenance: String,
    support_type: String,
    /// MNT-2027, covering `purchase`.
    contract_id: String,
    purchase: String,
    /// SUP-2027's address.
    support: String,
    /// The other partner's contract.
    elsewhere: String,
    /// The other partner.
    other: String,
}

/// The day `n` days from today.
fn day(n: i64) -> String {
    (chrono::Utc::now().date_naive() + chrono::Duration::days(n)).to_string()
}

/// The last step: the to-renew list grouped by contract type and sorted by
/// end date, as Octopus shows it, in the API (JSON and CSV) and the
/// console (from the dashboard's count, and its CSV export); nobody outside
/// Octopus's part of the tree sees its contracts and lots. The list's
/// window starts now, so the contracts' terms are first moved near today.
async fn to_renew(srv: &Server, c: &Contracts, [olga, ed]: [&support::Person; 2]) {
    let finance = srv.token("finance").await;
    let terms = |holder: &str, kind: &str, reference: &str, ends: i64| {
        json!({
            "customer_id": holder, "supplier_id": c.supplier, "contract_type_id": kind,
            "reference": reference, "starts_on": day(-300), "ends_on": day(ends),
            "cost": "4800", "currency": "EUR", "po_number": "PO-2027-01",
            "notice_period": "1 month before term end",
        })
    };
    let mnt = format!("/v1/contracts/{}", c.contract_id);
    for (path, body) in [
        (&mnt, terms(&c.octopus, &c.maintenance, "MNT-2027", 50)),
        (
            &c.support,
            terms(&c.octopus, &c.support_type, "SUP-2027", 20),
        ),
        (
            &format!("/v1/contracts/{}", c.elsewhere),
            terms(&c.other, &c.support_type, "ELS-1", 10),
        ),
    ] {
        let (status, changed) = srv.call("PUT", path, Some(&finance), Some(body)).await;
        assert_eq!(status, 200, "{changed}");
    }
    // A lot bought outside any contract, renewing on its own date.
    let loose = srv
        .post_ok(
            "/v1/purchases",
            &finance,
            json!({"customer_id": c.octopus, "product_id": "octo-office", "quantity": 5,
                   "purchased_on": day(-100), "renews_on": day(30)}),
            201,
        )
        .await;
    let loose = s(&loose["id"]);
    let support_id = c.support.rsplit('/').next().unwrap().to_owned();

    // Olga's list, by contract type: the group without one first, then by
    // name; soonest first within each; the lot ends with its contract.
    let path = "/v1/reports/renewals?within_days=90&group_by=contract_type";
    let (status, report) = olga.call(srv, "GET", path, None).await;
    assert_eq!(status, 200, "{report}");
    let groups = each(&report["groups"], |g| {
        (s(&g["group"]), texts(&g["items"], "id"))
    });
    assert_eq!(
        groups,
        [
            ("(no contract type)".to_owned(), vec![loose.clone()]),
            (
                "maintenance".to_owned(),
                vec![c.contract_id.clone(), c.purchase.clone()]
            ),
            ("support".to_owned(), vec![support_id.clone()]),
        ]
    );
    let contract = srv.get(&mnt, &finance).await;
    let [row, lot] = [0, 1].map(|i| report["groups"][1]["items"][i].clone());
    assert_eq!(row["type"], "contract");
    assert_eq!(row["supplier"], "Editeur");
    assert_eq!(row["contract_type"], "maintenance");
    assert_eq!(row["starts_on"], day(-300));
    assert_eq!(row["ends_on"], day(50));
    assert_eq!(row["cost"], "4800.00");
    assert_eq!(row["po_number"], "PO-2027-01");
    assert_eq!(row["notice_period"], "1 month before term end");
    assert_eq!(row["last_day_to_cancel"], contract["last_day_to_cancel"]);
    assert_eq!(row["customer"], "Octopus");
    assert_eq!(lot["type"], "lot");
    assert_eq!(lot["contract_id"], c.contract_id.as_str());
    assert_eq!(lot["ends_on"], day(50), "the lot ends with its contract");
    assert_eq!(lot["ends_at"], row["ends_at"]);
    assert_eq!(lot["starts_on"], "2027-01-01");
    assert_eq!(
        (&lot["product"], &lot["seats"]),
        (&json!("octo-office"), &json!(20))
    );
    assert_eq!(lot["last_day_to_cancel"], contract["last_day_to_cancel"]);
    assert_eq!(report["groups"][0]["items"][0]["ends_on"], day(30));
    assert!(report["groups"][0]["items"][0]["supplier"].is_null());
    let (_, by_supplier) = olga
        .call(
            srv,
            "GET",
            "/v1/reports/renewals?within_days=90&group_by=supplier",
            None,
        )
        .await;
    let suppliers = each(&by_supplier["groups"], |g| {
        (s(&g["group"]), g["count"].clone())
    });
    assert_eq!(
        suppliers,
        [
            ("(no supplier)".to_owned(), json!(1)),
            ("Editeur".to_owned(), json!(3))
        ]
    );

    // The same list as CSV, read back: one line each, in the groups' order.
    let resp = srv
        .client
        .get(format!("{}{path}", srv.base))
        .header("cookie", &olga.cookie)
        .header("accept", "text/csv")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let table = support::rows(&resp.text().await.unwrap());
    let col = |name: &str| table[0].iter().position(|h| h == name).unwrap();
    let lines: Vec<[&str; 6]> = table[1..]
        .iter()
        .map(|r| {
            [
                "group",
                "id",
                "supplier",
                "starts_on",
                "ends_on",
                "last_day_to_cancel",
            ]
            .map(|name| r[col(name)].as_str())
        })
        .collect();
    let cancel = contract["last_day_to_cancel"].as_str().unwrap();
    let support_cancel = s(&srv.get(&c.support, &finance).await["last_day_to_cancel"]);
    let (start, end, thirty) = (day(-300), day(50), day(30));
    assert_eq!(
        lines,
        [
            ["(no contract type)", &*loose, "", &*day(-100), &*thirty, ""],
            [
                "maintenance",
                &*c.contract_id,
                "Editeur",
                &*start,
                &*end,
                cancel
            ],
            [
                "maintenance",
                &*c.purchase,
                "Editeur",
                "2027-01-01",
                &*end,
                cancel
            ],
            [
                "support",
                &*support_id,
                "Editeur",
                &*start,
                &*day(20),
                &*support_cancel
            ],
        ]
    );

    // The rows' new columns are in the OpenAPI document.
    let (_, doc) = srv.call("GET", "/v1/openapi.json", None, None).await;
    let row = doc["components"]["schemas"]["RenewalDue"].to_string();
    for column in [
        "supplier",
        "contract_type",
        "starts_on",
        "ends_on",
        "last_day_to_cancel",
    ] {
        assert!(row.contains(&format!("\"{column}\"")), "{column}: {row}");
    }

    // Out of Octopus's part of the tree: Alpha's admin (billed for part of
    // the lot) sees none of it; Ed, at the other partner, his own only.
    let ada = srv
        .person(
            "Ada",
            "ada@alpha.test",
            json!([{"role": "admin", "customer_id": c.alpha}]),
        )
        .await;
    let (_, alpha_sees) = ada.call(srv, "GET", path, None).await;
    assert_eq!(alpha_sees["count"], 0, "{alpha_sees}");
    let (_, ed_sees) = ed
        .call(srv, "GET", "/v1/reports/renewals?within_days=90", None)
        .await;
    assert_eq!(texts(&ed_sees["items"], "id"), vec![c.elsewhere.clone()]);

    // The console: the dashboard's count opens the grouped list; its CSV
    // export keeps the grouping.
    let console = Console::of(srv, olga);
    let dashboard = console.get("/").await;
    let tile = "/renewals?within_days=90&#38;type=contract&#38;group_by=contract_type";
    assert!(
        dashboard.body.contains(&format!(
            "<a href=\"{tile}\"><span class=\"count\">4</span>"
        )),
        "{}",
        dashboard.body
    );
    let list = console.get(&tile.replace("&#38;", "&")).await;
    assert_eq!(list.status, 200);
    let body = &list.body;
    let order: Vec<usize> = [
        "(no contract type) <span",
        &loose,
        "maintenance <span",
        &c.contract_id,
        &c.purchase,
        "support <span",
        &support_id,
    ]
    .iter()
    .map(|needle| {
        body.find(needle)
            .unwrap_or_else(|| panic!("{needle} in {body}"))
    })
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{body}");
    for column in ["Supplier", "Starts", "Last day to cancel"] {
        assert!(
            list.body
                .contains(&format!("<th scope=\"col\">{column}</th>")),
            "{column}"
        );
    }
    assert!(!body.contains(&c.elsewhere));
    let csv = console
        .get("/renewals.csv?within_days=90&type=contract&group_by=contract_type")
        .await;
    let table = support::rows(&csv.body);
    let groups: Vec<&str> = table[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        groups,
        [
            "(no contract type)",
            "maintenance",
            "maintenance",
            "support"
        ]
    );
    assert!(
        list.body
            .contains("/renewals.csv?within_days=90&#38;group_by=contract_type&#38;type=contract"),
        "{}",
        list.body
    );
}

support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    story => octopus_on_sqlite, octopus_on_postgres
}
