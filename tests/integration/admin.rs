use std::io::{Read as _, Write as _};
use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

use crate::harness::{basic, demo_config, raw_get, raw_request, Gatehouse, Response};

#[test]
fn health_ready_and_metrics() {
    let gh = Gatehouse::start(&demo_config());
    let r = raw_get(gh.admin_addr(), "/healthz").unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(raw_get(gh.admin_addr(), "/readyz").unwrap().status, 200);
    assert_eq!(
        gh.get("/a", &[("authorization", &basic("admin", "masterkey"))])
            .status,
        200
    );
    assert_eq!(gh.get("/a", &[]).status, 401);
    let metrics = raw_get(gh.admin_addr(), "/metrics").unwrap();
    assert_eq!(metrics.status, 200);
    assert!(metrics
        .header("content-type")
        .unwrap()
        .starts_with("text/plain; version=0.0.4"));
    // Request counters are written once the response is sent: wait for the last one.
    for series in [
        "gatehouse_requests_total{credential=\"none\",outcome=\"unauthorized\"}",
        "gatehouse_requests_total{credential=\"basic\",outcome=\"forwarded\"}",
    ] {
        gh.wait_for_metric(series, 1.0);
    }
    let text = raw_get(gh.admin_addr(), "/metrics").unwrap().text();
    for series in [
        "gatehouse_requests_total{credential=\"basic\",outcome=\"forwarded\"} 1",
        "gatehouse_requests_total{credential=\"none\",outcome=\"unauthorized\"} 1",
        "gatehouse_upstream_responses_total{class=\"2xx\"} 1",
        "gatehouse_request_duration_seconds_count",
        "gatehouse_verifier_cache_total{credential=\"basic\",result=\"miss\"} 1",
    ] {
        assert!(text.contains(series), "missing {series} in:\n{text}");
    }
    assert_eq!(raw_get(gh.admin_addr(), "/nope").unwrap().status, 404);
    let r = raw_request(
        gh.admin_addr(),
        b"POST /healthz HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    )
    .unwrap();
    assert_eq!(r.status, 405);
}

#[test]
fn admin_endpoints_are_not_on_the_public_port() {
    let gh = Gatehouse::start(&demo_config());
    // On the proxy port, /metrics is just another authenticated path.
    let r = gh.get("/metrics", &[]);
    assert_eq!(r.status, 401);
    let r = gh.get(
        "/metrics",
        &[("authorization", &basic("admin", "masterkey"))],
    );
    assert_eq!(
        r.json()["path"],
        "/metrics",
        "served by the echo upstream, not gatehouse"
    );
}

// The diagnostics log level, read and changed at run time on the admin port.

const RELOADED: &str = "gatehouse_config_reloads_total{result=\"ok\"}";
const FAILED: &str = "gatehouse_config_reloads_total{result=\"failed\"}";
/// What the admin listener logs at debug for every request it answers.
const HEALTHZ_DEBUG_LINE: &str = "admin: GET /healthz 200";

fn put_level(gh: &Gatehouse, body: &[u8]) -> Response {
    let mut request = format!(
        "PUT /log-level HTTP/1.1\r\nHost: a\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    request.extend_from_slice(body);
    raw_request(gh.admin_addr(), &request).unwrap()
}

fn level(gh: &Gatehouse) -> String {
    let r = raw_get(gh.admin_addr(), "/log-level").unwrap();
    assert_eq!(r.status, 200, "{}", r.text());
    r.text()
}

/// The log written after byte offset `from`.
fn log_since(gh: &Gatehouse, from: usize) -> String {
    let log = gh.log();
    String::from_utf8_lossy(log.as_bytes().get(from..).unwrap_or_default()).into_owned()
}

/// Waits up to 10 s for a line containing every one of `needles` after offset `from`.
fn wait_for_line(gh: &Gatehouse, from: usize, needles: &[&str]) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if log_since(gh, from)
            .lines()
            .any(|line| needles.iter().all(|n| line.contains(n)))
        {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("no line with {needles:?} in the log:\n{}", gh.log());
}

/// env_logger lines at `level` ("[2026-01-01T00:00:00Z INFO  target] ...").
fn diagnostics_at<'a>(log: &'a str, level: &str) -> Vec<&'a str> {
    log.lines()
        .filter(|line| {
            line.starts_with('[')
                && line
                    .split_once("Z ")
                    .is_some_and(|(_, rest)| rest.starts_with(level))
        })
        .collect()
}

#[test]
fn log_level_is_changed_at_run_time() {
    let gh = Gatehouse::start(&demo_config());
    assert_eq!(
        level(&gh),
        "info\n",
        "the harness starts with GATEHOUSE_LOG=info"
    );
    assert!(
        !diagnostics_at(&gh.log(), "INFO").is_empty(),
        "info lines at start:\n{}",
        gh.log()
    );

    // At info, no debug line: the admin listener's debug line is written before its
    // response, so its absence after the response is final.
    assert_eq!(raw_get(gh.admin_addr(), "/healthz").unwrap().status, 200);
    assert!(!gh.log().contains(HEALTHZ_DEBUG_LINE), "{}", gh.log());
    assert!(
        diagnostics_at(&gh.log(), "DEBUG").is_empty(),
        "{}",
        gh.log()
    );

    // debug: the same request now writes its debug line.
    let r = put_level(&gh, b"debug");
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.text(), "debug\n");
    assert_eq!(level(&gh), "debug\n");
    let mark = gh.log().len();
    assert_eq!(raw_get(gh.admin_addr(), "/healthz").unwrap().status, 200);
    assert!(
        log_since(&gh, mark).contains(HEALTHZ_DEBUG_LINE),
        "no debug line after PUT debug:\n{}",
        gh.log()
    );
    // Pingora stays at the level GATEHOUSE_LOG gave it: its debug output prints request
    // headers, credentials included.
    assert_eq!(
        gh.get("/a", &[("authorization", &basic("admin", "masterkey"))])
            .status,
        200
    );
    assert!(
        diagnostics_at(&gh.log(), "DEBUG")
            .iter()
            .all(|line| line.contains(" gatehouse")),
        "a dependency's debug line appeared:\n{}",
        gh.log()
    );
    // An info line elsewhere in gatehouse, as a control for the warn step below.
    let mark = gh.log().len();
    gh.signal("HUP");
    gh.wait_for_metric(RELOADED, 1.0);
    wait_for_line(&gh, mark, &["INFO", "gatehouse::reload", "reloaded"]);

    // A bad value: 400 naming it, level unchanged. Same for a filter spec, an empty
    // body, a body over the limit, and other methods.
    let r = put_level(&gh, b"verbose");
    assert_eq!(r.status, 400);
    assert!(r.text().contains("\"verbose\""), "{}", r.text());
    assert!(
        r.text().contains("off, error, warn, info, debug, trace"),
        "{}",
        r.text()
    );
    for body in [&b"info,gatehouse=trace"[..], b"", b"3", &[b'd'; 100]] {
        let r = put_level(&gh, body);
        assert!(r.status == 400 || r.status == 413, "{r:?}");
    }
    assert_eq!(put_level(&gh, &[b' '; 65]).status, 413);
    let r = raw_request(
        gh.admin_addr(),
        b"POST /log-level HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nConnection: close\r\n\r\nwarn",
    )
    .unwrap();
    assert_eq!(r.status, 405);
    assert_eq!(r.header("allow"), Some("GET, HEAD, PUT"));
    assert_eq!(level(&gh), "debug\n", "a refused PUT changed the level");

    // warn: debug and info lines stop, warnings and errors still come.
    let r = put_level(&gh, b" WARN\n");
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.text(), "warn\n");
    let mark = gh.log().len();
    assert_eq!(raw_get(gh.admin_addr(), "/healthz").unwrap().status, 200);
    gh.signal("HUP");
    gh.wait_for_metric(RELOADED, 2.0);
    // The reload task is sequential: once the failed reload's error is written, the
    // "reloaded" line of the reload before it would have been written too.
    gh.rewrite_config(&demo_config().replace("cache_ttl = \"5m\"", "cache_ttl = \"soon\""));
    gh.signal("HUP");
    gh.wait_for_metric(FAILED, 1.0);
    wait_for_line(&gh, mark, &["ERROR", "gatehouse::reload"]);
    let after = log_since(&gh, mark);
    assert!(!after.contains("reloaded "), "info line at warn:\n{after}");
    assert!(
        !after.contains(HEALTHZ_DEBUG_LINE),
        "debug line at warn:\n{after}"
    );
    assert!(diagnostics_at(&after, "INFO").is_empty(), "{after}");
    assert!(diagnostics_at(&after, "DEBUG").is_empty(), "{after}");
    assert_eq!(level(&gh), "warn\n");

    // The access log does not go through the diagnostics logger: off leaves it alone.
    assert_eq!(put_level(&gh, b"off").status, 200);
    let mark = gh.log().len();
    let r = gh.get(
        "/a",
        &[
            ("authorization", &basic("admin", "masterkey")),
            ("x-request-id", "log-level-access-check"),
        ],
    );
    assert_eq!(r.status, 200);
    wait_for_line(&gh, mark, &["\"request_id\":\"log-level-access-check\""]);
    assert_eq!(level(&gh), "off\n");
}

#[test]
fn gatehouse_log_module_filters_still_set_the_start() {
    let gh = Gatehouse::start_with_env(
        &demo_config(),
        &[("GATEHOUSE_LOG", "warn,gatehouse::admin=debug")],
    );
    // The loudest level named is the global level.
    assert_eq!(level(&gh), "debug\n");
    assert_eq!(raw_get(gh.admin_addr(), "/healthz").unwrap().status, 200);
    let log = gh.log();
    assert!(log.contains(HEALTHZ_DEBUG_LINE), "{log}");
    assert!(
        !log.contains("gatehouse listening on"),
        "gatehouse::server logged at info under warn:\n{log}"
    );
    assert!(!diagnostics_at(&log, "WARN").is_empty(), "{log}");

    // Lowering the level reaches the module that was at debug.
    assert_eq!(put_level(&gh, b"info").status, 200);
    let mark = gh.log().len();
    assert_eq!(raw_get(gh.admin_addr(), "/healthz").unwrap().status, 200);
    assert!(
        !log_since(&gh, mark).contains(HEALTHZ_DEBUG_LINE),
        "{}",
        gh.log()
    );
    // Raising it above the start lets that module go further, and only that module.
    assert_eq!(put_level(&gh, b"trace").status, 200);
    let mark = gh.log().len();
    assert_eq!(raw_get(gh.admin_addr(), "/healthz").unwrap().status, 200);
    gh.signal("HUP");
    gh.wait_for_metric(RELOADED, 1.0);
    let after = log_since(&gh, mark);
    assert!(after.contains(HEALTHZ_DEBUG_LINE), "{}", gh.log());
    assert!(!after.contains("reloaded "), "{}", gh.log());
}

#[test]
fn log_level_is_set_from_loopback_only() {
    // The admin port is open to the cluster network for the probes; changing the level is
    // not. A connection from this machine's non-loopback address stands in for another pod.
    let Some(local) = non_loopback_address() else {
        eprintln!("no non-loopback IPv4 address on this machine; skipping the remote PUT");
        return;
    };
    let gh = Gatehouse::start(&demo_config());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut stream = runtime
        .block_on(async {
            let socket = tokio::net::TcpSocket::new_v4()?;
            socket.bind(SocketAddr::new(local, 0))?;
            socket.connect(gh.admin_addr()).await
        })
        .unwrap()
        .into_std()
        .unwrap();
    stream.set_nonblocking(false).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream
        .write_all(
            b"PUT /log-level HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nConnection: close\r\n\r\ntrace",
        )
        .unwrap();
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    let raw = String::from_utf8_lossy(&raw);
    assert!(raw.starts_with("HTTP/1.1 403"), "{raw}");
    assert_eq!(level(&gh), "info\n");
    // Reading the level is fine from anywhere, and loopback may set it.
    assert_eq!(put_level(&gh, b"error").status, 200);
    assert_eq!(level(&gh), "error\n");
}

/// The address this machine would use to reach a non-local network, if it has one.
fn non_loopback_address() -> Option<IpAddr> {
    let socket = UdpSocket::bind("0.0.0.0:0").ok()?;
    socket.connect("198.51.100.1:9").ok()?;
    let ip = socket.local_addr().ok()?.ip();
    (!ip.is_loopback() && !ip.is_unspecified()).then_some(ip)
}
