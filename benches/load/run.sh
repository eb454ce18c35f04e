#!/usr/bin/env bash
# gatehouse load benchmark. Run by hand, never in CI:
#
#   benches/load/run.sh              full run (~20 min), results in benches/load/results/
#   QUICK=1 benches/load/run.sh      smoke check (3 s rounds, one round), results in /tmp
#   benches/load/run.sh --quick      the same
#
# Everything runs on 127.0.0.1 and stops by itself. Settings are environment variables,
# documented in benches/load/README.md and at the top of benches/load/bench.py.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"

for arg in "$@"; do
  case "$arg" in
    --quick) export QUICK=1 ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown argument $arg (see --help)" >&2; exit 2 ;;
  esac
done
# The report's "Command:" line: run.sh with the settings given in the environment.
settings=""
for name in QUICK SCENARIOS ROUNDS ROUND_SECS WARMUP_SECS CONNECTIONS WRK_THREADS PROXY_CORE \
    CLIENT_CORE NICE OTHER_CPU_MAX MAX_TRIES QUIET_WAIT_SECS MAX_TOTAL_SECS VARIANTS PRESSURE \
    PRESSURE_CLIENTS MEMORY MEMORY_TOKENS MEMORY_MAX_SECS BURST_MAX_TOKENS REVOCATIONS \
    REVOKED_JTIS REVOKED_USERS REVOKE_MAX_SECS AB_SETTLE_SECS USER_DATABASE LOGIN_USERS \
    LOGIN_HASH_ITERATIONS LOGIN_CONNECTIONS DB_CACHE_TTL PG_CORE PG_START_SECS HTTP2 H2_CLIENTS \
    H2_STREAMS H2LOAD_WARMUP_SECS GATEHOUSE_BIN RESULTS_DIR; do
  if [ -n "${!name:-}" ]; then settings+="$name=${!name} "; fi
done
export LOADBENCH_COMMAND="${LOADBENCH_COMMAND:-${settings}benches/load/run.sh}"

# Debian packages: nginx, HAProxy 2.6 (bookworm ships 2.6.12), wrk, h2load (nghttp2-client;
# the HTTP/2 rows, HTTP2=0 skips them), PostgreSQL (the user database scenarios;
# USER_DATABASE=0 skips them), and for the harness Python's matplotlib (the PNG chart) and
# PyJWT (cross-checks the minted tokens).
need=()
command -v nginx   >/dev/null || need+=(nginx)
command -v haproxy >/dev/null || need+=(haproxy)
command -v wrk     >/dev/null || need+=(wrk)
command -v taskset >/dev/null || need+=(util-linux)
command -v stdbuf  >/dev/null || need+=(coreutils)
if [ "${HTTP2:-1}" != "0" ] && ! command -v h2load >/dev/null; then
  need+=(nghttp2-client)
fi
if [ "${USER_DATABASE:-1}" != "0" ] && ! command -v initdb >/dev/null \
    && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  need+=(postgresql)
fi
/usr/bin/python3 -c 'import matplotlib' 2>/dev/null || need+=(python3-matplotlib)
/usr/bin/python3 -c 'import jwt' 2>/dev/null || need+=(python3-jwt)
if [ "${#need[@]}" -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "run.sh: installing missing Debian packages: ${need[*]}${sudo:+ (with sudo)}"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${need[@]}"
fi
# sed reads all of haproxy's output: with `head -1`, haproxy could die of SIGPIPE and,
# under pipefail, fail the check at random.
haproxy_version="$(haproxy -v 2>&1 | sed -n 1p)"
grep -q 'version 2\.[6-9]\|version [3-9]\.' <<<"$haproxy_version" \
  || { echo "run.sh: HAProxy >= 2.6 is needed for jwt_verify: $haproxy_version" >&2; exit 1; }

if [ -z "${GATEHOUSE_BIN:-}" ]; then
  echo "run.sh: cargo build --release"
  cargo build --release --bin gatehouse
fi

workdir="${LOADBENCH_WORKDIR:-$(mktemp -d /tmp/loadbench-XXXXXX)}"
export LOADBENCH_WORKDIR="$workdir"

cleanup() {
  # The harness stops what it started; this catches anything left if it was killed hard.
  # PostgreSQL first, by PID: SIGINT is its fast shutdown (a group SIGTERM would be a
  # "smart" one, waiting for clients, and would miss the backends, which call setsid);
  # after 10 s, SIGKILL to the processes it forked (by parent PID) and to it.
  if [ -f "$workdir/postgres.pid" ]; then
    pm="$(cat "$workdir/postgres.pid")"
    if kill -INT "$pm" 2>/dev/null; then
      for _ in $(seq 100); do kill -0 "$pm" 2>/dev/null || break; sleep 0.1; done
      if kill -0 "$pm" 2>/dev/null; then
        for kid in $(ps -o pid= --ppid "$pm"); do kill -KILL "$kid" 2>/dev/null || true; done
        kill -KILL "$pm" 2>/dev/null || true
      fi
    fi
  fi
  if [ -f "$workdir/pids" ]; then
    while read -r pid; do
      kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true
    done < "$workdir/pids"
  fi
  if [ -z "${KEEP_WORKDIR:-}" ]; then rm -rf "$workdir"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Debian's python3 (where python3-matplotlib and python3-jwt install), not a pyenv shim.
/usr/bin/python3 "$here/bench.py"
