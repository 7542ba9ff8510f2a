//! What a product does with its license key: activate a machine (online, or offline through staff), check in, deactivate, and ask for a temporary license.

use crate::api::{license_event, Created, Reply};
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::ApiResult;
use crate::extract::{Body, IdempotencyKey, Staff};
use crate::secret::{self};
use crate::store::*;
use crate::AppState;

use crate::api::idempotency::idempotent;
use crate::routes::{Access, Route};
use crate::service::activations::{
    self, signing_time, OfflineActivated, OfflineDeactivated, TemporaryIssued,
};
use crate::service::licenses::{machine_spec, sign_license, terms_changed};
use crate::service::products::{
    activated_per_machine, fingerprint, licensed, policy_of, refuse_unless_active,
};
use crate::service::text_field;

/// The routes of this part of the API.
pub(crate) fn routes() -> Vec<Route> {
    use Access::{LicenseKey, Token};
    vec![
        Route::post(
            "/v1/activations",
            LicenseKey,
            "Activate a machine: machine-locked file, one seat (Idempotency-Key)",
            activate,
        ),
        Route::delete(
            "/v1/activations/{id}",
            LicenseKey,
            "Deactivate, freeing the seat (X-License-Key, or a token)",
            deactivate,
        ),
        Route::post(
            "/v1/activations/offline",
            Token,
            "Answer an offline activation request (admin, issuer; Idempotency-Key)",
            activate_offline,
        ),
        Route::post(
            "/v1/deactivations/offline",
            Token,
            "Answer an offline deactivation request: the machine's seat freed, a signed receipt (admin, issuer)",
            deactivate_offline,
        ),
        Route::post(
            "/v1/validate",
            LicenseKey,
            "The back office's view of a license on this machine: status, seats, the machine's activation, and a fresh file when the terms changed since its own (no seat taken)",
            validate,
        ),
        Route::post(
            "/v1/check-ins",
            LicenseKey,
            "Refresh an activated machine's file",
            check_in,
        ),
        Route::post(
            "/v1/temporary-licenses",
            LicenseKey,
            "Temporary license for a replacement machine (no seat; quota)",
            temporary,
        ),
    ]
}

/// `POST /v1/activations` body.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ActivateRequest {
    /// The license key the product was given.
    pub(crate) license_key: String,
    /// This machine's fingerprint (hex), as `licentia fingerprint` prints it.
    pub(crate) fingerprint: String,
    /// The platform the product runs on (default `unknown`), for the platforms report.
    #[serde(default = "unknown")]
    platform: String,
}

pub(crate) fn unknown() -> String {
    "unknown".into()
}

/// `POST /v1/activations` (license key): a machine-locked file, one seat.
pub(crate) async fn activate(
    State(s): State<AppState>,
    key: IdempotencyKey,
    body: Body<ActivateRequest>,
) -> ApiResult<Created<Activated>> {
    let req = &body.value;
    let (license, key_hash) = licensed(&s, &req.license_key).await?;
    let machine = fingerprint(&req.fingerprint)?;
    let platform = text_field("platform", &req.platform, 64)?.to_owned();
    refuse_unless_active(&license)?;
    let policy = policy_of(&s, &license.policy_id).await?;
    activated_per_machine(&policy)?;
    let at = signing_time(&s, &license.id, &machine.to_string()).await?;
    let spec = machine_spec(&license, &policy, &machine, at);
    let file = s.sign(|k| sign_license(&spec, k)).await?;
    let activation = Activation {
        id: secret::new_id("act"),
        license_id: license.id.clone(),
        fingerprint: machine.to_string(),
        platform,
        mode: "online".into(),
        file,
        created_at: at.0,
        last_seen_at: at.0,
        deactivated_at: None,
    };
    let ev = license_event(&license, "activation.create", &activation.id);
    let render = |a: &Activation| Activated {
        activation_id: a.id.clone(),
        license_id: a.license_id.clone(),
        license_file: a.file.clone(),
    };
    idempotent(
        &s,
        &key,
        "activate",
        &key_hash,
        &body.hash,
        render,
        |idem| s.store.activate(activation, ev, idem),
    )
    .await
}

pub(crate) fn header_key(headers: &HeaderMap) -> Option<&str> {
    headers.get("x-license-key").and_then(|v| v.to_str().ok())
}

/// `DELETE /v1/activations/{id}`: by the product (`X-License-Key`, its own
/// activations only) or by staff (admin, issuer).
pub(crate) async fn deactivate(
    State(s): State<AppState>,
    staff: Option<Staff>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult<Reply<Activation>> {
    let done = activations::deactivate(&s, staff.as_ref(), header_key(&headers), &id).await?;
    Ok(Reply::Fresh(done))
}

/// `POST /v1/activations/offline` body.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct OfflineRequest {
    /// The offline activation request the product wrote: armored, compact,
    /// or its typed code (groups of five characters, read over the telephone).
    request: String,
    /// Days the answer may be accepted (default 30).
    valid_days: Option<u32>,
}

/// `POST /v1/activations/offline` (admin, issuer): request document in, activation answer out.
pub(crate) async fn activate_offline(
    State(s): State<AppState>,
    staff: Staff,
    key: IdempotencyKey,
    body: Body<OfflineRequest>,
) -> ApiResult<Created<OfflineActivated>> {
    let req = &body.value;
    activations::activate_offline(&s, &staff, &key, &body.hash, &req.request, req.valid_days).await
}

/// `POST /v1/deactivations/offline` body.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct OfflineDeactivation {
    /// The offline deactivation request the product wrote (armored).
    request: String,
}

/// `POST /v1/deactivations/offline` (admin, issuer): a machine that gave
/// its license back without a connection (see
/// [`activations::deactivate_offline`]).
pub(crate) async fn deactivate_offline(
    State(s): State<AppState>,
    staff: Staff,
    body: Body<OfflineDeactivation>,
) -> ApiResult<Reply<OfflineDeactivated>> {
    let done = activations::deactivate_offline(&s, &staff, &body.value.request).await?;
    Ok(Reply::Fresh(done))
}

/// A product's request naming its license and machine.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct MachineRequest {
    /// The license key the product was given.
    pub(crate) license_key: String,
    /// This machine's fingerprint (hex), as `licentia fingerprint` prints it.
    pub(crate) fingerprint: String,
}

/// `POST /v1/validate`'s answer: the license as the back office holds it,
/// and this machine's place in it.
#[derive(Serialize, JsonSchema)]
pub(crate) struct Validated {
    /// The license's id.
    license_id: String,
    /// `active`, `suspended` or `revoked`.
    status: String,
    /// When it expires (Unix seconds), if it does.
    expires_at: Option<i64>,
    /// Its seats, and how many are taken.
    seats: i64,
    /// Seats taken.
    seats_used: i64,
    /// This machine's live activation, if it has one.
    activation_id: Option<String>,
    /// A fresh machine-locked file when the license's terms changed after
    /// this machine's file was signed (a renewal, new entitlements); null
    /// when its file is current, and for a machine not activated.
    license_file: Option<String>,
}

/// `POST /v1/validate` (license key): what the back office knows of this
/// license and machine, taking no seat. An activated machine whose file
/// predates a change of terms gets a fresh one (recorded as a check-in).
pub(crate) async fn validate(
    State(s): State<AppState>,
    body: Body<MachineRequest>,
) -> ApiResult<Reply<Validated>> {
    let (license, _) = licensed(&s, &body.value.license_key).await?;
    let machine = fingerprint(&body.value.fingerprint)?;
    let mut activation = s
        .store
        .live_activation(&license.id, &machine.to_string())
        .await?;
    let mut license_file = None;
    if let (Some(held), "active") = (&activation, license.status.as_str()) {
        let policy = policy_of(&s, &license.policy_id).await?;
        let at = signing_time(&s, &license.id, &machine.to_string()).await?;
        let spec = machine_spec(&license, &policy, &machine, at);
        if !terms_changed(&held.file, &spec)? {
            return Ok(Reply::Fresh(validated(license, activation, None)));
        }
        let file = s.sign(|k| sign_license(&spec, k)).await?;
        let ev = license_event(&license, "activation.refresh", "");
        let refreshed = s
            .store
            .check_in(&license.id, &machine.to_string(), file, ev)
            .await?;
        license_file = Some(refreshed.file.clone());
        activation = Some(refreshed);
    }
    Ok(Reply::Fresh(validated(license, activation, license_file)))
}

fn validated(
    license: LicenseRecord,
    activation: Option<Activation>,
    license_file: Option<String>,
) -> Validated {
    Validated {
        license_id: license.id,
        status: license.status,
        expires_at: license.expires_at,
        seats: license.seats,
        seats_used: license.seats_used,
        activation_id: activation.map(|a| a.id),
        license_file,
    }
}

/// `POST /v1/check-ins` (license key): a fresh file for an activated machine.
pub(crate) async fn check_in(
    State(s): State<AppState>,
    body: Body<MachineRequest>,
) -> ApiResult<Reply<CheckedIn>> {
    let (license, _) = licensed(&s, &body.value.license_key).await?;
    let machine = fingerprint(&body.value.fingerprint)?;
    refuse_unless_active(&license)?;
    let policy = policy_of(&s, &license.policy_id).await?;
    let at = signing_time(&s, &license.id, &machine.to_string()).await?;
    let spec = machine_spec(&license, &policy, &machine, at);
    let file = s.sign(|k| sign_license(&spec, k)).await?;
    let ev = license_event(&license, "activation.check_in", "");
    let a = s
        .store
        .check_in(&license.id, &machine.to_string(), file, ev)
        .await?;
    Ok(Reply::Fresh(CheckedIn {
        activation_id: a.id,
        license_file: a.file,
    }))
}

/// `POST /v1/temporary-licenses` (license key): a short license for a
/// replacement machine; no seat; limited per license per period.
pub(crate) async fn temporary(
    State(s): State<AppState>,
    body: Body<MachineRequest>,
) -> ApiResult<Created<TemporaryIssued>> {
    let (license, _) = licensed(&s, &body.value.license_key).await?;
    let machine = fingerprint(&body.value.fingerprint)?;
    let ev = license_event(&license, "temporary.create", "");
    let issued = activations::temporary(&s, &license, &machine, ev).await?;
    Ok(Created::Fresh(issued))
}

/// A machine just activated.
#[derive(Serialize, JsonSchema)]
pub(crate) struct Activated {
    /// The activation, to deactivate it later.
    activation_id: String,
    /// The license.
    license_id: String,
    /// The license file locked to this machine, to store beside the product.
    license_file: String,
}

/// A machine's check-in.
#[derive(Serialize, JsonSchema)]
pub(crate) struct CheckedIn {
    /// The machine's activation.
    activation_id: String,
    /// Its license file, signed anew with the license's current terms.
    license_file: String,
}
