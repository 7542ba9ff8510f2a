//! The client's local store: a directory the application names, holding
//! what an activation left behind. Each file is replaced whole (written
//! beside, synced, renamed), so a crash leaves the old one or the new one,
//! never half of either; every file is the owner's only (0600).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::read::read_text_file;
use crate::time::Timestamp;
use crate::{Error, Result};

/// The activated license file.
const LICENSE: &str = "license.lic";
/// The activation's record ([`Activation`]).
const ACTIVATION: &str = "activation.json";
/// The floating lease held, if any ([`HeldLease`]).
const LEASE: &str = "lease.json";
/// The newest revocation list held (armored).
const REVOCATIONS: &str = "revocations.lst";
/// An offline deactivation request waiting for its receipt (armored).
const DEACTIVATION: &str = "deactivation.request";
/// The clock guard's state.
pub(crate) const CLOCK: &str = "clock";
/// The largest file the store reads back (a license is at most a few KiB).
const MAX_STORED: usize = 64 * 1024;

/// What an online activation left: enough to check in and give it back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Activation {
    /// The back office's id of the activation.
    pub(crate) activation_id: String,
    /// The license key the application activated with.
    pub(crate) license_key: String,
    /// The last time the back office answered a check-in (or the activation).
    pub(crate) last_check_in: Timestamp,
}

/// A floating seat checked out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct HeldLease {
    /// The back office's id of the lease.
    pub(crate) lease_id: String,
    /// The signed lease document.
    pub(crate) lease: String,
    /// When it ends unless a heartbeat extends it.
    pub(crate) expires_at: Timestamp,
}

/// The directory and its files.
#[derive(Debug, Clone)]
pub(crate) struct Store {
    dir: PathBuf,
}

impl Store {
    /// The store in `dir`, made (0700) if it does not exist.
    pub(crate) fn open(dir: &Path) -> Result<Store> {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder
            .create(dir)
            .map_err(|e| Error::Io(format!("{}: {e}", dir.display())))?;
        Ok(Store {
            dir: dir.to_owned(),
        })
    }

    /// The path of one of the store's files.
    pub(crate) fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Replaces `name` with `contents`, atomically.
    fn replace(&self, name: &str, contents: &[u8]) -> Result<()> {
        let target = self.path(name);
        let beside = self.path(&format!(".{name}.new"));
        let io = |e: std::io::Error| Error::Io(format!("{}: {e}", target.display()));
        // A crash between write and rename leaves the side file behind.
        match std::fs::remove_file(&beside) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(io(e)),
            _ => {}
        }
        crate::keys::create_private_file(&beside, contents).map_err(io)?;
        std::fs::rename(&beside, &target).map_err(io)?;
        // The rename is durable once the directory is synced.
        std::fs::File::open(&self.dir)
            .and_then(|d| d.sync_all())
            .map_err(io)
    }

    /// Reads `name`, or `None` when the store does not hold it.
    fn read(&self, name: &str, what: &'static str) -> Result<Option<String>> {
        let path = self.path(name);
        if !path.exists() {
            return Ok(None);
        }
        read_text_file(&path, what, MAX_STORED).map(Some)
    }

    /// Removes `name` if it is there.
    fn remove(&self, name: &str) -> Result<()> {
        match std::fs::remove_file(self.path(name)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(Error::Io(format!("{}: {e}", self.path(name).display())))
            }
            _ => Ok(()),
        }
    }

    /// Reads a JSON record, refusing one that does not parse.
    fn read_json<T: serde::de::DeserializeOwned>(
        &self,
        name: &str,
        what: &'static str,
    ) -> Result<Option<T>> {
        self.read(name, what)?
            .map(|text| {
                serde_json::from_str(&text).map_err(|e| {
                    Error::Io(format!("{}: not a {what} ({e})", self.path(name).display()))
                })
            })
            .transpose()
    }

    /// Writes a JSON record.
    fn write_json<T: Serialize>(&self, name: &str, value: &T) -> Result<()> {
        let text = serde_json::to_vec_pretty(value).expect("plain records serialize");
        self.replace(name, &text)
    }

    /// The activated license file and its activation, when both are held.
    pub(crate) fn activation(&self) -> Result<Option<(String, Activation)>> {
        let file = self.read(LICENSE, "license file")?;
        let record = self.read_json(ACTIVATION, "activation record")?;
        Ok(file.zip(record))
    }

    /// Keeps a verified license file and its activation (the file first:
    /// a record never names a file that is not there).
    pub(crate) fn keep_activation(&self, file: &str, activation: &Activation) -> Result<()> {
        self.replace(LICENSE, file.as_bytes())?;
        self.write_json(ACTIVATION, activation)
    }

    /// Forgets the activation, its license file and any lease.
    pub(crate) fn forget_activation(&self) -> Result<()> {
        self.remove(ACTIVATION)?;
        self.remove(LICENSE)?;
        self.remove(LEASE)
    }

    /// The lease held, if any.
    pub(crate) fn lease(&self) -> Result<Option<HeldLease>> {
        self.read_json(LEASE, "lease record")
    }

    /// Keeps a verified lease.
    pub(crate) fn keep_lease(&self, lease: &HeldLease) -> Result<()> {
        self.write_json(LEASE, lease)
    }

    /// Forgets the lease.
    pub(crate) fn forget_lease(&self) -> Result<()> {
        self.remove(LEASE)
    }

    /// The revocation list held (armored), if any.
    pub(crate) fn revocations(&self) -> Result<Option<String>> {
        self.read(REVOCATIONS, "revocation list")
    }

    /// Keeps a verified revocation list, newer than the one held.
    pub(crate) fn keep_revocations(&self, text: &str) -> Result<()> {
        self.replace(REVOCATIONS, text.as_bytes())
    }

    /// The offline deactivation request waiting for its receipt, if any.
    pub(crate) fn deactivation(&self) -> Result<Option<String>> {
        self.read(DEACTIVATION, "deactivation request")
    }

    /// Gives the activation up for an offline deactivation: the request is
    /// kept first, then the license file and its records are deleted (a
    /// crash between leaves both: the request is written again).
    pub(crate) fn give_up(&self, request: &str) -> Result<()> {
        self.replace(DEACTIVATION, request.as_bytes())?;
        self.forget_activation()
    }

    /// Forgets the answered deactivation request.
    pub(crate) fn forget_deactivation(&self) -> Result<()> {
        self.remove(DEACTIVATION)
    }
}
