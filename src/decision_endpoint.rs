//! The decision endpoint (`[decision]`): another proxy (nginx `auth_request`, Traefik
//! and Caddy `forward_auth`, Envoy `ext_authz`) asks "may this request pass, and as
//! whom?", and gatehouse answers with the same routes, verifier, cache and rate limits as
//! for traffic it proxies itself.
//!
//! The original request is read, in this order:
//! 1. `X-Forwarded-Method` and `X-Forwarded-Uri` (Traefik, Caddy), with
//!    `X-Forwarded-Host`;
//! 2. `X-Original-Method` and `X-Original-URL` (ingress-nginx; absolute) or
//!    `X-Original-URI` (plain nginx setups; a path);
//! 3. the request's own method and the path after the prefix (Envoy ext_authz with
//!    `path_prefix`, Oathkeeper).
//!
//! The first two are believed only from `trusted_peers`: from anyone else they are
//! ignored, and the third applies. Nothing here reads a body.
//!
//! Front proxies set their own describing headers but pass a client's others through
//! (ingress-nginx passes `X-Forwarded-Uri`, Caddy and Traefik pass `X-Original-URL`), so
//! a client could describe a public path while asking for a private one. `original`
//! pins the one source the proxy sets (`"x-forwarded"`, `"x-original"`, `"path"`);
//! with the default `"auto"`, a request that carries both families, or one describing
//! header twice, is refused (400) rather than guessed at.
//!
//! Answers: allow is 200 with the identity headers in the response (a public route:
//! 200 without them); deny is the proxied traffic's refusal, 401 with
//! `WWW-Authenticate`, 403, 400, 429, or 503 when gatehouse itself cannot decide.

use std::net::IpAddr;

use http::header::{HeaderName, HeaderValue, HOST};
use ipnet::IpNet;
use pingora::http::RequestHeader;

use crate::respond::{LocalResponse, Refusal};

pub const DEFAULT_PREFIX: &str = "/.gatehouse/decision";

static X_FORWARDED_METHOD: HeaderName = HeaderName::from_static("x-forwarded-method");
static X_FORWARDED_URI: HeaderName = HeaderName::from_static("x-forwarded-uri");
static X_FORWARDED_HOST: HeaderName = HeaderName::from_static("x-forwarded-host");
static X_ORIGINAL_METHOD: HeaderName = HeaderName::from_static("x-original-method");
static X_ORIGINAL_URL: HeaderName = HeaderName::from_static("x-original-url");
static X_ORIGINAL_URI: HeaderName = HeaderName::from_static("x-original-uri");
static ENVOY_HEADERS_TO_REMOVE: HeaderName =
    HeaderName::from_static("x-envoy-auth-headers-to-remove");

/// The headers that describe the original request, never passed on as its own.
fn is_description(name: &HeaderName) -> bool {
    [
        &X_FORWARDED_METHOD,
        &X_FORWARDED_URI,
        &X_FORWARDED_HOST,
        &X_ORIGINAL_METHOD,
        &X_ORIGINAL_URL,
        &X_ORIGINAL_URI,
    ]
    .contains(&name)
}

/// Where the original request is read from (`[decision] original`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OriginalFrom {
    /// Whichever family the trusted proxy sent; both at once is refused.
    Auto,
    /// `X-Forwarded-Method`/`-Uri`/`-Host` only (Traefik, Caddy).
    XForwarded,
    /// `X-Original-Method`/`-URL`/`-URI` only (nginx, ingress-nginx).
    XOriginal,
    /// The method and the path after the prefix only (Envoy, Istio, Oathkeeper).
    Path,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionSettings {
    /// Normalised, no trailing slash.
    pub prefix: String,
    pub trusted_peers: Vec<IpNet>,
    pub envoy_remove_credentials: bool,
    pub original: OriginalFrom,
}

impl DecisionSettings {
    /// The part of `path` after the prefix (`""` for the prefix itself), if `path` is
    /// the prefix or under it.
    pub fn rest<'a>(&self, path: &'a str) -> Option<&'a str> {
        let rest = path.strip_prefix(self.prefix.as_str())?;
        (rest.is_empty() || rest.starts_with('/')).then_some(rest)
    }

    pub fn is_trusted(&self, peer: IpAddr) -> bool {
        self.trusted_peers.iter().any(|net| net.contains(&peer))
    }
}

/// The request the asking proxy is deciding about, as a request head that goes through
/// the same `decision::decide` as proxied traffic: its method and target, the asking
/// request's headers (credentials, cookies, `X-Forwarded-For`) without the describing
/// ones, and the original host.
pub fn original_request(
    asked: &RequestHeader,
    peer: IpAddr,
    settings: &DecisionSettings,
) -> Result<RequestHeader, Refusal> {
    let headers = &asked.headers;
    let trusted = settings.is_trusted(peer) && settings.original != OriginalFrom::Path;
    // A describing header given twice: the proxy appended to a client's.
    let repeated = |name: &HeaderName| headers.get_all(name).iter().nth(1).is_some();
    let text = |name: &HeaderName| {
        headers
            .get(name)
            .filter(|_| trusted)
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.is_empty())
    };
    if trusted {
        let forwarded = [&X_FORWARDED_METHOD, &X_FORWARDED_URI, &X_FORWARDED_HOST];
        let original = [&X_ORIGINAL_METHOD, &X_ORIGINAL_URL, &X_ORIGINAL_URI];
        let ambiguous = "the original request is described twice (X-Forwarded-* and X-Original-*, or one header repeated): set [decision] original";
        if [forwarded, original]
            .iter()
            .flatten()
            .any(|name| repeated(name))
        {
            return Err(Refusal::BadRequest(ambiguous.into()));
        }
        let has = |names: &[&HeaderName]| names.iter().any(|name| headers.contains_key(*name));
        if settings.original == OriginalFrom::Auto && has(&forwarded) && has(&original) {
            return Err(Refusal::BadRequest(ambiguous.into()));
        }
    }
    let from_forwarded = matches!(
        settings.original,
        OriginalFrom::Auto | OriginalFrom::XForwarded
    );
    let from_original = matches!(
        settings.original,
        OriginalFrom::Auto | OriginalFrom::XOriginal
    );
    let own_method = asked.method.as_str();
    let rest_of_path = || -> String {
        let rest = settings.rest(asked.uri.path()).unwrap_or("");
        let path = if rest.is_empty() { "/" } else { rest };
        match asked.uri.query() {
            Some(query) => format!("{path}?{query}"),
            None => path.to_owned(),
        }
    };
    let forwarded_uri = text(&X_FORWARDED_URI).filter(|_| from_forwarded);
    let original_url = text(&X_ORIGINAL_URL)
        .or_else(|| text(&X_ORIGINAL_URI))
        .filter(|_| from_original);
    let (method, target) = if let Some(uri) = forwarded_uri {
        (
            text(&X_FORWARDED_METHOD).unwrap_or(own_method),
            uri.to_owned(),
        )
    } else if let Some(url) = original_url {
        (
            text(&X_ORIGINAL_METHOD).unwrap_or(own_method),
            origin_form(url)?,
        )
    } else {
        (own_method, rest_of_path())
    };
    if !target.starts_with('/') {
        return Err(Refusal::BadRequest(
            "the original request target must be a path".into(),
        ));
    }
    let mut original = RequestHeader::build(method, target.as_bytes(), Some(headers.len()))
        .map_err(|_| Refusal::BadRequest("the original method or target is malformed".into()))?;
    for (name, value) in headers {
        if !is_description(name) {
            original
                .append_header(name.clone(), value.clone())
                .map_err(|_| Refusal::BadRequest("malformed header".into()))?;
        }
    }
    let forwarded_host = text(&X_FORWARDED_HOST).filter(|_| from_forwarded);
    if let Some(host) = forwarded_host.and_then(|h| HeaderValue::from_str(h).ok()) {
        original
            .insert_header(HOST, host)
            .map_err(|_| Refusal::BadRequest("malformed X-Forwarded-Host".into()))?;
    }
    Ok(original)
}

/// The address the asking proxy's client is counted as (rate limits): from a trusted
/// peer the right-most `X-Forwarded-For` entry (the one that proxy appended), else the
/// peer itself.
pub fn client_address(asked: &RequestHeader, peer: IpAddr, settings: &DecisionSettings) -> IpAddr {
    if !settings.is_trusted(peer) {
        return peer;
    }
    asked
        .headers
        .get_all(http::header::HeaderName::from_static("x-forwarded-for"))
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .next_back()
        .and_then(|entry| entry.trim().parse().ok())
        .unwrap_or(peer)
}

/// The path and query of an absolute URL (`https://host/p?q` → `/p?q`), or the path as
/// given.
fn origin_form(url: &str) -> Result<String, Refusal> {
    let Some((_, rest)) = url.split_once("://") else {
        return Ok(url.to_owned());
    };
    match rest.find(['/', '?']) {
        Some(at) if rest[at..].starts_with('/') => Ok(rest[at..].to_owned()),
        Some(at) => Ok(format!("/{}", &rest[at..])),
        None => Ok("/".to_owned()),
    }
}

/// An allow answer: 200 with `identity` (name, value) pairs, or none for a public route.
pub fn allow<'a>(
    identity: impl Iterator<Item = (&'a bytes::Bytes, &'a HeaderValue)>,
    settings: &DecisionSettings,
) -> LocalResponse {
    let mut response = LocalResponse::empty(200);
    for (name, value) in identity {
        if let Ok(name) = HeaderName::from_bytes(name) {
            response.headers.push((name, value.clone()));
        }
    }
    if settings.envoy_remove_credentials {
        response.headers.push((
            ENVOY_HEADERS_TO_REMOVE.clone(),
            HeaderValue::from_static("authorization"),
        ));
    }
    response
}

#[cfg(test)]
mod tests;
