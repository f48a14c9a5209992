//! `driftdrill validate`: reads the config and scenarios, reports every problem, never calls AWS.
//! Errors make the input invalid; warnings (an SLA no detector can meet) do so only when strict.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::Format;
use crate::diag::{Diagnostic, render};
use crate::formats::load::{self, Loaded};
use crate::formats::{DrillConfig, feasibility};
use crate::{errors, exit_codes};

/// How many of the latest run records beside the config give each detector's poll duration.
const RECENT_RUNS: usize = 5;

/// How to validate and print.
#[derive(Debug, Clone, Copy)]
pub struct How {
    pub format: Format,
    /// Warnings are errors.
    pub strict: bool,
}

/// What validation found beyond the loader's errors.
pub(crate) struct Findings {
    pub(crate) warnings: Vec<Diagnostic>,
    /// Why earlier run records could not be read (they only sharpen the warnings).
    records_note: Option<String>,
}

/// Runs validation and prints the result; returns the exit code.
pub fn run(
    config: Option<&Path>,
    paths: &[PathBuf],
    how: How,
    out: &mut dyn Write,
) -> Result<i32, load::LoadError> {
    let loaded = load::load(config, paths, &crate::catalogs::all())?;
    let findings = match &loaded.config {
        Some(c) if loaded.is_valid() => feasibility_of(c, &loaded),
        _ => Findings {
            warnings: Vec::new(),
            records_note: None,
        },
    };
    let valid = loaded.is_valid() && (!how.strict || findings.warnings.is_empty());
    match how.format {
        Format::Text => print_text(&loaded, &findings, valid, out),
        Format::Json => print_json(&loaded, &findings, valid, out),
    }
    .expect("write to output");
    Ok(if valid {
        exit_codes::OK
    } else {
        exit_codes::INVALID_INPUT
    })
}

/// SLA feasibility, sharpened by the poll durations of the latest runs recorded beside the
/// config (`reports/runs` or `runs` in its folder), when there are any.
pub(crate) fn feasibility_of(config: &DrillConfig, loaded: &Loaded) -> Findings {
    let dirs = [config.dir.join("reports/runs"), config.dir.join("runs")];
    let (medians, records_note) =
        match crate::report::records::recent_median_polls(&dirs, RECENT_RUNS) {
            Ok(m) => (m, None),
            Err(e) => (BTreeMap::<String, Duration>::new(), Some(errors::chain(&e))),
        };
    Findings {
        warnings: feasibility::check(config, &loaded.scenarios, &medians),
        records_note,
    }
}

fn print_text(
    loaded: &Loaded,
    findings: &Findings,
    valid: bool,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    write!(
        out,
        "{}",
        render::text_all(&loaded.sources, &loaded.diagnostics)
    )?;
    for w in &findings.warnings {
        writeln!(out, "{}", render::text_as(&loaded.sources, w, "warning"))?;
    }
    if let Some(note) = &findings.records_note {
        writeln!(out, "note: earlier run records were not read: {note}")?;
    }
    let config = loaded
        .config
        .as_ref()
        .map_or("no config".to_string(), |c| c.path.display().to_string());
    let warned = match findings.warnings.len() {
        0 => String::new(),
        n => format!(", {n} warning(s)"),
    };
    if valid {
        let n = loaded.scenarios.len();
        writeln!(out, "valid: {config}, {n} scenario(s){warned}")?;
        if loaded.config.is_none() && !loaded.scenarios.is_empty() {
            writeln!(
                out,
                "note: no driftdrill.toml given, so detector names in [expect] were not checked"
            )?;
        }
    } else if loaded.is_valid() {
        writeln!(
            out,
            "invalid: {} warning(s) with --strict; nothing was injected",
            findings.warnings.len()
        )?;
    } else {
        let files: std::collections::BTreeSet<_> =
            loaded.diagnostics.iter().map(|d| d.file).collect();
        writeln!(
            out,
            "invalid: {} problem(s) in {} file(s); nothing was injected",
            loaded.diagnostics.len(),
            files.len()
        )?;
    }
    Ok(())
}

fn print_json(
    loaded: &Loaded,
    findings: &Findings,
    valid: bool,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let mut diagnostics = render::json(&loaded.sources, &loaded.diagnostics);
    diagnostics.extend(render::json_as(
        &loaded.sources,
        &findings.warnings,
        "warning",
    ));
    let doc = serde_json::json!({
        "schema": "driftdrill.validate/v1",
        "valid": valid,
        "config": loaded.config.as_ref().map(|c| c.path.display().to_string()),
        "scenarios": loaded.scenarios.iter().map(|s| s.id.value.clone()).collect::<Vec<_>>(),
        "diagnostics": diagnostics,
    });
    writeln!(
        out,
        "{}",
        serde_json::to_string_pretty(&doc).expect("JSON serialises")
    )
}

/// The SLA warnings for the files a run is about to drill, as text for its standard error (a
/// run goes on: an SLA that cannot be met is the team's to fix, not a reason to stop).
pub(crate) fn warnings_text(config: Option<&Path>, paths: &[PathBuf]) -> String {
    let Ok(loaded) = load::load(config, paths, &crate::catalogs::all()) else {
        return String::new();
    };
    let Some(c) = loaded.config.as_ref().filter(|_| loaded.is_valid()) else {
        return String::new();
    };
    feasibility_of(c, &loaded)
        .warnings
        .iter()
        .map(|w| render::text_as(&loaded.sources, w, "warning") + "\n")
        .collect()
}
