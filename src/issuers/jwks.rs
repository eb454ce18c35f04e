//! A JWKS document → the keys gatehouse verifies an issuer's tokens with.
//!
//! Only public keys of the issuer's allowed algorithms are taken, each with its `kid`
//! and the algorithms it may verify: a key that names its `alg` that one only (if
//! allowed); one that does not, the allowed algorithms of its type (an RSA key: RS*
//! and PS*). Keys for
//! encryption (`use: enc`), symmetric keys (`kty: oct`), and keys that do not parse are
//! skipped and counted. A document that is not a JWKS, or that leaves no usable key, is
//! an error: the caller keeps the keys it had.

use jsonwebtoken::jwk::{AlgorithmParameters, Jwk, KeyAlgorithm, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey};

/// One verification key of an issuer.
pub struct IssuerKey {
    pub kid: Option<String>,
    /// Never empty.
    pub algorithms: Vec<Algorithm>,
    pub key: DecodingKey,
}

// By hand: key material never reaches a log.
impl std::fmt::Debug for IssuerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuerKey")
            .field("kid", &self.kid)
            .field("algorithms", &self.algorithms)
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
    let algorithms: Vec<Algorithm> = match jwk.common.key_algorithm {
        Some(named) => signing_algorithm(named)
            .filter(|a| allowed.contains(a))
            .into_iter()
            .collect(),
        None => {
            let family: &[Algorithm] = match &jwk.algorithm {
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
            family
                .iter()
                .copied()
                .filter(|a| allowed.contains(a))
                .collect()
        }
    };
    if algorithms.is_empty() {
        return None;
    }
    // Never an HMAC secret from a JWKS, whatever its `alg` says.
    if matches!(jwk.algorithm, AlgorithmParameters::OctetKey(_)) {
        return None;
    }
    let key = DecodingKey::from_jwk(jwk).ok()?;
    Some(IssuerKey {
        kid: jwk.common.key_id.clone(),
        algorithms,
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    // RFC 7517 appendix A.1's public keys.
    fn ec_p256() -> serde_json::Value {
        json!({"kty": "EC", "crv": "P-256", "kid": "ec1",
               "x": "MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4",
               "y": "4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM"})
    }

    fn rsa() -> serde_json::Value {
        json!({"kty": "RSA", "kid": "rsa1", "e": "AQAB",
               "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"})
    }

    fn document(keys: serde_json::Value) -> Vec<u8> {
        json!({ "keys": keys }).to_string().into_bytes()
    }

    #[test]
    fn public_keys_of_allowed_algorithms_are_taken() {
        let (keys, skipped) = parse(
            &document(json!([ec_p256(), rsa()])),
            &crate::issuers::settings::ASYMMETRIC,
            1 << 20,
        )
        .unwrap();
        assert_eq!(skipped, 0);
        let found: Vec<_> = keys
            .iter()
            .map(|k| (k.kid.as_deref(), k.algorithms.clone()))
            .collect();
        assert_eq!(found[0], (Some("ec1"), vec![Algorithm::ES256]));
        assert_eq!(found[1].1.len(), 6, "RS* and PS*");
        // Only ES256 allowed: the RSA key is skipped.
        let (keys, skipped) = parse(
            &document(json!([ec_p256(), rsa()])),
            &[Algorithm::ES256],
            1 << 20,
        )
        .unwrap();
        assert_eq!((keys.len(), skipped), (1, 1));
        // A key without `alg` gets its type's first allowed algorithm; a named `alg` is
        // taken at its word, and only if allowed.
        let mut named = rsa();
        named["alg"] = json!("RS512");
        let (keys, skipped) = parse(
            &document(json!([rsa(), named])),
            &[Algorithm::PS256, Algorithm::RS512],
            1 << 20,
        )
        .unwrap();
        assert_eq!(skipped, 0);
        assert_eq!(keys[0].algorithms, [Algorithm::RS512, Algorithm::PS256]);
        assert_eq!(keys[1].algorithms, [Algorithm::RS512]);
        let mut named = rsa();
        named["alg"] = json!("RS512");
        let error = parse(&document(json!([named])), &[Algorithm::RS256], 1 << 20).unwrap_err();
        assert_eq!(error, JwksError::NoUsableKey { skipped: 1 });
    }

    #[test]
    fn what_must_never_become_a_key() {
        let all = &crate::issuers::settings::ASYMMETRIC;
        let hmac = json!({"kty": "oct", "kid": "h", "alg": "HS256", "k": "c2VjcmV0"});
        let mut encryption = rsa();
        encryption["use"] = json!("enc");
        let unknown = json!({"kty": "PQC", "kid": "future"});
        let mut lying = rsa();
        lying["alg"] = json!("HS256");
        assert_eq!(
            parse(
                &document(json!([hmac, encryption, unknown, lying])),
                all,
                1 << 20
            )
            .unwrap_err(),
            JwksError::NoUsableKey { skipped: 4 }
        );
        assert!(matches!(
            parse(b"<html>", all, 1 << 20),
            Err(JwksError::Malformed(_))
        ));
        assert!(matches!(
            parse(br#"{"keys": {}}"#, all, 1 << 20),
            Err(JwksError::Malformed(_))
        ));
        assert_eq!(
            parse(&document(json!([rsa()])), all, 100).unwrap_err(),
            JwksError::TooLarge(100)
        );
        // One good key among bad ones is enough.
        let (keys, skipped) = parse(
            &document(json!([{"kty": "oct", "k": "eA"}, ec_p256()])),
            all,
            1 << 20,
        )
        .unwrap();
        assert_eq!((keys.len(), skipped), (1, 1));
    }
}
