//! E-mail notices against a real SMTP server: Python's aiosmtpd (installed
//! into a venv by scripts/test-venv.sh, which this test runs when the venv
//! is missing), with a certificate from a CA made here, AUTH required. For
//! STARTTLS and for implicit TLS the message is read back from what the
//! server wrote: envelope, headers, body, line lengths, that the session
//! was encrypted and authenticated. A wrong password is a failed delivery,
//! and the password is in no log line.

mod support;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};

use licentia_server::config::SmtpTls;
use serde_json::{json, Value};
use support::tls::TestCa;
use support::{s, Server, NOTICE_DAY};

const USER: &str = "licentia-notices";
const PASSWORD: &str = "pw-5up3r-s3cr3t";
const TO: &str = "billing@example.com";

/// The venv's python, made by scripts/test-venv.sh when missing.
fn python() -> &'static Path {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON.get_or_init(|| {
        // target/debug/deps/mail-<hash> → target
        let exe = std::env::current_exe().unwrap();
        let target = exe.ancestors().nth(3).unwrap();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/test-venv.sh");
        let out = Command::new(script).arg(target).output().unwrap();
        assert!(
            out.status.success(),
            "scripts/test-venv.sh failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        PathBuf::from(String::from_utf8(out.stdout).unwrap().trim())
    })
}

/// The SMTP server, killed when dropped, and the directory its messages
/// go to.
struct SmtpServer {
    child: Child,
    port: u16,
    out: tempfile::TempDir,
    pki: tempfile::TempDir,
}

impl SmtpServer {
    fn start(mode: &str, ca: &TestCa) -> SmtpServer {
        let pki = tempfile::tempdir().unwrap();
        let out = tempfile::tempdir().unwrap();
        let (_, cert, key) = ca.write(pki.path());
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/smtp_server.py");
        let mut child = Command::new(python())
            .arg(script)
            .args(["--mode", mode, "--user", USER, "--password", PASSWORD])
            .arg("--cert")
            .arg(cert)
            .arg("--key")
            .arg(key)
            .arg("--out")
            .arg(out.path())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .strip_prefix("PORT ")
            .and_then(|p| p.trim().parse().ok())
            .unwrap_or_else(|| panic!("the SMTP server said {line:?}"));
        SmtpServer {
            child,
            port,
            out,
            pki,
        }
    }

    /// The messages it accepted, in order.
    fn received(&self) -> Vec<Value> {
        let mut files: Vec<_> = std::fs::read_dir(self.out.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        files
            .iter()
            .map(|f| serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap())
            .collect()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Every log line of this test binary, kept for reading.
fn log() -> Arc<Mutex<Vec<u8>>> {
    static LOG: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOG.get_or_init(|| {
        let log: Arc<Mutex<Vec<u8>>> = Arc::default();
        let sink = log.clone();
        tracing_subscriber::fmt()
            .with_env_filter("debug")
            .with_writer(move || LogWriter(sink.clone()))
            .init();
        log
    })
    .clone()
}

struct LogWriter(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A back office mailing through `smtp` (`tls` its mode) as USER with
/// `password`, trusting the test CA.
async fn mailing(smtp: &SmtpServer, tls: SmtpTls, password: &str) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let mut config = support::config(dir.path(), None);
    config.smtp_host = Some("localhost".into());
    config.smtp_port = smtp.port;
    config.smtp_from = Some("Licentia <licentia@example.com>".into());
    config.smtp_tls = tls;
    config.smtp_username = Some(USER.into());
    config.smtp_password = Some(password.into());
    config.smtp_ca_file = Some(smtp.pki.path().join("ca.pem"));
    config.public_url = "https://licentia.example".into();
    Server::start_with(config, dir, None).await
}

/// A back office mailing through `smtp` (`tls` its mode) as USER with
/// `password`, trusting the test CA; an e-mail subscription and a license
/// whose 90-day notice is due on [`NOTICE_DAY`]; the jobs run for that day.
/// Returns the server and the jobs' report.
async fn notify(smtp: &SmtpServer, tls: SmtpTls, password: &str) -> (Server, Value) {
    let srv = mailing(smtp, tls, password).await;
    srv.post_ok(
        "/v1/notice-subscriptions",
        &srv.admin.clone(),
        json!({"kinds": ["license.expiring"], "email": TO}),
        201,
    )
    .await;
    srv.expiring_license("mail").await;
    let report = srv.run_jobs(NOTICE_DAY).await;
    (srv, report)
}

/// One message mailed and read back: encrypted, authenticated, to the
/// subscriber, a well-formed MIME text with short lines.
async fn mailed_over(mode: &str, tls: SmtpTls) {
    let ca = TestCa::new();
    let smtp = SmtpServer::start(mode, &ca);
    let (srv, report) = notify(&smtp, tls, PASSWORD).await;
    assert_eq!(report["deliveries"]["delivered"], 1, "{report}");
    let got = smtp.received();
    assert_eq!(got.len(), 1, "{got:?}");
    let mail = &got[0];
    assert_eq!(mail["rcpt_tos"], json!([TO]));
    assert_eq!(mail["mail_from"], "licentia@example.com");
    assert_eq!(mail["authenticated"], true);
    assert_eq!(mail["login"], USER);
    let version = s(&mail["tls_version"]);
    assert!(version.starts_with("TLSv1."), "{version}");

    let (_, notifications) = srv
        .call("GET", "/v1/notifications", Some(&srv.admin), None)
        .await;
    let n = &notifications["items"][0];
    let message = s(&mail["message"]);
    let (head, body) = message
        .split_once("\r\n\r\n")
        .expect("headers, a blank line, a body");
    // Long headers are folded (RFC 5322 2.2.3): unfold before reading.
    let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", "\t");
    let header = |name: &str| {
        unfolded
            .split("\r\n")
            .find_map(|l| l.strip_prefix(&format!("{name}: ")))
            .unwrap_or_else(|| panic!("no {name} header in {head}"))
    };
    assert_eq!(header("From"), "Licentia <licentia@example.com>");
    assert_eq!(header("To"), TO);
    assert_eq!(
        header("Subject"),
        format!(
            "[licentia] license.expiring {} (2030-03-31)",
            s(&n["subject"])
        )
    );
    assert_eq!(header("Message-ID"), format!("<{}@licentia>", s(&n["id"])));
    assert_eq!(header("MIME-Version"), "1.0");
    assert_eq!(header("Content-Type"), "text/plain; charset=utf-8");
    // Short lines: sent as they are, no quoted-printable needed.
    assert_eq!(header("Content-Transfer-Encoding"), "7bit");
    assert!(header("Date").ends_with("+0000"), "{head}");
    assert!(
        message.split("\r\n").all(|l| l.len() <= 78),
        "a line longer than 78 characters:\n{message}"
    );
    assert!(body.starts_with("license.expiring: "), "{body}");
    assert!(
        body.contains(&format!("\"id\": \"{}\"", s(&n["id"]))),
        "{body}"
    );
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_notice_is_mailed_over_starttls_with_auth() {
    mailed_over("starttls", SmtpTls::Starttls).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_notice_is_mailed_over_implicit_tls_with_auth() {
    mailed_over("tls", SmtpTls::Tls).await;
}

/// A wrong password: the relay refuses (535), nothing is mailed, the
/// delivery log keeps the reply class only, and no log line holds the
/// password.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_is_a_failed_delivery_and_is_never_logged() {
    let log = log();
    let wrong = "wr0ng-pa55word-xyzzy";
    let ca = TestCa::new();
    let smtp = SmtpServer::start("starttls", &ca);
    let (srv, report) = notify(&smtp, SmtpTls::Starttls, wrong).await;
    assert_eq!(report["deliveries"]["retrying"], 1, "{report}");
    assert!(smtp.received().is_empty());
    let (_, notifications) = srv
        .call("GET", "/v1/notifications", Some(&srv.admin), None)
        .await;
    let path = format!(
        "/v1/notifications/{}/deliveries",
        s(&notifications["items"][0]["id"])
    );
    let (_, deliveries) = srv.call("GET", &path, Some(&srv.admin), None).await;
    let attempt = &deliveries["items"][0]["log"][0];
    assert_eq!(attempt["status_code"], 535, "{deliveries}");
    assert_eq!(
        attempt["error"], "delivery failed (SMTP 5xx)",
        "{deliveries}"
    );
    srv.stop().await;

    let text = String::from_utf8(log.lock().unwrap().clone()).unwrap();
    assert!(
        text.contains("notice delivery failed"),
        "the log was captured:\n{text}"
    );
    assert!(!text.contains(wrong), "the password is in the log:\n{text}");
}

/// The token of the link in the last message `smtp` accepted.
fn link_token(smtp: &SmtpServer) -> String {
    let got = smtp.received();
    let message = s(&got.last().expect("a message")["message"]);
    // Quoted-printable soft line breaks and '=' as =3D, undone.
    let text = message.replace("=\r\n", "").replace("=3D", "=");
    let at = text.find("#token=").expect("a link") + "#token=".len();
    text[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

/// Invitations and password resets: single-use links mailed through the
/// notices' relay; a reset never says whether an address has an account.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invitations_and_resets_are_single_use_links_by_mail() {
    let ca = TestCa::new();
    let smtp = SmtpServer::start("starttls", &ca);
    let srv = mailing(&smtp, SmtpTls::Starttls, PASSWORD).await;
    let admin = srv.admin.clone();
    let made = srv
        .post_ok(
            "/v1/accounts",
            &admin,
            json!({"name": "Ivy", "email": "ivy@example.com", "grants": [{"role": "auditor"}]}),
            201,
        )
        .await;
    let id = s(&made["account"]["id"]);
    let login = |password: &'static str| {
        let srv = &srv;
        async move {
            let body = json!({"email": "ivy@example.com", "password": password});
            srv.call("POST", "/v1/session", None, Some(body)).await.0
        }
    };
    assert_eq!(login("no password yet!").await, 401);

    // The invitation: mailed to the account, its link sets the first password once.
    let sent = srv
        .post_ok(
            &format!("/v1/accounts/{id}/invitation"),
            &admin,
            json!(null),
            201,
        )
        .await;
    assert_eq!(sent["sent_to"], "ivy@example.com");
    let got = smtp.received();
    assert_eq!(got[0]["rcpt_tos"], json!(["ivy@example.com"]));
    assert!(s(&got[0]["message"]).contains("https://licentia.example/set-password"));
    let token = link_token(&smtp);
    let set = |token: String, password: &'static str| {
        let srv = &srv;
        async move {
            let body = json!({"token": token, "password": password});
            srv.call("POST", "/v1/password", None, Some(body)).await
        }
    };
    assert_eq!(set(token.clone(), "short").await.0, 422);
    let (status, account) = set(token.clone(), "first password, long").await;
    assert_eq!((status, s(&account["id"])), (200, id.clone()));
    let (status, problem) = set(token, "second password, long").await;
    assert_eq!(
        (status, s(&problem["type"]).ends_with("link_invalid")),
        (400, true)
    );
    assert_eq!(login("first password, long").await, 200);

    // A reset: the same answer for an unknown address, and no message.
    let ask = |email: &'static str| {
        let srv = &srv;
        async move {
            srv.call(
                "POST",
                "/v1/password-reset",
                None,
                Some(json!({"email": email})),
            )
            .await
        }
    };
    let before = smtp.received().len();
    let unknown = ask("nobody@example.com").await;
    assert_eq!(unknown, (200, json!({"accepted": true})));
    assert_eq!(smtp.received().len(), before);
    assert_eq!(ask("IVY@example.com").await, unknown);
    assert_eq!(smtp.received().len(), before + 1);
    let (status, _) = set(link_token(&smtp), "a brand new password").await;
    assert_eq!(status, 200);
    assert_eq!(login("first password, long").await, 401);
    assert_eq!(login("a brand new password").await, 200);
    assert_eq!(set("made-up".into(), "a brand new password").await.0, 400);
    srv.stop().await;
}
