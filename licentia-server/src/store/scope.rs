//! Tenancy: where a record sits in the customer tree, and the part of the
//! tree a caller reaches. A grant at a node reaches the node and everything
//! below it, never above or beside; the vendor root reaches everything.

use super::StoreResult;

/// The part of the customer tree a caller reaches with the roles a request
/// needs: every list, report, export and history query is given one and
/// keeps only the records within it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// The vendor root: the whole tree, and the records that name no node.
    All,
    /// The subtrees under these nodes (none: nothing).
    Under(Vec<String>),
}

impl Scope {
    /// Whether a record at `path` (its node, then every node above it, as
    /// [`ScopeStore::placement`] finds it) is within this scope.
    pub fn reaches(&self, placement: &Placement) -> bool {
        match (self, placement) {
            (Scope::All, _) | (_, Placement::Catalogue) => true,
            (Scope::Under(_), Placement::Vendor) => false,
            (Scope::Under(nodes), Placement::Node(path)) => {
                path.iter().any(|n| nodes.iter().any(|g| g == n))
            }
        }
    }
}

/// What kind of record a route's `{id}` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordKind {
    /// A node of the customer tree.
    Customer,
    /// A license.
    License,
    /// An activation (of a license).
    Activation,
    /// A lease (of a license).
    Lease,
    /// A member of a node.
    Member,
    /// A subscription.
    Subscription,
    /// A purchase.
    Purchase,
    /// A renewal contract (where its holder is).
    Contract,
    /// A billing follow-up item (where the lot's buyer is).
    FollowUp,
    /// An invoice (of a subscription, or of a node's allocated seats).
    Invoice,
    /// A notification the jobs wrote (about a license, a subscription or a
    /// contract).
    Notification,
    /// A notice subscription.
    NoticeSubscription,
    /// An API token (where its grant is).
    Token,
    /// An account (where its grants are; one it holds none at is the vendor's).
    Account,
    /// A grant.
    Grant,
    /// The vendor's catalogue (products, policies, plans, keys): read by
    /// every granted caller, written at the vendor root only.
    Catalogue,
}

/// Where a record sits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placement {
    /// The vendor's catalogue: every granted caller reads it.
    Catalogue,
    /// At the vendor root (it names no node): vendor-root grants only.
    Vendor,
    /// At a node: the node's id, then each node above it up to its tree's top.
    Node(Vec<String>),
}

impl Placement {
    /// Where the node above this record's node sits: a node's seats come
    /// from its parent, so changing them is an act at the parent. A top
    /// node's parent is the vendor root.
    pub fn parent(&self) -> Placement {
        match self {
            Placement::Node(path) if path.len() > 1 => Placement::Node(path[1..].to_vec()),
            Placement::Catalogue => Placement::Catalogue,
            _ => Placement::Vendor,
        }
    }

    /// The record's node, if it has one.
    pub fn node(&self) -> Option<&str> {
        match self {
            Placement::Node(path) => path.first().map(String::as_str),
            _ => None,
        }
    }
}

/// Where records sit in the tree.
#[async_trait::async_trait]
pub trait ScopeStore: Send + Sync {
    /// Where the `kind` record `id` sits; `None` when there is no such record.
    async fn placement(&self, kind: RecordKind, id: &str) -> StoreResult<Option<Placement>>;
    /// Where the customer node `id` sits (the node and every node above
    /// it); `None` when there is no such node.
    async fn node_path(&self, id: &str) -> StoreResult<Option<Vec<String>>>;
}
