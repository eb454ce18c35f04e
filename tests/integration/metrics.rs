//! The operational metrics, observed through the admin port's `/metrics`: upstream latency,
//! dialect login outcomes and tokens issued, and key use on the verifier's uncached path.

use crate::harness::{basic, demo_config, demo_token, send, Gatehouse, Response};

const UPSTREAM_COUNT: &str = "gatehouse_upstream_response_seconds_count";
const UPSTREAM_SUM: &str = "gatehouse_upstream_response_seconds_sum";

fn logins(dialect: &str, result: &str) -> String {
    format!("gatehouse_dialect_logins_total{{dialect=\"{dialect}\",result=\"{result}\"}}")
}

fn issued(dialect: &str) -> String {
    format!("gatehouse_tokens_issued_total{{dialect=\"{dialect}\"}}")
}

fn key_uses(key: &str) -> String {
    format!("gatehouse_key_verifications_total{{key=\"{key}\"}}")
}

fn post_json(gh: &Gatehouse, path: &str, body: &str) -> Response {
    send(
        &gh.url(path),
        "POST",
        &[("Content-Type", "application/json")],
        Some(body.as_bytes()),
    )
}

#[test]
fn upstream_latency_counts_only_requests_that_went_upstream() {
    let gh = Gatehouse::start(&demo_config());
    // The histogram is there from the start, empty.
    let text = String::from_utf8_lossy(
        &crate::harness::raw_get(gh.admin_addr(), "/metrics")
            .unwrap()
            .body,
    )
    .into_owned();
    assert!(text.contains(&format!("{UPSTREAM_COUNT} 0")), "{text}");

    // Refused before the upstream: not observed.
    assert_eq!(gh.get("/orders", &[]).status, 401);
    assert_eq!(gh.metric(UPSTREAM_COUNT), 0.0);

    let r = gh.get(
        "/orders",
        &[("authorization", &basic("admin", "masterkey"))],
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(gh.metric(UPSTREAM_COUNT), 1.0);
    assert!(gh.metric(UPSTREAM_SUM) > 0.0);

    // A public route goes upstream too.
    assert_eq!(gh.get("/public/hello", &[]).status, 200);
    assert_eq!(gh.metric(UPSTREAM_COUNT), 2.0);

    // Refusals (401, 403) and answers gatehouse gives itself (a dialect login) are not.
    assert_eq!(
        gh.get("/orders", &[("authorization", &basic("admin", "wrong"))])
            .status,
        401
    );
    assert_eq!(
        gh.get(
            "/admin/panel",
            &[("authorization", &basic("TestUser", "password"))]
        )
        .status,
        403
    );
    assert_eq!(
        gh.get(
            "/login",
            &[("User-Name", "user_test"), ("Password", "password_test")]
        )
        .status,
        200
    );
    assert_eq!(gh.metric(UPSTREAM_COUNT), 2.0);
    assert_eq!(
        gh.metric("gatehouse_upstream_response_seconds_bucket{le=\"+Inf\"}"),
        2.0
    );
}

#[test]
fn dialect_logins_and_issued_tokens_are_counted_per_dialect() {
    let gh = Gatehouse::start(&demo_config());
    let good = r#"{"email": "admin@admin.com", "password": "masterkey"}"#;
    let r = post_json(&gh, "/token/", good);
    assert_eq!(r.status, 200, "{}", r.text());
    let r = post_json(
        &gh,
        "/token/",
        r#"{"email": "admin@admin.com", "password": "nope"}"#,
    );
    assert_eq!(r.status, 401, "{}", r.text());
    assert_eq!(gh.metric(&logins("simplejwt", "ok")), 1.0);
    assert_eq!(gh.metric(&logins("simplejwt", "invalid")), 1.0);
    // A login signs a refresh and an access token; a failed one signs nothing.
    assert_eq!(gh.metric(&issued("simplejwt")), 2.0);
    // Nothing was counted under another dialect.
    assert_eq!(gh.metric(&logins("kerong", "ok")), 0.0);
    assert_eq!(gh.metric(&logins("kerong", "invalid")), 0.0);
    assert_eq!(gh.metric(&issued("kerong")), 0.0);

    let r = post_json(
        &gh,
        "/api/v1/auth/token",
        r#"{"username": "admin", "password": "masterkey"}"#,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    for _ in 0..2 {
        let r = post_json(
            &gh,
            "/api/v1/auth/token",
            r#"{"username": "admin", "password": "nope"}"#,
        );
        assert_eq!(r.status, 401, "{}", r.text());
    }
    // A malformed request never reaches a password check.
    let r = post_json(&gh, "/api/v1/auth/token", r#"{"username": "admin"}"#);
    assert_eq!(r.status, 400, "{}", r.text());
    assert_eq!(gh.metric(&logins("kerong", "ok")), 1.0);
    assert_eq!(gh.metric(&logins("kerong", "invalid")), 2.0);
    assert_eq!(gh.metric(&issued("kerong")), 1.0);
    assert_eq!(gh.metric(&logins("simplejwt", "ok")), 1.0);
    assert_eq!(gh.metric(&issued("simplejwt")), 2.0);
    // Renewing a token (nomic, with its own Bearer token) signs without a login.
    let r = send(
        &gh.url("/api/auth/token"),
        "POST",
        &[("Authorization", "Basic VGVzdFVzZXI6cGFzc3dvcmQ=")],
        None,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let token = r.json()["token"].as_str().unwrap().to_owned();
    let r = send(
        &gh.url("/api/auth/token"),
        "POST",
        &[("Authorization", &format!("Bearer {token}"))],
        None,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(gh.metric(&logins("nomic", "ok")), 1.0);
    assert_eq!(gh.metric(&issued("nomic")), 2.0);
}

#[test]
fn rate_limited_dialect_logins_are_counted_as_such() {
    let config = demo_config().replace("per_user = 10\n", "per_user = 3\n");
    assert_ne!(config, demo_config(), "the demo's [auth.rate_limit] moved");
    let gh = Gatehouse::start(&config);
    let login = |password: &str| {
        gh.get(
            "/login",
            &[("User-Name", "user_test"), ("Password", password)],
        )
    };
    for i in 0..3 {
        assert_eq!(login(&format!("guess{i}")).status, 404, "attempt {i}");
    }
    // Over the limit: refused before hashing, even with the right password.
    let r = login("password_test");
    assert_eq!(r.status, 429, "{}", r.text());
    assert_eq!(gh.metric(&logins("header_login", "invalid")), 3.0);
    assert_eq!(gh.metric(&logins("header_login", "rate_limited")), 1.0);
    assert_eq!(gh.metric(&logins("header_login", "ok")), 0.0);
    assert_eq!(gh.metric(&issued("header_login")), 0.0);
}

#[test]
fn key_use_is_counted_once_per_verification_not_per_cache_hit() {
    let gh = Gatehouse::start(&demo_config());
    let token = demo_token("TestUser");
    let bearer = format!("Bearer {token}");
    assert_eq!(gh.metric(&key_uses("demo-hs256")), 0.0);
    for _ in 0..3 {
        let r = gh.get("/orders", &[("authorization", &bearer)]);
        assert_eq!(r.status, 200, "{}", r.text());
    }
    // Verified once; the other two were cache hits.
    assert_eq!(gh.metric(&key_uses("demo-hs256")), 1.0);
    assert_eq!(
        gh.metric("gatehouse_verifier_cache_total{credential=\"bearer\",result=\"hit\"}"),
        2.0
    );

    // A token with a tampered signature is verified by no key.
    let (signed, signature) = token.rsplit_once('.').unwrap();
    let flipped = if signature.starts_with('A') { "B" } else { "A" };
    let tampered = format!("Bearer {signed}.{flipped}{}", &signature[1..]);
    assert_eq!(
        gh.get("/orders", &[("authorization", &tampered)]).status,
        401
    );
    assert_eq!(gh.metric(&key_uses("demo-hs256")), 1.0);

    // A dialect's token (no kid: every HS256 key is tried) counts under the key that
    // verified it, not under the ones tried before.
    let r = post_json(
        &gh,
        "/api/v1/auth/token",
        r#"{"username": "test", "password": "test"}"#,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let token = r.json()["token"].as_str().unwrap().to_owned();
    let r = gh.get("/orders", &[("authorization", &format!("Bearer {token}"))]);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(gh.metric(&key_uses("kerong-hs256")), 1.0);
    assert_eq!(gh.metric(&key_uses("demo-hs256")), 1.0);
}
