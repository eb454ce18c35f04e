//! Checks on the request head before anything is routed: the size limits gatehouse keeps
//! for its upstream, and the RFC 9112 framing rules Pingora lets through. Plain functions
//! of a `RequestHeader`, so they are tested without sockets.

use pingora::http::RequestHeader;

use crate::config::Listen;
use crate::respond::Refusal;

/// Pingora reads request heads of up to 1 MiB; gatehouse passes on much less, so that an
/// upstream with ordinary limits never sees what it would choke on.
pub fn oversized(listen: &Listen, request: &RequestHeader) -> Option<Refusal> {
    let target = request.uri.path().len() + request.uri.query().map_or(0, |q| q.len() + 1);
    if target > listen.max_uri_bytes {
        return Some(Refusal::UriTooLong);
    }
    let head: usize = request
        .headers
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum();
    (head > listen.max_header_bytes).then_some(Refusal::HeadersTooLarge)
}

/// Refuses what RFC 9112 says to refuse and Pingora lets through: a request target that
/// is not origin-form (or absolute-form, which is rewritten), a missing `Host` on
/// HTTP/1.1, and a repeated or list-valued `Content-Length` (which an upstream could read
/// differently). Pingora itself answers 400 to conflicting lengths, obfuscated
/// `Transfer-Encoding`, obs-fold and bad bytes in header values.
pub fn check_framing(request: &RequestHeader) -> Result<(), Refusal> {
    let raw = request.raw_path();
    let origin_form = raw.first() == Some(&b'/');
    let absolute_form = raw.len() > 8
        && (raw[..7].eq_ignore_ascii_case(b"http://")
            || raw[..8].eq_ignore_ascii_case(b"https://"));
    // `*` (asterisk-form) is left to path normalisation, which names it in its refusal.
    if !origin_form && !absolute_form && raw != b"*" {
        return Err(Refusal::BadRequest(
            "the request target must be an absolute path".into(),
        ));
    }
    if request.version == http::Version::HTTP_11
        && !request.headers.contains_key(http::header::HOST)
    {
        return Err(Refusal::BadRequest(
            "HTTP/1.1 requests need a Host header".into(),
        ));
    }
    let mut lengths = request.headers.get_all(http::header::CONTENT_LENGTH).iter();
    if let Some(first) = lengths.next() {
        if lengths.next().is_some() || first.as_bytes().contains(&b',') {
            return Err(Refusal::BadRequest(
                "Content-Length must be given once, as one number".into(),
            ));
        }
    }
    Ok(())
}

/// Whether the request target, as sent, is already `path` (plus any query).
pub fn sent_as(request: &RequestHeader, path: &str) -> bool {
    let raw = request.raw_path();
    let raw_path = raw.split(|b| *b == b'?').next().unwrap_or(raw);
    raw_path == path.as_bytes()
}

#[cfg(test)]
mod tests;
