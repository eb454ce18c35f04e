//! The gRPC test kit: a real gRPC server and a real gRPC client (Python grpcio) for the
//! tests of gatehouse's HTTP/2 and gRPC proxying, proven here against each other with
//! no gatehouse in between.
//!
//! [`GrpcServer`] runs tests/integration/grpc_kit/server.py (service
//! `gatehouse.test.Echo`: `Unary` echoes the invocation metadata it saw and the request,
//! `ServerStream` sends N messages M ms apart, `Chat` echoes each message as it arrives,
//! `Fail` ends with a chosen status, message and trailer) on a free loopback port, h2c
//! or h2 over TLS, and stops it by its PID, also when a test panics.
//! [`GrpcServer::refuser`] runs refuser.py instead: a raw HTTP/2 responder (the h2
//! library) that answers every request with one HEADERS frame and END_STREAM, by
//! default a Trailers-Only refusal (`grpc-status: 16`, `grpc-message: missing
//! credentials`) of the kind gatehouse sends, so a test can show what grpcio makes of
//! it without gatehouse.
//!
//! [`call`] makes one call with tests/integration/grpc_kit/client.py (h2c with prior
//! knowledge, or h2 over TLS) and returns its status, details, messages and metadata
//! ([`GrpcOutcome`]); a non-OK status is an outcome, not a failure. Every call is bounded
//! by its gRPC deadline and, around that, by a wall-clock limit on the process.
//!
//! The Python side is a venv under `target/grpc-kit/` that tests/integration/
//! python_venv.sh builds from grpc_kit/requirements.txt (grpcio, h2, pinned), once per
//! test process; the first build needs PyPI, and is never skipped.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::OnceLock;
use std::time::Duration;

use serde::Deserialize;
use serde_json::{json, Value};

use crate::harness::{free_port, output_within, python_venv, terminate};
use crate::server_process::{
    kill, on_free_port, printed, spawn_logged, wait_ready, Failure, Start,
};

/// From spawning a server to its ready line (importing grpcio takes about 0.3 s).
const START_DEADLINE: Duration = Duration::from_secs(20);
/// How server.py and refuser.py say that the port was taken.
const EXIT_PORT_IN_USE: i32 = 3;
/// A call's gRPC deadline unless [`GrpcCall::deadline`] says otherwise.
const CALL_DEADLINE: Duration = Duration::from_secs(20);
/// What client.py may take beyond its call's deadline: Python, grpcio, the channel.
const CALL_OVERHEAD: Duration = Duration::from_secs(30);

/// The kit's directory, tests/integration/grpc_kit.
fn kit() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/integration/grpc_kit")
}

/// The venv's python: python_venv.sh, run once per test process. A failed setup fails
/// every test that uses the kit, with the script's output.
pub fn python() -> PathBuf {
    static PYTHON: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    match PYTHON.get_or_init(setup) {
        Ok(python) => python.clone(),
        Err(e) => panic!("{e}"),
    }
}

fn setup() -> Result<PathBuf, String> {
    python_venv(
        "tests/integration/python_venv.sh",
        &[Path::new("grpc-kit"), &kit().join("requirements.txt")],
        "the gRPC tests",
    )
}

/// server.py (or refuser.py) on 127.0.0.1, until [`stop`](Self::stop) or drop.
pub struct GrpcServer {
    /// `None` once stopped.
    child: Option<Child>,
    /// Its stdout (the ready line) and stderr.
    dir: tempfile::TempDir,
    port: u16,
}

impl GrpcServer {
    /// The Echo service over h2c (HTTP/2 with prior knowledge, no TLS).
    pub fn start() -> Self {
        Self::launch("server.py", &[])
    }

    /// The Echo service over h2 with TLS (ALPN h2), serving this PEM certificate chain
    /// and key; call it with [`GrpcCall::tls`].
    pub fn start_tls(cert_file: &Path, key_file: &Path) -> Self {
        let (cert, key) = (path_arg(cert_file), path_arg(key_file));
        Self::launch("server.py", &["--tls", &cert, &key])
    }

    /// refuser.py: every request answered with one HEADERS frame with END_STREAM made
    /// of these fields in this order (`:status` first); with none, the Trailers-Only
    /// refusal `:status: 200`, `content-type: application/grpc`, `grpc-status: 16`,
    /// `grpc-message: missing credentials`. h2c only.
    pub fn refuser(fields: &[(&str, &str)]) -> Self {
        let fields: Vec<String> = fields.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let fields: Vec<&str> = fields.iter().map(String::as_str).collect();
        Self::launch("refuser.py", &fields)
    }

    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    /// The server's PID while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Stops the server with SIGTERM (in-flight calls get 1 s) and waits for it to
    /// exit; kills it, and fails the test, if it has not exited within 10 s.
    pub fn stop(&mut self) {
        let Some(child) = self.child.take() else {
            return;
        };
        if let Err(e) = terminate(child) {
            panic!("the gRPC server {e}:\n{}", self.log());
        }
    }

    /// What the server printed on stderr (grpcio's own errors, a failed bind).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("stderr")).unwrap_or_default()
    }

    /// `script` on a free port, retried on another port when that one was taken.
    fn launch(script: &str, args: &[&str]) -> Self {
        on_free_port(script, |port| Self::launch_on(port, script, args))
    }

    /// `script` on `port`, once; `Ok` when it has printed its ready line.
    fn launch_on(port: u16, script: &str, args: &[&str]) -> Result<Self, Failure> {
        let dir = tempfile::tempdir().expect("tempdir");
        let child = spawn_logged(
            Command::new(python())
                .arg(kit().join(script))
                .arg(port.to_string())
                .args(args)
                .env("PYTHONDONTWRITEBYTECODE", "1"),
            &dir.path().join("stdout"),
            &dir.path().join("stderr"),
        )
        .unwrap_or_else(|e| panic!("cannot run {script}: {e}"));
        // From here on, dropping `server` kills the process.
        let mut server = Self {
            child: Some(child),
            dir,
            port,
        };
        let ready = format!("ready 127.0.0.1:{port}\n");
        let stdout = server.dir.path().join("stdout");
        match wait_ready(&mut server.child, START_DEADLINE, || {
            printed(&stdout, &ready)
        }) {
            Start::Ready => Ok(server),
            Start::Exited(status) => {
                let report = format!(
                    "{script} exited during start-up ({status}):\n{}",
                    server.log()
                );
                Err(if status.code() == Some(EXIT_PORT_IN_USE) {
                    Failure::PortInUse(report)
                } else {
                    Failure::Other(report)
                })
            }
            Start::TimedOut => Err(Failure::Other(format!(
                "{script} printed no ready line within {START_DEADLINE:?}:\n{}",
                server.log()
            ))),
        }
    }
}

impl Drop for GrpcServer {
    fn drop(&mut self) {
        // Also when the test panicked: no server outlives its test.
        kill(&mut self.child);
        if std::thread::panicking() {
            eprintln!("--- gRPC server stderr ---\n{}", self.log());
        }
    }
}

fn path_arg(path: &Path) -> String {
    path.to_str().expect("a UTF-8 path").to_owned()
}

/// One call for [`call`]: a method of `gatehouse.test.Echo` with its request, and how
/// it is sent.
#[derive(Clone, Debug)]
pub struct GrpcCall {
    /// Unary, ServerStream, Chat or Fail: the shape of the call and, unless `path` says
    /// otherwise, the method.
    method: &'static str,
    path: Option<String>,
    request: Value,
    messages: Vec<Value>,
    interval_ms: u64,
    lockstep: bool,
    metadata: Vec<(String, String)>,
    /// The CA file and the name to check the server's certificate for.
    tls: Option<(PathBuf, String)>,
    deadline: Duration,
}

impl GrpcCall {
    fn new(method: &'static str, request: Value) -> Self {
        Self {
            method,
            path: None,
            request,
            messages: Vec::new(),
            interval_ms: 0,
            lockstep: false,
            metadata: Vec::new(),
            tls: None,
            deadline: CALL_DEADLINE,
        }
    }

    /// `Unary`: one reply, `{"metadata": {...what the server saw...}, "request": request,
    /// "time_remaining_s": ...}` (what was left of the deadline, which travels in the
    /// grpc-timeout header: `null` without one).
    pub fn unary(request: Value) -> Self {
        Self::new("Unary", request)
    }

    /// `ServerStream`: `count` replies `{"seq": i, "metadata": {...}}`, `interval_ms`
    /// apart.
    pub fn server_stream(count: u32, interval_ms: u64) -> Self {
        Self::new(
            "ServerStream",
            json!({"count": count, "interval_ms": interval_ms}),
        )
    }

    /// `Chat`: `messages` sent `interval_ms` apart, each answered with
    /// `{"echo": message, "seq": i}` as it arrives.
    pub fn chat(messages: Vec<Value>, interval_ms: u64) -> Self {
        Self {
            messages,
            interval_ms,
            ..Self::new("Chat", Value::Null)
        }
    }

    /// `Fail`: the call ends with `code` (a name: `NOT_FOUND`, `PERMISSION_DENIED`...)
    /// and `message`, with trailing metadata `x-test-trailer: trailer`.
    pub fn fail(code: &str, message: &str, trailer: &str) -> Self {
        Self::new(
            "Fail",
            json!({"code": code, "message": message, "trailer": trailer}),
        )
    }

    /// One metadata entry (a request header): `authorization`, `Bearer ...`. Keys are
    /// lower case; a key added twice is sent twice.
    pub fn metadata(mut self, key: &str, value: &str) -> Self {
        self.metadata.push((key.to_owned(), value.to_owned()));
        self
    }

    /// h2 over TLS instead of h2c, trusting the PEM CA in `ca_file` and checking the
    /// certificate for `server_name`. grpcio (BoringSSL) refuses a server that selects
    /// no ALPN protocol ("missing selected ALPN property") or another one than h2, and
    /// takes a certificate whose issuer name is its own subject name for a self-signed
    /// one: rcgen gives a CA and a leaf the same default name unless told otherwise.
    pub fn tls(mut self, ca_file: &Path, server_name: &str) -> Self {
        self.tls = Some((ca_file.to_owned(), server_name.to_owned()));
        self
    }

    /// Another method path (`/pkg.Service/Method`), called with this call's shape.
    pub fn path(mut self, path: &str) -> Self {
        self.path = Some(path.to_owned());
        self
    }

    /// Chat: each message after the first is sent only once the reply to the one
    /// before has arrived, so that a proxy which holds replies back until the client's
    /// side ends makes the call end in DEADLINE_EXCEEDED.
    pub fn lockstep(mut self) -> Self {
        assert_eq!(self.method, "Chat", "lockstep is for Chat");
        self.lockstep = true;
        self
    }

    /// The call's gRPC deadline (20 s unless set).
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    fn args(&self, target: SocketAddr) -> Vec<String> {
        let mut args = vec![target.to_string(), self.method.to_owned()];
        let mut option = |name: &str, value: String| {
            args.push(name.to_owned());
            args.push(value);
        };
        if let Some(path) = &self.path {
            option("--path", path.clone());
        }
        for (key, value) in &self.metadata {
            option("--metadata", format!("{key}={value}"));
        }
        if self.method == "Chat" {
            for message in &self.messages {
                option("--message", message.to_string());
            }
            option("--interval-ms", self.interval_ms.to_string());
        } else {
            option("--request", self.request.to_string());
        }
        option("--deadline-s", self.deadline.as_secs_f64().to_string());
        if let Some((ca_file, server_name)) = &self.tls {
            option("--tls-ca", path_arg(ca_file));
            option("--server-name", server_name.clone());
        }
        if self.lockstep {
            args.push("--lockstep".to_owned());
        }
        args
    }
}

/// How a call ended, as grpcio reports it.
#[derive(Clone, Debug, Deserialize)]
pub struct GrpcOutcome {
    /// The status code's name: `OK`, `UNAUTHENTICATED`, `UNAVAILABLE`...
    pub code: String,
    /// The status message (grpc-message, or grpcio's own words).
    pub details: String,
    /// The response messages, parsed as JSON (one that is not JSON is a string).
    pub responses: Vec<Value>,
    /// When each response arrived, in ms since the call started.
    pub response_ms: Vec<u64>,
    /// Response headers other than pseudo-headers and content-type; a key sent more
    /// than once has its values joined with ", ".
    pub initial_metadata: BTreeMap<String, String>,
    /// Trailers other than grpc-status and grpc-message (or, in a Trailers-Only
    /// response, its other headers).
    pub trailing_metadata: BTreeMap<String, String>,
    /// The whole call, from before the channel was opened.
    pub elapsed_ms: u64,
}

/// Makes `call` to `target` with client.py. Panics (with what client.py printed) only
/// if the client itself fails or outlives its deadline by 30 s; any gRPC status is an
/// outcome.
pub fn call(target: SocketAddr, call: &GrpcCall) -> GrpcOutcome {
    let mut command = Command::new(python());
    command
        .arg(kit().join("client.py"))
        .args(call.args(target))
        .env("PYTHONDONTWRITEBYTECODE", "1");
    let output = output_within(&mut command, call.deadline + CALL_OVERHEAD)
        .unwrap_or_else(|e| panic!("client.py {call:?}: {e}"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        panic!("client.py failed ({}):\n{stderr}{stdout}", output.status);
    }
    serde_json::from_str(stdout.trim())
        .unwrap_or_else(|e| panic!("client.py printed no outcome ({e}):\n{stdout}{stderr}"))
}

fn process_exists(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

#[test]
fn unary_echoes_the_metadata_and_the_request() {
    let server = GrpcServer::start();
    let request = json!({"greeting": "hello", "n": [1, 2, 3]});
    let outcome = call(
        server.addr(),
        &GrpcCall::unary(request.clone())
            .metadata("x-auth-user", "alice")
            .metadata("x-auth-roles", "admin")
            .metadata("x-auth-roles", "staff")
            .metadata("authorization", "Bearer not-a-token"),
    );
    assert_eq!(outcome.code, "OK", "{outcome:?}");
    assert_eq!(outcome.details, "");
    assert_eq!(outcome.responses.len(), 1, "{outcome:?}");
    let reply = &outcome.responses[0];
    assert_eq!(reply["request"], request);
    let seen = &reply["metadata"];
    assert_eq!(seen["x-auth-user"], "alice");
    assert_eq!(seen["x-auth-roles"], "admin, staff");
    assert_eq!(seen["authorization"], "Bearer not-a-token");
    assert!(
        seen["user-agent"]
            .as_str()
            .is_some_and(|ua| ua.starts_with("grpc-python/")),
        "{seen}"
    );
    // Pseudo-headers and the gRPC transport headers are not metadata.
    for absent in [":path", ":authority", "content-type", "te"] {
        assert!(seen.get(absent).is_none(), "{absent} in {seen}");
    }
    // The 20 s deadline arrived as grpc-timeout.
    let remaining = reply["time_remaining_s"].as_f64().expect("a deadline");
    assert!(remaining > 10.0 && remaining <= 20.0, "{reply}");
    assert_eq!(outcome.initial_metadata["x-test-method"], "Unary");
    assert!(outcome.trailing_metadata.is_empty(), "{outcome:?}");
}

#[test]
fn a_server_stream_sends_every_message_in_order_and_apart() {
    let server = GrpcServer::start();
    let (count, interval_ms) = (4, 150);
    let outcome = call(
        server.addr(),
        &GrpcCall::server_stream(count, interval_ms).metadata("x-auth-user", "bob"),
    );
    assert_eq!(outcome.code, "OK", "{outcome:?}");
    let seqs: Vec<u64> = outcome
        .responses
        .iter()
        .map(|r| r["seq"].as_u64().expect("a seq"))
        .collect();
    assert_eq!(seqs, [0, 1, 2, 3]);
    assert!(outcome
        .responses
        .iter()
        .all(|r| r["metadata"]["x-auth-user"] == "bob"));
    let spread = (u64::from(count) - 1) * interval_ms;
    assert!(outcome.elapsed_ms >= spread, "{outcome:?}");
    // They arrived one by one, not together at the end.
    let (first, last) = (outcome.response_ms[0], outcome.response_ms[3]);
    assert!(last - first >= spread - 10, "{outcome:?}");
    assert!(outcome.response_ms.windows(2).all(|w| w[0] <= w[1]));
    assert_eq!(outcome.initial_metadata["x-test-method"], "ServerStream");
}

#[test]
fn chat_echoes_every_message_as_it_comes() {
    let server = GrpcServer::start();
    let messages = vec![json!("one"), json!({"two": 2}), json!([3])];
    let outcome = call(server.addr(), &GrpcCall::chat(messages.clone(), 100));
    assert_eq!(outcome.code, "OK", "{outcome:?}");
    let expected: Vec<Value> = messages
        .iter()
        .enumerate()
        .map(|(seq, m)| json!({"echo": m, "seq": seq}))
        .collect();
    assert_eq!(outcome.responses, expected);
    assert!(outcome.elapsed_ms >= 200, "{outcome:?}");
    assert_eq!(outcome.initial_metadata["x-test-method"], "Chat");

    // In lockstep each message waits for the reply before it: the server answers
    // while the client's side is still open.
    let outcome = call(
        server.addr(),
        &GrpcCall::chat(messages.clone(), 0)
            .lockstep()
            .deadline(Duration::from_secs(10)),
    );
    assert_eq!(outcome.code, "OK", "{outcome:?}");
    assert_eq!(outcome.responses, expected);

    // A chat that sends nothing ends at once, with no replies.
    let outcome = call(server.addr(), &GrpcCall::chat(Vec::new(), 0));
    assert_eq!(outcome.code, "OK", "{outcome:?}");
    assert!(outcome.responses.is_empty(), "{outcome:?}");
}

#[test]
fn fail_ends_with_the_code_the_message_and_the_trailer() {
    let server = GrpcServer::start();
    let outcome = call(
        server.addr(),
        &GrpcCall::fail("NOT_FOUND", "no such thing: 42", "trailer value"),
    );
    assert_eq!(outcome.code, "NOT_FOUND", "{outcome:?}");
    assert_eq!(outcome.details, "no such thing: 42");
    assert!(outcome.responses.is_empty());
    assert_eq!(outcome.trailing_metadata["x-test-trailer"], "trailer value");
    assert_eq!(outcome.initial_metadata["x-test-method"], "Fail");

    let outcome = call(
        server.addr(),
        &GrpcCall::fail("PERMISSION_DENIED", "not yours", "t"),
    );
    assert_eq!(outcome.code, "PERMISSION_DENIED", "{outcome:?}");
    assert_eq!(outcome.details, "not yours");

    // Past its deadline a call is DEADLINE_EXCEEDED, with what came before it.
    let outcome = call(
        server.addr(),
        &GrpcCall::server_stream(50, 100).deadline(Duration::from_millis(450)),
    );
    assert_eq!(outcome.code, "DEADLINE_EXCEEDED", "{outcome:?}");
    assert!(!outcome.responses.is_empty() && outcome.responses.len() < 50);

    // A method the service does not have.
    let outcome = call(
        server.addr(),
        &GrpcCall::unary(json!({})).path("/gatehouse.test.Echo/Nothing"),
    );
    assert_eq!(outcome.code, "UNIMPLEMENTED", "{outcome:?}");
}

#[test]
fn a_closed_port_is_unavailable_and_a_dropped_server_is_gone() {
    // Handed out, never bound.
    let closed = SocketAddr::from(([127, 0, 0, 1], free_port()));
    let outcome = call(closed, &GrpcCall::unary(json!({})));
    assert_eq!(outcome.code, "UNAVAILABLE", "{outcome:?}");
    assert!(
        outcome.details.contains("Connection refused"),
        "{outcome:?}"
    );

    let server = GrpcServer::start();
    let addr = server.addr();
    let pid = server.pid().expect("running");
    assert!(process_exists(pid));
    assert_eq!(call(addr, &GrpcCall::unary(json!(1))).code, "OK");
    drop(server);
    assert!(!process_exists(pid), "server.py {pid} outlived its drop");
    let outcome = call(addr, &GrpcCall::unary(json!({})));
    assert_eq!(outcome.code, "UNAVAILABLE", "{outcome:?}");

    // A test that panics drops its server too, on the way out.
    let mut pid = None;
    let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let server = GrpcServer::start();
        pid = server.pid();
        panic!("a failing test");
    }));
    assert!(panicked.is_err());
    let pid = pid.expect("started");
    assert!(!process_exists(pid), "server.py {pid} outlived a panic");

    // A clean stop ends the process too, and a second stop does nothing.
    let mut server = GrpcServer::start();
    let pid = server.pid().expect("running");
    server.stop();
    assert!(!process_exists(pid), "server.py {pid} outlived stop");
    assert_eq!(server.pid(), None);
    server.stop();
}

#[test]
fn a_taken_port_is_reported_as_such() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port();
    match GrpcServer::launch_on(port, "server.py", &[]) {
        Err(Failure::PortInUse(log)) => assert!(log.contains("cannot bind"), "{log}"),
        Err(Failure::Other(log)) => panic!("not reported as a taken port:\n{log}"),
        Ok(_) => panic!("server.py shared port {port} with another socket"),
    }
}

#[test]
fn tls_calls_check_the_certificate() {
    let dir = tempfile::tempdir().expect("tempdir");
    crate::tls::write_pki(&crate::tls::pki(), dir.path());
    let (ca_file, cert_file, key_file) = (
        dir.path().join("ca.pem"),
        dir.path().join("cert.pem"),
        dir.path().join("key.pem"),
    );

    let server = GrpcServer::start_tls(&cert_file, &key_file);
    let outcome = call(
        server.addr(),
        &GrpcCall::unary(json!("over TLS"))
            .tls(&ca_file, "localhost")
            .metadata("x-auth-user", "carol"),
    );
    assert_eq!(outcome.code, "OK", "{outcome:?}");
    assert_eq!(outcome.responses[0]["request"], "over TLS");
    assert_eq!(outcome.responses[0]["metadata"]["x-auth-user"], "carol");
    // Another name, or h2c to the TLS port: no call.
    let outcome = call(
        server.addr(),
        &GrpcCall::unary(json!({})).tls(&ca_file, "example.test"),
    );
    assert_eq!(outcome.code, "UNAVAILABLE", "{outcome:?}");
    let outcome = call(server.addr(), &GrpcCall::unary(json!({})));
    assert_eq!(outcome.code, "UNAVAILABLE", "{outcome:?}");
}

/// What gatehouse's refusals will look like to a real client: grpcio takes a
/// Trailers-Only response (HTTP 200, grpc-status in the HEADERS frame with
/// END_STREAM) as the call's status, for every shape of call.
#[test]
fn grpcio_takes_a_trailers_only_refusal_as_the_status() {
    let refuser = GrpcServer::refuser(&[]);
    for shape in [
        GrpcCall::unary(json!({})),
        GrpcCall::server_stream(3, 0),
        GrpcCall::chat(vec![json!(1), json!(2)], 0),
    ] {
        let outcome = call(refuser.addr(), &shape);
        assert_eq!(outcome.code, "UNAUTHENTICATED", "{shape:?}: {outcome:?}");
        assert_eq!(outcome.details, "missing credentials");
        assert!(outcome.responses.is_empty());
    }

    // grpc-message is percent-decoded, and other fields of a Trailers-Only response
    // are trailing metadata.
    let refuser = GrpcServer::refuser(&[
        (":status", "200"),
        ("content-type", "application/grpc"),
        ("grpc-status", "7"),
        ("grpc-message", "role %22admin%22 required"),
        ("www-authenticate", "Bearer"),
    ]);
    let outcome = call(refuser.addr(), &GrpcCall::unary(json!({})));
    assert_eq!(outcome.code, "PERMISSION_DENIED", "{outcome:?}");
    assert_eq!(outcome.details, "role \"admin\" required");
    assert_eq!(outcome.trailing_metadata["www-authenticate"], "Bearer");
    assert!(outcome.initial_metadata.is_empty(), "{outcome:?}");

    // A plain HTTP 401 with no grpc-status: grpcio maps the HTTP status.
    let refuser = GrpcServer::refuser(&[(":status", "401"), ("content-type", "application/json")]);
    let outcome = call(refuser.addr(), &GrpcCall::unary(json!({})));
    assert_eq!(outcome.code, "UNAUTHENTICATED", "{outcome:?}");
    assert_eq!(outcome.details, "Received http2 header with status: 401");
}
