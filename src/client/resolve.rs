//! Name lookup that leaves no thread behind.
//!
//! ureq's own resolver, given a timeout, looks the name up on a thread it
//! never joins. A product that activates and exits at once could end while
//! that thread was still ending: memcheck then reported the thread's memory
//! (a C test failed once in a few dozen runs). This one runs the same
//! lookup on a thread it joins as soon as the answer is in; only a lookup
//! that outlives its timeout is left to end alone, as ureq's would be.

use std::sync::mpsc;
use std::thread;

use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::time::Duration;
use ureq::unversioned::transport::NextTimeout;

/// ureq's lookup, on a thread joined once it has answered.
#[derive(Debug, Default)]
pub(crate) struct JoinedResolver;

impl Resolver for JoinedResolver {
    fn resolve(
        &self,
        uri: &Uri,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        if timeout.after.is_not_happening() {
            // No timeout: ureq looks up on this thread already.
            return DefaultResolver::default().resolve(uri, config, timeout);
        }
        let (uri_owned, config_owned) = (uri.clone(), config.clone());
        let untimed = NextTimeout {
            after: Duration::NotHappening,
            ..timeout
        };
        let (tx, rx) = mpsc::sync_channel(1);
        let lookup = thread::spawn(move || {
            let answer = DefaultResolver::default().resolve(&uri_owned, &config_owned, untimed);
            tx.send(answer).ok();
        });
        match rx.recv_timeout(*timeout.after) {
            Ok(answer) => {
                // It has sent: joining only waits for it to end.
                lookup.join().ok();
                answer
            }
            Err(_) => Err(ureq::Error::Timeout(timeout.reason)),
        }
    }
}
