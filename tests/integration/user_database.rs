//! Users from the legacy application's database (`[user_database]`): the real Django
//! writes them into a real PostgreSQL cluster, a real MariaDB or a SQLite file, and the
//! real gatehouse logs them in through the simplejwt and drf_jwt dialects and on proxied
//! traffic, follows password changes and deactivations within the cache TTL, and answers
//! 503 (never "wrong password") while the database is down.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::django_users::{Django, NewUser};
use crate::harness::{basic, jwt_claims, run_cli_env, send, Gatehouse, Response};
use crate::mariadb_server::MariaDbServer;
use crate::postgres_server::PostgresServer;

/// Django's PBKDF2 with few iterations: the test build of gatehouse is not optimised.
const ITERATIONS: u32 = 1_000;
const DB_ENV: &str = "GATEHOUSE_TEST_DATABASE_URL";

/// The demo configuration, its users without ids (ids are the database's), with the
/// Django preset on `url_env` and the given cache TTL. One connection, so that a
/// statement the start-up check prepared is the one every lookup reuses.
fn config(cache_ttl: &str) -> String {
    let demo: String = crate::harness::demo_config()
        .lines()
        .filter(|line| {
            let id = line.strip_prefix("id = ");
            !id.is_some_and(|id| id.bytes().all(|b| b.is_ascii_digit()))
        })
        .collect::<Vec<_>>()
        .join("\n");
    format!(
        "{demo}\n\n[user_database]\nurl_env = \"{DB_ENV}\"\npreset = \"django\"\n\
         cache_ttl = \"{cache_ttl}\"\nnegative_cache_ttl = \"1s\"\n\
         connect_timeout = \"3s\"\nquery_timeout = \"3s\"\npool_size = 1\n"
    )
}

fn start(url: &str, cache_ttl: &str) -> Gatehouse {
    Gatehouse::start_with_env(&config(cache_ttl), &[(DB_ENV, url)])
}

fn json_post(gh: &Gatehouse, path: &str, body: &str) -> Response {
    send(
        &gh.url(path),
        "POST",
        &[("Content-Type", "application/json")],
        Some(body.as_bytes()),
    )
}

/// Asks `probe` every 100 ms until it is true, for at most `limit`.
fn within(limit: Duration, what: &str, mut probe: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    loop {
        if probe() {
            return;
        }
        assert!(Instant::now() < deadline, "not within {limit:?}: {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Everything a Django user can do through gatehouse, and what the application's
/// changes do to it; the same on PostgreSQL, MariaDB and SQLite.
fn users_written_by_django_work_everywhere(django: &Django, url: &str) {
    django.migrate();
    let ada = django.create(&NewUser {
        username: "ada",
        email: "ada@example.com",
        password: "ada-pass-1",
        groups: &["ops", "admin"],
        ..NewUser::default()
    });
    django.create(&NewUser {
        username: "bob",
        email: "bob@example.com",
        password: "bob-pass-1",
        inactive: true,
        ..NewUser::default()
    });
    let gh = start(url, "2s");

    // Proxied Basic and header-pair credentials: the identity comes from the database.
    let r = gh.get("/x", &[("Authorization", &basic("ada", "ada-pass-1"))]);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.echoed("x-auth-user"), ["ada"]);
    assert_eq!(r.echoed("x-auth-user-id"), [ada.to_string()]);
    assert_eq!(r.echoed("x-auth-email"), ["ada@example.com"]);
    assert_eq!(r.echoed("x-auth-roles"), ["admin,ops"]);
    assert_eq!(r.echoed("x-auth-method"), ["basic"]);
    let r = gh.get("/x", &[("User-Name", "ada"), ("Password", "ada-pass-1")]);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.echoed("x-auth-method"), ["header"]);
    // An inactive user and a wrong password are both plain refusals.
    assert_eq!(
        gh.get("/x", &[("Authorization", &basic("bob", "bob-pass-1"))])
            .status,
        401
    );
    assert_eq!(
        gh.get("/x", &[("Authorization", &basic("ada", "nope"))])
            .status,
        401
    );

    // simplejwt logs in by email, as the seed's project does; its access token opens
    // proxied traffic and the role route ("admin" is a Django group).
    let r = json_post(
        &gh,
        "/token/",
        r#"{"email": "ada@example.com", "password": "ada-pass-1"}"#,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let access = r.json()["access"].as_str().unwrap().to_owned();
    let refresh = r.json()["refresh"].as_str().unwrap().to_owned();
    assert_eq!(jwt_claims(&access)["user_id"], ada);
    let bearer = format!("Bearer {access}");
    let r = gh.get("/admin/panel", &[("Authorization", &bearer)]);
    assert_eq!(r.status, 200, "{}\n{}", r.text(), gh.log());
    assert_eq!(r.echoed("x-auth-user"), ["ada"]);
    assert_eq!(r.echoed("x-auth-method"), ["bearer"]);
    let r = json_post(
        &gh,
        "/token/",
        r#"{"email": "bob@example.com", "password": "bob-pass-1"}"#,
    );
    assert_eq!(r.status, 401, "{}", r.text());

    // drf_jwt logs in by username; its token works on proxied traffic and at refresh.
    let r = json_post(
        &gh,
        "/api-token-auth/",
        r#"{"username": "ada", "password": "ada-pass-1"}"#,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let drf = r.json()["token"].as_str().unwrap().to_owned();
    let r = gh.get("/x", &[("Authorization", &format!("Bearer {drf}"))]);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.echoed("x-auth-user-id"), [ada.to_string()]);
    let r = json_post(
        &gh,
        "/api-token-refresh/",
        &format!(r#"{{"token": "{drf}"}}"#),
    );
    assert_eq!(r.status, 200, "{}", r.text());

    // The application changes the password: within the TTL the old one stops working
    // (cached Basic included) and the new one works, at the login endpoints too.
    django.set_password("ada", "ada-pass-2");
    within(Duration::from_secs(4), "the old password refused", || {
        gh.get("/x", &[("Authorization", &basic("ada", "ada-pass-1"))])
            .status
            == 401
    });
    let r = gh.get("/x", &[("Authorization", &basic("ada", "ada-pass-2"))]);
    assert_eq!(r.status, 200, "{}", r.text());
    let r = json_post(
        &gh,
        "/api-token-auth/",
        r#"{"username": "ada", "password": "ada-pass-2"}"#,
    );
    assert_eq!(r.status, 200, "{}", r.text());

    // The application deactivates the user: within the TTL her tokens (already cached)
    // and her password stop working. Each lookup (by id for the token, by name for the
    // password) has its own cache entry, so each is held to the same bound.
    django.set_active("ada", false);
    let deactivated = Instant::now();
    within(
        Duration::from_secs(4),
        "the deactivated user's token refused",
        || gh.get("/x", &[("Authorization", &bearer)]).status == 401,
    );
    within(
        Duration::from_secs(4),
        "the deactivated user's password refused",
        || {
            gh.get("/x", &[("Authorization", &basic("ada", "ada-pass-2"))])
                .status
                == 401
        },
    );
    // The TTL is 2 s; the rest of the bound is the test's own requests.
    assert!(deactivated.elapsed() < Duration::from_secs(4));
    // simplejwt 5.3.1's refresh does not look at the user (the library's behaviour,
    // kept); the access token it gives is refused on proxied traffic.
    let r = json_post(
        &gh,
        "/token/refresh/",
        &format!(r#"{{"refresh": "{refresh}"}}"#),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let renewed = format!("Bearer {}", r.json()["access"].as_str().unwrap());
    assert_eq!(gh.get("/x", &[("Authorization", &renewed)]).status, 401);

    // Lookups were counted, and most came from the cache.
    assert!(gh.metric("gatehouse_user_database_lookups_total{result=\"found\"}") >= 3.0);
    assert!(gh.metric("gatehouse_user_database_cache_total{result=\"hit\"}") >= 1.0);
}

#[test]
fn django_users_in_postgresql_log_in_everywhere_and_changes_are_followed() {
    let pg = PostgresServer::start();
    let django = Django::postgres(&pg).with_pbkdf2_iterations(ITERATIONS);
    users_written_by_django_work_everywhere(&django, &pg.url());
}

/// Django's MySQL backend (through PyMySQL): `id` an INT, `is_active` a TINYINT(1), the
/// groups through GROUP_CONCAT; then `gatehouse check` of the shipped Django example
/// against the schema Django made there.
#[test]
fn django_users_in_mariadb_log_in_everywhere_and_changes_are_followed() {
    let db = MariaDbServer::start();
    let django = Django::mysql(&db).with_pbkdf2_iterations(ITERATIONS);
    users_written_by_django_work_everywhere(&django, &db.url());

    the_django_example_checks_against(&db.url(), MariaDbServer::PASSWORD);
}

/// `gatehouse check` of the shipped Django example against a live schema Django made at
/// `url`: the queries pass, and `password` (the URL's) is printed nowhere.
fn the_django_example_checks_against(url: &str, password: &str) {
    let example =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("config/examples/django-postgres.toml");
    let (code, stdout, stderr) = run_cli_env(
        &["check", "--config", example.to_str().unwrap()],
        &[
            ("DATABASE_URL", url),
            ("SIMPLEJWT_SIGNING_KEY", "0123456789abcdef0123456789abcdef"),
            ("DRF_JWT_SECRET_KEY", "0123456789abcdef0123456789abcdef"),
        ],
    );
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("queries ok"), "{stdout}");
    assert!(!stdout.contains(password), "{stdout}");
    assert!(!stderr.contains(password), "{stderr}");
}

#[test]
fn django_users_in_sqlite_log_in_everywhere_and_changes_are_followed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.sqlite3");
    let django = Django::sqlite(&path).with_pbkdf2_iterations(ITERATIONS);
    let url = format!("sqlite://{}", path.display());
    users_written_by_django_work_everywhere(&django, &url);
}

#[test]
fn a_stopped_database_is_503_and_not_ready_then_recovers_without_a_restart() {
    let mut pg = PostgresServer::start();
    let django = Django::postgres(&pg).with_pbkdf2_iterations(ITERATIONS);
    django.migrate();
    for name in ["cy", "dee"] {
        django.create_user(
            name,
            &format!("{name}@example.com"),
            &format!("{name}-pass"),
        );
    }
    let gh = start(&pg.url(), "30s");
    let cy = basic("cy", "cy-pass");
    assert_eq!(gh.get("/x", &[("Authorization", &cy)]).status, 200);

    pg.stop();
    // Cached identities keep flowing until their TTL.
    let r = gh.get("/x", &[("Authorization", &cy)]);
    assert_eq!(r.status, 200, "{}", r.text());
    // An uncached credential is a 503, not a wrong password, on every path.
    let dee = basic("dee", "dee-pass");
    let r = gh.get("/x", &[("Authorization", &dee)]);
    assert_eq!(r.status, 503, "{}", r.text());
    assert_eq!(r.json()["error"], "users_unavailable");
    assert_eq!(r.header("retry-after"), Some("1"));
    let r = gh.get("/x", &[("Authorization", &basic("nobody", "x"))]);
    assert_eq!(r.status, 503, "{}", r.text());
    let r = json_post(
        &gh,
        "/api-token-auth/",
        r#"{"username": "dee", "password": "dee-pass"}"#,
    );
    assert_eq!(r.status, 503, "{}", r.text());
    let r = json_post(
        &gh,
        "/token/",
        r#"{"email": "dee@example.com", "password": "dee-pass"}"#,
    );
    assert_eq!(r.status, 503, "{}", r.text());
    // Three failures in a row: not ready.
    let ready = || {
        crate::harness::raw_get(gh.admin_addr(), "/readyz")
            .map(|r| r.status)
            .unwrap_or(0)
    };
    assert_eq!(ready(), 503);
    assert_eq!(gh.metric("gatehouse_user_database_up"), 0.0);
    // A 503 is not a failed password: no lockout builds up while the database is away.
    assert!(!gh.log().contains("\"outcome\":\"rate_limited\""));

    pg.restart();
    within(Duration::from_secs(10), "ready again", || ready() == 200);
    let r = gh.get("/x", &[("Authorization", &dee)]);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.echoed("x-auth-user"), ["dee"]);
    assert_eq!(gh.metric("gatehouse_user_database_up"), 1.0);
}

/// A PHP application's own table, through configured queries on SQLite: `active` as an
/// integer, roles as a comma list, PHP's `password_hash()` bcrypt.
#[test]
fn configured_queries_read_a_php_applications_table() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("php.sqlite3");
    // htpasswd -nbB -C 4 alice 'correct horse' (the same family PHP's password_hash writes)
    let hash = "$2y$04$2nIagUtAOLZ0/Z7DYISSb.3AjpuquUEZYrZH0EKRs3LvQ.nGw5Sdq";
    sqlite_exec(
        &path,
        &format!(
            "CREATE TABLE members (member_id INTEGER PRIMARY KEY, login TEXT, mail TEXT, \
             pw TEXT, enabled INTEGER, perms TEXT); \
             INSERT INTO members VALUES (7, 'alice', 'alice@example.com', '{hash}', 1, 'editor, admin'); \
             INSERT INTO members VALUES (8, 'mallory', 'm@example.com', '{hash}', 0, ''); \
             INSERT INTO members VALUES (9, 'twin', 'same@example.com', '{hash}', 1, ''); \
             INSERT INTO members VALUES (10, 'twin2', 'same@example.com', '{hash}', 1, '');"
        ),
    );
    let select = "SELECT member_id AS id, login AS username, mail AS email, \
                  pw AS password_hash, enabled AS active, perms AS roles FROM members";
    let config = format!(
        "{}\n\n[user_database]\nurl = \"sqlite://{}\"\n[user_database.queries]\n\
         by_username = \"{select} WHERE login = ?\"\nby_email = \"{select} WHERE mail = ?\"\n\
         by_id = \"{select} WHERE member_id = ?\"\n",
        config("30s").split("\n\n[user_database]").next().unwrap(),
        path.display()
    );
    let gh = Gatehouse::start(&config);
    let r = gh.get("/x", &[("Authorization", &basic("alice", "correct horse"))]);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.echoed("x-auth-user-id"), ["7"]);
    assert_eq!(r.echoed("x-auth-roles"), ["editor,admin"]);
    assert_eq!(
        gh.get(
            "/x",
            &[("Authorization", &basic("mallory", "correct horse"))]
        )
        .status,
        401
    );
    // Two rows for one email name nobody: never the first of them.
    let r = json_post(
        &gh,
        "/token/",
        r#"{"email": "same@example.com", "password": "correct horse"}"#,
    );
    assert_eq!(r.status, 401, "{}", r.text());
    assert!(gh.log().contains("returned more than one user"));
}

/// A PHP application's own table in MariaDB, as Laravel's migrations make it, through
/// configured queries: `id` a BIGINT UNSIGNED, `active` a TINYINT, roles as a comma list,
/// PHP's `password_hash()` bcrypt. `gatehouse check` passes it and names a bad query;
/// while MariaDB is killed an uncached user is a 503, and after its restart (the same
/// pool, reconnecting) they log in.
#[test]
fn configured_queries_read_a_php_applications_table_in_mariadb() {
    let mut db = MariaDbServer::start();
    // htpasswd -nbB -C 4 alice 'correct horse' (the same family PHP's password_hash writes)
    let hash = "$2y$04$2nIagUtAOLZ0/Z7DYISSb.3AjpuquUEZYrZH0EKRs3LvQ.nGw5Sdq";
    db.sql(&format!(
        "CREATE TABLE members (id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, \
         login VARCHAR(64) NOT NULL UNIQUE, mail VARCHAR(191) NOT NULL, \
         pw VARCHAR(255) NOT NULL, active TINYINT NOT NULL DEFAULT 1, \
         perms VARCHAR(255) NOT NULL DEFAULT '') ENGINE=InnoDB DEFAULT CHARSET=utf8mb4; \
         INSERT INTO members (id, login, mail, pw, active, perms) VALUES \
         (7, 'alice', 'alice@example.com', '{hash}', 1, 'editor, admin'), \
         (8, 'mallory', 'm@example.com', '{hash}', 0, ''), \
         (9, 'twin', 'same@example.com', '{hash}', 1, ''), \
         (10, 'twin2', 'same@example.com', '{hash}', 1, ''), \
         (11, 'bob', 'bob@example.com', '{hash}', 1, 'editor')"
    ));
    let select = "SELECT id, login AS username, mail AS email, \
                  pw AS password_hash, active, perms AS roles FROM members";
    let base = config("30s");
    let base = base.split("\n\n[user_database]").next().unwrap();
    let with_queries = |by_username: &str| {
        format!(
            "{base}\n\n[user_database]\nurl_env = \"{DB_ENV}\"\nconnect_timeout = \"3s\"\n\
             query_timeout = \"3s\"\npool_size = 1\n[user_database.queries]\n\
             by_username = \"{by_username}\"\nby_email = \"{select} WHERE mail = ?\"\n\
             by_id = \"{select} WHERE id = ?\"\n"
        )
    };
    let config = with_queries(&format!("{select} WHERE login = ?"));

    // `gatehouse check` asks MariaDB about each query; a column the table lacks is
    // MariaDB's own error, under the key that names the query.
    let dir = tempfile::tempdir().unwrap();
    let check = |config: &str| {
        let path = dir.path().join("gatehouse.toml");
        let free = crate::harness::free_port;
        std::fs::write(
            &path,
            Gatehouse::localise(config, free(), free(), dir.path()),
        )
        .unwrap();
        run_cli_env(
            &["check", "--config", path.to_str().unwrap()],
            &[(DB_ENV, db.url().as_str())],
        )
    };
    let (code, stdout, stderr) = check(&config);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("queries ok"), "{stdout}");
    assert!(!format!("{stdout}{stderr}").contains(MariaDbServer::PASSWORD));
    let (code, stdout, stderr) = check(&with_queries(
        "SELECT id, login AS username, pw AS password_hash, enabled AS active \
         FROM members WHERE login = ?",
    ));
    assert_ne!(code, 0, "{stdout}");
    assert!(stderr.contains("by_username"), "{stderr}");
    assert!(stderr.contains("Unknown column 'enabled'"), "{stderr}");

    let gh = Gatehouse::start_with_env(&config, &[(DB_ENV, db.url().as_str())]);
    let alice = basic("alice", "correct horse");
    let r = gh.get("/x", &[("Authorization", &alice)]);
    assert_eq!(r.status, 200, "{}\n{}", r.text(), gh.log());
    assert_eq!(r.echoed("x-auth-user-id"), ["7"]);
    assert_eq!(r.echoed("x-auth-email"), ["alice@example.com"]);
    assert_eq!(r.echoed("x-auth-roles"), ["editor,admin"]);
    let mallory = basic("mallory", "correct horse");
    assert_eq!(gh.get("/x", &[("Authorization", &mallory)]).status, 401);
    // simplejwt logs in by email; its token names alice by id, looked up by id.
    let r = json_post(
        &gh,
        "/token/",
        r#"{"email": "alice@example.com", "password": "correct horse"}"#,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let access = r.json()["access"].as_str().unwrap().to_owned();
    assert_eq!(jwt_claims(&access)["user_id"], 7);
    let r = gh.get("/x", &[("Authorization", &format!("Bearer {access}"))]);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.echoed("x-auth-user"), ["alice"]);
    // Two rows for one email name nobody: never the first of them.
    let r = json_post(
        &gh,
        "/token/",
        r#"{"email": "same@example.com", "password": "correct horse"}"#,
    );
    assert_eq!(r.status, 401, "{}", r.text());
    assert!(gh.log().contains("returned more than one user"));

    // MariaDB dies under the pool's open connection: cached alice still passes, bob
    // (never looked up) is a 503, not a wrong password; after the restart he logs in.
    db.kill();
    assert_eq!(gh.get("/x", &[("Authorization", &alice)]).status, 200);
    let bob = basic("bob", "correct horse");
    let r = gh.get("/x", &[("Authorization", &bob)]);
    assert_eq!(r.status, 503, "{}", r.text());
    assert_eq!(r.json()["error"], "users_unavailable");
    db.restart();
    within(
        Duration::from_secs(10),
        "bob logs in after the restart",
        || gh.get("/x", &[("Authorization", &bob)]).status == 200,
    );
    let r = gh.get("/x", &[("Authorization", &bob)]);
    assert_eq!(r.echoed("x-auth-user-id"), ["11"]);
    assert_eq!(r.echoed("x-auth-roles"), ["editor"]);
}

#[test]
fn gatehouse_check_and_start_up_check_the_queries_against_the_database() {
    let pg = PostgresServer::start();
    Django::postgres(&pg).migrate();
    let dir = tempfile::tempdir().unwrap();

    // The shipped Django example, against a schema Django made.
    the_django_example_checks_against(&pg.url(), PostgresServer::PASSWORD);

    // A query that returns Django's `is_active` instead of `active` is refused by name,
    // by `check` and at start-up: it would otherwise let deactivated users in.
    let bad = format!(
        "{}\n\n[user_database]\nurl_env = \"{DB_ENV}\"\n[user_database.queries]\n\
         by_username = \"SELECT id, username, password AS password_hash, is_active \
         FROM auth_user WHERE username = $1\"\n",
        config("30s").split("\n\n[user_database]").next().unwrap()
    );
    let path = crate::harness::demo_config_in(dir.path());
    std::fs::write(
        &path,
        Gatehouse::localise(
            &bad,
            crate::harness::free_port(),
            crate::harness::free_port(),
            dir.path(),
        ),
    )
    .unwrap();
    let (code, stdout, stderr) = run_cli_env(
        &["check", "--config", path.to_str().unwrap()],
        &[(DB_ENV, pg.url().as_str())],
    );
    assert_ne!(code, 0, "{stdout}");
    assert!(stderr.contains("by_username"), "{stderr}");
    assert!(stderr.contains("`is_active`"), "{stderr}");
    let (code, _, stderr) = run_cli_env(
        &["--config", path.to_str().unwrap()],
        &[(DB_ENV, pg.url().as_str())],
    );
    assert_ne!(code, 0);
    assert!(stderr.contains("[user_database]"), "{stderr}");
    assert!(stderr.contains("`is_active`"), "{stderr}");
}

fn sqlite_exec(path: &Path, script: &str) {
    let mut command = std::process::Command::new(crate::django_users::python());
    command.args([
        "-c",
        "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.executescript(sys.argv[2]); c.commit()",
        path.to_str().unwrap(),
        script,
    ]);
    let output = crate::harness::output_within(&mut command, Duration::from_secs(30)).unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
