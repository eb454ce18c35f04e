//! The documented login APIs gatehouse answers itself: the [`Api`] each one implements,
//! the [`REGISTRY`] that lists them, and the table that finds their endpoints.
//!
//! One module per API (`../shared/seeds/`), each owning its `[dialects.<name>]` settings
//! (raw and validated), the parsing of its documented request, the claims and lifetimes
//! of its tokens and how proxied traffic accepts them, `gatehouse token --dialect`, and
//! the byte-exact rendering of its documented success and error bodies:
//!
//! | module | endpoints | models |
//! |---|---|---|
//! | `kerong` | `POST /api/v1/auth/token` | a Spring service (seed 000) |
//! | `nomic` | `POST /api/auth/token` | an ASP.NET API (seed 001) |
//! | `simplejwt` | `/token/`, `refresh/`, `verify/`, `blacklist/` | djangorestframework-simplejwt 5.3.1 (seed 002) |
//! | `drf_jwt` | `/api-token-auth/`, `-refresh/`, `-verify/` | djangorestframework-jwt 1.9.0 (seed 003) |
//! | `header_login` | `/login` | a PHP API (seed 004) |
//!
//! `django` holds what the two Django dialects share with Django REST framework.
//!
//! Adding a dialect: a module implementing [`Api`] with a [`Registration`], and its line
//! in [`REGISTRY`]. Config validation, the endpoint table, token acceptance, metrics and
//! the CLI iterate the registry; none of them names a dialect.
//!
//! Dialect modules never touch a Pingora session: `proxy.rs` reads the body (bounded,
//! see `body.rs`), hands over a [`DialectRequest`] and writes the [`LocalResponse`] back.
//! The slow middle steps (password hashes, RSA signatures) go through
//! [`DialectContext`], which runs them on the bounded pool, never on the async workers.
//! JWKS (`/.well-known/jwks.json`) is answered here too.

mod django;
pub mod drf_jwt;
pub mod header_login;
pub mod kerong;
pub mod nomic;
pub mod simplejwt;
mod table;

use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use bytes::Bytes;
use serde::Serialize;

use crate::keys::{KeyError, KeyRing, KeySet};
use crate::metrics::{DialectCounters, LoginResult};
use crate::offload::HashPool;
pub use crate::passwords::Lookup;
use crate::passwords::{Attempt, PasswordChecker, PasswordFailure};
use crate::ratelimit::FailureLimiter;
use crate::respond::LocalResponse;
use crate::revocations::{RevocationRefusal, TokenFacts};
use crate::store::Store;
use crate::users::directory::Directory;
use crate::users::{AuthFailure, User};
use crate::verifier::jwt::ClaimProfile;
pub use table::{SimpleDialect, TableReader};

/// Every dialect gatehouse speaks, in the order their endpoints are routed, their tokens
/// are tried on proxied traffic and their tables are validated.
pub const REGISTRY: [Registration; 5] = [
    kerong::REGISTRATION,
    nomic::REGISTRATION,
    simplejwt::REGISTRATION,
    drf_jwt::REGISTRATION,
    header_login::REGISTRATION,
];

/// A dialect's entry in the [`REGISTRY`].
pub struct Registration {
    /// The `<name>` of `[dialects.<name>]`, `gatehouse token --dialect` and the
    /// `dialect` label of metrics.
    pub name: &'static str,
    /// Validates the dialect's table (its `enabled` key already taken out), reporting
    /// problems through the reader; `None` when any was found.
    pub configure: fn(&toml::Table, &mut dyn TableReader) -> Option<Arc<dyn Api>>,
}

/// A dialect, as its position in the [`REGISTRY`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Dialect(usize);

impl Dialect {
    pub fn all() -> impl Iterator<Item = Dialect> {
        (0..REGISTRY.len()).map(Dialect)
    }

    pub fn named(name: &str) -> Option<Dialect> {
        REGISTRY.iter().position(|r| r.name == name).map(Dialect)
    }

    pub fn name(self) -> &'static str {
        REGISTRY[self.0].name
    }

    pub fn registration(self) -> &'static Registration {
        &REGISTRY[self.0]
    }

    /// Its position in the registry, for per-dialect tables.
    pub fn index(self) -> usize {
        self.0
    }

    /// "kerong, nomic, ... or header_login", for error messages.
    pub fn names() -> String {
        let names: Vec<&str> = REGISTRY.iter().map(|r| r.name).collect();
        match names.split_last() {
            Some((last, [])) => (*last).to_owned(),
            Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
            None => String::new(),
        }
    }
}

/// What an endpoint does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Logs in: credentials in, token(s) out.
    Obtain,
    Refresh,
    Verify,
    /// Revokes a refresh token (simplejwt).
    Blacklist,
}

/// One documented login API, as its validated settings.
#[async_trait]
pub trait Api: fmt::Debug + Send + Sync {
    /// Its endpoints: the normalised paths and what each does.
    fn endpoints(&self) -> Vec<(String, Action)>;

    /// Whether `action` reads a request body for `method` (only then is one read).
    fn reads_body(&self, _action: Action, method: &http::Method) -> bool {
        method == http::Method::POST
    }

    /// The answer to a body larger than allowed, in the dialect's shape: 413, or what the
    /// dialect's real system answers to a body over its own limit (the Django dialects:
    /// Django's 400 page).
    fn too_large(&self, now: SystemTime) -> LocalResponse;

    async fn answer(
        &self,
        action: Action,
        request: &DialectRequest<'_>,
        ctx: &DialectContext<'_>,
    ) -> LocalResponse;

    /// How its access tokens open proxied traffic: the keys that may have signed them
    /// and the claims that name their user.
    fn acceptance(&self) -> (&KeyRing, ClaimProfile);

    /// The access token its login would hand `user` (`gatehouse token --dialect`).
    fn issue(&self, user: &User, now: u64) -> Result<String, KeyError>;

    /// The longest any token it issues may live: revocations are kept this long.
    fn longest_lifetime(&self) -> Duration;
}

/// An enabled dialect: which one, and its validated settings.
#[derive(Clone, Debug)]
pub struct Enabled {
    pub dialect: Dialect,
    pub api: Arc<dyn Api>,
}

/// The path JWKS is published on.
pub const JWKS_PATH: &str = "/.well-known/jwks.json";

/// Message language of the dialects that have one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Language {
    Ru,
    En,
}

/// Which endpoint a request is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endpoint {
    Jwks,
    Dialect(Dialect, Action),
}

impl Endpoint {
    /// The dialect's name (or `jwks`), for logs.
    pub fn name(self) -> &'static str {
        match self {
            Endpoint::Jwks => "jwks",
            Endpoint::Dialect(dialect, _) => dialect.name(),
        }
    }
}

/// A dialect endpoint's request: everything it may look at, nothing from Pingora.
pub struct DialectRequest<'a> {
    pub method: &'a http::Method,
    pub path: &'a str,
    pub headers: &'a http::HeaderMap,
    /// The whole body, read under the size limit (empty when not read).
    pub body: &'a [u8],
    /// The client's address (from a trusted proxy's `X-Forwarded-For` when configured).
    pub client_ip: IpAddr,
    pub now: SystemTime,
}

impl DialectRequest<'_> {
    pub fn unix_now(&self) -> u64 {
        self.now
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0)
    }

    /// The media type of `Content-Type`, lower-cased, without parameters.
    pub fn media_type(&self) -> Option<String> {
        let value = self
            .headers
            .get(http::header::CONTENT_TYPE)?
            .to_str()
            .ok()?;
        Some(
            value
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase(),
        )
    }
}

/// Why a login failed, as far as a dialect needs to know.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoginFailure {
    Invalid(AuthFailure),
    /// The hash pool is full: answer with the dialect's internal-error shape.
    Busy,
    /// The user database did not answer: the dialect's internal-error shape, as a 503
    /// ([`LocalResponse::unavailable`]). Never a wrong password.
    Unavailable,
    /// Too many failed logins from this client or for this username lately: answer 429
    /// with `Retry-After`, in the dialect's own shape, even for the right password.
    Limited {
        retry_after_secs: u64,
    },
}

/// What dialect code may use besides its request: users, keys, the slow-work pool.
pub struct DialectContext<'a> {
    pub users: &'a Directory,
    pub keys: &'a KeySet,
    /// Slow signing work (RSA and the other asymmetric algorithms).
    pub pool: &'a HashPool,
    pub passwords: &'a PasswordChecker,
    /// simplejwt's blacklist and outstanding tokens; the revocations' mirror.
    pub store: &'a Store,
    /// Failed logins count against the client and the username (DESIGN "Rate limits").
    pub limiter: &'a FailureLimiter,
    pub client_ip: IpAddr,
    /// The counters of the dialect being answered, which its logins and signed tokens
    /// are counted under (`None`: not counted).
    pub counters: Option<&'a DialectCounters>,
}

impl DialectContext<'_> {
    /// Checks a login's password under the failed-password limits (`passwords.rs`,
    /// shared with proxied traffic), counting the login under this dialect.
    pub async fn check_password(
        &self,
        lookup: Lookup,
        password: Vec<u8>,
    ) -> Result<Arc<User>, LoginFailure> {
        let attempt = Attempt::new(self.limiter, self.client_ip, Some(lookup.name().as_bytes()));
        if let Err(retry) = attempt.admit().await {
            self.count_login(LoginResult::RateLimited);
            return Err(LoginFailure::Limited {
                retry_after_secs: retry.0,
            });
        }
        match self
            .passwords
            .check(self.users, lookup.clone(), password)
            .await
        {
            Ok(found) => {
                self.count_login(LoginResult::Ok);
                Ok(found.user)
            }
            Err(PasswordFailure::Busy) => {
                self.count_login(LoginResult::Busy);
                Err(LoginFailure::Busy)
            }
            Err(PasswordFailure::Unavailable) => {
                self.count_login(LoginResult::Busy);
                Err(LoginFailure::Unavailable)
            }
            Err(PasswordFailure::Invalid(failure)) => {
                attempt.failed().await;
                self.count_login(LoginResult::Invalid);
                Err(LoginFailure::Invalid(failure))
            }
        }
    }

    /// Whether a token presented to a dialect endpoint may still be used: neither it
    /// nor (for tokens issued at or before) its user is revoked. `user`: who the token
    /// names, when that is a known user (otherwise only its `jti` is looked up).
    pub fn revocation(
        &self,
        jti: Option<&str>,
        user: Option<&User>,
        issued_at: Option<u64>,
    ) -> Result<(), RevocationRefusal> {
        self.store.mirror().check(TokenFacts {
            jti,
            username: user.map_or("", |user| &user.username),
            issued_at,
        })
    }

    fn count_login(&self, result: LoginResult) {
        if let Some(counters) = self.counters {
            counters.login(result);
        }
    }

    /// Signs claims with the ring's signing key under the dialect's header `layout`
    /// (see [`KeyRing::header`]). HMAC runs inline (microseconds); RSA and the other
    /// asymmetric algorithms run on the pool.
    pub async fn sign<T: Serialize + Send + 'static>(
        &self,
        keys: &KeyRing,
        layout: String,
        claims: T,
    ) -> Result<String, SignError> {
        let key = keys.signing();
        let header_json = keys.header(layout);
        let signed = if key.is_symmetric() {
            key.sign_with_header_json(&header_json, &claims)
                .map_err(SignError::Key)
        } else {
            let key = key.clone();
            self.pool
                .run(move || key.sign_with_header_json(&header_json, &claims))
                .await
                .map_err(|_| SignError::Busy)?
                .map_err(SignError::Key)
        };
        if let (Ok(_), Some(counters)) = (&signed, self.counters) {
            counters.token_issued();
        }
        signed
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SignError {
    #[error(transparent)]
    Key(#[from] KeyError),
    #[error("too much signing work in progress")]
    Busy,
}

/// Every enabled dialect, and the table that routes exact (normalised) paths to their
/// endpoints.
#[derive(Debug, Default)]
pub struct Dialects {
    enabled: Vec<Enabled>,
    routes: Vec<(String, Endpoint)>,
}

impl Dialects {
    pub fn new(enabled: Vec<Enabled>) -> Self {
        let mut routes = vec![(JWKS_PATH.to_owned(), Endpoint::Jwks)];
        for e in &enabled {
            for (path, action) in e.api.endpoints() {
                routes.push((path, Endpoint::Dialect(e.dialect, action)));
            }
        }
        Self { enabled, routes }
    }

    pub fn route(&self, path: &str) -> Option<Endpoint> {
        self.routes.iter().find(|(p, _)| p == path).map(|(_, e)| *e)
    }

    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.routes.iter().map(|(p, _)| p.as_str())
    }

    fn api(&self, dialect: Dialect) -> Option<&dyn Api> {
        self.enabled
            .iter()
            .find(|e| e.dialect == dialect)
            .map(|e| &*e.api)
    }

    /// Whether the endpoint reads a body for this method (only then is it read).
    pub fn wants_body(&self, endpoint: Endpoint, method: &http::Method) -> bool {
        match endpoint {
            Endpoint::Jwks => false,
            Endpoint::Dialect(dialect, action) => self
                .api(dialect)
                .is_some_and(|api| api.reads_body(action, method)),
        }
    }

    /// The answer when the body is larger than allowed, in the dialect's shape (see
    /// [`Api::too_large`]).
    pub fn too_large(&self, endpoint: Endpoint, now: SystemTime) -> LocalResponse {
        match endpoint {
            Endpoint::Jwks => LocalResponse::empty(413),
            Endpoint::Dialect(dialect, _) => self
                .api(dialect)
                .map_or_else(|| LocalResponse::empty(413), |api| api.too_large(now)),
        }
    }

    /// Answers a dialect request.
    pub async fn answer(
        &self,
        endpoint: Endpoint,
        request: &DialectRequest<'_>,
        ctx: &DialectContext<'_>,
    ) -> LocalResponse {
        match endpoint {
            Endpoint::Jwks => jwks(request, ctx.keys),
            Endpoint::Dialect(dialect, action) => match self.api(dialect) {
                Some(api) => api.answer(action, request, ctx).await,
                None => LocalResponse::empty(404),
            },
        }
    }
}

fn jwks(request: &DialectRequest<'_>, keys: &KeySet) -> LocalResponse {
    if request.method != http::Method::GET && request.method != http::Method::HEAD {
        return LocalResponse::empty(405).with_header(
            http::header::ALLOW,
            http::HeaderValue::from_static("GET, HEAD"),
        );
    }
    let mut response = LocalResponse::json_bytes(200, Bytes::from(keys.jwks().to_string()));
    response.headers.push((
        http::header::CACHE_CONTROL,
        http::HeaderValue::from_static("public, max-age=300"),
    ));
    response
}

#[cfg(test)]
mod tests;
