//! gatehouse's integration tests: the real binary, real upstreams, real HTTP clients,
//! loopback only. One test binary (each extra one would link Pingora again).

// Test code: a failed expectation is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod harness;
// What the server kits share: spawning, a bounded ready wait, port retries, kill on drop.
mod server_process;

// The command line: check, hash-password, token, exit codes.
mod cli;
// Each credential kind end to end through the echo upstream, and identity headers.
mod credentials;
// Forged identity headers, hop-by-hop smuggling, credentials kept from the upstream.
mod forged_headers;
// Route rules (public, authenticated, roles) and path normalisation.
mod routes;
// The verifier cache, observed through /metrics.
mod cache;
// Upstream failures: 502/504 JSON, and recovery.
mod upstream;
// Every supported password hash format, from hashes made by the real tools.
mod hash_formats;
// The admin listener.
mod admin;
// The JSON access log.
mod access_log;
// Graceful shutdown, upgrade hand-over, WebSocket pass-through.
mod lifecycle;
// TLS on the listener and to the upstream.
mod tls;
// A seeded smoke run of the fuzz targets' bodies.
mod fuzz_smoke;
// Reloading the configuration on SIGHUP.
mod reload;
// Failed-credential limits per client and per username.
mod rate_limits;
// What an attacker would try: hostile tokens, smuggling, path tricks, slow clients.
mod attacks;
// The five documented login APIs, JWKS, body limits, dialect tokens on proxied traffic.
mod dialects;
// Dialect key rotation: verify-only keys, kid, retirement, JWKS.
mod key_rotation;
// The proxy port's connection cap and request-head deadline.
mod connections;
// Upstream latency, dialect login outcomes, tokens issued, key use.
mod metrics;
// The real redis-server that the shared state store tests run against.
mod redis_server;
// The embedded state store: restarts, kill -9, `gatehouse revoke`, the admin API.
mod state;
// Replicas sharing one real Redis: blacklist, revocations, failure counters, Redis faults.
mod replicas;
// The real PostgreSQL cluster that the SQL user source tests run against.
mod postgres_server;
// The real Django 4.2 writing users into PostgreSQL, MariaDB or SQLite (a venv under
// target/).
mod django_users;
// Those two proven: Django's writes read back with psql, stop/kill/restart, no leftovers.
mod postgres;
// The real MariaDB that the tests of the SQL user source's MySQL path run against.
mod mariadb_server;
// That server proven: stop/kill/restart keep the data, dropping it leaves nothing.
mod mariadb;
// Users from the application's database: Django's tables in PostgreSQL, MariaDB and
// SQLite, PHP tables through configured queries (SQLite, MariaDB), database faults,
// `gatehouse check`.
mod user_database;
// The gRPC test kit: a real grpcio server and client (a venv under target/), no gatehouse.
mod grpc_kit;
// curl as the HTTP/2 client: h2c with prior knowledge, h2 over TLS.
mod curl;
// HTTP/2 on the proxy port and to the upstream: routing, stripping, dialects, TLS ALPN.
mod http2;
// gRPC through gatehouse: real grpcio client and server, every call shape, refusals.
mod grpc;
// HTTP/2 abuse (rapid reset, CONTINUATION flood, oversized headers) beside a client.
mod h2_abuse;
// The OIDC provider test kit: a real node-oidc-provider (npm, under target/), no gatehouse.
mod oidc_kit;
// External issuers against the real OIDC provider: identity, rotation, outages, attacks.
mod issuers;
// The application behind the front proxies: a raw HTTP/1.1 echo that records requests.
mod echo_upstream;
// The real nginx that the decision endpoint tests put in front of gatehouse.
mod nginx_server;
// The real Caddy that the decision endpoint tests put in front of gatehouse.
mod caddy_server;
// The decision endpoint behind nginx and Caddy, and the Envoy/Traefik/ingress-nginx
// protocols: identity copied, forgeries and spoofed descriptions refused, `..` handling.
mod front_proxies;
