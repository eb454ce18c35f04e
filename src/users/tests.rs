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
// Django 4.2.30 with pyca bcrypt 5.0.0: class SmallBCryptSHA256(BCryptSHA256PasswordHasher):
//   rounds = 4; make_password('correct horse', hasher=SmallBCryptSHA256())
const BCRYPT_SHA256_4: &str =
    "bcrypt_sha256$$2b$04$GPMemzCSudU.Ia2xePZR5.TCpOZ9q1nvW611K3ny2PVeZBsD0xQda";
// Django 4.2.30: p = PBKDF2SHA1PasswordHasher(); p.encode('correct horse', p.salt(),
//   iterations=1000)
const PBKDF2_SHA1_1000: &str =
    "pbkdf2_sha1$1000$aSDPIYM11BJVE3I1gqYGYL$b97f+AiIPTYTjFrziK8YozjCtYc=";

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
    let auth = |name: &str, password: &[u8]| store.authenticate(store.by_username(name), password);

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

    // Django's bcrypt_sha256 at bcrypt's cost is a cost of its own: two of them outnumber
    // one plain bcrypt, and the dummy hashes with SHA-256 first as they do.
    let store = UserStore::new(vec![
        user("a", None, None, BCRYPT_4),
        user("b", None, None, BCRYPT_SHA256_4),
        user("c", None, None, BCRYPT_SHA256_4),
    ]);
    assert_eq!(store.dummy.scheme(), "bcrypt_sha256");
    assert_eq!(
        store.dummy.cost_key(),
        PasswordHash::parse(BCRYPT_SHA256_4).unwrap().cost_key()
    );
    assert!(!store.dummy.verify(b"correct horse"));
    assert_eq!(
        store
            .authenticate(store.by_username("b"), b"correct horse")
            .unwrap()
            .username,
        "b"
    );

    // So is pbkdf2_sha1 beside pbkdf2_sha256 at the same iterations and salt length.
    let store = UserStore::new(vec![
        user("a", None, None, PBKDF2_1000),
        user("b", None, None, PBKDF2_SHA1_1000),
        user("c", None, None, PBKDF2_SHA1_1000),
    ]);
    assert_eq!(store.dummy.scheme(), "pbkdf2_sha1");

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
