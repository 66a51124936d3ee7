//! The address people reach Baton at (`--base-url`), parsed once at startup.
//!
//! Owns: checking the flag's value and comparing a request's host or a page's origin with it.
//! Does not own: what follows from it (the host check and HSTS in `web::security`, cookie names
//! in `web::session`, links in emails).

use std::net::IpAddr;

/// A validated base URL: `http` or `https`, a host, an optional port, and nothing else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl {
    /// `scheme://host[:port]`, without a trailing slash: the prefix of every link.
    origin: String,
    /// `host[:port]` as a request's `Host` names it (lower case, default port left out).
    authority: String,
    https: bool,
    loopback: bool,
}

impl BaseUrl {
    /// Parses `--base-url`.
    ///
    /// # Errors
    /// A sentence saying what is wrong: not a URL, another scheme than http(s), a user name,
    /// or a path, query or fragment (Baton is served at the root of its host: its pages link
    /// to `/…` and its `__Host-` cookies need `Path=/`).
    pub fn parse(text: &str) -> Result<Self, String> {
        let url = url::Url::parse(text).map_err(|e| format!("not a URL ({e})"))?;
        let https = match url.scheme() {
            "https" => true,
            "http" => false,
            other => return Err(format!("the scheme must be http or https, not {other}")),
        };
        if !url.username().is_empty() || url.password().is_some() {
            return Err("a user name or password does not belong in it".into());
        }
        if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
            return Err("give only scheme, host and port: Baton is served at the root".into());
        }
        let host = url.host_str().ok_or("it names no host")?;
        let authority = match url.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_owned(),
        };
        let loopback = match url.host() {
            Some(url::Host::Domain(name)) => name == "localhost",
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            None => false,
        };
        Ok(Self {
            origin: url.origin().ascii_serialization(),
            authority,
            https,
            loopback,
        })
    }

    /// `scheme://host[:port]`, without a trailing slash.
    pub fn as_str(&self) -> &str {
        &self.origin
    }

    /// `host[:port]`, as a `Host` header carries it.
    pub fn authority(&self) -> &str {
        &self.authority
    }

    /// Whether people reach Baton over https.
    pub fn is_https(&self) -> bool {
        self.https
    }

    /// Whether the host is this machine (`localhost` or a loopback address).
    pub fn is_loopback(&self) -> bool {
        self.loopback
    }

    /// Whether a request's `Host` (or `:authority`) names this base URL, ignoring case and
    /// the scheme's default port.
    pub fn matches_host(&self, authority: &str) -> bool {
        let default_port = if self.https { ":443" } else { ":80" };
        let authority = authority.strip_suffix(default_port).unwrap_or(authority);
        authority.eq_ignore_ascii_case(&self.authority)
    }

    /// Whether an `Origin` header (`scheme://host[:port]`) is this base URL's origin.
    pub fn matches_origin(&self, origin: &str) -> bool {
        let scheme = if self.https { "https" } else { "http" };
        origin
            .split_once("://")
            .is_some_and(|(s, rest)| s.eq_ignore_ascii_case(scheme) && self.matches_host(rest))
    }
}

/// Whether a `Host` names a loopback address literally (`127.0.0.1:8080`, `[::1]`): no DNS
/// name is involved, so no page of another site can be rebound onto it.
pub fn is_loopback_literal(authority: &str) -> bool {
    let host = match authority.strip_prefix('[') {
        Some(rest) => rest.split_once(']').map_or(rest, |(h, _)| h),
        None => authority.rsplit_once(':').map_or(authority, |(h, _)| h),
    };
    host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_base_url_is_an_origin_and_its_host_matches_without_the_default_port() {
        let base = BaseUrl::parse("https://Baton.Example.com/").expect("valid");
        assert_eq!(base.as_str(), "https://baton.example.com");
        assert!(base.is_https() && !base.is_loopback());
        for host in [
            "baton.example.com",
            "BATON.example.com",
            "baton.example.com:443",
        ] {
            assert!(base.matches_host(host), "{host}");
        }
        for host in [
            "evil.example",
            "baton.example.com:8443",
            "baton.example.com.evil",
        ] {
            assert!(!base.matches_host(host), "{host}");
        }
        assert!(base.matches_origin("https://baton.example.com"));
        assert!(!base.matches_origin("http://baton.example.com"));
        let local = BaseUrl::parse("http://127.0.0.1:8080").expect("valid");
        assert_eq!(local.authority(), "127.0.0.1:8080");
        assert!(local.is_loopback() && local.matches_host("127.0.0.1:8080"));
    }

    #[test]
    fn a_base_url_with_a_path_user_or_other_scheme_is_refused() {
        for bad in [
            "baton.example.com",
            "ftp://baton.example.com",
            "https://me:pw@baton.example.com",
            "https://baton.example.com/baton",
            "https://baton.example.com/?x=1",
        ] {
            assert!(BaseUrl::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn only_loopback_addresses_written_as_addresses_are_loopback_literals() {
        for yes in ["127.0.0.1", "127.0.0.1:8080", "[::1]:8080", "[::1]"] {
            assert!(is_loopback_literal(yes), "{yes}");
        }
        for no in [
            "localhost:8080",
            "10.0.0.5:8080",
            "evil.example",
            "[2001:db8::1]",
        ] {
            assert!(!is_loopback_literal(no), "{no}");
        }
    }
}
