//! The runtime snapshot: everything a request needs, built from one validated
//! [`Config`] and swapped as a whole on reload.
//!
//! A request loads the current snapshot once (one `ArcSwap` load) and keeps it for its
//! whole life, so a reload never changes the rules under a request in flight, and keys,
//! users and the verifier cache always belong to the same configuration.

use std::path::PathBuf;
use std::sync::Arc;

use crate::issuers::Issuers;

use crate::config::{Config, UpstreamTarget};
use crate::credentials::CredentialRules;
use crate::dialects::{Dialect, Dialects};
use crate::forwarded::ForwardingRules;
use crate::identity::IdentityHeaders;
use crate::keys::KeySet;
use crate::metrics::{DialectCounters, Metrics};
use crate::offload::HashPool;
use crate::passwords::PasswordChecker;
use crate::ratelimit::{FailureLimiter, LimitSettings};
use crate::respond::Challenges;
use crate::routes::RouteTable;
use crate::store::Store;
use crate::users::database::UserDatabase;
use crate::users::directory::Directory;
use crate::users::UserStore;
use crate::verifier::jwt::{ClaimProfile, TokenAcceptor, TokenAcceptors};
use crate::verifier::{Verifier, VerifierSettings};

/// What outlives a snapshot: shared by every configuration the process runs.
#[derive(Clone)]
pub struct Shared {
    pub metrics: Arc<Metrics>,
    pub hash_pool: Arc<HashPool>,
    /// Where the built-in echo upstream listens, when it runs.
    pub echo_socket: Option<PathBuf>,
    /// Blacklists, revocations and (under Redis) shared failure counters. Opened once:
    /// `[state]` changes need a restart.
    pub store: Store,
    /// Failed-credential counters: a reload must not reset an attacker's budget.
    pub limiter: Arc<FailureLimiter>,
    /// Password checks, for the verifier and the dialects' logins alike.
    pub passwords: PasswordChecker,
    /// Each registered dialect's login and token counters, by [`Dialect::index`]: every
    /// dialect's series exists from the start, enabled or not.
    pub dialect_counters: Arc<[DialectCounters]>,
    /// `[user_database]`, opened once: its pool and cache outlive reloads, and changes
    /// to the section need a restart (as `[state]`'s do).
    pub user_database: Option<UserDatabase>,
    /// `[[issuers]]`, fetching their keys from start; changes need a restart.
    pub issuers: Arc<Issuers>,
}

impl Shared {
    pub fn new(
        metrics: Arc<Metrics>,
        hash_pool: Arc<HashPool>,
        echo_socket: Option<PathBuf>,
        limits: LimitSettings,
        store: Store,
    ) -> Self {
        Self {
            passwords: PasswordChecker::new(hash_pool.clone(), metrics.clone()),
            dialect_counters: Dialect::all()
                .map(|dialect| metrics.dialect_counters(dialect.name()))
                .collect(),
            metrics,
            hash_pool,
            echo_socket,
            limiter: Arc::new(FailureLimiter::new(limits).shared_through(&store)),
            store,
            user_database: None,
            issuers: Arc::new(Issuers::none()),
        }
    }

    pub fn with_user_database(mut self, database: Option<UserDatabase>) -> Self {
        self.user_database = database;
        self
    }

    pub fn with_issuers(mut self, issuers: Arc<Issuers>) -> Self {
        self.issuers = issuers;
        self
    }
}

pub struct State {
    pub config: Arc<Config>,
    pub routes: RouteTable,
    pub credentials: CredentialRules,
    pub verifier: Arc<Verifier>,
    pub identity: IdentityHeaders,
    pub forwarding: ForwardingRules,
    pub challenges: Challenges,
    pub keys: KeySet,
    pub upstream: UpstreamPeer,
    pub dialects: Dialects,
    pub store: Store,
    /// How long a revocation is kept ([`revocation_keep`]).
    pub revocation_keep: std::time::Duration,
}

/// Where proxied requests go, resolved for this snapshot.
#[derive(Clone, Debug)]
pub enum UpstreamPeer {
    Echo(PathBuf),
    Tcp(std::net::SocketAddr),
    /// Decision-only mode: nothing is forwarded.
    None,
}

impl State {
    pub fn build(config: Arc<Config>, shared: &Shared) -> Result<Self, String> {
        let users = Directory::new(
            Arc::new(UserStore::new(config.users.clone())),
            shared.user_database.clone(),
        );
        let leeway = config.auth.leeway.as_secs();
        // Every enabled dialect's access tokens open proxied traffic, each checked with
        // its own key and claim rules. They are tried before the native profile so that,
        // when a dialect shares a key with it, a dialect token is refused for its own
        // reason (expired, wrong token type) rather than for lacking `iss`.
        let mut acceptors: Vec<TokenAcceptor> = Vec::new();
        for enabled in &config.dialects {
            let (ring, profile) = enabled.api.acceptance();
            acceptors.extend(
                ring.iter()
                    .map(|key| TokenAcceptor::new(key.clone(), profile.clone(), leeway)),
            );
        }
        let native = ClaimProfile::native(&config.auth.issuer);
        acceptors.extend(
            config
                .keys
                .iter()
                .map(|key| TokenAcceptor::new(key.clone(), native.clone(), leeway)),
        );
        let verifier = Verifier::new(
            users,
            TokenAcceptors::new(acceptors),
            &VerifierSettings {
                cache_capacity: config.auth.cache_capacity,
                cache_ttl: config.auth.cache_ttl,
                negative_cache_ttl: config.auth.negative_cache_ttl,
                leeway_secs: leeway,
            },
            shared.passwords.clone(),
            shared.metrics.clone(),
        )
        .with_issuers(shared.issuers.clone());
        let verifier = Arc::new(verifier);
        let credentials = config.auth.credentials.clone();
        let mut credential_headers = Vec::new();
        if credentials.header_pair {
            credential_headers.push(credentials.username_header.clone());
            credential_headers.push(credentials.password_header.clone());
        }
        credential_headers.extend(credentials.token_header.clone());
        let forwarding = ForwardingRules {
            trusted_proxies: config.listen.trusted_proxies.clone(),
            forward_credentials: config.auth.forward_credentials,
            credential_headers,
            credential_cookie: credentials.cookie.clone(),
            scheme: if config.listen.tls.is_some() {
                "https"
            } else {
                "http"
            },
            upstream_http2: config.upstream.protocol.carries_grpc(),
        };
        let upstream = match &config.upstream.target {
            UpstreamTarget::BuiltinEcho => UpstreamPeer::Echo(
                shared
                    .echo_socket
                    .clone()
                    .ok_or("the built-in echo upstream is not running")?,
            ),
            UpstreamTarget::Tcp { address, .. } => UpstreamPeer::Tcp(*address),
            UpstreamTarget::None => UpstreamPeer::None,
        };
        Ok(Self {
            routes: RouteTable::new(config.routes.clone(), config.default_access.clone()),
            challenges: Challenges::new(&config.auth.realm, credentials.bearer, credentials.basic),
            credentials,
            verifier,
            identity: config.identity.clone(),
            forwarding,
            keys: KeySet::new(all_keys(&config)),
            dialects: Dialects::new(config.dialects.clone()),
            upstream,
            store: shared.store.clone(),
            revocation_keep: revocation_keep(&config),
            config,
        })
    }
}

/// The users a command (`gatehouse token`, `gatehouse revoke`, `gatehouse check`) looks
/// up: the configured ones and, when `[user_database]` is set, the database, opened for
/// this one command.
pub fn command_line_directory(config: &Config) -> Result<Directory, String> {
    let database = match &config.user_database {
        None => None,
        Some(settings) => {
            Some(UserDatabase::open_for_command_line(settings).map_err(|e| e.to_string())?)
        }
    };
    Ok(Directory::new(
        Arc::new(UserStore::new(config.users.clone())),
        database,
    ))
}

/// The configured keys plus any a dialect generated itself (nomic without a configured
/// key), which JWKS must publish too.
fn all_keys(config: &Config) -> Vec<Arc<crate::keys::Key>> {
    let mut keys = config.keys.clone();
    for enabled in &config.dialects {
        for key in enabled.api.acceptance().0.iter() {
            if !keys.iter().any(|k| Arc::ptr_eq(k, key)) {
                keys.push(key.clone());
            }
        }
    }
    keys
}

/// How long a revocation is kept: the longest lifetime of any token this configuration
/// issues (gatehouse's own, and every enabled dialect's), plus the leeway, so that it
/// outlives every token it refuses.
pub fn revocation_keep(config: &Config) -> std::time::Duration {
    config
        .dialects
        .iter()
        .map(|enabled| enabled.api.longest_lifetime())
        .fold(config.auth.token_lifetime, std::cmp::max)
        + config.auth.leeway
}
