//! The configured users and password checks against them.
//!
//! Owns [`User`], the immutable [`UserStore`] of configured users built once per config
//! load, and [`UserStore::authenticate`]; hash formats live in `users/hash.rs`, htpasswd
//! files in `users/htpasswd.rs`, users read from the application's database in
//! `users/database.rs`, and the [`Directory`] that asks both in `users/directory.rs`.
//!
//! Decisions taken here:
//! - Lookups are exact and case-sensitive (username, email, id): folding case would make
//!   two configured users collide in ways the config validator cannot see.
//! - Duplicates are the validator's to report; the store keeps every user it is given (so
//!   `len` and `iter` show the config as written) and lets the first one win each lookup.
//! - Every outcome of `authenticate` runs exactly one password hash of the store's most
//!   common cost: an unknown user is checked against a dummy hash, and an inactive user's
//!   password is checked before `active` is looked at (as Django's ModelBackend does), so
//!   neither is told apart from a wrong password by timing. Users whose hashes have other
//!   costs than the most common one remain distinguishable from unknown names; one dummy
//!   per cost would not help, since an unknown name has no cost to pick by.
//! - The dummy is built once in `new` and costs nothing to build (see `hash.rs`).

pub mod database;
pub mod directory;
mod hash;
mod htpasswd;

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::time::Instant;

pub use hash::{hash_password, HashFormatError, PasswordHash};
pub use htpasswd::{parse_htpasswd, HtpasswdError, HtpasswdErrorKind};

/// A configured user. `Debug` is safe to log: the password hash prints redacted.
#[derive(Clone, Debug)]
pub struct User {
    pub username: String,
    /// htpasswd users have none.
    pub id: Option<i64>,
    pub email: Option<String>,
    pub roles: Vec<String>,
    pub active: bool,
    pub password: PasswordHash,
}

/// What names a user.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UserKey<'a> {
    /// Exact, case-sensitive.
    Username(&'a str),
    /// Case-insensitive (ASP.NET Identity's normalised names, MySQL's collations).
    UsernameFolded(&'a str),
    Email(&'a str),
    Id(i64),
}

/// A user found, and until when that answer may be relied on (`None`: as long as the
/// configuration that holds the user).
#[derive(Clone, Debug)]
pub struct Found {
    pub user: Arc<User>,
    pub fresh_until: Option<Instant>,
}

/// Why a password check failed. Callers decide what to tell the client; all variants take
/// the same time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthFailure {
    UnknownUser,
    WrongPassword,
    Inactive,
}

/// All configured users, indexed for login lookups. Immutable: a config reload builds a
/// new store.
pub struct UserStore {
    users: Vec<Arc<User>>,
    by_username: HashMap<String, Arc<User>>,
    by_email: HashMap<String, Arc<User>>,
    by_id: HashMap<i64, Arc<User>>,
    dummy: PasswordHash,
}

impl UserStore {
    /// Users are assumed unique (the config validator reports duplicates); on duplicates
    /// the first wins.
    pub fn new(users: Vec<User>) -> Self {
        let users: Vec<Arc<User>> = users.into_iter().map(Arc::new).collect();
        let mut by_username = HashMap::with_capacity(users.len());
        let mut by_email = HashMap::new();
        let mut by_id = HashMap::new();
        for user in &users {
            by_username
                .entry(user.username.clone())
                .or_insert_with(|| Arc::clone(user));
            if let Some(email) = &user.email {
                by_email
                    .entry(email.clone())
                    .or_insert_with(|| Arc::clone(user));
            }
            if let Some(id) = user.id {
                by_id.entry(id).or_insert_with(|| Arc::clone(user));
            }
        }
        let dummy = dummy_for(&users);
        Self {
            users,
            by_username,
            by_email,
            by_id,
            dummy,
        }
    }

    /// Exact, case-sensitive.
    pub fn by_username(&self, username: &str) -> Option<&Arc<User>> {
        self.by_username.get(username)
    }

    /// Exact, case-sensitive.
    pub fn by_email(&self, email: &str) -> Option<&Arc<User>> {
        self.by_email.get(email)
    }

    pub fn by_id(&self, id: i64) -> Option<&Arc<User>> {
        self.by_id.get(&id)
    }

    /// The user `key` names. A case-insensitive name is tried exactly first, then
    /// against every user's lower-cased name.
    pub fn find(&self, key: UserKey<'_>) -> Option<Arc<User>> {
        match key {
            UserKey::Username(name) => self.by_username(name).cloned(),
            UserKey::UsernameFolded(name) => self.by_username(name).cloned().or_else(|| {
                let wanted = name.to_lowercase();
                self.iter()
                    .find(|u| u.username.to_lowercase() == wanted)
                    .cloned()
            }),
            UserKey::Email(email) => self.by_email(email).cloned(),
            UserKey::Id(id) => self.by_id(id).cloned(),
        }
    }

    pub fn len(&self) -> usize {
        self.users.len()
    }

    pub fn is_empty(&self) -> bool {
        self.users.is_empty()
    }

    /// In the order given to [`UserStore::new`].
    pub fn iter(&self) -> impl Iterator<Item = &Arc<User>> {
        self.users.iter()
    }

    /// Blocking (runs a password hash): callers run it off async workers.
    /// For `None` it verifies against the dummy hash so an unknown user costs the same as a
    /// wrong password. Password is checked before `active` (as Django's ModelBackend does),
    /// so an inactive user's timing matches too. Ok only for an existing, active user with
    /// the right password.
    pub fn authenticate(
        &self,
        user: Option<&Arc<User>>,
        password: &[u8],
    ) -> Result<Arc<User>, AuthFailure> {
        verify_or_dummy(user, password, &self.dummy)
    }
}

/// The check behind [`UserStore::authenticate`], with the dummy for unknown users given.
pub(crate) fn verify_or_dummy(
    user: Option<&Arc<User>>,
    password: &[u8],
    dummy: &PasswordHash,
) -> Result<Arc<User>, AuthFailure> {
    let Some(user) = user else {
        // black_box: the result is unused, and the work is the point.
        std::hint::black_box(dummy.verify(std::hint::black_box(password)));
        return Err(AuthFailure::UnknownUser);
    };
    if !user.password.verify(password) {
        return Err(AuthFailure::WrongPassword);
    }
    if !user.active {
        return Err(AuthFailure::Inactive);
    }
    Ok(Arc::clone(user))
}

impl fmt::Debug for UserStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserStore")
            .field("users", &self.users.len())
            .field("dummy", &self.dummy)
            .finish_non_exhaustive()
    }
}

/// A dummy like the most common scheme and cost among `users` (the first seen wins a tie),
/// or like `hash_password`'s output when there are none: the cost an unknown name should
/// appear to have is the one most real names have.
fn dummy_for(users: &[Arc<User>]) -> PasswordHash {
    // (first user with this cost, how many share it), in first-seen order.
    let mut tally: Vec<(&PasswordHash, usize)> = Vec::new();
    let mut slot_of = HashMap::new();
    for user in users {
        let slot = *slot_of
            .entry(user.password.cost_key())
            .or_insert(tally.len());
        match tally.get_mut(slot) {
            Some((_, count)) => *count += 1,
            None => tally.push((&user.password, 1)),
        }
    }
    let mut best: Option<(&PasswordHash, usize)> = None;
    for (hash, count) in tally {
        if best.is_none_or(|(_, best_count)| count > best_count) {
            best = Some((hash, count));
        }
    }
    match best {
        Some((hash, _)) => hash.dummy_like(),
        None => PasswordHash::default_dummy(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests;
