//! The report as Markdown for a GitHub job summary: kept under 1 MiB, long lists truncated
//! with a count.

use super::model::{Report, human_or_dash, pct, polls_text};
use crate::record::Outcome;

/// GitHub rejects job summaries over 1 MiB.
pub const LIMIT: usize = 1024 * 1024;
const MAX_ROWS: usize = 200;

fn esc(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

pub fn render(r: &Report) -> String {
    let mut out = format!("# Drift detection coverage — {}\n\n", r.period);
    out.push_str(&format!(
        "**{} within SLA** over {} run(s) and {} drill(s){}.\n\n",
        pct(r.overall_coverage_pct),
        r.runs,
        r.drills,
        if r.accounts.is_empty() {
            String::new()
        } else {
            format!(" in account(s) {}", r.accounts.join(", "))
        }
    ));
    if let Some(t) = &r.trend {
        let delta = match (t.overall_coverage_pct, r.overall_coverage_pct) {
            (Some(a), Some(b)) => format!(" ({:+.1} points)", b - a),
            _ => String::new(),
        };
        out.push_str(&format!(
            "Previous period {}: {}{delta}.\n\n",
            t.period,
            pct(t.overall_coverage_pct)
        ));
    }
    out.push_str("## Detectors and channels\n\n| name | kind | expected | within SLA | late | missed | errors | inconclusive | coverage | p50 | p95 | max |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for d in &r.detectors {
        let t = &d.tally;
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            esc(&d.name),
            d.role.label(),
            t.expected,
            t.within_sla,
            t.late,
            t.missed,
            t.errors,
            t.inconclusive,
            pct(d.coverage_pct),
            human_or_dash(d.mttd.p50_secs),
            human_or_dash(d.mttd.p95_secs),
            human_or_dash(d.mttd.max_secs)
        ));
    }
    if !r.categories.is_empty() {
        out.push_str("\n## Time to detect by category (detectors)\n\n| category | detections | p50 | p95 | max | widest bracket |\n|---|---:|---:|---:|---:|---:|\n");
        for (name, s) in &r.categories {
            out.push_str(&format!(
                "| {name} | {} | {} | {} | {} | {} |\n",
                s.count,
                human_or_dash(s.p50_secs),
                human_or_dash(s.p95_secs),
                human_or_dash(s.max_secs),
                human_or_dash(s.max_uncertainty_secs)
            ));
        }
    }
    if !r.clear.is_empty() {
        out.push_str("\n## Time to clear after verified reverts\n\n| detector | measured | not cleared in time | p50 | p95 | max | widest bracket |\n|---|---:|---:|---:|---:|---:|---:|\n");
        for (name, s) in &r.clear {
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} | {} |\n",
                esc(name),
                s.measured,
                s.not_cleared,
                human_or_dash(s.cleared.p50_secs),
                human_or_dash(s.cleared.p95_secs),
                human_or_dash(s.cleared.max_secs),
                human_or_dash(s.cleared.max_uncertainty_secs)
            ));
        }
    }
    let names: Vec<&str> = r.detectors.iter().map(|d| d.name.as_str()).collect();
    out.push_str(&format!(
        "\n## Coverage matrix\n\n| category | action | {} |\n|---|---|{}\n",
        names.join(" | "),
        "---|".repeat(names.len())
    ));
    for row in &r.matrix {
        let cells: Vec<String> = names
            .iter()
            .map(|n| {
                let c = &row.cells[*n];
                let icon = match c.status.as_str() {
                    "caught" => "✅",
                    "late" => "⚠️",
                    "missed" => "❌",
                    "error" => "💥",
                    "inconclusive" => "⏳",
                    _ => "·",
                };
                format!("{icon} {}", c.text())
            })
            .collect();
        out.push_str(&format!(
            "| {} | `{}` | {} |\n",
            row.category,
            row.action,
            cells.join(" | ")
        ));
    }
    if !r.gaps.is_empty() {
        out.push_str("\n## Misses and late detections\n\n| scenario | detector | result | next step |\n|---|---|---|---|\n");
        for g in r.gaps.iter().take(MAX_ROWS) {
            out.push_str(&format!(
                "| {} | {} | {} | {} |\n",
                g.scenario,
                g.detector,
                esc(&g.result),
                esc(&g.suggestion)
            ));
        }
        if r.gaps.len() > MAX_ROWS {
            out.push_str(&format!("\n…and {} more.\n", r.gaps.len() - MAX_ROWS));
        }
    }
    if !r.suppressions.is_empty() {
        out.push_str("\n## Suppressions (expected negatives)\n\n| scenario | must stay silent | result | window | polls | evidence |\n|---|---|---|---:|---:|---|\n");
        for s in r.suppressions.iter().take(MAX_ROWS) {
            let icon = match s.outcome {
                Outcome::Suppressed => "✅",
                Outcome::Leaked => "❌",
                Outcome::Inconclusive => "⏳",
                _ => "💥",
            };
            out.push_str(&format!(
                "| {} | {} | {icon} {} | {} | {} | {} |\n",
                s.scenario,
                esc(&s.detector),
                s.outcome.label(),
                super::text::window_text(s.window_secs, s.stretched_secs),
                polls_text(s.polls, s.errors),
                esc(&s
                    .evidence
                    .clone()
                    .unwrap_or_default()
                    .chars()
                    .take(200)
                    .collect::<String>())
            ));
        }
    }
    for t in super::spread::tables(r) {
        out.push_str(&format!(
            "\n## {}\n\n| {} |\n|{}\n",
            t.title,
            t.header.join(" | "),
            "---|".repeat(t.header.len())
        ));
        for row in &t.rows {
            let cells: Vec<String> = row.iter().map(|c| esc(c)).collect();
            out.push_str(&format!("| {} |\n", cells.join(" | ")));
        }
    }
    if !r.health.is_empty() {
        out.push_str("\n## Detector health\n\n| name | type | polls | failed | poll p50 | poll max | interval | alerts | finding |\n|---|---|---:|---:|---:|---:|---:|---:|---|\n");
        for h in &r.health {
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
                esc(&h.name),
                h.kind,
                h.polls,
                h.failed_text(),
                human_or_dash(h.p50_poll_secs),
                human_or_dash(h.max_poll_secs),
                human_or_dash(h.interval_secs),
                h.alerts,
                esc(h.finding.as_deref().unwrap_or("healthy"))
            ));
        }
    }
    out.push_str(&format!(
        "\n## Housekeeping\n\n- False alarms: {}\n- Skipped drills: {}\n- Reverts: {} verified, {} with conflicts, {} failed\n",
        r.false_alarms.len(),
        r.skips.len(),
        r.reverts.verified,
        r.reverts.conflicts,
        r.reverts.failed
    ));
    if r.targets_gone() > 0 {
        out.push_str(&format!(
            "- Settled by `recover` because the target was gone: {}\n",
            r.targets_gone()
        ));
    }
    for f in r.forgotten() {
        out.push_str(&format!(
            "- **Unresolved drift**: {} (`{}` on {}) forgotten by {} at {}: {}\n",
            esc(&f.drill),
            f.action,
            esc(&f.target.to_string()),
            esc(f.by.as_deref().unwrap_or("unknown")),
            f.at.format("%Y-%m-%d"),
            esc(f.reason.as_deref().unwrap_or(""))
        ));
    }
    for s in r.skips.iter().take(MAX_ROWS) {
        out.push_str(&format!(
            "  - {} ({}): {}\n",
            s.scenario,
            s.status.label(),
            esc(s.detail.as_deref().unwrap_or(""))
        ));
    }
    if let Some(t) = &r.trend {
        if !t.new_gaps.is_empty() {
            out.push_str(&format!(
                "- New gaps since {}: {}\n",
                t.period,
                t.new_gaps.join(", ")
            ));
        }
        if !t.fixed_gaps.is_empty() {
            out.push_str(&format!(
                "- Fixed since {}: {}\n",
                t.period,
                t.fixed_gaps.join(", ")
            ));
        }
    }
    if out.len() > LIMIT {
        let mut cut = LIMIT - 100;
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out.truncate(cut);
        out.push_str("\n\n…truncated to stay under GitHub's 1 MiB summary limit.\n");
    }
    out
}
