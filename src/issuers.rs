//! External token issuers (`[[issuers]]`): identity providers whose tokens gatehouse
//! accepts beside its own, verified with the keys they publish (OIDC discovery, JWKS).
//!
//! A token is routed here by its `iss` (read before verifying), and `verifier/external.rs`
//! verifies it with the keys this module hands out for it, that issuer's keys and
//! algorithms only, so it cannot pick a weaker key, another issuer's key or a dialect's
//! HMAC secret.
//!
//! Keys are fetched so that fetching never becomes the outage:
//! - first at start, on a background thread of their own (`/readyz` waits up to
//!   `startup_wait`); then again before they expire (`Cache-Control: max-age` within
//!   `min_refresh`..`max_refresh`);
//! - a token with an unknown `kid` asks for one fetch, at most once per
//!   `refetch_interval` per issuer (forged kids cannot make a storm), and waits for it
//!   briefly; other tokens with unknown kids meanwhile are refused at once;
//! - a failed fetch keeps the last good keys, retried with backoff, for up to
//!   `max_stale`; a document too large, malformed, or without one usable key is
//!   rejected and the old keys kept;
//! - a key that disappears from the set invalidates the cached identities of this
//!   issuer at their next use (`KeyState`'s generation), so a dropped key's tokens stop
//!   at the refresh, not at the end of the cache TTL.

pub mod fetch;
pub mod jwks;
pub mod metrics;
pub mod settings;

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use arc_swap::ArcSwapOption;
use http::HeaderValue;
use jsonwebtoken::Header;
use tokio::sync::{watch, Notify};

use crate::background::BackgroundRuntime;
use crate::identity::KeyState;
use fetch::{FetchError, Fetcher};
use jwks::IssuerKey;
use metrics::{FetchResult, IssuerMetrics};
use settings::{IssuerSettings, KeySource};

/// The longest a request waits for the fetch its unknown `kid` asked for.
const UNKNOWN_KID_WAIT: Duration = Duration::from_secs(2);

/// Why an issuer has no key for a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IssuerRefusal {
    /// The token's `alg` is not one of the issuer's `algorithms`.
    Algorithm,
    /// No key of the issuer has the token's `kid` (and algorithm), even after a fetch.
    UnknownKey,
    /// No usable keys: not fetched yet, or stale past `max_stale`.
    Unavailable,
}

/// The keys of an issuer that may verify one token: those of its `alg` (and `kid`).
pub struct KeysFor {
    set: Arc<KeySet>,
    algorithm: jsonwebtoken::Algorithm,
    kid: Option<String>,
}

impl KeysFor {
    pub fn candidates(&self) -> impl Iterator<Item = &IssuerKey> {
        self.set
            .keys
            .iter()
            .filter(|key| key.algorithms.contains(&self.algorithm))
            .filter(|key| self.kid.is_none() || key.kid == self.kid)
    }

    /// The key set's generation: an identity verified with it is good while it is
    /// current (`identity::KeyState`).
    pub fn generation(&self) -> u64 {
        self.set.generation
    }
}

/// The issuer's key set, replaced whole by each successful fetch.
struct KeySet {
    keys: Vec<IssuerKey>,
    generation: u64,
}

/// What an unknown `kid` may do.
enum Refetch {
    /// This request asked for a fetch.
    Requested,
    /// One was asked for moments ago and may still be running.
    InFlight,
    /// One ran within `refetch_interval`: refuse.
    TooSoon,
}

pub struct Issuer {
    pub settings: IssuerSettings,
    /// `X-Auth-Issuer`: the `iss` its tokens carry.
    header_value: Option<HeaderValue>,
    keys: ArcSwapOption<KeySet>,
    state: Arc<KeyState>,
    /// Since `epoch`, in ms; 0 for never.
    last_success_ms: AtomicU64,
    last_refetch_ms: AtomicU64,
    /// An unknown `kid` asked for a fetch that has not finished yet.
    refetch_pending: AtomicBool,
    refetch: Notify,
    /// Bumped after every fetch, for requests waiting on the one they asked for.
    fetches_done: watch::Sender<u64>,
    epoch: Instant,
    metrics: IssuerMetrics,
}

impl Issuer {
    fn new(settings: IssuerSettings, metrics: IssuerMetrics) -> Self {
        Self {
            header_value: HeaderValue::from_str(&settings.issuer).ok(),
            settings,
            keys: ArcSwapOption::empty(),
            state: Arc::new(KeyState::default()),
            last_success_ms: AtomicU64::new(0),
            last_refetch_ms: AtomicU64::new(0),
            refetch_pending: AtomicBool::new(false),
            refetch: Notify::new(),
            fetches_done: watch::channel(0).0,
            epoch: Instant::now(),
            metrics,
        }
    }

    pub fn name(&self) -> &str {
        &self.settings.name
    }

    pub fn header_value(&self) -> Option<&HeaderValue> {
        self.header_value.as_ref()
    }

    pub fn key_state(&self) -> &Arc<KeyState> {
        &self.state
    }

    pub fn has_keys(&self) -> bool {
        self.keys.load().is_some()
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis())
            .unwrap_or(u64::MAX)
            .saturating_add(1)
    }

    /// The keys that may verify a token with `header` (whose `iss` named this issuer).
    /// An unknown `kid` asks for a fetch and waits for it (`UNKNOWN_KID_WAIT`).
    pub async fn keys_for(&self, header: &Header) -> Result<KeysFor, IssuerRefusal> {
        if !self.settings.algorithms.contains(&header.alg) {
            return Err(IssuerRefusal::Algorithm);
        }
        let mut waited = false;
        loop {
            let Some(set) = self.keys.load_full() else {
                return Err(IssuerRefusal::Unavailable);
            };
            if !self.state.is_usable() {
                return Err(IssuerRefusal::Unavailable);
            }
            let keys = KeysFor {
                set,
                algorithm: header.alg,
                kid: header.kid.clone(),
            };
            if keys.candidates().next().is_some() {
                return Ok(keys);
            }
            if header.kid.is_none() || waited {
                return Err(IssuerRefusal::UnknownKey);
            }
            waited = true;
            let mut done = self.fetches_done.subscribe();
            match self.ask_refetch() {
                Refetch::Requested | Refetch::InFlight => {
                    let _ = tokio::time::timeout(UNKNOWN_KID_WAIT, done.changed()).await;
                }
                Refetch::TooSoon => return Err(IssuerRefusal::UnknownKey),
            }
        }
    }

    fn ask_refetch(&self) -> Refetch {
        if self.refetch_pending.load(Ordering::Acquire) {
            return Refetch::InFlight;
        }
        let now = self.now_ms();
        let last = self.last_refetch_ms.load(Ordering::Acquire);
        let interval = duration_ms(self.settings.fetch.refetch_interval);
        if last != 0 && now.saturating_sub(last) < interval {
            return Refetch::TooSoon;
        }
        if self
            .last_refetch_ms
            .compare_exchange(last, now, Ordering::AcqRel, Ordering::Acquire)
            .is_err()
        {
            // Another request won the race and asked.
            return Refetch::InFlight;
        }
        self.refetch_pending.store(true, Ordering::Release);
        self.metrics.refetch(self.name());
        self.refetch.notify_one();
        Refetch::Requested
    }

    /// One round: discovery (when configured), the JWKS, the new keys in place. The
    /// refresh the server asked for, if any.
    fn fetch_once(&self, fetcher: &Fetcher) -> Result<Option<Duration>, String> {
        let name = self.name();
        let jwks_url = match &self.settings.source {
            KeySource::Jwks(url) => url.clone(),
            KeySource::Discovery(url) => {
                let found = fetcher.discover(url, &self.settings.issuer);
                let result = if found.is_ok() {
                    FetchResult::Ok
                } else {
                    FetchResult::Error
                };
                self.metrics.fetch(name, "discovery", result);
                found.map_err(|e| e.to_string())?
            }
        };
        let fetched = fetcher.get(&jwks_url).inspect_err(|e: &FetchError| {
            // Too large is a document refused, like a malformed one.
            let result = match e {
                FetchError::TooLarge { .. } => FetchResult::Rejected,
                _ => FetchResult::Error,
            };
            self.metrics.fetch(name, "jwks", result);
        });
        let fetched = fetched.map_err(|e| e.to_string())?;
        let parsed = jwks::parse(
            &fetched.body,
            &self.settings.algorithms,
            self.settings.fetch.max_jwks_bytes,
        );
        let (keys, skipped) = match parsed {
            Ok(parsed) => parsed,
            Err(e) => {
                self.metrics.fetch(name, "jwks", FetchResult::Rejected);
                return Err(format!("{jwks_url}: {e}; keeping the keys we had"));
            }
        };
        self.metrics.fetch(name, "jwks", FetchResult::Ok);
        if skipped > 0 {
            log::debug!("issuer {name}: {skipped} key(s) of {jwks_url} skipped");
        }
        self.install(keys);
        Ok(fetched.max_age)
    }

    fn install(&self, keys: Vec<IssuerKey>) {
        let kids = |keys: &[IssuerKey]| -> BTreeSet<String> {
            keys.iter()
                .map(|k| k.kid.clone().unwrap_or_else(|| "(no kid)".into()))
                .collect()
        };
        let new_kids = kids(&keys);
        let old = self.keys.load_full();
        let old_kids = old.as_ref().map(|set| kids(&set.keys)).unwrap_or_default();
        let removed: Vec<&String> = old_kids.difference(&new_kids).collect();
        let added: Vec<&String> = new_kids.difference(&old_kids).collect();
        let mut generation = old.as_ref().map_or(0, |set| set.generation);
        if !removed.is_empty() {
            generation += 1;
        }
        let count = keys.len();
        self.keys.store(Some(Arc::new(KeySet { keys, generation })));
        self.last_success_ms.store(self.now_ms(), Ordering::Release);
        self.state.set(generation, true);
        self.metrics
            .keys(self.name(), count, crate::iso8601::unix_now());
        if old.is_none() || !added.is_empty() || !removed.is_empty() {
            log::info!(
                "issuer {}: keys {:?} (added {:?}, removed {:?})",
                self.name(),
                new_kids,
                added,
                removed
            );
        }
    }

    /// Marks the keys unusable once the last success is older than `max_stale`; how
    /// long until that happens otherwise.
    fn check_staleness(&self) -> Duration {
        let last = self.last_success_ms.load(Ordering::Acquire);
        if last == 0 {
            return Duration::MAX;
        }
        let age = Duration::from_millis(self.now_ms().saturating_sub(last));
        let max_stale = self.settings.fetch.max_stale;
        if age > max_stale {
            if self.state.mark_unusable() {
                log::warn!(
                    "issuer {}: keys not refreshed for {age:?} (max_stale {max_stale:?}); its tokens are refused until a fetch succeeds",
                    self.name()
                );
            }
            Duration::MAX
        } else {
            max_stale - age
        }
    }

    /// The refresh loop, on the issuers' thread.
    async fn run(self: Arc<Self>, fetcher: Arc<Fetcher>) {
        let policy = self.settings.fetch.clone();
        let mut backoff = Duration::from_secs(1);
        loop {
            let this = self.clone();
            let fetcher = fetcher.clone();
            // A refetch asked for before this fetch started is answered by it.
            let answering = self.refetch_pending.load(Ordering::Acquire);
            let outcome = tokio::task::spawn_blocking(move || this.fetch_once(&fetcher)).await;
            if answering {
                self.refetch_pending.store(false, Ordering::Release);
            }
            self.fetches_done.send_modify(|n| *n += 1);
            let wait = match outcome {
                Ok(Ok(max_age)) => {
                    backoff = Duration::from_secs(1);
                    max_age
                        .unwrap_or(policy.max_refresh)
                        .clamp(policy.min_refresh, policy.max_refresh)
                }
                Ok(Err(reason)) => {
                    log::warn!("issuer {}: {reason}", self.name());
                    let wait = backoff;
                    backoff = (backoff * 2).min(policy.min_refresh.max(Duration::from_secs(1)));
                    wait
                }
                Err(join) => {
                    log::error!("issuer {}: fetch task failed: {join}", self.name());
                    backoff
                }
            };
            // Wake in time to mark the keys stale, if nothing succeeds before.
            let wait = wait.min(self.check_staleness());
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = self.refetch.notified() => {}
            }
            self.check_staleness();
        }
    }
}

fn duration_ms(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// Why the issuers could not start.
#[derive(Debug, thiserror::Error)]
#[error("[[issuers]] {name}: {reason}")]
pub struct IssuerStartError {
    name: String,
    reason: String,
}

/// Every configured issuer, by `iss`. Outlives reloads (`state::Shared`).
pub struct Issuers {
    by_issuer: HashMap<String, Arc<Issuer>>,
    list: Vec<Arc<Issuer>>,
    started: Instant,
    _runtime: Option<BackgroundRuntime>,
}

impl Issuers {
    pub fn none() -> Self {
        Self {
            by_issuer: HashMap::new(),
            list: Vec::new(),
            started: Instant::now(),
            _runtime: None,
        }
    }

    /// Starts fetching every issuer's keys in the background.
    pub fn start(
        settings: &[IssuerSettings],
        metrics: &IssuerMetrics,
    ) -> Result<Self, IssuerStartError> {
        if settings.is_empty() {
            return Ok(Self::none());
        }
        let runtime =
            BackgroundRuntime::new("gatehouse-issuers").map_err(|e| IssuerStartError {
                name: "(all)".into(),
                reason: format!("cannot start the key-fetching thread: {e}"),
            })?;
        let mut issuers = Self::none();
        for entry in settings {
            let fetcher = Fetcher::new(&entry.fetch).map_err(|e| IssuerStartError {
                name: entry.name.clone(),
                reason: e.to_string(),
            })?;
            let issuer = Arc::new(Issuer::new(entry.clone(), metrics.clone()));
            runtime.spawn(issuer.clone().run(Arc::new(fetcher)));
            issuers
                .by_issuer
                .insert(entry.issuer.clone(), issuer.clone());
            issuers.list.push(issuer);
        }
        issuers._runtime = Some(runtime);
        Ok(issuers)
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The issuer whose tokens carry `iss`.
    pub fn find(&self, iss: &str) -> Option<&Arc<Issuer>> {
        self.by_issuer.get(iss)
    }

    /// An issuer `/readyz` still waits for: no keys yet, within its `startup_wait`.
    pub fn waiting_for(&self) -> Option<&str> {
        let elapsed = self.started.elapsed();
        self.list
            .iter()
            .find(|issuer| !issuer.has_keys() && elapsed < issuer.settings.fetch.startup_wait)
            .map(|issuer| issuer.name())
    }
}

/// `gatehouse check --online`: each issuer's discovery and JWKS fetched once. One line
/// per issuer; `Err` lines are failures.
pub fn check_online(settings: &[IssuerSettings]) -> Vec<Result<String, String>> {
    settings
        .iter()
        .map(|entry| {
            let fail = |e: String| format!("issuer {}: {e}", entry.name);
            let fetcher = Fetcher::new(&entry.fetch).map_err(|e| fail(e.to_string()))?;
            let jwks_url = match &entry.source {
                KeySource::Jwks(url) => url.clone(),
                KeySource::Discovery(url) => fetcher
                    .discover(url, &entry.issuer)
                    .map_err(|e| fail(e.to_string()))?,
            };
            let fetched = fetcher.get(&jwks_url).map_err(|e| fail(e.to_string()))?;
            let (keys, skipped) =
                jwks::parse(&fetched.body, &entry.algorithms, entry.fetch.max_jwks_bytes)
                    .map_err(|e| fail(format!("{jwks_url}: {e}")))?;
            let described: Vec<String> = keys
                .iter()
                .map(|k| {
                    let algorithms: Vec<&str> = k
                        .algorithms
                        .iter()
                        .map(|a| crate::keys::algorithm_name(*a))
                        .collect();
                    format!(
                        "{} ({})",
                        k.kid.as_deref().unwrap_or("no kid"),
                        algorithms.join("/")
                    )
                })
                .collect();
            Ok(format!(
                "issuer {}: {} key(s) from {jwks_url}: {}{}",
                entry.name,
                keys.len(),
                described.join(", "),
                if skipped > 0 {
                    format!(" ({skipped} skipped)")
                } else {
                    String::new()
                }
            ))
        })
        .collect()
}

/// The `iss` of a JWT, read without verifying anything: it only chooses which keys
/// may verify the token. `None` for anything that is not a JWT with a string `iss`.
pub fn unverified_issuer(token: &str) -> Option<String> {
    use base64::Engine as _;
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .ok()?;
    #[derive(serde::Deserialize)]
    struct Iss {
        iss: Option<String>,
    }
    serde_json::from_slice::<Iss>(&bytes).ok()?.iss
}
