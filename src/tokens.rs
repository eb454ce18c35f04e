//! gatehouse's own tokens, and `gatehouse token`: a token for a configured user, its own
//! or (`--dialect`) the one a dialect's login would hand out, for load tests and scripts.
//!
//! Claims: `sub` (the canonical username), `iss` (`[auth] issuer`), `iat`, `exp`
//! (`[auth] token_lifetime` later), `jti` (32 hex digits). The header carries the signing
//! key's `kid`, so several keys can verify side by side during a rotation.

use std::time::Duration;

use serde::Serialize;

use crate::config::Config;
use crate::dialects::Dialect;
use crate::keys::{Key, KeyError};
use crate::users::User;

#[derive(Serialize)]
struct NativeClaims<'a> {
    sub: &'a str,
    iss: &'a str,
    iat: u64,
    exp: u64,
    jti: String,
}

/// A fresh random token id: 128 bits as 32 lower-case hex digits (the shape of a UUID4
/// hex, as simplejwt uses).
pub fn new_jti() -> String {
    format!("{:032x}", rand::random::<u128>())
}

/// Signs a gatehouse token for `user`.
pub fn issue_native(
    key: &Key,
    issuer: &str,
    lifetime: Duration,
    user: &User,
    now: u64,
) -> Result<String, KeyError> {
    let claims = NativeClaims {
        sub: &user.username,
        iss: issuer,
        iat: now,
        exp: now.saturating_add(lifetime.as_secs()),
        jti: new_jti(),
    };
    key.sign(&key.header(true), &claims)
}

/// Why `gatehouse token` could not print a token.
#[derive(Debug, thiserror::Error)]
pub enum TokenCommandError {
    #[error("no user named {0:?} in the configuration or its user database")]
    UnknownUser(String),
    #[error("user {0:?} is inactive")]
    Inactive(String),
    #[error("{0}")]
    UserDatabase(String),
    #[error("no key can sign gatehouse tokens: add a [[keys]] entry with a secret or private key")]
    NoSigningKey,
    #[error("unknown dialect {0:?} (expected {names})", names = Dialect::names())]
    UnknownDialect(String),
    #[error("dialect {0:?} is not enabled in the configuration")]
    DialectDisabled(String),
    #[error(transparent)]
    Key(#[from] KeyError),
}

/// Issues a token for `username`, as `gatehouse token` prints it.
pub fn issue_token(
    config: &Config,
    username: &str,
    dialect: Option<&str>,
) -> Result<String, TokenCommandError> {
    let users =
        crate::state::command_line_directory(config).map_err(TokenCommandError::UserDatabase)?;
    let found = users
        .find_blocking(crate::users::UserKey::Username(username))
        .map_err(|e| TokenCommandError::UserDatabase(e.to_string()))?
        .ok_or_else(|| TokenCommandError::UnknownUser(username.to_owned()))?;
    let user = &*found.user;
    if !user.active {
        return Err(TokenCommandError::Inactive(username.to_owned()));
    }
    let now = crate::verifier::unix_now();
    let token = match dialect {
        None | Some("gatehouse") => {
            let key = config
                .auth
                .token_key
                .as_ref()
                .ok_or(TokenCommandError::NoSigningKey)?;
            issue_native(
                key,
                &config.auth.issuer,
                config.auth.token_lifetime,
                user,
                now,
            )?
        }
        Some(name) => {
            let wanted = Dialect::named(name)
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
