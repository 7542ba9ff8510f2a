//! Metered entitlements: a consumable quota per period (API calls, exports,
//! renders), signed into the licence.
//!
//! A [`Meter`] names what is counted, how much may be consumed, and the
//! period the quota renews in: each UTC day, month or year, or once for the
//! licence's whole term ([`MeterPeriod`]). Its text form is
//! `NAME=QUOTA/PERIOD` (`api_calls=10000/month`), as a spec, a policy or
//! the command line write it.
//!
//! The product cannot count offline against a quota it shares with other
//! machines: the back office counts (`POST /v1/usage`), and a machine that
//! runs offline writes a [`UsageReport`](crate::UsageReport) instead. The
//! licence carries the meters so the product knows, offline, what it may
//! ask for, and so the terms the back office enforces are the signed ones.
//!
//! A licence with meters is format version 3 (the version 1 body, the
//! environment terms, then the meters); one without is written as before,
//! so a product built before meters existed keeps reading it, and refuses
//! a metered licence by its version rather than misreading it.
//!
//! ```
//! use licentia::{LicenseBody, Meter, MeterPeriod, Timestamp};
//! let calls: Meter = "api_calls=10000/month".parse()?;
//! assert_eq!((calls.quota, calls.period), (10_000, MeterPeriod::Month));
//! let body = LicenseBody::builder("acme", "Jane").meter(calls.clone()).build()?;
//! assert_eq!(body.format_version(), 3);
//! assert_eq!(body.meter("api_calls"), Some(&calls));
//!
//! // The period holding 15 June 2026: the month of June, UTC.
//! let june = MeterPeriod::Month.window(Timestamp::parse("2026-06-15")?, body.issued_at, None);
//! assert_eq!(june.start, Timestamp::parse("2026-06-01")?);
//! assert_eq!(june.end, Some(Timestamp::parse("2026-07-01")?));
//! assert_eq!(calls.to_string(), "api_calls=10000/month");
//! # Ok::<(), licentia::Error>(())
//! ```

use core::fmt;
use core::str::FromStr;

use chrono::{Datelike, NaiveDate};

use crate::environment::EnvironmentTerms;
use crate::license::{check_code, LicenseBody};
use crate::signed::SignedBody;
use crate::time::Timestamp;
use crate::{Error, Result};

/// Most meters one licence carries.
pub const MAX_METERS: usize = 16;

enum_table! {
    /// When a meter's quota renews.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
    #[repr(u8)]
    pub enum MeterPeriod {
        /// Every period, in order.
        pub const ALL;
        /// Its name in the text form.
        pub fn name(self) -> &'static str;

        /// Each UTC day.
        Day = 0 => "day",
        /// Each UTC calendar month.
        Month = 1 => "month",
        /// Each UTC calendar year.
        Year = 2 => "year",
        /// Once, for the licence's whole term.
        Term = 3 => "term",
    }
}

/// One period of a meter: from `start` (included) to `end` (excluded; none
/// for the term of a licence that never expires).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Window {
    /// The first second of the period.
    pub start: Timestamp,
    /// The first second after it.
    pub end: Option<Timestamp>,
}

impl MeterPeriod {
    /// Parses `day`, `month`, `year` or `term`.
    pub fn parse(name: &str) -> Result<MeterPeriod> {
        Self::ALL
            .into_iter()
            .find(|p| p.name() == name)
            .ok_or_else(|| {
                Error::InvalidArgument(format!(
                    "meter period '{name}' is not day, month, year or term"
                ))
            })
    }

    /// The period holding `at`, for a licence whose term runs from
    /// `term_start` to `term_end` (a term meter's only period).
    pub fn window(
        self,
        at: Timestamp,
        term_start: Timestamp,
        term_end: Option<Timestamp>,
    ) -> Window {
        let Some(date) = at.to_datetime().map(|t| t.date_naive()) else {
            return Window {
                start: at,
                end: None,
            };
        };
        let (first, next) = match self {
            MeterPeriod::Term => {
                return Window {
                    start: term_start,
                    end: term_end,
                }
            }
            MeterPeriod::Day => (Some(date), date.succ_opt()),
            MeterPeriod::Month => {
                let first = date.with_day(1);
                let next = if date.month() == 12 {
                    NaiveDate::from_ymd_opt(date.year() + 1, 1, 1)
                } else {
                    NaiveDate::from_ymd_opt(date.year(), date.month() + 1, 1)
                };
                (first, next)
            }
            MeterPeriod::Year => (
                NaiveDate::from_ymd_opt(date.year(), 1, 1),
                NaiveDate::from_ymd_opt(date.year() + 1, 1, 1),
            ),
        };
        let midnight = |d: NaiveDate| {
            Timestamp(
                d.and_hms_opt(0, 0, 0)
                    .expect("midnight exists")
                    .and_utc()
                    .timestamp(),
            )
        };
        Window {
            start: first.map_or(at, midnight),
            end: next.map(midnight),
        }
    }
}

/// A consumable quota: at most `quota` units of `name` per `period`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Meter {
    /// What is counted (`api_calls`, `exports`...): a code like a feature's.
    pub name: String,
    /// Units allowed per period (at least 1).
    pub quota: u64,
    /// When the quota renews.
    pub period: MeterPeriod,
}

impl Meter {
    /// A meter of `quota` units of `name` per `period`, checked.
    pub fn new(name: impl Into<String>, quota: u64, period: MeterPeriod) -> Result<Meter> {
        let meter = Meter {
            name: name.into(),
            quota,
            period,
        };
        meter.validate()?;
        Ok(meter)
    }

    /// Checks the name and the quota (the rules a licence body applies).
    pub fn validate(&self) -> Result<()> {
        check_code("meter name", &self.name)?;
        if self.quota == 0 {
            return Err(Error::InvalidSpec(format!(
                "meter '{}' needs a quota of at least 1",
                self.name
            )));
        }
        Ok(())
    }

    /// The period holding `at` for this meter of `body`.
    pub fn window(&self, at: Timestamp, body: &LicenseBody) -> Window {
        let start = body.terms.valid_from.unwrap_or(body.issued_at);
        self.period.window(at, start, body.terms.hard_expiry)
    }
}

impl FromStr for Meter {
    type Err = Error;

    /// Parses `NAME=QUOTA/PERIOD`.
    fn from_str(text: &str) -> Result<Meter> {
        let bad = || {
            Error::InvalidArgument(format!(
                "meter '{text}' is not NAME=QUOTA/PERIOD (e.g. api_calls=10000/month)"
            ))
        };
        let (name, rest) = text.trim().split_once('=').ok_or_else(bad)?;
        let (quota, period) = rest.split_once('/').ok_or_else(bad)?;
        let quota = quota.parse().map_err(|_| bad())?;
        Meter::new(name, quota, MeterPeriod::parse(period)?)
    }
}

impl fmt::Display for Meter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}/{}", self.name, self.quota, self.period.name())
    }
}

/// Checks a licence's meters: at most [`MAX_METERS`], each valid, sorted
/// by name without repeats (one encoding per value).
pub(crate) fn validate_meters(meters: &[Meter]) -> Result<()> {
    if meters.len() > MAX_METERS {
        return Err(Error::InvalidSpec(format!(
            "a licence carries at most {MAX_METERS} meters"
        )));
    }
    for pair in meters.windows(2) {
        if pair[0].name >= pair[1].name {
            return Err(Error::InvalidSpec(format!(
                "meters must be unique and sorted by name ('{}' then '{}')",
                pair[0].name, pair[1].name
            )));
        }
    }
    meters.iter().try_for_each(Meter::validate)
}

/// The encoding of a format v3 licence: the v1 body, the environment terms,
/// then the meters.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct LicenseBodyV3(LicenseBody, EnvironmentTerms, Vec<Meter>);

impl LicenseBodyV3 {
    /// The v3 layout of `body`.
    pub(crate) fn of(body: &LicenseBody) -> LicenseBodyV3 {
        let v1 = LicenseBody {
            environment: EnvironmentTerms::ALLOW_ALL,
            meters: Vec::new(),
            ..body.clone()
        };
        LicenseBodyV3(v1, body.environment, body.meters.clone())
    }

    /// The body it carries, or `MalformedBody` when it has no meters (such
    /// a licence is written as v1 or v2) or meters a body may not have.
    pub(crate) fn into_body(self) -> Result<LicenseBody> {
        if self.2.is_empty() || validate_meters(&self.2).is_err() {
            return Err(Error::MalformedBody);
        }
        Ok(LicenseBody {
            environment: self.1,
            meters: self.2,
            ..self.0
        })
    }
}

impl SignedBody for LicenseBodyV3 {
    fn issued_at(&self) -> Timestamp {
        self.0.issued_at
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec;

    fn at(text: &str) -> Timestamp {
        Timestamp::parse(text).unwrap()
    }

    #[test]
    fn periods_are_utc_calendar_units() {
        let now = at("2026-12-31T23:59:59Z");
        let issued = at("2026-03-10");
        let day = MeterPeriod::Day.window(now, issued, None);
        assert_eq!(
            (day.start, day.end),
            (at("2026-12-31"), Some(at("2027-01-01")))
        );
        let month = MeterPeriod::Month.window(now, issued, None);
        assert_eq!(
            (month.start, month.end),
            (at("2026-12-01"), Some(at("2027-01-01")))
        );
        let year = MeterPeriod::Year.window(now, issued, None);
        assert_eq!(
            (year.start, year.end),
            (at("2026-01-01"), Some(at("2027-01-01")))
        );
        let term = MeterPeriod::Term.window(now, issued, Some(at("2028-01-01")));
        assert_eq!((term.start, term.end), (issued, Some(at("2028-01-01"))));
    }

    #[test]
    fn text_form_is_checked() {
        for bad in [
            "calls",
            "calls=10",
            "calls=0/day",
            "calls=x/day",
            "calls=1/week",
            "=1/day",
        ] {
            assert!(bad.parse::<Meter>().is_err(), "{bad}");
        }
        let m: Meter = "renders=5/term".parse().unwrap();
        assert_eq!(m.to_string().parse::<Meter>().unwrap(), m);
    }

    #[test]
    fn a_v3_body_without_meters_is_not_canonical() {
        let body = LicenseBody::builder("acme", "Jane")
            .issued_at(at("2026-01-01"))
            .build()
            .unwrap();
        let bytes = codec::encode(&LicenseBodyV3::of(&body)).unwrap();
        let decoded = codec::decode_canonical::<LicenseBodyV3>(&bytes).unwrap();
        assert_eq!(decoded.into_body(), Err(Error::MalformedBody));
    }
}
