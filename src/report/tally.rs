//! The report's counting pieces: MTTD statistics (with the polled brackets' width), the tally
//! of outcomes behind a coverage percentage, and a coverage-matrix cell.

use serde::Serialize;

use super::text::human;
use crate::record::Outcome;

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Stats {
    pub count: usize,
    pub p50_secs: Option<f64>,
    pub p95_secs: Option<f64>,
    pub max_secs: Option<f64>,
    /// The widest polled bracket among the samples: how uncertain the times are.
    pub max_uncertainty_secs: Option<f64>,
}

impl Stats {
    pub(super) fn of(samples: &[(f64, f64)]) -> Stats {
        let mut upper: Vec<f64> = samples.iter().map(|s| s.0).collect();
        upper.sort_by(f64::total_cmp);
        let pick = |q: f64| {
            (!upper.is_empty()).then(|| {
                upper[((upper.len() as f64 * q).ceil() as usize).clamp(1, upper.len()) - 1]
            })
        };
        Stats {
            count: upper.len(),
            p50_secs: pick(0.5),
            p95_secs: pick(0.95),
            max_secs: upper.last().copied(),
            max_uncertainty_secs: samples
                .iter()
                .map(|s| s.1)
                .reduce(f64::max)
                .filter(|u| *u > 0.0),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Tally {
    pub expected: usize,
    pub within_sla: usize,
    pub late: usize,
    pub missed: usize,
    pub errors: usize,
    pub baseline_dirty: usize,
    /// No complete poll after the change by the drift's lifetime: not judged, counted apart.
    #[serde(default)]
    pub inconclusive: usize,
}

impl Tally {
    pub(super) fn add(&mut self, outcome: Outcome) {
        let slot = match outcome {
            Outcome::DetectedWithinSla => &mut self.within_sla,
            Outcome::DetectedLate => &mut self.late,
            Outcome::Missed => &mut self.missed,
            Outcome::DetectorError | Outcome::NotObserved => &mut self.errors,
            Outcome::BaselineDirty => &mut self.baseline_dirty,
            Outcome::Inconclusive => &mut self.inconclusive,
            // Silent expectations are suppressions, never coverage.
            Outcome::Suppressed | Outcome::Leaked => return,
        };
        *slot += 1;
        self.expected += 1;
    }

    /// Expectations an outcome was judged for: baseline-dirty skips and inconclusive windows
    /// (nothing judged) left out.
    pub fn judged(&self) -> usize {
        self.expected - self.baseline_dirty - self.inconclusive
    }

    /// Share of judged expectations detected within SLA.
    pub fn coverage_pct(&self) -> Option<f64> {
        let counted = self.judged();
        (counted > 0).then(|| (self.within_sla as f64 * 1000.0 / counted as f64).round() / 10.0)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cell {
    /// `caught`, `late`, `missed`, `error`, `dirty` or `not expected`: the latest result.
    pub status: String,
    /// The latest result's time to detect.
    pub mttd_secs: Option<f64>,
    /// Every result in the period, and how many were caught within SLA.
    pub runs: usize,
    pub caught: usize,
    /// Median time to detect over every detection in the period.
    pub p50_secs: Option<f64>,
    #[serde(skip)]
    pub(super) samples: Vec<f64>,
}

impl Cell {
    pub(super) fn empty(status: &str) -> Cell {
        Cell {
            status: status.into(),
            mttd_secs: None,
            runs: 0,
            caught: 0,
            p50_secs: None,
            samples: Vec::new(),
        }
    }

    /// The cell in words: the latest result (with its time), and over several results how
    /// many were caught and their median, so a flapping detector shows: `missed (caught 2/3,
    /// p50 12s)`.
    pub fn text(&self) -> String {
        let latest = match self.mttd_secs {
            Some(s) if self.status == "caught" || self.status == "late" => {
                format!("{} {}", self.status, human(s))
            }
            _ => self.status.clone(),
        };
        if self.runs <= 1 {
            return latest;
        }
        let p50 = self
            .p50_secs
            .map(|p| format!(", p50 {}", human(p)))
            .unwrap_or_default();
        format!("{latest} (caught {}/{}{p50})", self.caught, self.runs)
    }
}
