//! The report as one self-contained HTML file: the sections of [`super::sections`] as tables with
//! coloured cells, and the SVG charts (MTTD distribution per detector, coverage per quarter) drawn
//! here. No external assets; readable when printed.

use super::model::{Report, human, pct};
use super::sections::{self, Cell, Chart, Column, Section};

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

fn cell(c: &Cell, numeric: bool) -> String {
    let text = if c.code {
        format!("<code>{}</code>", esc(&c.text))
    } else {
        esc(&c.text)
    };
    match (c.tone, numeric) {
        (Some(tone), _) => format!("<td class=\"{}\">{text}</td>", tone.class()),
        (None, true) => format!("<td class=num>{text}</td>"),
        (None, false) => format!("<td>{text}</td>"),
    }
}

fn table(title: &str, columns: &[Column], rows: &[Vec<Cell>]) -> String {
    let mut out = format!("<h2>{}</h2><table><tr>", esc(title));
    for c in columns {
        out.push_str(&format!("<th>{}</th>", esc(&c.name)));
    }
    out.push_str("</tr>");
    for row in rows {
        out.push_str("<tr>");
        for (c, col) in row.iter().zip(columns) {
            out.push_str(&cell(c, col.numeric));
        }
        out.push_str("</tr>");
    }
    out.push_str("</table>");
    out
}

fn list(title: &str, items: &[Cell]) -> String {
    let mut out = format!("<h2>{}</h2><ul>", esc(title));
    for item in items {
        let text = match item.lead {
            Some(lead) => format!("<strong>{lead}</strong>: {}", esc(&item.text)),
            None => esc(&item.text),
        };
        match item.tone {
            Some(tone) => out.push_str(&format!("<li class=\"{}\">{text}</li>", tone.class())),
            None => out.push_str(&format!("<li>{text}</li>")),
        }
    }
    out.push_str("</ul>");
    out
}

pub fn render(r: &Report) -> String {
    let h = sections::headline(r);
    let mut out = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Drift detection coverage {0}</title><style>{STYLE}</style></head><body>\
         <h1>Drift detection coverage — {0}</h1><p><span class=\"big\">{1}</span> of expected detections within SLA · {2} run(s) · {3} drill(s)</p>",
        esc(&h.period),
        h.coverage,
        h.runs,
        h.drills
    );
    if let Some((period, coverage, _)) = &h.previous {
        out.push_str(&format!(
            "<p>Previous period {}: {} overall.</p>",
            esc(period),
            coverage
        ));
    }
    for section in sections::sections(r) {
        out.push_str(&match section {
            Section::Table {
                title,
                columns,
                rows,
            } => table(&title, &columns, &rows),
            Section::Chart { title, chart } => {
                let svg = match chart {
                    Chart::TimeToDetect => mttd_chart(r),
                    Chart::CoverageHistory => trend_chart(r),
                };
                format!("<h2>{title}</h2>{svg}")
            }
            Section::List { title, items } => list(&title, &items),
        });
    }
    out.push_str(&format!(
        "<p class=\"none\">Generated by driftdrill {} at {}.</p></body></html>\n",
        env!("CARGO_PKG_VERSION"),
        r.generated_at.to_rfc3339()
    ));
    out
}
