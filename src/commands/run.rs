//! `driftdrill run`: the drills, a summary table, the run record, the exit code.

use comfy_table::{ContentArrangement, Table, presets};

use crate::errors::{CommandResult, Failure};
use crate::record::{DrillRecord, ExpectationRecord, RemediationRecord, RunRecord};
use crate::run::runner::{self, RunError, RunOptions};

pub(crate) async fn run_command(opts: RunOptions) -> CommandResult {
    eprint!(
        "{}",
        super::validate::warnings_text(opts.config.as_deref(), &opts.paths)
    );
    let (record, path, failed_uploads) = runner::run_drills(&opts).await.map_err(failure)?;
    println!("{}", summary(&record));
    println!("run record: {}", path.display());
    if failed_uploads.is_empty() {
        return Ok(record.exit_code);
    }
    // The drills are done and the record is safe locally: say what did not reach S3, and fail
    // the job so a merge step never reports without it.
    for e in &failed_uploads {
        eprintln!(
            "error: failed to {} (the record is kept at {})",
            crate::errors::chain(e),
            path.display()
        );
    }
    Ok(crate::exit_codes::most_severe([
        record.exit_code,
        crate::exit_codes::TOOL_ERROR,
    ]))
}

/// A run that could not start, with the invalid files' diagnostics shown first.
pub fn failure(mut e: RunError) -> Failure {
    let diagnostics = match &mut e {
        RunError::Invalid(text) => Some(std::mem::take(text)),
        _ => None,
    };
    let failure = Failure::new(e.exit_code(), e);
    match diagnostics {
        Some(text) => failure.with_diagnostics(text),
        None => failure,
    }
}

fn revert_text(d: &DrillRecord) -> String {
    match &d.revert {
        None => "-".into(),
        Some(r) if r.verified => {
            format!(
                "{} ✓",
                r.kind.expect("verified reverts have a kind").label()
            )
        }
        Some(r) => format!("FAILED: {}", r.error.as_deref().unwrap_or("not verified")),
    }
}

/// The final table: one row per scenario × expectation.
/// One expectation's row: detector, outcome, time to detect with its SLA, revert, time to clear.
fn expectation_row(
    d: &DrillRecord,
    e: &ExpectationRecord,
    target: &str,
    clears: bool,
) -> Vec<String> {
    let mttd = match (e.mttd_secs, e.bracket_secs) {
        (Some(_), Some((lo, hi))) => format!("{lo:.1}–{hi:.1}s ({}s)", e.sla_secs),
        (Some(m), None) => format!("{m:.1}s ({}s)", e.sla_secs),
        _ => format!("- ({}s)", e.sla_secs),
    };
    let mut row = vec![
        d.label(),
        target.to_string(),
        if e.silent {
            format!("{} (must stay silent)", e.detector)
        } else {
            e.detector.clone()
        },
        e.result_text(),
        mttd,
        revert_text(d),
    ];
    if clears {
        row.push(match &e.clear {
            None => "-".into(),
            Some(c) => match c.bracket_secs {
                Some((lo, hi)) if c.cleared => format!("{lo:.1}–{hi:.1}s"),
                _ => format!("not within {}s", c.clear_within_secs),
            },
        });
    }
    row
}

/// The remediation's row: who undid the change, the result, time to remediate with its SLA.
fn remediation_row(d: &DrillRecord, m: &RemediationRecord, target: &str) -> Vec<String> {
    let by = if m.expected() {
        format!("remediated by {}", m.remediators.join(", "))
    } else {
        "remediation (not expected)".to_string()
    };
    let sla = m.sla_secs.map_or(String::new(), |s| format!(" ({s}s)"));
    let time = match m.bracket_secs {
        Some((lo, hi)) => format!("{lo:.1}–{hi:.1}s{sla}"),
        None => format!("-{sla}"),
    };
    let result = match &m.difference {
        Some(how) => format!("{}: {how}", m.result_text()),
        None => m.result_text(),
    };
    vec![
        d.label(),
        target.to_string(),
        by,
        result,
        time,
        revert_text(d),
    ]
}

pub fn summary(record: &RunRecord) -> Table {
    let mut t = Table::new();
    t.load_style(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic);
    let clears = record
        .drills
        .iter()
        .flat_map(|d| &d.expectations)
        .any(|e| e.clear.is_some());
    let mut header = vec![
        "scenario",
        "target",
        "detector",
        "outcome",
        "MTTD (SLA)",
        "revert",
    ];
    if clears {
        header.push("time to clear");
    }
    t.set_header(header);
    for d in &record.drills {
        let target = d.target.as_ref().map_or("-".to_string(), |t| t.id.clone());
        if d.confirmed_at.is_none() || (d.expectations.is_empty() && d.remediation.is_none()) {
            let status = d.status.label();
            let detail = crate::report::model::one_line(d.detail.as_deref().unwrap_or_default());
            t.add_row(vec![
                d.label(),
                target,
                "-".into(),
                if detail.is_empty() {
                    status.to_string()
                } else {
                    format!("{status}: {detail}")
                },
                "-".into(),
                revert_text(d),
            ]);
            continue;
        }
        for e in &d.expectations {
            t.add_row(expectation_row(d, e, &target, clears));
        }
        if let Some(m) = &d.remediation {
            let mut row = remediation_row(d, m, &target);
            if clears {
                row.push("-".into());
            }
            t.add_row(row);
        }
    }
    t
}
