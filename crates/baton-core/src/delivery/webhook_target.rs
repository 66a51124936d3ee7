//! Where a webhook may point: the rules that keep outgoing webhooks from reaching into the
//! network Baton runs in (server-side request forgery).
//!
//! Owns: parsing a webhook URL ([`WebhookUrl::parse`]: http or https, a host, no userinfo),
//! the address ranges a webhook may never reach ([`forbidden_range`]), the admin's allow-list
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

/// The named range `ip` lies in when a webhook must never reach it, or `None` for a public
/// address. IPv4 addresses carried inside IPv6 (mapped, compatible, NAT64, 6to4) are judged as
/// the IPv4 address they carry.
pub fn forbidden_range(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => forbidden_v4(v4),
        IpAddr::V6(v6) => forbidden_v6(v6),
    }
}

fn forbidden_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, c, _] = ip.octets();
    Some(match (a, b, c) {
        (0, _, _) => "unspecified (0.0.0.0/8)",
        (127, _, _) => "loopback",
        (10, _, _) => "private (10.0.0.0/8)",
        (172, 16..=31, _) => "private (172.16.0.0/12)",
        (192, 168, _) => "private (192.168.0.0/16)",
        (100, 64..=127, _) => "shared address space (100.64.0.0/10)",
        (169, 254, _) => "link-local (169.254.0.0/16)",
        (192, 0, 0) => "IETF protocol assignments (192.0.0.0/24)",
        (192, 0, 2) | (198, 51, 100) | (203, 0, 113) => "documentation",
        (198, 18..=19, _) => "benchmarking (198.18.0.0/15)",
        (224..=239, _, _) => "multicast",
        (240..=255, _, _) => "reserved or broadcast (240.0.0.0/4)",
        _ => return None,
    })
}

fn forbidden_v6(ip: Ipv6Addr) -> Option<&'static str> {
    let s = ip.segments();
    let embedded_v4 =
        |hi: u16, lo: u16| Ipv4Addr::new((hi >> 8) as u8, hi as u8, (lo >> 8) as u8, lo as u8);
    if ip.is_unspecified() {
        return Some("unspecified (::)");
    }
    if ip.is_loopback() {
        return Some("loopback (::1)");
    }
    match s {
        // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (the deprecated compatible form).
        [0, 0, 0, 0, 0, 0xffff, hi, lo] | [0, 0, 0, 0, 0, 0, hi, lo] => {
            return forbidden_v4(embedded_v4(hi, lo));
        }
        // 64:ff9b::a.b.c.d, NAT64: a translator would connect to the IPv4 address.
        [0x64, 0xff9b, 0, 0, 0, 0, hi, lo] => return forbidden_v4(embedded_v4(hi, lo)),
        // 2002:AABB:CCDD::/48, 6to4: the relay reaches the IPv4 address in bits 16..48.
        [0x2002, hi, lo, ..] => return forbidden_v4(embedded_v4(hi, lo)),
        _ => {}
    }
    Some(match s[0] {
        0xfe80..=0xfebf => "link-local (fe80::/10)",
        0xfec0..=0xfeff => "site-local (fec0::/10)",
        0xfc00..=0xfdff => "unique local (fc00::/7)",
        0xff00..=0xffff => "multicast (ff00::/8)",
        0x2001 if s[1] == 0x0db8 => "documentation (2001:db8::/32)",
        0x0100 if s[1..4] == [0, 0, 0] => "discard (100::/64)",
        _ => return None,
    })
}

/// Decides whether a webhook to `url` may go to `addrs`, the addresses its host resolved to
/// (or its literal address). Every address must be public: a name that resolves to a mix is
/// refused, since the connection could land on any of them. A host on `allowed` may resolve
/// anywhere.
///
/// # Errors
///
/// `url` when the host resolved to nothing, or to an address in a [`forbidden_range`].
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
    match addrs
        .iter()
        .find_map(|ip| forbidden_range(*ip).map(|r| (ip, r)))
    {
        Some((ip, range)) => Err(CoreError::invalid(
            "url",
            format!(
                "webhooks may not reach {host} ({ip} is {range}); an admin can allow the host with --webhook-allow-host"
            ),
        )),
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

    #[test]
    fn the_named_internal_ranges_are_refused() {
        let none = AllowedHosts::default();
        for (url, addr) in [
            ("http://10.0.0.1/", "10.0.0.1"),
            ("http://[::1]/", "::1"),
            ("http://169.254.169.254/latest/meta-data", "169.254.169.254"),
            ("http://localhost/", "127.0.0.1"),
            ("http://0x7f.1/", "127.0.0.1"),
            ("http://internal.example/", "172.20.1.1"),
            ("http://internal.example/", "192.168.1.10"),
            ("http://internal.example/", "100.100.100.200"),
            ("http://internal.example/", "0.0.0.0"),
            ("http://internal.example/", "255.255.255.255"),
            ("http://internal.example/", "224.0.0.1"),
            ("http://internal.example/", "192.0.2.7"),
            ("http://internal.example/", "fe80::1"),
            ("http://internal.example/", "fd12:3456::1"),
            ("http://internal.example/", "ff02::1"),
            ("http://internal.example/", "2001:db8::1"),
            ("http://internal.example/", "::ffff:127.0.0.1"),
            ("http://internal.example/", "::ffff:169.254.169.254"),
            ("http://internal.example/", "64:ff9b::a00:1"),
            ("http://internal.example/", "2002:c0a8:0101::1"),
            ("http://internal.example/", "::"),
        ] {
            let err = check(url, &none, &[addr]).unwrap_err();
            assert_eq!(err.field, "url");
            assert!(err.message.contains(addr) || err.message.contains("may not reach"));
        }
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
