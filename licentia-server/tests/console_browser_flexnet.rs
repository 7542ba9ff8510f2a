//! The FlexNet story in a real browser (headless Chromium, `support::browser`):
//! the vendor's issuer issues a licence from a plan with an option, the
//! key shown once; the customer's admin finds the licence, downloads its
//! file (it verifies with the server's keys), and when a machine dies,
//! issues a temporary licence for its replacement within the policy's
//! quota, then is refused beyond it, the rule on the page. Every page is
//! reviewed: landmarks, axe-core, a screenshot.
//!
//! Without Chromium this says `SKIPPED: ...` on a developer's machine and
//! fails on CI; `scripts/install-browser.sh` installs it.

mod support;
// The browser harness, apart from `support` (the command line's tests share
// `support` and have no browser).
#[path = "support/browser.rs"]
mod browser;

use browser::Browser;
use serde_json::json;
use support::{machine, node, Backend, Server, PASSWORD};

/// Makes the account `email` with `grants`.
async fn account(srv: &Server, name: &str, email: &str, grants: serde_json::Value) {
    let body = json!({"name": name, "email": email, "password": PASSWORD, "grants": grants});
    srv.post_ok("/v1/accounts", &srv.admin.clone(), body, 201)
        .await;
}

/// Signs `email` in on the sign-in page.
async fn sign_in(browser: &Browser, email: &str) {
    browser.open("/sign-in").await;
    browser.fill("email", email).await;
    browser.fill("password", PASSWORD).await;
    browser.submit().await;
    assert_eq!(browser.path().await, "/");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_flexnet_story_in_a_browser() {
    let srv = Server::start(Backend::Sqlite).await;
    let vendor = srv.admin.clone();
    let (_, policy) = srv
        .product_and_policy(
            &vendor,
            "cad-suite",
            json!({"name": "yearly", "binding": "unbound", "seats": 3, "duration_days": 365,
                   "entitlements": ["modeler"], "temp_quota": 1}),
        )
        .await;
    srv.plan(
        &vendor,
        json!({"name": "Professional", "policy_id": policy,
               "options": [{"code": "SIM", "name": "Simulation", "entitlements": ["simulation"]}]}),
    )
    .await;
    let acme = node(&srv, &vendor, "customer", "Acme", None).await;
    account(&srv, "Ivy", "ivy@vendor.test", json!([{"role": "issuer"}])).await;
    account(
        &srv,
        "Ada",
        "ada@acme.test",
        json!([{"role": "admin", "customer_id": acme}]),
    )
    .await;
    let Some(browser) = Browser::start(&srv.base).await else {
        return;
    };

    // The vendor's issuer issues a licence from the plan, with its option.
    sign_in(&browser, "ivy@vendor.test").await;
    browser.click("Licences").await;
    assert_eq!(browser.path().await, "/licenses");
    browser.review("licenses-empty").await;
    browser.click("Issue a licence").await;
    assert_eq!(browser.path().await, "/licenses/new");
    browser.select("Issue from", "Professional").await;
    browser.find("input[value=SIM]").await;
    browser.check("Simulation SIM", true).await;
    browser.select("Customer", "Acme").await;
    browser.fill("Licensee", "Acme Engineering").await;
    browser.review("license-new").await;
    browser.submit().await;
    browser.wait_for_text("shown only once").await;
    let key = browser
        .find("#license-key")
        .await
        .prop("value")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(key.len(), 35, "{key}");
    browser.review("license-issued").await;
    browser.click("Open the licence").await;
    let text = browser.text().await;
    assert!(text.contains("modeler, simulation"), "{text}");
    browser.review("license").await;
    browser.click("Sign out").await;

    // The customer's admin finds it and downloads its file.
    sign_in(&browser, "ada@acme.test").await;
    browser.open("/licenses").await;
    // As one types, the results follow (htmx swaps them in).
    browser.fill("Licensee", "nobody").await;
    browser
        .wait_for_text("No licence matches this search.")
        .await;
    browser.fill("Licensee", "acme").await;
    browser.click("Search").await;
    let rows = browser.table("results-table").await;
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[1][0], "Acme Engineering");
    browser.review("licenses-found").await;
    browser.click("Acme Engineering").await;
    let file = browser
        .fetch(&browser.href("Download the licence file (.lic)").await)
        .await;
    assert_eq!(file.status(), 200);
    let verifier = srv.verifier().await;
    let license = verifier
        .verify(&file.text().await.unwrap())
        .expect("the file verifies");
    assert_eq!(license.body().licensee.name, "Acme Engineering");

    // A machine runs it; it dies.
    let (status, _) = srv.activate(&key, "cad-suite", 1, "linux-x86_64").await;
    assert_eq!(status, 201);
    browser.open(&browser.path().await).await;
    let machines = browser.table("Machines").await;
    assert_eq!(machines.len(), 2, "{machines:?}");
    browser.review("license-with-machine").await;

    // A temporary licence for the replacement, within the quota.
    browser.click("Temporary licence for an outage").await;
    let rule = browser.text().await;
    assert!(rule.contains("1 temporary licence per licence"), "{rule}");
    browser.review("license-temporary").await;
    let replacement = machine("cad-suite", 2).to_string();
    browser
        .fill("Fingerprint of the replacement machine", &replacement)
        .await;
    browser.submit().await;
    browser.wait_for_text("Temporary licence issued").await;
    assert!(browser.alerts().await.is_empty());
    browser.review("license-temporary-made").await;

    // Beyond the quota: refused, with the rule.
    let another = machine("cad-suite", 3).to_string();
    browser
        .fill("Fingerprint of the replacement machine", &another)
        .await;
    browser.submit().await;
    browser.wait_for_text("its quota is 1").await;
    let alerts = browser.alerts().await;
    assert!(
        alerts.iter().any(|a| a.contains("its quota is 1")),
        "{alerts:?}"
    );
    browser.review("license-temporary-refused").await;
    browser.close().await;
    srv.stop().await;
}
