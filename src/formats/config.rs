//! `driftdrill.toml`: how to reach AWS, the safety rules, and the detectors and alert channels.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::environment::EnvironmentDecl;
use super::names;
use super::remediator::RemediatorDecl;
use super::stop_condition::StopConditionDecl;
use crate::diag::{Located, TableReader, suggest};
use crate::vocab::Role;
use crate::vocab::catalog::{Catalogs, NamedPath, PathKind};

/// Tag values that always mark production, whatever the config says (keys compared
/// case-insensitively).
pub(crate) const BUILTIN_FORBIDDEN: &[(&str, &[&str])] = &[
    ("Environment", &["prod", "production", "prd", "live"]),
    ("Env", &["prod", "production", "prd", "live"]),
];

/// Required tags when the config names none.
pub(crate) const DEFAULT_REQUIRED: (&str, &[&str]) = (
    "Environment",
    &["dev", "development", "test", "staging", "sandbox", "qa"],
);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct AwsSection {
    pub region: Option<String>,
    pub profile: Option<String>,
    pub endpoint_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Safety {
    pub allowed_accounts: Vec<String>,
    pub allowed_regions: Vec<String>,
    /// Tag key → allowed values; the target must carry each key with one of the values.
    pub required_tags: BTreeMap<String, Vec<String>>,
    /// Forbidden values in addition to [`BUILTIN_FORBIDDEN`].
    pub forbidden_tags: BTreeMap<String, Vec<String>>,
    pub max_concurrent: u32,
    #[serde(with = "humantime_serde")]
    pub max_drift_lifetime: Duration,
    pub journal: PathBuf,
    /// Whether drills may change account-wide settings of a region (EBS encryption by
    /// default): they carry no tags the guardrails could check. Off unless the config says so.
    #[serde(default)]
    pub account_settings: bool,
}

impl Safety {
    /// Built-in and configured forbidden values together.
    pub fn forbidden_tags(&self) -> BTreeMap<String, Vec<String>> {
        let mut all: BTreeMap<String, Vec<String>> = BUILTIN_FORBIDDEN
            .iter()
            .map(|(k, v)| (k.to_string(), v.iter().map(|s| s.to_string()).collect()))
            .collect();
        for (k, v) in &self.forbidden_tags {
            all.entry(k.clone()).or_default().extend(v.iter().cloned());
        }
        all
    }

    /// Tag keys the guardrails look at; scenarios may not change them.
    pub(crate) fn guarded_keys(&self) -> Vec<String> {
        self.forbidden_tags()
            .into_keys()
            .chain(self.required_tags.keys().cloned())
            .collect()
    }
}

/// One `[[detector]]` or `[[channel]]` entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DetectorDecl {
    pub name: Located<String>,
    #[serde(rename = "type")]
    pub kind: String,
    pub role: Role,
    /// The type's settings, as its catalog entry read them.
    pub settings: serde_json::Value,
    /// Patterns of the environments it watches (`[[environment]]` names, `*` wildcards); empty:
    /// every environment. A drill in an environment it does not watch never expects it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub environments: Vec<Located<String>>,
}

impl DetectorDecl {
    /// Whether it watches drills in the environment (`None`: the implicit one).
    pub(crate) fn watches(&self, environment: Option<&str>) -> bool {
        environment.is_none_or(|e| super::environment::selected(&self.environments, e))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DrillConfig {
    /// The file as it was named (for messages).
    pub path: PathBuf,
    /// The absolute folder holding the file: every relative path in the config resolves here,
    /// whatever the working directory and however `--config` was spelled.
    pub dir: PathBuf,
    pub aws: AwsSection,
    pub safety: Safety,
    pub detectors: Vec<DetectorDecl>,
    /// `[[remediator]]` entries: remediators outside driftdrill, watched by reading back.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remediators: Vec<RemediatorDecl>,
    /// `[[stop_condition]]` entries: polled for the whole run; one firing stops it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stop_conditions: Vec<StopConditionDecl>,
    /// `[[environment]]` entries; empty: one implicit environment, `[aws]`'s.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub environments: Vec<EnvironmentDecl>,
}

impl DrillConfig {
    pub fn environment(&self, name: &str) -> Option<&EnvironmentDecl> {
        self.environments.iter().find(|e| e.name.value == name)
    }

    pub fn detector(&self, name: &str) -> Option<&DetectorDecl> {
        self.detectors.iter().find(|d| d.name.value == name)
    }

    pub fn remediator(&self, name: &str) -> Option<&RemediatorDecl> {
        self.remediators.iter().find(|d| d.name.value == name)
    }

    /// A path from the config, relative to the config file's folder unless it is absolute.
    pub fn resolve(&self, path: &Path) -> PathBuf {
        crate::process::resolve(&self.dir, path)
    }
}

/// Reads the whole file; every problem goes to the reader's sink.
pub fn read(path: &Path, root: &mut TableReader, catalogs: &Catalogs) -> Option<DrillConfig> {
    let aws = root.table("aws", false).map(|mut r| {
        let region = r
            .opt_string("region")
            .and_then(|s| names::check_region(&r, s));
        let profile = r.opt_string("profile").map(|s| s.value);
        let endpoint_url = r.opt_string("endpoint_url").and_then(|s| {
            if s.value.starts_with("http://") || s.value.starts_with("https://") {
                Some(s.value)
            } else {
                r.report(s.diag(
                    "invalid-value",
                    format!("endpoint_url {:?} is not an http(s) URL", s.value),
                ));
                None
            }
        });
        r.finish();
        AwsSection {
            region,
            profile,
            endpoint_url,
        }
    });
    let safety = match root.table("safety", true) {
        Some(mut r) => {
            let s = read_safety(&mut r);
            r.finish();
            s
        }
        None => None,
    };
    let default_region = aws.as_ref().and_then(|a| a.region.clone());
    let mut environments = Vec::new();
    for mut r in root.tables("environment") {
        if let Some(e) = super::environment::read(&mut r, default_region.as_deref()) {
            if let Some(s) = &safety {
                check_allowed_regions(&r, &e, s);
            }
            environments.push(e);
        }
        r.finish();
    }
    let mut detectors = Vec::new();
    for (key, role) in [("detector", Role::Detector), ("channel", Role::Channel)] {
        for mut r in root.tables(key) {
            if let Some(d) = read_detector(&mut r, role, &folder_of(path), catalogs) {
                detectors.push(d);
            }
        }
    }
    let remediators = root
        .tables("remediator")
        .into_iter()
        .filter_map(|mut r| super::remediator::read(&mut r))
        .collect();
    let stop_conditions = root
        .tables("stop_condition")
        .into_iter()
        .filter_map(|mut r| {
            let s = super::stop_condition::read(&mut r)?;
            check_paths(&r, s.program_path().into_iter().collect(), &folder_of(path));
            Some(s)
        })
        .collect();
    Some(DrillConfig {
        path: path.to_path_buf(),
        dir: folder_of(path),
        aws: aws.unwrap_or_default(),
        safety: safety?,
        detectors,
        remediators,
        stop_conditions,
        environments,
    })
}

/// An environment's regions must be allow-listed: caught here, before any run starts.
fn check_allowed_regions(r: &TableReader, e: &EnvironmentDecl, safety: &Safety) {
    for region in &e.regions {
        if !safety.allowed_regions.contains(&region.value) {
            r.report(
                region
                    .diag(
                        "region-not-allowed",
                        format!(
                            "environment {:?} drills {}, which safety.allowed_regions ({:?}) does not allow",
                            e.name.value, region.value, safety.allowed_regions
                        ),
                    )
                    .with_hint("add it to safety.allowed_regions, or drop it from regions"),
            );
        }
    }
}

/// The absolute folder of a file named relatively or absolutely (`driftdrill.toml` has the
/// empty path as its parent, which must mean the working directory, not "").
pub(crate) fn folder_of(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    match absolute.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn read_safety(r: &mut TableReader) -> Option<Safety> {
    let accounts = r.strings("allowed_accounts");
    let regions = r.strings("allowed_regions");
    let required = r.opt_string_set_map("required_tags");
    let forbidden = r.opt_string_set_map("forbidden_tags");
    let max_concurrent = r
        .opt_integer("max_concurrent", 1..1001)
        .map_or(4, |v| v.value as u32);
    let lifetime = r
        .opt_duration("max_drift_lifetime")
        .map_or(Duration::from_secs(30 * 60), |d| d.value);
    let journal = r.opt_string("journal").map_or_else(
        || PathBuf::from(".driftdrill/journal.jsonl"),
        |j| PathBuf::from(j.value),
    );
    let account_settings = r.opt_bool("account_settings").is_some_and(|b| b.value);

    let mut ok = check_accounts(r, accounts.as_deref());
    for g in regions.iter().flatten() {
        ok &= names::check_region(r, g.clone()).is_some();
    }
    let required_tags = required.as_ref().map_or_else(
        || {
            BTreeMap::from([(
                DEFAULT_REQUIRED.0.to_string(),
                DEFAULT_REQUIRED.1.iter().map(|s| s.to_string()).collect(),
            )])
        },
        |m| m.value.clone(),
    );
    let forbidden_tags = forbidden.map(|m| m.value).unwrap_or_default();
    let safety = Safety {
        allowed_accounts: accounts
            .map(|v| v.into_iter().map(|a| a.value).collect())
            .unwrap_or_default(),
        allowed_regions: regions
            .map(|v| v.into_iter().map(|g| g.value).collect())
            .unwrap_or_default(),
        required_tags,
        forbidden_tags,
        max_concurrent,
        max_drift_lifetime: lifetime,
        journal,
        account_settings,
    };
    let required_span = required
        .as_ref()
        .and_then(|m| m.at.clone())
        .map(|a| a.1)
        .unwrap_or_else(|| r.span());
    ok &= check_required_not_forbidden(r, &safety, required_span);
    ok.then_some(safety)
}

/// Every allowed account is a 12-digit id, and the list (when given) is not empty.
fn check_accounts(r: &TableReader, accounts: Option<&[Located<String>]>) -> bool {
    let mut ok = true;
    for a in accounts.iter().copied().flatten() {
        ok &= names::check_account(r, a);
    }
    if accounts.is_some_and(|a| a.is_empty()) {
        r.error(
            r.value_span("allowed_accounts").unwrap_or_default(),
            "empty-allow-list",
            "allowed_accounts is empty: nothing could ever be drilled",
            Some("LocalStack's account is \"000000000000\"".into()),
        );
        ok = false;
    }
    ok
}

/// A required value that is also forbidden would let production through (or block
/// everything): each such value is an error at `span`.
fn check_required_not_forbidden(r: &TableReader, safety: &Safety, span: Range<usize>) -> bool {
    let mut ok = true;
    for (key, values) in &safety.required_tags {
        for (fkey, fvalues) in safety.forbidden_tags() {
            if !key.eq_ignore_ascii_case(&fkey) {
                continue;
            }
            for v in values
                .iter()
                .filter(|v| fvalues.iter().any(|f| f.eq_ignore_ascii_case(v)))
            {
                r.error(
                    span.clone(),
                    "forbidden-value-allowed",
                    format!(
                        "required_tags allows {key}={v}, which is a forbidden (production) value"
                    ),
                    Some(format!("remove {v:?} from required_tags.{key}")),
                );
                ok = false;
            }
        }
    }
    ok
}

fn read_detector(
    r: &mut TableReader,
    role: Role,
    base: &Path,
    catalogs: &Catalogs,
) -> Option<DetectorDecl> {
    let name = r.string("name");
    let ids = catalogs.detector_ids();
    let kind = r.choice("type", &ids, true);
    if let Some(n) = &name {
        names::check_name(r, n, "detector");
    }
    let Some(kind) = kind else {
        // Without a type the settings cannot be checked; do not report them as unknown too.
        r.accept_rest();
        return None;
    };
    let spec = catalogs
        .detector(&kind.value)
        .expect("choice checked the type");
    if spec.role != role {
        let (wanted, other) = match spec.role {
            Role::Detector => ("[[detector]]", "[[channel]]"),
            Role::Channel => ("[[channel]]", "[[detector]]"),
        };
        r.report(
            kind.diag(
                "wrong-section",
                format!("type {:?} is declared under {other}", kind.value),
            )
            .with_hint(format!("move this entry to a {wanted} table")),
        );
    }
    let environments = r.opt_strings("environments").unwrap_or_default();
    let settings = (spec.read)(r);
    if let Some(value) = &settings {
        check_paths(r, (spec.paths)(value), base);
    }
    r.finish();
    Some(DetectorDecl {
        name: name?,
        kind: kind.value,
        role: spec.role,
        settings: settings?,
        environments,
    })
}

/// Reports every path a detector names that is not on disk as it must be (a folder, a file,
/// an executable program), resolved against the config's folder, at the setting's span.
fn check_paths(r: &TableReader, paths: Vec<NamedPath>, base: &Path) {
    use std::os::unix::fs::PermissionsExt;
    for p in paths {
        let full = crate::process::resolve(base, &p.path);
        let meta = std::fs::metadata(&full);
        let problem = match (&meta, p.kind) {
            (Err(_), _) => Some("does not exist"),
            (Ok(m), PathKind::Folder) if !m.is_dir() => Some("is not a folder"),
            (Ok(m), PathKind::File) if !m.is_file() => Some("is not a file"),
            (Ok(m), PathKind::Program) if !m.is_file() => Some("is not a file"),
            (Ok(m), PathKind::Program) if m.permissions().mode() & 0o111 == 0 => {
                Some("is not executable")
            }
            _ => None,
        };
        let Some(problem) = problem else { continue };
        let span = r.value_span(p.key).unwrap_or_else(|| r.span());
        r.error(
            span,
            "missing-path",
            format!(
                "{} {} {problem} ({})",
                p.kind.noun(),
                p.path.display(),
                full.display()
            ),
            Some("paths in the config resolve against the config file's folder".into()),
        );
    }
}

/// Suggestion text for an unknown detector name.
pub(crate) fn unknown_detector_hint(config: &DrillConfig, name: &str) -> String {
    let mut names: Vec<&str> = config
        .detectors
        .iter()
        .map(|d| d.name.value.as_str())
        .collect();
    names.sort();
    names.dedup();
    if names.is_empty() {
        format!(
            "{} declares no detectors or channels",
            config.path.display()
        )
    } else {
        format!(
            "{} (declared in {})",
            suggest::hint(name, &names),
            config.path.display()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::folder_of;
    use std::path::Path;

    #[test]
    fn a_config_named_by_a_bare_file_name_lives_in_the_working_directory() {
        let cwd = std::env::current_dir().unwrap();
        assert_eq!(folder_of(Path::new("driftdrill.toml")), cwd);
        assert_eq!(
            folder_of(Path::new("drills/driftdrill.toml")),
            cwd.join("drills")
        );
        assert_eq!(
            folder_of(Path::new("/srv/drills/driftdrill.toml")),
            Path::new("/srv/drills")
        );
    }
}
