#!/usr/bin/env bash
# Builds a Python venv for the integration tests from a pinned requirements file, or
# reuses it when it is up to date, and prints the path of its python on stdout.
# Everything else goes to stderr.
#
#   tests/integration/python_venv.sh NAME REQUIREMENTS_FILE     PYTHON_VENV_PYTHON=python3.12 ...
#
# The venv is ${CARGO_TARGET_DIR:-target}/NAME/venv. It is rebuilt when the interpreter
# or the requirements file changes. Safe to run from several processes at once (the
# test modules run it once per test process, and nextest runs a process per test): the
# check and the build happen under an exclusive flock on target/NAME/.lock.
#
# Users: tests/integration/django_users/setup.sh (django-users), tests/integration/
# grpc_kit.rs (grpc-kit). Needs Python >= 3.11 with the venv module; when there is none,
# it installs Debian's python3 and python3-venv with apt-get, and the first build of a
# venv needs PyPI.
set -euo pipefail
if [ $# -ne 2 ]; then
    echo "usage: $0 NAME REQUIREMENTS_FILE" >&2
    exit 2
fi
name=$1
case "$name" in
    '' | *[!a-z0-9_-]*) echo "python_venv.sh: NAME must be [a-z0-9_-]+, not '$name'" >&2; exit 2 ;;
esac
requirements=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
[ -f "$requirements" ] || { echo "$name: no requirements file $2" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"
target="${CARGO_TARGET_DIR:-$root/target}"
work="$target/$name"
venv="$work/venv"

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
apt_install() {
    command -v apt-get >/dev/null 2>&1 || { echo "$name: need $* (no apt-get here; install it yourself)" >&2; return 1; }
    echo "$name: installing $*" >&2
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

mkdir -p "$work"
# Held until this script exits; 300 s covers another process's full build from PyPI.
exec 9>"$work/.lock"
flock -w 300 9 || { echo "$name: $work/.lock still held after 300 s" >&2; exit 1; }

# Python >= 3.11 with venv, as tests/interop/run.sh finds it: python3.11 first.
find_python() {
    local candidate
    for candidate in ${PYTHON_VENV_PYTHON:-python3.11 python3}; do
        if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys, venv; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            command -v "$candidate"
            return 0
        fi
    done
    return 1
}
python=$(find_python) || { [ -z "${PYTHON_VENV_PYTHON:-}" ] && apt_install python3 python3-venv && python=$(find_python); } \
    || { echo "$name: needs Python >= 3.11 with the venv module" >&2; exit 1; }
py_version=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')

# The stamp is written last, so an interrupted build is never taken for a finished one.
stamp_file="$venv/.$name-stamp"
stamp="$("$python" -VV 2>&1 | head -n 1) $(cksum < "$requirements")"
if [ -x "$venv/bin/python" ] && [ "$(cat "$stamp_file" 2>/dev/null)" = "$stamp" ]; then
    echo "$venv/bin/python"
    exit 0
fi

echo "$name: building $venv with $python" >&2
started=$(date +%s)
rm -rf "${venv:?}"
if ! "$python" -m venv "$venv" >/dev/null 2>&1; then
    # Debian's python3 has no ensurepip until python3-venv is installed.
    rm -rf "${venv:?}"
    apt_install python3-venv "python$py_version-venv" || apt_install python3-venv
    "$python" -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check --no-input -r "$requirements" >&2 \
    || { echo "$name: pip install -r $requirements failed (it needs PyPI)" >&2; exit 1; }
echo "$stamp" > "$stamp_file"
echo "$name: built in $(( $(date +%s) - started )) s" >&2
echo "$venv/bin/python"
