//! The console's catalogue, keys, purchases and notices pages over HTTP,
//! against the real server on both backends: records made through the
//! forms and read back through the API; a bad field refused on the page
//! with its rule and what was typed kept; a key rotated and retired
//! through their confirmation pages, the public key downloaded and parsed;
//! a re-billing beyond its lot refused with the numbers; notices listed,
//! a subscription deleted behind its confirmation; a partner admin seeing
//! only its own purchases; the keys pages refused to anyone but an admin.

mod support;

use reqwest::redirect::Policy;
use serde_json::{json, Value};
use support::{node, s, webhook_receiver, Backend, Person, Server, NOTICE_DAY};

/// A browser that does not follow redirects (the tests read them).
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap()
}

/// GET `path` as `p`: status, `Location` (if any), body.
async fn get(srv: &Server, p: &Person, path: &str) -> (u16, String, String) {
    let resp = browser()
        .get(format!("{}{path}", srv.base))
        .header("cookie", format!("{}; licentia_csrf={}", p.cookie, p.csrf))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap();
    answer(resp).await
}

/// POSTs `form` (with the CSRF token) to `path` as `p`.
async fn post(
    srv: &Server,
    p: &Person,
    path: &str,
    form: &[(&str, &str)],
) -> (u16, String, String) {
    let mut fields = vec![("_csrf", p.csrf.as_str())];
    fields.extend_from_slice(form);
    let resp = browser()
        .post(format!("{}{path}", srv.base))
        .header("cookie", format!("{}; licentia_csrf={}", p.cookie, p.csrf))
        .header("accept-language", "en")
        .form(&fields)
        .send()
        .await
        .unwrap();
    answer(resp).await
}

async fn answer(resp: reqwest::Response) -> (u16, String, String) {
    let status = resp.status().as_u16();
    let location = resp
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, location, resp.text().await.unwrap())
}

/// The id at the end of a redirect to a record's page.
fn record_id(location: &str, prefix: &str) -> String {
    location
        .strip_prefix(prefix)
        .unwrap_or_else(|| panic!("{location} is not under {prefix}"))
        .to_owned()
}

/// GET a JSON API path with the admin token.
async fn api(srv: &Server, path: &str) -> Value {
    let (status, body) = srv.call("GET", path, Some(&srv.admin), None).await;
    assert_eq!(status, 200, "GET {path}: {body}");
    body
}

/// The refusal paragraph of a page.
fn refusal(page: &str) -> &str {
    let at = page
        .find("class=\"refusal\" role=\"alert\"")
        .unwrap_or_else(|| panic!("no refusal on {page}"));
    let rest = &page[at..];
    &rest[..rest.find("</p>").unwrap()]
}

async fn catalogue_and_keys(backend: Backend) {
    let srv = Server::start(backend).await;
    let vera = srv
        .person("Vera", "vera@vendor.test", json!([{"role": "admin"}]))
        .await;
    let ian = srv
        .person("Ian", "ian@vendor.test", json!([{"role": "issuer"}]))
        .await;

    // A product through its form, read back through the API.
    let (status, _, page) = get(&srv, &vera, "/products/new").await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("<label for=\"product-code\">Code"), "{page}");
    assert!(
        page.contains("letters, digits, &#39;-&#39;") || page.contains("letters, digits, '-'"),
        "the rule is shown: {page}"
    );
    let (status, to, page) = post(
        &srv,
        &vera,
        "/products",
        &[("code", "cad-pro"), ("name", "CAD Pro")],
    )
    .await;
    assert_eq!(status, 303, "{page}");
    let product = record_id(&to, "/products/");
    let read = api(&srv, "/v1/products/cad-pro").await;
    assert_eq!(read["id"], json!(product));
    assert_eq!(read["name"], json!("CAD Pro"));
    let (status, _, page) = get(&srv, &vera, &to).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("CAD Pro") && page.contains("it never changes; its name may"),
        "{page}"
    );

    // A bad code: refused on the page with its rule, what was typed kept.
    let (status, _, page) = post(
        &srv,
        &vera,
        "/products",
        &[("code", "cad pro!"), ("name", "Typed name")],
    )
    .await;
    assert_eq!(status, 422, "{page}");
    assert!(
        refusal(&page).contains("a product code has letters, digits"),
        "{page}"
    );
    assert!(
        page.contains("value=\"cad pro!\""),
        "the code typed is kept: {page}"
    );
    assert!(
        page.contains("value=\"Typed name\""),
        "the name typed is kept: {page}"
    );
    assert!(
        page.contains("aria-invalid=\"true\""),
        "the field is marked: {page}"
    );

    // A policy through its form: every term read back.
    let (status, _, page) = get(&srv, &vera, &format!("/policies/new?product_id={product}")).await;
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("keep the terms they were signed with"),
        "{page}"
    );
    let policy_form = [
        ("product_id", product.as_str()),
        ("name", "yearly"),
        ("kind", "standard"),
        ("binding", "floating"),
        ("match_rule", "all"),
        ("duration_days", "365"),
        ("seats", "5"),
        ("grace_days", "14"),
        ("entitlements", "sso\r\naudit=3\r\n"),
        ("temp_quota", "2"),
        ("lease_ttl_secs", "600"),
        ("max_transfers", ""),
    ];
    let (status, to, page) = post(&srv, &vera, "/policies", &policy_form).await;
    assert_eq!(status, 303, "{page}");
    let policy = record_id(&to, "/policies/");
    let read = api(&srv, &format!("/v1/policies/{policy}")).await;
    assert_eq!(read["binding"], json!("floating"));
    assert_eq!(read["seats"], json!(5));
    assert_eq!(read["duration_days"], json!(365));
    assert_eq!(read["grace_days"], json!(14));
    assert_eq!(read["entitlements"], json!(["sso", "audit=3"]));
    assert_eq!(read["temp_quota"], json!(2));
    assert_eq!(read["temp_period_days"], json!(30), "an untouched default");
    assert_eq!(read["lease_ttl_secs"], json!(600));
    assert_eq!(read["max_transfers"], Value::Null);
    let (status, _, page) = get(&srv, &vera, &to).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("keep the terms they were signed with"),
        "{page}"
    );
    assert!(page.contains("sso, audit=3"), "{page}");

    // Bad terms: refused with the rule, the form as typed.
    let mut zero = policy_form.to_vec();
    zero[1] = ("name", "monthly");
    zero[6] = ("seats", "0");
    let (status, _, page) = post(&srv, &vera, "/policies", &zero).await;
    assert_eq!(status, 422, "{page}");
    assert!(refusal(&page).contains("must be at least 1"), "{page}");
    assert!(page.contains("value=\"monthly\""), "{page}");
    assert!(
        page.contains("sso\r\naudit=3") || page.contains("sso\naudit=3"),
        "{page}"
    );
    zero[6] = ("seats", "many");
    let (status, _, page) = post(&srv, &vera, "/policies", &zero).await;
    assert_eq!(status, 422, "{page}");
    assert!(
        refusal(&page).contains("&#39;seats&#39; must be a whole number")
            || refusal(&page).contains("'seats' must be a whole number"),
        "{page}"
    );
    assert!(page.contains("value=\"many\""), "{page}");

    // A plan with an option.
    let (status, to, page) = post(
        &srv,
        &vera,
        "/plans",
        &[
            ("name", "Business"),
            ("policy_id", &policy),
            ("options", "pro | Pro pack | reports\n"),
        ],
    )
    .await;
    assert_eq!(status, 303, "{page}");
    let plan = record_id(&to, "/plans/");
    let read = api(&srv, &format!("/v1/plans/{plan}")).await;
    assert_eq!(read["policy_id"], json!(policy));
    assert_eq!(read["options"][0]["code"], json!("pro"));
    assert_eq!(read["options"][0]["entitlements"], json!(["reports"]));
    let (status, _, page) = get(&srv, &vera, "/plans").await;
    assert_eq!(status, 200);
    assert!(page.contains(&format!("/plans/{plan}")), "{page}");
    let (status, _, page) = post(
        &srv,
        &vera,
        "/plans",
        &[
            ("name", "Odd"),
            ("policy_id", &policy),
            ("options", "just-a-code"),
        ],
    )
    .await;
    assert_eq!(status, 422, "{page}");
    assert!(refusal(&page).contains("CODE | Name"), "{page}");
    assert!(page.contains("just-a-code</textarea>"), "{page}");

    // An issuer makes catalogue records but may not see the keys.
    let (status, _, _) = get(&srv, &ian, "/products/new").await;
    assert_eq!(status, 200);
    for path in [
        "/keys",
        "/keys/rotate",
        "/keys/public.pem",
        "/keys/rollover.txt",
    ] {
        let (status, _, page) = get(&srv, &ian, path).await;
        assert_eq!(status, 403, "{path}: {page}");
        assert!(refusal(&page).contains("admin role"), "{path}: {page}");
    }
    let (status, _, _) = post(&srv, &ian, "/keys/rotate", &[]).await;
    assert_eq!(status, 403);

    // Rotation through its confirmation page.
    let keys = api(&srv, "/v1/keys").await;
    let old = s(&keys["items"][0]["key_id"]);
    let (status, _, page) = get(&srv, &vera, "/keys").await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains(&old) && page.contains("Active"), "{page}");
    let (status, _, page) = get(&srv, &vera, "/keys/rotate").await;
    assert_eq!(status, 200);
    assert!(
        page.contains("rollover statement") && page.contains(&old),
        "{page}"
    );
    let (status, to, _) = post(&srv, &vera, "/keys/rotate", &[]).await;
    assert_eq!(status, 303);
    let keys = api(&srv, "/v1/keys").await;
    let active: Vec<&Value> = keys["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|k| k["state"] == json!("active"))
        .collect();
    let new = s(&active[0]["key_id"]);
    assert_ne!(new, old);
    assert_eq!(to, format!("/keys?done={new}"));
    let (_, _, page) = get(&srv, &vera, &to).await;
    assert!(page.contains(&new) && page.contains("Trusted"), "{page}");
    // The public key downloads and parses.
    let (status, _, pem) = get(&srv, &vera, &format!("/keys/public.pem?key={new}")).await;
    assert_eq!(status, 200);
    let key = licentia::PublicKey::from_pem(&pem).expect("a PEM public key");
    assert_eq!(key.key_id().to_string(), new);
    let (status, _, active_pem) = get(&srv, &vera, "/keys/public.pem").await;
    assert_eq!((status, active_pem), (200, pem));
    let (status, _, statement) = get(&srv, &vera, &format!("/keys/rollover.txt?key={new}")).await;
    assert_eq!(status, 200);
    assert_eq!(Some(statement.as_str()), active[0]["rollover"].as_str());

    // Retirement through its confirmation page.
    let (status, _, page) = get(&srv, &vera, &format!("/keys/retire?key={old}")).await;
    assert_eq!(status, 200);
    assert!(
        page.contains(
            "licences signed by it stop validating once products fetch the revocation list"
        ) || page.contains(
            "Licences signed by it stop validating once products fetch the revocation list"
        ),
        "{page}"
    );
    let (status, _, page) = get(&srv, &vera, &format!("/keys/retire?key={new}")).await;
    assert_eq!(status, 200);
    assert!(
        refusal(&page).contains("the active key cannot be retired"),
        "{page}"
    );
    let (status, _, page) = post(&srv, &vera, "/keys/retire", &[("key", &new)]).await;
    assert_eq!(status, 409, "the active key stays: {page}");
    let (status, to, _) = post(&srv, &vera, "/keys/retire", &[("key", &old)]).await;
    assert_eq!(
        (status, to.as_str()),
        (303, format!("/keys?done={old}").as_str())
    );
    let keys = api(&srv, "/v1/keys").await;
    assert_eq!(keys["retired"], json!([old]));
    let (_, _, page) = get(&srv, &vera, "/keys").await;
    assert!(page.contains("Retired"), "{page}");

    // A form without its token is refused.
    let resp = browser()
        .post(format!("{}/products", srv.base))
        .header(
            "cookie",
            format!("{}; licentia_csrf={}", vera.cookie, vera.csrf),
        )
        .form(&[("code", "x"), ("name", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    srv.stop().await;
}

async fn purchases_and_notices(backend: Backend) {
    let srv = Server::start(backend).await;
    let issuer = srv.token("issuer").await;
    let (product, _) = srv
        .product_and_policy(
            &issuer,
            "buy-cad",
            json!({"name": "site", "binding": "node-locked", "seats": 50}),
        )
        .await;
    let partner = node(&srv, &issuer, "partner", "Partner North", None).await;
    let alpha = node(&srv, &issuer, "customer", "Alpha", Some(&partner)).await;
    let other = node(&srv, &issuer, "partner", "Partner South", None).await;
    let vera = srv
        .person("Vera", "vera@vendor.test", json!([{"role": "admin"}]))
        .await;
    let pat = srv
        .person(
            "Pat",
            "pat@north.test",
            json!([{"role": "admin", "customer_id": partner}]),
        )
        .await;

    // A lot through the form, read back through the API.
    let (status, _, page) = get(&srv, &vera, "/purchases/new").await;
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("Partner North") && page.contains("Partner South"),
        "{page}"
    );
    assert!(
        !page.contains(&format!("value=\"{alpha}\"")),
        "only top nodes buy: {page}"
    );
    let lot = [
        ("customer_id", partner.as_str()),
        ("product_id", product.as_str()),
        ("quantity", "100"),
        ("serial", "REG-1"),
        ("purchased_on", "2026-01-31"),
        ("renews_on", "2027-01-31"),
        ("cost", "1200.5"),
        ("currency", "EUR"),
        ("po_number", "PO-7"),
    ];
    let (status, to, page) = post(&srv, &vera, "/purchases", &lot).await;
    assert_eq!(status, 303, "{page}");
    let lot_id = record_id(&to, "/purchases/");
    let read = api(&srv, &format!("/v1/purchases/{lot_id}")).await;
    assert_eq!(read["quantity"], json!(100));
    assert_eq!(read["cost"], json!("1200.50"));
    assert_eq!(read["customer_id"], json!(partner));
    // Bad input: refused with the rule, what was typed kept.
    let mut bad = lot.to_vec();
    bad[2] = ("quantity", "lots");
    bad[3] = ("serial", "REG-2");
    let (status, _, page) = post(&srv, &vera, "/purchases", &bad).await;
    assert_eq!(status, 422, "{page}");
    assert!(refusal(&page).contains("must be a whole number"), "{page}");
    assert!(
        page.contains("value=\"lots\"") && page.contains("value=\"REG-2\""),
        "{page}"
    );
    bad[2] = ("quantity", "10");
    bad[5] = ("renews_on", "2025-01-01");
    let (status, _, page) = post(&srv, &vera, "/purchases", &bad).await;
    assert_eq!(status, 422, "{page}");
    assert!(refusal(&page).contains("must come after"), "{page}");

    // Another partner's lot, through the API.
    let theirs = srv
        .post_ok(
            "/v1/purchases",
            &srv.admin,
            json!({"customer_id": other, "product_id": "buy-cad", "quantity": 7, "purchased_on": "2026-02-01"}),
            201,
        )
        .await;
    let theirs = s(&theirs["id"]);

    // Re-billing within the lot, then beyond it: the numbers on the page.
    let (status, to, page) = post(
        &srv,
        &pat,
        &format!("/purchases/{lot_id}/rebillings"),
        &[
            ("customer_id", &alpha),
            ("quantity", "60"),
            ("invoice_number", "INV-1"),
        ],
    )
    .await;
    assert_eq!(status, 303, "{page}");
    assert_eq!(to, format!("/purchases/{lot_id}"));
    let (status, _, page) = get(&srv, &pat, &to).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("40 seats of this lot can still be re-billed"),
        "{page}"
    );
    assert!(page.contains("INV-1") && page.contains("Alpha"), "{page}");
    let (status, _, page) = post(
        &srv,
        &pat,
        &format!("/purchases/{lot_id}/rebillings"),
        &[("customer_id", &alpha), ("quantity", "50")],
    )
    .await;
    assert_eq!(status, 409, "{page}");
    assert!(
        refusal(&page).contains(
            "The lot has 100 seats and 60 are re-billed already: 50 cannot be re-billed."
        ),
        "{page}"
    );
    assert!(page.contains("value=\"50\""), "{page}");
    let read = api(&srv, &format!("/v1/purchases/{lot_id}")).await;
    assert_eq!(read["rebilled"], json!(60));

    // The partner's admin sees its own lots only.
    let (status, _, page) = get(&srv, &pat, "/purchases").await;
    assert_eq!(status, 200);
    assert!(page.contains(&lot_id) && !page.contains(&theirs), "{page}");
    assert!(!page.contains("Partner South"), "{page}");
    let (status, _, _) = get(&srv, &pat, &format!("/purchases/{theirs}")).await;
    assert_eq!(status, 404);
    let (status, _, page) = get(&srv, &vera, &format!("/purchases?customer_id={other}")).await;
    assert_eq!(status, 200);
    assert!(page.contains(&theirs) && !page.contains(&lot_id), "{page}");

    // Notices: a webhook subscribed through the form, its secret shown once.
    let (hook, _seen) = webhook_receiver(false).await;
    let (status, _, page) = post(
        &srv,
        &vera,
        "/notice-subscriptions",
        &[("webhook_url", &hook)],
    )
    .await;
    assert_eq!(status, 422, "{page}");
    assert!(
        refusal(&page).contains("at least one notice kind"),
        "{page}"
    );
    assert!(page.contains(&format!("value=\"{hook}\"")), "{page}");
    let (status, _, page) = post(
        &srv,
        &vera,
        "/notice-subscriptions",
        &[
            ("kinds", "license.expiring"),
            ("kinds", "invoice.due"),
            ("webhook_url", &hook),
        ],
    )
    .await;
    assert_eq!(status, 201, "{page}");
    assert!(page.contains("whsec_"), "{page}");
    let subs = api(&srv, "/v1/notice-subscriptions").await;
    let sub = s(&subs["items"][0]["id"]);
    assert_eq!(
        subs["items"][0]["kinds"],
        json!(["license.expiring", "invoice.due"])
    );
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
    let written = api(&srv, "/v1/notifications").await;
    let notification = s(&written["items"][0]["id"]);
    let (status, _, page) = get(&srv, &vera, "/notices").await;
    assert_eq!(status, 200);
    assert!(
        page.contains(&format!("/notifications/{notification}")),
        "{page}"
    );
    assert!(
        page.contains("licence expiring") && page.contains(&hook),
        "{page}"
    );
    let (status, _, page) = get(&srv, &vera, &format!("/notifications/{notification}")).await;
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("Deliveries") && page.contains(&hook),
        "{page}"
    );
    assert!(page.contains("Every attempt"), "{page}");

    // Deleted behind its confirmation page.
    let (status, _, page) = get(&srv, &vera, &format!("/notice-subscriptions/{sub}/delete")).await;
    assert_eq!(status, 200);
    assert!(page.contains("pending deliveries are cancelled"), "{page}");
    let (status, to, _) = post(
        &srv,
        &vera,
        &format!("/notice-subscriptions/{sub}/delete"),
        &[],
    )
    .await;
    assert_eq!((status, to.as_str()), (303, "/notices"));
    let subs = api(&srv, "/v1/notice-subscriptions").await;
    assert_eq!(subs["items"], json!([]));
    srv.stop().await;
}

support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    catalogue_and_keys => catalogue_and_keys_on_sqlite, catalogue_and_keys_on_postgres
}
support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    purchases_and_notices => purchases_and_notices_on_sqlite, purchases_and_notices_on_postgres
}
