//! `header_login`: the PHP-style `/login` of seed 004 (`004_2d35b46c7e5c00d1.txt`).
//!
//! Request: `GET` or `POST /login` with the headers `User-Name` and `Password`.
//! Answers (HTTP status = the body's `code`, DESIGN "Pinned decisions"):
//! - 200 `{"code":200,"status":"ok","token":"<jwt>"}`;
//! - 402 `{"code":402,"status":"error","message":"Required field < User-Name > is not specified."}`
//!   and `... is empty.`, for either header;
//! - 404 `{"code":404,"status":"error","message":"Data not found."}` for an unknown user, a
//!   wrong password or an inactive account alike.
//!
//! Token: HS256, header `{"typ":"JWT","alg":"HS256"}`, claims exactly `{"user","exp"}` in
//! that order (as the sample token decodes), `user` being the store's canonical username,
//! lifetime 30 minutes by default.
//!
//! Decisions where the document is silent:
//! - `User-Name` is checked before `Password` (the order a form handler reads them).
//! - A header made only of spaces counts as empty; values are not otherwise trimmed.
//! - The username matches case-insensitively, as a PHP API on MySQL's default collation
//!   does; the token names the canonical username.
//! - Other methods get 405 in the same shape; the body, if any, is never read.
//! - The pool being full (or a signing failure) is 500 in the same shape.
//! - Too many failed logins (DESIGN "Rate limits") is 429
//!   `{"code":429,"status":"error","message":"Too many failed attempts."}` with `Retry-After`.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use serde::Serialize;
use serde_json::json;

use super::{
    Action, Api, DialectContext, DialectRequest, LoginFailure, Lookup, Registration, TableReader,
};
use crate::keys::{KeyError, KeyRing};
use crate::respond::LocalResponse;
use crate::users::User;
use crate::verifier::jwt::{ClaimProfile, UserClaim};

pub const REGISTRATION: Registration = Registration {
    name: "header_login",
    configure,
};

/// `[dialects.header_login]`: `path`, `key`, `verify_keys`, `lifetime`.
fn configure(table: &toml::Table, config: &mut dyn TableReader) -> Option<Arc<dyn Api>> {
    let simple = config.simple(table, Settings::DEFAULT_PATH, Settings::DEFAULT_LIFETIME)?;
    Some(Arc::new(Settings {
        path: simple.path,
        keys: simple.keys,
        lifetime: simple.lifetime,
    }))
}

#[derive(Clone, Debug)]
pub struct Settings {
    pub path: String,
    pub keys: KeyRing,
    pub lifetime: Duration,
}

impl Settings {
    pub const DEFAULT_PATH: &'static str = "/login";
    pub const DEFAULT_LIFETIME: Duration = Duration::from_secs(30 * 60);
}

#[derive(Serialize)]
struct Claims {
    user: String,
    exp: u64,
}

fn error(code: u16, message: &str) -> LocalResponse {
    LocalResponse::json(
        code,
        &json!({"code": code, "status": "error", "message": message}),
    )
}

fn required(request: &DialectRequest<'_>, name: &str) -> Result<String, LocalResponse> {
    let Some(value) = request.headers.get(name) else {
        return Err(error(
            402,
            &format!("Required field < {name} > is not specified."),
        ));
    };
    let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
    if value.trim().is_empty() {
        return Err(error(402, &format!("Required field < {name} > is empty.")));
    }
    Ok(value)
}

#[async_trait]
impl Api for Settings {
    fn endpoints(&self) -> Vec<(String, Action)> {
        vec![(self.path.clone(), Action::Obtain)]
    }

    /// Credentials come in headers (GET or POST): a body is never read.
    fn reads_body(&self, _action: Action, _method: &http::Method) -> bool {
        false
    }

    /// `user` is the username.
    fn acceptance(&self) -> (&KeyRing, ClaimProfile) {
        (
            &self.keys,
            ClaimProfile::new(REGISTRATION.name, UserClaim::User)
                .with_lifetime_without_iat(self.lifetime),
        )
    }

    fn too_large(&self, _now: SystemTime) -> LocalResponse {
        error(413, "Request is too large.")
    }

    /// Signs the token `/login` hands out.
    fn issue(&self, user: &User, now: u64) -> Result<String, KeyError> {
        let claims = Claims {
            user: user.username.clone(),
            exp: now + self.lifetime.as_secs(),
        };
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
        if request.method != http::Method::GET && request.method != http::Method::POST {
            return error(405, "Method not allowed.").with_header(
                http::header::ALLOW,
                http::HeaderValue::from_static("GET, POST"),
            );
        }
        let (username, password) = match (
            required(request, "User-Name"),
            required(request, "Password"),
        ) {
            (Ok(u), Ok(p)) => (u, p),
            (Err(e), _) | (_, Err(e)) => return e,
        };
        match ctx
            .check_password(Lookup::UsernameIgnoreCase(username), password.into_bytes())
            .await
        {
            Ok(user) => {
                let claims = Claims {
                    user: user.username.clone(),
                    exp: request.unix_now() + settings.lifetime.as_secs(),
                };
                let token = ctx
                    .sign(
                        &settings.keys,
                        settings.keys.signing().typ_alg_header(),
                        claims,
                    )
                    .await;
                match token {
                    Ok(token) => LocalResponse::json(
                        200,
                        &json!({"code": 200, "status": "ok", "token": token}),
                    ),
                    Err(_) => error(500, "Internal error."),
                }
            }
            Err(LoginFailure::Invalid(_)) => error(404, "Data not found."),
            Err(LoginFailure::Busy) => error(500, "Internal error."),
            Err(LoginFailure::Unavailable) => error(500, "Internal error.").unavailable(),
            Err(LoginFailure::Limited { retry_after_secs }) => {
                error(429, "Too many failed attempts.")
                    .with_header(http::header::RETRY_AFTER, retry_after_secs.into())
            }
        }
    }
}
