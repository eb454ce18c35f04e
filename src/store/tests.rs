#![allow(clippy::unwrap_used)]

use super::*;

fn block<T: Send + 'static>(store: &Store, f: impl Future<Output = T> + Send + 'static) -> T {
    store.block_on(f).unwrap()
}

#[test]
fn revocations_are_stored_listed_lifted_and_mirrored() {
    let (store, _dir) = temporary();
    let s = store.clone();
    let stored = block(&store, async move {
        s.revoke(Target::Jti("abc".into()), Duration::from_secs(60))
            .await
    })
    .unwrap();
    assert_eq!(stored.target, Target::Jti("abc".into()));
    assert!(stored.expires_at >= stored.revoked_at + 60);
    assert_eq!(store.mirror().len(), 1, "applied here before returning");
    let s = store.clone();
    let listed = block(&store, async move { s.revocations().await }).unwrap();
    assert_eq!(listed, vec![stored]);
    let s = store.clone();
    assert!(block(
        &store,
        async move { s.lift(Target::Jti("abc".into())).await }
    )
    .unwrap());
    let s = store.clone();
    assert!(!block(
        &store,
        async move { s.lift(Target::Jti("abc".into())).await }
    )
    .unwrap());
    assert!(store.mirror().is_empty());
}

#[test]
fn blacklisting_is_idempotent_and_read_back() {
    let (store, _dir) = temporary();
    let s = store.clone();
    let (before, after) = block(&store, async move {
        let before = s.is_blacklisted("j1").await.unwrap();
        s.blacklist("j1", unix_now() + 60).await.unwrap();
        s.blacklist("j1", unix_now() + 60).await.unwrap();
        (before, s.is_blacklisted("j1").await.unwrap())
    });
    assert!(!before);
    assert!(after);
}

#[test]
fn a_reopened_store_has_what_was_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let settings = StateSettings::embedded(dir.path().to_owned());
    let metrics = crate::metrics::Metrics::new().unwrap();
    {
        let store = Store::open(&settings, metrics.store.clone()).unwrap();
        let s = store.clone();
        block(&store, async move {
            s.revoke(Target::User("alice".into()), Duration::from_secs(60))
                .await
                .unwrap();
            s.blacklist("j1", unix_now() + 60).await.unwrap();
        });
    }
    let store = Store::open(&settings, metrics.store.clone()).unwrap();
    assert_eq!(store.mirror().len(), 1, "loaded at open");
    assert!(store.mirror().is_fresh());
    let s = store.clone();
    assert!(block(&store, async move { s.is_blacklisted("j1").await }).unwrap());
}

#[test]
fn an_unwritable_directory_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("file");
    std::fs::write(&blocker, b"x").unwrap();
    let settings = StateSettings::embedded(blocker.join("state"));
    let metrics = crate::metrics::Metrics::new().unwrap();
    let error = Store::open(&settings, metrics.store.clone())
        .err()
        .unwrap()
        .to_string();
    assert!(
        error.contains(&blocker.join("state").display().to_string()),
        "{error}"
    );
}

#[test]
fn redis_urls_never_print_their_password() {
    let url = RedisUrl::new("redis://user:s3cret@redis.example:6380/2".into());
    assert_eq!(url.redacted(), "redis://redis.example:6380/2");
    assert!(!format!("{url:?}").contains("s3cret"));
    let settings = StateSettings {
        backend: Backend::Redis { url },
        ..StateSettings::embedded("var".into())
    };
    assert!(!format!("{settings:?}").contains("s3cret"));
}

#[test]
fn an_unreachable_redis_does_not_stop_the_store_opening_but_reads_as_down() {
    // A port nothing listens on: connection refused at once.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let settings = StateSettings {
        backend: Backend::Redis {
            url: RedisUrl::new(format!("redis://127.0.0.1:{port}/0")),
        },
        timeout: Duration::from_millis(200),
        ..StateSettings::embedded("unused".into())
    };
    let metrics = crate::metrics::Metrics::new().unwrap();
    let store = Store::open(&settings, metrics.store.clone()).unwrap();
    assert!(!store.is_up());
    assert!(
        !store.mirror().is_fresh(),
        "never matched: token traffic gets 503"
    );
    let s = store.clone();
    let written = block(
        &store,
        async move { s.blacklist("j", unix_now() + 60).await },
    );
    assert!(
        written.is_err(),
        "a write Redis did not acknowledge is an error"
    );
}
