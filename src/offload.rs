//! A bounded pool for slow, blocking work (password hashes) that must never run on the
//! proxy's async workers.
//!
//! Two limits, both from `[server]`: `hash_workers` threads hash, one job at a time each,
//! and at most `hash_queue` more jobs wait for a turn (asynchronously, holding no
//! thread). Past that the pool answers [`Busy`] at once: a flood of wrong passwords gets
//! refusals, while requests with cached credentials never touch the pool and keep
//! flowing.
//!
//! The threads are the pool's own, not tokio's blocking pool, so that they can run at a
//! lower scheduling priority (nice +10 on Linux) for their whole life: when the proxy's
//! cores are saturated, the scheduler gives the async workers about ten times the CPU
//! share of a hashing thread, so a login flood slows logins rather than every verified
//! request. With CPU to spare the niceness changes nothing. A tokio blocking thread could
//! not be lowered this way: an unprivileged process cannot raise a thread's priority
//! back, and that thread would go on to run unrelated blocking work.

use std::panic::AssertUnwindSafe;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use tokio::sync::{oneshot, OwnedSemaphorePermit, Semaphore};

/// The nice value of hashing threads: weight 110 against the workers' 1024 under CFS.
const HASH_THREAD_NICE: i32 = 10;

/// The pool is full; the caller should answer 503 with `Retry-After`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("too many password checks in progress")]
pub struct Busy;

type Job = Box<dyn FnOnce() + Send>;

#[derive(Debug)]
pub struct HashPool {
    /// One permit per job admitted (running or queued); a job holds its permit until it
    /// has run or been skipped, so the bound holds even for abandoned requests.
    admitted: Arc<Semaphore>,
    jobs: mpsc::Sender<Job>,
}

impl HashPool {
    /// Starts `workers` hashing threads (at least one). They exit once the pool is
    /// dropped and their current job is done.
    pub fn new(workers: usize, queue: usize) -> std::io::Result<Self> {
        let workers = workers.max(1);
        let (jobs, receiver) = mpsc::channel::<Job>();
        let receiver = Arc::new(Mutex::new(receiver));
        for index in 0..workers {
            let receiver = receiver.clone();
            std::thread::Builder::new()
                .name(format!("gatehouse-hash-{index}"))
                .spawn(move || work_loop(&receiver))?;
        }
        Ok(Self {
            admitted: Arc::new(Semaphore::new(workers + queue)),
            jobs,
        })
    }

    /// Runs `work` on a hashing thread once one is free.
    pub async fn run<T, F>(&self, work: F) -> Result<T, Busy>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let permit = self
            .admitted
            .clone()
            .try_acquire_owned()
            .map_err(|_| Busy)?;
        let (reply, answer) = oneshot::channel();
        self.jobs.send(job(permit, reply, work)).map_err(|_| Busy)?;
        // Unanswered only if `work` panicked: that surfaces as Busy rather than taking
        // the request's task (or the hashing thread) down with it.
        answer.await.map_err(|_| Busy)
    }
}

fn job<T, F>(permit: OwnedSemaphorePermit, reply: oneshot::Sender<T>, work: F) -> Job
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    Box::new(move || {
        // The request went away while this waited (client gone, timeout): skip the hash.
        if reply.is_closed() {
            return;
        }
        let outcome = std::panic::catch_unwind(AssertUnwindSafe(work));
        // The slot is free before the caller hears back, so a caller that runs again at
        // once finds it free.
        drop(permit);
        // A panic (none is expected) drops `reply` unanswered: the caller sees Busy.
        if let Ok(value) = outcome {
            let _ = reply.send(value);
        }
    })
}

fn work_loop(receiver: &Mutex<mpsc::Receiver<Job>>) {
    lower_priority();
    loop {
        // The lock is held only while waiting for the next job, never while hashing.
        let next = match receiver.lock() {
            Ok(receiver) => receiver.recv(),
            Err(_) => return,
        };
        let Ok(job) = next else {
            return; // the pool was dropped
        };
        job();
    }
}

/// Lowers the calling thread's priority; Linux nice values are per thread.
fn lower_priority() {
    #[cfg(target_os = "linux")]
    {
        let thread = rustix::thread::gettid();
        if let Err(error) = rustix::process::setpriority_process(Some(thread), HASH_THREAD_NICE) {
            log::warn!("hash pool: could not lower the hashing thread's priority: {error}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// Waits (bounded) for a state instead of sleeping a guessed time: the tests must
    /// not depend on how busy the machine is.
    fn until(what: &str, done: &dyn Fn() -> bool) {
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while !done() {
            assert!(
                std::time::Instant::now() < deadline,
                "timed out waiting for {what}"
            );
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn full_pool_answers_busy_at_once() {
        let pool = Arc::new(HashPool::new(1, 1).unwrap());
        let (release, wait) = std::sync::mpsc::channel::<()>();
        let (started, has_started) = std::sync::mpsc::channel::<()>();
        let blocker = {
            let pool = pool.clone();
            tokio::spawn(async move {
                pool.run(move || {
                    let _ = started.send(());
                    let _ = wait.recv_timeout(Duration::from_secs(5));
                })
                .await
            })
        };
        has_started
            .recv_timeout(Duration::from_secs(5))
            .expect("the blocker runs");
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
        // Every permit is back once the jobs are done.
        until("the permits to return", &|| {
            pool.admitted.available_permits() == 2
        });
    }

    #[tokio::test]
    async fn a_panicking_job_is_busy_and_the_thread_survives() {
        let pool = HashPool::new(1, 0).unwrap();
        assert_eq!(
            pool.run(|| panic!("hash exploded")).await,
            Err::<(), _>(Busy)
        );
        // The only worker thread still takes jobs.
        assert_eq!(pool.run(|| 3).await, Ok(3));
    }

    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn hashing_threads_run_below_the_workers_priority() {
        let nice_here = rustix::process::getpriority_process(None).unwrap();
        let pool = HashPool::new(1, 0).unwrap();
        let nice_there = pool
            .run(|| rustix::process::getpriority_process(None).unwrap())
            .await
            .unwrap();
        // A process started at nice >= 10 cannot lower itself further than it is.
        assert!(
            nice_there >= HASH_THREAD_NICE
                && (nice_here >= HASH_THREAD_NICE || nice_there > nice_here),
            "hashing thread at nice {nice_there}, caller at {nice_here}"
        );
    }
}
