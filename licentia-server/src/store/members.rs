//! Members: named users of a customer, each holding one service (a
//! license from a plan) with any number of options.
//!
//! A service holds one seat of the node's allocation of the plan's product,
//! however many machines use its license; unassigning revokes the license
//! (its machines and leases end with it) and frees the seat.
//!
//! A service may also be one of the licences of a subscription (Rainbow's
//! model): the subscription's seats are how many members it serves, the
//! member's license expires with the subscription's term and is extended
//! when it renews, and the star (a node's default) may be a subscription.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Event, Idem, LicenseRecord, NewLicense, Outcome, Page, Rows};
use crate::store::StoreResult;

/// A named user of a customer node.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Member {
    /// Id.
    pub id: String,
    /// The node the member belongs to.
    pub customer_id: String,
    /// Name.
    pub name: String,
    /// E-mail (lower case), unique per node.
    pub email: String,
    /// The vendor's own reference.
    pub external_ref: Option<String>,
    /// The plan of the member's service, when assigned.
    pub plan_id: Option<String>,
    /// The options of the service.
    pub options: Vec<String>,
    /// The service's license, when assigned.
    pub license_id: Option<String>,
    /// The subscription the service is a licence of, when it is one.
    pub subscription_id: Option<String>,
    /// Created (Unix seconds).
    pub created_at: i64,
    /// Last changed (Unix seconds).
    pub updated_at: i64,
}

/// A member and the license of its service, as an assignment answers.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct MemberService {
    /// The member.
    pub member: Member,
    /// The service's license (none for a member created without service).
    pub license: Option<LicenseRecord>,
}

/// The plan new members of a node get their service from.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct DefaultPlan {
    /// The node.
    pub customer_id: String,
    /// The plan.
    pub plan_id: String,
    /// The subscription new members take a licence of, when the star is
    /// one (its plan is `plan_id`).
    pub subscription_id: Option<String>,
    /// Set (Unix seconds).
    pub updated_at: i64,
}

/// A service to assign: a license of `plan_id` with `options`, signed.
#[derive(Debug, Clone)]
pub struct NewService {
    /// The plan.
    pub plan_id: String,
    /// The options chosen.
    pub options: Vec<String>,
    /// The license.
    pub license: NewLicense,
    /// The subscription it is a licence of, when it is one.
    pub subscription: Option<FromSubscription>,
}

/// A service taken from a subscription: which one, and the term its
/// license was signed to expire with (the assignment is refused, to be
/// made again, when a renewal moved the term meanwhile).
#[derive(Debug, Clone)]
pub struct FromSubscription {
    /// The subscription.
    pub id: String,
    /// The last day of the term the license expires with.
    pub term_end: chrono::NaiveDate,
}

/// Why an assignment was refused: every licence of the subscription serves
/// a member.
pub const SUBSCRIPTION_FULL: &str = "subscription_full";

/// Why an assignment was refused: the member holds a service of another plan.
pub const SERVICE_ASSIGNED: &str = "service_assigned";

/// Storage for members; one method per operation, each one transaction.
#[async_trait::async_trait]
pub trait MemberStore: Send + Sync {
    /// Creates a member, with its service when one is given; the service
    /// takes a seat of the node's allocation (409 `allocation_exhausted`
    /// beyond it, and then no member is created either).
    async fn create_member(
        &self,
        member: Member,
        service: Option<NewService>,
        actor: &str,
        idem: Option<Idem<MemberService>>,
    ) -> StoreResult<Outcome<MemberService>>;
    /// The members of a node, by name.
    async fn list_members(&self, customer_id: &str, page: Page) -> StoreResult<Rows<Member>>;
    /// A member.
    async fn member(&self, id: &str) -> StoreResult<Member>;
    /// Assigns a service to a member without one, taking a seat of the
    /// node's allocation (409 `allocation_exhausted` beyond it); a member
    /// holding one already is refused (409 [`SERVICE_ASSIGNED`]).
    async fn assign_service(
        &self,
        member_id: &str,
        service: NewService,
        actor: &str,
        idem: Option<Idem<MemberService>>,
    ) -> StoreResult<Outcome<MemberService>>;
    /// Replaces the options of the member's service: `license` is its
    /// license (`license.id`, which the member must still hold) with the new
    /// features and file.
    async fn replace_options(
        &self,
        member_id: &str,
        options: Vec<String>,
        license: LicenseRecord,
        event: Event,
    ) -> StoreResult<MemberService>;
    /// Unassigns the member's service: its license is revoked, its machines
    /// deactivated and its leases returned, and the seat is free (409
    /// `no_service` when the member holds none).
    async fn unassign_service(&self, member_id: &str, actor: &str) -> StoreResult<Member>;
    /// Deletes a member, unassigning its service first.
    async fn delete_member(&self, member_id: &str, actor: &str) -> StoreResult<Member>;
    /// Sets the plan (and, when the star is a subscription, the
    /// subscription) new members of a node get their service from.
    async fn set_default_plan(
        &self,
        customer_id: &str,
        plan_id: &str,
        subscription_id: Option<&str>,
        actor: &str,
    ) -> StoreResult<DefaultPlan>;
    /// The node's default plan, if it has one.
    async fn default_plan(&self, customer_id: &str) -> StoreResult<Option<DefaultPlan>>;
    /// The members holding a licence of a subscription, by name (never
    /// more than its seats: a page of `seats` rows holds them all).
    async fn subscription_members(
        &self,
        subscription_id: &str,
        page: Page,
    ) -> StoreResult<Rows<Member>>;
}
