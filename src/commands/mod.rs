//! One file per subcommand; each returns an exit code from `exit_codes`, or a typed
//! `errors::Failure` that only `cli::main` prints.

pub mod custodian_env;
pub mod demo;
mod demo_assets;
pub mod discover;
pub mod list;
pub mod permissions;
pub mod recover;
pub mod report;
pub mod run;
pub(crate) mod tf_cli_config;
pub mod validate;

/// Output format shared by commands that print machine-readable results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
}
