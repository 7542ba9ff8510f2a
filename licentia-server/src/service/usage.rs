//! Usage metering: a product's batches counted against its licence's
//! meters (online), a machine's offline report accepted once, and what a
//! licence consumed this period.

use std::collections::BTreeMap;

use licentia::{LicenseBody, Timestamp, UsageReport};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::api::idempotency::idempotent;
use crate::api::{license_event, staff_event, Reply, WRITERS};
use crate::error::{ApiError, ApiResult};
use crate::extract::{IdempotencyKey, Staff};
use crate::service::now;
use crate::service::products::{licensed, refuse_other_product, refuse_unless_active};
use crate::store::{Event, LicenseRecord, MeterCount, MeterUsage};
use crate::AppState;

/// Most records in one batch.
pub(crate) const MAX_RECORDS: usize = 100;

/// Most units one record of a batch counts.
pub(crate) const MAX_AMOUNT: u64 = 1_000_000;

/// `POST /v1/usage` body: a batch of consumption, counted all or nothing.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct UsageBatch {
    /// The license key the product was given.
    pub(crate) license_key: String,
    /// The batch's own id (1 to 255 visible characters): the same batch
    /// sent again answers the first answer and counts nothing twice.
    pub(crate) batch_id: String,
    /// 1 to 100 records.
    pub(crate) records: Vec<UsageRecord>,
}

/// Units consumed of one meter.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct UsageRecord {
    /// The meter, as the licence names it.
    pub(crate) meter: String,
    /// Units consumed (1 to 1,000,000).
    pub(crate) amount: u64,
}

/// The answer to a batch or a report: each meter it counted, after it.
#[derive(Serialize, Deserialize, JsonSchema)]
pub(crate) struct Counted {
    /// The licence.
    pub(crate) license_id: String,
    /// The usage of each meter counted, in its current period.
    pub(crate) meters: Vec<MeterUsage>,
}

/// One meter of a licence in the period holding now.
#[derive(Serialize, JsonSchema)]
pub(crate) struct MeterNow {
    /// The meter.
    pub(crate) meter: String,
    /// `day`, `month`, `year` or `term`.
    pub(crate) period: &'static str,
    /// Units allowed in the period.
    pub(crate) quota: u64,
    /// Units consumed in it.
    pub(crate) used: i64,
    /// The period's first second (Unix seconds).
    pub(crate) period_start: i64,
    /// The first second after it (none: the term never ends).
    pub(crate) period_end: Option<i64>,
}

/// A licence's usage: its meters now, and every period counted.
#[derive(Serialize, JsonSchema)]
pub(crate) struct LicenseUsage {
    /// The licence.
    pub(crate) license_id: String,
    /// Each meter the licence carries, in the period holding now.
    pub(crate) meters: Vec<MeterNow>,
    /// Every meter and period counted, newest period first.
    pub(crate) periods: Vec<MeterUsage>,
}

/// The licence's signed terms, as its spec makes them (meters and term).
fn terms_of(license: &LicenseRecord) -> ApiResult<LicenseBody> {
    Ok(license.spec.to_body()?)
}

/// The counts `amounts` (meter, units) make against `license`'s meters in
/// the periods holding `at`, one per meter, sorted by meter (so concurrent
/// batches lock rows in one order). Refuses a meter the licence does not
/// carry and an amount of 0 or above `max_amount`.
fn counts<'a>(
    license: &LicenseRecord,
    amounts: impl IntoIterator<Item = (&'a str, u64)>,
    at: Timestamp,
    max_amount: u64,
) -> ApiResult<Vec<MeterCount>> {
    let body = terms_of(license)?;
    let mut per_meter: BTreeMap<&str, u64> = BTreeMap::new();
    for (meter, amount) in amounts {
        if amount == 0 || amount > max_amount {
            return Err(ApiError::invalid(format!(
                "an amount of meter '{meter}' must be 1 to {max_amount}"
            )));
        }
        let sum = per_meter.entry(meter).or_default();
        *sum = sum.saturating_add(amount);
    }
    per_meter
        .into_iter()
        .map(|(name, amount)| {
            let meter = body
                .meter(name)
                .ok_or_else(|| ApiError::invalid(format!("this license has no meter '{name}'")))?;
            let window = meter.window(at, &body);
            Ok(MeterCount {
                meter: name.to_owned(),
                period_start: window.start.0,
                period_end: window.end.map(|t| t.0),
                quota: i64::try_from(meter.quota).unwrap_or(i64::MAX),
                amount: i64::try_from(amount).unwrap_or(i64::MAX),
            })
        })
        .collect()
}

/// `POST /v1/usage`: counts a product's batch, all or nothing, within each
/// meter's quota (409 `quota_exceeded` else); the same `batch_id` again
/// answers the first answer.
pub(crate) async fn record(
    s: &AppState,
    batch: &UsageBatch,
    body_hash: &str,
) -> ApiResult<Reply<Counted>> {
    let key = IdempotencyKey::checked("batch_id", &batch.batch_id)?;
    let (license, key_hash) = licensed(s, &batch.license_key).await?;
    refuse_unless_active(&license)?;
    if batch.records.is_empty() || batch.records.len() > MAX_RECORDS {
        return Err(ApiError::invalid(format!(
            "a batch holds 1 to {MAX_RECORDS} records"
        )));
    }
    let amounts = batch.records.iter().map(|r| (r.meter.as_str(), r.amount));
    let counts = counts(&license, amounts, now(), MAX_AMOUNT)?;
    let ev = license_event(&license, "usage.record", &license.id);
    let license_id = license.id.clone();
    let render = move |meters: &Vec<MeterUsage>| Counted {
        license_id: license_id.clone(),
        meters: meters.clone(),
    };
    idempotent(s, &key, "usage", &key_hash, body_hash, render, |idem| {
        s.store.record_usage(&license.id, counts, ev, idem)
    })
    .await
}

/// `POST /v1/usage/reports` (admin, issuer): counts a machine's offline
/// report once, in the periods holding the time it was written; refuses
/// (409 `usage_report_replayed`) a counter accepted already or below one.
pub(crate) async fn accept_report(s: &AppState, staff: &Staff, text: &str) -> ApiResult<Counted> {
    staff.scope(WRITERS)?;
    let report = UsageReport::parse(text)?;
    let license = s.store.license(&report.license.to_string()).await?;
    staff
        .allow_at(s, WRITERS, license.customer_id.as_deref())
        .await?;
    refuse_other_product(&license, &report.product, "report")?;
    let amounts = report.totals.iter().map(|t| (t.meter.as_str(), t.amount));
    let counts = counts(&license, amounts, report.written_at, i64::MAX as u64)?;
    let counter = i64::try_from(report.counter)
        .map_err(|_| ApiError::invalid("the report's counter is too large"))?;
    let fingerprint = report.fingerprint.to_string();
    let ev = Event {
        customer_id: license.customer_id.clone(),
        ..staff_event(
            staff,
            "usage.report",
            &license.id,
            json!({"fingerprint": fingerprint, "counter": counter}),
        )
    };
    let meters = s
        .store
        .accept_usage_report(&license.id, &fingerprint, counter, counts, ev)
        .await?;
    Ok(Counted {
        license_id: license.id,
        meters,
    })
}

/// A licence's usage: each meter in the period holding now (0 used where
/// nothing was counted yet), and every period counted.
pub(crate) async fn license_usage(
    s: &AppState,
    license: &LicenseRecord,
) -> ApiResult<LicenseUsage> {
    let body = terms_of(license)?;
    let periods = s.store.license_usage(&license.id).await?;
    let at = now();
    let meters = body
        .meters
        .iter()
        .map(|m| {
            let window = m.window(at, &body);
            let used = periods
                .iter()
                .find(|p| p.meter == m.name && p.period_start == window.start.0)
                .map_or(0, |p| p.used);
            MeterNow {
                meter: m.name.clone(),
                period: m.period.name(),
                quota: m.quota,
                used,
                period_start: window.start.0,
                period_end: window.end.map(|t| t.0),
            }
        })
        .collect();
    Ok(LicenseUsage {
        license_id: license.id.clone(),
        meters,
        periods,
    })
}
