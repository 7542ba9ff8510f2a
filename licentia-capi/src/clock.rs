//! The clock guard's options: where its witness lives and whether a first
//! run happened, for `licentia_check_guarded`.
//!
//! An opaque handle with one setter per option, as rustls-ffi builds its
//! configs, rather than a struct: `licentia_check_context`'s layout is frozen
//! by the ABI promise, and a handle can gain options as new functions
//! without ever changing a layout again.

use std::ffi::c_char;

use crate::boundary::{guard, opt_str_arg, Handle, Out};
use crate::status::licentia_status;
use licentia::ClockGuardOptions;

/// The options C set, applied to the core's [`ClockGuardOptions`] when the
/// guard is opened.
#[derive(Debug, Clone, Default)]
pub(crate) struct ClockOptions {
    witness: Option<String>,
    started: bool,
}

impl ClockOptions {
    /// `options` with these settings on top.
    pub(crate) fn apply<'a>(&self, options: ClockGuardOptions<'a>) -> ClockGuardOptions<'a> {
        let options = options.started(self.started);
        match &self.witness {
            Some(path) => options.witness(path),
            None => options,
        }
    }
}

/// Options of the clock guard for `licentia_check_guarded`, from
/// `licentia_clock_options_new`, freed with `licentia_clock_options_free`.
/// A new one says what `licentia_check` does: the witness beside the state
/// (`<state>.witness`), and no first run known. Not thread-safe while being
/// set; read-only (any number of threads) during checks.
pub struct licentia_clock_options {
    _private: [u8; 0],
}

impl Handle for licentia_clock_options {
    type Rust = ClockOptions;
}

/// New clock-guard options with the defaults (see `licentia_clock_options`).
///
/// On success `*out` receives them, freed with `licentia_clock_options_free`.
///
/// # Safety
/// `out` is NULL or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn licentia_clock_options_new(
    out: *mut *mut licentia_clock_options,
) -> licentia_status {
    guard(|| {
        // SAFETY: caller's contract.
        unsafe { Out::new(out) }?.give(ClockOptions::default());
        Ok(())
    })
}

/// Where the guard's second copy, the witness, lives; NULL puts it back
/// beside the state (`<state>.witness`). A place outside the state's
/// directory (another directory the application owns) means that deleting
/// or restoring that whole directory is detected too. The path is copied.
///
/// # Safety
/// `options` is NULL or live options no other thread uses; `path` is NULL or
/// a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn licentia_clock_options_set_witness(
    options: *mut licentia_clock_options,
    path: *const c_char,
) -> licentia_status {
    guard(|| {
        // SAFETY: forwarded contract.
        let (options, path) = unsafe {
            (
                licentia_clock_options::arg_mut(options)?,
                opt_str_arg(path)?,
            )
        };
        options.witness = path.map(str::to_owned);
        Ok(())
    })
}

/// Whether a first run already happened (say true once the product is
/// activated, e.g. when its license file is on disk). Then a guard with
/// neither copy on disk is `LICENTIA_CLOCK_STATE_MISSING` instead of a fresh
/// start: without it, deleting both copies starts the guard again unseen.
///
/// # Safety
/// `options` is NULL or live options no other thread uses.
#[no_mangle]
pub unsafe extern "C" fn licentia_clock_options_set_started(
    options: *mut licentia_clock_options,
    started: bool,
) -> licentia_status {
    guard(|| {
        // SAFETY: forwarded contract.
        unsafe { licentia_clock_options::arg_mut(options) }?.started = started;
        Ok(())
    })
}

/// Frees clock-guard options. NULL is a no-op.
///
/// # Safety
/// `options` is NULL or live options no other thread uses; they must not be
/// used after this call.
#[no_mangle]
pub unsafe extern "C" fn licentia_clock_options_free(options: *mut licentia_clock_options) {
    // SAFETY: forwarded contract.
    unsafe { licentia_clock_options::free(options) }
}
