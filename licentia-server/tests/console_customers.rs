//! The Wazo story through the console's forms (issue 13): finance at the
//! vendor gives a partner 100 seats; the partner's finance admin splits
//! them 60/40 between two customers; an issuer, not finance, trying to
//! raise an allocation is refused with the rule on the page; a customer
//! admin adds members until the allocation refuses and sees consumed vs
//! allocated on their node's page; another customer's admin gets 404 for
//! that node's pages. Then a subscription's status page shows its history
//! and a seat change made there, and becomes the company's default licence;
//! the company's admin edits it and retires a site, behind a confirm page.
//! On SQLite, and on PostgreSQL when `LICENTIA_TEST_POSTGRES` is set.

mod support;

use serde_json::json;
use support::console::{text, Console};
use support::{s, Backend, Server, Wazo};

async fn story(backend: Backend) {
    let srv = Server::start(backend).await;
    let vendor = srv.admin.clone();
    let Wazo {
        product,
        plan,
        wazo,
        alpha,
        beta,
    } = srv.wazo().await;
    let vendor_finance = srv
        .person(
            "Vera",
            "vera@vendor.test",
            json!([{"role": "finance", "customer_id": null}]),
        )
        .await;
    let partner = srv
        .person(
            "Fay",
            "fay@wazo.test",
            json!([{"role": "finance", "customer_id": wazo}, {"role": "admin", "customer_id": wazo}]),
        )
        .await;
    let issuer = srv
        .person(
            "Ivy",
            "ivy@wazo.test",
            json!([{"role": "issuer", "customer_id": wazo}]),
        )
        .await;
    let cleo = srv
        .person(
            "Cleo",
            "cleo@alpha.test",
            json!([{"role": "admin", "customer_id": alpha}]),
        )
        .await;
    let bea = srv
        .person(
            "Bea",
            "bea@beta.test",
            json!([{"role": "admin", "customer_id": beta}]),
        )
        .await;
    let (vera_b, fay_b, ivy_b, cleo_b, bea_b) = (
        Console::of(&srv, &vendor_finance),
        Console::of(&srv, &partner),
        Console::of(&srv, &issuer),
        Console::of(&srv, &cleo),
        Console::of(&srv, &bea),
    );

    // Finance at the vendor gives Wazo 100 seats, from the tree's page.
    let tree = vera_b.get("/customers").await;
    assert_eq!(tree.status, 200);
    assert!(tree.body.contains("action=\"/customers/allocation\""));
    let given = vera_b
        .post(
            "/customers/allocation",
            &[("child", &wazo), ("product", &product), ("seats", "100")],
        )
        .await;
    assert_eq!(
        (given.status, given.location.as_str()),
        (303, "/customers?done=allocation"),
        "{}",
        given.body
    );
    assert_eq!(srv.seats(&vendor, &wazo).await, json!([100, 0, 0, 100]));

    // A form without its CSRF token is refused before anything happens.
    let forged = fay_b
        .post_raw(
            &format!("/customers/{wazo}/allocation"),
            &[("child", &alpha), ("product", &product), ("seats", "60")],
        )
        .await;
    assert_eq!(forged.status, 403);
    assert_eq!(
        srv.seats(&vendor, &alpha).await,
        json!([null, null, null, null])
    );

    // Wazo's finance admin splits them 60/40 from Wazo's page.
    let page = fay_b.get(&format!("/customers/{wazo}")).await;
    assert_eq!(page.status, 200);
    assert!(text(&page.body).contains("Give seats to a child"));
    for (child, seats) in [(&alpha, "60"), (&beta, "40")] {
        let done = fay_b
            .post(
                &format!("/customers/{wazo}/allocation"),
                &[("child", child), ("product", &product), ("seats", seats)],
            )
            .await;
        assert_eq!(done.status, 303, "{}", done.body);
        assert_eq!(done.location, format!("/customers/{wazo}?done=allocation"));
    }
    let page = text(
        &fay_b
            .get(&format!("/customers/{wazo}?done=allocation"))
            .await
            .body,
    );
    assert!(page.contains("The allocation is saved."), "{page}");
    assert!(page.contains("100 of 100 consumed"), "{page}");
    assert!(
        page.contains("60 of 60 consumed") || page.contains("0 of 60 consumed"),
        "{page}"
    );
    assert_eq!(srv.seats(&vendor, &alpha).await, json!([60, 0, 0, 60]));
    assert_eq!(srv.seats(&vendor, &beta).await, json!([40, 0, 0, 40]));

    // A 61st seat for Alpha is not Wazo's to give: the page says the numbers.
    let refused = fay_b
        .post(
            &format!("/customers/{wazo}/allocation"),
            &[("child", &alpha), ("product", &product), ("seats", "61")],
        )
        .await;
    assert_eq!(refused.status, 409);
    let said = text(&refused.body);
    assert!(
        said.contains("The parent holds 100 seats: 100 given to its children, 0 in use, 0 free."),
        "{said}"
    );
    assert!(refused.body.contains("role=\"alert\""));
    assert!(
        refused.body.contains("value=\"61\""),
        "what was typed is kept"
    );
    // Read in French, the same rule with the same numbers.
    let profile = fay_b
        .post(
            "/settings/profile",
            &[("locale", "fr"), ("time_zone", "Europe/Paris")],
        )
        .await;
    assert_eq!(profile.status, 303, "{}", profile.body);
    let refused = fay_b
        .post(
            &format!("/customers/{wazo}/allocation"),
            &[("child", &alpha), ("product", &product), ("seats", "61")],
        )
        .await;
    assert_eq!(refused.status, 409);
    let said = text(&refused.body);
    assert!(
        said.contains(
            "Le parent détient 100 sièges : 100 donnés à ses enfants, 0 utilisés, 0 libres."
        ),
        "{said}"
    );
    let profile = fay_b
        .post(
            "/settings/profile",
            &[("locale", "en"), ("time_zone", "UTC")],
        )
        .await;
    assert_eq!(profile.status, 303, "{}", profile.body);

    // An issuer (not finance) trying to raise is refused with the rule.
    let refused = ivy_b
        .post(
            &format!("/customers/{wazo}/allocation"),
            &[("child", &beta), ("product", &product), ("seats", "45")],
        )
        .await;
    assert_eq!(refused.status, 403);
    assert!(
        text(&refused.body).contains("only the finance role may raise an allocation"),
        "{}",
        refused.body
    );
    assert_eq!(srv.seats(&vendor, &beta).await, json!([40, 0, 0, 40]));

    // A cut goes through a page saying what it does; the issuer may cut.
    let cut = ivy_b
        .post(
            &format!("/customers/{wazo}/allocation"),
            &[("child", &beta), ("product", &product), ("seats", "30")],
        )
        .await;
    assert_eq!(cut.status, 303);
    assert!(cut
        .location
        .starts_with(&format!("/customers/{wazo}/allocation/confirm?")));
    let confirm = ivy_b.get(&cut.location).await;
    assert_eq!(confirm.status, 200);
    assert!(
        text(&confirm.body)
            .contains("Beta will hold 30 seats of wazo-uc instead of 40; 10 go back to this node."),
        "{}",
        text(&confirm.body)
    );
    assert_eq!(
        srv.seats(&vendor, &beta).await,
        json!([40, 0, 0, 40]),
        "nothing yet"
    );
    let done = ivy_b
        .post(
            &format!("/customers/{wazo}/allocation"),
            &[
                ("child", &beta),
                ("product", &product),
                ("seats", "30"),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(srv.seats(&vendor, &beta).await, json!([30, 0, 0, 30]));

    // Alpha's admin adds members until the allocation refuses.
    let (status, _) = cleo
        .call(
            &srv,
            "PUT",
            &format!("/v1/customers/{alpha}/default-plan"),
            Some(json!({"plan_id": plan})),
        )
        .await;
    assert_eq!(status, 200);
    let alpha_page = cleo_b.get(&format!("/customers/{alpha}")).await;
    assert_eq!(alpha_page.status, 200);
    assert!(text(&alpha_page.body).contains("Give a service from the default plan (UC)"));
    for n in 1..=60 {
        let (name, email) = (format!("User {n}"), format!("u{n}@alpha.test"));
        let added = cleo_b
            .post(
                &format!("/customers/{alpha}/members"),
                &[("name", &name), ("email", &email), ("service", "yes")],
            )
            .await;
        assert_eq!(added.status, 303, "member {n}: {}", text(&added.body));
    }
    let refused = cleo_b
        .post(
            &format!("/customers/{alpha}/members"),
            &[
                ("name", "User 61"),
                ("email", "u61@alpha.test"),
                ("service", "yes"),
            ],
        )
        .await;
    assert_eq!(refused.status, 409);
    let said = text(&refused.body);
    assert!(
        said.contains("holds 60 seats of this product: 60 in use, 0 given to its children"),
        "{said}"
    );
    assert!(refused.body.contains("value=\"User 61\""));
    // Without a service, a member still fits.
    let added = cleo_b
        .post(
            &format!("/customers/{alpha}/members"),
            &[("name", "Guest"), ("email", "guest@alpha.test")],
        )
        .await;
    assert_eq!(added.status, 303, "{}", text(&added.body));
    let page = text(
        &cleo_b
            .get(&format!("/customers/{alpha}?done=member"))
            .await
            .body,
    );
    assert!(page.contains("The member is added."));
    assert!(page.contains("60 of 60 consumed"), "{page}");
    assert!(page.contains("61 members"), "{page}");
    assert!(page.contains("UC ★ default plan"), "{page}");
    assert!(page.contains("Guest guest@alpha.test no service"), "{page}");
    let seats = srv.seats(&vendor, &alpha).await;
    assert_eq!(seats, json!([60, 0, 60, 0]));

    // The member's page; unassigning goes through a confirm page and frees a seat.
    let members = srv
        .get(&format!("/v1/customers/{alpha}/members?limit=500"), &vendor)
        .await;
    let first = members["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["email"] == "u1@alpha.test")
        .unwrap();
    let member = s(&first["id"]);
    let page = cleo_b.get(&format!("/members/{member}")).await;
    assert_eq!(page.status, 200);
    assert!(
        text(&page.body).contains("Service UC"),
        "{}",
        text(&page.body)
    );
    let confirm = cleo_b.get(&format!("/members/{member}/unassign")).await;
    assert_eq!(confirm.status, 200);
    assert!(text(&confirm.body).contains("User 1's service will be unassigned"));
    let done = cleo_b
        .post(&format!("/members/{member}/unassign"), &[])
        .await;
    assert_eq!(
        (done.status, done.location.as_str()),
        (303, format!("/members/{member}?done=unassigned").as_str())
    );
    assert_eq!(srv.seats(&vendor, &alpha).await, json!([60, 0, 59, 1]));
    let done = cleo_b.post(&format!("/members/{member}/delete"), &[]).await;
    assert_eq!(done.status, 303);
    assert_eq!(done.location, format!("/customers/{alpha}?done=deleted"));

    // Beta's admin cannot see Alpha's pages: 404, as for nothing at all.
    for path in [
        format!("/customers/{alpha}"),
        format!("/customers/{alpha}/history"),
        format!("/members/{}", s(&members["items"][1]["id"])),
        format!("/customers/{wazo}"),
    ] {
        assert_eq!(bea_b.get(&path).await.status, 404, "{path}");
    }
    let refused = bea_b
        .post(
            &format!("/customers/{alpha}/members"),
            &[("name", "Intruder"), ("email", "x@beta.test")],
        )
        .await;
    assert_eq!(refused.status, 404);
    // And the tree shows Beta only.
    let tree = text(&bea_b.get("/customers").await.body);
    assert!(tree.contains("Beta") && !tree.contains("Alpha"), "{tree}");

    // The partner's tree, a level at a time: its own node with consumed vs
    // allocated and a link to its children; each child the same.
    let top = fay_b.get("/customers").await.body;
    let tree = text(&top);
    assert!(
        tree.contains("Wazo (partner) Children wazo-uc 100 90 0 10"),
        "{tree}"
    );
    assert!(
        !tree.contains("Alpha"),
        "children wait for their link: {tree}"
    );
    let under = format!("/customers?under={wazo}");
    assert!(top.contains(&under.replace('&', "&amp;")), "{top}");
    let tree = text(&fay_b.get(&under).await.body);
    assert!(
        tree.contains("Alpha (customer) Children wazo-uc 60 0 59 1"),
        "{tree}"
    );
    assert!(tree.contains("Up one level"), "{tree}");
    // A part of a name finds the node wherever it sits, in any case.
    let tree = text(&fay_b.get("/customers?name=alph").await.body);
    assert!(
        tree.contains("Alpha (customer) Children wazo-uc 60 0 59 1") && !tree.contains("Wazo ("),
        "{tree}"
    );

    // Alpha's entitlement history names who did what.
    let history = cleo_b.get(&format!("/customers/{alpha}/history")).await;
    assert_eq!(history.status, 200);
    let said = text(&history.body);
    assert!(said.contains("Operation When Done by Details"), "{said}");
    assert!(said.contains("customer.allocation"), "{said}");
    assert!(said.contains("member.create"), "{said}");

    // A subscription's status page: its history, and a seat change made there.
    let (status, made) = partner
        .call(
            &srv,
            "POST",
            "/v1/subscriptions",
            Some(
                json!({"customer_id": alpha, "plan_id": plan, "seats": 5, "billing": "prepaid_1y",
                   "interval": "yearly", "start": "2026-01-01", "renewal": "always",
                   "notice": "1 week before month end"}),
            ),
        )
        .await;
    assert_eq!(status, 201, "{made}");
    let sub = s(&made["subscription"]["id"]);
    let list = text(&fay_b.get("/subscriptions").await.body);
    assert!(list.contains("Alpha (1)"), "{list}");
    assert!(list.contains("UC 5 1 year prepaid"), "{list}");
    let page = fay_b.get(&format!("/subscriptions/{sub}")).await;
    assert_eq!(page.status, 200);
    let said = text(&page.body);
    assert!(said.contains("Renewal ↻ Renews every term"), "{said}");
    assert!(said.contains("Term 1 year prepaid"), "{said}");
    assert!(said.contains("subscription.create"), "{said}");
    let raised = fay_b
        .post(&format!("/subscriptions/{sub}/seats"), &[("seats", "8")])
        .await;
    assert_eq!(
        (raised.status, raised.location.as_str()),
        (303, format!("/subscriptions/{sub}?done=seats").as_str()),
        "{}",
        text(&raised.body)
    );
    let said = text(&fay_b.get(&raised.location).await.body);
    assert!(said.contains("The seats are changed."), "{said}");
    assert!(said.contains("subscription.seats"), "{said}");
    assert!(said.contains("from: 5, to: 8"), "{said}");
    assert!(said.contains("Fay"), "done by: {said}");
    let (_, shown) = partner
        .call(&srv, "GET", &format!("/v1/subscriptions/{sub}"), None)
        .await;
    assert_eq!(shown["seats"], 8);

    // Alpha's admin sees the page without the forms, and a forged cut is
    // refused with the rule.
    let page = cleo_b.get(&format!("/subscriptions/{sub}")).await;
    assert_eq!(page.status, 200);
    assert!(!page
        .body
        .contains(&format!("action=\"/subscriptions/{sub}/seats\"")));
    let refused = cleo_b
        .post(
            &format!("/subscriptions/{sub}/seats"),
            &[("seats", "6"), ("confirm", "yes")],
        )
        .await;
    assert_eq!(refused.status, 403);
    assert!(
        text(&refused.body).contains("the partner's to make, unless it delegated that right"),
        "{}",
        text(&refused.body)
    );
    // Lowering, by the partner, asks first; the renewal option changes at once.
    let cut = fay_b
        .post(&format!("/subscriptions/{sub}/seats"), &[("seats", "6")])
        .await;
    assert_eq!(cut.status, 303);
    assert_eq!(
        cut.location,
        format!("/subscriptions/{sub}/seats/confirm?seats=6")
    );
    let confirm = text(&fay_b.get(&cut.location).await.body);
    assert!(confirm.contains("6 seats instead of 8"), "{confirm}");
    let changed = fay_b
        .post(
            &format!("/subscriptions/{sub}/renewal"),
            &[("renewal", "once")],
        )
        .await;
    assert_eq!(changed.status, 303, "{}", text(&changed.body));
    let said = text(&fay_b.get(&format!("/subscriptions/{sub}")).await.body);
    assert!(said.contains("Renews once"), "{said}");
    let bad = fay_b
        .post(
            &format!("/subscriptions/{sub}/renewal"),
            &[("renewal", "sometimes")],
        )
        .await;
    assert_eq!(bad.status, 422, "{}", text(&bad.body));
    assert_eq!(
        bea_b.get(&format!("/subscriptions/{sub}")).await.status,
        404
    );

    // Alpha's admin makes it the company's default licence (the star):
    // a member added next takes one of its licences, and the page lists
    // the members it serves with the licences left.
    let page = cleo_b.get(&format!("/subscriptions/{sub}")).await;
    assert!(text(&page.body).contains("Members served: 0 of 8 licences, 8 free"));
    assert!(page
        .body
        .contains(&format!("action=\"/subscriptions/{sub}/star\"")));
    let starred = cleo_b
        .post(&format!("/subscriptions/{sub}/star"), &[])
        .await;
    assert_eq!(
        (starred.status, starred.location.as_str()),
        (303, format!("/subscriptions/{sub}?done=star").as_str()),
        "{}",
        text(&starred.body)
    );
    let added = cleo_b
        .post(
            &format!("/customers/{alpha}/members"),
            &[
                ("name", "Sub Scriber"),
                ("email", "sub@alpha.test"),
                ("service", "on"),
            ],
        )
        .await;
    assert_eq!(added.status, 303, "{}", text(&added.body));
    let said = text(
        &cleo_b
            .get(&format!("/subscriptions/{sub}?done=star"))
            .await
            .body,
    );
    assert!(said.contains("is now the default licence"), "{said}");
    assert!(said.contains("default licence of the company"), "{said}");
    assert!(
        said.contains("Members served: 1 of 8 licences, 7 free"),
        "{said}"
    );
    assert!(said.contains("Sub Scriber"), "{said}");
    assert!(said.contains("subscription.default"), "{said}");
    assert!(said.contains("subscription.member_assign"), "{said}");
    // Beta's admin cannot star Alpha's subscription.
    let forged = bea_b.post(&format!("/subscriptions/{sub}/star"), &[]).await;
    assert_eq!(forged.status, 404, "{}", text(&forged.body));

    // Alpha's admin edits Alpha: a bad name comes back with its rule and
    // what was typed; then the reference shows on its page.
    let form = cleo_b.get(&format!("/customers/{alpha}/edit")).await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("value=\"Alpha\""), "{}", form.body);
    let bad = cleo_b
        .post(
            &format!("/customers/{alpha}/edit"),
            &[("name", " "), ("email", ""), ("external_ref", "CRM-9")],
        )
        .await;
    assert_eq!(bad.status, 422, "{}", text(&bad.body));
    assert!(bad.body.contains("aria-invalid=\"true\""), "{}", bad.body);
    assert!(
        bad.body.contains("value=\"CRM-9\""),
        "what was typed is kept"
    );
    let saved = cleo_b
        .post(
            &format!("/customers/{alpha}/edit"),
            &[
                ("name", "Alpha SA"),
                ("email", "it@alpha.test"),
                ("external_ref", "CRM-9"),
            ],
        )
        .await;
    assert_eq!(
        (saved.status, saved.location.as_str()),
        (303, format!("/customers/{alpha}?done=edited").as_str()),
        "{}",
        text(&saved.body)
    );
    let said = text(&cleo_b.get(&saved.location).await.body);
    assert!(said.contains("The changes are saved."), "{said}");
    assert!(
        said.contains("Alpha SA") && said.contains("Reference CRM-9"),
        "{said}"
    );
    assert_eq!(
        bea_b.get(&format!("/customers/{alpha}/edit")).await.status,
        404
    );
    let forged = bea_b
        .post(&format!("/customers/{alpha}/edit"), &[("name", "Mine")])
        .await;
    assert_eq!(forged.status, 404);

    // Retiring asks first, and a node goes after the nodes under it.
    let (status, site) = api_node(&srv, &cleo, "site", "Alpha Lyon", &alpha).await;
    assert_eq!(status, 201, "{site}");
    let site = s(&site["id"]);
    let confirm = text(&cleo_b.get(&format!("/customers/{alpha}/retire")).await.body);
    assert!(
        confirm.contains("The nodes under it must be retired first"),
        "{confirm}"
    );
    let refused = cleo_b
        .post(&format!("/customers/{alpha}/retire"), &[])
        .await;
    assert_eq!(refused.status, 409, "{}", text(&refused.body));
    assert!(
        text(&refused.body).contains("One node under this one is in use: retire it first."),
        "{}",
        text(&refused.body)
    );
    let retired = cleo_b.post(&format!("/customers/{site}/retire"), &[]).await;
    assert_eq!(retired.location, format!("/customers/{site}?done=retired"));
    let said = text(&cleo_b.get(&retired.location).await.body);
    assert!(said.contains("The node is retired"), "{said}");
    assert!(said.contains("Retired on"), "{said}");
    assert!(!said.contains("Edit"), "no edit link once retired: {said}");
    srv.stop().await;
}

support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    story => wazo_through_the_console_sqlite, wazo_through_the_console_postgres
}

/// A node made by `who` under `parent` through the API.
async fn api_node(
    srv: &Server,
    who: &support::Person,
    kind: &str,
    name: &str,
    parent: &str,
) -> (u16, serde_json::Value) {
    who.call(
        srv,
        "POST",
        "/v1/customers",
        Some(json!({"kind": kind, "name": name, "parent_id": parent})),
    )
    .await
}
