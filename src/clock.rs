//! The clock guard: a persisted high-water mark of trusted time.
//!
//! Each run, the application shows the guard the current time and the issue
//! time of every document it accepted; for a license,
//! [`License::check_guarded`] is that whole sequence, and every front end
//! (the C ABI, the command line) calls it. The guard remembers the latest, in a
//! small file sealed with HMAC-SHA256 under a key derived from an application
//! secret and the product, so an edited or copied file is detected. A clock
//! that runs backwards past the tolerance is reported as rolled back, and the
//! high-water mark is not lowered: once the clock is set right again, the
//! verdict recovers by itself.
//!
//! The file is one line: `licentia-clock 1 <seconds> <hex hmac>`.

use std::path::{Path, PathBuf};

use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::read::read_text_file;
use crate::time::Timestamp;
use crate::verdict::{Context, Report, DEFAULT_CLOCK_TOLERANCE_SECS};
use crate::verify::License;
use crate::{hex, Error, Result};

const MAGIC: &str = "licentia-clock";
const VERSION: &str = "1";
const TAG: &[u8] = b"licentia clock guard\0";
const MAX_FILE: usize = 256;

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

/// A persisted, integrity-protected high-water mark of time, per product.
///
/// ```
/// use licentia::{ClockGuard, ClockStatus, Timestamp};
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("clock");
/// let mut guard = ClockGuard::open(&path, "acme", b"app secret").unwrap();
/// assert_eq!(guard.observe(Timestamp(2_000_000)).unwrap(), ClockStatus::Ok);
/// let mut again = ClockGuard::open(&path, "acme", b"app secret").unwrap();
/// assert!(matches!(again.observe(Timestamp(1_000_000)).unwrap(), ClockStatus::RolledBack { .. }));
/// assert!(ClockGuard::open(&path, "other-product", b"app secret").is_err());
/// ```
#[derive(Debug)]
pub struct ClockGuard {
    path: PathBuf,
    mac_key: [u8; 32],
    high_water: Option<Timestamp>,
    tolerance_secs: u32,
}

impl ClockGuard {
    /// Opens (or starts) the guard file at `path` for `product`.
    ///
    /// `secret` is the application's own: a constant compiled into it, or a
    /// per-install value. A missing file starts empty; a file that does not
    /// verify is [`Error::ClockStateTampered`].
    pub fn open(path: impl AsRef<Path>, product: &str, secret: &[u8]) -> Result<ClockGuard> {
        let path = path.as_ref().to_path_buf();
        let mut mac =
            Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes keys of any length");
        mac.update(TAG);
        mac.update(product.as_bytes());
        let mut guard = ClockGuard {
            path,
            mac_key: mac.finalize().into_bytes().into(),
            high_water: None,
            tolerance_secs: DEFAULT_CLOCK_TOLERANCE_SECS,
        };
        guard.high_water = guard.load()?;
        Ok(guard)
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
    /// is (and its file is not rewritten).
    fn raise(&mut self, at: Timestamp) -> Result<()> {
        if self.high_water.is_some_and(|hw| hw >= at) {
            return Ok(());
        }
        self.high_water = Some(at);
        self.store(at)
    }

    fn mac(&self, seconds: i64) -> [u8; 32] {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.mac_key).expect("any key length");
        mac.update(&seconds.to_le_bytes());
        mac.finalize().into_bytes().into()
    }

    fn load(&self) -> Result<Option<Timestamp>> {
        match std::fs::metadata(&self.path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e.into()),
            Ok(_) => {}
        }
        // Too large, unreadable or not text: not a state this guard wrote.
        let text = read_text_file(&self.path, "clock state", MAX_FILE)
            .map_err(|_| Error::ClockStateTampered)?;
        let fields: Vec<&str> = text.split_whitespace().collect();
        let [MAGIC, VERSION, seconds, tag] = fields[..] else {
            return Err(Error::ClockStateTampered);
        };
        let seconds: i64 = seconds.parse().map_err(|_| Error::ClockStateTampered)?;
        let tag: [u8; 32] = hex::decode_array(tag, "tag").map_err(|_| Error::ClockStateTampered)?;
        if !bool::from(self.mac(seconds).ct_eq(&tag)) {
            return Err(Error::ClockStateTampered);
        }
        Ok(Some(Timestamp(seconds)))
    }

    fn store(&self, at: Timestamp) -> Result<()> {
        let line = format!(
            "{MAGIC} {VERSION} {} {}\n",
            at.0,
            hex::encode(&self.mac(at.0))
        );
        // Write a sibling and rename it over, so a crash never leaves half a file.
        let tmp = self.path.with_extension("tmp");
        std::fs::write(&tmp, line).map_err(|e| Error::Io(format!("{}: {e}", tmp.display())))?;
        std::fs::rename(&tmp, &self.path)
            .map_err(|e| Error::Io(format!("{}: {e}", self.path.display())))
    }
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
