//! The console's long lists, a page at a time (issue 13: a list no longer
//! stops silently at 500): with more licences than a page, the search's
//! first page shows a page of them and a link to the next, which keeps
//! the search's filters and shows the rest, none twice; the catalogue's
//! lists and a node's members page the same way; a licence with more
//! machines and history than its page shows links to the pages of all of
//! them, and its renew form offers its latest machines and takes any other
//! from its machines page; the notices page likewise; a page number that is not one is refused on a 400 page that says
//! what a page number is. On SQLite, and on
//! PostgreSQL when `LICENTIA_TEST_POSTGRES` is set.

mod support;

use std::collections::HashSet;

use serde_json::json;
use support::console::{text, Answer, Console};
use support::{machine, node, Backend, Server, NOTICE_DAY};

/// Rows on a page of a console list.
const PER_PAGE: usize = 100;

/// The links to records `prefix…` in the page's table bodies, in order.
fn rows(page: &Answer, prefix: &str) -> Vec<String> {
    let marker = format!("href=\"{prefix}");
    let mut out = Vec::new();
    for body in page.body.split("<tbody>").skip(1) {
        let body = body.split("</tbody>").next().unwrap();
        for piece in body.split(&marker).skip(1) {
            let id = piece.split('"').next().unwrap();
            out.push(format!("{prefix}{id}"));
        }
    }
    out
}

/// The address of the page's link `rel` (`next` or `prev`), if it has one.
fn link(page: &Answer, rel: &str) -> Option<String> {
    let at = page.body.find(&format!("rel=\"{rel}\""))?;
    let before = &page.body[..at];
    let start = before.rfind("href=\"")? + "href=\"".len();
    let href = &before[start..];
    let end = href.find('"')?;
    Some(href[..end].replace("&amp;", "&").replace("&#38;", "&"))
}

/// The address of the page's link whose text is `label`, if it has one.
fn link_labelled(page: &Answer, label: &str) -> Option<String> {
    let at = page.body.find(&format!("\">{label}</a>"))?;
    let before = &page.body[..at];
    let start = before.rfind("href=\"")? + "href=\"".len();
    Some(before[start..].replace("&amp;", "&").replace("&#38;", "&"))
}

async fn story(backend: Backend) {
    let srv = Server::start(backend).await;
    let vendor = srv.admin.clone();
    let (_, policy) = srv
        .product_and_policy(
            &vendor,
            "paged",
            json!({"name": "yearly", "binding": "unbound", "seats": 1, "duration_days": 365}),
        )
        .await;
    // More licences than a page match the search; a few others do not.
    for n in 0..PER_PAGE + 20 {
        srv.post_ok(
            "/v1/licenses",
            &vendor,
            // Each one's 90-day notice falls on NOTICE_DAY.
            json!({"policy_id": policy, "licensee": format!("Paged {n:03}"), "expires": "2030-04-01"}),
            201,
        )
        .await;
    }
    for n in 0..3 {
        srv.post_ok(
            "/v1/licenses",
            &vendor,
            json!({"policy_id": policy, "licensee": format!("Other {n}")}),
            201,
        )
        .await;
    }
    let vera = srv
        .person("Vera", "vera@vendor.test", json!([{"role": "admin"}]))
        .await;
    let b = Console::of(&srv, &vera);

    // The search's first page: a page of licences, and the way on.
    let first = b.get("/licenses?licensee=Paged").await;
    assert_eq!(first.status, 200);
    let first_rows = rows(&first, "/licenses/");
    assert_eq!(first_rows.len(), PER_PAGE);
    assert!(first.text().contains("Showing 1–100"), "{}", first.text());
    assert!(link(&first, "prev").is_none());
    let next = link(&first, "next").expect("a link to the next page");
    assert!(next.starts_with("/licenses?"), "{next}");
    assert!(
        next.contains("licensee=Paged"),
        "the filter is kept: {next}"
    );
    assert!(next.contains("page=2"), "{next}");
    assert!(
        next.contains("after="),
        "the link follows the cursor: {next}"
    );

    // The next page: the rest, none of the first page's, still filtered.
    let second = b.get(&next).await;
    assert_eq!(second.status, 200);
    let second_rows = rows(&second, "/licenses/");
    assert_eq!(second_rows.len(), 20);
    assert!(
        second.text().contains("Showing 101–120"),
        "{}",
        second.text()
    );
    assert!(!second.text().contains("Other"), "the filter still applies");
    assert!(
        link(&second, "next").is_none(),
        "the last page leads no further"
    );
    let prev = link(&second, "prev").expect("a link back");
    assert!(
        prev.contains("licensee=Paged") && prev.contains("page=1"),
        "{prev}"
    );
    let all: HashSet<&String> = first_rows.iter().chain(&second_rows).collect();
    assert_eq!(all.len(), PER_PAGE + 20, "no licence shown twice");

    // A list that fits on a page has no pager.
    let few = b.get("/licenses?licensee=Other").await;
    assert_eq!(rows(&few, "/licenses/").len(), 3);
    assert!(link(&few, "next").is_none() && !few.text().contains("Showing"));

    // The catalogue's lists page alike (one product was made above).
    for n in 0..PER_PAGE + 5 {
        srv.post_ok(
            "/v1/products",
            &vendor,
            json!({"code": format!("p-{n:03}"), "name": format!("Product {n}")}),
            201,
        )
        .await;
    }
    let products = b.get("/products").await;
    assert_eq!(products.status, 200);
    let product_rows = rows(&products, "/products/");
    assert_eq!(product_rows.len(), PER_PAGE);
    let next = link(&products, "next").expect("a link to the next page");
    let rest = b.get(&next).await;
    let rest_rows = rows(&rest, "/products/");
    assert_eq!(rest_rows.len(), 6);
    let all: HashSet<&String> = product_rows.iter().chain(&rest_rows).collect();
    assert_eq!(all.len(), PER_PAGE + 6, "no product shown twice");

    // A node's members too, from its page; the notice of what was just
    // done is not carried to the next page.
    let customer = node(&srv, &vendor, "customer", "Many", None).await;
    for n in 0..PER_PAGE + 1 {
        srv.post_ok(
            &format!("/v1/customers/{customer}/members"),
            &vendor,
            json!({"name": format!("M{n:03}"), "email": format!("m{n}@example.com"), "service": false}),
            201,
        )
        .await;
    }
    let members = b.get(&format!("/customers/{customer}?done=member")).await;
    assert_eq!(members.status, 200);
    let member_rows = rows(&members, "/members/");
    assert_eq!(member_rows.len(), PER_PAGE);
    let next = link(&members, "next").expect("a link to the next page");
    assert!(
        next.starts_with(&format!("/customers/{customer}?after=")) && next.ends_with("&page=2"),
        "the next page follows the cursor: {next}"
    );
    let rest = b.get(&next).await;
    let rest_rows = rows(&rest, "/members/");
    assert_eq!(rest_rows.len(), 1);
    assert!(!member_rows.contains(&rest_rows[0]));

    // A licence on more machines than its page shows: the first of them,
    // and the way to all of them, a page at a time; its history likewise.
    let (_, locked) = srv
        .product_and_policy(
            &vendor,
            "many-machines",
            json!({"name": "site", "binding": "node-locked", "seats": 200}),
        )
        .await;
    let (license, key) = srv.issue(&vendor, &locked).await;
    let machines = PER_PAGE + 10;
    for n in 0..machines {
        srv.post_ok(
            "/v1/activations",
            &vendor,
            json!({"license_key": key, "fingerprint": machine("many-machines", n).to_string(), "platform": "linux-x86_64"}),
            201,
        )
        .await;
    }
    let page = b.get(&format!("/licenses/{license}")).await;
    assert_eq!(page.status, 200);
    let fingerprints = |a: &Answer| a.body.matches("<code class=\"fp\">").count();
    assert_eq!(
        fingerprints(&page),
        20,
        "the licence's page shows the first machines"
    );
    let all_machines = format!("/licenses/{license}/machines");
    assert!(page.body.contains(&format!("href=\"{all_machines}\"")));
    let first = b.get(&all_machines).await;
    assert_eq!((first.status, fingerprints(&first)), (200, PER_PAGE));
    let rest = b
        .get(&link(&first, "next").expect("a next page of machines"))
        .await;
    assert_eq!(fingerprints(&rest), 10);
    let shown: HashSet<String> = [&first, &rest]
        .iter()
        .flat_map(|a| a.body.split("<code class=\"fp\">").skip(1))
        .map(|piece| piece.split('<').next().unwrap().to_owned())
        .collect();
    assert_eq!(shown.len(), machines, "every machine once");
    // Renewing one machine's file: the form offers the latest machines and
    // links to all of them; a machine past those, chosen on the machines
    // page, comes to the form chosen.
    let renew = b.get(&format!("/licenses/{license}/renew")).await;
    assert_eq!(renew.status, 200);
    let options = renew.body.matches("<option ").count();
    assert_eq!(
        options,
        1 + 50,
        "the licence's own file and its latest machines"
    );
    assert!(renew.body.contains(&format!("href=\"{all_machines}\"")));
    let chosen = link_labelled(&rest, "Renew its file").expect("a renew link per machine");
    let activation = chosen.split("activation_id=").nth(1).unwrap().to_owned();
    assert!(
        !renew.body.contains(&activation),
        "the last page's machine is not among the latest offered"
    );
    let form = b.get(&chosen).await;
    assert_eq!(form.status, 200);
    assert!(
        form.body
            .contains(&format!("<option value=\"{activation}\" selected>")),
        "the machine chosen on the machines page is chosen on the form"
    );
    // Issued, then one entry per activation: more than a page of history.
    let history_rows = |a: &Answer| a.body.matches("<tr><td><code>").count();
    assert_eq!(history_rows(&page), PER_PAGE);
    let later = link_labelled(&page, "Later entries").expect("a link to the later entries");
    assert!(
        later.starts_with(&format!("/licenses/{license}/history?after=")),
        "{later}"
    );
    let history = b.get(&later).await;
    assert_eq!(history.status, 200);
    assert_eq!(history_rows(&history), machines + 1 - PER_PAGE);
    assert!(link_labelled(&history, "Later entries").is_none());

    // The notices the nightly job wrote, newest first, a page at a time.
    srv.run_jobs(NOTICE_DAY).await;
    let notices = b.get("/notices").await;
    assert_eq!(notices.status, 200);
    let notice_rows = rows(&notices, "/notifications/");
    assert_eq!(notice_rows.len(), PER_PAGE);
    let rest = b
        .get(&link(&notices, "next").expect("a next page of notices"))
        .await;
    let rest_rows = rows(&rest, "/notifications/");
    let written = srv
        .items("/v1/notifications?limit=500", &vendor)
        .await
        .len();
    assert!(written > PER_PAGE, "{written} notices");
    assert_eq!(rest_rows.len(), written - PER_PAGE);
    let all: HashSet<&String> = notice_rows.iter().chain(&rest_rows).collect();
    assert_eq!(all.len(), written, "every notice once");

    // A page number that is not one is refused, on a page that says why.
    for path in [
        "/licenses?licensee=Paged&page=abc",
        "/products?page=0",
        "/accounts?page=-1",
        "/subscriptions?page=99999999999999999999",
    ] {
        let refused = b.get(path).await;
        assert_eq!(refused.status, 400, "{path}");
        assert!(
            text(&refused.body).contains("'page' must be a whole number from 1"),
            "{path}: {}",
            refused.text()
        );
    }
    // Beyond the last page: nothing on it, and the way back.
    let beyond = b.get("/licenses?licensee=Paged&page=9").await;
    assert_eq!(beyond.status, 200);
    assert!(rows(&beyond, "/licenses/").is_empty());
    assert!(link(&beyond, "prev").is_some());
    srv.stop().await;
}

support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    story => paging_sqlite, paging_postgres
}
