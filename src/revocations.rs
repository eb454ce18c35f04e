//! Revocations: what one is, and the process-local mirror that proxied traffic and the
//! dialect endpoints are checked against.
//!
//! A revocation names one token (`jti`) or one user; a user's revocation refuses every
//! token of theirs issued at or before it ("sign out everywhere"), for every dialect's
//! tokens and gatehouse's own. Password credentials (Basic, the header pair) are not
//! tokens and are not affected: revoking a user does not change their password.
//!
//! The store (`store/`) is the truth; this mirror holds its live revocations in memory, so
//! checking one costs two hash lookups and no I/O. The store's follower task keeps it
//! current (Redis pub/sub or the SQLite file's change counter, plus a periodic full
//! resync) and marks it *fresh* each time it has matched the store. A mirror that has not
//! matched the store for `max_stale` is stale: requests that need it are answered 503
//! (`fail_open = false`, the default) rather than let a revocation made meanwhile be
//! missed.
//!
//! Time has one-second resolution (`iat`), so a token issued in the same second as its
//! user's revocation is refused too: the safe side of that second.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use arc_swap::ArcSwap;
use serde::{Deserialize, Serialize};

pub use crate::identity::TokenFacts;
use crate::metrics::StoreMetrics;

/// What a revocation names.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Target {
    /// One token, by its `jti` claim.
    #[serde(rename = "jti")]
    Jti(String),
    /// Every token of this user (by username) issued at or before `revoked_at`.
    #[serde(rename = "user")]
    User(String),
}

impl Target {
    /// `jti` or `user`: the kind's name in the admin API's paths and in the store.
    pub fn kind(&self) -> &'static str {
        match self {
            Target::Jti(_) => "jti",
            Target::User(_) => "user",
        }
    }

    pub fn id(&self) -> &str {
        match self {
            Target::Jti(id) | Target::User(id) => id,
        }
    }

    /// From a kind name and an id, as the admin API's paths and the store name them.
    pub fn from_parts(kind: &str, id: String) -> Option<Self> {
        match kind {
            "jti" => Some(Target::Jti(id)),
            "user" => Some(Target::User(id)),
            _ => None,
        }
    }
}

/// A stored revocation: `{"jti": "...", "revoked_at": 1764770000, "expires_at": ...}`
/// (or `"user"`), times in Unix seconds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revocation {
    #[serde(flatten)]
    pub target: Target,
    pub revoked_at: u64,
    /// After this, no token it could refuse is valid any more, and it is forgotten.
    pub expires_at: u64,
}

/// Why a token may not be used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RevocationRefusal {
    /// The token, or its user, is revoked.
    Revoked,
    /// The mirror is stale and the policy is to fail closed: 503.
    Unavailable,
}

/// What to do once the mirror is stale.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StalePolicy {
    pub max_stale: Duration,
    /// Keep serving from the stale mirror instead of refusing with 503.
    pub fail_open: bool,
}

/// The live revocations, by what they name. Replaced as a whole on a change: changes are
/// rare, checks are every request.
#[derive(Debug, Default)]
struct Live {
    jtis: HashMap<Box<str>, Revocation>,
    users: HashMap<Box<str>, Revocation>,
    /// How many single changes this process applied ([`RevocationMirror::changes`]).
    changes: u64,
}

impl Live {
    fn from_list(revocations: impl IntoIterator<Item = Revocation>) -> Self {
        let mut live = Live::default();
        for revocation in revocations {
            live.insert(revocation);
        }
        live
    }

    fn insert(&mut self, revocation: Revocation) {
        let map = match &revocation.target {
            Target::Jti(_) => &mut self.jtis,
            Target::User(_) => &mut self.users,
        };
        map.insert(revocation.target.id().into(), revocation);
    }

    fn remove(&mut self, target: &Target) {
        match target {
            Target::Jti(id) => self.jtis.remove(id.as_str()),
            Target::User(id) => self.users.remove(id.as_str()),
        };
    }

    fn len(&self) -> usize {
        self.jtis.len() + self.users.len()
    }

    fn clone_all(&self) -> Self {
        Self {
            jtis: self.jtis.clone(),
            users: self.users.clone(),
            changes: self.changes,
        }
    }
}

/// The process's copy of the store's live revocations.
pub struct RevocationMirror {
    live: ArcSwap<Live>,
    /// Whether the mirror matched the store within `max_stale`.
    fresh: AtomicBool,
    /// Whether it has been stale since it last matched (once, at least): only then is
    /// matching again news worth a log line.
    went_stale: AtomicBool,
    policy: StalePolicy,
    metrics: StoreMetrics,
}

impl RevocationMirror {
    /// An empty mirror, not fresh until it has matched the store once (the store's
    /// opening loads it, or its follower does once the store answers).
    pub fn new(policy: StalePolicy, metrics: StoreMetrics) -> Self {
        Self {
            live: ArcSwap::from_pointee(Live::default()),
            fresh: AtomicBool::new(false),
            went_stale: AtomicBool::new(false),
            policy,
            metrics,
        }
    }

    /// Whether a token may be used: the hot path, two hash lookups at most, and one
    /// atomic load when nothing is revoked.
    pub fn check(&self, token: TokenFacts<'_>) -> Result<(), RevocationRefusal> {
        if !self.policy.fail_open && !self.fresh.load(Ordering::Acquire) {
            return Err(RevocationRefusal::Unavailable);
        }
        let live = self.live.load();
        if live.jtis.is_empty() && live.users.is_empty() {
            return Ok(());
        }
        if token.jti.is_some_and(|jti| live.jtis.contains_key(jti)) {
            return Err(RevocationRefusal::Revoked);
        }
        if let Some(revocation) = live.users.get(token.username) {
            // A token without `iat` cannot show it was issued after the revocation.
            if token
                .issued_at
                .is_none_or(|issued| issued <= revocation.revoked_at)
            {
                return Err(RevocationRefusal::Revoked);
            }
        }
        Ok(())
    }

    /// A mark to take before reading the store's list for [`RevocationMirror::replace`].
    pub fn changes(&self) -> u64 {
        self.live.load().changes
    }

    /// Replaces everything with the store's list (a full resync), read after `since` (a
    /// [`RevocationMirror::changes`] mark). Refused (`false`) when a change was applied
    /// here meanwhile, which the list may predate: a revocation this process has just
    /// acknowledged must not vanish until the next resync. The caller reads again.
    pub fn replace(&self, revocations: Vec<Revocation>, since: u64) -> bool {
        let mut fresh = Live::from_list(revocations);
        fresh.changes = since;
        let fresh = Arc::new(fresh);
        let previous = self.live.rcu(|current| {
            if current.changes == since {
                Arc::clone(&fresh)
            } else {
                Arc::clone(current)
            }
        });
        let replaced = previous.changes == since;
        self.metrics
            .revocations_live
            .set(self.live.load().len() as i64);
        replaced
    }

    /// Adds or replaces one revocation.
    pub fn insert(&self, revocation: Revocation) {
        self.update(|live| live.insert(revocation.clone()));
    }

    /// Lifts one revocation.
    pub fn remove(&self, target: &Target) {
        self.update(|live| live.remove(target));
    }

    fn update(&self, change: impl Fn(&mut Live)) {
        self.live.rcu(|current| {
            let mut next = current.clone_all();
            change(&mut next);
            next.changes = current.changes.wrapping_add(1);
            next
        });
        self.metrics
            .revocations_live
            .set(self.live.load().len() as i64);
    }

    /// Every live revocation this process knows of, oldest first.
    pub fn list(&self) -> Vec<Revocation> {
        let live = self.live.load();
        let mut all: Vec<Revocation> = live
            .jtis
            .values()
            .chain(live.users.values())
            .cloned()
            .collect();
        all.sort_by(|a, b| (a.revoked_at, a.target.id()).cmp(&(b.revoked_at, b.target.id())));
        all
    }

    pub fn len(&self) -> usize {
        self.live.load().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The follower reports how long ago the mirror last matched the store.
    pub fn set_age(&self, age: Duration) {
        self.metrics.mirror_age_seconds.set(age.as_secs_f64());
        let fresh = age <= self.policy.max_stale;
        if self.fresh.swap(fresh, Ordering::AcqRel) != fresh {
            if fresh {
                if self.went_stale.swap(false, Ordering::AcqRel) {
                    log::info!("revocations: the mirror matches the store again");
                }
            } else {
                self.went_stale.store(true, Ordering::Release);
                log::warn!(
                    "revocations: the mirror has not matched the store for {:?}; {}",
                    self.policy.max_stale,
                    if self.policy.fail_open {
                        "serving from it anyway (fail_open)"
                    } else {
                        "refusing token traffic with 503 until it does"
                    }
                );
            }
        }
    }

    pub fn is_fresh(&self) -> bool {
        self.fresh.load(Ordering::Acquire)
    }
}

#[cfg(test)]
mod tests;
