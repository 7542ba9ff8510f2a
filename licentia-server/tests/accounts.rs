//! People: the first admin made on the command line, login with a session
//! cookie (HttpOnly, SameSite=Strict), CSRF on cookie-authenticated
//! changes, rotation at login, logout on the server, idle timeout, lockout
//! after failures, the same work for unknown addresses, grants made only
//! within the granter's reach, and passwords never written anywhere — on
//! SQLite, and on PostgreSQL when `LICENTIA_TEST_POSTGRES` is set.

mod support;

use std::time::{Duration, Instant};

use serde_json::{json, Value};
#[path = "support/logs.rs"]
mod logs;

use logs::{all_logs, captured_logs};
use support::{kind, node, s, Backend, Server};

const PASSWORD: &str = "correct horse battery staple";

/// What a login answered: status, body, and the `Set-Cookie` header.
struct LoginAnswer {
    status: u16,
    body: Value,
    set_cookie: Option<String>,
}

impl LoginAnswer {
    /// The session cookie's `name=value`.
    fn cookie(&self) -> String {
        let header = self.set_cookie.as_deref().expect("a session cookie");
        header.split(';').next().unwrap().to_owned()
    }
}

async fn login(srv: &Server, email: &str, password: &str, cookie: Option<&str>) -> LoginAnswer {
    let mut req = srv
        .client
        .post(format!("{}/v1/session", srv.base))
        .json(&json!({"email": email, "password": password}));
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let set_cookie = resp
        .headers()
        .get("set-cookie")
        .map(|v| v.to_str().unwrap().to_owned());
    let body = resp.json().await.unwrap();
    LoginAnswer {
        status,
        body,
        set_cookie,
    }
}

/// A request with a session cookie (and a CSRF token, when given).
async fn with_cookie(
    srv: &Server,
    method: &str,
    path: &str,
    cookie: &str,
    csrf: Option<&str>,
    body: Option<Value>,
) -> (u16, Value) {
    let mut headers = vec![("cookie", cookie)];
    if let Some(t) = csrf {
        headers.push(("x-csrf-token", t));
    }
    srv.call_at(&srv.base, method, path, None, body, &headers)
        .await
}

async fn story(backend: Backend) {
    captured_logs();
    let srv = Server::start_configured(backend, |c| {
        c.login_max_failures = 3;
    })
    .await;
    let admin = srv.admin.clone();

    // The first vendor admin, made on the command line.
    licentia_server::create_account(
        &srv.config,
        "Ada@Vendor.test",
        "Ada",
        "admin",
        PASSWORD.to_owned(),
    )
    .await
    .unwrap();
    let short =
        licentia_server::create_account(&srv.config, "b@vendor.test", "B", "admin", "short".into())
            .await;
    assert!(short.is_err(), "a password of 12 characters at least");

    // Login: a session cookie, HttpOnly and SameSite=Strict (not Secure
    // over plain HTTP), and the CSRF token; the address in any case.
    let first = login(&srv, "ada@vendor.TEST", PASSWORD, None).await;
    assert_eq!(first.status, 200, "{}", first.body);
    let header = first.set_cookie.clone().unwrap();
    for flag in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(header.contains(flag), "{header}");
    }
    assert!(!header.contains("Secure"), "{header}");
    assert!(!first.body.to_string().contains(PASSWORD));
    let csrf = s(&first.body["csrf_token"]);
    let cookie = first.cookie();
    let (status, me) = with_cookie(&srv, "GET", "/v1/session", &cookie, None, None).await;
    assert_eq!(
        (status, s(&me["account"]["email"]).as_str()),
        (200, "ada@vendor.test")
    );
    assert_eq!(me["grants"][0]["role"], "admin");
    assert_eq!(me["grants"][0]["customer_id"], Value::Null);

    // A change made with the cookie needs the CSRF header; a token does not.
    let partner = json!({"kind": "partner", "name": "Wazo"});
    let (status, problem) = with_cookie(
        &srv,
        "POST",
        "/v1/customers",
        &cookie,
        None,
        Some(partner.clone()),
    )
    .await;
    assert_eq!((status, kind(&problem)), (403, "csrf_token_missing"));
    let (status, _) = with_cookie(
        &srv,
        "POST",
        "/v1/customers",
        &cookie,
        Some("forged"),
        Some(partner.clone()),
    )
    .await;
    assert_eq!(status, 403);
    let (status, wazo) = with_cookie(
        &srv,
        "POST",
        "/v1/customers",
        &cookie,
        Some(&csrf),
        Some(partner),
    )
    .await;
    assert_eq!(status, 201, "{wazo}");
    let wazo = s(&wazo["id"]);
    let octopus = node(&srv, &admin, "partner", "Octopus", None).await;

    // A route products call too takes a person's session (and its CSRF
    // header) as well as a token.
    let (_, policy) = srv
        .product_and_policy(
            &admin,
            "sess",
            json!({"name": "p", "binding": "node-locked"}),
        )
        .await;
    let (_, key) = srv.issue(&admin, &policy).await;
    let activate =
        json!({"license_key": key, "fingerprint": support::machine("sess", 1).to_string()});
    let activation = srv.post_ok("/v1/activations", &admin, activate, 201).await;
    let path = format!("/v1/activations/{}", s(&activation["activation_id"]));
    assert_eq!(
        with_cookie(&srv, "DELETE", &path, &cookie, None, None)
            .await
            .0,
        403
    );
    let (status, gone) = with_cookie(&srv, "DELETE", &path, &cookie, Some(&csrf), None).await;
    assert_eq!(status, 200, "{gone}");

    // The history names the account that did it.
    let history = srv
        .items(
            &format!("/v1/history?account_id={}", s(&me["account"]["id"])),
            &admin,
        )
        .await;
    assert!(
        history
            .iter()
            .any(|e| e["operation"] == "customer.create" && e["subject"] == wazo.as_str()),
        "{history:?}"
    );

    // Accounts and grants over the API, within the granter's reach: Wazo's
    // admin makes accounts at Wazo, never at the root or at Octopus.
    let (status, body) = with_cookie(
        &srv,
        "POST",
        "/v1/accounts",
        &cookie,
        Some(&csrf),
        Some(json!({
            "name": "Wendy", "email": "wendy@wazo.test", "password": PASSWORD,
            "grants": [{"role": "admin", "customer_id": wazo}],
        })),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let wendy = login(&srv, "wendy@wazo.test", PASSWORD, None).await;
    let (wendy_cookie, wendy_csrf) = (wendy.cookie(), s(&wendy.body["csrf_token"]));
    let ask = |grant: Value| json!({"name": "X", "email": format!("x{}@wazo.test", rand_id()), "grants": [grant]});
    for (grant, want) in [
        (json!({"role": "admin"}), 403),
        (json!({"role": "finance", "customer_id": octopus}), 422),
        (
            json!({"role": "finance", "customer_id": "cus_nothing"}),
            422,
        ),
        (json!({"role": "finance", "customer_id": wazo}), 201),
    ] {
        let (status, body) = with_cookie(
            &srv,
            "POST",
            "/v1/accounts",
            &wendy_cookie,
            Some(&wendy_csrf),
            Some(ask(grant.clone())),
        )
        .await;
        assert_eq!(status, want, "{grant}: {body}");
    }
    let (status, accounts) =
        with_cookie(&srv, "GET", "/v1/accounts", &wendy_cookie, None, None).await;
    assert_eq!(status, 200);
    assert!(
        accounts["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| s(&a["email"]).ends_with("@wazo.test")),
        "{accounts}"
    );
    let (status, _) = with_cookie(&srv, "GET", "/v1/customers", &wendy_cookie, None, None).await;
    assert_eq!(status, 200);
    let (status, _) = with_cookie(
        &srv,
        "GET",
        &format!("/v1/customers/{octopus}"),
        &wendy_cookie,
        None,
        None,
    )
    .await;
    assert_eq!(status, 404, "a sibling partner does not exist for Wazo");

    // Rotation at login: a new id, the old session ended.
    let second = login(&srv, "ada@vendor.test", PASSWORD, Some(&cookie)).await;
    assert_eq!(second.status, 200);
    let cookie2 = second.cookie();
    assert_ne!(cookie2, cookie);
    let (status, problem) = with_cookie(&srv, "GET", "/v1/session", &cookie, None, None).await;
    assert_eq!((status, kind(&problem)), (401, "session_ended"));

    // Logout ends it on the server (and needs the CSRF header).
    let csrf2 = s(&second.body["csrf_token"]);
    assert_eq!(
        with_cookie(&srv, "DELETE", "/v1/session", &cookie2, None, None)
            .await
            .0,
        403
    );
    let (status, _) =
        with_cookie(&srv, "DELETE", "/v1/session", &cookie2, Some(&csrf2), None).await;
    assert_eq!(status, 200);
    assert_eq!(
        with_cookie(&srv, "GET", "/v1/session", &cookie2, None, None)
            .await
            .0,
        401
    );

    // Unknown address and wrong password: the same answer, and the same
    // argon2 work (an unknown address is verified against a dummy hash).
    let unknown = login(&srv, "nobody@vendor.test", PASSWORD, None).await;
    assert_eq!((unknown.status, kind(&unknown.body)), (401, "login_failed"));
    let timed = |email: &'static str| {
        let srv = &srv;
        async move {
            let start = Instant::now();
            for _ in 0..3 {
                login(srv, email, "a wrong password!", None).await;
            }
            start.elapsed()
        }
    };
    let (known, nobody) = (
        timed("wendy@wazo.test").await,
        timed("nobody@vendor.test").await,
    );
    assert!(nobody * 3 > known, "unknown {nobody:?} vs known {known:?}");

    // Lockout: three failures in a row lock the account, with the time.
    let locked = login(&srv, "wendy@wazo.test", PASSWORD, None).await;
    assert_eq!(
        (locked.status, kind(&locked.body)),
        (423, "account_locked"),
        "{}",
        locked.body
    );
    assert!(locked.body["locked_until"].as_i64().unwrap() > 0);

    // No password was ever written to the log.
    let logs = all_logs();
    assert!(!logs.contains(PASSWORD) && !logs.contains("a wrong password!"));
    srv.stop().await;
}

fn rand_id() -> u32 {
    rand::random::<u32>() % 1_000_000
}

support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    story => accounts_and_sessions_on_sqlite, accounts_and_sessions_on_postgres
}

async fn idle(backend: Backend) {
    let srv = Server::start_configured(backend, |c| {
        c.session_idle_secs = 1;
        // Behind a proxy that ends TLS: the cookie is Secure all the same.
        c.public_url = "https://licentia.example".into();
    })
    .await;
    licentia_server::create_account(
        &srv.config,
        "ada@vendor.test",
        "Ada",
        "auditor",
        PASSWORD.into(),
    )
    .await
    .unwrap();
    let answer = login(&srv, "ada@vendor.test", PASSWORD, None).await;
    assert!(answer.set_cookie.as_deref().unwrap().contains("; Secure"));
    let cookie = answer.cookie();
    assert_eq!(
        with_cookie(&srv, "GET", "/v1/session", &cookie, None, None)
            .await
            .0,
        200
    );
    // Seconds are whole: one idle second lives until the next second ends.
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let (status, problem) = with_cookie(&srv, "GET", "/v1/session", &cookie, None, None).await;
    assert_eq!((status, kind(&problem)), (401, "session_ended"));
    srv.stop().await;
}

support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    idle => an_idle_session_ends_on_sqlite, an_idle_session_ends_on_postgres
}

/// A TOTP code of the base32 `secret` at time step `step` (RFC 6238,
/// written here again from the RFC, apart from the server's).
fn totp_code(secret: &str, step: u64) -> String {
    use hmac::{Hmac, Mac};
    let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let (mut bytes, mut buffer, mut bits) = (Vec::new(), 0u64, 0);
    for c in secret.chars() {
        buffer = (buffer << 5) | alphabet.find(c).unwrap() as u64;
        bits += 5;
        if bits >= 8 {
            bytes.push((buffer >> (bits - 8)) as u8);
            bits -= 8;
        }
    }
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(&bytes).unwrap();
    mac.update(&step.to_be_bytes());
    let d = mac.finalize().into_bytes();
    let o = (d[19] & 0xf) as usize;
    let n = u32::from_be_bytes([d[o] & 0x7f, d[o + 1], d[o + 2], d[o + 3]]);
    format!("{:06}", n % 1_000_000)
}

/// A second factor: set up with a code, then every login needs a fresh one.
async fn second_factor(backend: Backend) {
    let srv = Server::start(backend).await;
    licentia_server::create_account(
        &srv.config,
        "tia@vendor.test",
        "Tia",
        "auditor",
        PASSWORD.into(),
    )
    .await
    .unwrap();
    let first = login(&srv, "tia@vendor.test", PASSWORD, None).await;
    let (cookie, csrf) = (first.cookie(), s(&first.body["csrf_token"]));
    let (status, problem) = srv
        .call("POST", "/v1/session/totp", Some(&srv.admin), None)
        .await;
    assert_eq!(status, 422, "a token has no second factor: {problem}");
    let (status, set_up) =
        with_cookie(&srv, "POST", "/v1/session/totp", &cookie, Some(&csrf), None).await;
    assert_eq!(status, 201, "{set_up}");
    let secret = s(&set_up["secret"]);
    assert!(
        s(&set_up["otpauth_uri"]).starts_with("otpauth://totp/licentia:tia%40vendor.test?secret=")
    );
    let step = || {
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
        now.unwrap().as_secs() / 30
    };
    let (status, problem) = with_cookie(
        &srv,
        "PUT",
        "/v1/session/totp",
        &cookie,
        Some(&csrf),
        Some(json!({"code": "000000"})),
    )
    .await;
    assert_eq!((status, kind(&problem)), (422, "totp_invalid"));
    let used = totp_code(&secret, step());
    let (status, on) = with_cookie(
        &srv,
        "PUT",
        "/v1/session/totp",
        &cookie,
        Some(&csrf),
        Some(json!({"code": used})),
    )
    .await;
    assert_eq!((status, &on["totp"]), (200, &json!(true)), "{on}");

    // Logins now need a code, a fresh one each time.
    let answer = |totp: Option<String>| {
        let srv = &srv;
        async move {
            let body = json!({"email": "tia@vendor.test", "password": PASSWORD, "totp": totp});
            srv.call("POST", "/v1/session", None, Some(body)).await
        }
    };
    let (status, problem) = answer(None).await;
    assert_eq!((status, kind(&problem)), (401, "totp_required"));
    let (status, problem) = answer(Some(used.clone())).await;
    assert_eq!(
        (status, kind(&problem)),
        (401, "login_failed"),
        "a code is used once"
    );
    let (status, body) = answer(Some(totp_code(&secret, step() + 1))).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["account"]["totp"], true);
    assert!(!all_logs().contains(&secret), "the secret is never logged");
    srv.stop().await;
}

support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    second_factor => a_second_factor_on_sqlite, a_second_factor_on_postgres
}

async fn disabled(backend: Backend) {
    let srv = Server::start(backend).await;
    let id = licentia_server::create_account(
        &srv.config,
        "grace@vendor.test",
        "Grace",
        "auditor",
        PASSWORD.into(),
    )
    .await
    .unwrap();
    let cookie = login(&srv, "grace@vendor.test", PASSWORD, None)
        .await
        .cookie();
    let (status, _) = with_cookie(&srv, "GET", "/v1/session", &cookie, None, None).await;
    assert_eq!(status, 200);

    // Someone leaves: the admin disables the account, once and for good.
    let path = format!("/v1/accounts/{id}");
    let (status, account) = srv.call("DELETE", &path, Some(&srv.admin), None).await;
    assert_eq!(status, 200, "{account}");
    assert!(account["disabled_at"].is_i64(), "{account}");
    let (status, again) = srv.call("DELETE", &path, Some(&srv.admin), None).await;
    assert_eq!(
        (status, &again["disabled_at"]),
        (200, &account["disabled_at"])
    );

    // Its session has ended, and it signs in no more.
    let (status, _) = with_cookie(&srv, "GET", "/v1/session", &cookie, None, None).await;
    assert_eq!(status, 401);
    assert_eq!(
        login(&srv, "grace@vendor.test", PASSWORD, None)
            .await
            .status,
        401
    );
    srv.stop().await;
}

support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    disabled => a_disabled_account_ends_on_sqlite, a_disabled_account_ends_on_postgres
}
