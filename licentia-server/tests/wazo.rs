//! The Wazo story over the API, as issue 12 tells it: finance at the
//! vendor gives a partner 100 seats; the partner's finance admin splits
//! them 60/40 between two customers; a customer admin adds members until
//! the allocation refuses; the partner cannot see a customer of another
//! partner; the customer admin cannot raise seats until the partner
//! delegates it, then raises monthly ones only. The history names who did
//! each thing. On SQLite, and on PostgreSQL when `LICENTIA_TEST_POSTGRES`
//! is set.

mod support;

use serde_json::json;
use support::{kind, node, s, Backend, Server, Wazo};

async fn story(backend: Backend) {
    let srv = Server::start(backend).await;
    let vendor = srv.admin.clone();
    let [vendor_finance] = srv.tokens(["finance"]).await;
    let Wazo {
        product,
        plan,
        wazo,
        alpha,
        beta,
    } = srv.wazo().await;
    let octopus = node(&srv, &vendor, "partner", "Octopus", None).await;
    let gamma = node(&srv, &vendor, "customer", "Gamma", Some(&octopus)).await;
    let partner_finance = srv
        .person(
            "Fay",
            "fay@wazo.test",
            json!([{"role": "finance", "customer_id": wazo}]),
        )
        .await;
    let partner_admin = srv
        .person(
            "Pat",
            "pat@wazo.test",
            json!([{"role": "admin", "customer_id": wazo}]),
        )
        .await;
    let customer_admin = srv
        .person(
            "Cleo",
            "cleo@alpha.test",
            json!([{"role": "admin", "customer_id": alpha}]),
        )
        .await;

    // Finance at the vendor gives Wazo 100 seats; Wazo's finance cannot
    // give itself more.
    let (status, body) = srv.allocate(&vendor_finance, &wazo, &product, 100).await;
    assert_eq!(status, 200, "{body}");
    let allocate = |node: &str, seats: u32| {
        (
            format!("/v1/customers/{node}/allocation"),
            json!({"product_id": product, "seats": seats}),
        )
    };
    let (path, body) = allocate(&wazo, 150);
    assert_eq!(
        partner_finance.call(&srv, "PUT", &path, Some(body)).await.0,
        403
    );

    // Wazo's finance admin splits them 60/40; a 61st is not Wazo's to give.
    for (node, seats) in [(&alpha, 60), (&beta, 40)] {
        let (path, body) = allocate(node, seats);
        let (status, answer) = partner_finance.call(&srv, "PUT", &path, Some(body)).await;
        assert_eq!(
            (status, &answer["allocated"]),
            (200, &json!(seats)),
            "{answer}"
        );
    }
    let (path, body) = allocate(&alpha, 61);
    let (status, problem) = partner_finance.call(&srv, "PUT", &path, Some(body)).await;
    assert_eq!(status, 409, "{problem}");

    // Alpha's admin sets the default plan and adds members until the
    // allocation refuses: 60 fit, the 61st does not.
    let (status, _) = customer_admin
        .call(
            &srv,
            "PUT",
            &format!("/v1/customers/{alpha}/default-plan"),
            Some(json!({"plan_id": plan})),
        )
        .await;
    assert_eq!(status, 200);
    let members = format!("/v1/customers/{alpha}/members");
    for n in 1..=60 {
        let body = json!({"name": format!("User {n}"), "email": format!("u{n}@alpha.test")});
        let (status, answer) = customer_admin
            .call(&srv, "POST", &members, Some(body))
            .await;
        assert_eq!(status, 201, "member {n}: {answer}");
    }
    let body = json!({"name": "User 61", "email": "u61@alpha.test"});
    let (status, problem) = customer_admin
        .call(&srv, "POST", &members, Some(body))
        .await;
    assert_eq!(
        (status, kind(&problem)),
        (409, "allocation_exhausted"),
        "{problem}"
    );
    let seats = partner_finance
        .call(&srv, "GET", &format!("/v1/customers/{alpha}/seats"), None)
        .await
        .1;
    assert_eq!(seats["items"][0]["allocations"][0]["used"], 60);
    // Alpha's admin sees Alpha only: not Beta, not Wazo's seats.
    assert_eq!(
        customer_admin
            .call(&srv, "GET", &format!("/v1/customers/{beta}"), None)
            .await
            .0,
        404
    );
    assert_eq!(
        customer_admin
            .call(&srv, "GET", &format!("/v1/customers/{wazo}/seats"), None)
            .await
            .0,
        404
    );

    // Wazo cannot see a customer of Octopus, nor find it in any list.
    for path in [
        format!("/v1/customers/{gamma}"),
        format!("/v1/customers/{gamma}/members"),
        format!("/v1/reports/customers/{gamma}/history"),
    ] {
        assert_eq!(
            partner_admin.call(&srv, "GET", &path, None).await.0,
            404,
            "{path}"
        );
    }
    let (_, listed) = partner_admin
        .call(&srv, "GET", "/v1/customers?limit=500", None)
        .await;
    let names: Vec<&str> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Alpha", "Beta", "Wazo"]);
    let (status, _) = partner_admin
        .call(
            &srv,
            "GET",
            &format!("/v1/reports/seats?customer_id={gamma}"),
            None,
        )
        .await;
    assert_eq!(status, 404);

    // Subscriptions for Alpha, made by Wazo's admin: one monthly, one prepaid.
    let subscribe = |billing: &str, interval: &str| {
        json!({"customer_id": alpha, "plan_id": plan, "seats": 5, "billing": billing,
               "interval": interval, "start": "2026-01-01", "renewal": "always",
               "notice": "1 week before month end"})
    };
    let mut subs = Vec::new();
    for (billing, interval) in [("monthly", "monthly"), ("prepaid_1y", "yearly")] {
        let (status, made) = partner_admin
            .call(
                &srv,
                "POST",
                "/v1/subscriptions",
                Some(subscribe(billing, interval)),
            )
            .await;
        assert_eq!(status, 201, "{made}");
        subs.push(s(&made["subscription"]["id"]));
    }
    let (monthly, prepaid) = (&subs[0], &subs[1]);
    let seats = |n: u32| Some(json!({"seats": n}));

    // Alpha's admin cannot raise seats, nor make a subscription with more
    // seats than Alpha holds, nor change the renewal option...
    let mut big = subscribe("monthly", "monthly");
    big["seats"] = json!(61);
    let (status, problem) = customer_admin
        .call(&srv, "POST", "/v1/subscriptions", Some(big))
        .await;
    assert_eq!(
        (status, kind(&problem)),
        (403, "seats_raise_forbidden"),
        "{problem}"
    );
    for sub in [monthly, prepaid] {
        let path = format!("/v1/subscriptions/{sub}/seats");
        let (status, problem) = customer_admin.call(&srv, "PUT", &path, seats(6)).await;
        assert_eq!(
            (status, kind(&problem)),
            (403, "rights_not_delegated"),
            "{problem}"
        );
    }
    let renewal = format!("/v1/subscriptions/{monthly}/renewal");
    let (status, _) = customer_admin
        .call(&srv, "PUT", &renewal, Some(json!({"renewal": "none"})))
        .await;
    assert_eq!(status, 403);
    // ...nor delegate rights to itself.
    let grants = format!("/v1/accounts/{}/grants", customer_admin.id);
    let delegation = json!({"role": "admin", "customer_id": alpha,
                            "rights": {"may_raise_seats": true, "monthly_only": true}});
    assert_eq!(
        customer_admin
            .call(&srv, "POST", &grants, Some(delegation.clone()))
            .await
            .0,
        403
    );

    // Wazo delegates raising monthly subscriptions' seats.
    let (status, grant) = partner_admin
        .call(&srv, "POST", &grants, Some(delegation))
        .await;
    assert_eq!(status, 201, "{grant}");
    let (status, raised) = customer_admin
        .call(
            &srv,
            "PUT",
            &format!("/v1/subscriptions/{monthly}/seats"),
            seats(6),
        )
        .await;
    assert_eq!((status, &raised["seats"]), (200, &json!(6)), "{raised}");
    let (status, problem) = customer_admin
        .call(
            &srv,
            "PUT",
            &format!("/v1/subscriptions/{prepaid}/seats"),
            seats(6),
        )
        .await;
    assert_eq!(
        (status, kind(&problem)),
        (403, "rights_not_delegated"),
        "monthly only"
    );
    let (status, _) = customer_admin
        .call(
            &srv,
            "PUT",
            &format!("/v1/subscriptions/{monthly}/seats"),
            seats(4),
        )
        .await;
    assert_eq!(status, 403, "raising was delegated, not lowering");
    // Wazo's own admin lowers it back, and may change the renewal option.
    let (status, _) = partner_admin
        .call(
            &srv,
            "PUT",
            &format!("/v1/subscriptions/{monthly}/seats"),
            seats(5),
        )
        .await;
    assert_eq!(status, 200);
    let (status, changed) = partner_admin
        .call(&srv, "PUT", &renewal, Some(json!({"renewal": "none"})))
        .await;
    assert_eq!(
        (status, &changed["renewal"]),
        (200, &json!("none")),
        "{changed}"
    );

    // The subscription's history says who did what, by name.
    let (status, history) = customer_admin
        .call(
            &srv,
            "GET",
            &format!("/v1/subscriptions/{monthly}/history"),
            None,
        )
        .await;
    assert_eq!(status, 200);
    let done: Vec<(String, String)> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (s(&e["operation"]), s(&e["done_by"])))
        .collect();
    let who = |op: &str, by: &str| (op.to_owned(), by.to_owned());
    assert!(
        done.contains(&who("subscription.seats", "Cleo <cleo@alpha.test>")),
        "{done:?}"
    );
    assert!(
        done.contains(&who("subscription.seats", "Pat <pat@wazo.test>")),
        "{done:?}"
    );
    assert!(
        done.contains(&who("subscription.renewal", "Pat <pat@wazo.test>")),
        "{done:?}"
    );
    // The vendor's history, filtered by account, by customer, by license.
    let by_cleo = srv
        .items(
            &format!("/v1/history?account_id={}&limit=500", customer_admin.id),
            &vendor,
        )
        .await;
    assert_eq!(
        by_cleo
            .iter()
            .filter(|e| e["operation"] == "member.create")
            .count(),
        60
    );
    assert!(by_cleo
        .iter()
        .all(|e| e["done_by"] == "Cleo <cleo@alpha.test>"));
    let by_token = srv
        .items("/v1/history?operation=customer.allocation", &vendor)
        .await;
    assert!(
        by_token.iter().any(|e| e["done_by"] == "finance"),
        "{by_token:?}"
    );
    // Octopus's tree is not in Wazo's history.
    let (_, wazo_history) = partner_admin
        .call(&srv, "GET", "/v1/history?limit=500", None)
        .await;
    assert!(!wazo_history.to_string().contains(&gamma));
    srv.stop().await;
}

support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    story => the_wazo_story_on_sqlite, the_wazo_story_on_postgres
}
