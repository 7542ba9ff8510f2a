//! [`ContractStore`] on SQL.

use chrono::NaiveDate;
use sqlx::any::AnyRow;
use sqlx::Row;

use super::customers::refuse_below_top;
use super::history::{append, event};
use super::table::{from_row, Filter, Table};
use super::{named_conflict, now, Scope, SqlStore};
use crate::billing::NoticePeriod;
use crate::store::{
    ContractStore, Event, FollowUp, Idem, Named, Outcome, Page, Purchase, Register,
    RenewalContract, Rows, StoreError, StoreResult,
};

fn named_row(r: &AnyRow) -> StoreResult<Named> {
    Ok(from_row!(r => Named { id, name, created_at }))
}

const SUPPLIERS: Table<Named> =
    Table::new("suppliers", "id, name, created_at", "supplier", named_row);
const CONTRACT_TYPES: Table<Named> = Table::new(
    "contract_types",
    "id, name, created_at",
    "contract type",
    named_row,
);

fn register(r: Register) -> (&'static Table<Named>, &'static str) {
    match r {
        Register::Supplier => (&SUPPLIERS, "suppliers"),
        Register::ContractType => (&CONTRACT_TYPES, "contract_types"),
    }
}

const CONTRACT_COLUMNS: &str = "id, customer_id, supplier_id, contract_type_id, reference, \
     starts_on, ends_on, cost_minor, currency, po_number, invoice_number, notice_period, created_at";

fn contract_row(r: &AnyRow) -> StoreResult<RenewalContract> {
    let cost_minor: Option<i64> = r.try_get("cost_minor")?;
    let currency: Option<String> = r.try_get("currency")?;
    let cost = super::purchases::stored_cost(cost_minor, currency.as_deref());
    let ends_on: String = r.try_get("ends_on")?;
    let notice_period: Option<String> = r.try_get("notice_period")?;
    let last_day_to_cancel = last_day_to_cancel(notice_period.as_deref(), &ends_on);
    Ok(from_row!(r => RenewalContract {
        id, customer_id, supplier_id, contract_type_id, reference, starts_on, po_number,
        invoice_number, created_at;
        ends_on,
        cost,
        cost_minor,
        currency,
        notice_period,
        last_day_to_cancel,
    }))
}

/// The last day to cancel a contract ending on `ends_on` under
/// `notice_period` (`YYYY-MM-DD`), as stored: periods and dates were
/// checked when written.
pub(super) fn last_day_to_cancel(notice_period: Option<&str>, ends_on: &str) -> Option<String> {
    notice_period
        .and_then(|p| p.parse::<NoticePeriod>().ok())
        .zip(ends_on.parse::<NaiveDate>().ok())
        .and_then(|(p, end)| p.last_day_to_cancel(end).ok())
        .map(|d| d.to_string())
}

const CONTRACTS: Table<RenewalContract> =
    Table::new("contracts", CONTRACT_COLUMNS, "contract", contract_row);

const FOLLOW_UP_COLUMNS: &str = "id, rebilling_id, purchase_id, customer_id, client_id, status, \
     created_at, closed_at, closed_by";

fn follow_up_row(r: &AnyRow) -> StoreResult<FollowUp> {
    Ok(from_row!(r => FollowUp {
        id, rebilling_id, purchase_id, customer_id, client_id, status, created_at, closed_at,
        closed_by
    }))
}

const FOLLOW_UPS: Table<FollowUp> = Table::new(
    "follow_ups",
    FOLLOW_UP_COLUMNS,
    "follow-up item",
    follow_up_row,
);

/// Opens the follow-up item of re-billing `rebilling_id` (in its
/// transaction).
pub(super) async fn open_follow_up(
    tx: &mut super::Tx,
    rebilling_id: &str,
    purchase_id: &str,
    buyer: &str,
    client: &str,
) -> StoreResult<()> {
    sqlx::query(&format!(
        "INSERT INTO follow_ups ({FOLLOW_UP_COLUMNS}) \
         VALUES ($1, $2, $3, $4, $5, 'open', $6, NULL, NULL)"
    ))
    .bind(crate::secret::new_id("fup"))
    .bind(rebilling_id)
    .bind(purchase_id)
    .bind(buyer)
    .bind(client)
    .bind(now())
    .execute(&mut *tx.tx)
    .await?;
    Ok(())
}

/// A history entry about contract `c`: its terms as they now stand.
fn contract_event(actor: &str, operation: &'static str, c: &RenewalContract) -> Event {
    let terms = serde_json::json!({
        "supplier_id": c.supplier_id, "contract_type_id": c.contract_type_id,
        "reference": c.reference, "starts_on": c.starts_on, "ends_on": c.ends_on,
        "cost_minor": c.cost_minor, "currency": c.currency,
        "notice_period": c.notice_period,
    });
    let mut ev = event(actor, operation, &c.id, terms);
    ev.customer_id = Some(c.customer_id.clone());
    ev
}

#[async_trait::async_trait]
impl ContractStore for SqlStore {
    async fn create_named(&self, r: Register, n: Named, actor: &str) -> StoreResult<Named> {
        let (_, table) = register(r);
        let mut tx = self.begin().await?;
        sqlx::query(&format!(
            "INSERT INTO {table} (id, name, created_at) VALUES ($1, $2, $3)"
        ))
        .bind(&n.id)
        .bind(&n.name)
        .bind(n.created_at)
        .execute(&mut *tx.tx)
        .await
        .map_err(|e| named_conflict(e, "this name is taken"))?;
        let operation = match r {
            Register::Supplier => "supplier.create",
            Register::ContractType => "contract_type.create",
        };
        append(
            &mut tx,
            event(actor, operation, &n.id, serde_json::json!({"name": n.name})),
        )
        .await?;
        tx.commit().await?;
        Ok(n)
    }

    async fn list_named(&self, r: Register, page: Page) -> StoreResult<Rows<Named>> {
        register(r)
            .0
            .list(&self.pool, Filter::default(), "name, id", page)
            .await
    }

    async fn named_record(&self, r: Register, id: &str) -> StoreResult<Named> {
        register(r).0.get(&self.pool, id).await
    }

    async fn rename(&self, r: Register, id: &str, name: &str, actor: &str) -> StoreResult<Named> {
        let (records, table) = register(r);
        let mut tx = self.begin().await?;
        let before = records.get(&mut *tx.tx, id).await?;
        sqlx::query(&format!("UPDATE {table} SET name = $1 WHERE id = $2"))
            .bind(name)
            .bind(id)
            .execute(&mut *tx.tx)
            .await
            .map_err(|e| named_conflict(e, "this name is taken"))?;
        let operation = match r {
            Register::Supplier => "supplier.rename",
            Register::ContractType => "contract_type.rename",
        };
        append(
            &mut tx,
            event(
                actor,
                operation,
                id,
                serde_json::json!({"from": before.name, "to": name}),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(Named {
            name: name.to_owned(),
            ..before
        })
    }

    async fn create_contract(
        &self,
        c: RenewalContract,
        actor: &str,
        idem: Option<Idem<RenewalContract>>,
    ) -> StoreResult<Outcome<RenewalContract>> {
        let mut tx = self.begin().await?;
        // Lots are bought at the top of the tree: so are the contracts
        // that cover them.
        refuse_below_top(
            &mut tx,
            &c.customer_id,
            "holder_not_root",
            "a contract is held by the top of the tree, as the lots it covers",
        )
        .await?;
        sqlx::query(&format!(
            "INSERT INTO contracts ({CONTRACT_COLUMNS}) VALUES \
             ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
        ))
        .bind(&c.id)
        .bind(&c.customer_id)
        .bind(&c.supplier_id)
        .bind(&c.contract_type_id)
        .bind(&c.reference)
        .bind(&c.starts_on)
        .bind(&c.ends_on)
        .bind(c.cost_minor)
        .bind(&c.currency)
        .bind(&c.po_number)
        .bind(&c.invoice_number)
        .bind(&c.notice_period)
        .bind(c.created_at)
        .execute(&mut *tx.tx)
        .await
        .map_err(|e| {
            named_conflict(
                e,
                "this supplier already has a contract with this reference",
            )
        })?;
        append(&mut tx, contract_event(actor, "contract.create", &c)).await?;
        self.finish(tx, c, idem).await
    }

    async fn update_contract(
        &self,
        c: RenewalContract,
        actor: &str,
    ) -> StoreResult<RenewalContract> {
        let mut tx = self.begin().await?;
        let updated = sqlx::query(
            "UPDATE contracts SET supplier_id = $1, contract_type_id = $2, reference = $3, \
             starts_on = $4, ends_on = $5, cost_minor = $6, currency = $7, po_number = $8, \
             invoice_number = $9, notice_period = $10 WHERE id = $11",
        )
        .bind(&c.supplier_id)
        .bind(&c.contract_type_id)
        .bind(&c.reference)
        .bind(&c.starts_on)
        .bind(&c.ends_on)
        .bind(c.cost_minor)
        .bind(&c.currency)
        .bind(&c.po_number)
        .bind(&c.invoice_number)
        .bind(&c.notice_period)
        .bind(&c.id)
        .execute(&mut *tx.tx)
        .await
        .map_err(|e| {
            named_conflict(
                e,
                "this supplier already has a contract with this reference",
            )
        })?
        .rows_affected();
        if updated == 0 {
            return Err(StoreError::not_found("contract"));
        }
        append(&mut tx, contract_event(actor, "contract.update", &c)).await?;
        let stored = CONTRACTS.get(&mut *tx.tx, &c.id).await?;
        tx.commit().await?;
        Ok(stored)
    }

    async fn list_contracts(
        &self,
        scope: &Scope,
        page: Page,
    ) -> StoreResult<Rows<RenewalContract>> {
        let f = Filter::default().scope("customer_id", scope);
        CONTRACTS.list(&self.pool, f, "ends_on, id", page).await
    }

    async fn contract(&self, id: &str) -> StoreResult<RenewalContract> {
        CONTRACTS.get(&self.pool, id).await
    }

    async fn contract_lots(&self, id: &str) -> StoreResult<Vec<Purchase>> {
        super::purchases::PURCHASES
            .all(
                &self.pool,
                "WHERE contract_id = $1 ORDER BY created_at, id",
                [id.into()],
            )
            .await
    }

    async fn ending_contracts(&self, from: &str, to: &str) -> StoreResult<Vec<RenewalContract>> {
        CONTRACTS
            .all(
                &self.pool,
                "WHERE ends_on >= $1 AND ends_on <= $2 ORDER BY ends_on, id",
                [from.into(), to.into()],
            )
            .await
    }

    async fn list_follow_ups(
        &self,
        scope: &Scope,
        status: Option<&str>,
        page: Page,
    ) -> StoreResult<Rows<FollowUp>> {
        let f = Filter::default()
            .scope("customer_id", scope)
            .text("status", status);
        FOLLOW_UPS
            .list(&self.pool, f, "created_at DESC, id DESC", page)
            .await
    }

    async fn close_follow_up(&self, id: &str, actor: &str) -> StoreResult<FollowUp> {
        let mut tx = self.begin().await?;
        let closed = sqlx::query(
            "UPDATE follow_ups SET status = 'done', closed_at = $1, closed_by = $2 \
             WHERE id = $3 AND status = 'open'",
        )
        .bind(now())
        .bind(actor)
        .bind(id)
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
        let item = FOLLOW_UPS.get(&mut *tx.tx, id).await?;
        if closed > 0 {
            let mut ev = event(
                actor,
                "follow_up.close",
                id,
                serde_json::json!({"rebilling_id": item.rebilling_id, "client_id": item.client_id}),
            );
            ev.customer_id = Some(item.customer_id.clone());
            append(&mut tx, ev).await?;
        }
        tx.commit().await?;
        Ok(item)
    }
}
