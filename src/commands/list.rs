//! `driftdrill list`: the injector actions and detector types from their catalogs, and the
//! scenarios found under a path, as tables or JSON.

use std::io::Write;
use std::path::{Path, PathBuf};

use comfy_table::{ContentArrangement, Table, presets};
use serde_json::json;

use super::Format;
use crate::formats::load;
use crate::{detect, exit_codes, inject};

pub fn run(
    config: Option<&Path>,
    paths: &[PathBuf],
    format: Format,
    out: &mut dyn Write,
) -> Result<i32, load::LoadError> {
    let loaded = load::load(config, paths, &crate::catalogs::all())?;
    match format {
        Format::Json => {
            let doc = json!({
                "schema": "driftdrill.list/v1",
                "actions": inject::CATALOG.iter().map(|a| json!({
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
            });
            writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&doc).expect("JSON serialises")
            )
            .expect("write");
        }
        Format::Text => {
            let mut actions = table(&["action", "targets", "what it changes", "parameters"]);
            for a in inject::CATALOG {
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
            let mut detectors = table(&["type", "role", "what it does", "settings"]);
            for d in detect::CATALOG {
                let params: Vec<String> = d
                    .params
                    .iter()
                    .map(|p| format!("{}{}", p.name, if p.required { "" } else { "?" }))
                    .collect();
                let role = match d.role {
                    detect::Role::Detector => "detector",
                    detect::Role::Channel => "alert channel",
                };
                detectors.add_row(vec![
                    d.id.to_string(),
                    role.to_string(),
                    d.summary.to_string(),
                    params.join("\n"),
                ]);
            }
            writeln!(
                out,
                "Injector actions ({})\n{actions}\n",
                inject::CATALOG.len()
            )
            .expect("write");
            writeln!(
                out,
                "Detector and channel types ({})\n{detectors}",
                detect::CATALOG.len()
            )
            .expect("write");
            if !loaded.scenarios.is_empty() {
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
                            let sla = role.and_then(|r| s.expect.sla_for(&d.value, r));
                            match sla {
                                Some(sla) => {
                                    format!("{} ({})", d.value, humantime::format_duration(sla))
                                }
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
                writeln!(out, "\nScenarios ({})\n{scenarios}", loaded.scenarios.len())
                    .expect("write");
            }
            if !loaded.diagnostics.is_empty() {
                writeln!(
                    out,
                    "\n{} problem(s) in the files: run `driftdrill validate` for details",
                    loaded.diagnostics.len()
                )
                .expect("write");
            }
        }
    }
    Ok(exit_codes::OK)
}

fn table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_style(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header.to_vec());
    t
}
