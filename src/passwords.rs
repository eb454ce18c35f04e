//! Password checks, in one place for both callers: proxied Basic and header-pair
//! credentials (`decision.rs`, through the verifier) and the dialects' login endpoints.
//!
//! Two pieces, used in this order by both:
//! 1. [`Attempt`]: the failed-password policy (DESIGN "Rate limits"). A client or a
//!    username over its limit is refused before any password is looked at, and before
//!    the verifier's cache is consulted, so that even the right (or a cached) password
//!    gets `429` during a lockout and a guess cannot be confirmed. Only failures count.
//! 2. [`PasswordChecker`]: finds the user and compares the password on the bounded hash
//!    pool, never on an async worker; an unknown user costs the same as a wrong
//!    password (the store runs its dummy hash).

use std::net::IpAddr;
use std::sync::Arc;

use crate::metrics::Metrics;
use crate::offload::{Busy, HashPool};
use crate::ratelimit::{FailureLimiter, RetryAfter};
use crate::users::directory::Directory;
use crate::users::{AuthFailure, Found, UserKey};

/// One password attempt under the failed-password limits: per client, and per username
/// when one could be read.
pub struct Attempt<'a> {
    limiter: &'a FailureLimiter,
    client: IpAddr,
    username: Option<&'a [u8]>,
}

impl<'a> Attempt<'a> {
    pub fn new(limiter: &'a FailureLimiter, client: IpAddr, username: Option<&'a [u8]>) -> Self {
        Self {
            limiter,
            client,
            username,
        }
    }

    /// `Err` while the client or the username is over its limit.
    pub async fn admit(&self) -> Result<(), RetryAfter> {
        self.limiter.admit(self.client, self.username).await
    }

    /// Counts this attempt as failed, against the client and the username.
    pub async fn failed(&self) {
        self.limiter.count_failure(self.client, self.username).await;
    }
}

/// Which user a password names.
#[derive(Clone, Debug)]
pub enum Lookup {
    /// Exact match, as Django and Spring look users up.
    Username(String),
    /// Case-insensitive match, as ASP.NET Identity (normalised user names) and MySQL's
    /// default collations do.
    UsernameIgnoreCase(String),
    Email(String),
}

impl Lookup {
    /// What the per-username limit counts this attempt under.
    pub fn name(&self) -> &str {
        match self {
            Lookup::Username(name) | Lookup::UsernameIgnoreCase(name) | Lookup::Email(name) => name,
        }
    }

    pub fn key(&self) -> UserKey<'_> {
        match self {
            Lookup::Username(name) => UserKey::Username(name),
            Lookup::UsernameIgnoreCase(name) => UserKey::UsernameFolded(name),
            Lookup::Email(email) => UserKey::Email(email),
        }
    }
}

/// Why a password check did not name an active user.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PasswordFailure {
    /// The hash pool is full: nothing was checked, so this is not a failed attempt.
    Busy,
    /// The user database did not answer: nothing was checked either.
    Unavailable,
    Invalid(AuthFailure),
}

/// Runs password checks on the hash pool and counts them.
#[derive(Clone)]
pub struct PasswordChecker {
    pool: Arc<HashPool>,
    metrics: Arc<Metrics>,
}

impl PasswordChecker {
    pub fn new(pool: Arc<HashPool>, metrics: Arc<Metrics>) -> Self {
        Self { pool, metrics }
    }

    /// The user `lookup` names, if `password` is theirs and they are active. The lookup
    /// runs first (it may query the user database), then the hash on the pool.
    pub async fn check(
        &self,
        users: &Directory,
        lookup: Lookup,
        password: Vec<u8>,
    ) -> Result<Found, PasswordFailure> {
        let found = match users.find(lookup.key()).await {
            Ok(found) => found,
            Err(e) => {
                log::warn!("password check not done: {e}");
                return Err(PasswordFailure::Unavailable);
            }
        };
        let fresh_until = found.as_ref().and_then(|found| found.fresh_until);
        let users = users.clone();
        let outcome = self
            .pool
            .run(move || users.authenticate(found.as_ref().map(|found| &found.user), &password))
            .await;
        match outcome {
            Err(Busy) => {
                self.metrics.password_check_busy();
                Err(PasswordFailure::Busy)
            }
            Ok(result) => {
                // A match on an inactive user still counts as a match (the hash agreed).
                self.metrics
                    .password_check(matches!(result, Ok(_) | Err(AuthFailure::Inactive)));
                result
                    .map(|user| Found { user, fresh_until })
                    .map_err(PasswordFailure::Invalid)
            }
        }
    }
}

#[cfg(test)]
mod tests;
