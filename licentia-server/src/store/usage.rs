//! Usage metering: what licences consumed of their meters, per period,
//! counted online in batches or from a machine's offline report.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Event, Idem, Outcome, Scope};
use crate::store::StoreResult;

/// The problem kind of a batch past a meter's quota.
pub const QUOTA_EXCEEDED: &str = "quota_exceeded";

/// The problem kind of an offline report whose counter was accepted
/// already, or is below one accepted.
pub const USAGE_REPORT_REPLAYED: &str = "usage_report_replayed";

/// An amount to count against one meter of a licence in one period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeterCount {
    /// The meter.
    pub meter: String,
    /// The period's first second (Unix seconds).
    pub period_start: i64,
    /// The first second after it (none: the licence's term never ends).
    pub period_end: Option<i64>,
    /// Units allowed in the period.
    pub quota: i64,
    /// Units to count.
    pub amount: i64,
}

/// What a licence consumed of one meter in one period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct MeterUsage {
    /// The licence.
    pub license_id: String,
    /// The meter.
    pub meter: String,
    /// The period's first second (Unix seconds).
    pub period_start: i64,
    /// The first second after it (none: the licence's term never ends).
    pub period_end: Option<i64>,
    /// Units allowed in the period (as the licence said when last counted).
    pub quota: i64,
    /// Units consumed (an offline report may take it past the quota: the
    /// consumption happened).
    pub used: i64,
}

/// Consumption per licence (or per customer) over a span of periods: a
/// row of the usage report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct UsageRow {
    /// The customer (none: a licence sold to no customer in the tree).
    pub customer_id: Option<String>,
    /// The licence (none in the per-customer report).
    pub license_id: Option<String>,
    /// The meter.
    pub meter: String,
    /// Units consumed in the periods starting in the span.
    pub used: i64,
}

/// A licence's counter of one meter in a period that has ended, as the
/// invoices bill it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndedUsage {
    /// The licence.
    pub license_id: String,
    /// The meter.
    pub meter: String,
    /// The period's first second (Unix seconds).
    pub period_start: i64,
    /// The first second after it.
    pub period_end: i64,
    /// Units consumed.
    pub used: i64,
    /// The units of `used` an invoice has accounted for already.
    pub billed_used: i64,
}

/// A counter an invoice accounts for: its `billed_used` moves from
/// `before` to `after` in the invoice's transaction (refused when another
/// invoice moved it meanwhile).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BilledCounter {
    /// The licence.
    pub license_id: String,
    /// The meter.
    pub meter: String,
    /// The period's first second (Unix seconds).
    pub period_start: i64,
    /// `billed_used` as read.
    pub before: i64,
    /// `billed_used` once invoiced: the units used when read.
    pub after: i64,
}

/// Storage of usage.
#[async_trait::async_trait]
pub trait UsageStore: Send + Sync {
    /// Counts every amount of a batch, all or nothing: each meter's period
    /// stays within its quota (else refused [`QUOTA_EXCEEDED`], nothing
    /// counted). Answers each meter's usage after the batch.
    async fn record_usage(
        &self,
        license_id: &str,
        counts: Vec<MeterCount>,
        ev: Event,
        idem: Option<Idem<Vec<MeterUsage>>>,
    ) -> StoreResult<Outcome<Vec<MeterUsage>>>;

    /// Counts a machine's offline report, once: refused
    /// [`USAGE_REPORT_REPLAYED`] unless `counter` is above every counter
    /// accepted from that machine for that licence. Not held to the quota:
    /// the consumption happened.
    async fn accept_usage_report(
        &self,
        license_id: &str,
        fingerprint: &str,
        counter: i64,
        counts: Vec<MeterCount>,
        ev: Event,
    ) -> StoreResult<Vec<MeterUsage>>;

    /// A licence's usage, every meter and period, newest period first.
    async fn license_usage(&self, license_id: &str) -> StoreResult<Vec<MeterUsage>>;

    /// The counters of `license_ids` whose period ended by `ended_by`
    /// (Unix seconds) with units no invoice accounted for yet, by meter
    /// and period.
    async fn unbilled_usage(
        &self,
        license_ids: &[String],
        ended_by: i64,
    ) -> StoreResult<Vec<EndedUsage>>;

    /// Consumption in the periods starting in `[from, to)`, per licence
    /// (`per_license`) or per customer, of the licences within `scope`.
    async fn usage_report(
        &self,
        scope: &Scope,
        from: i64,
        to: i64,
        per_license: bool,
    ) -> StoreResult<Vec<UsageRow>>;
}
