//! `command` detector: runs any program; its exit code means clean, drift or error, and resource
//! ids can be extracted from its output with a regex or a JSON path.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{DetectorSpec, Role};
use crate::diag::TableReader;
use crate::formats::ParamSpec;

pub static SPEC: DetectorSpec = DetectorSpec {
    id: "command",
    role: Role::Detector,
    summary: "any program: exit codes mean clean/drift/error; resource ids extracted from its output",
    params: &[
        ParamSpec::required(
            "argv",
            "array of strings",
            "program and arguments (no shell)",
        ),
        ParamSpec::optional(
            "dir",
            "path",
            "working directory (relative to driftdrill.toml)",
        ),
        ParamSpec::optional("env", "table of strings", "extra environment variables"),
        ParamSpec::optional("interval", "duration", "time between runs (default 1m)"),
        ParamSpec::optional("timeout", "duration", "limit for one run (default 5m)"),
        ParamSpec::optional("clean_exit_codes", "array of integers", "default [0]"),
        ParamSpec::optional(
            "drift_exit_codes",
            "array of integers",
            "default [2]; any other code is an error",
        ),
        ParamSpec::optional(
            "resource_regex",
            "regex",
            "ids are the first capture group (or whole match) on stdout",
        ),
        ParamSpec::optional(
            "json_path",
            "dotted path with [*]",
            "ids are the strings at this path of stdout parsed as JSON",
        ),
    ],
    example: "argv = [\"./check-drift.sh\", \"--env\", \"staging\"]\nresource_regex = \"(sg-[0-9a-f]+)\"\n",
    read: |r| crate::inject::params::to_json(read(r)),
    roundtrip: crate::inject::params::roundtrip::<Settings>,
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    pub argv: Vec<String>,
    pub dir: Option<PathBuf>,
    pub env: BTreeMap<String, String>,
    #[serde(with = "humantime_serde")]
    pub interval: Duration,
    #[serde(with = "humantime_serde")]
    pub timeout: Duration,
    pub clean_exit_codes: Vec<i32>,
    pub drift_exit_codes: Vec<i32>,
    pub resource_regex: Option<String>,
    pub json_path: Option<String>,
}

fn read_codes(r: &mut TableReader, key: &'static str, default: i32) -> Option<Vec<i32>> {
    let Some(raw) = r.raw(key) else {
        return Some(vec![default]);
    };
    let items = raw
        .get_ref()
        .as_array()
        .filter(|a| a.iter().all(|v| v.get_ref().is_integer()));
    match items {
        Some(items) => items
            .iter()
            .map(|v| {
                v.get_ref()
                    .as_integer()
                    .and_then(|i| i.as_str().parse::<i32>().ok())
                    .filter(|c| (0..256).contains(c))
            })
            .collect::<Option<Vec<i32>>>()
            .or_else(|| {
                r.error(
                    raw.span(),
                    "out-of-range",
                    format!("`{key}` values must be exit codes 0-255"),
                    None,
                );
                None
            }),
        None => {
            r.error(
                raw.span(),
                "wrong-type",
                format!("`{key}` must be an array of integers"),
                None,
            );
            None
        }
    }
}

fn read(r: &mut TableReader) -> Option<Settings> {
    let argv = r.strings("argv");
    let dir = r.opt_string("dir").map(|d| PathBuf::from(d.value));
    let env = r.opt_string_map("env").map(|m| m.value).unwrap_or_default();
    let interval = r
        .opt_duration("interval")
        .map_or(Duration::from_secs(60), |d| d.value);
    let timeout = r
        .opt_duration("timeout")
        .map_or(Duration::from_secs(300), |d| d.value);
    let clean = read_codes(r, "clean_exit_codes", 0);
    let drift = read_codes(r, "drift_exit_codes", 2);
    let regex = r.opt_string("resource_regex");
    let json_path = r.opt_string("json_path").map(|p| p.value);
    if let Some(re) = &regex
        && let Err(e) = regex::Regex::new(&re.value)
    {
        r.report(re.diag(
            "invalid-regex",
            format!("resource_regex does not compile: {e}"),
        ));
        return None;
    }
    if regex.is_some() && json_path.is_some() {
        r.error(
            r.span(),
            "conflicting-keys",
            "give `resource_regex` or `json_path`, not both",
            None,
        );
        return None;
    }
    let argv = argv?;
    if argv.is_empty() {
        r.error(
            r.value_span("argv").unwrap_or_default(),
            "invalid-value",
            "argv is empty: name the program to run",
            None,
        );
        return None;
    }
    let (clean, drift) = (clean?, drift?);
    if let Some(c) = clean.iter().find(|c| drift.contains(c)) {
        r.error(
            r.span(),
            "conflicting-keys",
            format!("exit code {c} is both clean and drift"),
            None,
        );
        return None;
    }
    Some(Settings {
        argv: argv.into_iter().map(|a| a.value).collect(),
        dir,
        env,
        interval,
        timeout,
        clean_exit_codes: clean,
        drift_exit_codes: drift,
        resource_regex: regex.map(|r| r.value),
        json_path,
    })
}
