//! The calendar of subscriptions: terms, invoices, renewals, notice periods
//! and notice lead times, computed from plain values.
//!
//! Nothing here reads a clock or a database: every function takes the dates
//! it works on ("as of", "today") and returns what follows from them, so the
//! store only persists what this module computes and the jobs only schedule
//! it. Business dates are calendar dates ([`NaiveDate`](chrono::NaiveDate))
//! in the back office's configured zone; [`ZonedDate`] turns one into the
//! unambiguous UTC instants ([`Timestamp`](licentia::Timestamp)) that are stored
//! and signed.
//!
//! Month arithmetic never drifts: every boundary of a subscription is counted
//! in whole months from its first day, its *anchor* ([`AnchoredSchedule`]),
//! so one started on the 31st renews on 31 January, 29 February, 31 March,
//! 30 April... and never settles on the 28th.
//!
//! ```
//! use chrono::NaiveDate;
//! use licentia_server::billing::{
//!     BillingInterval, BillingModel, Contract, NoticePeriod, RenewalOption, TermEnd,
//! };
//!
//! let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
//! let contract = Contract::new(
//!     day(2024, 1, 31),
//!     BillingModel::Prepaid1Year,
//!     BillingInterval::Quarterly,
//!     RenewalOption::SwitchToMonthly,
//! )?;
//! assert_eq!(contract.term().end(), day(2025, 1, 30));
//! assert_eq!(contract.next_invoice(day(2024, 2, 1))?, Some(day(2024, 4, 30)));
//!
//! let notice: NoticePeriod = "3 months before term end".parse()?;
//! let cancel = contract.cancellation(&notice, day(2024, 6, 1))?.unwrap();
//! assert_eq!(cancel.last_day_to_cancel, day(2024, 10, 30));
//! assert_eq!(cancel.ends_on, day(2025, 1, 30));
//!
//! let TermEnd::Renews(next) = contract.at_term_end()? else { unreachable!() };
//! assert_eq!(next.model(), BillingModel::Monthly);
//! assert_eq!((next.term().start(), next.term().end()), (day(2025, 1, 31), day(2025, 2, 27)));
//! # Ok::<(), licentia_server::billing::BillingError>(())
//! ```

mod calendar;
mod contract;
mod money;
mod notice;
mod options;
mod term;

use core::fmt;

pub use calendar::{add_months, last_day_of_month, AnchoredSchedule, Zone, ZonedDate};
pub use contract::{Contract, CycleChange, TermEnd};
pub use money::{
    check_amount, currency_digits, format_amount, line_amount, parse_amount, percent_bp,
    plain_amount, prorate, tax, Currency, Period, Price, MAX_AMOUNT, MAX_TAX_RATE_BP,
};
pub use notice::{
    due_notices, Cancellation, LeadTimes, NoticeBoundary, NoticeKey, NoticePeriod, NoticeUnit,
};
pub use options::{BillingInterval, BillingModel, RenewalOption};
pub use term::{InvoiceSchedule, Term};

/// Why a calendar computation was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BillingError {
    /// The name is not an IANA time zone this build knows.
    UnknownZone(String),
    /// A date or instant, given or computed, falls outside the years 1 to
    /// 9999 that the calendar handles.
    OutOfRange,
    /// A name that is not one of the values of `what`.
    UnknownName {
        /// What was being named ("billing model", ...).
        what: &'static str,
        /// The text given.
        text: String,
        /// The accepted names, comma-separated.
        expected: &'static str,
    },
    /// A notice period's text does not follow its grammar (see
    /// [`NoticePeriod`]).
    BadNotice {
        /// The text given.
        text: String,
        /// What is wrong, in words.
        reason: String,
    },
    /// Notice lead times that cannot be used (see [`LeadTimes`]).
    BadLeadTimes(String),
    /// A schedule stepping by zero months, or a term of zero months.
    ZeroMonths,
    /// A term whose length is not its model's.
    TermLength {
        /// The term's length.
        months: u32,
        /// The model, whose terms last [`BillingModel::term_months`].
        model: BillingModel,
    },
    /// A price that cannot be used: an unknown currency, a negative or too
    /// large amount, a tax rate above 100 %; or an amount too large to
    /// invoice.
    BadPrice(String),
    /// A billing interval longer than the term it bills.
    IntervalExceedsTerm {
        /// The interval asked for.
        interval: BillingInterval,
        /// The model whose term is shorter.
        model: BillingModel,
    },
}

impl fmt::Display for BillingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BillingError::UnknownZone(name) => write!(
                f,
                "'{name}' is not a known time zone: use an IANA name such as Europe/Berlin"
            ),
            BillingError::OutOfRange => f.write_str("the date falls outside the years 1 to 9999"),
            BillingError::UnknownName {
                what,
                text,
                expected,
            } => write!(f, "'{text}' is not a {what}: expected one of {expected}"),
            BillingError::BadNotice { text, reason } => {
                write!(f, "notice period '{text}': {reason}")
            }
            BillingError::BadLeadTimes(reason) => write!(f, "notice lead times: {reason}"),
            BillingError::BadPrice(reason) => f.write_str(reason),
            BillingError::ZeroMonths => f.write_str("a period must last at least one month"),
            BillingError::TermLength { months, model } => write!(
                f,
                "a term of {months} months does not fit the {model} model ({} months)",
                model.term_months()
            ),
            BillingError::IntervalExceedsTerm { interval, model } => write!(
                f,
                "a {interval} billing interval is longer than the term of a {model} subscription"
            ),
        }
    }
}

impl std::error::Error for BillingError {}

/// Shorthand for results of this module.
pub type Result<T> = core::result::Result<T, BillingError>;

/// Looks `text` up among `all` by `name`, for the `FromStr` of the small
/// named enums here.
fn from_name<T: Copy>(
    all: &[T],
    name: fn(T) -> &'static str,
    text: &str,
    what: &'static str,
    expected: &'static str,
) -> Result<T> {
    all.iter()
        .copied()
        .find(|v| name(*v) == text)
        .ok_or_else(|| BillingError::UnknownName {
            what,
            text: text.to_owned(),
            expected,
        })
}
