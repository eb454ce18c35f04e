//! HTTP/2 on the proxy port and to the upstream, with curl as the client: h2c with prior
//! knowledge and h2 by ALPN beside HTTP/1.1; the same routing, stripping, dialect
//! endpoints and JWKS as on HTTP/1.1; the upstream over h2c and over h2 (TLS), never
//! downgraded; and the h2c listener's deadlines for clients that send nothing.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::curl::{curl, try_curl, CurlResponse, H2C};
use crate::harness::{basic, demo_config, demo_token, Gatehouse};
use crate::tls::{pki, write_pki};

fn authorization(value: &str) -> String {
    format!("Authorization: {value}")
}

#[test]
fn h2c_and_http1_share_the_port_for_proxied_traffic_dialects_and_jwks() {
    let gh = Gatehouse::start(&demo_config());
    let admin = authorization(&basic("admin", "masterkey"));
    let r = curl(&[H2C, "-H", &admin], &gh.url("/anything?x=1"));
    assert_eq!((r.version.as_str(), r.status), ("2", 200), "{r:?}");
    assert_eq!(r.echoed("x-auth-user"), ["admin"]);
    assert_eq!(r.echoed("x-auth-roles"), ["admin"]);
    assert_eq!(r.json()["query"], "x=1");
    assert!(r.header("x-request-id").is_some());

    let bearer = authorization(&format!("Bearer {}", demo_token("TestUser")));
    let r = curl(&[H2C, "-H", &bearer], &gh.url("/anything"));
    assert_eq!(
        (r.status, r.echoed("x-auth-user")),
        (200, vec!["TestUser".into()])
    );

    let r = curl(&[H2C], &gh.url("/anything"));
    assert_eq!((r.version.as_str(), r.status), ("2", 401));
    assert_eq!(r.json()["error"], "unauthorized");
    assert!(r.header("www-authenticate").is_some(), "{r:?}");

    // A dialect login, and its access token on proxied traffic, over h2c.
    let login = curl(
        &[
            H2C,
            "-X",
            "POST",
            "-H",
            "Content-Type: application/json",
            "--data",
            r#"{"email": "admin@admin.com", "password": "masterkey"}"#,
        ],
        &gh.url("/token/"),
    );
    assert_eq!(
        (login.version.as_str(), login.status),
        ("2", 200),
        "{login:?}"
    );
    let access = login.json()["access"].as_str().unwrap().to_owned();
    let r = curl(
        &[H2C, "-H", &authorization(&format!("Bearer {access}"))],
        &gh.url("/anything"),
    );
    assert_eq!(
        (r.status, r.echoed("x-auth-user")),
        (200, vec!["admin".into()])
    );

    let jwks = curl(&[H2C], &gh.url("/.well-known/jwks.json"));
    assert_eq!((jwks.version.as_str(), jwks.status), ("2", 200));
    assert!(!jwks.json()["keys"].as_array().unwrap().is_empty());

    let r = curl(&["--http1.1", "-H", &admin], &gh.url("/anything"));
    assert_eq!((r.version.as_str(), r.status), ("1.1", 200));
    assert_eq!(r.echoed("x-auth-user"), ["admin"]);

    gh.wait_for_metric(
        r#"gatehouse_requests_by_protocol_total{protocol="h2"}"#,
        6.0,
    );
    gh.wait_for_metric(
        r#"gatehouse_requests_by_protocol_total{protocol="http1"}"#,
        1.0,
    );
    let log = gh.log();
    assert_eq!(log.matches(r#""protocol":"h2""#).count(), 6, "{log}");
    assert_eq!(log.matches(r#""protocol":"http1""#).count(), 1, "{log}");
}

#[test]
fn forged_headers_and_path_tricks_are_handled_as_on_http1() {
    let gh = Gatehouse::start(&demo_config());
    let user = authorization(&basic("TestUser", "password"));
    let forged = [
        "-H",
        "X-Auth-User: mallory",
        "-H",
        "x-auth-roles: admin",
        "-H",
        "X-Auth-User-Id: 1",
        "-H",
        "X-Forwarded-For: 203.0.113.9",
        "-H",
        "te: trailers",
    ];
    let mut args = vec![H2C, "-H", user.as_str()];
    args.extend(forged);
    let r = curl(&args, &gh.url("/anything"));
    assert_eq!((r.version.as_str(), r.status), ("2", 200), "{r:?}");
    assert_eq!(r.echoed("x-auth-user"), ["TestUser"]);
    assert_eq!(r.echoed("x-auth-roles"), ["user"]);
    assert_eq!(r.echoed("x-auth-user-id"), ["2"]);
    assert_eq!(r.echoed("x-forwarded-for"), ["127.0.0.1"]);
    assert!(r.echoed("authorization").is_empty(), "{r:?}");

    // Every path is routed on HTTP/2 exactly as on HTTP/1.1: same status, same path
    // forwarded. TestUser is no admin: what reaches /admin/ is a 403.
    let paths = [
        "/public/x",
        "/public/../admin/x",
        "/public/%2e%2e/admin/x",
        "/public/%2E%2E%2Fadmin/x",
        "/admin//x",
        "//admin/x",
        "/public/./a/../b",
        "/public/x?next=/../admin",
        "/public/%00",
        "/public/..%2f..%2fadmin",
    ];
    let mut statuses = Vec::new();
    for path in paths {
        let h1 = curl(&["--http1.1", "-H", &user], &gh.url(path));
        let h2 = curl(&[H2C, "-H", &user], &gh.url(path));
        assert_eq!(h2.version, "2");
        let forwarded = |r: &CurlResponse| (r.status == 200).then(|| r.json()["path"].clone());
        assert_eq!(
            (h1.status, forwarded(&h1)),
            (h2.status, forwarded(&h2)),
            "{path}: HTTP/1.1 {h1:?}\nHTTP/2 {h2:?}"
        );
        statuses.push(h2.status);
    }
    // The list exercises each outcome, so that "the same" is not "the same error".
    for status in [200, 400, 403] {
        assert!(statuses.contains(&status), "{paths:?} → {statuses:?}");
    }
}

/// Writes a listener certificate into `dir` and returns the `tls = {...}` line.
fn listener_tls(dir: &Path) -> String {
    format!(
        "tls = {{ cert_file = \"{}\", key_file = \"{}\" }}\n",
        dir.join("cert.pem").display(),
        dir.join("key.pem").display()
    )
}

/// The demo config with a TLS listener (certificates in `dir`) and `extra` [listen] keys.
fn tls_config(dir: &Path, extra: &str) -> String {
    demo_config().replace("h2c = true\n", "").replace(
        "address = \"127.0.0.1:9778\"\n",
        &format!("address = \"127.0.0.1:9778\"\n{}{extra}", listener_tls(dir)),
    )
}

fn https(gh: &Gatehouse, path: &str) -> (String, String) {
    (
        format!("localhost:{}:127.0.0.1", gh.port),
        format!("https://localhost:{}{path}", gh.port),
    )
}

#[test]
fn a_tls_listener_offers_h2_by_alpn_unless_told_not_to() {
    let pki = pki();
    let dir = tempfile::tempdir().unwrap();
    write_pki(&pki, dir.path());
    let ca = dir.path().join("ca.pem");
    let ca = ca.to_str().unwrap();
    let admin = authorization(&basic("admin", "masterkey"));

    let gh = Gatehouse::start(&tls_config(dir.path(), ""));
    let (resolve, url) = https(&gh, "/anything");
    let tls = ["--cacert", ca, "--resolve", &resolve, "-H", &admin];
    let r = curl(&[&["--http2"][..], &tls].concat(), &url);
    assert_eq!((r.version.as_str(), r.status), ("2", 200), "{r:?}");
    assert_eq!(r.echoed("x-forwarded-proto"), ["https"]);
    assert_eq!(r.echoed("x-auth-user"), ["admin"]);
    let r = curl(&[&["--http1.1"][..], &tls].concat(), &url);
    assert_eq!((r.version.as_str(), r.status), ("1.1", 200));
    let (_, jwks) = https(&gh, "/.well-known/jwks.json");
    let r = curl(&[&["--http2"][..], &tls].concat(), &jwks);
    assert_eq!((r.version.as_str(), r.status), ("2", 200));

    let gh = Gatehouse::start(&tls_config(dir.path(), "h2 = false\n"));
    let (resolve, url) = https(&gh, "/anything");
    let r = curl(
        &[
            "--http2",
            "--cacert",
            ca,
            "--resolve",
            &resolve,
            "-H",
            &admin,
        ],
        &url,
    );
    assert_eq!((r.version.as_str(), r.status), ("1.1", 200), "{r:?}");
}

/// A second gatehouse as an HTTP/2 upstream: every path public, its access log tells
/// which protocol the first one spoke to it.
fn second_gatehouse(listen: &str) -> Gatehouse {
    let config = demo_config().replace("h2c = true\n", listen)
        + "\n[[routes]]\nprefix = \"/\"\naccess = \"public\"\n";
    Gatehouse::start(&config)
}

fn in_front_of(upstream: &Gatehouse, upstream_keys: &str) -> Gatehouse {
    let config = demo_config()
        .replace(
            "address = \"builtin:echo\"\n",
            &format!("address = \"127.0.0.1:{}\"\n{upstream_keys}", upstream.port),
        )
        .replace("protocol = \"http1\"\n", "");
    Gatehouse::start(&config)
}

/// The protocols of the requests in `gh`'s access log, once there are `expected` (it
/// logs a request after answering it, so the client may be done first).
fn protocols_logged(gh: &Gatehouse, expected: usize) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let logged: Vec<String> = gh
            .log()
            .lines()
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            .filter_map(|entry| entry["protocol"].as_str().map(str::to_owned))
            .collect();
        if logged.len() >= expected || Instant::now() > deadline {
            return logged;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn the_upstream_is_spoken_to_over_h2c_and_h2_and_never_downgraded() {
    let admin = authorization(&basic("admin", "masterkey"));

    // h2c: HTTP/1.1 and HTTP/2 clients alike reach the upstream over h2c, with identity.
    let upstream = second_gatehouse("h2c = true\n");
    let gh = in_front_of(&upstream, "protocol = \"h2c\"\n");
    for version in ["--http1.1", H2C] {
        let r = curl(
            &[version, "-H", &admin],
            &gh.url("/public/../anything/./x?q=1"),
        );
        assert_eq!(r.status, 200, "{r:?}");
        assert_eq!(r.json()["path"], "/anything/x");
        assert_eq!(r.json()["query"], "q=1");
    }
    // Connection-specific fields would make the HTTP/2 request malformed (RFC 9113
    // §8.2.2): they are dropped (`te: trailers`, which gRPC needs, passes: below).
    let r = curl(
        &[
            "--http1.1",
            "-H",
            &admin,
            "-H",
            "Connection: keep-alive, X-Hop",
            "-H",
            "X-Hop: 1",
            "-H",
            "Keep-Alive: timeout=5",
            "-H",
            "TE: gzip",
            "-H",
            "Proxy-Connection: keep-alive",
        ],
        &gh.url("/anything"),
    );
    assert_eq!(r.status, 200, "{r:?}");
    for dropped in [
        "x-hop",
        "keep-alive",
        "te",
        "proxy-connection",
        "connection",
    ] {
        assert!(r.echoed(dropped).is_empty(), "{dropped}: {r:?}");
    }
    assert_eq!(protocols_logged(&upstream, 3), ["h2", "h2", "h2"]);

    // The built-in echo speaks h2c too.
    let echo_h2c = demo_config().replace("protocol = \"http1\"", "protocol = \"h2c\"");
    let gh = Gatehouse::start(&echo_h2c);
    let r = curl(&[H2C, "-H", &admin, "-H", "te: trailers"], &gh.url("/x"));
    assert_eq!(r.echoed("te"), ["trailers"], "{r:?}");
    assert_eq!(
        (r.status, r.echoed("x-auth-user")),
        (200, vec!["admin".into()])
    );

    // h2 over TLS, verified against the test CA.
    let pki = pki();
    let dir = tempfile::tempdir().unwrap();
    write_pki(&pki, dir.path());
    let tls_upstream = second_gatehouse(&listener_tls(dir.path()));
    let tls_keys = format!(
        "protocol = \"h2\"\ntls = true\nsni = \"localhost\"\nca_file = \"{}\"\n",
        dir.path().join("ca.pem").display()
    );
    let gh = in_front_of(&tls_upstream, &tls_keys);
    let r = curl(&["--http1.1", "-H", &admin], &gh.url("/anything"));
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.echoed("x-forwarded-proto"), ["https"]);
    assert_eq!(protocols_logged(&tls_upstream, 1), ["h2"]);

    // An upstream that does not negotiate h2 is a 502, not a silent HTTP/1.1.
    let h1_only = second_gatehouse(&format!("{}h2 = false\n", listener_tls(dir.path())));
    let gh = in_front_of(&h1_only, &tls_keys);
    let r = curl(&[H2C, "-H", &admin], &gh.url("/anything"));
    assert_eq!(r.status, 502, "{r:?}");
    assert_eq!(r.json()["error"], "bad_gateway");
    assert!(protocols_logged(&h1_only, 0).is_empty());
}

/// Reads until the peer closes (or 5 s pass): how long that took, and what was read.
fn until_closed(stream: &mut TcpStream) -> (Duration, Vec<u8>) {
    let started = Instant::now();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut received = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => received.extend_from_slice(&buf[..n]),
        }
    }
    (started.elapsed(), received)
}

#[test]
fn the_h2c_listener_closes_silent_connections_and_idle_http2_ones() {
    let config = demo_config().replace(
        "h2c = true\n",
        "h2c = true\nheader_timeout = \"1s\"\nh2_idle_timeout = \"1s\"\n",
    );
    let gh = Gatehouse::start(&config);

    // Nothing at all, and a preface cut short: the head deadline, not forever.
    for sent in [&b""[..], b"PRI * HTTP/2.0\r\n"] {
        let mut stream = TcpStream::connect(gh.addr()).unwrap();
        stream.write_all(sent).unwrap();
        let (waited, _) = until_closed(&mut stream);
        assert!(
            waited < Duration::from_secs(4),
            "{sent:?}: still open after {waited:?}"
        );
    }
    gh.wait_for_metric("gatehouse_request_head_timeouts_total", 2.0);

    // A whole preface and SETTINGS, then silence: answered as HTTP/2, then closed as idle.
    let mut stream = TcpStream::connect(gh.addr()).unwrap();
    stream
        .write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00")
        .unwrap();
    let (waited, received) = until_closed(&mut stream);
    assert!(
        waited < Duration::from_secs(4),
        "still open after {waited:?}"
    );
    assert!(
        frame_types(&received).contains(&SETTINGS),
        "no SETTINGS in {received:?}"
    );

    // Meanwhile the port serves as ever.
    let r = try_curl(
        &[H2C, "-H", &authorization(&basic("admin", "masterkey"))],
        &gh.url("/x"),
    )
    .unwrap();
    assert_eq!(r.status, 200);
}

const SETTINGS: u8 = 0x4;

/// The types of the HTTP/2 frames in `bytes` (a server's side of a connection).
fn frame_types(bytes: &[u8]) -> Vec<u8> {
    let mut types = Vec::new();
    let mut at = 0;
    while at + 9 <= bytes.len() {
        let length = u32::from_be_bytes([0, bytes[at], bytes[at + 1], bytes[at + 2]]) as usize;
        types.push(bytes[at + 3]);
        at += 9 + length;
    }
    types
}
