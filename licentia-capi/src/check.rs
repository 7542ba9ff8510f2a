//! The check: a context struct in, a report handle out.

use std::ffi::c_char;
use std::ptr;

use crate::boundary::{bytes_arg, guard, nth, opt_str_arg, str_arg, Handle, Out, Outcome};
use crate::clock::{licentia_clock_options, ClockOptions};
use crate::environment::licentia_environment;
use crate::fingerprint::licentia_fingerprint;
use crate::license::licentia_license;
use crate::status::licentia_status::{self, *};
use crate::status::{licentia_rule, licentia_severity, licentia_state};
use crate::verifier::licentia_verifier;
use licentia::{
    ClockGuard, Context, Environment, Fingerprint, License, Report, Severity, Timestamp,
};

/// What the check needs to know about the running product. Times are Unix
/// seconds (UTC). Start from `{0}` and set what applies: every pointer may be
/// NULL except `product`, and every `has_` flag false means "not given".
///
/// The struct is only read during `licentia_check`; nothing is kept.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct licentia_check_context {
    /// The current time. The library never reads the clock itself.
    pub now: i64,
    /// The product code of the running application (required).
    pub product: *const c_char,
    /// This machine's fingerprint, for node-locked licenses; NULL for none.
    pub machine: *const licentia_fingerprint,
    /// When true (and `machine` is NULL), read this machine's default
    /// fingerprint for `product` (`licentia_fingerprint_this_machine`).
    /// Setting both is `LICENTIA_INVALID_ARGUMENT`.
    pub this_machine: bool,
    /// The current user, for named-user licenses; NULL for none.
    pub user: *const c_char,
    /// Whether `release_date` is given.
    pub has_release_date: bool,
    /// The running version's release date, for updates-until.
    pub release_date: i64,
    /// Whether `last_check_in` is given.
    pub has_last_check_in: bool,
    /// The last successful online check-in.
    pub last_check_in: i64,
    /// The verifier whose revocation list applies
    /// (`licentia_verifier_set_revocation_list`); NULL for none.
    pub revocations: *const licentia_verifier,
    /// Path of the clock-guard state file; NULL for no clock guard. When
    /// set, the check reports a clock behind the latest time seen, then
    /// records in the file (created with neither copy present) `now`,
    /// whatever the verdict, and the license's issue time, only when the
    /// verdict is valid (a refused license never moves the time seen). The
    /// file is per product and machine, sealed with `clock_secret`, and kept
    /// twice: a witness copy beside it, `<path>.witness`, so that deleting
    /// one (`LICENTIA_CLOCK_STATE_MISSING`) or putting back an older one
    /// (`LICENTIA_CLOCK_STATE_RESTORED`) is reported. To keep the witness
    /// elsewhere, or to say that a first run happened (so that deleting both
    /// copies is reported too), check with `licentia_check_guarded`.
    pub clock_state_path: *const c_char,
    /// The application's secret for the clock-guard file (bytes).
    pub clock_secret: *const u8,
    /// Length of `clock_secret`.
    pub clock_secret_len: usize,
}

/// The Rust side of C's `{0}`: no time, no product, nothing given.
impl Default for licentia_check_context {
    fn default() -> Self {
        licentia_check_context {
            now: 0,
            product: ptr::null(),
            machine: ptr::null(),
            this_machine: false,
            user: ptr::null(),
            has_release_date: false,
            release_date: 0,
            has_last_check_in: false,
            last_check_in: 0,
            revocations: ptr::null(),
            clock_state_path: ptr::null(),
            clock_secret: ptr::null(),
            clock_secret_len: 0,
        }
    }
}

/// The verdict of a check, from `licentia_check`; freed with
/// `licentia_report_free`. Immutable: any number of threads may read it.
pub struct licentia_report {
    _private: [u8; 0],
}

impl Handle for licentia_report {
    type Rust = Report;
}

/// One rule that failed or warned. Its message is read with
/// `licentia_report_finding_message`.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct licentia_finding {
    /// The rule's stable code (101..112 fail, 201..203 warn).
    pub rule: licentia_rule,
    /// Failure (denied) or warning (still valid).
    pub severity: licentia_severity,
    /// Whether `remaining_secs` is set (grace and check-in warnings).
    pub has_remaining: bool,
    /// How long the license keeps working, in seconds.
    pub remaining_secs: i64,
}

/// Checks a verified license against `ctx` and gives the verdict: the
/// state, every rule that failed or warned, and the grace remaining.
///
/// On success `*out` receives a new report, freed with
/// `licentia_report_free`. A license that is expired or for another machine
/// is still `LICENTIA_OK`: the verdict is in the report. Errors:
/// `LICENTIA_NULL_ARGUMENT` (`license`, `ctx`, `ctx->product` or `out`),
/// `LICENTIA_INVALID_UTF8`, `LICENTIA_INVALID_ARGUMENT` (both `machine` and
/// `this_machine`), `LICENTIA_FINGERPRINT` (`this_machine` and no machine id
/// here), and for the clock guard `LICENTIA_CLOCK_STATE_TAMPERED`,
/// `LICENTIA_CLOCK_STATE_MISSING`, `LICENTIA_CLOCK_STATE_RESTORED` and
/// `LICENTIA_IO`. The secret's length over `PTRDIFF_MAX` is
/// `LICENTIA_INVALID_ARGUMENT`.
///
/// Thread-safe for one license and many threads, except that two threads
/// must not share one `clock_state_path` at the same time.
///
/// # Safety
/// `license` is NULL or a live license; `ctx` is NULL or points to a context
/// whose pointers are NULL or valid as documented there; `out` is NULL or
/// valid for a write.
#[no_mangle]
pub unsafe extern "C" fn licentia_check(
    license: *const licentia_license,
    ctx: *const licentia_check_context,
    out: *mut *mut licentia_report,
) -> licentia_status {
    // SAFETY: forwarded contract.
    unsafe { check(license, ctx, None, ptr::null(), out) }
}

/// `licentia_check` with options for the clock guard
/// (`licentia_clock_options`): where its witness lives, whether a first run
/// happened. NULL `options` is exactly `licentia_check`.
///
/// Options with no guard to apply to (`ctx->clock_state_path` NULL) are
/// `LICENTIA_INVALID_ARGUMENT`: a caller who asked for the guard's checks
/// must not silently run without them. Otherwise as `licentia_check`; with
/// `started` set, neither copy on disk is `LICENTIA_CLOCK_STATE_MISSING`.
///
/// # Safety
/// As `licentia_check`; `options` is NULL or live options that no other
/// thread changes during the call.
#[no_mangle]
pub unsafe extern "C" fn licentia_check_guarded(
    license: *const licentia_license,
    ctx: *const licentia_check_context,
    options: *const licentia_clock_options,
    out: *mut *mut licentia_report,
) -> licentia_status {
    // SAFETY: forwarded contract.
    unsafe {
        check(
            license,
            ctx,
            licentia_clock_options::opt_arg(options),
            ptr::null(),
            out,
        )
    }
}

/// `licentia_check_guarded` in a given environment: where the product runs
/// (`licentia_environment_probe`, `licentia_environment_probe_root`), for a
/// license that refuses virtual machines or containers (rules
/// `LICENTIA_RULE_VIRTUAL_MACHINE_NOT_ALLOWED`,
/// `LICENTIA_RULE_CONTAINER_NOT_ALLOWED`, whose messages name the evidence).
///
/// The other checks need none: for such a license they probe this machine
/// themselves, once per process, and never for a license that restricts
/// nothing. NULL `environment` is exactly `licentia_check_guarded`; NULL
/// `options` as there. (A function of its own, so that
/// `licentia_check_context` keeps its layout.)
///
/// # Safety
/// As `licentia_check_guarded`; `environment` is NULL or a live environment.
#[no_mangle]
pub unsafe extern "C" fn licentia_check_in_environment(
    license: *const licentia_license,
    ctx: *const licentia_check_context,
    options: *const licentia_clock_options,
    environment: *const licentia_environment,
    out: *mut *mut licentia_report,
) -> licentia_status {
    // SAFETY: forwarded contract.
    unsafe {
        check(
            license,
            ctx,
            licentia_clock_options::opt_arg(options),
            environment,
            out,
        )
    }
}

/// Verifies license text (armored or compact) and checks it, in one call:
/// `licentia_verify` then `licentia_check`, with no license handle to free.
/// For a product that wants only the verdict, and for bindings, where each
/// foreign call has a cost of its own.
///
/// On success `*out` receives a new report, freed with
/// `licentia_report_free`. A license that verifies but is expired or for
/// another machine is `LICENTIA_OK`, the verdict in the report; one that
/// does not verify is its verification status (as `licentia_verify`) and
/// no report. Other errors as `licentia_check`. Thread-safe as both.
///
/// # Safety
/// `verifier` is NULL or a live verifier; `text` is NULL or a
/// NUL-terminated string; `ctx` and `out` as `licentia_check`.
#[no_mangle]
pub unsafe extern "C" fn licentia_verify_and_check(
    verifier: *const licentia_verifier,
    text: *const c_char,
    ctx: *const licentia_check_context,
    out: *mut *mut licentia_report,
) -> licentia_status {
    // SAFETY: forwarded contract.
    unsafe { licentia_verify_and_check_in_environment(verifier, text, ctx, ptr::null(), out) }
}

/// `licentia_verify_and_check` in a given environment (as
/// `licentia_check_in_environment`); NULL `environment` is exactly
/// `licentia_verify_and_check`.
///
/// # Safety
/// As `licentia_verify_and_check`; `environment` is NULL or a live
/// environment.
#[no_mangle]
pub unsafe extern "C" fn licentia_verify_and_check_in_environment(
    verifier: *const licentia_verifier,
    text: *const c_char,
    ctx: *const licentia_check_context,
    environment: *const licentia_environment,
    out: *mut *mut licentia_report,
) -> licentia_status {
    guard(|| {
        // SAFETY: caller's contract.
        let (verifier, text, c, environment, out) = unsafe {
            (
                licentia_verifier::arg(verifier)?,
                str_arg(text)?,
                ctx.as_ref().ok_or(LICENTIA_NULL_ARGUMENT)?,
                licentia_environment::opt_arg(environment),
                Out::new(out)?,
            )
        };
        let license = verifier.verifier.verify(text)?;
        // SAFETY: the context's pointers follow the caller's contract.
        out.give(unsafe { check_context(&license, c, None, environment) }?);
        Ok(())
    })
}

/// The body of both checks: the arguments in order, then the check.
///
/// # Safety
/// As `licentia_check`.
unsafe fn check(
    license: *const licentia_license,
    ctx: *const licentia_check_context,
    clock_options: Option<&ClockOptions>,
    environment: *const licentia_environment,
    out: *mut *mut licentia_report,
) -> licentia_status {
    guard(|| {
        // SAFETY: caller's contract.
        let (license, c, environment, out) = unsafe {
            (
                licentia_license::arg(license)?,
                ctx.as_ref().ok_or(LICENTIA_NULL_ARGUMENT)?,
                licentia_environment::opt_arg(environment),
                Out::new(out)?,
            )
        };
        // SAFETY: the context's pointers follow the caller's contract.
        out.give(unsafe { check_context(license, c, clock_options, environment) }?);
        Ok(())
    })
}

/// Reads the context, then checks `license` against it, guarded when the
/// context names a state file.
///
/// # Safety
/// The context's pointers are NULL or valid as documented on
/// `licentia_check_context`.
unsafe fn check_context(
    license: &License,
    c: &licentia_check_context,
    clock_options: Option<&ClockOptions>,
    environment: Option<&Environment>,
) -> Outcome<Report> {
    // SAFETY: the context's pointers follow the caller's contract.
    let (product, user, machine, revocations, clock_path, secret) = unsafe {
        (
            str_arg(c.product)?,
            opt_str_arg(c.user)?,
            licentia_fingerprint::opt_arg(c.machine),
            licentia_verifier::opt_arg(c.revocations),
            opt_str_arg(c.clock_state_path)?,
            bytes_arg(c.clock_secret, c.clock_secret_len)?,
        )
    };
    if clock_path.is_none() && clock_options.is_some() {
        return Err(LICENTIA_INVALID_ARGUMENT);
    }
    let this_machine;
    let machine = match (machine, c.this_machine) {
        (Some(_), true) => return Err(LICENTIA_INVALID_ARGUMENT),
        (Some(m), false) => Some(m),
        (None, true) => {
            this_machine = Fingerprint::this_machine(product)?;
            Some(&this_machine)
        }
        (None, false) => None,
    };
    let mut context = Context::new(Timestamp(c.now), product);
    context.machine = machine;
    context.user = user;
    context.release_date = c.has_release_date.then_some(Timestamp(c.release_date));
    context.last_check_in = c.has_last_check_in.then_some(Timestamp(c.last_check_in));
    context.revocations = revocations.and_then(|v| v.revocations.as_ref());
    context.environment = environment;
    Ok(match clock_path {
        Some(path) => {
            let mut options = ClockGuard::options(product, secret);
            if let Some(clock_options) = clock_options {
                options = clock_options.apply(options);
            }
            license.check_guarded(&context, &mut options.open(path)?)?
        }
        None => license.check(&context),
    })
}

/// The overall state; `LICENTIA_STATE_INVALID` when `report` is NULL.
///
/// # Safety
/// `report` is NULL or a live report.
#[no_mangle]
pub unsafe extern "C" fn licentia_report_state(report: *const licentia_report) -> licentia_state {
    // SAFETY: forwarded contract.
    unsafe {
        licentia_report::get_or(report, licentia_state::LICENTIA_STATE_INVALID, |r| {
            r.state.into()
        })
    }
}

/// How many rules failed or warned (failures first, then by code); 0 when
/// `report` is NULL.
///
/// # Safety
/// `report` is NULL or a live report.
#[no_mangle]
pub unsafe extern "C" fn licentia_report_finding_count(report: *const licentia_report) -> usize {
    // SAFETY: forwarded contract.
    unsafe { licentia_report::get_or(report, 0, |r| r.findings.len()) }
}

/// Finding number `index` (from 0), into `*out`; `LICENTIA_NOT_FOUND` past
/// the last one.
///
/// # Safety
/// `report` is NULL or a live report; `out` is NULL or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn licentia_report_finding(
    report: *const licentia_report,
    index: usize,
    out: *mut licentia_finding,
) -> licentia_status {
    // SAFETY: forwarded contract.
    unsafe {
        licentia_report::read_into(report, out, |report| {
            let finding = nth(&report.findings, index)?;
            Ok(licentia_finding {
                rule: finding.rule.into(),
                severity: match finding.rule.severity() {
                    Severity::Failure => licentia_severity::LICENTIA_SEVERITY_FAILURE,
                    Severity::Warning => licentia_severity::LICENTIA_SEVERITY_WARNING,
                },
                has_remaining: finding.remaining_secs.is_some(),
                remaining_secs: finding.remaining_secs.unwrap_or(0),
            })
        })
    }
}

/// The message of finding number `index`: what happened and what to do, in
/// a sentence; `LICENTIA_NOT_FOUND` past the last one (strings out as
/// `licentia_license_id`).
///
/// # Safety
/// `report` is NULL or a live report; `buf` is NULL or valid for writes of
/// `buf_len` bytes; `out_len` is NULL or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn licentia_report_finding_message(
    report: *const licentia_report,
    index: usize,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> licentia_status {
    // SAFETY: forwarded contract.
    unsafe {
        licentia_report::read_str(report, buf, buf_len, out_len, |r| {
            Ok(&nth(&r.findings, index)?.message)
        })
    }
}

/// Seconds left of the shortest grace still running (expiry grace,
/// check-in allowance), into `*out_secs`; `LICENTIA_NOT_FOUND` when no grace
/// is running.
///
/// # Safety
/// `report` is NULL or a live report; `out_secs` is NULL or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn licentia_report_grace_remaining(
    report: *const licentia_report,
    out_secs: *mut i64,
) -> licentia_status {
    // SAFETY: forwarded contract.
    unsafe {
        licentia_report::read_into(report, out_secs, |r| {
            r.grace_remaining_secs.ok_or(LICENTIA_NOT_FOUND)
        })
    }
}

/// The whole report as text for a person: the state, then one line per
/// finding with its code, name and message (strings out as
/// `licentia_license_id`).
///
/// # Safety
/// `report` is NULL or a live report; `buf` is NULL or valid for writes of
/// `buf_len` bytes; `out_len` is NULL or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn licentia_report_to_text(
    report: *const licentia_report,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> licentia_status {
    // SAFETY: forwarded contract.
    unsafe { licentia_report::read_str(report, buf, buf_len, out_len, |r| Ok(r.to_string())) }
}

/// Frees a report. NULL is a no-op.
///
/// # Safety
/// `report` is NULL or a live report no other thread uses; it must not be
/// used after this call.
#[no_mangle]
pub unsafe extern "C" fn licentia_report_free(report: *mut licentia_report) {
    // SAFETY: forwarded contract.
    unsafe { licentia_report::free(report) }
}
