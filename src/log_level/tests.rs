#![allow(clippy::unwrap_used)]

use super::*;
use log::{Level, Log as _, Metadata};

const TARGETS: &[&str] = &[
    "gatehouse",
    "gatehouse::admin",
    "gatehouse::proxy",
    "gatehouse::proxy::inner",
    "gate",
    "pingora_core::protocols",
    "pingora_proxy",
    "tokio",
    "",
];

const SPECS: &[&str] = &[
    "info",
    "",
    "off",
    "trace",
    "warn",
    "INFO",
    "debug,info",
    "info,pingora_core=warn",
    "warn,gatehouse=debug",
    "warn,gatehouse::admin=debug",
    "info,gatehouse::proxy=warn",
    "warn,pingora_proxy=debug",
    "gatehouse",
    "gatehouse=",
    "gate=info,warn",
    "pingora_core",
    "info,bogus=loud",
    "info,a=b=c",
    "info/needle",
    "a/b/c",
    " warn , gatehouse::proxy = debug ",
    "=debug,info",
];

fn logger(configure: impl FnOnce(&mut env_logger::Builder)) -> env_logger::Logger {
    let mut builder = env_logger::Builder::new();
    configure(&mut builder);
    builder.build()
}

fn enabled(logger: &env_logger::Logger, level: Level, target: &str) -> bool {
    logger.enabled(&Metadata::builder().level(level).target(target).build())
}

#[test]
fn at_start_exactly_what_env_logger_would_let_through() {
    for spec in SPECS {
        let original = logger(|b| {
            b.parse_filters(spec);
        });
        let start = StartFilter::from_spec(spec);
        let installed = logger(|b| start.configure(b));
        assert_eq!(start.level, original.filter(), "max level of {spec:?}");
        for target in TARGETS {
            for level in [
                Level::Error,
                Level::Warn,
                Level::Info,
                Level::Debug,
                Level::Trace,
            ] {
                assert_eq!(
                    enabled(&original, level, target),
                    level <= start.level && enabled(&installed, level, target),
                    "spec {spec:?}, {level} from {target:?}"
                );
            }
        }
    }
}

#[test]
fn raising_the_level_reaches_gatehouse_but_not_pingora() {
    let start = StartFilter::from_spec("info");
    assert_eq!(start.level, LevelFilter::Info);
    let installed = logger(|b| start.configure(b));
    assert!(enabled(&installed, Level::Trace, "gatehouse::admin"));
    assert!(enabled(&installed, Level::Debug, "gatehouse"));
    assert!(!enabled(
        &installed,
        Level::Debug,
        "pingora_proxy::proxy_h1"
    ));
    assert!(enabled(&installed, Level::Info, "pingora_core"));

    // A module held below the start level stays there.
    let start = StartFilter::from_spec("info,gatehouse::reload=warn");
    let installed = logger(|b| start.configure(b));
    assert!(enabled(&installed, Level::Debug, "gatehouse::admin"));
    assert!(!enabled(&installed, Level::Info, "gatehouse::reload"));

    // Off at start can still be raised for gatehouse.
    let start = StartFilter::from_spec("off");
    assert_eq!(start.level, LevelFilter::Off);
    let installed = logger(|b| start.configure(b));
    assert!(enabled(&installed, Level::Debug, "gatehouse::proxy"));
    assert!(!enabled(&installed, Level::Error, "pingora_core"));
}

#[test]
fn bad_parts_are_reported_like_env_logger_does() {
    let start = StartFilter::from_spec("info,bogus=loud,a=b=c");
    assert_eq!(
        start.warnings,
        [
            "invalid logging spec 'loud'",
            "invalid logging spec 'a=b=c'"
        ]
    );
    assert_eq!(start.level, LevelFilter::Info);
    let start = StartFilter::from_spec("a/b/c");
    assert_eq!(start.warnings.len(), 1);
    assert_eq!(start.level, LevelFilter::Error);
}

#[test]
fn level_names() {
    for level in [
        LevelFilter::Off,
        LevelFilter::Error,
        LevelFilter::Warn,
        LevelFilter::Info,
        LevelFilter::Debug,
        LevelFilter::Trace,
    ] {
        assert_eq!(parse(name(level)), Some(level));
        assert!(LEVELS.contains(name(level)));
    }
    assert_eq!(parse(" DEBUG\n"), Some(LevelFilter::Debug));
    assert_eq!(parse("verbose"), None);
    assert_eq!(parse(""), None);
    assert_eq!(parse("debug,gatehouse=trace"), None);
    assert_eq!(parse("4"), None);
}
