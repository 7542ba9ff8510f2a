//! Contracts (Octopus, HARMONY): suppliers and contract types, renewal
//! contracts with a supplier (dates, cost, invoice and PO numbers, a notice
//! period and the last day to cancel it gives), the purchase lots they
//! cover, and the billing follow-up items a re-billing to a client opens.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Idem, Outcome, Page, Purchase, Rows, Scope};
use crate::store::StoreResult;

/// A contract's end is near (one notice per lead time).
pub const CONTRACT_ENDING: &str = "contract.ending";

/// A record of the vendor's contract registers: a supplier or a contract
/// type, known by its name.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Named {
    /// Id.
    pub id: String,
    /// Name, unique in its register.
    pub name: String,
    /// Recorded (Unix seconds).
    pub created_at: i64,
}

/// The registers of [`Named`] records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Register {
    /// Suppliers.
    Supplier,
    /// Contract types ("maintenance", "subscription", "support"...).
    ContractType,
}

impl Register {
    /// What one record is called (in errors and the history).
    pub fn noun(self) -> &'static str {
        match self {
            Register::Supplier => "supplier",
            Register::ContractType => "contract type",
        }
    }
}

/// A renewal contract with a supplier.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct RenewalContract {
    /// Id.
    pub id: String,
    /// The holder (a node without a parent, as a purchase's buyer).
    pub customer_id: String,
    /// The supplier.
    pub supplier_id: String,
    /// The contract type.
    pub contract_type_id: String,
    /// The supplier's reference, unique per supplier.
    pub reference: String,
    /// First day (`YYYY-MM-DD`).
    pub starts_on: String,
    /// Last day (`YYYY-MM-DD`), after the first.
    pub ends_on: String,
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
    /// Notice period, e.g. "3 months before term end".
    pub notice_period: Option<String>,
    /// The next possible cancellation date: the last day on which a
    /// cancellation still ends the contract on `ends_on` (from the notice
    /// period; `YYYY-MM-DD`).
    pub last_day_to_cancel: Option<String>,
    /// Recorded (Unix seconds).
    pub created_at: i64,
}

/// A billing follow-up item: a re-billing to a client to invoice.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct FollowUp {
    /// Id.
    pub id: String,
    /// The re-billing that opened it.
    pub rebilling_id: String,
    /// The lot re-billed.
    pub purchase_id: String,
    /// The lot's buyer, who bills the client.
    pub customer_id: String,
    /// The client billed.
    pub client_id: String,
    /// `open` or `done`.
    pub status: String,
    /// Opened (Unix seconds).
    pub created_at: i64,
    /// Closed (Unix seconds).
    pub closed_at: Option<i64>,
    /// Who closed it.
    pub closed_by: Option<String>,
}

/// Storage for contracts; one method per operation, each one transaction.
#[async_trait::async_trait]
pub trait ContractStore: Send + Sync {
    /// Records a supplier or contract type (409 when the name is taken).
    async fn create_named(
        &self,
        register: Register,
        record: Named,
        actor: &str,
    ) -> StoreResult<Named>;
    /// The records of a register, by name.
    async fn list_named(&self, register: Register, page: Page) -> StoreResult<Rows<Named>>;
    /// A record of a register.
    async fn named_record(&self, register: Register, id: &str) -> StoreResult<Named>;
    /// Renames a record of a register (409 when the name is taken).
    async fn rename(
        &self,
        register: Register,
        id: &str,
        name: &str,
        actor: &str,
    ) -> StoreResult<Named>;
    /// Records a contract; a holder with a parent is refused (409).
    async fn create_contract(
        &self,
        contract: RenewalContract,
        actor: &str,
        idem: Option<Idem<RenewalContract>>,
    ) -> StoreResult<Outcome<RenewalContract>>;
    /// Replaces a contract's terms (its holder stays).
    async fn update_contract(
        &self,
        contract: RenewalContract,
        actor: &str,
    ) -> StoreResult<RenewalContract>;
    /// Lists contracts by end date.
    async fn list_contracts(&self, scope: &Scope, page: Page)
        -> StoreResult<Rows<RenewalContract>>;
    /// A contract.
    async fn contract(&self, id: &str) -> StoreResult<RenewalContract>;
    /// The lots a contract covers, oldest first.
    async fn contract_lots(&self, id: &str) -> StoreResult<Vec<Purchase>>;
    /// The contracts whose last day is from `from` to `to` (`YYYY-MM-DD`).
    async fn ending_contracts(&self, from: &str, to: &str) -> StoreResult<Vec<RenewalContract>>;
    /// Lists follow-up items, newest first (only those of `status`).
    async fn list_follow_ups(
        &self,
        scope: &Scope,
        status: Option<&str>,
        page: Page,
    ) -> StoreResult<Rows<FollowUp>>;
    /// Closes a follow-up item (done); closing a done one changes nothing.
    async fn close_follow_up(&self, id: &str, actor: &str) -> StoreResult<FollowUp>;
}
