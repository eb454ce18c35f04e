//! Downstream connections on the proxy port: how many may be open at once, how long a
//! request head may take to arrive, and their count for `/metrics`.
//!
//! Pingora 0.9 hands each accepted connection to a [`ServerApp`] and gets it back after
//! every request for keep-alive reuse, but has no hook for when a connection closes, and
//! its only head timeout is 60 s per `read` (a client dribbling one byte a minute holds
//! its connection forever). So [`Guarded`] wraps the proxy app: a new connection takes a
//! permit (or is answered 503 and closed when none is left) and is wrapped in a
//! [`CountedStream`] that holds the permit until the connection is dropped, and that
//! closes the connection when a request head has not arrived within `header_timeout`.
//!
//! The head deadline starts when a connection is accepted, and for each later request
//! on a kept-alive connection at its first byte (the wait before it is Pingora's
//! keep-alive timeout): the proxy calls [`request_done`] as each request ends, because
//! Pingora keeps HTTP/1.1 connections alive inside the proxy app. A head ends at the first empty line (`\r\n\r\n`, or `\n\n` as
//! lenient parsers accept); what follows is body or upgraded traffic, never timed here.
//! On an h2c listener the wait for the HTTP/2 preface has the same deadline; an HTTP/2
//! connection's head ends with its preface, and idle HTTP/2 connections are closed by
//! `[listen] h2_idle_timeout` (`http2.rs`).

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use async_trait::async_trait;
use pingora::apps::ServerApp;
use pingora::protocols::raw_connect::ProxyDigest;
use pingora::protocols::tls::{SslDigest, TlsRef};
use pingora::protocols::{
    GetProxyDigest, GetSocketDigest, GetTimingDigest, Peek, Shutdown, SocketDigest, Ssl, Stream,
    TimingDigest, UniqueID, UniqueIDType, ALPN,
};
use pingora::server::ShutdownWatch;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::{Instant, Sleep};

use crate::metrics::Metrics;

/// What a refused connection is told before it is closed (DESIGN's error shape).
const OVER_CAPACITY_BODY: &str = r#"{"error":"unavailable","message":"too many open connections"}"#;

/// How long a refused connection gets to take its 503.
const REFUSAL_WRITE_TIMEOUT: Duration = Duration::from_secs(1);

/// The proxy app behind a connection cap and a request-head deadline.
pub struct Guarded<A> {
    inner: Arc<A>,
    permits: Arc<Semaphore>,
    header_timeout: Duration,
    metrics: Arc<Metrics>,
}

impl<A> Guarded<A> {
    pub fn new(
        inner: A,
        max_connections: usize,
        header_timeout: Duration,
        metrics: Arc<Metrics>,
    ) -> Self {
        Self {
            inner: Arc::new(inner),
            permits: Arc::new(Semaphore::new(max_connections.min(Semaphore::MAX_PERMITS))),
            header_timeout,
            metrics,
        }
    }
}

#[async_trait]
impl<A: ServerApp + Send + Sync + 'static> ServerApp for Guarded<A> {
    async fn process_new(
        self: &Arc<Self>,
        stream: Stream,
        shutdown: &ShutdownWatch,
    ) -> Option<Stream> {
        let stream = match stream.as_any().downcast_ref::<CountedStream>() {
            // Already counted (a connection handed back for reuse).
            Some(_) => stream,
            None => {
                let Ok(permit) = self.permits.clone().try_acquire_owned() else {
                    self.metrics.connection_refused();
                    refuse(stream).await;
                    return None;
                };
                Box::new(CountedStream::new(
                    stream,
                    permit,
                    self.header_timeout,
                    self.metrics.clone(),
                ))
            }
        };
        self.inner.process_new(stream, shutdown).await
    }

    async fn cleanup(&self) {
        self.inner.cleanup().await;
    }
}

/// Called once a request on `session` is finished (Pingora keeps HTTP/1.1 connections
/// alive inside the proxy app, so the app, not this guard, sees request boundaries).
pub fn request_done(session: &pingora::protocols::http::ServerSession) {
    let counted = session
        .stream()
        .and_then(|stream| stream.as_any().downcast_ref::<CountedStream>());
    if let Some(counted) = counted {
        counted.await_next_head();
    }
}

/// Answers 503 without reading the request, and closes.
async fn refuse(mut stream: Stream) {
    let response = format!(
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: {}\r\nRetry-After: 1\r\nConnection: close\r\n\r\n{OVER_CAPACITY_BODY}",
        OVER_CAPACITY_BODY.len()
    );
    let _ = tokio::time::timeout(REFUSAL_WRITE_TIMEOUT, async {
        let _ = stream.write_all(response.as_bytes()).await;
        let _ = stream.flush().await;
        Shutdown::shutdown(&mut *stream).await;
    })
    .await;
}

/// Where a connection is in reading its current request head.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Head {
    /// Between requests: the deadline starts at the next byte.
    Idle,
    /// Reading a head; `newlines` counts consecutive line ends (a `\r` does not break a
    /// run), two of which end the head.
    Reading { newlines: u8 },
    /// The head has arrived: body, or upgraded traffic.
    Done,
}

/// A downstream connection holding its permit, with the head deadline.
pub struct CountedStream {
    inner: Stream,
    clock: HeadClock,
    /// Set between requests (through a shared reference), applied by the next read.
    next_head: AtomicBool,
    header_timeout: Duration,
    metrics: Arc<Metrics>,
    _permit: OwnedSemaphorePermit,
}

struct HeadClock {
    state: Head,
    deadline: Pin<Box<Sleep>>,
}

impl std::fmt::Debug for CountedStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CountedStream")
            .field("inner", &self.inner)
            .finish_non_exhaustive()
    }
}

impl CountedStream {
    fn new(
        inner: Stream,
        permit: OwnedSemaphorePermit,
        header_timeout: Duration,
        metrics: Arc<Metrics>,
    ) -> Self {
        metrics.connection_opened();
        Self {
            inner,
            clock: HeadClock {
                state: Head::Reading { newlines: 0 },
                deadline: Box::pin(tokio::time::sleep(header_timeout)),
            },
            next_head: AtomicBool::new(false),
            header_timeout,
            metrics,
            _permit: permit,
        }
    }

    /// The request is answered; the next head's clock starts at its first byte.
    pub fn await_next_head(&self) {
        self.next_head.store(true, Ordering::Relaxed);
    }
}

impl HeadClock {
    /// Follows the bytes just read.
    fn observe(&mut self, bytes: &[u8], header_timeout: Duration) {
        if bytes.is_empty() {
            return;
        }
        let mut newlines = match self.state {
            Head::Done => return,
            Head::Idle => {
                self.deadline
                    .as_mut()
                    .reset(Instant::now() + header_timeout);
                0
            }
            Head::Reading { newlines } => newlines,
        };
        // Line ends found with memchr; the text between two of them only needs looking at
        // up to its first byte that is not `\r`, which for a header line is its first.
        let only_cr = |gap: &[u8]| gap.iter().all(|&b| b == b'\r');
        let mut line_start = 0;
        for at in memchr::memchr_iter(b'\n', bytes) {
            if !only_cr(&bytes[line_start..at]) {
                newlines = 0;
            }
            newlines += 1;
            if newlines == 2 {
                self.state = Head::Done;
                return;
            }
            line_start = at + 1;
        }
        if !only_cr(&bytes[line_start..]) {
            newlines = 0;
        }
        self.state = Head::Reading { newlines };
    }
}

impl Drop for CountedStream {
    fn drop(&mut self) {
        self.metrics.connection_closed();
    }
}

impl AsyncRead for CountedStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.next_head.swap(false, Ordering::Relaxed) {
            this.clock.state = Head::Idle;
        }
        let before = buf.filled().len();
        let polled = Pin::new(&mut this.inner).poll_read(cx, buf);
        let clock = &mut this.clock;
        match polled {
            Poll::Ready(Ok(())) => {
                clock.observe(&buf.filled()[before..], this.header_timeout);
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => {
                if matches!(clock.state, Head::Reading { .. })
                    && clock.deadline.as_mut().poll(cx).is_ready()
                {
                    this.metrics.request_head_timeout();
                    return Poll::Ready(Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        "request head not received within [listen] header_timeout",
                    )));
                }
                Poll::Pending
            }
        }
    }
}

impl AsyncWrite for CountedStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

#[async_trait]
impl Shutdown for CountedStream {
    async fn shutdown(&mut self) {
        Shutdown::shutdown(&mut *self.inner).await;
    }
}

impl UniqueID for CountedStream {
    fn id(&self) -> UniqueIDType {
        self.inner.id()
    }
}

impl Ssl for CountedStream {
    fn get_ssl(&self) -> Option<&TlsRef> {
        self.inner.get_ssl()
    }

    fn get_ssl_digest(&self) -> Option<Arc<SslDigest>> {
        self.inner.get_ssl_digest()
    }

    fn selected_alpn_proto(&self) -> Option<ALPN> {
        self.inner.selected_alpn_proto()
    }
}

impl GetTimingDigest for CountedStream {
    fn get_timing_digest(&self) -> Vec<Option<TimingDigest>> {
        self.inner.get_timing_digest()
    }

    fn get_read_pending_time(&self) -> Duration {
        self.inner.get_read_pending_time()
    }

    fn get_write_pending_time(&self) -> Duration {
        self.inner.get_write_pending_time()
    }
}

impl GetProxyDigest for CountedStream {
    fn get_proxy_digest(&self) -> Option<Arc<ProxyDigest>> {
        self.inner.get_proxy_digest()
    }

    fn set_proxy_digest(&mut self, digest: ProxyDigest) {
        self.inner.set_proxy_digest(digest);
    }
}

impl GetSocketDigest for CountedStream {
    fn get_socket_digest(&self) -> Option<Arc<SocketDigest>> {
        self.inner.get_socket_digest()
    }

    fn set_socket_digest(&mut self, digest: SocketDigest) {
        self.inner.set_socket_digest(digest);
    }
}

/// Pingora peeks at a new connection on an h2c listener for the HTTP/2 preface, by
/// reading it and putting it back: that wait is part of the head and has its deadline,
/// or a client that sends nothing would hold its connection forever.
#[async_trait]
impl Peek for CountedStream {
    async fn try_peek(&mut self, buf: &mut [u8]) -> io::Result<bool> {
        let deadline = self.clock.deadline.deadline();
        match tokio::time::timeout_at(deadline, self.inner.try_peek(buf)).await {
            Ok(peeked) => peeked,
            Err(_) => {
                self.metrics.request_head_timeout();
                Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "request head not received within [listen] header_timeout",
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests;
