//! The report over time: the trend against the previous period (coverage, new and fixed gaps)
//! and the coverage of every earlier quarter.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::period::{Period, completed, in_period};
use super::tally::Tally;
use crate::record::{Outcome, RunRecord};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trend {
    pub period: String,
    pub overall_coverage_pct: Option<f64>,
    pub detector_coverage_pct: BTreeMap<String, Option<f64>>,
    /// scenario/detector pairs that met the SLA last period but not now.
    pub new_gaps: Vec<String>,
    /// scenario/detector pairs that failed last period and meet the SLA now.
    pub fixed_gaps: Vec<String>,
}

/// The trend against the period before `period`, if any record falls in it.
pub(crate) fn against_previous(
    all: &[RunRecord],
    records: &[&RunRecord],
    period: &Period,
) -> Option<Trend> {
    let previous = period.previous();
    let before = in_period(all, &previous);
    (!before.is_empty()).then(|| {
        let (overall, detectors) = coverage(&before);
        let (now_results, then_results) = (results(records), results(&before));
        let key = |(s, d): &(String, String)| format!("{s}/{d}");
        Trend {
            period: previous.label.clone(),
            overall_coverage_pct: overall.coverage_pct(),
            detector_coverage_pct: detectors
                .iter()
                .map(|(name, tally)| (name.clone(), tally.coverage_pct()))
                .collect(),
            new_gaps: now_results
                .iter()
                .filter(|(k, o)| {
                    !matches!(o, Outcome::DetectedWithinSla | Outcome::BaselineDirty)
                        && then_results.get(*k) == Some(&Outcome::DetectedWithinSla)
                })
                .map(|(k, _)| key(k))
                .collect(),
            fixed_gaps: now_results
                .iter()
                .filter(|(k, o)| {
                    **o == Outcome::DetectedWithinSla
                        && then_results
                            .get(*k)
                            .is_some_and(|t| *t != Outcome::DetectedWithinSla)
                })
                .map(|(k, _)| key(k))
                .collect(),
        }
    })
}

/// The tallies behind a period's coverage: overall and per detector (expected detections of
/// drills that count, as the report counts them).
fn coverage(records: &[&RunRecord]) -> (Tally, BTreeMap<String, Tally>) {
    let mut overall = Tally::default();
    let mut detectors: BTreeMap<String, Tally> = BTreeMap::new();
    for r in records {
        for d in r.drills.iter().filter(|d| completed(d)) {
            for e in d.expectations.iter().filter(|e| !e.silent) {
                overall.add(e.outcome);
                detectors
                    .entry(e.detector.clone())
                    .or_default()
                    .add(e.outcome);
            }
        }
    }
    (overall, detectors)
}

/// Results per (scenario, detector) of one period, latest run last (expected ones only).
fn results(records: &[&RunRecord]) -> BTreeMap<(String, String), Outcome> {
    let mut out = BTreeMap::new();
    for r in records {
        for d in &r.drills {
            for e in d.expectations.iter().filter(|e| !e.silent) {
                out.insert((d.label(), e.detector.clone()), e.outcome);
            }
        }
    }
    out
}

/// Overall coverage per quarter with records, oldest first, ending at `period`.
pub fn history(all: &[RunRecord], period: &Period) -> Vec<(String, Option<f64>)> {
    let quarters: BTreeSet<String> = all
        .iter()
        .filter(|r| r.started_at < period.end && !r.discovery)
        .map(|r| Period::containing(r.started_at).label)
        .collect();
    quarters
        .into_iter()
        .filter_map(|label| Period::parse_quarter(&label).ok())
        .map(|q| {
            let (tally, _) = coverage(&in_period(all, &q));
            (q.label, tally.coverage_pct())
        })
        .collect()
}
