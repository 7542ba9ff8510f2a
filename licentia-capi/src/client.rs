//! The product's online half for C: a client of the back office that
//! activates this machine, checks in, holds a floating lease and gives the
//! machine back (the core's `licentia::client`).
//!
//! A `licentia_client_config` is set up with one setter per option (as
//! rustls-ffi builds its configs), then `licentia_client_new` makes the
//! client. Its calls block. A failed call's words (the back office's own,
//! for a refusal) are kept per thread for `licentia_client_error_message`.

use std::cell::RefCell;
use std::ffi::c_char;
use std::time::Duration;

use crate::boundary::{bytes_arg, guard, opt_str_arg, str_arg, Handle, Out, Outcome, StrOut};
use crate::check::licentia_report;
use crate::fingerprint::licentia_fingerprint;
use crate::license::{licentia_license, licentia_optional_time};
use crate::status::licentia_status::{self, *};
use crate::verifier::licentia_verifier;
use licentia::client::{Client, Lease, Status};
use licentia::{Fingerprint, PublicKey};

thread_local! {
    /// The words of this thread's last failed client call.
    static LAST_ERROR: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Runs a client call: its error's status, its words kept for
/// `licentia_client_error_message`.
pub(crate) fn client_call<T>(call: impl FnOnce() -> licentia::Result<T>) -> Outcome<T> {
    call().map_err(|e| {
        LAST_ERROR.with(|last| *last.borrow_mut() = e.to_string());
        licentia_status::from(&e)
    })
}

/// What a config holds until the client is made.
#[derive(Debug, Clone)]
pub(crate) struct ClientConfig {
    server: String,
    product: String,
    keys: Vec<PublicKey>,
    store: Option<String>,
    ca_file: Option<String>,
    pins: Vec<[u8; 32]>,
    machine: Option<Fingerprint>,
    timeout: Option<Duration>,
    retries: Option<(u32, Duration)>,
    clock_secret: Option<Vec<u8>>,
}

/// The settings of a client, from `licentia_client_config_new`, freed with
/// `licentia_client_config_free`. Not thread-safe while being set.
pub struct licentia_client_config {
    _private: [u8; 0],
}

impl Handle for licentia_client_config {
    type Rust = ClientConfig;
}

/// A client of the back office, from `licentia_client_new`, freed with
/// `licentia_client_free`. Every call takes a `const licentia_client *`:
/// threads may share one, though calls that change its store (activate,
/// check in, deactivate, leases) are best made from one thread.
pub struct licentia_client {
    _private: [u8; 0],
}

impl Handle for licentia_client {
    type Rust = Client;
}

/// Where a license stands for this machine after a client call, freed with
/// `licentia_client_status_free`. Immutable: any number of threads may read it.
pub struct licentia_client_status {
    _private: [u8; 0],
}

impl Handle for licentia_client_status {
    type Rust = Status;
}

/// New settings for a client of the back office at `server`
/// (`https://...`) for `product`, trusting the keys `verifier` trusts
/// (copied: the verifier may be freed after). A store directory must be set
/// (`licentia_client_config_set_store`) before `licentia_client_new`.
///
/// # Safety
/// `server` and `product` are NULL or NUL-terminated strings; `verifier` is
/// NULL or a live verifier; `out` is NULL or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn licentia_client_config_new(
    server: *const c_char,
    product: *const c_char,
    verifier: *const licentia_verifier,
    out: *mut *mut licentia_client_config,
) -> licentia_status {
    guard(|| {
        // SAFETY: caller's contract.
        let (server, product, verifier, out) = unsafe {
            (
                str_arg(server)?,
                str_arg(product)?,
                licentia_verifier::arg(verifier)?,
                Out::new(out)?,
            )
        };
        out.give(ClientConfig {
            server: server.to_owned(),
            product: product.to_owned(),
            keys: verifier
                .verifier
                .keys()
                .iter()
                .map(|t| t.key.clone())
                .collect(),
            store: None,
            ca_file: None,
            pins: Vec::new(),
            machine: None,
            timeout: None,
            retries: None,
            clock_secret: None,
        });
        Ok(())
    })
}

/// Runs `set` on a config C passed in.
///
/// # Safety
/// `config` is NULL or live settings no other thread uses.
unsafe fn set(
    config: *mut licentia_client_config,
    set: impl FnOnce(&mut ClientConfig) -> Outcome,
) -> licentia_status {
    guard(|| {
        // SAFETY: forwarded contract.
        set(unsafe { licentia_client_config::arg_mut(config) }?)
    })
}

/// The directory the client keeps the license, activation and lease in
/// (made 0700 if missing). Copied.
///
/// # Safety
/// `config` is NULL or live settings no other thread uses; `dir` is NULL or
/// a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn licentia_client_config_set_store(
    config: *mut licentia_client_config,
    dir: *const c_char,
) -> licentia_status {
    // SAFETY: forwarded contract.
    unsafe {
        set(config, |c| {
            c.store = Some(str_arg(dir)?.to_owned());
            Ok(())
        })
    }
}

/// Trust the certificates of this PEM file (a private CA) for the back
/// office instead of the built-in Mozilla roots; NULL goes back to those.
///
/// # Safety
/// As `licentia_client_config_set_store`; `path` is NULL or a
/// NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn licentia_client_config_set_ca_file(
    config: *mut licentia_client_config,
    path: *const c_char,
) -> licentia_status {
    // SAFETY: forwarded contract.
    unsafe {
        set(config, |c| {
            c.ca_file = opt_str_arg(path)?.map(str::to_owned);
            Ok(())
        })
    }
}

/// Pins the back office's certificate: the client connects only when the
/// server presents a certificate (its own or one of its chain's) whose
/// SHA-256 — of its SubjectPublicKeyInfo, or of the whole DER certificate —
/// is `pin`, given as 64 hex digits (colons allowed) or 44 base64
/// characters. On top of the chain check against the roots (Mozilla's or
/// the CA file); call it again to allow more than one. A connection to any
/// other certificate fails with `LICENTIA_UNREACHABLE` and keeps nothing.
/// `LICENTIA_INVALID_ARGUMENT` for a pin that is not a SHA-256 in either
/// form (the words in `licentia_client_error_message`).
///
/// # Safety
/// As `licentia_client_config_set_store`; `pin` is NULL or a
/// NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn licentia_client_config_add_pin(
    config: *mut licentia_client_config,
    pin: *const c_char,
) -> licentia_status {
    // SAFETY: forwarded contract.
    unsafe {
        set(config, |c| {
            let pin = str_arg(pin)?;
            c.pins
                .push(client_call(|| licentia::client::parse_pin(pin))?);
            Ok(())
        })
    }
}

/// This machine's fingerprint (copied); by default the client reads this
/// machine's own.
///
/// # Safety
/// As `licentia_client_config_set_store`; `fingerprint` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn licentia_client_config_set_machine(
    config: *mut licentia_client_config,
    fingerprint: *const licentia_fingerprint,
) -> licentia_status {
    // SAFETY: forwarded contract.
    unsafe {
        set(config, |c| {
            c.machine = Some(licentia_fingerprint::arg(fingerprint)?.clone());
            Ok(())
        })
    }
}

/// How long one request may take, connection included, in milliseconds
/// (default 15000; 0 is `LICENTIA_INVALID_ARGUMENT`).
///
/// # Safety
/// As `licentia_client_config_set_store`.
#[no_mangle]
pub unsafe extern "C" fn licentia_client_config_set_timeout_ms(
    config: *mut licentia_client_config,
    timeout_ms: u32,
) -> licentia_status {
    // SAFETY: forwarded contract.
    unsafe {
        set(config, |c| {
            if timeout_ms == 0 {
                return Err(LICENTIA_INVALID_ARGUMENT);
            }
            c.timeout = Some(Duration::from_millis(timeout_ms.into()));
            Ok(())
        })
    }
}

/// How many times a request that got no answer is sent again (default 2,
/// at most 8) and the first wait in milliseconds (default 500, doubled each
/// time). A request that could take a second seat is sent again only when
/// it never reached the server.
///
/// # Safety
/// As `licentia_client_config_set_store`.
#[no_mangle]
pub unsafe extern "C" fn licentia_client_config_set_retries(
    config: *mut licentia_client_config,
    retries: u32,
    backoff_ms: u32,
) -> licentia_status {
    // SAFETY: forwarded contract.
    unsafe {
        set(config, |c| {
            c.retries = Some((retries, Duration::from_millis(backoff_ms.into())));
            Ok(())
        })
    }
}

/// Guard the offline checks against a clock turned back, with the
/// application's own secret (copied); the guard's state is kept in the
/// store. See `licentia_check_guarded`.
///
/// # Safety
/// As `licentia_client_config_set_store`; `secret` is NULL (with
/// `secret_len` 0) or valid for reads of `secret_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn licentia_client_config_set_clock_secret(
    config: *mut licentia_client_config,
    secret: *const u8,
    secret_len: usize,
) -> licentia_status {
    // SAFETY: forwarded contract.
    unsafe {
        set(config, |c| {
            c.clock_secret = Some(bytes_arg(secret, secret_len)?.to_vec());
            Ok(())
        })
    }
}

/// Frees client settings. NULL is a no-op.
///
/// # Safety
/// `config` is NULL or live settings no other thread uses; not used after.
#[no_mangle]
pub unsafe extern "C" fn licentia_client_config_free(config: *mut licentia_client_config) {
    // SAFETY: forwarded contract.
    unsafe { licentia_client_config::free(config) }
}

/// Makes the client the settings describe (they may be freed after).
/// Errors: `LICENTIA_INVALID_ARGUMENT` (no store, no trusted key, a server
/// address that is not `https://`, a CA file with no certificate; the words
/// in `licentia_client_error_message`), `LICENTIA_IO` (the store cannot be
/// made), `LICENTIA_FINGERPRINT` (no machine set and none readable here).
///
/// # Safety
/// `config` is NULL or live settings; `out` is NULL or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn licentia_client_new(
    config: *const licentia_client_config,
    out: *mut *mut licentia_client,
) -> licentia_status {
    guard(|| {
        // SAFETY: caller's contract.
        let (c, out) = unsafe { (licentia_client_config::arg(config)?, Out::new(out)?) };
        let client = client_call(|| {
            let mut builder = Client::builder(&c.server, &c.product, c.keys.clone());
            if let Some(dir) = &c.store {
                builder = builder.store(dir);
            }
            if let Some(path) = &c.ca_file {
                builder = builder.ca_file(path);
            }
            for pin in &c.pins {
                builder = builder.pin_certificate(*pin);
            }
            if let Some(machine) = &c.machine {
                builder = builder.machine(machine.clone());
            }
            if let Some(timeout) = c.timeout {
                builder = builder.timeout(timeout);
            }
            if let Some((retries, backoff)) = c.retries {
                builder = builder.retries(retries, backoff);
            }
            if let Some(secret) = &c.clock_secret {
                builder = builder.clock_guard(secret);
            }
            builder.build()
        })?;
        out.give(client);
        Ok(())
    })
}

/// Frees a client. NULL is a no-op.
///
/// # Safety
/// `client` is NULL or a live client no other thread uses; not used after.
#[no_mangle]
pub unsafe extern "C" fn licentia_client_free(client: *mut licentia_client) {
    // SAFETY: forwarded contract.
    unsafe { licentia_client::free(client) }
}

/// A call on a client that gives a status handle out.
///
/// # Safety
/// `client` is NULL or live; `out` is NULL or valid for a write.
unsafe fn give_status(
    client: *const licentia_client,
    out: *mut *mut licentia_client_status,
    call: impl FnOnce(&Client) -> licentia::Result<Status>,
) -> licentia_status {
    // SAFETY: forwarded contract.
    unsafe { licentia_client::give(client, out, |c| client_call(|| call(c))) }
}

/// Activates this machine with `license_key`: one seat taken, the
/// machine-locked file verified and kept in the store. Errors:
/// `LICENTIA_REFUSED` (the back office said no: no seat left, a revoked
/// license...), `LICENTIA_UNREACHABLE`, `LICENTIA_BAD_ANSWER`, a
/// verification status (`LICENTIA_UNKNOWN_KEY_ID`, `LICENTIA_BAD_SIGNATURE`)
/// for a file that is not the vendor's; after any error nothing is kept.
///
/// # Safety
/// `client` is NULL or live; `license_key` is NULL or a NUL-terminated
/// string; `out` is NULL or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn licentia_client_activate(
    client: *const licentia_client,
    license_key: *const c_char,
    out: *mut *mut licentia_client_status,
) -> licentia_status {
    guard(|| {
        // SAFETY: forwarded contract.
        let key = unsafe { str_arg(license_key) }?;
        // SAFETY: forwarded contract.
        match unsafe { give_status(client, out, |c| c.activate(key)) } {
            LICENTIA_OK => Ok(()),
            status => Err(status),
        }
    })
}

/// Checks in: a fresh file from the back office, verified and kept. When
/// the back office cannot be reached this is still `LICENTIA_OK`: the
/// stored license checked offline, `licentia_client_status_online` false
/// and its grace in `licentia_client_status_grace_days`. A refusal (the
/// license revoked, the machine deactivated) is `LICENTIA_REFUSED`, the
/// stored file unchanged; `LICENTIA_NOT_ACTIVATED` before an activation.
///
/// # Safety
/// `client` is NULL or live; `out` is NULL or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn licentia_client_check_in(
    client: *const licentia_client,
    out: *mut *mut licentia_client_status,
) -> licentia_status {
    // SAFETY: forwarded contract.
    unsafe { give_status(client, out, Client::check_in) }
}

/// The stored license checked offline now, without calling the back
/// office; `LICENTIA_NOT_ACTIVATED` before an activation.
///
/// # Safety
/// `client` is NULL or live; `out` is NULL or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn licentia_client_check_offline(
    client: *const licentia_client,
    out: *mut *mut licentia_client_status,
) -> licentia_status {
    // SAFETY: forwarded contract.
    unsafe {
        give_status(client, out, |c| {
            c.status()?.ok_or(licentia::Error::NotActivated)
        })
    }
}

/// Where the back office holds a license: `licentia_validation.standing`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum licentia_standing {
    /// In force.
    LICENTIA_STANDING_ACTIVE = 0,
    /// Suspended: may be reinstated.
    LICENTIA_STANDING_SUSPENDED = 1,
    /// Revoked for good.
    LICENTIA_STANDING_REVOKED = 2,
}

/// The back office's view of the license and this machine, from
/// `licentia_client_validate`.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct licentia_validation {
    /// Active, suspended or revoked.
    pub standing: licentia_standing,
    /// The license's seats.
    pub seats: i64,
    /// Seats taken.
    pub seats_used: i64,
    /// When it expires, if it does.
    pub expires_at: licentia_optional_time,
    /// Whether this machine holds a live activation there (false: it was
    /// deactivated on the server, or moved).
    pub activated: bool,
    /// Whether a fresh file came (the terms changed) and was kept: read it
    /// with `licentia_client_check_offline`.
    pub refreshed: bool,
}

/// Asks the back office how the license and this machine stand, taking no
/// seat; when the terms changed since the file held, the fresh file is
/// verified and kept (`refreshed`). `LICENTIA_NOT_ACTIVATED` before an
/// activation; `LICENTIA_BAD_ANSWER` for a standing this library does not
/// know.
///
/// # Safety
/// `client` is NULL or live; `out` is NULL or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn licentia_client_validate(
    client: *const licentia_client,
    out: *mut licentia_validation,
) -> licentia_status {
    // SAFETY: forwarded contract.
    unsafe {
        licentia_client::read_into(client, out, |c| {
            let view = client_call(|| c.validate())?;
            let standing = match view.status.as_str() {
                "active" => licentia_standing::LICENTIA_STANDING_ACTIVE,
                "suspended" => licentia_standing::LICENTIA_STANDING_SUSPENDED,
                "revoked" => licentia_standing::LICENTIA_STANDING_REVOKED,
                other => {
                    return client_call(|| {
                        Err(licentia::Error::BadAnswer(format!("standing {other}")))
                    })
                }
            };
            Ok(licentia_validation {
                standing,
                seats: view.seats,
                seats_used: view.seats_used,
                expires_at: view.expires_at.into(),
                activated: view.activated,
                refreshed: view.refreshed.is_some(),
            })
        })
    }
}

/// Runs a call on a client and a license key that gives nothing out.
///
/// # Safety
/// `client` is NULL or live; `license_key` is NULL or NUL-terminated.
unsafe fn with_key<T>(
    client: *const licentia_client,
    license_key: *const c_char,
    call: impl FnOnce(&Client, &str) -> licentia::Result<T>,
) -> Outcome<T> {
    // SAFETY: forwarded contract.
    let (client, key) = unsafe { (licentia_client::arg(client)?, str_arg(license_key)?) };
    client_call(|| call(client, key))
}

/// Gives this machine's seat back (and any lease held) and forgets the
/// activation. The back office must answer: `LICENTIA_UNREACHABLE` keeps
/// everything, to try again later.
///
/// # Safety
/// `client` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn licentia_client_deactivate(
    client: *const licentia_client,
) -> licentia_status {
    guard(|| {
        // SAFETY: forwarded contract.
        let client = unsafe { licentia_client::arg(client) }?;
        client_call(|| client.deactivate())
    })
}

/// Fetches the product's signed revocation list from the back office,
/// verifies it, and keeps it in the store when it is newer than the one
/// held; the sequence of the list held afterwards into `*out_sequence`
/// (when not NULL). From then on every check of the client (check-in, the
/// offline check) applies it: a revoked license
/// (`LICENTIA_RULE_REVOKED`), or this machine's copy of a license it gave
/// back (`LICENTIA_RULE_MACHINE_RELEASED`), is invalid. Errors as
/// `licentia_client_check_in`'s; a list signed by an untrusted key is
/// `LICENTIA_UNKNOWN_KEY_ID` and nothing is kept.
///
/// # Safety
/// `client` is NULL or live; `out_sequence` is NULL or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn licentia_client_refresh_revocations(
    client: *const licentia_client,
    out_sequence: *mut u64,
) -> licentia_status {
    guard(|| {
        // SAFETY: forwarded contract.
        let client = unsafe { licentia_client::arg(client) }?;
        let list = client_call(|| client.refresh_revocations())?;
        // SAFETY: caller's contract.
        if let Some(out) = unsafe { out_sequence.as_mut() } {
            *out = list.sequence;
        }
        Ok(())
    })
}

/// The armored revocation list the client holds (strings out as
/// `licentia_license_id`), to give to a verifier of the application's own
/// (`licentia_verifier_set_revocation_list`); `LICENTIA_NOT_FOUND` when
/// none was fetched yet.
///
/// # Safety
/// `client` is NULL or live; `buf` is NULL or valid for writes of `buf_len`
/// bytes; `out_len` is NULL or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn licentia_client_revocation_list(
    client: *const licentia_client,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> licentia_status {
    // SAFETY: forwarded contract.
    unsafe {
        licentia_client::read_str(client, buf, buf_len, out_len, |c| {
            client_call(|| c.revocations_text())?.ok_or(LICENTIA_NOT_FOUND)
        })
    }
}

/// Gives this machine's license back without the back office: deletes the
/// license file and the activation (and any lease) from the store, and
/// writes the offline deactivation request to carry to the back office
/// (armored; strings out as `licentia_license_id`). The request is kept
/// in the store until its receipt is accepted: called again (with a larger
/// buffer after `LICENTIA_BUFFER_TOO_SMALL`), it writes the same request.
/// `LICENTIA_NOT_ACTIVATED` when there is nothing to give back.
///
/// # Safety
/// `client` is NULL or live; `buf` is NULL or valid for writes of `buf_len`
/// bytes; `out_len` is NULL or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn licentia_client_deactivate_offline(
    client: *const licentia_client,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> licentia_status {
    // SAFETY: forwarded contract.
    unsafe {
        licentia_client::read_str(client, buf, buf_len, out_len, |c| {
            client_call(|| c.deactivate_offline())
        })
    }
}

/// Verifies the back office's receipt for the pending offline
/// deactivation — signed by a trusted key, for this very request (license,
/// machine, file, nonce) — and forgets the request.
/// `LICENTIA_RECEIPT_MISMATCH` for a receipt of another license or
/// request (the request stays pending), `LICENTIA_NOT_ACTIVATED` when no
/// request is pending, a verification status for a receipt that is not
/// the vendor's.
///
/// # Safety
/// `client` is NULL or live; `receipt` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn licentia_client_accept_deactivation_receipt(
    client: *const licentia_client,
    receipt: *const c_char,
) -> licentia_status {
    guard(|| {
        // SAFETY: forwarded contract.
        let (client, receipt) = unsafe { (licentia_client::arg(client)?, str_arg(receipt)?) };
        client_call(|| client.accept_deactivation_receipt(receipt))?;
        Ok(())
    })
}

/// Writes a lease's end, when the caller asked for it.
fn lease_end(lease: &Lease, out: Option<&mut i64>) {
    if let Some(out) = out {
        *out = lease.expires_at.0;
    }
}

/// Checks a floating seat out for this machine with the floating license's
/// key; its end (Unix seconds) into `*out_expires_at` when not NULL.
/// `LICENTIA_REFUSED` when every seat is taken.
///
/// # Safety
/// `client` is NULL or live; `license_key` is NULL or NUL-terminated;
/// `out_expires_at` is NULL or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn licentia_client_checkout_lease(
    client: *const licentia_client,
    license_key: *const c_char,
    out_expires_at: *mut i64,
) -> licentia_status {
    guard(|| {
        // SAFETY: forwarded contract.
        let lease = unsafe { with_key(client, license_key, Client::checkout_lease) }?;
        // SAFETY: caller's contract.
        lease_end(&lease, unsafe { out_expires_at.as_mut() });
        Ok(())
    })
}

/// The polling form of a background heartbeat: extends the lease held once
/// half its time is gone, else does nothing. `*out_renewed` (when not NULL)
/// says which; `*out_expires_at` (when not NULL) the lease's end either
/// way. Call it every minute or so from the application's own timer.
/// `LICENTIA_NOT_ACTIVATED` when no lease is held.
///
/// # Safety
/// `client` is NULL or live; `license_key` is NULL or NUL-terminated; the
/// out pointers are NULL or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn licentia_client_heartbeat_if_due(
    client: *const licentia_client,
    license_key: *const c_char,
    out_renewed: *mut bool,
    out_expires_at: *mut i64,
) -> licentia_status {
    guard(|| {
        // SAFETY: forwarded contract.
        let (renewed, held) = unsafe {
            with_key(client, license_key, |c, key| {
                let renewed = c.heartbeat_if_due(key)?;
                let held = c.lease()?.ok_or(licentia::Error::NotActivated)?;
                Ok((renewed.is_some(), held))
            })
        }?;
        // SAFETY: caller's contract.
        if let Some(out) = unsafe { out_renewed.as_mut() } {
            *out = renewed;
        }
        // SAFETY: caller's contract.
        lease_end(&held, unsafe { out_expires_at.as_mut() });
        Ok(())
    })
}

/// Returns the lease held early, freeing its seat.
///
/// # Safety
/// `client` is NULL or live; `license_key` is NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn licentia_client_return_lease(
    client: *const licentia_client,
    license_key: *const c_char,
) -> licentia_status {
    // SAFETY: forwarded contract.
    guard(|| unsafe { with_key(client, license_key, Client::return_lease) })
}

/// The words of this thread's last failed client call (the back office's
/// own for `LICENTIA_REFUSED`: `"the back office refused (409
/// no_seat_available): ..."`), strings out as `licentia_license_id`; empty
/// before any failure.
///
/// # Safety
/// `buf` is NULL or valid for writes of `buf_len` bytes; `out_len` is NULL
/// or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn licentia_client_error_message(
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> licentia_status {
    guard(|| {
        // SAFETY: forwarded contract.
        let out = unsafe { StrOut::new(buf, buf_len, out_len) }?;
        LAST_ERROR.with(|last| out.write(&last.borrow()))
    })
}

/// Whether the back office answered the call that made this status (false:
/// the stored license was checked offline).
///
/// # Safety
/// `status` is NULL (false) or live.
#[no_mangle]
pub unsafe extern "C" fn licentia_client_status_online(
    status: *const licentia_client_status,
) -> bool {
    // SAFETY: forwarded contract.
    unsafe { licentia_client_status::get_or(status, false, |s| s.online) }
}

/// Whole days of grace left offline into `*out_days`; `LICENTIA_NOT_FOUND`
/// when no grace is running.
///
/// # Safety
/// `status` is NULL or live; `out_days` is NULL or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn licentia_client_status_grace_days(
    status: *const licentia_client_status,
    out_days: *mut i64,
) -> licentia_status {
    // SAFETY: forwarded contract.
    unsafe {
        licentia_client_status::read_into(status, out_days, |s| {
            s.grace_days_left().ok_or(LICENTIA_NOT_FOUND)
        })
    }
}

/// Why the back office could not be reached (strings out as
/// `licentia_license_id`); `LICENTIA_NOT_FOUND` when it answered.
///
/// # Safety
/// `status` is NULL or live; `buf` is NULL or valid for writes of `buf_len`
/// bytes; `out_len` is NULL or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn licentia_client_status_offline_reason(
    status: *const licentia_client_status,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> licentia_status {
    // SAFETY: forwarded contract.
    unsafe {
        licentia_client_status::read_str(status, buf, buf_len, out_len, |s| {
            s.offline_reason.as_deref().ok_or(LICENTIA_NOT_FOUND)
        })
    }
}

/// The check's verdict: a new report (freed with `licentia_report_free`).
///
/// # Safety
/// `status` is NULL or live; `out` is NULL or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn licentia_client_status_report(
    status: *const licentia_client_status,
    out: *mut *mut licentia_report,
) -> licentia_status {
    // SAFETY: forwarded contract.
    unsafe { licentia_client_status::give(status, out, |s| Ok(s.report.clone())) }
}

/// The verified license held: a new license handle (freed with
/// `licentia_license_free`).
///
/// # Safety
/// `status` is NULL or live; `out` is NULL or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn licentia_client_status_license(
    status: *const licentia_client_status,
    out: *mut *mut licentia_license,
) -> licentia_status {
    // SAFETY: forwarded contract.
    unsafe { licentia_client_status::give(status, out, |s| Ok(s.license.clone())) }
}

/// Frees a status. NULL is a no-op.
///
/// # Safety
/// `status` is NULL or live, and not used after.
#[no_mangle]
pub unsafe extern "C" fn licentia_client_status_free(status: *mut licentia_client_status) {
    // SAFETY: forwarded contract.
    unsafe { licentia_client_status::free(status) }
}
