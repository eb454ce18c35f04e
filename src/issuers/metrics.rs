//! The external issuers' series: fetches by document and result, keys per issuer, when
//! they were last confirmed, and unknown-`kid` refetches.

use prometheus::{IntCounterVec, IntGaugeVec, Opts, Registry};

#[derive(Clone)]
pub struct IssuerMetrics {
    fetches: IntCounterVec,
    keys: IntGaugeVec,
    updated: IntGaugeVec,
    refetches: IntCounterVec,
}

/// A fetch's outcome, as the `result` label.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FetchResult {
    Ok,
    /// Transport, status, size or discovery failure.
    Error,
    /// Fetched, but not a usable key set (kept the old one).
    Rejected,
}

impl IssuerMetrics {
    pub(crate) fn new(registry: &Registry) -> prometheus::Result<Self> {
        let fetches = IntCounterVec::new(
            Opts::new(
                "issuer_fetches_total",
                "Fetches of issuers' documents, by issuer, document (discovery, jwks) and result (ok, error, rejected).",
            ),
            &["issuer", "document", "result"],
        )?;
        let keys = IntGaugeVec::new(
            Opts::new("issuer_keys", "Keys in use per issuer."),
            &["issuer"],
        )?;
        let updated = IntGaugeVec::new(
            Opts::new(
                "issuer_keys_updated_timestamp_seconds",
                "When an issuer's keys were last fetched successfully (Unix seconds; their age is time() minus this).",
            ),
            &["issuer"],
        )?;
        let refetches = IntCounterVec::new(
            Opts::new(
                "issuer_unknown_kid_refetches_total",
                "Key fetches caused by a token with an unknown kid, per issuer (at most one per refetch_interval).",
            ),
            &["issuer"],
        )?;
        registry.register(Box::new(fetches.clone()))?;
        registry.register(Box::new(keys.clone()))?;
        registry.register(Box::new(updated.clone()))?;
        registry.register(Box::new(refetches.clone()))?;
        Ok(Self {
            fetches,
            keys,
            updated,
            refetches,
        })
    }

    pub fn fetch(&self, issuer: &str, document: &str, result: FetchResult) {
        let result = match result {
            FetchResult::Ok => "ok",
            FetchResult::Error => "error",
            FetchResult::Rejected => "rejected",
        };
        self.fetches
            .with_label_values(&[issuer, document, result])
            .inc();
    }

    pub fn keys(&self, issuer: &str, count: usize, unix_now: u64) {
        self.keys
            .with_label_values(&[issuer])
            .set(i64::try_from(count).unwrap_or(i64::MAX));
        self.updated
            .with_label_values(&[issuer])
            .set(i64::try_from(unix_now).unwrap_or(i64::MAX));
    }

    pub fn refetch(&self, issuer: &str) {
        self.refetches.with_label_values(&[issuer]).inc();
    }
}
