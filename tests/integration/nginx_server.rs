//! A real nginx for the decision endpoint tests (`auth_request` in front of gatehouse).
//!
//! Each [`NginxServer`] runs Debian's `nginx` binary (ngx_http_auth_request_module is
//! built into the `nginx` package) with a configuration of its own in a temporary
//! directory: the prefix (`-p`), the error log (`-e`, so nothing is written to
//! /var/log/nginx even before the configuration is read), the pid file, the access log
//! and every temporary path are in that directory, so it runs beside a system nginx, or
//! any other test's, without touching them. The caller gives the body of the `http { }`
//! block, where `@PORT@` stands for the free loopback port the server listens on.
//!
//! It runs in the foreground (`daemon off`) with its master process and one worker, as
//! the current user; as root the worker runs as root too (`user root`), since nginx
//! would otherwise switch it to `nobody`, which cannot enter the private temporary
//! directory. Ready means the port accepts connections and the worker exists. It is
//! stopped with SIGTERM to the master (which stops the worker and waits for it), also
//! when the test panics; a worker that outlived its master is then killed by its PID.
//!
//! `nginx` missing is a failure, never a skip: `.ci/deps` installs it.

use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::Duration;

use crate::harness::{output_within, terminate};
use crate::server_process::{
    accepts, installed, on_free_port, spawn_logged, wait_ready, Failure, Start,
};

/// How long a start may take before the test fails.
const START_DEADLINE: Duration = Duration::from_secs(10);
/// How nginx logs a failed bind (`bind() to 127.0.0.1:N failed (98: Address already in
/// use)`).
const PORT_IN_USE: &str = "Address already in use";
/// Where `@PORT@` appears in the caller's configuration.
pub const PORT: &str = "@PORT@";

pub struct NginxServer {
    /// `None` once stopped.
    child: Option<Child>,
    /// The worker processes, by PID, to make sure none outlives the master.
    workers: Vec<u32>,
    dir: tempfile::TempDir,
    pub port: u16,
}

impl NginxServer {
    /// Starts nginx with `http` as the body of its `http { }` block (`@PORT@` replaced
    /// by a free loopback port) and waits until it accepts connections.
    pub fn start(http: &str) -> Self {
        assert!(
            http.contains(PORT),
            "the nginx configuration needs a `listen 127.0.0.1:{PORT};`"
        );
        on_free_port("nginx", |port| {
            let mut server = Self {
                child: None,
                workers: Vec::new(),
                dir: tempfile::tempdir().expect("tempdir"),
                port,
            };
            server.write_config(http);
            server.spawn_and_wait().map(|()| server)
        })
    }

    /// `http://127.0.0.1:PORT{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    /// The error log (start-up, `auth request unexpected status`, ...).
    pub fn log(&self) -> String {
        let mut log = std::fs::read_to_string(self.path("error.log")).unwrap_or_default();
        let early = std::fs::read_to_string(self.path("nginx.out")).unwrap_or_default();
        if !early.trim().is_empty() {
            log.push_str("--- nginx stdout/stderr ---\n");
            log.push_str(&early);
        }
        log
    }

    /// The configuration as written, for failure messages.
    pub fn config(&self) -> String {
        std::fs::read_to_string(self.path("nginx.conf")).unwrap_or_default()
    }

    /// Stops nginx (SIGTERM: the master stops its worker and exits) and waits; kills it
    /// if it has not exited within 10 s. A worker still there after that is killed too.
    pub fn stop(&mut self) {
        if let Some(child) = self.child.take() {
            if let Err(e) = terminate(child) {
                eprintln!("nginx {e}:\n{}", self.log());
            }
        }
        for pid in self.workers.drain(..) {
            if is_nginx_worker(pid) {
                let _ = Command::new("kill")
                    .args(["-KILL", &pid.to_string()])
                    .status();
            }
        }
    }

    /// The PIDs of the master and its workers while running.
    pub fn pids(&self) -> Vec<u32> {
        let mut pids: Vec<u32> = self.child.iter().map(Child::id).collect();
        pids.extend(&self.workers);
        pids
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn write_config(&self, http: &str) {
        let dir = self.dir.path();
        let at = |name: &str| quoted(&dir.join(name));
        // As root, nginx switches its workers to `nobody` unless told otherwise; as
        // anyone else the directive would only be warned about.
        let user = if crate::postgres_server::is_root() {
            "user root;\n"
        } else {
            ""
        };
        let config = format!(
            "# Written by tests/integration/nginx_server.rs.\n\
             {user}\
             worker_processes 1;\n\
             daemon off;\n\
             master_process on;\n\
             pid {pid};\n\
             error_log {error_log} info;\n\
             events {{\n    worker_connections 256;\n}}\n\
             http {{\n\
             access_log {access_log};\n\
             client_body_temp_path {body};\n\
             proxy_temp_path {proxy};\n\
             fastcgi_temp_path {fastcgi};\n\
             uwsgi_temp_path {uwsgi};\n\
             scgi_temp_path {scgi};\n\
             {http}\n\
             }}\n",
            pid = at("nginx.pid"),
            error_log = at("error.log"),
            access_log = at("access.log"),
            body = at("client_body"),
            proxy = at("proxy"),
            fastcgi = at("fastcgi"),
            uwsgi = at("uwsgi"),
            scgi = at("scgi"),
            http = http.replace(PORT, &self.port.to_string()),
        );
        std::fs::write(self.path("nginx.conf"), config).expect("write nginx.conf");
    }

    fn spawn_and_wait(&mut self) -> Result<(), Failure> {
        let out = self.path("nginx.out");
        let mut prefix = self.dir.path().as_os_str().to_owned();
        prefix.push("/");
        let child = spawn_logged(
            Command::new(nginx_binary())
                .arg("-p")
                .arg(&prefix)
                .arg("-c")
                .arg(self.path("nginx.conf"))
                .arg("-e")
                .arg(self.path("error.log")),
            &out,
            &out,
        );
        let child = installed(
            child,
            "nginx",
            "nginx is not installed (not on PATH, not in /usr/sbin): run .ci/deps, which \
             installs Debian's nginx package; the decision endpoint tests need a real nginx",
        );
        let master = child.id();
        self.child = Some(child);
        let addr = self.addr();
        let mut workers = Vec::new();
        let ready = || {
            workers = workers_of(master);
            accepts(addr) && !workers.is_empty()
        };
        match wait_ready(&mut self.child, START_DEADLINE, ready) {
            Start::Ready => {
                self.workers = workers;
                Ok(())
            }
            Start::Exited(status) => {
                let log = self.log();
                let report = format!(
                    "nginx exited during start-up ({status}):\n{log}\n--- nginx.conf ---\n{}",
                    self.config()
                );
                Err(Failure::exited(log.contains(PORT_IN_USE), report))
            }
            Start::TimedOut => {
                self.stop();
                Err(Failure::Other(format!(
                    "nginx did not accept connections on port {} within {START_DEADLINE:?}:\n{}",
                    self.port,
                    self.log()
                )))
            }
        }
    }
}

impl Drop for NginxServer {
    fn drop(&mut self) {
        // Also when the test panicked: no nginx outlives its test.
        self.stop();
        if std::thread::panicking() {
            eprintln!("--- nginx error log ---\n{}", self.log());
        }
    }
}

/// nginx's version as (major, minor, patch), from `nginx -v`.
pub fn version() -> (u32, u32, u32) {
    let output = output_within(
        Command::new(nginx_binary()).arg("-v"),
        Duration::from_secs(10),
    )
    .expect("nginx -v");
    // `nginx version: nginx/1.22.1` on stderr.
    let text = String::from_utf8_lossy(&output.stderr).into_owned();
    let number = text
        .split("nginx/")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no version in `nginx -v`: {text:?}"));
    let mut parts = number.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    (
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
    )
}

/// `nginx` on PATH, else Debian's /usr/sbin/nginx (off a non-root PATH).
fn nginx_binary() -> PathBuf {
    let on_path = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|dir| dir.join("nginx"))
            .find(|candidate| candidate.is_file())
    });
    on_path.unwrap_or_else(|| PathBuf::from("/usr/sbin/nginx"))
}

/// The PIDs whose parent is `master` (its workers), from /proc.
fn workers_of(master: u32) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| parent_of(*pid) == Some(master))
        .collect()
}

/// The parent PID from /proc/PID/stat (the field after the parenthesised name).
fn parent_of(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after_name = &stat[stat.rfind(')')? + 1..];
    after_name.split_whitespace().nth(1)?.parse().ok()
}

/// Whether `pid` is (still) an nginx worker: a PID reused by another process is never
/// killed.
fn is_nginx_worker(pid: u32) -> bool {
    std::fs::read(format!("/proc/{pid}/cmdline"))
        .is_ok_and(|cmdline| cmdline.starts_with(b"nginx: worker process"))
}

/// A path as a double-quoted nginx string.
fn quoted(path: &Path) -> String {
    format!(
        "\"{}\"",
        path.display()
            .to_string()
            .replace('\\', "\\\\")
            .replace('"', "\\\"")
    )
}

#[test]
fn the_helper_runs_a_real_nginx_and_leaves_nothing_behind() {
    let mut nginx = NginxServer::start(
        "server {\n    listen 127.0.0.1:@PORT@;\n    location / {\n        \
         default_type text/plain;\n        return 200 \"hello from $uri\\n\";\n    }\n}\n",
    );
    let r = crate::harness::send(&nginx.url("/x"), "GET", &[], None);
    assert_eq!((r.status, r.text().as_str()), (200, "hello from /x\n"));
    assert!(r.header("server").is_some_and(|s| s.starts_with("nginx")));
    let (major, minor, _) = version();
    assert!(
        (major, minor) >= (1, 18),
        "nginx {major}.{minor} is too old"
    );
    let pids = nginx.pids();
    assert_eq!(pids.len(), 2, "a master and one worker: {pids:?}");
    assert!(
        nginx.log().contains("start worker process"),
        "{}",
        nginx.log()
    );
    let addr = nginx.addr();
    nginx.stop();
    assert!(TcpStream::connect(addr).is_err(), "nginx still listens");
    for pid in pids {
        assert!(
            !Path::new(&format!("/proc/{pid}")).exists(),
            "{pid} outlived stop"
        );
    }

    // A broken configuration fails the start with nginx's own complaint.
    let failed = std::panic::catch_unwind(|| {
        NginxServer::start("server { listen 127.0.0.1:@PORT@; no_such_directive on; }")
    });
    let message = failed
        .err()
        .and_then(|e| e.downcast::<String>().ok())
        .expect("a broken configuration panics");
    assert!(
        message.contains("unknown directive \"no_such_directive\""),
        "{message}"
    );
}
