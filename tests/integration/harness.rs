//! Runs the real `gatehouse` binary on free loopback ports and talks to it over HTTP.
//!
//! Every instance gets its own temporary directory (config, pid file, upgrade socket),
//! is waited for through `/readyz` with a deadline, and is killed when dropped, so no
//! test leaves a process behind. If a test fails, the instance's log is printed.

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_gatehouse");

/// The repository's demo configuration.
pub fn demo_config() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/gatehouse.toml");
    std::fs::read_to_string(path).expect("config/gatehouse.toml is readable")
}

/// A free TCP port on loopback, never one this test process handed out before.
///
/// The port is released before gatehouse binds it, so the kernel may offer the same
/// number to the next `bind(0)`: two calls in a row (listen and admin) or two tests
/// running in parallel could otherwise receive the same port. Another process taking
/// the port in that instant fails gatehouse's start-up pre-flight, which
/// [`Gatehouse::start`] retries on fresh ports.
pub fn free_port() -> u16 {
    static HANDED_OUT: Mutex<BTreeSet<u16>> = Mutex::new(BTreeSet::new());
    loop {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let mut handed_out = HANDED_OUT.lock().unwrap_or_else(|e| e.into_inner());
        if handed_out.insert(port) {
            return port;
        }
    }
}

pub struct Gatehouse {
    child: Child,
    dir: tempfile::TempDir,
    pub port: u16,
    pub admin_port: u16,
}

impl Gatehouse {
    /// Starts gatehouse with `config`, where the demo's listen and admin addresses are
    /// replaced by free ports, and test-friendly `[server]` settings are appended.
    pub fn start(config: &str) -> Self {
        Self::start_with_env(config, &[])
    }

    pub fn start_with_env(config: &str, env: &[(&str, &str)]) -> Self {
        const ATTEMPTS: usize = 3;
        for attempt in 1..=ATTEMPTS {
            match Self::try_start(config, env) {
                Ok(instance) => return instance,
                // Only a port taken by another process between `free_port` and the
                // bind is worth another try; anything else is the test's failure.
                Err(log) if attempt < ATTEMPTS && log.contains("Address already in use") => {
                    eprintln!("gatehouse start-up lost a port race, retrying:\n{log}");
                }
                Err(log) => panic!("gatehouse did not start:\n{log}"),
            }
        }
        unreachable!("the last attempt returns or panics")
    }

    fn try_start(config: &str, env: &[(&str, &str)]) -> Result<Self, String> {
        let dir = tempfile::tempdir().expect("tempdir");
        let port = free_port();
        let admin_port = free_port();
        let config = Self::localise(config, port, admin_port, dir.path());
        let path = dir.path().join("gatehouse.toml");
        std::fs::write(&path, config).expect("write config");
        let log_file = std::fs::File::create(dir.path().join("gatehouse.log")).expect("log file");
        let mut command = Command::new(BIN);
        command
            .arg("--config")
            .arg(&path)
            .env("GATEHOUSE_LOG", "info")
            .env("XDG_RUNTIME_DIR", dir.path())
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().expect("log file"))
            .stderr(log_file);
        for (k, v) in env {
            command.env(k, v);
        }
        let child = command.spawn().expect("spawn gatehouse");
        let mut instance = Self {
            child,
            dir,
            port,
            admin_port,
        };
        instance.wait_ready()?;
        Ok(instance)
    }

    pub fn localise(config: &str, port: u16, admin_port: u16, dir: &Path) -> String {
        // Each instance keeps its state in its own directory, never the repository's var/.
        let mut config = config
            .replace("127.0.0.1:9778", &format!("127.0.0.1:{port}"))
            .replace("127.0.0.1:9779", &format!("127.0.0.1:{admin_port}"))
            .replace("[state]\npath = \"../var\"", "[state]\npath = \"var\"");
        if !config.contains("\n[server]") {
            config.push_str(&format!(
                "\n[server]\nthreads = 2\ngrace_period = \"0s\"\nshutdown_timeout = \"1s\"\n# Tests reload by signal, deterministically; one test turns watching on.\nwatch_interval = \"0s\"\npid_file = \"{}\"\nupgrade_sock = \"{}\"\n",
                dir.join("gatehouse.pid").display(),
                dir.join("upgrade.sock").display()
            ));
        }
        config
    }

    /// Waits for `/readyz`; the reason and the instance's log if it never comes.
    fn wait_ready(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!(
                    "gatehouse exited during start-up ({status}):\n{}",
                    self.log()
                ));
            }
            if let Ok(response) = raw_get(self.admin_addr(), "/readyz") {
                if response.status == 200 {
                    return Ok(());
                }
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        Err(format!("gatehouse not ready after 30 s:\n{}", self.log()))
    }

    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    /// `kill -9`, then a new process on the same directory, config and ports: what
    /// survives is what was on disk.
    pub fn kill_and_restart(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let log_file = std::fs::OpenOptions::new()
            .append(true)
            .open(self.dir.path().join("gatehouse.log"))
            .expect("log file");
        self.child = Command::new(BIN)
            .arg("--config")
            .arg(self.config_path())
            .env("GATEHOUSE_LOG", "info")
            .env("XDG_RUNTIME_DIR", self.dir.path())
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().expect("log file"))
            .stderr(log_file)
            .spawn()
            .expect("spawn gatehouse");
        if let Err(log) = self.wait_ready() {
            panic!("gatehouse did not restart:\n{log}");
        }
    }

    pub fn config_path(&self) -> std::path::PathBuf {
        self.dir.path().join("gatehouse.toml")
    }

    /// The instance's own directory (its config, log and `var/` state).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn admin_addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.admin_port))
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// Replaces the running instance's configuration file (same ports), for reloads.
    pub fn rewrite_config(&self, config: &str) {
        let config = Self::localise(config, self.port, self.admin_port, self.dir.path());
        std::fs::write(self.dir.path().join("gatehouse.toml"), config).expect("rewrite config");
    }

    /// Sends a signal by name (`HUP`, `TERM`, ...) to the instance.
    pub fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .arg(format!("-{name}"))
            .arg(self.child.id().to_string())
            .status();
        assert!(status.is_ok_and(|s| s.success()), "kill -{name} failed");
    }

    /// Waits up to `limit` for the process to exit on its own; its status if it did.
    pub fn wait_exit(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        None
    }

    /// Polls a metric until it reaches `value`, for at most 10 s.
    pub fn wait_for_metric(&self, series: &str, value: f64) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if self.metric(series) == value {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!(
            "{series} never reached {value} (now {}):\n{}",
            self.metric(series),
            self.log()
        );
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("gatehouse.log")).unwrap_or_default()
    }

    /// A request on the proxy port with ureq, a real HTTP client.
    pub fn request(&self, method: &str, path: &str, headers: &[(&str, &str)]) -> Response {
        send(&self.url(path), method, headers, None)
    }

    pub fn get(&self, path: &str, headers: &[(&str, &str)]) -> Response {
        self.request("GET", path, headers)
    }

    /// The value of a metric line (exact name with labels), 0 if absent.
    pub fn metric(&self, series: &str) -> f64 {
        let body = raw_get(self.admin_addr(), "/metrics")
            .map(|r| r.body)
            .unwrap_or_default();
        let text = String::from_utf8_lossy(&body);
        text.lines()
            .find_map(|line| {
                line.strip_prefix(series)
                    .and_then(|rest| rest.strip_prefix(' '))
            })
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0.0)
    }
}

impl Drop for Gatehouse {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            eprintln!("--- gatehouse log ---\n{}", self.log());
        }
    }
}

#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn header_all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", String::from_utf8_lossy(&self.body)))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The echo upstream's view of one forwarded header's values.
    pub fn echoed(&self, header: &str) -> Vec<String> {
        let json = self.json();
        json["headers"][header.to_ascii_lowercase()]
            .as_array()
            .map(|values| {
                values
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }
}

pub fn send(url: &str, method: &str, headers: &[(&str, &str)], body: Option<&[u8]>) -> Response {
    let agent = ureq::AgentBuilder::new()
        .timeout(Duration::from_secs(20))
        .redirects(0)
        .build();
    let mut request = agent.request(method, url);
    for (name, value) in headers {
        request = request.set(name, value);
    }
    let result = match body {
        Some(body) => request.send_bytes(body),
        None => request.call(),
    };
    let response = match result {
        Ok(response) => response,
        Err(ureq::Error::Status(_, response)) => response,
        Err(e) => panic!("{method} {url}: {e}"),
    };
    let status = response.status();
    let mut names = response.headers_names();
    names.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
    let mut seen = std::collections::HashSet::new();
    names.retain(|n| seen.insert(n.to_ascii_lowercase()));
    let headers = names
        .iter()
        .flat_map(|name| {
            response
                .all(name)
                .into_iter()
                .map(move |v| (name.clone(), v.to_owned()))
        })
        .collect();
    let mut body = Vec::new();
    let _ = response
        .into_reader()
        .take(16 * 1024 * 1024)
        .read_to_end(&mut body);
    Response {
        status,
        headers,
        body,
    }
}

/// A minimal HTTP/1.1 GET over a raw socket (for the admin port during start-up, and for
/// requests that a well-behaved client library would refuse to send).
pub fn raw_get(addr: SocketAddr, path: &str) -> std::io::Result<Response> {
    raw_request(
        addr,
        format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").as_bytes(),
    )
}

/// Sends `bytes` as they are and reads until the server closes the connection.
pub fn raw_request(addr: SocketAddr, bytes: &[u8]) -> std::io::Result<Response> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(2))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    stream.write_all(bytes)?;
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    parse_response(&raw).ok_or_else(|| {
        std::io::Error::other(format!(
            "unparsable response: {:?}",
            String::from_utf8_lossy(&raw)
        ))
    })
}

fn parse_response(raw: &[u8]) -> Option<Response> {
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&raw[..end]).ok()?;
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let mut body = raw[end + 4..].to_vec();
    if let Some((_, len)) = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
    {
        if let Ok(len) = len.parse::<usize>() {
            body.truncate(len);
        }
    }
    Some(Response {
        status,
        headers,
        body,
    })
}

/// Runs `gatehouse` with arguments (and optional stdin), returning (exit code, stdout, stderr).
pub fn run_cli(args: &[&str], stdin: Option<&str>) -> (i32, String, String) {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn gatehouse");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            .expect("write stdin");
    }
    drop(child.stdin.take());
    let output = child.wait_with_output().expect("gatehouse output");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Runs `gatehouse` with arguments and environment variables, no stdin, within 30 s:
/// (exit code, stdout, stderr).
pub fn run_cli_env(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let mut command = Command::new(BIN);
    command.args(args);
    for (name, value) in env {
        command.env(name, value);
    }
    let output = output_within(&mut command, Duration::from_secs(30)).expect("run gatehouse");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// The environment the shipped example configurations name their secrets in, with
/// placeholders (as `.ci/run` checks them): the database at a closed port is reported
/// as not checked, not as an error.
pub const EXAMPLE_ENV: [(&str, &str); 3] = [
    ("DATABASE_URL", "postgres://gatehouse@127.0.0.1:1/unchecked"),
    (
        "SIMPLEJWT_SIGNING_KEY",
        "placeholder-placeholder-placeholder",
    ),
    ("DRF_JWT_SECRET_KEY", "placeholder-placeholder-placeholder"),
];

/// A gatehouse token for `user`, signed with the demo configuration's key.
pub fn demo_token(user: &str) -> String {
    let (code, stdout, stderr) = run_cli(
        &["token", "--config", "config/gatehouse.toml", "--user", user],
        None,
    );
    assert_eq!(code, 0, "gatehouse token --user {user}: {stderr}");
    stdout.trim().to_owned()
}

pub fn basic(user: &str, password: &str) -> String {
    use base64::Engine as _;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
    )
}

/// A simplejwt login of the demo's admin (`admin@admin.com`): (refresh, access).
pub fn simplejwt_login(gh: &Gatehouse) -> (String, String) {
    let r = send(
        &gh.url("/token/"),
        "POST",
        &[("Content-Type", "application/json")],
        Some(br#"{"email": "admin@admin.com", "password": "masterkey"}"#),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let body = r.json();
    (
        body["refresh"].as_str().expect("refresh").to_owned(),
        body["access"].as_str().expect("access").to_owned(),
    )
}

/// A JWT's payload as JSON (no signature check: the tests' own tokens).
pub fn jwt_claims(token: &str) -> serde_json::Value {
    use base64::Engine as _;
    let payload = token.split('.').nth(1).expect("a JWT has a payload");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .expect("base64url payload");
    serde_json::from_slice(&bytes).expect("JSON payload")
}

/// The demo configuration on free ports, written into `dir` (for runs that are expected
/// not to start); its path.
pub fn demo_config_in(dir: &Path) -> std::path::PathBuf {
    let config = Gatehouse::localise(&demo_config(), free_port(), free_port(), dir);
    let path = dir.join("gatehouse.toml");
    std::fs::write(&path, config).expect("write config");
    path
}

/// Runs `command` to its end with stdout and stderr captured and no stdin, in a process
/// group of its own. Past `limit`, the whole group (the command and anything it started)
/// is killed, by its id, and the error says so with what the command had printed.
/// Failing to start it at all (`ErrorKind::NotFound` for a missing program) is returned
/// as it is, so that the caller can say what to install.
pub fn output_within(command: &mut Command, limit: Duration) -> std::io::Result<Output> {
    use std::os::unix::process::CommandExt;
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()?;
    // Read both pipes while waiting: a command that fills one would otherwise block.
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break Some(status);
        }
        if Instant::now() >= deadline {
            // The group's id is the child's: process_group(0) made it the leader.
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", child.id())])
                .status();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let stdout = stdout.join().unwrap_or_default();
    let stderr = stderr.join().unwrap_or_default();
    match status {
        Some(status) => Ok(Output {
            status,
            stdout,
            stderr,
        }),
        None => Err(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            format!(
                "{command:?} did not finish within {limit:?}, and was killed; it printed:\n{}{}",
                String::from_utf8_lossy(&stdout),
                String::from_utf8_lossy(&stderr)
            ),
        )),
    }
}

/// Reads a child's pipe to its end on a thread of its own.
fn drain<R: Read + Send + 'static>(pipe: Option<R>) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut bytes);
        }
        bytes
    })
}

/// Sends SIGTERM to `child` and waits up to 10 s for it to exit; past that it is killed
/// (and reaped) and the `Err` says so, for the caller to fail the test with its log.
pub fn terminate(mut child: Child) -> Result<(), String> {
    let _ = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status();
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    Err(format!(
        "(pid {}) did not exit within 10 s of SIGTERM",
        child.id()
    ))
}

/// Builds (or reuses) a Python venv with a setup script of tests/integration (which
/// prints its python's path last on stdout) and returns that path; `Err` with the
/// script's output and what needs it when it fails.
pub fn python_venv(
    script: &str,
    args: &[&Path],
    needed_by: &str,
) -> Result<std::path::PathBuf, String> {
    // Up to 300 s waiting for another process's build (the scripts' flock), then its own.
    const SETUP_DEADLINE: Duration = Duration::from_secs(420);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // The target directory this test binary was built in (CARGO_TARGET_TMPDIR is its
    // tmp/), so that a --target-dir build keeps its venv there too.
    let target = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("CARGO_TARGET_TMPDIR has a parent");
    let mut command = Command::new("bash");
    command
        .arg(root.join(script))
        .args(args)
        .env("CARGO_TARGET_DIR", target)
        .current_dir(root);
    let output =
        output_within(&mut command, SETUP_DEADLINE).map_err(|e| format!("{script}: {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        return Err(format!(
            "{script} failed ({}): {needed_by} need its venv (Python >= 3.11, PyPI for the \
             first build):\n{stderr}{stdout}",
            output.status
        ));
    }
    let python = std::path::PathBuf::from(stdout.lines().last().unwrap_or_default().trim());
    if !python.is_file() {
        return Err(format!(
            "{script} printed {python:?}, which is not a file:\n{stderr}{stdout}"
        ));
    }
    if !stderr.trim().is_empty() {
        // What it built, and how long that took.
        eprintln!("{stderr}");
    }
    Ok(python)
}

/// Now, in Unix seconds (for the `exp` of tokens made in tests).
pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("the clock is after 1970")
        .as_secs()
}
