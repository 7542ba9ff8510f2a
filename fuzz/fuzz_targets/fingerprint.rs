//! Machine fingerprints in their hex text form.
#![no_main]

use libfuzzer_sys::fuzz_target;
use licentia::Fingerprint;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(fingerprint) = Fingerprint::parse(text) {
        assert_eq!(
            Fingerprint::parse(&fingerprint.to_string()).expect("own output parses"),
            fingerprint
        );
    }
});
