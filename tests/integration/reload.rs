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

#[test]
fn key_rotation_keeps_old_tokens_valid_until_the_key_is_retired() {
    let dir = tempfile::tempdir().unwrap();
    let old_key = "[[keys]]\nid = \"demo-hs256\"\nalgorithm = \"HS256\"\nsecret = \"demo-only-secret-change-me-0123456789abcdef\"\n";
    let new_key = "[[keys]]\nid = \"rotated-2027\"\nalgorithm = \"HS256\"\nsecret = \"a-brand-new-secret-for-2027-0123456789abcdef\"\n";
    let rotated = demo_config()
        .replace(old_key, &format!("{old_key}\n{new_key}"))
        .replace("token_key = \"demo-hs256\"", "token_key = \"rotated-2027\"");
    assert_ne!(rotated, demo_config());
    let retired = rotated.replace(old_key, "");
    let mint = |config: &str, name: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, config).unwrap();
        let (code, stdout, stderr) = crate::harness::run_cli(
            &[
                "token",
                "--config",
                &path.display().to_string(),
                "--user",
                "admin",
            ],
            None,
        );
        assert_eq!(code, 0, "{stderr}");
        stdout.trim().to_owned()
    };
    let bearer = |t: &str| format!("Bearer {t}");

    let gh = Gatehouse::start(&demo_config());
    let old_token = crate::harness::demo_token("admin");
    assert_eq!(
        gh.get("/a", &[("authorization", &bearer(&old_token))])
            .status,
        200
    );

    // Rotate: a new signing key, the old one kept for verification.
    gh.rewrite_config(&rotated);
    gh.signal("HUP");
    gh.wait_for_metric(RELOADED, 1.0);
    let new_token = mint(&rotated, "rotated.toml");
    assert!(new_token.starts_with("eyJ"), "{new_token}");
    let header = new_token.split('.').next().unwrap();
    use base64::Engine as _;
    let header = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(header)
        .unwrap();
    assert!(String::from_utf8_lossy(&header).contains("\"kid\":\"rotated-2027\""));
    assert_eq!(
        gh.get("/a", &[("authorization", &bearer(&old_token))])
            .status,
        200,
        "rotation logged a user out"
    );
    assert_eq!(
        gh.get("/a", &[("authorization", &bearer(&new_token))])
            .status,
        200
    );

    // Retire the old key: its tokens stop at once (the cache went with the reload).
    gh.rewrite_config(&retired);
    gh.signal("HUP");
    gh.wait_for_metric(RELOADED, 2.0);
    let r = gh.get("/a", &[("authorization", &bearer(&old_token))]);
    assert_eq!(r.status, 401);
    assert_eq!(r.json()["message"], "token was not signed by a known key");
    assert_eq!(
        gh.get("/a", &[("authorization", &bearer(&new_token))])
            .status,
        200
    );
}

#[test]
fn changed_files_are_reloaded_without_a_signal() {
    let dir = tempfile::tempdir().unwrap();
    let users = dir.path().join("more-users.toml");
    // htpasswd -nbB -C 4 alice 'correct horse'
    let alice = |active: bool| {
        format!("[[users]]\nusername = \"alice\"\npassword_hash = \"$2y$04$2nIagUtAOLZ0/Z7DYISSb.3AjpuquUEZYrZH0EKRs3LvQ.nGw5Sdq\"\nid = 500\nactive = {active}\n")
    };
    std::fs::write(&users, alice(true)).unwrap();
    let config = format!("users_file = \"{}\"\n{}", users.display(), demo_config());
    // Its own [server] (the harness then adds none), watching every 100 ms.
    let gh = Gatehouse::start(&format!(
        "{config}\n[server]\nthreads = 1\ngrace_period = \"0s\"\nshutdown_timeout = \"1s\"\nwatch_interval = \"100ms\"\npid_file = \"{}\"\nupgrade_sock = \"{}\"\n",
        dir.path().join("p").display(),
        dir.path().join("u").display()
    ));
    let auth = basic("alice", "correct horse");
    assert_eq!(gh.get("/a", &[("authorization", &auth)]).status, 200);
    // Editing the users file (not the config) is picked up.
    std::thread::sleep(std::time::Duration::from_millis(1100)); // a new mtime second on coarse filesystems
    std::fs::write(&users, alice(false)).unwrap();
    gh.wait_for_metric(RELOADED, 1.0);
    assert_eq!(gh.get("/a", &[("authorization", &auth)]).status, 401);
}

#[test]
fn reloads_under_load_drop_no_request_and_apply_the_change() {
    let gh = Gatehouse::start(&demo_config());
    // A token: each reload starts an empty cache, and re-verifying a token costs
    // microseconds where a Basic password would cost a hash.
    let auth = format!("Bearer {}", crate::harness::demo_token("admin"));
    // The reloads alternate between the demo and a config where /public/ needs
    // credentials: an authenticated client must never notice either.
    let public_closed = demo_config().replace("access = \"public\"", "access = \"authenticated\"");
    assert_ne!(public_closed, demo_config());
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let clients: Vec<_> = (0..4)
        .map(|_| {
            let (url, auth, stop) = (gh.url("/orders"), auth.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut statuses = Vec::new();
                let started = std::time::Instant::now();
                // Bounded by count and time, whatever happens.
                while !stop.load(std::sync::atomic::Ordering::Relaxed)
                    && statuses.len() < 20_000
                    && started.elapsed() < std::time::Duration::from_secs(30)
                {
                    statuses.push(
                        crate::harness::send(&url, "GET", &[("authorization", &auth)], None).status,
                    );
                }
                statuses
            })
        })
        .collect();
    for round in 1..=6 {
        let config = if round % 2 == 1 {
            &public_closed
        } else {
            &demo_config()
        };
        gh.rewrite_config(config);
        gh.signal("HUP");
        gh.wait_for_metric(RELOADED, f64::from(round));
        let expected = if round % 2 == 1 { 401 } else { 200 };
        assert_eq!(gh.get("/public/x", &[]).status, expected, "round {round}");
        std::thread::sleep(std::time::Duration::from_millis(150));
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut total = 0;
    for client in clients {
        let statuses = client.join().unwrap();
        total += statuses.len();
        assert!(
            statuses.iter().all(|&s| s == 200),
            "a request failed during reloads: {:?}",
            statuses.iter().filter(|&&s| s != 200).collect::<Vec<_>>()
        );
    }
    eprintln!("{total} requests during 6 reloads");
    assert!(
        total >= 50,
        "only {total} requests were made during the reloads"
    );
    assert_eq!(gh.metric(FAILED), 0.0);
}
