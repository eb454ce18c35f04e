//! The application behind the front proxies (nginx, Caddy) in the decision endpoint
//! tests: a plain HTTP/1.1 server in the test process that answers every request with a
//! JSON description of exactly what it received, and keeps a record of each request.
//!
//! Why not gatehouse's `builtin:echo` behind a second gatehouse (the trick of
//! `http2.rs`): that gatehouse would itself strip identity lookalikes and credentials,
//! replace `X-Forwarded-For` and normalise the path, so the test would see what a second
//! gatehouse made of the request, not what nginx or Caddy sent. This one hides nothing:
//! the raw request target, every header with every value in order, and, through
//! [`EchoUpstream::requests`], whether a refused request reached the application at all.
//!
//! The answer has the shape of gatehouse's echo (`method`, `path`, `query`, `headers`:
//! lower-case name → values), so `harness::Response::echoed` reads it, plus `target`,
//! the request target as it came. Every answer closes its connection (`Connection:
//! close`): no keep-alive state to get wrong, and both proxies open a new one as needed.
//! Reads are bounded in size and time; the server stops when dropped.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// A request head larger than this is answered with 431 and not recorded.
const MAX_HEAD: usize = 64 * 1024;
/// A request body is read (and dropped) up to this size.
const MAX_BODY: usize = 1024 * 1024;
const IO_TIMEOUT: Duration = Duration::from_secs(5);

/// One request as it arrived.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    /// The request target exactly as sent (`/public/../admin/x?q=1`).
    pub target: String,
    /// (name as sent, value), in order.
    pub headers: Vec<(String, String)>,
}

impl Seen {
    /// Every value of a header, by case-insensitive name.
    pub fn header_all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

pub struct EchoUpstream {
    pub port: u16,
    seen: Arc<Mutex<Vec<Seen>>>,
    stop: Arc<AtomicBool>,
    acceptor: Option<JoinHandle<()>>,
}

impl EchoUpstream {
    /// Listens on a port the kernel picks on 127.0.0.1 (bound here, so there is no race
    /// with another process) and serves until dropped.
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the echo upstream");
        let port = listener.local_addr().expect("local addr").port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let acceptor = {
            let seen = Arc::clone(&seen);
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let seen = Arc::clone(&seen);
                    std::thread::spawn(move || serve(stream, &seen));
                }
            })
        };
        Self {
            port,
            seen,
            stop,
            acceptor: Some(acceptor),
        }
    }

    /// `127.0.0.1:PORT`, for a proxy's upstream.
    pub fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<Seen> {
        self.seen.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

impl Drop for EchoUpstream {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the blocking accept so that the thread sees the flag.
        let _ = TcpStream::connect_timeout(
            &std::net::SocketAddr::from(([127, 0, 0, 1], self.port)),
            Duration::from_secs(1),
        );
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
    }
}

fn serve(mut stream: TcpStream, seen: &Mutex<Vec<Seen>>) {
    let _ = stream.set_read_timeout(Some(IO_TIMEOUT));
    let _ = stream.set_write_timeout(Some(IO_TIMEOUT));
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break end;
        }
        if buf.len() > MAX_HEAD {
            let _ = stream.write_all(
                b"HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            );
            return;
        }
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next().unwrap_or_default().split(' ');
    let method = request_line.next().unwrap_or_default().to_owned();
    let target = request_line.next().unwrap_or_default().to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    drain_body(&mut stream, &buf[head_end + 4..], &headers);
    let request = Seen {
        method,
        target,
        headers,
    };
    let body = describe(&request).to_string();
    seen.lock().unwrap_or_else(|e| e.into_inner()).push(request);
    let response = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(response.as_bytes());
    let _ = stream.flush();
}

/// Reads the body the head announces (Content-Length, or chunked up to its last chunk),
/// bounded, so that the proxy is not answered before it has finished sending.
fn drain_body(stream: &mut TcpStream, already: &[u8], headers: &[(String, String)]) {
    let header = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.to_ascii_lowercase())
    };
    let mut chunk = [0u8; 8192];
    if let Some(length) = header("content-length").and_then(|v| v.parse::<usize>().ok()) {
        let mut remaining = length.min(MAX_BODY).saturating_sub(already.len());
        while remaining > 0 {
            match stream.read(&mut chunk[..remaining.min(8192)]) {
                Ok(0) | Err(_) => return,
                Ok(n) => remaining -= n,
            }
        }
    } else if header("transfer-encoding").is_some_and(|v| v.contains("chunked")) {
        let mut body = already.to_vec();
        while !body.ends_with(b"0\r\n\r\n") && body.len() < MAX_BODY {
            match stream.read(&mut chunk) {
                Ok(0) | Err(_) => return,
                Ok(n) => body.extend_from_slice(&chunk[..n]),
            }
        }
    }
}

/// The JSON answer: gatehouse's echo shape plus the raw `target`.
fn describe(request: &Seen) -> serde_json::Value {
    let mut headers = serde_json::Map::new();
    for (name, value) in &request.headers {
        let values = headers
            .entry(name.to_ascii_lowercase())
            .or_insert_with(|| serde_json::Value::Array(Vec::new()));
        if let serde_json::Value::Array(values) = values {
            values.push(serde_json::Value::String(value.clone()));
        }
    }
    let (path, query) = match request.target.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (request.target.as_str(), None),
    };
    serde_json::json!({
        "method": request.method,
        "target": request.target,
        "path": path,
        "query": query,
        "headers": headers,
    })
}

#[test]
fn the_echo_upstream_describes_and_records_each_request_as_it_came() {
    let echo = EchoUpstream::start();
    let request = "POST /public/../a%2Fb?q=%2e HTTP/1.1\r\nHost: h\r\nX-Auth-User: one\r\n\
                   x-auth-user: two\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello";
    let r = crate::harness::raw_request(
        std::net::SocketAddr::from(([127, 0, 0, 1], echo.port)),
        request.as_bytes(),
    )
    .unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["target"], "/public/../a%2Fb?q=%2e");
    assert_eq!(r.json()["path"], "/public/../a%2Fb");
    assert_eq!(r.json()["query"], "q=%2e");
    assert_eq!(r.json()["method"], "POST");
    assert_eq!(r.echoed("X-Auth-User"), ["one", "two"]);
    let seen = echo.requests();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].header_all("x-auth-user"), ["one", "two"]);
    assert_eq!(seen[0].headers[1], ("X-Auth-User".into(), "one".into()));

    // A chunked body is read to its end before the answer.
    let chunked =
        "PUT /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n";
    let r = crate::harness::raw_request(
        std::net::SocketAddr::from(([127, 0, 0, 1], echo.port)),
        chunked.as_bytes(),
    )
    .unwrap();
    assert_eq!((r.status, r.json()["method"].as_str()), (200, Some("PUT")));
    assert_eq!(echo.requests().len(), 2);

    // Dropped, it stops listening.
    let port = echo.port;
    drop(echo);
    assert!(TcpStream::connect(("127.0.0.1", port)).is_err());
}
