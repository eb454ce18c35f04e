use super::*;

fn rules(trusted: &[&str]) -> ForwardingRules {
    ForwardingRules {
        trusted_proxies: trusted.iter().map(|t| t.parse().unwrap()).collect(),
        forward_credentials: false,
        credential_headers: vec![
            HeaderName::from_static("user-name"),
            HeaderName::from_static("password"),
        ],
        credential_cookie: Some("gh_token".into()),
        scheme: "http",
        upstream_http2: false,
    }
}

fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        map.append(
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            value.parse().unwrap(),
        );
    }
    map
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

#[test]
fn client_ip_believes_only_trusted_proxies() {
    let h = headers(&[("x-forwarded-for", "1.2.3.4, 10.0.0.2")]);
    assert_eq!(rules(&[]).client_ip(ip("10.0.0.1"), &h), ip("10.0.0.1"));
    assert_eq!(
        rules(&["10.0.0.0/8"]).client_ip(ip("10.0.0.1"), &h),
        ip("1.2.3.4")
    );
    let h = headers(&[("x-forwarded-for", "nonsense")]);
    assert_eq!(
        rules(&["10.0.0.0/8"]).client_ip(ip("10.0.0.1"), &h),
        ip("10.0.0.1")
    );
}

#[test]
fn strips_hop_by_hop_lookalikes_and_credentials() {
    let h = headers(&[
        ("connection", "keep-alive, X-Secret, host"),
        ("x-secret", "1"),
        ("x_auth_user", "mallory"),
        ("authorization", "Basic x"),
        ("user-name", "a"),
        ("cookie", "a=1; gh_token=t"),
        ("x-forwarded-for", "6.6.6.6"),
        ("forwarded", "for=6.6.6.6"),
    ]);
    let edits = rules(&[]).edits(&h, ip("127.0.0.1"), &IdentityHeaders::default());
    for name in [
        "connection",
        "x-secret",
        "x_auth_user",
        "authorization",
        "user-name",
        "password",
        "cookie",
        "forwarded",
        "upgrade",
    ] {
        assert!(
            edits.remove.iter().any(|n| n == name),
            "{name} not removed: {:?}",
            edits.remove
        );
    }
    assert!(!edits.remove.iter().any(|n| n == "host"));
    let set: Vec<(String, String)> = edits
        .set
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_str().unwrap().to_owned()))
        .collect();
    assert!(set.contains(&("cookie".into(), "a=1".into())));
    assert!(set.contains(&("x-forwarded-for".into(), "127.0.0.1".into())));
    assert!(set.contains(&("x-forwarded-proto".into(), "http".into())));
}

#[test]
fn trusted_proxy_chain_is_appended_and_upgrades_survive() {
    let h = headers(&[
        ("x-forwarded-for", "1.2.3.4"),
        ("connection", "Upgrade"),
        ("upgrade", "websocket"),
    ]);
    let edits = rules(&["127.0.0.1/32"]).edits(&h, ip("127.0.0.1"), &IdentityHeaders::default());
    assert!(!edits.remove.iter().any(|n| n == "upgrade"));
    let xff = edits
        .set
        .iter()
        .find(|(n, _)| n == "x-forwarded-for")
        .unwrap();
    assert_eq!(xff.1, "1.2.3.4, 127.0.0.1");
    assert!(edits
        .set
        .iter()
        .any(|(n, v)| n == "connection" && v == "upgrade"));
}

#[test]
fn request_ids_are_kept_only_when_sane() {
    assert_eq!(
        request_id(&headers(&[("x-request-id", "abc-123")])),
        "abc-123"
    );
    let fresh = request_id(&headers(&[("x-request-id", "a b<script>")]));
    assert_eq!(fresh.len(), 32);
    assert_eq!(request_id(&HeaderMap::new()).len(), 32);
}

#[test]
fn to_an_http2_upstream_te_passes_only_as_trailers_and_nothing_is_upgraded() {
    let identity = IdentityHeaders::default();
    let h2 = ForwardingRules {
        upstream_http2: true,
        ..rules(&[])
    };
    let peer: IpAddr = "192.0.2.1".parse().unwrap();
    let grpc = h2.edits(&headers(&[("te", "trailers")]), peer, &identity);
    assert!(!grpc.remove.contains(&TE));
    let other = h2.edits(&headers(&[("te", "gzip, trailers")]), peer, &identity);
    assert!(other.remove.contains(&TE));
    let upgrade = h2.edits(
        &headers(&[("connection", "upgrade"), ("upgrade", "websocket")]),
        peer,
        &identity,
    );
    assert!(upgrade.remove.contains(&UPGRADE));
    assert!(!upgrade.set.iter().any(|(name, _)| name == CONNECTION));
    // To HTTP/1.1 the upgrade survives.
    let h1 = rules(&[]).edits(
        &headers(&[("connection", "upgrade"), ("upgrade", "websocket")]),
        peer,
        &identity,
    );
    assert!(h1.set.iter().any(|(name, _)| name == CONNECTION));
}
