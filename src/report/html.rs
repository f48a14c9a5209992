//! The report as one self-contained HTML file: no external assets, the matrix as a coloured
//! table, and SVG charts (MTTD distribution per detector, coverage per quarter) drawn here.
//! Readable when printed.

use super::model::{Report, human, human_or_dash, pct, polls_text};
use crate::record::Outcome;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const STYLE: &str = "body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem;color:#1a1a1a;max-width:72rem}\
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ccc}\
table{border-collapse:collapse;margin:.5rem 0}th,td{border:1px solid #bbb;padding:.3rem .55rem;text-align:left;font-size:.9rem}\
th{background:#f2f2f2}.caught{background:#c8f0c8}.late{background:#ffe9a8}.missed{background:#ffc4c4}.error{background:#e3c8ff}.inconclusive{background:#e8e8e8}\
.dirty{background:#ddd}.none{color:#888}.num{text-align:right}.big{font-size:2rem;font-weight:600}\
@media print{body{margin:0}h2{break-after:avoid}table,svg{break-inside:avoid}}";

/// Dots for every detection time on a shared axis, with p50/p95 marks, one row per detector.
fn mttd_chart(r: &Report) -> String {
    let rows: Vec<_> = r
        .detectors
        .iter()
        .filter(|d| !d.samples_secs.is_empty())
        .collect();
    if rows.is_empty() {
        return "<p class=\"none\">No detections in this period.</p>".into();
    }
    let max = rows
        .iter()
        .flat_map(|d| d.samples_secs.iter().copied())
        .fold(1.0_f64, f64::max);
    let (left, width, row_h) = (180.0, 520.0, 28.0);
    let height = rows.len() as f64 * row_h + 40.0;
    let x = |s: f64| left + s / max * width;
    let mut svg = format!(
        "<svg role=\"img\" aria-label=\"MTTD per detector\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{height}\" font-size=\"12\">",
        left + width + 40.0
    );
    for (i, d) in rows.iter().enumerate() {
        let y = 20.0 + i as f64 * row_h;
        svg.push_str(&format!("<text x=\"4\" y=\"{}\">{}</text><line x1=\"{left}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" stroke=\"#ccc\"/>", y + 4.0, esc(&d.name), left + width));
        for s in &d.samples_secs {
            svg.push_str(&format!(
                "<circle cx=\"{:.1}\" cy=\"{y}\" r=\"4\" fill=\"#2a6fdb\" fill-opacity=\"0.6\"/>",
                x(*s)
            ));
        }
        for (q, label) in [(d.mttd.p50_secs, "p50"), (d.mttd.p95_secs, "p95")] {
            if let Some(q) = q {
                svg.push_str(&format!("<line x1=\"{0:.1}\" y1=\"{1}\" x2=\"{0:.1}\" y2=\"{2}\" stroke=\"#d33\"/><text x=\"{0:.1}\" y=\"{3}\" fill=\"#d33\" font-size=\"9\">{label}</text>", x(q), y - 9.0, y + 9.0, y - 11.0));
            }
        }
    }
    let axis_y = height - 12.0;
    svg.push_str(&format!("<text x=\"{left}\" y=\"{axis_y}\">0</text><text x=\"{}\" y=\"{axis_y}\" text-anchor=\"end\">{}</text></svg>", left + width, human(max)));
    svg
}

/// Overall coverage per quarter as bars.
fn trend_chart(r: &Report) -> String {
    if r.history.is_empty() {
        return String::new();
    }
    let (bar, gap, h) = (60.0, 30.0, 160.0);
    let width = r.history.len() as f64 * (bar + gap) + gap;
    let mut svg = format!(
        "<svg role=\"img\" aria-label=\"Coverage per quarter\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{}\" font-size=\"12\">",
        h + 40.0
    );
    for (i, (label, cov)) in r.history.iter().enumerate() {
        let x0 = gap + i as f64 * (bar + gap);
        let v = cov.unwrap_or(0.0);
        let bh = v / 100.0 * h;
        svg.push_str(&format!(
            "<rect x=\"{x0}\" y=\"{:.1}\" width=\"{bar}\" height=\"{bh:.1}\" fill=\"#2a9d55\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text><text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            10.0 + h - bh,
            x0 + bar / 2.0,
            (10.0 + h - bh - 4.0).max(10.0),
            pct(*cov),
            x0 + bar / 2.0,
            h + 28.0,
            esc(label)
        ));
    }
    svg.push_str("</svg>");
    svg
}

pub fn render(r: &Report) -> String {
    let mut out = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Drift detection coverage {0}</title><style>{STYLE}</style></head><body>\
         <h1>Drift detection coverage — {0}</h1><p><span class=\"big\">{1}</span> of expected detections within SLA · {2} run(s) · {3} drill(s)</p>",
        esc(&r.period),
        pct(r.overall_coverage_pct),
        r.runs,
        r.drills
    );
    out.push_str("<h2>Detectors and channels</h2><table><tr><th>name</th><th>kind</th><th>expected</th><th>within SLA</th><th>late</th><th>missed</th><th>errors</th><th>inconclusive</th><th>coverage</th><th>p50</th><th>p95</th><th>max</th></tr>");
    for d in &r.detectors {
        let t = &d.tally;
        out.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td class=num>{}</td><td class=num>{}</td><td class=num>{}</td><td class=num>{}</td><td class=num>{}</td><td class=num>{}</td><td class=num>{}</td><td class=num>{}</td><td class=num>{}</td><td class=num>{}</td></tr>",
            esc(&d.name), d.role.label(), t.expected, t.within_sla, t.late, t.missed, t.errors, t.inconclusive, pct(d.coverage_pct), human_or_dash(d.mttd.p50_secs), human_or_dash(d.mttd.p95_secs), human_or_dash(d.mttd.max_secs)
        ));
    }
    out.push_str("</table>");
    if !r.categories.is_empty() {
        out.push_str("<h2>Time to detect by category</h2><table><tr><th>category</th><th>detections</th><th>p50</th><th>p95</th><th>max</th><th>widest bracket</th></tr>");
        for (name, s) in &r.categories {
            out.push_str(&format!(
                "<tr><td>{}</td><td class=num>{}</td><td class=num>{}</td><td class=num>{}</td><td class=num>{}</td><td class=num>{}</td></tr>",
                esc(name), s.count, human_or_dash(s.p50_secs), human_or_dash(s.p95_secs), human_or_dash(s.max_secs), human_or_dash(s.max_uncertainty_secs)
            ));
        }
        out.push_str("</table>");
    }
    if !r.clear.is_empty() {
        out.push_str("<h2>Time to clear after verified reverts</h2><table><tr><th>detector</th><th>measured</th><th>not cleared in time</th><th>p50</th><th>p95</th><th>max</th><th>widest bracket</th></tr>");
        for (name, s) in &r.clear {
            out.push_str(&format!(
                "<tr><td>{}</td><td class=num>{}</td><td class=num>{}</td><td class=num>{}</td><td class=num>{}</td><td class=num>{}</td><td class=num>{}</td></tr>",
                esc(name), s.measured, s.not_cleared, human_or_dash(s.cleared.p50_secs), human_or_dash(s.cleared.p95_secs), human_or_dash(s.cleared.max_secs), human_or_dash(s.cleared.max_uncertainty_secs)
            ));
        }
        out.push_str("</table>");
    }
    out.push_str("<h2>Coverage matrix</h2><table><tr><th>category</th><th>action</th>");
    let names: Vec<&str> = r.detectors.iter().map(|d| d.name.as_str()).collect();
    for n in &names {
        out.push_str(&format!("<th>{}</th>", esc(n)));
    }
    out.push_str("</tr>");
    for row in &r.matrix {
        out.push_str(&format!(
            "<tr><td>{}</td><td><code>{}</code></td>",
            esc(&row.category),
            esc(&row.action)
        ));
        for n in &names {
            let c = &row.cells[*n];
            let class = if c.status == "not expected" {
                "none"
            } else {
                c.status.as_str()
            };
            out.push_str(&format!("<td class=\"{class}\">{}</td>", esc(&c.text())));
        }
        out.push_str("</tr>");
    }
    out.push_str(&format!(
        "</table><h2>Time to detect</h2>{}<h2>Coverage per quarter</h2>{}",
        mttd_chart(r),
        trend_chart(r)
    ));
    if !r.gaps.is_empty() {
        out.push_str("<h2>Misses and late detections</h2><table><tr><th>scenario</th><th>detector</th><th>result</th><th>next step</th></tr>");
        for g in &r.gaps {
            out.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&g.scenario),
                esc(&g.detector),
                esc(&g.result),
                esc(&g.suggestion)
            ));
        }
        out.push_str("</table>");
    }
    if !r.suppressions.is_empty() {
        out.push_str("<h2>Suppressions (expected negatives)</h2><table><tr><th>scenario</th><th>must stay silent</th><th>result</th><th>window</th><th>polls</th><th>evidence</th></tr>");
        for s in &r.suppressions {
            let class = match s.outcome {
                Outcome::Suppressed => "caught",
                Outcome::Leaked => "missed",
                Outcome::Inconclusive => "inconclusive",
                _ => "error",
            };
            out.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td class=\"{class}\">{}</td><td class=num>{}</td><td class=num>{}</td><td>{}</td></tr>",
                esc(&s.scenario),
                esc(&s.detector),
                s.outcome.label(),
                super::text::window_text(s.window_secs, s.stretched_secs),
                polls_text(s.polls, s.errors),
                esc(&s.evidence.clone().unwrap_or_default().chars().take(300).collect::<String>())
            ));
        }
        out.push_str("</table>");
    }
    for section in super::spread::tables(r) {
        out.push_str(&format!("<h2>{}</h2><table><tr>", section.title));
        for h in section.header {
            out.push_str(&format!("<th>{}</th>", esc(h)));
        }
        out.push_str("</tr>");
        for row in &section.rows {
            out.push_str("<tr>");
            for cell in row {
                out.push_str(&format!("<td>{}</td>", esc(cell)));
            }
            out.push_str("</tr>");
        }
        out.push_str("</table>");
    }
    if !r.health.is_empty() {
        out.push_str("<h2>Detector health</h2><table><tr><th>name</th><th>type</th><th>polls</th><th>failed</th><th>poll p50</th><th>poll max</th><th>interval</th><th>alerts</th><th>finding</th></tr>");
        for h in &r.health {
            let class = if h.finding.is_some() {
                "error"
            } else {
                "caught"
            };
            out.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td class=num>{}</td><td class=num>{}</td><td class=num>{}</td><td class=num>{}</td><td class=num>{}</td><td class=num>{}</td><td class=\"{class}\">{}</td></tr>",
                esc(&h.name),
                esc(&h.kind),
                h.polls,
                h.failed_text(),
                human_or_dash(h.p50_poll_secs),
                human_or_dash(h.max_poll_secs),
                human_or_dash(h.interval_secs),
                h.alerts,
                esc(h.finding.as_deref().unwrap_or("healthy"))
            ));
        }
        out.push_str("</table>");
    }
    out.push_str(&format!(
        "<h2>Housekeeping</h2><ul><li>False alarms: {}</li><li>Skipped drills: {}</li><li>Reverts: {} verified, {} with conflicts, {} failed</li></ul>",
        r.false_alarms.len(), r.skips.len(), r.reverts.verified, r.reverts.conflicts, r.reverts.failed
    ));
    if r.targets_gone() > 0 || r.forgotten().next().is_some() {
        out.push_str("<ul>");
        if r.targets_gone() > 0 {
            out.push_str(&format!(
                "<li>Settled by <code>recover</code> because the target was gone: {}</li>",
                r.targets_gone()
            ));
        }
        for f in r.forgotten() {
            out.push_str(&format!(
                "<li class=\"missed\"><strong>Unresolved drift</strong>: {} (<code>{}</code> on {}) forgotten by {} at {}: {}</li>",
                esc(&f.drill),
                esc(&f.action),
                esc(&f.target.to_string()),
                esc(f.by.as_deref().unwrap_or("unknown")),
                f.at.format("%Y-%m-%d"),
                esc(f.reason.as_deref().unwrap_or(""))
            ));
        }
        out.push_str("</ul>");
    }
    if let Some(t) = &r.trend {
        out.push_str(&format!(
            "<p>Previous period {}: {} overall.",
            esc(&t.period),
            pct(t.overall_coverage_pct)
        ));
        if !t.new_gaps.is_empty() {
            out.push_str(&format!(" New gaps: {}.", esc(&t.new_gaps.join(", "))));
        }
        if !t.fixed_gaps.is_empty() {
            out.push_str(&format!(" Fixed: {}.", esc(&t.fixed_gaps.join(", "))));
        }
        out.push_str("</p>");
    }
    out.push_str(&format!(
        "<p class=\"none\">Generated by driftdrill {} at {}.</p></body></html>\n",
        env!("CARGO_PKG_VERSION"),
        r.generated_at.to_rfc3339()
    ));
    out
}
