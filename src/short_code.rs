//! Activation by telephone: a request and an answer short enough to read
//! aloud, six groups of five characters each.
//!
//! A machine with no network and no USB holds a licence file already (an
//! unbound one, signed as ever). Its [`ShortRequest`] names that licence (a
//! 2-byte tag of its id: the wrong licence is caught), this machine (6 bytes
//! of SHA-256 of its fingerprint) and a 3-byte nonce: 88 bits, five groups
//! and the check group of [`typed`]. The back office answers
//! with a [`ShortAnswer`]: the day the answer ends and 80 bits of
//! HMAC-SHA256 under the product's **typed-answer secret** over the licence
//! id, the machine, the nonce and that day — six groups too.
//!
//! An Ed25519 signature (64 bytes) would take some 26 groups, too many to
//! read aloud, so the answer is a MAC, and the product holds the secret
//! that makes it. Anyone who extracts that secret from the product can
//! answer for every licence of the product: the same bar as patching the
//! check out of the binary. The licence's terms stay signed in its file;
//! the answer only binds that licence to this machine until a day. Rotate
//! the secret with each major release; the file flow
//! ([`ActivationRequest`](crate::ActivationRequest)) remains the strong one.
//!
//! ```
//! use licentia::short_code::{self, ShortRequest, TypedSecret};
//! use licentia::{Fingerprint, Issuer, LicenseBody, SigningKey, Timestamp, Verifier};
//!
//! let key = SigningKey::generate();
//! let body = LicenseBody::builder("acme", "Jane Doe").issued_at(Timestamp(1_800_000_000)).build().unwrap();
//! let file = Issuer::new(key.clone()).issue(&body).unwrap().to_armor();
//! let license = Verifier::new([key.public_key().clone()]).verify(&file).unwrap();
//! let secret = TypedSecret::new([9; 32]);
//! let here = Fingerprint::builder("acme").vendor("host", "lab-3").build().unwrap();
//! let now = Timestamp(1_800_000_000);
//!
//! // The product shows the request; the caller reads it to the vendor.
//! let request = ShortRequest::new(&license.id, &here);
//! let spoken = request.to_code();
//! // The back office answers it for that licence, for thirty days.
//! let answer = ShortRequest::parse(&spoken)
//!     .unwrap()
//!     .answer(&secret, &license.id, now.add_days(30))
//!     .unwrap()
//!     .to_code();
//! // The product takes the answer as typed, and at every start checks both codes again.
//! let until = short_code::check(&license, &secret, &spoken, &answer, &here, now).unwrap();
//! assert!(until >= now.add_days(30));
//! let mut typo = answer.into_bytes();
//! typo[0] = if typo[0] == b'7' { b'8' } else { b'7' };
//! let err = short_code::check(&license, &secret, &spoken, std::str::from_utf8(&typo).unwrap(), &here, now);
//! assert!(err.unwrap_err().to_string().contains("check digit of group 1"));
//! ```

use core::fmt;

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::license::LicenseId;
use crate::machine::Fingerprint;
use crate::time::{Timestamp, DAY};
use crate::verify::License;
use crate::{typed, Error, Result};

/// Bytes of a licence id's SHA-256 a request carries.
const LICENSE_TAG_LEN: usize = 2;
/// Bytes of a fingerprint's SHA-256 a request carries.
pub const MACHINE_LEN: usize = 6;
/// Bytes of nonce a request carries.
const NONCE_LEN: usize = 3;
/// A request's bytes: licence tag, machine, nonce.
const REQUEST_LEN: usize = LICENSE_TAG_LEN + MACHINE_LEN + NONCE_LEN;
/// Bytes of HMAC-SHA256 an answer carries (80 bits).
const MAC_LEN: usize = 10;
/// An answer's bytes: its last day, then the MAC.
const ANSWER_LEN: usize = 2 + MAC_LEN;
/// Day 0 of an answer's last day: 2024-01-01 UTC (u16 days reach 2203).
pub const EPOCH: Timestamp = Timestamp(1_704_067_200);
const LICENSE_TAG: &[u8] = b"licentia typed licence\0";
const MACHINE_TAG: &[u8] = b"licentia typed machine\0";
const ANSWER_TAG: &[u8] = b"licentia typed answer v1\0";

/// A product's typed-answer secret: 32 random bytes the back office makes
/// per product and the vendor compiles into the product. Zeroized on drop,
/// redacted in `Debug`.
#[derive(Clone)]
pub struct TypedSecret(Zeroizing<[u8; 32]>);

impl TypedSecret {
    /// The secret from its bytes.
    pub fn new(bytes: [u8; 32]) -> TypedSecret {
        TypedSecret(Zeroizing::new(bytes))
    }

    /// A fresh random secret.
    pub fn generate() -> TypedSecret {
        TypedSecret::new(rand::random())
    }

    /// Parses the 64 hex digits the back office gives.
    ///
    /// ```
    /// let s = licentia::short_code::TypedSecret::generate();
    /// let again = licentia::short_code::TypedSecret::parse(&s.to_hex()).unwrap();
    /// assert_eq!(again.to_hex(), s.to_hex());
    /// assert!(licentia::short_code::TypedSecret::parse("00").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<TypedSecret> {
        crate::hex::decode_array(text.trim(), "typed-answer secret").map(TypedSecret::new)
    }

    /// Its 64 hex digits, to give vendor staff once.
    pub fn to_hex(&self) -> String {
        crate::hex::encode(self.0.as_ref())
    }

    fn mac(&self, license: &LicenseId, request: &ShortRequest, last_day: u16) -> [u8; MAC_LEN] {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(self.0.as_ref()).expect("HMAC takes keys of any length");
        mac.update(ANSWER_TAG);
        mac.update(&license.0);
        mac.update(&request.machine);
        mac.update(&request.nonce);
        mac.update(&last_day.to_be_bytes());
        let full = mac.finalize().into_bytes();
        full[..MAC_LEN].try_into().expect("10 of 32 bytes")
    }
}

impl fmt::Debug for TypedSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TypedSecret(..)")
    }
}

/// The first bytes of SHA-256 over a domain tag and `bytes`.
fn digest<const N: usize>(tag: &[u8], bytes: &[u8]) -> [u8; N] {
    let full = Sha256::new()
        .chain_update(tag)
        .chain_update(bytes)
        .finalize();
    full[..N].try_into().expect("fewer than 32 bytes")
}

/// A machine as a short request names it: 6 bytes of SHA-256 over its
/// distinct components, sorted (so their order does not matter). Every
/// component counts: a machine that changed one is another machine here,
/// whatever the licence's match rule.
pub fn machine_digest(fingerprint: &Fingerprint) -> [u8; MACHINE_LEN] {
    let mut components: Vec<_> = fingerprint.distinct().collect();
    components.sort();
    let bytes: Vec<u8> = components
        .iter()
        .flat_map(|c| core::iter::once(c.kind as u8).chain(c.hash))
        .collect();
    digest(MACHINE_TAG, &bytes)
}

fn license_tag(license: &LicenseId) -> [u8; LICENSE_TAG_LEN] {
    digest(LICENSE_TAG, &license.0)
}

/// What a machine reads over the telephone to activate a licence it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShortRequest {
    /// 2 bytes of SHA-256 of the licence id.
    pub license_tag: [u8; LICENSE_TAG_LEN],
    /// [`machine_digest`] of the machine.
    pub machine: [u8; MACHINE_LEN],
    /// Random, so each answer fits one request.
    pub nonce: [u8; NONCE_LEN],
}

impl ShortRequest {
    /// A request for the licence `license` (the id of the verified licence
    /// the product holds) on the machine `fingerprint`, with a fresh nonce.
    pub fn new(license: &LicenseId, fingerprint: &Fingerprint) -> ShortRequest {
        ShortRequest {
            license_tag: license_tag(license),
            machine: machine_digest(fingerprint),
            nonce: rand::random(),
        }
    }

    /// Its code: six groups of five characters.
    pub fn to_code(&self) -> String {
        let mut bytes = [0u8; REQUEST_LEN];
        bytes[..2].copy_from_slice(&self.license_tag);
        bytes[2..8].copy_from_slice(&self.machine);
        bytes[8..].copy_from_slice(&self.nonce);
        typed::encode_fixed(&bytes)
    }

    /// Parses a request's code as typed (case, `O`/`0`, `I`/`L`/`1`, spaces
    /// and dashes forgiven); a mistyped character is refused naming the
    /// group to re-key.
    pub fn parse(code: &str) -> Result<ShortRequest> {
        let bytes = typed::decode_fixed(code, REQUEST_LEN)?;
        Ok(ShortRequest {
            license_tag: bytes[..2].try_into().expect("2 bytes"),
            machine: bytes[2..8].try_into().expect("6 bytes"),
            nonce: bytes[8..].try_into().expect("3 bytes"),
        })
    }

    /// Whether the request names `license`: a request read for the wrong
    /// licence is caught (but for one in 65,536).
    pub fn is_for(&self, license: &LicenseId) -> bool {
        license_tag(license) == self.license_tag
    }

    /// The back office's answer for `license`, accepted on the machine until
    /// `not_after` (rounded up to a whole day, UTC). Refused when the
    /// request is for another licence, or `not_after` is before 2024 or
    /// after 2203.
    pub fn answer(
        &self,
        secret: &TypedSecret,
        license: &LicenseId,
        not_after: Timestamp,
    ) -> Result<ShortAnswer> {
        if !self.is_for(license) {
            return Err(Error::ActivationMismatch(
                "the request is for another licence",
            ));
        }
        let day = (not_after.0 - EPOCH.0 + DAY - 1).div_euclid(DAY);
        let last_day = u16::try_from(day).map_err(|_| {
            Error::InvalidArgument("a telephone answer ends between 2024 and 2203".into())
        })?;
        Ok(ShortAnswer {
            last_day,
            mac: secret.mac(license, self, last_day),
        })
    }

    /// Accepts `answer` on this machine for `license`: refused when the
    /// request names another licence, `fingerprint` is not the machine that
    /// made the request (an answer replayed elsewhere), the answer is not
    /// one to this request (a wrong MAC, compared in constant time), or its
    /// day has come. Gives when it ends.
    pub fn accept(
        &self,
        license: &License,
        secret: &TypedSecret,
        answer: &ShortAnswer,
        fingerprint: &Fingerprint,
        now: Timestamp,
    ) -> Result<Timestamp> {
        if !self.is_for(&license.id) {
            return Err(Error::ActivationMismatch(
                "the request is for another licence",
            ));
        }
        if !bool::from(machine_digest(fingerprint).ct_eq(&self.machine)) {
            return Err(Error::ActivationMismatch("it is for another machine"));
        }
        let expected = secret.mac(&license.id, self, answer.last_day);
        if !bool::from(expected.ct_eq(&answer.mac)) {
            return Err(Error::ActivationMismatch(
                "it is not an answer to this request",
            ));
        }
        let ends = answer.not_after();
        if now >= ends {
            return Err(Error::ActivationMismatch("its time has ended"));
        }
        Ok(ends)
    }
}

/// The back office's answer to a [`ShortRequest`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShortAnswer {
    /// Days from [`EPOCH`] to the day it is refused from.
    pub last_day: u16,
    /// 80 bits of HMAC-SHA256 under the product's typed-answer secret.
    pub mac: [u8; MAC_LEN],
}

impl ShortAnswer {
    /// Its code: six groups of five characters.
    pub fn to_code(&self) -> String {
        let mut bytes = [0u8; ANSWER_LEN];
        bytes[..2].copy_from_slice(&self.last_day.to_be_bytes());
        bytes[2..].copy_from_slice(&self.mac);
        typed::encode_fixed(&bytes)
    }

    /// Parses an answer's code as typed; a mistyped character is refused
    /// naming the group to re-key.
    pub fn parse(code: &str) -> Result<ShortAnswer> {
        let bytes = typed::decode_fixed(code, ANSWER_LEN)?;
        Ok(ShortAnswer {
            last_day: u16::from_be_bytes([bytes[0], bytes[1]]),
            mac: bytes[2..].try_into().expect("10 bytes"),
        })
    }

    /// When it is refused from: the start (UTC) of its last day.
    pub fn not_after(&self) -> Timestamp {
        EPOCH.add_days(i64::from(self.last_day))
    }
}

/// What the product runs at activation and at every start from the two
/// codes it stored: `license` (verified) is activated on this machine
/// (`fingerprint`, read afresh) until the time returned. Each failure says
/// what to do: a code mistyped names its group; another machine, another
/// licence, an answer to another request and an ended one are each named.
pub fn check(
    license: &License,
    secret: &TypedSecret,
    request: &str,
    answer: &str,
    fingerprint: &Fingerprint,
    now: Timestamp,
) -> Result<Timestamp> {
    let request = ShortRequest::parse(request)?;
    let answer = ShortAnswer::parse(answer)?;
    request.accept(license, secret, &answer, fingerprint, now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Issuer, LicenseBody, SigningKey, Verifier};

    const NOW: Timestamp = Timestamp(1_800_000_000);

    fn licence(key: &SigningKey) -> License {
        let body = LicenseBody::builder("acme", "Jane Doe")
            .issued_at(NOW)
            .build()
            .unwrap();
        let file = Issuer::new(key.clone()).issue(&body).unwrap().to_armor();
        Verifier::new([key.public_key().clone()])
            .verify(&file)
            .unwrap()
    }

    fn machine(name: &str) -> Fingerprint {
        Fingerprint::builder("acme")
            .vendor("host", name)
            .build()
            .unwrap()
    }

    fn err(r: Result<Timestamp>) -> String {
        r.unwrap_err().to_string()
    }

    #[test]
    fn a_round_trip_by_typing_and_its_mistakes() {
        let key = SigningKey::generate();
        let license = licence(&key);
        let secret = TypedSecret::generate();
        let here = machine("lab-3");
        let request = ShortRequest::new(&license.id, &here);
        let spoken = request.to_code();
        assert_eq!(spoken.split('-').count(), 6, "{spoken}");
        let heard = ShortRequest::parse(&spoken.to_lowercase().replace('-', " ")).unwrap();
        assert_eq!(heard, request);
        let answer = heard
            .answer(&secret, &license.id, NOW.add_days(30))
            .unwrap()
            .to_code();
        assert_eq!(answer.split('-').count(), 6, "{answer}");
        let until = check(&license, &secret, &spoken, &answer, &here, NOW).unwrap();
        assert!(until >= NOW.add_days(30) && until < NOW.add_days(31));

        // One character re-keyed wrong, in each group of the answer.
        for group in 0..6 {
            let mut typo = answer.clone().into_bytes();
            let at = group * 6 + 1;
            typo[at] = if typo[at] == b'Q' { b'R' } else { b'Q' };
            let typo = String::from_utf8(typo).unwrap();
            let e = err(check(&license, &secret, &spoken, &typo, &here, NOW));
            assert!(
                e.contains(&format!("check digit of group {}", group + 1)),
                "{e}"
            );
        }
        // Two groups swapped.
        let mut groups: Vec<&str> = answer.split('-').collect();
        groups.swap(1, 2);
        assert!(check(&license, &secret, &spoken, &groups.join("-"), &here, NOW).is_err());
        // The request's code given as the answer, and the reverse.
        assert!(check(&license, &secret, &answer, &spoken, &here, NOW).is_err());
    }

    #[test]
    fn another_licence_machine_request_secret_or_day_is_refused() {
        let key = SigningKey::generate();
        let license = licence(&key);
        let other_license = licence(&key);
        let secret = TypedSecret::generate();
        let here = machine("lab-3");
        let request = ShortRequest::new(&license.id, &here);
        let answer = request
            .answer(&secret, &license.id, NOW.add_days(2))
            .unwrap();
        let accept = |l: &License, s: &TypedSecret, r: &ShortRequest, m: &Fingerprint, t| {
            err(r.accept(l, s, &answer, m, t))
        };

        assert!(request
            .answer(&secret, &other_license.id, NOW)
            .unwrap_err()
            .to_string()
            .contains("another licence"));
        assert!(accept(&other_license, &secret, &request, &here, NOW).contains("another licence"));
        // Replayed on another machine: the same codes, another fingerprint.
        assert!(
            accept(&license, &secret, &request, &machine("lab-4"), NOW).contains("another machine")
        );
        // Replayed on this machine for a new request (another nonce).
        let again = ShortRequest {
            nonce: [request.nonce[0] ^ 1, request.nonce[1], request.nonce[2]],
            ..request
        };
        assert!(accept(&license, &secret, &again, &here, NOW)
            .contains("it is not an answer to this request"));
        // Another product's secret, or a forged day.
        assert!(
            accept(&license, &TypedSecret::generate(), &request, &here, NOW)
                .contains("not an answer")
        );
        let later = ShortAnswer {
            last_day: answer.last_day + 300,
            ..answer
        };
        assert!(
            err(request.accept(&license, &secret, &later, &here, NOW)).contains("not an answer")
        );
        // Expired.
        assert!(accept(&license, &secret, &request, &here, NOW.add_days(3)).contains("ended"));
        assert!(request.answer(&secret, &license.id, Timestamp(0)).is_err());
    }

    #[test]
    fn the_machine_digest_ignores_order_not_components() {
        let a = Fingerprint::builder("acme")
            .vendor("x", "1")
            .vendor("y", "2")
            .build()
            .unwrap();
        let b = Fingerprint::builder("acme")
            .vendor("y", "2")
            .vendor("x", "1")
            .build()
            .unwrap();
        assert_eq!(machine_digest(&a), machine_digest(&b));
        assert_ne!(machine_digest(&a), machine_digest(&machine("1")));
        assert_eq!(
            format!("{:?}", TypedSecret::new([1; 32])),
            "TypedSecret(..)"
        );
    }

    #[test]
    fn garbage_is_refused_cleanly() {
        for bad in [
            "",
            "ABCDE",
            "00000-00000",
            &"Z".repeat(10_000),
            "ÀÀÀÀÀ-ÀÀÀÀÀ",
        ] {
            assert!(ShortRequest::parse(bad).is_err(), "{bad:?}");
            assert!(ShortAnswer::parse(bad).is_err(), "{bad:?}");
        }
        let long = typed::encode_fixed(&[1; 12]);
        assert!(ShortRequest::parse(&long).is_err());
        assert!(ShortAnswer::parse(&long).is_ok());
    }
}
