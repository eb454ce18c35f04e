//! The admin listener, on its own address and never on the proxy port:
//!
//! * `GET /healthz`: 200 while the process is alive.
//! * `GET /readyz`: 200 once the configuration is loaded and the proxy port accepts
//!   connections; 503 before that and again once shutdown has begun (so a Kubernetes
//!   Service stops sending traffic while in-flight requests drain).
//! * `GET /metrics`: Prometheus text format.
//!
//! Anything else is 404; methods other than GET and HEAD are 405.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use pingora::apps::http_app::ServeHttp;
use pingora::protocols::http::ServerSession;
use pingora::server::ShutdownWatch;
use pingora::services::background::BackgroundService;

use crate::metrics::Metrics;

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

#[async_trait]
impl ServeHttp for Admin {
    async fn response(&self, session: &mut ServerSession) -> http::Response<Vec<u8>> {
        let request = session.req_header();
        if request.method != http::Method::GET && request.method != http::Method::HEAD {
            let mut response = text(405, "method not allowed\n", "text/plain; charset=utf-8");
            response.headers_mut().insert(
                http::header::ALLOW,
                http::HeaderValue::from_static("GET, HEAD"),
            );
            return response;
        }
        match request.uri.path() {
            "/healthz" => text(200, "ok\n", "text/plain; charset=utf-8"),
            "/readyz" if self.readiness.is_ready() => {
                text(200, "ready\n", "text/plain; charset=utf-8")
            }
            "/readyz" => text(503, "not ready\n", "text/plain; charset=utf-8"),
            "/metrics" => text(
                200,
                self.metrics.render(),
                "text/plain; version=0.0.4; charset=utf-8",
            ),
            _ => text(404, "not found\n", "text/plain; charset=utf-8"),
        }
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
