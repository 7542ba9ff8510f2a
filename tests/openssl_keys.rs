//! Key files and the real `openssl` binary, both ways: what licentia writes
//! OpenSSL reads, and what OpenSSL makes licentia reads. (`scripts/test.sh`
//! installs `openssl` where it is missing.)

use std::path::Path;
use std::process::{Command, Output};

use licentia::{PublicKey, SigningKey};

fn openssl(args: &[&str]) -> Output {
    let output = Command::new("openssl")
        .args(args)
        .output()
        .expect("the openssl binary (apt-get install openssl, or run scripts/test.sh)");
    assert!(
        output.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn openssl_reads_the_private_key_licentia_writes() {
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("issuer.key");
    let key = SigningKey::from_seed(&[7; 32]);
    key.save(&key_file).unwrap();

    // The command `keys.rs` documents, then the public half OpenSSL derives.
    let text = openssl(&["pkey", "-in", path(&key_file), "-noout", "-text"]);
    assert!(String::from_utf8_lossy(&text.stdout).contains("ED25519 Private-Key"));
    let public = openssl(&["pkey", "-in", path(&key_file), "-pubout"]);
    let public = PublicKey::from_pem(&String::from_utf8(public.stdout).unwrap()).unwrap();
    assert_eq!(public, *key.public_key());
}

#[test]
fn licentia_reads_the_private_key_openssl_makes() {
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("openssl.key");
    openssl(&["genpkey", "-algorithm", "ed25519", "-out", path(&key_file)]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let key = SigningKey::load(&key_file).unwrap();
    let public = openssl(&["pkey", "-in", path(&key_file), "-pubout"]);
    let public = PublicKey::from_pem(&String::from_utf8(public.stdout).unwrap()).unwrap();
    assert_eq!(*key.public_key(), public);
}

#[test]
fn a_version_2_key_file_of_earlier_releases_still_loads() {
    // Written by licentia 0.1 (ed25519-dalek's PKCS#8 v2, with the public
    // key), from the seed [7; 32].
    let v2 = "-----BEGIN PRIVATE KEY-----
MFECAQEwBQYDK2VwBCIEIAcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcH
gSEA6kpsY+KcUgq+9VB7Ey7F+ZVHdq6+vnuSQh7qaRRG0iw=
-----END PRIVATE KEY-----
";
    let key = SigningKey::from_pem(v2).unwrap();
    assert_eq!(key.key_id(), SigningKey::from_seed(&[7; 32]).key_id());
    // Written again, it is v1: the same key, no public key inside.
    assert!(key.to_pem().len() < v2.len());
    assert_eq!(
        SigningKey::from_pem(&key.to_pem()).unwrap().key_id(),
        key.key_id()
    );
}
