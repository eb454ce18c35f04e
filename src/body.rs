//! Reading a request body that gatehouse answers itself (dialect endpoints on the proxy
//! port, `PUT /log-level` on the admin port), with a size cap and a time limit. Bodies of
//! proxied requests are never read here: they stream to the upstream untouched.
//!
//! Pingora imposes no body limit of its own, and does not answer `Expect: 100-continue`
//! (curl then waits a second before sending a body over 1 KiB). So:
//! 1. a `Content-Length` over the limit is refused before a byte is read;
//! 2. `100 Continue` is sent only when the body will be read;
//! 3. chunked (or HTTP/2) bodies are counted as they arrive and refused at the limit;
//! 4. the whole read must finish within the timeout (slow uploads end with 408).

use std::time::Duration;

use bytes::{Bytes, BytesMut};
use pingora::protocols::http::ServerSession;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    #[error("request body is larger than {0} bytes")]
    TooLarge(usize),
    #[error("request body was not received in time")]
    Timeout,
    #[error("request body could not be read")]
    Read,
}

impl BodyError {
    /// The status that answers it: 413, 408 or 400.
    pub fn status(&self) -> u16 {
        match self {
            BodyError::TooLarge(_) => 413,
            BodyError::Timeout => 408,
            BodyError::Read => 400,
        }
    }
}

/// Reads the whole body, at most `limit` bytes, within `timeout`. (A proxy `Session`
/// passes itself as `&mut *session`.)
pub async fn read_bounded(
    session: &mut ServerSession,
    limit: usize,
    timeout: Duration,
) -> Result<Bytes, BodyError> {
    let declared = session
        .req_header()
        .headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|len| len > limit as u64) {
        return Err(BodyError::TooLarge(limit));
    }
    if session.is_body_empty() {
        return Ok(Bytes::new());
    }
    let expects_continue = session
        .req_header()
        .headers
        .get(http::header::EXPECT)
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"100-continue"));
    let read = async {
        if expects_continue {
            session
                .write_continue_response()
                .await
                .map_err(|_| BodyError::Read)?;
        }
        let mut body = BytesMut::with_capacity(declared.map_or(1024, |len| len as usize));
        while let Some(chunk) = session
            .read_request_body()
            .await
            .map_err(|_| BodyError::Read)?
        {
            if body.len() + chunk.len() > limit {
                return Err(BodyError::TooLarge(limit));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body.freeze())
    };
    tokio::time::timeout(timeout, read)
        .await
        .map_err(|_| BodyError::Timeout)?
}
