//! `driftdrill recover`: finish every revert the journal says is outstanding, settle what can
//! never be reverted, or list what is outstanding.

use std::path::{Path, PathBuf};

use comfy_table::{ContentArrangement, Table, presets};

use crate::errors::{CommandResult, Failure};
use crate::exit_codes;
use crate::formats::{self, DrillConfig};
use crate::run::recover::{self, RecoveryRecord};

#[derive(Debug, Clone)]
pub enum What {
    /// Revert, verify, settle what is gone.
    Recover,
    /// Show what is unsettled; touch nothing.
    List,
    /// Journal an operator's decision that a change can never be reverted.
    Forget { drill: String, reason: String },
}

#[derive(Debug, Clone)]
pub struct RecoverOptions {
    pub config: Option<PathBuf>,
    pub journal: Option<PathBuf>,
    pub out: PathBuf,
    pub what: What,
}

fn table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_style(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header.to_vec());
    t
}

/// Why `recover` could not start (its work's own failures are `recover::RecoverError`).
#[derive(Debug, thiserror::Error)]
pub(crate) enum RecoverInputError {
    #[error(transparent)]
    Load(#[from] formats::load::LoadError),
    #[error("recover: the drill config above is invalid")]
    Invalid,
    #[error(
        "recover without a drill config: pass --config (it says how to reach AWS and where the journal is)"
    )]
    NoConfig,
    #[error("forget {drill}: --reason is empty; say why it can never be reverted")]
    EmptyReason { drill: String },
}

fn invalid(e: impl Into<RecoverInputError>) -> Failure {
    Failure::new(exit_codes::INVALID_INPUT, e.into())
}

fn load_config(config: Option<&Path>) -> Result<DrillConfig, Failure> {
    let loaded = formats::load::load_config(config, &crate::catalogs::all()).map_err(invalid)?;
    if !loaded.is_valid() {
        return Err(invalid(RecoverInputError::Invalid).with_diagnostics(
            crate::diag::render::text_all(&loaded.sources, &loaded.diagnostics),
        ));
    }
    loaded
        .config
        .ok_or_else(|| invalid(RecoverInputError::NoConfig))
}

fn tool(e: recover::RecoverError) -> Failure {
    Failure::new(exit_codes::TOOL_ERROR, e)
}

/// Who is deciding: the login name, as the environment tells it.
fn operator() -> String {
    ["USER", "LOGNAME"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
        .unwrap_or_else(|| "unknown".into())
}

pub async fn run(opts: RecoverOptions) -> CommandResult {
    let config = load_config(opts.config.as_deref())?;
    let path = opts
        .journal
        .clone()
        .unwrap_or_else(|| config.resolve(&config.safety.journal));
    match &opts.what {
        What::List => list(&config, &path),
        What::Forget { drill, reason } => forget(&path, drill, reason, &opts.out),
        What::Recover => recover_all(&config, &path, &opts.out).await,
    }
}

fn list(config: &DrillConfig, path: &Path) -> CommandResult {
    let (open, torn) = recover::list(path).map_err(tool)?;
    for t in &torn {
        eprintln!("warning: the journal {}: {t}", path.display());
    }
    if open.is_empty() {
        println!("nothing unsettled in {}", path.display());
        return Ok(exit_codes::OK);
    }
    let mut t = table(&[
        "drill",
        "action",
        "target",
        "environment / account / region",
        "since",
        "last error",
    ]);
    for u in &open {
        t.add_row(vec![
            u.drill.clone(),
            u.action.clone(),
            u.target.to_string(),
            format!(
                "{} / {} / {}",
                u.environment.as_deref().unwrap_or("-"),
                u.account.as_deref().unwrap_or("?"),
                u.region
                    .as_deref()
                    .or(config.aws.region.as_deref())
                    .unwrap_or("?")
            ),
            u.intent_at.format("%Y-%m-%d %H:%M:%SZ").to_string(),
            u.last_error.clone().unwrap_or_else(|| "-".into()),
        ]);
    }
    println!("{t}");
    println!(
        "{} unsettled change(s) in {}: `driftdrill recover` reverts them; `--forget DRILL --reason ...` settles one that can never be reverted",
        open.len(),
        path.display()
    );
    Ok(exit_codes::OK)
}

fn forget(path: &Path, drill: &str, reason: &str, out: &Path) -> CommandResult {
    if reason.trim().is_empty() {
        return Err(invalid(RecoverInputError::EmptyReason {
            drill: drill.to_string(),
        }));
    }
    let settled = recover::forget(path, drill, &operator(), reason).map_err(|e| match e {
        recover::RecoverError::NoSuchDrill { .. } => Failure::new(exit_codes::INVALID_INPUT, e),
        e => tool(e),
    })?;
    println!(
        "forgotten: {} ({} on {}), by {} at {}: {reason}",
        settled.drill,
        settled.action,
        settled.target,
        settled.by.as_deref().unwrap_or("unknown"),
        settled.at.format("%Y-%m-%d %H:%M:%SZ")
    );
    println!(
        "warning: {}. Check {} by hand; the report lists it as unresolved drift.",
        settled.evidence, settled.target
    );
    write_record(path, vec![settled], out)
}

/// Writes what was settled beside the run records, so the report never loses it.
fn write_record(journal: &Path, settled: Vec<recover::SettledChange>, out: &Path) -> CommandResult {
    if settled.is_empty() {
        return Ok(exit_codes::OK);
    }
    let p = RecoveryRecord::new(journal, settled)
        .write(out)
        .map_err(|source| {
            tool(recover::RecoverError::Record {
                dir: out.to_path_buf(),
                source,
            })
        })?;
    eprintln!("recovery record: {}", p.display());
    Ok(exit_codes::OK)
}

async fn recover_all(config: &DrillConfig, path: &Path, out: &Path) -> CommandResult {
    let (results, settled) = recover::recover(config, path).await.map_err(tool)?;
    if results.is_empty() {
        println!(
            "nothing to recover: every change in {} is verified as reverted or settled",
            path.display()
        );
        return Ok(exit_codes::OK);
    }
    let mut t = table(&["drill", "action", "target", "result"]);
    for r in &results {
        let result = match (&r.settled, &r.kind, &r.error) {
            (Some((how, evidence)), _, _) => format!("{}: {evidence}", how.label()),
            (None, _, Some(e)) => format!("FAILED: {e}"),
            (None, Some(k), None) if r.verified => format!("{} ✓", k.label()),
            (None, Some(k), None) => format!("{}, not verified", k.label()),
            (None, None, None) => "-".into(),
        };
        t.add_row(vec![
            r.drill.clone(),
            r.action.clone(),
            r.target.clone(),
            result,
        ]);
    }
    println!("{t}");
    let done = results.iter().all(|r| r.is_done());
    let severity = |code| match done {
        true => code,
        false => exit_codes::most_severe([code, exit_codes::REVERT_FAILED]),
    };
    match write_record(path, settled, out) {
        Ok(code) => Ok(severity(code)),
        Err(mut f) => {
            f.code = severity(f.code);
            Err(f)
        }
    }
}
