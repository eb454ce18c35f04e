//! The verifier with real password hashes on the real hash pool: concurrent misses on
//! one credential share a verification, and an entry in use is renewed before it expires.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::*;
use crate::offload::HashPool;
use crate::users::{PasswordHash, User};

// htpasswd -nbB -C 4 alice 'correct horse'
const BCRYPT_4: &str = "$2y$04$2nIagUtAOLZ0/Z7DYISSb.3AjpuquUEZYrZH0EKRs3LvQ.nGw5Sdq";
const ALICE: &str = "YWxpY2U6Y29ycmVjdCBob3JzZQ=="; // alice:correct horse
const ALICE_WRONG: &str = "YWxpY2U6d3Jvbmc="; // alice:wrong

fn verifier(cache_ttl: Duration) -> (Arc<Verifier>, Arc<Metrics>) {
    let alice = User {
        username: "alice".into(),
        id: Some(1),
        email: None,
        roles: Vec::new(),
        active: true,
        password: PasswordHash::parse(BCRYPT_4).unwrap(),
    };
    let metrics = Arc::new(Metrics::new().unwrap());
    let verifier = Verifier::new(
        Directory::configured_only(vec![alice]),
        TokenAcceptors::new(Vec::new()),
        &VerifierSettings {
            cache_capacity: 1_000,
            cache_ttl,
            negative_cache_ttl: Duration::from_secs(10),
            leeway_secs: 0,
        },
        // One hashing thread and a short queue, as a small sidecar has: 32 separate
        // checks would not even fit.
        PasswordChecker::new(Arc::new(HashPool::new(1, 4).unwrap()), metrics.clone()),
        metrics.clone(),
    );
    (Arc::new(verifier), metrics)
}

/// A counter's value from the rendered metrics, 0 when it has no sample yet.
fn counter(metrics: &Metrics, sample: &str) -> u64 {
    let rendered = String::from_utf8(metrics.render()).unwrap();
    rendered
        .lines()
        .find_map(|line| line.strip_prefix(sample)?.trim().parse().ok())
        .unwrap_or(0)
}

const CHECKS_OK: &str = "gatehouse_password_checks_total{result=\"ok\"}";
const CHECKS_FAILED: &str = "gatehouse_password_checks_total{result=\"failed\"}";
const COALESCED: &str = "gatehouse_verifier_cache_total{credential=\"basic\",result=\"coalesced\"}";
const RENEWED: &str = "gatehouse_verifier_cache_total{credential=\"basic\",result=\"renewed\"}";

async fn verify_concurrently(
    verifier: &Arc<Verifier>,
    encoded: &'static str,
    n: usize,
) -> Vec<Result<Arc<Identity>, AuthError>> {
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let verifier = verifier.clone();
            tokio::spawn(async move { verifier.verify(Presented::Basic { encoded }, None).await })
        })
        .collect();
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.unwrap());
    }
    results
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_misses_on_one_credential_hash_once() {
    let (verifier, metrics) = verifier(Duration::from_secs(60));
    let results = verify_concurrently(&verifier, ALICE, 32).await;
    for result in &results {
        assert_eq!(result.as_ref().unwrap().user().username, "alice");
    }
    assert_eq!(counter(&metrics, CHECKS_OK), 1, "one hash for 32 requests");
    assert!(
        counter(&metrics, COALESCED) >= 1,
        "the others waited for it"
    );
    assert!(verifier.in_flight.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_wrong_passwords_share_one_refusal() {
    let (verifier, metrics) = verifier(Duration::from_secs(60));
    let results = verify_concurrently(&verifier, ALICE_WRONG, 16).await;
    for result in results {
        assert_eq!(result.unwrap_err(), AuthError::Password);
    }
    assert_eq!(counter(&metrics, CHECKS_FAILED), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_entry_in_use_is_renewed_before_it_expires() {
    let ttl = Duration::from_millis(800);
    let (verifier, metrics) = verifier(ttl);
    let alice = || verifier.verify(Presented::Basic { encoded: ALICE }, None);
    let first = Instant::now();
    alice().await.unwrap();
    assert_eq!(counter(&metrics, CHECKS_OK), 1);
    // Before three quarters of its life: a plain hit.
    alice().await.unwrap();
    assert_eq!(counter(&metrics, CHECKS_OK), 1);
    tokio::time::sleep(ttl * 3 / 4 + Duration::from_millis(50)).await;
    // Past the mark: served from the entry at once, renewed in the background.
    alice().await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    while counter(&metrics, RENEWED) == 0 {
        assert!(Instant::now() < deadline, "no renewal");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(counter(&metrics, CHECKS_OK), 2);
    // Past the first entry's expiry: the renewed entry serves, no request hashes.
    tokio::time::sleep(
        (first + ttl + Duration::from_millis(50)).saturating_duration_since(Instant::now()),
    )
    .await;
    alice().await.unwrap();
    assert_eq!(
        counter(&metrics, CHECKS_OK),
        2,
        "the renewed entry outlived the first"
    );
    assert_eq!(
        counter(&metrics, RENEWED),
        1,
        "one renewal, not one per hit"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_entry_nobody_uses_is_not_renewed() {
    let ttl = Duration::from_millis(400);
    let (verifier, metrics) = verifier(ttl);
    verifier
        .verify(Presented::Basic { encoded: ALICE }, None)
        .await
        .unwrap();
    tokio::time::sleep(ttl + Duration::from_millis(100)).await;
    assert_eq!(counter(&metrics, RENEWED), 0);
    verifier
        .verify(Presented::Basic { encoded: ALICE }, None)
        .await
        .unwrap();
    assert_eq!(
        counter(&metrics, CHECKS_OK),
        2,
        "expired, verified again on use"
    );
}
