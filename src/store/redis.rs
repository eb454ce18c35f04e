//! The Redis store, for replicas: every gatehouse that shares one Redis (and one
//! `key_prefix`) shares blacklists, revocations and failure counters.
//!
//! Keys, under the prefix (`gatehouse:` by default):
//! - `revocations`: a hash, field `jti:<id>` or `user:<name>`, value the revocation as
//!   JSON; also the pub/sub channel every change is published on, in the same
//!   transaction as the change;
//! - `blacklist:<jti>`, `outstanding:<jti>`: strings that expire with their token;
//! - `failures:<scope>:<hash>:<window>`: counters that expire after two windows.
//!
//! Commands go through the `redis` crate's connection manager, which reconnects with
//! backoff; each is bounded by `[state] timeout` (`store.rs`). The follower holds a
//! separate pub/sub connection: it subscribes first, then loads the whole hash, so no
//! change falls between the two; it resyncs in full periodically and after every
//! reconnection, and deletes expired revocations (a hash field cannot expire on its own
//! before Redis 7.4).

use std::time::{Duration, Instant};

use futures_util::StreamExt as _;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use serde::{Deserialize, Serialize};

use super::{CounterKey, Follow, OutstandingToken, RedisUrl, StoreError};
use crate::iso8601::unix_now;
use crate::revocations::{Revocation, Target};

/// One round trip's worth of commands.
enum Request {
    Command(redis::Cmd),
    Pipeline(redis::Pipeline),
}

/// A change, as published to the other replicas.
#[derive(Debug, Serialize, Deserialize)]
enum Change {
    #[serde(rename = "add")]
    Add(Revocation),
    #[serde(rename = "lift")]
    Lift(Target),
}

#[derive(Clone)]
pub struct Redis {
    client: redis::Client,
    manager: ConnectionManager,
    prefix: String,
    at: String,
    timeout: Duration,
}

impl Redis {
    /// Prepares the client; connecting happens on first use, so an unreachable Redis does
    /// not stop gatehouse from starting.
    pub fn open(url: &RedisUrl, prefix: &str, timeout: Duration) -> Result<Self, StoreError> {
        let at = url.redacted();
        let fail = |e: redis::RedisError| StoreError::Redis {
            at: at.clone(),
            message: e.to_string(),
        };
        let client = redis::Client::open(url.expose()).map_err(fail)?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(timeout))
            .set_response_timeout(Some(timeout))
            .set_number_of_retries(2)
            .set_max_delay(Duration::from_secs(2));
        let manager =
            ConnectionManager::new_lazy_with_config(client.clone(), config).map_err(fail)?;
        Ok(Self {
            client,
            manager,
            prefix: prefix.to_owned(),
            at,
            timeout,
        })
    }

    fn error(&self, e: &redis::RedisError) -> StoreError {
        StoreError::Redis {
            at: self.at.clone(),
            message: e.to_string(),
        }
    }

    /// Runs one command or pipeline through the connection manager. After Redis comes
    /// back, the manager answers the first command with the error of its last failed
    /// reconnect, without sending it, and only then reconnects: a refused connection is
    /// retried once, at once. It cannot double-apply anything, since a command that met
    /// a refused connection was never sent.
    async fn send<T: redis::FromRedisValue>(
        &self,
        request: impl Fn() -> Request,
    ) -> Result<T, StoreError> {
        let attempt = || {
            let mut connection = self.manager.clone();
            let request = request();
            async move {
                match request {
                    Request::Command(command) => command.query_async(&mut connection).await,
                    Request::Pipeline(pipeline) => pipeline.query_async(&mut connection).await,
                }
            }
        };
        let result = match attempt().await {
            Err(e) if e.is_connection_refusal() => attempt().await,
            other => other,
        };
        result.map_err(|e| self.error(&e))
    }

    fn key(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }

    fn revocations_key(&self) -> String {
        self.key("revocations")
    }

    fn field(target: &Target) -> String {
        format!("{}:{}", target.kind(), target.id())
    }

    pub async fn revoke(&self, revocation: &Revocation) -> Result<Revocation, StoreError> {
        let key = self.revocations_key();
        let value = to_json(revocation)?;
        let change = to_json(&Change::Add(revocation.clone()))?;
        let field = Self::field(&revocation.target);
        self.send::<()>(|| {
            let mut pipeline = redis::pipe();
            pipeline
                .atomic()
                .hset(&key, &field, &value)
                .ignore()
                .publish(&key, &change)
                .ignore();
            Request::Pipeline(pipeline)
        })
        .await?;
        Ok(revocation.clone())
    }

    pub async fn lift(&self, target: &Target) -> Result<bool, StoreError> {
        let key = self.revocations_key();
        let change = to_json(&Change::Lift(target.clone()))?;
        let field = Self::field(target);
        let (removed,): (u64,) = self
            .send(|| {
                let mut pipeline = redis::pipe();
                pipeline
                    .atomic()
                    .hdel(&key, &field)
                    .publish(&key, &change)
                    .ignore();
                Request::Pipeline(pipeline)
            })
            .await?;
        Ok(removed > 0)
    }

    /// Every live revocation; expired ones are deleted on the way.
    pub async fn list(&self, now: u64) -> Result<Vec<Revocation>, StoreError> {
        let key = self.revocations_key();
        let entries: Vec<(String, String)> = self
            .send(|| Request::Command(redis::cmd("HGETALL").arg(&key).to_owned()))
            .await?;
        let mut live = Vec::with_capacity(entries.len());
        let mut expired = Vec::new();
        for (field, value) in entries {
            match serde_json::from_str::<Revocation>(&value) {
                Ok(revocation) if revocation.expires_at > now => live.push(revocation),
                Ok(_) => expired.push(field),
                Err(e) => {
                    return Err(StoreError::Corrupt {
                        key: format!("{key} {field}"),
                        message: e.to_string(),
                    })
                }
            }
        }
        if !expired.is_empty() {
            let _: u64 = self
                .send(|| Request::Command(redis::cmd("HDEL").arg(&key).arg(&expired).to_owned()))
                .await?;
        }
        live.sort_by(|a, b| (a.revoked_at, a.target.id()).cmp(&(b.revoked_at, b.target.id())));
        Ok(live)
    }

    pub async fn blacklist(&self, jti: &str, expires_at: u64, now: u64) -> Result<(), StoreError> {
        let key = self.key(&format!("blacklist:{jti}"));
        let expires_at = expires_at.max(now + 1);
        self.send(|| {
            Request::Command(
                redis::cmd("SET")
                    .arg(&key)
                    .arg(now)
                    .arg("EXAT")
                    .arg(expires_at)
                    .to_owned(),
            )
        })
        .await
    }

    pub async fn is_blacklisted(&self, jti: &str) -> Result<bool, StoreError> {
        let key = self.key(&format!("blacklist:{jti}"));
        self.send(|| Request::Command(redis::cmd("EXISTS").arg(&key).to_owned()))
            .await
    }

    pub async fn outstand(&self, token: &OutstandingToken) -> Result<(), StoreError> {
        let key = self.key(&format!("outstanding:{}", token.jti));
        let value = to_json(token)?;
        let expires_at = token.expires_at.max(token.created_at + 1);
        // `SET NX` answers nil when the token is already recorded: fine, as get_or_create.
        let _: Option<String> = self
            .send(|| {
                Request::Command(
                    redis::cmd("SET")
                        .arg(&key)
                        .arg(&value)
                        .arg("NX")
                        .arg("EXAT")
                        .arg(expires_at)
                        .to_owned(),
                )
            })
            .await?;
        Ok(())
    }

    fn counter_keys(&self, key: &CounterKey, current: u64) -> (String, String) {
        (
            self.key(&format!("failures:{}:{current}", key.0)),
            self.key(&format!("failures:{}:{}", key.0, current.saturating_sub(1))),
        )
    }

    /// Each key's failures in the last window: the current window's count plus the part
    /// of the previous window that still overlaps it (as the local limiter counts).
    pub async fn failure_counts(
        &self,
        keys: &[CounterKey],
        window: Duration,
    ) -> Result<Vec<f64>, StoreError> {
        let (number, elapsed) = window_position(window);
        let names: Vec<String> = keys
            .iter()
            .flat_map(|key| {
                let (current, previous) = self.counter_keys(key, number);
                [current, previous]
            })
            .collect();
        let counts: Vec<Option<u64>> = self
            .send(|| Request::Command(redis::cmd("MGET").arg(&names).to_owned()))
            .await?;
        Ok(counts
            .chunks(2)
            .map(|pair| {
                let current = pair.first().copied().flatten().unwrap_or(0) as f64;
                let previous = pair.get(1).copied().flatten().unwrap_or(0) as f64;
                current + previous * (1.0 - elapsed)
            })
            .collect())
    }

    pub async fn count_failure(
        &self,
        keys: &[CounterKey],
        window: Duration,
    ) -> Result<(), StoreError> {
        let mut pipe = redis::pipe();
        let ttl = i64::try_from(window.as_millis().saturating_mul(2)).unwrap_or(i64::MAX);
        let (number, _) = window_position(window);
        for key in keys {
            let (current, _) = self.counter_keys(key, number);
            pipe.incr(&current, 1)
                .ignore()
                .pexpire(&current, ttl)
                .ignore();
        }
        self.send(|| Request::Pipeline(pipe.clone())).await
    }

    /// Keeps the mirror equal to Redis. Runs for the store's life.
    pub async fn follow(self, follow: Follow) {
        let mut matched_at: Option<Instant> = None;
        let mut backoff = Duration::from_millis(100);
        loop {
            if let Err(e) = self.subscribed(&follow, &mut matched_at).await {
                log::warn!("{e}; following revocations again in {backoff:?}");
            }
            follow.set_up(false);
            let until = Instant::now() + backoff;
            while Instant::now() < until {
                report_age(&follow, matched_at);
                tokio::time::sleep(Duration::from_millis(250).min(backoff)).await;
            }
            backoff = (backoff * 2).min(Duration::from_secs(2));
        }
    }

    /// One pub/sub session: subscribe, resync, apply changes until the connection ends.
    async fn subscribed(
        &self,
        follow: &Follow,
        matched_at: &mut Option<Instant>,
    ) -> Result<(), StoreError> {
        let channel = self.revocations_key();
        let mut pubsub = tokio::time::timeout(self.timeout, self.client.get_async_pubsub())
            .await
            .map_err(|_| StoreError::Timeout(self.timeout))?
            .map_err(|e| self.error(&e))?;
        tokio::time::timeout(self.timeout, pubsub.subscribe(&channel))
            .await
            .map_err(|_| StoreError::Timeout(self.timeout))?
            .map_err(|e| self.error(&e))?;
        let mut messages = pubsub.into_on_message();
        self.resync(follow, matched_at).await?;
        let mut ticker = tokio::time::interval(Duration::from_millis(250));
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut resync_at = Instant::now() + follow.resync_interval();
        loop {
            tokio::select! {
                message = messages.next() => {
                    let Some(message) = message else {
                        return Err(StoreError::Redis {
                            at: self.at.clone(),
                            message: "the pub/sub connection closed".into(),
                        });
                    };
                    let applied = message
                        .get_payload::<String>()
                        .ok()
                        .and_then(|payload| serde_json::from_str::<Change>(&payload).ok());
                    match applied {
                        Some(Change::Add(revocation)) => follow.mirror.insert(revocation),
                        Some(Change::Lift(target)) => follow.mirror.remove(&target),
                        // Not ours to read (another version?): trust the store instead.
                        None => resync_at = Instant::now(),
                    }
                }
                _ = ticker.tick() => {
                    if Instant::now() >= resync_at {
                        resync_at = Instant::now() + follow.resync_interval();
                        self.resync(follow, matched_at).await?;
                    }
                    report_age(follow, *matched_at);
                }
            }
        }
    }

    async fn resync(
        &self,
        follow: &Follow,
        matched_at: &mut Option<Instant>,
    ) -> Result<(), StoreError> {
        // A revocation acknowledged here while the list was read makes the list stale
        // (`Follow::loaded`): read it again, a few times at most.
        for _ in 0..3 {
            let started = Instant::now();
            let since = follow.mirror.changes();
            let listed = tokio::time::timeout(self.timeout, self.list(unix_now()))
                .await
                .map_err(|_| StoreError::Timeout(self.timeout))
                .and_then(|listed| listed);
            follow
                .metrics
                .operation("resync", started.elapsed().as_secs_f64(), listed.is_ok());
            if follow.loaded(listed?, since) {
                *matched_at = Some(started);
                return Ok(());
            }
        }
        // Changes keep coming: the mirror has each of them; match again next time.
        Ok(())
    }
}

fn report_age(follow: &Follow, matched_at: Option<Instant>) {
    // Never matched: as stale as can be.
    let age = matched_at.map_or(Duration::MAX, |at| at.elapsed());
    follow.mirror.set_age(age);
}

/// The number of the current window since the epoch (the same on every replica, clocks
/// being synchronised), and how much of it has passed (0 to 1).
fn window_position(window: Duration) -> (u64, f64) {
    let millis = u64::try_from(window.as_millis()).unwrap_or(u64::MAX).max(1);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0);
    (now / millis, (now % millis) as f64 / millis as f64)
}

fn to_json(value: &impl Serialize) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt {
        key: "(new entry)".into(),
        message: e.to_string(),
    })
}
