//! Subscriptions over a real socket on SQLite and (when
//! `LICENTIA_TEST_POSTGRES` is set) PostgreSQL: the dates a subscription
//! shows come from the billing calendar, a cycle change waits for the next
//! cycle, seats never go below those in use, cancelling after the last day
//! is refused, and a renewal extends the license (a new signed file or a
//! renewal token the core verifies) once per term, however many callers race.

mod support;

use chrono::{Datelike, Months, NaiveDate, Utc};
use licentia::Timestamp;
use serde_json::{json, Value};
use support::console::Console;
use support::{at_once, base_of, items, node, racing_seat_cuts, refused, s, Backend, Server};

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn text(d: NaiveDate) -> Value {
    json!(d.to_string())
}

/// The instant a license "expiring on" `d` (in UTC, the default zone) expires.
fn end_of(d: NaiveDate) -> i64 {
    Timestamp::parse(&d.succ_opt().unwrap().to_string())
        .unwrap()
        .0
}

/// The first day of this month, `back` months ago.
fn first_of_month(back: u32) -> NaiveDate {
    let today = Utc::now().date_naive();
    day(today.year(), today.month(), 1)
        .checked_sub_months(Months::new(back))
        .unwrap()
}

struct Setup {
    issuer: String,
    finance: String,
    auditor: String,
    plan: String,
    customer: String,
}

async fn setup(srv: &Server) -> Setup {
    let [issuer, finance, auditor] = srv.tokens(["issuer", "finance", "auditor"]).await;
    let policy = srv
        .policy(
            &issuer,
            "subs-cad",
            json!({"name": "sub", "binding": "unbound", "seats": 3, "entitlements": ["core"]}),
        )
        .await;
    let plan = srv
        .plan(
            &issuer,
            json!({"name": "Business", "policy_id": policy,
                   "options": [{"code": "cloud", "name": "Cloud", "entitlements": ["cloud=5"]}]}),
        )
        .await;
    let customer = node(srv, &issuer, "customer", "Acme GmbH", None).await;
    Setup {
        issuer,
        finance,
        auditor,
        plan,
        customer,
    }
}

impl Setup {
    /// A subscription body with these billing terms.
    fn body(
        &self,
        start: NaiveDate,
        billing: &str,
        interval: &str,
        renewal: &str,
        notice: &str,
    ) -> Value {
        json!({
            "customer_id": self.customer, "plan_id": self.plan, "seats": 3,
            "billing": billing, "interval": interval, "start": start.to_string(),
            "renewal": renewal, "notice": notice, "options": ["cloud"],
        })
    }

    /// Creates a subscription from `body` as the issuer: its answer.
    async fn create(&self, srv: &Server, body: Value) -> Value {
        srv.post_ok("/v1/subscriptions", &self.issuer, body, 201)
            .await
    }

    /// A prepaid year from `start`, invoiced yearly, that always renews
    /// (cancelled a month before its end at the latest).
    fn yearly(&self, start: NaiveDate) -> Value {
        let notice = "1 month before term end";
        self.body(start, "prepaid_1y", "yearly", "always", notice)
    }
}

async fn license(srv: &Server, token: &str, id: &str) -> Value {
    srv.get(&format!("/v1/licenses/{id}"), token).await
}

async fn story(backend: Backend) {
    let srv = Server::start(backend).await;
    let t = setup(&srv).await;
    let verifier = srv.verifier().await;

    // Roles: auditors read only.
    let leap = t.body(
        day(2028, 1, 31),
        "monthly",
        "monthly",
        "always",
        "1 week before month end",
    );
    let (status, _) = srv
        .call(
            "POST",
            "/v1/subscriptions",
            Some(&t.auditor),
            Some(leap.clone()),
        )
        .await;
    assert_eq!(status, 403);

    // Created on 31 January of a leap year, monthly: the first term ends on
    // 28 February and the next starts on the 29th; the license carries the
    // plan's option, the seats, and expires at the end of the term.
    let created = srv
        .post_ok("/v1/subscriptions", &t.finance, leap.clone(), 201)
        .await;
    let sub = &created["subscription"];
    let id = s(&sub["id"]);
    let path = format!("/v1/subscriptions/{id}");
    assert!(s(&created["license_key"]).len() > 10);
    assert_eq!(
        (&sub["term_start"], &sub["term_end"], &sub["renews_on"]),
        (
            &text(day(2028, 1, 31)),
            &text(day(2028, 2, 28)),
            &text(day(2028, 2, 29))
        )
    );
    assert_eq!(sub["next_invoice"], text(day(2028, 1, 31)));
    assert_eq!(
        (&sub["last_day_to_cancel"], &sub["next_possible_end"]),
        (&text(day(2028, 1, 24)), &text(day(2028, 1, 31)))
    );
    assert_eq!(
        (&sub["status"], &sub["zone"]),
        (&json!("active"), &json!("UTC"))
    );
    assert_eq!(sub["final_end"], Value::Null);
    let license_id = s(&sub["license_ids"][0]);
    let lic = license(&srv, &t.auditor, &license_id).await;
    assert_eq!(lic["seats"], json!(3));
    assert_eq!(lic["customer_id"], json!(t.customer));
    assert_eq!(lic["expires_at"], json!(end_of(day(2028, 2, 28))));
    let first_file = s(&lic["file"]);
    let verified = verifier.verify(&first_file).unwrap();
    assert_eq!(
        verified.terms.hard_expiry.map(|t| t.0),
        Some(end_of(day(2028, 2, 28)))
    );
    assert_eq!(lic["spec"]["features"], json!(["core", "cloud=5"]));

    // GET shows the same; the list filters.
    let shown = srv.get(&path, &t.auditor).await;
    assert_eq!(shown["term_end"], sub["term_end"]);
    let listed = srv
        .get(
            &format!("/v1/subscriptions?customer_id={}&status=active", t.customer),
            &t.auditor,
        )
        .await;
    assert_eq!(items(&listed).len(), 1);
    let none = srv
        .get("/v1/subscriptions?term_end_before=2028-02-28", &t.auditor)
        .await;
    assert_eq!(none["items"], json!([]));

    // Renewal extends the license to the new term's end, with a new
    // signed file; the same term renews once.
    let (status, _) = srv
        .call("POST", &format!("{path}/renew"), Some(&t.auditor), None)
        .await;
    assert_eq!(status, 403);
    let renew_feb = json!({"term_end": "2028-02-28"});
    let (status, renewed) = srv
        .call(
            "POST",
            &format!("{path}/renew"),
            Some(&t.issuer),
            Some(renew_feb.clone()),
        )
        .await;
    assert_eq!(status, 200, "{renewed}");
    assert_eq!(renewed["renewed"], json!(true));
    assert_eq!(
        (
            &renewed["subscription"]["term_start"],
            &renewed["subscription"]["term_end"]
        ),
        (&text(day(2028, 2, 29)), &text(day(2028, 3, 30)))
    );
    let lic = license(&srv, &t.auditor, &license_id).await;
    assert_eq!(lic["expires_at"], json!(end_of(day(2028, 3, 30))));
    let file = verifier.verify(&s(&lic["file"])).unwrap();
    assert_eq!(
        file.terms.hard_expiry.map(|t| t.0),
        Some(end_of(day(2028, 3, 30)))
    );
    let (status, again) = srv
        .call(
            "POST",
            &format!("{path}/renew"),
            Some(&t.issuer),
            Some(renew_feb),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(again["renewed"], json!(false));
    assert_eq!(again["subscription"]["term_end"], text(day(2028, 3, 30)));
    assert_eq!(srv.history_count(&t.auditor, "subscription.renew").await, 1);
    refused(
        srv.call(
            "POST",
            &format!("{path}/renew"),
            Some(&t.issuer),
            Some(json!({"term_end": "2029-01-01"})),
        )
        .await,
        409,
        "not_current_term",
    );

    // In token mode: a renewal token for the file the customer holds.
    let (status, by_token) = srv
        .call(
            "POST",
            &format!("{path}/renew"),
            Some(&t.finance),
            Some(json!({"term_end": "2028-03-30", "mode": "token"})),
        )
        .await;
    assert_eq!(status, 200, "{by_token}");
    let token = verifier
        .verify_renewal(&s(&by_token["renewal_tokens"][&license_id]))
        .unwrap();
    let mut held = verifier.verify(&s(&lic["file"])).unwrap();
    held.apply_renewal(&token).unwrap();
    assert_eq!(
        held.terms.hard_expiry.map(|t| t.0),
        Some(end_of(day(2028, 4, 29)))
    );

    // Seats: down never below those in use; only admin or finance raise.
    let key = s(&created["license_key"]);
    for n in 0..2 {
        let (status, body) = srv.activate(&key, "subs-cad", n, "test").await;
        assert_eq!(status, 201, "{body}");
    }
    let seats = |n: u32, token: &str| {
        let (srv, path, token) = (&srv, path.clone(), token.to_owned());
        async move {
            srv.call(
                "PUT",
                &format!("{path}/seats"),
                Some(&token),
                Some(json!({"seats": n})),
            )
            .await
        }
    };
    let body = refused(seats(1, &t.issuer).await, 409, "seats_in_use");
    assert_eq!(body["seats_used"], json!(2));
    let (status, body) = seats(2, &t.issuer).await;
    assert_eq!((status, &body["seats"]), (200, &json!(2)));
    assert_eq!(seats(5, &t.issuer).await.0, 403);
    assert_eq!(seats(5, &t.finance).await.0, 200);
    assert_eq!(
        license(&srv, &t.auditor, &license_id).await["seats"],
        json!(5)
    );
    assert_eq!(seats(0, &t.finance).await.0, 422);

    // Cancelling in time ends it at the next possible end (the month end
    // the notice still reaches) and shortens the license to it; it no
    // longer renews.
    let (status, cancelled) = srv
        .call(
            "POST",
            &format!("{path}/cancel"),
            Some(&t.issuer),
            Some(json!({"reason": "moving"})),
        )
        .await;
    assert_eq!(status, 200, "{cancelled}");
    // The term runs from 31 March to 29 April: its first month end, 31
    // March, is the next possible end.
    assert_eq!(
        (&cancelled["status"], &cancelled["ends_on"]),
        (&json!("cancelled"), &text(day(2028, 3, 31)))
    );
    assert_eq!(cancelled["renews_on"], Value::Null);
    assert_eq!(cancelled["final_end"], text(day(2028, 3, 31)));
    let lic = license(&srv, &t.auditor, &license_id).await;
    assert_eq!(lic["expires_at"], json!(end_of(day(2028, 3, 31))));
    let file = verifier.verify(&s(&lic["file"])).unwrap();
    assert_eq!(
        file.terms.hard_expiry.map(|t| t.0),
        Some(end_of(day(2028, 3, 31)))
    );
    let renewal = srv
        .call("POST", &format!("{path}/renew"), Some(&t.issuer), None)
        .await;
    refused(renewal, 409, "subscription_inactive");
    let listed = srv
        .get("/v1/subscriptions?status=cancelled", &t.auditor)
        .await;
    assert_eq!(listed["items"][0]["id"], json!(id));

    // A prepaid year whose notice ran out: cancelling is refused with the
    // missed day and the next possible end.
    let start = first_of_month(11);
    let term_end = start
        .checked_add_months(Months::new(12))
        .unwrap()
        .pred_opt()
        .unwrap();
    let late = t
        .create(
            &srv,
            t.body(
                start,
                "prepaid_1y",
                "quarterly",
                "always",
                "3 months before term end",
            ),
        )
        .await;
    let late_path = format!("/v1/subscriptions/{}", s(&late["subscription"]["id"]));
    assert_eq!(late["subscription"]["term_end"], text(term_end));
    let body = refused(
        srv.call(
            "POST",
            &format!("{late_path}/cancel"),
            Some(&t.finance),
            None,
        )
        .await,
        409,
        "too_late_to_cancel",
    );
    let next_end = start
        .checked_add_months(Months::new(24))
        .unwrap()
        .pred_opt()
        .unwrap();
    let missed = start
        .checked_add_months(Months::new(9))
        .unwrap()
        .pred_opt()
        .unwrap();
    assert_eq!(
        (&body["last_day_to_cancel"], &body["next_possible_end"]),
        (&text(missed), &text(next_end))
    );
    assert_eq!(late["subscription"]["next_possible_end"], text(next_end));

    // A change of interval waits for the next cycle: the current one stays,
    // the new one starts at the next boundary after today.
    let start = first_of_month(2);
    let cycle = t
        .create(
            &srv,
            t.body(
                start,
                "prepaid_1y",
                "monthly",
                "switch_to_monthly",
                "3 months before term end",
            ),
        )
        .await;
    let cycle_path = format!("/v1/subscriptions/{}", s(&cycle["subscription"]["id"]));
    let today = Utc::now().date_naive();
    let boundary = first_of_month(0)
        .checked_add_months(Months::new(1))
        .unwrap();
    let next_invoice = if today.day() == 1 { today } else { boundary };
    assert_eq!(cycle["subscription"]["next_invoice"], text(next_invoice));
    let (status, changed) = srv
        .call(
            "PUT",
            &format!("{cycle_path}/billing"),
            Some(&t.finance),
            Some(json!({"interval": "quarterly"})),
        )
        .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["interval"], json!("monthly"));
    assert_eq!(changed["pending"]["interval"], json!("quarterly"));
    assert_eq!(changed["pending"]["interval_effective"], text(boundary));
    assert_eq!(changed["next_invoice"], text(next_invoice));
    // A monthly term cannot be invoiced quarterly; with a monthly interval
    // the model changes with the next term.
    let (status, _) = srv
        .call(
            "PUT",
            &format!("{cycle_path}/billing"),
            Some(&t.finance),
            Some(json!({"billing": "monthly"})),
        )
        .await;
    assert_eq!(status, 422);
    let (status, changed) = srv
        .call(
            "PUT",
            &format!("{cycle_path}/billing"),
            Some(&t.finance),
            Some(json!({"billing": "monthly", "interval": "monthly"})),
        )
        .await;
    assert_eq!(status, 200, "{changed}");
    let term_end = start
        .checked_add_months(Months::new(12))
        .unwrap()
        .pred_opt()
        .unwrap();
    assert_eq!(changed["billing"], json!("prepaid_1y"));
    assert_eq!(changed["pending"]["billing"], json!("monthly"));
    assert_eq!(
        changed["pending"]["billing_effective"],
        text(term_end.succ_opt().unwrap())
    );
    assert_eq!(changed["pending"]["interval"], Value::Null);

    // Renewal options: `once` renews one more term and then no more;
    // `switch_to_monthly` goes on month to month, invoiced monthly.
    let once = t
        .create(
            &srv,
            t.body(
                day(2030, 1, 1),
                "prepaid_1y",
                "yearly",
                "once",
                "1 month before term end",
            ),
        )
        .await;
    let once_path = format!("/v1/subscriptions/{}/renew", s(&once["subscription"]["id"]));
    let (status, renewed) = srv.call("POST", &once_path, Some(&t.issuer), None).await;
    assert_eq!(status, 200, "{renewed}");
    let sub = &renewed["subscription"];
    assert_eq!(
        (&sub["term_end"], &sub["renewal"], &sub["final_end"]),
        (
            &text(day(2031, 12, 31)),
            &json!("none"),
            &text(day(2031, 12, 31))
        )
    );
    let renewal = srv.call("POST", &once_path, Some(&t.issuer), None).await;
    refused(renewal, 409, "does_not_renew");
    let switch = t
        .create(
            &srv,
            t.body(
                day(2030, 1, 1),
                "prepaid_1y",
                "yearly",
                "switch_to_monthly",
                "1 month before term end",
            ),
        )
        .await;
    let switch_path = format!(
        "/v1/subscriptions/{}/renew",
        s(&switch["subscription"]["id"])
    );
    let (status, renewed) = srv.call("POST", &switch_path, Some(&t.issuer), None).await;
    assert_eq!(status, 200, "{renewed}");
    let sub = &renewed["subscription"];
    assert_eq!(
        (&sub["billing"], &sub["interval"], &sub["renewal"]),
        (&json!("monthly"), &json!("monthly"), &json!("always"))
    );
    assert_eq!(
        (&sub["term_start"], &sub["term_end"], &sub["next_invoice"]),
        (
            &text(day(2031, 1, 1)),
            &text(day(2031, 1, 31)),
            &text(day(2031, 1, 1))
        )
    );

    // An Idempotency-Key replays the first answer.
    let again = || srv.post_keyed("/v1/subscriptions", &t.issuer, leap.clone(), "sub-once");
    let (first_status, first) = again().await;
    let (second_status, second) = again().await;
    assert_eq!((first_status, second_status), (201, 201));
    assert_eq!(first["license_key"], second["license_key"]);
    assert_eq!(first["subscription"]["id"], second["subscription"]["id"]);
    assert_eq!(
        srv.history_count(&t.auditor, "subscription.create").await,
        6
    );

    // Bad input is a 4xx naming the problem.
    let bad = |field: &str, value: Value| {
        let mut body = leap.clone();
        body[field] = value;
        let (srv, token) = (&srv, t.issuer.clone());
        async move {
            srv.call("POST", "/v1/subscriptions", Some(&token), Some(body))
                .await
        }
    };
    for (field, value) in [
        ("start", json!("2028-02-30")),
        ("start", json!("2028-2-3")),
        ("billing", json!("biweekly")),
        ("interval", json!("weekly")),
        ("renewal", json!("sometimes")),
        ("notice", json!("whenever you like")),
        ("notice", json!("1 weeks before month end")),
        ("interval", json!("yearly")),
        ("seats", json!(0)),
        ("plan_id", json!("pln_nothing")),
        ("customer_id", json!("cus_nothing")),
        ("options", json!(["nothing"])),
    ] {
        let (status, body) = bad(field, value.clone()).await;
        assert_eq!(status, 422, "{field}={value}: {body}");
    }
    let (status, _) = bad("colour", json!("blue")).await;
    assert!((400..500).contains(&status), "unknown field: {status}");
    let (status, _) = srv
        .call(
            "GET",
            "/v1/subscriptions?term_end_before=soon",
            Some(&t.auditor),
            None,
        )
        .await;
    assert_eq!(status, 422);
    let (status, _) = srv
        .call(
            "GET",
            "/v1/subscriptions/sub_nothing",
            Some(&t.auditor),
            None,
        )
        .await;
    assert_eq!(status, 404);
    srv.stop().await;
}

/// Many callers renew the same term at once: it renews once.
async fn race(backend: Backend) {
    let srv = Server::start(backend).await;
    let t = setup(&srv).await;
    let created = t.create(&srv, t.yearly(day(2030, 5, 15))).await;
    let path = format!(
        "/v1/subscriptions/{}/renew",
        s(&created["subscription"]["id"])
    );
    // On PostgreSQL, two instances share the database.
    let second = match srv.pg {
        Some(_) => Some(srv.another_instance().await),
        None => None,
    };
    let mut bases = vec![srv.base.clone()];
    bases.extend(second.iter().map(base_of));
    const CALLERS: usize = 8;
    let shots = (0..CALLERS)
        .map(|n| {
            let url = format!("{}{path}", bases[n % bases.len()]);
            let body = json!({"term_end": "2031-05-14"});
            ("POST", url, Some(t.issuer.clone()), body)
        })
        .collect();
    let mut renewed = 0;
    for (status, body) in at_once(&srv.client, shots).await {
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["subscription"]["term_end"], text(day(2032, 5, 14)));
        renewed += usize::from(body["renewed"] == json!(true));
    }
    assert_eq!(renewed, 1);
    assert_eq!(srv.history_count(&t.auditor, "subscription.renew").await, 1);
    assert_eq!(srv.history_count(&t.auditor, "license.renew").await, 1);
    if let Some(second) = second {
        second.stop().await.unwrap();
    }
    srv.stop().await;
}

support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    story => subscriptions_sqlite, subscriptions_postgres
}

support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    race => renew_race_sqlite, renew_race_postgres
}

/// Only admin and finance raise a subscription's seats, even when the
/// issuer's cut was decided on seats that a concurrent cut lowered
/// (`racing_seat_cuts`).
async fn seats_race(backend: Backend) {
    let srv = Server::start(backend).await;
    let t = setup(&srv).await;
    let created = srv
        .post_ok(
            "/v1/subscriptions",
            &t.finance,
            t.yearly(day(2030, 5, 15)),
            201,
        )
        .await;
    let shown = format!("/v1/subscriptions/{}", s(&created["subscription"]["id"]));
    let url = format!("{}{shown}/seats", srv.base);
    racing_seat_cuts(&srv, &url, (&t.finance, &t.issuer), (&shown, &t.auditor)).await;
    srv.stop().await;
}

support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    seats_race => seats_race_sqlite, seats_race_postgres
}

/// A subscription whose dates would reach past the calendar's end (year
/// 9999) is refused (422) when created or renewed into it, so none is ever
/// stored that cannot be shown: the list and the subscription stay 200
/// (the harness refuses any 5xx).
async fn calendar_end(backend: Backend) {
    let srv = Server::start(backend).await;
    let t = setup(&srv).await;
    let body = |start| {
        t.body(
            start,
            "monthly",
            "monthly",
            "always",
            "1 week before month end",
        )
    };
    let (status, problem) = srv
        .call(
            "POST",
            "/v1/subscriptions",
            Some(&t.finance),
            Some(body(day(9999, 11, 30))),
        )
        .await;
    assert_eq!(status, 422, "{problem}");
    assert!(s(&problem["detail"]).contains("calendar"), "{problem}");
    let created = srv
        .post_ok("/v1/subscriptions", &t.finance, body(day(9999, 6, 30)), 201)
        .await;
    let id = s(&created["subscription"]["id"]);
    let mut refused = false;
    for _ in 0..12 {
        let (status, answer) = srv
            .call(
                "POST",
                &format!("/v1/subscriptions/{id}/renew"),
                Some(&t.issuer),
                None,
            )
            .await;
        assert!(status == 200 || status == 422, "{answer}");
        srv.get(&format!("/v1/subscriptions/{id}"), &t.auditor)
            .await;
        refused |= answer["status"] == 422;
    }
    assert!(refused, "a renewal into year 10000 was accepted");
    srv.get("/v1/subscriptions", &t.auditor).await;
    srv.stop().await;
}

support::on_both_backends! {
    #[tokio::test]
    calendar_end => calendar_end_sqlite, calendar_end_postgres
}

/// The ids of every subscription `token` lists with `query`, all pages.
async fn listed(srv: &Server, token: &str, query: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut next = Some(format!("/v1/subscriptions?limit=7{query}"));
    while let Some(path) = next {
        let page = srv.get(&path, token).await;
        ids.extend(
            items(&page)
                .iter()
                .map(|s| s["id"].as_str().unwrap().to_owned()),
        );
        next = page["next"]
            .as_str()
            .map(|c| format!("/v1/subscriptions?limit=7{query}&after={c}"));
    }
    ids.sort();
    ids
}

/// The dashboard's "last day to cancel this month" tile and the list it
/// opens are read from each subscription's stored cancellation window
/// (migration 0038), not computed per subscription: they hold exactly the
/// subscriptions whose own view puts the last day to cancel between today
/// and the end of the month, in the subscription's zone (UTC+14 here,
/// where the day starts fourteen hours before UTC's), within the reader's
/// grants. A window that has passed (as after the migration, before the
/// server moved it on) is still counted right, and the jobs move it on.
async fn cancellable_this_month(backend: Backend) {
    let srv = Server::start_configured(backend, |c| c.zone = "Pacific/Kiritimati".into()).await;
    let t = setup(&srv).await;
    let elsewhere = node(&srv, &t.issuer, "customer", "Elsewhere AG", None).await;
    let mut made = Vec::new();
    // Yearly terms whose last day to cancel (a month before their end)
    // falls on each day from a month ago to a month ahead, and monthly
    // ones a week before each month's end.
    let first = first_of_month(11) - chrono::Days::new(31);
    for k in 0..63 {
        let start = first + chrono::Days::new(k);
        let mut body = t.yearly(start);
        if k % 5 == 0 {
            body["customer_id"] = json!(elsewhere);
        }
        made.push(t.create(&srv, body).await);
    }
    for back in [0, 1, 2] {
        let body = t.body(
            first_of_month(back),
            "monthly",
            "monthly",
            "always",
            "1 week before month end",
        );
        made.push(t.create(&srv, body).await);
    }
    // A cancelled subscription has nothing left to cancel.
    let cancelled = s(&made[62]["subscription"]["id"]);
    srv.post_ok(
        &format!("/v1/subscriptions/{cancelled}/cancel"),
        &t.finance,
        json!({}),
        200,
    )
    .await;

    // What each subscription's own view says, today in its zone.
    let mut due = Vec::new();
    let mut acme_due = Vec::new();
    for m in &made {
        let id = s(&m["subscription"]["id"]);
        let view = srv
            .get(&format!("/v1/subscriptions/{id}"), &t.auditor)
            .await;
        let today: NaiveDate = s(&view["today"]).parse().unwrap();
        let Some(deadline) = view["last_day_to_cancel"].as_str() else {
            continue;
        };
        let deadline: NaiveDate = deadline.parse().unwrap();
        if deadline >= today && (deadline.year(), deadline.month()) == (today.year(), today.month())
        {
            if view["customer_id"] == json!(t.customer) {
                acme_due.push(id.clone());
            }
            due.push(id);
        }
    }
    due.sort();
    acme_due.sort();
    assert!(!due.is_empty() && due.len() < made.len(), "{due:?}");
    assert!(!due.contains(&cancelled));

    let this_month = "&cancellable=this-month";
    assert_eq!(listed(&srv, &t.auditor, this_month).await, due);
    // A reader of one customer sees its own only.
    let acme_reader = srv
        .person(
            "Ada",
            "ada@acme.test",
            json!([{"role": "auditor", "customer_id": t.customer}]),
        )
        .await;
    let (status, page) = acme_reader
        .call(
            &srv,
            "GET",
            "/v1/subscriptions?limit=500&cancellable=this-month",
            None,
        )
        .await;
    assert_eq!(status, 200, "{page}");
    let mut mine: Vec<String> = items(&page).iter().map(|x| s(&x["id"])).collect();
    mine.sort();
    assert_eq!(mine, acme_due);
    let (status, problem) = srv
        .call(
            "GET",
            "/v1/subscriptions?cancellable=soon",
            Some(&t.auditor),
            None,
        )
        .await;
    assert_eq!(status, 422, "{problem}");
    assert!(s(&problem["detail"]).contains("this-month"), "{problem}");

    // The tile counts them, and opens the list of them.
    let tile = |n: usize| {
        format!("href=\"/subscriptions?cancellable=this-month\"><span class=\"count\">{n}</span>")
    };
    let vendor = srv
        .person("Vic", "vic@vendor.test", json!([{"role": "auditor"}]))
        .await;
    let console = Console::of(&srv, &vendor);
    let dashboard = console.get("/").await;
    assert!(
        dashboard.body.contains(&tile(due.len())),
        "{}",
        dashboard.body
    );
    let acme_console = Console::of(&srv, &acme_reader);
    let dashboard = acme_console.get("/").await;
    assert!(
        dashboard.body.contains(&tile(acme_due.len())),
        "{}",
        dashboard.body
    );
    let list = console.get("/subscriptions?cancellable=this-month").await;
    assert_eq!(list.status, 200);
    assert_eq!(
        list.body.matches("href=\"/subscriptions/sub_").count(),
        due.len(),
        "{}",
        list.body
    );
    let refused = console.get("/subscriptions?cancellable=soon").await;
    assert_eq!(refused.status, 422);
    assert!(refused.text().contains("this-month"), "{}", refused.text());

    // Windows passed (as the migration leaves them): still counted, then
    // moved on by the jobs.
    sqlx::any::install_default_drivers();
    let db = sqlx::AnyPool::connect(&srv.config.database_url())
        .await
        .unwrap();
    let active: i64 = sqlx::query(
        "UPDATE subscriptions SET cancel_opens = 0, cancel_closes = 0 WHERE status = 'active'",
    )
    .execute(&db)
    .await
    .unwrap()
    .rows_affected() as i64;
    db.close().await;
    let dashboard = console.get("/").await;
    assert!(
        dashboard.body.contains(&tile(due.len())),
        "{}",
        dashboard.body
    );
    // (Those whose term the run renews get their new window from the
    // renewal itself.)
    let ran = srv
        .post_ok("/v1/jobs/run", &srv.admin, json!({}), 200)
        .await;
    let moved = ran["cancellation_windows_moved"].as_i64().unwrap();
    assert!(moved > 0 && moved <= active, "{ran}");
    assert_eq!(listed(&srv, &t.auditor, this_month).await, due);
    srv.stop().await;
}

support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    cancellable_this_month => cancellable_this_month_sqlite, cancellable_this_month_postgres
}
