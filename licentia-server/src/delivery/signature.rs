//! The signature of a webhook body: `Licentia-Signature: t=<unix seconds>,
//! v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`, made here and checked by
//! [`verify_signature`] (receivers written in Rust may call it).

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::secret;

/// The header carrying a webhook body's signature.
pub const SIGNATURE_HEADER: &str = "licentia-signature";

/// The header carrying the notification's id, for deduplication.
pub const NOTIFICATION_ID_HEADER: &str = "licentia-notification-id";

/// HMAC-SHA256(secret, "<t>.<body>").
fn mac(secret: &[u8], t: i64, body: &str) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(format!("{t}.").as_bytes());
    mac.update(body.as_bytes());
    mac
}

/// The `Licentia-Signature` value for `body` sent at `t` (Unix seconds).
pub fn signature_header(secret: &[u8], t: i64, body: &str) -> String {
    format!(
        "t={t},v1={}",
        secret::hex(&mac(secret, t, body).finalize().into_bytes())
    )
}

/// Checks a `Licentia-Signature` value against `body`: true when its `v1`
/// is the HMAC of `"<t>.<body>"` under `secret` (compared in constant time)
/// and its `t` is within `tolerance_secs` of `now`.
pub fn verify_signature(
    secret: &[u8],
    header: &str,
    body: &str,
    now: i64,
    tolerance_secs: i64,
) -> bool {
    let mut t = None;
    let mut v1 = None;
    for part in header.split(',') {
        match part.split_once('=') {
            Some(("t", value)) => t = value.parse::<i64>().ok(),
            Some(("v1", value)) => v1 = Some(value),
            _ => {}
        }
    }
    let (Some(t), Some(v1)) = (t, v1) else {
        return false;
    };
    let Some(given) = secret::unhex(v1) else {
        return false;
    };
    now.abs_diff(t) <= tolerance_secs.unsigned_abs()
        && mac(secret, t, body).verify_slice(&given).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_only_with_its_secret_body_and_time() {
        let body = "{\"id\":1}";
        let header = signature_header(b"whsec_a", 1_800_000_000, body);
        assert!(header.starts_with("t=1800000000,v1="));
        let moved = header.replace("t=1800000000", "t=1800000001");
        let cases: [(&[u8], &str, &str, i64, bool); 7] = [
            (b"whsec_a", &header, body, 1_800_000_100, true),
            (b"whsec_b", &header, body, 1_800_000_100, false),
            (b"whsec_a", &header, "{\"id\":2}", 1_800_000_100, false),
            (b"whsec_a", &header, body, 1_800_001_000, false),
            (b"whsec_a", &moved, body, 1_800_000_100, false),
            (b"whsec_a", "t=1,v1=zz", "{}", 1, false),
            (b"whsec_a", "garbage", "{}", 1, false),
        ];
        for (secret, header, body, now, want) in cases {
            assert_eq!(
                verify_signature(secret, header, body, now, 300),
                want,
                "{header} {body} {now}"
            );
        }
    }
}
