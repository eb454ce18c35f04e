use super::*;
use crate::ratelimit::LimitSettings;
use crate::users::directory::Directory;
use crate::users::{PasswordHash, User, UserStore};
use std::time::Duration;

// htpasswd -nbB -C 4 alice 'correct horse'
const BCRYPT_4: &str = "$2y$04$2nIagUtAOLZ0/Z7DYISSb.3AjpuquUEZYrZH0EKRs3LvQ.nGw5Sdq";

fn store() -> Directory {
    let user = |username: &str, email: &str, active: bool| User {
        username: username.into(),
        id: None,
        email: Some(email.into()),
        roles: Vec::new(),
        active,
        password: PasswordHash::parse(BCRYPT_4).unwrap(),
    };
    Directory::new(
        Arc::new(UserStore::new(vec![
            user("Alice", "alice@example.com", true),
            user("carol", "carol@example.com", false),
        ])),
        None,
    )
}

fn checker() -> (PasswordChecker, Arc<Metrics>) {
    let metrics = Arc::new(Metrics::new().unwrap());
    let pool = Arc::new(HashPool::new(1, 4).unwrap());
    (PasswordChecker::new(pool, metrics.clone()), metrics)
}

fn metric(metrics: &Metrics, line_start: &str) -> String {
    let text = String::from_utf8(metrics.render()).unwrap();
    text.lines()
        .find(|l| l.starts_with(line_start))
        .unwrap_or_else(|| panic!("no metric line {line_start}"))
        .to_owned()
}

#[tokio::test]
async fn each_lookup_finds_the_user_it_names() {
    let (checker, _) = checker();
    let users = store();
    let password = || b"correct horse".to_vec();
    let found = |r: Result<Found, PasswordFailure>| r.map(|f| f.user.username.clone());
    assert_eq!(
        found(
            checker
                .check(&users, Lookup::Username("Alice".into()), password())
                .await
        ),
        Ok("Alice".to_owned())
    );
    assert_eq!(
        found(
            checker
                .check(&users, Lookup::Username("alice".into()), password())
                .await
        ),
        Err(PasswordFailure::Invalid(AuthFailure::UnknownUser))
    );
    assert_eq!(
        found(
            checker
                .check(
                    &users,
                    Lookup::UsernameIgnoreCase("ALICE".into()),
                    password()
                )
                .await
        ),
        Ok("Alice".to_owned())
    );
    assert_eq!(
        found(
            checker
                .check(
                    &users,
                    Lookup::Email("alice@example.com".into()),
                    password()
                )
                .await
        ),
        Ok("Alice".to_owned())
    );
    assert_eq!(
        found(
            checker
                .check(&users, Lookup::Username("Alice".into()), b"wrong".to_vec())
                .await
        ),
        Err(PasswordFailure::Invalid(AuthFailure::WrongPassword))
    );
    assert_eq!(
        found(
            checker
                .check(&users, Lookup::Username("carol".into()), password())
                .await
        ),
        Err(PasswordFailure::Invalid(AuthFailure::Inactive))
    );
}

#[tokio::test]
async fn checks_are_counted_by_whether_the_hash_matched() {
    let (checker, metrics) = checker();
    let users = store();
    let _ = checker
        .check(
            &users,
            Lookup::Username("Alice".into()),
            b"correct horse".to_vec(),
        )
        .await;
    // The inactive user's hash matches: counted as a match, refused all the same.
    let _ = checker
        .check(
            &users,
            Lookup::Username("carol".into()),
            b"correct horse".to_vec(),
        )
        .await;
    let _ = checker
        .check(&users, Lookup::Username("Alice".into()), b"nope".to_vec())
        .await;
    assert_eq!(
        metric(&metrics, r#"gatehouse_password_checks_total{result="ok"}"#),
        r#"gatehouse_password_checks_total{result="ok"} 2"#
    );
    assert_eq!(
        metric(
            &metrics,
            r#"gatehouse_password_checks_total{result="failed"}"#
        ),
        r#"gatehouse_password_checks_total{result="failed"} 1"#
    );
}

#[tokio::test]
async fn an_attempt_is_refused_once_its_username_or_client_failed_too_often() {
    let limiter = FailureLimiter::new(LimitSettings {
        enabled: true,
        per_client: 5,
        per_user: 2,
        window: Duration::from_secs(60),
    });
    let client: IpAddr = "192.0.2.1".parse().unwrap();
    let alice = Attempt::new(&limiter, client, Some(b"alice"));
    assert!(alice.admit().await.is_ok());
    alice.failed().await;
    assert!(alice.admit().await.is_ok());
    alice.failed().await;
    assert!(alice.admit().await.is_err(), "per-user limit reached");
    // A malformed credential has no username: only the client's budget applies.
    let anonymous = Attempt::new(&limiter, client, None);
    assert!(anonymous.admit().await.is_ok());
    for _ in 0..3 {
        anonymous.failed().await;
    }
    assert!(anonymous.admit().await.is_err(), "per-client limit reached");
    let elsewhere = Attempt::new(&limiter, "192.0.2.2".parse().unwrap(), Some(b"bob"));
    assert!(elsewhere.admit().await.is_ok());
}
