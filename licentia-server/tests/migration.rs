//! A database of the release before accounts and grants (schema version
//! 10) migrates without loss: its rows are all there after, its API tokens
//! become service tokens holding vendor-root grants with their roles, and
//! they still open the API — on SQLite, and on PostgreSQL when
//! `LICENTIA_TEST_POSTGRES` is set.

mod support;

use licentia_server::sql::SqlStore;
use serde_json::Value;
use sqlx::Row;
use support::{config, items, s, Backend};

/// The schema version of the previous release.
const PREVIOUS: i64 = 10;

/// Tokens of the previous release: (id, name, role, secret, revoked).
const TOKENS: [(&str, &str, &str, &str, bool); 4] = [
    (
        "tok_admin",
        "ops admin",
        "admin",
        "lic_old_admin_secret",
        false,
    ),
    (
        "tok_fin",
        "billing robot",
        "finance",
        "lic_old_finance_secret",
        false,
    ),
    (
        "tok_aud",
        "auditor",
        "auditor",
        "lic_old_auditor_secret",
        false,
    ),
    (
        "tok_gone",
        "revoked one",
        "issuer",
        "lic_old_revoked_secret",
        true,
    ),
];

/// The rows of the previous release's populated database, in its own SQL.
fn old_rows() -> Vec<String> {
    let hash = |t: &str| licentia_server::secret::sha256_hex(t.as_bytes());
    let mut rows: Vec<String> = TOKENS
        .iter()
        .map(|(id, name, role, secret, revoked)| {
            format!(
                "INSERT INTO api_tokens (id, name, role, token_hash, created_at, created_by, revoked_at, expires_at) \
                 VALUES ('{id}', '{name}', '{role}', '{}', 1700000000, 'system', {}, NULL)",
                hash(secret),
                if *revoked { "1700000100" } else { "NULL" }
            )
        })
        .collect();
    rows.extend(
        [
            "INSERT INTO settings (name, value) VALUES ('bootstrap_admin', 'tok_admin')",
            "INSERT INTO products (id, code, name, created_at, revocation_seq, revocation_updated_at) \
             VALUES ('prd_1', 'cad', 'CAD', 1700000000, 0, 1700000000)",
            "INSERT INTO policies (id, product_id, name, kind, binding, match_rule, duration_days, seats, \
             grace_days, check_in_days, max_offline_days, entitlements, temp_quota, temp_period_days, \
             temp_duration_days, lease_ttl_secs, created_at) VALUES ('pol_1', 'prd_1', 'yearly', \
             'standard', 'unbound', 'any', 365, 5, NULL, NULL, NULL, '[]', 1, 30, 7, 900, 1700000000)",
            "INSERT INTO customers (id, parent_id, kind, name, email, external_ref, created_at) \
             VALUES ('cus_p', NULL, 'partner', 'Wazo', NULL, 'W-1', 1700000000)",
            "INSERT INTO customers (id, parent_id, kind, name, email, external_ref, created_at) \
             VALUES ('cus_c', 'cus_p', 'customer', 'Acme', 'it@acme.test', NULL, 1700000000)",
            "INSERT INTO licenses (id, product_id, policy_id, customer_id, key_hash, key_hint, status, \
             licensee, spec, seats, seats_used, expires_at, file, issued_at, updated_at) VALUES \
             ('lic_1', 'prd_1', 'pol_1', 'cus_c', 'kh', 'ABCD', 'active', 'Acme', '{}', 5, 1, NULL, \
             NULL, 1700000000, 1700000000)",
            "INSERT INTO activations (id, license_id, fingerprint, platform, mode, file, created_at, \
             last_seen_at) VALUES ('act_1', 'lic_1', 'fp', 'linux', 'online', 'file', 1700000000, 1700000000)",
            "INSERT INTO allocations (customer_id, product_id, seats, given, updated_at) \
             VALUES ('cus_c', 'prd_1', 5, 0, 1700000000)",
            "INSERT INTO purchases (id, customer_id, product_id, quantity, rebilled, serial, version, \
             purchased_on, renews_on, cost_minor, currency, po_number, invoice_number, notes, created_at) \
             VALUES ('pur_1', 'cus_p', 'prd_1', 20, 10, 'REG-1', NULL, '2023-11-14', '2024-11-14', \
             150000, 'EUR', 'PO-1', 'INV-1', NULL, 1700000000)",
            "INSERT INTO rebillings (id, purchase_id, customer_id, quantity, invoice_number, notes, \
             created_at) VALUES ('rbl_1', 'pur_1', 'cus_c', 10, 'RB-1', NULL, 1700000000)",
            "INSERT INTO notice_subscriptions (id, kinds, webhook_url, secret, email, role, created_at, \
             created_by) VALUES ('nsb_1', '[\"license.expiring\"]', NULL, NULL, 'ops@vendor.test', \
             'finance', 1700000000, 'token:tok_admin')",
        ]
        .map(str::to_owned),
    );
    rows
}

/// The number of rows of every table of the previous schema.
async fn counts(pool: &sqlx::AnyPool, tables: &[String]) -> Vec<(String, i64)> {
    let mut out = Vec::new();
    for t in tables {
        let n: i64 = sqlx::query(&format!("SELECT COUNT(*) AS n FROM {t}"))
            .fetch_one(pool)
            .await
            .unwrap()
            .try_get("n")
            .unwrap();
        out.push((t.clone(), n));
    }
    out
}

/// The tables a schema has (SQLite or PostgreSQL).
async fn tables(pool: &sqlx::AnyPool, postgres: bool) -> Vec<String> {
    let sql = if postgres {
        "SELECT CAST(tablename AS TEXT) AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
    } else {
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
    };
    sqlx::query(sql)
        .fetch_all(pool)
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get::<String, _>("name").unwrap())
        .collect()
}

async fn story(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let (url, pg) = match backend {
        Backend::Sqlite => (None, None),
        Backend::Postgres(db) => (Some(db.url()), Some(db)),
    };
    let postgres = pg.is_some();
    let config = config(dir.path(), url);

    // The previous release's database, populated.
    let old = SqlStore::migrate_until(&config, PREVIOUS).await.unwrap();
    for row in old_rows() {
        sqlx::query(&row).execute(&old).await.unwrap();
    }
    let old_tables = tables(&old, postgres).await;
    assert!(old_tables.contains(&"api_tokens".to_owned()));
    assert!(!old_tables.contains(&"grants".to_owned()));
    let before = counts(&old, &old_tables).await;
    let old_tokens: Vec<(String, String, String)> =
        sqlx::query("SELECT id, name, token_hash FROM api_tokens ORDER BY id")
            .fetch_all(&old)
            .await
            .unwrap()
            .iter()
            .map(|r| (r.get("id"), r.get("name"), r.get("token_hash")))
            .collect();
    old.close().await;

    // This release starts on it and migrates it.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let running = licentia_server::launch_with_listener(config.clone(), listener)
        .await
        .unwrap();
    assert!(
        running.bootstrap_token.is_none(),
        "its admin token was made long ago"
    );
    let srv = support::Server {
        base: support::base_of(&running),
        admin: TOKENS[0].3.to_owned(),
        client: reqwest::Client::new(),
        running: Some(running),
        config: config.clone(),
        dir,
        pg,
        elsewhere: Default::default(),
    };

    // Nothing is lost: every table keeps its rows, every token its hash.
    let new = SqlStore::migrate_until(&config, i64::MAX).await.unwrap();
    let after = counts(&new, &old_tables).await;
    // The first start of this release adds a signing key (and its history
    // entry, and the migrations' own rows); no table has fewer rows.
    let grows = ["signing_keys", "history", "schema_migrations", "settings"];
    for ((table, was), (_, is)) in before.iter().zip(&after) {
        if grows.contains(&table.as_str()) {
            assert!(is >= was, "{table}: {was} rows before, {is} after");
        } else {
            assert_eq!(is, was, "{table}");
        }
    }
    let tokens: Vec<(String, String, String)> =
        sqlx::query("SELECT id, name, token_hash FROM api_tokens ORDER BY id")
            .fetch_all(&new)
            .await
            .unwrap()
            .iter()
            .map(|r| (r.get("id"), r.get("name"), r.get("token_hash")))
            .collect();
    assert_eq!(tokens, old_tokens);
    // Each token now holds one grant: its role, at the vendor root.
    let grants: Vec<(String, String, Option<String>)> =
        sqlx::query("SELECT token_id, role, customer_id FROM grants ORDER BY token_id")
            .fetch_all(&new)
            .await
            .unwrap()
            .iter()
            .map(|r| (r.get("token_id"), r.get("role"), r.get("customer_id")))
            .collect();
    let mut want: Vec<(String, String, Option<String>)> = TOKENS
        .iter()
        .map(|(id, _, role, _, _)| (id.to_string(), role.to_string(), None))
        .collect();
    want.sort();
    assert_eq!(grants, want);
    new.close().await;

    // The old tokens open the API with their roles, at the vendor root.
    let admin = TOKENS[0].3;
    let listed = srv.get("/v1/tokens", admin).await;
    let live: Vec<Value> = items(&listed).clone();
    assert_eq!(live.len(), 4);
    for t in &live {
        assert_eq!(t["customer_id"], Value::Null, "{t}");
        assert_eq!(s(&t["service"]), s(&t["name"]), "a service named as it was");
    }
    let finance = TOKENS[1].3;
    assert_eq!(
        srv.call("GET", "/v1/tokens", Some(finance), None).await.0,
        403
    );
    let customers = srv.items("/v1/customers", TOKENS[2].3).await;
    assert_eq!(customers.len(), 2, "the auditor still reads the whole tree");
    assert_eq!(
        srv.get("/v1/customers/cus_c", finance).await["name"],
        "Acme"
    );
    assert_eq!(
        srv.call("GET", "/v1/customers", Some(TOKENS[3].3), None)
            .await
            .0,
        401,
        "a revoked token stays revoked"
    );
    // The lot is there as it was, under no contract, its re-billing kept.
    let lot = srv.get("/v1/purchases/pur_1", admin).await;
    assert_eq!(
        (&lot["cost"], &lot["not_rebilled"], &lot["contract_id"]),
        (&Value::from("1500.00"), &Value::from(10), &Value::Null)
    );
    assert_eq!(lot["rebillings"][0]["id"], "rbl_1", "{lot}");
    // The report counters are filled from the rows already there: the
    // licence, its activation (the day it was issued) and its node's share.
    let models = srv.get("/v1/reports/license-models", admin).await;
    let model = &items(&models)[0];
    assert_eq!(
        (
            &model["binding"],
            &model["licenses"],
            &model["seats"],
            &model["seats_used"]
        ),
        (
            &Value::from("unbound"),
            &Value::from(1),
            &Value::from(5),
            &Value::from(1)
        ),
        "{models}"
    );
    let platforms = srv.get("/v1/reports/platforms", admin).await;
    assert_eq!(
        (
            &items(&platforms)[0]["platform"],
            &items(&platforms)[0]["active"]
        ),
        (&Value::from("linux"), &Value::from(1))
    );
    let delay = srv.get("/v1/reports/activation-delay", admin).await;
    assert_eq!(
        (
            &delay["overall"]["activated"],
            &delay["overall"]["median_days"]
        ),
        (&Value::from(1), &Value::from(0.0))
    );
    // And the seats in use (migration 0033): the activation holds one of
    // Acme's five (checked against a fresh count of the rows too).
    assert_eq!(
        srv.seats(admin, "cus_c").await,
        serde_json::json!([5, 0, 1, 4])
    );
    // A search by a part of its licensee's name finds the licence (the
    // search's index is filled from the rows already there: 0030, 0046).
    let found = srv.items("/v1/licenses?licensee=CME", admin).await;
    assert_eq!(
        found.iter().map(|l| &l["id"]).collect::<Vec<_>>(),
        [&Value::from("lic_1")]
    );
    // The notice subscription is the vendor root's.
    let subs = srv.items("/v1/notice-subscriptions", admin).await;
    assert_eq!((subs.len(), &subs[0]["customer_id"]), (1, &Value::Null));
    srv.stop().await;
}

support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    story => a_previous_database_migrates_without_loss_on_sqlite, a_previous_database_migrates_without_loss_on_postgres
}
