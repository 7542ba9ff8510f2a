//! The binary envelope: parse, and parse -> write gives the same bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use licentia::Envelope;

fuzz_target!(|data: &[u8]| {
    if let Ok(envelope) = Envelope::from_bytes(data) {
        assert_eq!(envelope.to_bytes(), data);
    }
});
