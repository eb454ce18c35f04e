//! `[decision]`: the decision endpoint's prefix, the peers whose forwarded headers
//! describe the original request, and Envoy's header-removal hint.

use super::Validator;
use crate::config::error::KeyPath;
use crate::config::schema::RawDecision;
use crate::decision_endpoint::{DecisionSettings, OriginalFrom, DEFAULT_PREFIX};
use crate::routes::normalize_path;

impl Validator<'_, '_> {
    pub(super) fn decision(
        &mut self,
        raw: Option<&RawDecision>,
        at: &KeyPath,
    ) -> Option<DecisionSettings> {
        let raw = raw?;
        let prefix = raw.prefix.clone().unwrap_or_else(|| DEFAULT_PREFIX.into());
        match normalize_path(&prefix) {
            Ok(normal) if normal == prefix && prefix != "/" && !prefix.ends_with('/') => {}
            _ => self.problems.at(
                &at.key("prefix"),
                format!("{prefix:?} must be a normalised path other than \"/\", without a trailing slash (e.g. \"/.gatehouse/decision\")"),
            ),
        }
        let mut trusted_peers = Vec::new();
        for (i, entry) in raw.trusted_peers.iter().enumerate() {
            let parsed = entry
                .parse::<ipnet::IpNet>()
                .or_else(|_| entry.parse::<std::net::IpAddr>().map(ipnet::IpNet::from));
            match parsed {
                Ok(net) => trusted_peers.push(net),
                Err(_) => self.problems.at(
                    &at.key("trusted_peers").index(i),
                    format!(
                        "expected an IP address or CIDR (e.g. \"10.0.0.0/8\"), found {entry:?}"
                    ),
                ),
            }
        }
        let original = match raw.original.as_deref() {
            None | Some("auto") => OriginalFrom::Auto,
            Some("x-forwarded") => OriginalFrom::XForwarded,
            Some("x-original") => OriginalFrom::XOriginal,
            Some("path") => OriginalFrom::Path,
            Some(other) => {
                self.problems.at(
                    &at.key("original"),
                    format!("expected \"auto\", \"x-forwarded\", \"x-original\" or \"path\", found {other:?}"),
                );
                OriginalFrom::Auto
            }
        };
        Some(DecisionSettings {
            prefix,
            trusted_peers,
            envoy_remove_credentials: raw.envoy_remove_credentials.unwrap_or(false),
            original,
        })
    }
}

#[cfg(test)]
mod tests;
