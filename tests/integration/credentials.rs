use crate::harness::{basic, demo_config, run_cli, Gatehouse};

fn assert_identity(
    r: &crate::harness::Response,
    user: &str,
    id: &str,
    email: &str,
    roles: &str,
    method: &str,
) {
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.echoed("x-auth-user"), [user]);
    assert_eq!(r.echoed("x-auth-user-id"), [id]);
    assert_eq!(r.echoed("x-auth-email"), [email]);
    assert_eq!(r.echoed("x-auth-roles"), [roles]);
    assert_eq!(r.echoed("x-auth-method"), [method]);
}

#[test]
fn basic_authenticates_and_forwards_store_identity() {
    let gh = Gatehouse::start(&demo_config());
    let r = gh.get(
        "/anything?x=1",
        &[("authorization", &basic("admin", "masterkey"))],
    );
    assert_identity(&r, "admin", "1", "admin@admin.com", "admin", "basic");
    assert_eq!(r.json()["path"], "/anything");
    assert_eq!(r.json()["query"], "x=1");
    assert!(r.echoed("x-auth-token-id").is_empty());
}

#[test]
fn header_pair_authenticates() {
    let gh = Gatehouse::start(&demo_config());
    let r = gh.get(
        "/orders",
        &[("User-Name", "user_test"), ("Password", "password_test")],
    );
    assert_identity(
        &r,
        "user_test",
        "4",
        "user_test@example.com",
        "user",
        "header",
    );
}

#[test]
fn bearer_token_header_and_cookie_authenticate() {
    let config = demo_config().replace(
        "token_header = \"X-Auth-Token\"",
        "token_header = \"X-Auth-Token\"\ncookie = \"gh_token\"",
    );
    let gh = Gatehouse::start(&config);
    let token = crate::harness::demo_token("TestUser");
    let r = gh.get("/a", &[("authorization", &format!("Bearer {token}"))]);
    assert_identity(
        &r,
        "TestUser",
        "2",
        "testuser@example.com",
        "user",
        "bearer",
    );
    assert_eq!(r.echoed("x-auth-token-id").len(), 1);
    assert_eq!(r.echoed("x-auth-token-id")[0].len(), 32);

    let r = gh.get("/a", &[("X-Auth-Token", &token)]);
    assert_identity(
        &r,
        "TestUser",
        "2",
        "testuser@example.com",
        "user",
        "bearer",
    );
    assert!(
        r.echoed("x-auth-token").is_empty(),
        "token header forwarded"
    );

    let r = gh.get(
        "/a",
        &[("cookie", &format!("theme=dark; gh_token={token}"))],
    );
    assert_identity(
        &r,
        "TestUser",
        "2",
        "testuser@example.com",
        "user",
        "bearer",
    );
    // The token cookie is removed, the others stay.
    assert_eq!(r.echoed("cookie"), ["theme=dark"]);
}

#[test]
fn missing_and_wrong_credentials_get_401_json_with_challenges() {
    let gh = Gatehouse::start(&demo_config());
    let r = gh.get("/anything", &[]);
    assert_eq!(r.status, 401);
    assert_eq!(
        r.json(),
        serde_json::json!({"error": "unauthorized", "message": "credentials are required"})
    );
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(
        r.header_all("www-authenticate"),
        [
            r#"Bearer realm="gatehouse""#,
            r#"Basic realm="gatehouse", charset="UTF-8""#
        ]
    );

    let wrong = gh.get("/anything", &[("authorization", &basic("admin", "wrong"))]);
    let unknown = gh.get("/anything", &[("authorization", &basic("nobody", "wrong"))]);
    let inactive = gh.get(
        "/anything",
        &[("authorization", &basic("disabled", "disabled"))],
    );
    for r in [&wrong, &unknown, &inactive] {
        assert_eq!(r.status, 401);
        // One answer for all three: no username oracle.
        assert_eq!(
            r.json(),
            serde_json::json!({"error": "unauthorized", "message": "invalid username or password"})
        );
    }

    let r = gh.get("/anything", &[("authorization", "Bearer not.a.jwt")]);
    assert_eq!(r.status, 401);
    assert_eq!(
        r.header_all("www-authenticate")[0],
        r#"Bearer realm="gatehouse", error="invalid_token""#
    );
    let r = gh.get("/anything", &[("User-Name", "admin")]);
    assert_eq!(r.status, 401);
    assert_eq!(
        r.json()["message"],
        "`User-Name` header given without `Password`"
    );
    let r = gh.get("/anything", &[("authorization", "Digest username=x")]);
    assert_eq!(
        r.json()["message"],
        "unsupported authorization scheme (expected Bearer or Basic)"
    );
}

#[test]
fn tokens_of_unknown_or_inactive_users_and_expired_tokens_are_refused() {
    let gh = Gatehouse::start(&demo_config());
    // A token for a user that a later config no longer has: sign one for a user that
    // exists only in a second config, with the same key.
    let dir = tempfile::tempdir().unwrap();
    let other = format!("{}\n[[users]]\nusername = \"ghost\"\npassword_hash = \"$argon2id$v=19$m=1024,t=1,p=1$OWQ5MjJjZDcyMDY3OGI5OQ$l0fAoGAs3pMEc/4OajYmng9Hqz4KZJS5wvwWmWd6QYg\"\nid = 99\n", demo_config());
    let path = dir.path().join("other.toml");
    std::fs::write(&path, other).unwrap();
    let (code, stdout, stderr) = run_cli(
        &[
            "token",
            "--config",
            &path.display().to_string(),
            "--user",
            "ghost",
        ],
        None,
    );
    assert_eq!(code, 0, "{stderr}");
    let r = gh.get(
        "/a",
        &[("authorization", &format!("Bearer {}", stdout.trim()))],
    );
    assert_eq!(r.status, 401);
    assert_eq!(r.json()["message"], "token's user is unknown");

    let expired_config =
        demo_config().replace("token_lifetime = \"1h\"", "token_lifetime = \"0s\"");
    let path = dir.path().join("expired.toml");
    std::fs::write(&path, expired_config).unwrap();
    let (_, stdout, _) = run_cli(
        &[
            "token",
            "--config",
            &path.display().to_string(),
            "--user",
            "admin",
        ],
        None,
    );
    // exp = iat: valid for the current second only (exp < now is expired).
    std::thread::sleep(std::time::Duration::from_millis(2100));
    let r = gh.get(
        "/a",
        &[("authorization", &format!("Bearer {}", stdout.trim()))],
    );
    assert_eq!(r.status, 401);
    assert_eq!(r.json()["message"], "token has expired");
}

#[test]
fn credentials_are_forwarded_only_when_configured() {
    let gh = Gatehouse::start(&demo_config());
    let r = gh.get("/a", &[("authorization", &basic("admin", "masterkey"))]);
    assert_eq!(r.status, 200);
    assert!(r.echoed("authorization").is_empty());
    let r = gh.get("/a", &[("User-Name", "test"), ("Password", "test")]);
    assert!(r.echoed("user-name").is_empty() && r.echoed("password").is_empty());

    let gh = Gatehouse::start(
        &demo_config().replace("forward_credentials = false", "forward_credentials = true"),
    );
    let r = gh.get("/a", &[("authorization", &basic("admin", "masterkey"))]);
    assert_eq!(r.echoed("authorization"), [basic("admin", "masterkey")]);
}

#[test]
fn disabled_kinds_are_refused_by_name() {
    let gh = Gatehouse::start(&demo_config().replace("basic = true", "basic = false"));
    let r = gh.get("/a", &[("authorization", &basic("admin", "masterkey"))]);
    assert_eq!(r.status, 401);
    assert_eq!(
        r.json()["message"],
        "Basic credentials are not accepted here"
    );
    // No Basic challenge is offered when Basic is off.
    assert_eq!(
        r.header_all("www-authenticate"),
        [r#"Bearer realm="gatehouse""#]
    );
}

#[test]
fn forwarding_headers_and_request_id() {
    let gh = Gatehouse::start(&demo_config());
    let r = gh.get(
        "/a",
        &[
            ("authorization", &basic("admin", "masterkey")),
            ("x-forwarded-for", "6.6.6.6"),
            ("x-request-id", "req-42"),
        ],
    );
    // Not from a trusted proxy: replaced, not appended.
    assert_eq!(r.echoed("x-forwarded-for"), ["127.0.0.1"]);
    assert_eq!(r.echoed("x-forwarded-proto"), ["http"]);
    assert_eq!(r.echoed("x-request-id"), ["req-42"]);
    assert_eq!(r.header("x-request-id"), Some("req-42"));
    let r = gh.get("/a", &[("authorization", &basic("admin", "masterkey"))]);
    let id = r.echoed("x-request-id");
    assert_eq!(id.len(), 1);
    assert_eq!(id[0].len(), 32);
}
