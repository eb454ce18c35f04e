//! A JWKS document → the keys gatehouse verifies an issuer's tokens with.
//!
//! Only public keys of the issuer's allowed algorithms are taken, each with its `kid`
//! and one algorithm: a key that names its `alg` is used for that one only; one that
//! does not gets the allowed algorithm of its type (RSA: RS256 first). Keys for
//! encryption (`use: enc`), symmetric keys (`kty: oct`), and keys that do not parse are
//! skipped and counted. A document that is not a JWKS, or that leaves no usable key, is
//! an error: the caller keeps the keys it had.

use jsonwebtoken::jwk::{AlgorithmParameters, Jwk, KeyAlgorithm, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey};

/// One verification key of an issuer.
pub struct IssuerKey {
    pub kid: Option<String>,
    pub algorithm: Algorithm,
    pub key: DecodingKey,
}

// By hand: key material never reaches a log.
impl std::fmt::Debug for IssuerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuerKey")
            .field("kid", &self.kid)
            .field("algorithm", &self.algorithm)
            .finish_non_exhaustive()
    }
}

/// Why a JWKS was not taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JwksError {
    #[error("the JWKS is larger than {0} bytes (max_jwks_bytes)")]
    TooLarge(usize),
    #[error("the JWKS is not a JSON key set: {0}")]
    Malformed(String),
    #[error(
        "the JWKS has no usable key ({skipped} skipped: not public keys of the allowed algorithms)"
    )]
    NoUsableKey { skipped: usize },
}

/// The usable keys of `document`, and how many were skipped.
pub fn parse(
    document: &[u8],
    allowed: &[Algorithm],
    max_bytes: usize,
) -> Result<(Vec<IssuerKey>, usize), JwksError> {
    if document.len() > max_bytes {
        return Err(JwksError::TooLarge(max_bytes));
    }
    // Keys one at a time: an unknown `kty` or a key of a newer format must not make the
    // whole set unreadable.
    #[derive(serde::Deserialize)]
    struct Loose {
        keys: Vec<serde_json::Value>,
    }
    let loose: Loose =
        serde_json::from_slice(document).map_err(|e| JwksError::Malformed(e.to_string()))?;
    let mut keys = Vec::new();
    let mut skipped = 0;
    for value in loose.keys {
        match serde_json::from_value::<Jwk>(value)
            .ok()
            .and_then(|jwk| usable(&jwk, allowed))
        {
            Some(key) => keys.push(key),
            None => skipped += 1,
        }
    }
    if keys.is_empty() {
        return Err(JwksError::NoUsableKey { skipped });
    }
    Ok((keys, skipped))
}

fn usable(jwk: &Jwk, allowed: &[Algorithm]) -> Option<IssuerKey> {
    if matches!(jwk.common.public_key_use, Some(PublicKeyUse::Encryption)) {
        return None;
    }
    let algorithm = match jwk.common.key_algorithm {
        Some(named) => signing_algorithm(named).filter(|a| allowed.contains(a))?,
        None => {
            let candidates: &[Algorithm] = match &jwk.algorithm {
                AlgorithmParameters::RSA(_) => &[
                    Algorithm::RS256,
                    Algorithm::RS384,
                    Algorithm::RS512,
                    Algorithm::PS256,
                    Algorithm::PS384,
                    Algorithm::PS512,
                ],
                AlgorithmParameters::EllipticCurve(ec) => match ec.curve {
                    jsonwebtoken::jwk::EllipticCurve::P256 => &[Algorithm::ES256],
                    jsonwebtoken::jwk::EllipticCurve::P384 => &[Algorithm::ES384],
                    _ => &[],
                },
                AlgorithmParameters::OctetKeyPair(_) => &[Algorithm::EdDSA],
                // Symmetric keys, and key types newer than this build.
                _ => &[],
            };
            candidates.iter().copied().find(|a| allowed.contains(a))?
        }
    };
    // Never an HMAC secret from a JWKS, whatever its `alg` says.
    if matches!(jwk.algorithm, AlgorithmParameters::OctetKey(_)) {
        return None;
    }
    let key = DecodingKey::from_jwk(jwk).ok()?;
    Some(IssuerKey {
        kid: jwk.common.key_id.clone(),
        algorithm,
        key,
    })
}

fn signing_algorithm(named: KeyAlgorithm) -> Option<Algorithm> {
    Some(match named {
        KeyAlgorithm::RS256 => Algorithm::RS256,
        KeyAlgorithm::RS384 => Algorithm::RS384,
        KeyAlgorithm::RS512 => Algorithm::RS512,
        KeyAlgorithm::PS256 => Algorithm::PS256,
        KeyAlgorithm::PS384 => Algorithm::PS384,
        KeyAlgorithm::PS512 => Algorithm::PS512,
        KeyAlgorithm::ES256 => Algorithm::ES256,
        KeyAlgorithm::ES384 => Algorithm::ES384,
        KeyAlgorithm::EdDSA => Algorithm::EdDSA,
        _ => return None,
    })
}
