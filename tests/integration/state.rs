//! The embedded state store (the default): blacklists, revocations and the generated
//! nomic key survive a restart and `kill -9`; `gatehouse revoke` reaches a running
//! instance; a damaged store stops start-up; the admin API refuses bad input.

use std::time::{Duration, Instant};

use crate::harness::{
    basic, demo_config, jwt_claims, run_cli, send, simplejwt_login, Gatehouse, Response,
};

const JSON: [(&str, &str); 1] = [("Content-Type", "application/json")];

fn post(gh: &Gatehouse, path: &str, body: &str) -> Response {
    send(&gh.url(path), "POST", &JSON, Some(body.as_bytes()))
}

fn admin(gh: &Gatehouse, method: &str, path: &str, body: Option<&str>) -> Response {
    let url = format!("http://{}{path}", gh.admin_addr());
    send(&url, method, &JSON, body.map(str::as_bytes))
}

fn bearer_status(gh: &Gatehouse, token: &str) -> u16 {
    gh.get("/api/x", &[("Authorization", &format!("Bearer {token}"))])
        .status
}

fn refresh_status(gh: &Gatehouse, refresh: &str) -> Response {
    post(
        gh,
        "/token/refresh/",
        &format!(r#"{{"refresh": "{refresh}"}}"#),
    )
}

/// Polls until `check` holds, for at most `limit`; how long it took.
fn within(limit: Duration, mut check: impl FnMut() -> bool) -> Option<Duration> {
    let started = Instant::now();
    while started.elapsed() < limit {
        if check() {
            return Some(started.elapsed());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    None
}

#[test]
fn blacklist_and_revocations_survive_kill_9() {
    let mut gh = Gatehouse::start(&demo_config());
    let (refresh, _) = simplejwt_login(&gh);
    let r = post(
        &gh,
        "/token/blacklist/",
        &format!(r#"{{"refresh": "{refresh}"}}"#),
    );
    assert_eq!((r.status, r.text().as_str()), (200, "{}"));

    // A token revoked by jti, the tokens of a user revoked as a whole, and a token that
    // stays valid.
    let (_, by_jti) = simplejwt_login(&gh);
    let jti = jwt_claims(&by_jti)["jti"].as_str().unwrap().to_owned();
    let r = admin(
        &gh,
        "POST",
        "/revocations",
        Some(&format!(r#"{{"jti": "{jti}"}}"#)),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(r.json()["jti"], jti.as_str());
    let by_user = crate::harness::demo_token("user_test");
    let r = admin(
        &gh,
        "POST",
        "/revocations",
        Some(r#"{"user": "user_test"}"#),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    let kept = crate::harness::demo_token("TestUser");
    for token in [&by_jti, &by_user] {
        assert_eq!(bearer_status(&gh, token), 401, "revoked before the kill");
    }

    // Everything above was acknowledged; nothing is flushed on the way out.
    gh.kill_and_restart();

    let r = refresh_status(&gh, &refresh);
    assert_eq!(r.status, 401, "{}", r.text());
    assert!(
        r.text().contains("Токен занесен в черный список"),
        "{}",
        r.text()
    );
    let r = gh.get("/api/x", &[("Authorization", &format!("Bearer {by_jti}"))]);
    assert_eq!(r.status, 401, "revoked jti after the restart");
    assert_eq!(r.json()["message"], "token has been revoked");
    assert_eq!(
        bearer_status(&gh, &by_user),
        401,
        "revoked user after the restart"
    );
    assert_eq!(
        bearer_status(&gh, &kept),
        200,
        "an unrevoked token still works"
    );
    let listed = admin(&gh, "GET", "/revocations", None);
    assert_eq!(listed.status, 200);
    let listed = listed.json();
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 2, "{listed:?}");
    assert!(listed.iter().any(|r| r["user"] == "user_test"));
    assert!(listed.iter().any(|r| r["jti"] == jti.as_str()));
}

#[test]
fn a_lifted_revocation_lets_its_token_in_again_and_a_fresh_login_is_not_revoked() {
    let gh = Gatehouse::start(&demo_config());
    let (_, access) = simplejwt_login(&gh);
    let jti = jwt_claims(&access)["jti"].as_str().unwrap().to_owned();
    let r = admin(
        &gh,
        "POST",
        "/revocations",
        Some(&format!(r#"{{"jti": "{jti}"}}"#)),
    );
    assert_eq!(r.status, 201);
    assert_eq!(bearer_status(&gh, &access), 401);
    let r = admin(&gh, "DELETE", &format!("/revocations/jti/{jti}"), None);
    assert_eq!(r.status, 204, "{}", r.text());
    assert_eq!(bearer_status(&gh, &access), 200, "lifted");
    let r = admin(&gh, "DELETE", &format!("/revocations/jti/{jti}"), None);
    assert_eq!(r.status, 404, "nothing left to lift");

    // Sign out everywhere: the user's earlier tokens go, at refresh too; a login after
    // the revocation's second works.
    let (refresh, access) = simplejwt_login(&gh);
    let r = admin(&gh, "POST", "/revocations", Some(r#"{"user": "admin"}"#));
    assert_eq!(r.status, 201);
    assert_eq!(bearer_status(&gh, &access), 401);
    let r = refresh_status(&gh, &refresh);
    assert_eq!(r.status, 401, "{}", r.text());
    std::thread::sleep(Duration::from_millis(1100));
    let (refresh, access) = simplejwt_login(&gh);
    assert_eq!(
        bearer_status(&gh, &access),
        200,
        "issued after the revocation"
    );
    assert_eq!(refresh_status(&gh, &refresh).status, 200);
}

#[test]
fn gatehouse_revoke_reaches_a_running_instance_within_a_second() {
    let gh = Gatehouse::start(&demo_config());
    let (_, access) = simplejwt_login(&gh);
    assert_eq!(bearer_status(&gh, &access), 200);
    let jti = jwt_claims(&access)["jti"].as_str().unwrap().to_owned();
    let config = gh.config_path();
    let (code, stdout, stderr) = run_cli(
        &[
            "revoke",
            "--config",
            config.to_str().unwrap(),
            "--jti",
            &jti,
        ],
        None,
    );
    assert_eq!(code, 0, "{stderr}");
    let printed: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(printed["jti"], jti.as_str());
    let took = within(Duration::from_secs(1), || {
        bearer_status(&gh, &access) == 401
    });
    assert!(
        took.is_some(),
        "still accepted a second after `gatehouse revoke`"
    );

    let (code, _, stderr) = run_cli(
        &[
            "revoke",
            "--config",
            config.to_str().unwrap(),
            "--user",
            "nobody",
        ],
        None,
    );
    assert_ne!(code, 0);
    assert!(stderr.contains("nobody"), "{stderr}");
}

#[test]
fn the_generated_nomic_key_survives_a_restart() {
    let mut gh = Gatehouse::start(&demo_config());
    let r = send(
        &gh.url("/api/auth/token"),
        "POST",
        &[("Authorization", &basic("admin", "masterkey"))],
        None,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let token = r.json()["token"].as_str().unwrap().to_owned();
    let key = gh.dir().join("var/keys/nomic-generated.pem");
    assert!(key.is_file(), "kept in the store directory");
    gh.kill_and_restart();
    assert_eq!(bearer_status(&gh, &token), 200, "signed by the same key");
    let renewed = send(
        &gh.url("/api/auth/token"),
        "POST",
        &[("Authorization", &format!("Bearer {token}"))],
        None,
    );
    assert_eq!(renewed.status, 200, "{}", renewed.text());
}

#[test]
fn a_damaged_store_stops_start_up_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("var");
    std::fs::create_dir_all(&state).unwrap();
    let file = state.join("gatehouse.sqlite3");
    std::fs::write(&file, vec![0x5a; 8192]).unwrap();
    let path = crate::harness::demo_config_in(dir.path());
    let log = dir.path().join("gatehouse.log");
    let mut child = std::process::Command::new(crate::harness::BIN)
        .arg("--config")
        .arg(&path)
        .env("XDG_RUNTIME_DIR", dir.path())
        .stdout(std::fs::File::create(&log).unwrap())
        .stderr(std::fs::File::options().append(true).open(&log).unwrap())
        .spawn()
        .unwrap();
    let exited = within(Duration::from_secs(20), || {
        child.try_wait().ok().flatten().is_some()
    });
    if exited.is_none() {
        let _ = child.kill();
        let _ = child.wait();
        panic!("gatehouse kept running on a damaged store");
    }
    let status = child.wait().unwrap();
    let stderr = std::fs::read_to_string(&log).unwrap();
    assert!(!status.success(), "started on a damaged store");
    assert!(stderr.contains(&file.display().to_string()), "{stderr}");
    assert_eq!(
        std::fs::read(&file).unwrap(),
        vec![0x5a; 8192],
        "the damaged file is left for the operator"
    );
}

#[test]
fn the_admin_api_refuses_bad_input_with_json() {
    let gh = Gatehouse::start(&demo_config());
    let cases: [(&str, &str, Option<&str>, u16); 8] = [
        ("POST", "/revocations", Some("{"), 400),
        (
            "POST",
            "/revocations",
            Some(r#"{"jti": "a", "user": "admin"}"#),
            400,
        ),
        ("POST", "/revocations", Some(r#"{}"#), 400),
        ("POST", "/revocations", Some(r#"{"jti": ""}"#), 400),
        (
            "POST",
            "/revocations",
            Some(r#"{"jti": "a", "extra": 1}"#),
            400,
        ),
        ("POST", "/revocations", Some(r#"{"user": "nobody"}"#), 404),
        ("DELETE", "/revocations/group/x", None, 404),
        ("PUT", "/revocations", Some("{}"), 405),
    ];
    for (method, path, body, status) in cases {
        let r = admin(&gh, method, path, body);
        assert_eq!(r.status, status, "{method} {path} {body:?}: {}", r.text());
        if status != 405 {
            assert!(r.json()["error"].is_string(), "{}", r.text());
        }
    }
    // Over the 4 KiB limit. Sent whole in one write: gatehouse answers 413 from the
    // Content-Length without reading the body, and a client still writing it would see
    // its connection closed instead of the answer.
    let body = format!(r#"{{"jti": "{}"}}"#, "a".repeat(8 * 1024));
    let request = format!(
        "POST /revocations HTTP/1.1\r\nHost: admin\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let r = crate::harness::raw_request(gh.admin_addr(), request.as_bytes()).unwrap();
    assert_eq!(r.status, 413, "{}", r.text());
    let listed = admin(&gh, "GET", "/revocations", None);
    assert_eq!(listed.json(), serde_json::json!([]), "nothing was stored");
}

/// Every dialect's token of a revoked user is refused with 401, at its dialect's
/// refresh/verify/renewal endpoint (in that dialect's shape) and on proxied traffic.
#[test]
fn a_revoked_user_is_refused_with_401_at_every_dialect_endpoint() {
    let gh = Gatehouse::start(&demo_config());
    let token_of = |path: &str, headers: &[(&str, &str)], body: Option<&str>, field: &str| {
        let r = send(&gh.url(path), "POST", headers, body.map(str::as_bytes));
        assert_eq!(r.status, 200, "{path}: {}", r.text());
        r.json()[field].as_str().unwrap().to_owned()
    };
    let (simplejwt_refresh, simplejwt_access) = simplejwt_login(&gh);
    let drf_jwt = token_of(
        "/api-token-auth/",
        &JSON,
        Some(r#"{"username": "admin", "password": "masterkey"}"#),
        "token",
    );
    let kerong = token_of(
        "/api/v1/auth/token",
        &JSON,
        Some(r#"{"username": "admin", "password": "masterkey"}"#),
        "token",
    );
    let nomic = token_of(
        "/api/auth/token",
        &[("Authorization", &basic("admin", "masterkey"))],
        None,
        "token",
    );
    let tokens = [&simplejwt_access, &drf_jwt, &kerong, &nomic];
    for token in tokens {
        assert_eq!(bearer_status(&gh, token), 200, "before the revocation");
    }
    let r = admin(&gh, "POST", "/revocations", Some(r#"{"user": "admin"}"#));
    assert_eq!(r.status, 201, "{}", r.text());

    for token in tokens {
        assert_eq!(
            bearer_status(&gh, token),
            401,
            "proxied, after the revocation"
        );
    }
    let r = post(
        &gh,
        "/token/verify/",
        &format!(r#"{{"token": "{simplejwt_access}"}}"#),
    );
    assert_eq!(r.status, 401, "simplejwt verify: {}", r.text());
    assert_eq!(r.json()["code"], "token_not_valid");
    assert_eq!(refresh_status(&gh, &simplejwt_refresh).status, 401);
    for path in ["/api-token-verify/", "/api-token-refresh/"] {
        let r = post(&gh, path, &format!(r#"{{"token": "{drf_jwt}"}}"#));
        assert_eq!(r.status, 401, "{path}: {}", r.text());
        assert_eq!(
            r.json(),
            serde_json::json!({"detail": "Token has been revoked."})
        );
        assert_eq!(r.header("www-authenticate"), Some("JWT realm=\"api\""));
    }
    let r = send(
        &gh.url("/api/auth/token"),
        "POST",
        &[("Authorization", &format!("Bearer {nomic}"))],
        None,
    );
    assert_eq!(r.status, 401, "nomic renewal: {}", r.text());
    assert!(r
        .header("www-authenticate")
        .is_some_and(|h| h.contains("invalid_token")));
    // Logging in again is not affected: the revocation concerns tokens issued before it.
    let r = post(
        &gh,
        "/api/v1/auth/token",
        r#"{"username": "admin", "password": "masterkey"}"#,
    );
    assert_eq!(r.status, 200, "{}", r.text());
}
