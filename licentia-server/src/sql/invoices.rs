//! [`InvoiceStore`] on SQL.

use chrono::NaiveDate;
use sqlx::any::AnyRow;
use sqlx::Row;

use super::history::{append, event};
use super::table::{count, fetch_all, fetch_optional, from_row, Filter, Table};
use super::{Scope, SqlStore, Tx};
use crate::store::{
    Adjustment, BilledAllocation, BilledCounter, Event, Invoice, InvoiceFilter, InvoiceStore, Page,
    Prorated, Rows, StoreError, StoreResult,
};

const COLUMNS: &str = "id, kind, subject, customer_id, subscription_id, period_start, period_end, \
     currency, lines, net, tax_rate_bp, tax, total, status, settled_at, settled_note, created_at, \
     updated_at";

const ADJUSTMENT_COLUMNS: &str =
    "id, subscription_id, changed_on, description, quantity, currency, amount, invoice_id, created_at";

fn date(r: &AnyRow, column: &str) -> StoreResult<NaiveDate> {
    let text: String = r.try_get(column)?;
    text.parse().map_err(StoreError::internal)
}

fn invoice_row(r: &AnyRow) -> StoreResult<Invoice> {
    let lines: String = r.try_get("lines")?;
    Ok(from_row!(r => Invoice {
        id, kind, subject, customer_id, subscription_id, currency, net, tax_rate_bp, tax, total,
        status, settled_at, settled_note, created_at, updated_at;
        period_start: date(r, "period_start")?,
        period_end: date(r, "period_end")?,
        lines: serde_json::from_str(&lines).map_err(StoreError::internal)?,
    }))
}

fn adjustment_row(r: &AnyRow) -> StoreResult<Adjustment> {
    Ok(from_row!(r => Adjustment {
        id, subscription_id, description, quantity, currency, amount, invoice_id, created_at;
        changed_on: date(r, "changed_on")?,
    }))
}

const INVOICES: Table<Invoice> = Table::new("invoices", COLUMNS, "invoice", invoice_row);

/// The list filters as SQL (ISO dates compare as text in date order).
fn filtered(scope: &Scope, f: &InvoiceFilter) -> Filter {
    Filter::default()
        .scope("customer_id", scope)
        .text("customer_id", f.customer_id.as_deref())
        .text("subscription_id", f.subscription_id.as_deref())
        .text("status", f.status.as_deref())
        .compare(
            "period_start >=",
            f.period_from.map(|d| d.to_string()).as_deref(),
        )
        .compare(
            "period_start <=",
            f.period_to.map(|d| d.to_string()).as_deref(),
        )
}

#[async_trait::async_trait]
impl InvoiceStore for SqlStore {
    async fn record_invoice(
        &self,
        i: Invoice,
        adjustments: &[String],
        usage: &[BilledCounter],
        actor: &str,
    ) -> StoreResult<bool> {
        let mut tx = self.begin().await?;
        // On PostgreSQL a concurrent writer of the same period is waited
        // for, then this insert does nothing.
        let written = sqlx::query(&format!(
            "INSERT INTO invoices ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, \
             $11, $12, $13, $14, $15, $16, $17, $18) ON CONFLICT (subject, period_start) DO NOTHING"
        ))
        .bind(&i.id)
        .bind(&i.kind)
        .bind(&i.subject)
        .bind(&i.customer_id)
        .bind(&i.subscription_id)
        .bind(i.period_start.to_string())
        .bind(i.period_end.to_string())
        .bind(&i.currency)
        .bind(serde_json::to_string(&i.lines).map_err(StoreError::internal)?)
        .bind(i.net)
        .bind(i.tax_rate_bp)
        .bind(i.tax)
        .bind(i.total)
        .bind(&i.status)
        .bind(i.settled_at)
        .bind(&i.settled_note)
        .bind(i.created_at)
        .bind(i.updated_at)
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
        if written == 0 {
            return Ok(false);
        }
        for id in adjustments {
            let taken = sqlx::query(
                "UPDATE invoice_adjustments SET invoice_id = $1 WHERE id = $2 AND invoice_id IS NULL",
            )
            .bind(&i.id)
            .bind(id)
            .execute(&mut *tx.tx)
            .await?
            .rows_affected();
            if taken == 0 {
                // Another invoice carried it meanwhile: this one, as
                // computed, would bill it twice. Nothing is written; the
                // next run decides again.
                return Err(StoreError::conflict(
                    "adjustment_invoiced",
                    "a prorated change was invoiced meanwhile; run again",
                ));
            }
        }
        for c in usage {
            let taken = sqlx::query(
                "UPDATE usage_counters SET billed_used = $1 WHERE license_id = $2 AND meter = $3 \
                 AND period_start = $4 AND billed_used = $5",
            )
            .bind(c.after)
            .bind(&c.license_id)
            .bind(&c.meter)
            .bind(c.period_start)
            .bind(c.before)
            .execute(&mut *tx.tx)
            .await?
            .rows_affected();
            if taken == 0 {
                // Another invoice billed these units meanwhile: as for
                // an adjustment, nothing is written and the next run
                // decides again.
                return Err(StoreError::conflict(
                    "usage_invoiced",
                    "usage was invoiced meanwhile; run again",
                ));
            }
        }
        let mut ev = event(
            actor,
            "invoice.create",
            &i.id,
            serde_json::json!({
                "kind": i.kind, "subject": i.subject, "period_start": i.period_start,
                "period_end": i.period_end, "currency": i.currency, "total": i.total,
            }),
        );
        ev.customer_id = Some(i.customer_id.clone());
        tx.commit_with(ev).await?;
        Ok(true)
    }

    async fn invoice(&self, id: &str) -> StoreResult<Invoice> {
        INVOICES.get(&self.pool, id).await
    }

    async fn list_invoices(
        &self,
        scope: &Scope,
        filter: &InvoiceFilter,
        page: Page,
    ) -> StoreResult<Rows<Invoice>> {
        INVOICES
            .list(
                &self.pool,
                filtered(scope, filter),
                "period_start DESC, id DESC",
                page,
            )
            .await
    }

    async fn count_invoices(&self, scope: &Scope, filter: &InvoiceFilter) -> StoreResult<i64> {
        let (sql, args) = filtered(scope, filter).counting("SELECT COUNT(*) AS n FROM invoices");
        count(&self.pool, &sql, args).await
    }

    async fn last_invoiced(&self, subject: &str) -> StoreResult<Option<NaiveDate>> {
        let latest = fetch_optional(
            &self.pool,
            "SELECT MAX(period_start) AS d FROM invoices WHERE subject = $1",
            [subject.into()],
            |r| Ok(r.try_get::<Option<String>, _>("d")?),
        )
        .await?
        .flatten();
        latest
            .map(|d| d.parse().map_err(StoreError::internal))
            .transpose()
    }

    async fn settle_invoice(
        &self,
        id: &str,
        status: &str,
        note: Option<&str>,
        at: i64,
        ev: Event,
    ) -> StoreResult<Invoice> {
        let mut tx = self.begin().await?;
        let row = sqlx::query(&format!(
            "UPDATE invoices SET status = $1, settled_at = $2, settled_note = $3, updated_at = $2 \
             WHERE id = $4 AND status = 'due' RETURNING {COLUMNS}"
        ))
        .bind(status)
        .bind(at)
        .bind(note)
        .bind(id)
        .fetch_optional(&mut *tx.tx)
        .await?;
        let Some(row) = row else {
            let now = INVOICES.get(&mut *tx.tx, id).await?;
            return Err(StoreError::conflict(
                "invoice_settled",
                format!("the invoice is already {}", now.status),
            )
            .with(serde_json::json!({ "invoice_status": now.status })));
        };
        let invoice = invoice_row(&row)?;
        tx.commit_with(Event {
            customer_id: Some(invoice.customer_id.clone()),
            ..ev
        })
        .await?;
        Ok(invoice)
    }

    async fn open_adjustments(&self, subscription_id: &str) -> StoreResult<Vec<Adjustment>> {
        fetch_all(
            &self.pool,
            &format!(
                "SELECT {ADJUSTMENT_COLUMNS} FROM invoice_adjustments \
                 WHERE subscription_id = $1 AND invoice_id IS NULL ORDER BY created_at, id"
            ),
            [subscription_id.into()],
            adjustment_row,
        )
        .await
    }

    async fn billed_allocations(&self) -> StoreResult<Vec<BilledAllocation>> {
        fetch_all(
            &self.pool,
            "SELECT a.customer_id, a.product_id, a.seats FROM allocations a \
             JOIN customers c ON c.id = a.customer_id \
             JOIN products p ON p.id = a.product_id \
             WHERE c.parent_id IS NULL AND a.seats > 0 AND p.allocation_price IS NOT NULL \
             ORDER BY a.customer_id, a.product_id",
            [],
            |r| Ok(from_row!(r => BilledAllocation { customer_id, product_id, seats })),
        )
        .await
    }
}

/// Writes the adjustment of `p` in `tx` when its period was invoiced (see
/// [`Prorated`]); nothing otherwise (the period's invoice, when written,
/// bills the subscription as it then stands).
pub(super) async fn write_prorated(tx: &mut Tx, p: Prorated) -> StoreResult<()> {
    let a = p.adjustment;
    let invoiced: i64 =
        sqlx::query("SELECT COUNT(*) AS n FROM invoices WHERE subject = $1 AND period_start = $2")
            .bind(&a.subscription_id)
            .bind(p.period_start.to_string())
            .fetch_one(&mut *tx.tx)
            .await?
            .try_get("n")?;
    if invoiced == 0 {
        return Ok(());
    }
    sqlx::query(&format!(
        "INSERT INTO invoice_adjustments ({ADJUSTMENT_COLUMNS}) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
    ))
    .bind(&a.id)
    .bind(&a.subscription_id)
    .bind(a.changed_on.to_string())
    .bind(&a.description)
    .bind(a.quantity)
    .bind(&a.currency)
    .bind(a.amount)
    .bind(&a.invoice_id)
    .bind(a.created_at)
    .execute(&mut *tx.tx)
    .await?;
    append(tx, p.event).await
}
