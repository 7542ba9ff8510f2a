//! Products, policies and plans.

use licentia::{BindingKind, MatchRule};
use sqlx::any::AnyRow;
use sqlx::Row;

use super::history::event;
use super::table::{from_row, Filter, Table};
use super::{named_conflict, SqlStore};
use crate::billing::Price;
use crate::store::{names, StoreError, StoreResult};
use crate::store::{CatalogueStore, Catalogued, Page, Plan, Policy, Product, Rows};

/// The policy columns a create or a change writes, in the order
/// [`bind_policy`] binds them.
macro_rules! policy_written {
    () => {
        "id, product_id, name, kind, binding, match_rule, duration_days, seats, \
         grace_days, check_in_days, max_offline_days, entitlements, temp_quota, temp_period_days, \
         temp_duration_days, lease_ttl_secs, created_at, max_transfers, transfer_period_days, \
         renew_soon_days, maintenance_days, allow_virtual_machines, allow_containers, meters"
    };
}

#[async_trait::async_trait]
impl CatalogueStore for SqlStore {
    async fn create_product(&self, product: Product, actor: &str) -> StoreResult<Product> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO products (id, code, name, created_at, revocation_seq, revocation_updated_at, \
             allocation_price) VALUES ($1, $2, $3, $4, 0, $4, $5)",
        )
        .bind(&product.id)
        .bind(&product.code)
        .bind(&product.name)
        .bind(product.created_at)
        .bind(price_text(product.allocation_price.as_ref())?)
        .execute(&mut *tx.tx)
        .await
        .map_err(|e| named_conflict(e, "a product with this code exists"))?;
        tx.commit_with(event(
            actor,
            "product.create",
            &product.id,
            serde_json::json!({"code": product.code}),
        ))
        .await?;
        Ok(product)
    }

    async fn list_products(&self, page: Page) -> StoreResult<Rows<Product>> {
        PRODUCTS
            .list(&self.pool, Filter::default(), "code", page)
            .await
    }

    async fn product(&self, id_or_code: &str) -> StoreResult<Product> {
        PRODUCTS
            .find(&self.pool, "id = $1 OR code = $1", id_or_code)
            .await
    }

    async fn create_policy(&self, p: Policy, actor: &str) -> StoreResult<Policy> {
        let mut tx = self.begin().await?;
        let sql = format!(
            "INSERT INTO policies ({}) VALUES ({POLICY_VALUES})",
            policy_written!()
        );
        bind_policy(sqlx::query(&sql), &p)?
            .execute(&mut *tx.tx)
            .await
            .map_err(|e| named_conflict(e, "this product already has a policy with this name"))?;
        tx.commit_with(event(
            actor,
            "policy.create",
            &p.id,
            serde_json::json!({"name": p.name, "product_id": p.product_id}),
        ))
        .await?;
        Ok(p)
    }

    async fn list_policies(
        &self,
        product_id: Option<&str>,
        page: Page,
    ) -> StoreResult<Rows<Policy>> {
        let f = Filter::default().text("product_id", product_id);
        POLICIES.list(&self.pool, f, "created_at, id", page).await
    }

    async fn policy(&self, id: &str) -> StoreResult<Policy> {
        POLICIES.get(&self.pool, id).await
    }

    async fn create_plan(&self, p: Plan, actor: &str) -> StoreResult<Plan> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO plans (id, product_id, policy_id, name, options, created_at, price, \
             priced_since, meter_prices) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&p.id)
        .bind(&p.product_id)
        .bind(&p.policy_id)
        .bind(&p.name)
        .bind(serde_json::to_string(&p.options).map_err(StoreError::internal)?)
        .bind(p.created_at)
        .bind(price_text(p.price.as_ref())?)
        .bind(p.priced_since.map(|d| d.to_string()))
        .bind(serde_json::to_string(&p.meter_prices).map_err(StoreError::internal)?)
        .execute(&mut *tx.tx)
        .await
        .map_err(|e| named_conflict(e, "this product already has a plan with this name"))?;
        let options: Vec<&str> = p.options.iter().map(|o| o.code.as_str()).collect();
        tx.commit_with(event(
            actor,
            "plan.create",
            &p.id,
            serde_json::json!({"name": p.name, "policy_id": p.policy_id, "options": options}),
        ))
        .await?;
        Ok(p)
    }

    async fn list_plans(&self, product_id: Option<&str>, page: Page) -> StoreResult<Rows<Plan>> {
        let f = Filter::default().text("product_id", product_id);
        PLANS.list(&self.pool, f, "name, id", page).await
    }

    async fn plan(&self, id: &str) -> StoreResult<Plan> {
        PLANS.get(&self.pool, id).await
    }

    async fn update_product(
        &self,
        product: Product,
        changed: serde_json::Value,
        actor: &str,
    ) -> StoreResult<Product> {
        let mut tx = self.begin().await?;
        let done = sqlx::query(
            "UPDATE products SET name = $2, allocation_price = $3 WHERE id = $1 AND retired_at IS NULL",
        )
        .bind(&product.id)
        .bind(&product.name)
        .bind(price_text(product.allocation_price.as_ref())?)
        .execute(&mut *tx.tx)
        .await?;
        still_in_use(done.rows_affected(), Catalogued::Product)?;
        tx.commit_with(event(
            actor,
            Catalogued::Product.edit_operation(),
            &product.id,
            changed,
        ))
        .await?;
        Ok(product)
    }

    async fn update_policy(
        &self,
        p: Policy,
        changed: serde_json::Value,
        actor: &str,
    ) -> StoreResult<Policy> {
        let mut tx = self.begin().await?;
        let sql = format!(
            "UPDATE policies SET ({}) = ({POLICY_VALUES}) WHERE id = $1 AND retired_at IS NULL",
            policy_written!()
        );
        let done = bind_policy(sqlx::query(&sql), &p)?
            .execute(&mut *tx.tx)
            .await
            .map_err(|e| named_conflict(e, "this product already has a policy with this name"))?;
        still_in_use(done.rows_affected(), Catalogued::Policy)?;
        tx.commit_with(event(
            actor,
            Catalogued::Policy.edit_operation(),
            &p.id,
            changed,
        ))
        .await?;
        Ok(p)
    }

    async fn update_plan(
        &self,
        p: Plan,
        changed: serde_json::Value,
        actor: &str,
    ) -> StoreResult<Plan> {
        let mut tx = self.begin().await?;
        let done = sqlx::query(
            "UPDATE plans SET policy_id = $2, name = $3, options = $4, price = $5, \
             priced_since = $6, meter_prices = $7 WHERE id = $1 AND retired_at IS NULL",
        )
        .bind(&p.id)
        .bind(&p.policy_id)
        .bind(&p.name)
        .bind(serde_json::to_string(&p.options).map_err(StoreError::internal)?)
        .bind(price_text(p.price.as_ref())?)
        .bind(p.priced_since.map(|d| d.to_string()))
        .bind(serde_json::to_string(&p.meter_prices).map_err(StoreError::internal)?)
        .execute(&mut *tx.tx)
        .await
        .map_err(|e| named_conflict(e, "this product already has a plan with this name"))?;
        still_in_use(done.rows_affected(), Catalogued::Plan)?;
        tx.commit_with(event(
            actor,
            Catalogued::Plan.edit_operation(),
            &p.id,
            changed,
        ))
        .await?;
        Ok(p)
    }

    async fn retire(&self, kind: Catalogued, id: &str, at: i64, actor: &str) -> StoreResult<bool> {
        let mut tx = self.begin().await?;
        if kind == Catalogued::Customer {
            // A node goes after its children: what is under it stays reachable.
            let active: i64 = sqlx::query(
                "SELECT COUNT(*) AS n FROM customers WHERE parent_id = $1 AND retired_at IS NULL",
            )
            .bind(id)
            .fetch_one(&mut *tx.tx)
            .await?
            .try_get("n")?;
            if active > 0 {
                return Err(StoreError::conflict(
                    "children_active",
                    format!("{active} nodes under this one are in use: retire them first"),
                )
                .with(serde_json::json!({ "children": active })));
            }
        }
        let sql = format!(
            "UPDATE {} SET retired_at = $1 WHERE id = $2 AND retired_at IS NULL",
            kind.table()
        );
        let done = sqlx::query(&sql)
            .bind(at)
            .bind(id)
            .execute(&mut *tx.tx)
            .await?
            .rows_affected();
        if done == 0 {
            return Ok(false);
        }
        let mut ev = event(
            actor,
            kind.retire_operation(),
            id,
            serde_json::json!({ "retired_at": at }),
        );
        if kind == Catalogued::Customer {
            ev.customer_id = Some(id.to_owned());
        }
        tx.commit_with(ev).await?;
        Ok(true)
    }
}

/// Refuses a change that found its record retired meanwhile (`rows`
/// updated: none).
pub(super) fn still_in_use(rows: u64, kind: Catalogued) -> StoreResult<()> {
    if rows == 0 {
        return Err(StoreError::conflict(
            "retired",
            format!("this {} is retired: it does not change", kind.noun()),
        )
        .with(serde_json::json!({ "record": kind.noun() })));
    }
    Ok(())
}

/// Binds a policy's written columns ([`policy_written`]) in their order.
fn bind_policy<'q>(
    q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    p: &'q Policy,
) -> StoreResult<sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>> {
    Ok(q.bind(&p.id)
        .bind(&p.product_id)
        .bind(&p.name)
        .bind(p.kind.name())
        .bind(p.binding.name())
        .bind(p.match_rule.name())
        .bind(p.duration_days)
        .bind(p.seats)
        .bind(p.grace_days)
        .bind(p.check_in_days)
        .bind(p.max_offline_days)
        .bind(serde_json::to_string(&p.entitlements).map_err(StoreError::internal)?)
        .bind(p.temp_quota)
        .bind(p.temp_period_days)
        .bind(p.temp_duration_days)
        .bind(p.lease_ttl_secs)
        .bind(p.created_at)
        .bind(p.max_transfers)
        .bind(p.transfer_period_days)
        .bind(p.renew_soon_days)
        .bind(p.maintenance_days)
        .bind(i64::from(p.allow_virtual_machines))
        .bind(i64::from(p.allow_containers))
        .bind(serde_json::to_string(&p.meters).map_err(StoreError::internal)?))
}

/// The placeholders of [`policy_written`].
const POLICY_VALUES: &str = "$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, \
     $16, $17, $18, $19, $20, $21, $22, $23, $24";

pub(super) const PRODUCT_COLUMNS: &str = "id, code, name, created_at, retired_at, allocation_price";

pub(super) const POLICY_COLUMNS: &str = concat!(policy_written!(), ", retired_at");

pub(super) const PLAN_COLUMNS: &str =
    "id, product_id, policy_id, name, options, created_at, retired_at, price, priced_since, \
     meter_prices";

const PRODUCTS: Table<Product> = Table::new("products", PRODUCT_COLUMNS, "product", product_row);

const POLICIES: Table<Policy> = Table::new("policies", POLICY_COLUMNS, "policy", policy_row);

const PLANS: Table<Plan> = Table::new("plans", PLAN_COLUMNS, "plan", plan_row);

pub(super) fn product_row(r: &AnyRow) -> StoreResult<Product> {
    let price: Option<String> = r.try_get("allocation_price")?;
    Ok(from_row!(r => Product {
        id, code, name, created_at, retired_at;
        allocation_price: price_of(price)?,
    }))
}

pub(super) fn policy_row(r: &AnyRow) -> StoreResult<Policy> {
    let entitlements: String = r.try_get("entitlements")?;
    let meters: String = r.try_get("meters")?;
    let kind: String = r.try_get("kind")?;
    let binding: String = r.try_get("binding")?;
    let match_rule: String = r.try_get("match_rule")?;
    let allowed = |column: &str| -> StoreResult<bool> { Ok(r.try_get::<i64, _>(column)? != 0) };
    Ok(from_row!(r => Policy {
        id, product_id, name, duration_days, seats, grace_days, check_in_days, max_offline_days,
        temp_quota, temp_period_days, temp_duration_days, lease_ttl_secs, created_at,
        max_transfers, transfer_period_days, renew_soon_days, maintenance_days, retired_at;
        kind: names::policy_kind::parse(&kind)
            .ok_or_else(|| StoreError::internal(format!("policy kind {kind} stored")))?,
        binding: BindingKind::parse(&binding).map_err(StoreError::internal)?,
        match_rule: MatchRule::parse(&match_rule).map_err(StoreError::internal)?,
        entitlements: serde_json::from_str(&entitlements).map_err(StoreError::internal)?,
        meters: serde_json::from_str(&meters).map_err(StoreError::internal)?,
        allow_virtual_machines: allowed("allow_virtual_machines")?,
        allow_containers: allowed("allow_containers")?,
    }))
}

pub(super) fn plan_row(r: &AnyRow) -> StoreResult<Plan> {
    let options: String = r.try_get("options")?;
    let meter_prices: String = r.try_get("meter_prices")?;
    Ok(from_row!(r => Plan {
        id, product_id, policy_id, name, created_at, retired_at;
        options: serde_json::from_str(&options).map_err(StoreError::internal)?,
        meter_prices: serde_json::from_str(&meter_prices).map_err(StoreError::internal)?,
        price: price_of(r.try_get("price")?)?,
        priced_since: r
            .try_get::<Option<String>, _>("priced_since")?
            .map(|d| d.parse())
            .transpose()
            .map_err(StoreError::internal)?,
    }))
}

/// A price as stored (JSON text; NULL: none).
fn price_text(price: Option<&Price>) -> StoreResult<Option<String>> {
    price
        .map(serde_json::to_string)
        .transpose()
        .map_err(StoreError::internal)
}

/// A stored price.
fn price_of(text: Option<String>) -> StoreResult<Option<Price>> {
    text.as_deref()
        .map(serde_json::from_str)
        .transpose()
        .map_err(StoreError::internal)
}
