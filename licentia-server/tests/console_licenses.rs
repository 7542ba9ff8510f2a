//! The console's licence pages over HTTP, as people use them: FlexNet's
//! story — staff issue a licence from a plan, the customer's admin opens
//! it and downloads its file (which verifies with the server's keys), a
//! machine dies and a temporary licence is issued within the policy's
//! quota and refused beyond it, with the rule and the status on the page.
//! Search finds the licence by key and by licensee; a revocation goes
//! through its confirm page; another customer's admin gets 404 for every
//! page of this licence; a form without its CSRF token is refused. The
//! page's QR code of the one-line file, drawn at 3 pixels a module and read
//! back by a real decoder (rqrr), is that line. On SQLite, and on
//! PostgreSQL when `LICENTIA_TEST_POSTGRES` is set.

mod support;

use serde_json::json;
use support::console::{Console, Part};
use support::qr::scan;
use support::{machine, node, s, Backend, Server};

/// The one SVG drawn inline in a page.
fn svg_in(html: &str) -> &str {
    let start = html.find("<svg").expect("an SVG in the page");
    let end = start + html[start..].find("</svg>").unwrap() + 6;
    &html[start..end]
}

/// The `value` of the input named (or with the id) `name` in a page.
fn value_of(html: &str, name: &str) -> String {
    let at = html
        .find(&format!("name=\"{name}\""))
        .or_else(|| html.find(&format!("id=\"{name}\"")))
        .unwrap_or_else(|| panic!("no field {name} in {html}"));
    let rest = &html[at..];
    let start = rest.find("value=\"").unwrap() + 7;
    let end = rest[start..].find('"').unwrap();
    rest[start..start + end].to_owned()
}

/// The text of the element with `id`, up to its closing tag.
fn text_of<'h>(html: &'h str, id: &str) -> &'h str {
    let at = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id} in {html}"));
    let start = at + html[at..].find('>').unwrap() + 1;
    let end = start + html[start..].find("</").unwrap();
    &html[start..end]
}

/// HTML's escapes undone (the few askama writes).
fn unescape(text: &str) -> String {
    text.replace("&#43;", "+")
        .replace("&#x2b;", "+")
        .replace("&#61;", "=")
        .replace("&#x3d;", "=")
        .replace("&#47;", "/")
        .replace("&#x2f;", "/")
        .replace("&#45;", "-")
        .replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&#60;", "<")
        .replace("&#62;", ">")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

async fn story(backend: Backend) {
    let srv = Server::start(backend).await;
    let vendor = srv.admin.clone();
    let (product, policy) = srv
        .product_and_policy(
            &vendor,
            "cad-suite",
            json!({"name": "yearly", "binding": "unbound", "seats": 3, "duration_days": 365,
                   "entitlements": ["modeler"], "temp_quota": 1, "temp_period_days": 30,
                   "temp_duration_days": 7}),
        )
        .await;
    let plan = srv
        .plan(
            &vendor,
            json!({"name": "Professional", "policy_id": policy,
                   "options": [{"code": "SIM", "name": "Simulation", "entitlements": ["simulation"]}]}),
        )
        .await;
    let acme = node(&srv, &vendor, "customer", "Acme", None).await;
    let globex = node(&srv, &vendor, "customer", "Globex", None).await;
    let ivy = srv
        .person("Ivy", "ivy@vendor.test", json!([{"role": "issuer"}]))
        .await;
    let ada = srv
        .person(
            "Ada",
            "ada@acme.test",
            json!([{"role": "admin", "customer_id": acme}]),
        )
        .await;
    let gus = srv
        .person(
            "Gus",
            "gus@globex.test",
            json!([{"role": "admin", "customer_id": globex}]),
        )
        .await;
    let (staff, customer, stranger) = (
        Console::of(&srv, &ivy),
        Console::of(&srv, &ada),
        Console::of(&srv, &gus),
    );

    // Staff open the issue form on the plan: its option is offered.
    let form = staff
        .get(&format!("/licenses/new?from=plan:{plan}&customer={acme}"))
        .await;
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(form.body.contains("value=\"SIM\""), "{}", form.body);
    let idem = value_of(&form.body, "_idem");
    let from = format!("plan:{plan}");
    let fields = [
        ("_idem", idem.as_str()),
        ("from", from.as_str()),
        ("options", "SIM"),
        ("customer", acme.as_str()),
        ("licensee", "Acme Engineering"),
        ("seats", ""),
        ("expires", ""),
    ];
    let issued = staff.post("/licenses/new", &fields).await;
    assert_eq!(issued.status, 200, "{}", issued.body);
    assert!(issued.body.contains("shown only once"), "{}", issued.body);
    let key = value_of(&issued.body, "license-key");
    assert_eq!(key.len(), 35, "{key}");
    // A double submit shows the same licence and issues no second one.
    let again = staff.post("/licenses/new", &fields).await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(value_of(&again.body, "license-key"), key);
    let listed = srv
        .items(&format!("/v1/licenses?customer_id={acme}"), &vendor)
        .await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    let id = s(&listed[0]["id"]);
    assert_eq!(
        listed[0]["spec"]["features"],
        json!(["modeler", "simulation"])
    );

    // A refused issue is drawn again with the rule, what was typed kept.
    let refused = staff
        .post(
            "/licenses/new",
            &[
                ("_idem", "another-form"),
                ("from", from.as_str()),
                ("customer", acme.as_str()),
                ("licensee", "Acme Two"),
                ("seats", "many"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains("seats must be a whole number"));
    assert!(refused.body.contains("value=\"Acme Two\""));

    // The customer's admin finds it, opens it and downloads its file.
    let list = customer.get("/licenses").await;
    assert_eq!(list.status, 200);
    assert!(list.body.contains("Acme Engineering"), "{}", list.body);
    let page = customer.get(&format!("/licenses/{id}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    for term in [
        "cad-suite",
        "yearly",
        "Acme Engineering",
        "Acme",
        "0 / 3",
        "modeler, simulation",
        "license.issue",
        "Ivy <ivy@vendor.test>",
    ] {
        let text = unescape(&page.body);
        assert!(text.contains(term), "{term} not in {text}");
    }
    let verifier = srv.verifier().await;
    let file = customer.get(&format!("/licenses/{id}/file")).await;
    assert_eq!(file.status, 200);
    assert_eq!(
        file.disposition,
        format!("attachment; filename=\"license-{id}.lic\"")
    );
    let license = verifier.verify(&file.body).expect("the file verifies");
    assert_eq!(license.body().licensee.name, "Acme Engineering");
    let line = customer
        .get(&format!("/licenses/{id}/file?form=line"))
        .await;
    assert_eq!(line.status, 200);
    assert!(line.disposition.starts_with("attachment;"));
    assert!(!line.body.trim().contains('\n'));
    verifier
        .verify(line.body.trim())
        .expect("the one-line file verifies");
    // The page shows it as a QR code, which a decoder reads back.
    assert!(page
        .body
        .contains(&format!("src=\"/licenses/{id}/file?form=qr\"")));
    let qr = customer.get(&format!("/licenses/{id}/file?form=qr")).await;
    assert_eq!(qr.status, 200);
    assert!(qr.body.starts_with("<svg"), "{}", qr.body);
    assert_eq!(scan(&qr.body), line.body.trim());

    // A machine runs it, then dies.
    let (status, activated) = srv.activate(&key, "cad-suite", 1, "linux-x86_64").await;
    assert_eq!(status, 201, "{activated}");
    let activation = s(&activated["activation_id"]);
    let page = customer.get(&format!("/licenses/{id}")).await;
    assert!(page.body.contains(&machine("cad-suite", 1).to_string()));
    assert!(page
        .body
        .contains(&format!("/activations/{activation}/deactivate")));

    // A temporary licence for the replacement machine, within the quota.
    let outage = customer.get(&format!("/licenses/{id}/temporary")).await;
    assert_eq!(outage.status, 200);
    assert!(
        text_of(&outage.body, "rule").contains("1 temporary licence per licence"),
        "{}",
        outage.body
    );
    let replacement = machine("cad-suite", 2).to_string();
    let made = customer
        .post(
            &format!("/licenses/{id}/temporary"),
            &[("fingerprint", replacement.as_str())],
        )
        .await;
    assert_eq!(made.status, 200, "{}", made.body);
    assert!(made.body.contains("Temporary licence issued"));
    let temporary = unescape(text_of(&made.body, "temporary-file"));
    let temp = verifier
        .verify(&temporary)
        .expect("the temporary licence verifies");
    assert!(
        matches!(&temp.body().kind, licentia::LicenseKind::Temporary { replaces } if replaces.to_string() == id),
        "{:?}",
        temp.body().kind
    );
    // Beyond the quota: refused, the rule and the status on the page.
    let third = machine("cad-suite", 3).to_string();
    let beyond = customer
        .post(
            &format!("/licenses/{id}/temporary"),
            &[("fingerprint", third.as_str())],
        )
        .await;
    assert_eq!(beyond.status, 409, "{}", beyond.body);
    assert!(beyond.body.contains("role=\"alert\""));
    assert!(
        beyond
            .body
            .contains("already had one temporary licence in the current period: its quota is 1."),
        "{}",
        beyond.body
    );
    assert!(beyond.body.contains("HTTP status 409"));
    assert!(beyond.body.contains(&format!("value=\"{third}\"")));
    // A fingerprint that is none is refused as such, not a 500.
    let bad = customer
        .post(
            &format!("/licenses/{id}/temporary"),
            &[("fingerprint", "nope")],
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.body);

    // The dead machine is deactivated through its confirm page.
    let confirm = customer
        .get(&format!("/activations/{activation}/deactivate"))
        .await;
    assert_eq!(confirm.status, 200);
    assert!(confirm.body.contains("gives its seat back"));
    let done = customer
        .post(&format!("/activations/{activation}/deactivate"), &[])
        .await;
    assert_eq!(
        (done.status, done.location.as_str()),
        (303, format!("/licenses/{id}").as_str())
    );
    let record = srv.get(&format!("/v1/licenses/{id}"), &vendor).await;
    assert_eq!(record["seats_used"], 0);

    // Search: by the licence id's start, the whole key, the key's last
    // group, and the licensee (any case, by the trigram index, or by two
    // letters, fewer than it holds); another licensee, a wildcard taken
    // as itself, or the name's words in another order find nothing.
    for query in [
        format!("key={}", &id[..8]),
        format!("key={key}"),
        format!("key={}", &key[30..]),
        "licensee=acme+eng".to_owned(),
        "licensee=ME".to_owned(),
        format!("customer={acme}&status=active&product={product}"),
    ] {
        let found = staff.get(&format!("/licenses?{query}")).await;
        assert_eq!(found.status, 200);
        assert!(
            found.body.contains(&format!("/licenses/{id}\"")),
            "{query}: {}",
            found.body
        );
    }
    for query in [
        "licensee=nobody",
        "licensee=acme%25eng",
        "licensee=engineering+acme",
        "key=ZZZZZ",
        "status=revoked",
    ] {
        let found = staff.get(&format!("/licenses?{query}")).await;
        assert!(
            !found.body.contains(&format!("/licenses/{id}\"")),
            "{query}"
        );
    }
    // Nor does another customer's admin, whatever they search.
    let found = stranger.get(&format!("/licenses?key={key}")).await;
    assert!(!found.body.contains(&id));

    // Another customer's admin gets 404 for every page of this licence.
    for path in [
        format!("/licenses/{id}"),
        format!("/licenses/{id}/file"),
        format!("/licenses/{id}/file?form=line"),
        format!("/licenses/{id}/file?form=qr"),
        format!("/licenses/{id}/renew"),
        format!("/licenses/{id}/temporary"),
        format!("/licenses/{id}/suspend"),
        format!("/licenses/{id}/reinstate"),
        format!("/licenses/{id}/revoke"),
        format!("/activations/{activation}/deactivate"),
    ] {
        assert_eq!(stranger.get(&path).await.status, 404, "GET {path}");
        let forms = [
            "/renew",
            "/temporary",
            "/suspend",
            "/reinstate",
            "/revoke",
            "/deactivate",
        ];
        if forms.iter().any(|f| path.ends_with(f)) {
            assert_eq!(stranger.post(&path, &[]).await.status, 404, "POST {path}");
        }
    }

    // Nor can they issue one for this customer by editing the form.
    let policy_from = format!("policy:{policy}");
    let edited = stranger
        .post(
            "/licenses/new",
            &[
                ("from", policy_from.as_str()),
                ("customer", acme.as_str()),
                ("licensee", "Not Acme"),
            ],
        )
        .await;
    assert!(
        matches!(edited.status, 403 | 404 | 422) && edited.body.contains("role=\"alert\""),
        "{} {}",
        edited.status,
        edited.body
    );
    let listed = srv
        .items(&format!("/v1/licenses?customer_id={acme}"), &vendor)
        .await;
    assert_eq!(listed.len(), 1, "{listed:?}");

    // A form posted without its CSRF token is refused, and changes nothing.
    let forged = customer
        .post_raw(&format!("/licenses/{id}/suspend"), &[("reason", "x")])
        .await;
    assert_eq!(forged.status, 403, "{}", forged.body);
    let record = srv.get(&format!("/v1/licenses/{id}"), &vendor).await;
    assert_eq!(record["status"], "active");

    // Renewal as a token for the licence's own file.
    let renew = staff.get(&format!("/licenses/{id}/renew")).await;
    assert_eq!(renew.status, 200);
    let idem = value_of(&renew.body, "_idem");
    let renewed = staff
        .post(
            &format!("/licenses/{id}/renew"),
            &[
                ("_idem", &idem),
                ("expires", "2031-01-31"),
                ("mode", "token"),
            ],
        )
        .await;
    assert_eq!(renewed.status, 200, "{}", renewed.body);
    let token = unescape(text_of(&renewed.body, "token"));
    verifier
        .verify_renewal(&token)
        .expect("the renewal token verifies");
    let renewed = staff
        .post(
            &format!("/licenses/{id}/renew"),
            &[("expires", "2032-01-31"), ("mode", "file")],
        )
        .await;
    assert_eq!(renewed.status, 303, "{}", renewed.body);
    let record = srv.get(&format!("/v1/licenses/{id}"), &vendor).await;
    assert!(
        s(&record["spec"]["expires"]).starts_with("2032-01-31"),
        "{record}"
    );

    // Offline activation: the request file uploaded, the answer downloaded.
    let request = licentia::ActivationRequest::new(
        "cad-suite",
        licentia::LicenseRef::Key(key.clone()),
        machine("cad-suite", 4),
        licentia::Timestamp::now(),
    );
    let offline = staff.get("/licenses/activate-offline").await;
    assert_eq!(offline.status, 200);
    assert!(offline.body.contains("enctype=\"multipart/form-data\""));
    let answer = staff
        .upload(
            "/licenses/activate-offline",
            &[
                Part::File("request", "request.txt", request.to_armor().as_bytes()),
                Part::Field("valid_days", "10"),
            ],
            true,
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert!(answer
        .disposition
        .starts_with("attachment; filename=\"activation-"));
    assert!(
        answer.body.contains("BEGIN LICENTIA ACTIVATION"),
        "{}",
        answer.body
    );
    // Its code, read over the telephone and typed in: answered; one
    // character misheard: refused naming the group, what was typed kept.
    let heard = licentia::ActivationRequest::new(
        "cad-suite",
        licentia::LicenseRef::Key(key.clone()),
        machine("cad-suite", 4),
        licentia::Timestamp::now(),
    );
    let code = heard.to_typed().to_lowercase();
    let answer = staff
        .upload(
            "/licenses/activate-offline",
            &[
                Part::File("request", "", b""),
                Part::Field("code", &code),
                Part::Field("valid_days", "10"),
            ],
            true,
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let verifier = srv.verifier().await;
    heard
        .accept(&answer.body, &verifier, licentia::Timestamp::now())
        .expect("the machine accepts the answer to its code");
    let mut wrong: Vec<char> = code.chars().collect();
    wrong[8] = if wrong[8] == '7' { '8' } else { '7' };
    let wrong: String = wrong.into_iter().collect();
    let refused = staff
        .upload(
            "/licenses/activate-offline",
            &[Part::Field("code", &wrong), Part::Field("valid_days", "10")],
            true,
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused.text().contains("check digit of group 2"),
        "{}",
        refused.body
    );
    assert!(refused.body.contains(&wrong), "what was typed is kept");
    let refused = staff
        .upload(
            "/licenses/activate-offline",
            &[
                Part::File("request", "request.txt", b"not a request"),
                Part::Field("valid_days", "10"),
            ],
            true,
        )
        .await;
    assert!(
        (400..500).contains(&refused.status) && refused.body.contains("role=\"alert\""),
        "{} {}",
        refused.status,
        refused.body
    );

    // The answer asked for as a QR code: the page draws it, and a real
    // decoder reads back the answer's one-line form, which the machine
    // accepts.
    let scanned = licentia::ActivationRequest::new(
        "cad-suite",
        licentia::LicenseRef::Id(licentia::LicenseId::parse(&id).unwrap()),
        machine("cad-suite", 5),
        licentia::Timestamp::now(),
    );
    let shown = staff
        .upload(
            "/licenses/activate-offline",
            &[
                Part::Field("code", &scanned.to_typed()),
                Part::Field("valid_days", "10"),
                Part::Field("as", "qr"),
            ],
            true,
        )
        .await;
    assert_eq!(shown.status, 200, "{}", shown.body);
    let line = scan(svg_in(&shown.body));
    assert_eq!(line, unescape(text_of(&shown.body, "answer-line")));
    scanned
        .accept(&line, &verifier, licentia::Timestamp::now())
        .expect("the machine accepts the scanned answer");

    // Activation by telephone: the request code typed as heard, the answer
    // code shown in groups, and as a QR code that reads back the same.
    let phone = staff.get(&format!("/licenses/{id}/telephone")).await;
    assert_eq!(phone.status, 200, "{}", phone.body);
    let heard = licentia::short_code::ShortRequest::new(
        &licentia::LicenseId::parse(&id).unwrap(),
        &machine("cad-suite", 6),
    )
    .to_code();
    let mut misheard = heard.clone().into_bytes();
    misheard[13] = if misheard[13] == b'7' { b'8' } else { b'7' };
    let misheard = String::from_utf8(misheard).unwrap();
    let refused = staff
        .post(
            &format!("/licenses/{id}/telephone"),
            &[
                ("code", &misheard),
                ("_idem", &value_of(&phone.body, "_idem")),
            ],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused.text().contains("check digit of group 3"),
        "{}",
        refused.body
    );
    assert!(refused.body.contains(&misheard), "what was typed is kept");
    let answered = staff
        .post(
            &format!("/licenses/{id}/telephone"),
            &[
                ("code", &heard),
                ("valid_days", "7"),
                ("_idem", &value_of(&phone.body, "_idem")),
            ],
        )
        .await;
    assert_eq!(answered.status, 200, "{}", answered.body);
    let at = answered.body.find("id=\"answer-code\"").unwrap();
    let start = at + answered.body[at..].find('>').unwrap() + 1;
    let end = start + answered.body[start..].find("</p>").unwrap();
    let groups = support::console::text(&answered.body[start..end]);
    let code = groups.split_whitespace().collect::<Vec<_>>().join("-");
    assert_eq!(code.split('-').count(), 6, "{code}");
    assert_eq!(scan(svg_in(&answered.body)), code);

    // A revocation goes through its confirm page, which says it is final.
    let confirm = staff.get(&format!("/licenses/{id}/revoke")).await;
    assert_eq!(confirm.status, 200);
    assert!(
        confirm.body.contains("revocation is final"),
        "{}",
        confirm.body
    );
    // The console's one confirm page: which licence, a reason to keep, the
    // button saying what it does beside the way back.
    assert!(confirm.body.contains("Licence of "), "{}", confirm.body);
    assert!(confirm.body.contains("name=\"reason\""), "{}", confirm.body);
    assert!(
        confirm.body.contains("class=\"danger\""),
        "{}",
        confirm.body
    );
    assert!(
        confirm.body.contains(&format!(
            "<a class=\"button\" href=\"/licenses/{id}\">Cancel</a>"
        )),
        "{}",
        confirm.body
    );
    let revoked = staff
        .post(
            &format!("/licenses/{id}/revoke"),
            &[("reason", "contract ended")],
        )
        .await;
    assert_eq!(revoked.status, 303, "{}", revoked.body);
    let record = srv.get(&format!("/v1/licenses/{id}"), &vendor).await;
    assert_eq!(record["status"], "revoked");
    // Twice: refused on the page, with the rule.
    let twice = staff.post(&format!("/licenses/{id}/revoke"), &[]).await;
    assert_eq!(twice.status, 409, "{}", twice.body);
    assert!(
        twice
            .body
            .contains("The licence is revoked: this change is not possible."),
        "{}",
        twice.body
    );
    assert!(twice.body.contains("HTTP status 409"), "{}", twice.body);
    let page = customer.get(&format!("/licenses/{id}")).await;
    assert!(page.body.contains("license.revoke"));
    assert!(page.body.contains("contract ended"));
    srv.stop().await;
}

support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    story => the_flexnet_story_in_the_console_on_sqlite, the_flexnet_story_in_the_console_on_postgres
}
