//! Every verdict of the ring path is checked against a fixed expectation and against
//! jsonwebtoken's RustCrypto provider on the same inputs. Tokens are signed with the
//! RustCrypto signer (what gatehouse signs with). The tests call the providers'
//! factories directly: going through `jsonwebtoken::encode`/`decode` here would fix the
//! process default for the other tests of this binary before any key is made.

use super::*;
use jsonwebtoken::crypto::JwtSigner;
use jsonwebtoken::EncodingKey;
use std::sync::OnceLock;

const MESSAGE: &[u8] =
    b"eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIiwiZXhwIjo0MDAwMDAwMDAwfQ";

/// A signing key and the public key that verifies it.
struct Pair {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

fn rsa_private(bits: usize) -> rsa::RsaPrivateKey {
    rsa::RsaPrivateKey::new(&mut rand::rngs::OsRng, bits).unwrap()
}

fn rsa_pair(key: &rsa::RsaPrivateKey) -> Pair {
    use rsa::pkcs1::EncodeRsaPrivateKey;
    use rsa::traits::PublicKeyParts;
    Pair {
        encoding: EncodingKey::from_rsa_der(key.to_pkcs1_der().unwrap().as_bytes()),
        // As `Key` builds it: raw (n, e).
        decoding: DecodingKey::from_rsa_raw_components(
            &key.n().to_bytes_be(),
            &key.e().to_bytes_be(),
        ),
    }
}

fn rsa_2048() -> &'static (rsa::RsaPrivateKey, rsa::RsaPrivateKey) {
    static KEYS: OnceLock<(rsa::RsaPrivateKey, rsa::RsaPrivateKey)> = OnceLock::new();
    KEYS.get_or_init(|| (rsa_private(2048), rsa_private(2048)))
}

fn p256_pair() -> Pair {
    use p256::elliptic_curve::sec1::ToEncodedPoint;
    use p256::pkcs8::EncodePrivateKey;
    let key = p256::SecretKey::random(&mut rand::rngs::OsRng);
    Pair {
        encoding: EncodingKey::from_ec_der(key.to_pkcs8_der().unwrap().as_bytes()),
        decoding: DecodingKey::from_ec_der(key.public_key().to_encoded_point(false).as_bytes()),
    }
}

fn p384_pair() -> Pair {
    use p384::elliptic_curve::sec1::ToEncodedPoint;
    use p384::pkcs8::EncodePrivateKey;
    let key = p384::SecretKey::random(&mut rand::rngs::OsRng);
    Pair {
        encoding: EncodingKey::from_ec_der(key.to_pkcs8_der().unwrap().as_bytes()),
        decoding: DecodingKey::from_ec_der(key.public_key().to_encoded_point(false).as_bytes()),
    }
}

fn ed25519_pair() -> Pair {
    use ed25519_dalek::pkcs8::EncodePrivateKey;
    let key = ed25519_dalek::SigningKey::from_bytes(&rand::random::<[u8; 32]>());
    Pair {
        encoding: EncodingKey::from_ed_der(key.to_pkcs8_der().unwrap().as_bytes()),
        decoding: DecodingKey::from_ed_der(key.verifying_key().as_bytes()),
    }
}

fn sign(algorithm: Algorithm, key: &EncodingKey, message: &[u8]) -> Vec<u8> {
    let signer: Box<dyn JwtSigner> =
        (rust_crypto::DEFAULT_PROVIDER.signer_factory)(&algorithm, key).unwrap();
    signer.try_sign(message).unwrap()
}

/// `Ok(accepted)`, or the kind of error building the verifier failed with.
fn verdict(
    provider: &CryptoProvider,
    algorithm: Algorithm,
    key: &DecodingKey,
    message: &[u8],
    signature: &[u8],
) -> Result<bool, String> {
    let verifier =
        (provider.verifier_factory)(&algorithm, key).map_err(|e| format!("{:?}", e.kind()))?;
    assert_eq!(verifier.algorithm(), algorithm);
    Ok(verifier.verify(message, &signature.to_vec()).is_ok())
}

/// Checks gatehouse's provider and RustCrypto agree, and returns their verdict.
fn both(
    algorithm: Algorithm,
    key: &DecodingKey,
    message: &[u8],
    signature: &[u8],
) -> Result<bool, String> {
    let ring = verdict(&PROVIDER, algorithm, key, message, signature);
    let rust_crypto = verdict(
        &rust_crypto::DEFAULT_PROVIDER,
        algorithm,
        key,
        message,
        signature,
    );
    assert_eq!(
        ring, rust_crypto,
        "{algorithm:?}: ring and RustCrypto disagree"
    );
    ring
}

fn takes_ring_path(algorithm: Algorithm, key: &DecodingKey) -> bool {
    ring_verifier(algorithm, key).unwrap().is_some()
}

fn flip(bytes: &[u8], bit: usize) -> Vec<u8> {
    let mut out = bytes.to_vec();
    out[bit / 8] ^= 1 << (bit % 8);
    out
}

/// The common refusals for one algorithm: the good signature passes, and a flipped bit
/// (signature or message), another key's signature, a truncated, extended or empty
/// signature are refused, by ring and RustCrypto alike.
fn check_algorithm(algorithm: Algorithm, pair: &Pair, other: &Pair) {
    assert!(
        takes_ring_path(algorithm, &pair.decoding),
        "{algorithm:?} does not take the ring path"
    );
    let key = &pair.decoding;
    let signature = sign(algorithm, &pair.encoding, MESSAGE);
    assert_eq!(
        both(algorithm, key, MESSAGE, &signature),
        Ok(true),
        "{algorithm:?}"
    );

    let bits = signature.len() * 8;
    for bit in [0, 7, bits / 2, bits - 9, bits - 1] {
        assert_eq!(
            both(algorithm, key, MESSAGE, &flip(&signature, bit)),
            Ok(false),
            "{algorithm:?}: signature bit {bit} flipped"
        );
    }
    for bit in [0, MESSAGE.len() * 4, MESSAGE.len() * 8 - 1] {
        assert_eq!(
            both(algorithm, key, &flip(MESSAGE, bit), &signature),
            Ok(false),
            "{algorithm:?}: message bit {bit} flipped"
        );
    }
    assert_eq!(both(algorithm, key, b"", &signature), Ok(false));

    let by_other = sign(algorithm, &other.encoding, MESSAGE);
    assert_eq!(
        both(algorithm, key, MESSAGE, &by_other),
        Ok(false),
        "{algorithm:?}: signed by another key"
    );
    assert_eq!(
        both(algorithm, &other.decoding, MESSAGE, &by_other),
        Ok(true)
    );

    let truncated = &signature[..signature.len() - 1];
    let mut extended = signature.clone();
    extended.push(0);
    let mut zero_prefixed = vec![0];
    zero_prefixed.extend_from_slice(&signature);
    for (what, bad) in [
        ("truncated", truncated),
        ("half", &signature[..signature.len() / 2]),
        ("empty", &[][..]),
        ("extended", &extended[..]),
        ("zero-prefixed", &zero_prefixed[..]),
        ("all zero", &vec![0; signature.len()][..]),
        ("all ones", &vec![0xff; signature.len()][..]),
    ] {
        assert_eq!(
            both(algorithm, key, MESSAGE, bad),
            Ok(false),
            "{algorithm:?}: {what} signature"
        );
    }
}

#[test]
fn rsa_pkcs1_and_pss_verify_like_rust_crypto() {
    let (a, b) = rsa_2048();
    let (pair, other) = (rsa_pair(a), rsa_pair(b));
    for algorithm in [
        Algorithm::RS256,
        Algorithm::RS384,
        Algorithm::RS512,
        Algorithm::PS256,
        Algorithm::PS384,
        Algorithm::PS512,
    ] {
        check_algorithm(algorithm, &pair, &other);
    }
}

#[test]
fn rsa_padding_and_hash_are_bound_to_the_algorithm() {
    let (a, _) = rsa_2048();
    let pair = rsa_pair(a);
    let rs256 = sign(Algorithm::RS256, &pair.encoding, MESSAGE);
    let ps256 = sign(Algorithm::PS256, &pair.encoding, MESSAGE);
    let rs384 = sign(Algorithm::RS384, &pair.encoding, MESSAGE);
    let ps512 = sign(Algorithm::PS512, &pair.encoding, MESSAGE);
    let key = &pair.decoding;
    assert_eq!(both(Algorithm::PS256, key, MESSAGE, &rs256), Ok(false));
    assert_eq!(both(Algorithm::RS256, key, MESSAGE, &ps256), Ok(false));
    assert_eq!(both(Algorithm::RS256, key, MESSAGE, &rs384), Ok(false));
    assert_eq!(both(Algorithm::RS512, key, MESSAGE, &rs384), Ok(false));
    assert_eq!(both(Algorithm::PS256, key, MESSAGE, &ps512), Ok(false));
    assert_eq!(both(Algorithm::PS512, key, MESSAGE, &ps512), Ok(true));
}

#[test]
fn rsa_der_keys_and_leading_zeros_take_the_ring_path() {
    use rsa::pkcs1::EncodeRsaPublicKey;
    use rsa::traits::PublicKeyParts;
    let (a, _) = rsa_2048();
    let pair = rsa_pair(a);
    let signature = sign(Algorithm::RS256, &pair.encoding, MESSAGE);
    let der = DecodingKey::from_rsa_der(a.to_public_key().to_pkcs1_der().unwrap().as_bytes());
    let mut n = vec![0, 0];
    n.extend_from_slice(&a.n().to_bytes_be());
    let mut e = vec![0];
    e.extend_from_slice(&a.e().to_bytes_be());
    let padded = DecodingKey::from_rsa_raw_components(&n, &e);
    for key in [&der, &padded] {
        assert!(takes_ring_path(Algorithm::RS256, key));
        assert_eq!(both(Algorithm::RS256, key, MESSAGE, &signature), Ok(true));
        assert_eq!(
            both(Algorithm::RS256, key, MESSAGE, &flip(&signature, 100)),
            Ok(false)
        );
    }
    // A DER that is no RSAPublicKey is RustCrypto's to refuse.
    let garbage = DecodingKey::from_rsa_der(b"\x30\x03\x02\x01\x01");
    assert!(!takes_ring_path(Algorithm::RS256, &garbage));
    assert_eq!(
        both(Algorithm::RS256, &garbage, MESSAGE, &signature),
        Ok(false)
    );
}

/// RS256 with ring itself, for any modulus ring takes (2048..=8192 bits).
fn ring_rs256(n: &[u8], e: &[u8], message: &[u8], signature: &[u8]) -> bool {
    RsaPublicKeyComponents { n, e }
        .verify(
            &ring::signature::RSA_PKCS1_2048_8192_SHA256,
            message,
            signature,
        )
        .is_ok()
}

/// RS256 with the `rsa` crate itself (what RustCrypto verifies with), through no
/// jsonwebtoken provider.
fn rsa_crate_rs256(n: &[u8], e: &[u8], message: &[u8], signature: &[u8]) -> bool {
    use rsa::BigUint;
    use sha2::{Digest, Sha256};
    rsa::RsaPublicKey::new(BigUint::from_bytes_be(n), BigUint::from_bytes_be(e))
        .and_then(|key| {
            key.verify(
                rsa::Pkcs1v15Sign::new::<Sha256>(),
                &Sha256::digest(message),
                signature,
            )
        })
        .is_ok()
}

/// A key, a message and an RS256 signature that ring accepts and RustCrypto cannot: the
/// modulus is 3^2585 (4098 bits), which RustCrypto refuses for its size. ring checks only
/// a modulus' size and parity, not that it is a product of two primes, and this one's
/// φ(n) = 2·3^2584 is known, so d = e^-1 mod φ(n) = e^(φ(φ(n)) - 1), φ(φ(n)) = 2·3^2583.
fn rsa_over_4096_bits() -> (Vec<u8>, Vec<u8>, Vec<u8>, Vec<u8>) {
    use rsa::BigUint;
    use sha2::{Digest, Sha256};
    const SHA256_DIGEST_INFO: [u8; 19] = [
        0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
        0x05, 0x00, 0x04, 0x20,
    ];
    let power_of_3 = |k: u32| (0..k).fold(BigUint::from(1u32), |p, _| p * 3u32);
    let n = power_of_3(2585);
    let phi = power_of_3(2584) * 2u32;
    let e = BigUint::from(65_537u32);
    let d = e.modpow(&(power_of_3(2583) * 2u32 - 1u32), &phi);
    let len = n.to_bytes_be().len();
    // s^e = EM (mod n) needs EM prime to n, i.e. not a multiple of 3: one in three
    // messages is skipped.
    for i in 0..64u32 {
        let message = format!("{}{i}", String::from_utf8_lossy(MESSAGE)).into_bytes();
        // EMSA-PKCS1-v1_5: 00 01 ff..ff 00 DigestInfo H(m), as long as n.
        let mut em = vec![0, 1];
        em.resize(len - SHA256_DIGEST_INFO.len() - 32 - 1, 0xff);
        em.push(0);
        em.extend_from_slice(&SHA256_DIGEST_INFO);
        em.extend_from_slice(&Sha256::digest(&message));
        let em = BigUint::from_bytes_be(&em);
        let s = em.modpow(&d, &n);
        if s.modpow(&e, &n) != em {
            continue;
        }
        let mut signature = vec![0; len];
        let s = s.to_bytes_be();
        signature[len - s.len()..].copy_from_slice(&s);
        return (n.to_bytes_be(), e.to_bytes_be(), message, signature);
    }
    panic!("no message with an encoding prime to 3 in 64");
}

/// For the keys the provider leaves to RustCrypto, its verdict must be RustCrypto's own,
/// checked against the `rsa` crate called directly. For the moduli outside 2048..=4096
/// bits it is not ring's: routing those to ring would change which tokens they verify.
#[test]
fn rsa_keys_ring_would_judge_differently_stay_on_rust_crypto() {
    use rsa::traits::PublicKeyParts;
    // 1024 bits: RustCrypto verifies, ring refuses the key.
    let small = rsa_private(1024);
    let pair = rsa_pair(&small);
    let (n, e) = (small.n().to_bytes_be(), small.e().to_bytes_be());
    assert!(!takes_ring_path(Algorithm::RS256, &pair.decoding));
    let signature = sign(Algorithm::RS256, &pair.encoding, MESSAGE);
    assert!(rsa_crate_rs256(&n, &e, MESSAGE, &signature));
    assert!(
        !ring_rs256(&n, &e, MESSAGE, &signature),
        "ring took 1024 bits"
    );
    assert_eq!(
        verdict(
            &PROVIDER,
            Algorithm::RS256,
            &pair.decoding,
            MESSAGE,
            &signature
        ),
        Ok(true)
    );
    let flipped = flip(&signature, 3);
    assert!(!rsa_crate_rs256(&n, &e, MESSAGE, &flipped));
    assert_eq!(
        verdict(
            &PROVIDER,
            Algorithm::RS256,
            &pair.decoding,
            MESSAGE,
            &flipped
        ),
        Ok(false)
    );

    // Over 4096 bits: ring verifies, RustCrypto refuses the key.
    let (n, e, message, signature) = rsa_over_4096_bits();
    let key = DecodingKey::from_rsa_raw_components(&n, &e);
    assert!(!takes_ring_path(Algorithm::RS256, &key));
    assert!(
        ring_rs256(&n, &e, &message, &signature),
        "ring refused 4098 bits"
    );
    assert!(!rsa_crate_rs256(&n, &e, &message, &signature));
    assert_eq!(
        verdict(&PROVIDER, Algorithm::RS256, &key, &message, &signature),
        Ok(false)
    );

    // Even exponent, exponent 1, empty exponent, even or empty modulus: both libraries
    // refuse these keys whatever the signature, and they stay on RustCrypto, whose
    // refusal it was. The signature is valid for the same modulus with e = 65537.
    let (a, _) = rsa_2048();
    let signature = sign(Algorithm::RS256, &rsa_pair(a).encoding, MESSAGE);
    let (n, e) = (a.n().to_bytes_be(), a.e().to_bytes_be());
    assert!(rsa_crate_rs256(&n, &e, MESSAGE, &signature));
    assert!(ring_rs256(&n, &e, MESSAGE, &signature));
    let mut even_n = n.clone();
    *even_n.last_mut().unwrap() &= 0xfe;
    for (n, e) in [
        (&n[..], &[2u8][..]),
        (&n[..], &[1u8][..]),
        (&n[..], &[][..]),
        (&even_n[..], &[1u8, 0, 1][..]),
        (&[][..], &[1u8, 0, 1][..]),
    ] {
        let key = DecodingKey::from_rsa_raw_components(n, e);
        assert!(!takes_ring_path(Algorithm::RS256, &key), "e {e:?}");
        assert!(
            rsa::RsaPublicKey::new(
                rsa::BigUint::from_bytes_be(n),
                rsa::BigUint::from_bytes_be(e)
            )
            .is_err(),
            "RustCrypto takes e {e:?}"
        );
        assert!(!ring_rs256(n, e, MESSAGE, &signature));
        assert_eq!(
            verdict(&PROVIDER, Algorithm::RS256, &key, MESSAGE, &signature),
            Ok(false),
            "e {e:?}"
        );
    }
}

/// `s + n` is the same RSA signature modulo n. RustCrypto's PSS verification does not
/// check `s < n` and accepts it; ring refuses it, as both do for PKCS#1 v1.5.
#[test]
fn rsa_signature_plus_modulus_is_refused() {
    use rsa::traits::PublicKeyParts;
    use rsa::BigUint;
    let (a, b) = rsa_2048();
    // The smaller modulus leaves more room above it: s + n fits more often.
    let a = if a.n() <= b.n() { a } else { b };
    let pair = rsa_pair(a);
    let size = a.size();
    let mut found = 0;
    for i in 0..64u32 {
        let message = format!("{}{i}", String::from_utf8_lossy(MESSAGE));
        let message = message.as_bytes();
        for algorithm in [Algorithm::PS256, Algorithm::RS256] {
            let signature = sign(algorithm, &pair.encoding, message);
            let raised = (BigUint::from_bytes_be(&signature) + a.n()).to_bytes_be();
            if raised.len() != size {
                continue;
            }
            found += 1;
            assert_eq!(
                verdict(&PROVIDER, algorithm, &pair.decoding, message, &raised),
                Ok(false),
                "{algorithm:?}: s + n accepted"
            );
            if algorithm == Algorithm::RS256 {
                assert_eq!(both(algorithm, &pair.decoding, message, &raised), Ok(false));
            } else {
                let before = verdict(
                    &rust_crypto::DEFAULT_PROVIDER,
                    algorithm,
                    &pair.decoding,
                    message,
                    &raised,
                );
                eprintln!("{algorithm:?} s + n, RustCrypto's verdict: {before:?}");
            }
        }
        if found >= 4 {
            break;
        }
    }
    // s + n fits in the modulus' length for a fraction (2^2048 - n) / n of signatures:
    // at least 1/8 of them when n's top byte is below 0xe0, so 128 signatures find some.
    if a.n().to_bytes_be()[0] < 0xe0 {
        assert!(found > 0, "no signature s with s + n below 2^2048");
    }
    eprintln!("s + n cases checked: {found}");
}

#[test]
fn ecdsa_verifies_like_rust_crypto() {
    check_algorithm(Algorithm::ES256, &p256_pair(), &p256_pair());
    check_algorithm(Algorithm::ES384, &p384_pair(), &p384_pair());
}

#[test]
fn ecdsa_der_signatures_are_refused_and_high_s_is_accepted_by_both() {
    let pair = p256_pair();
    let fixed = sign(Algorithm::ES256, &pair.encoding, MESSAGE);
    let signature = p256::ecdsa::Signature::from_slice(&fixed).unwrap();
    let der = signature.to_der();
    assert_eq!(
        both(Algorithm::ES256, &pair.decoding, MESSAGE, der.as_bytes()),
        Ok(false)
    );
    // ECDSA (r, n - s) is also valid; neither library imposes low-S.
    let (r, s) = signature.split_scalars();
    let high = p256::ecdsa::Signature::from_scalars(r, -s).unwrap();
    assert_eq!(
        both(Algorithm::ES256, &pair.decoding, MESSAGE, &high.to_bytes()),
        Ok(true)
    );

    let pair = p384_pair();
    let fixed = sign(Algorithm::ES384, &pair.encoding, MESSAGE);
    let der = p384::ecdsa::Signature::from_slice(&fixed).unwrap().to_der();
    assert_eq!(
        both(Algorithm::ES384, &pair.decoding, MESSAGE, der.as_bytes()),
        Ok(false)
    );
}

#[test]
fn ecdsa_keys_of_the_wrong_curve_or_shape() {
    use p256::elliptic_curve::sec1::ToEncodedPoint;
    let p256 = p256_pair();
    let p384 = p384_pair();
    let es256 = sign(Algorithm::ES256, &p256.encoding, MESSAGE);
    let es384 = sign(Algorithm::ES384, &p384.encoding, MESSAGE);
    // A key of the other curve: RustCrypto's error, from both.
    assert!(both(Algorithm::ES256, &p384.decoding, MESSAGE, &es256).is_err());
    assert!(both(Algorithm::ES384, &p256.decoding, MESSAGE, &es384).is_err());
    // Each curve's signature under the other algorithm.
    assert_eq!(
        both(Algorithm::ES256, &p256.decoding, MESSAGE, &es384),
        Ok(false)
    );
    assert_eq!(
        both(Algorithm::ES384, &p384.decoding, MESSAGE, &es256),
        Ok(false)
    );
    // A compressed point: RustCrypto takes it, so it stays there.
    let secret = p256::SecretKey::random(&mut rand::rngs::OsRng);
    let compressed =
        DecodingKey::from_ec_der(secret.public_key().to_encoded_point(true).as_bytes());
    assert!(!takes_ring_path(Algorithm::ES256, &compressed));
    let encoding = {
        use p256::pkcs8::EncodePrivateKey;
        EncodingKey::from_ec_der(secret.to_pkcs8_der().unwrap().as_bytes())
    };
    let signature = sign(Algorithm::ES256, &encoding, MESSAGE);
    assert_eq!(
        both(Algorithm::ES256, &compressed, MESSAGE, &signature),
        Ok(true)
    );
    // A key of another family is refused when the verifier is built, as before.
    let (a, _) = rsa_2048();
    let rsa = rsa_pair(a);
    assert!(both(Algorithm::ES256, &rsa.decoding, MESSAGE, &es256).is_err());
    assert!(both(Algorithm::RS256, &p256.decoding, MESSAGE, &es256).is_err());
    assert!(both(Algorithm::EdDSA, &p256.decoding, MESSAGE, &es256).is_err());
    assert!(both(Algorithm::HS256, &p256.decoding, MESSAGE, &es256).is_err());
}

#[test]
fn eddsa_verifies_like_rust_crypto() {
    check_algorithm(Algorithm::EdDSA, &ed25519_pair(), &ed25519_pair());
}

#[test]
fn eddsa_non_canonical_s_and_bad_keys() {
    // S + L (L the group order) is the same scalar, not a canonical encoding: refused.
    const L: [u8; 32] = [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde,
        0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
    ];
    let pair = ed25519_pair();
    let signature = sign(Algorithm::EdDSA, &pair.encoding, MESSAGE);
    let mut raised = signature.clone();
    let mut carry = 0u16;
    for (byte, l) in raised[32..].iter_mut().zip(L) {
        let sum = u16::from(*byte) + u16::from(l) + carry;
        *byte = sum as u8;
        carry = sum >> 8;
    }
    assert_eq!(
        both(Algorithm::EdDSA, &pair.decoding, MESSAGE, &raised),
        Ok(false)
    );

    // Too short a key is an error, not RustCrypto's out-of-bounds panic.
    let short = DecodingKey::from_ed_der(&[7; 31]);
    assert_eq!(
        verdict(&PROVIDER, Algorithm::EdDSA, &short, MESSAGE, &signature),
        Err("InvalidEddsaKey".into())
    );
    // Not a point: refused (ring as a bad signature, RustCrypto as a bad key).
    let mut not_a_point = [0u8; 32];
    not_a_point[0] = 2;
    let bogus = DecodingKey::from_ed_der(&not_a_point);
    assert!(ed25519_dalek::VerifyingKey::from_bytes(&not_a_point).is_err());
    assert_eq!(
        verdict(&PROVIDER, Algorithm::EdDSA, &bogus, MESSAGE, &signature),
        Ok(false)
    );
}

#[test]
fn hmac_and_signing_are_rust_crypto() {
    let secret = b"0123456789abcdef0123456789abcdef";
    let encoding = EncodingKey::from_secret(secret);
    let decoding = DecodingKey::from_secret(secret);
    for algorithm in [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512] {
        assert!(!takes_ring_path(algorithm, &decoding));
        let mac = sign(algorithm, &encoding, MESSAGE);
        assert_eq!(both(algorithm, &decoding, MESSAGE, &mac), Ok(true));
        assert_eq!(
            both(algorithm, &decoding, MESSAGE, &flip(&mac, 1)),
            Ok(false)
        );
    }
    // HMAC is deterministic: the same signer gives the same MAC.
    let ours = (PROVIDER.signer_factory)(&Algorithm::HS256, &encoding).unwrap();
    assert_eq!(
        ours.try_sign(MESSAGE).unwrap(),
        sign(Algorithm::HS256, &encoding, MESSAGE)
    );
    // Ed25519 signatures are deterministic too.
    let pair = ed25519_pair();
    let ours = (PROVIDER.signer_factory)(&Algorithm::EdDSA, &pair.encoding).unwrap();
    assert_eq!(
        ours.try_sign(MESSAGE).unwrap(),
        sign(Algorithm::EdDSA, &pair.encoding, MESSAGE)
    );
}

/// In a process where nothing used jsonwebtoken before the first key, that key installs
/// the ring provider and `jsonwebtoken::decode` goes through it. Run in a child process
/// (this test binary, this test only), since the other tests of this binary may use
/// jsonwebtoken before making a key.
#[test]
fn the_first_key_installs_the_provider() {
    const CHILD: &str = "GATEHOUSE_CRYPTO_INSTALL_CHILD";
    const NAME: &str = "keys::crypto::tests::the_first_key_installs_the_provider";
    if std::env::var_os(CHILD).is_some() {
        use super::super::{Key, KeyMaterial};
        use p256::pkcs8::EncodePrivateKey;
        let secret = p256::SecretKey::random(&mut rand::rngs::OsRng);
        let pem = secret.to_pkcs8_pem(p256::pkcs8::LineEnding::LF).unwrap();
        let key = Key::new(
            "es",
            Algorithm::ES256,
            KeyMaterial::Pem {
                private: Some(pem.as_bytes()),
                public: None,
            },
        )
        .unwrap();
        assert!(install(), "ring provider not installed by Key::new");
        let token = key
            .sign(
                &key.header(false),
                &serde_json::json!({"exp": 4_000_000_000u64}),
            )
            .unwrap();
        let mut validation = jsonwebtoken::Validation::new(Algorithm::ES256);
        validation.validate_aud = false;
        assert!(
            jsonwebtoken::decode::<serde_json::Value>(&token, key.decoding_key(), &validation)
                .is_ok()
        );
        // Installing again is a no-op that still reports the provider in use.
        assert!(install());
        assert!(PROVIDER.install_default().is_err());
        return;
    }
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args([NAME, "--exact", "--test-threads=1"])
        .env(CHILD, "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("1 passed"),
        "child test failed: {stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
