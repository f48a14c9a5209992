//! `driftdrill report`: the quarterly coverage report from run records, in every format.

use std::path::{Path, PathBuf};

use chrono::{NaiveDate, Utc};

use crate::aws::{AwsClients, AwsSettings};
use crate::errors::{CommandResult, Failure};
use crate::exit_codes;
use crate::report::{self, Period, records};
use crate::s3_records::{self, S3Url};

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
    /// Folders, files and `s3://bucket/prefix/` URLs of run records.
    pub dirs: Vec<PathBuf>,
    /// A drill config whose `[aws]` says how to reach S3 (default: the standard AWS chain).
    pub config: Option<PathBuf>,
    pub quarter: Option<String>,
    pub since: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
    pub formats: Vec<ReportFormat>,
    pub out: Option<PathBuf>,
    pub out_dir: PathBuf,
    /// Exit with the most severe exit code of the period's runs (a CI merge job fails on a miss
    /// or a failed revert in any shard), instead of 0.
    pub exit_with_runs: bool,
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum ReportError {
    #[error(transparent)]
    Quarter(#[from] crate::report::period::PeriodError),
    #[error("choose the period: give --quarter, or both --since and --until (since <= until)")]
    Period,
    #[error(transparent)]
    Records(#[from] records::RecordsError),
    #[error("read {0}: not s3://BUCKET/PREFIX/")]
    BadS3Url(String),
    #[error(transparent)]
    S3(#[from] crate::s3_records::S3RecordsError),
    #[error(transparent)]
    ConfigLoad(#[from] crate::formats::load::LoadError),
    #[error("report: the drill config above is invalid")]
    ConfigInvalid,
    #[error("report: {0} holds no drill config")]
    NoConfig(PathBuf),
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
    let texts = read_sources(&dirs, opts.config.as_deref())?;
    let all = records::load_texts(&texts).map_err(|e| invalid(e.into()))?;
    let settled = records::settlements_texts(&texts).map_err(|e| invalid(e.into()))?;
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
    if !opts.exit_with_runs {
        return Ok(exit_codes::OK);
    }
    Ok(exit_codes::most_severe(
        all.iter()
            .filter(|r| period.contains(r.started_at))
            .map(|r| r.exit_code),
    ))
}

fn write(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, text)
}

/// Every record document of the sources: folders and files read from disk, `s3://` prefixes
/// listed and downloaded (with the config's `[aws]`, or the standard AWS chain).
fn read_sources(
    sources: &[PathBuf],
    config: Option<&Path>,
) -> Result<Vec<(String, String)>, Failure> {
    let (s3, local): (Vec<&PathBuf>, Vec<&PathBuf>) = sources
        .iter()
        .partition(|p| p.to_str().is_some_and(|t| t.starts_with("s3://")));
    let local: Vec<PathBuf> = local.into_iter().cloned().collect();
    let mut texts = records::read_folders(&local)
        .map_err(|e| Failure::new(exit_codes::INVALID_INPUT, ReportError::from(e)))?;
    if s3.is_empty() {
        return Ok(texts);
    }
    let mut urls = Vec::new();
    for p in s3 {
        let text = p.to_string_lossy();
        urls.push(S3Url::parse(&text).ok_or_else(|| {
            Failure::new(
                exit_codes::INVALID_INPUT,
                ReportError::BadS3Url(text.to_string()),
            )
        })?);
    }
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    runtime.block_on(async {
        let aws = match config {
            Some(path) => crate::run::runner::clients_for(&s3_config(path)?).await,
            None => AwsClients::new(&AwsSettings::default()).await,
        };
        for url in &urls {
            let found = s3_records::download_all(&aws, url)
                .await
                .map_err(|e| Failure::new(exit_codes::TOOL_ERROR, ReportError::from(e)))?;
            texts.extend(
                found
                    .into_iter()
                    .map(|(key, text)| (format!("s3://{}/{key}", url.bucket), text)),
            );
        }
        Ok(texts)
    })
}

/// The drill config `--config` names, for its `[aws]` section.
fn s3_config(path: &Path) -> Result<crate::formats::DrillConfig, Failure> {
    let invalid = |e: ReportError| Failure::new(exit_codes::INVALID_INPUT, e);
    let loaded = crate::formats::load::load_config(Some(path), &crate::catalogs::all())
        .map_err(|e| invalid(e.into()))?;
    if !loaded.is_valid() {
        return Err(invalid(ReportError::ConfigInvalid).with_diagnostics(
            crate::diag::render::text_all(&loaded.sources, &loaded.diagnostics),
        ));
    }
    loaded
        .config
        .ok_or_else(|| invalid(ReportError::NoConfig(path.to_path_buf())))
}
