//! API tokens that expire: given a life at creation, refused with their own
//! code once it is over, on SQLite and PostgreSQL.

mod support;

use serde_json::json;
use support::{refused, s, Backend, Server};

/// Ends a token's life now, as the passing of its days would.
async fn expire(srv: &Server, token_id: &str) {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&srv.config.database_url())
        .await
        .unwrap();
    let ended = sqlx::query("UPDATE api_tokens SET expires_at = 1 WHERE id = $1")
        .bind(token_id)
        .execute(&pool)
        .await
        .unwrap()
        .rows_affected();
    assert_eq!(ended, 1);
    pool.close().await;
}

async fn story(backend: Backend) {
    let srv = Server::start(backend).await;
    let make = |body| srv.call("POST", "/v1/tokens", Some(&srv.admin), Some(body));

    // A life outside 1 to 3650 days is refused, and says the rule.
    for days in [0, 3651] {
        let body = json!({"name": "ci", "role": "auditor", "expires_in_days": days});
        let problem = refused(make(body).await, 422, "invalid");
        assert!(
            s(&problem["detail"]).contains("1 to 3650 days"),
            "{problem}"
        );
    }

    let (status, made) =
        make(json!({"name": "ci", "role": "auditor", "expires_in_days": 30})).await;
    assert_eq!(status, 201, "{made}");
    let record = &made["record"];
    let life = record["expires_at"].as_i64().unwrap() - record["created_at"].as_i64().unwrap();
    assert_eq!(life, 30 * 86_400);
    let expiring = s(&made["token"]);
    let (status, _) = srv.call("GET", "/v1/products", Some(&expiring), None).await;
    assert_eq!(status, 200);

    let (status, lasting) = make(json!({"name": "ops", "role": "auditor"})).await;
    assert_eq!(status, 201, "{lasting}");
    assert!(lasting["record"]["expires_at"].is_null());

    expire(&srv, &s(&record["id"])).await;
    let problem = refused(
        srv.call("GET", "/v1/products", Some(&expiring), None).await,
        401,
        "token_expired",
    );
    assert!(s(&problem["detail"]).contains("expired"), "{problem}");
    // A token without an expiry is not touched by another's.
    let (status, _) = srv
        .call("GET", "/v1/products", Some(&s(&lasting["token"])), None)
        .await;
    assert_eq!(status, 200);
}

support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    story => tokens_expire_sqlite, tokens_expire_postgres
}
