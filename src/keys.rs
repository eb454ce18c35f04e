//! Signing and verification keys: `[[keys]]` entries turned into ready-to-use
//! `jsonwebtoken` keys, their `kid`, and the public JWK each asymmetric key publishes.
//!
//! Decisions:
//! - The algorithm belongs to the key. A token is only ever verified with the algorithm
//!   its key was configured for, whatever the token's header claims (RFC 8725 §3.1).
//! - HMAC secrets shorter than 32 bytes are refused: HS256 with a short secret can be
//!   brute-forced offline from a single token.
//! - For asymmetric keys the private key is optional (verify-only keys); when only the
//!   private key is given, the public half is derived from it, and when both are given
//!   they must match.
//! - Nothing here prints key material: `Debug` shows the id and algorithm only.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header};
use serde::Serialize;

pub mod crypto;
mod rotation;
pub mod stored;
pub use rotation::KeyRing;

/// Smallest HMAC secret accepted, in bytes (the output size of SHA-256).
pub const MIN_HMAC_SECRET: usize = 32;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("unknown algorithm `{0}` (expected HS256/384/512, RS256/384/512, PS256/384/512, ES256/384 or EdDSA)")]
    UnknownAlgorithm(String),
    #[error("{0} needs a `secret` (or `secret_env` / `secret_file`)")]
    MissingSecret(&'static str),
    #[error("HMAC secret is {0} bytes; at least {MIN_HMAC_SECRET} are required")]
    ShortSecret(usize),
    #[error("{0} keys take `private_key` and/or `public_key`, not `secret`")]
    SecretForAsymmetric(&'static str),
    #[error("HMAC keys take `secret`, not `private_key` / `public_key`")]
    PemForHmac,
    #[error("{0} needs `private_key` or `public_key` (PEM, inline or `_file` / `_env`)")]
    MissingPem(&'static str),
    #[error("private key is not a valid {0} PEM")]
    BadPrivateKey(&'static str),
    #[error("public key is not a valid {0} PEM")]
    BadPublicKey(&'static str),
    #[error("public key does not match the private key")]
    Mismatch,
    #[error("key cannot sign: it has no private key")]
    CannotSign,
    #[error("signing failed: {0}")]
    Signing(String),
}

/// The kind of key material an algorithm needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Family {
    Hmac,
    Rsa,
    P256,
    P384,
    Ed25519,
}

impl Family {
    fn of(algorithm: Algorithm) -> Option<Self> {
        use Algorithm::*;
        Some(match algorithm {
            HS256 | HS384 | HS512 => Family::Hmac,
            RS256 | RS384 | RS512 | PS256 | PS384 | PS512 => Family::Rsa,
            ES256 => Family::P256,
            ES384 => Family::P384,
            EdDSA => Family::Ed25519,
            // `Algorithm` is non-exhaustive; a future variant is simply not supported.
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Family::Hmac => "HMAC",
            Family::Rsa => "RSA",
            Family::P256 => "EC P-256",
            Family::P384 => "EC P-384",
            Family::Ed25519 => "Ed25519",
        }
    }
}

/// Parses an algorithm name as written in the config. `none` is not an algorithm.
pub fn parse_algorithm(name: &str) -> Result<Algorithm, KeyError> {
    use Algorithm::*;
    Ok(match name {
        "HS256" => HS256,
        "HS384" => HS384,
        "HS512" => HS512,
        "RS256" => RS256,
        "RS384" => RS384,
        "RS512" => RS512,
        "PS256" => PS256,
        "PS384" => PS384,
        "PS512" => PS512,
        "ES256" => ES256,
        "ES384" => ES384,
        "EdDSA" => EdDSA,
        other => return Err(KeyError::UnknownAlgorithm(other.to_owned())),
    })
}

/// What a `[[keys]]` entry provides, already read from its inline/env/file source.
pub enum KeyMaterial<'a> {
    Hmac(Option<&'a [u8]>),
    Pem {
        private: Option<&'a [u8]>,
        public: Option<&'a [u8]>,
    },
}

/// One usable key.
pub struct Key {
    id: String,
    algorithm: Algorithm,
    encoding: Option<EncodingKey>,
    decoding: DecodingKey,
    jwk: Option<serde_json::Value>,
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Key")
            .field("id", &self.id)
            .field("algorithm", &self.algorithm)
            .field("can_sign", &self.encoding.is_some())
            .finish_non_exhaustive()
    }
}

impl Key {
    pub fn new(
        id: &str,
        algorithm: Algorithm,
        material: KeyMaterial<'_>,
    ) -> Result<Self, KeyError> {
        // Keys are gatehouse's only way into jsonwebtoken's crypto: the first one makes ring
        // its verifier (`Key::generate_rsa` comes through here too).
        crypto::install();
        let family = Family::of(algorithm)
            .ok_or_else(|| KeyError::UnknownAlgorithm(format!("{algorithm:?}")))?;
        match (family, material) {
            (Family::Hmac, KeyMaterial::Hmac(Some(secret))) => {
                if secret.len() < MIN_HMAC_SECRET {
                    return Err(KeyError::ShortSecret(secret.len()));
                }
                Ok(Self {
                    id: id.to_owned(),
                    algorithm,
                    encoding: Some(EncodingKey::from_secret(secret)),
                    decoding: DecodingKey::from_secret(secret),
                    jwk: None,
                })
            }
            (Family::Hmac, KeyMaterial::Hmac(None)) => Err(KeyError::MissingSecret("HMAC")),
            (Family::Hmac, KeyMaterial::Pem { .. }) => Err(KeyError::PemForHmac),
            (family, KeyMaterial::Hmac(_)) => Err(KeyError::SecretForAsymmetric(family.name())),
            (
                _,
                KeyMaterial::Pem {
                    private: None,
                    public: None,
                },
            ) => Err(KeyError::MissingPem(family.name())),
            (family, KeyMaterial::Pem { private, public }) => {
                let private = private.map(|pem| load_private(family, pem)).transpose()?;
                let public = public.map(|pem| load_public(family, pem)).transpose()?;
                let public = match (&private, public) {
                    (Some(private), Some(public)) if private.public != public => {
                        return Err(KeyError::Mismatch)
                    }
                    (_, Some(public)) => public,
                    (Some(private), None) => private.public.clone(),
                    (None, None) => return Err(KeyError::MissingPem(family.name())),
                };
                let mut jwk = public.jwk();
                if let Some(object) = jwk.as_object_mut() {
                    object.insert("kid".into(), id.into());
                    object.insert("alg".into(), algorithm_name(algorithm).into());
                    object.insert("use".into(), "sig".into());
                }
                Ok(Self {
                    id: id.to_owned(),
                    algorithm,
                    encoding: private.map(|p| p.encoding),
                    decoding: public.decoding_key(),
                    jwk: Some(jwk),
                })
            }
        }
    }

    /// A fresh RSA key pair, for deployments that let gatehouse generate the RS256 key
    /// of a dialect at start (tokens then do not survive a restart).
    pub fn generate_rsa(id: &str, algorithm: Algorithm, bits: usize) -> Result<Self, KeyError> {
        let pem = generate_rsa_pem(bits)?;
        Self::new(
            id,
            algorithm,
            KeyMaterial::Pem {
                private: Some(pem.as_bytes()),
                public: None,
            },
        )
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    pub fn can_sign(&self) -> bool {
        self.encoding.is_some()
    }

    pub fn is_symmetric(&self) -> bool {
        Family::of(self.algorithm) == Some(Family::Hmac)
    }

    pub fn decoding_key(&self) -> &DecodingKey {
        &self.decoding
    }

    /// The public JWK (with `kid`, `alg`, `use`), or `None` for HMAC keys, whose secret
    /// must never be published.
    pub fn public_jwk(&self) -> Option<&serde_json::Value> {
        self.jwk.as_ref()
    }

    /// A JOSE header for this key: `alg` from the key, `typ: JWT`, and `kid` if asked.
    pub fn header(&self, with_kid: bool) -> Header {
        let mut header = Header::new(self.algorithm);
        if with_kid {
            header.kid = Some(self.id.clone());
        }
        header
    }

    /// Signs `claims` under `header`. The header's `alg` is forced to the key's own.
    pub fn sign<T: Serialize>(&self, header: &Header, claims: &T) -> Result<String, KeyError> {
        let encoding = self.encoding.as_ref().ok_or(KeyError::CannotSign)?;
        let mut header = header.clone();
        header.alg = self.algorithm;
        jsonwebtoken::encode(&header, claims, encoding)
            .map_err(|e| KeyError::Signing(e.to_string()))
    }
}

impl Key {
    /// Signs `claims` under an exact header JSON, for legacy systems whose tokens have a
    /// header other than jsonwebtoken's (`{"alg":"HS256"}` alone, or another key order).
    /// The caller builds `header_json` from [`Key::algorithm`], so the `alg` it names is
    /// always the key's own. Claims are serialized in their struct's field order.
    pub fn sign_with_header_json<T: Serialize>(
        &self,
        header_json: &str,
        claims: &T,
    ) -> Result<String, KeyError> {
        let encoding = self.encoding.as_ref().ok_or(KeyError::CannotSign)?;
        let claims = serde_json::to_vec(claims).map_err(|e| KeyError::Signing(e.to_string()))?;
        let message = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header_json),
            URL_SAFE_NO_PAD.encode(claims)
        );
        let signature = jsonwebtoken::crypto::sign(message.as_bytes(), encoding, self.algorithm)
            .map_err(|e| KeyError::Signing(e.to_string()))?;
        Ok(format!("{message}.{signature}"))
    }

    /// `{"typ":"JWT","alg":"<alg>"}`: the header PyJWT 2 and most libraries write.
    pub fn typ_alg_header(&self) -> String {
        format!(
            r#"{{"typ":"JWT","alg":"{}"}}"#,
            algorithm_name(self.algorithm)
        )
    }
}

pub fn algorithm_name(algorithm: Algorithm) -> &'static str {
    use Algorithm::*;
    match algorithm {
        HS256 => "HS256",
        HS384 => "HS384",
        HS512 => "HS512",
        RS256 => "RS256",
        RS384 => "RS384",
        RS512 => "RS512",
        PS256 => "PS256",
        PS384 => "PS384",
        PS512 => "PS512",
        ES256 => "ES256",
        ES384 => "ES384",
        EdDSA => "EdDSA",
        _ => "unsupported",
    }
}

/// A public key in a comparable, encodable form.
#[derive(Clone, PartialEq, Eq)]
enum PublicKey {
    Rsa {
        n: Vec<u8>,
        e: Vec<u8>,
    },
    Ec {
        curve: &'static str,
        x: Vec<u8>,
        y: Vec<u8>,
    },
    Ed25519 {
        x: Vec<u8>,
    },
}

impl PublicKey {
    fn jwk(&self) -> serde_json::Value {
        let b64 = |bytes: &[u8]| URL_SAFE_NO_PAD.encode(bytes);
        match self {
            PublicKey::Rsa { n, e } => serde_json::json!({"kty": "RSA", "n": b64(n), "e": b64(e)}),
            PublicKey::Ec { curve, x, y } => {
                serde_json::json!({"kty": "EC", "crv": curve, "x": b64(x), "y": b64(y)})
            }
            PublicKey::Ed25519 { x } => {
                serde_json::json!({"kty": "OKP", "crv": "Ed25519", "x": b64(x)})
            }
        }
    }

    fn decoding_key(&self) -> DecodingKey {
        match self {
            PublicKey::Rsa { n, e } => DecodingKey::from_rsa_raw_components(n, e),
            PublicKey::Ec { x, y, .. } => {
                // SEC1 uncompressed point: 0x04 || x || y.
                let mut point = Vec::with_capacity(1 + x.len() + y.len());
                point.push(4);
                point.extend_from_slice(x);
                point.extend_from_slice(y);
                DecodingKey::from_ec_der(&point)
            }
            PublicKey::Ed25519 { x } => DecodingKey::from_ed_der(x),
        }
    }
}

struct PrivateKey {
    encoding: EncodingKey,
    public: PublicKey,
}

/// A fresh RSA private key as PKCS#8 PEM (wiped from memory when dropped).
pub fn generate_rsa_pem(bits: usize) -> Result<zeroize::Zeroizing<String>, KeyError> {
    use rsa::pkcs8::{EncodePrivateKey, LineEnding};
    let private = rsa::RsaPrivateKey::new(&mut rand::rngs::OsRng, bits)
        .map_err(|e| KeyError::Signing(e.to_string()))?;
    private
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| KeyError::Signing(e.to_string()))
}

fn pem_str(pem: &[u8], family: Family, public: bool) -> Result<&str, KeyError> {
    std::str::from_utf8(pem).map_err(|_| {
        if public {
            KeyError::BadPublicKey(family.name())
        } else {
            KeyError::BadPrivateKey(family.name())
        }
    })
}

fn load_private(family: Family, pem: &[u8]) -> Result<PrivateKey, KeyError> {
    use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey};
    use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey};
    use rsa::traits::PublicKeyParts;
    let bad = || KeyError::BadPrivateKey(family.name());
    let text = pem_str(pem, family, false)?;
    match family {
        Family::Rsa => {
            let key = rsa::RsaPrivateKey::from_pkcs8_pem(text)
                .or_else(|_| rsa::RsaPrivateKey::from_pkcs1_pem(text))
                .map_err(|_| bad())?;
            // jsonwebtoken's RSA signer reads PKCS#1 DER.
            let der = key.to_pkcs1_der().map_err(|_| bad())?;
            let encoding = EncodingKey::from_rsa_der(der.as_bytes());
            let public = PublicKey::Rsa {
                n: key.n().to_bytes_be(),
                e: key.e().to_bytes_be(),
            };
            Ok(PrivateKey { encoding, public })
        }
        Family::P256 => {
            let key = p256::SecretKey::from_pkcs8_pem(text)
                .or_else(|_| p256::SecretKey::from_sec1_pem(text))
                .map_err(|_| bad())?;
            let der = key.to_pkcs8_der().map_err(|_| bad())?;
            let point = p256::elliptic_curve::sec1::ToEncodedPoint::to_encoded_point(
                &key.public_key(),
                false,
            );
            let (x, y) = point.x().zip(point.y()).ok_or_else(bad)?;
            Ok(PrivateKey {
                encoding: EncodingKey::from_ec_der(der.as_bytes()),
                public: PublicKey::Ec {
                    curve: "P-256",
                    x: x.to_vec(),
                    y: y.to_vec(),
                },
            })
        }
        Family::P384 => {
            let key = p384::SecretKey::from_pkcs8_pem(text)
                .or_else(|_| p384::SecretKey::from_sec1_pem(text))
                .map_err(|_| bad())?;
            let der = key.to_pkcs8_der().map_err(|_| bad())?;
            let point = p384::elliptic_curve::sec1::ToEncodedPoint::to_encoded_point(
                &key.public_key(),
                false,
            );
            let (x, y) = point.x().zip(point.y()).ok_or_else(bad)?;
            Ok(PrivateKey {
                encoding: EncodingKey::from_ec_der(der.as_bytes()),
                public: PublicKey::Ec {
                    curve: "P-384",
                    x: x.to_vec(),
                    y: y.to_vec(),
                },
            })
        }
        Family::Ed25519 => {
            let key = ed25519_dalek::SigningKey::from_pkcs8_pem(text).map_err(|_| bad())?;
            let der = key.to_pkcs8_der().map_err(|_| bad())?;
            Ok(PrivateKey {
                encoding: EncodingKey::from_ed_der(der.as_bytes()),
                public: PublicKey::Ed25519 {
                    x: key.verifying_key().to_bytes().to_vec(),
                },
            })
        }
        Family::Hmac => Err(KeyError::PemForHmac),
    }
}

fn load_public(family: Family, pem: &[u8]) -> Result<PublicKey, KeyError> {
    use rsa::pkcs1::DecodeRsaPublicKey;
    use rsa::pkcs8::DecodePublicKey;
    use rsa::traits::PublicKeyParts;
    let bad = || KeyError::BadPublicKey(family.name());
    let text = pem_str(pem, family, true)?;
    match family {
        Family::Rsa => {
            let key = rsa::RsaPublicKey::from_public_key_pem(text)
                .or_else(|_| rsa::RsaPublicKey::from_pkcs1_pem(text))
                .map_err(|_| bad())?;
            Ok(PublicKey::Rsa {
                n: key.n().to_bytes_be(),
                e: key.e().to_bytes_be(),
            })
        }
        Family::P256 => {
            let key = p256::PublicKey::from_public_key_pem(text).map_err(|_| bad())?;
            let point = p256::elliptic_curve::sec1::ToEncodedPoint::to_encoded_point(&key, false);
            let (x, y) = point.x().zip(point.y()).ok_or_else(bad)?;
            Ok(PublicKey::Ec {
                curve: "P-256",
                x: x.to_vec(),
                y: y.to_vec(),
            })
        }
        Family::P384 => {
            let key = p384::PublicKey::from_public_key_pem(text).map_err(|_| bad())?;
            let point = p384::elliptic_curve::sec1::ToEncodedPoint::to_encoded_point(&key, false);
            let (x, y) = point.x().zip(point.y()).ok_or_else(bad)?;
            Ok(PublicKey::Ec {
                curve: "P-384",
                x: x.to_vec(),
                y: y.to_vec(),
            })
        }
        Family::Ed25519 => {
            let key = ed25519_dalek::VerifyingKey::from_public_key_pem(text).map_err(|_| bad())?;
            Ok(PublicKey::Ed25519 {
                x: key.to_bytes().to_vec(),
            })
        }
        Family::Hmac => Err(KeyError::PemForHmac),
    }
}

/// The configured keys, by `kid`.
#[derive(Debug, Default)]
pub struct KeySet {
    keys: Vec<Arc<Key>>,
    by_id: HashMap<String, Arc<Key>>,
}

impl KeySet {
    pub fn new(keys: Vec<Arc<Key>>) -> Self {
        let mut by_id = HashMap::with_capacity(keys.len());
        for key in &keys {
            by_id.entry(key.id.clone()).or_insert_with(|| key.clone());
        }
        Self { keys, by_id }
    }

    pub fn get(&self, id: &str) -> Option<&Arc<Key>> {
        self.by_id.get(id)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Arc<Key>> {
        self.keys.iter()
    }

    /// The JWKS document: the public half of every asymmetric key, never an HMAC secret.
    pub fn jwks(&self) -> serde_json::Value {
        let keys: Vec<&serde_json::Value> =
            self.keys.iter().filter_map(|k| k.public_jwk()).collect();
        serde_json::json!({ "keys": keys })
    }
}

#[cfg(test)]
mod tests;
