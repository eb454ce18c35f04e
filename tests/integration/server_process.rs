//! What the server kits (nginx, Caddy, the gRPC and OIDC kits) share about running a
//! server process: its stdout and stderr in files, a bounded wait for it to be ready
//! that notices an early exit, a few tries on fresh ports when another process took
//! the one it was given, and a SIGKILL when the kit is dropped.

use std::fs::File;
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use crate::harness::free_port;

/// Why one start of a server failed.
pub enum Failure {
    /// Another process took the port between `free_port` and the server's bind.
    PortInUse(String),
    Other(String),
}

impl Failure {
    /// A start that ended with the process's exit: `PortInUse` when `port_in_use` (the
    /// server's log or exit code said so).
    pub fn exited(port_in_use: bool, report: String) -> Self {
        if port_in_use {
            Failure::PortInUse(report)
        } else {
            Failure::Other(report)
        }
    }

    pub fn log(&self) -> &str {
        match self {
            Failure::PortInUse(log) | Failure::Other(log) => log,
        }
    }
}

/// `start` on a free port, retried on another one (up to three tries) when that one was
/// taken; panics with the failure's report otherwise. `name` names the server in the
/// messages.
pub fn on_free_port<T>(name: &str, mut start: impl FnMut(u16) -> Result<T, Failure>) -> T {
    const ATTEMPTS: usize = 3;
    for attempt in 1..=ATTEMPTS {
        match start(free_port()) {
            Ok(server) => return server,
            Err(Failure::PortInUse(log)) if attempt < ATTEMPTS => {
                eprintln!("{name} lost a port race, retrying:\n{log}");
            }
            Err(failure) => panic!("{name} did not start:\n{}", failure.log()),
        }
    }
    unreachable!("the last attempt returns or panics")
}

/// Runs `command` with stdin closed, stdout into the file `stdout` and stderr into
/// `stderr` (both created afresh; the same path takes both streams).
pub fn spawn_logged(command: &mut Command, stdout: &Path, stderr: &Path) -> std::io::Result<Child> {
    let out = File::create(stdout)?;
    let err = if stdout == stderr {
        out.try_clone()?
    } else {
        File::create(stderr)?
    };
    command.stdin(Stdio::null()).stdout(out).stderr(err).spawn()
}

/// The child `spawned`, or a panic: `missing` when the program is not installed (a
/// failure, never a skip), `cannot run {name}` otherwise.
pub fn installed(spawned: std::io::Result<Child>, name: &str, missing: &str) -> Child {
    match spawned {
        Ok(child) => child,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => panic!("{missing}"),
        Err(e) => panic!("cannot run {name}: {e}"),
    }
}

/// Whether `addr` accepts a TCP connection (within 200 ms).
pub fn accepts(addr: SocketAddr) -> bool {
    TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok()
}

/// How a wait for a server to be ready ended.
pub enum Start {
    Ready,
    /// The process exited first (`child` is then `None`).
    Exited(ExitStatus),
    TimedOut,
}

/// Polls every 20 ms until the process in `child` has exited, `ready` holds, or `within`
/// has passed.
pub fn wait_ready(
    child: &mut Option<Child>,
    within: Duration,
    mut ready: impl FnMut() -> bool,
) -> Start {
    let deadline = Instant::now() + within;
    loop {
        if let Some(running) = child.as_mut() {
            if let Ok(Some(status)) = running.try_wait() {
                *child = None;
                return Start::Exited(status);
            }
        }
        if ready() {
            return Start::Ready;
        }
        if Instant::now() >= deadline {
            return Start::TimedOut;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Whether the file at `path` starts with `line` (a kit's ready line on stdout).
pub fn printed(path: &Path, line: &str) -> bool {
    std::fs::read_to_string(path).is_ok_and(|out| out.starts_with(line))
}

/// SIGKILL to the child's own PID (`Child::kill`), then waits for it: what a kit does
/// when dropped, also when the test panicked.
pub fn kill(child: &mut Option<Child>) {
    if let Some(mut child) = child.take() {
        let _ = child.kill();
        let _ = child.wait();
    }
}
