//! HTTP to the back office: rustls, no redirects, bounded answers, timeouts,
//! and retries with backoff where a retry cannot do anything twice.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use serde::de::DeserializeOwned;
use ureq::tls::{Certificate, RootCerts, TlsConfig};
use ureq::unversioned::transport::DefaultConnector;

use super::resolve::JoinedResolver;

use crate::{Error, Result};

/// The largest answer read (a license file with its JSON is a few KiB).
const MAX_ANSWER: u64 = 256 * 1024;
/// The longest `Retry-After` honoured; a longer one is reported, not waited.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(30);

/// Whether sending a request twice can do anything twice: activation carries
/// an Idempotency-Key, a check-in or a return only refreshes or frees;
/// checking a seat out takes one each time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Repeat {
    /// Safe to send again after a timeout.
    Safe,
    /// Sent again only when it certainly never reached the server.
    Once,
}

/// Which roots the client trusts for the back office's certificate.
#[derive(Debug, Clone)]
pub(crate) enum Roots {
    /// Mozilla's roots, built in.
    WebPki,
    /// The certificates of a PEM file (a private CA), and only those.
    Pem(Arc<Vec<Certificate<'static>>>),
}

impl Roots {
    /// The certificates of a PEM file.
    pub(crate) fn from_pem_file(path: &Path) -> Result<Roots> {
        let text = crate::read::read_text_file(path, "CA file", 1024 * 1024)?;
        let certs = ureq::tls::parse_pem(text.as_bytes())
            .filter_map(|item| match item {
                Ok(ureq::tls::PemItem::Certificate(c)) => Some(Ok(c)),
                Ok(_) => None,
                Err(e) => Some(Err(e)),
            })
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| Error::InvalidArgument(format!("{}: {e}", path.display())))?;
        if certs.is_empty() {
            return Err(Error::InvalidArgument(format!(
                "{}: no PEM certificate in it",
                path.display()
            )));
        }
        Ok(Roots::Pem(Arc::new(certs)))
    }
}

/// An HTTP client for one back office.
#[derive(Debug, Clone)]
pub(crate) struct Transport {
    agent: ureq::Agent,
    base: String,
    retries: u32,
    backoff: Duration,
}

impl Transport {
    /// A client for `base` (`https://...`; `http://` only for a loopback
    /// address, as tests and local proxies use).
    pub(crate) fn new(
        base: &str,
        roots: Roots,
        pins: Vec<[u8; 32]>,
        timeout: Duration,
        retries: u32,
        backoff: Duration,
    ) -> Result<Transport> {
        let base = base.trim_end_matches('/').to_owned();
        let loopback = ["http://127.0.0.1", "http://[::1]", "http://localhost"]
            .iter()
            .any(|l| base.starts_with(l));
        if !base.starts_with("https://") && !loopback {
            return Err(Error::InvalidArgument(format!(
                "server {base}: license keys travel over https:// only"
            )));
        }
        // A pinned client makes its own TLS step (pin.rs), from the same roots.
        let pinned = match pins.is_empty() {
            true => None,
            false => Some(super::pin::PinnedTls::new(&roots, pins)?),
        };
        let roots = match roots {
            Roots::WebPki => RootCerts::WebPki,
            Roots::Pem(certs) => RootCerts::Specific(certs),
        };
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            // A redirect would carry the license key to another place.
            .max_redirects(0)
            .timeout_global(Some(timeout))
            .proxy(ureq::Proxy::try_from_env())
            .tls_config(TlsConfig::builder().root_certs(roots).build())
            .user_agent(concat!("licentia/", env!("CARGO_PKG_VERSION")))
            .build();
        let agent = match pinned {
            None => ureq::Agent::with_parts(config, DefaultConnector::default(), JoinedResolver),
            Some(tls) => ureq::Agent::with_parts(config, tls.chain(), JoinedResolver),
        };
        Ok(Transport {
            agent,
            base,
            retries,
            backoff,
        })
    }

    /// Sends `method path` with a JSON `body` and extra `headers`; the
    /// answer's JSON on 2xx, the server's refusal, or why it could not be
    /// reached after the retries.
    pub(crate) fn call<T: DeserializeOwned>(
        &self,
        method: &str,
        path: &str,
        body: Option<&serde_json::Value>,
        headers: &[(&str, &str)],
        repeat: Repeat,
    ) -> Result<T> {
        let mut attempt = 0;
        loop {
            let outcome = self.once(method, path, body, headers);
            let wait = match &outcome {
                Err(Failure::NeverArrived(_)) => Some(self.backoff * 2u32.pow(attempt)),
                Err(Failure::MayHaveArrived(_)) if repeat == Repeat::Safe => {
                    Some(self.backoff * 2u32.pow(attempt))
                }
                // Nothing was done: the server said so, and when to retry.
                Err(Failure::Busy(_, after)) => Some(*after),
                _ => None,
            };
            match (outcome, wait) {
                (Ok((status, text)), _) => return parse(status, &text),
                (Err(failure), Some(wait)) if attempt < self.retries => {
                    std::thread::sleep(wait.min(MAX_RETRY_AFTER));
                    attempt += 1;
                    drop(failure);
                }
                (Err(failure), _) => return Err(failure.into()),
            }
        }
    }

    /// One attempt: the status and body text of an answer that is not a
    /// "try again later".
    fn once(
        &self,
        method: &str,
        path: &str,
        body: Option<&serde_json::Value>,
        headers: &[(&str, &str)],
    ) -> std::result::Result<(u16, String), Failure> {
        let url = format!("{}{path}", self.base);
        let response = match method {
            "GET" => {
                let mut request = self.agent.get(&url);
                for (name, value) in headers {
                    request = request.header(*name, *value);
                }
                request.call()
            }
            "POST" => {
                let mut request = self.agent.post(&url);
                for (name, value) in headers {
                    request = request.header(*name, *value);
                }
                let bytes = body.map(|b| b.to_string()).unwrap_or_default();
                request
                    .header("content-type", "application/json")
                    .send(bytes.as_bytes())
            }
            _ => {
                let mut request = self.agent.delete(&url);
                for (name, value) in headers {
                    request = request.header(*name, *value);
                }
                request.call()
            }
        }
        .map_err(Failure::from)?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        let text = response
            .into_body()
            .with_config()
            .limit(MAX_ANSWER)
            .read_to_string()
            .map_err(|e| Failure::MayHaveArrived(format!("reading the answer: {e}")))?;
        match (status, retry_after) {
            (429 | 503, Some(after)) => Err(Failure::Busy(
                format!("{status}: {}", problem_detail(&text)),
                Duration::from_secs(after),
            )),
            _ => Ok((status, text)),
        }
    }
}

/// Why an attempt got no usable answer.
enum Failure {
    /// The request never reached the server (no route, refused, no name).
    NeverArrived(String),
    /// It may have reached it (a timeout, a connection cut mid-way).
    MayHaveArrived(String),
    /// The server answered "later" with a `Retry-After`: nothing was done.
    Busy(String, Duration),
}

impl From<ureq::Error> for Failure {
    fn from(e: ureq::Error) -> Failure {
        match e {
            ureq::Error::HostNotFound | ureq::Error::ConnectionFailed => {
                Failure::NeverArrived(e.to_string())
            }
            ureq::Error::Io(ref io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
                Failure::NeverArrived(e.to_string())
            }
            ureq::Error::Tls(_) => Failure::NeverArrived(format!("TLS: {e}")),
            // The handshake refused (a pinned client's own TLS step).
            ureq::Error::Io(ref io)
                if io
                    .get_ref()
                    .is_some_and(|inner| inner.is::<rustls::Error>()) =>
            {
                Failure::NeverArrived(format!("TLS: {e}"))
            }
            other => Failure::MayHaveArrived(other.to_string()),
        }
    }
}

impl From<Failure> for Error {
    fn from(failure: Failure) -> Error {
        match failure {
            Failure::NeverArrived(m) | Failure::MayHaveArrived(m) => Error::Unreachable(m),
            Failure::Busy(m, _) => Error::Unreachable(format!("the back office is busy: {m}")),
        }
    }
}

/// The `detail` of a problem document, or the start of whatever came.
fn problem_detail(text: &str) -> String {
    serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .and_then(|v| v["detail"].as_str().map(str::to_owned))
        .unwrap_or_else(|| text.chars().take(200).collect())
}

/// A 2xx answer as `T`; anything else as the server's refusal.
fn parse<T: DeserializeOwned>(status: u16, text: &str) -> Result<T> {
    if (200..300).contains(&status) {
        return serde_json::from_str(text).map_err(|e| {
            Error::BadAnswer(format!("answer {status} is not what the API promises: {e}"))
        });
    }
    let problem: serde_json::Value = serde_json::from_str(text).unwrap_or_default();
    let slug = problem["type"]
        .as_str()
        .and_then(|t| t.rsplit('/').next())
        .unwrap_or("unknown")
        .to_owned();
    Err(Error::Refused {
        status,
        problem: slug,
        detail: problem_detail(text),
    })
}
