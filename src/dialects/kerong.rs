//! `kerong`: the Kerong-LCS token endpoint of seed 000 (`000_84839ea6586f6e95.txt`), a
//! Spring service.
//!
//! Request: `POST /api/v1/auth/token` with JSON `{"username","password"}`.
//! Answers, in the document's key order:
//! - 200 `{"token":"<jwt>"}`;
//! - 400 `{"message":"400 Bad Request","date":"2023-12-18T15:49:42.493Z"}` for a body that
//!   is not JSON, or misses, blanks or mistypes a field;
//! - 401 `{"status":401,"message":"Неверный логин или пароль","timestamp":"..."}` for an
//!   unknown user, a wrong password or an inactive account alike;
//! - 500 Spring's `{"timestamp":<epoch s>,"status":500,"error":"Internal Server Error",
//!   "path":"...","message":"..."}` when the work pool is full or signing fails.
//!
//! Token: HS256 with a bare `{"alg":"HS256"}` header (the sample starts `eyJhbGciOi`, as
//! JJWT writes it), claims `sub` (the canonical username), `username`, `roles`, `iat`,
//! `exp`; lifetime 1 hour by default.
//!
//! Decisions where the document is silent (each as Spring MVC + Jackson + Bean
//! Validation would behave):
//! - numbers and booleans for `username`/`password` are coerced to text (Jackson's
//!   scalar coercion); arrays, objects, null, missing and blank fields are 400;
//! - other methods are 405 and other content types 415, both in Spring's error shape
//!   with `Allow: POST` on the 405;
//! - usernames match exactly (case-sensitive);
//! - too many failed logins (DESIGN "Rate limits") is 429 in the 401's shape,
//!   `{"status":429,"message":"Слишком много неудачных попыток входа","timestamp":...}`,
//!   with `Retry-After`.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use serde::Serialize;
use serde_json::{json, Value};

use super::{
    Action, Api, DialectContext, DialectRequest, LoginFailure, Lookup, Registration, TableReader,
};
use crate::iso8601::iso8601_millis;
use crate::keys::{algorithm_name, Key, KeyError, KeyRing};
use crate::respond::LocalResponse;
use crate::users::User;
use crate::verifier::jwt::{ClaimProfile, UserClaim};

pub const REGISTRATION: Registration = Registration {
    name: "kerong",
    configure,
};

/// `[dialects.kerong]`: `path`, `key`, `verify_keys`, `lifetime`.
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
    pub const DEFAULT_PATH: &'static str = "/api/v1/auth/token";
    pub const DEFAULT_LIFETIME: Duration = Duration::from_secs(3600);
}

#[derive(Serialize)]
struct Claims {
    sub: String,
    username: String,
    roles: Vec<String>,
    iat: u64,
    exp: u64,
}

fn bad_request(now: SystemTime) -> LocalResponse {
    LocalResponse::json(
        400,
        &json!({"message": "400 Bad Request", "date": iso8601_millis(now)}),
    )
}

fn unauthorized(now: SystemTime) -> LocalResponse {
    LocalResponse::json(
        401,
        &json!({"status": 401, "message": "Неверный логин или пароль", "timestamp": iso8601_millis(now)}),
    )
}

/// Spring Boot's default error body.
fn spring_error(
    status: u16,
    error: &str,
    path: &str,
    message: &str,
    now: SystemTime,
) -> LocalResponse {
    let epoch = now
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    LocalResponse::json(
        status,
        &json!({"timestamp": epoch, "status": status, "error": error, "path": path, "message": message}),
    )
}

fn header(key: &Key) -> String {
    format!(r#"{{"alg":"{}"}}"#, algorithm_name(key.algorithm()))
}

fn claims(settings: &Settings, user: &User, now: u64) -> Claims {
    Claims {
        sub: user.username.clone(),
        username: user.username.clone(),
        roles: user.roles.clone(),
        iat: now,
        exp: now + settings.lifetime.as_secs(),
    }
}

/// A required text field: strings as they are, numbers and booleans as Jackson coerces
/// them, anything else (or blank) refused.
fn text_field(body: &serde_json::Map<String, Value>, name: &str) -> Option<String> {
    let text = match body.get(name)? {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => return None,
    };
    (!text.trim().is_empty()).then_some(text)
}

#[async_trait]
impl Api for Settings {
    fn endpoints(&self) -> Vec<(String, Action)> {
        vec![(self.path.clone(), Action::Obtain)]
    }

    /// `sub` is the username.
    fn acceptance(&self) -> (&KeyRing, ClaimProfile) {
        (
            &self.keys,
            ClaimProfile::new(REGISTRATION.name, UserClaim::SubUsername),
        )
    }

    fn too_large(&self, now: SystemTime) -> LocalResponse {
        LocalResponse::json(
            413,
            &json!({"message": "413 Payload Too Large", "date": iso8601_millis(now)}),
        )
    }

    /// Signs the token the endpoint hands out (for `gatehouse token --dialect kerong`).
    fn issue(&self, user: &User, now: u64) -> Result<String, KeyError> {
        self.keys
            .sign_with_layout(header(self.keys.signing()), &claims(self, user, now))
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
        let now = request.now;
        if request.method != http::Method::POST {
            return spring_error(
                405,
                "Method Not Allowed",
                request.path,
                "Request method not supported",
                now,
            )
            .with_header(http::header::ALLOW, http::HeaderValue::from_static("POST"));
        }
        match request.media_type().as_deref() {
            Some("application/json") => {}
            Some(m) if m.starts_with("application/") && m.ends_with("+json") => {}
            _ => {
                return spring_error(
                    415,
                    "Unsupported Media Type",
                    request.path,
                    "Content type not supported",
                    now,
                )
            }
        }
        let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(request.body) else {
            return bad_request(now);
        };
        let (Some(username), Some(password)) =
            (text_field(&body, "username"), text_field(&body, "password"))
        else {
            return bad_request(now);
        };
        match ctx
            .check_password(Lookup::Username(username), password.into_bytes())
            .await
        {
            Ok(user) => {
                let signed = ctx
                    .sign(
                        &settings.keys,
                        header(settings.keys.signing()),
                        claims(settings, &user, request.unix_now()),
                    )
                    .await;
                match signed {
                    Ok(token) => LocalResponse::json(200, &json!({"token": token})),
                    Err(_) => spring_error(
                        500,
                        "Internal Server Error",
                        request.path,
                        "No message available",
                        now,
                    ),
                }
            }
            Err(LoginFailure::Limited { retry_after_secs }) => LocalResponse::json(
                429,
                &json!({"status": 429, "message": "Слишком много неудачных попыток входа", "timestamp": iso8601_millis(now)}),
            )
            .with_header(http::header::RETRY_AFTER, retry_after_secs.into()),
            Err(LoginFailure::Invalid(_)) => unauthorized(now),
            Err(LoginFailure::Busy) => spring_error(
                500,
                "Internal Server Error",
                request.path,
                "No message available",
                now,
            ),
            Err(LoginFailure::Unavailable) => spring_error(
                500,
                "Internal Server Error",
                request.path,
                "No message available",
                now,
            )
            .unavailable(),
        }
    }
}
