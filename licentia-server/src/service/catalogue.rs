//! The catalogue's rules: what makes a product, a policy (a licence
//! template) and a plan (a policy with add-on options) acceptable. The
//! JSON API and the console both create, change and retire them here; a
//! change passes the rules of a creation.

use licentia::{BindingKind, MatchRule, Meter};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::api::{named, WRITERS};
use crate::billing::{check_amount, BillingError, Price, MAX_AMOUNT};
use crate::error::{ApiError, ApiResult};
use crate::secret;
pub(crate) use crate::service::changes::Changes;
use crate::service::changes::{differences, merged};
use crate::service::licenses::{base_spec, plan_features, IssueOverrides};
use crate::service::{now, text_field};
use crate::staff::Staff;
use crate::store::{names, Catalogued, MeterPrice, Plan, PlanOption, Policy, Product};
use crate::AppState;

/// The rule a product code obeys (refused in these words).
pub(crate) const CODE_RULE: &str = "a product code has letters, digits, '-', '_' and '.' only";

/// A new product.
#[derive(Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewProduct {
    /// Product code, as licenses name it.
    pub code: String,
    /// Display name.
    pub name: String,
    /// Price per allocated seat per month, invoiced to the partners the
    /// vendor allocates seats of this product to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allocation_price: Option<Price>,
}

/// Creates a product (admin, issuer).
pub(crate) async fn create_product(
    s: &AppState,
    staff: &Staff,
    new: &NewProduct,
) -> ApiResult<Product> {
    staff.allow(WRITERS)?;
    let product = product_of(new, secret::new_id("prd"), now().0)?;
    Ok(s.store.create_product(product, &staff.actor()).await?)
}

/// The product `new` asks for, as `id`, made at `created_at`: the rules
/// of its code and name.
/// `price` with its rules checked (a 422 naming the rule).
fn priced(price: Option<&Price>) -> ApiResult<Option<Price>> {
    match price {
        Some(p) => {
            p.check().map_err(bad_price)?;
            Ok(Some(p.clone()))
        }
        None => Ok(None),
    }
}

/// A refused price is the caller's to fix.
fn bad_price(e: BillingError) -> ApiError {
    ApiError::invalid(e.to_string())
}

fn product_of(new: &NewProduct, id: String, created_at: i64) -> ApiResult<Product> {
    let code = text_field("code", &new.code, licentia::license::MAX_CODE_LEN)?;
    if !code
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
    {
        return Err(ApiError::invalid(CODE_RULE));
    }
    Ok(Product {
        id,
        code: code.to_owned(),
        name: text_field("name", &new.name, 256)?.to_owned(),
        allocation_price: priced(new.allocation_price.as_ref())?,
        created_at,
        retired_at: None,
    })
}

/// A new policy: a license template.
#[derive(Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewPolicy {
    /// The product (id or code).
    pub product_id: String,
    /// Name, unique per product.
    pub name: String,
    /// `standard` (default) or `trial`.
    #[serde(default = "standard")]
    pub kind: String,
    /// `unbound`, `node-locked` (default), `floating` or `named-user`.
    #[serde(default = "node_locked")]
    pub binding: String,
    /// How a node-locked license's machine components must match: `all` (default), `most`, `two` or `any`.
    #[serde(default = "all")]
    pub match_rule: String,
    /// Licenses expire this many days after issue (perpetual when absent).
    pub duration_days: Option<u32>,
    /// Seats of each license (machines for node-locked, the cap for floating; default 1).
    #[serde(default = "one")]
    pub seats: u32,
    /// Days of grace after the hard expiry.
    pub grace_days: Option<u32>,
    /// Check in every this many days.
    pub check_in_days: Option<u32>,
    /// Days a machine may stay offline after a missed check-in.
    pub max_offline_days: Option<u32>,
    /// Licenses warn "renew soon" this many days before their hard expiry
    /// (a soft expiry; needs `duration_days`, and fewer days than it).
    pub renew_soon_days: Option<u32>,
    /// Maintenance window: versions released up to this many days after
    /// issue are covered (updates-until); a perpetual license with
    /// maintenance renews by extending it.
    pub maintenance_days: Option<u32>,
    /// Licenses run in a virtual machine (default true); false signs the
    /// refusal into each license, which the product's verdict reports as
    /// rule 111 where it detects a hypervisor.
    #[serde(default = "yes")]
    pub allow_virtual_machines: bool,
    /// Licenses run in a container (default true); false: rule 112 where
    /// the product detects a container.
    #[serde(default = "yes")]
    pub allow_containers: bool,
    /// Features every license of the policy grants, `CODE[=COUNT][@DATE]`.
    #[serde(default)]
    pub entitlements: Vec<String>,
    /// Consumable quotas every license of the policy carries,
    /// `NAME=QUOTA/PERIOD` (period: day, month, year or term): the back
    /// office counts usage against them (`POST /v1/usage`).
    #[serde(default)]
    pub meters: Vec<String>,
    /// Temporary licenses allowed per license per period (default 1).
    #[serde(default = "one")]
    pub temp_quota: u32,
    /// The quota's period in days (default 30).
    #[serde(default = "thirty")]
    pub temp_period_days: u32,
    /// How long a temporary license runs, in days (default 7).
    #[serde(default = "seven")]
    pub temp_duration_days: u32,
    /// Floating leases last this long unless renewed, in seconds (default 3600).
    #[serde(default = "hour")]
    pub lease_ttl_secs: u32,
    /// Machines a product may give back (to move to another) per period
    /// (default: no limit); staff may always deactivate.
    pub max_transfers: Option<u32>,
    /// The transfer limit's period in days (default 365).
    #[serde(default = "year")]
    pub transfer_period_days: u32,
}

/// The default policy kind.
pub(crate) fn standard() -> String {
    "standard".into()
}

/// Allowed (the environment terms).
pub(crate) fn yes() -> bool {
    true
}

/// The default binding.
pub(crate) fn node_locked() -> String {
    "node-locked".into()
}

/// The default match rule.
pub(crate) fn all() -> String {
    "all".into()
}

/// One (seats, temporary licences).
pub(crate) fn one() -> u32 {
    1
}

/// Thirty (days of the temporary-licence period).
pub(crate) fn thirty() -> u32 {
    30
}

/// Seven (days a temporary licence runs).
pub(crate) fn seven() -> u32 {
    7
}

/// An hour (a lease's length, in seconds).
pub(crate) fn hour() -> u32 {
    3600
}

/// A year (the transfer limit's period, in days).
pub(crate) fn year() -> u32 {
    365
}

/// The rule the policy's positive terms obey (refused in these words).
pub(crate) const AT_LEAST_ONE: &str =
    "seats, lease_ttl_secs, transfer_period_days and the temporary-license terms must be at least 1";

/// The rule a renew-soon term obeys (refused in these words).
pub(crate) const RENEW_SOON_RULE: &str =
    "renew_soon_days needs duration_days, and must be at least 1 and fewer than duration_days";

/// The rule a maintenance window obeys (refused in these words).
pub(crate) const MAINTENANCE_RULE: &str = "maintenance_days must be at least 1";

/// Creates a policy (admin, issuer); the core judges the template: a
/// license made from it must build.
pub(crate) async fn create_policy(s: &AppState, staff: &Staff, p: NewPolicy) -> ApiResult<Policy> {
    staff.allow(WRITERS)?;
    let product = named(s.store.product(&p.product_id), "no such product").await?;
    let policy = policy_of(p, &product, secret::new_id("pol"), now().0)?;
    Ok(s.store.create_policy(policy, &staff.actor()).await?)
}

/// The policy `p` asks for, as `id` of `product`, made at `created_at`:
/// every rule a policy obeys, and the core's judgement of a license made
/// from it. Creating and changing a policy both pass here.
pub(crate) fn policy_of(
    p: NewPolicy,
    product: &Product,
    id: String,
    created_at: i64,
) -> ApiResult<Policy> {
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
        return Err(ApiError::invalid(AT_LEAST_ONE));
    }
    if let Some(soon) = p.renew_soon_days {
        if soon == 0 || p.duration_days.is_none_or(|d| soon >= d) {
            return Err(ApiError::invalid(RENEW_SOON_RULE));
        }
    }
    if p.maintenance_days == Some(0) {
        return Err(ApiError::invalid(MAINTENANCE_RULE));
    }
    let policy = Policy {
        id,
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
        meters: p.meters,
        temp_quota: p.temp_quota.into(),
        temp_period_days: p.temp_period_days.into(),
        temp_duration_days: p.temp_duration_days.into(),
        lease_ttl_secs: p.lease_ttl_secs.into(),
        max_transfers: p.max_transfers.map(i64::from),
        transfer_period_days: p.transfer_period_days.into(),
        renew_soon_days: p.renew_soon_days.map(i64::from),
        maintenance_days: p.maintenance_days.map(i64::from),
        allow_virtual_machines: p.allow_virtual_machines,
        allow_containers: p.allow_containers,
        created_at,
        retired_at: None,
    };
    base_spec(&policy, product, "probe", &IssueOverrides::default(), now())?.to_body()?;
    Ok(policy)
}

/// `POST /v1/plans` body.
#[derive(Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewPlan {
    /// Name, unique per product (Essential, Business...).
    pub name: String,
    /// The policy licenses are made from.
    pub policy_id: String,
    /// Add-on options a license of the plan may take.
    #[serde(default)]
    pub options: Vec<PlanOption>,
    /// Price per seat per month, with its currency and tax rate; the
    /// options' prices are in its currency.
    #[serde(default)]
    pub price: Option<Price>,
    /// The price of each unit of the policy's meters consumed beyond the
    /// included ones per period, in the plan's currency (needs its price).
    #[serde(default)]
    pub meter_prices: Vec<MeterPrice>,
}

/// Creates a plan (admin, issuer): a product's policy and its add-ons;
/// the core judges it: a license with every option must build.
pub(crate) async fn create_plan(s: &AppState, staff: &Staff, p: NewPlan) -> ApiResult<Plan> {
    staff.allow(WRITERS)?;
    let plan = plan_of(s, p, secret::new_id("pln"), now().0).await?;
    Ok(s.store.create_plan(plan, &staff.actor()).await?)
}

/// The plan `p` asks for, as `id`, made at `created_at`: its policy in
/// use, its options' rules, and the core's judgement of a license with
/// every option. Creating and changing a plan both pass here.
async fn plan_of(s: &AppState, p: NewPlan, id: String, created_at: i64) -> ApiResult<Plan> {
    let policy = named(s.store.policy(&p.policy_id), "no such policy").await?;
    offered(Catalogued::Policy, &policy.name, policy.retired_at)?;
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
    let price = priced(p.price.as_ref())?;
    for o in &p.options {
        if let Some(amount) = o.price {
            if price.is_none() {
                return Err(ApiError::invalid(format!(
                    "option {} has a price but the plan has none: give the plan a price (its currency and tax rate apply to its options)",
                    o.code
                )));
            }
            check_amount(amount).map_err(bad_price)?;
        }
    }
    check_meter_prices(&policy, price.is_some(), &p.meter_prices)?;
    let all: Vec<String> = p.options.iter().map(|o| o.code.clone()).collect();
    let probe = IssueOverrides {
        features: Some(plan_features(&policy, &p.options, &all)?),
        ..IssueOverrides::default()
    };
    base_spec(&policy, &product, "probe", &probe, now())?.to_body()?;
    Ok(Plan {
        id,
        product_id: product.id,
        policy_id: policy.id,
        name: text_field("name", &p.name, 128)?.to_owned(),
        options: p.options,
        price,
        priced_since: None,
        meter_prices: p.meter_prices,
        created_at,
        retired_at: None,
    })
}

/// Refuses meter prices a plan of `policy` cannot bill: a meter the policy
/// does not carry, one priced twice, a price without the plan's (whose
/// currency and tax rate it takes), a negative or too large unit amount, a
/// negative number of included units.
fn check_meter_prices(policy: &Policy, priced: bool, prices: &[MeterPrice]) -> ApiResult<()> {
    let meters: Vec<String> = policy
        .meters
        .iter()
        .filter_map(|m| m.parse::<Meter>().ok())
        .map(|m| m.name)
        .collect();
    let mut seen = std::collections::BTreeSet::new();
    for m in prices {
        let refuse = |rule: String| ApiError::invalid(format!("meter price {}: {rule}", m.meter));
        if !meters.contains(&m.meter) {
            return Err(refuse(format!(
                "the policy {} has no such meter (its meters: {})",
                policy.name,
                if meters.is_empty() {
                    "none".to_owned()
                } else {
                    meters.join(", ")
                }
            )));
        }
        if !seen.insert(m.meter.as_str()) {
            return Err(refuse("the meter is priced twice".into()));
        }
        if !priced {
            return Err(refuse(
                "the plan has no price: give it one (its currency and tax rate apply to its meters)"
                    .into(),
            ));
        }
        if !(0..=MAX_AMOUNT).contains(&m.unit_amount) {
            return Err(refuse(format!(
                "a price per unit is 0 to {MAX_AMOUNT} minor units ({} given)",
                m.unit_amount
            )));
        }
        if m.included < 0 {
            return Err(refuse(format!(
                "the units included may not be negative ({} given)",
                m.included
            )));
        }
    }
    Ok(())
}

/// Refuses a retired record of `kind` named `name` for anything new (a
/// license, a subscription, a plan of a policy).
pub(crate) fn offered(kind: Catalogued, name: &str, retired_at: Option<i64>) -> ApiResult<()> {
    match retired_at {
        None => Ok(()),
        Some(_) => Err(ApiError::conflict(
            "retired",
            format!(
                "the {} {name} is retired: it is offered for no new license or subscription",
                kind.noun()
            ),
        )
        .with(serde_json::json!({ "record": kind.noun(), "name": name }))),
    }
}

/// Refuses a change of a retired record.
pub(crate) fn unretired(kind: Catalogued, retired_at: Option<i64>) -> ApiResult<()> {
    match retired_at {
        None => Ok(()),
        Some(_) => Err(ApiError::conflict(
            "retired",
            format!("this {} is retired: it does not change", kind.noun()),
        )
        .with(serde_json::json!({ "record": kind.noun() }))),
    }
}

/// The rule of a product's code once made (refused in these words).
pub(crate) const CODE_FIXED: &str =
    "a product's code is signed into its licenses: it does not change";

/// The rule of a policy's product and binding once made.
pub(crate) const POLICY_FIXED: &str =
    "a policy's product and binding do not change (licenses issued from it rely on them): make a new policy";

/// The rule of a plan's product once made.
pub(crate) const PLAN_FIXED: &str =
    "a plan's policy must be of the plan's product: make a new plan for another product";

/// Changes product `id` as `changes` say (admin, issuer): its name; the
/// code is signed into licenses and stays.
pub(crate) async fn edit_product(
    s: &AppState,
    staff: &Staff,
    id: &str,
    changes: &Changes<NewProduct>,
) -> ApiResult<Product> {
    staff.allow(WRITERS)?;
    let before = s.store.product(id).await?;
    unretired(Catalogued::Product, before.retired_at)?;
    let new: NewProduct = merged(&before, &["id", "created_at", "retired_at"], changes)?;
    if new.code != before.code {
        return Err(ApiError::invalid(CODE_FIXED));
    }
    let after = product_of(&new, before.id.clone(), before.created_at)?;
    let changed = differences(&before, &after)?;
    if changed.is_empty() {
        return Ok(before);
    }
    let actor = staff.actor();
    Ok(s.store
        .update_product(after, Value::Object(changed), &actor)
        .await?)
}

/// Changes policy `id` as `changes` say (admin, issuer), under the rules
/// of a new policy; licenses already issued keep the terms they were
/// signed with, new ones take the new terms.
pub(crate) async fn edit_policy(
    s: &AppState,
    staff: &Staff,
    id: &str,
    changes: &Changes<NewPolicy>,
) -> ApiResult<Policy> {
    staff.allow(WRITERS)?;
    let before = s.store.policy(id).await?;
    unretired(Catalogued::Policy, before.retired_at)?;
    let new: NewPolicy = merged(&before, &["id", "created_at", "retired_at"], changes)?;
    let product = s.store.product(&before.product_id).await?;
    let same_product = new.product_id == product.id || new.product_id == product.code;
    if !same_product || new.binding != before.binding.name() {
        return Err(ApiError::invalid(POLICY_FIXED));
    }
    let after = policy_of(new, &product, before.id.clone(), before.created_at)?;
    let changed = differences(&before, &after)?;
    if changed.is_empty() {
        return Ok(before);
    }
    let actor = staff.actor();
    Ok(s.store
        .update_policy(after, Value::Object(changed), &actor)
        .await?)
}

/// Changes plan `id` as `changes` say (admin, issuer): its name, its
/// policy (of the same product) and its options, under the rules of a new
/// plan; licenses already issued keep their entitlements.
pub(crate) async fn edit_plan(
    s: &AppState,
    staff: &Staff,
    id: &str,
    changes: &Changes<NewPlan>,
) -> ApiResult<Plan> {
    staff.allow(WRITERS)?;
    let before = s.store.plan(id).await?;
    unretired(Catalogued::Plan, before.retired_at)?;
    let kept = [
        "id",
        "product_id",
        "created_at",
        "retired_at",
        "priced_since",
    ];
    let new: NewPlan = merged(&before, &kept, changes)?;
    let mut after = plan_of(s, new, before.id.clone(), before.created_at).await?;
    // A plan priced only now bills its subscriptions from today on, not
    // for the periods it was free.
    after.priced_since = match (&before.price, &after.price) {
        (None, Some(_)) => Some(chrono::Utc::now().date_naive()),
        _ => before.priced_since,
    };
    if after.product_id != before.product_id {
        return Err(ApiError::invalid(PLAN_FIXED));
    }
    let changed = differences(&before, &after)?;
    if changed.is_empty() {
        return Ok(before);
    }
    let actor = staff.actor();
    Ok(s.store
        .update_plan(after, Value::Object(changed), &actor)
        .await?)
}

/// Retires the record `id` of `kind` (admin, issuer): it is offered for
/// no new license or subscription, still shown, never deleted; licenses
/// issued from it are untouched. Retiring it again changes nothing.
pub(crate) async fn retire(
    s: &AppState,
    staff: &Staff,
    kind: Catalogued,
    id: &str,
) -> ApiResult<()> {
    staff.allow(WRITERS)?;
    s.store.retire(kind, id, now().0, &staff.actor()).await?;
    Ok(())
}
