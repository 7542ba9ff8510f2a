//! The usage report: what a machine consumed of its licence's meters while
//! it ran offline.
//!
//! The product keeps, per licence, a counter it raises by one for each
//! report it writes, and the amounts consumed since its previous report.
//! The report is unsigned — the customer holds no key; it is the
//! customer's own statement, which the vendor may audit — and armored like
//! every other document. The back office accepts a report once per
//! licence, machine and counter, and refuses one whose counter is not
//! above the last it accepted from that machine: a report replayed, or an
//! older one, counts nothing twice.
//!
//! ```
//! use licentia::{Fingerprint, LicenseId, Timestamp, UsageReport, UsageTotal};
//! let here = Fingerprint::builder("acme").vendor("host", "build-7").build()?;
//! let report = UsageReport::new(
//!     "acme",
//!     LicenseId::parse("0123456789abcdef0123456789abcdef")?,
//!     here,
//!     7,
//!     Timestamp::parse("2026-06-30")?,
//!     vec![UsageTotal::new("renders", 12), UsageTotal::new("exports", 3)],
//! )?;
//! let text = report.to_armor();
//! assert!(text.starts_with("-----BEGIN LICENTIA USAGE REPORT-----"));
//! let seen = UsageReport::parse(&text)?;
//! assert_eq!(seen.totals[0].meter, "exports"); // sorted by meter
//! assert!(UsageReport::parse("-----BEGIN LICENTIA USAGE REPORT-----\nAA==\n-----END LICENTIA USAGE REPORT-----").is_err());
//! # Ok::<(), licentia::Error>(())
//! ```

use crate::format::DocumentKind;
use crate::license::{check_code, LicenseId};
use crate::machine::Fingerprint;
use crate::meter::MAX_METERS;
use crate::time::Timestamp;
use crate::{unsigned, Error, Result};

/// What was consumed of one meter since the previous report.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct UsageTotal {
    /// The meter's name, as the licence carries it.
    pub meter: String,
    /// Units consumed.
    pub amount: u64,
}

impl UsageTotal {
    /// `amount` units of `meter`.
    pub fn new(meter: impl Into<String>, amount: u64) -> UsageTotal {
        UsageTotal {
            meter: meter.into(),
            amount,
        }
    }
}

/// A machine's statement of what it consumed offline. Unsigned; see the
/// module documentation.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct UsageReport {
    /// The product.
    pub product: String,
    /// The licence whose meters were consumed.
    pub license: LicenseId,
    /// The machine that consumed them.
    pub fingerprint: Fingerprint,
    /// Raised by one for each report this machine writes for this licence
    /// (the first is 1): the back office accepts each counter once, in order.
    pub counter: u64,
    /// When the report was written.
    pub written_at: Timestamp,
    /// Amounts per meter since the previous report, sorted by meter.
    pub totals: Vec<UsageTotal>,
}

impl UsageReport {
    /// A report, its totals sorted by meter and checked.
    pub fn new(
        product: impl Into<String>,
        license: LicenseId,
        fingerprint: Fingerprint,
        counter: u64,
        written_at: Timestamp,
        mut totals: Vec<UsageTotal>,
    ) -> Result<UsageReport> {
        totals.sort_by(|a, b| a.meter.cmp(&b.meter));
        let report = UsageReport {
            product: product.into(),
            license,
            fingerprint,
            counter,
            written_at,
            totals,
        };
        report.validate()?;
        Ok(report)
    }

    /// Checks what [`UsageReport::parse`] checks: a product code, a counter
    /// of at least 1, one to [`MAX_METERS`] totals with valid meter names,
    /// sorted without repeats.
    pub fn validate(&self) -> Result<()> {
        let bad = |m: String| Err(Error::InvalidSpec(m));
        check_code("product", &self.product)?;
        if self.counter == 0 {
            return bad("a usage report's counter starts at 1".into());
        }
        if self.totals.is_empty() || self.totals.len() > MAX_METERS {
            return bad(format!(
                "a usage report names 1 to {MAX_METERS} meters, not {}",
                self.totals.len()
            ));
        }
        for pair in self.totals.windows(2) {
            if pair[0].meter >= pair[1].meter {
                return bad(format!(
                    "a usage report names each meter once, sorted ('{}' then '{}')",
                    pair[0].meter, pair[1].meter
                ));
            }
        }
        self.totals
            .iter()
            .try_for_each(|t| check_code("meter name", &t.meter))
    }

    /// The armored text to carry to the back office.
    pub fn to_armor(&self) -> String {
        unsigned::to_armor(DocumentKind::UsageReport, self)
            .expect("a report built from bounded parts encodes")
    }

    /// Parses a report (armored or compact), strictly: bounded, canonical,
    /// and valid ([`UsageReport::validate`]).
    pub fn parse(text: &str) -> Result<UsageReport> {
        let report: UsageReport = unsigned::parse(text, DocumentKind::UsageReport)?;
        report.validate()?;
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(totals: Vec<UsageTotal>) -> Result<UsageReport> {
        let here = Fingerprint::builder("acme").vendor("host", "h").build()?;
        UsageReport::new(
            "acme",
            LicenseId([7; 16]),
            here,
            1,
            Timestamp(1_800_000_000),
            totals,
        )
    }

    #[test]
    fn a_report_reads_back_the_same() {
        let r = report(vec![UsageTotal::new("b", 2), UsageTotal::new("a", 1)]).unwrap();
        assert_eq!(UsageReport::parse(&r.to_armor()).unwrap(), r);
    }

    #[test]
    fn bad_reports_are_refused() {
        assert!(report(vec![]).is_err());
        assert!(report(vec![UsageTotal::new("a", 1), UsageTotal::new("a", 2)]).is_err());
        assert!(report(vec![UsageTotal::new("no spaces", 1)]).is_err());
        // A valid report's text under another document's armor.
        let text = report(vec![UsageTotal::new("a", 1)]).unwrap().to_armor();
        let relabelled = text.replace("USAGE REPORT", "DEACTIVATION REQUEST");
        assert!(UsageReport::parse(&relabelled).is_err());
        assert!(UsageReport::parse("garbage").is_err());
    }
}
