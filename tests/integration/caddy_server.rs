//! A real Caddy for the decision endpoint tests (`forward_auth` in front of gatehouse).
//!
//! Each [`CaddyServer`] runs Debian's `caddy` binary (`caddy run --config Caddyfile
//! --adapter caddyfile`) with its own temporary directory as HOME, XDG_DATA_HOME and
//! XDG_CONFIG_HOME (its storage and the autosaved config land there, never in the real
//! home) and a global options block the caller does not write: no admin API (`admin
//! off`, so no port besides the site's), no automatic HTTPS (nothing is fetched, no
//! certificate is made), every listener on 127.0.0.1 (`default_bind`; a site address
//! alone would listen on all interfaces), storage in the temporary directory, and a
//! bounded grace period on shutdown. The caller gives the site blocks, where `@PORT@` stands for the free
//! loopback port.
//!
//! Ready means the port accepts connections. Caddy opens its listeners with
//! SO_REUSEPORT, so a second Caddy on the same port would share it silently rather than
//! fail: every instance is stopped by its own PID (SIGTERM, then SIGKILL after 10 s),
//! also when the test panics, and the ports come from `free_port`, which never hands
//! out the same one twice in a test process.
//!
//! `caddy` missing is a failure, never a skip: `.ci/deps` installs it.

use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command};
use std::time::Duration;

use crate::harness::{output_within, terminate};
use crate::server_process::{
    accepts, installed, on_free_port, spawn_logged, wait_ready, Failure, Start,
};

const START_DEADLINE: Duration = Duration::from_secs(15);
/// How Go reports a failed bind.
const PORT_IN_USE: &str = "address already in use";
/// Where `@PORT@` appears in the caller's site blocks.
pub const PORT: &str = "@PORT@";

pub struct CaddyServer {
    child: Option<Child>,
    dir: tempfile::TempDir,
    pub port: u16,
}

impl CaddyServer {
    /// Starts Caddy with `sites` (`@PORT@` replaced by a free loopback port) after the
    /// test global options, and waits until it accepts connections.
    pub fn start(sites: &str) -> Self {
        assert!(
            sites.contains(PORT),
            "the Caddyfile needs a site address on 127.0.0.1:{PORT}"
        );
        on_free_port("caddy", |port| {
            let mut server = Self {
                child: None,
                dir: tempfile::tempdir().expect("tempdir"),
                port,
            };
            server.write_config(sites);
            server.spawn_and_wait().map(|()| server)
        })
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    /// Caddy's log (JSON lines on stderr).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.path("caddy.log")).unwrap_or_default()
    }

    /// The Caddyfile as written, for failure messages.
    pub fn config(&self) -> String {
        std::fs::read_to_string(self.path("Caddyfile")).unwrap_or_default()
    }

    /// The process id while running.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Stops Caddy with SIGTERM and waits for it; kills it after 10 s.
    pub fn stop(&mut self) {
        if let Some(child) = self.child.take() {
            if let Err(e) = terminate(child) {
                eprintln!("caddy {e}:\n{}", self.log());
            }
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn write_config(&self, sites: &str) {
        let config = format!(
            "# Written by tests/integration/caddy_server.rs.\n\
             {{\n\
             \tadmin off\n\
             \tauto_https off\n\
             \tdefault_bind 127.0.0.1\n\
             \tstorage file_system {storage}\n\
             \tgrace_period 1s\n\
             }}\n\n\
             {sites}",
            storage = self.path("data").display(),
            sites = sites.replace(PORT, &self.port.to_string()),
        );
        std::fs::write(self.path("Caddyfile"), config).expect("write Caddyfile");
    }

    fn spawn_and_wait(&mut self) -> Result<(), Failure> {
        let log = self.path("caddy.log");
        let dir = self.dir.path();
        let child = spawn_logged(
            Command::new("caddy")
                .args(["run", "--adapter", "caddyfile", "--config"])
                .arg(self.path("Caddyfile"))
                .current_dir(dir)
                .env("HOME", dir)
                .env("XDG_DATA_HOME", dir.join("data"))
                .env("XDG_CONFIG_HOME", dir.join("config")),
            &log,
            &log,
        );
        let child = installed(
            child,
            "caddy",
            "caddy is not installed (not on PATH): run .ci/deps, which installs Debian's \
             caddy package; the decision endpoint tests need a real Caddy",
        );
        self.child = Some(child);
        let addr = self.addr();
        match wait_ready(&mut self.child, START_DEADLINE, || accepts(addr)) {
            Start::Ready => Ok(()),
            Start::Exited(status) => {
                let log = self.log();
                let report = format!(
                    "caddy exited during start-up ({status}):\n{log}\n--- Caddyfile ---\n{}",
                    self.config()
                );
                Err(Failure::exited(log.contains(PORT_IN_USE), report))
            }
            Start::TimedOut => {
                self.stop();
                Err(Failure::Other(format!(
                    "caddy did not accept connections on port {} within {START_DEADLINE:?}:\n{}",
                    self.port,
                    self.log()
                )))
            }
        }
    }
}

impl Drop for CaddyServer {
    fn drop(&mut self) {
        self.stop();
        if std::thread::panicking() {
            eprintln!("--- caddy log ---\n{}", self.log());
        }
    }
}

/// Caddy's version as (major, minor, patch), from `caddy version` (Debian's prints
/// `2.6.2`, upstream builds `v2.7.6 h1:...`).
pub fn version() -> (u32, u32, u32) {
    let output = output_within(
        Command::new("caddy").arg("version"),
        Duration::from_secs(10),
    )
    .expect("caddy version");
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    let number = text
        .split_whitespace()
        .next()
        .map(|v| v.trim_start_matches('v'))
        .unwrap_or_else(|| panic!("no version in `caddy version`: {text:?}"));
    let mut parts = number
        .split(['.', '-', '+'])
        .map(|p| p.parse::<u32>().unwrap_or(0));
    (
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
    )
}

#[test]
fn the_helper_runs_a_real_caddy_and_leaves_nothing_behind() {
    let mut caddy =
        CaddyServer::start("http://127.0.0.1:@PORT@ {\n\trespond \"hello {path}\"\n}\n");
    let r = crate::harness::send(&caddy.url("/x"), "GET", &[], None);
    assert_eq!((r.status, r.text().as_str()), (200, "hello /x"));
    assert_eq!(r.header("server"), Some("Caddy"));
    let (major, minor, _) = version();
    assert!((major, minor) >= (2, 6), "caddy {major}.{minor} is too old");
    // Nothing written outside its directory: the autosave is under XDG_CONFIG_HOME.
    assert!(
        caddy.log().contains("serving initial configuration"),
        "{}",
        caddy.log()
    );
    assert!(
        caddy.path("config/caddy/autosave.json").is_file(),
        "{}",
        caddy.log()
    );
    let pid = caddy.pid().expect("running");
    let addr = caddy.addr();
    caddy.stop();
    assert!(TcpStream::connect(addr).is_err(), "caddy still listens");
    assert!(!std::path::Path::new(&format!("/proc/{pid}")).exists());

    let failed = std::panic::catch_unwind(|| {
        CaddyServer::start("http://127.0.0.1:@PORT@ {\n\tno_such_directive\n}\n")
    });
    let message = failed
        .err()
        .and_then(|e| e.downcast::<String>().ok())
        .expect("a broken Caddyfile panics");
    assert!(
        message.contains("unrecognized directive: no_such_directive"),
        "{message}"
    );
}
