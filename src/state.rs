//! The runtime snapshot: everything a request needs, built from one validated
//! [`Config`] and swapped as a whole on reload.
//!
//! A request loads the current snapshot once (one `ArcSwap` load) and keeps it for its
//! whole life, so a reload never changes the rules under a request in flight, and keys,
//! users and the verifier cache always belong to the same configuration.

use std::path::PathBuf;
use std::sync::Arc;

use crate::config::{Config, UpstreamTarget};
use crate::credentials::CredentialRules;
use crate::forwarded::ForwardingRules;
use crate::identity::IdentityHeaders;
use crate::keys::KeySet;
use crate::metrics::Metrics;
use crate::offload::HashPool;
use crate::respond::Challenges;
use crate::routes::RouteTable;
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
}

pub struct State {
    pub config: Arc<Config>,
    pub routes: RouteTable,
    pub credentials: CredentialRules,
    pub verifier: Verifier,
    pub identity: IdentityHeaders,
    pub forwarding: ForwardingRules,
    pub challenges: Challenges,
    pub keys: KeySet,
    pub upstream: UpstreamPeer,
}

/// Where proxied requests go, resolved for this snapshot.
#[derive(Clone, Debug)]
pub enum UpstreamPeer {
    Echo(PathBuf),
    Tcp(std::net::SocketAddr),
}

impl State {
    pub fn build(config: Arc<Config>, shared: &Shared) -> Result<Self, String> {
        let users = Arc::new(UserStore::new(config.users.clone()));
        let leeway = config.auth.leeway.as_secs();
        let acceptors = config
            .keys
            .iter()
            .map(|key| {
                TokenAcceptor::new(
                    key.clone(),
                    ClaimProfile::Native {
                        issuer: config.auth.issuer.clone(),
                    },
                    leeway,
                )
            })
            .collect();
        let verifier = Verifier::new(
            users,
            TokenAcceptors::new(acceptors),
            &VerifierSettings {
                cache_capacity: config.auth.cache_capacity,
                cache_ttl: config.auth.cache_ttl,
                negative_cache_ttl: config.auth.negative_cache_ttl,
                leeway_secs: leeway,
            },
            shared.hash_pool.clone(),
            shared.metrics.clone(),
        );
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
        };
        let upstream = match &config.upstream.target {
            UpstreamTarget::BuiltinEcho => UpstreamPeer::Echo(
                shared
                    .echo_socket
                    .clone()
                    .ok_or("the built-in echo upstream is not running")?,
            ),
            UpstreamTarget::Tcp { address, .. } => UpstreamPeer::Tcp(*address),
        };
        Ok(Self {
            routes: RouteTable::new(config.routes.clone(), config.default_access.clone()),
            challenges: Challenges::new(&config.auth.realm, credentials.bearer, credentials.basic),
            credentials,
            verifier,
            identity: config.identity.clone(),
            forwarding,
            keys: KeySet::new(config.keys.clone()),
            upstream,
            config,
        })
    }
}
