//! Offline deactivation requests (unsigned, written by customers' machines)
//! and receipt bodies (decoded without the signature check): what parses
//! writes back the same.
#![no_main]

use libfuzzer_sys::fuzz_target;
use licentia::{fuzzing, DeactivationRequest};

fuzz_target!(|data: &[u8]| {
    if let Ok(again) = fuzzing::receipt_body(data) {
        assert_eq!(again, data);
    }
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(request) = DeactivationRequest::parse(text) {
        assert_eq!(
            DeactivationRequest::parse(&request.to_armor()).expect("own output parses"),
            request
        );
    }
});
