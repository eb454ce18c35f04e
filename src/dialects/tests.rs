//! The registry and the endpoint table, on the demo configuration: every dialect is found
//! by its name, routed on its paths, counted from the start, and its tokens open
//! proxied traffic as its `acceptance` says.

use std::path::{Path, PathBuf};

use super::*;
use crate::config::Config;
use crate::credentials::{CredentialKind, Presented};
use crate::metrics::Metrics;
use crate::state::{Shared, State};

fn demo() -> (State, Shared) {
    let config = Arc::new(Config::load(Path::new(crate::config::DEFAULT_PATH)).unwrap());
    let metrics = Arc::new(Metrics::new().unwrap());
    let pool = Arc::new(HashPool::new(1, 4).unwrap());
    let echo = Some(PathBuf::from("/nonexistent/echo.sock"));
    let (store, _dir) = crate::store::temporary();
    let shared = Shared::new(metrics, pool, echo, config.auth.rate_limit.clone(), store);
    let state = State::build(config, &shared).unwrap();
    (state, shared)
}

fn dialect(name: &str) -> Dialect {
    Dialect::named(name).unwrap_or_else(|| panic!("{name} is not registered"))
}

#[test]
fn every_registered_dialect_is_found_by_its_unique_name() {
    let names: Vec<&str> = Dialect::all().map(Dialect::name).collect();
    assert_eq!(
        names,
        ["kerong", "nomic", "simplejwt", "drf_jwt", "header_login"]
    );
    for d in Dialect::all() {
        assert_eq!(Dialect::named(d.name()), Some(d));
        assert_eq!(d.registration().name, d.name());
    }
    assert_eq!(Dialect::named("gatehouse"), None);
    assert_eq!(
        Dialect::names(),
        "kerong, nomic, simplejwt, drf_jwt or header_login"
    );
}

#[test]
fn every_dialect_series_exists_from_the_start_at_zero() {
    let (_, shared) = demo();
    let text = String::from_utf8(shared.metrics.render()).unwrap();
    for d in Dialect::all() {
        for result in LoginResult::ALL {
            let series = format!(
                r#"gatehouse_dialect_logins_total{{dialect="{}",result="{}"}} 0"#,
                d.name(),
                result.as_str()
            );
            assert!(text.contains(&series), "{series} missing:\n{text}");
        }
        let series = format!(
            r#"gatehouse_tokens_issued_total{{dialect="{}"}} 0"#,
            d.name()
        );
        assert!(text.contains(&series), "{series} missing:\n{text}");
    }
}

#[test]
fn the_demo_routes_every_documented_endpoint() {
    let (state, _) = demo();
    let table = &state.dialects;
    let at = |path: &str| table.route(path);
    assert_eq!(at(JWKS_PATH), Some(Endpoint::Jwks));
    for (path, name, action) in [
        ("/api/v1/auth/token", "kerong", Action::Obtain),
        ("/api/auth/token", "nomic", Action::Obtain),
        ("/token/", "simplejwt", Action::Obtain),
        ("/token/refresh/", "simplejwt", Action::Refresh),
        ("/token/verify/", "simplejwt", Action::Verify),
        ("/token/blacklist/", "simplejwt", Action::Blacklist),
        ("/api-token-auth/", "drf_jwt", Action::Obtain),
        ("/api-token-refresh/", "drf_jwt", Action::Refresh),
        ("/api-token-verify/", "drf_jwt", Action::Verify),
        ("/login", "header_login", Action::Obtain),
    ] {
        assert_eq!(
            at(path),
            Some(Endpoint::Dialect(dialect(name), action)),
            "{path}"
        );
        assert_eq!(at(path).map(Endpoint::name), Some(name));
    }
    assert_eq!(at("/token"), None, "exact paths only");
    assert_eq!(table.paths().count(), 11);
}

#[test]
fn only_json_and_form_dialects_read_a_body_and_only_for_post() {
    let (state, _) = demo();
    let table = &state.dialects;
    let post = http::Method::POST;
    let get = http::Method::GET;
    let endpoint = |name: &str, action| Endpoint::Dialect(dialect(name), action);
    for (name, action) in [
        ("kerong", Action::Obtain),
        ("simplejwt", Action::Obtain),
        ("simplejwt", Action::Blacklist),
        ("drf_jwt", Action::Verify),
    ] {
        assert!(table.wants_body(endpoint(name, action), &post), "{name}");
        assert!(!table.wants_body(endpoint(name, action), &get), "{name}");
    }
    for name in ["nomic", "header_login"] {
        assert!(
            !table.wants_body(endpoint(name, Action::Obtain), &post),
            "{name}"
        );
    }
    assert!(!table.wants_body(Endpoint::Jwks, &get));
}

#[tokio::test]
async fn every_dialects_issued_token_opens_proxied_traffic_as_its_user() {
    let (state, _) = demo();
    let user = state
        .config
        .users
        .iter()
        .find(|u| u.username == "TestUser")
        .unwrap();
    assert_eq!(state.config.dialects.len(), REGISTRY.len());
    for enabled in &state.config.dialects {
        let token = enabled
            .api
            .issue(user, crate::verifier::unix_now())
            .unwrap();
        let presented = Presented::Token {
            kind: CredentialKind::Bearer,
            token: &token,
        };
        let identity = state
            .verifier
            .verify(presented, None)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", enabled.dialect.name()));
        assert_eq!(
            identity.user().username,
            "TestUser",
            "{}",
            enabled.dialect.name()
        );
    }
}

#[test]
fn dialect_tables_are_validated_by_their_dialect_with_file_line_and_key() {
    let base = std::fs::read_to_string(crate::config::DEFAULT_PATH).unwrap();
    let check = |extra: &str| {
        let source = format!("{base}\n{extra}");
        Config::from_source("demo.toml", &source, Path::new("config"), &|_| None)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
    };
    let line = |needle: &str, extra: &str| {
        let source = format!("{base}\n{extra}");
        source
            .lines()
            .position(|l| l.starts_with(needle))
            .map(|i| i + 1)
            .unwrap()
    };
    let extra = "[dialects.kerongg]\nkey = \"kerong-hs256\"\n";
    let errors = check(extra);
    assert!(
        errors.contains(&format!(
            "demo.toml:{}: [dialects] kerongg: unknown key (expected max_body_bytes, body_timeout or a dialect: kerong, nomic, simplejwt, drf_jwt or header_login)",
            line("[dialects.kerongg]", extra)
        )),
        "{errors}"
    );
    // A misspelt key of a dialect's own table is reported at that key.
    let with_typo = base.replacen("\nlifetime = \"1h\"", "\nlifetme = \"1h\"", 1);
    let errors = Config::from_source("demo.toml", &with_typo, Path::new("config"), &|_| None)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    let typo_line = with_typo
        .lines()
        .position(|l| l.starts_with("lifetme"))
        .unwrap()
        + 1;
    assert!(
        errors.contains(&format!(
            "demo.toml:{typo_line}: [dialects.kerong] lifetme: unknown field `lifetme`"
        )),
        "{errors}"
    );
    // So is a value of the wrong type.
    let mistyped = base.replacen("\nlifetime = \"1h\"", "\nlifetime = 5", 1);
    let errors = Config::from_source("demo.toml", &mistyped, Path::new("config"), &|_| None)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    let mistyped_line = mistyped.lines().position(|l| l == "lifetime = 5").unwrap() + 1;
    assert!(
        errors.contains(&format!(
            "demo.toml:{mistyped_line}: [dialects.kerong] lifetime: invalid type: integer `5`, expected a string"
        )),
        "{errors}"
    );
    // `enabled = false` turns a dialect off; anything but a boolean is an error.
    let off = base.replacen(
        "[dialects.kerong]\n",
        "[dialects.kerong]\nenabled = false\n",
        1,
    );
    let config = Config::from_source("demo.toml", &off, Path::new("config"), &|_| None).unwrap();
    assert!(config
        .dialects
        .iter()
        .all(|e| e.dialect != dialect("kerong")));
    let wrong = base.replacen(
        "[dialects.kerong]\n",
        "[dialects.kerong]\nenabled = \"no\"\n",
        1,
    );
    let errors = Config::from_source("demo.toml", &wrong, Path::new("config"), &|_| None)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        errors.contains("[dialects.kerong] enabled: expected true or false"),
        "{errors}"
    );
}
