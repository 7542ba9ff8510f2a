//! Metering from the product: a batch of consumption counted by the back
//! office against the licence's meters, or, offline, a usage report for
//! staff to carry there.

use serde::Deserialize;
use serde_json::json;

use super::transport::Repeat;
use super::Client;
use crate::license::LicenseId;
use crate::usage::{UsageReport, UsageTotal};
use crate::Result;

/// What a licence consumed of one meter in its current period, as the back
/// office counted it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct MeterUsage {
    /// The meter.
    pub meter: String,
    /// Units consumed in the period.
    pub used: i64,
    /// Units allowed in the period.
    pub quota: i64,
    /// The period's first second (Unix seconds).
    pub period_start: i64,
    /// The first second after it (none: the licence's term never ends).
    pub period_end: Option<i64>,
}

/// `POST /v1/usage`'s answer.
#[derive(Deserialize)]
struct Counted {
    meters: Vec<MeterUsage>,
}

impl Client {
    /// Counts `records` (meter, units) against the meters of the licence
    /// whose key is `license_key`, all or nothing, and answers each meter's
    /// usage after the batch. `batch_id` names the batch: sent again (a
    /// retry after a lost answer) it is counted once. Past a quota the back
    /// office refuses the whole batch: [`Error::Refused`](crate::Error::Refused)
    /// with problem `quota_exceeded`.
    pub fn record_usage(
        &self,
        license_key: &str,
        batch_id: &str,
        records: &[UsageTotal],
    ) -> Result<Vec<MeterUsage>> {
        let records: Vec<_> = records
            .iter()
            .map(|r| json!({"meter": r.meter, "amount": r.amount}))
            .collect();
        let answer: Counted = self.transport.call(
            "POST",
            "/v1/usage",
            Some(&json!({
                "license_key": license_key,
                "batch_id": batch_id,
                "records": records,
            })),
            &[],
            // The batch id makes a repeat harmless.
            Repeat::Safe,
        )?;
        Ok(answer.meters)
    }

    /// The armored usage report of what this machine consumed of
    /// `license`'s meters since its previous report, numbered `counter`:
    /// the application keeps the counter and raises it by one per report
    /// (the back office refuses one it accepted already, or an older one).
    pub fn usage_report(
        &self,
        license: LicenseId,
        counter: u64,
        totals: Vec<UsageTotal>,
    ) -> Result<String> {
        let report = UsageReport::new(
            self.product.clone(),
            license,
            self.machine.clone(),
            counter,
            (self.now.0)(),
            totals,
        )?;
        Ok(report.to_armor())
    }
}
