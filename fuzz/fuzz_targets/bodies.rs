//! Every signed body, decoded without the signature check (the first byte
//! picks the body type): what decodes re-encodes to the same bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use licentia::fuzzing;

fuzz_target!(|data: &[u8]| {
    let Some((which, body)) = data.split_first() else {
        return;
    };
    let decode = match which % 6 {
        0 => fuzzing::license_body,
        1 => fuzzing::renewal_body,
        2 => fuzzing::revocation_body,
        3 => fuzzing::rollover_body,
        4 => fuzzing::answer_body,
        _ => fuzzing::license_body_v2,
    };
    if let Ok(again) = decode(body) {
        assert_eq!(again, body);
    }
});
