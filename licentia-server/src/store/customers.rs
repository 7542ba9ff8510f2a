//! The customer tree (partner, customer, site) and the seats each node holds.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Page, Rows, Scope};
use crate::store::StoreResult;

/// A node of the customer tree.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
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
    /// When it was retired (Unix seconds): it takes nothing new.
    #[serde(default)]
    pub retired_at: Option<i64>,
    /// Its billing cycle (`monthly`, `quarterly`, `yearly`), which its
    /// subscriptions follow unless they say otherwise; none: not chosen.
    #[serde(default)]
    pub billing_interval: Option<String>,
    /// A change of its cycle asked for, taking effect on `billing_next_on`.
    #[serde(default)]
    pub billing_next: Option<String>,
    /// The first day of `billing_next` (`YYYY-MM-DD`): its next cycle's.
    #[serde(default)]
    pub billing_next_on: Option<String>,
}

/// Seats of one product held by one node of the customer tree.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
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
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
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

/// Which nodes a page of [`CustomerStore::seat_nodes`] lists.
#[derive(Debug, Clone, Copy)]
pub enum NodePick<'a> {
    /// Every node within the scope.
    All,
    /// The top of the scope: the tree's roots for the vendor, the nodes
    /// of the caller's grants otherwise.
    Top,
    /// The children of one node (the caller checked that it reaches it).
    Children(&'a str),
    /// The nodes within the scope whose name holds this, in any case.
    Named(&'a str),
}

/// Why an activation, a lease or a member's service was refused by its
/// customer node's allocation: the node's seats in use plus those it gave on
/// would exceed what it holds, or it holds none while a node above it
/// allocates the product.
pub const ALLOCATION_EXHAUSTED: &str = "allocation_exhausted";

/// The customer tree's storage.
#[async_trait::async_trait]
pub trait CustomerStore: Send + Sync {
    /// Creates a customer node.
    async fn create_customer(&self, customer: Customer, actor: &str) -> StoreResult<Customer>;
    /// Lists the customer nodes within `scope`, optionally under one
    /// parent or of one kind.
    async fn list_customers(
        &self,
        scope: &Scope,
        parent_id: Option<&str>,
        kind: Option<&str>,
        page: Page,
    ) -> StoreResult<Rows<Customer>>;
    /// A customer node.
    async fn customer(&self, id: &str) -> StoreResult<Customer>;
    /// Sets a node's billing cycle now (`interval`) and the change waiting
    /// for its next cycle (`next`: the interval and its first day), with
    /// the subscriptions that follow it given `pending` changes (each
    /// written only if it did not change since read at its version:
    /// `false` then, and nothing is written).
    async fn set_customer_billing(
        &self,
        customer_id: &str,
        interval: Option<&str>,
        next: Option<(&str, chrono::NaiveDate)>,
        following: &[crate::store::Subscription],
        event: crate::store::Event,
    ) -> StoreResult<bool>;
    /// Makes current every change of a billing cycle due by `day`; how many.
    async fn start_billing_cycles(&self, day: chrono::NaiveDate) -> StoreResult<u64>;
    /// Replaces a node's name, e-mail and reference with `customer`'s, and
    /// records `changed` (`{field: {from, to}}`); refused (409 `retired`)
    /// when it was retired meanwhile.
    async fn update_customer(
        &self,
        customer: Customer,
        changed: serde_json::Value,
        actor: &str,
    ) -> StoreResult<Customer>;
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
    ) -> StoreResult<Allocation>;
    /// The node and its subtree, parents first, with the seats each holds.
    async fn seats(&self, customer_id: &str) -> StoreResult<Vec<NodeSeats>>;
    /// One page of the nodes `pick` chooses within `scope`, by name, with
    /// the seats each holds (read from counters: a page costs its nodes,
    /// not their licences).
    async fn seat_nodes(
        &self,
        scope: &Scope,
        pick: NodePick<'_>,
        page: Page,
    ) -> StoreResult<Rows<NodeSeats>>;
    /// How many allocations within `scope` are nearly exhausted: of the
    /// seats held (some), at most one in `ratio` is free.
    async fn allocations_short(&self, scope: &Scope, ratio: i64) -> StoreResult<i64>;
}
