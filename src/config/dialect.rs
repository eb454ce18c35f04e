//! What a dialect's own validation of its `[dialects.<name>]` table may use: typed raw
//! settings with file:line:key errors, endpoint paths no other endpoint uses, signing keys
//! and key rings, durations and languages. Each dialect module validates its table with
//! these (`Registration::configure`); `validate.rs` calls them in registry order.

use std::sync::Arc;
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::Deserialize;

use super::error::KeyPath;
use super::validate::Validator;
use crate::dialects::{Language, JWKS_PATH};
use crate::keys::{Key, KeyRing};
use crate::routes::normalize_path;

/// The table of a dialect with one path, one signing key and one lifetime (kerong,
/// header_login), as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSimpleDialect {
    pub path: Option<String>,
    pub key: String,
    /// Older keys whose tokens are still accepted while they expire (key rotation).
    pub verify_keys: Option<Vec<String>>,
    pub lifetime: Option<String>,
}

/// A [`RawSimpleDialect`], validated.
pub struct SimpleDialect {
    pub path: String,
    pub keys: KeyRing,
    pub lifetime: Duration,
}

pub struct DialectConfig<'v, 'p, 'a> {
    validator: &'v mut Validator<'p, 'a>,
    keys: &'v [Arc<Key>],
    /// Endpoint paths already taken, with where: no two endpoints may share one.
    taken: &'v mut Vec<(String, KeyPath)>,
    /// `[auth] leeway`: dialect endpoints verify their own tokens with it too.
    pub leeway_secs: u64,
    /// `[auth] max_token_bytes`.
    pub max_token_bytes: usize,
}

impl<'v, 'p, 'a> DialectConfig<'v, 'p, 'a> {
    pub(super) fn new(
        validator: &'v mut Validator<'p, 'a>,
        keys: &'v [Arc<Key>],
        taken: &'v mut Vec<(String, KeyPath)>,
        leeway_secs: u64,
        max_token_bytes: usize,
    ) -> Self {
        Self {
            validator,
            keys,
            taken,
            leeway_secs,
            max_token_bytes,
        }
    }

    /// Records a problem with the value at `at`.
    pub fn problem(&mut self, at: &KeyPath, message: impl Into<String>) {
        self.validator.problems.at(at, message);
    }

    /// The table as the dialect's raw settings type. An unknown or mistyped key is
    /// reported at that key when serde names it, else at the table.
    pub fn raw<T: DeserializeOwned>(&mut self, table: &toml::Table, at: &KeyPath) -> Option<T> {
        match toml::Value::Table(table.clone()).try_into::<T>() {
            Ok(raw) => Some(raw),
            Err(e) => {
                let message = e.message().trim_end().to_owned();
                let key = message
                    .strip_prefix("unknown field `")
                    .and_then(|rest| rest.split('`').next())
                    .filter(|key| table.contains_key(*key));
                let where_ = key.map_or_else(|| at.clone(), |key| at.key(key));
                self.problem(&where_, message);
                None
            }
        }
    }

    /// A dialect's endpoint paths, as (key, given, default): each normalised and used by
    /// no other endpoint. `None` if any is wrong (each wrong one is reported).
    pub fn paths(
        &mut self,
        at: &KeyPath,
        endpoints: &[(&str, Option<&str>, &str)],
    ) -> Option<Vec<String>> {
        let mut paths = Vec::with_capacity(endpoints.len());
        for (name, given, default) in endpoints {
            let at = at.key(name);
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
                Some(problem) => self.problem(&at, problem),
                None => {
                    self.taken.push((path.to_owned(), at));
                    paths.push(path.to_owned());
                }
            }
        }
        (paths.len() == endpoints.len()).then_some(paths)
    }

    /// A `[[keys]]` id that can sign.
    pub fn signing_key(&mut self, id: &str, at: &KeyPath) -> Option<Arc<Key>> {
        self.validator.signing_key(id, self.keys, at)
    }

    /// The ring of a dialect whose table names its signing key in `key` and the older
    /// keys it still accepts in `verify_keys`.
    pub fn keys(
        &mut self,
        signing_id: &str,
        verify_ids: Option<&[String]>,
        at: &KeyPath,
    ) -> Option<KeyRing> {
        let signing = self.signing_key(signing_id, &at.key("key"));
        self.key_ring(signing, verify_ids, at)
    }

    /// A dialect's signing key and the older keys still accepted (`verify_keys`), each
    /// named once, none retired.
    pub fn key_ring(
        &mut self,
        signing: Option<Arc<Key>>,
        verify_ids: Option<&[String]>,
        at: &KeyPath,
    ) -> Option<KeyRing> {
        let mut verify_only: Vec<Arc<Key>> = Vec::new();
        let mut complete = true;
        for (i, id) in verify_ids.unwrap_or_default().iter().enumerate() {
            let at = at.key("verify_keys").index(i);
            let named_twice = signing.as_ref().is_some_and(|k| k.id() == id)
                || verify_only.iter().any(|k| k.id() == id);
            if named_twice {
                self.problem(&at, format!("key {id:?} is already named for this dialect"));
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

    pub fn duration(&mut self, text: Option<&str>, default: Duration, at: &KeyPath) -> Duration {
        self.validator.duration(text, default, at)
    }

    pub fn language(&mut self, given: Option<&str>, default: Language, at: &KeyPath) -> Language {
        match given {
            None => default,
            Some("ru") => Language::Ru,
            Some("en") => Language::En,
            Some(other) => {
                self.problem(at, format!("expected \"ru\" or \"en\", found {other:?}"));
                default
            }
        }
    }

    /// A dialect with one path, one signing key and one lifetime (kerong, header_login).
    pub fn simple(
        &mut self,
        table: &toml::Table,
        default_path: &str,
        default_lifetime: Duration,
        at: &KeyPath,
    ) -> Option<SimpleDialect> {
        let raw: RawSimpleDialect = self.raw(table, at)?;
        let path = self.paths(at, &[("path", raw.path.as_deref(), default_path)]);
        let keys = self.keys(&raw.key, raw.verify_keys.as_deref(), at);
        let lifetime = self.duration(
            raw.lifetime.as_deref(),
            default_lifetime,
            &at.key("lifetime"),
        );
        Some(SimpleDialect {
            path: path?.pop()?,
            keys: keys?,
            lifetime,
        })
    }
}
