//! Criterion micro-benchmarks of gatehouse's per-request work. Run with
//! `cargo bench --bench micro` (add `-- <filter>` for one group). Figures are recorded
//! in the README's Performance section; nothing here asserts a time.
//!
//! Groups:
//! - `cache_hit`: the verifier's cached answer for Bearer, Basic and the header pair
//!   (`Verifier::verify` polled once: digest + moka lookup + `exp` recheck + metrics):
//!   the cost of an authenticated request's auth.
//! - `issuers`: a token of an external issuer (`[[issuers]]`, its RS256 key fetched as a
//!   JWKS from a loopback server in this process) beside a native token: the cached
//!   verify of each, and the uncached verification of the external one (signature,
//!   `iss`/`aud`/`exp`, claim mapping).
//! - `cache_key`: the keyed digest a cache key is, for the benchmark's Bearer token and
//!   Basic credential: SipHash-2-4-128 (what the verifier uses) beside the keyed SHA-256
//!   it replaced, which is the evidence for that choice.
//! - `verify_uncached`: full JWT verification per algorithm (HS256, RS256, ES256, EdDSA).
//! - `credentials`: finding the credential in a request's headers.
//! - `paths`: path normalisation and the route table.
//! - `headers`: identity headers into an outgoing header map, and forwarding edits, for
//!   one request.
//! - `issue`: signing a token per dialect (RS256 for nomic).
//! - `revocations`: the revocation check every token request makes after the cache hit,
//!   with no live revocations and with 10,000 (9,000 tokens and 1,000 users, none of
//!   them the checked token's).

// Benchmark set-up: a failure is a broken benchmark, reported by panicking.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use futures_util::FutureExt as _;
use gatehouse::credentials::{CredentialKind, CredentialRules, Presented};
use gatehouse::dialects::Api as _;
use gatehouse::forwarded::ForwardingRules;
use gatehouse::identity::{AuthMethod, Identity, IdentityHeaders, Principal};
use gatehouse::keys::{Key, KeyMaterial, KeyRing};
use gatehouse::metrics::Metrics;
use gatehouse::offload::HashPool;
use gatehouse::passwords::PasswordChecker;
use gatehouse::routes::{normalize_path, Access, RouteRule, RouteTable};
use gatehouse::users::directory::Directory;
use gatehouse::users::{hash_password, PasswordHash, User};
use gatehouse::verifier::jwt::{ClaimProfile, TokenAcceptor, TokenAcceptors};
use gatehouse::verifier::{Verifier, VerifierSettings};
use http::header::{HeaderMap, HeaderName, HeaderValue};
use jsonwebtoken::Algorithm;
use pingora::http::RequestHeader;

const SECRET: &[u8] = b"bench-secret-bench-secret-bench-secret-0123";

fn now() -> u64 {
    gatehouse::verifier::unix_now()
}

fn user() -> User {
    User {
        username: "admin".into(),
        id: Some(1),
        email: Some("admin@admin.com".into()),
        roles: vec!["admin".into()],
        active: true,
        // Cheap hash: only the cache miss would pay it, and hits are what is measured.
        password: PasswordHash::parse(&hash_password(b"masterkey").expect("hash")).expect("parse"),
    }
}

fn hs_key() -> Arc<Key> {
    Arc::new(Key::new("hs", Algorithm::HS256, KeyMaterial::Hmac(Some(SECRET))).expect("key"))
}

fn native_token(key: &Key) -> String {
    let claims = serde_json::json!({"sub": "admin", "iss": "gatehouse", "iat": now(), "exp": now() + 3600, "jti": "0123456789abcdef0123456789abcdef"});
    key.sign(&key.header(true), &claims).expect("sign")
}

fn verifier(key: Arc<Key>) -> Verifier {
    verifier_with_metrics(key, Arc::new(Metrics::new().expect("metrics")))
}

fn verifier_with_metrics(key: Arc<Key>, metrics: Arc<Metrics>) -> Verifier {
    let acceptor = TokenAcceptor::new(key, ClaimProfile::native("gatehouse"), 0);
    Verifier::new(
        Directory::configured_only(vec![user()]),
        TokenAcceptors::new(vec![acceptor]),
        &VerifierSettings {
            cache_capacity: 100_000,
            cache_ttl: Duration::from_secs(300),
            negative_cache_ttl: Duration::from_secs(10),
            leeway_secs: 0,
        },
        PasswordChecker::new(
            Arc::new(HashPool::new(1, 8).expect("hash pool")),
            metrics.clone(),
        ),
        metrics,
    )
}

fn cache_hit(c: &mut Criterion) {
    let key = hs_key();
    let token = native_token(&key);
    let verifier = Arc::new(verifier(key));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let bearer = Presented::Token {
        kind: CredentialKind::Bearer,
        token: &token,
    };
    let basic = Presented::Basic {
        encoded: "YWRtaW46bWFzdGVya2V5",
    };
    let pair = Presented::HeaderPair {
        username: b"admin",
        password: b"masterkey",
    };
    for presented in [bearer, basic, pair] {
        runtime
            .block_on(verifier.verify(presented, None))
            .expect("warm the cache");
    }
    let mut group = c.benchmark_group("cache_hit");
    for (name, presented) in [("bearer", bearer), ("basic", basic), ("header_pair", pair)] {
        group.bench_function(name, |b| b.iter(|| cached(&verifier, black_box(presented))));
    }
    group.finish();
}

/// A cache hit through the verifier's real entry point. A hit never awaits, so one poll
/// answers it; anything else is a broken benchmark.
fn cached(verifier: &Arc<Verifier>, presented: Presented<'_>) -> Arc<Identity> {
    match verifier.verify(presented, None).now_or_never() {
        Some(Ok(identity)) => identity,
        _ => panic!("expected a cache hit"),
    }
}

/// Serves `body` as the answer to every request on a loopback port, for up to `limit`
/// connections (the issuer refetches in the background while the benchmark runs).
fn serve_jwks(body: String, limit: usize) -> std::net::SocketAddr {
    use std::io::{Read as _, Write as _};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address");
    std::thread::spawn(move || {
        for stream in listener.incoming().take(limit) {
            let Ok(mut stream) = stream else { continue };
            let mut request = Vec::new();
            let mut buffer = [0u8; 1024];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buffer) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => request.extend_from_slice(&buffer[..n]),
                }
            }
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    address
}

fn issuers(c: &mut Criterion) {
    use gatehouse::issuers::settings::{
        ClaimMapping, FetchPolicy, IssuerSettings, KeySource, ASYMMETRIC,
    };
    use gatehouse::issuers::Issuers;
    let provider = Key::generate_rsa("idp-1", Algorithm::RS256, 2048).expect("rsa");
    let jwks = serde_json::json!({ "keys": [provider.public_jwk().expect("public jwk")] });
    let address = serve_jwks(jwks.to_string(), 1_000);
    let issuer = "https://idp.example.test/realms/bench";
    let settings = IssuerSettings {
        name: "bench".into(),
        issuer: issuer.into(),
        source: KeySource::Jwks(format!("http://{address}/jwks")),
        audiences: vec!["gatehouse".into()],
        algorithms: ASYMMETRIC.to_vec(),
        leeway: Duration::from_secs(60),
        claims: ClaimMapping {
            username: "preferred_username".into(),
            user_id: Some("sub".into()),
            email: Some("email".into()),
            roles: Some("/realm_access/roles".into()),
            require_user: false,
        },
        fetch: FetchPolicy {
            timeout: Duration::from_secs(5),
            min_refresh: Duration::from_secs(60),
            max_refresh: Duration::from_secs(3600),
            refetch_interval: Duration::from_secs(30),
            max_stale: Duration::from_secs(3600),
            startup_wait: Duration::from_secs(10),
            max_jwks_bytes: 256 * 1024,
            ca_file: None,
        },
    };
    let metrics = Arc::new(Metrics::new().expect("metrics"));
    let started = Arc::new(Issuers::start(&[settings], &metrics.issuers).expect("issuers"));
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while started.waiting_for().is_some() {
        assert!(std::time::Instant::now() < deadline, "no JWKS fetched");
        std::thread::sleep(Duration::from_millis(10));
    }
    let native_key = hs_key();
    let native = native_token(&native_key);
    let verifier = Arc::new(verifier_with_metrics(native_key, metrics).with_issuers(started));
    let claims = serde_json::json!({
        "iss": issuer, "aud": "gatehouse", "sub": "f2c1d0a4-5e7b-4c1e-9f3a-6b8d2e4f1a70",
        "preferred_username": "ada", "email": "ada@example.com",
        "realm_access": {"roles": ["user", "admin"]},
        "iat": now(), "exp": now() + 3600, "jti": "0123456789abcdef0123456789abcdef",
    });
    let external = provider
        .sign(&provider.header(true), &claims)
        .expect("sign");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let bearer = |token| Presented::Token {
        kind: CredentialKind::Bearer,
        token,
    };
    for token in [&external, &native] {
        let identity = runtime
            .block_on(verifier.verify(bearer(token), None))
            .expect("warm the cache");
        black_box(identity);
    }
    let mut group = c.benchmark_group("issuers");
    group.bench_function("cached_external_rs256", |b| {
        b.iter(|| cached(&verifier, black_box(bearer(&external))))
    });
    group.bench_function("cached_native_hs256", |b| {
        b.iter(|| cached(&verifier, black_box(bearer(&native))))
    });
    group.bench_function("uncached_external_rs256", |b| {
        b.iter(|| {
            match verifier
                .verify_uncached(black_box(bearer(&external)), None)
                .now_or_never()
            {
                Some(Ok(identity)) => identity,
                _ => panic!("expected the external token to verify without waiting"),
            }
        })
    });
    group.finish();
}

fn cache_key(c: &mut Criterion) {
    use sha2::Digest as _;
    use siphasher::sip128::Hasher128 as _;
    use std::hash::Hasher as _;
    let token = native_token(&hs_key());
    let sip = siphasher::sip128::SipHasher24::new_with_key(&[7; 16]);
    let mut sha = sha2::Sha256::new();
    sha.update([7u8; 64]);
    let mut group = c.benchmark_group("cache_key");
    for (name, credential) in [
        ("bearer", token.as_bytes()),
        ("basic", b"YWRtaW46bWFzdGVya2V5".as_slice()),
    ] {
        group.bench_function(format!("siphash24_128_{name}_{}b", credential.len()), |b| {
            b.iter(|| {
                let mut hasher = sip;
                hasher.write(black_box(credential));
                hasher.finish128().as_u128()
            })
        });
        group.bench_function(format!("sha256_keyed_{name}_{}b", credential.len()), |b| {
            b.iter(|| {
                let mut hasher = sha.clone();
                hasher.update(black_box(credential));
                <[u8; 32]>::from(hasher.finalize())
            })
        });
    }
    group.finish();
}

fn verify_uncached(c: &mut Criterion) {
    use p256::pkcs8::EncodePrivateKey;
    let rsa = Arc::new(Key::generate_rsa("rs", Algorithm::RS256, 2048).expect("rsa"));
    let p256 = p256::SecretKey::random(&mut rand::rngs::OsRng);
    let pem = p256.to_pkcs8_pem(p256::pkcs8::LineEnding::LF).expect("pem");
    let es = Arc::new(
        Key::new(
            "es",
            Algorithm::ES256,
            KeyMaterial::Pem {
                private: Some(pem.as_bytes()),
                public: None,
            },
        )
        .expect("es"),
    );
    let ed_secret = ed25519_dalek::SigningKey::from_bytes(&rand::random::<[u8; 32]>());
    let pem = ed_secret
        .to_pkcs8_pem(p256::pkcs8::LineEnding::LF)
        .expect("pem");
    let ed = Arc::new(
        Key::new(
            "ed",
            Algorithm::EdDSA,
            KeyMaterial::Pem {
                private: Some(pem.as_bytes()),
                public: None,
            },
        )
        .expect("ed"),
    );
    let mut group = c.benchmark_group("verify_uncached");
    for (name, key) in [
        ("HS256", hs_key()),
        ("RS256", rsa),
        ("ES256", es),
        ("EdDSA", ed),
    ] {
        let token = native_token(&key);
        let acceptors = TokenAcceptors::new(vec![TokenAcceptor::new(
            key,
            ClaimProfile::native("gatehouse"),
            0,
        )]);
        group.bench_function(name, |b| {
            b.iter(|| acceptors.verify(black_box(&token)).expect("valid").0)
        });
    }
    group.finish();
}

fn rules() -> CredentialRules {
    CredentialRules {
        bearer: true,
        basic: true,
        header_pair: true,
        username_header: HeaderName::from_static("user-name"),
        password_header: HeaderName::from_static("password"),
        token_header: Some(HeaderName::from_static("x-auth-token")),
        cookie: None,
        max_token_bytes: 8192,
    }
}

fn request_headers(extra: &[(&'static str, &str)]) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert("host", HeaderValue::from_static("127.0.0.1:9778"));
    headers.insert("user-agent", HeaderValue::from_static("wrk"));
    headers.insert("accept", HeaderValue::from_static("*/*"));
    for (name, value) in extra {
        headers.insert(*name, HeaderValue::from_str(value).expect("header"));
    }
    headers
}

fn credentials(c: &mut Criterion) {
    let rules = rules();
    let token = native_token(&hs_key());
    let bearer = request_headers(&[("authorization", &format!("Bearer {token}"))]);
    let basic = request_headers(&[("authorization", "Basic YWRtaW46bWFzdGVya2V5")]);
    let pair = request_headers(&[("user-name", "admin"), ("password", "masterkey")]);
    let mut group = c.benchmark_group("credentials");
    for (name, headers) in [
        ("bearer", &bearer),
        ("basic", &basic),
        ("header_pair", &pair),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| rules.extract(black_box(headers)).map(|p| p.is_some()))
        });
    }
    group.finish();
}

fn paths(c: &mut Criterion) {
    let table = RouteTable::new(
        vec![
            RouteRule {
                prefix: "/public/".into(),
                methods: None,
                access: Access::Public,
            },
            RouteRule {
                prefix: "/admin/".into(),
                methods: None,
                access: Access::AnyRole(vec!["admin".to_owned()].into_boxed_slice()),
            },
        ],
        Access::Authenticated,
    );
    let mut group = c.benchmark_group("paths");
    group.bench_function("normalize_already_normal", |b| {
        b.iter(|| normalize_path(black_box("/api/v1/orders/42/items")).map(|p| p.len()))
    });
    group.bench_function("normalize_with_dots", |b| {
        b.iter(|| normalize_path(black_box("/public/./a/../%7Euser//x")).map(|p| p.len()))
    });
    group.bench_function("route_lookup", |b| {
        b.iter(|| {
            table
                .access_for(&http::Method::GET, black_box("/admin/users/1"))
                .is_public()
        })
    });
    group.finish();
}

fn headers(c: &mut Criterion) {
    let names = IdentityHeaders::default();
    let identity = Identity::of_token(
        Arc::new(Principal::new(Arc::new(user()))),
        AuthMethod::Bearer,
        Some("0123456789abcdef0123456789abcdef"),
        None,
        u64::MAX,
    );
    let rules = ForwardingRules {
        trusted_proxies: Vec::new(),
        forward_credentials: false,
        credential_headers: vec![
            HeaderName::from_static("user-name"),
            HeaderName::from_static("password"),
        ],
        credential_cookie: None,
        scheme: "http",
        upstream_http2: false,
    };
    let request = request_headers(&[
        ("authorization", "Bearer x.y.z"),
        ("x-auth-user", "mallory"),
    ]);
    let peer = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let mut group = c.benchmark_group("headers");
    group.bench_function("identity_headers_into_request", |b| {
        // What upstream_request_filter does with an identity: insert the prebuilt names
        // and values into the outgoing Pingora request head (which keeps a header-case
        // map, as a proxied request's head does). The head's construction is included.
        b.iter(|| {
            let mut head = RequestHeader::build("GET", b"/api/x", Some(16)).unwrap();
            for (name, value) in names.pairs(black_box(&identity)) {
                head.insert_header(name.clone(), value.clone()).unwrap();
            }
            head.headers.len()
        })
    });
    group.bench_function("empty_request_head", |b| {
        // The construction alone, to subtract from the row above.
        b.iter(|| {
            RequestHeader::build("GET", b"/api/x", Some(16))
                .unwrap()
                .headers
                .len()
        })
    });
    group.bench_function("forwarding_edits", |b| {
        b.iter(|| rules.edits(black_box(&request), peer, &names).remove.len())
    });
    group.finish();
}

fn issue(c: &mut Criterion) {
    use gatehouse::dialects::{header_login, kerong, nomic};
    let key = hs_key();
    let user = user();
    let kerong = kerong::Settings {
        path: "/k".into(),
        keys: KeyRing::single(key.clone()),
        lifetime: Duration::from_secs(3600),
    };
    let header_login = header_login::Settings {
        path: "/login".into(),
        keys: KeyRing::single(key.clone()),
        lifetime: Duration::from_secs(1800),
    };
    let nomic = nomic::Settings {
        path: "/n".into(),
        keys: KeyRing::single(Arc::new(
            Key::generate_rsa("n", Algorithm::RS256, 2048).expect("rsa"),
        )),
        issuer: "NomicGameManager.Api".into(),
        lifetime: Duration::from_secs(7200),
        leeway_secs: 0,
        max_token_bytes: 8192,
    };
    let mut group = c.benchmark_group("issue");
    group.bench_function("gatehouse_hs256", |b| {
        b.iter(|| {
            gatehouse::tokens::issue_native(
                &key,
                "gatehouse",
                Duration::from_secs(3600),
                &user,
                now(),
            )
        })
    });
    group.bench_function("kerong_hs256", |b| b.iter(|| kerong.issue(&user, now())));
    group.bench_function("header_login_hs256", |b| {
        b.iter(|| header_login.issue(&user, now()))
    });
    group.bench_function("nomic_rs256", |b| b.iter(|| nomic.issue(&user, now())));
    group.finish();
}

fn revocations(c: &mut Criterion) {
    use gatehouse::revocations::{Revocation, RevocationMirror, StalePolicy, Target, TokenFacts};
    let metrics = Metrics::new().unwrap();
    let mirror = |live: usize| {
        let mirror = RevocationMirror::new(
            StalePolicy {
                max_stale: Duration::from_secs(30),
                fail_open: false,
            },
            metrics.store.clone(),
        );
        let revocations = (0..live)
            .map(|i| Revocation {
                target: if i % 10 == 0 {
                    Target::User(format!("user-{i}"))
                } else {
                    Target::Jti(format!("{:032x}", (i as u128) * 0x9e37_79b9_7f4a_7c15))
                },
                revoked_at: now(),
                expires_at: now() + 3600,
            })
            .collect();
        assert!(mirror.replace(revocations, mirror.changes()));
        mirror.set_age(Duration::ZERO);
        mirror
    };
    let token = TokenFacts {
        jti: Some("0123456789abcdef0123456789abcdef"),
        username: "alice",
        issued_at: Some(now()),
    };
    let mut group = c.benchmark_group("revocations");
    for (name, live) in [("check_none_live", 0), ("check_10k_live", 10_000)] {
        let mirror = mirror(live);
        assert!(mirror.check(token).is_ok());
        group.bench_function(name, |b| b.iter(|| mirror.check(black_box(token))));
    }
    group.finish();
}

criterion_group!(
    benches,
    cache_hit,
    issuers,
    cache_key,
    verify_uncached,
    credentials,
    paths,
    headers,
    issue,
    revocations
);
criterion_main!(benches);
