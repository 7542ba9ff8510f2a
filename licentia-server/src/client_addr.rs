//! The address of the client a request comes from: the peer of the
//! connection, or, when that peer is a trusted reverse proxy, the address
//! the proxies recorded in `X-Forwarded-For`. Rate limits are keyed by it.

use std::net::IpAddr;

use axum::http::HeaderMap;
use ipnet::IpNet;

/// The client's address, resolved once per request (a request extension).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

/// The reverse proxies whose `X-Forwarded-For` is believed.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// Trusts the peers inside `nets`.
    pub fn new(nets: Vec<IpNet>) -> TrustedProxies {
        TrustedProxies(nets)
    }

    fn trusts(&self, addr: IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(&addr))
    }

    /// The client behind the connection from `peer`.
    ///
    /// Each proxy appends the address it received the request from, so the
    /// list is read from the right: the first address that is not itself a
    /// trusted proxy is the client. Anything to its left was written by the
    /// client and may be forged. A peer that is not trusted is the client,
    /// whatever its headers say; an entry that is not an address stops the
    /// walk at the last trusted hop.
    ///
    /// ```
    /// use licentia_server::client_addr::TrustedProxies;
    /// use axum::http::HeaderMap;
    /// let proxies = TrustedProxies::new(vec!["10.0.0.0/8".parse().unwrap()]);
    /// let mut headers = HeaderMap::new();
    /// headers.insert("x-forwarded-for", "6.6.6.6, 203.0.113.7, 10.0.0.2".parse().unwrap());
    /// let proxy = "10.0.0.1".parse().unwrap();
    /// assert_eq!(proxies.client(proxy, &headers), "203.0.113.7".parse::<std::net::IpAddr>().unwrap());
    /// let stranger = "198.51.100.1".parse().unwrap();
    /// assert_eq!(proxies.client(stranger, &headers), stranger);
    /// ```
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let mut client = peer.to_canonical();
        if !self.trusts(client) {
            return client;
        }
        // Several headers are one list, in order (RFC 9110, 5.3).
        let hops: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .collect();
        for hop in hops.into_iter().rev() {
            match hop.trim().parse::<IpAddr>() {
                Ok(addr) => {
                    client = addr.to_canonical();
                    if !self.trusts(client) {
                        break;
                    }
                }
                Err(_) => break,
            }
        }
        client
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forwarded(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for v in values {
            headers.append("x-forwarded-for", v.parse().unwrap());
        }
        headers
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn the_rightmost_untrusted_hop_is_the_client() {
        let proxies = TrustedProxies::new(vec![
            "10.0.0.0/8".parse().unwrap(),
            "fd00::/8".parse().unwrap(),
        ]);
        let proxy = ip("10.1.2.3");
        // Two headers are one list; trusted hops are skipped.
        let headers = forwarded(&["1.1.1.1, 203.0.113.9", "10.0.0.7"]);
        assert_eq!(proxies.client(proxy, &headers), ip("203.0.113.9"));
        // Only proxies: the left-most of them.
        assert_eq!(
            proxies.client(proxy, &forwarded(&["10.9.9.9"])),
            ip("10.9.9.9")
        );
        // No header: the proxy itself.
        assert_eq!(proxies.client(proxy, &HeaderMap::new()), proxy);
        // Garbage stops at the last trusted hop.
        assert_eq!(
            proxies.client(proxy, &forwarded(&["203.0.113.9, junk, 10.0.0.8"])),
            ip("10.0.0.8")
        );
        // An IPv4 peer seen through an IPv6 socket is the IPv4 address.
        assert_eq!(
            proxies.client(ip("::ffff:10.0.0.1"), &forwarded(&["192.0.2.1"])),
            ip("192.0.2.1")
        );
        assert_eq!(
            proxies.client(ip("fd00::1"), &forwarded(&["2001:db8::1"])),
            ip("2001:db8::1")
        );
    }

    #[test]
    fn an_untrusted_peer_cannot_claim_another_address() {
        let none = TrustedProxies::default();
        let peer = ip("198.51.100.4");
        assert_eq!(none.client(peer, &forwarded(&["192.0.2.1"])), peer);
    }
}
