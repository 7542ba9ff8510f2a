//! Terms (a subscription's periods, counted from its anchor) and invoice
//! schedules.

use chrono::NaiveDate;

use super::calendar::{add_months, AnchoredSchedule};
use super::money::Period;
use super::options::BillingInterval;
use super::{BillingError, Result};

/// One term: `months` months starting `from_month` months after the
/// subscription's anchor (its first day). Its first and last days are
/// counted from the anchor, so terms of a subscription started on the 31st
/// keep starting on the 31st wherever the month has one.
///
/// The last day is inclusive: a term from 2024-01-31 for 12 months ends on
/// 2025-01-30, and the next starts on 2025-01-31.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Term {
    anchor: NaiveDate,
    from_month: u32,
    months: u32,
    start: NaiveDate,
    end: NaiveDate,
}

impl Term {
    /// The term of `months` months from `from_month` months after `anchor`
    /// (what the store persists); refused for zero months or out of range.
    pub fn new(anchor: NaiveDate, from_month: u32, months: u32) -> Result<Term> {
        if months == 0 {
            return Err(BillingError::ZeroMonths);
        }
        let until = from_month
            .checked_add(months)
            .ok_or(BillingError::OutOfRange)?;
        let start = add_months(anchor, i64::from(from_month))?;
        let end = add_months(anchor, i64::from(until))?
            .pred_opt()
            .ok_or(BillingError::OutOfRange)?;
        Ok(Term {
            anchor,
            from_month,
            months,
            start,
            end,
        })
    }

    /// The term of `months` months that starts the day after this one ends.
    pub fn following(&self, months: u32) -> Result<Term> {
        let from = self
            .from_month
            .checked_add(self.months)
            .ok_or(BillingError::OutOfRange)?;
        Term::new(self.anchor, from, months)
    }

    /// The subscription's first day, from which every boundary is counted.
    pub fn anchor(&self) -> NaiveDate {
        self.anchor
    }

    /// Months from the anchor to this term's first day.
    pub fn from_month(&self) -> u32 {
        self.from_month
    }

    /// The term's length in months.
    pub fn months(&self) -> u32 {
        self.months
    }

    /// The first day of the term.
    pub fn start(&self) -> NaiveDate {
        self.start
    }

    /// The last day of the term (inclusive).
    pub fn end(&self) -> NaiveDate {
        self.end
    }

    /// Whether `date` falls within the term.
    pub fn contains(&self, date: NaiveDate) -> bool {
        (self.start..=self.end).contains(&date)
    }
}

/// When invoices are issued: every interval, counted from the subscription's
/// anchor, from some month on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct InvoiceSchedule {
    interval: BillingInterval,
    pub(super) dates: AnchoredSchedule,
}

impl InvoiceSchedule {
    /// Invoices every `interval` from `from_month` months after `anchor`
    /// (what the store persists).
    pub fn new(
        anchor: NaiveDate,
        from_month: u32,
        interval: BillingInterval,
    ) -> Result<InvoiceSchedule> {
        Ok(InvoiceSchedule {
            interval,
            dates: AnchoredSchedule::new(anchor, from_month, interval.months())?,
        })
    }

    /// How often.
    pub fn interval(&self) -> BillingInterval {
        self.interval
    }

    /// Months from the anchor to the first invoice of this schedule.
    pub fn from_month(&self) -> u32 {
        self.dates.offset()
    }

    /// The first invoice date on or after `as_of` (an invoice due on
    /// `as_of` itself is still next).
    pub fn next_on_or_after(&self, as_of: NaiveDate) -> Result<NaiveDate> {
        self.dates.nth(self.dates.first_on_or_after(as_of)?)
    }

    /// The invoice dates from the first one on or after `from`, in order.
    pub fn dates_from(&self, from: NaiveDate) -> Result<impl Iterator<Item = NaiveDate>> {
        let dates = self.dates;
        let first = dates.first_on_or_after(from)?;
        Ok((first..).map_while(move |k| dates.nth(k).ok()))
    }

    /// The period the `k`-th invoice covers: from its date to the day
    /// before the next one.
    fn period(&self, k: u32) -> Result<Period> {
        let next = self
            .dates
            .nth(k + 1)?
            .pred_opt()
            .ok_or(BillingError::OutOfRange)?;
        Period::new(self.dates.nth(k)?, next)
    }

    /// The periods whose invoice dates fall from `from` to `to` (both
    /// inclusive), in order: what a run for `to` that last invoiced before
    /// `from` catches up on, one invoice per period.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use licentia_server::billing::{BillingInterval, InvoiceSchedule};
    /// let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    /// let quarterly = InvoiceSchedule::new(day(2027, 1, 31), 0, BillingInterval::Quarterly)?;
    /// let periods = quarterly.periods(day(2027, 1, 1), day(2027, 12, 31))?;
    /// let spans: Vec<_> = periods.iter().map(|p| (p.start(), p.end())).collect();
    /// assert_eq!(spans, [
    ///     (day(2027, 1, 31), day(2027, 4, 29)),
    ///     (day(2027, 4, 30), day(2027, 7, 30)),
    ///     (day(2027, 7, 31), day(2027, 10, 30)),
    ///     (day(2027, 10, 31), day(2028, 1, 30)),
    /// ]);
    /// # Ok::<(), licentia_server::billing::BillingError>(())
    /// ```
    pub fn periods(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<Period>> {
        let mut out = Vec::new();
        let mut k = self.dates.first_on_or_after(from)?;
        while self.dates.nth(k)? <= to {
            out.push(self.period(k)?);
            k = k.checked_add(1).ok_or(BillingError::OutOfRange)?;
        }
        Ok(out)
    }

    /// The period of this schedule that `day` falls in; `None` before the
    /// first invoice.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use licentia_server::billing::{BillingInterval, InvoiceSchedule};
    /// let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    /// let monthly = InvoiceSchedule::new(day(2028, 1, 31), 0, BillingInterval::Monthly)?;
    /// let feb = monthly.period_containing(day(2028, 3, 15))?.unwrap();
    /// assert_eq!((feb.start(), feb.end(), feb.days()), (day(2028, 2, 29), day(2028, 3, 30), 31));
    /// assert_eq!(monthly.period_containing(day(2028, 3, 31))?.unwrap().start(), day(2028, 3, 31));
    /// assert!(monthly.period_containing(day(2028, 1, 30))?.is_none());
    /// # Ok::<(), licentia_server::billing::BillingError>(())
    /// ```
    pub fn period_containing(&self, day: NaiveDate) -> Result<Option<Period>> {
        let k = self.dates.first_after(day)?;
        match k.checked_sub(1) {
            Some(k) => self.period(k).map(Some),
            None => Ok(None),
        }
    }
}
