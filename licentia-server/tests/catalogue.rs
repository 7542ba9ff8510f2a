//! The catalogue from the back office, over a real socket on SQLite and
//! (when `LICENTIA_TEST_POSTGRES` is set) PostgreSQL: every term the core
//! signs set on a policy (renew soon, maintenance, grace, check-in) and
//! found in the signed file of a licence issued from the policy, from a
//! plan and from the console's issue form, with the verdicts the core
//! gives at the right dates; a perpetual licence with maintenance renewed
//! by extending maintenance only.

mod support;

use licentia::{License, Rule, Timestamp};
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

support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    terms_story => terms_sqlite, terms_postgres
}
