//! Where a webhook may point: the rules that keep outgoing webhooks from reaching into the
//! network Baton runs in (server-side request forgery).
//!
//! Owns: parsing a webhook URL ([`WebhookUrl::parse`]: http or https, a host, no userinfo),
//! the address ranges a webhook may never reach ([`forbidden_range`], each a
//! [`ForbiddenRange`]), the admin's allow-list
//! ([`AllowedHosts`]) and the decision over resolved addresses ([`check_addresses`]).
//! Does not own: resolving names or connecting (the server resolves, asks
//! [`check_addresses`], then connects to exactly the address it checked, so a second DNS
//! answer cannot slip in another address).

use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use url::{Host, Url};

use crate::{CoreError, CoreResult};

/// Longest webhook URL accepted: ample for real endpoints, small enough to show and store.
pub const MAX_URL_LEN: usize = 2048;

/// Whether the webhook is sent in the clear or over TLS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// `http://`.
    Http,
    /// `https://`.
    Https,
}

/// A webhook URL that passed the syntactic rules: http(s), a host, no userinfo, no fragment.
/// Whether its host may be reached is decided separately, on the resolved addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookUrl {
    /// The URL as normalized by the WHATWG parser (so `http://0x7f.1/` reads `127.0.0.1`).
    pub url: String,
    /// http or https.
    pub scheme: Scheme,
    /// The host: a lowercase name, or an IP address literal.
    pub host: Host<String>,
    /// The port, explicit or the scheme's default.
    pub port: u16,
    /// Path and query, what goes on the request line.
    pub path_and_query: String,
}

impl WebhookUrl {
    /// Parses and checks `text`.
    ///
    /// # Errors
    ///
    /// `url` when it is not an absolute http or https URL with a host, is longer than
    /// [`MAX_URL_LEN`], carries a user name or password, or has a fragment.
    pub fn parse(text: &str) -> CoreResult<Self> {
        let bad = |why: &str| CoreError::invalid("url", why.to_owned());
        let text = text.trim();
        if text.is_empty() {
            return Err(bad("a webhook needs a URL"));
        }
        if text.len() > MAX_URL_LEN {
            return Err(bad(&format!(
                "a webhook URL may be at most {MAX_URL_LEN} characters"
            )));
        }
        let url = Url::parse(text).map_err(|_| bad("this is not an absolute URL"))?;
        let scheme = match url.scheme() {
            "http" => Scheme::Http,
            "https" => Scheme::Https,
            other => {
                let shown: String = other.chars().take(20).collect();
                return Err(bad(&format!(
                    "webhooks are sent over http or https, not '{shown}'"
                )));
            }
        };
        if !url.username().is_empty() || url.password().is_some() {
            return Err(bad(
                "a webhook URL may not carry a user name or password; Baton signs each request instead",
            ));
        }
        if url.fragment().is_some() {
            return Err(bad("a webhook URL may not have a #fragment"));
        }
        let host = match url.host() {
            Some(Host::Domain(d)) if !d.is_empty() => Host::Domain(d.to_ascii_lowercase()),
            Some(Host::Ipv4(a)) => Host::Ipv4(a),
            Some(Host::Ipv6(a)) => Host::Ipv6(a),
            _ => return Err(bad("a webhook URL needs a host")),
        };
        let port = url
            .port_or_known_default()
            .ok_or_else(|| bad("a webhook URL needs a port"))?;
        let path_and_query = match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        };
        Ok(Self {
            url: url.to_string(),
            scheme,
            host,
            port,
            path_and_query,
        })
    }

    /// The host as written in a `Host` header and in the allow-list: a name, a dotted IPv4
    /// address, or an IPv6 address in brackets.
    pub fn host_text(&self) -> String {
        self.host.to_string()
    }

    /// The address itself when the host is an IP literal (nothing to resolve).
    pub fn literal_ip(&self) -> Option<IpAddr> {
        match self.host {
            Host::Ipv4(a) => Some(IpAddr::V4(a)),
            Host::Ipv6(a) => Some(IpAddr::V6(a)),
            Host::Domain(_) => None,
        }
    }
}

/// Hosts an admin allows webhooks to reach although they resolve into a forbidden range
/// (`baton serve --webhook-allow-host`), e.g. an internal service or, in tests, `127.0.0.1`.
/// Compared with the URL's host as written (names lowercase, IPv6 in brackets).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllowedHosts(BTreeSet<String>);

impl AllowedHosts {
    /// The allow-list of `hosts` (blank entries ignored; `[::1]` and `::1` both accepted).
    pub fn new<'a>(hosts: impl IntoIterator<Item = &'a str>) -> Self {
        Self(
            hosts
                .into_iter()
                .map(|h| h.trim().to_ascii_lowercase())
                .filter(|h| !h.is_empty())
                .map(|h| match h.parse::<Ipv6Addr>() {
                    Ok(v6) => format!("[{v6}]"),
                    Err(_) => h,
                })
                .collect(),
        )
    }

    /// Whether `url`'s host is on the list.
    pub fn allows(&self, url: &WebhookUrl) -> bool {
        self.0.contains(&url.host_text())
    }
}

/// A range of addresses no webhook may reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ForbiddenRange {
    /// The range in CIDR notation, e.g. `10.0.0.0/8`: names the rule in tests and docs.
    pub cidr: &'static str,
    /// What the range is, as a refusal says it, e.g. "a private address". Never the address
    /// itself (see [`check_addresses`]).
    pub kind: &'static str,
}

const UNSPECIFIED: &str = "an unspecified address";
const LOOPBACK: &str = "a loopback address";
const PRIVATE: &str = "a private address";
const LINK_LOCAL: &str = "a link-local address";
const IETF: &str = "an IETF protocol address";
const DOCUMENTATION: &str = "a documentation address";
const MULTICAST: &str = "a multicast address";

/// The range `ip` lies in when a webhook must never reach it, or `None` for a public address.
/// IPv4 addresses carried inside IPv6 (mapped, compatible, NAT64, 6to4) are judged as the IPv4
/// address they carry.
pub fn forbidden_range(ip: IpAddr) -> Option<ForbiddenRange> {
    match ip {
        IpAddr::V4(v4) => forbidden_v4(v4),
        IpAddr::V6(v6) => forbidden_v6(v6),
    }
}

fn forbidden_v4(ip: Ipv4Addr) -> Option<ForbiddenRange> {
    let [a, b, c, _] = ip.octets();
    let (cidr, kind) = match (a, b, c) {
        (0, _, _) => ("0.0.0.0/8", UNSPECIFIED),
        (127, _, _) => ("127.0.0.0/8", LOOPBACK),
        (10, _, _) => ("10.0.0.0/8", PRIVATE),
        (172, 16..=31, _) => ("172.16.0.0/12", PRIVATE),
        (192, 168, _) => ("192.168.0.0/16", PRIVATE),
        (100, 64..=127, _) => ("100.64.0.0/10", "a shared (carrier-grade NAT) address"),
        (169, 254, _) => ("169.254.0.0/16", LINK_LOCAL),
        (192, 0, 0) => ("192.0.0.0/24", IETF),
        (192, 0, 2) => ("192.0.2.0/24", DOCUMENTATION),
        (198, 51, 100) => ("198.51.100.0/24", DOCUMENTATION),
        (203, 0, 113) => ("203.0.113.0/24", DOCUMENTATION),
        // RFC 7526: the 6to4 relays' anycast; whoever runs the nearest relay answers.
        (192, 88, 99) => ("192.88.99.0/24", "a 6to4 relay anycast address"),
        (198, 18..=19, _) => ("198.18.0.0/15", "a benchmarking address"),
        (224..=239, _, _) => ("224.0.0.0/4", MULTICAST),
        (240..=255, _, _) => ("240.0.0.0/4", "a reserved or broadcast address"),
        _ => return None,
    };
    Some(ForbiddenRange { cidr, kind })
}

fn forbidden_v6(ip: Ipv6Addr) -> Option<ForbiddenRange> {
    let carried =
        |hi: u16, lo: u16| forbidden_v4(Ipv4Addr::from(u32::from(hi) << 16 | u32::from(lo)));
    let (cidr, kind) = match ip.segments() {
        [0, 0, 0, 0, 0, 0, 0, 0] => ("::/128", UNSPECIFIED),
        [0, 0, 0, 0, 0, 0, 0, 1] => ("::1/128", LOOPBACK),
        // ::ffff:a.b.c.d (mapped), ::a.b.c.d (the deprecated compatible form), 64:ff9b::a.b.c.d
        // (NAT64: a translator would connect to the IPv4 address) and 2002:AABB:CCDD::/48
        // (6to4: the relay reaches the IPv4 address in bits 16..48).
        [0, 0, 0, 0, 0, 0xffff, hi, lo]
        | [0, 0, 0, 0, 0, 0, hi, lo]
        | [0x64, 0xff9b, 0, 0, 0, 0, hi, lo]
        | [0x2002, hi, lo, ..] => return carried(hi, lo),
        // The forms below carry an IPv4 address too, but where a translator or relay sends it
        // is the operator's choice (IPv4-translated, local-use NAT64) or an address derived
        // from it (Teredo): refused whole.
        [0, 0, 0, 0, 0xffff, 0, _, _] => ("::ffff:0:0:0/96", "an IPv4-translated address"),
        [0x64, 0xff9b, 1, ..] => ("64:ff9b:1::/48", "a local-use NAT64 address"),
        [0x2001, 0, ..] => ("2001::/32", "a Teredo address"),
        [0x2001, 0x0db8, ..] => ("2001:db8::/32", DOCUMENTATION),
        // The rest of the IETF protocol assignments (RFC 2928), as 192.0.0.0/24 for IPv4.
        [0x2001, 0..=0x01ff, ..] => ("2001::/23", IETF),
        [0x0100, 0, 0, 0, ..] => ("100::/64", "a discard address"),
        [0xfc00..=0xfdff, ..] => ("fc00::/7", "a unique local address"),
        [0xfe80..=0xfebf, ..] => ("fe80::/10", LINK_LOCAL),
        [0xfec0..=0xfeff, ..] => ("fec0::/10", "a site-local address"),
        [0xff00..=0xffff, ..] => ("ff00::/8", MULTICAST),
        _ => return None,
    };
    Some(ForbiddenRange { cidr, kind })
}

/// Decides whether a webhook to `url` may go to `addrs`, the addresses its host resolved to
/// (or its literal address). Every address must be public: a name that resolves to a mix is
/// refused, since the connection could land on any of them. A host on `allowed` may resolve
/// anywhere.
///
/// # Errors
///
/// `url` when the host resolved to nothing, or to an address in a [`forbidden_range`]. The
/// refusal names the kind of range, never the address a name resolved to: whoever may
/// register a webhook could otherwise map the network Baton runs in, one name at a time.
pub fn check_addresses(
    url: &WebhookUrl,
    allowed: &AllowedHosts,
    addrs: &[IpAddr],
) -> CoreResult<()> {
    let host = url.host_text();
    if addrs.is_empty() {
        return Err(CoreError::invalid(
            "url",
            format!("the host {host} does not resolve to any address"),
        ));
    }
    if allowed.allows(url) {
        return Ok(());
    }
    match addrs.iter().find_map(|ip| forbidden_range(*ip)) {
        Some(range) => {
            let leads = if url.literal_ip().is_some() {
                "is"
            } else {
                "resolves to"
            };
            Err(CoreError::invalid(
                "url",
                format!(
                    "webhooks may not reach {host}: it {leads} {}; an admin can allow the host with --webhook-allow-host",
                    range.kind
                ),
            ))
        }
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn check(url: &str, allowed: &AllowedHosts, addrs: &[&str]) -> CoreResult<()> {
        let url = WebhookUrl::parse(url)?;
        let addrs: Vec<IpAddr> = addrs.iter().map(|a| ip(a)).collect();
        check_addresses(&url, allowed, &addrs)
    }

    #[test]
    fn only_http_and_https_without_userinfo_are_urls_of_webhooks() {
        for bad in [
            "",
            "ftp://example.com/hook",
            "file:///etc/passwd",
            "gopher://example.com",
            "javascript:alert(1)",
            "example.com/hook",
            "http://user:pw@example.com/",
            "http://user@example.com/",
            "https://example.com/hook#frag",
            "http://",
        ] {
            let err = WebhookUrl::parse(bad).unwrap_err();
            assert_eq!(err.field, "url", "{bad}");
        }
        let ok = WebhookUrl::parse("HTTPS://Hooks.Example.COM:8443/a/b?x=1").unwrap();
        assert_eq!(ok.scheme, Scheme::Https);
        assert_eq!(ok.host_text(), "hooks.example.com");
        assert_eq!((ok.port, ok.path_and_query.as_str()), (8443, "/a/b?x=1"));
        assert_eq!(WebhookUrl::parse("http://example.com").unwrap().port, 80);
    }

    /// Every forbidden range, by name, with addresses at both of its ends.
    const RANGES: &[(&str, &[&str])] = &[
        ("0.0.0.0/8", &["0.0.0.0", "0.255.255.255"]),
        ("127.0.0.0/8", &["127.0.0.1", "127.255.255.255"]),
        ("10.0.0.0/8", &["10.0.0.0", "10.255.255.255"]),
        ("172.16.0.0/12", &["172.16.0.0", "172.31.255.255"]),
        ("192.168.0.0/16", &["192.168.0.0", "192.168.255.255"]),
        ("100.64.0.0/10", &["100.64.0.0", "100.127.255.255"]),
        ("169.254.0.0/16", &["169.254.0.0", "169.254.169.254"]),
        ("192.0.0.0/24", &["192.0.0.0", "192.0.0.255"]),
        ("192.0.2.0/24", &["192.0.2.0", "192.0.2.255"]),
        ("198.51.100.0/24", &["198.51.100.0", "198.51.100.255"]),
        ("203.0.113.0/24", &["203.0.113.0", "203.0.113.255"]),
        ("192.88.99.0/24", &["192.88.99.0", "192.88.99.255"]),
        ("198.18.0.0/15", &["198.18.0.0", "198.19.255.255"]),
        ("224.0.0.0/4", &["224.0.0.1", "239.255.255.255"]),
        ("240.0.0.0/4", &["240.0.0.0", "255.255.255.255"]),
        ("::/128", &["::"]),
        ("::1/128", &["::1"]),
        (
            "::ffff:0:0:0/96",
            &[
                "::ffff:0:0.0.0.0",
                "::ffff:0:93.184.216.34",
                "::ffff:0:ffff:ffff",
            ],
        ),
        (
            "64:ff9b:1::/48",
            &[
                "64:ff9b:1::",
                "64:ff9b:1::5db8:d822",
                "64:ff9b:1:ffff:ffff:ffff:ffff:ffff",
            ],
        ),
        (
            "2001::/32",
            &[
                "2001::",
                "2001:0:4136:e378:8000:63bf:3fff:fdd2",
                "2001:0:ffff:ffff:ffff:ffff:ffff:ffff",
            ],
        ),
        (
            "2001::/23",
            &["2001:1::1", "2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff"],
        ),
        (
            "2001:db8::/32",
            &["2001:db8::", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"],
        ),
        ("100::/64", &["100::", "100::ffff:ffff:ffff:ffff"]),
        (
            "fc00::/7",
            &["fc00::", "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"],
        ),
        (
            "fe80::/10",
            &["fe80::", "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff"],
        ),
        (
            "fec0::/10",
            &["fec0::", "feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"],
        ),
        (
            "ff00::/8",
            &[
                "ff00::",
                "ff02::1",
                "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
            ],
        ),
        // IPv4 carried in IPv6 is judged as the IPv4 address: mapped, compatible, NAT64, 6to4.
        (
            "127.0.0.0/8",
            &[
                "::ffff:127.0.0.1",
                "::127.0.0.1",
                "64:ff9b::7f00:1",
                "2002:7f00:1::1",
            ],
        ),
        (
            "169.254.0.0/16",
            &["::ffff:169.254.169.254", "64:ff9b::a9fe:a9fe"],
        ),
        ("10.0.0.0/8", &["64:ff9b::a00:1", "2002:a00:1::"]),
        ("192.168.0.0/16", &["2002:c0a8:0101::1"]),
        (
            "192.88.99.0/24",
            &["::ffff:192.88.99.1", "2002:c058:6301::"],
        ),
    ];

    /// Addresses just outside a forbidden range, or public forms of the carrying prefixes.
    const PUBLIC: &[&str] = &[
        "1.0.0.0",
        "9.255.255.255",
        "11.0.0.0",
        "100.63.255.255",
        "100.128.0.0",
        "172.15.255.255",
        "172.32.0.0",
        "192.0.1.255",
        "192.0.3.0",
        "192.88.98.255",
        "192.88.100.0",
        "192.167.255.255",
        "192.169.0.0",
        "198.17.255.255",
        "198.20.0.0",
        "223.255.255.255",
        "::ffff:93.184.216.34",
        "64:ff9b::5db8:d822",
        "64:ff9b:2::",
        "2001:200::",
        "2001:db7:ffff::",
        "2001:db9::",
        "2002:5db8:d822::1",
        "2606:2800:220:1::1",
        "fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
        "fe7f::1",
    ];

    #[test]
    fn every_named_range_is_refused_from_end_to_end_and_its_neighbours_pass() {
        for (cidr, samples) in RANGES {
            for sample in *samples {
                let range = forbidden_range(ip(sample));
                assert_eq!(range.map(|r| r.cidr), Some(*cidr), "{sample}");
            }
        }
        for sample in PUBLIC {
            assert_eq!(forbidden_range(ip(sample)), None, "{sample}");
        }
    }

    #[test]
    fn a_refusal_names_the_kind_of_range_and_never_the_address_a_name_resolved_to() {
        let none = AllowedHosts::default();
        for (addr, kind) in [
            ("127.0.0.1", "a loopback address"),
            ("10.1.2.3", "a private address"),
            ("169.254.169.254", "a link-local address"),
            ("::ffff:0:10.1.2.3", "an IPv4-translated address"),
            ("64:ff9b:1::a01:203", "a local-use NAT64 address"),
            ("2001:0:4136:e378::1", "a Teredo address"),
            ("192.88.99.1", "a 6to4 relay anycast address"),
        ] {
            let err = check("http://internal.example/", &none, &[addr]).unwrap_err();
            assert_eq!(err.field, "url");
            assert_eq!(
                err.message,
                format!(
                    "webhooks may not reach internal.example: it resolves to {kind}; an admin can allow the host with --webhook-allow-host"
                ),
            );
            assert!(!err.message.contains(addr), "{}", err.message);
        }
        // A mix is refused without saying which of the addresses was the forbidden one.
        let err = check(
            "http://mixed.example/",
            &none,
            &["93.184.216.34", "192.168.7.7"],
        )
        .unwrap_err();
        assert!(!err.message.contains("192.168"), "{}", err.message);
        assert!(!err.message.contains("93.184"), "{}", err.message);
        // An address written in the URL is the user's own; the refusal may repeat it.
        let err = check("http://10.0.0.1/", &none, &["10.0.0.1"]).unwrap_err();
        assert_eq!(
            err.message,
            "webhooks may not reach 10.0.0.1: it is a private address; an admin can allow the host with --webhook-allow-host"
        );
        let url = WebhookUrl::parse("http://0x7f.1/").unwrap();
        assert_eq!(url.literal_ip(), Some(ip("127.0.0.1")));
    }

    #[test]
    fn public_addresses_pass_and_a_mix_is_refused() {
        let none = AllowedHosts::default();
        check("https://hooks.example.com/", &none, &["93.184.216.34"]).unwrap();
        check("https://hooks.example.com/", &none, &["2606:2800:220:1::1"]).unwrap();
        check(
            "https://hooks.example.com/",
            &none,
            &["172.32.0.1", "100.128.0.1"],
        )
        .unwrap();
        assert!(
            check(
                "https://hooks.example.com/",
                &none,
                &["93.184.216.34", "10.1.1.1"]
            )
            .is_err()
        );
        assert!(check("https://hooks.example.com/", &none, &[]).is_err());
    }

    #[test]
    fn an_allowed_host_may_resolve_anywhere_and_only_it() {
        let allowed = AllowedHosts::new(["127.0.0.1", " Intranet.Example ", "::1", ""]);
        check("http://127.0.0.1:9000/hook", &allowed, &["127.0.0.1"]).unwrap();
        check("http://intranet.example/", &allowed, &["10.0.0.5"]).unwrap();
        check("http://[::1]:81/", &allowed, &["::1"]).unwrap();
        assert!(check("http://localhost/", &allowed, &["127.0.0.1"]).is_err());
        assert!(check("http://127.0.0.2/", &allowed, &["127.0.0.2"]).is_err());
    }

    proptest! {
        #[test]
        fn an_ipv4_address_and_its_mapped_ipv6_form_are_judged_alike(bits in any::<u32>()) {
            let v4 = Ipv4Addr::from(bits);
            let mapped = IpAddr::V6(v4.to_ipv6_mapped());
            prop_assert_eq!(forbidden_range(IpAddr::V4(v4)), forbidden_range(mapped));
            let nat64 = Ipv6Addr::new(0x64, 0xff9b, 0, 0, 0, 0, (bits >> 16) as u16, bits as u16);
            prop_assert_eq!(forbidden_range(IpAddr::V4(v4)), forbidden_range(IpAddr::V6(nat64)));
        }

        #[test]
        fn every_address_the_standard_library_calls_internal_is_refused(bits in any::<u32>()) {
            let v4 = Ipv4Addr::from(bits);
            if v4.is_private() || v4.is_loopback() || v4.is_link_local() || v4.is_multicast()
                || v4.is_broadcast() || v4.is_unspecified() || v4.is_documentation()
            {
                prop_assert!(forbidden_range(IpAddr::V4(v4)).is_some(), "{}", v4);
            }
        }

        #[test]
        fn ipv6_loopback_link_local_unique_local_and_multicast_are_refused(
            low in any::<u128>(),
        ) {
            for (prefix, len) in [(0xfe80u128 << 112, 10), (0xfc00u128 << 112, 7), (0xff00u128 << 112, 8)] {
                let addr = Ipv6Addr::from(prefix | (low >> len));
                prop_assert!(forbidden_range(IpAddr::V6(addr)).is_some(), "{}", addr);
            }
        }
    }
}
