#!/usr/bin/env bash
# Installs the OIDC test kit's npm packages (oidc-provider, pinned by package.json and
# package-lock.json beside this script) with `npm ci`, or reuses them when they are up to
# date, and prints the path of their node_modules directory on stdout. Everything else
# goes to stderr.
#
#   tests/integration/oidc_kit/setup.sh
#
# The packages go to ${CARGO_TARGET_DIR:-target}/oidc-kit/node_modules, out of the source
# tree. They are reinstalled when node's version or the lock file changes. Safe to run
# from several processes at once (tests/integration/oidc_kit.rs runs it once per test
# process, and nextest runs a process per test): the check and the install happen under
# an exclusive flock on target/oidc-kit/.lock.
#
# Needs Node.js >= 20 with npm; when node or npm is missing it installs Debian's nodejs
# and npm with apt-get (Debian 12's nodejs is 18, too old for oidc-provider 9: then it
# says so). The first install needs the npm registry.
set -euo pipefail
name=oidc-kit
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
cd "$root"
target="${CARGO_TARGET_DIR:-$root/target}"
work="$target/$name"
modules="$work/node_modules"

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
apt_install() {
    command -v apt-get >/dev/null 2>&1 || { echo "$name: need $* (no apt-get here; install it yourself)" >&2; return 1; }
    echo "$name: installing $*" >&2
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

mkdir -p "$work"
# Held until this script exits; 300 s covers another process's full install.
exec 9>"$work/.lock"
flock -w 300 9 || { echo "$name: $work/.lock still held after 300 s" >&2; exit 1; }

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    apt_install nodejs npm || { echo "$name: needs Node.js >= 20 and npm" >&2; exit 1; }
fi
# oidc-provider 9 uses URL.parse (Node 20.18 and later); it warns on anything before
# Node 22 LTS but runs.
node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 && typeof URL.parse === "function" ? 0 : 1)' \
    || { echo "$name: needs Node.js >= 20.18, found $(node --version) at $(command -v node)" >&2; exit 1; }

# The stamp is written last, so an interrupted install is never taken for a finished one.
stamp_file="$modules/.$name-stamp"
stamp="node $(node --version) $(cksum < "$here/package-lock.json")"
if [ -f "$modules/oidc-provider/package.json" ] && [ "$(cat "$stamp_file" 2>/dev/null)" = "$stamp" ]; then
    echo "$modules"
    exit 0
fi

echo "$name: installing $here/package-lock.json into $modules" >&2
started=$(date +%s)
rm -rf "${modules:?}"
# npm ci works on the directory that holds package.json and the lock file: copies.
cp "$here/package.json" "$here/package-lock.json" "$work/"
npm ci --prefix "$work" --no-audit --no-fund --ignore-scripts --loglevel=error >&2 \
    || { echo "$name: npm ci failed (the first install needs the npm registry)" >&2; exit 1; }
echo "$stamp" > "$stamp_file"
echo "$name: installed in $(( $(date +%s) - started )) s" >&2
echo "$modules"
