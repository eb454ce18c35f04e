//! Who a request is, and the trusted headers that tell the upstream.
//!
//! A user's header values are rendered once per configuration ([`Principal`]); an
//! [`Identity`] is built once per credential (then shared from the verifier cache) and
//! adds only how it authenticated and the token id. Forwarding a cached identity is a
//! handful of reference-counted clones, with no formatting on the hot path, and a cache
//! entry carries no copy of the user's values.
//!
//! Stripping forged copies is the other half of this module. Any incoming header that a
//! backend could read as one of ours is removed before ours are set, on every route
//! (public ones too) and whatever the outcome:
//! - any case (`x-AUTH-user`): header maps are case-insensitive already;
//! - duplicates: every value under the name goes;
//! - underscore look-alikes (`X_Auth_User`): some servers (CGI, WSGI, PHP, nginx with
//!   `underscores_in_headers`) fold `_` and `-` into the same variable;
//! - names listed in `Connection`: `Connection` is hop-by-hop, so it and everything it
//!   names are dropped here rather than trusted (see `forwarded.rs`).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use http::header::{HeaderName, HeaderValue};

use crate::users::{User, UserStore};

/// How the request authenticated, as forwarded in `X-Auth-Method`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AuthMethod {
    /// A JWT: `Authorization: Bearer`, the token header or the token cookie.
    Bearer,
    /// `Authorization: Basic`.
    Basic,
    /// The username/password header pair.
    Header,
}

impl AuthMethod {
    pub const fn as_str(self) -> &'static str {
        match self {
            AuthMethod::Bearer => "bearer",
            AuthMethod::Basic => "basic",
            AuthMethod::Header => "header",
        }
    }
}

/// A configured user with their identity header values, rendered once per configuration
/// snapshot and shared by every [`Identity`] of that user: a cache entry then holds a
/// pointer to them instead of its own copies.
#[derive(Debug)]
pub struct Principal {
    pub user: Arc<User>,
    username_value: HeaderValue,
    user_id_value: Option<HeaderValue>,
    email_value: Option<HeaderValue>,
    roles_value: HeaderValue,
}

impl Principal {
    pub fn new(user: Arc<User>) -> Self {
        // Config validation refuses control characters in usernames, emails and roles;
        // `from_bytes` also admits UTF-8 (obs-text), so non-ASCII usernames forward as sent.
        let value = |s: &str| HeaderValue::from_bytes(s.as_bytes()).ok();
        Self {
            username_value: value(&user.username).unwrap_or_else(|| HeaderValue::from_static("")),
            user_id_value: user.id.map(HeaderValue::from),
            email_value: user.email.as_deref().and_then(value),
            roles_value: value(&user.roles.join(","))
                .unwrap_or_else(|| HeaderValue::from_static("")),
            user,
        }
    }
}

impl Principal {
    /// A user an external issuer vouches for, known to gatehouse only through the
    /// token's claims; `user_id` is the issuer's (any text, e.g. a UUID `sub`).
    pub fn external(user: Arc<User>, user_id: Option<&str>) -> Self {
        let mut principal = Self::new(user);
        principal.user_id_value = user_id.and_then(|id| HeaderValue::from_str(id).ok());
        principal
    }
}

/// Every configured user's [`Principal`], by username; built with the verifier.
pub struct Principals {
    by_username: HashMap<String, Arc<Principal>>,
}

impl Principals {
    pub fn new(users: &UserStore) -> Self {
        let mut by_username = HashMap::with_capacity(users.len());
        for user in users.iter() {
            // First wins, as in the store, so `of` finds the store's own user.
            by_username
                .entry(user.username.clone())
                .or_insert_with(|| Arc::new(Principal::new(user.clone())));
        }
        Self { by_username }
    }

    /// The shared principal of a user from the same store; a user the store did not
    /// hold (not expected) gets one of their own rather than a wrong one.
    pub fn of(&self, user: &Arc<User>) -> Arc<Principal> {
        match self.by_username.get(&user.username) {
            Some(principal) if Arc::ptr_eq(&principal.user, user) => principal.clone(),
            _ => Arc::new(Principal::new(user.clone())),
        }
    }
}

/// An authenticated principal. Everything but `method` and `token_id` comes from the
/// user store, never from the token, so a token can only name a user, not describe one.
#[derive(Debug)]
pub struct Identity {
    pub principal: Arc<Principal>,
    pub method: AuthMethod,
    /// Unix seconds after which this identity must not be used (a token's `exp`).
    pub expires_at: Option<u64>,
    /// When what the user store said about the user goes stale (a user database's cache
    /// entry); the verifier's cache keeps the identity no longer than that.
    pub fresh_until: Option<std::time::Instant>,
    /// The token's id (`jti`) for the upstream, kept only when it is a plain header
    /// value: it is attacker-chosen text inside a signed token.
    token_id: Option<HeaderValue>,
    /// What revocations are checked against (`revocations.rs`); `None` for passwords.
    token: Option<TokenMarks>,
    /// An external issuer's token: `X-Auth-Issuer`, and the issuer's key set it was
    /// verified under.
    issuer: Option<IssuedBy>,
}

/// An external issuer's key set as its identities see it (`issuers.rs` keeps it): a
/// cached identity is used only while the set it was verified with is current.
#[derive(Debug, Default)]
pub struct KeyState {
    /// Bumped when a key leaves the set.
    generation: AtomicU64,
    /// The keys are there and not stale.
    usable: AtomicBool,
}

impl KeyState {
    /// Whether an identity verified under `generation` may still be used.
    pub fn is_current(&self, generation: u64) -> bool {
        self.usable.load(Ordering::Acquire) && self.generation.load(Ordering::Acquire) == generation
    }

    pub fn is_usable(&self) -> bool {
        self.usable.load(Ordering::Acquire)
    }

    /// A new key set, `generation`, is in place.
    pub fn set(&self, generation: u64, usable: bool) {
        self.generation.store(generation, Ordering::Release);
        self.usable.store(usable, Ordering::Release);
    }

    /// The keys went stale; true if they were usable until now.
    pub fn mark_unusable(&self) -> bool {
        self.usable.swap(false, Ordering::AcqRel)
    }
}

/// The external issuer behind an identity (`issuers.rs`).
#[derive(Debug)]
struct IssuedBy {
    header_value: Option<HeaderValue>,
    keys: Arc<KeyState>,
    generation: u64,
}

/// What the revocation mirror (`revocations.rs`) needs to know about a token.
#[derive(Clone, Copy, Debug)]
pub struct TokenFacts<'a> {
    pub jti: Option<&'a str>,
    pub username: &'a str,
    pub issued_at: Option<u64>,
}

/// A token's `jti` as signed, and when it was issued (`iat`, Unix seconds).
#[derive(Debug)]
struct TokenMarks {
    jti: Option<Box<str>>,
    issued_at: Option<u64>,
}

impl Identity {
    /// A password credential's identity.
    pub fn new(principal: Arc<Principal>, method: AuthMethod) -> Self {
        Self {
            principal,
            method,
            expires_at: None,
            fresh_until: None,
            token_id: None,
            token: None,
            issuer: None,
        }
    }

    /// Marks the identity as built from a user entry that goes stale at `until`.
    pub fn fresh_until(mut self, until: Option<std::time::Instant>) -> Self {
        self.fresh_until = until;
        self
    }

    /// A token's identity: its `jti`, `iat` and `exp`.
    pub fn of_token(
        principal: Arc<Principal>,
        method: AuthMethod,
        token_id: Option<&str>,
        issued_at: Option<u64>,
        expires_at: u64,
    ) -> Self {
        Self {
            principal,
            method,
            expires_at: Some(expires_at),
            fresh_until: None,
            token_id: token_id.and_then(|id| HeaderValue::from_str(id).ok()),
            token: Some(TokenMarks {
                jti: token_id.map(Into::into),
                issued_at,
            }),
            issuer: None,
        }
    }

    /// Marks a token's identity as vouched for by an external issuer, whose key set
    /// `keys` was at `generation` when the token verified.
    pub fn issued_by(
        mut self,
        header_value: Option<&HeaderValue>,
        keys: Arc<KeyState>,
        generation: u64,
    ) -> Self {
        self.issuer = Some(IssuedBy {
            header_value: header_value.cloned(),
            keys,
            generation,
        });
        self
    }

    /// False once the external issuer's keys it was verified with changed (a key was
    /// dropped) or went stale: the verifier cache then verifies the token again.
    pub fn keys_current(&self) -> bool {
        self.issuer
            .as_ref()
            .is_none_or(|issuer| issuer.keys.is_current(issuer.generation))
    }

    /// What the revocation mirror checks, for a token's identity.
    pub fn token_facts(&self) -> Option<TokenFacts<'_>> {
        let marks = self.token.as_ref()?;
        Some(TokenFacts {
            jti: marks.jti.as_deref(),
            username: &self.principal.user.username,
            issued_at: marks.issued_at,
        })
    }

    pub fn user(&self) -> &User {
        &self.principal.user
    }

    pub fn has_any_role(&self, roles: &[String]) -> bool {
        self.user()
            .roles
            .iter()
            .any(|mine| roles.iter().any(|wanted| wanted == mine))
    }

    pub fn is_expired(&self, now: u64) -> bool {
        self.expires_at.is_some_and(|exp| exp < now)
    }

    fn method_value(&self) -> &'static HeaderValue {
        // Statics so the pairs can lend them; spelled once, in `AuthMethod::as_str`.
        static BEARER: HeaderValue = HeaderValue::from_static(AuthMethod::Bearer.as_str());
        static BASIC: HeaderValue = HeaderValue::from_static(AuthMethod::Basic.as_str());
        static HEADER: HeaderValue = HeaderValue::from_static(AuthMethod::Header.as_str());
        match self.method {
            AuthMethod::Bearer => &BEARER,
            AuthMethod::Basic => &BASIC,
            AuthMethod::Header => &HEADER,
        }
    }
}

/// The configured names of the identity headers.
#[derive(Clone, Debug)]
pub struct IdentityHeaders {
    pub user: HeaderName,
    pub user_id: HeaderName,
    pub email: HeaderName,
    pub roles: HeaderName,
    pub method: HeaderName,
    pub token_id: HeaderName,
    /// The external issuer of the token (`[[issuers]]`).
    pub issuer: HeaderName,
    /// Every name above, lower-cased with `_` folded to `-`, for look-alike matching.
    folded: Vec<String>,
    /// The names as Pingora's case-keeping request head takes them, in the order above.
    /// Given a `HeaderName`, `insert_header` allocates a title-cased copy of it for every
    /// request; given these shared bytes it does not (measured in `cargo bench --bench
    /// micro -- headers/`).
    wire: [Bytes; 7],
}

impl Default for IdentityHeaders {
    fn default() -> Self {
        Self::new([
            HeaderName::from_static("x-auth-user"),
            HeaderName::from_static("x-auth-user-id"),
            HeaderName::from_static("x-auth-email"),
            HeaderName::from_static("x-auth-roles"),
            HeaderName::from_static("x-auth-method"),
            HeaderName::from_static("x-auth-token-id"),
            HeaderName::from_static("x-auth-issuer"),
        ])
    }
}

impl IdentityHeaders {
    /// Names in order: user, user id, email, roles, method, token id, issuer.
    pub fn new(names: [HeaderName; 7]) -> Self {
        let folded = names.iter().map(|n| fold(n.as_str())).collect();
        let wire = names
            .each_ref()
            .map(|n| Bytes::copy_from_slice(n.as_str().as_bytes()));
        let [user, user_id, email, roles, method, token_id, issuer] = names;
        Self {
            wire,
            user,
            user_id,
            email,
            roles,
            method,
            token_id,
            issuer,
            folded,
        }
    }

    /// True if a client header with this name could be read by a backend as one of ours.
    pub fn is_lookalike(&self, name: &str) -> bool {
        // Cheap prefilter: almost no request header is near our names in length.
        self.folded
            .iter()
            .any(|ours| ours.len() == name.len() && fold_eq(ours, name))
    }

    /// The (name, value) pairs to set upstream for `identity`; names as lower-case
    /// bytes, ready for `RequestHeader::insert_header`.
    pub fn pairs<'a>(
        &'a self,
        identity: &'a Identity,
    ) -> impl Iterator<Item = (&'a Bytes, &'a HeaderValue)> {
        let p = &identity.principal;
        let [user, user_id, email, roles, method, token_id, issuer] = &self.wire;
        let issuer_value = identity
            .issuer
            .as_ref()
            .and_then(|issuer| issuer.header_value.as_ref());
        [
            (user, Some(&p.username_value)),
            (user_id, p.user_id_value.as_ref()),
            (email, p.email_value.as_ref()),
            (roles, Some(&p.roles_value)),
            (method, Some(identity.method_value())),
            (token_id, identity.token_id.as_ref()),
            (issuer, issuer_value),
        ]
        .into_iter()
        .filter_map(|(name, value)| value.map(|value| (name, value)))
    }
}

fn fold(name: &str) -> String {
    name.bytes()
        .map(|b| {
            if b == b'_' {
                '-'
            } else {
                b.to_ascii_lowercase() as char
            }
        })
        .collect()
}

fn fold_eq(folded: &str, name: &str) -> bool {
    folded.bytes().zip(name.bytes()).all(|(a, b)| {
        let b = if b == b'_' {
            b'-'
        } else {
            b.to_ascii_lowercase()
        };
        a == b
    })
}

#[cfg(test)]
mod tests;
