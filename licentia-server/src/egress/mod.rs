//! Outbound HTTP requests made on a user's say-so (webhooks), guarded so
//! that naming a URL cannot reach what only the server can reach: the
//! metadata service of a cloud, a database on the private network, the
//! server itself.
//!
//! - Only `http://` and `https://` URLs, without credentials in them.
//! - Every address a host name resolves to is checked ([`is_internal`],
//!   [`Allowlist`]) *after* resolution, by the client's own resolver, and the
//!   connection goes to the checked address: a name that resolves to a
//!   public address when checked and to 127.0.0.1 when used (DNS rebinding)
//!   does not get through. A URL whose host is an address is checked before
//!   the request (the resolver is not asked about addresses).
//! - No redirects (a 3xx is an answer, not a new target), no proxy from the
//!   environment, TLS by rustls with the Mozilla roots and, optionally, an
//!   operator's own CA.

mod address;

use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::{Host, Url};

pub use address::{is_internal, Allowlist};

/// Longest URL accepted.
pub const MAX_URL_LEN: usize = 2048;

/// Why an outbound request was not made or did not complete.
#[derive(Debug)]
pub enum EgressError {
    /// The URL is not one this client requests (scheme, credentials, no host).
    BadUrl(String),
    /// The target is an internal address that is not allowed.
    Refused(String),
    /// The host name did not resolve.
    Unresolved(String),
    /// The request failed on its way (connection, TLS, timeout...).
    Http(reqwest::Error),
}

impl std::fmt::Display for EgressError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EgressError::BadUrl(why) | EgressError::Refused(why) => f.write_str(why),
            EgressError::Unresolved(why) => write!(f, "cannot resolve {why}"),
            EgressError::Http(e) => {
                // reqwest's own message hides the cause (the resolver's refusal, the TLS alert).
                write!(f, "{e}")?;
                let mut cause = std::error::Error::source(e);
                while let Some(c) = cause {
                    write!(f, ": {c}")?;
                    cause = c.source();
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for EgressError {}

/// The guarded HTTP client. Cheap to clone (one connection pool).
#[derive(Clone)]
pub struct Egress {
    client: reqwest::Client,
    allow: Arc<Allowlist>,
    timeout: Duration,
}

impl Egress {
    /// A client that reaches public addresses and those `allow` names,
    /// trusts the Mozilla roots and the certificates in the PEM file
    /// `ca_file`, and gives each request `timeout`.
    ///
    /// ```
    /// use licentia_server::egress::{Allowlist, Egress};
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let egress = Egress::new(Allowlist::default(), None, std::time::Duration::from_secs(5)).unwrap();
    /// assert!(egress.check_target("http://169.254.169.254/latest/meta-data/").await.is_err());
    /// assert!(egress.check_target("https://user:pw@hooks.example/").await.is_err());
    /// # });
    /// ```
    pub fn new(
        allow: Allowlist,
        ca_file: Option<&Path>,
        timeout: Duration,
    ) -> Result<Egress, String> {
        let allow = Arc::new(allow);
        let mut builder = reqwest::Client::builder()
            .use_rustls_tls()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .dns_resolver(Arc::new(GuardedResolver {
                allow: allow.clone(),
            }))
            .timeout(timeout)
            .user_agent(concat!("licentia/", env!("CARGO_PKG_VERSION")));
        if let Some(path) = ca_file {
            for cert in read_roots(path)? {
                builder = builder.add_root_certificate(cert);
            }
        }
        let client = builder
            .build()
            .map_err(|e| format!("the outbound HTTP client: {e}"))?;
        Ok(Egress {
            client,
            allow,
            timeout,
        })
    }

    /// Checks a URL a user gives as a target: its form (see [`Egress::request`])
    /// and, for a host name, every address it resolves to now. A name that
    /// does not resolve now passes (it is checked again at each request).
    pub async fn check_target(&self, url: &str) -> Result<Url, EgressError> {
        let url = self.checked_url(url)?;
        if let Some(Host::Domain(name)) = url.host() {
            let port = url.port_or_known_default().unwrap_or(0);
            match tokio::time::timeout(self.timeout, resolve_checked(&self.allow, name, port)).await
            {
                Ok(Err(EgressError::Unresolved(_))) | Err(_) => {}
                Ok(resolved) => {
                    resolved?;
                }
            }
        }
        Ok(url)
    }

    /// A request to `url`, once its form is checked: `http` or `https`, no
    /// user name or password, a host, and a host that is an address only if
    /// it is allowed. Names are checked when the request resolves them.
    pub fn request(
        &self,
        method: reqwest::Method,
        url: &str,
    ) -> Result<reqwest::RequestBuilder, EgressError> {
        let url = self.checked_url(url)?;
        Ok(self.client.request(method, url))
    }

    fn checked_url(&self, text: &str) -> Result<Url, EgressError> {
        let bad = |why: &str| Err(EgressError::BadUrl(why.to_owned()));
        if text.len() > MAX_URL_LEN {
            return bad("is longer than 2048 characters");
        }
        let Ok(url) = Url::parse(text) else {
            return bad("is not a URL such as https://hooks.example/licentia");
        };
        if !matches!(url.scheme(), "http" | "https") {
            return bad("must start with https:// (or http://)");
        }
        if !url.username().is_empty() || url.password().is_some() {
            return bad(
                "carries a user name or password; put a token in the path or query instead",
            );
        }
        let ip = match url.host() {
            None => return bad("names no host"),
            Some(Host::Domain(_)) => return Ok(url),
            Some(Host::Ipv4(v4)) => IpAddr::V4(v4),
            Some(Host::Ipv6(v6)) => IpAddr::V6(v6),
        };
        if self.allow.permits(url.host_str().unwrap_or(""), ip) {
            Ok(url)
        } else {
            Err(EgressError::Refused(format!(
                "{ip} is an internal address (loopback, private, link-local...); the operator may allow it with webhook_allow"
            )))
        }
    }
}

/// The root certificates in a PEM file.
fn read_roots(path: &Path) -> Result<Vec<reqwest::Certificate>, String> {
    let pem = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let certs = reqwest::Certificate::from_pem_bundle(&pem)
        .map_err(|e| format!("{}: not PEM certificates: {e}", path.display()))?;
    if certs.is_empty() {
        return Err(format!("{}: holds no certificate", path.display()));
    }
    Ok(certs)
}

/// The client's resolver: the system's, then every address checked.
struct GuardedResolver {
    allow: Arc<Allowlist>,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow = self.allow.clone();
        Box::pin(async move {
            // The connector sets the URL's port on each address.
            let addrs = resolve_checked(&allow, name.as_str(), 0).await?;
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

/// The addresses `host` resolves to, all of them allowed, or why not.
async fn resolve_checked(
    allow: &Allowlist,
    host: &str,
    port: u16,
) -> Result<Vec<SocketAddr>, EgressError> {
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
        .await
        .map_err(|e| EgressError::Unresolved(format!("{host}: {e}")))?
        .collect();
    if addrs.is_empty() {
        return Err(EgressError::Unresolved(host.to_owned()));
    }
    // One internal address is enough to refuse: the name is not what it seems.
    if let Some(internal) = addrs.iter().find(|a| !allow.permits(host, a.ip())) {
        return Err(EgressError::Refused(format!(
            "{host} resolves to {}, an internal address (loopback, private, link-local...); the operator may allow it with webhook_allow",
            internal.ip()
        )));
    }
    Ok(addrs)
}
