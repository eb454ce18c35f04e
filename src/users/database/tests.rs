//! The user database against a real SQLite file shaped like Django's tables.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use super::*;
use crate::users::directory::Directory;
use crate::users::{AuthFailure, UserStore};

// htpasswd -nbB -C 4 alice 'correct horse'
const BCRYPT_4: &str = "$2y$04$2nIagUtAOLZ0/Z7DYISSb.3AjpuquUEZYrZH0EKRs3LvQ.nGw5Sdq";

const SCHEMA: &str = "
CREATE TABLE auth_user (id INTEGER PRIMARY KEY, password TEXT NOT NULL, username TEXT NOT NULL,
                        email TEXT NOT NULL, is_active BOOL NOT NULL);
CREATE TABLE auth_group (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE auth_user_groups (id INTEGER PRIMARY KEY, user_id INTEGER, group_id INTEGER);
";

struct Fixture {
    database: UserDatabase,
    writer: sqlx::SqlitePool,
    runtime: tokio::runtime::Runtime,
    _dir: tempfile::TempDir,
}

impl Fixture {
    fn new(source: UserSource) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.sqlite3");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let url = format!("sqlite://{}", path.display());
        let writer = runtime.block_on(async {
            let options = sqlx::sqlite::SqliteConnectOptions::new()
                .filename(&path)
                .create_if_missing(true);
            let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
            sqlx::raw_sql(SCHEMA).execute(&pool).await.unwrap();
            pool
        });
        let fixture = Self {
            database: UserDatabase::open(
                &DatabaseSettings {
                    url: DatabaseUrl::new(url).unwrap(),
                    source,
                    cache_ttl: Duration::from_millis(300),
                    negative_cache_ttl: Duration::from_millis(300),
                    cache_capacity: 100,
                    pool_size: 1,
                    connect_timeout: Duration::from_secs(2),
                    query_timeout: Duration::from_secs(2),
                },
                crate::metrics::Metrics::new()
                    .unwrap()
                    .user_database
                    .clone(),
            )
            .unwrap(),
            writer,
            runtime,
            _dir: dir,
        };
        fixture.exec(&format!(
            "INSERT INTO auth_user VALUES (7, '{BCRYPT_4}', 'alice', 'alice@example.com', 1);
                 INSERT INTO auth_user VALUES (8, 'md5$salt$0123', 'oldie', 'oldie@example.com', 1);
                 INSERT INTO auth_user VALUES (9, '{BCRYPT_4}', 'twin', 'same@example.com', 1);
                 INSERT INTO auth_user VALUES (10, '{BCRYPT_4}', 'twin2', 'same@example.com', 1);
                 INSERT INTO auth_group VALUES (1, 'ops'), (2, 'admin');
                 INSERT INTO auth_user_groups VALUES (1, 7, 1), (2, 7, 2);"
        ));
        fixture
    }

    fn exec(&self, sql: &str) {
        self.runtime
            .block_on(sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned())).execute(&self.writer))
            .unwrap();
    }

    fn find(&self, key: UserKey<'_>) -> Option<Arc<User>> {
        self.runtime
            .block_on(self.database.find(key))
            .unwrap()
            .map(|found| found.user)
    }
}

fn django() -> UserSource {
    UserSource::Django {
        table: "auth_user".into(),
    }
}

#[test]
fn the_django_preset_finds_users_by_name_email_id_and_folded_name_with_their_groups() {
    let db = Fixture::new(django());
    db.database.check_now().unwrap();
    assert!(db.database.is_up());
    let alice = db.find(UserKey::Username("alice")).unwrap();
    assert_eq!(alice.id, Some(7));
    assert_eq!(alice.email.as_deref(), Some("alice@example.com"));
    assert_eq!(alice.roles, ["admin", "ops"]);
    assert!(alice.active);
    assert!(alice.password.verify(b"correct horse"));
    assert_eq!(
        db.find(UserKey::Email("alice@example.com"))
            .unwrap()
            .username,
        "alice"
    );
    assert_eq!(db.find(UserKey::Id(7)).unwrap().username, "alice");
    assert_eq!(
        db.find(UserKey::UsernameFolded("ALICE")).unwrap().username,
        "alice"
    );
    // Exact lookups are exact.
    assert!(db.find(UserKey::Username("Alice")).is_none());
    assert!(db.find(UserKey::Id(99)).is_none());
}

#[test]
fn two_rows_for_one_email_name_nobody() {
    let db = Fixture::new(django());
    assert!(db.find(UserKey::Email("same@example.com")).is_none());
    assert!(db.find(UserKey::Username("twin")).is_some());
}

#[test]
fn answers_are_cached_until_the_ttl_and_then_read_again() {
    let db = Fixture::new(django());
    assert!(db.find(UserKey::Username("alice")).unwrap().active);
    assert!(db.find(UserKey::Username("nobody")).is_none());
    db.exec(
        "UPDATE auth_user SET is_active = 0 WHERE id = 7;
         INSERT INTO auth_user VALUES (11, 'x', 'nobody', 'n@example.com', 1);",
    );
    // Within the TTL: the cached answers, found and not found.
    assert!(db.find(UserKey::Username("alice")).unwrap().active);
    assert!(db.find(UserKey::Username("nobody")).is_none());
    std::thread::sleep(Duration::from_millis(400));
    assert!(!db.find(UserKey::Username("alice")).unwrap().active);
    assert!(db.find(UserKey::Username("nobody")).is_some());
    let found = db
        .runtime
        .block_on(db.database.find(UserKey::Id(7)))
        .unwrap()
        .unwrap();
    let left = found.fresh_until.unwrap() - std::time::Instant::now();
    assert!(left <= Duration::from_millis(300), "{left:?}");
}

#[test]
fn a_hash_gatehouse_cannot_verify_never_matches() {
    let db = Fixture::new(django());
    let oldie = db.find(UserKey::Username("oldie")).unwrap();
    for guess in [&b"md5$salt$0123"[..], b"", b"salt", b"0123"] {
        assert!(!oldie.password.verify(guess));
    }
}

#[test]
fn the_unknown_user_dummy_takes_the_cost_of_the_users_read() {
    let db = Fixture::new(django());
    // Before any user was read: Django's default, pbkdf2_sha256 with 600,000 iterations.
    db.database
        .with_dummy(|dummy| assert_eq!(dummy.scheme(), "pbkdf2_sha256"));
    let alice = db.find(UserKey::Username("alice")).unwrap();
    db.database.with_dummy(|dummy| {
        assert_eq!(dummy.cost_key(), alice.password.cost_key());
        assert!(!dummy.verify(b"correct horse"));
    });
    // The directory checks an unknown name against that dummy: a refusal like any other.
    let directory = Directory::new(
        Arc::new(UserStore::new(Vec::new())),
        Some(db.database.clone()),
    );
    assert_eq!(
        directory.authenticate(None, b"correct horse").unwrap_err(),
        AuthFailure::UnknownUser
    );
    assert_eq!(
        directory
            .authenticate(Some(&alice), b"correct horse")
            .unwrap()
            .username,
        "alice"
    );
}

#[test]
fn configured_queries_with_a_stray_column_are_reported_by_name() {
    let db = Fixture::new(UserSource::Queries {
        by_username: "SELECT id, username, password AS password_hash, is_active \
                      FROM auth_user WHERE username = ?"
            .into(),
        by_email: None,
        by_id: None,
    });
    let error = db.database.check_now().unwrap_err();
    let text = error.to_string();
    assert!(text.contains("by_username"), "{text}");
    assert!(text.contains("`is_active`"), "{text}");
    // Not a sign the database is down: it answered.
    assert!(!db.database.is_up());
    // A lookup without a query for it finds nobody, without asking.
    assert!(db.find(UserKey::Email("alice@example.com")).is_none());
}

#[test]
fn a_missing_database_file_is_an_error_never_an_empty_user_list() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("absent.sqlite3").display());
    let database = UserDatabase::open(
        &DatabaseSettings {
            url: DatabaseUrl::new(url).unwrap(),
            source: django(),
            cache_ttl: Duration::from_secs(30),
            negative_cache_ttl: Duration::from_secs(5),
            cache_capacity: 100,
            pool_size: 1,
            connect_timeout: Duration::from_millis(500),
            query_timeout: Duration::from_millis(500),
        },
        crate::metrics::Metrics::new()
            .unwrap()
            .user_database
            .clone(),
    )
    .unwrap();
    assert!(database.check_now().is_err());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    for _ in 0..DOWN_AFTER_FAILURES {
        assert!(runtime
            .block_on(database.find(UserKey::Username("alice")))
            .is_err());
    }
    assert!(!database.is_up());
    // The file is never created: gatehouse only reads the application's database.
    assert!(!dir.path().join("absent.sqlite3").exists());
}

#[test]
fn urls_print_without_credentials_or_query() {
    let url = DatabaseUrl::new("postgres://app:s3cret@db.internal:5432/app?password=other".into())
        .unwrap();
    assert_eq!(url.redacted(), "postgres://db.internal:5432/app");
    assert!(!format!("{url:?}").contains("s3cret"));
    assert!(DatabaseUrl::new("redis://x".into()).is_none());
}

#[test]
fn a_database_user_with_a_configured_users_name_is_never_used() {
    let db = Fixture::new(django());
    let configured = User {
        username: "alice".into(),
        id: None,
        email: Some("alice@ops.example".into()),
        roles: vec!["ops".into()],
        active: true,
        password: PasswordHash::parse(BCRYPT_4).unwrap(),
    };
    let directory = Directory::new(
        Arc::new(UserStore::new(vec![configured])),
        Some(db.database.clone()),
    );
    let find = |key| db.runtime.block_on(directory.find(key)).unwrap();
    // By name: the configured one.
    let by_name = find(UserKey::Username("alice")).unwrap();
    assert_eq!(by_name.user.email.as_deref(), Some("alice@ops.example"));
    assert!(by_name.fresh_until.is_none());
    // By the database's email or id, or a folded name: not a second "alice".
    assert!(find(UserKey::Email("alice@example.com")).is_none());
    assert!(find(UserKey::Id(7)).is_none());
    // Others are found as usual.
    assert_eq!(find(UserKey::Id(9)).unwrap().user.username, "twin");
}
