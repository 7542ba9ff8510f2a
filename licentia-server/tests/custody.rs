//! Secrets at rest, on a real server: the signing keys' private halves are
//! in the database only sealed under the key-encryption key (KEK); two
//! instances sharing a database and a KEK sign with a key the other rotated
//! in; a wrong KEK is refused at start; a key file an earlier version left
//! is sealed in and still verifies its licenses; stored idempotent answers
//! open only with a key derived from the KEK. With a PKCS#11 token (SoftHSM2
//! here), new keys are made in it, never leave it, and sign from it.

mod support;

use std::path::Path;

use licentia::{SigningKey, Verifier};
use licentia_server::custody::{Kek, Sealer};
use licentia_server::{launch_with_listener, Config};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use sqlx::Row;
use support::softhsm::{self, TOKEN, USER_PIN};
use support::{s, Backend, Server};

/// Every row of `table`, each column as text: what a dump of it shows.
async fn dump(config: &Config, table: &str) -> String {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&config.database_url())
        .await
        .unwrap();
    let rows = sqlx::query(&format!("SELECT * FROM {table}"))
        .fetch_all(&pool)
        .await
        .unwrap();
    let mut text = String::new();
    for row in &rows {
        for i in 0..sqlx::Row::len(row) {
            let cell: Option<String> = row.try_get(i).ok().flatten();
            text.push_str(&cell.unwrap_or_default());
            text.push('\t');
        }
        text.push('\n');
    }
    pool.close().await;
    text
}

/// Issues a license at `base`; its signed file.
async fn issue_at(srv: &Server, base: &str, policy: &str) -> String {
    let (status, v) = srv
        .call_at(
            base,
            "POST",
            "/v1/licenses",
            Some(&srv.admin),
            Some(json!({"policy_id": policy, "licensee": "Jane Doe"})),
            &[],
        )
        .await;
    assert_eq!(status, 201, "{v}");
    s(&v["license"]["file"])
}

/// The key id that signed `file`.
fn signer(file: &str) -> String {
    licentia::UnverifiedLicense::parse(file)
        .unwrap()
        .key_id()
        .to_string()
}

/// A server on `backend` with a product `code` and an unbound policy of it.
async fn started_with_policy(backend: Backend, code: &str) -> (Server, String) {
    let srv = Server::start(backend).await;
    let policy = srv
        .policy(&srv.admin, code, json!({"name": "p", "binding": "unbound"}))
        .await;
    (srv, policy)
}

async fn keys_live_sealed_in_the_database(backend: Backend) {
    let (srv, policy) = started_with_policy(backend, "kek-cad").await;

    // A second instance on the same database and KEK, with a data
    // directory of its own that holds nothing.
    let elsewhere = tempfile::tempdir().unwrap();
    let second_config = Config {
        data_dir: elsewhere.path().to_path_buf(),
        database_url: Some(srv.config.database_url().into()),
        kek: srv.config.kek.clone().or_else(|| {
            // SQLite: the KEK the first start made in its data directory.
            Some(
                std::fs::read_to_string(srv.dir.path().join("kek"))
                    .unwrap()
                    .into(),
            )
        }),
        ..srv.config.clone()
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let second = launch_with_listener(second_config, listener).await.unwrap();
    let b = format!("http://{}", second.addr);

    // The first rotates; the second signs with the new key at once.
    let first_file = issue_at(&srv, &b, &policy).await;
    let rotated = srv
        .post_ok("/v1/keys/rotate", &srv.admin, json!({}), 201)
        .await;
    let active = rotated["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["state"] == "active")
        .map(|k| s(&k["key_id"]))
        .unwrap();
    assert_ne!(signer(&first_file), active);
    let file = issue_at(&srv, &b, &policy).await;
    assert_eq!(
        signer(&file),
        active,
        "signed with the key the other rotated in"
    );
    assert!(
        std::fs::read_dir(elsewhere.path())
            .unwrap()
            .all(|e| e.unwrap().file_name() != "keys"),
        "the second instance wrote no key file"
    );

    // A dump of the keys' table holds no private key: no PEM, and the
    // sealed values do not open without the KEK.
    let table = dump(&srv.config, "signing_keys").await;
    assert!(!table.contains("PRIVATE KEY"), "{table}");
    assert_eq!(table.matches("x1.").count(), 2, "both keys sealed: {table}");
    let guessed = Sealer::new([0; 32]);
    for sealed in table.split(['\t', '\n']).filter(|c| c.starts_with("x1.")) {
        assert!(guessed.open(active.as_bytes(), sealed).is_none());
    }
    second.stop().await.unwrap();
    srv.stop().await;
}

support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    keys_live_sealed_in_the_database => sealed_keys_shared_sqlite, sealed_keys_shared_postgres
}

/// Starts a server on `config`; the error it refuses with, if it does.
async fn start_error(config: Config) -> Option<String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    match launch_with_listener(config, listener).await {
        Ok(running) => {
            running.stop().await.unwrap();
            None
        }
        Err(e) => Some(e),
    }
}

#[tokio::test]
async fn a_wrong_or_missing_kek_is_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let config = support::config(dir.path(), None);
    assert_eq!(
        start_error(config.clone()).await,
        None,
        "the first start makes a KEK"
    );
    let kek_file = dir.path().join("kek");
    assert_eq!(mode(&kek_file), 0o600);

    let wrong = Config {
        // Another 32 bytes than the ones the first start made.
        kek: Some("AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=".into()),
        ..config.clone()
    };
    let secret = wrong.kek.clone().unwrap().expose().to_owned();
    assert!(!format!("{wrong:?}").contains(&secret), "redacted in Debug");
    let refused = start_error(wrong).await.expect("a wrong KEK is refused");
    assert!(!refused.contains(&secret));
    assert!(refused.contains("does not open signing key"), "{refused}");

    let short = Config {
        kek: Some("c2hvcnQ=".into()),
        ..config.clone()
    };
    let refused = start_error(short).await.unwrap();
    assert!(refused.contains("32 bytes"), "{refused}");

    // A KEK file others may read is refused.
    let open_file = dir.path().join("kek-open");
    std::fs::write(&open_file, std::fs::read(&kek_file).unwrap()).unwrap();
    set_mode(&open_file, 0o644);
    let loose = Config {
        kek_file: Some(open_file.clone()),
        ..config.clone()
    };
    assert!(start_error(loose).await.is_some());
    set_mode(&open_file, 0o600);
    let tight = Config {
        kek_file: Some(open_file),
        ..config.clone()
    };
    assert_eq!(
        start_error(tight).await,
        None,
        "the same KEK from a 0600 file"
    );

    // PostgreSQL with no KEK: refused before anything is served.
    if let Some(db) = support::PgDb::create("custody_no_kek").await {
        let pg = Config {
            kek: None,
            ..support::config(dir.path(), Some(db.url()))
        };
        let refused = start_error(pg).await.unwrap();
        assert!(refused.contains("kek_file"), "{refused}");
    }
}

#[tokio::test]
async fn a_legacy_key_file_is_sealed_in_and_still_verifies() {
    // An earlier version's data directory: the key in keys/<id>.pem, and
    // only its public half in the database.
    let dir = tempfile::tempdir().unwrap();
    let config = support::config(dir.path(), None);
    let legacy = SigningKey::from_seed(&[42; 32]);
    let key_id = legacy.key_id().to_string();
    let old_license = {
        let srv = Server::start_with(config.clone(), tempfile::tempdir().unwrap(), None).await;
        srv.stop().await;
        // Make the database what the earlier version left: the legacy key
        // active, its private half only in its file.
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&config.database_url())
            .await
            .unwrap();
        for sql in [
            "DELETE FROM signing_keys".to_owned(),
            format!(
                "INSERT INTO signing_keys (key_id, public_pem, state, created_at) \
                 VALUES ('{key_id}', '{}', 'active', 1)",
                legacy.public_key().to_pem()
            ),
        ] {
            sqlx::query(&sql).execute(&pool).await.unwrap();
        }
        pool.close().await;
        std::fs::create_dir_all(config.key_dir()).unwrap();
        legacy
            .save(config.key_dir().join(format!("{key_id}.pem")))
            .unwrap();
        let issuer = licentia::Issuer::new(legacy.clone());
        let spec = licentia::spec::LicenseSpec {
            product: Some("legacy-cad".into()),
            licensee: Some("Old Timer".into()),
            ..Default::default()
        };
        issuer.issue(&spec.to_body().unwrap()).unwrap().to_armor()
    };

    // The new version starts: the file is sealed in and renamed.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let running = launch_with_listener(config.clone(), listener)
        .await
        .unwrap();
    let pem = config.key_dir().join(format!("{key_id}.pem"));
    assert!(!pem.exists(), "the file is no longer read");
    assert!(pem.with_extension("pem.migrated").exists());
    let base = format!("http://{}", running.addr);
    let client = reqwest::Client::new();
    let keys: Value = client
        .get(format!("{base}/v1/keys"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let public = licentia::PublicKey::from_pem(&s(&keys["items"][0]["public_pem"])).unwrap();
    let verifier = Verifier::new([public]);
    assert!(
        verifier.verify(&old_license).is_ok(),
        "old licenses still verify"
    );
    running.stop().await.unwrap();

    // The database alone now holds the key, and no byte of it in the clear.
    std::fs::remove_file(pem.with_extension("pem.migrated")).unwrap();
    let table = dump(&config, "signing_keys").await;
    let seed_hex = support::hex(&[42; 32]);
    assert!(!table.contains(&seed_hex) && !table.contains("PRIVATE KEY"));
    let db = std::fs::read(dir.path().join("licentia.db")).unwrap();
    assert!(
        !db.windows(32).any(|w| w == [42; 32]),
        "no raw seed in the file"
    );
    assert_eq!(
        start_error(config).await,
        None,
        "starts from the database alone"
    );
}

async fn idempotent_answers_sealed_under_the_kek(backend: Backend) {
    let (srv, policy) = started_with_policy(backend, "idem-cad").await;
    let idem = "guessable-1";
    let body = json!({"policy_id": policy, "licensee": "Jane Doe"});
    let headers = [("Idempotency-Key", idem)];
    let send = || {
        srv.call_at(
            &srv.base,
            "POST",
            "/v1/licenses",
            Some(&srv.admin),
            Some(body.clone()),
            &headers,
        )
    };
    let (status, first) = send().await;
    assert_eq!(status, 201);
    let (status, again) = send().await;
    assert_eq!(
        (status, &again),
        (201, &first),
        "replays answer identically"
    );

    let table = dump(&srv.config, "idempotency_keys").await;
    let license_key = s(&first["license_key"]);
    assert!(!table.contains(&license_key), "{table}");
    let sealed = table
        .split(['\t', '\n'])
        .find(|c| c.starts_with("x1."))
        .expect("a sealed answer")
        .to_owned();
    // Whatever the scope, a key derived from the Idempotency-Key alone
    // opens nothing; the one derived from the KEK does.
    let scope_row = table.split('\t').next().unwrap().to_owned();
    let from_idem: [u8; 32] = Sha256::digest(idem.as_bytes()).into();
    assert!(Sealer::new(from_idem)
        .open(scope_row.as_bytes(), &sealed)
        .is_none());
    let kek_text = srv.config.kek.clone().unwrap_or_else(|| {
        std::fs::read_to_string(srv.dir.path().join("kek"))
            .unwrap()
            .into()
    });
    let kek = Kek::from_base64(kek_text.expose()).unwrap();
    let opened = kek
        .idempotency()
        .open(scope_row.as_bytes(), &sealed)
        .expect("sealed under the key derived from the KEK");
    let opened: Value = serde_json::from_slice(&opened).unwrap();
    assert_eq!(opened["license_key"], first["license_key"]);
    srv.stop().await;
}

support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    idempotent_answers_sealed_under_the_kek => idempotent_answers_sealed_sqlite, idempotent_answers_sealed_postgres
}

fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// Keeps `config`'s new signing keys in the test token.
fn in_token(config: &mut Config) {
    config.pkcs11_module = Some(softhsm::token().module.clone());
    config.pkcs11_token = Some(TOKEN.into());
    config.pkcs11_pin = Some(USER_PIN.into());
}

/// Whether the token's private key `key_id` is sensitive and whether it is
/// extractable, as the token itself answers.
fn private_key_in_token(key_id: &str) -> Option<(bool, bool)> {
    use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
    use cryptoki::object::{Attribute, AttributeType, ObjectClass};

    let pkcs11 = Pkcs11::new(&softhsm::token().module).unwrap();
    // The server in this process may have initialized it already.
    let _ = pkcs11.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK));
    let slot = pkcs11
        .get_slots_with_initialized_token()
        .unwrap()
        .into_iter()
        .find(|slot| pkcs11.get_token_info(*slot).unwrap().label() == TOKEN)
        .unwrap();
    let session = pkcs11.open_ro_session(slot).unwrap();
    let _ = session.login(
        cryptoki::session::UserType::User,
        Some(&cryptoki::types::AuthPin::new(USER_PIN.into())),
    );
    let found = session
        .find_objects(&[
            Attribute::Class(ObjectClass::PRIVATE_KEY),
            Attribute::Id(key_id.as_bytes().to_vec()),
        ])
        .unwrap();
    let key = *found.first()?;
    let flags = session
        .get_attributes(key, &[AttributeType::Sensitive, AttributeType::Extractable])
        .unwrap();
    let flag = |wanted: AttributeType| {
        flags.iter().any(|a| match a {
            Attribute::Sensitive(on) => wanted == AttributeType::Sensitive && *on,
            Attribute::Extractable(on) => wanted == AttributeType::Extractable && *on,
            _ => false,
        })
    };
    Some((
        flag(AttributeType::Sensitive),
        flag(AttributeType::Extractable),
    ))
}

async fn keys_live_in_the_token(backend: Backend) {
    let srv = Server::start_configured(backend, in_token).await;
    let policy = srv
        .policy(
            &srv.admin,
            "hsm-cad",
            json!({"name": "p", "binding": "unbound"}),
        )
        .await;
    let first = issue_at(&srv, &srv.base, &policy).await;
    let first_key = signer(&first);
    assert_eq!(
        private_key_in_token(&first_key),
        Some((true, false)),
        "the first key was made in the token, sensitive and never extractable"
    );
    srv.verifier().await.verify(&first).unwrap();

    // The database keeps a reference, no private key, nothing sealed.
    let table = dump(&srv.config, "signing_keys").await;
    assert!(table.contains("pkcs11:token"), "{table}");
    assert!(
        !table.contains("PRIVATE KEY") && !table.contains("x1."),
        "{table}"
    );

    // A rotation makes the next key in the token too; the old one endorses it.
    srv.post_ok("/v1/keys/rotate", &srv.admin, json!({}), 201)
        .await;
    let second = issue_at(&srv, &srv.base, &policy).await;
    let second_key = signer(&second);
    assert_ne!(second_key, first_key);
    assert_eq!(private_key_in_token(&second_key), Some((true, false)));
    let verifier = srv.verifier().await;
    verifier.verify(&first).unwrap();
    verifier.verify(&second).unwrap();
    srv.stop().await;
}

support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    keys_live_in_the_token => keys_in_the_token_sqlite, keys_in_the_token_postgres
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sealed_key_keeps_signing_until_a_rotation_moves_signing_into_the_token() {
    let (srv, policy) = started_with_policy(Backend::Sqlite, "move-cad").await;
    let sealed = issue_at(&srv, &srv.base, &policy).await;

    // The same database and data directory (its KEK), now with the token.
    let mut config = srv.config.clone();
    in_token(&mut config);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let with_token = launch_with_listener(config.clone(), listener)
        .await
        .unwrap();
    let b = support::base_of(&with_token);
    let still = issue_at(&srv, &b, &policy).await;
    assert_eq!(
        signer(&still),
        signer(&sealed),
        "the sealed key still signs"
    );
    assert_eq!(private_key_in_token(&signer(&sealed)), None);

    let (status, v) = srv
        .call_at(
            &b,
            "POST",
            "/v1/keys/rotate",
            Some(&srv.admin),
            Some(json!({})),
            &[],
        )
        .await;
    assert_eq!(status, 201, "{v}");
    let moved = issue_at(&srv, &b, &policy).await;
    assert_eq!(private_key_in_token(&signer(&moved)), Some((true, false)));
    let verifier = srv.verifier().await;
    verifier.verify(&sealed).unwrap();
    verifier.verify(&moved).unwrap();
    with_token.stop().await.unwrap();

    // Without the token, a database whose active key lives in it is refused
    // with what to set; so are a label the module lacks and a missing PIN.
    let broken = [
        (
            Config {
                pkcs11_module: None,
                ..config.clone()
            },
            "lives in a PKCS#11 token",
        ),
        (
            Config {
                pkcs11_token: Some("no-such-token".into()),
                ..config.clone()
            },
            "no token labelled \"no-such-token\"",
        ),
        (
            Config {
                pkcs11_pin: None,
                ..config.clone()
            },
            "set pkcs11_pin",
        ),
    ];
    for (broken, says) in broken {
        let refused = start_error(broken).await.expect("refused at start");
        assert!(refused.contains(says), "{refused}");
    }
    assert!(
        !format!("{config:?}").contains(USER_PIN),
        "the PIN is redacted"
    );
    srv.stop().await;
}
