//! `nomic`: the ASP.NET-style token endpoint of seed 001 (`001_96235f6292beff1e.txt`).
//!
//! Request: `POST /api/auth/token` with either `Authorization: Basic` (login) or
//! `Authorization: Bearer <a nomic token>` (renewal). No body is read.
//! Answers:
//! - 200 `{"isSuccess":true,"token":"<jwt>"}` (the document says "200 CREATED"; the code
//!   is 200);
//! - 403 with an empty body whenever the caller is not authenticated: no or malformed
//!   `Authorization`, wrong credentials, an inactive user, a renewal token that is
//!   expired, foreign or whose user is gone;
//! - 500 `{"timestamp":"2023-02-24T21:29:15.137+00:00","status":500,
//!   "error":"Internal Server Error","path":"/api/auth/token"}` when the work pool is
//!   full or signing fails.
//!
//! Token: RS256, header `{"typ":"JWT","alg":"RS256"}` (as the sample), claims exactly
//! `sub` (the user id as a string), `iss` (configurable, the sample's
//! `NomicGameManager.Api` by default), `exp`, `iat`, in that order; lifetime 2 hours.
//! Renewal issues a fresh token for the same user, only while the old one is valid and
//! the user active.
//!
//! Decisions where the document is silent:
//! - usernames match case-insensitively, as ASP.NET Identity's normalised names do;
//! - a revoked renewal token (`/revocations`; gatehouse's addition) is 401 with an empty
//!   body and `WWW-Authenticate: Bearer error="invalid_token", ...`, as ASP.NET's JWT
//!   bearer handler refuses a token; a state store that cannot say is the 500 shape;
//! - users without an id cannot get a nomic token (403): `sub` must be their id;
//! - other methods get 405 with an empty body and `Allow: POST`;
//! - too many failed logins (DESIGN "Rate limits") is 429 with an empty body and
//!   `Retry-After`, the ASP.NET rate limiter's answer;
//! - without a configured key, an RSA-2048 key is generated on first start and kept in
//!   the embedded state store (`keys::stored`), so its tokens survive restarts; its public
//!   half is published in JWKS. Under Redis a key must be configured (each replica would
//!   generate its own).

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{
    Action, Api, DialectContext, DialectRequest, LoginFailure, Lookup, Registration, TableReader,
};
use crate::credentials::decode_basic;
use crate::keys::{KeyError, KeyRing};
use crate::respond::LocalResponse;
use crate::revocations::RevocationRefusal;
use crate::users::{User, UserKey};
use crate::verifier::jwt::{decode_with_policy, unix_seconds, ClaimProfile, UserClaim};

pub const REGISTRATION: Registration = Registration {
    name: "nomic",
    configure,
};

/// `[dialects.nomic]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    path: Option<String>,
    /// Leave out to have an RSA key generated once and kept in the state store.
    key: Option<String>,
    verify_keys: Option<Vec<String>>,
    issuer: Option<String>,
    lifetime: Option<String>,
}

fn configure(table: &toml::Table, config: &mut dyn TableReader) -> Option<Arc<dyn Api>> {
    let raw: Raw = config.raw(table)?;
    let path = config.paths(&[("path", raw.path.as_deref(), Settings::DEFAULT_PATH)]);
    let key = match &raw.key {
        Some(id) => config.signing_key(id),
        None => config.generated_key(GENERATED_KEY_ID),
    };
    let keys = config.key_ring(key, raw.verify_keys.as_deref());
    let lifetime = config.duration(
        "lifetime",
        raw.lifetime.as_deref(),
        Settings::DEFAULT_LIFETIME,
    );
    Some(Arc::new(Settings {
        path: path?.pop()?,
        keys: keys?,
        issuer: raw
            .issuer
            .unwrap_or_else(|| Settings::DEFAULT_ISSUER.to_owned()),
        lifetime,
        leeway_secs: config.leeway_secs(),
        max_token_bytes: config.max_token_bytes(),
    }))
}

#[derive(Clone, Debug)]
pub struct Settings {
    pub path: String,
    pub keys: KeyRing,
    pub issuer: String,
    pub lifetime: Duration,
    pub leeway_secs: u64,
    pub max_token_bytes: usize,
}

impl Settings {
    pub const DEFAULT_PATH: &'static str = "/api/auth/token";
    pub const DEFAULT_ISSUER: &'static str = "NomicGameManager.Api";
    pub const DEFAULT_LIFETIME: Duration = Duration::from_secs(2 * 3600);
}

/// The `kid` of the generated key.
pub const GENERATED_KEY_ID: &str = "nomic-generated";

#[derive(Serialize)]
struct Claims {
    sub: String,
    iss: String,
    exp: u64,
    iat: u64,
}

fn forbidden() -> LocalResponse {
    LocalResponse::empty(403)
}

fn internal_error(path: &str, now: SystemTime) -> LocalResponse {
    let stamp = crate::iso8601::iso8601_millis(now).replace('Z', "+00:00");
    LocalResponse::json(
        500,
        &json!({"timestamp": stamp, "status": 500, "error": "Internal Server Error", "path": path}),
    )
}

fn claims(settings: &Settings, user: &User, now: u64) -> Option<Claims> {
    Some(Claims {
        sub: user.id?.to_string(),
        iss: settings.issuer.clone(),
        exp: now + settings.lifetime.as_secs(),
        iat: now,
    })
}

/// Why a renewal token is not renewed.
enum RenewalRefused {
    /// Not a valid nomic token of an active user: 403 like every unauthenticated call.
    Forbidden,
    /// Revoked (gatehouse's own addition): 401, as ASP.NET's JWT bearer handler answers
    /// a token it refuses, with its `WWW-Authenticate`.
    Revoked,
    /// The state store cannot say whether it is revoked: the 500 shape.
    Unavailable,
    /// The user database did not answer: the 500 shape, as a 503.
    UsersUnavailable,
}

/// Who a renewal token names, if it is a valid, unrevoked nomic token.
async fn renewal_user(
    settings: &Settings,
    token: &str,
    ctx: &DialectContext<'_>,
) -> Result<Arc<User>, RenewalRefused> {
    let forbidden = |_| RenewalRefused::Forbidden;
    let claims = decode_with_policy(
        token,
        &settings.keys,
        settings.leeway_secs,
        settings.max_token_bytes,
    )
    .map_err(forbidden)?;
    if claims.get("iss").and_then(|v| v.as_str()) != Some(settings.issuer.as_str()) {
        return Err(RenewalRefused::Forbidden);
    }
    let id: i64 = claims
        .get("sub")
        .and_then(|sub| sub.as_str())
        .and_then(|sub| sub.parse().ok())
        .ok_or(RenewalRefused::Forbidden)?;
    let user = ctx
        .users
        .find(UserKey::Id(id))
        .await
        .map_err(|_| RenewalRefused::UsersUnavailable)?
        .map(|found| found.user)
        .filter(|user| user.active)
        .ok_or(RenewalRefused::Forbidden)?;
    let issued_at = claims.get("iat").and_then(unix_seconds);
    let jti = claims.get("jti").and_then(|jti| jti.as_str());
    match ctx.revocation(jti, Some(&user), issued_at) {
        Ok(()) => Ok(user.clone()),
        Err(RevocationRefusal::Revoked) => Err(RenewalRefused::Revoked),
        Err(RevocationRefusal::Unavailable) => Err(RenewalRefused::Unavailable),
    }
}

#[async_trait]
impl Api for Settings {
    fn endpoints(&self) -> Vec<(String, Action)> {
        vec![(self.path.clone(), Action::Obtain)]
    }

    /// Credentials come in `Authorization` (Basic, or a token to renew): a body is
    /// never read.
    fn reads_body(&self, _action: Action, _method: &http::Method) -> bool {
        false
    }

    fn too_large(&self, _now: SystemTime) -> LocalResponse {
        LocalResponse::empty(413)
    }

    /// `sub` is the user id as a string, `iss` the configured issuer.
    fn acceptance(&self) -> (&KeyRing, ClaimProfile) {
        (
            &self.keys,
            ClaimProfile::new(REGISTRATION.name, UserClaim::SubId).with_issuer(&self.issuer),
        )
    }

    /// Signs a nomic token (for `gatehouse token --dialect nomic`).
    fn issue(&self, user: &User, now: u64) -> Result<String, KeyError> {
        let claims = claims(self, user, now)
            .ok_or_else(|| KeyError::Signing("the user has no id".into()))?;
        self.keys
            .sign_with_layout(self.keys.signing().typ_alg_header(), &claims)
    }

    fn longest_lifetime(&self) -> Duration {
        self.lifetime
    }

    async fn answer(
        &self,
        _action: Action,
        request: &DialectRequest<'_>,
        ctx: &DialectContext<'_>,
    ) -> LocalResponse {
        let settings = self;
        if request.method != http::Method::POST {
            return LocalResponse::empty(405)
                .with_header(http::header::ALLOW, http::HeaderValue::from_static("POST"));
        }
        let mut values = request.headers.get_all(http::header::AUTHORIZATION).iter();
        let (Some(value), None) = (values.next(), values.next()) else {
            return forbidden();
        };
        let Ok(value) = value.to_str() else {
            return forbidden();
        };
        let (scheme, credential) = value.split_once(' ').unwrap_or((value, ""));
        let credential = credential.trim();
        let user = if scheme.eq_ignore_ascii_case("basic") {
            let Ok((username, password)) = decode_basic(credential) else {
                return forbidden();
            };
            match ctx
                .check_password(Lookup::UsernameIgnoreCase(username), password)
                .await
            {
                Ok(user) => user,
                Err(LoginFailure::Invalid(_)) => return forbidden(),
                Err(LoginFailure::Busy) => return internal_error(request.path, request.now),
                Err(LoginFailure::Unavailable) => {
                    return internal_error(request.path, request.now).unavailable()
                }
                Err(LoginFailure::Limited { retry_after_secs }) => {
                    return LocalResponse::empty(429)
                        .with_header(http::header::RETRY_AFTER, retry_after_secs.into())
                }
            }
        } else if scheme.eq_ignore_ascii_case("bearer") {
            match renewal_user(settings, credential, ctx).await {
                Ok(user) => user,
                Err(RenewalRefused::Forbidden) => return forbidden(),
                Err(RenewalRefused::Revoked) => {
                    return LocalResponse::empty(401).with_header(
                        http::header::WWW_AUTHENTICATE,
                        http::HeaderValue::from_static(
                            "Bearer error=\"invalid_token\", error_description=\"The token has been revoked\"",
                        ),
                    )
                }
                Err(RenewalRefused::Unavailable) => {
                    return internal_error(request.path, request.now)
                }
                Err(RenewalRefused::UsersUnavailable) => {
                    return internal_error(request.path, request.now).unavailable()
                }
            }
        } else {
            return forbidden();
        };
        let Some(claims) = claims(settings, &user, request.unix_now()) else {
            return forbidden();
        };
        match ctx
            .sign(
                &settings.keys,
                settings.keys.signing().typ_alg_header(),
                claims,
            )
            .await
        {
            Ok(token) => LocalResponse::json(200, &json!({"isSuccess": true, "token": token})),
            Err(_) => internal_error(request.path, request.now),
        }
    }
}
