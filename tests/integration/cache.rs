use crate::harness::{basic, demo_config, Gatehouse};

const HASHES_OK: &str = "gatehouse_password_checks_total{result=\"ok\"}";
const HASHES_FAILED: &str = "gatehouse_password_checks_total{result=\"failed\"}";

#[test]
fn a_cached_basic_credential_is_not_hashed_again() {
    let gh = Gatehouse::start(&demo_config());
    let auth = basic("admin", "masterkey");
    assert_eq!(gh.get("/a", &[("authorization", &auth)]).status, 200);
    assert_eq!(gh.metric(HASHES_OK), 1.0);
    for _ in 0..5 {
        assert_eq!(gh.get("/a", &[("authorization", &auth)]).status, 200);
    }
    assert_eq!(
        gh.metric(HASHES_OK),
        1.0,
        "a cached credential was hashed again"
    );
    assert_eq!(
        gh.metric("gatehouse_verifier_cache_total{credential=\"basic\",result=\"hit\"}"),
        5.0
    );
    assert_eq!(
        gh.metric("gatehouse_verifier_cache_total{credential=\"basic\",result=\"miss\"}"),
        1.0
    );
}

#[test]
fn a_wrong_password_after_a_cached_success_is_still_refused() {
    let gh = Gatehouse::start(&demo_config());
    assert_eq!(
        gh.get("/a", &[("authorization", &basic("admin", "masterkey"))])
            .status,
        200
    );
    let r = gh.get("/a", &[("authorization", &basic("admin", "masterkey2"))]);
    assert_eq!(r.status, 401);
    assert_eq!(gh.metric(HASHES_FAILED), 1.0);
    // Repeating the same wrong password is answered from the negative cache.
    assert_eq!(
        gh.get("/a", &[("authorization", &basic("admin", "masterkey2"))])
            .status,
        401
    );
    assert_eq!(gh.metric(HASHES_FAILED), 1.0);
    // The right one still works.
    assert_eq!(
        gh.get("/a", &[("authorization", &basic("admin", "masterkey"))])
            .status,
        200
    );
}

#[test]
fn header_pairs_are_cached_too() {
    let gh = Gatehouse::start(&demo_config());
    for _ in 0..3 {
        assert_eq!(
            gh.get("/a", &[("User-Name", "test"), ("Password", "test")])
                .status,
            200
        );
    }
    assert_eq!(gh.metric(HASHES_OK), 1.0);
    assert_eq!(
        gh.metric("gatehouse_verifier_cache_total{credential=\"header_pair\",result=\"hit\"}"),
        2.0
    );
}

#[test]
fn cache_entries_expire_after_the_ttl() {
    let gh = Gatehouse::start(&demo_config().replace("cache_ttl = \"5m\"", "cache_ttl = \"1s\""));
    let auth = basic("test", "test");
    assert_eq!(gh.get("/a", &[("authorization", &auth)]).status, 200);
    std::thread::sleep(std::time::Duration::from_millis(1500));
    assert_eq!(gh.get("/a", &[("authorization", &auth)]).status, 200);
    assert_eq!(gh.metric(HASHES_OK), 2.0);
}
