//! The console in a real browser: headless Chromium over WebDriver
//! (`support::browser`). First the harness itself, on a small page this
//! test serves (labels, selects, tables, languages, scripts off, a phone's
//! window, axe-core catching a violation), then the console's own pages on
//! the real server.
//!
//! Without Chromium these say `SKIPPED: ...` on a developer's machine and
//! fail on CI; `scripts/install-browser.sh` installs it.

mod support;
// The browser harness, apart from `support` (the command line's tests share
// `support` and have no browser).
#[path = "support/browser.rs"]
mod browser;

use axum::extract::Form;
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Redirect};
use axum::routing::get;
use browser::Browser;
use serde_json::json;
use support::{Backend, Server, PASSWORD};

/// The harness's own page: a sign-in form as the console's (labelled
/// fields, a refusal in an alert, a redirect to `/`), a select, a table,
/// the language asked for and whether scripts ran.
async fn harness_site() -> String {
    async fn page(body: &str) -> Html<String> {
        Html(format!(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>Harness</title></head><body><nav aria-label=\"Main\"><a href=\"/\">Home</a></nav>\
             <main><h1>Harness</h1>{body}</main>\
             <script>document.getElementById('js').textContent = 'scripts ran';</script>\
             </body></html>"
        ))
    }
    fn sign_in_form(refusal: &str) -> String {
        format!(
            "{refusal}<form method=\"post\" action=\"/sign-in\">\
             <label for=\"email\">Email</label><input id=\"email\" name=\"email\" type=\"email\" autocomplete=\"username\">\
             <label>Password <input name=\"password\" type=\"password\" autocomplete=\"current-password\"></label>\
             <label for=\"lang\">Language</label><select id=\"lang\" name=\"lang\">\
             <option value=\"en\">English</option><option value=\"fr\">Français</option></select>\
             <button type=\"submit\">Sign in</button></form><p id=\"js\">no scripts</p>"
        )
    }
    let app = axum::Router::new()
        .route(
            "/sign-in",
            get(|| async { page(&sign_in_form("")).await }).post(
                |Form(f): Form<std::collections::HashMap<String, String>>| async move {
                    if f.get("password").map(String::as_str) == Some(PASSWORD) {
                        Redirect::to(&format!("/?lang={}", f["lang"])).into_response()
                    } else {
                        let refusal = "<p role=\"alert\">Wrong email or password.</p>";
                        page(&sign_in_form(refusal)).await.into_response()
                    }
                },
            ),
        )
        .route(
            "/",
            get(|headers: HeaderMap| async move {
                let lang = headers
                    .get("accept-language")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_owned();
                page(&format!(
                    "<p>Accept-Language: {lang}</p><p id=\"js\">no scripts</p>\
                     <table id=\"renewals\"><caption>To renew</caption>\
                     <thead><tr><th>Customer</th><th>Ends</th></tr></thead>\
                     <tbody><tr><td>Alpha</td><td>2030-01-31</td></tr>\
                     <tr><td>Beta  <b>SA</b></td><td>2030-02-28</td></tr></tbody></table>"
                ))
                .await
            }),
        )
        .route(
            "/unlabelled",
            get(|| async { page("<form><input name=\"q\"><p id=\"js\"></p></form>").await }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    base
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn harness_signs_in_reads_tables_and_finds_violations() {
    let base = harness_site().await;
    let Some(browser) = Browser::options().lang("fr").start(&base).await else {
        return;
    };
    browser.open("/sign-in").await;
    assert!(browser.text().await.contains("scripts ran"));
    browser.review("harness-sign-in").await;
    assert_eq!(browser.tab(1).await, "Home");
    assert_eq!(browser.tab(1).await, "Email");

    browser.fill("Email", "cleo@alpha.test").await;
    browser.fill("password", "wrong").await;
    browser.click("Sign in").await;
    assert_eq!(browser.path().await, "/sign-in");
    assert_eq!(browser.alerts().await, ["Wrong email or password."]);

    browser.fill("email:", "cleo@alpha.test").await;
    browser.fill("Password", PASSWORD).await;
    browser.select("Language", "Français").await;
    browser.submit().await;
    assert_eq!(browser.path().await, "/?lang=fr");
    assert!(browser.text().await.contains("Accept-Language: fr"));
    let rows = browser.table("To renew").await;
    assert_eq!(
        rows,
        [
            ["Customer", "Ends"],
            ["Alpha", "2030-01-31"],
            ["Beta SA", "2030-02-28"]
        ]
    );
    assert_eq!(browser.table("renewals").await, rows);

    let shot = browser.screenshot("harness-home").await;
    assert!(std::fs::read(&shot).unwrap().starts_with(b"\x89PNG"));
    browser.set_mobile().await;
    assert!(browser.viewport_width().await <= 400);

    browser.open("/unlabelled").await;
    let found = browser.axe().await;
    assert!(
        found
            .iter()
            .any(|v| v.id == "label" && v.impact == "critical"),
        "{found:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn harness_without_javascript() {
    let base = harness_site().await;
    let Some(browser) = Browser::options().javascript(false).start(&base).await else {
        return;
    };
    browser.open("/sign-in").await;
    assert!(browser.text().await.contains("no scripts"));
    browser.fill("Email", "cleo@alpha.test").await;
    browser.fill("Password", PASSWORD).await;
    browser.click("Sign in").await;
    assert_eq!(browser.path().await, "/?lang=en");
    assert!(browser.text().await.contains("Accept-Language: en"));
    assert!(browser.text().await.contains("no scripts"));
}

const EMAIL: &str = "vera@vendor.test";

/// A server with one person of the vendor's staff, Vera, and a browser on
/// it (`None` when Chromium is missing on a developer's machine).
async fn console(browser: browser::Options) -> Option<(Server, Browser)> {
    console_for("en", browser).await
}

/// As [`console`], Vera's account speaking `locale`.
async fn console_for(locale: &str, browser: browser::Options) -> Option<(Server, Browser)> {
    let srv = Server::start(Backend::Sqlite).await;
    let vera = json!({
        "name": "Vera", "email": EMAIL, "password": PASSWORD, "locale": locale,
        "grants": [{"role": "admin", "customer_id": null}],
    });
    srv.post_ok("/v1/accounts", &srv.admin.clone(), vera, 201)
        .await;
    let browser = browser.start(&srv.base).await?;
    Some((srv, browser))
}

/// Signs in with `password` on the sign-in page.
async fn sign_in(browser: &Browser, password: &str) {
    browser.fill("email", EMAIL).await;
    browser.fill("password", password).await;
    browser.submit().await;
}

/// The console's sign-in page renders and axe-core finds nothing serious
/// on it; the right password lands on the dashboard, which has its
/// navigation and nothing serious either.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_sign_in() {
    let Some((srv, browser)) = console(Browser::options()).await else {
        return;
    };
    browser.open("/").await;
    assert!(
        browser.path().await.starts_with("/sign-in"),
        "{}",
        browser.path().await
    );
    browser.review("sign-in").await;
    sign_in(&browser, PASSWORD).await;
    assert_eq!(browser.path().await, "/");
    assert!(
        browser.alerts().await.is_empty(),
        "{:?}",
        browser.alerts().await
    );
    assert!(!browser.navs().await.is_empty(), "no nav on the dashboard");
    browser.review("dashboard").await;
    assert!(browser
        .session_cookie()
        .await
        .starts_with("licentia_session="));
    srv.stop().await;
}

/// Without scripts, a wrong password is refused on the page, and the
/// right one lands on the dashboard.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_sign_in_without_scripts() {
    let Some((srv, browser)) = console(Browser::options().javascript(false)).await else {
        return;
    };
    browser.open("/sign-in").await;
    sign_in(&browser, "not the password").await;
    assert_eq!(browser.path().await, "/sign-in");
    assert!(
        !browser.alerts().await.is_empty(),
        "no refusal on {}",
        browser.text().await
    );
    browser.review("sign-in-refused").await;
    sign_in(&browser, PASSWORD).await;
    assert_eq!(browser.path().await, "/");
    browser.review("dashboard-without-scripts").await;
    srv.stop().await;
}

/// With scripts, a wrong password is refused on the page too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_sign_in_refused_with_scripts() {
    let Some((srv, browser)) = console(Browser::options()).await else {
        return;
    };
    browser.open("/sign-in").await;
    sign_in(&browser, "not the password").await;
    let refusal = browser.alerts().await;
    assert!(
        !refusal.is_empty(),
        "no refusal on {}",
        browser.text().await
    );
    browser.review("sign-in-refused-with-scripts").await;
    srv.stop().await;
}

/// The browser's language speaks to a person not signed in yet, their
/// account's afterwards: a French person signs in on a phone, in French.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_in_french_on_a_phone() {
    let Some((srv, browser)) = console_for("fr", Browser::options().lang("fr")).await else {
        return;
    };
    browser.set_mobile().await;
    browser.open("/sign-in").await;
    assert_eq!(browser.page_lang().await, "fr");
    assert!(
        browser.title().await.starts_with("Connexion"),
        "{}",
        browser.title().await
    );
    browser.fill("Adresse e-mail", EMAIL).await;
    browser.fill("Mot de passe", PASSWORD).await;
    browser.click("Se connecter").await;
    assert_eq!(browser.path().await, "/");
    assert!(browser.text().await.contains("Tableau de bord"));
    assert_eq!(browser.page_lang().await, "fr");
    browser.review("dashboard-fr-phone").await;
    srv.stop().await;
}

/// A German browser gets the German sign-in page; the account speaks
/// English, so the dashboard is English, and says so to screen readers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_in_german_then_the_account_s_english() {
    let Some((srv, browser)) = console(Browser::options().lang("de-DE")).await else {
        return;
    };
    browser.open("/sign-in").await;
    assert_eq!(browser.page_lang().await, "de");
    browser.fill("E-Mail-Adresse", EMAIL).await;
    browser.fill("Passwort", PASSWORD).await;
    browser.click("Anmelden").await;
    assert_eq!(browser.path().await, "/");
    assert!(browser.text().await.contains("Dashboard"));
    assert_eq!(browser.page_lang().await, "en");
    browser.review("dashboard-de-browser").await;
    srv.stop().await;
}

/// A licence of Jane Doe's ending in 20 days; returns its expiry date.
async fn ending_soon(srv: &Server) -> chrono::NaiveDate {
    let issuer = srv.token("issuer").await;
    let yearly = json!({"name": "yearly", "binding": "unbound"});
    let policy = srv.policy(&issuer, "octo-pbx", yearly).await;
    let expires = chrono::Utc::now().date_naive() + chrono::Days::new(20);
    let license =
        json!({"policy_id": policy, "licensee": "Jane Doe", "expires": expires.to_string()});
    srv.post_ok("/v1/licenses", &srv.admin.clone(), license, 201)
        .await;
    expires
}

/// The dashboard's count of licences ending within 30 days opens the list
/// behind it; its CSV, fetched as the same person, says the same.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_to_renew_from_the_dashboard() {
    let Some((srv, browser)) = console(Browser::options()).await else {
        return;
    };
    let expires = ending_soon(&srv).await;
    browser.open("/sign-in").await;
    sign_in(&browser, PASSWORD).await;
    browser.click("1 licences ending within 30 days").await;
    assert!(
        browser.path().await.starts_with("/renewals?"),
        "{}",
        browser.path().await
    );
    browser.review("to-renew").await;
    let rows = browser.table("(no plan)").await;
    let header = [
        "Ends",
        "Product",
        "Customer",
        "Licensee",
        "Seats",
        "Days left",
        "Record",
    ];
    assert_eq!(rows[0], header);
    assert_eq!(rows.len(), 2, "{rows:?}");
    let (ends, record) = (&rows[1][0], &rows[1][6]);
    assert_eq!(*ends, expires.to_string());

    // The CSV behind the list, fetched as Vera.
    let csv = browser.fetch(&browser.href("Export CSV").await).await;
    assert_eq!(csv.status(), 200);
    let csv = support::rows(&csv.text().await.unwrap());
    assert_eq!(csv.len(), 2, "{csv:?}");
    let column = |name: &str| csv[0].iter().position(|c| c == name).unwrap();
    assert_eq!(csv[1][column("id")], *record);
    assert_eq!(csv[1][column("licensee")], "Jane Doe");
    srv.stop().await;
}

/// The dashboard's count of contracts and lots ending within 90 days opens
/// them grouped by contract type, soonest first, with their supplier,
/// start and last day to cancel (Octopus's list); the CSV export keeps the
/// grouping and says the same.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_contracts_to_renew_from_the_dashboard() {
    let Some((srv, browser)) = console(Browser::options()).await else {
        return;
    };
    let admin = srv.admin.clone();
    let day = |n: u64| (chrono::Utc::now().date_naive() + chrono::Days::new(n)).to_string();
    let start = (chrono::Utc::now().date_naive() - chrono::Days::new(300)).to_string();
    srv.product_and_policy(
        &admin,
        "octo-office",
        json!({"name": "yearly", "binding": "unbound"}),
    )
    .await;
    let octopus = support::node(&srv, &admin, "partner", "Octopus", None).await;
    let supplier = srv
        .post_ok("/v1/suppliers", &admin, json!({"name": "Editeur"}), 201)
        .await;
    let mut contracts = Vec::new();
    for (kind, ends) in [("support", 20), ("maintenance", 50)] {
        let kind = srv
            .post_ok("/v1/contract-types", &admin, json!({"name": kind}), 201)
            .await;
        let contract = json!({
            "customer_id": octopus, "supplier_id": supplier["id"], "contract_type_id": kind["id"],
            "reference": format!("REF-{ends}"), "starts_on": start, "ends_on": day(ends),
            "notice_period": "1 month before term end",
        });
        contracts.push(srv.post_ok("/v1/contracts", &admin, contract, 201).await);
    }
    let lot = json!({
        "customer_id": octopus, "product_id": "octo-office", "quantity": 20,
        "purchased_on": start, "contract_id": contracts[1]["id"],
    });
    let lot = srv.post_ok("/v1/purchases", &admin, lot, 201).await;

    browser.open("/sign-in").await;
    sign_in(&browser, PASSWORD).await;
    browser
        .click("3 contracts and lots ending within 90 days")
        .await;
    assert!(
        browser.path().await.starts_with("/renewals?"),
        "{}",
        browser.path().await
    );
    browser.review("to-renew-contracts").await;
    let header = [
        "Ends",
        "Type",
        "Customer",
        "Supplier",
        "Starts",
        "Last day to cancel",
        "Days left",
        "Record",
    ];
    let maintenance = browser.table("maintenance").await;
    assert_eq!(maintenance[0], header);
    let ids: Vec<&str> = maintenance[1..].iter().map(|r| r[7].as_str()).collect();
    assert_eq!(
        ids,
        [support::s(&contracts[1]["id"]), support::s(&lot["id"])]
    );
    let contract = &maintenance[1];
    assert_eq!(contract[0], day(50));
    assert_eq!(
        contract[1..6],
        [
            "Contract".to_owned(),
            "Octopus".into(),
            "Editeur".into(),
            start.clone(),
            support::s(&contracts[1]["last_day_to_cancel"]),
        ]
    );
    assert_eq!(maintenance[2][1], "Purchase lot");
    let support_rows = browser.table("support").await;
    assert_eq!(support_rows.len(), 2, "{support_rows:?}");

    // The CSV behind the list, fetched as Vera: grouped the same way.
    let csv = browser.fetch(&browser.href("Export CSV").await).await;
    assert_eq!(csv.status(), 200);
    let csv = support::rows(&csv.text().await.unwrap());
    let column = |name: &str| csv[0].iter().position(|c| c == name).unwrap();
    let lines: Vec<[&str; 4]> = csv[1..]
        .iter()
        .map(|r| ["group", "type", "supplier", "ends_on"].map(|c| r[column(c)].as_str()))
        .collect();
    let (soon, later) = (day(20), day(50));
    assert_eq!(
        lines,
        [
            ["maintenance", "contract", "Editeur", &*later],
            ["maintenance", "lot", "Editeur", &*later],
            ["support", "contract", "Editeur", &*soon],
        ]
    );
    srv.stop().await;
}

/// The to-renew list's columns are the person's choice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_to_renew_columns_chosen() {
    let Some((srv, browser)) = console(Browser::options()).await else {
        return;
    };
    ending_soon(&srv).await;
    browser.open("/sign-in").await;
    sign_in(&browser, PASSWORD).await;
    browser.open("/renewals?within_days=30").await;
    browser.check("Status", true).await;
    browser.click("Show").await;
    let rows = browser.table("(no plan)").await;
    assert!(rows[0].contains(&"Status".to_owned()), "{rows:?}");
    srv.stop().await;
}
