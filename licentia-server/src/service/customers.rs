//! The customer tree: creating, editing and retiring nodes, and moving
//! seats down it. The API's routes and the console's forms both call these,
//! so the rules (the tree's shape; only finance raises an allocation; a
//! retired node takes nothing new) live once.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::api::{named, WRITERS};
use crate::error::{ApiError, ApiResult};
use crate::secret;
use crate::service::catalogue::{offered, unretired};
use crate::service::changes::{differences, merged, Changes};
use crate::service::{now, optional_text, text_field};
use crate::staff::Staff;
use crate::store::{Allocation, Catalogued, Customer, Role};
use crate::AppState;

use Role::{Admin, Finance, Issuer};

/// A node to create, as the caller gave it.
#[derive(Debug, Clone, Default)]
pub(crate) struct NodeRequest {
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
}

/// Creates a node of the tree (admin or issuer at the parent or above):
/// partner -> customer -> site; a parent outside every grant answers as one
/// that does not exist (422).
pub(crate) async fn create(s: &AppState, staff: &Staff, c: NodeRequest) -> ApiResult<Customer> {
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
    };
    Ok(s.store.create_customer(customer, &staff.actor()).await?)
}

/// A node as `POST /v1/customers` creates it: the body a change
/// ([`Changes`]) is read over.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
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
}

/// The rule of a node's kind and parent once made.
pub(crate) const PLACE_FIXED: &str =
    "a node's kind and parent do not change (its licences, seats and grants hang from its place): make a new node";

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
    let new: NewCustomer = merged(&before, &["id", "created_at", "retired_at"], changes)?;
    if new.kind != before.kind || new.parent_id != before.parent_id {
        return Err(ApiError::invalid(PLACE_FIXED));
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
