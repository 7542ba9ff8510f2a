//! Jobs and notices, over a real socket on SQLite and (when
//! `LICENTIA_TEST_POSTGRES` is set) PostgreSQL: the 90/30/7-day notices of an
//! expiring license fire on their days and once only (a second run, or two
//! instances at once, write nothing more); a webhook receiver that fails its
//! first request still gets every notification exactly once, each with a
//! valid signature, the failure and its backoff in the delivery log; an SMTP
//! receiver gets the e-mail notices; roles and bad input; `licentia jobs run
//! --now` through the binary.

mod support;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use chrono::{Days, NaiveDate};
use licentia::Timestamp;
use licentia_server::{delivery, jobs, AppState};
use serde_json::{json, Value};
use support::{
    each, hmac_hex, items, node, s, signature_parts, webhook_receiver, written, Backend, Server,
};

fn date(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

/// A tiny SMTP receiver on 127.0.0.1:0: accepts every message; returns its
/// port and the (recipient, message) pairs it got.
async fn smtp_receiver() -> (u16, Arc<Mutex<Vec<(String, String)>>>) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let got: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let log = got.clone();
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            let log = log.clone();
            tokio::spawn(async move {
                let (read, mut write) = stream.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 test ESMTP\r\n").await.unwrap();
                let mut to = String::new();
                while let Ok(Some(line)) = lines.next_line().await {
                    let reply: &[u8] = if line.starts_with("EHLO") {
                        b"250-test\r\n250 OK\r\n"
                    } else if let Some(rcpt) = line.strip_prefix("RCPT TO:") {
                        to = rcpt.trim_matches(['<', '>']).to_owned();
                        b"250 OK\r\n"
                    } else if line == "DATA" {
                        write.write_all(b"354 go on\r\n").await.unwrap();
                        let mut message = String::new();
                        while let Ok(Some(line)) = lines.next_line().await {
                            if line == "." {
                                break;
                            }
                            message.push_str(&line);
                            message.push('\n');
                        }
                        log.lock().unwrap().push((to.clone(), message));
                        b"250 queued\r\n"
                    } else if line == "QUIT" {
                        let _ = write.write_all(b"221 bye\r\n").await;
                        return;
                    } else {
                        b"250 OK\r\n"
                    };
                    write.write_all(reply).await.unwrap();
                }
            });
        }
    });
    (port, got)
}

/// A server whose e-mail notices go to a test SMTP receiver.
async fn start(backend: Backend, smtp_port: u16) -> Server {
    Server::start_configured(backend, |config| {
        config.smtp_host = Some("127.0.0.1".into());
        config.smtp_port = smtp_port;
        config.smtp_from = Some("licentia@example.com".into());
        // This receiver speaks plain SMTP; tests/mail.rs tries TLS and AUTH.
        config.smtp_tls = licentia_server::config::SmtpTls::None;
    })
    .await
}

/// How many records the list at `path` (with a query already) holds, up to 500.
async fn count(srv: &Server, path: &str) -> usize {
    srv.items(&format!("{path}&limit=500"), &srv.admin)
        .await
        .len()
}

async fn story(backend: Backend) {
    let (hook, seen) = webhook_receiver(true).await;
    let (smtp_port, mails) = smtp_receiver().await;
    let srv = start(backend, smtp_port).await;
    let admin = srv.admin.clone();
    let [issuer, finance, auditor] = srv.tokens(["issuer", "finance", "auditor"]).await;

    // A webhook subscription: its secret is shown once, and a retry with
    // the same Idempotency-Key gets the same answer.
    let body = json!({"kinds": ["license.expiring"], "webhook_url": hook});
    let subscribe = |body| srv.post_keyed("/v1/notice-subscriptions", &admin, body, "hook-1");
    let (status, created) = subscribe(body.clone()).await;
    assert_eq!(status, 201, "{created}");
    let secret = s(&created["secret"]);
    assert!(secret.starts_with("whsec_"));
    let hook_id = s(&created["subscription"]["id"]);
    let (status, again) = subscribe(body).await;
    assert_eq!((status, &again), (201, &created));
    let listed = srv.get("/v1/notice-subscriptions", &admin).await;
    assert_eq!(items(&listed).len(), 1);
    assert!(
        !listed.to_string().contains(&secret),
        "the secret is shown once only"
    );

    // Roles: finance subscribes for itself (by e-mail), not for others.
    let mail = json!({"kinds": ["license.expiring", "invoice.due"], "email": "billing@example.com", "role": "finance"});
    let created = srv
        .post_ok("/v1/notice-subscriptions", &finance, mail.clone(), 201)
        .await;
    assert!(created["secret"].is_null(), "{created}");
    let mail_id = s(&created["subscription"]["id"]);
    let mut unscoped = mail.clone();
    unscoped.as_object_mut().unwrap().remove("role");
    for (token, body) in [
        (&finance, unscoped),
        (&auditor, mail.clone()),
        (&issuer, mail),
    ] {
        let (status, _) = srv
            .call("POST", "/v1/notice-subscriptions", Some(token), Some(body))
            .await;
        assert_eq!(status, 403);
    }
    let mine = srv.get("/v1/notice-subscriptions", &finance).await;
    let ids: Vec<String> = items(&mine).iter().map(|i| s(&i["id"])).collect();
    assert_eq!(ids, std::slice::from_ref(&mail_id));
    let all = srv.get("/v1/notice-subscriptions", &admin).await;
    assert_eq!(items(&all).len(), 2);
    let (status, _) = srv
        .call(
            "DELETE",
            &format!("/v1/notice-subscriptions/{hook_id}"),
            Some(&finance),
            None,
        )
        .await;
    assert_eq!(status, 403);
    let (status, _) = srv
        .call("POST", "/v1/jobs/run", Some(&finance), Some(json!({})))
        .await;
    assert_eq!(status, 403);
    let (status, _) = srv.call("GET", "/v1/notifications", None, None).await;
    assert_eq!(status, 401);

    // Bad input: 4xx with a problem document, never a 500.
    for bad in [
        json!({"kinds": [], "webhook_url": hook}),
        json!({"kinds": ["license.expired"], "webhook_url": hook}),
        json!({"kinds": ["license.expiring", "license.expiring"], "webhook_url": hook}),
        json!({"kinds": ["license.expiring"]}),
        json!({"kinds": ["license.expiring"], "webhook_url": hook, "email": "a@example.com"}),
        json!({"kinds": ["license.expiring"], "webhook_url": "https://"}),
        json!({"kinds": ["license.expiring"], "webhook_url": "ftp://hooks.example/x"}),
        json!({"kinds": ["license.expiring"], "webhook_url": "not a url"}),
        // A credential in the authority would be sent as the Host header.
        json!({"kinds": ["license.expiring"], "webhook_url": "http://user:pw@hooks.example/x"}),
        json!({"kinds": ["license.expiring"], "email": "no-at-sign"}),
        json!({"kinds": ["license.expiring"], "email": "a@b.c\r\nBcc: x@y.z"}),
        json!({"kinds": ["license.expiring"], "webhook_url": hook, "role": "owner"}),
        json!({"kinds": "license.expiring", "webhook_url": hook}),
        json!({"kinds": ["license.expiring"], "webhook_url": hook, "colour": "red"}),
    ] {
        let (status, problem) = srv
            .call(
                "POST",
                "/v1/notice-subscriptions",
                Some(&admin),
                Some(bad.clone()),
            )
            .await;
        assert_eq!(status, 422, "{bad} gave {problem}");
    }
    let run = |body: Value| {
        (
            "POST",
            "/v1/jobs/run",
            Some(admin.as_str()),
            Some(body),
            422,
        )
    };
    srv.answers(vec![
        run(json!({"date": "2030-02-30"})),
        run(json!({"date": "tomorrow"})),
        run(json!({"day": "2030-01-01"})),
        (
            "DELETE",
            "/v1/notice-subscriptions/nsb_nope",
            Some(&admin),
            None,
            404,
        ),
        (
            "GET",
            "/v1/notifications/ntf_nope/deliveries",
            Some(&admin),
            None,
            404,
        ),
    ])
    .await;

    // Two licenses: one valid through 2030-03-31, one three months longer.
    let policy = srv
        .policy(
            &issuer,
            "notices-cad",
            json!({"name": "yearly", "binding": "unbound"}),
        )
        .await;
    let mut licenses = Vec::new();
    for (n, expires) in ["2030-04-01", "2030-07-01"].into_iter().enumerate() {
        let body = json!({"policy_id": policy, "licensee": "Jane Doe", "expires": expires});
        let (status, v) = srv
            .post_keyed("/v1/licenses", &srv.admin, body, &format!("issue-{n}"))
            .await;
        assert_eq!(status, 201, "{v}");
        licenses.push(s(&v["license"]["id"]));
    }
    let last_day = date("2030-03-31");
    let lead = |days: u64| last_day.checked_sub_days(Days::new(days)).unwrap();

    // The day before the 90-day notice: nothing due. The first run also
    // purges the idempotency answers older than a week before its day.
    let report = srv.run_jobs(lead(91)).await;
    assert_eq!(written(&report), 0, "{report}");
    assert!(
        report["idempotency_purged"].as_u64().unwrap() >= 3,
        "{report}"
    );

    // 90 days before: the notice is written and its first delivery fails.
    let report = srv.run_jobs(lead(90)).await;
    assert_eq!(
        report["written"],
        json!({"license.expiring": 1}),
        "{report}"
    );
    assert_eq!(report["deliveries"]["retrying"], 1, "{report}");
    assert_eq!(report["deliveries"]["delivered"], 1, "the e-mail: {report}");
    let history = count(&srv, "/v1/history?operation=notice.create").await;
    assert_eq!(history, 1);

    // The same day again, and two instances at once: nothing more.
    let report = srv.run_jobs(lead(90)).await;
    assert_eq!(
        (written(&report), report["already_written"].as_u64()),
        (0, Some(1)),
        "{report}"
    );
    assert_eq!(report["idempotency_purged"], 0, "{report}");
    // Two more instances' worth of jobs, on the same database.
    let (one, two) = (
        AppState::open(&srv.config).await.unwrap(),
        AppState::open(&srv.config).await.unwrap(),
    );
    let (a, b) = tokio::join!(
        jobs::run(&one, lead(90), "test"),
        jobs::run(&two, lead(90), "test")
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.written.len() + b.written.len(), 0, "{a} / {b}");
    assert_eq!(
        count(&srv, "/v1/notifications?kind=license.expiring").await,
        1
    );
    assert_eq!(
        count(&srv, "/v1/history?operation=notice.create").await,
        history
    );

    // The failed delivery is in the log, with its backoff; it is retried
    // when due, and succeeds.
    let page = srv.get("/v1/notifications", &auditor).await;
    let first = page["items"][0].clone();
    assert_eq!(
        (s(&first["subject"]), first["lead_days"].as_i64()),
        (licenses[0].clone(), Some(90))
    );
    assert_eq!(s(&first["due_on"]), "2030-03-31");
    let path = format!("/v1/notifications/{}/deliveries", s(&first["id"]));
    let log = srv.get(&path, &auditor).await;
    let by_sub = |log: &Value, id: &str| -> Value {
        items(log)
            .iter()
            .find(|d| d["subscription_id"] == json!(id))
            .unwrap()
            .clone()
    };
    let hook_delivery = by_sub(&log, &hook_id);
    assert_eq!(s(&hook_delivery["status"]), "pending");
    assert_eq!(hook_delivery["last_status"], 500);
    let failed = &hook_delivery["log"][0];
    let retry_at = failed["next_attempt_at"].as_i64().unwrap();
    assert_eq!(
        retry_at,
        failed["at"].as_i64().unwrap() + srv.config.delivery_backoff_secs as i64
    );
    assert_eq!(s(&by_sub(&log, &mail_id)["status"]), "delivered");
    // Not due yet: nothing is attempted.
    let early = delivery::deliver(&one, Timestamp(retry_at - 1))
        .await
        .unwrap();
    assert_eq!(early.delivered + early.retrying + early.failed, 0);
    // Two instances' delivery passes at once: the claim lets one attempt it.
    let (a, b) = tokio::join!(
        delivery::deliver(&one, Timestamp(retry_at)),
        delivery::deliver(&two, Timestamp(retry_at))
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!((a.delivered + b.delivered, a.retrying + b.retrying), (1, 0));
    let log = srv.get(&path, &auditor).await;
    let hook_delivery = by_sub(&log, &hook_id);
    assert_eq!(s(&hook_delivery["status"]), "delivered");
    assert_eq!(hook_delivery["attempts"], 2);
    let attempts = each(&hook_delivery["log"], |a| {
        (a["attempt"].clone(), a["status_code"].clone())
    });
    assert_eq!(attempts, [(json!(1), json!(500)), (json!(2), json!(200))]);
    assert_eq!(hook_delivery["log"][1]["at"], retry_at);

    // 30 and 7 days before, and on the last day: one notice each day, for
    // the first license only; after its end, none more for it. The day
    // after is the second license's 90-day notice.
    for (day, want) in [
        (lead(31), 0),
        (lead(30), 1),
        (lead(8), 0),
        (lead(7), 1),
        (last_day, 0),
        (date("2030-04-01"), 1),
    ] {
        let report = srv.run_jobs(day).await;
        assert_eq!(written(&report), want, "{day}: {report}");
        if want == 1 {
            assert_eq!(report["deliveries"]["delivered"], 2, "{day}: {report}");
        }
    }
    let leads_of = |page: &Value| {
        let mut leads: Vec<i64> = items(page)
            .iter()
            .map(|n| n["lead_days"].as_i64().unwrap())
            .collect();
        leads.sort_unstable();
        leads
    };
    let page = srv
        .get(
            &format!("/v1/notifications?subject={}", licenses[0]),
            &admin,
        )
        .await;
    assert_eq!(leads_of(&page), [7, 30, 90]);
    // A run that catches up on missed days writes every lead time already
    // reached that was not written yet, each once.
    let report = srv.run_jobs(date("2030-06-24")).await;
    assert_eq!(written(&report), 2, "{report}");
    let page = srv
        .get(
            &format!("/v1/notifications?subject={}", licenses[1]),
            &admin,
        )
        .await;
    assert_eq!(leads_of(&page), [7, 30, 90]);
    assert_eq!(
        count(&srv, "/v1/notifications?kind=license.expiring").await,
        6
    );

    // The receiver saw every notification exactly once with a 200 (and one
    // failed request), each validly signed, the header naming the body's id.
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 7, "6 notifications and one failure");
    let mut delivered: BTreeMap<String, usize> = BTreeMap::new();
    for (status, signature, id, body) in &seen {
        let (t, v1) = signature_parts(signature);
        assert_eq!(&hmac_hex(&secret, t, body), v1, "a valid signature");
        assert!(delivery::verify_signature(
            secret.as_bytes(),
            signature,
            body,
            t.parse().unwrap(),
            0
        ));
        assert!(!delivery::verify_signature(
            b"whsec_other",
            signature,
            body,
            t.parse().unwrap(),
            0
        ));
        let notification: Value = serde_json::from_str(body).unwrap();
        assert_eq!(&s(&notification["id"]), id);
        assert_eq!(s(&notification["kind"]), "license.expiring");
        if *status == 200 {
            *delivered.entry(id.clone()).or_default() += 1;
        }
    }
    assert_eq!(delivered.len(), 6);
    assert!(delivered.values().all(|&n| n == 1), "{delivered:?}");

    // The e-mails: one per notification, to the finance address.
    let mails = mails.lock().unwrap().clone();
    assert_eq!(mails.len(), 6);
    for id in delivered.keys() {
        let found: Vec<_> = mails
            .iter()
            .filter(|(_, m)| m.contains(id.as_str()))
            .collect();
        assert_eq!(found.len(), 1, "{id}");
        assert_eq!(found[0].0, "billing@example.com");
        assert!(found[0].1.contains("Subject: [licentia] license.expiring"));
    }

    // A deleted subscription gets nothing more; the finance role deletes its own.
    let (status, _) = srv
        .call(
            "DELETE",
            &format!("/v1/notice-subscriptions/{mail_id}"),
            Some(&finance),
            None,
        )
        .await;
    assert_eq!(status, 200);
    let left = srv.get("/v1/notice-subscriptions", &admin).await;
    assert_eq!(items(&left).len(), 1);
    let (status, _) = srv
        .call(
            "DELETE",
            &format!("/v1/notice-subscriptions/{mail_id}"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(status, 404);
    srv.stop().await;
}

support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    story => notices_sqlite, notices_postgres
}

/// With `jobs_interval_secs` set, `licentia serve` runs the jobs itself:
/// a license expiring within a week gets its notices without any call.
async fn periodic(backend: Backend) {
    let srv = Server::start_configured(backend, |config| config.jobs_interval_secs = 1).await;
    let issuer = srv.token("issuer").await;
    let policy = srv
        .policy(
            &issuer,
            "tick-cad",
            json!({"name": "trial", "binding": "unbound", "duration_days": 5}),
        )
        .await;
    let (license, _) = srv.issue(&srv.admin, &policy).await;
    // Polled with a deadline: the assertion is on what is written, not when.
    let path = format!("/v1/notifications?subject={license}");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let leads = loop {
        let page = srv.get(&path, &srv.admin).await;
        let items = items(&page);
        if items.len() == 3 || std::time::Instant::now() > deadline {
            let mut leads: Vec<i64> = items
                .iter()
                .map(|n| n["lead_days"].as_i64().unwrap())
                .collect();
            leads.sort_unstable();
            break leads;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    assert_eq!(leads, [7, 30, 90]);
    let history = srv
        .get("/v1/history?operation=notice.create", &srv.admin)
        .await;
    assert_eq!(history["items"][0]["actor"], "system");
    srv.stop().await;
}

support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    periodic => serve_runs_the_jobs_sqlite, serve_runs_the_jobs_postgres
}

/// Subscriptions: the jobs renew a term that ended (once, however often
/// they run), end one that does not renew, and write the renewal, the
/// coming end, invoices and cancellation deadlines at their lead times.
async fn subscriptions(backend: Backend) {
    let srv = Server::start(backend).await;
    let issuer = srv.token("issuer").await;
    let policy = srv
        .policy(
            &issuer,
            "subs-notices",
            json!({"name": "sub", "binding": "unbound", "seats": 2}),
        )
        .await;
    let plan = srv
        .plan(&issuer, json!({"name": "Business", "policy_id": policy}))
        .await;
    let customer = node(&srv, &issuer, "customer", "Acme GmbH", None).await;
    let subscribe = |renewal: &str| {
        json!({
            "customer_id": customer, "plan_id": plan, "seats": 2,
            "billing": "prepaid_1y", "interval": "yearly", "start": "2030-01-01",
            "renewal": renewal, "notice": "1 month before term end",
        })
    };
    let renews = srv
        .post_ok("/v1/subscriptions", &issuer, subscribe("always"), 201)
        .await;
    let renews = s(&renews["subscription"]["id"]);
    let ends = srv
        .post_ok("/v1/subscriptions", &issuer, subscribe("none"), 201)
        .await;
    let ends = s(&ends["subscription"]["id"]);
    let of_kind = |all: &[(String, i64, String)], kind: &str| -> Vec<(i64, String)> {
        all.iter()
            .filter(|n| n.0 == kind)
            .map(|n| (n.1, n.2.clone()))
            .collect()
    };

    // 1 November: the last day to cancel (30 November) is 30 days away;
    // the next invoice (1 January) 61; the end of the one that does not
    // renew, 60.
    srv.run_jobs(date("2030-11-01")).await;
    let got = srv.notices_of(&renews).await;
    assert_eq!(
        of_kind(&got, "cancellation.deadline"),
        [(30, "2030-11-30".into()), (90, "2030-11-30".into())]
    );
    assert_eq!(of_kind(&got, "invoice.due"), [(90, "2031-01-01".into())]);
    assert!(of_kind(&got, "subscription.expiring").is_empty());
    let got = srv.notices_of(&ends).await;
    assert_eq!(
        of_kind(&got, "subscription.expiring"),
        [(90, "2030-12-31".into())]
    );
    srv.run_jobs(date("2030-12-01")).await;
    assert_eq!(
        of_kind(&srv.notices_of(&ends).await, "subscription.expiring"),
        [(30, "2030-12-31".into()), (90, "2030-12-31".into())]
    );

    // 1 January: the term that ended yesterday renews, once; the other
    // subscription ends.
    let report = srv.run_jobs(date("2031-01-01")).await;
    assert_eq!(report["renewed"], 1, "{report}");
    let got = srv.notices_of(&renews).await;
    assert_eq!(
        of_kind(&got, "subscription.renewed"),
        [(0, "2031-01-01".into())]
    );
    let sub = srv
        .get(&format!("/v1/subscriptions/{renews}"), &issuer)
        .await;
    assert_eq!(
        (s(&sub["term_start"]), s(&sub["term_end"])),
        ("2031-01-01".into(), "2031-12-31".into())
    );
    let sub = srv.get(&format!("/v1/subscriptions/{ends}"), &issuer).await;
    assert_eq!(s(&sub["status"]), "ended");
    let history = count(&srv, "/v1/history?operation=subscription.renew").await;
    let notices = count(&srv, "/v1/notifications?offset=0").await;
    let report = srv.run_jobs(date("2031-01-01")).await;
    assert_eq!(
        (report["renewed"].as_u64(), written(&report)),
        (Some(0), 0),
        "{report}"
    );
    assert_eq!(
        count(&srv, "/v1/history?operation=subscription.renew").await,
        history
    );
    assert_eq!(count(&srv, "/v1/notifications?offset=0").await, notices);
    srv.stop().await;
}

support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    subscriptions => subscriptions_sqlite, subscriptions_postgres
}

/// A webhook subscription deleted while one of its deliveries is being
/// attempted (the receiver deletes it, then fails): the failure does not
/// bring the cancelled delivery back, and nothing more is sent to the
/// deleted webhook.
async fn deleted_during_delivery(backend: Backend) {
    let srv = Server::start(backend).await;
    let subscription: Arc<Mutex<Option<String>>> = Arc::default();
    let hits = Arc::new(Mutex::new(0_usize));
    let app = {
        let (base, admin) = (srv.base.clone(), srv.admin.clone());
        let (subscription, hits) = (subscription.clone(), hits.clone());
        axum::Router::new().route(
            "/hook",
            axum::routing::post(move || async move {
                *hits.lock().unwrap() += 1;
                let id = subscription.lock().unwrap().clone().unwrap();
                // Deleted once; the deliveries attempted alongside find it gone.
                let status = reqwest::Client::new()
                    .delete(format!("{base}/v1/notice-subscriptions/{id}"))
                    .bearer_auth(&admin)
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16();
                assert!(status == 200 || status == 404, "{status}");
                axum::http::StatusCode::INTERNAL_SERVER_ERROR
            }),
        )
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let created = srv
        .post_ok(
            "/v1/notice-subscriptions",
            &srv.admin,
            json!({"kinds": ["license.expiring"], "webhook_url": hook}),
            201,
        )
        .await;
    *subscription.lock().unwrap() = Some(s(&created["subscription"]["id"]));

    let policy = srv
        .policy(
            &srv.admin,
            "gone",
            json!({"name": "p", "duration_days": 20}),
        )
        .await;
    let (license, _) = srv.issue(&srv.admin, &policy).await;
    let record = srv
        .get(&format!("/v1/licenses/{license}"), &srv.admin)
        .await;
    let last_day = Timestamp(record["expires_at"].as_i64().unwrap() - 1)
        .to_string()
        .get(..10)
        .map(date)
        .unwrap();
    let report = srv
        .run_jobs(last_day.checked_sub_days(Days::new(7)).unwrap())
        .await;
    assert!(written(&report) > 0, "{report}");
    let sent = *hits.lock().unwrap();
    assert!(sent > 0, "{report}");

    let notices = srv
        .get(&format!("/v1/notifications?subject={license}"), &srv.admin)
        .await;
    for n in items(&notices) {
        let path = format!("/v1/notifications/{}/deliveries", s(&n["id"]));
        let log = srv.get(&path, &srv.admin).await;
        for d in items(&log) {
            assert_eq!(s(&d["status"]), "cancelled", "{d}");
        }
    }
    // Long after every retry time: nothing is due, nothing is sent.
    let state = AppState::open(&srv.config).await.unwrap();
    let later = delivery::deliver(&state, Timestamp(Timestamp::now().0 + 30 * 86_400))
        .await
        .unwrap();
    assert_eq!(later.delivered + later.retrying + later.failed, 0);
    assert_eq!(*hits.lock().unwrap(), sent);
    srv.stop().await;
}

support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    deleted_during_delivery => deleted_during_delivery_sqlite, deleted_during_delivery_postgres
}

/// `POST /v1/jobs/run` for a day whose lead times or retention reach past
/// the calendar's ends (years 1 to 9999) is the caller's mistake: 422,
/// nothing written, not a 500.
async fn calendar_ends(backend: Backend) {
    let srv = Server::start(backend).await;
    for day in ["0001-01-01", "0001-01-07", "9999-12-31", "9999-10-15"] {
        let (status, problem) = srv
            .call(
                "POST",
                "/v1/jobs/run",
                Some(&srv.admin),
                Some(json!({ "date": day })),
            )
            .await;
        assert_eq!(status, 422, "{day}: {problem}");
        assert!(s(&problem["detail"]).contains("calendar"), "{problem}");
    }
    assert_eq!(count(&srv, "/v1/history?operation=notice.create").await, 0);
    // The nearest days that fit run.
    srv.run_jobs(date("0001-01-08")).await;
    srv.run_jobs(date("9999-10-02")).await;
    srv.stop().await;
}

support::on_both_backends! {
    #[tokio::test]
    calendar_ends => jobs_run_at_the_calendar_ends_sqlite, jobs_run_at_the_calendar_ends_postgres
}
