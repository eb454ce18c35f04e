//! HTTP/2 abuse on one connection while a second client is being served: a rapid-reset
//! burst (CVE-2023-44487), a header block that never ends (CONTINUATION flood), an
//! oversized header list, and more streams than allowed. The attacker is a raw frame
//! writer (no HTTP/2 library would send these); the bystander is curl.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use crate::curl::{try_curl, H2C};
use crate::harness::{demo_config, demo_token, Gatehouse};

const PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
const HEADERS: u8 = 0x1;
const RST_STREAM: u8 = 0x3;
const SETTINGS: u8 = 0x4;
const GOAWAY: u8 = 0x7;
const CONTINUATION: u8 = 0x9;
const END_STREAM: u8 = 0x1;
const END_HEADERS: u8 = 0x4;
const CANCEL: u32 = 0x8;
const ENHANCE_YOUR_CALM: u32 = 0xb;

fn frame(kind: u8, flags: u8, stream: u32, payload: &[u8]) -> Vec<u8> {
    let length = u32::try_from(payload.len()).unwrap();
    let mut bytes = length.to_be_bytes()[1..].to_vec();
    bytes.extend([kind, flags]);
    bytes.extend(stream.to_be_bytes());
    bytes.extend_from_slice(payload);
    bytes
}

/// An HPACK integer with an `n`-bit prefix (RFC 7541 §5.1) after `first`'s high bits.
fn hpack_integer(first: u8, n: u32, mut value: usize, out: &mut Vec<u8>) {
    let max = (1usize << n) - 1;
    if value < max {
        out.push(first | value as u8);
        return;
    }
    out.push(first | max as u8);
    value -= max;
    while value >= 128 {
        out.push((value % 128) as u8 | 0x80);
        value /= 128;
    }
    out.push(value as u8);
}

/// A literal field without indexing, new name (RFC 7541 §6.2.2), no Huffman.
fn literal(name: &str, value: &str, out: &mut Vec<u8>) {
    out.push(0x00);
    hpack_integer(0, 7, name.len(), out);
    out.extend_from_slice(name.as_bytes());
    hpack_integer(0, 7, value.len(), out);
    out.extend_from_slice(value.as_bytes());
}

/// The header block of `GET path` with `authorization`.
fn request_block(path: &str, authorization: &str) -> Vec<u8> {
    let mut block = vec![0x82, 0x86]; // :method GET, :scheme http (static table)
    literal(":path", path, &mut block);
    literal(":authority", "127.0.0.1", &mut block);
    literal("authorization", authorization, &mut block);
    block
}

/// A raw HTTP/2 connection whose frames from the server are read (and counted) by a
/// thread of its own, so that writing never waits on an unread socket.
struct Attacker {
    stream: TcpStream,
    reader: thread::JoinHandle<Vec<(u8, u32)>>,
}

impl Attacker {
    fn connect(addr: SocketAddr) -> Self {
        let mut stream = TcpStream::connect(addr).unwrap();
        stream
            .set_write_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        stream.write_all(PREFACE).unwrap();
        stream.write_all(&frame(SETTINGS, 0, 0, &[])).unwrap();
        let mut read_side = stream.try_clone().unwrap();
        read_side
            .set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        let reader = thread::spawn(move || {
            // (type, GOAWAY error code or 0) of every frame until the server closes.
            let mut frames = Vec::new();
            let mut pending = Vec::new();
            let mut buf = [0u8; 16384];
            while let Ok(n) = read_side.read(&mut buf) {
                if n == 0 {
                    break;
                }
                pending.extend_from_slice(&buf[..n]);
                while pending.len() >= 9 {
                    let length = u32::from_be_bytes([0, pending[0], pending[1], pending[2]]);
                    let total = 9 + length as usize;
                    if pending.len() < total {
                        break;
                    }
                    let code = if pending[3] == GOAWAY && total >= 17 {
                        u32::from_be_bytes([pending[13], pending[14], pending[15], pending[16]])
                    } else {
                        0
                    };
                    frames.push((pending[3], code));
                    pending.drain(..total);
                }
            }
            frames
        });
        Self { stream, reader }
    }

    /// Writes `bytes`; false once the server has closed the connection.
    fn send(&mut self, bytes: &[u8]) -> bool {
        self.stream.write_all(bytes).is_ok()
    }

    /// The server's frames, once it has closed the connection (or 20 s passed).
    fn frames(self) -> Vec<(u8, u32)> {
        let _ = self.stream.shutdown(std::net::Shutdown::Write);
        self.reader.join().unwrap()
    }
}

/// curl requests, one after another, until `stop`: how many, and the failures.
fn bystander(gh: &Gatehouse, stop: Arc<AtomicBool>) -> thread::JoinHandle<(usize, Vec<String>)> {
    let url = gh.url("/bystander");
    let auth = format!("Authorization: Bearer {}", demo_token("TestUser"));
    thread::spawn(move || {
        let (mut served, mut failures) = (0, Vec::new());
        let deadline = Instant::now() + Duration::from_secs(60);
        while !stop.load(Ordering::Relaxed) && Instant::now() < deadline {
            match try_curl(&[H2C, "-H", &auth, "--max-time", "5"], &url) {
                Ok(r) if r.status == 200 => served += 1,
                Ok(r) => failures.push(format!("{} {}", r.status, r.body)),
                Err(e) => failures.push(e),
            }
        }
        (served, failures)
    })
}

fn config() -> String {
    demo_config().replace(
        "h2c = true\n",
        "h2c = true\nh2_max_concurrent_streams = 50\n",
    )
}

/// How long each attack keeps going, connection after connection, while the bystander
/// is served.
const ATTACK: Duration = Duration::from_secs(3);

/// One rapid-reset connection: up to 20,000 streams, each opened and cancelled at once,
/// in batches of 100. The streams sent, and the server's frames.
fn rapid_reset(addr: SocketAddr, block: &[u8]) -> (u32, Vec<(u8, u32)>) {
    const STREAMS: u32 = 20_000;
    let mut attacker = Attacker::connect(addr);
    let mut opened = 0;
    for batch in 0..STREAMS / 100 {
        let mut bytes = Vec::new();
        for i in 0..100 {
            let stream = (batch * 100 + i) * 2 + 1;
            bytes.extend(frame(HEADERS, END_HEADERS | END_STREAM, stream, block));
            bytes.extend(frame(RST_STREAM, 0, stream, &CANCEL.to_be_bytes()));
        }
        if !attacker.send(&bytes) {
            break;
        }
        opened += 100;
    }
    (opened, attacker.frames())
}

#[test]
fn rapid_reset_connections_are_ended_and_the_proxy_serves_on() {
    let gh = Gatehouse::start(&config());
    let stop = Arc::new(AtomicBool::new(false));
    let other = bystander(&gh, stop.clone());
    let block = request_block("/rapid", &format!("Bearer {}", demo_token("admin")));

    let started = Instant::now();
    let (mut connections, mut streams) = (0, 0);
    while started.elapsed() < ATTACK {
        let (opened, frames) = rapid_reset(gh.addr(), &block);
        assert!(
            frames.contains(&(GOAWAY, ENHANCE_YOUR_CALM)),
            "connection {connections} took {opened} resets without ENHANCE_YOUR_CALM: {frames:?}"
        );
        connections += 1;
        streams += opened;
    }
    stop.store(true, Ordering::Relaxed);
    let (served, failures) = other.join().unwrap();

    let forwarded = gh.metric(r#"gatehouse_upstream_responses_total{class="2xx"}"#);
    assert!(
        forwarded <= served as f64 + f64::from(connections) * 50.0,
        "{forwarded} forwarded: the reset streams were worked on"
    );
    assert!(failures.is_empty(), "the bystander failed: {failures:?}");
    assert!(
        served >= 3,
        "the bystander was served {served} times in {ATTACK:?}"
    );
    eprintln!(
        "rapid reset: {connections} connections, {streams} streams sent, {forwarded} forwarded, bystander served {served}"
    );
}

/// One connection sending a HEADERS frame without END_HEADERS, then CONTINUATION
/// frames of 16 KiB of fields each, up to 64 MiB: far past any header list limit. The
/// bytes it got to write, and the server's frames.
fn continuation_flood(addr: SocketAddr) -> (usize, Vec<(u8, u32)>) {
    let mut attacker = Attacker::connect(addr);
    let mut fields = Vec::new();
    while fields.len() < 16 * 1024 - 200 {
        literal(
            &format!("x-flood-{}", fields.len()),
            &"a".repeat(100),
            &mut fields,
        );
    }
    let continuation = frame(CONTINUATION, 0, 1, &fields);
    let mut sent = 0;
    if attacker.send(&frame(HEADERS, 0, 1, &request_block("/flood", "x"))) {
        while sent < 64 * 1024 * 1024 && attacker.send(&continuation) {
            sent += continuation.len();
        }
    }
    (sent, attacker.frames())
}

#[test]
fn header_blocks_that_never_end_are_cut_off_and_the_proxy_serves_on() {
    let gh = Gatehouse::start(&config());
    let stop = Arc::new(AtomicBool::new(false));
    let other = bystander(&gh, stop.clone());

    let started = Instant::now();
    let mut connections = 0;
    while started.elapsed() < ATTACK {
        let (sent, frames) = continuation_flood(gh.addr());
        assert!(
            sent < 64 * 1024 * 1024,
            "64 MiB of one header block were taken: {frames:?}"
        );
        assert!(
            frames.contains(&(GOAWAY, ENHANCE_YOUR_CALM)) || frames.contains(&(GOAWAY, 0)),
            "cut off after {sent} bytes without a GOAWAY: {frames:?}"
        );
        connections += 1;
    }
    stop.store(true, Ordering::Relaxed);
    let (served, failures) = other.join().unwrap();
    assert!(failures.is_empty(), "the bystander failed: {failures:?}");
    assert!(
        served >= 3,
        "the bystander was served {served} times in {ATTACK:?}"
    );
    eprintln!("continuation flood: {connections} connections cut off, bystander served {served}");
}

#[test]
fn oversized_header_lists_are_refused_on_http2_as_on_http1() {
    let gh = Gatehouse::start(&config());
    let auth = format!("Authorization: Bearer {}", demo_token("TestUser"));
    // Over [listen] max_header_bytes (32 KiB): the same 431 as on HTTP/1.1.
    let big = format!("X-Big: {}", "b".repeat(40 * 1024));
    for version in [H2C, "--http1.1"] {
        let r = try_curl(&[version, "-H", &auth, "-H", &big], &gh.url("/x")).unwrap();
        assert_eq!(r.status, 431, "{version}: {r:?}");
        assert_eq!(r.json()["error"], "request_header_fields_too_large");
    }
    // Past what the HTTP/2 decoder takes at all: h2 answers 431 itself, or, when the
    // block is still arriving, ends the connection; nothing is forwarded, and the next
    // request is served.
    // (From a file: one argument of a command line holds at most 128 KiB.)
    let huge = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(huge.path(), format!("X-Huge: {}\n", "h".repeat(256 * 1024))).unwrap();
    let huge = format!("@{}", huge.path().display());
    let refused = try_curl(&[H2C, "-H", &auth, "-H", &huge], &gh.url("/x"));
    assert!(
        refused.as_ref().map_or(true, |r| r.status == 431),
        "{refused:?}"
    );
    let r = try_curl(&[H2C, "-H", &auth], &gh.url("/x")).unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(
        gh.metric(r#"gatehouse_upstream_responses_total{class="2xx"}"#),
        1.0
    );
}
