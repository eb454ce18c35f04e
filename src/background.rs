//! A dedicated one-thread tokio runtime for clients whose connections must outlive any
//! Pingora runtime: the state store and the user database.
//!
//! Pingora gives each service its own runtimes and may build new ones (graceful upgrade,
//! reload), and a tokio socket belongs to the runtime it was opened on. A client with a
//! connection pool and background tasks therefore gets a runtime of its own, and requests
//! hand their queries to it (`spawn`, then await the handle from any runtime). The command
//! line uses the same client through `block_on`.

use std::future::Future;

/// One named runtime thread, alive as long as this value.
pub struct BackgroundRuntime(Option<tokio::runtime::Runtime>);

impl BackgroundRuntime {
    /// Starts the thread, named `name` (as seen in `top -H` and profiles).
    pub fn new(name: &str) -> std::io::Result<Self> {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name(name)
            .enable_all()
            .build()
            .map(|runtime| Self(Some(runtime)))
    }

    pub fn spawn<F>(&self, future: F) -> tokio::task::JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        match &self.0 {
            Some(runtime) => runtime.spawn(future),
            // Only during drop; nothing asks then.
            None => tokio::spawn(future),
        }
    }

    /// Runs `future` to completion from a thread that is not an async worker, by handing
    /// it to the runtime's thread and waiting. `None` if the runtime stopped first.
    pub fn block_on<T: Send + 'static>(
        &self,
        future: impl Future<Output = T> + Send + 'static,
    ) -> Option<T> {
        let (sender, receiver) = std::sync::mpsc::sync_channel(1);
        self.spawn(async move {
            let _ = sender.send(future.await);
        });
        receiver.recv().ok()
    }
}

impl Drop for BackgroundRuntime {
    fn drop(&mut self) {
        // The owner may be dropped on an async worker, where a blocking shutdown panics.
        if let Some(runtime) = self.0.take() {
            runtime.shutdown_background();
        }
    }
}
