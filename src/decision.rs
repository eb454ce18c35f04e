//! What happens to a proxied request, decided from its head alone: answered by a
//! dialect, forwarded (public, or as a verified identity), or refused, and why.
//!
//! ```text
//! decide ─ oversized? ─ framing? ─ normalise path ─┬─ dialect endpoint ─▶ Answer
//!                                                  ├─ public route ─────▶ Public
//!                                                  └─ credential ─▶ rate limit ─▶ verifier ─▶ revoked? ─▶ roles ─▶ Authenticated
//!                                                        every step may end in Refuse(..)
//! ```
//!
//! Plain code over a [`State`]: no Pingora session, no sockets, so every rule is unit
//! tested (`decision/tests.rs`). `proxy.rs` calls [`decide`] and carries the [`Decision`]
//! to the later hooks; nothing else writes the request's outcome.
//!
//! Order that matters: for password credentials the failed-password limit is asked
//! before the verifier's cache (`passwords.rs`), so a locked-out username is refused even
//! with a cached correct password.

use std::net::IpAddr;
use std::sync::Arc;

use pingora::http::RequestHeader;
use pingora::{ErrorSource, ErrorType};

use crate::credentials::{CredentialError, CredentialKind};
use crate::dialects::Endpoint;
use crate::framing::{check_framing, oversized, sent_as};
use crate::identity::Identity;
use crate::metrics::Outcome;
use crate::passwords::Attempt;
use crate::ratelimit::FailureLimiter;
use crate::respond::Refusal;
use crate::revocations::RevocationRefusal;
use crate::routes::{normalize_path, Access};
use crate::state::State;
use crate::verifier::AuthError;

/// Everything the later hooks need to know about a request.
#[derive(Debug)]
pub struct Decision {
    pub verdict: Verdict,
    /// The normalised path, when it differs from the target as sent: the upstream and
    /// the access log get this one.
    pub rewritten_path: Option<String>,
    /// Where the credential was found, once one was (also on refusals after that).
    pub credential: Option<CredentialKind>,
    /// The verified identity; set on a 403 too, for the access log.
    pub identity: Option<Arc<Identity>>,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// A dialect endpoint (or JWKS) answers; nothing is forwarded.
    Answer(Endpoint),
    /// Forwarded without identity: the route is public.
    Public,
    /// Forwarded with the identity headers of [`Decision::identity`].
    Authenticated,
    Refuse(Refusal),
}

impl Decision {
    fn new(verdict: Verdict) -> Self {
        Self {
            verdict,
            rewritten_path: None,
            credential: None,
            identity: None,
        }
    }

    /// The `outcome` label of metrics and the access log.
    pub fn outcome(&self) -> Outcome {
        match &self.verdict {
            Verdict::Answer(_) => Outcome::Answered,
            Verdict::Public => Outcome::Public,
            Verdict::Authenticated => Outcome::Forwarded,
            Verdict::Refuse(refusal) => refusal_outcome(refusal),
        }
    }
}

/// Decides a request. `peer` is the TCP peer; behind a trusted proxy the client address
/// the rate limits count comes from `X-Forwarded-For` (`forwarded.rs`).
pub async fn decide(
    state: &State,
    limiter: &FailureLimiter,
    request: &RequestHeader,
    peer: IpAddr,
) -> Decision {
    if let Some(refusal) = oversized(&state.config.listen, request) {
        return Decision::new(Verdict::Refuse(refusal));
    }
    if let Err(refusal) = check_framing(request) {
        return Decision::new(Verdict::Refuse(refusal));
    }
    let path = match normalize_path(request.uri.path()) {
        Ok(path) => path,
        Err(e) => return Decision::new(Verdict::Refuse(Refusal::BadRequest(e.to_string()))),
    };
    let mut decision = Decision::new(Verdict::Public);
    // The upstream gets exactly the path gatehouse routed on: rewrite whenever the target
    // as sent differs from it (dot segments, encodings, absolute-form).
    if !sent_as(request, &path) {
        decision.rewritten_path = Some(path.clone().into_owned());
    }
    if let Some(endpoint) = state.dialects.route(&path) {
        decision.verdict = Verdict::Answer(endpoint);
        return decision;
    }
    let access = state.routes.access_for(&request.method, &path);
    if *access == Access::Public {
        decision.verdict = forward(state, request, Verdict::Public);
        return decision;
    }
    decision.verdict = match authenticate(state, limiter, request, peer, &mut decision).await {
        Err(refusal) => Verdict::Refuse(refusal),
        Ok(identity) => {
            let verdict = match access {
                Access::AnyRole(roles) if !identity.has_any_role(roles) => Verdict::Refuse(
                    Refusal::Forbidden(format!("requires one of the roles: {}", roles.join(", "))),
                ),
                _ => forward(state, request, Verdict::Authenticated),
            };
            decision.identity = Some(identity);
            verdict
        }
    };
    decision
}

/// `verdict` (forwarding), unless the request is gRPC and the upstream is spoken to over
/// HTTP/1.1: Pingora would translate it, and the response's trailers (`grpc-status`)
/// would be lost on the way.
fn forward(state: &State, request: &RequestHeader, verdict: Verdict) -> Verdict {
    if !state.config.upstream.protocol.carries_grpc() && crate::grpc::is_grpc(&request.headers) {
        Verdict::Refuse(Refusal::GrpcNeedsHttp2)
    } else {
        verdict
    }
}

/// Credential → rate limit → verifier. Records the credential kind in `decision`.
async fn authenticate(
    state: &State,
    limiter: &FailureLimiter,
    request: &RequestHeader,
    peer: IpAddr,
    decision: &mut Decision,
) -> Result<Arc<Identity>, Refusal> {
    let presented = state
        .credentials
        .extract(&request.headers)
        .map_err(|e| credential_refusal(&e))?
        .ok_or_else(|| Refusal::Unauthorized {
            message: "credentials are required".into(),
            invalid_token: false,
        })?;
    decision.credential = Some(presented.kind());
    let password = presented.password_parts();
    let attempt = password.as_ref().map(|parts| {
        let username = parts.as_ref().ok().map(|p| &*p.username);
        let client = state.forwarding.client_ip(peer, &request.headers);
        Attempt::new(limiter, client, username)
    });
    if let Some(attempt) = &attempt {
        attempt
            .admit()
            .await
            .map_err(|retry| Refusal::TooManyRequests {
                retry_after_secs: retry.0,
            })?;
    }
    let verified = state.verifier.verify(presented, password.as_ref()).await;
    if let (Some(attempt), Err(error)) = (&attempt, &verified) {
        if is_failed_password(error) {
            attempt.failed().await;
        }
    }
    let identity = verified.map_err(|e| auth_refusal(&e, attempt.is_some()))?;
    // After the cache hit too: a revoked token's cached identity is never served.
    if let Some(token) = identity.token_facts() {
        state
            .store
            .mirror()
            .check(token)
            .map_err(revocation_refusal)?;
    }
    Ok(identity)
}

/// A token the revocations refuse, or cannot vouch for.
pub fn revocation_refusal(refusal: RevocationRefusal) -> Refusal {
    match refusal {
        RevocationRefusal::Revoked => Refusal::Unauthorized {
            message: "token has been revoked".into(),
            invalid_token: true,
        },
        RevocationRefusal::Unavailable => Refusal::StoreUnavailable,
    }
}

/// A credential that could not even be read. A token that is not a JWT is still an
/// invalid token (RFC 6750 §3.1), so its challenge says `error="invalid_token"`.
pub fn credential_refusal(error: &CredentialError) -> Refusal {
    Refusal::Unauthorized {
        invalid_token: matches!(
            error,
            CredentialError::NotAJwt | CredentialError::TokenTooLong(_)
        ),
        message: error.to_string(),
    }
}

/// A credential the verifier refused. `password_credential`: Basic or the header pair,
/// whose refusals (remembered ones included) never carry `invalid_token`.
pub fn auth_refusal(error: &AuthError, password_credential: bool) -> Refusal {
    let invalid_token = match error {
        AuthError::Busy(_) => return Refusal::Busy,
        AuthError::Unavailable => return Refusal::UsersUnavailable,
        AuthError::Token(_) => true,
        AuthError::Remembered(_) => !password_credential,
        AuthError::Credential(_) | AuthError::Password => false,
    };
    Refusal::Unauthorized {
        message: error.to_string(),
        invalid_token,
    }
}

/// Whether a refused password credential counts against the failed-password limits: a
/// wrong password, an unreadable Basic credential, or a remembered refusal of either.
/// A full hash pool checked nothing, so it does not count.
pub fn is_failed_password(error: &AuthError) -> bool {
    matches!(
        error,
        AuthError::Password | AuthError::Credential(_) | AuthError::Remembered(_)
    )
}

/// What a request becomes when proxying it failed (Pingora's `fail_to_proxy`).
#[derive(Debug, PartialEq, Eq)]
pub enum ProxyFailure {
    /// The upstream failed: 502, or 504 when it timed out.
    Upstream(Refusal),
    /// The client went away: nobody to answer.
    ClientGone,
    /// The client sent something Pingora could not parse: 400.
    MalformedRequest,
    /// Anything else: 500.
    Internal,
}

impl ProxyFailure {
    /// The request's `outcome` label after this failure (`None`: the client left, and
    /// the outcome stays what it was).
    pub fn outcome(&self) -> Option<Outcome> {
        match self {
            ProxyFailure::Upstream(_) | ProxyFailure::Internal => Some(Outcome::UpstreamError),
            ProxyFailure::MalformedRequest => Some(Outcome::BadRequest),
            ProxyFailure::ClientGone => None,
        }
    }
}

pub fn proxy_failure(kind: &ErrorType, source: &ErrorSource) -> ProxyFailure {
    use ErrorType::*;
    match kind {
        ConnectTimedout | ReadTimedout | WriteTimedout => {
            ProxyFailure::Upstream(Refusal::GatewayTimeout)
        }
        _ if source == &ErrorSource::Upstream => ProxyFailure::Upstream(Refusal::BadGateway),
        ConnectRefused | ConnectNoRoute | ConnectError => {
            ProxyFailure::Upstream(Refusal::BadGateway)
        }
        WriteError | ReadError | ConnectionClosed if source == &ErrorSource::Downstream => {
            ProxyFailure::ClientGone
        }
        _ if source == &ErrorSource::Downstream => ProxyFailure::MalformedRequest,
        _ => ProxyFailure::Internal,
    }
}

/// The `outcome` label of a refusal.
pub fn refusal_outcome(refusal: &Refusal) -> Outcome {
    match refusal {
        Refusal::BadRequest(_) | Refusal::UriTooLong | Refusal::HeadersTooLarge => {
            Outcome::BadRequest
        }
        Refusal::Unauthorized { .. } => Outcome::Unauthorized,
        Refusal::Forbidden(_) => Outcome::Forbidden,
        Refusal::TooManyRequests { .. } => Outcome::RateLimited,
        Refusal::Busy | Refusal::StoreUnavailable | Refusal::UsersUnavailable => Outcome::Busy,
        Refusal::BadGateway | Refusal::GatewayTimeout | Refusal::GrpcNeedsHttp2 => {
            Outcome::UpstreamError
        }
    }
}

#[cfg(test)]
mod tests;
