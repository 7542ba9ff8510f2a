//! The catalogue, keys, purchases and notices pages in a real browser
//! (headless Chromium, `support::browser`): a product made through its
//! form after a refusal, a key rotated through its confirmation page, a
//! re-billing beyond its lot refused; and every page of these areas
//! reviewed — its landmarks, axe-core finding nothing serious or
//! critical, its screenshot under `target/console-screenshots/`.
//!
//! Without Chromium these say `SKIPPED: ...` on a developer's machine and
//! fail on CI; `scripts/install-browser.sh` installs it.

mod support;
// The browser harness, apart from `support` (the command line's tests share
// `support` and have no browser).
#[path = "support/browser.rs"]
mod browser;

use browser::{Browser, Options};
use serde_json::{json, Value};
use support::{node, s, webhook_receiver, Backend, Server, NOTICE_DAY, PASSWORD};

const EMAIL: &str = "vera@vendor.test";

/// A server with Vera, the vendor's admin, and a browser signed in as her.
async fn signed_in(options: Options) -> Option<(Server, Browser)> {
    let srv = Server::start(Backend::Sqlite).await;
    let vera = json!({
        "name": "Vera", "email": EMAIL, "password": PASSWORD, "locale": "en",
        "grants": [{"role": "admin", "customer_id": null}],
    });
    srv.post_ok("/v1/accounts", &srv.admin.clone(), vera, 201)
        .await;
    let browser = options.start(&srv.base).await?;
    browser.open("/sign-in").await;
    browser.fill("email", EMAIL).await;
    browser.fill("password", PASSWORD).await;
    browser.submit().await;
    browser.wait_for_text("Sign out").await;
    assert_eq!(browser.path().await, "/");
    Some((srv, browser))
}

/// The id ending the browser's address (`/products/prd_...`).
async fn last_segment(browser: &Browser) -> String {
    let path = browser.path().await;
    path.rsplit('/').next().unwrap().to_owned()
}

/// A product made through the form after a refused code; a policy and a
/// plan made through theirs; each list, record and form page reviewed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn catalogue_pages() {
    let Some((srv, browser)) = signed_in(Browser::options()).await else {
        return;
    };
    browser.click("Catalogue").await;
    browser.wait_for_text("New product").await;
    assert_eq!(browser.path().await, "/products");
    browser.review("catalogue-products-empty").await;
    browser.click("New product").await;
    browser
        .wait_for_text("A product is what licences are for")
        .await;
    browser.fill("code", "cad pro").await;
    browser.fill("name", "CAD Pro").await;
    browser.submit().await;
    browser
        .wait_for_text("a product code has letters, digits")
        .await;
    let alerts = browser.alerts().await;
    assert!(
        alerts
            .iter()
            .any(|a| a.contains("a product code has letters, digits")),
        "{alerts:?}"
    );
    browser.review("catalogue-product-refused").await;
    browser.fill("code", "cad-pro").await;
    browser.submit().await;
    browser
        .wait_for_text("it never changes; its name may")
        .await;
    assert!(
        browser.path().await.starts_with("/products/prd_"),
        "{}",
        browser.path().await
    );
    let product = last_segment(&browser).await;
    browser.review("catalogue-product").await;

    browser.click("New policy").await;
    browser
        .wait_for_text("Every licence issued from this policy")
        .await;
    browser.review("catalogue-policy-new").await;
    browser.fill("name", "yearly").await;
    browser.fill("duration_days", "365").await;
    browser.fill("seats", "3").await;
    browser.submit().await;
    browser.wait_for_text("Identifier").await;
    assert!(
        browser.path().await.starts_with("/policies/pol_"),
        "{}",
        browser.path().await
    );
    let policy = last_segment(&browser).await;
    assert!(browser
        .text()
        .await
        .contains("keep the terms they were signed with"));
    browser.review("catalogue-policy").await;
    let read = srv.get(&format!("/v1/policies/{policy}"), &srv.admin).await;
    assert_eq!(read["product_id"], json!(product));
    assert_eq!(read["seats"], json!(3));

    browser.open("/plans/new").await;
    browser.review("catalogue-plan-new").await;
    browser.fill("name", "Business").await;
    browser.fill("options", "pro | Pro pack | reports").await;
    browser.submit().await;
    browser.wait_for_text("Open the policy").await;
    assert!(
        browser.path().await.starts_with("/plans/pln_"),
        "{}",
        browser.path().await
    );
    browser.review("catalogue-plan").await;
    for (path, name) in [
        ("/products", "catalogue-products"),
        ("/policies", "catalogue-policies"),
        ("/plans", "catalogue-plans"),
        ("/products/new", "catalogue-product-new"),
    ] {
        browser.open(path).await;
        browser.review(name).await;
    }
    srv.stop().await;
}

/// The keys: listed, rotated through the confirmation page, the old one's
/// retirement page; each reviewed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_pages() {
    let Some((srv, browser)) = signed_in(Browser::options()).await else {
        return;
    };
    let (_, keys) = srv.call("GET", "/v1/keys", None, None).await;
    let old = s(&keys["items"][0]["key_id"]);
    browser.click("Keys").await;
    browser.wait_for_text("Signing keys").await;
    browser.review("keys").await;
    browser.click("Rotate the signing key").await;
    browser.wait_for_text("Rotate now").await;
    assert_eq!(browser.path().await, "/keys/rotate");
    assert!(browser.text().await.contains("rollover statement"));
    browser.review("keys-rotate").await;
    browser.click("Rotate now").await;
    browser.wait_for_text("Done: key").await;
    assert!(
        browser.path().await.starts_with("/keys?done="),
        "{}",
        browser.path().await
    );
    browser.review("keys-rotated").await;
    let pem = browser
        .fetch("/keys/public.pem")
        .await
        .text()
        .await
        .unwrap();
    let key = licentia::PublicKey::from_pem(&pem).expect("a PEM public key");
    assert_ne!(key.key_id().to_string(), old);
    browser.click("Retire…").await;
    browser.wait_for_text("stop validating").await;
    assert_eq!(browser.path().await, format!("/keys/retire?key={old}"));
    assert!(browser
        .text()
        .await
        .contains("stop validating once products fetch the revocation list"));
    browser.review("keys-retire").await;
    srv.stop().await;
}

/// A lot and its re-billings: one beyond the lot refused with the numbers;
/// the notices, a notification's deliveries, a subscription's deletion
/// page; each reviewed, scripts on, and the purchase page without them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn purchases_and_notices_pages() {
    let Some((srv, browser)) = signed_in(Browser::options()).await else {
        return;
    };
    let issuer = srv.token("issuer").await;
    srv.product_and_policy(&issuer, "buy-cad", json!({"name": "site", "seats": 5}))
        .await;
    let partner = node(&srv, &issuer, "partner", "Partner North", None).await;
    node(&srv, &issuer, "customer", "Alpha", Some(&partner)).await;
    let lot: Value = srv
        .post_ok(
            "/v1/purchases",
            &srv.admin,
            json!({"customer_id": partner, "product_id": "buy-cad", "quantity": 10,
                   "purchased_on": "2026-01-31", "cost": "990", "currency": "EUR"}),
            201,
        )
        .await;
    let lot = s(&lot["id"]);
    browser.click("Purchases").await;
    browser.wait_for_text("Lots bought").await;
    browser.review("purchases").await;
    browser.click("Record a purchase").await;
    browser.wait_for_text("A lot raises").await;
    browser.review("purchases-new").await;
    browser.open(&format!("/purchases/{lot}")).await;
    browser.select("customer_id", "Alpha").await;
    browser.fill("quantity", "6").await;
    browser.submit().await;
    browser
        .wait_for_text("4 seats of this lot can still be re-billed")
        .await;
    assert!(browser
        .text()
        .await
        .contains("4 seats of this lot can still be re-billed"));
    browser.review("purchase").await;
    browser.fill("quantity", "5").await;
    browser.submit().await;
    browser.wait_for_text("5 cannot be re-billed").await;
    let alerts = browser.alerts().await;
    assert!(
        alerts.iter().any(|a| a
            .contains("The lot has 10 seats and 6 are re-billed already: 5 cannot be re-billed")),
        "{alerts:?}"
    );
    browser.review("purchase-rebilling-refused").await;

    let (hook, _seen) = webhook_receiver(false).await;
    browser.click("Notices").await;
    browser.wait_for_text("Who receives notices").await;
    browser.click("New notice subscription").await;
    browser.wait_for_text("Choose the notices").await;
    browser.review("notices-new").await;
    browser.check("licence expiring", true).await;
    browser.fill("webhook_url", &hook).await;
    browser.submit().await;
    browser.wait_for_text("whsec_").await;
    assert!(browser.text().await.contains("whsec_"));
    browser.review("notices-secret").await;
    srv.expiring_license("notice-cad").await;
    let (status, body) = srv
        .call(
            "POST",
            "/v1/jobs/run",
            Some(&srv.admin),
            Some(json!({"date": NOTICE_DAY})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    browser.click("Back to the notices").await;
    browser.wait_for_text("Who receives notices").await;
    browser.review("notices").await;
    let written = srv.get("/v1/notifications", &srv.admin).await;
    browser
        .open(&format!("/notifications/{}", s(&written["items"][0]["id"])))
        .await;
    assert!(browser.text().await.contains("Deliveries"));
    browser.review("notification").await;
    browser.open("/notices").await;
    browser.click("Delete…").await;
    browser.wait_for_text("It receives no more notices").await;
    browser.review("notices-delete").await;
    browser.click("Delete the subscription").await;
    browser
        .wait_for_text("Nobody subscribes to notices yet")
        .await;
    assert_eq!(browser.path().await, "/notices");
    assert!(browser
        .text()
        .await
        .contains("Nobody subscribes to notices yet"));
    browser.close().await;

    // Without scripts the same forms post back.
    let browser = Browser::options()
        .javascript(false)
        .start(&srv.base)
        .await
        .expect("the browser started once already");
    browser.open("/sign-in").await;
    browser.fill("email", EMAIL).await;
    browser.fill("password", PASSWORD).await;
    browser.submit().await;
    browser.wait_for_text("Sign out").await;
    browser.open(&format!("/purchases/{lot}")).await;
    browser.select("customer_id", "Alpha").await;
    browser.fill("quantity", "9").await;
    browser.submit().await;
    browser.wait_for_text("9 cannot be re-billed").await;
    assert!(
        browser
            .alerts()
            .await
            .iter()
            .any(|a| a.contains("9 cannot be re-billed")),
        "{:?}",
        browser.alerts().await
    );
    browser.review("purchase-refused-without-scripts").await;
    srv.stop().await;
}
