//! The clock guard against a user who wants an expired license back: the
//! clock set back, the state deleted, copied from another machine, or an
//! older copy put back.

mod common;
use common::*;

use std::path::{Path, PathBuf};

use licentia::{ClockGuard, ClockGuardOptions, Error, Fingerprint, Rule, Timestamp};

const SECRET: &[u8] = b"compiled into the product";

/// A machine with its own disk serial.
fn machine(serial: &str) -> Fingerprint {
    Fingerprint::builder(PRODUCT)
        .vendor("disk", serial)
        .build()
        .unwrap()
}

/// A product's data directory with the guard's state, and another place
/// for its witness.
struct Install {
    data: tempfile::TempDir,
    elsewhere: tempfile::TempDir,
}

impl Install {
    fn new() -> Install {
        Install {
            data: tempfile::tempdir().unwrap(),
            elsewhere: tempfile::tempdir().unwrap(),
        }
    }

    fn state(&self) -> PathBuf {
        self.data.path().join("clock")
    }

    fn witness(&self) -> PathBuf {
        self.elsewhere.path().join("acme.seen")
    }

    fn options(&self, machine_serial: &str) -> ClockGuardOptions<'static> {
        ClockGuard::options(PRODUCT, SECRET)
            .machine(machine(machine_serial))
            .witness(self.witness())
    }

    /// One run of the product on machine `serial` at `now`, after its first
    /// run: the guard opened as an activated product opens it.
    fn run(&self, serial: &str, now: Timestamp) -> Result<Timestamp, Error> {
        let mut guard = self.options(serial).started(true).open(self.state())?;
        guard.observe(now)?;
        Ok(guard.high_water().unwrap())
    }

    /// The first run, at activation.
    fn activate(&self, serial: &str, now: Timestamp) {
        let mut guard = self.options(serial).open(self.state()).unwrap();
        guard.observe(now).unwrap();
    }
}

fn copy(from: &Path) -> Vec<u8> {
    std::fs::read(from).unwrap()
}

#[test]
fn a_state_deleted_after_the_first_run_is_reported_not_restarted() {
    let install = Install::new();
    install.activate("A", t("2026-02-01"));
    install.run("A", t("2026-03-01")).unwrap();

    // Deleting the state file: its witness remembers.
    std::fs::remove_file(install.state()).unwrap();
    assert_eq!(
        install.run("A", t("2026-01-15")),
        Err(Error::ClockStateMissing)
    );
    assert_eq!(Error::ClockStateMissing.code(), 3008);

    // Deleting both: the product knows it was activated.
    std::fs::remove_file(install.witness()).unwrap();
    assert_eq!(
        install.run("A", t("2026-01-15")),
        Err(Error::ClockStateMissing)
    );

    // Deleting only the witness is the same hole from the other side.
    let install = Install::new();
    install.activate("A", t("2026-02-01"));
    std::fs::remove_file(install.witness()).unwrap();
    assert_eq!(
        install.run("A", t("2026-01-15")),
        Err(Error::ClockStateMissing)
    );

    // And with the defaults (the witness beside the state), deleting the
    // one file the user sees does not start the guard again.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clock");
    let mut guard = ClockGuard::open(&path, PRODUCT, SECRET).unwrap();
    guard.observe(t("2026-03-01")).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(
        ClockGuard::open(&path, PRODUCT, SECRET).unwrap_err(),
        Error::ClockStateMissing
    );
}

#[test]
fn a_state_copied_to_another_machine_does_not_open_there() {
    let on_a = Install::new();
    on_a.activate("A", t("2026-02-01"));
    assert_eq!(on_a.run("A", t("2026-03-01")), Ok(t("2026-03-01")));

    // Machine B gets A's two files, as a user copying an install would.
    let on_b = Install::new();
    std::fs::write(on_b.state(), copy(&on_a.state())).unwrap();
    std::fs::write(on_b.witness(), copy(&on_a.witness())).unwrap();
    assert_eq!(
        on_b.run("B", t("2026-03-02")),
        Err(Error::ClockStateTampered)
    );
    // They are genuine: on A they still open.
    assert_eq!(on_b.run("A", t("2026-03-02")), Ok(t("2026-03-02")));
}

/// Activates on 2026-02-01, saves the copy `which` names, runs on each of
/// `later`, puts the saved copy back, and says what a run on `next` finds.
fn run_with_an_older_copy_back(
    which: fn(&Install) -> PathBuf,
    later: &[&str],
    next: &str,
) -> Result<Timestamp, Error> {
    let install = Install::new();
    install.activate("A", t("2026-02-01"));
    let saved = copy(&which(&install));
    for day in later {
        install.run("A", t(day)).unwrap();
    }
    std::fs::write(which(&install), &saved).unwrap();
    install.run("A", t(next))
}

#[test]
fn an_older_genuine_copy_put_back_is_detected() {
    // The user saves the state while the license is still valid, and after
    // the expiry puts it back, hoping to run in February again.
    let err =
        run_with_an_older_copy_back(Install::state, &["2026-06-01"], "2026-02-02").unwrap_err();
    assert_eq!((err.code(), err), (3009, Error::ClockStateRestored));
    // An older witness put back is not a state the guard wrote either.
    assert_eq!(
        run_with_an_older_copy_back(
            Install::witness,
            &["2026-03-01", "2026-04-01"],
            "2026-04-02"
        ),
        Err(Error::ClockStateRestored)
    );
}

#[test]
fn a_write_interrupted_between_the_two_copies_is_not_a_restore() {
    let install = Install::new();
    install.activate("A", t("2026-02-01"));
    let witness_before = copy(&install.witness());
    install.run("A", t("2026-03-01")).unwrap();
    // As if the process died after writing the state, before the witness.
    std::fs::write(install.witness(), &witness_before).unwrap();
    assert_eq!(install.run("A", t("2026-03-02")), Ok(t("2026-03-02")));
}

#[test]
fn a_clock_set_back_is_caught_by_the_guarded_check() {
    let install = Install::new();
    let expiry = t("2026-03-01");
    let lic = license(builder(1).hard_expiry(expiry));
    let check = |now: Timestamp| {
        let mut guard = install.options("A").open(install.state()).unwrap();
        lic.check_guarded(&at(now), &mut guard).unwrap()
    };
    assert!(check(t("2026-02-01")).is_valid());
    assert!(check(t("2026-03-05")).has(Rule::Expired));
    let report = check(t("2026-02-15"));
    assert!(report.has(Rule::ClockRolledBack) && !report.is_valid());
}

#[test]
fn a_version_1_state_is_read_and_rewritten_in_todays_form() {
    use hmac::{Hmac, Mac};
    use sha2::Sha256;
    // The guard of earlier releases: HMAC(secret, tag || product) over the
    // seconds, one file, no counter, no machine.
    let mac = |key: &[u8], data: &[&[u8]]| {
        let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
        data.iter().for_each(|d| mac.update(d));
        mac.finalize().into_bytes()
    };
    let key = mac(SECRET, &[b"licentia clock guard\0", PRODUCT.as_bytes()]);
    let seconds = t("2026-03-01").0;
    let tag = mac(&key, &[&seconds.to_le_bytes()]);
    let hex: String = tag.iter().map(|b| format!("{b:02x}")).collect();

    let install = Install::new();
    std::fs::write(
        install.state(),
        format!("licentia-clock 1 {seconds} {hex}\n"),
    )
    .unwrap();
    let mut guard = install.options("A").open(install.state()).unwrap();
    assert_eq!(guard.high_water(), Some(t("2026-03-01")));
    guard.observe(t("2026-03-02")).unwrap();
    let text = std::fs::read_to_string(install.state()).unwrap();
    assert!(text.starts_with("licentia-clock 2 1 "), "{text}");
    assert_eq!(std::fs::read_to_string(install.witness()).unwrap(), text);
    // Both copies readable by their owner only.
    #[cfg(unix)]
    for path in [install.state(), install.witness()] {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "{mode:o}");
    }
}
