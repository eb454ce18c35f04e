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
use super::schema::{
    RawAuth, RawConfig, RawDialects, RawIdentity, RawKey, RawRoute, RawSimpleDialect, RawUpstream,
    RawUser, RawUsersFile,
};
use super::secret::SecretSpec;
use super::{
    Admin, Auth, Config, ConfigErrors, DialectLimits, Listen, ListenTls, ServerSettings, Upstream,
    UpstreamTarget, UpstreamTls,
};
use crate::access_log::AccessLogFormat;
use crate::credentials::CredentialRules;
use crate::dialects::{drf_jwt, header_login, kerong, nomic, simplejwt, DialectSettings, Language};
use crate::identity::IdentityHeaders;
use crate::keys::{parse_algorithm, Key, KeyMaterial, KeyRing};
use crate::routes::{normalize_path, Access, RouteRule};
use crate::users::{parse_htpasswd, PasswordHash, User};

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
    let upstream = v.upstream(&raw.upstream, &root.key("upstream"));
    let server = v.server(&raw, &root.key("server"));
    let keys = v.keys(&raw.keys, &root.key("keys"));
    let users = v.users(&raw, &root);
    let auth = v.auth(&raw.auth, &keys, &root.key("auth"));
    let identity = v.identity(&raw.identity, &root.key("identity"));
    let routes = v.routes(&raw.routes, &root.key("routes"));
    let (dialects, dialect_limits) = match &auth {
        Some(auth) => v.dialects(&raw.dialects, &keys, auth, &root.key("dialects")),
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
                admin: Admin { address: admin },
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
                warnings,
                watched,
            })
        }
        _ => Err(problems.into_errors()),
    }
}

struct Validator<'p, 'a> {
    problems: &'p mut Problems<'a>,
    base: &'p Path,
    env: Env<'p>,
    warnings: &'p mut Vec<String>,
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

    fn duration(&mut self, text: Option<&str>, default: Duration, path: &KeyPath) -> Duration {
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
        Some(Listen {
            address: address?,
            tls,
            trusted_proxies,
            max_header_bytes,
            max_uri_bytes,
            max_connections,
            header_timeout,
        })
    }

    fn upstream(&mut self, raw: &RawUpstream, path: &KeyPath) -> Option<Upstream> {
        let target = if raw.address == "builtin:echo" {
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
                            "expected host:port or \"builtin:echo\", found {:?}",
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
        Some(Upstream {
            target: target?,
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

    fn problems_file(&self) -> String {
        self.problems.file().to_owned()
    }

    fn users(&mut self, raw: &RawConfig, root: &KeyPath) -> Vec<User> {
        let mut users = Vec::new();
        let mut seen = UserKeys::default();
        for (i, user) in raw.users.iter().enumerate() {
            if let Some(u) = self.user(user, &root.key("users").index(i), &mut seen) {
                users.push(u);
            }
        }
        let files = raw
            .users_file
            .as_ref()
            .map(|f| f.to_vec())
            .unwrap_or_default();
        for (i, file) in files.iter().enumerate() {
            let at = if matches!(raw.users_file, Some(super::schema::OneOrMany::Many(_))) {
                root.key("users_file").index(i)
            } else {
                root.key("users_file")
            };
            let full = self.base.join(file);
            let text = match super::secret::read_bounded_text(&full) {
                Ok(text) => text,
                Err(e) => {
                    self.problems
                        .at(&at, format!("cannot read `{}`: {e}", full.display()));
                    continue;
                }
            };
            if file.ends_with(".toml") {
                let display = full.display().to_string();
                let mut inner = Problems::new(&display, &text);
                let parsed: Result<RawUsersFile, _> = toml::from_str(&text);
                match parsed {
                    Ok(parsed) => {
                        let base = full.parent().unwrap_or(self.base).to_path_buf();
                        let mut nested_warnings = Vec::new();
                        let mut nested = Validator {
                            problems: &mut inner,
                            base: &base,
                            env: self.env,
                            warnings: &mut nested_warnings,
                            retired_keys: HashSet::new(),
                        };
                        for (j, user) in parsed.users.iter().enumerate() {
                            if let Some(u) =
                                nested.user(user, &KeyPath::root().key("users").index(j), &mut seen)
                            {
                                users.push(u);
                            }
                        }
                        self.warnings.extend(nested_warnings);
                    }
                    Err(e) => inner.at_span(e.span(), e.message().trim_end().to_owned()),
                }
                self.problems.extend(inner);
            } else {
                match parse_htpasswd(&text) {
                    Ok(entries) => {
                        for (username, password) in entries {
                            if !seen.usernames.insert(username.clone()) {
                                self.problems
                                    .at(&at, format!("user {username:?} is defined twice"));
                                continue;
                            }
                            users.push(User {
                                username,
                                id: None,
                                email: None,
                                roles: Vec::new(),
                                active: true,
                                password,
                            });
                        }
                    }
                    Err(e) => self.problems.at(&at, format!("`{}` {e}", full.display())),
                }
            }
        }
        users
    }

    fn user(&mut self, raw: &RawUser, at: &KeyPath, seen: &mut UserKeys) -> Option<User> {
        let mut ok = true;
        if raw.username.is_empty()
            || raw.username.contains(':')
            || raw.username.chars().any(char::is_control)
        {
            self.problems.at(
                &at.key("username"),
                "must be non-empty, without `:` or control characters",
            );
            ok = false;
        } else if !seen.usernames.insert(raw.username.clone()) {
            self.problems.at(
                &at.key("username"),
                format!("user {:?} is defined twice", raw.username),
            );
            ok = false;
        }
        if let Some(id) = raw.id {
            if !seen.ids.insert(id) {
                self.problems
                    .at(&at.key("id"), format!("user id {id} is used twice"));
                ok = false;
            }
        }
        if let Some(email) = &raw.email {
            if !email.contains('@') || email.chars().any(|c| c.is_control() || c == ',') {
                self.problems
                    .at(&at.key("email"), "is not an email address");
                ok = false;
            } else if !seen.emails.insert(email.clone()) {
                self.problems
                    .at(&at.key("email"), format!("email {email:?} is used twice"));
                ok = false;
            }
        }
        for (i, role) in raw.roles.iter().enumerate() {
            if role.is_empty()
                || role.contains(',')
                || role.chars().any(|c| c.is_control() || c.is_whitespace())
            {
                self.problems.at(
                    &at.key("roles").index(i),
                    "roles are non-empty, without commas, spaces or control characters",
                );
                ok = false;
            }
        }
        let spec = SecretSpec {
            inline: raw.password_hash.as_deref(),
            env: raw.password_hash_env.as_deref(),
            file: raw.password_hash_file.as_deref(),
        };
        // Password hashes are meant to be stored; inline ones get no warning.
        let hash = match spec.resolve("password_hash", self.base, self.env) {
            Ok(Some(secret)) => {
                let text = String::from_utf8_lossy(secret.expose()).into_owned();
                match PasswordHash::parse(text.trim()) {
                    Ok(hash) => Some(hash),
                    Err(e) => {
                        self.problems.at(&at.key("password_hash"), e.to_string());
                        None
                    }
                }
            }
            Ok(None) => {
                self.problems.at(
                    &at.key("username"),
                    "user has no `password_hash` (or `password_hash_env` / `password_hash_file`)",
                );
                None
            }
            Err(e) => {
                self.problems.at(&at.key("password_hash"), e.to_string());
                None
            }
        };
        let password = hash?;
        ok.then(|| User {
            username: raw.username.clone(),
            id: raw.id,
            email: raw.email.clone(),
            roles: raw.roles.clone(),
            active: raw.active.unwrap_or(true),
            password,
        })
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
    fn dialects(
        &mut self,
        raw: &RawDialects,
        keys: &[Arc<Key>],
        auth: &Auth,
        at: &KeyPath,
    ) -> (DialectSettings, DialectLimits) {
        let defaults = DialectLimits::default();
        let limits = DialectLimits {
            max_body_bytes: raw.max_body_bytes.unwrap_or(defaults.max_body_bytes),
            body_timeout: self.duration(
                raw.body_timeout.as_deref(),
                defaults.body_timeout,
                &at.key("body_timeout"),
            ),
        };
        if !(64..=1024 * 1024).contains(&limits.max_body_bytes) {
            self.problems
                .at(&at.key("max_body_bytes"), "must be between 64 and 1048576");
        }
        let leeway_secs = auth.leeway.as_secs();
        let max_token_bytes = auth.credentials.max_token_bytes;
        let mut settings = DialectSettings::default();
        let mut paths: Vec<(String, KeyPath)> = Vec::new();
        let enabled = |flag: Option<bool>| flag.unwrap_or(true);

        if let Some(r) = raw.kerong.as_ref().filter(|r| enabled(r.enabled)) {
            use kerong::Settings as S;
            let parts = self.simple_dialect(
                r,
                S::DEFAULT_PATH,
                S::DEFAULT_LIFETIME,
                keys,
                &at.key("kerong"),
                &mut paths,
            );
            settings.kerong = parts.map(|(path, key, lifetime)| S {
                path,
                keys: key,
                lifetime,
            });
        }
        if let Some(r) = raw.header_login.as_ref().filter(|r| enabled(r.enabled)) {
            use header_login::Settings as S;
            let parts = self.simple_dialect(
                r,
                S::DEFAULT_PATH,
                S::DEFAULT_LIFETIME,
                keys,
                &at.key("header_login"),
                &mut paths,
            );
            settings.header_login = parts.map(|(path, key, lifetime)| S {
                path,
                keys: key,
                lifetime,
            });
        }
        if let Some(r) = raw.nomic.as_ref().filter(|r| enabled(r.enabled)) {
            use nomic::Settings as S;
            let at = at.key("nomic");
            let path = self.dialect_paths(
                &at,
                &[("path", r.path.as_deref(), S::DEFAULT_PATH)],
                &mut paths,
            );
            let key = match &r.key {
                Some(id) => self.signing_key(id, keys, &at.key("key")),
                None => match nomic::generated_key() {
                    Ok(key) => Some(key),
                    Err(e) => {
                        self.problems
                            .at(&at, format!("cannot generate an RSA key: {e}"));
                        None
                    }
                },
            };
            let key = self.key_ring(key, r.verify_keys.as_deref(), keys, &at);
            let lifetime = self.duration(
                r.lifetime.as_deref(),
                S::DEFAULT_LIFETIME,
                &at.key("lifetime"),
            );
            if let (Some([path]), Some(key)) = (path.as_deref(), key) {
                settings.nomic = Some(S {
                    path: path.clone(),
                    keys: key,
                    issuer: r
                        .issuer
                        .clone()
                        .unwrap_or_else(|| S::DEFAULT_ISSUER.to_owned()),
                    lifetime,
                    leeway_secs,
                    max_token_bytes,
                });
            }
        }
        if let Some(r) = raw.simplejwt.as_ref().filter(|r| enabled(r.enabled)) {
            use simplejwt::Settings as S;
            let at = at.key("simplejwt");
            let endpoints = [
                ("path", r.path.as_deref(), S::DEFAULT_TOKEN_PATH),
                (
                    "refresh_path",
                    r.refresh_path.as_deref(),
                    S::DEFAULT_REFRESH_PATH,
                ),
                (
                    "verify_path",
                    r.verify_path.as_deref(),
                    S::DEFAULT_VERIFY_PATH,
                ),
                (
                    "blacklist_path",
                    r.blacklist_path.as_deref(),
                    S::DEFAULT_BLACKLIST_PATH,
                ),
            ];
            let endpoints = self.dialect_paths(&at, &endpoints, &mut paths);
            let key = self.signing_key(&r.key, keys, &at.key("key"));
            let key = self.key_ring(key, r.verify_keys.as_deref(), keys, &at);
            let access_lifetime = self.duration(
                r.access_lifetime.as_deref(),
                S::DEFAULT_ACCESS_LIFETIME,
                &at.key("access_lifetime"),
            );
            let refresh_lifetime = self.duration(
                r.refresh_lifetime.as_deref(),
                S::DEFAULT_REFRESH_LIFETIME,
                &at.key("refresh_lifetime"),
            );
            if refresh_lifetime > crate::dialects::BLACKLIST_KEEP {
                self.problems.at(
                    &at.key("refresh_lifetime"),
                    "at most 30 days (the blacklist keeps entries that long)",
                );
            }
            let language = self.language(r.language.as_deref(), Language::Ru, &at.key("language"));
            if let (Some([token, refresh, verify, blacklist]), Some(key)) =
                (endpoints.as_deref(), key)
            {
                settings.simplejwt = Some(S {
                    token_path: token.clone(),
                    refresh_path: refresh.clone(),
                    verify_path: verify.clone(),
                    blacklist_path: blacklist.clone(),
                    keys: key,
                    access_lifetime,
                    refresh_lifetime,
                    rotate_refresh_tokens: r.rotate_refresh_tokens.unwrap_or(false),
                    blacklist_after_rotation: r.blacklist_after_rotation.unwrap_or(false),
                    language,
                    leeway_secs,
                    max_token_bytes,
                });
            }
        }
        if let Some(r) = raw.drf_jwt.as_ref().filter(|r| enabled(r.enabled)) {
            use drf_jwt::Settings as S;
            let at = at.key("drf_jwt");
            let endpoints = [
                ("path", r.path.as_deref(), S::DEFAULT_AUTH_PATH),
                (
                    "refresh_path",
                    r.refresh_path.as_deref(),
                    S::DEFAULT_REFRESH_PATH,
                ),
                (
                    "verify_path",
                    r.verify_path.as_deref(),
                    S::DEFAULT_VERIFY_PATH,
                ),
            ];
            let endpoints = self.dialect_paths(&at, &endpoints, &mut paths);
            let key = self.signing_key(&r.key, keys, &at.key("key"));
            let key = self.key_ring(key, r.verify_keys.as_deref(), keys, &at);
            let lifetime = self.duration(
                r.lifetime.as_deref(),
                S::DEFAULT_LIFETIME,
                &at.key("lifetime"),
            );
            let refresh_window = self.duration(
                r.refresh_window.as_deref(),
                S::DEFAULT_REFRESH_WINDOW,
                &at.key("refresh_window"),
            );
            let language = self.language(r.language.as_deref(), Language::En, &at.key("language"));
            if let (Some([auth, refresh, verify]), Some(key)) = (endpoints.as_deref(), key) {
                settings.drf_jwt = Some(S {
                    auth_path: auth.clone(),
                    refresh_path: refresh.clone(),
                    verify_path: verify.clone(),
                    keys: key,
                    lifetime,
                    refresh_window,
                    allow_refresh: r.allow_refresh.unwrap_or(true),
                    language,
                    leeway_secs,
                    max_token_bytes,
                });
            }
        }
        (settings, limits)
    }

    /// A dialect's endpoint paths, as (key, given, default): each normalised and used by
    /// no other endpoint. `None` if any is wrong (each wrong one is reported).
    fn dialect_paths(
        &mut self,
        at: &KeyPath,
        endpoints: &[(&str, Option<&str>, &str)],
        taken: &mut Vec<(String, KeyPath)>,
    ) -> Option<Vec<String>> {
        let mut paths = Vec::with_capacity(endpoints.len());
        for (name, given, default) in endpoints {
            let at = at.key(name);
            let path = given.unwrap_or(default);
            let problem = match normalize_path(path) {
                Ok(normal) if normal != path => {
                    Some(format!("write the normalised form {normal:?}"))
                }
                Ok(_) if path == crate::dialects::JWKS_PATH => {
                    Some("is where JWKS is published".to_owned())
                }
                Ok(_) => taken
                    .iter()
                    .find(|(p, _)| p == path)
                    .map(|(_, other)| format!("{path:?} is already used by {other}")),
                Err(e) => Some(e.to_string()),
            };
            match problem {
                Some(problem) => self.problems.at(&at, problem),
                None => {
                    taken.push((path.to_owned(), at));
                    paths.push(path.to_owned());
                }
            }
        }
        (paths.len() == endpoints.len()).then_some(paths)
    }

    /// kerong and header_login: one path, one signing key, one lifetime.
    fn simple_dialect(
        &mut self,
        raw: &RawSimpleDialect,
        default_path: &str,
        default_lifetime: Duration,
        keys: &[Arc<Key>],
        at: &KeyPath,
        taken: &mut Vec<(String, KeyPath)>,
    ) -> Option<(String, KeyRing, Duration)> {
        let path = self.dialect_paths(at, &[("path", raw.path.as_deref(), default_path)], taken);
        let key = self.signing_key(&raw.key, keys, &at.key("key"));
        let key = self.key_ring(key, raw.verify_keys.as_deref(), keys, at);
        let lifetime = self.duration(
            raw.lifetime.as_deref(),
            default_lifetime,
            &at.key("lifetime"),
        );
        Some((path?.pop()?, key?, lifetime))
    }

    /// A `[[keys]]` id that can sign.
    fn signing_key(&mut self, id: &str, keys: &[Arc<Key>], at: &KeyPath) -> Option<Arc<Key>> {
        let key = self.usable_key(id, keys, at)?;
        if key.can_sign() {
            return Some(key);
        }
        self.problems
            .at(at, format!("key {id:?} has no private key, it cannot sign"));
        None
    }

    /// A `[[keys]]` id that exists and is not retired.
    fn usable_key(&mut self, id: &str, keys: &[Arc<Key>], at: &KeyPath) -> Option<Arc<Key>> {
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

    /// A dialect's signing key and the older keys still accepted (`verify_keys`), each
    /// named once, none retired.
    fn key_ring(
        &mut self,
        signing: Option<Arc<Key>>,
        verify_ids: Option<&[String]>,
        keys: &[Arc<Key>],
        at: &KeyPath,
    ) -> Option<KeyRing> {
        let mut verify_only: Vec<Arc<Key>> = Vec::new();
        let mut complete = true;
        for (i, id) in verify_ids.unwrap_or_default().iter().enumerate() {
            let at = at.key("verify_keys").index(i);
            let named_twice = signing.as_ref().is_some_and(|k| k.id() == id)
                || verify_only.iter().any(|k| k.id() == id);
            if named_twice {
                self.problems
                    .at(&at, format!("key {id:?} is already named for this dialect"));
                complete = false;
                continue;
            }
            match self.usable_key(id, keys, &at) {
                Some(key) => verify_only.push(key),
                None => complete = false,
            }
        }
        let signing = signing?;
        complete.then(|| KeyRing::new(signing, verify_only))
    }

    fn language(&mut self, given: Option<&str>, default: Language, at: &KeyPath) -> Language {
        match given {
            None => default,
            Some("ru") => Language::Ru,
            Some("en") => Language::En,
            Some(other) => {
                self.problems
                    .at(at, format!("expected \"ru\" or \"en\", found {other:?}"));
                default
            }
        }
    }
}

#[derive(Default)]
struct UserKeys {
    usernames: HashSet<String>,
    emails: HashSet<String>,
    ids: HashSet<i64>,
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
