#![allow(clippy::unwrap_used)]

use super::*;

/// A mirror that has matched the store just now.
fn mirror(fail_open: bool) -> RevocationMirror {
    let mirror = unsynced(fail_open, &crate::metrics::Metrics::new().unwrap());
    mirror.set_age(Duration::ZERO);
    mirror
}

/// A mirror as created, before it matched the store.
fn unsynced(fail_open: bool, metrics: &crate::metrics::Metrics) -> RevocationMirror {
    RevocationMirror::new(
        StalePolicy {
            max_stale: Duration::from_secs(30),
            fail_open,
        },
        metrics.store.clone(),
    )
}

fn revocation(target: Target, revoked_at: u64) -> Revocation {
    Revocation {
        target,
        revoked_at,
        expires_at: revoked_at + 3600,
    }
}

fn token<'a>(jti: Option<&'a str>, username: &'a str, issued_at: Option<u64>) -> TokenFacts<'a> {
    TokenFacts {
        jti,
        username,
        issued_at,
    }
}

#[test]
fn a_revoked_jti_is_refused_and_others_are_not() {
    let mirror = mirror(false);
    mirror.insert(revocation(Target::Jti("abc".into()), 100));
    assert_eq!(
        mirror.check(token(Some("abc"), "alice", Some(50))),
        Err(RevocationRefusal::Revoked)
    );
    assert_eq!(mirror.check(token(Some("abd"), "alice", Some(50))), Ok(()));
    assert_eq!(mirror.check(token(None, "alice", Some(50))), Ok(()));
    mirror.remove(&Target::Jti("abc".into()));
    assert_eq!(mirror.check(token(Some("abc"), "alice", Some(50))), Ok(()));
}

#[test]
fn a_user_revocation_refuses_tokens_issued_until_its_second() {
    let mirror = mirror(false);
    mirror.insert(revocation(Target::User("alice".into()), 100));
    let check = |issued_at| mirror.check(token(None, "alice", issued_at));
    assert_eq!(check(Some(99)), Err(RevocationRefusal::Revoked));
    assert_eq!(
        check(Some(100)),
        Err(RevocationRefusal::Revoked),
        "same second"
    );
    assert_eq!(check(Some(101)), Ok(()), "issued after");
    assert_eq!(check(None), Err(RevocationRefusal::Revoked), "cannot tell");
    assert_eq!(mirror.check(token(None, "bob", Some(1))), Ok(()));
    // Usernames are exact, as the user store's are.
    assert_eq!(mirror.check(token(None, "Alice", Some(1))), Ok(()));
}

#[test]
fn a_stale_mirror_fails_closed_unless_told_otherwise() {
    let closed = mirror(false);
    let open = mirror(true);
    for m in [&closed, &open] {
        m.insert(revocation(Target::Jti("abc".into()), 100));
        m.set_age(Duration::from_secs(31));
        assert!(!m.is_fresh());
    }
    assert_eq!(
        closed.check(token(Some("zzz"), "alice", Some(1))),
        Err(RevocationRefusal::Unavailable)
    );
    assert_eq!(open.check(token(Some("zzz"), "alice", Some(1))), Ok(()));
    assert_eq!(
        open.check(token(Some("abc"), "alice", Some(1))),
        Err(RevocationRefusal::Revoked),
        "what the stale mirror knows still counts"
    );
    closed.set_age(Duration::from_secs(1));
    assert_eq!(closed.check(token(Some("zzz"), "alice", Some(1))), Ok(()));
}

#[test]
fn a_new_mirror_is_not_fresh_until_it_matched_the_store() {
    let mirror = unsynced(false, &crate::metrics::Metrics::new().unwrap());
    assert_eq!(
        mirror.check(token(None, "alice", Some(1))),
        Err(RevocationRefusal::Unavailable)
    );
}

#[test]
fn a_resync_replaces_everything_and_the_gauge_follows() {
    let metrics = crate::metrics::Metrics::new().unwrap();
    let mirror = unsynced(false, &metrics);
    mirror.insert(revocation(Target::Jti("old".into()), 1));
    let since = mirror.changes();
    assert!(mirror.replace(
        vec![
            revocation(Target::User("bob".into()), 5),
            revocation(Target::Jti("new".into()), 3),
        ],
        since
    ));
    mirror.set_age(Duration::ZERO);
    assert_eq!(mirror.check(token(Some("old"), "x", Some(1))), Ok(()));
    assert_eq!(
        mirror.check(token(Some("new"), "x", Some(1))),
        Err(RevocationRefusal::Revoked)
    );
    assert_eq!(metrics.store.revocations_live.get(), 2);
    let listed: Vec<String> = mirror
        .list()
        .iter()
        .map(|r| r.target.id().to_owned())
        .collect();
    assert_eq!(listed, ["new", "bob"], "oldest first");
}

#[test]
fn revocations_serialise_as_the_admin_api_shows_them() {
    let json = serde_json::to_value(revocation(Target::User("alice".into()), 100)).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"user": "alice", "revoked_at": 100, "expires_at": 3700})
    );
    let back: Revocation =
        serde_json::from_value(serde_json::json!({"jti": "x", "revoked_at": 1, "expires_at": 2}))
            .unwrap();
    assert_eq!(back.target, Target::Jti("x".into()));
}

#[test]
fn a_resync_read_before_a_local_change_does_not_undo_it() {
    let mirror = mirror(false);
    let since = mirror.changes();
    // The store's list was read here, then this process acknowledged a revocation.
    mirror.insert(revocation(Target::Jti("just-revoked".into()), 10));
    assert!(
        !mirror.replace(Vec::new(), since),
        "refused: the list predates it"
    );
    assert_eq!(
        mirror.check(token(Some("just-revoked"), "alice", Some(1))),
        Err(RevocationRefusal::Revoked)
    );
    let since = mirror.changes();
    assert!(mirror.replace(
        vec![revocation(Target::Jti("just-revoked".into()), 10)],
        since
    ));
    assert_eq!(mirror.len(), 1);
}
