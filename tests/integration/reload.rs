use crate::harness::{basic, demo_config, raw_get, Gatehouse};

const RELOADED: &str = "gatehouse_config_reloads_total{result=\"ok\"}";
const FAILED: &str = "gatehouse_config_reloads_total{result=\"failed\"}";

#[test]
fn a_user_disabled_by_reload_loses_cached_access_at_once() {
    let gh = Gatehouse::start(&demo_config());
    let auth = basic("admin", "masterkey");
    assert_eq!(gh.get("/a", &[("authorization", &auth)]).status, 200);
    assert_eq!(
        gh.get("/a", &[("authorization", &auth)]).status,
        200,
        "second request, from the cache"
    );

    let disabled = demo_config().replace(
        "email = \"admin@admin.com\"\nroles = [\"admin\"]\n",
        "email = \"admin@admin.com\"\nroles = [\"admin\"]\nactive = false\n",
    );
    assert_ne!(disabled, demo_config());
    gh.rewrite_config(&disabled);
    gh.signal("HUP");
    gh.wait_for_metric(RELOADED, 1.0);
    let r = gh.get("/a", &[("authorization", &auth)]);
    assert_eq!(
        r.status, 401,
        "a disabled user was served from the old cache"
    );
}

#[test]
fn a_broken_reload_keeps_the_old_config_serving() {
    let gh = Gatehouse::start(&demo_config());
    gh.rewrite_config(&demo_config().replace("cache_ttl = \"5m\"", "cache_ttl = \"soon\""));
    gh.signal("HUP");
    gh.wait_for_metric(FAILED, 1.0);
    assert!(
        gh.log().contains("[auth] cache_ttl: expected a duration"),
        "{}",
        gh.log()
    );
    assert_eq!(raw_get(gh.admin_addr(), "/readyz").unwrap().status, 200);
    assert_eq!(
        gh.get("/a", &[("authorization", &basic("admin", "masterkey"))])
            .status,
        200
    );

    // A valid change after that applies: the route /public/ disappears.
    gh.rewrite_config(&demo_config().replace("access = \"public\"", "access = \"authenticated\""));
    gh.signal("HUP");
    gh.wait_for_metric(RELOADED, 1.0);
    assert_eq!(gh.get("/public/x", &[]).status, 401);
}
