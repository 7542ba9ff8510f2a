//! Billing models, billing intervals and renewal options: the named choices
//! of a subscription, with their stable names (parsing and printing).

use core::fmt;
use core::str::FromStr;

use chrono::NaiveDate;

use super::{from_name, BillingError, Result};

/// What the customer commits to: the length of each term.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BillingModel {
    /// Month to month: each term is one month.
    Monthly,
    /// A one-year term, paid for as a whole.
    Prepaid1Year,
    /// A three-year term, paid for as a whole.
    Prepaid3Years,
    /// A five-year term, paid for as a whole.
    Prepaid5Years,
}

impl BillingModel {
    /// Every model, in order.
    pub const ALL: [BillingModel; 4] = [
        BillingModel::Monthly,
        BillingModel::Prepaid1Year,
        BillingModel::Prepaid3Years,
        BillingModel::Prepaid5Years,
    ];

    /// The model's stable name: `monthly`, `prepaid_1y`, `prepaid_3y`,
    /// `prepaid_5y` (what the store and the API use; also its `Display`).
    pub fn name(self) -> &'static str {
        match self {
            BillingModel::Monthly => "monthly",
            BillingModel::Prepaid1Year => "prepaid_1y",
            BillingModel::Prepaid3Years => "prepaid_3y",
            BillingModel::Prepaid5Years => "prepaid_5y",
        }
    }

    /// Months in one term.
    pub fn term_months(self) -> u32 {
        match self {
            BillingModel::Monthly => 1,
            BillingModel::Prepaid1Year => 12,
            BillingModel::Prepaid3Years => 36,
            BillingModel::Prepaid5Years => 60,
        }
    }
}

impl FromStr for BillingModel {
    type Err = BillingError;

    /// Parses a [`name`](BillingModel::name).
    fn from_str(text: &str) -> Result<BillingModel> {
        from_name(
            &BillingModel::ALL,
            BillingModel::name,
            text,
            "billing model",
            "monthly, prepaid_1y, prepaid_3y, prepaid_5y",
        )
    }
}

impl fmt::Display for BillingModel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How often a subscription is invoiced; each invoice is issued at the
/// start of the period it covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BillingInterval {
    /// Every month.
    Monthly,
    /// Every three months.
    Quarterly,
    /// Every twelve months.
    Yearly,
}

impl BillingInterval {
    /// Every interval, in order.
    pub const ALL: [BillingInterval; 3] = [
        BillingInterval::Monthly,
        BillingInterval::Quarterly,
        BillingInterval::Yearly,
    ];

    /// The interval's stable name: `monthly`, `quarterly`, `yearly`.
    pub fn name(self) -> &'static str {
        match self {
            BillingInterval::Monthly => "monthly",
            BillingInterval::Quarterly => "quarterly",
            BillingInterval::Yearly => "yearly",
        }
    }

    /// Months between invoices.
    pub fn months(self) -> u32 {
        match self {
            BillingInterval::Monthly => 1,
            BillingInterval::Quarterly => 3,
            BillingInterval::Yearly => 12,
        }
    }

    /// The first day of the calendar cycle after the one `day` falls in: a
    /// customer's cycles run by the calendar (months; quarters from
    /// January, April, July, October; years from January), so a change of
    /// its cycle takes effect on this day.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use licentia_server::billing::BillingInterval;
    /// let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    /// assert_eq!(BillingInterval::Monthly.next_cycle(day(2027, 1, 31)), Some(day(2027, 2, 1)));
    /// assert_eq!(BillingInterval::Quarterly.next_cycle(day(2027, 5, 15)), Some(day(2027, 7, 1)));
    /// assert_eq!(BillingInterval::Quarterly.next_cycle(day(2027, 12, 1)), Some(day(2028, 1, 1)));
    /// assert_eq!(BillingInterval::Yearly.next_cycle(day(2027, 1, 1)), Some(day(2028, 1, 1)));
    /// ```
    pub fn next_cycle(self, day: NaiveDate) -> Option<NaiveDate> {
        use chrono::Datelike;
        let months = self.months();
        // The cycle's first month, counted from January (0-based).
        let first = (day.month0() / months) * months;
        NaiveDate::from_ymd_opt(day.year(), first + 1, 1)?
            .checked_add_months(chrono::Months::new(months))
    }
}

impl FromStr for BillingInterval {
    type Err = BillingError;

    /// Parses a [`name`](BillingInterval::name).
    fn from_str(text: &str) -> Result<BillingInterval> {
        from_name(
            &BillingInterval::ALL,
            BillingInterval::name,
            text,
            "billing interval",
            "monthly, quarterly, yearly",
        )
    }
}

impl fmt::Display for BillingInterval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What happens when a term ends (see
/// [`Contract::at_term_end`](super::Contract::at_term_end)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RenewalOption {
    /// The subscription ends with its term.
    None,
    /// It renews for one more term of the same model, then ends.
    Once,
    /// It renews for another term of the same model, each time.
    Always,
    /// It goes on month to month (monthly model, monthly invoices), renewing
    /// each month.
    SwitchToMonthly,
}

impl RenewalOption {
    /// Every option, in order.
    pub const ALL: [RenewalOption; 4] = [
        RenewalOption::None,
        RenewalOption::Once,
        RenewalOption::Always,
        RenewalOption::SwitchToMonthly,
    ];

    /// The option's stable name: `none`, `once`, `always`,
    /// `switch_to_monthly`.
    pub fn name(self) -> &'static str {
        match self {
            RenewalOption::None => "none",
            RenewalOption::Once => "once",
            RenewalOption::Always => "always",
            RenewalOption::SwitchToMonthly => "switch_to_monthly",
        }
    }
}

impl FromStr for RenewalOption {
    type Err = BillingError;

    /// Parses a [`name`](RenewalOption::name).
    fn from_str(text: &str) -> Result<RenewalOption> {
        from_name(
            &RenewalOption::ALL,
            RenewalOption::name,
            text,
            "renewal option",
            "none, once, always, switch_to_monthly",
        )
    }
}

impl fmt::Display for RenewalOption {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_names_say_what_is_expected() {
        for m in BillingModel::ALL {
            assert_eq!(m.to_string().parse::<BillingModel>().unwrap(), m);
        }
        for i in BillingInterval::ALL {
            assert_eq!(i.to_string().parse::<BillingInterval>().unwrap(), i);
        }
        for r in RenewalOption::ALL {
            assert_eq!(r.to_string().parse::<RenewalOption>().unwrap(), r);
        }
        let err = "biweekly".parse::<BillingInterval>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "'biweekly' is not a billing interval: expected one of monthly, quarterly, yearly"
        );
        assert!("Monthly".parse::<BillingModel>().is_err());
    }
}
