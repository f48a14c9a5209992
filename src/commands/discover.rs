//! `driftdrill discover`: runs the selected scenarios as real drills that watch every detector
//! and channel, then prints what each one saw (a drift kind × detector matrix) and the `[expect]`
//! block each scenario could hold; `--write` puts the proposals into the scenario files,
//! keeping their comments and layout.

use std::path::{Path, PathBuf};

use comfy_table::{ContentArrangement, Table, presets};

use crate::errors::{CommandResult, Failure};
use crate::exit_codes;
use crate::formats::Scenario;
use crate::record::RunRecord;
use crate::run::discovery::{self, Proposal};
use crate::run::runner::{self, RunOptions};

/// `discover`'s options: a run's, and whether to write the proposals.
#[derive(Debug, Clone, Default)]
pub struct DiscoverOptions {
    pub run: RunOptions,
    pub write: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum DiscoverError {
    #[error("edit {path}")]
    Edit {
        path: PathBuf,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

pub(crate) async fn run(opts: DiscoverOptions) -> CommandResult {
    let (config, scenarios) = runner::load(&opts.run).map_err(super::run::failure)?;
    let asked = opts.run.discovery.and_then(|d| d.window);
    let window = discovery::window(&config, asked);
    if asked.is_some_and(|a| a > window) {
        eprintln!(
            "note: watching for {} only: no change may outlive safety.max_drift_lifetime",
            humantime::format_duration(window)
        );
    }
    let (record, path, _) = runner::run_drills(&opts.run)
        .await
        .map_err(super::run::failure)?;
    let proposals = discovery::proposals(&record);
    println!("{}", matrix(&record, &proposals));
    for p in &proposals {
        println!("\n# {}\n{}", p.scenario, block(p));
    }
    println!(
        "\ndiscovery record: {} (never counted as coverage)",
        path.display()
    );
    if opts.write {
        for p in &proposals {
            let Some(s) = scenarios.iter().find(|s| s.id.value == p.scenario) else {
                continue;
            };
            match write(s, p, &config.path) {
                Ok(true) => println!("wrote the proposal into {}", s.file.display()),
                Ok(false) => println!("left {} as it was: nothing caught it", s.file.display()),
                Err(e) => {
                    return Err(Failure::new(exit_codes::TOOL_ERROR, e));
                }
            }
        }
    }
    Ok(record.exit_code)
}

/// Drift kind (the action) × detector: when each one saw it, or why it did not.
fn matrix(record: &RunRecord, proposals: &[Proposal]) -> Table {
    let names: Vec<&str> = record
        .detector_health
        .iter()
        .map(|h| h.name.as_str())
        .collect();
    let mut t = Table::new();
    t.load_style(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic);
    let mut header = vec!["scenario", "drift kind"];
    header.extend(&names);
    t.set_header(header);
    for p in proposals {
        let mut row = vec![p.scenario.clone(), p.action.clone()];
        for name in &names {
            row.push(cell(p, name));
        }
        t.add_row(row);
    }
    t
}

fn cell(p: &Proposal, name: &str) -> String {
    if let Some(why) = &p.skipped {
        return format!("not drilled ({why})");
    }
    if let Some(c) = p.caught.iter().find(|c| c.name == name) {
        return format!("seen ≤ {:.1}s", c.seen_secs);
    }
    if p.silent.iter().any(|s| s == name) {
        return "not seen".into();
    }
    match p.unanswered.iter().find(|(n, _)| n == name) {
        Some((_, why)) => format!("no answer: {}", crate::report::model::one_line(why)),
        None => "-".into(),
    }
}

/// The proposed `[expect]` block as TOML text, with the silent and unanswered ones commented.
pub fn block(p: &Proposal) -> String {
    if let Some(why) = &p.skipped {
        return format!("# not drilled: {why}\n");
    }
    let mut out = String::new();
    if p.caught.is_empty() {
        out.push_str("# nothing caught this drift: no [expect] to propose\n");
    } else {
        out.push_str("[expect]\n");
        out.push_str(&format!("detectors = {}\n", names(&p.caught)));
        let slas: Vec<String> = p
            .caught
            .iter()
            .map(|c| format!("{} = \"{}\"", key(&c.name), show(c)))
            .collect();
        out.push_str(&format!("sla = {{ {} }}\n", slas.join(", ")));
    }
    out.push_str(&notes(p));
    out
}

/// How every comment line `discover` writes begins (a later `--write` replaces them).
const NOTE: &str = "# discover:";

/// The comment lines for a person to confirm: who stayed silent, who could not answer.
fn notes(p: &Proposal) -> String {
    let mut out = String::new();
    if !p.silent.is_empty() {
        let quoted: Vec<String> = p.silent.iter().map(|s| format!("{s:?}")).collect();
        out.push_str(&format!(
            "{NOTE} stayed silent over complete, healthy polls; if they must, confirm:\n{NOTE} silent = [{}]\n",
            quoted.join(", ")
        ));
    }
    for (name, why) in &p.unanswered {
        out.push_str(&format!(
            "{NOTE} {name} could not be judged: {}\n",
            crate::report::model::one_line(why)
        ));
    }
    out
}

fn names(caught: &[discovery::Caught]) -> String {
    let quoted: Vec<String> = caught.iter().map(|c| format!("{:?}", c.name)).collect();
    format!("[{}]", quoted.join(", "))
}

/// A bare TOML key when the name allows one, a quoted key otherwise.
fn key(name: &str) -> String {
    let bare = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if bare {
        name.to_string()
    } else {
        format!("{name:?}")
    }
}

fn show(c: &discovery::Caught) -> String {
    humantime::format_duration(c.sla).to_string()
}

/// Puts a proposal into the scenario's file: `detectors` becomes the caught names, each one's
/// SLA goes into `sla`, and the notes become comments above `detectors`; every other key,
/// comment and the layout stay. `Ok(false)` when nothing caught the drift (the file stays as
/// it was). The edit is written beside the file and renamed over it, and only when the new
/// file still validates against the config.
pub fn write(s: &Scenario, p: &Proposal, config: &Path) -> Result<bool, DiscoverError> {
    if p.caught.is_empty() || p.skipped.is_some() {
        return Ok(false);
    }
    let fail = |source: Box<dyn std::error::Error + Send + Sync>| DiscoverError::Edit {
        path: s.file.clone(),
        source,
    };
    let text = std::fs::read_to_string(&s.file).map_err(|e| fail(e.into()))?;
    let edited = edit(&text, s, p).map_err(fail)?;
    replace_if_valid(&s.file, &edited, config).map_err(fail)?;
    Ok(true)
}

/// The file's text with the proposal in its `[expect]` table.
pub fn edit(
    text: &str,
    s: &Scenario,
    p: &Proposal,
) -> Result<String, Box<dyn std::error::Error + Send + Sync>> {
    let mut doc: toml_edit::DocumentMut = text.parse()?;
    let expect = doc
        .get_mut("expect")
        .and_then(|e| e.as_table_like_mut())
        .ok_or("the scenario has no [expect] table")?;
    // A name the scenario says must stay silent is never moved into `detectors` by a tool.
    let silent: Vec<&str> = s.expect.silent.iter().map(|n| n.value.as_str()).collect();
    let caught: Vec<&discovery::Caught> = p
        .caught
        .iter()
        .filter(|c| !silent.contains(&c.name.as_str()))
        .collect();
    let detectors: toml_edit::Array = caught.iter().map(|c| c.name.as_str()).collect();
    set_keeping_decor(expect, "detectors", toml_edit::Value::Array(detectors));
    match expect.get_mut("sla").and_then(|t| t.as_table_like_mut()) {
        Some(sla) => {
            for c in &caught {
                set_keeping_decor(sla, &c.name, show(c).into());
            }
        }
        None => {
            let mut sla = toml_edit::InlineTable::new();
            for c in &caught {
                sla.insert(&c.name, show(c).into());
            }
            expect.insert("sla", toml_edit::Item::Value(sla.into()));
        }
    }
    let notes = notes(p);
    if let Some(mut key) = expect.key_mut("detectors") {
        let decor = key.leaf_decor_mut();
        let before = decor.prefix().and_then(|p| p.as_str()).unwrap_or("");
        let kept: String = before
            .split_inclusive('\n')
            .filter(|line| !line.trim_start().starts_with(NOTE))
            .collect();
        decor.set_prefix(format!("{kept}{notes}"));
    }
    Ok(doc.to_string())
}

/// Sets `key` to `value`, keeping the key's comments above it and the old value's surrounding
/// whitespace and end-of-line comment.
fn set_keeping_decor(table: &mut dyn toml_edit::TableLike, key: &str, mut value: toml_edit::Value) {
    match table.get_mut(key) {
        Some(item) => {
            if let Some(old) = item.as_value() {
                *value.decor_mut() = old.decor().clone();
            }
            *item = toml_edit::Item::Value(value);
        }
        None => {
            value.decor_mut().set_prefix(" ");
            table.insert(key, toml_edit::Item::Value(value));
        }
    }
}

/// Writes `text` beside `path`, validates it there against `config`, and renames it over
/// `path`: a crash never leaves half a file and an edit that would not validate is never kept.
fn replace_if_valid(
    path: &Path,
    text: &str,
    config: &Path,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let stem = path.file_stem().unwrap_or_default().to_string_lossy();
    let tmp = path.with_file_name(format!(".{stem}.discover-{}.toml", std::process::id()));
    std::fs::write(&tmp, text)?;
    let checked = crate::formats::load(
        Some(config),
        std::slice::from_ref(&tmp),
        &crate::catalogs::all(),
    );
    let result = match checked {
        Ok(l) if l.is_valid() => std::fs::rename(&tmp, path).map_err(Into::into),
        Ok(l) => Err(format!(
            "the edited file would not validate, so it was left as it was:\n{}",
            crate::diag::render::text_all(&l.sources, &l.diagnostics)
        )
        .into()),
        Err(e) => Err(e.into()),
    };
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests;
