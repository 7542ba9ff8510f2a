//! Rate limits, in memory (each instance limits what it serves): per client
//! address on the routes callable without a staff token, and per license
//! key on the product-facing ones, so neither many keys from one address
//! nor one key from many addresses goes unchecked.
//!
//! The limiters are `governor`'s keyed GCRA limiters: a key that stops
//! calling costs nothing once its allowance is full again, and idle keys
//! are swept. Memory stays bounded whatever the churn of keys: past
//! [`MAX_TRACKED`] keys, and until a sweep frees room, every further caller
//! shares one allowance.

use std::hash::Hash;
use std::net::{IpAddr, Ipv6Addr};
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::Clock;
use governor::{DefaultKeyedRateLimiter, Quota};

use crate::client_addr::ClientAddr;
use crate::config::Config;
use crate::error::{ApiError, ApiResult};
use crate::AppState;

/// Keys tracked by one limiter at most.
pub const MAX_TRACKED: usize = 100_000;

/// How often keys whose allowance is full again are forgotten.
const SWEEP_EVERY: Duration = Duration::from_secs(10);
/// How often a full limiter sweeps at most: a sweep reads every key, and a
/// flood of new addresses must not make every request pay for one.
const SWEEP_WHEN_FULL: Duration = Duration::from_secs(1);

/// A limit of requests per minute per key, with bounded memory.
pub struct KeyedLimit<K: Hash + Eq + Clone> {
    /// `None`: no limit.
    limiter: Option<DefaultKeyedRateLimiter<K>>,
    cap: usize,
    /// The key every caller shares while the limiter is full.
    overflow: K,
    last_sweep: Mutex<Instant>,
}

impl<K: Hash + Eq + Clone> KeyedLimit<K> {
    /// Allows `per_minute` requests a minute per key (0: no limit), in
    /// bursts of as many, tracking at most `cap` keys (and `overflow`).
    pub fn new(per_minute: u32, cap: usize, overflow: K) -> KeyedLimit<K> {
        KeyedLimit {
            limiter: NonZeroU32::new(per_minute)
                .map(|n| DefaultKeyedRateLimiter::keyed(Quota::per_minute(n))),
            cap,
            overflow,
            last_sweep: Mutex::new(Instant::now()),
        }
    }

    /// Counts one request for `key`; `Err(seconds)` to wait when over.
    pub fn admit(&self, key: &K) -> Result<(), u64> {
        let Some(limiter) = &self.limiter else {
            return Ok(());
        };
        let full = limiter.len() >= self.cap;
        self.sweep(limiter, full);
        let key = if full && limiter.len() >= self.cap {
            &self.overflow
        } else {
            key
        };
        limiter.check_key(key).map_err(|not_until| {
            let wait = not_until.wait_time_from(limiter.clock().now());
            // Whole seconds, rounded up, at least one.
            wait.as_secs() + u64::from(wait.subsec_nanos() > 0 || wait.is_zero())
        })
    }

    /// Forgets idle keys, every [`SWEEP_EVERY`], or [`SWEEP_WHEN_FULL`]
    /// when `full` (one request sweeps; the others go on).
    fn sweep(&self, limiter: &DefaultKeyedRateLimiter<K>, full: bool) {
        let every = if full { SWEEP_WHEN_FULL } else { SWEEP_EVERY };
        if let Ok(mut last) = self.last_sweep.try_lock() {
            if last.elapsed() >= every {
                limiter.retain_recent();
                limiter.shrink_to_fit();
                *last = Instant::now();
            }
        }
    }

    /// Keys tracked now.
    #[cfg(test)]
    pub fn tracked(&self) -> usize {
        self.limiter.as_ref().map_or(0, |l| l.len())
    }
}

/// The limits of one server.
pub struct Limits {
    by_address: KeyedLimit<IpAddr>,
    by_key: KeyedLimit<String>,
}

impl Limits {
    /// The limits `config` sets.
    pub fn new(config: &Config) -> Limits {
        Limits {
            by_address: KeyedLimit::new(
                config.rate_limit_per_minute,
                MAX_TRACKED,
                IpAddr::from([0, 0, 0, 0]),
            ),
            by_key: KeyedLimit::new(config.key_rate_limit_per_minute, MAX_TRACKED, String::new()),
        }
    }

    /// Counts one request with the license key whose hash is `key_hash`.
    pub(crate) fn admit_key(&self, key_hash: &str) -> ApiResult<()> {
        self.by_key
            .admit(&key_hash.to_owned())
            .map_err(|wait| too_many("this license key", wait))
    }
}

/// The key an address is limited under: IPv6 by its /64, the block one
/// host is usually given, so a host cannot take a fresh allowance per address.
pub fn address_key(addr: IpAddr) -> IpAddr {
    match addr.to_canonical() {
        IpAddr::V6(v6) => {
            let prefix = u128::from(v6) & !((1u128 << 64) - 1);
            IpAddr::V6(Ipv6Addr::from(prefix))
        }
        v4 => v4,
    }
}

/// 429 `rate_limited`, with `Retry-After`.
fn too_many(whom: &str, wait: u64) -> ApiError {
    ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
        format!("too many requests from {whom}; retry in {wait} s"),
    )
    .retry_after(wait)
}

/// Middleware: 429 with `Retry-After` when the client's address (see
/// [`ClientAddr`]) is over its limit.
pub async fn limit_by_address(State(s): State<AppState>, req: Request, next: Next) -> Response {
    let addr = req
        .extensions()
        .get::<ClientAddr>()
        .map_or(IpAddr::from([0, 0, 0, 0]), |c| c.0);
    match s.limits.by_address.admit(&address_key(addr)) {
        Ok(()) => next.run(req).await,
        Err(wait) => too_many("this address", wait).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_per_key() {
        let limit = KeyedLimit::new(2, 10, IpAddr::from([0, 0, 0, 0]));
        let a = IpAddr::from([10, 0, 0, 1]);
        let b = IpAddr::from([10, 0, 0, 2]);
        assert!(limit.admit(&a).is_ok());
        assert!(limit.admit(&a).is_ok());
        let wait = limit.admit(&a).unwrap_err();
        assert!((1..=30).contains(&wait), "{wait}");
        assert!(limit.admit(&b).is_ok());
        let unlimited = KeyedLimit::new(0, 10, IpAddr::from([0, 0, 0, 0]));
        for _ in 0..100 {
            assert!(unlimited.admit(&a).is_ok());
        }
    }

    #[test]
    fn churn_of_addresses_keeps_the_map_bounded() {
        let cap = 50;
        // One request a minute: every key stays "recent" for a minute, so
        // nothing can be swept and only the cap holds the map.
        let limit = KeyedLimit::new(1, cap, IpAddr::from([0, 0, 0, 0]));
        for n in 0..10_000u32 {
            let _ = limit.admit(&IpAddr::from(n.to_be_bytes()));
            assert!(limit.tracked() <= cap + 1, "{} keys", limit.tracked());
        }
        // Past the cap, the newcomers share one allowance (and exhaust it).
        let newcomer = IpAddr::from([203, 0, 113, 1]);
        assert!(limit.admit(&newcomer).is_err());
    }

    #[test]
    fn an_ipv6_host_is_limited_by_its_block() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        let other: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(address_key(a), address_key(b));
        assert_ne!(address_key(a), address_key(other));
        let v4: IpAddr = "192.0.2.1".parse().unwrap();
        assert_eq!(address_key(v4), v4);
    }
}
