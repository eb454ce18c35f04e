use crate::harness::{basic, demo_config, raw_request, Gatehouse};

/// Every spelling and smuggling of the identity headers a client might try.
fn forgeries() -> Vec<(&'static str, &'static str)> {
    vec![
        ("X-Auth-User", "mallory"),
        ("x-auth-user", "mallory2"),
        ("X-AUTH-USER", "mallory3"),
        ("X_Auth_User", "mallory4"),
        ("x_auth-user", "mallory5"),
        ("X-Auth-User-Id", "0"),
        ("X-Auth-Email", "mallory@evil"),
        ("X-Auth-Roles", "admin"),
        ("X_Auth_Roles", "admin"),
        ("X-Auth-Method", "basic"),
        ("X-Auth-Token-Id", "forged"),
    ]
}

fn assert_no_forgery(r: &crate::harness::Response) {
    let json = r.json();
    let headers = json["headers"].as_object().unwrap();
    for (name, values) in headers {
        let folded = name.replace('_', "-");
        if folded.starts_with("x-auth-") {
            for v in values.as_array().unwrap() {
                let v = v.as_str().unwrap();
                assert!(
                    !v.contains("mallory") && v != "forged" && v != "0",
                    "{name}: {v} reached the upstream"
                );
            }
        }
        assert!(
            !name.contains('_'),
            "underscore header {name} reached the upstream"
        );
    }
}

#[test]
fn the_done_when_example() {
    let gh = Gatehouse::start(&demo_config());
    let r = gh.get(
        "/anything",
        &[
            ("authorization", &basic("admin", "masterkey")),
            ("X-Auth-User", "mallory"),
        ],
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.echoed("x-auth-user"), ["admin"]);
}

#[test]
fn forged_identity_is_stripped_on_authenticated_routes() {
    let gh = Gatehouse::start(&demo_config());
    let mut headers = forgeries();
    let auth = basic("TestUser", "password");
    headers.push(("authorization", &auth));
    let r = gh.get("/a", &headers);
    assert_eq!(r.status, 200);
    assert_no_forgery(&r);
    assert_eq!(r.echoed("x-auth-user"), ["TestUser"]);
    assert_eq!(r.echoed("x-auth-roles"), ["user"]);
}

#[test]
fn forged_identity_is_stripped_on_public_routes() {
    let gh = Gatehouse::start(&demo_config());
    let r = gh.get("/public/page", &forgeries());
    assert_eq!(r.status, 200);
    assert_no_forgery(&r);
    assert!(r.echoed("x-auth-user").is_empty());
    assert!(r.echoed("x-auth-roles").is_empty());
}

#[test]
fn duplicate_and_connection_listed_forgeries_are_stripped() {
    let gh = Gatehouse::start(&demo_config());
    // Raw bytes: duplicates, a name listed in Connection, and a hop-by-hop header.
    let request = "GET /public/x HTTP/1.1\r\nHost: a\r\nX-Auth-User: m1\r\nX-Auth-User: m2\r\nx-auth-roles: admin\r\nConnection: close, X-Secret-Hop\r\nX-Secret-Hop: 1\r\nKeep-Alive: timeout=5\r\n\r\n";
    let r = raw_request(gh.addr(), request.as_bytes()).unwrap();
    assert_eq!(r.status, 200);
    let json = r.json();
    let headers = json["headers"].as_object().unwrap();
    for gone in ["x-auth-user", "x-auth-roles", "x-secret-hop", "keep-alive"] {
        assert!(
            !headers.contains_key(gone),
            "{gone} reached the upstream: {json}"
        );
    }
    // `Connection` itself is hop-by-hop: whatever gatehouse sends upstream is its own.
    let connection = headers
        .get("connection")
        .map(|v| v.to_string())
        .unwrap_or_default();
    assert!(
        !connection.to_ascii_lowercase().contains("x-secret-hop"),
        "{connection}"
    );
}

#[test]
fn forgeries_are_not_echoed_in_refusals() {
    let gh = Gatehouse::start(&demo_config());
    let r = gh.get("/a", &forgeries());
    assert_eq!(r.status, 401);
    assert!(!r.text().contains("mallory"));
}
