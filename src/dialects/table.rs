//! How a dialect reads its own `[dialects.<name>]` table: the [`TableReader`] that
//! configuration validation hands to `Registration::configure` (implemented in
//! `config/dialect.rs`, which knows files, lines and the other dialects' paths), and the
//! helpers every dialect shares on top of it. Keys are named relative to the table; the
//! reader turns them into file:line:key errors.

use std::sync::Arc;
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::Deserialize;

use super::Language;
use crate::keys::{Key, KeyRing};

/// What a dialect may ask while validating its table. Every method reports its own
/// problems; `None` means one was reported.
pub trait TableReader {
    /// Records a problem with `key` of the table (`None`: the table as a whole).
    fn problem(&mut self, key: Option<&str>, message: String);

    /// Endpoint paths as (key, given, default): each normalised and used by no other
    /// endpoint of any dialect. `None` if any is wrong.
    fn paths(&mut self, endpoints: &[(&str, Option<&str>, &str)]) -> Option<Vec<String>>;

    /// The `[[keys]]` entry `id`, which must exist, not be retired and be able to sign
    /// (reported at `key`).
    fn signing_key(&mut self, id: &str) -> Option<Arc<Key>>;

    /// `signing` and the older keys still accepted (`verify_keys`), each named once, none
    /// retired.
    fn key_ring(
        &mut self,
        signing: Option<Arc<Key>>,
        verify_ids: Option<&[String]>,
    ) -> Option<KeyRing>;

    /// `given` as a duration, else `default` (reported at `key`).
    fn duration(&mut self, key: &str, given: Option<&str>, default: Duration) -> Duration;

    /// `[auth] leeway`: dialect endpoints verify their own tokens with it too.
    fn leeway_secs(&self) -> u64;

    /// `[auth] max_token_bytes`.
    fn max_token_bytes(&self) -> usize;

    /// An RSA key gatehouse generates itself, kept in the embedded store so that a
    /// restart keeps it (`keys::stored`). Under Redis it is a problem at `key`: each
    /// replica would generate its own, and refuse the others' tokens.
    fn generated_key(&mut self, id: &str) -> Option<Arc<Key>>;
}

impl dyn TableReader + '_ {
    /// The table as the dialect's raw settings type. A problem with one key (unknown,
    /// or of the wrong type) is reported at that key, others (a missing key) at the
    /// table.
    pub fn raw<T: DeserializeOwned>(&mut self, table: &toml::Table) -> Option<T> {
        // Through text, so that the deserializer's error carries a span that names the
        // key (a `toml::Value` has no positions).
        let text = match toml::to_string(table) {
            Ok(text) => text,
            Err(e) => {
                self.problem(None, e.to_string());
                return None;
            }
        };
        match toml::from_str::<T>(&text) {
            Ok(raw) => Some(raw),
            Err(e) => {
                let key = e
                    .span()
                    .and_then(|span| key_at(&text, span.start))
                    .filter(|key| table.contains_key(*key));
                self.problem(key, e.message().trim_end().to_owned());
                None
            }
        }
    }

    /// The ring of a dialect whose table names its signing key in `key` and the older
    /// keys it still accepts in `verify_keys`.
    pub fn keys(&mut self, signing_id: &str, verify_ids: Option<&[String]>) -> Option<KeyRing> {
        let signing = self.signing_key(signing_id);
        self.key_ring(signing, verify_ids)
    }

    pub fn language(&mut self, key: &str, given: Option<&str>, default: Language) -> Language {
        match given {
            None => default,
            Some("ru") => Language::Ru,
            Some("en") => Language::En,
            Some(other) => {
                self.problem(
                    Some(key),
                    format!("expected \"ru\" or \"en\", found {other:?}"),
                );
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
    ) -> Option<SimpleDialect> {
        let raw: RawSimpleDialect = self.raw(table)?;
        let path = self.paths(&[("path", raw.path.as_deref(), default_path)]);
        let keys = self.keys(&raw.key, raw.verify_keys.as_deref());
        let lifetime = self.duration("lifetime", raw.lifetime.as_deref(), default_lifetime);
        Some(SimpleDialect {
            path: path?.pop()?,
            keys: keys?,
            lifetime,
        })
    }
}

/// The key of the `key = value` line of `text` that `offset` falls on.
fn key_at(text: &str, offset: usize) -> Option<&str> {
    let start = text.get(..offset)?.rfind('\n').map_or(0, |i| i + 1);
    let line = text.get(start..)?.lines().next()?;
    let (key, _) = line.split_once(" = ")?;
    Some(key.trim().trim_matches('"'))
}

/// The table of a dialect with one path, one signing key and one lifetime, as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSimpleDialect {
    path: Option<String>,
    key: String,
    /// Older keys whose tokens are still accepted while they expire (key rotation).
    verify_keys: Option<Vec<String>>,
    lifetime: Option<String>,
}

/// A one-path, one-key, one-lifetime table, validated.
pub struct SimpleDialect {
    pub path: String,
    pub keys: KeyRing,
    pub lifetime: Duration,
}
