//! `simplejwt`: djangorestframework-simplejwt 5.3.1 as seed 002 (`002_ab0d35a74c3f19bd.txt`)
//! describes it: `USERNAME_FIELD = email`, Russian messages by default (`language = "en"`
//! for English), HS256, access 60 s, refresh 1 day. Every answer is the one the real
//! library gives on Django 4.2 / DRF 3.15.2 / PyJWT 2.4.0 (`LANGUAGE_CODE = "ru"`, stock
//! middleware, `rest_framework_simplejwt.token_blacklist` installed), as captured from it
//! (`tests/captures/`, summarised in its `django-dialects.template.md` §3); the unit tests
//! replay those captures.
//!
//! # Endpoints (all `POST`; paths configurable)
//!
//! | endpoint | request field(s) | 200 |
//! |---|---|---|
//! | `/token/` | `email`, `password` | `{"refresh":"<jwt>","access":"<jwt>"}` |
//! | `/token/refresh/` | `refresh` | `{"access":"<jwt>"}`; with `rotate_refresh_tokens` `{"access":"<jwt>","refresh":"<jwt>"}` |
//! | `/token/verify/` | `token` (access, refresh or any other type) | `{}` |
//! | `/token/blacklist/` | `refresh` | `{}`; the token is refused from then on |
//!
//! Bodies: JSON, `application/x-www-form-urlencoded` or `multipart/form-data` (DRF's
//! default parsers; the parsing, DRF's `CharField` rules and DRF's own messages are shared
//! with `drf_jwt`, in `django/`). Field values are trimmed; numbers are accepted as their Python `str()`.
//!
//! # Failures
//!
//! | status | body | when |
//! |---|---|---|
//! | 401 | `{"detail":"Не найдено активной учетной записи с указанными данными"}` / `No active account found with the given credentials` (no `code`) | wrong password, unknown email, email in another letter case, inactive user, user without id |
//! | 401 | `{"detail":"<msg>","code":"token_not_valid"}` | any token problem on refresh, verify, blacklist (messages below) |
//! | 400 | `{"non_field_errors":["Token is blacklisted"]}` (English in every language) | verify of a blacklisted token, only with `blacklist_after_rotation` |
//! | 400 | `{"<field>":["<msg>"],…}` in field order | missing (`Обязательное поле.` / `This field is required.`), blank or whitespace-only (`Это поле не может быть пустым.` / `This field may not be blank.`), `null` (`Это поле не может быть пустым.` / `This field may not be null.`), bool/array/object (`Not a valid string.`) |
//! | 400 | `{"non_field_errors":["Недопустимые данные. Ожидался dictionary, но был получен list."]}` / `Invalid data. Expected a dictionary, but got list.`; `null` body: `No data provided` | a JSON body that is not an object |
//! | 400 | `{"detail":"JSON parse error - <Python's json message>"}` | malformed JSON |
//! | 400 | `{"detail":"Multipart form parse error - <Django's message>"}`; Django's `Bad Request (400)` page (`text/html; charset=utf-8`) | a broken multipart body; more than 1000 form fields; a body over `[dialects] max_body_bytes` (below) |
//! | 405 | `{"detail":"Метод \"GET\" не разрешен."}` / `Method "GET" not allowed.` (HEAD: no body) | any method but POST and OPTIONS (OPTIONS answers DRF's metadata) |
//! | 406 | `{"detail":"Невозможно удовлетворить \"Accept\" заголовок запроса."}` / `Could not satisfy the request Accept header.` | an `Accept` header naming neither JSON nor HTML |
//! | 415 | `{"detail":"Неподдерживаемый тип данных \"text/plain\" в запросе."}` / `Unsupported media type "text/plain" in request.` | other media types; a body without `Content-Type` names `""`, as under gunicorn (runserver's wsgiref filled in `text/plain`) |
//! | 500 | Django's `Server Error (500)` page, `text/html; charset=utf-8` | where the library crashes (below), JSON nested too deep for Python, or gatehouse's hash/signing pool is full |
//!
//! Token messages (`ru` / `en`): `Токен недействителен или просрочен` / `Token is invalid or
//! expired` (bad signature, other algorithm, malformed, expired by PyJWT's whole-second
//! check, `nbf` in the future, a non-integer `exp`/`nbf`/`iat`); `Токен имеет просроченное
//! значение 'exp'` / `Token 'exp' claim has expired` (`exp` plus the leeway equal to the
//! current second: the library's own sub-second check); `Токен не содержит 'exp'` / `Token has no 'exp'
//! claim`; `У токена нет идентификатора` / `Token has no id` (verify of a token without
//! `jti`); `Токен не имеет типа` / `Token has no type` and `Токен имеет неправильный тип` /
//! `Token has wrong type` (refresh and blacklist want `token_type` `"refresh"`; verify takes
//! any); `Токен занесен в черный список` / `Token is blacklisted`. The checks run in the
//! library's order: PyJWT (`iat`, `nbf`, `exp` must be what Python's `int()` accepts; `null`,
//! arrays and objects there crash it), the blacklist (refresh and blacklist only), `exp`
//! again, `jti`, `token_type`.
//!
//! Headers as DRF sends them: `Content-Type: application/json` (no charset), `Vary: Accept`,
//! `Allow: POST, OPTIONS` on every DRF answer, and `WWW-Authenticate: Bearer realm="api"`
//! (second, as Django orders them) on every 401. Bodies are compact UTF-8 JSON.
//!
//! # Tokens
//!
//! Header `{"typ":"JWT","alg":"HS256"}` (PyJWT 2.4's order, as the seed's sample), claims
//! `token_type, exp, iat, jti, user_id, roles, ip_address` in that order, `jti` a
//! `uuid4().hex` (32 lowercase hex digits, version and variant bits as a UUID 4), `exp` and
//! `iat` whole seconds. Refresh (`TokenRefreshSerializer` / `RefreshToken.access_token`):
//! the new access token is `{token_type, exp, iat, jti}` and then every claim of the refresh
//! token but `token_type`, `exp` and `jti`, in the refresh token's order: so it keeps the
//! login's `iat`, `user_id`, `roles` and `ip_address` (and any other claim). Its `exp` is
//! the refresh's second plus the access lifetime, so `exp - iat` is the lifetime plus the
//! refresh token's age (62 s for a 2 s old token), and exactly the lifetime only when the
//! refresh token has no `iat`; the same for a known, an inactive or an unknown user
//! (`tests/captures/gunicorn.json`). A rotated
//! refresh token is the old one with a new `jti`, `exp` and `iat` in place (key order kept;
//! an absent `iat` goes last).
//!
//! # Decisions where the document and the library are silent, or where gatehouse deviates
//!
//! - Refresh does not look at the user: 5.3.1's `TokenRefreshSerializer` does not either, so
//!   a refresh token keeps refreshing for a user deactivated or removed since, until it
//!   expires or is blacklisted. Its access tokens never open proxied traffic for such a user
//!   (the proxy checks the store). Verify likewise looks only at the token.
//! - Users without an id cannot log in here (`user_id` is required): the failed-login 401.
//!   `issue_access` refuses them with an error.
//! - The blacklist and the outstanding tokens live in the state store (`store.rs`: the
//!   embedded file, or Redis shared by replicas), keyed by `jti` as the library's tables
//!   are (a crafted token reusing a blacklisted `jti` is refused too), each entry until its
//!   token expires. A non-string `jti` is keyed by its Python `str()` for numbers and
//!   booleans, by its JSON text otherwise. Refresh or blacklist of a token without `jti`,
//!   and blacklisting a `null` `jti`, get Django's 500 page, as the library crashes there;
//!   so does a store that does not answer (Django's database error): a blacklisting is
//!   answered `{}` only once the store acknowledged it.
//! - Revocations (`/revocations`, `gatehouse revoke`) are gatehouse's addition: after the
//!   library's checks, a revoked token, or one of a revoked user issued at or before the
//!   revocation, is refused as blacklisted, at refresh, verify and blacklist alike.
//! - `ip_address` is the client's address as gatehouse sees it (the peer, or what a
//!   configured trusted proxy reports in `X-Forwarded-For`), never an untrusted header.
//! - The token policy shared by every dialect (DESIGN "Token validation policy") is kept:
//!   an `aud` claim, a `crit` header, `alg` other than the key's, and tokens over
//!   `max_token_bytes` are "Token is invalid or expired" (the library ignores `aud` and
//!   `crit`). Like PyJWT, the signature is read leniently (padding, `+`/`/`, unused bits,
//!   stray characters skipped); header and payload segments must be canonical base64url.
//!   A fractional `nbf` less than a second ahead may be refused (PyJWT truncates it).
//! - Token payloads are serde_json's: non-ASCII is written as UTF-8 where PyJWT writes
//!   `\uXXXX`, and integers beyond 64 bits become floats; the decoded claims are the same.
//!   Payloads with duplicate keys (Python keeps the last) or `NaN`/`Infinity` (only
//!   Python's parser takes them) are invalid.
//! - `language` is Django's `LANGUAGE_CODE` without `LocaleMiddleware`, as in the reference
//!   project: `Accept-Language` is ignored. `Accept: text/html` gets the JSON answer, not
//!   DRF's browsable-API page.
//! - Too many failed logins (DESIGN "Rate limits"): DRF's throttled answer, 429
//!   `{"detail":"Request was throttled. Expected available in N seconds."}` (`1 second.`;
//!   Russian:
//!   `Запрос был проигнорирован.` and the rest in English, as DRF 3.15.2's catalogue has it)
//!   with `Retry-After`. It applies at the password check, after the body was read.
//! - A body over `[dialects] max_body_bytes` (a `Content-Length` over it is refused before
//!   anything is read, a chunked body once it passes it): Django's `Bad Request (400)` page,
//!   what the real stack answers when request data passes DATA_UPLOAD_MAX_MEMORY_SIZE
//!   (2.5 MB; captured for a multipart field). The library itself takes JSON and form bodies
//!   of any size (DRF reads them as a stream, past Django's check), so the limit is
//!   gatehouse's. Under gunicorn a chunked body is never read (no `CONTENT_LENGTH`: DRF sees
//!   no data); gatehouse reads and parses it.

use std::borrow::Cow;
use std::net::IpAddr;
use std::time::{Duration, SystemTime};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use http::header::{HeaderValue, WWW_AUTHENTICATE};
use serde_json::{Map, Value};

use super::django::{
    detail, django42, drf, non_field_error, one_char_field, post_data, push_json_string, py_strip,
    server_error, strings_body, throttled, two_char_fields, Texts,
};
use super::{DialectContext, DialectRequest, Language, LoginFailure, Lookup};
use crate::keys::{Key, KeyError, KeyRing};
use crate::respond::LocalResponse;
use crate::revocations::RevocationRefusal;
use crate::store::{OutstandingToken, StoreError};
use crate::users::{User, UserKey};
use crate::verifier::jwt::{decode_with_policy, unix_seconds, TokenError};

mod settings;
pub use settings::REGISTRATION;

#[derive(Clone, Debug)]
pub struct Settings {
    pub token_path: String,
    pub refresh_path: String,
    pub verify_path: String,
    pub blacklist_path: String,
    pub keys: KeyRing,
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

/// Obtain, refresh, verify and blacklist: all four of the shared actions.
pub use super::Action;

// === messages ===

/// simplejwt's own messages (its `ru_RU` catalogue, as served under `LANGUAGE_CODE = "ru"`).
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

    /// DRF's `Throttled` detail: DRF 3.15.2's Russian catalogue translates only the first
    /// sentence.
    fn throttled(self, wait: u64) -> String {
        let first = match self.0 {
            Language::Ru => "Запрос был проигнорирован.",
            Language::En => "Request was throttled.",
        };
        let unit = if wait == 1 { "second" } else { "seconds" };
        format!("{first} Expected available in {wait} {unit}.")
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
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Refused {
    Token(TokenProblem),
    ServerError,
    /// The user database did not answer: the server error, as a 503.
    UsersUnavailable,
}

impl From<TokenProblem> for Refused {
    fn from(problem: TokenProblem) -> Self {
        Refused::Token(problem)
    }
}

// === responses ===

/// A 401: Django puts `WWW-Authenticate` right after `Content-Type`.
fn unauthorized(mut response: LocalResponse) -> LocalResponse {
    let at = response.headers.len().min(1);
    response.headers.insert(
        at,
        (
            WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"api\""),
        ),
    );
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
        Refused::UsersUnavailable => server_error().unavailable(),
    }
}

/// A body over the size limit: Django 4.2's `Bad Request (400)` page, Django's refusal of
/// too much request data (`RequestDataTooBig`), the same in every language.
pub fn too_large(_language: Language) -> LocalResponse {
    django42(super::django::too_large())
}

const OPTIONS_OBTAIN: &str = r#"{"name":"Token Obtain Pair","description":"Takes a set of user credentials and returns an access and refresh JSON web\ntoken pair to prove the authentication of those credentials.","renders":["application/json","text/html"],"parses":["application/json","application/x-www-form-urlencoded","multipart/form-data"],"actions":{"POST":{"email":{"type":"string","required":true,"read_only":false,"label":"Email"},"password":{"type":"string","required":true,"read_only":false,"label":"Password"}}}}"#;
const OPTIONS_REFRESH: &str = r#"{"name":"Token Refresh","description":"Takes a refresh type JSON web token and returns an access type JSON web\ntoken if the refresh token is valid.","renders":["application/json","text/html"],"parses":["application/json","application/x-www-form-urlencoded","multipart/form-data"],"actions":{"POST":{"refresh":{"type":"string","required":true,"read_only":false,"label":"Refresh"},"access":{"type":"string","required":false,"read_only":true,"label":"Access"}}}}"#;
const OPTIONS_VERIFY: &str = r#"{"name":"Token Verify","description":"Takes a token and indicates if it is valid.  This view provides no\ninformation about a token's fitness for a particular use.","renders":["application/json","text/html"],"parses":["application/json","application/x-www-form-urlencoded","multipart/form-data"],"actions":{"POST":{"token":{"type":"string","required":true,"read_only":false,"label":"Token"}}}}"#;
const OPTIONS_BLACKLIST: &str = r#"{"name":"Token Blacklist","description":"Takes a token and blacklists it. Must be used with the\n`rest_framework_simplejwt.token_blacklist` app installed.","renders":["application/json","text/html"],"parses":["application/json","application/x-www-form-urlencoded","multipart/form-data"],"actions":{"POST":{"refresh":{"type":"string","required":true,"read_only":false,"label":"Refresh"}}}}"#;

// === tokens ===

/// `uuid.uuid4().hex`: 32 lowercase hex digits with UUID 4's version and variant bits.
fn uuid4_hex() -> String {
    let mut bits = rand::random::<u128>();
    bits = (bits & !(0xf << 76)) | (0x4 << 76);
    bits = (bits & !(0x3 << 62)) | (0x2 << 62);
    format!("{bits:032x}")
}

/// A new token's first four claims, as `Token.__init__` sets them.
fn fresh_claims(token_type: &str, lifetime: Duration, now: u64) -> Map<String, Value> {
    let mut claims = Map::new();
    claims.insert("token_type".into(), token_type.into());
    claims.insert("exp".into(), now.saturating_add(lifetime.as_secs()).into());
    claims.insert("iat".into(), now.into());
    claims.insert("jti".into(), uuid4_hex().into());
    claims
}

/// The refresh and access claims of a login (`RefreshToken.for_user` plus the project's
/// `roles` and `ip_address`, then `refresh.access_token`).
fn login_claims(
    settings: &Settings,
    user: &User,
    user_id: i64,
    client_ip: IpAddr,
    now: u64,
) -> (Map<String, Value>, Map<String, Value>) {
    let mut refresh = fresh_claims("refresh", settings.refresh_lifetime, now);
    refresh.insert("user_id".into(), user_id.into());
    refresh.insert("roles".into(), user.roles.clone().into());
    refresh.insert("ip_address".into(), client_ip.to_string().into());
    let access = access_from(settings, &refresh, now);
    (refresh, access)
}

/// `RefreshToken.access_token`: a new access token carrying every claim of `refresh` but
/// `token_type`, `exp` and `jti` (its `iat` included), in the refresh token's order.
fn access_from(settings: &Settings, refresh: &Map<String, Value>, now: u64) -> Map<String, Value> {
    let mut access = fresh_claims("access", settings.access_lifetime, now);
    for (name, value) in refresh {
        if !matches!(name.as_str(), "token_type" | "exp" | "jti") {
            access.insert(name.clone(), value.clone());
        }
    }
    access
}

fn header(key: &Key) -> String {
    key.typ_alg_header()
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
        .keys
        .sign_with_layout(header(settings.keys.signing()), &access)
}

/// Python's `base64.urlsafe_b64decode` after PyJWT's padding (`binascii.a2b_base64`,
/// non-strict): characters outside the alphabet are skipped, `+`/`/` count like `-`/`_`,
/// a complete pad sequence ends the input, the unused bits of the last character are
/// ignored. `None` where Python raises.
fn python_b64url_decode(segment: &[u8]) -> Option<Vec<u8>> {
    let padding = (4 - segment.len() % 4) % 4;
    let input = segment.iter().chain(std::iter::repeat_n(&b'=', padding));
    let mut out = Vec::with_capacity(segment.len() * 3 / 4);
    let (mut quad_pos, mut pads, mut left) = (0u8, 0u8, 0u8);
    for &c in input {
        if c == b'=' {
            if quad_pos >= 2 {
                pads += 1;
                if quad_pos + pads >= 4 {
                    return Some(out);
                }
            }
            continue;
        }
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            _ => continue,
        };
        pads = 0;
        match quad_pos {
            0 => {
                left = v;
                quad_pos = 1;
            }
            1 => {
                out.push((left << 2) | (v >> 4));
                left = v & 0x0f;
                quad_pos = 2;
            }
            2 => {
                out.push((left << 4) | (v >> 2));
                left = v & 0x03;
                quad_pos = 3;
            }
            _ => {
                out.push((left << 6) | v);
                quad_pos = 0;
            }
        }
    }
    (quad_pos == 0).then_some(out)
}

/// The token with its signature segment read as PyJWT reads it and written canonically,
/// so the strict decoder sees the same signature bytes. `None` when PyJWT would fail on it.
fn python_signature(token: &str) -> Option<Cow<'_, str>> {
    let (signing_input, signature) = token.rsplit_once('.')?;
    let canonical = URL_SAFE_NO_PAD.encode(python_b64url_decode(signature.as_bytes())?);
    Some(if canonical == signature {
        Cow::Borrowed(token)
    } else {
        Cow::Owned(format!("{signing_input}.{canonical}"))
    })
}

/// The payload of a token whose signature has been verified.
fn verified_payload(token: &str) -> Option<Map<String, Value>> {
    let payload = token.split('.').nth(1)?;
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()
}

/// How Python's `int()` fails.
enum PyIntError {
    /// `ValueError`: PyJWT turns it into an invalid token.
    Value,
    /// `TypeError` (`None`, lists, dicts): nobody catches it, Django answers 500.
    Type,
}

/// Python's `int(value)` for a JSON value, saturated to `i128`.
fn py_int(value: &Value) -> Result<i128, PyIntError> {
    match value {
        Value::Bool(b) => Ok(i128::from(*b)),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Ok(i128::from(i))
            } else if let Some(u) = n.as_u64() {
                Ok(i128::from(u))
            } else {
                // Finite: serde_json has no NaN or infinity. `as` saturates.
                Ok(n.as_f64().map_or(0, |f| f.trunc() as i128))
            }
        }
        Value::String(s) => py_int_str(s).ok_or(PyIntError::Value),
        Value::Null | Value::Array(_) | Value::Object(_) => Err(PyIntError::Type),
    }
}

/// `int(str)`: surrounding whitespace, a sign, ASCII digits with single underscores
/// between them.
fn py_int_str(s: &str) -> Option<i128> {
    let s = py_strip(s);
    let (negative, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() || digits.starts_with('_') || digits.ends_with('_') {
        return None;
    }
    let mut n: i128 = 0;
    let mut previous_underscore = false;
    for c in digits.bytes() {
        match c {
            b'_' if !previous_underscore => previous_underscore = true,
            b'0'..=b'9' => {
                previous_underscore = false;
                n = n.saturating_mul(10).saturating_add(i128::from(c - b'0'));
            }
            _ => return None,
        }
    }
    Some(if negative { -n } else { n })
}

/// The largest timestamp Python's `datetime.fromtimestamp` takes (9999-12-31T23:59:59Z).
const PY_MAX_TIMESTAMP: f64 = 253_402_300_799.0;

/// simplejwt's `datetime_from_epoch(exp)`: numbers (and booleans) only, within `datetime`'s
/// range; anything else crashes the view.
fn py_timestamp(value: &Value) -> Result<f64, Refused> {
    let seconds = match value {
        Value::Bool(b) => f64::from(u8::from(*b)),
        Value::Number(n) => n.as_f64().ok_or(Refused::ServerError)?,
        _ => return Err(Refused::ServerError),
    };
    if seconds.is_finite() && seconds < PY_MAX_TIMESTAMP + 1.0 {
        Ok(seconds)
    } else {
        Err(Refused::ServerError)
    }
}

/// The blacklist's key for a `jti` claim: Django compares the column with `str()` of the
/// value; `None` matches nothing.
fn jti_key(jti: &Value) -> Option<String> {
    match jti {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Bool(true) => Some("True".into()),
        Value::Bool(false) => Some("False".into()),
        other => Some(other.to_string()),
    }
}

/// The token class the endpoint builds: `RefreshToken` (blacklist-aware, typed) or
/// `UntypedToken` (verify).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Refresh,
    Untyped,
}

/// The current time as the library sees it: PyJWT's whole seconds and simplejwt's
/// `aware_utcnow()` (microseconds).
#[derive(Clone, Copy)]
struct Now {
    secs: u64,
    exact: f64,
}

impl Now {
    fn of(request: &DialectRequest<'_>) -> Self {
        let exact = request
            .now
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.as_secs_f64())
            .unwrap_or(0.0);
        Self {
            secs: request.unix_now(),
            exact,
        }
    }
}

/// `Token.__init__(token)` for the endpoint's token class: the claims, or the library's
/// refusal.
async fn check(
    settings: &Settings,
    token: &str,
    kind: Kind,
    now: Now,
    ctx: &DialectContext<'_>,
) -> Result<Map<String, Value>, Refused> {
    let token = python_signature(token).ok_or(TokenProblem::Invalid)?;
    match decode_with_policy(
        &token,
        &settings.keys,
        settings.leeway_secs,
        settings.max_token_bytes,
    ) {
        Ok(claims) => {
            library_checks(settings, &claims, kind, now, ctx).await?;
            not_revoked(&claims, ctx).await?;
            Ok(claims)
        }
        // The signature is good but a time claim is missing, not a u64, expired or not yet
        // valid: the library's own reading of the claims decides how it is refused (it may
        // crash or name `exp`); the policy refuses it in any case.
        Err(TokenError::Expired | TokenError::NotYetValid | TokenError::Claim(_)) => {
            let claims = verified_payload(&token).ok_or(TokenProblem::Invalid)?;
            library_checks(settings, &claims, kind, now, ctx).await?;
            Err(TokenProblem::Invalid.into())
        }
        Err(_) => Err(TokenProblem::Invalid.into()),
    }
}

/// PyJWT 2.4's claim validation and simplejwt's `Token.verify` (preceded by
/// `BlacklistMixin.check_blacklist` for refresh tokens), in their order.
async fn library_checks(
    settings: &Settings,
    claims: &Map<String, Value>,
    kind: Kind,
    now: Now,
    ctx: &DialectContext<'_>,
) -> Result<(), Refused> {
    let leeway = i128::from(settings.leeway_secs);
    let secs = i128::from(now.secs);
    let int = |name: &str| -> Result<Option<i128>, Refused> {
        claims
            .get(name)
            .map(|value| {
                py_int(value).map_err(|e| match e {
                    PyIntError::Value => Refused::Token(TokenProblem::Invalid),
                    PyIntError::Type => Refused::ServerError,
                })
            })
            .transpose()
    };
    int("iat")?;
    if int("nbf")?.is_some_and(|nbf| nbf > secs + leeway) {
        return Err(TokenProblem::Invalid.into());
    }
    if int("exp")?.is_some_and(|exp| exp < secs - leeway) {
        return Err(TokenProblem::Invalid.into());
    }
    if kind == Kind::Refresh {
        let jti = claims.get("jti").ok_or(Refused::ServerError)?;
        if let Some(key) = jti_key(jti) {
            // The database being down is Django's 500, never a pass.
            if ctx
                .store
                .is_blacklisted(&key)
                .await
                .map_err(|_| Refused::ServerError)?
            {
                return Err(TokenProblem::Blacklisted.into());
            }
        }
    }
    let exp = py_timestamp(claims.get("exp").ok_or(TokenProblem::NoExp)?)?;
    if exp <= now.exact - settings.leeway_secs as f64 {
        return Err(TokenProblem::ExpIsNow.into());
    }
    if !claims.contains_key("jti") {
        return Err(TokenProblem::NoId.into());
    }
    if kind == Kind::Refresh {
        match claims.get("token_type") {
            None => return Err(TokenProblem::NoType.into()),
            Some(Value::String(t)) if t == "refresh" => {}
            Some(_) => return Err(TokenProblem::WrongType.into()),
        }
    }
    Ok(())
}

/// Revocations (`/revocations`, `gatehouse revoke`): gatehouse's addition, after the
/// library's own checks. A revoked token is refused as a blacklisted one; a store that
/// cannot say is Django's 500.
async fn not_revoked(claims: &Map<String, Value>, ctx: &DialectContext<'_>) -> Result<(), Refused> {
    let jti = claims.get("jti").and_then(Value::as_str);
    let user = match claims.get("user_id").and_then(Value::as_i64) {
        Some(id) => ctx
            .users
            .find(UserKey::Id(id))
            .await
            .map_err(|_| Refused::UsersUnavailable)?
            .map(|found| found.user),
        None => None,
    };
    let issued_at = claims.get("iat").and_then(unix_seconds);
    match ctx.revocation(jti, user.as_deref(), issued_at) {
        Ok(()) => Ok(()),
        Err(RevocationRefusal::Revoked) => Err(TokenProblem::Blacklisted.into()),
        Err(RevocationRefusal::Unavailable) => Err(Refused::ServerError),
    }
}

/// `BlacklistMixin.blacklist()`: a `null` `jti` violates the table's constraint; so does a
/// database that does not acknowledge the write (Django's 500, never `{}`).
async fn blacklist(claims: &Map<String, Value>, ctx: &DialectContext<'_>) -> Result<(), Refused> {
    let key = claims
        .get("jti")
        .and_then(jti_key)
        .ok_or(Refused::ServerError)?;
    let expires_at = claims.get("exp").and_then(unix_seconds).unwrap_or(u64::MAX);
    ctx.store
        .blacklist(&key, expires_at)
        .await
        .map_err(|_| Refused::ServerError)
}

/// `RefreshToken.for_user` with the blacklist app: every refresh token issued is recorded
/// as outstanding.
async fn outstand(claims: &Map<String, Value>, ctx: &DialectContext<'_>) -> Result<(), StoreError> {
    let jti = claims.get("jti").and_then(jti_key).unwrap_or_default();
    ctx.store
        .outstand(OutstandingToken {
            jti,
            user_id: claims.get("user_id").map(|id| id.to_string()),
            created_at: claims.get("iat").and_then(unix_seconds).unwrap_or(0),
            expires_at: claims.get("exp").and_then(unix_seconds).unwrap_or(u64::MAX),
        })
        .await
}

// === views ===

pub async fn answer(
    settings: &Settings,
    action: Action,
    request: &DialectRequest<'_>,
    ctx: &DialectContext<'_>,
) -> LocalResponse {
    django42(view(settings, action, request, ctx).await)
}

async fn view(
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
    let now = Now::of(request);
    match action {
        Action::Obtain => {
            let (email, password) = match two_char_fields(fields, ["email", "password"], texts) {
                Ok(pair) => pair,
                Err(response) => return response,
            };
            obtain(settings, messages, email, password, request, ctx).await
        }
        Action::Verify => {
            let token = match one_char_field(fields, "token", texts) {
                Ok(token) => token,
                Err(response) => return response,
            };
            let claims = match check(settings, &token, Kind::Untyped, now, ctx).await {
                Ok(claims) => claims,
                Err(refusal) => return refused(messages, refusal),
            };
            // With BLACKLIST_AFTER_ROTATION the serializer also looks the jti up, and says
            // so in English whatever the language.
            if settings.blacklist_after_rotation {
                if let Some(key) = claims.get("jti").and_then(jti_key) {
                    match ctx.store.is_blacklisted(&key).await {
                        Ok(false) => {}
                        Ok(true) => return non_field_error("Token is blacklisted"),
                        Err(_) => return server_error(),
                    }
                }
            }
            drf(200, "{}".to_owned())
        }
        Action::Refresh | Action::Blacklist => {
            let token = match one_char_field(fields, "refresh", texts) {
                Ok(token) => token,
                Err(response) => return response,
            };
            let claims = match check(settings, &token, Kind::Refresh, now, ctx).await {
                Ok(claims) => claims,
                Err(refusal) => return refused(messages, refusal),
            };
            if action == Action::Blacklist {
                return match blacklist(&claims, ctx).await {
                    Ok(()) => drf(200, "{}".to_owned()),
                    Err(refusal) => refused(messages, refusal),
                };
            }
            refresh(settings, messages, claims, now.secs, ctx).await
        }
    }
}

/// `TokenObtainPairSerializer.validate`.
async fn obtain(
    settings: &Settings,
    messages: Messages,
    email: String,
    password: String,
    request: &DialectRequest<'_>,
    ctx: &DialectContext<'_>,
) -> LocalResponse {
    let failed = || unauthorized(detail(401, messages.no_active_account()));
    let user = match ctx
        .check_password(Lookup::Email(email), password.into_bytes())
        .await
    {
        Ok(user) => user,
        Err(LoginFailure::Invalid(_)) => return failed(),
        Err(LoginFailure::Busy) => return server_error(),
        Err(LoginFailure::Unavailable) => return server_error().unavailable(),
        Err(LoginFailure::Limited { retry_after_secs }) => {
            return throttled(&messages.throttled(retry_after_secs), retry_after_secs)
        }
    };
    let Some(user_id) = user.id else {
        return failed();
    };
    let (refresh, access) = login_claims(
        settings,
        &user,
        user_id,
        request.client_ip,
        request.unix_now(),
    );
    if outstand(&refresh, ctx).await.is_err() {
        return server_error();
    }
    let refresh = ctx
        .sign(&settings.keys, header(settings.keys.signing()), refresh)
        .await;
    let access = ctx
        .sign(&settings.keys, header(settings.keys.signing()), access)
        .await;
    match (refresh, access) {
        (Ok(refresh), Ok(access)) => strings_body(&[("refresh", &refresh), ("access", &access)]),
        _ => server_error(),
    }
}

/// `TokenRefreshSerializer.validate`.
async fn refresh(
    settings: &Settings,
    messages: Messages,
    claims: Map<String, Value>,
    now: u64,
    ctx: &DialectContext<'_>,
) -> LocalResponse {
    let access = access_from(settings, &claims, now);
    let Ok(access) = ctx
        .sign(&settings.keys, header(settings.keys.signing()), access)
        .await
    else {
        return server_error();
    };
    if !settings.rotate_refresh_tokens {
        return strings_body(&[("access", &access)]);
    }
    if settings.blacklist_after_rotation {
        if let Err(refusal) = blacklist(&claims, ctx).await {
            return refused(messages, refusal);
        }
    }
    // set_jti(), set_exp(), set_iat(): replaced in place, appended when absent.
    let mut rotated = claims;
    rotated.insert("jti".into(), uuid4_hex().into());
    rotated.insert(
        "exp".into(),
        now.saturating_add(settings.refresh_lifetime.as_secs())
            .into(),
    );
    rotated.insert("iat".into(), now.into());
    if outstand(&rotated, ctx).await.is_err() {
        return server_error();
    }
    match ctx
        .sign(&settings.keys, header(settings.keys.signing()), rotated)
        .await
    {
        Ok(rotated) => strings_body(&[("access", &access), ("refresh", &rotated)]),
        Err(_) => server_error(),
    }
}

#[cfg(test)]
mod tests;
