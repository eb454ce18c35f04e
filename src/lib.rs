//! gatehouse: an authentication sidecar built on Pingora.
//!
//! It stands in front of an existing HTTP service and
//! 1. authenticates every request (Bearer JWT, Basic, a username/password header pair,
//!    a token header or cookie) with a cached verifier, so the hot path costs a hash
//!    lookup;
//! 2. forwards authenticated requests upstream with trusted identity headers
//!    (`X-Auth-User`, `X-Auth-User-Id`, ...), after removing anything a client could
//!    have forged.
//!
//! ```text
//! client ─▶ proxy::request_filter ─┬─ route is public? ─▶ forward (no identity)
//!                                  └─ credentials ─▶ verifier (moka) ─▶ 401/403, or
//!   upstream ◀─ proxy::upstream_request_filter (strip forged headers, add identity) ◀┘
//! ```
//!
//! # Where things live
//! - `config`: the TOML schema, validation with file:line:key errors, secrets.
//! - `server`: builds the Pingora server (proxy, admin, echo, readiness) and pre-flight.
//! - `proxy`: the `ProxyHttp` implementation, the request flow only.
//! - `routes`: path normalisation and the route table.
//! - `credentials`: finding the credential a request presents.
//! - `verifier`: credential -> identity, with the moka cache and JWT policy.
//! - `identity`: the identity and its headers; `forwarded`: hop-by-hop, X-Forwarded-*.
//! - `keys`: signing/verification keys and JWKS; `tokens`: gatehouse's own tokens.
//! - `users`: the user store and password hash formats; `offload`: the hash pool.
//! - `respond`: locally written responses and refusal shapes.
//! - `admin`, `metrics`: the admin listener and Prometheus metrics.
//! - `echo`: the built-in echo upstream; `reload`: SIGHUP reloads.

pub mod access_log;
pub mod admin;
pub mod body;
pub mod cli;
pub mod config;
pub mod connections;
pub mod credentials;
pub mod decision;
pub mod dialects;
pub mod echo;
pub mod forwarded;
pub mod framing;
pub mod identity;
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
pub mod routes;
pub mod server;
pub mod state;
pub mod tokens;
pub mod users;
pub mod verifier;

use config::Config;

/// Why `gatehouse token` could not print a token.
#[derive(Debug, thiserror::Error)]
pub enum TokenCommandError {
    #[error("no user named {0:?} in the configuration")]
    UnknownUser(String),
    #[error("user {0:?} is inactive")]
    Inactive(String),
    #[error("no key can sign gatehouse tokens: add a [[keys]] entry with a secret or private key")]
    NoSigningKey,
    #[error("unknown dialect {0:?} (expected {names})", names = dialects::Dialect::names())]
    UnknownDialect(String),
    #[error("dialect {0:?} is not enabled in the configuration")]
    DialectDisabled(String),
    #[error(transparent)]
    Key(#[from] keys::KeyError),
}

/// Issues a token for `username`, as `gatehouse token` prints it.
pub fn issue_token(
    config: &Config,
    username: &str,
    dialect: Option<&str>,
) -> Result<String, TokenCommandError> {
    let user = config
        .users
        .iter()
        .find(|u| u.username == username)
        .ok_or_else(|| TokenCommandError::UnknownUser(username.to_owned()))?;
    if !user.active {
        return Err(TokenCommandError::Inactive(username.to_owned()));
    }
    let now = verifier::unix_now();
    let token = match dialect {
        None | Some("gatehouse") => {
            let key = config
                .auth
                .token_key
                .as_ref()
                .ok_or(TokenCommandError::NoSigningKey)?;
            tokens::issue_native(
                key,
                &config.auth.issuer,
                config.auth.token_lifetime,
                user,
                now,
            )?
        }
        Some(name) => {
            let wanted = dialects::Dialect::named(name)
                .ok_or_else(|| TokenCommandError::UnknownDialect(name.to_owned()))?;
            let enabled = config
                .dialects
                .iter()
                .find(|e| e.dialect == wanted)
                .ok_or_else(|| TokenCommandError::DialectDisabled(name.to_owned()))?;
            enabled.api.issue(user, now)?
        }
    };
    Ok(token)
}
