//! Offline activation requests (unsigned, written by customers' machines).
#![no_main]

use libfuzzer_sys::fuzz_target;
use licentia::ActivationRequest;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(request) = ActivationRequest::parse(text) {
        assert_eq!(
            ActivationRequest::parse(&request.to_armor()).expect("own output parses"),
            request
        );
    }
});
