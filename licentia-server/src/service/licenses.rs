//! Making and changing licenses: the spec a policy gives, the files the core signs, renewals and new features. The API, the jobs and the other areas call these; nothing here knows HTTP.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::api::idempotency::idempotent;
use crate::api::{staff_event, Created, Reply, WRITERS};
use crate::error::{ApiError, ApiResult};
use crate::extract::IdempotencyKey;
use crate::keyring::Keyring;
use crate::secret::LicenseKey;
use crate::service::catalogue::offered;
use crate::service::seat_rules::check_new_license;
use crate::staff::Staff;
use crate::store::*;
use crate::AppState;
use licentia::spec::LicenseSpec;
use licentia::{BindingKind, Fingerprint, LicenseId, LicenseKind, RenewalAction, Timestamp};
use Role::{Admin, Finance, Issuer};

use crate::service::{now, text_field};

/// `POST /v1/licenses` body: a policy, a licensee, and what may be set
/// over the policy.
#[derive(Deserialize, Default, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct IssueOverrides {
    /// The policy licenses are made from.
    pub(crate) policy_id: String,
    /// Licensee name, as the license file says it.
    pub(crate) licensee: String,
    /// Contact e-mail.
    pub(crate) email: Option<String>,
    /// The customer node.
    pub(crate) customer_id: Option<String>,
    /// Seats, over the policy's.
    pub(crate) seats: Option<u32>,
    /// For node-locked policies: the machines' fingerprints (hex); without them, machines get their files at activation.
    pub(crate) machines: Option<Vec<String>>,
    /// For named-user policies: the user (default: the licensee).
    pub(crate) user: Option<String>,
    /// Vendor key/value strings signed into the license.
    pub(crate) metadata: Option<std::collections::BTreeMap<String, String>>,
    /// Hard expiry (`YYYY-MM-DD` or RFC 3339), over the policy's duration.
    pub(crate) expires: Option<String>,
    /// Features in place of the policy's, `CODE[=COUNT][@DATE]`.
    pub(crate) features: Option<Vec<String>>,
}

/// The license spec a policy gives, before any machine is known.
pub(crate) fn base_spec(
    p: &Policy,
    product: &Product,
    licensee: &str,
    o: &IssueOverrides,
    at: Timestamp,
) -> ApiResult<LicenseSpec> {
    let seats = o.seats.map_or(p.seats, i64::from);
    let seats_u32 = u32::try_from(seats).map_err(|_| ApiError::invalid("too many seats"))?;
    if seats_u32 == 0 {
        return Err(ApiError::invalid("seats must be at least 1"));
    }
    let expires = match (&o.expires, p.duration_days) {
        (Some(date), _) => Some(Timestamp::parse(date)?.to_string()),
        (None, Some(days)) => Some(at.add_days(days).to_string()),
        (None, None) => None,
    };
    let (machines, match_rule, floating, user) = match p.binding {
        BindingKind::NodeLocked => (
            o.machines.clone(),
            o.machines.as_ref().map(|_| p.match_rule.name().to_owned()),
            None,
            None,
        ),
        BindingKind::Floating => (None, None, Some(seats_u32), None),
        BindingKind::NamedUser => (
            None,
            None,
            None,
            Some(o.user.clone().unwrap_or_else(|| licensee.to_owned())),
        ),
        BindingKind::Unbound => (None, None, None, None),
    };
    if o.machines.is_some() && p.binding != BindingKind::NodeLocked {
        return Err(ApiError::invalid(
            "machines are given only for node-locked policies",
        ));
    }
    Ok(LicenseSpec {
        id: Some(LicenseId::random().to_string()),
        product: Some(product.code.clone()),
        licensee: Some(licensee.to_owned()),
        email: o.email.clone(),
        customer_ref: o.customer_id.clone(),
        issued_at: Some(at.to_string()),
        trial: (p.kind == LicenseKind::Trial).then_some(true),
        temporary_for: None,
        machines,
        match_rule,
        floating,
        user,
        seats: Some(seats_u32),
        features: Some(o.features.clone().unwrap_or_else(|| p.entitlements.clone())),
        metadata: o.metadata.clone(),
        valid_from: None,
        soft_expiry: soft_expiry(p, expires.as_deref())?,
        expires,
        grace_days: p.grace_days.and_then(|d| u32::try_from(d).ok()),
        updates_until: p.maintenance_days.map(|d| at.add_days(d).to_string()),
        check_in_days: p.check_in_days.and_then(|d| u32::try_from(d).ok()),
        max_offline_days: p.max_offline_days.and_then(|d| u32::try_from(d).ok()),
        // Said only when refused: a licence allowing both is written as before.
        virtual_machines: (!p.allow_virtual_machines).then_some(false),
        containers: (!p.allow_containers).then_some(false),
        meters: (!p.meters.is_empty()).then(|| p.meters.clone()),
    })
}

/// The "renew soon" time the policy gives a license expiring at `hard`:
/// its `renew_soon_days` before (none without either).
pub(crate) fn soft_expiry(p: &Policy, hard: Option<&str>) -> ApiResult<Option<String>> {
    let (Some(days), Some(hard)) = (p.renew_soon_days, hard) else {
        return Ok(None);
    };
    Ok(Some(Timestamp::parse(hard)?.add_days(-days).to_string()))
}

/// The spec of a file locked to `machine`, made from a license's spec (with
/// its current seat count, which finance may have changed).
pub(crate) fn machine_spec(
    license: &LicenseRecord,
    policy: &Policy,
    machine: &Fingerprint,
    at: Timestamp,
) -> LicenseSpec {
    let spec = &license.spec;
    LicenseSpec {
        seats: u32::try_from(license.seats).ok().or(spec.seats),
        machines: Some(vec![machine.to_string()]),
        match_rule: Some(policy.match_rule.name().to_owned()),
        floating: None,
        user: None,
        issued_at: Some(at.to_string()),
        ..spec.clone()
    }
}

/// Whether a license made from `spec` has a file of its own before any
/// machine is activated (node-locked licenses get theirs at activation).
pub(crate) fn has_own_file(policy: &Policy, spec: &LicenseSpec) -> bool {
    policy.binding != BindingKind::NodeLocked || spec.machines.is_some()
}

/// Whether a machine's signed `file` says other terms than `spec` would
/// sign now (a renewal, new entitlements, other seats), its signing time
/// aside. An offline activation's answer is no license file: never stale.
pub(crate) fn terms_changed(file: &str, spec: &LicenseSpec) -> ApiResult<bool> {
    let Ok(held) = licentia::UnverifiedLicense::parse(file) else {
        return Ok(false);
    };
    let mut current = spec.to_body()?;
    current.issued_at = held.body().issued_at;
    Ok(current != *held.body())
}

pub(crate) fn sign_license(spec: &LicenseSpec, keys: &Keyring) -> ApiResult<String> {
    Ok(keys.issuer().issue(&spec.to_body()?)?.to_armor())
}

/// Checks `req` and makes the license it asks for (with `id`, or a new
/// one): spec, signed file, key, and the policy it read (for the seat
/// rules). Nothing is stored; the key is shown once, by the caller's answer.
pub(crate) async fn prepare_license(
    s: &AppState,
    req: &IssueOverrides,
    id: Option<&str>,
) -> ApiResult<(NewLicense, LicenseKey, Policy)> {
    let policy = s
        .store
        .policy(&req.policy_id)
        .await
        .map_err(ApiError::absent_is_invalid("no such policy"))?;
    let product = s.store.product(&policy.product_id).await?;
    offered(Catalogued::Product, &product.code, product.retired_at)?;
    offered(Catalogued::Policy, &policy.name, policy.retired_at)?;
    if let Some(c) = &req.customer_id {
        let customer = s
            .store
            .customer(c)
            .await
            .map_err(ApiError::absent_is_invalid("no such customer"))?;
        offered(Catalogued::Customer, &customer.name, customer.retired_at)?;
    }
    let licensee = text_field("licensee", &req.licensee, licentia::license::MAX_FIELD_LEN)?;
    let at = now();
    let mut spec = base_spec(&policy, &product, licensee, req, at)?;
    if let Some(id) = id {
        spec.id = Some(LicenseId::parse(id)?.to_string());
    }
    let body_check = spec.to_body()?;
    let file = if has_own_file(&policy, &spec) {
        Some(s.sign(|k| sign_license(&spec, k)).await?)
    } else {
        None
    };
    let license_key = LicenseKey::generate();
    let record = LicenseRecord {
        id: body_check.id.to_string(),
        product_id: product.id.clone(),
        policy_id: policy.id.clone(),
        customer_id: req.customer_id.clone(),
        key_hint: license_key.hint(),
        status: "active".into(),
        licensee: licensee.to_owned(),
        seats: i64::from(body_check.seats),
        seats_used: 0,
        expires_at: body_check.terms.hard_expiry.map(|t| t.0),
        file,
        issued_at: at.0,
        updated_at: at.0,
        terms_version: 0,
        spec,
    };
    let new = NewLicense {
        record,
        key_hash: license_key.hash(),
    };
    Ok((new, license_key, policy))
}

/// The policy's features plus those of the chosen options.
pub(crate) fn plan_features(
    policy: &Policy,
    options: &[PlanOption],
    chosen: &[String],
) -> ApiResult<Vec<String>> {
    let mut features = policy.entitlements.clone();
    for (n, code) in chosen.iter().enumerate() {
        if chosen[..n].contains(code) {
            return Err(ApiError::invalid(format!("option {code} is chosen twice")));
        }
        let option = options
            .iter()
            .find(|o| &o.code == code)
            .ok_or_else(|| ApiError::invalid(format!("the plan has no option {code}")))?;
        features.extend(option.entitlements.iter().cloned());
    }
    Ok(features)
}

/// `POST /v1/plans/{id}/licenses` body: what `POST /v1/licenses` takes,
/// less the policy and features, plus the options chosen.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PlanIssue {
    /// Licensee name, as the license file says it.
    pub(crate) licensee: String,
    /// Contact e-mail.
    pub(crate) email: Option<String>,
    /// The customer node.
    pub(crate) customer_id: Option<String>,
    /// Seats, over the policy's.
    pub(crate) seats: Option<u32>,
    /// For node-locked policies: the machines' fingerprints (hex); without them, machines get their files at activation.
    pub(crate) machines: Option<Vec<String>>,
    /// For named-user policies: the user (default: the licensee).
    pub(crate) user: Option<String>,
    /// Vendor key/value strings signed into the license.
    pub(crate) metadata: Option<std::collections::BTreeMap<String, String>>,
    /// Hard expiry (`YYYY-MM-DD` or RFC 3339), over the policy's duration.
    pub(crate) expires: Option<String>,
    /// Codes of the plan's add-on options.
    #[serde(default)]
    pub(crate) options: Vec<String>,
}

/// What a license of plan `plan_id` with the options `req` chooses is
/// issued from (the policy's terms, the options' entitlements).
pub(crate) async fn plan_license(
    s: &AppState,
    plan_id: &str,
    req: PlanIssue,
) -> ApiResult<IssueOverrides> {
    let plan = s.store.plan(plan_id).await?;
    offered(Catalogued::Plan, &plan.name, plan.retired_at)?;
    let policy = s.store.policy(&plan.policy_id).await?;
    let features = plan_features(&policy, &plan.options, &req.options)?;
    Ok(IssueOverrides {
        policy_id: plan.policy_id,
        licensee: req.licensee,
        email: req.email,
        customer_id: req.customer_id,
        seats: req.seats,
        machines: req.machines,
        user: req.user,
        metadata: req.metadata,
        expires: req.expires,
        features: Some(features),
    })
}

/// The terms a renewal moves: the hard expiry (and "renew soon"), the end
/// of maintenance, or both.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Extension {
    /// The new hard expiry; none leaves it (a perpetual license stays so).
    pub(crate) hard: Option<Timestamp>,
    /// The new "renew soon" time; none with a new hard expiry takes the
    /// policy's `renew_soon_days` before it.
    pub(crate) soft: Option<Timestamp>,
    /// The new end of maintenance (updates-until); none leaves it.
    pub(crate) updates_until: Option<Timestamp>,
}

/// What a renewal must name (refused in these words).
pub(crate) const RENEW_RULE: &str = "a renewal names the new expiry (expires) or, for a license with maintenance, the new end of maintenance (updates_until)";

/// What a renewal token can carry (refused in these words).
pub(crate) const TOKEN_RULE: &str = "a renewal token moves the expiry only: give expires, and extend maintenance (updates_until) with mode 'file'";

/// Renews `record` as `ext` says: its spec says so, and in `file` mode its
/// own file (if it has one) is re-signed; in `token` mode the answer is a
/// renewal token for the file the customer holds (its own, or the
/// machine-locked file of `activation_id`). A perpetual license with
/// maintenance renews by extending maintenance only. The shared path of
/// `POST /v1/licenses/{id}/renew` and subscription renewals; the caller
/// stores the record.
pub(crate) async fn extend_license(
    s: &AppState,
    record: &mut LicenseRecord,
    ext: Extension,
    mode: &str,
    activation_id: Option<&str>,
) -> ApiResult<Option<String>> {
    if ext.hard.is_none() && (ext.updates_until.is_none() || ext.soft.is_some()) {
        return Err(ApiError::invalid(RENEW_RULE));
    }
    if mode == "token" && (ext.hard.is_none() || ext.updates_until.is_some()) {
        return Err(ApiError::invalid(TOKEN_RULE));
    }
    let mut soft = ext.soft;
    if let Some(hard) = ext.hard {
        if soft.is_none() {
            let policy = s.store.policy(&record.policy_id).await?;
            soft = soft_expiry(&policy, Some(&hard.to_string()))?
                .as_deref()
                .map(Timestamp::parse)
                .transpose()?;
        }
        record.spec.expires = Some(hard.to_string());
        record.spec.soft_expiry = soft.map(|t| t.to_string());
        record.expires_at = Some(hard.0);
    }
    if let Some(until) = ext.updates_until {
        record.spec.updates_until = Some(until.to_string());
    }
    record.spec.issued_at = Some(now().to_string());
    record.spec.to_body()?;
    let token = match mode {
        "file" => {
            if record.file.is_some() {
                record.file = Some(s.sign(|k| sign_license(&record.spec, k)).await?);
            }
            None
        }
        "token" => {
            let held = match activation_id {
                Some(a) => {
                    let activation = s.store.activation(a).await?;
                    if activation.license_id != record.id || activation.mode != "online" {
                        return Err(ApiError::invalid("that activation is not an online activation of this license"));
                    }
                    activation.file
                }
                None => record.file.clone().ok_or_else(|| ApiError::invalid("this license has no file of its own: name the activation_id whose file to renew"))?,
            };
            let renewal = s
                .sign(|k| {
                    let license = k.verifier().verify(&held).map_err(|e| {
                        ApiError::conflict(
                            "file_not_trusted",
                            format!("the file to renew does not verify with the trusted keys: {e}"),
                        )
                    })?;
                    let action = RenewalAction::ExtendTo {
                        hard_expiry: ext.hard.ok_or_else(|| ApiError::invalid(TOKEN_RULE))?,
                        soft_expiry: soft,
                    };
                    Ok(k.issuer().renewal(&license, action, now())?.to_armor())
                })
                .await?;
            Some(renewal)
        }
        _ => return Err(ApiError::invalid("mode is 'file' or 'token'")),
    };
    Ok(token)
}

/// The license with `features` in place of its own, its file signed anew.
pub(crate) async fn with_features(
    s: &AppState,
    mut record: LicenseRecord,
    features: Vec<String>,
) -> ApiResult<LicenseRecord> {
    record.spec.features = Some(features);
    record.spec.issued_at = Some(now().to_string());
    record.spec.to_body()?;
    if record.file.is_some() {
        record.file = Some(s.sign(|k| sign_license(&record.spec, k)).await?);
    }
    Ok(record)
}

/// A license just issued.
#[derive(Serialize, Deserialize, JsonSchema)]
pub(crate) struct Issued {
    /// The key a product activates with, in this answer only (the back
    /// office keeps its hash).
    pub(crate) license_key: String,
    /// The license as stored.
    pub(crate) license: LicenseRecord,
}

/// Issues a license as `req` asks, for `staff` (admin, issuer, where the
/// customer sits, within its seats): the shared path of `POST /v1/licenses`,
/// `POST /v1/plans/{id}/licenses` and the console's issue form. `key`
/// (with `route` and the caller) makes a retry answer the first answer
/// instead of issuing a second license; `body_hash` tells a retry from
/// another request under the same key.
pub(crate) async fn issue(
    s: &AppState,
    staff: &Staff,
    key: &IdempotencyKey,
    route: &str,
    body_hash: &str,
    req: IssueOverrides,
) -> ApiResult<Created<Issued>> {
    let (new, license_key, policy) = prepare_license(s, &req, None).await?;
    check_new_license(s, staff, &new.record, &policy).await?;
    let shown = license_key.reveal().to_owned();
    let render = move |r: &LicenseRecord| Issued {
        license_key: shown.clone(),
        license: r.clone(),
    };
    let actor = staff.actor();
    idempotent(s, key, route, &actor, body_hash, render, |idem| {
        s.store.issue_license(new, &actor, idem)
    })
    .await
}

/// A change of a license's status, made by admins and issuers with an
/// optional reason: the statuses it may start from, the one it ends in,
/// and its history operation.
#[derive(Clone, Copy)]
pub(crate) struct Transition {
    from: &'static [&'static str],
    to: &'static str,
    operation: &'static str,
}

/// Suspend: the license stops validating until reinstated.
pub(crate) const SUSPEND: Transition = Transition {
    from: &["active"],
    to: "suspended",
    operation: "license.suspend",
};

/// Reinstate a suspended license.
pub(crate) const REINSTATE: Transition = Transition {
    from: &["suspended"],
    to: "active",
    operation: "license.reinstate",
};

/// Revoke, for good; the revocation list grows.
pub(crate) const REVOKE: Transition = Transition {
    from: &["active", "suspended"],
    to: "revoked",
    operation: "license.revoke",
};

impl Transition {
    /// Changes the status of license `id`, as `staff` asks.
    pub(crate) async fn apply(
        self,
        s: &AppState,
        staff: &Staff,
        id: &str,
        reason: Option<String>,
    ) -> ApiResult<LicenseRecord> {
        staff.allow(WRITERS)?;
        let ev = staff_event(staff, self.operation, id, json!({ "reason": reason }));
        Ok(s.store.set_status(id, self.from, self.to, ev).await?)
    }

    /// Whether a license in `status` may make this change.
    pub(crate) fn applies_to(self, status: &str) -> bool {
        self.from.contains(&status)
    }
}

/// `POST /v1/licenses/{id}/renew` body.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RenewRequest {
    /// New hard expiry (`YYYY-MM-DD` or RFC 3339); leave it out to extend
    /// only the maintenance of a perpetual license.
    pub(crate) expires: Option<String>,
    /// "Renew soon" date (`YYYY-MM-DD` or RFC 3339); by default the
    /// policy's `renew_soon_days` before the new expiry.
    pub(crate) soft_expiry: Option<String>,
    /// New end of maintenance (`YYYY-MM-DD` or RFC 3339): versions released
    /// until then are covered (mode `file` only).
    pub(crate) updates_until: Option<String>,
    /// `file` (a new license file) or `token` (a renewal token for a file the customer holds).
    #[serde(default = "file_mode")]
    pub(crate) mode: String,
    /// For a token: the activation whose machine-locked file is renewed.
    pub(crate) activation_id: Option<String>,
}

/// The default renewal mode: a new file.
pub(crate) fn file_mode() -> String {
    "file".into()
}

/// A license just renewed.
#[derive(Serialize, Deserialize, JsonSchema)]
pub(crate) struct Renewed {
    /// The license as stored, with its new terms.
    pub(crate) license: LicenseRecord,
    /// In `token` mode, the renewal token for the file the customer holds.
    pub(crate) renewal_token: Option<String>,
}

/// Renews license `id` as `req` asks (admin, issuer, finance): the shared
/// path of `POST /v1/licenses/{id}/renew` and the console's renew form.
pub(crate) async fn renew(
    s: &AppState,
    staff: &Staff,
    key: &IdempotencyKey,
    id: &str,
    body_hash: &str,
    req: &RenewRequest,
) -> ApiResult<Reply<Renewed>> {
    staff.allow(&[Admin, Issuer, Finance])?;
    let mut record = s.store.license(id).await?;
    let date = |d: &Option<String>| d.as_deref().map(Timestamp::parse).transpose();
    let ext = Extension {
        hard: date(&req.expires)?,
        soft: date(&req.soft_expiry)?,
        updates_until: date(&req.updates_until)?,
    };
    let token =
        extend_license(s, &mut record, ext, &req.mode, req.activation_id.as_deref()).await?;
    let details = json!({
        "expires": ext.hard.map(|t| t.to_string()),
        "updates_until": ext.updates_until.map(|t| t.to_string()),
        "mode": req.mode,
    });
    let ev = staff_event(staff, "license.renew", id, details);
    let render = move |r: &LicenseRecord| Renewed {
        license: r.clone(),
        renewal_token: token.clone(),
    };
    let actor = staff.actor();
    idempotent(s, key, "renew", &actor, body_hash, render, |idem| {
        s.store.update_terms(record, ev, idem)
    })
    .await
}

/// What a person typed to find a license by key, as the store matches it:
/// the start of the license id, the key's last group, or the whole key.
/// Dashes, spaces and case do not matter; `I`, `L` and `O` read as `1`,
/// `1` and `0`, as in keys.
pub(crate) fn key_search(typed: &str) -> Option<KeySearch> {
    let symbols: String = typed
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| match c.to_ascii_uppercase() {
            'I' | 'L' => '1',
            'O' => '0',
            c => c,
        })
        .collect();
    if symbols.is_empty() {
        return None;
    }
    let id_prefix = if typed.trim().bytes().all(|b| b.is_ascii_hexdigit()) {
        typed.trim().to_ascii_lowercase()
    } else {
        // Matches no id: ids are hex digits only.
        "-".to_owned()
    };
    let hash = LicenseKey::parse(typed)
        .map(|k| k.hash())
        .unwrap_or_default();
    Some(KeySearch {
        id_prefix,
        hint: symbols,
        hash,
    })
}

/// One page of the licenses within the caller's grants that `filter`
/// selects (any staff role).
pub(crate) async fn search(
    s: &AppState,
    staff: &Staff,
    filter: &LicenseFilter,
    page: Page,
) -> ApiResult<Rows<LicenseRecord>> {
    let scope = staff.scope(crate::api::READERS)?;
    Ok(s.store.list_licenses(&scope, filter, page).await?)
}

/// The license's own file in its compact one-line form (for environment
/// variables and configuration files).
pub(crate) fn one_line(armored: &str) -> ApiResult<String> {
    let envelope = licentia::Envelope::from_text(armored, licentia::DocumentKind::License)
        .map_err(ApiError::internal)?;
    Ok(envelope.to_compact())
}
