//! JWT verification: which configured keys may have signed a token, the validation rules
//! built once per key, and how a verified token names its user.
//!
//! The policy (DESIGN "Token validation policy"), enforced here for every entry point:
//! - the algorithm comes from the key's configuration; a token whose header names another
//!   algorithm is refused, and `none` is never an algorithm;
//! - `exp` is required, `nbf` is enforced, leeway is configurable (0 s by default);
//! - a token carrying `aud` is refused (gatehouse configures no audience);
//! - any `crit` header is refused (we understand no extension);
//! - `kid` is an opaque lookup among configured keys; `jku`, `x5u`, `jwk` and `x5c` are
//!   ignored, never fetched or trusted;
//! - claims of the wrong JSON type are refusals (strictly typed claims struct).

use std::sync::Arc;

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::Validation;
use serde::Deserialize;

use crate::keys::{Key, KeyRing};

/// How one family of tokens names its user and what else it must carry. Each dialect
/// declares its own (`dialects::Api::acceptance`); gatehouse's own tokens use
/// [`ClaimProfile::native`]. Data, not code: the verifier knows no dialect by name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimProfile {
    /// The dialect's name, or `gatehouse`: for logs and test failures.
    pub name: &'static str,
    /// Which claim names the user.
    pub user: UserClaim,
    /// The `iss` the tokens must carry, when they carry one.
    pub issuer: Option<String>,
    /// The `token_type` the tokens must carry (simplejwt's `access`: its refresh tokens
    /// never open proxied traffic).
    pub token_type: Option<&'static str>,
    /// For families whose tokens carry no `iat`: their fixed lifetime, so that when a
    /// token was issued is `exp` minus it (revocations of a user need to know).
    pub lifetime_without_iat: Option<std::time::Duration>,
}

impl ClaimProfile {
    /// Tokens of the family `name` whose user `user` names, with no `iss` and no
    /// `token_type` required.
    pub fn new(name: &'static str, user: UserClaim) -> Self {
        Self {
            name,
            user,
            issuer: None,
            token_type: None,
            lifetime_without_iat: None,
        }
    }

    /// The tokens carry no `iat`; each was issued `lifetime` before its `exp`.
    pub fn with_lifetime_without_iat(mut self, lifetime: std::time::Duration) -> Self {
        self.lifetime_without_iat = Some(lifetime);
        self
    }

    /// Requires `iss` to be `issuer`.
    pub fn with_issuer(mut self, issuer: &str) -> Self {
        self.issuer = Some(issuer.to_owned());
        self
    }

    /// Requires `token_type` to be `token_type`.
    pub fn with_token_type(mut self, token_type: &'static str) -> Self {
        self.token_type = Some(token_type);
        self
    }

    /// gatehouse's own tokens (`gatehouse token`): `sub` is the username, `iss` is the
    /// configured issuer.
    pub fn native(issuer: &str) -> Self {
        Self::new("gatehouse", UserClaim::SubUsername).with_issuer(issuer)
    }
}

/// The claim that names a token's user.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UserClaim {
    /// `sub`, the username.
    SubUsername,
    /// `sub`, the user id as a decimal string.
    SubId,
    /// `user_id`, the user id as an integer.
    UserId,
    /// `username`, the username.
    Username,
    /// `user`, the username.
    User,
}

/// Who a verified token says it is.
#[derive(Debug, PartialEq, Eq)]
pub enum UserRef {
    Username(String),
    Id(i64),
}

/// A verified token's facts that outlive verification.
#[derive(Debug)]
pub struct VerifiedToken {
    pub user: UserRef,
    pub token_id: Option<String>,
    /// `iat`, when it is a number (a fraction is dropped).
    pub issued_at: Option<u64>,
    pub expires_at: u64,
}

/// A NumericDate claim as whole Unix seconds, if it is a non-negative number.
pub fn unix_seconds(value: &serde_json::Value) -> Option<u64> {
    value.as_u64().or_else(|| {
        value
            .as_f64()
            .filter(|f| f.is_finite() && *f >= 0.0)
            .map(|f| f as u64)
    })
}

/// Why a token was refused. Messages are safe to show to the client.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("token is malformed")]
    Malformed,
    #[error("token header is not acceptable: {0}")]
    Header(&'static str),
    #[error("token was not signed by a known key")]
    UnknownKey,
    #[error("token signature is invalid")]
    BadSignature,
    #[error("token has expired")]
    Expired,
    #[error("token is not valid yet")]
    NotYetValid,
    #[error("token has an audience this service does not accept")]
    Audience,
    #[error("token claim `{0}` is missing or has the wrong type")]
    Claim(String),
    #[error("token claims are malformed or of the wrong type")]
    Claims,
    #[error("token's user is unknown")]
    UnknownUser,
    #[error("token's user is inactive")]
    Inactive,
}

impl TokenError {
    /// Refusals that cannot turn into a success while the same configuration serves;
    /// only these are remembered by the negative cache.
    pub fn is_permanent(&self) -> bool {
        !matches!(self, TokenError::NotYetValid)
    }

    /// Rank for picking the most useful message when several keys or claim profiles
    /// were tried: a refusal about time, audience or the user means the token matched a
    /// profile's shape and says more than "a claim of another profile is missing".
    fn rank(&self) -> u8 {
        match self {
            TokenError::Malformed | TokenError::UnknownKey => 0,
            TokenError::BadSignature => 1,
            TokenError::Header(_) => 2,
            TokenError::Claim(_) | TokenError::Claims => 3,
            TokenError::Expired
            | TokenError::NotYetValid
            | TokenError::Audience
            | TokenError::UnknownUser
            | TokenError::Inactive => 4,
        }
    }
}

/// Strictly typed claims: a claim of the wrong JSON type fails deserialization and so
/// refuses the token.
#[derive(Debug, Deserialize)]
struct Claims {
    // Optional here so that a missing `exp` is reported as such by the validation
    // (which requires it) rather than as a shapeless deserialization error.
    exp: Option<u64>,
    sub: Option<String>,
    jti: Option<String>,
    // Any JSON here: `iat` was never a reason to refuse a token, and some issuers write
    // it as a float. Only revocations read it.
    iat: Option<serde_json::Value>,
    token_type: Option<String>,
    user_id: Option<i64>,
    username: Option<String>,
    user: Option<String>,
}

/// One key together with the rules for the tokens it signs.
pub struct TokenAcceptor {
    key: Arc<Key>,
    validation: Validation,
    profile: ClaimProfile,
}

// By hand: only the key's id, never its material, may reach a log or a test failure.
impl std::fmt::Debug for TokenAcceptor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenAcceptor")
            .field("key", &self.key.id())
            .field("profile", &self.profile)
            .finish_non_exhaustive()
    }
}

impl TokenAcceptor {
    pub fn new(key: Arc<Key>, profile: ClaimProfile, leeway_secs: u64) -> Self {
        let mut validation = Validation::new(key.algorithm());
        validation.leeway = leeway_secs;
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.validate_aud = true;
        validation.aud = None;
        validation.set_required_spec_claims(&["exp"]);
        if let Some(issuer) = &profile.issuer {
            validation.set_issuer(&[issuer]);
            validation.set_required_spec_claims(&["exp", "iss"]);
        }
        Self {
            key,
            validation,
            profile,
        }
    }

    pub fn key(&self) -> &Arc<Key> {
        &self.key
    }

    pub fn profile(&self) -> &ClaimProfile {
        &self.profile
    }

    fn verify(&self, token: &str) -> Result<VerifiedToken, TokenError> {
        let data = jsonwebtoken::decode::<Claims>(token, self.key.decoding_key(), &self.validation)
            .map_err(|e| map_error(e.kind()))?;
        let claims = data.claims;
        let missing = |claim: &str| TokenError::Claim(claim.into());
        if let Some(wanted) = self.profile.token_type {
            if claims.token_type.as_deref() != Some(wanted) {
                return Err(missing("token_type"));
            }
        }
        let user = match self.profile.user {
            UserClaim::SubUsername => UserRef::Username(claims.sub.ok_or_else(|| missing("sub"))?),
            UserClaim::SubId => {
                let sub = claims.sub.ok_or_else(|| missing("sub"))?;
                UserRef::Id(sub.parse().map_err(|_| missing("sub"))?)
            }
            UserClaim::UserId => UserRef::Id(claims.user_id.ok_or_else(|| missing("user_id"))?),
            UserClaim::Username => {
                UserRef::Username(claims.username.ok_or_else(|| missing("username"))?)
            }
            UserClaim::User => UserRef::Username(claims.user.ok_or_else(|| missing("user"))?),
        };
        let expires_at = claims.exp.ok_or_else(|| TokenError::Claim("exp".into()))?;
        Ok(VerifiedToken {
            user,
            token_id: claims.jti,
            issued_at: claims.iat.as_ref().and_then(unix_seconds).or_else(|| {
                let lifetime = self.profile.lifetime_without_iat?;
                Some(expires_at.saturating_sub(lifetime.as_secs()))
            }),
            expires_at,
        })
    }
}

/// The token's header, refused when its algorithm is unknown (`none` included) or it
/// carries a `crit` extension (we understand none).
pub(crate) fn checked_header(token: &str) -> Result<jsonwebtoken::Header, TokenError> {
    let header = jsonwebtoken::decode_header(token).map_err(|e| match e.kind() {
        ErrorKind::Json(_) | ErrorKind::InvalidAlgorithmName => {
            TokenError::Header("unknown algorithm")
        }
        _ => TokenError::Malformed,
    })?;
    if header.crit.is_some() {
        return Err(TokenError::Header("critical extensions are not supported"));
    }
    Ok(header)
}

/// Decodes a token signed by one of `keys` under the common policy (pinned algorithm,
/// `exp` required, `nbf` enforced, no `aud`, no `crit`), for dialect endpoints that
/// verify or refresh their own tokens. A `kid` naming a key of the ring selects it;
/// otherwise each key of the token's algorithm is tried, and the most telling refusal
/// wins. Returns the claims as JSON for the dialect to interpret.
pub fn decode_with_policy(
    token: &str,
    keys: &KeyRing,
    leeway_secs: u64,
    max_bytes: usize,
) -> Result<serde_json::Map<String, serde_json::Value>, TokenError> {
    if token.len() > max_bytes {
        return Err(TokenError::Malformed);
    }
    let header = checked_header(token)?;
    let mut best: Option<TokenError> = None;
    for key in keys.candidates(header.kid.as_deref()) {
        if header.alg != key.algorithm() {
            continue;
        }
        let mut validation = Validation::new(key.algorithm());
        validation.leeway = leeway_secs;
        validation.validate_nbf = true;
        validation.validate_aud = true;
        validation.set_required_spec_claims(&["exp"]);
        match jsonwebtoken::decode::<serde_json::Map<String, serde_json::Value>>(
            token,
            key.decoding_key(),
            &validation,
        ) {
            Ok(data) => return Ok(data.claims),
            Err(e) => {
                let error = map_error(e.kind());
                if best.as_ref().is_none_or(|b| error.rank() > b.rank()) {
                    best = Some(error);
                }
            }
        }
    }
    Err(best.unwrap_or(TokenError::Header("algorithm does not match the key")))
}

pub(crate) fn map_error(kind: &ErrorKind) -> TokenError {
    match kind {
        ErrorKind::InvalidSignature => TokenError::BadSignature,
        ErrorKind::ExpiredSignature => TokenError::Expired,
        ErrorKind::ImmatureSignature => TokenError::NotYetValid,
        ErrorKind::InvalidAudience => TokenError::Audience,
        ErrorKind::InvalidIssuer => TokenError::Claim("iss".into()),
        ErrorKind::MissingRequiredClaim(claim) | ErrorKind::InvalidClaimFormat(claim) => {
            TokenError::Claim(claim.clone())
        }
        ErrorKind::InvalidAlgorithm => TokenError::Header("algorithm does not match the key"),
        // Claims that are not a JSON object, or a claim of the wrong type.
        ErrorKind::Json(_) => TokenError::Claims,
        _ => TokenError::Malformed,
    }
}

/// Every acceptor, with an index by `kid`.
#[derive(Default)]
pub struct TokenAcceptors {
    acceptors: Vec<TokenAcceptor>,
}

impl TokenAcceptors {
    pub fn new(acceptors: Vec<TokenAcceptor>) -> Self {
        Self { acceptors }
    }

    pub fn is_empty(&self) -> bool {
        self.acceptors.is_empty()
    }

    /// Verifies `token` against the acceptors it may belong to: the ones whose key has
    /// the token's `kid`, or all of them when there is no `kid` (legacy tokens carry
    /// none). Returns the acceptor (key and profile) that accepted it.
    pub fn verify(&self, token: &str) -> Result<(VerifiedToken, &TokenAcceptor), TokenError> {
        let header = checked_header(token)?;
        let mut best: Option<TokenError> = None;
        let mut tried = false;
        for acceptor in &self.acceptors {
            if let Some(kid) = &header.kid {
                if acceptor.key.id() != kid {
                    continue;
                }
            }
            if acceptor.key.algorithm() != header.alg {
                continue;
            }
            tried = true;
            match acceptor.verify(token) {
                Ok(verified) => return Ok((verified, acceptor)),
                Err(error) => {
                    if best.as_ref().is_none_or(|b| error.rank() > b.rank()) {
                        best = Some(error);
                    }
                }
            }
        }
        if !tried {
            return Err(TokenError::UnknownKey);
        }
        Err(best.unwrap_or(TokenError::BadSignature))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::KeyMaterial;
    use jsonwebtoken::Algorithm;
    use serde_json::json;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    fn hs_key(id: &str) -> Arc<Key> {
        Arc::new(Key::new(id, Algorithm::HS256, KeyMaterial::Hmac(Some(SECRET))).unwrap())
    }

    fn acceptors() -> TokenAcceptors {
        TokenAcceptors::new(vec![TokenAcceptor::new(
            hs_key("k1"),
            ClaimProfile::native("gatehouse"),
            0,
        )])
    }

    fn now() -> u64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
    }

    fn sign(claims: serde_json::Value, kid: bool) -> String {
        let key = hs_key("k1");
        key.sign(&key.header(kid), &claims).unwrap()
    }

    #[test]
    fn accepts_a_good_token_with_or_without_kid() {
        let claims = json!({"sub": "admin", "iss": "gatehouse", "exp": now() + 60, "jti": "abc"});
        let acceptors = acceptors();
        for kid in [true, false] {
            let (verified, acceptor) = acceptors.verify(&sign(claims.clone(), kid)).unwrap();
            assert_eq!(verified.user, UserRef::Username("admin".into()));
            assert_eq!(verified.token_id.as_deref(), Some("abc"));
            assert_eq!(acceptor.profile().name, "gatehouse");
            assert_eq!(acceptor.key().id(), "k1");
        }
    }

    #[test]
    fn policy_refusals() {
        let a = acceptors();
        let base = || json!({"sub": "admin", "iss": "gatehouse", "exp": now() + 60});
        let with = |k: &str, v: serde_json::Value| {
            let mut c = base();
            c[k] = v;
            c
        };
        assert_eq!(
            a.verify(&sign(with("exp", json!(now() - 1)), false))
                .unwrap_err(),
            TokenError::Expired
        );
        assert_eq!(
            a.verify(&sign(with("nbf", json!(now() + 30)), false))
                .unwrap_err(),
            TokenError::NotYetValid
        );
        assert_eq!(
            a.verify(&sign(with("aud", json!("x")), false)).unwrap_err(),
            TokenError::Audience
        );
        assert_eq!(
            a.verify(&sign(with("iss", json!("other")), false))
                .unwrap_err(),
            TokenError::Claim("iss".into())
        );
        assert_eq!(
            a.verify(&sign(with("sub", json!(5)), false)).unwrap_err(),
            TokenError::Claims
        );
        assert_eq!(
            a.verify(&sign(with("exp", json!("soon")), false))
                .unwrap_err(),
            TokenError::Claims
        );
        let mut no_exp = base();
        no_exp.as_object_mut().unwrap().remove("exp");
        assert_eq!(
            a.verify(&sign(no_exp, false)).unwrap_err(),
            TokenError::Claim("exp".into())
        );

        // Signed by a key with another kid, or tampered with.
        let other = Arc::new(
            Key::new("k2", Algorithm::HS256, KeyMaterial::Hmac(Some(&[7u8; 32]))).unwrap(),
        );
        let foreign = other.sign(&other.header(true), &base()).unwrap();
        assert_eq!(a.verify(&foreign).unwrap_err(), TokenError::UnknownKey);
        let foreign = other.sign(&other.header(false), &base()).unwrap();
        assert_eq!(a.verify(&foreign).unwrap_err(), TokenError::BadSignature);

        // alg none, and an algorithm no key has.
        use base64::Engine as _;
        let b64 = |v: serde_json::Value| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
        };
        let none = format!("{}.{}.", b64(json!({"alg": "none"})), b64(base()));
        assert!(a.verify(&none).is_err());
        let rs = format!("{}.{}.c2ln", b64(json!({"alg": "RS256"})), b64(base()));
        assert_eq!(a.verify(&rs).unwrap_err(), TokenError::UnknownKey);
        let crit = format!(
            "{}.{}.c2ln",
            b64(json!({"alg": "HS256", "crit": ["exp"]})),
            b64(base())
        );
        assert!(matches!(
            a.verify(&crit).unwrap_err(),
            TokenError::Header(_)
        ));
    }
}

#[cfg(test)]
mod dialect_profile_tests {
    use super::*;
    use crate::keys::KeyMaterial;
    use jsonwebtoken::Algorithm;

    #[test]
    fn header_login_profile() {
        let key =
            Arc::new(Key::new("h", Algorithm::HS256, KeyMaterial::Hmac(Some(&[3u8; 32]))).unwrap());
        let acceptors = TokenAcceptors::new(vec![
            TokenAcceptor::new(key.clone(), ClaimProfile::native("gatehouse"), 0),
            TokenAcceptor::new(
                key.clone(),
                ClaimProfile::new("header_login", UserClaim::User),
                0,
            ),
        ]);
        let exp = crate::verifier::unix_now() + 60;
        let token = key
            .sign_with_header_json(
                &key.typ_alg_header(),
                &serde_json::json!({"user": "u", "exp": exp}),
            )
            .unwrap();
        let r = acceptors.verify(&token);
        assert!(r.is_ok(), "{:?}", r.err());
    }
}
