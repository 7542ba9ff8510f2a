//! Timestamps: whole seconds since the Unix epoch, UTC.

use core::fmt;

use chrono::{DateTime, NaiveDate, Utc};

use crate::{Error, Result};

/// A point in time, in whole seconds since 1970-01-01T00:00:00Z.
///
/// Licenses store times as seconds: compact, unambiguous, and the same in every
/// language. Text uses RFC 3339 in UTC.
///
/// ```
/// use licentia::Timestamp;
/// let t = Timestamp::parse("2027-01-31").unwrap();
/// assert_eq!(t, Timestamp::parse("2027-01-31T00:00:00Z").unwrap());
/// assert_eq!(t.to_string(), "2027-01-31T00:00:00Z");
/// assert_eq!(t.add_days(1), Timestamp::parse("2027-02-01").unwrap());
/// ```
#[derive(
    Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct Timestamp(pub i64);

/// Seconds in a day.
pub const DAY: i64 = 86_400;

impl Timestamp {
    /// The current time from the system clock.
    ///
    /// Only the edges call this (command line, C ABI, server); the verdict
    /// always takes time as an argument.
    pub fn now() -> Timestamp {
        Timestamp(Utc::now().timestamp())
    }

    /// Parses RFC 3339 (`2027-01-31T12:00:00Z`, any offset) or a bare date
    /// (`2027-01-31`, midnight UTC).
    pub fn parse(text: &str) -> Result<Timestamp> {
        let text = text.trim();
        if let Ok(dt) = DateTime::parse_from_rfc3339(text) {
            return Ok(Timestamp(dt.timestamp()));
        }
        NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map(|d| {
                Timestamp(
                    d.and_hms_opt(0, 0, 0)
                        .expect("midnight exists")
                        .and_utc()
                        .timestamp(),
                )
            })
            .map_err(|_| {
                Error::InvalidArgument(format!(
                    "'{text}' is not a date (YYYY-MM-DD) or an RFC 3339 time"
                ))
            })
    }

    /// This time plus `seconds` (saturating).
    pub fn add_secs(self, seconds: i64) -> Timestamp {
        Timestamp(self.0.saturating_add(seconds))
    }

    /// This time plus `days` whole days (saturating).
    pub fn add_days(self, days: i64) -> Timestamp {
        self.add_secs(days.saturating_mul(DAY))
    }

    /// As a chrono time, if representable.
    pub fn to_datetime(self) -> Option<DateTime<Utc>> {
        DateTime::from_timestamp(self.0, 0)
    }
}

impl From<DateTime<Utc>> for Timestamp {
    fn from(dt: DateTime<Utc>) -> Timestamp {
        Timestamp(dt.timestamp())
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.to_datetime() {
            Some(dt) => write!(f, "{}", dt.format("%Y-%m-%dT%H:%M:%SZ")),
            None => write!(f, "@{}", self.0),
        }
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_dates_and_offsets() {
        assert_eq!(Timestamp::parse("1970-01-02").unwrap(), Timestamp(DAY));
        assert_eq!(
            Timestamp::parse("1970-01-01T01:00:00+01:00").unwrap(),
            Timestamp(0)
        );
        assert!(Timestamp::parse("2027-02-30").is_err());
        assert!(Timestamp::parse("tomorrow").is_err());
        assert_eq!(Timestamp(i64::MAX).add_secs(1), Timestamp(i64::MAX));
        assert_eq!(Timestamp(i64::MAX).to_string(), format!("@{}", i64::MAX));
    }
}
