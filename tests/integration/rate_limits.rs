use crate::harness::{basic, demo_config, Gatehouse};

fn limited_config(per_client: u32, per_user: u32) -> String {
    let config = demo_config()
        .replace("per_client = 30\n", &format!("per_client = {per_client}\n"))
        .replace("per_user = 10\n", &format!("per_user = {per_user}\n"));
    assert_ne!(config, demo_config(), "the demo's [auth.rate_limit] moved");
    config
}

#[test]
fn brute_force_on_a_username_reaches_429_and_then_even_the_right_password_is_refused() {
    let gh = Gatehouse::start(&limited_config(100, 3));
    for i in 0..3 {
        let r = gh.get(
            "/a",
            &[("authorization", &basic("admin", &format!("guess{i}")))],
        );
        assert_eq!(r.status, 401, "attempt {i}");
    }
    let r = gh.get("/a", &[("authorization", &basic("admin", "masterkey"))]);
    assert_eq!(r.status, 429, "{}", r.text());
    assert_eq!(r.header("retry-after"), Some("60"));
    assert_eq!(r.json()["error"], "too_many_requests");
    // Another spelling of the username shares the budget; another user does not.
    assert_eq!(
        gh.get("/a", &[("User-Name", "ADMIN"), ("Password", "masterkey")])
            .status,
        429
    );
    assert_eq!(
        gh.get("/a", &[("authorization", &basic("TestUser", "password"))])
            .status,
        200
    );
}

#[test]
fn a_client_is_limited_across_usernames_and_spoofed_forwarding_headers_do_not_help() {
    let gh = Gatehouse::start(&limited_config(4, 100));
    for i in 0..4 {
        let spoof = format!("10.9.8.{i}");
        let r = gh.get(
            "/a",
            &[
                ("authorization", &basic(&format!("user{i}"), "x")),
                ("x-forwarded-for", &spoof),
            ],
        );
        assert_eq!(r.status, 401);
    }
    let r = gh.get(
        "/a",
        &[
            ("authorization", &basic("test", "test")),
            ("x-forwarded-for", "1.2.3.4"),
        ],
    );
    assert_eq!(r.status, 429, "{}", r.text());
    // Token traffic is not rate limited.
    let token = crate::harness::demo_token("admin");
    let r = gh.get("/a", &[("authorization", &format!("Bearer {token}"))]);
    assert_eq!(r.status, 200);
}
