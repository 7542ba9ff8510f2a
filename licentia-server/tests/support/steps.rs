//! The steps the test stories share: the records they make (plans,
//! purchases, allocations, a customer's licenses, activations), what they
//! read back (lists, a node's seats, notices, the history chain) and how
//! they check a refusal. Written once, so that a story reads as its
//! business rather than as the requests behind it.

use std::fmt::Display;

use licentia_server::history::ChainCheck;
use licentia_server::store::HistoryEntry;
use serde_json::{json, Value};
use sqlx::Row;

use licentia_server::Running;

use super::{base_of, kind, machine, node, s, Server};

impl Server {
    /// A token for each of `roles`, in their order, made by the admin:
    /// `let [issuer, auditor] = srv.tokens(["issuer", "auditor"]).await;`.
    pub async fn tokens<const N: usize>(&self, roles: [&str; N]) -> [String; N] {
        let mut tokens = Vec::with_capacity(N);
        for role in roles {
            tokens.push(self.token(role).await);
        }
        tokens.try_into().unwrap()
    }

    /// Sends each request of `table` in turn, asserting the status it
    /// answers: (method, path, token, body, status).
    pub async fn answers(&self, table: Vec<Expect<'_>>) {
        for (method, path, token, body, want) in table {
            let (status, answer) = self.call(method, path, token, body).await;
            assert_eq!(status, want, "{method} {path}: {answer}");
        }
    }

    /// Sends a request to `other`, another instance on this server's
    /// database; returns status and body.
    pub async fn call_on(
        &self,
        other: &Running,
        method: &str,
        path: &str,
        token: Option<&str>,
    ) -> (u16, Value) {
        self.call_at(&base_of(other), method, path, token, None, &[])
            .await
    }

    /// POSTs `body` to `path` with the `Idempotency-Key` `key`; returns
    /// status and body.
    pub async fn post_keyed(
        &self,
        path: &str,
        token: &str,
        body: Value,
        key: &str,
    ) -> (u16, Value) {
        let key = [("Idempotency-Key", key)];
        self.call_at(&self.base, "POST", path, Some(token), Some(body), &key)
            .await
    }

    /// GETs `path` with `token`, asserting 200; returns the body.
    pub async fn get(&self, path: &str, token: &str) -> Value {
        let (status, body) = self.call("GET", path, Some(token), None).await;
        assert_eq!(status, 200, "GET {path}: {body}");
        body
    }

    /// The `items` of the list at `path` (a GET asserted 200).
    pub async fn items(&self, path: &str, token: &str) -> Vec<Value> {
        items(&self.get(path, token).await).clone()
    }

    /// A plan (`body` names it, its policy and its options); returns its id.
    pub async fn plan(&self, token: &str, body: Value) -> String {
        s(&self.post_ok("/v1/plans", token, body, 201).await["id"])
    }

    /// A product `code` and a `policy` for it; returns the policy's id.
    pub async fn policy(&self, token: &str, code: &str, policy: Value) -> String {
        self.product_and_policy(token, code, policy).await.1
    }

    /// A lot of `quantity` seats of `product` bought by `customer`, the top
    /// of its tree; returns the purchase.
    pub async fn purchase(
        &self,
        token: &str,
        customer: &str,
        product: &str,
        quantity: u32,
        purchased_on: &str,
    ) -> Value {
        let lot = json!({
            "customer_id": customer, "product_id": product,
            "quantity": quantity, "purchased_on": purchased_on,
        });
        self.post_ok("/v1/purchases", token, lot, 201).await
    }

    /// PUTs the seats of `product` that `node` holds; returns status and body.
    pub async fn allocate(
        &self,
        token: &str,
        node: &str,
        product: &str,
        seats: u32,
    ) -> (u16, Value) {
        self.call(
            "PUT",
            &format!("/v1/customers/{node}/allocation"),
            Some(token),
            Some(json!({"product_id": product, "seats": seats})),
        )
        .await
    }

    /// `[allocated, given, used, free]` of the node's only product.
    /// Also asserts that the seats in use, read from the counters kept
    /// as rows are written (migration 0033), equal a fresh count of the
    /// rows themselves: so every test that follows seats checks them.
    pub async fn seats(&self, token: &str, node: &str) -> Value {
        let view = self
            .get(&format!("/v1/customers/{node}/seats"), token)
            .await;
        let a = &view["items"][0]["allocations"][0];
        if let Some(product) = a["product_id"].as_str() {
            let fresh = self.seats_counted_afresh(node, product).await;
            assert_eq!(a["used"], json!(fresh), "{node}: counters against the rows");
        }
        json!([a["allocated"], a["given"], a["used"], a["free"]])
    }

    /// The seats of `product` in use at `node`, counted from the members,
    /// activations and leases stored, straight in the database.
    pub async fn seats_counted_afresh(&self, node: &str, product: &str) -> i64 {
        sqlx::any::install_default_drivers();
        let db = sqlx::AnyPool::connect(&self.config.database_url())
            .await
            .unwrap();
        let not_member = "NOT EXISTS (SELECT 1 FROM members m WHERE m.license_id = l.id)";
        let used: i64 = sqlx::query(&format!(
            "SELECT (SELECT COUNT(*) FROM members m JOIN licenses l ON l.id = m.license_id \
               WHERE l.customer_id = $1 AND l.product_id = $2 AND l.status <> 'revoked') \
             + (SELECT COUNT(*) FROM activations v JOIN licenses l ON l.id = v.license_id \
               WHERE l.customer_id = $1 AND l.product_id = $2 AND v.deactivated_at IS NULL \
               AND {not_member}) \
             + (SELECT COUNT(*) FROM leases e JOIN licenses l ON l.id = e.license_id \
               WHERE l.customer_id = $1 AND l.product_id = $2 AND e.returned_at IS NULL \
               AND e.expires_at > $3 AND {not_member}) AS used"
        ))
        .bind(node)
        .bind(product)
        .bind(licentia::Timestamp::now().0)
        .fetch_one(&db)
        .await
        .unwrap()
        .try_get("used")
        .unwrap();
        db.close().await;
        used
    }

    /// Issues a license of `policy` to the customer node `customer`;
    /// returns the answer (the record and the key, shown once).
    pub async fn license_for(
        &self,
        token: &str,
        policy: &str,
        licensee: &str,
        customer: &str,
    ) -> Value {
        let body = json!({"policy_id": policy, "licensee": licensee, "customer_id": customer});
        self.post_ok("/v1/licenses", token, body, 201).await
    }

    /// Activates the license `key` on machine `n` of `product`, as the
    /// product does (no staff token); returns status and body.
    pub async fn activate(
        &self,
        key: &str,
        product: &str,
        n: usize,
        platform: &str,
    ) -> (u16, Value) {
        let body = json!({"license_key": key, "fingerprint": machine(product, n).to_string(), "platform": platform});
        self.call("POST", "/v1/activations", None, Some(body)).await
    }

    /// How many history entries of operation `op` there are (up to 500).
    pub async fn history_count(&self, token: &str, op: &str) -> usize {
        self.items(&format!("/v1/history?operation={op}&limit=500"), token)
            .await
            .len()
    }

    /// Reads the whole history in pages of `limit`, checking that every
    /// entry chains to the one before; returns how many there are.
    pub async fn chain_length(&self, token: &str, limit: usize) -> i64 {
        let mut check = ChainCheck::new();
        loop {
            let path = format!("/v1/history?limit={limit}&after_seq={}", check.count());
            let page = self.get(&path, token).await;
            let entries: Vec<HistoryEntry> = serde_json::from_value(page["items"].clone()).unwrap();
            if entries.is_empty() {
                return check.count();
            }
            for e in &entries {
                check.next(e).unwrap();
            }
        }
    }

    /// Runs the jobs for `day` as the admin; returns their report.
    pub async fn run_jobs(&self, day: impl Display) -> Value {
        let body = json!({"date": day.to_string()});
        self.post_ok("/v1/jobs/run", &self.admin.clone(), body, 200)
            .await
    }

    /// The notices about `subject`, as (kind, lead days, due on), sorted.
    pub async fn notices_of(&self, subject: &str) -> Vec<(String, i64, String)> {
        let path = format!("/v1/notifications?subject={subject}&limit=500");
        let mut out: Vec<(String, i64, String)> = self
            .items(&path, &self.admin)
            .await
            .iter()
            .map(|n| {
                let lead = n["lead_days"].as_i64().unwrap();
                (s(&n["kind"]), lead, s(&n["due_on"]))
            })
            .collect();
        out.sort();
        out
    }
}

/// A request and the status it must answer: (method, path, token, body, status).
pub type Expect<'a> = (&'a str, &'a str, Option<&'a str>, Option<Value>, u16);

/// The `items` array of a list answer (panics with the answer when it has none).
pub fn items(list: &Value) -> &Vec<Value> {
    list["items"]
        .as_array()
        .unwrap_or_else(|| panic!("no items: {list}"))
}

/// `f` of every element of the array `list` (panics with `list` when it is
/// not an array): `each(&report["errors"], |e| s(&e["column"]))`.
pub fn each<T>(list: &Value, f: impl FnMut(&Value) -> T) -> Vec<T> {
    list.as_array()
        .unwrap_or_else(|| panic!("not an array: {list}"))
        .iter()
        .map(f)
        .collect()
}

/// The string `field` of every element of the array `list`.
pub fn texts(list: &Value, field: &str) -> Vec<String> {
    each(list, |e| s(&e[field]))
}

/// The element of the array `list` that `pick` chooses (panics with `list`
/// when none is).
pub fn find(list: &Value, pick: impl FnMut(&&Value) -> bool) -> &Value {
    list.as_array()
        .and_then(|a| a.iter().find(pick))
        .unwrap_or_else(|| panic!("not found in {list}"))
}

/// Asserts that `answer` refuses with `status` and the problem `code`;
/// returns the problem, for the fields that come with it.
pub fn refused(answer: (u16, Value), status: u16, code: &str) -> Value {
    let (got, problem) = answer;
    assert_eq!((got, kind(&problem)), (status, code), "{problem}");
    problem
}

/// How many notifications a jobs report says were written.
pub fn written(report: &Value) -> u64 {
    report["written"]
        .as_object()
        .unwrap_or_else(|| panic!("no written counts: {report}"))
        .values()
        .map(|n| n.as_u64().unwrap())
        .sum()
}

/// The two parts of a webhook's signature header `t=<time>,v1=<hex>`.
pub fn signature_parts(header: &str) -> (&str, &str) {
    header
        .strip_prefix("t=")
        .and_then(|rest| rest.split_once(",v1="))
        .unwrap_or_else(|| panic!("signature header {header:?}"))
}

/// Rounds of seat cuts racing on `url` (the seats of a license or of a
/// subscription): finance sets 10, then cuts to 1 while six issuers cut to
/// 5 at once. An issuer's cut decided on 10 but landing after finance's
/// would be a raise (1 to 5), which is finance's alone: it is refused
/// (403), so every round ends at 1 seat, read at `shown` with `reader`.
pub async fn racing_seat_cuts(
    srv: &Server,
    url: &str,
    (finance, issuer): (&str, &str),
    (shown, reader): (&str, &str),
) {
    const ISSUERS: usize = 6;
    for round in 0..8 {
        let reset = srv
            .client
            .put(url)
            .bearer_auth(finance)
            .json(&json!({"seats": 10}))
            .send()
            .await
            .unwrap();
        assert_eq!(reset.status().as_u16(), 200);
        let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(ISSUERS + 1));
        let mut tasks = tokio::task::JoinSet::new();
        for n in 0..=ISSUERS {
            let (client, url, barrier) = (srv.client.clone(), url.to_owned(), barrier.clone());
            let (token, seats) = if n == 0 {
                (finance.to_owned(), 1)
            } else {
                (issuer.to_owned(), 5)
            };
            tasks.spawn(async move {
                barrier.wait().await;
                let resp = client
                    .put(url)
                    .bearer_auth(token)
                    .json(&json!({ "seats": seats }))
                    .send()
                    .await
                    .unwrap();
                (seats, resp.status().as_u16())
            });
        }
        while let Some(done) = tasks.join_next().await {
            let (seats, status) = done.unwrap();
            match seats {
                1 => assert_eq!(status, 200),
                _ => assert!(status == 200 || status == 403, "{status}"),
            }
        }
        let (_, now) = srv.call("GET", shown, Some(reader), None).await;
        assert_eq!(now["seats"], 1, "round {round}: an issuer raised the seats");
    }
}

/// The password the tests' people sign in with.
pub const PASSWORD: &str = "a long enough password";

/// A person signed in: their account id, session cookie and CSRF token.
pub struct Person {
    pub id: String,
    pub cookie: String,
    pub csrf: String,
}

impl Person {
    /// Sends a request with the session (cookie and CSRF token): status
    /// and body.
    pub async fn call(
        &self,
        srv: &Server,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let headers = [
            ("cookie", self.cookie.as_str()),
            ("x-csrf-token", self.csrf.as_str()),
        ];
        srv.call_at(&srv.base, method, path, None, body, &headers)
            .await
    }
}

impl Server {
    /// Makes the account `email` with `grants` (as the vendor's admin,
    /// password [`PASSWORD`]) and signs it in.
    pub async fn person(&self, name: &str, email: &str, grants: Value) -> Person {
        let made = self
            .post_ok(
                "/v1/accounts",
                &self.admin,
                json!({"name": name, "email": email, "password": PASSWORD, "grants": grants}),
                201,
            )
            .await;
        let resp = self
            .client
            .post(format!("{}/v1/session", self.base))
            .json(&json!({"email": email, "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        let cookie = resp.headers()["set-cookie"].to_str().unwrap();
        let cookie = cookie.split(';').next().unwrap().to_owned();
        let body: Value = resp.json().await.unwrap();
        Person {
            id: s(&made["account"]["id"]),
            cookie,
            csrf: s(&body["csrf_token"]),
        }
    }
}

/// Wazo's world, as the Wazo stories start from it: the product `wazo-uc`
/// (an unbound one-seat policy and its plan "UC"), the partner Wazo and
/// its two customers Alpha and Beta.
pub struct Wazo {
    pub product: String,
    pub plan: String,
    pub wazo: String,
    pub alpha: String,
    pub beta: String,
}

impl Server {
    /// Makes [`Wazo`]'s world, as the vendor's admin.
    pub async fn wazo(&self) -> Wazo {
        let vendor = &self.admin;
        let (product, policy) = self
            .product_and_policy(
                vendor,
                "wazo-uc",
                json!({"name": "user", "binding": "unbound", "seats": 1}),
            )
            .await;
        let plan = self
            .plan(vendor, json!({"name": "UC", "policy_id": policy}))
            .await;
        let wazo = super::node(self, vendor, "partner", "Wazo", None).await;
        let alpha = super::node(self, vendor, "customer", "Alpha", Some(&wazo)).await;
        let beta = super::node(self, vendor, "customer", "Beta", Some(&wazo)).await;
        Wazo {
            product,
            plan,
            wazo,
            alpha,
            beta,
        }
    }
}

impl Server {
    /// The records the scale data set copies (`licentia scale-data`), made
    /// as a user makes them: a product and policy, a plan, a partner and
    /// its customer, a licence, a member, a purchase and a subscription.
    pub async fn scale_templates(&self) {
        let vendor = &self.admin;
        let (product, policy) = self
            .product_and_policy(
                vendor,
                "scaled",
                json!({"name": "node", "binding": "node-locked", "seats": 5, "duration_days": 365}),
            )
            .await;
        let plan = self
            .post_ok(
                "/v1/plans",
                vendor,
                json!({"name": "Business", "policy_id": policy}),
                201,
            )
            .await;
        let partner = node(self, vendor, "partner", "Seed partner", None).await;
        let customer = node(self, vendor, "customer", "Seed customer", Some(&partner)).await;
        self.license_for(vendor, &policy, "Seed licensee", &customer)
            .await;
        self.post_ok(
            &format!("/v1/customers/{customer}/members"),
            vendor,
            json!({"name": "Seed member", "email": "seed@example.com", "service": false}),
            201,
        )
        .await;
        self.purchase(vendor, &partner, &product, 10, "2026-01-15")
            .await;
        self.post_ok(
            "/v1/subscriptions",
            vendor,
            json!({"customer_id": customer, "plan_id": s(&plan["id"]), "seats": 3,
                   "billing": "prepaid_1y", "interval": "yearly", "start": "2026-01-01",
                   "renewal": "always", "notice": "1 month before term end", "options": []}),
            201,
        )
        .await;
    }
}
