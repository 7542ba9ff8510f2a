//! Release catalogues: the body decoded without the signature check (what
//! decodes re-encodes to the same bytes, and the verifier's order check
//! never panics), and the text through full verification.
#![no_main]

use libfuzzer_sys::fuzz_target;
use licentia::{fuzzing, SigningKey, Verifier};

fuzz_target!(|data: &[u8]| {
    if let Ok(again) = fuzzing::catalogue_body(data) {
        assert_eq!(again, data);
    }
    if let Ok(text) = std::str::from_utf8(data) {
        // The test-vector key (seed 32 x 0x11).
        let verifier = Verifier::unprepared([SigningKey::from_seed(&[0x11; 32]).public_key().clone()]);
        if let Ok(catalogue) = verifier.verify_release_catalogue(text, "acme-cad") {
            for release in &catalogue.releases {
                assert_eq!(catalogue.release(&release.version), Some(release));
            }
        }
    }
});
