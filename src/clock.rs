//! The clock guard: a persisted high-water mark of trusted time.
//!
//! Each run, the application shows the guard the current time and the issue
//! time of every document it accepted. The guard remembers the latest, in a
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

use crate::time::Timestamp;
use crate::verdict::DEFAULT_CLOCK_TOLERANCE_SECS;
use crate::{hex, Error, Result};

const MAGIC: &str = "licentia-clock";
const VERSION: &str = "1";
const TAG: &[u8] = b"licentia clock guard\0";
const MAX_FILE: u64 = 256;

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
        let meta = match std::fs::metadata(&self.path) {
            Ok(meta) => meta,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        if meta.len() > MAX_FILE {
            return Err(Error::ClockStateTampered);
        }
        let text = std::fs::read_to_string(&self.path).map_err(|_| Error::ClockStateTampered)?;
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

#[cfg(test)]
mod tests {
    use super::*;

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
    }
}
