//! The web console over HTTP, against the real server: signing in through
//! its form (and every way that is refused), the languages, the headers
//! every page carries, the to-renew list and its CSV, and — generated from
//! the console's page table — every page refusing strangers, forms without
//! their CSRF token, and other customers' admins. The same pages in a
//! real browser are in `console_browser*.rs`.

mod support;

use std::collections::BTreeMap;

use licentia_server::console::{pages, PageAccess};
use reqwest::redirect::Policy;
use serde_json::json;
use support::{node, rows, s, texts, Backend, Person, Server, PASSWORD};

/// A browser-like client that does not follow redirects (the tests read them).
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap()
}

/// The cookie header a signed-in person's browser sends to the console.
fn cookies(p: &Person) -> String {
    format!("{}; licentia_csrf={}", p.cookie, p.csrf)
}

/// GET `path` as `person` (none: nobody signed in): status, headers, body.
async fn get(
    srv: &Server,
    person: Option<&Person>,
    path: &str,
    lang: &str,
) -> (u16, reqwest::header::HeaderMap, String) {
    let mut req = browser()
        .get(format!("{}{path}", srv.base))
        .header("accept-language", lang);
    if let Some(p) = person {
        req = req.header("cookie", cookies(p));
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    (status, headers, resp.text().await.unwrap())
}

/// POSTs a form to `path` with `cookie`: status, headers, body.
async fn post_form(
    srv: &Server,
    cookie: &str,
    path: &str,
    form: &[(&str, &str)],
) -> (u16, reqwest::header::HeaderMap, String) {
    let resp = browser()
        .post(format!("{}{path}", srv.base))
        .header("cookie", cookie)
        .form(form)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    (status, headers, resp.text().await.unwrap())
}

/// The value of the hidden input `name` in a page.
fn hidden(html: &str, name: &str) -> String {
    let at = html
        .find(&format!("name=\"{name}\" value=\""))
        .unwrap_or_else(|| panic!("no {name} field in {html}"));
    let rest = &html[at + name.len() + 15..];
    rest[..rest.find('"').unwrap()].to_owned()
}

/// The `name=value` of every cookie a response sets.
fn set_cookies(headers: &reqwest::header::HeaderMap) -> Vec<String> {
    headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned())
        .collect()
}

/// Two partners' trees: Wazo with its customer Alpha, and Octopus.
struct Tree {
    wazo: String,
    alpha: String,
    octopus: String,
}

async fn tree(srv: &Server) -> Tree {
    let root = &srv.admin;
    let wazo = node(srv, root, "partner", "Wazo", None).await;
    let alpha = node(srv, root, "customer", "Alpha", Some(&wazo)).await;
    let octopus = node(srv, root, "partner", "Octopus", None).await;
    Tree {
        wazo,
        alpha,
        octopus,
    }
}

/// A person holding `role` at `node` (none: the vendor root), signed in.
async fn someone(srv: &Server, name: &str, email: &str, role: &str, node: Option<&str>) -> Person {
    srv.person(name, email, json!([{"role": role, "customer_id": node}]))
        .await
}

async fn signing_in(backend: Backend) {
    let srv = Server::start(backend).await;
    srv.post_ok(
        "/v1/accounts",
        &srv.admin,
        json!({"name": "Vera", "email": "vera@vendor.test", "password": PASSWORD,
               "grants": [{"role": "admin"}]}),
        201,
    )
    .await;

    // A page asked for before signing in leads to the form, and back.
    let (status, headers, _) = get(&srv, None, "/renewals?within_days=30", "en").await;
    assert_eq!(status, 303);
    assert_eq!(
        headers["location"],
        "/sign-in?next=%2Frenewals%3Fwithin_days%3D30"
    );
    let (status, headers, form) = get(
        &srv,
        None,
        "/sign-in?next=%2Frenewals%3Fwithin_days%3D30",
        "en",
    )
    .await;
    assert_eq!(status, 200);
    assert!(form.contains("<label for=\"password\">Password</label>"));
    let form_cookie = set_cookies(&headers).join("; ");
    let token = hidden(&form, "_csrf");
    assert_eq!(hidden(&form, "next"), "/renewals?within_days=30");

    // A wrong password: refused on the page, the address kept.
    let (status, _, page) = post_form(
        &srv,
        &form_cookie,
        "/sign-in",
        &[
            ("email", "vera@vendor.test"),
            ("password", "not it at all"),
            ("_csrf", &token),
            ("next", "/"),
        ],
    )
    .await;
    assert_eq!(status, 401);
    assert!(page.contains("Wrong e-mail address or password."), "{page}");
    assert!(page.contains("value=\"vera@vendor.test\""));

    // Without the form's own token (a form posted from another site): refused.
    let (status, _, page) = post_form(
        &srv,
        "",
        "/sign-in",
        &[
            ("email", "vera@vendor.test"),
            ("password", PASSWORD),
            ("next", "/"),
        ],
    )
    .await;
    assert_eq!(status, 403);
    assert!(page.contains("The sign-in form had expired"), "{page}");

    // The right one: a session, its CSRF token, and back where it started.
    let (status, headers, _) = post_form(
        &srv,
        &form_cookie,
        "/sign-in",
        &[
            ("email", "vera@vendor.test"),
            ("password", PASSWORD),
            ("_csrf", &token),
            ("next", "/renewals?within_days=30"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    assert_eq!(headers["location"], "/renewals?within_days=30");
    let set = set_cookies(&headers);
    assert!(set
        .iter()
        .any(|c| c.starts_with("licentia_session=") && c.len() > 30));
    assert!(set
        .iter()
        .any(|c| c.starts_with("licentia_csrf=") && c.len() > 30));
    for line in headers.get_all("set-cookie") {
        let line = line.to_str().unwrap();
        assert!(
            line.contains("HttpOnly") && line.contains("SameSite=Strict"),
            "{line}"
        );
    }
    let session = set.join("; ");
    let resp = browser()
        .get(format!("{}/", srv.base))
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let dashboard = resp.text().await.unwrap();
    assert!(dashboard.contains("<span class=\"person\">Vera</span>"));

    // A `next` naming another site is not followed.
    let (_, headers, form) = get(&srv, None, "/sign-in?next=//evil.test/x", "en").await;
    let (status, headers, _) = post_form(
        &srv,
        &set_cookies(&headers).join("; "),
        "/sign-in",
        &[
            ("email", "vera@vendor.test"),
            ("password", PASSWORD),
            ("_csrf", &hidden(&form, "_csrf")),
            ("next", "//evil.test/x"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    assert_eq!(headers["location"], "/");

    // Signing out without the CSRF token is refused; with it, the session ends.
    let csrf = set
        .iter()
        .find_map(|c| c.strip_prefix("licentia_csrf="))
        .unwrap()
        .to_owned();
    let (status, _, _) = post_form(&srv, &session, "/sign-out", &[]).await;
    assert_eq!(status, 403);
    let (status, headers, _) = post_form(&srv, &session, "/sign-out", &[("_csrf", &csrf)]).await;
    assert_eq!(status, 303);
    assert_eq!(headers["location"], "/sign-in");
    let resp = browser()
        .get(format!("{}/", srv.base))
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303, "the ended session opens nothing");
    srv.stop().await;
}

async fn languages_and_headers(backend: Backend) {
    let srv = Server::start(backend).await;
    for (lang, title, html_lang) in [
        ("fr-CH,fr;q=0.9,en;q=0.5", "Connexion", "fr"),
        ("de-DE,de;q=0.9", "Anmelden", "de"),
        ("ja", "Sign in", "en"),
    ] {
        let (status, headers, page) = get(&srv, None, "/sign-in", lang).await;
        assert_eq!(status, 200);
        assert!(
            page.contains(&format!("<html lang=\"{html_lang}\">")),
            "{lang}"
        );
        assert!(
            page.contains(&format!("<h1>{title}</h1>")),
            "{lang}: {page}"
        );
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"));
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert_eq!(headers["cache-control"], "no-store");
    }
    // The account's language wins over the browser's.
    srv.post_ok(
        "/v1/accounts",
        &srv.admin,
        json!({"name": "Dora", "email": "dora@vendor.test", "password": PASSWORD,
               "locale": "de", "grants": [{"role": "auditor"}]}),
        201,
    )
    .await;
    let german = sign_in(&srv, "dora@vendor.test").await;
    let (_, _, page) = get(&srv, Some(&german), "/", "fr").await;
    assert!(page.contains("<html lang=\"de\">"), "{page}");
    assert!(page.contains("Übersicht"));

    // The assets are embedded, named by their content, cached for a year.
    let (_, _, page) = get(&srv, None, "/sign-in", "en").await;
    let css = page
        .split("href=\"")
        .find_map(|p| p.split('"').next().filter(|h| h.ends_with(".css")))
        .unwrap()
        .to_owned();
    assert!(css.starts_with("/assets/console."), "{css}");
    let resp = browser()
        .get(format!("{}{css}", srv.base))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["cache-control"]
        .to_str()
        .unwrap()
        .contains("immutable"));
    assert!(resp
        .text()
        .await
        .unwrap()
        .contains("prefers-color-scheme: dark"));
    let (status, _, _) = get(&srv, None, "/assets/console.0000.css", "en").await;
    assert_eq!(status, 404);
    srv.stop().await;
}

/// The date `days` from today, UTC (`YYYY-MM-DD`).
fn day_in(days: i64) -> String {
    chrono::Utc::now()
        .checked_add_signed(chrono::Duration::days(days))
        .unwrap()
        .format("%Y-%m-%d")
        .to_string()
}

/// What ends soon for the to-renew list: in Alpha (Wazo's customer) two
/// licences of a yearly plan and one of a policy no plan is made from; in
/// Gamma (another partner's) one licence.
async fn renewals(backend: Backend) {
    let srv = Server::start(backend).await;
    let vendor = srv.admin.clone();
    let Tree {
        wazo: _,
        alpha,
        octopus,
    } = tree(&srv).await;
    let gamma = node(&srv, &vendor, "customer", "Gamma", Some(&octopus)).await;
    let (_, yearly) = srv
        .product_and_policy(
            &vendor,
            "cad",
            json!({"name": "yearly", "binding": "unbound"}),
        )
        .await;
    srv.plan(&vendor, json!({"name": "CAD yearly", "policy_id": yearly}))
        .await;
    let monthly = srv
        .policy(
            &vendor,
            "viewer",
            json!({"name": "monthly", "binding": "unbound"}),
        )
        .await;
    let issue = |policy: &str, licensee: &str, customer: &str, days: i64| {
        let body = json!({"policy_id": policy, "licensee": licensee,
                          "customer_id": customer, "expires": day_in(days)});
        let srv = &srv;
        let vendor = vendor.clone();
        async move { srv.post_ok("/v1/licenses", &vendor, body, 201).await }
    };
    issue(&yearly, "Late Ltd", &alpha, 40).await;
    issue(&yearly, "Soon Ltd", &alpha, 5).await;
    issue(&monthly, "Viewer Ltd", &alpha, 20).await;
    issue(&yearly, "Gamma Ltd", &gamma, 10).await;
    let vendor_person = someone(&srv, "Vera", "vera@vendor.test", "auditor", None).await;
    let alpha_admin = someone(&srv, "Cleo", "cleo@alpha.test", "admin", Some(&alpha)).await;

    // The dashboard's count opens the list behind it.
    let (_, _, dashboard) = get(&srv, Some(&vendor_person), "/", "en").await;
    assert!(
        dashboard.contains(
            "<a href=\"/renewals?within_days=7&#38;type=license\"><span class=\"count\">1</span>"
        ),
        "{dashboard}"
    );
    assert!(dashboard.contains(
        "<span class=\"count\">4</span> <span class=\"label\">licences ending within 90 days"
    ));

    // Grouped by plan, soonest first within each group.
    let (status, _, list) = get(
        &srv,
        Some(&vendor_person),
        "/renewals?within_days=90&group_by=plan&columns=licensee,customer",
        "en",
    )
    .await;
    assert_eq!(status, 200);
    let order: Vec<usize> = [
        "(no plan)",
        "Viewer Ltd",
        "CAD yearly",
        "Soon Ltd",
        "Gamma Ltd",
        "Late Ltd",
    ]
    .iter()
    .map(|needle| {
        list.find(needle)
            .unwrap_or_else(|| panic!("{needle} in {list}"))
    })
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
    // Each heading says its group's count; one group's own page lists it
    // alone, a page at a time.
    assert!(
        list.contains("CAD yearly <span class=\"muted\">(3)</span>"),
        "{list}"
    );
    let (status, _, one) = get(
        &srv,
        Some(&vendor_person),
        "/renewals?within_days=90&group_by=plan&columns=licensee&group=CAD%20yearly",
        "en",
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        one.contains("Soon Ltd") && one.contains("Late Ltd"),
        "{one}"
    );
    assert!(
        !one.contains("Viewer Ltd") && !one.contains("(no plan)"),
        "{one}"
    );
    assert!(list.contains("<th scope=\"col\">Licensee</th>"));
    assert!(
        !list.contains("<th scope=\"col\">Seats</th>"),
        "unpicked columns are hidden"
    );

    // The CSV export is the same list, read back.
    let (status, headers, csv) = get(
        &srv,
        Some(&vendor_person),
        "/renewals.csv?within_days=90&group_by=plan",
        "en",
    )
    .await;
    assert_eq!(status, 200);
    assert!(headers["content-disposition"]
        .to_str()
        .unwrap()
        .contains("renewals.csv"));
    let table = rows(&csv);
    assert_eq!(table[0][0], "group");
    let licensees: Vec<&str> = table[1..].iter().map(|r| r[8].as_str()).collect();
    assert_eq!(
        licensees,
        ["Viewer Ltd", "Soon Ltd", "Gamma Ltd", "Late Ltd"]
    );

    // Alpha's admin sees Alpha's only, in the page and in the export.
    let (_, _, theirs) = get(&srv, Some(&alpha_admin), "/renewals?within_days=90", "en").await;
    assert!(theirs.contains("Soon Ltd") && !theirs.contains("Gamma Ltd"));
    let (_, _, csv) = get(
        &srv,
        Some(&alpha_admin),
        "/renewals.csv?within_days=90",
        "en",
    )
    .await;
    assert_eq!(rows(&csv).len(), 4, "{csv}");
    let (_, _, dashboard) = get(&srv, Some(&alpha_admin), "/", "en").await;
    assert!(dashboard.contains(
        "<span class=\"count\">3</span> <span class=\"label\">licences ending within 90 days"
    ));

    // Typed addresses with nonsense read as defaults or a clear refusal, never a 500.
    for path in [
        "/renewals?within_days=99999",
        "/renewals?within_days=abc",
        "/renewals?group_by=%00&columns=%ff,,",
    ] {
        let (status, _, page) = get(&srv, Some(&vendor_person), path, "en").await;
        assert!(status == 200 || status == 400, "{path}: {status}");
        if status == 400 {
            assert!(page.contains("role=\"alert\""), "{path}: {page}");
        }
    }
    srv.stop().await;
}

/// Signs `email` in through the API (its session and CSRF token).
async fn sign_in(srv: &Server, email: &str) -> Person {
    let resp = browser()
        .post(format!("{}/v1/session", srv.base))
        .json(&json!({"email": email, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    let cookie = set_cookies(resp.headers()).join("; ");
    let body: serde_json::Value = resp.json().await.unwrap();
    Person {
        id: body["account"]["id"].as_str().unwrap().to_owned(),
        cookie,
        csrf: body["csrf_token"].as_str().unwrap().to_owned(),
    }
}

/// Every page of the table: a stranger is sent to sign in; a form posted
/// without its CSRF token is refused before it acts.
async fn every_page_guards_itself(backend: Backend) {
    let srv = Server::start(backend).await;
    let person = someone(&srv, "Vera", "vera@vendor.test", "admin", None).await;
    let table = pages();
    assert!(table.len() >= 5, "the page table is read");
    for page in table {
        let path = page.path.replace("{id}", "x").replace("{file}", "x");
        let url = format!("{}{path}", srv.base);
        let client = browser();
        match (page.access, page.method) {
            (PageAccess::Signed, method) => {
                let req = if method == "get" {
                    client.get(&url)
                } else {
                    client.post(&url).form(&[("a", "b")])
                };
                let resp = req.send().await.unwrap();
                assert_eq!(resp.status(), 303, "{method} {path} without a session");
                let to = resp.headers()["location"].to_str().unwrap();
                assert!(to.starts_with("/sign-in?next="), "{path}: {to}");
                if method == "post" {
                    let resp = client
                        .post(&url)
                        .header("cookie", &person.cookie)
                        .form(&[("a", "b")])
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(resp.status(), 403, "POST {path} without its CSRF token");
                    let page = resp.text().await.unwrap();
                    assert!(page.contains("The form expired"), "{path}: {page}");
                }
            }
            (PageAccess::Public, _) => {}
        }
    }
    srv.stop().await;
}

/// POSTs a form as `p`, with the session's CSRF token.
async fn post_as(
    srv: &Server,
    p: &Person,
    path: &str,
    form: &[(&str, &str)],
) -> (u16, reqwest::header::HeaderMap, String) {
    let mut form = form.to_vec();
    form.push(("_csrf", &p.csrf));
    post_form(srv, &cookies(p), path, &form).await
}

/// Admins make accounts and grants through the console; a refusal names
/// its rule on the re-drawn form; revoking and disabling pass through a
/// page that says what they do; people who are not admins get neither the
/// menu entry nor the pages.
async fn accounts(backend: Backend) {
    let srv = Server::start(backend).await;
    let root = srv.admin.clone();
    let Tree {
        wazo,
        alpha,
        octopus,
    } = tree(&srv).await;
    let partner_admin = someone(&srv, "Pat", "pat@wazo.test", "admin", Some(&wazo)).await;
    let auditor = someone(&srv, "Aude", "aude@vendor.test", "auditor", None).await;

    // The partner's admin may place a grant in its own tree only.
    let (_, _, page) = get(&srv, Some(&partner_admin), "/accounts", "en").await;
    assert!(
        page.contains("<a href=\"/accounts\""),
        "the menu offers accounts to an admin"
    );
    assert!(page.contains(&format!("value=\"{alpha}\"")));
    assert!(
        !page.contains(&format!("value=\"{octopus}\"")),
        "another partner is not offered"
    );
    let (status, _, page) = post_as(
        &srv,
        &partner_admin,
        "/accounts",
        &[
            ("name", "Cleo"),
            ("email", "cleo@alpha.test"),
            ("locale", "fr"),
            ("role", "member-manager"),
            ("customer_id", &octopus),
            ("password", ""),
        ],
    )
    .await;
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("no such customer"), "{page}");
    assert!(
        page.contains("value=\"cleo@alpha.test\""),
        "what was typed stays"
    );
    let (status, headers, _) = post_as(
        &srv,
        &partner_admin,
        "/accounts",
        &[
            ("name", "Cleo"),
            ("email", "cleo@alpha.test"),
            ("locale", "fr"),
            ("role", "member-manager"),
            ("customer_id", &alpha),
            ("password", PASSWORD),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let account_page = headers["location"].to_str().unwrap().to_owned();
    let account_id = account_page.trim_start_matches("/accounts/").to_owned();
    let (_, shown) = srv
        .call(
            "GET",
            &format!("/v1/accounts/{account_id}"),
            Some(&root),
            None,
        )
        .await;
    assert_eq!(shown["account"]["locale"], "fr");
    assert_eq!(shown["grants"][0]["role"], "member-manager");
    assert_eq!(shown["grants"][0]["customer_id"], alpha.as_str());

    // A second grant, then revoking it through its confirm page.
    let (status, _, _) = post_as(
        &srv,
        &partner_admin,
        &format!("{account_page}/grants"),
        &[("role", "auditor"), ("customer_id", &alpha)],
    )
    .await;
    assert_eq!(status, 303);
    let (_, shown) = srv
        .call(
            "GET",
            &format!("/v1/accounts/{account_id}"),
            Some(&root),
            None,
        )
        .await;
    let grant = shown["grants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["role"] == "auditor")
        .unwrap();
    let grant_id = grant["id"].as_str().unwrap();
    let (status, _, confirm) = get(
        &srv,
        Some(&partner_admin),
        &format!("/grants/{grant_id}/revoke?account={account_id}"),
        "en",
    )
    .await;
    assert_eq!(status, 200);
    assert!(confirm.contains("The account loses this role at this place at once"));
    assert!(
        confirm.contains(&format!("href=\"/accounts/{account_id}\"")),
        "cancel goes back"
    );
    let (status, _, _) = post_as(
        &srv,
        &partner_admin,
        &format!("/grants/{grant_id}/revoke"),
        &[],
    )
    .await;
    assert_eq!(status, 303);
    let (_, shown) = srv
        .call(
            "GET",
            &format!("/v1/accounts/{account_id}"),
            Some(&root),
            None,
        )
        .await;
    assert_eq!(shown["grants"].as_array().unwrap().len(), 1);

    // Disabling: the confirm page names the person; afterwards they cannot sign in.
    let (_, _, confirm) = get(
        &srv,
        Some(&partner_admin),
        &format!("{account_page}/disable"),
        "en",
    )
    .await;
    assert!(
        confirm.contains("cleo@alpha.test will no longer be able to sign in"),
        "{confirm}"
    );
    let (status, _, _) = post_as(
        &srv,
        &partner_admin,
        &format!("{account_page}/disable"),
        &[],
    )
    .await;
    assert_eq!(status, 303);
    let resp = browser()
        .post(format!("{}/v1/session", srv.base))
        .json(&json!({"email": "cleo@alpha.test", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);

    // Not an admin: no menu entry, and a refusal page naming the rule.
    let (_, _, page) = get(&srv, Some(&auditor), "/", "en").await;
    assert!(!page.contains("<a href=\"/accounts\""));
    let (status, _, page) = get(&srv, Some(&auditor), "/accounts", "en").await;
    assert_eq!(status, 403);
    assert!(page.contains("this needs the admin role"), "{page}");
    srv.stop().await;
}

/// A person's own settings: language and time zone (the next page speaks
/// it), a password change (the current one checked), a second factor set
/// up; and the pages before signing in: a reset asked for (the same
/// answer for any address), a mailed link's token refused when unknown.
async fn settings(backend: Backend) {
    let srv = Server::start(backend).await;
    let me = someone(&srv, "Vera", "vera@vendor.test", "auditor", None).await;
    let (status, _, _) = post_as(
        &srv,
        &me,
        "/settings/profile",
        &[("locale", "de"), ("time_zone", "Europe/Berlin")],
    )
    .await;
    assert_eq!(status, 303);
    let (_, _, page) = get(&srv, Some(&me), "/settings", "en").await;
    assert!(page.contains("<html lang=\"de\">") && page.contains("Meine Einstellungen"));
    assert!(page.contains("value=\"Europe/Berlin\""));
    let (status, _, page) = post_as(
        &srv,
        &me,
        "/settings/profile",
        &[("locale", "de"), ("time_zone", "Mars/Olympus")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        page.contains("time_zone is an IANA time zone name"),
        "{page}"
    );

    // The password: the current one must be right, the two new ones alike.
    let new = "a different long password";
    let elsewhere = sign_in(&srv, "vera@vendor.test").await;
    let mut renewed = Vec::new();
    for (current, again, status, said) in [
        (
            "wrong password!!",
            new,
            403,
            "Das aktuelle Passwort ist nicht dieses.",
        ),
        (
            PASSWORD,
            "not the same one at all",
            422,
            "Die beiden neuen Passwörter unterscheiden sich.",
        ),
        (PASSWORD, new, 200, "Ihr Passwort wurde geändert."),
    ] {
        let (got, headers, page) = post_as(
            &srv,
            &me,
            "/settings/password",
            &[("current", current), ("new", new), ("again", again)],
        )
        .await;
        assert_eq!(got, status, "{page}");
        assert!(page.contains(said), "{said}: {page}");
        renewed = set_cookies(&headers);
    }
    // This browser holds a new session; the other one has ended.
    let me = Person {
        id: me.id.clone(),
        cookie: renewed
            .iter()
            .find(|c| c.starts_with("licentia_session="))
            .unwrap()
            .clone(),
        csrf: renewed
            .iter()
            .find_map(|c| c.strip_prefix("licentia_csrf="))
            .unwrap()
            .to_owned(),
    };
    assert_eq!(get(&srv, Some(&me), "/settings", "en").await.0, 200);
    assert_eq!(get(&srv, Some(&elsewhere), "/settings", "en").await.0, 303);
    let resp = browser()
        .post(format!("{}/v1/session", srv.base))
        .json(&json!({"email": "vera@vendor.test", "password": new}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "the new password opens a session");

    // A second factor: the secret is shown once; a wrong code is refused.
    let (status, _, page) = post_as(&srv, &me, "/settings/totp", &[]).await;
    assert_eq!(status, 200);
    assert!(page.contains("id=\"totp-secret\"") && page.contains("otpauth://totp/"));
    let (status, _, page) =
        post_as(&srv, &me, "/settings/totp/confirm", &[("code", "000000")]).await;
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("role=\"alert\""));

    // Before signing in: the same answer whatever the address.
    let mut answers = Vec::new();
    for email in ["vera@vendor.test", "nobody@nowhere.test"] {
        let (status, _, page) = post_form(&srv, "", "/password-reset", &[("email", email)]).await;
        assert_eq!(status, 200);
        answers.push(page);
    }
    assert_eq!(answers[0], answers[1]);
    assert!(answers[0].contains("If this address has an account"));
    let (status, _, page) = post_form(
        &srv,
        "",
        "/set-password",
        &[("token", "not-a-token"), ("password", new), ("again", new)],
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        page.contains("This link is unknown, used or expired"),
        "{page}"
    );
    srv.stop().await;
}

/// The reports page: charts and their numbers, from the same queries as
/// the API's reports, cut to the reader's grants; a platform name a
/// product reported cannot break out of the chart.
async fn reports(backend: Backend) {
    let srv = Server::start(backend).await;
    let root = srv.admin.clone();
    let Tree {
        wazo: _,
        alpha,
        octopus,
    } = tree(&srv).await;
    let (_, policy) = srv
        .product_and_policy(
            &root,
            "cad",
            json!({"name": "yearly", "binding": "node-locked", "seats": 3}),
        )
        .await;
    let license = srv
        .post_ok(
            "/v1/licenses",
            &root,
            json!({"policy_id": policy, "licensee": "Alpha SA", "customer_id": alpha}),
            201,
        )
        .await;
    srv.post_ok(
        "/v1/activations",
        &root,
        json!({"license_key": license["license_key"], "platform": "<b>linux</b>",
               "fingerprint": support::machine("cad", 1).to_string()}),
        201,
    )
    .await;
    let vendor = someone(&srv, "Vera", "vera@vendor.test", "auditor", None).await;
    let other = someone(&srv, "Otto", "otto@octopus.test", "admin", Some(&octopus)).await;
    let (status, _, page) = get(&srv, Some(&vendor), "/reports", "en").await;
    assert_eq!(status, 200);
    assert!(page.contains("<svg class=\"chart\" role=\"img\""), "{page}");
    assert!(
        page.contains("&lt;b&gt;linux&lt;/b&gt;"),
        "escaped in the chart"
    );
    assert!(!page.contains("<b>linux</b>"), "{page}");
    assert!(
        page.contains("<td>1</td>"),
        "one machine active, in the numbers"
    );
    assert!(page.contains("Licence · node-locked"));
    let (_, _, theirs) = get(&srv, Some(&other), "/reports", "en").await;
    assert!(
        !theirs.contains("linux") && !theirs.contains("node-locked"),
        "{theirs}"
    );
    assert!(theirs.contains("Nothing to show yet."));
    srv.stop().await;
}

/// The dashboard's counts of what happened: activations today, notice
/// deliveries that failed for good — each opening its list, each cut to
/// the reader's grants.
async fn dashboard_activity(backend: Backend) {
    let srv = Server::start_configured(backend, |c| c.delivery_max_attempts = 1).await;
    let root = srv.admin.clone();
    let octopus = node(&srv, &root, "partner", "Octopus", None).await;
    let (_, policy) = srv
        .product_and_policy(
            &root,
            "cad",
            json!({"name": "yearly", "binding": "node-locked", "seats": 3}),
        )
        .await;
    let license = srv
        .post_ok(
            "/v1/licenses",
            &root,
            json!({"policy_id": policy, "licensee": "Jane"}),
            201,
        )
        .await;
    for n in 1..=2 {
        srv.post_ok(
            "/v1/activations",
            &root,
            json!({"license_key": license["license_key"], "platform": "linux",
                   "fingerprint": support::machine("cad", n).to_string()}),
            201,
        )
        .await;
    }
    // A webhook nobody answers, tried once: failed for good.
    srv.post_ok(
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
    let vendor = someone(&srv, "Vera", "vera@vendor.test", "auditor", None).await;
    let other = someone(&srv, "Otto", "otto@octopus.test", "admin", Some(&octopus)).await;
    let (_, _, page) = get(&srv, Some(&vendor), "/", "en").await;
    assert!(
        page.contains("<a href=\"/notices\"><span class=\"count\">1</span> <span class=\"label\">notice deliveries that failed for good"),
        "{page}"
    );
    assert!(page.contains("<a href=\"/reports\"><span class=\"count\">2</span> <span class=\"label\">activations today"));
    let (_, _, theirs) = get(&srv, Some(&other), "/", "en").await;
    assert!(
        theirs.contains("<span class=\"count\">0</span> <span class=\"label\">notice deliveries")
    );
    assert!(
        theirs.contains("<span class=\"count\">0</span> <span class=\"label\">activations today")
    );
    srv.stop().await;
}

/// Grouped by customer, a window holds a group per customer: the API and
/// the console list them twenty at a time, each with its first rows, and
/// a group holds the licences of every customer of its name (two named
/// "Twin" here), and a licence without a customer falls in "(no customer)".
async fn renewals_by_customer(backend: Backend) {
    let srv = Server::start(backend).await;
    let vendor = srv.admin.clone();
    let (_, policy) = srv
        .product_and_policy(
            &vendor,
            "cad",
            json!({"name": "yearly", "binding": "unbound"}),
        )
        .await;
    let mut named = Vec::new();
    for n in 0..23 {
        named.push((format!("Cust {n:02}"), 30 - n));
    }
    named.push(("Twin".to_owned(), 3));
    named.push(("Twin".to_owned(), 4));
    let mut ids = BTreeMap::new();
    for (name, days) in &named {
        let customer = node(&srv, &vendor, "customer", name, None).await;
        let body = json!({"policy_id": policy, "licensee": format!("{name} Ltd"),
                          "customer_id": customer, "expires": day_in(*days)});
        srv.post_ok("/v1/licenses", &vendor, body, 201).await;
        ids.insert(name.clone(), customer);
    }
    // Customers with nothing ending in the window are no group: one
    // before the groups, some between them, one after.
    for name in ["Aardvark", "Cust 05 idle", "Cust 11 idle", "Zebra"] {
        node(&srv, &vendor, "customer", name, None).await;
    }
    let body = json!({"policy_id": policy, "licensee": "Later Ltd",
                      "customer_id": ids["Cust 07"], "expires": day_in(200)});
    srv.post_ok("/v1/licenses", &vendor, body, 201).await;
    let body = json!({"policy_id": policy, "licensee": "Nobody's", "expires": day_in(8)});
    srv.post_ok("/v1/licenses", &vendor, body, 201).await;
    let auditor = srv.tokens(["auditor"]).await[0].clone();

    // The API: twenty groups, then the rest after the twentieth.
    let path = "/v1/reports/renewals?within_days=90&group_by=customer";
    let first = srv.get(path, &auditor).await;
    assert_eq!(first["count"], json!(26), "{first}");
    let groups = first["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 20, "{first}");
    assert_eq!(groups[0]["group"], json!("(no customer)"));
    assert_eq!(groups[0]["items"][0]["licensee"], json!("Nobody's"));
    assert_eq!(first["next_groups"], groups[19]["group"]);
    let after = srv
        .get(
            &format!(
                "{path}&groups_after={}",
                s(&first["next_groups"]).replace(' ', "%20")
            ),
            &auditor,
        )
        .await;
    let rest = after["groups"].as_array().unwrap();
    assert_eq!(rest.len(), 5, "{after}");
    assert_eq!(after["next_groups"], json!(null));
    let mut names: Vec<String> = groups.iter().chain(rest).map(|g| s(&g["group"])).collect();
    let listed = names.clone();
    names.sort();
    assert_eq!(listed, names, "in the groups' order");
    names.dedup();
    assert_eq!(names.len(), 25);
    for group in groups.iter().chain(rest) {
        for item in group["items"].as_array().unwrap() {
            let customer = item["customer"].as_str().unwrap_or("(no customer)");
            assert_eq!(customer, s(&group["group"]), "{group}");
        }
    }
    let twin = rest.iter().find(|g| g["group"] == json!("Twin")).unwrap();
    assert_eq!(twin["count"], json!(2), "{twin}");
    let twins = srv.get(&format!("{path}&group=Twin"), &auditor).await;
    assert_eq!(
        texts(&twins["items"], "licensee"),
        ["Twin Ltd", "Twin Ltd"],
        "both customers named Twin, soonest first: {twins}"
    );

    // The console: the same groups, twenty at a time, and back.
    let person = someone(&srv, "Vera", "vera@vendor.test", "auditor", None).await;
    let (status, _, page) = get(&srv, Some(&person), "/renewals?group_by=customer", "en").await;
    assert_eq!(status, 200);
    // By customer the groups are found a page at a time, not counted:
    // the pager names the first and last.
    assert!(page.contains("Groups (no customer) to Cust 18"), "{page}");
    assert!(
        page.contains("Cust 18 <span class=\"muted\">(1)</span>"),
        "{page}"
    );
    assert!(!page.contains("Cust 19 <span"), "{page}");
    assert!(!page.contains("rel=\"prev\""), "{page}");
    let next = link(&page, "rel=\"next\"");
    assert!(next.contains("groups_after=Cust+18"), "{next}");
    let (status, _, page) = get(&srv, Some(&person), &next, "en").await;
    assert_eq!(status, 200);
    assert!(page.contains("Groups Cust 19 to Twin"), "{page}");
    assert!(
        page.contains("Twin <span class=\"muted\">(2)</span>"),
        "{page}"
    );
    assert!(!page.contains("Zebra") && !page.contains("idle"), "{page}");
    assert!(!page.contains("rel=\"next\""), "{page}");
    let back = link(&page, "rel=\"prev\"");
    assert!(back.contains("groups_before=Cust+19"), "{back}");
    let (_, _, page) = get(&srv, Some(&person), &back, "en").await;
    assert!(page.contains("Groups (no customer) to Cust 18"), "{page}");
    assert!(!page.contains("rel=\"prev\""), "{page}");

    // The export: every group in order, each soonest first.
    let (status, _, csv) = get(
        &srv,
        Some(&person),
        "/renewals.csv?within_days=90&group_by=customer",
        "en",
    )
    .await;
    assert_eq!(status, 200);
    let table = rows(&csv);
    assert_eq!(table.len(), 1 + 26, "{csv}");
    let groups: Vec<&str> = table[1..].iter().map(|r| r[0].as_str()).collect();
    let mut sorted = groups.clone();
    sorted.sort();
    assert_eq!(groups, sorted, "{csv}");
    assert_eq!(groups[0], "(no customer)");
    let twins: Vec<&str> = table[1..]
        .iter()
        .filter(|r| r[0] == "Twin")
        .map(|r| r[11].as_str())
        .collect();
    assert!(
        twins.len() == 2 && twins[0] < twins[1],
        "soonest first: {csv}"
    );

    // A customer's admin walks their own group alone.
    let admin = someone(
        &srv,
        "Cleo",
        "cleo@c07.test",
        "admin",
        Some(&ids["Cust 07"]),
    )
    .await;
    let (_, _, page) = get(&srv, Some(&admin), "/renewals?group_by=customer", "en").await;
    assert!(
        page.contains("Cust 07 <span class=\"muted\">(1)</span>"),
        "{page}"
    );
    assert!(
        !page.contains("(no customer)") && !page.contains("Cust 06"),
        "{page}"
    );
    assert!(
        !page.contains("class=\"pager"),
        "one group, no pager: {page}"
    );
    let path = "/renewals?group_by=customer&groups_after=Cust+06";
    let (_, _, page) = get(&srv, Some(&admin), path, "en").await;
    assert!(
        page.contains("Cust 07 Ltd") && !page.contains("Cust 08"),
        "{page}"
    );
    srv.stop().await;
}

/// The address of the link whose tag holds `marker`, as the browser
/// follows it.
fn link(html: &str, marker: &str) -> String {
    let at = html
        .find(marker)
        .unwrap_or_else(|| panic!("no {marker} in {html}"));
    let tag = &html[html[..at].rfind("<a ").unwrap()..at];
    let href = &tag[tag.find("href=\"").unwrap() + 6..];
    href[..href.find('"').unwrap()]
        .replace("&#38;", "&")
        .replace("&amp;", "&")
}

support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    signing_in => signing_in_on_sqlite, signing_in_on_postgres
}
support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    languages_and_headers => languages_and_headers_on_sqlite, languages_and_headers_on_postgres
}
support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    renewals => renewals_on_sqlite, renewals_on_postgres
}
support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    every_page_guards_itself => every_page_guards_itself_on_sqlite, every_page_guards_itself_on_postgres
}
support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    accounts => accounts_on_sqlite, accounts_on_postgres
}
support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    settings => settings_on_sqlite, settings_on_postgres
}
support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    reports => reports_on_sqlite, reports_on_postgres
}
support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    dashboard_activity => dashboard_activity_on_sqlite, dashboard_activity_on_postgres
}
support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    renewals_by_customer => renewals_by_customer_on_sqlite, renewals_by_customer_on_postgres
}
