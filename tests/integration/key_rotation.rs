//! Key rotation for the dialects: a new signing key with the old one kept in
//! `verify_keys` logs nobody out (access tokens, refresh tokens, verify endpoints); tokens
//! name their key in `kid` meanwhile; retiring the old key refuses its tokens at once,
//! cached or not, and takes it out of JWKS.

use base64::Engine as _;

use crate::harness::{demo_config, send, Gatehouse, Response};

const RELOADED: &str = "gatehouse_config_reloads_total{result=\"ok\"}";
const JSON: [(&str, &str); 1] = [("Content-Type", "application/json")];

const SIMPLEJWT_OLD: &str = "[[keys]]\nid = \"simplejwt-hs256\"\nalgorithm = \"HS256\"\nsecret = \"demo-simplejwt-secret-change-me-0123456789abc\"\n";
const DRF_OLD: &str = "[[keys]]\nid = \"drf-jwt-hs256\"\nalgorithm = \"HS256\"\nsecret = \"demo-drf-jwt-secret-change-me-0123456789abcde\"\n";
const NEW_KEYS: &str = "[[keys]]\nid = \"simplejwt-2027\"\nalgorithm = \"HS256\"\nsecret = \"simplejwt-2027-secret-0123456789abcdef-0123\"\n\n[[keys]]\nid = \"drf-jwt-2027\"\nalgorithm = \"HS256\"\nsecret = \"drf-jwt-2027-secret-0123456789abcdef-01234\"\n";

fn post(gh: &Gatehouse, path: &str, body: &str) -> Response {
    send(&gh.url(path), "POST", &JSON, Some(body.as_bytes()))
}

fn header_of(token: &str) -> String {
    let part = token.split('.').next().expect("JWT header");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .expect("base64url");
    String::from_utf8(bytes).expect("UTF-8 header")
}

fn proxied(gh: &Gatehouse, token: &str) -> u16 {
    gh.get("/orders", &[("authorization", &format!("Bearer {token}"))])
        .status
}

fn field(r: &Response, name: &str) -> String {
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()[name].as_str().expect(name).to_owned()
}

/// The demo config with both dialects signing with a 2027 key and the old ones kept for
/// verification.
fn rotated() -> String {
    let config = demo_config()
        .replace(DRF_OLD, &format!("{DRF_OLD}\n{NEW_KEYS}"))
        .replace(
            "key = \"simplejwt-hs256\"\n",
            "key = \"simplejwt-2027\"\nverify_keys = [\"simplejwt-hs256\"]\n",
        )
        .replace(
            "key = \"drf-jwt-hs256\"\n",
            "key = \"drf-jwt-2027\"\nverify_keys = [\"drf-jwt-hs256\"]\n",
        );
    assert_eq!(
        config.matches("\nverify_keys = ").count(),
        2,
        "demo config changed"
    );
    config
}

#[test]
fn rotating_a_dialect_key_logs_nobody_out_and_retiring_it_refuses_its_tokens() {
    let gh = Gatehouse::start(&demo_config());
    let login = post(
        &gh,
        "/token/",
        r#"{"email": "admin@admin.com", "password": "masterkey"}"#,
    );
    let (old_access, old_refresh) = (field(&login, "access"), field(&login, "refresh"));
    assert!(
        !header_of(&old_access).contains("kid"),
        "no rotation, no kid"
    );
    let old_drf = field(
        &post(
            &gh,
            "/api-token-auth/",
            r#"{"username": "test", "password": "test"}"#,
        ),
        "token",
    );
    assert_eq!(proxied(&gh, &old_access), 200);
    assert_eq!(proxied(&gh, &old_drf), 200);

    gh.rewrite_config(&rotated());
    gh.signal("HUP");
    gh.wait_for_metric(RELOADED, 1.0);

    // Tokens of the old key still work everywhere.
    assert_eq!(proxied(&gh, &old_access), 200, "rotation logged a user out");
    assert_eq!(proxied(&gh, &old_drf), 200, "rotation logged a user out");
    let r = post(
        &gh,
        "/token/verify/",
        &format!(r#"{{"token": "{old_access}"}}"#),
    );
    assert_eq!((r.status, r.text()), (200, "{}".to_owned()));
    let r = post(
        &gh,
        "/api-token-verify/",
        &format!(r#"{{"token": "{old_drf}"}}"#),
    );
    assert_eq!(r.status, 200, "{}", r.text());

    // Refreshing an old token gives one signed with the new key, named in `kid`.
    let refreshed = field(
        &post(
            &gh,
            "/token/refresh/",
            &format!(r#"{{"refresh": "{old_refresh}"}}"#),
        ),
        "access",
    );
    assert_eq!(
        header_of(&refreshed),
        r#"{"typ":"JWT","alg":"HS256","kid":"simplejwt-2027"}"#
    );
    assert_eq!(proxied(&gh, &refreshed), 200);
    let refreshed_drf = field(
        &post(
            &gh,
            "/api-token-refresh/",
            &format!(r#"{{"token": "{old_drf}"}}"#),
        ),
        "token",
    );
    assert_eq!(
        header_of(&refreshed_drf),
        r#"{"alg":"HS256","typ":"JWT","kid":"drf-jwt-2027"}"#
    );
    assert_eq!(proxied(&gh, &refreshed_drf), 200);

    // New logins sign with the new key.
    let login = post(
        &gh,
        "/token/",
        r#"{"email": "admin@admin.com", "password": "masterkey"}"#,
    );
    let (new_access, new_refresh) = (field(&login, "access"), field(&login, "refresh"));
    assert!(header_of(&new_refresh).contains(r#""kid":"simplejwt-2027""#));
    assert_eq!(proxied(&gh, &new_access), 200);

    // Retire the old keys: the old tokens stop at once, although they are cached.
    let retired = rotated()
        .replace("verify_keys = [\"simplejwt-hs256\"]\n", "")
        .replace("verify_keys = [\"drf-jwt-hs256\"]\n", "")
        .replace(
            SIMPLEJWT_OLD,
            &SIMPLEJWT_OLD.replace("secret =", "retired = true\nsecret ="),
        );
    gh.rewrite_config(&retired);
    gh.signal("HUP");
    gh.wait_for_metric(RELOADED, 2.0);
    assert_eq!(
        proxied(&gh, &old_access),
        401,
        "a retired key still opens traffic"
    );
    assert_eq!(
        proxied(&gh, &old_drf),
        401,
        "a retired key still opens traffic"
    );
    let r = post(
        &gh,
        "/token/refresh/",
        &format!(r#"{{"refresh": "{old_refresh}"}}"#),
    );
    assert_eq!(
        (r.status, r.json()["code"].as_str()),
        (401, Some("token_not_valid")),
        "{}",
        r.text()
    );
    let r = post(
        &gh,
        "/api-token-verify/",
        &format!(r#"{{"token": "{old_drf}"}}"#),
    );
    assert_eq!(
        (r.status, r.text()),
        (
            400,
            r#"{"non_field_errors":["Error decoding signature."]}"#.to_owned()
        )
    );
    // What the new keys signed keeps working, with or without the rotation's `kid`.
    assert_eq!(proxied(&gh, &refreshed), 200);
    assert_eq!(proxied(&gh, &refreshed_drf), 200);
    assert_eq!(proxied(&gh, &new_access), 200);
    let after = post(
        &gh,
        "/token/refresh/",
        &format!(r#"{{"refresh": "{new_refresh}"}}"#),
    );
    assert_eq!(
        header_of(&field(&after, "access")),
        r#"{"typ":"JWT","alg":"HS256"}"#
    );
}

const ED25519_OLD: &str = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIFkSO2LqgI/wobQk7xUAm7n4O4y0Ubyj+kTfWN9uClPC\n-----END PRIVATE KEY-----\n";
const ED25519_NEW: &str = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJBgUobikqaoaFFrIK4T1jVhJh6LB3fc2XjMtqFFRB0d\n-----END PRIVATE KEY-----\n";

fn jwks_kids(gh: &Gatehouse) -> Vec<String> {
    let r = gh.get("/.well-known/jwks.json", &[]);
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .map(|k| k["kid"].as_str().expect("kid").to_owned())
        .collect()
}

#[test]
fn jwks_publishes_verify_only_keys_until_they_are_retired() {
    let keys = format!(
        "[[keys]]\nid = \"nomic-old\"\nalgorithm = \"EdDSA\"\nprivate_key = \"\"\"\n{ED25519_OLD}\"\"\"\n\n[[keys]]\nid = \"nomic-new\"\nalgorithm = \"EdDSA\"\nprivate_key = \"\"\"\n{ED25519_NEW}\"\"\"\n\n"
    );
    let with_nomic = |nomic: &str| {
        let config = demo_config().replacen("[[keys]]", &format!("{keys}[[keys]]"), 1);
        let config = config.replace("[dialects.nomic]\n", &format!("[dialects.nomic]\n{nomic}"));
        assert_ne!(config, demo_config());
        config
    };
    let gh = Gatehouse::start(&with_nomic("key = \"nomic-old\"\n"));
    let old = field(
        &send(
            &gh.url("/api/auth/token"),
            "POST",
            &[(
                "authorization",
                &crate::harness::basic("admin", "masterkey"),
            )],
            None,
        ),
        "token",
    );
    assert_eq!(proxied(&gh, &old), 200);
    assert!(jwks_kids(&gh).contains(&"nomic-old".to_owned()));

    gh.rewrite_config(&with_nomic(
        "key = \"nomic-new\"\nverify_keys = [\"nomic-old\"]\n",
    ));
    gh.signal("HUP");
    gh.wait_for_metric(RELOADED, 1.0);
    let kids = jwks_kids(&gh);
    assert!(kids.contains(&"nomic-old".to_owned()), "{kids:?}");
    assert!(kids.contains(&"nomic-new".to_owned()), "{kids:?}");
    assert_eq!(proxied(&gh, &old), 200);
    // Renewal with the old token (Bearer) gives a token of the new key.
    let renewed = field(
        &send(
            &gh.url("/api/auth/token"),
            "POST",
            &[("authorization", &format!("Bearer {old}"))],
            None,
        ),
        "token",
    );
    assert!(
        header_of(&renewed).contains(r#""kid":"nomic-new""#),
        "{}",
        header_of(&renewed)
    );

    gh.rewrite_config(&with_nomic("key = \"nomic-new\"\n").replace(
        "id = \"nomic-old\"\nalgorithm = \"EdDSA\"\n",
        "id = \"nomic-old\"\nalgorithm = \"EdDSA\"\nretired = true\n",
    ));
    gh.signal("HUP");
    gh.wait_for_metric(RELOADED, 2.0);
    let kids = jwks_kids(&gh);
    assert!(!kids.contains(&"nomic-old".to_owned()), "{kids:?}");
    assert!(kids.contains(&"nomic-new".to_owned()), "{kids:?}");
    assert_eq!(proxied(&gh, &old), 401);
    assert_eq!(proxied(&gh, &renewed), 200);
}

#[test]
fn rotation_mistakes_are_config_errors_naming_the_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let check = |config: &str| {
        let path = dir.path().join("g.toml");
        std::fs::write(&path, config).expect("write config");
        crate::harness::run_cli(&["check", "--config", &path.display().to_string()], None)
    };
    let cases = [
        (
            rotated().replace(
                "verify_keys = [\"drf-jwt-hs256\"]",
                "verify_keys = [\"drf-jwt-1999\"]",
            ),
            "[dialects.drf_jwt] verify_keys.#1: no [[keys]] entry has id \"drf-jwt-1999\"",
        ),
        (
            rotated().replace(
                "verify_keys = [\"drf-jwt-hs256\"]",
                "verify_keys = [\"drf-jwt-hs256\", \"drf-jwt-2027\"]",
            ),
            "[dialects.drf_jwt] verify_keys.#2: key \"drf-jwt-2027\" is already named for this dialect",
        ),
        (
            rotated().replace(
                SIMPLEJWT_OLD,
                &SIMPLEJWT_OLD.replace("secret =", "retired = true\nsecret ="),
            ),
            "[dialects.simplejwt] verify_keys.#1: key \"simplejwt-hs256\" is retired",
        ),
        (
            demo_config().replace(
                DRF_OLD,
                &DRF_OLD.replace("secret =", "retired = true\nsecret ="),
            ),
            "[dialects.drf_jwt] key: key \"drf-jwt-hs256\" is retired",
        ),
    ];
    for (config, expected) in cases {
        let (code, _stdout, stderr) = check(&config);
        assert_ne!(code, 0, "accepted: {expected}");
        assert!(
            stderr.contains(expected),
            "wanted {expected:?} in:\n{stderr}"
        );
        assert!(
            !stderr.contains("secret-0123"),
            "a secret leaked:\n{stderr}"
        );
    }
}
