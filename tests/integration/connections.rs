//! The proxy port's connection guard: `[listen] max_connections` answers 503 beyond the
//! cap and frees a slot when a connection closes; `[listen] header_timeout` cuts a
//! request head that dribbles in, but never an idle kept-alive connection, a slow body
//! or a normal request.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::harness::{demo_config, Gatehouse};

const OPEN: &str = "gatehouse_connections_open";
const REFUSED: &str = "gatehouse_connections_total{result=\"refused\"}";
const HEAD_TIMEOUTS: &str = "gatehouse_request_head_timeouts_total";

fn guarded(settings: &str) -> Gatehouse {
    let config = demo_config().replace(
        "[listen]\naddress = \"127.0.0.1:9778\"\n",
        &format!("[listen]\naddress = \"127.0.0.1:9778\"\n{settings}"),
    );
    assert_ne!(config, demo_config(), "demo [listen] changed");
    Gatehouse::start(&config)
}

fn connect(gh: &Gatehouse) -> TcpStream {
    let s = TcpStream::connect_timeout(&gh.addr(), Duration::from_secs(2)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(5)))
        .expect("read timeout");
    s
}

/// Sends one keep-alive request on `s` and reads its whole response head and body.
fn exchange(s: &mut TcpStream, path: &str) -> String {
    write!(s, "GET {path} HTTP/1.1\r\nHost: a\r\n\r\n").expect("write request");
    let mut response = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = s.read(&mut buf).expect("read response");
        assert!(
            n > 0,
            "closed mid-response: {:?}",
            String::from_utf8_lossy(&response)
        );
        response.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&response);
        if let Some(end) = text.find("\r\n\r\n") {
            let length: usize = text[..end]
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse().expect("length"))
                })
                .expect("content-length");
            if response.len() >= end + 4 + length {
                return text.into_owned();
            }
        }
    }
}

/// Reads until the server closes; the time it took and what was said.
fn read_until_closed(s: &mut TcpStream) -> (Duration, String) {
    let started = Instant::now();
    let mut seen = Vec::new();
    let mut buf = [0u8; 1024];
    loop {
        match s.read(&mut buf) {
            Ok(0) | Err(_) => return (started.elapsed(), String::from_utf8_lossy(&seen).into()),
            Ok(n) => seen.extend_from_slice(&buf[..n]),
        }
    }
}

#[test]
fn connections_beyond_max_connections_get_503_until_one_closes() {
    let gh = guarded("max_connections = 2\n");
    let mut first = connect(&gh);
    let mut second = connect(&gh);
    assert!(exchange(&mut first, "/public/a").starts_with("HTTP/1.1 200"));
    assert!(exchange(&mut second, "/public/b").starts_with("HTTP/1.1 200"));
    gh.wait_for_metric(OPEN, 2.0);

    // Both are kept alive and hold their slots: a third is told why and closed.
    let mut third = connect(&gh);
    let (_, said) = read_until_closed(&mut third);
    assert!(
        said.starts_with("HTTP/1.1 503 Service Unavailable\r\n"),
        "{said}"
    );
    assert!(said.contains("\r\nRetry-After: 1\r\n"), "{said}");
    assert!(
        said.ends_with(r#"{"error":"unavailable","message":"too many open connections"}"#),
        "{said}"
    );
    assert_eq!(gh.metric(REFUSED), 1.0);

    // The kept-alive ones still work, and closing one frees its slot.
    assert!(exchange(&mut first, "/public/c").starts_with("HTTP/1.1 200"));
    drop(second);
    gh.wait_for_metric(OPEN, 1.0);
    let mut fourth = connect(&gh);
    assert!(exchange(&mut fourth, "/public/d").starts_with("HTTP/1.1 200"));
    assert_eq!(gh.metric(REFUSED), 1.0);
}

#[test]
fn a_request_head_dribbling_past_header_timeout_is_cut_while_others_are_served() {
    let gh = guarded("header_timeout = \"1s\"\n");
    let mut slow = connect(&gh);
    slow.write_all(b"GET /public/slow HTTP/1.1\r\nHost: a\r\n")
        .expect("write head start");
    let started = Instant::now();
    // One header line every 200 ms: each read comes well within Pingora's own 60 s.
    let mut cut = false;
    while started.elapsed() < Duration::from_secs(4) {
        std::thread::sleep(Duration::from_millis(200));
        if slow.write_all(b"X-Slow: 1\r\n").is_err() {
            cut = true;
            break;
        }
        assert_eq!(gh.get("/public/fast", &[]).status, 200);
        if gh.metric(HEAD_TIMEOUTS) >= 1.0 {
            cut = true;
            break;
        }
    }
    assert!(cut, "a head dribbling for 4 s was not cut");
    let (_, said) = read_until_closed(&mut slow);
    assert!(
        !said.contains("200 OK"),
        "the slow request was served: {said}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "cut after {:?}",
        started.elapsed()
    );
    assert_eq!(gh.metric(HEAD_TIMEOUTS), 1.0);

    // A connection that says nothing at all is closed too.
    let mut silent = connect(&gh);
    let (took, said) = read_until_closed(&mut silent);
    assert_eq!(said, "");
    assert!(
        took >= Duration::from_millis(800) && took < Duration::from_secs(3),
        "{took:?}"
    );
    assert_eq!(gh.metric(HEAD_TIMEOUTS), 2.0);

    // On a kept-alive connection, the next request's head is timed from its first byte.
    let mut kept = connect(&gh);
    assert!(exchange(&mut kept, "/public/first").starts_with("HTTP/1.1 200"));
    kept.write_all(b"GET /public/second HTTP/1.1\r\n")
        .expect("write head start");
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(4) && kept.write_all(b"X-Slow: 1\r\n").is_ok() {
        if gh.metric(HEAD_TIMEOUTS) >= 3.0 {
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let (_, said) = read_until_closed(&mut kept);
    assert_eq!(said, "", "the dribbled second request was answered");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(gh.metric(HEAD_TIMEOUTS), 3.0);
}

#[test]
fn header_timeout_spares_idle_keepalive_and_slow_bodies() {
    let gh = guarded("header_timeout = \"1s\"\n");
    // Idle between requests for longer than the head timeout: the clock only starts at
    // the next request's first byte.
    let mut kept = connect(&gh);
    assert!(exchange(&mut kept, "/public/1").starts_with("HTTP/1.1 200"));
    std::thread::sleep(Duration::from_millis(1600));
    assert!(exchange(&mut kept, "/public/2").starts_with("HTTP/1.1 200"));

    // A body that takes longer than the head timeout, after a quick head.
    let mut upload = connect(&gh);
    upload
        .write_all(b"POST /public/upload HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\n\r\nab")
        .expect("write head");
    for chunk in [b"cd", b"ef"] {
        std::thread::sleep(Duration::from_millis(800));
        upload.write_all(chunk).expect("write body");
    }
    let mut response = [0u8; 64];
    let n = upload.read(&mut response).expect("response");
    let said = String::from_utf8_lossy(&response[..n]);
    assert!(said.starts_with("HTTP/1.1 200"), "{said}");
    assert_eq!(gh.metric(HEAD_TIMEOUTS), 0.0);
}
