//! Replicas sharing one real Redis (`[state] redis`): two or three gatehouse processes on
//! one `redis-server` (`redis_server.rs`), real HTTP, loopback only.
//!
//! - simplejwt's blacklist written at one replica is read by the others;
//! - a revocation made at one replica's admin port reaches the others' proxied traffic
//!   within a second (pub/sub), and lifting it does too;
//! - failed credentials are counted across replicas, so N replicas allow what one does;
//! - while Redis is down: the mirror keeps refusing revoked tokens, `/readyz` is 503, a
//!   blacklisting is Django's 500 (never `{}`), and once Redis has been gone for longer
//!   than `max_stale` token traffic fails closed (503); when Redis comes back, everything
//!   recovers without restarting gatehouse, and a revoked token is never let through.
//!
//! Each test has its own Redis and its own gatehouses; every wait has a deadline.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::harness::{
    basic, demo_config, demo_token, jwt_claims, raw_get, send, simplejwt_login, Gatehouse, Response,
};
use crate::redis_server::RedisServer;

const JSON: [(&str, &str); 1] = [("Content-Type", "application/json")];
/// How soon a revocation made at one replica must be enforced by the others.
const PROPAGATION: Duration = Duration::from_secs(1);
/// `[state] max_stale` in these tests.
const MAX_STALE: Duration = Duration::from_secs(2);
/// How soon replicas must recover once Redis is back (no gatehouse restart).
const RECOVERY: Duration = Duration::from_secs(10);
const BLACKLISTED: &str = "Токен занесен в черный список";

/// The demo configuration with its `[state]` replaced by `redis`, and nomic (which has no
/// `key` in the demo, and so cannot run under Redis) disabled.
fn redis_config(redis: &RedisServer) -> String {
    let state = format!(
        "[state]\nredis = \"{}\"\nmax_stale = \"{}s\"\n",
        redis.url(),
        MAX_STALE.as_secs()
    );
    let config = demo_config()
        .replace("[state]\npath = \"../var\"\n", &state)
        .replace(
            "[dialects.nomic]\n",
            "[dialects.nomic]\n# No `key`: a generated one is refused under Redis.\nenabled = false\n",
        );
    assert!(
        config.contains(&state) && config.contains("enabled = false"),
        "the demo's [state] or [dialects.nomic] section moved"
    );
    config
}

fn post(gh: &Gatehouse, path: &str, body: &str) -> Response {
    send(&gh.url(path), "POST", &JSON, Some(body.as_bytes()))
}

fn admin(gh: &Gatehouse, method: &str, path: &str, body: Option<&str>) -> Response {
    let url = format!("http://{}{path}", gh.admin_addr());
    send(&url, method, &JSON, body.map(str::as_bytes))
}

fn readyz(gh: &Gatehouse) -> u16 {
    raw_get(gh.admin_addr(), "/readyz").map_or(0, |r| r.status)
}

fn refresh(gh: &Gatehouse, refresh: &str) -> Response {
    post(
        gh,
        "/token/refresh/",
        &format!(r#"{{"refresh": "{refresh}"}}"#),
    )
}

fn blacklist(gh: &Gatehouse, refresh: &str) -> Response {
    post(
        gh,
        "/token/blacklist/",
        &format!(r#"{{"refresh": "{refresh}"}}"#),
    )
}

fn assert_blacklisted(r: &Response, at: &str) {
    assert_eq!(r.status, 401, "{at}: {}", r.text());
    assert_eq!(r.json()["detail"], BLACKLISTED, "{at}");
    assert_eq!(r.json()["code"], "token_not_valid", "{at}");
}

fn jti(token: &str) -> String {
    jwt_claims(token)["jti"].as_str().unwrap().to_owned()
}

/// A proxied request (the demo routes send anything but `/public/` through
/// authentication to the echo upstream).
fn bearer(gh: &Gatehouse, token: &str) -> Response {
    gh.get("/api/x", &[("Authorization", &format!("Bearer {token}"))])
}

fn bearer_status(gh: &Gatehouse, token: &str) -> u16 {
    bearer(gh, token).status
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Polls until `check` holds, for at most `limit`; how long it took.
fn within(limit: Duration, mut check: impl FnMut() -> bool) -> Option<Duration> {
    let started = Instant::now();
    loop {
        if check() {
            return Some(started.elapsed());
        }
        if started.elapsed() >= limit {
            return None;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Polls every replica with `probe` until each answers `want`, until `since + limit`;
/// how long after `since` each one first did. Any answer but `was` and `want` fails.
fn until_each(
    replicas: &[(&str, &Gatehouse)],
    probe: impl Fn(&Gatehouse) -> Response,
    was: u16,
    want: u16,
    since: Instant,
    limit: Duration,
) -> Vec<(String, Duration)> {
    let mut seen: Vec<Option<Duration>> = vec![None; replicas.len()];
    while seen.iter().any(Option::is_none) && since.elapsed() < limit {
        for ((name, gh), seen) in replicas.iter().zip(&mut seen) {
            if seen.is_some() {
                continue;
            }
            let r = probe(gh);
            let at = since.elapsed();
            match r.status {
                status if status == want => *seen = Some(at),
                status if status == was => {}
                status => panic!("replica {name}: {status} {}", r.text()),
            }
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    replicas
        .iter()
        .zip(seen)
        .map(|((name, _), seen)| {
            let at = seen.unwrap_or_else(|| {
                panic!("replica {name} still did not answer {want} {limit:?} after the change")
            });
            ((*name).to_owned(), at)
        })
        .collect()
}

/// [`until_each`] with proxied requests carrying `token`.
fn until_token(
    replicas: &[(&str, &Gatehouse)],
    token: &str,
    was: u16,
    want: u16,
    since: Instant,
    limit: Duration,
) -> Vec<(String, Duration)> {
    until_each(replicas, |gh| bearer(gh, token), was, want, since, limit)
}

/// [`until_each`] with `GET /readyz` on the admin port.
fn until_readyz(
    replicas: &[(&str, &Gatehouse)],
    was: u16,
    want: u16,
    since: Instant,
    limit: Duration,
) -> Vec<(String, Duration)> {
    let probe = |gh: &Gatehouse| raw_get(gh.admin_addr(), "/readyz").expect("/readyz answers");
    until_each(replicas, probe, was, want, since, limit)
}

#[test]
fn a_refresh_token_blacklisted_at_one_replica_is_refused_at_the_others() {
    let redis = RedisServer::start();
    let config = redis_config(&redis);
    let a = Gatehouse::start(&config);
    let b = Gatehouse::start(&config);

    let (refresh_token, _) = simplejwt_login(&a);
    // Issued at A, good at B (the same key; the outstanding token is in Redis).
    let r = refresh(&b, &refresh_token);
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(
        redis
            .command(&[
                "EXISTS",
                &format!("gatehouse:outstanding:{}", jti(&refresh_token))
            ])
            .starts_with(":1"),
        "the login at A did not record its outstanding token in Redis"
    );

    let r = blacklist(&a, &refresh_token);
    assert_eq!((r.status, r.text().as_str()), (200, "{}"));
    assert_eq!(
        redis.command(&[
            "EXISTS",
            &format!("gatehouse:blacklist:{}", jti(&refresh_token))
        ]),
        ":1\r\n",
        "the blacklisting at A was answered {{}} but is not in Redis"
    );

    // The blacklist is read from Redis, not propagated: B refuses at once.
    assert_blacklisted(&refresh(&b, &refresh_token), "refresh at B");
    assert_blacklisted(&refresh(&a, &refresh_token), "refresh at A");
    // Blacklisting it again at B finds it blacklisted already (simplejwt checks first).
    assert_blacklisted(&blacklist(&b, &refresh_token), "blacklist again at B");

    // Another login's refresh token is unaffected, on either replica.
    let (other, _) = simplejwt_login(&b);
    assert_eq!(refresh(&a, &other).status, 200);
}

#[test]
fn revocations_made_at_one_replica_reach_the_others_within_a_second() {
    let redis = RedisServer::start();
    let config = redis_config(&redis);
    let a = Gatehouse::start(&config);
    let b = Gatehouse::start(&config);
    let c = Gatehouse::start(&config);
    let others = [("A", &a), ("C", &c)];

    // A user revocation: every token of admin issued at or before it.
    let (admin_refresh, admin_access) = simplejwt_login(&a);
    for (name, gh) in others {
        assert_eq!(bearer_status(gh, &admin_access), 200, "{name} before");
    }
    let r = admin(&b, "POST", "/revocations", Some(r#"{"user": "admin"}"#));
    let revoked = Instant::now();
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(r.json()["user"], "admin");
    let revoked_at = r.json()["revoked_at"].as_u64().unwrap();
    // B applied it before answering.
    assert_eq!(bearer_status(&b, &admin_access), 401);
    let times = until_token(&others, &admin_access, 200, 401, revoked, PROPAGATION);
    eprintln!("user revocation at B enforced after (from the 201): {times:?}");
    let r = bearer(&c, &admin_access);
    assert_eq!(r.json()["message"], "token has been revoked");
    // At the dialect endpoints too: the revoked user's refresh token, issued at A.
    assert_blacklisted(&refresh(&c, &admin_refresh), "refresh at C");

    // A token issued in a later second than the revocation works everywhere.
    let wait = within(Duration::from_secs(3), || unix_now() > revoked_at);
    assert!(wait.is_some(), "the clock did not pass {revoked_at}");
    let (_, fresh_access) = simplejwt_login(&a);
    assert!(jwt_claims(&fresh_access)["iat"].as_u64().unwrap() > revoked_at);
    for (name, gh) in [("A", &a), ("B", &b), ("C", &c)] {
        assert_eq!(bearer_status(gh, &fresh_access), 200, "{name}: fresh login");
    }

    // A token revocation, by jti: that token only.
    let token = demo_token("TestUser");
    let kept = demo_token("TestUser");
    for (name, gh) in others {
        assert_eq!(bearer_status(gh, &token), 200, "{name} before");
    }
    let token_jti = jti(&token);
    let r = admin(
        &b,
        "POST",
        "/revocations",
        Some(&format!(r#"{{"jti": "{token_jti}"}}"#)),
    );
    let revoked = Instant::now();
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(r.json()["jti"], token_jti.as_str());
    let times = until_token(&others, &token, 200, 401, revoked, PROPAGATION);
    eprintln!("jti revocation at B enforced after (from the 201): {times:?}");
    for (name, gh) in others {
        assert_eq!(
            bearer_status(gh, &kept),
            200,
            "{name}: another token of TestUser"
        );
    }

    // Every replica lists what is in Redis.
    let r = admin(&c, "GET", "/revocations", None);
    assert_eq!(r.status, 200, "{}", r.text());
    let listed = r.json();
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 2, "{listed:?}");
    assert!(listed.iter().any(|r| r["user"] == "admin"), "{listed:?}");
    assert!(
        listed.iter().any(|r| r["jti"] == token_jti.as_str()),
        "{listed:?}"
    );

    // Lifting it at A lets the token in again at C.
    let r = admin(&a, "DELETE", &format!("/revocations/jti/{token_jti}"), None);
    let lifted = Instant::now();
    assert_eq!(r.status, 204, "{}", r.text());
    assert_eq!(bearer_status(&a, &token), 200, "A applied the lift");
    let times = until_token(&[("C", &c)], &token, 401, 200, lifted, PROPAGATION);
    eprintln!("lift at A enforced after (from the 204): {times:?}");
    let r = admin(&c, "GET", "/revocations", None);
    assert_eq!(r.status, 200);
    let listed = r.json();
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    assert_eq!(listed[0]["user"], "admin");
    // The user revocation is still in force.
    assert_eq!(bearer_status(&c, &admin_access), 401);
}

#[test]
fn failed_credentials_are_counted_across_replicas() {
    let redis = RedisServer::start();
    let config = redis_config(&redis)
        .replace("per_client = 30\n", "per_client = 100\n")
        .replace("per_user = 10\n", "per_user = 4\n")
        .replace("window = \"1m\"\n", "window = \"60s\"\n");
    assert!(
        config.contains("per_client = 100\nper_user = 4\nwindow = \"60s\"\n"),
        "the demo's [auth.rate_limit] moved"
    );
    let a = Gatehouse::start(&config);
    let b = Gatehouse::start(&config);
    let c = Gatehouse::start(&config);

    // Counts are a sliding window over fixed 60 s windows: right after a boundary the
    // previous window's 4 weigh a little under 4. Do not straddle one.
    let into_window = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis()
        % 60_000;
    if into_window > 50_000 {
        std::thread::sleep(Duration::from_millis(60_000 - into_window as u64 + 100));
    }

    // Two failed logins at A (kerong's login API), two failed Basic credentials at B: the
    // same username, each replica well under the limit of 4 on its own.
    for i in 0..2 {
        let r = send(
            &a.url("/api/v1/auth/token"),
            "POST",
            &JSON,
            Some(format!(r#"{{"username": "admin", "password": "guess{i}"}}"#).as_bytes()),
        );
        assert_eq!(r.status, 401, "login {i} at A: {}", r.text());
        let r = b.get(
            "/api/x",
            &[("Authorization", &basic("admin", &format!("guess{i}")))],
        );
        assert_eq!(r.status, 401, "Basic {i} at B: {}", r.text());
    }
    // C has seen no failure itself, yet even the right password is refused.
    let r = c.get("/api/x", &[("Authorization", &basic("admin", "masterkey"))]);
    assert_eq!(r.status, 429, "{}", r.text());
    assert_eq!(r.header("retry-after"), Some("60"));
    assert_eq!(r.json()["error"], "too_many_requests");
    let r = send(
        &c.url("/api/v1/auth/token"),
        "POST",
        &JSON,
        Some(br#"{"username": "admin", "password": "masterkey"}"#),
    );
    assert_eq!(r.status, 429, "kerong login at C: {}", r.text());
    // A and B refuse it too, though each counted only 2 of its own.
    for (name, gh) in [("A", &a), ("B", &b)] {
        let r = gh.get("/api/x", &[("Authorization", &basic("admin", "masterkey"))]);
        assert_eq!(r.status, 429, "{name}: {}", r.text());
    }
    // Another username from the same client is not locked.
    let r = c.get(
        "/api/x",
        &[("Authorization", &basic("TestUser", "password"))],
    );
    assert_eq!(r.status, 200, "{}", r.text());
}

/// Requests with `token` at every replica until told to stop (or 40 s, or 4000
/// requests); each status seen and how often.
fn hammer(urls: Vec<String>, token: String, stop: Arc<AtomicBool>) -> BTreeMap<u16, usize> {
    let mut seen = BTreeMap::new();
    let deadline = Instant::now() + Duration::from_secs(40);
    let mut sent = 0;
    while !stop.load(Ordering::Acquire) && Instant::now() < deadline && sent < 4000 {
        for url in &urls {
            let r = send(
                url,
                "GET",
                &[("Authorization", &format!("Bearer {token}"))],
                None,
            );
            assert_ne!(
                r.status,
                200,
                "a revoked token was let through at {url} after {sent} requests: {}",
                r.text()
            );
            *seen.entry(r.status).or_insert(0) += 1;
            sent += 1;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    seen
}

#[test]
fn while_redis_is_down_revoked_tokens_stay_refused_and_token_traffic_fails_closed_after_max_stale()
{
    let mut redis = RedisServer::start();
    let config = redis_config(&redis);
    let a = Gatehouse::start(&config);
    let b = Gatehouse::start(&config);
    let both = [("A", &a), ("B", &b)];

    // T is revoked (at A, and B has it), U is valid; a refresh token to blacklist later
    // (its login writes to Redis, so it is taken while Redis is up).
    let t = demo_token("TestUser");
    let u = demo_token("TestUser");
    let (refresh_token, _) = simplejwt_login(&a);
    let r = admin(
        &a,
        "POST",
        "/revocations",
        Some(&format!(r#"{{"jti": "{}"}}"#, jti(&t))),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    until_token(&both, &t, 200, 401, Instant::now(), PROPAGATION);
    for (name, gh) in both {
        assert_eq!(bearer_status(gh, &u), 200, "{name}: U before the fault");
        assert_eq!(readyz(gh), 200, "{name}: /readyz before the fault");
    }

    // T, at both replicas, for the whole fault window.
    let stop = Arc::new(AtomicBool::new(false));
    let load = {
        let urls = vec![a.url("/api/x"), b.url("/api/x")];
        let (t, stop) = (t.clone(), stop.clone());
        std::thread::spawn(move || hammer(urls, t, stop))
    };

    redis.kill();
    let killed = Instant::now();

    // Within max_stale: served from the mirror.
    for (name, gh) in both {
        let r = bearer(gh, &u);
        assert_eq!(r.status, 200, "{name}: U within max_stale: {}", r.text());
        let r = bearer(gh, &t);
        assert_eq!(r.status, 401, "{name}: T within max_stale: {}", r.text());
        assert_eq!(r.json()["message"], "token has been revoked");
    }
    let checked = killed.elapsed();
    assert!(
        checked < MAX_STALE / 2,
        "the checks within max_stale took {checked:?}: too slow to mean anything"
    );
    let times = until_readyz(&both, 200, 503, killed, MAX_STALE);
    eprintln!("/readyz 503 after (from the kill): {times:?}");
    // A write Redis does not acknowledge is Django's 500, never `{}`.
    for (name, gh) in both {
        let r = blacklist(gh, &refresh_token);
        assert_eq!(
            r.status,
            500,
            "{name}: blacklist without Redis: {}",
            r.text()
        );
        assert_ne!(r.text(), "{}");
        assert!(
            r.text().contains("Server Error (500)"),
            "{name}: {}",
            r.text()
        );
        assert_eq!(
            r.header("content-type"),
            Some("text/html; charset=utf-8"),
            "{name}"
        );
    }

    // Nor is a revocation Redis did not take ever answered 201.
    let r = admin(&b, "POST", "/revocations", Some(r#"{"user": "test"}"#));
    assert_eq!(r.status, 503, "revocation without Redis: {}", r.text());
    assert_eq!(r.json()["error"], "store_unavailable");

    // After max_stale: fail closed.
    let times = until_token(
        &both,
        &u,
        200,
        503,
        killed,
        MAX_STALE + Duration::from_secs(3),
    );
    eprintln!("U refused with 503 after (from the kill): {times:?}");
    for (name, at) in &times {
        assert!(
            *at >= MAX_STALE / 2,
            "{name}: U refused after only {at:?}, well before max_stale"
        );
    }
    let r = bearer(&a, &u);
    assert_eq!(r.status, 503);
    assert_eq!(r.json()["error"], "store_unavailable");
    assert_eq!(r.header("retry-after"), Some("1"));
    for (name, gh) in both {
        assert_eq!(readyz(gh), 503, "{name}");
        assert_ne!(bearer_status(gh, &t), 200, "{name}: T while stale");
    }
    let r = blacklist(&a, &refresh_token);
    assert_eq!(r.status, 500, "blacklist while stale: {}", r.text());

    // Redis comes back with its data (the append-only file); gatehouse is not restarted.
    let down_for = killed.elapsed();
    redis.restart();
    let restarted = Instant::now();
    eprintln!("Redis was down for {down_for:?}");
    let times = until_readyz(&both, 503, 200, restarted, RECOVERY);
    eprintln!("/readyz 200 again after (from Redis answering PING): {times:?}");
    let times = until_token(&both, &u, 503, 200, restarted, RECOVERY);
    eprintln!("U accepted again after (from Redis answering PING): {times:?}");
    for (name, gh) in both {
        let r = bearer(gh, &t);
        assert_eq!(r.status, 401, "{name}: T after the restart: {}", r.text());
        assert_eq!(r.json()["message"], "token has been revoked");
    }
    // Redis kept T's revocation, and nothing of the refused one.
    let r = admin(&b, "GET", "/revocations", None);
    assert_eq!(r.status, 200, "{}", r.text());
    let listed = r.json();
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    assert_eq!(listed[0]["jti"], jti(&t).as_str());
    // Writes work again: the blacklisting refused during the outage now takes.
    let r = blacklist(&a, &refresh_token);
    assert_eq!(
        (r.status, r.text().as_str()),
        (200, "{}"),
        "blacklist after"
    );
    assert_blacklisted(&refresh(&b, &refresh_token), "refresh at B after");

    stop.store(true, Ordering::Release);
    let seen = load.join().expect("the load loop failed");
    eprintln!("T during the fault window: {seen:?}");
    assert!(!seen.contains_key(&200));
    assert!(seen.get(&401).copied().unwrap_or(0) > 0, "{seen:?}");
    assert!(seen.get(&503).copied().unwrap_or(0) > 0, "{seen:?}");
}
