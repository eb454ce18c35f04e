//! HTTP/2 on both sides: `[listen] h2c`, `h2`, `h2_max_concurrent_streams`,
//! `h2_idle_timeout`, and `[upstream] protocol`.

use std::time::Duration;

use super::Validator;
use crate::config::error::KeyPath;
use crate::config::schema::{RawListen, RawUpstream};
use crate::config::{ListenHttp2, UpstreamProtocol};

/// RFC 9113 §6.5.2 recommends allowing at least 100; more lets one client hold more of
/// the proxy's memory and upstream connections at once.
const DEFAULT_MAX_CONCURRENT_STREAMS: u32 = 100;

impl Validator<'_, '_> {
    pub(super) fn listen_http2(&mut self, raw: &RawListen, at: &KeyPath) -> ListenHttp2 {
        let tls = raw.tls.is_some();
        if tls && raw.h2c == Some(true) {
            self.problems.at(
                &at.key("h2c"),
                "applies to a plaintext listener; with `tls`, HTTP/2 is offered by ALPN (`h2`)",
            );
        }
        if !tls && raw.h2.is_some() {
            self.problems.at(
                &at.key("h2"),
                "only applies with `tls` (ALPN); a plaintext listener takes `h2c = true`",
            );
        }
        let max_concurrent_streams = raw
            .h2_max_concurrent_streams
            .unwrap_or(DEFAULT_MAX_CONCURRENT_STREAMS);
        if !(1..=10_000).contains(&max_concurrent_streams) {
            self.problems.at(
                &at.key("h2_max_concurrent_streams"),
                "must be between 1 and 10000",
            );
        }
        let idle_timeout = self.duration(
            raw.h2_idle_timeout.as_deref(),
            Duration::from_secs(60),
            &at.key("h2_idle_timeout"),
        );
        if idle_timeout.is_zero() {
            self.problems
                .at(&at.key("h2_idle_timeout"), "must be longer than 0s");
        }
        ListenHttp2 {
            h2c: !tls && raw.h2c.unwrap_or(false),
            alpn_h2: tls && raw.h2.unwrap_or(true),
            max_concurrent_streams,
            idle_timeout,
        }
    }

    /// `tls` is whether the upstream connection is TLS; `echo` whether it is the
    /// built-in echo upstream.
    pub(super) fn upstream_protocol(
        &mut self,
        raw: &RawUpstream,
        tls: bool,
        echo: bool,
        at: &KeyPath,
    ) -> UpstreamProtocol {
        let protocol = match raw.protocol.as_deref() {
            None | Some("http1") => UpstreamProtocol::Http1,
            Some("h2") => UpstreamProtocol::H2,
            Some("h2c") => UpstreamProtocol::H2c,
            Some(other) => {
                self.problems.at(
                    &at.key("protocol"),
                    format!("expected \"http1\", \"h2\" (TLS) or \"h2c\", found {other:?}"),
                );
                return UpstreamProtocol::Http1;
            }
        };
        match protocol {
            UpstreamProtocol::H2 if echo => self.problems.at(
                &at.key("protocol"),
                "\"h2\" is HTTP/2 over TLS; the built-in echo upstream takes \"http1\" or \"h2c\"",
            ),
            UpstreamProtocol::H2 if !tls => self.problems.at(
                &at.key("protocol"),
                "\"h2\" is HTTP/2 over TLS: set `tls = true`, or use \"h2c\" for cleartext",
            ),
            UpstreamProtocol::H2c if tls => self.problems.at(
                &at.key("protocol"),
                "\"h2c\" is cleartext HTTP/2: with `tls = true` use \"h2\"",
            ),
            _ => {}
        }
        protocol
    }
}
