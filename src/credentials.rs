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
mod tests {
    use super::*;

    const JWT: &str = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln";

    fn rules() -> CredentialRules {
        CredentialRules {
            bearer: true,
            basic: true,
            header_pair: true,
            username_header: HeaderName::from_static("user-name"),
            password_header: HeaderName::from_static("password"),
            token_header: Some(HeaderName::from_static("x-auth-token")),
            cookie: Some("gh_token".into()),
            max_token_bytes: 8192,
        }
    }

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                value.parse().unwrap(),
            );
        }
        map
    }

    #[test]
    fn finds_each_kind() {
        let r = rules();
        let h = headers(&[("authorization", &format!("bearer {JWT}"))]);
        assert_eq!(
            r.extract(&h).unwrap(),
            Some(Presented::Token {
                kind: CredentialKind::Bearer,
                token: JWT
            })
        );
        let h = headers(&[("authorization", "Basic YWRtaW46bWFzdGVya2V5")]);
        assert_eq!(
            r.extract(&h).unwrap(),
            Some(Presented::Basic {
                encoded: "YWRtaW46bWFzdGVya2V5"
            })
        );
        let h = headers(&[("User-Name", "test"), ("Password", "test")]);
        assert_eq!(
            r.extract(&h).unwrap(),
            Some(Presented::HeaderPair {
                username: b"test",
                password: b"test"
            })
        );
        let h = headers(&[("x-auth-token", JWT)]);
        assert_eq!(
            r.extract(&h).unwrap().unwrap().kind(),
            CredentialKind::TokenHeader
        );
        let h = headers(&[("cookie", &format!("a=b; gh_token={JWT}; c=d"))]);
        assert_eq!(
            r.extract(&h).unwrap(),
            Some(Presented::Token {
                kind: CredentialKind::Cookie,
                token: JWT
            })
        );
        assert_eq!(r.extract(&HeaderMap::new()).unwrap(), None);
    }

    #[test]
    fn refuses_what_it_cannot_read() {
        let r = rules();
        let cases: &[(&[(&str, &str)], CredentialError)] = &[
            (
                &[("authorization", "Digest x")],
                CredentialError::UnsupportedScheme("Bearer or Basic"),
            ),
            (
                &[("authorization", "Bearer")],
                CredentialError::Empty("Bearer"),
            ),
            (&[("authorization", "Bearer a.b")], CredentialError::NotAJwt),
            (
                &[("authorization", "Bearer a.b.c.d")],
                CredentialError::NotAJwt,
            ),
            (
                &[("authorization", "Bearer a..c")],
                CredentialError::NotAJwt,
            ),
            (
                &[("authorization", "Basic x"), ("authorization", "Basic y")],
                CredentialError::Repeated("Authorization".into()),
            ),
            (
                &[("user-name", "a")],
                CredentialError::HalfPair {
                    present: "User-Name".into(),
                    missing: "Password".into(),
                },
            ),
            (
                &[("password", "a")],
                CredentialError::HalfPair {
                    present: "Password".into(),
                    missing: "User-Name".into(),
                },
            ),
        ];
        for (pairs, expected) in cases {
            assert_eq!(
                r.extract(&headers(pairs)).unwrap_err(),
                *expected,
                "{pairs:?}"
            );
        }
        let mut r = rules();
        r.basic = false;
        assert_eq!(
            r.extract(&headers(&[("authorization", "Basic YTpi")]))
                .unwrap_err(),
            CredentialError::Disabled("Basic")
        );
        r.max_token_bytes = 10;
        assert_eq!(
            r.extract(&headers(&[("authorization", &format!("Bearer {JWT}"))]))
                .unwrap_err(),
            CredentialError::TokenTooLong(10)
        );
    }

    #[test]
    fn basic_decoding() {
        assert_eq!(
            decode_basic("YWRtaW46bWFzdGVya2V5").unwrap(),
            ("admin".into(), b"masterkey".to_vec())
        );
        // Colons belong to the password.
        assert_eq!(
            decode_basic("YTpiOmM=").unwrap(),
            ("a".into(), b"b:c".to_vec())
        );
        assert_eq!(
            decode_basic("!!!").unwrap_err(),
            CredentialError::MalformedBasic
        );
        assert_eq!(
            decode_basic("bm9jb2xvbg==").unwrap_err(),
            CredentialError::MalformedBasic
        );
    }

    #[test]
    fn debug_is_redacted() {
        let p = Presented::HeaderPair {
            username: b"admin",
            password: b"masterkey",
        };
        assert!(!format!("{p:?}").contains("masterkey"));
    }

    #[test]
    fn jwt_shape_check_matches_its_definition() {
        // The definition, written plainly: three non-empty base64url segments.
        fn reference(token: &str) -> bool {
            let parts: Vec<&str> = token.split('.').collect();
            parts.len() == 3
                && parts.iter().all(|p| {
                    !p.is_empty()
                        && p.bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                })
        }
        // Mostly base64url bytes with some dots and a few others, in 1 to 4 segments.
        let alphabet = b"abcXYZ019-_abcXYZ019-_.=+/ %\x80";
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move |below: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % below
        };
        let mut shaped = 0;
        for _ in 0..20_000 {
            let segments: Vec<String> = (0..1 + next(4))
                .map(|_| {
                    (0..next(5))
                        .map(|_| alphabet[next(alphabet.len() as u64) as usize] as char)
                        .collect()
                })
                .collect();
            let token = segments.join(".");
            assert_eq!(looks_like_jwt(&token), reference(&token), "{token:?}");
            shaped += usize::from(reference(&token));
        }
        assert!(
            shaped > 100,
            "the inputs must include JWT-shaped ones ({shaped})"
        );
        for token in [
            "a.b.c",
            "eyJ.eyJ.sig_-",
            "",
            ".",
            "..",
            "a.b.",
            ".b.c",
            "a..c",
            "a.b.c.d",
            "a.b.c.",
        ] {
            assert_eq!(looks_like_jwt(token), reference(token), "{token:?}");
        }
    }

    #[test]
    fn password_parts_decode_basic_once_and_borrow_the_header_pair() {
        // "alice:pa:ss" — everything after the first colon is the password.
        let basic = Presented::Basic {
            encoded: "YWxpY2U6cGE6c3M=",
        };
        let parts = basic.password_parts().unwrap().unwrap();
        assert_eq!(&*parts.username, b"alice");
        assert_eq!(&*parts.password, b"pa:ss");
        let pair = Presented::HeaderPair {
            username: b"bob",
            password: b"secret",
        };
        let parts = pair.password_parts().unwrap().unwrap();
        assert!(matches!(parts.username, Cow::Borrowed(b"bob")));
        assert!(matches!(parts.password, Cow::Borrowed(b"secret")));
        assert!(!format!("{parts:?}").contains("secret"));
        let malformed = Presented::Basic {
            encoded: "bm9jb2xvbg==",
        }; // "nocolon"
        assert_eq!(
            malformed.password_parts(),
            Some(Err(CredentialError::MalformedBasic))
        );
        let token = Presented::Token {
            kind: CredentialKind::Bearer,
            token: "a.b.c",
        };
        assert_eq!(token.password_parts(), None);
    }
}
