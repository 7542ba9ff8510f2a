//! The catalogue: products, the policies licenses are made from, and plans (a policy and its add-on options).

use chrono::NaiveDate;
use licentia::{BindingKind, LicenseKind, MatchRule};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Page, Rows};
use crate::billing::Price;
use crate::store::StoreResult;

/// A product.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Product {
    /// Id.
    pub id: String,
    /// Product code, as licenses name it.
    pub code: String,
    /// Display name.
    pub name: String,
    /// The price per allocated seat per month that the vendor invoices the
    /// top nodes of the customer tree (partners) for the seats of this
    /// product it allocates them (none: allocations are not invoiced).
    /// Allocations are per product, not per plan, so their price is the
    /// product's.
    #[serde(default)]
    pub allocation_price: Option<Price>,
    /// Created (Unix seconds).
    pub created_at: i64,
    /// Retired (Unix seconds): offered for no new license or subscription;
    /// the licenses issued from it are untouched.
    #[serde(default)]
    pub retired_at: Option<i64>,
}

/// A license template.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Policy {
    /// Id.
    pub id: String,
    /// The product.
    pub product_id: String,
    /// Name, unique per product.
    pub name: String,
    /// `standard` or `trial`.
    #[serde(with = "super::names::policy_kind")]
    #[schemars(with = "String")]
    pub kind: LicenseKind,
    /// `unbound`, `node-locked`, `floating` or `named-user`.
    #[serde(with = "super::names::binding")]
    #[schemars(with = "String")]
    pub binding: BindingKind,
    /// Machine match rule for node-locked licenses: `all`, `most`, `two`
    /// or `any`.
    #[serde(with = "super::names::match_rule")]
    #[schemars(with = "String")]
    pub match_rule: MatchRule,
    /// Licenses expire this many days after issue (perpetual when absent).
    pub duration_days: Option<i64>,
    /// Seats (machines for node-locked, the cap for floating).
    pub seats: i64,
    /// Grace after expiry.
    pub grace_days: Option<i64>,
    /// Check-in interval.
    pub check_in_days: Option<i64>,
    /// Offline grace after a missed check-in.
    pub max_offline_days: Option<i64>,
    /// Licenses warn "renew soon" this many days before their hard expiry
    /// (no soft expiry when absent).
    #[serde(default)]
    pub renew_soon_days: Option<i64>,
    /// Maintenance: versions released up to this many days after issue are
    /// covered (updates-until; every version when absent).
    #[serde(default)]
    pub maintenance_days: Option<i64>,
    /// Licenses run in a virtual machine (else the verdict refuses them
    /// there, rule 111).
    #[serde(default = "allowed")]
    pub allow_virtual_machines: bool,
    /// Licenses run in a container (else rule 112).
    #[serde(default = "allowed")]
    pub allow_containers: bool,
    /// Features, `CODE[=COUNT][@DATE]`.
    pub entitlements: Vec<String>,
    /// Consumable quotas, `NAME=QUOTA/PERIOD`, signed into each license.
    #[serde(default)]
    pub meters: Vec<String>,
    /// Temporary licenses allowed per license per period.
    pub temp_quota: i64,
    /// The quota's period.
    pub temp_period_days: i64,
    /// How long a temporary license runs.
    pub temp_duration_days: i64,
    /// Lease length for floating licenses.
    pub lease_ttl_secs: i64,
    /// Machines given back by the product per period, at most (none: no
    /// limit); staff may always deactivate.
    pub max_transfers: Option<i64>,
    /// The transfer limit's period.
    pub transfer_period_days: i64,
    /// Created (Unix seconds).
    pub created_at: i64,
    /// Retired (Unix seconds): offered for no new license or subscription;
    /// the licenses issued from it are untouched.
    #[serde(default)]
    pub retired_at: Option<i64>,
}

/// An environment term's default, and a policy's before it existed.
fn allowed() -> bool {
    true
}

/// An add-on a plan offers: extra entitlements.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanOption {
    /// Code, unique in its plan, by which a license asks for it.
    pub code: String,
    /// Display name.
    pub name: String,
    /// Features it adds, `CODE[=COUNT][@DATE]`.
    pub entitlements: Vec<String>,
    /// Its price per seat per month, in the minor unit of the plan's
    /// currency (none: free; needs the plan's price).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<i64>,
}

/// What a plan bills for one meter of its policy, per period: each unit
/// consumed beyond the `included` ones, at `unit_amount` in the plan's
/// currency, taxed at the plan's rate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MeterPrice {
    /// The meter, one of the plan's policy's.
    pub meter: String,
    /// Per unit beyond the included ones, in the minor unit of the plan's
    /// currency; 0 to 10^12.
    pub unit_amount: i64,
    /// Units of each period (per licence) not billed; default 0.
    #[serde(default)]
    pub included: i64,
}

/// A plan: a product, a policy and optional add-on options.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Plan {
    /// Id.
    pub id: String,
    /// The product (the policy's).
    pub product_id: String,
    /// The policy licenses of the plan are made from.
    pub policy_id: String,
    /// Name, unique per product (Essential, Business, Enterprise...).
    pub name: String,
    /// Add-ons a license of the plan may take.
    pub options: Vec<PlanOption>,
    /// Price per seat per month, its currency and tax rate (its options
    /// are priced in the same currency and taxed at the same rate); none:
    /// its subscriptions are not invoiced.
    #[serde(default)]
    pub price: Option<Price>,
    /// The day an unpriced plan was given its price (none: priced from its
    /// creation, or never): its subscriptions are invoiced for the periods
    /// that start from that day, not for the free ones before.
    #[serde(default)]
    pub priced_since: Option<NaiveDate>,
    /// The price of each unit consumed of its policy's meters beyond the
    /// included ones, billed on its subscriptions' invoices.
    #[serde(default)]
    pub meter_prices: Vec<MeterPrice>,
    /// Created (Unix seconds).
    pub created_at: i64,
    /// Retired (Unix seconds): offered for no new license or subscription;
    /// the licenses issued from it are untouched.
    #[serde(default)]
    pub retired_at: Option<i64>,
}

/// The kind of a record that is retired rather than deleted (the
/// catalogue's, and the customer tree's nodes), as its table and history
/// name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Catalogued {
    /// A product.
    Product,
    /// A policy.
    Policy,
    /// A plan.
    Plan,
    /// A partner, customer or site.
    Customer,
}

impl Catalogued {
    /// Its table.
    pub fn table(self) -> &'static str {
        match self {
            Catalogued::Product => "products",
            Catalogued::Policy => "policies",
            Catalogued::Plan => "plans",
            Catalogued::Customer => "customers",
        }
    }

    /// Its name, as a person reads it.
    pub fn noun(self) -> &'static str {
        match self {
            Catalogued::Product => "product",
            Catalogued::Policy => "policy",
            Catalogued::Plan => "plan",
            Catalogued::Customer => "customer",
        }
    }

    /// The history operation of a change of it.
    pub fn edit_operation(self) -> &'static str {
        match self {
            Catalogued::Product => "product.edit",
            Catalogued::Policy => "policy.edit",
            Catalogued::Plan => "plan.edit",
            Catalogued::Customer => "customer.edit",
        }
    }

    /// The history operation of its retirement.
    pub fn retire_operation(self) -> &'static str {
        match self {
            Catalogued::Product => "product.retire",
            Catalogued::Policy => "policy.retire",
            Catalogued::Plan => "plan.retire",
            Catalogued::Customer => "customer.retire",
        }
    }
}

/// The catalogue's storage.
#[async_trait::async_trait]
pub trait CatalogueStore: Send + Sync {
    /// Creates a product.
    async fn create_product(&self, product: Product, actor: &str) -> StoreResult<Product>;
    /// Lists products.
    async fn list_products(&self, page: Page) -> StoreResult<Rows<Product>>;
    /// A product by id or code.
    async fn product(&self, id_or_code: &str) -> StoreResult<Product>;
    /// Creates a policy.
    async fn create_policy(&self, policy: Policy, actor: &str) -> StoreResult<Policy>;
    /// Lists policies, optionally of one product.
    async fn list_policies(
        &self,
        product_id: Option<&str>,
        page: Page,
    ) -> StoreResult<Rows<Policy>>;
    /// A policy.
    async fn policy(&self, id: &str) -> StoreResult<Policy>;
    /// Creates a plan.
    async fn create_plan(&self, plan: Plan, actor: &str) -> StoreResult<Plan>;
    /// Lists plans, optionally of one product.
    async fn list_plans(&self, product_id: Option<&str>, page: Page) -> StoreResult<Rows<Plan>>;
    /// A plan.
    async fn plan(&self, id: &str) -> StoreResult<Plan>;
    /// Stores a product's new name; `changed` (field: from, to) goes to
    /// the history.
    async fn update_product(
        &self,
        product: Product,
        changed: serde_json::Value,
        actor: &str,
    ) -> StoreResult<Product>;
    /// Stores a policy's new terms (as [`CatalogueStore::update_product`]).
    async fn update_policy(
        &self,
        policy: Policy,
        changed: serde_json::Value,
        actor: &str,
    ) -> StoreResult<Policy>;
    /// Stores a plan's new name, policy and options (as
    /// [`CatalogueStore::update_product`]).
    async fn update_plan(
        &self,
        plan: Plan,
        changed: serde_json::Value,
        actor: &str,
    ) -> StoreResult<Plan>;
    /// Retires the record `id` of `kind` at `at` (never deleted); false
    /// when it was retired already (nothing written).
    async fn retire(&self, kind: Catalogued, id: &str, at: i64, actor: &str) -> StoreResult<bool>;
}
