//! JSON license specifications, as the command line and the C ABI take them.
#![no_main]

use libfuzzer_sys::fuzz_target;
use licentia::spec::LicenseSpec;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(spec) = LicenseSpec::from_json(text) {
        let _ = spec.to_body();
    }
});
