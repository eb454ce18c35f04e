//! The configured users and password checks against them.
//!
//! Owns [`User`], the immutable [`UserStore`] built once per config load, and
//! [`UserStore::authenticate`]; hash formats live in `users/hash.rs`, htpasswd files in
//! `users/htpasswd.rs`.
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

mod hash;
mod htpasswd;

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

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
        let Some(user) = user else {
            // black_box: the result is unused, and the work is the point.
            std::hint::black_box(self.dummy.verify(std::hint::black_box(password)));
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
mod tests {
    use super::*;

    // Demo users, as tests/captures/hashes/make-demo-hashes.sh makes them, each by a real tool.

    // echo -n masterkey | argon2 c880832850a7d4af -id -k 19456 -t 2 -p 1 -e
    //   (argon2 CLI, Debian argon2 0~20190702, the reference implementation)
    const ADMIN_MASTERKEY: &str = "$argon2id$v=19$m=19456,t=2,p=1$Yzg4MDgzMjg1MGE3ZDRhZg$rLkp9U8PeLKqyNj9aXpdAirF6gPNy09tiyzCDa8fmYY";
    // htpasswd -nbB -C 10 TestUser password   (apache2-utils 2.4.71)
    const TESTUSER_PASSWORD: &str = "$2y$10$4ajLdz9ZTvohqAyFcmvV9.ICxA2.wi3vTbZS.QyPGLmDtmU2qZX4e";
    // Django 5.2.19: settings.configure(); django.setup(); make_password('test')
    const TEST_TEST: &str =
        "pbkdf2_sha256$1000000$GT6erPy4LkJ2UtNvlpAAJI$i7+w3PIs/GVvF5747R37mSCJ029moGqlPAX9oiNNiMM=";
    // argon2-cffi 25.1.0: argon2.PasswordHasher(time_cost=2, memory_cost=19456,
    //   parallelism=1).hash('password_test')
    const USER_TEST_PASSWORD_TEST: &str = "$argon2id$v=19$m=19456,t=2,p=1$ubcIhgqFhOihuqmwDaXpJg$KGkmtLshZVY3UolEB+ZEibofR4UtymfvOJJ/v1co7es";
    // argon2-cffi 25.1.0: argon2.PasswordHasher(time_cost=2, memory_cost=19456,
    //   parallelism=1).hash('disabled')
    const DISABLED_DISABLED: &str = "$argon2id$v=19$m=19456,t=2,p=1$YNSu6WMyMqwtbfx/AKQ6pQ$mZCMtq2/KVIWXAiBFZL0Ookk59tEa4CrldB0qWMkJ7U";

    // Cheap vectors for the store tests.
    // htpasswd -nbB -C 4 alice 'correct horse'
    const BCRYPT_4: &str = "$2y$04$2nIagUtAOLZ0/Z7DYISSb.3AjpuquUEZYrZH0EKRs3LvQ.nGw5Sdq";
    // mkpasswd -m bcrypt -R 5 'correct horse'   (libxcrypt)
    const BCRYPT_5: &str = "$2b$05$T/0LHSNtVuLmLfihuAYMCOZwFel9l6Zw1zre7RWb8hZDMjBLokszi";
    // echo -n 'correct horse' | argon2 9d922cd720678b99 -id -k 1024 -t 1 -p 1 -e
    const ARGON2ID_SMALL: &str = "$argon2id$v=19$m=1024,t=1,p=1$OWQ5MjJjZDcyMDY3OGI5OQ$l0fAoGAs3pMEc/4OajYmng9Hqz4KZJS5wvwWmWd6QYg";
    // Django: PBKDF2PasswordHasher().encode('correct horse', PBKDF2PasswordHasher().salt(),
    //   iterations=1000)
    const PBKDF2_1000: &str =
        "pbkdf2_sha256$1000$dUQNLt6htvtCaUV20Zf6R8$kezQeo79JTn4B6MQrcWJOqoPKonxpJ4ZpI2HRgv/ZFA=";

    fn user(username: &str, id: Option<i64>, email: Option<&str>, stored: &str) -> User {
        User {
            username: username.into(),
            id,
            email: email.map(Into::into),
            roles: vec!["staff".into()],
            active: true,
            password: PasswordHash::parse(stored).unwrap(),
        }
    }

    fn small_store() -> UserStore {
        let mut inactive = user("carol", Some(3), None, BCRYPT_4);
        inactive.active = false;
        UserStore::new(vec![
            user("alice", Some(1), Some("alice@example.com"), BCRYPT_4),
            user("bob", None, Some("bob@example.com"), BCRYPT_4),
            inactive,
            user("dave", Some(4), None, ARGON2ID_SMALL),
        ])
    }

    #[test]
    fn demo_hashes_verify() {
        for (stored, password, scheme) in [
            (ADMIN_MASTERKEY, "masterkey", "argon2id"),
            (TESTUSER_PASSWORD, "password", "bcrypt"),
            (TEST_TEST, "test", "pbkdf2_sha256"),
            (USER_TEST_PASSWORD_TEST, "password_test", "argon2id"),
            (DISABLED_DISABLED, "disabled", "argon2id"),
        ] {
            let hash = PasswordHash::parse(stored).unwrap();
            assert_eq!(hash.scheme(), scheme);
            assert!(hash.verify(password.as_bytes()), "{password}");
            assert!(!hash.verify(b"masterkey2"), "{password}");
        }
    }

    #[test]
    fn demo_store_authenticates_and_dummy_matches_argon2_default() {
        let mut disabled = user("disabled", Some(5), None, DISABLED_DISABLED);
        disabled.active = false;
        let store = UserStore::new(vec![
            user("admin", Some(1), Some("admin@example.com"), ADMIN_MASTERKEY),
            user("TestUser", None, None, TESTUSER_PASSWORD),
            user("test", Some(2), Some("test@example.com"), TEST_TEST),
            user("user_test", Some(3), None, USER_TEST_PASSWORD_TEST),
            disabled,
        ]);
        let auth = |name: &str, password: &str| {
            store.authenticate(store.by_username(name), password.as_bytes())
        };
        assert_eq!(auth("admin", "masterkey").unwrap().username, "admin");
        assert_eq!(auth("TestUser", "password").unwrap().username, "TestUser");
        assert_eq!(auth("test", "test").unwrap().username, "test");
        assert_eq!(auth("user_test", "password_test").unwrap().id, Some(3));
        assert_eq!(
            auth("disabled", "disabled").unwrap_err(),
            AuthFailure::Inactive
        );
        assert_eq!(
            auth("admin", "password").unwrap_err(),
            AuthFailure::WrongPassword
        );
        assert_eq!(
            auth("nobody", "masterkey").unwrap_err(),
            AuthFailure::UnknownUser
        );
        // Three argon2id users with hash_password's parameters outnumber the others.
        assert_eq!(
            store.dummy.cost_key(),
            PasswordHash::parse(ADMIN_MASTERKEY).unwrap().cost_key()
        );
    }

    #[test]
    fn lookups_are_exact() {
        let store = small_store();
        assert_eq!(store.len(), 4);
        assert!(!store.is_empty());
        assert_eq!(store.by_username("alice").unwrap().id, Some(1));
        assert!(store.by_username("Alice").is_none());
        assert!(store.by_username("alice ").is_none());
        assert!(store.by_username("").is_none());
        assert_eq!(store.by_email("bob@example.com").unwrap().username, "bob");
        assert!(store.by_email("BOB@example.com").is_none());
        assert_eq!(store.by_id(3).unwrap().username, "carol");
        assert!(store.by_id(2).is_none());
        let names: Vec<&str> = store.iter().map(|u| u.username.as_str()).collect();
        assert_eq!(names, ["alice", "bob", "carol", "dave"]);
    }

    #[test]
    fn first_duplicate_wins() {
        let store = UserStore::new(vec![
            user("alice", Some(1), Some("a@example.com"), BCRYPT_4),
            user("alice", Some(2), Some("b@example.com"), BCRYPT_5),
            user("other", Some(1), Some("a@example.com"), BCRYPT_4),
        ]);
        assert_eq!(store.len(), 3);
        assert_eq!(store.by_username("alice").unwrap().id, Some(1));
        assert_eq!(store.by_email("a@example.com").unwrap().username, "alice");
        assert_eq!(store.by_email("b@example.com").unwrap().id, Some(2));
        assert_eq!(store.by_id(1).unwrap().username, "alice");
    }

    #[test]
    fn authenticate_outcomes() {
        let store = small_store();
        let auth =
            |name: &str, password: &[u8]| store.authenticate(store.by_username(name), password);

        let ok = auth("alice", b"correct horse").unwrap();
        assert!(Arc::ptr_eq(&ok, store.by_username("alice").unwrap()));
        assert_eq!(auth("dave", b"correct horse").unwrap().username, "dave");

        assert_eq!(
            auth("alice", b"wrong").unwrap_err(),
            AuthFailure::WrongPassword
        );
        assert_eq!(auth("alice", b"").unwrap_err(), AuthFailure::WrongPassword);
        assert_eq!(
            auth("alice", b"\xff\xfe").unwrap_err(),
            AuthFailure::WrongPassword
        );
        assert_eq!(
            auth("nobody", b"correct horse").unwrap_err(),
            AuthFailure::UnknownUser
        );
        assert_eq!(auth("nobody", b"").unwrap_err(), AuthFailure::UnknownUser);
        // Inactive is only revealed to someone who knows the password.
        assert_eq!(
            auth("carol", b"correct horse").unwrap_err(),
            AuthFailure::Inactive
        );
        assert_eq!(
            auth("carol", b"wrong").unwrap_err(),
            AuthFailure::WrongPassword
        );

        // A user from elsewhere (e.g. a previous store) is checked on its own hash.
        let stranger = Arc::new(user("zed", None, None, PBKDF2_1000));
        assert!(store
            .authenticate(Some(&stranger), b"correct horse")
            .is_ok());
        assert_eq!(
            store.authenticate(Some(&stranger), b"x").unwrap_err(),
            AuthFailure::WrongPassword
        );
    }

    #[test]
    fn dummy_is_like_the_most_common_cost() {
        // Three bcrypt cost 4 against one argon2id: the dummy is bcrypt cost 4.
        let store = small_store();
        assert_eq!(store.dummy.scheme(), "bcrypt");
        assert_eq!(
            store.dummy.cost_key(),
            PasswordHash::parse(BCRYPT_4).unwrap().cost_key()
        );
        assert!(!store.dummy.verify(b"correct horse"));

        // Same scheme, different cost: cost decides, not only the scheme.
        let store = UserStore::new(vec![
            user("a", None, None, BCRYPT_4),
            user("b", None, None, BCRYPT_5),
            user("c", None, None, BCRYPT_5),
        ]);
        assert_eq!(
            store.dummy.cost_key(),
            PasswordHash::parse(BCRYPT_5).unwrap().cost_key()
        );

        // A tie goes to the first seen.
        let store = UserStore::new(vec![
            user("a", None, None, PBKDF2_1000),
            user("b", None, None, ARGON2ID_SMALL),
        ]);
        assert_eq!(store.dummy.scheme(), "pbkdf2_sha256");

        // An inactive user's hash counts: their checks run it too.
        let mut inactive = user("b", None, None, ARGON2ID_SMALL);
        inactive.active = false;
        let store = UserStore::new(vec![
            user("a", None, None, PBKDF2_1000),
            inactive,
            user("c", None, None, ARGON2ID_SMALL),
        ]);
        assert_eq!(store.dummy.scheme(), "argon2id");
    }

    #[test]
    fn empty_store_uses_default_argon2id_dummy() {
        let store = UserStore::new(Vec::new());
        assert!(store.is_empty());
        assert_eq!(store.len(), 0);
        assert_eq!(store.iter().count(), 0);
        assert_eq!(store.dummy.scheme(), "argon2id");
        let default = PasswordHash::parse(&hash_password(b"x").unwrap()).unwrap();
        assert_eq!(store.dummy.cost_key(), default.cost_key());
        assert_eq!(
            store.authenticate(None, b"anything").unwrap_err(),
            AuthFailure::UnknownUser
        );
    }

    #[test]
    fn debug_redacts_hashes() {
        let store = small_store();
        let alice = store.by_username("alice").unwrap();
        let debug = format!("{alice:?}");
        assert!(debug.contains("alice@example.com"));
        assert!(
            debug.contains("PasswordHash(bcrypt, <redacted>)"),
            "{debug}"
        );
        assert!(!debug.contains("2nIagUtAOLZ0"), "{debug}");
        assert!(!debug.contains("$2y$"), "{debug}");
        let store_debug = format!("{store:?}");
        assert!(store_debug.starts_with("UserStore { users: 4, dummy: PasswordHash(bcrypt"));
    }
}
