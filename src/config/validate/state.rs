//! `[state]`: where blacklists, revocations and shared counters live (`store.rs`).
//!
//! Exactly one of `path` (the embedded store's directory), `redis`, `redis_env` and
//! `redis_file`; without any, the embedded store in `var` next to the config file.

use super::Validator;
use crate::config::error::KeyPath;
use crate::config::schema::RawState;
use crate::config::secret::SecretSpec;
use crate::revocations::StalePolicy;
use crate::store::{Backend, RedisUrl, StateSettings};

/// The embedded store's directory when `[state]` names none.
pub const DEFAULT_DIR: &str = "var";

impl Validator<'_, '_> {
    pub(super) fn state(&mut self, raw: Option<&RawState>, at: &KeyPath) -> StateSettings {
        let Some(raw) = raw else {
            return StateSettings::embedded(self.base.join(DEFAULT_DIR));
        };
        let redis_given =
            raw.redis.is_some() || raw.redis_env.is_some() || raw.redis_file.is_some();
        let backend = match (&raw.path, redis_given) {
            (Some(_), true) => {
                self.problems.at(
                    &at.key("path"),
                    "give either `path` (the embedded store) or `redis`/`redis_env`/`redis_file`, not both",
                );
                None
            }
            (Some(path), false) if path.trim().is_empty() => {
                self.problems.at(&at.key("path"), "must not be empty");
                None
            }
            (Some(path), false) => Some(Backend::Embedded {
                dir: self.base.join(path),
            }),
            (None, false) => Some(Backend::Embedded {
                dir: self.base.join(DEFAULT_DIR),
            }),
            (None, true) => self.redis_url(raw, at).map(|url| Backend::Redis { url }),
        };
        let key_prefix = raw
            .key_prefix
            .clone()
            .unwrap_or_else(|| StateSettings::DEFAULT_PREFIX.to_owned());
        let max_stale = self.duration(
            raw.max_stale.as_deref(),
            StateSettings::DEFAULT_MAX_STALE,
            &at.key("max_stale"),
        );
        let timeout = self.duration(
            raw.timeout.as_deref(),
            StateSettings::DEFAULT_TIMEOUT,
            &at.key("timeout"),
        );
        if timeout.is_zero() {
            self.problems.at(&at.key("timeout"), "must be more than 0s");
        }
        let mut settings = StateSettings::embedded(self.base.join(DEFAULT_DIR));
        if let Some(backend) = backend {
            settings.backend = backend;
        }
        settings.key_prefix = key_prefix;
        settings.policy = StalePolicy {
            max_stale,
            fail_open: raw.fail_open.unwrap_or(false),
        };
        settings.timeout = timeout;
        settings
    }

    fn redis_url(&mut self, raw: &RawState, at: &KeyPath) -> Option<RedisUrl> {
        let spec = SecretSpec {
            inline: raw.redis.as_deref(),
            env: raw.redis_env.as_deref(),
            file: raw.redis_file.as_deref(),
        };
        let (secret, key) = self.url_secret("redis", spec, at)?;
        let key = key.as_str();
        let Ok(url) = String::from_utf8(secret.expose().to_vec()) else {
            self.problems.at(&at.key(key), "the Redis URL is not UTF-8");
            return None;
        };
        let url = url.trim().to_owned();
        if !(url.starts_with("redis://") || url.starts_with("rediss://")) {
            // The value may hold a password: name the key, not the value.
            self.problems.at(
                &at.key(key),
                "expected a URL starting with redis:// or rediss://",
            );
            return None;
        }
        if let Err(e) = redis::Client::open(url.as_str()) {
            self.problems.at(
                &at.key(key),
                format!("not a usable Redis URL ({})", e.category()),
            );
            return None;
        }
        Some(RedisUrl::new(url))
    }

    /// A URL given as `name`, `name_env` or `name_file`, and the key it was given under.
    /// Inline is fine for a URL without credentials: warned about only when it has some.
    pub(super) fn url_secret(
        &mut self,
        name: &'static str,
        spec: SecretSpec<'_>,
        at: &KeyPath,
    ) -> Option<(crate::config::secret::Secret, String)> {
        let has_credentials = spec.inline.is_some_and(|url| url.contains('@'));
        let only_inline = spec.env.is_none() && spec.file.is_none();
        let key = match (spec.env, spec.file) {
            (Some(_), _) => format!("{name}_env"),
            (_, Some(_)) => format!("{name}_file"),
            _ => name.to_owned(),
        };
        let secret = if spec.inline.is_some() && only_inline && !has_credentials {
            spec.resolve(name, self.base, self.env).ok().flatten()
        } else {
            self.secret(name, spec, at).ok().flatten()
        }?;
        Some((secret, key))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use crate::config::Config;
    use crate::store::Backend;

    /// The demo configuration with its `[state]` table replaced.
    fn with_state(state: &str, env: &[(&str, &str)]) -> Result<Config, String> {
        validate(state, env, false)
    }

    /// The same, with nomic (whose generated key Redis refuses) turned off.
    fn without_nomic(state: &str, env: &[(&str, &str)]) -> Result<Config, String> {
        validate(state, env, true)
    }

    fn validate(state: &str, env: &[(&str, &str)], no_nomic: bool) -> Result<Config, String> {
        let mut source = std::fs::read_to_string(crate::config::DEFAULT_PATH).unwrap();
        if no_nomic {
            let start = source.find("[dialects.nomic]").unwrap();
            let end = start + source[start..].find("\n\n").unwrap();
            source.replace_range(start..end, "[dialects.nomic]\nenabled = false");
        }
        let replaced = source.replace("[state]\npath = \"../var\"", state);
        assert_ne!(replaced, source, "the demo's [state] table moved");
        let dir = tempfile::tempdir().unwrap();
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let lookup = move |name: &str| env.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        Config::from_source("gatehouse.toml", &replaced, dir.path(), &lookup)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn the_embedded_store_is_a_directory_next_to_the_config() {
        let config = with_state("[state]\npath = \"state\"", &[]).unwrap();
        match &config.state.backend {
            Backend::Embedded { dir } => assert!(dir.ends_with("state"), "{dir:?}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn redis_from_the_environment_with_its_settings() {
        let config = without_nomic(
            "[state]\nredis_env = \"URL\"\nkey_prefix = \"app:\"\nmax_stale = \"5s\"\nfail_open = true\ntimeout = \"250ms\"",
            &[("URL", "redis://:pw@127.0.0.1:6379/0")],
        )
        .unwrap();
        let Backend::Redis { url } = &config.state.backend else {
            panic!("{:?}", config.state.backend)
        };
        assert_eq!(url.expose(), "redis://:pw@127.0.0.1:6379/0");
        assert_eq!(config.state.key_prefix, "app:");
        assert_eq!(config.state.policy.max_stale.as_secs(), 5);
        assert!(config.state.policy.fail_open);
        assert_eq!(config.state.timeout.as_millis(), 250);
    }

    #[test]
    fn problems_name_the_key_and_never_the_url() {
        let both = with_state("[state]\npath = \"x\"\nredis = \"redis://h\"", &[]).unwrap_err();
        assert!(both.contains("[state] path"), "{both}");
        let scheme = without_nomic("[state]\nredis = \"http://user:s3cret@h\"", &[]).unwrap_err();
        assert!(scheme.contains("[state] redis"), "{scheme}");
        assert!(!scheme.contains("s3cret"), "{scheme}");
        let missing = without_nomic("[state]\nredis_env = \"NOPE\"", &[]).unwrap_err();
        assert!(
            missing.contains("[state] redis_env") && missing.contains("NOPE"),
            "{missing}"
        );
        let timeout = with_state("[state]\ntimeout = \"0s\"", &[]).unwrap_err();
        assert!(timeout.contains("[state] timeout"), "{timeout}");
        let unknown = with_state("[state]\nredis_url = \"x\"", &[]).unwrap_err();
        assert!(unknown.contains("redis_url"), "{unknown}");
    }

    #[test]
    fn a_generated_nomic_key_under_redis_is_a_problem_that_says_why() {
        let error = with_state("[state]\nredis = \"redis://127.0.0.1:6379/0\"", &[]).unwrap_err();
        assert!(error.contains("[dialects.nomic] key"), "{error}");
        assert!(error.contains("replica"), "{error}");
    }

    #[test]
    fn without_a_state_table_the_store_is_var_next_to_the_config() {
        let config = with_state("", &[]).unwrap();
        match &config.state.backend {
            Backend::Embedded { dir } => assert!(dir.ends_with(super::DEFAULT_DIR)),
            other => panic!("{other:?}"),
        }
    }
}
