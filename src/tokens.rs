//! gatehouse's own tokens: what `gatehouse token` prints without `--dialect`, for load
//! tests and scripts.
//!
//! Claims: `sub` (the canonical username), `iss` (`[auth] issuer`), `iat`, `exp`
//! (`[auth] token_lifetime` later), `jti` (32 hex digits). The header carries the signing
//! key's `kid`, so several keys can verify side by side during a rotation.

use std::time::Duration;

use serde::Serialize;

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
