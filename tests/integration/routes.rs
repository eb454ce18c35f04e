use crate::harness::{basic, demo_config, raw_request, Gatehouse};

#[test]
fn public_prefix_needs_no_credentials() {
    let gh = Gatehouse::start(&demo_config());
    let r = gh.get("/public/index.html", &[]);
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["path"], "/public/index.html");
    // Only the prefix is public.
    assert_eq!(gh.get("/publicity", &[]).status, 401);
}

#[test]
fn role_routes_give_403_to_the_wrong_role_and_401_to_nobody() {
    let gh = Gatehouse::start(&demo_config());
    let r = gh.get(
        "/admin/users",
        &[("authorization", &basic("TestUser", "password"))],
    );
    assert_eq!(r.status, 403);
    assert_eq!(
        r.json(),
        serde_json::json!({"error": "forbidden", "message": "requires one of the roles: admin"})
    );
    assert!(r.header("www-authenticate").is_none());
    let r = gh.get("/admin/users", &[]);
    assert_eq!(r.status, 401);
    assert!(r.header("www-authenticate").is_some());
    let r = gh.get(
        "/admin/users",
        &[("authorization", &basic("admin", "masterkey"))],
    );
    assert_eq!(r.status, 200);
    // The role route also guards the path without its trailing slash.
    assert_eq!(
        gh.get(
            "/admin",
            &[("authorization", &basic("TestUser", "password"))]
        )
        .status,
        403
    );
}

#[test]
fn methods_narrow_a_route() {
    let config = format!(
        "{}\n[[routes]]\nprefix = \"/docs/\"\nmethods = [\"GET\", \"HEAD\"]\naccess = \"public\"\n",
        demo_config()
    );
    let gh = Gatehouse::start(&config);
    assert_eq!(gh.get("/docs/a", &[]).status, 200);
    assert_eq!(gh.request("DELETE", "/docs/a", &[]).status, 401);
}

#[test]
fn paths_are_normalised_before_routing_and_forwarding() {
    let gh = Gatehouse::start(&demo_config());
    let user = basic("TestUser", "password");
    let admin = basic("admin", "masterkey");
    // A public prefix cannot be used to climb into a role route.
    for path in [
        "/public/../admin/x",
        "/public/%2e%2e/admin/x",
        "/public/.%2E/admin/x",
        "//admin/x",
        "/public/./../admin/x",
    ] {
        let request = format!(
            "GET {path} HTTP/1.1\r\nHost: a\r\nAuthorization: {user}\r\nConnection: close\r\n\r\n"
        );
        let r = raw_request(gh.addr(), request.as_bytes()).unwrap();
        assert_eq!(r.status, 403, "{path}: {}", r.text());
        let request = format!(
            "GET {path} HTTP/1.1\r\nHost: a\r\nAuthorization: {admin}\r\nConnection: close\r\n\r\n"
        );
        let r = raw_request(gh.addr(), request.as_bytes()).unwrap();
        assert_eq!(r.status, 200, "{path}");
        // The upstream sees the path gatehouse routed on.
        assert_eq!(r.json()["path"], "/admin/x", "{path}");
    }
    let r = raw_request(
        gh.addr(),
        b"GET /public/a%7Eb/./c?q=%2e HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
    )
    .unwrap();
    assert_eq!(r.json()["path"], "/public/a~b/c");
    assert_eq!(r.json()["query"], "q=%2e");
}

#[test]
fn ambiguous_paths_are_refused_with_400() {
    let gh = Gatehouse::start(&demo_config());
    for path in [
        "/public/..%2fadmin",
        "/public/%2F",
        "/public/a%5cb",
        "/public/a%00",
        "/public/../../etc",
        "/public/x;y",
    ] {
        let request = format!("GET {path} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
        let r = raw_request(gh.addr(), request.as_bytes()).unwrap();
        assert_eq!(r.status, 400, "{path}: {}", r.text());
        assert_eq!(r.json()["error"], "bad_request", "{path}");
    }
}

#[test]
fn oversized_targets_and_heads_are_refused_before_anything_else() {
    let gh = Gatehouse::start(&demo_config());
    let long_path = format!("/public/{}", "a".repeat(9000));
    let request = format!("GET {long_path} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
    let r = raw_request(gh.addr(), request.as_bytes()).unwrap();
    assert_eq!(r.status, 414, "{}", r.text());
    assert_eq!(r.json()["error"], "uri_too_long");

    let big = "b".repeat(8000);
    let mut request = String::from("GET /public/x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n");
    for i in 0..5 {
        request.push_str(&format!("X-Filler-{i}: {big}\r\n"));
    }
    request.push_str("\r\n");
    let r = raw_request(gh.addr(), request.as_bytes()).unwrap();
    assert_eq!(r.status, 431, "{}", r.text());
    assert_eq!(r.json()["error"], "request_header_fields_too_large");
    // Just under the limits still works.
    assert_eq!(
        gh.get(&format!("/public/{}", "a".repeat(8000)), &[]).status,
        200
    );
}
