//! The five documented login APIs, called exactly as their documents show, against the
//! demo configuration; plus JWKS, body limits and proxied use of every dialect's tokens.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use base64::Engine as _;

use crate::harness::{demo_config, raw_request, send, Gatehouse, Response};

fn decode_part(token: &str, index: usize) -> serde_json::Value {
    let part = token.split('.').nth(index).expect("JWT part");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .expect("base64url");
    serde_json::from_slice(&bytes).expect("JSON")
}

fn raw_part(token: &str, index: usize) -> String {
    let part = token.split('.').nth(index).expect("JWT part");
    String::from_utf8(
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(part)
            .unwrap(),
    )
    .unwrap()
}

fn post(gh: &Gatehouse, path: &str, headers: &[(&str, &str)], body: &str) -> Response {
    send(&gh.url(path), "POST", headers, Some(body.as_bytes()))
}

fn is_iso_millis(s: &str) -> bool {
    s.len() == 24 && s.ends_with('Z') && s.as_bytes()[10] == b'T' && s.as_bytes()[19] == b'.'
}

/// The identity a token opens proxied traffic as.
fn proxied_user(gh: &Gatehouse, token: &str) -> Response {
    gh.get("/orders", &[("authorization", &format!("Bearer {token}"))])
}

#[test]
fn kerong_document_example_and_errors() {
    let gh = Gatehouse::start(&demo_config());
    // Verbatim from seed 000.
    let r = post(
        &gh,
        "/api/v1/auth/token",
        &[
            ("accept", "application/json"),
            ("Content-Type", "application/json"),
        ],
        "{\n  \"username\": \"admin\",\n  \"password\": \"masterkey\"\n}",
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let body = r.json();
    assert_eq!(
        body.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["token"]
    );
    let token = body["token"].as_str().unwrap();
    assert!(token.starts_with("eyJhbGciOi"), "{token}");
    assert_eq!(raw_part(token, 0), r#"{"alg":"HS256"}"#);
    let claims = decode_part(token, 1);
    assert_eq!(claims["sub"], "admin");
    assert_eq!(claims["roles"], serde_json::json!(["admin"]));
    assert_eq!(
        claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap(),
        3600
    );
    let r = proxied_user(&gh, token);
    assert_eq!(r.echoed("x-auth-user"), ["admin"]);

    let r = post(
        &gh,
        "/api/v1/auth/token",
        &[("Content-Type", "application/json")],
        r#"{"username":"admin","password":"nope"}"#,
    );
    assert_eq!(r.status, 401);
    let body = r.json();
    assert_eq!(
        body.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["status", "message", "timestamp"]
    );
    assert_eq!(body["status"], 401);
    assert_eq!(body["message"], "Неверный логин или пароль");
    assert!(is_iso_millis(body["timestamp"].as_str().unwrap()), "{body}");

    for bad in [
        "{",
        r#"{"username":"admin"}"#,
        r#"{"username":"","password":"x"}"#,
        r#"{"username":null,"password":"x"}"#,
        r#"{"username":["a"],"password":"x"}"#,
        "[]",
    ] {
        let r = post(
            &gh,
            "/api/v1/auth/token",
            &[("Content-Type", "application/json")],
            bad,
        );
        assert_eq!(r.status, 400, "{bad}");
        let body = r.json();
        assert_eq!(
            body.as_object().unwrap().keys().collect::<Vec<_>>(),
            ["message", "date"],
            "{bad}"
        );
        assert_eq!(body["message"], "400 Bad Request");
        assert!(is_iso_millis(body["date"].as_str().unwrap()));
    }
    let r = gh.get("/api/v1/auth/token", &[]);
    assert_eq!(r.status, 405);
    assert_eq!(r.json()["error"], "Method Not Allowed");
    let r = post(
        &gh,
        "/api/v1/auth/token",
        &[("Content-Type", "text/plain")],
        "username=admin",
    );
    assert_eq!(r.status, 415);
}

#[test]
fn nomic_document_examples_and_errors() {
    let gh = Gatehouse::start(&demo_config());
    // Sample call 1: Basic VGVzdFVzZXI6cGFzc3dvcmQ= (TestUser:password).
    let r = send(
        &gh.url("/api/auth/token"),
        "POST",
        &[("Authorization", "Basic VGVzdFVzZXI6cGFzc3dvcmQ=")],
        None,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let body = r.json();
    assert_eq!(
        body.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["isSuccess", "token"]
    );
    assert_eq!(body["isSuccess"], true);
    let token = body["token"].as_str().unwrap().to_owned();
    assert_eq!(raw_part(&token, 0), r#"{"typ":"JWT","alg":"RS256"}"#);
    let claims = decode_part(&token, 1);
    assert_eq!(
        claims.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["sub", "iss", "exp", "iat"]
    );
    assert_eq!(claims["sub"], "2");
    assert_eq!(claims["iss"], "NomicGameManager.Api");
    assert_eq!(
        claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap(),
        7200
    );
    assert_eq!(
        proxied_user(&gh, &token).echoed("x-auth-user"),
        ["TestUser"]
    );

    // Sample call 2: renewal with our own Bearer token gives a new token for the same user.
    let r = send(
        &gh.url("/api/auth/token"),
        "POST",
        &[("Authorization", &format!("Bearer {token}"))],
        None,
    );
    assert_eq!(r.status, 200);
    assert_eq!(
        decode_part(r.json()["token"].as_str().unwrap(), 1)["sub"],
        "2"
    );

    // The document's own sample token is signed with a key we do not have: 403, empty.
    let sample = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIiwiaXNzIjoiTm9taWNHYW1lTWFuYWdlci5BcGkiLCJleHAiOjE2NzcyODE4NjEsImlhdCI6MTY3NzI3NDY2MX0.vewwb46Ac1q_QNp3cdJ4Ot2n8PLsIl-YzhSMYi4N97P4AhFeTNg5L4ldocxiWNm2mk1q_neekP0iBnHS44w_E95st3PKKKWqavG9cc3Xgbq8O4pHU2fvarYmChfQUAA2V-XM9a7m11nvnYhkBVXdAetk_q2r1dJbBnMZv2iApChxQ5w6WvgtCOnQDLniOm-fzTLRyf9-DgzBqDn28CWR3m-PsmYcZ2omUqzAS8z10Qbmbrej3wSd6tAAcAK0Fruw4BzpAQ8vaVbWMCmNwNiOL6Ozxm-XmjsCAjU6bbbuE2nTWdq2STsu3diZMK5onjuD-ZQnwzs3y5v-wlXMHp5A4g";
    for auth in [
        format!("Bearer {sample}"),
        "Basic VGVzdFVzZXI6d3Jvbmc=".to_owned(),
        "Basic !!!".to_owned(),
        "Digest x".to_owned(),
    ] {
        let r = send(
            &gh.url("/api/auth/token"),
            "POST",
            &[("Authorization", &auth)],
            None,
        );
        assert_eq!(r.status, 403, "{auth}");
        assert!(r.body.is_empty(), "{auth}: {}", r.text());
    }
    let r = send(&gh.url("/api/auth/token"), "POST", &[], None);
    assert_eq!((r.status, r.body.len()), (403, 0));
    // The inactive user is refused too.
    let r = send(
        &gh.url("/api/auth/token"),
        "POST",
        &[(
            "Authorization",
            &crate::harness::basic("disabled", "disabled"),
        )],
        None,
    );
    assert_eq!(r.status, 403);
}

#[test]
fn header_login_document_example_and_errors() {
    let gh = Gatehouse::start(&demo_config());
    for method in ["GET", "POST"] {
        let r = gh.request(
            method,
            "/login",
            &[("Password", "password_test"), ("User-Name", "user_test")],
        );
        assert_eq!(r.status, 200, "{method}: {}", r.text());
        let body = r.json();
        assert_eq!(
            body.as_object().unwrap().keys().collect::<Vec<_>>(),
            ["code", "status", "token"]
        );
        assert_eq!(
            (body["code"].as_u64(), body["status"].as_str()),
            (Some(200), Some("ok"))
        );
        let token = body["token"].as_str().unwrap();
        assert_eq!(raw_part(token, 0), r#"{"typ":"JWT","alg":"HS256"}"#);
        let claims = decode_part(token, 1);
        assert_eq!(
            claims.as_object().unwrap().keys().collect::<Vec<_>>(),
            ["user", "exp"]
        );
        assert_eq!(claims["user"], "user_test");
        assert_eq!(
            proxied_user(&gh, token).echoed("x-auth-user"),
            ["user_test"]
        );
    }
    type Case<'a> = (&'a [(&'a str, &'a str)], u16, &'a str);
    let cases: &[Case<'_>] = &[
        (
            &[("Password", "x")],
            402,
            "Required field < User-Name > is not specified.",
        ),
        (
            &[("User-Name", "user_test")],
            402,
            "Required field < Password > is not specified.",
        ),
        (
            &[("User-Name", ""), ("Password", "x")],
            402,
            "Required field < User-Name > is empty.",
        ),
        (
            &[("User-Name", "user_test"), ("Password", " ")],
            402,
            "Required field < Password > is empty.",
        ),
        (
            &[("User-Name", "user_test"), ("Password", "wrong")],
            404,
            "Data not found.",
        ),
        (
            &[("User-Name", "nobody"), ("Password", "wrong")],
            404,
            "Data not found.",
        ),
    ];
    for (headers, status, message) in cases {
        let r = gh.get("/login", headers);
        assert_eq!(r.status, *status, "{headers:?}");
        assert_eq!(
            r.json(),
            serde_json::json!({"code": status, "status": "error", "message": message})
        );
    }
}

#[test]
fn jwks_publishes_public_keys_only() {
    let gh = Gatehouse::start(&demo_config());
    let r = gh.get("/.well-known/jwks.json", &[]);
    assert_eq!(r.status, 200);
    let keys = r.json()["keys"].as_array().unwrap().clone();
    assert_eq!(
        keys.len(),
        1,
        "only the nomic RSA key is asymmetric in the demo"
    );
    assert_eq!(keys[0]["kty"], "RSA");
    assert_eq!(keys[0]["kid"], "nomic-generated");
    assert_eq!(keys[0]["alg"], "RS256");
    for secret_word in ["demo-", "secret", "\"k\""] {
        assert!(!r.text().contains(secret_word), "{}", r.text());
    }
}

#[test]
fn oversized_bodies_get_413_before_being_read() {
    let gh = Gatehouse::start(&demo_config());
    // Declares a huge body and sends none: the answer must come without waiting for it.
    let mut stream = TcpStream::connect(gh.addr()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let started = Instant::now();
    stream
        .write_all(b"POST /api/v1/auth/token HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: 10000000\r\n\r\n")
        .unwrap();
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw);
    assert!(text.starts_with("HTTP/1.1 413"), "{text}");
    assert!(started.elapsed() < Duration::from_secs(3));

    // A chunked body is cut off at the limit too.
    let chunk = "a".repeat(20_000);
    let request = format!(
        "POST /api/v1/auth/token HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n{:x}\r\n{chunk}\r\n0\r\n\r\n",
        chunk.len()
    );
    let r = raw_request(gh.addr(), request.as_bytes()).unwrap();
    assert_eq!(r.status, 413);
}

/// One exchange of the Django reference projects under gunicorn
/// (`tests/captures/gunicorn.json`; its `servers` name the libraries and the command).
fn gunicorn_case(server: &str, name: &str) -> serde_json::Value {
    let fixture: serde_json::Value =
        serde_json::from_str(include_str!("../captures/gunicorn.json")).unwrap();
    fixture["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|case| case["server"] == server && case["name"] == name)
        .cloned()
        .unwrap_or_else(|| panic!("no case {name:?} for {server}"))
}

/// The head of a captured request: its request line and headers, then its framing.
fn captured_head(case: &serde_json::Value, content_length: Option<usize>) -> String {
    let request = &case["request"];
    let mut head = format!(
        "{} {} HTTP/1.1\r\nHost: 127.0.0.1\r\n",
        request["method"].as_str().unwrap(),
        request["path"].as_str().unwrap()
    );
    for pair in request["headers"].as_array().unwrap() {
        head.push_str(&format!(
            "{}: {}\r\n",
            pair[0].as_str().unwrap(),
            pair[1].as_str().unwrap()
        ));
    }
    match content_length {
        Some(length) => head.push_str(&format!("Content-Length: {length}\r\n")),
        None => head.push_str("Transfer-Encoding: chunked\r\n"),
    }
    head.push_str("Connection: close\r\n\r\n");
    head
}

/// The status, body and DRF/Django headers (`Content-Type`, `WWW-Authenticate`, `Vary`,
/// `Allow`, in order) are the captured ones; the rest are the servers' own.
fn assert_as_captured(r: &Response, case: &serde_json::Value) {
    let label = case["name"].as_str().unwrap();
    let compared = ["content-type", "www-authenticate", "vary", "allow"];
    let pick = |headers: Vec<(String, String)>| -> Vec<(String, String)> {
        headers
            .into_iter()
            .map(|(n, v)| (n.to_ascii_lowercase(), v))
            .filter(|(n, _)| compared.contains(&n.as_str()))
            .collect()
    };
    let captured = &case["response"];
    assert_eq!(
        u64::from(r.status),
        captured["status"].as_u64().unwrap(),
        "{label}: {}",
        r.text()
    );
    let wanted = captured["headers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p[0].as_str().unwrap().to_owned(),
                p[1].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(pick(r.headers.clone()), pick(wanted), "{label}");
    assert_eq!(r.text(), captured["body"].as_str().unwrap(), "{label}");
}

/// The demo's simplejwt speaks Russian and its drf_jwt English, as the captured servers.
const DJANGO_DIALECTS: [(&str, &str); 2] = [
    ("simplejwt-ru", "/token/"),
    ("drfjwt-en", "/api-token-auth/"),
];

#[test]
fn django_dialects_read_a_missing_content_type_as_gunicorn_does() {
    let gh = Gatehouse::start(&demo_config());
    for (server, path) in DJANGO_DIALECTS {
        for name in [
            "no Content-Type, JSON body",
            "no Content-Type, form body",
            "empty Content-Type header, JSON body",
            "no Content-Type, no body",
        ] {
            let case = gunicorn_case(server, name);
            assert_eq!(case["request"]["path"], path);
            let body = case["request"]["body"]["text"].as_str().unwrap();
            let request = captured_head(&case, Some(body.len())) + body;
            let r = raw_request(gh.addr(), request.as_bytes()).unwrap();
            assert_as_captured(&r, &case);
        }
    }
}

/// Django refuses request data over DATA_UPLOAD_MAX_MEMORY_SIZE with its 400 page (captured
/// for a multipart field; DRF reads JSON and form bodies as a stream, past that check, so
/// those reached the library whole). gatehouse refuses every body over `[dialects]
/// max_body_bytes` with that page: on `Content-Length` before reading a byte, and a
/// chunked body as soon as it passes the limit.
#[test]
fn django_dialects_refuse_oversized_bodies_unread_in_djangos_shape() {
    let gh = Gatehouse::start(&demo_config());
    for (server, _) in DJANGO_DIALECTS {
        let refusal = gunicorn_case(
            server,
            "multipart body of 3000000 bytes, one field, Content-Length",
        );
        assert_eq!(refusal["response"]["status"], 400);
        for name in [
            "JSON body of 3000000 bytes, Content-Length",
            "form body of 3000000 bytes, Content-Length",
            "multipart body of 3000000 bytes, one field, Content-Length",
            "multipart body of 3000000 bytes, one file, Content-Length",
        ] {
            let case = gunicorn_case(server, name);
            let size = case["request"]["body"]["size"].as_u64().unwrap();
            // The head alone: the answer must not wait for the 3 MB.
            let head = captured_head(&case, Some(usize::try_from(size).unwrap()));
            let started = Instant::now();
            let r = raw_request(gh.addr(), head.as_bytes()).unwrap();
            assert!(started.elapsed() < Duration::from_secs(3), "{name}");
            assert_eq!(r.header("connection"), Some("close"), "{name}");
            assert_as_captured(&r, &refusal);
        }
        // Chunked: the first 192 KiB of the body, never its last chunk.
        let case = gunicorn_case(server, "JSON body of 3000000 bytes, chunked");
        let body = &case["request"]["body"];
        let prefix = body["prefix"].as_str().unwrap();
        let content = format!("{prefix}{}", "x".repeat(3 * 65536 - prefix.len()));
        let mut request = captured_head(&case, None);
        for chunk in content.as_bytes().chunks(65536) {
            request.push_str(&format!(
                "{:x}\r\n{}\r\n",
                chunk.len(),
                std::str::from_utf8(chunk).unwrap()
            ));
        }
        let r = raw_request(gh.addr(), request.as_bytes()).unwrap();
        assert_as_captured(&r, &refusal);
    }
}

#[test]
fn expect_100_continue_is_answered() {
    let gh = Gatehouse::start(&demo_config());
    let mut stream = TcpStream::connect(gh.addr()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let body = r#"{"username":"admin","password":"masterkey"}"#;
    stream
        .write_all(format!("POST /api/v1/auth/token HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: {}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n", body.len()).as_bytes())
        .unwrap();
    let mut first = [0u8; 25];
    stream.read_exact(&mut first).unwrap();
    assert!(
        String::from_utf8_lossy(&first).starts_with("HTTP/1.1 100 Continue"),
        "{:?}",
        String::from_utf8_lossy(&first)
    );
    stream.write_all(body.as_bytes()).unwrap();
    let mut rest = Vec::new();
    let _ = stream.read_to_end(&mut rest);
    assert!(
        String::from_utf8_lossy(&rest).contains("200 OK"),
        "{}",
        String::from_utf8_lossy(&rest)
    );
}

#[test]
fn dialect_endpoints_are_never_forwarded_and_inactive_users_tokens_stop() {
    let gh = Gatehouse::start(&demo_config());
    // Unknown methods on a dialect path are answered by gatehouse, not the upstream.
    let r = gh.request(
        "DELETE",
        "/api/v1/auth/token",
        &[(
            "authorization",
            &crate::harness::basic("admin", "masterkey"),
        )],
    );
    assert_eq!(r.status, 405);
    assert!(
        r.json().get("headers").is_none(),
        "forwarded to the echo: {}",
        r.text()
    );
    // `gatehouse token --dialect` issues tokens that the proxy accepts. (nomic's demo key
    // is generated per process, so its tokens come from the endpoint, tested above.)
    let mut tokens = Vec::new();
    for dialect in ["kerong", "header_login"] {
        let (code, stdout, stderr) = crate::harness::run_cli(
            &[
                "token",
                "--config",
                "config/gatehouse.toml",
                "--user",
                "admin",
                "--dialect",
                dialect,
            ],
            None,
        );
        assert_eq!(code, 0, "{dialect}: {stderr}");
        let token = stdout.trim().to_owned();
        let r = proxied_user(&gh, &token);
        assert_eq!(r.status, 200, "{dialect}: {}", r.text());
        assert_eq!(r.echoed("x-auth-user"), ["admin"], "{dialect}");
        tokens.push(token);
    }
    // Once the user is inactive, their still-unexpired tokens stop working.
    let disabled = demo_config().replace(
        "email = \"admin@admin.com\"\nroles = [\"admin\"]\n",
        "email = \"admin@admin.com\"\nroles = [\"admin\"]\nactive = false\n",
    );
    gh.rewrite_config(&disabled);
    gh.signal("HUP");
    gh.wait_for_metric("gatehouse_config_reloads_total{result=\"ok\"}", 1.0);
    for token in &tokens {
        let r = proxied_user(&gh, token);
        assert_eq!(r.status, 401, "{}", r.text());
        assert_eq!(r.json()["message"], "token's user is inactive");
    }
}

#[test]
fn login_connections_stay_open_once_the_body_is_read() {
    let gh = Gatehouse::start(&demo_config());
    let mut stream = TcpStream::connect(gh.addr()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let body = r#"{"username":"admin","password":"masterkey"}"#;
    let request = format!(
        "POST /api/v1/auth/token HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    // Two logins on one keep-alive connection.
    for _ in 0..2 {
        stream.write_all(request.as_bytes()).unwrap();
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            stream.read_exact(&mut byte).unwrap();
            head.push(byte[0]);
        }
        let head = String::from_utf8_lossy(&head).to_ascii_lowercase();
        assert!(head.starts_with("http/1.1 200"), "{head}");
        assert!(!head.contains("connection: close"), "{head}");
        let length: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length: "))
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        let mut body = vec![0u8; length];
        stream.read_exact(&mut body).unwrap();
    }
}

#[test]
fn simplejwt_document_example_and_errors() {
    let gh = Gatehouse::start(&demo_config());
    let json = [("Content-Type", "application/json")];
    let r = post(
        &gh,
        "/token/",
        &json,
        r#"{"email": "admin@admin.com", "password": "masterkey"}"#,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let body = r.json();
    assert_eq!(
        body.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["refresh", "access"]
    );
    let (refresh, access) = (
        body["refresh"].as_str().unwrap().to_owned(),
        body["access"].as_str().unwrap().to_owned(),
    );
    assert_eq!(raw_part(&access, 0), r#"{"typ":"JWT","alg":"HS256"}"#);
    let claims = decode_part(&access, 1);
    assert_eq!(
        claims.as_object().unwrap().keys().collect::<Vec<_>>(),
        [
            "token_type",
            "exp",
            "iat",
            "jti",
            "user_id",
            "roles",
            "ip_address"
        ]
    );
    assert_eq!(
        (claims["user_id"].as_i64(), claims["ip_address"].as_str()),
        (Some(1), Some("127.0.0.1"))
    );
    assert_eq!(
        claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap(),
        60
    );
    let refresh_claims = decode_part(&refresh, 1);
    assert_eq!(
        refresh_claims["exp"].as_u64().unwrap() - refresh_claims["iat"].as_u64().unwrap(),
        86400
    );
    // The access token opens proxied traffic; the refresh token never does.
    assert_eq!(proxied_user(&gh, &access).echoed("x-auth-user"), ["admin"]);
    assert_eq!(proxied_user(&gh, &refresh).status, 401);

    // The document's 400 and 401 rows, byte for byte.
    let r = post(&gh, "/token/", &json, "{}");
    assert_eq!(
        (r.status, r.text()),
        (
            400,
            r#"{"email":["Обязательное поле."],"password":["Обязательное поле."]}"#.to_owned()
        )
    );
    let r = post(
        &gh,
        "/token/",
        &json,
        r#"{"email": "admin@admin.com", "password": "nope"}"#,
    );
    assert_eq!(
        (r.status, r.text()),
        (
            401,
            r#"{"detail":"Не найдено активной учетной записи с указанными данными"}"#.to_owned()
        )
    );
    assert_eq!(r.header("www-authenticate"), Some(r#"Bearer realm="api""#));

    // The library's standard endpoints.
    let r = post(
        &gh,
        "/token/refresh/",
        &json,
        &format!(r#"{{"refresh": "{refresh}"}}"#),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        r.json().as_object().unwrap().keys().collect::<Vec<_>>(),
        ["access"]
    );
    let r = post(
        &gh,
        "/token/verify/",
        &json,
        &format!(r#"{{"token": "{access}"}}"#),
    );
    assert_eq!((r.status, r.text()), (200, "{}".to_owned()));
    let r = post(
        &gh,
        "/token/blacklist/",
        &json,
        &format!(r#"{{"refresh": "{refresh}"}}"#),
    );
    assert_eq!(r.status, 200);
    let r = post(
        &gh,
        "/token/refresh/",
        &json,
        &format!(r#"{{"refresh": "{refresh}"}}"#),
    );
    assert_eq!(
        (r.status, r.text()),
        (
            401,
            r#"{"detail":"Токен занесен в черный список","code":"token_not_valid"}"#.to_owned()
        )
    );
    let r = gh.get("/token/", &[]);
    assert_eq!((r.status, r.header("allow")), (405, Some("POST, OPTIONS")));
    // The document's own sample tokens are signed with a key we do not have.
    let sample = "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJ0b2tlbl90eXBlIjoiYWNjZXNzIiwiZXhwIjoxNzI0OTQ5MTkyLCJpYXQiOjE3MjQ5NDkxMzIsImp0aSI6IjRlNmNjNWEzZTI5MjRmNThhNzA4ZDEwMTUxMmMzMTYzIiwidXNlcl9pZCI6MjA2NjYxLCJyb2xlcyI6W10sImlwX2FkZHJlc3MiOiI0Ni4yNDYuOTMuMjE3In0.MURebFOrrVC_BiAgUCBoBzH1mNE4GPBRGy-Y6u-z8PM";
    let r = post(
        &gh,
        "/token/verify/",
        &json,
        &format!(r#"{{"token": "{sample}"}}"#),
    );
    assert_eq!(
        (r.status, r.text()),
        (
            401,
            r#"{"detail":"Токен недействителен или просрочен","code":"token_not_valid"}"#
                .to_owned()
        )
    );
}

#[test]
fn drf_jwt_document_examples_and_errors() {
    let gh = Gatehouse::start(&demo_config());
    let json = [("Content-Type", "application/json")];
    // Verbatim from seed 003.
    let r = post(&gh, "/api-token-auth/", &json, "{\n                \"username\": \"test\",\n                \"password\": \"test\"\n            }");
    assert_eq!(r.status, 200, "{}", r.text());
    let token = r.json()["token"].as_str().unwrap().to_owned();
    assert_eq!(raw_part(&token, 0), r#"{"alg":"HS256","typ":"JWT"}"#);
    let claims = decode_part(&token, 1);
    assert_eq!(
        claims.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["username", "orig_iat", "user_id", "email", "exp"]
    );
    assert_eq!(claims["username"], "test");
    assert_eq!(
        claims["exp"].as_u64().unwrap() - claims["orig_iat"].as_u64().unwrap(),
        300
    );
    assert_eq!(proxied_user(&gh, &token).echoed("x-auth-user"), ["test"]);

    let r = post(
        &gh,
        "/api-token-refresh/",
        &json,
        &format!(r#"{{"token": "{token}"}}"#),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let refreshed = decode_part(r.json()["token"].as_str().unwrap(), 1);
    assert_eq!(refreshed["orig_iat"], claims["orig_iat"]);
    let r = post(
        &gh,
        "/api-token-verify/",
        &json,
        &format!(r#"{{"token": "{token}"}}"#),
    );
    assert_eq!(
        (r.status, r.json()["token"].as_str()),
        (200, Some(token.as_str()))
    );

    let r = post(
        &gh,
        "/api-token-auth/",
        &json,
        r#"{"username": "test", "password": "wrong"}"#,
    );
    assert_eq!(
        (r.status, r.text()),
        (
            400,
            r#"{"non_field_errors":["Unable to login with provided credentials."]}"#.to_owned()
        )
    );
    // The document's sample token: signed with another key.
    let sample = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1c2VybmFtZSI6ImFkbWluIiwib3JpZ19pYXQiOjE0MzEzMzU1MjgsInVzZXJfaWQiOjEsImVtYWlsIjoiYWRtaW5AYWRtaW4uY29tIiwiZXhwIjoxNDM5MzM1NTI4fQ.s84IiGYLz649KILx2NfZ7KfLk928xcLJvMC2mNlXB6Q";
    for endpoint in ["/api-token-refresh/", "/api-token-verify/"] {
        let r = post(&gh, endpoint, &json, &format!(r#"{{"token": "{sample}"}}"#));
        assert_eq!(
            (r.status, r.text()),
            (
                400,
                r#"{"non_field_errors":["Error decoding signature."]}"#.to_owned()
            ),
            "{endpoint}"
        );
    }
}
