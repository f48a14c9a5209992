//! `driftdrill report`: the quarterly coverage report from run records, in every format.

use std::path::{Path, PathBuf};

use chrono::{NaiveDate, Utc};

use crate::errors::{CommandResult, Failure};
use crate::exit_codes;
use crate::report::{self, Period, records};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    Terminal,
    Markdown,
    Html,
    Json,
    Junit,
    /// OpenMetrics text, for the node exporter's textfile collector or a Pushgateway.
    Openmetrics,
}

impl ReportFormat {
    fn extension(self) -> &'static str {
        match self {
            ReportFormat::Terminal => "txt",
            ReportFormat::Markdown => "md",
            ReportFormat::Html => "html",
            ReportFormat::Json => "json",
            ReportFormat::Junit => "junit.xml",
            ReportFormat::Openmetrics => "prom",
        }
    }
}

/// Renders one format of a built report.
pub fn render(r: &report::Report, format: ReportFormat) -> String {
    match format {
        ReportFormat::Terminal => report::terminal::render(r),
        ReportFormat::Markdown => report::markdown::render(r),
        ReportFormat::Html => report::html::render(r),
        ReportFormat::Json => serde_json::to_string_pretty(r).expect("report serialises") + "\n",
        ReportFormat::Junit => report::junit::render(r),
        ReportFormat::Openmetrics => report::openmetrics::render(r),
    }
}

pub struct ReportOptions {
    pub dirs: Vec<PathBuf>,
    pub quarter: Option<String>,
    pub since: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
    pub formats: Vec<ReportFormat>,
    pub out: Option<PathBuf>,
    pub out_dir: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Quarter(#[from] crate::report::period::PeriodError),
    #[error("choose the period: give --quarter, or both --since and --until (since <= until)")]
    Period,
    #[error(transparent)]
    Records(#[from] records::RecordsError),
    #[error("write {}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

pub fn run(opts: ReportOptions) -> CommandResult {
    let invalid = |e: ReportError| Failure::new(exit_codes::INVALID_INPUT, e);
    let period = match (&opts.quarter, opts.since, opts.until) {
        (Some(q), None, None) => Period::parse_quarter(q).map_err(|e| invalid(e.into()))?,
        (None, Some(s), Some(u)) if s <= u => Period::between(s, u),
        (None, None, None) => Period::containing(Utc::now()),
        _ => return Err(invalid(ReportError::Period)),
    };
    let dirs = if opts.dirs.is_empty() {
        vec![PathBuf::from("reports/runs")]
    } else {
        opts.dirs.clone()
    };
    let all = records::load(&dirs).map_err(|e| invalid(e.into()))?;
    let settled = records::settlements(&dirs).map_err(|e| invalid(e.into()))?;
    let built = report::build(&all, &period, Utc::now()).with_settlements(settled, &period);
    let formats = if opts.formats.is_empty() {
        vec![ReportFormat::Terminal]
    } else {
        opts.formats.clone()
    };
    for format in formats {
        let text = render(&built, format);
        let target = match (&opts.out, format) {
            // `--out -`: standard output (a CI job summary, a pipe).
            (Some(out), _) if out.as_os_str() == "-" => None,
            (Some(out), _) => Some(out.clone()),
            (None, ReportFormat::Terminal) => None,
            (None, f) => Some(opts.out_dir.join(format!(
                "report-{}.{}",
                period.label.replace(' ', "_"),
                f.extension()
            ))),
        };
        match target {
            None => print!("{text}"),
            Some(path) => {
                write(&path, &text).map_err(|source| {
                    Failure::new(
                        exit_codes::TOOL_ERROR,
                        ReportError::Write {
                            path: path.clone(),
                            source,
                        },
                    )
                })?;
                eprintln!("wrote {}", path.display());
            }
        }
    }
    Ok(exit_codes::OK)
}

fn write(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, text)
}
