//! The product's online half against a real `licentia serve` over HTTPS
//! (a CA the test makes): activate, check in, a second machine refused
//! while the seat is taken, deactivate and move, a floating lease held and
//! given back; the server stopped mid-way gives the offline report with its
//! grace, and the server back makes the check-in succeed again.

mod support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use licentia::client::Client;
use licentia::{Error, PublicKey, Timestamp, UsageTotal, DAY};
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

/// The id of machine `n`'s live activation of `license_id`.
async fn activation_of(srv: &Server, license_id: &str, n: usize) -> String {
    let list = srv
        .get(
            &format!("/v1/licenses/{license_id}/activations"),
            &srv.admin,
        )
        .await;
    let fingerprint = machine("cad", n).to_string();
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["fingerprint"] == fingerprint.as_str() && a["deactivated_at"].is_null())
        .map(|a| s(&a["id"]))
        .expect("a live activation")
}

async fn a_machine_deactivated_is_refused_offline_once_the_list_is_applied(backend: Backend) {
    let policy = json!({"name": "two", "seats": 2});
    let (srv, product, (license_id, key)) = serving(backend, policy).await;
    let (first, second) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (p, k, one, two) = (
        product.clone(),
        key.clone(),
        first.path().to_owned(),
        second.path().to_owned(),
    );
    let before = blocking(move || {
        assert!(p.client(1, &one).activate(&k).unwrap().online);
        assert!(p.client(2, &two).activate(&k).unwrap().online);
        p.client(1, &one).refresh_revocations().unwrap().sequence
    })
    .await;

    // Staff give machine 1's seat back from the back office; the machine,
    // offline, still holds its file.
    let id = activation_of(&srv, &license_id, 1).await;
    let (status, v) = srv
        .call(
            "DELETE",
            &format!("/v1/activations/{id}"),
            Some(&srv.admin),
            None,
        )
        .await;
    assert_eq!(status, 200, "{v}");

    let (p, one, two) = (
        product.clone(),
        first.path().to_owned(),
        second.path().to_owned(),
    );
    let k = key.clone();
    blocking(move || {
        let gone = p.client(1, &one);
        assert!(
            gone.status().unwrap().unwrap().report.is_valid(),
            "no list yet"
        );
        let list = gone.refresh_revocations().unwrap();
        assert!(list.sequence > before, "a deactivation makes a new list");
        assert_eq!(list.released.len(), 1, "{:?}", list.released);
        let report = gone.status().unwrap().unwrap().report;
        assert!(!report.is_valid());
        assert!(report.has(licentia::Rule::MachineReleased), "{report}");
        // The same license on the other machine holds with the list.
        let kept = p.client(2, &two);
        kept.refresh_revocations().unwrap();
        assert!(kept.status().unwrap().unwrap().report.is_valid());
        // An older list never replaces the newer one held.
        let held = gone.revocations_text().unwrap().unwrap();
        assert_eq!(
            gone.apply_revocations(&held).unwrap().sequence,
            list.sequence
        );
        // Activated again (within the same second, likely), the machine
        // holds a file signed after the release: it holds with the list.
        assert!(gone.activate(&k).unwrap().report.is_valid());
        gone.refresh_revocations().unwrap();
        assert!(gone.status().unwrap().unwrap().report.is_valid());
    })
    .await;
    srv.stop().await;
}

support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    a_machine_deactivated_is_refused_offline_once_the_list_is_applied => released_sqlite, released_postgres
}

async fn offline_deactivation_round_trips_through_files(backend: Backend) {
    let (srv, base, ca) = https_server_on(backend).await;
    let policy = srv
        .policy(&srv.admin, "cad", json!({"name": "one", "seats": 1}))
        .await;
    let (license_id, key) = srv.issue(&srv.admin, &policy).await;
    let (_, other_key) = srv.issue(&srv.admin, &policy).await;
    let product = Product {
        base,
        ca,
        keys: published_keys(&srv).await,
    };
    let (first, second, files) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    let (p, one, two, out) = (
        product.clone(),
        first.path().to_owned(),
        second.path().to_owned(),
        files.path().to_owned(),
    );
    let (k, ok) = (key.clone(), other_key.clone());
    blocking(move || {
        let client = p.client(1, &one);
        client.activate(&k).unwrap();
        // Machine 1 also holds the other license, in its own store.
        p.client(1, &two).activate(&ok).unwrap();
        // No connection: the product writes its request and deletes the file.
        let request = client.deactivate_offline().unwrap();
        assert!(request.starts_with("-----BEGIN LICENTIA DEACTIVATION REQUEST-----"));
        assert!(client.status().unwrap().is_none(), "the file is gone");
        assert!(!one.join("license.lic").exists());
        assert_eq!(client.deactivate_offline().unwrap(), request, "asked again");
        std::fs::write(out.join("machine1.request"), &request).unwrap();
        let other = p.client(1, &two).deactivate_offline().unwrap();
        std::fs::write(out.join("other.request"), &other).unwrap();
    })
    .await;

    // The back office frees the seat and signs a receipt.
    let request = std::fs::read_to_string(files.path().join("machine1.request")).unwrap();
    let v = srv
        .post_ok(
            "/v1/deactivations/offline",
            &srv.admin,
            json!({ "request": request }),
            200,
        )
        .await;
    let receipt = s(&v["receipt"]);
    assert!(receipt.starts_with("-----BEGIN LICENTIA DEACTIVATION RECEIPT-----"));
    let license = srv
        .get(&format!("/v1/licenses/{license_id}"), &srv.admin)
        .await;
    assert_eq!(license["seats_used"], 0, "{license}");
    // The same request again (a lost answer): the same receipt.
    let again = srv
        .post_ok(
            "/v1/deactivations/offline",
            &srv.admin,
            json!({ "request": request }),
            200,
        )
        .await;
    assert_eq!(s(&again["receipt"]), receipt);
    // Garbage is a clear 422, and a product's license key is not staff.
    let (status, v) = srv
        .call(
            "POST",
            "/v1/deactivations/offline",
            Some(&srv.admin),
            Some(json!({"request": "hello"})),
        )
        .await;
    assert_eq!(status, 422, "{v}");
    std::fs::write(files.path().join("machine1.receipt"), &receipt).unwrap();

    let (p, one, two, out) = (
        product.clone(),
        first.path().to_owned(),
        second.path().to_owned(),
        files.path().to_owned(),
    );
    let k = key.clone();
    blocking(move || {
        let receipt = std::fs::read_to_string(out.join("machine1.receipt")).unwrap();
        // Refused for the other license's request, which stays pending.
        let other = p.client(1, &two);
        assert!(matches!(
            other.accept_deactivation_receipt(&receipt),
            Err(Error::ReceiptMismatch(_))
        ));
        assert!(other.pending_deactivation().unwrap().is_some());
        // Accepted for its own; the seat is free for the machine again.
        let client = p.client(1, &one);
        let accepted = client.accept_deactivation_receipt(&receipt).unwrap();
        assert_eq!(accepted.fingerprint, machine("cad", 1));
        assert!(client.pending_deactivation().unwrap().is_none());
        assert!(client.activate(&k).unwrap().online);
    })
    .await;
    srv.stop().await;
}

support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    offline_deactivation_round_trips_through_files => offline_deactivation_sqlite, offline_deactivation_postgres
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pinned_client_connects_to_its_server_only() {
    use rustls_pki_types::pem::PemObject;
    use sha2::Digest;
    let (srv, product, (_, key)) = serving(Backend::Sqlite, json!({"name": "p", "seats": 2})).await;
    let cert =
        rustls_pki_types::CertificateDer::from_pem_file(srv.dir.path().join("cert.pem")).unwrap();
    let pin: [u8; 32] = sha2::Sha256::digest(cert.as_ref()).into();
    let (right, wrong) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (r, w) = (right.path().to_owned(), wrong.path().to_owned());
    blocking(move || {
        let pinned = |n, store: &Path, pin: [u8; 32]| {
            Client::builder(&product.base, "cad", product.keys.clone())
                .store(store)
                .ca_file(&product.ca)
                .pin_certificate(pin)
                .machine(machine("cad", n))
                .timeout(Duration::from_secs(5))
                .retries(0, Duration::ZERO)
                .build()
                .unwrap()
        };
        let hex: String = pin.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(licentia::client::parse_pin(&hex).unwrap(), pin);
        assert!(pinned(1, &r, pin).activate(&key).unwrap().online);
        let mut other = pin;
        other[0] ^= 1;
        let stranger = pinned(2, &w, other);
        match stranger.activate(&key) {
            Err(Error::Unreachable(m)) => assert!(m.contains("pinned"), "{m}"),
            other => panic!("{other:?}"),
        }
        assert!(stranger.status().unwrap().is_none());
        assert_eq!(std::fs::read_dir(&w).unwrap().count(), 0, "nothing kept");
    })
    .await;
    srv.stop().await;
}

/// The product counts its consumption: a batch retried after a lost answer
/// counts once, a batch past the quota is refused whole; its signed file
/// carries the meters (format v3); offline, it writes a report that staff
/// bring to the back office.
async fn the_product_meters_its_usage(backend: Backend) {
    let metered = json!({"name": "metered", "seats": 1, "meters": ["exports=5/month"]});
    let (srv, product, (license_id, key)) = serving(backend, metered).await;
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().to_owned();
    let report = blocking(move || {
        let client = product.client(1, &store);
        let status = client.activate(&key).unwrap();
        assert_eq!(status.license.meter("exports").unwrap().quota, 5);
        let three = [UsageTotal::new("exports", 3)];
        let after = client.record_usage(&key, "batch-1", &three).unwrap();
        assert_eq!((after[0].used, after[0].quota), (3, 5));
        let again = client.record_usage(&key, "batch-1", &three).unwrap();
        assert_eq!(again, after, "a retry counts once");
        match client.record_usage(&key, "batch-2", &three) {
            Err(Error::Refused {
                status: 409,
                problem,
                ..
            }) => assert_eq!(problem, "quota_exceeded"),
            other => panic!("{other:?}"),
        }
        let id = status.license.id;
        client
            .usage_report(id, 1, vec![UsageTotal::new("exports", 2)])
            .unwrap()
    })
    .await;
    let counted = srv
        .post_ok(
            "/v1/usage/reports",
            &srv.admin,
            json!({"report": report}),
            200,
        )
        .await;
    assert_eq!(counted["license_id"], license_id);
    assert_eq!(counted["meters"][0]["used"], 5);
    srv.stop().await;
}

support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    the_product_meters_its_usage => metering_sqlite, metering_postgres
}
