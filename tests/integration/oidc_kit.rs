//! The OIDC provider test kit: a real OpenID Connect provider (node-oidc-provider, npm
//! `oidc-provider`) for the tests of external token issuers, proven here on its own with
//! no gatehouse in between.
//!
//! [`OidcProvider`] runs tests/integration/oidc_kit/provider.mjs on a free loopback port;
//! its issuer is exactly `http://127.0.0.1:PORT` (no trailing slash), with discovery at
//! `/.well-known/openid-configuration` and the JWKS at `/jwks`. It signs with the
//! [`SigningKey`]s a test gives it (their kids and algorithms: RS256, PS256, ES256,
//! ES384, EdDSA), the first of them signing access tokens, and publishes all of them;
//! [`OidcProvider::restart_with`] restarts it on the same port with another key set, as
//! a rotation does. It is stopped by its PID, also when a test panics.
//!
//! [`OidcProvider::token`] makes a real client_credentials request (client_secret_basic)
//! and returns the JWT access token (typ `at+jwt`) for an audience, with claims of the
//! test's choosing merged over the provider's own. [`OidcProvider::requests`] counts the
//! requests the provider received (discovery, JWKS, token), across restarts.
//!
//! The npm packages are installed by tests/integration/oidc_kit/setup.sh into
//! `target/oidc-kit/node_modules`, once per test process; the first install needs the npm
//! registry, and is never skipped. The provider runs on the node that setup.sh names: the
//! system's when it is Node.js 20.18 or later, else a Node.js 22 it installed with npm.

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde_json::{json, Value};

use crate::harness::{output_within, terminate};
use crate::server_process::{
    kill, on_free_port, printed, spawn_logged, wait_ready, Failure, Start,
};

/// From spawning node to the ready line (loading oidc-provider takes about 0.3 s).
const START_DEADLINE: Duration = Duration::from_secs(20);
/// How provider.mjs says that the port was taken.
const EXIT_PORT_IN_USE: i32 = 3;
/// One HTTP request to the provider.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// The one client of every provider.
pub const CLIENT_ID: &str = "gatehouse-tests";
/// What access tokens live for unless a test's claims set `exp`.
pub const TOKEN_TTL_SECS: i64 = 600;

/// The kit's directory, tests/integration/oidc_kit.
fn kit() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/integration/oidc_kit")
}

/// What setup.sh set up, run once per test process: the node_modules that hold
/// oidc-provider, and the node binary to run provider.mjs with. A failed setup fails
/// every test that uses the kit, with the script's output.
pub fn installed() -> &'static Installed {
    static INSTALLED: OnceLock<Result<Installed, String>> = OnceLock::new();
    match INSTALLED.get_or_init(setup) {
        Ok(installed) => installed,
        Err(e) => panic!("{e}"),
    }
}

/// The two lines setup.sh prints.
pub struct Installed {
    pub node_modules: PathBuf,
    pub node: PathBuf,
}

fn setup() -> Result<Installed, String> {
    // Up to 300 s waiting for another process's install (the script's flock), then its own.
    const SETUP_DEADLINE: Duration = Duration::from_secs(420);
    // The target directory this test binary was built in (CARGO_TARGET_TMPDIR is its
    // tmp/), so that a --target-dir build keeps its node_modules there too.
    let target = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("CARGO_TARGET_TMPDIR has a parent");
    let mut command = Command::new("bash");
    command
        .arg(kit().join("setup.sh"))
        .env("CARGO_TARGET_DIR", target)
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    let output = output_within(&mut command, SETUP_DEADLINE)
        .map_err(|e| format!("oidc_kit/setup.sh: {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        return Err(format!(
            "oidc_kit/setup.sh failed ({}): the OIDC tests need Node.js and npm (Node.js \
             >= 20.18, or it installs one) and, for the first install, the npm \
             registry:\n{stderr}{stdout}",
            output.status
        ));
    }
    let mut lines = stdout.lines().map(|line| PathBuf::from(line.trim()));
    let node_modules = lines.next().unwrap_or_default();
    let node = lines.next().unwrap_or_default();
    if !node_modules.join("oidc-provider").is_dir() || !node.is_file() {
        return Err(format!(
            "oidc_kit/setup.sh printed no node_modules with oidc-provider and then node:\n\
             {stderr}{stdout}"
        ));
    }
    if !stderr.trim().is_empty() {
        // What it installed, and how long that took.
        eprintln!("{stderr}");
    }
    Ok(Installed { node_modules, node })
}

/// A private signing key of the provider's, with its kid and algorithm.
#[derive(Clone)]
pub struct SigningKey {
    kid: String,
    alg: Algorithm,
    /// The private JWK as oidc-provider takes it (kid and alg included).
    private_jwk: Value,
    /// The names of `private_jwk`'s public members, as a JWKS publishes them.
    public_members: &'static [&'static str],
    /// DER for jsonwebtoken: PKCS#1 for RSA, PKCS#8 for EC and Ed25519.
    der: Vec<u8>,
}

impl std::fmt::Debug for SigningKey {
    // No private parts in a test's output.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKey({} {:?})", self.kid, self.alg)
    }
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A fresh key on the curve of `$curve` (the `p256` or `p384` crate, whose types differ
/// but whose API is the same): its private JWK (`crv` `$crv`) and PKCS#8 DER.
macro_rules! ec_key {
    ($curve:ident, $crv:literal, $kid:expr, $alg:expr) => {{
        use $curve::elliptic_curve::sec1::ToEncodedPoint;
        use $curve::pkcs8::EncodePrivateKey;
        let key = $curve::SecretKey::random(&mut rand::rngs::OsRng);
        let point = key.public_key().to_encoded_point(false);
        let jwk = json!({
            "kty": "EC", "crv": $crv,
            "x": b64(point.x().expect("uncompressed")),
            "y": b64(point.y().expect("uncompressed")),
            "d": b64(&key.to_bytes()),
        });
        let der = key.to_pkcs8_der().expect("PKCS#8").as_bytes().to_vec();
        Self::new($kid, $alg, jwk, &["kty", "crv", "x", "y"], der)
    }};
}

impl SigningKey {
    /// A fresh 2048-bit RSA key for RS256.
    pub fn rs256(kid: &str) -> Self {
        Self::rsa(kid, Algorithm::RS256)
    }

    /// A fresh 2048-bit RSA key for PS256.
    pub fn ps256(kid: &str) -> Self {
        Self::rsa(kid, Algorithm::PS256)
    }

    /// A fresh P-256 key for ES256.
    pub fn es256(kid: &str) -> Self {
        ec_key!(p256, "P-256", kid, Algorithm::ES256)
    }

    /// A fresh P-384 key for ES384.
    pub fn es384(kid: &str) -> Self {
        ec_key!(p384, "P-384", kid, Algorithm::ES384)
    }

    /// A fresh Ed25519 key for EdDSA.
    pub fn eddsa(kid: &str) -> Self {
        use ed25519_dalek::pkcs8::EncodePrivateKey;
        use rand::RngCore;
        let mut secret = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut secret);
        let key = ed25519_dalek::SigningKey::from_bytes(&secret);
        let jwk = json!({
            "kty": "OKP", "crv": "Ed25519",
            "x": b64(key.verifying_key().as_bytes()),
            "d": b64(&secret),
        });
        let der = key.to_pkcs8_der().expect("PKCS#8").as_bytes().to_vec();
        Self::new(kid, Algorithm::EdDSA, jwk, &["kty", "crv", "x"], der)
    }

    fn rsa(kid: &str, alg: Algorithm) -> Self {
        use rsa::pkcs1::EncodeRsaPrivateKey;
        use rsa::traits::{PrivateKeyParts, PublicKeyParts};
        let key = rsa::RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048).expect("RSA key");
        let int = |n: &rsa::BigUint| b64(&n.to_bytes_be());
        let jwk = json!({
            "kty": "RSA",
            "n": int(key.n()),
            "e": int(key.e()),
            "d": int(key.d()),
            "p": int(&key.primes()[0]),
            "q": int(&key.primes()[1]),
            "dp": int(key.dp().expect("precomputed")),
            "dq": int(key.dq().expect("precomputed")),
            "qi": int(&key.crt_coefficient().expect("precomputed")),
        });
        let der = key.to_pkcs1_der().expect("PKCS#1").as_bytes().to_vec();
        Self::new(kid, alg, jwk, &["kty", "n", "e"], der)
    }

    fn new(
        kid: &str,
        alg: Algorithm,
        mut jwk: Value,
        public_members: &'static [&'static str],
        der: Vec<u8>,
    ) -> Self {
        jwk["kid"] = json!(kid);
        jwk["alg"] = json!(alg_name(alg));
        Self {
            kid: kid.to_owned(),
            alg,
            private_jwk: jwk,
            public_members,
            der,
        }
    }

    pub fn kid(&self) -> &str {
        &self.kid
    }

    pub fn alg(&self) -> Algorithm {
        self.alg
    }

    /// The private JWK (kid and alg included), as the provider is configured with it.
    pub fn private_jwk(&self) -> &Value {
        &self.private_jwk
    }

    /// The public JWK: `kty` with `n`, `e` (RSA) or `crv`, `x`[, `y`] (EC, OKP), `kid`,
    /// `alg`; the JWKS serves these and `"use": "sig"`.
    pub fn public_jwk(&self) -> Value {
        let mut public = serde_json::Map::new();
        for member in self.public_members.iter().chain(&["kid", "alg"]) {
            public.insert((*member).to_owned(), self.private_jwk[*member].clone());
        }
        Value::Object(public)
    }

    /// The key that verifies this key's signatures.
    pub fn decoding_key(&self) -> DecodingKey {
        let jwk = serde_json::from_value(self.public_jwk()).expect("a JWK jsonwebtoken reads");
        DecodingKey::from_jwk(&jwk).expect("a public key")
    }

    /// A JWT signed here, not by the provider: header `{alg, typ: at+jwt, kid}` as the
    /// provider's, with `claims` as the payload. For keys the provider does not hold (a
    /// forger's key under a published kid, a key not yet published).
    pub fn sign(&self, claims: &Value) -> String {
        let mut header = Header::new(self.alg);
        header.typ = Some("at+jwt".to_owned());
        header.kid = Some(self.kid.clone());
        let key = match self.alg {
            Algorithm::RS256 | Algorithm::PS256 => EncodingKey::from_rsa_der(&self.der),
            Algorithm::ES256 | Algorithm::ES384 => EncodingKey::from_ec_der(&self.der),
            Algorithm::EdDSA => EncodingKey::from_ed_der(&self.der),
            other => unreachable!("no {other:?} keys here"),
        };
        jsonwebtoken::encode(&header, claims, &key).expect("signed")
    }
}

fn alg_name(alg: Algorithm) -> &'static str {
    match alg {
        Algorithm::RS256 => "RS256",
        Algorithm::PS256 => "PS256",
        Algorithm::ES256 => "ES256",
        Algorithm::ES384 => "ES384",
        Algorithm::EdDSA => "EdDSA",
        other => unreachable!("no {other:?} keys here"),
    }
}

/// The requests a provider received since [`OidcProvider::start`], across restarts, by
/// path; each counted when it arrived.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// `GET /.well-known/openid-configuration`.
    pub discovery: usize,
    /// `GET /jwks`.
    pub jwks: usize,
    /// `POST /token`.
    pub token: usize,
    /// Every request, those above included.
    pub total: usize,
}

/// provider.mjs on 127.0.0.1, until [`stop`](Self::stop) or drop.
pub struct OidcProvider {
    /// `None` while stopped.
    child: Option<Child>,
    /// config.json, stdout (the ready line), stderr, requests.log (kept across restarts).
    dir: tempfile::TempDir,
    port: u16,
    keys: Vec<SigningKey>,
    client_secret: String,
}

impl OidcProvider {
    /// A provider on a free port, signing with `keys[0]` and publishing all of `keys`.
    pub fn start(keys: &[SigningKey]) -> Self {
        use rand::Rng;
        let client_secret: String = rand::rngs::OsRng
            .sample_iter(rand::distributions::Alphanumeric)
            .take(32)
            .map(char::from)
            .collect();
        let mut provider = Self {
            child: None,
            dir: tempfile::tempdir().expect("tempdir"),
            port: 0,
            keys: keys.to_vec(),
            client_secret,
        };
        on_free_port("provider.mjs", |port| {
            provider.port = port;
            provider.launch()
        });
        provider
    }

    /// `http://127.0.0.1:PORT`, as discovery's `issuer` and every token's `iss` say it.
    pub fn issuer(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn discovery_url(&self) -> String {
        format!("{}/.well-known/openid-configuration", self.issuer())
    }

    pub fn jwks_uri(&self) -> String {
        format!("{}/jwks", self.issuer())
    }

    pub fn token_endpoint(&self) -> String {
        format!("{}/token", self.issuer())
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The provider's PID while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// The key set it runs with now; the first one signs.
    pub fn keys(&self) -> &[SigningKey] {
        &self.keys
    }

    /// Stops the provider (if it runs) and starts it again on the same port with `keys`,
    /// as a rotation would: first `[new, old]` (the new key published and signing), later
    /// `[new]` (the old one dropped). The request counts go on.
    pub fn restart_with(&mut self, keys: &[SigningKey]) {
        self.stop();
        self.keys = keys.to_vec();
        // The port was ours a moment ago; a few tries cover a slow release of it.
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            match self.launch() {
                Ok(()) => return,
                Err(Failure::PortInUse(log)) if Instant::now() < deadline => {
                    eprintln!("provider.mjs could not have its port back yet:\n{log}");
                    std::thread::sleep(Duration::from_millis(200));
                }
                Err(Failure::PortInUse(log) | Failure::Other(log)) => {
                    panic!("provider.mjs did not restart on port {}:\n{log}", self.port)
                }
            }
        }
    }

    /// Stops the provider with SIGTERM and waits for it to exit; kills it, and fails the
    /// test, if it has not exited within 10 s. [`restart_with`](Self::restart_with)
    /// brings it back.
    pub fn stop(&mut self) {
        let Some(child) = self.child.take() else {
            return;
        };
        if let Err(e) = terminate(child) {
            panic!("the OIDC provider {e}:\n{}", self.log());
        }
    }

    /// The requests it received since [`start`](Self::start), across restarts.
    pub fn requests(&self) -> Stats {
        let log = std::fs::read_to_string(self.dir.path().join("requests.log")).unwrap_or_default();
        let mut stats = Stats::default();
        for line in log.lines() {
            stats.total += 1;
            match line {
                "GET /.well-known/openid-configuration" => stats.discovery += 1,
                "GET /jwks" => stats.jwks += 1,
                "POST /token" => stats.token += 1,
                _ => {}
            }
        }
        stats
    }

    /// What the provider printed (its warnings, failed requests) and the requests it
    /// received, one `METHOD PATH` a line.
    pub fn log(&self) -> String {
        let read = |name: &str| std::fs::read_to_string(self.dir.path().join(name));
        format!(
            "{}{}--- requests ---\n{}",
            read("stdout").unwrap_or_default(),
            read("stderr").unwrap_or_default(),
            read("requests.log").unwrap_or_default()
        )
    }

    /// A JWT access token for `audience` from a real client_credentials request, with
    /// `claims` (a JSON object) merged over the provider's own (`sub` is the client id
    /// unless set, `scope` absent unless set; `exp` is 600 s after `iat`); a `null` claim
    /// removes that claim, except `aud`, which a JWT access token must have.
    pub fn token(&self, audience: &str, claims: Value) -> String {
        self.token_with_header(audience, claims, json!({}))
    }

    /// [`token`](Self::token) with `header` merged into the JOSE header over the
    /// provider's `{alg, typ: "at+jwt", kid}`: another `kid` or `typ` (not `alg`).
    pub fn token_with_header(&self, audience: &str, claims: Value, header: Value) -> String {
        assert!(claims.is_object(), "claims must be a JSON object: {claims}");
        assert!(header.is_object(), "header must be a JSON object: {header}");
        let basic = b64_standard(&format!("{CLIENT_ID}:{}", self.client_secret));
        let agent = ureq::AgentBuilder::new().timeout(REQUEST_TIMEOUT).build();
        let response = agent
            .post(&self.token_endpoint())
            .set("Authorization", &format!("Basic {basic}"))
            .send_form(&[
                ("grant_type", "client_credentials"),
                ("audience", audience),
                ("extra_claims", &claims.to_string()),
                ("extra_header", &header.to_string()),
            ]);
        let body: Value = match response {
            Ok(response) => response.into_json().expect("a JSON token response"),
            Err(ureq::Error::Status(status, response)) => panic!(
                "the token request failed ({status}): {}\n{}",
                response.into_string().unwrap_or_default(),
                self.log()
            ),
            Err(e) => panic!("the token request failed: {e}\n{}", self.log()),
        };
        assert_eq!(body["token_type"], "Bearer", "{body}");
        body["access_token"]
            .as_str()
            .unwrap_or_else(|| panic!("no access_token in {body}"))
            .to_owned()
    }

    /// provider.mjs on `self.port` with `self.keys`, once; `Ok` when it has printed its
    /// ready line.
    fn launch(&mut self) -> Result<(), Failure> {
        assert!(self.child.is_none(), "the provider runs already");
        let keys: Vec<&Value> = self.keys.iter().map(SigningKey::private_jwk).collect();
        let config = json!({
            "modules": installed().node_modules,
            "port": self.port,
            "keys": keys,
            "client_id": CLIENT_ID,
            "client_secret": self.client_secret,
            "requests_log": self.dir.path().join("requests.log"),
        });
        let config_file = self.dir.path().join("config.json");
        std::fs::write(&config_file, config.to_string()).expect("config.json");
        let child = spawn_logged(
            Command::new(&installed().node)
                .arg(kit().join("provider.mjs"))
                .arg(&config_file),
            &self.dir.path().join("stdout"),
            &self.dir.path().join("stderr"),
        )
        .unwrap_or_else(|e| panic!("cannot run {:?}: {e}", installed().node));
        // From here on, dropping `self` kills the process.
        self.child = Some(child);
        let ready = format!("ready {}\n", self.issuer());
        let stdout = self.dir.path().join("stdout");
        match wait_ready(&mut self.child, START_DEADLINE, || printed(&stdout, &ready)) {
            Start::Ready => Ok(()),
            Start::Exited(status) => {
                let report = format!(
                    "provider.mjs exited during start-up ({status}):\n{}",
                    self.log()
                );
                Err(if status.code() == Some(EXIT_PORT_IN_USE) {
                    Failure::PortInUse(report)
                } else {
                    Failure::Other(report)
                })
            }
            Start::TimedOut => Err(Failure::Other(format!(
                "provider.mjs printed no ready line within {START_DEADLINE:?}:\n{}",
                self.log()
            ))),
        }
    }
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        // Also when the test panicked: no provider outlives its test.
        kill(&mut self.child);
        if std::thread::panicking() {
            eprintln!("--- OIDC provider log ---\n{}", self.log());
        }
    }
}

fn b64_standard(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

/// GET `url` and its JSON body; panics on anything but 200.
pub fn get_json(url: &str) -> Value {
    let agent = ureq::AgentBuilder::new().timeout(REQUEST_TIMEOUT).build();
    match agent.get(url).call() {
        Ok(response) => response.into_json().expect("a JSON body"),
        Err(e) => panic!("GET {url}: {e}"),
    }
}

/// The token's header and payload, unverified.
pub fn decode_unverified(token: &str) -> (Value, Value) {
    let part = |i: usize| -> Value {
        let part = token.split('.').nth(i).expect("a compact JWS");
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).expect("base64url")).expect("JSON")
    };
    (part(0), part(1))
}

// ---------------------------------------------------------------------------------------
// The kit proven against itself: the provider and this module, no gatehouse.
// ---------------------------------------------------------------------------------------

/// `token`'s payload once its signature verifies with the JWKS entry of `kid` as served
/// by `provider` (the issuer and audience checked too).
fn verify_with_served_jwks(provider: &OidcProvider, token: &str, audience: &str) -> Value {
    let header = jsonwebtoken::decode_header(token).expect("a JWT header");
    let kid = header.kid.expect("a kid");
    let jwks = get_json(&provider.jwks_uri());
    let entry = jwks["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .find(|key| key["kid"] == kid.as_str())
        .unwrap_or_else(|| panic!("kid {kid} not in {jwks}"))
        .clone();
    let jwk = serde_json::from_value(entry).expect("a JWK jsonwebtoken reads");
    let key = DecodingKey::from_jwk(&jwk).expect("a public key");
    let mut validation = Validation::new(header.alg);
    validation.set_issuer(&[provider.issuer()]);
    validation.set_audience(&[audience]);
    jsonwebtoken::decode::<Value>(token, &key, &validation)
        .unwrap_or_else(|e| panic!("{token} does not verify with {kid}: {e}"))
        .claims
}

fn served_kids(provider: &OidcProvider) -> Vec<String> {
    let jwks = get_json(&provider.jwks_uri());
    jwks["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .map(|key| key["kid"].as_str().expect("a kid").to_owned())
        .collect()
}

fn process_exists(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

#[test]
fn discovery_names_the_issuer_and_the_jwks_uri() {
    let provider = OidcProvider::start(&[SigningKey::es256("ec-1")]);
    let discovery = get_json(&provider.discovery_url());
    // Exactly the issuer string: no trailing slash.
    assert_eq!(discovery["issuer"], provider.issuer().as_str());
    assert!(!provider.issuer().ends_with('/'));
    assert_eq!(discovery["jwks_uri"], provider.jwks_uri().as_str());
    assert_eq!(
        discovery["token_endpoint"],
        provider.token_endpoint().as_str()
    );
    let grants = discovery["grant_types_supported"]
        .as_array()
        .expect("grants");
    assert!(grants.contains(&json!("client_credentials")), "{discovery}");
}

#[test]
fn jwks_holds_exactly_the_public_keys() {
    let keys = [
        SigningKey::rs256("rsa-1"),
        SigningKey::ps256("pss-1"),
        SigningKey::es256("ec-1"),
        SigningKey::es384("ec384-1"),
        SigningKey::eddsa("ed-1"),
    ];
    let provider = OidcProvider::start(&keys);
    let jwks = get_json(&provider.jwks_uri());
    let served = jwks["keys"].as_array().expect("keys");
    assert_eq!(served.len(), keys.len(), "{jwks}");
    for key in &keys {
        let entry = served
            .iter()
            .find(|entry| entry["kid"] == key.kid())
            .unwrap_or_else(|| panic!("{} not served: {jwks}", key.kid()));
        // The key's public members as given, its alg, and "use": "sig"; nothing private.
        let mut expected = key.public_jwk();
        expected["use"] = json!("sig");
        assert_eq!(entry, &expected, "{}", key.kid());
        for private in ["d", "p", "q", "dp", "dq", "qi"] {
            assert!(entry.get(private).is_none(), "{private} served: {entry}");
        }
    }
}

#[test]
fn token_carries_the_issuer_audience_claims_and_first_kid() {
    let first = SigningKey::rs256("rsa-1");
    let provider = OidcProvider::start(&[first.clone(), SigningKey::es256("ec-1")]);
    let claims = json!({
        "sub": "alice",
        "preferred_username": "alice",
        "email": "alice@example.com",
        "groups": ["staff", "ops"],
        "realm_access": {"roles": ["admin"]},
        "scope": "openid profile api:read",
    });
    let token = provider.token("gatehouse", claims.clone());
    let (header, _) = decode_unverified(&token);
    assert_eq!(
        header,
        json!({"alg": "RS256", "typ": "at+jwt", "kid": "rsa-1"})
    );
    let payload = verify_with_served_jwks(&provider, &token, "gatehouse");
    for (name, value) in claims.as_object().expect("object") {
        assert_eq!(&payload[name], value, "{name} in {payload}");
    }
    // The provider's own claims: a single-string aud, its client id, a 600 s lifetime.
    assert_eq!(payload["iss"], provider.issuer().as_str());
    assert_eq!(payload["aud"], "gatehouse");
    assert_eq!(payload["client_id"], CLIENT_ID);
    assert!(payload["jti"].is_string(), "{payload}");
    let (iat, exp) = (payload["iat"].as_i64(), payload["exp"].as_i64());
    assert_eq!(exp.zip(iat).map(|(e, i)| e - i), Some(TOKEN_TTL_SECS));
    // Verified by this key's own public half too, not only the served copy.
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_audience(&["gatehouse"]);
    jsonwebtoken::decode::<Value>(&token, &first.decoding_key(), &validation).expect("verifies");

    // Without claims: sub is the client, and there is no scope.
    let bare = verify_with_served_jwks(&provider, &provider.token("api", json!({})), "api");
    assert_eq!(bare["sub"], CLIENT_ID);
    assert!(bare.get("scope").is_none(), "{bare}");
}

#[test]
fn claims_and_header_can_be_bent() {
    let provider = OidcProvider::start(&[SigningKey::es256("ec-1")]);
    // A null removes a claim; aud may be a list; the header's kid and typ are the test's.
    let token = provider.token_with_header(
        "gatehouse",
        json!({"exp": null, "aud": ["gatehouse", "other"], "iss": "https://elsewhere"}),
        json!({"kid": "unknown", "typ": "JWT"}),
    );
    let (header, payload) = decode_unverified(&token);
    assert_eq!(
        header,
        json!({"alg": "ES256", "typ": "JWT", "kid": "unknown"})
    );
    assert!(payload.get("exp").is_none(), "{payload}");
    assert_eq!(payload["aud"], json!(["gatehouse", "other"]));
    assert_eq!(payload["iss"], "https://elsewhere");
    // Still the provider's signature.
    let mut validation = Validation::new(Algorithm::ES256);
    validation.required_spec_claims.clear();
    validation.validate_exp = false;
    validation.set_audience(&["gatehouse"]);
    let key = &provider.keys()[0];
    jsonwebtoken::decode::<Value>(&token, &key.decoding_key(), &validation).expect("verifies");
    // A key the provider does not hold signs the same shape of token, which the
    // provider's JWKS does not verify.
    let forger = SigningKey::es256("ec-1");
    let forged = forger.sign(&json!({"iss": provider.issuer(), "aud": "gatehouse"}));
    assert_eq!(
        decode_unverified(&forged).0,
        decode_unverified(&provider.token("x", json!({}))).0
    );
    assert!(jsonwebtoken::decode::<Value>(&forged, &key.decoding_key(), &validation).is_err());
}

#[test]
fn every_algorithm_signs_tokens_that_verify() {
    let keys = [
        SigningKey::rs256("rsa-1"),
        SigningKey::ps256("pss-1"),
        SigningKey::es256("ec-1"),
        SigningKey::es384("ec384-1"),
        SigningKey::eddsa("ed-1"),
    ];
    let mut provider = OidcProvider::start(&keys[..1]);
    for key in &keys {
        if provider.keys()[0].kid() != key.kid() {
            provider.restart_with(std::slice::from_ref(key));
        }
        let token = provider.token("gatehouse", json!({"sub": "alice"}));
        let header = jsonwebtoken::decode_header(&token).expect("header");
        assert_eq!(
            (header.alg, header.kid.as_deref()),
            (key.alg(), Some(key.kid()))
        );
        let payload = verify_with_served_jwks(&provider, &token, "gatehouse");
        assert_eq!(payload["sub"], "alice");
    }
}

#[test]
fn restart_rotates_the_keys_on_the_same_issuer() {
    let (old, new) = (SigningKey::rs256("2024"), SigningKey::es256("2025"));
    let mut provider = OidcProvider::start(std::slice::from_ref(&old));
    let issuer = provider.issuer();
    let old_token = provider.token("gatehouse", json!({}));
    assert_eq!(served_kids(&provider), ["2024"]);

    // The new key first: published and signing, the old one still published.
    provider.restart_with(&[new.clone(), old.clone()]);
    assert_eq!(provider.issuer(), issuer);
    assert_eq!(served_kids(&provider), ["2025", "2024"]);
    let new_token = provider.token("gatehouse", json!({}));
    assert_eq!(
        jsonwebtoken::decode_header(&new_token)
            .unwrap()
            .kid
            .as_deref(),
        Some("2025")
    );
    verify_with_served_jwks(&provider, &new_token, "gatehouse");
    verify_with_served_jwks(&provider, &old_token, "gatehouse");

    // Then the old one dropped: its tokens no longer find their key.
    provider.restart_with(&[new]);
    assert_eq!(served_kids(&provider), ["2025"]);
    verify_with_served_jwks(&provider, &new_token, "gatehouse");
    let discovery = get_json(&provider.discovery_url());
    assert_eq!(discovery["issuer"], issuer.as_str());
}

#[test]
fn counts_requests_across_restarts() {
    let key = SigningKey::es256("ec-1");
    let mut provider = OidcProvider::start(std::slice::from_ref(&key));
    assert_eq!(provider.requests(), Stats::default());
    for _ in 0..3 {
        get_json(&provider.jwks_uri());
    }
    get_json(&provider.discovery_url());
    provider.token("gatehouse", json!({}));
    let expected = Stats {
        discovery: 1,
        jwks: 3,
        token: 1,
        total: 5,
    };
    assert_eq!(provider.requests(), expected);

    provider.restart_with(&[key]);
    get_json(&provider.jwks_uri());
    // Anything else is counted in total only.
    let agent = ureq::AgentBuilder::new().timeout(REQUEST_TIMEOUT).build();
    let missing = agent
        .get(&format!("{}/nowhere?x=1", provider.issuer()))
        .call();
    assert!(
        matches!(missing, Err(ureq::Error::Status(404, _))),
        "{missing:?}"
    );
    let expected = Stats {
        jwks: 4,
        total: 7,
        ..expected
    };
    assert_eq!(provider.requests(), expected);
    assert!(
        provider.log().contains("GET /nowhere\n"),
        "{}",
        provider.log()
    );
}

#[test]
fn stop_and_drop_leave_no_process() {
    let mut provider = OidcProvider::start(&[SigningKey::es256("ec-1")]);
    let pid = provider.pid().expect("running");
    assert!(process_exists(pid));

    // Stopped: nothing answers on the port, and a restart brings it back there.
    provider.stop();
    assert!(!process_exists(pid));
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], provider.port()));
    assert!(std::net::TcpStream::connect_timeout(&addr, REQUEST_TIMEOUT).is_err());
    let keys = provider.keys().to_vec();
    provider.restart_with(&keys);
    get_json(&provider.discovery_url());

    let pid = provider.pid().expect("running");
    drop(provider);
    assert!(!process_exists(pid));
    assert!(std::net::TcpStream::connect_timeout(&addr, REQUEST_TIMEOUT).is_err());
}

#[test]
fn a_panicking_test_leaves_no_process() {
    let (pid_tx, pid_rx) = std::sync::mpsc::channel();
    let outcome = std::thread::spawn(move || {
        let provider = OidcProvider::start(&[SigningKey::es256("ec-1")]);
        pid_tx.send(provider.pid().expect("running")).unwrap();
        panic!("a failing test with a provider running");
    })
    .join();
    assert!(outcome.is_err());
    let pid = pid_rx.recv().unwrap();
    assert!(!process_exists(pid));
}
