//! `custodian` detector: Cloud Custodian (c7n) policies as a drift detector. Each poll runs
//! `custodian run` into a fresh folder and reads every policy's `resources.json`: the exact ids
//! of the resources a policy matched, with the policy's name as evidence. A policy that fails to
//! run is a detector error with c7n's own message, never "clean".

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::custodian_env;
use super::{BuildCx, Built, DetectorError, DetectorSpec, Observation, PollCx, Polled, Role};
use crate::diag::TableReader;
use crate::process;
use crate::vocab::ParamSpec;

pub(crate) static SPEC: DetectorSpec = DetectorSpec {
    id: "custodian",
    role: Role::Detector,
    summary: "Cloud Custodian policies: every resource a policy matches is reported by its id",
    params: &[
        ParamSpec::required(
            "policy",
            "path or array of paths",
            "c7n policy files (relative to driftdrill.toml), run together",
        ),
        ParamSpec::optional(
            "policies",
            "array of strings",
            "run only these policies of the file (default: all)",
        ),
        ParamSpec::optional(
            "program",
            "string",
            "default `custodian` (on PATH, else the venv `driftdrill custodian-env` makes)",
        ),
        ParamSpec::optional(
            "regions",
            "array of strings",
            "regions to run in (default: the config's region)",
        ),
        ParamSpec::optional("interval", "duration", "time between runs (default 1m)"),
        ParamSpec::optional("timeout", "duration", "limit for one run (default 5m)"),
        ParamSpec::optional("env", "table of strings", "extra environment variables"),
    ],
    example: "policy = [\"custodian/network.yml\", \"custodian/storage.yml\"]\ninterval = \"30s\"\n",
    read: |r| crate::vocab::param::to_json(read(r)),
    roundtrip: crate::vocab::param::roundtrip::<Settings>,
    build,
    paths,
};

/// Every policy file, and a program given by path.
fn paths(value: &serde_json::Value) -> Vec<super::NamedPath> {
    let Ok(s) = serde_json::from_value::<Settings>(value.clone()) else {
        return Vec::new();
    };
    let mut paths: Vec<super::NamedPath> = s
        .policy
        .into_iter()
        .map(|path| super::NamedPath {
            key: "policy",
            path,
            kind: super::PathKind::File,
        })
        .collect();
    paths.extend(super::program_named("program", s.program.as_deref()));
    paths
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Settings {
    pub policy: Vec<PathBuf>,
    pub policies: Vec<String>,
    pub program: Option<String>,
    pub regions: Vec<String>,
    #[serde(with = "humantime_serde")]
    pub interval: Duration,
    #[serde(with = "humantime_serde")]
    pub timeout: Duration,
    pub env: BTreeMap<String, String>,
}

fn read(r: &mut TableReader) -> Option<Settings> {
    let many = r
        .value_span("policy")
        .and(r.raw("policy"))
        .is_some_and(|v| v.get_ref().as_array().is_some());
    let policy: Option<Vec<PathBuf>> = if many {
        r.strings("policy")
            .map(|all| all.into_iter().map(|p| PathBuf::from(p.value)).collect())
    } else {
        r.string("policy").map(|p| vec![PathBuf::from(p.value)])
    };
    let policies = r.opt_strings("policies").unwrap_or_default();
    let program = r.opt_string("program").map(|p| p.value);
    let regions = r.opt_strings("regions").unwrap_or_default();
    let interval = r
        .opt_duration("interval")
        .map_or(Duration::from_secs(60), |d| d.value);
    let timeout = r
        .opt_duration("timeout")
        .map_or(Duration::from_secs(300), |d| d.value);
    let env = r.opt_string_map("env").map(|m| m.value).unwrap_or_default();
    let policy = policy?;
    if policy.is_empty() {
        r.error(
            r.value_span("policy").unwrap_or_default(),
            "invalid-value",
            "policy is empty: name at least one c7n policy file",
            None,
        );
        return None;
    }
    Some(Settings {
        policy,
        policies: policies.into_iter().map(|p| p.value).collect(),
        program,
        regions: regions.into_iter().map(|p| p.value).collect(),
        interval,
        timeout,
        env,
    })
}

/// The detector: one `custodian run` per poll.
pub struct Custodian {
    name: String,
    settings: Settings,
    /// The policy files, resolved against the config's folder.
    policy: Vec<PathBuf>,
    /// Program and leading arguments.
    argv: Vec<String>,
    env: Vec<(String, String)>,
    /// Inherited endpoint variables c7n must not see (see [`crate::aws::EndpointEnv`]).
    unset: Vec<String>,
}

/// `custodian` on PATH, else the managed venv; any other program as given.
fn command_line(program: Option<&str>) -> Vec<String> {
    match program {
        Some(p) if p != "custodian" => vec![p.to_string()],
        _ if crate::terraform::workspace::installed("custodian") => vec!["custodian".into()],
        _ => custodian_env::installed().unwrap_or_else(|| vec!["custodian".into()]),
    }
}

fn build(value: &serde_json::Value, cx: &BuildCx) -> Result<Built, DetectorError> {
    let settings: Settings = super::settings(value, cx)?;
    let policy = settings
        .policy
        .iter()
        .map(|p| process::resolve(cx.base_dir, p))
        .collect();
    // c7n reaches the same AWS as driftdrill: its endpoint, region and (for LocalStack) its
    // dummy credentials; otherwise c7n's own credential chain (profile, role) applies.
    let mut env: Vec<(String, String)> = Vec::new();
    let mut unset = Vec::new();
    let config = &cx.aws.config;
    if let Some(url) = config.endpoint_url() {
        let pinned = crate::aws::endpoint_env(url, crate::aws::inherited_env());
        env.extend(pinned.set);
        unset = pinned.unset;
        if crate::aws::is_local_endpoint(url) {
            env.push(("AWS_ACCESS_KEY_ID".into(), "test".into()));
            env.push(("AWS_SECRET_ACCESS_KEY".into(), "test".into()));
        }
    }
    if let Some(region) = cx.aws.region() {
        env.push(("AWS_DEFAULT_REGION".into(), region.to_string()));
    }
    env.extend(settings.env.clone());
    Ok(Built::Polled(Box::new(Custodian {
        name: cx.name.to_string(),
        argv: command_line(
            settings
                .program
                .as_deref()
                .map(|p| process::program_path(cx.base_dir, p))
                .as_deref(),
        ),
        settings,
        policy,
        env,
        unset,
    })))
}

/// Keys whose values identify the resource a c7n policy matched (security groups, instances,
/// network ACLs, buckets, IAM roles, users and policies, CloudWatch alarms, log groups, SNS
/// topics; VPCs by [`OWN_ONLY_KEYS`]).
const ID_KEYS: &[&str] = &[
    "GroupId",
    "InstanceId",
    "NetworkAclId",
    "Name",
    "RoleName",
    "UserName",
    "Arn",
    "AlarmName",
    "AlarmArn",
    "logGroupName",
    "TopicArn",
];

/// Keys that identify a resource only when none of [`ID_KEYS`] does: a VPC is named by its
/// `VpcId`, but a security group or an instance carries its VPC's id too, and a policy that
/// matched a group has not matched its VPC.
const OWN_ONLY_KEYS: &[&str] = &["VpcId"];

/// The ids of every resource in a `resources.json` document.
pub(crate) fn resource_ids(doc: &Value) -> Vec<String> {
    let mut ids = Vec::new();
    for resource in doc.as_array().into_iter().flatten() {
        let id_of = |key: &&str| resource.get(*key).and_then(Value::as_str);
        let mut own: Vec<&str> = ID_KEYS.iter().filter_map(id_of).collect();
        if own.is_empty() {
            own = OWN_ONLY_KEYS.iter().filter_map(id_of).collect();
        }
        for id in own {
            if !ids.iter().any(|i| i == id) {
                ids.push(id.to_string());
            }
        }
    }
    ids
}

/// One policy's output: its name, its `resources.json`, and the actions it ran (from c7n's own
/// `custodian-run.log`: "remove-permissions on 1 resource(s)").
struct PolicyOutput {
    policy: String,
    doc: Value,
    actions: Vec<String>,
}

/// The actions a policy ran, from the `policy:<name> action:<action> resources:<n>` lines c7n
/// logs after each action; an action on no resource is left out.
fn actions_run(log: &str) -> Vec<String> {
    log.lines()
        .filter_map(|line| {
            let action = line.split(" action:").nth(1)?.split_whitespace().next()?;
            let count = line
                .split(" resources:")
                .nth(1)?
                .split_whitespace()
                .next()?;
            (count != "0").then(|| format!("{action} on {count} resource(s)"))
        })
        .collect()
}

/// Every `<policy>/resources.json` under `dir`, with the actions its log says ran.
fn outputs(dir: &Path) -> std::io::Result<Vec<PolicyOutput>> {
    let mut found = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(d) = dirs.pop() {
        for entry in std::fs::read_dir(&d)? {
            let path = entry?.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.file_name().is_some_and(|n| n == "resources.json") {
                let policy = path
                    .parent()
                    .and_then(|p| p.file_name())
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let text = std::fs::read_to_string(&path)?;
                let doc = serde_json::from_str(&text)
                    .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
                let log = path.with_file_name("custodian-run.log");
                let actions =
                    std::fs::read_to_string(log).map_or_else(|_| Vec::new(), |l| actions_run(&l));
                found.push(PolicyOutput {
                    policy,
                    doc,
                    actions,
                });
            }
        }
    }
    found.sort_by(|a, b| a.policy.cmp(&b.policy));
    Ok(found)
}

/// What one policy matched (nothing when it matched nothing), and what its actions did.
fn observation(out: PolicyOutput) -> Option<Observation> {
    let ids = resource_ids(&out.doc);
    if ids.is_empty() {
        return None;
    }
    let evidence = format!("policy {} matched {}", out.policy, ids.join(", "));
    let mut o = Observation::now(ids, out.policy.clone(), evidence);
    if !out.actions.is_empty() {
        o.acted = Some(format!(
            "custodian policy {} ran {}",
            out.policy,
            out.actions.join(", ")
        ));
    }
    Some(o)
}

/// c7n's own words for a failure: its ERROR log messages and the exception a traceback ends
/// in; without either, the last lines it printed.
fn c7n_message(stderr: &str) -> String {
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    let mut parts: Vec<&str> = Vec::new();
    for line in &lines {
        if let Some((_, message)) = line.split_once(":ERROR ") {
            parts.push(message.trim());
        }
    }
    if stderr.contains("Traceback (most recent call last):")
        && let Some(exception) = lines.iter().rev().find(|l| {
            !l.starts_with(char::is_whitespace) && !l.contains(":ERROR ") && !l.contains(":INFO ")
        })
    {
        parts.push(exception.trim());
    }
    if parts.is_empty() {
        parts = lines.iter().rev().take(2).rev().map(|l| l.trim()).collect();
    }
    let mut unique: Vec<&str> = Vec::new();
    for p in parts {
        if !unique.contains(&p) {
            unique.push(p);
        }
    }
    unique.join(" | ").chars().take(800).collect()
}

impl Custodian {
    fn failed(&self, what: impl Into<String>) -> DetectorError {
        DetectorError::failed(&self.name, what)
    }

    async fn custodian(
        &self,
        args: &[String],
        timeout: Duration,
    ) -> Result<process::Captured, DetectorError> {
        let all: Vec<String> = self.argv[1..]
            .iter()
            .cloned()
            .chain(args.iter().cloned())
            .collect();
        process::run(process::Spec {
            program: &self.argv[0],
            args: &all,
            dir: self.policy[0].parent(),
            env: &self.env,
            unset: &self.unset,
            timeout,
        })
        .await
        .map_err(|e| {
            let transient = matches!(e, process::ProcessError::TimedOut { .. });
            let hint = matches!(e, process::ProcessError::NotFound { .. })
                .then(|| {
                    format!(
                        ": Cloud Custodian is not installed; install it with {}",
                        custodian_env::INSTALL_HINT
                    )
                })
                .unwrap_or_default();
            self.failed(format!("run Cloud Custodian{hint}"))
                .caused_by(e)
                .transient_if(transient)
        })
    }
}

#[async_trait::async_trait]
impl Polled for Custodian {
    async fn poll(&self, _: &PollCx) -> Result<Vec<Observation>, DetectorError> {
        let out_dir = std::env::temp_dir().join(format!(
            "driftdrill-custodian-{}",
            uuid::Uuid::new_v4().simple()
        ));
        let mut args: Vec<String> = vec![
            "run".into(),
            "--cache-period".into(),
            "0".into(),
            "-s".into(),
            out_dir.display().to_string(),
        ];
        for p in &self.settings.policies {
            args.extend(["-p".into(), p.clone()]);
        }
        for r in &self.settings.regions {
            args.extend(["--region".into(), r.clone()]);
        }
        args.extend(self.policy.iter().map(|p| p.display().to_string()));
        let result = self.custodian(&args, self.settings.timeout).await;
        let found = outputs(&out_dir);
        let _ = std::fs::remove_dir_all(&out_dir);
        let out = result?;
        if out.code != Some(0) {
            return Err(self.failed(format!(
                "custodian run exited with {}: {}",
                out.code.map_or("a signal".into(), |c| c.to_string()),
                c7n_message(&out.stderr)
            )));
        }
        let found = found.map_err(|e| {
            self.failed("read the policies' resources.json")
                .caused_by(e)
        })?;
        if found.is_empty() {
            return Err(self.failed(format!(
                "custodian run wrote no resources.json (no policy ran): {}",
                c7n_message(&out.stderr)
            )));
        }
        Ok(found.into_iter().filter_map(observation).collect())
    }

    fn interval(&self) -> Duration {
        self.settings.interval
    }

    /// Cloud Custodian must start and the policy file must load, before anything changes.
    async fn preflight(&self) -> Result<(), DetectorError> {
        for file in &self.policy {
            let args = vec!["validate".to_string(), file.display().to_string()];
            let out = self.custodian(&args, Duration::from_secs(120)).await?;
            if out.code != Some(0) {
                return Err(self.failed(format!(
                    "validate {}: {}",
                    file.display(),
                    c7n_message(&out.stderr)
                )));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_actions_a_policy_ran_come_from_c7ns_own_log() {
        let log = "2026-11-30 00:50:01,123 - custodian.policy - INFO - policy:sg-fix resource:aws.security-group region:us-east-1 count:1 time:0.20\n\
            2026-11-30 00:50:01,456 - custodian.policy - INFO - policy:sg-fix action:removepermissions resources:1 execution_time:0.05\n\
            2026-11-30 00:50:01,457 - custodian.policy - INFO - policy:sg-fix action:notify resources:0 execution_time:0.00\n";
        assert_eq!(
            super::actions_run(log),
            ["removepermissions on 1 resource(s)"]
        );
    }

    use super::*;

    #[test]
    fn ids_come_from_each_resource_kind() {
        let doc = serde_json::json!([
            {"GroupId": "sg-1", "VpcId": "vpc-1", "GroupName": "db"},
            {"Name": "bucket-a", "Versioning": {"Status": "Suspended"}},
            {"RoleName": "app-role", "Arn": "arn:aws:iam::0:role/app-role"},
            {"AlarmName": "orders-backlog", "AlarmArn": "arn:aws:cloudwatch:r:0:alarm:orders-backlog"},
            {"VpcId": "vpc-2", "CidrBlock": "10.0.0.0/16", "IsDefault": false}
        ]);
        assert_eq!(
            resource_ids(&doc),
            [
                "sg-1",
                "bucket-a",
                "app-role",
                "arn:aws:iam::0:role/app-role",
                "orders-backlog",
                "arn:aws:cloudwatch:r:0:alarm:orders-backlog",
                "vpc-2"
            ],
            "a group names itself, not its VPC (vpc-1); a VPC names itself"
        );
    }

    #[test]
    fn a_failure_reads_as_c7ns_errors_and_the_exception() {
        let traceback = "Traceback (most recent call last):\n  File x\nKeyError: 'Invalid resource: nope for provider: aws'\n";
        assert_eq!(
            c7n_message(traceback),
            "KeyError: 'Invalid resource: nope for provider: aws'"
        );
        let invalid = "2026-11-23 09:46:01,412: custodian.commands:ERROR Configuration invalid: p.yml\n2026-11-23 09:46:01,417: custodian.commands:ERROR             Error on policy:broken resource:aws.nope\n{'name': 'broken'} is not valid under any of the given schemas\n\n            On instance['policies'][0]:\n                {'name': 'broken', 'resource': 'aws.nope'}\n2026-11-23 09:46:01,418: custodian.commands:ERROR broken\n";
        assert_eq!(
            c7n_message(invalid),
            "Configuration invalid: p.yml | Error on policy:broken resource:aws.nope | broken"
        );
        assert_eq!(c7n_message("a\nb\nc\n"), "b | c");
    }
}
