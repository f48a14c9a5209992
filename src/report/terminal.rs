//! The report as terminal tables (comfy-table): the sections of [`super::sections`], laid out.

use comfy_table::{CellAlignment, ContentArrangement, Table, presets};

use super::model::Report;
use super::sections::{self, Cell, Column, Section};

fn table(columns: &[Column], rows: &[Vec<Cell>]) -> Table {
    let mut t = Table::new();
    t.load_style(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(columns.iter().map(|c| c.name.as_str()).collect::<Vec<_>>());
    for row in rows {
        t.add_row(row.iter().map(|c| c.text.as_str()).collect::<Vec<_>>());
    }
    for (i, c) in columns.iter().enumerate() {
        if c.numeric
            && let Some(col) = t.column_mut(i)
        {
            col.set_cell_alignment(CellAlignment::Right);
        }
    }
    t
}

pub fn render(r: &Report) -> String {
    let h = sections::headline(r);
    let mut out = format!(
        "Drift detection coverage, {}: {} run(s), {} drill(s), overall {} within SLA\n",
        h.period, h.runs, h.drills, h.coverage
    );
    if let Some((period, coverage, _)) = &h.previous {
        out.push_str(&format!("Previous period {period}: {coverage}\n"));
    }
    for section in sections::sections(r) {
        match section {
            Section::Table {
                title,
                columns,
                rows,
            } => out.push_str(&format!("\n{title}\n{}\n", table(&columns, &rows))),
            Section::Chart { .. } => {}
            Section::List { title, items } => {
                out.push_str(&format!("\n{title}\n"));
                for item in items {
                    match item.lead {
                        Some(lead) => {
                            out.push_str(&format!("- {}: {}\n", lead.to_uppercase(), item.text))
                        }
                        None => out.push_str(&format!("- {}\n", item.text)),
                    }
                }
            }
        }
    }
    out
}
