//! What staff and products do with a license's machines: deactivate one,
//! answer an offline activation request, issue a temporary license for a
//! replacement machine within the policy's quota. The API's handlers and
//! the console's pages both call these; nothing here knows HTTP.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::api::idempotency::idempotent;
use crate::api::{event, staff_event, Created, WRITERS};
use crate::error::{ApiError, ApiResult};
use crate::extract::IdempotencyKey;
use crate::secret;
use crate::service::licenses::{machine_spec, sign_license};
use crate::service::products::{
    activated_per_machine, licensed, policy_of, refuse_other_product, refuse_unless_active,
    within_license, within_transfer_limit,
};
use crate::service::{now, text_field};
use crate::staff::Staff;
use crate::store::*;
use crate::AppState;
use licentia::spec::LicenseSpec;
use licentia::{ActivationRequest, DeactivationRequest, Fingerprint, LicenseRef, Timestamp, DAY};

/// Deactivates activation `id`, freeing its seat: by the product holding
/// `license_key` (its own activations only, within the policy's transfer
/// limit), or by staff (admin, issuer).
pub(crate) async fn deactivate(
    s: &AppState,
    staff: Option<&Staff>,
    license_key: Option<&str>,
    id: &str,
) -> ApiResult<Activation> {
    let (actor, license_id) = match (license_key, staff) {
        (Some(k), _) => {
            let (license, _) = licensed(s, k).await?;
            let policy = policy_of(s, &license.policy_id).await?;
            within_transfer_limit(s, &license, &policy).await?;
            (format!("license:{}", license.id), Some(license.id))
        }
        (None, Some(staff)) => {
            staff.allow(WRITERS)?;
            (staff.actor(), None)
        }
        (None, None) => return Err(ApiError::unauthorized("send X-License-Key or an API token")),
    };
    let ev = event(actor, "activation.delete", id, Value::Null);
    Ok(s.store.deactivate(id, license_id.as_deref(), ev).await?)
}

/// An offline activation's answer.
#[derive(Serialize, Deserialize, JsonSchema)]
pub(crate) struct OfflineActivated {
    /// The activation.
    pub(crate) activation_id: String,
    /// The license.
    pub(crate) license_id: String,
    /// The signed activation answer, to carry to the machine.
    pub(crate) answer: String,
}

/// Answers the offline activation `request` (armored, as the product wrote
/// it) for `staff` (admin, issuer, where the license sits): the answer may
/// be accepted for `valid_days` (default 30). The shared path of
/// `POST /v1/activations/offline` and the console's upload.
pub(crate) async fn activate_offline(
    s: &AppState,
    staff: &Staff,
    key: &IdempotencyKey,
    body_hash: &str,
    request: &str,
    valid_days: Option<u32>,
) -> ApiResult<Created<OfflineActivated>> {
    staff.scope(WRITERS)?;
    let request = ActivationRequest::parse(request)?;
    let license = match &request.license {
        LicenseRef::Key(k) => licensed(s, k).await?.0,
        LicenseRef::Id(id) => s.store.license(&id.to_string()).await?,
    };
    staff
        .allow_at(s, WRITERS, license.customer_id.as_deref())
        .await?;
    refuse_unless_active(&license)?;
    let policy = policy_of(s, &license.policy_id).await?;
    activated_per_machine(&policy)?;
    let at = signing_time(s, &license.id, &request.fingerprint.to_string()).await?;
    let spec = machine_spec(&license, &policy, &request.fingerprint, at);
    let not_after = at.add_days(i64::from(valid_days.unwrap_or(30).max(1)));
    let signed = spec.to_body()?;
    let answer = s
        .sign(|k| {
            Ok(k.issuer()
                .answer_activation(&request, &signed, not_after)?
                .to_armor())
        })
        .await?;
    let platform = text_field("platform", &request.platform, 64).unwrap_or("unknown");
    let answered = Answered {
        scope: "activate-offline",
        fingerprint: request.fingerprint.to_string(),
        platform: platform.to_owned(),
        file: answer,
        at,
    };
    let render = |a: &Activation| OfflineActivated {
        activation_id: a.id.clone(),
        license_id: a.license_id.clone(),
        answer: a.file.clone(),
    };
    record_answered(s, staff, key, body_hash, &license, answered, render).await
}

/// An answer staff gave a machine away from the network: what its
/// activation records.
pub(crate) struct Answered {
    /// The idempotency scope of the route that answered.
    pub(crate) scope: &'static str,
    /// The machine, as recorded.
    pub(crate) fingerprint: String,
    /// Its platform.
    pub(crate) platform: String,
    /// The answer, kept as the activation's file.
    pub(crate) file: String,
    /// When it was answered.
    pub(crate) at: Timestamp,
}

/// Records the offline activation `answered` of `license` by `staff`: one
/// seat (none again for the same machine), history `activation.offline`,
/// once per idempotency key. The shared end of the file and telephone
/// answers.
pub(crate) async fn record_answered<T: Serialize>(
    s: &AppState,
    staff: &Staff,
    key: &IdempotencyKey,
    body_hash: &str,
    license: &LicenseRecord,
    answered: Answered,
    render: impl Fn(&Activation) -> T + Clone + Send + Sync + 'static,
) -> ApiResult<Created<T>> {
    let activation = Activation {
        id: secret::new_id("act"),
        license_id: license.id.clone(),
        fingerprint: answered.fingerprint,
        platform: answered.platform,
        mode: "offline".into(),
        file: answered.file,
        created_at: answered.at.0,
        last_seen_at: answered.at.0,
        deactivated_at: None,
    };
    let ev = Event {
        customer_id: license.customer_id.clone(),
        ..staff_event(staff, "activation.offline", &activation.id, Value::Null)
    };
    idempotent(
        s,
        key,
        answered.scope,
        &staff.actor(),
        body_hash,
        render,
        |idem| s.store.activate(activation, ev, idem),
    )
    .await
}

/// A temporary license for a replacement machine.
#[derive(Serialize, JsonSchema)]
pub(crate) struct TemporaryIssued {
    /// Its record.
    pub(crate) temporary_id: String,
    /// The temporary license file, locked to the replacement machine.
    pub(crate) license_file: String,
    /// When it ends (Unix seconds).
    pub(crate) expires_at: i64,
}

/// A temporary license of `license` for the replacement `machine` (the
/// FlexNet outage case): no seat taken, the policy's duration, never past
/// the license; refused (409 `temporary_quota_used`) once the policy's
/// quota of temporary licenses in its period is used. `ev` says who asked
/// (the product with its key, or staff). The shared path of
/// `POST /v1/temporary-licenses` and the console's outage page.
pub(crate) async fn temporary(
    s: &AppState,
    license: &LicenseRecord,
    machine: &Fingerprint,
    ev: Event,
) -> ApiResult<TemporaryIssued> {
    refuse_unless_active(license)?;
    let policy = policy_of(s, &license.policy_id).await?;
    let at = now();
    let ends = within_license(license, at, at.add_days(policy.temp_duration_days))?;
    let spec = LicenseSpec {
        id: None,
        temporary_for: Some(license.id.clone()),
        trial: None,
        expires: Some(ends.to_string()),
        soft_expiry: None,
        grace_days: None,
        check_in_days: None,
        max_offline_days: None,
        ..machine_spec(license, &policy, machine, at)
    };
    let temp = Temporary {
        id: secret::new_id("tmp"),
        license_id: license.id.clone(),
        fingerprint: machine.to_string(),
        file: s.sign(|k| sign_license(&spec, k)).await?,
        created_at: at.0,
        expires_at: ends.0,
    };
    let period_start = at.0 - policy.temp_period_days * DAY;
    let t = s
        .store
        .issue_temporary(temp, policy.temp_quota, period_start, ev)
        .await?;
    Ok(TemporaryIssued {
        temporary_id: t.id,
        license_file: t.file,
        expires_at: t.expires_at,
    })
}

/// The policy's rule for temporary licenses, in numbers: (quota, period
/// in days, duration in days).
pub(crate) async fn temporary_rule(
    s: &AppState,
    license: &LicenseRecord,
) -> ApiResult<(i64, i64, i64)> {
    let policy = policy_of(s, &license.policy_id).await?;
    Ok((
        policy.temp_quota,
        policy.temp_period_days,
        policy.temp_duration_days,
    ))
}

/// When a machine's new file is signed: now, but always after the
/// machine last gave the license back. A revocation list names a release
/// with its second and refuses the files signed up to it, that second
/// included; a machine activated again within that second gets a file
/// dated one second on, which holds.
pub(crate) async fn signing_time(
    s: &AppState,
    license_id: &str,
    fingerprint: &str,
) -> ApiResult<Timestamp> {
    let at = now();
    let released = s
        .store
        .last_activation(license_id, fingerprint)
        .await?
        .and_then(|a| a.deactivated_at);
    Ok(match released {
        Some(gone) if gone >= at.0 => Timestamp(gone + 1),
        _ => at,
    })
}

/// `POST /v1/deactivations/offline`'s answer.
#[derive(Serialize, JsonSchema)]
pub(crate) struct OfflineDeactivated {
    /// The activation given back.
    pub(crate) activation_id: String,
    /// Its license.
    pub(crate) license_id: String,
    /// When its seat was freed (Unix seconds).
    pub(crate) deactivated_at: i64,
    /// The signed receipt (armored), to carry back to the product.
    pub(crate) receipt: String,
}

/// Answers the offline deactivation `request` (armored, as the product
/// wrote it) for `staff` (admin, issuer, where the license sits): the
/// machine's live activation is deactivated (staff are not held to the
/// policy's transfer limit) and the receipt signed; the same request again,
/// once the machine is gone, answers the same receipt (dated when the seat
/// was freed), so a lost answer costs nothing. A machine with no activation
/// of the license is 404.
pub(crate) async fn deactivate_offline(
    s: &AppState,
    staff: &Staff,
    request: &str,
) -> ApiResult<OfflineDeactivated> {
    staff.scope(WRITERS)?;
    let request = DeactivationRequest::parse(request)?;
    let license = s.store.license(&request.license.to_string()).await?;
    staff
        .allow_at(s, WRITERS, license.customer_id.as_deref())
        .await?;
    refuse_other_product(&license, &request.product, "request")?;
    let machine = request.fingerprint.to_string();
    let activation = match s.store.live_activation(&license.id, &machine).await? {
        Some(live) => {
            let ev = Event {
                customer_id: license.customer_id.clone(),
                ..staff_event(staff, "activation.offline_delete", &live.id, Value::Null)
            };
            s.store.deactivate(&live.id, Some(&license.id), ev).await?
        }
        None => s
            .store
            .last_activation(&license.id, &machine)
            .await?
            .filter(|a| a.deactivated_at.is_some())
            .ok_or_else(|| ApiError::not_found("activation of this machine"))?,
    };
    let at = Timestamp(activation.deactivated_at.unwrap_or_else(|| now().0));
    let receipt = s
        .sign(|k| Ok(k.issuer().deactivation_receipt(&request, at)?.to_armor()))
        .await?;
    Ok(OfflineDeactivated {
        activation_id: activation.id,
        license_id: license.id,
        deactivated_at: at.0,
        receipt,
    })
}
