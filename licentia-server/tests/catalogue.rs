//! The catalogue from the back office, over a real socket on SQLite and
//! (when `LICENTIA_TEST_POSTGRES` is set) PostgreSQL: every term the core
//! signs set on a policy (renew soon, maintenance, grace, check-in) and
//! found in the signed file of a licence issued from the policy, from a
//! plan and from the console's issue form, with the verdicts the core
//! gives at the right dates; a perpetual licence with maintenance renewed
//! by extending maintenance only. Products, policies and plans edited and
//! retired through the API and the console: read back, a history entry
//! naming who changed what, a bad change refused with its rule, a role
//! without the catalogue refused, and a retired record offered for no new
//! licence or subscription while the licences issued from it are
//! untouched. A policy refusing virtual machines or containers: through the
//! API, a change and the console's form, signed into its licences (format
//! version 2) and refused by the verdict in such an environment; policies
//! made before the term (schema 20) allow both after migrating.

mod support;

use licentia::{Environment, EnvironmentKind, License, Rule, Signal, Timestamp};
use serde_json::{json, Value};
use support::console::Console;
use support::{kind, s, Backend, Server};

const DAY: i64 = 86_400;

/// The detail of a problem answer.
fn detail(body: &Value) -> String {
    s(&body["detail"])
}

/// Verifies a licence record's file with the server's keys.
async fn verified(srv: &Server, record: &Value) -> License {
    srv.verifier()
        .await
        .verify(&s(&record["file"]))
        .unwrap_or_else(|e| panic!("the file verifies: {e} ({record})"))
}

/// The terms the maintained yearly policy signs, checked on `license`.
fn assert_yearly_terms(license: &License) {
    let b = license.body();
    let issued = b.issued_at;
    let t = &b.terms;
    let hard = t.hard_expiry.expect("a hard expiry");
    assert_eq!(hard, issued.add_days(365));
    assert_eq!(t.soft_expiry, Some(hard.add_days(-30)), "renew soon");
    assert_eq!(t.updates_until, Some(issued.add_days(180)), "maintenance");
    assert_eq!(t.grace_secs, Some(10 * DAY as u32), "grace");
    let check_in = t.check_in.expect("check-in terms");
    assert_eq!(check_in.interval_secs, 7 * DAY as u32);
    assert_eq!(check_in.max_offline_secs, 3 * DAY as u32);
    // The core's verdicts at the right dates.
    let product = b.product.as_str();
    let at = |t: Timestamp| licentia::Context::new(t, product).last_check_in(t);
    let early = license.check(&at(issued.add_days(1)));
    assert!(early.is_valid() && !early.has(Rule::RenewSoon), "{early:?}");
    let soon = license.check(&at(hard.add_days(-10)));
    assert!(soon.has(Rule::RenewSoon), "{soon:?}");
    let newer = at(issued.add_days(1)).release_date(issued.add_days(200));
    assert!(
        license.check(&newer).has(Rule::VersionNotCovered),
        "a version released after maintenance"
    );
    let older = at(issued.add_days(1)).release_date(issued.add_days(100));
    assert!(!license.check(&older).has(Rule::VersionNotCovered));
    let late = license.check(&at(hard.add_days(5)));
    assert!(late.has(Rule::InGrace), "{late:?}");
}

async fn terms_story(backend: Backend) {
    let srv = Server::start(backend).await;
    let [issuer] = srv.tokens(["issuer"]).await;
    let yearly = json!({
        "name": "yearly", "binding": "unbound", "duration_days": 365,
        "renew_soon_days": 30, "maintenance_days": 180, "grace_days": 10,
        "check_in_days": 7, "max_offline_days": 3, "entitlements": ["core"]
    });
    let (product, policy) = srv
        .product_and_policy(&issuer, "terms-cad", yearly.clone())
        .await;

    // The rules of the new terms, named when refused.
    for (change, rule) in [
        (
            json!({"duration_days": null}),
            "renew_soon_days needs duration_days",
        ),
        (json!({"renew_soon_days": 365}), "fewer than duration_days"),
        (json!({"renew_soon_days": 0}), "at least 1"),
        (
            json!({"maintenance_days": 0}),
            "maintenance_days must be at least 1",
        ),
    ] {
        let mut bad = yearly.clone();
        bad["product_id"] = json!(product);
        bad["name"] = json!("bad");
        for (k, v) in change.as_object().unwrap() {
            bad[k] = v.clone();
        }
        let (status, body) = srv
            .call("POST", "/v1/policies", Some(&issuer), Some(bad))
            .await;
        assert_eq!((status, kind(&body)), (422, "invalid"), "{body}");
        assert!(detail(&body).contains(rule), "{rule}: {body}");
    }

    // The policy says them, and so does the API schema.
    let shown = srv.get(&format!("/v1/policies/{policy}"), &issuer).await;
    assert_eq!(shown["renew_soon_days"], json!(30));
    assert_eq!(shown["maintenance_days"], json!(180));
    let (_, doc) = srv.call("GET", "/v1/openapi.json", None, None).await;
    let doc = doc.to_string();
    assert!(doc.contains("renew_soon_days") && doc.contains("maintenance_days"));
    assert!(doc.contains("updates_until"));

    // Issued from the policy: every term in the signed file.
    let issued = srv
        .post_ok(
            "/v1/licenses",
            &srv.admin,
            json!({"policy_id": policy, "licensee": "Acme"}),
            201,
        )
        .await;
    assert_yearly_terms(&verified(&srv, &issued["license"]).await);

    // Issued from a plan of the policy: the same.
    let plan = srv
        .plan(&issuer, json!({"name": "Business", "policy_id": policy}))
        .await;
    let issued = srv
        .post_ok(
            &format!("/v1/plans/{plan}/licenses"),
            &srv.admin,
            json!({"licensee": "Globex"}),
            201,
        )
        .await;
    assert_yearly_terms(&verified(&srv, &issued["license"]).await);

    // Issued from the console's form: the same.
    let vera = srv
        .person("Vera", "vera@vendor.test", json!([{"role": "admin"}]))
        .await;
    let console = Console::of(&srv, &vera);
    let from = format!("policy:{policy}");
    let page = console
        .post(
            "/licenses/new",
            &[
                ("_idem", "terms-form"),
                ("from", from.as_str()),
                ("licensee", "Initech"),
                ("seats", ""),
                ("expires", ""),
            ],
        )
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    let listed = srv
        .items(&format!("/v1/licenses?product_id={product}"), &srv.admin)
        .await;
    let initech = listed
        .iter()
        .find(|l| l["licensee"] == json!("Initech"))
        .unwrap_or_else(|| panic!("the console's licence is listed: {listed:?}"));
    let full = srv
        .get(&format!("/v1/licenses/{}", s(&initech["id"])), &srv.admin)
        .await;
    assert_yearly_terms(&verified(&srv, &full).await);

    // The console's policy form offers the new terms.
    let form = console.get("/policies/new").await;
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(
        form.body.contains("name=\"renew_soon_days\""),
        "{}",
        form.body
    );
    assert!(form.body.contains("name=\"maintenance_days\""));
    assert!(form.text().contains("Maintenance (days)"));

    // A perpetual licence with maintenance renews its maintenance only.
    let perpetual = srv
        .policy(
            &issuer,
            "terms-cam",
            json!({"name": "perpetual", "binding": "unbound", "maintenance_days": 365}),
        )
        .await;
    let issued = srv
        .post_ok(
            "/v1/licenses",
            &srv.admin,
            json!({"policy_id": perpetual, "licensee": "Hooli"}),
            201,
        )
        .await;
    let id = s(&issued["license"]["id"]);
    let license = verified(&srv, &issued["license"]).await;
    let issued_at = license.body().issued_at;
    assert_eq!(license.body().terms.hard_expiry, None);
    assert_eq!(
        license.body().terms.updates_until,
        Some(issued_at.add_days(365))
    );
    let renew = format!("/v1/licenses/{id}/renew");
    let (status, body) = srv
        .call("POST", &renew, Some(&srv.admin), Some(json!({})))
        .await;
    assert_eq!(status, 422, "{body}");
    assert!(
        detail(&body).contains("a renewal names the new expiry"),
        "{body}"
    );
    let (status, body) = srv
        .call(
            "POST",
            &renew,
            Some(&srv.admin),
            Some(json!({"updates_until": "2040-01-01", "mode": "token"})),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert!(detail(&body).contains("with mode 'file'"), "{body}");
    let renewed = srv
        .post_ok(
            &renew,
            &srv.admin,
            json!({"updates_until": "2040-01-01"}),
            200,
        )
        .await;
    assert_eq!(renewed["license"]["expires_at"], Value::Null);
    let license = verified(&srv, &renewed["license"]).await;
    let until = Timestamp::parse("2040-01-01").unwrap();
    assert_eq!(license.body().terms.hard_expiry, None, "still perpetual");
    assert_eq!(license.body().terms.updates_until, Some(until));
    let ctx =
        licentia::Context::new(until.add_days(100), "terms-cam").release_date(until.add_days(-1));
    assert!(license.check(&ctx).is_valid());

    // A renewal of the yearly licence keeps its "renew soon" term.
    let yearly_id = s(&initech["id"]);
    let renewed = srv
        .post_ok(
            &format!("/v1/licenses/{yearly_id}/renew"),
            &srv.admin,
            json!({"expires": "2040-06-01"}),
            200,
        )
        .await;
    let license = verified(&srv, &renewed["license"]).await;
    let hard = Timestamp::parse("2040-06-01").unwrap();
    assert_eq!(license.body().terms.soft_expiry, Some(hard.add_days(-30)));
    srv.stop().await;
}

/// The one history entry of `op` about `subject`: (actor, details).
async fn entry(srv: &Server, op: &str, subject: &str) -> (String, Value) {
    let items = srv
        .items(&format!("/v1/history?operation={op}&limit=500"), &srv.admin)
        .await;
    let mine: Vec<&Value> = items
        .iter()
        .filter(|e| e["subject"] == json!(subject))
        .collect();
    assert_eq!(mine.len(), 1, "one {op} of {subject}: {items:?}");
    let details = serde_json::from_str(&s(&mine[0]["details"])).unwrap();
    (s(&mine[0]["actor"]), details)
}

/// PATCHes `path` with `changes` as `token`: status and body.
async fn patch(srv: &Server, token: &str, path: &str, changes: Value) -> (u16, Value) {
    srv.call("PATCH", path, Some(token), Some(changes)).await
}

async fn changes_story(backend: Backend) {
    let srv = Server::start(backend).await;
    let [issuer, auditor, finance] = srv.tokens(["issuer", "auditor", "finance"]).await;
    let (product, policy) = srv
        .product_and_policy(
            &issuer,
            "edit-cad",
            json!({"name": "yearly", "binding": "unbound", "duration_days": 365, "entitlements": ["core"]}),
        )
        .await;
    let plan = srv
        .plan(
            &issuer,
            json!({"name": "Business", "policy_id": policy,
                   "options": [{"code": "cloud", "name": "Cloud", "entitlements": ["cloud"]}]}),
        )
        .await;
    let before = srv
        .post_ok(
            "/v1/licenses",
            &srv.admin,
            json!({"policy_id": policy, "licensee": "Early"}),
            201,
        )
        .await;
    let early = s(&before["license"]["id"]);
    let early_file = s(&before["license"]["file"]);

    // The changes are documented as the creation's fields, none required.
    let (_, doc) = srv.call("GET", "/v1/openapi.json", None, None).await;
    let schema = &doc["components"]["schemas"]["ChangesToNewPolicy"];
    assert!(
        schema["properties"]["renew_soon_days"].is_object(),
        "{schema}"
    );
    assert!(schema.get("required").is_none(), "{schema}");

    // Only the catalogue role changes the catalogue.
    let product_path = format!("/v1/products/{product}");
    let policy_path = format!("/v1/policies/{policy}");
    let plan_path = format!("/v1/plans/{plan}");
    for token in [&auditor, &finance] {
        let (status, body) = patch(&srv, token, &policy_path, json!({"seats": 3})).await;
        assert_eq!((status, kind(&body)), (403, "forbidden"), "{body}");
        let (status, body) = srv
            .call("POST", &format!("{plan_path}/retire"), Some(token), None)
            .await;
        assert_eq!(status, 403, "{body}");
    }

    // A bad change is refused with the rule it breaks, and changes nothing.
    for (path, change, rule) in [
        (&product_path, json!({"code": "other"}), "does not change"),
        (&product_path, json!({"name": ""}), "name"),
        (
            &product_path,
            json!({"colour": "red"}),
            "unknown field `colour`",
        ),
        (&policy_path, json!({"seats": 0}), "must be at least 1"),
        (
            &policy_path,
            json!({"renew_soon_days": 400}),
            "fewer than duration_days",
        ),
        (
            &policy_path,
            json!({"binding": "floating"}),
            "product and binding do not change",
        ),
        (
            &policy_path,
            json!({"kind": "perpetual"}),
            "kind is 'standard' or 'trial'",
        ),
        (
            &plan_path,
            json!({"options": [{"code": "a", "name": "A", "entitlements": []}, {"code": "a", "name": "B", "entitlements": []}]}),
            "option a is given twice",
        ),
        (
            &plan_path,
            json!({"policy_id": "pol_nothing"}),
            "no such policy",
        ),
    ] {
        let (status, body) = patch(&srv, &issuer, path, change.clone()).await;
        assert_eq!(status, 422, "{change}: {body}");
        assert!(detail(&body).contains(rule), "{change}: {rule}: {body}");
    }
    let shown = srv.get(&policy_path, &issuer).await;
    assert_eq!(
        (shown["seats"].clone(), shown["binding"].clone()),
        (json!(1), json!("unbound"))
    );

    // Edits, read back, each with its history entry.
    let (status, edited) = patch(&srv, &issuer, &product_path, json!({"name": "CAD Suite"})).await;
    assert_eq!(
        (status, &edited["name"]),
        (200, &json!("CAD Suite")),
        "{edited}"
    );
    assert_eq!(
        srv.get(&product_path, &issuer).await["code"],
        json!("edit-cad")
    );
    let (status, edited) = patch(
        &srv,
        &issuer,
        &policy_path,
        json!({"duration_days": 30, "renew_soon_days": 5, "name": "monthly"}),
    )
    .await;
    assert_eq!(status, 200, "{edited}");
    let shown = srv.get(&policy_path, &srv.admin).await;
    assert_eq!(shown["name"], json!("monthly"));
    assert_eq!(shown["duration_days"], json!(30));
    assert_eq!(shown["entitlements"], json!(["core"]), "the rest is kept");
    let (status, edited) = patch(
        &srv,
        &issuer,
        &plan_path,
        json!({"options": [{"code": "cloud", "name": "Cloud", "entitlements": ["cloud=2"]},
                           {"code": "sso", "name": "SSO", "entitlements": ["sso"]}]}),
    )
    .await;
    assert_eq!(status, 200, "{edited}");
    assert_eq!(
        srv.get(&plan_path, &issuer).await["options"][1]["code"],
        json!("sso")
    );
    let (actor, details) = entry(&srv, "policy.edit", &policy).await;
    assert!(actor.starts_with("token:"), "{actor}");
    assert_eq!(details["duration_days"], json!({"from": 365, "to": 30}));
    assert_eq!(details["name"], json!({"from": "yearly", "to": "monthly"}));
    assert!(
        details.get("seats").is_none(),
        "only what changed: {details}"
    );
    let (_, details) = entry(&srv, "product.edit", &product).await;
    assert_eq!(details["name"]["to"], json!("CAD Suite"));
    let (_, details) = entry(&srv, "plan.edit", &plan).await;
    assert!(details.get("options").is_some(), "{details}");
    // An empty change changes nothing and writes nothing.
    assert_eq!(patch(&srv, &issuer, &policy_path, json!({})).await.0, 200);
    assert_eq!(srv.history_count(&srv.admin, "policy.edit").await, 1);

    // New licences take the new terms; the one issued before keeps its own.
    let after = srv
        .post_ok(
            &format!("/v1/plans/{plan}/licenses"),
            &srv.admin,
            json!({"licensee": "Late", "options": ["sso"]}),
            201,
        )
        .await;
    let late = verified(&srv, &after["license"]).await;
    let b = late.body();
    assert_eq!(b.terms.hard_expiry, Some(b.issued_at.add_days(30)));
    assert_eq!(b.terms.soft_expiry, Some(b.issued_at.add_days(25)));
    let held = srv.get(&format!("/v1/licenses/{early}"), &srv.admin).await;
    assert_eq!(s(&held["file"]), early_file);

    // Retired: still shown, marked, offered for nothing new.
    let retired = srv
        .post_ok(&format!("{plan_path}/retire"), &issuer, json!({}), 200)
        .await;
    assert!(retired["retired_at"].is_i64(), "{retired}");
    let again = srv
        .post_ok(&format!("{plan_path}/retire"), &issuer, json!({}), 200)
        .await;
    assert_eq!(again["retired_at"], retired["retired_at"]);
    assert_eq!(srv.history_count(&srv.admin, "plan.retire").await, 1);
    let listed = srv
        .items(&format!("/v1/plans?product_id={product}"), &issuer)
        .await;
    assert_eq!(listed.len(), 1);
    assert!(listed[0]["retired_at"].is_i64());
    let (status, body) = srv
        .call(
            "POST",
            &format!("/v1/plans/{plan}/licenses"),
            Some(&srv.admin),
            Some(json!({"licensee": "Too late"})),
        )
        .await;
    assert_eq!((status, kind(&body)), (409, "retired"), "{body}");
    assert!(
        detail(&body).contains("the plan Business is retired"),
        "{body}"
    );
    let customer = support::node(&srv, &srv.admin, "customer", "Acme", None).await;
    let (status, body) = srv
        .call(
            "POST",
            "/v1/subscriptions",
            Some(&srv.admin),
            Some(
                json!({"customer_id": customer, "plan_id": plan, "seats": 1, "billing": "monthly",
                        "interval": "monthly", "start": "2026-01-01", "renewal": "none",
                        "notice": "1 week before month end"}),
            ),
        )
        .await;
    assert_eq!((status, kind(&body)), (409, "retired"), "{body}");
    let (status, body) = patch(&srv, &issuer, &plan_path, json!({"name": "Old"})).await;
    assert_eq!((status, kind(&body)), (409, "retired"), "{body}");

    srv.post_ok(&format!("{policy_path}/retire"), &srv.admin, json!({}), 200)
        .await;
    let (status, body) = srv
        .call(
            "POST",
            "/v1/licenses",
            Some(&srv.admin),
            Some(json!({"policy_id": policy, "licensee": "Too late"})),
        )
        .await;
    assert_eq!((status, kind(&body)), (409, "retired"), "{body}");
    assert!(
        detail(&body).contains("the policy monthly is retired"),
        "{body}"
    );
    let (status, body) = srv
        .call(
            "POST",
            "/v1/plans",
            Some(&issuer),
            Some(json!({"name": "New", "policy_id": policy})),
        )
        .await;
    assert_eq!((status, kind(&body)), (409, "retired"), "{body}");
    // The licences issued from it are untouched, and still renew.
    let held = srv.get(&format!("/v1/licenses/{early}"), &srv.admin).await;
    assert_eq!(held["status"], json!("active"));
    verified(&srv, &held).await;
    srv.post_ok(
        &format!("/v1/licenses/{early}/renew"),
        &srv.admin,
        json!({"expires": "2040-01-01"}),
        200,
    )
    .await;

    let retired = srv
        .post_ok(
            &format!("{product_path}/retire"),
            &srv.admin,
            json!({}),
            200,
        )
        .await;
    assert!(retired["retired_at"].is_i64());
    let (actor, _) = entry(&srv, "product.retire", &product).await;
    assert!(actor.starts_with("token:"), "{actor}");
    assert_eq!(
        srv.items("/v1/products", &auditor).await.len(),
        1,
        "never deleted"
    );
    srv.stop().await;
}

/// The console's catalogue changes: an edit form filled with the record, a
/// bad edit drawn again with its rule, a retirement through the confirm
/// page, the retired mark, and the issue form no longer offering it.
async fn console_story(backend: Backend) {
    let srv = Server::start(backend).await;
    let vera = srv
        .person("Vera", "vera@vendor.test", json!([{"role": "admin"}]))
        .await;
    let ann = srv
        .person("Ann", "ann@vendor.test", json!([{"role": "auditor"}]))
        .await;
    let (vendor, auditor) = (Console::of(&srv, &vera), Console::of(&srv, &ann));
    let (product, policy) = srv
        .product_and_policy(
            &srv.admin,
            "console-cad",
            json!({"name": "yearly", "binding": "unbound", "duration_days": 365}),
        )
        .await;
    let plan = srv
        .plan(&srv.admin, json!({"name": "Business", "policy_id": policy}))
        .await;

    // The pages offer the changes to the catalogue role only.
    let page = vendor.get(&format!("/policies/{policy}")).await;
    assert!(
        page.body.contains(&format!("/policies/{policy}/edit")),
        "{}",
        page.body
    );
    assert!(page.body.contains(&format!("/policies/{policy}/retire")));
    let page = auditor.get(&format!("/policies/{policy}")).await;
    assert_eq!(page.status, 200);
    assert!(!page.body.contains(&format!("/policies/{policy}/edit")));
    assert_eq!(
        auditor
            .get(&format!("/policies/{policy}/edit"))
            .await
            .status,
        403
    );

    // The edit form holds the policy's terms; a bad one is drawn again.
    let form = vendor.get(&format!("/policies/{policy}/edit")).await;
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(form.body.contains("value=\"yearly\""), "{}", form.body);
    assert!(form.body.contains("value=\"365\""), "{}", form.body);
    let mut fields = vec![
        ("product_id", product.as_str()),
        ("name", "yearly"),
        ("kind", "standard"),
        ("binding", "unbound"),
        ("match_rule", "all"),
        ("duration_days", "365"),
        ("seats", "0"),
        ("maintenance_days", "90"),
        ("entitlements", "core\nsso"),
    ];
    let edit = format!("/policies/{policy}/edit");
    let refused = vendor.post(&edit, &fields).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused.text().contains("must be at least 1"),
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("value=\"90\""),
        "what was typed is kept"
    );
    fields[6].1 = "2";
    let done = vendor.post(&edit, &fields).await;
    assert_eq!(
        (done.status, done.location.as_str()),
        (303, format!("/policies/{policy}").as_str())
    );
    let read = srv.get(&format!("/v1/policies/{policy}"), &srv.admin).await;
    assert_eq!(read["seats"], json!(2));
    assert_eq!(read["maintenance_days"], json!(90));
    assert_eq!(read["entitlements"], json!(["core", "sso"]));
    assert_eq!(srv.history_count(&srv.admin, "policy.edit").await, 1);

    // A product's name changes; its code does not.
    let page = vendor.get(&format!("/products/{product}/edit")).await;
    assert!(!page.body.contains("name=\"code\""), "{}", page.body);
    let done = vendor
        .post(
            &format!("/products/{product}/edit"),
            &[("name", "CAD Suite")],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(
        srv.get(&format!("/v1/products/{product}"), &srv.admin)
            .await["name"],
        json!("CAD Suite")
    );

    // A plan's options change through its form.
    let form = vendor.get(&format!("/plans/{plan}/edit")).await;
    assert!(form.body.contains("Business"), "{}", form.body);
    let done = vendor
        .post(
            &format!("/plans/{plan}/edit"),
            &[
                ("name", "Business"),
                ("policy_id", &policy),
                ("options", "sso | SSO | sso"),
            ],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(
        srv.get(&format!("/v1/plans/{plan}"), &srv.admin).await["options"][0]["code"],
        json!("sso")
    );

    // Retired through the confirm page: marked, and no longer offered.
    let confirm = vendor.get(&format!("/plans/{plan}/retire")).await;
    assert_eq!(confirm.status, 200, "{}", confirm.body);
    assert!(
        confirm.text().contains("offered for no new licence"),
        "{}",
        confirm.body
    );
    assert!(confirm
        .body
        .contains(&format!("action=\"/plans/{plan}/retire\"")));
    let issue_form = vendor.get("/licenses/new").await;
    assert!(
        issue_form.body.contains(&format!("plan:{plan}")),
        "offered before"
    );
    let done = vendor.post(&format!("/plans/{plan}/retire"), &[]).await;
    assert_eq!(
        (done.status, done.location.as_str()),
        (303, format!("/plans/{plan}").as_str())
    );
    let page = vendor.get(&format!("/plans/{plan}")).await;
    assert!(page.text().contains("Retired on"), "{}", page.body);
    assert!(!page.body.contains(&format!("/plans/{plan}/edit")));
    let list = vendor.get("/plans").await;
    assert!(list.text().contains("Business (retired)"), "{}", list.body);
    let issue_form = vendor.get("/licenses/new").await;
    assert!(
        !issue_form.body.contains(&format!("plan:{plan}")),
        "not offered after"
    );
    assert_eq!(srv.history_count(&srv.admin, "plan.retire").await, 1);
    srv.stop().await;
}

/// A licence's verdict in a QEMU guest and in a Docker container: the codes.
fn environment_codes(license: &License) -> [Vec<u32>; 2] {
    let guest = Environment::from_signals(vec![Signal::new(
        EnvironmentKind::VirtualMachine,
        "dmi.sys_vendor",
        "QEMU",
    )]);
    let docker = Environment::from_signals(vec![Signal::new(
        EnvironmentKind::Container,
        "file./.dockerenv",
        "present",
    )]);
    let b = license.body();
    [guest, docker].map(|seen| {
        let ctx = licentia::Context::new(b.issued_at.add_days(1), &b.product).environment(&seen);
        license
            .check(&ctx)
            .findings
            .iter()
            .map(|f| f.rule.code())
            .collect()
    })
}

async fn environment_story(backend: Backend) {
    let srv = Server::start(backend).await;
    let [issuer] = srv.tokens(["issuer"]).await;
    let (product, policy) = srv
        .product_and_policy(
            &issuer,
            "env-cad",
            json!({"name": "metal", "binding": "unbound", "allow_virtual_machines": false}),
        )
        .await;
    let shown = srv.get(&format!("/v1/policies/{policy}"), &issuer).await;
    assert_eq!(shown["allow_virtual_machines"], json!(false));
    assert_eq!(shown["allow_containers"], json!(true), "the default");
    let (_, doc) = srv.call("GET", "/v1/openapi.json", None, None).await;
    for schema in ["NewPolicy", "ChangesToNewPolicy", "Policy"] {
        let props = &doc["components"]["schemas"][schema]["properties"];
        assert!(props["allow_containers"].is_object(), "{schema}: {props}");
    }
    let (status, body) = srv
        .call(
            "POST",
            "/v1/policies",
            Some(&issuer),
            Some(json!({"product_id": product, "name": "bad", "allow_containers": "no"})),
        )
        .await;
    assert_eq!(status, 422, "a boolean, not a word: {body}");

    // Issued from it: signed in (format version 2), refused in a guest only.
    let issue = |policy: &str| {
        srv.post_ok(
            "/v1/licenses",
            &srv.admin,
            json!({"policy_id": policy, "licensee": "Acme"}),
            201,
        )
    };
    let license = verified(&srv, &issue(&policy).await["license"]).await;
    assert!(!license.environment.virtual_machines && license.environment.containers);
    assert_eq!(environment_codes(&license), [vec![111], vec![]]);
    let text = s(&issue(&policy).await["license"]["file"]);
    let seen = licentia::UnverifiedLicense::parse(&text).unwrap();
    assert_eq!(seen.format_version(), 2);

    // Changed: containers refused too, in the history; new licences both.
    let (status, body) = patch(
        &srv,
        &issuer,
        &format!("/v1/policies/{policy}"),
        json!({"allow_containers": false}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (_, details) = entry(&srv, "policy.edit", &policy).await;
    assert_eq!(
        details["allow_containers"],
        json!({"from": true, "to": false}),
        "{details}"
    );
    let license = verified(&srv, &issue(&policy).await["license"]).await;
    assert_eq!(environment_codes(&license), [vec![111], vec![112]]);

    // A policy allowing both signs version 1 files, as before the term.
    let open = srv
        .policy(
            &issuer,
            "env-cam",
            json!({"name": "anywhere", "binding": "unbound"}),
        )
        .await;
    let text = s(&issue(&open).await["license"]["file"]);
    assert_eq!(
        licentia::UnverifiedLicense::parse(&text)
            .unwrap()
            .format_version(),
        1
    );

    // The console's form offers both terms, keeps them on a refusal, and
    // shows them on the policy's page.
    let vera = srv
        .person("Vera", "vera@vendor.test", json!([{"role": "admin"}]))
        .await;
    let console = Console::of(&srv, &vera);
    let form = console.get(&format!("/policies/{policy}/edit")).await;
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(
        form.body.contains("name=\"allow_virtual_machines\""),
        "{}",
        form.body
    );
    assert!(form.text().contains("Virtual machines"));
    let mut fields = vec![
        ("product_id", product.as_str()),
        ("name", "containers-only"),
        ("binding", "unbound"),
        ("seats", "0"),
        ("allow_virtual_machines", "false"),
        ("allow_containers", "true"),
    ];
    let refused = console.post("/policies", &fields).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused.body.contains("<option value=\"false\" selected>"),
        "what was chosen is kept: {}",
        refused.body
    );
    fields[3].1 = "1";
    let made = console.post("/policies", &fields).await;
    assert_eq!(made.status, 303, "{}", made.body);
    let page = console.get(&made.location).await;
    assert!(
        page.text().contains("Virtual machines refused"),
        "{}",
        page.text()
    );
    let id = made.location.trim_start_matches("/policies/");
    let read = srv.get(&format!("/v1/policies/{id}"), &issuer).await;
    assert_eq!(
        (&read["allow_virtual_machines"], &read["allow_containers"]),
        (&json!(false), &json!(true))
    );
    srv.stop().await;
}

/// A policy of schema 20 (before the environment terms) allows both after
/// migrating, every other term kept.
async fn environment_migration_story(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let (url, _pg) = match backend {
        Backend::Sqlite => (None, None),
        Backend::Postgres(db) => (Some(db.url()), Some(db)),
    };
    let config = support::config(dir.path(), url);
    let old = licentia_server::sql::SqlStore::migrate_until(&config, 20)
        .await
        .unwrap();
    for row in [
        "INSERT INTO products (id, code, name, created_at, revocation_seq, revocation_updated_at) \
         VALUES ('prd_old', 'old-cad', 'Old CAD', 1700000000, 0, 1700000000)",
        "INSERT INTO policies (id, product_id, name, kind, binding, match_rule, duration_days, seats, \
         grace_days, check_in_days, max_offline_days, entitlements, temp_quota, temp_period_days, \
         temp_duration_days, lease_ttl_secs, created_at, max_transfers, transfer_period_days, \
         renew_soon_days, maintenance_days) VALUES ('pol_old', 'prd_old', 'yearly', 'standard', \
         'unbound', 'all', 365, 3, 7, NULL, NULL, '[\"core\"]', 1, 30, 7, 3600, 1700000000, NULL, \
         365, 30, 180)",
    ] {
        sqlx::query(row).execute(&old).await.unwrap();
    }
    old.close().await;
    let new = licentia_server::sql::SqlStore::migrate_until(&config, i64::MAX)
        .await
        .unwrap();
    let row = sqlx::query(
        "SELECT seats, maintenance_days, entitlements, allow_virtual_machines, allow_containers \
         FROM policies WHERE id = 'pol_old'",
    )
    .fetch_one(&new)
    .await
    .unwrap();
    use sqlx::Row;
    let got: (i64, i64, String, i64, i64) = (
        row.get("seats"),
        row.get("maintenance_days"),
        row.get("entitlements"),
        row.get("allow_virtual_machines"),
        row.get("allow_containers"),
    );
    assert_eq!(got, (3, 180, "[\"core\"]".to_owned(), 1, 1));
    new.close().await;
}

support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    environment_story => environment_sqlite, environment_postgres
}

support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    environment_migration_story => environment_migration_sqlite, environment_migration_postgres
}

support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    terms_story => terms_sqlite, terms_postgres
}

support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    changes_story => changes_sqlite, changes_postgres
}

support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    console_story => console_sqlite, console_postgres
}
