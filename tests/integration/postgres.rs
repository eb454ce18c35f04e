//! The test infrastructure of the SQL user source (`[user_database]`), proven on its own:
//! a real PostgreSQL cluster ([`PostgresServer`]) and the real Django 4.2 writing users
//! ([`Django`]) into it and into a SQLite file, read back independently of Django (psql
//! for PostgreSQL, sqlx for SQLite). Also what the cluster promises the tests: stop, kill
//! and restart keep the data on the same port, and dropping it leaves no process behind.

use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::{json, Map, Value};

use crate::django_users::{sqlite_query, Django, Hasher, NewUser};
use crate::postgres_server::{accepts, exists, PostgresServer};

type Rows = Vec<Map<String, Value>>;

/// A boolean column: `true`/`false` from PostgreSQL, `1`/`0` from SQLite.
fn flag(value: &Value) -> bool {
    match value {
        Value::Bool(b) => *b,
        Value::Number(n) if n.as_i64() == Some(1) => true,
        Value::Number(n) if n.as_i64() == Some(0) => false,
        other => panic!("not a boolean column: {other}"),
    }
}

/// Django's writes, checked through `read` (one SELECT, its rows by column name): the
/// same script and the same expectations for every database.
fn django_writes_users(django: &Django, read: &dyn Fn(&str) -> Rows) {
    let user = |name: &str| {
        let rows = read(&format!(
            "SELECT id, username, email, password, is_active, is_staff, is_superuser \
             FROM auth_user WHERE username = '{name}'"
        ));
        assert_eq!(rows.len(), 1, "auth_user rows for {name}: {rows:?}");
        rows.into_iter().next().unwrap()
    };
    let names = |rows: Rows| -> Vec<String> {
        rows.iter()
            .map(|row| row["name"].as_str().expect("a name").to_owned())
            .collect()
    };
    let groups = |id: i64| {
        names(read(&format!(
            "SELECT g.name FROM auth_user_groups AS ug JOIN auth_group AS g \
             ON g.id = ug.group_id WHERE ug.user_id = {id} ORDER BY g.name"
        )))
    };
    let password = |row: &Map<String, Value>| row["password"].as_str().unwrap().to_owned();

    django.migrate();
    let alice = django.create(&NewUser {
        username: "alice",
        email: "alice@example.com",
        password: "correct horse",
        groups: &["staff", "ops"],
        ..NewUser::default()
    });
    let row = user("alice");
    assert_eq!(row["id"], alice);
    assert_eq!(row["email"], "alice@example.com");
    assert!(flag(&row["is_active"]));
    assert!(!flag(&row["is_staff"]) && !flag(&row["is_superuser"]));
    // Django 4.2's default hasher and iteration count.
    let first = password(&row);
    assert!(first.starts_with("pbkdf2_sha256$600000$"), "{first}");
    assert_eq!(groups(alice), ["ops", "staff"]);

    // Another hasher, then the default again: a new salt, so a new hash.
    django.set_password_with("alice", "battery staple", Hasher::Argon2);
    let second = password(&user("alice"));
    assert!(second.starts_with("argon2$argon2id$v=19$"), "{second}");
    django.set_password("alice", "correct horse");
    let third = password(&user("alice"));
    assert!(third.starts_with("pbkdf2_sha256$600000$"), "{third}");
    assert_ne!(third, first);

    django.set_active("alice", false);
    assert!(!flag(&user("alice")["is_active"]));
    django.add_group("alice", "admins");
    django.remove_group("alice", "ops");
    assert_eq!(groups(alice), ["admins", "staff"]);
    // A group is one row, whoever is in it.
    assert_eq!(
        names(read("SELECT name FROM auth_group ORDER BY name")),
        ["admins", "ops", "staff"]
    );

    // A superuser, created inactive, with bcrypt_sha256.
    let bob = django.create(&NewUser {
        username: "bob",
        email: "bob@example.com",
        password: "hunter2",
        groups: &["staff"],
        superuser: true,
        inactive: true,
        hasher: Some(Hasher::BcryptSha256),
        ..NewUser::default()
    });
    assert_ne!(bob, alice);
    let row = user("bob");
    assert_eq!(row["id"], bob);
    assert!(
        password(&row).starts_with("bcrypt_sha256$$2b$12$"),
        "{row:?}"
    );
    assert!(flag(&row["is_superuser"]) && flag(&row["is_staff"]));
    assert!(!flag(&row["is_active"]));
    assert_eq!(groups(bob), ["staff"]);

    // Deleting a user takes its memberships with it, not the groups.
    django.delete_user("bob");
    assert!(read("SELECT id FROM auth_user WHERE username = 'bob'").is_empty());
    assert!(read(&format!(
        "SELECT id FROM auth_user_groups WHERE user_id = {bob}"
    ))
    .is_empty());
    assert_eq!(groups(alice), ["admins", "staff"]);

    // A failed command says why, in Django's words.
    let error = django
        .try_run(&["set-active", "nobody", "false"])
        .unwrap_err();
    assert!(error.contains("no user 'nobody'"), "{error}");
}

#[test]
fn django_writes_users_into_a_real_postgres() {
    let pg = PostgresServer::start();
    let django = Django::postgres(&pg);
    // Read back with psql, as the superuser: nothing of Django's in the reading.
    django_writes_users(&django, &|select| pg.query(select));
    // Django logged in as the role, over TCP with its password: the tables are the role's.
    assert_eq!(
        pg.psql("SELECT tableowner FROM pg_tables WHERE tablename = 'auth_user'"),
        PostgresServer::USER
    );
    assert_eq!(
        pg.psql("SELECT id, username, is_active FROM auth_user ORDER BY id"),
        "1|alice|f"
    );
    // And the password is checked: a wrong one is refused.
    let wrong = Django::url(&pg.url().replace(PostgresServer::PASSWORD, "wrong"));
    let error = wrong.try_run(&["sql", "SELECT 1"]).unwrap_err();
    assert!(error.contains("password authentication failed"), "{error}");
}

#[test]
fn django_writes_users_into_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("users.sqlite3");
    let django = Django::sqlite(&path);
    // Read back by sqlx in this process: nothing of Django's in the reading.
    django_writes_users(&django, &|select| sqlite_query(&path, select));
    assert!(path.is_file());
    // Django's own connection reads the same (`Django::sql`, for any database), with
    // the types Django's driver gives: its SQLite backend turns `bool` columns into
    // booleans, where sqlx reads SQLite's 0/1.
    let select = "SELECT username, is_active FROM auth_user ORDER BY id";
    let through_django = django.sql(select);
    let through_sqlx = sqlite_query(&path, select);
    assert_eq!(through_django.len(), through_sqlx.len());
    for (django_row, sqlx_row) in through_django.iter().zip(&through_sqlx) {
        assert_eq!(django_row["username"], sqlx_row["username"]);
        assert_eq!(
            django_row["is_active"],
            Value::Bool(flag(&sqlx_row["is_active"]))
        );
    }

    // Every hasher of Django 4.2's default list, each hash under its own prefix.
    let carol = django.create_user("carol", "carol@example.com", "correct horse");
    let mut expected = vec![(carol, "pbkdf2_sha256$600000$".to_owned())];
    for hasher in [
        Hasher::Pbkdf2Sha256,
        Hasher::Pbkdf2Sha1,
        Hasher::Argon2,
        Hasher::BcryptSha256,
        Hasher::Scrypt,
    ] {
        let name = hasher.algorithm();
        let id = django.create(&NewUser {
            username: name,
            email: "hashed@example.com",
            password: "correct horse",
            hasher: Some(hasher),
            ..NewUser::default()
        });
        expected.push((id, format!("{name}$")));
    }
    for (id, prefix) in expected {
        let rows = sqlite_query(
            &path,
            &format!("SELECT password FROM auth_user WHERE id = {id}"),
        );
        let hash = rows[0]["password"].as_str().unwrap();
        assert!(hash.starts_with(&prefix), "{prefix}: {hash}");
    }
}

#[test]
fn postgres_stop_kill_and_restart_keep_the_data_and_the_port() {
    let mut pg = PostgresServer::start();
    let (port, url) = (pg.port, pg.url());
    pg.psql("CREATE TABLE kept (n int); INSERT INTO kept VALUES (1)");

    // A clean stop: nothing listens, psql fails; a restart brings the same data back.
    pg.stop();
    assert_eq!(pg.pid(), None);
    assert!(!accepts(pg.addr()), "postgres still accepts after stop");
    assert!(pg.try_psql("SELECT 1").is_err());
    pg.restart();
    assert_eq!((pg.port, pg.url()), (port, url.clone()));
    assert_eq!(pg.psql("SELECT n FROM kept"), "1");

    // SIGKILL to every process, no shutdown: the committed row survives crash recovery.
    pg.psql("INSERT INTO kept VALUES (2)");
    let pids = pg.pids();
    pg.kill();
    let left: Vec<u32> = pids.iter().copied().filter(|&pid| exists(pid)).collect();
    assert!(
        left.is_empty(),
        "still there after kill (zombies count): {left:?} of {pids:?}"
    );
    assert!(!accepts(pg.addr()), "postgres still accepts after kill");
    pg.restart();
    assert_eq!(pg.psql("SELECT n FROM kept ORDER BY n"), "1\n2");
    let rows = pg.query("SELECT n, n = 2 AS last FROM kept ORDER BY n");
    assert_eq!(rows.len(), 2);
    assert_eq!((&rows[1]["n"], &rows[1]["last"]), (&json!(2), &json!(true)));
    assert!(
        pg.log().contains("not properly shut down"),
        "no crash recovery:\n{}",
        pg.log()
    );

    // Restarting a running server stops it cleanly first.
    let before = pg.pid();
    pg.restart();
    assert_ne!(pg.pid(), before);
    assert_eq!((pg.port, pg.url()), (port, url));
    assert_eq!(pg.psql("SELECT count(*) FROM kept"), "2");
}

#[test]
fn dropping_postgres_leaves_no_process_behind() {
    let pg = PostgresServer::start();
    // A client in the middle of a query: its backend has to go too.
    let mut client = pg
        .psql_command(PostgresServer::DATABASE)
        .args(["-c", "SELECT pg_sleep(60)"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("psql");
    let deadline = Instant::now() + Duration::from_secs(10);
    let backend = loop {
        let pid = pg.psql("SELECT pid FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(60)'");
        if let Ok(pid) = pid.parse::<u32>() {
            break pid;
        }
        assert!(
            Instant::now() < deadline,
            "the client's query never started"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    let pids = pg.pids();
    assert!(pids.contains(&backend), "{backend} not in {pids:?}");
    // The postmaster, its background processes and the backend.
    assert!(pids.len() >= 5, "{pids:?}");
    let (addr, data) = (pg.addr(), pg.data_dir());

    drop(pg);
    let left: Vec<u32> = pids.iter().copied().filter(|&pid| exists(pid)).collect();
    assert!(
        left.is_empty(),
        "still there after drop (zombies count): {left:?} of {pids:?}"
    );
    assert!(!accepts(addr), "something still accepts on {addr}");
    assert!(!data.exists(), "{} outlived the drop", data.display());
    // The client saw its connection go, and failed.
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = client.try_wait().unwrap() {
            break status;
        }
        if Instant::now() >= deadline {
            let _ = client.kill();
            panic!("psql still waits 10 s after the server was dropped");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(!status.success());
}
