//! `command` detector: runs any program; its exit code means clean, drift or error, and resource
//! ids can be extracted from its output with a regex or a JSON path.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{BuildCx, Built, DetectorError, DetectorSpec, Observation, PollCx, Polled, Role};
use crate::diag::TableReader;
use crate::process;
use crate::vocab::ParamSpec;

pub(crate) static SPEC: DetectorSpec = DetectorSpec {
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
    read: |r| crate::vocab::param::to_json(read(r)),
    roundtrip: crate::vocab::param::roundtrip::<Settings>,
    build,
    paths,
};

/// The program when given by path, and the working folder.
fn paths(value: &serde_json::Value) -> Vec<super::NamedPath> {
    let Ok(s) = serde_json::from_value::<Settings>(value.clone()) else {
        return Vec::new();
    };
    let mut paths: Vec<super::NamedPath> =
        super::program_named("argv", s.argv.first().map(String::as_str))
            .into_iter()
            .collect();
    paths.extend(s.dir.map(|path| super::NamedPath {
        key: "dir",
        path,
        kind: super::PathKind::Folder,
    }));
    paths
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Settings {
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

/// The detector: runs the program once per poll.
pub(crate) struct CommandDetector {
    name: String,
    settings: Settings,
    dir: Option<std::path::PathBuf>,
    regex: Option<regex::Regex>,
}

fn build(value: &serde_json::Value, cx: &BuildCx) -> Result<Built, DetectorError> {
    let settings: Settings = super::settings(value, cx)?;
    let regex = settings
        .resource_regex
        .as_deref()
        .map(regex::Regex::new)
        .transpose()
        .map_err(|e| DetectorError::failed(cx.name, "compile resource_regex").caused_by(e))?;
    let dir = Some(settings.dir.as_deref().map_or_else(
        || cx.base_dir.to_path_buf(),
        |d| process::resolve(cx.base_dir, d),
    ));
    let mut settings = settings;
    settings.argv[0] = process::program_path(cx.base_dir, &settings.argv[0]);
    Ok(Built::Polled(Box::new(CommandDetector {
        name: cx.name.to_string(),
        settings,
        dir,
        regex,
    })))
}

impl CommandDetector {
    /// Resource ids named in the output, by regex (first group, else the match) or JSON path.
    fn extract(&self, stdout: &str) -> Result<Vec<String>, serde_json::Error> {
        if let Some(re) = &self.regex {
            let mut ids: Vec<String> = re
                .captures_iter(stdout)
                .filter_map(|c| c.get(1).or_else(|| c.get(0)))
                .map(|m| m.as_str().to_string())
                .collect();
            ids.dedup();
            return Ok(ids);
        }
        if let Some(path) = &self.settings.json_path {
            let doc: serde_json::Value = serde_json::from_str(stdout)?;
            return Ok(super::json_path::select(&doc, path));
        }
        Ok(Vec::new())
    }
}

#[async_trait::async_trait]
impl Polled for CommandDetector {
    async fn poll(&self, _: &PollCx) -> Result<Vec<Observation>, DetectorError> {
        let s = &self.settings;
        let failed = |what: String| DetectorError::failed(&self.name, what);
        let env: Vec<(String, String)> = s.env.clone().into_iter().collect();
        let spec = process::Spec {
            program: &s.argv[0],
            args: &s.argv[1..],
            dir: self.dir.as_deref(),
            env: &env,
            unset: &[],
            timeout: s.timeout,
        };
        let out = process::run(spec).await.map_err(|e| {
            let transient = matches!(e, process::ProcessError::TimedOut { .. });
            failed("run its command".into())
                .caused_by(e)
                .transient_if(transient)
        })?;
        let code = out.code.unwrap_or(-1);
        if s.clean_exit_codes.contains(&code) {
            return Ok(Vec::new());
        }
        if !s.drift_exit_codes.contains(&code) {
            return Err(failed(format!(
                "exited with {code} (neither clean nor drift): {}",
                process::tail(&out.stderr, 20)
            )));
        }
        let ids = self.extract(&out.stdout).map_err(|e| {
            failed("read its output: stdout is not JSON for json_path".into()).caused_by(e)
        })?;
        Ok(vec![Observation::now(
            ids,
            out.stdout.clone(),
            process::tail(&out.stdout, 40),
        )])
    }

    fn interval(&self) -> Duration {
        self.settings.interval
    }
}

#[cfg(test)]
mod tests {
    use crate::process::program_path;
    use std::path::Path;

    #[test]
    fn a_program_path_resolves_against_the_config_folder_and_a_bare_name_uses_path() {
        let base = Path::new("/etc/drills");
        assert_eq!(program_path(base, "./check.sh"), "/etc/drills/./check.sh");
        assert_eq!(program_path(base, "bin/check"), "/etc/drills/bin/check");
        assert_eq!(program_path(base, "/usr/bin/check"), "/usr/bin/check");
        assert_eq!(program_path(base, "terraform"), "terraform");
    }
}
