//! One `[[issuers]]` entry, validated: where its keys come from, what its tokens must
//! say, how their claims become an identity, and how its keys are fetched.

use std::path::PathBuf;
use std::time::Duration;

use jsonwebtoken::Algorithm;

/// Where the issuer's keys are published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// `<issuer>/.well-known/openid-configuration`, whose `jwks_uri` is then fetched.
    Discovery(String),
    /// The JWKS itself.
    Jwks(String),
}

/// How a token's claims become the identity forwarded upstream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimMapping {
    pub username: String,
    pub user_id: Option<String>,
    pub email: Option<String>,
    /// A JSON pointer (RFC 6901) to an array of strings or a space-separated string.
    pub roles: Option<String>,
    /// The username must also be one of gatehouse's (active) users; their stored
    /// identity is forwarded.
    pub require_user: bool,
}

/// When keys are fetched again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchPolicy {
    pub timeout: Duration,
    /// Bounds on the refresh interval a `Cache-Control: max-age` asks for.
    pub min_refresh: Duration,
    pub max_refresh: Duration,
    /// At most one fetch for an unknown `kid` per this interval.
    pub refetch_interval: Duration,
    /// How long the last good keys serve while fetches fail.
    pub max_stale: Duration,
    /// How long `/readyz` waits for the first key set.
    pub startup_wait: Duration,
    pub max_jwks_bytes: usize,
    /// Extra roots (PEM) besides the system's.
    pub ca_file: Option<PathBuf>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuerSettings {
    /// For metrics and logs.
    pub name: String,
    /// The `iss` claim of its tokens, exactly.
    pub issuer: String,
    pub source: KeySource,
    /// Empty only when the audience check was turned off explicitly.
    pub audiences: Vec<String>,
    pub algorithms: Vec<Algorithm>,
    pub leeway: Duration,
    pub claims: ClaimMapping,
    pub fetch: FetchPolicy,
}

/// Algorithms a JWKS may be trusted with: public-key ones only. A JWKS never supplies
/// an HMAC secret, and `none` is no algorithm.
pub const ASYMMETRIC: [Algorithm; 9] = [
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::EdDSA,
];

/// `https://`, or `http://` to a loopback host (a local provider, the tests). The
/// reason when not.
pub fn check_url(url: &str) -> Result<(), String> {
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| format!("{url:?} is not an absolute URL"))?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.is_empty() || authority.contains('@') {
        return Err(format!("{url:?} needs a host (and no user info)"));
    }
    match scheme {
        "https" => Ok(()),
        "http" if is_loopback(authority) => Ok(()),
        "http" => Err(format!(
            "{url:?}: keys are fetched over https only (http only to a loopback address)"
        )),
        _ => Err(format!("{url:?}: expected an https:// URL")),
    }
}

fn is_loopback(authority: &str) -> bool {
    let host = match authority.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or_default(),
        None => authority.rsplit_once(':').map_or(authority, |(h, _)| h),
    };
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// The host of an URL, for a default issuer name.
pub fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    rest.split(['/', '?', '#']).next().unwrap_or(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_everywhere_http_only_to_loopback() {
        for ok in [
            "https://id.example.com/realms/x",
            "http://127.0.0.1:8080",
            "http://localhost/x",
            "http://[::1]:9000/jwks",
        ] {
            assert_eq!(check_url(ok), Ok(()), "{ok}");
        }
        for bad in [
            "http://id.example.com",
            "http://127.0.0.1.evil.com/",
            "ftp://x",
            "https://",
            "https://user@host/",
            "id.example.com",
        ] {
            assert!(check_url(bad).is_err(), "{bad}");
        }
        assert_eq!(host_of("https://a.b:8443/x/y"), "a.b:8443");
    }
}
