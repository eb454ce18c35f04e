//! A real `redis-server` for the tests of the shared state store (`[state] redis`).
//!
//! Each [`RedisServer`] runs Debian's `redis-server` binary on a free loopback port, bound
//! to 127.0.0.1 only, with its own temporary directory for the config, the append-only
//! file and the log. Persistence is the append-only file with `appendfsync always` and no
//! RDB snapshots, so every acknowledged write survives [`RedisServer::kill`] and a
//! [`RedisServer::restart`]: a test can take Redis away under gatehouse and bring the same
//! data back. Readiness is a `PING` answered with `+PONG` (not a bound port: Redis binds
//! before it has loaded the append-only file, and answers `-LOADING` until it has).
//!
//! Tests talk to it through [`RedisServer::command`], which speaks RESP by hand over a
//! raw socket: the tests need a handful of commands, not a client library, and a redis
//! crate as a dev-dependency would be one more thing to build and keep in step with the
//! one gatehouse uses.
//!
//! `redis-server` missing is a failure, never a skip: `.ci/deps` installs it.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::harness::{free_port, terminate};

/// How long a start or restart may take before the test fails.
const START_DEADLINE: Duration = Duration::from_secs(10);
/// How Redis logs a failed bind (`Could not create server TCP listening socket ...`).
const PORT_IN_USE: &str = "Address already in use";

pub struct RedisServer {
    /// `None` between `kill`/`stop` and `restart`.
    child: Option<Child>,
    dir: tempfile::TempDir,
    pub port: u16,
}

impl RedisServer {
    /// Starts `redis-server` on a free loopback port and waits until it answers `PING`.
    pub fn start() -> Self {
        const ATTEMPTS: usize = 3;
        for attempt in 1..=ATTEMPTS {
            let mut server = Self {
                child: None,
                dir: tempfile::tempdir().expect("tempdir"),
                port: free_port(),
            };
            server.write_config();
            match server.spawn_and_wait() {
                Ok(()) => return server,
                // Another process took the port between `free_port` and Redis's bind:
                // a fresh port is worth another try, anything else is the test's failure.
                Err(Failure::PortInUse(log)) if attempt < ATTEMPTS => {
                    eprintln!("redis-server lost a port race, retrying:\n{log}");
                }
                Err(failure) => panic!("redis-server did not start:\n{}", failure.log()),
            }
        }
        unreachable!("the last attempt returns or panics")
    }

    /// `redis://127.0.0.1:PORT/0`, for `[state] redis`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }

    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    /// Kills the server with SIGKILL (no shutdown, no final fsync: what a crash or an
    /// OOM kill does) and waits for it to exit.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            // `Child::kill` is SIGKILL on Unix, sent to this child's PID only.
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Stops the server with SIGTERM (a clean shutdown) and waits for it to exit; kills
    /// it if it has not exited within 10 s.
    pub fn stop(&mut self) {
        let Some(child) = self.child.take() else {
            return;
        };
        if let Err(e) = terminate(child) {
            panic!("redis-server {e}:\n{}", self.log());
        }
    }

    /// Starts the server again on the same port with the same directory (so the same
    /// data), after `kill` or `stop`; kills a running one first. Waits for `PING`.
    pub fn restart(&mut self) {
        self.kill();
        // Redis sets SO_REUSEADDR, so connections of the previous run in TIME_WAIT do not
        // block the port; a bind failure here is a short-lived race (the old socket not
        // closed yet, or a client's ephemeral port), retried until the deadline.
        let deadline = Instant::now() + START_DEADLINE;
        loop {
            match self.spawn_and_wait() {
                Ok(()) => return,
                Err(Failure::PortInUse(_)) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(failure) => panic!(
                    "redis-server did not restart on port {}:\n{}",
                    self.port,
                    failure.log()
                ),
            }
        }
    }

    /// Sends one command and returns the raw RESP reply (`+OK\r\n`, `$3\r\nbar\r\n`,
    /// `*2\r\n...`, `-ERR ...\r\n`): tests assert on the text. Panics if Redis cannot be
    /// reached or does not answer within 5 s.
    pub fn command(&self, args: &[&str]) -> String {
        command(self.addr(), args).unwrap_or_else(|e| panic!("redis {args:?}: {e}\n{}", self.log()))
    }

    /// Redis's own log (start-up, loading the append-only file, errors), from every run.
    pub fn log(&self) -> String {
        let mut log = std::fs::read_to_string(self.path("redis.log")).unwrap_or_default();
        // Anything Redis printed before it opened its log file (a bad option).
        let early = std::fs::read_to_string(self.path("redis.out")).unwrap_or_default();
        if !early.trim().is_empty() {
            log.push_str("--- redis-server stdout/stderr ---\n");
            log.push_str(&early);
        }
        log
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The config file: one place that says how the test Redis differs from the default.
    fn write_config(&self) {
        let dir = self.dir.path();
        let config = format!(
            "# Written by tests/integration/redis_server.rs.\n\
             port {port}\n\
             bind 127.0.0.1\n\
             # Loopback only, and tests connect without a password.\n\
             protected-mode no\n\
             daemonize no\n\
             dir \"{dir}\"\n\
             logfile \"{log}\"\n\
             # No RDB snapshots: the append-only file is the only persistence, and every\n\
             # write is fsynced before it is acknowledged, so a SIGKILL loses nothing\n\
             # that a client was told had been written.\n\
             save \"\"\n\
             appendonly yes\n\
             appendfsync always\n",
            port = self.port,
            dir = quoted(dir),
            log = quoted(&dir.join("redis.log")),
        );
        std::fs::write(self.path("redis.conf"), config).expect("write redis.conf");
    }

    /// Spawns `redis-server` with the config and waits for `+PONG`.
    fn spawn_and_wait(&mut self) -> Result<(), Failure> {
        // Only what this attempt logged decides whether the port was taken.
        let in_use_before = self.log().matches(PORT_IN_USE).count();
        let out = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.path("redis.out"))
            .expect("redis.out");
        let child = Command::new("redis-server")
            .arg(self.path("redis.conf"))
            .stdin(Stdio::null())
            .stdout(out.try_clone().expect("redis.out"))
            .stderr(out)
            .spawn();
        let child = match child {
            Ok(child) => child,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => panic!(
                "redis-server is not installed (not on PATH): run .ci/deps, which installs \
                 Debian's redis-server package; the state store tests need a real Redis"
            ),
            Err(e) => panic!("cannot run redis-server: {e}"),
        };
        self.child = Some(child);
        let deadline = Instant::now() + START_DEADLINE;
        let mut last = String::new();
        while Instant::now() < deadline {
            if let Some(child) = self.child.as_mut() {
                if let Ok(Some(status)) = child.try_wait() {
                    self.child = None;
                    let log = self.log();
                    let report = format!("redis-server exited during start-up ({status}):\n{log}");
                    return Err(if log.matches(PORT_IN_USE).count() > in_use_before {
                        Failure::PortInUse(report)
                    } else {
                        Failure::Other(report)
                    });
                }
            }
            match command(self.addr(), &["PING"]) {
                Ok(reply) if reply == "+PONG\r\n" => return Ok(()),
                // `-LOADING` while it replays the append-only file.
                Ok(reply) => last = reply,
                Err(e) => last = e.to_string(),
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        self.kill();
        Err(Failure::Other(format!(
            "redis-server did not answer PING within {START_DEADLINE:?} (last: {last:?}):\n{}",
            self.log()
        )))
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        // Also when the test panicked: no Redis outlives its test.
        self.kill();
        if std::thread::panicking() {
            eprintln!("--- redis-server log ---\n{}", self.log());
        }
    }
}

enum Failure {
    PortInUse(String),
    Other(String),
}

impl Failure {
    fn log(&self) -> &str {
        match self {
            Failure::PortInUse(log) | Failure::Other(log) => log,
        }
    }
}

/// A path as a double-quoted redis.conf string.
fn quoted(path: &Path) -> String {
    path.display()
        .to_string()
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
}

/// One RESP command on a fresh connection; the raw text of its one reply.
pub fn command(addr: SocketAddr, args: &[&str]) -> std::io::Result<String> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(2))?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    stream.set_write_timeout(Some(Duration::from_secs(5)))?;
    stream.write_all(&encode(args))?;
    let mut reply = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(len) = reply_len(&reply, 0) {
            reply.truncate(len);
            return Ok(String::from_utf8_lossy(&reply).into_owned());
        }
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                format!(
                    "connection closed after {:?}",
                    String::from_utf8_lossy(&reply)
                ),
            ));
        }
        reply.extend_from_slice(&chunk[..n]);
    }
}

/// A command as a RESP array of bulk strings (what redis-cli sends).
fn encode(args: &[&str]) -> Vec<u8> {
    let mut bytes = format!("*{}\r\n", args.len()).into_bytes();
    for arg in args {
        bytes.extend_from_slice(format!("${}\r\n", arg.len()).as_bytes());
        bytes.extend_from_slice(arg.as_bytes());
        bytes.extend_from_slice(b"\r\n");
    }
    bytes
}

/// The end of the complete RESP2 reply that starts at `at`, or `None` if more bytes are
/// needed. A reply that is not RESP2 ends at its first line, so it is still returned.
fn reply_len(buf: &[u8], at: usize) -> Option<usize> {
    let line_end = at + buf.get(at..)?.windows(2).position(|w| w == b"\r\n")?;
    let after_line = line_end + 2;
    let header = std::str::from_utf8(&buf[at + 1..line_end]).ok();
    let count = || header.and_then(|h| h.parse::<i64>().ok());
    match buf[at] {
        b'$' => match count() {
            Some(n) if n >= 0 => {
                let end = after_line + n as usize + 2;
                (buf.len() >= end).then_some(end)
            }
            _ => Some(after_line),
        },
        b'*' => match count() {
            Some(n) if n >= 0 => {
                let mut end = after_line;
                for _ in 0..n {
                    end = reply_len(buf, end)?;
                }
                Some(end)
            }
            _ => Some(after_line),
        },
        // `+` simple string, `-` error, `:` integer, and anything unexpected.
        _ => Some(after_line),
    }
}

#[test]
fn the_helper_runs_a_real_redis_that_keeps_acknowledged_writes() {
    let mut redis = RedisServer::start();
    assert_eq!(redis.url(), format!("redis://127.0.0.1:{}/0", redis.port));
    assert_eq!(redis.command(&["PING"]), "+PONG\r\n");
    assert_eq!(
        redis.command(&["CONFIG", "GET", "appendfsync"]),
        "*2\r\n$11\r\nappendfsync\r\n$6\r\nalways\r\n"
    );
    // Values with RESP's own delimiters in them go through as bulk strings.
    let value = "a value\r\nwith *2\r\n$3 in it";
    assert_eq!(redis.command(&["SET", "gatehouse:probe", value]), "+OK\r\n");
    let expected = format!("${}\r\n{value}\r\n", value.len());
    assert_eq!(redis.command(&["GET", "gatehouse:probe"]), expected);
    assert_eq!(
        redis.command(&["KEYS", "gatehouse:*"]),
        "*1\r\n$15\r\ngatehouse:probe\r\n"
    );
    assert_eq!(redis.command(&["GET", "missing"]), "$-1\r\n");
    assert!(redis.command(&["NO-SUCH-COMMAND"]).starts_with("-ERR"));

    // SIGKILL: no shutdown, yet the acknowledged SET is in the fsynced append-only file.
    let pid = redis.child.as_ref().expect("running").id();
    redis.kill();
    assert!(
        command(redis.addr(), &["PING"]).is_err(),
        "Redis still answers after kill"
    );
    assert!(
        !Path::new(&format!("/proc/{pid}")).exists(),
        "redis-server {pid} still exists after kill"
    );
    redis.restart();
    assert_eq!(redis.command(&["GET", "gatehouse:probe"]), expected);

    // A clean stop and a restart keep it too, on the same port.
    let port = redis.port;
    redis.stop();
    redis.restart();
    assert_eq!(redis.port, port);
    assert_eq!(redis.command(&["GET", "gatehouse:probe"]), expected);
    assert_eq!(redis.command(&["FLUSHALL"]), "+OK\r\n");
    assert_eq!(redis.command(&["KEYS", "gatehouse:*"]), "*0\r\n");

    // Dropping it kills it: nothing is left listening.
    let addr = redis.addr();
    let pid = redis.child.as_ref().expect("running").id();
    drop(redis);
    assert!(command(addr, &["PING"]).is_err(), "Redis outlived its drop");
    assert!(!Path::new(&format!("/proc/{pid}")).exists());
}

#[test]
fn replies_are_read_to_their_end() {
    assert_eq!(reply_len(b"+OK\r\n", 0), Some(5));
    assert_eq!(reply_len(b"+OK\r", 0), None);
    assert_eq!(reply_len(b"$3\r\nab", 0), None);
    assert_eq!(reply_len(b"$3\r\nabc\r\n", 0), Some(9));
    assert_eq!(reply_len(b"$-1\r\n", 0), Some(5));
    assert_eq!(reply_len(b"*2\r\n:1\r\n$1\r\n", 0), None);
    assert_eq!(reply_len(b"*2\r\n:1\r\n$1\r\nx\r\n", 0), Some(15));
    assert_eq!(reply_len(b"*1\r\n*0\r\n", 0), Some(8));
}
