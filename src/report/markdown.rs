//! The report as Markdown for a GitHub job summary: the sections of [`super::sections`] as pipe
//! tables, kept under 1 MiB, long tables cut with a count.

use super::model::Report;
use super::sections::{self, Cell, Section};

/// GitHub rejects job summaries over 1 MiB.
pub const LIMIT: usize = 1024 * 1024;
const MAX_ROWS: usize = 200;

fn esc(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn cell(c: &Cell) -> String {
    let text = if c.code {
        format!("`{}`", c.text)
    } else {
        esc(&c.text)
    };
    let text = match c.lead {
        Some(lead) => format!("**{lead}**: {text}"),
        None => text,
    };
    match c.tone {
        Some(tone) => format!("{} {text}", tone.icon()),
        None => text,
    }
}

pub fn render(r: &Report) -> String {
    let mut out = headline(r);
    for section in sections::sections(r) {
        match section {
            Section::Table {
                title,
                columns,
                rows,
            } => {
                let names: Vec<String> = columns.iter().map(|c| esc(&c.name)).collect();
                let rule: Vec<&str> = columns
                    .iter()
                    .map(|c| if c.numeric { "---:" } else { "---" })
                    .collect();
                out.push_str(&format!(
                    "\n## {title}\n\n| {} |\n|{}|\n",
                    names.join(" | "),
                    rule.join("|")
                ));
                for row in rows.iter().take(MAX_ROWS) {
                    let cells: Vec<String> = row.iter().map(cell).collect();
                    out.push_str(&format!("| {} |\n", cells.join(" | ")));
                }
                if rows.len() > MAX_ROWS {
                    out.push_str(&format!("\n…and {} more.\n", rows.len() - MAX_ROWS));
                }
            }
            Section::Chart { .. } => {}
            Section::List { title, items } => {
                out.push_str(&format!("\n## {title}\n\n"));
                for item in &items {
                    out.push_str(&format!("- {}\n", cell(item)));
                }
            }
        }
    }
    limit(out)
}

fn headline(r: &Report) -> String {
    let h = sections::headline(r);
    let mut out = format!(
        "# Drift detection coverage — {}\n\n**{} within SLA** over {} run(s) and {} drill(s){}.\n",
        h.period,
        h.coverage,
        h.runs,
        h.drills,
        if h.accounts.is_empty() {
            String::new()
        } else {
            format!(" in account(s) {}", h.accounts.join(", "))
        }
    );
    if let Some((period, coverage, delta)) = &h.previous {
        let delta = delta.map_or(String::new(), |d| format!(" ({d:+.1} points)"));
        out.push_str(&format!("\nPrevious period {period}: {coverage}{delta}.\n"));
    }
    out
}

/// Cut to GitHub's summary limit, on a character boundary, saying so.
fn limit(mut out: String) -> String {
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
