#!/usr/bin/env sh
# Puts gatehouse in front of backend.py and shows what the backend sees. Run from the
# repository root: examples/legacy-backend/walkthrough.sh
set -eu
cd "$(dirname "$0")/../.."
cargo build -q --release --bin gatehouse
python3 examples/legacy-backend/backend.py 8080 2>/dev/null &
backend=$!
target/release/gatehouse --config examples/legacy-backend/gatehouse.toml 2>/dev/null >/dev/null &
gatehouse=$!
trap 'kill $backend $gatehouse 2>/dev/null' EXIT
for _ in $(seq 50); do curl -sf http://127.0.0.1:9779/readyz >/dev/null && break; sleep 0.1; done

show() { echo "\$ $*"; "$@"; echo; echo; }
show curl -s http://127.0.0.1:9778/public/welcome
show curl -s http://127.0.0.1:9778/orders
show curl -s -u TestUser:password http://127.0.0.1:9778/orders -H 'X-Auth-User: admin'
show curl -s http://127.0.0.1:9778/orders -H 'User-Name: user_test' -H 'Password: password_test'
show curl -s -u admin:masterkey http://127.0.0.1:9778/reports
