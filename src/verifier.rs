//! The cached verifier: a presented credential in, an [`Identity`] or a refusal out.
//!
//! Order of work, cheapest first:
//! 1. digest the credential and look it up (`cache.rs`); a hit costs one keyed
//!    SipHash-2-4-128 and one moka lookup, plus an `exp` recheck;
//! 2. a recently refused credential is refused again from the negative cache;
//! 3. otherwise verify for real: a JWT against the configured keys (`jwt.rs`), or a
//!    password through `passwords.rs` (the bounded hash pool, never the async worker);
//! 4. map the result to the store's user, refuse unknown or inactive users, cache it.
//!
//! Concurrent misses on one credential share one verification (`in_flight.rs`), and a
//! password credential in use is verified again in the background shortly before its
//! entry expires (`cache.rs`), so that neither an expiry nor a burst of new connections
//! makes a crowd of requests hash the same password.
//!
//! The verifier belongs to one configuration snapshot. A reload builds a new verifier with
//! an empty cache, so a changed password, a disabled user or a retired key can never be
//! served from an entry made under the old configuration.

mod cache;
pub mod claims;
mod external;
mod in_flight;
pub mod jwt;

use std::sync::Arc;
use std::time::Duration;

pub use crate::iso8601::unix_now;
use cache::{Digest, Digester, Domain, Hit, IdentityCache};
use in_flight::InFlight;
use jwt::{TokenAcceptors, TokenError, UserRef, VerifiedToken};

use crate::credentials::{CredentialError, CredentialKind, PasswordParts, Presented};
use crate::identity::{Identity, Principals};
use crate::issuers::{unverified_issuer, Issuers};
use crate::metrics::{CacheResult, Metrics};
use crate::offload::Busy;
use crate::passwords::{Lookup as PasswordLookup, PasswordChecker, PasswordFailure};
use crate::users::directory::Directory;
use crate::users::UserKey;

/// Why a credential did not authenticate. Every message is safe to show a client: it
/// never repeats the credential, and it does not say whether a username exists.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error(transparent)]
    Credential(#[from] CredentialError),
    #[error(transparent)]
    Token(#[from] TokenError),
    #[error("invalid username or password")]
    Password,
    /// A remembered refusal, with the message it had the first time.
    #[error("{0}")]
    Remembered(Arc<str>),
    #[error(transparent)]
    Busy(#[from] Busy),
    /// The user database did not answer: nothing is known about the credential.
    #[error("the user database is unavailable")]
    Unavailable,
    /// An external issuer's keys are not there (not fetched yet, or stale).
    #[error("the token's issuer cannot be checked right now")]
    IssuerUnavailable,
}

pub struct VerifierSettings {
    pub cache_capacity: u64,
    pub cache_ttl: Duration,
    pub negative_cache_ttl: Duration,
    pub leeway_secs: u64,
}

pub struct Verifier {
    users: Directory,
    principals: Principals,
    tokens: TokenAcceptors,
    cache: IdentityCache,
    digester: Digester,
    /// Cache misses being verified, by digest.
    in_flight: InFlight<Result<Arc<Identity>, AuthError>>,
    passwords: PasswordChecker,
    metrics: Arc<Metrics>,
    /// External issuers; a token whose `iss` names one is verified by it only.
    issuers: Arc<Issuers>,
}

impl Verifier {
    pub fn new(
        users: Directory,
        tokens: TokenAcceptors,
        settings: &VerifierSettings,
        passwords: PasswordChecker,
        metrics: Arc<Metrics>,
    ) -> Self {
        Self {
            principals: Principals::new(users.configured()),
            users,
            tokens,
            cache: IdentityCache::new(
                settings.cache_capacity,
                settings.cache_ttl,
                settings.negative_cache_ttl,
                settings.leeway_secs,
            ),
            digester: Digester::new(),
            in_flight: InFlight::new(),
            passwords,
            metrics,
            issuers: Arc::new(Issuers::none()),
        }
    }

    pub fn with_issuers(mut self, issuers: Arc<Issuers>) -> Self {
        self.issuers = issuers;
        self
    }

    pub fn users(&self) -> &Directory {
        &self.users
    }

    pub fn cache_entries(&self) -> u64 {
        self.cache.entry_count()
    }

    /// Authenticates a presented credential. `password` is its
    /// [`Presented::password_parts`] when the caller decoded them already (the decision
    /// path needs the username for the rate limiter first); otherwise they are decoded
    /// here, on a cache miss only.
    pub async fn verify(
        self: &Arc<Self>,
        presented: Presented<'_>,
        password: Option<&Result<PasswordParts<'_>, CredentialError>>,
    ) -> Result<Arc<Identity>, AuthError> {
        let kind = presented.kind();
        let digest = self.digest(&presented);
        if let Some(Hit {
            identity,
            refresh_due,
        }) = self.cache.get(&digest)
        {
            self.metrics.cache(CacheResult::Hit, kind);
            if refresh_due {
                self.renew_in_background(digest, presented);
            }
            return Ok(identity);
        }
        if let Some(message) = self.cache.refused(&digest) {
            self.metrics.cache(CacheResult::NegativeHit, kind);
            return Err(AuthError::Remembered(message));
        }
        self.metrics.cache(CacheResult::Miss, kind);
        let (result, ran) = self
            .in_flight
            .run(digest, || {
                self.verify_and_cache(digest, presented, password)
            })
            .await;
        if !ran {
            self.metrics.cache(CacheResult::Coalesced, kind);
        }
        result
    }

    /// A cache miss: the full verification, its answer cached (or its refusal
    /// remembered when it is one that will not change).
    async fn verify_and_cache(
        &self,
        digest: Digest,
        presented: Presented<'_>,
        password: Option<&Result<PasswordParts<'_>, CredentialError>>,
    ) -> Result<Arc<Identity>, AuthError> {
        let result = self.verify_uncached(presented, password).await;
        match &result {
            Ok(identity) if presented.password_parts().is_some() => {
                self.cache.insert_renewable(digest, identity.clone())
            }
            Ok(identity) => self.cache.insert(digest, identity.clone()),
            Err(error) if is_permanent(error) => {
                self.cache.invalidate(&digest);
                self.cache.remember_refusal(digest, &error.to_string())
            }
            Err(_) => {}
        }
        result
    }

    /// What a cache miss verifies, without the cache: the credential checked for real
    /// (a signature, or a password hash on the bounded pool) and mapped to its user.
    pub async fn verify_uncached(
        &self,
        presented: Presented<'_>,
        password: Option<&Result<PasswordParts<'_>, CredentialError>>,
    ) -> Result<Arc<Identity>, AuthError> {
        let kind = presented.kind();
        let decoded;
        let password = match password {
            Some(parts) => Some(parts),
            None => {
                decoded = presented.password_parts();
                decoded.as_ref()
            }
        };
        match (presented, password) {
            (Presented::Token { token, .. }, _) => self.verify_token(token, kind).await,
            (_, Some(Ok(parts))) => self.verify_password(parts, kind).await,
            (_, Some(Err(error))) => Err(error.clone().into()),
            // `password_parts` is `Some` for every credential that is not a token.
            (_, None) => Err(CredentialError::MalformedBasic.into()),
        }
    }

    /// Verifies a password credential again while its entry keeps serving, sharing the
    /// flight with any miss on it. A refusal (the password changed, the user was
    /// deactivated) drops the entry; a transient failure leaves it to expire as it would.
    fn renew_in_background(self: &Arc<Self>, digest: Digest, presented: Presented<'_>) {
        let Some(owned) = OwnedPassword::of(presented) else {
            return;
        };
        let verifier = Arc::clone(self);
        tokio::spawn(async move {
            let presented = owned.presented();
            let kind = presented.kind();
            let (_, ran) = verifier
                .in_flight
                .run(digest, || {
                    verifier.verify_and_cache(digest, presented, None)
                })
                .await;
            if ran {
                verifier.metrics.cache(CacheResult::Renewed, kind);
            }
        });
    }

    async fn verify_token(
        &self,
        token: &str,
        kind: CredentialKind,
    ) -> Result<Arc<Identity>, AuthError> {
        if !self.issuers.is_empty() {
            if let Some(issuer) = unverified_issuer(token)
                .as_deref()
                .and_then(|iss| self.issuers.find(iss))
            {
                return self.verify_external(issuer, token, kind).await;
            }
        }
        let (verified, acceptor) = self.tokens.verify(token)?;
        // Only reached on a cache miss: a cached token is not verified (nor counted) again.
        self.metrics.key_verified(acceptor.key().id());
        self.identity_for(verified, kind).await
    }

    async fn identity_for(
        &self,
        token: VerifiedToken,
        kind: CredentialKind,
    ) -> Result<Arc<Identity>, AuthError> {
        let key = match &token.user {
            UserRef::Username(name) => UserKey::Username(name),
            UserRef::Id(id) => UserKey::Id(*id),
        };
        let found = self
            .users
            .find(key)
            .await
            .map_err(|_| AuthError::Unavailable)?
            .ok_or(TokenError::UnknownUser)?;
        if !found.user.active {
            return Err(TokenError::Inactive.into());
        }
        Ok(Arc::new(
            Identity::of_token(
                self.principals.of(&found.user),
                kind.method(),
                token.token_id.as_deref(),
                token.issued_at,
                token.expires_at,
            )
            .fresh_until(found.fresh_until),
        ))
    }

    async fn verify_password(
        &self,
        parts: &PasswordParts<'_>,
        kind: CredentialKind,
    ) -> Result<Arc<Identity>, AuthError> {
        let username = String::from_utf8_lossy(&parts.username).into_owned();
        match self
            .passwords
            .check(
                &self.users,
                PasswordLookup::Username(username),
                parts.password.to_vec(),
            )
            .await
        {
            Ok(found) => Ok(Arc::new(
                Identity::new(self.principals.of(&found.user), kind.method())
                    .fresh_until(found.fresh_until),
            )),
            Err(PasswordFailure::Busy) => Err(AuthError::Busy(Busy)),
            Err(PasswordFailure::Unavailable) => Err(AuthError::Unavailable),
            Err(PasswordFailure::Invalid(_)) => Err(AuthError::Password),
        }
    }

    fn digest(&self, presented: &Presented<'_>) -> Digest {
        match presented {
            Presented::Token { token, .. } => {
                self.digester.digest(Domain::Token, &[token.as_bytes()])
            }
            Presented::Basic { encoded } => {
                self.digester.digest(Domain::Basic, &[encoded.as_bytes()])
            }
            Presented::HeaderPair { username, password } => self
                .digester
                .digest(Domain::HeaderPair, &[username, password]),
        }
    }
}

/// A password credential copied out of a request for a background renewal; wiped when
/// dropped.
enum OwnedPassword {
    Basic(zeroize::Zeroizing<String>),
    HeaderPair {
        username: zeroize::Zeroizing<Vec<u8>>,
        password: zeroize::Zeroizing<Vec<u8>>,
    },
}

impl OwnedPassword {
    fn of(presented: Presented<'_>) -> Option<Self> {
        match presented {
            Presented::Token { .. } => None,
            Presented::Basic { encoded } => Some(Self::Basic(encoded.to_owned().into())),
            Presented::HeaderPair { username, password } => Some(Self::HeaderPair {
                username: username.to_vec().into(),
                password: password.to_vec().into(),
            }),
        }
    }

    fn presented(&self) -> Presented<'_> {
        match self {
            Self::Basic(encoded) => Presented::Basic { encoded },
            Self::HeaderPair { username, password } => Presented::HeaderPair { username, password },
        }
    }
}

/// Refusals that stay refusals for as long as this configuration serves.
fn is_permanent(error: &AuthError) -> bool {
    match error {
        AuthError::Token(token) => token.is_permanent(),
        AuthError::Credential(_) | AuthError::Password => true,
        AuthError::Remembered(_)
        | AuthError::Busy(_)
        | AuthError::Unavailable
        | AuthError::IssuerUnavailable => false,
    }
}

#[cfg(test)]
mod tests;
