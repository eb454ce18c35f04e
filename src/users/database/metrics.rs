//! The user database's Prometheus series. Registered by `metrics.rs` with the rest;
//! defined here so that the database reports without knowing the whole registry.

use prometheus::{Histogram, HistogramOpts, IntCounter, IntCounterVec, IntGauge, Opts, Registry};

/// The user database's series; cheap to clone.
#[derive(Clone)]
pub struct UserDatabaseMetrics {
    lookups: [IntCounter; 4],
    cache_hits: IntCounter,
    cache_misses: IntCounter,
    query_seconds: Histogram,
    pool_in_use: IntGauge,
    pool_idle: IntGauge,
    /// 1 while the database answers (what `/readyz` follows), 0 while it does not.
    pub up: IntGauge,
}

impl UserDatabaseMetrics {
    const RESULTS: [&'static str; 4] = ["found", "not_found", "ambiguous", "error"];

    pub(crate) fn new(registry: &Registry) -> prometheus::Result<Self> {
        let lookups = IntCounterVec::new(
            Opts::new(
                "user_database_lookups_total",
                "User database queries, by result (found, not_found, ambiguous, error).",
            ),
            &["result"],
        )?;
        registry.register(Box::new(lookups.clone()))?;
        let cache = IntCounterVec::new(
            Opts::new(
                "user_database_cache_total",
                "User lookups answered by the user database's cache (hit) or by a query (miss).",
            ),
            &["result"],
        )?;
        registry.register(Box::new(cache.clone()))?;
        let query_seconds = Histogram::with_opts(
            HistogramOpts::new(
                "user_database_query_seconds",
                "Time a user database query took (errors and timeouts included).",
            )
            .buckets(vec![
                0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                1.0, 2.5,
            ]),
        )?;
        registry.register(Box::new(query_seconds.clone()))?;
        let pool = prometheus::IntGaugeVec::new(
            Opts::new(
                "user_database_pool_connections",
                "User database connections, by state (in_use, idle), as of the last query.",
            ),
            &["state"],
        )?;
        registry.register(Box::new(pool.clone()))?;
        let up = IntGauge::new(
            "user_database_up",
            "1 while the user database answers, 0 while it does not.",
        )?;
        registry.register(Box::new(up.clone()))?;
        Ok(Self {
            lookups: Self::RESULTS.map(|result| lookups.with_label_values(&[result])),
            cache_hits: cache.with_label_values(&["hit"]),
            cache_misses: cache.with_label_values(&["miss"]),
            query_seconds,
            pool_in_use: pool.with_label_values(&["in_use"]),
            pool_idle: pool.with_label_values(&["idle"]),
            up,
        })
    }

    /// One query's result: "found", "not_found", "ambiguous" or "error".
    pub fn lookup(&self, result: &str) {
        if let Some(i) = Self::RESULTS.iter().position(|r| *r == result) {
            self.lookups[i].inc();
        }
    }

    pub fn cache(&self, hit: bool) {
        if hit {
            self.cache_hits.inc();
        } else {
            self.cache_misses.inc();
        }
    }

    pub fn query(&self, seconds: f64) {
        self.query_seconds.observe(seconds);
    }

    pub fn pool(&self, open: u32, idle: usize) {
        let idle = i64::try_from(idle).unwrap_or(i64::MAX);
        self.pool_idle.set(idle);
        self.pool_in_use
            .set(i64::from(open).saturating_sub(idle).max(0));
    }
}
