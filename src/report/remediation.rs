//! Time to remediate: per remediator, how often the drill's change was undone and how fast; per
//! drill, what became of the change; and where the period's measured times stand against the
//! three reference tiers of drift handling (manual, scheduled, event-driven).

use std::collections::BTreeMap;

use serde::Serialize;

use super::period::completed;
use super::tally::Stats;
use crate::record::{RemediationOutcome, RunRecord};
use crate::vocab::Role;

/// What an unexpected remediation is attributed to.
pub(crate) const SOMETHING_ELSE: &str = "something else (not expected)";

/// One remediator (or set of remediators a scenario expected together).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RemediatorSummary {
    pub name: String,
    /// Drills that expected it.
    pub expected: usize,
    pub within_sla: usize,
    pub late: usize,
    /// Of the remediated ones, how many left the resource different from its snapshot.
    pub differently: usize,
    pub not_remediated: usize,
    pub errors: usize,
    pub inconclusive: usize,
    /// Remediated in time over the drills judged (errors and inconclusive ones left out).
    pub coverage_pct: Option<f64>,
    pub mttr: Stats,
    /// Every time to remediate (upper bound), sorted.
    pub samples_secs: Vec<f64>,
}

/// One drill whose change was (or was expected to be) remediated.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RemediationRow {
    pub scenario: String,
    pub remediators: String,
    pub outcome: RemediationOutcome,
    /// The outcome in words ("restored in 12.0 s, late").
    pub result: String,
    pub mttr_secs: Option<f64>,
    pub bracket_secs: Option<(f64, f64)>,
    pub sla_secs: Option<f64>,
    /// How the resource differs from its snapshot, for `remediated_differently`.
    pub difference: Option<String>,
    pub run_id: String,
}

/// One drill's timeline, in seconds from the confirmed change: first detection, first alert,
/// remediation (or the drill's own revert).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimelineRow {
    pub scenario: String,
    /// The first detector to catch it, and when.
    pub detected: Option<(String, f64)>,
    /// The first alert channel to receive it, and when.
    pub alerted: Option<(String, f64)>,
    /// What remediated it ("something else" when none was expected), and when.
    pub remediated: Option<(String, f64)>,
    /// When the drill's own revert was verified (none when it was not).
    pub reverted_secs: Option<f64>,
    pub run_id: String,
}

/// Every completed drill's timeline.
pub fn timeline(records: &[&RunRecord]) -> Vec<TimelineRow> {
    let mut rows = Vec::new();
    for r in records {
        for d in r.drills.iter().filter(|d| completed(d)) {
            let first = |role: Role| {
                d.expectations
                    .iter()
                    .filter(|e| e.role == role && !e.silent)
                    .filter_map(|e| Some((e.detector.clone(), e.mttd_secs?)))
                    .min_by(|a, b| a.1.total_cmp(&b.1))
            };
            let remediated = d.remediation.as_ref().and_then(|m| {
                let by = if m.expected() {
                    m.remediators.join(", ")
                } else {
                    "something else".to_string()
                };
                Some((by, m.mttr_secs?))
            });
            let verified = d.revert.as_ref().is_some_and(|v| v.verified);
            let reverted_secs = match (d.confirmed_at, d.reverted_at) {
                (Some(c), Some(v)) if verified => Some((v - c).as_seconds_f64().max(0.0)),
                _ => None,
            };
            rows.push(TimelineRow {
                scenario: d.label(),
                detected: first(Role::Detector),
                alerted: first(Role::Channel),
                remediated,
                reverted_secs,
                run_id: r.run_id.clone(),
            });
        }
    }
    rows
}

/// A reference tier: typical times to detect and to remediate of one way of handling drift.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tier {
    pub name: &'static str,
    pub mttd_secs: f64,
    pub mttr_secs: f64,
}

/// Manual, scheduled and event-driven drift handling, as teams compare them.
pub const TIERS: [Tier; 3] = [
    Tier {
        name: "manual",
        mttd_secs: 264.0 * 3600.0,
        mttr_secs: 18.5 * 3600.0,
    },
    Tier {
        name: "scheduled",
        mttd_secs: 14.0 * 3600.0,
        mttr_secs: 6.8 * 3600.0,
    },
    Tier {
        name: "event-driven",
        mttd_secs: 0.8 * 3600.0,
        mttr_secs: 2.1 * 3600.0,
    },
];

/// The best tier a measured time reaches: the fastest whose time it is within.
pub fn tier_of(secs: f64, of: impl Fn(&Tier) -> f64) -> &'static str {
    TIERS
        .iter()
        .rev()
        .find(|t| secs <= of(t))
        .map_or("slower than manual", |t| t.name)
}

/// Every completed drill's remediation, and the per-remediator summaries.
pub fn build(records: &[&RunRecord]) -> (Vec<RemediatorSummary>, Vec<RemediationRow>) {
    let mut per: BTreeMap<String, (RemediatorSummary, Vec<(f64, f64)>)> = BTreeMap::new();
    let mut rows = Vec::new();
    for r in records {
        for d in r.drills.iter().filter(|d| completed(d)) {
            let Some(m) = &d.remediation else { continue };
            let name = if m.expected() {
                m.remediators.join(", ")
            } else {
                SOMETHING_ELSE.to_string()
            };
            if m.expected() {
                let (summary, samples) = per.entry(name.clone()).or_default();
                count(summary, m);
                if let (Some(t), Some((lo, hi))) = (m.mttr_secs, m.bracket_secs) {
                    samples.push((t, hi - lo));
                }
            }
            rows.push(RemediationRow {
                scenario: d.label(),
                remediators: name,
                outcome: m.outcome,
                result: m.result_text(),
                mttr_secs: m.mttr_secs,
                bracket_secs: m.bracket_secs,
                sla_secs: m.sla_secs,
                difference: m.difference.clone(),
                run_id: r.run_id.clone(),
            });
        }
    }
    let summaries = per
        .into_iter()
        .map(|(name, (mut s, samples))| {
            s.name = name;
            let judged = s.within_sla + s.late + s.not_remediated;
            s.coverage_pct = (judged > 0).then(|| 100.0 * s.within_sla as f64 / judged as f64);
            s.mttr = Stats::of(&samples);
            s.samples_secs = samples.iter().map(|x| x.0).collect();
            s.samples_secs.sort_by(f64::total_cmp);
            s
        })
        .collect();
    (summaries, rows)
}

fn count(s: &mut RemediatorSummary, m: &crate::record::RemediationRecord) {
    s.expected += 1;
    match m.outcome {
        o if o.remediated() && m.within_sla() => s.within_sla += 1,
        o if o.remediated() => s.late += 1,
        RemediationOutcome::NotRemediated => s.not_remediated += 1,
        RemediationOutcome::RemediatorError => s.errors += 1,
        _ => s.inconclusive += 1,
    }
    if m.outcome == RemediationOutcome::RemediatedDifferently {
        s.differently += 1;
    }
}
