//! Notice periods (when a subscription can still be cancelled) and notice
//! lead times (when to remind someone of an end).

use core::fmt;
use core::str::FromStr;

use chrono::{Datelike, Days, NaiveDate};

use super::calendar::{add_months, in_range, last_day_of_month};
use super::{BillingError, Result};

/// The unit a notice period counts in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NoticeUnit {
    /// Calendar days.
    Day,
    /// Seven days.
    Week,
    /// Calendar months (clamped to month end, as [`add_months`]).
    Month,
}

impl NoticeUnit {
    fn word(self, plural: bool) -> &'static str {
        match (self, plural) {
            (NoticeUnit::Day, false) => "day",
            (NoticeUnit::Day, true) => "days",
            (NoticeUnit::Week, false) => "week",
            (NoticeUnit::Week, true) => "weeks",
            (NoticeUnit::Month, false) => "month",
            (NoticeUnit::Month, true) => "months",
        }
    }
}

/// The ends a notice period counts back from: the dates on which a
/// subscription may end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NoticeBoundary {
    /// The last day of any calendar month.
    MonthEnd,
    /// The last day of a calendar quarter (31 March, 30 June, 30 September,
    /// 31 December).
    QuarterEnd,
    /// 31 December.
    YearEnd,
    /// The last day of a term of the subscription (of the current one, or of
    /// one its renewals bring).
    TermEnd,
}

impl NoticeBoundary {
    const ALL: [NoticeBoundary; 4] = [
        NoticeBoundary::MonthEnd,
        NoticeBoundary::QuarterEnd,
        NoticeBoundary::YearEnd,
        NoticeBoundary::TermEnd,
    ];

    fn word(self) -> &'static str {
        match self {
            NoticeBoundary::MonthEnd => "month",
            NoticeBoundary::QuarterEnd => "quarter",
            NoticeBoundary::YearEnd => "year",
            NoticeBoundary::TermEnd => "term",
        }
    }

    /// Months between two calendar ends of this kind (`None` for terms).
    pub(super) fn calendar_step(self) -> Option<u32> {
        match self {
            NoticeBoundary::MonthEnd => Some(1),
            NoticeBoundary::QuarterEnd => Some(3),
            NoticeBoundary::YearEnd => Some(12),
            NoticeBoundary::TermEnd => None,
        }
    }
}

/// A notice period: how long before a possible end a subscription must be
/// cancelled to end there, such as `1 week before month end` or `3 months
/// before term end`.
///
/// Its text form, parsed strictly and written back identically:
///
/// ```text
/// notice   = amount " " unit " before " boundary " end"
/// amount   = a whole number from 1 to 999, no sign, no leading zero
/// unit     = "day" / "week" / "month"        (amount 1)
///          / "days" / "weeks" / "months"     (any other amount)
/// boundary = "month" / "quarter" / "year" / "term"
/// ```
///
/// Lower case, single spaces, nothing before or after. Month, quarter and
/// year ends are calendar ones (the "to the end of a month" clause: the
/// subscription may end on any of them); term ends are its terms' last days.
///
/// The notice counts back from the instant the subscription would end (the
/// start of the day after its last day): to end on 31 January with one
/// week's notice, cancel by 24 January; to end on 31 December with three
/// months' notice, by 30 September.
///
/// ```
/// use chrono::NaiveDate;
/// use licentia_server::billing::NoticePeriod;
/// let notice: NoticePeriod = "1 week before month end".parse()?;
/// assert_eq!(notice.to_string(), "1 week before month end");
/// let end = NaiveDate::from_ymd_opt(2027, 1, 31).unwrap();
/// assert_eq!(notice.last_day_to_cancel(end)?, NaiveDate::from_ymd_opt(2027, 1, 24).unwrap());
/// assert!("1 weeks before month end".parse::<NoticePeriod>().is_err());
/// # Ok::<(), licentia_server::billing::BillingError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NoticePeriod {
    amount: u32,
    unit: NoticeUnit,
    boundary: NoticeBoundary,
}

/// The last day to cancel, and the end it gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Cancellation {
    /// Cancelling on this day or before ends the subscription on
    /// `ends_on`; the day after is too late.
    pub last_day_to_cancel: NaiveDate,
    /// The subscription's last day when cancelled in time.
    pub ends_on: NaiveDate,
}

impl NoticePeriod {
    /// The largest amount a notice period may have.
    pub const MAX_AMOUNT: u32 = 999;

    /// `amount` units before each `boundary`; refused unless `amount` is
    /// from 1 to [`MAX_AMOUNT`](NoticePeriod::MAX_AMOUNT).
    pub fn new(amount: u32, unit: NoticeUnit, boundary: NoticeBoundary) -> Result<NoticePeriod> {
        let period = NoticePeriod {
            amount,
            unit,
            boundary,
        };
        if (1..=Self::MAX_AMOUNT).contains(&amount) {
            Ok(period)
        } else {
            Err(BillingError::BadNotice {
                text: period.to_string(),
                reason: format!("the amount must be from 1 to {}", Self::MAX_AMOUNT),
            })
        }
    }

    /// How many units.
    pub fn amount(&self) -> u32 {
        self.amount
    }

    /// The unit.
    pub fn unit(&self) -> NoticeUnit {
        self.unit
    }

    /// The ends it counts back from.
    pub fn boundary(&self) -> NoticeBoundary {
        self.boundary
    }

    /// The last day on which cancelling still ends the subscription on
    /// `end` (its last day). Never after `end`.
    pub fn last_day_to_cancel(&self, end: NaiveDate) -> Result<NaiveDate> {
        let out = || BillingError::OutOfRange;
        let after_end = end.succ_opt().ok_or_else(out)?;
        let notice_starts = match self.unit {
            NoticeUnit::Day => after_end.checked_sub_days(Days::new(u64::from(self.amount))),
            NoticeUnit::Week => after_end.checked_sub_days(Days::new(7 * u64::from(self.amount))),
            NoticeUnit::Month => Some(add_months(after_end, -i64::from(self.amount))?),
        };
        in_range(notice_starts.and_then(|d| d.pred_opt()).ok_or_else(out)?)
    }
}

/// Calendar month, quarter or year ends (`step` 1, 3 or 12 months) from the
/// one on or after `from`.
pub(super) fn calendar_ends(
    from: NaiveDate,
    step: u32,
) -> Result<impl Iterator<Item = Result<NaiveDate>>> {
    // Quarters and years end in a month divisible by the step.
    let month0 = from.month0();
    let first_end_month = month0 - month0 % step + step - 1;
    let base = from
        .with_day(1)
        .and_then(|d| d.with_month0(first_end_month))
        .ok_or(BillingError::OutOfRange)?;
    Ok((0u32..).map(move |k| {
        let months = k.checked_mul(step).ok_or(BillingError::OutOfRange)?;
        add_months(base, i64::from(months)).map(last_day_of_month)
    }))
}

impl FromStr for NoticePeriod {
    type Err = BillingError;

    /// Parses the text form (see the type's grammar).
    fn from_str(text: &str) -> Result<NoticePeriod> {
        let bad = |reason: String| BillingError::BadNotice {
            text: text.to_owned(),
            reason,
        };
        if text.trim() != text || text.contains("  ") {
            return Err(bad(
                "write the words with single spaces, nothing before or after".into(),
            ));
        }
        let words: Vec<&str> = text.split(' ').collect();
        let [amount, unit, before, boundary, end] = words[..] else {
            return Err(bad(format!(
                "expected five words such as '1 week before month end', found {}",
                words.len()
            )));
        };
        let amount = parse_amount(amount).ok_or_else(|| {
            bad(format!(
                "'{amount}' is not a whole number from 1 to {}",
                NoticePeriod::MAX_AMOUNT
            ))
        })?;
        let plural = amount != 1;
        let unit = [NoticeUnit::Day, NoticeUnit::Week, NoticeUnit::Month]
            .into_iter()
            .find(|u| u.word(false) == unit || u.word(true) == unit)
            .ok_or_else(|| {
                bad(format!(
                    "unknown unit '{unit}': expected day(s), week(s) or month(s)"
                ))
            })
            .and_then(|u| {
                if u.word(plural) == unit {
                    Ok(u)
                } else {
                    Err(bad(format!("write '{amount} {}'", u.word(plural))))
                }
            })?;
        if before != "before" {
            return Err(bad(format!(
                "expected 'before' after the unit, found '{before}'"
            )));
        }
        let boundary = NoticeBoundary::ALL
            .into_iter()
            .find(|b| b.word() == boundary)
            .ok_or_else(|| {
                bad(format!(
                    "unknown boundary '{boundary}': expected month, quarter, year or term"
                ))
            })?;
        if end != "end" {
            return Err(bad(format!(
                "expected 'end' after '{}', found '{end}'",
                boundary.word()
            )));
        }
        NoticePeriod::new(amount, unit, boundary)
    }
}

/// A canonical amount: digits only, no leading zero, within bounds.
fn parse_amount(word: &str) -> Option<u32> {
    let canonical = !word.is_empty()
        && word.len() <= 3
        && word.bytes().all(|b| b.is_ascii_digit())
        && !word.starts_with('0');
    canonical.then(|| word.parse().ok()).flatten()
}

impl fmt::Display for NoticePeriod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} before {} end",
            self.amount,
            self.unit.word(self.amount != 1),
            self.boundary.word()
        )
    }
}

/// How many days before an end reminders go out (e.g. 90, 30 and 7): each
/// a whole number of days up to [`MAX_DAYS`](LeadTimes::MAX_DAYS), distinct,
/// kept longest first. Text form: the numbers joined by commas, `90,30,7`.
///
/// ```
/// use licentia_server::billing::LeadTimes;
/// let leads: LeadTimes = "7,90,30".parse()?;
/// assert_eq!(leads.days(), [90, 30, 7]);
/// assert_eq!(leads.to_string(), "90,30,7");
/// # Ok::<(), licentia_server::billing::BillingError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LeadTimes(Vec<u32>);

impl LeadTimes {
    /// The longest lead time: about ten years.
    pub const MAX_DAYS: u32 = 3660;

    /// Lead times from day counts in any order; refused when empty, when
    /// one repeats or is longer than [`MAX_DAYS`](LeadTimes::MAX_DAYS).
    pub fn new(days: impl IntoIterator<Item = u32>) -> Result<LeadTimes> {
        let mut days: Vec<u32> = days.into_iter().collect();
        if days.is_empty() {
            return Err(BillingError::BadLeadTimes("give at least one".into()));
        }
        if let Some(&long) = days.iter().find(|&&d| d > Self::MAX_DAYS) {
            return Err(BillingError::BadLeadTimes(format!(
                "{long} days is longer than {} days",
                Self::MAX_DAYS
            )));
        }
        days.sort_unstable_by(|a, b| b.cmp(a));
        if let Some(pair) = days.windows(2).find(|w| w[0] == w[1]) {
            return Err(BillingError::BadLeadTimes(format!(
                "{} days is given twice",
                pair[0]
            )));
        }
        Ok(LeadTimes(days))
    }

    /// The day counts, longest first.
    pub fn days(&self) -> &[u32] {
        &self.0
    }

    /// The lead times whose notice about `end` is due on `day`: those with
    /// `end - lead <= day <= end`, longest first. Past the end nothing is
    /// due any more; a day that catches up on missed runs gets every lead
    /// time already reached, and the caller's record of what was sent keeps
    /// each from going out twice.
    pub fn due(&self, end: NaiveDate, day: NaiveDate) -> impl Iterator<Item = u32> + '_ {
        self.0.iter().copied().filter(move |&lead| {
            day <= end
                && end
                    .checked_sub_days(Days::new(u64::from(lead)))
                    .is_none_or(|first_day| first_day <= day)
        })
    }
}

impl FromStr for LeadTimes {
    type Err = BillingError;

    /// Parses day counts joined by commas (`90,30,7`), digits only.
    fn from_str(text: &str) -> Result<LeadTimes> {
        let days = text
            .split(',')
            .map(|word| {
                word.bytes()
                    .all(|b| b.is_ascii_digit())
                    .then(|| word.parse::<u32>().ok())
                    .flatten()
                    .ok_or_else(|| {
                        BillingError::BadLeadTimes(format!(
                            "'{word}' is not a number of days (write them like 90,30,7)"
                        ))
                    })
            })
            .collect::<Result<Vec<u32>>>()?;
        LeadTimes::new(days)
    }
}

impl fmt::Display for LeadTimes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, days) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{days}")?;
        }
        Ok(())
    }
}

/// Identifies one notice: what it is about, which kind, which lead time and
/// which end. The daily job sends a notice once per key, so running it again
/// on the same day (or catching up later) sends nothing twice.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NoticeKey<S, K> {
    /// What the notice is about (a subscription or license id).
    pub subject: S,
    /// The kind of notice (expiry, renewal, cancellation deadline...).
    pub kind: K,
    /// Days before the end.
    pub lead_days: u32,
    /// The end date it announces.
    pub end: NaiveDate,
}

/// The keys of the notices about `subject`'s `end` that are due on `day`
/// (see [`LeadTimes::due`]); the caller drops the keys already sent.
///
/// ```
/// use chrono::NaiveDate;
/// use licentia_server::billing::{due_notices, LeadTimes};
/// let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
/// let leads: LeadTimes = "90,30,7".parse()?;
/// let end = day(2027, 3, 31);
/// let due = due_notices(&"sub-1", &"expiry", end, &leads, day(2027, 3, 1));
/// assert_eq!(due.iter().map(|k| k.lead_days).collect::<Vec<_>>(), [90, 30]);
/// # Ok::<(), licentia_server::billing::BillingError>(())
/// ```
pub fn due_notices<S: Clone, K: Clone>(
    subject: &S,
    kind: &K,
    end: NaiveDate,
    leads: &LeadTimes,
    day: NaiveDate,
) -> Vec<NoticeKey<S, K>> {
    leads
        .due(end, day)
        .map(|lead_days| NoticeKey {
            subject: subject.clone(),
            kind: kind.clone(),
            lead_days,
            end,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn notice(text: &str) -> NoticePeriod {
        text.parse().unwrap()
    }

    fn reason(text: &str) -> String {
        match text.parse::<NoticePeriod>() {
            Err(BillingError::BadNotice { reason, .. }) => reason,
            other => panic!("{text:?} gave {other:?}"),
        }
    }

    #[test]
    fn the_text_form_round_trips() {
        for text in [
            "1 week before month end",
            "3 months before term end",
            "30 days before term end",
            "1 month before quarter end",
            "2 weeks before year end",
            "1 day before month end",
            "999 days before term end",
        ] {
            assert_eq!(notice(text).to_string(), text);
        }
        let n = notice("3 months before term end");
        assert_eq!(
            (n.amount(), n.unit(), n.boundary()),
            (3, NoticeUnit::Month, NoticeBoundary::TermEnd)
        );
    }

    #[test]
    fn parsing_is_strict_and_says_why() {
        assert_eq!(reason("1 weeks before month end"), "write '1 week'");
        assert_eq!(reason("3 month before term end"), "write '3 months'");
        assert!(reason("0 days before term end").contains("from 1 to 999"));
        assert!(reason("03 days before term end").contains("whole number"));
        assert!(reason("+3 days before term end").contains("whole number"));
        assert!(reason("1000 days before term end").contains("whole number"));
        assert!(reason("three days before term end").contains("whole number"));
        assert!(reason("2 fortnights before term end").contains("unknown unit"));
        assert!(reason("2 weeks prior to term end").contains("five words"));
        assert!(reason("2 weeks after term end").contains("'before'"));
        assert!(reason("2 weeks before decade end").contains("unknown boundary"));
        assert!(reason("2 weeks before term start").contains("'end'"));
        assert!(reason(" 1 week before month end").contains("single spaces"));
        assert!(reason("1 week before month end ").contains("single spaces"));
        assert!(reason("1 week  before month end").contains("single spaces"));
        assert!(reason("1 Week before month end").contains("unknown unit"));
        assert!(reason("").contains("five words"));
        let err = "2 weeks after term end"
            .parse::<NoticePeriod>()
            .unwrap_err();
        assert!(err
            .to_string()
            .starts_with("notice period '2 weeks after term end': "));
        assert!(NoticePeriod::new(1000, NoticeUnit::Day, NoticeBoundary::TermEnd).is_err());
    }

    #[test]
    fn deadlines_count_back_from_the_end_instant() {
        // (notice, last day of the term, last day to cancel)
        let cases = [
            ("1 week before month end", "2027-01-31", "2027-01-24"),
            ("1 week before month end", "2024-02-29", "2024-02-22"),
            ("3 months before term end", "2026-12-31", "2026-09-30"),
            // Ending 28 Feb 2025 = ending at 1 March: three months before is
            // 1 December, so 30 November is the last day.
            ("3 months before term end", "2025-02-28", "2024-11-30"),
            // Ending 30 May = ending at 31 May: 28/29 February is the start.
            ("3 months before term end", "2024-05-30", "2024-02-28"),
            ("30 days before term end", "2026-12-31", "2026-12-01"),
            ("1 day before term end", "2026-01-01", "2025-12-31"),
        ];
        for (text, last_day, expected) in cases {
            let last_day: NaiveDate = last_day.parse().unwrap();
            assert_eq!(
                notice(text).last_day_to_cancel(last_day),
                Ok(expected.parse().unwrap()),
                "{text}, ending {last_day}"
            );
        }
        assert_eq!(
            notice("30 days before term end").last_day_to_cancel(day(1, 1, 2)),
            Err(BillingError::OutOfRange)
        );
    }

    #[test]
    fn lead_times_are_checked_and_due_from_end_minus_lead_to_end() {
        assert!("".parse::<LeadTimes>().is_err());
        assert!("90,,7".parse::<LeadTimes>().is_err());
        assert!("90, 7".parse::<LeadTimes>().is_err());
        assert!("-7".parse::<LeadTimes>().is_err());
        assert!(matches!(
            "30,30".parse::<LeadTimes>(),
            Err(BillingError::BadLeadTimes(r)) if r.contains("twice")
        ));
        assert!("3661".parse::<LeadTimes>().is_err());
        assert!(LeadTimes::new([]).is_err());
        let leads = LeadTimes::new([7, 90, 30, 0]).unwrap();
        assert_eq!(leads.days(), [90, 30, 7, 0]);
        let end = day(2027, 3, 31);
        let due = |d| leads.due(end, d).collect::<Vec<_>>();
        assert_eq!(due(day(2026, 12, 30)), Vec::<u32>::new());
        assert_eq!(due(day(2026, 12, 31)), [90]);
        assert_eq!(due(day(2027, 3, 1)), [90, 30]);
        assert_eq!(due(day(2027, 3, 24)), [90, 30, 7]);
        assert_eq!(due(end), [90, 30, 7, 0]);
        assert_eq!(due(day(2027, 4, 1)), Vec::<u32>::new());
    }

    #[test]
    fn notice_keys_name_subject_kind_lead_and_end() {
        let leads = LeadTimes::new([30, 7]).unwrap();
        let end = day(2027, 3, 31);
        let keys = due_notices(&42u64, &"expiry", end, &leads, day(2027, 3, 25));
        assert_eq!(
            keys,
            [
                NoticeKey {
                    subject: 42,
                    kind: "expiry",
                    lead_days: 30,
                    end
                },
                NoticeKey {
                    subject: 42,
                    kind: "expiry",
                    lead_days: 7,
                    end
                },
            ]
        );
    }
}
