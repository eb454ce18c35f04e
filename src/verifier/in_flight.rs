//! Verifications under way, by credential digest: concurrent cache misses on the same
//! credential share one verification instead of each running its own.
//!
//! Load tests and busy clients present one credential from many connections at once.
//! When its cache entry expires, every request that arrives before the first
//! verification finishes would otherwise hash the same password again: 32 concurrent
//! argon2id checks on two cores is a p99 of hundreds of milliseconds. Here the first
//! request verifies and the others await its answer.
//!
//! The map's lock is a `std` mutex held only to find or remove an entry, never across an
//! await. A verification that is cancelled (its client went away) hands over: one of
//! the requests still waiting runs it (`tokio::sync::OnceCell` does that), and the entry
//! leaves the map with the last request that holds it.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::OnceCell;

use super::cache::Digest;

/// Single-flight for one verifier.
pub struct InFlight<T> {
    running: Mutex<HashMap<Digest, Arc<OnceCell<T>>>>,
}

impl<T: Clone> InFlight<T> {
    pub fn new() -> Self {
        Self {
            running: Mutex::new(HashMap::new()),
        }
    }

    /// `verify`'s answer for `digest`, shared with every caller that asks for the same
    /// digest while it runs. The boolean says whether this caller ran it (`false`: it
    /// waited for another's).
    pub async fn run<F, Fut>(&self, digest: Digest, verify: F) -> (T, bool)
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = T>,
    {
        let cell = self
            .running
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(digest)
            .or_default()
            .clone();
        let _leave = Leave {
            running: &self.running,
            digest,
            cell: &cell,
        };
        let mut ran = false;
        let answer = cell
            .get_or_init(|| {
                ran = true;
                verify()
            })
            .await
            .clone();
        (answer, ran)
    }

    /// No verification under way: every flight left the map.
    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.running
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_empty()
    }
}

impl<T: Clone> Default for InFlight<T> {
    fn default() -> Self {
        Self::new()
    }
}

/// Takes the entry out of the map when its answer is there (later callers find the
/// cache instead), or when no other caller holds it any more (all were cancelled).
struct Leave<'a, T> {
    running: &'a Mutex<HashMap<Digest, Arc<OnceCell<T>>>>,
    digest: Digest,
    cell: &'a Arc<OnceCell<T>>,
}

impl<T> Drop for Leave<'_, T> {
    fn drop(&mut self) {
        let mut running = self.running.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(entry) = running.get(&self.digest) else {
            return;
        };
        // Another entry for the digest is a later flight: not ours to remove. Holders are
        // the map and this caller when the count is 2; clones are only made under the lock.
        if Arc::ptr_eq(entry, self.cell)
            && (self.cell.initialized() || Arc::strong_count(self.cell) <= 2)
        {
            running.remove(&self.digest);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_callers_share_one_run() {
        let flights = Arc::new(InFlight::<u32>::new());
        let runs = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..32 {
            let (flights, runs) = (flights.clone(), runs.clone());
            tasks.push(tokio::spawn(async move {
                flights
                    .run(7, || async {
                        runs.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        42
                    })
                    .await
            }));
        }
        let mut leaders = 0;
        for task in tasks {
            let (answer, ran) = task.await.unwrap();
            assert_eq!(answer, 42);
            leaders += usize::from(ran);
        }
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        assert_eq!(leaders, 1);
        assert!(flights.is_empty(), "the finished flight left the map");
    }

    #[tokio::test]
    async fn different_digests_run_separately_and_a_finished_one_runs_again() {
        let flights = InFlight::<u32>::new();
        assert_eq!(flights.run(1, || async { 1 }).await, (1, true));
        assert_eq!(flights.run(2, || async { 2 }).await, (2, true));
        // The first flight is over: the same digest verifies again, not a stale answer.
        assert_eq!(flights.run(1, || async { 3 }).await, (3, true));
        assert!(flights.is_empty());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_cancelled_leader_hands_over_to_a_waiter() {
        let flights = Arc::new(InFlight::<u32>::new());
        let leader = {
            let flights = flights.clone();
            tokio::spawn(async move {
                flights
                    .run(9, || async {
                        tokio::time::sleep(Duration::from_secs(60)).await;
                        1
                    })
                    .await
            })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        let waiter = {
            let flights = flights.clone();
            tokio::spawn(async move { flights.run(9, || async { 2 }).await })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        leader.abort();
        let answer = tokio::time::timeout(Duration::from_secs(5), waiter)
            .await
            .expect("the waiter is not left hanging")
            .unwrap();
        assert_eq!(answer, (2, true), "the waiter ran the verification itself");
        assert!(flights.is_empty());
    }

    #[tokio::test]
    async fn a_flight_everyone_abandoned_leaves_the_map() {
        let flights = InFlight::<u32>::new();
        let abandoned = flights.run(5, std::future::pending::<u32>);
        // Polled once, then dropped: the entry must not stay behind.
        let _ = tokio::time::timeout(Duration::from_millis(10), abandoned).await;
        assert!(flights.is_empty());
    }
}
