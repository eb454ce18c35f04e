//! The cached verifier: a presented credential in, an [`Identity`] or a refusal out.
//!
//! Order of work, cheapest first:
//! 1. digest the credential and look it up (`cache.rs`); a hit costs one keyed
//!    SipHash-2-4-128 and one moka lookup, plus an `exp` recheck;
//! 2. a recently refused credential is refused again from the negative cache;
//! 3. otherwise verify for real: a JWT against the configured keys (`jwt.rs`), or a
//!    password on the bounded hash pool (`offload.rs`), never on the async worker;
//! 4. map the result to the store's user, refuse unknown or inactive users, cache it.
//!
//! The verifier belongs to one configuration snapshot. A reload builds a new verifier with
//! an empty cache, so a changed password, a disabled user or a retired key can never be
//! served from an entry made under the old configuration.

mod cache;
pub mod jwt;

use std::sync::Arc;
use std::time::Duration;

pub use cache::unix_now;
pub use cache::Digest;
use cache::{Digester, Domain, IdentityCache};
use jwt::{TokenAcceptors, TokenError, UserRef};

use crate::credentials::{decode_basic, CredentialError, CredentialKind, Presented};
use crate::identity::{Identity, Principals};
use crate::metrics::{CacheResult, Metrics};
use crate::offload::{Busy, HashPool};
use crate::users::{AuthFailure, UserStore};

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
}

pub struct VerifierSettings {
    pub cache_capacity: u64,
    pub cache_ttl: Duration,
    pub negative_cache_ttl: Duration,
    pub leeway_secs: u64,
}

pub struct Verifier {
    users: Arc<UserStore>,
    principals: Principals,
    tokens: TokenAcceptors,
    cache: IdentityCache,
    digester: Digester,
    hash_pool: Arc<HashPool>,
    metrics: Arc<Metrics>,
}

impl Verifier {
    pub fn new(
        users: Arc<UserStore>,
        tokens: TokenAcceptors,
        settings: &VerifierSettings,
        hash_pool: Arc<HashPool>,
        metrics: Arc<Metrics>,
    ) -> Self {
        Self {
            principals: Principals::new(&users),
            users,
            tokens,
            cache: IdentityCache::new(
                settings.cache_capacity,
                settings.cache_ttl,
                settings.negative_cache_ttl,
                settings.leeway_secs,
            ),
            digester: Digester::new(),
            hash_pool,
            metrics,
        }
    }

    pub fn users(&self) -> &Arc<UserStore> {
        &self.users
    }

    pub fn cache_entries(&self) -> u64 {
        self.cache.entry_count()
    }

    /// Authenticates a presented credential.
    pub async fn verify(&self, presented: Presented<'_>) -> Result<Arc<Identity>, AuthError> {
        let digest = match self.lookup(&presented) {
            Lookup::Hit(identity) => return Ok(identity),
            Lookup::Refused(message) => return Err(AuthError::Remembered(message)),
            Lookup::Miss(digest) => digest,
        };
        let kind = presented.kind();
        let result = match presented {
            Presented::Token { token, .. } => self.verify_token(token, kind),
            Presented::Basic { encoded } => {
                let (username, password) = decode_basic(encoded)?;
                self.verify_password(username, password, kind).await
            }
            Presented::HeaderPair { username, password } => {
                let username = String::from_utf8_lossy(username).into_owned();
                self.verify_password(username, password.to_vec(), kind)
                    .await
            }
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

    fn verify_token(&self, token: &str, kind: CredentialKind) -> Result<Arc<Identity>, AuthError> {
        let (verified, acceptor) = self.tokens.verify(token)?;
        // Only reached on a cache miss: a cached token is not verified (nor counted) again.
        self.metrics.key_verified(acceptor.key().id());
        self.identity_for(
            verified.user,
            verified.token_id.as_deref(),
            verified.expires_at,
            kind,
        )
    }

    fn identity_for(
        &self,
        user: UserRef,
        token_id: Option<&str>,
        expires_at: u64,
        kind: CredentialKind,
    ) -> Result<Arc<Identity>, AuthError> {
        let user = match &user {
            UserRef::Username(name) => self.users.by_username(name),
            UserRef::Id(id) => self.users.by_id(*id),
        }
        .ok_or(TokenError::UnknownUser)?;
        if !user.active {
            return Err(TokenError::Inactive.into());
        }
        Ok(Arc::new(Identity::new(
            self.principals.of(user),
            kind.method(),
            token_id,
            Some(expires_at),
        )))
    }

    async fn verify_password(
        &self,
        username: String,
        password: Vec<u8>,
        kind: CredentialKind,
    ) -> Result<Arc<Identity>, AuthError> {
        let users = self.users.clone();
        let outcome = self
            .hash_pool
            .run(move || {
                let user = users.by_username(&username).cloned();
                users.authenticate(user.as_ref(), &password)
            })
            .await;
        match outcome {
            Err(busy) => {
                self.metrics.password_check_busy();
                Err(busy.into())
            }
            Ok(Err(failure)) => {
                self.metrics.password_check(
                    failure != AuthFailure::WrongPassword && failure != AuthFailure::UnknownUser,
                );
                Err(AuthError::Password)
            }
            Ok(Ok(user)) => {
                self.metrics.password_check(true);
                Ok(Arc::new(Identity::new(
                    self.principals.of(&user),
                    kind.method(),
                    None,
                    None,
                )))
            }
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
        AuthError::Remembered(_) | AuthError::Busy(_) => false,
    }
}
