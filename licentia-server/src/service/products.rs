//! What the product-facing routes share: the license a key opens, its policy, and the status check every product request passes.

use crate::error::{ApiError, ApiResult};
use crate::keyring::Keyring;
use crate::secret::LicenseKey;
use crate::store::*;
use crate::AppState;
use licentia::spec::LicenseSpec;
use licentia::{BindingKind, Fingerprint, Timestamp, DAY};

use crate::service::licenses::machine_spec;
use crate::service::now;

/// A license's policy. Policies never change once made, so each instance
/// keeps the ones it has read.
pub(crate) async fn policy_of(s: &AppState, id: &str) -> ApiResult<Policy> {
    if let Some(p) = s.policies.read().unwrap_or_else(|p| p.into_inner()).get(id) {
        return Ok(p.clone());
    }
    let policy = s.store.policy(id).await?;
    s.policies
        .write()
        .unwrap_or_else(|p| p.into_inner())
        .insert(id.to_owned(), policy.clone());
    Ok(policy)
}

/// The license a product's key opens; unknown keys are 401. Each call
/// counts against the key's rate limit (429 past it).
pub(crate) async fn licensed(s: &AppState, key: &str) -> ApiResult<(LicenseRecord, String)> {
    let key = LicenseKey::parse(key).map_err(ApiError::bad_request)?;
    let hash = key.hash();
    s.limits.admit_key(&hash)?;
    let license = s
        .store
        .license_by_key(&hash)
        .await?
        .ok_or_else(|| ApiError::unauthorized("unknown license key"))?;
    Ok((license, hash))
}

pub(crate) fn fingerprint(text: &str) -> ApiResult<Fingerprint> {
    Ok(Fingerprint::parse(text)?)
}

/// Refuses (409 `transfer_limit`) a product's deactivation past its
/// policy's moves per period, saying when the next one is allowed: each
/// machine given back is a move to another, and unlimited moves are
/// unlimited copies. Staff deactivations are not checked here.
pub(crate) async fn within_transfer_limit(
    s: &AppState,
    license: &LicenseRecord,
    policy: &Policy,
) -> ApiResult<()> {
    let Some(max) = policy.max_transfers else {
        return Ok(());
    };
    let period = policy.transfer_period_days * DAY;
    let moves = s
        .store
        .deactivations_since(&license.id, now().0 - period)
        .await?;
    let Some(oldest_counted) = usize::try_from(max)
        .ok()
        .and_then(|max| moves.len().checked_sub(max))
        .map(|extra| moves[extra])
    else {
        return Ok(());
    };
    let next_move = Timestamp(oldest_counted + period);
    Err(ApiError::conflict(
        "transfer_limit",
        format!(
            "this license moved machines {max} times in {} days, its policy's limit; \
             the next move is allowed from {next_move}",
            policy.transfer_period_days,
        ),
    )
    .with(serde_json::json!({
        "limit": max,
        "period_days": policy.transfer_period_days,
        "next_move": next_move.to_string(),
    })))
}

/// Refuses (409 `wrong_binding`) a license that is not activated machine
/// by machine: floating licenses lease seats, named-user ones have no
/// machine.
pub(crate) fn activated_per_machine(policy: &Policy) -> ApiResult<()> {
    match policy.binding {
        BindingKind::NodeLocked | BindingKind::Unbound => Ok(()),
        other => Err(ApiError::conflict(
            "wrong_binding",
            format!(
                "a {} license is not activated per machine{}",
                other.name(),
                if other == BindingKind::Floating {
                    ": check out a lease"
                } else {
                    ""
                }
            ),
        )
        .with(serde_json::json!({ "binding": other.name() }))),
    }
}

/// Refuses (422) a customer's `document` (request, report) written for
/// another product than `license`'s.
pub(crate) fn refuse_other_product(
    license: &LicenseRecord,
    product: &str,
    document: &str,
) -> ApiResult<()> {
    if license.spec.product.as_deref() != Some(product) {
        return Err(ApiError::invalid(format!(
            "the {document} is for product '{product}', not this license's"
        )));
    }
    Ok(())
}

pub(crate) fn refuse_unless_active(license: &LicenseRecord) -> ApiResult<()> {
    if license.status != "active" {
        return Err(inactive_license(&license.status).into());
    }
    Ok(())
}

pub(crate) fn lease_doc(
    license: &LicenseRecord,
    policy: &Policy,
    machine: &Fingerprint,
    at: Timestamp,
    ends: Timestamp,
    keys: &Keyring,
) -> ApiResult<String> {
    let spec = LicenseSpec {
        expires: Some(ends.to_string()),
        soft_expiry: None,
        grace_days: None,
        check_in_days: None,
        max_offline_days: None,
        ..machine_spec(license, policy, machine, at)
    };
    Ok(keys.issuer().issue_lease(&spec.to_body()?)?.to_armor())
}

/// When a lease taken at `at` ends: after the policy's lease length.
pub(crate) fn lease_end(
    license: &LicenseRecord,
    policy: &Policy,
    at: Timestamp,
) -> ApiResult<Timestamp> {
    within_license(license, at, at.add_secs(policy.lease_ttl_secs))
}

/// `wanted`, or the license's own end when it comes first: what a lease
/// or a temporary license made at `at` may run to. Refused (409
/// `license_expired`) when the license has ended.
pub(crate) fn within_license(
    license: &LicenseRecord,
    at: Timestamp,
    wanted: Timestamp,
) -> ApiResult<Timestamp> {
    let ends = license
        .expires_at
        .map_or(wanted, |end| Timestamp(wanted.0.min(end)));
    if ends <= at {
        return Err(ApiError::conflict(
            "license_expired",
            "the license has expired",
        ));
    }
    Ok(ends)
}
