//! Reloading the configuration in place: on SIGHUP, and when the config file or a file it
//! references (users files, key and hash files) changes, checked every
//! `[server] watch_interval` (2 s by default; `"0s"` turns watching off).
//!
//! The new file is read and validated off the request path, a new snapshot (users, keys,
//! routes, a fresh verifier cache) is built from it, and then swapped in atomically.
//! Requests in flight finish on the snapshot they started with. A broken file changes
//! nothing: its errors are logged with file, line and key, the old snapshot keeps
//! serving, and `gatehouse_config_reloads_total{result="failed"}` counts it.
//!
//! Settings that belong to sockets and threads (`[listen]`, `[admin]`, `[server]`, and
//! switching to or from the built-in echo) cannot change without a restart; a reload
//! that changes them applies everything else and logs what was left alone. A reload
//! that changes `[state]` or `[user_database]` (or switches the echo) is refused as a
//! whole.

use std::path::PathBuf;
use std::sync::Arc;

use arc_swap::ArcSwap;
use async_trait::async_trait;
use pingora::server::ShutdownWatch;
use pingora::services::background::BackgroundService;

use crate::config::{Config, UpstreamTarget};
use crate::listener_tls::ListenerCertificate;
use crate::proxy::Snapshot;
use crate::state::{Shared, State};

pub struct Reloader {
    pub path: PathBuf,
    pub snapshot: Arc<ArcSwap<Snapshot>>,
    pub shared: Shared,
    /// The TLS listener's certificate, replaced when its files change.
    pub listener_certificate: Option<Arc<ListenerCertificate>>,
}

impl Reloader {
    /// Loads, validates and swaps in the configuration file. Returns what went wrong.
    pub fn reload(&self) -> Result<(), String> {
        let config = Config::load(&self.path).map_err(|errors| errors.to_string())?;
        let current = self.snapshot.load();
        let old = &current.state.config;
        let mut needs_restart = Vec::new();
        if config.listen.address != old.listen.address
            || config.listen.tls.is_some() != old.listen.tls.is_some()
        {
            needs_restart.push("[listen] address, tls");
        }
        if config.listen.max_connections != old.listen.max_connections
            || config.listen.header_timeout != old.listen.header_timeout
        {
            needs_restart.push("[listen] max_connections, header_timeout");
        }
        if config.listen.http2 != old.listen.http2 {
            needs_restart.push("[listen] h2c, h2, h2_max_concurrent_streams, h2_idle_timeout");
        }
        if config.admin.address != old.admin.address {
            needs_restart.push("[admin] address");
        }
        let echo = |c: &Config| c.upstream.target == UpstreamTarget::BuiltinEcho;
        if echo(&config) != echo(old) {
            return Err(
                "switching to or from builtin:echo needs a restart; nothing was changed".into(),
            );
        }
        // The store is opened once; a reload that moved it would also read generated keys
        // from the new place while the old store still holds the blacklist.
        if config.state != old.state {
            return Err("changing [state] needs a restart; nothing was changed".into());
        }
        if config.user_database != old.user_database {
            return Err("changing [user_database] needs a restart; nothing was changed".into());
        }
        // Their key fetching runs from start, like the store.
        if config.issuers != old.issuers {
            return Err("changing [[issuers]] needs a restart; nothing was changed".into());
        }
        if !needs_restart.is_empty() {
            log::warn!(
                "reload: {} changed and need a restart to take effect",
                needs_restart.join(", ")
            );
        }
        // Loaded before anything is swapped: a half-written certificate fails the whole
        // reload, and the old certificate and configuration keep serving.
        let certificate = match (&self.listener_certificate, &config.listen.tls) {
            (Some(listener), Some(tls)) => Some((
                listener,
                crate::listener_tls::load(tls).map_err(|e| format!("[listen] tls: {e}"))?,
            )),
            _ => None,
        };
        let state = State::build(Arc::new(config), &self.shared)?;
        let snapshot = Snapshot::new(state).map_err(|e| e.to_string())?;
        self.snapshot.store(Arc::new(snapshot));
        if let Some((listener, certificate)) = certificate {
            if listener.replace(certificate) {
                log::info!("reload: the listener now serves the new TLS certificate");
            }
        }
        Ok(())
    }
}

#[async_trait]
impl BackgroundService for Reloader {
    async fn start(&self, mut shutdown: ShutdownWatch) {
        let mut hangup = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())
        {
            Ok(signal) => signal,
            Err(e) => {
                log::error!("reload on SIGHUP is unavailable: {e}");
                return;
            }
        };
        let interval = self.snapshot.load().state.config.server.watch_interval;
        let mut seen = fingerprint(&self.snapshot.load().state.config.watched);
        loop {
            let watching = !interval.is_zero();
            tokio::select! {
                _ = hangup.recv() => {}
                _ = tokio::time::sleep(interval), if watching => {
                    let now = fingerprint(&self.snapshot.load().state.config.watched);
                    if now == seen {
                        continue;
                    }
                    log::info!("a configuration file changed; reloading");
                }
                _ = shutdown.changed() => return,
            }
            // Validation hashes nothing and signs nothing, but reads files: keep it off
            // this runtime's worker anyway.
            let path = self.path.clone();
            let snapshot = self.snapshot.clone();
            let shared = self.shared.clone();
            let listener_certificate = self.listener_certificate.clone();
            let result = tokio::task::spawn_blocking(move || {
                Reloader {
                    path,
                    snapshot,
                    shared,
                    listener_certificate,
                }
                .reload()
            })
            .await;
            // Whatever the outcome, this version of the files has been tried: a broken file
            // is reported once, not on every tick.
            seen = match &result {
                Ok(Err(_)) => fingerprint(&watched_after_failure(&self.path, &self.snapshot)),
                _ => fingerprint(&self.snapshot.load().state.config.watched),
            };
            match result {
                Ok(Ok(())) => {
                    self.shared.metrics.config_reload(true);
                    log::info!("reloaded {}", self.path.display());
                }
                Ok(Err(errors)) => {
                    self.shared.metrics.config_reload(false);
                    log::error!(
                        "reload of {} failed; still serving the previous configuration:\n{errors}",
                        self.path.display()
                    );
                }
                Err(e) => {
                    self.shared.metrics.config_reload(false);
                    log::error!("reload task failed: {e}");
                }
            }
        }
    }
}

/// Modification time and length of each watched file (missing files count as absent).
fn fingerprint(files: &[std::path::PathBuf]) -> Vec<Option<(std::time::SystemTime, u64)>> {
    files
        .iter()
        .map(|f| {
            std::fs::metadata(f)
                .ok()
                .and_then(|m| Some((m.modified().ok()?, m.len())))
        })
        .collect()
}

/// After a failed reload the snapshot still lists the old files; the broken config file
/// itself is what changed, so remember its current state with them.
fn watched_after_failure(
    path: &std::path::Path,
    snapshot: &ArcSwap<Snapshot>,
) -> Vec<std::path::PathBuf> {
    let mut files = snapshot.load().state.config.watched.clone();
    if !files.iter().any(|f| f == path) {
        files.insert(0, path.to_path_buf());
    }
    files
}
