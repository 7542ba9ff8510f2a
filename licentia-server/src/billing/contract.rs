//! Contracts: a subscription's billing during one term, what happens at the
//! term's end (renewals), changes of billing interval and cancellation.

use chrono::NaiveDate;

use super::notice::{calendar_ends, Cancellation, NoticePeriod};
use super::options::{BillingInterval, BillingModel, RenewalOption};
use super::term::{InvoiceSchedule, Term};
use super::{BillingError, Result};

/// A subscription's billing as it stands during one term: the term, the
/// model it was bought under, its invoices and what happens at the term's
/// end. Every value in it is what the store persists; every method computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Contract {
    term: Term,
    model: BillingModel,
    invoices: InvoiceSchedule,
    renewal: RenewalOption,
}

/// What [`Contract::at_term_end`] finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TermEnd {
    /// The subscription ends: `on` is its last day.
    Ends {
        /// The last day of the last term.
        on: NaiveDate,
    },
    /// It goes on under this contract, from the day after the term's end.
    Renews(Contract),
}

/// A change of billing interval, as [`Contract::change_interval`] plans it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CycleChange {
    /// The first invoice date of the new interval: the current cycle's next
    /// boundary.
    pub effective: NaiveDate,
    /// The contract once the change is made (its first new invoice is on
    /// `effective`).
    pub contract: Contract,
}

impl Contract {
    /// A new subscription from `start` (its anchor): the first term of
    /// `model`, invoiced every `interval` from `start`.
    pub fn new(
        start: NaiveDate,
        model: BillingModel,
        interval: BillingInterval,
        renewal: RenewalOption,
    ) -> Result<Contract> {
        Contract::from_parts(
            Term::new(start, 0, model.term_months())?,
            model,
            InvoiceSchedule::new(start, 0, interval)?,
            renewal,
        )
    }

    /// A contract from persisted parts. Refused when the term is not the
    /// model's length, or the interval is longer than the term (a monthly
    /// subscription is invoiced monthly).
    pub fn from_parts(
        term: Term,
        model: BillingModel,
        invoices: InvoiceSchedule,
        renewal: RenewalOption,
    ) -> Result<Contract> {
        if term.months() != model.term_months() {
            return Err(BillingError::TermLength {
                months: term.months(),
                model,
            });
        }
        if invoices.interval().months() > model.term_months() {
            return Err(BillingError::IntervalExceedsTerm {
                interval: invoices.interval(),
                model,
            });
        }
        Ok(Contract {
            term,
            model,
            invoices,
            renewal,
        })
    }

    /// The current term.
    pub fn term(&self) -> Term {
        self.term
    }

    /// The model of the current term.
    pub fn model(&self) -> BillingModel {
        self.model
    }

    /// The invoice schedule.
    pub fn invoices(&self) -> InvoiceSchedule {
        self.invoices
    }

    /// What happens when the current term ends.
    pub fn renewal(&self) -> RenewalOption {
        self.renewal
    }

    /// The next invoice date of the current term on or after `as_of`;
    /// `None` once the term has no more (the renewed contract, from
    /// [`at_term_end`](Contract::at_term_end), has the following ones).
    pub fn next_invoice(&self, as_of: NaiveDate) -> Result<Option<NaiveDate>> {
        let date = self.invoices.next_on_or_after(as_of)?;
        Ok((date <= self.term.end()).then_some(date))
    }

    /// What happens at the end of the current term, by renewal option:
    /// - `none`: it ends on the term's last day;
    /// - `once`: a next term of the same model, after which it ends
    ///   (its option becomes `none`);
    /// - `always`: a next term of the same model, and so on;
    /// - `switch_to_monthly`: a one-month term under the monthly model,
    ///   invoiced monthly from its first day, renewing `always`.
    ///
    /// Invoices of a renewed term keep their schedule, except on the switch
    /// to monthly.
    pub fn at_term_end(&self) -> Result<TermEnd> {
        let (model, renewal) = match self.renewal {
            RenewalOption::None => {
                return Ok(TermEnd::Ends {
                    on: self.term.end(),
                })
            }
            RenewalOption::Once => (self.model, RenewalOption::None),
            RenewalOption::Always => (self.model, RenewalOption::Always),
            RenewalOption::SwitchToMonthly => (BillingModel::Monthly, RenewalOption::Always),
        };
        let term = self.term.following(model.term_months())?;
        let invoices = if model == self.model {
            self.invoices
        } else {
            InvoiceSchedule::new(term.anchor(), term.from_month(), BillingInterval::Monthly)?
        };
        Contract::from_parts(term, model, invoices, renewal).map(TermEnd::Renews)
    }

    /// This contract, then each one its renewals bring, in order; the last
    /// is the one whose term ends the subscription (endless for `always`).
    /// A renewal that would leave the calendar's range is yielded as the
    /// error, and ends the sequence.
    pub fn renewals(&self) -> impl Iterator<Item = Result<Contract>> {
        core::iter::successors(Some(Ok(*self)), |c| match c {
            Ok(c) => match c.at_term_end() {
                Ok(TermEnd::Renews(next)) => Some(Ok(next)),
                Ok(TermEnd::Ends { .. }) => None,
                Err(e) => Some(Err(e)),
            },
            Err(_) => None,
        })
    }

    /// The renewals due by `day`: each contract after this one whose term
    /// has started on or before `day`, in order (empty while the current
    /// term runs, or once the subscription has ended). The daily job
    /// executes them and persists the last; run again the same day, it
    /// finds none.
    pub fn renewals_due(&self, day: NaiveDate) -> Result<Vec<Contract>> {
        let mut due = Vec::new();
        let mut current = *self;
        while current.term.end() < day {
            match current.at_term_end()? {
                TermEnd::Renews(next) => {
                    due.push(next);
                    current = next;
                }
                TermEnd::Ends { .. } => break,
            }
        }
        Ok(due)
    }

    /// The subscription's last day if it ends by itself (renewal `none` or
    /// `once`); `None` when it renews forever.
    pub fn final_end(&self) -> Result<Option<NaiveDate>> {
        match self.renewal {
            RenewalOption::Always | RenewalOption::SwitchToMonthly => Ok(None),
            RenewalOption::None | RenewalOption::Once => match self.at_term_end()? {
                TermEnd::Ends { on } => Ok(Some(on)),
                TermEnd::Renews(next) => next.final_end(),
            },
        }
    }

    /// Plans a change of billing interval asked for on `requested_on`: it
    /// takes effect at the current cycle's next boundary, the first invoice
    /// date strictly after `requested_on` (a request on an invoice day
    /// waits for the next one: that day's invoice is already due), and from
    /// there invoices follow the new interval, still counted from the
    /// anchor. Refused when the interval is longer than the term.
    pub fn change_interval(
        &self,
        interval: BillingInterval,
        requested_on: NaiveDate,
    ) -> Result<CycleChange> {
        let current = self.invoices.dates;
        let boundary = current.first_after(requested_on)?;
        let invoices =
            InvoiceSchedule::new(current.anchor(), current.months_to(boundary)?, interval)?;
        Ok(CycleChange {
            effective: current.nth(boundary)?,
            contract: Contract::from_parts(self.term, self.model, invoices, self.renewal)?,
        })
    }

    /// The last day to cancel under `notice`, and the end that cancelling
    /// by then gives, as of `as_of` (see [`NoticePeriod`] for the possible
    /// ends). `None` when no possible end can still be reached before the
    /// subscription ends by itself ([`final_end`](Contract::final_end)).
    pub fn cancellation(
        &self,
        notice: &NoticePeriod,
        as_of: NaiveDate,
    ) -> Result<Option<Cancellation>> {
        let from = as_of.max(self.term().start());
        let ends: Box<dyn Iterator<Item = Result<NaiveDate>>> =
            match notice.boundary().calendar_step() {
                None => Box::new(self.renewals().map(|c| c.map(|c| c.term().end()))),
                Some(step) => Box::new(calendar_ends(from, step)?),
            };
        let final_end = self.final_end()?;
        for end in ends {
            let end = end?;
            if final_end.is_some_and(|last| end > last) {
                return Ok(None);
            }
            if end < from {
                continue;
            }
            let last_day_to_cancel = notice.last_day_to_cancel(end)?;
            // Deadlines grow with the ends, so the first one not yet passed
            // is the answer.
            if last_day_to_cancel >= as_of {
                return Ok(Some(Cancellation {
                    last_day_to_cancel,
                    ends_on: end,
                }));
            }
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn contract(
        start: NaiveDate,
        model: BillingModel,
        interval: BillingInterval,
        renewal: RenewalOption,
    ) -> Contract {
        Contract::new(start, model, interval, renewal).unwrap()
    }

    fn renewed(c: &Contract) -> Contract {
        match c.at_term_end().unwrap() {
            TermEnd::Renews(next) => next,
            other => panic!("expected a renewal, got {other:?}"),
        }
    }

    #[test]
    fn terms_of_each_model() {
        let start = day(2024, 2, 29);
        for (model, end) in [
            (BillingModel::Monthly, day(2024, 3, 28)),
            (BillingModel::Prepaid1Year, day(2025, 2, 27)),
            (BillingModel::Prepaid3Years, day(2027, 2, 27)),
            (BillingModel::Prepaid5Years, day(2029, 2, 27)),
        ] {
            let c = contract(start, model, BillingInterval::Monthly, RenewalOption::None);
            assert_eq!((c.term().start(), c.term().end()), (start, end), "{model}");
            assert!(c.term().contains(end) && !c.term().contains(end.succ_opt().unwrap()));
        }
    }

    #[test]
    fn monthly_terms_started_on_the_31st_keep_the_31st() {
        let mut c = contract(
            day(2024, 1, 31),
            BillingModel::Monthly,
            BillingInterval::Monthly,
            RenewalOption::Always,
        );
        let mut starts = vec![c.term().start()];
        for _ in 0..4 {
            let next = renewed(&c);
            assert_eq!(next.term().start(), c.term().end().succ_opt().unwrap());
            c = next;
            starts.push(c.term().start());
        }
        assert_eq!(
            starts,
            [
                day(2024, 1, 31),
                day(2024, 2, 29),
                day(2024, 3, 31),
                day(2024, 4, 30),
                day(2024, 5, 31)
            ]
        );
    }

    #[test]
    fn each_renewal_option_at_term_end() {
        let start = day(2025, 3, 31);
        let base = |renewal| {
            contract(
                start,
                BillingModel::Prepaid1Year,
                BillingInterval::Quarterly,
                renewal,
            )
        };

        let none = base(RenewalOption::None);
        assert_eq!(
            none.at_term_end().unwrap(),
            TermEnd::Ends {
                on: day(2026, 3, 30)
            }
        );
        assert_eq!(none.final_end().unwrap(), Some(day(2026, 3, 30)));

        let once = renewed(&base(RenewalOption::Once));
        assert_eq!(once.model(), BillingModel::Prepaid1Year);
        assert_eq!(once.renewal(), RenewalOption::None);
        assert_eq!(
            (once.term().start(), once.term().end()),
            (day(2026, 3, 31), day(2027, 3, 30))
        );
        assert_eq!(
            once.at_term_end().unwrap(),
            TermEnd::Ends {
                on: day(2027, 3, 30)
            }
        );
        assert_eq!(
            base(RenewalOption::Once).final_end().unwrap(),
            Some(day(2027, 3, 30))
        );
        assert_eq!(base(RenewalOption::Once).renewals().count(), 2);

        let always = renewed(&renewed(&base(RenewalOption::Always)));
        assert_eq!(always.renewal(), RenewalOption::Always);
        assert_eq!(
            (always.term().start(), always.term().end()),
            (day(2027, 3, 31), day(2028, 3, 30))
        );
        assert_eq!(base(RenewalOption::Always).final_end().unwrap(), None);
        // Quarterly invoices carry on across the renewal.
        assert_eq!(
            always.next_invoice(day(2027, 4, 1)).unwrap(),
            Some(day(2027, 6, 30))
        );

        let switched = renewed(&base(RenewalOption::SwitchToMonthly));
        assert_eq!(switched.model(), BillingModel::Monthly);
        assert_eq!(switched.renewal(), RenewalOption::Always);
        assert_eq!(switched.invoices().interval(), BillingInterval::Monthly);
        assert_eq!(
            (switched.term().start(), switched.term().end()),
            (day(2026, 3, 31), day(2026, 4, 29))
        );
        assert_eq!(
            switched.next_invoice(day(2026, 3, 31)).unwrap(),
            Some(day(2026, 3, 31))
        );
        // The month's term ends on 29 April: the next invoice is the
        // renewed month's.
        assert_eq!(switched.next_invoice(day(2026, 4, 1)).unwrap(), None);
        assert_eq!(
            renewed(&switched).next_invoice(day(2026, 4, 1)).unwrap(),
            Some(day(2026, 4, 30))
        );
        let month_after = renewed(&switched);
        assert_eq!(month_after.term().start(), day(2026, 4, 30));
        assert_eq!(month_after.model(), BillingModel::Monthly);
    }

    #[test]
    fn renewals_due_by_a_day_and_none_the_second_time() {
        let c = contract(
            day(2024, 1, 31),
            BillingModel::Monthly,
            BillingInterval::Monthly,
            RenewalOption::Always,
        );
        assert_eq!(c.renewals_due(day(2024, 2, 28)).unwrap(), []);
        let due = c.renewals_due(day(2024, 4, 15)).unwrap();
        let starts: Vec<_> = due.iter().map(|c| c.term().start()).collect();
        assert_eq!(starts, [day(2024, 2, 29), day(2024, 3, 31)]);
        let current = due.last().unwrap();
        assert!(current.term().contains(day(2024, 4, 15)));
        assert_eq!(current.renewals_due(day(2024, 4, 15)).unwrap(), []);
        // `once` renews one time; after that nothing is ever due.
        let once = contract(
            day(2024, 1, 1),
            BillingModel::Prepaid1Year,
            BillingInterval::Yearly,
            RenewalOption::Once,
        );
        let due = once.renewals_due(day(2030, 1, 1)).unwrap();
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].term().end(), day(2025, 12, 31));
        // Leaving the calendar is an error: the second term would end
        // where the next one starts, 10000-01-01.
        let late = contract(
            day(9998, 1, 1),
            BillingModel::Prepaid1Year,
            BillingInterval::Yearly,
            RenewalOption::Always,
        );
        assert_eq!(late.renewals_due(day(9998, 12, 31)).unwrap(), []);
        assert_eq!(
            late.renewals_due(day(9999, 6, 1)),
            Err(BillingError::OutOfRange)
        );
    }

    #[test]
    fn next_invoice_by_interval() {
        let start = day(2024, 1, 31);
        let yearly = contract(
            start,
            BillingModel::Prepaid3Years,
            BillingInterval::Yearly,
            RenewalOption::None,
        );
        assert_eq!(yearly.next_invoice(day(2023, 12, 1)).unwrap(), Some(start));
        assert_eq!(yearly.next_invoice(start).unwrap(), Some(start));
        // The third year's invoice is the last of the term (to 2027-01-30).
        assert_eq!(
            yearly.next_invoice(day(2026, 1, 31)).unwrap(),
            Some(day(2026, 1, 31))
        );
        assert_eq!(yearly.next_invoice(day(2026, 2, 1)).unwrap(), None);
        assert_eq!(
            yearly.next_invoice(day(2024, 2, 1)).unwrap(),
            Some(day(2025, 1, 31))
        );
        let quarterly = contract(
            start,
            BillingModel::Prepaid1Year,
            BillingInterval::Quarterly,
            RenewalOption::None,
        );
        let dates: Vec<_> = quarterly
            .invoices()
            .dates_from(day(2024, 2, 1))
            .unwrap()
            .take(4)
            .collect();
        assert_eq!(
            dates,
            [
                day(2024, 4, 30),
                day(2024, 7, 31),
                day(2024, 10, 31),
                day(2025, 1, 31)
            ]
        );
    }

    #[test]
    fn an_interval_longer_than_the_term_is_refused() {
        let err = Contract::new(
            day(2025, 1, 1),
            BillingModel::Monthly,
            BillingInterval::Quarterly,
            RenewalOption::Always,
        )
        .unwrap_err();
        assert_eq!(
            err,
            BillingError::IntervalExceedsTerm {
                interval: BillingInterval::Quarterly,
                model: BillingModel::Monthly
            }
        );
        let monthly = contract(
            day(2025, 1, 1),
            BillingModel::Monthly,
            BillingInterval::Monthly,
            RenewalOption::Always,
        );
        assert!(monthly
            .change_interval(BillingInterval::Yearly, day(2025, 1, 10))
            .is_err());
        let wrong_term = Term::new(day(2025, 1, 1), 0, 3).unwrap();
        assert!(Contract::from_parts(
            wrong_term,
            BillingModel::Prepaid1Year,
            monthly.invoices(),
            RenewalOption::None
        )
        .is_err());
    }

    #[test]
    fn a_cycle_change_waits_for_the_next_boundary() {
        let c = contract(
            day(2026, 1, 31),
            BillingModel::Prepaid1Year,
            BillingInterval::Monthly,
            RenewalOption::Always,
        );
        // Mid-cycle: from the next monthly invoice, then every quarter on
        // the anchor's day.
        let change = c
            .change_interval(BillingInterval::Quarterly, day(2026, 3, 10))
            .unwrap();
        assert_eq!(change.effective, day(2026, 3, 31));
        // The old cycle still runs until then.
        assert_eq!(
            c.next_invoice(day(2026, 3, 10)).unwrap(),
            Some(day(2026, 3, 31))
        );
        let dates: Vec<_> = change
            .contract
            .invoices()
            .dates_from(day(2026, 3, 10))
            .unwrap()
            .take(4)
            .collect();
        assert_eq!(
            dates,
            [
                day(2026, 3, 31),
                day(2026, 6, 30),
                day(2026, 9, 30),
                day(2026, 12, 31)
            ]
        );
        assert_eq!(change.contract.invoices().from_month(), 2);
        // On a boundary day: that day's invoice is the old cycle's.
        let on_boundary = c
            .change_interval(BillingInterval::Quarterly, day(2026, 3, 31))
            .unwrap();
        assert_eq!(on_boundary.effective, day(2026, 4, 30));
        // Before the start: the first invoice is already the new cycle's.
        let early = c
            .change_interval(BillingInterval::Yearly, day(2025, 12, 1))
            .unwrap();
        assert_eq!(early.effective, day(2026, 1, 31));
    }

    fn notice(text: &str) -> NoticePeriod {
        text.parse().unwrap()
    }

    #[test]
    fn a_week_before_month_end_on_a_monthly_subscription() {
        let c = Contract::new(
            day(2024, 1, 15),
            BillingModel::Monthly,
            BillingInterval::Monthly,
            RenewalOption::Always,
        )
        .unwrap();
        let week = notice("1 week before month end");
        // The deadline day itself is allowed...
        let on_time = c.cancellation(&week, day(2024, 1, 24)).unwrap().unwrap();
        assert_eq!(on_time.ends_on, day(2024, 1, 31));
        assert_eq!(on_time.last_day_to_cancel, day(2024, 1, 24));
        // ...the next day is not: the end moves to the next month's end.
        let late = c.cancellation(&week, day(2024, 1, 25)).unwrap().unwrap();
        assert_eq!(late.ends_on, day(2024, 2, 29));
        assert_eq!(late.last_day_to_cancel, day(2024, 2, 22));
    }

    #[test]
    fn three_months_before_term_end_moves_to_the_next_term() {
        let c = Contract::new(
            day(2024, 1, 1),
            BillingModel::Prepaid1Year,
            BillingInterval::Yearly,
            RenewalOption::Always,
        )
        .unwrap();
        let n = notice("3 months before term end");
        let on_time = c.cancellation(&n, day(2024, 9, 30)).unwrap().unwrap();
        assert_eq!(
            on_time,
            Cancellation {
                last_day_to_cancel: day(2024, 9, 30),
                ends_on: day(2024, 12, 31)
            }
        );
        let late = c.cancellation(&n, day(2024, 10, 1)).unwrap().unwrap();
        assert_eq!(
            late,
            Cancellation {
                last_day_to_cancel: day(2025, 9, 30),
                ends_on: day(2025, 12, 31)
            }
        );
    }

    #[test]
    fn after_a_switch_to_monthly_the_next_end_is_a_month_away() {
        let c = Contract::new(
            day(2024, 1, 31),
            BillingModel::Prepaid1Year,
            BillingInterval::Monthly,
            RenewalOption::SwitchToMonthly,
        )
        .unwrap();
        let n = notice("30 days before term end");
        // The year ends 2025-01-30; its deadline is 2024-12-31.
        let late = c.cancellation(&n, day(2025, 1, 1)).unwrap().unwrap();
        // The first monthly term runs 2025-01-31..=2025-02-27.
        assert_eq!(late.ends_on, day(2025, 2, 27));
        assert_eq!(late.last_day_to_cancel, day(2025, 1, 28));
    }

    #[test]
    fn no_cancellation_past_the_final_deadline_of_a_subscription_that_ends() {
        let c = Contract::new(
            day(2024, 1, 1),
            BillingModel::Prepaid1Year,
            BillingInterval::Yearly,
            RenewalOption::Once,
        )
        .unwrap();
        let n = notice("3 months before term end");
        assert_eq!(
            c.cancellation(&n, day(2025, 9, 30))
                .unwrap()
                .unwrap()
                .ends_on,
            day(2025, 12, 31)
        );
        assert_eq!(c.cancellation(&n, day(2025, 10, 1)).unwrap(), None);
        // Quarter ends after the final end are not offered either.
        let q = notice("1 month before quarter end");
        let last = c.cancellation(&q, day(2025, 11, 30)).unwrap().unwrap();
        assert_eq!(last.ends_on, day(2025, 12, 31));
        assert_eq!(c.cancellation(&q, day(2025, 12, 1)).unwrap(), None);
    }

    #[test]
    fn running_off_the_calendar_is_an_error_not_a_missing_end() {
        let c = Contract::new(
            day(9998, 1, 1),
            BillingModel::Prepaid1Year,
            BillingInterval::Yearly,
            RenewalOption::Always,
        )
        .unwrap();
        let n = notice("3 months before term end");
        assert_eq!(
            c.cancellation(&n, day(9999, 10, 1)),
            Err(BillingError::OutOfRange)
        );
        let m = notice("1 week before month end");
        assert_eq!(
            c.cancellation(&m, day(9999, 12, 25)),
            Err(BillingError::OutOfRange)
        );
    }

    #[test]
    fn quarter_and_year_ends_are_calendar_ones() {
        let c = Contract::new(
            day(2024, 2, 10),
            BillingModel::Prepaid3Years,
            BillingInterval::Quarterly,
            RenewalOption::Always,
        )
        .unwrap();
        let q = notice("1 month before quarter end");
        let got = c.cancellation(&q, day(2024, 2, 29)).unwrap().unwrap();
        assert_eq!(got.ends_on, day(2024, 3, 31));
        assert_eq!(got.last_day_to_cancel, day(2024, 2, 29));
        let got = c.cancellation(&q, day(2024, 3, 1)).unwrap().unwrap();
        assert_eq!(got.ends_on, day(2024, 6, 30));
        let y = notice("2 weeks before year end");
        let got = c.cancellation(&y, day(2024, 12, 18)).unwrap().unwrap();
        assert_eq!(got.ends_on, day(2025, 12, 31));
        // A contract not started yet offers no end before its start.
        let got = c.cancellation(&q, day(2023, 6, 1)).unwrap().unwrap();
        assert_eq!(got.ends_on, day(2024, 3, 31));
    }
}
