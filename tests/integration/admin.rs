use crate::harness::{basic, demo_config, raw_get, raw_request, Gatehouse};

#[test]
fn health_ready_and_metrics() {
    let gh = Gatehouse::start(&demo_config());
    let r = raw_get(gh.admin_addr(), "/healthz").unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(raw_get(gh.admin_addr(), "/readyz").unwrap().status, 200);
    assert_eq!(
        gh.get("/a", &[("authorization", &basic("admin", "masterkey"))])
            .status,
        200
    );
    assert_eq!(gh.get("/a", &[]).status, 401);
    let metrics = raw_get(gh.admin_addr(), "/metrics").unwrap();
    assert_eq!(metrics.status, 200);
    assert!(metrics
        .header("content-type")
        .unwrap()
        .starts_with("text/plain; version=0.0.4"));
    // Request counters are written once the response is sent: wait for the last one.
    for series in [
        "gatehouse_requests_total{credential=\"none\",outcome=\"unauthorized\"}",
        "gatehouse_requests_total{credential=\"basic\",outcome=\"forwarded\"}",
    ] {
        gh.wait_for_metric(series, 1.0);
    }
    let text = raw_get(gh.admin_addr(), "/metrics").unwrap().text();
    for series in [
        "gatehouse_requests_total{credential=\"basic\",outcome=\"forwarded\"} 1",
        "gatehouse_requests_total{credential=\"none\",outcome=\"unauthorized\"} 1",
        "gatehouse_upstream_responses_total{class=\"2xx\"} 1",
        "gatehouse_request_duration_seconds_count",
        "gatehouse_verifier_cache_total{credential=\"basic\",result=\"miss\"} 1",
    ] {
        assert!(text.contains(series), "missing {series} in:\n{text}");
    }
    assert_eq!(raw_get(gh.admin_addr(), "/nope").unwrap().status, 404);
    let r = raw_request(
        gh.admin_addr(),
        b"POST /healthz HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    )
    .unwrap();
    assert_eq!(r.status, 405);
}

#[test]
fn admin_endpoints_are_not_on_the_public_port() {
    let gh = Gatehouse::start(&demo_config());
    // On the proxy port, /metrics is just another authenticated path.
    let r = gh.get("/metrics", &[]);
    assert_eq!(r.status, 401);
    let r = gh.get(
        "/metrics",
        &[("authorization", &basic("admin", "masterkey"))],
    );
    assert_eq!(
        r.json()["path"],
        "/metrics",
        "served by the echo upstream, not gatehouse"
    );
}
