//! The request-head decisions on a real [`State`] built from a configuration, without
//! sockets: routes, credentials, the rate limit before the cache, roles, and every
//! refusal mapping.

use std::net::IpAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use pingora::http::RequestHeader;

use super::*;
use crate::config::Config;
use crate::metrics::Metrics;
use crate::offload::{Busy, HashPool};
use crate::state::Shared;
use crate::verifier::jwt::TokenError;

// htpasswd -nbB -C 4 alice 'correct horse'
const BCRYPT_4: &str = "$2y$04$2nIagUtAOLZ0/Z7DYISSb.3AjpuquUEZYrZH0EKRs3LvQ.nGw5Sdq";
const ALICE: &str = "YWxpY2U6Y29ycmVjdCBob3JzZQ=="; // alice:correct horse
const ALICE_WRONG: &str = "YWxpY2U6d3Jvbmc="; // alice:wrong
const ADMIN: &str = "cm9vdDpjb3JyZWN0IGhvcnNl"; // root:correct horse

fn config() -> Config {
    let source = format!(
        r#"
[listen]
address = "127.0.0.1:1"
max_uri_bytes = 256
[admin]
address = "127.0.0.1:2"
[upstream]
address = "127.0.0.1:3"

[[keys]]
id = "k"
algorithm = "HS256"
secret = "decision-tests-secret-0123456789abcdef"

[[users]]
username = "alice"
password_hash = "{BCRYPT_4}"
id = 1
roles = ["user"]

[[users]]
username = "root"
password_hash = "{BCRYPT_4}"
id = 2
roles = ["admin"]

[[users]]
username = "carol"
password_hash = "{BCRYPT_4}"
id = 3
active = false

[auth]
token_key = "k"
[auth.rate_limit]
per_client = 100
per_user = 3
window = "1m"

[[routes]]
prefix = "/public/"
access = "public"

[[routes]]
prefix = "/admin/"
roles = ["admin"]

[dialects.kerong]
key = "k"
"#
    );
    Config::from_source("decision.toml", &source, Path::new("."), &|_| None)
        .unwrap_or_else(|e| panic!("{e}"))
}

struct Fixture {
    state: State,
    shared: Shared,
}

impl Fixture {
    fn new() -> Self {
        let config = Arc::new(config());
        let metrics = Arc::new(Metrics::new().unwrap());
        let pool = Arc::new(HashPool::new(1, 8).unwrap());
        let (store, _dir) = crate::store::temporary();
        let shared = Shared::new(metrics, pool, None, config.auth.rate_limit.clone(), store);
        let state = State::build(config, &shared).unwrap();
        Self { state, shared }
    }

    async fn decide(&self, request: &RequestHeader) -> Decision {
        decide(&self.state, &self.shared.limiter, request, peer()).await
    }

    fn token(&self, user: &str, now: u64) -> String {
        let config = &self.state.config;
        let user = config.users.iter().find(|u| u.username == user).unwrap();
        crate::tokens::issue_native(
            config.auth.token_key.as_ref().unwrap(),
            &config.auth.issuer,
            Duration::from_secs(60),
            user,
            now,
        )
        .unwrap()
    }
}

fn peer() -> IpAddr {
    "192.0.2.10".parse().unwrap()
}

fn get(target: &str, headers: &[(&str, &str)]) -> RequestHeader {
    let mut request = RequestHeader::build("GET", target.as_bytes(), None).unwrap();
    request.append_header("Host", "example.com").unwrap();
    for (name, value) in headers {
        request.append_header(name.to_string(), *value).unwrap();
    }
    request
}

fn basic(encoded: &str) -> String {
    format!("Basic {encoded}")
}

fn unauthorized(decision: &Decision) -> (&str, bool) {
    match &decision.verdict {
        Verdict::Refuse(Refusal::Unauthorized {
            message,
            invalid_token,
        }) => (message.as_str(), *invalid_token),
        other => panic!("expected 401, got {other:?}"),
    }
}

#[tokio::test]
async fn dialect_endpoints_are_answered_on_the_normalised_path() {
    let f = Fixture::new();
    let decision = f.decide(&get("/api/v1/auth/./token", &[])).await;
    let kerong = crate::dialects::Dialect::named("kerong").unwrap();
    assert_eq!(
        decision.verdict,
        Verdict::Answer(Endpoint::Dialect(kerong, crate::dialects::Action::Obtain))
    );
    assert_eq!(
        decision.rewritten_path.as_deref(),
        Some("/api/v1/auth/token")
    );
    assert_eq!(decision.outcome(), Outcome::Answered);
    assert_eq!(decision.credential, None);
    let jwks = f.decide(&get("/.well-known/jwks.json", &[])).await;
    assert_eq!(jwks.verdict, Verdict::Answer(Endpoint::Jwks));
    assert_eq!(jwks.rewritten_path, None);
}

#[tokio::test]
async fn public_routes_need_no_credential_and_others_do() {
    let f = Fixture::new();
    let public = f.decide(&get("/public//x?q=1", &[])).await;
    assert_eq!(public.verdict, Verdict::Public);
    assert_eq!(public.outcome(), Outcome::Public);
    assert_eq!(public.rewritten_path.as_deref(), Some("/public/x"));
    assert!(public.identity.is_none());

    let closed = f.decide(&get("/private", &[])).await;
    assert_eq!(unauthorized(&closed), ("credentials are required", false));
    assert_eq!(closed.outcome(), Outcome::Unauthorized);
    assert_eq!(closed.credential, None);
}

#[tokio::test]
async fn head_problems_are_bad_requests_before_any_routing() {
    let f = Fixture::new();
    let long = format!("/public/{}", "x".repeat(256));
    let decision = f.decide(&get(&long, &[])).await;
    assert_eq!(decision.verdict, Verdict::Refuse(Refusal::UriTooLong));
    assert_eq!(decision.outcome(), Outcome::BadRequest);

    let mut no_host = RequestHeader::build("GET", b"/public/x", None).unwrap();
    no_host.set_version(http::Version::HTTP_11);
    let decision = f.decide(&no_host).await;
    assert_eq!(
        decision.verdict,
        Verdict::Refuse(Refusal::BadRequest(
            "HTTP/1.1 requests need a Host header".into()
        ))
    );

    let decision = f.decide(&get("/public/..%2fadmin", &[])).await;
    assert!(
        matches!(&decision.verdict, Verdict::Refuse(Refusal::BadRequest(_))),
        "{decision:?}"
    );
    assert_eq!(decision.outcome(), Outcome::BadRequest);
}

#[tokio::test]
async fn basic_credentials_authenticate_and_roles_decide_403() {
    let f = Fixture::new();
    let alice = basic(ALICE);
    let ok = f
        .decide(&get("/orders", &[("Authorization", &alice)]))
        .await;
    assert_eq!(ok.verdict, Verdict::Authenticated);
    assert_eq!(ok.outcome(), Outcome::Forwarded);
    assert_eq!(ok.credential, Some(CredentialKind::Basic));
    assert_eq!(ok.identity.as_ref().unwrap().user().username, "alice");

    let forbidden = f
        .decide(&get("/admin/x", &[("Authorization", &alice)]))
        .await;
    assert_eq!(
        forbidden.verdict,
        Verdict::Refuse(Refusal::Forbidden(
            "requires one of the roles: admin".into()
        ))
    );
    assert_eq!(forbidden.outcome(), Outcome::Forbidden);
    // The access log still names who was refused.
    assert_eq!(
        forbidden.identity.as_ref().unwrap().user().username,
        "alice"
    );

    let root = basic(ADMIN);
    let admin = f
        .decide(&get("/admin/x", &[("Authorization", &root)]))
        .await;
    assert_eq!(admin.verdict, Verdict::Authenticated);

    let pair = f
        .decide(&get(
            "/orders",
            &[("User-Name", "root"), ("Password", "correct horse")],
        ))
        .await;
    assert_eq!(pair.verdict, Verdict::Authenticated);
    assert_eq!(pair.credential, Some(CredentialKind::HeaderPair));
}

#[tokio::test]
async fn the_rate_limit_is_asked_before_the_cache() {
    let f = Fixture::new();
    let right = basic(ALICE);
    let wrong = basic(ALICE_WRONG);
    // The right password, now cached.
    let first = f.decide(&get("/x", &[("Authorization", &right)])).await;
    assert_eq!(first.verdict, Verdict::Authenticated);
    // Three failures for alice: the wrong password, then twice its remembered refusal.
    for _ in 0..3 {
        let refused = f.decide(&get("/x", &[("Authorization", &wrong)])).await;
        assert_eq!(
            unauthorized(&refused),
            ("invalid username or password", false)
        );
    }
    // Locked: even the cached right password is refused, with the credential kind kept.
    let locked = f.decide(&get("/x", &[("Authorization", &right)])).await;
    assert_eq!(
        locked.verdict,
        Verdict::Refuse(Refusal::TooManyRequests {
            retry_after_secs: 60
        })
    );
    assert_eq!(locked.outcome(), Outcome::RateLimited);
    assert_eq!(locked.credential, Some(CredentialKind::Basic));
    assert!(locked.identity.is_none());
    // Per username, whatever the credential kind: the header pair is locked too.
    let pair = f
        .decide(&get(
            "/x",
            &[("User-Name", "alice"), ("Password", "correct horse")],
        ))
        .await;
    assert!(matches!(
        pair.verdict,
        Verdict::Refuse(Refusal::TooManyRequests { .. })
    ));
    // Another user from the same client is not.
    let root = f
        .decide(&get("/x", &[("Authorization", &basic(ADMIN))]))
        .await;
    assert_eq!(root.verdict, Verdict::Authenticated);
}

#[tokio::test]
async fn tokens_are_never_rate_limited_and_their_refusals_say_invalid_token() {
    let f = Fixture::new();
    // Lock alice's username with failed passwords...
    for _ in 0..3 {
        f.decide(&get("/x", &[("Authorization", &basic(ALICE_WRONG))]))
            .await;
    }
    // ...her token still works: tokens are not password attempts.
    let token = format!("Bearer {}", f.token("alice", crate::verifier::unix_now()));
    let ok = f.decide(&get("/x", &[("Authorization", &token)])).await;
    assert_eq!(ok.verdict, Verdict::Authenticated);
    assert_eq!(ok.credential, Some(CredentialKind::Bearer));

    let expired = format!("Bearer {}", f.token("alice", 1_000_000));
    let first = f.decide(&get("/x", &[("Authorization", &expired)])).await;
    let (message, invalid_token) = unauthorized(&first);
    assert!(invalid_token);
    let message = message.to_owned();
    // The remembered refusal keeps its message and its invalid_token.
    let again = f.decide(&get("/x", &[("Authorization", &expired)])).await;
    assert_eq!(unauthorized(&again), (message.as_str(), true));

    let inactive = format!("Bearer {}", f.token("carol", crate::verifier::unix_now()));
    let refused = f.decide(&get("/x", &[("Authorization", &inactive)])).await;
    assert!(unauthorized(&refused).1);

    let not_a_jwt = f
        .decide(&get("/x", &[("Authorization", "Bearer abc")]))
        .await;
    assert_eq!(
        unauthorized(&not_a_jwt),
        ("token is not a JWT (three base64url parts)", true)
    );
}

#[tokio::test]
async fn an_unreadable_basic_credential_counts_as_a_failure_of_the_client() {
    let f = Fixture::new();
    // "nocolon": no username can be read, so only the client's budget is charged.
    for _ in 0..2 {
        let refused = f
            .decide(&get("/x", &[("Authorization", "Basic bm9jb2xvbg==")]))
            .await;
        assert_eq!(
            unauthorized(&refused),
            (
                "Basic credentials are not valid base64 of `user:password`",
                false
            )
        );
    }
    let client = f
        .state
        .forwarding
        .client_ip(peer(), &http::HeaderMap::new());
    // Exactly those two failures were charged to the client: 98 more reach per_client.
    let limiter = &f.shared.limiter;
    for _ in 0..97 {
        limiter.record_failure(client, None);
    }
    assert!(
        limiter.check(client, None).is_ok(),
        "99 failures: under 100"
    );
    limiter.record_failure(client, None);
    assert!(limiter.check(client, None).is_err(), "100 failures: over");
}

#[test]
fn every_auth_error_maps_to_its_refusal() {
    let unauthorized = |message: &str, invalid_token: bool| Refusal::Unauthorized {
        message: message.into(),
        invalid_token,
    };
    let token = AuthError::Token(TokenError::Expired);
    let token_message = token.to_string();
    let remembered = AuthError::Remembered("seen before".into());
    let credential = AuthError::Credential(CredentialError::MalformedBasic);
    for password_credential in [false, true] {
        assert_eq!(
            auth_refusal(&AuthError::Busy(Busy), password_credential),
            Refusal::Busy
        );
        assert_eq!(
            auth_refusal(&AuthError::Unavailable, password_credential),
            Refusal::UsersUnavailable
        );
        assert_eq!(
            auth_refusal(&token, password_credential),
            unauthorized(&token_message, true)
        );
        assert_eq!(
            auth_refusal(&AuthError::Password, password_credential),
            unauthorized("invalid username or password", false)
        );
        assert_eq!(
            auth_refusal(&credential, password_credential),
            unauthorized(&credential.to_string(), false)
        );
        assert_eq!(
            auth_refusal(&remembered, password_credential),
            unauthorized("seen before", !password_credential)
        );
    }
    assert!(is_failed_password(&AuthError::Password));
    assert!(is_failed_password(&credential));
    assert!(is_failed_password(&remembered));
    assert!(!is_failed_password(&AuthError::Busy(Busy)));
    // The user database not answering is not a wrong password: no lockout builds up.
    assert!(!is_failed_password(&AuthError::Unavailable));
    assert_eq!(Refusal::UsersUnavailable.status(), 503);
    assert!(!is_failed_password(&token));

    assert_eq!(
        credential_refusal(&CredentialError::NotAJwt),
        unauthorized("token is not a JWT (three base64url parts)", true)
    );
    assert_eq!(
        credential_refusal(&CredentialError::TokenTooLong(10)),
        unauthorized("token is longer than 10 bytes", true)
    );
    assert_eq!(
        credential_refusal(&CredentialError::MalformedBasic),
        unauthorized(&CredentialError::MalformedBasic.to_string(), false)
    );
}

#[test]
fn every_refusal_has_its_outcome() {
    for (refusal, outcome) in [
        (Refusal::BadRequest("x".into()), Outcome::BadRequest),
        (Refusal::UriTooLong, Outcome::BadRequest),
        (Refusal::HeadersTooLarge, Outcome::BadRequest),
        (
            Refusal::Unauthorized {
                message: "x".into(),
                invalid_token: false,
            },
            Outcome::Unauthorized,
        ),
        (Refusal::Forbidden("x".into()), Outcome::Forbidden),
        (
            Refusal::TooManyRequests {
                retry_after_secs: 1,
            },
            Outcome::RateLimited,
        ),
        (Refusal::Busy, Outcome::Busy),
        (Refusal::BadGateway, Outcome::UpstreamError),
        (Refusal::GatewayTimeout, Outcome::UpstreamError),
    ] {
        assert_eq!(refusal_outcome(&refusal), outcome, "{refusal:?}");
    }
}

#[test]
fn proxy_failures_by_kind_and_side() {
    use ErrorType::*;
    let upstream = ErrorSource::Upstream;
    let downstream = ErrorSource::Downstream;
    let internal = ErrorSource::Internal;
    for kind in [ConnectTimedout, ReadTimedout, WriteTimedout] {
        for source in [&upstream, &downstream, &internal] {
            assert_eq!(
                proxy_failure(&kind, source),
                ProxyFailure::Upstream(Refusal::GatewayTimeout)
            );
        }
    }
    for kind in [
        ConnectRefused,
        TLSHandshakeFailure,
        InvalidCert,
        ReadError,
        H1Error,
    ] {
        assert_eq!(
            proxy_failure(&kind, &upstream),
            ProxyFailure::Upstream(Refusal::BadGateway),
            "{kind:?}"
        );
    }
    for kind in [ConnectRefused, ConnectNoRoute, ConnectError] {
        assert_eq!(
            proxy_failure(&kind, &internal),
            ProxyFailure::Upstream(Refusal::BadGateway)
        );
    }
    for kind in [WriteError, ReadError, ConnectionClosed] {
        assert_eq!(proxy_failure(&kind, &downstream), ProxyFailure::ClientGone);
    }
    assert_eq!(
        proxy_failure(&InvalidHTTPHeader, &downstream),
        ProxyFailure::MalformedRequest
    );
    assert_eq!(
        proxy_failure(&InternalError, &internal),
        ProxyFailure::Internal
    );
    for (failure, outcome) in [
        (
            ProxyFailure::Upstream(Refusal::BadGateway),
            Some(Outcome::UpstreamError),
        ),
        (ProxyFailure::Internal, Some(Outcome::UpstreamError)),
        (ProxyFailure::MalformedRequest, Some(Outcome::BadRequest)),
        (ProxyFailure::ClientGone, None),
    ] {
        assert_eq!(failure.outcome(), outcome, "{failure:?}");
    }
}

#[tokio::test]
async fn the_verifier_decodes_a_password_credential_it_is_not_handed() {
    let f = Fixture::new();
    let basic = crate::credentials::Presented::Basic { encoded: ALICE };
    let identity = f.state.verifier.verify(basic, None).await.unwrap();
    assert_eq!(identity.user().username, "alice");
    let wrong = crate::credentials::Presented::Basic {
        encoded: ALICE_WRONG,
    };
    assert_eq!(
        f.state.verifier.verify(wrong, None).await.unwrap_err(),
        AuthError::Password
    );
}

#[tokio::test]
async fn grpc_to_an_http1_upstream_is_refused_only_once_it_would_be_forwarded() {
    let f = Fixture::new();
    let grpc = [("content-type", "application/grpc")];
    // Authentication comes first: an unauthenticated gRPC call is told so.
    let anonymous = f.decide(&get("/svc.Echo/Unary", &grpc)).await;
    assert_eq!(
        unauthorized(&anonymous),
        ("credentials are required", false)
    );

    let authorization = basic(ALICE);
    let mut headers = grpc.to_vec();
    headers.push(("authorization", authorization.as_str()));
    let authenticated = f.decide(&get("/svc.Echo/Unary", &headers)).await;
    assert_eq!(
        authenticated.verdict,
        Verdict::Refuse(Refusal::GrpcNeedsHttp2)
    );
    assert!(authenticated.identity.is_some());
    let public = f.decide(&get("/public/svc.Echo/Unary", &grpc)).await;
    assert_eq!(public.verdict, Verdict::Refuse(Refusal::GrpcNeedsHttp2));

    // gRPC-Web and everything else are forwarded to the same upstream.
    let web = f
        .decide(&get(
            "/public/x",
            &[("content-type", "application/grpc-web+proto")],
        ))
        .await;
    assert_eq!(web.verdict, Verdict::Public);

    // With `protocol = "h2c"` the same calls are forwarded.
    let mut config = config();
    config.upstream.protocol = crate::config::UpstreamProtocol::H2c;
    let state = State::build(Arc::new(config), &f.shared).unwrap();
    let forwarded = decide(
        &state,
        &f.shared.limiter,
        &get("/svc.Echo/Unary", &headers),
        peer(),
    )
    .await;
    assert_eq!(forwarded.verdict, Verdict::Authenticated);
}
