//! A real PostgreSQL cluster for the tests of the SQL user source (`[user_database]`).
//!
//! Each [`PostgresServer`] is a throw-away cluster: `initdb` in its own temporary
//! directory, then Debian's `postgres` binary run directly (no `pg_ctl`, no daemon), so
//! the child this process holds is the postmaster itself. It listens on a free port of
//! 127.0.0.1 only, with its unix socket inside the same temporary directory. The cluster
//! has a login role [`PostgresServer::USER`] with a password and a database
//! [`PostgresServer::DATABASE`] that it owns; [`PostgresServer::url`] is what gatehouse
//! and Django connect with, over TCP with SCRAM-SHA-256. The bootstrap superuser
//! `postgres` has no password and is trusted on the unix socket only: that is how
//! [`PostgresServer::psql`] and [`PostgresServer::query`] run the tests' own SQL.
//!
//! `fsync=off` for speed. Commits are still written to the WAL before they are
//! acknowledged (`synchronous_commit` stays on), so a committed row survives
//! [`PostgresServer::kill`] (the WAL is in the page cache; only a machine crash would lose
//! it) and comes back on [`PostgresServer::restart`], after crash recovery.
//!
//! `initdb` refuses to run as root. When the tests run as root, the cluster belongs to the
//! `postgres` system user (Debian's postgresql package creates it): the temporary
//! directory is chowned to it and `initdb`/`postgres` run through `setpriv`, which execs
//! them with that user's ids (no fork, unlike `runuser`/`su`), so the PID this process
//! holds is still the postmaster's.
//!
//! Readiness is the postmaster's own status line in `postmaster.pid` (`ready`), written
//! by the process this start spawned, not a bound port. Nothing is left behind: dropping
//! the server kills the postmaster and every process it forked, by PID, also when the
//! test failed. The binaries are found on PATH or in /usr/lib/postgresql/<version>/bin
//! (Debian keeps them off PATH). A missing binary is a failure, never a skip: `.ci/deps`
//! installs Debian's postgresql package.

use std::io::Write;
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use crate::harness::{free_port, output_within};

/// How long `initdb` may take (about 2 s here, longer on a loaded machine).
const INITDB_DEADLINE: Duration = Duration::from_secs(60);
/// How long a start or restart may take before the test fails, crash recovery included.
const START_DEADLINE: Duration = Duration::from_secs(30);
/// How long `stop` waits for a fast shutdown before it kills.
const STOP_DEADLINE: Duration = Duration::from_secs(10);
/// How long one `psql` may run.
const PSQL_DEADLINE: Duration = Duration::from_secs(30);
/// How long killed processes may take to disappear.
const KILL_DEADLINE: Duration = Duration::from_secs(10);
/// How PostgreSQL logs a failed bind (`could not bind IPv4 address "127.0.0.1": ...`).
const PORT_IN_USE: &str = "Address already in use";

pub struct PostgresServer {
    /// The postmaster; `None` between `kill`/`stop` and `restart`.
    child: Option<Child>,
    dir: tempfile::TempDir,
    pub port: u16,
}

impl PostgresServer {
    /// The role that [`url`](Self::url) logs in as; it owns [`DATABASE`](Self::DATABASE).
    pub const USER: &'static str = "gatehouse";
    pub const PASSWORD: &'static str = "gatehouse-test-password";
    pub const DATABASE: &'static str = "gatehouse";
    /// The bootstrap superuser: no password, trusted on the unix socket only.
    pub const SUPERUSER: &'static str = "postgres";

    /// Makes a cluster with `initdb`, starts it on a free loopback port, waits until it
    /// accepts connections, and creates [`USER`](Self::USER) and
    /// [`DATABASE`](Self::DATABASE).
    pub fn start() -> Self {
        let bins = binaries();
        let mut server = Self {
            child: None,
            dir: tempfile::tempdir().expect("tempdir"),
            port: 0,
        };
        std::fs::create_dir(server.socket_dir()).expect("socket dir");
        if let Some(user) = bins.run_as {
            run_ok(
                Command::new("chown")
                    .arg("-R")
                    .arg(format!("{user}:"))
                    .arg(server.dir.path()),
            );
        }
        server.initdb();
        const ATTEMPTS: usize = 3;
        for attempt in 1..=ATTEMPTS {
            server.port = free_port();
            match server.spawn_and_wait() {
                Ok(()) => break,
                // Another process took the port between `free_port` and the bind: a
                // fresh port is worth another try, anything else is the test's failure.
                Err(Failure::PortInUse(log)) if attempt < ATTEMPTS => {
                    eprintln!("postgres lost a port race, retrying:\n{log}");
                }
                Err(failure) => panic!("postgres did not start:\n{}", failure.log()),
            }
        }
        // Separate commands: CREATE DATABASE cannot run inside a transaction block.
        server.psql_in(
            "postgres",
            &format!(
                "CREATE ROLE {} LOGIN PASSWORD '{}'",
                Self::USER,
                Self::PASSWORD
            ),
        );
        server.psql_in(
            "postgres",
            &format!("CREATE DATABASE {} OWNER {}", Self::DATABASE, Self::USER),
        );
        server
    }

    /// `postgres://gatehouse:PASSWORD@127.0.0.1:PORT/gatehouse`: TCP, password auth.
    pub fn url(&self) -> String {
        format!(
            "postgres://{}:{}@127.0.0.1:{}/{}",
            Self::USER,
            Self::PASSWORD,
            self.port,
            Self::DATABASE
        )
    }

    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    /// The postmaster's PID while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// The postmaster and every process it has forked right now (checkpointer, WAL
    /// writer, autovacuum, one backend per connection...); empty when it is not running.
    pub fn pids(&self) -> Vec<u32> {
        let Some(postmaster) = self.pid() else {
            return Vec::new();
        };
        let mut pids = vec![postmaster];
        pids.extend(children_of(postmaster));
        pids
    }

    /// Kills every process of the server with SIGKILL, no shutdown checkpoint: what a
    /// crash does; clients see their connections reset, and the next start replays the
    /// WAL. Waits until they are all gone, reaped (see `kill_all`).
    pub fn kill(&mut self) {
        if let Some(left) = self.kill_all() {
            panic!("postgres processes {left:?} still exist after SIGKILL");
        }
    }

    /// Stops the server with a fast shutdown (SIGINT: clients are disconnected, a
    /// shutdown checkpoint is written) and waits for it to exit; kills it if it has not
    /// exited within 10 s. The data stays for [`restart`](Self::restart).
    pub fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        signal("INT", &[child.id()]);
        let deadline = Instant::now() + STOP_DEADLINE;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        self.child = Some(child);
        self.kill_all();
        panic!(
            "postgres did not exit within {STOP_DEADLINE:?} of SIGINT:\n{}",
            self.log()
        );
    }

    /// Starts the server again on the same port with the same data, after `kill` (crash
    /// recovery replays the WAL) or `stop`; stops a running one first. Waits until it
    /// accepts connections.
    pub fn restart(&mut self) {
        self.stop();
        // PostgreSQL sets SO_REUSEADDR; a bind failure here is a short-lived race (a
        // client's ephemeral port), retried until the deadline.
        let deadline = Instant::now() + START_DEADLINE;
        loop {
            match self.spawn_and_wait() {
                Ok(()) => return,
                Err(Failure::PortInUse(_)) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(failure) => panic!(
                    "postgres did not restart on port {}:\n{}",
                    self.port,
                    failure.log()
                ),
            }
        }
    }

    /// Runs SQL in [`DATABASE`](Self::DATABASE) as the superuser with `psql -c` (several
    /// `;`-separated statements run in one transaction) and returns its output: unaligned,
    /// no headers, columns separated by `|`, one row a line, without the last newline
    /// (`"f"`, `"1|alice"`). Panics with psql's error if anything fails.
    pub fn psql(&self, sql: &str) -> String {
        self.psql_in(Self::DATABASE, sql)
    }

    /// [`psql`](Self::psql) in another database of the cluster (`postgres`, say).
    pub fn psql_in(&self, database: &str, sql: &str) -> String {
        self.try_psql_in(database, sql)
            .unwrap_or_else(|e| panic!("psql -d {database} -c {sql:?}: {e}\n{}", self.log()))
    }

    /// [`psql`](Self::psql), with a failure (the server down, an SQL error) returned.
    pub fn try_psql(&self, sql: &str) -> Result<String, String> {
        self.try_psql_in(Self::DATABASE, sql)
    }

    /// A `psql` command connected to `database` as the superuser over the unix socket
    /// (no psqlrc, unaligned, no headers, stops at the first error), for a test that
    /// needs a session of its own (a long query, a held lock); add `-c SQL`. Run it
    /// bounded: [`crate::harness::output_within`], or kill it.
    pub fn psql_command(&self, database: &str) -> Command {
        let mut command = Command::new(&binaries().psql);
        command
            .args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"])
            .arg("-h")
            .arg(self.socket_dir())
            .arg("-p")
            .arg(self.port.to_string())
            .args(["-U", Self::SUPERUSER, "-d", database])
            .env("PGCONNECT_TIMEOUT", "5");
        command
    }

    fn try_psql_in(&self, database: &str, sql: &str) -> Result<String, String> {
        let mut command = self.psql_command(database);
        command.args(["-c", sql]);
        let output = match output_within(&mut command, PSQL_DEADLINE) {
            Ok(output) => output,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => panic!(
                "psql is not installed: run .ci/deps, which installs Debian's postgresql \
                 (with postgresql-client)"
            ),
            Err(e) => return Err(e.to_string()),
        };
        if !output.status.success() {
            return Err(format!(
                "{}: {}",
                output.status,
                String::from_utf8_lossy(&output.stderr).trim()
            ));
        }
        let mut stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        if stdout.ends_with('\n') {
            stdout.pop();
        }
        Ok(stdout)
    }

    /// The rows of one SELECT as JSON objects keyed by column name, with PostgreSQL's
    /// JSON types (booleans as `true`/`false`, integers as numbers, NULL as `null`), in
    /// the order the SELECT returns them.
    pub fn query(&self, select: &str) -> Vec<serde_json::Map<String, serde_json::Value>> {
        let json = self.psql(&format!(
            "SELECT coalesce(json_agg(q), '[]'::json) FROM ({select}) AS q"
        ));
        serde_json::from_str(&json).unwrap_or_else(|e| panic!("{select}: {e}: {json}"))
    }

    /// `initdb`'s output and the server's log, from every run.
    pub fn log(&self) -> String {
        let mut log = String::new();
        for name in ["initdb.log", "postgres.log"] {
            let text = std::fs::read_to_string(self.path(name)).unwrap_or_default();
            if !text.trim().is_empty() {
                log.push_str(&format!("--- {name} ---\n{text}"));
            }
        }
        log
    }

    /// The data directory (PGDATA).
    pub fn data_dir(&self) -> PathBuf {
        self.path("data")
    }

    /// The directory of the unix socket (`-h` for psql), inside the temporary directory.
    pub fn socket_dir(&self) -> PathBuf {
        self.path("socket")
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn initdb(&self) {
        let bins = binaries();
        let mut command = bins.command(&bins.dir.join("initdb"));
        command
            .arg("-D")
            .arg(self.data_dir())
            .args(["-U", Self::SUPERUSER])
            // The tests' superuser access is the unix socket in this private directory;
            // over TCP every role needs its password.
            .args(["--auth-local=trust", "--auth-host=scram-sha-256"])
            .args(["-E", "UTF8", "--locale=C"])
            // No fsync of the new files: the cluster is thrown away with the test.
            .arg("--no-sync")
            .current_dir(self.dir.path());
        let output = match output_within(&mut command, INITDB_DEADLINE) {
            Ok(output) => output,
            Err(e) => panic!("initdb: {e}"),
        };
        let mut text = output.stdout;
        text.extend_from_slice(&output.stderr);
        std::fs::write(self.path("initdb.log"), &text).expect("initdb.log");
        assert!(
            output.status.success(),
            "initdb failed ({}):\n{}",
            output.status,
            String::from_utf8_lossy(&text)
        );
    }

    /// Spawns the postmaster on `self.port` and waits until it says it is ready.
    fn spawn_and_wait(&mut self) -> Result<(), Failure> {
        // Only what this attempt logged decides whether the port was taken.
        let in_use_before = self.log().matches(PORT_IN_USE).count();
        let mut out = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.path("postgres.log"))
            .expect("postgres.log");
        let _ = writeln!(out, "--- starting on port {} ---", self.port);
        let bins = binaries();
        let mut command = bins.command(&bins.dir.join("postgres"));
        command
            .arg("-D")
            .arg(self.data_dir())
            .arg("-p")
            .arg(self.port.to_string())
            .arg("-c")
            .arg("listen_addresses=127.0.0.1")
            .arg("-c")
            .arg(format!(
                "unix_socket_directories={}",
                self.socket_dir().display()
            ))
            // Speed over durability against a machine crash (see the module docs), and
            // a small footprint: several clusters may run at once.
            .args(["-c", "fsync=off", "-c", "shared_buffers=16MB"])
            // A crashed child makes the postmaster reap the others and exit, rather than
            // start again: how `kill` ends them all without orphans.
            .args(["-c", "restart_after_crash=off"])
            .current_dir(self.dir.path())
            .stdin(Stdio::null())
            .stdout(out.try_clone().expect("postgres.log"))
            .stderr(out);
        let child = match command.spawn() {
            Ok(child) => child,
            Err(e) => panic!("cannot run {command:?}: {e}"),
        };
        let pid = child.id();
        self.child = Some(child);
        let deadline = Instant::now() + START_DEADLINE;
        while Instant::now() < deadline {
            if let Some(child) = self.child.as_mut() {
                if let Ok(Some(status)) = child.try_wait() {
                    self.child = None;
                    let log = self.log();
                    let report = format!("postgres exited during start-up ({status}):\n{log}");
                    return Err(if log.matches(PORT_IN_USE).count() > in_use_before {
                        Failure::PortInUse(report)
                    } else {
                        Failure::Other(report)
                    });
                }
            }
            if self.ready(pid) {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        self.kill_all();
        Err(Failure::Other(format!(
            "postgres was not ready within {START_DEADLINE:?}:\n{}",
            self.log()
        )))
    }

    /// Whether postmaster.pid was written by `pid` (not a stale one from a killed run)
    /// and its status line says `ready` (accepting connections; PostgreSQL >= 10).
    fn ready(&self, pid: u32) -> bool {
        let Ok(text) = std::fs::read_to_string(self.data_dir().join("postmaster.pid")) else {
            return false;
        };
        let lines: Vec<&str> = text.lines().collect();
        lines.first().map(|l| l.trim()) == Some(pid.to_string().as_str())
            && lines.get(7).map(|l| l.trim()) == Some("ready")
    }

    /// SIGKILL to every process the postmaster forked, then the postmaster reaps them and
    /// exits (`restart_after_crash=off`); waits for that. The processes that still exist
    /// after 10 s, if any (never panics: it runs in `Drop`).
    ///
    /// The postmaster has to be the one that reaps them: orphaned, they would be left to
    /// PID 1, and on these test machines PID 1 reaps no orphan, so each would stay a
    /// zombie. Should the postmaster not exit, it is killed too, as the last resort.
    fn kill_all(&mut self) -> Option<Vec<u32>> {
        let mut child = self.child.take()?;
        let postmaster = child.id();
        let deadline = Instant::now() + KILL_DEADLINE;
        // Frozen, it forks no new backend between the listing and the kill. Backends
        // are session leaders of their own (PostgreSQL calls setsid), so a process
        // group kill would miss them: they are listed by parent PID.
        signal("STOP", &[postmaster]);
        while state(postmaster).is_some_and(|s| !matches!(s, 'T' | 't' | 'Z' | 'X'))
            && Instant::now() < deadline
        {
            std::thread::sleep(Duration::from_millis(1));
        }
        let mut pids = children_of(postmaster);
        signal("KILL", &pids);
        signal("CONT", &[postmaster]);
        pids.push(postmaster);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        if !matches!(child.try_wait(), Ok(Some(_))) {
            pids.extend(children_of(postmaster));
            signal("KILL", &pids);
            let _ = child.wait();
        }
        while Instant::now() < deadline {
            if !pids.iter().any(|&pid| exists(pid)) {
                return None;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        Some(pids.into_iter().filter(|&pid| exists(pid)).collect())
    }
}

impl Drop for PostgresServer {
    fn drop(&mut self) {
        // Also when the test panicked: no PostgreSQL outlives its test.
        if let Some(left) = self.kill_all() {
            eprintln!("postgres processes {left:?} still exist after SIGKILL");
        }
        if std::thread::panicking() {
            eprintln!("--- postgres ---\n{}", self.log());
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

/// Where `initdb` and `postgres` are, and who runs them.
struct Binaries {
    /// The directory holding `initdb` and `postgres`.
    dir: PathBuf,
    psql: PathBuf,
    /// `Some("postgres")` when this process is root, which initdb refuses to run as.
    run_as: Option<&'static str>,
}

impl Binaries {
    /// A command for one of the server's binaries, as the user the cluster belongs to.
    fn command(&self, program: &Path) -> Command {
        match self.run_as {
            Some(user) => {
                let mut command = Command::new("setpriv");
                command
                    .arg(format!("--reuid={user}"))
                    .arg(format!("--regid={user}"))
                    .arg("--init-groups")
                    .arg("--")
                    .arg(program);
                command
            }
            None => Command::new(program),
        }
    }
}

/// The binaries, found once per test process; every test that needs them fails with the
/// same message when they are missing.
fn binaries() -> &'static Binaries {
    static BINARIES: OnceLock<Result<Binaries, String>> = OnceLock::new();
    match BINARIES.get_or_init(find_binaries) {
        Ok(binaries) => binaries,
        Err(e) => panic!("{e}"),
    }
}

fn find_binaries() -> Result<Binaries, String> {
    let dir = server_bin_dir().ok_or(
        "PostgreSQL's initdb and postgres are not installed (neither on PATH nor in \
         /usr/lib/postgresql/<version>/bin): run .ci/deps, which installs Debian's \
         postgresql package; the [user_database] tests need a real PostgreSQL",
    )?;
    let psql = match dir.join("psql") {
        beside if beside.is_file() => beside,
        _ => on_path("psql").ok_or(
            "psql is not installed: run .ci/deps, which installs Debian's postgresql \
             (with postgresql-client)",
        )?,
    };
    let run_as = if is_root() {
        let known = Command::new("id")
            .args(["-u", "postgres"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !known {
            return Err(
                "running as root, and initdb refuses root: the cluster runs as the \
                 `postgres` system user, which does not exist; .ci/deps installs Debian's \
                 postgresql package, which creates it"
                    .into(),
            );
        }
        Some("postgres")
    } else {
        None
    };
    Ok(Binaries { dir, psql, run_as })
}

/// The directory of `initdb` (with `postgres` beside it): `initdb` on PATH, resolved
/// through symlinks, else the newest /usr/lib/postgresql/<version>/bin.
fn server_bin_dir() -> Option<PathBuf> {
    let complete = |dir: &Path| dir.join("initdb").is_file() && dir.join("postgres").is_file();
    if let Some(dir) = on_path("initdb")
        .and_then(|initdb| initdb.canonicalize().ok())
        .and_then(|initdb| initdb.parent().map(Path::to_path_buf))
        .filter(|dir| complete(dir))
    {
        return Some(dir);
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            Some((version, entry.path().join("bin")))
        })
        .filter(|(_, dir)| complete(dir))
        .collect();
    versions.sort();
    versions.pop().map(|(_, dir)| dir)
}

pub fn on_path(program: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(program))
        .find(|path| path.is_file())
}

pub fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// Runs a command that must succeed.
pub fn run_ok(command: &mut Command) {
    let output = output_within(command, Duration::from_secs(30))
        .unwrap_or_else(|e| panic!("{command:?}: {e}"));
    assert!(
        output.status.success(),
        "{command:?}: {}: {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
}

/// `kill -SIGNAL PID...`, by PID only.
fn signal(name: &str, pids: &[u32]) {
    let _ = Command::new("kill")
        .arg(format!("-{name}"))
        .args(pids.iter().map(u32::to_string))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// A process's state letter from /proc (`R`, `S`, `T` stopped, `Z` zombie...), or
/// `None` if there is no such process.
fn state(pid: u32) -> Option<char> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // `PID (COMM) STATE PPID ...`; COMM may itself hold spaces and parentheses.
    let after = &stat[stat.rfind(')')? + 1..];
    after.split_whitespace().next()?.chars().next()
}

/// Whether a process `pid` exists, a zombie (exited, not reaped) included.
pub fn exists(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

/// The PIDs whose parent is `parent`.
fn children_of(parent: u32) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse::<u32>().ok())
        .filter(|&pid| {
            std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
                let after = stat.rfind(')').map_or("", |i| &stat[i + 1..]);
                after.split_whitespace().nth(1) == Some(parent.to_string().as_str())
            })
        })
        .collect()
}

/// Whether something accepts TCP connections on `addr` within a second.
pub fn accepts(addr: SocketAddr) -> bool {
    TcpStream::connect_timeout(&addr, Duration::from_secs(1)).is_ok()
}
