//! Calendar dates in a zone, and month arithmetic that keeps its anchor.

use core::fmt;
use core::str::FromStr;

use chrono::{
    DateTime, Datelike, LocalResult, Months, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone,
};
use chrono_tz::Tz;

use super::{BillingError, Result};
use licentia::Timestamp;

/// The first date the calendar handles.
fn min_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(1, 1, 1).expect("1-01-01 is a date")
}

/// The last date the calendar handles.
fn max_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(9999, 12, 31).expect("9999-12-31 is a date")
}

/// Refuses dates outside years 1..=9999, so that a day more, a zone's
/// offset or a few months never leave chrono's range.
pub(super) fn in_range(date: NaiveDate) -> Result<NaiveDate> {
    if (min_date()..=max_date()).contains(&date) {
        Ok(date)
    } else {
        Err(BillingError::OutOfRange)
    }
}

/// A time zone from the IANA database (`Europe/Berlin`, `Pacific/Auckland`,
/// `UTC`...), the zone in which the back office's calendar dates are read.
///
/// ```
/// use licentia_server::billing::Zone;
/// let zone: Zone = "Europe/Berlin".parse()?;
/// assert_eq!(zone.to_string(), "Europe/Berlin");
/// assert!("Europe/Atlantis".parse::<Zone>().is_err());
/// # Ok::<(), licentia_server::billing::BillingError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Zone(Tz);

impl Zone {
    /// Coordinated Universal Time.
    pub const UTC: Zone = Zone(Tz::UTC);

    /// The zone's IANA name, as parsed.
    pub fn name(&self) -> &'static str {
        self.0.name()
    }

    /// Seconds east of UTC in effect at the instant `secs` (always a real
    /// instant here: dates are kept to years 1 to 9999).
    fn offset_at(&self, secs: i64) -> i64 {
        DateTime::from_timestamp(secs, 0).map_or(0, |t| {
            i64::from(
                self.0
                    .offset_from_utc_datetime(&t.naive_utc())
                    .fix()
                    .local_minus_utc(),
            )
        })
    }

    /// The wall-clock time at the instant `secs`.
    fn wall_clock(&self, secs: i64) -> Option<NaiveDateTime> {
        DateTime::from_timestamp(secs, 0).map(|t| t.with_timezone(&self.0).naive_local())
    }

    /// The first instant at which the wall clock reads `date` or later.
    fn first_instant(&self, date: NaiveDate) -> i64 {
        let midnight = date.and_time(NaiveTime::MIN);
        match self.0.from_local_datetime(&midnight) {
            LocalResult::Single(t) => t.timestamp(),
            LocalResult::Ambiguous(a, b) => a.timestamp().min(b.timestamp()),
            LocalResult::None => {
                // Midnight falls in a gap: the clock jumps from offset o1 to
                // o2 > o1 at an instant τ with τ+o1 <= midnight < τ+o2, so
                // τ lies in (x-o2, x-o1] where x is midnight read as UTC.
                // The offsets at x and at x minus that offset are o1 and o2
                // in some order; search that window for τ to the second.
                let x = midnight.and_utc().timestamp();
                let p = self.offset_at(x);
                let q = self.offset_at(x - p);
                let (mut before, mut after) = (x - p.max(q), x - p.min(q));
                while after - before > 1 {
                    let mid = before + (after - before) / 2;
                    if self.wall_clock(mid).is_some_and(|w| w >= midnight) {
                        after = mid;
                    } else {
                        before = mid;
                    }
                }
                after
            }
        }
    }
}

impl FromStr for Zone {
    type Err = BillingError;

    /// Parses an IANA zone name, exactly as the database spells it.
    fn from_str(name: &str) -> Result<Zone> {
        name.parse::<Tz>()
            .map(Zone)
            .map_err(|_| BillingError::UnknownZone(name.to_owned()))
    }
}

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A calendar date in a zone: the whole day `date` as the zone's wall clock
/// shows it, stored as the UTC instants where it starts and ends.
///
/// A day runs from its [`start`](ZonedDate::start) (inclusive) to its
/// [`end`](ZonedDate::end) (exclusive, the next day's start), so "expires on
/// 2027-03-31 in Europe/Berlin" is the first instant of 2027-04-01 there.
///
/// **Daylight-saving time**, decided once for every zone: a day starts at
/// the *first* instant at which the wall clock reads that date or later.
/// - Midnight repeated (clocks fall back across it): the earlier midnight.
///   An hour of the previous date that the clock shows again after it
///   belongs to the new day, so days never overlap.
/// - Midnight skipped (clocks spring forward over it, as in Chile or, in the
///   past, Brazil): the instant of the jump, the first one the clock shows
///   on the new date.
/// - A date skipped entirely (Pacific/Apia, 2011-12-30): an empty day whose
///   start and end are both the next day's start.
///
/// Days therefore tile time without gaps or overlaps, and
/// [`of_instant`](ZonedDate::of_instant) is their exact inverse.
///
/// ```
/// use chrono::NaiveDate;
/// use licentia_server::billing::{Zone, ZonedDate};
/// use licentia::Timestamp;
///
/// let berlin: Zone = "Europe/Berlin".parse()?;
/// let expiry = ZonedDate::new(NaiveDate::from_ymd_opt(2027, 3, 31).unwrap(), berlin)?;
/// // Summer time: 2027-04-01T00:00+02:00.
/// assert_eq!(expiry.end(), Timestamp::parse("2027-03-31T22:00:00Z").unwrap());
/// assert_eq!(ZonedDate::of_instant(expiry.end(), berlin)?.date().to_string(), "2027-04-01");
/// # Ok::<(), licentia_server::billing::BillingError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ZonedDate {
    date: NaiveDate,
    zone: Zone,
}

impl ZonedDate {
    /// The date `date` in `zone`; refused outside the years 1 to 9999.
    pub fn new(date: NaiveDate, zone: Zone) -> Result<ZonedDate> {
        Ok(ZonedDate {
            date: in_range(date)?,
            zone,
        })
    }

    /// The date whose day contains the instant `at` in `zone`.
    pub fn of_instant(at: Timestamp, zone: Zone) -> Result<ZonedDate> {
        let date = zone
            .wall_clock(at.0)
            .map(|w| w.date())
            .ok_or(BillingError::OutOfRange)?;
        let day = ZonedDate::new(date, zone)?;
        // Only after a fall-back across midnight does the clock show the
        // previous date again, inside the new day.
        match day.next() {
            Some(next) if at >= next.start() => Ok(next),
            _ => Ok(day),
        }
    }

    /// The calendar date.
    pub fn date(&self) -> NaiveDate {
        self.date
    }

    /// The zone it is read in.
    pub fn zone(&self) -> Zone {
        self.zone
    }

    /// The first instant of the day (see the type's notes on DST).
    pub fn start(&self) -> Timestamp {
        Timestamp(self.zone.first_instant(self.date))
    }

    /// The first instant after the day: the next day's start. An expiry "on"
    /// this date is stored as this instant.
    pub fn end(&self) -> Timestamp {
        Timestamp(
            self.zone
                .first_instant(self.date.succ_opt().expect("in_range leaves a next day")),
        )
    }

    /// The next day, while it is within range.
    fn next(&self) -> Option<ZonedDate> {
        self.date
            .succ_opt()
            .and_then(|d| ZonedDate::new(d, self.zone).ok())
    }
}

/// `date` plus `months` calendar months (minus, when negative), clamped to
/// the last day of the month reached: 31 January + 1 month is 28 or 29
/// February, 29 February 2024 + 12 months is 28 February 2025.
///
/// Clamping loses the day: chain [`AnchoredSchedule`] dates from their
/// anchor rather than adding one month at a time.
///
/// ```
/// use chrono::NaiveDate;
/// use licentia_server::billing::add_months;
/// let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
/// assert_eq!(add_months(day(2025, 1, 31), 1)?, day(2025, 2, 28));
/// assert_eq!(add_months(day(2024, 1, 31), 1)?, day(2024, 2, 29));
/// assert_eq!(add_months(day(2024, 3, 31), -1)?, day(2024, 2, 29));
/// # Ok::<(), licentia_server::billing::BillingError>(())
/// ```
pub fn add_months(date: NaiveDate, months: i64) -> Result<NaiveDate> {
    let step = u32::try_from(months.unsigned_abs()).map_err(|_| BillingError::OutOfRange)?;
    let moved = if months >= 0 {
        date.checked_add_months(Months::new(step))
    } else {
        date.checked_sub_months(Months::new(step))
    };
    in_range(moved.ok_or(BillingError::OutOfRange)?)
}

/// The last day of `date`'s month (29 February in a leap year; 2100 is not
/// one, 2000 was).
///
/// ```
/// use chrono::NaiveDate;
/// use licentia_server::billing::last_day_of_month;
/// let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
/// assert_eq!(last_day_of_month(day(2100, 2, 1)), day(2100, 2, 28));
/// assert_eq!(last_day_of_month(day(2000, 2, 1)), day(2000, 2, 29));
/// ```
pub fn last_day_of_month(date: NaiveDate) -> NaiveDate {
    // Day 31 clamped to the month: the same rule as `add_months`.
    let first = date.with_day(1).expect("every month has a first day");
    (28..=31)
        .rev()
        .find_map(|d| first.with_day(d))
        .expect("every month has 28 days")
}

/// Dates `anchor + offset + k·step` months (k = 0, 1, 2...), each counted
/// from the anchor and clamped to its month's end: a schedule anchored on the
/// 31st gives 31 January, 29 February, 31 March, 30 April... and the day
/// never drifts.
///
/// The offset lets a schedule start later on the same anchor (a new billing
/// cycle from month 5, a renewal from month 12) without losing its day.
///
/// ```
/// use chrono::NaiveDate;
/// use licentia_server::billing::AnchoredSchedule;
/// let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
/// let monthly = AnchoredSchedule::new(day(2024, 1, 31), 0, 1)?;
/// let dates: Vec<_> = (0..4).map(|k| monthly.nth(k).unwrap()).collect();
/// assert_eq!(dates, [day(2024, 1, 31), day(2024, 2, 29), day(2024, 3, 31), day(2024, 4, 30)]);
/// assert_eq!(monthly.first_on_or_after(day(2024, 3, 1))?, 2);
/// # Ok::<(), licentia_server::billing::BillingError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AnchoredSchedule {
    anchor: NaiveDate,
    offset: u32,
    step: u32,
}

impl AnchoredSchedule {
    /// A schedule from `anchor` moved `offset` months, every `step` months;
    /// refused for a zero step or a first date out of range.
    pub fn new(anchor: NaiveDate, offset: u32, step: u32) -> Result<AnchoredSchedule> {
        if step == 0 {
            return Err(BillingError::ZeroMonths);
        }
        in_range(anchor)?;
        add_months(anchor, i64::from(offset))?;
        Ok(AnchoredSchedule {
            anchor,
            offset,
            step,
        })
    }

    /// The day every date is counted from.
    pub fn anchor(&self) -> NaiveDate {
        self.anchor
    }

    /// Months from the anchor to the first date.
    pub fn offset(&self) -> u32 {
        self.offset
    }

    /// Months between dates.
    pub fn step(&self) -> u32 {
        self.step
    }

    /// Months from the anchor to the `k`-th date.
    pub fn months_to(&self, k: u32) -> Result<u32> {
        k.checked_mul(self.step)
            .and_then(|m| m.checked_add(self.offset))
            .ok_or(BillingError::OutOfRange)
    }

    /// The `k`-th date (the first is `k = 0`).
    pub fn nth(&self, k: u32) -> Result<NaiveDate> {
        add_months(self.anchor, i64::from(self.months_to(k)?))
    }

    /// The index of the first date on or after `date`.
    pub fn first_on_or_after(&self, date: NaiveDate) -> Result<u32> {
        let first = self.nth(0)?;
        if date <= first {
            return Ok(0);
        }
        // Date k lies in the month `first`'s month + k·step: start one
        // step short of that estimate and walk (at most three dates).
        let months = (date.year() - first.year()) * 12 + date.month() as i32 - first.month() as i32;
        let mut k = u32::try_from(months)
            .map_err(|_| BillingError::OutOfRange)?
            .div_euclid(self.step)
            .saturating_sub(1);
        while self.nth(k)? < date {
            k += 1;
        }
        Ok(k)
    }

    /// The index of the first date strictly after `date`.
    pub fn first_after(&self, date: NaiveDate) -> Result<u32> {
        let k = self.first_on_or_after(date)?;
        if self.nth(k)? == date {
            Ok(k + 1)
        } else {
            Ok(k)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn zone(name: &str) -> Zone {
        name.parse().unwrap()
    }

    fn at(text: &str) -> Timestamp {
        Timestamp::parse(text).unwrap()
    }

    #[test]
    fn month_ends_clamp_and_leap_years() {
        assert_eq!(add_months(day(2025, 1, 31), 1).unwrap(), day(2025, 2, 28));
        assert_eq!(add_months(day(2024, 1, 31), 1).unwrap(), day(2024, 2, 29));
        assert_eq!(add_months(day(2024, 2, 29), 12).unwrap(), day(2025, 2, 28));
        assert_eq!(add_months(day(2024, 2, 29), 48).unwrap(), day(2028, 2, 29));
        assert_eq!(add_months(day(2100, 1, 31), 1).unwrap(), day(2100, 2, 28));
        assert_eq!(add_months(day(2000, 1, 31), 1).unwrap(), day(2000, 2, 29));
        assert_eq!(add_months(day(2025, 3, 31), -1).unwrap(), day(2025, 2, 28));
        assert_eq!(add_months(day(2025, 5, 15), 0).unwrap(), day(2025, 5, 15));
        assert_eq!(last_day_of_month(day(2024, 2, 3)), day(2024, 2, 29));
        assert_eq!(last_day_of_month(day(2025, 2, 3)), day(2025, 2, 28));
        assert_eq!(last_day_of_month(day(2025, 12, 3)), day(2025, 12, 31));
        assert_eq!(last_day_of_month(day(2025, 4, 30)), day(2025, 4, 30));
    }

    #[test]
    fn out_of_range_is_an_error_not_a_panic() {
        assert_eq!(
            add_months(day(9999, 12, 1), 1),
            Err(BillingError::OutOfRange)
        );
        assert_eq!(add_months(day(1, 1, 1), -1), Err(BillingError::OutOfRange));
        assert_eq!(
            add_months(day(2025, 1, 1), i64::MAX),
            Err(BillingError::OutOfRange)
        );
        assert_eq!(
            ZonedDate::new(day(10000, 1, 1), Zone::UTC),
            Err(BillingError::OutOfRange)
        );
        assert!(ZonedDate::of_instant(Timestamp(i64::MAX), Zone::UTC).is_err());
        let s = AnchoredSchedule::new(day(2025, 1, 1), 0, 12).unwrap();
        assert_eq!(s.nth(u32::MAX), Err(BillingError::OutOfRange));
        assert_eq!(
            AnchoredSchedule::new(day(2025, 1, 1), 0, 0),
            Err(BillingError::ZeroMonths)
        );
    }

    #[test]
    fn anchored_schedule_keeps_the_31st() {
        let s = AnchoredSchedule::new(day(2024, 1, 31), 0, 1).unwrap();
        let dates: Vec<_> = (0..13).map(|k| s.nth(k).unwrap()).collect();
        assert_eq!(
            dates,
            [
                day(2024, 1, 31),
                day(2024, 2, 29),
                day(2024, 3, 31),
                day(2024, 4, 30),
                day(2024, 5, 31),
                day(2024, 6, 30),
                day(2024, 7, 31),
                day(2024, 8, 31),
                day(2024, 9, 30),
                day(2024, 10, 31),
                day(2024, 11, 30),
                day(2024, 12, 31),
                day(2025, 1, 31),
            ]
        );
        let quarterly_from_5 = AnchoredSchedule::new(day(2024, 1, 31), 5, 3).unwrap();
        assert_eq!(quarterly_from_5.nth(0).unwrap(), day(2024, 6, 30));
        assert_eq!(quarterly_from_5.nth(1).unwrap(), day(2024, 9, 30));
        assert_eq!(quarterly_from_5.nth(2).unwrap(), day(2024, 12, 31));
        assert_eq!(quarterly_from_5.months_to(2).unwrap(), 11);
    }

    #[test]
    fn schedule_lookups_at_and_around_dates() {
        let s = AnchoredSchedule::new(day(2024, 1, 31), 0, 1).unwrap();
        assert_eq!(s.first_on_or_after(day(2023, 5, 1)).unwrap(), 0);
        assert_eq!(s.first_on_or_after(day(2024, 1, 31)).unwrap(), 0);
        assert_eq!(s.first_after(day(2024, 1, 31)).unwrap(), 1);
        assert_eq!(s.first_on_or_after(day(2024, 2, 29)).unwrap(), 1);
        assert_eq!(s.first_on_or_after(day(2024, 3, 1)).unwrap(), 2);
        assert_eq!(s.first_after(day(2024, 2, 28)).unwrap(), 1);
        let yearly = AnchoredSchedule::new(day(2024, 2, 29), 0, 12).unwrap();
        assert_eq!(yearly.first_on_or_after(day(2025, 3, 1)).unwrap(), 2);
        assert_eq!(yearly.nth(1).unwrap(), day(2025, 2, 28));
        assert_eq!(yearly.nth(4).unwrap(), day(2028, 2, 29));
    }

    #[test]
    fn the_same_date_is_a_different_instant_in_auckland_and_los_angeles() {
        let d = day(2027, 1, 15);
        let auckland = ZonedDate::new(d, zone("Pacific/Auckland")).unwrap();
        let los_angeles = ZonedDate::new(d, zone("America/Los_Angeles")).unwrap();
        // NZDT is UTC+13 in January, PST UTC-8.
        assert_eq!(auckland.start(), at("2027-01-14T11:00:00Z"));
        assert_eq!(los_angeles.start(), at("2027-01-15T08:00:00Z"));
        assert_eq!(auckland.end(), at("2027-01-15T11:00:00Z"));
        assert_eq!(los_angeles.end(), at("2027-01-16T08:00:00Z"));
        assert_ne!(auckland.start(), los_angeles.start());
    }

    #[test]
    fn berlin_dst_days_last_23_and_25_hours() {
        let berlin = zone("Europe/Berlin");
        let spring = ZonedDate::new(day(2027, 3, 28), berlin).unwrap();
        assert_eq!(spring.start(), at("2027-03-27T23:00:00Z"));
        assert_eq!(spring.end(), at("2027-03-28T22:00:00Z"));
        assert_eq!(spring.end().0 - spring.start().0, 23 * 3600);
        let autumn = ZonedDate::new(day(2027, 10, 31), berlin).unwrap();
        assert_eq!(autumn.end().0 - autumn.start().0, 25 * 3600);
        // The expiry "on 2027-03-31" is the first instant of 1 April (CEST).
        let expiry = ZonedDate::new(day(2027, 3, 31), berlin).unwrap();
        assert_eq!(expiry.end(), at("2027-03-31T22:00:00Z"));
    }

    #[test]
    fn skipped_midnight_starts_the_day_at_the_jump() {
        // Chile springs forward at 24:00 on 2022-09-10: 00:00-00:59 on
        // 11 September never shows; the day starts at 01:00 -03 = 04:00Z.
        let santiago = zone("America/Santiago");
        let d = ZonedDate::new(day(2022, 9, 11), santiago).unwrap();
        assert_eq!(d.start(), at("2022-09-11T04:00:00Z"));
        let before = ZonedDate::new(day(2022, 9, 10), santiago).unwrap();
        assert_eq!(before.end(), d.start());
        // The skipped hour makes it a 23-hour day.
        assert_eq!(d.end().0 - d.start().0, 23 * 3600);
    }

    #[test]
    fn repeated_midnight_takes_the_first_and_days_never_overlap() {
        // Havana falls back at 01:00 CDT to 00:00 CST on 2023-11-05:
        // midnight shows twice; the day starts at the first (04:00Z).
        let havana = zone("America/Havana");
        let d = ZonedDate::new(day(2023, 11, 5), havana).unwrap();
        assert_eq!(d.start(), at("2023-11-05T04:00:00Z"));
        assert_eq!(d.end().0 - d.start().0, 25 * 3600);
        // The repeated hour still belongs to 5 November.
        let repeat = ZonedDate::of_instant(at("2023-11-05T05:30:00Z"), havana).unwrap();
        assert_eq!(repeat.date(), day(2023, 11, 5));
    }

    #[test]
    fn a_skipped_date_is_an_empty_day() {
        // Samoa skipped 30 December 2011.
        let apia = zone("Pacific/Apia");
        let gone = ZonedDate::new(day(2011, 12, 30), apia).unwrap();
        let next = ZonedDate::new(day(2011, 12, 31), apia).unwrap();
        assert_eq!(gone.start(), gone.end());
        assert_eq!(gone.end(), next.start());
        assert_eq!(next.start(), at("2011-12-30T10:00:00Z"));
        assert_eq!(
            ZonedDate::of_instant(next.start(), apia).unwrap().date(),
            day(2011, 12, 31)
        );
    }

    #[test]
    fn of_instant_inverts_start_and_end() {
        for name in ["Europe/Berlin", "Pacific/Auckland", "America/Havana", "UTC"] {
            let z = zone(name);
            let mut d = day(2023, 1, 1);
            while d < day(2024, 1, 1) {
                let zd = ZonedDate::new(d, z).unwrap();
                assert_eq!(
                    ZonedDate::of_instant(zd.start(), z).unwrap(),
                    zd,
                    "{name} {d}"
                );
                assert_eq!(
                    ZonedDate::of_instant(Timestamp(zd.end().0 - 1), z).unwrap(),
                    zd,
                    "{name} {d}"
                );
                d = d.succ_opt().unwrap();
            }
        }
    }

    #[test]
    fn zone_names_round_trip_and_unknown_ones_are_refused() {
        assert_eq!(zone("Pacific/Auckland").name(), "Pacific/Auckland");
        assert_eq!(Zone::UTC.to_string(), "UTC");
        let err = "Mars/Olympus".parse::<Zone>().unwrap_err();
        assert_eq!(err, BillingError::UnknownZone("Mars/Olympus".into()));
        assert!(err.to_string().contains("IANA"));
        assert!("europe/berlin".parse::<Zone>().is_err());
    }
}
