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
//! The verifier belongs to one configuration snapshot. A reload builds a new verifier with
//! an empty cache, so a changed password, a disabled user or a retired key can never be
//! served from an entry made under the old configuration.

mod cache;
pub mod claims;
mod external;
pub mod jwt;

use std::sync::Arc;
use std::time::Duration;

pub use crate::iso8601::unix_now;
pub use cache::Digest;
use cache::{Digester, Domain, IdentityCache};
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
        &self,
        presented: Presented<'_>,
        password: Option<&Result<PasswordParts<'_>, CredentialError>>,
    ) -> Result<Arc<Identity>, AuthError> {
        let digest = match self.lookup(&presented) {
            Lookup::Hit(identity) => return Ok(identity),
            Lookup::Refused(message) => return Err(AuthError::Remembered(message)),
            Lookup::Miss(digest) => digest,
        };
        let kind = presented.kind();
        let decoded;
        let password = match password {
            Some(parts) => Some(parts),
            None => {
                decoded = presented.password_parts();
                decoded.as_ref()
            }
        };
        let result = match (presented, password) {
            (Presented::Token { token, .. }, _) => self.verify_token(token, kind).await,
            (_, Some(Ok(parts))) => self.verify_password(parts, kind).await,
            (_, Some(Err(error))) => Err(error.clone().into()),
            // `password_parts` is `Some` for every credential that is not a token.
            (_, None) => Err(CredentialError::MalformedBasic.into()),
        };
        match &result {
            Ok(identity) => self.cache.insert(digest, identity.clone()),
            Err(error) if is_permanent(error) => {
                self.cache.remember_refusal(digest, &error.to_string())
            }
            Err(_) => {}
        }
        result
    }

    /// The cache's answer for a credential: the hot path, synchronous, no allocation on
    /// a hit beyond the `Arc` clone.
    pub fn lookup(&self, presented: &Presented<'_>) -> Lookup {
        let kind = presented.kind();
        let digest = self.digest(presented);
        if let Some(identity) = self.cache.get(&digest) {
            self.metrics.cache(CacheResult::Hit, kind);
            return Lookup::Hit(identity);
        }
        if let Some(message) = self.cache.refused(&digest) {
            self.metrics.cache(CacheResult::NegativeHit, kind);
            return Lookup::Refused(message);
        }
        self.metrics.cache(CacheResult::Miss, kind);
        Lookup::Miss(digest)
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

/// What the cache knows about a credential.
pub enum Lookup {
    Hit(Arc<Identity>),
    /// Refused recently, with the message it got then.
    Refused(Arc<str>),
    /// Unknown: verify for real, then cache under this digest.
    Miss(Digest),
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
