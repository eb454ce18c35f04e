#!/usr/bin/env bash
# Interoperability test (run by .ci/run): gatehouse against PyJWT and the real
# djangorestframework-simplejwt 5.3.1 and djangorestframework-jwt 1.9.0, installed from
# PyPI into venvs under target/interop/, everything on 127.0.0.1. See README.md here.
#
#   tests/interop/run.sh            INTEROP_PYTHON=python3.12 tests/interop/run.sh
#
# Exits non-zero if anything fails; always stops the servers it started.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
started=$(date +%s)
target="${CARGO_TARGET_DIR:-$root/target}"
work="$target/interop"
run=""
pids=()
phase="setup"

finish() {
    local status=$?
    for pid in ${pids[@]+"${pids[@]}"}; do kill "$pid" 2>/dev/null || true; done
    for pid in ${pids[@]+"${pids[@]}"}; do wait "$pid" 2>/dev/null || true; done
    local summary=""
    [ -n "$run" ] && [ -s "$run/summary" ] && summary=" ($(cat "$run/summary"))"
    [ -n "$run" ] && rm -rf "$run"
    if [ "$status" -eq 0 ]; then
        echo "interop: PASSED$summary in $(( $(date +%s) - started )) s"
    else
        echo "interop: FAILED during $phase$summary in $(( $(date +%s) - started )) s" >&2
    fi
    exit "$status"
}
trap finish EXIT
trap 'exit 130' INT TERM

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
apt_install() {
    command -v apt-get >/dev/null 2>&1 || { echo "interop: need $* (no apt-get here; install it yourself)" >&2; return 1; }
    echo "interop: installing $*" >&2
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

# 1. Python >= 3.11 (tomllib) with venv; python3.11 first, the version the pins were made on.
phase="finding python3"
find_python() {
    local candidate
    for candidate in ${INTEROP_PYTHON:-python3.11 python3}; do
        if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys, venv; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            command -v "$candidate"
            return 0
        fi
    done
    return 1
}
python=$(find_python) || { [ -z "${INTEROP_PYTHON:-}" ] && apt_install python3 python3-venv && python=$(find_python); } \
    || { echo "interop: needs Python >= 3.11 (tomllib) with the venv module" >&2; exit 1; }
py_version=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')

# Venvs are rebuilt when the interpreter or the requirements change. They are created one
# after the other (a missing ensurepip is fixed once), then filled by pip in parallel.
stamp_of() { echo "$("$python" -VV 2>&1 | head -n 1) $(cksum < "$1")"; }
fresh() { [ -x "$work/$1/bin/python" ] && [ "$(cat "$work/$1/.interop-stamp" 2>/dev/null)" = "$(stamp_of "$2")" ]; }
create_venv() { # name
    rm -rf "${work:?}/$1"
    if ! "$python" -m venv "$work/$1" >/dev/null 2>&1; then
        # Debian's python3 has no ensurepip until python3-venv is installed.
        rm -rf "${work:?}/$1"
        apt_install python3-venv "python$py_version-venv" || apt_install python3-venv
        "$python" -m venv "$work/$1"
    fi
}
fill_venv() { # name requirements-file
    "$work/$1/bin/pip" install --quiet --disable-pip-version-check --no-input -r "$2" \
        || { echo "interop: pip install -r $2 failed (it needs PyPI)" >&2; return 1; }
    stamp_of "$2" > "$work/$1/.interop-stamp"
}
wait_all() { local pid status=0; for pid in "$@"; do wait "$pid" || status=1; done; return "$status"; }
phase="installing the Python packages"
mkdir -p "$work"
installs=()
for venv in simplejwt drfjwt; do
    requirements="tests/interop/requirements-$venv.txt"
    fresh "$venv" "$requirements" && continue
    create_venv "$venv"
    fill_venv "$venv" "$requirements" &
    installs+=($!)
done
wait_all ${installs[@]+"${installs[@]}"}

# 2. gatehouse, with the demo config on free loopback ports.
phase="building gatehouse"
cargo build --quiet --bin gatehouse
run=$(mktemp -d "${TMPDIR:-/tmp}/gatehouse-interop.XXXXXX")
free_port() { "$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
gh_port=$(free_port); admin_port=$(free_port); sj_port=$(free_port); drf_port=$(free_port)

phase="starting gatehouse"
sed -e "s/127\.0\.0\.1:9778/127.0.0.1:$gh_port/; s/127\.0\.0\.1:9779/127.0.0.1:$admin_port/" config/gatehouse.toml > "$run/gatehouse.toml"
grep -q '^\[server\]' "$run/gatehouse.toml" && { echo "interop: config/gatehouse.toml has a [server] table; extend run.sh" >&2; exit 1; }
cat >> "$run/gatehouse.toml" <<EOF

[server]
threads = 2
grace_period = "0s"
shutdown_timeout = "1s"
watch_interval = "0s"
pid_file = "$run/gatehouse.pid"
upgrade_sock = "$run/upgrade.sock"
EOF
GATEHOUSE_LOG=info XDG_RUNTIME_DIR="$run" "$target/debug/gatehouse" --config "$run/gatehouse.toml" \
    > "$run/gatehouse.log" 2>&1 < /dev/null &
pids+=($!)

# 3-4. The two Django projects: a fresh SQLite database with the demo users, then runserver.
# Their settings read secrets, lifetimes and users from config/gatehouse.toml (demo.py).
export GH_CONFIG="$root/config/gatehouse.toml" PYTHONPATH="$root/tests/interop" PYTHONDONTWRITEBYTECODE=1 PYTHONWARNINGS=ignore
prepare_django() { # venv site settings-module
    ( cd "tests/interop/$2" \
      && export GH_DB="$run/$2.sqlite3" DJANGO_SETTINGS_MODULE="$3" \
      && "$work/$1/bin/python" manage.py migrate -v0 \
      && "$work/$1/bin/python" ../seed_users.py ) > "$run/$2.setup.log" 2>&1 \
      || { echo "interop: preparing $2 failed:" >&2; cat "$run/$2.setup.log" >&2; return 1; }
}
start_django() { # venv site settings-module port
    ( cd "tests/interop/$2" && GH_DB="$run/$2.sqlite3" DJANGO_SETTINGS_MODULE="$3" \
      exec "$work/$1/bin/python" manage.py runserver "127.0.0.1:$4" --noreload ) > "$run/$2.log" 2>&1 < /dev/null &
    pids+=($!)
}
phase="preparing the Django projects"
prepare_django simplejwt simplejwt_site ghsite.settings &
prep_sj=$!
prepare_django drfjwt drfjwt_site ghjwt.settings &
wait_all "$prep_sj" $!
phase="starting the Django projects"
start_django simplejwt simplejwt_site ghsite.settings "$sj_port"
start_django drfjwt drfjwt_site ghjwt.settings "$drf_port"

show_logs() { for log in "$run"/*.log; do echo "--- $(basename "$log") (last 25 lines)"; tail -n 25 "$log"; done >&2; }
wait_for() { # pid url [any]: until the url answers 200 (with "any": any HTTP status, e.g. 405)
    local deadline=$(( $(date +%s) + 60 ))
    until "$python" -c 'import sys, urllib.request, urllib.error
try: urllib.request.urlopen(sys.argv[1], timeout=2)
except urllib.error.HTTPError: sys.exit(len(sys.argv) < 3)' "${@:2}" 2>/dev/null; do
        if ! kill -0 "$1" 2>/dev/null; then echo "interop: the server for $2 exited" >&2; show_logs; return 1; fi
        if [ "$(date +%s)" -ge "$deadline" ]; then echo "interop: $2 did not answer within 60 s" >&2; show_logs; return 1; fi
        sleep 0.2
    done
}
phase="waiting for the servers"
wait_for "${pids[0]}" "http://127.0.0.1:$admin_port/readyz"
wait_for "${pids[1]}" "http://127.0.0.1:$sj_port/token/" any
wait_for "${pids[2]}" "http://127.0.0.1:$drf_port/api-token-auth/" any

# 5. The checks.
phase="the checks"
GATEHOUSE_URL="http://127.0.0.1:$gh_port" SIMPLEJWT_URL="http://127.0.0.1:$sj_port" DRFJWT_URL="http://127.0.0.1:$drf_port" \
    INTEROP_SUMMARY="$run/summary" "$work/simplejwt/bin/python" tests/interop/interop.py \
    || { show_logs; exit 1; }
