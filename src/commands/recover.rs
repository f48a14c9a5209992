//! `driftdrill recover`: finish every revert the journal says is outstanding, settle what can
//! never be reverted, or list what is outstanding.

use std::path::{Path, PathBuf};

use comfy_table::{ContentArrangement, Table, presets};

use crate::exit_codes;
use crate::formats::{self, DrillConfig};
use crate::run::recover::{self, RecoveryRecord};
use crate::run::runner;

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

fn load_config(config: Option<&Path>) -> Result<DrillConfig, i32> {
    let loaded = formats::load::load_config(config).map_err(|e| {
        crate::cli::print_error(&e);
        exit_codes::INVALID_INPUT
    })?;
    if !loaded.is_valid() {
        eprint!(
            "{}",
            crate::diag::render::text_all(&loaded.sources, &loaded.diagnostics)
        );
        return Err(exit_codes::INVALID_INPUT);
    }
    loaded.config.ok_or_else(|| {
        eprintln!(
            "error: failed to recover without a drill config: pass --config (it says how to reach AWS and where the journal is)"
        );
        exit_codes::INVALID_INPUT
    })
}

/// Who is deciding: the login name, as the environment tells it.
fn operator() -> String {
    ["USER", "LOGNAME"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
        .unwrap_or_else(|| "unknown".into())
}

pub async fn run(opts: RecoverOptions) -> i32 {
    let config = match load_config(opts.config.as_deref()) {
        Ok(c) => c,
        Err(code) => return code,
    };
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

fn list(config: &DrillConfig, path: &Path) -> i32 {
    let open = match recover::list(path) {
        Ok(o) => o,
        Err(e) => {
            crate::cli::print_error(&e);
            return exit_codes::TOOL_ERROR;
        }
    };
    if open.is_empty() {
        println!("nothing unsettled in {}", path.display());
        return exit_codes::OK;
    }
    let mut t = table(&[
        "drill",
        "action",
        "target",
        "account / region",
        "since",
        "last error",
    ]);
    for u in &open {
        t.add_row(vec![
            u.drill.clone(),
            u.action.clone(),
            u.target.to_string(),
            format!(
                "{} / {}",
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
    exit_codes::OK
}

fn forget(path: &Path, drill: &str, reason: &str, out: &Path) -> i32 {
    if reason.trim().is_empty() {
        eprintln!(
            "error: failed to forget {drill}: --reason is empty; say why it can never be reverted"
        );
        return exit_codes::INVALID_INPUT;
    }
    let settled = match recover::forget(path, drill, &operator(), reason) {
        Ok(s) => s,
        Err(e @ recover::RecoverError::NoSuchDrill { .. }) => {
            crate::cli::print_error(&e);
            return exit_codes::INVALID_INPUT;
        }
        Err(e) => {
            crate::cli::print_error(&e);
            return exit_codes::TOOL_ERROR;
        }
    };
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
fn write_record(journal: &Path, settled: Vec<recover::SettledChange>, out: &Path) -> i32 {
    if settled.is_empty() {
        return exit_codes::OK;
    }
    match RecoveryRecord::new(journal, settled).write(out) {
        Ok(p) => {
            eprintln!("recovery record: {}", p.display());
            exit_codes::OK
        }
        Err(source) => {
            crate::cli::print_error(&recover::RecoverError::Record {
                dir: out.to_path_buf(),
                source,
            });
            exit_codes::TOOL_ERROR
        }
    }
}

async fn recover_all(config: &DrillConfig, path: &Path, out: &Path) -> i32 {
    let aws = runner::clients_for(config).await;
    let (results, settled) = match recover::recover(&aws, path).await {
        Ok(r) => r,
        Err(e) => {
            crate::cli::print_error(&e);
            return exit_codes::TOOL_ERROR;
        }
    };
    if results.is_empty() {
        println!(
            "nothing to recover: every change in {} is verified as reverted or settled",
            path.display()
        );
        return exit_codes::OK;
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
    let recorded = write_record(path, settled, out);
    if results.iter().all(|r| r.is_done()) {
        recorded
    } else {
        exit_codes::REVERT_FAILED
    }
}
