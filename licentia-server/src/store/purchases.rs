//! Purchases: lots bought (product, quantity, serial, dates, cost, PO and
//! invoice numbers) and the customers they were re-billed to; a lot's seats
//! are held by its customer and allocated like any other seats.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Idem, Outcome, Page, Rows, Scope};
use crate::store::StoreResult;

/// A lot bought by a node at the top of the customer tree.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Purchase {
    /// Id.
    pub id: String,
    /// The buyer (a node without a parent, usually a partner).
    pub customer_id: String,
    /// The product.
    pub product_id: String,
    /// Seats bought; they raised the buyer's allocation.
    pub quantity: i64,
    /// Seats of the lot re-billed so far.
    pub rebilled: i64,
    /// Seats of the lot not yet re-billed (`quantity - rebilled`).
    pub not_rebilled: i64,
    /// Serial or registration key, unique per product.
    pub serial: Option<String>,
    /// Version bought.
    pub version: Option<String>,
    /// Purchase date (`YYYY-MM-DD`).
    pub purchased_on: String,
    /// Renewal date (`YYYY-MM-DD`), after the purchase date.
    pub renews_on: Option<String>,
    /// Cost as a decimal string in the currency's minor-unit precision.
    pub cost: Option<String>,
    /// Cost in the currency's minor units (cents...).
    pub cost_minor: Option<i64>,
    /// ISO 4217 currency code.
    pub currency: Option<String>,
    /// Purchase order number.
    pub po_number: Option<String>,
    /// Invoice number.
    pub invoice_number: Option<String>,
    /// Free text.
    pub notes: Option<String>,
    /// Recorded (Unix seconds).
    pub created_at: i64,
    /// The renewal contract covering the lot.
    pub contract_id: Option<String>,
}

/// Part of a lot billed on to a customer (billing only: no seat moves).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Rebilling {
    /// Id.
    pub id: String,
    /// The lot.
    pub purchase_id: String,
    /// The customer billed.
    pub customer_id: String,
    /// Seats billed on.
    pub quantity: i64,
    /// The invoice to that customer.
    pub invoice_number: Option<String>,
    /// Free text.
    pub notes: Option<String>,
    /// Recorded (Unix seconds).
    pub created_at: i64,
}

/// Filters on the purchase list.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
pub struct PurchaseFilter {
    /// Only this buyer.
    pub customer_id: Option<String>,
    /// Only this product (id).
    pub product_id: Option<String>,
}

/// Why a re-billing was refused: more than the lot has left.
pub const LOT_EXCEEDED: &str = "lot_exceeded";

/// Storage for purchases; one method per operation, each one transaction.
#[async_trait::async_trait]
pub trait PurchaseStore: Send + Sync {
    /// Records a lot and raises the buyer's allocation of the product by
    /// its quantity (creating the allocation). A buyer with a parent is
    /// refused (409): below the top of the tree, seats come by allocation.
    async fn create_purchase(
        &self,
        purchase: Purchase,
        actor: &str,
        idem: Option<Idem<Purchase>>,
    ) -> StoreResult<Outcome<Purchase>>;
    /// Lists purchases, newest first.
    async fn list_purchases(
        &self,
        scope: &Scope,
        filter: &PurchaseFilter,
        page: Page,
    ) -> StoreResult<Rows<Purchase>>;
    /// A purchase.
    async fn purchase(&self, id: &str) -> StoreResult<Purchase>;
    /// The re-billings of a purchase, oldest first.
    async fn rebillings(&self, purchase_id: &str) -> StoreResult<Vec<Rebilling>>;
    /// Re-bills part of a lot; refused (409 [`LOT_EXCEEDED`]) when the lot's
    /// re-billings would exceed its quantity. Billing a customer other than
    /// the buyer opens a follow-up item ([`crate::store::FollowUp`]).
    async fn rebill(
        &self,
        rebilling: Rebilling,
        actor: &str,
        idem: Option<Idem<Rebilling>>,
    ) -> StoreResult<Outcome<Rebilling>>;
}

pub use crate::billing::{currency_digits, format_amount, parse_amount};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_round_trip_in_minor_units() {
        assert_eq!(currency_digits("EUR"), Some(2));
        assert_eq!(currency_digits("JPY"), Some(0));
        assert_eq!(currency_digits("KWD"), Some(3));
        assert_eq!(currency_digits("EURO"), None);
        assert_eq!(currency_digits("eur"), None);
        assert_eq!(parse_amount("12.3", 2), Ok(1230));
        assert_eq!(parse_amount("0.05", 2), Ok(5));
        assert_eq!(parse_amount("1200", 0), Ok(1200));
        assert_eq!(parse_amount("1.234", 3), Ok(1234));
        for bad in ["12.345", "-1", "1e3", "1,5", ".5", "5.", "", "+1", " 1"] {
            assert!(parse_amount(bad, 2).is_err(), "{bad}");
        }
        assert!(parse_amount("99999999999999999999", 2).is_err());
        assert_eq!(format_amount(1230, 2), "12.30");
        assert_eq!(format_amount(5, 2), "0.05");
        assert_eq!(format_amount(1200, 0), "1200");
        assert_eq!(format_amount(0, 3), "0.000");
    }
}
