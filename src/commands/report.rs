//! `driftdrill report`: the quarterly coverage report from run records, in every format.

use std::path::{Path, PathBuf};

use chrono::{NaiveDate, Utc};

use crate::exit_codes;
use crate::report::{self, Period, records};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    Terminal,
    Markdown,
    Html,
    Json,
    Junit,
}

impl ReportFormat {
    fn extension(self) -> &'static str {
        match self {
            ReportFormat::Terminal => "txt",
            ReportFormat::Markdown => "md",
            ReportFormat::Html => "html",
            ReportFormat::Json => "json",
            ReportFormat::Junit => "junit.xml",
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

pub fn run(opts: ReportOptions) -> i32 {
    let period = match (&opts.quarter, opts.since, opts.until) {
        (Some(q), None, None) => match Period::parse_quarter(q) {
            Ok(p) => p,
            Err(e) => {
                crate::cli::print_error(&e);
                return exit_codes::INVALID_INPUT;
            }
        },
        (None, Some(s), Some(u)) if s <= u => Period::between(s, u),
        (None, None, None) => Period::containing(Utc::now()),
        _ => {
            eprintln!(
                "error: failed to choose the period: give --quarter, or both --since and --until (since <= until)"
            );
            return exit_codes::INVALID_INPUT;
        }
    };
    let dirs = if opts.dirs.is_empty() {
        vec![PathBuf::from("reports/runs")]
    } else {
        opts.dirs.clone()
    };
    let all = match records::load(&dirs) {
        Ok(r) => r,
        Err(e) => {
            crate::cli::print_error(&e);
            return exit_codes::INVALID_INPUT;
        }
    };
    let settled = match records::settlements(&dirs) {
        Ok(s) => s,
        Err(e) => {
            crate::cli::print_error(&e);
            return exit_codes::INVALID_INPUT;
        }
    };
    let built = report::build(&all, &period, Utc::now()).with_settlements(settled, &period);
    let formats = if opts.formats.is_empty() {
        vec![ReportFormat::Terminal]
    } else {
        opts.formats.clone()
    };
    for format in formats {
        let text = render(&built, format);
        let target = match (&opts.out, format) {
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
                if let Err(e) = write(&path, &text) {
                    eprintln!("error: failed to write {}: {e}", path.display());
                    return exit_codes::TOOL_ERROR;
                }
                eprintln!("wrote {}", path.display());
            }
        }
    }
    exit_codes::OK
}

fn write(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, text)
}
