//! `[decision]` and `[upstream] address = "none"`.

use std::path::Path;

use crate::config::{Config, UpstreamTarget};

fn load(upstream: &str, rest: &str) -> Result<Config, String> {
    let source = format!(
        "[listen]\naddress = \"127.0.0.1:1\"\n[admin]\naddress = \"127.0.0.1:2\"\n[upstream]\naddress = \"{upstream}\"\n{rest}"
    );
    Config::from_source("decision.toml", &source, Path::new("."), &|_| None)
        .map_err(|e| e.to_string())
}

#[test]
fn decision_only_mode_and_defaults() {
    let config = load(
        "none",
        "[decision]\ntrusted_peers = [\"10.0.0.0/8\", \"::1\"]\n",
    )
    .unwrap();
    assert_eq!(config.upstream.target, UpstreamTarget::None);
    let decision = config.decision.unwrap();
    assert_eq!(decision.prefix, "/.gatehouse/decision");
    assert_eq!(decision.trusted_peers.len(), 2);
    assert!(!decision.envoy_remove_credentials);
    assert!(load("127.0.0.1:3", "").unwrap().decision.is_none());
}

#[test]
fn mistakes_are_errors_naming_line_and_key() {
    for (upstream, rest, expected) in [
        ("none", "", "decision.toml:6: [upstream] address"),
        (
            "none",
            "[decision]\nprefix = \"/auth/\"\n",
            "[decision] prefix",
        ),
        (
            "none",
            "[decision]\nprefix = \"/a/../b\"\n",
            "[decision] prefix",
        ),
        (
            "none",
            "[decision]\ntrusted_peers = [\"nginx\"]\n",
            "[decision] trusted_peers",
        ),
    ] {
        let error = load(upstream, rest).expect_err(rest);
        assert!(error.contains(expected), "{rest}\n→ {error}");
    }
}
