//! Notice preferences per person (Octopus: each user subscribes to the
//! events it wants, with its own lead time in months): mailed to the
//! account's address, about what lies within its grants, at its months
//! before the date — on SQLite, and on PostgreSQL when
//! `LICENTIA_TEST_POSTGRES` is set.

mod support;

use serde_json::{json, Value};
use support::{node, s, Backend, Server};

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
    let policy = srv
        .policy(
            &admin,
            "contracts",
            json!({"name": "yearly", "binding": "unbound"}),
        )
        .await;
    let partner = node(&srv, &admin, "partner", "Octopus", None).await;
    let customer = node(&srv, &admin, "customer", "Acme", Some(&partner)).await;
    let other = node(&srv, &admin, "partner", "Elsewhere", None).await;
    let stranger = node(&srv, &admin, "customer", "Far", Some(&other)).await;
    let mut licenses = Vec::new();
    for c in [&customer, &stranger] {
        let made = srv
            .post_ok(
                "/v1/licenses",
                &admin,
                json!({"policy_id": policy, "licensee": "x", "customer_id": c, "expires": "2030-04-01"}),
                201,
            )
            .await;
        licenses.push(s(&made["license"]["id"]));
    }
    // The vendor's own e-mail subscription, at the configured lead times.
    let ops = srv
        .post_ok(
            "/v1/notice-subscriptions",
            &admin,
            json!({"kinds": ["license.expiring"], "email": "ops@vendor.test"}),
            201,
        )
        .await;
    let ops = s(&ops["subscription"]["id"]);

    // Olga, at Octopus, wants contracts expiring two months ahead.
    let olga = srv
        .person(
            "Olga",
            "olga@octopus.test",
            json!([{"role": "auditor", "customer_id": partner}]),
        )
        .await;
    let (cookie, csrf) = (olga.cookie, olga.csrf);
    let headers = [("cookie", cookie.as_str()), ("x-csrf-token", csrf.as_str())];
    let put = |items: Value| {
        let srv = &srv;
        async move {
            srv.call_at(
                &srv.base,
                "PUT",
                "/v1/session/notice-preferences",
                None,
                Some(json!({"items": items})),
                &headers,
            )
            .await
        }
    };
    for bad in [
        json!([{"kind": "license.expiring", "lead_months": 0}]),
        json!([{"kind": "nothing.happens", "lead_months": 2}]),
        json!([{"kind": "license.expiring", "lead_months": 2}, {"kind": "license.expiring", "lead_months": 2}]),
    ] {
        assert_eq!(put(bad.clone()).await.0, 422, "{bad}");
    }
    let (status, _) = srv
        .call(
            "PUT",
            "/v1/session/notice-preferences",
            Some(&admin),
            Some(json!({"items": []})),
        )
        .await;
    assert_eq!(status, 422, "a token is no person");
    let (status, set) = put(json!([{"kind": "license.expiring", "lead_months": 2}])).await;
    assert_eq!(status, 200, "{set}");
    let mine = &set["items"][0];
    assert_eq!(
        (mine["lead_months"].as_i64(), mine["email"].as_str()),
        (Some(2), Some("olga@octopus.test"))
    );
    assert_eq!(mine["customer_id"], json!(partner));
    let (_, got) = srv
        .call_at(
            &srv.base,
            "GET",
            "/v1/session/notice-preferences",
            None,
            None,
            &headers,
        )
        .await;
    assert_eq!(got["items"].as_array().unwrap().len(), 1);
    let olga = s(&mine["id"]);

    // Two months before the last day (2030-03-31): Olga hears of Acme's
    // license (59 days ahead), not of the other partner's; the vendor's
    // subscription hears of the configured 90 days only.
    let report = srv
        .post_ok("/v1/jobs/run", &admin, json!({"date": "2030-01-31"}), 200)
        .await;
    assert_eq!(report["written"]["license.expiring"], 4, "{report}");
    let notices = srv.items("/v1/notifications?limit=500", &admin).await;
    let to = |license: &str, lead: i64| {
        let n = notices
            .iter()
            .find(|n| n["subject"] == license && n["lead_days"] == lead)
            .unwrap_or_else(|| panic!("no {lead}-day notice of {license}: {notices:?}"));
        let id = s(&n["id"]);
        let srv = &srv;
        let admin = admin.clone();
        async move {
            let d = srv
                .get(&format!("/v1/notifications/{id}/deliveries"), &admin)
                .await;
            let mut subs: Vec<String> = d["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| s(&d["subscription_id"]))
                .collect();
            subs.sort();
            subs
        }
    };
    assert_eq!(to(&licenses[0], 59).await, vec![olga.clone()]);
    assert_eq!(to(&licenses[1], 59).await, Vec::<String>::new());
    assert_eq!(to(&licenses[0], 90).await, vec![ops.clone()]);
    assert_eq!(to(&licenses[1], 90).await, vec![ops.clone()]);

    // Preferences replaced: none now.
    let (status, none) = put(json!([])).await;
    assert_eq!((status, none["items"].as_array().unwrap().len()), (200, 0));
    srv.stop().await;
}

support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    story => notice_preferences_on_sqlite, notice_preferences_on_postgres
}
