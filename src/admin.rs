//! The admin listener, on its own address and never on the proxy port:
//!
//! * `GET /healthz`: 200 while the process is alive.
//! * `GET /readyz`: 200 once the configuration is loaded and the proxy port accepts
//!   connections; 503 before that and again once shutdown has begun (so a Kubernetes
//!   Service stops sending traffic while in-flight requests drain).
//! * `GET /metrics`: Prometheus text format.
//! * `GET /log-level`: the diagnostics log level (`info`); `PUT /log-level` with a body
//!   of `off`, `error`, `warn`, `info`, `debug` or `trace` sets it (see [`crate::log_level`]
//!   for what it moves). `PUT` is accepted from loopback clients only (`kubectl
//!   port-forward`, or curl inside the pod), like linkerd2-proxy's `/proxy-log-level`:
//!   the admin port is reachable from the whole cluster network for the probes.
//!
//! * `/revocations`: list, add and lift revocations (`admin/revocations.rs`), from
//!   loopback clients or with the `[admin] token`.
//!
//! `/readyz` is also 503 while the state store does not answer (Redis down): a replica
//! that cannot see revocations should not be sent traffic while others can. Likewise
//! while the user database does not answer (`users/database.rs` says when that is).
//!
//! Anything else is 404; methods other than GET and HEAD (and PUT on `/log-level`) are
//! 405. Every admin request is logged at `debug`.

mod revocations;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use pingora::apps::http_app::ServeHttp;
use pingora::protocols::http::ServerSession;
use pingora::server::ShutdownWatch;
use pingora::services::background::BackgroundService;

use arc_swap::ArcSwap;

use crate::log_level;
use crate::metrics::Metrics;
use crate::proxy::Snapshot;
use crate::store::Store;
use crate::users::database::UserDatabase;

/// The largest `PUT /log-level` body read (`trace\n` needs 6 bytes).
const LOG_LEVEL_BODY_LIMIT: usize = 64;
/// How long a `PUT /log-level` body may take to arrive.
const BODY_TIMEOUT: Duration = Duration::from_secs(5);
const TEXT: &str = "text/plain; charset=utf-8";

/// Whether the proxy should receive traffic.
#[derive(Clone, Default)]
pub struct Readiness(Arc<AtomicBool>);

impl Readiness {
    pub fn is_ready(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }

    pub fn set(&self, ready: bool) {
        self.0.store(ready, Ordering::Release);
    }
}

pub struct Admin {
    pub metrics: Arc<Metrics>,
    pub readiness: Readiness,
    pub store: Store,
    pub user_database: Option<UserDatabase>,
    /// External issuers: `/readyz` waits for their first keys (up to `startup_wait`).
    pub issuers: Arc<crate::issuers::Issuers>,
    /// The current configuration (for `[admin] token` and the revocations' lifetime).
    pub snapshot: Arc<ArcSwap<Snapshot>>,
}

fn text(status: u16, body: impl Into<Vec<u8>>, content_type: &str) -> http::Response<Vec<u8>> {
    let body = body.into();
    http::Response::builder()
        .status(status)
        .header(http::header::CONTENT_TYPE, content_type)
        .header(http::header::CONTENT_LENGTH, body.len())
        .header(http::header::CACHE_CONTROL, "no-store")
        .body(body)
        .unwrap_or_else(|_| http::Response::new(Vec::new()))
}

fn method_not_allowed(allow: &'static str) -> http::Response<Vec<u8>> {
    let mut response = text(405, "method not allowed\n", TEXT);
    response
        .headers_mut()
        .insert(http::header::ALLOW, http::HeaderValue::from_static(allow));
    response
}

#[async_trait]
impl ServeHttp for Admin {
    async fn response(&self, session: &mut ServerSession) -> http::Response<Vec<u8>> {
        let method = session.req_header().method.clone();
        let path = session.req_header().uri.path().to_owned();
        let response = if path == "/log-level" {
            log_level_endpoint(session, &method).await
        } else if path == "/revocations" || path.starts_with("/revocations/") {
            let snapshot = self.snapshot.load_full();
            revocations::endpoint(session, &snapshot.state, &method, &path).await
        } else if method != http::Method::GET && method != http::Method::HEAD {
            method_not_allowed("GET, HEAD")
        } else {
            self.get(&path)
        };
        log::debug!("admin: {method} {path} {}", response.status().as_u16());
        response
    }
}

impl Admin {
    fn get(&self, path: &str) -> http::Response<Vec<u8>> {
        match path {
            "/healthz" => text(200, "ok\n", TEXT),
            "/readyz" if !self.readiness.is_ready() => text(503, "not ready\n", TEXT),
            "/readyz" if !self.store.is_up() => {
                text(503, "not ready: the state store does not answer\n", TEXT)
            }
            "/readyz" if self.user_database.as_ref().is_some_and(|db| !db.is_up()) => {
                text(503, "not ready: the user database does not answer\n", TEXT)
            }
            "/readyz" => match self.issuers.waiting_for() {
                Some(issuer) => text(
                    503,
                    format!("not ready: waiting for the keys of issuer {issuer}\n"),
                    TEXT,
                ),
                None => text(200, "ready\n", TEXT),
            },
            "/metrics" => text(
                200,
                self.metrics.render(),
                "text/plain; version=0.0.4; charset=utf-8",
            ),
            _ => text(404, "not found\n", TEXT),
        }
    }
}

/// Whether the admin client is on this host (or in this pod).
fn from_loopback(session: &ServerSession) -> bool {
    session
        .client_addr()
        .and_then(|addr| addr.as_inet())
        .is_some_and(|addr| addr.ip().to_canonical().is_loopback())
}

fn current_level() -> http::Response<Vec<u8>> {
    text(
        200,
        format!("{}\n", log_level::name(log_level::current())),
        TEXT,
    )
}

async fn log_level_endpoint(
    session: &mut ServerSession,
    method: &http::Method,
) -> http::Response<Vec<u8>> {
    if method == http::Method::GET || method == http::Method::HEAD {
        return current_level();
    }
    if method != http::Method::PUT {
        return method_not_allowed("GET, HEAD, PUT");
    }
    if !from_loopback(session) {
        return text(
            403,
            "PUT /log-level is accepted from loopback clients only \
             (kubectl port-forward, or curl inside the pod)\n",
            TEXT,
        );
    }
    let body = match crate::body::read_bounded(session, LOG_LEVEL_BODY_LIMIT, BODY_TIMEOUT).await {
        Ok(body) => body,
        Err(e) => return text(e.status(), format!("{e}\n"), TEXT),
    };
    let body = String::from_utf8_lossy(&body);
    match log_level::parse(&body) {
        Some(level) => {
            log_level::set(level);
            current_level()
        }
        None => text(
            400,
            format!(
                "unknown log level {:?}: expected one of {}\n",
                body.trim(),
                log_level::LEVELS
            ),
            TEXT,
        ),
    }
}

/// Marks the process ready once the proxy port accepts connections, and not ready
/// again when shutdown begins.
pub struct ReadinessProbe {
    pub proxy_address: SocketAddr,
    pub readiness: Readiness,
}

#[async_trait]
impl BackgroundService for ReadinessProbe {
    async fn start(&self, mut shutdown: ShutdownWatch) {
        let mut target = self.proxy_address;
        if target.ip().is_unspecified() {
            target.set_ip(if target.is_ipv4() {
                std::net::Ipv4Addr::LOCALHOST.into()
            } else {
                std::net::Ipv6Addr::LOCALHOST.into()
            });
        }
        loop {
            if *shutdown.borrow() {
                break;
            }
            if tokio::net::TcpStream::connect(target).await.is_ok() {
                self.readiness.set(true);
                log::info!("ready: proxy accepting on {}", self.proxy_address);
                break;
            }
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_millis(20)) => {}
                _ = shutdown.changed() => break,
            }
        }
        let _ = shutdown.changed().await;
        self.readiness.set(false);
    }
}
