//! `[dialects]`: the shared limits, then each registered dialect's own table, validated
//! by the dialect itself through [`DialectConfig`], the [`TableReader`] that turns
//! table-relative keys into file:line:key errors, resolves `[[keys]]` ids, and keeps
//! endpoint paths unique across every dialect.

use std::sync::Arc;
use std::time::Duration;

use super::Validator;
use crate::config::error::KeyPath;
use crate::config::schema::RawDialects;
use crate::config::{Auth, DialectLimits};
use crate::dialects::{Dialect, Enabled, TableReader, JWKS_PATH};
use crate::keys::{stored, Key, KeyRing};
use crate::routes::normalize_path;
use crate::store::{Backend, StateSettings};

impl Validator<'_, '_> {
    /// `[dialects]`: the shared limits, then each registered dialect's own table,
    /// validated by the dialect (`Registration::configure`), in registry order.
    pub(super) fn dialects(
        &mut self,
        raw: &RawDialects,
        keys: &[Arc<Key>],
        auth: &Auth,
        state: &StateSettings,
        at: &KeyPath,
    ) -> (Vec<Enabled>, DialectLimits) {
        let defaults = DialectLimits::default();
        let limits = DialectLimits {
            max_body_bytes: raw.max_body_bytes.unwrap_or(defaults.max_body_bytes),
            body_timeout: self.duration(
                raw.body_timeout.as_deref(),
                defaults.body_timeout,
                &at.key("body_timeout"),
            ),
        };
        if !(64..=1024 * 1024).contains(&limits.max_body_bytes) {
            self.problems
                .at(&at.key("max_body_bytes"), "must be between 64 and 1048576");
        }
        for name in raw.tables.keys() {
            if Dialect::named(name).is_none() {
                self.problems.at(
                    &at.key(name),
                    format!(
                        "unknown key (expected max_body_bytes, body_timeout or a dialect: {})",
                        Dialect::names()
                    ),
                );
            }
        }
        let mut enabled = Vec::new();
        let mut taken = Vec::new();
        for dialect in Dialect::all() {
            let Some(value) = raw.tables.get(dialect.name()) else {
                continue;
            };
            let at = at.key(dialect.name());
            let Some(table) = value.as_table() else {
                self.problems.at(&at, "expected a table");
                continue;
            };
            let mut table = table.clone();
            match table.remove("enabled") {
                None | Some(toml::Value::Boolean(true)) => {}
                Some(toml::Value::Boolean(false)) => continue,
                Some(_) => {
                    self.problems
                        .at(&at.key("enabled"), "expected true or false");
                    continue;
                }
            }
            let mut config = DialectConfig {
                validator: self,
                keys,
                taken: &mut taken,
                at,
                leeway_secs: auth.leeway.as_secs(),
                max_token_bytes: auth.credentials.max_token_bytes,
                state,
            };
            if let Some(api) = (dialect.registration().configure)(&table, &mut config) {
                enabled.push(Enabled { dialect, api });
            }
        }
        (enabled, limits)
    }
}

/// One dialect's table under validation.
struct DialectConfig<'v, 'p, 'a> {
    validator: &'v mut Validator<'p, 'a>,
    keys: &'v [Arc<Key>],
    /// Endpoint paths already taken, with where: no two endpoints may share one.
    taken: &'v mut Vec<(String, KeyPath)>,
    /// Where the table is: `dialects.<name>`.
    at: KeyPath,
    leeway_secs: u64,
    max_token_bytes: usize,
    /// `[state]`: where generated keys are kept.
    state: &'v StateSettings,
}

impl TableReader for DialectConfig<'_, '_, '_> {
    fn problem(&mut self, key: Option<&str>, message: String) {
        let at = key.map_or_else(|| self.at.clone(), |key| self.at.key(key));
        self.validator.problems.at(&at, message);
    }

    fn paths(&mut self, endpoints: &[(&str, Option<&str>, &str)]) -> Option<Vec<String>> {
        let mut paths = Vec::with_capacity(endpoints.len());
        for (name, given, default) in endpoints {
            let at = self.at.key(name);
            let path = given.unwrap_or(default);
            let problem = match normalize_path(path) {
                Ok(normal) if normal != path => {
                    Some(format!("write the normalised form {normal:?}"))
                }
                Ok(_) if path == JWKS_PATH => Some("is where JWKS is published".to_owned()),
                Ok(_) => self
                    .taken
                    .iter()
                    .find(|(p, _)| p == path)
                    .map(|(_, other)| format!("{path:?} is already used by {other}")),
                Err(e) => Some(e.to_string()),
            };
            match problem {
                Some(problem) => self.validator.problems.at(&at, problem),
                None => {
                    self.taken.push((path.to_owned(), at));
                    paths.push(path.to_owned());
                }
            }
        }
        (paths.len() == endpoints.len()).then_some(paths)
    }

    fn signing_key(&mut self, id: &str) -> Option<Arc<Key>> {
        let at = self.at.key("key");
        self.validator.signing_key(id, self.keys, &at)
    }

    fn key_ring(
        &mut self,
        signing: Option<Arc<Key>>,
        verify_ids: Option<&[String]>,
    ) -> Option<KeyRing> {
        let mut verify_only: Vec<Arc<Key>> = Vec::new();
        let mut complete = true;
        for (i, id) in verify_ids.unwrap_or_default().iter().enumerate() {
            let at = self.at.key("verify_keys").index(i);
            let named_twice = signing.as_ref().is_some_and(|k| k.id() == id)
                || verify_only.iter().any(|k| k.id() == id);
            if named_twice {
                self.validator
                    .problems
                    .at(&at, format!("key {id:?} is already named for this dialect"));
                complete = false;
                continue;
            }
            match self.validator.usable_key(id, self.keys, &at) {
                Some(key) => verify_only.push(key),
                None => complete = false,
            }
        }
        let signing = signing?;
        complete.then(|| KeyRing::new(signing, verify_only))
    }

    fn duration(&mut self, key: &str, given: Option<&str>, default: Duration) -> Duration {
        let at = self.at.key(key);
        self.validator.duration(given, default, &at)
    }

    fn leeway_secs(&self) -> u64 {
        self.leeway_secs
    }

    fn max_token_bytes(&self) -> usize {
        self.max_token_bytes
    }

    fn generated_key(&mut self, id: &str) -> Option<Arc<Key>> {
        let dir = match &self.state.backend {
            Backend::Embedded { dir } => dir.clone(),
            Backend::Redis { .. } => {
                self.problem(
                    Some("key"),
                    "required with [state] redis: a key generated by each replica would refuse the others' tokens; name a [[keys]] entry with a private key".to_owned(),
                );
                return None;
            }
        };
        match stored::rsa_key(&dir, id, jsonwebtoken::Algorithm::RS256, 2048) {
            Ok(key) => Some(key),
            Err(e) => {
                self.problem(Some("key"), e);
                None
            }
        }
    }
}
