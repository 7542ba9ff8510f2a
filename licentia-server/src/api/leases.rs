//! Floating seats: a product checks a lease out, keeps it alive with heartbeats and returns it.

use crate::api::{license_event, Created, Reply};
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use licentia::BindingKind;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ApiResult};
use crate::extract::Body;
use crate::secret::{self};
use crate::store::*;
use crate::AppState;

use crate::api::activations::{header_key, MachineRequest};
use crate::routes::{Access, Route};
use crate::service::now;
use crate::service::products::{
    fingerprint, lease_doc, lease_end, licensed, policy_of, refuse_unless_active,
};

/// The routes of this part of the API.
pub(crate) fn routes() -> Vec<Route> {
    use Access::LicenseKey;
    vec![
        Route::post(
            "/v1/leases",
            LicenseKey,
            "Check a floating seat out",
            checkout,
        ),
        Route::post(
            "/v1/leases/{id}/heartbeat",
            LicenseKey,
            "Extend a live lease",
            heartbeat,
        ),
        Route::delete(
            "/v1/leases/{id}",
            LicenseKey,
            "Return a lease early (X-License-Key)",
            return_lease,
        ),
    ]
}

/// `POST /v1/leases` (license key): check a floating seat out.
pub(crate) async fn checkout(
    State(s): State<AppState>,
    body: Body<MachineRequest>,
) -> ApiResult<Created<LeaseHeld>> {
    let (license, _) = licensed(&s, &body.value.license_key).await?;
    let machine = fingerprint(&body.value.fingerprint)?;
    refuse_unless_active(&license)?;
    let policy = policy_of(&s, &license.policy_id).await?;
    if policy.binding != BindingKind::Floating {
        return Err(
            ApiError::conflict("wrong_binding", "only floating licenses lease seats")
                .with(serde_json::json!({ "binding": policy.binding.name(), "needs": "floating" })),
        );
    }
    let at = now();
    let ends = lease_end(&license, &policy, at)?;
    let doc = s
        .sign(|k| lease_doc(&license, &policy, &machine, at, ends, k))
        .await?;
    let lease = Lease {
        id: secret::new_id("lse"),
        license_id: license.id.clone(),
        fingerprint: machine.to_string(),
        created_at: at.0,
        expires_at: ends.0,
        returned_at: None,
    };
    let ev = license_event(&license, "lease.checkout", "");
    let lease = s
        .store
        .checkout_lease(lease, license.seats, at.0, ev)
        .await?;
    Ok(Created::Fresh(LeaseHeld {
        lease_id: lease.id,
        expires_at: lease.expires_at,
        lease: doc,
    }))
}

/// `POST /v1/leases/{id}/heartbeat` body.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct KeyOnly {
    /// The license key the product was given.
    license_key: String,
}

/// `POST /v1/leases/{id}/heartbeat` (license key): extend a live lease.
pub(crate) async fn heartbeat(
    State(s): State<AppState>,
    Path(id): Path<String>,
    body: Body<KeyOnly>,
) -> ApiResult<Reply<LeaseHeld>> {
    let (license, _) = licensed(&s, &body.value.license_key).await?;
    refuse_unless_active(&license)?;
    let policy = policy_of(&s, &license.policy_id).await?;
    let at = now();
    let ends = lease_end(&license, &policy, at)?;
    let ev = license_event(&license, "lease.heartbeat", &id);
    let lease = s
        .store
        .heartbeat_lease(&id, &license.id, at.0, ends.0, ev)
        .await?;
    let machine = fingerprint(&lease.fingerprint)?;
    let doc = s
        .sign(|k| lease_doc(&license, &policy, &machine, at, ends, k))
        .await?;
    Ok(Reply::Fresh(LeaseHeld {
        lease_id: lease.id,
        expires_at: lease.expires_at,
        lease: doc,
    }))
}

/// `DELETE /v1/leases/{id}` (`X-License-Key`): return the seat early.
pub(crate) async fn return_lease(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult<Reply<Lease>> {
    let key = header_key(&headers)
        .ok_or_else(|| ApiError::unauthorized("send the license key in X-License-Key"))?;
    let (license, _) = licensed(&s, key).await?;
    let ev = license_event(&license, "lease.return", &id);
    Ok(Reply::Fresh(
        s.store.return_lease(&id, &license.id, now().0, ev).await?,
    ))
}

/// A floating seat held.
#[derive(Serialize, JsonSchema)]
pub(crate) struct LeaseHeld {
    /// The lease, for heartbeats and its return.
    lease_id: String,
    /// When it ends unless a heartbeat extends it (Unix seconds).
    expires_at: i64,
    /// The signed lease, which the product verifies offline like a license.
    lease: String,
}
