//! `driftdrill run` end to end: load and validate, refuse a dirty journal, build detectors, run
//! the drills with bounded concurrency, handle Ctrl-C, write the run record, pick the exit code.

use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use chrono::Utc;
use tokio::sync::{Semaphore, watch};

use super::drill::{self, RunCx};
use super::event::Event;
use super::hub::{Hub, HubEntry};
use super::journal::Journal;
use super::places::{self, Place, PlaceError};
use super::plan::{self, Selection};
use super::progress::Progress;
use super::stop::StopConditions;
use crate::aws::AwsClients;
use crate::detect::{self, BuildCx, matching};
use crate::exit_codes;
use crate::formats::{self, DrillConfig, Scenario};
use crate::record::{DrillRecord, DrillStatus, FalseAlarm, Outcome, RunRecord, SCHEMA, StopRecord};
use crate::vocab::Role;

#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    pub config: Option<PathBuf>,
    pub paths: Vec<PathBuf>,
    pub only: Vec<String>,
    pub category: Option<String>,
    pub concurrency: Option<usize>,
    pub dry_run: bool,
    /// Where run records go (default `reports/runs`).
    pub out_dir: PathBuf,
    /// Where copies are uploaded as well (`--out s3://bucket/prefix/`).
    pub out_s3: Vec<crate::s3_records::S3Url>,
    /// Lowers safety.max_drift_lifetime for this run (never raises it): every change is
    /// reverted after this long, detected or not.
    pub max_drift_lifetime: Option<std::time::Duration>,
    /// A CI shard's share, an unannounced sample, random start delays.
    pub selection: Selection,
    /// No observation window shorter than this, whatever the SLAs say (SLAs still judge what
    /// is late). The demo sets it from the plan duration it measures, so a slow machine's
    /// windows still hold a complete poll; `run` leaves it at zero.
    pub min_window: Option<std::time::Duration>,
    /// `driftdrill discover`: every detector watched as if expected, the record marked.
    pub discovery: Option<super::discovery::Discovery>,
}

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("load the drill files")]
    Load(#[from] formats::load::LoadError),
    /// Holds the rendered diagnostics.
    #[error("run: the drill files above are invalid, nothing was injected")]
    Invalid(String),
    #[error(
        "run without a drill config: pass --config or put a driftdrill.toml in the current folder"
    )]
    NoConfig,
    #[error("find scenarios to run: none matched")]
    NothingToRun,
    #[error(
        "use --seed: it seeds an unannounced run's sample and delays; add --pick N or --start-within DURATION"
    )]
    SeedAlone,
    #[error("open the journal")]
    Journal(#[from] super::journal::JournalError),
    #[error(
        "start: the journal {journal} shows {count} change(s) not verified as reverted (from an earlier run that crashed or was killed); run `driftdrill recover` first (`recover --list` shows them; `recover --forget DRILL --reason ...` settles one that can never be reverted)"
    )]
    Unrecovered { journal: String, count: usize },
    #[error("check the accounts and regions (nothing was changed)")]
    Guard(#[source] Box<PlaceError>),
    #[error("start the detectors")]
    Detector(#[from] detect::DetectorError),
    #[error("check the stop conditions (nothing was changed)")]
    Stop(#[source] Box<super::stop::StopError>),
    #[error("write the run record")]
    Record(#[source] std::io::Error),
}

impl RunError {
    pub(crate) fn exit_code(&self) -> i32 {
        match self {
            RunError::Load(_)
            | RunError::Invalid(_)
            | RunError::NoConfig
            | RunError::NothingToRun
            | RunError::SeedAlone => exit_codes::INVALID_INPUT,
            RunError::Unrecovered { .. } => exit_codes::REVERT_FAILED,
            _ => exit_codes::TOOL_ERROR,
        }
    }
}

/// Builds AWS clients from the config's `[aws]` section (LocalStack credentials only for a
/// loopback endpoint): the base credentials, before any environment's role.
pub(crate) async fn clients_for(config: &DrillConfig) -> AwsClients {
    AwsClients::new(&places::settings(config, None, None, "")).await
}

/// Loads and validates; every problem is printed and nothing runs if there is one.
pub fn load(opts: &RunOptions) -> Result<(DrillConfig, Vec<Scenario>), RunError> {
    if opts.selection.seed.is_some() && !opts.selection.unannounced() {
        return Err(RunError::SeedAlone);
    }
    let loaded = formats::load(opts.config.as_deref(), &opts.paths, &crate::catalogs::all())?;
    if !loaded.is_valid() {
        return Err(RunError::Invalid(crate::diag::render::text_all(
            &loaded.sources,
            &loaded.diagnostics,
        )));
    }
    let config = loaded.config.ok_or(RunError::NoConfig)?;
    let scenarios: Vec<Scenario> = loaded
        .scenarios
        .into_iter()
        .filter(|s| opts.only.is_empty() || opts.only.contains(&s.id.value))
        .filter(|s| opts.category.as_ref().is_none_or(|c| &s.category == c))
        .collect();
    if scenarios.is_empty() {
        return Err(RunError::NothingToRun);
    }
    Ok((config, scenarios))
}

/// Runs the drills and returns the record (already written), its path, and the uploads to S3
/// that failed (the local copy is kept whatever happens to them). The steps: load, plan, open
/// the journal, reach every place, start the detectors, run every drill, write the record.
pub async fn run_drills(
    opts: &RunOptions,
) -> Result<(RunRecord, PathBuf, Vec<crate::s3_records::S3RecordsError>), RunError> {
    let (config, mut scenarios) = load(opts)?;
    if let Some(d) = opts.discovery {
        d.expect_everything(&config, &mut scenarios, opts.max_drift_lifetime);
    }
    let started_at = Utc::now();
    let run_id = format!(
        "{}-{}",
        started_at.format("%Y%m%dT%H%M%SZ"),
        &uuid::Uuid::new_v4().simple().to_string()[..6]
    );
    let (planned, selection) = plan::select(plan::drills(&config, &scenarios), &opts.selection);
    let aws = clients_for(&config).await;
    let journal = open_clean_journal(&config)?;
    // Every account and region reached and allow-listed before any drill starts.
    let preflight = crate::calls::Tally::new();
    let places = places::connect(&config, &planned, &scenarios, &run_id, &preflight)
        .await
        .map_err(|e| RunError::Guard(Box::new(e)))?;
    let drills_planned = placed(planned, &places);
    let stops = StopConditions {
        decls: config.stop_conditions.clone(),
        dir: config.dir.clone(),
        aws: aws.clone(),
    };
    let phase = crate::calls::Phase::Preflight;
    crate::calls::during(&preflight, phase, stops.preflight())
        .await
        .map_err(|e| RunError::Stop(Box::new(e)))?;
    let starting = start_detectors(&config, &scenarios, &drills_planned, &places, &aws);
    let hub = crate::calls::during(&preflight, phase, starting).await?;
    // One account and region for the whole run, when there is one.
    let (account, region) = match places.as_slice() {
        [one] => (Some(one.account.clone()), one.region().map(String::from)),
        _ => (None, None),
    };
    let labels: Vec<String> = drills_planned
        .iter()
        .map(|(p, at)| format!("{}{}", scenarios[p.scenario].id.value, places[*at].suffix()))
        .collect();
    let (cx, stop) = run_context(opts, run_id.clone(), aws, config, hub, journal, &labels);
    let stopped_by = Arc::new(Mutex::new(None));
    let watching = stops.spawn(stop, stopped_by.clone());
    let (mut drills, false_alarms) = run_all(&cx, scenarios, places, drills_planned).await;
    watching.iter().for_each(|w| w.abort());
    let stopped_by = stopped_by.lock().expect("stop record lock").clone();
    if let Some(s) = &stopped_by {
        say_why_stopped(&mut drills, s);
    }
    let record = RunRecord {
        schema: SCHEMA.into(),
        run_id,
        tool_version: env!("CARGO_PKG_VERSION").into(),
        started_at,
        finished_at: Utc::now(),
        account,
        region,
        selection: (!selection.is_empty()).then_some(selection),
        exit_code: exit_codes::most_severe([
            match opts.discovery {
                Some(_) => super::discovery::exit_code_for(&drills),
                None => exit_code_for(&drills),
            },
            stopped_by
                .as_ref()
                .map_or(exit_codes::OK, |_| exit_codes::TOOL_ERROR),
        ]),
        drills,
        false_alarms,
        detector_health: cx.hub.health(),
        stopped_by,
        discovery: opts.discovery.is_some(),
        calls: preflight.counts(),
    };
    let path = record.write(&opts.out_dir).map_err(RunError::Record)?;
    let failed = upload(&cx.aws, &opts.out_s3, &record).await;
    Ok((record, path, failed))
}

/// Every drill the stop condition interrupted says so.
fn say_why_stopped(drills: &mut [DrillRecord], s: &StopRecord) {
    let why = format!(
        "stopped by {} at {}: {}",
        s.name,
        s.at.to_rfc3339(),
        s.detail
    );
    for d in drills
        .iter_mut()
        .filter(|d| d.status == DrillStatus::Interrupted)
    {
        d.detail = Some(match &d.detail {
            Some(detail) => format!("{why}; {detail}"),
            None => why.clone(),
        });
    }
}

/// Opens and locks the journal, refusing to start while it holds an unverified change.
fn open_clean_journal(config: &DrillConfig) -> Result<Journal, RunError> {
    let journal_path = config.resolve(&config.safety.journal);
    let journal = Journal::open(&journal_path)?;
    journal.warn()?;
    let open = journal.unfinished()?;
    if !open.is_empty() {
        return Err(RunError::Unrecovered {
            journal: journal_path.display().to_string(),
            count: open.len(),
        });
    }
    Ok(journal)
}

/// How long the first of a burst of coalesced reads waits for the others where several drills
/// share a place: a few milliseconds against the tens a call takes, so a burst of drills makes
/// one call instead of two (the first alone, then the rest).
const COALESCE_WINDOW: std::time::Duration = std::time::Duration::from_millis(5);

/// Places where more than one drill runs coalesce their reads within [`COALESCE_WINDOW`]; a
/// place with one drill reads at once.
fn share_reads(places: &[Place], drills: &[(plan::Planned, usize)]) {
    for (at, place) in places.iter().enumerate() {
        if drills.iter().filter(|(_, p)| *p == at).count() > 1 {
            place.aws.coalesce_within(COALESCE_WINDOW);
        }
    }
}

/// Each planned drill with the index of the place it runs in.
fn placed(planned: Vec<plan::Planned>, places: &[Place]) -> Vec<(plan::Planned, usize)> {
    planned
        .into_iter()
        .map(|p| {
            let at = places
                .iter()
                .position(|place| {
                    place.environment == p.environment
                        && (p.region.is_none() || place.region() == p.region.as_deref())
                })
                .expect("connect reached every planned place");
            (p, at)
        })
        .collect()
}

/// Builds every detector and channel the planned drills expect and starts the hub, saying
/// which cannot answer and where channels listen.
async fn start_detectors(
    config: &DrillConfig,
    scenarios: &[Scenario],
    drills: &[(plan::Planned, usize)],
    places: &[Place],
    aws: &AwsClients,
) -> Result<Hub, RunError> {
    let in_plan: Vec<&Scenario> = {
        let mut seen: Vec<usize> = drills.iter().map(|(p, _)| p.scenario).collect();
        seen.sort_unstable();
        seen.dedup();
        seen.into_iter().map(|i| &scenarios[i]).collect()
    };
    let mut built = Vec::new();
    for name in drill::expected_detectors(in_plan) {
        // A `[[remediator]]` runs outside driftdrill: nothing to start.
        let Some(decl) = config.detector(&name) else {
            continue;
        };
        let spec = detect::find(&decl.kind).expect("validated");
        let detector = (spec.build)(
            &decl.settings,
            &BuildCx {
                name: &name,
                base_dir: &config.dir,
                aws: detector_clients(decl, places).unwrap_or(aws),
            },
        )?;
        built.push(HubEntry {
            name: name.clone(),
            kind: decl.kind.clone(),
            role: decl.role,
            built: detector,
        });
    }
    let hub = Hub::start(built).await;
    for h in hub.health() {
        if let Some(why) = &h.unavailable {
            let what = match h.role {
                Role::Channel => "channel",
                Role::Detector => "detector",
            };
            let _ = writeln!(
                std::io::stderr(),
                "{what} {} cannot answer: {why}; drills expecting it will be skipped",
                h.name
            );
        }
    }
    for (name, address) in &hub.addresses {
        let _ = writeln!(std::io::stderr(), "channel {name} listening on {address}");
    }
    Ok(hub)
}

/// What every drill shares, with this run's options applied (concurrency, dry run, the
/// lifetime cap, the window floor) and the stop signal wired to Ctrl-C and SIGTERM.
fn run_context(
    opts: &RunOptions,
    run_id: String,
    aws: AwsClients,
    mut config: DrillConfig,
    hub: Hub,
    journal: Journal,
    labels: &[String],
) -> (Arc<RunCx>, watch::Sender<bool>) {
    let (stop_tx, stop) = watch::channel(false);
    spawn_signal_handler(stop_tx.clone());
    let concurrency = opts
        .concurrency
        .unwrap_or(config.safety.max_concurrent as usize)
        .max(1);
    if let Some(cap) = opts.max_drift_lifetime {
        config.safety.max_drift_lifetime = config.safety.max_drift_lifetime.min(cap);
    }
    let mut cx = RunCx::new(run_id, aws, config, hub, journal, stop);
    cx.dry_run = opts.dry_run;
    cx.discovery = opts.discovery.is_some();
    cx.min_window = opts.min_window.unwrap_or_default();
    cx.progress = Progress::new(labels);
    cx.slots = Semaphore::new(concurrency);
    (Arc::new(cx), stop_tx)
}

/// Runs every drill (each takes one of the run's slots itself, see `RunCx::slots`), watching
/// for false alarms meanwhile; then cancels and awaits every poll still in flight.
async fn run_all(
    cx: &Arc<RunCx>,
    scenarios: Vec<Scenario>,
    places: Vec<Place>,
    drills_planned: Vec<(plan::Planned, usize)>,
) -> (Vec<DrillRecord>, Vec<FalseAlarm>) {
    share_reads(&places, &drills_planned);
    let false_alarms = Arc::new(Mutex::new(Vec::<FalseAlarm>::new()));
    let (scenarios, places) = (Arc::new(scenarios), Arc::new(places));
    let alarm_task = spawn_false_alarm_watch(cx.clone(), false_alarms.clone());
    let mut tasks = Vec::new();
    for (planned, at) in drills_planned {
        let (cx, scenarios, places) = (cx.clone(), scenarios.clone(), places.clone());
        tasks.push(tokio::spawn(async move {
            drill::run_drill(&cx, &scenarios[planned.scenario], &planned, &places[at]).await
        }));
    }
    let mut drills = Vec::new();
    for t in tasks {
        drills.push(t.await.expect("drill task panicked"));
    }
    alarm_task.abort();
    // Every poll still in flight is cancelled and awaited before the run is over.
    cx.hub.shutdown().await;
    cx.progress.finish();
    let alarms = false_alarms.lock().expect("alarms").clone();
    (drills, alarms)
}

/// Uploads the record to every `--out s3://...` prefix; returns the uploads that failed.
async fn upload(
    aws: &AwsClients,
    urls: &[crate::s3_records::S3Url],
    record: &RunRecord,
) -> Vec<crate::s3_records::S3RecordsError> {
    let mut failed = Vec::new();
    for url in urls {
        let body = serde_json::to_vec_pretty(record).expect("record serialises");
        let name = format!("{}.json", record.run_id);
        match crate::s3_records::upload(aws, url, &name, body).await {
            Ok(()) => {
                let _ = writeln!(std::io::stderr(), "run record uploaded: {url}{name}");
            }
            Err(e) => failed.push(e),
        }
    }
    failed
}

/// A detector watching one environment polls with that environment's clients (its first
/// region); one watching several, or all, uses the base credentials.
fn detector_clients<'a>(
    decl: &crate::formats::config::DetectorDecl,
    places: &'a [Place],
) -> Option<&'a AwsClients> {
    if decl.environments.is_empty() {
        return None;
    }
    let mut watched = places
        .iter()
        .filter(|p| decl.watches(p.environment.as_deref()));
    let first = watched.next()?;
    watched
        .all(|p| p.environment == first.environment)
        .then_some(&first.aws)
}

/// The most severe outcome wins: revert failure, tool error, miss, success.
pub(crate) fn exit_code_for(drills: &[DrillRecord]) -> i32 {
    let codes = drills.iter().map(|d| {
        if d.revert.as_ref().is_some_and(|r| !r.verified) {
            return exit_codes::REVERT_FAILED;
        }
        match d.status {
            DrillStatus::Failed
            | DrillStatus::Refused
            | DrillStatus::Interrupted
            | DrillStatus::SkippedBaselineDirty
            | DrillStatus::SkippedDetectorUnavailable => exit_codes::TOOL_ERROR,
            DrillStatus::DryRun => exit_codes::OK,
            DrillStatus::Completed => {
                let outcomes = d.expectations.iter().map(|e| match e.outcome {
                    Outcome::DetectedWithinSla | Outcome::Suppressed => exit_codes::OK,
                    Outcome::DetectedLate
                    | Outcome::Missed
                    | Outcome::Leaked
                    | Outcome::Inconclusive => exit_codes::DETECTION_MISSED,
                    Outcome::DetectorError | Outcome::BaselineDirty | Outcome::NotObserved => {
                        exit_codes::TOOL_ERROR
                    }
                });
                let remediation = d.remediation.as_ref().map(remediation_code);
                exit_codes::most_severe(outcomes.chain(remediation))
            }
        }
    });
    exit_codes::most_severe(codes)
}

/// An expected remediation judged like a detection: in time passes, late or not remediated is
/// a miss, a remediator error is a tool error. An unexpected one is measured, never judged.
fn remediation_code(m: &crate::record::RemediationRecord) -> i32 {
    use crate::record::RemediationOutcome as R;
    match m.outcome {
        _ if !m.expected() || m.within_sla() => exit_codes::OK,
        R::Restored | R::RemediatedDifferently | R::NotRemediated | R::Inconclusive => {
            exit_codes::DETECTION_MISSED
        }
        R::RemediatorError | R::NotObserved => exit_codes::TOOL_ERROR,
    }
}

/// First Ctrl-C/SIGTERM: stop observing and revert. Second: exit at once; the journal keeps
/// what `recover` needs.
fn spawn_signal_handler(stop: watch::Sender<bool>) {
    tokio::spawn(async move {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("SIGTERM handler");
        let mut signals = 0;
        loop {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            signals += 1;
            if signals == 1 {
                // Never eprintln! here: a closed stderr would panic before the stop is sent.
                let _ = writeln!(
                    std::io::stderr(),
                    "\nstopping: reverting every drill in flight (signal again to exit at once and leave the rest to `driftdrill recover`)"
                );
                let _ = stop.send(true);
            } else {
                let _ = writeln!(
                    std::io::stderr(),
                    "exiting now; run `driftdrill recover` to revert what is still in the journal"
                );
                // Even now no detector's program outlives driftdrill.
                crate::process::stop_all(std::time::Duration::from_secs(3));
                std::process::exit(exit_codes::REVERT_FAILED);
            }
        }
    });
}

/// Counts observations that name no resource any drill of this run touched.
fn spawn_false_alarm_watch(
    cx: Arc<RunCx>,
    alarms: Arc<Mutex<Vec<FalseAlarm>>>,
) -> tokio::task::JoinHandle<()> {
    let mut events = cx.hub.subscribe();
    tokio::spawn(async move {
        let mut reported = std::collections::BTreeSet::new();
        while let Ok(event) = events.recv().await {
            let (detector, observations) = match &*event {
                Event::Poll {
                    detector,
                    result: Ok(obs),
                    ..
                } => (detector, obs.clone()),
                Event::Alert {
                    detector,
                    observation,
                } => (detector, vec![observation.clone()]),
                _ => continue,
            };
            let known = cx.hub.touched();
            for obs in observations {
                if matching::names_any(&obs, &known) {
                    continue;
                }
                let key = (detector.clone(), obs.resources.clone(), obs.text.clone());
                if reported.insert(key) {
                    alarms.lock().expect("alarms").push(FalseAlarm {
                        detector: detector.clone(),
                        at: obs.at,
                        resources: obs.resources.clone(),
                        evidence: obs.evidence.chars().take(500).collect(),
                    });
                }
            }
        }
    })
}
