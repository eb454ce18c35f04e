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

/// What a test upstream reads of a request: its head, up to the empty line.
fn read_request_head(stream: &mut std::net::TcpStream) -> String {
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut request = Vec::new();
    let mut buf = [0u8; 1];
    while !request.ends_with(b"\r\n\r\n") {
        let n = stream.read(&mut buf).unwrap();
        assert!(n > 0, "closed before the request head ended");
        request.extend_from_slice(&buf[..n]);
    }
    String::from_utf8_lossy(&request).into_owned()
}

#[test]
fn websocket_upgrades_pass_through_after_auth() {
    // An upstream that accepts the upgrade and then echoes raw bytes back.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let upstream = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let request = read_request_head(&mut stream).to_ascii_lowercase();
        let mut buf = [0u8; 1024];
        assert!(request.contains("upgrade: websocket"), "{request}");
        assert!(request.contains("x-auth-user: admin"), "{request}");
        stream
            .write_all(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
            .unwrap();
        let n = stream.read(&mut buf).unwrap();
        stream.write_all(&buf[..n]).unwrap();
    });
    let config = demo_config().replace(
        "address = \"builtin:echo\"",
        &format!("address = \"127.0.0.1:{port}\""),
    );
    let gh = Gatehouse::start(&config);
    let mut client = std::net::TcpStream::connect(gh.addr()).unwrap();
    client
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let auth = basic("admin", "masterkey");
    client
        .write_all(
            format!(
                "GET /ws HTTP/1.1\r\nHost: a\r\nAuthorization: {auth}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
            )
            .as_bytes(),
        )
        .unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        client.read_exact(&mut byte).unwrap();
        head.push(byte[0]);
    }
    assert!(
        String::from_utf8_lossy(&head).starts_with("HTTP/1.1 101"),
        "{}",
        String::from_utf8_lossy(&head)
    );
    client.write_all(b"\x81\x05hello").unwrap();
    let mut echoed = [0u8; 7];
    client.read_exact(&mut echoed).unwrap();
    assert_eq!(&echoed, b"\x81\x05hello");
    upstream.join().unwrap();

    // Without credentials the upgrade never reaches the upstream.
    let r = gh.get(
        "/ws",
        &[("connection", "Upgrade"), ("upgrade", "websocket")],
    );
    assert_eq!(r.status, 401);
}

#[test]
fn upgrade_hands_over_the_listener_without_failed_requests() {
    let dir = tempfile::tempdir().unwrap();
    let port = crate::harness::free_port();
    let admin_a = crate::harness::free_port();
    let admin_b = crate::harness::free_port();
    let server = format!(
        "\n[server]\nthreads = 1\ngrace_period = \"1s\"\nshutdown_timeout = \"1s\"\npid_file = \"{}\"\nupgrade_sock = \"{}\"\n",
        dir.path().join("gatehouse.pid").display(),
        dir.path().join("upgrade.sock").display()
    );
    let write = |name: &str, admin: u16| {
        let text = demo_config()
            .replace("127.0.0.1:9778", &format!("127.0.0.1:{port}"))
            .replace("127.0.0.1:9779", &format!("127.0.0.1:{admin}"))
            + &server;
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    let path_a = write("a.toml", admin_a);
    let path_b = write("b.toml", admin_b);
    let spawn = |path: &std::path::Path, upgrade: bool| {
        let mut command = std::process::Command::new(crate::harness::BIN);
        command
            .arg("--config")
            .arg(path)
            .env("XDG_RUNTIME_DIR", dir.path());
        if upgrade {
            command.arg("--upgrade");
        }
        command
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap()
    };
    let mut old = spawn(&path_a, false);
    let ready = |admin: u16| {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if raw_get(
                std::net::SocketAddr::from(([127, 0, 0, 1], admin)),
                "/readyz",
            )
            .is_ok_and(|r| r.status == 200)
            {
                return true;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        false
    };
    assert!(ready(admin_a), "old instance never ready");
    let url = format!("http://127.0.0.1:{port}/public/x");

    // Requests keep flowing while the new process takes over and the old one leaves.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let load = {
        let stop = stop.clone();
        let url = url.clone();
        std::thread::spawn(move || {
            let mut statuses = Vec::new();
            let deadline = Instant::now() + Duration::from_secs(30);
            while !stop.load(std::sync::atomic::Ordering::Relaxed) && Instant::now() < deadline {
                statuses.push(crate::harness::send(&url, "GET", &[], None).status);
                std::thread::sleep(Duration::from_millis(50));
            }
            statuses
        })
    };
    std::thread::sleep(Duration::from_millis(300));
    let mut new = spawn(&path_b, true);
    std::thread::sleep(Duration::from_millis(500));
    let quit = std::process::Command::new("kill")
        .args(["-QUIT", &old.id().to_string()])
        .status()
        .unwrap();
    assert!(quit.success());
    assert!(ready(admin_b), "new instance never ready");
    // The old process exits after its close timeout and grace period.
    let deadline = Instant::now() + Duration::from_secs(20);
    while old.try_wait().unwrap().is_none() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        old.try_wait().unwrap().is_some(),
        "old process still running"
    );
    std::thread::sleep(Duration::from_millis(500));
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let statuses = load.join().unwrap();
    let _ = new.kill();
    let _ = new.wait();
    assert!(statuses.len() > 20, "{statuses:?}");
    assert!(
        statuses.iter().all(|s| *s == 200),
        "failed requests during the hand-over: {statuses:?}"
    );
}

#[test]
fn long_responses_stream_through_as_the_upstream_sends_them() {
    // An upstream that sends a chunked response in five parts, 300 ms apart.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let upstream = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        read_request_head(&mut stream);
        stream
            .write_all(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/event-stream\r\n\r\n")
            .unwrap();
        for i in 0..5 {
            stream
                .write_all(format!("7\r\nevent {i}\r\n").as_bytes())
                .unwrap();
            std::thread::sleep(Duration::from_millis(300));
        }
        stream.write_all(b"0\r\n\r\n").unwrap();
    });
    let config = demo_config().replace(
        "address = \"builtin:echo\"",
        &format!("address = \"127.0.0.1:{port}\""),
    );
    let gh = Gatehouse::start(&config);
    let mut client = std::net::TcpStream::connect(gh.addr()).unwrap();
    client
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let auth = basic("admin", "masterkey");
    let sent = Instant::now();
    client
        .write_all(
            format!("GET /events HTTP/1.1\r\nHost: a\r\nAuthorization: {auth}\r\n\r\n").as_bytes(),
        )
        .unwrap();
    // The first event arrives long before the upstream has finished (1.5 s).
    let mut seen = Vec::new();
    let mut buf = [0u8; 1024];
    while !String::from_utf8_lossy(&seen).contains("event 0") {
        let n = client.read(&mut buf).unwrap();
        assert!(n > 0, "closed early: {}", String::from_utf8_lossy(&seen));
        seen.extend_from_slice(&buf[..n]);
    }
    let first = sent.elapsed();
    assert!(
        first < Duration::from_millis(900),
        "first event after {first:?}: buffered"
    );
    assert!(String::from_utf8_lossy(&seen).starts_with("HTTP/1.1 200"));
    while !String::from_utf8_lossy(&seen).ends_with("0\r\n\r\n") {
        let n = client.read(&mut buf).unwrap();
        assert!(n > 0, "closed early: {}", String::from_utf8_lossy(&seen));
        seen.extend_from_slice(&buf[..n]);
    }
    let text = String::from_utf8_lossy(&seen);
    for i in 0..5 {
        assert!(text.contains(&format!("event {i}")), "{text}");
    }
    assert!(sent.elapsed() >= Duration::from_millis(1200));
    upstream.join().unwrap();
}
