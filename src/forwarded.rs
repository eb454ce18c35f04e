//! What crosses from the client to the upstream besides the request itself: hop-by-hop
//! headers, credentials, forwarding headers and the request id.
//!
//! Decisions:
//! - `Connection`, every header it lists, `Keep-Alive` and `Proxy-Connection` are
//!   hop-by-hop and dropped (RFC 9110 §7.6.1). An upgrade survives: when the client asks
//!   for one, `Connection: upgrade` and `Upgrade` are re-sent. Framing (`Host`,
//!   `Content-Length`, `Transfer-Encoding`) is Pingora's business and never removed here,
//!   even when a client lists it in `Connection`. To an HTTP/2 upstream nothing is
//!   upgraded, and `TE` passes only as `trailers` (RFC 9113 §8.2.2; gRPC needs it).
//! - Credentials (`Authorization`, `Proxy-Authorization`, the header pair, the token
//!   header, the token cookie) are removed unless `[auth] forward_credentials = true`.
//! - `X-Forwarded-For`, `X-Forwarded-Proto` and `Forwarded` are believed only from a
//!   configured trusted proxy. From anyone else they are replaced, not appended to, so an
//!   upstream that reads the left-most entry cannot be fooled either.
//! - `X-Request-Id` is kept if it is short printable ASCII, otherwise a fresh 128-bit id
//!   replaces it, so log correlation cannot be used to inject text.

use std::net::IpAddr;

use http::header::{
    HeaderMap, HeaderName, HeaderValue, AUTHORIZATION, CONNECTION, COOKIE, PROXY_AUTHORIZATION, TE,
    UPGRADE,
};
use ipnet::IpNet;

use crate::identity::IdentityHeaders;

pub static X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");
pub static X_FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");
pub static X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
static FORWARDED: HeaderName = HeaderName::from_static("forwarded");
static KEEP_ALIVE: HeaderName = HeaderName::from_static("keep-alive");
static PROXY_CONNECTION: HeaderName = HeaderName::from_static("proxy-connection");

const MAX_REQUEST_ID: usize = 128;

#[derive(Clone, Debug)]
pub struct ForwardingRules {
    pub trusted_proxies: Vec<IpNet>,
    pub forward_credentials: bool,
    /// Credential headers besides `Authorization`: the pair and the token header.
    pub credential_headers: Vec<HeaderName>,
    pub credential_cookie: Option<String>,
    /// `https` when the listener terminates TLS.
    pub scheme: &'static str,
    /// The upstream is spoken to over HTTP/2, where connection-specific headers are
    /// malformed (RFC 9113 §8.2.2).
    pub upstream_http2: bool,
}

/// The header edits to apply to a request before it goes upstream.
#[derive(Debug, Default)]
pub struct Edits {
    pub remove: Vec<HeaderName>,
    pub set: Vec<(HeaderName, HeaderValue)>,
}

impl ForwardingRules {
    pub fn is_trusted(&self, peer: IpAddr) -> bool {
        self.trusted_proxies.iter().any(|net| net.contains(&peer))
    }

    /// The address requests are attributed to (rate limits, logs, `ip_address` claims):
    /// the peer, or behind trusted proxies the right-most `X-Forwarded-For` entry that is
    /// not itself a trusted proxy.
    pub fn client_ip(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        if !self.is_trusted(peer) {
            return peer;
        }
        let entries: Vec<&str> = headers
            .get_all(&X_FORWARDED_FOR)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect();
        for entry in entries.iter().rev() {
            match entry.parse::<IpAddr>() {
                Ok(ip) if self.is_trusted(ip) => continue,
                Ok(ip) => return ip,
                // Garbage in the chain: stop believing it here.
                Err(_) => return peer,
            }
        }
        peer
    }

    /// Computes every header edit for one request.
    pub fn edits(&self, headers: &HeaderMap, peer: IpAddr, identity: &IdentityHeaders) -> Edits {
        let mut edits = Edits::default();
        // HTTP/2 has no `Upgrade` (WebSockets over it are RFC 8441's, not forwarded).
        let upgrading =
            !self.upstream_http2 && headers.contains_key(UPGRADE) && lists(headers, "upgrade");

        for name in headers.keys() {
            if identity.is_lookalike(name.as_str()) {
                edits.remove.push(name.clone());
            }
        }
        edits.remove.push(CONNECTION);
        edits.remove.push(KEEP_ALIVE.clone());
        edits.remove.push(PROXY_CONNECTION.clone());
        for listed in connection_tokens(headers) {
            let Ok(name) = HeaderName::from_bytes(listed.as_bytes()) else {
                continue;
            };
            let framing = name == http::header::HOST
                || name == http::header::CONTENT_LENGTH
                || name == http::header::TRANSFER_ENCODING
                || (upgrading && name == UPGRADE);
            if !framing {
                edits.remove.push(name);
            }
        }
        if upgrading {
            edits
                .set
                .push((CONNECTION, HeaderValue::from_static("upgrade")));
        } else {
            edits.remove.push(UPGRADE);
        }
        // On HTTP/2, `te` may only say `trailers`, which gRPC servers require; anything
        // else in it is hop-by-hop and would make the request malformed.
        if self.upstream_http2 {
            let only_trailers = headers
                .get_all(TE)
                .iter()
                .all(|value| value.as_bytes().eq_ignore_ascii_case(b"trailers"));
            if !only_trailers {
                edits.remove.push(TE);
            }
        }

        if !self.forward_credentials {
            edits.remove.push(AUTHORIZATION);
            edits.remove.push(PROXY_AUTHORIZATION);
            edits.remove.extend(self.credential_headers.iter().cloned());
            if let Some(cookie) = &self.credential_cookie {
                if let Some(rest) = cookies_without(headers, cookie) {
                    edits.remove.push(COOKIE);
                    if let Some(rest) = rest {
                        edits.set.push((COOKIE, rest));
                    }
                }
            }
        }

        let trusted = self.is_trusted(peer);
        let peer_text = peer.to_string();
        let forwarded_for = match (trusted, joined(headers, &X_FORWARDED_FOR)) {
            (true, Some(chain)) => format!("{chain}, {peer_text}"),
            _ => peer_text,
        };
        if let Ok(value) = HeaderValue::from_str(&forwarded_for) {
            edits.set.push((X_FORWARDED_FOR.clone(), value));
        }
        let proto_from_proxy = trusted.then(|| headers.get(&X_FORWARDED_PROTO)).flatten();
        match proto_from_proxy {
            Some(proto) => edits.set.push((X_FORWARDED_PROTO.clone(), proto.clone())),
            None => edits.set.push((
                X_FORWARDED_PROTO.clone(),
                HeaderValue::from_static(self.scheme),
            )),
        }
        if !trusted {
            edits.remove.push(FORWARDED.clone());
        }
        edits
    }
}

/// The request id to forward: the client's if it is sane, else a new one.
pub fn request_id(headers: &HeaderMap) -> HeaderValue {
    let mut values = headers.get_all(&X_REQUEST_ID).iter();
    if let (Some(value), None) = (values.next(), values.next()) {
        let bytes = value.as_bytes();
        if !bytes.is_empty()
            && bytes.len() <= MAX_REQUEST_ID
            && bytes
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(b))
        {
            return value.clone();
        }
    }
    let id: u128 = rand::random();
    HeaderValue::from_str(&format!("{id:032x}")).unwrap_or_else(|_| HeaderValue::from_static("0"))
}

fn connection_tokens(headers: &HeaderMap) -> impl Iterator<Item = String> + '_ {
    headers
        .get_all(CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().to_ascii_lowercase())
        .filter(|t| !t.is_empty())
}

fn lists(headers: &HeaderMap, token: &str) -> bool {
    connection_tokens(headers).any(|t| t == token)
}

fn joined(headers: &HeaderMap, name: &HeaderName) -> Option<String> {
    let values: Vec<&str> = headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    (!values.is_empty()).then(|| values.join(", "))
}

/// `None` if no cookie header carries `name`; otherwise the Cookie value without it
/// (`Some(None)` when nothing else is left).
fn cookies_without(headers: &HeaderMap, name: &str) -> Option<Option<HeaderValue>> {
    let mut found = false;
    let mut kept = Vec::new();
    for value in headers.get_all(COOKIE).iter() {
        let Ok(text) = value.to_str() else { continue };
        for pair in text.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            if pair.split_once('=').is_some_and(|(k, _)| k == name) {
                found = true;
            } else {
                kept.push(pair);
            }
        }
    }
    if !found {
        return None;
    }
    Some(
        (!kept.is_empty())
            .then(|| HeaderValue::from_str(&kept.join("; ")).ok())
            .flatten(),
    )
}

#[cfg(test)]
mod tests;
