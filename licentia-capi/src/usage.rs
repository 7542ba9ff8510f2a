//! Metering: a license's meters read from the verified license, a batch of
//! consumption counted by the back office (`licentia_client_record_usage`),
//! and the offline usage report (`licentia_client_usage_report`).

use std::ffi::c_char;

use licentia::{LicenseId, Meter, MeterPeriod, UsageTotal};

use crate::boundary::{guard, nth, str_arg, Handle, Out, Outcome, StrOut};
use crate::client::{client_call, licentia_client};
use crate::license::{licentia_license, licentia_optional_time};
use crate::status::licentia_status::{self, *};

/// When a meter's quota renews: `licentia_meter.period`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum licentia_meter_period {
    /// Each UTC day.
    LICENTIA_METER_DAY = 0,
    /// Each UTC calendar month.
    LICENTIA_METER_MONTH = 1,
    /// Each UTC calendar year.
    LICENTIA_METER_YEAR = 2,
    /// Once, for the license's whole term.
    LICENTIA_METER_TERM = 3,
}

/// A meter the license carries (its name through `licentia_license_meter_name`):
/// how many units may be consumed per period. The back office counts and
/// enforces it; the product reads it to know what it may ask for.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct licentia_meter {
    /// Units allowed per period.
    pub quota: u64,
    /// When the quota renews.
    pub period: licentia_meter_period,
}

impl From<&Meter> for licentia_meter {
    fn from(m: &Meter) -> Self {
        licentia_meter {
            quota: m.quota,
            period: match m.period {
                MeterPeriod::Day => licentia_meter_period::LICENTIA_METER_DAY,
                MeterPeriod::Month => licentia_meter_period::LICENTIA_METER_MONTH,
                MeterPeriod::Year => licentia_meter_period::LICENTIA_METER_YEAR,
                MeterPeriod::Term => licentia_meter_period::LICENTIA_METER_TERM,
            },
        }
    }
}

/// How many meters the license carries; 0 when `license` is NULL. Index
/// them from 0 (sorted by name) with `licentia_license_meter_at`.
///
/// # Safety
/// `license` is NULL or a live license.
#[no_mangle]
pub unsafe extern "C" fn licentia_license_meter_count(license: *const licentia_license) -> usize {
    // SAFETY: forwarded contract.
    unsafe { licentia_license::get_or(license, 0, |l| l.meters.len()) }
}

/// Meter number `index` (sorted by name), into `*out`;
/// `LICENTIA_NOT_FOUND` past the last one.
///
/// # Safety
/// `license` is NULL or a live license; `out` is NULL or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn licentia_license_meter_at(
    license: *const licentia_license,
    index: usize,
    out: *mut licentia_meter,
) -> licentia_status {
    // SAFETY: forwarded contract.
    unsafe { licentia_license::read_into(license, out, |l| Ok(nth(&l.meters, index)?.into())) }
}

/// The name of meter number `index`; `LICENTIA_NOT_FOUND` past the last
/// one (strings out as `licentia_license_id`).
///
/// # Safety
/// As `licentia_license_id`.
#[no_mangle]
pub unsafe extern "C" fn licentia_license_meter_name(
    license: *const licentia_license,
    index: usize,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> licentia_status {
    // SAFETY: forwarded contract.
    unsafe {
        licentia_license::read_str(license, buf, buf_len, out_len, |l| {
            Ok(&nth(&l.meters, index)?.name)
        })
    }
}

/// The meter `name`, into `*out`; `LICENTIA_NOT_FOUND` when the license
/// does not carry it.
///
/// # Safety
/// `license` is NULL or a live license; `name` is NULL or a NUL-terminated
/// string; `out` is NULL or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn licentia_license_meter(
    license: *const licentia_license,
    name: *const c_char,
    out: *mut licentia_meter,
) -> licentia_status {
    guard(|| {
        // SAFETY: caller's contract.
        let (license, name, out) = unsafe {
            (
                licentia_license::arg(license)?,
                str_arg(name)?,
                Out::new(out)?,
            )
        };
        out.set(license.meter(name).ok_or(LICENTIA_NOT_FOUND)?.into());
        Ok(())
    })
}

/// What the license consumed of one meter in its current period, as the
/// back office counted it (from `licentia_client_record_usage`).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct licentia_meter_usage {
    /// Units consumed in the period.
    pub used: i64,
    /// Units allowed in the period.
    pub quota: i64,
    /// The period's first second (Unix seconds).
    pub period_start: i64,
    /// The first second after it; absent for the term of a license that
    /// never expires.
    pub period_end: licentia_optional_time,
}

/// The `count` records (`meters[i]`, `amounts[i]`) read in.
///
/// # Safety
/// `meters` is NULL or `count` pointers to NUL-terminated strings (or
/// NULL); `amounts` is NULL or `count` values.
unsafe fn records(
    meters: *const *const c_char,
    amounts: *const u64,
    count: usize,
) -> Outcome<Vec<UsageTotal>> {
    if count == 0 {
        return Ok(Vec::new());
    }
    if meters.is_null() || amounts.is_null() {
        return Err(LICENTIA_NULL_ARGUMENT);
    }
    crate::boundary::length_arg(count)?;
    // SAFETY: both hold `count` items (caller's contract), checked non-NULL.
    let (meters, amounts) = unsafe {
        (
            std::slice::from_raw_parts(meters, count),
            std::slice::from_raw_parts(amounts, count),
        )
    };
    meters
        .iter()
        .zip(amounts)
        // SAFETY: each name is NULL or NUL-terminated (caller's contract).
        .map(|(m, a)| Ok(UsageTotal::new(unsafe { str_arg(*m) }?, *a)))
        .collect()
}

/// Counts a batch of consumption against the meters of the license whose
/// key is `license_key`: `count` records, `amounts[i]` units of meter
/// `meters[i]` (1 to 100 records; a meter twice is summed). All or
/// nothing: past a quota the back office refuses the whole batch
/// (`LICENTIA_REFUSED`, problem `quota_exceeded` in
/// `licentia_client_error_message`) and counts nothing. `batch_id` (1 to
/// 255 visible characters) names the batch: sent again, a retry after a
/// lost answer, it is counted once.
///
/// When `out` is not NULL it holds `count` entries, and `out[i]` receives
/// the usage of meter `meters[i]` after the batch (written only on
/// success). Errors: `LICENTIA_REFUSED` (past a quota, a meter the license
/// does not carry, a bad batch), `LICENTIA_UNREACHABLE`,
/// `LICENTIA_BAD_ANSWER`, `LICENTIA_NULL_ARGUMENT`, `LICENTIA_INVALID_UTF8`.
///
/// # Safety
/// `client` is NULL or live; `license_key` and `batch_id` are NULL or
/// NUL-terminated strings; `meters` is NULL or `count` NUL-terminated
/// strings; `amounts` is NULL or `count` values; `out` is NULL or valid
/// for writes of `count` entries.
#[no_mangle]
pub unsafe extern "C" fn licentia_client_record_usage(
    client: *const licentia_client,
    license_key: *const c_char,
    batch_id: *const c_char,
    meters: *const *const c_char,
    amounts: *const u64,
    count: usize,
    out: *mut licentia_meter_usage,
) -> licentia_status {
    guard(|| {
        // SAFETY: caller's contract.
        let (client, key, batch, records) = unsafe {
            (
                licentia_client::arg(client)?,
                str_arg(license_key)?,
                str_arg(batch_id)?,
                records(meters, amounts, count)?,
            )
        };
        let after = client_call(|| client.record_usage(key, batch, &records))?;
        let mut usage = Vec::with_capacity(records.len());
        for r in &records {
            let m = after
                .iter()
                .find(|m| m.meter == r.meter)
                .ok_or(LICENTIA_BAD_ANSWER)?;
            usage.push(licentia_meter_usage {
                used: m.used,
                quota: m.quota,
                period_start: m.period_start,
                period_end: m.period_end.map(licentia::Timestamp).into(),
            });
        }
        if !out.is_null() {
            // SAFETY: `out` holds `count` entries (caller's contract).
            unsafe { std::ptr::copy_nonoverlapping(usage.as_ptr(), out, usage.len()) };
        }
        Ok(())
    })
}

/// Writes the offline usage report (armored, `-----BEGIN LICENTIA USAGE
/// REPORT-----`) of what this machine consumed of the meters of license
/// `license_id` (32 hex digits) since its previous report: `count`
/// records as for `licentia_client_record_usage`, numbered `counter`. The
/// application keeps the counter and raises it by one per report (the
/// first is 1): the back office accepts each counter once, in order.
/// Strings out as `licentia_license_id`; called again after
/// `LICENTIA_BUFFER_TOO_SMALL` it writes a report of the same length
/// (stamped with the time of that call). Unsigned: the customer's own
/// statement. Errors: `LICENTIA_INVALID_ARGUMENT` (a bad license id),
/// `LICENTIA_INVALID_SPEC` (a meter name that is not a code, more than 16
/// meters), `LICENTIA_NULL_ARGUMENT`, `LICENTIA_INVALID_UTF8`.
///
/// # Safety
/// `client` is NULL or live; `license_id` is NULL or a NUL-terminated
/// string; `meters` and `amounts` as for `licentia_client_record_usage`;
/// `buf` is NULL or valid for writes of `buf_len` bytes; `out_len` is NULL
/// or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn licentia_client_usage_report(
    client: *const licentia_client,
    license_id: *const c_char,
    counter: u64,
    meters: *const *const c_char,
    amounts: *const u64,
    count: usize,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> licentia_status {
    guard(|| {
        // SAFETY: caller's contract.
        let (out, client, id, records) = unsafe {
            (
                StrOut::new(buf, buf_len, out_len)?,
                licentia_client::arg(client)?,
                str_arg(license_id)?,
                records(meters, amounts, count)?,
            )
        };
        let id = client_call(|| LicenseId::parse(id))?;
        out.write(&client_call(|| client.usage_report(id, counter, records))?)
    })
}
