use super::*;

const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

#[test]
fn exact_headers_sign_and_verify() {
    let key = Key::new("k", Algorithm::HS256, KeyMaterial::Hmac(Some(SECRET))).unwrap();
    let token = key
        .sign_with_header_json(
            r#"{"alg":"HS256"}"#,
            &serde_json::json!({"exp": 4_000_000_000u64}),
        )
        .unwrap();
    assert!(token.starts_with("eyJhbGciOiJIUzI1NiJ9."), "{token}");
    let mut validation = jsonwebtoken::Validation::new(Algorithm::HS256);
    validation.validate_aud = false;
    assert!(
        jsonwebtoken::decode::<serde_json::Value>(&token, key.decoding_key(), &validation).is_ok()
    );
    assert_eq!(key.typ_alg_header(), r#"{"typ":"JWT","alg":"HS256"}"#);
}

#[test]
fn algorithms_parse_and_none_is_refused() {
    assert_eq!(parse_algorithm("RS256"), Ok(Algorithm::RS256));
    assert!(parse_algorithm("none").is_err());
    assert!(parse_algorithm("hs256").is_err());
}

#[test]
fn hmac_keys_need_32_bytes_and_never_publish() {
    assert_eq!(
        Key::new("k", Algorithm::HS256, KeyMaterial::Hmac(Some(b"short"))).unwrap_err(),
        KeyError::ShortSecret(5)
    );
    let key = Key::new("k", Algorithm::HS256, KeyMaterial::Hmac(Some(SECRET))).unwrap();
    assert!(key.can_sign());
    assert!(key.public_jwk().is_none());
    let set = KeySet::new(vec![Arc::new(key)]);
    assert_eq!(set.jwks(), serde_json::json!({"keys": []}));
    assert!(!format!("{:?}", set).contains("0123456789"));
}

#[test]
fn generated_rsa_key_signs_and_publishes_its_public_half() {
    let key = Key::generate_rsa("rsa-1", Algorithm::RS256, 2048).unwrap();
    let jwk = key.public_jwk().unwrap();
    assert_eq!(jwk["kty"], "RSA");
    assert_eq!(jwk["kid"], "rsa-1");
    assert_eq!(jwk["e"], "AQAB");
    let token = key
        .sign(
            &key.header(true),
            &serde_json::json!({"sub": "1", "exp": 4_000_000_000u64}),
        )
        .unwrap();
    let mut validation = jsonwebtoken::Validation::new(Algorithm::RS256);
    validation.validate_aud = false;
    let data =
        jsonwebtoken::decode::<serde_json::Value>(&token, key.decoding_key(), &validation).unwrap();
    assert_eq!(data.claims["sub"], "1");
}

#[test]
fn ec_and_ed_keys_round_trip() {
    use p256::pkcs8::EncodePrivateKey;
    let p256_key = p256::SecretKey::random(&mut rand::rngs::OsRng);
    let pem = p256_key.to_pkcs8_pem(p256::pkcs8::LineEnding::LF).unwrap();
    let key = Key::new(
        "ec",
        Algorithm::ES256,
        KeyMaterial::Pem {
            private: Some(pem.as_bytes()),
            public: None,
        },
    )
    .unwrap();
    let token = key
        .sign(
            &key.header(false),
            &serde_json::json!({"exp": 4_000_000_000u64}),
        )
        .unwrap();
    let mut validation = jsonwebtoken::Validation::new(Algorithm::ES256);
    validation.validate_aud = false;
    assert!(
        jsonwebtoken::decode::<serde_json::Value>(&token, key.decoding_key(), &validation).is_ok()
    );

    let ed = ed25519_dalek::SigningKey::from_bytes(&rand::random::<[u8; 32]>());
    let pem = ed.to_pkcs8_pem(p256::pkcs8::LineEnding::LF).unwrap();
    let key = Key::new(
        "ed",
        Algorithm::EdDSA,
        KeyMaterial::Pem {
            private: Some(pem.as_bytes()),
            public: None,
        },
    )
    .unwrap();
    let token = key
        .sign(
            &key.header(false),
            &serde_json::json!({"exp": 4_000_000_000u64}),
        )
        .unwrap();
    let mut validation = jsonwebtoken::Validation::new(Algorithm::EdDSA);
    validation.validate_aud = false;
    assert!(
        jsonwebtoken::decode::<serde_json::Value>(&token, key.decoding_key(), &validation).is_ok()
    );
    assert_eq!(key.public_jwk().unwrap()["crv"], "Ed25519");
}

#[test]
fn mismatched_pair_and_garbage_are_refused() {
    use p256::pkcs8::{EncodePrivateKey, EncodePublicKey};
    let a = p256::SecretKey::random(&mut rand::rngs::OsRng);
    let b = p256::SecretKey::random(&mut rand::rngs::OsRng);
    let private = a.to_pkcs8_pem(p256::pkcs8::LineEnding::LF).unwrap();
    let public = b
        .public_key()
        .to_public_key_pem(p256::pkcs8::LineEnding::LF)
        .unwrap();
    let err = Key::new(
        "ec",
        Algorithm::ES256,
        KeyMaterial::Pem {
            private: Some(private.as_bytes()),
            public: Some(public.as_bytes()),
        },
    )
    .unwrap_err();
    assert_eq!(err, KeyError::Mismatch);
    let err = Key::new(
        "x",
        Algorithm::RS256,
        KeyMaterial::Pem {
            private: Some(b"garbage"),
            public: None,
        },
    )
    .unwrap_err();
    assert_eq!(err, KeyError::BadPrivateKey("RSA"));
}
