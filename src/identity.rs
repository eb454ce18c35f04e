//! Who a request is, and the trusted headers that tell the upstream.
//!
//! An [`Identity`] is built once per credential (then shared from the verifier cache),
//! and renders its header values at construction: forwarding a cached identity is a
//! handful of reference-counted clones, with no formatting on the hot path.
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

use std::sync::Arc;

use http::header::{HeaderName, HeaderValue};

use crate::users::User;

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
    pub fn as_str(self) -> &'static str {
        match self {
            AuthMethod::Bearer => "bearer",
            AuthMethod::Basic => "basic",
            AuthMethod::Header => "header",
        }
    }
}

/// An authenticated principal. Everything but `method` and `token_id` comes from the
/// user store, never from the token, so a token can only name a user, not describe one.
#[derive(Debug)]
pub struct Identity {
    pub user: Arc<User>,
    pub method: AuthMethod,
    pub token_id: Option<String>,
    /// Unix seconds after which this identity must not be used (a token's `exp`).
    pub expires_at: Option<u64>,
    values: HeaderValues,
}

#[derive(Debug)]
struct HeaderValues {
    user: HeaderValue,
    user_id: Option<HeaderValue>,
    email: Option<HeaderValue>,
    roles: HeaderValue,
    method: HeaderValue,
    token_id: Option<HeaderValue>,
}

impl Identity {
    pub fn new(
        user: Arc<User>,
        method: AuthMethod,
        token_id: Option<String>,
        expires_at: Option<u64>,
    ) -> Self {
        // Config validation refuses control characters in usernames, emails and roles;
        // `from_bytes` also admits UTF-8 (obs-text), so non-ASCII usernames forward as sent.
        let value = |s: &str| HeaderValue::from_bytes(s.as_bytes()).ok();
        let values = HeaderValues {
            user: value(&user.username).unwrap_or_else(|| HeaderValue::from_static("")),
            user_id: user.id.map(HeaderValue::from),
            email: user.email.as_deref().and_then(value),
            roles: value(&user.roles.join(",")).unwrap_or_else(|| HeaderValue::from_static("")),
            method: HeaderValue::from_static(method.as_str()),
            // A token id is attacker-chosen text inside a signed token: forward it only if
            // it is a plain header value.
            token_id: token_id
                .as_deref()
                .and_then(|id| HeaderValue::from_str(id).ok()),
        };
        Self {
            user,
            method,
            token_id,
            expires_at,
            values,
        }
    }

    pub fn has_any_role(&self, roles: &[String]) -> bool {
        self.user
            .roles
            .iter()
            .any(|mine| roles.iter().any(|wanted| wanted == mine))
    }

    pub fn is_expired(&self, now: u64) -> bool {
        self.expires_at.is_some_and(|exp| exp < now)
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
    /// Every name above, lower-cased with `_` folded to `-`, for look-alike matching.
    folded: Vec<String>,
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
        ])
    }
}

impl IdentityHeaders {
    /// Names in order: user, user id, email, roles, method, token id.
    pub fn new(names: [HeaderName; 6]) -> Self {
        let folded = names.iter().map(|n| fold(n.as_str())).collect();
        let [user, user_id, email, roles, method, token_id] = names;
        Self {
            user,
            user_id,
            email,
            roles,
            method,
            token_id,
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

    /// The (name, value) pairs to set upstream for `identity`.
    pub fn pairs<'a>(
        &'a self,
        identity: &'a Identity,
    ) -> impl Iterator<Item = (&'a HeaderName, &'a HeaderValue)> {
        let v = &identity.values;
        [
            (&self.user, Some(&v.user)),
            (&self.user_id, v.user_id.as_ref()),
            (&self.email, v.email.as_ref()),
            (&self.roles, Some(&v.roles)),
            (&self.method, Some(&v.method)),
            (&self.token_id, v.token_id.as_ref()),
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
mod tests {
    use super::*;
    use crate::users::PasswordHash;

    fn user() -> Arc<User> {
        Arc::new(User {
            username: "admin".into(),
            id: Some(1),
            email: Some("admin@example.com".into()),
            roles: vec!["admin".into(), "ops".into()],
            active: true,
            password: PasswordHash::parse(&crate::users::hash_password(b"x").unwrap()).unwrap(),
        })
    }

    #[test]
    fn pairs_carry_store_values() {
        let headers = IdentityHeaders::default();
        let identity = Identity::new(user(), AuthMethod::Basic, None, None);
        let pairs: Vec<(String, String)> = headers
            .pairs(&identity)
            .map(|(n, v)| (n.to_string(), v.to_str().unwrap().to_owned()))
            .collect();
        assert_eq!(
            pairs,
            vec![
                ("x-auth-user".into(), "admin".into()),
                ("x-auth-user-id".into(), "1".into()),
                ("x-auth-email".into(), "admin@example.com".into()),
                ("x-auth-roles".into(), "admin,ops".into()),
                ("x-auth-method".into(), "basic".into()),
            ]
        );
    }

    #[test]
    fn lookalikes_fold_case_and_underscores() {
        let headers = IdentityHeaders::default();
        for name in [
            "x-auth-user",
            "X-AUTH-USER",
            "x_auth_user",
            "X_Auth-User_Id",
            "x-auth-token_id",
        ] {
            assert!(headers.is_lookalike(name), "{name}");
        }
        for name in ["x-auth-users", "x-auth", "authorization", "x-forwarded-for"] {
            assert!(!headers.is_lookalike(name), "{name}");
        }
    }

    #[test]
    fn hostile_token_ids_are_not_forwarded() {
        let headers = IdentityHeaders::default();
        let identity = Identity::new(
            user(),
            AuthMethod::Bearer,
            Some("a\r\nX-Auth-User: mallory".into()),
            None,
        );
        assert!(headers
            .pairs(&identity)
            .all(|(n, _)| n != "x-auth-token-id"));
        assert!(identity.has_any_role(&["ops".to_string()]));
        assert!(!identity.has_any_role(&["root".to_string()]));
    }
}
