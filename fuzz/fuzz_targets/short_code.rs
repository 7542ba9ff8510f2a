//! Telephone codes as typed: short requests and answers, and typed codes
//! of any length. Anything decoded writes back to a code that decodes to
//! the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use licentia::short_code::{ShortAnswer, ShortRequest};
use licentia::typed;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(request) = ShortRequest::parse(text) {
        assert_eq!(ShortRequest::parse(&request.to_code()).unwrap(), request);
    }
    if let Ok(answer) = ShortAnswer::parse(text) {
        assert_eq!(ShortAnswer::parse(&answer.to_code()).unwrap(), answer);
    }
    if let Ok(bytes) = typed::decode(text) {
        assert_eq!(typed::decode(&typed::encode(&bytes)).unwrap(), bytes);
    }
});
