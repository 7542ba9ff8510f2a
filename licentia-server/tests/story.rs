//! The back office end to end, over a real socket on SQLite and (when
//! `LICENTIA_TEST_POSTGRES` is set) PostgreSQL — issue 5's story: a partner
//! buys 100 seats and allocates 60/40 to two customers; one customer's site
//! activates machines until it is refused; a subscription's notices fire at
//! 90, 30 and 7 days and reach a signed webhook once each; the subscription
//! renews (once, however often the job runs); the reports show all of it.

mod support;

use chrono::{Days, NaiveDate};
use serde_json::{json, Value};
use support::{
    find, hmac_hex, items, node, s, signature_parts, texts, webhook_receiver, written, Backend,
    Server,
};

/// Allocates `seats` of `product` to `node`, asserting it is done.
async fn allocate(srv: &Server, token: &str, node: &str, product: &str, seats: u32) {
    let (status, body) = srv.allocate(token, node, product, seats).await;
    assert_eq!(status, 200, "allocate {seats} to {node}: {body}");
}

/// Runs the jobs for `day`; returns how many notifications they wrote.
async fn run_jobs(srv: &Server, day: NaiveDate) -> u64 {
    written(&srv.run_jobs(day).await)
}

/// The notices about `subject`, as (kind, lead days), sorted.
async fn notices_of(srv: &Server, subject: &str) -> Vec<(String, i64)> {
    let notices = srv.notices_of(subject).await;
    notices.into_iter().map(|(k, lead, _)| (k, lead)).collect()
}

/// The seats of `product` at one node of the seats report: allocated,
/// given, used, free.
fn seats_at(report: &Value, node: &str, product: &str) -> [i64; 4] {
    let n = find(&report["items"], |n| n["customer_id"] == node);
    let a = find(&n["allocations"], |a| a["product_id"] == product);
    ["allocated", "given", "used", "free"].map(|k| a[k].as_i64().unwrap())
}

async fn story(backend: Backend) {
    let (hook, seen) = webhook_receiver(false).await;
    let srv = Server::start(backend).await;
    let [issuer, finance, auditor] = srv.tokens(["issuer", "finance", "auditor"]).await;
    let (product, policy) = srv
        .product_and_policy(
            &issuer,
            "story-cad",
            json!({"name": "workstation", "binding": "node-locked", "seats": 50}),
        )
        .await;
    let plan = srv
        .plan(&issuer, json!({"name": "Business", "policy_id": policy}))
        .await;

    // A partner buys 100 seats; the lot is its allocation.
    let partner = node(&srv, &issuer, "partner", "Northwind Partners", None).await;
    let alpha = node(&srv, &issuer, "customer", "Alpha GmbH", Some(&partner)).await;
    let beta = node(&srv, &issuer, "customer", "Beta SA", Some(&partner)).await;
    let berlin = node(&srv, &issuer, "site", "Alpha Berlin", Some(&alpha)).await;
    let lot = srv
        .post_ok(
            "/v1/purchases",
            &finance,
            json!({
                "customer_id": partner, "product_id": "story-cad", "quantity": 100,
                "serial": "REG-100", "version": "2030.1",
                "purchased_on": "2029-12-15", "renews_on": "2030-12-15",
                "cost": "49900.00", "currency": "EUR",
                "po_number": "PO-1", "invoice_number": "INV-1",
            }),
            201,
        )
        .await;
    let lot = s(&lot["id"]);

    // 60/40 to the two customers (and 60 of the lot re-billed to Alpha);
    // Alpha gives its Berlin site 5.
    allocate(&srv, &finance, &alpha, &product, 60).await;
    allocate(&srv, &finance, &beta, &product, 40).await;
    allocate(&srv, &finance, &berlin, &product, 5).await;
    srv.post_ok(
        &format!("/v1/purchases/{lot}/rebillings"),
        &finance,
        json!({"customer_id": alpha, "quantity": 60, "invoice_number": "RB-1"}),
        201,
    )
    .await;

    // The site activates machines until its allocation refuses.
    let site_license = srv
        .license_for(&issuer, &policy, "Alpha Berlin", &berlin)
        .await;
    let key = s(&site_license["license_key"]);
    let mut refused = None;
    for n in 0..10 {
        let platform = if n % 2 == 0 {
            "linux-x86_64"
        } else {
            "windows-x86_64"
        };
        let (status, body) = srv.activate(&key, "story-cad", n, platform).await;
        if status == 409 {
            refused = Some((n, body));
            break;
        }
        assert_eq!(status, 201, "machine {n}: {body}");
    }
    let (n, problem) = refused.expect("the site's allocation refuses a sixth machine");
    assert_eq!(n, 5, "five machines fit in five seats");
    assert!(
        s(&problem["type"]).ends_with("allocation_exhausted"),
        "{problem}"
    );
    assert_eq!(
        (&problem["allocated"], &problem["used"]),
        (&json!(5), &json!(5))
    );

    // Alpha subscribes to the Business plan for a prepaid year.
    let subscription = srv
        .post_ok(
            "/v1/subscriptions",
            &finance,
            json!({
                "customer_id": alpha, "plan_id": plan, "seats": 10,
                "billing": "prepaid_1y", "interval": "monthly", "start": "2030-01-01",
                "renewal": "always", "notice": "3 months before term end",
            }),
            201,
        )
        .await;
    let sub = s(&subscription["subscription"]["id"]);
    let sub_license = s(&subscription["subscription"]["license_ids"][0]);
    let view = srv.get(&format!("/v1/subscriptions/{sub}"), &auditor).await;
    assert_eq!(view["term_end"], "2030-12-31", "{view}");
    assert_eq!(view["last_day_to_cancel"], "2030-09-30", "{view}");

    // Finance's webhook hears of subscriptions ending and renewing.
    let hooked = srv
        .post_ok(
            "/v1/notice-subscriptions",
            &srv.admin.clone(),
            json!({"kinds": ["subscription.renewing", "subscription.renewed"], "webhook_url": hook}),
            201,
        )
        .await;
    let secret = s(&hooked["secret"]);

    // The job runs daily; the term's end is announced 90, 30 and 7 days
    // before, and nothing in between.
    let end: NaiveDate = "2030-12-31".parse().unwrap();
    let renewing = |leads: &[i64]| -> Vec<(String, i64)> {
        let mut v: Vec<(String, i64)> = leads
            .iter()
            .map(|l| ("subscription.renewing".to_owned(), *l))
            .collect();
        v.sort();
        v
    };
    let mut announced = Vec::new();
    for lead in [91, 90, 89, 31, 30, 8, 7, 6] {
        let day = end - Days::new(lead);
        run_jobs(&srv, day).await;
        if [90, 30, 7].contains(&lead) {
            announced.push(lead as i64);
        }
        let kinds: Vec<(String, i64)> = notices_of(&srv, &sub)
            .await
            .into_iter()
            .filter(|n| n.0 == "subscription.renewing")
            .collect();
        assert_eq!(kinds, renewing(&announced), "after the run of {day}");
    }

    // The term ends; the next day's run renews it, and running that day
    // again changes nothing.
    let renewal_day = end + Days::new(1);
    assert!(run_jobs(&srv, renewal_day).await > 0);
    assert_eq!(
        run_jobs(&srv, renewal_day).await,
        0,
        "the job is idempotent"
    );
    let view = srv.get(&format!("/v1/subscriptions/{sub}"), &auditor).await;
    assert_eq!(view["term_end"], "2031-12-31", "{view}");
    assert!(notices_of(&srv, &sub)
        .await
        .contains(&("subscription.renewed".to_owned(), 0)));
    let renewed = srv
        .get(&format!("/v1/licenses/{sub_license}"), &auditor)
        .await;
    assert_eq!(
        day_of(renewed["expires_at"].as_i64().unwrap()),
        "2032-01-01",
        "the license now runs to the end of 31 Dec 2031 (UTC): {renewed}"
    );

    // The webhook saw each of the four notices once, each signed.
    let seen = seen.lock().unwrap().clone();
    let mut ids: Vec<&str> = seen.iter().map(|d| d.2.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(
        seen.len(),
        4,
        "three announcements of the term end and one renewal"
    );
    assert_eq!(ids.len(), 4, "each notification once");
    for (status, signature, _, body) in &seen {
        assert_eq!(*status, 200);
        let (t, v1) = signature_parts(signature);
        assert_eq!(v1, hmac_hex(&secret, t, body), "a valid signature");
    }

    // The reports show it all.
    let seats = srv
        .get(
            &format!("/v1/reports/seats?customer_id={partner}"),
            &auditor,
        )
        .await;
    assert_eq!(seats_at(&seats, &partner, &product), [100, 100, 0, 0]);
    assert_eq!(seats_at(&seats, &alpha, &product), [60, 5, 0, 55]);
    assert_eq!(seats_at(&seats, &beta, &product), [40, 0, 0, 40]);
    assert_eq!(seats_at(&seats, &berlin, &product), [5, 0, 5, 0]);

    let renewals = srv
        .get(
            "/v1/reports/renewals?within_days=3660&group_by=plan",
            &auditor,
        )
        .await;
    let business = find(&renewals["groups"], |g| g["group"] == "Business");
    assert!(
        items(business)
            .iter()
            .any(|i| i["id"] == sub_license.as_str()),
        "the subscription's license is up for renewal: {business}"
    );

    let platforms = srv.get("/v1/reports/platforms", &auditor).await;
    let active: Vec<(String, i64)> = items(&platforms)
        .iter()
        .map(|p| (s(&p["platform"]), p["active"].as_i64().unwrap()))
        .collect();
    assert_eq!(
        active,
        [
            ("linux-x86_64".to_owned(), 3),
            ("windows-x86_64".to_owned(), 2)
        ]
    );

    let models = srv.get("/v1/reports/license-models", &auditor).await;
    let node_locked = items(&models)
        .iter()
        .find(|m| m["binding"] == "node-locked")
        .unwrap_or_else(|| panic!("{models}"));
    assert_eq!(
        node_locked["licenses"], 2,
        "the site's and the subscription's"
    );

    let delay = srv.get("/v1/reports/activation-delay", &auditor).await;
    assert_eq!(delay["overall"]["activated"], 1, "{delay}");

    let history = srv
        .get(&format!("/v1/reports/customers/{alpha}/history"), &auditor)
        .await;
    let ops = texts(&history["events"], "operation");
    for op in [
        "customer.allocation",
        "subscription.create",
        "subscription.renew",
        "license.renew",
    ] {
        assert!(ops.iter().any(|o| o == op), "{op} missing from {ops:?}");
    }
    srv.stop().await;
}

/// The calendar day (UTC) of a Unix time.
fn day_of(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix, 0)
        .unwrap()
        .date_naive()
        .to_string()
}

support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread")]
    story => story_sqlite, story_postgres
}
