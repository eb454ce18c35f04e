//! gRPC through gatehouse, with a real grpcio server behind it and the real grpcio
//! client in front (`grpc_kit`): unary, server-streaming and bidirectional calls with
//! credentials in metadata and identity reaching the server as metadata; streams that
//! outlive the upstream read timeout; statuses, messages and trailers passed through;
//! every refusal as the gRPC status a client acts on; TLS on both sides.

use std::time::Duration;

use serde_json::json;

use crate::grpc_kit::{call, GrpcCall, GrpcOutcome, GrpcServer};
use crate::harness::{basic, demo_config, demo_token, send, Gatehouse};
use crate::tls::{pki, write_pki};

/// Past the upstream read timeout of [`config`]: a stream quiet this long is healthy.
const QUIET_MS: u64 = 1500;

/// The demo configuration in front of `upstream_keys` (address, protocol, TLS), with a
/// 1 s upstream read timeout, a 2-failure limit per username, and a role route.
fn config(upstream_keys: &str) -> String {
    demo_config()
        .replace("address = \"builtin:echo\"\n", upstream_keys)
        .replace("protocol = \"http1\"\n", "")
        .replace("read_timeout = \"60s\"\n", "read_timeout = \"1s\"\n")
        .replace("per_user = 10\n", "per_user = 2\n")
        + "\n[[routes]]\nprefix = \"/gatehouse.test.Admin/\"\nroles = [\"admin\"]\n"
}

fn h2c_to(server: &GrpcServer) -> String {
    config(&format!(
        "address = \"{}\"\nprotocol = \"h2c\"\n",
        server.addr()
    ))
}

fn bearer(user: &str) -> String {
    format!("Bearer {}", demo_token(user))
}

fn ok(outcome: &GrpcOutcome) {
    assert_eq!(outcome.code, "OK", "{outcome:?}");
}

#[test]
fn calls_of_every_shape_pass_with_identity_as_metadata() {
    let server = GrpcServer::start();
    let gh = Gatehouse::start(&h2c_to(&server));
    assert!(
        h2c_to(&server).contains("read_timeout = \"1s\""),
        "the test config's upstream read timeout was not set"
    );

    // Unary, with a Bearer token and a forged identity: the server sees gatehouse's.
    let outcome = call(
        gh.addr(),
        &GrpcCall::unary(json!({"n": 1}))
            .metadata("authorization", &bearer("admin"))
            .metadata("x-auth-user", "mallory")
            .metadata("x-auth-roles", "root")
            .deadline(Duration::from_secs(10)),
    );
    ok(&outcome);
    let seen = &outcome.responses[0]["metadata"];
    assert_eq!(seen["x-auth-user"], "admin", "{outcome:?}");
    assert_eq!(seen["x-auth-roles"], "admin");
    assert_eq!(seen["x-auth-method"], "bearer");
    assert!(seen.get("authorization").is_none(), "{seen}");
    assert_eq!(outcome.responses[0]["request"], json!({"n": 1}));
    // The deadline travelled (grpc-timeout), and the response headers came back.
    let remaining = outcome.responses[0]["time_remaining_s"].as_f64();
    assert!(
        remaining.is_some_and(|s| s > 0.0 && s <= 10.0),
        "{outcome:?}"
    );
    assert_eq!(outcome.initial_metadata["x-test-method"], "Unary");

    // Basic and the header pair, as metadata.
    let outcome = call(
        gh.addr(),
        &GrpcCall::unary(json!({})).metadata("authorization", &basic("TestUser", "password")),
    );
    ok(&outcome);
    assert_eq!(outcome.responses[0]["metadata"]["x-auth-user"], "TestUser");
    let outcome = call(
        gh.addr(),
        &GrpcCall::unary(json!({}))
            .metadata("user-name", "test")
            .metadata("password", "test"),
    );
    ok(&outcome);
    assert_eq!(outcome.responses[0]["metadata"]["x-auth-user"], "test");
    assert!(outcome.responses[0]["metadata"].get("password").is_none());

    // A server stream whose messages are further apart than the read timeout.
    let outcome = call(
        gh.addr(),
        &GrpcCall::server_stream(3, QUIET_MS).metadata("authorization", &bearer("TestUser")),
    );
    ok(&outcome);
    let seqs: Vec<_> = outcome.responses.iter().map(|r| r["seq"].clone()).collect();
    assert_eq!(seqs, [json!(0), json!(1), json!(2)], "{outcome:?}");
    assert_eq!(outcome.responses[2]["metadata"]["x-auth-user"], "TestUser");
    assert!(outcome.response_ms[2] - outcome.response_ms[0] >= 2 * QUIET_MS - 100);

    // A bidirectional stream in lockstep (each message sent once the previous reply
    // came back, so nothing may be held back), quiet between messages.
    let messages = vec![json!("one"), json!({"two": 2}), json!([3])];
    let outcome = call(
        gh.addr(),
        &GrpcCall::chat(messages.clone(), QUIET_MS)
            .lockstep()
            .metadata("authorization", &bearer("TestUser")),
    );
    ok(&outcome);
    let echoed: Vec<_> = outcome
        .responses
        .iter()
        .map(|r| r["echo"].clone())
        .collect();
    assert_eq!(echoed, messages, "{outcome:?}");

    // A status the server ends with, its message and its trailers pass through.
    let outcome = call(
        gh.addr(),
        &GrpcCall::fail("NOT_FOUND", "no such thing: ünïcode", "kept")
            .metadata("authorization", &bearer("TestUser")),
    );
    assert_eq!(outcome.code, "NOT_FOUND", "{outcome:?}");
    assert_eq!(outcome.details, "no such thing: ünïcode");
    assert_eq!(outcome.trailing_metadata["x-test-trailer"], "kept");

    let log = gh.log();
    assert!(log.contains(r#""protocol":"h2""#), "{log}");
    assert!(!log.contains(r#""protocol":"http1""#), "{log}");
}

#[test]
fn refusals_reach_grpc_clients_as_grpc_statuses() {
    let mut server = GrpcServer::start();
    let gh = Gatehouse::start(&h2c_to(&server));
    let refused = |call_: GrpcCall| call(gh.addr(), &call_);

    let outcome = refused(GrpcCall::unary(json!({})));
    assert_eq!(
        (outcome.code.as_str(), outcome.details.as_str()),
        ("UNAUTHENTICATED", "credentials are required")
    );
    let outcome = refused(GrpcCall::chat(vec![json!(1)], 0));
    assert_eq!(outcome.code, "UNAUTHENTICATED", "{outcome:?}");
    let outcome =
        refused(GrpcCall::server_stream(2, 0).metadata("authorization", "Bearer not.a.token"));
    assert_eq!(outcome.code, "UNAUTHENTICATED", "{outcome:?}");

    // Revoked on the admin listener: refused from then on.
    let token = bearer("user_test");
    ok(&refused(
        GrpcCall::unary(json!({})).metadata("authorization", &token),
    ));
    let r = send(
        &format!("http://{}/revocations", gh.admin_addr()),
        "POST",
        &[("Content-Type", "application/json")],
        Some(br#"{"user": "user_test"}"#),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    let outcome = refused(GrpcCall::unary(json!({})).metadata("authorization", &token));
    assert_eq!(outcome.code, "UNAUTHENTICATED", "{outcome:?}");

    // A role route: PERMISSION_DENIED for a user without the role; an admin reaches the
    // server, which has no such service.
    let admin_only = GrpcCall::unary(json!({})).path("/gatehouse.test.Admin/Unary");
    let outcome = refused(
        admin_only
            .clone()
            .metadata("authorization", &bearer("TestUser")),
    );
    assert_eq!(outcome.code, "PERMISSION_DENIED", "{outcome:?}");
    assert!(outcome.details.contains("admin"), "{outcome:?}");
    let outcome = refused(admin_only.metadata("authorization", &bearer("admin")));
    assert_eq!(outcome.code, "UNIMPLEMENTED", "{outcome:?}");

    // Failed passwords past the per-username limit: RESOURCE_EXHAUSTED.
    let wrong = GrpcCall::unary(json!({})).metadata("authorization", &basic("test", "wrong"));
    for _ in 0..2 {
        assert_eq!(refused(wrong.clone()).code, "UNAUTHENTICATED");
    }
    let outcome = refused(wrong);
    assert_eq!(outcome.code, "RESOURCE_EXHAUSTED", "{outcome:?}");

    // The upstream gone: UNAVAILABLE.
    server.stop();
    let outcome = refused(GrpcCall::unary(json!({})).metadata("authorization", &bearer("admin")));
    assert_eq!(outcome.code, "UNAVAILABLE", "{outcome:?}");
    assert!(outcome.details.contains("upstream"), "{outcome:?}");

    // An HTTP/1.1 upstream cannot carry gRPC: refused, not mangled.
    let http1 = Gatehouse::start(&demo_config());
    let outcome = call(
        http1.addr(),
        &GrpcCall::unary(json!({})).metadata("authorization", &bearer("admin")),
    );
    assert_eq!(outcome.code, "UNIMPLEMENTED", "{outcome:?}");
    assert!(outcome.details.contains("protocol"), "{outcome:?}");
}

#[test]
fn grpc_over_tls_on_both_sides() {
    let dir = tempfile::tempdir().unwrap();
    write_pki(&pki(), dir.path());
    let (ca, cert, key) = (
        dir.path().join("ca.pem"),
        dir.path().join("cert.pem"),
        dir.path().join("key.pem"),
    );
    let server = GrpcServer::start_tls(&cert, &key);
    let upstream = format!(
        "address = \"{}\"\nprotocol = \"h2\"\ntls = true\nsni = \"localhost\"\nca_file = \"{}\"\n",
        server.addr(),
        ca.display()
    );
    let listener = format!(
        "tls = {{ cert_file = \"{}\", key_file = \"{}\" }}\n",
        cert.display(),
        key.display()
    );
    let gh = Gatehouse::start(&config(&upstream).replace("h2c = true\n", &listener));
    let outcome = call(
        gh.addr(),
        &GrpcCall::chat(vec![json!(1), json!(2)], 0)
            .tls(&ca, "localhost")
            .metadata("authorization", &bearer("admin")),
    );
    ok(&outcome);
    assert_eq!(outcome.responses.len(), 2);
    let outcome = call(
        gh.addr(),
        &GrpcCall::unary(json!({}))
            .tls(&ca, "localhost")
            .metadata("authorization", &bearer("TestUser")),
    );
    ok(&outcome);
    assert_eq!(outcome.responses[0]["metadata"]["x-auth-user"], "TestUser");
    assert_eq!(
        outcome.responses[0]["metadata"]["x-forwarded-proto"],
        "https"
    );
}
