//! The proxy listener's TLS certificate: loaded at start, and swapped in place when a
//! reload finds new certificate or key files, so a renewed certificate (cert-manager
//! rewriting a Secret, certbot renewing) is served without a restart. Handshakes read
//! the current certificate through a rustls resolver: one atomic load, no lock.

use std::path::Path;
use std::sync::Arc;

use arc_swap::ArcSwap;
use pingora::listeners::tls::TlsSettings;
use pingora::tls::sign::CertifiedKey;
use pingora::tls::{ClientHello, CryptoProvider, ResolvesServerCert};

use crate::config::ListenTls;

/// Why a certificate and key could not be loaded. Names the files, never key material.
#[derive(Debug, thiserror::Error)]
pub enum CertificateError {
    #[error("`{cert}` / `{key}`: {reason}")]
    Unusable {
        cert: String,
        key: String,
        reason: String,
    },
    #[error("listener TLS settings: {0}")]
    Settings(String),
}

/// Loads and checks a certificate chain and its private key (the key must match the
/// chain's first certificate).
pub fn load(tls: &ListenTls) -> Result<Arc<CertifiedKey>, CertificateError> {
    let (cert, key) = (path_text(&tls.cert_file), path_text(&tls.key_file));
    let unusable = |reason: String| CertificateError::Unusable {
        cert: cert.clone(),
        key: key.clone(),
        reason,
    };
    // Pingora reads the files whole: refuse devices and FIFOs first.
    for file in [&tls.cert_file, &tls.key_file] {
        crate::config::secret::check_regular(file).map_err(|e| unusable(e.to_string()))?;
    }
    let (chain, private) = match pingora::tls::load_certs_and_key_files(&cert, &key) {
        Ok(Some(loaded)) => loaded,
        Ok(None) => return Err(unusable("no certificate or key found".into())),
        Err(e) => return Err(unusable(e.to_string())),
    };
    // The process-wide provider Pingora installs (ring), so that keys are loaded by the
    // same crypto that does the handshakes.
    pingora::tls::install_default_crypto_provider();
    let provider = CryptoProvider::get_default()
        .ok_or_else(|| unusable("no TLS crypto provider is installed".into()))?;
    let certified =
        CertifiedKey::from_der(chain, private, provider).map_err(|e| unusable(e.to_string()))?;
    Ok(Arc::new(certified))
}

fn path_text(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

/// The certificate the listener presents; [`ListenerCertificate::replace`] swaps it.
#[derive(Debug)]
pub struct ListenerCertificate {
    current: ArcSwap<CertifiedKey>,
}

impl ListenerCertificate {
    pub fn new(tls: &ListenTls) -> Result<Arc<Self>, CertificateError> {
        Ok(Arc::new(Self {
            current: ArcSwap::new(load(tls)?),
        }))
    }

    /// Serves `certified` to every handshake from now on (connections already
    /// established keep theirs). True if its chain differs from the one it replaces.
    pub fn replace(&self, certified: Arc<CertifiedKey>) -> bool {
        let changed = self.current.load().cert != certified.cert;
        self.current.store(certified);
        changed
    }

    /// Pingora TLS settings whose handshakes use this certificate.
    pub fn tls_settings(self: &Arc<Self>) -> Result<TlsSettings, CertificateError> {
        // The paths are ignored once a resolver is set.
        let mut settings = TlsSettings::intermediate("", "")
            .map_err(|e| CertificateError::Settings(e.to_string()))?;
        settings.set_cert_resolver(self.clone());
        Ok(settings)
    }
}

impl ResolvesServerCert for ListenerCertificate {
    fn resolve(&self, _client_hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.current.load_full())
    }
}
