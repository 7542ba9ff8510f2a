//! The HTTP API under `/v1`. Handlers are thin: check the caller, turn the
//! request into a core `LicenseSpec`, let the core's `Issuer` sign, and hand
//! the result to the store in one transaction.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::error::{ApiError, ApiResult};
use crate::extract::{Body, IdempotencyKey, PageQuery, Staff, Q};
use crate::keyring::Keyring;
use crate::secret::{self, ApiToken, LicenseKey};
use crate::sql::idempotency_mismatch;
use crate::store::*;
use crate::AppState;
use licentia::spec::LicenseSpec;
use licentia::{
    ActivationRequest, Fingerprint, KeyId, LicenseId, LicenseRef, RenewalAction, RevocationBody,
    Timestamp, DAY,
};

use Role::{Admin, Auditor, Finance, Issuer};

pub(super) mod bulk;
pub(super) mod members;
pub(super) mod notices;
pub(super) mod purchases;
pub(super) mod reports;
pub(super) mod subscriptions;

/// Every staff role.
const READERS: &[Role] = &[Admin, Issuer, Finance, Auditor];
/// Roles that manage the catalogue and licenses.
const WRITERS: &[Role] = &[Admin, Issuer];

type Answer = ApiResult<Response>;

fn ok(value: Value) -> Answer {
    Ok(Json(value).into_response())
}

fn created(value: Value) -> Answer {
    Ok((StatusCode::CREATED, Json(value)).into_response())
}

fn to_value<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).expect("records serialize")
}

fn now() -> Timestamp {
    Timestamp::now()
}

/// `{"items": [...], "limit": n, "offset": n}`.
fn list<T: serde::Serialize>(items: &[T], page: Page) -> Answer {
    ok(json!({ "items": items, "limit": page.limit, "offset": page.offset }))
}

// ---------------------------------------------------------------- health

/// `GET /healthz`: the process is up.
pub async fn healthz() -> Answer {
    ok(json!({ "status": "ok" }))
}

/// `GET /readyz`: the database answers.
pub async fn readyz(State(state): State<AppState>) -> Answer {
    state.store.ping().await?;
    ok(json!({ "status": "ready" }))
}

// ---------------------------------------------------------------- tokens

/// A new API token.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    name: String,
    role: Role,
}

/// Makes a token record and its secret.
pub fn mint_token(name: &str, role: Role, created_by: &str) -> (TokenRecord, ApiToken) {
    (
        TokenRecord {
            id: secret::new_id("tok"),
            name: name.to_owned(),
            role,
            created_at: now().0,
            created_by: created_by.to_owned(),
            revoked_at: None,
        },
        ApiToken::generate(),
    )
}

/// `POST /v1/tokens` (admin): the token is in this answer only.
pub async fn create_token(State(s): State<AppState>, staff: Staff, body: Body<NewToken>) -> Answer {
    staff.allow(&[Admin])?;
    let name = text_field("name", &body.value.name, 128)?;
    let (record, token) = mint_token(name, body.value.role, &staff.actor());
    let record = s.store.create_token(record, token.hash()).await?;
    created(json!({ "token": token.reveal(), "record": record }))
}

/// `GET /v1/tokens` (admin).
pub async fn list_tokens(State(s): State<AppState>, staff: Staff, Q(q): Q<PageQuery>) -> Answer {
    staff.allow(&[Admin])?;
    let page = q.page()?;
    list(&s.store.list_tokens(page).await?, page)
}

/// `DELETE /v1/tokens/{id}` (admin).
pub async fn revoke_token(
    State(s): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> Answer {
    staff.allow(&[Admin])?;
    ok(to_value(&s.store.revoke_token(&id, &staff.actor()).await?))
}

// ---------------------------------------------------------------- keys

/// `GET /v1/keys`: public keys and rollover statements, for products.
/// Read from the store, so every instance answers alike; `retired` lists
/// the keys no longer trusted (also named in every revocation list).
pub async fn list_keys(State(s): State<AppState>) -> Answer {
    let keys = s.store.signing_keys().await?;
    let retired = s.store.retired_keys().await?;
    ok(json!({ "items": keys, "retired": retired }))
}

/// `POST /v1/keys/rotate` (admin): a new active key, endorsed by the old one.
pub async fn rotate_key(State(s): State<AppState>, staff: Staff) -> Answer {
    staff.allow(&[Admin])?;
    let mut keys = s.keys.write().await;
    // The rollover statement is signed by the store's active key, not by
    // this instance's copy, which another instance may have rotated.
    let current = Keyring::load(s.store.as_ref(), &s.key_dir).await?;
    let rotated = current
        .rotate(s.store.as_ref(), &s.key_dir, &staff.actor())
        .await?;
    *keys = std::sync::Arc::new(rotated);
    created(json!({ "items": keys.records() }))
}

/// `POST /v1/keys/{id}/retire` (admin): the key is no longer trusted and
/// every product's revocation list names it; the active key is refused (409).
pub async fn retire_key(State(s): State<AppState>, staff: Staff, Path(id): Path<String>) -> Answer {
    staff.allow(&[Admin])?;
    s.store.retire_key(&id, &staff.actor()).await?;
    s.keyring().await?;
    ok(json!({ "key_id": id, "state": "retired" }))
}

// ---------------------------------------------------------------- products

/// A new product.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewProduct {
    code: String,
    name: String,
}

fn text_field<'a>(field: &str, value: &'a str, max: usize) -> ApiResult<&'a str> {
    crate::bulk::text(value, max).ok_or_else(|| {
        ApiError::invalid(format!(
            "'{field}' must be 1 to {max} characters without control characters"
        ))
    })
}

/// `POST /v1/products` (admin, issuer).
pub async fn create_product(
    State(s): State<AppState>,
    staff: Staff,
    body: Body<NewProduct>,
) -> Answer {
    staff.allow(WRITERS)?;
    let code = text_field("code", &body.value.code, licentia::license::MAX_CODE_LEN)?;
    if !code
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
    {
        return Err(ApiError::invalid(
            "a product code has letters, digits, '-', '_' and '.' only",
        ));
    }
    let product = Product {
        id: secret::new_id("prd"),
        code: code.to_owned(),
        name: text_field("name", &body.value.name, 256)?.to_owned(),
        created_at: now().0,
    };
    created(to_value(
        &s.store.create_product(product, &staff.actor()).await?,
    ))
}

/// `GET /v1/products`.
pub async fn list_products(State(s): State<AppState>, staff: Staff, Q(q): Q<PageQuery>) -> Answer {
    staff.allow(READERS)?;
    let page = q.page()?;
    list(&s.store.list_products(page).await?, page)
}

/// `GET /v1/products/{id}` (id or code).
pub async fn show_product(
    State(s): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> Answer {
    staff.allow(READERS)?;
    ok(to_value(&s.store.product(&id).await?))
}

// ---------------------------------------------------------------- policies

/// A new policy: a license template.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewPolicy {
    product_id: String,
    name: String,
    #[serde(default = "standard")]
    kind: String,
    #[serde(default = "node_locked")]
    binding: String,
    #[serde(default = "all")]
    match_rule: String,
    duration_days: Option<u32>,
    #[serde(default = "one")]
    seats: u32,
    grace_days: Option<u32>,
    check_in_days: Option<u32>,
    max_offline_days: Option<u32>,
    #[serde(default)]
    entitlements: Vec<String>,
    #[serde(default = "one")]
    temp_quota: u32,
    #[serde(default = "thirty")]
    temp_period_days: u32,
    #[serde(default = "seven")]
    temp_duration_days: u32,
    #[serde(default = "hour")]
    lease_ttl_secs: u32,
}

fn standard() -> String {
    "standard".into()
}
fn node_locked() -> String {
    "node-locked".into()
}
fn all() -> String {
    "all".into()
}
fn one() -> u32 {
    1
}
fn thirty() -> u32 {
    30
}
fn seven() -> u32 {
    7
}
fn hour() -> u32 {
    3600
}

/// `POST /v1/policies` (admin, issuer).
pub async fn create_policy(
    State(s): State<AppState>,
    staff: Staff,
    body: Body<NewPolicy>,
) -> Answer {
    staff.allow(WRITERS)?;
    let p = body.value;
    let product = s
        .store
        .product(&p.product_id)
        .await
        .map_err(ApiError::absent_is_invalid("no such product"))?;
    if !matches!(p.kind.as_str(), "standard" | "trial") {
        return Err(ApiError::invalid("kind is 'standard' or 'trial'"));
    }
    if !matches!(
        p.binding.as_str(),
        "unbound" | "node-locked" | "floating" | "named-user"
    ) {
        return Err(ApiError::invalid(
            "binding is 'unbound', 'node-locked', 'floating' or 'named-user'",
        ));
    }
    licentia::MatchRule::parse(&p.match_rule)?;
    if p.seats == 0 || p.lease_ttl_secs == 0 || p.temp_period_days == 0 || p.temp_duration_days == 0
    {
        return Err(ApiError::invalid(
            "seats, lease_ttl_secs and the temporary-license terms must be at least 1",
        ));
    }
    let policy = Policy {
        id: secret::new_id("pol"),
        product_id: product.id.clone(),
        name: text_field("name", &p.name, 128)?.to_owned(),
        kind: p.kind,
        binding: p.binding,
        match_rule: p.match_rule,
        duration_days: p.duration_days.map(i64::from),
        seats: p.seats.into(),
        grace_days: p.grace_days.map(i64::from),
        check_in_days: p.check_in_days.map(i64::from),
        max_offline_days: p.max_offline_days.map(i64::from),
        entitlements: p.entitlements,
        temp_quota: p.temp_quota.into(),
        temp_period_days: p.temp_period_days.into(),
        temp_duration_days: p.temp_duration_days.into(),
        lease_ttl_secs: p.lease_ttl_secs.into(),
        created_at: now().0,
    };
    // The core judges the template: a license made from it must build.
    base_spec(
        &policy,
        &product,
        "probe",
        &IssueOverrides::default(),
        now(),
    )?
    .to_body()?;
    created(to_value(
        &s.store.create_policy(policy, &staff.actor()).await?,
    ))
}

/// Filter of the policy list.
#[derive(Deserialize)]
pub struct PolicyQuery {
    product_id: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
}

/// `GET /v1/policies`.
pub async fn list_policies(
    State(s): State<AppState>,
    staff: Staff,
    Q(q): Q<PolicyQuery>,
) -> Answer {
    staff.allow(READERS)?;
    let page = PageQuery::new(q.limit, q.offset).page()?;
    list(
        &s.store.list_policies(q.product_id.as_deref(), page).await?,
        page,
    )
}

/// `GET /v1/policies/{id}`.
pub async fn show_policy(
    State(s): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> Answer {
    staff.allow(READERS)?;
    ok(to_value(&s.store.policy(&id).await?))
}

// ---------------------------------------------------------------- customers

/// A new node of the customer tree.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewCustomer {
    kind: String,
    name: String,
    parent_id: Option<String>,
    email: Option<String>,
    external_ref: Option<String>,
}

/// `POST /v1/customers` (admin, issuer): partner -> customer -> site.
pub async fn create_customer(
    State(s): State<AppState>,
    staff: Staff,
    body: Body<NewCustomer>,
) -> Answer {
    staff.allow(WRITERS)?;
    let c = body.value;
    let parent_kind = match &c.parent_id {
        Some(id) => Some(
            s.store
                .customer(id)
                .await
                .map_err(ApiError::absent_is_invalid("no such parent customer"))?
                .kind,
        ),
        None => None,
    };
    if !crate::bulk::fits(&c.kind, parent_kind.as_deref()) {
        return Err(ApiError::invalid(crate::bulk::TREE));
    }
    let customer = Customer {
        id: secret::new_id("cus"),
        parent_id: c.parent_id,
        kind: c.kind,
        name: text_field("name", &c.name, 256)?.to_owned(),
        email: c
            .email
            .as_deref()
            .map(|e| text_field("email", e, 256))
            .transpose()?
            .map(str::to_owned),
        external_ref: c
            .external_ref
            .as_deref()
            .map(|e| text_field("external_ref", e, 128))
            .transpose()?
            .map(str::to_owned),
        created_at: now().0,
    };
    created(to_value(
        &s.store.create_customer(customer, &staff.actor()).await?,
    ))
}

/// Filters of the customer list.
#[derive(Deserialize)]
pub struct CustomerQuery {
    parent_id: Option<String>,
    kind: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
}

/// `GET /v1/customers`.
pub async fn list_customers(
    State(s): State<AppState>,
    staff: Staff,
    Q(q): Q<CustomerQuery>,
) -> Answer {
    staff.allow(READERS)?;
    let page = PageQuery::new(q.limit, q.offset).page()?;
    list(
        &s.store
            .list_customers(q.parent_id.as_deref(), q.kind.as_deref(), page)
            .await?,
        page,
    )
}

/// `GET /v1/customers/{id}`.
pub async fn show_customer(
    State(s): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> Answer {
    staff.allow(READERS)?;
    ok(to_value(&s.store.customer(&id).await?))
}

/// `PUT /v1/customers/{id}/allocation` body: seats of a product (id or code).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllocationRequest {
    product_id: String,
    seats: u32,
}

/// `PUT /v1/customers/{id}/allocation`: how many seats of a product the node
/// holds, taken from its parent. Only finance may raise an allocation; admin,
/// issuer and finance may lower it.
pub async fn set_allocation(
    State(s): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    body: Body<AllocationRequest>,
) -> Answer {
    staff.allow(&[Admin, Issuer, Finance])?;
    let product = s.store.product(&body.value.product_id).await?;
    ok(to_value(
        &s.store
            .set_allocation(
                &id,
                &product.id,
                i64::from(body.value.seats),
                staff.0.role == Finance,
                &staff.actor(),
            )
            .await?,
    ))
}

/// `GET /v1/customers/{id}/seats`: allocated vs used for the node and its subtree.
pub async fn customer_seats(
    State(s): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> Answer {
    staff.allow(READERS)?;
    ok(json!({ "items": s.store.seats(&id).await? }))
}

// ---------------------------------------------------------------- licenses

/// `POST /v1/licenses` body: a policy, a licensee, and what may be set
/// over the policy.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct IssueOverrides {
    policy_id: String,
    licensee: String,
    email: Option<String>,
    customer_id: Option<String>,
    seats: Option<u32>,
    machines: Option<Vec<String>>,
    user: Option<String>,
    metadata: Option<std::collections::BTreeMap<String, String>>,
    expires: Option<String>,
    features: Option<Vec<String>>,
}

/// The license spec a policy gives, before any machine is known.
fn base_spec(
    p: &Policy,
    product: &Product,
    licensee: &str,
    o: &IssueOverrides,
    at: Timestamp,
) -> ApiResult<LicenseSpec> {
    let seats = o.seats.map_or(p.seats, i64::from);
    let seats_u32 = u32::try_from(seats).map_err(|_| ApiError::invalid("too many seats"))?;
    if seats_u32 == 0 {
        return Err(ApiError::invalid("seats must be at least 1"));
    }
    let expires = match (&o.expires, p.duration_days) {
        (Some(date), _) => Some(Timestamp::parse(date)?.to_string()),
        (None, Some(days)) => Some(at.add_days(days).to_string()),
        (None, None) => None,
    };
    let (machines, match_rule, floating, user) = match p.binding.as_str() {
        "node-locked" => (
            o.machines.clone(),
            o.machines.as_ref().map(|_| p.match_rule.clone()),
            None,
            None,
        ),
        "floating" => (None, None, Some(seats_u32), None),
        "named-user" => (
            None,
            None,
            None,
            Some(o.user.clone().unwrap_or_else(|| licensee.to_owned())),
        ),
        _ => (None, None, None, None),
    };
    if o.machines.is_some() && p.binding != "node-locked" {
        return Err(ApiError::invalid(
            "machines are given only for node-locked policies",
        ));
    }
    Ok(LicenseSpec {
        id: Some(LicenseId::random().to_string()),
        product: Some(product.code.clone()),
        licensee: Some(licensee.to_owned()),
        email: o.email.clone(),
        customer_ref: o.customer_id.clone(),
        issued_at: Some(at.to_string()),
        trial: (p.kind == "trial").then_some(true),
        temporary_for: None,
        machines,
        match_rule,
        floating,
        user,
        seats: Some(seats_u32),
        features: Some(o.features.clone().unwrap_or_else(|| p.entitlements.clone())),
        metadata: o.metadata.clone(),
        valid_from: None,
        soft_expiry: None,
        expires,
        grace_days: p.grace_days.and_then(|d| u32::try_from(d).ok()),
        updates_until: None,
        check_in_days: p.check_in_days.and_then(|d| u32::try_from(d).ok()),
        max_offline_days: p.max_offline_days.and_then(|d| u32::try_from(d).ok()),
    })
}

/// The spec of a file locked to `machine`, made from a license's spec (with
/// its current seat count, which finance may have changed).
fn machine_spec(
    license: &LicenseRecord,
    policy: &Policy,
    machine: &Fingerprint,
    at: Timestamp,
) -> LicenseSpec {
    let spec = &license.spec;
    LicenseSpec {
        seats: u32::try_from(license.seats).ok().or(spec.seats),
        machines: Some(vec![machine.to_string()]),
        match_rule: Some(policy.match_rule.clone()),
        floating: None,
        user: None,
        issued_at: Some(at.to_string()),
        ..spec.clone()
    }
}

/// Whether a license made from `spec` has a file of its own before any
/// machine is activated (node-locked licenses get theirs at activation).
fn has_own_file(policy: &Policy, spec: &LicenseSpec) -> bool {
    policy.binding != "node-locked" || spec.machines.is_some()
}

fn sign_license(spec: &LicenseSpec, keys: &Keyring) -> ApiResult<String> {
    Ok(keys.issuer().issue(&spec.to_body()?)?.to_armor())
}

/// Where an idempotent request stands before it runs.
enum Pre {
    /// No `Idempotency-Key`: just run.
    NoKey,
    /// Seen before: this is the first answer.
    Stored(Response),
    /// A new key: run, and store the answer under this scope.
    New(String),
}

/// Looks the request's `Idempotency-Key` up (scoped by route and caller).
async fn pre_check(
    s: &AppState,
    key: &IdempotencyKey,
    route: &str,
    caller: &str,
    body_hash: &str,
) -> ApiResult<Pre> {
    let Some(k) = &key.0 else {
        return Ok(Pre::NoKey);
    };
    let scope = secret::sha256_hex(format!("{route}\n{caller}\n{k}").as_bytes());
    match s.store.stored_answer(&scope).await? {
        Some(stored) if stored.request_hash != body_hash => Err(idempotency_mismatch()),
        Some(stored) => Ok(Pre::Stored(replay_response(
            k,
            stored.status,
            &stored.sealed,
        )?)),
        None => Ok(Pre::New(scope)),
    }
}

fn replay_response(key: &str, status: u16, sealed: &str) -> Answer {
    let text = secret::unseal(key, sealed)
        .ok_or_else(|| ApiError::internal("stored answer does not open"))?;
    let value: Value = serde_json::from_str(&text).map_err(ApiError::internal)?;
    let status = StatusCode::from_u16(status).map_err(ApiError::internal)?;
    Ok((status, [("idempotent-replay", "true")], Json(value)).into_response())
}

/// Runs an idempotent operation: answers a seen key with its first answer,
/// or runs `$op` with `$idem` set to the sealing recipe and answers with `$render`.
macro_rules! idempotent {
    ($s:expr, $key:expr, $route:expr, $caller:expr, $hash:expr, $status:expr, $render:expr, |$idem:ident| $op:expr) => {{
        let render = $render;
        let $idem = match pre_check(&$s, &$key, $route, $caller, $hash).await? {
            Pre::Stored(response) => return Ok(response),
            Pre::NoKey => None,
            Pre::New(scope) => {
                let k = $key.0.clone().unwrap_or_default();
                let r = render.clone();
                Some(Idem {
                    scope,
                    request_hash: $hash.to_owned(),
                    status: $status.as_u16(),
                    seal: Box::new(move |v: &_| secret::seal(&k, &r(v).to_string())),
                })
            }
        };
        match $op {
            Outcome::Fresh(v) => Ok(($status, Json(render(&v))).into_response()),
            Outcome::Replay { status, sealed } => {
                replay_response($key.0.as_deref().unwrap_or_default(), status, &sealed)
            }
        }
    }};
}
// The domain modules' creates take keys the same way.
pub(crate) use idempotent;

/// `POST /v1/licenses` (admin, issuer): the license key is in this answer only.
pub async fn issue_license(
    State(s): State<AppState>,
    staff: Staff,
    key: IdempotencyKey,
    body: Body<IssueOverrides>,
) -> Answer {
    staff.allow(WRITERS)?;
    issue(s, staff, key, "issue", &body.hash, body.value).await
}

/// Issues a license as `req` asks: the shared path of `POST /v1/licenses`
/// and `POST /v1/plans/{id}/licenses` (`route` scopes idempotency keys).
async fn issue(
    s: AppState,
    staff: Staff,
    key: IdempotencyKey,
    route: &str,
    body_hash: &str,
    req: IssueOverrides,
) -> Answer {
    let (new, license_key) = prepare_license(&s, &req, None).await?;
    let shown = license_key.reveal().to_owned();
    let render = move |r: &LicenseRecord| json!({ "license_key": shown, "license": r });
    let actor = staff.actor();
    idempotent!(
        s,
        key,
        route,
        &actor,
        body_hash,
        StatusCode::CREATED,
        render,
        |idem| { s.store.issue_license(new, &actor, idem).await? }
    )
}

/// Checks `req` and makes the license it asks for (with `id`, or a new
/// one): spec, signed file, key. Nothing is stored; the key is shown once,
/// by the caller's answer.
async fn prepare_license(
    s: &AppState,
    req: &IssueOverrides,
    id: Option<&str>,
) -> ApiResult<(NewLicense, LicenseKey)> {
    let policy = s
        .store
        .policy(&req.policy_id)
        .await
        .map_err(ApiError::absent_is_invalid("no such policy"))?;
    let product = s.store.product(&policy.product_id).await?;
    if let Some(c) = &req.customer_id {
        s.store
            .customer(c)
            .await
            .map_err(ApiError::absent_is_invalid("no such customer"))?;
    }
    let licensee = text_field("licensee", &req.licensee, licentia::license::MAX_TEXT_LEN)?;
    let at = now();
    let mut spec = base_spec(&policy, &product, licensee, req, at)?;
    if let Some(id) = id {
        spec.id = Some(LicenseId::parse(id)?.to_string());
    }
    let body_check = spec.to_body()?;
    let file = if has_own_file(&policy, &spec) {
        Some(s.sign(|k| sign_license(&spec, k)).await?)
    } else {
        None
    };
    let license_key = LicenseKey::generate();
    let record = LicenseRecord {
        id: body_check.id.to_string(),
        product_id: product.id.clone(),
        policy_id: policy.id.clone(),
        customer_id: req.customer_id.clone(),
        key_hint: license_key.hint(),
        status: "active".into(),
        licensee: licensee.to_owned(),
        seats: i64::from(body_check.seats),
        seats_used: 0,
        expires_at: body_check.terms.hard_expiry.map(|t| t.0),
        file,
        issued_at: at.0,
        updated_at: at.0,
        terms_version: 0,
        spec,
    };
    let new = NewLicense {
        record,
        key_hash: license_key.hash(),
    };
    Ok((new, license_key))
}

// ---------------------------------------------------------------- plans

/// `POST /v1/plans` body.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewPlan {
    name: String,
    policy_id: String,
    #[serde(default)]
    options: Vec<PlanOption>,
}

/// `POST /v1/plans` (admin, issuer): a product's policy and its add-ons.
pub async fn create_plan(State(s): State<AppState>, staff: Staff, body: Body<NewPlan>) -> Answer {
    staff.allow(WRITERS)?;
    let p = body.value;
    let policy = s
        .store
        .policy(&p.policy_id)
        .await
        .map_err(ApiError::absent_is_invalid("no such policy"))?;
    let product = s.store.product(&policy.product_id).await?;
    let mut codes = std::collections::BTreeSet::new();
    for o in &p.options {
        text_field("option code", &o.code, 64)?;
        text_field("option name", &o.name, 128)?;
        if !codes.insert(o.code.as_str()) {
            return Err(ApiError::invalid(format!(
                "option {} is given twice",
                o.code
            )));
        }
    }
    // The core judges the plan: a license with every option must build.
    let all: Vec<String> = p.options.iter().map(|o| o.code.clone()).collect();
    let probe = IssueOverrides {
        features: Some(plan_features(&policy, &p.options, &all)?),
        ..IssueOverrides::default()
    };
    base_spec(&policy, &product, "probe", &probe, now())?.to_body()?;
    let plan = Plan {
        id: secret::new_id("pln"),
        product_id: product.id,
        policy_id: policy.id,
        name: text_field("name", &p.name, 128)?.to_owned(),
        options: p.options,
        created_at: now().0,
    };
    created(to_value(&s.store.create_plan(plan, &staff.actor()).await?))
}

/// The policy's features plus those of the chosen options.
fn plan_features(
    policy: &Policy,
    options: &[PlanOption],
    chosen: &[String],
) -> ApiResult<Vec<String>> {
    let mut features = policy.entitlements.clone();
    for (n, code) in chosen.iter().enumerate() {
        if chosen[..n].contains(code) {
            return Err(ApiError::invalid(format!("option {code} is chosen twice")));
        }
        let option = options
            .iter()
            .find(|o| &o.code == code)
            .ok_or_else(|| ApiError::invalid(format!("the plan has no option {code}")))?;
        features.extend(option.entitlements.iter().cloned());
    }
    Ok(features)
}

/// Filters of the plan list.
#[derive(Deserialize)]
pub struct PlanQuery {
    product_id: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
}

/// `GET /v1/plans`.
pub async fn list_plans(State(s): State<AppState>, staff: Staff, Q(q): Q<PlanQuery>) -> Answer {
    staff.allow(READERS)?;
    let page = PageQuery::new(q.limit, q.offset).page()?;
    list(
        &s.store.list_plans(q.product_id.as_deref(), page).await?,
        page,
    )
}

/// `GET /v1/plans/{id}`.
pub async fn show_plan(State(s): State<AppState>, staff: Staff, Path(id): Path<String>) -> Answer {
    staff.allow(READERS)?;
    ok(to_value(&s.store.plan(&id).await?))
}

/// `POST /v1/plans/{id}/licenses` body: what `POST /v1/licenses` takes,
/// less the policy and features, plus the options chosen.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanIssue {
    licensee: String,
    email: Option<String>,
    customer_id: Option<String>,
    seats: Option<u32>,
    machines: Option<Vec<String>>,
    user: Option<String>,
    metadata: Option<std::collections::BTreeMap<String, String>>,
    expires: Option<String>,
    #[serde(default)]
    options: Vec<String>,
}

/// `POST /v1/plans/{id}/licenses` (admin, issuer): a license of the plan's
/// policy with the chosen options' entitlements; the key is in this answer only.
pub async fn issue_from_plan(
    State(s): State<AppState>,
    staff: Staff,
    key: IdempotencyKey,
    Path(id): Path<String>,
    body: Body<PlanIssue>,
) -> Answer {
    staff.allow(WRITERS)?;
    let overrides = plan_license(&s, &id, body.value).await?;
    issue(s, staff, key, &format!("issue:{id}"), &body.hash, overrides).await
}

/// What a license of plan `plan_id` with the options `req` chooses is
/// issued from (the policy's terms, the options' entitlements).
async fn plan_license(s: &AppState, plan_id: &str, req: PlanIssue) -> ApiResult<IssueOverrides> {
    let plan = s.store.plan(plan_id).await?;
    let policy = s.store.policy(&plan.policy_id).await?;
    let features = plan_features(&policy, &plan.options, &req.options)?;
    Ok(IssueOverrides {
        policy_id: plan.policy_id,
        licensee: req.licensee,
        email: req.email,
        customer_id: req.customer_id,
        seats: req.seats,
        machines: req.machines,
        user: req.user,
        metadata: req.metadata,
        expires: req.expires,
        features: Some(features),
    })
}

/// Filters of the license list.
#[derive(Deserialize)]
pub struct LicenseQuery {
    product_id: Option<String>,
    customer_id: Option<String>,
    status: Option<String>,
    expires_before: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
}

/// `GET /v1/licenses`.
pub async fn list_licenses(
    State(s): State<AppState>,
    staff: Staff,
    Q(q): Q<LicenseQuery>,
) -> Answer {
    staff.allow(READERS)?;
    let page = PageQuery::new(q.limit, q.offset).page()?;
    let filter = LicenseFilter {
        product_id: q.product_id,
        customer_id: q.customer_id,
        status: q.status,
        expires_before: q
            .expires_before
            .as_deref()
            .map(Timestamp::parse)
            .transpose()?
            .map(|t| t.0),
    };
    list(&s.store.list_licenses(&filter, page).await?, page)
}

/// `GET /v1/licenses/{id}`.
pub async fn show_license(
    State(s): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> Answer {
    staff.allow(READERS)?;
    ok(to_value(&s.store.license(&id).await?))
}

/// A reason for a status change.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Reason {
    reason: Option<String>,
}

async fn change_status(
    s: &AppState,
    staff: &Staff,
    id: &str,
    from: &[&str],
    to: &str,
    op: &'static str,
    reason: Option<String>,
) -> Answer {
    staff.allow(WRITERS)?;
    let ev = Event {
        actor: staff.actor(),
        operation: op,
        subject: id.to_owned(),
        license_id: None,
        customer_id: None,
        details: json!({ "reason": reason }),
    };
    ok(to_value(&s.store.set_status(id, from, to, ev).await?))
}

fn reason(body: Option<Body<Reason>>) -> Option<String> {
    body.and_then(|b| b.value.reason)
}

/// `POST /v1/licenses/{id}/suspend`.
pub async fn suspend(
    State(s): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    body: Option<Body<Reason>>,
) -> Answer {
    change_status(
        &s,
        &staff,
        &id,
        &["active"],
        "suspended",
        "license.suspend",
        reason(body),
    )
    .await
}

/// `POST /v1/licenses/{id}/reinstate`.
pub async fn reinstate(
    State(s): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    body: Option<Body<Reason>>,
) -> Answer {
    change_status(
        &s,
        &staff,
        &id,
        &["suspended"],
        "active",
        "license.reinstate",
        reason(body),
    )
    .await
}

/// `POST /v1/licenses/{id}/revoke`: for good; the revocation list grows.
pub async fn revoke(
    State(s): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    body: Option<Body<Reason>>,
) -> Answer {
    change_status(
        &s,
        &staff,
        &id,
        &["active", "suspended"],
        "revoked",
        "license.revoke",
        reason(body),
    )
    .await
}

/// `POST /v1/licenses/{id}/renew` body.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RenewRequest {
    expires: String,
    soft_expiry: Option<String>,
    /// `file` (a new license file) or `token` (a renewal token for a file the customer holds).
    #[serde(default = "file_mode")]
    mode: String,
    /// For a token: the activation whose machine-locked file is renewed.
    activation_id: Option<String>,
}

fn file_mode() -> String {
    "file".into()
}

/// `POST /v1/licenses/{id}/renew` (admin, issuer, finance).
pub async fn renew(
    State(s): State<AppState>,
    staff: Staff,
    key: IdempotencyKey,
    Path(id): Path<String>,
    body: Body<RenewRequest>,
) -> Answer {
    staff.allow(&[Admin, Issuer, Finance])?;
    let req = &body.value;
    let mut record = s.store.license(&id).await?;
    let hard = Timestamp::parse(&req.expires)?;
    let soft = req
        .soft_expiry
        .as_deref()
        .map(Timestamp::parse)
        .transpose()?;
    let token = extend_license(
        &s,
        &mut record,
        hard,
        soft,
        &req.mode,
        req.activation_id.as_deref(),
    )
    .await?;
    let ev = Event {
        actor: staff.actor(),
        operation: "license.renew",
        subject: id.clone(),
        license_id: None,
        customer_id: None,
        details: json!({ "expires": hard.to_string(), "mode": req.mode }),
    };
    let render = move |r: &LicenseRecord| json!({ "license": r, "renewal_token": token });
    let actor = staff.actor();
    idempotent!(
        s,
        key,
        "renew",
        &actor,
        &body.hash,
        StatusCode::OK,
        render,
        |idem| { s.store.update_terms(record, ev, idem).await? }
    )
}

/// Renews `record` to expire at `hard` (and `soft`): its spec says so, and
/// in `file` mode its own file (if it has one) is re-signed; in `token` mode
/// the answer is a renewal token for the file the customer holds (its own,
/// or the machine-locked file of `activation_id`). The shared path of
/// `POST /v1/licenses/{id}/renew` and subscription renewals; the caller
/// stores the record.
async fn extend_license(
    s: &AppState,
    record: &mut LicenseRecord,
    hard: Timestamp,
    soft: Option<Timestamp>,
    mode: &str,
    activation_id: Option<&str>,
) -> ApiResult<Option<String>> {
    record.spec.expires = Some(hard.to_string());
    record.spec.soft_expiry = soft.map(|t| t.to_string());
    record.spec.issued_at = Some(now().to_string());
    record.spec.to_body()?;
    record.expires_at = Some(hard.0);
    let token = match mode {
        "file" => {
            if record.file.is_some() {
                record.file = Some(s.sign(|k| sign_license(&record.spec, k)).await?);
            }
            None
        }
        "token" => {
            let held = match activation_id {
                Some(a) => {
                    let activation = s.store.activation(a).await?;
                    if activation.license_id != record.id || activation.mode != "online" {
                        return Err(ApiError::invalid("that activation is not an online activation of this license"));
                    }
                    activation.file
                }
                None => record.file.clone().ok_or_else(|| ApiError::invalid("this license has no file of its own: name the activation_id whose file to renew"))?,
            };
            let renewal = s
                .sign(|k| {
                    let license = k.verifier().verify(&held).map_err(|e| {
                        ApiError::conflict(
                            "file_not_trusted",
                            format!("the file to renew does not verify with the trusted keys: {e}"),
                        )
                    })?;
                    let action = RenewalAction::ExtendTo {
                        hard_expiry: hard,
                        soft_expiry: soft,
                    };
                    Ok(k.issuer().renewal(&license, action, now())?.to_armor())
                })
                .await?;
            Some(renewal)
        }
        _ => return Err(ApiError::invalid("mode is 'file' or 'token'")),
    };
    Ok(token)
}

/// `PUT /v1/licenses/{id}/entitlements` body.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntitlementsRequest {
    features: Vec<String>,
}

/// `PUT /v1/licenses/{id}/entitlements` (admin, issuer): a new file with these features.
pub async fn set_entitlements(
    State(s): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    body: Body<EntitlementsRequest>,
) -> Answer {
    staff.allow(WRITERS)?;
    let record = s.store.license(&id).await?;
    let record = with_features(&s, record, body.value.features.clone()).await?;
    let ev = Event {
        actor: staff.actor(),
        operation: "license.entitlements",
        subject: id,
        license_id: None,
        customer_id: None,
        details: json!({ "features": body.value.features }),
    };
    match s.store.update_terms(record, ev, None).await? {
        Outcome::Fresh(r) => ok(to_value(&r)),
        Outcome::Replay { .. } => Err(ApiError::internal("replay without a key")),
    }
}

/// The license with `features` in place of its own, its file signed anew.
async fn with_features(
    s: &AppState,
    mut record: LicenseRecord,
    features: Vec<String>,
) -> ApiResult<LicenseRecord> {
    record.spec.features = Some(features);
    record.spec.issued_at = Some(now().to_string());
    record.spec.to_body()?;
    if record.file.is_some() {
        record.file = Some(s.sign(|k| sign_license(&record.spec, k)).await?);
    }
    Ok(record)
}

/// `PUT /v1/licenses/{id}/seats` body.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeatsRequest {
    seats: u32,
}

/// A seat change of `id` from `current` to `seats` asked by `staff`: at
/// least 1; a raise by `raisers`, a cut by `cutters`. Answers the seats, the
/// history event (`operation`) and whether the caller may raise, which the
/// store checks again in its transaction: a concurrent cut may turn this
/// cut into a raise.
fn seats_change(
    staff: &Staff,
    id: &str,
    operation: &'static str,
    (current, seats): (i64, u32),
    raisers: &[Role],
    cutters: &[Role],
) -> ApiResult<(i64, bool, Event)> {
    let seats = i64::from(seats);
    if seats == 0 {
        return Err(ApiError::invalid("seats must be at least 1"));
    }
    staff.allow(if seats > current { raisers } else { cutters })?;
    let ev = Event {
        actor: staff.actor(),
        operation,
        subject: id.to_owned(),
        license_id: None,
        customer_id: None,
        details: json!({ "from": current, "to": seats }),
    };
    Ok((seats, staff.allow(raisers).is_ok(), ev))
}

/// `PUT /v1/licenses/{id}/seats`: only finance raises; never below seats in use.
pub async fn set_seats(
    State(s): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    body: Body<SeatsRequest>,
) -> Answer {
    let current = s.store.license(&id).await?;
    let (seats, may_raise, ev) = seats_change(
        &staff,
        &id,
        "license.seats",
        (current.seats, body.value.seats),
        &[Finance],
        &[Admin, Issuer, Finance],
    )?;
    ok(to_value(
        &s.store.set_seats(&id, seats, may_raise, ev).await?,
    ))
}

/// `GET /v1/licenses/{id}/activations`.
pub async fn license_activations(
    State(s): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Q(q): Q<PageQuery>,
) -> Answer {
    staff.allow(READERS)?;
    let page = q.page()?;
    s.store.license(&id).await?;
    list(&s.store.list_activations(&id, page).await?, page)
}

// ---------------------------------------------------------------- product-facing

/// A license's policy. Policies never change once made, so each instance
/// keeps the ones it has read.
async fn policy_of(s: &AppState, id: &str) -> ApiResult<Policy> {
    if let Some(p) = s.policies.read().unwrap_or_else(|p| p.into_inner()).get(id) {
        return Ok(p.clone());
    }
    let policy = s.store.policy(id).await?;
    s.policies
        .write()
        .unwrap_or_else(|p| p.into_inner())
        .insert(id.to_owned(), policy.clone());
    Ok(policy)
}

/// The license a product's key opens; unknown keys are 401.
async fn licensed(s: &AppState, key: &str) -> ApiResult<(LicenseRecord, String)> {
    let key = LicenseKey::parse(key).map_err(ApiError::bad_request)?;
    let hash = key.hash();
    let license = s
        .store
        .license_by_key(&hash)
        .await?
        .ok_or_else(|| ApiError::unauthorized("unknown license key"))?;
    Ok((license, hash))
}

fn fingerprint(text: &str) -> ApiResult<Fingerprint> {
    Ok(Fingerprint::parse(text)?)
}

fn refuse_unless_active(license: &LicenseRecord) -> ApiResult<()> {
    if license.status != "active" {
        return Err(ApiError::conflict(
            if license.status == "suspended" {
                "license_suspended"
            } else {
                "license_revoked"
            },
            format!("the license is {}", license.status),
        ));
    }
    Ok(())
}

/// `POST /v1/activations` body.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActivateRequest {
    license_key: String,
    fingerprint: String,
    #[serde(default = "unknown")]
    platform: String,
}

fn unknown() -> String {
    "unknown".into()
}

/// `POST /v1/activations` (license key): a machine-locked file, one seat.
pub async fn activate(
    State(s): State<AppState>,
    key: IdempotencyKey,
    body: Body<ActivateRequest>,
) -> Answer {
    let req = &body.value;
    let (license, key_hash) = licensed(&s, &req.license_key).await?;
    let machine = fingerprint(&req.fingerprint)?;
    let platform = text_field("platform", &req.platform, 64)?.to_owned();
    refuse_unless_active(&license)?;
    let policy = policy_of(&s, &license.policy_id).await?;
    if !matches!(policy.binding.as_str(), "node-locked" | "unbound") {
        return Err(ApiError::conflict(
            "wrong_binding",
            format!(
                "a {} license is not activated per machine{}",
                policy.binding,
                if policy.binding == "floating" {
                    ": check out a lease"
                } else {
                    ""
                }
            ),
        ));
    }
    let at = now();
    let spec = machine_spec(&license, &policy, &machine, at);
    let file = s.sign(|k| sign_license(&spec, k)).await?;
    let activation = Activation {
        id: secret::new_id("act"),
        license_id: license.id.clone(),
        fingerprint: machine.to_string(),
        platform,
        mode: "online".into(),
        file,
        created_at: at.0,
        last_seen_at: at.0,
        deactivated_at: None,
    };
    let ev = Event {
        actor: format!("license:{}", license.id),
        operation: "activation.create",
        subject: activation.id.clone(),
        license_id: None,
        customer_id: license.customer_id.clone(),
        details: Value::Null,
    };
    let render = |a: &Activation| json!({ "activation_id": a.id, "license_id": a.license_id, "license_file": a.file });
    idempotent!(
        s,
        key,
        "activate",
        &key_hash,
        &body.hash,
        StatusCode::CREATED,
        render,
        |idem| { s.store.activate(activation, ev, idem).await? }
    )
}

fn header_key(headers: &HeaderMap) -> Option<&str> {
    headers.get("x-license-key").and_then(|v| v.to_str().ok())
}

/// `DELETE /v1/activations/{id}`: by the product (`X-License-Key`) or staff.
pub async fn deactivate(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Answer {
    let (actor, license_id) = match header_key(&headers) {
        Some(k) => {
            let (license, _) = licensed(&s, k).await?;
            (format!("license:{}", license.id), Some(license.id))
        }
        None => {
            let token = headers
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
                .ok_or_else(|| ApiError::unauthorized("send X-License-Key or an API token"))?;
            let staff = s
                .store
                .token_by_hash(&secret::sha256_hex(token.trim().as_bytes()))
                .await?
                .map(Staff)
                .ok_or_else(|| ApiError::unauthorized("unknown or revoked API token"))?;
            staff.allow(WRITERS)?;
            (staff.actor(), None)
        }
    };
    let ev = Event {
        actor,
        operation: "activation.delete",
        subject: id.clone(),
        license_id: None,
        customer_id: None,
        details: Value::Null,
    };
    ok(to_value(
        &s.store.deactivate(&id, license_id.as_deref(), ev).await?,
    ))
}

/// `POST /v1/activations/offline` body.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OfflineRequest {
    request: String,
    /// Days the answer may be accepted (default 30).
    valid_days: Option<u32>,
}

/// `POST /v1/activations/offline` (admin, issuer): request document in, activation answer out.
pub async fn activate_offline(
    State(s): State<AppState>,
    staff: Staff,
    key: IdempotencyKey,
    body: Body<OfflineRequest>,
) -> Answer {
    staff.allow(WRITERS)?;
    let request = ActivationRequest::parse(&body.value.request)?;
    let license = match &request.license {
        LicenseRef::Key(k) => licensed(&s, k).await?.0,
        LicenseRef::Id(id) => s.store.license(&id.to_string()).await?,
    };
    refuse_unless_active(&license)?;
    let policy = policy_of(&s, &license.policy_id).await?;
    if !matches!(policy.binding.as_str(), "node-locked" | "unbound") {
        return Err(ApiError::conflict(
            "wrong_binding",
            format!("a {} license is not activated per machine", policy.binding),
        ));
    }
    let at = now();
    let spec = machine_spec(&license, &policy, &request.fingerprint, at);
    let not_after = at.add_days(i64::from(body.value.valid_days.unwrap_or(30).max(1)));
    let signed = spec.to_body()?;
    let answer = s
        .sign(|k| {
            Ok(k.issuer()
                .answer_activation(&request, &signed, not_after)?
                .to_armor())
        })
        .await?;
    let activation = Activation {
        id: secret::new_id("act"),
        license_id: license.id.clone(),
        fingerprint: request.fingerprint.to_string(),
        platform: text_field("platform", &request.platform, 64)
            .unwrap_or("unknown")
            .to_owned(),
        mode: "offline".into(),
        file: answer,
        created_at: at.0,
        last_seen_at: at.0,
        deactivated_at: None,
    };
    let ev = Event {
        actor: staff.actor(),
        operation: "activation.offline",
        subject: activation.id.clone(),
        license_id: None,
        customer_id: license.customer_id.clone(),
        details: Value::Null,
    };
    let render = |a: &Activation| json!({ "activation_id": a.id, "license_id": a.license_id, "answer": a.file });
    let actor = staff.actor();
    idempotent!(
        s,
        key,
        "activate-offline",
        &actor,
        &body.hash,
        StatusCode::CREATED,
        render,
        |idem| { s.store.activate(activation, ev, idem).await? }
    )
}

/// A product's request naming its license and machine.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MachineRequest {
    license_key: String,
    fingerprint: String,
}

/// `POST /v1/check-ins` (license key): a fresh file for an activated machine.
pub async fn check_in(State(s): State<AppState>, body: Body<MachineRequest>) -> Answer {
    let (license, _) = licensed(&s, &body.value.license_key).await?;
    let machine = fingerprint(&body.value.fingerprint)?;
    refuse_unless_active(&license)?;
    let policy = policy_of(&s, &license.policy_id).await?;
    let spec = machine_spec(&license, &policy, &machine, now());
    let file = s.sign(|k| sign_license(&spec, k)).await?;
    let ev = Event {
        actor: format!("license:{}", license.id),
        operation: "activation.check_in",
        subject: String::new(),
        license_id: None,
        customer_id: license.customer_id.clone(),
        details: Value::Null,
    };
    let a = s
        .store
        .check_in(&license.id, &machine.to_string(), file, ev)
        .await?;
    ok(json!({ "activation_id": a.id, "license_file": a.file }))
}

/// `POST /v1/temporary-licenses` (license key): a short license for a
/// replacement machine; no seat; limited per license per period.
pub async fn temporary(State(s): State<AppState>, body: Body<MachineRequest>) -> Answer {
    let (license, _) = licensed(&s, &body.value.license_key).await?;
    let machine = fingerprint(&body.value.fingerprint)?;
    refuse_unless_active(&license)?;
    let policy = policy_of(&s, &license.policy_id).await?;
    let at = now();
    let mut ends = at.add_days(policy.temp_duration_days);
    if let Some(end) = license.expires_at {
        ends = Timestamp(ends.0.min(end));
    }
    if ends <= at {
        return Err(ApiError::conflict(
            "license_expired",
            "the license has expired",
        ));
    }
    let spec = LicenseSpec {
        id: None,
        temporary_for: Some(license.id.clone()),
        trial: None,
        expires: Some(ends.to_string()),
        soft_expiry: None,
        grace_days: None,
        check_in_days: None,
        max_offline_days: None,
        ..machine_spec(&license, &policy, &machine, at)
    };
    let temp = Temporary {
        id: secret::new_id("tmp"),
        license_id: license.id.clone(),
        fingerprint: machine.to_string(),
        file: s.sign(|k| sign_license(&spec, k)).await?,
        created_at: at.0,
        expires_at: ends.0,
    };
    let ev = Event {
        actor: format!("license:{}", license.id),
        operation: "temporary.create",
        subject: String::new(),
        license_id: None,
        customer_id: license.customer_id.clone(),
        details: Value::Null,
    };
    let period_start = at.0 - policy.temp_period_days * DAY;
    let t = s
        .store
        .issue_temporary(temp, policy.temp_quota, period_start, ev)
        .await?;
    created(json!({ "temporary_id": t.id, "license_file": t.file, "expires_at": t.expires_at }))
}

fn lease_doc(
    license: &LicenseRecord,
    policy: &Policy,
    machine: &Fingerprint,
    at: Timestamp,
    ends: Timestamp,
    keys: &Keyring,
) -> ApiResult<String> {
    let spec = LicenseSpec {
        expires: Some(ends.to_string()),
        soft_expiry: None,
        grace_days: None,
        check_in_days: None,
        max_offline_days: None,
        ..machine_spec(license, policy, machine, at)
    };
    Ok(keys.issuer().issue_lease(&spec.to_body()?)?.to_armor())
}

fn lease_end(license: &LicenseRecord, policy: &Policy, at: Timestamp) -> ApiResult<Timestamp> {
    let mut ends = at.add_secs(policy.lease_ttl_secs);
    if let Some(end) = license.expires_at {
        ends = Timestamp(ends.0.min(end));
    }
    if ends <= at {
        return Err(ApiError::conflict(
            "license_expired",
            "the license has expired",
        ));
    }
    Ok(ends)
}

/// `POST /v1/leases` (license key): check a floating seat out.
pub async fn checkout(State(s): State<AppState>, body: Body<MachineRequest>) -> Answer {
    let (license, _) = licensed(&s, &body.value.license_key).await?;
    let machine = fingerprint(&body.value.fingerprint)?;
    refuse_unless_active(&license)?;
    let policy = policy_of(&s, &license.policy_id).await?;
    if policy.binding != "floating" {
        return Err(ApiError::conflict(
            "wrong_binding",
            "only floating licenses lease seats",
        ));
    }
    let at = now();
    let ends = lease_end(&license, &policy, at)?;
    let doc = s
        .sign(|k| lease_doc(&license, &policy, &machine, at, ends, k))
        .await?;
    let lease = Lease {
        id: secret::new_id("lse"),
        license_id: license.id.clone(),
        fingerprint: machine.to_string(),
        created_at: at.0,
        expires_at: ends.0,
        returned_at: None,
    };
    let ev = Event {
        actor: format!("license:{}", license.id),
        operation: "lease.checkout",
        subject: String::new(),
        license_id: None,
        customer_id: license.customer_id.clone(),
        details: Value::Null,
    };
    let lease = s
        .store
        .checkout_lease(lease, license.seats, at.0, ev)
        .await?;
    created(json!({ "lease_id": lease.id, "expires_at": lease.expires_at, "lease": doc }))
}

/// `POST /v1/leases/{id}/heartbeat` body.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyOnly {
    license_key: String,
}

/// `POST /v1/leases/{id}/heartbeat` (license key): extend a live lease.
pub async fn heartbeat(
    State(s): State<AppState>,
    Path(id): Path<String>,
    body: Body<KeyOnly>,
) -> Answer {
    let (license, _) = licensed(&s, &body.value.license_key).await?;
    refuse_unless_active(&license)?;
    let policy = policy_of(&s, &license.policy_id).await?;
    let at = now();
    let ends = lease_end(&license, &policy, at)?;
    let ev = Event {
        actor: format!("license:{}", license.id),
        operation: "lease.heartbeat",
        subject: id.clone(),
        license_id: None,
        customer_id: license.customer_id.clone(),
        details: Value::Null,
    };
    let lease = s
        .store
        .heartbeat_lease(&id, &license.id, at.0, ends.0, ev)
        .await?;
    let machine = fingerprint(&lease.fingerprint)?;
    let doc = s
        .sign(|k| lease_doc(&license, &policy, &machine, at, ends, k))
        .await?;
    ok(json!({ "lease_id": lease.id, "expires_at": lease.expires_at, "lease": doc }))
}

/// `DELETE /v1/leases/{id}` (`X-License-Key`): return the seat early.
pub async fn return_lease(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Answer {
    let key = header_key(&headers)
        .ok_or_else(|| ApiError::unauthorized("send the license key in X-License-Key"))?;
    let (license, _) = licensed(&s, key).await?;
    let ev = Event {
        actor: format!("license:{}", license.id),
        operation: "lease.return",
        subject: id.clone(),
        license_id: None,
        customer_id: license.customer_id.clone(),
        details: Value::Null,
    };
    ok(to_value(
        &s.store.return_lease(&id, &license.id, now().0, ev).await?,
    ))
}

/// `GET /v1/revocation-list?product=CODE`: the signed current list (public).
#[derive(Deserialize)]
pub struct RevocationQuery {
    product: String,
}

/// `GET /v1/revocation-list`.
pub async fn revocation_list(State(s): State<AppState>, Q(q): Q<RevocationQuery>) -> Answer {
    let product = s.store.product(&q.product).await?;
    let state = s.store.revocation_state(&product.id).await?;
    let body = RevocationBody {
        product: product.code.clone(),
        sequence: u64::try_from(state.sequence).map_err(ApiError::internal)?,
        issued_at: Timestamp(state.updated_at),
        licenses: state
            .licenses
            .iter()
            .map(|id| LicenseId::parse(id))
            .collect::<licentia::Result<_>>()
            .map_err(ApiError::internal)?,
        machines: Vec::new(),
        keys: s
            .store
            .retired_keys()
            .await?
            .iter()
            .map(|id| KeyId::from_hex(id))
            .collect::<licentia::Result<_>>()
            .map_err(ApiError::internal)?,
    };
    let document = s
        .sign(|k| Ok(k.issuer().revocation_list(&body)?.to_armor()))
        .await?;
    ok(json!({ "product": product.code, "sequence": state.sequence, "document": document }))
}

// ---------------------------------------------------------------- history

/// Filters of the history.
#[derive(Deserialize)]
pub struct HistoryQuery {
    license_id: Option<String>,
    customer_id: Option<String>,
    operation: Option<String>,
    after_seq: Option<i64>,
    limit: Option<i64>,
    offset: Option<i64>,
}

async fn history_page(
    s: &AppState,
    staff: &Staff,
    filter: HistoryFilter,
    page: &PageQuery,
) -> Answer {
    staff.allow(READERS)?;
    let page = page.page()?;
    list(&s.store.history(&filter, page).await?, page)
}

/// `GET /v1/history`.
pub async fn history(State(s): State<AppState>, staff: Staff, Q(q): Q<HistoryQuery>) -> Answer {
    let filter = HistoryFilter {
        license_id: q.license_id,
        customer_id: q.customer_id,
        operation: q.operation,
        after_seq: q.after_seq,
    };
    history_page(&s, &staff, filter, &PageQuery::new(q.limit, q.offset)).await
}

/// `GET /v1/licenses/{id}/history`.
pub async fn license_history(
    State(s): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Q(q): Q<PageQuery>,
) -> Answer {
    let filter = HistoryFilter {
        license_id: Some(id),
        ..HistoryFilter::default()
    };
    history_page(&s, &staff, filter, &q).await
}

/// `GET /v1/customers/{id}/history`.
pub async fn customer_history(
    State(s): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Q(q): Q<PageQuery>,
) -> Answer {
    let filter = HistoryFilter {
        customer_id: Some(id),
        ..HistoryFilter::default()
    };
    history_page(&s, &staff, filter, &q).await
}
