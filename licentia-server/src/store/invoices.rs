//! Invoices: what the nightly job bills for a period, once per subject
//! and period, and the prorated changes waiting for the next invoice.
//! licentia takes no payment: an invoice is `due` until staff record that
//! it was `paid` (elsewhere) or `void`.

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{BilledCounter, Event, Page, Rows, Scope};
use crate::store::StoreResult;

/// What an invoice bills: a subscription, or a node's allocated seats.
pub const SUBSCRIPTION_INVOICE: &str = "subscription";
/// An invoice of a node's allocated seats.
pub const ALLOCATION_INVOICE: &str = "allocation";

/// The statuses of an invoice: due until settled.
pub const INVOICE_STATUSES: [&str; 3] = ["due", "paid", "void"];

/// One line of an invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct InvoiceLine {
    /// `plan` (the plan's seats), `option` (one option's seats),
    /// `allocation` (one product's allocated seats), `proration` (a
    /// change during an earlier period, charged or credited) or `usage`
    /// (units of a meter consumed in an ended period beyond the included
    /// ones).
    pub kind: String,
    /// What it bills, in words (`Business: 10 seats`, `option sso`...).
    pub description: String,
    /// The plan, option code, product or meter it bills.
    pub item: String,
    /// Seats billed (the change of seats for a proration, units for
    /// usage).
    pub quantity: i64,
    /// Per seat per month (per unit for usage), in minor units (0 for a
    /// proration).
    pub unit_amount: i64,
    /// Months billed (0 for a proration and for usage).
    pub months: u32,
    /// The line's amount, in minor units (negative: a credit).
    pub amount: i64,
}

/// An invoice as stored.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Invoice {
    /// Id.
    pub id: String,
    /// `subscription` or `allocation`.
    pub kind: String,
    /// What it bills: the subscription, or the customer node for its
    /// allocated seats. One invoice per subject and period start.
    pub subject: String,
    /// The customer node invoiced.
    pub customer_id: String,
    /// The subscription, for a subscription's invoice.
    pub subscription_id: Option<String>,
    /// The period's first day (the invoice date).
    pub period_start: NaiveDate,
    /// The period's last day (inclusive).
    pub period_end: NaiveDate,
    /// ISO 4217 code of every amount.
    pub currency: String,
    /// The lines.
    pub lines: Vec<InvoiceLine>,
    /// The lines' sum, in minor units.
    pub net: i64,
    /// Tax rate in basis points (2000 = 20 %).
    pub tax_rate_bp: i64,
    /// Tax on `net`, rounded half away from zero, once per invoice.
    pub tax: i64,
    /// `net + tax`.
    pub total: i64,
    /// `due`, `paid` or `void`.
    pub status: String,
    /// When it was recorded paid or void (Unix seconds).
    pub settled_at: Option<i64>,
    /// What staff wrote when settling it (a payment reference...).
    pub settled_note: Option<String>,
    /// Written (Unix seconds).
    pub created_at: i64,
    /// Last changed (Unix seconds).
    pub updated_at: i64,
}

/// Filters on the invoice list.
#[derive(Debug, Clone, Default)]
pub struct InvoiceFilter {
    /// Only this customer node's.
    pub customer_id: Option<String>,
    /// Only this subscription's.
    pub subscription_id: Option<String>,
    /// Only this status.
    pub status: Option<String>,
    /// Only periods starting on or after this day.
    pub period_from: Option<NaiveDate>,
    /// Only periods starting on or before this day.
    pub period_to: Option<NaiveDate>,
}

/// A change during an invoiced period, prorated by days, waiting for the
/// subscription's next invoice.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Adjustment {
    /// Id.
    pub id: String,
    /// The subscription changed.
    pub subscription_id: String,
    /// The day of the change.
    pub changed_on: NaiveDate,
    /// What changed, in words.
    pub description: String,
    /// The seats more (negative: fewer) it bills.
    pub quantity: i64,
    /// ISO 4217 code.
    pub currency: String,
    /// Charge (positive) or credit (negative), in minor units.
    pub amount: i64,
    /// The invoice that carries it, once written.
    pub invoice_id: Option<String>,
    /// Recorded (Unix seconds).
    pub created_at: i64,
}

/// A change's prorated charge or credit, written in the transaction of the
/// change itself when the period it falls in was already invoiced (an
/// invoice of the subscription for the period starting `period_start`
/// exists then): a change and its adjustment are never half written, and
/// an invoice committed while the change was being decided is seen.
#[derive(Debug, Clone)]
pub struct Prorated {
    /// The adjustment, waiting for the next invoice.
    pub adjustment: Adjustment,
    /// The start of the period it falls in.
    pub period_start: NaiveDate,
    /// Its history entry.
    pub event: Event,
}

/// Seats of a product allocated to a node, as its invoice bills them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BilledAllocation {
    /// The node (a top node of the tree: the vendor's direct customer).
    pub customer_id: String,
    /// The product.
    pub product_id: String,
    /// Seats allocated.
    pub seats: i64,
}

/// Storage for invoices; one method per operation, each one transaction.
#[async_trait::async_trait]
pub trait InvoiceStore: Send + Sync {
    /// Writes `invoice` unless its subject already has one for its period
    /// start (then nothing is written, and the answer is false), marks
    /// the adjustments `adjustments` as carried by it and the usage
    /// counters `usage` as accounted for, with a history entry by `actor`;
    /// all in one transaction, so a racing run writes it once, and bills
    /// an adjustment or a unit consumed once.
    async fn record_invoice(
        &self,
        invoice: Invoice,
        adjustments: &[String],
        usage: &[BilledCounter],
        actor: &str,
    ) -> StoreResult<bool>;

    /// An invoice.
    async fn invoice(&self, id: &str) -> StoreResult<Invoice>;

    /// Lists invoices within `scope`, newest period first.
    async fn list_invoices(
        &self,
        scope: &Scope,
        filter: &InvoiceFilter,
        page: Page,
    ) -> StoreResult<Rows<Invoice>>;

    /// How many invoices within `scope` `filter` keeps.
    async fn count_invoices(&self, scope: &Scope, filter: &InvoiceFilter) -> StoreResult<i64>;

    /// The start of the latest period invoiced for `subject`, if any.
    async fn last_invoiced(&self, subject: &str) -> StoreResult<Option<NaiveDate>>;

    /// Records a `due` invoice as `status` (`paid` or `void`) at `at` with
    /// `note`; 409 `invoice_settled` when it is no longer due.
    async fn settle_invoice(
        &self,
        id: &str,
        status: &str,
        note: Option<&str>,
        at: i64,
        event: Event,
    ) -> StoreResult<Invoice>;

    /// The adjustments of `subscription_id` no invoice carries yet, oldest
    /// first.
    async fn open_adjustments(&self, subscription_id: &str) -> StoreResult<Vec<Adjustment>>;

    /// The seats allocated to the top nodes of the customer tree (those
    /// the vendor allocates to directly), of the products with an
    /// allocation price, by node then product.
    async fn billed_allocations(&self) -> StoreResult<Vec<BilledAllocation>>;
}
