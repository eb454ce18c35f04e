//! Finding the credential a proxied request presents. Parsing only: nothing here
//! verifies anything, and nothing here copies a secret.
//!
//! Where credentials are looked for, first match wins:
//! 1. `Authorization` (`Bearer` or `Basic`, scheme case-insensitive);
//! 2. the username/password header pair (default `User-Name` / `Password`, seed 004);
//! 3. the token header (e.g. `X-Auth-Token`), when configured;
//! 4. the token cookie, when configured.
//!
//! Decisions:
//! - A credential of a disabled kind is refused (401), not skipped: a client that sends
//!   `Authorization: Basic` to a Bearer-only deployment learns why it is refused.
//! - More than one `Authorization` header, or more than one value of either header of
//!   the pair, is refused: two proxies in a chain could each pick a different one.
//! - Half a header pair is refused with a message naming the missing header.
//! - Basic credentials stay base64 in [`Presented`], which is what the verifier's cache
//!   is keyed on. Their parts are decoded once per request, by
//!   [`Presented::password_parts`], for the rate limiter's username and, on a cache
//!   miss, the password check.

use std::borrow::Cow;
use std::fmt;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use http::header::{HeaderMap, HeaderName, AUTHORIZATION, COOKIE};

use crate::identity::AuthMethod;

/// Which credential kinds a deployment accepts, and under which names.
#[derive(Clone, Debug)]
pub struct CredentialRules {
    pub bearer: bool,
    pub basic: bool,
    pub header_pair: bool,
    pub username_header: HeaderName,
    pub password_header: HeaderName,
    pub token_header: Option<HeaderName>,
    pub cookie: Option<String>,
    /// Tokens longer than this are refused before any parsing.
    pub max_token_bytes: usize,
}

/// Where a credential was found; also the `credential` label in metrics.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CredentialKind {
    Bearer,
    Basic,
    HeaderPair,
    TokenHeader,
    Cookie,
}

impl CredentialKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CredentialKind::Bearer => "bearer",
            CredentialKind::Basic => "basic",
            CredentialKind::HeaderPair => "header_pair",
            CredentialKind::TokenHeader => "token_header",
            CredentialKind::Cookie => "cookie",
        }
    }

    pub fn method(self) -> AuthMethod {
        match self {
            CredentialKind::Basic => AuthMethod::Basic,
            CredentialKind::HeaderPair => AuthMethod::Header,
            CredentialKind::Bearer | CredentialKind::TokenHeader | CredentialKind::Cookie => {
                AuthMethod::Bearer
            }
        }
    }
}

/// A credential as presented, borrowed from the request headers.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Presented<'a> {
    /// A JWT, from `Authorization: Bearer`, the token header or the cookie.
    Token {
        kind: CredentialKind,
        token: &'a str,
    },
    /// The base64 part of `Authorization: Basic`.
    Basic { encoded: &'a str },
    HeaderPair {
        username: &'a [u8],
        password: &'a [u8],
    },
}

impl Presented<'_> {
    pub fn kind(&self) -> CredentialKind {
        match self {
            Presented::Token { kind, .. } => *kind,
            Presented::Basic { .. } => CredentialKind::Basic,
            Presented::HeaderPair { .. } => CredentialKind::HeaderPair,
        }
    }
}

impl<'a> Presented<'a> {
    /// The username and password of a password credential (`None` for a token). Decodes
    /// Basic: call it once per request and hand the result on.
    pub fn password_parts(&self) -> Option<Result<PasswordParts<'a>, CredentialError>> {
        match *self {
            Presented::Token { .. } => None,
            Presented::Basic { encoded } => Some(decode_basic(encoded).map(
                |(username, password)| PasswordParts {
                    username: Cow::Owned(username.into_bytes()),
                    password: Cow::Owned(password),
                },
            )),
            Presented::HeaderPair { username, password } => Some(Ok(PasswordParts {
                username: Cow::Borrowed(username),
                password: Cow::Borrowed(password),
            })),
        }
    }
}

/// A password credential's two parts: borrowed from the header pair, decoded from Basic.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordParts<'a> {
    pub username: Cow<'a, [u8]>,
    pub password: Cow<'a, [u8]>,
}

/// Never shows the password.
impl fmt::Debug for PasswordParts<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PasswordParts")
            .field("username", &String::from_utf8_lossy(&self.username))
            .field("password", &"<redacted>")
            .finish()
    }
}

/// Never shows the secret parts.
impl fmt::Debug for Presented<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Presented({}, <redacted>)", self.kind().as_str())
    }
}

/// Why the presented credential could not even be read. Messages name the header.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CredentialError {
    #[error("more than one `{0}` header")]
    Repeated(String),
    #[error("`{0}` header is not valid text")]
    NotText(String),
    #[error("unsupported authorization scheme (expected {0})")]
    UnsupportedScheme(&'static str),
    #[error("{0} credentials are not accepted here")]
    Disabled(&'static str),
    #[error("`Authorization` header has an empty {0} credential")]
    Empty(&'static str),
    #[error("Basic credentials are not valid base64 of `user:password`")]
    MalformedBasic,
    #[error("`{present}` header given without `{missing}`")]
    HalfPair { present: String, missing: String },
    #[error("token is longer than {0} bytes")]
    TokenTooLong(usize),
    #[error("token is not a JWT (three base64url parts)")]
    NotAJwt,
}

impl CredentialRules {
    /// The schemes a 401 should offer, for error messages.
    fn schemes(&self) -> &'static str {
        match (self.bearer, self.basic) {
            (true, true) => "Bearer or Basic",
            (true, false) => "Bearer",
            (false, true) => "Basic",
            (false, false) => "no Authorization scheme",
        }
    }

    /// Finds the request's credential, if any.
    pub fn extract<'a>(
        &self,
        headers: &'a HeaderMap,
    ) -> Result<Option<Presented<'a>>, CredentialError> {
        if let Some(value) = single(headers, &AUTHORIZATION)? {
            return self.authorization(value).map(Some);
        }
        if self.header_pair {
            let username = single(headers, &self.username_header)?;
            let password = single(headers, &self.password_header)?;
            match (username, password) {
                (Some(username), Some(password)) => {
                    return Ok(Some(Presented::HeaderPair {
                        username: username.as_bytes(),
                        password: password.as_bytes(),
                    }))
                }
                (Some(_), None) => {
                    return Err(CredentialError::HalfPair {
                        present: canonical(&self.username_header),
                        missing: canonical(&self.password_header),
                    })
                }
                (None, Some(_)) => {
                    return Err(CredentialError::HalfPair {
                        present: canonical(&self.password_header),
                        missing: canonical(&self.username_header),
                    })
                }
                (None, None) => {}
            }
        }
        if let Some(name) = &self.token_header {
            if let Some(value) = single(headers, name)? {
                let token = text(value, name.as_str())?;
                return self
                    .token(CredentialKind::TokenHeader, token.trim())
                    .map(Some);
            }
        }
        if let Some(cookie) = &self.cookie {
            if let Some(token) = find_cookie(headers, cookie) {
                return self.token(CredentialKind::Cookie, token).map(Some);
            }
        }
        Ok(None)
    }

    fn authorization<'a>(
        &self,
        value: &'a http::HeaderValue,
    ) -> Result<Presented<'a>, CredentialError> {
        let value = text(value, "Authorization")?;
        let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
        let rest = rest.trim();
        if scheme.eq_ignore_ascii_case("bearer") {
            if !self.bearer {
                return Err(CredentialError::Disabled("Bearer"));
            }
            if rest.is_empty() {
                return Err(CredentialError::Empty("Bearer"));
            }
            self.token(CredentialKind::Bearer, rest)
        } else if scheme.eq_ignore_ascii_case("basic") {
            if !self.basic {
                return Err(CredentialError::Disabled("Basic"));
            }
            if rest.is_empty() {
                return Err(CredentialError::Empty("Basic"));
            }
            Ok(Presented::Basic { encoded: rest })
        } else {
            Err(CredentialError::UnsupportedScheme(self.schemes()))
        }
    }

    fn token<'a>(
        &self,
        kind: CredentialKind,
        token: &'a str,
    ) -> Result<Presented<'a>, CredentialError> {
        if token.len() > self.max_token_bytes {
            return Err(CredentialError::TokenTooLong(self.max_token_bytes));
        }
        if !looks_like_jwt(token) {
            return Err(CredentialError::NotAJwt);
        }
        Ok(Presented::Token { kind, token })
    }
}

/// Decodes `Authorization: Basic` into (username, password). The username is everything
/// before the first `:` (RFC 7617), so passwords may contain colons.
pub fn decode_basic(encoded: &str) -> Result<(String, Vec<u8>), CredentialError> {
    let decoded = STANDARD
        .decode(encoded.as_bytes())
        .map_err(|_| CredentialError::MalformedBasic)?;
    let colon = decoded
        .iter()
        .position(|b| *b == b':')
        .ok_or(CredentialError::MalformedBasic)?;
    let username =
        std::str::from_utf8(&decoded[..colon]).map_err(|_| CredentialError::MalformedBasic)?;
    Ok((username.to_owned(), decoded[colon + 1..].to_vec()))
}

/// The only value of `name`, refusing repeats.
fn single<'a>(
    headers: &'a HeaderMap,
    name: &HeaderName,
) -> Result<Option<&'a http::HeaderValue>, CredentialError> {
    let mut values = headers.get_all(name).iter();
    let first = values.next();
    if values.next().is_some() {
        return Err(CredentialError::Repeated(canonical(name)));
    }
    Ok(first)
}

fn text<'a>(value: &'a http::HeaderValue, name: &str) -> Result<&'a str, CredentialError> {
    value
        .to_str()
        .map_err(|_| CredentialError::NotText(name.to_owned()))
}

/// Header names as people write them (`user-name` -> `User-Name`), for messages.
fn canonical(name: &HeaderName) -> String {
    name.as_str()
        .split('-')
        .map(|part| {
            let mut chars = part.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// Three non-empty base64url segments. Cheap, and keeps garbage away from the JWT parser
/// and out of the cache.
/// Three non-empty base64url segments joined by two dots, checked in one pass over the
/// token with a byte table (it runs on every Bearer request, over a few hundred bytes).
fn looks_like_jwt(token: &str) -> bool {
    const OTHER: u8 = 0;
    const BASE64URL: u8 = 1;
    const DOT: u8 = 2;
    const CLASS: [u8; 256] = {
        let mut table = [OTHER; 256];
        let mut b = 0;
        while b < 256 {
            let c = b as u8;
            if c.is_ascii_alphanumeric() || c == b'-' || c == b'_' {
                table[b] = BASE64URL;
            }
            b += 1;
        }
        table[b'.' as usize] = DOT;
        table
    };
    let mut dots = 0;
    // Whether the current segment has a byte yet; starts false so a leading dot fails.
    let mut segment_started = false;
    for &byte in token.as_bytes() {
        match CLASS[usize::from(byte)] {
            BASE64URL => segment_started = true,
            DOT if segment_started && dots < 2 => {
                dots += 1;
                segment_started = false;
            }
            _ => return false,
        }
    }
    dots == 2 && segment_started
}

fn find_cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.trim_matches('"'))
}

#[cfg(test)]
mod tests;
