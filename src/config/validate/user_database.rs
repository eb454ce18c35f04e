//! `[user_database]`: users read from the application's own database
//! (`users/database.rs`).
//!
//! Exactly one of `url`, `url_env`, `url_file`, naming PostgreSQL, MySQL/MariaDB or
//! SQLite; exactly one of `preset = "django"` (with an optional `table`) and
//! `[user_database.queries]` (`by_username` required, `by_email` and `by_id` optional).
//! What the queries return is checked against the database itself, at start and by
//! `gatehouse check`, not here.

use super::Validator;
use crate::config::error::KeyPath;
use crate::config::schema::{RawUserDatabase, RawUserQueries};
use crate::config::secret::SecretSpec;
use crate::users::database::{DatabaseSettings, DatabaseUrl, UserSource};

impl Validator<'_, '_> {
    pub(super) fn user_database(
        &mut self,
        raw: Option<&RawUserDatabase>,
        at: &KeyPath,
    ) -> Option<DatabaseSettings> {
        let raw = raw?;
        let url = self.database_url(raw, at);
        let source = self.user_source(raw, at);
        let duration = |v: &mut Self, text: &Option<String>, default, key: &str| {
            let value = v.duration(text.as_deref(), default, &at.key(key));
            if value.is_zero() {
                v.problems.at(&at.key(key), "must be more than 0s");
            }
            value
        };
        let cache_ttl = duration(
            self,
            &raw.cache_ttl,
            DatabaseSettings::DEFAULT_CACHE_TTL,
            "cache_ttl",
        );
        let negative_cache_ttl = duration(
            self,
            &raw.negative_cache_ttl,
            DatabaseSettings::DEFAULT_NEGATIVE_CACHE_TTL,
            "negative_cache_ttl",
        );
        if negative_cache_ttl > cache_ttl {
            self.problems.at(
                &at.key("negative_cache_ttl"),
                "must not be longer than cache_ttl",
            );
        }
        let connect_timeout = duration(
            self,
            &raw.connect_timeout,
            DatabaseSettings::DEFAULT_CONNECT_TIMEOUT,
            "connect_timeout",
        );
        let query_timeout = duration(
            self,
            &raw.query_timeout,
            DatabaseSettings::DEFAULT_QUERY_TIMEOUT,
            "query_timeout",
        );
        let pool_size = raw.pool_size.unwrap_or(DatabaseSettings::DEFAULT_POOL_SIZE);
        if !(1..=256).contains(&pool_size) {
            self.problems
                .at(&at.key("pool_size"), "must be between 1 and 256");
        }
        let cache_capacity = raw
            .cache_capacity
            .unwrap_or(DatabaseSettings::DEFAULT_CACHE_CAPACITY);
        if cache_capacity == 0 {
            self.problems
                .at(&at.key("cache_capacity"), "must be at least 1");
        }
        Some(DatabaseSettings {
            url: url?,
            source: source?,
            cache_ttl,
            negative_cache_ttl,
            cache_capacity,
            pool_size,
            connect_timeout,
            query_timeout,
        })
    }

    fn database_url(&mut self, raw: &RawUserDatabase, at: &KeyPath) -> Option<DatabaseUrl> {
        let spec = SecretSpec {
            inline: raw.url.as_deref(),
            env: raw.url_env.as_deref(),
            file: raw.url_file.as_deref(),
        };
        if !spec.is_given() {
            self.problems.at(
                &at.key("url"),
                "give the database as `url`, `url_env` or `url_file`",
            );
            return None;
        }
        // A URL without a password (SQLite, a local socket) is fine inline.
        let (secret, key) = self.url_secret("url", spec, at)?;
        let key = key.as_str();
        let url = String::from_utf8(secret.expose().to_vec()).ok();
        let Some(mut url) = url.and_then(DatabaseUrl::new) else {
            // The value may hold a password: name the key, not the value.
            self.problems.at(
                &at.key(key),
                "expected a URL starting with postgres://, mysql:// or sqlite://",
            );
            return None;
        };
        if let Err(problem) = url.check_options() {
            self.problems.at(&at.key(key), problem);
            return None;
        }
        url.resolve_relative(self.base);
        Some(url)
    }

    fn user_source(&mut self, raw: &RawUserDatabase, at: &KeyPath) -> Option<UserSource> {
        match (&raw.preset, &raw.queries) {
            (Some(_), Some(_)) => {
                self.problems.at(
                    &at.key("preset"),
                    "give either `preset` or [user_database.queries], not both",
                );
                None
            }
            (None, None) => {
                self.problems.at(
                    &at.key("preset"),
                    "give `preset = \"django\"` or [user_database.queries]",
                );
                None
            }
            (Some(preset), None) => {
                if preset != "django" {
                    self.problems.at(
                        &at.key("preset"),
                        format!("expected \"django\", found {preset:?}"),
                    );
                    return None;
                }
                let table = raw.table.clone().unwrap_or_else(|| "auth_user".to_owned());
                if !is_table_name(&table) {
                    self.problems.at(
                        &at.key("table"),
                        format!(
                            "expected a table name such as \"auth_user\" or \"accounts_user\" \
                             (letters, digits, `_`, optionally `schema.`), found {table:?}"
                        ),
                    );
                    return None;
                }
                Some(UserSource::Django { table })
            }
            (None, Some(queries)) => {
                if raw.table.is_some() {
                    self.problems.at(
                        &at.key("table"),
                        "only used with `preset`; the queries name their own tables",
                    );
                }
                self.user_queries(queries, &at.key("queries"))
            }
        }
    }

    fn user_queries(&mut self, raw: &RawUserQueries, at: &KeyPath) -> Option<UserSource> {
        let query = |v: &mut Self, text: &Option<String>, key: &str| match text {
            Some(sql) if sql.trim().is_empty() => {
                v.problems.at(&at.key(key), "must not be empty");
                None
            }
            Some(sql) => Some(sql.trim().to_owned()),
            None => None,
        };
        let by_username = query(self, &raw.by_username, "by_username");
        let by_email = query(self, &raw.by_email, "by_email");
        let by_id = query(self, &raw.by_id, "by_id");
        if raw.by_username.is_none() {
            self.problems.at(
                &at.key("by_username"),
                "is required: the query that finds a user by name",
            );
        }
        Some(UserSource::Queries {
            by_username: by_username?,
            by_email,
            by_id,
        })
    }
}

/// `table` or `schema.table`, each part an SQL identifier that needs no quoting.
fn is_table_name(name: &str) -> bool {
    let part = |p: &str| {
        let mut chars = p.chars();
        chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
            && p.len() <= 63
    };
    match name.split_once('.') {
        Some((schema, table)) => part(schema) && part(table),
        None => part(name),
    }
}

#[cfg(test)]
mod tests;
