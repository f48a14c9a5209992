//! `driftdrill recover`: finish every revert the journal says is outstanding.

use std::path::PathBuf;

use comfy_table::{ContentArrangement, Table, presets};

use crate::exit_codes;
use crate::formats;
use crate::run::{recover, runner};

pub async fn run(config: Option<PathBuf>, journal: Option<PathBuf>) -> i32 {
    let loaded = match formats::load(config.as_deref(), &[]) {
        Ok(l) => l,
        Err(e) => {
            crate::cli::print_error(&e);
            return exit_codes::INVALID_INPUT;
        }
    };
    let Some(config) = loaded.config else {
        eprintln!(
            "error: failed to recover without a drill config: pass --config (it says how to reach AWS)"
        );
        return exit_codes::INVALID_INPUT;
    };
    let path = journal.unwrap_or_else(|| config.resolve(&config.safety.journal));
    let aws = runner::clients_for(&config).await;
    let results = match recover::recover(&aws, &path).await {
        Ok(r) => r,
        Err(e) => {
            crate::cli::print_error(&e);
            return exit_codes::TOOL_ERROR;
        }
    };
    if results.is_empty() {
        println!(
            "nothing to recover: every change in {} is verified as reverted",
            path.display()
        );
        return exit_codes::OK;
    }
    let mut t = Table::new();
    t.load_style(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic);
    t.set_header(vec!["drill", "action", "target", "revert", "verified"]);
    for r in &results {
        let revert = match (&r.kind, &r.error) {
            (_, Some(e)) => format!("FAILED: {e}"),
            (Some(k), None) => format!("{k:?}").to_lowercase(),
            (None, None) => "-".into(),
        };
        t.add_row(vec![
            r.drill.clone(),
            r.action.clone(),
            r.target.clone(),
            revert,
            if r.verified {
                "yes".into()
            } else {
                "NO".into()
            },
        ]);
    }
    println!("{t}");
    if results.iter().all(|r| r.verified) {
        exit_codes::OK
    } else {
        exit_codes::REVERT_FAILED
    }
}
