//! Armored and compact text: decode, and if it decodes, the canonical text
//! forms decode to the same bytes; full verification never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use licentia::format::{self, Envelope};
use licentia::{SigningKey, Verifier};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok((kind, bytes)) = format::decode_text(text) {
        for again in [format::armor(kind, &bytes), format::compact(kind, &bytes)] {
            assert_eq!(
                format::decode_text(&again).expect("own output decodes"),
                (kind, bytes.clone())
            );
        }
        if let Ok(envelope) = Envelope::from_text(text, kind) {
            assert_eq!(envelope.to_bytes(), bytes);
        }
    }
    // The test-vector key (seed 32 x 0x11), so seeds from tests/vectors reach the body.
    let verifier = Verifier::new([SigningKey::from_seed(&[0x11; 32]).public_key().clone()]);
    let _ = verifier.verify(text);
    let _ = licentia::UnverifiedLicense::parse(text);
});
