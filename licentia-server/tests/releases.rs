//! Releases from the back office, on SQLite and (when
//! `LICENTIA_TEST_POSTGRES` is set) PostgreSQL: vendor staff record a
//! product's releases (bad ones refused with their rule, a version twice
//! refused, a role without the catalogue refused); the releases a licence
//! may run online; the signed release catalogue downloaded without an
//! account and checked offline with the published keys — a licence with
//! maintenance to 2027-06-30 runs 3.1 (2027-05) and not 3.2 (2027-08).

mod support;

use licentia::{Context, Rule, Timestamp};
use serde_json::{json, Value};
use support::console::Console;
use support::{kind, s, Backend, Server};

/// The versions of a list answer, in its order.
fn versions(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| s(&r["version"]))
        .collect()
}

async fn story(backend: Backend) {
    let srv = Server::start(backend).await;
    let admin = srv.admin.clone();
    let (product, policy) = srv
        .product_and_policy(
            &admin,
            "cad",
            json!({"name": "perpetual", "binding": "unbound", "seats": 1, "maintenance_days": 30}),
        )
        .await;
    let (license, _) = srv.issue(&admin, &policy).await;
    let renewed = srv
        .post_ok(
            &format!("/v1/licenses/{license}/renew"),
            &admin,
            json!({"updates_until": "2027-06-30"}),
            200,
        )
        .await;

    let releases = format!("/v1/products/{product}/releases");
    let add = |body: Value| srv.call("POST", &releases, Some(&admin), Some(body));
    let (status, v31) = add(json!({
        "version": "3.1", "date": "2027-05-12", "notes": "Faster export",
        "download_url": "https://downloads.example.com/cad-3.1.tar.gz"
    }))
    .await;
    assert_eq!(status, 201, "{v31}");
    assert_eq!(v31["channel"], "stable");
    assert_eq!(v31["version_key"], "3.1");
    for body in [
        json!({"version": "3.2", "date": "2027-08-20"}),
        json!({"version": "3.2-beta.1", "date": "2027-06-15", "channel": "beta"}),
    ] {
        assert_eq!(add(body.clone()).await.0, 201, "{body}");
    }

    // The same version twice, however spelt, and bad releases.
    let (status, body) = add(json!({"version": "3.1.0", "date": "2027-05-13"})).await;
    assert_eq!((status, kind(&body)), (409, "conflict"), "{body}");
    let (status, body) = add(json!({"version": "three", "date": "2027-05-13"})).await;
    assert_eq!((status, kind(&body)), (422, "invalid"), "{body}");
    assert!(s(&body["detail"]).contains("version 'three'"), "{body}");
    let (status, body) = add(json!({"version": "4", "date": "soon"})).await;
    assert_eq!(status, 422, "{body}");
    let (status, body) =
        add(json!({"version": "4", "date": "2028-01-01", "download_url": "a b"})).await;
    assert_eq!(status, 422, "{body}");
    assert!(s(&body["detail"]).contains("download address"), "{body}");
    let auditor = srv.token("auditor").await;
    let (status, body) = srv
        .call(
            "POST",
            &releases,
            Some(&auditor),
            Some(json!({"version": "4", "date": "2028-01-01"})),
        )
        .await;
    assert_eq!(status, 403, "{body}");

    // The lists, newest first: the product's, and the licence's.
    let (status, list) = srv.call("GET", &releases, Some(&auditor), None).await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(versions(&list), ["3.2", "3.2-beta.1", "3.1"]);
    let (status, runnable) = srv
        .call(
            "GET",
            &format!("/v1/licenses/{license}/releases"),
            Some(&auditor),
            None,
        )
        .await;
    assert_eq!(status, 200, "{runnable}");
    assert_eq!(versions(&runnable), ["3.2-beta.1", "3.1"]);
    let (status, _) = srv
        .call(
            "GET",
            "/v1/licenses/00000000000000000000000000000000/releases",
            Some(&auditor),
            None,
        )
        .await;
    assert_eq!(status, 404);

    // The catalogue, downloaded with no account by code, checked offline.
    let (status, answer) = srv
        .call("GET", "/v1/products/cad/release-catalogue", None, None)
        .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["product"], "cad");
    let verifier = srv.verifier().await;
    let catalogue = verifier
        .verify_release_catalogue(&s(&answer["document"]), "cad")
        .expect("the catalogue verifies with the published keys");
    let file = verifier.verify(&s(&renewed["license"]["file"])).unwrap();
    let offline: Vec<&str> = file
        .runnable_releases(&catalogue)
        .unwrap()
        .iter()
        .map(|r| r.version.as_str())
        .collect();
    assert_eq!(offline, ["3.1", "3.2-beta.1"]);
    let now = Timestamp::parse("2027-09-01").unwrap();
    let v31 = catalogue.release("3.1").unwrap();
    assert_eq!(
        v31.download_url,
        "https://downloads.example.com/cad-3.1.tar.gz"
    );
    assert!(file
        .check(&Context::new(now, "cad").release(v31))
        .is_valid());
    let v32 = catalogue.release("3.2").unwrap();
    assert!(file
        .check(&Context::new(now, "cad").release(v32))
        .has(Rule::VersionNotCovered));
    let (status, _) = srv
        .call("GET", "/v1/products/nope/release-catalogue", None, None)
        .await;
    assert_eq!(status, 404);

    // Each release is in the history, naming who recorded it.
    let (_, history) = srv
        .call("GET", "/v1/history?limit=100", Some(&admin), None)
        .await;
    let recorded = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["operation"] == "release.create")
        .count();
    assert_eq!(recorded, 3, "{history}");
}

/// The console: a product's page lists its releases and has the form
/// vendor staff add one with (a bad one redrawn with its rule); an auditor
/// sees the list without the form; a licence's page says which it may run.
async fn console(backend: Backend) {
    let srv = Server::start(backend).await;
    let admin = srv.admin.clone();
    let (product, policy) = srv
        .product_and_policy(
            &admin,
            "cad",
            json!({"name": "perpetual", "binding": "unbound", "seats": 1, "maintenance_days": 30}),
        )
        .await;
    let (license, _) = srv.issue(&admin, &policy).await;
    srv.post_ok(
        &format!("/v1/licenses/{license}/renew"),
        &admin,
        json!({"updates_until": "2027-06-30"}),
        200,
    )
    .await;
    let vera = srv
        .person("Vera", "vera@vendor.test", json!([{"role": "admin"}]))
        .await;
    let vendor = Console::of(&srv, &vera);
    let page = format!("/products/{product}");
    assert!(vendor.get(&page).await.body.contains("action=\"/products/"));
    let add = format!("/products/{product}/releases");
    let refused = vendor
        .post(
            &add,
            &[
                ("version", "three"),
                ("date", "2027-05-12"),
                ("channel", "stable"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused.text().contains("version 'three'"),
        "{}",
        refused.text()
    );
    assert!(
        refused.body.contains("value=\"three\""),
        "what was typed is kept"
    );
    for (version, date) in [("3.1", "2027-05-12"), ("3.2", "2027-08-20")] {
        let made = vendor
            .post(
                &add,
                &[
                    ("version", version),
                    ("date", date),
                    ("channel", "stable"),
                    ("notes", "Faster export"),
                    ("download_url", ""),
                ],
            )
            .await;
        assert_eq!(
            (made.status, made.location.as_str()),
            (303, page.as_str()),
            "{}",
            made.body
        );
    }
    let shown = vendor.get(&page).await.text();
    assert!(
        shown.contains("2 releases") && shown.contains("3.2") && shown.contains("Faster export"),
        "{shown}"
    );

    let ann = srv
        .person("Ann", "ann@vendor.test", json!([{"role": "auditor"}]))
        .await;
    let auditor = Console::of(&srv, &ann);
    let seen = auditor.get(&page).await;
    assert!(seen.text().contains("2 releases"), "{}", seen.text());
    assert!(
        !seen.body.contains(&format!("action=\"{add}\"")),
        "no form for an auditor"
    );
    assert_eq!(
        auditor
            .post(&add, &[("version", "4"), ("date", "2028-01-01")])
            .await
            .status,
        403
    );

    let licence = auditor.get(&format!("/licenses/{license}")).await.text();
    assert!(licence.contains("Releases it may run 3.1"), "{licence}");
}

support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    console => console_sqlite, console_postgres
}

support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    story => releases_sqlite, releases_postgres
}
