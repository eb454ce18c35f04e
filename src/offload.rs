//! A bounded pool for slow, blocking work (password hashes) that must never run on the
//! proxy's async workers.
//!
//! Two limits, both from `[server]`: `hash_workers` hashes run at once on blocking
//! threads, and at most `hash_queue` more wait for a turn (asynchronously, holding no
//! thread). Past that the pool answers [`Busy`] at once: a flood of wrong passwords gets
//! refusals, while requests with cached credentials never touch the pool and keep
//! flowing.

use std::sync::Arc;

use tokio::sync::Semaphore;

/// The pool is full; the caller should answer 503 with `Retry-After`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("too many password checks in progress")]
pub struct Busy;

#[derive(Debug)]
pub struct HashPool {
    admitted: Arc<Semaphore>,
    running: Arc<Semaphore>,
}

impl HashPool {
    pub fn new(workers: usize, queue: usize) -> Self {
        let workers = workers.max(1);
        Self {
            admitted: Arc::new(Semaphore::new(workers + queue)),
            running: Arc::new(Semaphore::new(workers)),
        }
    }

    /// Runs `work` on a blocking thread once a worker slot is free.
    pub async fn run<T, F>(&self, work: F) -> Result<T, Busy>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let _admitted = self
            .admitted
            .clone()
            .try_acquire_owned()
            .map_err(|_| Busy)?;
        let _running = self
            .running
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| Busy)?;
        // A panic in `work` (none is expected) surfaces as Busy rather than taking the
        // request's task down with it.
        tokio::task::spawn_blocking(work).await.map_err(|_| Busy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn full_pool_answers_busy_at_once() {
        let pool = Arc::new(HashPool::new(1, 1));
        let (release, wait) = std::sync::mpsc::channel::<()>();
        let wait = Arc::new(std::sync::Mutex::new(wait));
        let blocker = {
            let pool = pool.clone();
            let wait = wait.clone();
            tokio::spawn(async move {
                pool.run(move || {
                    let _ = wait.lock().map(|w| w.recv_timeout(Duration::from_secs(5)));
                })
                .await
            })
        };
        // Wait (bounded) for states instead of sleeping a guessed time: the test must not
        // depend on how busy the machine is.
        let until = |what: &'static str, done: &dyn Fn() -> bool| {
            let deadline = std::time::Instant::now() + Duration::from_secs(5);
            while !done() {
                assert!(
                    std::time::Instant::now() < deadline,
                    "timed out waiting for {what}"
                );
                std::thread::sleep(Duration::from_millis(1));
            }
        };
        until("the blocker to run", &|| {
            pool.running.available_permits() == 0
        });
        let queued = {
            let pool = pool.clone();
            tokio::spawn(async move { pool.run(|| 7).await })
        };
        until("the second job to queue", &|| {
            pool.admitted.available_permits() == 0
        });
        // One running, one queued: the third is refused without waiting.
        assert_eq!(pool.run(|| 1).await, Err(Busy));
        release.send(()).unwrap();
        assert_eq!(blocker.await.unwrap(), Ok(()));
        assert_eq!(queued.await.unwrap(), Ok(7));
        assert_eq!(pool.run(|| 2).await, Ok(2));
    }
}
