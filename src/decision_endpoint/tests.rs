use super::*;

fn settings(trusted: &[&str]) -> DecisionSettings {
    DecisionSettings {
        prefix: DEFAULT_PREFIX.into(),
        trusted_peers: trusted.iter().map(|t| t.parse().unwrap()).collect(),
        envoy_remove_credentials: false,
        original: OriginalFrom::Auto,
    }
}

fn asked(method: &str, target: &str, headers: &[(&str, &str)]) -> RequestHeader {
    let mut request = RequestHeader::build(method, target.as_bytes(), None).unwrap();
    request.append_header("Host", "gatehouse.internal").unwrap();
    for (name, value) in headers {
        request.append_header(name.to_string(), *value).unwrap();
    }
    request
}

fn peer(ip: &str) -> IpAddr {
    ip.parse().unwrap()
}

fn target(request: &RequestHeader) -> (String, String) {
    (
        request.method.to_string(),
        String::from_utf8_lossy(request.raw_path()).into_owned(),
    )
}

#[test]
fn the_prefix_and_what_follows_it() {
    let s = settings(&[]);
    assert_eq!(s.rest("/.gatehouse/decision"), Some(""));
    assert_eq!(s.rest("/.gatehouse/decision/orders/1"), Some("/orders/1"));
    assert_eq!(s.rest("/.gatehouse/decisions"), None);
    assert_eq!(s.rest("/orders"), None);
}

#[test]
fn each_client_protocol_names_the_original_request() {
    let s = settings(&["127.0.0.1/32"]);
    let local = peer("127.0.0.1");
    // Traefik / Caddy.
    let traefik = asked(
        "GET",
        "/.gatehouse/decision",
        &[
            ("X-Forwarded-Method", "DELETE"),
            ("X-Forwarded-Uri", "/admin/x?y=1"),
            ("X-Forwarded-Host", "shop.example.com"),
            ("Authorization", "Basic x"),
        ],
    );
    let original = original_request(&traefik, local, &s).unwrap();
    assert_eq!(target(&original), ("DELETE".into(), "/admin/x?y=1".into()));
    assert_eq!(original.headers["host"], "shop.example.com");
    assert_eq!(original.headers["authorization"], "Basic x");
    assert!(original.headers.get("x-forwarded-uri").is_none());
    // ingress-nginx: an absolute X-Original-URL; plain nginx: X-Original-URI.
    let ingress = asked(
        "GET",
        "/.gatehouse/decision",
        &[
            ("X-Original-URL", "https://shop.example.com/public/a?b=c"),
            ("X-Original-Method", "POST"),
        ],
    );
    let original = original_request(&ingress, local, &s).unwrap();
    assert_eq!(target(&original), ("POST".into(), "/public/a?b=c".into()));
    let nginx = asked(
        "GET",
        "/.gatehouse/decision",
        &[("X-Original-URI", "/orders")],
    );
    assert_eq!(
        target(&original_request(&nginx, local, &s).unwrap()),
        ("GET".into(), "/orders".into())
    );
    // Envoy with path_prefix: its own method, the path after the prefix.
    let envoy = asked("PUT", "/.gatehouse/decision/orders/7?v=2", &[]);
    assert_eq!(
        target(&original_request(&envoy, local, &s).unwrap()),
        ("PUT".into(), "/orders/7?v=2".into())
    );
    let bare = asked("GET", "/.gatehouse/decision", &[]);
    assert_eq!(target(&original_request(&bare, local, &s).unwrap()).1, "/");
}

#[test]
fn describing_headers_from_anyone_else_are_ignored() {
    let s = settings(&["10.0.0.0/8"]);
    let spoofed = asked(
        "GET",
        "/.gatehouse/decision/admin/x",
        &[
            ("X-Forwarded-Uri", "/public/x"),
            ("X-Original-URL", "/public/y"),
            ("X-Forwarded-Host", "evil"),
        ],
    );
    let original = original_request(&spoofed, peer("192.0.2.7"), &s).unwrap();
    assert_eq!(target(&original), ("GET".into(), "/admin/x".into()));
    assert_eq!(original.headers["host"], "gatehouse.internal");
    assert!(original.headers.get("x-forwarded-uri").is_none());
}

#[test]
fn a_target_that_is_not_a_path_is_a_bad_request() {
    let s = settings(&["127.0.0.1/32"]);
    for uri in ["*", "admin/x", "//evil.example/x"] {
        let request = asked("GET", "/.gatehouse/decision", &[("X-Forwarded-Uri", uri)]);
        let result = original_request(&request, peer("127.0.0.1"), &s);
        if uri.starts_with('/') {
            // `//evil...` is a path; the routes' normalisation decides about it.
            assert!(result.is_ok(), "{uri}");
        } else {
            assert!(matches!(result, Err(Refusal::BadRequest(_))), "{uri}");
        }
    }
}

#[test]
fn allow_answers_carry_the_identity_and_optionally_envoys_hint() {
    let name = bytes::Bytes::from_static(b"x-auth-user");
    let value = HeaderValue::from_static("alice");
    let mut s = settings(&[]);
    let response = allow([(&name, &value)].into_iter(), &s);
    assert_eq!(response.status, 200);
    assert_eq!(response.headers.len(), 1);
    s.envoy_remove_credentials = true;
    let response = allow(std::iter::empty(), &s);
    assert_eq!(
        response.headers,
        [(
            ENVOY_HEADERS_TO_REMOVE.clone(),
            HeaderValue::from_static("authorization")
        )]
    );
}

#[test]
fn the_client_counted_is_the_trusted_proxys_last_forwarded_for() {
    let s = settings(&["127.0.0.1/32"]);
    let request = asked(
        "GET",
        "/.gatehouse/decision",
        &[("X-Forwarded-For", "198.51.100.1, 203.0.113.9")],
    );
    assert_eq!(
        client_address(&request, peer("127.0.0.1"), &s),
        peer("203.0.113.9")
    );
    // From an untrusted peer, or without the header: the peer.
    assert_eq!(
        client_address(&request, peer("192.0.2.5"), &s),
        peer("192.0.2.5")
    );
    let bare = asked("GET", "/.gatehouse/decision", &[]);
    assert_eq!(
        client_address(&bare, peer("127.0.0.1"), &s),
        peer("127.0.0.1")
    );
}

#[test]
fn a_client_cannot_add_a_description_of_its_own() {
    let local = peer("127.0.0.1");
    // ingress-nginx sets X-Original-URL and passes the client's X-Forwarded-Uri along.
    let mixed = asked(
        "GET",
        "/.gatehouse/decision",
        &[
            ("X-Original-URL", "https://shop/admin/secret"),
            ("X-Forwarded-Uri", "/public/x"),
        ],
    );
    let auto = settings(&["127.0.0.1/32"]);
    assert!(matches!(
        original_request(&mixed, local, &auto),
        Err(Refusal::BadRequest(_))
    ));
    // Pinned to the proxy's own family, the other is ignored.
    let pinned = DecisionSettings {
        original: OriginalFrom::XOriginal,
        ..settings(&["127.0.0.1/32"])
    };
    assert_eq!(
        target(&original_request(&mixed, local, &pinned).unwrap()).1,
        "/admin/secret"
    );
    // A header appended to the client's copy.
    let mut twice = asked("GET", "/.gatehouse/decision", &[]);
    twice.append_header("X-Forwarded-Uri", "/public/x").unwrap();
    twice
        .append_header("X-Forwarded-Uri", "/admin/secret")
        .unwrap();
    let pinned = DecisionSettings {
        original: OriginalFrom::XForwarded,
        ..settings(&["127.0.0.1/32"])
    };
    assert!(original_request(&twice, local, &pinned).is_err());
    // `path`: nothing but the path after the prefix, whoever asks.
    let path = DecisionSettings {
        original: OriginalFrom::Path,
        ..settings(&["127.0.0.1/32"])
    };
    let envoy = asked(
        "GET",
        "/.gatehouse/decision/admin/secret",
        &[
            ("X-Forwarded-Uri", "/public/x"),
            ("X-Original-URL", "/public/y"),
        ],
    );
    assert_eq!(
        target(&original_request(&envoy, local, &path).unwrap()).1,
        "/admin/secret"
    );
}
