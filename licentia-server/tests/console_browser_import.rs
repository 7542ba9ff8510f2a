//! The members import in a real browser (issue 13): Alpha's admin opens the
//! import from Alpha's page, chooses a bad file with the file input and
//! reads the per-row report (nothing written), then a good file, confirms,
//! and finds the members on Alpha's page. With scripts, the upload goes
//! through htmx and fills the progress bar; without, the form posts and
//! the answer page renders. Each page is reviewed (landmarks, axe-core, a
//! screenshot).
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
use support::{Backend, Server, Wazo, PASSWORD};

/// Chooses `path` in the page's file input, as a person picks a file.
async fn choose_file(browser: &Browser, path: &std::path::Path) {
    browser
        .find("input[type=file]")
        .await
        .send_keys(path.to_str().unwrap())
        .await
        .expect("a file chosen");
}

async fn story(javascript: bool) {
    let srv = Server::start(Backend::Sqlite).await;
    let Wazo { alpha, .. } = srv.wazo().await;
    srv.person(
        "Cleo",
        "cleo@alpha.test",
        json!([{"role": "admin", "customer_id": alpha}]),
    )
    .await;
    let files = tempfile::tempdir().unwrap();
    let bad = files.path().join("bad.csv");
    std::fs::write(
        &bad,
        format!("customer,name,email\n{alpha},Ann,ann@alpha.test\n{alpha},Bob,bob-at-alpha\n"),
    )
    .unwrap();
    let good = files.path().join("good.csv");
    std::fs::write(
        &good,
        format!("customer,name,email\n{alpha},Ann,ann@alpha.test\n{alpha},Bob,bob@alpha.test\n"),
    )
    .unwrap();
    let Some(browser) = Browser::options()
        .javascript(javascript)
        .start(&srv.base)
        .await
    else {
        return;
    };
    let shot = |name: &str| format!("import/{}-{name}", if javascript { "js" } else { "nojs" });
    browser.open("/sign-in").await;
    browser.fill("email", "cleo@alpha.test").await;
    browser.fill("password", PASSWORD).await;
    browser.submit().await;
    browser.open(&format!("/customers/{alpha}")).await;
    browser.click("Import members (CSV)").await;
    assert_eq!(browser.path().await, format!("/customers/{alpha}/import"));
    browser.review(&shot("form")).await;
    if javascript {
        // What the bar shows as the answer comes in (it is swapped out then).
        browser
            .client()
            .execute(
                "document.addEventListener('htmx:beforeSwap', function () {\
                   var b = document.getElementById('import-progress');\
                   window.__bar = { value: b.value, hidden: b.hidden };\
                 });",
                vec![],
            )
            .await
            .unwrap();
    }

    // A bad file: the report, and nothing written.
    choose_file(&browser, &bad).await;
    browser.click("Check the rows").await;
    browser.wait_for_text("1 row is refused").await;
    let report = browser.table("Rows to correct").await;
    assert!(
        report
            .iter()
            .any(|row| row.join(" ").contains("3 email not an e-mail address")),
        "{report:?}"
    );
    assert!(!browser.alerts().await.is_empty());
    if javascript {
        let bar = browser
            .client()
            .execute("return window.__bar", vec![])
            .await
            .unwrap();
        assert_eq!(bar["hidden"], json!(false), "the bar shows: {bar}");
        assert_eq!(bar["value"], json!(100), "the upload is whole: {bar}");
    }
    browser.review(&shot("report")).await;
    let members = format!("/v1/customers/{alpha}/members");
    assert!(srv.items(&members, &srv.admin).await.is_empty());

    // A good file: how many will be created, then created.
    choose_file(&browser, &good).await;
    browser.click("Check the rows").await;
    browser
        .wait_for_text("Every row passed: 2 members will be created in Alpha.")
        .await;
    assert!(srv.items(&members, &srv.admin).await.is_empty());
    browser.review(&shot("confirm")).await;
    browser.click("Create 2 members").await;
    browser
        .wait_for_text("2 members are created in Alpha.")
        .await;
    browser.review(&shot("done")).await;
    assert_eq!(srv.items(&members, &srv.admin).await.len(), 2);
    browser.click("See the members").await;
    let page = browser.text().await;
    assert!(
        page.contains("ann@alpha.test") && page.contains("bob@alpha.test"),
        "{page}"
    );
    browser.close().await;
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_with_scripts() {
    story(true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_without_scripts() {
    story(false).await;
}
