//! The catalogue: products, policies (license templates) and plans (a policy and its add-on options).

use crate::api::{named, Created, Listed, Listing, Reply};
use axum::extract::State;
use licentia::{BindingKind, MatchRule};
use schemars::JsonSchema;
use serde::Deserialize;

use crate::error::{ApiError, ApiResult};
use crate::extract::{Body, PageQuery, Staff, Q};
use crate::secret::{self};
use crate::store::names;
use crate::store::*;
use crate::AppState;

use crate::api::WRITERS;
use crate::routes::{Access, Route};
use crate::service::licenses::{base_spec, plan_features, IssueOverrides};
use crate::service::{now, text_field};

/// The routes of this part of the API.
pub(crate) fn routes() -> Vec<Route> {
    use Access::Token;
    vec![
        Route::post(
            "/v1/products",
            Token,
            "Create a product (admin, issuer)",
            create_product,
        ),
        Route::get("/v1/products", Token, "List products", list_products),
        Route::show(
            "/v1/products/{id}",
            "Show a product (id or code)",
            |s, id| s.store.product(id),
        ),
        Route::post(
            "/v1/policies",
            Token,
            "Create a policy (admin, issuer)",
            create_policy,
        ),
        Route::get(
            "/v1/policies",
            Token,
            "List policies (filter: product_id)",
            list_policies,
        ),
        Route::show("/v1/policies/{id}", "Show a policy", |s, id| {
            s.store.policy(id)
        }),
        Route::post(
            "/v1/plans",
            Token,
            "Create a plan: a policy and add-on options (admin, issuer)",
            create_plan,
        ),
        Route::get(
            "/v1/plans",
            Token,
            "List plans (filter: product_id)",
            list_plans,
        ),
        Route::show("/v1/plans/{id}", "Show a plan", |s, id| s.store.plan(id)),
    ]
}

/// A new product.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewProduct {
    /// Product code, as licenses name it.
    code: String,
    /// Display name.
    name: String,
}

/// `POST /v1/products` (admin, issuer).
pub(crate) async fn create_product(
    State(s): State<AppState>,
    staff: Staff,
    body: Body<NewProduct>,
) -> ApiResult<Created<Product>> {
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
    Ok(Created::Fresh(
        s.store.create_product(product, &staff.actor()).await?,
    ))
}

/// `GET /v1/products`.
pub(crate) async fn list_products(
    State(s): State<AppState>,
    staff: Staff,
    Q(page): Q<PageQuery>,
) -> ApiResult<Reply<Listed<Product>>> {
    staff.read()?;
    Listed::fetch(&page, |p| s.store.list_products(p)).await
}

/// A new policy: a license template.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewPolicy {
    /// The product (id or code).
    product_id: String,
    /// Name, unique per product.
    name: String,
    /// `standard` (default) or `trial`.
    #[serde(default = "standard")]
    kind: String,
    /// `unbound`, `node-locked` (default), `floating` or `named-user`.
    #[serde(default = "node_locked")]
    binding: String,
    /// How a node-locked license's machine components must match: `all` (default), `most`, `two` or `any`.
    #[serde(default = "all")]
    match_rule: String,
    /// Licenses expire this many days after issue (perpetual when absent).
    duration_days: Option<u32>,
    /// Seats of each license (machines for node-locked, the cap for floating; default 1).
    #[serde(default = "one")]
    seats: u32,
    /// Days of grace after the hard expiry.
    grace_days: Option<u32>,
    /// Check in every this many days.
    check_in_days: Option<u32>,
    /// Days a machine may stay offline after a missed check-in.
    max_offline_days: Option<u32>,
    /// Features every license of the policy grants, `CODE[=COUNT][@DATE]`.
    #[serde(default)]
    entitlements: Vec<String>,
    /// Temporary licenses allowed per license per period (default 1).
    #[serde(default = "one")]
    temp_quota: u32,
    /// The quota's period in days (default 30).
    #[serde(default = "thirty")]
    temp_period_days: u32,
    /// How long a temporary license runs, in days (default 7).
    #[serde(default = "seven")]
    temp_duration_days: u32,
    /// Floating leases last this long unless renewed, in seconds (default 3600).
    #[serde(default = "hour")]
    lease_ttl_secs: u32,
    /// Machines a product may give back (to move to another) per period
    /// (default: no limit); staff may always deactivate.
    max_transfers: Option<u32>,
    /// The transfer limit's period in days (default 365).
    #[serde(default = "year")]
    transfer_period_days: u32,
}

pub(crate) fn standard() -> String {
    "standard".into()
}

pub(crate) fn node_locked() -> String {
    "node-locked".into()
}

pub(crate) fn all() -> String {
    "all".into()
}

pub(crate) fn one() -> u32 {
    1
}

pub(crate) fn thirty() -> u32 {
    30
}

pub(crate) fn seven() -> u32 {
    7
}

pub(crate) fn hour() -> u32 {
    3600
}

pub(crate) fn year() -> u32 {
    365
}

/// `POST /v1/policies` (admin, issuer).
pub(crate) async fn create_policy(
    State(s): State<AppState>,
    staff: Staff,
    body: Body<NewPolicy>,
) -> ApiResult<Created<Policy>> {
    staff.allow(WRITERS)?;
    let p = body.value;
    let product = named(s.store.product(&p.product_id), "no such product").await?;
    let kind = names::policy_kind::parse(&p.kind)
        .ok_or_else(|| ApiError::invalid("kind is 'standard' or 'trial'"))?;
    let binding = BindingKind::parse(&p.binding).map_err(|_| {
        ApiError::invalid("binding is 'unbound', 'node-locked', 'floating' or 'named-user'")
    })?;
    let match_rule = MatchRule::parse(&p.match_rule)?;
    if [
        p.seats,
        p.lease_ttl_secs,
        p.temp_period_days,
        p.temp_duration_days,
        p.transfer_period_days,
    ]
    .contains(&0)
    {
        return Err(ApiError::invalid(
            "seats, lease_ttl_secs, transfer_period_days and the temporary-license terms must be at least 1",
        ));
    }
    let policy = Policy {
        id: secret::new_id("pol"),
        product_id: product.id.clone(),
        name: text_field("name", &p.name, 128)?.to_owned(),
        kind,
        binding,
        match_rule,
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
        max_transfers: p.max_transfers.map(i64::from),
        transfer_period_days: p.transfer_period_days.into(),
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
    Ok(Created::Fresh(
        s.store.create_policy(policy, &staff.actor()).await?,
    ))
}

/// Filter of the policy list.
#[derive(Deserialize, JsonSchema)]
pub(crate) struct PolicyQuery {
    /// The product (id or code).
    product_id: Option<String>,
}

/// `GET /v1/policies`.
pub(crate) async fn list_policies(
    State(s): State<AppState>,
    staff: Staff,
    Listing { filter: q, page }: Listing<PolicyQuery>,
) -> ApiResult<Reply<Listed<Policy>>> {
    staff.read()?;
    Listed::fetch(&page, |p| s.store.list_policies(q.product_id.as_deref(), p)).await
}

/// `POST /v1/plans` body.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewPlan {
    /// Name, unique per product (Essential, Business...).
    name: String,
    /// The policy licenses are made from.
    policy_id: String,
    /// Add-on options a license of the plan may take.
    #[serde(default)]
    options: Vec<PlanOption>,
}

/// `POST /v1/plans` (admin, issuer): a product's policy and its add-ons.
pub(crate) async fn create_plan(
    State(s): State<AppState>,
    staff: Staff,
    body: Body<NewPlan>,
) -> ApiResult<Created<Plan>> {
    staff.allow(WRITERS)?;
    let p = body.value;
    let policy = named(s.store.policy(&p.policy_id), "no such policy").await?;
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
    Ok(Created::Fresh(
        s.store.create_plan(plan, &staff.actor()).await?,
    ))
}

/// Filters of the plan list.
#[derive(Deserialize, JsonSchema)]
pub(crate) struct PlanQuery {
    /// The product (id or code).
    product_id: Option<String>,
}

/// `GET /v1/plans`.
pub(crate) async fn list_plans(
    State(s): State<AppState>,
    staff: Staff,
    Listing { filter: q, page }: Listing<PlanQuery>,
) -> ApiResult<Reply<Listed<Plan>>> {
    staff.read()?;
    Listed::fetch(&page, |p| s.store.list_plans(q.product_id.as_deref(), p)).await
}
