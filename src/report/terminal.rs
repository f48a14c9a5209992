//! The report as terminal tables (comfy-table).

use comfy_table::{ContentArrangement, Table, presets};

use super::model::{Report, human_or_dash, pct, polls_text};

fn table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_style(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header.to_vec());
    t
}

pub fn render(r: &Report) -> String {
    let mut out = format!(
        "Drift detection coverage, {}: {} run(s), {} drill(s), overall {} within SLA\n\n",
        r.period,
        r.runs,
        r.drills,
        pct(r.overall_coverage_pct)
    );
    let mut d = table(&[
        "detector / channel",
        "kind",
        "expected",
        "within SLA",
        "late",
        "missed",
        "errors",
        "inconclusive",
        "coverage",
        "p50",
        "p95",
        "max",
    ]);
    for s in &r.detectors {
        let t = &s.tally;
        d.add_row(vec![
            s.name.clone(),
            s.role.label().into(),
            t.expected.to_string(),
            t.within_sla.to_string(),
            t.late.to_string(),
            t.missed.to_string(),
            t.errors.to_string(),
            t.inconclusive.to_string(),
            pct(s.coverage_pct),
            human_or_dash(s.mttd.p50_secs),
            human_or_dash(s.mttd.p95_secs),
            human_or_dash(s.mttd.max_secs),
        ]);
    }
    out.push_str(&format!("{d}\n\n"));
    if !r.categories.is_empty() {
        let mut c = table(&[
            "category",
            "detections",
            "p50",
            "p95",
            "max",
            "widest bracket",
        ]);
        for (name, s) in &r.categories {
            c.add_row(vec![
                name.clone(),
                s.count.to_string(),
                human_or_dash(s.p50_secs),
                human_or_dash(s.p95_secs),
                human_or_dash(s.max_secs),
                human_or_dash(s.max_uncertainty_secs),
            ]);
        }
        out.push_str(&format!("Time to detect by category (detectors)\n{c}\n\n"));
    }
    if !r.clear.is_empty() {
        let mut c = table(&[
            "detector",
            "measured",
            "not cleared in time",
            "p50",
            "p95",
            "max",
            "widest bracket",
        ]);
        for (name, s) in &r.clear {
            c.add_row(vec![
                name.clone(),
                s.measured.to_string(),
                s.not_cleared.to_string(),
                human_or_dash(s.cleared.p50_secs),
                human_or_dash(s.cleared.p95_secs),
                human_or_dash(s.cleared.max_secs),
                human_or_dash(s.cleared.max_uncertainty_secs),
            ]);
        }
        out.push_str(&format!("Time to clear after verified reverts\n{c}\n\n"));
    }
    let names: Vec<String> = r.detectors.iter().map(|d| d.name.clone()).collect();
    let mut header = vec!["category", "action"];
    header.extend(names.iter().map(String::as_str));
    let mut m = table(&header);
    for row in &r.matrix {
        let mut cells = vec![row.category.clone(), row.action.clone()];
        for n in &names {
            cells.push(row.cells[n].text());
        }
        m.add_row(cells);
    }
    out.push_str(&format!("Coverage matrix\n{m}\n"));
    if !r.gaps.is_empty() {
        let mut g = table(&["scenario", "detector", "result", "next step"]);
        for gap in &r.gaps {
            g.add_row(vec![
                gap.scenario.clone(),
                gap.detector.clone(),
                gap.result.clone(),
                gap.suggestion.clone(),
            ]);
        }
        out.push_str(&format!(
            "\nMisses and late detections ({})\n{g}\n",
            r.gaps.len()
        ));
    }
    if !r.suppressions.is_empty() {
        let mut t = table(&[
            "scenario",
            "must stay silent",
            "result",
            "window",
            "polls",
            "evidence",
        ]);
        for s in &r.suppressions {
            t.add_row(vec![
                s.scenario.clone(),
                s.detector.clone(),
                s.outcome.label().to_string(),
                super::text::window_text(s.window_secs, s.stretched_secs),
                polls_text(s.polls, s.errors),
                s.evidence
                    .clone()
                    .unwrap_or_default()
                    .chars()
                    .take(120)
                    .collect(),
            ]);
        }
        out.push_str(&format!("\nSuppressions (expected negatives)\n{t}\n"));
    }
    for section in super::spread::tables(r) {
        let mut t = table(section.header);
        for row in section.rows {
            t.add_row(row);
        }
        out.push_str(&format!("\n{}\n{t}\n", section.title));
    }
    if !r.health.is_empty() {
        let mut t = table(&[
            "detector / channel",
            "type",
            "polls",
            "failed",
            "poll p50",
            "poll max",
            "interval",
            "alerts",
            "finding",
        ]);
        for h in &r.health {
            t.add_row(vec![
                h.name.clone(),
                h.kind.clone(),
                h.polls.to_string(),
                h.failed_text(),
                human_or_dash(h.p50_poll_secs),
                human_or_dash(h.max_poll_secs),
                human_or_dash(h.interval_secs),
                h.alerts.to_string(),
                h.finding.clone().unwrap_or_else(|| "healthy".into()),
            ]);
        }
        out.push_str(&format!("\nDetector health\n{t}\n"));
    }
    out.push_str(&format!(
        "\nFalse alarms: {}   Skipped drills: {}   Reverts: {} verified, {} with conflicts, {} failed\n",
        r.false_alarms.len(),
        r.skips.len(),
        r.reverts.verified,
        r.reverts.conflicts,
        r.reverts.failed
    ));
    if r.targets_gone() > 0 {
        out.push_str(&format!(
            "Settled by recover because the target was gone: {}\n",
            r.targets_gone()
        ));
    }
    for f in r.forgotten() {
        out.push_str(&format!(
            "UNRESOLVED DRIFT: {} ({} on {}) forgotten by {} at {}: {}\n",
            f.drill,
            f.action,
            f.target,
            f.by.as_deref().unwrap_or("unknown"),
            f.at.format("%Y-%m-%d"),
            f.reason.as_deref().unwrap_or("")
        ));
    }
    if let Some(t) = &r.trend {
        out.push_str(&format!(
            "Trend: {} in {} → {} now",
            pct(t.overall_coverage_pct),
            t.period,
            pct(r.overall_coverage_pct)
        ));
        if !t.new_gaps.is_empty() {
            out.push_str(&format!("; new gaps: {}", t.new_gaps.join(", ")));
        }
        if !t.fixed_gaps.is_empty() {
            out.push_str(&format!("; fixed: {}", t.fixed_gaps.join(", ")));
        }
        out.push('\n');
    }
    out
}
