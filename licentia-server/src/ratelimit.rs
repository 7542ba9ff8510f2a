//! Rate limiting of product-facing routes: a fixed one-minute window per
//! client address, in memory (each instance limits what it serves).

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;

/// Addresses remembered before old windows are swept.
const MAX_TRACKED: usize = 100_000;

/// Counts requests per address per minute.
#[derive(Debug)]
pub struct RateLimiter {
    per_minute: u32,
    started: Instant,
    windows: Mutex<HashMap<IpAddr, (u64, u32)>>,
}

impl RateLimiter {
    /// A limiter allowing `per_minute` requests per address (0: unlimited).
    pub fn new(per_minute: u32) -> RateLimiter {
        RateLimiter {
            per_minute,
            started: Instant::now(),
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one request; `Err(seconds)` to wait when over the limit.
    fn admit(&self, addr: IpAddr) -> Result<(), u64> {
        if self.per_minute == 0 {
            return Ok(());
        }
        let elapsed = self.started.elapsed().as_secs();
        let window = elapsed / 60;
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        if windows.len() >= MAX_TRACKED {
            windows.retain(|_, (w, _)| *w == window);
        }
        let entry = windows.entry(addr).or_insert((window, 0));
        if entry.0 != window {
            *entry = (window, 0);
        }
        if entry.1 >= self.per_minute {
            return Err(60 - elapsed % 60);
        }
        entry.1 += 1;
        Ok(())
    }
}

/// Middleware: 429 with `Retry-After` when the caller's address is over its limit.
pub async fn limit(State(limiter): State<Arc<RateLimiter>>, req: Request, next: Next) -> Response {
    let addr = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::from([0, 0, 0, 0]), |c| c.0.ip());
    match limiter.admit(addr) {
        Ok(()) => next.run(req).await,
        Err(wait) => ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            format!("too many requests from this address; retry in {wait} s"),
        )
        .retry_after(wait)
        .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_per_address() {
        let limiter = RateLimiter::new(2);
        let a = IpAddr::from([10, 0, 0, 1]);
        let b = IpAddr::from([10, 0, 0, 2]);
        assert!(limiter.admit(a).is_ok());
        assert!(limiter.admit(a).is_ok());
        assert!(limiter.admit(a).is_err());
        assert!(limiter.admit(b).is_ok());
        assert!(RateLimiter::new(0).admit(a).is_ok());
    }
}
