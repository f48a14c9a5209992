//! `terraform` detector: runs `plan -refresh-only -json` (terraform or tofu) in a working
//! directory and maps drifted addresses to cloud ids through the state.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{DetectorSpec, Role};
use crate::diag::TableReader;
use crate::formats::ParamSpec;

pub static SPEC: DetectorSpec = DetectorSpec {
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
        ParamSpec::optional("cli_config", "path", "TF_CLI_CONFIG_FILE for the runs"),
        ParamSpec::optional("env", "table of strings", "extra environment variables"),
    ],
    example: "dir = \"infra/staging\"\ninterval = \"30s\"\n",
    read: |r| crate::inject::params::to_json(read(r)),
    roundtrip: crate::inject::params::roundtrip::<Settings>,
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    pub dir: PathBuf,
    pub program: String,
    #[serde(with = "humantime_serde")]
    pub interval: Duration,
    #[serde(with = "humantime_serde")]
    pub timeout: Duration,
    pub refresh_only: bool,
    pub cli_config: Option<PathBuf>,
    pub env: BTreeMap<String, String>,
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
    let refresh_only = r.opt_bool("refresh_only").is_none_or(|b| b.value);
    let cli_config = r.opt_string("cli_config").map(|c| PathBuf::from(c.value));
    let env = r.opt_string_map("env").map(|m| m.value).unwrap_or_default();
    Some(Settings {
        dir: PathBuf::from(dir?.value),
        program,
        interval,
        timeout,
        refresh_only,
        cli_config,
        env,
    })
}
