//! Where the product runs: a virtual machine, a container, each signal
//! named. A check context may carry one (`licentia_check_context.environment`).

use std::ffi::c_char;

use crate::boundary::{guard, Handle, Out};
use crate::status::licentia_status::{self, *};
use licentia::{Environment, EnvironmentKind, Probe};

/// What the environment probe saw: every signal, each named with what it
/// saw. Freed with `licentia_environment_free`; immutable, so any number of
/// threads may read it at once.
pub struct licentia_environment {
    _private: [u8; 0],
}

impl Handle for licentia_environment {
    type Rust = Environment;
}

/// What a signal points to. The numbers are stable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum licentia_environment_kind {
    /// A hypervisor runs the operating system.
    LICENTIA_ENVIRONMENT_VIRTUAL_MACHINE = 1,
    /// The process runs in a container.
    LICENTIA_ENVIRONMENT_CONTAINER = 2,
}

/// The kind a C number names.
pub(crate) fn kind_arg(kind: u32) -> Result<EnvironmentKind, licentia_status> {
    match kind {
        1 => Ok(EnvironmentKind::VirtualMachine),
        2 => Ok(EnvironmentKind::Container),
        _ => Err(LICENTIA_INVALID_ARGUMENT),
    }
}

/// This machine's environment: CPUID (x86_64), DMI strings, `/proc/cpuinfo`,
/// container marker files, cgroups and variables. Probed once per process
/// and kept (a few hundred microseconds the first time); this gives a copy.
///
/// On success `*out` receives a new environment, freed with
/// `licentia_environment_free`. Never fails but for `out` NULL: an
/// unreadable source is a signal not seen. Thread-safe.
///
/// # Safety
/// `out` is NULL or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn licentia_environment_probe(
    out: *mut *mut licentia_environment,
) -> licentia_status {
    guard(|| {
        // SAFETY: caller's contract.
        let out = unsafe { Out::new(out) }?;
        out.give(Environment::this_machine().clone());
        Ok(())
    })
}

/// Probes the tree under the directory `root` instead of `/` (a chroot, a
/// test's fake tree): its files only, no CPUID, no process variables. Each
/// file is read bounded (a few KiB).
///
/// On success `*out` receives a new environment, freed with
/// `licentia_environment_free`. Thread-safe.
///
/// # Safety
/// `root` is NULL or a NUL-terminated string; `out` is NULL or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn licentia_environment_probe_root(
    root: *const c_char,
    out: *mut *mut licentia_environment,
) -> licentia_status {
    // SAFETY: forwarded contract.
    unsafe { licentia_environment::new_from_str(root, out, |root| Ok(Probe::under(root).run())) }
}

/// Whether any signal of `kind` (a `licentia_environment_kind`) was seen;
/// false when `environment` is NULL or `kind` is not a kind.
///
/// # Safety
/// `environment` is NULL or a live environment.
#[no_mangle]
pub unsafe extern "C" fn licentia_environment_is(
    environment: *const licentia_environment,
    kind: u32,
) -> bool {
    // SAFETY: forwarded contract.
    unsafe {
        licentia_environment::get_or(environment, false, |e| {
            kind_arg(kind).is_ok_and(|kind| e.signals_of(kind).next().is_some())
        })
    }
}

/// The signals of `kind` (a `licentia_environment_kind`) as one line,
/// `name: what it saw; name: what it saw` — empty when none was seen
/// (strings out as `licentia_license_id`). `LICENTIA_INVALID_ARGUMENT` for
/// a `kind` that is not one.
///
/// # Safety
/// `environment` is NULL or a live environment; `buf` is NULL or valid for
/// writes of `buf_len` bytes; `out_len` is NULL or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn licentia_environment_evidence(
    environment: *const licentia_environment,
    kind: u32,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> licentia_status {
    // SAFETY: forwarded contract.
    unsafe {
        licentia_environment::read_str(environment, buf, buf_len, out_len, |e| {
            Ok(e.evidence(kind_arg(kind)?))
        })
    }
}

/// Frees an environment. NULL is a no-op.
///
/// # Safety
/// `environment` is NULL or a live environment no other thread uses; it
/// must not be used after this call.
#[no_mangle]
pub unsafe extern "C" fn licentia_environment_free(environment: *mut licentia_environment) {
    // SAFETY: forwarded contract.
    unsafe { licentia_environment::free(environment) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ptr;

    #[test]
    fn kinds_and_nulls() {
        let root = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/vectors/environments/docker"
        );
        let path = std::ffi::CString::new(root).unwrap();
        let mut env = ptr::null_mut();
        unsafe {
            assert_eq!(
                licentia_environment_probe_root(path.as_ptr(), &mut env),
                LICENTIA_OK
            );
            assert!(licentia_environment_is(env, 2));
            assert!(!licentia_environment_is(env, 1));
            assert!(!licentia_environment_is(env, 7));
            assert!(!licentia_environment_is(ptr::null(), 2));
            let mut len = 0;
            let status = licentia_environment_evidence(env, 9, ptr::null_mut(), 0, &mut len);
            assert_eq!(status, LICENTIA_INVALID_ARGUMENT);
            assert_eq!(
                licentia_environment_probe_root(ptr::null(), &mut env),
                LICENTIA_NULL_ARGUMENT
            );
            assert_eq!(
                licentia_environment_probe(ptr::null_mut()),
                LICENTIA_NULL_ARGUMENT
            );
            licentia_environment_free(env);
            licentia_environment_free(ptr::null_mut());
        }
    }
}
