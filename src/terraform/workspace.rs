//! One terraform/tofu working directory: runs init, apply, plan and output with a timeout.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use crate::process::{self, ProcessError};

#[derive(Debug, thiserror::Error)]
pub enum TerraformError {
    #[error(
        "run {program}: it was not found on PATH; install Terraform 1.5 or later (or OpenTofu, with program = \"tofu\")"
    )]
    NotInstalled { program: String },
    #[error("run {command} in {dir}")]
    Spawn {
        command: String,
        dir: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("finish {command} in {dir} within {}", humantime::format_duration(*timeout))]
    TimedOut {
        command: String,
        dir: PathBuf,
        timeout: Duration,
    },
    #[error(
        "finish {command} in {dir}: the run was stopped while it ran (interrupted, its lock released)"
    )]
    Cancelled { command: String, dir: PathBuf },
    #[error("run {command} in {dir}: {}\n{stderr}", exit_words(*code))]
    Failed {
        command: String,
        dir: PathBuf,
        code: Option<i32>,
        stderr: String,
    },
    /// Seeding the sample environment with what terraform then imports.
    #[error("{what}")]
    Seed {
        what: String,
        #[source]
        source: crate::aws::AwsError,
    },
    #[error("parse the output of {command}")]
    Parse {
        command: String,
        #[source]
        source: serde_json::Error,
    },
}

/// How a program ended, in words: "it exited with 1", or "a signal ended it".
pub(crate) fn exit_words(code: Option<i32>) -> String {
    code.map_or_else(
        || "a signal ended it".to_string(),
        |c| format!("it exited with {c}"),
    )
}

/// The result of `plan -detailed-exitcode`: 0 is clean, 2 is drift, anything else is an error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanExit {
    Clean,
    Drift { stdout: String },
}

pub use crate::process::Captured;

/// A working directory and how to run terraform in it.
#[derive(Debug, Clone)]
pub struct Workspace {
    pub dir: PathBuf,
    /// `terraform` or `tofu` (or a path to either).
    pub program: String,
    /// A CLI config file (TF_CLI_CONFIG_FILE), e.g. one for the offline provider mirror.
    pub cli_config: Option<PathBuf>,
    /// Upper bound for any single command.
    pub timeout: Duration,
    /// Extra environment variables.
    pub env: Vec<(String, String)>,
    /// Inherited environment variables terraform must not see (`env` may set them again).
    pub unset: Vec<String>,
}

impl Workspace {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Workspace {
            dir: dir.into(),
            program: "terraform".into(),
            cli_config: None,
            timeout: Duration::from_secs(600),
            env: Vec::new(),
            unset: Vec::new(),
        }
    }

    /// Points every AWS call of this workspace's provider at `url` (see
    /// [`crate::aws::EndpointEnv`]); entries of `env` added later still win.
    pub fn pin_endpoint(&mut self, url: &str) {
        let pinned = crate::aws::endpoint_env(url, crate::aws::inherited_env());
        self.env.extend(pinned.set);
        self.unset.extend(pinned.unset);
    }

    pub async fn init(&self) -> Result<(), TerraformError> {
        self.checked(&["init", "-input=false", "-no-color"])
            .await
            .map(drop)
    }

    pub async fn apply(&self) -> Result<(), TerraformError> {
        self.checked(&["apply", "-auto-approve", "-input=false", "-no-color"])
            .await
            .map(drop)
    }

    /// `plan -detailed-exitcode`: exit 0 clean, 2 drift (with the plan text), else an error.
    pub async fn plan_detailed(&self) -> Result<PlanExit, TerraformError> {
        let args = [
            "plan",
            "-detailed-exitcode",
            "-input=false",
            "-no-color",
            "-lock-timeout=60s",
        ];
        let out = self.run(&args).await?;
        match out.code {
            Some(0) => Ok(PlanExit::Clean),
            Some(2) => Ok(PlanExit::Drift { stdout: out.stdout }),
            code => Err(self.failed(&args, code, &out.stderr)),
        }
    }

    /// `output -json`, parsed.
    pub async fn outputs(&self) -> Result<serde_json::Value, TerraformError> {
        let out = self.checked(&["output", "-json"]).await?;
        serde_json::from_str(&out.stdout).map_err(|source| TerraformError::Parse {
            command: self.describe(&["output", "-json"]),
            source,
        })
    }

    /// Runs a command that must exit 0.
    pub async fn checked(&self, args: &[&str]) -> Result<Captured, TerraformError> {
        let out = self.run(args).await?;
        if out.code == Some(0) {
            Ok(out)
        } else {
            Err(self.failed(args, out.code, &out.stderr))
        }
    }

    /// Runs `program args...` in the directory with the workspace's environment and time-out.
    pub async fn run(&self, args: &[&str]) -> Result<Captured, TerraformError> {
        let mut env: Vec<(String, String)> = [
            ("TF_IN_AUTOMATION", "1"),
            ("TF_INPUT", "0"),
            ("CHECKPOINT_DISABLE", "1"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        env.extend(go_gc());
        if let Some(cfg) = &self.cli_config {
            env.push(("TF_CLI_CONFIG_FILE".into(), cfg.display().to_string()));
        }
        env.extend(self.env.iter().cloned());
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        let spec = process::Spec {
            program: &self.program,
            args: &args,
            dir: Some(&self.dir),
            env: &env,
            unset: &self.unset,
            timeout: self.timeout,
        };
        process::run(spec).await.map_err(|e| match e {
            ProcessError::NotFound { .. } => TerraformError::NotInstalled {
                program: self.program.clone(),
            },
            ProcessError::Spawn { source, .. } => TerraformError::Spawn {
                command: self.describe_args(&args),
                dir: self.dir.clone(),
                source,
            },
            ProcessError::TimedOut { timeout, .. } => TerraformError::TimedOut {
                command: self.describe_args(&args),
                dir: self.dir.clone(),
                timeout,
            },
            ProcessError::Cancelled { .. } => TerraformError::Cancelled {
                command: self.describe_args(&args),
                dir: self.dir.clone(),
            },
        })
    }

    fn describe_args(&self, args: &[String]) -> String {
        format!("`{} {}`", self.program, args.join(" "))
    }

    fn describe(&self, args: &[&str]) -> String {
        format!("`{} {}`", self.program, args.join(" "))
    }

    fn failed(&self, args: &[&str], code: Option<i32>, stderr: &str) -> TerraformError {
        TerraformError::Failed {
            command: self.describe(args),
            dir: self.dir.clone(),
            code,
            stderr: process::tail(stderr, 40),
        }
    }
}

/// The Go garbage collector's target (`GOGC`) for the terraform processes driftdrill starts,
/// and so for the provider each of them starts. Most of a plan's CPU is the AWS provider, which
/// builds its whole schema three times per plan; collecting at 400 % heap growth instead of Go's
/// 100 % cuts a plan of the sample environment from 16.9 to 11.3 s of CPU on 2 cores, and raises
/// its peak memory from 635 to 807 MB. driftdrill runs plans in a loop, and several at once.
pub const GOGC: &str = "400";

/// `GOGC` for terraform, unless driftdrill's own environment sets it (then that one is inherited).
pub fn go_gc() -> Option<(String, String)> {
    std::env::var_os("GOGC")
        .is_none()
        .then(|| ("GOGC".to_string(), GOGC.to_string()))
}

/// True if the program can be started (e.g. `terraform version` runs).
pub fn installed(program: &str) -> bool {
    std::process::Command::new(program)
        .arg("version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_missing_program_is_named() {
        let mut ws = Workspace::new(std::env::temp_dir());
        ws.program = "definitely-not-terraform-xyz".into();
        let err = ws.init().await.unwrap_err();
        assert!(matches!(err, TerraformError::NotInstalled { .. }));
        assert!(
            err.to_string().contains("definitely-not-terraform-xyz"),
            "{err}"
        );
    }

    #[tokio::test]
    async fn terraform_runs_with_the_gc_target_unless_one_is_set() {
        let mut ws = Workspace::new(std::env::temp_dir());
        ws.program = "sh".into();
        let printed = |out: Captured| out.stdout.trim().to_string();
        let inherited = std::env::var("GOGC").unwrap_or_else(|_| GOGC.to_string());
        let out = ws.checked(&["-c", "echo $GOGC"]).await.unwrap();
        assert_eq!(printed(out), inherited);
        // A workspace's own environment (a detector's `env`) wins.
        ws.env.push(("GOGC".into(), "100".into()));
        let out = ws.checked(&["-c", "echo $GOGC"]).await.unwrap();
        assert_eq!(printed(out), "100");
    }
}
