//! The process's Prometheus metrics, in a registry of its own (not the global default),
//! so tests and reloads never share counters by accident.
//!
//! Label sets are small and fixed, so every labelled counter is resolved once at start
//! into a table indexed by enums: the request path increments an atomic and never hashes
//! label strings or takes the vec's lock.

use prometheus::{
    Encoder, Gauge, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge,
    Opts, Registry, TextEncoder,
};

use crate::credentials::CredentialKind;

/// How a proxied request ended, as the `outcome` label.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Authenticated and forwarded.
    Forwarded,
    /// Forwarded on a public route.
    Public,
    /// Answered by gatehouse itself (dialect endpoints, JWKS).
    Answered,
    BadRequest,
    Unauthorized,
    Forbidden,
    RateLimited,
    Busy,
    UpstreamError,
}

impl Outcome {
    const ALL: [Outcome; 9] = [
        Outcome::Forwarded,
        Outcome::Public,
        Outcome::Answered,
        Outcome::BadRequest,
        Outcome::Unauthorized,
        Outcome::Forbidden,
        Outcome::RateLimited,
        Outcome::Busy,
        Outcome::UpstreamError,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Forwarded => "forwarded",
            Outcome::Public => "public",
            Outcome::Answered => "answered",
            Outcome::BadRequest => "bad_request",
            Outcome::Unauthorized => "unauthorized",
            Outcome::Forbidden => "forbidden",
            Outcome::RateLimited => "rate_limited",
            Outcome::Busy => "busy",
            Outcome::UpstreamError => "upstream_error",
        }
    }
}

const KINDS: [Option<CredentialKind>; 6] = [
    None,
    Some(CredentialKind::Bearer),
    Some(CredentialKind::Basic),
    Some(CredentialKind::HeaderPair),
    Some(CredentialKind::TokenHeader),
    Some(CredentialKind::Cookie),
];

fn kind_index(kind: Option<CredentialKind>) -> usize {
    match kind {
        None => 0,
        Some(CredentialKind::Bearer) => 1,
        Some(CredentialKind::Basic) => 2,
        Some(CredentialKind::HeaderPair) => 3,
        Some(CredentialKind::TokenHeader) => 4,
        Some(CredentialKind::Cookie) => 5,
    }
}

fn kind_label(kind: Option<CredentialKind>) -> &'static str {
    kind.map_or("none", CredentialKind::as_str)
}

/// The downstream protocol of a request, as the `protocol` label and in the access log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    Http1,
    H2,
}

impl Protocol {
    pub fn of(version: http::Version) -> Self {
        if version == http::Version::HTTP_2 {
            Protocol::H2
        } else {
            Protocol::Http1
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Http1 => "http1",
            Protocol::H2 => "h2",
        }
    }
}

/// Verifier cache lookups, as the `result` label.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CacheResult {
    Hit,
    Miss,
    /// A recently refused credential, refused again without verifying.
    NegativeHit,
    /// A miss that waited for the verification another request had under way for the
    /// same credential, instead of running its own (counted as a miss too).
    Coalesced,
    /// A password credential's entry verified again in the background before it
    /// expired.
    Renewed,
}

/// How a dialect's password login ended, as the `result` label.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoginResult {
    Ok,
    /// Wrong password, unknown or inactive user.
    Invalid,
    /// Refused by the failed-login limits before any hash was computed.
    RateLimited,
    /// The hash pool was full.
    Busy,
}

impl LoginResult {
    pub const ALL: [LoginResult; 4] = [
        LoginResult::Ok,
        LoginResult::Invalid,
        LoginResult::RateLimited,
        LoginResult::Busy,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LoginResult::Ok => "ok",
            LoginResult::Invalid => "invalid",
            LoginResult::RateLimited => "rate_limited",
            LoginResult::Busy => "busy",
        }
    }

    fn index(self) -> usize {
        match self {
            LoginResult::Ok => 0,
            LoginResult::Invalid => 1,
            LoginResult::RateLimited => 2,
            LoginResult::Busy => 3,
        }
    }
}

/// One dialect's counters, so that counting a login never hashes label strings.
#[derive(Clone)]
pub struct DialectCounters {
    /// Indexed by [`LoginResult::index`].
    logins: [IntCounter; 4],
    tokens_issued: IntCounter,
}

impl DialectCounters {
    pub fn login(&self, result: LoginResult) {
        self.logins[result.index()].inc();
    }

    pub fn token_issued(&self) {
        self.tokens_issued.inc();
    }
}

/// The state store's series (`store/`, `revocations.rs`): one set per process.
#[derive(Clone)]
pub struct StoreMetrics {
    operation_seconds: HistogramVec,
    errors: IntCounterVec,
    /// 1 while the store answers (what `/readyz` follows), 0 while it does not.
    pub up: IntGauge,
    /// Revocations in this process's mirror.
    pub revocations_live: IntGauge,
    /// Seconds since the mirror last matched the store.
    pub mirror_age_seconds: Gauge,
}

impl StoreMetrics {
    fn new(registry: &Registry) -> prometheus::Result<Self> {
        let operation_seconds = HistogramVec::new(
            HistogramOpts::new(
                "store_operation_seconds",
                "Time the state store took to answer, by operation (errors included).",
            )
            .buckets(vec![
                0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                1.0, 2.5,
            ]),
            &["operation"],
        )?;
        registry.register(Box::new(operation_seconds.clone()))?;
        let errors = counter_vec(
            registry,
            "store_errors_total",
            "State store operations that failed or timed out, by operation.",
            &["operation"],
        )?;
        let up = IntGauge::new(
            "store_up",
            "1 while the state store answers, 0 while it does not.",
        )?;
        registry.register(Box::new(up.clone()))?;
        let revocations_live = IntGauge::new(
            "revocations_live",
            "Live revocations (tokens and users) in this process's mirror.",
        )?;
        registry.register(Box::new(revocations_live.clone()))?;
        let mirror_age_seconds = Gauge::new(
            "revocation_mirror_age_seconds",
            "Seconds since this process's revocation mirror last matched the store (its lag).",
        )?;
        registry.register(Box::new(mirror_age_seconds.clone()))?;
        Ok(Self {
            operation_seconds,
            errors,
            up,
            revocations_live,
            mirror_age_seconds,
        })
    }

    /// Records one store operation's duration, and its failure.
    pub fn operation(&self, operation: &str, seconds: f64, ok: bool) {
        self.operation_seconds
            .with_label_values(&[operation])
            .observe(seconds);
        if !ok {
            self.errors.with_label_values(&[operation]).inc();
        }
    }
}

pub struct Metrics {
    registry: Registry,
    pub store: StoreMetrics,
    pub user_database: crate::users::database::metrics::UserDatabaseMetrics,
    pub issuers: crate::issuers::metrics::IssuerMetrics,
    requests: Vec<[IntCounter; 6]>,
    /// Indexed by `Protocol as usize`.
    requests_by_protocol: [IntCounter; 2],
    cache: [[IntCounter; 6]; 5],
    password_checks_ok: IntCounter,
    password_checks_failed: IntCounter,
    password_checks_busy: IntCounter,
    upstream_classes: [IntCounter; 6],
    request_duration: Histogram,
    upstream_response: Histogram,
    /// Labelled by dialect and result; children resolved once per dialect
    /// ([`Metrics::dialect_counters`]).
    dialect_logins: IntCounterVec,
    tokens_issued: IntCounterVec,
    /// Labelled by key id, which comes from the configuration and changes on reload: the
    /// child is looked up per verification, which only happens on a verifier cache miss.
    key_verifications: IntCounterVec,
    cache_entries: IntGauge,
    reloads_ok: IntCounter,
    reloads_failed: IntCounter,
    connections_open: IntGauge,
    connections_accepted: IntCounter,
    connections_refused: IntCounter,
    head_timeouts: IntCounter,
}

fn counter_vec(
    registry: &Registry,
    name: &str,
    help: &str,
    labels: &[&str],
) -> prometheus::Result<IntCounterVec> {
    let vec = IntCounterVec::new(Opts::new(name, help), labels)?;
    registry.register(Box::new(vec.clone()))?;
    Ok(vec)
}

impl Metrics {
    pub fn new() -> prometheus::Result<Self> {
        let registry = Registry::new_custom(Some("gatehouse".into()), None)?;
        let requests_vec = counter_vec(
            &registry,
            "requests_total",
            "Requests on the proxy port, by outcome and credential kind.",
            &["outcome", "credential"],
        )?;
        let requests = Outcome::ALL
            .iter()
            .map(|outcome| {
                KINDS.map(|kind| {
                    requests_vec.with_label_values(&[outcome.as_str(), kind_label(kind)])
                })
            })
            .collect();
        let protocol_vec = counter_vec(
            &registry,
            "requests_by_protocol_total",
            "Requests on the proxy port, by downstream protocol (http1, h2; gRPC is h2).",
            &["protocol"],
        )?;
        let requests_by_protocol =
            [Protocol::Http1, Protocol::H2].map(|p| protocol_vec.with_label_values(&[p.as_str()]));
        let cache_vec = counter_vec(
            &registry,
            "verifier_cache_total",
            "Verifier cache lookups, by result and credential kind (coalesced: a miss that waited for another request's verification of the same credential; renewed: an entry verified again in the background before it expired).",
            &["result", "credential"],
        )?;
        let cache = ["hit", "miss", "negative_hit", "coalesced", "renewed"].map(|result| {
            KINDS.map(|kind| cache_vec.with_label_values(&[result, kind_label(kind)]))
        });
        let checks = counter_vec(
            &registry,
            "password_checks_total",
            "Password hashes computed (cache misses of Basic and header credentials and logins), by result.",
            &["result"],
        )?;
        let upstream_vec = counter_vec(
            &registry,
            "upstream_responses_total",
            "Responses received from the upstream, by status class.",
            &["class"],
        )?;
        let upstream_classes = ["1xx", "2xx", "3xx", "4xx", "5xx", "other"]
            .map(|c| upstream_vec.with_label_values(&[c]));
        let request_duration = Histogram::with_opts(
            HistogramOpts::new(
                "request_duration_seconds",
                "Time from request header to the end of the response.",
            )
            .buckets(vec![
                0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                1.0, 2.5, 5.0,
            ]),
        )?;
        registry.register(Box::new(request_duration.clone()))?;
        let upstream_response = Histogram::with_opts(
            HistogramOpts::new(
                "upstream_response_seconds",
                "Time from handing the request head to the upstream connection (once connected) to the upstream's response head; requests that went upstream only.",
            )
            .buckets(vec![
                0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
                10.0, 30.0, 60.0,
            ]),
        )?;
        registry.register(Box::new(upstream_response.clone()))?;
        let dialect_logins = counter_vec(
            &registry,
            "dialect_logins_total",
            "Password logins at the dialect endpoints, by dialect and result (requests refused before a password check are not counted).",
            &["dialect", "result"],
        )?;
        let tokens_issued = counter_vec(
            &registry,
            "tokens_issued_total",
            "Tokens signed by the dialect endpoints, by dialect (a simplejwt login signs two: refresh and access).",
            &["dialect"],
        )?;
        let key_verifications = counter_vec(
            &registry,
            "key_verifications_total",
            "Tokens on proxied traffic whose signature and claims a key verified, by key id; verifier cache hits are not verified again and not counted.",
            &["key"],
        )?;
        let cache_entries = IntGauge::new(
            "verifier_cache_entries",
            "Identities held by the verifier cache.",
        )?;
        registry.register(Box::new(cache_entries.clone()))?;
        let reloads = counter_vec(
            &registry,
            "config_reloads_total",
            "Configuration reloads, by result (a failed reload keeps the previous configuration).",
            &["result"],
        )?;
        let connections_open = IntGauge::new(
            "connections_open",
            "Downstream connections open on the proxy port.",
        )?;
        registry.register(Box::new(connections_open.clone()))?;
        let connections = counter_vec(
            &registry,
            "connections_total",
            "Downstream connections on the proxy port, by result (refused: over [listen] max_connections).",
            &["result"],
        )?;
        let head_timeouts = IntCounter::new(
            "request_head_timeouts_total",
            "Connections closed because a request head took longer than [listen] header_timeout.",
        )?;
        registry.register(Box::new(head_timeouts.clone()))?;
        let store = StoreMetrics::new(&registry)?;
        let user_database = crate::users::database::metrics::UserDatabaseMetrics::new(&registry)?;
        let issuers = crate::issuers::metrics::IssuerMetrics::new(&registry)?;
        Ok(Self {
            store,
            user_database,
            issuers,
            connections_open,
            connections_accepted: connections.with_label_values(&["accepted"]),
            connections_refused: connections.with_label_values(&["refused"]),
            head_timeouts,
            reloads_ok: reloads.with_label_values(&["ok"]),
            reloads_failed: reloads.with_label_values(&["failed"]),
            password_checks_ok: checks.with_label_values(&["ok"]),
            password_checks_failed: checks.with_label_values(&["failed"]),
            password_checks_busy: checks.with_label_values(&["busy"]),
            registry,
            requests,
            requests_by_protocol,
            cache,
            upstream_classes,
            request_duration,
            upstream_response,
            dialect_logins,
            tokens_issued,
            key_verifications,
            cache_entries,
        })
    }

    pub fn request(
        &self,
        outcome: Outcome,
        kind: Option<CredentialKind>,
        protocol: Protocol,
        seconds: f64,
    ) {
        let row = Outcome::ALL.iter().position(|o| *o == outcome).unwrap_or(0);
        if let Some(counters) = self.requests.get(row) {
            counters[kind_index(kind)].inc();
        }
        self.requests_by_protocol[protocol as usize].inc();
        self.request_duration.observe(seconds);
    }

    pub fn cache(&self, result: CacheResult, kind: CredentialKind) {
        let row = match result {
            CacheResult::Hit => 0,
            CacheResult::Miss => 1,
            CacheResult::NegativeHit => 2,
            CacheResult::Coalesced => 3,
            CacheResult::Renewed => 4,
        };
        self.cache[row][kind_index(Some(kind))].inc();
    }

    /// One password hash computed; `ok` is whether it matched.
    pub fn password_check(&self, ok: bool) {
        if ok {
            self.password_checks_ok.inc();
        } else {
            self.password_checks_failed.inc();
        }
    }

    pub fn password_check_busy(&self) {
        self.password_checks_busy.inc();
    }

    pub fn upstream_status(&self, status: u16) {
        let index = match status {
            100..=199 => 0,
            200..=299 => 1,
            300..=399 => 2,
            400..=499 => 3,
            500..=599 => 4,
            _ => 5,
        };
        self.upstream_classes[index].inc();
    }

    /// Time from sending the request upstream to the upstream's response head.
    pub fn upstream_response(&self, seconds: f64) {
        self.upstream_response.observe(seconds);
    }

    /// The login and token counters of the dialect `name`, resolved once; every
    /// `result` child exists from then on, at 0.
    pub fn dialect_counters(&self, name: &str) -> DialectCounters {
        DialectCounters {
            logins: LoginResult::ALL.map(|result| {
                self.dialect_logins
                    .with_label_values(&[name, result.as_str()])
            }),
            tokens_issued: self.tokens_issued.with_label_values(&[name]),
        }
    }

    /// A token verified by the key `key_id` (verifier cache misses only).
    pub fn key_verified(&self, key_id: &str) {
        self.key_verifications.with_label_values(&[key_id]).inc();
    }

    pub fn set_cache_entries(&self, entries: u64) {
        self.cache_entries
            .set(i64::try_from(entries).unwrap_or(i64::MAX));
    }

    pub fn config_reload(&self, ok: bool) {
        if ok {
            self.reloads_ok.inc();
        } else {
            self.reloads_failed.inc();
        }
    }

    /// A downstream connection was accepted; `connection_closed` follows when it ends.
    pub fn connection_opened(&self) {
        self.connections_accepted.inc();
        self.connections_open.inc();
    }

    pub fn connection_closed(&self) {
        self.connections_open.dec();
    }

    pub fn connection_refused(&self) {
        self.connections_refused.inc();
    }

    pub fn request_head_timeout(&self) {
        self.head_timeouts.inc();
    }

    /// The Prometheus text exposition of every metric.
    pub fn render(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(8 * 1024);
        // Encoding into a Vec cannot fail for the text format.
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut out);
        out
    }
}

#[cfg(test)]
mod tests;
