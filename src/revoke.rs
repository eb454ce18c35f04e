//! `gatehouse revoke`: one revocation written to the configured `[state]` store, exactly
//! as `POST /revocations` writes it (same lifetime, same check that the user exists).
//! Under Redis every replica hears of it at once; a running instance on the embedded
//! store sees it at its next poll.

use crate::config::Config;
use crate::revocations::{Revocation, Target};

/// Writes the revocation of `target`; what was stored.
pub fn revoke(config: &Config, target: Target) -> Result<Revocation, String> {
    if target.id().is_empty() {
        return Err(format!("the {} is empty", target.kind()));
    }
    if let Target::User(name) = &target {
        let users = crate::state::command_line_directory(config)?;
        match users.find_blocking(crate::users::UserKey::Username(name)) {
            Ok(Some(_)) => {}
            Ok(None) => return Err(format!("no user {name:?} in {}", config.file)),
            Err(e) => return Err(e.to_string()),
        }
    }
    crate::server::install_tls_provider();
    let metrics = crate::metrics::Metrics::new().map_err(|e| format!("metrics: {e}"))?;
    let store = crate::store::Store::open(&config.state, metrics.store.clone())
        .map_err(|e| e.to_string())?;
    let keep_for = crate::state::revocation_keep(config);
    let writer = store.clone();
    store
        .block_on(async move { writer.revoke(target, keep_for).await })
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())
}
