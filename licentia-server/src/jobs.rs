//! The jobs: what falls due on a day, written once as notifications
//! (delivered by [`crate::delivery`]), the subscription terms renewed, and
//! the invoices of the billing periods begun (see the service's
//! `invoices` module), each period once: the database's unique
//! key (subject, period start) holds that across runs and instances.
//!
//! [`run`] takes the day it works for, so a run is deterministic (`licentia
//! jobs run --now 2027-01-01`). Every notice has a unique key (subject,
//! kind, lead time, date announced: a [`NoticeKey`])
//! enforced by the database, so running the job twice for a day, or on two
//! instances at once, writes each notice once.

use std::time::Duration;

use chrono::{Days, NaiveDate};

use schemars::JsonSchema;
use serde::Serialize;

use crate::billing::{due_notices, LeadTimes, NoticeKey, Zone, ZonedDate};
use crate::config::Config;
use crate::delivery::{deliver, DeliveryReport};
use crate::error::{ApiError, ApiResult};
use crate::secret;
use crate::service::invoices::Written;
use crate::store::*;
use crate::AppState;
use licentia::Timestamp;

/// What one run did.
#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
pub struct JobReport {
    /// The day it ran for (`YYYY-MM-DD` in the configured zone).
    pub date: String,
    /// Notifications written now, per kind (a second run for the day
    /// writes none).
    pub written: std::collections::BTreeMap<String, u64>,
    /// Notices already written by an earlier run.
    pub already_written: u64,
    /// Subscription terms renewed.
    pub renewed: u64,
    /// Customers whose change of billing cycle took effect.
    pub billing_cycles_started: u64,
    /// Invoices written now (a second run for the day writes none).
    pub invoices_written: u64,
    /// Invoices already written by an earlier run.
    pub invoices_already_written: u64,
    /// What could not be done for one subject (the rest was done); tried
    /// again at the next run.
    pub errors: Vec<String>,
    /// Stored `Idempotency-Key` answers purged for age.
    pub idempotency_purged: u64,
    /// Subscriptions whose passed cancellation window was moved on to
    /// their next last day to cancel (the dashboard's tile counts them).
    pub cancellation_windows_moved: u64,
    /// Deliveries attempted in this run.
    pub deliveries: DeliveryReport,
}

impl std::fmt::Display for JobReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let total: u64 = self.written.values().sum();
        write!(f, "jobs for {}: {total} notifications written", self.date)?;
        if total > 0 {
            let kinds: Vec<String> = self
                .written
                .iter()
                .map(|(kind, n)| format!("{kind} {n}"))
                .collect();
            write!(f, " ({})", kinds.join(", "))?;
        }
        let d = self.deliveries;
        write!(
            f,
            ", {} already written; {} subscription terms renewed; {} invoices written ({} already); deliveries: {} delivered, {} to retry, {} failed; {} idempotency records purged; {} cancellation windows moved on",
            self.already_written, self.renewed, self.invoices_written, self.invoices_already_written, d.delivered, d.retrying, d.failed, self.idempotency_purged, self.cancellation_windows_moved
        )?;
        if !self.errors.is_empty() {
            write!(
                f,
                "; {} subjects failed (tried again next run)",
                self.errors.len()
            )?;
        }
        Ok(())
    }
}

/// Today's date in the configured zone.
pub fn today(config: &Config) -> Result<NaiveDate, String> {
    let zone = config.zone().map_err(|e| e.to_string())?;
    ZonedDate::of_instant(Timestamp::now(), zone)
        .map(|d| d.date())
        .map_err(|e| e.to_string())
}

/// Runs the jobs for `today`: writes the notices due (licenses expiring
/// within the lead times), purges old idempotency records, then delivers
/// what is due now. `actor` is recorded in the history of what it writes.
///
/// A database that fails is the error as a request would see it (503
/// `database_unavailable`, `read_only`, 507 `storage_full`...), not a 500.
pub async fn run(state: &AppState, today: NaiveDate, actor: &str) -> ApiResult<JobReport> {
    let ran = run_jobs(state, today, actor).await;
    state
        .metrics
        .job_ran(ran.as_ref().ok().map(|report| &report.deliveries));
    ran
}

/// What [`run`] does, uncounted.
async fn run_jobs(state: &AppState, today: NaiveDate, actor: &str) -> ApiResult<JobReport> {
    let (store, config) = (&state.store, state.config.as_ref());
    let zone = config.zone().map_err(ApiError::internal)?;
    let leads = config.lead_times().map_err(ApiError::internal)?;
    // Every day the run reaches (the purge's cutoff before it, the longest
    // lead time after it) must be on the calendar: a day too near its ends
    // is refused (422) before anything is written.
    let reach = |d: Option<NaiveDate>| {
        d.and_then(|d| ZonedDate::new(d, zone).ok()).ok_or_else(|| {
            ApiError::invalid(format!(
                "{today} is too near the ends of the calendar (years 1 to 9999) for the lead times and the idempotency retention"
            ))
        })
    };
    // The cutoff follows the day, not the clock: a second run for the same
    // day purges nothing more.
    let cutoff =
        reach(today.checked_sub_days(Days::new(u64::from(config.idempotency_retention_days))))?;
    // People's own lead times (notice preferences, in months) besides the
    // configured ones.
    let months = store.preference_months().await?;
    let leads = Leads {
        configured: leads,
        months,
    };
    let longest = leads.longest();
    reach(today.checked_add_days(Days::new(u64::from(longest))))?;
    let mut report = JobReport {
        date: today.to_string(),
        ..JobReport::default()
    };
    // Customers' billing cycles changed from today, before the invoices.
    report.billing_cycles_started = store.start_billing_cycles(today).await?;
    // Renewals first: the notices then see the renewed terms.
    let (renewed, subscription_notices, mut invoices) =
        subscriptions(state, &leads, today, actor, &mut report.errors).await?;
    report.renewed = renewed;
    let allocations =
        crate::service::invoices::invoice_allocations(state, today, actor, &mut report.errors)
            .await?;
    invoices.written += allocations.written;
    invoices.already += allocations.already;
    report.invoices_written = invoices.written;
    report.invoices_already_written = invoices.already;
    let licenses = license_notices(store.as_ref(), zone, &leads, today).await?;
    let contracts = contract_notices(store.as_ref(), &leads, today).await?;
    for notification in licenses
        .into_iter()
        .chain(subscription_notices)
        .chain(contracts)
    {
        let kind = notification.kind.clone();
        let standard = leads.standard(&notification);
        if store
            .record_notification(notification, standard, actor)
            .await?
        {
            *report.written.entry(kind).or_default() += 1;
        } else {
            report.already_written += 1;
        }
    }
    report.idempotency_purged = store.purge_idempotency(cutoff.start().0).await?;
    // After the renewals, which wrote their new windows themselves.
    report.cancellation_windows_moved = store
        .refresh_cancellation_windows(Timestamp::now().0)
        .await?;
    report.deliveries = deliver(state, Timestamp::now()).await?;
    Ok(report)
}

/// The lead times of a run: the configured ones, and the months of
/// people's notice preferences.
struct Leads {
    configured: LeadTimes,
    months: Vec<u32>,
}

impl Leads {
    /// The longest, in days (a month counted as 31).
    fn longest(&self) -> u32 {
        let configured = self.configured.days().first().copied().unwrap_or(0);
        let months = self.months.iter().max().map_or(0, |m| m * 31);
        configured.max(months)
    }

    /// Whether `n` is a notice every subscription hears of: at a configured
    /// lead time, or at none (a renewal done), rather than at a lead time
    /// only people's preferences ask for.
    fn standard(&self, n: &Notification) -> bool {
        let Ok(lead) = u32::try_from(n.lead_days) else {
            return false;
        };
        if self.configured.days().contains(&lead) {
            return true;
        }
        let end: Option<NaiveDate> = n.due_on.parse().ok();
        !self
            .months
            .iter()
            .any(|&m| end.and_then(|end| months_lead_days(end, m)) == Some(lead))
    }

    /// The notices about `end` due on `today` at any lead time: the
    /// configured ones, and each preference's months before `end`.
    fn due<'k>(
        &self,
        subject: &str,
        kind: &'k str,
        end: NaiveDate,
        today: NaiveDate,
    ) -> Vec<NoticeKey<String, &'k str>> {
        let mut days: Vec<u32> = self.configured.days().to_vec();
        days.extend(self.months.iter().filter_map(|&m| months_lead_days(end, m)));
        days.sort_unstable();
        days.dedup();
        match LeadTimes::new(days) {
            Ok(leads) => due_notices(&subject.to_owned(), &kind, end, &leads, today),
            Err(_) => due_notices(&subject.to_owned(), &kind, end, &self.configured, today),
        }
    }
}

fn day(date: NaiveDate, zone: Zone) -> ApiResult<ZonedDate> {
    ZonedDate::new(date, zone).map_err(ApiError::internal)
}

/// `license.expiring` notices due on `today`: one per active license and
/// lead time reached, announcing the license's last valid day.
async fn license_notices(
    store: &dyn Store,
    zone: Zone,
    leads: &Leads,
    today: NaiveDate,
) -> ApiResult<Vec<Notification>> {
    let longest = leads.longest();
    let horizon = today
        .checked_add_days(Days::new(u64::from(longest)))
        .ok_or_else(|| ApiError::internal("the lead times reach past the calendar"))?;
    // Stored expiries are the first instant after the last valid day.
    let licenses = store
        .expiring_licenses(
            day(today, zone)?.start().0.saturating_add(1),
            day(horizon, zone)?.end().0.saturating_add(1),
        )
        .await?;
    let mut out = Vec::new();
    for license in licenses {
        let Some(expires_at) = license.expires_at else {
            continue;
        };
        let last_day = ZonedDate::of_instant(Timestamp(expires_at - 1), zone)
            .map_err(ApiError::internal)?
            .date();
        for key in leads.due(&license.id, LICENSE_EXPIRING, last_day, today) {
            out.push(notification(
                key,
                today,
                serde_json::json!({
                    "license_id": license.id,
                    "licensee": license.licensee,
                    "product_id": license.product_id,
                    "customer_id": license.customer_id,
                    "expires_at": Timestamp(expires_at).to_string(),
                    "last_day": last_day.to_string(),
                }),
            ));
        }
    }
    Ok(out)
}

/// `contract.ending` notices due on `today`: one per contract and lead time
/// reached (the configured ones and people's months), announcing the
/// contract's last day.
async fn contract_notices(
    store: &dyn Store,
    leads: &Leads,
    today: NaiveDate,
) -> ApiResult<Vec<Notification>> {
    let horizon = today
        .checked_add_days(Days::new(u64::from(leads.longest())))
        .ok_or_else(|| ApiError::internal("the lead times reach past the calendar"))?;
    let contracts = store
        .ending_contracts(&today.to_string(), &horizon.to_string())
        .await?;
    let mut out = Vec::new();
    for contract in contracts {
        // Stored dates were checked when written.
        let Ok(end) = contract.ends_on.parse::<NaiveDate>() else {
            continue;
        };
        for key in leads.due(&contract.id, CONTRACT_ENDING, end, today) {
            out.push(notification(
                key,
                today,
                serde_json::json!({
                    "contract_id": contract.id,
                    "customer_id": contract.customer_id,
                    "supplier_id": contract.supplier_id,
                    "contract_type_id": contract.contract_type_id,
                    "reference": contract.reference,
                    "starts_on": contract.starts_on,
                    "ends_on": contract.ends_on,
                    "last_day_to_cancel": contract.last_day_to_cancel,
                }),
            ));
        }
    }
    Ok(out)
}

/// Renews the subscription terms that ended before `today` (per each one's
/// renewal option; a term renews once however many runs race; a
/// subscription that fails is added to `errors` and skipped), then
/// returns how many terms were renewed and the subscription notices due on
/// `today`: `subscription.renewed` for each renewed now,
/// `subscription.expiring` before the last day of one that will not renew,
/// `subscription.renewing` before the last day of a term that will renew
/// (so the customer hears of it while it can still cancel), `invoice.due` before its next invoice and `cancellation.deadline` before
/// its last day to cancel. Each one's invoices of the periods begun by
/// `today` are written after its renewals (by `actor`), and counted in
/// the third part of the answer.
async fn subscriptions(
    state: &AppState,
    leads: &Leads,
    today: NaiveDate,
    actor: &str,
    errors: &mut Vec<String>,
) -> ApiResult<(u64, Vec<Notification>, Written)> {
    let mut ids = Vec::new();
    for status in ["active", "cancelled"] {
        let filter = SubscriptionFilter {
            status: Some(status.into()),
            ..SubscriptionFilter::default()
        };
        let mut page = Page::first(crate::extract::MAX_LIMIT);
        loop {
            let batch = state
                .store
                .list_subscriptions(&Scope::All, &filter, page.clone())
                .await?;
            ids.extend(batch.iter().map(|s| s.id.clone()));
            match batch.next {
                Some(next) => page.after = Some(next),
                None => break,
            }
        }
    }
    let mut renewed_terms = 0;
    let mut out = Vec::new();
    let mut invoices = Written::default();
    for id in ids {
        // One subscription that cannot renew (a revoked license...) must
        // not hold the others' renewals and notices back: it is reported,
        // and tried again at the next run.
        let done = match crate::service::subscriptions::renew_due(state, &id, today).await {
            Ok((sub, renewed)) => sub
                .view(today)
                .map(|view| (sub, renewed, view))
                .map_err(ApiError::from),
            Err(e) => Err(e),
        };
        let (sub, renewed, view) = match done {
            Ok(done) => done,
            Err(e) => {
                tracing::warn!(subscription = %id, error = %e.detail, "subscription job failed");
                errors.push(format!("subscription {id}: {}", e.detail));
                continue;
            }
        };
        match crate::service::invoices::invoice_subscription(state, &sub, today, actor).await {
            Ok(w) => {
                invoices.written += w.written;
                invoices.already += w.already;
            }
            Err(e) => {
                tracing::warn!(subscription = %id, error = %e.detail, "invoicing failed");
                errors.push(format!("invoices of subscription {id}: {}", e.detail));
            }
        }
        let data = |extra: serde_json::Value| {
            let mut data = serde_json::json!({
                "subscription_id": sub.id,
                "customer_id": sub.customer_id,
                "plan_id": sub.plan_id,
                "product_id": sub.product_id,
                "seats": sub.seats,
                "status": sub.status,
                "term_start": sub.term_start,
                "term_end": sub.term_end,
                "license_ids": sub.license_ids,
            });
            if let (Some(data), serde_json::Value::Object(extra)) = (data.as_object_mut(), extra) {
                data.extend(extra);
            }
            data
        };
        if renewed > 0 {
            renewed_terms += u64::from(renewed);
            let key = NoticeKey {
                subject: sub.id.clone(),
                kind: SUBSCRIPTION_RENEWED,
                lead_days: 0,
                end: sub.term_start,
            };
            out.push(notification(
                key,
                today,
                data(serde_json::json!({ "terms_renewed": renewed })),
            ));
        }
        let dated = [
            (SUBSCRIPTION_EXPIRING, view.final_end, "final_end"),
            (
                SUBSCRIPTION_RENEWING,
                view.renews_on.map(|_| sub.term_end),
                "term_end",
            ),
            (INVOICE_DUE, view.next_invoice, "invoice_date"),
            (
                CANCELLATION_DEADLINE,
                view.last_day_to_cancel,
                "last_day_to_cancel",
            ),
        ];
        for (kind, date, field) in dated {
            let Some(date) = date else { continue };
            for key in leads.due(&sub.id, kind, date, today) {
                out.push(notification(
                    key,
                    today,
                    data(serde_json::json!({
                        field: date,
                        "next_possible_end": view.next_possible_end,
                    })),
                ));
            }
        }
    }
    Ok((renewed_terms, out, invoices))
}

/// A new notification under `key` (subject, kind, lead time, date announced), written by the run of `today`.
fn notification(
    key: NoticeKey<String, &str>,
    today: NaiveDate,
    data: serde_json::Value,
) -> Notification {
    Notification {
        id: secret::new_id("ntf"),
        kind: key.kind.to_owned(),
        subject: key.subject,
        lead_days: i64::from(key.lead_days),
        due_on: key.end.to_string(),
        run_date: today.to_string(),
        data,
        created_at: Timestamp::now().0,
    }
}

/// Runs the jobs every `jobs_interval_secs` until the task is aborted
/// (nothing when the interval is 0).
pub(super) fn spawn_periodic(state: AppState) -> Option<tokio::task::JoinHandle<()>> {
    let interval = state.config.jobs_interval_secs;
    if interval == 0 {
        return None;
    }
    Some(tokio::spawn(async move {
        let mut ticks = tokio::time::interval(Duration::from_secs(interval));
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            let outcome = match today(&state.config) {
                Ok(day) => run(&state, day, "system").await.map_err(|e| e.detail),
                Err(e) => Err(e),
            };
            match outcome {
                Ok(report) => tracing::info!(%report, "jobs ran"),
                Err(error) => tracing::warn!(%error, "jobs failed"),
            }
        }
    }))
}

/// `licentia jobs run`: the jobs for `date` (today in the configured zone
/// when absent), on the configured database.
pub async fn run_once(config: &Config, date: Option<NaiveDate>) -> Result<JobReport, String> {
    let state = AppState::open(config).await?;
    let date = match date {
        Some(date) => date,
        None => today(config)?,
    };
    run(&state, date, "cli").await.map_err(|e| e.detail)
}
