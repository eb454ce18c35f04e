//! Tokens of external issuers (`[[issuers]]`): verified with the keys `issuers.rs` hands
//! out for them (that issuer's, of its algorithms), with `exp`, `nbf`, `iss` and `aud`
//! checked, and their claims mapped to an identity (`claims.rs`).

use std::sync::Arc;

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, Validation};
use serde_json::{Map, Value};

use super::jwt::{self, map_error, TokenError};
use super::{AuthError, Verifier};
use crate::credentials::CredentialKind;
use crate::identity::{Identity, Principal};
use crate::issuers::jwks::IssuerKey;
use crate::issuers::{Issuer, IssuerRefusal};
use crate::users::UserKey;

impl Verifier {
    /// A token of an external issuer: its keys, its claim mapping, and gatehouse's user
    /// only when the issuer says `require_user`.
    pub(super) async fn verify_external(
        &self,
        issuer: &Arc<Issuer>,
        token: &str,
        kind: CredentialKind,
    ) -> Result<Arc<Identity>, AuthError> {
        let header = jwt::checked_header(token)?;
        let keys = issuer
            .keys_for(&header)
            .await
            .map_err(|refusal| match refusal {
                IssuerRefusal::Algorithm => {
                    AuthError::Token(TokenError::Header("algorithm not accepted for this issuer"))
                }
                IssuerRefusal::UnknownKey => AuthError::Token(TokenError::UnknownKey),
                IssuerRefusal::Unavailable => AuthError::IssuerUnavailable,
            })?;
        let candidates: Vec<&IssuerKey> = keys.candidates().collect();
        let claims = decode(issuer, token, header.alg, &candidates)?;
        let mapping = &issuer.settings.claims;
        let mapped = super::claims::map(&claims, mapping)?;
        let (principal, fresh_until) = if mapping.require_user {
            let found = self
                .users
                .find(UserKey::Username(&mapped.username))
                .await
                .map_err(|_| AuthError::Unavailable)?
                .ok_or(TokenError::UnknownUser)?;
            if !found.user.active {
                return Err(TokenError::Inactive.into());
            }
            (self.principals.of(&found.user), found.fresh_until)
        } else {
            let user = crate::users::User {
                username: mapped.username,
                id: None,
                email: mapped.email,
                roles: mapped.roles,
                active: true,
                // Never checked: the issuer vouches for this user, gatehouse holds no
                // password for them.
                password: crate::users::PasswordHash::default_dummy(),
            };
            let principal = Principal::external(Arc::new(user), mapped.user_id.as_deref());
            (Arc::new(principal), None)
        };
        let seconds = |name: &str| claims.get(name).and_then(jwt::unix_seconds);
        let expires_at = seconds("exp").ok_or_else(|| TokenError::Claim("exp".into()))?;
        let token_id = claims.get("jti").and_then(|v| v.as_str());
        Ok(Arc::new(
            Identity::of_token(
                principal,
                kind.method(),
                token_id,
                seconds("iat"),
                expires_at,
            )
            .fresh_until(fresh_until)
            .issued_by(
                issuer.header_value(),
                issuer.key_state().clone(),
                keys.generation(),
            ),
        ))
    }
}

/// The claims of `token`, verified with one of `keys` under `issuer`'s rules.
fn decode(
    issuer: &Issuer,
    token: &str,
    algorithm: Algorithm,
    keys: &[&IssuerKey],
) -> Result<Map<String, Value>, TokenError> {
    let settings = &issuer.settings;
    let mut best: Option<TokenError> = None;
    for key in keys {
        let mut validation = Validation::new(algorithm);
        validation.leeway = settings.leeway.as_secs();
        validation.validate_nbf = true;
        validation.set_required_spec_claims(&["exp", "iss"]);
        validation.set_issuer(&[&settings.issuer]);
        if settings.audiences.is_empty() {
            validation.validate_aud = false;
        } else {
            validation.set_audience(&settings.audiences);
        }
        match jsonwebtoken::decode::<Map<String, Value>>(token, &key.key, &validation) {
            Ok(data) => return Ok(data.claims),
            Err(e) => {
                let error = match e.kind() {
                    // A token without `aud` where audiences are required.
                    ErrorKind::MissingRequiredClaim(claim) if claim == "aud" => {
                        TokenError::Audience
                    }
                    kind => map_error(kind),
                };
                // The signature is what tells keys apart; anything after it is the
                // token's own problem and final.
                if error != TokenError::BadSignature {
                    return Err(error);
                }
                best = Some(error);
            }
        }
    }
    Err(best.unwrap_or(TokenError::BadSignature))
}
