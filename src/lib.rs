//! gatehouse: an authentication sidecar built on Pingora.
//!
//! It stands in front of an existing HTTP service (the upstream) and
//! 1. answers the login, refresh and verify endpoints of five documented legacy APIs
//!    itself (the dialects), issuing tokens exactly as those systems did;
//! 2. authenticates every other request (Bearer JWT, Basic, a username/password header
//!    pair, a token header or cookie) with a cached verifier, so the hot path costs a
//!    hash lookup;
//! 3. forwards authenticated requests upstream with trusted identity headers
//!    (`X-Auth-User`, `X-Auth-User-Id`, ...), after removing anything a client could
//!    have forged.
//!
//! # The request flow
//!
//! ```text
//! client ─▶ proxy::request_filter ─▶ decision::decide
//!             framing (size, RFC 9112) ─▶ routes::normalize_path ─┬─ dialect endpoint ─▶ dialects ─▶ answer
//!                                                                 ├─ public route ─────▶ forward, no identity
//!                                                                 └─ credentials ─▶ passwords::Attempt (rate limit)
//!                                                                      ─▶ verifier (moka; jwt / passwords) ─▶ roles
//!                                                                      ─▶ 400/401/403/429/503, or forward as identity
//! upstream ◀─ proxy::upstream_request_filter ◀─ forwarded (strip hop-by-hop, credentials,
//!              forged identity; add identity, X-Forwarded-*, X-Request-Id; normalised path)
//! fail_to_proxy ─▶ decision::proxy_failure ─▶ 502 / 504 (respond's JSON shapes)
//! ```
//!
//! A dialect endpoint reads its body (`body`), checks passwords through the same
//! `passwords` policy as proxied traffic, signs on the bounded pool (`offload`) and
//! renders its documented answer; its access tokens open proxied traffic through the
//! verifier with the claim rules it declares (`dialects::Api::acceptance`).
//!
//! # Modules, one line each
//! Start and configuration:
//! - `cli`: the command line (`run`, `check`, `hash-password`, `token`, `revoke`).
//! - `config`: the TOML schema, validation with file:line:key errors, secrets from
//!   env/files; `config::dialect` is what dialects validate their own tables with.
//! - `server`: builds the Pingora server (proxy, admin, echo, readiness) and pre-flight.
//! - `state`: one configuration's runtime snapshot, and what outlives reloads (`Shared`).
//! - `reload`: SIGHUP and file-change reloads that swap the snapshot.
//!
//! The request path:
//! - `proxy`: the `ProxyHttp` hooks; moves data between Pingora and the modules below.
//! - `connections`: connection limits and request-head timeouts on the proxy port.
//! - `framing`: request-head size limits and RFC 9112 framing checks.
//! - `decision`: the request head → answer, forward or refuse, with the reasons.
//! - `decision_endpoint`: `[decision]`, the same decision answered to another proxy.
//! - `routes`: path normalisation and the route table (public / authenticated / roles).
//! - `credentials`: finding the credential a request presents.
//! - `ratelimit`: the failed-credential counters (per client, per username).
//! - `passwords`: the failed-password policy and the password check, for proxied
//!   credentials and dialect logins alike.
//! - `verifier`: credential → identity, with the moka cache and the JWT policy.
//! - `identity`: the identity and its headers.
//! - `issuers`: external token issuers (OIDC discovery, JWKS fetched in the background).
//! - `forwarded`: hop-by-hop headers, credentials, X-Forwarded-*, the request id.
//! - `respond`: locally written responses and the refusal shapes.
//! - `grpc`: which requests are gRPC, and their refusals in gRPC's shape.
//! - `http2`: HTTP/2 on the listener (h2c, ALPN, abuse limits) and to the upstream.
//! - `body`: bounded reads of the bodies gatehouse answers itself.
//! - `access_log`: one line per request on stdout; `iso8601`: its timestamps.
//!
//! Tokens, keys and users:
//! - `dialects`: the five documented login APIs, their registry and endpoint table.
//! - `keys`: signing/verification keys, key rings, JWKS; `tokens`: gatehouse's own
//!   tokens and `gatehouse token`; `revoke`: `gatehouse revoke`.
//! - `users`: users and password checks: the inline store, the hash formats, the SQL
//!   user database (`users::database`) and the directory that asks both
//!   (`users::directory`).
//! - `offload`: the bounded pool for password hashes and RSA signatures.
//!
//! State that outlives the process and spans replicas:
//! - `store`: the state store, embedded SQLite (`store::embedded`) or Redis
//!   (`store::redis`): simplejwt's blacklist, revocations, shared failure counters.
//! - `revocations`: what a revocation is, and the in-memory mirror requests are checked
//!   against.
//! - `background`: the one-thread runtime the store and the user database run their
//!   connections on.
//!
//! Around it:
//! - `admin`: the admin listener (`/healthz`, `/readyz`, `/metrics`, `/log-level`,
//!   `/revocations`).
//! - `metrics`: the Prometheus registry; `log_level`: the runtime log level.
//! - `listener_tls`: the listener certificate, swapped on reload.
//! - `echo`: the built-in echo upstream of the demo and the tests.
//!
//! The fixed interface (binary, config sections, identity headers, refusal shapes) and
//! the pinned decisions are in DESIGN.md and the README; module docs say only what
//! their module decides.

pub mod access_log;
pub mod admin;
pub mod background;
pub mod body;
pub mod cli;
pub mod config;
pub mod connections;
pub mod credentials;
pub mod decision;
pub mod decision_endpoint;
pub mod dialects;
pub mod echo;
pub mod forwarded;
pub mod framing;
pub mod grpc;
pub mod http2;
pub mod identity;
pub mod iso8601;
pub mod issuers;
pub mod keys;
pub mod listener_tls;
pub mod log_level;
pub mod metrics;
pub mod offload;
pub mod passwords;
pub mod proxy;
pub mod ratelimit;
pub mod reload;
pub mod respond;
pub mod revocations;
pub mod revoke;
pub mod routes;
pub mod server;
pub mod state;
pub mod store;
pub mod tokens;
pub mod users;
pub mod verifier;
