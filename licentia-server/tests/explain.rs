//! No list, search or per-record report reads a big table whole (issue 17):
//! on a PostgreSQL database holding the scale data set (a hundred thousand
//! licences, two hundred thousand history entries, ten thousand customers,
//! the rest in proportion: enough that the planner walks a whole table only
//! where no index serves),
//! every list of the API, with each filter it offers, a page deep in each
//! list by its cursor, the reports that answer for one record or a window,
//! and the console's pages are requested from a real server, and the plan
//! PostgreSQL ran for each of their statements (`auto_explain`, sent back
//! to the server's connection as a notice) is read: a `Seq Scan` on
//! licences, history, activations, leases, customers, members,
//! subscriptions, notifications, purchases or the licences' holders by
//! day of end (those of them holding ten thousand rows or more) fails the
//! test, naming the request and the
//! statement.
//!
//! The reports counted as licences and activations are written (activation
//! delay, platforms, licence models, the console's reports page: migration
//! 0030) are requested by the vendor root and by a partner's person, and
//! must read the counters, never the licences; so must the seats of the
//! whole tree a page at a time, the console's customer tree and its
//! dashboard (seat counters of migration 0033).
//!
//! PostgreSQL only (SQLite has no planner notices); skipped with a message
//! when `LICENTIA_TEST_POSTGRES` is unset. Loading `auto_explain` for the
//! database takes a superuser (the test server's `postgres`).

mod support;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use serde_json::json;
use support::console::Console;
use support::{Backend, PgDb, Server};
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::Layer;

use licentia_server::sql::SqlStore;

/// Rows from which a table is big: the planner reads a smaller one whole
/// where an index would serve, rightly.
const BIG_ROWS: i64 = 10_000;

/// The tables a request must never read whole, once big.
const BIG: [&str; 10] = [
    "licenses",
    "history",
    "activations",
    "leases",
    "customers",
    "members",
    "subscriptions",
    "notifications",
    "purchases",
    "expiry_holders",
];

/// The plans PostgreSQL sent while [`RECORDING`].
static PLANS: Mutex<Vec<String>> = Mutex::new(Vec::new());
static RECORDING: AtomicBool = AtomicBool::new(false);

/// Keeps the messages of sqlx's PostgreSQL notices (auto_explain's plans).
struct Notices;

impl<S: tracing::Subscriber> Layer<S> for Notices {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        if event.metadata().target() != "sqlx::postgres::notice"
            || !RECORDING.load(Ordering::SeqCst)
        {
            return;
        }
        struct Message(String);
        impl Visit for Message {
            fn record_str(&mut self, field: &Field, value: &str) {
                if field.name() == "message" {
                    self.0 = value.to_owned();
                }
            }
            fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
                if field.name() == "message" {
                    self.0 = format!("{value:?}");
                }
            }
        }
        let mut message = Message(String::new());
        event.record(&mut message);
        PLANS.lock().unwrap().push(message.0);
    }
}

/// The statements of `plans` that read a big table whole, each with the
/// table named.
fn whole_reads(plans: &[String], big: &[String]) -> Vec<String> {
    let mut found = Vec::new();
    for plan in plans {
        for table in big {
            if plan.contains(&format!("Seq Scan on {table} "))
                || plan.contains(&format!("Seq Scan on {table}\n"))
            {
                let query = plan
                    .lines()
                    .find(|l| l.starts_with("Query Text:"))
                    .unwrap_or("(no query text)");
                found.push(format!("Seq Scan on {table}: {query}"));
            }
        }
    }
    found
}

/// A search by a word every licensee holds (the scale data's names).
const EVERY_NAME_HOLDS: &str = "/licenses?licensee=LICENSEE";

/// What is wrong with a search by a part of the licensee's name in
/// `plans`: its holders must be found by the trigram index of migration
/// 0046's narrow copy and sorted there, and their licences read by key as
/// the page goes, never every holder's licence read and then sorted. (A
/// word every name holds reads that copy in its own order, up to the
/// count that says so: no whole read, though a `Seq Scan`.)
fn unsorted_holders(plans: &[String]) -> Option<String> {
    if !plans.iter().any(|p| p.contains("on licensee_search_trgm")) {
        return Some(format!("the holders not found by their index: {plans:?}"));
    }
    let Some(page) = plans
        .iter()
        .find(|p| p.contains("FROM licenses JOIN (SELECT license_id"))
    else {
        return Some("no page read through the holders".into());
    };
    let at = |node: &str| page.find(node).unwrap_or(usize::MAX);
    let joined = at("Nested Loop");
    (joined == usize::MAX || at("Sort  (") < joined)
        .then(|| format!("not the holders' order, a licence at a time: {page}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_list_or_report_reads_a_big_table_whole() {
    let Some(db) = PgDb::create("explain").await else {
        return;
    };
    let subscriber = tracing_subscriber::registry().with(Notices);
    tracing::subscriber::set_global_default(subscriber).expect("the test's only subscriber");
    // Every connection to the database explains each statement it runs,
    // to itself.
    let admin = sqlx::AnyPool::connect(&db.url()).await.unwrap();
    for setting in [
        "session_preload_libraries = 'auto_explain'",
        "auto_explain.log_min_duration = 0",
        "auto_explain.log_level = 'notice'",
    ] {
        sqlx::query(&format!("ALTER DATABASE {} SET {setting}", db.name))
            .execute(&admin)
            .await
            .unwrap_or_else(|e| panic!("{setting} (a superuser's setting): {e}"));
    }

    let srv = Server::start(Backend::Postgres(db)).await;
    srv.scale_templates().await;
    let store = SqlStore::connect(&srv.config).await.unwrap();
    let filled = store.fill_scale(0.01).await.unwrap();
    assert_eq!(filled.shape.3, 100_000, "{filled}");
    let mut big = Vec::new();
    for table in BIG {
        let rows = sqlx::query(&format!("SELECT COUNT(*) AS n FROM {table}"))
            .fetch_one(&admin)
            .await
            .unwrap();
        if sqlx::Row::get::<i64, _>(&rows, "n") >= BIG_ROWS {
            big.push(table.to_owned());
        }
    }
    for table in [
        "licenses",
        "history",
        "activations",
        "customers",
        "subscriptions",
        "expiry_holders",
    ] {
        assert!(big.iter().any(|t| t == table), "{table} is big: {big:?}");
    }
    let vendor = srv.admin.clone();
    let (partners, customers, _, licences) = filled.shape;
    let licence = |i: i64| format!("5ca1e{i:027}");
    let node_id = |k: i64| format!("cus_5ca1e{k:015}");
    let a_partner = node_id(partners);
    let a_customer = node_id(partners + customers / 2);
    let a_site = node_id(partners + customers + 7);
    let a_licence = licence(licences / 2 + 2);

    // A cursor into each list: the `next` of a page read by offset.
    let deep = |path: &str| {
        let srv = &srv;
        let vendor = vendor.clone();
        let path = path.to_owned();
        async move {
            let sep = if path.contains('?') { '&' } else { '?' };
            let page = srv
                .get(&format!("{path}{sep}limit=1&offset=1000"), &vendor)
                .await;
            let next = page["next"]
                .as_str()
                .expect("more rows after 1000")
                .to_owned();
            format!("{path}{sep}after={next}")
        }
    };
    let mut api = vec![
        "/v1/licenses".to_owned(),
        format!("/v1/licenses?customer_id={a_site}"),
        "/v1/licenses?status=suspended".into(),
        "/v1/licenses?status=revoked".into(),
        "/v1/licenses?expires_before=2027-06-01".into(),
        format!("/v1/licenses/{a_licence}"),
        format!("/v1/licenses/{a_licence}/activations"),
        format!("/v1/licenses/{a_licence}/history"),
        "/v1/history".into(),
        "/v1/history?operation=license.renew".into(),
        format!("/v1/history?customer_id={a_site}"),
        format!("/v1/history?license_id={a_licence}"),
        "/v1/customers".into(),
        format!("/v1/customers?parent_id={a_partner}"),
        "/v1/customers?kind=site".into(),
        format!("/v1/customers/{a_site}/members"),
        format!("/v1/customers/{a_customer}/seats"),
        "/v1/subscriptions".into(),
        format!("/v1/subscriptions?customer_id={a_customer}"),
        "/v1/subscriptions?status=active".into(),
        "/v1/subscriptions?cancellable=this-month".into(),
        "/v1/notifications".into(),
        "/v1/notifications?kind=license.expiring".into(),
        "/v1/purchases".into(),
        format!("/v1/purchases?customer_id={a_partner}"),
        format!("/v1/reports/customers/{a_site}/history"),
        format!("/v1/reports/seats?customer_id={a_partner}"),
        "/v1/reports/seats".into(),
        "/v1/reports/seats?limit=5".into(),
        "/v1/reports/renewals?within_days=7".into(),
        "/v1/reports/renewals".into(),
        "/v1/reports/activation-delay".into(),
        "/v1/reports/platforms".into(),
        "/v1/reports/license-models".into(),
        "/v1/reports/renewals?limit=5".into(),
        "/v1/reports/renewals?group_by=type&limit=5".into(),
        "/v1/reports/renewals?group_by=customer&group=(no%20customer)&limit=5".into(),
        "/v1/reports/renewals?group_by=customer&limit=5".into(),
        "/v1/reports/renewals?group_by=customer&groups_after=Customer%204242&limit=5".into(),
        "/v1/licenses?licensee=licensee+777".into(),
    ];
    for list in [
        "/v1/licenses",
        "/v1/history",
        "/v1/customers",
        "/v1/customers?kind=site",
        "/v1/subscriptions",
        "/v1/notifications",
        "/v1/reports/seats",
    ] {
        api.push(deep(list).await);
    }
    let person = srv
        .person("Vera", "vera@vendor.test", json!([{"role": "admin"}]))
        .await;
    let console = Console::of(&srv, &person);
    let pages = [
        "/licenses".to_owned(),
        format!("/licenses/{a_licence}"),
        "/customers".into(),
        format!("/customers?under={a_partner}"),
        // A part of a node's name, any case: the trigram index.
        "/customers?name=SITE+4242".into(),
        format!("/customers/{a_partner}"),
        format!("/customers/{a_site}"),
        "/".into(),
        format!("/customers/{a_site}/history"),
        "/subscriptions".into(),
        "/subscriptions?cancellable=this-month".into(),
        "/purchases".into(),
        "/notices".into(),
        "/renewals".into(),
        "/renewals?group_by=customer&groups_before=Customer+4242".into(),
        "/reports".into(),
        // A part of the licensee's name, any case: the trigram index.
        "/licenses?licensee=SEE+4242".into(),
        // A word every name holds: the list's order walked (the planner
        // knows they all hold it, migration 0046's statistics).
        EVERY_NAME_HOLDS.into(),
    ];

    let mut failures = Vec::new();
    let mut explained = 0;
    RECORDING.store(true, Ordering::SeqCst);
    for path in &api {
        PLANS.lock().unwrap().clear();
        let (status, body) = srv.call("GET", path, Some(&vendor), None).await;
        assert_eq!(status, 200, "{path}: {body}");
        let plans = std::mem::take(&mut *PLANS.lock().unwrap());
        explained += plans.len();
        if path.contains("licensee=") {
            failures.extend(unsorted_holders(&plans).map(|f| format!("GET {path}: {f}")));
        }
        if path.contains("renewals?limit=") {
            // A page of the renewals: the licences read in end order.
            assert!(
                plans.iter().any(|p| p.contains("licenses_ending")),
                "{path}: no read by the licences' end: {plans:?}"
            );
        }
        failures.extend(
            whole_reads(&plans, &big)
                .into_iter()
                .map(|f| format!("GET {path}: {f}")),
        );
    }
    for path in &pages {
        PLANS.lock().unwrap().clear();
        let page = console.get(path).await;
        assert_eq!(page.status, 200, "{path}: {}", page.text());
        let plans = std::mem::take(&mut *PLANS.lock().unwrap());
        if path.contains("licensee=") && path != EVERY_NAME_HOLDS {
            failures.extend(unsorted_holders(&plans).map(|f| format!("console {path}: {f}")));
        }
        explained += plans.len();
        failures.extend(
            whole_reads(&plans, &big)
                .into_iter()
                .map(|f| format!("console {path}: {f}")),
        );
    }
    // A partner's person: the counters of the nodes in its subtree.
    let partner_person = srv
        .person(
            "Paul",
            "paul@partner.test",
            json!([{"role": "auditor", "customer_id": a_partner}]),
        )
        .await;
    PLANS.lock().unwrap().clear();
    let page = Console::of(&srv, &partner_person).get("/reports").await;
    assert_eq!(page.status, 200, "{}", page.text());
    let plans = std::mem::take(&mut *PLANS.lock().unwrap());
    explained += plans.len();
    failures.extend(
        whole_reads(&plans, &big)
            .into_iter()
            .map(|f| format!("console /reports (a partner): {f}")),
    );
    RECORDING.store(false, Ordering::SeqCst);
    admin.close().await;
    // The plans were seen: a test that reads no plan proves nothing.
    assert!(
        explained > api.len() + pages.len(),
        "only {explained} plans came back: is auto_explain loaded?"
    );
    assert!(
        failures.is_empty(),
        "{} statements read a big table whole:\n{}",
        failures.len(),
        failures.join("\n")
    );
    srv.stop().await;
}
