//! Users read from the legacy application's own database (`[user_database]`): the handle,
//! its cache, its health and its settings. The SQL itself is in `database/sql.rs`.
//!
//! Decisions taken here:
//! - Every lookup (by username, case-folded username, email, id) is cached by what was
//!   asked, found or not, for `cache_ttl` (not found: `negative_cache_ttl`). Concurrent
//!   misses for one key share one query. A [`Found`] carries when its entry goes stale,
//!   and the verifier caps the identities it builds from it at that instant, so a change
//!   the application makes (password, deactivation, groups) is seen everywhere within
//!   `cache_ttl` of the query, not within twice that.
//! - Errors are never cached, and are never "not found": a lookup that failed is a
//!   [`DatabaseError`], which callers answer with 503, never as a wrong password.
//! - Queries run on the database's own runtime thread (`background.rs`), each bounded
//!   by `query_timeout` on both sides; the pool is bounded by `pool_size`, and waiting
//!   for a connection by `connect_timeout`.
//! - Health: three failed lookups in a row mark the database down (`/readyz` 503); while
//!   down, a probe runs every second and the first answer marks it up again. Until the
//!   queries have been checked once (`Pool::check_query`), the probe checks them rather
//!   than pinging, so a database that came up later is still checked before it is used.
//! - A stored hash gatehouse cannot verify makes the user unable to log in by password
//!   (a dummy that matches nothing, at the same cost) and is logged once per user.
//! - The unknown-user dummy imitates the last hash cost this database returned; until a
//!   user was read, Django's default (pbkdf2_sha256, 600,000 iterations) for the Django
//!   preset, else `hash_password`'s.

pub mod metrics;
mod sql;

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;
use moka::future::Cache;
use moka::Expiry;

use super::hash::CostKey;
use super::{Found, PasswordHash, User, UserKey};
use crate::background::BackgroundRuntime;
use metrics::UserDatabaseMetrics;
pub use sql::{column_problems, split_roles, COLUMNS, REQUIRED_COLUMNS};
use sql::{Fetched, Param, Pool, Queries, UserRow};

/// Failed lookups in a row after which the database counts as down.
const DOWN_AFTER_FAILURES: u32 = 3;
/// How often a database that is down is probed.
const PROBE_EVERY: Duration = Duration::from_secs(1);
/// Users whose unusable hash was logged, remembered so that each is logged once.
const LOGGED_USERS: u64 = 10_000;
/// A Django 4.2 default hash (pbkdf2_sha256, 600,000 iterations, 22-character salt),
/// only ever used as the model for a dummy.
const DJANGO_DEFAULT_HASH: &str =
    "pbkdf2_sha256$600000$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

/// Which database a URL names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DatabaseKind {
    Postgres,
    MySql,
    Sqlite,
}

impl DatabaseKind {
    pub fn of(url: &str) -> Option<Self> {
        let scheme = url.split_once(':')?.0;
        match scheme {
            "postgres" | "postgresql" => Some(Self::Postgres),
            "mysql" | "mariadb" => Some(Self::MySql),
            "sqlite" => Some(Self::Sqlite),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Postgres => "PostgreSQL",
            Self::MySql => "MySQL",
            Self::Sqlite => "SQLite",
        }
    }
}

/// A database URL; it may hold a password, so it prints redacted.
#[derive(Clone)]
pub struct DatabaseUrl {
    url: String,
    kind: DatabaseKind,
}

impl DatabaseUrl {
    /// `None` unless the URL names a supported database.
    pub fn new(url: String) -> Option<Self> {
        let kind = DatabaseKind::of(&url)?;
        Some(Self { url, kind })
    }

    pub fn kind(&self) -> DatabaseKind {
        self.kind
    }

    pub(crate) fn expose(&self) -> &str {
        &self.url
    }

    /// Whether sqlx accepts the URL. The message never quotes it.
    pub fn check_options(&self) -> Result<(), String> {
        use std::str::FromStr as _;
        let url = self.expose();
        let parsed = match self.kind {
            DatabaseKind::Postgres => sqlx::postgres::PgConnectOptions::from_str(url).map(drop),
            DatabaseKind::MySql => sqlx::mysql::MySqlConnectOptions::from_str(url).map(drop),
            DatabaseKind::Sqlite => sqlx::sqlite::SqliteConnectOptions::from_str(url).map(drop),
        };
        parsed.map_err(|_| format!("not a usable {} URL", self.kind.name()))
    }

    /// A relative SQLite path is taken from the configuration file's directory, as every
    /// other path in the configuration is.
    pub fn resolve_relative(&mut self, base: &std::path::Path) {
        if self.kind != DatabaseKind::Sqlite {
            return;
        }
        let url = self.expose();
        let rest = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .unwrap_or_default();
        let (path, query) = match rest.split_once('?') {
            Some((path, query)) => (path, Some(query)),
            None => (rest, None),
        };
        if path.is_empty() || path.starts_with('/') || path == ":memory:" {
            return;
        }
        let mut resolved = format!("sqlite://{}", base.join(path).display());
        if let Some(query) = query {
            resolved.push('?');
            resolved.push_str(query);
        }
        self.url = resolved;
    }

    /// Scheme, host and database: no user, password or query string.
    pub fn redacted(&self) -> String {
        let url = self.expose();
        let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
        let rest = rest.split(['?', '#']).next().unwrap_or_default();
        let rest = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
        format!("{scheme}://{rest}")
    }
}

/// Compared by value, for the reload's "did `[user_database]` change" question.
impl PartialEq for DatabaseUrl {
    fn eq(&self, other: &Self) -> bool {
        self.url == other.url
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({})", self.redacted())
    }
}

/// Where the users are in the database.
#[derive(Clone, Debug, PartialEq)]
pub enum UserSource {
    /// Django's `auth_user`, or a custom user model's table with its columns.
    Django { table: String },
    /// Configured queries, one parameter each.
    Queries {
        by_username: String,
        by_email: Option<String>,
        by_id: Option<String>,
    },
}

/// `[user_database]`, validated.
#[derive(Clone, Debug, PartialEq)]
pub struct DatabaseSettings {
    pub url: DatabaseUrl,
    pub source: UserSource,
    pub cache_ttl: Duration,
    pub negative_cache_ttl: Duration,
    pub cache_capacity: u64,
    pub pool_size: u32,
    pub connect_timeout: Duration,
    pub query_timeout: Duration,
}

impl DatabaseSettings {
    pub const DEFAULT_CACHE_TTL: Duration = Duration::from_secs(30);
    pub const DEFAULT_NEGATIVE_CACHE_TTL: Duration = Duration::from_secs(5);
    pub const DEFAULT_CACHE_CAPACITY: u64 = 100_000;
    pub const DEFAULT_POOL_SIZE: u32 = 4;
    pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
    pub const DEFAULT_QUERY_TIMEOUT: Duration = Duration::from_secs(2);
}

/// Why the database could not answer. Messages name the problem, never the URL's
/// credentials or a looked-up value.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DatabaseError {
    #[error("user database {0}: the URL is not usable")]
    Configuration(String),
    #[error("user database unreachable: {0}")]
    Unreachable(String),
    #[error("user database did not answer within {0:?}")]
    Timeout(Duration),
    #[error("user database query failed: {0}")]
    Query(String),
    #[error("user database returned an unreadable `{0}` column")]
    Column(&'static str),
    #[error("[user_database.queries] {query}: {problems}")]
    Misconfigured { query: String, problems: String },
    #[error("user database thread stopped")]
    Stopped,
}

impl DatabaseError {
    /// Whether the database answered, so that this error is not a sign it is down.
    fn is_answer(&self) -> bool {
        matches!(self, Self::Misconfigured { .. } | Self::Column(_))
    }
}

/// Which configured query a lookup runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LookupQuery {
    Username,
    UsernameFolded,
    Email,
    Id,
}

/// What a lookup is cached under.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum CacheKey {
    Username(Box<str>),
    UsernameFolded(Box<str>),
    Email(Box<str>),
    Id(i64),
}

impl CacheKey {
    fn new(key: UserKey<'_>) -> Self {
        match key {
            UserKey::Username(name) => Self::Username(name.into()),
            // Folded here too, so that every spelling shares one entry.
            UserKey::UsernameFolded(name) => Self::UsernameFolded(name.to_uppercase().into()),
            UserKey::Email(email) => Self::Email(email.into()),
            UserKey::Id(id) => Self::Id(id),
        }
    }

    fn query(&self) -> (LookupQuery, Param) {
        match self {
            Self::Username(name) => (LookupQuery::Username, Param::Text(name.to_string())),
            Self::UsernameFolded(name) => {
                (LookupQuery::UsernameFolded, Param::Text(name.to_string()))
            }
            Self::Email(email) => (LookupQuery::Email, Param::Text(email.to_string())),
            Self::Id(id) => (LookupQuery::Id, Param::Int(*id)),
        }
    }
}

/// A cached answer: the user, or that there is none.
struct Cached {
    user: Option<Arc<User>>,
    fresh_until: Instant,
}

impl Cached {
    fn found(&self) -> Option<Found> {
        self.user.clone().map(|user| Found {
            user,
            fresh_until: Some(self.fresh_until),
        })
    }
}

struct CacheExpiry {
    ttl: Duration,
    negative_ttl: Duration,
}

impl Expiry<CacheKey, Arc<Cached>> for CacheExpiry {
    /// Until the entry's `fresh_until`, which counts from when its query started: an
    /// entry must not outlive the freshness the identities built from it were given.
    fn expire_after_create(
        &self,
        _key: &CacheKey,
        cached: &Arc<Cached>,
        _created_at: Instant,
    ) -> Option<Duration> {
        let ttl = if cached.user.is_some() {
            self.ttl
        } else {
            self.negative_ttl
        };
        Some(ttl.min(cached.fresh_until.saturating_duration_since(Instant::now())))
    }
}

/// The model the unknown-user dummy is made from, and the dummy.
struct Dummy {
    cost: Option<CostKey>,
    hash: PasswordHash,
}

/// The user database handle; clones share the pool, the cache and the health.
#[derive(Clone)]
pub struct UserDatabase(Arc<Inner>);

struct Inner {
    pool: Pool,
    queries: Queries,
    settings: DatabaseSettings,
    cache: Cache<CacheKey, Arc<Cached>>,
    up: AtomicBool,
    failures: AtomicU32,
    /// Whether the queries have been checked against the database.
    checked: AtomicBool,
    dummy: ArcSwap<Dummy>,
    logged: moka::sync::Cache<String, ()>,
    metrics: UserDatabaseMetrics,
    /// Dropped last: shutting it down ends the probe and closes the connections.
    runtime: BackgroundRuntime,
}

impl UserDatabase {
    /// Builds the pool (connections open lazily) and starts the health probe. Blocking:
    /// call it before the server starts, or from the command line.
    pub fn open(
        settings: &DatabaseSettings,
        metrics: UserDatabaseMetrics,
    ) -> Result<Self, DatabaseError> {
        let runtime = BackgroundRuntime::new("gatehouse-userdb")
            .map_err(|e| DatabaseError::Unreachable(format!("cannot start its thread: {e}")))?;
        let for_pool = settings.clone();
        let pool = runtime
            .block_on(async move { Pool::connect_lazy(&for_pool) })
            .ok_or(DatabaseError::Stopped)??;
        let queries = Queries::new(settings.url.kind(), &settings.source);
        let model = match settings.source {
            UserSource::Django { .. } => PasswordHash::parse(DJANGO_DEFAULT_HASH).ok(),
            UserSource::Queries { .. } => None,
        };
        let dummy = Dummy {
            cost: None,
            hash: model.map_or_else(PasswordHash::default_dummy, |h| h.dummy_like()),
        };
        let cache = Cache::builder()
            .max_capacity(settings.cache_capacity)
            .expire_after(CacheExpiry {
                ttl: settings.cache_ttl,
                negative_ttl: settings.negative_cache_ttl,
            })
            .build();
        metrics.up.set(0);
        let database = Self(Arc::new(Inner {
            pool,
            queries,
            settings: settings.clone(),
            cache,
            up: AtomicBool::new(false),
            failures: AtomicU32::new(0),
            checked: AtomicBool::new(false),
            dummy: ArcSwap::from_pointee(dummy),
            logged: moka::sync::Cache::new(LOGGED_USERS),
            metrics,
            runtime,
        }));
        let probe = Arc::downgrade(&database.0);
        database.0.runtime.spawn(async move {
            loop {
                tokio::time::sleep(PROBE_EVERY).await;
                let Some(inner) = probe.upgrade() else { return };
                if !inner.up.load(Ordering::Acquire) {
                    let _ = UserDatabase(inner).probe().await;
                }
            }
        });
        Ok(database)
    }

    /// [`UserDatabase::open`] for one command (`gatehouse check`, `token`, `revoke`): its
    /// series go to a registry of their own, which nobody scrapes.
    pub fn open_for_command_line(settings: &DatabaseSettings) -> Result<Self, DatabaseError> {
        let metrics = UserDatabaseMetrics::new(&prometheus::Registry::new())
            .map_err(|e| DatabaseError::Unreachable(format!("metrics: {e}")))?;
        Self::open(settings, metrics)
    }

    /// Checks the queries now, within `connect_timeout` + `query_timeout` per query.
    /// Blocking (start-up, `gatehouse check`). `Misconfigured` names a query that does
    /// not return what gatehouse reads; other errors mean the database did not answer.
    pub fn check_now(&self) -> Result<(), DatabaseError> {
        let database = self.clone();
        self.0
            .runtime
            .block_on(async move { database.probe().await })
            .ok_or(DatabaseError::Stopped)?
    }

    /// Whether the database answered its last lookups (what `/readyz` follows).
    pub fn is_up(&self) -> bool {
        self.0.up.load(Ordering::Acquire)
    }

    pub fn describe(&self) -> String {
        let source = match &self.0.settings.source {
            UserSource::Django { table } => format!("the Django preset on `{table}`"),
            UserSource::Queries { .. } => "the configured queries".to_owned(),
        };
        format!(
            "{} at {} ({source})",
            self.0.settings.url.kind().name(),
            self.0.settings.url.redacted()
        )
    }

    /// The user `key` names, from the cache or the database.
    pub async fn find(&self, key: UserKey<'_>) -> Result<Option<Found>, DatabaseError> {
        let key = CacheKey::new(key);
        let inner = &self.0;
        let mut entry = self.cached_or_loaded(&key).await?;
        // moka's expiry is not exact to the instant (see the verifier's cache): an entry
        // past its freshness is read again rather than handed out.
        if entry.value().fresh_until <= Instant::now() {
            inner.cache.invalidate(&key).await;
            entry = self.cached_or_loaded(&key).await?;
        }
        inner.metrics.cache(!entry.is_fresh());
        Ok(entry.into_value().found())
    }

    /// The cache's answer for `key`, or the database's (one query for concurrent misses).
    async fn cached_or_loaded(
        &self,
        key: &CacheKey,
    ) -> Result<moka::Entry<CacheKey, Arc<Cached>>, DatabaseError> {
        self.0
            .cache
            .entry(key.clone())
            .or_try_insert_with(self.load(key.clone()))
            .await
            .map_err(|e| (*e).clone())
    }

    /// The same, from a thread that is not an async worker (the command line).
    pub fn find_blocking(&self, key: UserKey<'_>) -> Result<Option<Found>, DatabaseError> {
        let database = self.clone();
        let key = CacheKey::new(key);
        self.0
            .runtime
            .block_on(async move { Ok(database.load(key).await?.found()) })
            .ok_or(DatabaseError::Stopped)?
    }

    /// Runs `check` with a hash that costs what this database's users' hashes cost and
    /// that no password matches.
    pub fn with_dummy<R>(&self, check: impl FnOnce(&PasswordHash) -> R) -> R {
        check(&self.0.dummy.load().hash)
    }

    /// Runs the lookup's query and turns its row into a user.
    async fn load(&self, key: CacheKey) -> Result<Arc<Cached>, DatabaseError> {
        let inner = &self.0;
        let (query, param) = key.query();
        let Some(sql) = inner.queries.sql(query) else {
            // No query for this kind of lookup (e.g. no `by_email`): nobody is found by it.
            return Ok(Arc::new(Cached {
                user: None,
                fresh_until: Instant::now() + inner.settings.negative_cache_ttl,
            }));
        };
        let sql = sql.to_owned();
        let pool = inner.pool.clone();
        let timeout = inner.settings.query_timeout;
        let started = Instant::now();
        let task = inner.runtime.spawn(async move {
            tokio::time::timeout(timeout, pool.fetch_user(&sql, &param)).await
        });
        let fetched = match tokio::time::timeout(timeout * 2, task).await {
            Ok(Ok(Ok(fetched))) => fetched,
            Ok(Ok(Err(_))) | Err(_) => Err(DatabaseError::Timeout(timeout)),
            Ok(Err(_)) => Err(DatabaseError::Stopped),
        };
        inner.metrics.query(started.elapsed().as_secs_f64());
        let (used, idle) = inner.pool.usage();
        inner.metrics.pool(used, idle);
        let fetched = match fetched {
            Ok(fetched) => {
                self.answered();
                fetched
            }
            Err(e) => {
                inner.metrics.lookup("error");
                self.failed(&e);
                return Err(e);
            }
        };
        let user = match fetched {
            Fetched::None => {
                inner.metrics.lookup("not_found");
                None
            }
            Fetched::Ambiguous => {
                inner.metrics.lookup("ambiguous");
                log::warn!(
                    "[user_database] the {query:?} lookup returned more than one user; \
                     treating it as no user"
                );
                None
            }
            Fetched::One(row) => {
                inner.metrics.lookup("found");
                Some(self.user_from(row))
            }
        };
        let ttl = if user.is_some() {
            inner.settings.cache_ttl
        } else {
            inner.settings.negative_cache_ttl
        };
        Ok(Arc::new(Cached {
            user,
            fresh_until: started + ttl,
        }))
    }

    fn user_from(&self, row: UserRow) -> Arc<User> {
        let password = match PasswordHash::parse(&row.password_hash) {
            Ok(hash) => {
                self.imitate(&hash);
                hash
            }
            Err(e) => {
                if self.0.logged.get(&row.username).is_none() {
                    self.0.logged.insert(row.username.clone(), ());
                    log::warn!(
                        "[user_database] user {:?} cannot log in by password: {e}",
                        row.username
                    );
                }
                self.0.dummy.load().hash.dummy_like()
            }
        };
        Arc::new(User {
            username: row.username,
            id: row.id,
            email: row.email,
            roles: row.roles,
            active: row.active,
            password,
        })
    }

    /// Makes the unknown-user dummy cost what `hash` costs, if it does not already.
    fn imitate(&self, hash: &PasswordHash) {
        let cost = hash.cost_key();
        if self.0.dummy.load().cost == Some(cost) {
            return;
        }
        self.0.dummy.store(Arc::new(Dummy {
            cost: Some(cost),
            hash: hash.dummy_like(),
        }));
    }

    /// Checks the queries if that was never done, else pings; marks the database up on
    /// an answer.
    async fn probe(&self) -> Result<(), DatabaseError> {
        let inner = &self.0;
        let timeout = inner.settings.connect_timeout + inner.settings.query_timeout;
        let result = if inner.checked.load(Ordering::Acquire) {
            tokio::time::timeout(timeout, inner.pool.ping())
                .await
                .unwrap_or(Err(DatabaseError::Timeout(timeout)))
        } else {
            self.check_queries(timeout).await
        };
        match &result {
            Ok(()) => {
                inner.checked.store(true, Ordering::Release);
                self.answered();
            }
            Err(e) if e.is_answer() => log::error!("{e}"),
            Err(e) => self.failed(e),
        }
        result
    }

    async fn check_queries(&self, timeout: Duration) -> Result<(), DatabaseError> {
        for (name, sql, query) in self.0.queries.all() {
            let problems = tokio::time::timeout(timeout, self.0.pool.check_query(sql, query))
                .await
                .unwrap_or(Err(DatabaseError::Timeout(timeout)))?;
            if !problems.is_empty() {
                return Err(DatabaseError::Misconfigured {
                    query: name.to_owned(),
                    problems: problems.join("; "),
                });
            }
        }
        Ok(())
    }

    fn answered(&self) {
        let failures = self.0.failures.swap(0, Ordering::AcqRel);
        if !self.0.up.swap(true, Ordering::AcqRel) {
            self.0.metrics.up.set(1);
            if failures > 0 {
                log::info!(
                    "user database {} answers again",
                    self.0.settings.url.redacted()
                );
            }
        }
    }

    fn failed(&self, error: &DatabaseError) {
        let failures = self.0.failures.fetch_add(1, Ordering::AcqRel) + 1;
        if failures >= DOWN_AFTER_FAILURES && self.0.up.swap(false, Ordering::AcqRel) {
            self.0.metrics.up.set(0);
            log::warn!("{error}; marking the user database down until it answers");
        } else {
            log::warn!("{error}");
        }
    }
}

impl fmt::Debug for UserDatabase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserDatabase")
            .field("url", &self.0.settings.url)
            .field("up", &self.is_up())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests;
