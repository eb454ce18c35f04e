use crate::harness::{basic, demo_config, Gatehouse};

#[test]
fn json_access_lines_parse_and_never_hold_secrets() {
    let gh = Gatehouse::start(&demo_config());
    let token = crate::harness::demo_token("admin");
    let auth = basic("admin", "masterkey");
    assert_eq!(
        gh.get(
            "/orders?secret=hunter2",
            &[("authorization", &auth), ("x-request-id", "log-test-1")]
        )
        .status,
        200
    );
    assert_eq!(
        gh.get("/orders", &[("authorization", &format!("Bearer {token}"))])
            .status,
        200
    );
    assert_eq!(
        gh.get(
            "/orders",
            &[("authorization", &basic("admin", "wrong-password"))]
        )
        .status,
        401
    );
    assert_eq!(
        gh.get(
            "/login",
            &[("User-Name", "user_test"), ("Password", "password_test")]
        )
        .status,
        200
    );

    // Lines are written after the response; give the last one a moment.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    let lines = loop {
        let lines: Vec<serde_json::Value> = gh
            .log()
            .lines()
            .filter(|l| l.starts_with('{'))
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
            .collect();
        if lines.len() >= 4 || std::time::Instant::now() > deadline {
            break lines;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    assert_eq!(lines.len(), 4, "{lines:?}");
    let first = &lines[0];
    assert_eq!(first["request_id"], "log-test-1");
    assert_eq!(first["method"], "GET");
    assert_eq!(first["path"], "/orders");
    assert_eq!(first["status"], 200);
    assert_eq!(first["credential"], "basic");
    assert_eq!(first["user"], "admin");
    assert_eq!(first["outcome"], "forwarded");
    assert_eq!(first["upstream_status"], 200);
    assert!(first["latency_ms"].as_f64().unwrap() >= 0.0);
    assert_eq!(lines[2]["outcome"], "unauthorized");
    assert_eq!(lines[3]["dialect"], "header_login");

    let log = gh.log();
    for secret in [
        "masterkey",
        "wrong-password",
        "password_test",
        "hunter2",
        token.as_str(),
        auth.trim_start_matches("Basic "),
    ] {
        assert!(!log.contains(secret), "the log contains a secret: {secret}");
    }
}
