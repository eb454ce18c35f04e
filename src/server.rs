//! Turns a validated [`Config`] into a running Pingora server: the proxy service, the
//! admin service, the built-in echo upstream when asked for, and the readiness probe.
//!
//! Pre-flight runs before anything binds: every listen address must be free and every
//! certificate and key file must load. Pingora would otherwise retry a busy port for
//! 30 s, and a bad certificate would only kill one service thread while the process
//! kept running.

use std::sync::Arc;

use arc_swap::ArcSwap;
use pingora::apps::http_app::HttpServer;
use pingora::apps::HttpServerOptions;
use pingora::server::configuration::{Opt, ServerConf};
use pingora::server::Server;
use pingora::services::background::GenBackgroundService;
use pingora::services::listening::Service;

use crate::admin::{Admin, Readiness, ReadinessProbe};
use crate::config::{Config, UpstreamTarget};
use crate::connections::Guarded;
use crate::echo::Echo;
use crate::issuers::Issuers;
use crate::listener_tls::ListenerCertificate;
use crate::metrics::Metrics;
use crate::offload::HashPool;
use crate::proxy::{Gatehouse, Snapshot};
use crate::state::{Shared, State};
use crate::store::Store;
use crate::users::database::{DatabaseError, UserDatabase};

/// Options that come from the command line rather than the config file.
#[derive(Debug, Default, Clone, Copy)]
pub struct RunOptions {
    /// Take over the listening sockets of a running gatehouse (`-u`, then SIGQUIT the old one).
    pub upgrade: bool,
    pub daemon: bool,
}

/// A start-up failure: not a config error, but the process cannot run.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("{address} ({what}) cannot be bound: {reason}")]
    Bind {
        what: &'static str,
        address: String,
        reason: String,
    },
    #[error("[listen] tls: {0}")]
    Certificate(String),
    #[error("[upstream] ca_file: {0}")]
    UpstreamCa(String),
    #[error("built-in echo upstream: {0}")]
    Echo(String),
    #[error("[state]: {0}")]
    Store(String),
    #[error("[user_database]: {0}")]
    UserDatabase(String),
    #[error("{0}")]
    Other(String),
}

/// Checks what the config alone cannot: that certificates parse and keys load. Also run
/// by `gatehouse check`.
pub fn preflight_files(config: &Config) -> Result<(), StartError> {
    if let Some(tls) = &config.listen.tls {
        crate::listener_tls::load(tls).map_err(|e| StartError::Certificate(e.to_string()))?;
    }
    if let Some(ca) = config
        .upstream
        .tls
        .as_ref()
        .and_then(|t| t.ca_file.as_ref())
    {
        let mut store = pingora::tls::RootCertStore::empty();
        pingora::tls::load_ca_file_into_store(ca, &mut store)
            .map_err(|e| StartError::UpstreamCa(format!("`{}`: {e}", ca.display())))?;
    }
    Ok(())
}

fn preflight_binds(config: &Config) -> Result<(), StartError> {
    for (what, address) in [
        ("[listen] address", config.listen.address),
        ("[admin] address", config.admin.address),
    ] {
        std::net::TcpListener::bind(address).map_err(|e| StartError::Bind {
            what,
            address: address.to_string(),
            reason: e.to_string(),
        })?;
    }
    Ok(())
}

/// Opens `[user_database]` and checks its queries. A database that does not answer is
/// not fatal (gatehouse starts not ready and checks once it answers); a query that does
/// not return what gatehouse reads is.
fn open_user_database(
    settings: &crate::users::database::DatabaseSettings,
    metrics: &Metrics,
) -> Result<UserDatabase, StartError> {
    let database = UserDatabase::open(settings, metrics.user_database.clone())
        .map_err(|e| StartError::UserDatabase(e.to_string()))?;
    match database.check_now() {
        Ok(()) => log::info!("users from {}", database.describe()),
        Err(e @ DatabaseError::Misconfigured { .. }) => {
            return Err(StartError::UserDatabase(e.to_string()))
        }
        Err(e) => log::warn!(
            "{e}: starting not ready; users from {} once it answers",
            database.describe()
        ),
    }
    Ok(database)
}

/// What `gatehouse check` found in the user database.
pub enum DatabaseCheck {
    NotConfigured,
    /// The queries return what gatehouse reads (the database, described).
    Checked(String),
    /// The database did not answer: the configuration may still be right.
    Unreachable(String),
}

/// `gatehouse check`'s look at `[user_database]`: `Err` names a query that does not
/// return what gatehouse reads.
pub fn check_user_database(config: &Config) -> Result<DatabaseCheck, String> {
    let Some(settings) = &config.user_database else {
        return Ok(DatabaseCheck::NotConfigured);
    };
    let database = UserDatabase::open_for_command_line(settings).map_err(|e| e.to_string())?;
    match database.check_now() {
        Ok(()) => Ok(DatabaseCheck::Checked(database.describe())),
        Err(e @ DatabaseError::Misconfigured { .. }) => Err(e.to_string()),
        Err(e) => Ok(DatabaseCheck::Unreachable(format!(
            "{e}; the queries of {} were not checked",
            database.describe()
        ))),
    }
}

/// Builds every service and runs until a signal stops the process. Never returns on
/// success (Pingora exits the process itself).
pub fn run(config: Config, path: &std::path::Path, options: RunOptions) -> Result<(), StartError> {
    // Pingora forks into the background inside `run_forever`, after gatehouse has started
    // its own threads (the hash pool, the state store's runtime), which a fork does not
    // carry over: password checks would hang and the revocations would never update.
    if options.daemon {
        return Err(StartError::Other(
            "--daemon is not supported: run gatehouse in the foreground under a supervisor (systemd, Kubernetes, ...)".into(),
        ));
    }
    preflight_files(&config)?;
    if !options.upgrade {
        preflight_binds(&config)?;
    }
    for warning in &config.warnings {
        log::warn!("{warning}");
    }

    let metrics = Arc::new(Metrics::new().map_err(|e| StartError::Other(format!("metrics: {e}")))?);
    install_tls_provider();
    let store = Store::open(&config.state, metrics.store.clone())
        .map_err(|e| StartError::Store(e.to_string()))?;
    let user_database = config
        .user_database
        .as_ref()
        .map(|settings| open_user_database(settings, &metrics))
        .transpose()?;
    let issuers = Arc::new(
        Issuers::start(&config.issuers, &metrics.issuers)
            .map_err(|e| StartError::Other(e.to_string()))?,
    );
    let echo_socket = match config.upstream.target {
        UpstreamTarget::BuiltinEcho => {
            Some(crate::echo::prepare_socket_dir().map_err(|e| StartError::Echo(e.to_string()))?)
        }
        UpstreamTarget::Tcp { .. } | UpstreamTarget::None => None,
    };
    let shared = Shared::new(
        metrics.clone(),
        Arc::new(
            HashPool::new(config.server.hash_workers, config.server.hash_queue)
                .map_err(|e| StartError::Other(format!("cannot start the hash pool: {e}")))?,
        ),
        echo_socket.clone(),
        config.auth.rate_limit.clone(),
        store.clone(),
    )
    .with_user_database(user_database.clone())
    .with_issuers(issuers.clone());

    let mut conf = ServerConf {
        threads: config.server.threads,
        work_stealing: config.server.work_stealing,
        grace_period_seconds: Some(config.server.grace_period.as_secs()),
        graceful_shutdown_timeout_seconds: Some(config.server.shutdown_timeout.as_secs()),
        upgrade_sock: config.server.upgrade_sock.clone(),
        pid_file: config.server.pid_file.clone(),
        daemon: options.daemon,
        ..ServerConf::default()
    };
    if let Some(ca) = config
        .upstream
        .tls
        .as_ref()
        .and_then(|t| t.ca_file.as_ref())
    {
        conf.ca_file = Some(ca.to_string_lossy().into_owned());
    }
    let opt = Opt {
        upgrade: options.upgrade,
        daemon: options.daemon,
        nocapture: false,
        test: false,
        conf: None,
    };

    let listen = config.listen.clone();
    let upstream_protocol = config.upstream.protocol;
    let admin_address = config.admin.address;
    let config = Arc::new(config);
    let state = State::build(config, &shared).map_err(StartError::Other)?;
    let snapshot = Snapshot::new(state).map_err(|e| StartError::Other(e.to_string()))?;
    let snapshot = Arc::new(ArcSwap::from_pointee(snapshot));
    let listener_certificate = listen
        .tls
        .as_ref()
        .map(ListenerCertificate::new)
        .transpose()
        .map_err(|e| StartError::Certificate(e.to_string()))?;
    let reloader = crate::reload::Reloader {
        path: path.to_path_buf(),
        snapshot: snapshot.clone(),
        shared: shared.clone(),
        listener_certificate: listener_certificate.clone(),
    };

    let mut server = Server::new_with_opt_and_conf(opt, conf);
    server.bootstrap();

    let mut proxy_app = pingora::proxy::http_proxy(
        &server.configuration,
        Gatehouse::new(snapshot.clone(), shared.clone()),
    );
    proxy_app.server_options = Some(crate::http2::server_options(&listen));
    proxy_app.h2_options = Some(crate::http2::h2_options(&listen));
    let mut proxy = Service::new(
        "proxy".to_owned(),
        Guarded::new(
            proxy_app,
            listen.max_connections,
            listen.header_timeout,
            metrics.clone(),
        ),
    );
    let listen_address = listen.address.to_string();
    match &listener_certificate {
        Some(certificate) => {
            let mut settings = certificate
                .tls_settings()
                .map_err(|e| StartError::Certificate(e.to_string()))?;
            if listen.http2.alpn_h2 {
                settings.enable_h2();
            }
            proxy.add_tls_with_settings(&listen_address, None, settings);
        }
        None => proxy.add_tcp(&listen_address),
    }

    let readiness = Readiness::default();
    let mut admin = Service::new(
        "admin".to_owned(),
        Admin {
            metrics,
            readiness: readiness.clone(),
            store,
            user_database,
            issuers,
            snapshot: snapshot.clone(),
        },
    );
    admin.add_tcp(&admin_address.to_string());
    admin.threads = Some(1);

    let probe = GenBackgroundService::new(
        "readiness".to_owned(),
        Arc::new(ReadinessProbe {
            proxy_address: listen.address,
            readiness,
        }),
    );

    if let Some(socket) = &echo_socket {
        // The echo speaks h2c too, so that `protocol = "h2c"` can be tried on the demo
        // (and switched to by a reload).
        let mut echo_app = HttpServer::new_app(Echo);
        let mut echo_options = HttpServerOptions::default();
        echo_options.h2c = true;
        echo_app.server_options = Some(echo_options);
        let mut echo = Service::new("echo".to_owned(), echo_app);
        let path = socket
            .to_str()
            .ok_or_else(|| StartError::Echo("socket path is not UTF-8".into()))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            echo.add_uds(path, Some(std::fs::Permissions::from_mode(0o600)));
        }
        #[cfg(not(unix))]
        echo.add_uds(path, None);
        echo.threads = Some(1);
        server.add_service(echo);
        log::info!("built-in echo upstream on {path}");
    }
    server.add_service(proxy);
    server.add_service(admin);
    server.add_service(probe);
    server.add_service(GenBackgroundService::new(
        "reload".to_owned(),
        Arc::new(reloader),
    ));
    log::info!(
        "gatehouse listening on {listen_address} ({}), admin on {admin_address}; upstream over {}",
        crate::http2::describe(&listen),
        upstream_protocol.name()
    );
    server.run_forever()
}

/// rustls needs a process-wide crypto provider for connections made outside Pingora
/// (`rediss://`); ring is the one Pingora's rustls is built with. Installing twice (tests,
/// `revoke` after `run` in one process) is harmless.
pub fn install_tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
