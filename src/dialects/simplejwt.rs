//! `simplejwt`: djangorestframework-simplejwt 5.3.1 as seed 002
//! (`002_ab0d35a74c3f19bd.txt`) describes it: `USERNAME_FIELD = email`, Russian messages
//! by default (`language = "en"` for English), HS256, access 60 s, refresh 1 day.
//!
//! Endpoints (each answers like the library's view on Django 4.2 / DRF 3.15, as captured
//! from the real library; request parsing and DRF's own messages are shared with
//! `drf_jwt`):
//! - `POST /token/` with `email` and `password` (JSON, form or multipart) →
//!   200 `{"refresh","access"}`; bad credentials or an inactive user → 401
//!   `{"detail":"Не найдено активной учетной записи с указанными данными"}`;
//! - `POST /token/refresh/` with `refresh` → 200 `{"access"}`, or with
//!   `rotate_refresh_tokens` `{"access","refresh"}` (the old refresh token blacklisted
//!   when `blacklist_after_rotation`);
//! - `POST /token/verify/` with `token` (access or refresh) → 200 `{}`;
//! - `POST /token/blacklist/` with `refresh` → 200 `{}`, after which it is refused.
//!
//! Token errors are 401 `{"detail":...,"code":"token_not_valid"}`, and every 401 carries
//! `WWW-Authenticate: Bearer realm="api"`, as the library sends them. Field errors are 400
//! `{"field":["..."]}`; wrong methods 405 (`Allow: POST, OPTIONS`), wrong media types 415,
//! unacceptable `Accept` 406, malformed JSON 400 with Python's parser message.
//!
//! Tokens: header `{"typ":"JWT","alg":"HS256"}` (PyJWT 2.4's order, as the sample), claims
//! `token_type, exp, iat, jti, user_id, roles, ip_address` in that order. A refreshed
//! access token keeps the refresh token's `iat` (the library copies every claim but
//! `token_type`, `exp` and `jti`); a rotated refresh token gets a new `jti`, `exp`, `iat`.
//!
//! Decisions where the document and the library are silent or differ from DESIGN:
//! - `exp` is required (DESIGN's policy): a token without it is refused with the
//!   library's own "Token has no 'exp' claim". `exp` equal to the current second is
//!   refused with "Token 'exp' claim has expired", as the library does.
//! - Refresh does not look at the user (the library does not either): a refresh token
//!   keeps working for a user disabled since, until it expires or is blacklisted. Its
//!   access tokens never open proxied traffic for an inactive user (the proxy checks).
//! - The blacklist lives in memory (the library's is a database table): a restart forgets
//!   it. A refresh or blacklist request for a token without `jti` gets Django's 500 page,
//!   as the library crashes there; verify answers "Token has no id".
//! - `ip_address` is the client's address as gatehouse sees it (the peer, or what a
//!   configured trusted proxy reports), not a client-supplied `X-Forwarded-For`.
//! - Users without an id cannot log in here (`user_id` is required): 401 as a failed login.
//! - Too many failed logins (DESIGN "Rate limits"): DRF's throttled answer, 429
//!   `{"detail":"Request was throttled. Expected available in N seconds."}` with
//!   `Retry-After`, in English (the throttle message is not part of the captures).
//! - A body over the limit is 413 `{"detail":"Request body is too large."}`.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use http::header::{HeaderValue, WWW_AUTHENTICATE};
use serde::Serialize;
use serde_json::Value;

use super::drf_jwt::{
    canonical_signature, char_field, detail, drf, field_errors, non_field_error, post_data,
    push_json_string, server_error, two_char_fields, Texts,
};
use super::{DialectContext, DialectRequest, Language, LoginFailure, Lookup};
use crate::keys::{Key, KeyError};
use crate::respond::LocalResponse;
use crate::users::User;
use crate::verifier::jwt::{decode_with_policy, TokenError};

#[derive(Clone, Debug)]
pub struct Settings {
    pub token_path: String,
    pub refresh_path: String,
    pub verify_path: String,
    pub blacklist_path: String,
    pub key: Arc<Key>,
    pub access_lifetime: Duration,
    pub refresh_lifetime: Duration,
    pub rotate_refresh_tokens: bool,
    pub blacklist_after_rotation: bool,
    pub language: Language,
    pub leeway_secs: u64,
    pub max_token_bytes: usize,
}

impl Settings {
    pub const DEFAULT_TOKEN_PATH: &'static str = "/token/";
    pub const DEFAULT_REFRESH_PATH: &'static str = "/token/refresh/";
    pub const DEFAULT_VERIFY_PATH: &'static str = "/token/verify/";
    pub const DEFAULT_BLACKLIST_PATH: &'static str = "/token/blacklist/";
    pub const DEFAULT_ACCESS_LIFETIME: Duration = Duration::from_secs(60);
    pub const DEFAULT_REFRESH_LIFETIME: Duration = Duration::from_secs(24 * 3600);

    pub fn routes(&self) -> Vec<(String, Action)> {
        vec![
            (self.token_path.clone(), Action::Obtain),
            (self.refresh_path.clone(), Action::Refresh),
            (self.verify_path.clone(), Action::Verify),
            (self.blacklist_path.clone(), Action::Blacklist),
        ]
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Obtain,
    Refresh,
    Verify,
    Blacklist,
}

// === messages ===

/// simplejwt's own messages (its `ru` catalogue, as captured).
#[derive(Clone, Copy)]
struct Messages(Language);

impl Messages {
    fn no_active_account(self) -> &'static str {
        match self.0 {
            Language::Ru => "Не найдено активной учетной записи с указанными данными",
            Language::En => "No active account found with the given credentials",
        }
    }

    fn token(self, problem: TokenProblem) -> &'static str {
        use TokenProblem::*;
        match (self.0, problem) {
            (Language::Ru, Invalid) => "Токен недействителен или просрочен",
            (Language::En, Invalid) => "Token is invalid or expired",
            (Language::Ru, NoExp) => "Токен не содержит 'exp'",
            (Language::En, NoExp) => "Token has no 'exp' claim",
            (Language::Ru, ExpIsNow) => "Токен имеет просроченное значение 'exp'",
            (Language::En, ExpIsNow) => "Token 'exp' claim has expired",
            (Language::Ru, NoType) => "Токен не имеет типа",
            (Language::En, NoType) => "Token has no type",
            (Language::Ru, WrongType) => "Токен имеет неправильный тип",
            (Language::En, WrongType) => "Token has wrong type",
            (Language::Ru, NoId) => "У токена нет идентификатора",
            (Language::En, NoId) => "Token has no id",
            (Language::Ru, Blacklisted) => "Токен занесен в черный список",
            (Language::En, Blacklisted) => "Token is blacklisted",
        }
    }
}

/// Why simplejwt refuses a token, in its own words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TokenProblem {
    Invalid,
    NoExp,
    ExpIsNow,
    NoType,
    WrongType,
    NoId,
    Blacklisted,
}

/// A failure while checking a token: a 401 in simplejwt's shape, or Django's 500 page
/// where the library itself crashes.
enum Refused {
    Token(TokenProblem),
    ServerError,
}

// === responses ===

fn unauthorized(mut response: LocalResponse) -> LocalResponse {
    response.headers.push((
        WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer realm=\"api\""),
    ));
    response
}

fn token_not_valid(messages: Messages, problem: TokenProblem) -> LocalResponse {
    let mut body = String::from("{\"detail\":");
    push_json_string(&mut body, messages.token(problem));
    body.push_str(",\"code\":\"token_not_valid\"}");
    unauthorized(drf(401, body))
}

fn refused(messages: Messages, refusal: Refused) -> LocalResponse {
    match refusal {
        Refused::Token(problem) => token_not_valid(messages, problem),
        Refused::ServerError => server_error(),
    }
}

fn tokens_body(pairs: &[(&str, &str)]) -> LocalResponse {
    let mut body = String::from("{");
    for (i, (name, token)) in pairs.iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        push_json_string(&mut body, name);
        body.push(':');
        push_json_string(&mut body, token);
    }
    body.push('}');
    drf(200, body)
}

pub fn too_large(_language: Language) -> LocalResponse {
    detail(413, "Request body is too large.")
}

const OPTIONS_OBTAIN: &str = r#"{"name":"Token Obtain Pair","description":"Takes a set of user credentials and returns an access and refresh JSON web\ntoken pair to prove the authentication of those credentials.","renders":["application/json","text/html"],"parses":["application/json","application/x-www-form-urlencoded","multipart/form-data"],"actions":{"POST":{"email":{"type":"string","required":true,"read_only":false,"label":"Email"},"password":{"type":"string","required":true,"read_only":false,"label":"Password"}}}}"#;
const OPTIONS_REFRESH: &str = r#"{"name":"Token Refresh","description":"Takes a refresh type JSON web token and returns an access type JSON web\ntoken if the refresh token is valid.","renders":["application/json","text/html"],"parses":["application/json","application/x-www-form-urlencoded","multipart/form-data"],"actions":{"POST":{"refresh":{"type":"string","required":true,"read_only":false,"label":"Refresh"},"access":{"type":"string","required":false,"read_only":true,"label":"Access"}}}}"#;
const OPTIONS_VERIFY: &str = r#"{"name":"Token Verify","description":"Takes a token and indicates if it is valid.  This view provides no\ninformation about a token's fitness for a particular use.","renders":["application/json","text/html"],"parses":["application/json","application/x-www-form-urlencoded","multipart/form-data"],"actions":{"POST":{"token":{"type":"string","required":true,"read_only":false,"label":"Token"}}}}"#;
const OPTIONS_BLACKLIST: &str = r#"{"name":"Token Blacklist","description":"Takes a token and blacklists it. Must be used with the\n`rest_framework_simplejwt.token_blacklist` app installed.","renders":["application/json","text/html"],"parses":["application/json","application/x-www-form-urlencoded","multipart/form-data"],"actions":{"POST":{"refresh":{"type":"string","required":true,"read_only":false,"label":"Refresh"}}}}"#;

// === tokens ===

/// The claims simplejwt writes, in its order. Refreshed tokens carry the claims of the
/// token they come from, so the custom ones are kept as JSON values.
#[derive(Serialize)]
struct Claims {
    token_type: &'static str,
    exp: u64,
    iat: Value,
    jti: String,
    #[serde(flatten)]
    copied: serde_json::Map<String, Value>,
}

fn header(key: &Key) -> String {
    key.typ_alg_header()
}

/// The refresh and access claims for a login.
fn login_claims(
    settings: &Settings,
    user: &User,
    user_id: i64,
    client_ip: IpAddr,
    now: u64,
) -> (Claims, Claims) {
    let mut custom = serde_json::Map::new();
    custom.insert("user_id".into(), user_id.into());
    custom.insert("roles".into(), user.roles.clone().into());
    custom.insert("ip_address".into(), client_ip.to_string().into());
    let refresh = Claims {
        token_type: "refresh",
        exp: now + settings.refresh_lifetime.as_secs(),
        iat: now.into(),
        jti: crate::tokens::new_jti(),
        copied: custom.clone(),
    };
    let access = Claims {
        token_type: "access",
        exp: now + settings.access_lifetime.as_secs(),
        iat: now.into(),
        jti: crate::tokens::new_jti(),
        copied: custom,
    };
    (refresh, access)
}

/// An access token for `user` (for `gatehouse token --dialect simplejwt`).
pub fn issue_access(
    settings: &Settings,
    user: &User,
    client_ip: IpAddr,
    now: u64,
) -> Result<String, KeyError> {
    let user_id = user
        .id
        .ok_or_else(|| KeyError::Signing("the user has no id".into()))?;
    let (_, access) = login_claims(settings, user, user_id, client_ip, now);
    settings
        .key
        .sign_with_header_json(&header(&settings.key), &access)
}

/// A checked token's claims.
struct Checked {
    claims: serde_json::Map<String, Value>,
}

impl Checked {
    fn jti(&self) -> Option<&str> {
        self.claims.get("jti").and_then(Value::as_str)
    }
}

/// simplejwt's `Token.__init__` for the given type (`None`: `UntypedToken`).
fn check(
    settings: &Settings,
    token: &str,
    wanted: Option<&str>,
    now: u64,
    ctx: &DialectContext<'_>,
) -> Result<Checked, Refused> {
    let token = canonical_signature(token);
    let claims = decode_with_policy(
        &token,
        &settings.key,
        settings.leeway_secs,
        settings.max_token_bytes,
    )
    .map_err(|e| match e {
        TokenError::Claim(claim) if claim == "exp" => Refused::Token(TokenProblem::NoExp),
        _ => Refused::Token(TokenProblem::Invalid),
    })?;
    let checked = Checked { claims };
    // The library's order: BlacklistMixin.verify (refresh tokens) reads the jti
    // unguarded and checks the blacklist, then Token.verify checks exp, jti, type.
    if wanted == Some("refresh") {
        let jti = checked.jti().ok_or(Refused::ServerError)?;
        if ctx.blacklist.contains(jti) {
            return Err(Refused::Token(TokenProblem::Blacklisted));
        }
    }
    match checked.claims.get("exp").and_then(Value::as_u64) {
        Some(exp) if exp <= now => return Err(Refused::Token(TokenProblem::ExpIsNow)),
        Some(_) => {}
        None => return Err(Refused::Token(TokenProblem::NoExp)),
    }
    if checked.jti().is_none() {
        return Err(Refused::Token(TokenProblem::NoId));
    }
    if let Some(wanted) = wanted {
        match checked.claims.get("token_type") {
            None => return Err(Refused::Token(TokenProblem::NoType)),
            Some(kind) if kind.as_str() != Some(wanted) => {
                return Err(Refused::Token(TokenProblem::WrongType))
            }
            Some(_) => {}
        }
    }
    Ok(checked)
}

// === views ===

pub async fn answer(
    settings: &Settings,
    action: Action,
    request: &DialectRequest<'_>,
    ctx: &DialectContext<'_>,
) -> LocalResponse {
    let texts = Texts(settings.language);
    let messages = Messages(settings.language);
    let options = match action {
        Action::Obtain => OPTIONS_OBTAIN,
        Action::Refresh => OPTIONS_REFRESH,
        Action::Verify => OPTIONS_VERIFY,
        Action::Blacklist => OPTIONS_BLACKLIST,
    };
    let data = match post_data(request, texts, options) {
        Ok(data) => data,
        Err(response) => return response,
    };
    let fields = data.as_slice();
    let now = request.unix_now();
    match action {
        Action::Obtain => {
            let (email, password) = match two_char_fields(fields, ["email", "password"], texts) {
                Ok(pair) => pair,
                Err(response) => return response,
            };
            let failed = || unauthorized(detail(401, messages.no_active_account()));
            let user = match ctx
                .check_password(Lookup::Email(email), password.into_bytes())
                .await
            {
                Ok(user) => user,
                Err(LoginFailure::Invalid(_)) => return failed(),
                Err(LoginFailure::Busy) => return server_error(),
                Err(LoginFailure::Limited { retry_after_secs }) => {
                    return detail(
                        429,
                        &format!(
                        "Request was throttled. Expected available in {retry_after_secs} seconds."
                    ),
                    )
                    .with_header(http::header::RETRY_AFTER, retry_after_secs.into())
                }
            };
            let Some(user_id) = user.id else {
                return failed();
            };
            let (refresh, access) = login_claims(settings, &user, user_id, request.client_ip, now);
            let (refresh, access) = (
                ctx.sign(&settings.key, header(&settings.key), refresh)
                    .await,
                ctx.sign(&settings.key, header(&settings.key), access).await,
            );
            match (refresh, access) {
                (Ok(refresh), Ok(access)) => {
                    tokens_body(&[("refresh", &refresh), ("access", &access)])
                }
                _ => server_error(),
            }
        }
        Action::Verify => {
            let token = match char_field(fields, "token", texts) {
                Ok(token) => token,
                Err(errors) => return field_errors(&[("token", errors)]),
            };
            let checked = match check(settings, &token, None, now, ctx) {
                Ok(checked) => checked,
                Err(refusal) => return refused(messages, refusal),
            };
            // With BLACKLIST_AFTER_ROTATION the serializer also looks the jti up, and says
            // so in English whatever the language.
            if settings.blacklist_after_rotation
                && checked.jti().is_some_and(|jti| ctx.blacklist.contains(jti))
            {
                return non_field_error("Token is blacklisted");
            }
            drf(200, "{}".to_owned())
        }
        Action::Refresh | Action::Blacklist => {
            let token = match char_field(fields, "refresh", texts) {
                Ok(token) => token,
                Err(errors) => return field_errors(&[("refresh", errors)]),
            };
            let checked = match check(settings, &token, Some("refresh"), now, ctx) {
                Ok(checked) => checked,
                Err(refusal) => return refused(messages, refusal),
            };
            let jti = checked.jti().unwrap_or_default().to_owned();
            if action == Action::Blacklist {
                ctx.blacklist.insert(&jti);
                return drf(200, "{}".to_owned());
            }
            refresh(settings, checked, &jti, now, ctx).await
        }
    }
}

/// `TokenRefreshSerializer.validate`.
async fn refresh(
    settings: &Settings,
    checked: Checked,
    jti: &str,
    now: u64,
    ctx: &DialectContext<'_>,
) -> LocalResponse {
    let mut copied = checked.claims;
    let iat = copied.remove("iat").unwrap_or_else(|| now.into());
    for claim in ["token_type", "exp", "jti"] {
        copied.remove(claim);
    }
    let access = Claims {
        token_type: "access",
        exp: now + settings.access_lifetime.as_secs(),
        iat,
        jti: crate::tokens::new_jti(),
        copied: copied.clone(),
    };
    let Ok(access) = ctx.sign(&settings.key, header(&settings.key), access).await else {
        return server_error();
    };
    if !settings.rotate_refresh_tokens {
        return tokens_body(&[("access", &access)]);
    }
    if settings.blacklist_after_rotation {
        ctx.blacklist.insert(jti);
    }
    let rotated = Claims {
        token_type: "refresh",
        exp: now + settings.refresh_lifetime.as_secs(),
        iat: now.into(),
        jti: crate::tokens::new_jti(),
        copied,
    };
    match ctx
        .sign(&settings.key, header(&settings.key), rotated)
        .await
    {
        Ok(rotated) => tokens_body(&[("access", &access), ("refresh", &rotated)]),
        Err(_) => server_error(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialects::Blacklist;
    use crate::keys::{KeyMaterial, KeySet};
    use crate::metrics::Metrics;
    use crate::offload::HashPool;
    use crate::ratelimit::{FailureLimiter, LimitSettings};
    use crate::users::{PasswordHash, UserStore};
    use base64::Engine as _;
    use serde_json::json;
    use std::time::SystemTime;

    const SECRET: &[u8] = b"simplejwt-test-secret-0123456789abcdef";

    struct Env {
        settings: Settings,
        users: Arc<UserStore>,
        keys: KeySet,
        pool: HashPool,
        metrics: Metrics,
        blacklist: Blacklist,
        limiter: FailureLimiter,
    }

    fn env(language: Language, rotate: bool) -> Env {
        // htpasswd -nbB -C 4 alice 'correct horse'
        let hash = "$2y$04$2nIagUtAOLZ0/Z7DYISSb.3AjpuquUEZYrZH0EKRs3LvQ.nGw5Sdq";
        let user = |name: &str, id: Option<i64>, active: bool| User {
            username: name.into(),
            id,
            email: Some(format!("{name}@example.com")),
            roles: vec!["admin".into(), "user".into()],
            active,
            password: PasswordHash::parse(hash).unwrap(),
        };
        Env {
            settings: Settings {
                token_path: "/token/".into(),
                refresh_path: "/token/refresh/".into(),
                verify_path: "/token/verify/".into(),
                blacklist_path: "/token/blacklist/".into(),
                key: Arc::new(
                    Key::new(
                        "sj",
                        jsonwebtoken::Algorithm::HS256,
                        KeyMaterial::Hmac(Some(SECRET)),
                    )
                    .unwrap(),
                ),
                access_lifetime: Duration::from_secs(60),
                refresh_lifetime: Duration::from_secs(86400),
                rotate_refresh_tokens: rotate,
                blacklist_after_rotation: rotate,
                language,
                leeway_secs: 0,
                max_token_bytes: 8192,
            },
            users: Arc::new(UserStore::new(vec![
                user("alice", Some(206661), true),
                user("idle", Some(7), false),
                user("noid", None, true),
            ])),
            keys: KeySet::new(vec![]),
            pool: HashPool::new(1, 8),
            metrics: Metrics::new().unwrap(),
            blacklist: Blacklist::new(1000, Duration::from_secs(86400)),
            limiter: FailureLimiter::new(LimitSettings {
                enabled: false,
                ..LimitSettings::default()
            }),
        }
    }

    impl Env {
        async fn call(
            &self,
            action: Action,
            method: http::Method,
            content_type: &str,
            body: &str,
        ) -> LocalResponse {
            let mut headers = http::HeaderMap::new();
            headers.insert(
                http::header::CONTENT_TYPE,
                HeaderValue::from_str(content_type).unwrap(),
            );
            let request = DialectRequest {
                method: &method,
                path: "/token/",
                headers: &headers,
                body: body.as_bytes(),
                client_ip: "46.246.93.217".parse().unwrap(),
                now: SystemTime::now(),
            };
            let ctx = DialectContext {
                users: &self.users,
                keys: &self.keys,
                pool: &self.pool,
                metrics: &self.metrics,
                blacklist: &self.blacklist,
                limiter: &self.limiter,
                client_ip: request.client_ip,
            };
            answer(&self.settings, action, &request, &ctx).await
        }

        async fn post(&self, action: Action, body: serde_json::Value) -> LocalResponse {
            self.call(
                action,
                http::Method::POST,
                "application/json",
                &body.to_string(),
            )
            .await
        }

        async fn login(&self) -> (String, String) {
            let r = self
                .post(
                    Action::Obtain,
                    json!({"email": "alice@example.com", "password": "correct horse"}),
                )
                .await;
            assert_eq!(r.status, 200, "{}", text(&r));
            let body: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
            (
                body["refresh"].as_str().unwrap().to_owned(),
                body["access"].as_str().unwrap().to_owned(),
            )
        }

        fn sign(&self, claims: serde_json::Value) -> String {
            self.settings
                .key
                .sign_with_header_json(&self.settings.key.typ_alg_header(), &claims)
                .unwrap()
        }
    }

    fn text(r: &LocalResponse) -> String {
        String::from_utf8_lossy(&r.body).into_owned()
    }

    fn header(r: &LocalResponse, name: &str) -> Option<String> {
        r.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.to_str().unwrap().to_owned())
    }

    fn part(token: &str, i: usize) -> String {
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(token.split('.').nth(i).unwrap())
            .unwrap();
        String::from_utf8(bytes).unwrap()
    }

    fn now() -> u64 {
        crate::verifier::unix_now()
    }

    #[tokio::test]
    async fn login_issues_the_documented_pair() {
        let env = env(Language::Ru, false);
        let r = env
            .post(
                Action::Obtain,
                json!({"email": "alice@example.com", "password": "correct horse"}),
            )
            .await;
        assert_eq!(r.status, 200);
        assert_eq!(
            header(&r, "content-type").as_deref(),
            Some("application/json")
        );
        assert_eq!(header(&r, "allow").as_deref(), Some("POST, OPTIONS"));
        assert_eq!(header(&r, "vary").as_deref(), Some("Accept"));
        let body: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(
            body.as_object().unwrap().keys().collect::<Vec<_>>(),
            ["refresh", "access"]
        );
        for (name, kind, lifetime) in [("refresh", "refresh", 86400), ("access", "access", 60)] {
            let token = body[name].as_str().unwrap();
            assert_eq!(part(token, 0), r#"{"typ":"JWT","alg":"HS256"}"#);
            let claims: serde_json::Value = serde_json::from_str(&part(token, 1)).unwrap();
            let keys: Vec<&String> = claims.as_object().unwrap().keys().collect();
            assert_eq!(
                keys,
                [
                    "token_type",
                    "exp",
                    "iat",
                    "jti",
                    "user_id",
                    "roles",
                    "ip_address"
                ]
            );
            assert_eq!(claims["token_type"], kind);
            assert_eq!(
                claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap(),
                lifetime
            );
            assert_eq!(claims["jti"].as_str().unwrap().len(), 32);
            assert_eq!(claims["user_id"], 206661);
            assert_eq!(claims["roles"], json!(["admin", "user"]));
            assert_eq!(claims["ip_address"], "46.246.93.217");
        }
    }

    #[tokio::test]
    async fn failed_logins_and_field_errors_in_both_languages() {
        for (language, no_account, required, blank) in [
            (
                Language::Ru,
                "Не найдено активной учетной записи с указанными данными",
                "Обязательное поле.",
                "Это поле не может быть пустым.",
            ),
            (
                Language::En,
                "No active account found with the given credentials",
                "This field is required.",
                "This field may not be blank.",
            ),
        ] {
            let env = env(language, false);
            for body in [
                json!({"email": "alice@example.com", "password": "wrong"}),
                json!({"email": "nobody@example.com", "password": "correct horse"}),
                json!({"email": "idle@example.com", "password": "correct horse"}),
                json!({"email": "ALICE@example.com", "password": "correct horse"}),
                json!({"email": "noid@example.com", "password": "correct horse"}),
            ] {
                let r = env.post(Action::Obtain, body.clone()).await;
                assert_eq!(r.status, 401, "{body}");
                assert_eq!(text(&r), format!("{{\"detail\":\"{no_account}\"}}"));
                assert_eq!(
                    header(&r, "www-authenticate").as_deref(),
                    Some("Bearer realm=\"api\"")
                );
            }
            let r = env.post(Action::Obtain, json!({})).await;
            assert_eq!(
                (r.status, text(&r)),
                (
                    400,
                    format!("{{\"email\":[\"{required}\"],\"password\":[\"{required}\"]}}")
                )
            );
            let r = env
                .post(Action::Obtain, json!({"email": "", "password": " "}))
                .await;
            assert_eq!(
                text(&r),
                format!("{{\"email\":[\"{blank}\"],\"password\":[\"{blank}\"]}}")
            );
            let r = env
                .post(Action::Obtain, json!({"email": ["a"], "password": true}))
                .await;
            assert_eq!(
                text(&r),
                r#"{"email":["Not a valid string."],"password":["Not a valid string."]}"#
            );
        }
    }

    #[tokio::test]
    async fn methods_media_types_and_malformed_json() {
        let env = env(Language::Ru, false);
        let r = env
            .call(Action::Obtain, http::Method::GET, "application/json", "")
            .await;
        assert_eq!(
            (r.status, text(&r)),
            (405, r#"{"detail":"Метод \"GET\" не разрешен."}"#.to_owned())
        );
        let r = env
            .call(Action::Refresh, http::Method::POST, "text/plain", "{}")
            .await;
        assert_eq!(
            (r.status, text(&r)),
            (
                415,
                r#"{"detail":"Неподдерживаемый тип данных \"text/plain\" в запросе."}"#.to_owned()
            )
        );
        let r = env
            .call(
                Action::Verify,
                http::Method::POST,
                "application/json",
                "{\"token\": ",
            )
            .await;
        assert_eq!(
            (r.status, text(&r)),
            (
                400,
                r#"{"detail":"JSON parse error - Expecting value: line 1 column 11 (char 10)"}"#
                    .to_owned()
            )
        );
        let r = env
            .call(
                Action::Obtain,
                http::Method::POST,
                "application/x-www-form-urlencoded",
                "email=alice%40example.com&password=correct+horse",
            )
            .await;
        assert_eq!(r.status, 200, "{}", text(&r));
        let r = env
            .call(
                Action::Obtain,
                http::Method::OPTIONS,
                "application/json",
                "",
            )
            .await;
        assert!(text(&r).starts_with(r#"{"name":"Token Obtain Pair""#));
    }

    #[tokio::test]
    async fn refresh_keeps_iat_and_never_checks_the_user() {
        let env = env(Language::Ru, false);
        let (refresh, _) = env.login().await;
        let login_iat: serde_json::Value = serde_json::from_str(&part(&refresh, 1)).unwrap();
        let r = env.post(Action::Refresh, json!({"refresh": refresh})).await;
        assert_eq!(r.status, 200, "{}", text(&r));
        let body: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(
            body.as_object().unwrap().keys().collect::<Vec<_>>(),
            ["access"]
        );
        let claims: serde_json::Value =
            serde_json::from_str(&part(body["access"].as_str().unwrap(), 1)).unwrap();
        assert_eq!(claims["token_type"], "access");
        assert_eq!(claims["iat"], login_iat["iat"]);
        assert_ne!(claims["jti"], login_iat["jti"]);
        assert_eq!(claims["roles"], json!(["admin", "user"]));
        // Without rotation the same refresh token works again.
        assert_eq!(
            env.post(Action::Refresh, json!({"refresh": refresh}))
                .await
                .status,
            200
        );
        // The user is not consulted: a refresh token of a user the store does not know still refreshes.
        let ghost = env.sign(json!({"token_type": "refresh", "exp": now() + 600, "iat": now(), "jti": "0123456789abcdef0123456789abcdef", "user_id": 999}));
        assert_eq!(
            env.post(Action::Refresh, json!({"refresh": ghost}))
                .await
                .status,
            200
        );
    }

    #[tokio::test]
    async fn rotation_blacklists_the_old_refresh_token() {
        let env = env(Language::Ru, true);
        let (refresh, _) = env.login().await;
        let r = env.post(Action::Refresh, json!({"refresh": refresh})).await;
        let body: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(
            body.as_object().unwrap().keys().collect::<Vec<_>>(),
            ["access", "refresh"]
        );
        let r = env.post(Action::Refresh, json!({"refresh": refresh})).await;
        assert_eq!(
            (r.status, text(&r)),
            (
                401,
                r#"{"detail":"Токен занесен в черный список","code":"token_not_valid"}"#.to_owned()
            )
        );
        // Verify refuses it too, in English, as the library does with BLACKLIST_AFTER_ROTATION.
        let r = env.post(Action::Verify, json!({"token": refresh})).await;
        assert_eq!(
            (r.status, text(&r)),
            (
                400,
                r#"{"non_field_errors":["Token is blacklisted"]}"#.to_owned()
            )
        );
        let rotated = body["refresh"].as_str().unwrap();
        assert_eq!(
            env.post(Action::Refresh, json!({"refresh": rotated}))
                .await
                .status,
            200
        );
    }

    #[tokio::test]
    async fn verify_and_blacklist() {
        let env = env(Language::En, false);
        let (refresh, access) = env.login().await;
        for token in [&refresh, &access] {
            let r = env.post(Action::Verify, json!({"token": token})).await;
            assert_eq!((r.status, text(&r)), (200, "{}".to_owned()));
        }
        let r = env
            .post(Action::Blacklist, json!({"refresh": access}))
            .await;
        assert_eq!(
            text(&r),
            r#"{"detail":"Token has wrong type","code":"token_not_valid"}"#
        );
        assert_eq!(
            env.post(Action::Blacklist, json!({"refresh": refresh}))
                .await
                .status,
            200
        );
        let r = env
            .post(Action::Blacklist, json!({"refresh": refresh}))
            .await;
        assert_eq!(
            (r.status, text(&r)),
            (
                401,
                r#"{"detail":"Token is blacklisted","code":"token_not_valid"}"#.to_owned()
            )
        );
        let r = env.post(Action::Refresh, json!({"refresh": refresh})).await;
        assert_eq!(
            text(&r),
            r#"{"detail":"Token is blacklisted","code":"token_not_valid"}"#
        );
        // Without BLACKLIST_AFTER_ROTATION, verify does not look at the blacklist.
        assert_eq!(
            env.post(Action::Verify, json!({"token": refresh}))
                .await
                .status,
            200
        );
    }

    #[tokio::test]
    async fn token_errors_and_lifetime_boundaries() {
        let env = env(Language::Ru, false);
        let invalid = r#"{"detail":"Токен недействителен или просрочен","code":"token_not_valid"}"#;
        let base = |exp: u64| json!({"token_type": "refresh", "exp": exp, "iat": now(), "jti": "0123456789abcdef0123456789abcdef", "user_id": 206661});
        // Expired by one second, and the library's own check at the current second.
        let r = env
            .post(
                Action::Refresh,
                json!({"refresh": env.sign(base(now() - 1))}),
            )
            .await;
        assert_eq!(text(&r), invalid);
        let r = env
            .post(Action::Refresh, json!({"refresh": env.sign(base(now()))}))
            .await;
        assert!(
            text(&r).contains("Токен имеет просроченное значение 'exp'") || text(&r) == invalid,
            "{}",
            text(&r)
        );
        let r = env
            .post(
                Action::Refresh,
                json!({"refresh": env.sign(base(now() + 60))}),
            )
            .await;
        assert_eq!(r.status, 200);
        let mut no_type = base(now() + 60);
        no_type.as_object_mut().unwrap().remove("token_type");
        assert_eq!(
            text(
                &env.post(
                    Action::Refresh,
                    json!({"refresh": env.sign(no_type.clone())})
                )
                .await
            ),
            r#"{"detail":"Токен не имеет типа","code":"token_not_valid"}"#
        );
        // verify does not care about the type.
        assert_eq!(
            env.post(Action::Verify, json!({"token": env.sign(no_type)}))
                .await
                .status,
            200
        );
        let mut no_jti = base(now() + 60);
        no_jti.as_object_mut().unwrap().remove("jti");
        assert_eq!(
            env.post(
                Action::Refresh,
                json!({"refresh": env.sign(no_jti.clone())})
            )
            .await
            .status,
            500
        );
        assert_eq!(
            text(
                &env.post(Action::Verify, json!({"token": env.sign(no_jti)}))
                    .await
            ),
            r#"{"detail":"У токена нет идентификатора","code":"token_not_valid"}"#
        );
        let mut no_exp = base(0);
        no_exp.as_object_mut().unwrap().remove("exp");
        assert_eq!(
            text(
                &env.post(Action::Verify, json!({"token": env.sign(no_exp)}))
                    .await
            ),
            r#"{"detail":"Токен не содержит 'exp'","code":"token_not_valid"}"#
        );
        for garbage in [
            json!("abc"),
            json!(123),
            json!(format!("Bearer {}", env.sign(base(now() + 60)))),
        ] {
            let r = env.post(Action::Verify, json!({"token": garbage})).await;
            assert_eq!((r.status, text(&r)), (401, invalid.to_owned()), "{garbage}");
        }
        let other = Key::new(
            "x",
            jsonwebtoken::Algorithm::HS256,
            KeyMaterial::Hmac(Some(&[9u8; 32])),
        )
        .unwrap();
        let foreign = other
            .sign_with_header_json(&other.typ_alg_header(), &base(now() + 60))
            .unwrap();
        assert_eq!(
            text(&env.post(Action::Refresh, json!({"refresh": foreign})).await),
            invalid
        );
        let r = env.post(Action::Refresh, json!({"refresh": null})).await;
        assert_eq!(
            text(&r),
            r#"{"refresh":["Это поле не может быть пустым."]}"#
        );
        let r = env.post(Action::Verify, json!({"refresh": "x"})).await;
        assert_eq!(text(&r), r#"{"token":["Обязательное поле."]}"#);
    }

    #[tokio::test]
    async fn issued_access_tokens_match_the_login_ones() {
        let env = env(Language::Ru, false);
        let user = env.users.by_username("alice").unwrap();
        let token = issue_access(&env.settings, user, "127.0.0.1".parse().unwrap(), now()).unwrap();
        let claims: serde_json::Value = serde_json::from_str(&part(&token, 1)).unwrap();
        assert_eq!(claims["token_type"], "access");
        assert_eq!(claims["user_id"], 206661);
        assert!(issue_access(
            &env.settings,
            env.users.by_username("noid").unwrap(),
            "127.0.0.1".parse().unwrap(),
            now()
        )
        .is_err());
    }
}
