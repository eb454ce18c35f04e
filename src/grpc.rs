//! gRPC on the request path: which requests are gRPC, and refusing one in the shape a
//! gRPC client reads. A gRPC client does not look at HTTP statuses or JSON bodies: it
//! reads `grpc-status` and `grpc-message`, which a server that answers without a body
//! sends in the response head ("Trailers-Only", gRPC over HTTP/2 spec), with HTTP 200.
//!
//! Codes follow gRPC's HTTP-to-gRPC mapping (`doc/http-grpc-status-mapping.md`), except
//! a rate limit, which is `RESOURCE_EXHAUSTED` as gRPC's own servers report quota.

use http::header::{HeaderMap, HeaderName, HeaderValue, CONTENT_TYPE};

use http::header::RETRY_AFTER;

use crate::respond::{LocalResponse, Refusal};

pub static GRPC_STATUS: HeaderName = HeaderName::from_static("grpc-status");
pub static GRPC_MESSAGE: HeaderName = HeaderName::from_static("grpc-message");

/// A gRPC status code (`google.rpc.Code`), those gatehouse answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrpcCode {
    Unknown = 2,
    PermissionDenied = 7,
    ResourceExhausted = 8,
    Unimplemented = 12,
    Internal = 13,
    Unavailable = 14,
    Unauthenticated = 16,
}

impl GrpcCode {
    /// The code a gRPC client sees for a refusal that has `status` on plain HTTP.
    pub fn for_http_status(status: u16) -> Self {
        match status {
            400 | 414 | 431 => GrpcCode::Internal,
            401 => GrpcCode::Unauthenticated,
            403 => GrpcCode::PermissionDenied,
            429 => GrpcCode::ResourceExhausted,
            501 => GrpcCode::Unimplemented,
            502..=504 => GrpcCode::Unavailable,
            500 => GrpcCode::Internal,
            _ => GrpcCode::Unknown,
        }
    }

    fn header_value(self) -> HeaderValue {
        HeaderValue::from(self as u16)
    }
}

/// Whether a request is gRPC: `content-type: application/grpc`, optionally with a
/// `+format` or parameters. gRPC-Web (`application/grpc-web`) is not: it is made for
/// HTTP/1.1 and carries its trailers in the body.
pub fn is_grpc(headers: &HeaderMap) -> bool {
    let Some(content_type) = headers.get(CONTENT_TYPE) else {
        return false;
    };
    let bytes = content_type.as_bytes();
    const PREFIX: &[u8] = b"application/grpc";
    bytes.len() >= PREFIX.len()
        && bytes[..PREFIX.len()].eq_ignore_ascii_case(PREFIX)
        && matches!(bytes.get(PREFIX.len()), None | Some(b'+' | b';' | b' '))
}

/// `refusal` as a gRPC client reads it: the code its HTTP status maps to, its message.
pub fn refusal(refusal: &Refusal) -> LocalResponse {
    let (_, message) = refusal.code_and_message();
    let mut response = trailers_only(GrpcCode::for_http_status(refusal.status()), message);
    if let Refusal::TooManyRequests { retry_after_secs } = refusal {
        response
            .headers
            .push((RETRY_AFTER, HeaderValue::from(*retry_after_secs)));
    }
    response
}

/// A Trailers-Only answer: HTTP 200, `grpc-status`, `grpc-message`, no body.
pub fn trailers_only(code: GrpcCode, message: &str) -> LocalResponse {
    let mut response = LocalResponse::empty(200)
        .with_header(CONTENT_TYPE, HeaderValue::from_static("application/grpc"))
        .with_header(GRPC_STATUS.clone(), code.header_value());
    if let Ok(message) = HeaderValue::from_str(&percent_encode(message)) {
        response = response.with_header(GRPC_MESSAGE.clone(), message);
    }
    response
}

/// `grpc-message` is percent-encoded UTF-8: every byte outside printable ASCII, and `%`.
fn percent_encode(text: &str) -> String {
    let mut encoded = String::with_capacity(text.len());
    for byte in text.bytes() {
        if (0x20..=0x7e).contains(&byte) && byte != b'%' {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_content_type(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn grpc_content_types_and_lookalikes() {
        for grpc in [
            "application/grpc",
            "application/grpc+proto",
            "application/GRPC+json",
            "application/grpc; charset=utf-8",
        ] {
            assert!(is_grpc(&with_content_type(grpc)), "{grpc}");
        }
        for other in [
            "application/grpc-web",
            "application/grpc-web+proto",
            "application/grpcx",
            "application/json",
            "text/grpc",
        ] {
            assert!(!is_grpc(&with_content_type(other)), "{other}");
        }
        assert!(!is_grpc(&HeaderMap::new()));
    }

    #[test]
    fn refusal_statuses_map_to_what_grpc_clients_act_on() {
        assert_eq!(GrpcCode::for_http_status(401), GrpcCode::Unauthenticated);
        assert_eq!(GrpcCode::for_http_status(403), GrpcCode::PermissionDenied);
        assert_eq!(GrpcCode::for_http_status(429), GrpcCode::ResourceExhausted);
        for status in [502, 503, 504] {
            assert_eq!(GrpcCode::for_http_status(status), GrpcCode::Unavailable);
        }
        assert_eq!(GrpcCode::for_http_status(400), GrpcCode::Internal);
        assert_eq!(GrpcCode::for_http_status(501), GrpcCode::Unimplemented);
        assert_eq!(GrpcCode::for_http_status(418), GrpcCode::Unknown);
    }

    #[test]
    fn trailers_only_has_status_message_and_no_body() {
        let response = trailers_only(GrpcCode::Unauthenticated, "no credentials: 100% é");
        assert_eq!(response.status, 200);
        assert!(response.body.is_empty());
        let header = |name: &HeaderName| {
            response
                .headers
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.to_str().unwrap().to_owned())
        };
        assert_eq!(header(&CONTENT_TYPE).as_deref(), Some("application/grpc"));
        assert_eq!(header(&GRPC_STATUS).as_deref(), Some("16"));
        assert_eq!(
            header(&GRPC_MESSAGE).as_deref(),
            Some("no credentials: 100%25 %C3%A9")
        );
    }
}
