//! The report model, computed once from run records and shared by every format: coverage
//! matrix, MTTD statistics (polled brackets kept), SLA gaps with a suggested next step, false
//! alarms, skips, revert outcomes, and the trend against the previous period.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::period::{Period, completed, in_period};
use crate::inject::RevertKind;
use crate::record::{DrillRecord, DrillStatus, ExpectationRecord, FalseAlarm, Outcome, RunRecord};
use crate::record::{SettledChange, Settlement, StopRecord};
use crate::vocab::Role;

pub(crate) use super::tally::{Cell, Stats, Tally};
pub(crate) use super::text::{human, one_line, pct};
pub use super::trend::Trend;

pub(crate) const SCHEMA: &str = "driftdrill.report/v1";

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DetectorSummary {
    pub name: String,
    pub role: Role,
    pub tally: Tally,
    pub coverage_pct: Option<f64>,
    pub mttd: Stats,
    /// Every detection time (upper bound), sorted: the distribution the HTML report plots.
    pub samples_secs: Vec<f64>,
}

/// Time to clear of one detector: how long it kept reporting drift after verified reverts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClearSummary {
    /// Detections whose time to clear was measured (`clear_within` set).
    pub measured: usize,
    /// Of those, how many were still reported when `clear_within` ran out.
    pub not_cleared: usize,
    /// Over the cleared ones: upper ends of the brackets, and the widest bracket.
    pub cleared: Stats,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MatrixRow {
    pub category: String,
    pub action: String,
    pub cells: BTreeMap<String, Cell>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Gap {
    pub scenario: String,
    pub detector: String,
    pub outcome: Outcome,
    /// The outcome in words, with failed polls ("missed, 4 of 12 polls failed").
    pub result: String,
    pub mttd_secs: Option<f64>,
    pub sla_secs: f64,
    pub evidence: Option<String>,
    pub suggestion: String,
    pub run_id: String,
}

/// One expected-negative result: a detector that had to stay silent about a drilled resource.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suppression {
    pub scenario: String,
    pub detector: String,
    /// `suppressed` (held), `leaked` or `detector_error`.
    pub outcome: Outcome,
    /// How long it had to stay silent.
    pub window_secs: f64,
    /// How far past the window observation went to wait for a complete poll.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stretched_secs: Option<f64>,
    pub polls: u32,
    pub errors: u32,
    /// What leaked, or why it could not answer.
    pub evidence: Option<String>,
    pub run_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Skip {
    pub scenario: String,
    pub status: DrillStatus,
    pub detail: Option<String>,
    pub run_id: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Reverts {
    pub verified: usize,
    pub conflicts: usize,
    pub failed: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub schema: &'static str,
    pub generated_at: DateTime<Utc>,
    pub period: String,
    pub runs: usize,
    /// `driftdrill discover` runs in the period: read, never counted as coverage.
    #[serde(skip_serializing_if = "is_zero")]
    pub discovery_runs: usize,
    pub drills: usize,
    pub accounts: Vec<String>,
    pub overall_coverage_pct: Option<f64>,
    pub detectors: Vec<DetectorSummary>,
    pub categories: BTreeMap<String, Stats>,
    /// Time to clear per detector, for detectors whose drills asked for it.
    pub clear: BTreeMap<String, ClearSummary>,
    pub matrix: Vec<MatrixRow>,
    pub gaps: Vec<Gap>,
    /// Expected negatives: detectors that had to stay silent, and whether they did.
    pub suppressions: Vec<Suppression>,
    /// Every detector's and channel's polls, failures and poll durations.
    pub health: Vec<super::health::HealthSummary>,
    /// Per expected detector: the SLAs it was held to beside its interval and median poll.
    pub held_to: Vec<super::feasibility::HeldTo>,
    /// SLAs shorter than their detector's interval plus median poll: never met, whatever it does.
    pub infeasible: Vec<super::feasibility::Infeasible>,
    pub false_alarms: Vec<FalseAlarm>,
    pub skips: Vec<Skip>,
    pub reverts: Reverts,
    /// Changes `recover` settled without a verified revert: forgotten ones (unresolved drift,
    /// listed whenever they were forgotten, up to the period's end) and targets found gone
    /// within the period. Filled by [`Report::with_settlements`].
    pub settled: Vec<SettledChange>,
    pub trend: Option<Trend>,
    /// Every scenario × expectation of the period, for JUnit and other per-case tools.
    pub cases: Vec<Case>,
    /// Overall coverage of every quarter with records, oldest first, up to this period.
    pub history: Vec<(String, Option<f64>)>,
    /// Coverage per `[[environment]]` (empty without environments).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub environments: Vec<super::spread::EnvironmentSummary>,
    /// Announced against unannounced time to detect (empty without unannounced drills).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub announcement: Vec<super::spread::Announcement>,
    /// Time to remediate per expected remediator (empty when no drill expected one).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub remediators: Vec<super::remediation::RemediatorSummary>,
    /// Every drill whose change was remediated, or expected to be.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub remediations: Vec<super::remediation::RemediationRow>,
    /// Every completed drill: change → detected → alerted → remediated or reverted.
    pub timeline: Vec<super::remediation::TimelineRow>,
    /// The period's median times to detect and to remediate against the reference tiers.
    pub standing: Standing,
    /// Runs a stop condition stopped: the run id and what fired.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub stopped: Vec<(String, StopRecord)>,
    /// The AWS calls the period's drills made (none for records from before they were counted).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub calls: Option<super::calls::CallsSummary>,
}

/// Where the period's median times stand against [`super::remediation::TIERS`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Standing {
    /// Median time to detect over every detection by a detector (channels left out).
    pub mttd_p50_secs: Option<f64>,
    /// Median time to remediate over every remediation by an expected remediator.
    pub mttr_p50_secs: Option<f64>,
    pub tiers: &'static [super::remediation::Tier],
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Case {
    pub scenario: String,
    pub title: String,
    pub category: String,
    pub detector: String,
    /// An expected negative: passes when the detector stayed silent.
    pub silent: bool,
    pub outcome: Outcome,
    /// The outcome in words, with failed polls ("missed, 4 of 12 polls failed").
    pub result: String,
    pub mttd_secs: Option<f64>,
    pub sla_secs: f64,
    pub evidence: Option<String>,
    pub run_id: String,
}

/// The median duration of a detector's polls in one run, from the run's detector health.
fn median_poll(r: &RunRecord, detector: &str) -> Option<f64> {
    let h = r.detector_health.iter().find(|h| h.name == detector)?;
    h.median_poll_secs()
}

/// Builds the report of `period` from every record given (earlier periods feed the trend).
pub fn build(all: &[RunRecord], period: &Period, generated_at: DateTime<Utc>) -> Report {
    let records = in_period(all, period);
    let mut acc = Accumulator::default();
    for r in &records {
        acc.accounts.extend(r.account.clone());
        acc.accounts
            .extend(r.drills.iter().filter_map(|d| d.account.clone()));
        acc.false_alarms.extend(r.false_alarms.iter().cloned());
        for d in &r.drills {
            acc.drill(r, d);
        }
    }
    acc.fill_matrix();
    let trend = super::trend::against_previous(all, &records, period);
    let health = super::health::summaries(&records);
    let held_to = super::feasibility::held_to(&records, &health);
    let (remediators, remediations) = super::remediation::build(&records);
    let standing = Standing {
        mttd_p50_secs: acc.detection_median(),
        mttr_p50_secs: median(
            remediators
                .iter()
                .flat_map(|r| r.samples_secs.iter().copied()),
        ),
        tiers: &super::remediation::TIERS,
    };
    Report {
        schema: SCHEMA,
        generated_at,
        period: period.label.clone(),
        runs: records.len(),
        discovery_runs: super::period::discoveries(all, period),
        drills: acc.drills,
        accounts: acc.accounts.iter().cloned().collect(),
        overall_coverage_pct: acc.overall.coverage_pct(),
        detectors: acc.detector_summaries(),
        categories: acc
            .categories
            .iter()
            .map(|(c, s)| (c.clone(), Stats::of(s)))
            .collect(),
        clear: acc.clear_summaries(),
        matrix: acc
            .matrix
            .into_iter()
            .map(|((category, action), cells)| MatrixRow {
                category,
                action,
                cells,
            })
            .collect(),
        gaps: acc.gaps,
        suppressions: acc.suppressions,
        health,
        infeasible: super::feasibility::infeasible(&held_to),
        held_to,
        false_alarms: acc.false_alarms,
        skips: acc.skips,
        reverts: acc.reverts,
        settled: Vec::new(),
        trend,
        cases: acc.cases,
        history: super::trend::history(all, period),
        environments: super::spread::environments(&records),
        announcement: super::spread::announcement(&records),
        remediators,
        remediations,
        timeline: super::remediation::timeline(&records),
        standing,
        stopped: records
            .iter()
            .filter_map(|r| Some((r.run_id.clone(), r.stopped_by.clone()?)))
            .collect(),
        calls: super::calls::summary(&records),
    }
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// The median of some times (the lower middle one for an even count).
fn median(samples: impl Iterator<Item = f64>) -> Option<f64> {
    let mut all: Vec<f64> = samples.collect();
    all.sort_by(f64::total_cmp);
    all.get(all.len().checked_sub(1)? / 2).copied()
}

/// Per detector: its role, its tally, and (time to detect, bracket width) per detection.
type PerDetector = (Role, Tally, Vec<(f64, f64)>);

/// What the report counts, drill by drill and expectation by expectation.
#[derive(Default)]
struct Accumulator {
    detectors: BTreeMap<String, PerDetector>,
    categories: BTreeMap<String, Vec<(f64, f64)>>,
    clear: BTreeMap<String, (usize, Vec<(f64, f64)>)>,
    matrix: BTreeMap<(String, String), BTreeMap<String, Cell>>,
    gaps: Vec<Gap>,
    suppressions: Vec<Suppression>,
    skips: Vec<Skip>,
    cases: Vec<Case>,
    reverts: Reverts,
    overall: Tally,
    false_alarms: Vec<FalseAlarm>,
    accounts: BTreeSet<String>,
    drills: usize,
}

impl Accumulator {
    /// The median time to detect over every detector's detections.
    fn detection_median(&self) -> Option<f64> {
        let detectors = self.detectors.values().filter(|d| d.0 == Role::Detector);
        median(detectors.flat_map(|d| d.2.iter().map(|s| s.0)))
    }

    /// One drill: its revert, whether it was skipped, and every expectation of it.
    fn drill(&mut self, r: &RunRecord, d: &DrillRecord) {
        self.drills += 1;
        if let Some(rv) = &d.revert {
            match (rv.verified, rv.kind) {
                (false, _) => self.reverts.failed += 1,
                (true, Some(RevertKind::ConflictOursUndone | RevertKind::ConflictLeftAlone)) => {
                    self.reverts.conflicts += 1
                }
                (true, _) => self.reverts.verified += 1,
            }
        }
        if !completed(d) || d.status == DrillStatus::SkippedBaselineDirty {
            self.skips.push(Skip {
                scenario: d.label(),
                status: d.status,
                detail: d.detail.clone(),
                run_id: r.run_id.clone(),
            });
        }
        if !completed(d) {
            return;
        }
        // Every drill that ran has its row, even one whose detectors all had to stay silent.
        self.matrix
            .entry((d.category.clone(), d.action.clone()))
            .or_default();
        for e in &d.expectations {
            self.cases.push(Case {
                scenario: d.label(),
                title: d.title.clone(),
                category: d.category.clone(),
                detector: e.detector.clone(),
                silent: e.silent,
                outcome: e.outcome,
                result: e.result_text(),
                mttd_secs: e.mttd_secs,
                sla_secs: e.sla_secs,
                evidence: e.evidence.clone(),
                run_id: r.run_id.clone(),
            });
            if e.silent {
                self.suppression(r, d, e);
            } else {
                self.expectation(r, d, e);
            }
        }
    }

    /// A silent expectation: a suppression, never coverage.
    fn suppression(&mut self, r: &RunRecord, d: &DrillRecord, e: &ExpectationRecord) {
        self.suppressions.push(Suppression {
            scenario: d.label(),
            detector: e.detector.clone(),
            outcome: e.outcome,
            window_secs: e.window_secs.unwrap_or(e.sla_secs),
            stretched_secs: e.stretched_secs,
            polls: e.polls,
            errors: e.errors,
            evidence: match e.outcome {
                Outcome::DetectorError | Outcome::Inconclusive => e.last_error.clone(),
                _ => e.evidence.clone(),
            },
            run_id: r.run_id.clone(),
        });
    }

    /// An expected detection: its tallies, times, matrix cell and, when not met, a gap.
    fn expectation(&mut self, r: &RunRecord, d: &DrillRecord, e: &ExpectationRecord) {
        let entry = self
            .detectors
            .entry(e.detector.clone())
            .or_insert_with(|| (e.role, Tally::default(), Vec::new()));
        entry.1.add(e.outcome);
        self.overall.add(e.outcome);
        if let Some(m) = e.mttd_secs {
            let width = e.bracket_secs.map_or(0.0, |(lo, hi)| hi - lo);
            entry.2.push((m, width));
            if e.role == Role::Detector {
                self.categories
                    .entry(d.category.clone())
                    .or_default()
                    .push((m, width));
            }
        }
        if let Some(c) = &e.clear {
            let entry = self.clear.entry(e.detector.clone()).or_default();
            match c.bracket_secs {
                Some((lo, hi)) if c.cleared => entry.1.push((hi, hi - lo)),
                _ => entry.0 += 1,
            }
        }
        self.matrix_cell(d, e);
        if e.outcome != Outcome::DetectedWithinSla {
            self.gaps.push(Gap {
                scenario: d.label(),
                detector: e.detector.clone(),
                outcome: e.outcome,
                result: e.result_text(),
                mttd_secs: e.mttd_secs,
                sla_secs: e.sla_secs,
                evidence: e.evidence.clone(),
                suggestion: super::advice::next_step(&d.action, e, median_poll(r, &e.detector)),
                run_id: r.run_id.clone(),
            });
        }
    }

    /// The category × action matrix's cell for this detector: its latest result.
    fn matrix_cell(&mut self, d: &DrillRecord, e: &ExpectationRecord) {
        let status = match e.outcome {
            Outcome::DetectedWithinSla => "caught",
            Outcome::DetectedLate => "late",
            Outcome::Missed => "missed",
            Outcome::BaselineDirty => "dirty",
            Outcome::DetectorError | Outcome::NotObserved => "error",
            Outcome::Inconclusive => "inconclusive",
            Outcome::Suppressed | Outcome::Leaked => unreachable!("silent: never in the matrix"),
        };
        let cell = self
            .matrix
            .entry((d.category.clone(), d.action.clone()))
            .or_default()
            .entry(e.detector.clone())
            .or_insert_with(|| Cell::empty(""));
        cell.status = status.into();
        cell.mttd_secs = e.mttd_secs;
        cell.runs += 1;
        cell.caught += usize::from(e.outcome == Outcome::DetectedWithinSla);
        cell.samples.extend(e.mttd_secs);
    }

    /// Every detector gets a cell in every row ("not expected" where it was not), and each
    /// cell its median.
    fn fill_matrix(&mut self) {
        let names: Vec<String> = self.detectors.keys().cloned().collect();
        for cells in self.matrix.values_mut() {
            for name in &names {
                cells
                    .entry(name.clone())
                    .or_insert_with(|| Cell::empty("not expected"));
            }
            for cell in cells.values_mut() {
                cell.p50_secs =
                    Stats::of(&cell.samples.iter().map(|s| (*s, 0.0)).collect::<Vec<_>>()).p50_secs;
            }
        }
    }

    fn detector_summaries(&self) -> Vec<DetectorSummary> {
        self.detectors
            .iter()
            .map(|(name, (role, tally, samples))| {
                let mut sorted: Vec<f64> = samples.iter().map(|s| s.0).collect();
                sorted.sort_by(f64::total_cmp);
                DetectorSummary {
                    name: name.clone(),
                    role: *role,
                    coverage_pct: tally.coverage_pct(),
                    tally: tally.clone(),
                    mttd: Stats::of(samples),
                    samples_secs: sorted,
                }
            })
            .collect()
    }

    fn clear_summaries(&self) -> BTreeMap<String, ClearSummary> {
        self.clear
            .iter()
            .map(|(name, (not_cleared, samples))| {
                let summary = ClearSummary {
                    measured: not_cleared + samples.len(),
                    not_cleared: *not_cleared,
                    cleared: Stats::of(samples),
                };
                (name.clone(), summary)
            })
            .collect()
    }
}

impl Report {
    /// Adds what `recover` settled: every forgotten change up to the period's end (drift may
    /// remain on it, so it never drops out of the report) and the targets found gone in it.
    pub fn with_settlements(mut self, settled: Vec<SettledChange>, period: &Period) -> Report {
        self.settled = settled
            .into_iter()
            .filter(|s| match s.settled {
                Settlement::Forgotten => s.at < period.end,
                Settlement::TargetGone => period.contains(s.at),
            })
            .collect();
        self
    }

    /// Forgotten changes: drift that may remain.
    pub fn forgotten(&self) -> impl Iterator<Item = &SettledChange> {
        self.settled
            .iter()
            .filter(|s| s.settled == Settlement::Forgotten)
    }

    /// How many changes were settled because their target was gone.
    pub fn targets_gone(&self) -> usize {
        self.settled
            .iter()
            .filter(|s| s.settled == Settlement::TargetGone)
            .count()
    }
}
