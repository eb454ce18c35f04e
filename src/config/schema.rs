//! The raw shape of `gatehouse.toml`, exactly as written, before any validation.
//!
//! These structs only mirror the file: every value that needs parsing (addresses,
//! durations, algorithms, hashes) stays a string here so that the validator can report
//! all of them at once with their key paths. Unknown keys are refused
//! (`deny_unknown_fields`): a misspelt `forward_credentails` must not silently keep the
//! secure default off or on.

use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    /// Extra user files: `*.toml` (with `[[users]]`) or htpasswd (bcrypt entries).
    #[serde(default)]
    pub users_file: Option<OneOrMany>,
    pub listen: RawListen,
    pub admin: RawAdmin,
    pub upstream: RawUpstream,
    #[serde(default)]
    pub server: RawServer,
    #[serde(default)]
    pub keys: Vec<RawKey>,
    #[serde(default)]
    pub users: Vec<RawUser>,
    #[serde(default)]
    pub auth: RawAuth,
    #[serde(default)]
    pub identity: RawIdentity,
    #[serde(default)]
    pub routes: Vec<RawRoute>,
    #[serde(default)]
    pub dialects: RawDialects,
    #[serde(default)]
    pub log: RawLog,
    pub state: Option<RawState>,
    pub user_database: Option<RawUserDatabase>,
    /// External token issuers (OIDC discovery or a JWKS URL).
    #[serde(default)]
    pub issuers: Vec<RawIssuer>,
    /// The decision endpoint for other proxies (auth_request, forward_auth, ext_authz).
    pub decision: Option<RawDecision>,
}

/// `[decision]`: "may this request pass, and as whom?" for another proxy.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDecision {
    pub prefix: Option<String>,
    /// Peers whose `X-Forwarded-*` / `X-Original-*` headers describe the original request.
    #[serde(default)]
    pub trusted_peers: Vec<String>,
    /// Allow answers ask Envoy to drop `Authorization` before forwarding.
    pub envoy_remove_credentials: Option<bool>,
    /// "auto" (default), "x-forwarded", "x-original" or "path".
    pub original: Option<String>,
}

/// `[[issuers]]`: tokens from an identity provider, verified with its published keys.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawIssuer {
    /// The `iss` its tokens carry; discovery at `<issuer>/.well-known/openid-configuration`
    /// unless `jwks_url` is given.
    pub issuer: Option<String>,
    pub jwks_url: Option<String>,
    /// A short name for metrics and logs (default: the issuer URL's host).
    pub name: Option<String>,
    pub audiences: Option<Vec<String>>,
    /// `false` accepts any audience; must be said explicitly.
    pub audience_check: Option<bool>,
    pub algorithms: Option<Vec<String>>,
    pub leeway: Option<String>,
    pub username_claim: Option<String>,
    pub user_id_claim: Option<String>,
    pub email_claim: Option<String>,
    /// A JSON pointer (`/realm_access/roles`, `/groups`, `/scope`).
    pub roles_claim: Option<String>,
    /// The token's user must also be one of gatehouse's users (and active).
    pub require_user: Option<bool>,
    pub ca_file: Option<String>,
    pub fetch_timeout: Option<String>,
    pub min_refresh: Option<String>,
    pub max_refresh: Option<String>,
    pub refetch_interval: Option<String>,
    pub max_stale: Option<String>,
    pub startup_wait: Option<String>,
    pub max_jwks_bytes: Option<usize>,
}

/// `[user_database]`: users read from the legacy application's own database.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawUserDatabase {
    pub url: Option<String>,
    pub url_env: Option<String>,
    pub url_file: Option<String>,
    /// "django"; without it, `queries` must be given.
    pub preset: Option<String>,
    /// The preset's user table (a custom user model's).
    pub table: Option<String>,
    pub queries: Option<RawUserQueries>,
    pub cache_ttl: Option<String>,
    pub negative_cache_ttl: Option<String>,
    pub cache_capacity: Option<u64>,
    pub pool_size: Option<u32>,
    pub connect_timeout: Option<String>,
    pub query_timeout: Option<String>,
}

/// `[user_database.queries]`: one parameter each, in the database's own placeholder.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawUserQueries {
    pub by_username: Option<String>,
    pub by_email: Option<String>,
    pub by_id: Option<String>,
}

/// `[state]`: the store of blacklists, revocations and shared counters.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawState {
    /// The embedded store's directory.
    pub path: Option<String>,
    pub redis: Option<String>,
    pub redis_env: Option<String>,
    pub redis_file: Option<String>,
    pub key_prefix: Option<String>,
    pub max_stale: Option<String>,
    pub fail_open: Option<bool>,
    pub timeout: Option<String>,
}

/// `[log]`: the access log on stdout.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLog {
    /// "json" (default), "text" or "off".
    pub access: Option<String>,
}

/// `[dialects]`: shared limits, and one table per documented API. Each table stays
/// TOML here: its dialect types and validates it (`config/dialect.rs`). No
/// `deny_unknown_fields` (serde cannot combine it with `flatten`): a key that is neither
/// a limit nor a registered dialect is reported by the validator instead.
#[derive(Debug, Default, Deserialize)]
pub struct RawDialects {
    /// Largest request body a dialect endpoint reads (bytes).
    pub max_body_bytes: Option<usize>,
    /// How long reading that body may take.
    pub body_timeout: Option<String>,
    #[serde(flatten)]
    pub tables: std::collections::BTreeMap<String, toml::Value>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub fn to_vec(&self) -> Vec<String> {
        match self {
            OneOrMany::One(one) => vec![one.clone()],
            OneOrMany::Many(many) => many.clone(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawListen {
    pub address: String,
    pub tls: Option<RawListenTls>,
    /// Peers whose `X-Forwarded-For` / `X-Forwarded-Proto` are believed (IPs or CIDRs).
    #[serde(default)]
    pub trusted_proxies: Vec<String>,
    /// Largest request head (all header names and values) accepted, in bytes.
    pub max_header_bytes: Option<usize>,
    /// Longest request target (path and query) accepted, in bytes.
    pub max_uri_bytes: Option<usize>,
    /// Most downstream connections open at once; more are answered 503 and closed.
    pub max_connections: Option<usize>,
    /// Longest time a request head may take to arrive, from the connection's start or
    /// the next request's first byte.
    pub header_timeout: Option<String>,
    /// Accept HTTP/2 with prior knowledge (h2c) on a plaintext listener, beside HTTP/1.1.
    pub h2c: Option<bool>,
    /// Offer `h2` by ALPN on a TLS listener.
    pub h2: Option<bool>,
    /// Most concurrent streams an HTTP/2 client may open on one connection.
    pub h2_max_concurrent_streams: Option<u32>,
    /// How long an HTTP/2 connection with no open stream is kept.
    pub h2_idle_timeout: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawListenTls {
    pub cert_file: String,
    pub key_file: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAdmin {
    pub address: String,
    /// A bearer secret for `/revocations` calls from other hosts.
    pub token: Option<String>,
    pub token_env: Option<String>,
    pub token_file: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawUpstream {
    pub address: String,
    #[serde(default)]
    pub tls: bool,
    pub sni: Option<String>,
    pub ca_file: Option<String>,
    pub verify_cert: Option<bool>,
    pub connect_timeout: Option<String>,
    pub read_timeout: Option<String>,
    pub write_timeout: Option<String>,
    pub idle_timeout: Option<String>,
    /// "http1" (default), "h2" (over TLS, by ALPN) or "h2c" (prior knowledge).
    pub protocol: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawServer {
    /// Worker threads of the proxy service.
    pub threads: Option<usize>,
    /// Tokio work stealing between the proxy's threads. Off by default: with per-thread
    /// runtimes the cached-Bearer path measured 35.2k vs 30.5k req/s on one core
    /// (benches/load/results, 2026-11-23).
    pub work_stealing: Option<bool>,
    /// How long SIGTERM waits for in-flight requests.
    pub grace_period: Option<String>,
    /// How long the runtimes get to stop after the grace period.
    pub shutdown_timeout: Option<String>,
    /// Threads that run password hashes, and how many hashes may wait for one.
    pub hash_workers: Option<usize>,
    pub hash_queue: Option<usize>,
    pub upgrade_sock: Option<String>,
    pub pid_file: Option<String>,
    /// How often configuration files are checked for changes ("0s": never).
    pub watch_interval: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawKey {
    pub id: String,
    pub algorithm: String,
    pub secret: Option<String>,
    pub secret_env: Option<String>,
    pub secret_file: Option<String>,
    pub private_key: Option<String>,
    pub private_key_env: Option<String>,
    pub private_key_file: Option<String>,
    pub public_key: Option<String>,
    pub public_key_file: Option<String>,
    /// Kept in the file for the record but used nowhere: not for signing, verifying or
    /// JWKS.
    pub retired: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawUser {
    pub username: String,
    pub password_hash: Option<String>,
    pub password_hash_env: Option<String>,
    pub password_hash_file: Option<String>,
    pub id: Option<i64>,
    pub email: Option<String>,
    #[serde(default)]
    pub roles: Vec<String>,
    pub active: Option<bool>,
}

/// A users file in TOML: just `[[users]]` tables.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawUsersFile {
    #[serde(default)]
    pub users: Vec<RawUser>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAuth {
    pub bearer: Option<bool>,
    pub basic: Option<bool>,
    pub header_pair: Option<bool>,
    pub username_header: Option<String>,
    pub password_header: Option<String>,
    pub token_header: Option<String>,
    pub cookie: Option<String>,
    pub realm: Option<String>,
    pub forward_credentials: Option<bool>,
    pub cache_capacity: Option<u64>,
    pub cache_ttl: Option<String>,
    pub negative_cache_ttl: Option<String>,
    pub leeway: Option<String>,
    pub max_token_bytes: Option<usize>,
    /// Access for paths no `[[routes]]` entry matches: "authenticated" or "public".
    pub default_access: Option<String>,
    /// The key that signs gatehouse's own tokens (`gatehouse token` without `--dialect`).
    pub token_key: Option<String>,
    pub token_lifetime: Option<String>,
    pub issuer: Option<String>,
    pub rate_limit: Option<RawRateLimit>,
}

/// `[auth.rate_limit]`: failed credentials allowed per client and per username.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRateLimit {
    pub enabled: Option<bool>,
    pub per_client: Option<u32>,
    pub per_user: Option<u32>,
    pub window: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawIdentity {
    pub user: Option<String>,
    pub user_id: Option<String>,
    pub email: Option<String>,
    pub roles: Option<String>,
    pub method: Option<String>,
    pub token_id: Option<String>,
    pub issuer: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRoute {
    pub prefix: String,
    pub methods: Option<Vec<String>>,
    /// "public" or "authenticated"; leave out when `roles` is given.
    pub access: Option<String>,
    pub roles: Option<Vec<String>>,
}
