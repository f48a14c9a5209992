//! `driftdrill validate`: reads the config and scenarios, reports every problem, never calls AWS.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::Format;
use crate::diag::render;
use crate::exit_codes;
use crate::formats::load::{self, Loaded};

/// Runs validation and prints the result; returns the exit code.
pub fn run(
    config: Option<&Path>,
    paths: &[PathBuf],
    format: Format,
    out: &mut dyn Write,
) -> Result<i32, load::LoadError> {
    let loaded = load::load(config, paths, &crate::catalogs::all())?;
    match format {
        Format::Text => print_text(&loaded, out),
        Format::Json => print_json(&loaded, out),
    }
    .expect("write to output");
    Ok(if loaded.is_valid() {
        exit_codes::OK
    } else {
        exit_codes::INVALID_INPUT
    })
}

fn print_text(loaded: &Loaded, out: &mut dyn Write) -> std::io::Result<()> {
    write!(
        out,
        "{}",
        render::text_all(&loaded.sources, &loaded.diagnostics)
    )?;
    let config = loaded
        .config
        .as_ref()
        .map_or("no config".to_string(), |c| c.path.display().to_string());
    if loaded.is_valid() {
        writeln!(
            out,
            "valid: {config}, {} scenario(s)",
            loaded.scenarios.len()
        )?;
        if loaded.config.is_none() && !loaded.scenarios.is_empty() {
            writeln!(
                out,
                "note: no driftdrill.toml given, so detector names in [expect] were not checked"
            )?;
        }
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

fn print_json(loaded: &Loaded, out: &mut dyn Write) -> std::io::Result<()> {
    let doc = serde_json::json!({
        "schema": "driftdrill.validate/v1",
        "valid": loaded.is_valid(),
        "config": loaded.config.as_ref().map(|c| c.path.display().to_string()),
        "scenarios": loaded.scenarios.iter().map(|s| s.id.value.clone()).collect::<Vec<_>>(),
        "diagnostics": render::json(&loaded.sources, &loaded.diagnostics),
    });
    writeln!(
        out,
        "{}",
        serde_json::to_string_pretty(&doc).expect("JSON serialises")
    )
}
