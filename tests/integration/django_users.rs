//! The real Django 4.2 writing users into a database, for the tests of the SQL user
//! source (`[user_database]`).
//!
//! [`Django`] runs tests/integration/django_users/users.py, whose every write is Django's
//! own (`migrate`, `User.objects.create_user`, `set_password`, `save`, `groups.add`), so
//! the rows and hashes gatehouse reads are exactly what a Django site leaves behind. The
//! database is a PostgreSQL URL (a [`PostgresServer`]), a MySQL one (a [`MariaDbServer`],
//! through PyMySQL) or a SQLite file.
//!
//! The Python side is the venv that tests/integration/django_users/setup.sh builds from
//! pinned requirements under `target/django-users/` (Django 4.2.30, psycopg2-binary,
//! PyMySQL, argon2-cffi, bcrypt); it runs once per test process and reuses an up-to-date venv in
//! about half a second. The first build needs PyPI; it is never skipped. Every command is
//! bounded in time, and a failed one panics with users.py's stderr.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use crate::harness::{output_within, python_venv};
use crate::mariadb_server::MariaDbServer;
use crate::postgres_server::PostgresServer;

/// One users.py command: `migrate` takes about 2 s, a PBKDF2 hash about 0.3 s.
const COMMAND_DEADLINE: Duration = Duration::from_secs(60);

/// An algorithm of Django 4.2's default PASSWORD_HASHERS.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hasher {
    /// The default: `pbkdf2_sha256$600000$...`.
    Pbkdf2Sha256,
    /// `pbkdf2_sha1$600000$...`.
    Pbkdf2Sha1,
    /// `argon2$argon2id$v=19$m=102400,t=2,p=8$...`.
    Argon2,
    /// `bcrypt_sha256$$2b$12$...`.
    BcryptSha256,
    /// `scrypt$16384$...`.
    Scrypt,
}

impl Hasher {
    /// Django's name for it, which is also the prefix of its hashes.
    pub fn algorithm(self) -> &'static str {
        match self {
            Hasher::Pbkdf2Sha256 => "pbkdf2_sha256",
            Hasher::Pbkdf2Sha1 => "pbkdf2_sha1",
            Hasher::Argon2 => "argon2",
            Hasher::BcryptSha256 => "bcrypt_sha256",
            Hasher::Scrypt => "scrypt",
        }
    }
}

/// A user for [`Django::create`]; `..NewUser::default()` for the rest.
#[derive(Clone, Debug, Default)]
pub struct NewUser<'a> {
    pub username: &'a str,
    pub email: &'a str,
    pub password: &'a str,
    /// Created if missing.
    pub groups: &'a [&'a str],
    /// `is_superuser` (and `is_staff`), as `create_superuser` makes them.
    pub superuser: bool,
    pub staff: bool,
    /// `is_active` false from the start.
    pub inactive: bool,
    /// `None`: Django's default hasher (pbkdf2_sha256).
    pub hasher: Option<Hasher>,
}

/// Django, pointed at one database.
#[derive(Clone, Debug)]
pub struct Django {
    /// A postgres:// or mysql:// URL or a SQLite file path (DJANGO_USERS_DATABASE).
    database: String,
    /// DJANGO_USERS_PBKDF2_ITERATIONS: the default hasher's cost, when lowered.
    pbkdf2_iterations: Option<u32>,
}

impl Django {
    /// Django on a [`PostgresServer`]'s database, as its role, over TCP with the
    /// password ([`PostgresServer::url`]; still right after a restart, same port).
    pub fn postgres(server: &PostgresServer) -> Self {
        Self::url(&server.url())
    }

    /// Django on a [`MariaDbServer`]'s database, as its user, over TCP with the password
    /// ([`MariaDbServer::url`]), through Django's MySQL backend.
    pub fn mysql(server: &MariaDbServer) -> Self {
        Self::url(&server.url())
    }

    /// Django on any `postgres://` or `mysql://USER:PASS@HOST:PORT/DB` URL.
    pub fn url(url: &str) -> Self {
        assert!(
            ["postgres://", "postgresql://", "mysql://"]
                .iter()
                .any(|scheme| url.starts_with(scheme)),
            "not a PostgreSQL or MySQL URL: {url}"
        );
        Self {
            database: url.to_owned(),
            pbkdf2_iterations: None,
        }
    }

    /// Django on a SQLite file (created by [`migrate`](Self::migrate) if missing).
    pub fn sqlite(path: &Path) -> Self {
        let database = path.to_str().expect("a UTF-8 path").to_owned();
        assert!(!database.contains("://"), "not a file path: {database}");
        Self {
            database,
            pbkdf2_iterations: None,
        }
    }

    /// The default hasher (pbkdf2_sha256) with `iterations` instead of Django 4.2's
    /// 600,000, as Django advises for test suites: the test build of gatehouse is not
    /// optimised, and 600,000 iterations take it seconds per check.
    pub fn with_pbkdf2_iterations(mut self, iterations: u32) -> Self {
        self.pbkdf2_iterations = Some(iterations);
        self
    }

    /// `manage.py migrate` for contenttypes and auth: creates auth_user, auth_group,
    /// auth_user_groups and the rest.
    pub fn migrate(&self) {
        self.run(&["migrate"]);
    }

    /// `User.objects.create_user(username, email, password)`; the new user's id.
    pub fn create_user(&self, username: &str, email: &str, password: &str) -> i64 {
        self.create(&NewUser {
            username,
            email,
            password,
            ..NewUser::default()
        })
    }

    /// A user with groups, flags or another hasher, in one transaction; its id.
    pub fn create(&self, user: &NewUser<'_>) -> i64 {
        let mut args = vec!["create-user", user.username, user.email, user.password];
        for group in user.groups {
            args.extend(["--group", group]);
        }
        if user.superuser {
            args.push("--superuser");
        }
        if user.staff {
            args.push("--staff");
        }
        if user.inactive {
            args.push("--inactive");
        }
        if let Some(hasher) = user.hasher {
            args.extend(["--hasher", hasher.algorithm()]);
        }
        let out = self.run(&args);
        out.trim()
            .parse()
            .unwrap_or_else(|e| panic!("create-user printed {out:?}, not an id: {e}"))
    }

    /// `user.set_password(password)` and `save()`: Django's default hasher.
    pub fn set_password(&self, username: &str, password: &str) {
        self.run(&["set-password", username, password]);
    }

    /// The password hashed with `hasher`, saved.
    pub fn set_password_with(&self, username: &str, password: &str, hasher: Hasher) {
        self.run(&[
            "set-password",
            username,
            password,
            "--hasher",
            hasher.algorithm(),
        ]);
    }

    /// `user.is_active = active` and `save()`.
    pub fn set_active(&self, username: &str, active: bool) {
        self.run(&[
            "set-active",
            username,
            if active { "true" } else { "false" },
        ]);
    }

    /// `user.groups.add(group)`; the group is created if missing.
    pub fn add_group(&self, username: &str, group: &str) {
        self.run(&["add-group", username, group]);
    }

    /// `user.groups.remove(group)`.
    pub fn remove_group(&self, username: &str, group: &str) {
        self.run(&["remove-group", username, group]);
    }

    /// `user.delete()` (its group memberships go with it).
    pub fn delete_user(&self, username: &str) {
        self.run(&["delete-user", username]);
    }

    /// One SQL statement through Django's database connection (a DB-API cursor, no
    /// ORM): its rows as JSON objects keyed by column name, values as the driver returns
    /// them. To read what Django wrote independently of it, use
    /// [`PostgresServer::query`], [`MariaDbServer::sql`] or [`sqlite_query`].
    pub fn sql(&self, statement: &str) -> Vec<serde_json::Map<String, serde_json::Value>> {
        let out = self.run(&["sql", statement]);
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{statement}: {e}: {out}"))
    }

    /// Any users.py command; its stdout. Panics with its stderr if it fails.
    pub fn run(&self, args: &[&str]) -> String {
        self.try_run(args).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Any users.py command; its stdout, or what went wrong with its stderr.
    pub fn try_run(&self, args: &[&str]) -> Result<String, String> {
        let script =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/integration/django_users/users.py");
        let mut command = Command::new(python());
        command
            .arg(script)
            .args(args)
            .env("DJANGO_USERS_DATABASE", &self.database)
            .env("PYTHONDONTWRITEBYTECODE", "1")
            // A ResourceWarning or a deprecation is not the test's business.
            .env("PYTHONWARNINGS", "ignore");
        if let Some(iterations) = self.pbkdf2_iterations {
            command.env("DJANGO_USERS_PBKDF2_ITERATIONS", iterations.to_string());
        }
        let output = output_within(&mut command, COMMAND_DEADLINE)
            .map_err(|e| format!("users.py {args:?}: {e}"))?;
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        if output.status.success() {
            Ok(stdout)
        } else {
            Err(format!(
                "users.py {args:?} on {} failed ({}):\n{}{stdout}",
                self.database,
                output.status,
                String::from_utf8_lossy(&output.stderr)
            ))
        }
    }
}

/// The venv's python: setup.sh, run once per test process. A failed setup fails every
/// test that uses Django, with setup.sh's output.
pub fn python() -> &'static Path {
    static PYTHON: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    match PYTHON.get_or_init(setup) {
        Ok(python) => python,
        Err(e) => panic!("{e}"),
    }
}

fn setup() -> Result<PathBuf, String> {
    python_venv(
        "tests/integration/django_users/setup.sh",
        &[],
        "the Django tests",
    )
}

/// The rows of one SELECT on a SQLite file, read in this process by sqlx (the driver
/// gatehouse's state store uses), read-only: no Python, no Django. JSON objects keyed by
/// column name, with SQLite's storage classes: INTEGER as numbers (so booleans are 0/1),
/// REAL as numbers, TEXT as strings, NULL as null. Bounded to 30 s.
pub fn sqlite_query(path: &Path, select: &str) -> Vec<serde_json::Map<String, serde_json::Value>> {
    use serde_json::Value;
    use sqlx::{Column as _, Connection as _, Row as _};
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let read = async {
        let options = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(path)
            .read_only(true);
        let mut connection = sqlx::sqlite::SqliteConnection::connect_with(&options).await?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(select.to_owned()))
            .fetch_all(&mut connection)
            .await?;
        connection.close().await?;
        Ok::<_, sqlx::Error>(rows)
    };
    let rows = runtime
        .block_on(async { tokio::time::timeout(Duration::from_secs(30), read).await })
        .unwrap_or_else(|_| panic!("{} {select}: no answer within 30 s", path.display()))
        .unwrap_or_else(|e| panic!("{} {select}: {e}", path.display()));
    rows.iter()
        .map(|row| {
            row.columns()
                .iter()
                .map(|column| {
                    let i = column.ordinal();
                    let value = if let Ok(n) = row.try_get::<Option<i64>, _>(i) {
                        n.map_or(Value::Null, Value::from)
                    } else if let Ok(text) = row.try_get::<String, _>(i) {
                        Value::from(text)
                    } else if let Ok(x) = row.try_get::<f64, _>(i) {
                        Value::from(x)
                    } else {
                        panic!(
                            "{select}: column {} is neither INTEGER, TEXT nor REAL",
                            column.name()
                        )
                    };
                    (column.name().to_owned(), value)
                })
                .collect()
        })
        .collect()
}
