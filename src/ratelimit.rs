//! Limits on failed credentials, per client address and per username (DESIGN "Rate
//! limits"), so a password cannot be brute-forced through the proxy or a login endpoint.
//!
//! - Only failures count (a wrong password, a malformed Basic credential); successes
//!   never do, so busy legitimate clients are not slowed.
//! - While a client or a username is over its limit, every attempt is refused with 429
//!   and `Retry-After`, before any password is checked: even the right password, so a
//!   guess cannot be confirmed during the lockout.
//! - Counts are a sliding window (the previous window weighted by how much of it still
//!   overlaps, plus the current one) over pingora-limits' count-min sketches: memory is
//!   fixed whatever the number of clients or usernames, and collisions can only
//!   over-count, never let an attacker through.
//! - Usernames are compared lower-cased, so case variants share one budget.
//! - The client address is the peer, or behind a configured trusted proxy the address
//!   it reports (`forwarded.rs`): a spoofed `X-Forwarded-For` does not reset anything.
//! - Counters live for the process, across reloads; the thresholds are read at start.
//! - Under Redis (`[state] redis`), failures are also counted there, per window, and the
//!   limits apply to the sum over every replica: N replicas allow what one allows. The
//!   local counts still apply, so a Redis that does not answer leaves each replica
//!   limiting on its own rather than not at all.

use std::hash::Hash;
use std::net::IpAddr;
use std::time::Duration;

use pingora_limits::rate::Rate;
use sha2::{Digest as _, Sha256};

use crate::store::{CounterKey, Store};

/// Thresholds from `[auth.rate_limit]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LimitSettings {
    pub enabled: bool,
    pub per_client: u32,
    pub per_user: u32,
    pub window: Duration,
}

impl Default for LimitSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            per_client: 30,
            per_user: 10,
            window: Duration::from_secs(60),
        }
    }
}

/// A refusal: try again after this many seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryAfter(pub u64);

pub struct FailureLimiter {
    settings: LimitSettings,
    clients: Rate,
    users: Rate,
    /// Where every replica counts (Redis), if they share one.
    shared: Option<Store>,
}

/// Sketch size: 4 rows of 16 Ki counters per limiter (about 1 MiB each, fixed).
const HASHES: usize = 4;
const SLOTS: usize = 16 * 1024;

impl FailureLimiter {
    pub fn new(settings: LimitSettings) -> Self {
        let window = settings.window.max(Duration::from_secs(1));
        Self {
            clients: Rate::new_with_estimator_config(window, HASHES, SLOTS),
            users: Rate::new_with_estimator_config(window, HASHES, SLOTS),
            settings,
            shared: None,
        }
    }

    /// Also counts in `store` when it is shared by replicas (Redis).
    pub fn shared_through(mut self, store: &Store) -> Self {
        if store.shares_counters() {
            self.shared = Some(store.clone());
        }
        self
    }

    /// [`FailureLimiter::check`], then the counts every replica shares.
    pub async fn admit(&self, client: IpAddr, username: Option<&[u8]>) -> Result<(), RetryAfter> {
        self.check(client, username)?;
        // A store known to be down is not waited for on every attempt.
        let Some(store) = self.shared.as_ref().filter(|store| store.is_up()) else {
            return Ok(());
        };
        let keys = counter_keys(client, username);
        // A store that does not answer was logged and counted by the store; the local
        // limits above still held.
        let Ok(counts) = store.failure_counts(keys, self.settings.window).await else {
            return Ok(());
        };
        let over_client = counts
            .first()
            .is_some_and(|&n| n >= f64::from(self.settings.per_client));
        let over_user = counts
            .get(1)
            .is_some_and(|&n| n >= f64::from(self.settings.per_user));
        if over_client || over_user {
            return Err(RetryAfter(self.settings.window.as_secs().max(1)));
        }
        Ok(())
    }

    /// [`FailureLimiter::record_failure`], and in the shared counts.
    pub async fn count_failure(&self, client: IpAddr, username: Option<&[u8]>) {
        self.record_failure(client, username);
        let shared = self.shared.as_ref().filter(|store| store.is_up());
        if let (Some(store), true) = (shared, self.settings.enabled) {
            let keys = counter_keys(client, username);
            let _ = store.count_failure(keys, self.settings.window).await;
        }
    }

    /// Refuses when the client or the username has failed too often lately.
    pub fn check(&self, client: IpAddr, username: Option<&[u8]>) -> Result<(), RetryAfter> {
        if !self.settings.enabled {
            return Ok(());
        }
        let over_client = recent(&self.clients, &client) >= f64::from(self.settings.per_client);
        let over_user = username
            .map(|u| recent(&self.users, &fold(u)) >= f64::from(self.settings.per_user))
            .unwrap_or(false);
        if over_client || over_user {
            return Err(RetryAfter(self.settings.window.as_secs().max(1)));
        }
        Ok(())
    }

    /// Counts one failed attempt.
    pub fn record_failure(&self, client: IpAddr, username: Option<&[u8]>) {
        if !self.settings.enabled {
            return;
        }
        self.clients.observe(&client, 1);
        if let Some(username) = username {
            self.users.observe(&fold(username), 1);
        }
    }
}

/// The shared counters of a client and a username. Usernames are hashed: the store need
/// not hold who was tried.
fn counter_keys(client: IpAddr, username: Option<&[u8]>) -> Vec<CounterKey> {
    let mut keys = vec![CounterKey(format!("client:{client}"))];
    if let Some(username) = username {
        let digest = Sha256::digest(fold(username));
        let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
        keys.push(CounterKey(format!("user:{hex}")));
    }
    keys
}

fn fold(username: &[u8]) -> Vec<u8> {
    String::from_utf8_lossy(username)
        .to_lowercase()
        .into_bytes()
}

/// Failures in the last window: the current window's count plus the part of the
/// previous window that still overlaps it.
fn recent<K: Hash>(rate: &Rate, key: &K) -> f64 {
    rate.rate_with(key, |c| {
        let previous =
            c.prev_samples.max(0) as f64 * (1.0 - c.current_interval_fraction).clamp(0.0, 1.0);
        previous + c.curr_samples.max(0) as f64
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter(per_client: u32, per_user: u32) -> FailureLimiter {
        FailureLimiter::new(LimitSettings {
            enabled: true,
            per_client,
            per_user,
            window: Duration::from_secs(60),
        })
    }

    #[test]
    fn a_username_is_locked_after_its_failures_whatever_the_case() {
        let l = limiter(100, 3);
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        for _ in 0..3 {
            assert_eq!(l.check(ip, Some(b"admin")), Ok(()));
            l.record_failure(ip, Some(b"admin"));
        }
        assert_eq!(l.check(ip, Some(b"ADMIN")), Err(RetryAfter(60)));
        // Another user from the same client is not locked by admin's budget.
        assert_eq!(l.check(ip, Some(b"test")), Ok(()));
    }

    #[test]
    fn a_client_is_locked_across_usernames() {
        let l = limiter(5, 100);
        let ip: IpAddr = "10.0.0.2".parse().unwrap();
        for i in 0..5 {
            l.record_failure(ip, Some(format!("user{i}").as_bytes()));
        }
        assert!(l.check(ip, Some(b"someone-else")).is_err());
        assert!(l
            .check("10.0.0.3".parse().unwrap(), Some(b"someone-else"))
            .is_ok());
    }

    #[test]
    fn disabled_never_refuses() {
        let l = FailureLimiter::new(LimitSettings {
            enabled: false,
            ..LimitSettings::default()
        });
        let ip: IpAddr = "10.0.0.4".parse().unwrap();
        for _ in 0..100 {
            l.record_failure(ip, Some(b"a"));
        }
        assert!(l.check(ip, Some(b"a")).is_ok());
    }
}
