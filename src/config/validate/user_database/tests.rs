#![allow(clippy::unwrap_used)]

use crate::config::Config;
use crate::users::database::{DatabaseKind, UserSource};

/// The demo configuration, its users without ids, with a `[user_database]` table added.
fn with_database(table: &str, env: &[(&str, &str)]) -> Result<Config, String> {
    let source = without_ids(&std::fs::read_to_string(crate::config::DEFAULT_PATH).unwrap());
    let source = format!("{source}\n{table}\n");
    let dir = tempfile::tempdir().unwrap();
    let env: Vec<(String, String)> = env
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let lookup = move |name: &str| env.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    Config::from_source("gatehouse.toml", &source, dir.path(), &lookup).map_err(|e| e.to_string())
}

fn without_ids(config: &str) -> String {
    config
        .lines()
        .filter(|line| {
            let id = line.strip_prefix("id = ");
            !id.is_some_and(|id| id.bytes().all(|b| b.is_ascii_digit()))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn configured_users_with_ids_are_refused_beside_a_database() {
    let source = std::fs::read_to_string(crate::config::DEFAULT_PATH).unwrap();
    let source =
        format!("{source}\n[user_database]\nurl = \"sqlite://u.db\"\npreset = \"django\"\n");
    let dir = tempfile::tempdir().unwrap();
    let error = Config::from_source("gatehouse.toml", &source, dir.path(), &|_: &str| None)
        .unwrap_err()
        .to_string();
    assert!(error.contains("[[users]] #1"), "{error}");
    assert!(error.contains("ids are the database's"), "{error}");
}

#[test]
fn the_django_preset_from_an_env_url_defaults_to_auth_user_and_30s() {
    let config = with_database(
        "[user_database]\nurl_env = \"DB\"\npreset = \"django\"",
        &[("DB", "postgres://app:s3cret@127.0.0.1:5432/app")],
    )
    .unwrap();
    let settings = config.user_database.unwrap();
    assert_eq!(settings.url.kind(), DatabaseKind::Postgres);
    assert!(matches!(&settings.source, UserSource::Django { table } if table == "auth_user"));
    assert_eq!(settings.cache_ttl.as_secs(), 30);
    let debug = format!("{settings:?}");
    assert!(!debug.contains("s3cret"), "{debug}");
    assert!(debug.contains("127.0.0.1:5432/app"), "{debug}");
}

#[test]
fn a_password_in_an_inline_url_is_warned_about_and_never_printed() {
    let config = with_database(
        "[user_database]\nurl = \"mysql://app:s3cret@127.0.0.1/app\"\npreset = \"django\"",
        &[],
    )
    .unwrap();
    let warning = config
        .warnings
        .iter()
        .find(|w| w.contains("user_database"))
        .unwrap();
    assert!(!warning.contains("s3cret"), "{warning}");
}

#[test]
fn a_bad_scheme_names_the_key_and_not_the_value() {
    let error = with_database(
        "[user_database]\nurl_env = \"DB\"\npreset = \"django\"",
        &[("DB", "oracle://app:s3cret@db/app")],
    )
    .unwrap_err();
    assert!(error.contains("[user_database] url_env"), "{error}");
    assert!(error.contains("postgres://"), "{error}");
    assert!(!error.contains("s3cret"), "{error}");
}

#[test]
fn preset_and_queries_are_exclusive_and_one_is_required() {
    let both = with_database(
        "[user_database]\nurl = \"sqlite://users.db\"\npreset = \"django\"\n\
         [user_database.queries]\nby_username = \"SELECT 1\"",
        &[],
    )
    .unwrap_err();
    assert!(both.contains("[user_database] preset"), "{both}");
    let neither = with_database("[user_database]\nurl = \"sqlite://users.db\"", &[]).unwrap_err();
    assert!(neither.contains("[user_database] preset"), "{neither}");
    let unknown = with_database(
        "[user_database]\nurl = \"sqlite://users.db\"\npreset = \"rails\"",
        &[],
    )
    .unwrap_err();
    assert!(unknown.contains("\"rails\""), "{unknown}");
}

#[test]
fn queries_need_by_username_and_a_table_name_must_be_an_identifier() {
    let error = with_database(
        "[user_database]\nurl = \"sqlite://users.db\"\n[user_database.queries]\n\
         by_id = \"SELECT username, password AS password_hash FROM users WHERE id = ?\"",
        &[],
    )
    .unwrap_err();
    assert!(
        error.contains("[user_database] queries.by_username"),
        "{error}"
    );
    let error = with_database(
        "[user_database]\nurl = \"sqlite://users.db\"\npreset = \"django\"\n\
         table = \"auth_user; DROP TABLE auth_user\"",
        &[],
    )
    .unwrap_err();
    assert!(error.contains("[user_database] table"), "{error}");
    let custom = with_database(
        "[user_database]\nurl = \"sqlite://users.db\"\npreset = \"django\"\n\
         table = \"accounts.accounts_user\"",
        &[],
    );
    assert!(custom.is_ok(), "{custom:?}");
}

#[test]
fn durations_must_be_positive_and_the_negative_ttl_no_longer_than_the_ttl() {
    let error = with_database(
        "[user_database]\nurl = \"sqlite://users.db\"\npreset = \"django\"\n\
         cache_ttl = \"0s\"\nquery_timeout = \"soon\"",
        &[],
    )
    .unwrap_err();
    assert!(error.contains("[user_database] cache_ttl"), "{error}");
    assert!(error.contains("[user_database] query_timeout"), "{error}");
    assert!(
        error.contains("[user_database] negative_cache_ttl"),
        "{error}"
    );
}

#[test]
fn a_relative_sqlite_path_is_taken_from_the_config_directory() {
    let config = with_database(
        "[user_database]\nurl = \"sqlite://app/db.sqlite3?mode=ro\"\npreset = \"django\"",
        &[],
    )
    .unwrap();
    let settings = config.user_database.unwrap();
    let redacted = settings.url.redacted();
    assert!(redacted.starts_with("sqlite:///"), "{redacted}");
    assert!(redacted.ends_with("/app/db.sqlite3"), "{redacted}");
}
