//! `/revocations` on the admin listener: list, add and lift revocations.
//!
//! - `GET /revocations`: 200, the live revocations as a JSON list, oldest first.
//! - `POST /revocations` with `{"jti": "..."}` or `{"user": "name"}` (and optionally
//!   `"expires_at"`, Unix seconds, for tokens that outlive what this configuration
//!   issues): 201 and the stored revocation.
//! - `DELETE /revocations/jti/<id>` or `/revocations/user/<name>` (percent-encoded): 204,
//!   or 404 when there was none.
//!
//! Every call, reads included (the list names users), is accepted from a loopback peer,
//! or with `Authorization: Bearer <[admin] token>` when one is configured: the admin port
//! is reachable from the whole cluster network for the probes. Bad input is a 4xx JSON
//! `{"error", "message"}`; a store that does not acknowledge is 503, never a 201.

use std::time::Duration;

use pingora::protocols::http::ServerSession;
use serde::Deserialize;
use subtle::ConstantTimeEq as _;

use crate::iso8601::unix_now;
use crate::revocations::Target;
use crate::state::State;
use crate::users::UserKey;

/// The largest `POST /revocations` body read.
const BODY_LIMIT: usize = 4096;
const BODY_TIMEOUT: Duration = Duration::from_secs(5);
/// The longest `jti` or username accepted.
const MAX_ID_BYTES: usize = 1024;

const JSON: &str = "application/json";

/// The body of `POST /revocations`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewRevocation {
    jti: Option<String>,
    user: Option<String>,
    expires_at: Option<u64>,
}

pub async fn endpoint(
    session: &mut ServerSession,
    state: &State,
    method: &http::Method,
    path: &str,
) -> http::Response<Vec<u8>> {
    if let Some(refusal) = refusal(session, state) {
        return refusal;
    }
    match (method, path.strip_prefix("/revocations")) {
        (&http::Method::GET | &http::Method::HEAD, Some("")) => list(state).await,
        (&http::Method::POST, Some("")) => add(session, state).await,
        (&http::Method::DELETE, Some(rest)) => match parse_target(rest) {
            Some(target) => lift(state, target).await,
            None => error(
                404,
                "not_found",
                "expected /revocations/jti/<id> or /revocations/user/<name>",
            ),
        },
        (_, Some("")) => super::method_not_allowed("GET, HEAD, POST"),
        (_, _) => super::method_not_allowed("DELETE"),
    }
}

/// `None` from loopback or with the configured bearer token; otherwise the refusal.
fn refusal(session: &ServerSession, state: &State) -> Option<http::Response<Vec<u8>>> {
    if super::from_loopback(session) {
        return None;
    }
    let Some(token) = &state.config.admin.token else {
        return Some(error(
            403,
            "forbidden",
            "/revocations is accepted from loopback clients only; configure [admin] token_env or token_file for remote calls",
        ));
    };
    let presented = session
        .req_header()
        .headers
        .get(http::header::AUTHORIZATION)
        .and_then(|value| value.as_bytes().strip_prefix(b"Bearer "));
    if presented.is_some_and(|presented| bool::from(presented.ct_eq(token.expose()))) {
        return None;
    }
    let mut refusal = error(
        401,
        "unauthorized",
        "a valid admin bearer token is required",
    );
    refusal.headers_mut().insert(
        http::header::WWW_AUTHENTICATE,
        http::HeaderValue::from_static("Bearer realm=\"gatehouse-admin\""),
    );
    Some(refusal)
}

async fn list(state: &State) -> http::Response<Vec<u8>> {
    match state.store.revocations().await {
        Ok(revocations) => json(200, &revocations),
        Err(e) => store_error(&e),
    }
}

async fn add(session: &mut ServerSession, state: &State) -> http::Response<Vec<u8>> {
    let body = match crate::body::read_bounded(session, BODY_LIMIT, BODY_TIMEOUT).await {
        Ok(body) => body,
        Err(e) => return error(e.status(), "bad_request", &e.to_string()),
    };
    let request: NewRevocation = match serde_json::from_slice(&body) {
        Ok(request) => request,
        Err(e) => {
            return error(
                400,
                "bad_request",
                &format!("expected {{\"jti\": \"...\"}} or {{\"user\": \"...\"}}: {e}"),
            )
        }
    };
    let target = match (request.jti, request.user) {
        (Some(jti), None) => Target::Jti(jti),
        (None, Some(user)) => Target::User(user),
        _ => {
            return error(
                400,
                "bad_request",
                "give exactly one of \"jti\" and \"user\"",
            )
        }
    };
    if target.id().is_empty() || target.id().len() > MAX_ID_BYTES {
        return error(
            400,
            "bad_request",
            &format!("\"{}\" must be 1 to {MAX_ID_BYTES} bytes", target.kind()),
        );
    }
    if let Target::User(name) = &target {
        match state.verifier.users().find(UserKey::Username(name)).await {
            Ok(Some(_)) => {}
            Ok(None) => return error(404, "unknown_user", "no such user"),
            Err(e) => return error(503, "users_unavailable", &e.to_string()),
        }
    }
    let now = unix_now();
    let keep_for = match request.expires_at {
        None => state.revocation_keep,
        Some(at) if at > now => Duration::from_secs(at - now),
        Some(_) => return error(400, "bad_request", "\"expires_at\" must be in the future"),
    };
    match state.store.revoke(target, keep_for).await {
        Ok(stored) => {
            log::info!(
                "revoked {} {:?} until {}",
                stored.target.kind(),
                stored.target.id(),
                stored.expires_at
            );
            json(201, &stored)
        }
        Err(e) => store_error(&e),
    }
}

async fn lift(state: &State, target: Target) -> http::Response<Vec<u8>> {
    match state.store.lift(target.clone()).await {
        Ok(true) => {
            log::info!(
                "lifted the revocation of {} {:?}",
                target.kind(),
                target.id()
            );
            super::text(204, Vec::new(), JSON)
        }
        Ok(false) => error(404, "not_found", "no such revocation"),
        Err(e) => store_error(&e),
    }
}

/// `/jti/<id>` or `/user/<name>`, percent-decoded.
fn parse_target(rest: &str) -> Option<Target> {
    let (kind, id) = rest.strip_prefix('/')?.split_once('/')?;
    let id = percent_decode(id)?;
    if id.is_empty() {
        return None;
    }
    Target::from_parts(kind, id)
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn json(status: u16, value: &impl serde::Serialize) -> http::Response<Vec<u8>> {
    let mut body = serde_json::to_vec(value).unwrap_or_default();
    body.push(b'\n');
    super::text(status, body, JSON)
}

fn error(status: u16, code: &str, message: &str) -> http::Response<Vec<u8>> {
    json(
        status,
        &serde_json::json!({"error": code, "message": message}),
    )
}

fn store_error(e: &crate::store::StoreError) -> http::Response<Vec<u8>> {
    let mut response = error(503, "store_unavailable", &e.to_string());
    response.headers_mut().insert(
        http::header::RETRY_AFTER,
        http::HeaderValue::from_static("1"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_read_from_the_path_percent_decoded() {
        assert_eq!(
            parse_target("/jti/abc%2Fdef"),
            Some(Target::Jti("abc/def".into()))
        );
        assert_eq!(
            parse_target("/user/J%C3%BCrgen"),
            Some(Target::User("Jürgen".into()))
        );
        assert_eq!(parse_target("/user/"), None);
        assert_eq!(parse_target("/group/x"), None);
        assert_eq!(parse_target("/jti/%zz"), None);
        assert_eq!(parse_target("/jti/%f"), None);
        assert_eq!(parse_target(""), None);
    }
}
