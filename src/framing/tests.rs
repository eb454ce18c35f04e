use super::*;

fn request(target: &[u8], headers: &[(&str, &str)]) -> RequestHeader {
    let mut request = RequestHeader::build("GET", target, None).unwrap();
    for (name, value) in headers {
        request.append_header(name.to_string(), *value).unwrap();
    }
    request
}

fn listen(max_uri_bytes: usize, max_header_bytes: usize) -> Listen {
    Listen {
        address: "127.0.0.1:0".parse().unwrap(),
        tls: None,
        trusted_proxies: Vec::new(),
        max_header_bytes,
        max_uri_bytes,
        max_connections: 1,
        header_timeout: std::time::Duration::from_secs(1),
        http2: crate::config::ListenHttp2 {
            h2c: false,
            alpn_h2: false,
            max_concurrent_streams: 100,
            idle_timeout: std::time::Duration::from_secs(60),
        },
    }
}

fn bad_request(message: &str) -> Result<(), Refusal> {
    Err(Refusal::BadRequest(message.into()))
}

#[test]
fn origin_and_absolute_form_pass_anything_else_is_refused() {
    let host = [("Host", "example.com")];
    assert_eq!(check_framing(&request(b"/a/b?c=d", &host)), Ok(()));
    assert_eq!(
        check_framing(&request(b"http://example.com/a", &host)),
        Ok(())
    );
    assert_eq!(
        check_framing(&request(b"HTTPS://example.com/a", &host)),
        Ok(())
    );
    // Asterisk-form is refused later, by path normalisation, which names it.
    assert_eq!(check_framing(&request(b"*", &host)), Ok(()));
    let not_absolute = bad_request("the request target must be an absolute path");
    assert_eq!(check_framing(&request(b"a/b", &host)), not_absolute);
    assert_eq!(check_framing(&request(b"http://", &host)), not_absolute);
    assert_eq!(
        check_framing(&request(b"example.com:443", &host)),
        not_absolute
    );
}

#[test]
fn http_1_1_needs_a_host_and_http_1_0_does_not() {
    assert_eq!(
        check_framing(&request(b"/", &[])),
        bad_request("HTTP/1.1 requests need a Host header")
    );
    let mut old = request(b"/", &[]);
    old.set_version(http::Version::HTTP_10);
    assert_eq!(check_framing(&old), Ok(()));
}

#[test]
fn content_length_must_be_one_number_given_once() {
    let once = [("Host", "h"), ("Content-Length", "5")];
    assert_eq!(check_framing(&request(b"/", &once)), Ok(()));
    let refused = bad_request("Content-Length must be given once, as one number");
    let twice = [
        ("Host", "h"),
        ("Content-Length", "5"),
        ("Content-Length", "5"),
    ];
    assert_eq!(check_framing(&request(b"/", &twice)), refused);
    let listed = [("Host", "h"), ("Content-Length", "5, 5")];
    assert_eq!(check_framing(&request(b"/", &listed)), refused);
}

#[test]
fn limits_count_the_target_and_the_head() {
    let limits = listen(10, 40);
    // "/123456789" is 10 bytes: at the limit. With "?" and a query it is over.
    assert_eq!(oversized(&limits, &request(b"/123456789", &[])), None);
    assert_eq!(
        oversized(&limits, &request(b"/1234?5678", &[])),
        None,
        "path, '?' and query are 10 bytes"
    );
    assert_eq!(
        oversized(&limits, &request(b"/1234?56789", &[])),
        Some(Refusal::UriTooLong)
    );
    // Each header counts name + value + 4 (": " and CRLF): 4 + 32 + 4 = 40.
    let value = "x".repeat(32);
    assert_eq!(
        oversized(&limits, &request(b"/", &[("Host", value.as_str())])),
        None
    );
    let value = "x".repeat(33);
    assert_eq!(
        oversized(&limits, &request(b"/", &[("Host", value.as_str())])),
        Some(Refusal::HeadersTooLarge)
    );
}

#[test]
fn sent_as_compares_the_raw_path_without_its_query() {
    assert!(sent_as(&request(b"/a/b?x=1", &[]), "/a/b"));
    assert!(!sent_as(&request(b"/a/./b", &[]), "/a/b"));
    assert!(!sent_as(&request(b"/a/%62", &[]), "/a/b"));
    assert!(!sent_as(&request(b"http://h/a/b", &[]), "/a/b"));
}
