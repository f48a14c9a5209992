//! The report's sections, declared once and in reading order: what each table holds, cell by
//! cell, and the housekeeping lines. The text formats (terminal, Markdown, HTML) walk this list
//! and lay out cells; none of them decides what a section says.

mod remediation;

use super::feasibility;
use super::model::Report;
use super::text::{human, human_or_dash, pct, polls_text, window_text};
use crate::record::Outcome;

/// How a cell reads at a glance: its colour in HTML, its icon in Markdown; the terminal shows
/// the words alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tone {
    Caught,
    Late,
    Missed,
    Error,
    Inconclusive,
    Dirty,
    /// Nothing to say (a detector not expected for an action).
    Absent,
}

impl Tone {
    /// The HTML class.
    pub(crate) fn class(self) -> &'static str {
        match self {
            Tone::Caught => "caught",
            Tone::Late => "late",
            Tone::Missed => "missed",
            Tone::Error => "error",
            Tone::Inconclusive => "inconclusive",
            Tone::Dirty => "dirty",
            Tone::Absent => "none",
        }
    }

    /// The Markdown icon.
    pub(crate) fn icon(self) -> &'static str {
        match self {
            Tone::Caught => "✅",
            Tone::Late => "⚠️",
            Tone::Missed => "❌",
            Tone::Error => "💥",
            Tone::Inconclusive => "⏳",
            Tone::Dirty | Tone::Absent => "·",
        }
    }

    /// A matrix cell's status word as a tone.
    fn of_status(status: &str) -> Tone {
        match status {
            "caught" => Tone::Caught,
            "late" => Tone::Late,
            "missed" => Tone::Missed,
            "error" => Tone::Error,
            "inconclusive" => Tone::Inconclusive,
            "dirty" => Tone::Dirty,
            _ => Tone::Absent,
        }
    }

    /// A silent detector's outcome as a tone.
    fn of_suppression(outcome: Outcome) -> Tone {
        match outcome {
            Outcome::Suppressed => Tone::Caught,
            Outcome::Leaked => Tone::Missed,
            Outcome::Inconclusive => Tone::Inconclusive,
            _ => Tone::Error,
        }
    }
}

/// One table cell.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub text: String,
    pub tone: Option<Tone>,
    /// An identifier (an action id): code in Markdown and HTML.
    pub code: bool,
    /// Words that lead the text and must stand out (bold; capitals on a terminal).
    pub lead: Option<&'static str>,
}

impl Cell {
    fn text(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            tone: None,
            code: false,
            lead: None,
        }
    }

    fn toned(text: impl Into<String>, tone: Tone) -> Cell {
        Cell {
            tone: Some(tone),
            ..Cell::text(text)
        }
    }

    fn code(text: impl Into<String>) -> Cell {
        Cell {
            code: true,
            ..Cell::text(text)
        }
    }
}

/// A column: its name, and whether it holds numbers (aligned right).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Column {
    pub name: String,
    pub numeric: bool,
}

fn columns(spec: &[(&str, bool)]) -> Vec<Column> {
    spec.iter()
        .map(|(name, numeric)| Column {
            name: name.to_string(),
            numeric: *numeric,
        })
        .collect()
}

/// A chart only a graphical format draws (the text formats have the tables it summarises).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Chart {
    /// Every detection time on a shared axis, per detector.
    TimeToDetect,
    /// Overall coverage per quarter.
    CoverageHistory,
}

/// One section of the report.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Section {
    Table {
        title: String,
        columns: Vec<Column>,
        rows: Vec<Vec<Cell>>,
    },
    Chart {
        title: &'static str,
        chart: Chart,
    },
    /// Lines of words (toned lines stand out).
    List {
        title: String,
        items: Vec<Cell>,
    },
}

/// The report's opening: what period, how much was covered, how it compares.
pub(crate) struct Headline {
    pub period: String,
    pub coverage: String,
    pub runs: usize,
    pub drills: usize,
    pub accounts: Vec<String>,
    /// The previous period, its coverage, and the change in points when both are known.
    pub previous: Option<(String, String, Option<f64>)>,
}

pub(crate) fn headline(r: &Report) -> Headline {
    Headline {
        period: r.period.clone(),
        coverage: pct(r.overall_coverage_pct),
        runs: r.runs,
        drills: r.drills,
        accounts: r.accounts.clone(),
        previous: r.trend.as_ref().map(|t| {
            let delta = match (t.overall_coverage_pct, r.overall_coverage_pct) {
                (Some(a), Some(b)) => Some(b - a),
                _ => None,
            };
            (t.period.clone(), pct(t.overall_coverage_pct), delta)
        }),
    }
}

/// Every section, in reading order; an empty one is left out.
pub(crate) fn sections(r: &Report) -> Vec<Section> {
    let mut out = vec![detectors(r)];
    out.extend(categories(r));
    out.extend(clear(r));
    out.push(matrix(r));
    out.push(Section::Chart {
        title: "Time to detect",
        chart: Chart::TimeToDetect,
    });
    out.push(Section::Chart {
        title: "Coverage per quarter",
        chart: Chart::CoverageHistory,
    });
    out.extend(gaps(r));
    out.extend(infeasible(r));
    out.extend(suppressions(r));
    out.extend(remediation::sections(r));
    out.extend(super::spread::tables(r).into_iter().map(|t| {
        Section::Table {
            title: t.title.to_string(),
            columns: columns(&t.header.iter().map(|h| (*h, false)).collect::<Vec<_>>()),
            rows: t
                .rows
                .into_iter()
                .map(|row| row.into_iter().map(Cell::text).collect())
                .collect(),
        }
    }));
    out.extend(health(r));
    out.extend(calls(r));
    out.extend(skips(r));
    out.push(housekeeping(r));
    out
}

/// A table, or nothing when it has no rows.
fn table(title: impl Into<String>, spec: &[(&str, bool)], rows: Vec<Vec<Cell>>) -> Option<Section> {
    (!rows.is_empty()).then(|| Section::Table {
        title: title.into(),
        columns: columns(spec),
        rows,
    })
}

fn detectors(r: &Report) -> Section {
    let rows = r
        .detectors
        .iter()
        .map(|d| {
            let t = &d.tally;
            let held = r.held_to.iter().find(|h| h.detector == d.name);
            vec![
                Cell::text(&d.name),
                Cell::text(d.role.label()),
                Cell::text(t.expected.to_string()),
                Cell::text(t.within_sla.to_string()),
                Cell::text(t.late.to_string()),
                Cell::text(t.missed.to_string()),
                Cell::text(t.errors.to_string()),
                Cell::text(t.inconclusive.to_string()),
                Cell::text(pct(d.coverage_pct)),
                Cell::text(human_or_dash(d.mttd.p50_secs)),
                Cell::text(human_or_dash(d.mttd.p95_secs)),
                Cell::text(human_or_dash(d.mttd.max_secs)),
                Cell::text(feasibility::slas_text(held)),
                Cell::text(human_or_dash(held.and_then(|h| h.interval_secs))),
                Cell::text(human_or_dash(held.and_then(|h| h.p50_poll_secs))),
            ]
        })
        .collect();
    Section::Table {
        title: "Detectors and channels".into(),
        columns: columns(&[
            ("detector / channel", false),
            ("kind", false),
            ("expected", true),
            ("within SLA", true),
            ("late", true),
            ("missed", true),
            ("errors", true),
            ("inconclusive", true),
            ("coverage", true),
            ("p50", true),
            ("p95", true),
            ("max", true),
            ("SLAs", true),
            ("interval", true),
            ("poll p50", true),
        ]),
        rows,
    }
}

/// SLAs a detector can never meet, with what to change.
fn infeasible(r: &Report) -> Option<Section> {
    let rows = r
        .infeasible
        .iter()
        .map(|i| {
            vec![
                Cell::text(&i.detector),
                Cell::text(human(i.sla_secs)),
                Cell::text(human(i.floor_secs)),
                Cell::toned(&i.advice, Tone::Error),
            ]
        })
        .collect();
    table(
        "SLAs no detector can meet",
        &[
            ("detector / channel", false),
            ("SLA", true),
            ("fastest possible", true),
            ("advice", false),
        ],
        rows,
    )
}

fn categories(r: &Report) -> Option<Section> {
    let rows = r
        .categories
        .iter()
        .map(|(name, s)| {
            vec![
                Cell::text(name),
                Cell::text(s.count.to_string()),
                Cell::text(human_or_dash(s.p50_secs)),
                Cell::text(human_or_dash(s.p95_secs)),
                Cell::text(human_or_dash(s.max_secs)),
                Cell::text(human_or_dash(s.max_uncertainty_secs)),
            ]
        })
        .collect();
    table(
        "Time to detect by category (detectors)",
        &[
            ("category", false),
            ("detections", true),
            ("p50", true),
            ("p95", true),
            ("max", true),
            ("widest bracket", true),
        ],
        rows,
    )
}

fn clear(r: &Report) -> Option<Section> {
    let rows = r
        .clear
        .iter()
        .map(|(name, s)| {
            vec![
                Cell::text(name),
                Cell::text(s.measured.to_string()),
                Cell::text(s.not_cleared.to_string()),
                Cell::text(human_or_dash(s.cleared.p50_secs)),
                Cell::text(human_or_dash(s.cleared.p95_secs)),
                Cell::text(human_or_dash(s.cleared.max_secs)),
                Cell::text(human_or_dash(s.cleared.max_uncertainty_secs)),
            ]
        })
        .collect();
    table(
        "Time to clear after verified reverts",
        &[
            ("detector", false),
            ("measured", true),
            ("not cleared in time", true),
            ("p50", true),
            ("p95", true),
            ("max", true),
            ("widest bracket", true),
        ],
        rows,
    )
}

fn matrix(r: &Report) -> Section {
    let names: Vec<&str> = r.detectors.iter().map(|d| d.name.as_str()).collect();
    let mut spec = vec![("category", false), ("action", false)];
    spec.extend(names.iter().map(|n| (*n, false)));
    let rows = r
        .matrix
        .iter()
        .map(|row| {
            let mut cells = vec![Cell::text(&row.category), Cell::code(&row.action)];
            cells.extend(names.iter().map(|n| {
                let c = &row.cells[*n];
                Cell::toned(c.text(), Tone::of_status(&c.status))
            }));
            cells
        })
        .collect();
    Section::Table {
        title: "Coverage matrix".into(),
        columns: columns(&spec),
        rows,
    }
}

fn gaps(r: &Report) -> Option<Section> {
    let rows = r
        .gaps
        .iter()
        .map(|g| {
            vec![
                Cell::text(&g.scenario),
                Cell::text(&g.detector),
                Cell::text(&g.result),
                Cell::text(&g.suggestion),
            ]
        })
        .collect();
    table(
        format!("Misses and late detections ({})", r.gaps.len()),
        &[
            ("scenario", false),
            ("detector", false),
            ("result", false),
            ("next step", false),
        ],
        rows,
    )
}

fn suppressions(r: &Report) -> Option<Section> {
    let rows = r
        .suppressions
        .iter()
        .map(|s| {
            let evidence: String = s
                .evidence
                .clone()
                .unwrap_or_default()
                .chars()
                .take(200)
                .collect();
            vec![
                Cell::text(&s.scenario),
                Cell::text(&s.detector),
                Cell::toned(s.outcome.label(), Tone::of_suppression(s.outcome)),
                Cell::text(window_text(s.window_secs, s.stretched_secs)),
                Cell::text(polls_text(s.polls, s.errors)),
                Cell::text(evidence),
            ]
        })
        .collect();
    table(
        "Suppressions (expected negatives)",
        &[
            ("scenario", false),
            ("must stay silent", false),
            ("result", false),
            ("window", true),
            ("polls", true),
            ("evidence", false),
        ],
        rows,
    )
}

fn health(r: &Report) -> Option<Section> {
    let rows = r
        .health
        .iter()
        .map(|h| {
            let finding = match &h.finding {
                Some(f) => Cell::toned(f, Tone::Error),
                None => Cell::toned("healthy", Tone::Caught),
            };
            vec![
                Cell::text(&h.name),
                Cell::text(&h.kind),
                Cell::text(h.polls.to_string()),
                Cell::text(h.failed_text()),
                Cell::text(human_or_dash(h.p50_poll_secs)),
                Cell::text(human_or_dash(h.max_poll_secs)),
                Cell::text(human_or_dash(h.interval_secs)),
                Cell::text(h.alerts.to_string()),
                finding,
            ]
        })
        .collect();
    table(
        "Detector health",
        &[
            ("detector / channel", false),
            ("type", false),
            ("polls", true),
            ("failed", true),
            ("poll p50", true),
            ("poll max", true),
            ("interval", true),
            ("alerts", true),
            ("finding", false),
        ],
        rows,
    )
}

fn calls(r: &Report) -> Option<Section> {
    let c = r.calls.as_ref()?;
    let mut rows: Vec<Vec<Cell>> = c
        .phases
        .iter()
        .map(|p| {
            let ops: Vec<String> = p
                .operations
                .iter()
                .map(|(o, n)| format!("{o} ×{n}"))
                .collect();
            vec![
                Cell::text(p.phase.label()),
                Cell::text(p.calls.to_string()),
                Cell::text(format!("{:.1}", p.per_drill)),
                Cell::code(ops.join(", ")),
            ]
        })
        .collect();
    rows.push(vec![
        Cell::text("every phase"),
        Cell::text(c.total.to_string()),
        Cell::text(format!("{:.1}", c.per_drill)),
        Cell::text(format!(
            "over {} drills; besides, {:.1} calls per run before any drill (who the caller is)",
            c.drills, c.preflight_per_run
        )),
    ]);
    table(
        "AWS calls per drill",
        &[
            ("phase", false),
            ("calls", true),
            ("per drill", true),
            ("operations", false),
        ],
        rows,
    )
}

fn skips(r: &Report) -> Option<Section> {
    let rows = r
        .skips
        .iter()
        .map(|s| {
            vec![
                Cell::text(&s.scenario),
                Cell::text(s.status.label()),
                Cell::text(s.detail.clone().unwrap_or_default()),
            ]
        })
        .collect();
    table(
        "Skipped drills",
        &[("scenario", false), ("why", false), ("detail", false)],
        rows,
    )
}

fn housekeeping(r: &Report) -> Section {
    let mut items = vec![
        Cell::text(format!("False alarms: {}", r.false_alarms.len())),
        Cell::text(format!("Skipped drills: {}", r.skips.len())),
        Cell::text(format!(
            "Reverts: {} verified, {} with conflicts, {} failed",
            r.reverts.verified, r.reverts.conflicts, r.reverts.failed
        )),
    ];
    if r.discovery_runs > 0 {
        items.push(Cell::text(format!(
            "Discovery runs (read, never counted as coverage): {}",
            r.discovery_runs
        )));
    }
    if r.targets_gone() > 0 {
        items.push(Cell::text(format!(
            "Settled by recover because the target was gone: {}",
            r.targets_gone()
        )));
    }
    items.extend(r.forgotten().map(|f| Cell {
        lead: Some("Unresolved drift"),
        ..Cell::toned(
            format!(
                "{} ({} on {}) forgotten by {} at {}: {}",
                f.drill,
                f.action,
                f.target,
                f.by.as_deref().unwrap_or("unknown"),
                f.at.format("%Y-%m-%d"),
                f.reason.as_deref().unwrap_or("")
            ),
            Tone::Missed,
        )
    }));
    items.extend(r.stopped.iter().map(|(run, s)| {
        Cell::toned(
            format!(
                "Run {run} stopped by {} at {}: {}",
                s.name,
                s.at.format("%Y-%m-%d %H:%M:%S UTC"),
                s.detail
            ),
            Tone::Error,
        )
    }));
    if let Some(t) = &r.trend {
        if !t.new_gaps.is_empty() {
            items.push(Cell::text(format!(
                "New gaps since {}: {}",
                t.period,
                t.new_gaps.join(", ")
            )));
        }
        if !t.fixed_gaps.is_empty() {
            items.push(Cell::text(format!(
                "Fixed since {}: {}",
                t.period,
                t.fixed_gaps.join(", ")
            )));
        }
    }
    Section::List {
        title: "Housekeeping".into(),
        items,
    }
}
