//! The storage trait: one method per business operation, each one
//! transaction. Records here are plain data; the documents they carry
//! (license files, leases) were signed by the core's `Issuer` before the
//! store sees them.

use serde::{Deserialize, Serialize};

use crate::error::ApiResult;
use licentia::spec::LicenseSpec;

mod bulk;
mod members;
mod notices;
mod purchases;
mod reports;
mod subscriptions;

pub use bulk::*;
pub use members::*;
pub use notices::*;
pub use purchases::*;
pub use reports::*;
pub use subscriptions::*;

/// What an API token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Everything, including tokens and keys.
    Admin,
    /// Products, policies, customers, licenses.
    Issuer,
    /// Reads, and raising seat counts.
    Finance,
    /// Reads only, history included.
    Auditor,
}

impl Role {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Issuer => "issuer",
            Role::Finance => "finance",
            Role::Auditor => "auditor",
        }
    }

    /// Parses a stored or typed name.
    pub fn parse(text: &str) -> Option<Role> {
        Some(match text {
            "admin" => Role::Admin,
            "issuer" => Role::Issuer,
            "finance" => Role::Finance,
            "auditor" => Role::Auditor,
            _ => return None,
        })
    }
}

/// A page of a list: `limit` (1..=500, default 50) rows after `offset`.
#[derive(Debug, Clone, Copy, Deserialize)]
pub struct Page {
    /// Rows wanted.
    pub limit: i64,
    /// Rows skipped.
    pub offset: i64,
}

impl Default for Page {
    fn default() -> Page {
        Page {
            limit: 50,
            offset: 0,
        }
    }
}

/// An API token as stored (its hash is never read back out).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TokenRecord {
    /// Id.
    pub id: String,
    /// What it is for.
    pub name: String,
    /// Its role.
    pub role: Role,
    /// Created (Unix seconds).
    pub created_at: i64,
    /// Who created it.
    pub created_by: String,
    /// When revoked, if it was.
    pub revoked_at: Option<i64>,
}

/// A signing key's public half and state.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KeyRecord {
    /// Key id (16 hex digits).
    pub key_id: String,
    /// SPKI PEM.
    pub public_pem: String,
    /// `active`, `trusted` or `retired`.
    pub state: String,
    /// Created (Unix seconds).
    pub created_at: i64,
    /// The rollover statement endorsing it, signed by the key before it.
    pub rollover: Option<String>,
}

/// Where the signing keys stand: the active key and how many were retired.
/// A rotation changes the first, a retirement the second (retirement is
/// final), so two equal stamps mean the same keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyStamp {
    /// The active key's id.
    pub active: String,
    /// How many keys are retired.
    pub retired: i64,
}

/// A product.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Product {
    /// Id.
    pub id: String,
    /// Product code, as licenses name it.
    pub code: String,
    /// Display name.
    pub name: String,
    /// Created (Unix seconds).
    pub created_at: i64,
}

/// A license template.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Policy {
    /// Id.
    pub id: String,
    /// The product.
    pub product_id: String,
    /// Name, unique per product.
    pub name: String,
    /// `standard` or `trial`.
    pub kind: String,
    /// `unbound`, `node-locked`, `floating` or `named-user`.
    pub binding: String,
    /// Machine match rule for node-locked licenses.
    pub match_rule: String,
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
    /// Features, `CODE[=COUNT][@DATE]`.
    pub entitlements: Vec<String>,
    /// Temporary licenses allowed per license per period.
    pub temp_quota: i64,
    /// The quota's period.
    pub temp_period_days: i64,
    /// How long a temporary license runs.
    pub temp_duration_days: i64,
    /// Lease length for floating licenses.
    pub lease_ttl_secs: i64,
    /// Created (Unix seconds).
    pub created_at: i64,
}

/// A node of the customer tree.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Customer {
    /// Id.
    pub id: String,
    /// Parent node.
    pub parent_id: Option<String>,
    /// `partner`, `customer` or `site`.
    pub kind: String,
    /// Name.
    pub name: String,
    /// Contact e-mail.
    pub email: Option<String>,
    /// The vendor's own reference.
    pub external_ref: Option<String>,
    /// Created (Unix seconds).
    pub created_at: i64,
}

/// An add-on a plan offers: extra entitlements.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanOption {
    /// Code, unique in its plan, by which a license asks for it.
    pub code: String,
    /// Display name.
    pub name: String,
    /// Features it adds, `CODE[=COUNT][@DATE]`.
    pub entitlements: Vec<String>,
}

/// A plan: a product, a policy and optional add-on options.
#[derive(Debug, Clone, Serialize, Deserialize)]
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
    /// Created (Unix seconds).
    pub created_at: i64,
}

/// Seats of one product held by one node of the customer tree.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Allocation {
    /// The node.
    pub customer_id: String,
    /// The product.
    pub product_id: String,
    /// Seats the node holds.
    pub allocated: i64,
    /// Seats the node gave on to its children.
    pub given: i64,
    /// Seats in use at the node: one per member service, and, for other
    /// licenses naming the node, one per active activation and per live lease.
    pub used: i64,
    /// Seats still free at the node (`allocated - given - used`).
    pub free: i64,
}

/// One node of a subtree and the seats it holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NodeSeats {
    /// The node.
    pub customer_id: String,
    /// Its parent.
    pub parent_id: Option<String>,
    /// `partner`, `customer` or `site`.
    pub kind: String,
    /// Its name.
    pub name: String,
    /// Its allocations, one per product.
    pub allocations: Vec<Allocation>,
}

/// A license as the back office holds it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LicenseRecord {
    /// The license id (32 hex digits), as in its files.
    pub id: String,
    /// Product id.
    pub product_id: String,
    /// Policy id.
    pub policy_id: String,
    /// Customer node.
    pub customer_id: Option<String>,
    /// Last group of the license key.
    pub key_hint: String,
    /// `active`, `suspended` or `revoked`.
    pub status: String,
    /// Licensee name.
    pub licensee: String,
    /// What every file of this license is made from.
    pub spec: LicenseSpec,
    /// Seats granted.
    pub seats: i64,
    /// Seats taken by activations.
    pub seats_used: i64,
    /// Hard expiry (Unix seconds).
    pub expires_at: Option<i64>,
    /// The latest unbound license file, when the binding allows one.
    pub file: Option<String>,
    /// Issued (Unix seconds).
    pub issued_at: i64,
    /// Last changed (Unix seconds).
    pub updated_at: i64,
    /// Grows with every change of its terms; a change computed from the
    /// license at one version is refused (409 `license_changed`) once the
    /// license moved on.
    #[serde(default)]
    pub terms_version: i64,
}

/// A machine activation.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Activation {
    /// Id.
    pub id: String,
    /// License id.
    pub license_id: String,
    /// Machine fingerprint (hex).
    pub fingerprint: String,
    /// Platform the product reported.
    pub platform: String,
    /// `online` or `offline`.
    pub mode: String,
    /// The machine-locked license file (for offline: the activation answer).
    pub file: String,
    /// Activated (Unix seconds).
    pub created_at: i64,
    /// Last activation or check-in.
    pub last_seen_at: i64,
    /// When deactivated.
    pub deactivated_at: Option<i64>,
}

/// A temporary license for a replacement machine.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Temporary {
    /// Id.
    pub id: String,
    /// The license it stands in for.
    pub license_id: String,
    /// The replacement machine.
    pub fingerprint: String,
    /// The signed temporary license.
    pub file: String,
    /// Issued (Unix seconds).
    pub created_at: i64,
    /// Expires (Unix seconds).
    pub expires_at: i64,
}

/// A floating-seat lease.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Lease {
    /// Id.
    pub id: String,
    /// License id.
    pub license_id: String,
    /// The machine holding the seat.
    pub fingerprint: String,
    /// Checked out (Unix seconds).
    pub created_at: i64,
    /// Ends (Unix seconds) unless renewed by a heartbeat.
    pub expires_at: i64,
    /// Returned early.
    pub returned_at: Option<i64>,
}

/// One history entry.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct HistoryEntry {
    /// Position in the chain, from 1.
    pub seq: i64,
    /// When (Unix seconds).
    pub at: i64,
    /// Who (`token:ID`, `license:ID`, `cli`, `system`).
    pub actor: String,
    /// What, e.g. `license.issue`.
    pub operation: String,
    /// The record acted on.
    pub subject: String,
    /// The license concerned.
    pub license_id: Option<String>,
    /// The customer concerned.
    pub customer_id: Option<String>,
    /// Details (JSON text).
    pub details: String,
    /// Hash of the entry before.
    pub prev_hash: String,
    /// SHA-256(prev_hash || canonical entry).
    pub hash: String,
}

/// A mutation to record: the store adds sequence, time and hashes.
#[derive(Debug, Clone)]
pub struct Event {
    /// Who.
    pub actor: String,
    /// What.
    pub operation: &'static str,
    /// The record acted on.
    pub subject: String,
    /// The license concerned.
    pub license_id: Option<String>,
    /// The customer concerned.
    pub customer_id: Option<String>,
    /// Details.
    pub details: serde_json::Value,
}

/// Filters on the history.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct HistoryFilter {
    /// Only this license.
    pub license_id: Option<String>,
    /// Only this customer.
    pub customer_id: Option<String>,
    /// Only this operation.
    pub operation: Option<String>,
    /// Only entries after this sequence number.
    pub after_seq: Option<i64>,
}

/// Filters on the license list.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct LicenseFilter {
    /// Only this product (id).
    pub product_id: Option<String>,
    /// Only this customer.
    pub customer_id: Option<String>,
    /// Only this status.
    pub status: Option<String>,
    /// Only licenses expiring before this (Unix seconds).
    pub expires_before: Option<i64>,
}

/// A request that carries an `Idempotency-Key`: its scope (hashed), the hash
/// of its body, and how to seal the answer for storage.
pub struct Idem<T> {
    /// SHA-256 of route, caller and key.
    pub scope: String,
    /// SHA-256 of the request body.
    pub request_hash: String,
    /// HTTP status of a fresh answer.
    pub status: u16,
    /// Renders the answer and seals it (the stored text).
    pub seal: Box<dyn Fn(&T) -> String + Send + Sync>,
}

/// An operation's outcome: done now, or done before under the same key.
#[derive(Debug)]
pub enum Outcome<T> {
    /// Done by this request.
    Fresh(T),
    /// The stored answer to the first request.
    Replay {
        /// Its status.
        status: u16,
        /// Its sealed body.
        sealed: String,
    },
}

/// A stored idempotent answer.
#[derive(Debug, Clone)]
pub struct StoredAnswer {
    /// Hash of the first request's body.
    pub request_hash: String,
    /// Status.
    pub status: u16,
    /// Sealed body.
    pub sealed: String,
}

/// The current revocation state of one product.
#[derive(Debug, Clone)]
pub struct RevocationState {
    /// List version.
    pub sequence: i64,
    /// When it last changed.
    pub updated_at: i64,
    /// Revoked license ids.
    pub licenses: Vec<String>,
}

/// A license to store, already signed.
#[derive(Debug, Clone)]
pub struct NewLicense {
    /// The record (seats_used 0).
    pub record: LicenseRecord,
    /// Hash of its license key.
    pub key_hash: String,
}

/// Why a seat-consuming operation was refused.
pub const NO_SEAT: &str = "no_seat_available";
/// Why an activation, a lease or a member's service was refused by its
/// customer node's allocation: the node's seats in use plus those it gave on
/// would exceed what it holds, or it holds none while a node above it
/// allocates the product.
pub const ALLOCATION_EXHAUSTED: &str = "allocation_exhausted";

/// The storage of the back office.
#[async_trait::async_trait]
pub trait Store:
    Send
    + Sync
    + PurchaseStore
    + MemberStore
    + SubscriptionStore
    + NoticeStore
    + ReportStore
    + BulkStore
{
    /// The database answers.
    async fn ping(&self) -> ApiResult<()>;

    /// Creates the bootstrap admin token unless one was ever created; true if created now.
    async fn bootstrap_admin(&self, token: TokenRecord, hash: String) -> ApiResult<bool>;
    /// Stores a new API token.
    async fn create_token(&self, token: TokenRecord, hash: String) -> ApiResult<TokenRecord>;
    /// Lists tokens.
    async fn list_tokens(&self, page: Page) -> ApiResult<Vec<TokenRecord>>;
    /// Revokes a token.
    async fn revoke_token(&self, id: &str, actor: &str) -> ApiResult<TokenRecord>;
    /// The live token with this hash.
    async fn token_by_hash(&self, hash: &str) -> ApiResult<Option<TokenRecord>>;

    /// Every signing key not retired.
    async fn signing_keys(&self) -> ApiResult<Vec<KeyRecord>>;
    /// Records the first signing key; false if another instance did first.
    async fn add_first_key(&self, key: KeyRecord) -> ApiResult<bool>;
    /// Makes `key` the active key in place of `previous` (the key that
    /// signed its rollover statement), which stays trusted; when `previous`
    /// is no longer the active key (a concurrent rotation), a 409.
    async fn rotate_key(&self, key: KeyRecord, previous: &str, actor: &str) -> ApiResult<()>;
    /// Where the keys stand now: one cheap read that changes with every
    /// rotation and every retirement.
    async fn key_stamp(&self) -> ApiResult<KeyStamp>;
    /// Retires a trusted key: it no longer signs nor is trusted, and every
    /// product's revocation list names it (a new sequence). The active key
    /// is refused (409).
    async fn retire_key(&self, key_id: &str, actor: &str) -> ApiResult<()>;
    /// The ids of the retired keys, oldest first.
    async fn retired_keys(&self) -> ApiResult<Vec<String>>;

    /// Creates a product.
    async fn create_product(&self, product: Product, actor: &str) -> ApiResult<Product>;
    /// Lists products.
    async fn list_products(&self, page: Page) -> ApiResult<Vec<Product>>;
    /// A product by id or code.
    async fn product(&self, id_or_code: &str) -> ApiResult<Product>;

    /// Creates a policy.
    async fn create_policy(&self, policy: Policy, actor: &str) -> ApiResult<Policy>;
    /// Lists policies, optionally of one product.
    async fn list_policies(&self, product_id: Option<&str>, page: Page) -> ApiResult<Vec<Policy>>;
    /// A policy.
    async fn policy(&self, id: &str) -> ApiResult<Policy>;

    /// Creates a customer node.
    async fn create_customer(&self, customer: Customer, actor: &str) -> ApiResult<Customer>;
    /// Lists customer nodes, optionally under one parent or of one kind.
    async fn list_customers(
        &self,
        parent_id: Option<&str>,
        kind: Option<&str>,
        page: Page,
    ) -> ApiResult<Vec<Customer>>;
    /// A customer node.
    async fn customer(&self, id: &str) -> ApiResult<Customer>;

    /// Creates a plan.
    async fn create_plan(&self, plan: Plan, actor: &str) -> ApiResult<Plan>;
    /// Lists plans, optionally of one product.
    async fn list_plans(&self, product_id: Option<&str>, page: Page) -> ApiResult<Vec<Plan>>;
    /// A plan.
    async fn plan(&self, id: &str) -> ApiResult<Plan>;

    /// Sets the seats of `product_id` that `customer_id` holds. A raise is
    /// refused (403) unless `may_raise`; it must fit in what the parent holds
    /// minus what the parent gave to others and uses itself (409); a node
    /// never holds fewer than it gave on plus it uses (409). A node without
    /// a parent (the root partner) takes its seats from nowhere: its
    /// allocation is its purchase.
    async fn set_allocation(
        &self,
        customer_id: &str,
        product_id: &str,
        seats: i64,
        may_raise: bool,
        actor: &str,
    ) -> ApiResult<Allocation>;
    /// The node and its subtree, parents first, with the seats each holds.
    async fn seats(&self, customer_id: &str) -> ApiResult<Vec<NodeSeats>>;

    /// Stores an issued license.
    async fn issue_license(
        &self,
        new: NewLicense,
        actor: &str,
        idem: Option<Idem<LicenseRecord>>,
    ) -> ApiResult<Outcome<LicenseRecord>>;
    /// Lists licenses.
    async fn list_licenses(
        &self,
        filter: &LicenseFilter,
        page: Page,
    ) -> ApiResult<Vec<LicenseRecord>>;
    /// A license.
    async fn license(&self, id: &str) -> ApiResult<LicenseRecord>;
    /// The license with this key hash.
    async fn license_by_key(&self, key_hash: &str) -> ApiResult<Option<LicenseRecord>>;
    /// Moves a license from one of `from` to `to` (suspend, reinstate, revoke).
    async fn set_status(
        &self,
        id: &str,
        from: &[&str],
        to: &str,
        event: Event,
    ) -> ApiResult<LicenseRecord>;
    /// Replaces a license's spec and file (renewal, entitlements).
    async fn update_terms(
        &self,
        record: LicenseRecord,
        event: Event,
        idem: Option<Idem<LicenseRecord>>,
    ) -> ApiResult<Outcome<LicenseRecord>>;
    /// Changes the seat count; never below the seats in use.
    /// Without `may_raise`, only a cut of the seats as they stand in the
    /// transaction (403 otherwise).
    async fn set_seats(
        &self,
        id: &str,
        seats: i64,
        may_raise: bool,
        event: Event,
    ) -> ApiResult<LicenseRecord>;

    /// Activates a machine, taking a seat unless the machine is already active.
    async fn activate(
        &self,
        activation: Activation,
        event: Event,
        idem: Option<Idem<Activation>>,
    ) -> ApiResult<Outcome<Activation>>;
    /// Deactivates, freeing the seat.
    async fn deactivate(
        &self,
        id: &str,
        license_id: Option<&str>,
        event: Event,
    ) -> ApiResult<Activation>;
    /// An activation.
    async fn activation(&self, id: &str) -> ApiResult<Activation>;
    /// The activations of a license.
    async fn list_activations(&self, license_id: &str, page: Page) -> ApiResult<Vec<Activation>>;
    /// Refreshes the file of an active machine of an active license.
    async fn check_in(
        &self,
        license_id: &str,
        fingerprint: &str,
        file: String,
        event: Event,
    ) -> ApiResult<Activation>;

    /// Records a temporary license unless the quota since `period_start` is used up.
    async fn issue_temporary(
        &self,
        temporary: Temporary,
        quota: i64,
        period_start: i64,
        event: Event,
    ) -> ApiResult<Temporary>;

    /// Checks a floating seat out unless `cap` unexpired leases exist at
    /// `now`, or the license's customer node has no seat left
    /// ([`ALLOCATION_EXHAUSTED`]).
    async fn checkout_lease(
        &self,
        lease: Lease,
        cap: i64,
        now: i64,
        event: Event,
    ) -> ApiResult<Lease>;
    /// Extends an unexpired, unreturned lease to `expires_at`.
    async fn heartbeat_lease(
        &self,
        id: &str,
        license_id: &str,
        now: i64,
        expires_at: i64,
        event: Event,
    ) -> ApiResult<Lease>;
    /// Returns a lease early.
    async fn return_lease(
        &self,
        id: &str,
        license_id: &str,
        now: i64,
        event: Event,
    ) -> ApiResult<Lease>;

    /// The product's revocation state.
    async fn revocation_state(&self, product_id: &str) -> ApiResult<RevocationState>;

    /// History entries, oldest first.
    async fn history(&self, filter: &HistoryFilter, page: Page) -> ApiResult<Vec<HistoryEntry>>;

    /// The chain's tip: the last sequence number and its hash.
    async fn history_tip(&self) -> ApiResult<(i64, String)>;

    /// The stored answer for an idempotency scope.
    async fn stored_answer(&self, scope: &str) -> ApiResult<Option<StoredAnswer>>;
}
