//! The clock guard: a persisted high-water mark of trusted time.
//!
//! Each run, the application shows the guard the current time and the issue
//! time of every document it accepted; for a license,
//! [`License::check_guarded`] is that whole sequence, and every front end
//! (the C ABI, the command line) calls it. The guard remembers the latest. A
//! clock that runs backwards past the tolerance is reported as rolled back,
//! and the high-water mark is not lowered: once the clock is set right
//! again, the verdict recovers by itself.
//!
//! # What the guard keeps, and what it detects
//!
//! The mark lives in two copies: the state file and a witness (by default
//! beside it, `<state>.witness`; an application that can should put it
//! somewhere else with [`ClockGuardOptions::witness`]). Each copy is one
//! line sealed with HMAC-SHA256 under a key derived from the application's
//! secret, the product and this machine's fingerprint, over the mark and a
//! counter raised at every write. So, offline:
//!
//! - an edited copy, one from another product, or one copied from another
//!   machine does not verify: [`Error::ClockStateTampered`];
//! - one copy deleted after the first run, or both when the application says
//!   a first run happened ([`ClockGuardOptions::started`]):
//!   [`Error::ClockStateMissing`];
//! - an older genuine copy put back over one of them (their counters differ):
//!   [`Error::ClockStateRestored`];
//! - a clock set back past the mark: [`ClockStatus::RolledBack`], and
//!   [`Rule::ClockRolledBack`](crate::Rule::ClockRolledBack) in the report.
//!
//! What offline cannot detect: both copies restored together from a backup,
//! a virtual machine or disk snapshot rolled back (the whole machine goes
//! back in time, guard included), both copies deleted when the application
//! does not say a first run happened, and a clock that was already wrong at
//! the first run. Only a source of time outside the machine closes these:
//! online check-ins ([`Context::last_check_in`](crate::Context) with a
//! license that requires them) bound how long any of them can last.
//!
//! An application that meets one of these errors trusts the clock again
//! only after an online check-in: with the server's time in hand it may
//! remove both copies and start the guard afresh.
//!
//! Files written by earlier versions (version 1: no counter, no machine) are
//! still read and are rewritten in today's form at the next write.

mod seal;

use std::fmt;
use std::path::{Path, PathBuf};

use crate::read::read_text_file;
use crate::time::Timestamp;
use crate::verdict::{Context, Report, DEFAULT_CLOCK_TOLERANCE_SECS};
use crate::verify::License;
use crate::{Error, Fingerprint, Result};
use seal::{SealKeys, Sealed, MAX_LINE};

/// What the guard concluded about the current time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockStatus {
    /// The clock is at or after the high-water mark (within tolerance).
    Ok,
    /// The clock is behind the high-water mark by more than the tolerance.
    RolledBack {
        /// The latest trusted time seen.
        high_water: Timestamp,
    },
}

/// A persisted, integrity-protected high-water mark of time, per product
/// and machine (see the [module documentation](self) for what it detects).
///
/// ```
/// use licentia::{ClockGuard, ClockStatus, Error, Timestamp};
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("clock");
/// let mut guard = ClockGuard::open(&path, "acme", b"app secret").unwrap();
/// assert_eq!(guard.observe(Timestamp(2_000_000)).unwrap(), ClockStatus::Ok);
/// let mut again = ClockGuard::open(&path, "acme", b"app secret").unwrap();
/// assert!(matches!(again.observe(Timestamp(1_000_000)).unwrap(), ClockStatus::RolledBack { .. }));
/// assert!(ClockGuard::open(&path, "other-product", b"app secret").is_err());
/// // Deleting the state after the first run does not start it again.
/// std::fs::remove_file(&path).unwrap();
/// assert_eq!(ClockGuard::open(&path, "acme", b"app secret").unwrap_err(), Error::ClockStateMissing);
/// ```
pub struct ClockGuard {
    path: PathBuf,
    witness: PathBuf,
    keys: SealKeys,
    high_water: Option<Timestamp>,
    counter: u64,
    tolerance_secs: u32,
}

impl fmt::Debug for ClockGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The MAC keys stay out of logs.
        f.debug_struct("ClockGuard")
            .field("path", &self.path)
            .field("witness", &self.witness)
            .field("high_water", &self.high_water)
            .field("counter", &self.counter)
            .field("tolerance_secs", &self.tolerance_secs)
            .finish_non_exhaustive()
    }
}

/// How to open a [`ClockGuard`]: where its witness lives, which machine it
/// is bound to, whether a first run already happened. From
/// [`ClockGuard::options`].
///
/// ```
/// use licentia::{ClockGuard, Error, Timestamp};
/// let data = tempfile::tempdir().unwrap();
/// let elsewhere = tempfile::tempdir().unwrap();
/// let options = || {
///     ClockGuard::options("acme", b"app secret").witness(elsewhere.path().join("acme.seen"))
/// };
/// // At activation: the first run.
/// options().open(data.path().join("clock"))?.observe(Timestamp(2_000_000))?;
/// // Every later run says so, so that nothing at all on disk is not a fresh start.
/// std::fs::remove_file(data.path().join("clock")).unwrap();
/// std::fs::remove_file(elsewhere.path().join("acme.seen")).unwrap();
/// let err = options().started(true).open(data.path().join("clock")).unwrap_err();
/// assert_eq!(err, Error::ClockStateMissing);
/// # Ok::<(), licentia::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct ClockGuardOptions<'a> {
    product: &'a str,
    secret: &'a [u8],
    machine: Option<Fingerprint>,
    witness: Option<PathBuf>,
    started: bool,
    tolerance_secs: u32,
}

impl ClockGuardOptions<'_> {
    /// Binds the guard to this fingerprint instead of this machine's own
    /// ([`Fingerprint::this_machine`]; unbound where the operating system
    /// gives no machine id). A copy of the state moved to a machine with
    /// another fingerprint is then [`Error::ClockStateTampered`] there.
    pub fn machine(mut self, fingerprint: Fingerprint) -> Self {
        self.machine = Some(fingerprint);
        self
    }

    /// Where the second copy lives (default: `<state>.witness` beside the
    /// state). A place other than the state's directory means deleting or
    /// restoring that directory is detected too.
    pub fn witness(mut self, path: impl AsRef<Path>) -> Self {
        self.witness = Some(path.as_ref().to_path_buf());
        self
    }

    /// Whether a first run already happened (say so once the product is
    /// activated, e.g. when its license file is on disk): then a guard with
    /// neither copy on disk is [`Error::ClockStateMissing`] instead of a
    /// fresh start.
    pub fn started(mut self, started: bool) -> Self {
        self.started = started;
        self
    }

    /// How far behind the high-water mark the clock may be (default 10
    /// minutes).
    pub fn tolerance(mut self, secs: u32) -> Self {
        self.tolerance_secs = secs;
        self
    }

    /// Opens the guard whose state is at `path`.
    ///
    /// Errors: [`Error::ClockStateTampered`], [`Error::ClockStateMissing`],
    /// [`Error::ClockStateRestored`] (see the [module documentation](self)),
    /// and [`Error::Io`] when a copy cannot be read.
    pub fn open(self, path: impl AsRef<Path>) -> Result<ClockGuard> {
        let path = path.as_ref().to_path_buf();
        let witness = self
            .witness
            .unwrap_or_else(|| with_suffix(&path, ".witness"));
        let machine = match self.machine {
            Some(fingerprint) => Some(fingerprint),
            None => Fingerprint::this_machine(self.product).ok(),
        };
        let mut guard = ClockGuard {
            keys: SealKeys::derive(self.secret, self.product, machine.as_ref()),
            path,
            witness,
            high_water: None,
            counter: 0,
            tolerance_secs: self.tolerance_secs,
        };
        if let Some(sealed) = guard.load(self.started)? {
            guard.high_water = Some(Timestamp(sealed.seconds));
            guard.counter = sealed.counter;
        }
        Ok(guard)
    }
}

/// `path` with `suffix` added to its file name.
fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

impl ClockGuard {
    /// Opens (or starts) the guard file at `path` for `product`, with the
    /// default options ([`ClockGuard::options`]).
    ///
    /// `secret` is the application's own: a constant compiled into it, or a
    /// per-install value. With neither copy on disk the guard starts empty;
    /// see [`ClockGuardOptions::open`] for the errors.
    pub fn open(path: impl AsRef<Path>, product: &str, secret: &[u8]) -> Result<ClockGuard> {
        ClockGuard::options(product, secret).open(path)
    }

    /// Options for the guard of `product` sealed with `secret`: the witness's
    /// place, the machine, whether a first run happened.
    pub fn options<'a>(product: &'a str, secret: &'a [u8]) -> ClockGuardOptions<'a> {
        ClockGuardOptions {
            product,
            secret,
            machine: None,
            witness: None,
            started: false,
            tolerance_secs: DEFAULT_CLOCK_TOLERANCE_SECS,
        }
    }

    /// Sets how far behind the high-water mark the clock may be (default 10 minutes).
    pub fn with_tolerance(mut self, secs: u32) -> Self {
        self.tolerance_secs = secs;
        self
    }

    /// The latest trusted time seen, for [`Context::trusted_time`](crate::Context::trusted_time).
    pub fn high_water(&self) -> Option<Timestamp> {
        self.high_water
    }

    /// Checks `now` against the mark, and raises the mark when time moved on.
    pub fn observe(&mut self, now: Timestamp) -> Result<ClockStatus> {
        if let Some(high_water) = self.high_water {
            if now.add_secs(i64::from(self.tolerance_secs)) < high_water {
                return Ok(ClockStatus::RolledBack { high_water });
            }
        }
        self.raise(now)?;
        Ok(ClockStatus::Ok)
    }

    /// Records that a document issued at `issued_at` was accepted: the clock
    /// can no longer honestly be earlier than that.
    pub fn observe_document(&mut self, issued_at: Timestamp) -> Result<()> {
        self.raise(issued_at)
    }

    /// Raises the mark to `at`; a mark already at or past it is left as it
    /// is (and its files are not rewritten).
    fn raise(&mut self, at: Timestamp) -> Result<()> {
        if self.high_water.is_some_and(|hw| hw >= at) {
            return Ok(());
        }
        let sealed = Sealed {
            counter: self.counter + 1,
            seconds: at.0,
        };
        let line = self.keys.seal(sealed);
        // The state first: a crash between the two writes leaves the state
        // one write ahead of its witness, which `load` accepts.
        write_atomically(&self.path, &line)?;
        write_atomically(&self.witness, &line)?;
        self.high_water = Some(at);
        self.counter = sealed.counter;
        Ok(())
    }

    /// Reads both copies and decides what they say together.
    fn load(&self, started: bool) -> Result<Option<Sealed>> {
        let state = self.read_copy(&self.path)?;
        let witness = self.read_copy(&self.witness)?;
        match (state, witness) {
            (None, None) if started => Err(Error::ClockStateMissing),
            (None, None) => Ok(None),
            // A version 1 state (counter 0) was written before witnesses.
            (Some(state), None) if state.counter == 0 => Ok(Some(state)),
            (None, Some(_)) | (Some(_), None) => Err(Error::ClockStateMissing),
            (Some(state), Some(witness)) if state == witness => Ok(Some(state)),
            // Interrupted between the two writes (see `raise`).
            (Some(state), Some(witness))
                if state.counter == witness.counter + 1 && state.seconds >= witness.seconds =>
            {
                Ok(Some(state))
            }
            (Some(state), Some(witness)) if state.counter != witness.counter => {
                Err(Error::ClockStateRestored)
            }
            // The same write with two marks: not something this guard wrote.
            (Some(_), Some(_)) => Err(Error::ClockStateTampered),
        }
    }

    /// One copy's content, or `None` when the file does not exist.
    fn read_copy(&self, path: &Path) -> Result<Option<Sealed>> {
        match std::fs::metadata(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::Io(format!("{}: {e}", path.display()))),
            Ok(_) => {}
        }
        // Too large, unreadable or not text: not a state this guard wrote.
        let text =
            read_text_file(path, "clock state", MAX_LINE).map_err(|_| Error::ClockStateTampered)?;
        self.keys.open(&text).map(Some)
    }
}

/// Writes `text` to a sibling of `path` readable by its owner only, then
/// renames it over `path`, so a crash never leaves half a file.
fn write_atomically(path: &Path, text: &str) -> Result<()> {
    use std::io::Write;
    let tmp = with_suffix(path, ".tmp");
    let io = |p: &Path, e: std::io::Error| Error::Io(format!("{}: {e}", p.display()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&tmp).map_err(|e| io(&tmp, e))?;
    file.write_all(text.as_bytes()).map_err(|e| io(&tmp, e))?;
    drop(file);
    std::fs::rename(&tmp, path).map_err(|e| io(path, e))
}

impl License {
    /// Checks the license as [`check`](License::check) does, against the
    /// clock guard's high-water mark, then records in the guard what this run
    /// showed about the time. This is the one clock-guard sequence: the C ABI
    /// and the command line call it and add nothing of their own.
    ///
    /// 1. The guard's mark joins `ctx.trusted_time` (the later of the two
    ///    counts), and the guard's tolerance ([`ClockGuard::with_tolerance`])
    ///    replaces `ctx.clock_tolerance_secs`, so the guard and the report
    ///    agree on what a rolled-back clock is.
    /// 2. The license is checked.
    /// 3. The mark is raised to `now` whatever the verdict (a clock behind
    ///    the mark never lowers it), and to the license's issue time only
    ///    when the verdict is valid; the file is written once.
    ///
    /// Why this rule: the clock reading is evidence about time whatever the
    /// license says, so a run with an honest clock counts even when it
    /// refuses the license; a user cannot run an expired license once and
    /// then set the clock back unnoticed. A license's issue time, on the
    /// other hand, is only as trustworthy as the verdict: one the check
    /// refuses (dated in the future, revoked key, another product) must not
    /// move trusted time, or a single bad file would make every later check
    /// report a rolled-back clock.
    ///
    /// Errors are those of writing the guard's file; the report is then not
    /// given.
    ///
    /// ```
    /// use licentia::{ClockGuard, Context, Issuer, LicenseBody, Rule, SigningKey, Timestamp, Verifier};
    /// let issuer = Issuer::new(SigningKey::generate());
    /// let body = LicenseBody::builder("acme", "Jane")
    ///     .issued_at(Timestamp::parse("2026-01-01")?)
    ///     .hard_expiry(Timestamp::parse("2027-01-01")?)
    ///     .build()?;
    /// let license = Verifier::new([issuer.public_key().clone()]).verify(&issuer.issue(&body)?.to_armor())?;
    /// let dir = tempfile::tempdir().unwrap();
    /// let mut guard = ClockGuard::open(dir.path().join("clock"), "acme", b"app secret")?;
    /// let check = |now: &str, guard: &mut ClockGuard| {
    ///     license.check_guarded(&Context::new(Timestamp::parse(now)?, "acme"), guard)
    /// };
    /// // Run once after the expiry: refused, but the time is recorded...
    /// assert!(check("2027-02-01", &mut guard)?.has(Rule::Expired));
    /// // ...so setting the clock back before the expiry does not help.
    /// assert!(check("2026-12-01", &mut guard)?.has(Rule::ClockRolledBack));
    /// # Ok::<(), licentia::Error>(())
    /// ```
    pub fn check_guarded(&self, ctx: &Context<'_>, guard: &mut ClockGuard) -> Result<Report> {
        let mut ctx = *ctx;
        ctx.trusted_time = ctx.trusted_time.max(guard.high_water());
        ctx.clock_tolerance_secs = guard.tolerance_secs;
        let report = self.check(&ctx);
        let seen = if report.is_valid() {
            ctx.now.max(self.issued_at)
        } else {
            ctx.now
        };
        guard.raise(seen)?;
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Issuer, LicenseBody, Rule, SigningKey, Verifier, DAY};

    /// A verified license for `product`, issued at `issued_at`, expiring at `expiry`.
    fn license(product: &str, issued_at: Timestamp, expiry: Option<Timestamp>) -> License {
        let issuer = Issuer::new(SigningKey::from_seed(&[4; 32]));
        let mut body = LicenseBody::builder(product, "Jane").issued_at(issued_at);
        if let Some(expiry) = expiry {
            body = body.hard_expiry(expiry);
        }
        let text = issuer.issue(&body.build().unwrap()).unwrap().to_armor();
        Verifier::new([issuer.public_key().clone()])
            .verify(&text)
            .unwrap()
    }

    #[test]
    fn a_guarded_check_records_the_clock_whatever_the_verdict() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("clock");
        let mut guard = ClockGuard::open(&path, "acme", b"s").unwrap();
        let issued = Timestamp(1_800_000_000);
        let expiry = issued.add_secs(30 * DAY);
        let l = license("acme", issued, Some(expiry));
        let at = |now: Timestamp, guard: &mut ClockGuard| {
            l.check_guarded(&Context::new(now, "acme"), guard).unwrap()
        };

        assert!(at(issued.add_secs(DAY), &mut guard).is_valid());
        assert_eq!(guard.high_water(), Some(issued.add_secs(DAY)));
        // Refused (expired), and still the time is recorded...
        let late = expiry.add_secs(DAY);
        assert!(at(late, &mut guard).has(Rule::Expired));
        assert_eq!(guard.high_water(), Some(late));
        // ...so a clock set back before the expiry is caught, and the mark stays.
        let report = at(expiry.add_secs(-DAY), &mut guard);
        assert!(report.has(Rule::ClockRolledBack) && !report.is_valid());
        assert_eq!(guard.high_water(), Some(late));
        assert_eq!(
            ClockGuard::open(&path, "acme", b"s").unwrap().high_water(),
            Some(late),
            "the mark is persisted"
        );
    }

    #[test]
    fn only_a_valid_verdict_moves_the_mark_to_the_issue_time() {
        let dir = tempfile::tempdir().unwrap();
        let mut guard = ClockGuard::open(dir.path().join("clock"), "acme", b"s").unwrap();
        let now = Timestamp(1_800_000_000);
        let good = license("acme", now.add_secs(-DAY), None);
        assert!(good
            .check_guarded(&Context::new(now, "acme"), &mut guard)
            .unwrap()
            .is_valid());

        // A license dated a day ahead is refused and must not drag the mark
        // (and every later check) a day into the future.
        let ahead = license("acme", now.add_secs(DAY), None);
        let report = ahead
            .check_guarded(&Context::new(now.add_secs(1), "acme"), &mut guard)
            .unwrap();
        assert!(report.has(Rule::ClockRolledBack));
        assert_eq!(guard.high_water(), Some(now.add_secs(1)));
        // Nor does a refused license for another product, dated within tolerance.
        let other = license("other", now.add_secs(300), None);
        assert!(other
            .check_guarded(&Context::new(now.add_secs(2), "acme"), &mut guard)
            .unwrap()
            .has(Rule::WrongProduct));
        assert_eq!(guard.high_water(), Some(now.add_secs(2)));
        assert!(good
            .check_guarded(&Context::new(now.add_secs(3), "acme"), &mut guard)
            .unwrap()
            .is_valid());

        // A valid license issued a little ahead (within tolerance) raises it.
        let soon = license("acme", now.add_secs(300), None);
        assert!(soon
            .check_guarded(&Context::new(now.add_secs(4), "acme"), &mut guard)
            .unwrap()
            .is_valid());
        assert_eq!(guard.high_water(), Some(now.add_secs(300)));
    }

    #[test]
    fn the_guard_tolerance_and_the_callers_trusted_time_apply() {
        let dir = tempfile::tempdir().unwrap();
        let mut guard = ClockGuard::open(dir.path().join("clock"), "acme", b"s")
            .unwrap()
            .with_tolerance(60);
        let now = Timestamp(1_800_000_000);
        let l = license("acme", now.add_secs(-DAY), None);
        l.check_guarded(&Context::new(now, "acme"), &mut guard)
            .unwrap();
        // 100 s back: inside the context's default 10 minutes, outside the guard's minute.
        let back = now.add_secs(-100);
        let report = l
            .check_guarded(&Context::new(back, "acme"), &mut guard)
            .unwrap();
        assert!(report.has(Rule::ClockRolledBack));
        assert_eq!(
            guard.observe(back).unwrap(),
            ClockStatus::RolledBack { high_water: now }
        );
        // A later trusted time the caller knows counts too.
        let ctx = Context::new(now.add_secs(10), "acme").trusted_time(now.add_secs(DAY));
        assert!(l
            .check_guarded(&ctx, &mut guard)
            .unwrap()
            .has(Rule::ClockRolledBack));
        assert_eq!(guard.high_water(), Some(now.add_secs(10)));
    }

    #[test]
    fn rolled_back_then_forward_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("clock");
        let mut guard = ClockGuard::open(&path, "p", b"s")
            .unwrap()
            .with_tolerance(60);
        assert_eq!(guard.observe(Timestamp(10_000)).unwrap(), ClockStatus::Ok);
        assert_eq!(
            guard.observe(Timestamp(9_940)).unwrap(),
            ClockStatus::Ok,
            "within tolerance"
        );
        assert_eq!(
            guard.observe(Timestamp(9_939)).unwrap(),
            ClockStatus::RolledBack {
                high_water: Timestamp(10_000)
            }
        );
        assert_eq!(
            guard.high_water(),
            Some(Timestamp(10_000)),
            "a rollback never lowers the mark"
        );
        assert_eq!(guard.observe(Timestamp(10_001)).unwrap(), ClockStatus::Ok);
        guard.observe_document(Timestamp(20_000)).unwrap();
        let reopened = ClockGuard::open(&path, "p", b"s").unwrap();
        assert_eq!(reopened.high_water(), Some(Timestamp(20_000)));
    }

    #[test]
    fn edited_or_foreign_state_is_detected() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("clock");
        ClockGuard::open(&path, "p", b"s")
            .unwrap()
            .observe(Timestamp(5_000))
            .unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.replace("5000", "4000")).unwrap();
        assert_eq!(
            ClockGuard::open(&path, "p", b"s").unwrap_err(),
            Error::ClockStateTampered
        );
        std::fs::write(&path, text).unwrap();
        assert_eq!(
            ClockGuard::open(&path, "q", b"s").unwrap_err(),
            Error::ClockStateTampered
        );
        assert_eq!(
            ClockGuard::open(&path, "p", b"t").unwrap_err(),
            Error::ClockStateTampered
        );
        std::fs::write(&path, "garbage").unwrap();
        assert_eq!(
            ClockGuard::open(&path, "p", b"s").unwrap_err(),
            Error::ClockStateTampered
        );
        std::fs::write(&path, vec![b'x'; 1000]).unwrap();
        assert_eq!(
            ClockGuard::open(&path, "p", b"s").unwrap_err(),
            Error::ClockStateTampered
        );
        // A state without end is refused after MAX_FILE + 1 bytes, never read whole.
        #[cfg(unix)]
        assert_eq!(
            ClockGuard::open("/dev/zero", "p", b"s").unwrap_err(),
            Error::ClockStateTampered
        );
    }
}
