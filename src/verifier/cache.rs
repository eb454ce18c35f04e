//! The verifier's memory: credential digest -> identity, bounded, and never holding a
//! raw secret.
//!
//! Keys are SHA-256 digests of the credential, domain-separated by kind (a token and a
//! Basic string with the same bytes never collide) and keyed with 64 random bytes drawn
//! at start. The hash state after that first block is computed once and cloned per
//! lookup, so the key costs no more than an unkeyed digest, and a memory dump does not
//! hand out digests that can be checked offline against guessed passwords.
//!
//! An entry lives for `min(ttl, token exp)`; the time claims are rechecked on every hit
//! anyway, so an entry can never outlive its token. Failures are remembered separately
//! (a small negative cache) so a client repeating a bad token or a wrong password does
//! not cost a signature check or a hash each time.

use std::sync::Arc;
use std::time::{Duration, Instant};

use moka::sync::Cache;
use moka::Expiry;
use sha2::{Digest as _, Sha256};

use crate::identity::Identity;

/// A keyed, domain-separated digest of a credential.
pub type Digest = [u8; 32];

/// Credential domains, so equal bytes in different places never share an entry.
#[derive(Clone, Copy)]
pub enum Domain {
    Token,
    Basic,
    HeaderPair,
}

impl Domain {
    fn tag(self) -> &'static [u8] {
        match self {
            Domain::Token => b"gatehouse/token\0",
            Domain::Basic => b"gatehouse/basic\0",
            Domain::HeaderPair => b"gatehouse/header-pair\0",
        }
    }
}

/// Computes digests with a per-process key.
pub struct Digester {
    keyed: Sha256,
}

impl Digester {
    pub fn new() -> Self {
        let mut key = [0u8; 64];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut key);
        let mut keyed = Sha256::new();
        keyed.update(key);
        Self { keyed }
    }

    /// Digest of the given parts, each length-prefixed so that ("ab","c") and ("a","bc")
    /// differ.
    pub fn digest(&self, domain: Domain, parts: &[&[u8]]) -> Digest {
        let mut hasher = self.keyed.clone();
        hasher.update(domain.tag());
        for part in parts {
            hasher.update((part.len() as u64).to_le_bytes());
            hasher.update(part);
        }
        hasher.finalize().into()
    }
}

impl Default for Digester {
    fn default() -> Self {
        Self::new()
    }
}

/// Caps each entry's lifetime at its identity's expiry.
struct CapAtExpiry {
    ttl: Duration,
}

impl Expiry<Digest, Arc<Identity>> for CapAtExpiry {
    fn expire_after_create(
        &self,
        _key: &Digest,
        identity: &Arc<Identity>,
        _created_at: Instant,
    ) -> Option<Duration> {
        let Some(expires_at) = identity.expires_at else {
            return Some(self.ttl);
        };
        // One second of slack: the hit path rechecks `exp` to the second anyway.
        let left = Duration::from_secs(expires_at.saturating_sub(unix_now()).saturating_add(1));
        Some(left.min(self.ttl))
    }
}

pub struct IdentityCache {
    positive: Cache<Digest, Arc<Identity>>,
    negative: Option<Cache<Digest, Arc<str>>>,
    leeway: u64,
}

impl IdentityCache {
    pub fn new(capacity: u64, ttl: Duration, negative_ttl: Duration, leeway: u64) -> Self {
        let positive = Cache::builder()
            .max_capacity(capacity)
            .expire_after(CapAtExpiry { ttl })
            .build();
        let negative = (!negative_ttl.is_zero()).then(|| {
            Cache::builder()
                .max_capacity((capacity / 10).max(1_000))
                .time_to_live(negative_ttl)
                .build()
        });
        Self {
            positive,
            negative,
            leeway,
        }
    }

    /// A live cached identity. An entry whose token has expired is dropped and reported
    /// as a miss, so the caller re-verifies and refuses with the precise reason.
    pub fn get(&self, digest: &Digest) -> Option<Arc<Identity>> {
        let identity = self.positive.get(digest)?;
        if identity.is_expired(unix_now().saturating_sub(self.leeway)) {
            self.positive.invalidate(digest);
            return None;
        }
        Some(identity)
    }

    pub fn insert(&self, digest: Digest, identity: Arc<Identity>) {
        self.positive.insert(digest, identity);
    }

    /// The remembered refusal message for a credential that failed recently.
    pub fn refused(&self, digest: &Digest) -> Option<Arc<str>> {
        self.negative.as_ref()?.get(digest)
    }

    pub fn remember_refusal(&self, digest: Digest, message: &str) {
        if let Some(negative) = &self.negative {
            negative.insert(digest, Arc::from(message));
        }
    }

    pub fn entry_count(&self) -> u64 {
        self.positive.entry_count()
    }
}

pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_are_domain_separated_and_length_prefixed() {
        let d = Digester::new();
        assert_ne!(
            d.digest(Domain::Token, &[b"abc"]),
            d.digest(Domain::Basic, &[b"abc"])
        );
        assert_ne!(
            d.digest(Domain::HeaderPair, &[b"ab", b"c"]),
            d.digest(Domain::HeaderPair, &[b"a", b"bc"])
        );
        assert_eq!(
            d.digest(Domain::Token, &[b"abc"]),
            d.digest(Domain::Token, &[b"abc"])
        );
        // Keyed per process: another digester gives another digest.
        assert_ne!(
            Digester::new().digest(Domain::Token, &[b"abc"]),
            d.digest(Domain::Token, &[b"abc"])
        );
    }
}
