#!/usr/bin/env bash
# Builds the venv that users.py runs in (the real Django 4.2.30 with psycopg2, argon2-cffi
# and bcrypt, pinned in requirements.txt here), or reuses it when it is up to date, and
# prints the path of its python on stdout. Everything else goes to stderr.
#
#   tests/integration/django_users/setup.sh        DJANGO_USERS_PYTHON=python3.12 ...
#
# The venv is ${CARGO_TARGET_DIR:-target}/django-users/venv. It is rebuilt when the
# interpreter or requirements.txt changes. Safe to run from several processes at once
# (tests/integration/django_users.rs runs it once per test process, and nextest runs a
# process per test): the check and the build happen under an exclusive flock.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
cd "$root"
target="${CARGO_TARGET_DIR:-$root/target}"
work="$target/django-users"
venv="$work/venv"
requirements="$here/requirements.txt"

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
apt_install() {
    command -v apt-get >/dev/null 2>&1 || { echo "django-users: need $* (no apt-get here; install it yourself)" >&2; return 1; }
    echo "django-users: installing $*" >&2
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

mkdir -p "$work"
# Held until this script exits; 300 s covers another process's full build from PyPI.
exec 9>"$work/.lock"
flock -w 300 9 || { echo "django-users: $work/.lock still held after 300 s" >&2; exit 1; }

# Python >= 3.11 with venv, as tests/interop/run.sh finds it: python3.11 first.
find_python() {
    local candidate
    for candidate in ${DJANGO_USERS_PYTHON:-python3.11 python3}; do
        if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys, venv; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            command -v "$candidate"
            return 0
        fi
    done
    return 1
}
python=$(find_python) || { [ -z "${DJANGO_USERS_PYTHON:-}" ] && apt_install python3 python3-venv && python=$(find_python); } \
    || { echo "django-users: needs Python >= 3.11 with the venv module" >&2; exit 1; }
py_version=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')

# The stamp is written last, so an interrupted build is never taken for a finished one.
stamp="$("$python" -VV 2>&1 | head -n 1) $(cksum < "$requirements")"
if [ -x "$venv/bin/python" ] && [ "$(cat "$venv/.django-users-stamp" 2>/dev/null)" = "$stamp" ]; then
    echo "$venv/bin/python"
    exit 0
fi

echo "django-users: building $venv with $python" >&2
started=$(date +%s)
rm -rf "${venv:?}"
if ! "$python" -m venv "$venv" >/dev/null 2>&1; then
    # Debian's python3 has no ensurepip until python3-venv is installed.
    rm -rf "${venv:?}"
    apt_install python3-venv "python$py_version-venv" || apt_install python3-venv
    "$python" -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check --no-input -r "$requirements" >&2 \
    || { echo "django-users: pip install -r $requirements failed (it needs PyPI)" >&2; exit 1; }
echo "$stamp" > "$venv/.django-users-stamp"
echo "django-users: built in $(( $(date +%s) - started )) s" >&2
echo "$venv/bin/python"
