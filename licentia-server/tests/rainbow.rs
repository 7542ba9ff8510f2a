//! Rainbow's story through the API, on SQLite and (when
//! `LICENTIA_TEST_POSTGRES` is set) PostgreSQL: a company buys a 3-year
//! prepaid subscription with two options; its members each take one of its
//! licences until it is full; the star (the company's default licence)
//! moves to another subscription; the options and the renewal option
//! change within each person's rights; a renewal extends the members'
//! licences; and the subscription's history shows each operation with who
//! did it.

mod support;

use licentia::Timestamp;
use serde_json::{json, Value};
use support::{at_once, granted, kind, node, s, Backend, Person, Server};

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|m| s(&m["name"]))
        .collect()
}

/// The instant a license "expiring on" `day` (UTC) expires.
fn end_of(day: &Value) -> i64 {
    let day: chrono::NaiveDate = s(day).parse().unwrap();
    Timestamp::parse(&day.succ_opt().unwrap().to_string())
        .unwrap()
        .0
}

async fn member(
    srv: &Server,
    who: &Person,
    company: &str,
    name: &str,
    extra: Value,
) -> (u16, Value) {
    let mut body = json!({"name": name, "email": format!("{}@acme.test", name.to_lowercase())});
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    who.call(
        srv,
        "POST",
        &format!("/v1/customers/{company}/members"),
        Some(body),
    )
    .await
}

async fn story(backend: Backend) {
    let srv = Server::start(backend).await;
    let vendor = srv.admin.clone();
    let (_, policy) = srv
        .product_and_policy(
            &vendor,
            "rainbow",
            json!({"name": "user", "binding": "unbound", "seats": 1, "entitlements": ["chat"]}),
        )
        .await;
    let option = |code: &str| json!({"code": code, "name": code, "entitlements": [code]});
    let plan = srv
        .plan(
            &vendor,
            json!({"name": "Business", "policy_id": policy,
                   "options": [option("telephony"), option("meetings"), option("archive")]}),
        )
        .await;
    let partner = node(&srv, &vendor, "partner", "Alcatel BP", None).await;
    let acme = node(&srv, &vendor, "customer", "Acme", Some(&partner)).await;
    let other = node(&srv, &vendor, "customer", "Other", Some(&partner)).await;
    let paula = srv
        .person(
            "Paula",
            "paula@bp.test",
            json!([{"role": "admin", "customer_id": partner}]),
        )
        .await;
    let carl = srv
        .person(
            "Carl",
            "carl@acme.test",
            json!([{"role": "admin", "customer_id": acme}]),
        )
        .await;

    // Paula (the partner) sells Acme a 3-year prepaid subscription of three
    // licences with two options, and a monthly one of two.
    let subscribe = |billing: &str, interval: &str, seats: u32, options: Value| {
        json!({"customer_id": acme, "plan_id": plan, "seats": seats, "billing": billing,
               "interval": interval, "start": "2026-12-01", "renewal": "always",
               "notice": "3 months before term end", "options": options})
    };
    let (status, made) = paula
        .call(
            &srv,
            "POST",
            "/v1/subscriptions",
            Some(subscribe(
                "prepaid_3y",
                "yearly",
                3,
                json!(["telephony", "meetings"]),
            )),
        )
        .await;
    assert_eq!(status, 201, "{made}");
    let prepaid = s(&made["subscription"]["id"]);
    assert_eq!(made["subscription"]["term_end"], "2029-11-30");
    let (status, made) = paula
        .call(
            &srv,
            "POST",
            "/v1/subscriptions",
            Some(subscribe("monthly", "monthly", 2, json!([]))),
        )
        .await;
    assert_eq!(status, 201, "{made}");
    let monthly = s(&made["subscription"]["id"]);

    // The star is the prepaid subscription.
    let star = format!("/v1/customers/{acme}/default-plan");
    let (status, starred) = paula
        .call(
            &srv,
            "PUT",
            &star,
            Some(json!({"subscription_id": prepaid})),
        )
        .await;
    assert_eq!(status, 200, "{starred}");
    assert_eq!(
        (s(&starred["plan_id"]), s(&starred["subscription_id"])),
        (plan.clone(), prepaid.clone())
    );
    // Another company's subscription cannot be Acme's star.
    let (status, elsewhere) = paula
        .call(
            &srv,
            "POST",
            "/v1/subscriptions",
            Some({
                let mut body = subscribe("monthly", "monthly", 1, json!([]));
                body["customer_id"] = json!(other);
                body
            }),
        )
        .await;
    assert_eq!(status, 201, "{elsewhere}");
    let foreign = s(&elsewhere["subscription"]["id"]);
    let (status, problem) = paula
        .call(
            &srv,
            "PUT",
            &star,
            Some(json!({"subscription_id": foreign})),
        )
        .await;
    assert_eq!((status, kind(&problem)), (422, "invalid"), "{problem}");
    // Carl (Acme's admin) cannot even name it: it is outside his grants.
    let (status, problem) = member(
        &srv,
        &carl,
        &acme,
        "Eve",
        json!({"subscription_id": foreign}),
    )
    .await;
    assert_eq!((status, kind(&problem)), (422, "invalid"), "{problem}");
    assert!(
        s(&problem["detail"]).contains("no such subscription"),
        "{problem}"
    );

    // Carl adds members: each takes a licence of the star, with its
    // options, expiring with its term.
    let mut licenses = Vec::new();
    for name in ["Ann", "Bob", "Cy"] {
        let (status, made) = member(&srv, &carl, &acme, name, json!({})).await;
        assert_eq!(status, 201, "{made}");
        assert_eq!(s(&made["member"]["subscription_id"]), prepaid, "{made}");
        assert_eq!(made["member"]["options"], json!(["telephony", "meetings"]));
        let license = &made["license"];
        assert_eq!(license["seats"], 1);
        assert_eq!(
            license["expires_at"],
            json!(end_of(&json!("2029-11-30"))),
            "{license}"
        );
        let features = license["spec"]["features"].to_string();
        assert!(
            features.contains("telephony") && features.contains("meetings"),
            "{features}"
        );
        licenses.push(s(&license["id"]));
    }
    // The fourth is refused with the numbers, and not created.
    let (status, problem) = member(&srv, &carl, &acme, "Dee", json!({})).await;
    assert_eq!(
        (status, kind(&problem)),
        (409, "subscription_full"),
        "{problem}"
    );
    assert_eq!(
        (&problem["seats"], &problem["assigned"]),
        (&json!(3), &json!(3))
    );
    let (_, listed) = carl
        .call(&srv, "GET", &format!("/v1/customers/{acme}/members"), None)
        .await;
    assert_eq!(ids(&listed["items"]), ["Ann", "Bob", "Cy"]);
    let served = format!("/v1/subscriptions/{prepaid}/members");
    let (status, members) = carl.call(&srv, "GET", &served, None).await;
    assert_eq!(status, 200, "{members}");
    assert_eq!(
        (&members["seats"], &members["assigned"], &members["free"]),
        (&json!(3), &json!(3), &json!(0))
    );
    assert_eq!(ids(&members["members"]), ["Ann", "Bob", "Cy"]);
    // Fewer seats than members is refused.
    let (status, problem) = paula
        .call(
            &srv,
            "PUT",
            &format!("/v1/subscriptions/{prepaid}/seats"),
            Some(json!({"seats": 2})),
        )
        .await;
    assert_eq!(
        (status, kind(&problem)),
        (409, "subscription_seats_assigned"),
        "{problem}"
    );
    // An option the subscription lacks is refused for its members.
    let (status, problem) = member(
        &srv,
        &carl,
        &acme,
        "Dee",
        json!({"subscription_id": monthly, "options": ["archive"]}),
    )
    .await;
    assert_eq!((status, kind(&problem)), (422, "invalid"), "{problem}");
    assert!(s(&problem["detail"]).contains("'archive'"), "{problem}");

    // The star moves to the monthly subscription: Dee takes one of its.
    let (status, _) = carl
        .call(
            &srv,
            "PUT",
            &star,
            Some(json!({"subscription_id": monthly})),
        )
        .await;
    assert_eq!(status, 200);
    let (status, dee) = member(&srv, &carl, &acme, "Dee", json!({})).await;
    assert_eq!(status, 201, "{dee}");
    assert_eq!(s(&dee["member"]["subscription_id"]), monthly);
    assert_eq!(dee["member"]["options"], json!([]));

    // Options: removing one its members hold is refused; adding one signs
    // its own license anew with it.
    let options = format!("/v1/subscriptions/{prepaid}/options");
    let (status, problem) = paula
        .call(
            &srv,
            "PUT",
            &options,
            Some(json!({"options": ["telephony"]})),
        )
        .await;
    assert_eq!(
        (status, kind(&problem)),
        (409, "option_in_use"),
        "{problem}"
    );
    assert_eq!(problem["members"], 3);
    // Carl holds no right to add one (a raise).
    let all = json!({"options": ["telephony", "meetings", "archive"]});
    let (status, problem) = carl.call(&srv, "PUT", &options, Some(all.clone())).await;
    assert_eq!(
        (status, kind(&problem)),
        (403, "rights_not_delegated"),
        "{problem}"
    );
    let (status, changed) = paula.call(&srv, "PUT", &options, Some(all)).await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(
        changed["options"],
        json!(["telephony", "meetings", "archive"])
    );
    let own = s(&changed["license_ids"][0]);
    let (_, license) = paula
        .call(&srv, "GET", &format!("/v1/licenses/{own}"), None)
        .await;
    assert!(
        license["spec"]["features"].to_string().contains("archive"),
        "{license}"
    );

    // The renewal option: Carl may change it once Paula delegates the right.
    let renewal = format!("/v1/subscriptions/{prepaid}/renewal");
    let to_monthly = Some(json!({"renewal": "switch_to_monthly"}));
    let (status, problem) = carl.call(&srv, "PUT", &renewal, to_monthly.clone()).await;
    assert_eq!(
        (status, kind(&problem)),
        (403, "rights_not_delegated"),
        "{problem}"
    );
    let (status, grant) = paula
        .call(
            &srv,
            "POST",
            &format!("/v1/accounts/{}/grants", carl.id),
            Some(json!({"role": "admin", "customer_id": acme,
                        "rights": {"may_change_renewal": true}})),
        )
        .await;
    assert_eq!(status, 201, "{grant}");
    let (status, changed) = carl.call(&srv, "PUT", &renewal, to_monthly).await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["renewal"], "switch_to_monthly");

    // Cy gives the licence back: one is free again.
    let (status, _) = carl
        .call(
            &srv,
            "DELETE",
            &format!("/v1/members/{}/service", s(&listed["items"][2]["id"])),
            None,
        )
        .await;
    assert_eq!(status, 200);
    let (_, members) = carl.call(&srv, "GET", &served, None).await;
    assert_eq!(
        (&members["assigned"], &members["free"]),
        (&json!(2), &json!(1))
    );
    assert_eq!(ids(&members["members"]), ["Ann", "Bob"]);

    // A renewal now switches to monthly and extends Ann's and Bob's licences.
    let (status, renewed) = paula
        .call(
            &srv,
            "POST",
            &format!("/v1/subscriptions/{prepaid}/renew"),
            Some(json!({"term_end": "2029-11-30"})),
        )
        .await;
    assert_eq!(status, 200, "{renewed}");
    let term_end = renewed["subscription"]["term_end"].clone();
    assert_eq!(term_end, "2029-12-31", "{renewed}");
    for license in &licenses[..2] {
        let (_, l) = paula
            .call(&srv, "GET", &format!("/v1/licenses/{license}"), None)
            .await;
        assert_eq!(l["expires_at"], json!(end_of(&term_end)), "{l}");
    }
    let (_, cy) = paula
        .call(&srv, "GET", &format!("/v1/licenses/{}", licenses[2]), None)
        .await;
    assert_eq!(cy["status"], "revoked");

    // Its history: each operation, with who did it.
    let (status, history) = carl
        .call(
            &srv,
            "GET",
            &format!("/v1/subscriptions/{prepaid}/history?limit=100"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{history}");
    let seen: Vec<(String, String)> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (s(&e["operation"]), s(&e["done_by"])))
        .collect();
    let paula_by = seen[0].1.clone();
    assert!(paula_by.contains("paula@bp.test"), "{seen:?}");
    let carl_by = seen
        .iter()
        .find(|(op, _)| op == "subscription.member_assign")
        .unwrap()
        .1
        .clone();
    assert!(carl_by.contains("carl@acme.test"), "{seen:?}");
    let expected: Vec<(&str, &str)> = vec![
        ("subscription.create", &paula_by),
        ("subscription.default", &paula_by),
        ("subscription.member_assign", &carl_by),
        ("subscription.member_assign", &carl_by),
        ("subscription.member_assign", &carl_by),
        ("subscription.options", &paula_by),
        ("subscription.renewal", &carl_by),
        ("subscription.member_unassign", &carl_by),
        ("subscription.renew", &paula_by),
    ];
    let seen: Vec<(&str, &str)> = seen.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    assert_eq!(seen, expected);
    srv.stop().await;
}

support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    story => rainbow_sqlite, rainbow_postgres
}

/// Twelve members asking at once for the licences of a subscription of
/// five: five get one, seven are refused with `subscription_full`, and the
/// subscription serves exactly five.
async fn race(backend: Backend) {
    let srv = Server::start(backend).await;
    let issuer = srv.token("issuer").await;
    let (_, policy) = srv
        .product_and_policy(
            &issuer,
            "rainbow-race",
            json!({"name": "user", "binding": "unbound", "seats": 5}),
        )
        .await;
    let plan = srv
        .plan(&issuer, json!({"name": "Essential", "policy_id": policy}))
        .await;
    let acme = node(&srv, &issuer, "customer", "Acme", None).await;
    let made = srv
        .post_ok(
            "/v1/subscriptions",
            &srv.admin,
            json!({"customer_id": acme, "plan_id": plan, "seats": 5, "billing": "monthly",
                   "interval": "monthly", "start": "2026-12-01", "renewal": "always",
                   "notice": "1 week before month end"}),
            201,
        )
        .await;
    let sub = s(&made["subscription"]["id"]);
    let url = format!("{}/v1/customers/{acme}/members", srv.base);
    let shots = (0..12)
        .map(|i| {
            let body = json!({"name": format!("M{i:02}"), "email": format!("m{i}@acme.test"),
                              "subscription_id": sub});
            ("POST", url.clone(), Some(issuer.clone()), body)
        })
        .collect();
    let answers = at_once(&srv.client, shots).await;
    assert_eq!(granted(&answers, 201, "subscription_full"), 5);
    let (_, members) = srv
        .call(
            "GET",
            &format!("/v1/subscriptions/{sub}/members"),
            Some(&issuer),
            None,
        )
        .await;
    assert_eq!(
        (&members["assigned"], &members["free"]),
        (&json!(5), &json!(0))
    );
    let (_, listed) = srv
        .call(
            "GET",
            &format!("/v1/customers/{acme}/members"),
            Some(&issuer),
            None,
        )
        .await;
    assert_eq!(
        listed["items"].as_array().unwrap().len(),
        5,
        "refused members are not created"
    );
    srv.stop().await;
}

support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    race => full_race_sqlite, full_race_postgres
}
