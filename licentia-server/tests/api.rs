//! The back office over a real socket: every route and role restriction, on
//! SQLite, and on PostgreSQL when `LICENTIA_TEST_POSTGRES` is set.

mod support;

use licentia::{ActivationRequest, Context, LicenseRef, State, Timestamp, Verifier};
use serde_json::{json, Value};
use support::{items, machine, node, s, Backend, Server};

const PRODUCT: &str = "acme-cad";

/// A schema of the document, its `$ref` followed into the components.
fn resolve<'d>(doc: &'d Value, schema: &'d Value) -> &'d Value {
    match schema["$ref"].as_str() {
        Some(r) => &doc["components"]["schemas"][r.trim_start_matches("#/components/schemas/")],
        None => schema,
    }
}

async fn story(backend: Backend) {
    let srv = Server::start(backend).await;
    let admin = srv.admin.clone();

    // Health and the OpenAPI document, which lists every route.
    assert_eq!(srv.call("GET", "/healthz", None, None).await.0, 200);
    assert_eq!(srv.call("GET", "/readyz", None, None).await.0, 200);
    let (_, doc) = srv.call("GET", "/v1/openapi.json", None, None).await;
    for route in licentia_server::routes() {
        if matches!(route.method, "post" | "put" | "patch")
            && !matches!(
                route.path,
                "/v1/keys/rotate"
                    | "/v1/keys/{id}/retire"
                    | "/v1/products/{id}/retire"
                    | "/v1/products/{id}/typed-secret/rotate"
                    | "/v1/policies/{id}/retire"
                    | "/v1/plans/{id}/retire"
                    | "/v1/customers/{id}/retire"
                    | "/v1/follow-ups/{id}/close"
                    | "/v1/accounts/{id}/invitation"
                    | "/v1/session/totp"
            )
        {
            let body = &doc["paths"][route.path][route.method]["requestBody"];
            // JSON bodies list their fields; CSV imports say text/csv.
            let json = resolve(&doc, &body["content"]["application/json"]["schema"]);
            assert!(
                json["properties"].is_object() || body["content"]["text/csv"]["schema"].is_object(),
                "{} {} has no request schema",
                route.method,
                route.path
            );
        }
        let operation = &doc["paths"][route.path][route.method];
        assert!(
            operation.is_object(),
            "{} {} undocumented",
            route.method,
            route.path
        );
        // Every answer is typed: a JSON schema (or CSV, or the metrics' text) under its status.
        let answers: Vec<(&String, &Value)> = operation["responses"]
            .as_object()
            .unwrap()
            .iter()
            .filter(|(status, _)| status.starts_with('2'))
            .collect();
        assert!(
            !answers.is_empty(),
            "{} {} has no answer",
            route.method,
            route.path
        );
        for (status, answer) in answers {
            assert!(
                matches!(status.as_str(), "200" | "201"),
                "{} {}: {status}",
                route.method,
                route.path
            );
            let content = &answer["content"];
            let json = resolve(&doc, &content["application/json"]["schema"]);
            assert!(
                json.is_object()
                    || content["text/csv"]["schema"].is_object()
                    || content["text/plain"]["schema"].is_object(),
                "{} {} answers {status} without a schema",
                route.method,
                route.path
            );
        }
        // Every documented route exists: never the router's own 404/405.
        let path = route.path.replace("{id}", "nothing");
        let (status, body) = srv
            .call(&route.method.to_uppercase(), &path, None, None)
            .await;
        assert!(
            body["type"]
                .as_str()
                .is_none_or(|t| !t.ends_with("no_route") && !t.ends_with("method_not_allowed")),
            "{path}: {status} {body}"
        );
    }
    let (status, body) = srv.call("GET", "/v1/nowhere", None, None).await;
    assert_eq!(
        (status, s(&body["type"]).ends_with("no_route")),
        (404, true)
    );
    assert_eq!(
        srv.call("PATCH", "/v1/licenses", Some(&admin), None)
            .await
            .0,
        405
    );

    // Tokens: admin only; unknown and revoked tokens are 401.
    let [issuer, finance, auditor] = srv.tokens(["issuer", "finance", "auditor"]).await;
    let make_admin = json!({"name": "x", "role": "admin"});
    srv.answers(vec![
        ("GET", "/v1/products", None, None, 401),
        ("GET", "/v1/products", Some("lic_nope"), None, 401),
        ("POST", "/v1/tokens", Some(&issuer), Some(make_admin), 403),
        ("GET", "/v1/tokens", Some(&auditor), None, 403),
    ])
    .await;
    let (status, tokens) = srv.call("GET", "/v1/tokens", Some(&admin), None).await;
    assert_eq!((status, items(&tokens).len()), (200, 4));
    assert!(
        !tokens.to_string().contains(&issuer),
        "a token is shown once only"
    );
    let doomed = srv
        .post_ok(
            "/v1/tokens",
            &admin,
            json!({"name": "doomed", "role": "auditor"}),
            201,
        )
        .await;
    let (doomed, path) = (
        s(&doomed["token"]),
        format!("/v1/tokens/{}", s(&doomed["record"]["id"])),
    );
    srv.answers(vec![
        ("GET", "/v1/products", Some(&doomed), None, 200),
        ("DELETE", &path, Some(&issuer), None, 403),
        ("DELETE", &path, Some(&admin), None, 200),
        ("GET", "/v1/products", Some(&doomed), None, 401),
        ("DELETE", &path, Some(&admin), None, 404),
    ])
    .await;

    // Products and policies.
    for token in [&auditor, &finance] {
        let product = json!({"code": "x", "name": "x"});
        let (status, _) = srv
            .call("POST", "/v1/products", Some(token), Some(product))
            .await;
        assert_eq!(status, 403);
    }
    let (product_id, policy_id) = srv
        .product_and_policy(&issuer, PRODUCT, json!({
            "name": "pro", "binding": "node-locked", "seats": 2, "duration_days": 365,
            "check_in_days": 30, "max_offline_days": 7, "entitlements": ["export"], "temp_quota": 1
        }))
        .await;
    let again = json!({"code": PRODUCT, "name": "again"});
    let (status, _) = srv
        .call("POST", "/v1/products", Some(&issuer), Some(again))
        .await;
    assert_eq!(status, 409);
    let shown = srv.get(&format!("/v1/products/{PRODUCT}"), &auditor).await;
    assert_eq!(s(&shown["id"]), product_id);
    let listed = srv.get("/v1/products", &finance).await;
    assert_eq!(items(&listed).len(), 1);
    let bad_policy = json!({"product_id": product_id, "name": "bad", "binding": "telepathic"});
    let (status, _) = srv
        .call("POST", "/v1/policies", Some(&issuer), Some(bad_policy))
        .await;
    assert_eq!(status, 422);
    let policies = srv
        .get(&format!("/v1/policies?product_id={product_id}"), &auditor)
        .await;
    assert_eq!(items(&policies).len(), 1);
    srv.get(&format!("/v1/policies/{policy_id}"), &auditor)
        .await;

    // The customer tree: partner -> customer -> site.
    let partner = node(&srv, &issuer, "partner", "Resell Ltd", None).await;
    let customer = node(&srv, &issuer, "customer", "Acme Corp", Some(&partner)).await;
    let site = node(&srv, &issuer, "site", "Berlin", Some(&customer)).await;
    let misplaced = json!({"kind": "site", "name": "x", "parent_id": partner});
    let another = json!({"kind": "partner", "name": "x"});
    srv.answers(vec![
        ("POST", "/v1/customers", Some(&issuer), Some(misplaced), 422),
        ("POST", "/v1/customers", Some(&auditor), Some(another), 403),
    ])
    .await;
    let children = srv
        .get(&format!("/v1/customers?parent_id={partner}"), &auditor)
        .await;
    assert_eq!(children["items"][0]["id"], json!(customer));
    let sites = srv.get("/v1/customers?kind=site", &auditor).await;
    assert_eq!(items(&sites).len(), 1);
    srv.get(&format!("/v1/customers/{site}"), &finance).await;

    // Issue, with an Idempotency-Key: a retry gets the first answer.
    let issue = json!({"policy_id": policy_id, "licensee": "Jane Doe", "customer_id": site});
    for token in [&auditor, &finance] {
        let (status, _) = srv
            .call("POST", "/v1/licenses", Some(token), Some(issue.clone()))
            .await;
        assert_eq!(status, 403);
    }
    let issue_once = |body: Value| srv.post_keyed("/v1/licenses", &issuer, body, "issue-0001");
    let (status, first) = issue_once(issue.clone()).await;
    assert_eq!(status, 201, "{first}");
    let (status, again) = issue_once(issue.clone()).await;
    assert_eq!((status, &again), (201, &first));
    let mut other = issue.clone();
    other["licensee"] = json!("Someone Else");
    assert_eq!(issue_once(other).await.0, 422);
    let license_id = s(&first["license"]["id"]);
    let key = s(&first["license_key"]);
    assert!(
        first["license"]["file"].is_null(),
        "a node-locked license gets its file at activation"
    );
    let all = srv.get("/v1/licenses", &auditor).await;
    assert_eq!(items(&all).len(), 1, "the retry issued nothing");
    assert!(
        !all.to_string().contains(&key),
        "the key is shown once only"
    );

    // Activation: a machine-locked file per machine, one seat each.
    let verifier = srv.verifier().await;
    let activate = |n: usize| json!({"license_key": key, "fingerprint": machine(PRODUCT, n).to_string(), "platform": "linux-x86_64"});
    let (status, a1) = srv
        .call("POST", "/v1/activations", None, Some(activate(1)))
        .await;
    assert_eq!(status, 201, "{a1}");
    let license = verifier.verify(&s(&a1["license_file"])).unwrap();
    assert_eq!(license.id.to_string(), license_id);
    let now = Timestamp::now();
    let ctx = Context::new(now, PRODUCT);
    assert_eq!(
        license.check(&ctx.machine(&machine(PRODUCT, 1))).state,
        State::Valid
    );
    assert_eq!(
        license.check(&ctx.machine(&machine(PRODUCT, 2))).state,
        State::Invalid
    );
    let (_, again) = srv
        .call("POST", "/v1/activations", None, Some(activate(1)))
        .await;
    assert_eq!(
        again["activation_id"], a1["activation_id"],
        "the same machine takes no second seat"
    );
    let (_, a2) = srv
        .call("POST", "/v1/activations", None, Some(activate(2)))
        .await;
    let (status, full) = srv
        .call("POST", "/v1/activations", None, Some(activate(3)))
        .await;
    assert_eq!(
        (status, full["seats"].as_i64(), full["seats_used"].as_i64()),
        (409, Some(2), Some(2)),
        "{full}"
    );
    assert!(s(&full["type"]).ends_with("no_seat_available"));
    let (status, when_full) = srv
        .call("POST", "/v1/activations", None, Some(activate(1)))
        .await;
    assert_eq!(
        (status, &when_full["activation_id"]),
        (201, &a1["activation_id"]),
        "a known machine re-activates when all seats are taken"
    );
    let mut wrong = activate(3);
    wrong["license_key"] = json!("AAAAA-AAAAA-AAAAA-AAAAA-AAAAA-AAAAA");
    assert!(matches!(
        srv.call("POST", "/v1/activations", None, Some(wrong))
            .await
            .0,
        400 | 401
    ));
    let shown = srv
        .get(&format!("/v1/licenses/{license_id}"), &auditor)
        .await;
    assert_eq!(shown["seats_used"], 2);
    let acts = srv
        .get(&format!("/v1/licenses/{license_id}/activations"), &auditor)
        .await;
    assert_eq!(items(&acts).len(), 2);

    // Deactivation frees the seat: by the product's key, or by staff.
    let a2_path = format!("/v1/activations/{}", s(&a2["activation_id"]));
    let kh = [("X-License-Key", key.as_str())];
    assert_eq!(srv.call("DELETE", &a2_path, None, None).await.0, 401);
    assert_eq!(
        srv.call("DELETE", &a2_path, Some(&auditor), None).await.0,
        403
    );
    assert_eq!(
        srv.call_at(&srv.base, "DELETE", &a2_path, None, None, &kh)
            .await
            .0,
        200
    );
    assert_eq!(
        srv.call_at(&srv.base, "DELETE", &a2_path, None, None, &kh)
            .await
            .0,
        404
    );
    let (status, a3) = srv
        .call("POST", "/v1/activations", None, Some(activate(3)))
        .await;
    assert_eq!(status, 201);
    assert_eq!(
        srv.call(
            "DELETE",
            &format!("/v1/activations/{}", s(&a3["activation_id"])),
            Some(&issuer),
            None
        )
        .await
        .0,
        200
    );
    assert_eq!(
        srv.call("POST", "/v1/activations", None, Some(activate(3)))
            .await
            .0,
        201
    );

    // Check-in refreshes an activated machine's file.
    let check_in =
        |n: usize| json!({"license_key": key, "fingerprint": machine(PRODUCT, n).to_string()});
    let (status, ci) = srv
        .call("POST", "/v1/check-ins", None, Some(check_in(1)))
        .await;
    assert_eq!(status, 200, "{ci}");
    assert_eq!(
        verifier
            .verify(&s(&ci["license_file"]))
            .unwrap()
            .id
            .to_string(),
        license_id
    );
    assert_eq!(
        srv.call("POST", "/v1/check-ins", None, Some(check_in(9)))
            .await
            .0,
        409
    );

    // A temporary license for a replacement machine: no seat, quota 1 per period.
    let (status, temp) = srv
        .call("POST", "/v1/temporary-licenses", None, Some(check_in(9)))
        .await;
    assert_eq!(status, 201, "{temp}");
    let temporary = verifier.verify(&s(&temp["license_file"])).unwrap();
    assert_eq!(temporary.kind.name(), "temporary");
    assert_eq!(
        temporary.check(&ctx.machine(&machine(PRODUCT, 9))).state,
        State::Valid
    );
    let (status, quota) = srv
        .call("POST", "/v1/temporary-licenses", None, Some(check_in(8)))
        .await;
    assert_eq!((status, quota["quota"].as_i64()), (409, Some(1)));

    // Suspend and reinstate: a suspended license neither activates nor checks in.
    let lic_path = format!("/v1/licenses/{license_id}");
    let (suspend, unpaid) = (format!("{lic_path}/suspend"), json!({"reason": "unpaid"}));
    srv.answers(vec![
        ("POST", &suspend, Some(&auditor), None, 403),
        ("POST", &suspend, Some(&issuer), Some(unpaid), 200),
        ("POST", &suspend, Some(&issuer), None, 409),
    ])
    .await;
    let (status, refused) = srv
        .call("POST", "/v1/check-ins", None, Some(check_in(1)))
        .await;
    assert_eq!(
        (status, s(&refused["type"]).ends_with("license_suspended")),
        (409, true)
    );
    // Refused before the transaction (the API's check) or inside it (the
    // store's), a license's status answers the same problem.
    assert_eq!(refused["license_status"], "suspended");
    let (status, refused) = srv
        .call("POST", "/v1/activations", None, Some(activate(1)))
        .await;
    assert_eq!(
        (status, s(&refused["type"]), &refused["license_status"]),
        (
            409,
            "https://licentia.dev/problems/license_suspended".to_owned(),
            &json!("suspended")
        )
    );
    let reinstate = format!("{lic_path}/reinstate");
    srv.answers(vec![
        ("POST", &reinstate, Some(&issuer), None, 200),
        ("POST", "/v1/check-ins", None, Some(check_in(1)), 200),
    ])
    .await;

    // Seats: only finance raises; nobody lowers below the seats in use.
    let seats = format!("{lic_path}/seats");
    for (token, n, want) in [
        (&issuer, 5, 403),
        (&admin, 5, 403),
        (&finance, 5, 200),
        (&issuer, 1, 409),
        (&issuer, 4, 200),
    ] {
        let (status, body) = srv
            .call("PUT", &seats, Some(token), Some(json!({"seats": n})))
            .await;
        assert_eq!(status, want, "{n} seats: {body}");
    }

    // Entitlements, then renewal by token for the machine's file, and by file.
    let entitlements = format!("{lic_path}/entitlements");
    let features = json!({"features": ["export", "render=4"]});
    let (status, ent) = srv
        .call("PUT", &entitlements, Some(&issuer), Some(features))
        .await;
    assert_eq!(
        (status, ent["spec"]["features"][1].as_str()),
        (200, Some("render=4"))
    );
    let none = json!({"features": []});
    let (status, _) = srv
        .call("PUT", &entitlements, Some(&auditor), Some(none))
        .await;
    assert_eq!(status, 403);
    let renew = format!("{lic_path}/renew");
    let by_token =
        json!({"expires": "2031-01-01", "mode": "token", "activation_id": a1["activation_id"]});
    let (status, _) = srv
        .call("POST", &renew, Some(&auditor), Some(by_token.clone()))
        .await;
    assert_eq!(status, 403);
    let (status, renewed) = srv
        .call("POST", &renew, Some(&finance), Some(by_token))
        .await;
    assert_eq!(status, 200, "{renewed}");
    let token = verifier
        .verify_renewal(&s(&renewed["renewal_token"]))
        .unwrap();
    let a1_now = srv.get(&format!("{lic_path}/activations"), &auditor).await;
    let held = items(&a1_now)
        .iter()
        .find(|a| a["id"] == a1["activation_id"])
        .unwrap();
    let mut held = verifier.verify(&s(&held["file"])).unwrap();
    held.apply_renewal(&token).unwrap();
    assert_eq!(
        held.terms.hard_expiry,
        Some(Timestamp::parse("2031-01-01").unwrap())
    );
    srv.post_ok(&renew, &issuer, json!({"expires": "2032-01-01"}), 200)
        .await;
    let shown = srv.get(&lic_path, &auditor).await;
    assert_eq!(
        shown["expires_at"].as_i64(),
        Some(Timestamp::parse("2032-01-01").unwrap().0)
    );
    let (status, fresh) = srv
        .call("POST", "/v1/activations", None, Some(activate(4)))
        .await;
    assert_eq!(status, 201);
    assert_eq!(
        verifier.verify(&s(&fresh["license_file"])).unwrap().seats,
        4,
        "files carry the current seat count"
    );
    assert_eq!(
        verifier
            .verify(&s(&fresh["license_file"]))
            .unwrap()
            .terms
            .hard_expiry,
        Some(Timestamp::parse("2032-01-01").unwrap())
    );

    // Offline activation: request document in, answer out, accepted by the machine.
    let request = ActivationRequest::new(
        PRODUCT,
        LicenseRef::Key(key.clone()),
        machine(PRODUCT, 5),
        Timestamp::now(),
    );
    let body = json!({"request": request.to_armor()});
    let offline = "/v1/activations/offline";
    let (status, _) = srv
        .call("POST", offline, Some(&auditor), Some(body.clone()))
        .await;
    assert_eq!(status, 403);
    let (status, answer) = srv.call("POST", offline, Some(&issuer), Some(body)).await;
    assert_eq!(status, 201, "{answer}");
    let accepted = request
        .accept(&s(&answer["answer"]), &verifier, Timestamp::now())
        .unwrap();
    assert_eq!(accepted.license.id.to_string(), license_id);
    // Its typed code, as read over the telephone, is taken too; one
    // character mistyped is refused naming the group to re-key.
    // (The same machine again: every seat is taken.)
    let typed = ActivationRequest::new(
        PRODUCT,
        LicenseRef::Key(key.clone()),
        machine(PRODUCT, 5),
        Timestamp::now(),
    );
    let code = typed.to_typed().to_lowercase().replace('-', " ");
    let (status, answer) = srv
        .call(
            "POST",
            offline,
            Some(&issuer),
            Some(json!({"request": code})),
        )
        .await;
    assert_eq!(status, 201, "{answer}");
    let accepted = typed
        .accept(&s(&answer["answer"]), &verifier, Timestamp::now())
        .unwrap();
    assert_eq!(accepted.license.id.to_string(), license_id);
    let mut wrong: Vec<char> = typed.to_typed().chars().collect();
    wrong[1] = if wrong[1] == '7' { '8' } else { '7' };
    let wrong: String = wrong.into_iter().collect();
    let (status, refused) = srv
        .call(
            "POST",
            offline,
            Some(&issuer),
            Some(json!({"request": wrong})),
        )
        .await;
    assert_eq!(status, 422, "{refused}");
    assert!(
        s(&refused["detail"]).contains("check digit of group 1"),
        "{refused}"
    );
    let nonsense = json!({"request": "not a request"});
    let (status, _) = srv
        .call("POST", offline, Some(&issuer), Some(nonsense))
        .await;
    assert_eq!(status, 422);

    // Floating licenses lease seats; expired leases free theirs by themselves.
    let floating_policy = srv.post_ok("/v1/policies", &issuer, json!({
        "product_id": product_id, "name": "floating", "binding": "floating", "seats": 2, "lease_ttl_secs": 3600
    }), 201).await;
    let (floating_id, fkey) = srv.issue(&srv.admin, &s(&floating_policy["id"])).await;
    let fl = srv
        .get(&format!("/v1/licenses/{floating_id}"), &auditor)
        .await;
    assert!(verifier.verify(&s(&fl["file"])).is_ok());
    let lease =
        |n: usize| json!({"license_key": fkey, "fingerprint": machine(PRODUCT, n).to_string()});
    let (status, _) = srv
        .call("POST", "/v1/activations", None, Some(lease(1)))
        .await;
    assert_eq!(status, 409);
    let (status, l1) = srv.call("POST", "/v1/leases", None, Some(lease(1))).await;
    assert_eq!(status, 201, "{l1}");
    let leased = verifier.verify_lease(&s(&l1["lease"])).unwrap();
    assert!(leased.is_lease());
    assert!(
        verifier.verify(&s(&l1["lease"])).is_err(),
        "a lease never passes for a license file"
    );
    let (_, l2) = srv.call("POST", "/v1/leases", None, Some(lease(2))).await;
    let l2_path = format!("/v1/leases/{}", s(&l2["lease_id"]));
    let (heartbeat, beat) = (format!("{l2_path}/heartbeat"), json!({"license_key": fkey}));
    srv.answers(vec![
        ("POST", "/v1/leases", None, Some(lease(3)), 409),
        ("POST", &heartbeat, None, Some(beat), 200),
        ("DELETE", &l2_path, None, None, 401),
    ])
    .await;
    let fkh = [("X-License-Key", fkey.as_str())];
    for want in [200, 404] {
        let (status, body) = srv
            .call_at(&srv.base, "DELETE", &l2_path, None, None, &fkh)
            .await;
        assert_eq!(status, want, "{body}");
    }
    srv.answers(vec![
        ("POST", "/v1/leases", None, Some(lease(3)), 201),
        ("POST", "/v1/leases", None, Some(lease(4)), 409),
    ])
    .await;
    // Leases that lapse free their seats with no call at all (2-second leases).
    let short = srv.post_ok("/v1/policies", &issuer, json!({
        "product_id": product_id, "name": "short", "binding": "floating", "seats": 1, "lease_ttl_secs": 2
    }), 201).await;
    let (_, skey) = srv.issue(&srv.admin, &s(&short["id"])).await;
    let short_lease =
        |n: usize| json!({"license_key": skey, "fingerprint": machine(PRODUCT, n).to_string()});
    let (_, gone) = srv
        .call("POST", "/v1/leases", None, Some(short_lease(1)))
        .await;
    let (status, _) = srv
        .call("POST", "/v1/leases", None, Some(short_lease(2)))
        .await;
    assert_eq!(status, 409);
    tokio::time::sleep(std::time::Duration::from_millis(3100)).await;
    let heartbeat = format!("/v1/leases/{}/heartbeat", s(&gone["lease_id"]));
    let beat = json!({"license_key": skey});
    srv.answers(vec![
        ("POST", "/v1/leases", None, Some(short_lease(2)), 201),
        ("POST", &heartbeat, None, Some(beat), 409),
    ])
    .await;

    // Revocation: the signed list grows, and the license stops working.
    let list_path = format!("/v1/revocation-list?product={PRODUCT}");
    let (_, before) = srv.call("GET", &list_path, None, None).await;
    let (revoke, fraud) = (format!("{lic_path}/revoke"), json!({"reason": "fraud"}));
    srv.answers(vec![
        ("POST", &revoke, Some(&auditor), None, 403),
        ("POST", &revoke, Some(&issuer), Some(fraud), 200),
        ("POST", &reinstate, Some(&issuer), None, 409),
    ])
    .await;
    let (_, list) = srv.call("GET", &list_path, None, None).await;
    assert!(list["sequence"].as_i64() > before["sequence"].as_i64());
    let revocations = verifier
        .verify_revocation_list(&s(&list["document"]), PRODUCT)
        .unwrap();
    assert!(revocations.revokes_license(&licentia::LicenseId::parse(&license_id).unwrap()));
    let (status, refused) = srv
        .call("POST", "/v1/activations", None, Some(activate(6)))
        .await;
    assert_eq!(
        (status, s(&refused["type"]).ends_with("license_revoked")),
        (409, true)
    );
    assert_eq!(refused["license_status"], "revoked");
    srv.answers(vec![
        (
            "POST",
            "/v1/temporary-licenses",
            None,
            Some(check_in(7)),
            409,
        ),
        (
            "GET",
            "/v1/revocation-list?product=unknown",
            None,
            None,
            404,
        ),
    ])
    .await;

    // Lists: pagination and filters.
    let page = srv.get("/v1/licenses?limit=1", &auditor).await;
    assert_eq!(items(&page).len(), 1);
    let page = srv.get("/v1/licenses?limit=1&offset=1", &auditor).await;
    assert_eq!(items(&page).len(), 1);
    // Page by page along the `next` cursors: every licence once, in the
    // list's order, and the last page says there is none after it; `prev`
    // leads back to the page before.
    let whole: Vec<Value> = items(&srv.get("/v1/licenses?limit=500", &auditor).await)
        .iter()
        .map(|l| l["id"].clone())
        .collect();
    assert!(whole.len() >= 3, "{whole:?}");
    let mut walked = Vec::new();
    let mut pages = Vec::new();
    let mut at = srv.get("/v1/licenses?limit=2", &auditor).await;
    assert_eq!(at["prev"], Value::Null, "the first page has none before it");
    loop {
        walked.extend(items(&at).iter().map(|l| l["id"].clone()));
        pages.push(at.clone());
        let Some(next) = at["next"].as_str() else {
            break;
        };
        at = srv
            .get(&format!("/v1/licenses?limit=2&after={next}"), &auditor)
            .await;
    }
    assert_eq!(walked, whole);
    let second = &pages[1];
    let back = srv
        .get(
            &format!("/v1/licenses?limit=2&before={}", s(&second["prev"])),
            &auditor,
        )
        .await;
    assert_eq!(items(&back), items(&pages[0]));
    srv.answers(vec![
        (
            "GET",
            "/v1/licenses?after=bm90LWEtY3Vyc29y",
            Some(&auditor),
            None,
            422,
        ),
        (
            "GET",
            "/v1/licenses?after=%00%ff",
            Some(&auditor),
            None,
            422,
        ),
        (
            "GET",
            "/v1/licenses?offset=10001",
            Some(&auditor),
            None,
            400,
        ),
        (
            "GET",
            "/v1/licenses?offset=1&after=x",
            Some(&auditor),
            None,
            400,
        ),
        (
            "GET",
            "/v1/history?after=WyJ4Il0",
            Some(&auditor),
            None,
            422,
        ),
        // A cursor of the licences read against the history.
        (
            "GET",
            &format!("/v1/history?after={}", s(&second["prev"])),
            Some(&auditor),
            None,
            422,
        ),
    ])
    .await;
    let revoked = srv.get("/v1/licenses?status=revoked", &auditor).await;
    assert_eq!(revoked["items"][0]["id"], json!(license_id));
    let by_customer = srv
        .get(&format!("/v1/licenses?customer_id={}", site), &auditor)
        .await;
    assert_eq!(items(&by_customer).len(), 1);
    let soon = srv
        .get("/v1/licenses?expires_before=2020-01-01", &auditor)
        .await;
    assert_eq!(items(&soon).len(), 0);
    srv.answers(vec![
        ("GET", "/v1/licenses?limit=0", Some(&auditor), None, 400),
        ("GET", "/v1/licenses?limit=many", Some(&auditor), None, 400),
    ])
    .await;

    // History: per license, per customer, global, and the chain holds.
    let lic_history = srv.get(&format!("{lic_path}/history"), &auditor).await;
    let ops: Vec<String> = items(&lic_history)
        .iter()
        .map(|e| s(&e["operation"]))
        .collect();
    for op in [
        "license.issue",
        "activation.create",
        "activation.delete",
        "license.suspend",
        "license.reinstate",
        "license.seats",
        "license.renew",
        "activation.offline",
        "temporary.create",
        "license.revoke",
    ] {
        assert!(ops.iter().any(|o| o == op), "{op} missing from {ops:?}");
    }
    assert!(items(&lic_history)
        .iter()
        .all(|e| e["license_id"] == json!(license_id)));
    let cust_history = srv
        .get(&format!("/v1/customers/{site}/history"), &auditor)
        .await;
    assert!(items(&cust_history)
        .iter()
        .any(|e| e["operation"] == "license.issue"));
    let filtered = srv
        .get("/v1/history?operation=lease.checkout", &finance)
        .await;
    assert_eq!(items(&filtered).len(), 5);
    assert!(srv.chain_length(&auditor, 7).await > 40);

    // Key rotation: new documents use the new key, which the old one endorses.
    let (status, _) = srv
        .call("POST", "/v1/keys/rotate", Some(&issuer), None)
        .await;
    assert_eq!(status, 403);
    let (status, keys) = srv
        .call("POST", "/v1/keys/rotate", Some(&admin), None)
        .await;
    assert_eq!(status, 201);
    let keys = items(&keys).clone();
    assert_eq!(keys.len(), 2);
    let old = keys.iter().find(|k| k["state"] == "trusted").unwrap();
    let new = keys.iter().find(|k| k["state"] == "active").unwrap();
    let mut field = Verifier::new([licentia::PublicKey::from_pem(&s(&old["public_pem"])).unwrap()]);
    let (_, lic2) = srv
        .call_at(
            &srv.base,
            "POST",
            "/v1/licenses",
            Some(&admin),
            Some(json!({"policy_id": floating_policy["id"], "licensee": "Rot Ation"})),
            &[],
        )
        .await;
    let file = s(&lic2["license"]["file"]);
    assert!(field.verify(&file).is_err(), "signed by the new key");
    field.accept_rollover(&s(&new["rollover"])).unwrap();
    assert!(
        field.verify(&file).is_ok(),
        "trusted through the rollover statement"
    );

    srv.stop().await;
}

support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    story => every_route_and_role_on_sqlite, every_route_and_role_on_postgres
}

async fn bad_input(backend: Backend) {
    let srv = Server::start(backend).await;
    let admin = srv.admin.clone();
    let raw = |method: &str, path: &str, body: &str, ctype: &str| {
        let req = srv
            .client
            .request(
                reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
                format!("{}{path}", srv.base),
            )
            .bearer_auth(&admin)
            .header("content-type", ctype.to_owned())
            .body(body.to_owned());
        async move {
            let resp = req.send().await.unwrap();
            let status = resp.status().as_u16();
            let ctype = resp
                .headers()
                .get("content-type")
                .map(|v| v.to_str().unwrap().to_owned());
            let text = resp.text().await.unwrap();
            if status >= 400 {
                assert!(status < 500, "{status} {text}");
                assert_eq!(
                    ctype.as_deref(),
                    Some("application/problem+json"),
                    "{status} {text}"
                );
                let doc: Value = serde_json::from_str(&text).unwrap();
                assert_eq!(doc["status"].as_u64(), Some(u64::from(status)));
            }
            status
        }
    };
    let json = "application/json";
    let huge = format!("{{\"code\": \"a\", \"name\": \"{}\"}}", "x".repeat(200_000));
    for (request, body, want) in [
        ("POST /v1/products", r#"{"code": "#, 400),
        ("POST /v1/products", "not json at all", 400),
        ("POST /v1/products", r#"{"code": 5, "name": "x"}"#, 422),
        (
            "POST /v1/products",
            r#"{"code": "a", "name": "x", "admin": true}"#,
            422,
        ),
        ("POST /v1/products", huge.as_str(), 413),
        (
            "POST /v1/products",
            r#"{"code": "x'; DROP TABLE products; --", "name": "x"}"#,
            422,
        ),
        (
            "POST /v1/products",
            r#"{"code": "\u0000", "name": "x"}"#,
            422,
        ),
        (
            "POST /v1/products",
            r#"{"code": "sql", "name": "Robert'); DROP TABLE licenses;--"}"#,
            201,
        ),
        ("GET /v1/products/x'%20OR%20'1'='1", "", 404),
        ("GET /v1/licenses/1%20OR%201=1", "", 404),
        (
            "POST /v1/licenses",
            r#"{"policy_id": "' OR 1=1 --", "licensee": "x"}"#,
            422,
        ),
        (
            "POST /v1/licenses",
            r#"{"policy_id": "p", "licensee": "x", "seats_used": 0}"#,
            422,
        ),
        (
            "POST /v1/customers",
            r#"{"kind": "emperor", "name": "x"}"#,
            422,
        ),
        ("POST /v1/tokens", r#"{"name": "x", "role": "root"}"#, 422),
        (
            "POST /v1/activations",
            r#"{"license_key": "'; --", "fingerprint": "00"}"#,
            400,
        ),
        (
            "POST /v1/activations",
            r#"{"license_key": "ZZZZZ", "fingerprint": "00"}"#,
            400,
        ),
        (
            "POST /v1/activations",
            r#"{"license_key": 12, "fingerprint": "00"}"#,
            422,
        ),
        ("POST /v1/check-ins", "{}", 422),
        ("POST /v1/leases", "null", 422),
        (
            "POST /v1/activations/offline",
            r#"{"request": "-----BEGIN LICENTIA ACTIVATION REQUEST-----\n!!!\n-----END LICENTIA ACTIVATION REQUEST-----"}"#,
            422,
        ),
        ("GET /v1/licenses?status='%20OR%201=1%20--", "", 200),
        ("GET /v1/history?after_seq=abc", "", 400),
        ("GET /v1/history?limit=100000", "", 400),
        (
            "POST /v1/licenses",
            r#"{"policy_id": "p", "licensee": "x"}"#,
            422,
        ),
    ] {
        let (method, path) = request.split_once(' ').unwrap();
        assert_eq!(raw(method, path, body, json).await, want, "{request}");
    }
    // A JSON body under another type is refused as such.
    let plain = raw(
        "POST",
        "/v1/products",
        r#"{"code": "a", "name": "x"}"#,
        "text/plain",
    )
    .await;
    assert_eq!(plain, 415);
    let (status, _) = srv
        .post_keyed(
            "/v1/licenses",
            &admin,
            json!({"policy_id": "p", "licensee": "x"}),
            "bad key with spaces",
        )
        .await;
    assert_eq!(status, 400);
    // Nothing was stored by the injections: one product, named literally.
    let products = srv.get("/v1/products", &admin).await;
    assert_eq!(items(&products).len(), 1);
    assert_eq!(
        products["items"][0]["name"],
        "Robert'); DROP TABLE licenses;--"
    );
    // A query parameter no route takes is refused by name, with the ones it
    // does take, on every route whose document lists query parameters: a
    // misspelt filter ignored would answer with the whole list. A route of
    // one record is asked about a real one (an unknown id is
    // a 404 before the query is read).
    let customer = node(&srv, &admin, "customer", "Query Co", None).await;
    let (_, policy) = srv
        .product_and_policy(
            &admin,
            "q-cad",
            json!({"name": "q", "seats": 1, "duration_days": 30}),
        )
        .await;
    let (license, _) = srv.issue(&admin, &policy).await;
    let plan = srv
        .plan(&admin, json!({"name": "Q", "policy_id": policy}))
        .await;
    let subscription = srv
        .post_ok(
            "/v1/subscriptions",
            &admin,
            json!({"customer_id": customer, "plan_id": plan, "seats": 1,
                   "billing": "monthly", "interval": "monthly", "start": "2030-01-01",
                   "renewal": "always", "notice": "1 week before month end"}),
            201,
        )
        .await;
    let subscription = s(&subscription["subscription"]["id"]);
    let (_, doc) = srv.call("GET", "/v1/openapi.json", None, None).await;
    let mut lists = 0;
    for route in licentia_server::routes() {
        let parameters = &doc["paths"][route.path][route.method]["parameters"];
        let takes: Vec<&str> = (parameters.as_array().into_iter().flatten())
            .filter(|p| p["in"] == "query")
            .filter_map(|p| p["name"].as_str())
            .collect();
        if route.method != "get" || takes.is_empty() {
            continue;
        }
        let path = match route.path.split_once("{id}") {
            None => route.path.to_owned(),
            Some(("/v1/customers/", rest)) => format!("/v1/customers/{customer}{rest}"),
            Some(("/v1/licenses/", rest)) => format!("/v1/licenses/{license}{rest}"),
            Some(("/v1/subscriptions/", rest)) => format!("/v1/subscriptions/{subscription}{rest}"),
            Some(_) => panic!("{}: which record to ask about?", route.path),
        };
        let misspelt = format!("{path}?{}=x", takes[0].replacen('_', "", 1) + "s");
        let (status, body) = srv.call("GET", &misspelt, Some(&admin), None).await;
        let detail = s(&body["detail"]);
        assert_eq!(status, 400, "{misspelt}: {body}");
        assert!(
            detail.starts_with("unknown query parameter")
                && takes.iter().all(|t| detail.contains(t)),
            "{misspelt}: {detail}"
        );
        lists += 1;
    }
    assert!(lists >= 15, "{lists} routes with query parameters");
    // The licence list's own filter still filters.
    let (status, body) = srv
        .call(
            "GET",
            "/v1/licenses?licensee=nobody&limit=5",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!((status, items(&body).len()), (200, 0), "{body}");
    let (status, body) = srv
        .call(
            "GET",
            "/v1/licenses?licensee=jane&limit=5",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!((status, items(&body).len()), (200, 1), "{body}");
    srv.stop().await;
}

support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    bad_input => bad_input_is_a_4xx_problem_on_sqlite, bad_input_is_a_4xx_problem_on_postgres
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn product_routes_are_rate_limited() {
    let dir = tempfile::tempdir().unwrap();
    let config = licentia_server::Config {
        rate_limit_per_minute: 3,
        ..support::config(dir.path(), None)
    };
    let srv = Server::start_with(config, dir, None).await;
    let body = json!({"license_key": "AAAAA", "fingerprint": "00"});
    for _ in 0..3 {
        assert_eq!(
            srv.call("POST", "/v1/activations", None, Some(body.clone()))
                .await
                .0,
            400
        );
    }
    let (status, problem) = srv.call("POST", "/v1/check-ins", None, Some(body)).await;
    assert_eq!(
        (status, s(&problem["type"]).ends_with("rate_limited")),
        (429, true)
    );
    // Staff routes are not product-facing: no limit there.
    for _ in 0..5 {
        assert_eq!(
            srv.call("GET", "/v1/products", Some(&srv.admin), None)
                .await
                .0,
            200
        );
    }
    srv.stop().await;
}

async fn concurrent_retries(backend: Backend) {
    let srv = Server::start(backend).await;
    let admin = srv.admin.clone();
    let policy = srv
        .policy(
            &admin,
            "idem",
            json!({"name": "p", "binding": "node-locked", "seats": 3}),
        )
        .await;
    // Eight copies of one request, with one key, at once: one license.
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let req = srv
            .client
            .post(format!("{}/v1/licenses", srv.base))
            .bearer_auth(&admin)
            .header("Idempotency-Key", "same-request-8")
            .json(&json!({"policy_id": policy, "licensee": "Once Only"}));
        tasks.spawn(async move {
            let resp = req.send().await.unwrap();
            (resp.status().as_u16(), resp.json::<Value>().await.unwrap())
        });
    }
    let mut answers = Vec::new();
    while let Some(answer) = tasks.join_next().await {
        answers.push(answer.unwrap());
    }
    assert!(answers.iter().all(|a| a == &answers[0]), "{answers:?}");
    assert_eq!(answers[0].0, 201);
    let all = srv.get("/v1/licenses", &admin).await;
    assert_eq!(items(&all).len(), 1);

    // The same for activations: one seat, one answer.
    let key = s(&answers[0].1["license_key"]);
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let req = srv
            .client
            .post(format!("{}/v1/activations", srv.base))
            .header("Idempotency-Key", "activate-once")
            .json(&json!({"license_key": key, "fingerprint": machine("idem", 1).to_string(), "platform": "p"}));
        tasks.spawn(async move {
            let resp = req.send().await.unwrap();
            (resp.status().as_u16(), resp.json::<Value>().await.unwrap())
        });
    }
    let mut answers = Vec::new();
    while let Some(answer) = tasks.join_next().await {
        answers.push(answer.unwrap());
    }
    assert!(answers.iter().all(|a| a == &answers[0]), "{answers:?}");
    assert_eq!(answers[0].0, 201);
    let path = format!("/v1/licenses/{}", s(&answers[0].1["license_id"]));
    let license = srv.get(&path, &admin).await;
    assert_eq!(license["seats_used"], 1);
    srv.stop().await;
}

support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    concurrent_retries =>
        concurrent_retries_answer_once_on_sqlite,
        concurrent_retries_answer_once_on_postgres
}
