//! `driftdrill demo`: the whole product on an embedded LocalStack, from nothing to a report,
//! leaving nothing running.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use chrono::Utc;

use super::demo_assets;
use crate::errors::{CommandResult, Failure};
use crate::exit_codes;
use crate::localstack::{self, launcher::Environment};
use crate::report::{self, Period, records};
use crate::run::runner::{self, RunOptions};
use crate::terraform::sample_env::{self, SampleVars};

const DRIFT_JOB: &str = include_str!("../../localstack/drift-job.sh");

/// Stops what the demo started, however it ends.
struct Started {
    localstack: Option<localstack::LocalStack>,
    job: Option<Child>,
}

impl Drop for Started {
    fn drop(&mut self) {
        if let Some(job) = &mut self.job {
            stop_job(job);
        }
        if let Some(ls) = &mut self.localstack {
            ls.stop();
        }
    }
}

/// Stops the scheduled job and everything it started (its process group: the loop, a plan in
/// flight, the plan's provider plugins): SIGINT, so a plan ends as it would for a person, then
/// SIGKILL for whatever is left after a few seconds.
fn stop_job(job: &mut Child) {
    let group = -(job.id() as i32);
    // SAFETY: the job runs in a process group of its own that the demo created.
    unsafe { libc::kill(group, libc::SIGINT) };
    for _ in 0..100 {
        if matches!(job.try_wait(), Ok(Some(_))) {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    // SAFETY: as above; whatever of the group is left is killed.
    unsafe { libc::kill(group, libc::SIGKILL) };
    let _ = job.wait();
}

/// The file that marks a folder as the demo's own: only such a folder is ever deleted.
pub(crate) const MARKER: &str = ".driftdrill-demo";

/// Why the demo stopped.
#[derive(Debug, thiserror::Error)]
pub(crate) enum DemoError {
    #[error(
        "find terraform: the demo applies a terraform environment; install Terraform 1.5 or later"
    )]
    NoTerraform,
    #[error("use {} for the demo: {why}; nothing was deleted", dir.display())]
    Refused { dir: PathBuf, why: String },
    #[error("{what} {}", path.display())]
    Io {
        what: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("start LocalStack")]
    LocalStack(#[from] crate::localstack::launcher::LocalStackError),
    #[error("prepare the sample environment")]
    Terraform(#[from] crate::terraform::workspace::TerraformError),
    #[error("install Cloud Custodian for the demo's custodian detector")]
    Custodian(#[from] crate::detect::custodian_env::CustodianEnvError),
    #[error("install Cloud Custodian for the demo's custodian detector")]
    CustodianTask(#[source] tokio::task::JoinError),
    #[error("start the scheduled drift job")]
    Job(#[source] std::io::Error),
    #[error("run the drills")]
    Run(#[from] runner::RunError),
    #[error("read the run records")]
    Records(#[from] records::RecordsError),
    #[error("write the demo's files")]
    Assets(#[from] demo_assets::AssetError),
    #[error("finish the demo: it was interrupted (everything it started is stopped)")]
    Interrupted,
}

/// Runs a setup step unless Ctrl-C or SIGTERM comes first; then the step is dropped, and what
/// the demo started is stopped by the caller's guard and the programs in flight by
/// [`crate::process::stop_all`] before driftdrill exits. (While drills run, the runner owns the
/// signals: the first reverts everything in flight.)
async fn interruptible<T>(
    step: impl std::future::Future<Output = Result<T, DemoError>>,
) -> Result<T, DemoError> {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .map_err(DemoError::Job)?;
    tokio::select! {
        done = step => done,
        _ = tokio::signal::ctrl_c() => Err(DemoError::Interrupted),
        _ = term.recv() => Err(DemoError::Interrupted),
    }
}

/// An I/O failure on `path` while doing `what` ("create", "write", ...).
fn io(what: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> DemoError {
    let path = path.to_path_buf();
    move |source| DemoError::Io { what, path, source }
}

/// Makes `dir` a fresh demo folder and returns the lock that keeps it the demo's while it runs.
/// A folder the demo created before (it holds [`MARKER`]) is deleted and recreated, unless
/// another demo still holds it; a missing or empty one is used; anything else is refused
/// untouched, so `demo --dir ~` can never delete a home folder.
pub(crate) fn prepare_dir(dir: &Path) -> Result<std::fs::File, DemoError> {
    let refuse = |why: &str| DemoError::Refused {
        dir: dir.to_path_buf(),
        why: why.to_string(),
    };
    match std::fs::symlink_metadata(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io("read", dir)(e)),
        Ok(meta) if !meta.is_dir() => return Err(refuse("it is not a folder")),
        Ok(_) => {
            let ours = std::fs::symlink_metadata(dir.join(MARKER)).is_ok_and(|m| m.is_file());
            let empty = std::fs::read_dir(dir)
                .map_err(io("read", dir))?
                .next()
                .is_none();
            if ours {
                let marker = std::fs::File::open(dir.join(MARKER)).map_err(io("open", dir))?;
                if marker.try_lock().is_err() {
                    return Err(refuse(
                        "another `driftdrill demo` is running in it; wait for it, or pass another --dir",
                    ));
                }
                drop(marker);
                std::fs::remove_dir_all(dir).map_err(io("remove the previous demo in", dir))?;
            } else if !empty {
                return Err(refuse(&format!(
                    "it is not empty and was not created by `driftdrill demo` (it has no {MARKER} file); pass a new or empty folder with --dir"
                )));
            }
        }
    }
    std::fs::create_dir_all(dir).map_err(io("create", dir))?;
    let marker = dir.join(MARKER);
    std::fs::write(
        &marker,
        "Created by `driftdrill demo`: the next demo run with this --dir deletes and recreates this folder.\n",
    )
    .map_err(io("write", &marker))?;
    let held = std::fs::File::open(&marker).map_err(io("open", &marker))?;
    held.lock().map_err(io("lock", &marker))?;
    Ok(held)
}

/// Prints a phase heading with the time since the demo started.
fn step(text: &str) {
    static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    let elapsed = START.get_or_init(std::time::Instant::now).elapsed();
    eprintln!("\n==> [{:>5.1}s] {text}", elapsed.as_secs_f64());
}

pub async fn run(
    dir: PathBuf,
    scenarios: Option<PathBuf>,
    lifetime: Option<Duration>,
) -> CommandResult {
    demo(&dir, scenarios.as_deref(), lifetime)
        .await
        .map_err(|e| match e {
            DemoError::Run(e) => super::run::failure(e),
            e => Failure::new(exit_codes::TOOL_ERROR, e),
        })
}

/// How often the demo's terraform detectors and its scheduled job plan.
const PLAN_INTERVAL: Duration = Duration::from_secs(10);

/// How much longer a plan of the sample environment takes while the drills run than in setup:
/// every scenario at once, the scheduled job and four detectors share the machine (measured on
/// 2 cores with 44 scenarios: 16.6 s in setup, 42–49 s during the drills; with 50 scenarios and
/// no `endpoints` block in the provider, 6 s in setup and 14–16 s for the first plans of the run).
const LOADED: u32 = 3;

/// The demo's windows, from the plan time it measured in setup: a window must hold a poll that
/// starts after the change and finishes (up to one interval and one plan in flight, then the
/// plan itself), each plan as long as it takes while the drills run ([`LOADED`]); the drift
/// lifetime holds such a window and the revert's reserve after it (a quarter more), and at
/// least 90 s.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Windows {
    pub min_window: Duration,
    pub lifetime: Duration,
}

impl Windows {
    pub fn measured(plan: Duration, asked_lifetime: Option<Duration>) -> Windows {
        let min_window = PLAN_INTERVAL + plan * 2 * LOADED;
        let min_window = Duration::from_secs(min_window.as_secs_f64().ceil() as u64);
        let lifetime = asked_lifetime.unwrap_or_else(|| {
            let holds = Duration::from_secs((min_window.as_secs_f64() * 1.25).ceil() as u64);
            holds.max(Duration::from_secs(90))
        });
        Windows {
            min_window,
            lifetime,
        }
    }
}

/// What setting up the environment gave the rest of the demo.
struct Setup {
    ws: crate::terraform::Workspace,
    /// The self-healing workspace the terraform remediator applies.
    heal: crate::terraform::Workspace,
    endpoint: String,
    /// The shipped Cloud Custodian policies, as the config's `policy = [...]` list.
    policy_list: String,
    /// The shipped policies with actions (the remediating detector's list).
    remediation_list: String,
    /// How long a full plan of the sample environment took, measured after the apply.
    plan: Duration,
}

async fn demo(
    dir: &Path,
    scenarios: Option<&Path>,
    lifetime: Option<Duration>,
) -> Result<i32, DemoError> {
    if !crate::terraform::workspace::installed("terraform") {
        return Err(DemoError::NoTerraform);
    }
    // Checked before anything starts, so a mistyped path costs no LocalStack start.
    let given = match scenarios {
        Some(path) => Some(
            path.canonicalize()
                .map_err(io("find the scenarios in", path))?,
        ),
        None => None,
    };
    let _ours = prepare_dir(dir)?;
    let dir = dir.canonicalize().map_err(io("resolve", dir))?;
    let scenarios = match given {
        Some(path) => path,
        None => {
            let builtin = dir.join("scenarios");
            demo_assets::write_builtin_scenarios(&builtin)?;
            builtin
        }
    };
    let mut started = Started {
        localstack: None,
        job: None,
    };
    let setup = interruptible(set_up(&dir, &mut started)).await?;
    let windows = Windows::measured(setup.plan, lifetime);
    eprintln!(
        "a full plan took {:.0}s: every window holds at least {}, each change is reverted within {}",
        setup.plan.as_secs_f64(),
        humantime::format_duration(windows.min_window),
        humantime::format_duration(windows.lifetime)
    );
    let port = start_drift_job(&dir, &setup.ws, &mut started)?;
    let config = write_config(&dir, &setup, port)?;
    let code = run_scenarios(&dir, &config, &scenarios, windows).await?;
    let (html, md) = write_report(&dir)?;
    step("stopping what the demo started");
    drop(started);
    say_goodbye(&dir, &config, &html, &md, code);
    // A demo that ran and reverted everything succeeded as a demo, even when detectors missed.
    Ok(if code == exit_codes::DETECTION_MISSED {
        exit_codes::OK
    } else {
        code
    })
}

/// LocalStack (terraform init and the pinned Cloud Custodian meanwhile), the sample
/// environment applied, the shipped policies written, and one full plan timed.
async fn set_up(dir: &Path, started: &mut Started) -> Result<Setup, DemoError> {
    step("starting LocalStack 4.12.0 (terraform init and the Cloud Custodian venv meanwhile)");
    // Cloud Custodian's pinned venv (a pip install on first use) is made first, meanwhile.
    let custodian = tokio::task::spawn_blocking(crate::detect::custodian_env::ensure);
    // `terraform init` needs no endpoint: it runs while LocalStack starts, and the real
    // endpoint is written before the apply.
    let env_dir = dir.join("environment");
    let mut vars = SampleVars {
        endpoint: "http://127.0.0.1:4566".into(),
        region: "us-east-1".into(),
        name_prefix: "dd-sample".into(),
        lifecycle_rules: true,
    };
    let heal_dir = dir.join("environment-selfheal");
    let ws = sample_env::write(&env_dir, &vars)
        .map_err(io("write the sample environment in", &env_dir))?;
    let heal = sample_env::write_selfheal(&heal_dir, &vars)
        .map_err(io("write the self-healing workspace in", &heal_dir))?;
    let environment = Environment::from_process();
    let (ls, init, heal_init) =
        tokio::join!(localstack::start(&environment), ws.init(), heal.init());
    let ls = ls?;
    eprintln!("LocalStack ({})", ls.describe());
    let endpoint = ls.endpoint.clone();
    started.localstack = Some(ls);
    init?;
    heal_init?;

    step(
        "applying the sample environment (a VPC and its subnet, five security groups, three instances, six buckets, a queue and its dead-letter queue, an alarm and the topic it pages, an order events topic, a log group, a parameter, EBS encryption by default, three IAM roles, two users, a policy and the password policy) and its self-healing corner (a group and a bucket that remediators keep as declared)",
    );
    vars.endpoint = endpoint.clone();
    let ws = sample_env::write(&env_dir, &vars)
        .map_err(io("write the sample environment in", &env_dir))?;
    let heal = sample_env::write_selfheal(&heal_dir, &vars)
        .map_err(io("write the self-healing workspace in", &heal_dir))?;
    let (applied, healed) = tokio::join!(
        sample_env::apply_initialised(&ws, &vars),
        sample_env::apply_selfheal(&heal)
    );
    applied?;
    healed?;
    step("timing one full plan of it (the drills' windows follow from it)");
    let timed = std::time::Instant::now();
    let (planned, custodian) = tokio::join!(ws.plan_detailed(), custodian);
    planned?;
    let plan = timed.elapsed();
    custodian.map_err(DemoError::CustodianTask)??;
    let (policy_list, remediation_list) =
        demo_assets::write_custodian_policies(&dir.join("custodian"))?;
    Ok(Setup {
        ws,
        heal,
        endpoint,
        policy_list,
        remediation_list,
        plan,
    })
}

/// Starts the scheduled drift job (it stops with the demo, however the demo ends) and returns
/// the loopback port its alerts go to.
fn start_drift_job(
    dir: &Path,
    ws: &crate::terraform::Workspace,
    started: &mut Started,
) -> Result<u16, DemoError> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(DemoError::Job)?
        .port();
    let hook = format!("http://127.0.0.1:{port}/hooks/drift");
    step(&format!(
        "starting the scheduled drift job (terraform plan -detailed-exitcode every {}s, alerts to {hook})",
        PLAN_INTERVAL.as_secs()
    ));
    let job_script = dir.join("drift-job.sh");
    std::fs::write(&job_script, DRIFT_JOB).map_err(io("write", &job_script))?;
    let mut job = Command::new("bash");
    job.arg(&job_script)
        .arg(&ws.dir)
        .arg(&hook)
        .arg(PLAN_INTERVAL.as_secs().to_string())
        // It stops by itself when the demo dies by any means (a second Ctrl-C, SIGKILL).
        .arg(std::process::id().to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0);
    if let Some(rc) = &ws.cli_config {
        job.env("TF_CLI_CONFIG_FILE", rc);
    }
    job.envs(crate::terraform::workspace::go_gc());
    // The environment's endpoint, as for every terraform driftdrill runs there.
    for k in &ws.unset {
        job.env_remove(k);
    }
    job.envs(ws.env.iter().cloned());
    started.job = Some(job.spawn().map_err(DemoError::Job)?);
    Ok(port)
}

/// The demo's `driftdrill.toml`: the environment's endpoint, two terraform detectors (a full
/// plan and a refresh-only one), Cloud Custodian, and the webhook the job posts to.
fn write_config(dir: &Path, setup: &Setup, port: u16) -> Result<PathBuf, DemoError> {
    let config = dir.join("driftdrill.toml");
    let cli_config_of = |ws: &crate::terraform::Workspace| {
        ws.cli_config
            .as_ref()
            .map(|c| format!("cli_config = \"{}\"\n", c.display()))
            .unwrap_or_default()
    };
    let (cli_config, cli_config_heal) = (cli_config_of(&setup.ws), cli_config_of(&setup.heal));
    let (endpoint, policy_list) = (&setup.endpoint, &setup.policy_list);
    let remediation_list = &setup.remediation_list;
    let interval = format!("{}s", PLAN_INTERVAL.as_secs());
    let text = format!(
        "# Written by `driftdrill demo`; edit it to point at your own sandbox account.\n\
         [aws]\nregion = \"us-east-1\"\nendpoint_url = \"{endpoint}\"\n\n\
         [safety]\nallowed_accounts = [\"000000000000\"]\nallowed_regions = [\"us-east-1\"]\n\
         required_tags = {{ Environment = [\"staging\", \"dev\", \"sandbox\"] }}\nmax_concurrent = 100\nmax_drift_lifetime = \"30m\"\njournal = \"journal.jsonl\"\n\
         # LocalStack's account is throwaway: drills on account-wide settings are allowed here.\naccount_settings = true\n\n\
         # The plan the scheduled job runs, polled directly.\n[[detector]]\nname = \"terraform-plan\"\ntype = \"terraform\"\ndir = \"environment\"\n{cli_config}interval = \"{interval}\"\nrefresh_only = false\nlock = false\n\n\
         # Every change made outside terraform, ignored attributes included.\n[[detector]]\nname = \"terraform-refresh\"\ntype = \"terraform\"\ndir = \"environment\"\n{cli_config}interval = \"{interval}\"\nrefresh_only = true\nlock = false\n\n\
         # Cloud Custodian policies, the policy-engine view beside terraform's.\n[[detector]]\nname = \"custodian\"\ntype = \"custodian\"\npolicy = [{policy_list}]\ninterval = \"15s\"\n\n\
         # Self-healing: a scheduled apply of its own workspace (Spacelift-style auto-remediation), and a\n# custodian policy with actions; both detect and remediate in one poll.\n[[detector]]\nname = \"terraform-apply\"\ntype = \"terraform\"\ndir = \"environment-selfheal\"\n{cli_config_heal}interval = \"{interval}\"\napply = true\n\n\
         [[detector]]\nname = \"custodian-remediate\"\ntype = \"custodian\"\npolicy = [{remediation_list}]\ninterval = \"15s\"\n\n\
         # Where the scheduled job posts its Slack-style alert.\n[[channel]]\nname = \"drift-webhook\"\ntype = \"webhook\"\nlisten = \"127.0.0.1:{port}\"\npath = \"/hooks/drift\"\nformat = \"slack\"\n"
    );
    std::fs::write(&config, text).map_err(io("write", &config))?;
    eprintln!("wrote {}", config.display());
    Ok(config)
}

/// Runs the scenarios with the measured windows, prints the summary, returns `run`'s exit code.
async fn run_scenarios(
    dir: &Path,
    config: &Path,
    scenarios: &Path,
    windows: Windows,
) -> Result<i32, DemoError> {
    step(&format!(
        "running the scenarios in {} (each change is reverted within {})",
        scenarios.display(),
        humantime::format_duration(windows.lifetime)
    ));
    let opts = RunOptions {
        config: Some(config.to_path_buf()),
        paths: vec![scenarios.to_path_buf()],
        // Every scenario at once (the config's max_concurrent): drills on one resource still
        // wait for each other, and a wave of 20 made the later drills wait a whole baseline.
        concurrency: None,
        out_dir: dir.join("runs"),
        max_drift_lifetime: Some(windows.lifetime),
        min_window: Some(windows.min_window),
        ..RunOptions::default()
    };
    let (record, path, _) = runner::run_drills(&opts).await?;
    println!("{}", super::run::summary(&record));
    eprintln!("run record: {}", path.display());
    Ok(record.exit_code)
}

/// The quarterly report on the terminal, and as HTML and Markdown inside the demo's folder.
fn write_report(dir: &Path) -> Result<(PathBuf, PathBuf), DemoError> {
    step("the quarterly report");
    let all = records::load(&[dir.join("runs")])?;
    let period = Period::containing(Utc::now());
    let built = report::build(&all, &period, Utc::now());
    println!("{}", report::terminal::render(&built));
    // Inside the folder the demo owns: never beside it, where a user's file could be.
    let html = dir.join("report.html");
    let md = dir.join("report.md");
    std::fs::write(&html, report::html::render(&built)).map_err(io("write", &html))?;
    std::fs::write(&md, report::markdown::render(&built)).map_err(io("write", &md))?;
    Ok((html, md))
}

/// Where everything is, and what `driftdrill run` would have exited with.
fn say_goodbye(dir: &Path, config: &Path, html: &Path, md: &Path, code: i32) {
    eprintln!(
        "\nDone. Files:\n  report (HTML)      {}\n  report (Markdown)  {}\n  run record(s)      {}\n  config to edit     {}\n  journal            {}",
        html.display(),
        md.display(),
        dir.join("runs").display(),
        config.display(),
        dir.join("journal.jsonl").display()
    );
    eprintln!(
        "`driftdrill run` would exit {code}: {}{}",
        match code {
            exit_codes::OK => "every expectation met",
            exit_codes::DETECTION_MISSED =>
                "some detections were missed or late (see the report: that is what drills are for)",
            exit_codes::REVERT_FAILED => "a revert failed: run `driftdrill recover --config ...`",
            _ => "see the messages above",
        },
        if code == exit_codes::DETECTION_MISSED {
            "; the demo itself exits 0, since everything was reverted"
        } else {
            ""
        }
    );
}

#[cfg(test)]
mod tests {
    use super::{MARKER, Windows, prepare_dir};
    use std::time::Duration;

    #[test]
    fn the_windows_follow_the_measured_plan() {
        // A quiet machine: an 8 s plan keeps the usual 90 s lifetime.
        let quiet = Windows::measured(Duration::from_secs(8), None);
        assert_eq!(quiet.min_window, Duration::from_secs(58));
        assert_eq!(quiet.lifetime, Duration::from_secs(90));
        // The busy machine of the issue: 25 s plans on a 10 s interval.
        let busy = Windows::measured(Duration::from_secs(25), None);
        assert_eq!(busy.min_window, Duration::from_secs(160));
        assert_eq!(busy.lifetime, Duration::from_secs(200));
        // Observing must end early enough to leave the revert its reserve.
        let reserve = (busy.lifetime / 10).clamp(Duration::from_secs(2), Duration::from_secs(60));
        assert!(busy.min_window <= busy.lifetime - reserve);
        // A lifetime the user asked for is kept.
        let asked = Windows::measured(Duration::from_secs(25), Some(Duration::from_secs(60)));
        assert_eq!(asked.lifetime, Duration::from_secs(60));
    }

    #[test]
    fn only_a_folder_the_demo_created_is_ever_deleted() {
        let root = tempfile::tempdir().unwrap();
        // A new folder is created and marked.
        let new = root.path().join("demo");
        let running = prepare_dir(&new).unwrap();
        assert!(new.join(MARKER).is_file());
        // A demo still running in it keeps its folder: a second one is refused.
        std::fs::write(new.join("runs.json"), "{}").unwrap();
        let err = prepare_dir(&new).unwrap_err().to_string();
        assert!(
            err.contains("another `driftdrill demo` is running"),
            "{err}"
        );
        assert!(new.join("runs.json").exists());
        drop(running);
        // The demo's own folder is recreated: what the last demo left is gone.
        prepare_dir(&new).unwrap();
        assert!(!new.join("runs.json").exists() && new.join(MARKER).is_file());
        // An empty folder is used as it is.
        let empty = root.path().join("empty");
        std::fs::create_dir(&empty).unwrap();
        prepare_dir(&empty).unwrap();
        assert!(empty.join(MARKER).is_file());
        // Someone's folder is refused and left exactly as it was.
        let home = root.path().join("home");
        std::fs::create_dir(&home).unwrap();
        std::fs::write(home.join("thesis.tex"), "years of work").unwrap();
        let err = prepare_dir(&home).unwrap_err().to_string();
        assert!(
            err.contains("was not created by `driftdrill demo`"),
            "{err}"
        );
        assert_eq!(
            std::fs::read_to_string(home.join("thesis.tex")).unwrap(),
            "years of work"
        );
        assert_eq!(std::fs::read_dir(&home).unwrap().count(), 1);
        // A file is never replaced by a folder.
        let file = root.path().join("file");
        std::fs::write(&file, "data").unwrap();
        assert!(prepare_dir(&file).is_err());
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "data");
    }
}
