//! Configuration: the validated, typed model the rest of gatehouse runs on, and loading
//! it from a TOML file.
//!
//! Three layers, only the last of which the program sees:
//! 1. `schema.rs`: serde structs mirroring the file (`deny_unknown_fields`); each
//!    `[dialects.<name>]` table stays TOML here and is typed by its dialect;
//! 2. `validate.rs`: raw -> typed, collecting every problem with its file, line and key;
//!    `validate/dialects.rs` hands each dialect the `TableReader` it validates its
//!    own table with;
//! 3. [`Config`] (this file): parsed addresses, durations, keys, users and routes.
//!
//! Syntax and shape errors (bad TOML, an unknown key, a string where a number belongs)
//! come from the TOML deserializer, which stops at the first one; every semantic problem
//! after that (addresses, durations, hashes, key references, duplicates, secrets) is
//! collected and reported together.

mod error;
mod schema;
pub mod secret;
mod validate;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

pub use error::{ConfigError, ConfigErrors, KeyPath};
use ipnet::IpNet;

use crate::credentials::CredentialRules;
use crate::dialects::Enabled;
use crate::identity::IdentityHeaders;
use crate::keys::Key;
use crate::routes::{Access, RouteRule};
use crate::users::User;

/// The default configuration file, relative to the working directory.
pub const DEFAULT_PATH: &str = "config/gatehouse.toml";

/// A validated configuration.
#[derive(Debug)]
pub struct Config {
    /// The file it was read from, as given (for messages).
    pub file: String,
    pub listen: Listen,
    pub admin: Admin,
    pub upstream: Upstream,
    pub server: ServerSettings,
    pub keys: Vec<Arc<Key>>,
    pub users: Vec<User>,
    pub auth: Auth,
    pub identity: IdentityHeaders,
    pub routes: Vec<RouteRule>,
    pub default_access: Access,
    /// The enabled dialects, in registry order.
    pub dialects: Vec<Enabled>,
    pub dialect_limits: DialectLimits,
    pub access_log: crate::access_log::AccessLogFormat,
    /// `[state]`: where blacklists, revocations and shared counters live.
    pub state: crate::store::StateSettings,
    /// `[user_database]`: users read from the application's database, beside `users`.
    pub user_database: Option<crate::users::database::DatabaseSettings>,
    /// `[[issuers]]`: external token issuers (`issuers.rs`).
    pub issuers: Vec<crate::issuers::settings::IssuerSettings>,
    /// `[decision]`: the decision endpoint (`decision_endpoint.rs`).
    pub decision: Option<crate::decision_endpoint::DecisionSettings>,
    /// Things that work but deserve attention (inline secrets); printed at start and by `check`.
    pub warnings: Vec<String>,
    /// The files this configuration was read from (itself, users files, key and hash
    /// files): a change to any of them triggers a reload.
    pub watched: Vec<PathBuf>,
}

/// Limits on the requests dialect endpoints read.
#[derive(Debug, Clone)]
pub struct DialectLimits {
    pub max_body_bytes: usize,
    pub body_timeout: Duration,
}

impl Default for DialectLimits {
    fn default() -> Self {
        Self {
            max_body_bytes: 16 * 1024,
            body_timeout: Duration::from_secs(10),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Listen {
    pub address: SocketAddr,
    pub tls: Option<ListenTls>,
    pub trusted_proxies: Vec<IpNet>,
    pub max_header_bytes: usize,
    pub max_uri_bytes: usize,
    pub max_connections: usize,
    pub header_timeout: Duration,
    pub http2: ListenHttp2,
}

/// `[listen]`'s HTTP/2 settings. The header list limit is `max_header_bytes`, the same
/// bound as on HTTP/1.1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListenHttp2 {
    /// h2c with prior knowledge beside HTTP/1.1 on a plaintext listener.
    pub h2c: bool,
    /// `h2` offered by ALPN on a TLS listener.
    pub alpn_h2: bool,
    pub max_concurrent_streams: u32,
    pub idle_timeout: Duration,
}

#[derive(Debug, Clone)]
pub struct ListenTls {
    pub cert_file: PathBuf,
    pub key_file: PathBuf,
}

#[derive(Debug, Clone)]
pub struct Admin {
    pub address: SocketAddr,
    /// `[admin] token`: admits `/revocations` calls from other hosts.
    pub token: Option<secret::Secret>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpstreamTarget {
    /// The built-in echo upstream on a private Unix socket.
    BuiltinEcho,
    /// A TCP upstream, resolved once at load time; `host` is what was written (for SNI).
    Tcp { address: SocketAddr, host: String },
    /// `"none"`: decision-only mode; nothing is forwarded.
    None,
}

#[derive(Debug, Clone)]
pub struct Upstream {
    pub target: UpstreamTarget,
    pub tls: Option<UpstreamTls>,
    pub connect_timeout: Duration,
    pub read_timeout: Duration,
    pub write_timeout: Duration,
    pub idle_timeout: Duration,
    pub protocol: UpstreamProtocol,
}

/// How gatehouse speaks to the upstream (`[upstream] protocol`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpstreamProtocol {
    Http1,
    /// HTTP/2 over TLS, negotiated by ALPN.
    H2,
    /// HTTP/2 in cleartext with prior knowledge.
    H2c,
}

impl UpstreamProtocol {
    pub fn name(self) -> &'static str {
        match self {
            UpstreamProtocol::Http1 => "http1",
            UpstreamProtocol::H2 => "h2",
            UpstreamProtocol::H2c => "h2c",
        }
    }

    /// Whether gRPC can pass: it needs HTTP/2 end to end (trailers).
    pub fn carries_grpc(self) -> bool {
        self != UpstreamProtocol::Http1
    }
}

#[derive(Debug, Clone)]
pub struct UpstreamTls {
    pub sni: String,
    pub ca_file: Option<PathBuf>,
    pub verify_cert: bool,
}

#[derive(Debug, Clone)]
pub struct ServerSettings {
    pub threads: usize,
    pub work_stealing: bool,
    pub grace_period: Duration,
    pub shutdown_timeout: Duration,
    pub hash_workers: usize,
    pub hash_queue: usize,
    pub upgrade_sock: String,
    pub pid_file: String,
    pub watch_interval: Duration,
}

#[derive(Debug, Clone)]
pub struct Auth {
    pub credentials: CredentialRules,
    pub realm: String,
    pub forward_credentials: bool,
    pub cache_capacity: u64,
    pub cache_ttl: Duration,
    pub negative_cache_ttl: Duration,
    pub leeway: Duration,
    /// The key that signs gatehouse's own tokens, if any key can sign.
    pub token_key: Option<Arc<Key>>,
    pub token_lifetime: Duration,
    pub issuer: String,
    pub rate_limit: crate::ratelimit::LimitSettings,
}

impl Config {
    /// Reads and validates `path`. Relative paths inside the file (key files, users
    /// files, certificates) are resolved against the file's directory.
    pub fn load(path: &Path) -> Result<Self, ConfigErrors> {
        let file = path.display().to_string();
        let source = secret::read_bounded_text(path).map_err(|e| {
            ConfigErrors(vec![ConfigError {
                file: file.clone(),
                line: None,
                key: String::new(),
                message: format!("cannot read the configuration: {e}"),
            }])
        })?;
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let mut config =
            Self::from_source(&file, &source, &base, &|name| std::env::var(name).ok())?;
        config.watched.insert(0, path.to_path_buf());
        Ok(config)
    }

    /// Validates configuration text. `env` looks up environment variables (tests pass a
    /// map instead of touching the process environment).
    pub fn from_source(
        file: &str,
        source: &str,
        base: &Path,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigErrors> {
        validate::validate(file, source, base, env)
    }

    /// A few lines saying what will run, for `gatehouse check`.
    pub fn summary(&self) -> String {
        let upstream = match &self.upstream.target {
            UpstreamTarget::BuiltinEcho => "builtin:echo".to_owned(),
            UpstreamTarget::None => {
                "none (decision endpoint and dialect endpoints only)".to_owned()
            }
            UpstreamTarget::Tcp { address, host } => {
                let tls = if self.upstream.tls.is_some() {
                    " (TLS)"
                } else {
                    ""
                };
                format!("{host} ({address}){tls}")
            }
        };
        let upstream = match self.upstream.protocol {
            UpstreamProtocol::Http1 => upstream,
            protocol => format!("{upstream} over {}", protocol.name()),
        };
        let c = &self.auth.credentials;
        let mut kinds = Vec::new();
        if c.bearer {
            kinds.push("bearer".to_owned());
        }
        if c.basic {
            kinds.push("basic".to_owned());
        }
        if c.header_pair {
            kinds.push(format!(
                "header pair ({}/{})",
                c.username_header, c.password_header
            ));
        }
        if let Some(h) = &c.token_header {
            kinds.push(format!("token header ({h})"));
        }
        if let Some(cookie) = &c.cookie {
            kinds.push(format!("cookie ({cookie})"));
        }
        let tls = match (self.listen.tls.is_some(), &self.listen.http2) {
            (true, http2) if http2.alpn_h2 => " (TLS, h2 and HTTP/1.1)",
            (true, _) => " (TLS, HTTP/1.1)",
            (false, http2) if http2.h2c => " (h2c and HTTP/1.1)",
            (false, _) => "",
        };
        let dialects: Vec<&str> = self.dialects.iter().map(|e| e.dialect.name()).collect();
        let state = match &self.state.backend {
            crate::store::Backend::Embedded { dir } => format!("embedded in {}", dir.display()),
            crate::store::Backend::Redis { url } => {
                format!(
                    "redis {} (prefix {:?})",
                    url.redacted(),
                    self.state.key_prefix
                )
            }
        };
        let database = match &self.user_database {
            Some(database) => format!(
                " + {} at {} (cached {:?})",
                database.url.kind().name(),
                database.url.redacted(),
                database.cache_ttl
            ),
            None => String::new(),
        };
        let issuers = if self.issuers.is_empty() {
            String::new()
        } else {
            let described: Vec<String> = self
                .issuers
                .iter()
                .map(|issuer| match &issuer.source {
                    crate::issuers::settings::KeySource::Discovery(_) => {
                        format!("{} ({}, discovery)", issuer.name, issuer.issuer)
                    }
                    crate::issuers::settings::KeySource::Jwks(url) => {
                        format!("{} ({}, jwks {url})", issuer.name, issuer.issuer)
                    }
                })
                .collect();
            format!("\nissuers  {}", described.join(", "))
        };
        format!(
            "listen   {}{tls}\nadmin    {}\nupstream {upstream}\nkeys     {}\nusers    {} ({} active){database}\nauth     {}\nroutes   {} (default: {:?})\ndialects {}\nstate    {state}{issuers}",
            self.listen.address,
            self.admin.address,
            self.keys.iter().map(|k| format!("{} ({})", k.id(), crate::keys::algorithm_name(k.algorithm()))).collect::<Vec<_>>().join(", "),
            self.users.len(),
            self.users.iter().filter(|u| u.active).count(),
            kinds.join(", "),
            self.routes.len(),
            self.default_access,
            if dialects.is_empty() { "none".to_owned() } else { dialects.join(", ") },
        )
    }
}
