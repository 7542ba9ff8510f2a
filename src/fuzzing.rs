//! Entry points for the fuzzers only (built with `--cfg fuzzing`).
//!
//! A signature check stops a fuzzer at the door, so these decode each signed
//! body directly. Each returns the canonical re-encoding of what it decoded,
//! which the fuzz target compares with its input.

use crate::activation::AnswerBody;
use crate::license::LicenseBody;
use crate::renewal::RenewalBody;
use crate::revocation::RevocationBody;
use crate::rollover::RolloverBody;
use crate::{codec, Result};

fn round_trip<T: serde::Serialize + serde::de::DeserializeOwned>(data: &[u8]) -> Result<Vec<u8>> {
    let value: T = codec::decode_canonical(data)?;
    codec::encode(&value)
}

/// Decodes a license body and encodes it again.
pub fn license_body(data: &[u8]) -> Result<Vec<u8>> {
    round_trip::<LicenseBody>(data)
}

/// Decodes a renewal-token body and encodes it again.
pub fn renewal_body(data: &[u8]) -> Result<Vec<u8>> {
    round_trip::<RenewalBody>(data)
}

/// Decodes a revocation-list body and encodes it again.
pub fn revocation_body(data: &[u8]) -> Result<Vec<u8>> {
    round_trip::<RevocationBody>(data)
}

/// Decodes a key-rollover body and encodes it again.
pub fn rollover_body(data: &[u8]) -> Result<Vec<u8>> {
    round_trip::<RolloverBody>(data)
}

/// Decodes an activation-answer body and encodes it again.
pub fn answer_body(data: &[u8]) -> Result<Vec<u8>> {
    round_trip::<AnswerBody>(data)
}
