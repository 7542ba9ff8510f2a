//! Activation by telephone, through the API: a machine holding an unbound
//! licence file reads its request code; staff where the licence sits
//! answer it (one seat); the product takes the answer code; on SQLite,
//! and on PostgreSQL when `LICENTIA_TEST_POSTGRES` is set.

mod support;

use licentia::short_code::{self, ShortRequest, TypedSecret};
use licentia::Timestamp;
use serde_json::json;
use support::{kind, machine, node, s, Backend, Server};

async fn story(backend: Backend) {
    let srv = Server::start(backend).await;
    let admin = srv.admin.clone();
    let (product, policy) = srv
        .product_and_policy(
            &admin,
            "phone",
            json!({"name": "desk", "binding": "unbound", "seats": 2}),
        )
        .await;
    let c1 = node(&srv, &admin, "customer", "C1", None).await;
    let c2 = node(&srv, &admin, "customer", "C2", None).await;
    let token_at = |node: String| {
        let srv = &srv;
        let admin = admin.clone();
        async move {
            let v = srv
                .post_ok(
                    "/v1/tokens",
                    &admin,
                    json!({"name": format!("admin of {node}"), "role": "admin", "customer_id": node}),
                    201,
                )
                .await;
            s(&v["token"])
        }
    };
    let (c1_admin, c2_admin) = (token_at(c1.clone()).await, token_at(c2.clone()).await);
    let issued = srv
        .post_ok(
            "/v1/licenses",
            &admin,
            json!({"policy_id": policy, "licensee": "C1", "customer_id": c1}),
            201,
        )
        .await;
    let license_id = s(&issued["license"]["id"]);
    let license = srv
        .verifier()
        .await
        .verify(&s(&issued["license"]["file"]))
        .unwrap();

    // The product's secret: its vendor's admins only, the same until rotated.
    let secret_path = format!("/v1/products/{product}/typed-secret");
    let (status, _) = srv.call("GET", &secret_path, Some(&c1_admin), None).await;
    assert!(matches!(status, 403 | 404), "{status}");
    let shown = srv.get(&secret_path, &admin).await;
    assert_eq!(srv.get(&secret_path, &admin).await, shown);
    let secret = TypedSecret::parse(&s(&shown["secret"])).unwrap();

    let path = format!("/v1/licenses/{license_id}/telephone-activations");
    let here = machine("phone", 1);
    let code = ShortRequest::new(&license.id, &here).to_code();
    // A customer admin of another customer does not reach the licence.
    let (status, body) = srv
        .call(
            "POST",
            &path,
            Some(&c2_admin),
            Some(json!({ "code": code })),
        )
        .await;
    assert_eq!(status, 404, "{body}");
    // Read with one character wrong: the group to re-key is named.
    let mut wrong = code.clone().into_bytes();
    wrong[7] = if wrong[7] == b'Q' { b'R' } else { b'Q' };
    let wrong = String::from_utf8(wrong).unwrap();
    let (status, body) = srv
        .call(
            "POST",
            &path,
            Some(&c1_admin),
            Some(json!({ "code": wrong })),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert!(
        s(&body["detail"]).contains("check digit of group 2"),
        "{body}"
    );
    // Another licence's request code.
    let other = ShortRequest::new(&licentia::LicenseId::random(), &here).to_code();
    let (status, body) = srv
        .call(
            "POST",
            &path,
            Some(&c1_admin),
            Some(json!({ "code": other })),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert!(s(&body["detail"]).contains("another licence"), "{body}");

    // The customer's admin answers, as typed (lower case, spaces).
    let typed = code.to_lowercase().replace('-', " ");
    let answered = srv
        .post_ok(
            &path,
            &c1_admin,
            json!({ "code": typed, "valid_days": 10 }),
            201,
        )
        .await;
    let answer = s(&answered["answer"]);
    assert_eq!(answer.split('-').count(), 6, "{answer}");
    let now = Timestamp::now();
    let until = short_code::check(&license, &secret, &code, &answer, &here, now).unwrap();
    assert_eq!(until.0, answered["not_after"].as_i64().unwrap());
    assert!(until > now.add_days(9) && until <= now.add_days(11));
    // The same codes on another machine are refused.
    let elsewhere = short_code::check(&license, &secret, &code, &answer, &machine("phone", 2), now);
    assert!(elsewhere
        .unwrap_err()
        .to_string()
        .contains("another machine"));

    let license_path = format!("/v1/licenses/{license_id}");
    let seats = || async { srv.get(&license_path, &admin).await["seats_used"].clone() };
    assert_eq!(seats().await, 1);
    // The same machine again (a new request): no second seat.
    let again = ShortRequest::new(&license.id, &here).to_code();
    srv.post_ok(&path, &c1_admin, json!({ "code": again }), 201)
        .await;
    assert_eq!(seats().await, 1);
    // A second machine takes the second seat; a third finds none.
    let second = ShortRequest::new(&license.id, &machine("phone", 2)).to_code();
    srv.post_ok(&path, &c1_admin, json!({ "code": second }), 201)
        .await;
    assert_eq!(seats().await, 2);
    let third = ShortRequest::new(&license.id, &machine("phone", 3)).to_code();
    let (status, body) = srv
        .call(
            "POST",
            &path,
            Some(&c1_admin),
            Some(json!({ "code": third })),
        )
        .await;
    assert_eq!((status, kind(&body)), (409, "no_seat_available"), "{body}");

    // The activation is listed as offline, from the telephone; the
    // revocation list still builds once it is given back.
    let listed = srv
        .get(&format!("/v1/licenses/{license_id}/activations"), &admin)
        .await;
    let phoned = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == answered["activation_id"])
        .expect("the telephone activation");
    assert_eq!(
        (&phoned["platform"], &phoned["mode"]),
        (&json!("telephone"), &json!("offline"))
    );
    srv.call(
        "DELETE",
        &format!("/v1/activations/{}", s(&phoned["id"])),
        Some(&admin),
        None,
    )
    .await;
    let (status, body) = srv
        .call(
            "GET",
            "/v1/revocation-list?product=phone",
            Some(&admin),
            None,
        )
        .await;
    assert!(status < 300, "{status} {body}");

    // Rotation: a new secret, under which the old answer no longer holds;
    // neither secret is ever in the history.
    let rotated = srv
        .post_ok(&format!("{secret_path}/rotate"), &admin, json!({}), 200)
        .await;
    assert_ne!(rotated["secret"], shown["secret"]);
    let new_secret = TypedSecret::parse(&s(&rotated["secret"])).unwrap();
    let stale = short_code::check(&license, &new_secret, &code, &answer, &here, now);
    assert!(stale
        .unwrap_err()
        .to_string()
        .contains("not an answer to this request"));
    let history = srv.get("/v1/history?limit=200", &admin).await.to_string();
    assert!(history.contains("product.typed_secret.rotate"), "{history}");
    for shown in [&shown, &rotated] {
        assert!(!history.contains(&s(&shown["secret"])));
    }
    srv.stop().await;
}

support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    story => telephone_sqlite, telephone_postgres
}
