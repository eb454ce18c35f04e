//! Tokens from external issuers (`[[issuers]]`), against a real OpenID Connect provider
//! (node-oidc-provider, `oidc_kit`): discovery, the mapped identity on proxied traffic,
//! key rotation without a restart, the provider down, forged kids counted at the
//! provider, JWKS documents that must be refused, the attacks that pick another key or
//! issuer, and `gatehouse check --online`.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{json, Value};

use crate::harness::{demo_config, demo_token, run_cli, Gatehouse, Response};
use crate::oidc_kit::{OidcProvider, SigningKey};

const AUDIENCE: &str = "api://orders";

/// The demo configuration with one `[[issuers]]` entry for `issuer` (a Keycloak-style
/// mapping), and `extra` keys in it.
fn with_issuer(config: &str, issuer: &str, extra: &str) -> String {
    format!(
        "{config}\n[[issuers]]\nissuer = \"{issuer}\"\naudiences = [\"{AUDIENCE}\"]\nusername_claim = \"preferred_username\"\nuser_id_claim = \"sub\"\nemail_claim = \"email\"\nroles_claim = \"/realm_access/roles\"\n{extra}"
    )
}

fn alice(roles: &[&str]) -> Value {
    json!({
        "sub": "7f1c2d9e-0000-4000-8000-00000000a11c",
        "preferred_username": "alice",
        "email": "alice@example.com",
        "realm_access": {"roles": roles},
    })
}

fn bearer(gh: &Gatehouse, path: &str, token: &str) -> Response {
    gh.get(path, &[("Authorization", &format!("Bearer {token}"))])
}

/// Polls until `check` holds (10 s at most).
fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if check() {
            return;
        }
        thread::sleep(Duration::from_millis(100));
    }
    panic!("{what}: not within 10 s");
}

#[test]
fn provider_tokens_open_proxied_traffic_with_the_mapped_identity() {
    let provider = OidcProvider::start(&[SigningKey::rs256("k1")]);
    let gh = Gatehouse::start(&with_issuer(&demo_config(), &provider.issuer(), ""));
    let keys = format!(
        r#"gatehouse_issuer_keys{{issuer="127.0.0.1:{}"}}"#,
        provider.port()
    );
    assert_eq!(gh.metric(&keys), 1.0);

    let admin = provider.token(AUDIENCE, alice(&["admin", "user"]));
    let r = gh.get(
        "/admin/orders",
        &[
            ("Authorization", &format!("Bearer {admin}")),
            ("X-Auth-Issuer", "https://forged.example"),
            ("X-Auth-User", "mallory"),
        ],
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.echoed("x-auth-user"), ["alice"]);
    assert_eq!(
        r.echoed("x-auth-user-id"),
        ["7f1c2d9e-0000-4000-8000-00000000a11c"]
    );
    assert_eq!(r.echoed("x-auth-email"), ["alice@example.com"]);
    assert_eq!(r.echoed("x-auth-roles"), ["admin,user"]);
    assert_eq!(r.echoed("x-auth-method"), ["bearer"]);
    assert_eq!(r.echoed("x-auth-issuer"), [provider.issuer()]);
    assert!(r.echoed("authorization").is_empty());

    // Roles from the token decide role routes; the audience must be ours.
    let user = provider.token(AUDIENCE, alice(&["user"]));
    assert_eq!(bearer(&gh, "/admin/orders", &user).status, 403);
    assert_eq!(bearer(&gh, "/orders", &user).status, 200);
    let elsewhere = provider.token("api://billing", alice(&["admin"]));
    let r = bearer(&gh, "/orders", &elsewhere);
    assert_eq!(r.status, 401, "{}", r.text());
    assert!(r.text().contains("audience"), "{}", r.text());
    let no_username = provider.token(AUDIENCE, json!({"preferred_username": null}));
    let r = bearer(&gh, "/orders", &no_username);
    assert_eq!(r.status, 401);
    assert!(r.text().contains("preferred_username"), "{}", r.text());

    // Revoking a provider token by its jti on the admin listener stops it.
    let jti = crate::harness::jwt_claims(&user)["jti"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = crate::harness::send(
        &format!("http://{}/revocations", gh.admin_addr()),
        "POST",
        &[("Content-Type", "application/json")],
        Some(format!(r#"{{"jti": "{jti}"}}"#).as_bytes()),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(bearer(&gh, "/orders", &user).status, 401);

    // Native tokens are untouched, and carry no issuer header.
    let native = bearer(&gh, "/orders", &demo_token("admin"));
    assert_eq!(native.status, 200);
    assert!(native.echoed("x-auth-issuer").is_empty());

    // `require_user`: the token must name one of gatehouse's users, whose stored
    // identity is forwarded.
    let gh = Gatehouse::start(&with_issuer(
        &demo_config(),
        &provider.issuer(),
        "require_user = true\n",
    ));
    let known = provider.token(
        AUDIENCE,
        json!({"preferred_username": "TestUser", "realm_access": {"roles": ["admin"]}}),
    );
    let r = bearer(&gh, "/orders", &known);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        r.echoed("x-auth-roles"),
        ["user"],
        "the store's roles, not the token's"
    );
    assert_eq!(r.echoed("x-auth-user-id"), ["2"]);
    assert_eq!(r.echoed("x-auth-issuer"), [provider.issuer()]);
    assert_eq!(
        bearer(&gh, "/orders", &admin).status,
        401,
        "alice is no user here"
    );
}

#[test]
fn key_rotation_at_the_provider_is_followed_without_a_restart() {
    let (k1, k2) = (SigningKey::rs256("k1"), SigningKey::es256("k2"));
    let mut provider = OidcProvider::start(std::slice::from_ref(&k1));
    // No periodic refresh within the test: only unknown kids make gatehouse fetch.
    let gh = Gatehouse::start(&with_issuer(
        &demo_config(),
        &provider.issuer(),
        "max_refresh = \"1h\"\nrefetch_interval = \"1s\"\n",
    ));
    let refetches = format!(
        r#"gatehouse_issuer_unknown_kid_refetches_total{{issuer="127.0.0.1:{}"}}"#,
        provider.port()
    );
    let old = provider.token(AUDIENCE, alice(&["user"]));
    assert_eq!(bearer(&gh, "/orders", &old).status, 200);

    // The provider publishes a new key and signs with it: its first token asks for a
    // fetch, waits for it and is accepted.
    provider.restart_with(&[k2.clone(), k1]);
    let new = provider.token(AUDIENCE, alice(&["user"]));
    let r = bearer(&gh, "/orders", &new);
    assert_eq!(r.status, 200, "{}\n{}", r.text(), gh.log());
    assert_eq!(gh.metric(&refetches), 1.0);
    assert_eq!(
        bearer(&gh, "/orders", &old).status,
        200,
        "k1 is still published"
    );

    // The old key is dropped. The next fetch (here asked for by another unknown kid,
    // a second after the last) sees it gone: its tokens, cached or not, are refused.
    provider.restart_with(&[k2]);
    thread::sleep(Duration::from_millis(1100));
    let unknown = forged(&provider, &["k3".to_owned()]);
    assert_eq!(bearer(&gh, "/orders", &unknown[0]).status, 401);
    assert_eq!(gh.metric(&refetches), 2.0);
    assert_eq!(bearer(&gh, "/orders", &old).status, 401);
    assert_eq!(bearer(&gh, "/orders", &new).status, 200);
    assert!(gh.log().contains("removed [\"k1\"]"), "{}", gh.log());
}

/// Tokens signed here with keys the provider never published, one per kid.
fn forged(provider: &OidcProvider, kids: &[String]) -> Vec<String> {
    let claims = json!({
        "iss": provider.issuer(), "aud": AUDIENCE, "preferred_username": "alice",
        "exp": crate::harness::unix_now() + 600,
    });
    kids.iter()
        .map(|kid| SigningKey::es256(kid).sign(&claims))
        .collect()
}

#[test]
fn the_provider_down_and_forged_kids_never_become_an_outage_or_a_storm() {
    let mut provider = OidcProvider::start(&[SigningKey::rs256("k1")]);
    let gh = Gatehouse::start(&with_issuer(
        &demo_config(),
        &provider.issuer(),
        "refetch_interval = \"3s\"\nmin_refresh = \"1s\"\nmax_refresh = \"1h\"\n",
    ));
    let first = provider.token(AUDIENCE, alice(&["user"]));
    let second = provider.token(AUDIENCE, alice(&["admin"]));
    assert_eq!(bearer(&gh, "/orders", &first).status, 200);

    // Forged kids: 30 tokens in a burst cause at most one JWKS fetch.
    let before = provider.requests();
    let kids: Vec<String> = (0..30).map(|i| format!("forged-{i}")).collect();
    for token in forged(&provider, &kids) {
        let r = bearer(&gh, "/orders", &token);
        assert_eq!(r.status, 401, "{}", r.text());
    }
    let after = provider.requests();
    assert!(
        after.jwks - before.jwks <= 1,
        "{} JWKS fetches for 30 forged kids",
        after.jwks - before.jwks
    );
    gh.wait_for_metric(
        &format!(
            r#"gatehouse_issuer_unknown_kid_refetches_total{{issuer="127.0.0.1:{}"}}"#,
            provider.port()
        ),
        1.0,
    );

    // The provider down: the keys in hand keep serving, a token never seen before too.
    provider.stop();
    assert_eq!(bearer(&gh, "/orders", &second).status, 200);
    assert_eq!(bearer(&gh, "/admin/orders", &second).status, 200);
}

#[test]
fn gatehouse_starts_before_its_provider_and_serves_once_keys_arrive() {
    let k1 = SigningKey::rs256("k1");
    let mut provider = OidcProvider::start(std::slice::from_ref(&k1));
    let token = provider.token(AUDIENCE, alice(&["user"]));
    provider.stop();
    // /readyz waits up to startup_wait (the harness waits for ready), then tokens of
    // this issuer are 503 until its keys come.
    let gh = Gatehouse::start(&with_issuer(
        &demo_config(),
        &provider.issuer(),
        "startup_wait = \"1s\"\nmin_refresh = \"1s\"\n",
    ));
    let r = bearer(&gh, "/orders", &token);
    assert_eq!(r.status, 503, "{}", r.text());
    assert_eq!(r.json()["error"], "issuer_unavailable");
    assert_eq!(r.header("retry-after"), Some("1"));
    provider.restart_with(&[k1]);
    eventually("keys fetched once the provider is up", || {
        bearer(&gh, "/orders", &token).status == 200
    });
}

/// A JWKS served from memory, for documents no real provider would serve.
struct JwksFile {
    addr: SocketAddr,
    body: Arc<Mutex<Vec<u8>>>,
    served: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
}

impl JwksFile {
    fn serve(body: &[u8]) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let body = Arc::new(Mutex::new(body.to_vec()));
        let served = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (b, s, st) = (body.clone(), served.clone(), stop.clone());
        thread::spawn(move || {
            while !st.load(Ordering::Relaxed) {
                let Ok((mut stream, _)) = listener.accept() else {
                    thread::sleep(Duration::from_millis(10));
                    continue;
                };
                let _ = stream.set_nonblocking(false);
                let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
                let mut head = [0u8; 4096];
                let _ = stream.read(&mut head);
                let body = b.lock().unwrap().clone();
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(&body);
                s.fetch_add(1, Ordering::Relaxed);
            }
        });
        Self {
            addr,
            body,
            served,
            stop,
        }
    }

    fn replace(&self, body: &[u8]) -> usize {
        *self.body.lock().unwrap() = body.to_vec();
        self.served.load(Ordering::Relaxed)
    }

    /// Waits for two more fetches after `since` (so one saw the new body in full).
    fn fetched_twice_since(&self, since: usize) {
        eventually("two more JWKS fetches", || {
            self.served.load(Ordering::Relaxed) >= since + 2
        });
    }
}

impl Drop for JwksFile {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

#[test]
fn jwks_documents_that_would_drop_every_key_are_refused_and_the_old_keys_kept() {
    let key = SigningKey::es256("good");
    let jwks = json!({"keys": [key.public_jwk()]}).to_string();
    let file = JwksFile::serve(jwks.as_bytes());
    let issuer = "https://idp.example.test";
    let config = with_issuer(
        &demo_config(),
        issuer,
        &format!(
            "jwks_url = \"http://{}/jwks\"\nmin_refresh = \"1s\"\nmax_refresh = \"1s\"\nmax_jwks_bytes = 4096\n",
            file.addr
        ),
    );
    let gh = Gatehouse::start(&config);
    let claims = |name: &str| {
        json!({"iss": issuer, "aud": AUDIENCE, "preferred_username": name,
               "exp": crate::harness::unix_now() + 600})
    };
    assert_eq!(bearer(&gh, "/orders", &key.sign(&claims("a"))).status, 200);

    let rejected = r#"gatehouse_issuer_fetches_total{document="jwks",issuer="idp.example.test",result="rejected"}"#;
    let hmac = json!({"keys": [{"kty": "oct", "kid": "good", "alg": "HS256", "k": "c2VjcmV0"}]});
    for (what, body) in [
        ("garbage", b"<html>not json".to_vec()),
        ("no keys", br#"{"keys": []}"#.to_vec()),
        ("only a symmetric key", hmac.to_string().into_bytes()),
        (
            "too large",
            format!(r#"{{"keys": [], "pad": "{}"}}"#, "x".repeat(8192)).into_bytes(),
        ),
    ] {
        let before = gh.metric(rejected);
        let since = file.replace(&body);
        file.fetched_twice_since(since);
        assert!(
            gh.metric(rejected) > before,
            "{what}: not counted as rejected"
        );
        // A token never seen before still verifies with the kept key.
        let r = bearer(&gh, "/orders", &key.sign(&claims(what)));
        assert_eq!(r.status, 200, "{what}: {}", r.text());
    }
    // With an HMAC JWK, a token "signed" with its secret is still refused.
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some("good".into());
    let forged = jsonwebtoken::encode(
        &header,
        &claims("mallory"),
        &EncodingKey::from_secret(b"secret"),
    )
    .unwrap();
    assert_eq!(bearer(&gh, "/orders", &forged).status, 401);
}

#[test]
fn tokens_cannot_choose_another_key_issuer_or_algorithm() {
    let a = OidcProvider::start(&[SigningKey::rs256("shared")]);
    let b = OidcProvider::start(&[SigningKey::rs256("shared")]);
    let config = with_issuer(
        &with_issuer(&demo_config(), &a.issuer(), "name = \"a\"\n"),
        &b.issuer(),
        "name = \"b\"\n",
    );
    let gh = Gatehouse::start(&config);
    assert_eq!(
        bearer(&gh, "/orders", &a.token(AUDIENCE, alice(&[]))).status,
        200
    );
    assert_eq!(
        bearer(&gh, "/orders", &b.token(AUDIENCE, alice(&[]))).status,
        200
    );

    // `iss` names A, B signed it (same kid): A's key does not verify it.
    let crossed = b.token(
        AUDIENCE,
        json!({"iss": a.issuer(), "preferred_username": "x"}),
    );
    let r = bearer(&gh, "/orders", &crossed);
    assert_eq!(r.status, 401, "{}", r.text());

    // alg confusion: HS256 with A's public key (its JWK, and its `n`) as the secret.
    let public = a.keys()[0].public_jwk();
    let claims = json!({"iss": a.issuer(), "aud": AUDIENCE, "preferred_username": "x",
                        "exp": crate::harness::unix_now() + 600});
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some("shared".into());
    for secret in [public.to_string(), public["n"].as_str().unwrap().to_owned()] {
        let token = jsonwebtoken::encode(
            &header,
            &claims,
            &EncodingKey::from_secret(secret.as_bytes()),
        )
        .unwrap();
        let r = bearer(&gh, "/orders", &token);
        assert_eq!(r.status, 401, "{}", r.text());
        assert!(r.text().contains("algorithm"), "{}", r.text());
    }

    // A kid naming a dialect key, signed with that dialect's demo secret: A's token
    // is verified by A's keys only.
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some("kerong-hs256".into());
    let dialect = jsonwebtoken::encode(
        &header,
        &claims,
        &EncodingKey::from_secret(b"demo-kerong-secret-change-me-0123456789abcdef"),
    )
    .unwrap();
    assert_eq!(bearer(&gh, "/orders", &dialect).status, 401);
    let rsa = SigningKey::rs256("nomic-generated").sign(&claims);
    assert_eq!(bearer(&gh, "/orders", &rsa).status, 401);

    // `alg: none`.
    use base64::Engine as _;
    let b64 = |v: &Value| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string().as_bytes())
    };
    let none = format!(
        "{}.{}.",
        b64(&json!({"alg": "none", "kid": "shared"})),
        b64(&claims)
    );
    assert_eq!(bearer(&gh, "/orders", &none).status, 401);
}

#[test]
fn check_online_reports_the_keys_or_the_failure() {
    let mut provider = OidcProvider::start(&[SigningKey::rs256("k1"), SigningKey::eddsa("k2")]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gatehouse.toml");
    let config = Gatehouse::localise(
        &with_issuer(&demo_config(), &provider.issuer(), ""),
        crate::harness::free_port(),
        crate::harness::free_port(),
        dir.path(),
    );
    std::fs::write(&path, config).unwrap();
    let path = path.to_str().unwrap();
    let (code, stdout, stderr) = run_cli(&["check", "--config", path, "--online"], None);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.contains("2 key(s)")
            && stdout.contains("k1 (RS256)")
            && stdout.contains("k2 (EdDSA)"),
        "{stdout}"
    );
    provider.stop();
    let (code, stdout, stderr) = run_cli(&["check", "--config", path, "--online"], None);
    assert_eq!(code, 69, "{stdout}{stderr}");
    assert!(stderr.contains("openid-configuration"), "{stderr}");
    // Offline, the same file is fine.
    let (code, _, stderr) = run_cli(&["check", "--config", path], None);
    assert_eq!(code, 0, "{stderr}");
}
