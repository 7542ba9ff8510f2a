//! The back office over a real socket: every route and role restriction, on
//! SQLite, and on PostgreSQL when `LICENTIA_TEST_POSTGRES` is set.

mod support;

use licentia::{ActivationRequest, Context, LicenseRef, State, Timestamp, Verifier};
use licentia_server::history::ChainCheck;
use licentia_server::store::HistoryEntry;
use serde_json::{json, Value};
use support::{machine, s, Backend, PgDb, Server};

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
        if matches!(route.method, "post" | "put")
            && !matches!(route.path, "/v1/keys/rotate" | "/v1/keys/{id}/retire")
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
    let issuer = srv.token("issuer").await;
    let finance = srv.token("finance").await;
    let auditor = srv.token("auditor").await;
    assert_eq!(srv.call("GET", "/v1/products", None, None).await.0, 401);
    assert_eq!(
        srv.call("GET", "/v1/products", Some("lic_nope"), None)
            .await
            .0,
        401
    );
    assert_eq!(
        srv.call(
            "POST",
            "/v1/tokens",
            Some(&issuer),
            Some(json!({"name": "x", "role": "admin"}))
        )
        .await
        .0,
        403
    );
    assert_eq!(
        srv.call("GET", "/v1/tokens", Some(&auditor), None).await.0,
        403
    );
    let (status, tokens) = srv.call("GET", "/v1/tokens", Some(&admin), None).await;
    assert_eq!(
        (status, tokens["items"].as_array().unwrap().len()),
        (200, 4)
    );
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
    assert_eq!(
        srv.call("GET", "/v1/products", Some(&s(&doomed["token"])), None)
            .await
            .0,
        200
    );
    let path = format!("/v1/tokens/{}", s(&doomed["record"]["id"]));
    assert_eq!(srv.call("DELETE", &path, Some(&issuer), None).await.0, 403);
    assert_eq!(srv.call("DELETE", &path, Some(&admin), None).await.0, 200);
    assert_eq!(
        srv.call("GET", "/v1/products", Some(&s(&doomed["token"])), None)
            .await
            .0,
        401
    );
    assert_eq!(srv.call("DELETE", &path, Some(&admin), None).await.0, 404);

    // Products and policies.
    assert_eq!(
        srv.call(
            "POST",
            "/v1/products",
            Some(&auditor),
            Some(json!({"code": "x", "name": "x"}))
        )
        .await
        .0,
        403
    );
    assert_eq!(
        srv.call(
            "POST",
            "/v1/products",
            Some(&finance),
            Some(json!({"code": "x", "name": "x"}))
        )
        .await
        .0,
        403
    );
    let (product_id, policy_id) = srv
        .product_and_policy(&issuer, PRODUCT, json!({
            "name": "pro", "binding": "node-locked", "seats": 2, "duration_days": 365,
            "check_in_days": 30, "max_offline_days": 7, "entitlements": ["export"], "temp_quota": 1
        }))
        .await;
    assert_eq!(
        srv.call(
            "POST",
            "/v1/products",
            Some(&issuer),
            Some(json!({"code": PRODUCT, "name": "again"}))
        )
        .await
        .0,
        409
    );
    let (_, shown) = srv
        .call(
            "GET",
            &format!("/v1/products/{PRODUCT}"),
            Some(&auditor),
            None,
        )
        .await;
    assert_eq!(s(&shown["id"]), product_id);
    let (_, listed) = srv.call("GET", "/v1/products", Some(&finance), None).await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    let bad_policy = json!({"product_id": product_id, "name": "bad", "binding": "telepathic"});
    assert_eq!(
        srv.call("POST", "/v1/policies", Some(&issuer), Some(bad_policy))
            .await
            .0,
        422
    );
    let (_, policies) = srv
        .call(
            "GET",
            &format!("/v1/policies?product_id={product_id}"),
            Some(&auditor),
            None,
        )
        .await;
    assert_eq!(policies["items"].as_array().unwrap().len(), 1);
    assert_eq!(
        srv.call(
            "GET",
            &format!("/v1/policies/{policy_id}"),
            Some(&auditor),
            None
        )
        .await
        .0,
        200
    );

    // The customer tree: partner -> customer -> site.
    let partner = srv
        .post_ok(
            "/v1/customers",
            &issuer,
            json!({"kind": "partner", "name": "Resell Ltd"}),
            201,
        )
        .await;
    let customer = srv
        .post_ok(
            "/v1/customers",
            &issuer,
            json!({"kind": "customer", "name": "Acme Corp", "parent_id": partner["id"]}),
            201,
        )
        .await;
    let site = srv
        .post_ok(
            "/v1/customers",
            &issuer,
            json!({"kind": "site", "name": "Berlin", "parent_id": customer["id"]}),
            201,
        )
        .await;
    assert_eq!(
        srv.call(
            "POST",
            "/v1/customers",
            Some(&issuer),
            Some(json!({"kind": "site", "name": "x", "parent_id": partner["id"]}))
        )
        .await
        .0,
        422
    );
    assert_eq!(
        srv.call(
            "POST",
            "/v1/customers",
            Some(&auditor),
            Some(json!({"kind": "partner", "name": "x"}))
        )
        .await
        .0,
        403
    );
    let (_, children) = srv
        .call(
            "GET",
            &format!("/v1/customers?parent_id={}", s(&partner["id"])),
            Some(&auditor),
            None,
        )
        .await;
    assert_eq!(children["items"][0]["id"], customer["id"]);
    let (_, sites) = srv
        .call("GET", "/v1/customers?kind=site", Some(&auditor), None)
        .await;
    assert_eq!(sites["items"].as_array().unwrap().len(), 1);
    assert_eq!(
        srv.call(
            "GET",
            &format!("/v1/customers/{}", s(&site["id"])),
            Some(&finance),
            None
        )
        .await
        .0,
        200
    );

    // Issue, with an Idempotency-Key: a retry gets the first answer.
    let issue = json!({"policy_id": policy_id, "licensee": "Jane Doe", "customer_id": site["id"]});
    assert_eq!(
        srv.call("POST", "/v1/licenses", Some(&auditor), Some(issue.clone()))
            .await
            .0,
        403
    );
    assert_eq!(
        srv.call("POST", "/v1/licenses", Some(&finance), Some(issue.clone()))
            .await
            .0,
        403
    );
    let idem = [("Idempotency-Key", "issue-0001")];
    let (status, first) = srv
        .call_at(
            &srv.base,
            "POST",
            "/v1/licenses",
            Some(&issuer),
            Some(issue.clone()),
            &idem,
        )
        .await;
    assert_eq!(status, 201, "{first}");
    let (status, again) = srv
        .call_at(
            &srv.base,
            "POST",
            "/v1/licenses",
            Some(&issuer),
            Some(issue.clone()),
            &idem,
        )
        .await;
    assert_eq!((status, &again), (201, &first));
    let mut other = issue.clone();
    other["licensee"] = json!("Someone Else");
    assert_eq!(
        srv.call_at(
            &srv.base,
            "POST",
            "/v1/licenses",
            Some(&issuer),
            Some(other),
            &idem
        )
        .await
        .0,
        422
    );
    let license_id = s(&first["license"]["id"]);
    let key = s(&first["license_key"]);
    assert!(
        first["license"]["file"].is_null(),
        "a node-locked license gets its file at activation"
    );
    let (_, all) = srv.call("GET", "/v1/licenses", Some(&auditor), None).await;
    assert_eq!(
        all["items"].as_array().unwrap().len(),
        1,
        "the retry issued nothing"
    );
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
    let (_, shown) = srv
        .call(
            "GET",
            &format!("/v1/licenses/{license_id}"),
            Some(&auditor),
            None,
        )
        .await;
    assert_eq!(shown["seats_used"], 2);
    let (_, acts) = srv
        .call(
            "GET",
            &format!("/v1/licenses/{license_id}/activations"),
            Some(&auditor),
            None,
        )
        .await;
    assert_eq!(acts["items"].as_array().unwrap().len(), 2);

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
    assert_eq!(
        srv.call("POST", &format!("{lic_path}/suspend"), Some(&auditor), None)
            .await
            .0,
        403
    );
    assert_eq!(
        srv.call(
            "POST",
            &format!("{lic_path}/suspend"),
            Some(&issuer),
            Some(json!({"reason": "unpaid"}))
        )
        .await
        .0,
        200
    );
    assert_eq!(
        srv.call("POST", &format!("{lic_path}/suspend"), Some(&issuer), None)
            .await
            .0,
        409
    );
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
    assert_eq!(
        srv.call(
            "POST",
            &format!("{lic_path}/reinstate"),
            Some(&issuer),
            None
        )
        .await
        .0,
        200
    );
    assert_eq!(
        srv.call("POST", "/v1/check-ins", None, Some(check_in(1)))
            .await
            .0,
        200
    );

    // Seats: only finance raises; nobody lowers below the seats in use.
    assert_eq!(
        srv.call(
            "PUT",
            &format!("{lic_path}/seats"),
            Some(&issuer),
            Some(json!({"seats": 5}))
        )
        .await
        .0,
        403
    );
    assert_eq!(
        srv.call(
            "PUT",
            &format!("{lic_path}/seats"),
            Some(&admin),
            Some(json!({"seats": 5}))
        )
        .await
        .0,
        403
    );
    assert_eq!(
        srv.call(
            "PUT",
            &format!("{lic_path}/seats"),
            Some(&finance),
            Some(json!({"seats": 5}))
        )
        .await
        .0,
        200
    );
    assert_eq!(
        srv.call(
            "PUT",
            &format!("{lic_path}/seats"),
            Some(&issuer),
            Some(json!({"seats": 1}))
        )
        .await
        .0,
        409
    );
    assert_eq!(
        srv.call(
            "PUT",
            &format!("{lic_path}/seats"),
            Some(&issuer),
            Some(json!({"seats": 4}))
        )
        .await
        .0,
        200
    );

    // Entitlements, then renewal by token for the machine's file, and by file.
    let (status, ent) = srv
        .call(
            "PUT",
            &format!("{lic_path}/entitlements"),
            Some(&issuer),
            Some(json!({"features": ["export", "render=4"]})),
        )
        .await;
    assert_eq!(
        (status, ent["spec"]["features"][1].as_str()),
        (200, Some("render=4"))
    );
    assert_eq!(
        srv.call(
            "PUT",
            &format!("{lic_path}/entitlements"),
            Some(&auditor),
            Some(json!({"features": []}))
        )
        .await
        .0,
        403
    );
    let renew =
        json!({"expires": "2031-01-01", "mode": "token", "activation_id": a1["activation_id"]});
    assert_eq!(
        srv.call(
            "POST",
            &format!("{lic_path}/renew"),
            Some(&auditor),
            Some(renew.clone())
        )
        .await
        .0,
        403
    );
    let (status, renewed) = srv
        .call(
            "POST",
            &format!("{lic_path}/renew"),
            Some(&finance),
            Some(renew),
        )
        .await;
    assert_eq!(status, 200, "{renewed}");
    let token = verifier
        .verify_renewal(&s(&renewed["renewal_token"]))
        .unwrap();
    let (_, a1_now) = srv
        .call(
            "GET",
            &format!("{lic_path}/activations"),
            Some(&auditor),
            None,
        )
        .await;
    let held = a1_now["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == a1["activation_id"])
        .unwrap();
    let mut held = verifier.verify(&s(&held["file"])).unwrap();
    held.apply_renewal(&token).unwrap();
    assert_eq!(
        held.terms.hard_expiry,
        Some(Timestamp::parse("2031-01-01").unwrap())
    );
    let (status, _) = srv
        .call(
            "POST",
            &format!("{lic_path}/renew"),
            Some(&issuer),
            Some(json!({"expires": "2032-01-01"})),
        )
        .await;
    assert_eq!(status, 200);
    let (_, shown) = srv.call("GET", &lic_path, Some(&auditor), None).await;
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
    assert_eq!(
        srv.call(
            "POST",
            "/v1/activations/offline",
            Some(&auditor),
            Some(body.clone())
        )
        .await
        .0,
        403
    );
    let (status, answer) = srv
        .call("POST", "/v1/activations/offline", Some(&issuer), Some(body))
        .await;
    assert_eq!(status, 201, "{answer}");
    let accepted = request
        .accept(&s(&answer["answer"]), &verifier, Timestamp::now())
        .unwrap();
    assert_eq!(accepted.license.id.to_string(), license_id);
    let (status, _) = srv
        .call(
            "POST",
            "/v1/activations/offline",
            Some(&issuer),
            Some(json!({"request": "not a request"})),
        )
        .await;
    assert_eq!(status, 422);

    // Floating licenses lease seats; expired leases free theirs by themselves.
    let floating_policy = srv.post_ok("/v1/policies", &issuer, json!({
        "product_id": product_id, "name": "floating", "binding": "floating", "seats": 2, "lease_ttl_secs": 3600
    }), 201).await;
    let (floating_id, fkey) = srv.issue(&issuer, &s(&floating_policy["id"])).await;
    let (_, fl) = srv
        .call(
            "GET",
            &format!("/v1/licenses/{floating_id}"),
            Some(&auditor),
            None,
        )
        .await;
    assert!(verifier.verify(&s(&fl["file"])).is_ok());
    let lease =
        |n: usize| json!({"license_key": fkey, "fingerprint": machine(PRODUCT, n).to_string()});
    assert_eq!(
        srv.call("POST", "/v1/activations", None, Some(lease(1)))
            .await
            .0,
        409
    );
    let (status, l1) = srv.call("POST", "/v1/leases", None, Some(lease(1))).await;
    assert_eq!(status, 201, "{l1}");
    let leased = verifier.verify_lease(&s(&l1["lease"])).unwrap();
    assert!(leased.is_lease());
    assert!(
        verifier.verify(&s(&l1["lease"])).is_err(),
        "a lease never passes for a license file"
    );
    let (_, l2) = srv.call("POST", "/v1/leases", None, Some(lease(2))).await;
    assert_eq!(
        srv.call("POST", "/v1/leases", None, Some(lease(3))).await.0,
        409
    );
    let l2_path = format!("/v1/leases/{}", s(&l2["lease_id"]));
    let (status, hb) = srv
        .call(
            "POST",
            &format!("{l2_path}/heartbeat"),
            None,
            Some(json!({"license_key": fkey})),
        )
        .await;
    assert_eq!(status, 200, "{hb}");
    let fkh = [("X-License-Key", fkey.as_str())];
    assert_eq!(srv.call("DELETE", &l2_path, None, None).await.0, 401);
    assert_eq!(
        srv.call_at(&srv.base, "DELETE", &l2_path, None, None, &fkh)
            .await
            .0,
        200
    );
    assert_eq!(
        srv.call_at(&srv.base, "DELETE", &l2_path, None, None, &fkh)
            .await
            .0,
        404
    );
    assert_eq!(
        srv.call("POST", "/v1/leases", None, Some(lease(3))).await.0,
        201
    );
    assert_eq!(
        srv.call("POST", "/v1/leases", None, Some(lease(4))).await.0,
        409
    );
    // Leases that lapse free their seats with no call at all (2-second leases).
    let short = srv.post_ok("/v1/policies", &issuer, json!({
        "product_id": product_id, "name": "short", "binding": "floating", "seats": 1, "lease_ttl_secs": 2
    }), 201).await;
    let (_, skey) = srv.issue(&issuer, &s(&short["id"])).await;
    let short_lease =
        |n: usize| json!({"license_key": skey, "fingerprint": machine(PRODUCT, n).to_string()});
    let (_, gone) = srv
        .call("POST", "/v1/leases", None, Some(short_lease(1)))
        .await;
    assert_eq!(
        srv.call("POST", "/v1/leases", None, Some(short_lease(2)))
            .await
            .0,
        409
    );
    tokio::time::sleep(std::time::Duration::from_millis(3100)).await;
    assert_eq!(
        srv.call("POST", "/v1/leases", None, Some(short_lease(2)))
            .await
            .0,
        201
    );
    let beat = json!({"license_key": skey});
    assert_eq!(
        srv.call(
            "POST",
            &format!("/v1/leases/{}/heartbeat", s(&gone["lease_id"])),
            None,
            Some(beat)
        )
        .await
        .0,
        409
    );

    // Revocation: the signed list grows, and the license stops working.
    let (_, before) = srv
        .call(
            "GET",
            &format!("/v1/revocation-list?product={PRODUCT}"),
            None,
            None,
        )
        .await;
    assert_eq!(
        srv.call("POST", &format!("{lic_path}/revoke"), Some(&auditor), None)
            .await
            .0,
        403
    );
    assert_eq!(
        srv.call(
            "POST",
            &format!("{lic_path}/revoke"),
            Some(&issuer),
            Some(json!({"reason": "fraud"}))
        )
        .await
        .0,
        200
    );
    assert_eq!(
        srv.call(
            "POST",
            &format!("{lic_path}/reinstate"),
            Some(&issuer),
            None
        )
        .await
        .0,
        409
    );
    let (_, list) = srv
        .call(
            "GET",
            &format!("/v1/revocation-list?product={PRODUCT}"),
            None,
            None,
        )
        .await;
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
    assert_eq!(
        srv.call("POST", "/v1/temporary-licenses", None, Some(check_in(7)))
            .await
            .0,
        409
    );
    assert_eq!(
        srv.call("GET", "/v1/revocation-list?product=unknown", None, None)
            .await
            .0,
        404
    );

    // Lists: pagination and filters.
    let (_, page) = srv
        .call("GET", "/v1/licenses?limit=1", Some(&auditor), None)
        .await;
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    let (_, page) = srv
        .call("GET", "/v1/licenses?limit=1&offset=1", Some(&auditor), None)
        .await;
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    let (_, revoked) = srv
        .call("GET", "/v1/licenses?status=revoked", Some(&auditor), None)
        .await;
    assert_eq!(revoked["items"][0]["id"], json!(license_id));
    let (_, by_customer) = srv
        .call(
            "GET",
            &format!("/v1/licenses?customer_id={}", s(&site["id"])),
            Some(&auditor),
            None,
        )
        .await;
    assert_eq!(by_customer["items"].as_array().unwrap().len(), 1);
    let (_, soon) = srv
        .call(
            "GET",
            "/v1/licenses?expires_before=2020-01-01",
            Some(&auditor),
            None,
        )
        .await;
    assert_eq!(soon["items"].as_array().unwrap().len(), 0);
    assert_eq!(
        srv.call("GET", "/v1/licenses?limit=0", Some(&auditor), None)
            .await
            .0,
        400
    );
    assert_eq!(
        srv.call("GET", "/v1/licenses?limit=many", Some(&auditor), None)
            .await
            .0,
        400
    );

    // History: per license, per customer, global, and the chain holds.
    let (_, lic_history) = srv
        .call("GET", &format!("{lic_path}/history"), Some(&auditor), None)
        .await;
    let ops: Vec<String> = lic_history["items"]
        .as_array()
        .unwrap()
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
    assert!(lic_history["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["license_id"] == json!(license_id)));
    let (_, cust_history) = srv
        .call(
            "GET",
            &format!("/v1/customers/{}/history", s(&site["id"])),
            Some(&auditor),
            None,
        )
        .await;
    assert!(cust_history["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["operation"] == "license.issue"));
    let (_, filtered) = srv
        .call(
            "GET",
            "/v1/history?operation=lease.checkout",
            Some(&finance),
            None,
        )
        .await;
    assert_eq!(filtered["items"].as_array().unwrap().len(), 5);
    let mut check = ChainCheck::new();
    loop {
        let (_, page) = srv
            .call(
                "GET",
                &format!("/v1/history?limit=7&after_seq={}", check.count()),
                Some(&auditor),
                None,
            )
            .await;
        let entries: Vec<HistoryEntry> = serde_json::from_value(page["items"].clone()).unwrap();
        if entries.is_empty() {
            break;
        }
        for e in &entries {
            check.next(e).unwrap();
        }
    }
    assert!(check.count() > 40);

    // Key rotation: new documents use the new key, which the old one endorses.
    assert_eq!(
        srv.call("POST", "/v1/keys/rotate", Some(&issuer), None)
            .await
            .0,
        403
    );
    let (status, keys) = srv
        .call("POST", "/v1/keys/rotate", Some(&admin), None)
        .await;
    assert_eq!(status, 201);
    let keys = keys["items"].as_array().unwrap().clone();
    assert_eq!(keys.len(), 2);
    let old = keys.iter().find(|k| k["state"] == "trusted").unwrap();
    let new = keys.iter().find(|k| k["state"] == "active").unwrap();
    let mut field = Verifier::new([licentia::PublicKey::from_pem(&s(&old["public_pem"])).unwrap()]);
    let (_, lic2) = srv
        .call_at(
            &srv.base,
            "POST",
            "/v1/licenses",
            Some(&issuer),
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_and_role_on_sqlite() {
    story(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_and_role_on_postgres() {
    if let Some(db) = PgDb::create("every_route_and_role").await {
        story(Backend::Postgres(db)).await;
    }
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
    assert_eq!(raw("POST", "/v1/products", "{\"code\": ", json).await, 400);
    assert_eq!(
        raw("POST", "/v1/products", "not json at all", json).await,
        400
    );
    assert_eq!(
        raw(
            "POST",
            "/v1/products",
            "{\"code\": 5, \"name\": \"x\"}",
            json
        )
        .await,
        422
    );
    assert_eq!(
        raw(
            "POST",
            "/v1/products",
            "{\"code\": \"a\", \"name\": \"x\", \"admin\": true}",
            json
        )
        .await,
        422
    );
    assert_eq!(
        raw(
            "POST",
            "/v1/products",
            "{\"code\": \"a\", \"name\": \"x\"}",
            "text/plain"
        )
        .await,
        415
    );
    let huge = format!("{{\"code\": \"a\", \"name\": \"{}\"}}", "x".repeat(200_000));
    assert_eq!(raw("POST", "/v1/products", &huge, json).await, 413);
    assert_eq!(
        raw(
            "POST",
            "/v1/products",
            "{\"code\": \"x'; DROP TABLE products; --\", \"name\": \"x\"}",
            json
        )
        .await,
        422
    );
    assert_eq!(
        raw(
            "POST",
            "/v1/products",
            "{\"code\": \"\\u0000\", \"name\": \"x\"}",
            json
        )
        .await,
        422
    );
    assert_eq!(
        raw(
            "POST",
            "/v1/products",
            "{\"code\": \"sql\", \"name\": \"Robert'); DROP TABLE licenses;--\"}",
            json
        )
        .await,
        201
    );
    assert_eq!(
        raw("GET", "/v1/products/x'%20OR%20'1'='1", "", json).await,
        404
    );
    assert_eq!(raw("GET", "/v1/licenses/1%20OR%201=1", "", json).await, 404);
    assert_eq!(
        raw(
            "POST",
            "/v1/licenses",
            "{\"policy_id\": \"' OR 1=1 --\", \"licensee\": \"x\"}",
            json
        )
        .await,
        422
    );
    assert_eq!(
        raw(
            "POST",
            "/v1/licenses",
            "{\"policy_id\": \"p\", \"licensee\": \"x\", \"seats_used\": 0}",
            json
        )
        .await,
        422
    );
    assert_eq!(
        raw(
            "POST",
            "/v1/customers",
            "{\"kind\": \"emperor\", \"name\": \"x\"}",
            json
        )
        .await,
        422
    );
    assert_eq!(
        raw(
            "POST",
            "/v1/tokens",
            "{\"name\": \"x\", \"role\": \"root\"}",
            json
        )
        .await,
        422
    );
    assert_eq!(
        raw(
            "POST",
            "/v1/activations",
            "{\"license_key\": \"'; --\", \"fingerprint\": \"00\"}",
            json
        )
        .await,
        400
    );
    assert_eq!(
        raw(
            "POST",
            "/v1/activations",
            "{\"license_key\": \"ZZZZZ\", \"fingerprint\": \"00\"}",
            json
        )
        .await,
        400
    );
    assert_eq!(
        raw(
            "POST",
            "/v1/activations",
            "{\"license_key\": 12, \"fingerprint\": \"00\"}",
            json
        )
        .await,
        422
    );
    assert_eq!(raw("POST", "/v1/check-ins", "{}", json).await, 422);
    assert_eq!(raw("POST", "/v1/leases", "null", json).await, 422);
    assert_eq!(raw("POST", "/v1/activations/offline", "{\"request\": \"-----BEGIN LICENTIA ACTIVATION REQUEST-----\\n!!!\\n-----END LICENTIA ACTIVATION REQUEST-----\"}", json).await, 422);
    assert_eq!(
        raw("GET", "/v1/licenses?status='%20OR%201=1%20--", "", json).await,
        200
    );
    assert_eq!(raw("GET", "/v1/history?after_seq=abc", "", json).await, 400);
    assert_eq!(raw("GET", "/v1/history?limit=100000", "", json).await, 400);
    assert_eq!(
        raw(
            "POST",
            "/v1/licenses",
            "{\"policy_id\": \"p\", \"licensee\": \"x\"}",
            json
        )
        .await,
        422
    );
    let (status, _) = srv
        .call_at(
            &srv.base,
            "POST",
            "/v1/licenses",
            Some(&admin),
            Some(json!({"policy_id": "p", "licensee": "x"})),
            &[("Idempotency-Key", "bad key with spaces")],
        )
        .await;
    assert_eq!(status, 400);
    // Nothing was stored by the injections: one product, named literally.
    let (_, products) = srv.call("GET", "/v1/products", Some(&admin), None).await;
    assert_eq!(products["items"].as_array().unwrap().len(), 1);
    assert_eq!(
        products["items"][0]["name"],
        "Robert'); DROP TABLE licenses;--"
    );
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_a_4xx_problem_on_sqlite() {
    bad_input(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_a_4xx_problem_on_postgres() {
    if let Some(db) = PgDb::create("bad_input").await {
        bad_input(Backend::Postgres(db)).await;
    }
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
    let (_, policy) = srv
        .product_and_policy(
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
    let (_, all) = srv.call("GET", "/v1/licenses", Some(&admin), None).await;
    assert_eq!(all["items"].as_array().unwrap().len(), 1);

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
    let (_, license) = srv.call("GET", &path, Some(&admin), None).await;
    assert_eq!(license["seats_used"], 1);
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_retries_answer_once_on_sqlite() {
    concurrent_retries(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_retries_answer_once_on_postgres() {
    if let Some(db) = PgDb::create("concurrent_retries").await {
        concurrent_retries(Backend::Postgres(db)).await;
    }
}
