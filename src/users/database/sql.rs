//! The SQL side of the user database: one pool per backend (PostgreSQL, MySQL/MariaDB,
//! SQLite, all through sqlx), the queries (the Django preset's or the configured ones),
//! decoding a row into a [`UserRow`], and the start-up check that each query returns the
//! columns gatehouse reads.
//!
//! Decisions taken here:
//! - One concrete pool per backend rather than sqlx's `Any` driver: `Any` cannot decode a
//!   PostgreSQL array, and `roles` may be one (`ARRAY(...)`, `text[]`).
//! - Columns are found by name. `username` and `password_hash` are required; `id`,
//!   `email`, `active` (default true) and `roles` are optional. Any other column is an
//!   error: a query returning `is_active` instead of `active` must not leave every
//!   deactivated account open because `active` silently defaulted to true.
//! - Types are read leniently where databases differ: `id` as a 64- or 32-bit integer,
//!   signed or, on MySQL, unsigned (up to `i64::MAX`), `active` as a boolean or an
//!   integer (MySQL's `tinyint(1)`, SQLite), `roles` as a text array or a comma-separated
//!   text (empty items dropped).
//! - A query that returns more than one row names no one: the lookup finds nobody (and a
//!   warning says which query was ambiguous). Taking the first row could log a client in
//!   as someone else, e.g. by a non-unique `email`.
//! - Connection errors are reported by kind, never with their text when that could hold
//!   the URL (sqlx's configuration errors can).

use std::str::FromStr as _;
use std::time::Duration;

use futures_util::TryStreamExt as _;
use sqlx::mysql::{MySqlConnectOptions, MySqlPool, MySqlPoolOptions};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions};
use sqlx::{Column as _, Executor as _, Row as _, SqlSafeStr as _, Statement as _};

use super::{DatabaseError, DatabaseKind, DatabaseSettings, LookupQuery, UserSource};

/// The columns a user query may return, by name.
pub const COLUMNS: [&str; 6] = [
    "id",
    "username",
    "email",
    "password_hash",
    "active",
    "roles",
];
/// The columns it must return.
pub const REQUIRED_COLUMNS: [&str; 2] = ["username", "password_hash"];

/// One user as a query returned it, before its hash is parsed.
#[derive(Debug)]
pub struct UserRow {
    pub id: Option<i64>,
    pub username: String,
    pub email: Option<String>,
    pub password_hash: String,
    pub active: bool,
    pub roles: Vec<String>,
}

/// The value a lookup binds to its one parameter.
#[derive(Clone, Debug)]
pub enum Param {
    Text(String),
    Int(i64),
}

/// The SQL of each lookup, for one backend.
#[derive(Clone, Debug)]
pub struct Queries {
    pub by_username: String,
    /// The preset's case-insensitive username lookup; configured queries use `by_username`
    /// (the database's collation decides).
    pub by_username_folded: Option<String>,
    pub by_email: Option<String>,
    pub by_id: Option<String>,
}

impl Queries {
    pub fn new(kind: DatabaseKind, source: &UserSource) -> Self {
        match source {
            UserSource::Django { table } => django(kind, table),
            UserSource::Queries {
                by_username,
                by_email,
                by_id,
            } => Self {
                by_username: by_username.clone(),
                by_username_folded: None,
                by_email: by_email.clone(),
                by_id: by_id.clone(),
            },
        }
    }

    pub fn sql(&self, query: LookupQuery) -> Option<&str> {
        match query {
            LookupQuery::Username => Some(&self.by_username),
            LookupQuery::UsernameFolded => self
                .by_username_folded
                .as_deref()
                .or(Some(&self.by_username)),
            LookupQuery::Email => self.by_email.as_deref(),
            LookupQuery::Id => self.by_id.as_deref(),
        }
    }

    /// Every distinct query, with the key it was configured under and its lookup.
    pub fn all(&self) -> Vec<(&'static str, &str, LookupQuery)> {
        let mut all = vec![(
            "by_username",
            self.by_username.as_str(),
            LookupQuery::Username,
        )];
        if let Some(sql) = &self.by_username_folded {
            all.push((
                "by_username (case-insensitive)",
                sql,
                LookupQuery::UsernameFolded,
            ));
        }
        if let Some(sql) = &self.by_email {
            all.push(("by_email", sql, LookupQuery::Email));
        }
        if let Some(sql) = &self.by_id {
            all.push(("by_id", sql, LookupQuery::Id));
        }
        all
    }
}

/// Django's `auth_user` (or a custom user model's table with the same columns), roles
/// from `auth_group` through the model's `<table>_groups` link table, as Django names it.
fn django(kind: DatabaseKind, table: &str) -> Queries {
    let (placeholder, roles) = match kind {
        DatabaseKind::Postgres => (
            "$1",
            format!(
                "ARRAY(SELECT g.name::text FROM auth_group g JOIN {table}_groups ug \
                 ON ug.group_id = g.id WHERE ug.user_id = u.id ORDER BY g.name)"
            ),
        ),
        DatabaseKind::MySql => (
            "?",
            format!(
                "(SELECT GROUP_CONCAT(g.name ORDER BY g.name SEPARATOR ',') FROM auth_group g \
                 JOIN {table}_groups ug ON ug.group_id = g.id WHERE ug.user_id = u.id)"
            ),
        ),
        DatabaseKind::Sqlite => (
            "?",
            format!(
                "(SELECT group_concat(name, ',') FROM (SELECT g.name AS name FROM auth_group g \
                 JOIN {table}_groups ug ON ug.group_id = g.id WHERE ug.user_id = u.id \
                 ORDER BY g.name))"
            ),
        ),
    };
    let select = format!(
        "SELECT u.id AS id, u.username AS username, u.email AS email, \
         u.password AS password_hash, u.is_active AS active, {roles} AS roles FROM {table} u"
    );
    Queries {
        by_username: format!("{select} WHERE u.username = {placeholder}"),
        by_username_folded: Some(format!(
            "{select} WHERE UPPER(u.username) = UPPER({placeholder})"
        )),
        by_email: Some(format!("{select} WHERE u.email = {placeholder}")),
        by_id: Some(format!("{select} WHERE u.id = {placeholder}")),
    }
}

/// Reads a [`UserRow`] from a row of any backend; see the module doc for the types.
macro_rules! decode_row {
    ($row:expr) => {{
        let row = &$row;
        let column = |name: &str| row.columns().iter().any(|c| c.name() == name);
        let bad = |name: &'static str| DatabaseError::Column(name);
        (|| -> Result<UserRow, DatabaseError> {
            let id = if column("id") {
                match row.try_get::<Option<i64>, _>("id") {
                    Ok(id) => id,
                    Err(_) => match UnsignedId::unsigned_id(row) {
                        Some(id) => id.map_err(|_| bad("id"))?,
                        None => row
                            .try_get::<Option<i32>, _>("id")
                            .map_err(|_| bad("id"))?
                            .map(i64::from),
                    },
                }
            } else {
                None
            };
            let username: String = row.try_get("username").map_err(|_| bad("username"))?;
            let password_hash: String = row
                .try_get::<Option<String>, _>("password_hash")
                .map_err(|_| bad("password_hash"))?
                .unwrap_or_default();
            let email = if column("email") {
                row.try_get::<Option<String>, _>("email")
                    .map_err(|_| bad("email"))?
                    .filter(|email| !email.is_empty())
            } else {
                None
            };
            let active = if column("active") {
                match row.try_get::<Option<bool>, _>("active") {
                    Ok(active) => active,
                    Err(_) => match row.try_get::<Option<i64>, _>("active") {
                        Ok(flag) => flag.map(|flag| flag != 0),
                        Err(_) => row
                            .try_get::<Option<i32>, _>("active")
                            .map_err(|_| bad("active"))?
                            .map(|flag| flag != 0),
                    },
                }
                // NULL is not a yes.
                .unwrap_or(false)
            } else {
                true
            };
            let roles = if column("roles") {
                read_roles!(row)
            } else {
                Vec::new()
            };
            Ok(UserRow {
                id,
                username,
                email,
                password_hash,
                active,
                roles,
            })
        })()
    }};
}

/// `roles` as a text array where the backend has arrays, else as a comma list.
macro_rules! read_roles {
    ($row:expr) => {{
        let row = $row;
        let as_array = read_role_array(row);
        match as_array {
            Some(roles) => roles,
            None => split_roles(
                row.try_get::<Option<String>, _>("roles")
                    .map_err(|_| DatabaseError::Column("roles"))?
                    .as_deref(),
            ),
        }
    }};
}

/// A connection pool to one of the supported databases. Connections are opened lazily:
/// a database that is down at start does not stop gatehouse from starting.
#[derive(Clone, Debug)]
pub enum Pool {
    Postgres(PgPool),
    MySql(MySqlPool),
    Sqlite(SqlitePool),
}

impl Pool {
    /// Must run inside the runtime the pool's connections will live on.
    pub fn connect_lazy(settings: &DatabaseSettings) -> Result<Self, DatabaseError> {
        let url = settings.url.expose();
        let invalid = |_| DatabaseError::Configuration(settings.url.redacted());
        let size = settings.pool_size;
        let acquire = settings.connect_timeout;
        let idle = Some(Duration::from_secs(300));
        Ok(match settings.url.kind() {
            DatabaseKind::Postgres => Self::Postgres(
                PgPoolOptions::new()
                    .max_connections(size)
                    .acquire_timeout(acquire)
                    .idle_timeout(idle)
                    .connect_lazy_with(PgConnectOptions::from_str(url).map_err(invalid)?),
            ),
            DatabaseKind::MySql => Self::MySql(
                MySqlPoolOptions::new()
                    .max_connections(size)
                    .acquire_timeout(acquire)
                    .idle_timeout(idle)
                    .connect_lazy_with(MySqlConnectOptions::from_str(url).map_err(invalid)?),
            ),
            DatabaseKind::Sqlite => Self::Sqlite(
                SqlitePoolOptions::new()
                    .max_connections(size)
                    .acquire_timeout(acquire)
                    .idle_timeout(idle)
                    .connect_lazy_with(
                        // The application's file: never created, never written.
                        SqliteConnectOptions::from_str(url)
                            .map_err(invalid)?
                            .read_only(true)
                            .create_if_missing(false),
                    ),
            ),
        })
    }

    /// (open connections, idle ones).
    pub fn usage(&self) -> (u32, usize) {
        match self {
            Pool::Postgres(pool) => (pool.size(), pool.num_idle()),
            Pool::MySql(pool) => (pool.size(), pool.num_idle()),
            Pool::Sqlite(pool) => (pool.size(), pool.num_idle()),
        }
    }

    /// The rows `sql` returns for `param`: none, one, or `Ambiguous` for more.
    pub async fn fetch_user(&self, sql: &str, param: &Param) -> Result<Fetched, DatabaseError> {
        macro_rules! fetch {
            ($pool:expr) => {{
                let query = sqlx::query(sqlx::AssertSqlSafe(sql));
                let query = match param {
                    Param::Text(text) => query.bind(text.as_str()),
                    Param::Int(id) => query.bind(*id),
                };
                let mut rows = query.fetch($pool);
                let Some(first) = rows.try_next().await.map_err(DatabaseError::from_sqlx)? else {
                    return Ok(Fetched::None);
                };
                if rows
                    .try_next()
                    .await
                    .map_err(DatabaseError::from_sqlx)?
                    .is_some()
                {
                    return Ok(Fetched::Ambiguous);
                }
                decode_row!(first)
            }};
        }
        let row = match self {
            Pool::Postgres(pool) => fetch!(pool),
            Pool::MySql(pool) => fetch!(pool),
            Pool::Sqlite(pool) => fetch!(pool),
        };
        row.map(Fetched::One)
    }

    /// A round trip that proves the database answers.
    pub async fn ping(&self) -> Result<(), DatabaseError> {
        let result = match self {
            Pool::Postgres(pool) => pool.execute("SELECT 1").await.map(drop),
            Pool::MySql(pool) => pool.execute("SELECT 1").await.map(drop),
            Pool::Sqlite(pool) => pool.execute("SELECT 1").await.map(drop),
        };
        result.map_err(DatabaseError::from_sqlx)
    }

    /// Whether `sql` would return the columns gatehouse reads, asked of the database
    /// without running it. `Ok(problems)`: what is wrong with it (empty when nothing).
    /// `query`: which lookup it is, for the type of its parameter.
    pub async fn check_query(
        &self,
        sql: &str,
        query: LookupQuery,
    ) -> Result<Vec<String>, DatabaseError> {
        macro_rules! describe {
            ($pool:expr, $types:expr) => {{
                let described = match $pool
                    .prepare_with(sqlx::AssertSqlSafe(sql).into_sql_str(), $types)
                    .await
                {
                    Ok(described) => described,
                    // The database refused the statement itself: that is the query's
                    // problem, not the connection's.
                    Err(sqlx::Error::Database(e)) => return Ok(vec![e.message().to_owned()]),
                    Err(e) => return Err(DatabaseError::from_sqlx(e)),
                };
                let columns: Vec<String> = described
                    .columns()
                    .iter()
                    .map(|column| column.name().to_owned())
                    .collect();
                let parameters = match described.parameters() {
                    Some(sqlx::Either::Left(types)) => Some(types.len()),
                    Some(sqlx::Either::Right(count)) => Some(count),
                    None => None,
                };
                (columns, parameters)
            }};
        }
        let (columns, parameters) = match self {
            // Prepared with the type the lookup binds, as running it would: PostgreSQL
            // would otherwise infer `integer` for `id = $1`, and this connection would
            // keep that statement for the lookup's BIGINT (seen: "incorrect binary data
            // format in bind parameter 1").
            Pool::Postgres(pool) => {
                let parameter = match query {
                    LookupQuery::Id => <i64 as sqlx::Type<sqlx::Postgres>>::type_info(),
                    _ => <&str as sqlx::Type<sqlx::Postgres>>::type_info(),
                };
                describe!(pool, &[parameter])
            }
            Pool::MySql(pool) => describe!(pool, &[]),
            Pool::Sqlite(pool) => describe!(pool, &[]),
        };
        Ok(column_problems(&columns, parameters))
    }
}

/// What a user query returned.
#[derive(Debug)]
pub enum Fetched {
    None,
    One(UserRow),
    /// More than one row: nobody is named.
    Ambiguous,
}

/// Only PostgreSQL has arrays.
trait RoleArray {
    fn role_array(&self) -> Option<Vec<String>>;
}

impl RoleArray for sqlx::postgres::PgRow {
    fn role_array(&self) -> Option<Vec<String>> {
        self.try_get::<Option<Vec<String>>, _>("roles")
            .ok()
            .map(Option::unwrap_or_default)
    }
}

impl RoleArray for sqlx::mysql::MySqlRow {
    fn role_array(&self) -> Option<Vec<String>> {
        None
    }
}

impl RoleArray for sqlx::sqlite::SqliteRow {
    fn role_array(&self) -> Option<Vec<String>> {
        None
    }
}

/// Only MySQL has unsigned integers. sqlx reads a MySQL `UNSIGNED` column as neither
/// `i64` nor `i32` (it refuses a signed type for it), and an unsigned id is what PHP
/// schemas have: Laravel's `$table->id()` is `BIGINT UNSIGNED AUTO_INCREMENT`. Without
/// this, every user of such a table was "an unreadable `id` column", a 503 for all.
trait UnsignedId {
    /// `None`: not an unsigned column (or not MySQL). `Some(Err)`: above `i64::MAX`.
    fn unsigned_id(&self) -> Option<Result<Option<i64>, ()>>;
}

impl UnsignedId for sqlx::mysql::MySqlRow {
    fn unsigned_id(&self) -> Option<Result<Option<i64>, ()>> {
        let id = self.try_get::<Option<u64>, _>("id").ok()?;
        Some(id.map(i64::try_from).transpose().map_err(drop))
    }
}

impl UnsignedId for sqlx::postgres::PgRow {
    fn unsigned_id(&self) -> Option<Result<Option<i64>, ()>> {
        None
    }
}

impl UnsignedId for sqlx::sqlite::SqliteRow {
    fn unsigned_id(&self) -> Option<Result<Option<i64>, ()>> {
        None
    }
}

fn read_role_array(row: &impl RoleArray) -> Option<Vec<String>> {
    row.role_array()
        .map(|roles| roles.into_iter().filter(|r| !r.is_empty()).collect())
}

/// A comma-separated role list; blanks around items and empty items are dropped.
pub fn split_roles(list: Option<&str>) -> Vec<String> {
    list.unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|role| !role.is_empty())
        .map(str::to_owned)
        .collect()
}

/// What is wrong with a query that returns `columns` and takes `parameters` parameters.
pub fn column_problems(columns: &[String], parameters: Option<usize>) -> Vec<String> {
    let mut problems = Vec::new();
    for required in REQUIRED_COLUMNS {
        if !columns.iter().any(|c| c == required) {
            problems.push(format!("returns no `{required}` column"));
        }
    }
    for column in columns {
        if !COLUMNS.contains(&column.as_str()) {
            problems.push(format!(
                "returns a column `{column}`, which is not one of {} (rename it with AS)",
                COLUMNS.join(", ")
            ));
        } else if columns.iter().filter(|c| *c == column).count() > 1
            && !problems
                .iter()
                .any(|p| p.contains(&format!("`{column}` twice")))
        {
            problems.push(format!("returns `{column}` twice"));
        }
    }
    if let Some(count) = parameters {
        if count != 1 {
            problems.push(format!(
                "takes {count} parameters; it must take exactly one (the name, email or id)"
            ));
        }
    }
    problems
}

impl DatabaseError {
    /// sqlx's error, without anything that could hold the URL or a password.
    pub fn from_sqlx(error: sqlx::Error) -> Self {
        match error {
            sqlx::Error::PoolTimedOut => {
                DatabaseError::Unreachable("no connection within connect_timeout".to_owned())
            }
            sqlx::Error::Io(e) => DatabaseError::Unreachable(e.to_string()),
            sqlx::Error::Tls(e) => DatabaseError::Unreachable(format!("TLS: {e}")),
            sqlx::Error::Database(e) => DatabaseError::Query(e.message().to_owned()),
            sqlx::Error::PoolClosed | sqlx::Error::WorkerCrashed => {
                DatabaseError::Unreachable("the connection pool is closed".to_owned())
            }
            sqlx::Error::Protocol(message) => DatabaseError::Query(format!("protocol: {message}")),
            sqlx::Error::ColumnDecode { index, .. } => {
                DatabaseError::Query(format!("cannot decode column {index}"))
            }
            // Configuration and the rest may quote the connection options.
            other => DatabaseError::Query(error_kind(&other).to_owned()),
        }
    }
}

fn error_kind(error: &sqlx::Error) -> &'static str {
    match error {
        sqlx::Error::Configuration(_) => "invalid connection options",
        sqlx::Error::RowNotFound => "no row",
        sqlx::Error::TypeNotFound { .. } => "unknown type",
        sqlx::Error::ColumnNotFound(_) => "missing column",
        sqlx::Error::ColumnIndexOutOfBounds { .. } => "missing column",
        sqlx::Error::Decode(_) => "cannot decode a value",
        _ => "database error",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(columns: &[&str]) -> Vec<String> {
        columns.iter().map(|c| (*c).to_owned()).collect()
    }

    #[test]
    fn a_query_without_password_hash_or_with_a_stray_column_is_reported() {
        let problems = column_problems(&names(&["id", "username", "is_active"]), Some(1));
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].contains("`password_hash`"), "{problems:?}");
        assert!(problems[1].contains("`is_active`"), "{problems:?}");
    }

    #[test]
    fn the_minimal_and_the_full_column_sets_pass_with_one_parameter() {
        assert!(column_problems(&names(&["username", "password_hash"]), Some(1)).is_empty());
        assert!(column_problems(&names(&COLUMNS), None).is_empty());
        let two = column_problems(&names(&["username", "password_hash"]), Some(2));
        assert_eq!(two.len(), 1, "{two:?}");
        assert!(two[0].contains("exactly one"));
    }

    #[test]
    fn comma_lists_drop_blanks_and_empty_items() {
        assert_eq!(split_roles(Some(" admin, ,ops,")), ["admin", "ops"]);
        assert!(split_roles(None).is_empty());
        assert!(split_roles(Some("")).is_empty());
    }

    #[test]
    fn the_django_preset_uses_each_backends_placeholder_and_aggregate() {
        let source = UserSource::Django {
            table: "auth_user".into(),
        };
        let pg = Queries::new(DatabaseKind::Postgres, &source);
        assert!(pg.by_username.ends_with("WHERE u.username = $1"));
        assert!(pg.by_username.contains("ARRAY(SELECT g.name::text"));
        assert!(pg.by_username.contains("JOIN auth_user_groups ug"));
        let mysql = Queries::new(DatabaseKind::MySql, &source);
        assert!(mysql
            .by_email
            .as_deref()
            .unwrap_or_default()
            .ends_with("u.email = ?"));
        assert!(mysql.by_username.contains("GROUP_CONCAT"));
        let sqlite = Queries::new(DatabaseKind::Sqlite, &source);
        assert!(sqlite
            .by_id
            .as_deref()
            .unwrap_or_default()
            .ends_with("u.id = ?"));
        let custom = Queries::new(
            DatabaseKind::Postgres,
            &UserSource::Django {
                table: "accounts_user".into(),
            },
        );
        assert!(custom.by_username.contains("FROM accounts_user u"));
        assert!(custom.by_username.contains("JOIN accounts_user_groups ug"));
    }
}
