//! Differential: the prepared key's verification against ed25519-dalek's
//! `verify_strict` on keys, signatures and messages built from the input
//! (`licentia::fuzzing::prepared_key_agrees`: raw bytes, real signatures
//! under an XOR mask, hand-made mixed-order and S + ℓ signatures). The two
//! must accept and refuse alike.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| licentia::fuzzing::prepared_key_agrees(data));
