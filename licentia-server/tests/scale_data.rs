//! The scale data set (`licentia scale-data`, scripts/scale-bench.sh) at a
//! small size, on SQLite and on PostgreSQL: every table gets its rows, the
//! history made for them is one chain with what was there before (`licentia
//! audit verify` passes), the records read back through the API like any
//! other, and a second fill of the same database is refused.

mod support;

use licentia_server::sql::SqlStore;
use support::{items, s, Backend, Server};

async fn story(backend: Backend) {
    let srv = Server::start(backend).await;
    srv.scale_templates().await;
    let before = srv.chain_length(&srv.admin, 500).await;
    let store = SqlStore::connect(&srv.config).await.unwrap();
    let filled = store.fill_scale(0.001).await.unwrap();
    let report = filled.to_string();
    assert!(filled.skipped.is_empty(), "{report}");
    let rows = |table: &str| {
        filled
            .tables
            .iter()
            .find(|(t, _, _)| *t == table)
            .unwrap_or_else(|| panic!("{table} filled: {report}"))
            .1
    };
    assert_eq!(rows("licenses"), 10_000);
    assert_eq!(rows("customers"), 1_000);
    assert_eq!(rows("activations"), 3_000);
    assert_eq!(rows("history"), 20_000);
    assert_eq!(rows("subscriptions"), 1_000);
    assert_eq!(rows("members"), 1_000);
    assert!(report.contains("\"licences\": 10000"), "{report}");

    // The seats in use (migration 0033) were counted at the end of the
    // fill, with its counting triggers off: the counters hold them all.
    sqlx::any::install_default_drivers();
    let db = sqlx::AnyPool::connect(&srv.config.database_url())
        .await
        .unwrap();
    let total = |sql: &'static str| {
        let db = db.clone();
        async move {
            let row = sqlx::query(sql).fetch_one(&db).await.unwrap();
            sqlx::Row::get::<i64, _>(&row, "n")
        }
    };
    let counted =
        total("SELECT CAST(COALESCE(SUM(used), 0) AS BIGINT) AS n FROM seat_counts").await;
    let fresh = total(
        "SELECT COUNT(*) AS n FROM activations v JOIN licenses l ON l.id = v.license_id \
         WHERE v.deactivated_at IS NULL AND l.customer_id IS NOT NULL",
    )
    .await;
    assert!(fresh > 0);
    assert_eq!(counted, fresh, "seats in use counted after the fill");
    db.close().await;

    // One chain, the old entries and the new.
    let whole = licentia_server::verify_history(&srv.config).await.unwrap();
    assert_eq!(whole, before + 20_000);

    // Read back as records: a licence with its activation and history,
    // a site under its customer, the lists paged by their cursors.
    let vendor = srv.admin.clone();
    let licence = format!("5ca1e{:027}", 12);
    let record = srv.get(&format!("/v1/licenses/{licence}"), &vendor).await;
    assert_eq!(record["licensee"], "Licensee 12");
    let machines = srv
        .get(&format!("/v1/licenses/{licence}/activations"), &vendor)
        .await;
    assert_eq!(items(&machines).len(), 1);
    let history = srv
        .get(&format!("/v1/licenses/{licence}/history"), &vendor)
        .await;
    let ops: Vec<&str> = items(&history)
        .iter()
        .map(|e| e["operation"].as_str().unwrap())
        .collect();
    assert_eq!(ops, ["license.issue", "activation.create", "license.renew"]);
    let first = srv.get("/v1/licenses?limit=500", &vendor).await;
    let next = first["next"].as_str().expect("more than a page");
    let second = srv
        .get(&format!("/v1/licenses?limit=500&after={next}"), &vendor)
        .await;
    assert_eq!(items(&second).len(), 500);
    assert_ne!(items(&first)[0]["id"], items(&second)[0]["id"]);

    // A search by a part of the licensee's name: one every name holds
    // (SQLite walks the list's order rather than its trigram index) keeps
    // the list's first matching licences, page after page; one that a
    // single name holds finds that one.
    let holding: Vec<&serde_json::Value> = items(&first)
        .iter()
        .filter(|l| {
            l["licensee"]
                .as_str()
                .unwrap()
                .to_lowercase()
                .contains("licensee")
        })
        .collect();
    let common = srv
        .get("/v1/licenses?licensee=LICENSEE&limit=50", &vendor)
        .await;
    let more = common["next"]
        .as_str()
        .expect("more than a page hold the word");
    let common_next = srv
        .get(
            &format!("/v1/licenses?licensee=LICENSEE&limit=50&after={more}"),
            &vendor,
        )
        .await;
    let found: Vec<&serde_json::Value> = items(&common)
        .iter()
        .chain(items(&common_next))
        .map(|l| &l["id"])
        .collect();
    let expected: Vec<&serde_json::Value> = holding.iter().take(100).map(|l| &l["id"]).collect();
    assert_eq!(
        found, expected,
        "the first hundred holders, in the list's order"
    );
    let one = srv
        .get("/v1/licenses?licensee=licensee+4242", &vendor)
        .await;
    let names: Vec<&str> = items(&one)
        .iter()
        .map(|l| l["licensee"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Licensee 4242"]);

    let again = store.fill_scale(0.001).await.unwrap_err();
    assert!(again.contains("holds a scale data set already"), "{again}");
    srv.stop().await;
}

/// By customer, the groups of a window too full to read its customers
/// from its rows are walked on their names a page at a time, and those of
/// a window of the console's (its licences' holders merged by day) too:
/// the pages are the groups of the whole table, in order, with their
/// counts.
async fn renewals_by_customer(backend: Backend) {
    let srv = Server::start(backend).await;
    srv.scale_templates().await;
    let store = SqlStore::connect(&srv.config).await.unwrap();
    store.fill_scale(0.003).await.unwrap();
    let vendor = srv.admin.clone();
    // (days, the least licence rows the window holds)
    for (days, least) in [(3660, 5_000), (90, 1)] {
        let path = format!("/v1/reports/renewals?within_days={days}&group_by=customer&limit=1");
        let text = srv
            .client
            .get(format!("{}{path}", srv.base))
            .bearer_auth(&vendor)
            .header("accept", "text/csv")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let table = support::rows(&text);
        let licences = table[1..].iter().filter(|r| r[1].starts_with("license/"));
        let n = licences.count();
        assert!(n >= least, "{days} days: {n} licences");
        let mut whole: Vec<(String, i64)> = Vec::new();
        for row in &table[1..] {
            match whole.last_mut() {
                Some((group, n)) if *group == row[0] => *n += 1,
                _ => whole.push((row[0].clone(), 1)),
            }
        }
        assert!(whole.len() > 60, "{days} days: {} groups", whole.len());
        let mut walked = Vec::new();
        let mut after = String::new();
        for _ in 0..3 {
            let page = srv.get(&format!("{path}{after}"), &vendor).await;
            for group in page["groups"].as_array().unwrap() {
                walked.push((s(&group["group"]), group["count"].as_i64().unwrap()));
            }
            after = format!(
                "&groups_after={}",
                s(&page["next_groups"]).replace(' ', "%20")
            );
        }
        assert_eq!(walked, whole[..60], "{days} days");
    }

    srv.stop().await;
}

support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    story => scale_data_sqlite, scale_data_postgres
}
support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    renewals_by_customer => renewals_by_customer_sqlite, renewals_by_customer_postgres
}
