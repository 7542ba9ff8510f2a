//! The customer tree and its seat allocations: the counts every seat-taking operation checks inside its transaction.

use std::collections::HashMap;

use sqlx::any::AnyRow;
use sqlx::Row;

use super::catalogue::still_in_use;
use super::history::{append, event};
use super::table::{count, from_row, scope_clause, Filter, Table};
use super::{now, SqlStore, Tx};
use crate::store::{
    Allocation, Catalogued, Customer, CustomerStore, Event, NodePick, NodeSeats, Page, Rows, Scope,
    Subscription, ALLOCATION_EXHAUSTED,
};
use crate::store::{StoreError, StoreResult};

#[async_trait::async_trait]
impl CustomerStore for SqlStore {
    async fn create_customer(&self, c: Customer, actor: &str) -> StoreResult<Customer> {
        let mut tx = self.begin().await?;
        insert_customer(&mut tx, &c, actor).await?;
        tx.commit().await?;
        Ok(c)
    }

    async fn list_customers(
        &self,
        scope: &Scope,
        parent_id: Option<&str>,
        kind: Option<&str>,
        page: Page,
    ) -> StoreResult<Rows<Customer>> {
        let f = Filter::default()
            .scope("id", scope)
            .text("parent_id", parent_id)
            .text("kind", kind);
        CUSTOMERS.list(&self.pool, f, "name, id", page).await
    }

    async fn customer(&self, id: &str) -> StoreResult<Customer> {
        CUSTOMERS.get(&self.pool, id).await
    }

    async fn set_customer_billing(
        &self,
        customer_id: &str,
        interval: Option<&str>,
        next: Option<(&str, chrono::NaiveDate)>,
        following: &[Subscription],
        ev: Event,
    ) -> StoreResult<bool> {
        let mut tx = self.begin().await?;
        let done = sqlx::query(
            "UPDATE customers SET billing_interval = $2, billing_next = $3, billing_next_on = $4 \
             WHERE id = $1 AND retired_at IS NULL",
        )
        .bind(customer_id)
        .bind(interval)
        .bind(next.map(|(i, _)| i))
        .bind(next.map(|(_, on)| on.to_string()))
        .execute(&mut *tx.tx)
        .await?;
        still_in_use(done.rows_affected(), Catalogued::Customer)?;
        for sub in following {
            let pending = sub
                .pending
                .as_ref()
                .map(serde_json::to_string)
                .transpose()
                .map_err(StoreError::internal)?;
            let done = sqlx::query(
                "UPDATE subscriptions SET pending = $1, version = version + 1, updated_at = $2 \
                 WHERE id = $3 AND version = $4",
            )
            .bind(pending)
            .bind(now())
            .bind(&sub.id)
            .bind(sub.version)
            .execute(&mut *tx.tx)
            .await?;
            if done.rows_affected() == 0 {
                // Changed since read: the caller reads it again.
                return Ok(false);
            }
            let details = serde_json::json!({
                "pending": sub.pending, "following_customer": customer_id,
            });
            let mut sub_ev = event(&ev.actor, "subscription.billing", &sub.id, details);
            sub_ev.customer_id = Some(customer_id.to_owned());
            append(&mut tx, sub_ev).await?;
        }
        tx.commit_with(Event {
            customer_id: Some(customer_id.to_owned()),
            ..ev
        })
        .await?;
        Ok(true)
    }

    async fn start_billing_cycles(&self, day: chrono::NaiveDate) -> StoreResult<u64> {
        let done = sqlx::query(
            "UPDATE customers SET billing_interval = billing_next, billing_next = NULL, \
             billing_next_on = NULL WHERE billing_next_on IS NOT NULL AND billing_next_on <= $1",
        )
        .bind(day.to_string())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }

    async fn update_customer(
        &self,
        c: Customer,
        changed: serde_json::Value,
        actor: &str,
    ) -> StoreResult<Customer> {
        let mut tx = self.begin().await?;
        let done = sqlx::query(
            "UPDATE customers SET name = $2, email = $3, external_ref = $4 \
             WHERE id = $1 AND retired_at IS NULL",
        )
        .bind(&c.id)
        .bind(&c.name)
        .bind(&c.email)
        .bind(&c.external_ref)
        .execute(&mut *tx.tx)
        .await?;
        still_in_use(done.rows_affected(), Catalogued::Customer)?;
        let mut ev = event(actor, Catalogued::Customer.edit_operation(), &c.id, changed);
        ev.customer_id = Some(c.id.clone());
        tx.commit_with(ev).await?;
        Ok(c)
    }

    async fn set_allocation(
        &self,
        customer_id: &str,
        product_id: &str,
        seats: i64,
        may_raise: bool,
        actor: &str,
    ) -> StoreResult<Allocation> {
        let mut tx = self.begin().await?;
        let parent: Option<String> = sqlx::query("SELECT parent_id FROM customers WHERE id = $1")
            .bind(customer_id)
            .fetch_optional(&mut *tx.tx)
            .await?
            .ok_or_else(|| StoreError::not_found("customer"))?
            .try_get("parent_id")?;
        let at = now();
        sqlx::query(
            "INSERT INTO allocations (customer_id, product_id, seats, given, updated_at) \
             VALUES ($1, $2, 0, 0, $3) ON CONFLICT (customer_id, product_id) DO NOTHING",
        )
        .bind(customer_id)
        .bind(product_id)
        .bind(at)
        .execute(&mut *tx.tx)
        .await?;
        // Locks go child before parent, everywhere: no deadlock.
        let (from, given) = lock_allocation(&mut tx, customer_id, product_id)
            .await?
            .ok_or_else(|| StoreError::internal("allocation row vanished"))?;
        let used = used_seats(&mut tx, customer_id, product_id).await?;
        if seats > from && !may_raise {
            return Err(StoreError::forbidden(
                "only the finance role may raise an allocation",
            ));
        }
        if seats < given + used {
            return Err(StoreError::conflict(
                "allocation_in_use",
                format!("this node gave {given} seats to its children and uses {used}; it cannot hold fewer"),
            )
            .with(serde_json::json!({"allocated": from, "given": given, "used": used})));
        }
        // A top node's allocation is what it bought: its lots hold it up.
        let purchased = count(
            &mut *tx.tx,
            "SELECT CAST(COALESCE(SUM(quantity), 0) AS BIGINT) AS n FROM purchases \
             WHERE customer_id = $1 AND product_id = $2",
            [customer_id.into(), product_id.into()],
        )
        .await?;
        if seats < purchased {
            return Err(StoreError::conflict(
                "allocation_purchased",
                format!("this node bought {purchased} seats of this product in its purchases; it cannot hold fewer"),
            )
            .with(serde_json::json!({"allocated": from, "purchased": purchased})));
        }
        let delta = seats - from;
        if let (Some(parent), true) = (&parent, delta != 0) {
            let Some((held, parent_given)) = lock_allocation(&mut tx, parent, product_id).await?
            else {
                return Err(StoreError::conflict(
                    "parent_unallocated",
                    "the parent node holds no seats of this product",
                )
                .with(serde_json::json!({"parent_id": parent})));
            };
            let parent_used = used_seats(&mut tx, parent, product_id).await?;
            let free = held - parent_given - parent_used;
            if delta > free {
                return Err(StoreError::conflict(
                    "allocation_exceeds_parent",
                    format!(
                        "the parent holds {held} seats: {parent_given} given to its children, {parent_used} in use, {free} free"
                    ),
                )
                .with(serde_json::json!({
                    "parent_id": parent,
                    "allocated": held,
                    "given": parent_given,
                    "used": parent_used,
                    "free": free,
                })));
            }
            sqlx::query(
                "UPDATE allocations SET given = given + $1, updated_at = $2 \
                 WHERE customer_id = $3 AND product_id = $4",
            )
            .bind(delta)
            .bind(at)
            .bind(parent)
            .bind(product_id)
            .execute(&mut *tx.tx)
            .await?;
        }
        sqlx::query(
            "UPDATE allocations SET seats = $1, updated_at = $2 WHERE customer_id = $3 AND product_id = $4",
        )
        .bind(seats)
        .bind(at)
        .bind(customer_id)
        .bind(product_id)
        .execute(&mut *tx.tx)
        .await?;
        let mut ev = event(
            actor,
            "customer.allocation",
            customer_id,
            serde_json::json!({"product_id": product_id, "from": from, "to": seats, "parent_id": parent}),
        );
        ev.customer_id = Some(customer_id.to_owned());
        tx.commit_with(ev).await?;
        Ok(allocation(customer_id, product_id, seats, given, used))
    }

    async fn seats(&self, customer_id: &str) -> StoreResult<Vec<NodeSeats>> {
        self.customer(customer_id).await?;
        let rows = sqlx::query(&format!(
            // The walk carries the nodes' columns: joining the tree back
            // to customers made the planner read the whole table.
            "WITH RECURSIVE c (id, parent_id, kind, name, depth) AS ( \
                 SELECT id, parent_id, kind, name, 0 FROM customers WHERE id = $1 \
                 UNION ALL SELECT n.id, n.parent_id, n.kind, n.name, c.depth + 1 \
                 FROM customers n JOIN c ON n.parent_id = c.id) \
             SELECT c.id, c.parent_id, c.kind, c.name, a.product_id, a.seats, a.given, \
                 {USED} AS used \
             FROM c LEFT JOIN allocations a ON a.customer_id = c.id {} \
             ORDER BY c.depth, c.name, c.id, a.product_id",
            used_joins("$2")
        ))
        .bind(customer_id)
        .bind(now())
        .fetch_all(&self.pool)
        .await?;
        let mut nodes: Vec<NodeSeats> = Vec::new();
        for r in &rows {
            let id: String = r.try_get("id")?;
            if nodes.last().is_none_or(|n| n.customer_id != id) {
                nodes.push(NodeSeats {
                    customer_id: id.clone(),
                    parent_id: r.try_get("parent_id")?,
                    kind: r.try_get("kind")?,
                    name: r.try_get("name")?,
                    allocations: Vec::new(),
                });
            }
            if let (Some(a), Some(node)) = (allocation_of(r)?, nodes.last_mut()) {
                node.allocations.push(a);
            }
        }
        Ok(nodes)
    }

    async fn seat_nodes(
        &self,
        scope: &Scope,
        pick: NodePick<'_>,
        page: Page,
    ) -> StoreResult<Rows<NodeSeats>> {
        let mut f = Filter::default();
        let mut from = "customers".to_owned();
        let f = match (pick, scope) {
            (NodePick::All | NodePick::Named(_), Scope::Under(nodes)) => {
                // The subtrees walked with their columns: the planner
                // cannot size a walk, and joined back to customers it
                // read the whole table.
                let marks = f.bind(nodes).join(", ");
                let walked = CUSTOMER_COLUMNS
                    .split(", ")
                    .map(|c| format!("n.{c}"))
                    .collect::<Vec<_>>()
                    .join(", ");
                from = format!(
                    "(WITH RECURSIVE walk ({CUSTOMER_COLUMNS}) AS ( \
                         SELECT {CUSTOMER_COLUMNS} FROM customers WHERE id IN ({marks}) \
                         UNION ALL SELECT {walked} FROM customers n JOIN walk w ON n.parent_id = w.id) \
                     SELECT * FROM walk) customers"
                );
                match pick {
                    NodePick::Named(name) => f.contains("name", Some(name)),
                    _ => f,
                }
            }
            (NodePick::All, Scope::All) => f,
            (NodePick::Named(name), Scope::All) => f.contains("name", Some(name)),
            (NodePick::Top, Scope::All) => f.always("parent_id IS NULL"),
            (NodePick::Top, Scope::Under(nodes)) => {
                let one = vec!["id = ?"; nodes.len()];
                f.any(&one, Some(nodes.clone()))
            }
            (NodePick::Children(parent), _) => f.text("parent_id", Some(parent)),
        };
        let nodes = CUSTOMERS
            .list_from(&self.pool, &from, f, "name, id", page)
            .await?;
        let marks: Vec<String> = (2..nodes.len() + 2).map(|i| format!("${i}")).collect();
        let mut held: HashMap<String, Vec<Allocation>> = HashMap::new();
        if !nodes.is_empty() {
            let sql = format!(
                "SELECT a.customer_id AS id, a.product_id, a.seats, a.given, {USED} AS used \
                 FROM allocations a {} WHERE a.customer_id IN ({}) \
                 ORDER BY a.customer_id, a.product_id",
                used_joins("$1"),
                marks.join(", ")
            );
            let mut query = sqlx::query(&sql).bind(now());
            for n in nodes.iter() {
                query = query.bind(&n.id);
            }
            for r in query.fetch_all(&self.pool).await? {
                if let Some(a) = allocation_of(&r)? {
                    held.entry(a.customer_id.clone()).or_default().push(a);
                }
            }
        }
        nodes.try_map(|c| {
            Ok(NodeSeats {
                allocations: held.remove(&c.id).unwrap_or_default(),
                customer_id: c.id,
                parent_id: c.parent_id,
                kind: c.kind,
                name: c.name,
            })
        })
    }

    async fn allocations_short(&self, scope: &Scope, ratio: i64) -> StoreResult<i64> {
        let (within, mut args) = scope_clause("a.customer_id", scope, 3);
        args.splice(0..0, [now().into(), ratio.into()]);
        count(
            &self.pool,
            &format!(
                "SELECT COUNT(*) AS n FROM allocations a {} \
                 WHERE a.seats > 0 AND (a.seats - a.given - ({USED})) * $2 <= a.seats {within}",
                used_joins("$1")
            ),
            args,
        )
        .await
    }
}

/// The seats in use at an allocation `a`'s node, of its product, once
/// [`used_joins`] joined what it needs (see [`used_sql`]).
const USED: &str = "COALESCE(s.used, 0) + COALESCE(g.leases, 0)";

/// Joins to allocation rows `a` the seat counters of migration 0033 (`s`)
/// and the live leases at time `t` by node and product (`g`), for [`USED`]:
/// the live leases are read once, from their index, not per node.
fn used_joins(t: &str) -> String {
    format!(
        "LEFT JOIN seat_counts s ON s.customer_id = a.customer_id AND s.product_id = a.product_id \
         LEFT JOIN (SELECT l.customer_id, l.product_id, COUNT(*) AS leases \
             FROM leases e JOIN licenses l ON l.id = e.license_id WHERE {} \
             GROUP BY l.customer_id, l.product_id) g \
         ON g.customer_id = a.customer_id AND g.product_id = a.product_id",
        live_lease(t)
    )
}

/// A row's allocation (columns `id`, `product_id`, `seats`, `given` and
/// `used`), if it holds one.
fn allocation_of(r: &AnyRow) -> StoreResult<Option<Allocation>> {
    let id: String = r.try_get("id")?;
    let product: Option<String> = r.try_get("product_id")?;
    product
        .map(|p| {
            Ok(allocation(
                &id,
                &p,
                r.try_get("seats")?,
                r.try_get("given")?,
                r.try_get("used")?,
            ))
        })
        .transpose()
}

pub(super) const CUSTOMER_COLUMNS: &str =
    "id, parent_id, kind, name, email, external_ref, created_at, retired_at, billing_interval, \
     billing_next, billing_next_on";

pub(super) const CUSTOMERS: Table<Customer> =
    Table::new("customers", CUSTOMER_COLUMNS, "customer", customer_row);

fn customer_row(r: &AnyRow) -> StoreResult<Customer> {
    Ok(from_row!(r => Customer {
        id, parent_id, kind, name, email, external_ref, created_at, retired_at,
        billing_interval, billing_next, billing_next_on
    }))
}

/// Refuses (409 `code`) a record of `customer_id` below the top of the
/// tree, in `tx`: lots are bought there, and what covers them is held
/// there; `rule` says why, after the node and its parent. 422 for no such
/// node.
pub(super) async fn refuse_below_top(
    tx: &mut Tx,
    customer_id: &str,
    code: &'static str,
    rule: &str,
) -> StoreResult<()> {
    let parent: Option<String> = sqlx::query("SELECT parent_id FROM customers WHERE id = $1")
        .bind(customer_id)
        .fetch_optional(&mut *tx.tx)
        .await?
        .ok_or_else(|| StoreError::invalid("no such customer"))?
        .try_get("parent_id")?;
    match parent {
        None => Ok(()),
        Some(parent) => Err(StoreError::conflict(
            code,
            format!("customer {customer_id} has a parent ({parent}): {rule}"),
        )
        .with(serde_json::json!({"parent_id": parent}))),
    }
}

/// Inserts a customer node and records it in the history.
pub(super) async fn insert_customer(tx: &mut Tx, c: &Customer, actor: &str) -> StoreResult<()> {
    sqlx::query(&format!(
        "INSERT INTO customers ({CUSTOMER_COLUMNS}) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
    ))
    .bind(&c.id)
    .bind(&c.parent_id)
    .bind(&c.kind)
    .bind(&c.name)
    .bind(&c.email)
    .bind(&c.external_ref)
    .bind(c.created_at)
    .bind(c.retired_at)
    .bind(&c.billing_interval)
    .bind(&c.billing_next)
    .bind(&c.billing_next_on)
    .execute(&mut *tx.tx)
    .await?;
    let mut ev = event(
        actor,
        "customer.create",
        &c.id,
        serde_json::json!({"kind": c.kind, "name": c.name, "parent_id": c.parent_id}),
    );
    ev.customer_id = Some(c.id.clone());
    append(tx, ev).await
}

/// Takes the license row's lock for the rest of `tx`; refused unless active.
/// Locks the allocation row of (`customer_id`, `product_id`) until the
/// transaction ends (a no-op update takes the row lock on PostgreSQL; SQLite
/// writers are serialized already) and reads it after any earlier holder
/// committed: `(seats, given)`, or None when the node holds no allocation.
pub(super) async fn lock_allocation(
    tx: &mut Tx,
    customer_id: &str,
    product_id: &str,
) -> StoreResult<Option<(i64, i64)>> {
    let row = sqlx::query(
        "UPDATE allocations SET seats = seats WHERE customer_id = $1 AND product_id = $2 \
         RETURNING seats, given",
    )
    .bind(customer_id)
    .bind(product_id)
    .fetch_optional(&mut *tx.tx)
    .await?;
    row.map(|r| Ok((r.try_get("seats")?, r.try_get("given")?)))
        .transpose()
}

/// A lease `e` that holds a seat at time `t`: not returned, not lapsed, of
/// a licence that is not a member's service (which holds its one seat
/// already).
fn live_lease(t: &str) -> String {
    format!(
        "e.returned_at IS NULL AND e.expires_at > {t} \
         AND NOT EXISTS (SELECT 1 FROM members m WHERE m.license_id = e.license_id)"
    )
}

/// The seats of product `p` in use at node `c` at time `t` (three SQL
/// expressions): each member's service holds one seat however many machines
/// use it, until its license is revoked (by unassigning, or by hand through
/// the license routes: either way it never works again); other licenses
/// naming the node hold one per active activation and one per live
/// (unexpired, unreturned) lease. The services and activations are read
/// from their counter (migration 0033), the live leases from their index.
pub(super) fn used_sql(c: &str, p: &str, t: &str) -> String {
    format!(
        "(COALESCE((SELECT s.used FROM seat_counts s \
             WHERE s.customer_id = {c} AND s.product_id = {p}), 0) \
         + (SELECT COUNT(*) FROM leases e JOIN licenses l ON l.id = e.license_id \
           WHERE l.customer_id = {c} AND l.product_id = {p} AND {}))",
        live_lease(t)
    )
}

/// Seats of `product_id` in use at `customer_id` (see [`used_sql`]). Read
/// after [`lock_allocation`], it sees every seat committed by an earlier
/// holder of the lock.
pub(super) async fn used_seats(
    tx: &mut Tx,
    customer_id: &str,
    product_id: &str,
) -> StoreResult<i64> {
    let row = sqlx::query(&format!("SELECT {} AS used", used_sql("$1", "$2", "$3")))
        .bind(customer_id)
        .bind(product_id)
        .bind(now())
        .fetch_one(&mut *tx.tx)
        .await?;
    Ok(row.try_get("used")?)
}

/// What just took a seat of a license, for [`check_allocation`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Taken {
    /// An activation or a lease: a seat unless the license is a member's
    /// service (which holds one seat already).
    Machine,
    /// A member's service, just assigned.
    Service,
}

/// Refuses the seat a new activation, lease or member service of
/// `license_id` just took when the license's customer node holds an
/// allocation of the product and the node's seats in use plus those it gave
/// on now exceed it — or when the node holds none while a node above it
/// allocates the product.
pub(super) async fn check_allocation(
    tx: &mut Tx,
    license_id: &str,
    taken: Taken,
) -> StoreResult<()> {
    let row = sqlx::query(
        "SELECT customer_id, product_id, \
         (SELECT COUNT(*) FROM members m WHERE m.license_id = l.id) AS services \
         FROM licenses l WHERE id = $1",
    )
    .bind(license_id)
    .fetch_one(&mut *tx.tx)
    .await?;
    let customer: Option<String> = row.try_get("customer_id")?;
    let product: String = row.try_get("product_id")?;
    let services: i64 = row.try_get("services")?;
    let Some(customer) = customer else {
        return Ok(());
    };
    if taken == Taken::Machine && services > 0 {
        return Ok(());
    }
    let Some((allocated, given)) = lock_allocation(tx, &customer, &product).await? else {
        // Under a node that allocates the product, a node holds only what
        // it was given: none without an allocation of its own.
        let above = sqlx::query(
            "WITH RECURSIVE up (id, parent_id, depth) AS ( \
                 SELECT id, parent_id, 0 FROM customers WHERE id = $1 \
                 UNION ALL SELECT c.id, c.parent_id, u.depth + 1 FROM customers c \
                 JOIN up u ON c.id = u.parent_id) \
             SELECT a.customer_id FROM allocations a JOIN up u ON a.customer_id = u.id \
             WHERE a.product_id = $2 ORDER BY u.depth LIMIT 1",
        )
        .bind(&customer)
        .bind(&product)
        .fetch_optional(&mut *tx.tx)
        .await?;
        return match above {
            None => Ok(()),
            Some(row) => {
                let ancestor: String = row.try_get("customer_id")?;
                Err(StoreError::conflict(
                    ALLOCATION_EXHAUSTED,
                    format!(
                        "customer {customer} holds 0 seats of this product: {ancestor} above it allocates them, and gave it none"
                    ),
                )
                .with(serde_json::json!({
                    "customer_id": customer,
                    "product_id": product,
                    "allocated": 0,
                    "given": 0,
                    "used": 0,
                    "allocated_by": ancestor,
                })))
            }
        };
    };
    // The count includes the seat this transaction just took.
    let used = used_seats(tx, &customer, &product).await? - 1;
    if used + 1 + given > allocated {
        return Err(StoreError::conflict(
            ALLOCATION_EXHAUSTED,
            format!(
                "customer {customer} holds {allocated} seats of this product: {used} in use, {given} given to its children"
            ),
        )
        .with(serde_json::json!({
            "customer_id": customer,
            "product_id": product,
            "allocated": allocated,
            "given": given,
            "used": used,
        })));
    }
    Ok(())
}

pub(super) fn allocation(
    customer_id: &str,
    product_id: &str,
    allocated: i64,
    given: i64,
    used: i64,
) -> Allocation {
    Allocation {
        customer_id: customer_id.to_owned(),
        product_id: product_id.to_owned(),
        allocated,
        given,
        used,
        free: allocated - given - used,
    }
}
