//! Finds and reads the config and scenario files, then checks what no single file can: unique ids
//! and names, detectors that exist, SLAs for every expectation, guardrail tags left alone.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use toml::de::DeTable;

use super::config::{self, DrillConfig};
use super::scenario::{self, Scenario};
use crate::diag::reader::TOP_LEVEL;
use crate::diag::{Diagnostic, Sink, SourceMap, TableReader};
use crate::vocab::catalog::Catalogs;
use crate::vocab::{Naming, Role};

/// The name that marks a drill config among scenario files.
pub(crate) const CONFIG_NAME: &str = "driftdrill.toml";

#[derive(Debug, Default)]
pub struct Loaded {
    pub sources: SourceMap,
    pub config: Option<DrillConfig>,
    pub scenarios: Vec<Scenario>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Loaded {
    pub fn is_valid(&self) -> bool {
        self.diagnostics.is_empty()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("read {path}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Reads `config` (or a `driftdrill.toml` among `paths`, or `./driftdrill.toml`) and every
/// `*.toml` scenario under `paths` (default `./scenarios`). Problems become diagnostics; only
/// unreadable paths are errors.
pub fn load(
    config: Option<&Path>,
    paths: &[PathBuf],
    catalogs: &Catalogs,
) -> Result<Loaded, LoadError> {
    let default_paths = [PathBuf::from("scenarios")];
    let paths: &[PathBuf] = if paths.is_empty() {
        &default_paths
    } else {
        paths
    };
    let mut config_path = config.map(Path::to_path_buf);
    let mut scenario_files = Vec::new();
    for path in paths {
        // The default folder is optional; paths the user named are not.
        if std::ptr::eq(paths, &default_paths[..]) && !path.exists() {
            continue;
        }
        collect(path, &mut config_path, &mut scenario_files)?;
    }
    if config_path.is_none() && Path::new(CONFIG_NAME).is_file() {
        config_path = Some(PathBuf::from(CONFIG_NAME));
    }

    let mut loaded = Loaded::default();
    let sink = Sink::default();
    if let Some(path) = &config_path {
        loaded.config = read_file(&mut loaded.sources, &sink, path, |path, r| {
            config::read(path, r, catalogs)
        })?;
    }
    for path in &scenario_files {
        if let Some(s) = read_file(&mut loaded.sources, &sink, path, |path, r| {
            scenario::read(path, r, catalogs)
        })? {
            loaded.scenarios.push(s);
        }
    }
    cross_check(&loaded, catalogs, &sink);
    let mut diags = sink.into_inner();
    diags.sort_by_key(|d| (d.file, d.span.start));
    diags.dedup();
    loaded.diagnostics = diags;
    Ok(loaded)
}

/// Reads only the drill config (`config`, or `./driftdrill.toml`), for commands that need no
/// scenarios (`recover`): a scenario elsewhere cannot make it invalid.
pub(crate) fn load_config(config: Option<&Path>, catalogs: &Catalogs) -> Result<Loaded, LoadError> {
    let mut loaded = Loaded::default();
    let path = match config {
        Some(p) => p.to_path_buf(),
        None if Path::new(CONFIG_NAME).is_file() => PathBuf::from(CONFIG_NAME),
        None => return Ok(loaded),
    };
    let sink = Sink::default();
    loaded.config = read_file(&mut loaded.sources, &sink, &path, |path, r| {
        config::read(path, r, catalogs)
    })?;
    loaded.diagnostics = sink.into_inner();
    Ok(loaded)
}

fn collect(
    path: &Path,
    config: &mut Option<PathBuf>,
    scenarios: &mut Vec<PathBuf>,
) -> Result<(), LoadError> {
    let meta = std::fs::metadata(path).map_err(|source| LoadError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    if meta.is_file() {
        if path.file_name().is_some_and(|n| n == CONFIG_NAME) {
            config.get_or_insert_with(|| path.to_path_buf());
        } else {
            scenarios.push(path.to_path_buf());
        }
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(|source| LoadError::Io {
            path: path.to_path_buf(),
            source,
        })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for entry in entries {
        if entry.is_dir() || entry.extension().is_some_and(|e| e == "toml") {
            collect(&entry, config, scenarios)?;
        }
    }
    Ok(())
}

/// Adds the file to the source map, reports syntax errors, or reads it with `read`.
fn read_file<T>(
    sources: &mut SourceMap,
    sink: &Sink,
    path: &Path,
    read: impl FnOnce(&Path, &mut TableReader) -> Option<T>,
) -> Result<Option<T>, LoadError> {
    let text = std::fs::read_to_string(path).map_err(|source| LoadError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let file = sources.add(path, text);
    let text = sources.text(file);
    let (doc, errors) = DeTable::parse_recoverable(text);
    if !errors.is_empty() {
        for e in errors {
            let span = e.span().unwrap_or(0..0);
            let message = e.message().trim().trim_end_matches('.').to_string();
            sink.borrow_mut().push(Diagnostic::new(
                file,
                span,
                "syntax",
                format!("invalid TOML: {message}"),
            ));
        }
        return Ok(None);
    }
    let mut reader = TableReader::new(sink, file, doc.get_ref(), 0..0, TOP_LEVEL);
    let value = read(path, &mut reader);
    reader.finish();
    Ok(value)
}

fn cross_check(loaded: &Loaded, catalogs: &Catalogs, sink: &Sink) {
    let report = |d: Diagnostic| sink.borrow_mut().push(d);
    check_unique_scenario_ids(loaded, &report);
    let Some(config) = &loaded.config else { return };
    check_unique_detector_names(config, &report);
    check_environments(loaded, config, &report);
    let guarded: Vec<String> = config.safety.guarded_keys();
    for s in &loaded.scenarios {
        check_expectations(s, config, &report);
        check_remediators(s, config, &report);
        check_guardrail_tag(s, &guarded, &report);
        check_account_setting(s, config, catalogs, &report);
    }
}

/// A drill on an account setting runs only where the config opts in: without `[safety]
/// account_settings = true` the guardrail would refuse it at run time, so it is invalid here,
/// before anything runs.
fn check_account_setting(
    s: &Scenario,
    config: &DrillConfig,
    catalogs: &Catalogs,
    report: &impl Fn(Diagnostic),
) {
    let Some(kind) = catalogs.target(s.target.kind.as_str()) else {
        return;
    };
    if config.safety.account_settings || kind.naming != Naming::Setting {
        return;
    }
    report(
        s.inject
            .action
            .diag(
                "account-setting",
                format!(
                    "action {} changes {}, not one tagged resource, and the config does not allow drills on account settings",
                    s.inject.action.value,
                    kind.setting_scope()
                ),
            )
            .with_hint("the tag guardrails cannot vouch for a setting: once the account is a sandbox, set `account_settings = true` in the config's [safety]"),
    );
}

fn check_unique_scenario_ids(loaded: &Loaded, report: &impl Fn(Diagnostic)) {
    let mut first_id: BTreeMap<&str, &Scenario> = BTreeMap::new();
    for s in &loaded.scenarios {
        if let Some(previous) = first_id.insert(&s.id.value, s) {
            first_id.insert(&previous.id.value, previous);
            report(
                s.id.diag(
                    "duplicate-id",
                    format!("scenario id {:?} is used twice", s.id.value),
                )
                .with_hint(format!("first used in {}", previous.file.display())),
            );
        }
    }
}

fn check_unique_detector_names(config: &DrillConfig, report: &impl Fn(Diagnostic)) {
    let mut names = std::collections::BTreeSet::new();
    let declared = config.detectors.iter().map(|d| &d.name);
    for name in declared.chain(config.remediators.iter().map(|r| &r.name)) {
        if !names.insert(&name.value) {
            report(name.diag(
                "duplicate-name",
                format!(
                    "detector, channel or remediator name {:?} is declared twice",
                    name.value
                ),
            ));
        }
    }
}

/// Every remediator a scenario expects is a declared `[[remediator]]` or `[[detector]]` (a
/// channel only delivers alerts), and has a time-to-remediate SLA.
fn check_remediators(s: &Scenario, config: &DrillConfig, report: &impl Fn(Diagnostic)) {
    for name in &s.expect.remediators {
        let declared = config.remediator(&name.value).is_some()
            || config
                .detector(&name.value)
                .is_some_and(|d| d.role == Role::Detector);
        if config
            .detector(&name.value)
            .is_some_and(|d| d.role == Role::Channel)
        {
            report(
                name.diag(
                    "channel-as-remediator",
                    format!("{:?} is an alert channel: it delivers alerts and cannot undo a change", name.value),
                )
                .with_hint("name a [[detector]] that acts (custodian with actions, terraform with apply) or a [[remediator]]"),
            );
            continue;
        }
        if !declared {
            let mut known: Vec<&str> = config
                .remediators
                .iter()
                .map(|r| r.name.value.as_str())
                .collect();
            known.extend(
                config
                    .detectors
                    .iter()
                    .filter(|d| d.role == Role::Detector)
                    .map(|d| d.name.value.as_str()),
            );
            report(
                name.diag(
                    "unknown-remediator",
                    format!(
                        "scenario expects remediator {:?}, which the config declares neither as a [[remediator]] nor as a [[detector]]",
                        name.value
                    ),
                )
                .with_hint(crate::diag::suggest::hint(&name.value, &known)),
            );
            continue;
        }
        if !s.expect.sla.contains_key(&name.value) && s.expect.remediate_within.is_none() {
            report(
                name.diag(
                    "missing-sla",
                    format!(
                        "no time-to-remediate SLA for {:?}: add `remediate_within` to [expect] (or an [expect.sla] entry)",
                        name.value
                    ),
                )
                .with_hint(format!("{:?} is expected to undo the change", name.value)),
            );
        }
    }
}

/// Every name a scenario watches is declared, and has an SLA for its role.
fn check_expectations(s: &Scenario, config: &DrillConfig, report: &impl Fn(Diagnostic)) {
    for name in s.expect.watched() {
        let Some(decl) = config.detector(&name.value) else {
            report(
                name.diag(
                    "unknown-detector",
                    format!(
                        "scenario expects {:?}, which the config does not declare",
                        name.value
                    ),
                )
                .with_hint(config::unknown_detector_hint(config, &name.value)),
            );
            continue;
        };
        if s.expect.sla_for(&name.value, decl.role).is_some() {
            continue;
        }
        let (key, noun) = match decl.role {
            Role::Detector => ("detect_within", "detector"),
            Role::Channel => ("alert_within", "channel"),
        };
        report(
            name.diag(
                "missing-sla",
                format!(
                    "no SLA for {:?}: add `{key}` to [expect] (or an [expect.sla] entry)",
                    name.value
                ),
            )
            .with_hint(format!("{:?} is a {noun}", name.value)),
        );
    }
}

/// A drill never changes a tag the guardrails rely on.
fn check_guardrail_tag(s: &Scenario, guarded: &[String], report: &impl Fn(Diagnostic)) {
    if let Some(key) = s.inject.params.get("key").and_then(|k| k.as_str())
        && guarded.iter().any(|g| g.eq_ignore_ascii_case(key))
    {
        report(
            s.inject
                .action
                .diag("guardrail-tag", format!("the drill would change the tag {key:?}, which the safety rules rely on"))
                .with_hint("drill a different tag; changing guardrail tags could make a resource look like production or non-production"),
        );
    }
}

/// Environment names unique; every pattern (a scenario's `[target] environments`, a detector's
/// `environments`) selects one; every drill (scenario × environment) expects a detector that
/// watches its environment.
fn check_environments(loaded: &Loaded, config: &DrillConfig, report: &impl Fn(Diagnostic)) {
    use super::environment::matches;
    let names: Vec<&str> = config
        .environments
        .iter()
        .map(|e| e.name.value.as_str())
        .collect();
    for (i, e) in config.environments.iter().enumerate() {
        if names[..i].contains(&e.name.value.as_str()) {
            report(e.name.diag(
                "duplicate-name",
                format!("environment {:?} is declared twice", e.name.value),
            ));
        }
    }
    let check_pattern = |p: &crate::diag::Located<String>| {
        if names.iter().any(|n| matches(&p.value, n)) {
            return;
        }
        let hint = if names.is_empty() {
            format!(
                "{} declares no [[environment]]: add one, or drop `environments`",
                config.path.display()
            )
        } else {
            crate::diag::suggest::hint(&p.value, &names)
        };
        report(
            p.diag(
                "unknown-environment",
                format!("{:?} selects no environment of the config", p.value),
            )
            .with_hint(hint),
        );
    };
    for d in &config.detectors {
        d.environments.iter().for_each(check_pattern);
    }
    for s in &loaded.scenarios {
        s.environments.iter().for_each(check_pattern);
        for env in names
            .iter()
            .filter(|n| super::environment::selected(&s.environments, n))
        {
            let watched = s
                .expect
                .detectors
                .iter()
                .filter_map(|d| config.detector(&d.value))
                .any(|d| d.watches(Some(env)));
            let declared = s
                .expect
                .detectors
                .iter()
                .all(|d| config.detector(&d.value).is_some());
            if !watched
                && declared
                && let Some(first) = s.expect.detectors.first()
            {
                report(
                    first
                        .diag(
                            "unwatched-environment",
                            format!(
                                "scenario {:?} runs in environment {env:?}, but none of the detectors it expects watches it",
                                s.id.value
                            ),
                        )
                        .with_hint("add a detector whose `environments` include it, or narrow [target] environments"),
                );
            }
        }
    }
}
