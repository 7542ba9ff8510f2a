//! What products do with a license: machine activations and check-ins, temporary licenses for replacement machines, floating leases.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Event, Idem, Outcome, Page, Rows};
use crate::store::StoreResult;

/// A machine activation.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
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
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
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
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
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

/// Why a seat-consuming operation was refused.
pub const NO_SEAT: &str = "no_seat_available";

/// The storage of activations, temporary licenses and leases.
#[async_trait::async_trait]
pub trait ActivationStore: Send + Sync {
    /// Activates a machine, taking a seat unless the machine is already active.
    async fn activate(
        &self,
        activation: Activation,
        event: Event,
        idem: Option<Idem<Activation>>,
    ) -> StoreResult<Outcome<Activation>>;
    /// Deactivates, freeing the seat.
    async fn deactivate(
        &self,
        id: &str,
        license_id: Option<&str>,
        event: Event,
    ) -> StoreResult<Activation>;
    /// An activation.
    async fn activation(&self, id: &str) -> StoreResult<Activation>;
    /// The activations of a license.
    async fn list_activations(&self, license_id: &str, page: Page)
        -> StoreResult<Rows<Activation>>;
    /// The floating leases of a license, the latest first.
    async fn list_leases(&self, license_id: &str, page: Page) -> StoreResult<Rows<Lease>>;
    /// When the license's machines were deactivated since `since` (Unix
    /// seconds), oldest first: its moves within a transfer period.
    async fn deactivations_since(&self, license_id: &str, since: i64) -> StoreResult<Vec<i64>>;
    /// The machine's latest activation of the license, live or not.
    async fn last_activation(
        &self,
        license_id: &str,
        fingerprint: &str,
    ) -> StoreResult<Option<Activation>>;
    /// The live activation of `fingerprint` for a license, if it has one.
    async fn live_activation(
        &self,
        license_id: &str,
        fingerprint: &str,
    ) -> StoreResult<Option<Activation>>;
    /// Refreshes the file of an active machine of an active license.
    async fn check_in(
        &self,
        license_id: &str,
        fingerprint: &str,
        file: String,
        event: Event,
    ) -> StoreResult<Activation>;
    /// Records a temporary license unless the quota since `period_start` is used up.
    async fn issue_temporary(
        &self,
        temporary: Temporary,
        quota: i64,
        period_start: i64,
        event: Event,
    ) -> StoreResult<Temporary>;
    /// Checks a floating seat out unless `cap` unexpired leases exist at
    /// `now`, or the license's customer node has no seat left
    /// ([`ALLOCATION_EXHAUSTED`](super::ALLOCATION_EXHAUSTED)).
    async fn checkout_lease(
        &self,
        lease: Lease,
        cap: i64,
        now: i64,
        event: Event,
    ) -> StoreResult<Lease>;
    /// Extends an unexpired, unreturned lease to `expires_at`.
    async fn heartbeat_lease(
        &self,
        id: &str,
        license_id: &str,
        now: i64,
        expires_at: i64,
        event: Event,
    ) -> StoreResult<Lease>;
    /// Returns a lease early.
    async fn return_lease(
        &self,
        id: &str,
        license_id: &str,
        now: i64,
        event: Event,
    ) -> StoreResult<Lease>;
}
