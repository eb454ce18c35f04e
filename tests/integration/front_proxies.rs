//! The decision endpoint (`[decision]`, decision-only mode) as the auth service of the
//! proxies people already run.
//!
//! - Real nginx (`auth_request`) and real Caddy (`forward_auth`, written out) in front
//!   of an application (`echo_upstream`, which shows exactly what reached it), running
//!   the very files of `examples/decision/` with only their addresses replaced, and
//!   gatehouse on `examples/decision/gatehouse.toml`: identities copied, forged ones
//!   never, refusals with their status and challenge, and what each proxy does with the
//!   request line (`..`, `%2f`, `//`) before gatehouse decides on it.
//! - Envoy ext_authz (HTTP), Traefik forwardAuth and ingress-nginx: the requests those
//!   clients send, sent by the test as they send them.
//! - Spoofing: the describing headers count only from `trusted_peers`; a client behind
//!   a proxy that passes its headers through cannot describe the request either.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use crate::caddy_server::{self, CaddyServer};
use crate::echo_upstream::EchoUpstream;
use crate::harness::{basic, demo_config, demo_token, raw_request, send, Gatehouse, Response};
use crate::nginx_server::{self, NginxServer};

const PREFIX: &str = "/.gatehouse/decision";

/// The identity headers of `examples/decision/gatehouse.toml`.
const IDENTITY: [&str; 7] = [
    "x-auth-user",
    "x-auth-user-id",
    "x-auth-email",
    "x-auth-roles",
    "x-auth-method",
    "x-auth-token-id",
    "x-auth-issuer",
];

/// A file of examples/decision/.
fn example(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/decision")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `text` with its one occurrence of `from` replaced: an example that drifted away from
/// what the tests replace fails here, not later in a puzzling way.
fn replace_once(text: &str, from: &str, to: &str) -> String {
    assert_eq!(
        text.matches(from).count(),
        1,
        "expected exactly one {from:?} in:\n{text}"
    );
    text.replacen(from, to, 1)
}

/// examples/decision/gatehouse.toml with `trusted_peers` replaced (a TOML array body).
fn decision_config(trusted_peers: &str) -> String {
    replace_once(
        &example("gatehouse.toml"),
        "trusted_peers = [\"127.0.0.1/32\"]",
        &format!("trusted_peers = [{trusted_peers}]"),
    )
}

fn decision_gatehouse(trusted_peers: &str) -> Gatehouse {
    Gatehouse::start(&decision_config(trusted_peers))
}

/// examples/decision/nginx.conf in front of `app`, asking `gh`.
fn nginx_in_front(gh: &Gatehouse, app: &EchoUpstream) -> NginxServer {
    let site = example("nginx.conf");
    let site = replace_once(&site, "listen 80;", "listen 127.0.0.1:@PORT@;");
    let site = replace_once(
        &site,
        "server 127.0.0.1:9778;",
        &format!("server 127.0.0.1:{};", gh.port),
    );
    let site = replace_once(
        &site,
        "server 127.0.0.1:8000;",
        &format!("server {};", app.address()),
    );
    NginxServer::start(&site)
}

/// The site block of examples/decision/Caddyfile in front of `app`, asking `gh`.
fn caddy_in_front(gh: &Gatehouse, app: &EchoUpstream) -> CaddyServer {
    let site = example("Caddyfile");
    // Any Host (the tests send app.example.com); the kit binds it to 127.0.0.1.
    let site = replace_once(&site, "app.example.com {", "http://:@PORT@ {");
    let site = replace_once(
        &site,
        "reverse_proxy 127.0.0.1:9778 {",
        &format!("reverse_proxy 127.0.0.1:{} {{", gh.port),
    );
    let site = replace_once(
        &site,
        "reverse_proxy 127.0.0.1:8000\n",
        &format!("reverse_proxy {}\n", app.address()),
    );
    CaddyServer::start(&site)
}

fn bearer(user: &str) -> String {
    format!("Bearer {}", demo_token(user))
}

/// The identity headers that reached the application, by name (absent ones left out).
fn identity_seen(r: &Response) -> Vec<(String, Vec<String>)> {
    IDENTITY
        .iter()
        .map(|name| (name.to_string(), r.echoed(name)))
        .filter(|(_, values)| !values.is_empty())
        .collect()
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, Vec<String>)> {
    expected
        .iter()
        .map(|(name, value)| (name.to_string(), vec![value.to_string()]))
        .collect()
}

/// TestUser's identity headers for Basic credentials.
fn test_user_basic() -> Vec<(String, Vec<String>)> {
    pairs(&[
        ("x-auth-user", "TestUser"),
        ("x-auth-user-id", "2"),
        ("x-auth-email", "testuser@example.com"),
        ("x-auth-roles", "user"),
        ("x-auth-method", "basic"),
    ])
}

/// The identity headers of an allow answer itself (gatehouse's response).
fn identity_answered(r: &Response) -> Vec<(String, Vec<String>)> {
    IDENTITY
        .iter()
        .map(|name| {
            let values: Vec<String> = r.header_all(name).into_iter().map(str::to_owned).collect();
            (name.to_string(), values)
        })
        .filter(|(_, values)| !values.is_empty())
        .collect()
}

/// A request with `target` exactly as given (a client library would normalise `..`),
/// `Host: app.example.com` unless `headers` has one, and `Connection: close`.
fn raw(addr: SocketAddr, method: &str, target: &str, headers: &[(&str, &str)]) -> Response {
    let mut request = format!("{method} {target} HTTP/1.1\r\n");
    if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("host")) {
        request.push_str("Host: app.example.com\r\n");
    }
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("Connection: close\r\n\r\n");
    raw_request(addr, request.as_bytes()).unwrap_or_else(|e| panic!("{method} {target}: {e}"))
}

fn raw_get(addr: SocketAddr, target: &str, headers: &[(&str, &str)]) -> Response {
    raw(addr, "GET", target, headers)
}

/// How many decisions gatehouse has logged, once it has logged at least `at_least`
/// (it logs after answering, so the proxy may have its answer a moment earlier).
fn decisions_logged(gh: &Gatehouse, at_least: usize) -> usize {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let logged = gh
            .log()
            .lines()
            .filter(|line| line.contains(r#""dialect":"decision""#))
            .count();
        if logged >= at_least || Instant::now() > deadline {
            return logged;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// What gatehouse itself answers proxied traffic for `target` with `headers`: the
/// demo's gatehouse in front of its echo, with the same users and routes as the
/// decision example. (status, JSON body) for a refusal.
fn proxied_refusal(proxied: &Gatehouse, target: &str, headers: &[(&str, &str)]) -> (u16, String) {
    let r = raw_get(proxied.addr(), target, headers);
    assert_ne!(r.status, 200, "{target} is no refusal on proxied traffic");
    (r.status, r.text())
}

/// Asserts that `r` is the very refusal (status and body) of proxied traffic for
/// `target` with `headers`.
fn assert_refused_as_proxied(
    r: &Response,
    proxied: &Gatehouse,
    target: &str,
    headers: &[(&str, &str)],
) {
    let expected = proxied_refusal(proxied, target, headers);
    assert_eq!((r.status, r.text()), expected, "{target}");
}

/// GET `url` with `Authorization: authorization`.
fn get_authorized(url: &str, authorization: &str) -> Response {
    send(url, "GET", &[("Authorization", authorization)], None)
}

/// `count` wrong passwords for TestUser through `url`, each answered 401.
fn failed_logins(url: &str, count: usize) {
    for i in 0..count {
        let r = get_authorized(url, &basic("TestUser", &format!("guess{i}")));
        assert_eq!(r.status, 401, "attempt {i}: {}", r.text());
    }
}

/// admin's identity headers for the bearer token `token` (its `jti` as the token id).
fn admin_bearer_identity(token: &str) -> Vec<(String, Vec<String>)> {
    let jti = crate::harness::jwt_claims(token)["jti"]
        .as_str()
        .expect("jti")
        .to_owned();
    pairs(&[
        ("x-auth-user", "admin"),
        ("x-auth-user-id", "1"),
        ("x-auth-email", "admin@admin.com"),
        ("x-auth-roles", "admin"),
        ("x-auth-method", "bearer"),
        ("x-auth-token-id", &jti),
    ])
}

/// A GET to the endpoint's prefix with the headers a proxy sets to describe the
/// request (`described`), then the client's (`headers`).
fn decide(gh: &Gatehouse, described: &[(&str, &str)], headers: &[(&str, &str)]) -> Response {
    let mut all = described.to_vec();
    all.extend_from_slice(headers);
    raw_get(gh.addr(), PREFIX, &all)
}

/// gatehouse on the decision example trusting loopback, the application, and the
/// example's nginx in front of both.
fn behind_nginx() -> (Gatehouse, EchoUpstream, NginxServer) {
    let gh = decision_gatehouse("\"127.0.0.1/32\"");
    let app = EchoUpstream::start();
    let nginx = nginx_in_front(&gh, &app);
    (gh, app, nginx)
}

/// [`behind_nginx`] with the example's Caddy in front.
fn behind_caddy() -> (Gatehouse, EchoUpstream, CaddyServer) {
    let gh = decision_gatehouse("\"127.0.0.1/32\"");
    let app = EchoUpstream::start();
    let caddy = caddy_in_front(&gh, &app);
    (gh, app, caddy)
}

// ---------------------------------------------------------------------------------------
// nginx auth_request (examples/decision/nginx.conf)
// ---------------------------------------------------------------------------------------

#[test]
fn nginx_auth_request_copies_the_identity_and_never_a_forged_one() {
    let (gh, app, nginx) = behind_nginx();
    let forged = [
        ("X-Auth-User", "mallory"),
        ("X-Auth-Roles", "admin"),
        ("X-Auth-Token-Id", "forged"),
        ("X-Auth-Issuer", "https://evil.example"),
        // nginx drops header names with underscores (underscores_in_headers off), which
        // some frameworks would read as X-Auth-User.
        ("X_Auth_User", "mallory"),
    ];

    // Basic: every identity header TestUser has; none it does not (no token id, no
    // issuer), whatever the client sent under those names.
    let mut headers = vec![("Authorization", basic("TestUser", "password"))];
    headers.extend(forged.iter().map(|(n, v)| (*n, v.to_string())));
    let headers: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
    let r = send(&nginx.url("/orders/1?x=y"), "GET", &headers, None);
    assert_eq!(r.status, 200, "{}\n{}", r.text(), nginx.log());
    assert_eq!(identity_seen(&r), test_user_basic(), "{}", r.text());
    assert_eq!(r.json()["target"], "/orders/1?x=y");
    assert!(r.echoed("x_auth_user").is_empty(), "{}", r.text());
    // Credentials stay with gatehouse, as on its proxied traffic.
    assert!(r.echoed("authorization").is_empty(), "{}", r.text());

    // Bearer: the token's id too. A POST body reaches the application (only the
    // subrequest goes without it).
    let token = demo_token("admin");
    let r = send(
        &nginx.url("/admin/reports"),
        "POST",
        &[
            ("Authorization", &format!("Bearer {token}")),
            ("X-Auth-User", "mallory"),
        ],
        Some(b"{\"a\": 1}"),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(identity_seen(&r), admin_bearer_identity(&token));
    assert_eq!(r.json()["method"], "POST");
    assert_eq!(r.echoed("content-length"), ["8"]);

    // The header pair of the PHP-era clients, which nginx passes to gatehouse and the
    // example keeps from the application.
    let r = send(
        &nginx.url("/anything"),
        "GET",
        &[("User-Name", "TestUser"), ("Password", "password")],
        None,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.echoed("x-auth-method"), ["header"]);
    assert!(r.echoed("user-name").is_empty() && r.echoed("password").is_empty());

    // A public route: 200 without identity, so nothing of the forged ones either.
    let r = send(&nginx.url("/public/index.html"), "GET", &headers[1..], None);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(identity_seen(&r), vec![], "{}", r.text());

    assert_eq!(app.requests().len(), 4);
    assert_eq!(decisions_logged(&gh, 4), 4, "{}", gh.log());
}

#[test]
fn nginx_gives_the_client_gatehouse_refusals_with_their_status_and_challenge() {
    let (gh, app, nginx) = behind_nginx();

    // What gatehouse itself answers, asked directly.
    let direct = send(&gh.url(&format!("{PREFIX}/anything")), "GET", &[], None);
    assert_eq!(direct.status, 401);
    let challenges = direct.header_all("www-authenticate");
    assert_eq!(
        challenges,
        [
            "Bearer realm=\"gatehouse\"",
            "Basic realm=\"gatehouse\", charset=\"UTF-8\""
        ]
    );

    // 401: auth_request copies WWW-Authenticate itself. nginx before 1.23 keeps only the
    // first header of a name from an upstream; from 1.23 on, all of them.
    let r = send(&nginx.url("/anything"), "GET", &[], None);
    assert_eq!(r.status, 401, "{}", r.text());
    let expected = if nginx_server::version() >= (1, 23, 0) {
        challenges.clone()
    } else {
        challenges[..1].to_vec()
    };
    assert_eq!(r.header_all("www-authenticate"), expected);
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(r.json()["error"], "unauthorized");

    // A wrong password and a bad token: 401 too, with gatehouse's challenge.
    for authorization in [basic("TestUser", "wrong"), "Bearer not.a.jwt".to_owned()] {
        let r = get_authorized(&nginx.url("/anything"), &authorization);
        assert_eq!(r.status, 401, "{}", r.text());
        assert!(
            r.header("www-authenticate")
                .is_some_and(|c| c.starts_with("Bearer realm=\"gatehouse\"")),
            "{:?}",
            r.headers
        );
    }

    // 403: the wrong role; no challenge.
    let r = get_authorized(&nginx.url("/admin/x"), &basic("TestUser", "password"));
    assert_eq!(r.status, 403, "{}", r.text());
    assert!(r.header("www-authenticate").is_none());
    assert_eq!(r.json()["error"], "forbidden");

    // 429: gatehouse's status and Retry-After, which auth_request alone would turn into
    // a 500 (the example's @gatehouse_refused gives them back). The failed attempt
    // above counts: nine more, then even the right password is refused.
    failed_logins(&nginx.url("/anything"), 9);
    let r = get_authorized(&nginx.url("/anything"), &basic("TestUser", "password"));
    assert_eq!(r.status, 429, "{}\n{}", r.text(), nginx.log());
    assert_eq!(r.header("retry-after"), Some("60"));
    assert_eq!(r.json()["error"], "too_many_requests");
    assert!(
        nginx.log().contains("auth request unexpected status: 429"),
        "{}",
        nginx.log()
    );

    // No refusal reached the application.
    assert_eq!(app.requests().len(), 0);
}

#[test]
fn nginx_hands_gatehouse_the_raw_request_line_which_gatehouse_normalises() {
    let (gh, app, nginx) = behind_nginx();
    let user = basic("TestUser", "password");
    let admin = basic("admin", "masterkey");

    // nginx routes on its own normalised path but sends $request_uri, the raw target,
    // in X-Original-URI; gatehouse normalises it as on proxied traffic, so a public
    // prefix does not open a role route. nginx passes the target to the application as
    // the client sent it.
    for (target, forwarded) in [
        ("/public/../admin/x", "/public/../admin/x"),
        ("/public/%2e%2e/admin/x", "/public/%2e%2e/admin/x"),
        ("/public/./../admin/x", "/public/./../admin/x"),
        ("//admin/x", "//admin/x"),
    ] {
        let r = raw_get(nginx.addr(), target, &[("Authorization", &user)]);
        assert_eq!(r.status, 403, "{target}: {}", r.text());
        let r = raw_get(nginx.addr(), target, &[("Authorization", &admin)]);
        assert_eq!(r.status, 200, "{target}: {}", r.text());
        assert_eq!(r.json()["target"], forwarded, "{target}");
        assert_eq!(r.echoed("x-auth-user"), ["admin"], "{target}");
    }
    assert_eq!(app.requests().len(), 4);
    let asked = decisions_logged(&gh, 8);
    assert_eq!(asked, 8, "{}", gh.log());

    // Ambiguous paths that nginx routes anyway (it decodes %2F and treats `;` as a
    // character): gatehouse refuses them with 400 as on proxied traffic, which
    // auth_request turns into a 500 and the example's @gatehouse_refused gives back as
    // a 400, without credentials as with them.
    for target in ["/public/..%2fadmin/x", "/public/x;y", "/public/a%5cb"] {
        for headers in [vec![], vec![("Authorization", admin.as_str())]] {
            let r = raw_get(nginx.addr(), target, &headers);
            assert_eq!(r.status, 400, "{target}: {}", r.text());
            assert_eq!(r.json()["error"], "bad_request", "{target}");
        }
        let direct = raw_get(
            gh.addr(),
            PREFIX,
            &[("X-Original-URI", target), ("X-Original-Method", "GET")],
        );
        assert_eq!(direct.status, 400, "{target}: {}", direct.text());
    }
    assert!(nginx.log().contains("auth request unexpected status: 400"));
    assert_eq!(decisions_logged(&gh, asked + 9), asked + 9);

    // Targets nginx refuses itself, with its own 400 page, before asking anyone.
    let asked = decisions_logged(&gh, asked + 9);
    for target in ["/public/../../etc/passwd", "/public/a%00"] {
        let r = raw_get(nginx.addr(), target, &[("Authorization", &admin)]);
        assert_eq!(r.status, 400, "{target}: {}", r.text());
        assert!(r.text().contains("<center>nginx"), "{target}: {}", r.text());
    }
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(decisions_logged(&gh, asked), asked, "{}", gh.log());
    assert_eq!(app.requests().len(), 4);
}

#[test]
fn nginx_never_lets_a_client_describe_the_original_request() {
    let (_gh, app, nginx) = behind_nginx();
    // The subrequest carries the client's headers: the example blanks every describing
    // header but the two it sets, so these describe nothing.
    let spoof = [
        ("X-Forwarded-Uri", "/public/x"),
        ("X-Forwarded-Method", "GET"),
        ("X-Forwarded-Host", "public.example.com"),
        ("X-Original-URL", "https://app.example.com/public/x"),
    ];
    let r = send(&nginx.url("/admin/secret"), "GET", &spoof, None);
    assert_eq!(r.status, 401, "{}", r.text());
    let mut with_user = spoof.to_vec();
    let user = basic("TestUser", "password");
    with_user.push(("Authorization", &user));
    let r = send(&nginx.url("/admin/secret"), "GET", &with_user, None);
    assert_eq!(r.status, 403, "{}", r.text());
    assert_eq!(app.requests().len(), 0);
}

/// The auth location ingress-nginx generates for `nginx.ingress.kubernetes.io/auth-url`
/// (controller template, `location = /_external-auth-...`), with the annotation
/// `auth-response-headers: X-Auth-User, X-Auth-Roles` and no `auth-snippet`: it passes
/// every client header (`proxy_pass_request_headers on`) and sets X-Original-URL and
/// X-Original-Method, but never touches X-Forwarded-Uri.
fn ingress_nginx_like(gh: &Gatehouse, app: &EchoUpstream) -> NginxServer {
    NginxServer::start(&format!(
        "server {{
    listen 127.0.0.1:@PORT@;
    location = /_external-auth-Lw-Prefix {{
        internal;
        proxy_pass_request_body     off;
        proxy_set_header            Content-Length          \"\";
        proxy_set_header            Host                    gatehouse.auth.svc;
        proxy_set_header            X-Original-URL          $scheme://$http_host$request_uri;
        proxy_set_header            X-Original-Method       $request_method;
        proxy_set_header            X-Sent-From             \"nginx-ingress-controller\";
        proxy_set_header            X-Real-IP               $remote_addr;
        proxy_set_header            X-Forwarded-For         $remote_addr;
        proxy_set_header            X-Auth-Request-Redirect $request_uri;
        proxy_http_version          1.1;
        proxy_pass_request_headers  on;
        set $target http://127.0.0.1:{gh}{PREFIX};
        proxy_pass $target;
    }}
    location / {{
        auth_request        /_external-auth-Lw-Prefix;
        auth_request_set    $auth_cookie $upstream_http_set_cookie;
        add_header          Set-Cookie $auth_cookie;
        auth_request_set $authHeader0 $upstream_http_x_auth_user;
        proxy_set_header 'X-Auth-User' $authHeader0;
        auth_request_set $authHeader1 $upstream_http_x_auth_roles;
        proxy_set_header 'X-Auth-Roles' $authHeader1;
        proxy_pass http://{app};
    }}
}}
",
        gh = gh.port,
        app = app.address(),
    ))
}

#[test]
fn ingress_nginx_as_generated_decides_on_its_x_original_url() {
    let gh = decision_gatehouse("\"127.0.0.1/32\"");
    let app = EchoUpstream::start();
    let nginx = ingress_nginx_like(&gh, &app);
    let r = send(
        &nginx.url("/admin/x?y=1"),
        "POST",
        &[
            ("Authorization", &basic("admin", "masterkey")),
            ("X-Auth-User", "mallory"),
        ],
        Some(b"body"),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.echoed("x-auth-user"), ["admin"]);
    assert_eq!(r.echoed("x-auth-roles"), ["admin"]);
    let r = raw_get(
        nginx.addr(),
        "/public/../admin/x",
        &[("Authorization", &basic("TestUser", "password"))],
    );
    assert_eq!(r.status, 403, "{}", r.text());
    let r = send(
        &nginx.url("/public/x"),
        "GET",
        &[("X-Auth-User", "mallory")],
        None,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.echoed("x-auth-user").is_empty(), "{}", r.text());
    assert_eq!(app.requests().len(), 2);
}

/// Without an `auth-snippet` that blanks X-Forwarded-Uri (snippets are off by default
/// since ingress-nginx 1.9), a client's own X-Forwarded-Uri reaches gatehouse beside
/// the X-Original-URL that ingress-nginx set, from a trusted peer. gatehouse must not
/// let it describe the request.
#[test]
fn a_client_cannot_describe_the_request_through_a_proxy_that_passes_its_headers() {
    let gh = decision_gatehouse("\"127.0.0.1/32\"");
    let app = EchoUpstream::start();
    let nginx = ingress_nginx_like(&gh, &app);
    for spoof in [
        vec![("X-Forwarded-Uri", "/public/x")],
        vec![
            ("X-Forwarded-Uri", "/public/x"),
            ("X-Forwarded-Method", "GET"),
        ],
    ] {
        let r = send(&nginx.url("/admin/secret"), "GET", &spoof, None);
        assert_ne!(
            r.status,
            200,
            "{spoof:?} described /admin/secret as a public path: {}",
            r.text()
        );
    }
    assert_eq!(app.requests().len(), 0, "{:?}", app.requests());
}

// ---------------------------------------------------------------------------------------
// Caddy forward_auth (examples/decision/Caddyfile)
// ---------------------------------------------------------------------------------------

#[test]
fn caddy_forward_auth_copies_the_identity_and_never_a_forged_one() {
    let (gh, app, caddy) = behind_caddy();
    let forged = [
        ("X-Auth-User", "mallory"),
        ("x-auth-roles", "admin"),
        ("X-Auth-Token-Id", "forged"),
        ("X-Auth-Issuer", "https://evil.example"),
        ("X_Auth_User", "mallory"),
        ("x_auth_email", "mallory@example.com"),
    ];

    let user = basic("TestUser", "password");
    let mut headers = vec![("Authorization", user.as_str())];
    headers.extend(forged);
    let r = send(&caddy.url("/orders/1?x=y"), "GET", &headers, None);
    assert_eq!(r.status, 200, "{}\n{}", r.text(), caddy.log());
    assert_eq!(identity_seen(&r), test_user_basic(), "{}", r.text());
    assert_eq!(r.json()["target"], "/orders/1?x=y");
    for gone in ["x_auth_user", "x_auth_email", "authorization"] {
        assert!(r.echoed(gone).is_empty(), "{gone}: {}", r.text());
    }

    let token = demo_token("admin");
    let r = send(
        &caddy.url("/admin/reports"),
        "DELETE",
        &[("Authorization", &format!("Bearer {token}"))],
        None,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["method"], "DELETE");
    assert_eq!(identity_seen(&r), admin_bearer_identity(&token));

    // A public route: no identity at all, neither gatehouse's nor the forged one.
    let r = send(&caddy.url("/public/index.html"), "GET", &forged, None);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(identity_seen(&r), vec![], "{}", r.text());
    assert!(r.echoed("x_auth_user").is_empty(), "{}", r.text());

    assert_eq!(app.requests().len(), 3);
    assert_eq!(decisions_logged(&gh, 3), 3, "{}", gh.log());
}

#[test]
fn caddy_gives_the_client_gatehouse_refusals_as_they_are() {
    let (gh, app, caddy) = behind_caddy();

    // Caddy hands over gatehouse's answer itself: status, every challenge, JSON body.
    let direct = send(&gh.url(&format!("{PREFIX}/anything")), "GET", &[], None);
    let r = send(&caddy.url("/anything"), "GET", &[], None);
    assert_eq!(r.status, 401);
    assert_eq!(
        r.header_all("www-authenticate"),
        direct.header_all("www-authenticate")
    );
    assert_eq!(r.header_all("www-authenticate").len(), 2);
    assert_eq!(r.json(), direct.json());

    let user = basic("TestUser", "password");
    let r = get_authorized(&caddy.url("/admin/x"), &user);
    assert_eq!(r.status, 403, "{}", r.text());
    assert_eq!(
        r.json(),
        serde_json::json!({"error": "forbidden", "message": "requires one of the roles: admin"})
    );
    assert!(r.header("www-authenticate").is_none());

    // 429 with Retry-After, as gatehouse answered it.
    failed_logins(&caddy.url("/anything"), 10);
    let r = get_authorized(&caddy.url("/anything"), &user);
    assert_eq!(r.status, 429, "{}", r.text());
    assert_eq!(r.header("retry-after"), Some("60"));
    assert_eq!(r.json()["error"], "too_many_requests");

    assert_eq!(app.requests().len(), 0);
}

#[test]
fn caddy_hands_gatehouse_the_raw_request_target_with_the_same_refusals_as_proxied_traffic() {
    let (_gh, app, caddy) = behind_caddy();
    let proxied = Gatehouse::start(&demo_config());
    let user = basic("TestUser", "password");
    let admin = basic("admin", "masterkey");

    // Caddy sends {uri}, the target as the client sent it, in X-Forwarded-Uri and to
    // the application alike (it normalises nothing): gatehouse decides on its
    // normalised form, as on proxied traffic.
    for (target, forwarded) in [
        ("/public/../admin/x", "/public/../admin/x"),
        ("/public/%2e%2e/admin/x", "/public/%2e%2e/admin/x"),
        ("/public/.%2E/admin/x", "/public/.%2E/admin/x"),
        ("//admin/x", "//admin/x"),
    ] {
        let r = raw_get(caddy.addr(), target, &[("Authorization", &user)]);
        assert_eq!(r.status, 403, "{target}: {}", r.text());
        assert_refused_as_proxied(&r, &proxied, target, &[("Authorization", &user)]);
        let r = raw_get(caddy.addr(), target, &[("Authorization", &admin)]);
        assert_eq!(r.status, 200, "{target}: {}", r.text());
        assert_eq!(r.json()["target"], forwarded, "{target}");
    }
    assert_eq!(app.requests().len(), 4);

    // Ambiguous paths: the very 400 (and message) of proxied traffic, Caddy passing it
    // on; including a `..` above the root, which Caddy does not refuse itself.
    for target in [
        "/public/..%2fadmin/x",
        "/public/%2F",
        "/public/a%5cb",
        "/public/a%00",
        "/public/../../etc/passwd",
        "/public/x;y",
    ] {
        let r = raw_get(caddy.addr(), target, &[("Authorization", &admin)]);
        assert_refused_as_proxied(&r, &proxied, target, &[("Authorization", &admin)]);
        assert_eq!(r.status, 400, "{target}");
    }
    assert_eq!(app.requests().len(), 4);
}

#[test]
fn caddy_never_lets_a_client_describe_the_original_request() {
    let (_gh, app, caddy) = behind_caddy();
    // Caddy sets X-Forwarded-Method/-Uri itself (header_up replaces the client's);
    // X-Original-* pass through to gatehouse, which reads X-Forwarded-Uri first.
    let spoof = [
        ("X-Forwarded-Uri", "/public/x"),
        ("X-Forwarded-Method", "GET"),
        ("X-Original-URL", "https://app.example.com/public/x"),
        ("X-Original-URI", "/public/x"),
        ("X-Original-Method", "GET"),
    ];
    // With `original = "auto"` (the example's default) the two families together are
    // refused as ambiguous; pinned to Caddy's own family, the client's are ignored.
    let r = send(&caddy.url("/admin/secret"), "GET", &spoof, None);
    assert_eq!(r.status, 400, "{}", r.text());
    assert!(r.text().contains("[decision] original"), "{}", r.text());
    let pinned = Gatehouse::start(&replace_once(
        &decision_config("\"127.0.0.1/32\""),
        "original = \"auto\"",
        "original = \"x-forwarded\"",
    ));
    let caddy = caddy_in_front(&pinned, &app);
    let r = send(&caddy.url("/admin/secret"), "GET", &spoof, None);
    assert_eq!(r.status, 401, "{}", r.text());
    assert_eq!(app.requests().len(), 0);
}

/// The `forward_auth` shorthand with `copy_headers`, as Caddy's documentation writes it
/// (after removing the client's identity headers): what this Caddy does with a header
/// the allow answer does not have is why examples/decision/Caddyfile writes it out.
#[test]
fn caddy_copy_headers_shorthand_and_a_header_the_answer_lacks() {
    let gh = decision_gatehouse("\"127.0.0.1/32\"");
    let app = EchoUpstream::start();
    let caddy = CaddyServer::start(&format!(
        "http://127.0.0.1:@PORT@ {{
\troute {{
\t\trequest_header -X-Auth-User
\t\trequest_header -X-Auth-Token-Id
\t\tforward_auth 127.0.0.1:{gh} {{
\t\t\turi {PREFIX}
\t\t\tcopy_headers X-Auth-User X-Auth-Token-Id
\t\t}}
\t\treverse_proxy {app}
\t}}
}}
",
        gh = gh.port,
        app = app.address(),
    ));
    let user = basic("TestUser", "password");
    let basic_answer = get_authorized(&caddy.url("/anything"), &user);
    let public_answer = send(&caddy.url("/public/x"), "GET", &[], None);
    assert_eq!((basic_answer.status, public_answer.status), (200, 200));
    assert_eq!(basic_answer.echoed("x-auth-user"), ["TestUser"]);
    let (major, minor, _) = caddy_server::version();
    if (major, minor) < (2, 7) {
        // Caddy 2.6 sets the header to its unreplaced placeholder.
        assert_eq!(
            basic_answer.echoed("x-auth-token-id"),
            ["{http.reverse_proxy.header.X-Auth-Token-Id}"]
        );
        assert_eq!(
            public_answer.echoed("x-auth-user"),
            ["{http.reverse_proxy.header.X-Auth-User}"]
        );
    } else {
        // Later versions copy only what the answer has.
        assert!(basic_answer.echoed("x-auth-token-id").is_empty());
        assert!(public_answer.echoed("x-auth-user").is_empty());
    }
}

// ---------------------------------------------------------------------------------------
// Envoy ext_authz, Traefik forwardAuth, ingress-nginx: their requests, sent as they are
// ---------------------------------------------------------------------------------------

/// Envoy's ext_authz HTTP service (`path_prefix: /.gatehouse/decision`): the original
/// method, the prefix followed by the original path and query, the original Host, and of
/// the client's headers only Authorization and the `allowed_headers`; no body
/// (`Content-Length: 0`); never X-Forwarded-Uri. Envoy needs no `trusted_peers` entry.
#[test]
fn envoy_ext_authz_the_method_and_the_path_after_the_prefix() {
    let config = replace_once(
        &decision_config(""),
        "envoy_remove_credentials = false",
        "envoy_remove_credentials = true",
    );
    let gh = Gatehouse::start(&config);
    let proxied = Gatehouse::start(&demo_config());
    let envoy = |method: &str, path: &str, headers: &[(&str, &str)]| {
        let mut all = vec![
            ("Host", "app.example.com"),
            ("Content-Length", "0"),
            ("x-forwarded-proto", "https"),
            ("x-request-id", "7f3c1d1e-3a5b-4c9e-9f2a-1b2c3d4e5f60"),
            ("x-envoy-expected-rq-timeout-ms", "1000"),
        ];
        all.extend_from_slice(headers);
        raw(gh.addr(), method, &format!("{PREFIX}{path}"), &all)
    };
    let admin = basic("admin", "masterkey");

    let r = envoy(
        "DELETE",
        "/admin/orders/1?x=y",
        &[("authorization", &admin)],
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.body.is_empty());
    assert_eq!(
        identity_answered(&r),
        pairs(&[
            ("x-auth-user", "admin"),
            ("x-auth-user-id", "1"),
            ("x-auth-email", "admin@admin.com"),
            ("x-auth-roles", "admin"),
            ("x-auth-method", "basic"),
        ])
    );
    assert_eq!(
        r.header("x-envoy-auth-headers-to-remove"),
        Some("authorization")
    );

    let user = basic("TestUser", "password");
    let r = envoy("POST", "/admin/orders", &[("authorization", &user)]);
    assert_eq!(r.status, 403, "{}", r.text());
    assert_eq!(r.json()["error"], "forbidden");
    assert!(r.header("x-envoy-auth-headers-to-remove").is_none());

    let r = envoy("GET", "/orders", &[]);
    assert_eq!(r.status, 401, "{}", r.text());
    assert!(r.header("www-authenticate").is_some());
    assert_eq!(r.json()["error"], "unauthorized");

    // The header pair and cookies count when the filter's allowed_headers pass them.
    let r = envoy(
        "GET",
        "/orders",
        &[("user-name", "TestUser"), ("password", "password")],
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("x-auth-method"), Some("header"));

    // The prefix alone is `/`; a public path is allowed without identity.
    assert_eq!(envoy("GET", "", &[]).status, 401);
    assert_eq!(envoy("GET", "", &[("authorization", &user)]).status, 200);
    let r = envoy("GET", "/public/x?y=1", &[]);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(identity_answered(&r), vec![]);

    // `..` in the path after the prefix: normalised (a public prefix opens nothing),
    // and the ambiguous ones refused with the 400 of proxied traffic.
    let r = raw_get(
        gh.addr(),
        &format!("{PREFIX}/public/../admin/x"),
        &[("authorization", &user)],
    );
    assert_eq!(r.status, 403, "{}", r.text());
    for target in [
        "/public/..%2fadmin/x",
        "/public/../../etc/passwd",
        "/public/x;y",
    ] {
        let r = raw_get(gh.addr(), &format!("{PREFIX}{target}"), &[]);
        assert_refused_as_proxied(&r, &proxied, target, &[]);
    }
    // A `..` cannot climb out of the prefix onto another path of gatehouse either.
    let r = raw_get(gh.addr(), &format!("{PREFIX}/../../public/x"), &[]);
    assert_eq!(r.status, 400, "{}", r.text());

    // Only the prefix and what is under it is the endpoint.
    let r = send(
        &gh.url("/.gatehouse/decisions/x"),
        "GET",
        &[("authorization", &user)],
        None,
    );
    assert_eq!(r.status, 404, "{}", r.text());
    assert_eq!(r.json()["error"], "not_found");
}

/// A body sent to the endpoint anyway is not read, and never taken for the next request
/// on the connection.
#[test]
fn the_decision_endpoint_reads_no_body_and_never_parses_one_as_a_request() {
    let gh = decision_gatehouse("");
    let smuggled = format!("GET {PREFIX}/public/smuggled HTTP/1.1\r\nHost: a\r\n\r\n");
    let request = format!(
        "POST {PREFIX}/orders HTTP/1.1\r\nHost: a\r\nAuthorization: {}\r\n\
         Content-Length: {}\r\n\r\n{smuggled}GET {PREFIX}/public/next HTTP/1.1\r\nHost: a\r\n\
         Connection: close\r\n\r\n",
        basic("TestUser", "password"),
        smuggled.len(),
    );
    let mut stream = std::net::TcpStream::connect(gh.addr()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    std::io::Write::write_all(&mut stream, request.as_bytes()).unwrap();
    let mut raw = Vec::new();
    let _ = std::io::Read::read_to_end(&mut stream, &mut raw);
    let raw = String::from_utf8_lossy(&raw);
    let statuses: Vec<&str> = raw
        .lines()
        .filter(|line| line.starts_with("HTTP/1.1 "))
        .collect();
    // The POST is answered; then either the next request is (the body was skipped) or
    // the connection is closed. The body's request line never gets an answer of its own.
    assert!(
        statuses == ["HTTP/1.1 200 OK"] || statuses == ["HTTP/1.1 200 OK", "HTTP/1.1 200 OK"],
        "{raw}"
    );
    let logged = decisions_logged(&gh, statuses.len());
    assert_eq!(logged, statuses.len(), "{}", gh.log());
    assert!(!gh.log().contains("/public/smuggled"), "{}", gh.log());
}

/// Traefik's forwardAuth (trustForwardHeader false): GET to the address, every client
/// header, and X-Forwarded-Method, -Proto, -Host, -Uri and -For set from the request.
#[test]
fn traefik_forward_auth_headers_from_a_trusted_peer() {
    let config = replace_once(
        &decision_config("\"127.0.0.1/32\""),
        "per_client = 30",
        "per_client = 3",
    );
    let gh = Gatehouse::start(&config);
    let proxied = Gatehouse::start(&demo_config());
    let traefik = |method: &str, uri: &str, client: &str, headers: &[(&str, &str)]| {
        let described = [
            ("Host", "gatehouse:9778"),
            ("Accept", "application/json"),
            ("X-Forwarded-Method", method),
            ("X-Forwarded-Proto", "https"),
            ("X-Forwarded-Host", "app.example.com"),
            ("X-Forwarded-Uri", uri),
            ("X-Forwarded-For", client),
        ];
        decide(&gh, &described, headers)
    };
    let admin = basic("admin", "masterkey");
    let user = basic("TestUser", "password");

    let r = traefik(
        "DELETE",
        "/admin/orders/1?x=y",
        "203.0.113.7",
        &[("Authorization", &admin)],
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("x-auth-user"), Some("admin"));
    assert_eq!(r.header("x-auth-roles"), Some("admin"));
    assert!(r.header("x-envoy-auth-headers-to-remove").is_none());
    let r = traefik(
        "GET",
        "/admin/orders",
        "203.0.113.7",
        &[("Authorization", &user)],
    );
    assert_eq!(r.status, 403, "{}", r.text());
    let r = traefik("GET", "/orders", "203.0.113.7", &[]);
    assert_eq!(r.status, 401, "{}", r.text());
    let r = traefik("GET", "/public/x", "203.0.113.7", &[]);
    assert_eq!((r.status, identity_answered(&r)), (200, vec![]));
    let r = traefik(
        "GET",
        "/public/../admin/x",
        "203.0.113.7",
        &[("Authorization", &user)],
    );
    assert_eq!(r.status, 403, "{}", r.text());
    for target in ["/public/..%2fadmin/x", "/public/../../etc/passwd"] {
        let r = traefik("GET", target, "203.0.113.7", &[]);
        assert_refused_as_proxied(&r, &proxied, target, &[]);
    }
    // Not a path: refused, not guessed at.
    let r = traefik("GET", "admin/x", "203.0.113.7", &[]);
    assert_eq!(r.status, 400, "{}", r.text());

    // Failed credentials count against the client Traefik names (the right-most
    // X-Forwarded-For entry), not against Traefik: 203.0.113.7 is limited after three
    // failures, 203.0.113.8 is not, and a client cannot pick its own entry.
    for i in 0..3 {
        let r = traefik(
            "GET",
            "/orders",
            "198.51.100.1, 203.0.113.7",
            &[("Authorization", &basic(&format!("nobody{i}"), "x"))],
        );
        assert_eq!(r.status, 401, "attempt {i}: {}", r.text());
    }
    let r = traefik(
        "GET",
        "/orders",
        "198.51.100.2, 203.0.113.7",
        &[("Authorization", &user)],
    );
    assert_eq!(r.status, 429, "{}", r.text());
    let r = traefik(
        "GET",
        "/orders",
        "203.0.113.7, 203.0.113.8",
        &[("Authorization", &user)],
    );
    assert_eq!(r.status, 200, "{}", r.text());
}

/// A gRPC call behind the front proxy: Traefik, Caddy and nginx pass the client's
/// `content-type: application/grpc` to the decision endpoint. gatehouse has no upstream
/// here, so its `[upstream] protocol` says nothing about how the proxy reaches the
/// application: the call is decided like any other request, and a refusal is plain
/// HTTP (a gRPC-shaped refusal is an HTTP 200, which the proxy would take for "allow").
#[test]
fn a_grpc_call_is_decided_like_any_other_request() {
    let gh = decision_gatehouse("\"127.0.0.1/32\"");
    let described = [
        ("X-Forwarded-Method", "POST"),
        ("X-Forwarded-Uri", "/orders.v1.Orders/Get"),
        ("X-Forwarded-Proto", "http"),
        ("Content-Type", "application/grpc"),
        ("TE", "trailers"),
    ];
    let call = |headers: &[(&str, &str)]| decide(&gh, &described, headers);
    let r = call(&[]);
    assert_eq!(r.status, 401, "{:?} {}", r.headers, r.text());
    assert!(r.header("grpc-status").is_none(), "{:?}", r.headers);
    let user = basic("TestUser", "password");
    let r = call(&[("Authorization", &user)]);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("x-auth-user"), Some("TestUser"));
}

/// ingress-nginx's auth subrequest: X-Original-URL absolute
/// (`$scheme://$http_host$request_uri`), X-Original-Method, X-Sent-From, X-Real-IP,
/// X-Forwarded-For, X-Auth-Request-Redirect, and the client's headers.
#[test]
fn ingress_nginx_x_original_url_from_a_trusted_peer() {
    let gh = decision_gatehouse("\"127.0.0.1/32\"");
    let proxied = Gatehouse::start(&demo_config());
    let ingress = |method: &str, url: &str, headers: &[(&str, &str)]| {
        let described = [
            ("X-Original-URL", url),
            ("X-Original-Method", method),
            ("X-Sent-From", "nginx-ingress-controller"),
            ("X-Real-IP", "203.0.113.7"),
            ("X-Forwarded-For", "203.0.113.7"),
            ("X-Auth-Request-Redirect", "/ignored"),
        ];
        decide(&gh, &described, headers)
    };
    let admin = basic("admin", "masterkey");
    let user = basic("TestUser", "password");

    let r = ingress(
        "POST",
        "https://app.example.com/admin/x?y=1",
        &[("Authorization", &admin)],
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("x-auth-user"), Some("admin"));
    let r = ingress(
        "POST",
        "https://app.example.com/admin/x",
        &[("Authorization", &user)],
    );
    assert_eq!(r.status, 403, "{}", r.text());
    let r = ingress("GET", "https://app.example.com/orders", &[]);
    assert_eq!(r.status, 401, "{}", r.text());
    let r = ingress("GET", "http://app.example.com:8080/public/x?a=b", &[]);
    assert_eq!((r.status, identity_answered(&r)), (200, vec![]));
    // An absolute URL with no path is `/`, which needs credentials.
    assert_eq!(ingress("GET", "https://app.example.com", &[]).status, 401);
    let r = ingress(
        "GET",
        "https://app.example.com/public/../admin/x",
        &[("Authorization", &user)],
    );
    assert_eq!(r.status, 403, "{}", r.text());
    for target in [
        "/public/..%2fadmin/x",
        "/public/../../etc/passwd",
        "/public/a%00",
    ] {
        let r = ingress("GET", &format!("https://app.example.com{target}"), &[]);
        assert_refused_as_proxied(&r, &proxied, target, &[]);
    }
    // Plain nginx setups send a path in X-Original-URI instead.
    let r = raw_get(
        gh.addr(),
        PREFIX,
        &[
            ("X-Original-URI", "/admin/x"),
            ("X-Original-Method", "GET"),
            ("Authorization", &user),
        ],
    );
    assert_eq!(r.status, 403, "{}", r.text());
}

/// The describing headers from a peer outside `trusted_peers` describe nothing: the
/// path after the prefix is decided (here `/admin/x`, which needs the admin role).
#[test]
fn describing_headers_from_an_untrusted_peer_are_ignored() {
    let untrusting = decision_gatehouse("\"10.9.9.9/32\"");
    let trusting = decision_gatehouse("\"127.0.0.1/32\"");
    let spoofs: [&[(&str, &str)]; 4] = [
        &[
            ("X-Forwarded-Uri", "/public/x"),
            ("X-Forwarded-Method", "GET"),
        ],
        &[("X-Original-URL", "https://app.example.com/public/x")],
        &[
            ("X-Original-URI", "/public/x"),
            ("X-Original-Method", "GET"),
        ],
        &[
            ("X-Forwarded-Uri", "/public/x"),
            ("X-Forwarded-Host", "public.example.com"),
        ],
    ];
    for spoof in spoofs {
        let r = raw_get(untrusting.addr(), &format!("{PREFIX}/admin/x"), spoof);
        assert_eq!(r.status, 401, "{spoof:?}: {}", r.text());
        assert!(r.header("www-authenticate").is_some());
        let user = basic("TestUser", "password");
        let mut with_user = spoof.to_vec();
        with_user.push(("Authorization", &user));
        let r = raw_get(untrusting.addr(), &format!("{PREFIX}/admin/x"), &with_user);
        assert_eq!(r.status, 403, "{spoof:?}: {}", r.text());
        // The same headers from a trusted peer do describe the request.
        let r = raw_get(trusting.addr(), &format!("{PREFIX}/admin/x"), spoof);
        assert_eq!(r.status, 200, "{spoof:?}: {}", r.text());
    }
    // An untrusted peer's X-Forwarded-For does not choose its rate-limit bucket: it is
    // counted as itself.
    let r = raw_get(
        untrusting.addr(),
        PREFIX,
        &[("X-Forwarded-For", "203.0.113.9")],
    );
    assert_eq!(r.status, 401);
}

/// Decision-only mode: nothing is forwarded, and `[decision]` beside a real upstream
/// answers under its prefix without forwarding.
#[test]
fn decision_only_mode_and_the_endpoint_beside_an_upstream() {
    let gh = decision_gatehouse("\"127.0.0.1/32\"");
    let user = basic("TestUser", "password");
    let r = gh.get("/anything", &[("Authorization", &user)]);
    assert_eq!(r.status, 404, "{}", r.text());
    assert_eq!(r.json()["error"], "not_found");
    assert_eq!(gh.get("/anything", &[]).status, 401);
    assert_eq!(gh.get("/public/x", &[]).status, 404);
    // Every method is accepted.
    for method in ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] {
        let r = gh.request(
            method,
            &format!("{PREFIX}/orders"),
            &[("Authorization", &user)],
        );
        assert_eq!(r.status, 200, "{method}");
        assert_eq!(r.header("x-auth-user"), Some("TestUser"), "{method}");
    }

    let config = demo_config() + "\n[decision]\ntrusted_peers = [\"127.0.0.1/32\"]\n";
    let gh = Gatehouse::start(&config);
    let r = gh.get(
        &format!("{PREFIX}/anything"),
        &[("Authorization", &bearer("admin"))],
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.body.is_empty(), "forwarded: {}", r.text());
    assert_eq!(r.header("x-auth-user"), Some("admin"));
    let r = gh.get("/anything", &[("Authorization", &user)]);
    assert_eq!(r.status, 200);
    assert_eq!(r.echoed("x-auth-user"), ["TestUser"]);
}
