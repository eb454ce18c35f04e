//! `[[issuers]]`: external token issuers (`issuers.rs`). Each needs `issuer` (the `iss`
//! of its tokens); keys come from OIDC discovery unless `jwks_url` is given; audiences
//! are required unless `audience_check = false`; algorithms are public-key ones only.

use std::collections::HashSet;
use std::time::Duration;

use super::Validator;
use crate::config::error::KeyPath;
use crate::config::schema::RawIssuer;
use crate::issuers::settings::{
    check_url, host_of, ClaimMapping, FetchPolicy, IssuerSettings, KeySource, ASYMMETRIC,
};
use crate::keys::parse_algorithm;

impl Validator<'_, '_> {
    pub(super) fn issuers(&mut self, raw: &[RawIssuer], at: &KeyPath) -> Vec<IssuerSettings> {
        let mut issuers: Vec<IssuerSettings> = Vec::new();
        let mut seen = HashSet::new();
        for (i, entry) in raw.iter().enumerate() {
            let at = at.index(i);
            let Some(settings) = self.issuer(entry, &at) else {
                continue;
            };
            if !seen.insert(settings.issuer.clone()) {
                self.problems.at(
                    &at.key("issuer"),
                    format!("{:?} is configured twice", settings.issuer),
                );
            }
            if issuers.iter().any(|other| other.name == settings.name) {
                self.problems.at(
                    &at.key("name"),
                    format!(
                        "{:?} names two issuers; give each its own `name`",
                        settings.name
                    ),
                );
            }
            issuers.push(settings);
        }
        issuers
    }

    fn issuer(&mut self, raw: &RawIssuer, at: &KeyPath) -> Option<IssuerSettings> {
        let Some(issuer) = raw.issuer.clone() else {
            self.problems.at(
                &at.key("issuer"),
                "is required: the `iss` claim of the issuer's tokens (its URL)",
            );
            return None;
        };
        let source = match &raw.jwks_url {
            Some(url) => {
                if let Err(e) = check_url(url) {
                    self.problems.at(&at.key("jwks_url"), e);
                }
                KeySource::Jwks(url.clone())
            }
            None => {
                if let Err(e) = check_url(&issuer) {
                    self.problems.at(
                        &at.key("issuer"),
                        format!("{e} (or give `jwks_url` to skip discovery)"),
                    );
                }
                KeySource::Discovery(format!(
                    "{}/.well-known/openid-configuration",
                    issuer.trim_end_matches('/')
                ))
            }
        };
        let audiences = raw.audiences.clone().unwrap_or_default();
        match (raw.audience_check, audiences.is_empty()) {
            (Some(false), false) => self.problems.at(
                &at.key("audience_check"),
                "is false, so `audiences` would not be checked: remove one of them",
            ),
            (None | Some(true), true) => self.problems.at(
                &at.key("audiences"),
                "is required (the `aud` values this service accepts); `audience_check = false` accepts any",
            ),
            _ => {}
        }
        let algorithms = match &raw.algorithms {
            None => ASYMMETRIC.to_vec(),
            Some(names) => {
                let mut algorithms = Vec::new();
                for (i, name) in names.iter().enumerate() {
                    match parse_algorithm(name) {
                        Ok(algorithm) if ASYMMETRIC.contains(&algorithm) => {
                            algorithms.push(algorithm)
                        }
                        Ok(_) => self.problems.at(
                            &at.key("algorithms").index(i),
                            format!("{name}: a JWKS publishes public keys; HMAC algorithms are never accepted from an issuer"),
                        ),
                        Err(e) => self.problems.at(&at.key("algorithms").index(i), e.to_string()),
                    }
                }
                if names.is_empty() {
                    self.problems
                        .at(&at.key("algorithms"), "must name at least one algorithm");
                }
                algorithms
            }
        };
        let pointer = |v: &mut Self, value: &Option<String>, key: &str| {
            if let Some(p) = value {
                if !p.starts_with('/') {
                    v.problems.at(
                        &at.key(key),
                        format!("{p:?} is not a JSON pointer (e.g. \"/realm_access/roles\")"),
                    );
                }
            }
        };
        pointer(self, &raw.roles_claim, "roles_claim");
        let claims = ClaimMapping {
            username: raw.username_claim.clone().unwrap_or_else(|| "sub".into()),
            user_id: raw.user_id_claim.clone(),
            email: raw.email_claim.clone(),
            roles: raw.roles_claim.clone(),
            require_user: raw.require_user.unwrap_or(false),
        };
        let duration = |v: &mut Self, value: &Option<String>, default: u64, key: &str| {
            v.duration(value.as_deref(), Duration::from_secs(default), &at.key(key))
        };
        let fetch = FetchPolicy {
            timeout: duration(self, &raw.fetch_timeout, 5, "fetch_timeout"),
            min_refresh: duration(self, &raw.min_refresh, 60, "min_refresh"),
            max_refresh: duration(self, &raw.max_refresh, 3600, "max_refresh"),
            refetch_interval: duration(self, &raw.refetch_interval, 30, "refetch_interval"),
            max_stale: duration(self, &raw.max_stale, 24 * 3600, "max_stale"),
            startup_wait: duration(self, &raw.startup_wait, 10, "startup_wait"),
            max_jwks_bytes: raw.max_jwks_bytes.unwrap_or(256 * 1024),
            ca_file: raw
                .ca_file
                .as_deref()
                .map(|f| self.file_exists(f, &at.key("ca_file"))),
        };
        if fetch.timeout.is_zero() {
            self.problems
                .at(&at.key("fetch_timeout"), "must be longer than 0s");
        }
        if fetch.min_refresh.is_zero() || fetch.min_refresh > fetch.max_refresh {
            self.problems.at(
                &at.key("min_refresh"),
                "must be longer than 0s and at most `max_refresh`",
            );
        }
        if fetch.refetch_interval.is_zero() {
            self.problems.at(
                &at.key("refetch_interval"),
                "must be longer than 0s (it bounds the fetches forged `kid`s can cause)",
            );
        }
        if !(1024..=16 * 1024 * 1024).contains(&fetch.max_jwks_bytes) {
            self.problems.at(
                &at.key("max_jwks_bytes"),
                "must be between 1024 and 16777216",
            );
        }
        Some(IssuerSettings {
            name: raw
                .name
                .clone()
                .unwrap_or_else(|| host_of(&issuer).to_owned()),
            source,
            audiences,
            algorithms,
            leeway: duration(self, &raw.leeway, 60, "leeway"),
            claims,
            fetch,
            issuer,
        })
    }
}

#[cfg(test)]
mod tests;
