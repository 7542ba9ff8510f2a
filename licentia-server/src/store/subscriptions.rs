//! Subscriptions: a customer's plan, seats, billing and term, renewed per
//! its renewal option; the dates come from [`crate::billing`].
//!
//! A [`Subscription`] stores the parts a billing [`Contract`] is rebuilt
//! from (its first day, the current term's offset and model, the invoice
//! schedule's offset and interval, the renewal option) plus the notice
//! period and zone as text; every date shown (next invoice, last day to
//! cancel, next possible end) is computed from them as of a day, never
//! stored, so it cannot go stale. The current term's first and last days
//! are also stored, for queries and for the conditional updates that make
//! renewals happen once per term.

use chrono::{Datelike, NaiveDate};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Event, Idem, LicenseRecord, NewLicense, Outcome, Page, Prorated, Rows, Scope};
use crate::billing::{
    BillingError, BillingInterval, BillingModel, Contract, InvoiceSchedule, NoticePeriod,
    RenewalOption, Term, TermEnd, Zone, ZonedDate,
};
use crate::store::{StoreError, StoreResult};
use licentia::Timestamp;

/// A subscription as stored.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Subscription {
    /// Id.
    pub id: String,
    /// The customer node.
    pub customer_id: String,
    /// The plan.
    pub plan_id: String,
    /// The plan's product.
    pub product_id: String,
    /// Seats; the licenses of the subscription have as many.
    pub seats: i64,
    /// The plan options chosen.
    pub options: Vec<String>,
    /// The IANA zone its dates are calendar dates in.
    pub zone: String,
    /// Its first day: every term and invoice is counted in months from it.
    pub start: NaiveDate,
    /// The billing model of the current term (`monthly`, `prepaid_1y`,
    /// `prepaid_3y`, `prepaid_5y`).
    pub billing: String,
    /// Months from `start` to the current term's first day.
    pub term_from_month: u32,
    /// The current term's first day.
    pub term_start: NaiveDate,
    /// The current term's last day (inclusive); the licenses expire at the
    /// end of it.
    pub term_end: NaiveDate,
    /// The billing interval in effect (`monthly`, `quarterly`, `yearly`).
    pub interval: String,
    /// Months from `start` to the first invoice of `interval`.
    pub invoices_from_month: u32,
    /// A change of billing asked for, not yet in effect.
    pub pending: Option<PendingChange>,
    /// What happens at the term's end (`none`, `once`, `always`,
    /// `switch_to_monthly`).
    pub renewal: String,
    /// The notice period, e.g. `3 months before term end`.
    pub notice: String,
    /// `active` (runs and renews per its option), `cancelled` (ends on
    /// `ends_on`) or `ended`.
    pub status: String,
    /// The last day of a cancelled or ended subscription.
    pub ends_on: Option<NaiveDate>,
    /// The licenses it issued (their seats and expiry follow it).
    pub license_ids: Vec<String>,
    /// Whether its interval follows its customer's billing cycle (it was
    /// made without one of its own).
    #[serde(default)]
    pub follows_customer: bool,
    /// Bumped by every change: updates are conditional on it.
    pub version: i64,
    /// Created (Unix seconds).
    pub created_at: i64,
    /// Last changed (Unix seconds).
    pub updated_at: i64,
}

/// A change of billing that takes effect at the next cycle.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PendingChange {
    /// The billing model of the terms from the next one on.
    pub billing: Option<String>,
    /// The first day under `billing` (the next term's first day).
    pub billing_effective: Option<NaiveDate>,
    /// The billing interval from `interval_effective` on.
    pub interval: Option<String>,
    /// The first invoice under `interval`: the current cycle's next
    /// boundary.
    pub interval_effective: Option<NaiveDate>,
    /// Months from the subscription's start to `interval_effective`.
    pub interval_from_month: Option<u32>,
}

/// A subscription with what follows from it as of `today`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SubscriptionView {
    /// The stored subscription.
    #[serde(flatten)]
    pub subscription: Subscription,
    /// The day (in the subscription's zone) the dates below are computed for.
    pub today: NaiveDate,
    /// The next invoice date on or after `today`, honouring a pending change.
    pub next_invoice: Option<NaiveDate>,
    /// The last day on which cancelling ends it on `next_possible_end`.
    pub last_day_to_cancel: Option<NaiveDate>,
    /// The first end that cancelling today still reaches.
    pub next_possible_end: Option<NaiveDate>,
    /// The first day of the next term, when the current one renews.
    pub renews_on: Option<NaiveDate>,
    /// The subscription's last day if nothing changes (`null` while it
    /// renews forever).
    pub final_end: Option<NaiveDate>,
}

/// Filters on the subscription list.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
pub struct SubscriptionFilter {
    /// Only this customer.
    pub customer_id: Option<String>,
    /// Only this plan.
    pub plan_id: Option<String>,
    /// Only this status.
    pub status: Option<String>,
    /// Only those whose current term ends before this day.
    pub term_end_before: Option<NaiveDate>,
    /// Only those whose stored cancellation window holds this instant
    /// (Unix seconds): their last day to cancel is between today and the
    /// end of this month (the dashboard's tile; a window passed since the
    /// jobs last ran is moved on by their next run).
    #[serde(default)]
    pub cancellable_at: Option<i64>,
}

/// A stored value that no longer parses: the row was written by this code
/// from checked values, so it is the server's fault, not the caller's.
fn corrupt(e: BillingError) -> StoreError {
    StoreError::internal(format!("stored subscription: {e}"))
}

impl Subscription {
    /// The zone its dates are in.
    pub fn zone(&self) -> StoreResult<Zone> {
        self.zone.parse().map_err(corrupt)
    }

    /// Its notice period.
    pub fn notice_period(&self) -> StoreResult<NoticePeriod> {
        self.notice.parse().map_err(corrupt)
    }

    /// The renewal option.
    pub fn renewal_option(&self) -> StoreResult<RenewalOption> {
        self.renewal.parse().map_err(corrupt)
    }

    /// The calendar day `at` falls on in the subscription's zone.
    pub fn day_of(&self, at: Timestamp) -> StoreResult<NaiveDate> {
        Ok(ZonedDate::of_instant(at, self.zone()?)
            .map_err(corrupt)?
            .date())
    }

    /// The instant a license expiring at the end of `day` expires.
    pub fn end_of(&self, day: NaiveDate) -> StoreResult<Timestamp> {
        Ok(ZonedDate::new(day, self.zone()?).map_err(corrupt)?.end())
    }

    /// The current contract, rebuilt from the stored parts (without the
    /// pending change).
    pub fn contract(&self) -> StoreResult<Contract> {
        let model: BillingModel = self.billing.parse().map_err(corrupt)?;
        let interval: BillingInterval = self.interval.parse().map_err(corrupt)?;
        Contract::from_parts(
            Term::new(self.start, self.term_from_month, model.term_months()).map_err(corrupt)?,
            model,
            InvoiceSchedule::new(self.start, self.invoices_from_month, interval)
                .map_err(corrupt)?,
            self.renewal_option()?,
        )
        .map_err(corrupt)
    }

    /// Writes `contract`'s parts into the stored fields.
    pub fn set_contract(&mut self, contract: &Contract) {
        let term = contract.term();
        self.billing = contract.model().name().to_owned();
        self.term_from_month = term.from_month();
        self.term_start = term.start();
        self.term_end = term.end();
        self.interval = contract.invoices().interval().name().to_owned();
        self.invoices_from_month = contract.invoices().from_month();
        self.renewal = contract.renewal().name().to_owned();
    }

    /// The subscription as of `day`: a pending interval change whose first
    /// invoice is on or before `day` is in effect.
    pub fn as_of(&self, day: NaiveDate) -> StoreResult<Subscription> {
        let mut now = self.clone();
        let Some(p) = &self.pending else {
            return Ok(now);
        };
        if let (Some(interval), Some(from), Some(effective)) =
            (&p.interval, p.interval_from_month, p.interval_effective)
        {
            if effective <= day {
                now.interval = interval.clone();
                now.invoices_from_month = from;
                let rest = PendingChange {
                    interval: None,
                    interval_effective: None,
                    interval_from_month: None,
                    ..p.clone()
                };
                now.pending = (rest != PendingChange::default()).then_some(rest);
            }
        }
        Ok(now)
    }

    /// The contract of the next term, when the current one renews: per the
    /// renewal option, under a pending change of billing model if there is
    /// one. `None` when it ends with this term (no renewal, cancelled or
    /// ended).
    pub fn next_contract(&self) -> StoreResult<Option<Contract>> {
        if self.status != "active" {
            return Ok(None);
        }
        let after = self
            .term_end
            .succ_opt()
            .ok_or_else(|| corrupt(BillingError::OutOfRange))?;
        let current = self.as_of(after)?;
        let contract = current.contract()?;
        let model = current.pending.as_ref().and_then(|p| p.billing.as_deref());
        let next = match (contract.renewal(), model) {
            (RenewalOption::None, _) => None,
            (renewal, Some(model)) => {
                let model: BillingModel = model.parse().map_err(corrupt)?;
                let term = contract
                    .term()
                    .following(model.term_months())
                    .map_err(corrupt)?;
                let invoices = InvoiceSchedule::new(
                    self.start,
                    term.from_month(),
                    contract.invoices().interval(),
                )
                .map_err(corrupt)?;
                // A chosen model replaces the switch to monthly; `once`
                // still renews only this time.
                let renewal = match renewal {
                    RenewalOption::Once => RenewalOption::None,
                    _ => RenewalOption::Always,
                };
                Some(Contract::from_parts(term, model, invoices, renewal).map_err(corrupt)?)
            }
            _ => match contract.at_term_end().map_err(corrupt)? {
                TermEnd::Renews(next) => Some(next),
                TermEnd::Ends { .. } => None,
            },
        };
        Ok(next)
    }

    /// The subscription once its current term has renewed into `next`
    /// (see [`next_contract`](Subscription::next_contract)): the pending
    /// model change is spent, and so is a pending interval change when the
    /// invoices start afresh under another model.
    pub fn renewed(&self, next: &Contract) -> StoreResult<Subscription> {
        let after = self
            .term_end
            .succ_opt()
            .ok_or_else(|| corrupt(BillingError::OutOfRange))?;
        let mut renewed = self.as_of(after)?;
        let model_changed = renewed.billing != next.model().name();
        renewed.set_contract(next);
        renewed.pending = renewed.pending.filter(|_| !model_changed).and_then(|p| {
            let rest = PendingChange {
                billing: None,
                billing_effective: None,
                ..p
            };
            (rest != PendingChange::default()).then_some(rest)
        });
        Ok(renewed)
    }

    /// When its next last day to cancel is "this month" on the dashboard,
    /// as of the instant `at`: from the first instant of that day's month
    /// to the end of that day, both in its own zone (stored with every
    /// change, so that the tile is counted from an index). `None` when
    /// cancelling can no longer change its end (not active, or no end
    /// left to reach).
    pub fn cancellation_window(&self, at: Timestamp) -> StoreResult<Option<(i64, i64)>> {
        let zone = self.zone()?;
        let today = self.day_of(at)?;
        let Some(deadline) = self.view(today)?.last_day_to_cancel else {
            return Ok(None);
        };
        let first = deadline
            .with_day(1)
            .ok_or_else(|| corrupt(BillingError::OutOfRange))?;
        let opens = ZonedDate::new(first, zone).map_err(corrupt)?.start();
        let closes = ZonedDate::new(deadline, zone).map_err(corrupt)?.end();
        Ok(Some((opens.0, closes.0)))
    }

    /// What follows from the subscription as of `today`.
    pub fn view(&self, today: NaiveDate) -> StoreResult<SubscriptionView> {
        let now = self.as_of(today)?;
        let contract = now.contract()?;
        let next = now.next_contract()?;
        let last_day = match now.status.as_str() {
            "active" => contract.final_end().map_err(corrupt)?,
            _ => now.ends_on,
        };
        let next_invoice = match contract.next_invoice(today).map_err(corrupt)? {
            Some(date) => Some(date),
            None => match &next {
                Some(n) => n.next_invoice(today).map_err(corrupt)?,
                None => None,
            },
        }
        .filter(|d| last_day.is_none_or(|last| *d <= last));
        let cancellation = match now.status.as_str() {
            "active" => contract
                .cancellation(&now.notice_period()?, today)
                .map_err(corrupt)?,
            _ => None,
        };
        Ok(SubscriptionView {
            today,
            next_invoice,
            last_day_to_cancel: cancellation.map(|c| c.last_day_to_cancel),
            next_possible_end: cancellation.map(|c| c.ends_on),
            renews_on: next.map(|n| n.term().start()),
            final_end: last_day,
            subscription: self.clone(),
        })
    }
}

/// Storage for subscriptions; one method per operation, each one transaction.
#[async_trait::async_trait]
pub trait SubscriptionStore: Send + Sync {
    /// Stores a new subscription and the license it issued, in one
    /// transaction (both recorded in the history).
    async fn create_subscription(
        &self,
        subscription: Subscription,
        license: NewLicense,
        actor: &str,
        idem: Option<Idem<Subscription>>,
    ) -> StoreResult<Outcome<Subscription>>;

    /// A subscription.
    async fn subscription(&self, id: &str) -> StoreResult<Subscription>;
    /// The active subscriptions of `customer_id` that follow its billing
    /// cycle.
    async fn subscriptions_following(&self, customer_id: &str) -> StoreResult<Vec<Subscription>>;

    /// How many active subscriptions within `scope` have their last day to
    /// cancel between today and the end of this month at `at`, each in its
    /// own zone (see [`Subscription::cancellation_window`]).
    async fn cancellations_this_month(&self, scope: &Scope, at: i64) -> StoreResult<i64>;

    /// Moves on the stored cancellation windows that `at` has passed (and
    /// computes those never computed): each is read, computed as of `at`
    /// and written unless the subscription changed meanwhile. The answer
    /// is how many were written. The server runs it at start and with
    /// every run of the jobs.
    async fn refresh_cancellation_windows(&self, at: i64) -> StoreResult<u64>;

    /// Lists subscriptions, soonest term end first.
    async fn list_subscriptions(
        &self,
        scope: &Scope,
        filter: &SubscriptionFilter,
        page: Page,
    ) -> StoreResult<Rows<Subscription>>;

    /// Sets the seats of a subscription that has not ended, and of its
    /// licenses, never below the seats in use on any of them (409
    /// `seats_in_use`). Without `may_raise`, only a cut of the seats as
    /// they stand in the transaction (403 otherwise: a cut decided on an
    /// earlier read may have become a raise). Nothing is written when the
    /// subscription changed since it was read at `version`: the answer is
    /// `None` (read it again and decide again). The change's `prorated`
    /// adjustment is written with it (see [`Prorated`]).
    async fn set_subscription_seats(
        &self,
        id: &str,
        seats: i64,
        may_raise: bool,
        version: i64,
        event: Event,
        prorated: Option<Prorated>,
    ) -> StoreResult<Option<Subscription>>;

    /// Replaces the billing, term, pending change, status, end and options
    /// of `next.id` with `next`'s, and the terms of `licenses`, in one
    /// transaction, unless the subscription changed since it was read at
    /// `next.version`: then nothing is written and the answer is `None`
    /// (read it again and decide again). A renewal of the term ending on D
    /// therefore happens once however many callers race.
    async fn update_subscription(
        &self,
        next: &Subscription,
        licenses: &[LicenseRecord],
        event: Event,
        prorated: Option<Prorated>,
    ) -> StoreResult<Option<Subscription>>;
}
