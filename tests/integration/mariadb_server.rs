//! A real MariaDB server for the tests of the SQL user source's MySQL path
//! (`[user_database]` with a `mysql://` URL).
//!
//! Each [`MariaDbServer`] is a throw-away instance: `mariadb-install-db` makes a data
//! directory inside its own temporary directory, then Debian's `mariadbd` runs directly
//! (no `mysqld_safe`, no service), so the child this process holds is the server itself:
//! one process, its connections are threads. It listens on a free port of 127.0.0.1 only;
//! its unix socket, PID file, error log and temporary files are in the same temporary
//! directory. Nothing is
//! read from /etc/mysql (`--no-defaults`); the server's character set is utf8mb4, as
//! Debian's own configuration sets it.
//!
//! The instance has a user [`MariaDbServer::USER`] with a password, allowed from
//! 127.0.0.1 only, and a database [`MariaDbServer::DATABASE`] (utf8mb4) on which it has
//! every privilege; [`MariaDbServer::url`] is what gatehouse and Django connect with,
//! over TCP with the password. The administrator is MariaDB's `root`-like account that
//! `mariadb-install-db` makes for the operating-system user running the tests,
//! authenticated by the unix socket's peer credentials (the `unix_socket` plugin): no
//! password, socket only. That is how [`MariaDbServer::sql`] runs the tests' own SQL.
//!
//! `innodb_flush_log_at_trx_commit=2`: a commit is written to the redo log (the page
//! cache) before it is acknowledged and fsynced about once a second, so a committed row
//! survives [`MariaDbServer::kill`] (only a machine crash would lose it) and comes back on
//! [`MariaDbServer::restart`], after InnoDB's crash recovery.
//!
//! `mariadbd` refuses to run as root unless told to switch users. When the tests run as
//! root, the instance belongs to the `mysql` system user (Debian's mariadb-server package
//! creates it): the temporary directory is chowned to it and `mariadb-install-db` and
//! `mariadbd` run through `setpriv`, which execs them with that user's ids (no fork), so
//! the PID this process holds is the server's.
//!
//! Readiness is the server's own `ready for connections.` in its error log, after the
//! `as process PID` line of the process this start spawned, not a bound port. Nothing is
//! left behind: dropping the server kills it by PID, also when the test failed, and its
//! temporary directory goes with it. Start-up takes about 0.9 s here, on a loaded
//! machine (`mariadb-install-db` 0.7 s, `mariadbd` until ready 0.15 s, the user and the
//! database 0.02 s); a restart after a kill, 0.15 s. A missing binary is a failure, never
//! a skip: `.ci/deps` installs Debian's mariadb-server package.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use crate::harness::{free_port, output_within};
use crate::postgres_server::{exists, is_root, on_path, run_ok};

/// How long `mariadb-install-db` may take (under a second here).
const INSTALL_DEADLINE: Duration = Duration::from_secs(60);
/// How long a start or restart may take before the test fails, crash recovery included.
const START_DEADLINE: Duration = Duration::from_secs(30);
/// How long `stop` waits for a clean shutdown before it kills.
const STOP_DEADLINE: Duration = Duration::from_secs(10);
/// How long one `mariadb` client command may run.
const CLIENT_DEADLINE: Duration = Duration::from_secs(30);
/// How long a killed server may take to disappear.
const KILL_DEADLINE: Duration = Duration::from_secs(10);
/// How MariaDB logs a failed bind (`Can't start server: Bind on TCP/IP port. Got error:
/// 98: Address already in use`).
const PORT_IN_USE: &str = "Address already in use";
/// What the server logs once it accepts connections.
const READY: &str = "ready for connections.";
/// The server's settings, for `mariadb-install-db` (which runs a bootstrap server) and
/// every start: a small footprint, since several instances may run at once, and no
/// asynchronous I/O through io_uring or libaio, which some sandboxes refuse.
const SETTINGS: [&str; 6] = [
    "--innodb-buffer-pool-size=16M",
    "--innodb-log-file-size=4M",
    "--innodb-use-native-aio=0",
    "--character-set-server=utf8mb4",
    "--collation-server=utf8mb4_general_ci",
    "--skip-name-resolve",
];

pub struct MariaDbServer {
    /// `mariadbd`; `None` between `kill`/`stop` and `restart`.
    child: Option<Child>,
    dir: tempfile::TempDir,
    pub port: u16,
}

impl MariaDbServer {
    /// The user that [`url`](Self::url) logs in as, from 127.0.0.1; it has every
    /// privilege on [`DATABASE`](Self::DATABASE) and no other.
    pub const USER: &'static str = "gatehouse";
    pub const PASSWORD: &'static str = "gatehouse-test-password";
    pub const DATABASE: &'static str = "gatehouse";

    /// Makes a data directory with `mariadb-install-db`, starts `mariadbd` on a free
    /// loopback port, waits until it accepts connections, and creates
    /// [`USER`](Self::USER) and [`DATABASE`](Self::DATABASE).
    pub fn start() -> Self {
        let bins = binaries();
        let mut server = Self {
            child: None,
            dir: tempfile::tempdir().expect("tempdir"),
            port: 0,
        };
        std::fs::create_dir(server.tmp_dir()).expect("tmp dir");
        if let Some(user) = bins.run_as {
            run_ok(
                Command::new("chown")
                    .arg("-R")
                    .arg(format!("{user}:"))
                    .arg(server.dir.path()),
            );
        }
        server.install_db();
        const ATTEMPTS: usize = 3;
        for attempt in 1..=ATTEMPTS {
            server.port = free_port();
            match server.spawn_and_wait() {
                Ok(()) => break,
                // Another process took the port between `free_port` and the bind: a
                // fresh port is worth another try, anything else is the test's failure.
                Err(Failure::PortInUse(log)) if attempt < ATTEMPTS => {
                    eprintln!("mariadbd lost a port race, retrying:\n{log}");
                }
                Err(failure) => panic!("mariadbd did not start:\n{}", failure.log()),
            }
        }
        server.sql_in(
            None,
            &format!(
                "CREATE DATABASE {db} CHARACTER SET utf8mb4; \
             CREATE USER '{user}'@'127.0.0.1' IDENTIFIED BY '{password}'; \
             GRANT ALL PRIVILEGES ON {db}.* TO '{user}'@'127.0.0.1'",
                db = Self::DATABASE,
                user = Self::USER,
                password = Self::PASSWORD,
            ),
        );
        server
    }

    /// `mysql://gatehouse:PASSWORD@127.0.0.1:PORT/gatehouse`: TCP, password auth.
    pub fn url(&self) -> String {
        format!(
            "mysql://{}:{}@127.0.0.1:{}/{}",
            Self::USER,
            Self::PASSWORD,
            self.port,
            Self::DATABASE
        )
    }

    /// The server's PID while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Kills the server with SIGKILL, no shutdown: what a crash does; clients see their
    /// connections reset, and the next start runs InnoDB's crash recovery. Waits until
    /// it is gone, reaped.
    pub fn kill(&mut self) {
        if let Some(pid) = self.kill_now() {
            panic!("mariadbd {pid} still exists after SIGKILL");
        }
    }

    /// Stops the server with SIGTERM (a clean shutdown: clients are disconnected, InnoDB
    /// flushes) and waits for it to exit; kills it if it has not exited within 10 s. The
    /// data stays for [`restart`](Self::restart).
    pub fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        signal("TERM", child.id());
        let deadline = Instant::now() + STOP_DEADLINE;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        self.child = Some(child);
        self.kill_now();
        panic!(
            "mariadbd did not exit within {STOP_DEADLINE:?} of SIGTERM:\n{}",
            self.log()
        );
    }

    /// Starts the server again on the same port with the same data, after `kill` (crash
    /// recovery) or `stop`; stops a running one first. Waits until it accepts
    /// connections.
    pub fn restart(&mut self) {
        self.stop();
        // MariaDB sets SO_REUSEADDR; a bind failure here is a short-lived race (a
        // client's ephemeral port), retried until the deadline.
        let deadline = Instant::now() + START_DEADLINE;
        loop {
            match self.spawn_and_wait() {
                Ok(()) => return,
                Err(Failure::PortInUse(_)) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(failure) => panic!(
                    "mariadbd did not restart on port {}:\n{}",
                    self.port,
                    failure.log()
                ),
            }
        }
    }

    /// Runs SQL in [`DATABASE`](Self::DATABASE) as the administrator
    /// with `mariadb -e` (several `;`-separated statements, each in its own transaction)
    /// and returns its output: no headers, columns separated by tabs, one row a line,
    /// values raw (NULL as `NULL`), without the last newline. Panics with the client's
    /// error if anything fails.
    pub fn sql(&self, sql: &str) -> String {
        self.sql_in(Some(Self::DATABASE), sql)
    }

    /// [`sql`](Self::sql), with a failure (the server down, an SQL error) returned.
    pub fn try_sql(&self, sql: &str) -> Result<String, String> {
        self.try_sql_in(Some(Self::DATABASE), sql)
    }

    /// [`sql`](Self::sql) in `database`, or in none.
    fn sql_in(&self, database: Option<&str>, sql: &str) -> String {
        self.try_sql_in(database, sql)
            .unwrap_or_else(|e| panic!("mariadb -e {sql:?}: {e}\n{}", self.log()))
    }

    fn try_sql_in(&self, database: Option<&str>, sql: &str) -> Result<String, String> {
        let bins = binaries();
        let mut command = Command::new(&bins.client);
        // --no-defaults first: no ~/.my.cnf or /etc/mysql option decides anything.
        command
            .args(["--no-defaults", "--batch", "--skip-column-names", "--raw"])
            .arg(format!("--socket={}", self.socket().display()))
            .arg(format!("--user={}", bins.admin))
            .arg("--connect-timeout=5");
        if let Some(database) = database {
            command.arg(format!("--database={database}"));
        }
        command.args(["-e", sql]);
        let output = output_within(&mut command, CLIENT_DEADLINE).map_err(|e| e.to_string())?;
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

    /// `mariadb-install-db`'s output and the server's error log, from every run.
    pub fn log(&self) -> String {
        let mut log = String::new();
        for name in ["install-db.log", "mariadbd.out", "mariadbd.log"] {
            let text = std::fs::read_to_string(self.path(name)).unwrap_or_default();
            if !text.trim().is_empty() {
                log.push_str(&format!("--- {name} ---\n{text}"));
            }
        }
        log
    }

    /// The temporary directory holding everything of this server.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    fn data_dir(&self) -> PathBuf {
        self.path("data")
    }

    /// Its own temporary files' directory: a starting mariadbd deletes every `#sql*` file
    /// it finds in its tmpdir, so two instances sharing /tmp delete each other's
    /// temporary tables (seen: mariadb-install-db run beside another one failing with
    /// "Could not remove temporary table: '/tmp/#sql-temptable-...'" and "Unknown table
    /// 'mysql.tmp_user_sys'").
    fn tmp_dir(&self) -> PathBuf {
        self.path("tmp")
    }

    fn socket(&self) -> PathBuf {
        self.path("mariadbd.sock")
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn install_db(&self) {
        let bins = binaries();
        let mut command = bins.command(&bins.install_db);
        command
            // Option files are read unless this comes first.
            .arg("--no-defaults")
            .arg(format!("--datadir={}", self.data_dir().display()))
            .arg(format!("--tmpdir={}", self.tmp_dir().display()))
            // MariaDB's superuser is the operating-system user running the tests, over
            // the unix socket; the `root` account has no usable password.
            .arg("--auth-root-authentication-method=socket")
            .arg(format!("--auth-root-socket-user={}", bins.admin))
            .arg("--skip-test-db")
            .args(SETTINGS)
            .current_dir(self.dir.path());
        let output = match output_within(&mut command, INSTALL_DEADLINE) {
            Ok(output) => output,
            Err(e) => panic!("{command:?}: {e}"),
        };
        let mut text = output.stdout;
        text.extend_from_slice(&output.stderr);
        std::fs::write(self.path("install-db.log"), &text).expect("install-db.log");
        assert!(
            output.status.success(),
            "mariadb-install-db failed ({}):\n{}",
            output.status,
            String::from_utf8_lossy(&text)
        );
    }

    /// Spawns `mariadbd` on `self.port` and waits until it says it is ready.
    fn spawn_and_wait(&mut self) -> Result<(), Failure> {
        let log_path = self.path("mariadbd.log");
        // Only what this attempt logged counts: the log is appended to by every run.
        let offset = std::fs::metadata(&log_path).map_or(0, |m| m.len() as usize);
        let mut out = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.path("mariadbd.out"))
            .expect("mariadbd.out");
        let _ = writeln!(out, "--- starting on port {} ---", self.port);
        let bins = binaries();
        let mut command = bins.command(&bins.server);
        command
            .arg("--no-defaults")
            .arg(format!("--datadir={}", self.data_dir().display()))
            .arg(format!("--tmpdir={}", self.tmp_dir().display()))
            .arg(format!("--port={}", self.port))
            .arg("--bind-address=127.0.0.1")
            .arg(format!("--socket={}", self.socket().display()))
            .arg(format!(
                "--pid-file={}",
                self.path("mariadbd.pid").display()
            ))
            .arg(format!("--log-error={}", log_path.display()))
            .args(SETTINGS)
            // Speed over durability against a machine crash (see the module docs).
            .arg("--innodb-flush-log-at-trx-commit=2")
            .current_dir(self.dir.path())
            .stdin(Stdio::null())
            .stdout(out.try_clone().expect("mariadbd.out"))
            .stderr(out);
        let child = match command.spawn() {
            Ok(child) => child,
            Err(e) => panic!("cannot run {command:?}: {e}"),
        };
        let pid = child.id();
        self.child = Some(child);
        let this_run = || {
            let log = std::fs::read(&log_path).unwrap_or_default();
            String::from_utf8_lossy(log.get(offset..).unwrap_or_default()).into_owned()
        };
        let deadline = Instant::now() + START_DEADLINE;
        while Instant::now() < deadline {
            if let Some(child) = self.child.as_mut() {
                if let Ok(Some(status)) = child.try_wait() {
                    self.child = None;
                    let report = format!(
                        "mariadbd exited during start-up ({status}):\n{}",
                        self.log()
                    );
                    return Err(if this_run().contains(PORT_IN_USE) {
                        Failure::PortInUse(report)
                    } else {
                        Failure::Other(report)
                    });
                }
            }
            let text = this_run();
            if text.contains(&format!(" as process {pid}")) && text.contains(READY) {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        self.kill_now();
        Err(Failure::Other(format!(
            "mariadbd was not ready within {START_DEADLINE:?}:\n{}",
            self.log()
        )))
    }

    /// SIGKILL to the server, by PID, and waits for it to be reaped. Its PID if it still
    /// exists after 10 s (never panics: it runs in `Drop`).
    fn kill_now(&mut self) -> Option<u32> {
        let mut child = self.child.take()?;
        let pid = child.id();
        // `Child::kill` is SIGKILL to this PID only. Its connections are threads: there
        // is no other process to end.
        let _ = child.kill();
        let deadline = Instant::now() + KILL_DEADLINE;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                return None;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        exists(pid).then_some(pid)
    }
}

impl Drop for MariaDbServer {
    fn drop(&mut self) {
        // Also when the test panicked: no MariaDB outlives its test.
        if let Some(pid) = self.kill_now() {
            eprintln!("mariadbd {pid} still exists after SIGKILL");
        }
        if std::thread::panicking() {
            eprintln!("--- mariadb ---\n{}", self.log());
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

/// Where MariaDB's programs are, and who runs them.
struct Binaries {
    install_db: PathBuf,
    server: PathBuf,
    client: PathBuf,
    /// `Some("mysql")` when this process is root, which `mariadbd` refuses to run as.
    run_as: Option<&'static str>,
    /// The operating-system user running the tests, whose name is also the name of the
    /// MariaDB account that the unix socket authenticates.
    admin: String,
}

impl Binaries {
    /// A command for one of the server's programs, as the user the instance belongs to.
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

/// The programs, found once per test process; every test that needs them fails with the
/// same message when they are missing.
fn binaries() -> &'static Binaries {
    static BINARIES: OnceLock<Result<Binaries, String>> = OnceLock::new();
    match BINARIES.get_or_init(find_binaries) {
        Ok(binaries) => binaries,
        Err(e) => panic!("{e}"),
    }
}

fn find_binaries() -> Result<Binaries, String> {
    let missing = |program: &str| {
        format!(
            "MariaDB's {program} is not installed (neither on PATH nor in /usr/sbin or \
             /usr/bin): run .ci/deps, which installs Debian's mariadb-server package; the \
             [user_database] tests of the MySQL path need a real MariaDB"
        )
    };
    // Debian keeps mariadbd in /usr/sbin, which is not on every user's PATH.
    let find = |program: &str| {
        on_path(program)
            .or_else(|| {
                ["/usr/sbin", "/usr/bin"]
                    .iter()
                    .map(|dir| Path::new(dir).join(program))
                    .find(|path| path.is_file())
            })
            .ok_or_else(|| missing(program))
    };
    let install_db = find("mariadb-install-db")?;
    let server = find("mariadbd")?;
    let client = find("mariadb")?;
    let run_as = if is_root() {
        let known = Command::new("id")
            .args(["-u", "mysql"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !known {
            return Err(
                "running as root, and mariadbd refuses root: the instance runs as the \
                 `mysql` system user, which does not exist; .ci/deps installs Debian's \
                 mariadb-server package, which creates it"
                    .into(),
            );
        }
        Some("mysql")
    } else {
        None
    };
    let admin = Command::new("id")
        .arg("-un")
        .output()
        .ok()
        .filter(|output| output.status.success())
        .map(|output| String::from_utf8_lossy(&output.stdout).trim().to_owned())
        .filter(|name| !name.is_empty())
        .ok_or("`id -un` did not name the user running the tests")?;
    Ok(Binaries {
        install_db,
        server,
        client,
        run_as,
        admin,
    })
}

/// `kill -SIGNAL PID`, by PID only.
fn signal(name: &str, pid: u32) {
    let _ = Command::new("kill")
        .arg(format!("-{name}"))
        .arg(pid.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}
