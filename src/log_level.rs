//! The level of the diagnostics log (stderr), set at start by `GATEHOUSE_LOG` and changed
//! at run time by `PUT /log-level` on the admin listener.
//!
//! The run-time level is `log`'s global maximum level ([`log::set_max_level`]): every
//! `log::debug!` and friends compares against it before doing anything else, so changing
//! it is one atomic store, and a level that is off costs one atomic load.
//!
//! env_logger keeps its own filter, built once from `GATEHOUSE_LOG` (same syntax as
//! before: `info`, `warn,gatehouse::proxy=debug`, `info/substring`). Left as it is, that
//! filter would keep refusing everything below the start level whatever the global level
//! says. So the filter installed is `GATEHOUSE_LOG` with gatehouse's own modules raised to
//! `trace` wherever they were at the start level, and the start level itself is set as
//! the global maximum. At start this lets through exactly what `GATEHOUSE_LOG` lets
//! through (a unit test checks it against env_logger's own reading of the spec); after a
//! `PUT`:
//!
//! * gatehouse's own diagnostics follow the level set;
//! * other crates (Pingora) keep the level `GATEHOUSE_LOG` gave them, and never more than
//!   the level set. This is deliberate: Pingora prints whole request headers at debug
//!   (those sent upstream: identity headers, and credentials when they are forwarded)
//!   and at trace (the client's, `Authorization` included), which a run-time switch must
//!   not turn on. Restart with `GATEHOUSE_LOG=debug` to see them.
//! * a module `GATEHOUSE_LOG` held below the start level (`info,gatehouse::reload=warn`)
//!   stays at most at that level.
//!
//! The access log (stdout, [`crate::access_log`]) is not written through `log` and does
//! not depend on any of this.

use log::LevelFilter;

/// The crate whose diagnostics follow the run-time level (library and binary alike).
const OWN_CRATE: &str = "gatehouse";

/// The levels `PUT /log-level` accepts, in the order of increasing verbosity.
pub const LEVELS: &str = "off, error, warn, info, debug, trace";

/// What the logger is built from, derived from a `GATEHOUSE_LOG` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartFilter {
    /// env_logger directives (module, level), in the order they are to be inserted.
    pub directives: Vec<(Option<String>, LevelFilter)>,
    /// The `/substring` part of the spec, if any.
    pub message_filter: Option<String>,
    /// The global maximum level at start: the loudest level the spec names.
    pub level: LevelFilter,
    /// Parts of the spec that were ignored, in env_logger's words.
    pub warnings: Vec<String>,
}

impl StartFilter {
    /// Reads a `GATEHOUSE_LOG` value as env_logger does (last directive for a module wins,
    /// no valid directive means `error`), and raises gatehouse's own modules that are at
    /// the start level to `trace`.
    pub fn from_spec(spec: &str) -> Self {
        let (mut directives, message_filter, warnings) = parse_spec(spec);
        if directives.is_empty() {
            directives.push((None, LevelFilter::Error));
        }
        let level = directives
            .iter()
            .map(|(_, level)| *level)
            .max()
            .unwrap_or(LevelFilter::Off);
        let own_level = governing(&directives, OWN_CRATE);
        for (name, directive_level) in &mut directives {
            if *directive_level == level
                && name.as_deref().is_some_and(|n| n.starts_with(OWN_CRATE))
            {
                *directive_level = LevelFilter::Trace;
            }
        }
        if own_level == Some(level) {
            insert(
                &mut directives,
                Some(OWN_CRATE.to_owned()),
                LevelFilter::Trace,
            );
        }
        Self {
            directives,
            message_filter,
            level,
            warnings,
        }
    }

    /// Applies the directives to an env_logger builder.
    pub fn configure(&self, builder: &mut env_logger::Builder) {
        if let Some(filter) = &self.message_filter {
            // Only the part after '/': sets the message filter, adds no directive.
            builder.parse_filters(&format!("/{filter}"));
        }
        for (name, level) in &self.directives {
            builder.filter(name.as_deref(), *level);
        }
    }
}

/// Installs env_logger for the diagnostics log, from a `GATEHOUSE_LOG` value.
pub fn init(spec: &str) {
    let start = StartFilter::from_spec(spec);
    for warning in &start.warnings {
        eprintln!("warning: {warning}, ignoring it");
    }
    let mut builder = env_logger::Builder::new();
    if let Ok(style) = std::env::var("RUST_LOG_STYLE") {
        builder.parse_write_style(&style);
    }
    start.configure(&mut builder);
    if let Err(e) = builder.try_init() {
        eprintln!("warning: the diagnostics logger is already installed: {e}");
    }
    // try_init set the maximum to the filter's loudest directive (trace): bring it down.
    log::set_max_level(start.level);
}

/// The current level.
pub fn current() -> LevelFilter {
    log::max_level()
}

/// The lower-case name of a level, as `GET /log-level` prints it.
pub fn name(level: LevelFilter) -> &'static str {
    match level {
        LevelFilter::Off => "off",
        LevelFilter::Error => "error",
        LevelFilter::Warn => "warn",
        LevelFilter::Info => "info",
        LevelFilter::Debug => "debug",
        LevelFilter::Trace => "trace",
    }
}

/// Reads a level name (any case, surrounding whitespace ignored).
pub fn parse(text: &str) -> Option<LevelFilter> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    text.parse().ok()
}

/// Sets the level and returns the previous one. The change is logged at `info` while the
/// more verbose of the two levels is in force, so it is seen whenever either shows it.
pub fn set(level: LevelFilter) -> LevelFilter {
    let old = current();
    if level > old {
        log::set_max_level(level);
    }
    if level != old {
        log::info!(
            "diagnostics log level changed from {} to {}",
            name(old),
            name(level)
        );
    }
    log::set_max_level(level);
    old
}

type Directives = Vec<(Option<String>, LevelFilter)>;

/// env_filter's parser (env_logger 0.11), keeping what it keeps and reporting what it
/// ignores with the same messages.
fn parse_spec(spec: &str) -> (Directives, Option<String>, Vec<String>) {
    let mut directives = Vec::new();
    let mut warnings = Vec::new();
    let mut parts = spec.split('/');
    let modules = parts.next();
    let filter = parts.next();
    if parts.next().is_some() {
        warnings.push(format!("invalid logging spec '{spec}' (too many '/'s)"));
        return (directives, None, warnings);
    }
    for part in modules.unwrap_or("").split(',').map(str::trim) {
        if part.is_empty() {
            continue;
        }
        let mut pieces = part.split('=');
        let (level, name) = match (pieces.next(), pieces.next().map(str::trim), pieces.next()) {
            (Some(first), None, None) => match first.parse() {
                Ok(level) => (level, None),
                Err(_) => (LevelFilter::Trace, Some(first)),
            },
            (Some(first), Some(""), None) => (LevelFilter::Trace, Some(first)),
            (Some(first), Some(second), None) => match second.parse() {
                Ok(level) => (level, Some(first)),
                Err(_) => {
                    warnings.push(format!("invalid logging spec '{second}'"));
                    continue;
                }
            },
            _ => {
                warnings.push(format!("invalid logging spec '{part}'"));
                continue;
            }
        };
        insert(&mut directives, name.map(str::to_owned), level);
    }
    (directives, filter.map(str::to_owned), warnings)
}

/// A directive replaces an earlier one for the same module, in its place.
fn insert(directives: &mut Directives, name: Option<String>, level: LevelFilter) {
    match directives.iter_mut().find(|(n, _)| *n == name) {
        Some(existing) => existing.1 = level,
        None => directives.push((name, level)),
    }
}

/// The level env_filter applies to `target`: the longest matching module name wins, and
/// among names of equal length the one inserted last.
fn governing(directives: &Directives, target: &str) -> Option<LevelFilter> {
    let mut sorted: Vec<_> = directives.iter().collect();
    sorted.sort_by_key(|(name, _)| name.as_ref().map_or(0, String::len));
    sorted
        .iter()
        .rev()
        .find(|(name, _)| name.as_deref().is_none_or(|n| target.starts_with(n)))
        .map(|(_, level)| *level)
}

#[cfg(test)]
mod tests;
