//! Where a user is looked up: the configured users first (inline and users files), then
//! the user database when one is configured.
//!
//! Decisions taken here:
//! - Configured users win over database users of the same name: they are the operator's
//!   own (service accounts, break-glass admins), and finding them costs no query. A
//!   database user with a configured user's name is never used, however it was found
//!   (by email, by id, through a case-insensitive collation): one name, one principal.
//! - A lookup is async because the database's is; configured users answer at once.
//! - The unknown-user dummy is the database's when there is one (most users live there),
//!   else the configured users' (see `users.rs`).

use std::sync::Arc;

use super::database::{DatabaseError, UserDatabase};
use super::{verify_or_dummy, AuthFailure, Found, User, UserKey, UserStore};

/// The configured users and the user database, asked in that order. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Directory {
    configured: Arc<UserStore>,
    database: Option<UserDatabase>,
}

impl Directory {
    pub fn new(configured: Arc<UserStore>, database: Option<UserDatabase>) -> Self {
        Self {
            configured,
            database,
        }
    }

    /// Only the configured users (tests, and places that never query).
    pub fn configured_only(users: Vec<User>) -> Self {
        Self::new(Arc::new(UserStore::new(users)), None)
    }

    pub fn configured(&self) -> &Arc<UserStore> {
        &self.configured
    }

    /// The user `key` names. `Err` only when the database could not answer: never a
    /// "not found" in disguise.
    pub async fn find(&self, key: UserKey<'_>) -> Result<Option<Found>, DatabaseError> {
        if let Some(found) = self.find_configured(key) {
            return Ok(Some(found));
        }
        match &self.database {
            Some(database) => Ok(self.not_shadowed(database.find(key).await?)),
            None => Ok(None),
        }
    }

    /// The same, from a thread that is not an async worker (the command line).
    pub fn find_blocking(&self, key: UserKey<'_>) -> Result<Option<Found>, DatabaseError> {
        if let Some(found) = self.find_configured(key) {
            return Ok(Some(found));
        }
        match &self.database {
            Some(database) => Ok(self.not_shadowed(database.find_blocking(key)?)),
            None => Ok(None),
        }
    }

    /// A configured user: fresh as long as the configuration that holds it.
    fn find_configured(&self, key: UserKey<'_>) -> Option<Found> {
        self.configured.find(key).map(|user| Found {
            user,
            fresh_until: None,
        })
    }

    /// A database user with a configured user's name is not used: found by email, by id
    /// or through a case-insensitive collation, it would be a second principal under the
    /// configured user's name, with other roles.
    fn not_shadowed(&self, found: Option<Found>) -> Option<Found> {
        let found = found?;
        if self.configured.by_username(&found.user.username).is_some() {
            log::warn!(
                "[user_database] user {:?} is not used: a configured user has that name",
                found.user.username
            );
            return None;
        }
        Some(found)
    }

    /// [`UserStore::authenticate`] with this directory's dummy. Blocking.
    pub fn authenticate(
        &self,
        user: Option<&Arc<User>>,
        password: &[u8],
    ) -> Result<Arc<User>, AuthFailure> {
        match (&self.database, user) {
            (Some(database), None) => {
                database.with_dummy(|dummy| verify_or_dummy(None, password, dummy))
            }
            _ => self.configured.authenticate(user, password),
        }
    }
}
