use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::Duration;

use crate::harness::{basic, demo_config, free_port, Gatehouse};

/// A tiny HTTP upstream on `port`, answering `count` requests with 200 and "up".
fn serve(listener: TcpListener, count: usize, delay: Duration) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        for stream in listener.incoming().take(count) {
            let Ok(mut stream) = stream else { continue };
            let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf);
            std::thread::sleep(delay);
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nup");
        }
    })
}

#[test]
fn upstream_down_gives_502_json_and_recovers() {
    let port = free_port();
    let config = demo_config().replace(
        "address = \"builtin:echo\"",
        &format!("address = \"127.0.0.1:{port}\""),
    );
    let gh = Gatehouse::start(&config);
    let auth = basic("admin", "masterkey");
    let r = gh.get("/a", &[("authorization", &auth)]);
    assert_eq!(r.status, 502);
    assert_eq!(
        r.json(),
        serde_json::json!({"error": "bad_gateway", "message": "the upstream service is unavailable"})
    );

    let listener = TcpListener::bind(("127.0.0.1", port)).unwrap();
    let server = serve(listener, 1, Duration::ZERO);
    let r = gh.get("/a", &[("authorization", &auth)]);
    assert_eq!(r.status, 200);
    assert_eq!(r.text(), "up");
    server.join().unwrap();
    assert_eq!(
        gh.metric("gatehouse_upstream_responses_total{class=\"2xx\"}"),
        1.0
    );
}

#[test]
fn slow_upstream_gives_504_json() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = serve(listener, 2, Duration::from_secs(3));
    let config = demo_config()
        .replace(
            "address = \"builtin:echo\"",
            &format!("address = \"127.0.0.1:{port}\""),
        )
        .replace("read_timeout = \"60s\"", "read_timeout = \"500ms\"");
    let gh = Gatehouse::start(&config);
    let r = gh.get("/a", &[("authorization", &basic("admin", "masterkey"))]);
    assert_eq!(r.status, 504, "{}", r.text());
    assert_eq!(r.json()["error"], "gateway_timeout");
    // The process keeps serving.
    assert_eq!(gh.get("/public/x", &[]).status, 504);
    server.join().unwrap();
}
