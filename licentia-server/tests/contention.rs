//! Seats hold under contention: 64 concurrent activations against a 10-seat
//! license give exactly 10 successes — on SQLite, on PostgreSQL, and with two
//! server instances sharing one PostgreSQL database.

mod support;

use serde_json::json;
use support::{at_once, base_of, granted, items, kind, machine, Backend, PgDb, Server};

const SEATS: usize = 10;
const MACHINES: usize = 64;

/// Fires the 64 activations at once, spread over `bases`; returns the statuses.
async fn race(srv: &Server, bases: &[String]) -> Vec<u16> {
    let issuer = srv.token("issuer").await;
    let policy = srv
        .policy(
            &issuer,
            "race",
            json!({"name": "ten", "binding": "node-locked", "seats": SEATS}),
        )
        .await;
    let (license_id, key) = srv.issue(&srv.admin, &policy).await;
    let shots = (0..MACHINES)
        .map(|n| {
            let body = json!({"license_key": key, "fingerprint": machine("race", n).to_string(), "platform": "test"});
            ("POST", format!("{}/v1/activations", bases[n % bases.len()]), None, body)
        })
        .collect();
    let answers = at_once(&srv.client, shots).await;
    granted(&answers, 201, "no_seat_available");
    let statuses: Vec<u16> = answers.iter().map(|(status, _)| *status).collect();
    let license = srv
        .get(&format!("/v1/licenses/{license_id}"), &issuer)
        .await;
    assert_eq!(license["seats_used"], SEATS);
    let acts = srv
        .get(
            &format!("/v1/licenses/{license_id}/activations?limit=100"),
            &issuer,
        )
        .await;
    assert_eq!(items(&acts).len(), SEATS);
    statuses
}

fn successes(statuses: &[u16]) -> usize {
    statuses.iter().filter(|s| **s == 201).count()
}

/// The 64 activations on one instance.
async fn one_instance(backend: Backend) {
    let srv = Server::start(backend).await;
    let statuses = race(&srv, std::slice::from_ref(&srv.base)).await;
    assert_eq!((successes(&statuses), statuses.len()), (SEATS, MACHINES));
    srv.stop().await;
}

support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    one_instance =>
        sixty_four_activations_ten_seats_sqlite,
        sixty_four_activations_ten_seats_postgres
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_one_postgres_database() {
    let Some(db) = PgDb::create("two_instances").await else {
        return;
    };
    let srv = Server::start(Backend::Postgres(db)).await;
    let second = srv.another_instance().await;
    let bases = [srv.base.clone(), base_of(&second)];
    let statuses = race(&srv, &bases).await;
    assert_eq!((successes(&statuses), statuses.len()), (SEATS, MACHINES));
    // Both instances appended to one unbroken history chain.
    let auditor = srv.token("auditor").await;
    assert!(srv.chain_length(&auditor, 500).await >= SEATS as i64);
    second.stop().await.unwrap();
    srv.stop().await;
}

/// A renewal and an entitlement change of one license, sent at once, round
/// after round: each either lands or is refused (409 `license_changed`,
/// "read it again"), and the license ends with every change that was
/// answered 200 — one never silently overwrites the other.
async fn terms_race(backend: Backend) {
    let srv = Server::start(backend).await;
    let issuer = srv.token("issuer").await;
    let policy = srv
        .policy(
            &issuer,
            "terms-race",
            json!({"name": "year", "duration_days": 365, "entitlements": ["base"]}),
        )
        .await;
    let (id, _) = srv.issue(&srv.admin, &policy).await;
    let mut refused = 0;
    for round in 0..20u32 {
        let expires = format!("{}-01-01T00:00:00Z", 2040 + round);
        let feature = format!("f{round}");
        let (renew_path, entitle_path) = (
            format!("/v1/licenses/{id}/renew"),
            format!("/v1/licenses/{id}/entitlements"),
        );
        let renew = srv.call(
            "POST",
            &renew_path,
            Some(&issuer),
            Some(json!({ "expires": expires })),
        );
        let entitle = srv.call(
            "PUT",
            &entitle_path,
            Some(&issuer),
            Some(json!({ "features": [feature] })),
        );
        let ((renewed, r_body), (entitled, e_body)) = tokio::join!(renew, entitle);
        for (status, body) in [(renewed, &r_body), (entitled, &e_body)] {
            assert!(
                status == 200 || (status == 409 && kind(body) == "license_changed"),
                "{status} {body}"
            );
        }
        refused += usize::from(renewed == 409) + usize::from(entitled == 409);
        let now = srv.get(&format!("/v1/licenses/{id}"), &issuer).await;
        if renewed == 200 {
            let want = chrono::NaiveDate::from_ymd_opt(2040 + round as i32, 1, 1)
                .unwrap()
                .and_hms_opt(0, 0, 0)
                .unwrap()
                .and_utc()
                .timestamp();
            assert_eq!(
                now["expires_at"],
                json!(want),
                "round {round}: the renewal was answered 200 but lost: {now}"
            );
        }
        if entitled == 200 {
            assert_eq!(
                now["spec"]["features"],
                json!([feature]),
                "round {round}: the entitlements were answered 200 but lost: {now}"
            );
        }
    }
    eprintln!("terms race: {refused} of 40 changes refused as concurrent");
    srv.stop().await;
}

support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    terms_race =>
        racing_term_changes_are_never_lost_sqlite,
        racing_term_changes_are_never_lost_postgres
}
