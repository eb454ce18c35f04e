//! `drf_jwt`: the original djangorestframework-jwt 1.9.0 (jpadilla) as seed 003
//! (`003_2b8baf99b8482461.txt`) describes it, answering byte for byte like the real library
//! did when it was run (Django 3.2 / DRF 3.14 / PyJWT 1.7.1, and Python 2.7 / Django 1.11 /
//! DRF 3.9.4 for the token layout; captures reproducible with `tests/captures/`, summarised
//! in its `django-dialects.template.md` §4).
//!
//! # Endpoints (all `POST`, paths configurable)
//!
//! | endpoint | request | 200 |
//! |---|---|---|
//! | `/api-token-auth/` | `username`, `password` | `{"token":"<jwt>"}` |
//! | `/api-token-refresh/` | `token` | `{"token":"<new jwt>"}`, `orig_iat` copied from the old token |
//! | `/api-token-verify/` | `token` | `{"token":"<the same token>"}` (whitespace-trimmed echo) |
//!
//! Every failure of the three endpoints is `400`, never 401, never `WWW-Authenticate`:
//! - `{"non_field_errors":["<msg>"]}` with drf-jwt's messages, always in English (the package
//!   ships no compiled translations): `Unable to login with provided credentials.` (wrong
//!   password, unknown user, other letter case, inactive user); `Signature has expired.`;
//!   `Error decoding signature.`; `Invalid payload.` (no or falsy `username` claim);
//!   `User doesn't exist.`; `User account is disabled.`; `orig_iat field is required.`
//!   (missing or falsy `orig_iat`); `Refresh has expired.` (now > `orig_iat` + window: exactly
//!   at the edge still refreshes). `Must include "username" and "password".` is unreachable,
//!   as in the library (field validation catches blanks first).
//! - field errors `{"username":[…],"password":[…]}` / `{"token":[…]}` in field order, as
//!   DRF's `CharField` produces them: missing → `This field is required.`; `""` or only
//!   whitespace → `This field may not be blank.`; `null` → `This field may not be null.`;
//!   bool, array, object (or an uploaded file) → `Not a valid string.`; a NUL character →
//!   `Null characters are not allowed.`; a lone surrogate escape → `Surrogate characters are
//!   not allowed: U+D800.` (both validators' messages when both apply). Numbers are accepted
//!   and turned into Python's `str()` of them (`123`, `1.5`, `1e+16`); values are trimmed of
//!   Python whitespace, so `"  test  "` logs in as `test`.
//! - top-level JSON that is not an object: `{"non_field_errors":["Invalid data. Expected a
//!   dictionary, but got list."]}` (`str`, `int`, `float`, `bool`); `null` → `["No data provided"]`.
//!
//! DRF framing on every answer (the three endpoints, errors included): `Content-Type:
//! application/json` (no charset), `Vary: Accept`, `Allow: POST, OPTIONS`; compact JSON
//! (`json.dumps(separators=(",",":"), ensure_ascii=False)`, U+2028/U+2029 escaped), no
//! trailing newline:
//! - other methods → `405 {"detail":"Method \"GET\" not allowed."}` (HEAD: same headers, no
//!   body); `OPTIONS` → 200 with DRF's metadata JSON, byte-identical to the captures;
//! - an `Accept` header none of whose entries matches `application/json` or `text/html`
//!   (wildcards count, `q` is ignored, an empty header matches nothing) → `406 {"detail":
//!   "Could not satisfy the request Accept header."}`, checked before the method, as DRF does;
//! - a body whose `Content-Type` matches none of `application/json`,
//!   `application/x-www-form-urlencoded`, `multipart/form-data` (DRF's matching: parameters
//!   ignored, case-insensitive, `*/*` picks JSON) → `415 {"detail":"Unsupported media type
//!   \"text/plain\" in request."}` naming the header as sent; no header at all reads as an
//!   empty one, `\"\"`, as under gunicorn (Django's runserver filled in `text/plain`); an
//!   empty body is `{}` whatever its type;
//! - malformed JSON → `400 {"detail":"JSON parse error - <Python 3's json message>"}`:
//!   `Expecting value`, `Expecting property name enclosed in double quotes`, `Expecting ':'
//!   delimiter`, `Expecting ',' delimiter`, `Unterminated string starting at`, `Invalid
//!   control character at`, `Invalid \escape`, `Invalid \uXXXX escape`, `Extra data`,
//!   `Unexpected UTF-8 BOM (decode using utf-8-sig)`, each with `: line L column C (char N)`
//!   counted in code points; `Out of range float values are not JSON compliant: 'NaN'`;
//!   `'utf-8' codec can't decode byte 0xff in position 13: invalid start byte` (byte offsets;
//!   an incomplete sequence at the very end is dropped, as Python's stream reader does); the
//!   4300-digit integer limit. Python's C scanner rules are reproduced (duplicate keys: last
//!   wins; a lone `\ud800` is kept and refused by the field validator).
//! - `Language::Ru` serves DRF 3.14's Russian catalogue for DRF's own messages (`Обязательное
//!   поле.`, `Это поле не может быть пустым.` for blank **and** null, `Недопустимые данные.
//!   Ожидался dictionary, но был получен list.`, `Метод "GET" не разрешен.`,
//!   `Неподдерживаемый тип данных "text/plain" в запросе.`, `Невозможно удовлетворить "Accept"
//!   заголовок запроса.`, `Данные содержат запрещённый символ: ноль-байт`); drf-jwt's messages,
//!   `Not a valid string.`, `No data provided`, the surrogate message and the JSON parse prefix
//!   stay English there too, as observed. `Accept-Language` is ignored (no LocaleMiddleware).
//!   `Language::En` is this dialect's default.
//!
//! # Tokens
//!
//! Header `{"alg":"HS256","typ":"JWT"}` (the key's algorithm) and claims in the order
//! `username, orig_iat, user_id, email, exp`: the layout of the document's sample token, which
//! is what drf-jwt 1.9.0 emitted under Python 2 (Python 3 emits `{"typ","alg"}` and
//! `user_id, email, username, exp, orig_iat`; the sample wins). `exp` = now + lifetime
//! (300 s by default), `orig_iat` = now (only while `allow_refresh`, JWT_ALLOW_REFRESH; without
//! it the claim is absent and the order is `username, user_id, email, exp`). No `iat`, no `jti`.
//! Refresh re-reads the user (a token carrying another user's `user_id`/`email` comes back
//! with the right ones), copies `orig_iat` unchanged and sets a fresh `exp`. Verify does not
//! look at `orig_iat`.
//!
//! # Decisions where the document and the library are silent or unusable
//!
//! - Revocations (`/revocations`, `gatehouse revoke`; gatehouse's addition): after the
//!   library's checks, refresh and verify of a revoked token, or of a token of a revoked
//!   user issued at or before the revocation (drf-jwt writes no `iat`: a token was issued
//!   `lifetime` before its `exp`), answer 401 `{"detail":"Token has been revoked."}` with
//!   `WWW-Authenticate: JWT realm="api"`, DRF's `AuthenticationFailed` shape; a state store
//!   that cannot say is Django's 500.
//! - Users without an `id` get `"user_id":null`; users without an email get `"email":""`
//!   (Django's `email` is never null, the library put `""` for such users).
//! - Inactive users: Django ≥ 1.10's default `ModelBackend` refuses them before drf-jwt sees
//!   them, so login answers `Unable to login with provided credentials.` (captured, default
//!   settings); refresh/verify of an inactive user's token answer `User account is disabled.`
//!   (drf-jwt's `_check_user`). Usernames match exactly (Django's `get_by_natural_key`).
//! - Token validation follows gatehouse's pinned policy (`decode_with_policy`): where PyJWT
//!   answered with a crash (a Django 500 page: `alg` other than the key's, `alg: none`, `nbf`
//!   in the future, an `aud` claim) or accepted what the policy refuses (no `exp`), the answer
//!   is `400 Error decoding signature.`; an expired token is `Signature has expired.` (leeway
//!   from the configuration; expired by one second is expired). A string/array/object
//!   `orig_iat`, a 500 in the library, is `Error decoding signature.` too. Non-canonical
//!   base64url in the signature's last character (unused bits set), which Python's decoder
//!   ignores, is accepted as the library did; the echo keeps the token as sent.
//! - Bodies: JSON is decoded as UTF-8 whatever `charset` says; form bodies as Django does
//!   (UTF-8, else Latin-1 for the whole body; `+` and `%XX` decoded, invalid UTF-8 in escapes
//!   replaced; last value wins); multipart as Django's parser does for ordinary forms (fields
//!   by `Content-Disposition` name; a part with a file name is an upload and so `Not a valid
//!   string.`; `Content-Transfer-Encoding` is not decoded; a missing or invalid boundary is
//!   `400 {"detail":"Multipart form parse error - Invalid boundary in multipart: None"}`).
//!   More than 1000 form or multipart fields → Django's `400` HTML page (`TooManyFieldsSent`).
//! - JSON nested deeper than 955 arrays/objects → Django's 500 HTML page, as Python's
//!   `RecursionError` gave on the reference project (measured through Django's test client;
//!   the exact depth depends on the server's stack). The parser itself never recurses.
//! - A `Content-Type` or `Accept` entry whose media type or parameter names are not ASCII
//!   matches nothing (Django raised on them: a 500 page).
//! - A body sent without `Content-Length` (chunked) is parsed; Django saw such a body as
//!   empty under runserver and gunicorn alike (no `CONTENT_LENGTH`: DRF reads no data).
//! - `Accept: text/html` (DRF's browsable API) gets the JSON answer; `indent` in `Accept` is
//!   ignored; `?format=` is ignored as it was. HEAD's 405 has `Content-Length: 0` (Django 3.2
//!   sent the stripped body's length), and the shared sender adds `Cache-Control: no-store`.
//! - Which run is copied: the token layout is Python 2.7's (the sample's); every text, JSON
//!   error message and Russian string is the Python 3.11 run's (DRF 3.14), the one that still
//!   installs. The 2.7 run (DRF 3.9.4) differed only there: `No JSON object could be decoded`,
//!   `got unicode`, lone surrogates passed through, DRF 3.9's Russian catalogue.
//! - `allow_refresh = false` only drops `orig_iat` from new tokens; the refresh path stays
//!   routed (as drf-jwt's view stays in the URLconf) and answers `orig_iat field is required.`
//!   for such tokens.
//! - The hash pool being full, or a signing failure, is Django's 500 page (`text/html`),
//!   the real server's internal-error shape.
//! - A body over `[dialects] max_body_bytes` (`too_large`; a `Content-Length` over it is
//!   refused before anything is read, a chunked body once it passes it): Django's `Bad
//!   Request (400)` page (`text/html`), what the real stack answers when request data passes
//!   DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB; captured for a multipart field). JSON and form
//!   bodies of any size reach the library there (DRF reads them as a stream), so the limit
//!   is gatehouse's.
//! - Token claims are serialized by serde (non-ASCII raw UTF-8), where PyJWT escaped
//!   non-ASCII as `\uXXXX`; byte-identical only for ASCII usernames and emails.

use std::borrow::Cow;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use serde::Serialize;
use serde_json::Value;

use super::django::{
    non_field_error, one_char_field, post_data, py_float_repr, server_error, strings_body,
    throttled, two_char_fields, PyStr, PyValue, Texts,
};
use super::{DialectContext, DialectRequest, Language, LoginFailure, Lookup, SignError};
use crate::keys::{algorithm_name, Key, KeyError, KeyRing};
use crate::respond::LocalResponse;
use crate::revocations::RevocationRefusal;
use crate::users::{User, UserKey};
use crate::verifier::jwt::{decode_with_policy, unix_seconds, TokenError};

mod settings;
pub use settings::REGISTRATION;

#[derive(Clone, Debug)]
pub struct Settings {
    pub auth_path: String,
    pub refresh_path: String,
    pub verify_path: String,
    pub keys: KeyRing,
    /// JWT_EXPIRATION_DELTA.
    pub lifetime: Duration,
    /// JWT_REFRESH_EXPIRATION_DELTA, counted from `orig_iat`.
    pub refresh_window: Duration,
    /// JWT_ALLOW_REFRESH.
    pub allow_refresh: bool,
    pub language: Language,
    pub leeway_secs: u64,
    pub max_token_bytes: usize,
}

impl Settings {
    pub const DEFAULT_AUTH_PATH: &'static str = "/api-token-auth/";
    pub const DEFAULT_REFRESH_PATH: &'static str = "/api-token-refresh/";
    pub const DEFAULT_VERIFY_PATH: &'static str = "/api-token-verify/";
    pub const DEFAULT_LIFETIME: Duration = Duration::from_secs(300);
    pub const DEFAULT_REFRESH_WINDOW: Duration = Duration::from_secs(7 * 24 * 3600);
    /// The document is English.
    pub const DEFAULT_LANGUAGE: Language = Language::En;

    pub fn routes(&self) -> Vec<(String, Action)> {
        vec![
            (self.auth_path.clone(), Action::Obtain),
            (self.refresh_path.clone(), Action::Refresh),
            (self.verify_path.clone(), Action::Verify),
        ]
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Obtain,
    Refresh,
    Verify,
}

// ---------------------------------------------------------------------------------------
// Messages
// ---------------------------------------------------------------------------------------

const UNABLE_TO_LOGIN: &str = "Unable to login with provided credentials.";
const SIGNATURE_EXPIRED: &str = "Signature has expired.";
const DECODING_ERROR: &str = "Error decoding signature.";
const INVALID_PAYLOAD: &str = "Invalid payload.";
const USER_DOES_NOT_EXIST: &str = "User doesn't exist.";
const USER_DISABLED: &str = "User account is disabled.";
const ORIG_IAT_REQUIRED: &str = "orig_iat field is required.";
const REFRESH_EXPIRED: &str = "Refresh has expired.";
/// gatehouse's own: the token, or its user, was revoked (`/revocations`).
const REVOKED: &str = "Token has been revoked.";

/// A revoked token: 401 (DESIGN: revocations are refused with 401 at every endpoint), in
/// the shape DRF gives an `AuthenticationFailed` under drf-jwt's `JWT` scheme.
fn revoked() -> LocalResponse {
    let mut response = super::django::detail(401, REVOKED);
    response.headers.insert(
        response.headers.len().min(1),
        (
            http::header::WWW_AUTHENTICATE,
            http::HeaderValue::from_static("JWT realm=\"api\""),
        ),
    );
    response
}

// ---------------------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------------------

fn token_response(token: &str) -> LocalResponse {
    strings_body(&[("token", token)])
}

/// A body over the size limit: Django 3.2's `Bad Request (400)` page (`text/html`), Django's
/// refusal of too much request data (`RequestDataTooBig`).
pub fn too_large() -> LocalResponse {
    super::django::too_large()
}

// OPTIONS bodies, byte-identical to DRF's SimpleMetadata output as captured.
const OPTIONS_OBTAIN: &str = r#"{"name":"Obtain Json Web Token","description":"API View that receives a POST with a user's username and password.\n\nReturns a JSON Web Token that can be used for authenticated requests.","renders":["application/json","text/html"],"parses":["application/json","application/x-www-form-urlencoded","multipart/form-data"],"actions":{"POST":{"username":{"type":"string","required":true,"read_only":false,"label":"Username"},"password":{"type":"string","required":true,"read_only":false,"label":"Password"}}}}"#;
const OPTIONS_REFRESH: &str = r#"{"name":"Refresh Json Web Token","description":"API View that returns a refreshed token (with new expiration) based on\nexisting token\n\nIf 'orig_iat' field (original issued-at-time) is found, will first check\nif it's within expiration window, then copy it to the new token","renders":["application/json","text/html"],"parses":["application/json","application/x-www-form-urlencoded","multipart/form-data"],"actions":{"POST":{"token":{"type":"string","required":true,"read_only":false,"label":"Token"}}}}"#;
const OPTIONS_VERIFY: &str = r#"{"name":"Verify Json Web Token","description":"API View that checks the veracity of a token, returning the token if it\nis valid.","renders":["application/json","text/html"],"parses":["application/json","application/x-www-form-urlencoded","multipart/form-data"],"actions":{"POST":{"token":{"type":"string","required":true,"read_only":false,"label":"Token"}}}}"#;

// ---------------------------------------------------------------------------------------
// Tokens
// ---------------------------------------------------------------------------------------

/// drf-jwt's payload in the Python 2 key order of the document's sample token.
#[derive(Serialize)]
struct Claims {
    username: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    orig_iat: Option<Value>,
    user_id: Option<i64>,
    email: String,
    exp: u64,
}

impl Claims {
    fn for_user(user: &User, orig_iat: Option<Value>, exp: u64) -> Self {
        Self {
            username: user.username.clone(),
            orig_iat,
            user_id: user.id,
            email: user.email.clone().unwrap_or_default(),
            exp,
        }
    }
}

/// PyJWT 1.7.1's header under Python 2: `{"alg":…,"typ":"JWT"}`.
fn header_json(key: &Key) -> String {
    format!(
        r#"{{"alg":"{}","typ":"JWT"}}"#,
        algorithm_name(key.algorithm())
    )
}

fn unix(time: SystemTime) -> u64 {
    time.duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// `timegm((utcnow() + delta).utctimetuple())`: whole seconds, rounded down.
fn expiry(now: SystemTime, lifetime: Duration) -> u64 {
    now.checked_add(lifetime).map(unix).unwrap_or(u64::MAX)
}

/// The token `/api-token-auth/` hands out, for `gatehouse token --dialect drf_jwt`.
pub fn issue(settings: &Settings, user: &User, now: u64) -> Result<String, KeyError> {
    let orig_iat = settings.allow_refresh.then(|| Value::from(now));
    let exp = now.saturating_add(settings.lifetime.as_secs());
    let claims = Claims::for_user(user, orig_iat, exp);
    settings
        .keys
        .sign_with_layout(header_json(settings.keys.signing()), &claims)
}

async fn sign(ctx: &DialectContext<'_>, settings: &Settings, claims: Claims) -> LocalResponse {
    match ctx
        .sign(&settings.keys, header_json(settings.keys.signing()), claims)
        .await
    {
        Ok(token) => token_response(&token),
        Err(SignError::Busy | SignError::Key(_)) => server_error(),
    }
}

/// Python's base64 decoder ignores the unused low bits of the last character; the Rust
/// one refuses them. Clearing them in the signature does not touch the signed input.
pub(super) fn canonical_signature(token: &str) -> Cow<'_, str> {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let Some(dot) = token.rfind('.') else {
        return Cow::Borrowed(token);
    };
    let signature = &token[dot + 1..];
    let unused_bits = match signature.len() % 4 {
        2 => 4,
        3 => 2,
        _ => return Cow::Borrowed(token),
    };
    let Some(&last) = signature.as_bytes().last() else {
        return Cow::Borrowed(token);
    };
    let Some(value) = ALPHABET.iter().position(|&c| c == last) else {
        return Cow::Borrowed(token);
    };
    let canonical = value & !((1usize << unused_bits) - 1);
    if canonical == value {
        return Cow::Borrowed(token);
    }
    let mut fixed = token[..token.len() - 1].to_owned();
    fixed.push(char::from(ALPHABET[canonical]));
    Cow::Owned(fixed)
}

/// drf-jwt's `_check_payload`.
fn check_payload(
    settings: &Settings,
    token: &str,
) -> Result<serde_json::Map<String, Value>, &'static str> {
    decode_with_policy(
        &canonical_signature(token),
        &settings.keys,
        settings.leeway_secs,
        settings.max_token_bytes,
    )
    .map_err(|error| match error {
        TokenError::Expired => SIGNATURE_EXPIRED,
        _ => DECODING_ERROR,
    })
}

/// Python truthiness of a JSON value.
fn truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

/// What Django's username lookup compares against: Python's `str()` of the claim.
fn claim_as_username(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Bool(true) => Some("True".into()),
        Value::Number(n) => Some(match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => i.to_string(),
            (_, Some(u), _) => u.to_string(),
            (_, _, Some(f)) => py_float_repr(f),
            _ => return None,
        }),
        _ => None,
    }
}

/// drf-jwt's `_check_user`. `Err(None)`: the user database did not answer.
async fn check_user(
    payload: &serde_json::Map<String, Value>,
    ctx: &DialectContext<'_>,
) -> Result<Arc<User>, Option<&'static str>> {
    let claim = payload.get("username").filter(|v| truthy(v));
    let Some(claim) = claim else {
        return Err(Some(INVALID_PAYLOAD));
    };
    let Some(name) = claim_as_username(claim) else {
        return Err(Some(USER_DOES_NOT_EXIST));
    };
    let user = match ctx.users.find(UserKey::Username(&name)).await {
        Ok(Some(found)) => found.user,
        Ok(None) => return Err(Some(USER_DOES_NOT_EXIST)),
        Err(_) => return Err(None),
    };
    if !user.active {
        return Err(Some(USER_DISABLED));
    }
    Ok(user)
}

/// The `orig_iat` checks of `RefreshJSONWebTokenSerializer.validate`.
fn check_orig_iat(
    payload: &serde_json::Map<String, Value>,
    window: Duration,
    now: u64,
) -> Result<Value, &'static str> {
    let orig_iat = match payload.get("orig_iat") {
        Some(v) if truthy(v) => v,
        _ => return Err(ORIG_IAT_REQUIRED),
    };
    // `timedelta.days * 86400 + timedelta.seconds`: whole seconds.
    let window = window.as_secs();
    let expired = match orig_iat {
        Value::Bool(_) => i128::from(now) > 1 + i128::from(window),
        Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => i128::from(now) > i128::from(i) + i128::from(window),
            (_, Some(u), _) => i128::from(now) > i128::from(u) + i128::from(window),
            (_, _, Some(f)) => (now as f64) > f + window as f64,
            _ => return Err(DECODING_ERROR),
        },
        // `orig_iat + int(limit)` raises TypeError in the library (a 500 page).
        _ => return Err(DECODING_ERROR),
    };
    if expired {
        return Err(REFRESH_EXPIRED);
    }
    Ok(orig_iat.clone())
}

// ---------------------------------------------------------------------------------------
// The views
// ---------------------------------------------------------------------------------------

pub async fn answer(
    settings: &Settings,
    action: Action,
    request: &DialectRequest<'_>,
    ctx: &DialectContext<'_>,
) -> LocalResponse {
    let texts = Texts(settings.language);
    let options = match action {
        Action::Obtain => OPTIONS_OBTAIN,
        Action::Refresh => OPTIONS_REFRESH,
        Action::Verify => OPTIONS_VERIFY,
    };
    let data = match post_data(request, texts, options) {
        Ok(data) => data,
        Err(response) => return response,
    };
    let fields = data.as_slice();
    match action {
        Action::Obtain => obtain(settings, fields, texts, request, ctx).await,
        Action::Refresh | Action::Verify => {
            let token = match one_char_field(fields, "token", texts) {
                Ok(token) => token,
                Err(response) => return response,
            };
            let payload = match check_payload(settings, &token) {
                Ok(payload) => payload,
                Err(message) => return non_field_error(message),
            };
            let user = match check_user(&payload, ctx).await {
                Ok(user) => user,
                Err(Some(message)) => return non_field_error(message),
                Err(None) => return server_error().unavailable(),
            };
            // drf-jwt tokens carry no `iat`: each was issued `lifetime` before its `exp`.
            let issued_at = payload
                .get("exp")
                .and_then(unix_seconds)
                .map(|exp| exp.saturating_sub(settings.lifetime.as_secs()));
            let jti = payload.get("jti").and_then(Value::as_str);
            match ctx.revocation(jti, Some(&user), issued_at) {
                Ok(()) => {}
                Err(RevocationRefusal::Revoked) => return revoked(),
                Err(RevocationRefusal::Unavailable) => return server_error(),
            }
            if action == Action::Verify {
                return token_response(&token);
            }
            let orig_iat =
                match check_orig_iat(&payload, settings.refresh_window, request.unix_now()) {
                    Ok(orig_iat) => orig_iat,
                    Err(message) => return non_field_error(message),
                };
            let exp = expiry(request.now, settings.lifetime);
            sign(ctx, settings, Claims::for_user(&user, Some(orig_iat), exp)).await
        }
    }
}

async fn obtain(
    settings: &Settings,
    fields: &[(PyStr, PyValue)],
    texts: Texts,
    request: &DialectRequest<'_>,
    ctx: &DialectContext<'_>,
) -> LocalResponse {
    let (username, password) = match two_char_fields(fields, ["username", "password"], texts) {
        Ok(pair) => pair,
        Err(response) => return response,
    };
    match ctx
        .check_password(Lookup::Username(username), password.into_bytes())
        .await
    {
        Ok(user) => {
            let now = request.now;
            let orig_iat = settings.allow_refresh.then(|| Value::from(unix(now)));
            let exp = expiry(now, settings.lifetime);
            sign(ctx, settings, Claims::for_user(&user, orig_iat, exp)).await
        }
        // ModelBackend refuses inactive users like unknown ones.
        Err(LoginFailure::Invalid(_)) => non_field_error(UNABLE_TO_LOGIN),
        Err(LoginFailure::Busy) => server_error(),
        Err(LoginFailure::Unavailable) => server_error().unavailable(),
        // DRF's `Throttled` answer (the library has no rate limit of its own; DESIGN
        // requires one): 429, English like the library's own messages, `Retry-After`.
        Err(LoginFailure::Limited { retry_after_secs }) => throttled(
            &format!("Request was throttled. Expected available in {retry_after_secs} seconds."),
            retry_after_secs,
        ),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests;
