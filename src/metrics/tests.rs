use super::*;

#[test]
fn renders_labelled_counters() {
    let m = Metrics::new().unwrap();
    m.request(
        Outcome::Forwarded,
        Some(CredentialKind::Basic),
        Protocol::H2,
        0.001,
    );
    m.cache(CacheResult::Hit, CredentialKind::Basic);
    m.password_check(true);
    m.upstream_status(204);
    let text = String::from_utf8(m.render()).unwrap();
    assert!(
        text.contains(r#"gatehouse_requests_total{credential="basic",outcome="forwarded"} 1"#),
        "{text}"
    );
    assert!(text.contains(r#"gatehouse_requests_by_protocol_total{protocol="h2"} 1"#));
    assert!(text.contains(r#"gatehouse_requests_by_protocol_total{protocol="http1"} 0"#));
    assert!(text.contains(r#"gatehouse_verifier_cache_total{credential="basic",result="hit"} 1"#));
    assert!(text.contains(r#"gatehouse_password_checks_total{result="ok"} 1"#));
    assert!(text.contains(r#"gatehouse_upstream_responses_total{class="2xx"} 1"#));
    assert!(text.contains("gatehouse_request_duration_seconds_bucket"));
}

#[test]
fn renders_upstream_latency_logins_and_key_use() {
    let m = Metrics::new().unwrap();
    let kerong = m.dialect_counters("kerong");
    let header_login = m.dialect_counters("header_login");
    let simplejwt = m.dialect_counters("simplejwt");
    let text = String::from_utf8(m.render()).unwrap();
    // Every dialect × result child exists once resolved, at 0 (`Shared::new` resolves
    // every registered dialect at start: `dialects/tests.rs`).
    for dialect in ["kerong", "header_login", "simplejwt"] {
        for result in LoginResult::ALL {
            let series = format!(
                r#"gatehouse_dialect_logins_total{{dialect="{dialect}",result="{}"}} 0"#,
                result.as_str()
            );
            assert!(text.contains(&series), "{series} missing:\n{text}");
        }
        let series = format!(r#"gatehouse_tokens_issued_total{{dialect="{dialect}"}} 0"#);
        assert!(text.contains(&series), "{series} missing:\n{text}");
    }
    assert!(text.contains("gatehouse_upstream_response_seconds_count 0"));
    assert!(!text.contains("gatehouse_key_verifications_total{"));

    m.upstream_response(0.003);
    kerong.login(LoginResult::Invalid);
    header_login.login(LoginResult::RateLimited);
    header_login.login(LoginResult::RateLimited);
    simplejwt.token_issued();
    m.key_verified("k1");
    m.key_verified("k1");
    m.key_verified("k2");
    let text = String::from_utf8(m.render()).unwrap();
    for series in [
        "gatehouse_upstream_response_seconds_count 1",
        r#"gatehouse_upstream_response_seconds_bucket{le="0.0025"} 0"#,
        r#"gatehouse_upstream_response_seconds_bucket{le="0.005"} 1"#,
        r#"gatehouse_dialect_logins_total{dialect="kerong",result="invalid"} 1"#,
        r#"gatehouse_dialect_logins_total{dialect="kerong",result="ok"} 0"#,
        r#"gatehouse_dialect_logins_total{dialect="header_login",result="rate_limited"} 2"#,
        r#"gatehouse_tokens_issued_total{dialect="simplejwt"} 1"#,
        r#"gatehouse_tokens_issued_total{dialect="kerong"} 0"#,
        r#"gatehouse_key_verifications_total{key="k1"} 2"#,
        r#"gatehouse_key_verifications_total{key="k2"} 1"#,
    ] {
        assert!(text.contains(series), "{series} missing:\n{text}");
    }
}
