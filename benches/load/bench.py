#!/usr/bin/env python3
"""gatehouse load benchmark: the driver behind benches/load/run.sh.

Starts, on loopback only, an upstream (nginx `return 200`), the peers (nginx plain proxy,
HAProxy 2.6 jwt_verify, nginx auth_request) and gatehouse instances; runs wrk against each
scenario in alternating rounds with the proxy under test pinned to one core and wrk plus
the upstream to the other; measures req/s, p50, p99 and the proxy's own CPU per request
from /proc; rejects rounds in which processes outside the benchmark used the CPU; writes a
Markdown report and a PNG chart. Every request loop is bounded by wrk's -d and by
MAX_TOTAL_SECS. Read benches/load/README.md first.

It is run by hand, never in CI. Settings come from the environment (see SETTINGS below).
"""

from __future__ import annotations

import base64
import http.client
import datetime as _dt
import hmac
import json
import os
import platform
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
import urllib.error
import urllib.request
from dataclasses import dataclass, field

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
CLK_TCK = os.sysconf("SC_CLK_TCK")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name, "")
    return float(value) if value.strip() else default


QUICK = os.environ.get("QUICK", "") not in ("", "0")
IS_ROOT = os.geteuid() == 0

# SETTINGS (environment variables; the defaults in brackets are for a full run / QUICK=1)
ROUND_SECS = env_int("ROUND_SECS", 3 if QUICK else 10)          # wrk -d per round
ROUNDS = env_int("ROUNDS", 1 if QUICK else 3)                   # alternating rounds
WARMUP_SECS = env_int("WARMUP_SECS", 1 if QUICK else 2)         # unmeasured, per scenario
CONNECTIONS = env_int("CONNECTIONS", 32)                        # wrk -c
WRK_THREADS = env_int("WRK_THREADS", 1)                         # wrk -t
PROXY_CORE = env_int("PROXY_CORE", 0)
CLIENT_CORE = env_int("CLIENT_CORE", 1)
NICE = env_int("NICE", -10 if IS_ROOT else 0)                   # priority of every bench process
OTHER_CPU_MAX = env_float("OTHER_CPU_MAX", 0.05)                # of one core, per round
MAX_TRIES = env_int("MAX_TRIES", 2 if QUICK else 4)             # per round slot
QUIET_WAIT_SECS = env_int("QUIET_WAIT_SECS", 10 if QUICK else 60)
MAX_TOTAL_SECS = env_int("MAX_TOTAL_SECS", 600 if QUICK else 3600)
PRESSURE = os.environ.get("PRESSURE", "1") not in ("", "0")
PRESSURE_CLIENTS = env_int("PRESSURE_CLIENTS", 8)
MEMORY = os.environ.get("MEMORY", "1") not in ("", "0")
VARIANTS = os.environ.get("VARIANTS", "1") not in ("", "0")     # gatehouse config variants
MEMORY_TOKENS = env_int("MEMORY_TOKENS", 50_000 if QUICK else 1_000_000)
MEMORY_MAX_SECS = env_int("MEMORY_MAX_SECS", 60 if QUICK else 300)
BURST_MAX_TOKENS = env_int("BURST_MAX_TOKENS", 2_000_000)
REVOCATIONS = os.environ.get("REVOCATIONS", "1") not in ("", "0")  # the revocations scenario
REVOKED_JTIS = env_int("REVOKED_JTIS", 9_000)                  # jti revocations pre-loaded
REVOKED_USERS = env_int("REVOKED_USERS", 1_000)                # user revocations pre-loaded
REVOKE_MAX_SECS = env_int("REVOKE_MAX_SECS", 300)              # bound on loading (or lifting) them
AB_SETTLE_SECS = env_int("AB_SETTLE_SECS", 2)                  # unmeasured load after each load/lift
AB_ID, AB_NONE, AB_LIVE = "gh_revoked_ab", "gh_revoked_ab_none", "gh_revoked_ab_live"
USER_DATABASE = os.environ.get("USER_DATABASE", "1") not in ("", "0")  # the PostgreSQL scenarios
LOGIN_USERS = env_int("LOGIN_USERS", 20_000 if QUICK else 60_000)  # distinct login users, each kind
LOGIN_HASH_ITERATIONS = env_int("LOGIN_HASH_ITERATIONS", 1_000)   # their pbkdf2_sha256 cost
LOGIN_CONNECTIONS = env_int("LOGIN_CONNECTIONS", 1)            # wrk -c of the login scenarios
DB_CACHE_TTL = os.environ.get("DB_CACHE_TTL", "").strip()        # "" = gatehouse's default (30 s)
PG_CORE = env_int("PG_CORE", PROXY_CORE)
PG_START_SECS = env_int("PG_START_SECS", 30)                    # initdb, start, load: each bounded
HTTP2 = os.environ.get("HTTP2", "1") not in ("", "0")             # the h2c (h2load) scenarios
H2_CLIENTS = env_int("H2_CLIENTS", 4)                           # h2load -c over h2c
H2_STREAMS = env_int("H2_STREAMS", 8)                           # h2load -m over h2c (streams per connection)
H2LOAD_WARMUP_SECS = env_int("H2LOAD_WARMUP_SECS", 1)           # h2load --warm-up-time, unmeasured, per round
DECISION_ID = "nginx_auth_request_decision"   # nginx auth_request -> gatehouse's decision endpoint
H2_SCENARIOS = ("gh_h2c_bearer", "gh_bearer_h2load", "haproxy_h2c_jwt", "haproxy_jwt_h2load")
DB_SCENARIOS = ("db_bearer", "db_inline_bearer", "db_basic", "db_inline_basic", "login_inline", "login_db")
ONLY = [s for s in os.environ.get("SCENARIOS", "").split(",") if s.strip()]
GATEHOUSE_BIN = os.environ.get("GATEHOUSE_BIN", os.path.join(ROOT, "target", "release", "gatehouse"))
DEMO_CONFIG = os.path.join(ROOT, "config", "gatehouse.toml")
WORKDIR = os.environ.get("LOADBENCH_WORKDIR") or "/tmp/loadbench-run"
RESULTS_DIR = os.environ.get("RESULTS_DIR") or (
    "/tmp/loadbench-quick-results" if QUICK else os.path.join(HERE, "results")
)
PYTHON_DEADLINE = time.monotonic() + MAX_TOTAL_SECS


def log(msg: str) -> None:
    print(f"[loadbench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def die(msg: str) -> None:
    log("error: " + msg)
    raise SystemExit(1)


# ---------------------------------------------------------------------------------------
# Processes
# ---------------------------------------------------------------------------------------

def pinned(core: int, argv: list[str]) -> list[str]:
    """taskset pins, nice raises priority; both exec, so the pid is the program's own."""
    out = ["taskset", "-c", str(core)]
    if NICE:
        out += ["nice", "-n", str(NICE)]
    return out + argv


def proc_stat_ticks(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat") as f:
            data = f.read()
    except OSError:
        return None
    fields = data[data.rindex(")") + 2:].split()
    # fields[0] is field 3 (state); utime is field 14, stime field 15.
    return int(fields[11]) + int(fields[12])


def children_map() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                data = f.read()
        except OSError:
            continue
        ppid = int(data[data.rindex(")") + 2:].split()[1])
        kids.setdefault(ppid, []).append(int(entry))
    return kids


def rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class Proc:
    """A long-running server of the benchmark: its whole process tree is accounted."""

    registry: list["Proc"] = []

    def __init__(self, name: str, argv: list[str], core: int, env: dict | None = None,
                 stdout_devnull: bool = False):
        self.name = name
        self.core = core
        self.log_path = os.path.join(WORKDIR, f"{name}.log")
        self.logf = open(self.log_path, "wb")
        self.popen = subprocess.Popen(
            pinned(core, argv), stdout=subprocess.DEVNULL if stdout_devnull else self.logf,
            stderr=self.logf,
            stdin=subprocess.DEVNULL, start_new_session=True, env=env,
        )
        Proc.registry.append(self)
        with open(os.path.join(WORKDIR, "pids"), "a") as f:
            f.write(f"{self.popen.pid}\n")

    def pids(self) -> list[int]:
        kids = children_map()
        out, todo = [], [self.popen.pid]
        while todo:
            pid = todo.pop()
            out.append(pid)
            todo.extend(kids.get(pid, []))
        return out

    def ticks(self) -> int:
        return sum(proc_stat_ticks(p) or 0 for p in self.pids())

    def rss_kb(self) -> int:
        return sum(rss_kb(p) for p in self.pids())

    def alive(self) -> bool:
        return self.popen.poll() is None

    def stop(self) -> None:
        if self.popen.poll() is None:
            try:
                os.killpg(self.popen.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.popen.wait(timeout=5)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.popen.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.popen.wait(timeout=5)
        self.logf.close()
        if self in Proc.registry:
            Proc.registry.remove(self)

    def tail(self, n: int = 20) -> str:
        try:
            with open(self.log_path, "rb") as f:
                return b"\n".join(f.read().splitlines()[-n:]).decode(errors="replace")
        except OSError:
            return ""


def stop_all() -> None:
    for p in list(reversed(Proc.registry)):
        try:
            p.stop()
        except Exception as e:  # keep stopping the others
            log(f"stopping {p.name}: {e}")


def free_ports(n: int) -> list[int]:
    socks = []
    for _ in range(n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        socks.append(s)
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


def http_get(url: str, headers: dict | None = None, timeout: float = 2.0) -> tuple[int, dict, bytes]:
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def wait_http(url: str, proc: Proc, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not proc.alive():
            die(f"{proc.name} exited at start:\n{proc.tail()}")
        try:
            http_get(url, timeout=1.0)
            return
        except (OSError, urllib.error.URLError):
            time.sleep(0.1)
    die(f"{proc.name} did not answer {url} within {timeout:.0f}s:\n{proc.tail()}")


# ---------------------------------------------------------------------------------------
# Configurations
# ---------------------------------------------------------------------------------------

def toml_set(text: str, section: str, key: str, value: str) -> str:
    """Sets `key = value` (a TOML literal) in table [section] of a config kept as text,
    so the demo file's comments and order survive. Adds the key or the table if absent."""
    lines = text.splitlines()
    current, header_at, done = None, None, False
    header_re = re.compile(r"^\s*\[(\[?)([^\]]+)\]\]?\s*(#.*)?$")
    for i, line in enumerate(lines):
        m = header_re.match(line)
        if m:
            current = None if m.group(1) else m.group(2).strip()
            if current == section:
                header_at = i
            continue
        if current == section and re.match(rf"^\s*{re.escape(key)}\s*=", line):
            lines[i] = f"{key} = {value}"
            done = True
    if not done:
        if header_at is not None:
            lines.insert(header_at + 1, f"{key} = {value}")
        else:
            lines += ["", f"[{section}]", f"{key} = {value}"]
    return "\n".join(lines) + "\n"


@dataclass
class GatehouseInstance:
    name: str
    port: int
    admin: int
    config: str
    proc: Proc | None = None
    access_log: str = "off"
    database: bool = False          # has a [user_database]

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def metrics(self) -> dict[str, float]:
        _, _, body = http_get(f"http://127.0.0.1:{self.admin}/metrics", timeout=5)
        out = {}
        for line in body.decode().splitlines():
            if line.startswith("gatehouse_") and " " in line:
                k, v = line.rsplit(" ", 1)
                try:
                    out[k] = float(v)
                except ValueError:
                    pass
        return out


def toml_set_top(text: str, key: str, value: str) -> str:
    """Sets a top-level `key = value`: before the first table header, where TOML wants it."""
    lines = text.splitlines()
    header_re = re.compile(r"^\s*\[")
    first_table = next((i for i, line in enumerate(lines) if header_re.match(line)), len(lines))
    for i in range(first_table):
        if re.match(rf"^\s*{re.escape(key)}\s*=", lines[i]):
            lines[i] = f"{key} = {value}"
            break
    else:
        at = first_table  # above the comment that introduces the first table
        while at > 0 and lines[at - 1].lstrip().startswith("#"):
            at -= 1
        lines[at:at] = [f"{key} = {value}", ""]
    return "\n".join(lines) + "\n"


def drop_array_tables(text: str, name: str) -> str:
    """Removes every `[[name]]` table (its header and its keys, up to the next header)."""
    out, skipping = [], False
    header_re = re.compile(r"^\s*\[")
    for line in text.splitlines():
        if header_re.match(line):
            skipping = line.strip() == f"[[{name}]]"
        if not skipping:
            out.append(line)
    return "\n".join(out) + "\n"


def write_gatehouse_config(name: str, upstream_port: int, *, threads: int = 1,
                           cache_capacity: int | None = None, rate_limit: bool = True,
                           work_stealing: bool | None = None,
                           access_log: str = "off",
                           users_file: str | None = None,
                           inline_demo_users: bool = True,
                           user_database: dict[str, str] | None = None,
                           h2c: bool = False,
                           upstream_address: str | None = None,
                           decision_trusted_peers: list[str] | None = None) -> GatehouseInstance:
    port, admin = free_ports(2)
    with open(DEMO_CONFIG) as f:
        text = f.read()
    d = os.path.join(WORKDIR, name)
    os.makedirs(d, exist_ok=True)
    if not inline_demo_users:
        # The demo's users come from the user database instead: configured users would win
        # over the database's users of the same name.
        text = drop_array_tables(text, "users")
    for key, value in (user_database or {}).items():
        text = toml_set(text, "user_database", key, value)
    # Each instance its own state store (SQLite file) in its own directory of the work
    # directory. The demo's `path = "../var"` is relative to the config file, so every
    # instance would otherwise share one store (and so one set of revocations, mirrored
    # by each), and a config not written beside the others would reach out of the work
    # directory.
    text = toml_set(text, "state", "path", json.dumps(os.path.join(d, "state")))
    if users_file is not None:
        # More users beside the demo's inline ones (the revocations scenario's).
        text = toml_set_top(text, "users_file", json.dumps(users_file))
    text = toml_set(text, "listen", "address", f'"127.0.0.1:{port}"')
    if h2c:
        # HTTP/2 with prior knowledge (h2c) beside HTTP/1.1 on the plaintext listener.
        text = toml_set(text, "listen", "h2c", "true")
    text = toml_set(text, "admin", "address", f'"127.0.0.1:{admin}"')
    # `upstream_address` (a string, e.g. "none": decision-only mode) replaces the port.
    text = toml_set(text, "upstream", "address",
                    json.dumps(upstream_address) if upstream_address is not None
                    else f'"127.0.0.1:{upstream_port}"')
    if decision_trusted_peers is not None:
        # The decision endpoint (default prefix /.gatehouse/decision), believing the
        # X-Original-*/X-Forwarded-* headers of these peers only.
        text = toml_set(text, "decision", "trusted_peers", json.dumps(decision_trusted_peers))
    text = toml_set(text, "server", "threads", str(threads))
    if work_stealing is not None:
        text = toml_set(text, "server", "work_stealing", "true" if work_stealing else "false")
    text = toml_set(text, "server", "grace_period", '"0s"')
    text = toml_set(text, "server", "shutdown_timeout", '"1s"')
    text = toml_set(text, "server", "pid_file", json.dumps(os.path.join(d, "gatehouse.pid")))
    text = toml_set(text, "server", "upgrade_sock", json.dumps(os.path.join(d, "upgrade.sock")))
    # No access log for any proxy of the benchmark (nginx and HAProxy log nothing either).
    text = toml_set(text, "log", "access", json.dumps(access_log))
    if cache_capacity is not None:
        text = toml_set(text, "auth", "cache_capacity", str(cache_capacity))
    if not rate_limit:
        text = toml_set(text, "auth.rate_limit", "enabled", "false")
    path = os.path.join(d, "gatehouse.toml")
    with open(path, "w") as f:
        f.write(text)
    check = subprocess.run([GATEHOUSE_BIN, "check", "--config", path],
                           capture_output=True, text=True)
    if check.returncode != 0:
        die(f"gatehouse check refused the bench config {path}:\n{check.stdout}{check.stderr}")
    return GatehouseInstance(name, port, admin, path, access_log=access_log,
                             database=user_database is not None)


def start_gatehouse(gh: GatehouseInstance) -> GatehouseInstance:
    env = dict(os.environ, GATEHOUSE_LOG=os.environ.get("GATEHOUSE_LOG", "warn"))
    # An access log, when on, goes to /dev/null: its formatting and write(2) are what we
    # measure, not the disk.
    gh.proc = Proc(gh.name, [GATEHOUSE_BIN, "--config", gh.config], PROXY_CORE, env=env,
                   stdout_devnull=gh.access_log != "off")
    wait_http(f"http://127.0.0.1:{gh.admin}/healthz", gh.proc)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if http_get(f"http://127.0.0.1:{gh.admin}/readyz")[0] == 200:
                return gh
        except OSError:
            pass
        time.sleep(0.1)
    die(f"{gh.name} never became ready:\n{gh.proc.tail()}")
    return gh


REVOKED_USER_PREFIX = "revoked-user-"


def write_revoked_users(name: str, n: int) -> str:
    """A users file of n users, `revoked-user-0000`..., for the revocations scenario: the
    admin API revokes only users the configuration knows. Each has the argon2id hash
    (`gatehouse hash-password`) of a random password nobody keeps, read from one file so
    that gatehouse does not warn about a thousand inline secrets."""
    d = os.path.join(WORKDIR, name)
    os.makedirs(d, exist_ok=True)
    hashed = subprocess.run([GATEHOUSE_BIN, "hash-password"], input=secrets.token_urlsafe(24) + "\n",
                            capture_output=True, text=True, timeout=60)
    if hashed.returncode != 0 or not hashed.stdout.strip().startswith("$argon2"):
        die(f"gatehouse hash-password failed:\n{hashed.stdout}{hashed.stderr}")
    with open(os.path.join(d, "revoked-users.hash"), "w") as f:
        f.write(hashed.stdout.strip() + "\n")
    path = os.path.join(d, "revoked-users.toml")
    with open(path, "w") as f:
        for i in range(n):
            f.write(f'[[users]]\nusername = "{REVOKED_USER_PREFIX}{i:04d}"\n'
                    f'password_hash_file = "revoked-users.hash"\nroles = ["user"]\n\n')
    return path


def admin_calls(gh: GatehouseInstance, calls: list[tuple[str, str, str | None]], want: int,
                what: str) -> tuple[float, int]:
    """Sends `calls` ((method, path, JSON body or None)) to gh's admin API from loopback over
    one keep-alive connection, in order, within REVOKE_MAX_SECS; every answer must be `want`.
    Returns (seconds taken, reconnects)."""
    deadline = time.monotonic() + REVOKE_MAX_SECS
    t0 = time.monotonic()
    conn, reconnects = None, 0
    for i, (method, path, body) in enumerate(calls):
        if time.monotonic() > deadline:
            die(f"{gh.name}: {what} took over REVOKE_MAX_SECS={REVOKE_MAX_SECS}s "
                f"({i:,} of {len(calls):,} done)")
        for attempt in range(2):
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", gh.admin, timeout=10)
            try:
                conn.request(method, path, body,
                             {"Content-Type": "application/json"} if body is not None else {})
                resp = conn.getresponse()
                answer = resp.read()
                if resp.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn, reconnects = None, reconnects + 1
                break
            except (OSError, http.client.HTTPException):
                if conn:
                    conn.close()
                conn, reconnects = None, reconnects + 1
                if attempt:
                    raise
        if resp.status != want:
            die(f"{gh.name}: {method} {path} {body or ''} answered {resp.status}, not {want}: {answer[:300]!r}")
    if conn:
        conn.close()
    return time.monotonic() - t0, reconnects


def load_revocations(gh: GatehouseInstance, jtis: int, users: int,
                     jti_ids: list[str] | None = None) -> dict:
    """Revokes `jtis` random token ids (or the given `jti_ids`) and `users` users through
    gatehouse's own admin API (`POST /revocations` from loopback, one keep-alive
    connection), each to expire a day from now so that none lapses during the run.
    Returns what it took."""
    expires_at = int(time.time()) + 86_400
    if jti_ids is None:
        jti_ids = [secrets.token_hex(16) for _ in range(jtis)]
    calls = [("POST", "/revocations", json.dumps({"jti": jti, "expires_at": expires_at})) for jti in jti_ids]
    calls += [("POST", "/revocations", json.dumps({"user": f"{REVOKED_USER_PREFIX}{i:04d}",
                                                   "expires_at": expires_at}))
              for i in range(users)]
    took, reconnects = admin_calls(gh, calls, 201, "loading revocations")
    return {"jtis": len(jti_ids), "users": users, "secs": took,
            "per_sec": len(calls) / took if took else 0,
            "reconnects": reconnects, "expires_at": expires_at,
            "sample_jti": jti_ids[0] if jti_ids else None, "jti_ids": jti_ids}


def lift_revocations(gh: GatehouseInstance, jti_ids: list[str], users: int) -> dict:
    """Lifts what load_revocations revoked: `DELETE /revocations/jti/<id>` and
    `/revocations/user/<name>` (204 each) over one keep-alive connection."""
    calls = [("DELETE", f"/revocations/jti/{jti}", None) for jti in jti_ids]
    calls += [("DELETE", f"/revocations/user/{REVOKED_USER_PREFIX}{i:04d}", None) for i in range(users)]
    took, reconnects = admin_calls(gh, calls, 204, "lifting revocations")
    return {"jtis": len(jti_ids), "users": users, "secs": took,
            "per_sec": len(calls) / took if took else 0, "reconnects": reconnects}


# ---------------------------------------------------------------------------------------
# PostgreSQL (the user database scenarios)
# ---------------------------------------------------------------------------------------

def pg_bin_dir() -> str | None:
    """The directory of `initdb` and `postgres`: on PATH, else the newest
    /usr/lib/postgresql/<version>/bin (Debian keeps them off PATH)."""
    def complete(d: str) -> bool:
        return all(os.path.isfile(os.path.join(d, b)) for b in ("initdb", "postgres", "psql"))
    initdb = shutil.which("initdb")
    if initdb and complete(os.path.dirname(os.path.realpath(initdb))):
        return os.path.dirname(os.path.realpath(initdb))
    try:
        versions = sorted((int(v), os.path.join("/usr/lib/postgresql", v, "bin"))
                          for v in os.listdir("/usr/lib/postgresql") if v.isdigit())
    except OSError:
        return None
    found = [d for _, d in versions if complete(d)]
    return found[-1] if found else None


def proc_ppid_state(pid: int) -> tuple[int, str] | None:
    try:
        with open(f"/proc/{pid}/stat") as f:
            data = f.read()
    except OSError:
        return None
    fields = data[data.rindex(")") + 2:].split()
    return int(fields[1]), fields[0]


class PostmasterProc(Proc):
    """The postmaster of the benchmark's cluster. Stopped by PID, never by process group:
    PostgreSQL's backends call setsid, so a group signal would miss them, and SIGTERM is a
    "smart" shutdown that waits for clients. SIGINT (fast shutdown: clients disconnected,
    a shutdown checkpoint) to the postmaster; if it has not exited within 10 s, SIGKILL to
    every process it forked (listed by parent PID) and to it."""

    def stop(self) -> None:
        pid = self.popen.pid
        if self.popen.poll() is None:
            try:
                os.kill(pid, signal.SIGINT)
            except ProcessLookupError:
                pass
            try:
                self.popen.wait(timeout=10)
            except subprocess.TimeoutExpired:
                kids = [p for p in children_map().get(pid, [])]
                for p in kids + [pid]:
                    try:
                        os.kill(p, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                self.popen.wait(timeout=10)
        # Its forked processes exit with it (postmaster death); wait briefly for them.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(
                (st := proc_ppid_state(p)) and st[0] == pid for p in children_map().get(pid, [])):
            time.sleep(0.05)
        self.logf.close()
        if self in Proc.registry:
            Proc.registry.remove(self)
        try:
            os.remove(os.path.join(WORKDIR, "postgres.pid"))
        except OSError:
            pass


class Postgres:
    """A throwaway PostgreSQL cluster in the work directory: `initdb` into
    <workdir>/postgres/data, the `postgres` binary run directly (no pg_ctl, no daemon) so
    the child the harness holds is the postmaster, listening on a free port of 127.0.0.1
    only, its unix socket in <workdir>/postgres/socket. initdb refuses root: as root the
    cluster belongs to the `postgres` system user, and initdb/postgres run through setpriv
    (which execs, so the PID is still the postmaster's). Its PID is also written to
    <workdir>/postgres.pid so that run.sh's trap can stop it if the harness was killed."""

    SUPERUSER = "postgres"
    USER = "gatehouse"
    DATABASE = "gatehouse"

    def __init__(self) -> None:
        self.bin = pg_bin_dir()
        if not self.bin:
            die("PostgreSQL's initdb/postgres/psql are not installed (run.sh installs Debian's "
                "postgresql); USER_DATABASE=0 skips the user database scenarios")
        self.run_as = self.SUPERUSER if IS_ROOT else None
        self.dir = os.path.join(WORKDIR, "postgres")
        self.data = os.path.join(self.dir, "data")
        self.socket = os.path.join(self.dir, "socket")
        self.password = secrets.token_urlsafe(18)
        self.port = 0
        self.proc: PostmasterProc | None = None
        self.version = cmd_out([os.path.join(self.bin, "postgres"), "--version"])

    def owner(self, argv: list[str]) -> list[str]:
        if not self.run_as:
            return argv
        return ["setpriv", f"--reuid={self.run_as}", f"--regid={self.run_as}", "--init-groups", "--"] + argv

    def initdb(self) -> None:
        os.makedirs(self.socket)
        if self.run_as:
            # The cluster's user must reach its directory inside the (root-owned) work dir.
            os.chmod(WORKDIR, 0o711)
            for d in (self.dir, self.socket):
                shutil.chown(d, self.run_as, self.run_as)
        try:
            r = subprocess.run(self.owner([os.path.join(self.bin, "initdb"), "-D", self.data,
                                           "-U", self.SUPERUSER, "--auth-local=trust",
                                           "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C",
                                           "--no-sync"]),
                               capture_output=True, text=True, timeout=PG_START_SECS * 4, cwd=self.dir)
        except subprocess.TimeoutExpired:
            die(f"initdb took over {PG_START_SECS * 4}s")
        if r.returncode != 0:
            die(f"initdb failed:\n{r.stdout}{r.stderr}")

    def start(self) -> None:
        for attempt in range(1, 4):
            self.port = free_ports(1)[0]
            argv = self.owner([os.path.join(self.bin, "postgres"), "-D", self.data, "-p", str(self.port),
                               "-c", "listen_addresses=127.0.0.1",
                               "-c", f"unix_socket_directories={self.socket}",
                               # Thrown away at the end: no fsync; small; no background
                               # work that the rounds would meet at random (autovacuum;
                               # the tables are analysed once after loading).
                               "-c", "fsync=off", "-c", "shared_buffers=32MB",
                               "-c", "autovacuum=off", "-c", "jit=off", "-c", "max_connections=40",
                               # A crashed child makes the postmaster end the others and exit.
                               "-c", "restart_after_crash=off"])
            self.proc = PostmasterProc("postgres", argv, PG_CORE)
            with open(os.path.join(WORKDIR, "postgres.pid"), "w") as f:
                f.write(f"{self.proc.popen.pid}\n")
            deadline = time.monotonic() + PG_START_SECS
            while time.monotonic() < deadline:
                if not self.proc.alive():
                    break
                if self.ready(self.proc.popen.pid):
                    return
                time.sleep(0.05)
            tail = self.proc.tail(30)
            self.proc.stop()
            if "Address already in use" in tail and attempt < 3:
                log(f"postgres lost a port race on {self.port}; another port")
                continue
            die(f"postgres did not start within {PG_START_SECS}s:\n{tail}")

    def ready(self, pid: int) -> bool:
        """postmaster.pid written by this postmaster, status line `ready`."""
        try:
            with open(os.path.join(self.data, "postmaster.pid")) as f:
                lines = f.read().splitlines()
        except OSError:
            return False
        return len(lines) > 7 and lines[0].strip() == str(pid) and lines[7].strip() == "ready"

    def psql(self, sql: str | None = None, *, file: str | None = None, database: str | None = None,
             timeout: float = 120) -> str:
        """SQL as the superuser over the unix socket, stopping at the first error."""
        argv = [os.path.join(self.bin, "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                "-h", self.socket, "-p", str(self.port), "-U", self.SUPERUSER, "-d", database or self.DATABASE]
        argv += ["-c", sql] if sql is not None else ["-f", file]
        try:
            r = subprocess.run(argv, capture_output=True, text=True, timeout=timeout,
                               env=dict(os.environ, PGCONNECT_TIMEOUT="5"))
        except subprocess.TimeoutExpired:
            die(f"psql took over {timeout:.0f}s")
        if r.returncode != 0:
            die(f"psql failed: {r.stderr.strip()}\n{self.proc.tail() if self.proc else ''}")
        return r.stdout.strip()

    def url(self) -> str:
        return (f"postgres://{self.USER}:{self.password}@127.0.0.1:{self.port}/{self.DATABASE}"
                "?sslmode=disable")


BENCH_PASSWORD = "bench-login-password"
LOGIN_DB_PREFIX, LOGIN_INLINE_PREFIX = "db-login-", "inline-login-"
INLINE_ADMIN = "inline-admin"
# The PostgreSQL user of db_basic: the demo admin's hash and roles under another name than
# db_bearer's `admin`. A verifier entry lives no longer than its user's entry in the user
# database cache, and that entry is shared by every credential of the user: with one user
# for both, db_bearer's lookup (about 20 s before db_basic's round) would set when
# db_basic's freshly primed entry expires, inside the round.
DB_BASIC_ADMIN = "db-basic-admin"


def pbkdf2_hashes(password: str, iterations: int, n: int) -> list[str]:
    """n Django pbkdf2_sha256 hashes of `password` with distinct 22-character salts."""
    import hashlib
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    rnd = random.SystemRandom()
    out = []
    for _ in range(n):
        salt = "".join(rnd.choice(alphabet) for _ in range(22))
        dk = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), iterations, 32)
        out.append(f"pbkdf2_sha256${iterations}${salt}${base64.b64encode(dk).decode()}")
    return out


def django_hash(stored: str) -> str:
    """A demo hash as Django would store it: argon2 behind Django's `argon2` prefix."""
    return "argon2" + stored if stored.startswith("$argon2") else stored


def load_django_users(pg: Postgres, login_hashes: list[str]) -> dict:
    """The Django-shaped tables (auth_user, auth_group, auth_user_groups, with Django
    4.2's columns, constraints and indexes, created with plain SQL), filled with the
    demo config's users (same ids, emails, roles as groups, active flags and hashes) and
    LOGIN_USERS login users `db-login-NNNNN` (group `user`, one of the pbkdf2 hashes
    each). gatehouse's role can only SELECT. Returns what was loaded."""
    with open(DEMO_CONFIG, "rb") as f:
        demo = tomllib.load(f)["users"]
    t0 = time.monotonic()
    pg.psql(f"CREATE ROLE {pg.USER} LOGIN PASSWORD '{pg.password}'", database="postgres")
    pg.psql(f"CREATE DATABASE {pg.DATABASE}", database="postgres")
    groups = sorted({r for u in demo for r in u.get("roles", [])} | {"user"})
    gid = {g: i + 1 for i, g in enumerate(groups)}
    path = os.path.join(pg.dir, "load.sql")
    now = "2026-01-01 00:00:00+00"
    with open(path, "w") as f:
        f.write("""BEGIN;
CREATE TABLE auth_user (
    id integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    password varchar(128) NOT NULL,
    last_login timestamp with time zone NULL,
    is_superuser boolean NOT NULL,
    username varchar(150) NOT NULL UNIQUE,
    first_name varchar(150) NOT NULL,
    last_name varchar(150) NOT NULL,
    email varchar(254) NOT NULL,
    is_staff boolean NOT NULL,
    is_active boolean NOT NULL,
    date_joined timestamp with time zone NOT NULL
);
CREATE INDEX auth_user_username_6821ab7c_like ON auth_user (username varchar_pattern_ops);
CREATE TABLE auth_group (
    id integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    name varchar(150) NOT NULL UNIQUE
);
CREATE TABLE auth_user_groups (
    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    user_id integer NOT NULL REFERENCES auth_user (id) DEFERRABLE INITIALLY DEFERRED,
    group_id integer NOT NULL REFERENCES auth_group (id) DEFERRABLE INITIALLY DEFERRED,
    CONSTRAINT auth_user_groups_user_id_group_id_94350c0c_uniq UNIQUE (user_id, group_id)
);
CREATE INDEX auth_user_groups_user_id_6a12ed8b ON auth_user_groups (user_id);
CREATE INDEX auth_user_groups_group_id_97559544 ON auth_user_groups (group_id);
""")
        f.write("COPY auth_group (id, name) FROM stdin;\n")
        for g in groups:
            f.write(f"{gid[g]}\t{g}\n")
        f.write("\\.\n")
        f.write("COPY auth_user (id, password, is_superuser, username, first_name, last_name, email, "
                "is_staff, is_active, date_joined) FROM stdin;\n")
        links = []
        admin_row = next(u for u in demo if u["username"] == "admin")
        rows = demo + [dict(admin_row, username=DB_BASIC_ADMIN, id=6, email=f"{DB_BASIC_ADMIN}@example.com")]
        for u in rows:
            admin = "admin" in u.get("roles", [])
            f.write(f"{u['id']}\t{django_hash(u['password_hash'])}\t{'t' if admin else 'f'}\t{u['username']}\t\t\t"
                    f"{u.get('email', '')}\t{'t' if admin else 'f'}\t{'t' if u.get('active', True) else 'f'}\t{now}\n")
            links += [(u["id"], gid[r]) for r in u.get("roles", [])]
        first_id = 1001
        for i in range(LOGIN_USERS):
            uid = first_id + i
            name = f"{LOGIN_DB_PREFIX}{i:05d}"
            f.write(f"{uid}\t{login_hashes[i % len(login_hashes)]}\tf\t{name}\t\t\t{name}@example.com\tf\tt\t{now}\n")
            links.append((uid, gid["user"]))
        f.write("\\.\n")
        f.write("COPY auth_user_groups (user_id, group_id) FROM stdin;\n")
        for uid, g in links:
            f.write(f"{uid}\t{g}\n")
        f.write("\\.\n")
        f.write(f"""SELECT setval(pg_get_serial_sequence('auth_user', 'id'), (SELECT max(id) FROM auth_user));
GRANT SELECT ON auth_user, auth_group, auth_user_groups TO {pg.USER};
COMMIT;
ANALYZE;
""")
    pg.psql(file=path, timeout=PG_START_SECS * 4)
    counts = pg.psql("SELECT (SELECT count(*) FROM auth_user) || ' ' || (SELECT count(*) FROM auth_group)"
                     " || ' ' || (SELECT count(*) FROM auth_user_groups)").split()
    return {"users": int(counts[0]), "groups": int(counts[1]), "links": int(counts[2]),
            "secs": time.monotonic() - t0, "demo_users": [u["username"] for u in demo]}


def write_inline_login_users(name: str, admin_hash: str, login_hashes: list[str]) -> str:
    """The users file of the PostgreSQL instance: `inline-admin` (the demo admin's hash
    and roles: the same-process control of the cached scenarios) and LOGIN_USERS login
    users `inline-login-NNNNN`, with the same pbkdf2 hashes as the database's login users."""
    d = os.path.join(WORKDIR, name)
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, "inline-users.toml")
    with open(path, "w") as f:
        f.write(f'[[users]]\nusername = "{INLINE_ADMIN}"\npassword_hash = "{admin_hash}"\n'
                f'id = 901\nemail = "inline-admin@example.com"\nroles = ["admin"]\n\n')
        for i in range(LOGIN_USERS):
            f.write(f'[[users]]\nusername = "{LOGIN_INLINE_PREFIX}{i:05d}"\n'
                    f'password_hash = "{login_hashes[i % len(login_hashes)]}"\n'
                    f'id = {100_001 + i}\nemail = "{LOGIN_INLINE_PREFIX}{i:05d}@example.com"\nroles = ["user"]\n\n')
    return path


def start_user_database(up_port: int) -> tuple[Postgres, GatehouseInstance, dict]:
    """The PostgreSQL cluster, its Django-shaped tables, and `gh_db`: the demo config
    without its inline users, with `[user_database] preset = "django"` on that cluster,
    plus a users file (`inline-admin` and the inline login users)."""
    pg = Postgres()
    log(f"user database: {pg.version}; initdb in {pg.dir}")
    pg.initdb()
    pg.start()
    log(f"user database: postmaster PID {pg.proc.popen.pid} on 127.0.0.1:{pg.port}, core {PG_CORE}")
    t0 = time.monotonic()
    # 64 distinct salts, shared round-robin: a login costs the same whichever it is, and
    # hashing 2 x LOGIN_USERS distinct ones here would only make the set-up longer.
    hashes = pbkdf2_hashes(BENCH_PASSWORD, LOGIN_HASH_ITERATIONS, 64)
    info = load_django_users(pg, hashes)
    info.update({"version": pg.version, "port": pg.port, "postmaster_pid": pg.proc.popen.pid,
                 "hash": f"pbkdf2_sha256, {LOGIN_HASH_ITERATIONS:,} iterations"})
    log(f"user database: {info['users']:,} users, {info['groups']} groups, {info['links']:,} memberships "
        f"loaded in {info['secs']:.1f} s")
    d = os.path.join(WORKDIR, "gh_db")
    os.makedirs(d, exist_ok=True)
    url_file = os.path.join(d, "database-url")
    with open(url_file, "w", opener=lambda path, flags: os.open(path, flags, 0o600)) as f:
        f.write(pg.url())
    with open(DEMO_CONFIG, "rb") as f:
        admin_hash = next(u for u in tomllib.load(f)["users"] if u["username"] == "admin")["password_hash"]
    settings = {"url_file": json.dumps(url_file), "preset": '"django"'}
    if DB_CACHE_TTL:
        # negative_cache_ttl may not exceed cache_ttl; no scenario looks up unknown users.
        settings["cache_ttl"] = json.dumps(DB_CACHE_TTL)
        settings["negative_cache_ttl"] = json.dumps(DB_CACHE_TTL)
    users_file = write_inline_login_users("gh_db", admin_hash, hashes)
    gh_db = start_gatehouse(write_gatehouse_config("gh_db", up_port, users_file=users_file,
                                                   inline_demo_users=False, user_database=settings))
    info["gatehouse_start_secs"] = time.monotonic() - t0 - info["secs"]
    info["settings"] = {k: v for k, v in settings.items() if k != "url_file"}
    return pg, gh_db, info


def gatehouse_token(config: str, user: str) -> str:
    r = subprocess.run([GATEHOUSE_BIN, "token", "--config", config, "--user", user],
                       capture_output=True, text=True, timeout=60)
    if r.returncode != 0 or not r.stdout.strip():
        die(f"gatehouse token --config {config} --user {user} failed:\n{r.stdout}{r.stderr}")
    return r.stdout.strip()


def check_user_database(gh_db: GatehouseInstance, key: TokenKey, db_token: str, inline_token: str) -> list[str]:
    """Before anything is measured: every credential of the PostgreSQL scenarios answers
    as it should, and the database is what answered."""
    before = gh_db.metrics()
    basic = lambda user, pw: "Basic " + base64.b64encode(f"{user}:{pw}".encode()).decode()
    login = lambda user, pw: json.dumps({"username": user, "password": pw})
    checks = [
        ("GET", "/api/x", {"Authorization": f"Bearer {db_token}"}, None, 200, "Bearer of `admin` (PostgreSQL)"),
        ("GET", "/api/x", {"Authorization": basic("admin", "masterkey")}, None, 200, "Basic `admin:masterkey` (PostgreSQL)"),
        ("GET", "/api/x", {"Authorization": basic(DB_BASIC_ADMIN, "masterkey")}, None, 200,
         f"Basic `{DB_BASIC_ADMIN}:masterkey` (PostgreSQL)"),
        ("GET", "/api/x", {"Authorization": basic("admin", "wrong")}, None, 401, "Basic `admin` with a wrong password"),
        ("GET", "/api/x", {"Authorization": f"Bearer {inline_token}"}, None, 200, f"Bearer of `{INLINE_ADMIN}` (inline)"),
        ("GET", "/api/x", {"Authorization": basic(INLINE_ADMIN, "masterkey")}, None, 200, f"Basic `{INLINE_ADMIN}:masterkey` (inline)"),
        ("GET", "/api/x", {"Authorization": "Bearer " + mint_token(key, "nobody-anywhere", secrets.token_hex(16),
                                                                    int(time.time()) - 5)}, None, 401,
         "Bearer of a user in neither"),
        ("GET", "/api/x", {"Authorization": "Bearer " + mint_token(key, "disabled", secrets.token_hex(16),
                                                                    int(time.time()) - 5)}, None, 401,
         "Bearer of `disabled` (is_active false in PostgreSQL)"),
        ("POST", "/api/v1/auth/token", {"Content-Type": "application/json"},
         login(f"{LOGIN_DB_PREFIX}{LOGIN_USERS - 1:05d}", BENCH_PASSWORD), 200, "kerong login of a PostgreSQL login user"),
        ("POST", "/api/v1/auth/token", {"Content-Type": "application/json"},
         login(f"{LOGIN_INLINE_PREFIX}{LOGIN_USERS - 1:05d}", BENCH_PASSWORD), 200, "kerong login of an inline login user"),
    ]
    done = []
    for method, path, headers, body, want, what in checks:
        conn = http.client.HTTPConnection("127.0.0.1", gh_db.port, timeout=10)
        conn.request(method, path, body, headers)
        resp = conn.getresponse()
        answer = resp.read()
        conn.close()
        if resp.status != want:
            die(f"{gh_db.name}: {what} answered {resp.status}, not {want}: {answer[:300]!r}")
        if method == "POST" and want == 200 and not json.loads(answer).get("token"):
            die(f"{gh_db.name}: {what} answered 200 without a token: {answer[:300]!r}")
        done.append(f"{what} → {want}")
    after = gh_db.metrics()
    found = sum(v for k, v in after.items() if "user_database_lookups_total" in k and 'result="found"' in k) - \
        sum(v for k, v in before.items() if "user_database_lookups_total" in k and 'result="found"' in k)
    if found < 3:
        die(f"{gh_db.name}: only {found:.0f} user database lookups found a user during the checks")
    return done


def check_decision(gh_dec: GatehouseInstance, front_port: int, token: str) -> dict:
    """Before anything is measured: the decision-only gatehouse answers its endpoint as it
    should, and nginx's auth_request front in front of it lets the token through with its
    identity, and refuses a forged token and no credentials."""
    forged = "Bearer " + token[:-2] + "xx"
    bearer = f"Bearer {token}"
    prefix = "/.gatehouse/decision"
    front = f"http://127.0.0.1:{front_port}"
    checks = [
        # (url, headers, expected status, expected X-Auth-User or None for absent, what)
        (f"{front}/api/x", {"Authorization": bearer}, 200, None, "front: the token on `/api/x`"),
        (f"{front}/api/x", {"Authorization": forged}, 401, None, "front: a forged token"),
        (f"{front}/api/x", {}, 401, None, "front: no credentials"),
        (f"{front}/_identity_check/api/x", {"Authorization": bearer}, 200, "admin",
         "front, to the upstream that echoes `X-Auth-User`: the token; the upstream received "
         "`X-Auth-User: admin`"),
        (f"{gh_dec.base}{prefix}", {"Authorization": bearer, "X-Original-URI": "/api/x",
                                    "X-Original-Method": "GET"}, 200, "admin",
         f"gatehouse `GET {prefix}` with `X-Original-URI: /api/x`, `X-Original-Method: GET`: the token "
         "(200 with `X-Auth-User: admin`)"),
        (f"{gh_dec.base}{prefix}", {"Authorization": forged, "X-Original-URI": "/api/x",
                                    "X-Original-Method": "GET"}, 401, None, "gatehouse: a forged token"),
        (f"{gh_dec.base}{prefix}", {"X-Original-URI": "/public/x", "X-Original-Method": "GET"}, 200, None,
         "gatehouse: no credentials, `X-Original-URI: /public/x` (a public route, so the header is "
         "believed from 127.0.0.1)"),
        (f"{gh_dec.base}{prefix}", {}, 401, None,
         "gatehouse: no credentials, no `X-Original-URI` (the path after the prefix, `/`, needs them)"),
        (f"{gh_dec.base}/api/x", {"Authorization": bearer}, 404, None,
         "gatehouse: the token on `/api/x` itself (decision-only: nothing is forwarded)"),
    ]
    done, identity = [], {}
    for url, hdrs, want, user, what in checks:
        status, headers, _ = http_get(url, hdrs)
        got_user = {k.lower(): v for k, v in headers.items()}.get("x-auth-user")
        if status != want or got_user != user:
            die(f"decision endpoint check failed: {what}: {url} answered {status} with X-Auth-User "
                f"{got_user!r}; expected {want} with {user!r}\n{gh_dec.proc.tail()}")
        if url.startswith(gh_dec.base + prefix) and status == 200 and user:
            identity = {k: v for k, v in headers.items() if k.lower().startswith("x-auth-")}
        done.append(f"{what} → {want}")
    return {"checks": done, "identity_headers": identity, "port": gh_dec.port}


def tcp_connections(port: int) -> dict:
    """Sockets of 127.0.0.1 connections to `port` (IPv4, from /proc/net/tcp): established
    from the client's side (the peer's port is `port`), and in TIME-WAIT on either side.
    Thousands in TIME-WAIT would mean a connection per subrequest instead of keepalive."""
    established = time_wait = 0
    with open("/proc/net/tcp") as f:
        next(f)
        for line in f:
            fields = line.split()
            local, remote, st = int(fields[1].split(":")[1], 16), int(fields[2].split(":")[1], 16), fields[3]
            if st == "01" and remote == port:
                established += 1
            elif st == "06" and port in (local, remote):
                time_wait += 1
    return {"established": established, "time_wait": time_wait}


NGINX_COMMON = """
worker_processes 1;
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 8192; }}
http {{
  access_log off;
  server_tokens off;
  keepalive_requests 1000000;
  keepalive_timeout 120s;
  client_body_temp_path {dir}/body;
  proxy_temp_path {dir}/proxy;
  fastcgi_temp_path {dir}/fastcgi;
  uwsgi_temp_path {dir}/uwsgi;
  scgi_temp_path {dir}/scgi;
{body}
}}
"""


def nginx_conf(name: str, body: str) -> str:
    d = os.path.join(WORKDIR, name)
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, "nginx.conf")
    with open(path, "w") as f:
        f.write(NGINX_COMMON.format(dir=d, body=body))
    t = subprocess.run(["nginx", "-t", "-q", "-e", os.path.join(d, "error.log"), "-p", d, "-c", path],
                       capture_output=True, text=True)
    if t.returncode != 0:
        die(f"nginx -t refused {path}:\n{t.stderr}")
    return path


def start_nginx(name: str, conf: str, core: int) -> Proc:
    d = os.path.dirname(conf)
    return Proc(name, ["nginx", "-e", os.path.join(d, "error.log"), "-p", d, "-c", conf], core)


HAPROXY_JWT_CHECKS = """
    # HS256 with the same secret as gatehouse's demo key, so both do equal crypto work.
    http-request set-var(txn.bearer) http_auth_bearer
    http-request set-var(txn.jwt_alg) var(txn.bearer),jwt_header_query('$.alg')
    http-request deny deny_status 401 unless {{ var(txn.jwt_alg) -m str HS256 }}
    http-request deny deny_status 401 unless {{ var(txn.bearer),jwt_verify(txn.jwt_alg,"{secret}") -m int 1 }}
    http-request set-var(txn.exp) var(txn.bearer),jwt_payload_query('$.exp','int')
    http-request set-var(txn.now) date()
    http-request deny deny_status 401 unless {{ var(txn.exp),sub(txn.now) -m int gt 0 }}
    http-request deny deny_status 401 unless {{ var(txn.bearer),jwt_payload_query('$.iss') -m str {issuer} }}
"""


def haproxy_conf(secret: str, issuer: str, port: int, auth_port: int, upstream: int,
                 h2_port: int | None = None) -> str:
    d = os.path.join(WORKDIR, "haproxy")
    os.makedirs(d, exist_ok=True)
    checks = HAPROXY_JWT_CHECKS.format(secret=secret, issuer=issuer)
    forward = """    http-request set-header X-Auth-User %[var(txn.bearer),jwt_payload_query('$.sub')]
    http-request set-header X-Auth-Token-Id %[var(txn.bearer),jwt_payload_query('$.jti')]
    http-request set-header X-Auth-Method bearer
    http-request del-header Authorization
    default_backend upstream
"""
    # The same proxy over h2c: `proto h2` makes the plaintext bind speak HTTP/2 with prior
    # knowledge only; the backend stays HTTP/1.1 over keep-alive, as gatehouse's upstream.
    h2 = f"""
# The scenario "HAProxy jwt_verify, h2c": the same checks and forwarding, HTTP/2 (prior
# knowledge) towards the client.
frontend jwt_h2
    bind 127.0.0.1:{h2_port} proto h2
{checks}
{forward}""" if h2_port else ""
    text = f"""
global
    nbthread 1
    maxconn 4000

defaults
    mode http
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    timeout http-keep-alive 120s
    option http-keep-alive
    http-reuse always

backend upstream
    server u1 127.0.0.1:{upstream}

# The scenario "HAProxy jwt_verify": verify, copy claims to headers, forward.
frontend jwt
    bind 127.0.0.1:{port}
{checks}
{forward}{h2}

# An auth endpoint for nginx auth_request that answers by itself (the extra scenario
# "nginx auth_request -> HAProxy jwt_verify").
frontend jwtauth
    bind 127.0.0.1:{auth_port}
{checks}
    http-request return status 200 hdr X-Auth-User %[var(txn.bearer),jwt_payload_query('$.sub')]
"""
    path = os.path.join(d, "haproxy.cfg")
    with open(path, "w") as f:
        f.write(text)
    t = subprocess.run(["haproxy", "-c", "-q", "-f", path], capture_output=True, text=True)
    if t.returncode != 0:
        die(f"haproxy -c refused {path}:\n{t.stdout}{t.stderr}")
    return path


# ---------------------------------------------------------------------------------------
# Tokens
# ---------------------------------------------------------------------------------------

def b64u(b: bytes) -> bytes:
    return base64.urlsafe_b64encode(b).rstrip(b"=")


@dataclass
class TokenKey:
    kid: str
    secret: str
    issuer: str
    lifetime: int = 3600


def demo_token_key() -> TokenKey:
    with open(DEMO_CONFIG, "rb") as f:
        cfg = tomllib.load(f)
    kid = cfg["auth"]["token_key"]
    key = next(k for k in cfg["keys"] if k["id"] == kid)
    if key.get("algorithm") != "HS256" or "secret" not in key:
        die(f"key {kid} in {DEMO_CONFIG} is not an inline HS256 secret; the bench mints HS256 tokens")
    return TokenKey(kid, key["secret"], cfg["auth"].get("issuer", "gatehouse"))


def mint_tokens(key: TokenKey, n: int, path: str, sub: str = "admin") -> str:
    """n distinct HS256 tokens shaped exactly like `gatehouse token` prints them
    (header {typ, alg, kid}; claims sub, iss, iat, exp, jti), one per line."""
    header = b64u(json.dumps({"typ": "JWT", "alg": "HS256", "kid": key.kid},
                             separators=(",", ":")).encode())
    secret = key.secret.encode()
    now = int(time.time())
    prefix = f'{{"sub":"{sub}","iss":"{key.issuer}","iat":{now},"exp":{now + key.lifetime},"jti":"'
    rnd = random.SystemRandom()
    with open(path, "w") as f:
        chunk = []
        for i in range(n):
            payload = b64u((prefix + f'{rnd.getrandbits(128):032x}"}}').encode())
            msg = header + b"." + payload
            chunk.append((msg + b"." + b64u(hmac.digest(secret, msg, "sha256"))).decode())
            if len(chunk) >= 10000:
                f.write("\n".join(chunk) + "\n")
                chunk = []
        if chunk:
            f.write("\n".join(chunk) + "\n")
    try:  # cross-check one token with PyJWT when it is installed
        import jwt  # type: ignore
        with open(path) as f:
            first = f.readline().strip()
        claims = jwt.decode(first, key.secret, algorithms=["HS256"], issuer=key.issuer)
        assert claims["sub"] == sub
    except ImportError:
        pass
    return path


def mint_token(key: TokenKey, sub: str, jti: str, iat: int) -> str:
    """One HS256 token shaped like `gatehouse token`'s, with a chosen `jti` and `iat`."""
    header = b64u(json.dumps({"typ": "JWT", "alg": "HS256", "kid": key.kid}, separators=(",", ":")).encode())
    payload = b64u(json.dumps({"sub": sub, "iss": key.issuer, "iat": iat, "exp": iat + key.lifetime,
                               "jti": jti}, separators=(",", ":")).encode())
    msg = header + b"." + payload
    return (msg + b"." + b64u(hmac.digest(key.secret.encode(), msg, "sha256"))).decode()


# ---------------------------------------------------------------------------------------
# wrk
# ---------------------------------------------------------------------------------------

UNIT_US = {"us": 1.0, "ms": 1000.0, "s": 1_000_000.0, "m": 60_000_000.0}


@dataclass
class WrkResult:
    requests: int = 0
    rps: float = 0.0
    p50_us: float = float("nan")
    p90_us: float = float("nan")
    p99_us: float = float("nan")
    non2xx: int = 0
    socket_errors: int = 0
    cpu_s: float = 0.0            # wrk's own CPU (rusage)
    extra: dict = field(default_factory=dict)
    output: str = ""


class Wrk:
    def __init__(self, url: str, secs: int, *, conns: int = CONNECTIONS, headers=(),
                 script: str | None = None, env_extra: dict | None = None, tag: str = "wrk"):
        argv = ["wrk", f"-t{WRK_THREADS}", f"-c{conns}", f"-d{secs}s", "--latency", "--timeout", "5s"]
        for h in headers:
            argv += ["-H", h]
        if script:
            argv += ["-s", script]
        argv.append(url)
        self.secs = secs
        self.out_path = os.path.join(WORKDIR, f"{tag}.out")
        self.outf = open(self.out_path, "w")
        env = dict(os.environ, **(env_extra or {}))
        self.popen = subprocess.Popen(pinned(CLIENT_CORE, argv), stdout=self.outf,
                                      stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
        with open(os.path.join(WORKDIR, "pids"), "a") as f:
            f.write(f"{self.popen.pid}\n")

    def ticks(self) -> int:
        return proc_stat_ticks(self.popen.pid) or 0

    def wait(self) -> WrkResult:
        deadline = time.monotonic() + self.secs + 60
        ru = None
        while True:
            pid, status, ru = os.wait4(self.popen.pid, os.WNOHANG)
            if pid:
                self.popen.returncode = os.waitstatus_to_exitcode(status)
                break
            if time.monotonic() > deadline:
                self.popen.kill()
                pid, status, ru = os.wait4(self.popen.pid, 0)
                self.popen.returncode = -9
                break
            time.sleep(0.02)
        self.outf.close()
        with open(self.out_path) as f:
            out = f.read()
        r = parse_wrk(out)
        r.cpu_s = ru.ru_utime + ru.ru_stime if ru else 0.0
        if self.popen.returncode != 0:
            r.extra["wrk_exit"] = self.popen.returncode
        return r


def parse_wrk(out: str) -> WrkResult:
    r = WrkResult(output=out)
    m = re.search(r"(\d+) requests in", out)
    if m:
        r.requests = int(m.group(1))
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if m:
        r.rps = float(m.group(1))
    for pct, attr in (("50", "p50_us"), ("90", "p90_us"), ("99", "p99_us")):
        m = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.M)
        if m:
            setattr(r, attr, float(m.group(1)) * UNIT_US[m.group(2)])
    m = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if m:
        r.non2xx = int(m.group(1))
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if m:
        r.socket_errors = sum(int(x) for x in m.groups())
    for m in re.finditer(r"^loadbench: (.*)$", out, re.M):
        kv = dict(p.split("=", 1) for p in m.group(1).split())
        if "status" in kv:
            r.extra.setdefault("statuses", {})[kv["status"]] = int(kv["count"])
        else:
            r.extra.update({k: int(v) for k, v in kv.items()})
    return r


# ---------------------------------------------------------------------------------------
# h2load (nghttp2-client): the HTTP/2 rows, and the same requests over HTTP/1.1
# ---------------------------------------------------------------------------------------

H2LOAD_MAIN_STARTED = "Main benchmark duration is started"


def h2load_params(proto: str) -> tuple[int, int]:
    """(clients, streams per client) of an h2load row: over h2c H2_CLIENTS connections of
    H2_STREAMS concurrent streams each; over HTTP/1.1 CONNECTIONS connections of one request
    each (`-m1`: no pipelining, as wrk and browsers). The defaults keep 32 requests in
    flight either way."""
    return (H2_CLIENTS, H2_STREAMS) if proto == "h2c" else (CONNECTIONS, 1)


class H2load:
    """h2load in timing mode, one thread (`-t1`) pinned to the client core:
    `--warm-up-time` unmeasured (connections opened, streams flowing), then `-D` measured.
    `--h1` for HTTP/1.1, otherwise h2c with prior knowledge (plain http:// URL). Its output
    is line-buffered (stdbuf) so that the harness sees the start of the measured phase and
    takes its CPU snapshots there; `--log-file` gives one line per measured request, from
    which the percentiles come. Bounded: h2load stops itself after warm-up + -D, and is
    killed 60 s after that."""

    def __init__(self, url: str, secs: int, *, proto: str, headers=(), tag: str = "h2load",
                 warmup: int = H2LOAD_WARMUP_SECS):
        clients, streams = h2load_params(proto)
        self.proto, self.secs, self.warmup = proto, secs, warmup
        self.out_path = os.path.join(WORKDIR, f"{tag}.out")
        self.log_path = os.path.join(WORKDIR, f"{tag}.tsv")
        argv = ["stdbuf", "-oL", "h2load", "-t1", f"-c{clients}", f"-m{streams}", f"-D{secs}s",
                f"--warm-up-time={warmup}s", "-N5s", f"--log-file={self.log_path}"]
        if proto == "h1":
            argv.append("--h1")
        for h in headers:
            argv += ["-H", h]
        argv.append(url)
        self.outf = open(self.out_path, "w")
        self.popen = subprocess.Popen(pinned(CLIENT_CORE, argv), stdout=self.outf,
                                      stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self.started = time.monotonic()
        with open(os.path.join(WORKDIR, "pids"), "a") as f:
            f.write(f"{self.popen.pid}\n")

    def wait_main_start(self) -> bool:
        """Polls h2load's output until its measured phase starts (bounded: warm-up + 10 s)."""
        deadline = self.started + self.warmup + 10
        while time.monotonic() < deadline and self.popen.poll() is None:
            with open(self.out_path) as f:
                if H2LOAD_MAIN_STARTED in f.read():
                    return True
            time.sleep(0.002)
        return False

    def ticks(self) -> int:
        return proc_stat_ticks(self.popen.pid) or 0

    def wait(self) -> WrkResult:
        deadline = self.started + self.warmup + self.secs + 60
        ru = None
        while True:
            pid, status, ru = os.wait4(self.popen.pid, os.WNOHANG)
            if pid:
                self.popen.returncode = os.waitstatus_to_exitcode(status)
                break
            if time.monotonic() > deadline:
                self.popen.kill()
                pid, status, ru = os.wait4(self.popen.pid, 0)
                self.popen.returncode = -9
                break
            time.sleep(0.02)
        self.outf.close()
        with open(self.out_path) as f:
            out = f.read()
        r = parse_h2load(out, self.log_path, self.proto)
        try:
            os.remove(self.log_path)        # a few MB per round; the percentiles are kept
        except OSError:
            pass
        r.cpu_s = ru.ru_utime + ru.ru_stime if ru else 0.0
        if self.popen.returncode != 0:
            r.extra["wrk_exit"] = self.popen.returncode
        return r


def percentile(sorted_xs: list, q: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    if not sorted_xs:
        return float("nan")
    k = max(0, min(len(sorted_xs) - 1, int(-(-q * len(sorted_xs) // 100)) - 1))
    return float(sorted_xs[k])


def parse_h2load(out: str, log_path: str | None, proto: str) -> WrkResult:
    """h2load's summary (requests, req/s over -D, status classes, failures, the protocol it
    spoke) and, from its --log-file, p50/p90/p99 of the measured requests (microseconds from
    a request's start to the end of its response; no coordinated-omission correction)."""
    r = WrkResult(output=out)
    m = re.search(r"finished in [\d.]+\w*, ([\d.]+) req/s", out)
    if m:
        r.rps = float(m.group(1))
    m = re.search(r"requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, "
                  r"(\d+) failed, (\d+) errored, (\d+) timeout", out)
    if m:
        total, started, done, ok, failed, errored, timeout = (int(x) for x in m.groups())
        r.requests = done
        r.socket_errors = max(failed, errored + timeout)
        r.extra["h2load"] = {"done": done, "succeeded": ok, "failed": failed, "errored": errored,
                             "timeout": timeout}
    m = re.search(r"status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx", out)
    if m:
        r.non2xx = sum(int(x) for x in m.groups()[1:])
    m = re.search(r"Application protocol: (\S+)", out)
    r.extra["protocol"] = m.group(1) if m else "none"
    want = "h2c" if proto == "h2c" else "http/1.1"
    if r.extra["protocol"] != want:
        r.extra["protocol_mismatch"] = f"h2load spoke {r.extra['protocol']}, not {want}"
    if log_path and os.path.exists(log_path):
        times, statuses = [], {}
        with open(log_path) as f:
            for line in f:
                parts = line.split("\t")
                if len(parts) >= 3:
                    statuses[parts[1]] = statuses.get(parts[1], 0) + 1
                    times.append(int(parts[2]))
        times.sort()
        r.p50_us, r.p90_us, r.p99_us = (percentile(times, q) for q in (50, 90, 99))
        r.extra["logged"] = len(times)
        if set(statuses) - {"200"}:
            r.extra["statuses"] = statuses
    return r


def h2load_request(url: str, headers: dict | None = None, proto: str = "h2c",
                   timeout: float = 10.0) -> tuple[int, str]:
    """One request through h2load (h2c with prior knowledge, or --h1): (HTTP status or -1,
    the protocol h2load spoke). For priming and the start-up checks of the h2c ports."""
    fd, log_path = tempfile.mkstemp(prefix="h2load-one-", suffix=".tsv", dir=WORKDIR)
    os.close(fd)
    argv = ["h2load", "-n1", "-c1", "-m1", "-t1", "-N5s", f"--log-file={log_path}"]
    if proto == "h1":
        argv.append("--h1")
    for k, v in (headers or {}).items():
        argv += ["-H", f"{k}: {v}"]
    argv.append(url)
    try:
        p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
        out = p.stdout + p.stderr
        m = re.search(r"Application protocol: (\S+)", out)
        with open(log_path) as f:
            line = f.readline().split("\t")
        status = int(line[1]) if len(line) >= 3 else -1
        return status, (m.group(1) if m else "none")
    except subprocess.TimeoutExpired:
        return -1, "timeout"
    finally:
        os.remove(log_path)


# ---------------------------------------------------------------------------------------
# CPU accounting
# ---------------------------------------------------------------------------------------

def cpu_times() -> dict[str, list[int]]:
    """Per-core jiffies from /proc/stat: user nice system idle iowait irq softirq steal."""
    out = {}
    with open("/proc/stat") as f:
        for line in f:
            if line.startswith("cpu") and line[3].isdigit():
                parts = line.split()
                out[parts[0]] = [int(x) for x in parts[1:9]]
    return out


def all_processes() -> dict[int, tuple[str, int, int, int]]:
    """Every process: pid -> (comm, ppid, own ticks, reaped children's ticks)."""
    out = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                data = f.read()
        except OSError:
            continue
        comm = data[data.index("(") + 1:data.rindex(")")]
        fields = data[data.rindex(")") + 2:].split()
        out[int(entry)] = (comm, int(fields[1]), int(fields[11]) + int(fields[12]),
                           int(fields[13]) + int(fields[14]))
    return out


def harness_pids() -> set[int]:
    """This harness and its ancestors (run.sh, the shell that ran it): their children's
    CPU (wrk, reaped by us) is the benchmark's own."""
    pids, pid = set(), os.getpid()
    while pid > 1:
        pids.add(pid)
        try:
            with open(f"/proc/{pid}/stat") as f:
                data = f.read()
            pid = int(data[data.rindex(")") + 2:].split()[1])
        except OSError:
            break
    return pids


def other_cpu(before: dict, after: dict, ours: set[int]) -> tuple[float, float, list[tuple[str, float]]]:
    """CPU seconds used between two all_processes() snapshots by processes outside the
    benchmark (user space, counting children they reaped), by kernel threads (reported
    only: on loopback they mostly carry our own traffic), and the top offenders.

    /proc/stat's per-core figures are not used for this: with tick-based accounting
    (CONFIG_TICK_CPU_ACCOUNTING, NO_HZ_IDLE, common in VMs) they undercount a proxy that
    sleeps and wakes thousands of times a second, while per-process times are scaled to
    the scheduler's exact runtime."""
    other, kernel, by = 0.0, 0.0, {}
    for pid, (comm, ppid, own, kids) in after.items():
        if pid in ours:
            continue
        b = before.get(pid)
        if b and b[0] != comm and b[1] != ppid:
            b = None  # pid reused
        d = (own - (b[2] if b else 0)) + (kids - (b[3] if b else 0))
        if d <= 0:
            continue
        secs = d / CLK_TCK
        if pid == 2 or ppid == 2:
            kernel += secs
        else:
            other += secs
            by[comm] = by.get(comm, 0.0) + secs
    top = sorted(by.items(), key=lambda kv: -kv[1])[:3]
    return other, kernel, top


def bench_pids(extra: list[int] = ()) -> set[int]:
    ours = harness_pids() | set(extra)
    for p in Proc.registry:
        ours.update(p.pids())
    return ours


def other_busy_now(secs: float = 1.0) -> tuple[float, list]:
    """CPU (in cores) used by processes outside the benchmark over `secs`."""
    a = all_processes()
    time.sleep(secs)
    b = all_processes()
    other, _, top = other_cpu(a, b, bench_pids())
    return min(other / secs, float(os.cpu_count())), top


def wait_for_quiet() -> float:
    """Waits (bounded) until processes outside the benchmark leave the CPU alone."""
    deadline = time.monotonic() + QUIET_WAIT_SECS
    other, top = other_busy_now(0.5)
    while other > OTHER_CPU_MAX and time.monotonic() < deadline:
        log(f"  machine busy ({other:.0%} of a core used by other processes: "
            f"{', '.join(f'{c} {t:.1f}s' for c, t in top)}); waiting")
        other, top = other_busy_now(2.0)
    return other


# ---------------------------------------------------------------------------------------
# Scenarios and rounds
# ---------------------------------------------------------------------------------------

@dataclass
class Scenario:
    id: str
    label: str
    url: str
    proxies: list[str]                      # Proc names whose CPU is "the proxy"
    headers: list[str] = field(default_factory=list)
    script: str | None = None
    group: str = "peer"                     # baseline / peer / gatehouse / pressure
    note: str = ""
    prepare: object = None                  # callable(tag) -> env for wrk (per round)
    background: object = None               # callable(secs) -> Wrk started alongside
    gatehouse: GatehouseInstance | None = None
    prime: bool = True                      # one untimed request first (fills caches)
    conns: int | None = None                # wrk -c (default CONNECTIONS)
    after: object = None                    # callable(WrkResult) after each run (measured or not)
    client: str = "wrk"                     # wrk; or h2load speaking "h2c" or "h1" (HTTP/1.1)
    rounds: list = field(default_factory=list)


@dataclass
class Round:
    scenario: str
    index: int
    attempt: int
    rps: float
    p50_us: float
    p99_us: float
    requests: int
    cpu_us_per_req: float
    proxy_busy: float        # proxy CPU / wall (cores)
    client_busy: float       # wrk + upstream CPU / wall (cores)
    other: float             # CPU of processes outside the benchmark / wall (cores)
    steal: float
    softirq: float
    accepted: bool
    reason: str
    extra: dict


def run_round(sc: Scenario, secs: int, index: int, attempt: int, measured: bool = True) -> Round:
    env = sc.prepare(f"{sc.id}-r{index}-a{attempt}") if sc.prepare else {}
    if sc.prime and not sc.script:
        # One request, untimed, so a cached scenario measures the cached path even when
        # its entry expired (cache_ttl) since the previous round. Through h2load for its
        # rows, in the protocol of the row (an h2c-only port speaks nothing else).
        hdrs = dict(h.split(": ", 1) for h in sc.headers)
        if sc.client == "wrk":
            status = http_get(sc.url, hdrs, timeout=10)[0]
        else:
            status = h2load_request(sc.url, hdrs, sc.client)[0]
        if status != 200:
            log(f"  {sc.id}: priming request answered {status}")
    bg = sc.background(secs + 2) if sc.background else None
    if bg:
        time.sleep(1.0)     # let the hammer reach steady state first
    if sc.client == "wrk":
        metrics_before = sc.gatehouse.metrics() if sc.gatehouse else {}
        a0 = all_processes()
        c0 = cpu_times()
        p0 = {p.name: p.ticks() for p in Proc.registry}
        bg0 = bg.ticks() if bg else 0
        t0 = time.monotonic()
        client0 = None
        w = Wrk(sc.url, secs, conns=sc.conns or CONNECTIONS, headers=sc.headers, script=sc.script,
                env_extra=env, tag=f"wrk-{sc.id}")
    else:
        # h2load first: its warm-up (connections opened, streams flowing) is not measured.
        # The snapshots are taken as its measured phase starts, the proxies' CPU first.
        w = H2load(sc.url, secs, proto=sc.client, headers=sc.headers, tag=f"h2load-{sc.id}")
        if not w.wait_main_start():
            log(f"  {sc.id}: h2load's measured phase did not start; it said: "
                f"{open(w.out_path).read()[-500:]!r}")
        p0 = {p.name: p.ticks() for p in Proc.registry}
        client0 = w.ticks()
        t0 = time.monotonic()
        c0 = cpu_times()
        bg0 = bg.ticks() if bg else 0
        a0 = all_processes()
        metrics_before = sc.gatehouse.metrics() if sc.gatehouse else {}
    r = w.wait()
    if client0 is not None:
        # Only the measured phase of h2load's own CPU (the rest was its warm-up).
        r.cpu_s = max(0.0, r.cpu_s - client0 / CLK_TCK)
    if sc.after:
        sc.after(r)
    t1 = time.monotonic()
    c1 = cpu_times()
    p1 = {p.name: p.ticks() for p in Proc.registry}
    a1 = all_processes()
    bg1 = bg.ticks() if bg else 0
    metrics_after = sc.gatehouse.metrics() if sc.gatehouse else {}
    bg_result = bg.wait() if bg else None
    wall = t1 - t0

    def delta(name: str) -> float:
        return (p1.get(name, 0) - p0.get(name, p1.get(name, 0))) / CLK_TCK

    proxy_cpu = sum(delta(n) for n in sc.proxies)
    ours = sum(delta(n) for n in p1) + r.cpu_s + (bg1 - bg0) / CLK_TCK
    busy = sum(sum(c1[c][0:3]) - sum(c0[c][0:3]) for c in c0) / CLK_TCK
    other_s, kernel_s, top = other_cpu(a0, a1, bench_pids([w.popen.pid] + ([bg.popen.pid] if bg else [])))
    steal = sum(c1[c][7] - c0[c][7] for c in c0) / CLK_TCK
    softirq = sum(c1[c][6] - c0[c][6] for c in c0) / CLK_TCK
    # Children reaped during the round count with their whole lifetime (conservative), so
    # clamp to the machine's cores.
    other = min(other_s / wall, float(os.cpu_count()))
    client_cpu = r.cpu_s + delta("upstream") + (bg1 - bg0) / CLK_TCK
    if "upstream" in sc.proxies:
        client_cpu = r.cpu_s

    extra = dict(r.extra)
    extra["accounting"] = {
        "wall": round(wall, 3), "busy_ticks_proc_stat": round(busy, 3), "ours": round(ours, 3),
        "other": round(other_s, 3), "kernel_threads": round(kernel_s, 3),
        "top_other": [(c, round(t, 2)) for c, t in top],
        "per_core_busy": {c: round((sum(c1[c][0:3]) - sum(c0[c][0:3])) / CLK_TCK, 3) for c in c0},
        "procs": {n: round(delta(n), 3) for n in p1}, "wrk": round(r.cpu_s, 3)}
    if os.environ.get("LOADBENCH_DEBUG"):
        log(f"    accounting: {extra['accounting']}")
    if sc.gatehouse:
        def m(key_part: str) -> float:
            return sum(v for k, v in metrics_after.items() if all(p in k for p in key_part.split("&"))) - \
                sum(v for k, v in metrics_before.items() if all(p in k for p in key_part.split("&")))
        extra["cache_miss"] = int(m('gatehouse_verifier_cache_total&result="miss"'))
        extra["cache_hit"] = int(m('gatehouse_verifier_cache_total&result="hit"'))
        extra["password_checks"] = int(m("gatehouse_password_checks_total"))
        if sc.gatehouse.database:
            extra["db_cache_hit"] = int(m('gatehouse_user_database_cache_total&result="hit"'))
            extra["db_cache_miss"] = int(m('gatehouse_user_database_cache_total&result="miss"'))
            extra["db_queries"] = int(m("gatehouse_user_database_query_seconds_count"))
            extra["db_query_secs"] = round(m("gatehouse_user_database_query_seconds_sum"), 6)
            extra["db_errors"] = int(m('gatehouse_user_database_lookups_total&result="error"'))
    extra["p90_us"] = r.p90_us
    if bg_result:
        extra["login"] = {"requests": bg_result.requests, "rps": round(bg_result.rps, 1),
                          "statuses": bg_result.extra.get("statuses", {}),
                          "p99_ms": round(bg_result.p99_us / 1000, 1)}

    reasons = []
    if r.requests == 0:
        reasons.append("no requests")
    if r.non2xx:
        reasons.append(f"{r.non2xx} non-2xx")
    if r.socket_errors:
        reasons.append(f"{r.socket_errors} socket errors")
    if "wrk_exit" in r.extra:
        reasons.append(f"{'wrk' if sc.client == 'wrk' else 'h2load'} exit {r.extra['wrk_exit']}")
    if "protocol_mismatch" in r.extra:
        reasons.append(r.extra["protocol_mismatch"])
    if other > OTHER_CPU_MAX:
        reasons.append(f"other processes used {other:.1%} of a core ("
                       + ", ".join(f"{c} {t:.1f}s" for c, t in top) + ")")
    if steal / wall > OTHER_CPU_MAX:
        reasons.append(f"hypervisor steal {steal / wall:.1%}")
    rnd = Round(sc.id, index, attempt, r.rps, r.p50_us, r.p99_us, r.requests,
                proxy_cpu * 1e6 / r.requests if r.requests else float("nan"),
                proxy_cpu / wall, client_cpu / wall, other, steal / wall, softirq / wall,
                not reasons, "; ".join(reasons), extra)
    if measured:
        tag = "ok" if rnd.accepted else "REJECTED (" + rnd.reason + ")"
        log(f"  {sc.id:<24} round {index} try {attempt}: {r.rps:>9.0f} req/s  p50 {fmt_us(r.p50_us):>8}"
            f"  p99 {fmt_us(r.p99_us):>8}  proxy {rnd.cpu_us_per_req:6.1f} µs/req ({rnd.proxy_busy:.0%} core)"
            f"  other {other:.1%}  {tag}")
    if r.non2xx and r.requests and r.non2xx == r.requests:
        log(f"  every response of {sc.id} was an error; wrk said:\n{r.output}")
    return rnd


def fmt_us(us: float) -> str:
    if us != us:
        return "n/a"
    if us >= 1000:
        return f"{us / 1000:.2f} ms"
    return f"{us:.0f} µs"


# ---------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------

def cmd_out(argv: list[str]) -> str:
    try:
        p = subprocess.run(argv, capture_output=True, text=True, timeout=10)
        return (p.stdout + p.stderr).strip()
    except (OSError, subprocess.TimeoutExpired):
        return "n/a"


def machine_info() -> dict:
    cpu = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    osname = "unknown"
    if os.path.exists("/etc/os-release"):
        with open("/etc/os-release") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    osname = line.split("=", 1)[1].strip().strip('"')
    hyper = "yes" if "hypervisor" in open("/proc/cpuinfo").read() else "no"
    commit = cmd_out(["git", "-C", ROOT, "rev-parse", "--short=12", "HEAD"])
    # --no-optional-locks: cmd_out kills git after 10 s, and a git killed while refreshing
    # the index would leave index.lock behind.
    dirty = cmd_out(["git", "--no-optional-locks", "-C", ROOT, "status", "--porcelain", "--", "src", "Cargo.toml", "Cargo.lock"])
    return {
        "host": socket.gethostname(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "virtualised": hyper,
        "kernel": platform.release(),
        "os": osname,
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "nginx": cmd_out(["nginx", "-v"]).replace("nginx version: ", ""),
        "haproxy": " ".join(cmd_out(["haproxy", "-v"]).split()[:3]).replace(" version", ""),
        "wrk": cmd_out(["wrk", "-v"]).splitlines()[0].split(" Copyright")[0] if cmd_out(["wrk", "-v"]) else "n/a",
        "h2load": cmd_out(["h2load", "--version"]) if shutil.which("h2load") else "n/a",
        "gatehouse": cmd_out([GATEHOUSE_BIN, "--version"]),
        # cmd_out says "n/a" when git failed or timed out (a busy machine, a fresh index):
        # that is not a finding about the tree.
        "commit": commit + (" (git status did not answer)" if dirty.strip() == "n/a" else
                            " (with uncommitted changes in src/ or Cargo.*)" if dirty.strip() else ""),
        "loadavg_at_start": open("/proc/loadavg").read().split()[0:3],
    }


def median(xs):
    xs = [x for x in xs if x == x]
    return statistics.median(xs) if xs else float("nan")


def kept_rounds(sc: Scenario) -> tuple[list, bool]:
    """The kept rounds, or (flagged noisy) when every try was rejected, the last try of
    each round that at least got only 2xx answers."""
    kept = [r for r in sc.rounds if r.accepted]
    if kept:
        return kept, False
    best = {}
    for r in sc.rounds:
        if r.requests and "non-2xx" not in r.reason and "socket" not in r.reason:
            best[r.index] = r
    return list(best.values()), True


def summarize(sc: Scenario) -> dict:
    # Every try of every round rejected: reported anyway, flagged.
    kept, noisy = kept_rounds(sc)
    rps = [r.rps for r in kept]
    return {
        "id": sc.id, "label": sc.label, "group": sc.group, "note": sc.note, "client": sc.client,
        "rps": median(rps), "rps_min": min(rps) if rps else float("nan"),
        "rps_max": max(rps) if rps else float("nan"),
        "p50_us": median([r.p50_us for r in kept]), "p99_us": median([r.p99_us for r in kept]),
        "p90_us": median([r.extra.get("p90_us", float("nan")) for r in kept]),
        "cpu_us": median([r.cpu_us_per_req for r in kept]),
        "proxy_busy": median([r.proxy_busy for r in kept]),
        "client_busy": median([r.client_busy for r in kept]),
        "kept": len([r for r in sc.rounds if r.accepted]), "tries": len(sc.rounds),
        "noisy": noisy,
        "extra": [r.extra for r in kept],
    }


def ratio(a: float, b: float) -> str:
    if a != a or b != b or not b:
        return "n/a"
    return f"{a / b:.2f}×"


def paired_ratios(scenarios: list[Scenario], a: str, b: str) -> list[tuple[int, float, float, float]]:
    """Per round index: (index, a's req/s, b's req/s, a ÷ b) over the rounds where both have
    a kept try. In a run of few scenarios the two ran back to back, so each ratio is less
    exposed to drift of the machine than the ratio of medians."""
    kept = {sc.id: {r.index: r for r in sc.rounds if r.accepted} for sc in scenarios if sc.id in (a, b)}
    if a not in kept or b not in kept:
        return []
    return [(i, kept[a][i].rps, kept[b][i].rps, kept[a][i].rps / kept[b][i].rps)
            for i in sorted(set(kept[a]) & set(kept[b])) if kept[b][i].rps]


def paired_diffs(scenarios: list[Scenario], a: str, b: str, attr: str = "p50_us") -> list[tuple[int, float, float, float]]:
    """Per round index where both have a kept try: (index, a's value, b's value, a - b)."""
    kept = {sc.id: {r.index: r for r in sc.rounds if r.accepted} for sc in scenarios if sc.id in (a, b)}
    if a not in kept or b not in kept:
        return []
    val = lambda r: getattr(r, attr) if hasattr(r, attr) else r.extra.get(attr, float("nan"))
    return [(i, val(kept[a][i]), val(kept[b][i]), val(kept[a][i]) - val(kept[b][i]))
            for i in sorted(set(kept[a]) & set(kept[b]))]


def user_database_report(by: dict, scenarios: list[Scenario], db: dict) -> list[str]:
    L = ["## User database (PostgreSQL)", ""]
    s = db.get("settings", {})
    L.append(f"A throwaway {db['version']} cluster in the work directory (`initdb`, then `postgres` on "
             f"127.0.0.1:{db['port']}, PID {db['postmaster_pid']}, `fsync=off`, `shared_buffers=32MB`, "
             f"`autovacuum=off`, `jit=off`; pinned to core {PG_CORE}, nice {NICE}), stopped by PID at the end. "
             f"Django-shaped tables made with plain SQL (`auth_user`, `auth_group`, `auth_user_groups`, with "
             f"Django 4.2's columns, constraints and indexes), loaded with {db['users']:,} users in "
             f"{db['secs']:.1f} s: the demo config's {len(db['demo_users'])} users (same ids, emails, active "
             f"flags and hashes, argon2 ones in Django's `argon2$` spelling; roles as groups), "
             f"`{DB_BASIC_ADMIN}` (the admin's hash and roles, for `db_basic`) and "
             f"{LOGIN_USERS:,} login users (group `user`, {db['hash']}); {db['groups']} groups, "
             f"{db['links']:,} memberships; `ANALYZE` after loading. gatehouse connects over TCP as a role "
             f"that may only SELECT (SCRAM-SHA-256 password, `sslmode=disable`), with "
             f"`[user_database] {', '.join(f'{k} = {v}' for k, v in s.items())}` and the defaults otherwise "
             f"(`cache_ttl` 30 s unless set, `pool_size` 4). Checked before measuring (expected status): "
             + "; ".join(db.get("checks", [])) + ".")
    L.append("")

    def verdict(ok: bool) -> str:
        return "**holds**" if ok else "**misses**"

    pairs = [("db_bearer", "gh_bearer", "cached Bearer: PostgreSQL user ÷ inline user, separate instances (the target)", True),
             ("db_bearer", "db_inline_bearer", "cached Bearer: PostgreSQL user ÷ inline user, same instance", True),
             ("db_inline_bearer", "gh_bearer", "control, cached Bearer: inline user on the PostgreSQL instance ÷ the main instance", False),
             ("db_basic", "gh_basic", "cached Basic: PostgreSQL user ÷ inline user, separate instances (the target)", True),
             ("db_basic", "db_inline_basic", "cached Basic: PostgreSQL user ÷ inline user, same instance", True),
             ("db_inline_basic", "gh_basic", "control, cached Basic: inline user on the PostgreSQL instance ÷ the main instance", False)]
    rows = [(a, b, what, target) for a, b, what, target in pairs if a in by and b in by]
    if rows:
        L.append("### Cached throughput (target: PostgreSQL user ≥ 0.98× inline user)")
        L.append("")
        L.append("| comparison | req/s | ratio of medians | per round | median per round | CPU µs/req | target |")
        L.append("|---|---:|---:|---|---:|---:|---|")
        for a, b, what, target in rows:
            x, y = by[a], by[b]
            pr = paired_ratios(scenarios, a, b)
            med = median([q for *_, q in pr])
            flag = " ⚠ compares rejected rounds" if x["noisy"] or y["noisy"] else ""
            L.append(f"| {what} (`{a}` ÷ `{b}`){flag} | {x['rps']:,.0f} / {y['rps']:,.0f} | "
                     f"**{x['rps'] / y['rps']:.3f}×** | "
                     + (", ".join(f"{q:.3f}" for *_, q in pr) or "no round with both kept") + " | "
                     + (f"{med:.3f}×" if med == med else "n/a") + f" | {x['cpu_us']:.1f} / {y['cpu_us']:.1f} | "
                     + ((f"{verdict(x['rps'] >= 0.98 * y['rps'])} (medians)"
                         + (f", {verdict(med >= 0.98)} (per round)" if med == med else ""))
                        if target else "(control)") + " |")
        L.append("")
        L.append("The same-instance rows take the difference between two gatehouse processes out of the "
                 "ratio; the control rows measure that difference alone (no database lookup in either).")
        L.append("")
        for sid in ("db_bearer", "db_basic"):
            sc = next((c for c in scenarios if c.id == sid), None)
            if not sc:
                continue
            kept, noisy = kept_rounds(sc)
            L.append(f"- `{sid}`, {'rejected rounds (none kept)' if noisy else 'kept rounds'}: verifier misses "
                     + ", ".join(str(r.extra.get("cache_miss", "?")) for r in kept)
                     + "; password hashes " + ", ".join(str(r.extra.get("password_checks", "?")) for r in kept)
                     + "; user database queries " + ", ".join(str(r.extra.get("db_queries", "?")) for r in kept)
                     + "; p99 " + ", ".join(fmt_us(r.p99_us) for r in kept) + ".")
        L.append("")
    li, ld = by.get("login_inline"), by.get("login_db")
    if li or ld:
        L.append(f"### Login latency (target: PostgreSQL p50 ≤ inline p50 + 1 ms)")
        L.append("")
        L.append(f"`wrk -t{WRK_THREADS} -c{LOGIN_CONNECTIONS}` (closed loop, one login at a time per connection, "
                 f"so the latency is the service time, not queueing), each login for a different user; "
                 f"both kinds of user have the same hash: {db['hash']} (cheap on purpose, so that the lookup "
                 f"is not lost in the hash's own cost). Medians over the kept rounds.")
        L.append("")
        L.append("| scenario | logins/s | p50 | p90 | p99 | CPU µs/login (gatehouse + PostgreSQL) | "
                 "user database cache misses / lookups | mean query time (gatehouse's histogram) | rounds kept |")
        L.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for sm in (li, ld):
            if not sm:
                continue
            ex = sm["extra"]
            miss = sum(e.get("db_cache_miss", 0) for e in ex)
            hit = sum(e.get("db_cache_hit", 0) for e in ex)
            q, qs = sum(e.get("db_queries", 0) for e in ex), sum(e.get("db_query_secs", 0.0) for e in ex)
            flag = " ⚠ all rounds rejected" if sm["noisy"] else ""
            L.append(f"| {sm['label']} (`{sm['id']}`){flag} | {sm['rps']:,.0f} | {fmt_us(sm['p50_us'])} | "
                     f"{fmt_us(sm['p90_us'])} | {fmt_us(sm['p99_us'])} | {sm['cpu_us']:.1f} | "
                     f"{miss:,} / {miss + hit:,} | " + (fmt_us(qs / q * 1e6) if q else "n/a") +
                     f" | {sm['kept']}/{sm['tries']} |")
        L.append("")
        if li and ld:
            d = paired_diffs(scenarios, "login_db", "login_inline")
            med = median([x for *_, x in d])
            diff = ld["p50_us"] - li["p50_us"]
            L.append(f"- p50, PostgreSQL − inline: {fmt_us(ld['p50_us'])} − {fmt_us(li['p50_us'])} = "
                     f"**{diff / 1000:.3f} ms** (difference of the medians) → {verdict(diff <= 1000)}; per round: "
                     + ("; ".join(f"round {i}: {fmt_us(x)} − {fmt_us(y)} = {q / 1000:.3f} ms" for i, x, y, q in d)
                        or "no round with both kept")
                     + (f"; median of the per-round differences **{med / 1000:.3f} ms** → {verdict(med <= 1000)}"
                        if med == med else "") + ".")
            L.append(f"- p90: {(ld['p90_us'] - li['p90_us']) / 1000:.3f} ms more; p99: "
                     f"{(ld['p99_us'] - li['p99_us']) / 1000:.3f} ms more (differences of the medians).")
            L.append(f"- The inline login's p50 ({fmt_us(li['p50_us'])}) is the login path with the hash "
                     f"({db['hash']}) and no lookup cost to speak of: the difference above is what the "
                     f"PostgreSQL lookup adds on top of the hash's own cost.")
        L.append("")
    return L


H2_RATIOS = [
    ("gh_h2c_bearer", "gh_bearer_h2load", "**h2c ÷ HTTP/1.1, gatehouse** (one instance, one client tool)"),
    ("gh_h2c_bearer", "haproxy_h2c_jwt", "**gatehouse h2c ÷ peer h2c** (HAProxy jwt_verify)"),
    ("haproxy_h2c_jwt", "haproxy_jwt_h2load", "h2c ÷ HTTP/1.1, HAProxy jwt_verify (one process, one client tool)"),
    ("gh_bearer_h2load", "haproxy_jwt_h2load", "gatehouse ÷ HAProxy over HTTP/1.1, both with h2load"),
    ("gh_bearer_h2load", "gh_bearer", "reference: gatehouse HTTP/1.1, h2load ÷ wrk (same instance)"),
    ("haproxy_jwt_h2load", "haproxy_jwt", "reference: HAProxy HTTP/1.1, h2load ÷ wrk (same frontend)"),
]


# Issue 15's targets for the decision endpoint, and the 2026-11-23 figures it quotes.
DECISION_RATIOS = (
    ("nginx_auth_request", 2.0, "decision endpoint ÷ gatehouse proxying as the auth service"),
    ("nginx_auth_request_haproxy", 1.0, "decision endpoint ÷ HAProxy jwt_verify as the auth service"),
)
DECISION_ISSUE_FIGURES = {"nginx_auth_request": 18_281, "nginx_auth_request_haproxy": 34_629}


def decision_report(by: dict, scenarios: list[Scenario], info: dict) -> list[str]:
    d = by[DECISION_ID]
    L = ["## Decision endpoint (issue 15)", ""]
    L.append("nginx `auth_request` with gatehouse's decision endpoint as the auth service: a decision-only "
             "gatehouse (`[upstream] address = \"none\"`, `[decision] trusted_peers = [\"127.0.0.1/32\"]`, "
             "the default prefix `/.gatehouse/decision`; otherwise the bench's instance config, `[server] "
             f"threads = 1`, on 127.0.0.1:{info['port']}). nginx's `/_auth` location: `proxy_pass "
             "http://gh_decision/.gatehouse/decision`, `proxy_pass_request_body off`, `Content-Length \"\"`, "
             "`X-Original-URI $request_uri`, `X-Original-Method $request_method`, HTTP/1.1 keepalive "
             "(`keepalive 64`), as the other two auth_request rows; `auth_request_set $auth_user "
             "$upstream_http_x_auth_user` and `proxy_set_header X-Auth-User $auth_user` towards the "
             "upstream, the same `return 200` as the other two rows. Checked before measuring (expected "
             "status): " + "; ".join(info["checks"]) + ".")
    if info.get("identity_headers"):
        L.append("")
        L.append("The decision endpoint's allow answer for the bench token carried: "
                 + ", ".join(f"`{k}: {v}`" for k, v in sorted(info["identity_headers"].items())) + ".")
    L.append("")
    L.append("Ratios, all from this run: req/s as the ratio of the medians and round by round (the rounds "
             "where both have a kept try), and CPU per request (nginx plus its auth service; first ÷ second, "
             "below 1 the decision layout costs less per request).")
    L.append("")
    L.append("| ratio | target | req/s, ratio of the medians | per round | median per round | "
             "CPU µs/req, first ÷ second |")
    L.append("|---|---:|---:|---|---:|---:|")
    verdicts = []
    for peer, target, what in DECISION_RATIOS:
        if peer not in by:
            continue
        p = by[peer]
        pairs = paired_ratios(scenarios, DECISION_ID, peer)
        per = "; ".join(f"{i}: {q:.3f}" for i, _, _, q in pairs) or "none paired"
        med = median([q for *_, q in pairs])
        noisy = " ⚠ from rejected rounds" if d["noisy"] or p["noisy"] else ""
        q = d["rps"] / p["rps"]
        cpu = (f"{d['cpu_us']:.1f} / {p['cpu_us']:.1f} = {d['cpu_us'] / p['cpu_us']:.3f}×"
               if p["cpu_us"] == p["cpu_us"] and p["cpu_us"] else "n/a")
        L.append(f"| {what}: `{DECISION_ID}` ÷ `{peer}` | ≥ {target:.1f}× | {d['rps']:,.0f} / {p['rps']:,.0f} = "
                 f"**{q:.3f}×**{noisy} | {per} | {f'{med:.3f}×' if med == med else 'n/a'} | {cpu} |")
        verdicts.append(f"- ≥ {target:.1f}× `{peer}`: ratio of the medians {q:.3f}× → "
                        f"{'**holds**' if q >= target else '**misses**'}; median of the per-round ratios "
                        + (f"{med:.3f}× → {'**holds**' if med >= target else '**misses**'}"
                           if med == med else "n/a (no round with both kept)")
                        + f"; {p['kept']} and {d['kept']} rounds kept (of {p['tries']} and {d['tries']} tries).")
    if "nginx_auth_request" in by and "nginx_auth_request_haproxy" in by:
        a, b = by["nginx_auth_request_haproxy"], by["nginx_auth_request"]
        pairs = paired_ratios(scenarios, "nginx_auth_request_haproxy", "nginx_auth_request")
        L.append(f"| reference: `nginx_auth_request_haproxy` ÷ `nginx_auth_request` | | {a['rps']:,.0f} / "
                 f"{b['rps']:,.0f} = {a['rps'] / b['rps']:.3f}× | "
                 + ("; ".join(f"{i}: {q:.3f}" for i, _, _, q in pairs) or "none paired")
                 + (f" | {median([q for *_, q in pairs]):.3f}× | " if pairs else " | n/a | ")
                 + f"{a['cpu_us']:.1f} / {b['cpu_us']:.1f} = {a['cpu_us'] / b['cpu_us']:.3f}× |")
    L.append("")
    L += verdicts
    L.append("- For orientation only (another run, another day; the targets are judged within this run): "
             "against the 2026-11-23 figures the issue quotes, "
             + "; ".join(f"`{k}` {v:,} req/s → {d['rps'] / v:.2f}×" for k, v in DECISION_ISSUE_FIGURES.items())
             + ".")
    hits = sum(e.get("cache_hit", 0) for e in d["extra"])
    misses = sum(e.get("cache_miss", 0) for e in d["extra"])
    L.append(f"- The decision instance's verifier cache over the {'kept ' if not d['noisy'] else ''}rounds "
             f"of its row above: {hits:,} hits, {misses:,} misses (from its own metrics; the priming request "
             "before each round is not counted).")
    conns = info.get("connections", {})
    if conns:
        L.append("")
        L.append("nginx's connections to each auth service (from /proc/net/tcp: established from nginx's side, "
                 "and sockets in TIME-WAIT on that port). Without keepalive every subrequest would leave one in "
                 "TIME-WAIT for 60 s, tens of thousands per round; the few dozen here are connections nginx drops "
                 "when wrk ends a run with subrequests in flight (a connection with an unread answer cannot be "
                 "reused), and the established ones, the pool waiting for the next round:")
        L.append("")
        L.append("| auth service of | " + " | ".join(conns) + " |")
        L.append("|---|" + "---:|" * len(conns))
        rows = sorted({k for c in conns.values() for k in c})
        for row in rows:
            L.append(f"| `{row}` | " + " | ".join(
                f"{c[row]['established']} established, {c[row]['time_wait']} TIME-WAIT" if row in c else "n/a"
                for c in conns.values()) + " |")
    L.append("")
    return L


def http2_report(by: dict, summaries: list[dict], scenarios: list[Scenario]) -> list[str]:
    """The h2load rows: their table and the ratios between them, all from this run."""
    L = ["## HTTP/2 (h2c), measured with h2load", ""]
    c2, m2 = h2load_params("h2c")
    c1, m1 = h2load_params("h1")
    L.append(f"These rows use h2load (one thread, pinned to core {CLIENT_CORE} with the upstream) instead "
             f"of wrk: over h2c `h2load -t1 -c{c2} -m{m2} -D{ROUND_SECS}s --warm-up-time={H2LOAD_WARMUP_SECS}s` "
             f"(HTTP/2 with prior knowledge: {c2} connections, {m2} concurrent streams each), over HTTP/1.1 "
             f"`h2load --h1 -t1 -c{c1} -m{m1}` with the same durations ({c1} keep-alive connections, one "
             f"request at a time on each, no pipelining): {c2 * m2} and {c1 * m1} requests in flight. "
             f"The warm-up is not measured: every figure (requests, the proxy's CPU, the other processes' "
             f"CPU) counts from the start of h2load's measured phase. Latencies come from h2load's "
             f"per-request log (a request's start to the end of its response), without wrk's "
             f"coordinated-omission correction, so they compare with each other, not with the wrk rows. "
             f"The upstream side is HTTP/1.1 keep-alive for every row.")
    L.append("")
    L.append("| scenario | client | req/s (median) | req/s range | p50 | p90 | p99 | proxy CPU µs/req | "
             "proxy core busy | client core busy | rounds kept |")
    L.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    rows = [s for s in summaries if s.get("client", "wrk") != "wrk"]
    rows += [by[i] for i in ("gh_bearer", "haproxy_jwt") if i in by]
    for s in rows:
        flag = " ⚠ all rounds rejected" if s["noisy"] else ""
        client = {"h2c": f"h2load h2c `-c{c2} -m{m2}`", "h1": f"h2load HTTP/1.1 `-c{c1} -m{m1}`"}.get(
            s.get("client", "wrk"), f"wrk HTTP/1.1 `-c{CONNECTIONS}`")
        L.append(f"| {s['label']}{flag} | {client} | {s['rps']:,.0f} | {s['rps_min']:,.0f}–{s['rps_max']:,.0f} | "
                 f"{fmt_us(s['p50_us'])} | {fmt_us(s['p90_us'])} | {fmt_us(s['p99_us'])} | {s['cpu_us']:.1f} | "
                 f"{s['proxy_busy']:.0%} | {s['client_busy']:.0%} | {s['kept']}/{s['tries']} |")
    L.append("")
    L.append("Ratios, all from this run: req/s as the ratio of the medians and round by round (the rounds "
             "where both have a kept try), and CPU per request (first ÷ second: below 1, the first row "
             "costs less per request).")
    L.append("")
    L.append("| ratio | req/s, ratio of the medians | per round | median per round | CPU µs/req, first ÷ second |")
    L.append("|---|---:|---|---:|---:|")
    for a, b, what in H2_RATIOS:
        if a not in by or b not in by:
            continue
        sa, sb = by[a], by[b]
        pairs = paired_ratios(scenarios, a, b)
        noisy = " ⚠ from rejected rounds" if sa["noisy"] or sb["noisy"] else ""
        per = "; ".join(f"{i}: {q:.3f}" for i, _, _, q in pairs) or "none paired"
        med = median([q for *_, q in pairs])
        med_s = f"{med:.3f}×" if med == med else "n/a"
        cpu = f"{sa['cpu_us']:.1f} / {sb['cpu_us']:.1f} = {sa['cpu_us'] / sb['cpu_us']:.3f}×" \
            if sb["cpu_us"] == sb["cpu_us"] and sb["cpu_us"] else "n/a"
        L.append(f"| {what}: `{a}` ÷ `{b}` | {sa['rps']:,.0f} / {sb['rps']:,.0f} = "
                 f"**{sa['rps'] / sb['rps']:.3f}×**{noisy} | {per} | {med_s} | {cpu} |")
    L.append("")
    return L


def write_report(summaries: list[dict], scenarios: list[Scenario], info: dict, memory: dict | None,
                 started: str, elapsed: float, md_path: str, png_path: str | None,
                 revoked: dict | None = None, ab: dict | None = None, db: dict | None = None,
                 decision: dict | None = None) -> None:
    by = {s["id"]: s for s in summaries}
    peers = [("haproxy_jwt", "HAProxy jwt_verify"), ("nginx_auth_request", "nginx auth_request"),
             ("gh_public", "gatehouse public")]
    L = []
    L.append(f"# gatehouse load benchmark: {started} on {info['host']}")
    L.append("")
    L.append(f"Command: `{os.environ.get('LOADBENCH_COMMAND', 'benches/load/run.sh')}`; "
             f"{ROUNDS} alternating round(s) of {ROUND_SECS} s per scenario, "
             f"`wrk -t{WRK_THREADS} -c{CONNECTIONS} -d{ROUND_SECS}s --latency`, total {elapsed / 60:.1f} min.")
    L.append("")
    L.append(f"Machine: {info['cpu']}, {info['cores']} cores (virtualised: {info['virtualised']}), "
             f"{info['memory_gib']} GiB, {info['os']}, Linux {info['kernel']}. "
             f"{info['nginx']}; {info['haproxy']}; {info['wrk']}; "
             + (f"{info['h2load']}; " if any(s.get("client", "wrk") != "wrk" for s in summaries) else "")
             + f"{info['gatehouse']} at commit {info['commit']}. Load average at start: "
             f"{' '.join(info['loadavg_at_start'])}.")
    L.append("")
    L.append(f"The proxy under test runs on core {PROXY_CORE}; wrk and the upstream (nginx `return 200`) "
             f"on core {CLIENT_CORE}; every benchmark process at nice {NICE}. "
             f"A round is rejected (and tried again, up to {MAX_TRIES} times) when processes outside the "
             f"benchmark used more than {OTHER_CPU_MAX:.0%} of a core during it, when the hypervisor stole "
             f"as much, or when any response was not 2xx. Figures are medians over the kept rounds.")
    L.append("")
    if png_path:
        L.append(f"![req/s and CPU per request]({os.path.basename(png_path)})")
        L.append("")
    L.append("## Results")
    L.append("")
    L.append("| scenario | req/s (median) | req/s range | p50 | p99 | proxy CPU µs/req | proxy core busy | "
             "client core busy | × HAProxy jwt_verify | × nginx auth_request | × gatehouse public | rounds kept |")
    L.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for s in summaries:
        if s["group"] in ("pressure", "login") or s.get("client", "wrk") != "wrk":
            continue
        flag = " ⚠ all rounds rejected" if s["noisy"] else ""
        L.append(f"| {s['label']}{flag} | {s['rps']:,.0f} | {s['rps_min']:,.0f}–{s['rps_max']:,.0f} | "
                 f"{fmt_us(s['p50_us'])} | {fmt_us(s['p99_us'])} | {s['cpu_us']:.1f} | "
                 f"{s['proxy_busy']:.0%} | {s['client_busy']:.0%} | "
                 + " | ".join(ratio(s["rps"], by[p]["rps"]) if p in by else "n/a" for p, _ in peers)
                 + f" | {s['kept']}/{s['tries']} |")
    L.append("")
    L.append("*Proxy core busy* is the proxy's own CPU time over the round (100 % = its core saturated; "
             "for the upstream row, the upstream nginx's). *Client core busy* is wrk plus the upstream nginx "
             "on the other core: near 100 % the load generator, not the proxy, set the pace, and req/s "
             "understates the proxy; CPU µs/req stays comparable either way.")
    L.append("")
    L.append("The ratio columns divide this row's req/s by the peer's. CPU per request compares work "
             "done independently of who saturated first; its ratios (peer's µs/req ÷ this row's, so "
             "above 1 means this row is cheaper):")
    L.append("")
    L.append("| scenario | proxy CPU µs/req | HAProxy jwt_verify ÷ this | nginx auth_request ÷ this | gatehouse public ÷ this |")
    L.append("|---|---:|---:|---:|---:|")
    for s in summaries:
        if s["group"] in ("pressure", "login") or s.get("client", "wrk") != "wrk":
            continue
        L.append(f"| {s['label']} | {s['cpu_us']:.1f} | "
                 + " | ".join(ratio(by[p]["cpu_us"], s["cpu_us"]) if p in by else "n/a" for p, _ in peers)
                 + " |")
    L.append("")

    # Targets
    L.append("## Targets (reported, never asserted)")
    L.append("")
    b, ha, na, pub = (by.get(k) for k in ("gh_bearer", "haproxy_jwt", "nginx_auth_request", "gh_public"))

    def verdict(ok: bool) -> str:
        return "**holds**" if ok else "**misses**"

    if b and ha:
        L.append(f"- Cached Bearer ≥ 1.0× HAProxy jwt_verify throughput: {b['rps']:,.0f} vs {ha['rps']:,.0f} req/s = "
                 f"{ratio(b['rps'], ha['rps'])} → {verdict(b['rps'] >= ha['rps'])} "
                 f"(CPU per request {b['cpu_us']:.1f} vs {ha['cpu_us']:.1f} µs).")
        L.append(f"- Cached Bearer p99 ≤ HAProxy's: {fmt_us(b['p99_us'])} vs {fmt_us(ha['p99_us'])} → "
                 f"{verdict(b['p99_us'] <= ha['p99_us'])}.")
    if b and na:
        L.append(f"- Cached Bearer ≥ 1.5× nginx auth_request: {ratio(b['rps'], na['rps'])} → "
                 f"{verdict(b['rps'] >= 1.5 * na['rps'])}.")
    nh = by.get("nginx_auth_request_haproxy")
    if b and nh:
        L.append(f"  - against the cheaper auth_request layout (auth endpoint = HAProxy jwt_verify answering "
                 f"itself): {ratio(b['rps'], nh['rps'])} → {verdict(b['rps'] >= 1.5 * nh['rps'])}.")
    dc = by.get(DECISION_ID)
    if dc and na:
        L.append(f"- nginx auth_request → gatehouse decision endpoint ≥ 2× nginx auth_request → gatehouse "
                 f"proxying: {dc['rps']:,.0f} vs {na['rps']:,.0f} req/s = {dc['rps'] / na['rps']:.3f}× → "
                 f"{verdict(dc['rps'] >= 2 * na['rps'])} (ratio of the medians; see \"Decision endpoint\").")
    if dc and nh:
        L.append(f"- nginx auth_request → gatehouse decision endpoint ≥ 1.0× nginx auth_request → HAProxy "
                 f"jwt_verify: {dc['rps']:,.0f} vs {nh['rps']:,.0f} req/s = {dc['rps'] / nh['rps']:.3f}× → "
                 f"{verdict(dc['rps'] >= nh['rps'])} (ratio of the medians).")
    if b and pub:
        L.append(f"- Cached Bearer ≥ 0.97× gatehouse public route: {ratio(b['rps'], pub['rps'])} → "
                 f"{verdict(b['rps'] >= 0.97 * pub['rps'])} (CPU {b['cpu_us']:.1f} vs {pub['cpu_us']:.1f} µs/req).")
    rv = by.get("gh_bearer_revoked")
    if b and rv:
        live = f"{revoked['live']:,}" if revoked else "the"
        pairs = paired_ratios(scenarios, "gh_bearer_revoked", "gh_bearer")
        noisy = " ⚠ every round of one of them was rejected, so this compares rejected rounds" \
            if rv["noisy"] or b["noisy"] else ""
        L.append(f"- Cached Bearer with {live} live revocations ≥ 0.98× the same without any: "
                 f"{rv['rps']:,.0f} vs {b['rps']:,.0f} req/s = {rv['rps'] / b['rps']:.3f}× → "
                 f"{verdict(rv['rps'] >= 0.98 * b['rps'])} (ratio of the medians; CPU per request "
                 f"{rv['cpu_us']:.1f} vs {b['cpu_us']:.1f} µs, {b['cpu_us'] / rv['cpu_us']:.3f}× as "
                 f"\"without ÷ with\").{noisy}")
        if pairs:
            L.append(f"  - round by round (kept rounds of both): "
                     + "; ".join(f"round {i}: {x:,.0f} vs {y:,.0f} = {q:.3f}×" for i, x, y, q in pairs)
                     + f"; median of the per-round ratios {median([q for *_, q in pairs]):.3f}×.")
    an, al = by.get(AB_NONE), by.get(AB_LIVE)
    if an and al:
        total = f"{ab['total']:,}" if ab else "the"
        pairs = paired_ratios(scenarios, AB_LIVE, AB_NONE)
        med_pairs = median([q for *_, q in pairs])
        noisy = " ⚠ every round of one of them was rejected, so this compares rejected rounds" \
            if an["noisy"] or al["noisy"] else ""
        L.append(f"- Same process (`{AB_ID}`): cached Bearer with {total} live revocations ≥ 0.98× the same "
                 f"instance with none: ratio of the medians {al['rps']:,.0f} / {an['rps']:,.0f} req/s = "
                 f"**{al['rps'] / an['rps']:.3f}×** → {verdict(al['rps'] >= 0.98 * an['rps'])}; "
                 + (f"median of the per-round ratios **{med_pairs:.3f}×** → {verdict(med_pairs >= 0.98)} "
                  if med_pairs == med_pairs else "no round with both halves kept, so no per-round ratio ")
                 + f"(CPU per request {al['cpu_us']:.1f} vs {an['cpu_us']:.1f} µs, "
                 f"{an['cpu_us'] / al['cpu_us']:.3f}× as \"without ÷ with\").{noisy}")
        if pairs:
            L.append(f"  - round by round (kept rounds of both; order ABBA, so odd rounds measured none "
                     f"first, even rounds {total} first): "
                     + "; ".join(f"round {i}: {x:,.0f} / {y:,.0f} = {q:.3f}×" for i, x, y, q in pairs) + ".")
    L.append("")

    if decision and DECISION_ID in by:
        L += decision_report(by, scenarios, decision)

    if any(s.get("client", "wrk") != "wrk" for s in summaries):
        L += http2_report(by, summaries, scenarios)

    if db:
        L += user_database_report(by, scenarios, db)

    if ab:
        L.append("## Same-process A/B: loads and lifts")
        L.append("")
        L.append(f"One gatehouse instance (`gh_ab`) served both rows of `{AB_ID}`. Between its measurements "
                 f"the harness loaded {ab['jtis']:,} `jti` and {ab['users']:,} user revocations "
                 f"(`POST /revocations`, `expires_at` a day ahead) or lifted them all (`DELETE "
                 f"/revocations/jti/<id>`, `/revocations/user/<name>`), over one keep-alive admin connection "
                 f"from loopback; none of that time is measured. After each: `gatehouse_revocations_live` "
                 f"read back, two probe tokens (a revoked `jti` of `admin`, and a token of "
                 f"`{REVOKED_USER_PREFIX}0000` issued before the first load) expected 401 when loaded and 200 "
                 f"when lifted, a wait until the instance used under 2 % of a core, then {ab['settle_secs']} s "
                 f"of unmeasured load. The main instance's metric read {ab['main_instance_live']:.0f} at the end "
                 f"(its store is its own).")
        L.append("")
        L.append("| before round | action | took | per second | reconnects | `gatehouse_revocations_live` after | "
                 "probes | idle wait | RSS after |")
        L.append("|---:|---|---:|---:|---:|---:|---|---:|---:|")
        for t in ab["transitions"]:
            probes = ", ".join(f"{v}" for v in t["probes"].values()) or "none"
            L.append(f"| {t['round']} | {t['action']} | {t['secs']:.1f} s | {t['per_sec']:,.0f} | {t['reconnects']} | "
                     f"{t['live_after']:,.0f} | {probes} | {t['idle_wait_secs']:.1f} s | {t['rss_kb'] / 1024:.1f} MiB |")
        L.append("")
        if ab["probe_failures"]:
            L.append("Probe failures: " + "; ".join(ab["probe_failures"]) + ".")
        else:
            L.append("Every probe answered as expected.")
        L.append("")

    if revoked:
        L.append("## Revocations")
        L.append("")
        L.append(f"The revocations instance was loaded through its admin API before the warm-up: "
                 f"{revoked['jtis']:,} `POST /revocations` with random `jti`s and {revoked['users']:,} with users "
                 f"other than the token's, from this harness over one keep-alive connection "
                 f"({revoked['reconnects']} reconnects), each with `expires_at` a day ahead so none lapses "
                 f"during the run: {revoked['secs']:.1f} s, {revoked['per_sec']:,.0f} per second (each a "
                 f"SQLite commit with `synchronous = FULL`, and a copy-on-write update of the mirror). "
                 f"`gatehouse_revocations_live` then read {revoked['live']:,} on that instance and "
                 f"{revoked['main_instance_live']:.0f} on the main one, and {revoked.get('live_after', float('nan')):,.0f} "
                 f"on the revocations instance after the rounds. Checked before measuring (expected status): "
                 + "; ".join(revoked["checks"]) + ".")
        L.append("")

    miss = by.get("gh_miss")
    if miss and miss["extra"]:
        fr = [e.get("cache_miss", 0) / max(1, e.get("cache_miss", 0) + e.get("cache_hit", 0)) for e in miss["extra"]]
        L.append(f"Cache-miss burst: {median(fr):.1%} of its requests were verifier cache misses "
                 f"(from gatehouse's own metrics), each a distinct freshly minted token.")
        L.append("")

    pressures = [s for s in summaries if s["group"] == "pressure"]
    if pressures:
        L.append("## Under pressure")
        L.append("")
        L.append(f"{PRESSURE_CLIENTS} clients (one `wrk -c{PRESSURE_CLIENTS}` on core {CLIENT_CORE}) post wrong passwords "
                 "for `admin` to the kerong login endpoint (`POST /api/v1/auth/token`, a different wrong "
                 "password each time) while the cached-Bearer verify load runs. The undisturbed figure is "
                 "the cached-Bearer row above (same binary, same config apart from the rate limit).")
        L.append("")
        L.append("| scenario | verify req/s | vs undisturbed | verify p50 | verify p99 | gatehouse CPU µs per verify | login attempts/s | login answers | password hashes computed/s |")
        L.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for s in pressures:
            logins = [e.get("login", {}) for e in s["extra"]]
            lrps = median([l.get("rps", float("nan")) for l in logins])
            statuses: dict = {}
            for l in logins:
                for k, v in l.get("statuses", {}).items():
                    statuses[k] = statuses.get(k, 0) + v
            st = ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items())) or "n/a"
            hashes = median([e.get("password_checks", 0) / ROUND_SECS for e in s["extra"]])
            L.append(f"| {s['label']} | {s['rps']:,.0f} | {ratio(s['rps'], b['rps']) if b else 'n/a'} | "
                     f"{fmt_us(s['p50_us'])} | {fmt_us(s['p99_us'])} | {s['cpu_us']:.1f} | {lrps:,.1f} | {st} | {hashes:.1f} |")
        L.append("")

    if memory:
        L.append("## Memory")
        L.append("")
        L.append("| process | RSS idle | note |")
        L.append("|---|---:|---|")
        for name, (kb, note) in memory.get("idle", {}).items():
            L.append(f"| {name} | {kb / 1024:.1f} MiB | {note} |")
        if "filled" in memory:
            f = memory["filled"]
            L.append(f"| gatehouse, after {f['sent']:,} distinct tokens | {f['rss_kb'] / 1024:.1f} MiB | "
                     f"{f['entries']:,.0f} cache entries; {f['per_entry_bytes']:,.0f} bytes per entry above idle; "
                     f"each token sent once (wrk ran {f['secs']:.0f} s); `cache_capacity = {f['capacity']:,}` |")
        L.append("")

    L.append("## Every round")
    L.append("")
    L.append("| scenario | round | try | req/s | p50 | p99 | proxy µs/req | proxy core | client core | other CPU | steal | kept | notes |")
    L.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|")
    for sc in scenarios:
        for r in sc.rounds:
            notes = r.reason
            ex = {k: v for k, v in r.extra.items()
                  if k in ("cache_miss", "cache_hit", "password_checks", "sent", "wraps", "login",
                           "db_cache_miss", "db_cache_hit", "db_queries", "db_errors")}
            if ex:
                notes = (notes + "; " if notes else "") + json.dumps(ex, ensure_ascii=False)
            L.append(f"| {sc.id} | {r.index} | {r.attempt} | {r.rps:,.0f} | {fmt_us(r.p50_us)} | {fmt_us(r.p99_us)} | "
                     f"{r.cpu_us_per_req:.1f} | {r.proxy_busy:.0%} | {r.client_busy:.0%} | {r.other:.1%} | "
                     f"{r.steal:.1%} | {'yes' if r.accepted else 'no'} | {notes} |")
    L.append("")
    L.append("## Scenarios")
    L.append("")
    for sc in scenarios:
        L.append(f"- **{sc.label}** (`{sc.id}`): {sc.note}")
    L.append("")
    with open(md_path, "w") as f:
        f.write("\n".join(L))


def write_chart(summaries: list[dict], png_path: str, title: str) -> bool:
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        log("matplotlib is missing: no PNG chart (run.sh installs python3-matplotlib)")
        return False
    # The login rows (a few thousand logins/s at one connection, ~1 ms each) have their own
    # table in the report; on these axes they would only squash the others.
    rows = [s for s in summaries if s["group"] != "login"]
    if not rows:
        return False
    labels = [s["label"] for s in rows]
    colors = {"baseline": "#9e9e9e", "peer": "#4a7fb5", "gatehouse": "#2e9d57", "pressure": "#d9822b"}
    col = [colors.get(s["group"], "#666") for s in rows]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(14, 0.55 * len(rows) + 1.8), sharey=True)
    y = list(range(len(rows)))[::-1]
    rps = [s["rps"] for s in rows]
    lo = [max(0, s["rps"] - s["rps_min"]) for s in rows]
    hi = [max(0, s["rps_max"] - s["rps"]) for s in rows]
    ax1.barh(y, rps, color=col, xerr=[lo, hi], capsize=3)
    for yi, v, top in zip(y, rps, [s["rps_max"] for s in rows]):
        ax1.text(max(v, top), yi, f"  {v:,.0f}", va="center", fontsize=8)
    ax1.set_yticks(y)
    ax1.set_yticklabels(labels, fontsize=9)
    ax1.set_xlabel("requests per second (median; whiskers: min–max of kept rounds)")
    ax1.set_xlim(0, max(rps) * 1.22 if rps else 1)
    cpu = [s["cpu_us"] for s in rows]
    ax2.barh(y, cpu, color=col)
    for yi, v in zip(y, cpu):
        ax2.text(v, yi, f" {v:.1f}", va="center", fontsize=8)
    ax2.set_xlabel("proxy CPU µs per request (lower is better)")
    ax2.set_xlim(0, max(c for c in cpu if c == c) * 1.22 if cpu else 1)
    fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    fig.savefig(png_path, dpi=110)
    plt.close(fig)
    return True


# ---------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------

def main() -> None:
    started_wall = time.monotonic()
    started = _dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    if os.cpu_count() < 2 or max(PROXY_CORE, CLIENT_CORE) >= os.cpu_count():
        die(f"needs cores {PROXY_CORE} and {CLIENT_CORE}; this machine has {os.cpu_count()}")
    want_h2 = HTTP2 and (not ONLY or any(i in ONLY for i in H2_SCENARIOS))
    for tool in ("nginx", "haproxy", "wrk", "taskset") + (("h2load", "stdbuf") if want_h2 else ()):
        if not shutil.which(tool):
            die(f"{tool} is not installed (run.sh installs it)")
    if os.path.exists(WORKDIR):
        shutil.rmtree(WORKDIR)
    os.makedirs(WORKDIR)
    os.makedirs(RESULTS_DIR, exist_ok=True)
    # A private copy of the binary: a concurrent `cargo build` cannot swap it mid-run.
    global GATEHOUSE_BIN
    private_bin = os.path.join(WORKDIR, "gatehouse-bin")
    shutil.copy2(GATEHOUSE_BIN, private_bin)
    GATEHOUSE_BIN = private_bin
    info = machine_info()
    log(f"machine: {info['cpu']}, {info['cores']} cores, Linux {info['kernel']}; gatehouse {info['commit']}")
    log(f"settings: {ROUNDS} round(s) x {ROUND_SECS}s, wrk -t{WRK_THREADS} -c{CONNECTIONS}, nice {NICE}, "
        f"reject when others use > {OTHER_CPU_MAX:.0%}; workdir {WORKDIR}")

    key = demo_token_key()
    up_port, up_auth_port, np_port, na_port, nh_port, ha_port, haa_port, hah2_port, nd_port = free_ports(9)

    # Upstream on the client core: `return 200`, plus a second server for the auth_request
    # layout whose answer carries the identity header gatehouse added.
    upstream_conf = nginx_conf("upstream", f"""
  server {{
    listen 127.0.0.1:{up_port} backlog=4096;
    location / {{ default_type text/plain; return 200 "ok\\n"; }}
  }}
  server {{
    listen 127.0.0.1:{up_auth_port} backlog=4096;
    location / {{ add_header X-Auth-User $http_x_auth_user always; return 200; }}
  }}""")
    upstream = start_nginx("upstream", upstream_conf, CLIENT_CORE)
    wait_http(f"http://127.0.0.1:{up_port}/", upstream)

    # gatehouse instances (all on the proxy core, each idle unless its scenario runs).
    # The main instance takes h2c beside HTTP/1.1 (as the demo config does): the h2load
    # rows measure it over both, so every ratio among its rows compares one process.
    gh = start_gatehouse(write_gatehouse_config("gatehouse", up_port, h2c=True))
    gh_auth = start_gatehouse(write_gatehouse_config("gh_auth", up_auth_port))
    # The decision endpoint as nginx's auth service: decision-only (no upstream at all),
    # believing nginx's X-Original-URI/-Method from loopback.
    gh_dec = start_gatehouse(write_gatehouse_config("gh_decision", up_auth_port, upstream_address="none",
                                                    decision_trusted_peers=["127.0.0.1/32"]))
    # The cache-miss burst floods a cache: it gets its own instance so that it cannot
    # evict the entries of the cached scenarios.
    gh_missi = start_gatehouse(write_gatehouse_config("gh_miss", up_port))
    gh_press_rl = gh_press = gh_nosteal = gh_log = None
    if VARIANTS:
        gh_nosteal = start_gatehouse(write_gatehouse_config("gh_nosteal", up_port, work_stealing=False))
        gh_log = start_gatehouse(write_gatehouse_config("gh_log", up_port, access_log="json"))
    if PRESSURE:
        gh_press_rl = start_gatehouse(write_gatehouse_config("gh_pressure_rl", up_port))
        gh_press = start_gatehouse(write_gatehouse_config("gh_pressure", up_port, rate_limit=False))
    # The revocations scenario: gh_bearer's config plus 1,000 users to revoke (by default),
    # its own store; loaded with revocations below, once the token exists.
    gh_rev = None
    if REVOCATIONS and (not ONLY or "gh_bearer_revoked" in ONLY):
        gh_rev = start_gatehouse(write_gatehouse_config(
            "gh_revoked", up_port,
            users_file=write_revoked_users("gh_revoked", REVOKED_USERS) if REVOKED_USERS else None))

    # The same-process A/B: one instance measured with none and then with the revocations,
    # loaded and lifted between measurements (run_revoked_ab). Same config as gh_revoked.
    gh_ab = None
    if REVOCATIONS and (not ONLY or AB_ID in ONLY):
        gh_ab = start_gatehouse(write_gatehouse_config(
            "gh_ab", up_port,
            users_file=write_revoked_users("gh_ab", REVOKED_USERS) if REVOKED_USERS else None))

    # The user database scenarios: a throwaway PostgreSQL cluster (pinned to PG_CORE, the
    # proxy's core by default) and one gatehouse whose users come from it.
    pg = gh_db = db_info = None
    if USER_DATABASE and (not ONLY or any(i in ONLY for i in DB_SCENARIOS)):
        pg, gh_db, db_info = start_user_database(up_port)

    haproxy_cfg = haproxy_conf(key.secret, key.issuer, ha_port, haa_port, up_port,
                               h2_port=hah2_port if want_h2 else None)
    haproxy = Proc("haproxy", ["haproxy", "-db", "-f", haproxy_cfg], PROXY_CORE)

    proxy_conf = nginx_conf("nginx", f"""
  upstream backend {{ server 127.0.0.1:{up_port}; keepalive 64; keepalive_requests 1000000; }}
  upstream gh_auth {{ server 127.0.0.1:{gh_auth.port}; keepalive 64; keepalive_requests 1000000; }}
  upstream ha_auth {{ server 127.0.0.1:{haa_port}; keepalive 64; keepalive_requests 1000000; }}
  upstream gh_decision {{ server 127.0.0.1:{gh_dec.port}; keepalive 64; keepalive_requests 1000000; }}
  upstream auth_echo {{ server 127.0.0.1:{up_auth_port}; keepalive 8; }}

  # nginx plain proxy
  server {{
    listen 127.0.0.1:{np_port} backlog=4096;
    location / {{
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }}
  }}

  # nginx auth_request -> gatehouse as the auth endpoint (the oauth2-proxy layout)
  server {{
    listen 127.0.0.1:{na_port} backlog=4096;
    location / {{
      auth_request /_auth;
      auth_request_set $auth_user $upstream_http_x_auth_user;
      proxy_set_header X-Auth-User $auth_user;
      proxy_set_header Authorization "";
      proxy_set_header Connection "";
      proxy_http_version 1.1;
      proxy_pass http://backend;
    }}
    location = /_auth {{
      internal;
      proxy_pass http://gh_auth;
      proxy_pass_request_body off;
      proxy_set_header Content-Length "";
      proxy_set_header X-Original-URI $request_uri;
      proxy_set_header Connection "";
      proxy_http_version 1.1;
    }}
  }}

  # nginx auth_request -> HAProxy jwt_verify answering by itself
  server {{
    listen 127.0.0.1:{nh_port} backlog=4096;
    location / {{
      auth_request /_auth;
      auth_request_set $auth_user $upstream_http_x_auth_user;
      proxy_set_header X-Auth-User $auth_user;
      proxy_set_header Authorization "";
      proxy_set_header Connection "";
      proxy_http_version 1.1;
      proxy_pass http://backend;
    }}
    location = /_auth {{
      internal;
      proxy_pass http://ha_auth;
      proxy_pass_request_body off;
      proxy_set_header Content-Length "";
      proxy_set_header X-Original-URI $request_uri;
      proxy_set_header Connection "";
      proxy_http_version 1.1;
    }}
  }}

  # nginx auth_request -> gatehouse's decision endpoint (decision-only gatehouse)
  server {{
    listen 127.0.0.1:{nd_port} backlog=4096;
    location / {{
      auth_request /_auth;
      auth_request_set $auth_user $upstream_http_x_auth_user;
      proxy_set_header X-Auth-User $auth_user;
      proxy_set_header Authorization "";
      proxy_set_header Connection "";
      proxy_http_version 1.1;
      proxy_pass http://backend;
    }}
    # Start-up check only, never measured: the same auth, forwarded to the upstream
    # that echoes X-Auth-User, so the harness sees what the upstream received.
    location /_identity_check/ {{
      auth_request /_auth;
      auth_request_set $auth_user $upstream_http_x_auth_user;
      proxy_set_header X-Auth-User $auth_user;
      proxy_set_header Authorization "";
      proxy_set_header Connection "";
      proxy_http_version 1.1;
      proxy_pass http://auth_echo;
    }}
    location = /_auth {{
      internal;
      proxy_pass http://gh_decision/.gatehouse/decision;
      proxy_pass_request_body off;
      proxy_set_header Content-Length "";
      proxy_set_header X-Original-URI $request_uri;
      proxy_set_header X-Original-Method $request_method;
      proxy_set_header Connection "";
      proxy_http_version 1.1;
    }}
  }}""")
    nginx = start_nginx("nginx", proxy_conf, PROXY_CORE)
    wait_http(f"http://127.0.0.1:{np_port}/", nginx)
    wait_http(f"http://127.0.0.1:{ha_port}/", haproxy)

    time.sleep(1.0)
    idle_rss = {"upstream nginx (master+worker)": (upstream.rss_kb(), "started, no request served"),
                "nginx proxy (master+worker)": (nginx.rss_kb(), "started, no request served"),
                "HAProxy": (haproxy.rss_kb(), "started, no request served"),
                "gatehouse": (gh.proc.rss_kb(), "started, ready, no request served")}

    token = subprocess.run([GATEHOUSE_BIN, "token", "--config", gh.config, "--user", "admin"],
                           capture_output=True, text=True, check=True).stdout.strip()
    bearer = f"Authorization: Bearer {token}"
    basic = "Authorization: Basic " + base64.b64encode(b"admin:masterkey").decode()

    # Every credential path must really answer 200 before anything is measured.
    checks = [
        (f"http://127.0.0.1:{up_port}/x", {}),
        (f"http://127.0.0.1:{np_port}/x", {}),
        (f"http://127.0.0.1:{ha_port}/api/x", {"Authorization": f"Bearer {token}"}),
        (f"http://127.0.0.1:{na_port}/api/x", {"Authorization": f"Bearer {token}"}),
        (f"http://127.0.0.1:{nh_port}/api/x", {"Authorization": f"Bearer {token}"}),
        (f"http://127.0.0.1:{nd_port}/api/x", {"Authorization": f"Bearer {token}"}),
        (f"{gh.base}/public/x", {}),
        (f"{gh.base}/api/x", {"Authorization": f"Bearer {token}"}),
        (f"{gh.base}/api/x", {"Authorization": basic.split(": ", 1)[1]}),
    ]
    for url, hdrs in checks:
        status = http_get(url, hdrs)[0]
        if status != 200:
            die(f"{url} answered {status}, not 200")
    for url in (f"http://127.0.0.1:{ha_port}/api/x", f"http://127.0.0.1:{na_port}/api/x",
                f"http://127.0.0.1:{nd_port}/api/x", f"{gh.base}/api/x"):
        status = http_get(url, {"Authorization": "Bearer " + token[:-2] + "xx"})[0]
        if status != 401:
            die(f"{url} answered {status} to a forged token, not 401: the peer does not verify")
    decision_info = check_decision(gh_dec, nd_port, token)
    log("decision endpoint: " + "; ".join(decision_info["checks"]))
    h2_checks = []
    if want_h2:
        # The h2load rows: each port, in each protocol it is measured in, serves the token
        # (200), refuses a forged one (401) and speaks the protocol asked for.
        forged = "Bearer " + token[:-2] + "xx"
        targets = [(f"http://127.0.0.1:{hah2_port}/api/x", "h2c"), (f"http://127.0.0.1:{ha_port}/api/x", "h1")]
        targets += [(f"{gh.base}/api/x", "h2c"), (f"{gh.base}/api/x", "h1")]
        for url, proto in targets:
            for auth, want in ((f"Bearer {token}", 200), (forged, 401)):
                status, spoke = h2load_request(url, {"Authorization": auth}, proto)
                expect = "h2c" if proto == "h2c" else "http/1.1"
                if status != want or spoke != expect:
                    die(f"h2load ({proto}) to {url}: status {status} over {spoke}; expected {want} over {expect}"
                        + (f"\n{gh.proc.tail()}" if url.startswith(gh.base) else ""))
            h2_checks.append(f"`{url}` over {expect}: token → 200, forged token → 401")
        log("h2load checks: " + "; ".join(h2_checks))

    revoked_info = None
    if gh_rev:
        revoked_info = prepare_revoked(gh_rev, gh, key, token)
        idle_rss[f"gatehouse with {revoked_info['live']:,} live revocations"] = (
            gh_rev.proc.rss_kb(), f"after loading them; {REVOKED_USERS:,} more users configured; "
                                  "no proxied request served yet")

    if gh_db:
        # Tokens as `gatehouse token` makes them, which looks the user up: `admin` in
        # PostgreSQL, `inline-admin` in the users file.
        db_token = gatehouse_token(gh_db.config, "admin")
        db_inline_token = gatehouse_token(gh_db.config, INLINE_ADMIN)
        db_info["checks"] = check_user_database(gh_db, key, db_token, db_inline_token)
        log("user database: " + "; ".join(db_info["checks"]))
        idle_rss["gatehouse with the PostgreSQL user database"] = (
            gh_db.proc.rss_kb(), f"after the start-up checks; {LOGIN_USERS + 1:,} inline users configured")
        idle_rss["PostgreSQL (postmaster and its processes)"] = (
            pg.proc.rss_kb(), f"{db_info['users']:,} users loaded; gatehouse's pool connected; a sum over "
                              "its processes, so the shared buffers they touched count once per process")

    tokens_dir = os.path.join(WORKDIR, "tokens")
    os.makedirs(tokens_dir)
    burst_size = {"n": 200_000}

    def prepare_miss(tag: str) -> dict:
        path = mint_tokens(key, burst_size["n"], os.path.join(tokens_dir, f"{tag}.txt"))
        return {"LOADBENCH_TOKENS": path, "LOADBENCH_PATH": "/api/x", "LOADBENCH_AFTER": "wrap"}

    def login_hammer(target: GatehouseInstance):
        def start(secs: int) -> Wrk:
            return Wrk(f"{target.base}/api/v1/auth/token", secs, conns=PRESSURE_CLIENTS,
                       script=os.path.join(HERE, "login.lua"), tag="wrk-login")
        return start

    scenarios = [
        Scenario("upstream", "upstream direct (nginx return 200)", f"http://127.0.0.1:{up_port}/x",
                 ["upstream"], group="baseline",
                 note=f"wrk straight to the upstream nginx (`return 200`); wrk and nginx share core {CLIENT_CORE} "
                      "and the CPU column is the upstream nginx's own. The ceiling of the load generator."),
        Scenario("nginx_proxy", "nginx plain proxy", f"http://127.0.0.1:{np_port}/x", ["nginx"],
                 note="nginx (1 worker) proxy_pass to the upstream over keepalive connections; no auth."),
        Scenario("haproxy_jwt", "HAProxy 2.6 jwt_verify", f"http://127.0.0.1:{ha_port}/api/x", ["haproxy"],
                 headers=[bearer],
                 note="HAProxy (nbthread 1): alg must be HS256, `jwt_verify` with the demo secret, `exp` checked "
                      "against `date()`, `iss` checked, `sub`/`jti` copied to X-Auth-User/X-Auth-Token-Id, "
                      "X-Auth-Method set, Authorization removed, forwarded. Verifies the signature on every "
                      "request (it has no cache). Same token as gatehouse's Bearer scenarios."),
        Scenario("nginx_auth_request", "nginx auth_request → gatehouse", f"http://127.0.0.1:{na_port}/api/x",
                 ["nginx", "gh_auth"], headers=[bearer],
                 note="The oauth2-proxy layout: nginx `auth_request /_auth` proxies a subrequest to an auth "
                      "service, copies its X-Auth-User answer onto the request and proxies to the upstream. "
                      "The auth service is a second gatehouse (cached Bearer, 1 thread) whose upstream is a "
                      "`return 200` that echoes X-Auth-User back. Both nginx and that gatehouse are pinned to "
                      "the proxy core and both count as the proxy's CPU. Chosen because it is the same verifier, "
                      "so the row isolates the cost of the auth_request layout itself."),
        Scenario("nginx_auth_request_haproxy", "nginx auth_request → HAProxy jwt_verify",
                 f"http://127.0.0.1:{nh_port}/api/x", ["nginx", "haproxy"], headers=[bearer],
                 note="Same nginx layout, but the auth endpoint is HAProxy running the jwt_verify checks above "
                      "and answering 200 with X-Auth-User itself (no upstream hop): the cheapest auth_request "
                      "layout at hand. A reference, not the issue's named peer."),
        Scenario(DECISION_ID, "nginx auth_request → gatehouse decision endpoint",
                 f"http://127.0.0.1:{nd_port}/api/x", ["nginx", "gh_decision"], headers=[bearer],
                 group="gatehouse", gatehouse=gh_dec,
                 note="Same nginx layout, but the auth service is gatehouse's decision endpoint on a "
                      "decision-only instance (`[upstream] address = \"none\"`, `[decision] trusted_peers = "
                      "[\"127.0.0.1/32\"]`, otherwise configured as every bench instance, `[server] threads = 1`): "
                      "the subrequest is `GET /.gatehouse/decision` with `X-Original-URI $request_uri` and "
                      "`X-Original-Method $request_method`, no body, over keepalive; gatehouse decides the "
                      "original `GET /api/x` with the same routes, verifier and cache as proxied traffic (a "
                      "cached Bearer, primed before each round) and answers 200 with the identity headers "
                      "itself (no upstream hop), and nginx copies `X-Auth-User` onto the request it proxies to "
                      "the upstream. nginx and that gatehouse are pinned to the proxy core and both count as "
                      "the proxy's CPU."),
        Scenario("gh_public", "gatehouse public route", f"{gh.base}/public/x", ["gatehouse"],
                 group="gatehouse", gatehouse=gh,
                 note="gatehouse (`[server] threads = 1`) on `/public/x`: no credentials, forged identity "
                      "headers stripped, forwarded."),
        Scenario("gh_bearer", "gatehouse cached Bearer", f"{gh.base}/api/x", ["gatehouse"],
                 headers=[bearer], group="gatehouse", gatehouse=gh,
                 note="One token from `gatehouse token --user admin` on `/api/x`: a verifier cache hit "
                      "(keyed digest, `exp` rechecked), the six identity headers set, Authorization removed. "
                      "One untimed request primes the cache before each round (as for every fixed-credential "
                      "scenario)."),
        Scenario("gh_basic", "gatehouse cached Basic", f"{gh.base}/api/x", ["gatehouse"],
                 headers=[basic], group="gatehouse", gatehouse=gh,
                 note="`admin:masterkey` as Basic: the argon2id hash runs once (in the untimed priming "
                      "request when the entry expired), then every request is a cache hit."),
        Scenario("gh_miss", "gatehouse distinct tokens (cache misses)", f"{gh_missi.base}/api/x", ["gh_miss"],
                 script=os.path.join(HERE, "tokens.lua"), prepare=prepare_miss, group="gatehouse",
                 gatehouse=gh_missi,
                 note="Each request carries a different freshly minted valid HS256 token (same shape and key as "
                      "`gatehouse token`; minted by the harness per round, more than the round can send), so "
                      "every request is a cache miss: HMAC check, claims, user lookup, insertion (with eviction "
                      "once the 100 000-entry demo cache is full). It runs on its own gatehouse instance (same "
                      "config) so its flood cannot evict the cached scenarios' entries. wrk runs a Lua "
                      "`request()` here, which costs the client core more than the fixed-header scenarios."),
    ]
    if want_h2:
        h2c_params = "h2load -t1 -c{} -m{}".format(*h2load_params("h2c"))
        h1_params = "h2load --h1 -t1 -c{} -m{}".format(*h2load_params("h1"))
        h2_common = (f"h2load (nghttp2) on core {CLIENT_CORE}, `--warm-up-time={H2LOAD_WARMUP_SECS}s` unmeasured "
                     f"then `-D` measured; latencies from its per-request log (start of the request to the end "
                     f"of its response, not corrected for coordinated omission as wrk's are). ")
        gh_h2_common = ("`gh_bearer`'s request (its token on `/api/x`, a verifier cache hit, primed before each "
                        "round) to the same instance, whose plaintext listener takes h2c with prior knowledge "
                        "beside HTTP/1.1 (`[listen] h2c = true`); the upstream side stays HTTP/1.1. ")
        scenarios += [
            Scenario("gh_h2c_bearer", "gatehouse cached Bearer, h2c (h2load)", f"{gh.base}/api/x",
                     ["gatehouse"], headers=[bearer], group="gatehouse", gatehouse=gh, client="h2c",
                     note=gh_h2_common + h2_common + f"`{h2c_params}`: HTTP/2 with prior knowledge, "
                          f"{H2_CLIENTS} connections of {H2_STREAMS} concurrent streams."),
            Scenario("gh_bearer_h2load", "gatehouse cached Bearer, HTTP/1.1 (h2load)", f"{gh.base}/api/x",
                     ["gatehouse"], headers=[bearer], group="gatehouse", gatehouse=gh, client="h1",
                     note=gh_h2_common + h2_common + f"`{h1_params}`: the same request over HTTP/1.1 "
                          "keep-alive, one request at a time per connection (no pipelining), so its ratio "
                          "to `gh_h2c_bearer` compares one process with one client tool, and its ratio to "
                          "`gh_bearer` one process with two client tools."),
        ]
        scenarios += [
            Scenario("haproxy_h2c_jwt", "HAProxy 2.6 jwt_verify, h2c (h2load)", f"http://127.0.0.1:{hah2_port}/api/x",
                     ["haproxy"], headers=[bearer], client="h2c",
                     note="`haproxy_jwt`'s checks and forwarding on a second frontend of the same HAProxy "
                          "process, `bind … proto h2` (HTTP/2 with prior knowledge only); the backend is the "
                          "same HTTP/1.1 keep-alive upstream. " + h2_common + f"`{h2c_params}`."),
            Scenario("haproxy_jwt_h2load", "HAProxy 2.6 jwt_verify, HTTP/1.1 (h2load)",
                     f"http://127.0.0.1:{ha_port}/api/x", ["haproxy"], headers=[bearer], client="h1",
                     note="`haproxy_jwt` (its HTTP/1.1 frontend) measured with h2load instead of wrk: the "
                          "peer's own HTTP/1.1 figure with the client of the h2c rows. " + h2_common
                          + f"`{h1_params}`."),
        ]
    if VARIANTS:
        scenarios += [
            Scenario("gh_bearer_nosteal", "gatehouse cached Bearer, work_stealing = false",
                     f"{gh_nosteal.base}/api/x", ["gh_nosteal"], headers=[bearer], group="gatehouse",
                     gatehouse=gh_nosteal,
                     note="The cached-Bearer scenario on an instance with `[server] work_stealing = false` "
                          "(Pingora's per-thread runtimes instead of a work-stealing one); still 1 thread."),
            Scenario("gh_bearer_log", "gatehouse cached Bearer, JSON access log on",
                     f"{gh_log.base}/api/x", ["gh_log"], headers=[bearer], group="gatehouse",
                     gatehouse=gh_log,
                     note="The cached-Bearer scenario with the demo's `[log] access = \"json\"` (one line per "
                          "request to stdout, here /dev/null). Every other row runs with access logs off in "
                          "gatehouse, nginx and HAProxy alike."),
        ]
    if PRESSURE:
        scenarios += [
            Scenario("gh_pressure_rl", "verify under login pressure (rate limit on)", f"{gh_press_rl.base}/api/x",
                     ["gh_pressure_rl"], headers=[bearer], group="pressure", gatehouse=gh_press_rl,
                     background=login_hammer(gh_press_rl),
                     note=f"Cached Bearer load while {PRESSURE_CLIENTS} clients post wrong passwords to the "
                          "kerong login, with the demo's rate limit (30 failures per client per minute): after "
                          "the first failures the hammer gets cheap 429s."),
            Scenario("gh_pressure", "verify under login pressure (rate limit off)", f"{gh_press.base}/api/x",
                     ["gh_pressure"], headers=[bearer], group="pressure", gatehouse=gh_press,
                     background=login_hammer(gh_press),
                     note=f"The same with `[auth.rate_limit] enabled = false`: every attempt costs an argon2id "
                          "hash on gatehouse's bounded hash pool (`hash_workers`, `hash_queue` defaults), which "
                          "shares the proxy's single core. The worst case."),
        ]
    if gh_rev:
        at = next((i + 1 for i, sc in enumerate(scenarios) if sc.id == "gh_bearer"), len(scenarios))
        scenarios.insert(at, Scenario(
            "gh_bearer_revoked", f"gatehouse cached Bearer, {revoked_info['live']:,} live revocations",
            f"{gh_rev.base}/api/x", ["gh_revoked"], headers=[bearer], group="gatehouse", gatehouse=gh_rev,
            note=f"The cached-Bearer scenario (same token, same path) on its own instance whose store holds "
                 f"{revoked_info['live']:,} live revocations: {REVOKED_JTIS:,} of random `jti`s and "
                 f"{REVOKED_USERS:,} of users (`{REVOKED_USER_PREFIX}NNNN`, added to this instance's config "
                 f"through a users file, since the admin API revokes only known users) other than the token's "
                 f"`admin`. Posted to its admin `POST /revocations` before the warm-up, checked through "
                 f"`gatehouse_revocations_live`. The token stays valid, so every request does both "
                 f"mirror lookups (its `jti`, then its user) after the cache hit and finds neither. Compare "
                 f"with the cached-Bearer row: the config differs only in those users (not consulted on a "
                 f"cache hit) and the store's directory."))
    if gh_db:
        db_cpu = ["gh_db", "postgres"]
        ttl = f"`cache_ttl = \"{DB_CACHE_TTL}\"`" if DB_CACHE_TTL else "gatehouse's default `cache_ttl` (30 s)"
        db_common = (f"On `gh_db`: the demo config without its inline users, with `[user_database] preset = "
                     f"\"django\"` on the throwaway PostgreSQL cluster ({ttl}) and a users file with "
                     f"`{INLINE_ADMIN}` and the inline login users. Its CPU column is gatehouse's plus "
                     f"PostgreSQL's (every process of the cluster), both pinned to core {PG_CORE if PG_CORE == PROXY_CORE else f'{PROXY_CORE} and {PG_CORE}'}. ")
        db_bearer_header = f"Authorization: Bearer {db_token}"
        db_inline_bearer_header = f"Authorization: Bearer {db_inline_token}"
        db_basic_header = "Authorization: Basic " + base64.b64encode(f"{DB_BASIC_ADMIN}:masterkey".encode()).decode()
        db_inline_basic_header = "Authorization: Basic " + base64.b64encode(f"{INLINE_ADMIN}:masterkey".encode()).decode()
        expiry = ("A verifier entry for a database user lives no longer than the user's entry in the user "
                  "database cache, so in a round that crosses that instant the next requests verify "
                  "again (and look the user up again).")
        db_rows = {
            "gh_bearer": [
                Scenario("db_bearer", "gatehouse cached Bearer, user from PostgreSQL", f"{gh_db.base}/api/x", db_cpu,
                         headers=[db_bearer_header], group="gatehouse", gatehouse=gh_db,
                         note=db_common + "`gh_bearer` with a token of `admin` from `gatehouse token --config "
                              "<gh_db's config> --user admin`, which looks `admin` up in PostgreSQL. " + expiry),
                Scenario("db_inline_bearer", "gatehouse cached Bearer, inline user, on the PostgreSQL instance",
                         f"{gh_db.base}/api/x", db_cpu, headers=[db_inline_bearer_header], group="gatehouse",
                         gatehouse=gh_db,
                         note=db_common + f"The same-process control of `db_bearer`: a token of `{INLINE_ADMIN}`, "
                              "an inline user (the demo admin's hash and roles), on the same instance."),
            ],
            "gh_basic": [
                Scenario("db_basic", "gatehouse cached Basic, user from PostgreSQL", f"{gh_db.base}/api/x", db_cpu,
                         headers=[db_basic_header], group="gatehouse", gatehouse=gh_db,
                         note=db_common + f"`gh_basic` for `{DB_BASIC_ADMIN}:masterkey`, a PostgreSQL user with "
                              "the demo admin's argon2id hash (in Django's `argon2$` spelling) and roles, not "
                              "`db_bearer`'s `admin`: the user database cache entry is per user, so `db_bearer`'s "
                              "lookup would otherwise decide when this scenario's primed entry expires. " + expiry +
                              " For Basic that is an argon2id hash per request that misses."),
                Scenario("db_inline_basic", "gatehouse cached Basic, inline user, on the PostgreSQL instance",
                         f"{gh_db.base}/api/x", db_cpu, headers=[db_inline_basic_header], group="gatehouse",
                         gatehouse=gh_db,
                         note=db_common + f"The same-process control of `db_basic`: `{INLINE_ADMIN}:masterkey`, "
                              "an inline user with the demo admin's argon2id hash."),
            ],
        }
        for after_id, rows in db_rows.items():
            at = next((i + 1 for i, sc in enumerate(scenarios) if sc.id == after_id), len(scenarios))
            # after gh_bearer's revoked sibling too, when it is there
            while at < len(scenarios) and scenarios[at].id.startswith(after_id + "_revoked"):
                at += 1
            scenarios[at:at] = rows
        login_next = {"db": 0, "inline": 0}

        def login_env(kind: str, prefix: str):
            def prepare(tag: str) -> dict:
                return {"LOADBENCH_LOGIN_PREFIX": prefix, "LOADBENCH_LOGIN_COUNT": str(LOGIN_USERS),
                        "LOADBENCH_LOGIN_START": str(login_next[kind]), "LOADBENCH_LOGIN_PASSWORD": BENCH_PASSWORD,
                        "LOADBENCH_THREADS": str(WRK_THREADS)}

            def after(r: WrkResult) -> None:
                # The next run continues with the next users, so that each user logs in
                # once per LOGIN_USERS logins of its kind.
                login_next[kind] = (login_next[kind] + r.extra.get("sent", 0)) % LOGIN_USERS
            return prepare, after

        login_common = (f"`wrk -c{LOGIN_CONNECTIONS}` posts `{{\"username\", \"password\"}}` to the kerong login "
                        f"(`POST /api/v1/auth/token`) of `gh_db`, each request for the next of {LOGIN_USERS:,} "
                        f"users (continuing across rounds, so a user logs in again only after all the others "
                        f"have), with the right password: every answer is 200 with a signed token. Every "
                        f"login user's hash is pbkdf2_sha256 with {LOGIN_HASH_ITERATIONS:,} iterations (one of "
                        f"64 salts), deliberately cheap so that the user lookup's cost shows. ")
        for kind, sid, label, prefix, what in (
                ("inline", "login_inline", "login, inline users", LOGIN_INLINE_PREFIX,
                 f"This row: users `{LOGIN_INLINE_PREFIX}NNNNN` from the instance's users file: the lookup is "
                 "a map lookup."),
                ("db", "login_db", "login, PostgreSQL users (user cache missed)", LOGIN_DB_PREFIX,
                 f"This row: users `{LOGIN_DB_PREFIX}NNNNN` from PostgreSQL, each looked up once per "
                 f"{LOGIN_USERS:,} logins, so every lookup misses the user database cache (the report gives "
                 "the measured misses) and runs the Django preset's query by username.")):
            prepare, after = login_env(kind, prefix)
            scenarios.append(Scenario(sid, label, f"{gh_db.base}/api/v1/auth/token", db_cpu,
                                      script=os.path.join(HERE, "logins.lua"), prepare=prepare, group="login",
                                      gatehouse=gh_db, prime=False, conns=LOGIN_CONNECTIONS, after=after,
                                      note=login_common + what))

    ab_pair = None
    if gh_ab:
        total = REVOKED_JTIS + REVOKED_USERS
        common = (f"Cached Bearer (same token, same path as `gh_bearer`) on ONE instance (`gh_ab`, the same "
                  f"config as the revocations instance: {REVOKED_USERS:,} extra users) measured alternately "
                  f"with no live revocations and with {total:,} ({REVOKED_JTIS:,} random `jti`s and "
                  f"{REVOKED_USERS:,} users other than `admin`), loaded with `POST /revocations` and lifted "
                  f"with `DELETE /revocations/...` over the admin API between measurements (untimed), "
                  f"`gatehouse_revocations_live` checked after each; ABBA order, so each state is measured "
                  f"first in half the rounds. ")
        ab_none = Scenario(AB_NONE, "same instance, 0 live revocations", f"{gh_ab.base}/api/x", ["gh_ab"],
                           headers=[bearer], group="gatehouse", gatehouse=gh_ab,
                           note=common + "This row: the measurements with none live.")
        ab_live = Scenario(AB_LIVE, f"same instance, {total:,} live revocations", f"{gh_ab.base}/api/x",
                           ["gh_ab"], headers=[bearer], group="gatehouse", gatehouse=gh_ab,
                           note=common + f"This row: the measurements with {total:,} live.")
        ab_pair = (ab_none, ab_live)
        scenarios += [ab_none, ab_live]
    if ONLY:
        scenarios = [s for s in scenarios if s.id in ONLY or (AB_ID in ONLY and s.id in (AB_NONE, AB_LIVE))]
        if not scenarios:
            die(f"SCENARIOS={','.join(ONLY)} matches none")

    idle_rss["gatehouse, after the start-up checks"] = (
        gh.proc.rss_kb(), "one Basic login done: argon2id (m = 19 MiB) memory the allocator keeps")

    # Warm-up: every path once, unmeasured; sizes the miss burst from the measured rate.
    log("warm-up")
    for sc in scenarios:
        if sc.id == AB_LIVE:
            continue    # warmed up (briefly) after each load instead
        r = run_round(sc, WARMUP_SECS, 0, 0, measured=False)
        if sc.id == "gh_miss" and r.rps > 0:
            burst_size["n"] = min(BURST_MAX_TOKENS, max(50_000, int(r.rps * (ROUND_SECS + 1) * 1.5)))
            log(f"  cache-miss burst: {r.rps:,.0f} req/s in warm-up; minting {burst_size['n']:,} tokens per round")
        if "non-2xx" in r.reason or "socket" in r.reason or "spoke" in r.reason or not r.requests:
            die(f"{sc.id}: {r.reason} in warm-up; {'wrk' if sc.client == 'wrk' else 'h2load'} said:\n"
                f"{wrk_tail(sc)}")

    # Keepalive evidence for the auth_request rows: nginx's connections to each auth service.
    auth_ports = {"nginx_auth_request": gh_auth.port, "nginx_auth_request_haproxy": haa_port,
                  DECISION_ID: gh_dec.port}
    auth_ports = {k: v for k, v in auth_ports.items() if any(sc.id == k for sc in scenarios)}
    decision_info["connections"] = {"after the warm-up": {k: tcp_connections(v) for k, v in auth_ports.items()}}

    rotating = [sc for sc in scenarios if sc.id not in (AB_NONE, AB_LIVE)]
    if rotating:
        log(f"measuring: {len(rotating)} scenarios x {ROUNDS} round(s) of {ROUND_SECS}s")
    for index in range(1, ROUNDS + 1 if rotating else 1):
        # Alternate: each round starts one scenario later than the previous one.
        order = rotating[(index - 1) % len(rotating):] + rotating[:(index - 1) % len(rotating)]
        for sc in order:
            measure_slot(sc, index)

    decision_info["connections"]["after the rounds"] = {k: tcp_connections(v) for k, v in auth_ports.items()}

    ab_info = None
    if ab_pair and ab_pair[0] in scenarios:
        ab_info = run_revoked_ab(ab_pair[0], ab_pair[1], gh_ab, gh, key)

    if gh_rev and revoked_info:
        # Still all there (none lapsed, no resync lost any) after the rounds?
        revoked_info["live_after"] = gh_rev.metrics().get("gatehouse_revocations_live")
        if revoked_info["live_after"] != revoked_info["live"]:
            log(f"  warning: {gh_rev.name} mirrors {revoked_info['live_after']} revocations after the "
                f"rounds, {revoked_info['live']} before")

    memory = {"idle": idle_rss}
    if MEMORY and (not ONLY or "memory" in ONLY):
        mem = memory_scenario(key, up_port, gh_miss_rate=median(
            [r.rps for sc in scenarios if sc.id == "gh_miss" for r in sc.rounds]))
        memory["idle"].update(mem.pop("idle"))
        memory.update(mem)

    summaries = [summarize(sc) for sc in scenarios]
    stamp = _dt.datetime.now().strftime("%Y-%m-%d")
    # A subset run never overwrites the day's full run: its name says what it measured.
    subset = f"-{'-'.join(ONLY)}" if ONLY else ""
    base = os.path.join(RESULTS_DIR, f"{stamp}-{info['host']}{subset}")
    md_path, png_path = base + ".md", base + ".png"
    elapsed = time.monotonic() - started_wall
    have_png = write_chart(summaries, png_path, f"gatehouse load benchmark, {started}, {info['cpu']}")
    write_report(summaries, scenarios, info, memory, started, elapsed, md_path, png_path if have_png else None,
                 revoked=revoked_info, ab=ab_info, db=db_info, decision=decision_info)
    with open(base + ".json", "w") as f:
        json.dump({"started": started, "info": info, "settings": {"round_secs": ROUND_SECS, "rounds": ROUNDS,
                                              "connections": CONNECTIONS, "nice": NICE,
                                              "other_cpu_max": OTHER_CPU_MAX},
                   "h2load": {"h2c": h2load_params("h2c"), "h1": h2load_params("h1"),
                              "warmup_secs": H2LOAD_WARMUP_SECS, "version": info.get("h2load")},
                   "summaries": summaries, "memory": memory, "revocations": revoked_info,
                   "revocations_ab": ab_info, "user_database": db_info, "decision": decision_info,
                   "rounds": [r.__dict__ for sc in scenarios for r in sc.rounds]}, f, indent=1, default=str)
    if not QUICK and not ONLY:
        shutil.copyfile(md_path, os.path.join(RESULTS_DIR, "latest.md"))
        if have_png:
            shutil.copyfile(png_path, os.path.join(RESULTS_DIR, "latest.png"))
        # latest.md refers to its own chart by name
        with open(os.path.join(RESULTS_DIR, "latest.md")) as f:
            text = f.read()
        with open(os.path.join(RESULTS_DIR, "latest.md"), "w") as f:
            f.write(text.replace(f"]({os.path.basename(png_path)})", "](latest.png)"))
    log(f"wrote {md_path}" + (f" and {png_path}" if have_png else "") + f" in {elapsed / 60:.1f} min")
    with open(md_path) as f:
        print(f.read())


def wrk_tail(sc: Scenario) -> str:
    try:
        with open(os.path.join(WORKDIR, f"{'wrk' if sc.client == 'wrk' else 'h2load'}-{sc.id}.out")) as f:
            return f.read()[-3000:]
    except OSError:
        return ""


def prepare_revoked(gh_rev: GatehouseInstance, gh: GatehouseInstance, key: TokenKey, token: str) -> dict:
    """Loads the revocations scenario's instance and checks that it refuses what it should
    and serves the benchmark token, and that the main instance's store is not shared."""
    total = REVOKED_JTIS + REVOKED_USERS
    log(f"revocations: posting {REVOKED_JTIS:,} jti and {REVOKED_USERS:,} user revocations to "
        f"{gh_rev.name}'s admin API")
    info = load_revocations(gh_rev, REVOKED_JTIS, REVOKED_USERS)
    info.pop("jti_ids")
    log(f"revocations: {total:,} POST /revocations took {info['secs']:.1f} s "
        f"({info['per_sec']:,.0f}/s, {info['reconnects']} reconnects)")
    deadline = time.monotonic() + 10
    live = gh_rev.metrics().get("gatehouse_revocations_live")
    while live != total and time.monotonic() < deadline:
        time.sleep(0.25)
        live = gh_rev.metrics().get("gatehouse_revocations_live")
    if live != total:
        die(f"{gh_rev.name}: gatehouse_revocations_live is {live}, not {total}")
    info["live"] = int(live)
    info["main_instance_live"] = gh.metrics().get("gatehouse_revocations_live")
    if info["main_instance_live"] != 0:
        die(f"{gh.name} mirrors {info['main_instance_live']} revocations: the stores are shared")
    now = int(time.time())
    checks = [("the benchmark token", gh_rev, token, 200)]
    if REVOKED_JTIS:
        revoked_jti_token = mint_token(key, "admin", info["sample_jti"], now - 60)
        checks += [("a token of admin with one of the revoked jtis", gh_rev, revoked_jti_token, 401),
                   ("that revoked-jti token", gh, revoked_jti_token, 200)]
    if REVOKED_USERS:
        checks.append((f"a token of {REVOKED_USER_PREFIX}0000 issued a minute before its revocation", gh_rev,
                       mint_token(key, f"{REVOKED_USER_PREFIX}0000", secrets.token_hex(16), now - 60), 401))
    for what, inst, tok, want in checks:
        status = http_get(f"{inst.base}/api/x", {"Authorization": f"Bearer {tok}"})[0]
        if status != want:
            die(f"{inst.name}: {what} answered {status}, not {want}")
    info["checks"] = [f"{what} → {want} from `{inst.name}`" for what, inst, _, want in checks]
    log(f"revocations: gatehouse_revocations_live = {total:,}; " + "; ".join(info["checks"]))
    return info


def wait_idle(proc: Proc, secs: float = 10.0) -> float:
    """Waits (bounded) until `proc` uses under 2 % of a core over 0.5 s: whatever a load or
    lift left to do in the background (store, mirror) is done before measuring. Returns
    the seconds waited."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < secs:
        a = proc.ticks()
        time.sleep(0.5)
        if (proc.ticks() - a) / CLK_TCK < 0.01:
            break
    return time.monotonic() - t0


def measure_slot(sc: Scenario, index: int) -> None:
    """One round slot of a scenario: tries until kept, as the rotating rounds do."""
    for attempt in range(1, MAX_TRIES + 1):
        if time.monotonic() > PYTHON_DEADLINE and attempt > 1:
            log("  MAX_TOTAL_SECS reached: no more retries")
            break
        wait_for_quiet()
        rnd = run_round(sc, ROUND_SECS, index, attempt)
        sc.rounds.append(rnd)
        if rnd.accepted:
            break


def run_revoked_ab(none: Scenario, live: Scenario, gh_ab: GatehouseInstance, gh: GatehouseInstance,
                   key: TokenKey) -> dict:
    """The same-process A/B: one gatehouse instance, measured with 0 live revocations (A) and
    with REVOKED_JTIS + REVOKED_USERS (B), in ABBA order over ROUNDS rounds (round 1: A then
    B, round 2: B then A, ...). The state is switched only between the two halves of a round
    (and carries over to the next round's first half): load = POST every revocation, lift =
    DELETE every one, both over the admin API and unmeasured; after each, the metric
    `gatehouse_revocations_live` must read the expected count, a revoked-jti token and a
    token of a revoked user must get the expected status, the instance is left to go idle,
    and AB_SETTLE_SECS of unmeasured load runs before the measured round."""
    total = REVOKED_JTIS + REVOKED_USERS
    jti_ids = [secrets.token_hex(16) for _ in range(REVOKED_JTIS)]
    now = int(time.time())
    probes = []
    if REVOKED_JTIS:
        probes.append((f"a token of admin with a revoked jti", mint_token(key, "admin", jti_ids[0], now - 60)))
    if REVOKED_USERS:
        probes.append((f"a token of {REVOKED_USER_PREFIX}0000 issued a minute before the load",
                       mint_token(key, f"{REVOKED_USER_PREFIX}0000", secrets.token_hex(16), now - 60)))
    transitions: list[dict] = []
    probe_failures: list[str] = []

    def metric_live() -> float | None:
        return gh_ab.metrics().get("gatehouse_revocations_live")

    def switch(to_live: bool, index: int) -> None:
        if to_live:
            info = load_revocations(gh_ab, REVOKED_JTIS, REVOKED_USERS, jti_ids=list(jti_ids))
            info.pop("jti_ids")
            info.pop("sample_jti")
        else:
            info = lift_revocations(gh_ab, jti_ids, REVOKED_USERS)
        want = total if to_live else 0
        deadline = time.monotonic() + 10
        got = metric_live()
        while got != want and time.monotonic() < deadline:
            time.sleep(0.25)
            got = metric_live()
        if got != want:
            die(f"{gh_ab.name}: gatehouse_revocations_live is {got} after the "
                f"{'load' if to_live else 'lift'}, not {want}")
        statuses = {}
        for what, tok in probes:
            status = http_get(f"{gh_ab.base}/api/x", {"Authorization": f"Bearer {tok}"})[0]
            statuses[what] = status
            expected = 401 if to_live else 200
            if status != expected:
                probe_failures.append(f"round {index}, after the {'load' if to_live else 'lift'}: "
                                      f"{what} answered {status}, not {expected}")
                log(f"  warning: {probe_failures[-1]}")
        idle = wait_idle(gh_ab.proc)
        info.update({"round": index, "action": "load" if to_live else "lift", "live_after": got,
                     "probes": statuses, "idle_wait_secs": round(idle, 2),
                     "rss_kb": gh_ab.proc.rss_kb()})
        transitions.append(info)
        log(f"  {'loaded' if to_live else 'lifted'} {total:,} revocations in {info['secs']:.1f} s "
            f"({info['per_sec']:,.0f}/s, {info['reconnects']} reconnects); gatehouse_revocations_live = "
            f"{got:.0f}; probes {statuses}; idle after {idle:.1f} s; RSS {info['rss_kb'] / 1024:.1f} MiB")

    start_live = metric_live()
    if start_live != 0:
        die(f"{gh_ab.name}: gatehouse_revocations_live is {start_live} before the A/B, not 0")
    for what, tok in probes:
        status = http_get(f"{gh_ab.base}/api/x", {"Authorization": f"Bearer {tok}"})[0]
        if status != 200:
            die(f"{gh_ab.name}: {what} answered {status} before any revocation, not 200")
    log(f"same-process A/B on {gh_ab.name}: {ROUNDS} round(s), 0 vs {total:,} live revocations, ABBA")
    is_live = False
    for index in range(1, ROUNDS + 1):
        order = (none, live) if index % 2 == 1 else (live, none)
        for sc in order:
            want_live = sc is live
            if want_live != is_live:
                switch(want_live, index)
                is_live = want_live
                if AB_SETTLE_SECS:
                    run_round(sc, AB_SETTLE_SECS, index, 0, measured=False)
            measure_slot(sc, index)
    if is_live:
        switch(False, ROUNDS + 1)      # leave it as found; also one more lift checked
    main_live = gh.metrics().get("gatehouse_revocations_live")
    return {"jtis": REVOKED_JTIS, "users": REVOKED_USERS, "total": total, "transitions": transitions,
            "probe_failures": probe_failures, "main_instance_live": main_live,
            "settle_secs": AB_SETTLE_SECS}


def memory_scenario(key: TokenKey, up_port: int, gh_miss_rate: float) -> dict:
    """RSS of a fresh gatehouse idle, then after MEMORY_TOKENS distinct cached tokens."""
    n = MEMORY_TOKENS
    capacity = max(100_000, int(n * 1.1))
    log(f"memory: a fresh gatehouse with cache_capacity {capacity:,}; minting {n:,} tokens")
    ghm = start_gatehouse(write_gatehouse_config("gh_memory", up_port, cache_capacity=capacity))
    time.sleep(1.0)
    idle = ghm.proc.rss_kb()
    path = mint_tokens(key, n, os.path.join(WORKDIR, "tokens", "memory.txt"))
    rate = gh_miss_rate if gh_miss_rate == gh_miss_rate and gh_miss_rate > 0 else 5000
    secs = int(min(MEMORY_MAX_SECS, max(10, n / rate * 1.4 + 5)))
    log(f"memory: sending each token once (wrk -d{secs}s at most; then cheap public requests)")
    t0 = time.monotonic()
    w = Wrk(f"{ghm.base}/api/x", secs, script=os.path.join(HERE, "tokens.lua"), tag="wrk-memory",
            env_extra={"LOADBENCH_TOKENS": path, "LOADBENCH_AFTER": "stop"})
    r = w.wait()
    took = time.monotonic() - t0
    time.sleep(2.0)
    m = ghm.metrics()
    entries = m.get("gatehouse_verifier_cache_entries", float("nan"))
    filled = ghm.proc.rss_kb()
    sent = r.extra.get("sent", 0)
    out = {"filled": {"sent": sent, "entries": entries, "rss_kb": filled, "idle_kb": idle,
                      "per_entry_bytes": (filled - idle) * 1024 / entries if entries and entries == entries else float("nan"),
                      "secs": took, "rate": sent / took if took else 0, "capacity": capacity,
                      "non2xx": r.non2xx}}
    out["idle"] = {"gatehouse (a fresh instance, before the fill)": (idle, "started, ready, no request served")}
    log(f"memory: RSS idle {idle / 1024:.1f} MiB -> {filled / 1024:.1f} MiB with {entries:,.0f} entries "
        f"({sent:,} tokens sent, {r.non2xx} non-2xx)")
    ghm.proc.stop()
    return out


def replot(json_path: str) -> None:
    """Redraws the PNG of a finished run from its JSON (no measurement)."""
    with open(json_path) as f:
        data = json.load(f)
    png = json_path[:-len(".json")] + ".png"
    started = data.get("started") or os.path.basename(json_path)[:-len(".json")]
    write_chart(data["summaries"], png, f"gatehouse load benchmark, {started}, {data['info']['cpu']}")
    log(f"wrote {png}")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--replot":
        replot(sys.argv[2])
        raise SystemExit(0)
    def on_signal(signum, frame):
        log(f"signal {signum}: stopping everything")
        stop_all()
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    try:
        main()
    finally:
        stop_all()
        # Everything listed there is stopped; run.sh's trap must not signal reused pids.
        try:
            os.remove(os.path.join(WORKDIR, "pids"))
        except OSError:
            pass
