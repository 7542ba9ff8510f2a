//! Licenses as the back office holds them: what every file is made from, status, seats, terms.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Event, Idem, Outcome, Page, Rows, Scope};
use crate::store::{StoreError, StoreResult};
use licentia::spec::LicenseSpec;

/// A license as the back office holds it.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
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
    // The core's type, documented there (`licentia::spec::LicenseSpec`).
    #[schemars(with = "serde_json::Map<String, serde_json::Value>")]
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

/// Filters on the license list.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
pub struct LicenseFilter {
    /// Only this product (id).
    pub product_id: Option<String>,
    /// Only this customer.
    pub customer_id: Option<String>,
    /// Only this status.
    pub status: Option<String>,
    /// Only licenses expiring before this (Unix seconds).
    pub expires_before: Option<i64>,
    /// Only licensees whose name contains this, in any case.
    #[serde(default)]
    pub licensee: Option<String>,
    /// Only the license a key search finds.
    #[serde(skip)]
    pub key: Option<KeySearch>,
}

/// What a person typed to find a license by its key: the start of its id,
/// the key's last group (the hint lists show), or the whole key (its hash).
#[derive(Debug, Clone, Default)]
pub struct KeySearch {
    /// Matched against the start of the license id (lower-case hex).
    pub id_prefix: String,
    /// Matched against the key's last group.
    pub hint: String,
    /// Matched against the key's hash (the whole key typed).
    pub hash: String,
}

/// A license to store, already signed.
#[derive(Debug, Clone)]
pub struct NewLicense {
    /// The record (seats_used 0).
    pub record: LicenseRecord,
    /// Hash of its license key.
    pub key_hash: String,
}

/// The licenses' storage.
#[async_trait::async_trait]
pub trait LicenseStore: Send + Sync {
    /// Stores an issued license.
    async fn issue_license(
        &self,
        new: NewLicense,
        actor: &str,
        idem: Option<Idem<LicenseRecord>>,
    ) -> StoreResult<Outcome<LicenseRecord>>;
    /// Lists the licenses within `scope`.
    async fn list_licenses(
        &self,
        scope: &Scope,
        filter: &LicenseFilter,
        page: Page,
    ) -> StoreResult<Rows<LicenseRecord>>;
    /// A license.
    async fn license(&self, id: &str) -> StoreResult<LicenseRecord>;
    /// The license with this key hash.
    async fn license_by_key(&self, key_hash: &str) -> StoreResult<Option<LicenseRecord>>;
    /// Moves a license from one of `from` to `to` (suspend, reinstate, revoke).
    async fn set_status(
        &self,
        id: &str,
        from: &[&str],
        to: &str,
        event: Event,
    ) -> StoreResult<LicenseRecord>;
    /// Replaces a license's spec and file (renewal, entitlements).
    async fn update_terms(
        &self,
        record: LicenseRecord,
        event: Event,
        idem: Option<Idem<LicenseRecord>>,
    ) -> StoreResult<Outcome<LicenseRecord>>;
    /// Changes the seat count; never below the seats in use.
    /// Without `may_raise`, only a cut of the seats as they stand in the
    /// transaction (403 otherwise).
    async fn set_seats(
        &self,
        id: &str,
        seats: i64,
        may_raise: bool,
        event: Event,
    ) -> StoreResult<LicenseRecord>;
}

/// The one refusal of an operation on a license that is not active,
/// whether the API sees it before the transaction or the store inside it:
/// 409 `license_suspended` or `license_revoked`, naming the status.
pub fn inactive_license(status: &str) -> StoreError {
    StoreError::conflict(
        match status {
            "suspended" => "license_suspended",
            "revoked" => "license_revoked",
            _ => "license_inactive",
        },
        format!("the license is {status}"),
    )
    .with(serde_json::json!({ "license_status": status }))
}
