//! Command-line interface: clap definitions, dispatch, and printing errors with their causes.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::commands::{self, Format};
use crate::errors::{self, Failure};
use crate::exit_codes;
use crate::s3_records::S3Url;

#[derive(Debug, Parser)]
#[command(
    name = "driftdrill",
    version,
    about = "Drift fire drills: inject, measure detection, revert, report"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check the drill config and scenario files; report every problem with file:line:column.
    /// Never calls AWS.
    Validate {
        /// Scenario files or folders, and/or a driftdrill.toml (default: ./scenarios).
        paths: Vec<PathBuf>,
        /// The drill config (default: a driftdrill.toml among PATHS, or ./driftdrill.toml).
        #[arg(long)]
        config: Option<PathBuf>,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
        /// Treat warnings (an SLA no detector can meet) as errors.
        #[arg(long)]
        strict: bool,
    },
    /// List the injector actions, detector and channel types, and the scenarios under PATHS.
    List {
        paths: Vec<PathBuf>,
        #[arg(long)]
        config: Option<PathBuf>,
        #[arg(long, value_enum, default_value = "text")]
        format: commands::list::ListFormat,
    },
    /// Run drills: inject, observe every expected detector and channel, revert, verify, record.
    Run {
        /// Scenario files or folders (default: ./scenarios).
        paths: Vec<PathBuf>,
        #[arg(long)]
        config: Option<PathBuf>,
        /// Run only these scenario ids (repeatable).
        #[arg(long)]
        only: Vec<String>,
        /// Run only scenarios of this category.
        #[arg(long)]
        category: Option<String>,
        /// Drills in flight at once (default: safety.max_concurrent).
        #[arg(long)]
        concurrency: Option<usize>,
        /// Resolve targets, check guardrails and detector health, print what would change; change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Where the run record is written: a folder (default reports/runs) and/or
        /// `s3://bucket/prefix/` (repeatable; an S3 copy never replaces an object, and the
        /// folder copy is always written).
        #[arg(long, value_name = "FOLDER|s3://BUCKET/PREFIX/", value_parser = out_place)]
        out: Vec<String>,
        /// Lower the config's maximum drift lifetime for this run (e.g. 2m): every change is
        /// reverted after this long, detected or not.
        #[arg(long, value_parser = humantime::parse_duration)]
        max_drift_lifetime: Option<std::time::Duration>,
        /// Run only the K-th of N equal shares of the drills (scenario × environment), e.g. one
        /// job of a CI matrix: `--shard 2/4`. The N shards together run every drill once.
        #[arg(long, value_name = "K/N")]
        shard: Option<crate::run::plan::Shard>,
        /// Unannounced: run a random sample of N of the selected drills.
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
        pick: Option<u32>,
        /// The sample's and delays' seed (default: drawn, and kept in the run record).
        #[arg(long, value_name = "S")]
        seed: Option<u64>,
        /// Unannounced: wait a random delay under this long (e.g. 4h) before each drill.
        #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration)]
        start_within: Option<std::time::Duration>,
    },
    /// Learn what each detector sees: run the scenarios as drills that watch every detector
    /// and channel for a window (no expectations), print a drift kind × detector matrix and
    /// the `[expect]` block each scenario could hold. The record is never counted as coverage.
    Discover {
        /// Scenario files or folders (default: ./scenarios).
        paths: Vec<PathBuf>,
        #[arg(long)]
        config: Option<PathBuf>,
        /// Discover only these scenario ids (repeatable).
        #[arg(long)]
        only: Vec<String>,
        /// How long every detector is watched after each change (default: twice the longest
        /// poll interval, at least 30s, at most the maximum drift lifetime).
        #[arg(long, value_parser = humantime::parse_duration)]
        window: Option<std::time::Duration>,
        /// Write each proposal into its scenario file (comments and layout are kept).
        #[arg(long)]
        write: bool,
        /// Where the discovery record is written (default reports/runs).
        #[arg(long, default_value = "reports/runs")]
        out: PathBuf,
    },
    /// The whole product on an embedded LocalStack: sample environment, a scheduled terraform
    /// drift job posting to a webhook, the built-in scenarios, the report. Leaves nothing running.
    Demo {
        /// Working folder for the environment, config, journal and run records.
        #[arg(long, default_value = "reports/demo")]
        dir: PathBuf,
        /// Scenario files or folder to run (default: the built-in scenarios, written into DIR).
        #[arg(long)]
        scenarios: Option<PathBuf>,
        /// How long each drill may stay before it is reverted, detected or not (default: set
        /// from the sample environment's plan time measured in setup, at least 90s).
        #[arg(long, value_parser = humantime::parse_duration)]
        max_drift_lifetime: Option<std::time::Duration>,
    },
    /// Revert every change the journal shows as not verified-reverted (after a crash or kill);
    /// settle changes whose target is gone; list or forget them.
    Recover {
        #[arg(long)]
        config: Option<PathBuf>,
        /// The journal (default: safety.journal of the config).
        #[arg(long)]
        journal: Option<PathBuf>,
        /// Show every unsettled change and its last error; change nothing.
        #[arg(long, conflicts_with = "forget")]
        list: bool,
        /// Settle DRILL (`<run>/<scenario>`, or the scenario id if unique) as never revertable,
        /// for a change that cannot be reverted (account closed, permissions withdrawn).
        #[arg(long, value_name = "DRILL", requires = "reason")]
        forget: Option<String>,
        /// Why the change is forgotten (journaled with who decided and when).
        #[arg(long, requires = "forget")]
        reason: Option<String>,
        /// Where the recovery record goes, beside the run records the report reads.
        #[arg(long, default_value = "reports/runs")]
        out: PathBuf,
    },
    /// The detection-coverage report for a quarter (or --since/--until) from run records.
    Report {
        /// Folders, files or s3://BUCKET/PREFIX/ URLs of run records; several merge (default:
        /// reports/runs).
        dirs: Vec<PathBuf>,
        /// A drill config whose [aws] section says how to reach S3 (default: the standard AWS
        /// chain: AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL, ...).
        #[arg(long)]
        config: Option<PathBuf>,
        /// e.g. 2026-Q4 (default: the current quarter).
        #[arg(long)]
        quarter: Option<String>,
        #[arg(long, requires = "until")]
        since: Option<chrono::NaiveDate>,
        #[arg(long, requires = "since")]
        until: Option<chrono::NaiveDate>,
        /// Output formats (repeatable); files other than terminal go to --out-dir.
        #[arg(long, value_enum)]
        format: Vec<commands::report::ReportFormat>,
        /// Write the (single) format to this file (`-`: standard output).
        #[arg(long)]
        out: Option<PathBuf>,
        #[arg(long, default_value = "reports")]
        out_dir: PathBuf,
        /// Exit with the most severe exit code of the period's runs (3: a miss, 4: a revert
        /// not verified, ...) once the report is written: a CI merge job fails like the shards.
        #[arg(long)]
        exit_with_runs: bool,
    },
    /// Print the least-privilege IAM policy (JSON) the selected drills need: every action's
    /// declared calls, finding targets, the identity check. Never calls AWS.
    Permissions {
        /// Scenario files or folders (default: ./scenarios).
        paths: Vec<PathBuf>,
        #[arg(long)]
        config: Option<PathBuf>,
        /// Only these scenario ids (repeatable).
        #[arg(long)]
        only: Vec<String>,
    },
    /// Install the pinned Cloud Custodian (c7n) the `custodian` detector uses when none is on
    /// PATH, into ~/.cache/driftdrill (python3 with venv, PyPI once); prints its folder.
    CustodianEnv,
    /// Write a terraform CLI config that installs providers from the local mirror
    /// (DRIFTDRILL_TF_PLUGIN_MIRROR, or the first of the documented default folders).
    TfCliConfig {
        /// Where to write it (default: print to standard output).
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

impl Command {
    /// Commands that only read files and print (no cloud calls, no child processes).
    fn only_prints(&self) -> bool {
        matches!(
            self,
            Command::Validate { .. }
                | Command::List { .. }
                | Command::Report { .. }
                | Command::Permissions { .. }
                | Command::TfCliConfig { .. }
        )
    }
}

/// Restores the default SIGPIPE action, so `driftdrill list | head` ends quietly like any Unix
/// filter instead of failing on a closed pipe. Only for commands that just print: the others
/// keep Rust's ignored SIGPIPE, so no closed pipe can ever kill a drill before it reverts.
fn end_quietly_when_the_reader_goes_away() {
    #[cfg(unix)]
    // SAFETY: runs before any thread is started; it only resets one signal's disposition.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// A records folder, or an `s3://bucket/prefix/` URL that names its bucket.
fn out_place(text: &str) -> Result<String, String> {
    if text.starts_with("s3:") && S3Url::parse(text).is_none() {
        return Err(format!(
            "{text:?} is not s3://BUCKET/PREFIX/ (e.g. s3://drill-records/runs/)"
        ));
    }
    Ok(text.to_string())
}

/// Parses arguments, runs the command and returns the process exit code.
pub fn main() -> i32 {
    let cli = Cli::parse();
    if cli.command.only_prints() {
        end_quietly_when_the_reader_goes_away();
    }
    let result = dispatch(cli.command);
    // A backstop: no program driftdrill started outlives it, whatever path led here.
    crate::process::stop_all(crate::process::GRACE);
    match result {
        Ok(code) => code,
        Err(failure) => {
            eprint!("{}", errors::render(&failure));
            failure.code
        }
    }
}

/// Runs one command.
fn dispatch(command: Command) -> errors::CommandResult {
    match command {
        Command::Validate {
            paths,
            config,
            format,
            strict,
        } => {
            let how = commands::validate::How { format, strict };
            commands::validate::run(config.as_deref(), &paths, how, &mut std::io::stdout())
                .map_err(input_error)
        }
        Command::List {
            paths,
            config,
            format,
        } => commands::list::run(config.as_deref(), &paths, format, &mut std::io::stdout())
            .map_err(input_error),
        run @ Command::Run { .. } => {
            runtime().block_on(commands::run::run_command(run_options(run)))
        }
        Command::Discover {
            paths,
            config,
            only,
            window,
            write,
            out,
        } => {
            let run = crate::run::runner::RunOptions {
                config,
                paths,
                only,
                out_dir: out,
                discovery: Some(crate::run::discovery::Discovery { window }),
                ..Default::default()
            };
            runtime().block_on(commands::discover::run(
                commands::discover::DiscoverOptions { run, write },
            ))
        }
        Command::Demo {
            dir,
            scenarios,
            max_drift_lifetime,
        } => runtime().block_on(commands::demo::run(dir, scenarios, max_drift_lifetime)),
        recover @ Command::Recover { .. } => {
            runtime().block_on(commands::recover::run(recover_options(recover)))
        }
        Command::Report {
            dirs,
            config,
            quarter,
            since,
            until,
            format,
            out,
            out_dir,
            exit_with_runs,
        } => commands::report::run(commands::report::ReportOptions {
            dirs,
            config,
            quarter,
            since,
            until,
            formats: format,
            out,
            out_dir,
            exit_with_runs,
        }),
        Command::Permissions {
            paths,
            config,
            only,
        } => commands::permissions::run(config, paths, only),
        Command::TfCliConfig { out } => commands::tf_cli_config::run(out),
        Command::CustodianEnv => commands::custodian_env::run(),
    }
}

/// `run`'s arguments as the runner's options (`--out` splits into a folder and S3 prefixes).
fn run_options(command: Command) -> crate::run::runner::RunOptions {
    let Command::Run {
        paths,
        config,
        only,
        category,
        concurrency,
        dry_run,
        out,
        max_drift_lifetime,
        shard,
        pick,
        seed,
        start_within,
    } = command
    else {
        unreachable!("called with `run` only")
    };
    crate::run::runner::RunOptions {
        selection: crate::vocab::Selection {
            shard,
            pick: pick.map(|n| n as usize),
            seed,
            start_within,
        },
        config,
        paths,
        only,
        category,
        concurrency,
        dry_run,
        out_dir: out
            .iter()
            .find(|o| S3Url::parse(o).is_none())
            .map_or_else(|| PathBuf::from("reports/runs"), PathBuf::from),
        out_s3: out.iter().filter_map(|o| S3Url::parse(o)).collect(),
        max_drift_lifetime,
        min_window: None,
        discovery: None,
    }
}

/// `recover`'s arguments: list, forget one change, or recover them all.
fn recover_options(command: Command) -> commands::recover::RecoverOptions {
    let Command::Recover {
        config,
        journal,
        list,
        forget,
        reason,
        out,
    } = command
    else {
        unreachable!("called with `recover` only")
    };
    commands::recover::RecoverOptions {
        config,
        journal,
        out,
        what: match (list, forget, reason) {
            (true, _, _) => commands::recover::What::List,
            (_, Some(drill), Some(reason)) => commands::recover::What::Forget { drill, reason },
            _ => commands::recover::What::Recover,
        },
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}

/// Unreadable input paths are invalid input (exit 2).
fn input_error(err: crate::formats::load::LoadError) -> Failure {
    Failure::new(exit_codes::INVALID_INPUT, err)
}
