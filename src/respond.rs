//! Responses gatehouse writes itself, and the one place where refusals on proxied
//! traffic get their status, JSON body and headers (DESIGN "Refusals").
//!
//! Shapes: `{"error":"<code>","message":"<text>"}` with
//! 400 `bad_request`, 401 `unauthorized` (+ `WWW-Authenticate`), 403 `forbidden`,
//! 429 `too_many_requests` (+ `Retry-After`), 503 `busy` (+ `Retry-After`),
//! 502 `bad_gateway`, 504 `gateway_timeout`. Every local response carries
//! `Cache-Control: no-store`. A gRPC request gets the same refusals in gRPC's shape
//! (`grpc::refusal`). Dialect endpoints render their own documented shapes and
//! only use [`LocalResponse`] and [`send`] from here.

use bytes::Bytes;
use http::header::{
    HeaderName, HeaderValue, CACHE_CONTROL, CONTENT_LENGTH, CONTENT_TYPE, RETRY_AFTER,
    WWW_AUTHENTICATE,
};
use pingora::http::ResponseHeader;
use pingora::protocols::http::ServerSession;
use pingora::proxy::Session;

/// A complete response built without Pingora types, so deciding code stays testable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalResponse {
    pub status: u16,
    pub headers: Vec<(HeaderName, HeaderValue)>,
    pub body: Bytes,
}

impl LocalResponse {
    pub fn json(status: u16, body: &serde_json::Value) -> Self {
        Self::json_bytes(status, Bytes::from(body.to_string()))
    }

    pub fn json_bytes(status: u16, body: Bytes) -> Self {
        Self {
            status,
            headers: vec![(CONTENT_TYPE, HeaderValue::from_static("application/json"))],
            body,
        }
    }

    pub fn empty(status: u16) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: Bytes::new(),
        }
    }

    /// The same answer as a 503 with `Retry-After: 1`: what a dialect says in its own
    /// server-error shape when the user database does not answer.
    pub fn unavailable(mut self) -> Self {
        self.status = 503;
        self.with_header(RETRY_AFTER, HeaderValue::from_static("1"))
    }

    pub fn with_header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.push((name, value));
        self
    }
}

/// Why a proxied request is not forwarded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    BadRequest(String),
    /// `invalid_token` is set when a token was presented and refused (RFC 6750 §3.1).
    Unauthorized {
        message: String,
        invalid_token: bool,
    },
    Forbidden(String),
    TooManyRequests {
        retry_after_secs: u64,
    },
    /// 414: the request target is longer than `[listen] max_uri_bytes`.
    UriTooLong,
    /// 431: the request head is larger than `[listen] max_header_bytes`.
    HeadersTooLarge,
    Busy,
    /// 503: the state store cannot say whether a token is revoked (`revocations.rs`).
    StoreUnavailable,
    /// 503: the user database did not answer (`users/database.rs`).
    UsersUnavailable,
    /// 503: an external issuer's keys are not usable (`issuers.rs`).
    IssuerUnavailable,
    BadGateway,
    GatewayTimeout,
    /// 501: a gRPC request, and the upstream is spoken to over HTTP/1.1, which cannot
    /// carry gRPC's trailers (`[upstream] protocol`).
    GrpcNeedsHttp2,
}

/// The `WWW-Authenticate` challenges this deployment offers, built once from config.
#[derive(Debug, Clone)]
pub struct Challenges {
    pub bearer: Option<HeaderValue>,
    pub bearer_invalid: Option<HeaderValue>,
    pub basic: Option<HeaderValue>,
}

impl Challenges {
    pub fn new(realm: &str, bearer: bool, basic: bool) -> Self {
        // The realm is validated as a quoted-string-safe token in config.
        let value = |s: String| HeaderValue::from_str(&s).ok();
        Self {
            bearer: bearer
                .then(|| value(format!("Bearer realm=\"{realm}\"")))
                .flatten(),
            bearer_invalid: bearer
                .then(|| value(format!("Bearer realm=\"{realm}\", error=\"invalid_token\"")))
                .flatten(),
            basic: basic
                .then(|| value(format!("Basic realm=\"{realm}\", charset=\"UTF-8\"")))
                .flatten(),
        }
    }
}

impl Refusal {
    pub fn status(&self) -> u16 {
        match self {
            Refusal::BadRequest(_) => 400,
            Refusal::Unauthorized { .. } => 401,
            Refusal::Forbidden(_) => 403,
            Refusal::TooManyRequests { .. } => 429,
            Refusal::UriTooLong => 414,
            Refusal::HeadersTooLarge => 431,
            Refusal::Busy
            | Refusal::StoreUnavailable
            | Refusal::UsersUnavailable
            | Refusal::IssuerUnavailable => 503,
            Refusal::BadGateway => 502,
            Refusal::GatewayTimeout => 504,
            Refusal::GrpcNeedsHttp2 => 501,
        }
    }

    /// The JSON `error` code and the `message`.
    pub fn code_and_message(&self) -> (&str, &str) {
        match self {
            Refusal::BadRequest(m) => ("bad_request", m),
            Refusal::Unauthorized { message, .. } => ("unauthorized", message),
            Refusal::Forbidden(m) => ("forbidden", m),
            Refusal::TooManyRequests { .. } => (
                "too_many_requests",
                "too many failed attempts; try again later",
            ),
            Refusal::UriTooLong => ("uri_too_long", "the request target is too long"),
            Refusal::HeadersTooLarge => (
                "request_header_fields_too_large",
                "the request headers are too large",
            ),
            Refusal::Busy => (
                "busy",
                "too many credential checks in progress; try again shortly",
            ),
            Refusal::StoreUnavailable => (
                "store_unavailable",
                "cannot check revocations right now; try again shortly",
            ),
            Refusal::UsersUnavailable => (
                "users_unavailable",
                "cannot look up users right now; try again shortly",
            ),
            Refusal::IssuerUnavailable => (
                "issuer_unavailable",
                "cannot check the token's issuer right now; try again shortly",
            ),
            Refusal::BadGateway => ("bad_gateway", "the upstream service is unavailable"),
            Refusal::GatewayTimeout => (
                "gateway_timeout",
                "the upstream service did not answer in time",
            ),
            Refusal::GrpcNeedsHttp2 => (
                "not_implemented",
                "gRPC needs HTTP/2 to the upstream, and [upstream] protocol is http1",
            ),
        }
    }

    pub fn to_response(&self, challenges: &Challenges) -> LocalResponse {
        let (code, message) = self.code_and_message();
        let mut response = LocalResponse::json(
            self.status(),
            &serde_json::json!({"error": code, "message": message}),
        );
        match self {
            Refusal::Unauthorized { invalid_token, .. } => {
                let bearer = if *invalid_token {
                    &challenges.bearer_invalid
                } else {
                    &challenges.bearer
                };
                for challenge in [bearer, &challenges.basic].into_iter().flatten() {
                    response.headers.push((WWW_AUTHENTICATE, challenge.clone()));
                }
            }
            Refusal::TooManyRequests { retry_after_secs } => {
                response
                    .headers
                    .push((RETRY_AFTER, HeaderValue::from(*retry_after_secs)));
            }
            Refusal::Busy
            | Refusal::StoreUnavailable
            | Refusal::UsersUnavailable
            | Refusal::IssuerUnavailable => response
                .headers
                .push((RETRY_AFTER, HeaderValue::from_static("1"))),
            _ => {}
        }
        response
    }
}

/// Writes `response` to the client. `close` turns keepalive off: used when the request
/// body was not read, so Pingora does not drain an upload nobody wants.
pub async fn send(
    session: &mut Session,
    response: LocalResponse,
    close: bool,
) -> pingora::Result<()> {
    let mut header = ResponseHeader::build(response.status, Some(response.headers.len() + 2))?;
    for (name, value) in response.headers {
        header.append_header(name, value)?;
    }
    header.insert_header(CONTENT_LENGTH, response.body.len())?;
    if !header.headers.contains_key(CACHE_CONTROL) {
        header.insert_header(CACHE_CONTROL, HeaderValue::from_static("no-store"))?;
    }
    if close {
        session.set_keepalive(None);
    }
    let empty = response.body.is_empty();
    // On HTTP/2 a response without a body ends its stream in the HEADERS frame: that is
    // what gRPC's Trailers-Only refusals are, and Pingora's session API would instead
    // end it with an empty DATA frame, which gRPC clients take for a broken response.
    // (Skipping the downstream modules is harmless: gatehouse has none that act on a
    // body-less local response.)
    if empty {
        if let ServerSession::H2(stream) = session.as_downstream_mut() {
            return stream.write_response_header(Box::new(header), true);
        }
    }
    session
        .write_response_header(Box::new(header), empty)
        .await?;
    if !empty {
        session
            .write_response_body(Some(response.body), true)
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unauthorized_offers_each_accepted_scheme() {
        let challenges = Challenges::new("gatehouse", true, true);
        let r = Refusal::Unauthorized {
            message: "no credentials".into(),
            invalid_token: false,
        }
        .to_response(&challenges);
        assert_eq!(r.status, 401);
        let body: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"error": "unauthorized", "message": "no credentials"})
        );
        let challenges: Vec<&HeaderValue> = r
            .headers
            .iter()
            .filter(|(n, _)| n == WWW_AUTHENTICATE)
            .map(|(_, v)| v)
            .collect();
        assert_eq!(
            challenges,
            [
                r#"Bearer realm="gatehouse""#,
                r#"Basic realm="gatehouse", charset="UTF-8""#
            ]
        );

        let r = Refusal::Unauthorized {
            message: "x".into(),
            invalid_token: true,
        }
        .to_response(&Challenges::new("gatehouse", true, false));
        let values: Vec<_> = r
            .headers
            .iter()
            .filter(|(n, _)| n == WWW_AUTHENTICATE)
            .collect();
        assert_eq!(values.len(), 1);
        assert_eq!(
            values[0].1,
            r#"Bearer realm="gatehouse", error="invalid_token""#
        );
    }

    #[test]
    fn shapes_and_retry_after() {
        let c = Challenges::new("r", true, true);
        let r = Refusal::TooManyRequests {
            retry_after_secs: 30,
        }
        .to_response(&c);
        assert_eq!(r.status, 429);
        assert!(r.headers.iter().any(|(n, v)| n == RETRY_AFTER && v == "30"));
        let body: serde_json::Value =
            serde_json::from_slice(&Refusal::GatewayTimeout.to_response(&c).body).unwrap();
        assert_eq!(body["error"], "gateway_timeout");
        assert_eq!(Refusal::Forbidden("no".into()).to_response(&c).status, 403);
    }
}
