#!/usr/bin/env bash
# Interoperability test: gatehouse against the real djangorestframework-simplejwt 5.3.1
# and djangorestframework-jwt 1.9.0 (from PyPI, in venvs under target/interop/), all on
# 127.0.0.1. Called by .ci/run; exits non-zero on the first failed check.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
started=$(date +%s)
work="$root/target/interop"
mkdir -p "$work"

python=$(command -v python3 || true)
if [ -z "$python" ] || ! "$python" -c 'import venv, tomllib' 2>/dev/null; then
    echo "interop: installing python3 and python3-venv" >&2
    if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
    $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3 python3-venv >/dev/null
    python=$(command -v python3)
fi

venv() { # name requirements
    if [ ! -x "$work/$1/bin/python" ] || ! cmp -s "$2" "$work/$1/requirements.txt"; then
        rm -rf "${work:?}/$1"
        "$python" -m venv "$work/$1"
        "$work/$1/bin/pip" install --quiet --disable-pip-version-check -r "$2"
        cp "$2" "$work/$1/requirements.txt"
    fi
}
venv simplejwt tests/interop/requirements-simplejwt.txt
venv drfjwt tests/interop/requirements-drfjwt.txt

cargo build --quiet --bin gatehouse

free_port() { "$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
run="$(mktemp -d)"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$run"; }
trap cleanup EXIT

secret() { "$python" -c 'import sys,tomllib; print(next(k["secret"] for k in tomllib.load(open("config/gatehouse.toml","rb"))["keys"] if k["id"]==sys.argv[1]))' "$1"; }

# The demo config on free ports.
gh_port=$(free_port); admin_port=$(free_port)
sed -e "s/127.0.0.1:9778/127.0.0.1:$gh_port/; s/127.0.0.1:9779/127.0.0.1:$admin_port/" config/gatehouse.toml > "$run/gatehouse.toml"
printf '\n[server]\nthreads = 1\ngrace_period = "0s"\nwatch_interval = "0s"\npid_file = "%s/pid"\nupgrade_sock = "%s/upgrade.sock"\n' "$run" "$run" >> "$run/gatehouse.toml"
XDG_RUNTIME_DIR="$run" target/debug/gatehouse --config "$run/gatehouse.toml" > "$run/gatehouse.log" 2>&1 &
pids+=($!)

start_django() { # venv site port secret
    local db="$run/$2.sqlite3"
    ( cd "tests/interop/$2" && GH_DB="$db" GH_SIGNING_KEY="$4" "$work/$1/bin/python" manage.py migrate -v0 \
        && GH_DB="$db" GH_SIGNING_KEY="$4" "$work/$1/bin/python" manage.py shell < seed_users.py )
    ( cd "tests/interop/$2" && GH_DB="$db" GH_SIGNING_KEY="$4" exec "$work/$1/bin/python" manage.py runserver "127.0.0.1:$3" --noreload ) > "$run/$2.log" 2>&1 &
    pids+=($!)
}
sj_port=$(free_port); drf_port=$(free_port)
start_django simplejwt simplejwt_site "$sj_port" "$(secret simplejwt-hs256)"
start_django drfjwt drfjwt_site "$drf_port" "$(secret drf-jwt-hs256)"

wait_for() { # url
    for _ in $(seq 200); do
        if "$python" -c 'import sys,urllib.request,urllib.error
try: urllib.request.urlopen(sys.argv[1], timeout=1)
except urllib.error.HTTPError: pass
except Exception: sys.exit(1)' "$1"; then return 0; fi
        sleep 0.1
    done
    echo "interop: $1 never answered" >&2
    cat "$run"/*.log >&2
    return 1
}
wait_for "http://127.0.0.1:$admin_port/readyz"
wait_for "http://127.0.0.1:$sj_port/token/"
wait_for "http://127.0.0.1:$drf_port/api-token-auth/"

GATEHOUSE_URL="http://127.0.0.1:$gh_port" SIMPLEJWT_URL="http://127.0.0.1:$sj_port" DRFJWT_URL="http://127.0.0.1:$drf_port" \
    GATEHOUSE_CONFIG="$run/gatehouse.toml" "$work/simplejwt/bin/python" tests/interop/interop.py \
    || { echo "--- logs ---" >&2; tail -n 30 "$run"/*.log >&2; exit 1; }
echo "interop: done in $(( $(date +%s) - started )) s"
