//! HTTP/2 settings turned into Pingora's: the proxy listener's server options (h2c,
//! idle connections) and HTTP/2 limits, and the upstream peer's protocol.
//!
//! The listener's limits are what stands between one client and the proxy's memory:
//! concurrent streams, the decoded header list (HPACK bombs, CONTINUATION floods: h2
//! stops reading a header block once it is over the limit), and streams a client resets
//! before they are accepted (rapid reset, CVE-2023-44487: the connection is closed with
//! ENHANCE_YOUR_CALM).

use std::time::Duration;

use pingora::apps::HttpServerOptions;
use pingora::protocols::http::v2::server::{default_h2_options, H2Options};
use pingora::protocols::ALPN;
use pingora::upstreams::peer::HttpPeer;

use crate::config::{Listen, UpstreamProtocol};

/// Streams reset by the client before the proxy took them; h2's default (20) since the
/// rapid-reset fixes, made explicit here because it is the CVE-2023-44487 bound.
const MAX_PENDING_RESET_STREAMS: usize = 20;

/// Resets gatehouse may be made to send for a client's protocol errors before the
/// connection is closed; h2's default.
const MAX_LOCAL_ERROR_RESETS: usize = 1024;

/// Streams gatehouse multiplexes on one upstream HTTP/2 connection before opening
/// another; gRPC servers commonly allow 100.
const UPSTREAM_MAX_STREAMS: usize = 100;

/// The listener's server options: h2c by prior knowledge, and when an idle HTTP/2
/// connection is closed (streams that are open, however quiet, keep it).
pub fn server_options(listen: &Listen) -> HttpServerOptions {
    let mut options = HttpServerOptions::default();
    options.h2c = listen.http2.h2c;
    options.h2_idle_timeout = Some(listen.http2.idle_timeout);
    options
}

/// The listener's HTTP/2 limits.
pub fn h2_options(listen: &Listen) -> H2Options {
    let mut options = default_h2_options();
    options
        .max_concurrent_streams(listen.http2.max_concurrent_streams)
        .max_header_list_size(header_list_limit(listen.max_header_bytes))
        .max_pending_accept_reset_streams(MAX_PENDING_RESET_STREAMS)
        .max_local_error_reset_streams(Some(MAX_LOCAL_ERROR_RESETS));
    options
}

/// HTTP/2 counts 32 bytes per field on top of name and value (RFC 9113 §6.5.2), where
/// `max_header_bytes` counts 4 (`": "`, CRLF): the decoder's bound is doubled so that a
/// head `framing.rs` accepts on HTTP/1.1 is also decoded on HTTP/2, and `framing.rs`
/// then applies the one limit to both.
fn header_list_limit(max_header_bytes: usize) -> u32 {
    u32::try_from(max_header_bytes.saturating_mul(2)).unwrap_or(u32::MAX)
}

/// Sets the peer's protocol. A TLS peer offering only `h2` fails the handshake against
/// an upstream that does not negotiate it, rather than falling back to HTTP/1.1.
pub fn configure_peer(peer: &mut HttpPeer, protocol: UpstreamProtocol) {
    match protocol {
        UpstreamProtocol::Http1 => peer.options.alpn = ALPN::H1,
        UpstreamProtocol::H2 | UpstreamProtocol::H2c => {
            // Over plaintext, Pingora speaks HTTP/2 with prior knowledge to an h2-only peer.
            peer.options.alpn = ALPN::H2;
            peer.options.max_h2_streams = UPSTREAM_MAX_STREAMS;
        }
    }
}

/// The peer a gRPC call is sent to: without the read timeout, which would cut a healthy
/// stream that is quiet for a while (a server stream waiting for events). The call's
/// own deadline (`grpc-timeout`, enforced by both ends) bounds it instead; a client
/// that gives up resets the stream, and Pingora then ends the upstream one.
pub fn grpc_peer(peer: &HttpPeer) -> HttpPeer {
    let mut peer = peer.clone();
    peer.options.read_timeout = None;
    peer
}

/// What the listener speaks, for the start-up log.
pub fn describe(listen: &Listen) -> String {
    let idle: Duration = listen.http2.idle_timeout;
    match (listen.tls.is_some(), listen.http2.h2c, listen.http2.alpn_h2) {
        (true, _, true) => format!("HTTP/1.1 and h2 (ALPN), idle h2 closed after {idle:?}"),
        (false, true, _) => format!("HTTP/1.1 and h2c, idle h2c closed after {idle:?}"),
        _ => "HTTP/1.1".to_owned(),
    }
}
