//! Who is on the other end of a request: the client's IP address, for per-address sign-in
//! throttling and for the first-run page (which only a loopback client may use without its
//! setup code).
//!
//! Owns: reading the peer address (`ConnectInfo`, set by [`crate::serve_with`]) and, only when
//! Baton is told it sits behind a proxy (`WebSettings::trust_proxy`), the proxy's
//! `X-Forwarded-For`. Does not own: what the address is used for.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;

use crate::state::AppState;

/// The client's address: the TCP peer, or, behind a trusted proxy, the last address the proxy
/// appended to `X-Forwarded-For`. `None` when neither is known (in-process tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub Option<IpAddr>);

impl ClientAddr {
    /// Whether the client connected from this machine.
    pub fn is_loopback(self) -> bool {
        self.0.is_some_and(|ip| match ip {
            IpAddr::V4(v4) => v4.is_loopback(),
            IpAddr::V6(v6) => {
                v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
            }
        })
    }
}

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip());
        if state.web.trust_proxy {
            // The proxy appends the address it saw last; anything before it the client wrote.
            let forwarded = parts
                .headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .filter_map(|a| a.trim().parse::<IpAddr>().ok())
                .next_back();
            if forwarded.is_some() {
                return Ok(Self(forwarded));
            }
        }
        Ok(Self(peer))
    }
}
