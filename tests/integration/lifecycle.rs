use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};

use crate::harness::{basic, demo_config, raw_get, Gatehouse};

#[test]
fn sigterm_drains_in_flight_requests_then_exits() {
    // An upstream that takes a second to answer.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let upstream = std::thread::spawn(move || {
        if let Some(Ok(mut stream)) = listener.incoming().next() {
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf);
            std::thread::sleep(Duration::from_millis(1000));
            let _ = stream.write_all(
                b"HTTP/1.1 200 OK\r\nContent-Length: 7\r\nConnection: close\r\n\r\ndrained",
            );
        }
    });
    let config = demo_config().replace(
        "address = \"builtin:echo\"",
        &format!("address = \"127.0.0.1:{port}\""),
    );
    // A grace period long enough for the slow request, short enough for a test.
    let config = format!(
        "{config}\n[server]\nthreads = 2\ngrace_period = \"3s\"\nshutdown_timeout = \"1s\"\n"
    );
    let mut gh = Gatehouse::start(&config);
    let url = gh.url("/slow");
    let auth = basic("admin", "masterkey");
    let in_flight = std::thread::spawn(move || {
        crate::harness::send(&url, "GET", &[("authorization", &auth)], None)
    });
    std::thread::sleep(Duration::from_millis(300));
    let signalled = Instant::now();
    gh.signal("TERM");
    // Shutdown has begun: readiness turns off while the request drains.
    let deadline = Instant::now() + Duration::from_secs(2);
    let mut not_ready = false;
    while Instant::now() < deadline {
        if raw_get(gh.admin_addr(), "/readyz")
            .map(|r| r.status == 503)
            .unwrap_or(true)
        {
            not_ready = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(not_ready, "/readyz still 200 after SIGTERM");
    let response = in_flight.join().unwrap();
    assert_eq!(response.status, 200, "{}", response.text());
    assert_eq!(response.text(), "drained");
    let status = gh.wait_exit(Duration::from_secs(10));
    assert!(
        status.is_some(),
        "gatehouse did not exit after SIGTERM:\n{}",
        gh.log()
    );
    assert!(signalled.elapsed() < Duration::from_secs(10));
    upstream.join().unwrap();
}
