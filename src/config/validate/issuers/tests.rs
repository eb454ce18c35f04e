//! `[[issuers]]` validation: defaults, the https rule, audiences, algorithms, and
//! errors naming file, line and key.

use std::path::Path;
use std::time::Duration;

use jsonwebtoken::Algorithm;

use crate::config::Config;
use crate::issuers::settings::{KeySource, ASYMMETRIC};

fn load(issuers: &str) -> Result<Config, String> {
    let source = format!(
        r#"
[listen]
address = "127.0.0.1:1"
[admin]
address = "127.0.0.1:2"
[upstream]
address = "127.0.0.1:3"
{issuers}"#
    );
    Config::from_source("issuers.toml", &source, Path::new("."), &|_| None)
        .map_err(|e| e.to_string())
}

#[test]
fn discovery_by_default_and_sensible_defaults() {
    let config = load(
        "[[issuers]]\nissuer = \"https://id.example.com/realms/app/\"\naudiences = [\"api\"]\n",
    )
    .unwrap();
    let issuer = &config.issuers[0];
    assert_eq!(issuer.name, "id.example.com");
    assert_eq!(
        issuer.source,
        KeySource::Discovery(
            "https://id.example.com/realms/app/.well-known/openid-configuration".into()
        )
    );
    assert_eq!(issuer.algorithms, ASYMMETRIC);
    assert_eq!(issuer.claims.username, "sub");
    assert!(!issuer.claims.require_user);
    assert_eq!(issuer.fetch.refetch_interval, Duration::from_secs(30));
    assert_eq!(issuer.leeway, Duration::from_secs(60));

    let config = load(
        "[[issuers]]\nissuer = \"https://a\"\njwks_url = \"http://127.0.0.1:9/keys\"\naudience_check = false\nalgorithms = [\"ES256\"]\nname = \"local\"\n",
    )
    .unwrap();
    let issuer = &config.issuers[0];
    assert_eq!(
        issuer.source,
        KeySource::Jwks("http://127.0.0.1:9/keys".into())
    );
    assert!(issuer.audiences.is_empty());
    assert_eq!(issuer.algorithms, [Algorithm::ES256]);
}

#[test]
fn mistakes_are_errors_naming_line_and_key() {
    for (issuers, line_and_key, words) in [
        ("[[issuers]]\naudiences = [\"a\"]\n", "issuers.toml:8: [[issuers]] #1 issuer", "`iss` claim"),
        (
            "[[issuers]]\nissuer = \"http://id.example.com\"\naudiences = [\"a\"]\n",
            "issuers.toml:9: [[issuers]] #1 issuer",
            "https",
        ),
        (
            "[[issuers]]\nissuer = \"https://a\"\n",
            "[[issuers]] #1 audiences",
            "audience_check = false",
        ),
        (
            "[[issuers]]\nissuer = \"https://a\"\naudiences = [\"a\"]\nalgorithms = [\"RS256\", \"HS256\"]\n",
            "issuers.toml:11: [[issuers]] #1 algorithms",
            "HMAC",
        ),
        (
            "[[issuers]]\nissuer = \"https://a\"\naudiences = [\"a\"]\nroles_claim = \"groups\"\n",
            "[[issuers]] #1 roles_claim",
            "JSON pointer",
        ),
        (
            "[[issuers]]\nissuer = \"https://a\"\naudiences = [\"a\"]\nrefetch_interval = \"0s\"\n",
            "[[issuers]] #1 refetch_interval",
            "forged",
        ),
        (
            "[[issuers]]\nissuer = \"https://a\"\naudiences = [\"a\"]\n[[issuers]]\nissuer = \"https://a\"\naudiences = [\"b\"]\nname = \"other\"\n",
            "[[issuers]] #2 issuer",
            "configured twice",
        ),
        (
            "[auth]\nissuer = \"https://a\"\n[[issuers]]\nissuer = \"https://a\"\naudiences = [\"a\"]\n",
            "[[issuers]] #1 issuer",
            "gatehouse's own issuer",
        ),
    ] {
        let error = load(issuers).expect_err(issuers);
        assert!(
            error.contains(line_and_key) && error.contains(words),
            "{issuers}\n→ {error}"
        );
    }
}
