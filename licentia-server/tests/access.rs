//! The access matrix, generated from the route table: for every staff
//! route, callers whose grants reach the record's node (at it or above)
//! get through; a caller at a sibling partner, or at a node below the
//! record, is refused or told there is no such record (lists keep the
//! record out of its answer); an anonymous caller is asked to log in — on
//! SQLite, and on PostgreSQL when `LICENTIA_TEST_POSTGRES` is set.
//!
//! A route with an `{id}` is sampled by the record kind its path names
//! (`licentia_server::staff::record_kind`), a `GET` without one as a list;
//! any other route must have a sample below, or this test fails.

mod support;

use std::collections::BTreeMap;

use licentia::short_code::ShortRequest;
use licentia::{
    ActivationRequest, DeactivationRequest, LicenseId, LicenseRef, Timestamp, UsageReport,
    UsageTotal,
};
use licentia_server::store::RecordKind;
use licentia_server::Access;
use serde_json::{json, Value};
use support::{machine, node, s, Backend, Person, Server};

const PRODUCT: &str = "matrix";

/// Where a route's record sits, which says who reaches it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum At {
    /// The vendor root: only root callers.
    Root,
    /// The partner P1.
    P1,
    /// The customer C1 (under P1).
    C1,
    /// Everyone granted anything gets through (the catalogue, one's own session).
    Everyone,
}

/// A route's sample: where its record sits, and the body to send.
#[derive(Debug, Clone)]
struct Sample {
    at: At,
    body: Option<Value>,
    /// A list: callers out of reach get it, without the records of P1's subtree.
    list: bool,
}

/// The records of the tree every route is tried against.
struct World {
    ids: BTreeMap<&'static str, String>,
    callers: BTreeMap<&'static str, Person>,
    offline_request: String,
    /// An offline deactivation request for machine 2's activation.
    deactivation_request: String,
    /// An offline usage report of the license's machine 2.
    usage_report: String,
    /// A telephone request code of the license on machine 8.
    telephone_code: String,
}

impl World {
    fn id(&self, name: &str) -> &str {
        &self.ids[name]
    }
}

/// Makes an account holding admin, issuer and finance at `node`, signed in.
async fn caller(srv: &Server, name: &'static str, node: Option<&str>) -> Person {
    let grants: Vec<Value> = ["admin", "issuer", "finance"]
        .iter()
        .map(|r| json!({"role": r, "customer_id": node}))
        .collect();
    srv.person(name, &format!("{name}@matrix.test"), json!(grants))
        .await
}

async fn world(srv: &Server) -> World {
    let root = srv.admin.clone();
    let mut ids = BTreeMap::new();
    let (product, policy) = srv
        .product_and_policy(
            &root,
            PRODUCT,
            json!({"name": "yearly", "binding": "node-locked", "seats": 5, "meters": ["renders=100/month"]}),
        )
        .await;
    // Priced: the jobs invoice C1's subscription.
    let plan = srv
        .plan(
            &root,
            json!({"name": "Business", "policy_id": policy,
                   "price": {"currency": "EUR", "amount": 100}}),
        )
        .await;
    // A product, policy and plan the retire routes retire (the others
    // stay in use for the routes that issue from them).
    let (spare_product, spare_policy) = srv
        .product_and_policy(
            &root,
            "spare",
            json!({"name": "spare", "binding": "unbound"}),
        )
        .await;
    let spare_plan = srv
        .plan(&root, json!({"name": "Spare", "policy_id": spare_policy}))
        .await;
    let p1 = node(srv, &root, "partner", "P1", None).await;
    let c1 = node(srv, &root, "customer", "C1", Some(&p1)).await;
    let s1 = node(srv, &root, "site", "S1", Some(&c1)).await;
    let p2 = node(srv, &root, "partner", "P2", None).await;
    let purchase = srv.purchase(&root, &p1, &product, 100, "2024-01-01").await;
    let finance = srv.token("finance").await;
    assert_eq!(srv.allocate(&finance, &c1, &product, 20).await.0, 200);
    // A contract of P1's, with a supplier and a type of the vendor's; the
    // lot re-billed to C1 opens a follow-up item at P1.
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
            json!({"customer_id": p1, "supplier_id": supplier["id"],
                   "contract_type_id": contract_type["id"], "reference": "C-1",
                   "starts_on": "2024-01-01", "ends_on": "2030-12-31"}),
            201,
        )
        .await;
    srv.post_ok(
        &format!("/v1/purchases/{}/rebillings", s(&purchase["id"])),
        &root,
        json!({"customer_id": c1, "quantity": 10}),
        201,
    )
    .await;
    let follow_up = srv.items("/v1/follow-ups", &root).await[0]["id"].clone();
    let license = srv
        .post_ok(
            "/v1/licenses",
            &root,
            json!({"policy_id": policy, "licensee": "C1", "customer_id": c1, "expires": "2030-04-01"}),
            201,
        )
        .await;
    let key = s(&license["license_key"]);
    let activation = srv
        .post_ok(
            "/v1/activations",
            &root,
            json!({"license_key": key, "fingerprint": machine(PRODUCT, 1).to_string(), "platform": "linux"}),
            201,
        )
        .await;
    // Machine 2, which an offline deactivation gives back.
    srv.post_ok(
        "/v1/activations",
        &root,
        json!({"license_key": key, "fingerprint": machine(PRODUCT, 2).to_string(), "platform": "linux"}),
        201,
    )
    .await;
    let member = srv
        .post_ok(
            &format!("/v1/customers/{c1}/members"),
            &root,
            json!({"name": "Mia", "email": "mia@c1.test", "plan_id": plan}),
            201,
        )
        .await;
    let subscription = srv
        .post_ok(
            "/v1/subscriptions",
            &root,
            json!({"customer_id": c1, "plan_id": plan, "seats": 1, "billing": "monthly",
                   "interval": "monthly", "start": "2026-01-01", "renewal": "always",
                   "notice": "1 week before month end"}),
            201,
        )
        .await;
    let token = srv
        .post_ok(
            "/v1/tokens",
            &root,
            json!({"name": "c1 robot", "role": "auditor", "customer_id": c1}),
            201,
        )
        .await;
    let account = srv
        .post_ok(
            "/v1/accounts",
            &root,
            json!({"name": "Aud", "email": "aud@c1.test", "grants": [{"role": "auditor", "customer_id": c1}]}),
            201,
        )
        .await;
    srv.post_ok(
        "/v1/jobs/run",
        &root,
        json!({"date": support::NOTICE_DAY}),
        200,
    )
    .await;
    let notifications = srv.items("/v1/notifications", &root).await;
    let notification = notifications
        .iter()
        .find(|n| n["subject"] == license["license"]["id"])
        .expect("the license's notice");
    let invoice = s(&srv
        .items(&format!("/v1/invoices?customer_id={c1}&limit=1"), &root)
        .await[0]["id"]);
    let mut callers = BTreeMap::new();
    for (name, at) in [
        ("root", None),
        ("p1", Some(&p1)),
        ("c1", Some(&c1)),
        ("s1", Some(&s1)),
        ("p2", Some(&p2)),
    ] {
        callers.insert(name, caller(srv, name, at.map(String::as_str)).await);
    }
    // A notice subscription of C1's, made by C1's admin.
    let c1_caller = &callers["c1"];
    let (status, ns) = srv
        .call_at(
            &srv.base,
            "POST",
            "/v1/notice-subscriptions",
            None,
            Some(json!({"kinds": ["license.expiring"], "email": "ops@c1.test"})),
            &[
                ("cookie", &c1_caller.cookie),
                ("x-csrf-token", &c1_caller.csrf),
            ],
        )
        .await;
    assert_eq!(status, 201, "{ns}");
    let request = ActivationRequest::new(
        PRODUCT,
        LicenseRef::Key(key.parse().unwrap()),
        machine(PRODUCT, 9),
        Timestamp::now(),
    );
    for (name, id) in [
        ("product", product),
        ("policy", policy),
        ("plan", plan),
        ("spare_product", spare_product),
        ("spare_policy", spare_policy),
        ("spare_plan", spare_plan),
        ("p1", p1),
        ("c1", c1),
        ("s1", s1),
        ("p2", p2),
        ("purchase", s(&purchase["id"])),
        ("supplier", s(&supplier["id"])),
        ("contract_type", s(&contract_type["id"])),
        ("contract", s(&contract["id"])),
        ("follow_up", s(&follow_up)),
        ("license", s(&license["license"]["id"])),
        ("activation", s(&activation["activation_id"])),
        ("member", s(&member["member"]["id"])),
        ("subscription", s(&subscription["subscription"]["id"])),
        ("token", s(&token["record"]["id"])),
        ("account", s(&account["account"]["id"])),
        ("grant", s(&account["grants"][0]["id"])),
        ("notification", s(&notification["id"])),
        ("notice_subscription", s(&ns["subscription"]["id"])),
        ("invoice", invoice),
    ] {
        ids.insert(name, id);
    }
    let keys = srv.get("/v1/keys", &root).await;
    ids.insert("key", s(&keys["items"][0]["key_id"]));
    let deactivation = DeactivationRequest {
        product: PRODUCT.into(),
        license: LicenseId::parse(&ids["license"]).unwrap(),
        fingerprint: machine(PRODUCT, 2),
        file_digest: [0; 32],
        created_at: Timestamp::now(),
        nonce: [7; 16],
    };
    let usage_report = UsageReport::new(
        PRODUCT,
        LicenseId::parse(&ids["license"]).unwrap(),
        machine(PRODUCT, 2),
        1,
        Timestamp::now(),
        vec![UsageTotal::new("renders", 3)],
    )
    .unwrap();
    let telephone_code = ShortRequest::new(
        &LicenseId::parse(&ids["license"]).unwrap(),
        &machine(PRODUCT, 8),
    )
    .to_code();
    World {
        ids,
        callers,
        offline_request: request.to_armor(),
        deactivation_request: deactivation.to_armor(),
        usage_report: usage_report.to_armor(),
        telephone_code,
    }
}

/// The record a route's `{id}` names, and where it sits.
fn record(w: &World, kind: RecordKind) -> (String, At) {
    use RecordKind::*;
    let (name, at) = match kind {
        Customer => ("c1", At::C1),
        License => ("license", At::C1),
        Activation => ("activation", At::C1),
        Member => ("member", At::C1),
        Subscription => ("subscription", At::C1),
        Purchase => ("purchase", At::P1),
        Contract => ("contract", At::P1),
        FollowUp => ("follow_up", At::P1),
        Notification => ("notification", At::C1),
        NoticeSubscription => ("notice_subscription", At::C1),
        Token => ("token", At::C1),
        Account => ("account", At::C1),
        Grant => ("grant", At::C1),
        Invoice => ("invoice", At::C1),
        Lease | Catalogue => unreachable!("sampled by the caller"),
    };
    (w.id(name).to_owned(), at)
}

/// The sample of a route without an `{id}` that is not a list, or of a
/// catalogue route: `None` when there is none (the test fails).
fn sample(w: &World, method: &str, path: &str) -> Option<Sample> {
    let at = |at: At, body: Value| {
        Some(Sample {
            at,
            body: Some(body),
            list: false,
        })
    };
    let c1 = w.id("c1");
    match (method, path) {
        ("get", "/metrics") => at(At::Root, Value::Null),
        (
            "post",
            "/v1/products" | "/v1/policies" | "/v1/plans" | "/v1/keys/rotate" | "/v1/jobs/run",
        ) => at(At::Root, json!({})),
        ("post", "/v1/keys/{id}/retire") => at(At::Root, json!({})),
        // Invoices are read where they sit, settled by the vendor's staff.
        ("post", "/v1/invoices/{id}/paid" | "/v1/invoices/{id}/void") => at(At::Root, json!({})),
        // Catalogue changes: vendor staff with the catalogue role only (an
        // empty change changes nothing).
        (
            "patch" | "post",
            "/v1/products/{id}"
            | "/v1/policies/{id}"
            | "/v1/plans/{id}"
            | "/v1/products/{id}/retire"
            | "/v1/policies/{id}/retire"
            | "/v1/plans/{id}/retire",
        ) => at(At::Root, json!({})),
        // The vendor's contract registers.
        (
            "post" | "patch",
            "/v1/suppliers"
            | "/v1/contract-types"
            | "/v1/suppliers/{id}"
            | "/v1/contract-types/{id}",
        ) => at(
            At::Root,
            json!({"name": format!("sampled {}", rand::random::<u32>())}),
        ),
        ("post", "/v1/contracts") => at(
            At::P1,
            json!({"customer_id": w.id("p1"), "supplier_id": w.id("supplier"),
                   "contract_type_id": w.id("contract_type"),
                   "reference": format!("R-{}", rand::random::<u32>()),
                   "starts_on": "2024-01-01", "ends_on": "2025-12-31"}),
        ),
        ("post", "/v1/purchases") => at(
            At::Root,
            json!({"customer_id": w.id("p1"), "product_id": w.id("product"), "quantity": 1,
                   "purchased_on": "2024-02-01"}),
        ),
        ("post", "/v1/import/{kind}") => at(
            At::C1,
            json!(format!("kind,name,parent\nsite,Imported,{c1}\n")),
        ),
        ("post", "/v1/customers") => at(
            At::C1,
            json!({"kind": "site", "name": "new site", "parent_id": c1}),
        ),
        ("post", "/v1/licenses") => at(
            At::C1,
            json!({"policy_id": w.id("policy"), "licensee": "x", "customer_id": c1}),
        ),
        ("post", "/v1/plans/{id}/licenses") => {
            at(At::C1, json!({"licensee": "x", "customer_id": c1}))
        }
        ("post", "/v1/subscriptions") => at(
            At::C1,
            json!({"customer_id": c1, "plan_id": w.id("plan"), "seats": 1, "billing": "monthly",
                   "interval": "monthly", "start": "2026-01-01", "renewal": "none",
                   "notice": "1 week before month end"}),
        ),
        ("post", "/v1/tokens") => at(
            At::C1,
            json!({"name": "t", "role": "auditor", "customer_id": c1}),
        ),
        ("post", "/v1/accounts") => at(
            At::C1,
            json!({"name": "n", "email": format!("n{}@c1.test", rand::random::<u32>()),
                   "grants": [{"role": "auditor", "customer_id": c1}]}),
        ),
        ("post", "/v1/activations/offline") => at(At::C1, json!({"request": w.offline_request})),
        // The first caller within reach frees the seat; the others get the
        // same receipt.
        ("post", "/v1/deactivations/offline") => {
            at(At::C1, json!({"request": w.deactivation_request}))
        }
        // The first caller within reach has it counted; the others are
        // told it was (409 usage_report_replayed).
        ("post", "/v1/usage/reports") => at(At::C1, json!({"report": w.usage_report})),
        // The first caller within reach takes a seat; the others answer the
        // same machine again.
        ("post", "/v1/licenses/{id}/telephone-activations") => {
            at(At::C1, json!({"code": w.telephone_code}))
        }
        // A product's typed-answer secret: the vendor's admins only.
        ("get", "/v1/products/{id}/typed-secret") => at(At::Root, Value::Null),
        ("post", "/v1/products/{id}/typed-secret/rotate") => at(At::Root, json!({})),
        ("post", "/v1/notice-subscriptions") => at(
            At::Everyone,
            json!({"kinds": ["license.expiring"], "email": "me@example.test"}),
        ),
        // A session of one's own: logging in is public; who one is, one's own.
        ("get", "/v1/session") => at(At::Everyone, Value::Null),
        ("delete", "/v1/session") => at(At::Everyone, Value::Null),
        ("post", "/v1/session/totp") => at(At::Everyone, Value::Null),
        ("put", "/v1/session/totp") => at(At::Everyone, json!({"code": "000000"})),
        ("put", "/v1/session/profile") => at(At::Everyone, json!({"time_zone": "Europe/Paris"})),
        ("put", "/v1/session/notice-preferences") => at(
            At::Everyone,
            json!({"items": [{"kind": "license.expiring", "lead_months": 2}]}),
        ),
        (_, p)
            if p.starts_with("/v1/products/")
                || p.starts_with("/v1/policies/")
                || p.starts_with("/v1/plans/")
                || p.starts_with("/v1/suppliers/")
                || p.starts_with("/v1/contract-types/") =>
        {
            at(At::Everyone, Value::Null)
        }
        _ => None,
    }
}

/// The callers who reach a record at `at`, and those who must not.
fn reach(at: At) -> (&'static [&'static str], &'static [&'static str]) {
    match at {
        At::Root => (&["root"], &["p1", "c1"]),
        At::P1 => (&["root", "p1"], &["p2", "c1"]),
        At::C1 => (&["root", "p1", "c1"], &["p2", "s1"]),
        At::Everyone => (&["root", "p1", "c1", "s1", "p2"], &[]),
    }
}

/// Sends a request as `who` (anonymous when none): status and body text.
async fn send(
    srv: &Server,
    method: &str,
    path: &str,
    who: Option<&Person>,
    body: &Option<Value>,
) -> (u16, String) {
    let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
    let mut req = srv.client.request(method, format!("{}{path}", srv.base));
    if let Some(c) = who {
        req = req
            .header("cookie", &c.cookie)
            .header("x-csrf-token", &c.csrf);
    }
    req = match body {
        Some(Value::String(csv)) => req.header("content-type", "text/csv").body(csv.clone()),
        Some(Value::Null) | None => req,
        Some(b) => req.json(b),
    };
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    // The one 5xx a route may answer here: the (absent) mail relay.
    let relay = status == 502 && text.contains("mail_failed");
    assert!(status < 500 || relay, "{path}: {status} {text}");
    (status, text)
}

async fn story(backend: Backend) {
    let srv = Server::start_configured(backend, |c| {
        // E-mail notice subscriptions need a relay configured (none is reached).
        c.smtp_host = Some("127.0.0.1".into());
        c.smtp_from = Some("licentia@vendor.test".into());
        c.smtp_tls = licentia_server::config::SmtpTls::None;
    })
    .await;
    let w = world(&srv).await;
    // The records of P1's subtree that no caller outside it may see.
    let private: Vec<&str> = [
        "purchase",
        "contract",
        "follow_up",
        "license",
        "activation",
        "member",
        "subscription",
        "token",
        "account",
        "grant",
        "notification",
        "notice_subscription",
        "invoice",
    ]
    .iter()
    .map(|n| w.id(n))
    .collect();

    // The console first: its checks change nothing, and the API's routes
    // below log callers out and remove records.
    console_pages(&srv, &w, &private).await;
    let mut routes = licentia_server::routes();
    // Changes that remove their record go last, the deepest path first.
    routes.sort_by_key(|r| (r.method == "delete", std::cmp::Reverse(r.path.len())));
    let mut missing = Vec::new();
    let mut checked = 0;
    for route in &routes {
        let (method, template) = (route.method, route.path);
        if route.access != Access::Token {
            // Public and product routes never ask for a staff grant.
            let (status, _) = send(
                &srv,
                method,
                &template.replace("{id}", "x").replace("{kind}", "x"),
                None,
                &None,
            )
            .await;
            if route.access == Access::Public {
                assert_ne!(status, 401, "{method} {template} is public");
            }
            continue;
        }
        let kind = template
            .contains("{id}")
            .then(|| licentia_server::staff::record_kind(template));
        let (path, sample) = match (kind, sample(&w, method, template)) {
            (_, Some(sample)) => {
                let spare = if template.ends_with("/retire") {
                    "spare_"
                } else {
                    ""
                };
                let id = match kind.flatten() {
                    Some(RecordKind::Catalogue) if template.starts_with("/v1/keys/") => {
                        w.id("key").to_owned()
                    }
                    Some(RecordKind::Catalogue) if template.starts_with("/v1/products/") => {
                        w.id(&format!("{spare}product")).to_owned()
                    }
                    Some(RecordKind::Catalogue) if template.starts_with("/v1/policies/") => {
                        w.id(&format!("{spare}policy")).to_owned()
                    }
                    Some(RecordKind::Catalogue) if template.starts_with("/v1/suppliers/") => {
                        w.id("supplier").to_owned()
                    }
                    Some(RecordKind::Catalogue) if template.starts_with("/v1/contract-types/") => {
                        w.id("contract_type").to_owned()
                    }
                    Some(RecordKind::Catalogue) => w.id(&format!("{spare}plan")).to_owned(),
                    Some(RecordKind::Invoice) => w.id("invoice").to_owned(),
                    Some(RecordKind::License) => w.id("license").to_owned(),
                    _ => String::new(),
                };
                (
                    template.replace("{id}", &id).replace("{kind}", "customers"),
                    sample,
                )
            }
            (Some(Some(kind)), None) if kind != RecordKind::Catalogue => {
                let (id, at) = record(&w, kind);
                let body = matches!(method, "post" | "put").then(|| json!({}));
                (
                    template.replace("{id}", &id),
                    Sample {
                        at,
                        body,
                        list: false,
                    },
                )
            }
            (None, None) if method == "get" => (
                template.replace("{kind}", "licenses"),
                Sample {
                    at: At::C1,
                    body: None,
                    list: true,
                },
            ),
            _ => {
                missing.push(format!("{method} {template}"));
                continue;
            }
        };
        checked += 1;
        // Anonymous: asked to log in.
        let (status, body) = send(&srv, method, &path, None, &sample.body).await;
        assert_eq!(status, 401, "anonymous {method} {path}: {body}");
        let (inside, outside) = reach(sample.at);
        // Out of reach first (a refusal changes nothing).
        for name in if sample.list {
            &["p2", "s1"][..]
        } else {
            outside
        } {
            let (status, body) =
                send(&srv, method, &path, Some(&w.callers[name]), &sample.body).await;
            if sample.list {
                assert!(
                    status == 200 || status == 403,
                    "{name} {method} {path}: {status} {body}"
                );
                for id in &private {
                    assert!(
                        !body.contains(id),
                        "{name} {method} {path} shows {id}: {body}"
                    );
                }
            } else {
                assert!(
                    matches!(status, 403 | 404 | 422),
                    "{name} {method} {path} is out of reach: {status} {body}"
                );
            }
        }
        // Within reach: through (a change that removes its record, once).
        let inside = if method == "delete" {
            &inside[inside.len() - 1..]
        } else {
            inside
        };
        for name in inside {
            let (status, body) =
                send(&srv, method, &path, Some(&w.callers[name]), &sample.body).await;
            assert!(
                !matches!(status, 401 | 403 | 404),
                "{name} {method} {path} is within reach: {status} {body}"
            );
        }
    }
    assert!(missing.is_empty(), "routes without a sample: {missing:#?}");
    assert!(checked > 50, "{checked} routes checked");
    srv.stop().await;
}

/// The console's pages, from its page table, as the routes above: a page
/// naming a record answers those who reach it and is a 404 page to those
/// who do not (forms included, with their CSRF token); a page without one
/// shows callers outside P1's subtree none of its records.
async fn console_pages(srv: &Server, w: &World, private: &[&str]) {
    use licentia_server::console::{pages, PageAccess};
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let open = |name: &str, method: &str, path: &str| {
        let who = &w.callers[name];
        let (session, csrf) = (&who.cookie, &who.csrf);
        let url = format!("{}{path}", srv.base);
        let cookie = format!("{session}; licentia_csrf={csrf}");
        let req = match method {
            "get" => client.get(url),
            _ => client.post(url).form(&[("_csrf", csrf.as_str())]),
        };
        let req = req.header("cookie", cookie);
        async move {
            let resp = req.send().await.unwrap();
            let status = resp.status().as_u16();
            (status, resp.text().await.unwrap())
        }
    };
    let mut checked = 0;
    for page in pages() {
        if page.access == PageAccess::Public {
            continue;
        }
        let (method, template) = (page.method, page.path);
        if !template.contains("{id}") {
            if method == "get" {
                for name in ["p2", "s1"] {
                    let (status, body) = open(name, method, template).await;
                    assert!(status < 500, "{name} {method} {template}: {status}");
                    for id in private {
                        assert!(!body.contains(id), "{name} {template} shows {id}: {body}");
                    }
                }
                checked += 1;
            }
            continue;
        }
        let kind = licentia_server::staff::record_kind(template)
            .unwrap_or_else(|| panic!("{template}: no record kind for this page"));
        let (id, at) = match kind {
            RecordKind::Catalogue => {
                let name = match template.split('/').nth(1) {
                    Some("policies") => "policy",
                    Some("plans") => "plan",
                    _ => "product",
                };
                (w.id(name).to_owned(), At::Everyone)
            }
            kind => record(w, kind),
        };
        let path = template.replace("{id}", &id);
        if kind == RecordKind::Catalogue
            && (template.ends_with("/edit") || template.ends_with("/retire"))
        {
            // A catalogue change's pages: the record is in everyone's
            // reach, its change only in vendor staff's with the catalogue
            // role; the others are refused, saying why.
            for name in ["p1", "c1", "s1", "p2"] {
                let (status, body) = open(name, method, &path).await;
                assert_eq!(status, 403, "{name} {method} {path}: {body}");
                assert!(
                    body.contains("role=\"alert\""),
                    "{name} {path}: a page says why"
                );
            }
            if method == "get" {
                let (status, body) = open("root", method, &path).await;
                assert_eq!(status, 200, "root {method} {path}: {body}");
            }
            checked += 1;
            continue;
        }
        let (inside, outside) = reach(at);
        for name in outside {
            let (status, body) = open(name, method, &path).await;
            assert_eq!(
                status, 404,
                "{name} {method} {path} is out of reach: {body}"
            );
            assert!(
                body.contains("role=\"alert\""),
                "{name} {path}: a page says why"
            );
        }
        if method == "get" {
            for name in inside {
                // Through: the page, or (a confirm page asked without
                // what it confirms) a refusal of the request itself.
                let (status, body) = open(name, method, &path).await;
                assert!(
                    status == 200 || status == 400 || status == 422,
                    "{name} {method} {path} is within reach: {status} {body}"
                );
            }
        }
        checked += 1;
    }
    assert!(checked >= 3, "{checked} console pages checked");
}

support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    story => every_route_within_reach_only_on_sqlite, every_route_within_reach_only_on_postgres
}
