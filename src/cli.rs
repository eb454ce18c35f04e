//! The command line: `gatehouse [run]`, `check`, `hash-password`, `token`.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::config::DEFAULT_PATH;

/// gatehouse: an authentication sidecar. It answers legacy login APIs, verifies every
/// other request, and forwards it upstream with trusted identity headers.
#[derive(Debug, Parser)]
#[command(name = "gatehouse", version, propagate_version = true)]
pub struct Cli {
    /// Configuration file.
    #[arg(long, short = 'c', global = true, default_value = DEFAULT_PATH, value_name = "FILE")]
    pub config: PathBuf,

    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub run: RunArgs,
}

#[derive(Debug, Clone, Copy, Default, clap::Args)]
pub struct RunArgs {
    /// Take over the listening sockets of a running gatehouse (then send SIGQUIT to the old process).
    #[arg(long, short = 'u')]
    pub upgrade: bool,
    /// Not supported (refused with an explanation): run in the foreground under a
    /// supervisor.
    #[arg(long, short = 'd')]
    pub daemon: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the proxy (the default).
    Run(RunArgs),
    /// Validate the configuration and print what would run; exit 64 on errors.
    Check {
        /// Also fetch each `[[issuers]]` discovery document and JWKS once and report the
        /// keys found; exit 69 when one cannot be fetched or used.
        #[arg(long)]
        online: bool,
    },
    /// Read a password on stdin and print an argon2id hash for `password_hash`.
    HashPassword,
    /// Print a token for a configured user (for load tests and scripts).
    Token {
        /// The user's username.
        #[arg(long, value_name = "NAME")]
        user: String,
        /// Issue the token a dialect would (its `[dialects.<name>]` name, e.g. simplejwt);
        /// without it, a gatehouse token signed with `[auth] token_key`.
        #[arg(long, value_name = "D")]
        dialect: Option<String>,
    },
    /// Revoke one token (by its `jti`) or every token of a user issued until now, in the
    /// configured `[state]` store: every replica refuses it within a second.
    Revoke {
        /// The token's `jti` claim.
        #[arg(
            long,
            value_name = "ID",
            required_unless_present = "user",
            conflicts_with = "user"
        )]
        jti: Option<String>,
        /// The user's username.
        #[arg(long, value_name = "NAME")]
        user: Option<String>,
    },
}
