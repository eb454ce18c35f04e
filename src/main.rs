//! The `gatehouse` binary: parse the command line, call the library, map failures to
//! exit codes (0 ok, 64 configuration error, 1 runtime failure).

use std::io::Read as _;
use std::process::ExitCode;

use clap::Parser as _;
use gatehouse::cli::{Cli, Command};
use gatehouse::config::Config;
use gatehouse::server::{self, RunOptions};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `EX_USAGE` from sysexits.h, as linkerd2-proxy uses for a bad configuration.
const EX_CONFIG: u8 = 64;
/// sysexits EX_UNAVAILABLE: `check --online` could not fetch or use an issuer's keys.
const EX_UNAVAILABLE: u8 = 69;

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The start level; `PUT /log-level` on the admin port changes it at run time.
    let log_spec = std::env::var("GATEHOUSE_LOG").ok();
    gatehouse::log_level::init(log_spec.as_deref().unwrap_or("info"));

    match cli.command {
        None => run(&cli, cli.run),
        Some(Command::Run(args)) => run(&cli, args),
        Some(Command::Check { online }) => check(&cli, online),
        Some(Command::HashPassword) => hash_password(),
        Some(Command::Token {
            ref user,
            ref dialect,
        }) => token(&cli, user, dialect.as_deref()),
        Some(Command::Revoke { ref jti, ref user }) => revoke(&cli, jti.clone(), user.clone()),
    }
}

fn load(cli: &Cli) -> Result<Config, ExitCode> {
    Config::load(&cli.config).map_err(|errors| {
        eprintln!("{errors}");
        eprintln!(
            "gatehouse: {} configuration error(s) in {}",
            errors.0.len(),
            cli.config.display()
        );
        ExitCode::from(EX_CONFIG)
    })
}

fn run(cli: &Cli, args: gatehouse::cli::RunArgs) -> ExitCode {
    let config = match load(cli) {
        Ok(config) => config,
        Err(code) => return code,
    };
    match server::run(
        config,
        &cli.config,
        RunOptions {
            upgrade: args.upgrade,
            daemon: args.daemon,
        },
    ) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gatehouse: cannot start: {e}");
            ExitCode::FAILURE
        }
    }
}

fn check(cli: &Cli, online: bool) -> ExitCode {
    let config = match load(cli) {
        Ok(config) => config,
        Err(code) => return code,
    };
    if let Err(e) = server::preflight_files(&config) {
        eprintln!("{}: {e}", cli.config.display());
        return ExitCode::from(EX_CONFIG);
    }
    for warning in &config.warnings {
        eprintln!("warning: {warning}");
    }
    match server::check_user_database(&config) {
        Ok(server::DatabaseCheck::NotConfigured) => {}
        Ok(server::DatabaseCheck::Checked(database)) => {
            println!("user database: {database}: queries ok");
        }
        Ok(server::DatabaseCheck::Unreachable(why)) => eprintln!("warning: {why}"),
        Err(e) => {
            eprintln!("{}: {e}", cli.config.display());
            return ExitCode::from(EX_CONFIG);
        }
    }
    println!("{}: ok", cli.config.display());
    println!("{}", config.summary());
    if online {
        server::install_tls_provider();
        let mut failed = false;
        for line in gatehouse::issuers::check_online(&config.issuers) {
            match line {
                Ok(found) => println!("{found}"),
                Err(e) => {
                    eprintln!("error: {e}");
                    failed = true;
                }
            }
        }
        if failed {
            return ExitCode::from(EX_UNAVAILABLE);
        }
    }
    ExitCode::SUCCESS
}

fn hash_password() -> ExitCode {
    let mut input = Vec::new();
    if let Err(e) = std::io::stdin().read_to_end(&mut input) {
        eprintln!("gatehouse: cannot read stdin: {e}");
        return ExitCode::FAILURE;
    }
    // One trailing newline is the terminal's, not the password's.
    if input.ends_with(b"\n") {
        input.pop();
        if input.ends_with(b"\r") {
            input.pop();
        }
    }
    if input.is_empty() {
        eprintln!("gatehouse: the password is empty");
        return ExitCode::FAILURE;
    }
    match gatehouse::users::hash_password(&input) {
        Ok(hash) => {
            println!("{hash}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("gatehouse: {e}");
            ExitCode::FAILURE
        }
    }
}

fn token(cli: &Cli, username: &str, dialect: Option<&str>) -> ExitCode {
    let config = match load(cli) {
        Ok(config) => config,
        Err(code) => return code,
    };
    match gatehouse::tokens::issue_token(&config, username, dialect) {
        Ok(token) => {
            println!("{token}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("gatehouse: {e}");
            ExitCode::FAILURE
        }
    }
}

fn revoke(cli: &Cli, jti: Option<String>, user: Option<String>) -> ExitCode {
    let config = match load(cli) {
        Ok(config) => config,
        Err(code) => return code,
    };
    let target = match (jti, user) {
        (Some(jti), None) => gatehouse::revocations::Target::Jti(jti),
        (None, Some(user)) => gatehouse::revocations::Target::User(user),
        // clap requires exactly one.
        _ => return ExitCode::from(EX_CONFIG),
    };
    match gatehouse::revoke::revoke(&config, target) {
        Ok(revocation) => {
            println!("{}", serde_json::to_string(&revocation).unwrap_or_default());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("gatehouse: {e}");
            ExitCode::FAILURE
        }
    }
}
