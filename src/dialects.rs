//! The documented login APIs gatehouse answers itself, and the table that finds them.
//!
//! One module per API (`../shared/seeds/`), each owning the parsing of its documented
//! request, the claims and lifetimes of its tokens, and the byte-exact rendering of its
//! documented success and error bodies:
//!
//! | module | endpoints | models |
//! |---|---|---|
//! | `kerong` | `POST /api/v1/auth/token` | a Spring service (seed 000) |
//! | `nomic` | `POST /api/auth/token` | an ASP.NET API (seed 001) |
//! | `simplejwt` | `/token/`, `refresh/`, `verify/`, `blacklist/` | djangorestframework-simplejwt 5.3.1 (seed 002) |
//! | `drf_jwt` | `/api-token-auth/`, `-refresh/`, `-verify/` | djangorestframework-jwt 1.9.0 (seed 003) |
//! | `header_login` | `/login` | a PHP API (seed 004) |
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

use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use moka::sync::Cache;
use serde::Serialize;

use crate::keys::{KeyError, KeyRing, KeySet};
use crate::metrics::{LoginResult, Metrics};
use crate::offload::{Busy, HashPool};
use crate::ratelimit::FailureLimiter;
use crate::respond::LocalResponse;
use crate::users::{AuthFailure, User, UserStore};

/// The path JWKS is published on.
pub const JWKS_PATH: &str = "/.well-known/jwks.json";

/// How long blacklisted token ids are remembered: the longest refresh lifetime allowed.
pub const BLACKLIST_KEEP: Duration = Duration::from_secs(30 * 24 * 3600);

/// Message language of the dialects that have one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Language {
    Ru,
    En,
}

/// Validated settings of every enabled dialect (from `[dialects.<name>]`).
#[derive(Clone, Debug, Default)]
pub struct DialectSettings {
    pub kerong: Option<kerong::Settings>,
    pub nomic: Option<nomic::Settings>,
    pub simplejwt: Option<simplejwt::Settings>,
    pub drf_jwt: Option<drf_jwt::Settings>,
    pub header_login: Option<header_login::Settings>,
}

/// Which endpoint a request is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endpoint {
    Jwks,
    Kerong,
    Nomic,
    SimpleJwt(simplejwt::Action),
    DrfJwt(drf_jwt::Action),
    HeaderLogin,
}

impl Endpoint {
    /// The dialect's name, for logs.
    pub fn name(self) -> &'static str {
        match self {
            Endpoint::Jwks => "jwks",
            Endpoint::Kerong => "kerong",
            Endpoint::Nomic => "nomic",
            Endpoint::SimpleJwt(_) => "simplejwt",
            Endpoint::DrfJwt(_) => "drf_jwt",
            Endpoint::HeaderLogin => "header_login",
        }
    }
}

/// The five dialects, as the `dialect` label of their login and token metrics.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    Kerong,
    Nomic,
    SimpleJwt,
    DrfJwt,
    HeaderLogin,
}

impl Dialect {
    pub const ALL: [Dialect; 5] = [
        Dialect::Kerong,
        Dialect::Nomic,
        Dialect::SimpleJwt,
        Dialect::DrfJwt,
        Dialect::HeaderLogin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Dialect::Kerong => "kerong",
            Dialect::Nomic => "nomic",
            Dialect::SimpleJwt => "simplejwt",
            Dialect::DrfJwt => "drf_jwt",
            Dialect::HeaderLogin => "header_login",
        }
    }
}

impl Endpoint {
    /// The dialect the endpoint belongs to (JWKS belongs to none).
    pub fn dialect(self) -> Option<Dialect> {
        match self {
            Endpoint::Jwks => None,
            Endpoint::Kerong => Some(Dialect::Kerong),
            Endpoint::Nomic => Some(Dialect::Nomic),
            Endpoint::SimpleJwt(_) => Some(Dialect::SimpleJwt),
            Endpoint::DrfJwt(_) => Some(Dialect::DrfJwt),
            Endpoint::HeaderLogin => Some(Dialect::HeaderLogin),
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

/// Which user a login names.
#[derive(Clone, Debug)]
pub enum Lookup {
    /// Exact match, as Django and Spring look users up.
    Username(String),
    /// Case-insensitive match, as ASP.NET Identity (normalised user names) and MySQL's
    /// default collations do.
    UsernameIgnoreCase(String),
    Email(String),
}

/// Why a login failed, as far as a dialect needs to know.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoginFailure {
    Invalid(AuthFailure),
    /// The hash pool is full: answer with the dialect's internal-error shape.
    Busy,
    /// Too many failed logins from this client or for this username lately: answer 429
    /// with `Retry-After`, in the dialect's own shape, even for the right password.
    Limited {
        retry_after_secs: u64,
    },
}

/// Revoked token ids (simplejwt's blacklist), shared across reloads; entries live until
/// the token would have expired anyway. In memory: a restart forgets them.
#[derive(Clone)]
pub struct Blacklist(Cache<String, ()>);

impl Blacklist {
    /// `keep_for` must be at least the longest refresh lifetime configured.
    pub fn new(capacity: u64, keep_for: Duration) -> Self {
        Self(
            Cache::builder()
                .max_capacity(capacity)
                .time_to_live(keep_for)
                .build(),
        )
    }

    /// Blacklists `jti`. Entries are kept for the longest lifetime a blacklistable
    /// token can have, so one never outlives its blacklisting.
    pub fn insert(&self, jti: &str) {
        self.0.insert(jti.to_owned(), ());
    }

    pub fn contains(&self, jti: &str) -> bool {
        self.0.contains_key(jti)
    }
}

/// What dialect code may use besides its request: users, keys, the slow-work pool.
pub struct DialectContext<'a> {
    pub users: &'a Arc<UserStore>,
    pub keys: &'a KeySet,
    pub pool: &'a HashPool,
    pub metrics: &'a Metrics,
    pub blacklist: &'a Blacklist,
    /// Failed logins count against the client and the username (DESIGN "Rate limits").
    pub limiter: &'a FailureLimiter,
    pub client_ip: IpAddr,
    /// The dialect being answered, which its logins and signed tokens are counted under
    /// (`None`: not counted).
    pub dialect: Option<Dialect>,
}

impl DialectContext<'_> {
    /// Checks a password on the bounded pool. An unknown user costs the same as a
    /// wrong password (the store runs its dummy hash).
    pub async fn check_password(
        &self,
        lookup: Lookup,
        password: Vec<u8>,
    ) -> Result<Arc<User>, LoginFailure> {
        let limited_name = match &lookup {
            Lookup::Username(name) | Lookup::UsernameIgnoreCase(name) | Lookup::Email(name) => {
                name.clone()
            }
        };
        if let Err(retry) = self
            .limiter
            .check(self.client_ip, Some(limited_name.as_bytes()))
        {
            self.count_login(LoginResult::RateLimited);
            return Err(LoginFailure::Limited {
                retry_after_secs: retry.0,
            });
        }
        let users = self.users.clone();
        let outcome = self
            .pool
            .run(move || {
                let user = match &lookup {
                    Lookup::Username(name) => users.by_username(name).cloned(),
                    Lookup::UsernameIgnoreCase(name) => {
                        users.by_username(name).cloned().or_else(|| {
                            let wanted = name.to_lowercase();
                            users
                                .iter()
                                .find(|u| u.username.to_lowercase() == wanted)
                                .cloned()
                        })
                    }
                    Lookup::Email(email) => users.by_email(email).cloned(),
                };
                users.authenticate(user.as_ref(), &password)
            })
            .await;
        match outcome {
            Err(Busy) => {
                self.metrics.password_check_busy();
                self.count_login(LoginResult::Busy);
                Err(LoginFailure::Busy)
            }
            Ok(result) => {
                self.metrics
                    .password_check(matches!(result, Ok(_) | Err(AuthFailure::Inactive)));
                if result.is_err() {
                    self.limiter
                        .record_failure(self.client_ip, Some(limited_name.as_bytes()));
                }
                self.count_login(if result.is_ok() {
                    LoginResult::Ok
                } else {
                    LoginResult::Invalid
                });
                result.map_err(LoginFailure::Invalid)
            }
        }
    }

    fn count_login(&self, result: LoginResult) {
        if let Some(dialect) = self.dialect {
            self.metrics.dialect_login(dialect, result);
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
        if let (Ok(_), Some(dialect)) = (&signed, self.dialect) {
            self.metrics.token_issued(dialect);
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

/// The routing table: exact (normalised) paths to endpoints.
#[derive(Debug, Default)]
pub struct DialectTable {
    routes: Vec<(String, Endpoint)>,
}

impl DialectTable {
    pub fn new(settings: &DialectSettings) -> Self {
        let mut routes = vec![(JWKS_PATH.to_owned(), Endpoint::Jwks)];
        if let Some(s) = &settings.kerong {
            routes.push((s.path.clone(), Endpoint::Kerong));
        }
        if let Some(s) = &settings.nomic {
            routes.push((s.path.clone(), Endpoint::Nomic));
        }
        if let Some(s) = &settings.simplejwt {
            for (path, action) in s.routes() {
                routes.push((path, Endpoint::SimpleJwt(action)));
            }
        }
        if let Some(s) = &settings.drf_jwt {
            for (path, action) in s.routes() {
                routes.push((path, Endpoint::DrfJwt(action)));
            }
        }
        if let Some(s) = &settings.header_login {
            routes.push((s.path.clone(), Endpoint::HeaderLogin));
        }
        Self { routes }
    }

    pub fn route(&self, path: &str) -> Option<Endpoint> {
        self.routes.iter().find(|(p, _)| p == path).map(|(_, e)| *e)
    }

    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.routes.iter().map(|(p, _)| p.as_str())
    }
}

/// Every enabled dialect, ready to answer.
pub struct Dialects {
    pub settings: DialectSettings,
    pub table: DialectTable,
}

impl Dialects {
    pub fn new(settings: DialectSettings) -> Self {
        let table = DialectTable::new(&settings);
        Self { settings, table }
    }

    /// Whether the endpoint reads a body for this method (only then is it read).
    pub fn wants_body(endpoint: Endpoint, method: &http::Method) -> bool {
        !matches!(
            endpoint,
            Endpoint::Jwks | Endpoint::Nomic | Endpoint::HeaderLogin
        ) && method == http::Method::POST
    }

    /// The answer when the body is larger than allowed (413), in the dialect's shape.
    pub fn too_large(&self, endpoint: Endpoint, now: SystemTime) -> LocalResponse {
        match endpoint {
            Endpoint::Kerong => kerong::too_large(now),
            Endpoint::SimpleJwt(_) => simplejwt::too_large(
                self.settings
                    .simplejwt
                    .as_ref()
                    .map_or(Language::Ru, |s| s.language),
            ),
            Endpoint::DrfJwt(_) => drf_jwt::too_large(),
            Endpoint::HeaderLogin => header_login::too_large(),
            Endpoint::Nomic | Endpoint::Jwks => LocalResponse::empty(413),
        }
    }

    /// Answers a dialect request.
    pub async fn answer(
        &self,
        endpoint: Endpoint,
        request: &DialectRequest<'_>,
        ctx: &DialectContext<'_>,
    ) -> LocalResponse {
        let s = &self.settings;
        match endpoint {
            Endpoint::Jwks => jwks(request, ctx.keys),
            Endpoint::Kerong => match &s.kerong {
                Some(settings) => kerong::answer(settings, request, ctx).await,
                None => LocalResponse::empty(404),
            },
            Endpoint::Nomic => match &s.nomic {
                Some(settings) => nomic::answer(settings, request, ctx).await,
                None => LocalResponse::empty(404),
            },
            Endpoint::SimpleJwt(action) => match &s.simplejwt {
                Some(settings) => simplejwt::answer(settings, action, request, ctx).await,
                None => LocalResponse::empty(404),
            },
            Endpoint::DrfJwt(action) => match &s.drf_jwt {
                Some(settings) => drf_jwt::answer(settings, action, request, ctx).await,
                None => LocalResponse::empty(404),
            },
            Endpoint::HeaderLogin => match &s.header_login {
                Some(settings) => header_login::answer(settings, request, ctx).await,
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

/// ISO-8601 UTC with milliseconds and `Z` (`2023-12-18T15:49:42.493Z`), as Spring and
/// Jackson render `Instant`s.
pub fn iso8601_millis(time: SystemTime) -> String {
    let since = time
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default();
    let secs = since.as_secs();
    let millis = since.subsec_millis();
    let (year, month, day) = civil_from_days((secs / 86_400) as i64);
    let rem = secs % 86_400;
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian (Howard Hinnant's
/// algorithm), so no date crate is needed for two timestamp formats.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_timestamps() {
        let t = SystemTime::UNIX_EPOCH + Duration::from_millis(1_702_914_582_493);
        assert_eq!(iso8601_millis(t), "2023-12-18T15:49:42.493Z");
        assert_eq!(
            iso8601_millis(SystemTime::UNIX_EPOCH),
            "1970-01-01T00:00:00.000Z"
        );
        let leap = SystemTime::UNIX_EPOCH + Duration::from_secs(951_782_400); // 2000-02-29
        assert_eq!(iso8601_millis(leap), "2000-02-29T00:00:00.000Z");
    }
}
