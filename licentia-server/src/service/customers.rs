//! The customer tree: creating, editing and retiring nodes, and moving
//! seats down it. The API's routes and the console's forms both call these,
//! so the rules (the tree's shape; only finance raises an allocation; a
//! retired node takes nothing new) live once.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::api::{named, staff_event, WRITERS};
use crate::billing::BillingInterval;
use crate::error::{ApiError, ApiResult};
use crate::jobs;
use crate::secret;
use crate::service::catalogue::{offered, unretired};
use crate::service::changes::{differences, merged, Changes};
use crate::service::subscriptions;
use crate::service::{now, optional_text, text_field};
use crate::staff::Staff;
use crate::store::{Allocation, Catalogued, Customer, Role};
use crate::AppState;

use Role::{Admin, Finance, Issuer};

/// Creates a node of the tree (admin or issuer at the parent or above):
/// partner -> customer -> site; a parent outside every grant answers as one
/// that does not exist (422).
pub(crate) async fn create(s: &AppState, staff: &Staff, c: NewCustomer) -> ApiResult<Customer> {
    named(
        staff.allow_at(s, WRITERS, c.parent_id.as_deref()),
        "no such parent customer",
    )
    .await?;
    let parent_kind = match &c.parent_id {
        Some(id) => {
            let parent = named(s.store.customer(id), "no such parent customer").await?;
            offered(Catalogued::Customer, &parent.name, parent.retired_at)?;
            Some(parent.kind)
        }
        None => None,
    };
    if !crate::bulk::fits(&c.kind, parent_kind.as_deref()) {
        return Err(ApiError::invalid(crate::bulk::TREE));
    }
    let customer = Customer {
        id: secret::new_id("cus"),
        parent_id: c.parent_id,
        kind: c.kind,
        name: text_field("name", &c.name, 256)?.to_owned(),
        email: optional_text("email", c.email.as_deref(), 256)?,
        external_ref: optional_text("external_ref", c.external_ref.as_deref(), 128)?,
        created_at: now().0,
        retired_at: None,
        billing_interval: c
            .billing_interval
            .as_deref()
            .map(|i| i.parse::<BillingInterval>().map(|i| i.name().to_owned()))
            .transpose()
            .map_err(|e| ApiError::invalid(e.to_string()))?,
        billing_next: None,
        billing_next_on: None,
    };
    Ok(s.store.create_customer(customer, &staff.actor()).await?)
}

/// A node to create, as `POST /v1/customers` and the console's form give
/// it; also the body a change ([`Changes`]) is read over.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewCustomer {
    /// `partner`, `customer` or `site`.
    pub kind: String,
    /// Name.
    pub name: String,
    /// The parent node.
    pub parent_id: Option<String>,
    /// Contact e-mail.
    pub email: Option<String>,
    /// The vendor's own reference.
    pub external_ref: Option<String>,
    /// Its billing cycle (`monthly`, `quarterly`, `yearly`), which its
    /// subscriptions follow unless they name their own interval.
    pub billing_interval: Option<String>,
}

/// The rule of a node's kind and parent once made.
pub(crate) const PLACE_FIXED: &str =
    "a node's kind and parent do not change (its licences, seats and grants hang from its place): make a new node";

/// The rule of a node's billing cycle once chosen.
pub(crate) const CYCLE_BY_ITSELF: &str =
    "a billing cycle changes from the start of the next one: PUT /v1/customers/{id}/billing";

/// Who may change a node's billing cycle: finance, and admins, at the node
/// or above.
pub(crate) const CYCLE_SETTERS: &[Role] = &[Admin, Finance];

/// Sets the billing cycle of the node `id` to `interval` (Wazo's rule):
/// chosen at once when it has none; otherwise from the first day of its
/// next calendar cycle (asking for the current one withdraws a change
/// waiting), and each active subscription that follows it changes its
/// interval from its own next invoice (see
/// [`subscriptions::billing_changed`]). The node as it stands.
pub(crate) async fn set_billing(
    s: &AppState,
    staff: &Staff,
    id: &str,
    interval: &str,
) -> ApiResult<Customer> {
    staff.allow_at(s, CYCLE_SETTERS, Some(id)).await?;
    let interval: BillingInterval = interval.parse().map_err(subscriptions::bad)?;
    let today = jobs::today(&s.config).map_err(ApiError::internal)?;
    for _ in 0..subscriptions::ATTEMPTS {
        let node = s.store.customer(id).await?;
        unretired(Catalogued::Customer, node.retired_at)?;
        let current: Option<BillingInterval> = node
            .billing_interval
            .as_deref()
            .map(str::parse)
            .transpose()
            .map_err(subscriptions::bad)?;
        let (now, next) = match current {
            None => (interval, None),
            Some(current) if current == interval => (current, None),
            Some(current) => {
                // The current cycle runs to its end; the new one starts then.
                let on = current
                    .next_cycle(today)
                    .ok_or_else(|| ApiError::invalid("the next cycle is past the calendar"))?;
                (current, Some((interval.name(), on)))
            }
        };
        let mut following = Vec::new();
        for sub in s.store.subscriptions_following(id).await? {
            following.push(subscriptions::billing_changed(&sub, None, Some(interval))?);
        }
        let details = json!({
            "from": node.billing_interval, "to": interval.name(),
            "from_day": next.map(|(_, on)| on.to_string()),
            "subscriptions": following.iter().map(|s| &s.id).collect::<Vec<_>>(),
        });
        let ev = staff_event(staff, "customer.billing", id, details);
        if s.store
            .set_customer_billing(id, Some(now.name()), next, &following, ev)
            .await?
        {
            return Ok(s.store.customer(id).await?);
        }
    }
    Err(subscriptions::busy())
}

/// Changes the node `id` as `changes` say (admin, issuer at the node or
/// above): its name, e-mail and reference, under the rules of a creation;
/// its kind and place in the tree stay.
pub(crate) async fn edit(
    s: &AppState,
    staff: &Staff,
    id: &str,
    changes: &Changes<NewCustomer>,
) -> ApiResult<Customer> {
    staff.allow_at(s, WRITERS, Some(id)).await?;
    let before = s.store.customer(id).await?;
    unretired(Catalogued::Customer, before.retired_at)?;
    let kept = [
        "id",
        "created_at",
        "retired_at",
        "billing_next",
        "billing_next_on",
    ];
    let new: NewCustomer = merged(&before, &kept, changes)?;
    if new.kind != before.kind || new.parent_id != before.parent_id {
        return Err(ApiError::invalid(PLACE_FIXED));
    }
    if new.billing_interval != before.billing_interval {
        return Err(ApiError::invalid(CYCLE_BY_ITSELF));
    }
    let after = Customer {
        name: text_field("name", &new.name, 256)?.to_owned(),
        email: optional_text("email", new.email.as_deref(), 256)?,
        external_ref: optional_text("external_ref", new.external_ref.as_deref(), 128)?,
        ..before.clone()
    };
    let changed = differences(&before, &after)?;
    if changed.is_empty() {
        return Ok(before);
    }
    Ok(s.store
        .update_customer(after, Value::Object(changed), &staff.actor())
        .await?)
}

/// Retires the node `id` (admin, issuer at the node or above) once every
/// node under it is retired (409 `children_active`): it takes no new
/// licence, member, subscription, purchase or child; what it holds runs on
/// until it ends; it is still shown and never deleted. Retiring it again
/// changes nothing.
pub(crate) async fn retire(s: &AppState, staff: &Staff, id: &str) -> ApiResult<Customer> {
    staff.allow_at(s, WRITERS, Some(id)).await?;
    s.store
        .retire(Catalogued::Customer, id, now().0, &staff.actor())
        .await?;
    Ok(s.store.customer(id).await?)
}

/// Who may set a node's allocation: admin, issuer or finance at its parent
/// or above, since a node's seats are its parent's to give.
pub(crate) const ALLOCATORS: &[Role] = &[Admin, Issuer, Finance];

/// Sets how many seats of `product` (id or code) the node `id` holds, taken
/// from its parent. Only finance may raise an allocation (403 naming the
/// rule); admin, issuer and finance may lower it; either at the node's
/// parent or above. A raise beyond what the parent has free, or a cut below
/// what the node gave on and uses, is refused (409) with the numbers.
pub(crate) async fn set_allocation(
    s: &AppState,
    staff: &Staff,
    id: &str,
    product: &str,
    seats: u32,
) -> ApiResult<Allocation> {
    let above = staff.place(s, Some(id)).await?.parent();
    staff.allow_placed(ALLOCATORS, &above)?;
    let may_raise = staff.holding(&[Finance], &above).next().is_some();
    let product = s.store.product(product).await?;
    Ok(s.store
        .set_allocation(id, &product.id, i64::from(seats), may_raise, &staff.actor())
        .await?)
}
