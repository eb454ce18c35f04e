//! The state store: what must outlive the process and be shared by its replicas.
//!
//! - simplejwt's blacklisted and outstanding tokens (`token_blacklist`);
//! - revocations of tokens and users, mirrored in memory (`revocations.rs`);
//! - under Redis, the failed-credential counters, so that N replicas allow what one does.
//!
//! Two backends, chosen by `[state]`: an embedded SQLite file (`embedded.rs`, the default:
//! one instance, durable across restarts and `kill -9`, and open to `gatehouse revoke`
//! beside a running instance), or Redis (`redis.rs`, for replicas).
//!
//! Every operation runs on the store's own single-threaded runtime, so connections and the
//! follower task belong to a runtime that lives as long as the store, whichever Pingora
//! runtime (or none, on the command line) asks; each is bounded by `[state] timeout`.
//! A write is reported done only once the backend acknowledged it.

mod embedded;
mod redis;

use std::future::Future;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::background::BackgroundRuntime;
use crate::iso8601::unix_now;
use crate::metrics::StoreMetrics;
use crate::revocations::{Revocation, RevocationMirror, StalePolicy, Target};

/// `[state]`, validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StateSettings {
    pub backend: Backend,
    pub key_prefix: String,
    pub policy: StalePolicy,
    /// The longest any one store operation may take.
    pub timeout: Duration,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Backend {
    /// A directory holding `gatehouse.sqlite3` and the keys gatehouse generated.
    Embedded {
        dir: PathBuf,
    },
    Redis {
        url: RedisUrl,
    },
}

impl StateSettings {
    pub const DEFAULT_MAX_STALE: Duration = Duration::from_secs(30);
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(1);
    pub const DEFAULT_PREFIX: &'static str = "gatehouse:";

    /// The embedded store in `dir`, with every other setting at its default.
    pub fn embedded(dir: PathBuf) -> Self {
        Self {
            backend: Backend::Embedded { dir },
            key_prefix: Self::DEFAULT_PREFIX.to_owned(),
            policy: StalePolicy {
                max_stale: Self::DEFAULT_MAX_STALE,
                fail_open: false,
            },
            timeout: Self::DEFAULT_TIMEOUT,
        }
    }
}

/// A Redis URL. It may carry a password, so it is never printed: `Debug` and
/// [`RedisUrl::redacted`] show the scheme and host only.
#[derive(Clone, PartialEq, Eq)]
pub struct RedisUrl(String);

impl RedisUrl {
    pub fn new(url: String) -> Self {
        Self(url)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// `redis://host:port/db`, without user or password.
    pub fn redacted(&self) -> String {
        let (scheme, rest) = self.0.split_once("://").unwrap_or(("redis", &self.0));
        let host = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
        format!("{scheme}://{host}")
    }
}

impl std::fmt::Debug for RedisUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RedisUrl({})", self.redacted())
    }
}

/// Why the store could not do what was asked. Messages name the store (path, or Redis
/// host without credentials) and never a secret.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    #[error("state store {path}: {message}")]
    Embedded { path: String, message: String },
    #[error("state store {at}: {message}")]
    Redis { at: String, message: String },
    #[error("the state store did not answer within {0:?}")]
    Timeout(Duration),
    #[error("the state store has stopped")]
    Stopped,
    #[error("state store: unreadable entry {key}: {message}")]
    Corrupt { key: String, message: String },
}

/// An issued simplejwt refresh token, as `OutstandingToken` records it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct OutstandingToken {
    pub jti: String,
    pub user_id: Option<String>,
    pub created_at: u64,
    pub expires_at: u64,
}

/// One failed-credential counter under Redis: a client address or a username, hashed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CounterKey(pub String);

/// The handle on the store; clones share it.
#[derive(Clone)]
pub struct Store(Arc<Inner>);

struct Inner {
    backend: Connection,
    mirror: Arc<RevocationMirror>,
    metrics: StoreMetrics,
    timeout: Duration,
    up: Arc<AtomicBool>,
    /// Dropped last: shutting it down ends the follower.
    runtime: BackgroundRuntime,
}

#[derive(Clone)]
enum Connection {
    Embedded(embedded::Embedded),
    Redis(redis::Redis),
}

impl Store {
    /// Opens the store, loads the mirror and starts following the store's changes.
    ///
    /// Blocking, and not to be called on an async worker: it runs before the server
    /// starts, and on the command line. An embedded store that cannot be opened is an
    /// error; Redis that does not answer is not (the process starts not ready, with a
    /// stale mirror, and connects once Redis does).
    pub fn open(settings: &StateSettings, metrics: StoreMetrics) -> Result<Self, StoreError> {
        let runtime =
            BackgroundRuntime::new("gatehouse-store").map_err(|e| StoreError::Embedded {
                path: "runtime".into(),
                message: format!("cannot start the store's thread: {e}"),
            })?;
        let mirror = Arc::new(RevocationMirror::new(settings.policy, metrics.clone()));
        let up = Arc::new(AtomicBool::new(false));
        let settings_for_open = settings.clone();
        let follow = Follow {
            mirror: mirror.clone(),
            metrics: metrics.clone(),
            up: up.clone(),
            policy: settings.policy,
        };
        let backend = runtime.block_on(async move {
            match &settings_for_open.backend {
                Backend::Embedded { dir } => {
                    let embedded = embedded::Embedded::open(dir).await?;
                    let since = follow.mirror.changes();
                    let revocations = embedded.list(unix_now()).await?;
                    follow.loaded(revocations, since);
                    tokio::spawn(embedded.clone().follow(follow));
                    Ok(Connection::Embedded(embedded))
                }
                Backend::Redis { url } => {
                    let redis = redis::Redis::open(
                        url,
                        &settings_for_open.key_prefix,
                        settings_for_open.timeout,
                    )?;
                    let since = follow.mirror.changes();
                    match tokio::time::timeout(settings_for_open.timeout, redis.list(unix_now()))
                        .await
                    {
                        Ok(Ok(revocations)) => {
                            follow.loaded(revocations, since);
                        }
                        Ok(Err(e)) => log::warn!("{e}; starting without its revocations"),
                        Err(_) => log::warn!(
                            "state store {} did not answer; starting without its revocations",
                            url.redacted()
                        ),
                    }
                    tokio::spawn(redis.clone().follow(follow));
                    Ok(Connection::Redis(redis))
                }
            }
        });
        let backend = backend.ok_or(StoreError::Stopped)??;
        metrics.up.set(i64::from(up.load(Ordering::Acquire)));
        Ok(Self(Arc::new(Inner {
            backend,
            mirror,
            metrics,
            timeout: settings.timeout,
            up,
            runtime,
        })))
    }

    pub fn mirror(&self) -> &Arc<RevocationMirror> {
        &self.0.mirror
    }

    /// Whether the store answered last time it was asked (`/readyz` follows this).
    pub fn is_up(&self) -> bool {
        self.0.up.load(Ordering::Acquire)
    }

    /// Whether failed-credential counters are kept here (Redis), rather than by each
    /// process alone.
    pub fn shares_counters(&self) -> bool {
        matches!(self.0.backend, Connection::Redis(_))
    }

    /// Records a revocation (replacing an earlier one of the same target), tells every
    /// replica, and applies it here before returning.
    pub async fn revoke(
        &self,
        target: Target,
        keep_for: Duration,
    ) -> Result<Revocation, StoreError> {
        let now = unix_now();
        let revocation = Revocation {
            target,
            revoked_at: now,
            expires_at: now.saturating_add(keep_for.as_secs().max(1)),
        };
        let backend = self.0.backend.clone();
        let stored = self
            .run("revoke", async move { backend.revoke(revocation).await })
            .await?;
        self.0.mirror.insert(stored.clone());
        Ok(stored)
    }

    /// Lifts a revocation; `false` when there was none.
    pub async fn lift(&self, target: Target) -> Result<bool, StoreError> {
        let backend = self.0.backend.clone();
        let lifted = target.clone();
        let found = self
            .run("lift", async move { backend.lift(lifted).await })
            .await?;
        self.0.mirror.remove(&target);
        Ok(found)
    }

    /// Every live revocation, oldest first, as the store has them.
    pub async fn revocations(&self) -> Result<Vec<Revocation>, StoreError> {
        let backend = self.0.backend.clone();
        self.run("list", async move { backend.list(unix_now()).await })
            .await
    }

    /// simplejwt's `BlacklistedToken.objects.get_or_create`: blacklisting twice is fine.
    pub async fn blacklist(&self, jti: &str, expires_at: u64) -> Result<(), StoreError> {
        let backend = self.0.backend.clone();
        let jti = jti.to_owned();
        self.run("blacklist", async move {
            backend.blacklist(jti, expires_at, unix_now()).await
        })
        .await
    }

    pub async fn is_blacklisted(&self, jti: &str) -> Result<bool, StoreError> {
        let backend = self.0.backend.clone();
        let jti = jti.to_owned();
        self.run(
            "is_blacklisted",
            async move { backend.blacklisted(jti).await },
        )
        .await
    }

    /// simplejwt's `OutstandingToken`: every refresh token issued, until it expires.
    pub async fn outstand(&self, token: OutstandingToken) -> Result<(), StoreError> {
        let backend = self.0.backend.clone();
        self.run("outstand", async move { backend.outstand(token).await })
            .await
    }

    /// Each counter's failures within the last window (Redis only: see
    /// [`Store::shares_counters`]).
    pub async fn failure_counts(
        &self,
        keys: Vec<CounterKey>,
        window: Duration,
    ) -> Result<Vec<f64>, StoreError> {
        let Connection::Redis(redis) = &self.0.backend else {
            return Ok(vec![0.0; keys.len()]);
        };
        let redis = redis.clone();
        self.run("failure_counts", async move {
            redis.failure_counts(&keys, window).await
        })
        .await
    }

    /// Counts one failure against each counter (Redis only).
    pub async fn count_failure(
        &self,
        keys: Vec<CounterKey>,
        window: Duration,
    ) -> Result<(), StoreError> {
        let Connection::Redis(redis) = &self.0.backend else {
            return Ok(());
        };
        let redis = redis.clone();
        self.run("count_failure", async move {
            redis.count_failure(&keys, window).await
        })
        .await
    }

    /// Runs `future` to completion from a thread that is not an async worker (the
    /// command line).
    pub fn block_on<T: Send + 'static>(
        &self,
        future: impl Future<Output = T> + Send + 'static,
    ) -> Result<T, StoreError> {
        self.0.runtime.block_on(future).ok_or(StoreError::Stopped)
    }

    /// Runs one operation on the store's runtime, within the timeout, and records it.
    async fn run<T: Send + 'static>(
        &self,
        operation: &'static str,
        work: impl Future<Output = Result<T, StoreError>> + Send + 'static,
    ) -> Result<T, StoreError> {
        let started = Instant::now();
        let timeout = self.0.timeout;
        let task = self
            .0
            .runtime
            .spawn(async move { tokio::time::timeout(timeout, work).await });
        // Bounded here too: a store thread that cannot run the task must not hang the
        // request.
        let result = match tokio::time::timeout(timeout * 2, task).await {
            Ok(Ok(Ok(result))) => result,
            Ok(Ok(Err(_))) | Err(_) => Err(StoreError::Timeout(timeout)),
            Ok(Err(_)) => Err(StoreError::Stopped),
        };
        self.0
            .metrics
            .operation(operation, started.elapsed().as_secs_f64(), result.is_ok());
        match &result {
            Ok(_) => {}
            Err(e) => {
                log::warn!("{operation}: {e}");
                if self.0.up.swap(false, Ordering::AcqRel) {
                    self.0.metrics.up.set(0);
                }
            }
        }
        result
    }
}

/// One call per operation, to whichever backend is configured.
impl Connection {
    async fn revoke(self, revocation: Revocation) -> Result<Revocation, StoreError> {
        match self {
            Connection::Embedded(db) => db.revoke(&revocation).await,
            Connection::Redis(redis) => redis.revoke(&revocation).await,
        }
    }

    async fn lift(self, target: Target) -> Result<bool, StoreError> {
        match self {
            Connection::Embedded(db) => db.lift(&target).await,
            Connection::Redis(redis) => redis.lift(&target).await,
        }
    }

    async fn list(self, now: u64) -> Result<Vec<Revocation>, StoreError> {
        match self {
            Connection::Embedded(db) => db.list(now).await,
            Connection::Redis(redis) => redis.list(now).await,
        }
    }

    async fn blacklist(self, jti: String, expires_at: u64, now: u64) -> Result<(), StoreError> {
        match self {
            Connection::Embedded(db) => db.blacklist(&jti, expires_at, now).await,
            Connection::Redis(redis) => redis.blacklist(&jti, expires_at, now).await,
        }
    }

    async fn blacklisted(self, jti: String) -> Result<bool, StoreError> {
        match self {
            Connection::Embedded(db) => db.is_blacklisted(&jti).await,
            Connection::Redis(redis) => redis.is_blacklisted(&jti).await,
        }
    }

    async fn outstand(self, token: OutstandingToken) -> Result<(), StoreError> {
        match self {
            Connection::Embedded(db) => db.outstand(&token).await,
            Connection::Redis(redis) => redis.outstand(&token).await,
        }
    }
}

/// What a backend's follower task reports to: the mirror, and whether the store is up.
pub(crate) struct Follow {
    mirror: Arc<RevocationMirror>,
    metrics: StoreMetrics,
    up: Arc<AtomicBool>,
    policy: StalePolicy,
}

impl Follow {
    /// A full resync read `revocations` after the mirror's `since` mark: the mirror
    /// matches the store, unless a change was applied here meanwhile (`false`: read
    /// again).
    fn loaded(&self, revocations: Vec<Revocation>, since: u64) -> bool {
        if !self.mirror.replace(revocations, since) {
            return false;
        }
        self.mirror.set_age(Duration::ZERO);
        self.set_up(true);
        true
    }

    fn set_up(&self, up: bool) {
        if self.up.swap(up, Ordering::AcqRel) != up {
            self.metrics.up.set(i64::from(up));
        }
    }

    /// How often a follower resyncs in full while nothing seems wrong: often enough that
    /// a silently dead connection is noticed well within `max_stale`.
    fn resync_interval(&self) -> Duration {
        (self.policy.max_stale / 4).clamp(Duration::from_millis(250), Duration::from_secs(5))
    }
}

/// An embedded store in a fresh temporary directory, for unit tests (the directory goes
/// with the returned guard).
#[cfg(test)]
pub fn temporary() -> (Store, tempfile::TempDir) {
    #[allow(clippy::unwrap_used)]
    let dir = tempfile::tempdir().unwrap();
    let metrics = crate::metrics::Metrics::new().map(|m| m.store.clone());
    #[allow(clippy::unwrap_used)]
    let store = Store::open(
        &StateSettings::embedded(dir.path().to_owned()),
        metrics.unwrap(),
    )
    .unwrap();
    (store, dir)
}

#[cfg(test)]
mod tests;
