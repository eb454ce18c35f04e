//! Fetching an issuer's documents: OIDC discovery and the JWKS. Blocking (it runs on
//! the issuers' background thread, never on a proxy worker), bounded in time and size,
//! no redirects followed, no proxy from the environment; TLS by rustls with the system's
//! roots plus the issuer's `ca_file`.

use std::io::Read;
use std::sync::Arc;
use std::time::Duration;

use super::settings::{check_url, FetchPolicy};

/// A fetched document and how long its server says it stays fresh.
pub struct Fetched {
    pub body: Vec<u8>,
    pub max_age: Option<Duration>,
}

/// Why a fetch failed. Names the URL, never a response body.
#[derive(Debug, Clone, thiserror::Error)]
pub enum FetchError {
    #[error("{url}: {reason}")]
    Transport { url: String, reason: String },
    #[error("{url}: HTTP {status}")]
    Status { url: String, status: u16 },
    #[error("{url}: larger than {limit} bytes")]
    TooLarge { url: String, limit: usize },
    #[error("{url}: {reason}")]
    Discovery { url: String, reason: String },
    #[error("TLS roots: {0}")]
    Roots(String),
}

pub struct Fetcher {
    agent: ureq::Agent,
    max_bytes: usize,
}

impl Fetcher {
    pub fn new(policy: &FetchPolicy) -> Result<Self, FetchError> {
        let mut roots = rustls::RootCertStore::empty();
        // Unreadable system certificates are skipped: the CA file may be all that is needed.
        let native = rustls_native_certs::load_native_certs();
        roots.add_parsable_certificates(native.certs);
        if let Some(ca_file) = &policy.ca_file {
            let pem = std::fs::read(ca_file)
                .map_err(|e| FetchError::Roots(format!("`{}`: {e}", ca_file.display())))?;
            let mut reader = pem.as_slice();
            let certs: Vec<_> = rustls_pemfile_certs(&mut reader)
                .map_err(|e| FetchError::Roots(format!("`{}`: {e}", ca_file.display())))?;
            if certs.is_empty() {
                return Err(FetchError::Roots(format!(
                    "`{}` holds no PEM certificate",
                    ca_file.display()
                )));
            }
            roots.add_parsable_certificates(certs);
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| FetchError::Roots(e.to_string()))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        let agent = ureq::AgentBuilder::new()
            .timeout(policy.timeout)
            .redirects(0)
            .user_agent(concat!("gatehouse/", env!("CARGO_PKG_VERSION")))
            .tls_config(Arc::new(tls))
            .build();
        Ok(Self {
            agent,
            max_bytes: policy.max_jwks_bytes,
        })
    }

    /// GETs `url` (which must pass [`check_url`]), at most `max_jwks_bytes` of it.
    pub fn get(&self, url: &str) -> Result<Fetched, FetchError> {
        let transport = |reason: String| FetchError::Transport {
            url: url.to_owned(),
            reason,
        };
        check_url(url).map_err(transport)?;
        let response = match self.agent.get(url).set("accept", "application/json").call() {
            Ok(response) => response,
            Err(ureq::Error::Status(status, _)) => {
                return Err(FetchError::Status {
                    url: url.to_owned(),
                    status,
                })
            }
            Err(ureq::Error::Transport(e)) => return Err(transport(e.to_string())),
        };
        if (300..400).contains(&response.status()) {
            return Err(transport(format!(
                "redirected (HTTP {}); give the final URL",
                response.status()
            )));
        }
        let max_age = response.header("cache-control").and_then(max_age);
        let mut body = Vec::new();
        response
            .into_reader()
            .take(self.max_bytes as u64 + 1)
            .read_to_end(&mut body)
            .map_err(|e| transport(e.to_string()))?;
        if body.len() > self.max_bytes {
            return Err(FetchError::TooLarge {
                url: url.to_owned(),
                limit: self.max_bytes,
            });
        }
        Ok(Fetched { body, max_age })
    }

    /// The `jwks_uri` of an OpenID Provider, from its discovery document, which must
    /// name `issuer` as its issuer (OpenID Connect Discovery §4.3).
    pub fn discover(&self, url: &str, issuer: &str) -> Result<String, FetchError> {
        let fetched = self.get(url)?;
        let discovery = |reason: String| FetchError::Discovery {
            url: url.to_owned(),
            reason,
        };
        let document: serde_json::Value = serde_json::from_slice(&fetched.body)
            .map_err(|e| discovery(format!("not JSON: {e}")))?;
        match document.get("issuer").and_then(|v| v.as_str()) {
            Some(found) if found == issuer => {}
            Some(found) => {
                return Err(discovery(format!(
                    "names the issuer {found:?}, not the configured {issuer:?}"
                )))
            }
            None => return Err(discovery("has no `issuer`".into())),
        }
        let jwks_uri = document
            .get("jwks_uri")
            .and_then(|v| v.as_str())
            .ok_or_else(|| discovery("has no `jwks_uri`".into()))?;
        check_url(jwks_uri).map_err(|e| discovery(format!("jwks_uri {e}")))?;
        Ok(jwks_uri.to_owned())
    }
}

/// PEM certificates (`-----BEGIN CERTIFICATE-----`) from a CA file.
fn rustls_pemfile_certs(
    reader: &mut &[u8],
) -> Result<Vec<rustls::pki_types::CertificateDer<'static>>, String> {
    use rustls::pki_types::pem::PemObject;
    rustls::pki_types::CertificateDer::pem_slice_iter(reader)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("not PEM certificates: {e:?}"))
}

/// `max-age` of a `Cache-Control` value; `no-store`/`no-cache` count as 0.
pub fn max_age(cache_control: &str) -> Option<Duration> {
    let mut age = None;
    for directive in cache_control.split(',').map(str::trim) {
        let lower = directive.to_ascii_lowercase();
        if lower == "no-store" || lower == "no-cache" {
            return Some(Duration::ZERO);
        }
        if let Some(value) = lower.strip_prefix("max-age=") {
            age = value
                .trim_matches('"')
                .parse()
                .ok()
                .map(Duration::from_secs);
        }
    }
    age
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_control_max_age() {
        assert_eq!(
            max_age("public, max-age=300"),
            Some(Duration::from_secs(300))
        );
        assert_eq!(max_age("Max-Age=\"60\""), Some(Duration::from_secs(60)));
        assert_eq!(max_age("no-store"), Some(Duration::ZERO));
        assert_eq!(max_age("public"), None);
        assert_eq!(max_age("max-age=soon"), None);
    }
}
