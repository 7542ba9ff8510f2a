//! The product's online half against a real `licentia serve` over HTTPS
//! (a CA the test makes): activate, check in, a second machine refused
//! while the seat is taken, deactivate and move, a floating lease held and
//! given back; the server stopped mid-way gives the offline report with its
//! grace, and the server back makes the check-in succeed again.

mod support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use licentia::client::Client;
use licentia::{Error, PublicKey, Timestamp, DAY};
use serde_json::json;
use support::tls::https_server_on;
use support::{machine, s, Backend, Server};

/// The product's view: the back office's URL, the CA it trusts, its keys.
#[derive(Clone)]
struct Product {
    base: String,
    ca: PathBuf,
    keys: Vec<PublicKey>,
}

impl Product {
    /// A client for machine `n`, keeping its files in `store`.
    fn client(&self, n: usize, store: &Path) -> Client {
        self.client_at(n, store, 0)
    }

    /// The same, on a clock `ahead` seconds ahead.
    fn client_at(&self, n: usize, store: &Path, ahead: i64) -> Client {
        Client::builder(&self.base, "cad", self.keys.clone())
            .now(move || Timestamp(Timestamp::now().0 + ahead))
            .store(store)
            .ca_file(&self.ca)
            .machine(machine("cad", n))
            .timeout(Duration::from_secs(5))
            .retries(1, Duration::from_millis(50))
            .build()
            .unwrap()
    }
}

/// The keys the server publishes.
async fn published_keys(srv: &Server) -> Vec<PublicKey> {
    let keys = srv.get("/v1/keys", &srv.admin).await;
    support::each(&keys["items"], |k| {
        PublicKey::from_pem(&s(&k["public_pem"])).unwrap()
    })
}

/// A server over HTTPS on `backend` with a product "cad" and a `policy` of
/// it; a license of that policy (id, key), and the product's view.
async fn serving(
    backend: Backend,
    policy: serde_json::Value,
) -> (Server, Product, (String, String)) {
    let (srv, base, ca) = https_server_on(backend).await;
    let policy = srv.policy(&srv.admin, "cad", policy).await;
    let license = srv.issue(&srv.admin, &policy).await;
    let product = Product {
        base,
        ca,
        keys: published_keys(&srv).await,
    };
    (srv, product, license)
}

/// Runs the client's blocking calls off the test's runtime.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f).await.unwrap()
}

async fn the_product_activates_checks_in_and_moves(backend: Backend) {
    let locked = json!({"name": "locked", "seats": 1, "check_in_days": 7, "max_offline_days": 14, "max_transfers": 1});
    let (srv, product, (license_id, key)) = serving(backend, locked).await;
    let (first, second) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (one, two) = (first.path().to_owned(), second.path().to_owned());

    let p = product.clone();
    let k = key.clone();
    blocking(move || {
        let client = p.client(1, &one);
        assert!(client.status().unwrap().is_none(), "nothing held yet");
        let status = client.activate(&k).unwrap();
        assert!(
            status.online && status.report.is_valid(),
            "{}",
            status.report
        );
        assert_eq!(mode(&one.join("license.lic")), 0o600);
        assert_eq!(mode(&one.join("activation.json")), 0o600);
        let status = client.check_in().unwrap();
        assert!(status.online, "checked in");

        // The one seat is taken: a second machine is refused, keeps nothing.
        let other = p.client(2, &two);
        match other.activate(&k) {
            Err(Error::Refused {
                status: 409,
                problem,
                ..
            }) => assert_eq!(problem, "no_seat_available"),
            other => panic!("{other:?}"),
        }
        assert!(other.status().unwrap().is_none());
        assert!(matches!(other.check_in(), Err(Error::NotActivated)));

        // The back office's view, no seat taken.
        let view = client.validate().unwrap();
        assert_eq!((view.status.as_str(), view.seats_used), ("active", 1));
        assert!(view.activated && view.refreshed.is_none(), "{view:?}");
    })
    .await;

    // New features reach the machine as a fresh file at its next validation.
    let features = format!("/v1/licenses/{license_id}/entitlements");
    let (status, v) = srv
        .call(
            "PUT",
            &features,
            Some(&srv.admin),
            Some(json!({"features": ["export"]})),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let (p, k, one, two) = (
        product.clone(),
        key.clone(),
        first.path().to_owned(),
        second.path().to_owned(),
    );
    blocking(move || {
        let (client, other) = (p.client(1, &one), p.client(2, &two));
        let view = client.validate().unwrap();
        let fresh = view.refreshed.expect("a fresh file for the new terms");
        assert!(fresh
            .license
            .body()
            .entitlement("export", Timestamp::now())
            .is_some());
        assert!(
            client.validate().unwrap().refreshed.is_none(),
            "now current"
        );

        // The first gives its machine back; the second takes the seat.
        client.deactivate().unwrap();
        assert!(client.status().unwrap().is_none());
        assert!(!one.join("license.lic").exists());
        assert!(other.activate(&k).unwrap().online);

        // One move a year, says the policy: a second is refused with the
        // day the next is allowed, and the machine keeps its activation.
        match other.deactivate() {
            Err(Error::Refused {
                status: 409,
                problem,
                detail,
            }) => assert!(problem == "transfer_limit" && detail.contains("allowed from")),
            other => panic!("{other:?}"),
        }
        assert!(other.status().unwrap().is_some());
    })
    .await;

    // The server goes away; almost eight days later (an hour short, so the
    // count of whole days left does not hang on the second the test runs
    // in) the product is still offline.
    let eight_days = 8 * DAY - 3600;
    let port = srv.running.as_ref().unwrap().addr.port();
    let (config, dir, pg) = (srv.config.clone(), tempfile::tempdir().unwrap(), None);
    let mut srv = srv;
    let data = std::mem::replace(&mut srv.dir, dir);
    let pg = std::mem::replace(&mut srv.pg, pg);
    srv.stop().await;
    let (p, two) = (product.clone(), second.path().to_owned());
    let status = blocking(move || p.client_at(2, &two, eight_days).check_in().unwrap()).await;
    assert!(!status.online, "the stored license, checked offline");
    assert!(status.offline_reason.is_some());
    assert!(status.report.is_valid(), "{}", status.report);
    assert_eq!(
        status.grace_days_left(),
        Some(13),
        "due after 7 days, 14 more allowed offline: {}",
        status.report
    );

    // The server back on its port: the check-in succeeds, and the fresh
    // file runs no grace.
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap();
    let running = licentia_server::launch_with_listener(config, listener)
        .await
        .unwrap();
    let (p, two) = (product.clone(), second.path().to_owned());
    let status = blocking(move || p.client_at(2, &two, eight_days).check_in().unwrap()).await;
    assert!(
        status.online && status.grace_days_left().is_none(),
        "{}",
        status.report
    );
    running.stop().await.unwrap();
    drop((data, pg));
}

support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    the_product_activates_checks_in_and_moves => client_story_sqlite, client_story_postgres
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_floating_seat_is_checked_out_kept_alive_and_given_back() {
    let floating =
        json!({"name": "floating", "binding": "floating", "seats": 1, "lease_ttl_secs": 600});
    let (srv, product, (_, key)) = serving(Backend::Sqlite, floating).await;
    let (first, second) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (one, two) = (first.path().to_owned(), second.path().to_owned());
    blocking(move || {
        let client = product.client(1, &one);
        let lease = client.checkout_lease(&key).unwrap();
        assert_eq!(client.lease().unwrap().unwrap().id, lease.id);
        let beat = client.heartbeat(&key).unwrap();
        assert!(beat.expires_at >= lease.expires_at);
        let other = product.client(2, &two);
        assert!(matches!(
            other.checkout_lease(&key),
            Err(Error::Refused { status: 409, .. })
        ));
        assert!(other.lease().unwrap().is_none(), "a refusal keeps nothing");
        client.return_lease(&key).unwrap();
        assert!(client.lease().unwrap().is_none());
        assert!(
            other.checkout_lease(&key).is_ok(),
            "the seat was given back"
        );
    })
    .await;
    srv.stop().await;
}

fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// A back office impostor on loopback: every request is answered `status`
/// and `body` after `delay`. Its `http://127.0.0.1:PORT` address.
async fn impostor(status: u16, body: String, delay: Duration) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((mut tcp, _)) = listener.accept().await {
            let body = body.clone();
            tokio::spawn(async move {
                let mut request = vec![0u8; 64 * 1024];
                let _ = tcp.read(&mut request).await;
                tokio::time::sleep(delay).await;
                let answer = format!(
                    "HTTP/1.1 {status} Whatever\r\ncontent-type: application/json\r\n\
                     content-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = tcp.write_all(answer.as_bytes()).await;
            });
        }
    });
    format!("http://127.0.0.1:{port}")
}

/// What activating against `base` (trusting `keys`, CA `ca`) says, and
/// whether the store still holds nothing afterwards.
async fn activate_against(base: String, keys: Vec<PublicKey>, ca: Option<PathBuf>) -> Error {
    blocking(move || {
        let store = tempfile::tempdir().unwrap();
        let mut builder = Client::builder(&base, "cad", keys)
            .store(store.path())
            .machine(machine("cad", 1))
            .timeout(Duration::from_secs(1))
            .retries(0, Duration::ZERO);
        if let Some(ca) = ca {
            builder = builder.ca_file(ca);
        }
        let client = builder.build().unwrap();
        let refused = client
            .activate("ABCDE-FGHJK-MNPQR-STVWX-YZ012-3456C")
            .unwrap_err();
        assert!(client.status().unwrap().is_none(), "nothing kept");
        assert_eq!(
            std::fs::read_dir(store.path()).unwrap().count(),
            0,
            "no file left"
        );
        refused
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_back_office_gets_a_clear_status_and_nothing_is_kept() {
    let vendor = licentia::SigningKey::generate();
    let stranger = licentia::SigningKey::generate();
    let trusted = vec![vendor.public_key().clone()];
    let answer = |file: String| {
        json!({"activation_id": "act_1", "license_id": "lic_1", "license_file": file}).to_string()
    };
    let license = |key: &licentia::SigningKey, product: &str| {
        let body = licentia::LicenseBody::builder(product, "Jane Doe")
            .build()
            .unwrap();
        licentia::Issuer::new(key.clone())
            .issue(&body)
            .unwrap()
            .to_armor()
    };
    let second = Duration::from_secs(1);

    let garbage = impostor(201, "<html>welcome</html>".into(), Duration::ZERO).await;
    let e = activate_against(garbage, trusted.clone(), None).await;
    assert!(matches!(e, Error::BadAnswer(_)), "{e:?}");

    let forged = impostor(201, answer(license(&stranger, "cad")), Duration::ZERO).await;
    let e = activate_against(forged, trusted.clone(), None).await;
    assert!(matches!(e, Error::UnknownKeyId(_)), "{e:?}");

    let elsewhere = impostor(201, answer(license(&vendor, "paint")), Duration::ZERO).await;
    let e = activate_against(elsewhere, trusted.clone(), None).await;
    assert!(
        matches!(e, Error::BadAnswer(ref m) if m.contains("paint")),
        "{e:?}"
    );

    let failing = json!({"type": "https://licentia.dev/problems/internal", "detail": "boom"});
    let failing = impostor(500, failing.to_string(), Duration::ZERO).await;
    let e = activate_against(failing, trusted.clone(), None).await;
    assert!(matches!(e, Error::Refused { status: 500, .. }), "{e:?}");

    let slow = impostor(201, answer(license(&vendor, "cad")), 10 * second).await;
    let e = activate_against(slow, trusted.clone(), None).await;
    assert!(matches!(e, Error::Unreachable(_)), "{e:?}");

    // A real back office whose certificate the product's CA did not sign.
    let (srv, base, _) = https_server_on(Backend::Sqlite).await;
    let other_ca = tempfile::tempdir().unwrap();
    let other = support::tls::make_pki(other_ca.path()).ca;
    let e = activate_against(base, published_keys(&srv).await, Some(other)).await;
    assert!(
        matches!(e, Error::Unreachable(ref m) if m.contains("TLS") || m.contains("certificate")),
        "{e:?}"
    );
    srv.stop().await;
}
