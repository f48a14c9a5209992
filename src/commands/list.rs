//! `driftdrill list`: the injector actions and detector types from their catalogs, and the
//! scenarios found under a path, as tables or JSON.

use std::io::Write;
use std::path::{Path, PathBuf};

use comfy_table::{ContentArrangement, Table, presets};
use serde_json::json;

use crate::formats::load::{self, Loaded};
use crate::vocab::Naming;
use crate::{detect, exit_codes, inject};

/// How `list` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ListFormat {
    Text,
    Json,
    /// The services, their target types and actions, as the README's catalog block.
    Markdown,
}

pub fn run(
    config: Option<&Path>,
    paths: &[PathBuf],
    format: ListFormat,
    out: &mut dyn Write,
) -> Result<i32, load::LoadError> {
    let loaded = load::load(config, paths, &crate::catalogs::all())?;
    let text = match format {
        ListFormat::Json => {
            serde_json::to_string_pretty(&as_json(&loaded)).expect("JSON serialises")
        }
        ListFormat::Text => as_text(&loaded),
        ListFormat::Markdown => catalog_markdown(),
    };
    writeln!(out, "{text}").expect("write");
    Ok(exit_codes::OK)
}

/// Everything `list` shows, as `driftdrill.list/v1` JSON.
fn as_json(loaded: &Loaded) -> serde_json::Value {
    json!({
        "schema": "driftdrill.list/v1",
        "actions": inject::actions().map(|a| json!({
            "id": a.id,
            "targets": a.targets.iter().map(|t| t.as_str()).collect::<Vec<_>>(),
            "summary": a.summary,
            "params": a.params,
            "example": a.example,
        })).collect::<Vec<_>>(),
        "detector_types": detect::CATALOG.iter().map(|d| json!({
            "type": d.id, "role": d.role, "summary": d.summary, "params": d.params, "example": d.example,
        })).collect::<Vec<_>>(),
        "scenarios": loaded.scenarios.iter().map(|s| json!({
            "id": s.id.value, "title": s.title, "category": s.category, "severity": s.severity,
            "file": s.file, "target": s.target.to_string(), "action": s.inject.action.value,
            "expect": s.expect,
        })).collect::<Vec<_>>(),
        "problems": loaded.diagnostics.len(),
    })
}

/// Everything `list` shows, as tables: actions, detector types, the scenarios found.
fn as_text(loaded: &Loaded) -> String {
    let mut out = format!(
        "Injector actions ({})\n{}\n\nDetector and channel types ({})\n{}",
        inject::actions().count(),
        actions_table(),
        detect::CATALOG.len(),
        detectors_table()
    );
    if !loaded.scenarios.is_empty() {
        out.push_str(&format!(
            "\n\nScenarios ({})\n{}",
            loaded.scenarios.len(),
            scenarios_table(loaded)
        ));
    }
    if !loaded.diagnostics.is_empty() {
        out.push_str(&format!(
            "\n\n{} problem(s) in the files: run `driftdrill validate` for details",
            loaded.diagnostics.len()
        ));
    }
    out
}

/// Every service with its target types (and how a scenario selects one) and its actions, as
/// Markdown: the README's catalog block is exactly this text (a test checks it).
pub fn catalog_markdown() -> String {
    let mut out = format!(
        "{} actions on {} services; `driftdrill list` shows their parameters.\n\n\
         | service | target types (selected by) | actions |\n|---|---|---|\n",
        inject::actions().count(),
        inject::SERVICES.len()
    );
    for service in inject::SERVICES {
        let kinds: Vec<String> = service
            .kinds
            .iter()
            .map(|k| {
                let by = match k.naming {
                    Naming::Id => "`id` or tags",
                    Naming::Name => "`name` or tags",
                    Naming::NameOrArn => "`name`, an ARN as `id`, or tags",
                    Naming::Setting if k.global => "its account as `id`; an account setting",
                    Naming::Setting => "its region as `id`; an account setting",
                };
                format!("`{}` ({by})", k.kind)
            })
            .collect();
        let actions: Vec<String> = service
            .actions
            .iter()
            .map(|a| format!("`{}`", a.id))
            .collect();
        out.push_str(&format!(
            "| `{}` | {} | {} |\n",
            service.name,
            kinds.join(", "),
            actions.join(", ")
        ));
    }
    out
}

fn actions_table() -> Table {
    let mut actions = table(&["action", "targets", "what it changes", "parameters"]);
    for a in inject::actions() {
        let targets: Vec<&str> = a.targets.iter().map(|t| t.as_str()).collect();
        let params: Vec<String> = a
            .params
            .iter()
            .map(|p| {
                format!(
                    "{}{}: {}",
                    p.name,
                    if p.required { "" } else { "?" },
                    p.kind
                )
            })
            .collect();
        actions.add_row(vec![
            a.id.to_string(),
            targets.join("\n"),
            a.summary.to_string(),
            params.join("\n"),
        ]);
    }
    actions
}

fn detectors_table() -> Table {
    let mut detectors = table(&["type", "role", "what it does", "settings"]);
    for d in detect::CATALOG {
        let params: Vec<String> = d
            .params
            .iter()
            .map(|p| format!("{}{}", p.name, if p.required { "" } else { "?" }))
            .collect();
        detectors.add_row(vec![
            d.id.to_string(),
            d.role.label().to_string(),
            d.summary.to_string(),
            params.join("\n"),
        ]);
    }
    detectors
}

fn scenarios_table(loaded: &Loaded) -> Table {
    let mut scenarios = table(&[
        "scenario",
        "category",
        "severity",
        "target",
        "action",
        "expected (SLA)",
    ]);
    for s in &loaded.scenarios {
        let expected: Vec<String> = s
            .expect
            .detectors
            .iter()
            .map(|d| {
                let role = loaded
                    .config
                    .as_ref()
                    .and_then(|c| c.detector(&d.value))
                    .map(|decl| decl.role);
                match role.and_then(|r| s.expect.sla_for(&d.value, r)) {
                    Some(sla) => format!("{} ({})", d.value, humantime::format_duration(sla)),
                    None => d.value.clone(),
                }
            })
            .collect();
        scenarios.add_row(vec![
            s.id.value.clone(),
            s.category.clone(),
            s.severity.clone(),
            s.target.to_string(),
            s.inject.action.value.clone(),
            expected.join("\n"),
        ]);
    }
    scenarios
}

fn table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_style(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header.to_vec());
    t
}
