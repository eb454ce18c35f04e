//! An external token's claims → who it is: username, user id, email and roles, as
//! `[[issuers]]` maps them.

use serde_json::{Map, Value};

use crate::issuers::settings::ClaimMapping;
use crate::verifier::jwt::TokenError;

/// Who an external token names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapped {
    pub username: String,
    pub user_id: Option<String>,
    pub email: Option<String>,
    pub roles: Vec<String>,
}

/// Maps `claims`. The username claim must be a non-empty string; the others are used
/// when present and of the right type (a missing email is no reason to refuse).
pub fn map(claims: &Map<String, Value>, mapping: &ClaimMapping) -> Result<Mapped, TokenError> {
    let username = text(claims.get(&mapping.username))
        .filter(|u| !u.is_empty())
        .ok_or_else(|| TokenError::Claim(mapping.username.clone()))?;
    let optional = |name: &Option<String>| {
        name.as_ref()
            .and_then(|name| text(claims.get(name)))
            .filter(|v| !v.is_empty())
    };
    let roles = match &mapping.roles {
        None => Vec::new(),
        Some(pointer) => {
            let object = Value::Object(claims.clone());
            roles(object.pointer(pointer))
        }
    };
    Ok(Mapped {
        username,
        user_id: optional(&mapping.user_id),
        email: optional(&mapping.email),
        roles,
    })
}

/// A string claim, or a number written as text (some issuers' numeric user ids);
/// control characters make it unusable (it becomes a header value).
fn text(value: Option<&Value>) -> Option<String> {
    let text = match value? {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    (!text.chars().any(char::is_control)).then_some(text)
}

/// Roles from an array of strings (`groups`, Keycloak's `realm_access.roles`) or a
/// space-separated string (`scope`, `scp`). Anything else is no roles. Roles with a
/// comma or control characters are dropped: `X-Auth-Roles` is comma-separated.
fn roles(value: Option<&Value>) -> Vec<String> {
    let usable =
        |role: &str| !role.is_empty() && !role.contains(',') && !role.chars().any(char::is_control);
    match value {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .filter(|r| usable(r))
            .map(str::to_owned)
            .collect(),
        Some(Value::String(list)) => list
            .split_whitespace()
            .filter(|r| usable(r))
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn mapping(username: &str, roles: Option<&str>) -> ClaimMapping {
        ClaimMapping {
            username: username.into(),
            user_id: Some("sub".into()),
            email: Some("email".into()),
            roles: roles.map(Into::into),
            require_user: false,
        }
    }

    fn claims(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn keycloak_groups_and_scope_roles() {
        let keycloak = claims(json!({
            "sub": "f1c2", "preferred_username": "alice", "email": "a@example.com",
            "realm_access": {"roles": ["admin", "offline_access", "bad,role"]}
        }));
        let mapped = map(
            &keycloak,
            &mapping("preferred_username", Some("/realm_access/roles")),
        )
        .unwrap();
        assert_eq!(mapped.username, "alice");
        assert_eq!(mapped.user_id.as_deref(), Some("f1c2"));
        assert_eq!(mapped.email.as_deref(), Some("a@example.com"));
        assert_eq!(mapped.roles, ["admin", "offline_access"]);

        let scoped = claims(json!({"sub": "client-1", "scope": "read  write"}));
        let mapped = map(&scoped, &mapping("sub", Some("/scope"))).unwrap();
        assert_eq!(mapped.roles, ["read", "write"]);
        assert_eq!(mapped.email, None);
        let mapped = map(&scoped, &mapping("sub", Some("/groups"))).unwrap();
        assert!(mapped.roles.is_empty());
    }

    #[test]
    fn the_username_claim_is_required_and_must_be_text() {
        for bad in [
            json!({}),
            json!({"sub": ""}),
            json!({"sub": ["x"]}),
            json!({"sub": "a\nb"}),
        ] {
            assert_eq!(
                map(&claims(bad.clone()), &mapping("sub", None)),
                Err(TokenError::Claim("sub".into())),
                "{bad}"
            );
        }
        let numeric = map(&claims(json!({"sub": 42})), &mapping("sub", None)).unwrap();
        assert_eq!(numeric.username, "42");
    }
}
