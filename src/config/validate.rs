//! Raw configuration -> [`Config`]: every value parsed, every reference resolved, every
//! problem recorded with its key path, then all of them reported at once.
//!
//! Decisions where the brief is silent:
//! - Addresses are `ip:port` (no host names on listeners: a sidecar binds what it is
//!   told). The upstream may be `host:port`; it is resolved once here, so DNS changes
//!   need a reload.
//! - Durations use humane units (`500ms`, `60s`, `30m`, `1d`).
//! - Usernames may not contain `:` (Basic could not carry them) or control characters;
//!   roles may not contain `,` (the roles header is comma-separated).
//! - Duplicate usernames, emails, user ids and key ids are errors.
//! - `[auth] token_key` defaults to the first key that can sign.
//! - Inline secrets work but each one produces a warning.

use std::collections::HashSet;
use std::net::{SocketAddr, ToSocketAddrs};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use http::header::HeaderName;

use super::error::{KeyPath, Problems};
use super::schema::{RawAuth, RawConfig, RawIdentity, RawKey, RawRoute, RawUpstream};
use super::secret::SecretSpec;
use super::{
    Admin, Auth, Config, ConfigErrors, Listen, ListenTls, ServerSettings, Upstream, UpstreamTarget,
    UpstreamTls,
};
use crate::access_log::AccessLogFormat;
use crate::credentials::CredentialRules;
use crate::identity::IdentityHeaders;
use crate::keys::{parse_algorithm, Key, KeyMaterial};
use crate::routes::{normalize_path, Access, RouteRule};

mod decision;
mod dialects;
mod http2;
mod issuers;
mod state;
mod user_database;
mod users;

type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

pub(super) fn validate(
    file: &str,
    source: &str,
    base: &Path,
    env: Env<'_>,
) -> Result<Config, ConfigErrors> {
    let mut problems = Problems::new(file, source);
    let raw: RawConfig = match toml::from_str(source) {
        Ok(raw) => raw,
        Err(e) => {
            problems.at_span(e.span(), e.message().trim_end().to_owned());
            return Err(problems.into_errors());
        }
    };
    let root = KeyPath::root();
    let watched = watched_files(&raw, base);
    let mut warnings = Vec::new();
    let mut v = Validator {
        problems: &mut problems,
        base,
        env,
        warnings: &mut warnings,
        retired_keys: HashSet::new(),
    };

    let listen = v.listen(&raw, &root.key("listen"));
    let admin_address = v.socket_addr(&raw.admin.address, &root.key("admin").key("address"));
    let admin_token = v
        .secret(
            "token",
            SecretSpec {
                inline: raw.admin.token.as_deref(),
                env: raw.admin.token_env.as_deref(),
                file: raw.admin.token_file.as_deref(),
            },
            &root.key("admin"),
        )
        .ok()
        .flatten();
    if admin_token.as_ref().is_some_and(|t| t.expose().len() < 16) {
        v.problems.at(
            &root.key("admin").key("token"),
            "must be at least 16 bytes: it admits revocations from other hosts",
        );
    }
    let upstream = v.upstream(&raw.upstream, &root.key("upstream"));
    let server = v.server(&raw, &root.key("server"));
    let keys = v.keys(&raw.keys, &root.key("keys"));
    let users = v.users(&raw, &root);
    let auth = v.auth(&raw.auth, &keys, &root.key("auth"));
    let identity = v.identity(&raw.identity, &root.key("identity"));
    let routes = v.routes(&raw.routes, &root.key("routes"));
    let state = v.state(raw.state.as_ref(), &root.key("state"));
    let user_database = v.user_database(raw.user_database.as_ref(), &root.key("user_database"));
    let issuers = v.issuers(&raw.issuers, &root.key("issuers"));
    let decision = v.decision(raw.decision.as_ref(), &root.key("decision"));
    if let (Some(upstream), None) = (&upstream, &decision) {
        if upstream.target == UpstreamTarget::None && raw.dialects.tables.is_empty() {
            v.problems.at(
                &root.key("upstream").key("address"),
                "\"none\" leaves nothing to answer: add [decision] (or a dialect)",
            );
        }
    }
    if let Some(auth) = &auth {
        for (i, issuer) in issuers.iter().enumerate() {
            if issuer.issuer == auth.issuer {
                v.problems.at(
                    &root.key("issuers").index(i).key("issuer"),
                    format!(
                        "{:?} is gatehouse's own issuer ([auth] issuer): its tokens would be taken for external ones",
                        issuer.issuer
                    ),
                );
            }
        }
    }
    if user_database.is_some() {
        // Tokens name users by id, and a configured id would shadow the database user
        // with that id: a token issued to one would open the other's identity.
        for (i, user) in raw.users.iter().enumerate() {
            if user.id.is_some() {
                v.problems.at(
                    &root.key("users").index(i).key("id"),
                    "configured users cannot have ids when [user_database] is set (ids are the database's)",
                );
            }
        }
        if raw.users_file.is_some() && users.iter().any(|user| user.id.is_some()) {
            v.problems.at(
                &root.key("users_file"),
                "users from files cannot have ids when [user_database] is set (ids are the database's)",
            );
        }
    }
    let (dialects, dialect_limits) = match &auth {
        Some(auth) => v.dialects(&raw.dialects, &keys, auth, &state, &root.key("dialects")),
        None => Default::default(),
    };
    let default_access = match raw.auth.default_access.as_deref() {
        None | Some("authenticated") => Access::Authenticated,
        Some("public") => Access::Public,
        Some(other) => {
            v.problems.at(
                &root.key("auth").key("default_access"),
                format!("expected \"authenticated\" or \"public\", found {other:?}"),
            );
            Access::Authenticated
        }
    };
    let access_log = match raw.log.access.as_deref() {
        None | Some("json") => AccessLogFormat::Json,
        Some("text") => AccessLogFormat::Text,
        Some("off") => AccessLogFormat::Off,
        Some(other) => {
            v.problems.at(
                &root.key("log").key("access"),
                format!("expected \"json\", \"text\" or \"off\", found {other:?}"),
            );
            AccessLogFormat::Json
        }
    };
    if let (Some(listen), Some(admin)) = (&listen, admin_address) {
        if listen.address == admin {
            v.problems.at(
                &root.key("admin").key("address"),
                "must differ from [listen] address",
            );
        }
    }

    match (listen, admin_address, upstream, server, auth, identity) {
        (Some(listen), Some(admin), Some(upstream), Some(server), Some(auth), Some(identity))
            if problems.is_empty() =>
        {
            problems.into_result(Config {
                file: file.to_owned(),
                listen,
                admin: Admin {
                    address: admin,
                    token: admin_token,
                },
                upstream,
                server,
                keys,
                users,
                auth,
                identity,
                routes,
                default_access,
                dialects,
                dialect_limits,
                access_log,
                state,
                user_database,
                issuers,
                decision,
                warnings,
                watched,
            })
        }
        _ => Err(problems.into_errors()),
    }
}

pub(super) struct Validator<'p, 'a> {
    pub(super) problems: &'p mut Problems<'a>,
    base: &'p Path,
    env: Env<'p>,
    pub(super) warnings: &'p mut Vec<String>,
    /// `[[keys]]` ids marked `retired`: kept out of every use, named in errors.
    retired_keys: HashSet<String>,
}

impl Validator<'_, '_> {
    fn socket_addr(&mut self, text: &str, path: &KeyPath) -> Option<SocketAddr> {
        match text.parse::<SocketAddr>() {
            Ok(addr) => Some(addr),
            Err(_) => {
                self.problems.at(
                    path,
                    format!("expected ip:port (e.g. \"127.0.0.1:9778\"), found {text:?}"),
                );
                None
            }
        }
    }

    pub(super) fn duration(
        &mut self,
        text: Option<&str>,
        default: Duration,
        path: &KeyPath,
    ) -> Duration {
        let Some(text) = text else { return default };
        match humantime::parse_duration(text) {
            Ok(d) => d,
            Err(_) => {
                self.problems.at(path, format!("expected a duration such as \"500ms\", \"60s\", \"30m\" or \"1d\", found {text:?}"));
                default
            }
        }
    }

    fn file_exists(&mut self, file: &str, path: &KeyPath) -> std::path::PathBuf {
        let full = self.base.join(file);
        if let Err(e) = super::secret::check_regular(&full) {
            self.problems
                .at(path, format!("cannot read `{}`: {e}", full.display()));
        }
        full
    }

    fn listen(&mut self, raw: &RawConfig, path: &KeyPath) -> Option<Listen> {
        let address = self.socket_addr(&raw.listen.address, &path.key("address"));
        let tls = raw.listen.tls.as_ref().map(|tls| ListenTls {
            cert_file: self.file_exists(&tls.cert_file, &path.key("tls").key("cert_file")),
            key_file: self.file_exists(&tls.key_file, &path.key("tls").key("key_file")),
        });
        let mut trusted_proxies = Vec::new();
        for (i, entry) in raw.listen.trusted_proxies.iter().enumerate() {
            let parsed = entry
                .parse::<ipnet::IpNet>()
                .or_else(|_| entry.parse::<std::net::IpAddr>().map(ipnet::IpNet::from));
            match parsed {
                Ok(net) => trusted_proxies.push(net),
                Err(_) => self.problems.at(
                    &path.key("trusted_proxies").index(i),
                    format!(
                        "expected an IP address or CIDR (e.g. \"10.0.0.0/8\"), found {entry:?}"
                    ),
                ),
            }
        }
        let max_header_bytes = raw.listen.max_header_bytes.unwrap_or(32 * 1024);
        if !(1024..=1024 * 1024).contains(&max_header_bytes) {
            self.problems.at(
                &path.key("max_header_bytes"),
                "must be between 1024 and 1048576",
            );
        }
        let max_uri_bytes = raw.listen.max_uri_bytes.unwrap_or(8 * 1024);
        if !(256..=1024 * 1024).contains(&max_uri_bytes) {
            self.problems.at(
                &path.key("max_uri_bytes"),
                "must be between 256 and 1048576",
            );
        }
        let max_connections = raw.listen.max_connections.unwrap_or(10_000);
        if max_connections == 0 {
            self.problems
                .at(&path.key("max_connections"), "must be at least 1");
        }
        let header_timeout = self.duration(
            raw.listen.header_timeout.as_deref(),
            Duration::from_secs(10),
            &path.key("header_timeout"),
        );
        if header_timeout.is_zero() {
            self.problems
                .at(&path.key("header_timeout"), "must be longer than 0s");
        }
        let http2 = self.listen_http2(&raw.listen, path);
        Some(Listen {
            address: address?,
            tls,
            trusted_proxies,
            max_header_bytes,
            max_uri_bytes,
            max_connections,
            header_timeout,
            http2,
        })
    }

    fn upstream(&mut self, raw: &RawUpstream, path: &KeyPath) -> Option<Upstream> {
        let target = if raw.address == "none" {
            if raw.tls {
                self.problems
                    .at(&path.key("tls"), "there is no upstream to speak TLS to");
            }
            Some(UpstreamTarget::None)
        } else if raw.address == "builtin:echo" {
            if raw.tls {
                self.problems.at(
                    &path.key("tls"),
                    "the built-in echo upstream does not speak TLS",
                );
            }
            Some(UpstreamTarget::BuiltinEcho)
        } else {
            match raw.address.rsplit_once(':') {
                Some((host, port)) if !host.is_empty() && port.parse::<u16>().is_ok() => {
                    match raw.address.to_socket_addrs().map(|mut addrs| addrs.next()) {
                        Ok(Some(address)) => Some(UpstreamTarget::Tcp {
                            address,
                            host: host
                                .trim_start_matches('[')
                                .trim_end_matches(']')
                                .to_owned(),
                        }),
                        _ => {
                            self.problems.at(
                                &path.key("address"),
                                format!("cannot resolve {:?}", raw.address),
                            );
                            None
                        }
                    }
                }
                _ => {
                    self.problems.at(
                        &path.key("address"),
                        format!(
                            "expected host:port, \"builtin:echo\" or \"none\", found {:?}",
                            raw.address
                        ),
                    );
                    None
                }
            }
        };
        let tls = match (&target, raw.tls) {
            (Some(UpstreamTarget::Tcp { host, .. }), true) => Some(UpstreamTls {
                sni: raw.sni.clone().unwrap_or_else(|| host.clone()),
                ca_file: raw
                    .ca_file
                    .as_deref()
                    .map(|f| self.file_exists(f, &path.key("ca_file"))),
                verify_cert: raw.verify_cert.unwrap_or(true),
            }),
            _ => {
                for (key, given) in [
                    ("sni", raw.sni.is_some()),
                    ("ca_file", raw.ca_file.is_some()),
                    ("verify_cert", raw.verify_cert.is_some()),
                ] {
                    if given {
                        self.problems
                            .at(&path.key(key), "only applies with `tls = true`");
                    }
                }
                None
            }
        };
        let connect_timeout = self.duration(
            raw.connect_timeout.as_deref(),
            Duration::from_secs(2),
            &path.key("connect_timeout"),
        );
        let read_timeout = self.duration(
            raw.read_timeout.as_deref(),
            Duration::from_secs(60),
            &path.key("read_timeout"),
        );
        let write_timeout = self.duration(
            raw.write_timeout.as_deref(),
            Duration::from_secs(60),
            &path.key("write_timeout"),
        );
        let idle_timeout = self.duration(
            raw.idle_timeout.as_deref(),
            Duration::from_secs(60),
            &path.key("idle_timeout"),
        );
        let echo = matches!(target, Some(UpstreamTarget::BuiltinEcho));
        let protocol = self.upstream_protocol(raw, tls.is_some(), echo, path);
        Some(Upstream {
            target: target?,
            protocol,
            tls,
            connect_timeout,
            read_timeout,
            write_timeout,
            idle_timeout,
        })
    }

    fn server(&mut self, raw: &RawConfig, path: &KeyPath) -> Option<ServerSettings> {
        let s = &raw.server;
        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1);
        let threads = s.threads.unwrap_or(cores);
        if threads == 0 || threads > 1024 {
            self.problems
                .at(&path.key("threads"), "must be between 1 and 1024");
        }
        let hash_workers = s.hash_workers.unwrap_or((cores / 2).max(1));
        if hash_workers == 0 || hash_workers > 256 {
            self.problems
                .at(&path.key("hash_workers"), "must be between 1 and 256");
        }
        let grace_period = self.duration(
            s.grace_period.as_deref(),
            Duration::from_secs(10),
            &path.key("grace_period"),
        );
        let shutdown_timeout = self.duration(
            s.shutdown_timeout.as_deref(),
            Duration::from_secs(5),
            &path.key("shutdown_timeout"),
        );
        let watch_interval = self.duration(
            s.watch_interval.as_deref(),
            Duration::from_secs(2),
            &path.key("watch_interval"),
        );
        Some(ServerSettings {
            threads,
            work_stealing: s.work_stealing.unwrap_or(false),
            grace_period,
            shutdown_timeout,
            hash_workers,
            hash_queue: s.hash_queue.unwrap_or(64),
            upgrade_sock: s
                .upgrade_sock
                .clone()
                .unwrap_or_else(|| "/tmp/gatehouse_upgrade.sock".into()),
            pid_file: s
                .pid_file
                .clone()
                .unwrap_or_else(|| "/tmp/gatehouse.pid".into()),
            watch_interval,
        })
    }

    fn keys(&mut self, raw: &[RawKey], path: &KeyPath) -> Vec<Arc<Key>> {
        let mut keys = Vec::new();
        let mut seen = HashSet::new();
        for (i, key) in raw.iter().enumerate() {
            let at = path.index(i);
            if key.id.is_empty() || key.id.chars().any(char::is_control) {
                self.problems
                    .at(&at.key("id"), "must be non-empty printable text");
                continue;
            }
            if !seen.insert(key.id.clone()) {
                self.problems
                    .at(&at.key("id"), format!("duplicate key id {:?}", key.id));
                continue;
            }
            let algorithm = match parse_algorithm(&key.algorithm) {
                Ok(a) => a,
                Err(e) => {
                    self.problems.at(&at.key("algorithm"), e.to_string());
                    continue;
                }
            };
            let secret = self.secret(
                "secret",
                SecretSpec {
                    inline: key.secret.as_deref(),
                    env: key.secret_env.as_deref(),
                    file: key.secret_file.as_deref(),
                },
                &at,
            );
            let private = self.secret(
                "private_key",
                SecretSpec {
                    inline: key.private_key.as_deref(),
                    env: key.private_key_env.as_deref(),
                    file: key.private_key_file.as_deref(),
                },
                &at,
            );
            let public = match (&key.public_key, &key.public_key_file) {
                (Some(_), Some(_)) => {
                    self.problems.at(
                        &at.key("public_key"),
                        "give only one of `public_key` and `public_key_file`",
                    );
                    continue;
                }
                (Some(inline), None) => Some(inline.as_bytes().to_vec()),
                (None, Some(file)) => match super::secret::read_relative(self.base, file) {
                    Ok(bytes) => Some(bytes),
                    Err(e) => {
                        self.problems.at(&at.key("public_key_file"), e.to_string());
                        continue;
                    }
                },
                (None, None) => None,
            };
            let (Ok(secret), Ok(private)) = (secret, private) else {
                continue;
            };
            let hmac = crate::keys::algorithm_name(algorithm).starts_with("HS");
            let pem_given = private.is_some() || public.is_some();
            // Hand over whichever kind of material was written; `Key::new` explains a
            // mismatch between it and the algorithm.
            let material = if (hmac && !pem_given) || (!hmac && secret.is_some()) {
                KeyMaterial::Hmac(secret.as_ref().map(|s| s.expose()))
            } else {
                KeyMaterial::Pem {
                    private: private.as_ref().map(|s| s.expose()),
                    public: public.as_deref(),
                }
            };
            let key_at = if hmac {
                at.key("secret")
            } else {
                at.key("algorithm")
            };
            match Key::new(&key.id, algorithm, material) {
                // A retired key is still checked, so that un-retiring it cannot surprise.
                Ok(_) if key.retired == Some(true) => {
                    self.retired_keys.insert(key.id.clone());
                }
                Ok(k) => keys.push(Arc::new(k)),
                Err(e) => self.problems.at(&key_at, e.to_string()),
            }
        }
        keys
    }

    /// Resolves a secret, warning about inline ones.
    #[allow(clippy::result_unit_err)]
    fn secret(
        &mut self,
        name: &str,
        spec: SecretSpec<'_>,
        at: &KeyPath,
    ) -> Result<Option<super::secret::Secret>, ()> {
        match spec.resolve(name, self.base, self.env) {
            Ok(Some(secret)) => {
                if secret.is_inline() {
                    self.warnings.push(format!(
                        "{}: {} is inline; prefer `{name}_env` or `{name}_file` outside demos",
                        self.problems_file(),
                        at.key(name)
                    ));
                }
                Ok(Some(secret))
            }
            Ok(None) => Ok(None),
            Err(e) => {
                let key = if spec.env.is_some() {
                    format!("{name}_env")
                } else if spec.file.is_some() {
                    format!("{name}_file")
                } else {
                    name.to_owned()
                };
                self.problems.at(&at.key(&key), e.to_string());
                Err(())
            }
        }
    }

    pub(super) fn problems_file(&self) -> String {
        self.problems.file().to_owned()
    }

    fn header_name(
        &mut self,
        value: Option<&str>,
        default: &'static str,
        at: &KeyPath,
    ) -> HeaderName {
        let Some(value) = value else {
            return HeaderName::from_static(default);
        };
        match HeaderName::from_bytes(value.as_bytes()) {
            Ok(name) => name,
            Err(_) => {
                self.problems
                    .at(at, format!("{value:?} is not a valid header name"));
                HeaderName::from_static(default)
            }
        }
    }

    fn auth(&mut self, raw: &RawAuth, keys: &[Arc<Key>], at: &KeyPath) -> Option<Auth> {
        let username_header = self.header_name(
            raw.username_header.as_deref(),
            "user-name",
            &at.key("username_header"),
        );
        let password_header = self.header_name(
            raw.password_header.as_deref(),
            "password",
            &at.key("password_header"),
        );
        let token_header = raw
            .token_header
            .as_deref()
            .map(|h| self.header_name(Some(h), "x-auth-token", &at.key("token_header")));
        if let Some(cookie) = &raw.cookie {
            if cookie.is_empty()
                || !cookie
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
            {
                self.problems.at(
                    &at.key("cookie"),
                    "cookie names are letters, digits, `-`, `_` and `.`",
                );
            }
        }
        let realm = raw.realm.clone().unwrap_or_else(|| "gatehouse".into());
        if realm.is_empty()
            || realm
                .bytes()
                .any(|b| b == b'"' || b == b'\\' || !(0x20..0x7f).contains(&b))
        {
            self.problems.at(
                &at.key("realm"),
                "must be printable ASCII without quotes or backslashes",
            );
        }
        let max_token_bytes = raw.max_token_bytes.unwrap_or(8 * 1024);
        if !(256..=1024 * 1024).contains(&max_token_bytes) {
            self.problems.at(
                &at.key("max_token_bytes"),
                "must be between 256 and 1048576",
            );
        }
        let cache_capacity = raw.cache_capacity.unwrap_or(100_000);
        if cache_capacity == 0 {
            self.problems
                .at(&at.key("cache_capacity"), "must be at least 1");
        }
        let token_key = match &raw.token_key {
            Some(id) => self.signing_key(id, keys, &at.key("token_key")),
            None => keys.iter().find(|k| k.can_sign()).cloned(),
        };
        let defaults = crate::ratelimit::LimitSettings::default();
        let limit_at = at.key("rate_limit");
        let raw_limit = raw.rate_limit.as_ref();
        let rate_limit = crate::ratelimit::LimitSettings {
            enabled: raw_limit
                .and_then(|r| r.enabled)
                .unwrap_or(defaults.enabled),
            per_client: raw_limit
                .and_then(|r| r.per_client)
                .unwrap_or(defaults.per_client),
            per_user: raw_limit
                .and_then(|r| r.per_user)
                .unwrap_or(defaults.per_user),
            window: self.duration(
                raw_limit.and_then(|r| r.window.as_deref()),
                defaults.window,
                &limit_at.key("window"),
            ),
        };
        if rate_limit.per_client == 0 || rate_limit.per_user == 0 {
            self.problems.at(&limit_at, "per_client and per_user must be at least 1 (use enabled = false to turn limits off)");
        }
        let credentials = CredentialRules {
            bearer: raw.bearer.unwrap_or(true),
            basic: raw.basic.unwrap_or(true),
            header_pair: raw.header_pair.unwrap_or(true),
            username_header,
            password_header,
            token_header,
            cookie: raw.cookie.clone(),
            max_token_bytes,
        };
        Some(Auth {
            credentials,
            realm,
            forward_credentials: raw.forward_credentials.unwrap_or(false),
            cache_capacity,
            cache_ttl: self.duration(
                raw.cache_ttl.as_deref(),
                Duration::from_secs(300),
                &at.key("cache_ttl"),
            ),
            negative_cache_ttl: self.duration(
                raw.negative_cache_ttl.as_deref(),
                Duration::from_secs(10),
                &at.key("negative_cache_ttl"),
            ),
            leeway: self.duration(raw.leeway.as_deref(), Duration::ZERO, &at.key("leeway")),
            token_key,
            token_lifetime: self.duration(
                raw.token_lifetime.as_deref(),
                Duration::from_secs(3600),
                &at.key("token_lifetime"),
            ),
            issuer: raw.issuer.clone().unwrap_or_else(|| "gatehouse".into()),
            rate_limit,
        })
    }

    fn identity(&mut self, raw: &RawIdentity, at: &KeyPath) -> Option<IdentityHeaders> {
        let names = [
            self.header_name(raw.user.as_deref(), "x-auth-user", &at.key("user")),
            self.header_name(raw.user_id.as_deref(), "x-auth-user-id", &at.key("user_id")),
            self.header_name(raw.email.as_deref(), "x-auth-email", &at.key("email")),
            self.header_name(raw.roles.as_deref(), "x-auth-roles", &at.key("roles")),
            self.header_name(raw.method.as_deref(), "x-auth-method", &at.key("method")),
            self.header_name(
                raw.token_id.as_deref(),
                "x-auth-token-id",
                &at.key("token_id"),
            ),
            self.header_name(raw.issuer.as_deref(), "x-auth-issuer", &at.key("issuer")),
        ];
        let unique: HashSet<&HeaderName> = names.iter().collect();
        if unique.len() != names.len() {
            self.problems
                .at(at, "identity header names must all differ");
        }
        Some(IdentityHeaders::new(names))
    }

    fn routes(&mut self, raw: &[RawRoute], at: &KeyPath) -> Vec<RouteRule> {
        let mut routes = Vec::new();
        for (i, route) in raw.iter().enumerate() {
            let at = at.index(i);
            let prefix = match normalize_path(&route.prefix) {
                Ok(normal) if normal == route.prefix => route.prefix.clone(),
                Ok(normal) => {
                    self.problems.at(
                        &at.key("prefix"),
                        format!("write the normalised form {normal:?}"),
                    );
                    continue;
                }
                Err(e) => {
                    self.problems.at(&at.key("prefix"), format!("{e}"));
                    continue;
                }
            };
            let methods = route.methods.as_ref().map(|methods| {
                methods
                    .iter()
                    .enumerate()
                    .filter_map(|(j, m)| match http::Method::from_bytes(m.as_bytes()) {
                        Ok(method) if m.bytes().all(|b| b.is_ascii_uppercase()) => Some(method),
                        _ => {
                            self.problems.at(
                                &at.key("methods").index(j),
                                format!("{m:?} is not an upper-case HTTP method"),
                            );
                            None
                        }
                    })
                    .collect::<Vec<_>>()
                    .into_boxed_slice()
            });
            let access = match (route.access.as_deref(), route.roles.as_deref()) {
                (Some("public"), Some(_)) => {
                    self.problems
                        .at(&at.key("access"), "a public route cannot require roles");
                    continue;
                }
                (Some("public"), None) => Access::Public,
                (None | Some("authenticated"), Some([])) => {
                    self.problems
                        .at(&at.key("roles"), "must name at least one role");
                    continue;
                }
                (None | Some("authenticated"), Some(roles)) => {
                    Access::AnyRole(roles.to_vec().into_boxed_slice())
                }
                (None | Some("authenticated"), None) => Access::Authenticated,
                (Some(other), _) => {
                    self.problems.at(
                        &at.key("access"),
                        format!("expected \"public\" or \"authenticated\", found {other:?}"),
                    );
                    continue;
                }
            };
            routes.push(RouteRule {
                prefix,
                methods,
                access,
            });
        }
        routes
    }
}

impl Validator<'_, '_> {
    /// A `[[keys]]` id that can sign.
    pub(super) fn signing_key(
        &mut self,
        id: &str,
        keys: &[Arc<Key>],
        at: &KeyPath,
    ) -> Option<Arc<Key>> {
        let key = self.usable_key(id, keys, at)?;
        if key.can_sign() {
            return Some(key);
        }
        self.problems
            .at(at, format!("key {id:?} has no private key, it cannot sign"));
        None
    }

    /// A `[[keys]]` id that exists and is not retired.
    pub(super) fn usable_key(
        &mut self,
        id: &str,
        keys: &[Arc<Key>],
        at: &KeyPath,
    ) -> Option<Arc<Key>> {
        if let Some(key) = keys.iter().find(|k| k.id() == id) {
            return Some(key.clone());
        }
        let problem = if self.retired_keys.contains(id) {
            format!("key {id:?} is retired")
        } else {
            format!("no [[keys]] entry has id {id:?}")
        };
        self.problems.at(at, problem);
        None
    }
}

/// Files the configuration reads besides itself, for change detection.
fn watched_files(raw: &RawConfig, base: &Path) -> Vec<std::path::PathBuf> {
    let users_files = raw
        .users_file
        .as_ref()
        .map(|f| f.to_vec())
        .unwrap_or_default();
    let mut files: Vec<&str> = users_files.iter().map(String::as_str).collect();
    for key in &raw.keys {
        files.extend(key.secret_file.as_deref());
        files.extend(key.private_key_file.as_deref());
        files.extend(key.public_key_file.as_deref());
    }
    for user in &raw.users {
        files.extend(user.password_hash_file.as_deref());
    }
    if let Some(tls) = &raw.listen.tls {
        files.push(&tls.cert_file);
        files.push(&tls.key_file);
    }
    files.into_iter().map(|f| base.join(f)).collect()
}
