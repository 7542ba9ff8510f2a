//! [`PurchaseStore`] on SQL.

use sqlx::any::AnyRow;
use sqlx::Row;

use super::customers::refuse_below_top;
use super::history::{append, event};
use super::table::{from_row, Filter, Table};
use super::{named_conflict, now, Scope, SqlStore};
use crate::store::{
    currency_digits, format_amount, Idem, Outcome, Page, Purchase, PurchaseFilter, PurchaseStore,
    Rebilling, Rows, LOT_EXCEEDED,
};
use crate::store::{StoreError, StoreResult};

const PURCHASE_COLUMNS: &str = "id, customer_id, product_id, quantity, rebilled, serial, version, \
     purchased_on, renews_on, cost_minor, currency, po_number, invoice_number, notes, created_at, \
     contract_id";
const REBILLING_COLUMNS: &str =
    "id, purchase_id, customer_id, quantity, invoice_number, notes, created_at";

/// A stored cost (minor units and currency) as a decimal string, when
/// both are there.
pub(super) fn stored_cost(minor: Option<i64>, currency: Option<&str>) -> Option<String> {
    let digits = currency.and_then(currency_digits)?;
    minor.map(|m| format_amount(m, digits))
}

fn purchase_row(r: &AnyRow) -> StoreResult<Purchase> {
    let quantity: i64 = r.try_get("quantity")?;
    let rebilled: i64 = r.try_get("rebilled")?;
    let cost_minor: Option<i64> = r.try_get("cost_minor")?;
    let currency: Option<String> = r.try_get("currency")?;
    let cost = stored_cost(cost_minor, currency.as_deref());
    Ok(from_row!(r => Purchase {
        id, customer_id, product_id, serial, version, purchased_on, renews_on, po_number,
        invoice_number, notes, created_at, contract_id;
        quantity,
        rebilled,
        not_rebilled: quantity - rebilled,
        cost,
        cost_minor,
        currency,
    }))
}

fn rebilling_row(r: &AnyRow) -> StoreResult<Rebilling> {
    Ok(from_row!(r => Rebilling {
        id, purchase_id, customer_id, quantity, invoice_number, notes, created_at
    }))
}

pub(super) const PURCHASES: Table<Purchase> =
    Table::new("purchases", PURCHASE_COLUMNS, "purchase", purchase_row);

const REBILLINGS: Table<Rebilling> =
    Table::new("rebillings", REBILLING_COLUMNS, "rebilling", rebilling_row);

#[async_trait::async_trait]
impl PurchaseStore for SqlStore {
    async fn create_purchase(
        &self,
        p: Purchase,
        actor: &str,
        idem: Option<Idem<Purchase>>,
    ) -> StoreResult<Outcome<Purchase>> {
        let mut tx = self.begin().await?;
        // Below the top of the tree a node holds what its parent gives it:
        // seats bought there would be in no parent's count.
        refuse_below_top(
            &mut tx,
            &p.customer_id,
            "buyer_not_root",
            "a lot is bought by the top of the tree, which allocates it down and may re-bill it",
        )
        .await?;
        sqlx::query(&format!(
            "INSERT INTO purchases ({PURCHASE_COLUMNS}) VALUES \
             ($1, $2, $3, $4, 0, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
        ))
        .bind(&p.id)
        .bind(&p.customer_id)
        .bind(&p.product_id)
        .bind(p.quantity)
        .bind(&p.serial)
        .bind(&p.version)
        .bind(&p.purchased_on)
        .bind(&p.renews_on)
        .bind(p.cost_minor)
        .bind(&p.currency)
        .bind(&p.po_number)
        .bind(&p.invoice_number)
        .bind(&p.notes)
        .bind(p.created_at)
        .bind(&p.contract_id)
        .execute(&mut *tx.tx)
        .await
        .map_err(|e| named_conflict(e, "this product already has a purchase with this serial"))?;
        sqlx::query(
            "INSERT INTO allocations (customer_id, product_id, seats, given, updated_at) \
             VALUES ($1, $2, 0, 0, $3) ON CONFLICT (customer_id, product_id) DO NOTHING",
        )
        .bind(&p.customer_id)
        .bind(&p.product_id)
        .bind(now())
        .execute(&mut *tx.tx)
        .await?;
        let allocated: i64 = sqlx::query(
            "UPDATE allocations SET seats = seats + $1, updated_at = $2 \
             WHERE customer_id = $3 AND product_id = $4 RETURNING seats",
        )
        .bind(p.quantity)
        .bind(now())
        .bind(&p.customer_id)
        .bind(&p.product_id)
        .fetch_one(&mut *tx.tx)
        .await?
        .try_get("seats")?;
        let mut ev = event(
            actor,
            "purchase.create",
            &p.id,
            serde_json::json!({
                "product_id": p.product_id, "quantity": p.quantity, "serial": p.serial,
                "cost_minor": p.cost_minor, "currency": p.currency, "allocated": allocated,
                "contract_id": p.contract_id,
            }),
        );
        ev.customer_id = Some(p.customer_id.clone());
        append(&mut tx, ev).await?;
        self.finish(tx, p, idem).await
    }

    async fn list_purchases(
        &self,
        scope: &Scope,
        filter: &PurchaseFilter,
        page: Page,
    ) -> StoreResult<Rows<Purchase>> {
        let f = Filter::default()
            .scope("customer_id", scope)
            .text("customer_id", filter.customer_id.as_deref())
            .text("product_id", filter.product_id.as_deref());
        PURCHASES
            .list(&self.pool, f, "created_at DESC, id DESC", page)
            .await
    }

    async fn purchase(&self, id: &str) -> StoreResult<Purchase> {
        PURCHASES.get(&self.pool, id).await
    }

    async fn rebillings(&self, purchase_id: &str) -> StoreResult<Vec<Rebilling>> {
        REBILLINGS
            .all(
                &self.pool,
                "WHERE purchase_id = $1 ORDER BY created_at, id",
                [purchase_id.into()],
            )
            .await
    }

    async fn rebill(
        &self,
        r: Rebilling,
        actor: &str,
        idem: Option<Idem<Rebilling>>,
    ) -> StoreResult<Outcome<Rebilling>> {
        let mut tx = self.begin().await?;
        // One conditional update: it takes the lot's row lock, and a
        // concurrent re-billing waits, then sees this one's sum.
        let grown = sqlx::query(
            "UPDATE purchases SET rebilled = rebilled + $1 \
             WHERE id = $2 AND rebilled + $1 <= quantity RETURNING customer_id",
        )
        .bind(r.quantity)
        .bind(&r.purchase_id)
        .fetch_optional(&mut *tx.tx)
        .await?;
        let Some(grown) = grown else {
            let row = sqlx::query("SELECT quantity, rebilled FROM purchases WHERE id = $1")
                .bind(&r.purchase_id)
                .fetch_optional(&mut *tx.tx)
                .await?
                .ok_or_else(|| StoreError::not_found("purchase"))?;
            let (quantity, rebilled): (i64, i64) =
                (row.try_get("quantity")?, row.try_get("rebilled")?);
            return Err(StoreError::conflict(
                LOT_EXCEEDED,
                format!(
                    "the lot has {quantity} seats and {rebilled} are re-billed already: {} cannot be re-billed",
                    r.quantity
                ),
            )
            .with(serde_json::json!({
                "quantity": quantity,
                "rebilled": rebilled,
                "asked": r.quantity,
            })));
        };
        let buyer: String = grown.try_get("customer_id")?;
        sqlx::query(&format!(
            "INSERT INTO rebillings ({REBILLING_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"
        ))
        .bind(&r.id)
        .bind(&r.purchase_id)
        .bind(&r.customer_id)
        .bind(r.quantity)
        .bind(&r.invoice_number)
        .bind(&r.notes)
        .bind(r.created_at)
        .execute(&mut *tx.tx)
        .await?;
        // Billing a client outside the buyer is work for the buyer's
        // billing staff: an item to follow up until it is invoiced.
        if r.customer_id != buyer {
            super::contracts::open_follow_up(
                &mut tx,
                &r.id,
                &r.purchase_id,
                &buyer,
                &r.customer_id,
            )
            .await?;
        }
        let mut ev = event(
            actor,
            "purchase.rebill",
            &r.purchase_id,
            serde_json::json!({
                "rebilling_id": r.id, "quantity": r.quantity, "buyer": buyer,
                "invoice_number": r.invoice_number,
            }),
        );
        ev.customer_id = Some(r.customer_id.clone());
        append(&mut tx, ev).await?;
        self.finish(tx, r, idem).await
    }
}
