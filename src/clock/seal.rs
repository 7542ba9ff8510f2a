//! The clock guard's sealed line: what one copy of the state holds, and the
//! MAC that makes an edited, foreign or moved copy fail.
//!
//! Version 2, written today: `licentia-clock 2 <counter> <seconds> <hex mac>`,
//! the MAC over the counter and the seconds under a key bound to the
//! application's secret, the product and the machine. Version 1 (no
//! counter, no machine) is still read, as counter 0, and replaced by a
//! version 2 line at the next write.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::{hex, Error, Fingerprint, Result};

const MAGIC: &str = "licentia-clock";
const TAG_V1: &[u8] = b"licentia clock guard\0";
const TAG_V2: &[u8] = b"licentia clock guard v2\0";

/// The largest sealed line read; anything longer was not written here.
pub(super) const MAX_LINE: usize = 256;

/// One copy's content: how many times the state was written, and the mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Sealed {
    /// Raised by one at every write: an older copy has a smaller one.
    pub counter: u64,
    /// The high-water mark, in Unix seconds.
    pub seconds: i64,
}

/// The MAC keys of one guard: today's, and the one version 1 files used.
pub(super) struct SealKeys {
    v1: Zeroizing<[u8; 32]>,
    v2: Zeroizing<[u8; 32]>,
}

fn hmac(key: &[u8], parts: &[&[u8]]) -> Zeroizing<[u8; 32]> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length");
    for part in parts {
        mac.update(part);
    }
    Zeroizing::new(mac.finalize().into_bytes().into())
}

impl SealKeys {
    /// Derives the keys from the application's secret, the product and, when
    /// given, the machine's fingerprint (so a copy moved to another machine
    /// does not verify there).
    pub fn derive(secret: &[u8], product: &str, machine: Option<&Fingerprint>) -> SealKeys {
        let machine = machine.map(|m| m.to_string()).unwrap_or_default();
        // Lengths first, so no product and machine pair reads as another.
        let product_len = (product.len() as u64).to_le_bytes();
        let machine_len = (machine.len() as u64).to_le_bytes();
        SealKeys {
            v1: hmac(secret, &[TAG_V1, product.as_bytes()]),
            v2: hmac(
                secret,
                &[
                    TAG_V2,
                    &product_len,
                    product.as_bytes(),
                    &machine_len,
                    machine.as_bytes(),
                ],
            ),
        }
    }

    fn mac_v1(&self, seconds: i64) -> Zeroizing<[u8; 32]> {
        hmac(&*self.v1, &[&seconds.to_le_bytes()])
    }

    fn mac_v2(&self, sealed: Sealed) -> Zeroizing<[u8; 32]> {
        hmac(
            &*self.v2,
            &[&sealed.counter.to_le_bytes(), &sealed.seconds.to_le_bytes()],
        )
    }

    /// The version 2 line for `sealed`.
    pub fn seal(&self, sealed: Sealed) -> String {
        format!(
            "{MAGIC} 2 {} {} {}\n",
            sealed.counter,
            sealed.seconds,
            hex::encode(&*self.mac_v2(sealed))
        )
    }

    /// Reads a version 1 or 2 line; [`Error::ClockStateTampered`] for
    /// anything that does not verify under these keys.
    pub fn open(&self, text: &str) -> Result<Sealed> {
        let fields: Vec<&str> = text.split_whitespace().collect();
        let (sealed, tag, expected) = match fields[..] {
            [MAGIC, "1", seconds, tag] => {
                let seconds = number(seconds)?;
                let sealed = Sealed {
                    counter: 0,
                    seconds,
                };
                (sealed, tag, self.mac_v1(seconds))
            }
            [MAGIC, "2", counter, seconds, tag] => {
                let sealed = Sealed {
                    counter: number(counter)?,
                    seconds: number(seconds)?,
                };
                (sealed, tag, self.mac_v2(sealed))
            }
            _ => return Err(Error::ClockStateTampered),
        };
        let tag: [u8; 32] = hex::decode_array(tag, "tag").map_err(|_| Error::ClockStateTampered)?;
        if bool::from(expected.ct_eq(&tag)) {
            Ok(sealed)
        } else {
            Err(Error::ClockStateTampered)
        }
    }
}

fn number<T: core::str::FromStr>(text: &str) -> Result<T> {
    text.parse().map_err(|_| Error::ClockStateTampered)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_opens_only_under_its_own_keys() {
        let keys = SealKeys::derive(b"s", "p", None);
        let sealed = Sealed {
            counter: 7,
            seconds: 1_800_000_000,
        };
        let line = keys.seal(sealed);
        assert_eq!(keys.open(&line), Ok(sealed));
        let here = Fingerprint::builder("p")
            .vendor("disk", "1")
            .build()
            .unwrap();
        for other in [
            SealKeys::derive(b"t", "p", None),
            SealKeys::derive(b"s", "q", None),
            SealKeys::derive(b"s", "p", Some(&here)),
        ] {
            assert_eq!(other.open(&line), Err(Error::ClockStateTampered));
        }
        // The counter is sealed too: a copy cannot claim to be newer.
        let bumped = line.replacen(" 7 ", " 8 ", 1);
        assert_eq!(keys.open(&bumped), Err(Error::ClockStateTampered));
    }

    #[test]
    fn a_version_1_line_reads_as_counter_zero() {
        let keys = SealKeys::derive(b"s", "p", None);
        let line = format!(
            "licentia-clock 1 5000 {}\n",
            hex::encode(&*keys.mac_v1(5000))
        );
        assert_eq!(
            keys.open(&line),
            Ok(Sealed {
                counter: 0,
                seconds: 5000
            })
        );
    }
}
