//! The client's local store read back as the outside bytes it is: a
//! garbled, oversized or forged file gives a clear error, never a panic,
//! and never passes for a license.

use licentia::client::Client;
use licentia::{Error, Fingerprint, Issuer, LicenseBody, SigningKey};

fn client(store: &std::path::Path, vendor: &SigningKey) -> Client {
    Client::builder(
        "https://licences.example.com",
        "cad",
        [vendor.public_key().clone()],
    )
    .store(store)
    .machine(
        Fingerprint::builder("cad")
            .vendor("serial", "SN-1")
            .build()
            .unwrap(),
    )
    .build()
    .unwrap()
}

/// Writes the two files an activation leaves, with `file` as the license.
fn activated(store: &std::path::Path, file: &str, record: &str) {
    std::fs::write(store.join("license.lic"), file).unwrap();
    std::fs::write(store.join("activation.json"), record).unwrap();
}

const RECORD: &str =
    r#"{"activation_id": "act_1", "license_key": "K", "last_check_in": 1700000000}"#;

#[test]
fn a_damaged_store_is_a_clear_error() {
    let vendor = SigningKey::generate();
    let dir = tempfile::tempdir().unwrap();
    let client = client(dir.path(), &vendor);
    assert!(
        client.status().unwrap().is_none(),
        "an empty store holds nothing"
    );
    assert!(matches!(client.check_in(), Err(Error::NotActivated)));

    let body = LicenseBody::builder("cad", "Jane Doe").build().unwrap();
    let file = Issuer::new(vendor.clone()).issue(&body).unwrap().to_armor();
    activated(dir.path(), &file, RECORD);
    let status = client.status().unwrap().expect("a stored license");
    assert!(status.report.is_valid() && !status.online);

    activated(dir.path(), &file, "{not json");
    let e = client.status().unwrap_err();
    assert!(
        matches!(e, Error::Io(ref m) if m.contains("activation record")),
        "{e:?}"
    );

    activated(dir.path(), &"A".repeat(100_000), RECORD);
    assert!(matches!(client.status(), Err(Error::TooLarge { .. })));

    let forged = Issuer::new(SigningKey::generate())
        .issue(&body)
        .unwrap()
        .to_armor();
    activated(dir.path(), &forged, RECORD);
    assert!(matches!(client.status(), Err(Error::UnknownKeyId(_))));

    let mut bytes = file.into_bytes();
    bytes[60] ^= 1;
    activated(dir.path(), &String::from_utf8_lossy(&bytes), RECORD);
    assert!(client.status().is_err(), "a flipped byte never passes");
}

#[test]
fn a_client_needs_a_store_a_key_and_https() {
    let vendor = SigningKey::generate();
    let dir = tempfile::tempdir().unwrap();
    let keys = [vendor.public_key().clone()];
    let no_store = Client::builder("https://x.example", "cad", keys.clone()).build();
    assert!(matches!(no_store, Err(Error::InvalidArgument(ref m)) if m.contains("store")));
    let no_key = Client::builder("https://x.example", "cad", [])
        .store(dir.path())
        .build();
    assert!(matches!(no_key, Err(Error::InvalidArgument(ref m)) if m.contains("key")));
    let plain = Client::builder("http://licences.example.com", "cad", keys.clone())
        .store(dir.path())
        .build();
    assert!(matches!(plain, Err(Error::InvalidArgument(ref m)) if m.contains("https")));
    let file = dir.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let store_is_a_file = Client::builder("https://x.example", "cad", keys.clone())
        .store(&file)
        .build();
    assert!(matches!(store_is_a_file, Err(Error::Io(_))));
    let not_a_ca = Client::builder("https://x.example", "cad", keys)
        .store(dir.path())
        .ca_file(&file)
        .build();
    assert!(matches!(not_a_ca, Err(Error::InvalidArgument(ref m)) if m.contains("no PEM")));
}
