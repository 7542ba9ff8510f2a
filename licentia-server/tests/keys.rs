//! Key rotation and retirement across server instances sharing one database:
//! a rotation on one instance is signed with by the others without a
//! restart, and a retired key is named by every revocation list. On SQLite
//! (two instances on one file), and on PostgreSQL when
//! `LICENTIA_TEST_POSTGRES` is set, where the second instance starts on a
//! fresh, empty data directory: from the database URL and the
//! key-encryption key alone, as another machine would.

mod support;

use licentia::{Context, PublicKey, Rule, State, Timestamp, UnverifiedLicense, Verifier};
use serde_json::{json, Value};
use support::{base_of, items, s, Backend, Server};

const PRODUCT: &str = "keyring";

/// The key id that signed a license file.
fn signer(file: &str) -> String {
    UnverifiedLicense::parse(file).unwrap().key_id().to_string()
}

/// `GET /v1/keys` on `base`: (active key record, every listed record, retired ids).
async fn keys(srv: &Server, base: &str) -> (Value, Vec<Value>, Vec<String>) {
    let (status, keys) = srv.call_at(base, "GET", "/v1/keys", None, None, &[]).await;
    assert_eq!(status, 200, "{keys}");
    let items = items(&keys).clone();
    let active = items
        .iter()
        .find(|k| k["state"] == "active")
        .expect("one active key")
        .clone();
    let retired = keys["retired"].as_array().unwrap().iter().map(s).collect();
    (active, items, retired)
}

/// Issues a license on the instance at `base`; returns its file.
async fn issue_at(srv: &Server, base: &str, token: &str, policy: &str) -> String {
    let (status, v) = srv
        .call_at(
            base,
            "POST",
            "/v1/licenses",
            Some(token),
            Some(json!({"policy_id": policy, "licensee": "Jane Doe"})),
            &[],
        )
        .await;
    assert_eq!(status, 201, "{v}");
    s(&v["license"]["file"])
}

async fn rotation_and_retirement(backend: Backend) {
    let srv = Server::start(backend).await;
    let a = srv.base.clone();
    let second = srv.another_instance().await;
    let b = base_of(&second);
    if srv.pg.is_some() {
        let theirs = &srv.elsewhere.lock().unwrap()[0];
        assert_eq!(
            std::fs::read_dir(theirs.path()).unwrap().count(),
            0,
            "the second instance needed no file of its own"
        );
    }
    let admin = srv.admin.clone();
    let policy = srv
        .policy(
            &admin,
            PRODUCT,
            json!({"name": "standard", "binding": "unbound"}),
        )
        .await;

    // Before any rotation both instances sign with the first key.
    let (first, _, retired) = keys(&srv, &b).await;
    let k1 = s(&first["key_id"]);
    assert!(retired.is_empty());
    let old_file = issue_at(&srv, &b, &admin, &policy).await;
    assert_eq!(signer(&old_file), k1);

    // Rotate on A; B, which was not restarted, signs with the new key.
    let (status, _) = srv
        .call_at(&a, "POST", "/v1/keys/rotate", Some(&admin), None, &[])
        .await;
    assert_eq!(status, 201);
    let (second_key, listed, _) = keys(&srv, &b).await;
    let k2 = s(&second_key["key_id"]);
    assert_ne!(k1, k2);
    assert_eq!(listed.len(), 2, "the old key stays trusted until retired");
    let new_file = issue_at(&srv, &b, &admin, &policy).await;
    assert_eq!(signer(&new_file), k2, "instance B noticed A's rotation");
    let new_key = PublicKey::from_pem(&s(&second_key["public_pem"])).unwrap();
    assert!(Verifier::new([new_key.clone()]).verify(&new_file).is_ok());

    // Retiring: admin only, never the active key, never an unknown key.
    let retire = |id: &str| format!("/v1/keys/{id}/retire");
    for role in ["issuer", "finance", "auditor"] {
        let token = srv.token(role).await;
        let (status, body) = srv
            .call_at(&b, "POST", &retire(&k1), Some(&token), None, &[])
            .await;
        assert_eq!(status, 403, "{role}: {body}");
    }
    assert_eq!(
        srv.call_at(&b, "POST", &retire(&k1), None, None, &[])
            .await
            .0,
        401
    );
    let (status, body) = srv
        .call_at(&a, "POST", &retire(&k2), Some(&admin), None, &[])
        .await;
    assert_eq!(status, 409, "{body}");
    assert!(s(&body["type"]).ends_with("key_active"), "{body}");
    let (status, _) = srv
        .call_at(
            &a,
            "POST",
            &retire("00112233445566ff"),
            Some(&admin),
            None,
            &[],
        )
        .await;
    assert_eq!(status, 404);

    // Retire the old key on B; A publishes it as no longer trusted.
    let (status, body) = srv
        .call_at(&b, "POST", &retire(&k1), Some(&admin), None, &[])
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = srv
        .call_at(&a, "POST", &retire(&k1), Some(&admin), None, &[])
        .await;
    assert_eq!(status, 409, "retired once: {body}");
    assert!(s(&body["type"]).ends_with("key_retired"), "{body}");
    let (active, listed, retired) = keys(&srv, &a).await;
    assert_eq!(s(&active["key_id"]), k2);
    assert_eq!(
        listed.len(),
        1,
        "a retired key is no longer listed as trusted"
    );
    assert_eq!(retired, vec![k1.clone()]);

    // It is in the history, with who retired it.
    let (status, page) = srv
        .call_at(
            &a,
            "GET",
            "/v1/history?operation=key.retire",
            Some(&admin),
            None,
            &[],
        )
        .await;
    assert_eq!(status, 200, "{page}");
    let entries = items(&page);
    assert_eq!(entries.len(), 1, "{page}");
    assert_eq!(entries[0]["subject"], json!(k1));
    assert!(s(&entries[0]["actor"]).starts_with("token:"), "{page}");

    // A product that still trusts both keys learns from the revocation list
    // (fetched from A) that what the old key signed is revoked (rule 102).
    let (status, list) = srv
        .call_at(
            &a,
            "GET",
            &format!("/v1/revocation-list?product={PRODUCT}"),
            None,
            None,
            &[],
        )
        .await;
    assert_eq!(status, 200, "{list}");
    let old_key = PublicKey::from_pem(&s(&first["public_pem"])).unwrap();
    let field = Verifier::new([old_key, new_key]);
    let revocations = field
        .verify_revocation_list(&s(&list["document"]), PRODUCT)
        .unwrap();
    assert!(list["sequence"].as_i64().unwrap() >= 1);
    let ctx = Context::new(Timestamp::now(), PRODUCT).revocations(&revocations);
    let old = field.verify(&old_file).unwrap();
    let report = old.check(&ctx);
    assert_eq!(report.state, State::Invalid);
    assert!(report.has(Rule::Revoked), "{:?}", report.findings);
    let new = field.verify(&new_file).unwrap();
    let report = new.check(&ctx);
    assert_eq!(report.state, State::Valid, "{:?}", report.findings);

    // Both instances go on signing with the active key only.
    for base in [&a, &b] {
        let file = issue_at(&srv, base, &admin, &policy).await;
        assert_eq!(signer(&file), k2);
    }

    // Rotations racing on both instances: each one either wins or is told
    // to try again (409); one key ends active, and every rollover statement
    // was signed by the key it replaced.
    let rotate = |base: &str| {
        let base = base.to_owned();
        let admin = admin.clone();
        let srv = &srv;
        async move {
            srv.call_at(&base, "POST", "/v1/keys/rotate", Some(&admin), None, &[])
                .await
        }
    };
    let raced = tokio::join!(rotate(&a), rotate(&b), rotate(&a), rotate(&b));
    let mut won = 0;
    for (status, body) in [raced.0, raced.1, raced.2, raced.3] {
        match status {
            201 => won += 1,
            409 => assert!(s(&body["type"]).ends_with("key_rotated"), "{body}"),
            _ => panic!("{status} {body}"),
        }
    }
    assert!(won >= 1);
    let (active, listed, _) = keys(&srv, &a).await;
    assert_eq!(listed.len(), 1 + won, "k2 and each winner");
    let mut field = Verifier::new([PublicKey::from_pem(&s(&second_key["public_pem"])).unwrap()]);
    // Keys made in the same second list in any order: follow the chain.
    let mut pending: Vec<&Value> = listed.iter().filter(|k| k["key_id"] != json!(k2)).collect();
    while !pending.is_empty() {
        let before = pending.len();
        pending.retain(|k| field.accept_rollover(&s(&k["rollover"])).is_err());
        assert!(
            pending.len() < before,
            "a rollover no trusted key signed: {pending:?}"
        );
    }
    let file = issue_at(&srv, &b, &admin, &policy).await;
    assert_eq!(signer(&file), s(&active["key_id"]));
    assert!(field.verify(&file).is_ok());

    second.stop().await.unwrap();
    srv.stop().await;
}

support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    rotation_and_retirement =>
        rotation_and_retirement_across_instances_on_sqlite,
        rotation_and_retirement_across_instances_on_postgres
}
