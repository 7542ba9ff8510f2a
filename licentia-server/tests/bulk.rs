//! CSV import and export, over a real socket on SQLite and (when
//! `LICENTIA_TEST_POSTGRES` is set) PostgreSQL: dry runs that report every
//! bad row and change nothing, all-or-nothing imports, license keys shown
//! once, export -> import round trips, roles, bad input.

mod support;

use serde_json::{json, Value};
use support::{each, export, items, kind, machine, rows, s, texts, Backend, Server};

/// POSTs a CSV body; returns status and JSON answer.
async fn import(
    srv: &Server,
    path: &str,
    token: &str,
    body: &str,
    headers: &[(&str, &str)],
) -> (u16, Value) {
    let mut req = srv
        .client
        .post(format!("{}{path}", srv.base))
        .bearer_auth(token)
        .header("content-type", "text/csv")
        .body(body.to_owned());
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    assert!(status < 500, "{status}: {text}");
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// Imports `csv` into `what` as a dry run, asserting that it checked
/// `rows` rows and found nothing wrong.
async fn dry_run(srv: &Server, what: &str, token: &str, csv: &str, rows: u64) {
    let path = format!("/v1/import/{what}?dry_run=true");
    let (status, dry) = import(srv, &path, token, csv, &[]).await;
    assert_eq!((status, &dry["rows"]), (200, &json!(rows)), "{dry}");
}

/// Imports `csv` at `path`, asserting that it is refused (422) with a
/// report; returns the report.
async fn refused_import(srv: &Server, path: &str, token: &str, csv: &str) -> Value {
    let (status, report) = import(srv, path, token, csv, &[]).await;
    assert_eq!(status, 422, "{report}");
    report
}

/// The errors of a refused import: (line, column) of each.
fn errors(report: &Value) -> Vec<(u64, String)> {
    each(&report["errors"], |e| {
        (e["line"].as_u64().unwrap(), s(&e["column"]))
    })
}

/// How many customers and licenses exist, and the history's length: what
/// an import that changes nothing leaves as it was.
async fn counts(srv: &Server, token: &str) -> (usize, usize, i64) {
    let (_, customers) = export(srv, "customers", token).await;
    let (_, licenses) = export(srv, "licenses", token).await;
    let history = srv.get("/v1/history?limit=500", token).await;
    let last = items(&history)
        .last()
        .map_or(0, |e| e["seq"].as_i64().unwrap());
    (rows(&customers).len() - 1, rows(&licenses).len() - 1, last)
}

async fn story(backend: Backend) {
    let srv = Server::start(backend).await;
    let [issuer, finance, auditor] = srv.tokens(["issuer", "finance", "auditor"]).await;
    let stored = srv
        .post_ok(
            "/v1/customers",
            &issuer,
            json!({"kind": "partner", "name": "Stored Partner", "external_ref": "P-0"}),
            201,
        )
        .await;
    let stored = s(&stored["id"]);

    // ------------------------------------------------ customers
    // Parents by a row's external_ref, by a stored node's id and reference;
    // a quoted comma and quotes; a formula escaped as a spreadsheet would.
    let customers = format!(
        "external_ref,kind,name,email,parent\r\n\
         P-1,partner,North Partner,north@example.com,\r\n\
         C-1,customer,\"Smith, \"\"Big\"\" Co\",,P-1\r\n\
         S-1,site,'=SUM(A1),,C-1\r\n\
         C-2,customer,Under Stored,,{stored}\r\n\
         C-3,customer,Under Stored Too,,P-0\r\n"
    );
    let before = counts(&srv, &auditor).await;
    let (status, dry) = import(
        &srv,
        "/v1/import/customers?dry_run=true",
        &issuer,
        &customers,
        &[],
    )
    .await;
    assert_eq!(status, 200, "{dry}");
    assert_eq!(dry["rows"], 5);
    assert_eq!(dry["dry_run"], true);
    assert_eq!(
        counts(&srv, &auditor).await,
        before,
        "a dry run changes nothing"
    );

    let (status, done) = import(&srv, "/v1/import/customers", &issuer, &customers, &[]).await;
    assert_eq!(status, 201, "{done}");
    assert_eq!(done["created"], 5);
    let ids: Vec<String> = items(&done).iter().map(|i| s(&i["id"])).collect();
    let lines: Vec<u64> = items(&done)
        .iter()
        .map(|i| i["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [2, 3, 4, 5, 6]);
    let get = |id: &str| {
        let id = id.to_owned();
        let srv = &srv;
        let auditor = &auditor;
        async move {
            srv.call("GET", &format!("/v1/customers/{id}"), Some(auditor), None)
                .await
                .1
        }
    };
    let c1 = get(&ids[1]).await;
    assert_eq!(c1["name"], "Smith, \"Big\" Co");
    assert_eq!(c1["parent_id"], ids[0].as_str());
    let s1 = get(&ids[2]).await;
    assert_eq!(
        s1["name"], "=SUM(A1)",
        "the escape is the spreadsheet's, not the name's"
    );
    assert_eq!(s1["parent_id"], ids[1].as_str());
    assert_eq!(get(&ids[3]).await["parent_id"], stored.as_str());
    assert_eq!(get(&ids[4]).await["parent_id"], stored.as_str());
    let history = srv
        .get(&format!("/v1/customers/{}/history", ids[2]), &auditor)
        .await;
    assert_eq!(
        history["items"][0]["operation"], "customer.create",
        "imports are in the history"
    );

    // The same file again: every reference is in use; nothing changes.
    let before = counts(&srv, &auditor).await;
    let (status, again) = import(&srv, "/v1/import/customers", &issuer, &customers, &[]).await;
    assert_eq!(status, 422, "{again}");
    assert_eq!(kind(&again), "invalid_rows");
    assert_eq!(again["errors"].as_array().unwrap().len(), 5);
    assert_eq!(again["errors"][0]["column"], "external_ref");
    assert_eq!(counts(&srv, &auditor).await, before);

    // A dry run with three bad rows among good ones: all three, nothing made.
    let bad = "kind,name,parent,external_ref\r\n\
               partner,Good One,,G-1\r\n\
               planet,Bad Kind,,G-2\r\n\
               customer,,G-1,G-3\r\n\
               site,Orphan Site,,G-4\r\n\
               customer,Good Two,G-1,G-5\r\n";
    let report = refused_import(&srv, "/v1/import/customers?dry_run=true", &issuer, bad).await;
    assert_eq!(
        errors(&report),
        [
            (3, "kind".to_owned()),
            (4, "name".to_owned()),
            (5, "parent".to_owned())
        ]
    );
    assert_eq!(report["dry_run"], true);
    assert_eq!(counts(&srv, &auditor).await, before);

    // A real import with one bad row (a parent nobody has): nothing made.
    let one_bad = "kind,name,parent,external_ref\r\n\
                   partner,Fine,,F-1\r\n\
                   customer,Fine Too,F-1,F-2\r\n\
                   customer,Lost,NOPE-9,F-3\r\n";
    let report = refused_import(&srv, "/v1/import/customers", &issuer, one_bad).await;
    assert_eq!(report["errors"].as_array().unwrap().len(), 1);
    assert_eq!(report["errors"][0]["line"], 4);
    assert_eq!(report["errors"][0]["column"], "parent");
    assert_eq!(report["dry_run"], false);
    assert_eq!(counts(&srv, &auditor).await, before, "all or nothing");

    // ------------------------------------------------ licenses
    let yearly = json!({"name": "yearly", "binding": "unbound", "seats": 3, "duration_days": 365, "entitlements": ["core"]});
    let policy = srv.policy(&issuer, "bulk-cad", yearly).await;
    let licenses = format!(
        "policy_id,licensee,customer,seats,expires,features,email\r\n\
         {policy},Ada,C-1,3,2031-01-31,core;export=2,ada@example.com\r\n\
         {policy},\"Lovelace, Ada\",{},,,,\r\n\
         {policy},-Minus,C-1,,,,\r\n",
        ids[3]
    );
    dry_run(&srv, "licenses", &issuer, &licenses, 3).await;
    let before = counts(&srv, &auditor).await;
    let idem = [("idempotency-key", "bulk-licenses-1")];
    let (status, issued) = import(&srv, "/v1/import/licenses", &issuer, &licenses, &idem).await;
    assert_eq!(status, 201, "{issued}");
    assert_eq!(issued["created"], 3);
    let after = counts(&srv, &auditor).await;
    assert_eq!(after.1, before.1 + 3);
    // A retry with the same key: the first answer (same keys), no new license.
    let (status, replay) = import(&srv, "/v1/import/licenses", &issuer, &licenses, &idem).await;
    assert_eq!(status, 201);
    assert_eq!(replay, issued);
    assert_eq!(counts(&srv, &auditor).await.1, after.1);
    // Keys are shown once, here, and work.
    let first = &issued["items"][0];
    let license = srv
        .get(&format!("/v1/licenses/{}", s(&first["id"])), &auditor)
        .await;
    assert_eq!(
        license["customer_id"],
        ids[1].as_str(),
        "customer by external_ref"
    );
    assert_eq!(license["seats"], 3);
    assert_eq!(license["spec"]["features"], json!(["core", "export=2"]));
    assert_eq!(license["spec"]["expires"], "2031-01-31T00:00:00Z");
    assert!(license.get("license_key").is_none());
    let (status, v) = srv
        .call(
            "POST",
            "/v1/activations",
            None,
            Some(json!({"license_key": s(&first["license_key"]), "fingerprint": machine("bulk-cad", 1).to_string(), "platform": "linux"})),
        )
        .await;
    assert_eq!(status, 201, "{v}");

    // Bad license rows: format errors, every one.
    let bad = format!(
        "policy_id,licensee,seats,expires,features,id\r\n\
         {policy},A,0,,,\r\n\
         {policy},B,,31/01/2030,,\r\n\
         {policy},C,,,bad code!,\r\n\
         {policy},D,,,,not-an-id\r\n"
    );
    let report = refused_import(&srv, "/v1/import/licenses", &issuer, &bad).await;
    let columns = texts(&report["errors"], "column");
    assert_eq!(columns, ["seats", "expires", "features", "id"]);
    // And what the database knows: an unknown policy, an unknown customer.
    let bad = format!(
        "policy_id,licensee,customer\r\n\
         {policy},Fine,C-1\r\n\
         pol_00000000000000000000,Lost Policy,\r\n\
         {policy},Lost Customer,NOPE\r\n"
    );
    let before = counts(&srv, &auditor).await;
    let report = refused_import(&srv, "/v1/import/licenses", &issuer, &bad).await;
    assert_eq!(
        errors(&report),
        [(3, "policy_id".to_owned()), (4, "customer".to_owned())]
    );
    assert_eq!(counts(&srv, &auditor).await, before, "all or nothing");

    // ------------------------------------------------ members
    let plan = srv
        .plan(&issuer, json!({"name": "Seat", "policy_id": policy}))
        .await;
    let members = format!(
        "customer,name,email,external_ref,plan_id,options\r\n\
         C-1,Mia Member,Mia@Example.com,M-1,,\r\n\
         {},Max Service,max@example.com,,{plan},\r\n",
        ids[1]
    );
    dry_run(&srv, "members", &issuer, &members, 2).await;
    assert_eq!(
        rows(&export(&srv, "members", &auditor).await.1).len(),
        1,
        "a dry run changes nothing"
    );
    let (status, made) = import(&srv, "/v1/import/members", &issuer, &members, &[]).await;
    assert_eq!(status, 201, "{made}");
    assert_eq!(made["created"], 2);
    assert!(
        made["items"][0]["license_key"].is_null(),
        "no plan, no service"
    );
    assert!(
        s(&made["items"][1]["license_key"]).len() > 20,
        "the service's key, once"
    );
    let member = srv
        .get(
            &format!("/v1/members/{}", s(&made["items"][1]["id"])),
            &auditor,
        )
        .await;
    assert_eq!(member["plan_id"], plan.as_str());
    assert!(member["license_id"].is_string());
    let bad = "customer,name,email,options\nC-1,A,not-an-email,\nC-1,B,b@example.com,cloud\n";
    let report = refused_import(&srv, "/v1/import/members", &issuer, bad).await;
    let columns = texts(&report["errors"], "column");
    assert_eq!(columns, ["email", "options"]);
    let bad = "customer,name,email\n\
               C-1,New,new@example.com\n\
               C-1,Again,mia@example.com\n\
               NOPE,Lost,lost@example.com\n";
    let report = refused_import(&srv, "/v1/import/members", &issuer, bad).await;
    assert_eq!(
        errors(&report),
        [(3, "email".to_owned()), (4, "customer".to_owned())]
    );
    let (_, exported) = export(&srv, "members", &auditor).await;
    let table = rows(&exported);
    let header = "customer,name,email,external_ref,plan_id,options";
    assert_eq!(table[0].join(","), header);
    assert_eq!(table.len(), 3, "the bad import made nothing");
    assert!(table
        .iter()
        .any(|r| r[2] == "mia@example.com" && r[0] == ids[1]));
    // The export read back: every member is there already, nothing changes.
    let (status, v) = import(
        &srv,
        "/v1/import/members?dry_run=true",
        &issuer,
        &exported,
        &[],
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(v["errors"].as_array().unwrap().len(), 2);

    // ------------------------------------------------ export -> import
    let (status, exported) = export(&srv, "customers", &auditor).await;
    assert_eq!(status, 200);
    let table = rows(&exported);
    assert_eq!(
        table[0],
        ["id", "external_ref", "kind", "name", "email", "parent"]
    );
    let s1_row = table.iter().find(|r| r[0] == ids[2]).unwrap();
    assert_eq!(s1_row[3], "'=SUM(A1)", "formulas leave escaped");
    let kinds: Vec<&str> = table[1..].iter().map(|r| r[2].as_str()).collect();
    assert!(
        kinds.windows(2).all(|w| rank(w[0]) <= rank(w[1])),
        "parents before children: {kinds:?}"
    );
    // Into a fresh server: the same records, the same export, byte for byte.
    let other = Server::start(Backend::Sqlite).await;
    let (status, v) = import(&other, "/v1/import/customers", &other.admin, &exported, &[]).await;
    assert_eq!(status, 201, "{v}");
    assert_eq!(export(&other, "customers", &other.admin).await.1, exported);
    other.stop().await;
    // Into the same server: every id is in use, nothing changes.
    let (status, v) = import(
        &srv,
        "/v1/import/customers?dry_run=true",
        &issuer,
        &exported,
        &[],
    )
    .await;
    assert_eq!(status, 422);
    let lines: std::collections::HashSet<u64> = each(&v["errors"], |e| e["line"].as_u64().unwrap())
        .into_iter()
        .collect();
    assert_eq!(lines.len(), table.len() - 1, "every row is refused: {v}");

    let (_, exported) = export(&srv, "licenses", &auditor).await;
    let table = rows(&exported);
    let header = "id,policy_id,licensee,email,customer,seats,expires,features,user,machines";
    assert_eq!(table[0].join(","), header);
    assert_eq!(table.len(), 5, "three imported, one a member's service");
    assert!(table.iter().any(|r| r[2] == "'-Minus"));
    // Re-issued from the export with new ids: the same terms.
    let without_ids: String = exported
        .lines()
        .enumerate()
        .map(|(n, l)| {
            if n == 0 {
                format!("{l}\n")
            } else {
                format!("{}\n", &l[32..])
            }
        })
        .collect();
    let (status, v) = import(&srv, "/v1/import/licenses", &issuer, &without_ids, &[]).await;
    assert_eq!(status, 201, "{v}");
    let (_, again) = export(&srv, "licenses", &auditor).await;
    let mut terms: Vec<Vec<String>> = rows(&again)[1..].iter().map(|r| r[1..].to_vec()).collect();
    terms.sort();
    let mut want: Vec<Vec<String>> = table[1..]
        .iter()
        .flat_map(|r| [r[1..].to_vec(), r[1..].to_vec()])
        .collect();
    want.sort();
    assert_eq!(terms, want);

    // A big export comes in pages (500 rows each), parents first, whole.
    let mut big = String::from("external_ref,kind,name,parent\n");
    for n in 0..620 {
        big.push_str(&format!("BIG-{n},customer,Big {n},P-1\n"));
    }
    let (status, v) = import(&srv, "/v1/import/customers", &issuer, &big, &[]).await;
    assert_eq!(status, 201, "{v}");
    let (_, all) = export(&srv, "customers", &auditor).await;
    let table = rows(&all);
    assert_eq!(table.len() - 1, 1 + 5 + 620);
    let unique: std::collections::HashSet<&String> = table.iter().map(|r| &r[0]).collect();
    assert_eq!(unique.len(), table.len(), "no row twice across pages");

    // ------------------------------------------------ roles
    for token in [&finance, &auditor] {
        let (status, _) = import(
            &srv,
            "/v1/import/customers?dry_run=true",
            token,
            "kind,name\npartner,X\n",
            &[],
        )
        .await;
        assert_eq!(status, 403);
    }
    for token in [&srv.admin, &issuer, &finance, &auditor] {
        assert_eq!(export(&srv, "licenses", token).await.0, 200);
    }
    assert_eq!(export(&srv, "customers", "lic_nope").await.0, 401);

    // ------------------------------------------------ bad input
    let (status, v) = srv
        .call(
            "POST",
            "/v1/import/customers",
            Some(&issuer),
            Some(json!({"kind": "partner"})),
        )
        .await;
    assert_eq!(status, 415, "{v}");
    let cases: [(&str, &[u8]); 6] = [
        ("garbage", b"\xff\xfe\x00\x01binary\x00\xff,\n\xc3\x28,x\n"),
        ("wrong columns", b"colour,name\nred,X\n"),
        ("missing column", b"name\nX\n"),
        ("empty", b""),
        ("ragged", b"kind,name\npartner,X,extra\n"),
        ("unterminated quote", b"kind,name\npartner,\"X\n"),
    ];
    for (what, body) in cases {
        let resp = srv
            .client
            .post(format!("{}/v1/import/customers?dry_run=true", srv.base))
            .bearer_auth(&issuer)
            .header("content-type", "text/csv")
            .body(body.to_vec())
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        let v: Value = resp.json().await.unwrap();
        assert_eq!(status, 422, "{what}: {v}");
        assert!(!v["errors"].as_array().unwrap().is_empty(), "{what}: {v}");
    }
    let huge = format!("kind,name\npartner,{}\n", "x".repeat(5000));
    let (status, v) = import(&srv, "/v1/import/customers", &issuer, &huge, &[]).await;
    assert_eq!(status, 422);
    assert!(s(&v["errors"][0]["message"]).contains("longer than"), "{v}");
    let flood = format!("kind,name\n{}", "partner,X\n".repeat(10_000));
    let (status, _) = import(&srv, "/v1/import/customers", &issuer, &flood, &[]).await;
    assert_eq!(status, 413, "over the body limit");
    let (status, _) = import(&srv, "/v1/import/planets", &issuer, "kind,name\n", &[]).await;
    assert_eq!(status, 404);
    assert_eq!(export(&srv, "planets", &auditor).await.0, 404);
    let (status, _) = import(
        &srv,
        "/v1/import/customers?dry_run=maybe",
        &issuer,
        "kind,name\n",
        &[],
    )
    .await;
    assert_eq!(status, 400);

    srv.stop().await;
}

fn rank(kind: &str) -> u8 {
    match kind {
        "partner" => 0,
        "customer" => 1,
        _ => 2,
    }
}

support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    story => bulk_sqlite, bulk_postgres
}
