//! Where and how a period's drills ran: coverage per environment (its accounts and regions),
//! and each detector's time to detect in announced against unannounced drills. Both are empty
//! for runs without environments or unannounced drills, and then no format shows them.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::period::completed;
use super::tally::{Stats, Tally};
use crate::record::RunRecord;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EnvironmentSummary {
    pub environment: String,
    pub accounts: Vec<String>,
    pub regions: Vec<String>,
    /// Drills of the period in it, whatever became of them.
    pub drills: usize,
    /// Expected detections (every detector and channel together).
    pub tally: Tally,
    pub coverage_pct: Option<f64>,
    pub mttd: Stats,
}

/// One detector's detections split by whether the people watching knew the drill was coming.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Announcement {
    pub detector: String,
    pub announced: Side,
    pub unannounced: Side,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Side {
    pub tally: Tally,
    pub coverage_pct: Option<f64>,
    pub mttd: Stats,
}

#[derive(Default)]
struct Acc {
    accounts: BTreeSet<String>,
    regions: BTreeSet<String>,
    drills: usize,
    tally: Tally,
    samples: Vec<(f64, f64)>,
}

impl Acc {
    fn add(&mut self, e: &crate::record::ExpectationRecord) {
        self.tally.add(e.outcome);
        if let Some(m) = e.mttd_secs {
            self.samples
                .push((m, e.bracket_secs.map_or(0.0, |(lo, hi)| hi - lo)));
        }
    }

    fn side(self) -> Side {
        Side {
            coverage_pct: self.tally.coverage_pct(),
            tally: self.tally,
            mttd: Stats::of(&self.samples),
        }
    }
}

/// Coverage per named environment; empty when no drill of the period ran in one.
pub fn environments(records: &[&RunRecord]) -> Vec<EnvironmentSummary> {
    let mut by: BTreeMap<String, Acc> = BTreeMap::new();
    for d in records.iter().flat_map(|r| &r.drills) {
        let Some(env) = &d.environment else { continue };
        let acc = by.entry(env.clone()).or_default();
        acc.drills += 1;
        acc.accounts.extend(d.account.clone());
        acc.regions.extend(d.region.clone());
        if completed(d) {
            d.expectations
                .iter()
                .filter(|e| !e.silent)
                .for_each(|e| acc.add(e));
        }
    }
    by.into_iter()
        .map(|(environment, acc)| EnvironmentSummary {
            environment,
            accounts: acc.accounts.into_iter().collect(),
            regions: acc.regions.into_iter().collect(),
            drills: acc.drills,
            coverage_pct: acc.tally.coverage_pct(),
            mttd: Stats::of(&acc.samples),
            tally: acc.tally,
        })
        .collect()
}

/// Announced against unannounced, per detector; empty when no drill of the period was
/// unannounced.
pub(crate) fn announcement(records: &[&RunRecord]) -> Vec<Announcement> {
    let drills = || records.iter().flat_map(|r| &r.drills);
    if !drills().any(|d| d.unannounced) {
        return Vec::new();
    }
    let mut by: BTreeMap<String, (Acc, Acc)> = BTreeMap::new();
    for d in drills().filter(|d| completed(d)) {
        for e in d.expectations.iter().filter(|e| !e.silent) {
            let (announced, unannounced) = by.entry(e.detector.clone()).or_default();
            if d.unannounced {
                unannounced.add(e);
            } else {
                announced.add(e);
            }
        }
    }
    by.into_iter()
        .map(|(detector, (a, u))| Announcement {
            detector,
            announced: a.side(),
            unannounced: u.side(),
        })
        .collect()
}

/// A titled table of text cells, for every format to lay out its own way.
pub struct TextTable {
    pub title: &'static str,
    pub header: &'static [&'static str],
    pub rows: Vec<Vec<String>>,
}

/// The sections this module adds to a report, in order; none when they are empty.
pub fn tables(r: &super::Report) -> Vec<TextTable> {
    use super::text::{human_or_dash, pct};
    let mut out = Vec::new();
    if !r.environments.is_empty() {
        out.push(TextTable {
            title: "Environments",
            header: &[
                "environment",
                "accounts",
                "regions",
                "drills",
                "expected",
                "within SLA",
                "coverage",
                "p50",
                "max",
            ],
            rows: r
                .environments
                .iter()
                .map(|e| {
                    vec![
                        e.environment.clone(),
                        e.accounts.join(", "),
                        e.regions.join(", "),
                        e.drills.to_string(),
                        e.tally.expected.to_string(),
                        e.tally.within_sla.to_string(),
                        pct(e.coverage_pct),
                        human_or_dash(e.mttd.p50_secs),
                        human_or_dash(e.mttd.max_secs),
                    ]
                })
                .collect(),
        });
    }
    if !r.announcement.is_empty() {
        let side = |s: &Side| {
            format!(
                "{} of {} ({}), p50 {}",
                s.tally.within_sla,
                s.tally.judged(),
                pct(s.coverage_pct),
                human_or_dash(s.mttd.p50_secs)
            )
        };
        out.push(TextTable {
            title: "Announced and unannounced drills",
            header: &["detector / channel", "announced", "unannounced"],
            rows: r
                .announcement
                .iter()
                .map(|a| vec![a.detector.clone(), side(&a.announced), side(&a.unannounced)])
                .collect(),
        });
    }
    out
}
