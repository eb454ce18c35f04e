//! jsonwebtoken's crypto provider for gatehouse: asymmetric signatures are verified
//! with `ring`, everything else is jsonwebtoken's own RustCrypto provider.
//!
//! Why: every uncached token pays one signature verification, and the pure-Rust `rsa` and
//! `p256` verifiers are slow: `benches/micro.rs` `verify_uncached` went from about 122 to
//! 21 µs for RS256 and from 183 to 55 µs for ES256 on a shared 2-core machine. EdDSA is
//! about the same either way (36–40 µs) and goes through ring for uniformity.
//!
//! Decisions:
//! - Only *verification* of RS256/384/512, PS256/384/512, ES256/ES384 and EdDSA goes
//!   through ring. HMAC verification, all signing and the JWK helpers (`key_utils`) are
//!   jsonwebtoken's `rust_crypto` provider, untouched, so tokens gatehouse issues are
//!   byte-for-byte what they were.
//! - A key that ring would judge differently from RustCrypto stays on RustCrypto, so a key
//!   verifies exactly the tokens it verified before: an RSA modulus outside 2048..=4096
//!   bits (RustCrypto takes smaller moduli and refuses larger ones, ring the reverse), an
//!   EC key that is not an uncompressed point of the algorithm's curve, an Ed25519 key
//!   that is not 32 bytes. RSA keys both refuse whatever the token (an even modulus, an
//!   exponent that is even or below 3) stay there too, so the refusal is RustCrypto's.
//!   gatehouse's own keys (RSA ≥ 2048 bits, e = 65537, points from `Key::new`) all take the
//!   ring path.
//! - Where ring is stricter, it wins: the `rsa` crate's PSS verification does not check
//!   that the signature is below the modulus, so with RustCrypto `s + n` is a second valid
//!   PS* signature; ring refuses it (see the tests). Ring also validates EC and Ed25519
//!   points when it verifies, not when the verifier is built, so a key that is not a point
//!   of its curve refuses every token as a bad signature rather than as a bad key; keys
//!   made by `Key::new` are parsed and validated when loaded, so that never happens here.
//! - Installed once per process, from [`Key::new`](super::Key::new) (which
//!   `Key::generate_rsa` goes through): keys are the only way gatehouse reaches
//!   jsonwebtoken's crypto, so the binary, the tests, the fuzz targets and the benches all
//!   get it. jsonwebtoken fixes its process default the first time it signs or verifies
//!   anything; if that happened before the first key was made, installing fails, is logged
//!   at debug, and the built-in provider stays (correct, only slower).
//! - Nothing here prints or logs key material: the verifiers have no `Debug`.

use std::sync::OnceLock;

use jsonwebtoken::crypto::{rust_crypto, CryptoProvider, JwtVerifier, KeyUtils};
use jsonwebtoken::errors::{ErrorKind, Result as JwtResult};
use jsonwebtoken::signature::{self, Verifier};
use jsonwebtoken::{Algorithm, AlgorithmFamily, DecodingKey, DecodingKeyKind};
use ring::signature::{
    RsaParameters, RsaPublicKeyComponents, UnparsedPublicKey, VerificationAlgorithm,
};

/// RSA modulus sizes, in bits, verified with ring: the range both ring (2048..=8192) and
/// the `rsa` crate (up to 4096) accept.
const RSA_RING_BITS: std::ops::RangeInclusive<usize> = 2048..=4096;

/// Largest RSA public exponent either library accepts (2^33 - 1).
const RSA_MAX_EXPONENT: u64 = (1 << 33) - 1;

/// gatehouse's provider: ring verification, RustCrypto for everything else.
static PROVIDER: CryptoProvider = CryptoProvider {
    signer_factory: rust_crypto::DEFAULT_PROVIDER.signer_factory,
    verifier_factory: new_verifier,
    key_utils: KeyUtils {
        rsa_pub_components_from_private_key: rust_crypto::DEFAULT_PROVIDER
            .key_utils
            .rsa_pub_components_from_private_key,
        rsa_pub_components_from_public_key: rust_crypto::DEFAULT_PROVIDER
            .key_utils
            .rsa_pub_components_from_public_key,
        ec_pub_components_from_private_key: rust_crypto::DEFAULT_PROVIDER
            .key_utils
            .ec_pub_components_from_private_key,
        ed_pub_components_from_private_key: rust_crypto::DEFAULT_PROVIDER
            .key_utils
            .ed_pub_components_from_private_key,
        compute_digest: rust_crypto::DEFAULT_PROVIDER.key_utils.compute_digest,
    },
};

/// Makes gatehouse's provider jsonwebtoken's process default, once. Returns whether it is
/// the default (false when jsonwebtoken had already settled on its built-in one).
pub fn install() -> bool {
    static INSTALLED: OnceLock<bool> = OnceLock::new();
    *INSTALLED.get_or_init(|| match PROVIDER.install_default() {
        Ok(()) => {
            log::debug!("JWT signatures (RSA, ECDSA, EdDSA) are verified with ring");
            true
        }
        Err(current) if std::ptr::eq(current, &PROVIDER) => true,
        Err(_) => {
            log::debug!(
                "jsonwebtoken chose its crypto provider before the first key was made; \
                 JWT signatures are verified with the built-in RustCrypto provider"
            );
            false
        }
    })
}

/// The provider's `verifier_factory`: ring when the key is one ring and RustCrypto judge
/// alike, RustCrypto otherwise (which also produces the errors for a key of the wrong
/// family or a malformed one).
fn new_verifier(algorithm: &Algorithm, key: &DecodingKey) -> JwtResult<Box<dyn JwtVerifier>> {
    match ring_verifier(*algorithm, key)? {
        Some(verifier) => Ok(verifier),
        None => (rust_crypto::DEFAULT_PROVIDER.verifier_factory)(algorithm, key),
    }
}

/// A ring verifier for `algorithm` and `key`, or `None` to leave them to RustCrypto.
fn ring_verifier(
    algorithm: Algorithm,
    key: &DecodingKey,
) -> JwtResult<Option<Box<dyn JwtVerifier>>> {
    use ring::signature as rs;
    use Algorithm::*;
    let rsa = |params: &'static RsaParameters| {
        RsaVerifier::new(algorithm, params, key).map(|v| Box::new(v) as Box<dyn JwtVerifier>)
    };
    let point = |scheme: &'static dyn VerificationAlgorithm, len: usize, prefix: Option<u8>| {
        PointVerifier::new(algorithm, scheme, key, len, prefix)
            .map(|v| Box::new(v) as Box<dyn JwtVerifier>)
    };
    Ok(match (algorithm, key.family()) {
        (RS256, AlgorithmFamily::Rsa) => rsa(&rs::RSA_PKCS1_2048_8192_SHA256),
        (RS384, AlgorithmFamily::Rsa) => rsa(&rs::RSA_PKCS1_2048_8192_SHA384),
        (RS512, AlgorithmFamily::Rsa) => rsa(&rs::RSA_PKCS1_2048_8192_SHA512),
        (PS256, AlgorithmFamily::Rsa) => rsa(&rs::RSA_PSS_2048_8192_SHA256),
        (PS384, AlgorithmFamily::Rsa) => rsa(&rs::RSA_PSS_2048_8192_SHA384),
        (PS512, AlgorithmFamily::Rsa) => rsa(&rs::RSA_PSS_2048_8192_SHA512),
        // SEC1 uncompressed points, 0x04 || x || y: all ring takes, and all `Key` makes.
        (ES256, AlgorithmFamily::Ec) => point(&rs::ECDSA_P256_SHA256_FIXED, 65, Some(4)),
        (ES384, AlgorithmFamily::Ec) => point(&rs::ECDSA_P384_SHA384_FIXED, 97, Some(4)),
        (EdDSA, AlgorithmFamily::Ed) => {
            // RustCrypto slices the first 32 bytes and would panic on a shorter key.
            if matches!(key.kind(), DecodingKeyKind::SecretOrDer(x) if x.len() < 32) {
                return Err(ErrorKind::InvalidEddsaKey.into());
            }
            point(&rs::ED25519, 32, None)
        }
        _ => None,
    })
}

/// RSA PKCS#1 v1.5 or PSS verification with ring, over `(n, e)` without leading zeros.
struct RsaVerifier {
    algorithm: Algorithm,
    params: &'static RsaParameters,
    n: Vec<u8>,
    e: Vec<u8>,
}

impl RsaVerifier {
    fn new(
        algorithm: Algorithm,
        params: &'static RsaParameters,
        key: &DecodingKey,
    ) -> Option<Self> {
        let (n, e) = match key.kind() {
            DecodingKeyKind::RsaModulusExponent { n, e } => (n.as_slice(), e.as_slice()),
            DecodingKeyKind::SecretOrDer(der) => {
                // PKCS#1 RSAPublicKey, as RustCrypto reads it (`from_pkcs1_der`); a DER it
                // cannot parse is left to it.
                let parsed = rsa::pkcs1::RsaPublicKey::try_from(der.as_slice()).ok()?;
                (parsed.modulus.as_bytes(), parsed.public_exponent.as_bytes())
            }
        };
        let n = strip_leading_zeros(n);
        let e = strip_leading_zeros(e);
        let n_bits = match n.first() {
            Some(first) => n.len() * 8 - first.leading_zeros() as usize,
            None => return None,
        };
        let n_odd = n.last().is_some_and(|b| b & 1 == 1);
        if !RSA_RING_BITS.contains(&n_bits) || !n_odd || e.is_empty() || e.len() > 5 {
            return None;
        }
        let e_value = e.iter().fold(0u64, |v, b| (v << 8) | u64::from(*b));
        if !(3..=RSA_MAX_EXPONENT).contains(&e_value) || e_value & 1 == 0 {
            return None;
        }
        Some(Self {
            algorithm,
            params,
            n: n.to_vec(),
            e: e.to_vec(),
        })
    }
}

impl Verifier<Vec<u8>> for RsaVerifier {
    fn verify(&self, message: &[u8], signature: &Vec<u8>) -> Result<(), signature::Error> {
        RsaPublicKeyComponents {
            n: self.n.as_slice(),
            e: self.e.as_slice(),
        }
        .verify(self.params, message, signature)
        .map_err(|_| signature::Error::new())
    }
}

impl JwtVerifier for RsaVerifier {
    fn algorithm(&self) -> Algorithm {
        self.algorithm
    }
}

/// ECDSA (fixed-size `r || s`, as JWS has it) or Ed25519 verification with ring, over the
/// public key's bytes.
struct PointVerifier {
    algorithm: Algorithm,
    scheme: &'static dyn VerificationAlgorithm,
    public_key: Vec<u8>,
}

impl PointVerifier {
    fn new(
        algorithm: Algorithm,
        scheme: &'static dyn VerificationAlgorithm,
        key: &DecodingKey,
        len: usize,
        prefix: Option<u8>,
    ) -> Option<Self> {
        let DecodingKeyKind::SecretOrDer(bytes) = key.kind() else {
            return None;
        };
        if bytes.len() != len || prefix.is_some_and(|p| bytes.first() != Some(&p)) {
            return None;
        }
        Some(Self {
            algorithm,
            scheme,
            public_key: bytes.clone(),
        })
    }
}

impl Verifier<Vec<u8>> for PointVerifier {
    fn verify(&self, message: &[u8], signature: &Vec<u8>) -> Result<(), signature::Error> {
        UnparsedPublicKey::new(self.scheme, self.public_key.as_slice())
            .verify(message, signature)
            .map_err(|_| signature::Error::new())
    }
}

impl JwtVerifier for PointVerifier {
    fn algorithm(&self) -> Algorithm {
        self.algorithm
    }
}

fn strip_leading_zeros(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    &bytes[start..]
}

#[cfg(test)]
mod tests;
