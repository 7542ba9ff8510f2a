//! The in-process ceiling for `scripts/load-bench.sh`: sign one license and
//! insert one row durably (its own transaction, SQLite WAL), in a loop —
//! what one activation cannot do faster than. Prints the rate; asserts no
//! time. Run with `cargo test --release -p licentia-server --test
//! ceiling -- --ignored --nocapture`; `LICENTIA_SQLITE_SYNCHRONOUS`
//! chooses `full` (default) or `normal`, as for the server.

use std::time::Instant;

use licentia::{Fingerprint, Issuer, LicenseBody, MatchRule, SigningKey, Timestamp};
use sqlx::Executor;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement, run by scripts/load-bench.sh"]
async fn sign_and_durable_insert_ceiling() {
    let synchronous =
        std::env::var("LICENTIA_SQLITE_SYNCHRONOUS").unwrap_or_else(|_| "full".into());
    let dir = tempfile::tempdir().unwrap();
    sqlx::any::install_default_drivers();
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("ceiling.db").display()
    );
    let pool = sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .connect(&url)
        .await
        .unwrap();
    pool.execute("PRAGMA journal_mode = WAL").await.unwrap();
    pool.execute(format!("PRAGMA synchronous = {synchronous}").as_str())
        .await
        .unwrap();
    pool.execute("CREATE TABLE files (id TEXT PRIMARY KEY, file TEXT NOT NULL)")
        .await
        .unwrap();
    let issuer = Issuer::new(SigningKey::generate());
    let n = 5_000;
    let start = Instant::now();
    for i in 0..n {
        let machine = Fingerprint::builder("bench")
            .vendor("serial", &i.to_string())
            .build()
            .unwrap();
        let body = LicenseBody::builder("bench", "Bench")
            .issued_at(Timestamp::now())
            .node_locked(vec![machine], MatchRule::All)
            .build()
            .unwrap();
        let file = issuer.issue(&body).unwrap().to_armor();
        let mut tx = pool.begin().await.unwrap();
        sqlx::query("INSERT INTO files (id, file) VALUES ($1, $2)")
            .bind(body.id.to_string())
            .bind(file)
            .execute(&mut *tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
    let rate = f64::from(n) / start.elapsed().as_secs_f64();
    println!("CEILING sign+durable-insert (synchronous={synchronous}): {rate:.0}/s");
}
