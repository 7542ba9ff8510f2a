//! The business operations of the back office, with no HTTP in them: the
//! API's handlers, the jobs and the command line all call these, so a rule
//! lives once. Each file is one business area.

use crate::error::{ApiError, ApiResult};
use licentia::Timestamp;

pub(crate) mod accounts;
pub(crate) mod activations;
pub(crate) mod catalogue;
pub(crate) mod changes;
pub(crate) mod contracts;
pub(crate) mod customers;
pub(crate) mod imports;
pub(crate) mod invoices;
pub(crate) mod keys;
pub(crate) mod licenses;
pub(crate) mod members;
pub(crate) mod notices;
pub(crate) mod people;
pub(crate) mod products;
pub(crate) mod purchases;
pub(crate) mod releases;
pub(crate) mod reports;
pub(crate) mod seat_rules;
pub(crate) mod subscriptions;
pub(crate) mod telephone;
pub(crate) mod tokens;
pub(crate) mod totp;
pub(crate) mod usage;

/// Now, from the system clock: the server's only clock reading.
pub(crate) fn now() -> Timestamp {
    Timestamp::now()
}

/// `value` if it is 1 to `max` characters without control characters.
pub(crate) fn text_field<'a>(field: &str, value: &'a str, max: usize) -> ApiResult<&'a str> {
    crate::bulk::text(value, max).ok_or_else(|| {
        ApiError::invalid(format!(
            "'{field}' must be 1 to {max} characters without control characters"
        ))
    })
}

/// An e-mail address field, trimmed; 422 when it is not one.
pub(crate) fn email_field(text: &str) -> ApiResult<String> {
    crate::bulk::email(text)
        .ok_or_else(|| ApiError::invalid(format!("'{}' is not an e-mail address", text.trim())))
}

/// An optional text field: none stays none, a given one is checked as
/// [`text_field`] checks it.
pub(crate) fn optional_text(
    field: &str,
    value: Option<&str>,
    max: usize,
) -> ApiResult<Option<String>> {
    value
        .map(|v| text_field(field, v, max).map(str::to_owned))
        .transpose()
}
