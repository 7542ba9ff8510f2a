//! A SoftHSM2 token for the tests (Debian's `softhsm2`, which
//! `scripts/test.sh` installs): its own token directory, one token made with
//! the real `softhsm2-util`, shared by the tests of one test binary.

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

/// The token's label and PINs.
pub const TOKEN: &str = "licentia-test";
pub const USER_PIN: &str = "2468-user";
const SO_PIN: &str = "1357-officer";

/// Where Debian and a source build put the module.
const MODULES: &[&str] = &[
    "/usr/lib/softhsm/libsofthsm2.so",
    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/local/lib/softhsm/libsofthsm2.so",
];

/// The token made for this test binary.
pub struct SoftHsm {
    /// The PKCS#11 library.
    pub module: PathBuf,
    _dir: tempfile::TempDir,
}

/// The PKCS#11 module path, configured token directory and token, made once
/// per test binary. SoftHSM reads its configuration file from
/// `SOFTHSM2_CONF` when a process first initializes it, so the variable is
/// set here, before any test opens the library (every test calls this first).
pub fn token() -> &'static SoftHsm {
    static TOKEN_DIR: OnceLock<SoftHsm> = OnceLock::new();
    TOKEN_DIR.get_or_init(|| {
        let module = MODULES
            .iter()
            .map(PathBuf::from)
            .find(|p| p.exists())
            .expect("SoftHSM2 is not installed: `apt-get install softhsm2` (scripts/test.sh does)");
        let dir = tempfile::tempdir().unwrap();
        let tokens = dir.path().join("tokens");
        std::fs::create_dir(&tokens).unwrap();
        let conf = dir.path().join("softhsm2.conf");
        std::fs::write(
            &conf,
            format!(
                "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
                tokens.display()
            ),
        )
        .unwrap();
        std::env::set_var("SOFTHSM2_CONF", &conf);
        let made = Command::new("softhsm2-util")
            .args(["--init-token", "--free", "--label", TOKEN])
            .args(["--pin", USER_PIN, "--so-pin", SO_PIN])
            .output()
            .expect("softhsm2-util runs");
        assert!(made.status.success(), "{made:?}");
        SoftHsm { module, _dir: dir }
    })
}
