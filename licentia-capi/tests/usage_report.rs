//! The offline usage report written through the C ABI
//! (`licentia_client_usage_report`) is the core's document: the core's
//! parser reads back the product, licence, counter and amounts given.

use std::ffi::{c_char, CString};
use std::ptr;

use licentia::{LicenseId, SigningKey, UsageReport, UsageTotal};
use licentia_capi::*;

fn c(text: &str) -> CString {
    CString::new(text).unwrap()
}

/// Calls `f` with a new client for `acme-cad` whose back office is out of
/// reach (a report needs none), then frees it.
fn with_client(f: impl FnOnce(*const licentia_client)) {
    let store = std::env::temp_dir().join(format!("licentia-capi-usage-{}", std::process::id()));
    let pem = c(&SigningKey::from_seed(&[0x11; 32]).public_key().to_pem());
    let (server, product, dir) = (
        c("https://127.0.0.1:1"),
        c("acme-cad"),
        c(store.to_str().unwrap()),
    );
    let (mut verifier, mut config, mut client) =
        (ptr::null_mut(), ptr::null_mut(), ptr::null_mut());
    // SAFETY: NUL-terminated strings, live handles and out-pointers.
    unsafe {
        assert_eq!(
            licentia_verifier_from_pem(pem.as_ptr(), &mut verifier),
            licentia_status::LICENTIA_OK
        );
        assert_eq!(
            licentia_client_config_new(server.as_ptr(), product.as_ptr(), verifier, &mut config),
            licentia_status::LICENTIA_OK
        );
        assert_eq!(
            licentia_client_config_set_store(config, dir.as_ptr()),
            licentia_status::LICENTIA_OK
        );
        assert_eq!(
            licentia_client_new(config, &mut client),
            licentia_status::LICENTIA_OK
        );
    }
    f(client);
    // SAFETY: handles made above, freed once.
    unsafe {
        licentia_client_free(client);
        licentia_client_config_free(config);
        licentia_verifier_free(verifier);
    }
    let _ = std::fs::remove_dir_all(store);
}

#[test]
fn a_report_written_in_c_is_read_by_the_core() {
    let id = LicenseId([7; 16]);
    let license = c(&id.to_string());
    let names = [c("renders"), c("api_calls")];
    let meters: Vec<*const c_char> = names.iter().map(|n| n.as_ptr()).collect();
    let amounts = [7u64, 1234];
    with_client(|client| {
        let mut buf = vec![0 as c_char; 2048];
        let mut len = 0;
        // SAFETY: live client, two names and two amounts, a buffer of its length.
        let status = unsafe {
            licentia_client_usage_report(
                client,
                license.as_ptr(),
                3,
                meters.as_ptr(),
                amounts.as_ptr(),
                2,
                buf.as_mut_ptr(),
                buf.len(),
                &mut len,
            )
        };
        assert_eq!(status, licentia_status::LICENTIA_OK);
        let text: String = buf[..len].iter().map(|&b| b as u8 as char).collect();
        let report = UsageReport::parse(&text).unwrap();
        assert_eq!(
            (report.product.as_str(), report.license, report.counter),
            ("acme-cad", id, 3)
        );
        assert_eq!(
            report.totals,
            vec![
                UsageTotal::new("api_calls", 1234),
                UsageTotal::new("renders", 7)
            ]
        );
    });
}
