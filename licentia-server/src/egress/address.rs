//! Which addresses outbound requests may reach: public ones, and the
//! internal ones the operator allows (`webhook_allow`). Everything a server
//! can reach but the internet cannot — loopback, private networks,
//! link-local (the cloud metadata service at 169.254.169.254 among them),
//! CGNAT, unique local, multicast — is internal, in its IPv4 and IPv6 forms
//! (an IPv4 address mapped or embedded in IPv6 is judged as the IPv4 one).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::{IpNet, Ipv4Net, Ipv6Net};

/// IPv4 ranges a request from the server must not reach unless allowed.
const INTERNAL_V4: &[Ipv4Net] = &[
    // "This network", the unspecified address among it.
    Ipv4Net::new_assert(Ipv4Addr::new(0, 0, 0, 0), 8),
    // RFC 1918 private networks.
    Ipv4Net::new_assert(Ipv4Addr::new(10, 0, 0, 0), 8),
    Ipv4Net::new_assert(Ipv4Addr::new(172, 16, 0, 0), 12),
    Ipv4Net::new_assert(Ipv4Addr::new(192, 168, 0, 0), 16),
    // Carrier-grade NAT (RFC 6598).
    Ipv4Net::new_assert(Ipv4Addr::new(100, 64, 0, 0), 10),
    Ipv4Net::new_assert(Ipv4Addr::LOCALHOST, 8),
    // Link-local: the cloud metadata services answer here.
    Ipv4Net::new_assert(Ipv4Addr::new(169, 254, 0, 0), 16),
    // IETF protocol assignments and benchmarking networks.
    Ipv4Net::new_assert(Ipv4Addr::new(192, 0, 0, 0), 24),
    Ipv4Net::new_assert(Ipv4Addr::new(198, 18, 0, 0), 15),
    // Multicast.
    Ipv4Net::new_assert(Ipv4Addr::new(224, 0, 0, 0), 4),
    // Reserved, the broadcast address among it.
    Ipv4Net::new_assert(Ipv4Addr::new(240, 0, 0, 0), 4),
];

/// IPv6 ranges a request from the server must not reach unless allowed.
const INTERNAL_V6: &[Ipv6Net] = &[
    Ipv6Net::new_assert(Ipv6Addr::UNSPECIFIED, 128),
    Ipv6Net::new_assert(Ipv6Addr::LOCALHOST, 128),
    // Unique local addresses (fc00::/7).
    Ipv6Net::new_assert(Ipv6Addr::new(0xfc00, 0, 0, 0, 0, 0, 0, 0), 7),
    // Link-local, and the deprecated site-local.
    Ipv6Net::new_assert(Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 0), 10),
    Ipv6Net::new_assert(Ipv6Addr::new(0xfec0, 0, 0, 0, 0, 0, 0, 0), 10),
    // Multicast.
    Ipv6Net::new_assert(Ipv6Addr::new(0xff00, 0, 0, 0, 0, 0, 0, 0), 8),
];

/// Whether `ip` is internal: not a public address of the internet.
///
/// ```
/// use licentia_server::egress::is_internal;
/// for internal in ["127.0.0.1", "10.1.2.3", "169.254.169.254", "100.64.0.1", "::1",
///                  "fd00::1", "::ffff:127.0.0.1", "ff02::1", "255.255.255.255"] {
///     assert!(is_internal(internal.parse().unwrap()), "{internal}");
/// }
/// assert!(!is_internal("93.184.215.14".parse().unwrap()));
/// assert!(!is_internal("2606:2800:21f:cb07:6820:80da:af6b:8b2c".parse().unwrap()));
/// ```
pub fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => INTERNAL_V4.iter().any(|net| net.contains(&v4)),
        IpAddr::V6(v6) => match embedded_v4(v6) {
            Some(v4) => is_internal(IpAddr::V4(v4)),
            None => INTERNAL_V6.iter().any(|net| net.contains(&v6)),
        },
    }
}

/// The IPv4 address an IPv6 one stands for, where the IPv6 form is only a
/// way to write or reach it: IPv4-mapped (`::ffff:a.b.c.d`), IPv4-compatible
/// (`::a.b.c.d`, which includes `::` and `::1`: judged as 0.0.0.0/8, internal
/// either way), NAT64 (`64:ff9b::a.b.c.d`) and 6to4 (`2002:AABB:CCDD::`).
fn embedded_v4(v6: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = v6.segments();
    let from = |hi: u16, lo: u16| Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo));
    if let Some(v4) = v6.to_ipv4() {
        return Some(v4);
    }
    match s {
        [0x64, 0xff9b, 0, 0, 0, 0, hi, lo] => Some(from(hi, lo)),
        [0x2002, hi, lo, ..] => Some(from(hi, lo)),
        _ => None,
    }
}

/// The operator's exceptions: internal networks and host names that
/// outbound requests may reach all the same (`webhook_allow`).
#[derive(Debug, Clone, Default)]
pub struct Allowlist {
    networks: Vec<IpNet>,
    hosts: Vec<String>,
}

impl Allowlist {
    /// Reads entries written as networks (`10.20.0.0/16`, `fd00::/8`),
    /// single addresses (`10.20.0.7`, `::1`) or host names
    /// (`hooks.internal`, matched exactly, whatever it resolves to).
    ///
    /// ```
    /// use licentia_server::egress::Allowlist;
    /// let allow = Allowlist::parse(&["10.20.0.0/16".into(), "hooks.internal".into()]).unwrap();
    /// assert!(allow.permits("relay", "10.20.3.4".parse().unwrap()));
    /// assert!(allow.permits("HOOKS.internal", "192.168.1.1".parse().unwrap()));
    /// assert!(!allow.permits("relay", "127.0.0.1".parse().unwrap()));
    /// assert!(Allowlist::parse(&["10.0.0.0/33".into()]).is_err());
    /// ```
    pub fn parse(entries: &[String]) -> Result<Allowlist, String> {
        let mut allow = Allowlist::default();
        for entry in entries.iter().map(|e| e.trim()) {
            if let Ok(net) = entry.parse::<IpNet>() {
                allow.networks.push(net);
            } else if let Ok(ip) = entry.parse::<IpAddr>() {
                allow.networks.push(IpNet::from(ip));
            } else if is_host_name(entry) {
                allow.hosts.push(entry.to_ascii_lowercase());
            } else {
                return Err(format!(
                    "'{entry}' is neither a network (10.0.0.0/8), an address nor a host name"
                ));
            }
        }
        Ok(allow)
    }

    /// Whether a request to `host` may go to `ip`: a public address always,
    /// an internal one when its network or the host name is allowed.
    pub fn permits(&self, host: &str, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        !is_internal(ip)
            || self.networks.iter().any(|net| net.contains(&ip))
            || self.hosts.iter().any(|h| h.eq_ignore_ascii_case(host))
    }
}

/// Letters, digits, hyphens and dots, in labels of 1 to 63 characters.
fn is_host_name(text: &str) -> bool {
    text.len() <= 253
        && text.split('.').all(|label| {
            (1..=63).contains(&label.len())
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_internal_form_is_caught() {
        for internal in [
            "0.0.0.0",
            "127.0.0.1",
            "127.255.0.9",
            "10.0.0.1",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.0.1",
            "100.64.0.1",
            "100.127.255.254",
            "169.254.169.254",
            "224.0.0.1",
            "255.255.255.255",
            "::",
            "::1",
            "fc00::1",
            "fdff::1",
            "fe80::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "::ffff:10.0.0.1",
            "::127.0.0.1",
            "64:ff9b::7f00:1",
            "2002:7f00:1::",
        ] {
            assert!(is_internal(internal.parse().unwrap()), "{internal}");
        }
        for public in [
            "8.8.8.8",
            "100.63.255.255",
            "100.128.0.0",
            "172.32.0.1",
            "2001:4860:4860::8888",
            "::ffff:8.8.8.8",
        ] {
            assert!(!is_internal(public.parse().unwrap()), "{public}");
        }
    }

    #[test]
    fn the_allowlist_opens_networks_and_names_only() {
        let allow =
            Allowlist::parse(&["127.0.0.1".into(), "fd00::/8".into(), "hooks.lan".into()]).unwrap();
        assert!(allow.permits("x", "127.0.0.1".parse().unwrap()));
        assert!(allow.permits("x", "::ffff:127.0.0.1".parse().unwrap()));
        assert!(!allow.permits("x", "127.0.0.2".parse().unwrap()));
        assert!(allow.permits("x", "fd12::1".parse().unwrap()));
        assert!(!allow.permits("x", "::1".parse().unwrap()));
        assert!(allow.permits("hooks.lan", "10.9.9.9".parse().unwrap()));
        assert!(!allow.permits("hooks.lan.evil.example", "10.9.9.9".parse().unwrap()));
        for bad in ["10.0.0.0/40", "http://x", "a b", "", "x..y"] {
            assert!(Allowlist::parse(&[bad.into()]).is_err(), "{bad}");
        }
    }
}
