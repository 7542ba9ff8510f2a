//! Money for invoices: currencies (ISO 4217), prices in minor units, tax
//! and proration, all in integers.
//!
//! **Prices.** Every price is an amount *per seat per month* in the minor
//! unit of its currency (cents for EUR, yen for JPY, fils for KWD). An
//! invoice for a period of `n` months bills `seats × amount × n`.
//!
//! **Tax** is a rate in basis points (2000 = 20 %) kept with the price it
//! applies to, and computed **once per invoice** on the sum of its lines,
//! rounded **half away from zero** (commercial rounding: 0.5 cent up, -0.5
//! cent down), so an invoice's tax never depends on how its lines were cut.
//!
//! **Proration.** A change in the middle of a period that was already
//! invoiced (seats raised or lowered, an option added or dropped) is
//! charged or credited for the days left, on the next invoice:
//!
//! ```text
//! line = round_half_away(change per period × days left / days in period)
//! ```
//!
//! where the days left count from the day of the change (inclusive) to the
//! period's last day (inclusive), and the change per period is the
//! difference of what the period would bill after and before it. A raise
//! is a charge, a cut a credit (a negative line).
//!
//! A worked example: 10 seats at 15.00 EUR a month, invoiced monthly for
//! 1 to 30 April (30 days); on 21 April the seats go to 12. The 2 seats
//! more would bill 30.00 EUR for the month; 10 days are left (21 to 30
//! April), so the May invoice carries a line of 30.00 × 10 / 30 = 10.00
//! EUR.
//!
//! ```
//! use chrono::NaiveDate;
//! use licentia_server::billing::{prorate, Currency, Period};
//!
//! let day = |m, d| NaiveDate::from_ymd_opt(2027, m, d).unwrap();
//! let eur: Currency = "EUR".parse()?;
//! let april = Period::new(day(4, 1), day(4, 30))?;
//! let per_period = 2 * 1500; // two seats more, 15.00 EUR each, one month
//! let line = prorate(per_period, april, day(4, 21))?;
//! assert_eq!(line, 1000);
//! assert_eq!(eur.format(line), "10.00 EUR");
//! // A cut of the same seats on the same day is the same credit.
//! assert_eq!(prorate(-per_period, april, day(4, 21))?, -1000);
//! # Ok::<(), licentia_server::billing::BillingError>(())
//! ```

use core::fmt;
use core::str::FromStr;

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{BillingError, Result};

/// ISO 4217 currencies in use, by the digits of their minor unit; any code
/// not listed has two. Funds of a currency (BOV, CHE...) are included;
/// precious metals and testing codes are not.
const CURRENCIES_0: &[&str] = &[
    "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND",
    "VUV", "XAF", "XOF", "XPF",
];
const CURRENCIES_3: &[&str] = &["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"];
const CURRENCIES_4: &[&str] = &["CLF", "UYW"];
const CURRENCIES_2: &[&str] = &[
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT",
    "BGN", "BMD", "BND", "BOB", "BOV", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF",
    "CHE", "CHF", "CHW", "CNY", "COP", "COU", "CRC", "CUP", "CVE", "CZK", "DKK", "DOP", "DZD",
    "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GTQ", "GYD",
    "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IRR", "JMD", "KES", "KGS", "KHR", "KPW",
    "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT",
    "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MXV", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK",
    "NPR", "NZD", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "QAR", "RON", "RSD", "RUB", "SAR",
    "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP",
    "SZL", "THB", "TJS", "TMT", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "USD", "USN", "UYU",
    "UZS", "VED", "VES", "WST", "XCD", "XCG", "YER", "ZAR", "ZMW", "ZWG",
];

/// The digits of an ISO 4217 currency's minor unit (2 for EUR, 0 for JPY,
/// 3 for KWD), or None for a code not in use.
pub fn currency_digits(code: &str) -> Option<u32> {
    [
        (CURRENCIES_0, 0),
        (CURRENCIES_2, 2),
        (CURRENCIES_3, 3),
        (CURRENCIES_4, 4),
    ]
    .iter()
    .find(|(codes, _)| codes.contains(&code))
    .map(|(_, digits)| *digits)
}

/// Reads a non-negative decimal amount (`"1234.50"`) into minor units of
/// a currency with `digits` decimals; more decimals than the currency has,
/// a sign, exponent or separator are refused.
pub fn parse_amount(text: &str, digits: u32) -> core::result::Result<i64, String> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let decimal = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !decimal(whole) || !decimal(fraction) || text.ends_with('.') {
        return Err(format!(
            "'{text}' is not an amount: digits, and a '.' before the decimals"
        ));
    }
    if fraction.len() > digits as usize {
        return Err(format!(
            "'{text}' has {} decimals; the currency has {digits}",
            fraction.len()
        ));
    }
    let scaled = format!("{whole}{fraction:0<width$}", width = digits as usize);
    scaled
        .parse::<i64>()
        .map_err(|_| format!("'{text}' is too large"))
}

/// Writes minor units as a decimal amount with the currency's `digits`.
pub fn format_amount(minor: i64, digits: u32) -> String {
    let text = format!("{minor:0>width$}", width = digits as usize + 1);
    let (whole, fraction) = text.split_at(text.len() - digits as usize);
    if fraction.is_empty() {
        whole.to_owned()
    } else {
        format!("{whole}.{fraction}")
    }
}

/// The largest price: 10^12 minor units per seat per month (ten thousand
/// million euros): a typo of a few digits too many is refused. A line's
/// `seats × amount × months` is computed in 128 bits and refused, never
/// wrapped, when it does not fit 64 ([`line_amount`]).
pub const MAX_AMOUNT: i64 = 1_000_000_000_000;

/// The largest tax rate: 100 %, in basis points.
pub const MAX_TAX_RATE_BP: u32 = 10_000;

/// A currency of the table above: its ISO 4217 code and minor-unit digits.
///
/// ```
/// use licentia_server::billing::Currency;
/// let jpy: Currency = "JPY".parse()?;
/// assert_eq!((jpy.code(), jpy.exponent()), ("JPY", 0));
/// assert_eq!(jpy.format(1500), "1500 JPY");
/// assert!("eur".parse::<Currency>().is_err());
/// assert!("XYZ".parse::<Currency>().is_err());
/// # Ok::<(), licentia_server::billing::BillingError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency {
    code: &'static str,
    exponent: u8,
}

impl Currency {
    /// The three-letter code.
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// Digits of the minor unit (2 for EUR: cents).
    pub fn exponent(&self) -> u8 {
        self.exponent
    }

    /// `amount` minor units written in major units with the code:
    /// `-12.05 EUR`, `1500 JPY`, `1.250 KWD`.
    pub fn format(&self, amount: i64) -> String {
        format!("{} {}", plain_amount(*self, amount), self.code)
    }
}

impl Currency {
    /// Every currency known, by code.
    pub fn all() -> Vec<Currency> {
        let mut all: Vec<Currency> = [CURRENCIES_0, CURRENCIES_2, CURRENCIES_3, CURRENCIES_4]
            .iter()
            .flat_map(|codes| codes.iter())
            .filter_map(|code| code.parse().ok())
            .collect();
        all.sort_by_key(|c| c.code);
        all
    }

    /// Reads an amount written in major units (`15`, `15.5`, `15.50` for
    /// EUR) as minor units, refusing more decimals than the currency has,
    /// a sign, or anything but digits and one point.
    ///
    /// ```
    /// use licentia_server::billing::Currency;
    /// let eur: Currency = "EUR".parse()?;
    /// assert_eq!(eur.parse_amount("15.5")?, 1550);
    /// assert_eq!(eur.parse_amount("0.07")?, 7);
    /// assert!(eur.parse_amount("1.005").is_err());
    /// assert!(eur.parse_amount("-1").is_err());
    /// # Ok::<(), licentia_server::billing::BillingError>(())
    /// ```
    pub fn parse_amount(&self, text: &str) -> Result<i64> {
        let minor = parse_amount(text.trim(), u32::from(self.exponent))
            .map_err(|e| BillingError::BadPrice(format!("an amount of {}: {e}", self.code)))?;
        check_amount(minor)
    }
}

/// A tax rate written in percent with up to two decimals (`20`, `5.5`),
/// in basis points.
///
/// ```
/// use licentia_server::billing::percent_bp;
/// assert_eq!(percent_bp("20")?, 2000);
/// assert_eq!(percent_bp("5.5")?, 550);
/// assert!(percent_bp("100.01").is_err());
/// # Ok::<(), licentia_server::billing::BillingError>(())
/// ```
pub fn percent_bp(text: &str) -> Result<u32> {
    parse_amount(text.trim(), 2)
        .ok()
        .and_then(|bp| u32::try_from(bp).ok())
        .filter(|bp| *bp <= MAX_TAX_RATE_BP)
        .ok_or_else(|| {
            BillingError::BadPrice(format!(
                "'{text}' is not a tax rate: a percentage from 0 to 100, at most two decimals"
            ))
        })
}

/// `amount` minor units in major units, without the code (`15.50`): what
/// [`Currency::parse_amount`] reads back.
pub fn plain_amount(currency: Currency, amount: i64) -> String {
    let sign = if amount < 0 { "-" } else { "" };
    let abs = i64::try_from(amount.unsigned_abs()).unwrap_or(i64::MAX);
    format!("{sign}{}", format_amount(abs, u32::from(currency.exponent)))
}

impl FromStr for Currency {
    type Err = BillingError;

    /// Parses a code of the table, in capitals.
    fn from_str(text: &str) -> Result<Currency> {
        let known = [CURRENCIES_0, CURRENCIES_2, CURRENCIES_3, CURRENCIES_4]
            .iter()
            .flat_map(|codes| codes.iter())
            .find(|code| **code == text);
        match (known, currency_digits(text)) {
            (Some(code), Some(digits)) => Ok(Currency {
                code,
                exponent: u8::try_from(digits).unwrap_or(2),
            }),
            _ => Err(BillingError::BadPrice(format!(
                "'{text}' is not a currency this back office knows: use an ISO 4217 code in capitals, such as EUR, USD, GBP, CHF or JPY"
            ))),
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code)
    }
}

/// A price: an amount per seat per month in the minor unit of `currency`,
/// and the tax rate that applies to it, in basis points.
///
/// ```
/// use licentia_server::billing::Price;
/// let price = Price { currency: "EUR".into(), amount: 1500, tax_rate_bp: 2000 };
/// assert!(price.check().is_ok());
/// let bad = Price { amount: -1, ..price.clone() };
/// assert!(bad.check().unwrap_err().to_string().contains("negative"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Price {
    /// ISO 4217 code, in capitals (EUR, USD, CHF, JPY...).
    pub currency: String,
    /// Per seat per month, in the currency's minor unit (cents for EUR);
    /// 0 to 10^12.
    pub amount: i64,
    /// Tax rate in basis points (2000 = 20 %), 0 to 10000; default 0.
    #[serde(default)]
    pub tax_rate_bp: u32,
}

impl Price {
    /// The price's currency, its rules checked: a known code, an amount
    /// of 0 to [`MAX_AMOUNT`], a tax rate of at most [`MAX_TAX_RATE_BP`].
    pub fn check(&self) -> Result<Currency> {
        let currency: Currency = self.currency.parse()?;
        check_amount(self.amount)?;
        if self.tax_rate_bp > MAX_TAX_RATE_BP {
            return Err(BillingError::BadPrice(format!(
                "a tax rate is given in basis points, 0 to {MAX_TAX_RATE_BP} (2000 = 20 %): {} is more than 100 %",
                self.tax_rate_bp
            )));
        }
        Ok(currency)
    }
}

/// Refuses an amount that is negative or above [`MAX_AMOUNT`].
pub fn check_amount(amount: i64) -> Result<i64> {
    if amount < 0 {
        return Err(BillingError::BadPrice(format!(
            "a price may not be negative ({amount})"
        )));
    }
    if amount > MAX_AMOUNT {
        return Err(BillingError::BadPrice(format!(
            "a price is at most {MAX_AMOUNT} minor units per seat per month ({amount} given)"
        )));
    }
    Ok(amount)
}

/// The days an invoice covers: `start` to `end`, both inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Period {
    start: NaiveDate,
    end: NaiveDate,
}

impl Period {
    /// The period from `start` to `end` (inclusive); refused when it ends
    /// before it starts.
    pub fn new(start: NaiveDate, end: NaiveDate) -> Result<Period> {
        if end < start {
            return Err(BillingError::OutOfRange);
        }
        Ok(Period { start, end })
    }

    /// The first day.
    pub fn start(&self) -> NaiveDate {
        self.start
    }

    /// The last day (inclusive).
    pub fn end(&self) -> NaiveDate {
        self.end
    }

    /// Days in the period, both ends counted.
    pub fn days(&self) -> i64 {
        (self.end - self.start).num_days() + 1
    }

    /// Whether `day` falls within the period.
    pub fn contains(&self, day: NaiveDate) -> bool {
        (self.start..=self.end).contains(&day)
    }
}

/// `numerator / denominator` rounded half away from zero (`denominator`
/// positive).
fn div_round(numerator: i128, denominator: i128) -> i128 {
    let q = numerator / denominator;
    let r = numerator % denominator;
    if 2 * r.abs() >= denominator {
        q + numerator.signum()
    } else {
        q
    }
}

/// An amount that no longer fits in 64 bits.
fn fits(amount: i128) -> Result<i64> {
    i64::try_from(amount)
        .map_err(|_| BillingError::BadPrice("the amount is too large to be invoiced".to_owned()))
}

/// What `seats` seats at `amount` per seat per month cost for `months`
/// months (refused, not wrapped, when it does not fit 64 bits).
///
/// ```
/// use licentia_server::billing::line_amount;
/// assert_eq!(line_amount(10, 1500, 3)?, 45_000);
/// assert!(line_amount(i64::MAX, 2, 1).is_err());
/// # Ok::<(), licentia_server::billing::BillingError>(())
/// ```
pub fn line_amount(seats: i64, amount: i64, months: u32) -> Result<i64> {
    fits(i128::from(seats) * i128::from(amount) * i128::from(months))
}

/// The tax on `net` at `rate_bp` basis points, rounded half away from
/// zero (once per invoice: see the module's notes).
///
/// ```
/// use licentia_server::billing::tax;
/// assert_eq!(tax(45_000, 2000)?, 9_000);
/// assert_eq!(tax(1_234, 2000)?, 247); // 246.8
/// assert_eq!(tax(1_225, 2000)?, 245); // exactly 245
/// assert_eq!(tax(1_237, 2000)?, 247); // 247.4
/// assert_eq!(tax(12_325, 1000)?, 1_233); // 1232.5: half up
/// assert_eq!(tax(-12_325, 1000)?, -1_233); // a credit's tax: half away from zero
/// # Ok::<(), licentia_server::billing::BillingError>(())
/// ```
pub fn tax(net: i64, rate_bp: u32) -> Result<i64> {
    fits(div_round(
        i128::from(net) * i128::from(rate_bp),
        i128::from(MAX_TAX_RATE_BP),
    ))
}

/// The part of `per_period` (what a change adds to one period's bill;
/// negative for a cut) due for the days of `period` from `changed_on` to
/// its end, rounded half away from zero (see the module's notes). Nothing
/// when `changed_on` is outside the period.
pub fn prorate(per_period: i64, period: Period, changed_on: NaiveDate) -> Result<i64> {
    if !period.contains(changed_on) {
        return Ok(0);
    }
    let left = (period.end - changed_on).num_days() + 1;
    fits(div_round(
        i128::from(per_period) * i128::from(left),
        i128::from(period.days()),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn currencies_know_their_minor_units() {
        let f = |code: &str, amount| code.parse::<Currency>().unwrap().format(amount);
        assert_eq!(f("EUR", 1205), "12.05 EUR");
        assert_eq!(f("EUR", -5), "-0.05 EUR");
        assert_eq!(f("KWD", 1250), "1.250 KWD");
        assert_eq!(f("JPY", 1250), "1250 JPY");
        assert_eq!(f("USD", 0), "0.00 USD");
        for bad in ["", "EU", "EURO", "eur", "XXX", "€"] {
            assert!(bad.parse::<Currency>().is_err(), "{bad}");
        }
        let all = Currency::all();
        assert!(all.len() > 150);
        assert!(
            all.windows(2).all(|w| w[0].code < w[1].code),
            "in order, once each"
        );
    }

    #[test]
    fn decimals_are_read_strictly() {
        let eur: Currency = "EUR".parse().unwrap();
        let jpy: Currency = "JPY".parse().unwrap();
        assert_eq!(eur.parse_amount("15").unwrap(), 1500);
        assert_eq!(eur.parse_amount(" 15.05 ").unwrap(), 1505);
        assert_eq!(jpy.parse_amount("1500").unwrap(), 1500);
        for bad in [
            "",
            ".5",
            "5.",
            "1,5",
            "1e3",
            "+1",
            "1.2.3",
            "99999999999999",
            "١",
            "-1",
        ] {
            assert!(eur.parse_amount(bad).is_err(), "{bad}");
        }
        assert!(jpy.parse_amount("1.5").is_err());
        assert_eq!(plain_amount(eur, 1505), "15.05");
        assert_eq!(percent_bp("0").unwrap(), 0);
        assert_eq!(percent_bp("100").unwrap(), 10_000);
    }

    #[test]
    fn prices_are_checked() {
        let p = Price {
            currency: "EUR".into(),
            amount: 0,
            tax_rate_bp: 0,
        };
        assert!(p.check().is_ok());
        let over = Price {
            amount: MAX_AMOUNT + 1,
            ..p.clone()
        };
        assert!(over.check().unwrap_err().to_string().contains("at most"));
        let taxed = Price {
            tax_rate_bp: 10_001,
            ..p.clone()
        };
        assert!(taxed
            .check()
            .unwrap_err()
            .to_string()
            .contains("basis points"));
        let unknown = Price {
            currency: "ABC".into(),
            ..p
        };
        assert!(unknown
            .check()
            .unwrap_err()
            .to_string()
            .contains("ISO 4217"));
    }

    #[test]
    fn rounding_is_half_away_from_zero() {
        assert_eq!(div_round(5, 10), 1);
        assert_eq!(div_round(4, 10), 0);
        assert_eq!(div_round(-5, 10), -1);
        assert_eq!(div_round(-4, 10), 0);
        assert_eq!(div_round(15, 10), 2);
        assert_eq!(div_round(25, 10), 3, "not banker's rounding");
        assert_eq!(tax(i64::MAX, 10_000).unwrap(), i64::MAX);
        assert_eq!(
            line_amount(MAX_AMOUNT, 1_000_000, 1).unwrap(),
            1_000_000_000_000_000_000
        );
        assert!(line_amount(MAX_AMOUNT, 10_000_000, 1).is_err());
        assert!(line_amount(MAX_AMOUNT, i64::MAX, 12).is_err());
    }

    #[test]
    fn proration_counts_the_days_left() {
        let feb = Period::new(day(2028, 2, 1), day(2028, 2, 29)).unwrap();
        assert_eq!(feb.days(), 29);
        // The first day: the whole period; the last: one day of 29.
        assert_eq!(prorate(2900, feb, day(2028, 2, 1)).unwrap(), 2900);
        assert_eq!(prorate(2900, feb, day(2028, 2, 29)).unwrap(), 100);
        assert_eq!(prorate(1000, feb, day(2028, 2, 15)).unwrap(), 517); // 15/29 = 517.24
        assert_eq!(prorate(1000, feb, day(2028, 3, 1)).unwrap(), 0);
        let quarter = Period::new(day(2027, 1, 1), day(2027, 3, 31)).unwrap();
        assert_eq!(quarter.days(), 90);
        assert_eq!(prorate(9000, quarter, day(2027, 3, 2)).unwrap(), 3000);
        assert!(Period::new(day(2027, 2, 1), day(2027, 1, 31)).is_err());
    }
}
