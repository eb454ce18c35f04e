//! The embedded store: one SQLite file, `gatehouse.sqlite3` in the `[state] path`
//! directory.
//!
//! SQLite because it is crash-safe with nothing to run beside it, and because several
//! processes may open one file: `gatehouse revoke` writes to the store of a running
//! instance directly, and the instance sees it within a poll. WAL journal with
//! `synchronous = FULL`: a commit is on disk when it returns, so `kill -9` (or a power
//! cut) never loses an acknowledged revocation or blacklisting.
//!
//! The follower polls `PRAGMA data_version`, which changes when another connection
//! commits, and reloads the revocations when it does; it also deletes expired rows.
//! A file that is not a database, or a directory that cannot be written, is an error at
//! start naming the path: never a silently empty store.

use std::path::{Path, PathBuf};
use std::str::FromStr as _;
use std::time::{Duration, Instant};

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteSynchronous,
};
use sqlx::{Connection as _, Row as _};

use super::{Follow, OutstandingToken, StoreError};
use crate::iso8601::unix_now;
use crate::revocations::{Revocation, Target};

pub const FILE_NAME: &str = "gatehouse.sqlite3";

/// How often the follower looks for other processes' commits.
const POLL: Duration = Duration::from_millis(250);
/// How often expired rows are deleted.
const PURGE_EVERY: Duration = Duration::from_secs(60);

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS revocations (
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    revoked_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (kind, id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS blacklisted_tokens (
    jti TEXT PRIMARY KEY NOT NULL,
    blacklisted_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS outstanding_tokens (
    jti TEXT PRIMARY KEY NOT NULL,
    user_id TEXT,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;
";

#[derive(Clone)]
pub struct Embedded {
    pool: SqlitePool,
    options: SqliteConnectOptions,
    file: PathBuf,
}

impl Embedded {
    pub async fn open(dir: &Path) -> Result<Self, StoreError> {
        let file = dir.join(FILE_NAME);
        let fail = |message: String| StoreError::Embedded {
            path: file.display().to_string(),
            message,
        };
        std::fs::create_dir_all(dir).map_err(|e| StoreError::Embedded {
            path: dir.display().to_string(),
            message: format!("cannot create the directory: {e}"),
        })?;
        let options = SqliteConnectOptions::from_str("sqlite://")
            .map_err(|e| fail(e.to_string()))?
            .filename(&file)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            // Without a limit the write-ahead log keeps its largest size: 56 MB after 10,000
            // revocations in a row for a 0.5 MB database (benches/load).
            .pragma("journal_size_limit", "4194304")
            .busy_timeout(Duration::from_secs(5));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .acquire_timeout(Duration::from_secs(5))
            .connect_with(options.clone())
            .await
            .map_err(|e| fail(describe(&e)))?;
        let check: String = sqlx::query_scalar("PRAGMA quick_check")
            .fetch_one(&pool)
            .await
            .map_err(|e| fail(describe(&e)))?;
        if check != "ok" {
            return Err(fail(format!("the database is damaged: {check}")));
        }
        sqlx::raw_sql(SCHEMA)
            .execute(&pool)
            .await
            .map_err(|e| fail(describe(&e)))?;
        Ok(Self {
            pool,
            options,
            file,
        })
    }

    fn error(&self, e: &sqlx::Error) -> StoreError {
        StoreError::Embedded {
            path: self.file.display().to_string(),
            message: describe(e),
        }
    }

    pub async fn revoke(&self, revocation: &Revocation) -> Result<Revocation, StoreError> {
        let row = sqlx::query(
            "INSERT INTO revocations (kind, id, revoked_at, expires_at) VALUES (?, ?, ?, ?)
             ON CONFLICT (kind, id) DO UPDATE SET
                 revoked_at = excluded.revoked_at,
                 expires_at = max(expires_at, excluded.expires_at)
             RETURNING revoked_at, expires_at",
        )
        .bind(revocation.target.kind())
        .bind(revocation.target.id())
        .bind(to_sql(revocation.revoked_at))
        .bind(to_sql(revocation.expires_at))
        .fetch_one(&self.pool)
        .await
        .map_err(|e| self.error(&e))?;
        let time = |index: usize| row.try_get(index).map(from_sql);
        Ok(Revocation {
            target: revocation.target.clone(),
            revoked_at: time(0).map_err(|e| self.error(&e))?,
            expires_at: time(1).map_err(|e| self.error(&e))?,
        })
    }

    pub async fn lift(&self, target: &Target) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM revocations WHERE kind = ? AND id = ?")
            .bind(target.kind())
            .bind(target.id())
            .execute(&self.pool)
            .await
            .map_err(|e| self.error(&e))?;
        Ok(done.rows_affected() > 0)
    }

    pub async fn list(&self, now: u64) -> Result<Vec<Revocation>, StoreError> {
        list(&self.pool, now).await.map_err(|e| self.error(&e))
    }

    pub async fn blacklist(&self, jti: &str, expires_at: u64, now: u64) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO blacklisted_tokens (jti, blacklisted_at, expires_at) VALUES (?, ?, ?)
             ON CONFLICT (jti) DO NOTHING",
        )
        .bind(jti)
        .bind(to_sql(now))
        .bind(to_sql(expires_at))
        .execute(&self.pool)
        .await
        .map_err(|e| self.error(&e))?;
        Ok(())
    }

    pub async fn is_blacklisted(&self, jti: &str) -> Result<bool, StoreError> {
        let found: Option<i64> =
            sqlx::query_scalar("SELECT 1 FROM blacklisted_tokens WHERE jti = ?")
                .bind(jti)
                .fetch_optional(&self.pool)
                .await
                .map_err(|e| self.error(&e))?;
        Ok(found.is_some())
    }

    pub async fn outstand(&self, token: &OutstandingToken) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO outstanding_tokens (jti, user_id, created_at, expires_at)
             VALUES (?, ?, ?, ?) ON CONFLICT (jti) DO NOTHING",
        )
        .bind(&token.jti)
        .bind(token.user_id.as_deref())
        .bind(to_sql(token.created_at))
        .bind(to_sql(token.expires_at))
        .execute(&self.pool)
        .await
        .map_err(|e| self.error(&e))?;
        Ok(())
    }

    /// Deletes every row whose token can no longer be used.
    async fn purge(&self, now: u64) -> Result<(), sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        for table in [
            "DELETE FROM revocations WHERE expires_at <= ?",
            "DELETE FROM blacklisted_tokens WHERE expires_at <= ?",
            "DELETE FROM outstanding_tokens WHERE expires_at <= ?",
        ] {
            sqlx::query(table)
                .bind(to_sql(now))
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        // Folds the log back into the database and empties it (when no reader holds an
        // older snapshot; otherwise the next purge does).
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&self.pool)
            .await
            .map(|_| ())
    }

    /// Keeps the mirror equal to the file, whoever writes it. Runs for the store's life.
    pub async fn follow(self, follow: Follow) {
        let mut watcher: Option<SqliteConnection> = None;
        let mut seen_version: Option<i64> = None;
        let mut matched_at = Instant::now();
        let mut purged_at = Instant::now();
        let mut ticker = tokio::time::interval(POLL);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            match self.poll(&mut watcher, &mut seen_version, &follow).await {
                Ok(()) => {
                    matched_at = Instant::now();
                    follow.set_up(true);
                }
                Err(e) => {
                    watcher = None;
                    seen_version = None;
                    follow.set_up(false);
                    log::warn!("{}", self.error(&e));
                }
            }
            follow.mirror.set_age(matched_at.elapsed());
            if purged_at.elapsed() >= PURGE_EVERY {
                purged_at = Instant::now();
                if let Err(e) = self.purge(unix_now()).await {
                    log::warn!("{}", self.error(&e));
                }
            }
        }
    }

    async fn poll(
        &self,
        watcher: &mut Option<SqliteConnection>,
        seen_version: &mut Option<i64>,
        follow: &Follow,
    ) -> Result<(), sqlx::Error> {
        let connection = match watcher {
            Some(connection) => connection,
            None => watcher.insert(SqliteConnection::connect_with(&self.options).await?),
        };
        let version: i64 = sqlx::query_scalar("PRAGMA data_version")
            .fetch_one(&mut *connection)
            .await?;
        if *seen_version != Some(version) {
            let since = follow.mirror.changes();
            let revocations = list(&mut *connection, unix_now()).await?;
            // Refused when this process changed the mirror meanwhile: read again next poll.
            if follow.mirror.replace(revocations, since) {
                *seen_version = Some(version);
            }
        }
        Ok(())
    }
}

async fn list<'c>(
    executor: impl sqlx::SqliteExecutor<'c>,
    now: u64,
) -> Result<Vec<Revocation>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT kind, id, revoked_at, expires_at FROM revocations
         WHERE expires_at > ? ORDER BY revoked_at, kind, id",
    )
    .bind(to_sql(now))
    .fetch_all(executor)
    .await?;
    Ok(rows
        .iter()
        .filter_map(|row| {
            let kind: String = row.try_get(0).ok()?;
            let target = Target::from_parts(&kind, row.try_get(1).ok()?)?;
            Some(Revocation {
                target,
                revoked_at: from_sql(row.try_get(2).ok()?),
                expires_at: from_sql(row.try_get(3).ok()?),
            })
        })
        .collect())
}

/// SQLite integers are signed; Unix seconds fit long before that matters.
fn to_sql(secs: u64) -> i64 {
    i64::try_from(secs).unwrap_or(i64::MAX)
}

fn from_sql(secs: i64) -> u64 {
    u64::try_from(secs).unwrap_or(0)
}

/// SQLite's message, which names no secret (the store holds no credentials).
fn describe(e: &sqlx::Error) -> String {
    match e {
        sqlx::Error::Database(db) => db.message().to_owned(),
        other => other.to_string(),
    }
}
