//! Where records sit in the customer tree (see `store::scope`).

use sqlx::Row;

use super::SqlStore;
use crate::store::{Placement, RecordKind, ScopeStore, StoreResult};

/// The node of the account `accounts.id` (`$1`): where its grant nearest
/// the root is (none, or one at the root: the vendor's).
const ACCOUNT_NODE: &str = "SELECT (SELECT g.customer_id FROM grants g \
     WHERE g.account_id = a.id AND g.revoked_at IS NULL \
     ORDER BY g.customer_id IS NOT NULL, g.created_at LIMIT 1) AS node \
     FROM accounts a WHERE a.id = $1";

/// The node of the account whose id is `column`, as a SQL expression
/// (see [`ACCOUNT_NODE`]).
pub(super) fn account_node(column: &str) -> String {
    format!(
        "(SELECT g.customer_id FROM grants g WHERE g.account_id = {column} \
         AND g.revoked_at IS NULL ORDER BY g.customer_id IS NOT NULL, g.created_at LIMIT 1)"
    )
}

/// The query giving the node (`node`, a customer id or NULL) of the
/// `kind` record `$1`; no row when there is no such record.
fn node_query(kind: RecordKind) -> Option<&'static str> {
    use RecordKind::*;
    Some(match kind {
        Customer => "SELECT id AS node FROM customers WHERE id = $1",
        License => "SELECT customer_id AS node FROM licenses WHERE id = $1",
        Activation => {
            "SELECT l.customer_id AS node FROM activations a \
             JOIN licenses l ON l.id = a.license_id WHERE a.id = $1"
        }
        Lease => {
            "SELECT l.customer_id AS node FROM leases a \
             JOIN licenses l ON l.id = a.license_id WHERE a.id = $1"
        }
        Member => "SELECT customer_id AS node FROM members WHERE id = $1",
        Subscription => "SELECT customer_id AS node FROM subscriptions WHERE id = $1",
        Purchase => "SELECT customer_id AS node FROM purchases WHERE id = $1",
        Contract => "SELECT customer_id AS node FROM contracts WHERE id = $1",
        FollowUp => "SELECT customer_id AS node FROM follow_ups WHERE id = $1",
        Invoice => "SELECT customer_id AS node FROM invoices WHERE id = $1",
        Notification => {
            "SELECT COALESCE(\
             (SELECT customer_id FROM licenses WHERE id = n.subject), \
             (SELECT customer_id FROM subscriptions WHERE id = n.subject), \
             (SELECT customer_id FROM contracts WHERE id = n.subject)) AS node \
             FROM notifications n WHERE n.id = $1"
        }
        NoticeSubscription => {
            "SELECT customer_id AS node FROM notice_subscriptions \
             WHERE id = $1 AND deleted_at IS NULL"
        }
        Token => {
            "SELECT g.customer_id AS node FROM api_tokens t \
             JOIN grants g ON g.token_id = t.id WHERE t.id = $1"
        }
        Account => ACCOUNT_NODE,
        Grant => "SELECT customer_id AS node FROM grants WHERE id = $1 AND revoked_at IS NULL",
        Catalogue => return None,
    })
}

#[async_trait::async_trait]
impl ScopeStore for SqlStore {
    async fn placement(&self, kind: RecordKind, id: &str) -> StoreResult<Option<Placement>> {
        let Some(sql) = node_query(kind) else {
            return Ok(Some(Placement::Catalogue));
        };
        let Some(row) = sqlx::query(sql).bind(id).fetch_optional(&self.pool).await? else {
            return Ok(None);
        };
        let node: Option<String> = row.try_get("node")?;
        Ok(Some(match node {
            None => Placement::Vendor,
            Some(node) => Placement::Node(self.node_path(&node).await?.unwrap_or_default()),
        }))
    }

    async fn node_path(&self, id: &str) -> StoreResult<Option<Vec<String>>> {
        let rows = sqlx::query(
            "WITH RECURSIVE up (id, parent_id, depth) AS (\
             SELECT id, parent_id, 0 FROM customers WHERE id = $1 \
             UNION ALL SELECT c.id, c.parent_id, up.depth + 1 FROM customers c \
             JOIN up ON c.id = up.parent_id) \
             SELECT id FROM up ORDER BY depth",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        let path = rows
            .iter()
            .map(|r| r.try_get("id"))
            .collect::<Result<Vec<String>, _>>()?;
        Ok((!path.is_empty()).then_some(path))
    }
}
