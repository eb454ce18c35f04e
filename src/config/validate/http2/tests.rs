//! `[listen]` HTTP/2 keys and `[upstream] protocol`: defaults, what each combination
//! means, and errors that name file, line and key.

use std::path::Path;
use std::time::Duration;

use crate::config::{Config, UpstreamProtocol};

fn load(listen: &str, upstream: &str) -> Result<Config, String> {
    let source = format!(
        r#"
[listen]
address = "127.0.0.1:1"
{listen}
[admin]
address = "127.0.0.1:2"
[upstream]
{upstream}
"#
    );
    Config::from_source("h2.toml", &source, Path::new("."), &|_| None).map_err(|e| e.to_string())
}

#[test]
fn defaults_are_http1_with_h2_offered_on_tls() {
    let config = load("", "address = \"127.0.0.1:3\"").unwrap();
    assert!(!config.listen.http2.h2c);
    assert!(!config.listen.http2.alpn_h2, "no TLS, no ALPN");
    assert_eq!(config.listen.http2.max_concurrent_streams, 100);
    assert_eq!(config.listen.http2.idle_timeout, Duration::from_secs(60));
    assert_eq!(config.upstream.protocol, UpstreamProtocol::Http1);

    let config = load(
        "h2c = true\nh2_max_concurrent_streams = 8\nh2_idle_timeout = \"5s\"",
        "address = \"builtin:echo\"\nprotocol = \"h2c\"",
    )
    .unwrap();
    assert!(config.listen.http2.h2c);
    assert_eq!(config.listen.http2.max_concurrent_streams, 8);
    assert_eq!(config.listen.http2.idle_timeout, Duration::from_secs(5));
    assert_eq!(config.upstream.protocol, UpstreamProtocol::H2c);
    assert!(
        config.summary().contains("(h2c and HTTP/1.1)"),
        "{}",
        config.summary()
    );
    assert!(config.summary().contains("builtin:echo over h2c"));

    let config = load(
        "",
        "address = \"127.0.0.1:3\"\ntls = true\nprotocol = \"h2\"",
    )
    .unwrap();
    assert_eq!(config.upstream.protocol, UpstreamProtocol::H2);
}

#[test]
fn mismatched_protocols_are_errors_naming_line_and_key() {
    for (listen, upstream, key, line, words) in [
        (
            "",
            "address = \"127.0.0.1:3\"\nprotocol = \"h2\"",
            "[upstream] protocol",
            9,
            "set `tls = true`",
        ),
        (
            "",
            "address = \"127.0.0.1:3\"\ntls = true\nprotocol = \"h2c\"",
            "[upstream] protocol",
            10,
            "use \"h2\"",
        ),
        (
            "",
            "address = \"builtin:echo\"\nprotocol = \"h2\"",
            "[upstream] protocol",
            9,
            "echo",
        ),
        (
            "",
            "address = \"127.0.0.1:3\"\nprotocol = \"http2\"",
            "[upstream] protocol",
            9,
            "\"http2\"",
        ),
        (
            "h2 = true",
            "address = \"127.0.0.1:3\"",
            "[listen] h2",
            4,
            "only applies with `tls`",
        ),
        (
            "h2_max_concurrent_streams = 0",
            "address = \"127.0.0.1:3\"",
            "[listen] h2_max_concurrent_streams",
            4,
            "between 1 and 10000",
        ),
        (
            "h2_idle_timeout = \"0s\"",
            "address = \"127.0.0.1:3\"",
            "[listen] h2_idle_timeout",
            4,
            "longer than 0s",
        ),
    ] {
        let error = load(listen, upstream).expect_err(upstream);
        assert!(
            error.contains(&format!("h2.toml:{line}: {key}")) && error.contains(words),
            "{listen} / {upstream}: {error}"
        );
    }
}
