//! `terraform` detector: runs `plan -refresh-only -json` (terraform or tofu) in a working
//! directory and maps drifted addresses to cloud ids through the state.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{
    BuildCx, Built, DetectorError, DetectorSpec, Observation, PollCx, Polled, Role, tf_json,
};
use crate::diag::TableReader;
use crate::process;
use crate::terraform::workspace::TerraformError;
use crate::vocab::ParamSpec;

pub(crate) static SPEC: DetectorSpec = DetectorSpec {
    id: "terraform",
    role: Role::Detector,
    summary: "terraform/tofu plan in a working directory; drift attributed through the state",
    params: &[
        ParamSpec::required(
            "dir",
            "path",
            "the working directory (relative to driftdrill.toml)",
        ),
        ParamSpec::optional(
            "program",
            "string",
            "\"terraform\" (default) or \"tofu\", or a path",
        ),
        ParamSpec::optional("interval", "duration", "time between plans (default 1m)"),
        ParamSpec::optional("timeout", "duration", "limit for one plan (default 10m)"),
        ParamSpec::optional(
            "refresh_only",
            "true | false",
            "plan -refresh-only (default true)",
        ),
        ParamSpec::optional(
            "lock",
            "true | false",
            "hold the state lock while planning (default true); false for plans sharing one local state",
        ),
        ParamSpec::optional(
            "apply",
            "true | false",
            "remediate: after a plan that shows drift, apply exactly that plan (-auto-approve), as Spacelift's autodeploy does; implies a full plan (default false)",
        ),
        ParamSpec::optional("cli_config", "path", "TF_CLI_CONFIG_FILE for the runs"),
        ParamSpec::optional("env", "table of strings", "extra environment variables"),
    ],
    example: "dir = \"infra/staging\"\ninterval = \"30s\"\n",
    read: |r| crate::vocab::param::to_json(read(r)),
    roundtrip: crate::vocab::param::roundtrip::<Settings>,
    build,
    paths,
};

/// The working folder, the CLI config file, and a program given by path.
fn paths(value: &serde_json::Value) -> Vec<super::NamedPath> {
    let Ok(s) = serde_json::from_value::<Settings>(value.clone()) else {
        return Vec::new();
    };
    let mut paths = vec![super::NamedPath {
        key: "dir",
        path: s.dir,
        kind: super::PathKind::Folder,
    }];
    paths.extend(s.cli_config.map(|path| super::NamedPath {
        key: "cli_config",
        path,
        kind: super::PathKind::File,
    }));
    paths.extend(super::program_named("program", Some(&s.program)));
    paths
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Settings {
    pub dir: PathBuf,
    pub program: String,
    #[serde(with = "humantime_serde")]
    pub interval: Duration,
    #[serde(with = "humantime_serde")]
    pub timeout: Duration,
    pub refresh_only: bool,
    /// Hold the state lock (wait up to 30 s for it). A plan never writes the state, so several
    /// detectors sharing one local state may plan without it.
    #[serde(default = "yes")]
    pub lock: bool,
    /// After a plan that shows drift, apply that very plan: the detector is also a remediator.
    #[serde(default)]
    pub apply: bool,
    pub cli_config: Option<PathBuf>,
    pub env: BTreeMap<String, String>,
}

fn yes() -> bool {
    true
}

fn read(r: &mut TableReader) -> Option<Settings> {
    let dir = r.string("dir");
    let program = r
        .opt_string("program")
        .map_or_else(|| "terraform".to_string(), |p| p.value);
    let interval = r
        .opt_duration("interval")
        .map_or(Duration::from_secs(60), |d| d.value);
    let timeout = r
        .opt_duration("timeout")
        .map_or(Duration::from_secs(600), |d| d.value);
    let apply = r.opt_bool("apply");
    let refresh_only = r.opt_bool("refresh_only");
    if let (Some(a), Some(ro)) = (&apply, &refresh_only)
        && a.value
        && ro.value
    {
        r.report(
            ro.diag(
                "invalid-value",
                "`apply = true` needs a full plan: applying a refresh-only plan would adopt the drift into the state instead of undoing it",
            )
            .with_hint("drop `refresh_only`, or set it to false"),
        );
    }
    let apply = apply.is_some_and(|a| a.value);
    let refresh_only = refresh_only.map_or(!apply, |b| b.value);
    let lock = r.opt_bool("lock").is_none_or(|b| b.value);
    let cli_config = r.opt_string("cli_config").map(|c| PathBuf::from(c.value));
    let env = r.opt_string_map("env").map(|m| m.value).unwrap_or_default();
    Some(Settings {
        dir: PathBuf::from(dir?.value),
        program,
        interval,
        timeout,
        refresh_only,
        lock,
        apply,
        cli_config,
        env,
    })
}

/// The detector: one refresh-only plan per poll, drift attributed to ids through the state.
pub struct Terraform {
    name: String,
    refresh_only: bool,
    lock: bool,
    apply: bool,
    interval: Duration,
    workspace: crate::terraform::Workspace,
}

fn build(value: &serde_json::Value, cx: &BuildCx) -> Result<Built, DetectorError> {
    let s: Settings = super::settings(value, cx)?;
    let mut workspace = crate::terraform::Workspace::new(process::resolve(cx.base_dir, &s.dir));
    workspace.program = process::program_path(cx.base_dir, &s.program);
    workspace.timeout = s.timeout;
    workspace.cli_config = s.cli_config.map(|c| process::resolve(cx.base_dir, &c));
    // terraform reaches the same AWS as driftdrill, as Cloud Custodian does: a config endpoint
    // outranks endpoint variables driftdrill inherited (a `env` entry still wins).
    if let Some(url) = cx.aws.config.endpoint_url() {
        workspace.pin_endpoint(url);
    }
    workspace.env.extend(s.env);
    Ok(Built::Polled(Box::new(Terraform {
        name: cx.name.to_string(),
        refresh_only: s.refresh_only,
        lock: s.lock,
        apply: s.apply && !s.refresh_only,
        interval: s.interval,
        workspace,
    })))
}

/// A saved plan in the temporary folder (never in the user's working directory), removed when
/// dropped.
struct PlanFile(PathBuf);

impl PlanFile {
    fn new() -> PlanFile {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let name = format!("driftdrill-{}-{n}.tfplan", std::process::id());
        PlanFile(std::env::temp_dir().join(name))
    }

    fn arg(&self) -> String {
        self.0.to_string_lossy().into_owned()
    }
}

impl Drop for PlanFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

impl Terraform {
    /// One plan (saved to `file` when the detector applies), parsed; any error, or an exit that
    /// is neither clean nor drift, is a detector error, never "clean".
    async fn plan(&self, file: Option<&PlanFile>) -> Result<tf_json::PlanStream, DetectorError> {
        let lock = if self.lock {
            "-lock-timeout=30s"
        } else {
            "-lock=false"
        };
        let mut args = vec!["plan", "-json", "-detailed-exitcode", "-input=false", lock];
        if self.refresh_only {
            args.insert(1, "-refresh-only");
        }
        let out_arg = file.map(|f| format!("-out={}", f.arg()));
        args.extend(out_arg.as_deref());
        let out = self
            .workspace
            .run(&args)
            .await
            .map_err(|e| self.run_failed("plan", e))?;
        let stream = tf_json::parse_plan_stream(&out.stdout, !self.refresh_only);
        // Exit codes of refresh-only plans are unreliable upstream: the parsed stream decides,
        // but any error (exit 1 or an error diagnostic) is an error, never "clean".
        if matches!(out.code, Some(0) | Some(2)) && stream.errors.is_empty() {
            return Ok(stream);
        }
        let detail = if stream.errors.is_empty() {
            process::tail(&out.stderr, 20)
        } else {
            stream.errors.join("\n")
        };
        // Another plan holding the state lock is contention, not a broken detector.
        let locked = detail.contains("Error acquiring the state lock");
        Err(self
            .failed(format!(
                "plan: {} exited with {}: {detail}",
                self.workspace.program,
                out.code.map_or("a signal".to_string(), |c| c.to_string())
            ))
            .transient_if(locked))
    }

    /// Every drifted address as an observation naming its cloud id (through the state).
    async fn attribute(
        &self,
        stream: &tf_json::PlanStream,
    ) -> Result<Vec<Observation>, DetectorError> {
        let state = self
            .workspace
            .checked(&["state", "pull"])
            .await
            .map_err(|e| self.run_failed("read the state", e))?;
        let state: serde_json::Value = serde_json::from_str(&state.stdout).map_err(|e| {
            self.failed("read the state: state pull returned invalid JSON")
                .caused_by(e)
        })?;
        let ids = tf_json::ids_by_address(&state);
        Ok(stream
            .drifted
            .iter()
            .map(|addr| {
                let evidence: Vec<&str> = stream
                    .evidence
                    .iter()
                    .filter(|e| e.starts_with(addr.as_str()))
                    .map(String::as_str)
                    .collect();
                Observation::now(
                    ids.get(addr).cloned().unwrap_or_default(),
                    addr.clone(),
                    evidence.join("\n"),
                )
            })
            .collect())
    }

    /// Applies exactly the saved plan; what terraform said it did, or a detector error (a
    /// remediator error, never "not remediated").
    async fn apply_plan(&self, file: &PlanFile) -> Result<String, DetectorError> {
        let plan = file.arg();
        let args = [
            "apply",
            "-auto-approve",
            "-input=false",
            "-no-color",
            "-lock-timeout=30s",
            plan.as_str(),
        ];
        let out = self
            .workspace
            .checked(&args)
            .await
            .map_err(|e| self.run_failed("apply the plan that showed drift", e))?;
        let summary = out
            .stdout
            .lines()
            .find(|l| l.contains("Apply complete!"))
            .unwrap_or("applied")
            .trim();
        Ok(format!("terraform apply of the plan: {summary}"))
    }

    fn failed(&self, what: impl Into<String>) -> DetectorError {
        DetectorError::failed(&self.name, what)
    }

    /// A terraform run that did not finish: transient when it timed out.
    fn run_failed(&self, what: &str, e: TerraformError) -> DetectorError {
        let transient = matches!(e, TerraformError::TimedOut { .. });
        self.failed(what).caused_by(e).transient_if(transient)
    }
}

#[async_trait::async_trait]
impl Polled for Terraform {
    async fn poll(&self, _: &PollCx) -> Result<Vec<Observation>, DetectorError> {
        let plan_file = self.apply.then(PlanFile::new);
        let stream = self.plan(plan_file.as_ref()).await?;
        if stream.drifted.is_empty() {
            return Ok(Vec::new());
        }
        let mut observations = self.attribute(&stream).await?;
        if let Some(file) = &plan_file {
            let applied = self.apply_plan(file).await?;
            for o in &mut observations {
                o.acted = Some(applied.clone());
            }
        }
        Ok(observations)
    }

    fn interval(&self) -> Duration {
        self.interval
    }
}
