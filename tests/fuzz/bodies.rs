//! The bodies of gatehouse's fuzz targets, shared by the cargo-fuzz targets in
//! `fuzz_targets/` (coverage-guided, run by hand) and by the seeded smoke run in
//! `tests/integration/fuzz_smoke.rs` (in CI). Each takes arbitrary bytes and checks that
//! the code under test never panics and keeps its invariants.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use gatehouse::credentials::{decode_basic, CredentialRules, Presented};
use gatehouse::keys::{Key, KeyMaterial, KeyRing};
use gatehouse::routes::{normalize_path, Access, RouteRule, RouteTable};
use gatehouse::verifier::jwt::{
    decode_with_policy, ClaimProfile, TokenAcceptor, TokenAcceptors, UserClaim,
};
use http::header::{HeaderMap, HeaderName, HeaderValue};

fn key() -> &'static Arc<Key> {
    static KEY: OnceLock<Arc<Key>> = OnceLock::new();
    KEY.get_or_init(|| {
        let secret = b"fuzzing-secret-fuzzing-secret-0123456789";
        Arc::new(
            Key::new(
                "fuzz",
                jsonwebtoken::Algorithm::HS256,
                KeyMaterial::Hmac(Some(secret)),
            )
            .unwrap(),
        )
    })
}

/// Credential parsing: arbitrary header lines (`name: value`, one per line).
pub fn credentials(data: &[u8]) {
    let rules = CredentialRules {
        bearer: true,
        basic: true,
        header_pair: true,
        username_header: HeaderName::from_static("user-name"),
        password_header: HeaderName::from_static("password"),
        token_header: Some(HeaderName::from_static("x-auth-token")),
        cookie: Some("gh_token".into()),
        max_token_bytes: 8192,
    };
    let mut headers = HeaderMap::new();
    for line in data.split(|b| *b == b'\n').take(16) {
        let Some(colon) = line.iter().position(|b| *b == b':') else {
            continue;
        };
        let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(&line[..colon]),
            HeaderValue::from_bytes(line[colon + 1..].trim_ascii()),
        ) else {
            continue;
        };
        headers.append(name, value);
    }
    if let Ok(Some(Presented::Basic { encoded })) = rules.extract(&headers) {
        let _ = decode_basic(encoded);
    }
}

/// Path normalisation and routing: never panics; every accepted path is normal.
pub fn paths(data: &[u8]) {
    let Ok(raw) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(normal) = normalize_path(raw) else {
        return;
    };
    assert!(normal.starts_with('/'), "{raw:?} -> {normal:?}");
    assert!(
        !normal.contains("//") && !normal.contains("/./") && !normal.contains("/../"),
        "{raw:?} -> {normal:?}"
    );
    let again = normalize_path(&normal).expect("a normalised path normalises");
    assert_eq!(again, normal, "not a fixpoint: {raw:?}");
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
                access: Access::AnyRole(vec!["admin".into()].into()),
            },
        ],
        Access::Authenticated,
    );
    let access = table.access_for(&http::Method::GET, &normal);
    // Nothing that normalises to a path under /admin may be public.
    if normal == "/admin" || normal.starts_with("/admin/") {
        assert!(!access.is_public(), "{raw:?}");
    }
}

/// Token verification: arbitrary text never verifies and never panics.
pub fn tokens(data: &[u8]) {
    let Ok(token) = std::str::from_utf8(data) else {
        return;
    };
    let acceptors = TokenAcceptors::new(vec![
        TokenAcceptor::new(key().clone(), ClaimProfile::native("gatehouse"), 0),
        TokenAcceptor::new(
            key().clone(),
            ClaimProfile::new("simplejwt", UserClaim::UserId).with_token_type("access"),
            0,
        ),
        TokenAcceptor::new(
            key().clone(),
            ClaimProfile::new("header_login", UserClaim::User),
            0,
        ),
    ]);
    assert!(
        acceptors.verify(token).is_err(),
        "a token verified without the key: {token:?}"
    );
    assert!(decode_with_policy(token, &KeyRing::single(key().clone()), 0, 8192).is_err());
}

/// Configuration: arbitrary TOML gives errors, never a panic.
pub fn config(data: &[u8]) {
    let Ok(source) = std::str::from_utf8(data) else {
        return;
    };
    if leaves_the_process(source) {
        return;
    }
    let _ = gatehouse::config::Config::from_source(
        "fuzz.toml",
        source,
        std::path::Path::new("/nonexistent"),
        &|_| None,
    );
}

/// Configurations the `config` target skips because validating them would reach outside
/// the process: an upstream `address` that is a host name (validation resolves it, a DNS
/// query to the machine's resolver that can hang for a minute) and any path into `/dev`,
/// `/proc` or `/sys` (`secret_file = "/dev/zero"` reads forever). Decided on the parsed
/// document, so TOML escapes cannot hide either; text that does not parse is never
/// validated further, so it is kept.
fn leaves_the_process(source: &str) -> bool {
    fn any_string(value: &toml::Value, found: &dyn Fn(&str) -> bool) -> bool {
        match value {
            toml::Value::String(s) => found(s),
            toml::Value::Array(items) => items.iter().any(|v| any_string(v, found)),
            toml::Value::Table(table) => table.values().any(|v| any_string(v, found)),
            _ => false,
        }
    }
    let Ok(document) = toml::from_str::<toml::Table>(source) else {
        return false;
    };
    let resolves = document
        .get("upstream")
        .and_then(|u| u.get("address"))
        .and_then(toml::Value::as_str)
        .is_some_and(|a| a != "builtin:echo" && a.parse::<std::net::SocketAddr>().is_err());
    resolves
        || any_string(&toml::Value::Table(document), &|s| {
            ["/dev", "/proc", "/sys"].iter().any(|p| s.contains(p))
        })
}

/// Everything the dialects need, built once per process.
struct DialectHarness {
    dialects: gatehouse::dialects::Dialects,
    users: gatehouse::users::directory::Directory,
    keys: gatehouse::keys::KeySet,
    pool: Arc<gatehouse::offload::HashPool>,
    passwords: gatehouse::passwords::PasswordChecker,
    counters: gatehouse::metrics::DialectCounters,
    store: gatehouse::store::Store,
    limiter: gatehouse::ratelimit::FailureLimiter,
    runtime: tokio::runtime::Runtime,
}

/// Dialect request parsing: arbitrary bodies and methods against every dialect endpoint.
pub fn dialects(data: &[u8]) {
    use gatehouse::dialects::{
        drf_jwt, header_login, kerong, simplejwt, Action, Api, Dialect, DialectContext,
        DialectRequest, Dialects, Enabled, Endpoint, Language,
    };
    static STATE: OnceLock<DialectHarness> = OnceLock::new();
    let DialectHarness {
        dialects,
        users,
        keys,
        pool,
        passwords,
        counters,
        store,
        limiter,
        runtime,
    } = STATE.get_or_init(|| {
        let key = KeyRing::single(key().clone());
        let enable = |name: &str, api: Arc<dyn Api>| Enabled {
            dialect: Dialect::named(name).unwrap(),
            api,
        };
        let settings = vec![
            enable(
                "kerong",
                Arc::new(kerong::Settings {
                    path: "/k".into(),
                    keys: key.clone(),
                    lifetime: Duration::from_secs(60),
                }),
            ),
            enable(
                "header_login",
                Arc::new(header_login::Settings {
                    path: "/h".into(),
                    keys: key.clone(),
                    lifetime: Duration::from_secs(60),
                }),
            ),
            enable(
                "simplejwt",
                Arc::new(simplejwt::Settings {
                    token_path: "/s/".into(),
                    refresh_path: "/s/refresh/".into(),
                    verify_path: "/s/verify/".into(),
                    blacklist_path: "/s/blacklist/".into(),
                    keys: key.clone(),
                    access_lifetime: Duration::from_secs(60),
                    refresh_lifetime: Duration::from_secs(3600),
                    rotate_refresh_tokens: true,
                    blacklist_after_rotation: true,
                    language: Language::Ru,
                    leeway_secs: 0,
                    max_token_bytes: 8192,
                }),
            ),
            enable(
                "drf_jwt",
                Arc::new(drf_jwt::Settings {
                    auth_path: "/d/".into(),
                    refresh_path: "/d/refresh/".into(),
                    verify_path: "/d/verify/".into(),
                    keys: key,
                    lifetime: Duration::from_secs(300),
                    refresh_window: Duration::from_secs(3600),
                    allow_refresh: true,
                    language: Language::En,
                    leeway_secs: 0,
                    max_token_bytes: 8192,
                }),
            ),
        ];
        // htpasswd -nbB -C 4 alice 'correct horse': a cheap hash keeps logins fast.
        let hash = gatehouse::users::PasswordHash::parse(
            "$2y$04$2nIagUtAOLZ0/Z7DYISSb.3AjpuquUEZYrZH0EKRs3LvQ.nGw5Sdq",
        )
        .unwrap();
        let user = gatehouse::users::User {
            username: "alice".into(),
            id: Some(1),
            email: Some("alice@example.com".into()),
            roles: vec!["user".into()],
            active: true,
            password: hash,
        };
        let pool = Arc::new(gatehouse::offload::HashPool::new(1, 4).unwrap());
        let metrics = Arc::new(gatehouse::metrics::Metrics::new().unwrap());
        DialectHarness {
            dialects: Dialects::new(settings),
            users: gatehouse::users::directory::Directory::configured_only(vec![user]),
            keys: gatehouse::keys::KeySet::new(vec![]),
            pool: pool.clone(),
            passwords: gatehouse::passwords::PasswordChecker::new(pool, metrics.clone()),
            counters: metrics.dialect_counters("fuzz"),
            // An embedded store of this process's own: blacklists and outstanding tokens
            // are written for real.
            store: gatehouse::store::Store::open(
                &gatehouse::store::StateSettings::embedded(
                    std::env::temp_dir().join(format!("gatehouse-fuzz-{}", std::process::id())),
                ),
                metrics.store.clone(),
            )
            .unwrap(),
            limiter: gatehouse::ratelimit::FailureLimiter::new(
                gatehouse::ratelimit::LimitSettings::default(),
            ),
            runtime: tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()
                .unwrap(),
        }
    });
    let (selector, rest) = data.split_first().unwrap_or((&0, &[]));
    let dialect = |name: &str| Dialect::named(name).unwrap();
    let endpoints = [
        Endpoint::Dialect(dialect("kerong"), Action::Obtain),
        Endpoint::Dialect(dialect("header_login"), Action::Obtain),
        Endpoint::Dialect(dialect("simplejwt"), Action::Obtain),
        Endpoint::Dialect(dialect("simplejwt"), Action::Refresh),
        Endpoint::Dialect(dialect("simplejwt"), Action::Verify),
        Endpoint::Dialect(dialect("simplejwt"), Action::Blacklist),
        Endpoint::Dialect(dialect("drf_jwt"), Action::Obtain),
        Endpoint::Dialect(dialect("drf_jwt"), Action::Refresh),
        Endpoint::Dialect(dialect("drf_jwt"), Action::Verify),
    ];
    let endpoint = endpoints[*selector as usize % endpoints.len()];
    let content_types = [
        "application/json",
        "application/x-www-form-urlencoded",
        "text/plain",
        "multipart/form-data; boundary=x",
    ];
    let mut headers = HeaderMap::new();
    headers.insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static(content_types[(*selector as usize / 16) % content_types.len()]),
    );
    if let Ok(value) = HeaderValue::from_bytes(&rest[..rest.len().min(40)]) {
        headers.insert("user-name", value.clone());
        headers.insert("password", value);
    }
    let method = if selector % 7 == 0 {
        http::Method::GET
    } else {
        http::Method::POST
    };
    let request = DialectRequest {
        method: &method,
        path: "/fuzz",
        headers: &headers,
        body: rest,
        client_ip: std::net::Ipv4Addr::LOCALHOST.into(),
        now: std::time::SystemTime::now(),
    };
    let ctx = DialectContext {
        users,
        keys,
        pool,
        passwords,
        store,
        limiter,
        client_ip: std::net::Ipv4Addr::LOCALHOST.into(),
        counters: Some(counters),
    };
    let response = runtime.block_on(dialects.answer(endpoint, &request, &ctx));
    assert!((200..600).contains(&response.status), "{}", response.status);
}
