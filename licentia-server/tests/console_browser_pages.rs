//! Every page of the console's page table, in a real browser, generated
//! from the table: the vendor's admin opens each `GET` page (a record page
//! with a record of its kind), and each must have its landmarks, no
//! serious or critical axe-core violation, and its screenshot under
//! `target/console-screenshots/` (`pages-en-*`, `pages-fr-phone-*`) — in
//! English on a desktop, then in
//! French on a phone. A page added to the table is reviewed without
//! touching this file; a record kind without a sample here fails it.

mod support;
// The browser harness, apart from `support` (the command line's tests share
// `support` and have no browser).
#[path = "support/browser.rs"]
mod browser;

use std::collections::BTreeMap;

use browser::Browser;
use licentia_server::console::{pages, PageAccess};
use licentia_server::store::RecordKind;
use serde_json::json;
use support::{machine, node, s, Backend, Server, PASSWORD};

const PRODUCT: &str = "tour";

/// A record of every kind the pages name, made through the API.
async fn records(srv: &Server) -> BTreeMap<&'static str, String> {
    let root = srv.admin.clone();
    let (product, policy) = srv
        .product_and_policy(
            &root,
            PRODUCT,
            json!({"name": "yearly", "binding": "node-locked", "seats": 5}),
        )
        .await;
    let plan = srv
        .plan(
            &root,
            json!({"name": "Business", "policy_id": policy,
                   "price": {"currency": "EUR", "amount": 1500, "tax_rate_bp": 2000}}),
        )
        .await;
    let partner = node(srv, &root, "partner", "Wazo", None).await;
    let customer = node(srv, &root, "customer", "Alpha", Some(&partner)).await;
    let purchase = srv
        .purchase(&root, &partner, &product, 100, "2026-01-01")
        .await;
    let finance = srv.token("finance").await;
    assert_eq!(srv.allocate(&finance, &customer, &product, 20).await.0, 200);
    // A contract of the partner's; the lot re-billed to Alpha opens a
    // follow-up item.
    let supplier = srv
        .post_ok("/v1/suppliers", &root, json!({"name": "Supplier"}), 201)
        .await;
    let contract_type = srv
        .post_ok(
            "/v1/contract-types",
            &root,
            json!({"name": "maintenance"}),
            201,
        )
        .await;
    let contract = srv
        .post_ok(
            "/v1/contracts",
            &root,
            json!({"customer_id": partner, "supplier_id": supplier["id"],
                   "contract_type_id": contract_type["id"], "reference": "C-1",
                   "starts_on": "2026-01-01", "ends_on": "2030-12-31"}),
            201,
        )
        .await;
    srv.post_ok(
        &format!("/v1/purchases/{}/rebillings", s(&purchase["id"])),
        &root,
        json!({"customer_id": customer, "quantity": 10}),
        201,
    )
    .await;
    let follow_up = srv.items("/v1/follow-ups", &root).await[0]["id"].clone();
    let license = srv
        .post_ok(
            "/v1/licenses",
            &root,
            json!({"policy_id": policy, "licensee": "Alpha SA", "customer_id": customer,
                   "expires": "2030-04-01"}),
            201,
        )
        .await;
    let activation = srv
        .post_ok(
            "/v1/activations",
            &root,
            json!({"license_key": s(&license["license_key"]),
                   "fingerprint": machine(PRODUCT, 1).to_string(), "platform": "linux"}),
            201,
        )
        .await;
    let member = srv
        .post_ok(
            &format!("/v1/customers/{customer}/members"),
            &root,
            json!({"name": "Mia", "email": "mia@alpha.test", "plan_id": plan}),
            201,
        )
        .await;
    let subscription = srv
        .post_ok(
            "/v1/subscriptions",
            &root,
            json!({"customer_id": customer, "plan_id": plan, "seats": 3, "billing": "monthly",
                   "interval": "monthly", "start": "2026-01-01", "renewal": "always",
                   "notice": "1 week before month end"}),
            201,
        )
        .await;
    let account = srv
        .post_ok(
            "/v1/accounts",
            &root,
            json!({"name": "Aud", "email": "aud@alpha.test",
                   "grants": [{"role": "auditor", "customer_id": customer}]}),
            201,
        )
        .await;
    let subscribed = srv
        .post_ok(
            "/v1/notice-subscriptions",
            &root,
            json!({"kinds": ["license.expiring"], "role": "admin",
                   "webhook_url": "https://127.0.0.1:9/hook"}),
            201,
        )
        .await;
    srv.expiring_license("notice").await;
    srv.post_ok(
        "/v1/jobs/run",
        &root,
        json!({"date": support::NOTICE_DAY}),
        200,
    )
    .await;
    let notifications = srv.items("/v1/notifications", &root).await;
    let mut ids = BTreeMap::from([
        ("customer", customer),
        ("license", s(&license["license"]["id"])),
        ("activation", s(&activation["activation_id"])),
        ("member", s(&member["member"]["id"])),
        ("subscription", s(&subscription["subscription"]["id"])),
        ("purchase", s(&purchase["id"])),
        ("contract", s(&contract["id"])),
        ("follow_up", s(&follow_up)),
        ("account", s(&account["account"]["id"])),
        ("grant", s(&account["grants"][0]["id"])),
        ("notice_subscription", s(&subscribed["subscription"]["id"])),
        ("product", product),
        ("policy", policy),
        ("plan", plan),
    ]);
    ids.insert("notification", s(&notifications[0]["id"]));
    let invoices = srv.items("/v1/invoices?limit=1", &root).await;
    ids.insert("invoice", s(&invoices[0]["id"]));
    ids
}

/// The record a page's `{id}` names.
fn record<'a>(ids: &'a BTreeMap<&'static str, String>, path: &str) -> &'a str {
    let kind = licentia_server::staff::record_kind(path)
        .unwrap_or_else(|| panic!("{path}: no record kind"));
    let name = match kind {
        RecordKind::Customer => "customer",
        RecordKind::License => "license",
        RecordKind::Activation => "activation",
        RecordKind::Member => "member",
        RecordKind::Subscription => "subscription",
        RecordKind::Purchase => "purchase",
        RecordKind::Account => "account",
        RecordKind::Grant => "grant",
        RecordKind::NoticeSubscription => "notice_subscription",
        RecordKind::Notification => "notification",
        RecordKind::Invoice => "invoice",
        RecordKind::Contract => "contract",
        RecordKind::FollowUp => "follow_up",
        RecordKind::Catalogue if path.starts_with("/policies/") => "policy",
        RecordKind::Catalogue if path.starts_with("/plans/") => "plan",
        RecordKind::Catalogue => "product",
        other => panic!("{path}: no sample record of kind {other:?} in this test"),
    };
    ids.get(name)
        .unwrap_or_else(|| panic!("{path}: the {name} sample was not made"))
}

/// Whether a page is a file to download rather than a page to look at.
fn download(path: &str) -> bool {
    path.starts_with("/assets/")
        || path.ends_with(".csv")
        || path.ends_with(".pem")
        || path.ends_with(".txt")
        || path.ends_with("/file")
}

async fn tour(lang: &str, phone: bool) {
    let srv = Server::start(Backend::Sqlite).await;
    let ids = records(&srv).await;
    srv.post_ok(
        "/v1/accounts",
        &srv.admin,
        json!({"name": "Vera", "email": "vera@vendor.test", "password": PASSWORD,
               "locale": lang, "grants": [{"role": "admin"}]}),
        201,
    )
    .await;
    let Some(browser) = Browser::options().lang(lang).start(&srv.base).await else {
        return;
    };
    if phone {
        browser.set_mobile().await;
    }
    browser.open("/sign-in").await;
    browser.fill("email", "vera@vendor.test").await;
    browser.fill("password", PASSWORD).await;
    browser.submit().await;
    assert_eq!(browser.path().await, "/");
    let mut seen = 0;
    for page in pages() {
        if page.method != "get" || download(page.path) || page.path == "/sign-in" {
            continue;
        }
        let path = if page.path.contains("{id}") {
            page.path.replace("{id}", record(&ids, page.path))
        } else {
            page.path.to_owned()
        };
        browser.open(&path).await;
        if page.access == PageAccess::Signed {
            assert_ne!(browser.path().await, "/sign-in", "{path} opened");
        }
        let name = format!(
            "pages/{lang}{}-{}",
            if phone { "-phone" } else { "" },
            path.trim_start_matches('/')
                .replace(['/', '?', '&', '='], "_")
        );
        browser.review(&name).await;
        seen += 1;
    }
    assert!(seen >= 30, "{seen} pages reviewed");
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_in_english_on_a_desktop() {
    tour("en", false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_in_french_on_a_phone() {
    tour("fr", true).await;
}
