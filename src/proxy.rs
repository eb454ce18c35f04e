//! The Pingora `ProxyHttp` implementation: DESIGN's request flow, and nothing else.
//!
//! ```text
//! request_filter ─┬─ path not normal? ───────────▶ 400
//!                 ├─ route is public? ───────────▶ forward, no identity
//!                 └─ credential ─▶ verifier ─▶ 401 / 403 / 503, or forward with identity
//! upstream_request_filter: drop hop-by-hop, forged identity, credentials; set identity,
//!                          X-Forwarded-*, X-Request-Id; send the normalised path
//! fail_to_proxy: upstream refused/unreachable ─▶ 502 JSON, timed out ─▶ 504 JSON
//! ```
//!
//! Decisions are made by plain modules (`decision` for the request head, `forwarded`
//! for the upstream's headers, `respond` for refusal shapes, `dialects` for the
//! endpoints); this file moves data between them and Pingora.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use arc_swap::ArcSwap;
use async_trait::async_trait;
use http::header::HeaderValue;
use http::Version;
use pingora::http::{RequestHeader, ResponseHeader};
use pingora::prelude::HttpPeer;
use pingora::proxy::{FailToProxy, ProxyHttp, Session};
use pingora::{Error, ErrorType, Result};

use bytes::Bytes;

use crate::access_log::{AccessLogFormat, Entry};
use crate::body::{read_bounded, BodyError};
use crate::credentials::CredentialKind;
use crate::decision::{decide, proxy_failure, ProxyFailure, Verdict};
use crate::decision_endpoint::{self, DecisionSettings};
use crate::dialects::{DialectContext, DialectRequest, Endpoint};
use crate::forwarded::X_REQUEST_ID;
use crate::identity::Identity;
use crate::metrics::{Metrics, Outcome, Protocol};
use crate::respond::LocalResponse;
use crate::respond::{send, Refusal};
use crate::state::Shared;
use crate::state::{State, UpstreamPeer};

/// One configuration snapshot plus the Pingora peers built from it once.
pub struct Snapshot {
    pub state: State,
    /// `None` in decision-only mode (`[upstream] address = "none"`).
    peers: Option<Peers>,
}

struct Peers {
    plain: HttpPeer,
    /// The same upstream for gRPC calls (`http2::grpc_peer`).
    grpc: HttpPeer,
}

impl Snapshot {
    pub fn new(state: State) -> Result<Self> {
        let upstream = &state.config.upstream;
        let mut peer = match &state.upstream {
            UpstreamPeer::Echo(path) => {
                let path = path.to_str().ok_or_else(|| {
                    Error::explain(ErrorType::InternalError, "echo socket path is not UTF-8")
                })?;
                HttpPeer::new_uds(path, false, String::new())?
            }
            UpstreamPeer::Tcp(address) => {
                let tls = upstream.tls.as_ref();
                HttpPeer::new(
                    *address,
                    tls.is_some(),
                    tls.map(|t| t.sni.clone()).unwrap_or_default(),
                )
            }
            UpstreamPeer::None => return Ok(Self { state, peers: None }),
        };
        peer.options.connection_timeout = Some(upstream.connect_timeout);
        peer.options.total_connection_timeout =
            Some(upstream.connect_timeout + Duration::from_secs(1));
        peer.options.read_timeout = Some(upstream.read_timeout);
        peer.options.write_timeout = Some(upstream.write_timeout);
        peer.options.idle_timeout = Some(upstream.idle_timeout);
        if let Some(tls) = &upstream.tls {
            peer.options.verify_cert = tls.verify_cert;
            peer.options.verify_hostname = tls.verify_cert;
        }
        crate::http2::configure_peer(&mut peer, upstream.protocol);
        let grpc = crate::http2::grpc_peer(&peer);
        Ok(Self {
            state,
            peers: Some(Peers { plain: peer, grpc }),
        })
    }
}

pub struct Gatehouse {
    snapshot: Arc<ArcSwap<Snapshot>>,
    metrics: Arc<Metrics>,
    shared: Shared,
}

impl Gatehouse {
    pub fn new(snapshot: Arc<ArcSwap<Snapshot>>, shared: Shared) -> Self {
        Self {
            snapshot,
            metrics: shared.metrics.clone(),
            shared,
        }
    }

    /// Writes a locally generated response, with the request id. An unread body would be
    /// drained before the connection could be reused: close instead of reading an upload
    /// nobody wants.
    async fn respond(
        &self,
        session: &mut Session,
        ctx: &RequestCtx,
        mut response: LocalResponse,
    ) -> Result<()> {
        if let Some(id) = &ctx.request_id {
            response.headers.push((X_REQUEST_ID.clone(), id.clone()));
        }
        let close = !(session.is_body_empty() || session.is_body_done());
        send(session, response, close).await
    }

    /// Answers a dialect endpoint: read the body (bounded), let the dialect decide, write.
    async fn answer_dialect(
        &self,
        session: &mut Session,
        ctx: &mut RequestCtx,
        state: &State,
        endpoint: Endpoint,
    ) -> Result<()> {
        let now = SystemTime::now();
        let method = session.req_header().method.clone();
        let limits = &state.config.dialect_limits;
        let body = if state.dialects.wants_body(endpoint, &method) {
            match read_bounded(&mut *session, limits.max_body_bytes, limits.body_timeout).await {
                Ok(body) => body,
                Err(BodyError::TooLarge(_)) => {
                    session.set_keepalive(None);
                    return send(session, state.dialects.too_large(endpoint, now), true).await;
                }
                Err(BodyError::Timeout) => {
                    session.set_keepalive(None);
                    return send(session, LocalResponse::empty(408), true).await;
                }
                Err(BodyError::Read) => {
                    // The client went away mid-body; there is nobody to answer.
                    session.set_keepalive(None);
                    return Ok(());
                }
            }
        } else {
            Bytes::new()
        };
        ctx.dialect = Some(endpoint.name());
        let path = ctx
            .rewritten_path
            .clone()
            .unwrap_or_else(|| session.req_header().uri.path().to_owned());
        let response = {
            let headers = &session.req_header().headers;
            let request = DialectRequest {
                method: &method,
                path: &path,
                headers,
                body: &body,
                client_ip: state.forwarding.client_ip(ctx.peer_ip, headers),
                now,
            };
            let dialect_ctx = DialectContext {
                users: state.verifier.users(),
                keys: &state.keys,
                pool: &self.shared.hash_pool,
                passwords: &self.shared.passwords,
                store: &self.shared.store,
                limiter: &self.shared.limiter,
                client_ip: request.client_ip,
                counters: match endpoint {
                    Endpoint::Dialect(dialect, _) => {
                        self.shared.dialect_counters.get(dialect.index())
                    }
                    Endpoint::Jwks => None,
                },
            };
            state
                .dialects
                .answer(endpoint, &request, &dialect_ctx)
                .await
        };
        self.respond(session, ctx, response).await
    }
}

/// `uri` with its path replaced by the normalised `path`, keeping the query, and with
/// `keep_authority` the scheme and authority.
fn with_path(uri: &http::Uri, path: &str, keep_authority: bool) -> Result<http::Uri> {
    let path_and_query = match uri.query() {
        Some(query) => format!("{path}?{query}"),
        None => path.to_owned(),
    };
    let mut parts = if keep_authority {
        uri.clone().into_parts()
    } else {
        http::uri::Parts::default()
    };
    parts.path_and_query = Some(path_and_query.try_into().map_err(|_| {
        Error::explain(
            ErrorType::InternalError,
            "normalised path is not a valid URI",
        )
    })?);
    http::Uri::from_parts(parts)
        .map_err(|_| Error::explain(ErrorType::InternalError, "normalised URI is not valid"))
}

/// A failure gatehouse reports itself (not a [`Refusal`](crate::respond::Refusal)), as
/// JSON or, to a gRPC client, in gRPC's shape.
fn local_error(grpc: bool, status: u16, code: &str, message: &str) -> LocalResponse {
    if grpc {
        crate::grpc::trailers_only(crate::grpc::GrpcCode::for_http_status(status), message)
    } else {
        LocalResponse::json(
            status,
            &serde_json::json!({"error": code, "message": message}),
        )
    }
}

impl Gatehouse {
    /// Answers the decision endpoint: the original request goes through `decide` as
    /// proxied traffic would, and the verdict is told instead of acted on.
    async fn answer_decision(
        &self,
        session: &mut Session,
        ctx: &mut RequestCtx,
        state: &State,
        settings: &DecisionSettings,
    ) -> Result<()> {
        ctx.dialect = Some("decision");
        // The asking proxy reads the answer, not a gRPC client: a gRPC-shaped failure
        // would be a 200, which it would take for "allow".
        ctx.grpc = false;
        let asked = session.req_header();
        let original = match decision_endpoint::original_request(asked, ctx.peer_ip, settings) {
            Ok(original) => original,
            Err(refusal) => {
                ctx.outcome = crate::decision::refusal_outcome(&refusal);
                let response = refusal.to_response(&state.challenges);
                return self.respond(session, ctx, response).await;
            }
        };
        let client = decision_endpoint::client_address(asked, ctx.peer_ip, settings);
        let decision = decide(state, &self.shared.limiter, &original, client).await;
        ctx.outcome = decision.outcome();
        ctx.credential = decision.credential;
        ctx.identity = decision.identity;
        ctx.rewritten_path = Some(
            decision
                .rewritten_path
                .unwrap_or_else(|| original.uri.path().to_owned()),
        );
        let response = match decision.verdict {
            Verdict::Authenticated => match &ctx.identity {
                Some(identity) => {
                    decision_endpoint::allow(state.identity.pairs(identity), settings)
                }
                None => decision_endpoint::allow(std::iter::empty(), settings),
            },
            Verdict::Public | Verdict::Answer(_) => {
                decision_endpoint::allow(std::iter::empty(), settings)
            }
            // About gatehouse's own upstream, which a decision never uses.
            Verdict::Refuse(Refusal::GrpcNeedsHttp2) => match &ctx.identity {
                Some(identity) => {
                    decision_endpoint::allow(state.identity.pairs(identity), settings)
                }
                None => decision_endpoint::allow(std::iter::empty(), settings),
            },
            Verdict::Refuse(refusal) => refusal.to_response(&state.challenges),
        };
        self.respond(session, ctx, response).await
    }
}

/// Per-request state.
pub struct RequestCtx {
    snapshot: Option<Arc<Snapshot>>,
    started: Instant,
    outcome: Outcome,
    credential: Option<CredentialKind>,
    identity: Option<Arc<Identity>>,
    /// The normalised path, when it differs from what the client sent.
    rewritten_path: Option<String>,
    request_id: Option<HeaderValue>,
    peer_ip: IpAddr,
    dialect: Option<&'static str>,
    upstream_status: Option<u16>,
    /// `content-type: application/grpc`: refusals take gRPC's shape (`grpc.rs`).
    grpc: bool,
    /// When the request head was handed to the upstream connection, until the response
    /// head arrives (`gatehouse_upstream_response_seconds`).
    upstream_sent: Option<Instant>,
}

#[async_trait]
impl ProxyHttp for Gatehouse {
    type CTX = RequestCtx;

    fn new_ctx(&self) -> RequestCtx {
        RequestCtx {
            snapshot: None,
            started: Instant::now(),
            outcome: Outcome::Forwarded,
            credential: None,
            identity: None,
            rewritten_path: None,
            request_id: None,
            peer_ip: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            dialect: None,
            upstream_status: None,
            grpc: false,
            upstream_sent: None,
        }
    }

    async fn request_filter(&self, session: &mut Session, ctx: &mut RequestCtx) -> Result<bool> {
        let snapshot = self.snapshot.load_full();
        ctx.snapshot = Some(snapshot.clone());
        ctx.peer_ip = session
            .client_addr()
            .and_then(|a| a.as_inet())
            .map(|a| a.ip())
            .unwrap_or(ctx.peer_ip);
        ctx.request_id = Some(crate::forwarded::request_id(&session.req_header().headers));
        ctx.grpc = crate::grpc::is_grpc(&session.req_header().headers);
        let state = &snapshot.state;
        if let Some(settings) = &state.config.decision {
            if settings.rest(session.req_header().uri.path()).is_some() {
                self.answer_decision(session, ctx, state, settings).await?;
                return Ok(true);
            }
        }
        let decision = decide(
            state,
            &self.shared.limiter,
            session.req_header(),
            ctx.peer_ip,
        )
        .await;
        ctx.outcome = decision.outcome();
        ctx.credential = decision.credential;
        ctx.identity = decision.identity;
        ctx.rewritten_path = decision.rewritten_path;
        match decision.verdict {
            Verdict::Public | Verdict::Authenticated if snapshot.peers.is_none() => {
                let response = local_error(
                    ctx.grpc,
                    404,
                    "not_found",
                    "there is no upstream here: only the login and decision endpoints answer",
                );
                self.respond(session, ctx, response).await?;
                Ok(true)
            }
            Verdict::Public | Verdict::Authenticated => Ok(false),
            Verdict::Answer(endpoint) => {
                self.answer_dialect(session, ctx, state, endpoint).await?;
                Ok(true)
            }
            Verdict::Refuse(refusal) => {
                let response = if ctx.grpc {
                    crate::grpc::refusal(&refusal)
                } else {
                    refusal.to_response(&state.challenges)
                };
                self.respond(session, ctx, response).await?;
                Ok(true)
            }
        }
    }

    async fn upstream_peer(
        &self,
        _session: &mut Session,
        ctx: &mut RequestCtx,
    ) -> Result<Box<HttpPeer>> {
        let snapshot = ctx
            .snapshot
            .as_ref()
            .ok_or_else(|| Error::explain(ErrorType::InternalError, "no snapshot"))?;
        let peers = snapshot
            .peers
            .as_ref()
            .ok_or_else(|| Error::explain(ErrorType::InternalError, "no upstream"))?;
        let peer = if ctx.grpc { &peers.grpc } else { &peers.plain };
        Ok(Box::new(peer.clone()))
    }

    async fn upstream_request_filter(
        &self,
        session: &mut Session,
        upstream: &mut RequestHeader,
        ctx: &mut RequestCtx,
    ) -> Result<()> {
        // Pingora calls this once connected (or reused), right before writing the head;
        // a retry on another connection calls it again and restarts the clock.
        ctx.upstream_sent = Some(Instant::now());
        let Some(snapshot) = ctx.snapshot.as_ref() else {
            return Ok(());
        };
        let state = &snapshot.state;
        // Pingora falls back to HTTP/1.1 when a TLS upstream selects no ALPN protocol,
        // even when only `h2` was offered: configured HTTP/2 is never downgraded (gRPC
        // would lose its trailers), so that connection is a bad gateway.
        if state.config.upstream.protocol.carries_grpc() && upstream.version != Version::HTTP_2 {
            return Err(Error::explain(
                ErrorType::ConnectError,
                "the upstream did not negotiate HTTP/2 (ALPN h2), and [upstream] protocol is not http1",
            ));
        }
        let edits =
            state
                .forwarding
                .edits(&session.req_header().headers, ctx.peer_ip, &state.identity);
        for name in &edits.remove {
            upstream.remove_header(name);
        }
        for (name, value) in edits.set {
            upstream.insert_header(name, value)?;
        }
        if let Some(identity) = &ctx.identity {
            for (name, value) in state.identity.pairs(identity) {
                upstream.insert_header(name.clone(), value.clone())?;
            }
        }
        if let Some(id) = &ctx.request_id {
            upstream.insert_header(X_REQUEST_ID.clone(), id.clone())?;
        }
        if let Some(path) = &ctx.rewritten_path {
            // HTTP/2 carries the authority in the URI (`:authority`); HTTP/1.1 gets
            // origin-form, with `Host`.
            let keep_authority = upstream.version == Version::HTTP_2;
            upstream.set_uri(with_path(&upstream.uri, path, keep_authority)?);
        }
        Ok(())
    }

    async fn upstream_response_filter(
        &self,
        _session: &mut Session,
        upstream_response: &mut ResponseHeader,
        ctx: &mut RequestCtx,
    ) -> Result<()> {
        ctx.upstream_status = Some(upstream_response.status.as_u16());
        self.metrics
            .upstream_status(upstream_response.status.as_u16());
        // An interim 1xx (100 Continue) is not the response; 101 is.
        let status = upstream_response.status;
        if !status.is_informational() || status == http::StatusCode::SWITCHING_PROTOCOLS {
            if let Some(sent) = ctx.upstream_sent.take() {
                self.metrics.upstream_response(sent.elapsed().as_secs_f64());
            }
        }
        Ok(())
    }

    async fn response_filter(
        &self,
        _session: &mut Session,
        response: &mut ResponseHeader,
        ctx: &mut RequestCtx,
    ) -> Result<()> {
        if let Some(id) = &ctx.request_id {
            response.insert_header(X_REQUEST_ID.clone(), id.clone())?;
        }
        Ok(())
    }

    async fn fail_to_proxy(
        &self,
        session: &mut Session,
        e: &Error,
        ctx: &mut RequestCtx,
    ) -> FailToProxy {
        let failure = proxy_failure(e.etype(), e.esource());
        if let Some(outcome) = failure.outcome() {
            ctx.outcome = outcome;
        }
        let code = match failure {
            ProxyFailure::Upstream(refusal) => {
                let status = refusal.status();
                let challenges = ctx.snapshot.as_ref().map(|s| s.state.challenges.clone());
                if let Some(challenges) = challenges {
                    let mut response = if ctx.grpc {
                        crate::grpc::refusal(&refusal)
                    } else {
                        refusal.to_response(&challenges)
                    };
                    if let Some(id) = &ctx.request_id {
                        response.headers.push((X_REQUEST_ID.clone(), id.clone()));
                    }
                    if let Err(write_error) = send(session, response, true).await {
                        log::debug!("could not send {status} to the client: {write_error}");
                    }
                }
                status
            }
            ProxyFailure::ClientGone => 0,
            ProxyFailure::MalformedRequest => {
                let response = local_error(ctx.grpc, 400, "bad_request", "malformed request");
                let _ = send(session, response, true).await;
                400
            }
            ProxyFailure::Internal => {
                let response = local_error(ctx.grpc, 500, "internal_error", "internal error");
                let _ = send(session, response, true).await;
                500
            }
        };
        FailToProxy {
            error_code: code,
            can_reuse_downstream: false,
        }
    }

    fn suppress_error_log(&self, _session: &Session, _ctx: &RequestCtx, error: &Error) -> bool {
        // An unreachable upstream is reported by the 502 and the metrics; logging each
        // request's failure at ERROR would flood the log during an outage.
        matches!(
            error.etype(),
            ErrorType::ConnectRefused | ErrorType::ConnectTimedout
        )
    }

    async fn logging(&self, session: &mut Session, error: Option<&Error>, ctx: &mut RequestCtx) {
        crate::connections::request_done(session.as_downstream());
        if error.is_some() && ctx.outcome == Outcome::Forwarded {
            ctx.outcome = Outcome::UpstreamError;
        }
        let protocol = Protocol::of(session.req_header().version);
        self.metrics.request(
            ctx.outcome,
            ctx.credential,
            protocol,
            ctx.started.elapsed().as_secs_f64(),
        );
        if let Some(snapshot) = &ctx.snapshot {
            self.metrics
                .set_cache_entries(snapshot.state.verifier.cache_entries());
        }
        let Some(snapshot) = &ctx.snapshot else {
            return;
        };
        let format = snapshot.state.config.access_log;
        if format == AccessLogFormat::Off {
            return;
        }
        let request = session.req_header();
        let entry = Entry {
            time: crate::access_log::timestamp(SystemTime::now()),
            request_id: ctx
                .request_id
                .as_ref()
                .and_then(|v| v.to_str().ok())
                .unwrap_or("-"),
            method: request.method.as_str(),
            path: ctx
                .rewritten_path
                .as_deref()
                .unwrap_or_else(|| request.uri.path()),
            protocol: protocol.as_str(),
            status: session.response_written().map_or(0, |r| r.status.as_u16()),
            latency_ms: ctx.started.elapsed().as_secs_f64() * 1000.0,
            credential: ctx.credential.map(CredentialKind::as_str),
            user: ctx.identity.as_ref().map(|i| i.user().username.as_str()),
            dialect: ctx.dialect,
            outcome: ctx.outcome.as_str(),
            upstream_status: ctx.upstream_status,
        };
        entry.write(format);
    }
}
